"""A search is planned once: the plan without an index, and a search that parses its query
once and reads the index in one turn of the shared searcher."""

from __future__ import annotations

import datetime as dt

import pytest
from whoosh import query as wq

from search_service import plan as plan_module
from search_service import query as query_module
from search_service import searcher as searcher_module
from search_service import suggest as suggest_module
from search_service.models import SearchRequest
from search_service.plan import plan_search
from search_service.query import (
    FILTER_CITY,
    FILTER_LANG,
    FILTER_MONTH,
    FILTER_PERIOD,
    QueryError,
    date_query,
    date_range,
    parse_query,
)
from search_service.vocabulary import FACET_CITY, FACET_LANG, FACET_MONTH, NEWEST, RELEVANCE

from .conftest import FILLER_COUNT, FILLER_WORD


def test_a_plan_holds_what_the_request_decides():
    request = SearchRequest(q="сайлау выборы city:Орал", lang="kk", city="астана", month="2025-03")
    plan = plan_search(request)
    parsed = parse_query(request.q)
    assert isinstance(parsed.query, wq.AndMaybe)  # the parser's proximity clause ...
    assert plan.match == parsed.query.a and plan.near == parsed.query.b  # ... kept apart
    assert plan.order == RELEVANCE
    assert set(plan.filters) == {FILTER_LANG, FILTER_CITY, FILTER_MONTH}
    assert plan.cities == (("астана", "Астана"), ("Орал", "Орал"))
    assert plan.selected[FACET_CITY] == "Астана" and plan.selected[FACET_LANG] == "kk"
    assert plan.selected[FACET_MONTH] == "2025-03"
    assert plan.months_of == date_query("2025")  # the month facet counts the chosen year
    assert plan.marks == parsed.marks and plan.notices == parsed.notices
    assert plan.filter_query == wq.And(list(plan.filters.values()))
    assert plan.prefixes == ()


def test_browsing_is_every_article_newest_first():
    plan = plan_search(SearchRequest(lang="ru", year="2024"))
    assert plan.match == wq.Every() and plan.near is None and plan.order == NEWEST
    assert plan.months_of is None and plan.prefixes == () and not plan.marks


@pytest.mark.parametrize(
    ("q", "expected"),
    [
        ("сайла* -по*", {("сайла", False), ("по", True)}),
        ("сайлау NOT (выбор* -по*)", {("выбор", True), ("по", False)}),
        ("сайлау", set()),
    ],
)
def test_a_plan_knows_its_prefixes_and_which_are_excluded(q, expected):
    found = plan_search(SearchRequest(q=q)).prefixes
    assert {(prefix.text, excluded) for prefix, excluded in found} == expected


def test_the_period_is_added_to_a_new_plan():
    plan = plan_search(SearchRequest(q="сайлау", lang="ru", period="30d"))
    dated = plan.with_period(dt.date(2025, 1, 1), dt.date(2025, 1, 31))
    assert FILTER_PERIOD not in plan.filters
    assert dated.filters[FILTER_PERIOD] == date_range(dt.date(2025, 1, 1), dt.date(2025, 1, 31))
    assert dated.filters[FILTER_LANG] == plan.filters[FILTER_LANG]


@pytest.mark.parametrize("request_", [SearchRequest(q="date:2025-99"), SearchRequest(year="20x5")])
def test_a_plan_refuses_what_cannot_be_understood(request_):
    with pytest.raises(QueryError):
        plan_search(request_)


@pytest.fixture
def parses(monkeypatch) -> list[str]:
    """Every text handed to the query parser while a test runs."""
    texts: list[str] = []

    def parse(text: str):
        texts.append(text)
        return query_module.parse_query(text)

    for module in (plan_module, searcher_module, suggest_module):
        monkeypatch.setattr(module, "parse_query", parse)
    return texts


@pytest.fixture
def turns(tiny_searcher, monkeypatch) -> list[int]:
    """One entry per turn of the shared searcher (``_run``) while a test runs."""
    counted: list[int] = []
    run = tiny_searcher._run

    def counting(work, deadline=None):
        counted.append(1)
        return run(work, deadline)

    monkeypatch.setattr(tiny_searcher, "_run", counting)
    return counted


def test_a_search_parses_its_query_once_and_reads_in_one_turn(tiny_searcher, parses, turns):
    tiny_searcher.search(SearchRequest(q=FILLER_WORD))  # the index opened
    parses.clear()
    turns.clear()
    page = tiny_searcher.search(SearchRequest(q=FILLER_WORD, city="Костанай", year="2023"))
    assert page.total >= 10 and page.suggestion is None
    assert parses == [FILLER_WORD] and len(turns) == 1
    # Browsing a date preset: the newest article's date is read in the same turn.
    page = tiny_searcher.search(SearchRequest(city="Астана", period="12m"))
    assert page.total > 0 and page.period_dates is not None
    assert parses == [FILLER_WORD, ""] and len(turns) == 2


def test_did_you_mean_works_from_the_plan(tiny_searcher, parses, turns):
    typo = FILLER_WORD[:-1] + "п"
    q = f"{typo}^2"
    page = tiny_searcher.search(SearchRequest(q=q))
    assert page.total == 0 and page.suggestion == f"{FILLER_WORD}^2"
    # The query once; then only what the plan cannot hold: the rare word alone (how many
    # articles it finds) and the corrected query (how many that finds).
    assert parses == [q, typo, f"{FILLER_WORD}^2"]
    assert len(turns) == 2  # the evaluation, then "did you mean"
    assert tiny_searcher.search(SearchRequest(q=page.suggestion)).total == FILLER_COUNT
