"""The query language: a user's search string -> a Whoosh query. Pure: needs no index.

What a user may type::

    конституция сайлау       every word must match, in any of its forms
    Астана OR Алматы         either word
    -спорт   NOT спорт       without the word
    "Мемлекет басшысы"       these exact forms, in this order (stop words keep their place)
    конститу*                exact forms starting with the letters
    сайлау ИЛИ выборы        the operators in Russian (ИЛИ, НЕ, И) and Kazakh (НЕМЕСЕ, ЕМЕС,
                             ЖӘНЕ) too, in capitals only: lower-case "или" stays a word
    (сайлау OR выборы) заң   brackets group; a field prefix applies to a group
    сайлау^2                 the word counts twice in the ranking (also "..."^2, (...)^2)
    title:сайлау  title:"жаңа заң"  title:(сайлау OR выборы)   only in the headline
    date:2025  date:2025-03  date:2025-01-01..2025-06-30  date:..2020-12-31  date:2024..
    year:2019  year:2015..2019  lang:ru  city:Астана  city:"Нұр-Сұлтан"   the form's filters

A word matches its normalised keys (``title``/``text``), its exact form with a higher weight
(``title_exact``/``text_exact``) and its name-folding key (``fold``) with a low one. The
search form's filters are built by :func:`filter_clauses` from the same pieces as ``date:``.

A malformed query is repaired when the intent is clear (a dangling ``OR``/``NOT``/``-``, a
lone ``*``, a lone bracket or an empty ``title:`` is dropped); otherwise :func:`parse_query`
raises :class:`QueryError`, whose ``key`` names a message the user can read in Kazakh, Russian
or English. A repair or reinterpretation the user should know about is a :class:`Notice` of the
parsed query: a lone quotation mark is dropped (not made into a phrase running to the end), a
reversed date range is turned round, an unknown ``name:`` prefix is left out (its value is
searched), a ``lang:`` value that is no language is dropped. A ``word:`` that is no field
attempt (``10:30``, ``http://...``, ``Токаев: ...``) is plain text.
"""

from __future__ import annotations

import calendar
import datetime as dt
import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from itertools import pairwise, product

from whoosh import query as wq

from search_service.models import Marks
from search_service.schema import (
    CITY_FIELD,
    DATE_FIELD,
    FOLD_FIELD,
    LANG_FIELD,
    TEXT_EXACT_FIELD,
    TEXT_FIELD,
    TITLE_EXACT_FIELD,
    TITLE_FIELD,
    date_number,
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
# The operators as typed, in English and in the interface's other languages (capitals only).
OPERATORS = {
    "OR": OPERATOR_OR,
    "AND": OPERATOR_AND,
    "NOT": OPERATOR_NOT,
    "ИЛИ": OPERATOR_OR,
    "И": OPERATOR_AND,
    "НЕ": OPERATOR_NOT,
    "НЕМЕСЕ": OPERATOR_OR,
    "ЖӘНЕ": OPERATOR_AND,
    "ЕМЕС": OPERATOR_NOT,
}
# In a query typed all in capitals (a pasted headline: "ЗАКОН НЕ ПРИНЯТ") these stay words.
LOCAL_OPERATORS = frozenset(OPERATORS) - {OPERATOR_OR, OPERATOR_AND, OPERATOR_NOT}
QUOTES = '"«»“”„'
CLOSING_QUOTE = {"«": "»", "“": "”", "„": "“"}
MAX_BOOST = 10.0

# Field prefixes: ``title:`` restricts the next word, phrase or group; the others are filters.
FIELD_TITLE = "title"
FIELD_DATE = "date"
FIELD_YEAR = "year"
FIELD_LANG = "lang"
FIELD_CITY = "city"
FILTER_FIELDS = (FIELD_DATE, FIELD_YEAR, FIELD_LANG, FIELD_CITY)
FIELDS = (FIELD_TITLE, *FILTER_FIELDS)
LANG_VALUES = {"kk": "kk", "kz": "kk", "ru": "ru", "mixed": "mixed"}

# Message keys of QueryError, with the text shown to users: the one catalogue of query-error
# texts. The API answers with them and the pages show them (i18n reads them from here).
EMPTY = "query.empty"
BAD_DATE = "query.bad_date"
SHORT_PREFIX = "query.short_prefix"
TOO_MANY_TERMS = "query.too_many_terms"
UNKNOWN_CITY = "query.unknown_city"
# The API's error code for a key, where it is not the key itself.
ERROR_CODES = {UNKNOWN_CITY: "bad_city"}

MESSAGES: dict[str, dict[str, str]] = {
    EMPTY: {
        "kk": "Іздеу үшін кемінде бір сөз жазыңыз.",
        "ru": "Введите хотя бы одно слово для поиска.",
        "en": "Type at least one word to search for.",
    },
    BAD_DATE: {
        "kk": "Күн дұрыс жазылмаған. Былай жазыңыз: date:2025, date:2025-03 немесе "
        "date:2025-01-01..2025-06-30.",
        "ru": "Дата записана неверно. Пишите так: date:2025, date:2025-03 или "
        "date:2025-01-01..2025-06-30.",
        "en": "The date is not written right. Write it as date:2025, date:2025-03 or "
        "date:2025-01-01..2025-06-30.",
    },
    SHORT_PREFIX: {
        "kk": f"Жұлдызшаның (*) алдына кемінде {MIN_PREFIX} әріп жазыңыз, мысалы экономик*.",
        "ru": f"Перед звёздочкой (*) нужно хотя бы {MIN_PREFIX} буквы, например экономик*.",
        "en": f"Put at least {MIN_PREFIX} letters before the asterisk (*), as in экономик*.",
    },
    TOO_MANY_TERMS: {
        "kk": f"Сұрауда сөз тым көп. {MAX_TERMS} сөзден аспауы керек.",
        "ru": f"В запросе слишком много слов: можно не больше {MAX_TERMS}.",
        "en": f"The query has too many words: at most {MAX_TERMS}.",
    },
    UNKNOWN_CITY: {
        "kk": "Мұрағатта мұндай қала жоқ. Қаланы «Қала» сүзгісінен таңдаңыз.",
        "ru": "Такого города в архиве нет. Выберите город в фильтре «Город».",
        "en": "There is no such city in the archive. Choose one from the City filter.",
    },
}

# Notices: what was repaired or reinterpreted, shown above the results.
LONE_QUOTE = "lone_quote"
REVERSED_DATES = "reversed_dates"
UNKNOWN_FIELD = "unknown_field"
BAD_LANG_VALUE = "bad_lang_value"
UNKNOWN_CITY_VALUE = "unknown_city"

FIELD_LIST = ", ".join(f"{name}:" for name in FIELDS)
NOTICES: dict[str, dict[str, str]] = {
    LONE_QUOTE: {
        "kk": "Жұбы жоқ тырнақша алынып тасталды: {searched} ізделді.",
        "ru": "Кавычка без пары пропущена: искали {searched}.",
        "en": "A quotation mark without its pair was left out: searched for {searched}.",
    },
    REVERSED_DATES: {
        "kk": "{typed} аралығы кері жазылған: {searched} ізделді.",
        "ru": "Период {typed} указан в обратном порядке: искали {searched}.",
        "en": "The range {typed} runs backwards: searched {searched}.",
    },
    UNKNOWN_FIELD: {
        "kk": "«{typed}:» іздеу өрісі емес, сондықтан тек одан кейінгісі ізделді: {searched}. "
        "Өрістер: {fields}.",
        "ru": "«{typed}:» — не поле поиска, поэтому искали только то, что после него: "
        "{searched}. Поля: {fields}.",
        "en": "“{typed}:” is not a search field, so only what follows it was searched: "
        "{searched}. Fields: {fields}.",
    },
    BAD_LANG_VALUE: {
        "kk": "lang: мәні kk, ru немесе mixed болады; «{typed}» ескерілмеді.",
        "ru": "lang: принимает kk, ru или mixed; «{typed}» не учтено.",
        "en": "lang: takes kk, ru or mixed; “{typed}” was left out.",
    },
    UNKNOWN_CITY_VALUE: {
        "kk": "Мұрағатта «{typed}» қаласынан мақала жоқ.",
        "ru": "В архиве нет статей из города «{typed}».",
        "en": "The archive has no article from the city “{typed}”.",
    },
}


class QueryError(ValueError):
    """A query that cannot be understood; ``key`` names a message in :data:`MESSAGES`."""

    def __init__(self, key: str):
        super().__init__(key)
        self.key = key

    @property
    def code(self) -> str:
        """The API's error code: the key, or the parameter's code (``bad_city``)."""
        return ERROR_CODES.get(self.key, self.key)

    def message(self, lang: str = "en") -> str:
        """The message for users, in ``kk``, ``ru`` or ``en``."""
        texts = MESSAGES[self.key]
        return texts.get(lang, texts["en"])


@dataclass(frozen=True)
class Notice:
    """A repair or reinterpretation of the query that the user is told about.

    ``typed`` is the part as typed, ``searched`` what was searched instead, and ``literal`` a
    query that searches what was typed more literally (for a link), when there is one.
    """

    code: str
    typed: str = ""
    searched: str = ""
    literal: str | None = None

    def message(self, lang: str = "en") -> str:
        """The notice for users, in ``kk``, ``ru`` or ``en`` (plain text, unescaped)."""
        texts = NOTICES[self.code]
        template = texts.get(lang, texts["en"])
        return template.format(typed=self.typed, searched=self.searched, fields=FIELD_LIST)


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
    # What was repaired or reinterpreted; the ``city:`` values typed (the searcher says when
    # the archive has no such city); the filter prefixes (never relaxed like ``parts``).
    notices: tuple[Notice, ...] = ()
    cities: tuple[str, ...] = ()
    required: wq.Query | None = None


@dataclass
class _Token:
    kind: str  # "word", "phrase", "group", a filter field (FILTER_FIELDS) or an operator
    text: str = ""  # for a group: as typed, brackets included
    negated: bool = False
    title: bool = False
    boost: float = 1.0
    children: list[_Token] = field(default_factory=list)  # a group's tokens


@dataclass
class _Context:
    """What clause building gathers besides marks: stop words, notices, cities."""

    stop_words: list[tuple[wq.Query, list[Term]]] = field(default_factory=list)
    notices: list[Notice] = field(default_factory=list)
    cities: list[str] = field(default_factory=list)


@dataclass
class _Collected:
    """Marks and proximity words gathered while the clauses are built."""

    keys: set[str] = field(default_factory=set)
    forms: set[str] = field(default_factory=set)
    folds: set[str] = field(default_factory=set)
    prefixes: list[str] = field(default_factory=list)
    joiners: set[str] = field(default_factory=set)
    phrases: list[tuple[frozenset[str], ...]] = field(default_factory=list)
    words: list[tuple[str, str]] = field(default_factory=list)
    near: list[str] = field(default_factory=list)  # primary key of the last plain word

    def mark(self, terms: Iterable[Term]) -> None:
        for term in terms:
            self.keys.update(term.keys)
            self.forms.update(term.forms or (term.form,))
            self.folds.update(fold for fold in term.folds or (term.fold,) if fold)

    def mark_forms(self, terms: Iterable[Term]) -> None:
        """Mark only the exact forms (a quoted phrase's words: `"Северный поток"` does not
        mark `Северного потока`)."""
        for term in terms:
            self.forms.update(term.forms or (term.form,))

    def marks(self) -> Marks:
        joiners = frozenset(self.joiners - self.forms)  # a form marked anyway joins nothing
        return Marks(
            frozenset(self.keys),
            frozenset(self.forms),
            frozenset(self.folds),
            tuple(self.prefixes),
            joiners,
            tuple(self.phrases) if joiners else (),
        )


def parse_query(text: str) -> ParsedQuery:
    """Turn a user's search string into a query; raises :class:`QueryError` only."""
    context = _Context()
    tokens = tokenize(text, context.notices)
    if not tokens:
        if text.strip():  # "-", "title:" or "date:" and nothing else
            raise QueryError(EMPTY)
        return ParsedQuery(None, notices=tuple(context.notices))
    if _count(tokens) > MAX_TERMS:
        raise QueryError(TOO_MANY_TERMS)
    collected = _Collected()
    combined = _combine(tokens, collected, context)
    groups, labels, negated = combined.groups, combined.labels, combined.negated
    stop_words = context.stop_words
    if not groups and not negated and stop_words:  # only stop words: search their exact forms
        groups = [[clause] for clause, _ in stop_words]
        labels = [[" ".join(term.form for term in terms)] for _, terms in stop_words]
        combined.filters = [False] * len(groups)
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
        for label, group, is_filter in zip(labels, groups, combined.filters, strict=True)
        if not is_filter
    )
    required = [group[0] for group, alone in zip(groups, combined.filters, strict=True) if alone]
    return ParsedQuery(
        positive,
        marks,
        tuple(collected.words),
        bool(marks),
        parts,
        _either(negated) if negated else None,
        tuple(context.notices),
        tuple(context.cities),
        _and(required) if required else None,
    )


@dataclass
class _Combined:
    """Clauses joined by the operators: an AND of OR-groups, and what is excluded."""

    groups: list[list[wq.Query]] = field(default_factory=list)
    labels: list[list[str]] = field(default_factory=list)  # per group, its parts as typed
    negated: list[wq.Query] = field(default_factory=list)
    near: list[str | None] = field(default_factory=list)  # per group: its one plain word's key
    filters: list[bool] = field(default_factory=list)  # per group: one filter prefix alone


def _combine(tokens: list[_Token], collected: _Collected, context: _Context) -> _Combined:
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
        clause = _clause(token, collected if not is_negated else None, context)
        near = collected.near.pop() if collected.near else None
        if clause is None:
            continue
        if token.boost != 1.0:
            clause = clause.with_boost(clause.boost * token.boost)
        if is_negated:
            combined.negated.append(clause)
        elif want_or and combined.groups:
            combined.groups[-1].append(clause)
            combined.labels[-1].append(_label(token))
            combined.near[-1] = None  # "a OR b": no proximity between alternatives
            combined.filters[-1] = False
        else:
            combined.groups.append([clause])
            combined.labels.append([_label(token)])
            combined.near.append(near)
            combined.filters.append(token.kind in FILTER_FIELDS)
        want_or = False
    return combined


def _count(tokens: list[_Token]) -> int:
    """Words, phrases and filters, those in groups included."""
    return sum(_count(token.children) if token.kind == "group" else 1 for token in tokens)


def _label(token: _Token) -> str:
    """A query part as the user typed it, for "no article has all words" notices."""
    if token.kind in FILTER_FIELDS:
        return f"{token.kind}:{token.text}"
    text = f'"{token.text}"' if token.kind == "phrase" else token.text
    return f"title:{text}" if token.title else text


def tokenize(text: str, notices: list[Notice] | None = None) -> list[_Token]:
    """Split a query into words, phrases, groups, filters and operators, repairing as it goes;
    the repairs a user should know about are added to ``notices``."""
    notices = [] if notices is None else notices
    capitals = _all_capitals(text)
    tokens, _ = _tokens(text, 0, 0, notices, capitals)
    return tokens


def _tokens(
    text: str, i: int, depth: int, notices: list[Notice], capitals: bool
) -> tuple[list[_Token], int]:
    """The tokens from ``i`` to the end, or (in a group) to its closing bracket."""
    tokens: list[_Token] = []
    end = len(text)
    negated = title = False
    while i < end:
        char = text[i]
        if char.isspace():
            i += 1
            continue
        if char == ")":
            i += 1
            if depth:
                return tokens, i
            continue  # a lone closing bracket
        if char == "(":
            start = i
            children, i = _tokens(text, i + 1, depth + 1, notices, capitals)
            boost, i = _boost_at(text, i)
            if title:
                _in_title(children)
            if children:
                group = _Token("group", text[start:i].rstrip(), negated, title, boost, children)
                tokens.append(group)
            negated = title = False
            continue
        if char in QUOTES:
            close = _find_quote(text, i + 1)
            if close == end:  # a lone quote: dropped (not a phrase running to the end)
                notices.append(_lone_quote(text, i))
                i += 1
                continue
            boost, after = _boost_at(text, close + 1)
            tokens.append(_Token("phrase", text[i + 1 : close], negated, title, boost))
            negated = title = False
            i = after
            continue
        if char == "-" and not negated and i + 1 < end and not text[i + 1].isspace():
            negated = True
            i += 1
            continue
        match = _FIELD.match(text, i)
        if match and not title:
            name = match.group(1).lower()
            if name == FIELD_TITLE:
                title = True  # applies to the next word, phrase or group, even after a space
                i = match.end()
                continue
            if name in FILTER_FIELDS:
                value, i = _field_value(text, match.end())
                if value:  # an empty "date:" is dropped
                    tokens.append(_Token(name, value, negated))
                negated = False
                continue
            if _is_field_attempt(text, match.end()):
                value, after = _field_value(text, match.end())
                searched = f'"{value}"' if text[match.end()] in QUOTES else value
                literal = text[:i] + match.group(1) + " " + text[match.end() :]
                notices.append(Notice(UNKNOWN_FIELD, match.group(1), searched, literal.strip()))
                i = match.end()  # the value is searched as if typed alone
                continue
        word = _WORD_CHARS.match(text, i)  # at least one character: see the branches above
        i = word.end()
        operator = OPERATORS.get(word.group())
        if (
            operator
            and not (negated or title)
            and not (capitals and word.group() in LOCAL_OPERATORS)
        ):
            tokens.append(_Token(operator))
            continue
        value, boost = _split_boost(word.group())
        if value:
            tokens.append(_Token("word", value, negated, title, boost))
        negated = title = False
    return tokens, i


_FIELD = re.compile(r"([^\W\d_]+):")
_WORD_CHARS = re.compile(r"[^\s()" + QUOTES + r"]*")
_BOOST = re.compile(r"\^(\d+(?:[.,]\d+)?)?")
_LETTERS = re.compile(r"[^\W\d_]+")


def _find_quote(text: str, start: int) -> int:
    for i in range(start, len(text)):
        if text[i] in QUOTES:
            return i
    return len(text)


def _all_capitals(text: str) -> bool:
    """Every word in capitals, at least two of them not operators: a pasted headline."""
    words = _LETTERS.findall(text)
    plain = [word for word in words if word not in OPERATORS and len(word) > 1]
    return len(plain) >= 2 and all(word.isupper() for word in words)


def _in_title(tokens: list[_Token]) -> None:
    """``title:(...)``: every word, phrase and group inside is looked for in the headline."""
    for token in tokens:
        if token.kind in ("word", "phrase", "group"):
            token.title = True
            _in_title(token.children)


def _is_field_attempt(text: str, value_start: int) -> bool:
    """``author:Токаев`` is a try at a field; ``Токаев: ...`` and ``http://`` are text."""
    if value_start >= len(text):
        return False
    char = text[value_start]
    return not char.isspace() and char not in "/:" and (char.isalnum() or char in QUOTES)


def _field_value(text: str, start: int) -> tuple[str, int]:
    """A prefix's value: a word, or quoted text (``city:"Нұр-Сұлтан"``); and where it ends."""
    if start < len(text) and text[start] in QUOTES:
        close = _find_quote(text, start + 1)
        return text[start + 1 : close].strip(), close + 1
    value = _WORD_CHARS.match(text, start)
    return value.group(), value.end()


def _boost_at(text: str, i: int) -> tuple[float, int]:
    """A ``^N`` right after a phrase or group: its weight, and where it ends."""
    match = _BOOST.match(text, i)
    if not match:
        return 1.0, i
    return _boost_value(match.group(1)), match.end()


def _split_boost(word: str) -> tuple[str, float]:
    """``сайлау^2`` -> ``("сайлау", 2.0)``; a bare ``^`` at the end is dropped."""
    head, caret, tail = word.rpartition("^")
    if not caret or not _BOOST.fullmatch(caret + tail):
        return word, 1.0
    return head, _boost_value(tail)


def _boost_value(number: str | None) -> float:
    if not number:
        return 1.0
    return min(max(float(number.replace(",", ".")), 0.0), MAX_BOOST) or 1.0


def _lone_quote(text: str, i: int) -> Notice:
    """The notice for a quotation mark without a pair at ``i``, with the phrase it might have
    meant: the quote closed at the end, or (a quote after the words) opened before the word."""
    searched = " ".join((text[:i] + " " + text[i + 1 :]).split())
    after = text[i + 1 :].strip()
    if after:
        literal = text.rstrip() + CLOSING_QUOTE.get(text[i], text[i])
    else:
        before = text[:i].rstrip()
        start = max(before.rfind(" "), before.rfind("\t")) + 1
        literal = f'{before[:start]}"{before[start:]}"' if before[start:] else None
    return Notice(LONE_QUOTE, text.strip(), searched, literal)


def _clause(token: _Token, collected: _Collected | None, context: _Context) -> wq.Query | None:
    """The query of one word, phrase, group or filter; ``None`` when nothing in it is
    searchable.

    ``collected`` is ``None`` for a negated token: what is excluded is not highlighted.
    """
    if token.kind in FILTER_FIELDS:
        return _filter(token, context)
    if token.kind == "group":
        inner = _combine(token.children, collected or _Collected(), context)
        if not inner.groups and not inner.negated:
            return None
        query = _and(_either(group) for group in inner.groups) if inner.groups else wq.Every()
        return wq.AndNot(query, _either(inner.negated)) if inner.negated else query
    if token.kind == "phrase":
        return _phrase(token.text, token.title, collected)
    if token.text.endswith("*"):
        return _prefix(token.text, token.title, collected)
    terms = analyze_query(token.text)
    if not terms:
        return None
    if all(not term.keys for term in terms):  # stop words: only used if nothing else is left
        if collected is not None:
            context.stop_words.append((_exact(terms, token.title), terms))
        return None
    searchable = [term for term in terms if term.keys]
    if collected is not None:
        collected.mark(searchable)
        collected.words.append((token.text, searchable[0].form))
        if not token.title:
            collected.near.append(searchable[0].keys[0])
    return _and(_word(term, token.title) for term in _one_per_position(searchable))


def _filter(token: _Token, context: _Context) -> wq.Query | None:
    """``date:``, ``year:``, ``lang:`` or ``city:`` as the query of the form's filter."""
    if token.kind == FIELD_LANG:
        lang = LANG_VALUES.get(token.text.lower())
        if lang is None:
            context.notices.append(Notice(BAD_LANG_VALUE, token.text))
            return None
        return wq.Term(LANG_FIELD, lang)
    if token.kind == FIELD_CITY:
        context.cities.append(token.text)
        return wq.Term(CITY_FIELD, city_key(token.text))
    start, end, turned = date_bounds(token.text)
    if turned:
        low, _, high = token.text.partition("..")
        searched = f"{token.kind}:{high}..{low}"
        context.notices.append(Notice(REVERSED_DATES, f"{token.kind}:{token.text}", searched))
    return date_range(start, end)


def city_key(city: str) -> str:
    """The name a city is filed under, also when typed in lower case (``city:уральск``).

    >>> city_key("уральск"), city_key("oral"), city_key("Нұр-Сұлтан")
    ('Орал', 'Орал', 'Нұр-Сұлтан')
    """
    return canonical_city(city.title() if city.islower() else city)


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
    if len(ordered) == 1:  # every reading of a Latin word, as for a phrase
        forms = [spelling[0] for spelling in _spellings(ordered)]
        return _either(
            [wq.Term(name, form, boost=EXACT_BOOST) for form in forms for name in fields]
        )
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
        # its exact forms only; its stop words only beside them (Marks.joiners)
        words = [t for t in terms if t.keys]
        collected.mark_forms(words or terms)
        if words and len(words) < len(terms):
            collected.joiners.update(f for t in terms if not t.keys for f in t.forms or (t.form,))
            collected.phrases.append(tuple(frozenset(t.forms or (t.form,)) for t in terms))
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
    start, end, _ = date_bounds(text)
    return date_range(start, end)


def date_bounds(text: str) -> tuple[dt.date | None, dt.date | None, bool]:
    """The first and last day of a ``date:`` value, and whether it was typed the wrong way
    round (then it is turned round: the intent is clear, and the parser says so)."""
    start_text, dots, end_text = text.partition("..")
    if not dots:
        end_text = start_text
    if not start_text and not end_text:
        raise QueryError(BAD_DATE)
    start = parse_date_bound(start_text, last=False) if start_text else None
    end = parse_date_bound(end_text, last=True) if end_text else None
    if start and end and start > end:
        start = parse_date_bound(end_text, last=False)
        end = parse_date_bound(start_text, last=True)
        return start, end, True
    return start, end, False


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
FILTER_PERIOD = "period"  # a date preset's days (the searcher knows them: see plan.with_period)


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
        clauses[FILTER_CITY] = wq.Term(CITY_FIELD, city_key(city))
    if year:
        clauses[FILTER_YEAR] = date_query(year)
    if month:
        clauses[FILTER_MONTH] = date_query(month)
    if date_from or date_to:
        clauses[FILTER_DATES] = date_range(date_from, date_to)
    return clauses


def prefixes_of(query: wq.Query, excluded: bool = False) -> Iterator[tuple[wq.Prefix, bool]]:
    """The prefixes of ``query``, each with whether it stands in an exclusion."""
    if isinstance(query, wq.Prefix):
        yield query, excluded
    elif isinstance(query, wq.AndNot):
        yield from prefixes_of(query.a, excluded)
        yield from prefixes_of(query.b, not excluded)
    elif isinstance(query, wq.Not):
        yield from prefixes_of(query.query, not excluded)
    else:
        for child in query.children():
            yield from prefixes_of(child, excluded)


def combine(clauses: Iterable[wq.Query]) -> wq.Query | None:
    """All the given filters together, or ``None`` for no filter."""
    clauses = list(clauses)
    if not clauses:
        return None
    return _and(clauses)
