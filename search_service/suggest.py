"""Did you mean: a query's rare words corrected to index words that find clearly more.

A correction must read like what the user typed: the same script, the same spelling habit (a
Russian spelling without Kazakh letters gets none: ``Токаеф`` is ``Токаев``, not ``Тоқаев``), a
word of Kazakh articles for a Kazakh-lettered or Latin word, and the case as typed. A Latin word
is corrected in its own alphabet (``Qazaqstn`` -> ``Qazaqstan``): the index holds Kazakh in
Cyrillic, so each spelling one edit away is read in Cyrillic and looked up there. Words with
digits (``G20``, ``10:30``) are left as typed.

The nearest word wins (two edits only in words of six letters or more; a swap of neighbours is
one edit, a letter put for a similar one half an edit), then the most frequent. A word is
corrected only when the correction is in :data:`SUGGEST_GAIN` times as many articles as the word
finds on its own, so a rare real word (``Kaspi``) is left alone.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from itertools import islice

import numpy as np
from rapidfuzz import process
from rapidfuzz.distance import OSA
from whoosh.searching import Searcher

from search_service.engine.ranking import IndexArrays
from search_service.plan import SearchPlan
from search_service.query import QueryError, parse_query
from search_service.schema import LANG_FIELD, TEXT_EXACT_FIELD
from search_service.text.language import KAZAKH_ONLY, script
from search_service.text.translit import latin_letters, latin_to_cyrillic, possible_variants

SUGGEST_GAIN = 5  # a correction finds at least this many times the articles of the word
COMMON_ENOUGH = 10  # a word in this many articles is taken as meant, not corrected
TWO_EDITS_FROM = 6  # letters a word needs before two edits are tried
MAX_CANDIDATES = 200  # index words looked at per query word

_WORD = re.compile(r"[^\W\d_]+(?:-[^\W\d_]+)*")
_EDGE_PUNCTUATION = "\"'«»“”„.,;:!?()[]{}…"


def suggest(searcher: Searcher, arrays: IndexArrays, plan: SearchPlan, at_least: int) -> str | None:
    """The plan's query with its rare words corrected, when the corrected query finds at
    least ``at_least`` articles (with the plan's filters); else ``None``.

    The plan gives the words; what is parsed here is only what the plan cannot hold: the
    corrected query (a new text) and each rare word alone (how many articles it finds).
    """
    q = plan.request.q
    suggestion = q
    for typed, _form in plan.parsed.words:
        core = typed.strip(_EDGE_PUNCTUATION)
        better = _correction(searcher, arrays, core)
        if better:
            suggestion = suggestion.replace(core, better, 1)
    if suggestion == q:
        return None
    try:
        corrected = parse_query(suggestion)
    except QueryError:
        return None
    if corrected.query is None:
        return None
    found = arrays.evaluate(corrected.query, scored=False).docs
    filter_query = plan.filter_query
    if filter_query is not None:
        found = found & arrays.filter_docs(filter_query)
    return suggestion if int(np.count_nonzero(found)) >= at_least else None


def _correction(searcher: Searcher, arrays: IndexArrays, word: str) -> str | None:
    """The index word to put for ``word``, in its case, or ``None``."""
    if not _WORD.fullmatch(word):
        return None
    own = _articles(arrays, word)
    if own >= COMMON_ENOUGH:
        return None
    needed = max(1, SUGGEST_GAIN * own)
    if script(word) == "Latn":
        return _latin_correction(searcher, arrays, word, needed)
    lower = word.lower()
    # One edit with the first letter as typed; two only when one finds nothing, and with the
    # first two letters as typed (misspellings rarely touch the start, and it keeps the
    # words to compare few).
    for edits, prefix in ((1, 1), (2, 2)):
        if edits > 1 and len(lower) < TWO_EDITS_FROM:
            break
        found = _within(
            lower, arrays.prefixes.words_starting(TEXT_EXACT_FIELD, lower[:prefix]), edits
        )
        found = islice(found, MAX_CANDIDATES)
        candidates = _cyrillic_candidates(searcher, arrays, lower, found, needed)
        if candidates:
            return _in_case_of(min(candidates)[2], word)
    return None


def _within(word: str, words: tuple[str, ...], edits: int) -> list[str]:
    """The ``words`` (sorted) within ``edits`` of ``word``, in their order: the optimal string
    alignment distance (a swap of neighbours is one edit), as Whoosh's ``terms_within``
    measures it, computed by rapidfuzz in C++ (Whoosh's Python loop over thousands of words
    made a rare word's "did you mean" take a third of a second).

    >>> _within("сайлуа", ("сайлау", "сайлауы", "сайран", "сауда"), 1)
    ['сайлау']
    """
    close = process.extract(word, words, scorer=OSA.distance, score_cutoff=edits, limit=None)
    return [words[at] for at in sorted(at for _, _, at in close)]


def _cyrillic_candidates(
    searcher: Searcher, arrays: IndexArrays, lower: str, found: Iterable[str], needed: int
) -> list[tuple[float, int, str]]:
    """``(cost, -articles, word)`` of the index words fit to correct ``lower``."""
    kazakh = bool(KAZAKH_ONLY.intersection(lower))
    candidates = []
    for candidate in found:
        if candidate == lower or not _WORD.fullmatch(candidate) or script(candidate) == "Latn":
            continue
        if not kazakh and KAZAKH_ONLY.intersection(candidate):
            continue  # a Russian spelling (Токаеф) gets no Kazakh letters (Тоқаев)
        # A word with Kazakh letters is Kazakh: its correction is a word of Kazakh articles.
        frequency = _articles_with(searcher, arrays, candidate, "kk" if kazakh else None, needed)
        if frequency >= needed:
            candidates.append((_cost(lower, candidate), -frequency, candidate))
    return candidates


def _latin_correction(
    searcher: Searcher, arrays: IndexArrays, word: str, needed: int
) -> str | None:
    """A Latin word, corrected in its own alphabet: the index holds Kazakh words in Cyrillic,
    so each one-edit spelling of the word is read in Cyrillic and looked up there."""
    lower = word.lower()
    candidates = []
    for variant in possible_variants(lower):
        alphabet = {letter for letter in latin_letters(variant)} | set(lower)
        for spelling in _one_edit(lower, alphabet):
            if spelling == lower or not _WORD.fullmatch(spelling):
                continue
            cyrillic = latin_to_cyrillic(spelling, variant)
            frequency = _articles_with(searcher, arrays, cyrillic, "kk", needed)
            if frequency >= needed:
                candidates.append((_cost(lower, spelling), -frequency, spelling))
    return _in_case_of(min(candidates)[2], word) if candidates else None


def _one_edit(word: str, alphabet: set[str]) -> set[str]:
    """Every spelling one deletion, swap, replacement or insertion away from ``word``."""
    splits = [(word[:i], word[i:]) for i in range(len(word) + 1)]
    deletes = {a + b[1:] for a, b in splits if b}
    swaps = {a + b[1] + b[0] + b[2:] for a, b in splits if len(b) > 1}
    replaces = {a + c + b[1:] for a, b in splits if b for c in alphabet}
    inserts = {a + c + b for a, b in splits for c in alphabet}
    return deletes | swaps | replaces | inserts


def _articles(arrays: IndexArrays, word: str) -> int:
    """How many articles the word finds as a query of its own (in any of its forms)."""
    try:
        parsed = parse_query(word)
    except QueryError:
        return 0
    if parsed.query is None:
        return 0
    return int(np.count_nonzero(arrays.evaluate(parsed.query, scored=False).docs))


def _articles_with(
    searcher: Searcher, arrays: IndexArrays, form: str, lang: str | None, needed: int
) -> int:
    """How many articles (in ``lang``, when given) use the exact form; 0 when fewer than
    ``needed`` have it at all (known from the word list alone, without reading postings)."""
    if searcher.doc_frequency(TEXT_EXACT_FIELD, form) < needed:
        return 0
    ids, _ = arrays.postings(TEXT_EXACT_FIELD, form)
    ids = ids[arrays.live[ids]] if len(ids) else ids
    if lang is None or not len(ids):
        return len(ids)
    values, ordinals = arrays.column(LANG_FIELD)
    if lang not in values:
        return 0
    return int(np.count_nonzero(ordinals[ids] == values.index(lang)))


# Letters people confuse: one of these for another is a smaller mistake than any other edit
# (Almatı is Almaty before Almaı, Токаеф is Токаев).
_SIMILAR = [
    set("ıiyіи"),
    set("uúūüýwу"),
    set("oóö"),
    set("aáä"),
    set("gǵğ"),
    set("nńñ"),
    set("sş"),
    set("cç"),
    set("kq"),
    set("еэё"),
    set("иыйі"),
    set("аә"),
    set("оө"),
    set("уұү"),
    set("кқ"),
    set("гғ"),
    set("нң"),
    set("хһ"),
    set("фв"),
    set("ьъ"),
]


def _cost(typed: str, candidate: str) -> float:
    """The edit distance (a swap of two neighbours is one edit), with half a point for a
    letter put for a similar one.

    >>> _cost("almatı", "almaty"), _cost("almatı", "almaı"), _cost("токаеф", "токаев")
    (0.5, 1.0, 0.5)
    >>> _cost("сайлуа", "сайлау"), _cost("сайлуа", "сайлауы")
    (1.0, 2.0)
    """
    rows = len(typed) + 1
    cols = len(candidate) + 1
    cost = [[float(i + j) if i == 0 or j == 0 else 0.0 for j in range(cols)] for i in range(rows)]
    for i in range(1, rows):
        for j in range(1, cols):
            a, b = typed[i - 1], candidate[j - 1]
            change = 0.0 if a == b else 0.5 if _similar(a, b) else 1.0
            cost[i][j] = min(cost[i - 1][j] + 1, cost[i][j - 1] + 1, cost[i - 1][j - 1] + change)
            if i > 1 and j > 1 and a == candidate[j - 2] and typed[i - 2] == b:
                cost[i][j] = min(cost[i][j], cost[i - 2][j - 2] + 1)
    return cost[-1][-1]


def _similar(a: str, b: str) -> bool:
    return any(a in group and b in group for group in _SIMILAR)


def _in_case_of(word: str, typed: str) -> str:
    """``word`` (lower case from the index) in the case ``typed`` was written in.

    >>> _in_case_of("токаев", "Токаеф"), _in_case_of("qazaqstan", "QAZAQSTN")
    ('Токаев', 'QAZAQSTAN')
    """
    if len(typed) > 1 and typed.isupper():
        return word.upper()
    if typed[:1].isupper():
        return word[:1].upper() + word[1:]
    return word
