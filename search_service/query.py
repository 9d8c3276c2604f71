"""The query language: a user's search string -> a Whoosh query. Pure: needs no index.

What a user may type::

    конституция сайлау       every word must match, in any of its forms
    Астана OR Алматы         either word
    -спорт   NOT спорт       without the word
    "Мемлекет басшысы"       these exact forms, in this order (stop words keep their place)
    конститу*                exact forms starting with the letters
    title:сайлау  title:"жаңа заң"              only in the headline
    date:2025  date:2025-03  date:2025-01-01..2025-06-30  date:..2020-12-31  date:2024..

A word matches its normalised keys (``title``/``text``), its exact form with a higher weight
(``title_exact``/``text_exact``) and its name-folding key (``fold``) with a low one. The
search form's filters are built by :func:`filter_clauses` from the same pieces as ``date:``.

A malformed query is repaired when the intent is clear (an unclosed quote is closed, a
dangling ``OR``/``NOT``/``-``, a lone ``*`` or an empty ``title:`` is dropped, a reversed date
range is turned round); otherwise :func:`parse_query` raises :class:`QueryError`, whose
``key`` names a message the user can read in Kazakh, Russian or English.
"""

from __future__ import annotations

import calendar
import datetime as dt
import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from itertools import pairwise, product

from whoosh import query as wq

from search_service.indexer import date_number
from search_service.schema import (
    CITY_FIELD,
    DATE_FIELD,
    FOLD_FIELD,
    LANG_FIELD,
    TEXT_EXACT_FIELD,
    TEXT_FIELD,
    TITLE_EXACT_FIELD,
    TITLE_FIELD,
)
from search_service.text import Term, analyze_query
from search_service.text.cities import canonical_city
from search_service.text.fold import name_fold

# Where a word is looked for. Field weights are the schema's (applied at index time).
KEY_FIELDS = (TITLE_FIELD, TEXT_FIELD)
EXACT_FIELDS = (TITLE_EXACT_FIELD, TEXT_EXACT_FIELD)
TITLE_KEY_FIELDS = (TITLE_FIELD,)
TITLE_EXACT_FIELDS = (TITLE_EXACT_FIELD,)

# Query-time weights on top of the field boosts: an exact form beats another form of the
# word, and the name-folding key is only a fallback.
KEY_BOOST = 1.0
EXACT_BOOST = 1.5
FOLD_BOOST = 0.3

# The optional clause that rewards the query's words standing close together.
PROXIMITY_SLOP = 4
PROXIMITY_BOOST = 2.0


class AnyOf(wq.Or):
    """``Or`` that always merges its clauses lazily (Whoosh's union tree).

    For indexes under 5,000 documents Whoosh otherwise reads and scores every posting of every
    clause up front, which made a two-word query on the real corpus about 30% slower.
    """

    matcher_type = wq.Or.DEFAULT_MATCHER


MIN_PREFIX = 2  # letters before "*": "а*" would expand to half the vocabulary
MAX_TERMS = 50  # words, phrases and filters in one query

OPERATOR_OR = "OR"
OPERATOR_AND = "AND"
OPERATOR_NOT = "NOT"
QUOTES = '"«»“”„'

# Message keys of QueryError, with the text shown to users.
EMPTY = "query.empty"
BAD_DATE = "query.bad_date"
SHORT_PREFIX = "query.short_prefix"
TOO_MANY_TERMS = "query.too_many_terms"

MESSAGES: dict[str, dict[str, str]] = {
    EMPTY: {
        "kk": "Іздеу үшін кемінде бір сөз жазыңыз.",
        "ru": "Введите хотя бы одно слово для поиска.",
        "en": "Type at least one word to search for.",
    },
    BAD_DATE: {
        "kk": "Күнді былай жазыңыз: date:2025, date:2025-03 немесе date:2025-01-01..2025-06-30.",
        "ru": "Дату пишите так: date:2025, date:2025-03 или date:2025-01-01..2025-06-30.",
        "en": "Write dates as date:2025, date:2025-03 or date:2025-01-01..2025-06-30.",
    },
    SHORT_PREFIX: {
        "kk": f"* белгісінің алдында кемінде {MIN_PREFIX} әріп болуы керек.",
        "ru": f"Перед знаком * нужно не меньше {MIN_PREFIX} букв.",
        "en": f"Put at least {MIN_PREFIX} letters before the *.",
    },
    TOO_MANY_TERMS: {
        "kk": f"Сұрауда сөз тым көп: ең көбі {MAX_TERMS}.",
        "ru": f"Слишком много слов в запросе: не больше {MAX_TERMS}.",
        "en": f"The query has too many words: at most {MAX_TERMS}.",
    },
}


class QueryError(ValueError):
    """A query that cannot be understood; ``key`` names a message in :data:`MESSAGES`."""

    def __init__(self, key: str):
        super().__init__(key)
        self.key = key

    def message(self, lang: str = "en") -> str:
        """The message for users, in ``kk``, ``ru`` or ``en``."""
        texts = MESSAGES[self.key]
        return texts.get(lang, texts["en"])


@dataclass(frozen=True)
class Marks:
    """What the highlighter marks in a text: the matched words of the query."""

    keys: frozenset[str] = frozenset()
    forms: frozenset[str] = frozenset()
    folds: frozenset[str] = frozenset()
    prefixes: tuple[str, ...] = ()

    def __bool__(self) -> bool:
        return bool(self.keys or self.forms or self.folds or self.prefixes)


@dataclass(frozen=True)
class ParsedQuery:
    """A parsed query. ``query`` is ``None`` when nothing was typed (browse with filters).

    ``scored`` is false when the query has no positive words (``-спорт`` alone), so a
    relevance sort means nothing. ``words`` are ``(as typed, exact form)`` of the plain
    words, for "did you mean".
    """

    query: wq.Query | None
    marks: Marks = field(default_factory=Marks)
    words: tuple[tuple[str, str], ...] = ()
    scored: bool = False
    # The parts every hit must have, as typed and as queries, and what no hit may have: what
    # the searcher relaxes when no article has every part (``searcher._relaxed``).
    parts: tuple[tuple[str, wq.Query], ...] = ()
    excluded: wq.Query | None = None


@dataclass
class _Token:
    kind: str  # "word", "phrase", "date" or an operator
    text: str = ""
    negated: bool = False
    title: bool = False


@dataclass
class _Collected:
    """Marks and proximity words gathered while the clauses are built."""

    keys: set[str] = field(default_factory=set)
    forms: set[str] = field(default_factory=set)
    folds: set[str] = field(default_factory=set)
    prefixes: list[str] = field(default_factory=list)
    words: list[tuple[str, str]] = field(default_factory=list)
    near: list[str] = field(default_factory=list)  # primary key of the last plain word

    def mark(self, terms: Iterable[Term]) -> None:
        for term in terms:
            self.keys.update(term.keys)
            self.forms.update(term.forms or (term.form,))
            self.folds.update(fold for fold in term.folds or (term.fold,) if fold)

    def marks(self) -> Marks:
        return Marks(
            frozenset(self.keys),
            frozenset(self.forms),
            frozenset(self.folds),
            tuple(self.prefixes),
        )


def parse_query(text: str) -> ParsedQuery:
    """Turn a user's search string into a query; raises :class:`QueryError` only."""
    tokens = tokenize(text)
    if not tokens:
        if text.strip():  # "-", "title:" or "date:" and nothing else
            raise QueryError(EMPTY)
        return ParsedQuery(None)
    if len(tokens) > MAX_TERMS:
        raise QueryError(TOO_MANY_TERMS)
    collected = _Collected()
    stop_words: list[tuple[wq.Query, list[Term]]] = []
    combined = _combine(tokens, collected, stop_words)
    groups, labels, negated = combined.groups, combined.labels, combined.negated
    if not groups and not negated and stop_words:  # only stop words: search their exact forms
        groups = [[clause] for clause, _ in stop_words]
        labels = [[" ".join(term.form for term in terms)] for _, terms in stop_words]
        collected.mark(term for _, terms in stop_words for term in terms)
    if not groups and not negated:
        raise QueryError(EMPTY)
    positive: wq.Query = wq.And([_either(group) for group in groups]) if groups else wq.Every()
    positive = positive.normalize()
    if negated:
        positive = wq.AndNot(positive, _either(negated))
    near_keys = [key for key in combined.near if key]
    if len(near_keys) > 1:
        positive = wq.AndMaybe(positive, _proximity(near_keys))
    marks = collected.marks()
    parts = tuple(
        (" OR ".join(label), _either(group).normalize())
        for label, group in zip(labels, groups, strict=True)
    )
    return ParsedQuery(
        positive,
        marks,
        tuple(collected.words),
        bool(marks),
        parts,
        _either(negated) if negated else None,
    )


@dataclass
class _Combined:
    """Clauses joined by the operators: an AND of OR-groups, and what is excluded."""

    groups: list[list[wq.Query]] = field(default_factory=list)
    labels: list[list[str]] = field(default_factory=list)  # per group, its parts as typed
    negated: list[wq.Query] = field(default_factory=list)
    near: list[str | None] = field(default_factory=list)  # per group: its one plain word's key


def _combine(
    tokens: list[_Token], collected: _Collected, stop_words: list[tuple[wq.Query, list[Term]]]
) -> _Combined:
    """Apply ``OR``, ``NOT`` and ``AND`` to the clauses of ``tokens``."""
    combined = _Combined()
    want_or = want_not = False
    for token in tokens:
        if token.kind == OPERATOR_OR:
            want_or = bool(combined.groups)  # a leading OR has nothing to join: dropped
            continue
        if token.kind == OPERATOR_NOT:
            want_not = True
            continue
        if token.kind == OPERATOR_AND:
            continue
        is_negated = token.negated or want_not
        want_not = False
        clause = _clause(token, collected if not is_negated else None, stop_words)
        near = collected.near.pop() if collected.near else None
        if clause is None:
            continue
        if is_negated:
            combined.negated.append(clause)
        elif want_or and combined.groups:
            combined.groups[-1].append(clause)
            combined.labels[-1].append(_label(token))
            combined.near[-1] = None  # "a OR b": no proximity between alternatives
        else:
            combined.groups.append([clause])
            combined.labels.append([_label(token)])
            combined.near.append(near)
        want_or = False
    return combined


def _label(token: _Token) -> str:
    """A query part as the user typed it, for "no article has all words" notices."""
    text = f'"{token.text}"' if token.kind == "phrase" else token.text
    return f"title:{text}" if token.title else text


def tokenize(text: str) -> list[_Token]:
    """Split a query into words, phrases, dates and operators, repairing as it goes."""
    tokens: list[_Token] = []
    i, end = 0, len(text)
    negated = title = False
    while i < end:
        char = text[i]
        if char.isspace():
            i += 1
            continue
        if char in QUOTES:
            close = _find_quote(text, i + 1)  # an unclosed quote runs to the end
            tokens.append(_Token("phrase", text[i + 1 : close], negated, title))
            negated = title = False
            i = close + 1
            continue
        if char == "-" and not negated and i + 1 < end and not text[i + 1].isspace():
            negated = True
            i += 1
            continue
        match = _FIELD.match(text, i)
        if match and not title:
            i = match.end()
            if match.group(1).lower() == "title":
                title = True  # applies to the next word or phrase, even after a space
                continue
            value = _WORD_CHARS.match(text, i)
            if value.group():  # an empty "date:" is dropped
                tokens.append(_Token("date", value.group(), negated))
            negated = False
            i = value.end()
            continue
        word = _WORD_CHARS.match(text, i)  # at least one character: not a space or quote
        i = word.end()
        if word.group() in (OPERATOR_OR, OPERATOR_AND, OPERATOR_NOT) and not (negated or title):
            tokens.append(_Token(word.group()))
            continue
        tokens.append(_Token("word", word.group(), negated, title))
        negated = title = False
    return tokens


_FIELD = re.compile(r"(title|date):", re.IGNORECASE)
_WORD_CHARS = re.compile(r"[^\s" + QUOTES + r"]*")


def _find_quote(text: str, start: int) -> int:
    for i in range(start, len(text)):
        if text[i] in QUOTES:
            return i
    return len(text)


def _clause(
    token: _Token, collected: _Collected | None, stop_words: list[tuple[wq.Query, list[Term]]]
) -> wq.Query | None:
    """The query of one word, phrase or date; ``None`` when nothing in it is searchable.

    ``collected`` is ``None`` for a negated token: what is excluded is not highlighted.
    """
    if token.kind == "date":
        return date_query(token.text)
    if token.kind == "phrase":
        return _phrase(token.text, token.title, collected)
    if token.text.endswith("*"):
        return _prefix(token.text, token.title, collected)
    terms = analyze_query(token.text)
    if not terms:
        return None
    if all(not term.keys for term in terms):  # stop words: only used if nothing else is left
        if collected is not None:
            stop_words.append((_exact(terms, token.title), terms))
        return None
    searchable = [term for term in terms if term.keys]
    if collected is not None:
        collected.mark(searchable)
        collected.words.append((token.text, searchable[0].form))
        if not token.title:
            collected.near.append(searchable[0].keys[0])
    return _and(_word(term, token.title) for term in _one_per_position(searchable))


def _word(term: Term, title_only: bool) -> wq.Query:
    """One word in any of its forms."""
    key_fields = TITLE_KEY_FIELDS if title_only else KEY_FIELDS
    exact_fields = TITLE_EXACT_FIELDS if title_only else EXACT_FIELDS
    clauses: list[wq.Query] = [
        wq.Term(name, key, boost=KEY_BOOST) for name in key_fields for key in term.keys
    ]
    forms = term.forms or (term.form,)
    clauses += [wq.Term(name, form, boost=EXACT_BOOST) for name in exact_fields for form in forms]
    if not title_only:
        # The fold field holds the skeletons of Kazakh words (Тоқаев, Tokayev: токаев); the
        # Russian spelling of a Kazakh name is a key of its own (Токаев), found by the name fold.
        folds = term.folds or (term.fold,)
        clauses += [wq.Term(FOLD_FIELD, fold, boost=FOLD_BOOST) for fold in folds if fold]
        spelt_as_russian = dict.fromkeys(name_fold(key) for key in term.keys)
        clauses += [
            wq.Term(TEXT_FIELD, key, boost=FOLD_BOOST)
            for key in spelt_as_russian
            if key not in term.keys
        ]
    return AnyWordForm(clauses)


class AnyWordForm(AnyOf):
    """The clauses of one query word: its keys, its exact form, its fold key."""


def _exact(terms: list[Term], title_only: bool) -> wq.Query:
    """Exact forms in this order: a phrase, or a single exact form."""
    fields = TITLE_EXACT_FIELDS if title_only else EXACT_FIELDS
    ordered = _one_per_position(terms)
    if len(ordered) == 1:
        return _either([wq.Term(name, ordered[0].form, boost=EXACT_BOOST) for name in fields])
    gaps = [b.pos - a.pos for a, b in pairwise(ordered)]
    slop = max(1, *gaps)
    return _either(
        [
            wq.Phrase(name, list(forms), slop=slop, boost=EXACT_BOOST)
            for forms in _spellings(ordered)
            for name in fields
        ]
    )


MAX_PHRASE_SPELLINGS = 8  # readings of a Latin phrase tried (2018 ``I`` is і or и, ...)


def _spellings(terms: list[Term]) -> list[tuple[str, ...]]:
    """The exact forms of a phrase, one sequence per reading of its words: the main reading
    first, then each word's other readings, at most :data:`MAX_PHRASE_SPELLINGS`."""
    main = tuple(term.form for term in terms)
    found = [main]
    for forms in product(*[term.forms or (term.form,) for term in terms]):
        if len(found) >= MAX_PHRASE_SPELLINGS:
            break
        if forms != main:
            found.append(forms)
    return found


def _phrase(text: str, title_only: bool, collected: _Collected | None) -> wq.Query | None:
    terms = analyze_query(text)
    if not terms:
        return None  # "" or only punctuation between the quotes
    if collected is not None:
        collected.mark([t for t in terms if t.keys] or terms)  # stop words stay unmarked
    return _exact(terms, title_only)


def _prefix(text: str, title_only: bool, collected: _Collected | None) -> wq.Query | None:
    terms = analyze_query(text.rstrip("*"))
    if not terms:
        return None  # a lone "*"
    *whole, last = terms
    if len(last.form) < MIN_PREFIX:
        raise QueryError(SHORT_PREFIX)
    starts = last.forms or (last.form,)  # a Latin prefix is read every way too
    if collected is not None:
        collected.mark(t for t in whole if t.keys)
        collected.prefixes.extend(starts)
    fields = TITLE_EXACT_FIELDS if title_only else EXACT_FIELDS
    clauses = [_word(term, title_only) for term in whole if term.keys]
    clauses.append(_either([wq.Prefix(name, start) for start in starts for name in fields]))
    return _and(clauses)


def _proximity(keys: list[str]) -> wq.Query:
    """Rewards documents where the query's words stand near each other."""
    return AnyOf(
        [wq.Phrase(name, keys, slop=PROXIMITY_SLOP, boost=PROXIMITY_BOOST) for name in KEY_FIELDS]
    )


def _one_per_position(terms: list[Term]) -> list[Term]:
    """The first term at each word position (a hyphenated word and its part share one)."""
    seen: set[int] = set()
    result = []
    for term in terms:
        if term.pos not in seen:
            seen.add(term.pos)
            result.append(term)
    return result


def _either(clauses: list[wq.Query]) -> wq.Query:
    return clauses[0] if len(clauses) == 1 else AnyOf(clauses)


def _and(clauses: Iterable[wq.Query]) -> wq.Query:
    clauses = list(clauses)
    return clauses[0] if len(clauses) == 1 else wq.And(clauses)


# Dates -----------------------------------------------------------------------------------

_DATE_BOUND = re.compile(r"(\d{4})(?:-(\d{1,2})(?:-(\d{1,2}))?)?")


def date_query(text: str) -> wq.Query:
    """``2025``, ``2025-03``, ``2025-01-01..2025-06-30``, ``2025..``, ``..2020-12-31``."""
    start_text, dots, end_text = text.partition("..")
    if not dots:
        end_text = start_text
    if not start_text and not end_text:
        raise QueryError(BAD_DATE)
    start = parse_date_bound(start_text, last=False) if start_text else None
    end = parse_date_bound(end_text, last=True) if end_text else None
    if start and end and start > end:  # typed the wrong way round: the intent is clear
        start = parse_date_bound(end_text, last=False)
        end = parse_date_bound(start_text, last=True)
    return date_range(start, end)


def parse_date_bound(text: str, last: bool) -> dt.date:
    """A year, month or day as a date: its first day, or its last when ``last``."""
    match = _DATE_BOUND.fullmatch(text)
    if not match:
        raise QueryError(BAD_DATE)
    year, month, day = (int(part) if part else None for part in match.groups())
    try:
        if month is None:
            return dt.date(year, 12, 31) if last else dt.date(year, 1, 1)
        if day is None:
            days = calendar.monthrange(year, month)[1] if 1 <= month <= 12 else 0
            return dt.date(year, month, days if last else 1)
        return dt.date(year, month, day)
    except ValueError:
        raise QueryError(BAD_DATE) from None


def date_range(start: dt.date | None, end: dt.date | None) -> wq.Query:
    """Documents dated from ``start`` to ``end``, both included; either end may be open."""
    return wq.NumericRange(
        DATE_FIELD,
        date_number(start) if start else None,
        date_number(end) if end else None,
    )


# Filters of the search form -------------------------------------------------------------

FILTER_LANG = "lang"
FILTER_CITY = "city"
FILTER_YEAR = "year"
FILTER_MONTH = "month"
FILTER_DATES = "dates"


def filter_clauses(
    *,
    lang: str | None = None,
    date_from: dt.date | None = None,
    date_to: dt.date | None = None,
    city: str | None = None,
    year: str | None = None,
    month: str | None = None,
) -> dict[str, wq.Query]:
    """The form's filters as queries, by name, so a facet can leave its own one out.

    ``year="2025"`` and ``month="2025-03"`` give the same queries as ``date:2025`` and
    ``date:2025-03``; raises :class:`QueryError` for a malformed year or month.
    """
    clauses: dict[str, wq.Query] = {}
    if lang:
        clauses[FILTER_LANG] = wq.Term(LANG_FIELD, lang)
    if city:
        # Cities are filed under one name (see text.cities): "Уральск" and "Oral" find "Орал".
        clauses[FILTER_CITY] = wq.Term(CITY_FIELD, canonical_city(city))
    if year:
        clauses[FILTER_YEAR] = date_query(year)
    if month:
        clauses[FILTER_MONTH] = date_query(month)
    if date_from or date_to:
        clauses[FILTER_DATES] = date_range(date_from, date_to)
    return clauses


def combine(clauses: Iterable[wq.Query]) -> wq.Query | None:
    """All the given filters together, or ``None`` for no filter."""
    clauses = list(clauses)
    if not clauses:
        return None
    return _and(clauses)
