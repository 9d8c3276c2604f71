"""Split Cyrillic and Latin text into words, keeping offsets into the original string.

Invisible characters (soft hyphen, zero-width space and joiners, word joiner, BOM) and
combining marks may sit inside a word; the word's match spans them, so ``start``/``end``
point into the text as given (the highlighter marks by these offsets), and only the
token's ``text`` drops them. No-break spaces separate words like any space.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterator
from dataclasses import dataclass

INVISIBLE = "\u00ad\u200b\u200c\u200d\u2060\ufeff"
# Hyphens (ASCII, Unicode hyphen, non-breaking hyphen) and apostrophes (ASCII, right single
# quote, modifier letter apostrophe, grave) that join two runs of letters into one word.
HYPHENS = "-\u2010\u2011"
APOSTROPHES = "'\u2019\u02bc`"

# Inside a word: letters and digits, plus invisibles and combining marks (a stress accent,
# a decomposed "й"). A word starts and ends with a letter/digit/mark, never an invisible.
_INNER = rf"[\w{INVISIBLE}\u0300-\u036f]"
_RUN = rf"\w(?:{_INNER}*[\w\u0300-\u036f])?"
_NUMBER = r"\d+(?:[.,:/]\d+)+"
WORD_RE = re.compile(rf"{_NUMBER}|{_RUN}(?:[{HYPHENS}{APOSTROPHES}]{_RUN})*")
_NEEDS_CLEANING = re.compile(rf"[{INVISIBLE}\u0300-\u036f{HYPHENS[1:]}{APOSTROPHES[1:]}]")
HYPHEN_RE = re.compile(rf"[{HYPHENS}]")
_CLEAN_TABLE = str.maketrans(
    {
        **dict.fromkeys(INVISIBLE, None),
        **dict.fromkeys(HYPHENS, "-"),
        **dict.fromkeys(APOSTROPHES, "'"),
    }
)


@dataclass(slots=True)
class Token:
    """A word as cleaned ``text`` and its ``start``/``end`` in the original string.

    ``parts`` holds the pieces of a hyphenated word (empty otherwise).
    """

    text: str
    start: int
    end: int
    parts: tuple[Token, ...] = ()


def clean(raw: str) -> str:
    """Drop invisible characters, unify hyphens and apostrophes, compose to NFC.

    >>> clean("Аста\u00adна")
    'Астана'
    >>> clean("и\u0306ол") == "йол"
    True
    >>> clean("Nur\u2011Sultan"), clean("o\u2019z")
    ('Nur-Sultan', "o'z")
    """
    if not _NEEDS_CLEANING.search(raw):
        return raw
    return unicodedata.normalize("NFC", raw.translate(_CLEAN_TABLE))


def _split_hyphens(raw: str, start: int) -> tuple[Token, ...]:
    parts = []
    offset = 0
    for piece in HYPHEN_RE.split(raw):
        if piece:
            parts.append(Token(clean(piece), start + offset, start + offset + len(piece)))
        offset += len(piece) + 1
    return tuple(parts)


def tokenize(text: str, start: int = 0, end: int | None = None) -> Iterator[Token]:
    """Yield the words of ``text[start:end]`` with offsets into ``text``.

    >>> [(t.text, t.start, t.end) for t in tokenize("«ҚР» 2,5\u00a0млн")]
    [('ҚР', 1, 3), ('2,5', 5, 8), ('млн', 9, 12)]
    >>> [(p.text, p.start) for p in next(tokenize("Нұр-Сұлтан")).parts]
    [('Нұр', 0), ('Сұлтан', 4)]
    """
    for match in WORD_RE.finditer(text, start, len(text) if end is None else end):
        raw = match.group()
        parts = _split_hyphens(raw, match.start()) if HYPHEN_RE.search(raw) else ()
        yield Token(clean(raw), match.start(), match.end(), parts if len(parts) > 1 else ())
