"""Query latency by class: our searcher against stock Whoosh on the baseline index.

Each query is timed once first with our caches of decoded postings and phrases emptied (a
word nobody searched since the index was opened; the operating system's file cache stays
warm), then ``repeats`` times after ``warmup`` runs (a word searched again).

Each figure is one results page as a user gets it: the search, the exact total, the facets
(language, year, city; a filtered facet counted without its own filter, as our searcher does)
and 10 hits with highlighted snippets. Ours is :meth:`ArchiveSearcher.search`; the baseline
is Whoosh's ``MultifieldParser`` (AND group) over ``title`` and ``text``, the same facets, and
``hit.highlights()`` on the stored body, re-analysed with ``StandardAnalyzer``.

The query lists are fixed (words taken from the real corpus) so runs compare.
"""

from __future__ import annotations

import cProfile
import datetime as dt
import functools
import pstats
import statistics
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from whoosh import index as whoosh_index
from whoosh import query as wq
from whoosh import scoring, sorting
from whoosh.qparser import AndGroup, MultifieldParser

from search_service import searcher as searcher_module
from search_service.models import SearchRequest
from search_service.schema import date_number
from search_service.searcher import ArchiveSearcher

PER_PAGE = 10


@dataclass(frozen=True)
class QuerySpec:
    q: str
    lang: str | None = None
    city: str | None = None
    date_from: dt.date | None = None
    date_to: dt.date | None = None

    def label(self) -> str:
        filters = [
            f"lang={self.lang}" if self.lang else "",
            f"city={self.city}" if self.city else "",
        ]
        if self.date_from or self.date_to:
            filters.append(f"{self.date_from or ''}..{self.date_to or ''}")
        extra = " ".join(f for f in filters if f)
        return f"{self.q} [{extra}]" if extra else self.q


def _day(text: str) -> dt.date:
    return dt.date.fromisoformat(text)


# Class name -> queries. Words chosen from the real corpus (kk: Kazinform in Latin script,
# kk-cyr: Cyrillic Kazakh news, ru: Russian news).
QUERY_CLASSES: dict[str, list[QuerySpec]] = {
    "kk_word": [QuerySpec(w) for w in ("сайлау", "мектеп", "президент", "облыс", "экономика")],
    "ru_word": [QuerySpec(w) for w in ("выборы", "бюджет", "школа", "правительство", "министр")],
    "latin_word": [
        QuerySpec(w) for w in ("Qazaqstan", "ekonomıka", "prezıdent", "saılaý", "Astana")
    ],
    "two_words": [
        QuerySpec(q)
        for q in (
            "сайлау комиссиясы",
            "правительство Казахстана",
            "Qazaqstan prezıdenti",
            "бюджет страны",
            "мектеп оқушылары",
        )
    ],
    "phrase": [
        QuerySpec(q)
        for q in (
            '"Қазақстан Республикасы"',
            '"премьер-министр"',
            '"в том числе"',
            '"Qazaqstan Respýblıkasy"',
        )
    ],
    "date_filtered": [
        QuerySpec("президент", date_from=_day("2019-01-01"), date_to=_day("2021-12-31")),
        QuerySpec("выборы", date_from=_day("2021-01-01"), date_to=_day("2021-12-31")),
        QuerySpec("Qazaqstan", date_from=_day("2025-12-01"), date_to=_day("2026-01-31")),
        QuerySpec("бюджет", date_from=_day("2021-01-01"), date_to=_day("2022-12-31")),
    ],
    "common_word": [QuerySpec(w) for w in ("год", "Казахстан", "время", "Қазақстан")],
    "faceted": [
        QuerySpec("сайлау", lang="kk"),
        QuerySpec("выборы", lang="ru"),
        QuerySpec("бюджет", city="Астана"),  # the city as the index files it (text.cities)
        QuerySpec("Qazaqstan", lang="kk"),
        QuerySpec("prezıdent", city="Астана"),
    ],
}
OURS = "ours"
BASELINE = "baseline"
FACET_FIELDS = {"lang": "lang", "year": "year", "city": "city"}


def percentile(values: list[float], share: float) -> float:
    """The ``share`` percentile (0..1) by linear interpolation; 0.0 for no values."""
    if not values:
        return 0.0
    ordered = sorted(values)
    position = (len(ordered) - 1) * share
    low = int(position)
    high = min(low + 1, len(ordered) - 1)
    return ordered[low] + (ordered[high] - ordered[low]) * (position - low)


def summary(milliseconds: list[float]) -> dict[str, float]:
    return {
        "n": len(milliseconds),
        "p50_ms": round(percentile(milliseconds, 0.50), 3),
        "p95_ms": round(percentile(milliseconds, 0.95), 3),
        "mean_ms": round(statistics.fmean(milliseconds), 3) if milliseconds else 0.0,
        "max_ms": round(max(milliseconds, default=0.0), 3),
    }


# Running one page --------------------------------------------------------------------------


class OurPages:
    """Results pages from our searcher."""

    def __init__(self, index_dir: Path):
        # No time budget: a benchmark times the whole work of each search, and its totals
        # are compared exactly (the product's budget only cuts searches slower than these).
        self.searcher = ArchiveSearcher(index_dir, time_budget_ms=None)
        started = time.perf_counter()
        self.searcher.health()  # opens the index and loads its per-document arrays
        self.open_ms = round((time.perf_counter() - started) * 1000, 1)

    def page(self, spec: QuerySpec) -> dict[str, Any]:
        request = SearchRequest(
            q=spec.q,
            page=1,
            per_page=PER_PAGE,
            lang=spec.lang,
            city=spec.city,
            date_from=spec.date_from,
            date_to=spec.date_to,
        )
        result = self.searcher.search(request)
        if result.error:
            raise ValueError(f"query {spec.q!r} was refused: {result.error}")
        fragments = sum(len(hit.fragments) for hit in result.hits)
        return {"total": result.total, "hits": len(result.hits), "fragments": fragments}

    def forget(self) -> None:
        """Empty the caches of decoded postings and phrases, as after a new word or a
        reopened index (the per-index arrays of lengths and facet values stay loaded)."""
        self.searcher.forget_postings()

    def close(self) -> None:
        self.searcher.close()


class BaselinePages:
    """Results pages from stock Whoosh on the baseline index; times search and highlighting."""

    def __init__(self, index_dir: Path):
        self.ix = whoosh_index.open_dir(str(index_dir))
        self.searcher = self.ix.searcher(weighting=scoring.BM25F())
        self.parser = MultifieldParser(["title", "text"], self.ix.schema, group=AndGroup)
        self.search_seconds = 0.0
        self.highlight_seconds = 0.0

    def page(self, spec: QuerySpec) -> dict[str, Any]:
        started = time.perf_counter()
        query = self.parser.parse(spec.q)
        filters = _baseline_filters(spec)
        in_main = {n: sorting.FieldFacet(f) for n, f in FACET_FIELDS.items() if n not in filters}
        results = self.searcher.search(
            query,
            limit=PER_PAGE,
            filter=_and(filters.values()),
            groupedby=in_main,
            maptype=sorting.Count,
        )
        total = len(results)
        facets = {name: results.groups(name) for name in in_main}
        for name in filters.keys() & FACET_FIELDS.keys():
            kept = [q for key, q in filters.items() if key != name]
            grouped = self.searcher.search(
                query,
                limit=None,
                scored=False,
                filter=_and(kept),
                groupedby={name: sorting.FieldFacet(FACET_FIELDS[name])},
                maptype=sorting.Count,
            )
            facets[name] = grouped.groups(name)
        hits = list(results[:PER_PAGE])
        searched = time.perf_counter()
        fragments = [hit.highlights("text", text=hit["body"]) for hit in hits]
        self.search_seconds += searched - started
        self.highlight_seconds += time.perf_counter() - searched
        return {"total": total, "hits": len(hits), "fragments": sum(1 for f in fragments if f)}

    def forget(self) -> None:
        """Stock Whoosh keeps no decoded postings between searches: nothing to empty."""

    def close(self) -> None:
        self.searcher.close()
        self.ix.close()


def _baseline_filters(spec: QuerySpec) -> dict[str, wq.Query]:
    filters: dict[str, wq.Query] = {}
    if spec.lang:
        filters["lang"] = wq.Term("lang", spec.lang)
    if spec.city:
        filters["city"] = wq.Term("city", spec.city)
    if spec.date_from or spec.date_to:
        start = date_number(spec.date_from) if spec.date_from else None
        end = date_number(spec.date_to) if spec.date_to else None
        filters["date"] = wq.NumericRange("date", start, end)
    return filters


def _and(clauses) -> wq.Query | None:
    clauses = list(clauses)
    if not clauses:
        return None
    return clauses[0] if len(clauses) == 1 else wq.And(clauses)


# Timing ---------------------------------------------------------------------------------


def time_classes(
    pages: OurPages | BaselinePages, repeats: int, warmup: int
) -> tuple[dict[str, dict[str, Any]], list[float]]:
    """Per class: latency summary over every query of the class, and each query's hits;
    and every latency measured (milliseconds), for the figure over the whole mix."""
    figures: dict[str, dict[str, Any]] = {}
    everything: list[float] = []
    for name, specs in QUERY_CLASSES.items():
        latencies: list[float] = []
        first: list[float] = []
        queries = []
        for spec in specs:
            pages.forget()
            started = time.perf_counter()
            found = pages.page(spec)
            first.append((time.perf_counter() - started) * 1000)
            for _ in range(warmup):
                found = pages.page(spec)
            own: list[float] = []
            for _ in range(repeats):
                started = time.perf_counter()
                found = pages.page(spec)
                own.append((time.perf_counter() - started) * 1000)
            latencies.extend(own)
            p50 = round(percentile(own, 0.5), 3)
            queries.append(
                {
                    "query": spec.label(),
                    "total": found["total"],
                    "p50_ms": p50,
                    "first_ms": round(first[-1], 3),
                }
            )
        once = summary(first)
        figures[name] = {
            **summary(latencies),
            "first_p50_ms": once["p50_ms"],
            "first_p95_ms": once["p95_ms"],
            "queries": queries,
        }
        everything.extend(latencies)
    return figures, everything


def run(
    our_index: Path,
    baseline_index: Path | None,
    repeats: int,
    warmup: int,
) -> dict[str, Any]:
    """Time every class on our index and, when given, on the baseline index."""
    result: dict[str, Any] = {"repeats": repeats, "warmup": warmup, "per_page": PER_PAGE}
    result["full_page"] = {}
    ours = OurPages(our_index)
    try:
        result["ours_open_ms"] = ours.open_ms
        result[OURS], mix = time_classes(ours, repeats, warmup)
        result["full_page"][OURS] = summary(mix)
        result["ours_breakdown"] = breakdown(ours)
    finally:
        ours.close()
    if baseline_index is not None:
        base = BaselinePages(baseline_index)
        try:
            result[BASELINE], mix = time_classes(base, repeats, warmup)
            result["full_page"][BASELINE] = summary(mix)
            spent = base.search_seconds + base.highlight_seconds
            result["baseline_breakdown"] = {
                "search_and_facets": round(base.search_seconds / spent, 3) if spent else 0.0,
                "highlighting": round(base.highlight_seconds / spent, 3) if spent else 0.0,
            }
        finally:
            base.close()
    return result


def breakdown(pages: OurPages) -> dict[str, float]:
    """Share of our page time in the Whoosh search with facets, in highlighting the hits,
    and in the "did you mean" suggestion, from one pass over every query with timers."""
    timed = {"search_and_facets": "_search_page", "highlighting": "_hit"}
    spent = {label: 0.0 for label in timed} | {"suggestion": 0.0}
    originals = {name: getattr(searcher_module, name) for name in timed.values()}
    original_suggest = ArchiveSearcher.suggest

    def timer(label: str, function: Callable) -> Callable:
        @functools.wraps(function)
        def timed_call(*args, **kwargs):
            started = time.perf_counter()
            try:
                return function(*args, **kwargs)
            finally:
                spent[label] += time.perf_counter() - started

        return timed_call

    for label, name in timed.items():
        setattr(searcher_module, name, timer(label, originals[name]))
    ArchiveSearcher.suggest = timer("suggestion", original_suggest)
    try:
        started = time.perf_counter()
        for specs in QUERY_CLASSES.values():
            for spec in specs:
                pages.page(spec)
        total = time.perf_counter() - started
    finally:
        for name, function in originals.items():
            setattr(searcher_module, name, function)
        ArchiveSearcher.suggest = original_suggest
    shares = {label: round(seconds / total, 3) for label, seconds in spent.items()}
    shares["other"] = round(max(0.0, 1 - sum(shares.values())), 3)
    return shares


def profile_queries(our_index: Path, top: int = 15) -> list[dict[str, Any]]:
    """The functions with the most own time over one pass of every query (cProfile)."""
    pages = OurPages(our_index)
    try:
        for specs in QUERY_CLASSES.values():  # warm: caches and the searcher open
            for spec in specs:
                pages.page(spec)
        profiler = cProfile.Profile()
        profiler.enable()
        for specs in QUERY_CLASSES.values():
            for spec in specs:
                pages.page(spec)
        profiler.disable()
    finally:
        pages.close()
    stats = pstats.Stats(profiler)
    own = sorted(stats.stats.items(), key=lambda item: item[1][2], reverse=True)[:top]
    return [
        {"function": f"{Path(f).name}:{line}:{name}", "seconds": round(data[2], 4)}
        for (f, line, name), data in own
    ]
