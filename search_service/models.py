"""The search's request and result models: what a search is asked and what it answers.

Plain dataclasses, no behaviour beyond their fields: :class:`SearchRequest` (the parameters
of a search, from :mod:`search_service.params` or a caller), :class:`SearchPage` with its
:class:`Hit` list, :class:`FacetValue` counts and :class:`PrefixLimit` notes,
:class:`ArticleView` (one article for display), and :class:`Marks` (what the highlighter
marks). The searcher, the query parser, ranking and highlighting build or read them; the
JSON payloads (:mod:`search_service.payloads`), the pages and the CLI render them. No Whoosh
and no Flask here.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from markupsafe import Markup

from search_service.vocabulary import DEFAULT_SORT

if TYPE_CHECKING:
    from search_service.query import Notice


@dataclass(frozen=True)
class Marks:
    """What the highlighter marks in a text: the matched words of the query."""

    keys: frozenset[str] = frozenset()
    forms: frozenset[str] = frozenset()
    folds: frozenset[str] = frozenset()
    prefixes: tuple[str, ...] = ()
    # The exact forms of a quoted phrase's stop words (`в`, `том` of `"в том числе"`), marked
    # only where the whole phrase stands, never on their own; ``phrases`` holds each such
    # phrase as the forms each of its words may take, in order.
    joiners: frozenset[str] = frozenset()
    phrases: tuple[tuple[frozenset[str], ...], ...] = ()

    def __bool__(self) -> bool:
        return bool(self.keys or self.forms or self.folds or self.prefixes)


@dataclass(frozen=True)
class PrefixLimit:
    """A prefix of the query searched as only its ``terms`` most frequent words, ``of`` all
    the words the index has with it (the largest count over the fields searched)."""

    prefix: str
    terms: int
    of: int
    excluded: bool = False  # in an exclusion: only these words' articles were left out


@dataclass
class SearchRequest:
    q: str = ""
    page: int = 1
    per_page: int = 10
    lang: str | None = None
    date_from: dt.date | None = None
    date_to: dt.date | None = None
    city: str | None = None
    year: str | None = None
    month: str | None = None
    sort: str = DEFAULT_SORT  # one of SORTS: relevance | newest | oldest
    period: str | None = None  # a date preset (periods.PERIODS), counted from the newest article
    dupes: str = "show"  # "fold": one article per group of near-duplicates (stories.FOLD)
    group: str | None = None  # only the articles of this near-duplicate group


@dataclass
class Hit:
    id: str
    date: dt.date
    headline: str
    headline_html: Markup
    language: str
    city: str
    fragments: list[Markup]
    score: float
    similar: int = 0  # other versions of this story among the results (when folded)
    group: str | None = None  # its near-duplicate group, if any


@dataclass
class FacetValue:
    value: str
    count: int
    selected: bool


@dataclass
class SearchPage:
    request: SearchRequest
    total: int = 0
    took_ms: float = 0.0
    hits: list[Hit] = field(default_factory=list)
    facets: dict[str, list[FacetValue]] = field(default_factory=dict)
    suggestion: str | None = None
    error: str | None = None  # a QueryError message key
    pages: int = 0
    # No article has every part of the query: the hits are those with the most parts, and
    # these parts (as typed) are missing from the best of them.
    missing: list[str] = field(default_factory=list)
    # What the query parser repaired or reinterpreted (a lone quote, an unknown field, ...).
    notices: list[Notice] = field(default_factory=list)
    # The city filter names a city no article has: the page is empty (the API answers 400).
    unknown_city: str | None = None
    # The first and last day of the request's date preset, when it has one.
    period_dates: tuple[dt.date, dt.date] | None = None
    stories: int | None = None  # hits counting each group of near-duplicates once (folded)
    # The prefixes searched as only their most frequent words (``max_prefix_terms``).
    prefix_limited: list[PrefixLimit] = field(default_factory=list)
    # The time budget ran out before everything was matched: the hits are the best found
    # until then, and the total and facets may lack articles. (Past the budget, highlighting
    # and "did you mean" are left out too; that alone does not make a page timed out.)
    timed_out: bool = False


@dataclass
class ArticleView:
    id: str
    date: dt.date
    headline: str
    headline_html: Markup
    body_html: list[Markup]  # one per paragraph
    language: str
    city: str
    agency: str
    path: str
