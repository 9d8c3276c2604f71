"""A search decided once: a request -> a :class:`SearchPlan`. Pure: needs no index.

A search runs parse -> plan -> evaluate -> page. :func:`plan_search` parses the query and the
form's filters once and decides everything the later steps need from them: what every hit
must match and the proximity clause kept apart (a bonus for the best hits only), the order,
the filters by name, the cities to look up, the facet values chosen, the year the month facet
counts within, the prefixes to report on and the words to mark. The searcher evaluates the
plan over the index (:mod:`search_service.engine.ranking`), highlighting marks the plan's
:attr:`~SearchPlan.marks`, and "did you mean" (:mod:`search_service.suggest`) corrects the
plan's words; none of them parses the query again.

The one thing a plan cannot know by itself is the days of a date preset (they count back from
the newest article of the served index): the searcher adds them with
:meth:`SearchPlan.with_period`.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from dataclasses import dataclass
from types import MappingProxyType

from whoosh import query as wq

from search_service.models import Marks, SearchRequest
from search_service.query import (
    FILTER_MONTH,
    FILTER_PERIOD,
    Notice,
    ParsedQuery,
    city_key,
    combine,
    date_query,
    date_range,
    filter_clauses,
    parse_query,
    prefixes_of,
)
from search_service.vocabulary import (
    FACET_CITY,
    FACET_LANG,
    FACET_MONTH,
    FACET_YEAR,
    NEWEST,
    OLDEST,
    RELEVANCE,
)


@dataclass(frozen=True)
class SearchPlan:
    """One search as decided from its request, before any index is read."""

    request: SearchRequest
    parsed: ParsedQuery
    # What every hit matches (every document when browsing without words), and the optional
    # proximity clause the parser added to it, kept apart: it only reorders the best hits.
    match: wq.Query
    near: wq.Query | None
    order: str  # RELEVANCE, NEWEST or OLDEST (a query without words is listed newest first)
    # The form's filters as queries by name (a facet leaves its own out when counting), the
    # date preset's among them once :meth:`with_period` has added it.
    filters: MappingProxyType[str, wq.Query]
    # The cities typed (the form's, then the query's ``city:``), each with the name it is
    # filed under: the searcher says which no article has.
    cities: tuple[tuple[str, str], ...]
    selected: MappingProxyType[str, str | None]  # the facet value chosen, by facet
    # The year the month facet counts within, when the month filter must be left out to
    # count it (``None`` when there is no month facet or no month filter).
    months_of: wq.Query | None
    # The query's prefixes, each with whether it stands in an exclusion: the page says which
    # were searched as only their most frequent words.
    prefixes: tuple[tuple[wq.Prefix, bool], ...]

    @property
    def marks(self) -> Marks:
        """The words to mark in the hits."""
        return self.parsed.marks

    @property
    def notices(self) -> tuple[Notice, ...]:
        """What the parser repaired or reinterpreted."""
        return self.parsed.notices

    @property
    def filter_query(self) -> wq.Query | None:
        """All the filters together, or ``None`` for no filter."""
        return combine(self.filters.values())

    def with_period(self, start: dt.date, end: dt.date) -> SearchPlan:
        """The plan with the days of its date preset among the filters."""
        filters = {**self.filters, FILTER_PERIOD: date_range(start, end)}
        return dataclasses.replace(self, filters=MappingProxyType(filters))


def plan_search(request: SearchRequest) -> SearchPlan:
    """The plan of a request; raises :class:`~search_service.query.QueryError` for a query or
    a filter that cannot be understood."""
    parsed = parse_query(request.q)
    filters = filter_clauses(
        lang=request.lang,
        date_from=request.date_from,
        date_to=request.date_to,
        city=request.city,
        year=request.year,
        month=request.month,
    )
    match = parsed.query if parsed.query is not None else wq.Every()
    near = None
    if isinstance(match, wq.AndMaybe):  # the proximity clause: a bonus for the best hits
        match, near = match.a, match.b
    chosen_year = request.year or (request.month[:4] if request.month else None)
    return SearchPlan(
        request=request,
        parsed=parsed,
        match=match,
        near=near,
        order=_order(parsed, request.sort),
        filters=MappingProxyType(filters),
        cities=tuple(
            (city, city_key(city)) for city in dict.fromkeys([request.city, *parsed.cities]) if city
        ),
        selected=MappingProxyType(
            {
                FACET_LANG: request.lang,
                FACET_YEAR: request.year,
                FACET_MONTH: request.month,
                FACET_CITY: city_key(request.city) if request.city else None,
            }
        ),
        months_of=date_query(chosen_year) if chosen_year and FILTER_MONTH in filters else None,
        prefixes=tuple(prefixes_of(parsed.query)) if parsed.query is not None else (),
    )


def _order(parsed: ParsedQuery, sort: str) -> str:
    """The order of the hits: browsing without words lists the newest first."""
    if sort == OLDEST:
        return OLDEST
    if sort == NEWEST or not parsed.scored:
        return NEWEST
    return RELEVANCE
