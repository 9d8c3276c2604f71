"""Searching the served index: a request (query + filters) -> a page of hits and facets.

One :class:`ArchiveSearcher` serves the whole app. It keeps ONE Whoosh searcher open and
shares it between threads under a lock (Whoosh readers keep file positions, so two threads
must not read through one at the same time). Before each use it reads the ``current`` symlink
and reopens when it points at a new generation (every build and update makes one; a served
generation is never written to); if an old generation was deleted under an open reader, the
work is retried once on a freshly opened one.

No query can hold a worker: a prefix stands for at most ``max_prefix_terms`` of its words
(the most frequent; the page lists the prefixes cut, :attr:`SearchPage.prefix_limited`), and
a search that runs past ``time_budget_ms`` answers with what it has found, flagged
(:attr:`SearchPage.timed_out`; where it may cut, :mod:`search_service.budget`). A search
slower than ``slow_search_ms`` leaves one WARNING line in the log.
"""

from __future__ import annotations

import datetime as dt
import logging
import math
import os
import threading
import time
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, TypeVar
from weakref import WeakKeyDictionary

import numpy as np
from whoosh import query as wq
from whoosh import scoring
from whoosh.index import IndexError as WhooshIndexError
from whoosh.searching import Searcher

from search_service import dupes, stories, suggest
from search_service.analysis import LangText
from search_service.archive import ARTICLE_ID
from search_service.budget import Deadline
from search_service.config import Settings
from search_service.engine import proximity, ranking, store
from search_service.highlight import highlight, mark_paragraphs, plain_snippet, snippets
from search_service.index_errors import IndexStoreError
from search_service.models import (
    ArticleView,
    FacetValue,
    Hit,
    Marks,
    PrefixLimit,
    SearchPage,
    SearchRequest,
)
from search_service.periods import period_range
from search_service.plan import SearchPlan, plan_search
from search_service.query import (
    FILTER_CITY,
    FILTER_LANG,
    FILTER_MONTH,
    FILTER_YEAR,
    UNKNOWN_CITY_VALUE,
    Notice,
    ParsedQuery,
    QueryError,
    parse_query,
)
from search_service.schema import (
    BODY_WORDS_FIELD,
    CITY_FIELD,
    DATE_FIELD,
    FOLD_FIELD,
    HEADLINE_WORDS_FIELD,
    ID_FIELD,
    LANG_FIELD,
    MONTH_FIELD,
    TEXT_EXACT_FIELD,
    TEXT_FIELD,
    TITLE_EXACT_FIELD,
    TITLE_FIELD,
    YEAR_FIELD,
    number_date,
)
from search_service.vocabulary import (
    FACET_CITY,
    FACET_LANG,
    FACET_MONTH,
    FACET_YEAR,
    OLDEST,
    RELEVANCE,
    SIMILAR_LIMIT,
)

FACETS = {  # facet name -> (index field, the filters it ignores when counting)
    FACET_LANG: (LANG_FIELD, {FILTER_LANG}),
    FACET_YEAR: (YEAR_FIELD, {FILTER_YEAR, FILTER_MONTH}),
    FACET_MONTH: (MONTH_FIELD, {FILTER_MONTH}),
    FACET_CITY: (CITY_FIELD, {FILTER_CITY}),
}
SCORED_FIELDS = (TITLE_FIELD, TITLE_EXACT_FIELD, TEXT_FIELD, TEXT_EXACT_FIELD, FOLD_FIELD)
CITY_FACET_LIMIT = 20
SUGGEST_BELOW = 10  # look for "did you mean" when a query has fewer hits than this
SIMILAR_TERMS = 12  # key terms of an article used to find similar ones
EXPORT_BATCH = 500
# The defaults of the settings max_prefix_terms, time_budget_ms and slow_search_ms (defaults.toml)
DEFAULT_PREFIX_TERMS = 50
DEFAULT_TIME_BUDGET_MS = 2000
DEFAULT_SLOW_SEARCH_MS = 1000

T = TypeVar("T")
log = logging.getLogger(__name__)
# Time a search spends on what is not its own work (not counted in its time budget).
WAITING = "waiting for other searches"
OPENING = "opening the index"


class IndexUnavailable(IndexStoreError):
    """The index exists but cannot be read, even after reopening it."""


class ArchiveSearcher:
    """The app's one searcher over ``index_dir``; safe to share between threads."""

    def __init__(
        self,
        index_dir: Path,
        posting_cache_mb: float = ranking.DEFAULT_CACHE_MB,
        *,
        max_prefix_terms: int = DEFAULT_PREFIX_TERMS,
        time_budget_ms: float | None = DEFAULT_TIME_BUDGET_MS,
        slow_search_ms: float | None = DEFAULT_SLOW_SEARCH_MS,
    ):
        self.index_dir = Path(index_dir)
        self.posting_cache_mb = posting_cache_mb
        self.max_prefix_terms = max_prefix_terms
        self.time_budget_ms = time_budget_ms  # None: no budget
        self.slow_search_ms = slow_search_ms  # None: no slow-search log
        self._lock = threading.RLock()
        self._searcher: Searcher | None = None
        self._target: str | None = None  # where `current` pointed when we opened it
        self._generation: Path | None = None

    @classmethod
    def for_settings(cls, settings: Settings) -> ArchiveSearcher:
        """The searcher of the settings' index, with their cache, prefix and time limits."""
        return cls(
            settings.index_dir,
            settings.posting_cache_mb,
            max_prefix_terms=settings.max_prefix_terms,
            time_budget_ms=settings.time_budget_ms,
            slow_search_ms=settings.slow_search_ms,
        )

    # Opening and refreshing -------------------------------------------------------------

    def _fresh(self, deadline: Deadline | None = None) -> Searcher:
        """The shared searcher, reopened when the served index changed (lock held).

        The time spent opening an index is added to ``deadline``: loading its arrays is no
        work of the search (cutting the search would not shorten it), and the first search
        of a new generation should not be cut for it.
        """
        try:
            target = os.readlink(self.index_dir / store.CURRENT)
        except OSError:
            target = None
        # A generation is never written to once it is served (jobs write new ones), so the
        # symlink's target says everything about freshness.
        if self._searcher is not None and target == self._target:
            return self._searcher
        opening = time.perf_counter()
        self._close()
        ix, generation = store.open_current(self.index_dir)
        self._searcher = ix.searcher(weighting=scoring.BM25F())
        self._target, self._generation = target, generation
        stories.attach(self._searcher, generation)
        self._arrays(self._searcher).prepare(
            SCORED_FIELDS, [field_name for field_name, _ in FACETS.values()]
        )
        if deadline is not None:
            deadline.extend(time.perf_counter() - opening, OPENING)
        return self._searcher

    def _arrays(self, searcher: Searcher) -> ranking.IndexArrays:
        return index_arrays(searcher, self.posting_cache_mb, self.max_prefix_terms)

    def _close(self) -> None:
        if self._searcher is not None:
            self._searcher.close()
        self._searcher = self._target = self._generation = None

    def _run(self, work: Callable[[Searcher], T], deadline: Deadline | None = None) -> T:
        """Run ``work`` on the shared searcher; reopen and retry once if reading fails.

        The time spent waiting for the searcher (another thread's search) is added to
        ``deadline``: a search queued behind others is not cut for their work.
        """
        waiting = time.perf_counter()
        with self._lock:
            if deadline is not None:
                deadline.extend(time.perf_counter() - waiting, WAITING)
            try:
                return work(self._fresh(deadline))
            except (OSError, WhooshIndexError):
                self._close()
            try:
                return work(self._fresh(deadline))
            except (OSError, WhooshIndexError) as error:
                self._close()
                message = f"cannot read the index in {self.index_dir}: {error}"
                raise IndexUnavailable(message) from error

    def close(self) -> None:
        with self._lock:
            self._close()

    def forget_postings(self) -> None:
        """Empty the caches of decoded postings and phrases (for benchmarks)."""
        with self._lock:
            if self._searcher is not None:
                self._arrays(self._searcher).forget()

    # Searching --------------------------------------------------------------------------

    def search(self, request: SearchRequest) -> SearchPage:
        """One page of hits with facets; a query that cannot be understood sets ``error``.

        Raises :class:`IndexMissing` or :class:`IndexUnavailable` when there is no
        readable index. Past the time budget, what can be left out is: the page says
        ``timed_out``, and its hits are the best found until then.

        One pass: the request is planned once (:func:`~search_service.plan.plan_search`),
        the plan evaluated in one turn of the shared searcher, its hits marked outside the
        lock, and "did you mean" looked for with the same plan.
        """
        deadline = Deadline(self.time_budget_ms)
        started = deadline.started
        page = SearchPage(request)
        try:
            plan = plan_search(request)
        except QueryError as error:
            page.error = error.key
            page.took_ms = _ms(started)
            return page
        page.notices = list(plan.notices)
        evaluated = self._run(lambda s: self._evaluate(s, plan, deadline), deadline)
        page.notices += [Notice(UNKNOWN_CITY_VALUE, city) for city in evaluated.unknown]
        if evaluated.found is None:  # a city no article has: nothing to find, no facet value
            page.unknown_city = request.city
            page.took_ms = _ms(started)
            return page
        plan, page.period_dates = evaluated.plan, evaluated.period_dates
        page.total, page.facets, stored, page.missing, page.stories = evaluated.found
        page.prefix_limited = evaluated.prefix_limited
        listed = page.total if page.stories is None else page.stories
        page.pages = math.ceil(listed / request.per_page) if request.per_page else 0
        page.hits = [
            # Past the budget a hit shows the opening of its body, unmarked: highlighting
            # is most of a page's work when its words were never seen before.
            _hit(
                fields,
                score,
                Marks() if deadline.skip(extra=True) else plan.marks,
                similar,
                group,
            )
            for fields, score, similar, group in stored
        ]
        if (
            plan.parsed.words
            and (page.total < SUGGEST_BELOW or page.missing)
            and not deadline.skip(extra=True)
        ):
            # Only a correction that finds clearly more is offered (Алмата: 3, Алматы: 200);
            # when some words are missing, one that finds articles with every word.
            at_least = 1 if page.missing else max(1, suggest.SUGGEST_GAIN * page.total)
            page.suggestion = self.suggest(request.q, at_least=at_least, plan=plan)
        page.timed_out = deadline.cut
        page.took_ms = _ms(started)
        self._log_if_slow(request, page, deadline.waited)
        return page

    def _evaluate(self, searcher: Searcher, plan: SearchPlan, deadline: Deadline) -> _Evaluated:
        """The plan over the index, in one turn of the shared searcher (lock held): the
        cities no article has, the days of the date preset, the page's numbers and hits, and
        the prefixes that were limited. In one call, the expansions the page reports are
        those this searcher used, and no other thread's search evicts them before they are
        read."""
        unknown = _unknown_cities(searcher, plan.cities)
        if plan.request.city in unknown:
            return _Evaluated(plan, unknown)
        period_dates = None
        arrays = self._arrays(searcher)
        if plan.request.period:
            newest = _newest(arrays)
            period_dates = period_range(
                plan.request.period, number_date(newest) if newest else dt.date.today()
            )
            plan = plan.with_period(*period_dates)
        found = _search_page(searcher, arrays, plan, deadline)
        return _Evaluated(
            plan, unknown, period_dates, found, arrays.prefixes.limits_of(plan.prefixes)
        )

    def _log_if_slow(
        self, request: SearchRequest, page: SearchPage, waited: dict[str, float]
    ) -> None:
        """One WARNING line for a search slower than ``slow_search_ms``, saying how much of
        its time was not its own work."""
        if self.slow_search_ms is None or page.took_ms < self.slow_search_ms:
            return
        waits = [
            f"{seconds * 1000:.0f} ms {on}" for on, seconds in waited.items() if seconds >= 1e-3
        ]
        log.warning(
            "slow search: %.0f ms%s, %s, q=%r page=%d sort=%s",
            page.took_ms,
            f" (of it {', '.join(waits)})" if waits else "",
            "cut at the time budget" if page.timed_out else "complete",
            request.q,
            request.page,
            request.sort,
        )

    def suggest(self, q: str, *, at_least: int = 1, plan: SearchPlan | None = None) -> str | None:
        """A corrected query from the index's own words that finds at least ``at_least``
        hits (with the plan's filters), or ``None`` (see :mod:`search_service.suggest`);
        ``plan`` is the search of ``q`` already planned, when the caller has it."""
        if plan is None:
            try:
                plan = plan_search(SearchRequest(q=q))
            except QueryError:
                return None
        if not plan.parsed.words:
            return None
        return self._run(lambda s: suggest.suggest(s, self._arrays(s), plan, at_least))

    def newest_date(self) -> dt.date | None:
        """The date of the newest article in the served index (``None`` when it is empty)."""
        number = self._run(lambda s: _newest(self._arrays(s)))
        return number_date(number) if number else None

    def period_dates(self, period: str) -> tuple[dt.date, dt.date]:
        """The days of a date preset, counted back from the newest article."""
        return period_range(period, self.newest_date() or dt.date.today())

    def article(self, article_id: str, q: str | None = None) -> ArticleView | None:
        """One article, with the words of ``q`` marked; ``None`` for an unknown id."""
        if not ARTICLE_ID.fullmatch(article_id or ""):
            return None
        fields = self._run(lambda s: _stored(s, article_id))
        if fields is None:
            return None
        marks = _marks(q)
        lang = fields.get("lang")
        return ArticleView(
            id=fields["id"],
            date=number_date(fields["date"]),
            headline=fields.get("headline", ""),
            headline_html=highlight(
                fields.get("headline", ""), lang, marks, fields.get(HEADLINE_WORDS_FIELD)
            ),
            body_html=mark_paragraphs(
                fields.get("body", ""), lang, marks, fields.get(BODY_WORDS_FIELD)
            ),
            language=lang or "",
            city=fields.get("city", ""),
            agency=fields.get("agency", ""),
            path=fields.get("path", ""),
        )

    def more_like_this(self, article_id: str, limit: int = SIMILAR_LIMIT) -> list[Hit]:
        """Articles that share the most telling words with this one."""
        if not ARTICLE_ID.fullmatch(article_id or "") or limit < 1:
            return []
        found = self._run(lambda s: _similar(s, article_id, limit))
        return [_hit(fields, score, Marks()) for fields, score in found]

    def export_rows(self, request: SearchRequest) -> Iterator[dict[str, Any]]:
        """Every hit of the request (not one page), in the requested order, as plain rows
        (``id, date, language, city, headline, snippet``; the snippet is plain text).

        A query that cannot be understood yields nothing. The export reads through its own
        searcher, so a long download neither holds the shared lock nor breaks on a switch.
        """
        try:
            plan = plan_search(request)
        except QueryError:
            return iter(())
        if request.period:
            plan = plan.with_period(*self.period_dates(request.period))
        ix, _ = store.open_current(self.index_dir)  # raises now, not on the first row
        return _export(ix, plan, self.max_prefix_terms)

    def health(self) -> dict[str, Any]:
        """``status`` ("ok" or "unavailable"), ``documents`` and ``generation``."""
        try:
            documents = self._run(lambda s: s.doc_count())
        except IndexStoreError as error:
            return {
                "status": "unavailable",
                "documents": 0,
                "generation": None,
                "error": str(error),
            }
        with self._lock:
            generation = self._generation.name if self._generation else None
        return {"status": "ok", "documents": documents, "generation": generation}


def _export(
    ix: Any, plan: SearchPlan, max_prefix_terms: int | None = None
) -> Iterator[dict[str, Any]]:
    with ix.searcher(weighting=scoring.BM25F()) as searcher:
        # The export is not paged: no proximity window. The same prefix words as the pages
        # (the export has the pages' hits), and no time budget.
        arrays = ranking.IndexArrays(searcher, max_prefix_terms=max_prefix_terms)
        matched = arrays.evaluate(plan.match, scored=plan.order == RELEVANCE)
        filter_query = plan.filter_query
        allowed = [arrays.filter_docs(filter_query)] if filter_query is not None else []
        matched, docs, _ = _with_fallback(arrays, plan.parsed, matched, allowed)
        docnums = [docnum for _, docnum in arrays.top(docs, matched.scores, None, plan.order)]
        for start in range(0, len(docnums), EXPORT_BATCH):
            for docnum in docnums[start : start + EXPORT_BATCH]:
                fields = searcher.stored_fields(docnum)
                lang = fields.get("lang")
                yield {
                    "id": fields["id"],
                    "date": number_date(fields["date"]).isoformat(),
                    "language": lang or "",
                    "city": fields.get("city", ""),
                    "headline": fields.get("headline", ""),
                    "snippet": plain_snippet(fields.get("body", ""), lang, plan.marks),
                }


# The work done under the lock -----------------------------------------------------------

StoredHits = list[tuple[dict[str, Any], float]]
# A page's hits: stored fields, score, other versions of the story among the results, group.
PageHits = list[tuple[dict[str, Any], float, int, str | None]]
# Exact total, facets, the page's hits, the parts missing, the number of stories (folded).
FoundPage = tuple[int, dict[str, list[FacetValue]], PageHits, list[str], int | None]


@dataclass
class _Evaluated:
    """What a plan's evaluation gives the page: the plan with its date preset's days, the
    cities no article has, and (``None`` when the form's city is one of them) the page's
    numbers and hits, and the prefixes searched as only their most frequent words."""

    plan: SearchPlan
    unknown: list[str]
    period_dates: tuple[dt.date, dt.date] | None = None
    found: FoundPage | None = None
    prefix_limited: list[PrefixLimit] = field(default_factory=list)


def _group_name(groups: stories.StoryGroups | None, docnum: int) -> str | None:
    if groups is None or groups.group_of[docnum] < 0:
        return None
    return groups.names[groups.group_of[docnum]]


def _search_page(
    searcher: Searcher,
    arrays: ranking.IndexArrays,
    plan: SearchPlan,
    deadline: Deadline | None = None,
) -> FoundPage:
    """Exact total, facets, the stored fields of the hits on the requested page, the
    query parts missing from the best hits when no article has them all, and the number of
    stories when near-duplicates are folded.

    The query is evaluated once over per-document arrays (see
    :mod:`search_service.engine.ranking`): the total is a count, each facet a count by value
    over its column, the page a partial sort.
    Past the ``deadline`` the evaluation leaves out what it can (see :mod:`budget`), and
    so does the proximity bonus; the total and facets count what was found.
    """
    request, order, filters = plan.request, plan.order, plan.filters
    matched = arrays.evaluate(plan.match, scored=order == RELEVANCE, deadline=deadline)
    allowed = {name: arrays.filter_docs(clause) for name, clause in filters.items()}
    matched, selected, missing = _with_fallback(
        arrays, plan.parsed, matched, allowed.values(), deadline
    )
    groups = stories.groups_of(searcher)
    if request.group is not None:
        selected = selected & (groups.members(request.group) if groups else False)
    counts = {}
    for name, (field_name, ignored) in FACETS.items():
        if name == FACET_MONTH and not (request.year or request.month):
            continue
        docs = selected
        if not ignored.isdisjoint(filters):
            kept = [docs for key, docs in allowed.items() if key not in ignored]
            if name == FACET_MONTH and plan.months_of is not None:
                kept.append(arrays.filter_docs(plan.months_of))
            docs = _intersect(matched.docs, kept)
        counts[name] = arrays.count(field_name, docs)
    facets = {
        name: _facet(name, counts[name], plan.selected[name]) for name in FACETS if name in counts
    }
    total = int(np.count_nonzero(selected))
    shown, similar, story_count = selected, None, None
    if request.dupes == stories.FOLD and request.group is None and groups and not groups.empty:
        if order == RELEVANCE and matched.scores is not None:
            rank = matched.scores
        else:
            dates = arrays.numbers(DATE_FIELD)
            rank = -dates if order == OLDEST else dates
        shown, similar = dupes.fold(selected, groups.group_of, rank)
        story_count = int(np.count_nonzero(shown))
    offset = (request.page - 1) * request.per_page
    stored: PageHits = []
    if offset < (total if story_count is None else story_count):
        limit = offset + request.per_page
        rescore = plan.near is not None and order == RELEVANCE
        rescore = rescore and not (deadline is not None and deadline.skip())
        top = arrays.top(
            shown,
            matched.scores,
            max(limit, proximity.RESCORE_DEPTH) if rescore else limit,
            order,
        )
        if rescore:
            top = _rescored(arrays, top, plan.near)
        stored = [
            (
                searcher.stored_fields(docnum),
                score if order == RELEVANCE else 0.0,
                int(similar[docnum]) if similar is not None else 0,
                _group_name(groups, docnum),
            )
            for score, docnum in top[offset:limit]
        ]
    return total, facets, stored, missing, story_count


def _with_fallback(
    arrays: ranking.IndexArrays,
    parsed: ParsedQuery,
    matched: ranking.Match,
    filters: Iterable[np.ndarray],
    deadline: Deadline | None = None,
) -> tuple[ranking.Match, np.ndarray, list[str]]:
    """The query's match, the documents the filters leave of it, and the parts missing when
    none is left and the query has several parts (then the match is :func:`_relaxed`'s)."""
    filters = list(filters)
    selected = _intersect(matched.docs, filters)
    if selected.any() or len(parsed.parts) < 2:
        return matched, selected, []
    matched, missing = _relaxed(arrays, parsed, filters, deadline)
    return matched, matched.docs, missing  # _relaxed counts only what the filters allow


def _relaxed(
    arrays: ranking.IndexArrays,
    parsed: ParsedQuery,
    filters: Iterable[np.ndarray],
    deadline: Deadline | None = None,
) -> tuple[ranking.Match, list[str]]:
    """No dead ends: when no article has every part of a query, the articles with the most
    parts, ranked by their number first and then by the score of the parts they have (a
    rare word counts more), and the parts the best of them lack.

    A part no article has at all is missing however the rest match.
    """
    allowed = _intersect(arrays.live, filters)
    if parsed.required is not None:  # the query's filter prefixes (lang:ru) are never relaxed
        allowed = allowed & arrays.evaluate(parsed.required, scored=False).docs
    if parsed.excluded is not None:
        allowed = allowed & ~arrays.evaluate(parsed.excluded, scored=False).docs
    found = [arrays.evaluate(clause, deadline=deadline) for _, clause in parsed.parts]
    counts = np.zeros(arrays.size, dtype=np.int64)
    scores = np.zeros(arrays.size)
    for match in found:
        counts += match.docs & allowed
        if match.scores is not None:
            scores += np.where(match.docs, match.scores, 0.0)
    most = int(counts.max()) if counts.size else 0
    if most == 0:
        return ranking.Match(counts > 0, None), []
    docs = counts == most
    best = int(np.flatnonzero(docs)[np.argmax(scores[docs])])
    missing = [
        label for (label, _), match in zip(parsed.parts, found, strict=True) if not match.docs[best]
    ]
    return ranking.Match(docs, np.where(docs, scores, 0.0)), missing


def _rescored(
    arrays: ranking.IndexArrays, top: list[tuple[float, int]], near: wq.Query
) -> list[tuple[float, int]]:
    """The best hits with the proximity bonus added.

    Always the same window, whatever the page: bonuses only raise scores, so the rescored
    window still ranks above the rest and no hit moves between pages.
    """
    window, rest = top[: proximity.RESCORE_DEPTH], top[proximity.RESCORE_DEPTH :]
    bonus = proximity.near_bonus(arrays, proximity.phrases(near), (d for _, d in window))
    window = sorted(((score + bonus.get(d, 0.0), d) for score, d in window), key=_best_first)
    return window + rest


def _best_first(hit: tuple[float, int]) -> tuple[float, int]:
    return -hit[0], hit[1]


def _intersect(docs: np.ndarray, others: Iterable[np.ndarray]) -> np.ndarray:
    for other in others:
        docs = docs & other
    return docs


_arrays_by_searcher: WeakKeyDictionary[Searcher, ranking.IndexArrays] = WeakKeyDictionary()


def index_arrays(
    searcher: Searcher,
    cache_mb: float = ranking.DEFAULT_CACHE_MB,
    max_prefix_terms: int | None = DEFAULT_PREFIX_TERMS,
) -> ranking.IndexArrays:
    """The arrays and posting cache of one open searcher (made on first use)."""
    found = _arrays_by_searcher.get(searcher)
    if found is None:
        found = ranking.IndexArrays(searcher, cache_mb, max_prefix_terms)
        _arrays_by_searcher[searcher] = found
    return found


def _facet(name: str, counts: dict[Any, int], selected: str | None) -> list[FacetValue]:
    values = {str(key): n for key, n in counts.items() if key}
    if selected and selected not in values:
        values[selected] = 0  # keep a chosen value visible so it can be unchosen
    if name in (FACET_YEAR, FACET_MONTH):
        order = sorted(values, reverse=(name == FACET_YEAR))
    else:
        order = sorted(values, key=lambda v: (-values[v], v))
    if name == FACET_CITY:
        order = order[:CITY_FACET_LIMIT] + [v for v in order[CITY_FACET_LIMIT:] if v == selected]
    return [FacetValue(value, values[value], value == selected) for value in order]


def _unknown_cities(searcher: Searcher, cities: Iterable[tuple[str, str]]) -> list[str]:
    """The cities (as typed, each with the name it is filed under) that no article of the
    index has."""
    return [typed for typed, key in cities if not searcher.doc_frequency(CITY_FIELD, key)]


def _newest(arrays: ranking.IndexArrays) -> int:
    dates = arrays.numbers(DATE_FIELD)[arrays.live]
    return int(dates.max()) if dates.size else 0


def _stored(searcher: Searcher, article_id: str) -> dict[str, Any] | None:
    docnum = searcher.document_number(**{ID_FIELD: article_id})
    return None if docnum is None else searcher.stored_fields(docnum)


def _similar(searcher: Searcher, article_id: str, limit: int) -> StoredHits:
    fields = _stored(searcher, article_id)
    if fields is None:
        return []
    text = LangText(f"{fields.get('headline', '')}\n{fields.get('body', '')}", fields.get("lang"))
    key_terms = searcher.key_terms_from_text(TEXT_FIELD, text, numterms=SIMILAR_TERMS)
    if not key_terms:
        return []
    query = wq.Or([wq.Term(TEXT_FIELD, word, boost=weight) for word, weight in key_terms])
    results = searcher.search(query, limit=limit, mask=wq.Term(ID_FIELD, article_id))
    return [(hit.fields(), hit.score or 0.0) for hit in results]


# Plain helpers --------------------------------------------------------------------------


def _marks(q: str | None) -> Marks:
    try:
        return parse_query(q or "").marks
    except QueryError:
        return Marks()


def _hit(
    fields: dict[str, Any],
    score: float,
    marks: Marks,
    similar: int = 0,
    group: str | None = None,
) -> Hit:
    """A hit for display; highlighting happens here, outside the lock, for this page only."""
    lang = fields.get("lang")
    headline = fields.get("headline", "")
    return Hit(
        id=fields["id"],
        date=number_date(fields["date"]),
        headline=headline,
        headline_html=highlight(headline, lang, marks, fields.get(HEADLINE_WORDS_FIELD)),
        language=lang or "",
        city=fields.get("city", ""),
        fragments=snippets(fields.get("body", ""), lang, marks, fields.get(BODY_WORDS_FIELD)),
        score=float(score),
        similar=similar,
        group=group,
    )


def _ms(started: float) -> float:
    return round((time.perf_counter() - started) * 1000, 2)
