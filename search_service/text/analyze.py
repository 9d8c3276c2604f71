"""Plain stand-in analysis: lower-cased words, one key each.

This module is replaced by the full Kazakh/Russian normalisation; its contract is the
:class:`Term` dataclass and the two functions below.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

_WORD = re.compile(r"\w+(?:[-'’]\w+)*")


@dataclass(frozen=True, slots=True)
class Term:
    """One analysed word of a text.

    ``form`` is the exact form (lower-cased, folded, Kazakh Latin turned into Cyrillic): the key
    of quoted search. ``keys`` are the normalised keys (lemmas or stems), primary first; empty
    for a stop word, which still takes its position so phrases keep their shape. ``fold`` is
    the name-folding key (Kazakh letters spelled the Russian way). ``start``/``end`` are
    character offsets into the analysed string; ``pos`` is the word position, which two terms
    may share (a hyphenated word whole and its first part).
    """

    form: str
    keys: tuple[str, ...]
    fold: str
    start: int
    end: int
    pos: int
    lang: str


def analyze(text: str, lang: str | None = None) -> list[Term]:
    """Analyse a document's text; ``lang`` is the document language if already known."""
    terms = []
    for pos, match in enumerate(_WORD.finditer(text)):
        form = match.group().lower()
        terms.append(Term(form, (form,), form, match.start(), match.end(), pos, lang or ""))
    return terms


def analyze_query(text: str) -> list[Term]:
    """Analyse query text (short, language unknown)."""
    return analyze(text)
