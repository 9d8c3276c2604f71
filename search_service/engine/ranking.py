"""Matching and scoring a query over per-document arrays: the entry point of evaluation.

Whoosh answers a query by stepping matcher objects through the postings one document at a
time in Python; at 200,000 articles a frequent word spent 90% of a 200 ms search in that
loop. Here each term's postings are read into numpy arrays (see
:mod:`search_service.engine.postings`), and the query is evaluated over dense per-document
arrays: AND, OR and NOT are boolean operations, BM25F is one vectorised expression per term
(:mod:`search_service.engine.bm25`), the exact total is a count, a facet is a ``bincount``, a
page is a partial sort. The order is the one Whoosh would give; ``tests/test_ranking.py``
checks documents, scores and order against it.

Decoded postings are kept per searcher in a cache bounded in bytes (frequent words recur in
a newsroom); a searcher belongs to one index generation, which is never written to, so
nothing in the cache can go stale. A quoted phrase reads word positions only for the
documents that hold all its words. Query types without an array form here are answered by
Whoosh and then turned into arrays.

A prefix (``по*``) is searched as its most frequent words only (see
:mod:`search_service.engine.prefixes`). A search given a
:class:`~search_service.budget.Deadline` leaves out, once it has passed, a prefix's further
words (they come most frequent first) and the rest of a phrase's candidates; an exclusion is
never cut (see :mod:`search_service.budget`).
"""

from __future__ import annotations

import bisect
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

import numpy as np
from whoosh import query as wq
from whoosh.searching import Searcher

from search_service.budget import Deadline, unlimited
from search_service.engine.bm25 import bm25, field_lengths
from search_service.engine.postings import (
    nbytes,
    open_segments,
    term_position_keys,
    term_positions,
    term_postings,
)
from search_service.engine.prefixes import PrefixWords
from search_service.engine.recent import Recent
from search_service.schema import DATE_FIELD
from search_service.vocabulary import NEWEST, OLDEST, RELEVANCE  # noqa: F401 (sort orders)

DEFAULT_CACHE_MB = 64
FILTER_CACHE_SIZE = 64  # recent filters' documents (language, city, dates) per searcher
PHRASE_CACHE_SIZE = 32  # recent phrases' documents and scores per searcher
# Between looks at the deadline: a phrase's word positions read (documents x words).
PHRASE_BATCH = 4096


@dataclass
class Match:
    """The documents a query matches and their scores (zero outside ``docs``)."""

    docs: np.ndarray  # bool, one per document number
    scores: np.ndarray | None  # float64, one per document number; None: all zero


class IndexArrays:
    """One searcher's per-document arrays and decoded postings; not thread-safe by itself
    (the app's searcher is used under a lock)."""

    def __init__(
        self,
        searcher: Searcher,
        cache_mb: float = DEFAULT_CACHE_MB,
        max_prefix_terms: int | None = None,
    ):
        self.searcher = searcher
        self._segments, self._arrays, self.live = open_segments(searcher)
        self.size = searcher.doc_count_all()
        # The words a prefix stands for: at most max_prefix_terms (None: all of them).
        self.prefixes = PrefixWords(searcher, self._segments, max_prefix_terms)
        self._postings = Recent(cache_mb * 1024 * 1024, nbytes)  # (ids, weights) by term
        self._filters = Recent(FILTER_CACHE_SIZE)  # documents by filter
        self._phrases = Recent(PHRASE_CACHE_SIZE)  # (ids, scores) by phrase
        self._lengths: dict[str, np.ndarray] = {}
        self._columns: dict[str, tuple[list[Any], np.ndarray]] = {}
        self._numbers: dict[str, np.ndarray] = {}

    def prepare(self, scored_fields: Iterable[str], columns: Iterable[str]) -> None:
        """Load the per-document arrays now (field lengths, facet values, dates), so that
        the first search of a freshly opened index does not pay for them."""
        for field in scored_fields:
            self.lengths(field)
        for field in columns:
            self.column(field)
        self.numbers(DATE_FIELD)

    def forget(self) -> None:
        """Empty the caches of decoded postings and of phrases."""
        self._postings.clear()
        self._phrases.clear()

    # Evaluating a query -------------------------------------------------------------------

    def evaluate(
        self, query: wq.Query, scored: bool = True, deadline: Deadline | None = None
    ) -> Match:
        """The live documents matching ``query``, with their BM25F scores when ``scored``.

        Once ``deadline`` has passed, what can be left out is (see :mod:`search_service.
        budget`): the documents are still matches, only fewer, and ``deadline.cut`` says so.
        """
        found = self._evaluate(query, scored, deadline or unlimited())
        return Match(found.docs & self.live, found.scores)

    def filter_docs(self, query: wq.Query) -> np.ndarray:
        """The live documents of a filter (language, city, dates), remembered: filters recur."""
        key = repr(query)
        docs = self._filters.recall(key)
        if docs is None:
            docs = self._filters.keep(key, self.evaluate(query, scored=False).docs)
        return docs

    def _evaluate(self, query: wq.Query, scored: bool, deadline: Deadline) -> Match:
        if isinstance(query, wq.Term):
            return self._term(query.fieldname, query.text, query.boost, scored)
        if isinstance(query, wq.Or) and query.minmatch <= 1:
            found = self._any(query.subqueries, scored, deadline, cut=False)
            return _boosted(found, query.boost)
        if isinstance(query, wq.And):
            parts = [self._evaluate(q, scored, deadline) for q in query.subqueries]
            return _boosted(self._all(parts), query.boost)
        if isinstance(query, wq.AndNot):
            positive = self._evaluate(query.a, scored, deadline)
            docs = positive.docs & ~self._excluded(query.b)
            return Match(docs, _only(positive.scores, docs))
        if isinstance(query, wq.AndMaybe):
            required = self._evaluate(query.a, scored, deadline)
            optional = self._evaluate(query.b, scored, deadline)
            return Match(
                required.docs, _only(_add(required.scores, optional.scores), required.docs)
            )
        if isinstance(query, wq.Not):
            return Match(~self._excluded(query.query), None)
        if isinstance(query, wq.Every):
            return self._constant(np.ones(self.size, dtype=bool), query.boost, scored)
        if query is wq.NullQuery:
            return Match(np.zeros(self.size, dtype=bool), None)
        if isinstance(query, wq.NumericRange) and self._has_column(query.fieldname):
            return self._constant(self._range(query), query.boost, scored)
        if isinstance(query, wq.Phrase) and len(query.words) > 1:
            return self._phrase(query, scored, deadline)
        if isinstance(query, wq.Prefix):
            # The prefix's most frequent words, each scored by BM25F: an article that uses
            # them more ranks higher (Whoosh's "constant score" for prefixes is not constant).
            words = self.prefixes.expand(query.fieldname, query.text, deadline).words
            terms = [wq.Term(query.fieldname, word, boost=query.boost) for word in words]
            return self._any(terms, scored, deadline, cut=True)
        return self._by_whoosh(query, scored)

    def _any(
        self,
        queries: Iterable[wq.Query],
        scored: bool,
        deadline: Deadline,
        cut: bool,
    ) -> Match:
        """Documents matching any of ``queries``, their scores added up. With ``cut`` (a
        prefix's words, the most frequent first), once the deadline has passed the words left
        are left out as soon as one has matched something. Other alternatives (a word's
        fields and forms, the words of an OR) are never left out: they are few, and leaving
        out one would drop a field or a word, not a rarer word of a prefix."""
        docs = np.zeros(self.size, dtype=bool)
        scores: np.ndarray | None = None
        for query in queries:
            if cut and deadline.passed() and docs.any() and deadline.skip():
                break
            if isinstance(query, wq.Term):  # the common case, without dense arrays per term
                ids, weights = self.postings(query.fieldname, query.text)
                docs[ids] = True
                if scored and len(ids):
                    if scores is None:
                        scores = np.zeros(self.size, dtype=np.float64)
                    bm25 = self._bm25(query.fieldname, query.text, ids, weights)
                    scores[ids] += bm25 * query.boost  # a term's ids are distinct
                continue
            part = self._evaluate(query, scored, deadline)
            docs |= part.docs
            if part.scores is not None:
                if scores is None:
                    scores = part.scores.copy()
                else:
                    scores += part.scores
        return Match(docs, scores)

    def _excluded(self, query: wq.Query) -> np.ndarray:
        """The documents an exclusion (``-word``, ``NOT``) removes, never cut by the deadline
        (what it failed to remove would come back as hits). An excluded prefix stands for its
        ``max_prefix_terms`` most frequent words, as elsewhere (Elasticsearch does the
        same), and :meth:`~search_service.engine.prefixes.PrefixWords.prefix_limits` says so."""
        return self._evaluate(query, False, unlimited()).docs

    def _all(self, parts: list[Match]) -> Match:
        if not parts:
            return Match(np.zeros(self.size, dtype=bool), None)
        docs = np.logical_and.reduce([p.docs for p in parts])
        return Match(docs, _only(_sum(parts), docs))

    def _constant(self, docs: np.ndarray, boost: float, scored: bool) -> Match:
        return Match(docs, docs * float(boost) if scored else None)

    def _term(self, field: str, text: str, boost: float, scored: bool) -> Match:
        ids, weights = self.postings(field, text)
        docs = np.zeros(self.size, dtype=bool)
        docs[ids] = True
        if not scored or not len(ids):
            return Match(docs, None)
        scores = np.zeros(self.size, dtype=np.float64)
        scores[ids] = self._bm25(field, text, ids, weights) * boost
        return Match(docs, scores)

    def _bm25(self, field: str, text: str, ids: np.ndarray, weights: np.ndarray) -> np.ndarray:
        """Whoosh's BM25F for one term (``scoring.bm25``), for all its postings at once."""
        if not self.searcher.schema[field].scorable:
            return weights  # Whoosh scores an unscorable field by the posting's weight
        return bm25(self.searcher, field, text, weights, self.lengths(field)[ids])

    def _phrase(self, query: wq.Phrase, scored: bool, deadline: Deadline) -> Match:
        """Documents with the words in order, each 1 to ``slop`` positions after the one
        before (Whoosh's ``Phrase``), scored as the sum of the words' BM25F, as Whoosh does.

        Only documents holding every word are read, and each phrase's documents and
        scores are remembered: a frequent phrase ("в том числе") needs the positions of
        every document that has all its words. Once the deadline has passed, the documents
        not yet checked are left out (and the phrase is not remembered).
        """
        key = repr(query)
        found = self._phrases.recall(key)
        if found is None:
            words = [self._term(query.fieldname, word, 1.0, True) for word in query.words]
            candidates = np.flatnonzero(np.logical_and.reduce([w.docs for w in words]) & self.live)
            kept = []
            step = max(1, PHRASE_BATCH // len(query.words))
            for start in range(0, len(candidates), step):
                if start and deadline.skip():
                    break
                kept.append(self._with_words_in_order(query, candidates[start : start + step]))
            ids = np.concatenate(kept) if kept else candidates
            scores = sum(word.scores[ids] for word in words if word.scores is not None)
            found = (ids, np.asarray(scores, dtype=np.float64) * query.boost)
            if len(kept) * step >= len(candidates):  # every candidate was checked
                self._phrases.keep(key, found)
        ids, scores = found
        docs = np.zeros(self.size, dtype=bool)
        docs[ids] = True
        if not scored:
            return Match(docs, None)
        dense = np.zeros(self.size, dtype=np.float64)
        dense[ids] = scores
        return Match(docs, dense)

    def _with_words_in_order(self, query: wq.Phrase, batch: np.ndarray) -> np.ndarray:
        """Those of ``batch`` (documents holding every word of the phrase) that have the
        words in order. Without slop (a quoted phrase), a word's positions are kept where the
        previous word's stand just before, as arrays for all the documents at once; with
        slop, document by document."""
        field, words = query.fieldname, query.words
        if query.slop == 1:
            keys = [
                term_position_keys(self._segments, self._arrays, field, w, batch) for w in words
            ]
            return batch[_ranks_in_order(keys)]
        per_word = [self._positions(field, word, batch) for word in words]
        in_order = [_in_order(lists, query.slop) for lists in zip(*per_word, strict=True)]
        return batch[np.array(in_order, dtype=bool)]

    def _positions(self, field: str, word: str, ids: np.ndarray) -> list[list[int]]:
        """The positions of ``word`` in each of ``ids`` (sorted documents that all have it)."""
        found = self.positions(field, word, ids.tolist())
        if len(found) != len(ids):
            raise ValueError("a document without the word was asked for its positions")
        return list(found.values())

    def positions(self, field: str, word: str, docnums: list[int]) -> dict[int, list[int]]:
        """The positions of ``word`` in those of ``docnums`` (sorted) that contain it."""
        return term_positions(self._segments, self._arrays, field, word, docnums)

    def _range(self, query: wq.NumericRange) -> np.ndarray:
        values = self.numbers(query.fieldname)
        docs = np.ones(self.size, dtype=bool)
        if query.start is not None:
            docs &= values > query.start if query.startexcl else values >= query.start
        if query.end is not None:
            docs &= values < query.end if query.endexcl else values <= query.end
        return docs

    def _by_whoosh(self, query: wq.Query, scored: bool) -> Match:
        """Whoosh's own answer, as arrays, for a query type not handled above."""
        docs = np.zeros(self.size, dtype=bool)
        if not scored:
            docs[np.fromiter(self.searcher.docs_for_query(query), dtype=np.int64)] = True
            return Match(docs, None)
        found = self.searcher.search(query, limit=None).top_n
        ids = np.fromiter((docnum for _, docnum in found), dtype=np.int64, count=len(found))
        docs[ids] = True
        scores = np.zeros(self.size, dtype=np.float64)
        scores[ids] = np.fromiter((score for score, _ in found), dtype=np.float64, count=len(found))
        return Match(docs, scores)

    # Results ------------------------------------------------------------------------------

    def top(
        self, docs: np.ndarray, scores: np.ndarray | None, limit: int | None, order: str
    ) -> list[tuple[float, int]]:
        """The first ``limit`` of ``docs`` (all when ``None``) as ``(score, docnum)``.

        By relevance: best score first, equal scores newest first (copies of one text score
        alike, and a news archive's reader wants the latest), then by document number. By
        date: newest or oldest first, ties by document number.
        """
        chosen = np.flatnonzero(docs)
        if (limit is not None and limit <= 0) or not len(chosen):
            return []
        dates = self.numbers(DATE_FIELD)
        if order == RELEVANCE:
            values = scores[chosen] if scores is not None else np.zeros(len(chosen))
            chosen, values = _best(chosen, values, limit)
            ranked = np.lexsort((chosen, -dates[chosen], -values))
        else:
            key = dates[chosen] if order == OLDEST else -dates[chosen]
            ranked = np.lexsort((chosen, key))
            values = np.zeros(len(chosen))
        if limit is not None:
            ranked = ranked[:limit]
        return [(float(values[i]), int(chosen[i])) for i in ranked]

    def count(self, field: str, docs: np.ndarray) -> dict[Any, int]:
        """How many of ``docs`` have each value of ``field`` (a sortable column)."""
        values, ordinals = self.column(field)
        counts = np.bincount(ordinals[docs], minlength=len(values))
        return {values[i]: int(counts[i]) for i in np.flatnonzero(counts)}

    # Arrays read from the index, once per searcher ----------------------------------------

    def postings(self, field: str, text: str) -> tuple[np.ndarray, np.ndarray]:
        """Document numbers (deleted ones included) and weights of a term, from the cache."""
        key = (field, text)
        found = self._postings.recall(key)
        if found is not None:
            return found
        found = term_postings(self._segments, self._arrays, field, text)
        return self._postings.keep(key, found)

    def lengths(self, field: str) -> np.ndarray:
        """Each document's length in ``field`` as Whoosh encodes it (one byte, decoded)."""
        found = self._lengths.get(field)
        if found is None:
            found = self._lengths[field] = field_lengths(self._segments, self.size, field)
        return found

    def column(self, field: str) -> tuple[list[Any], np.ndarray]:
        """The distinct values of a sortable field and each document's value as an index."""
        found = self._columns.get(field)
        if found is None:
            index: dict[Any, int] = {}
            column = self.searcher.reader().column_reader(field)
            ordinals = np.fromiter(
                (index.setdefault(value, len(index)) for value in column),
                dtype=np.int32,
                count=self.size,
            )
            found = self._columns[field] = (list(index), ordinals)
        return found

    def numbers(self, field: str) -> np.ndarray:
        """Each document's value of a sortable numeric field (dates as yyyymmdd)."""
        found = self._numbers.get(field)
        if found is None:
            column = self.searcher.reader().column_reader(field)
            found = np.fromiter(column, dtype=np.int64, count=self.size)
            self._numbers[field] = found
        return found

    def _has_column(self, field: str) -> bool:
        return self.searcher.reader().has_column(field)


def _best(chosen: np.ndarray, values: np.ndarray, limit: int | None) -> tuple[np.ndarray, ...]:
    """Narrow to the ``limit`` best scores before sorting, keeping every tie at the edge."""
    if limit is None or len(chosen) <= 4 * limit:
        return chosen, values
    edge = -np.partition(-values, limit - 1)[limit - 1]
    keep = values >= edge
    return chosen[keep], values[keep]


def _boosted(found: Match, boost: float) -> Match:
    if boost == 1.0 or found.scores is None:
        return found
    return Match(found.docs, found.scores * boost)


def _sum(parts: list[Match]) -> np.ndarray | None:
    """The parts' scores added up (``None`` when none of them is scored)."""
    scores = None
    for part in parts:
        scores = _add(scores, part.scores)
    return scores


def _add(a: np.ndarray | None, b: np.ndarray | None) -> np.ndarray | None:
    if a is None:
        return b
    if b is None:
        return a
    return a + b


def _only(scores: np.ndarray | None, docs: np.ndarray) -> np.ndarray | None:
    return None if scores is None else np.where(docs, scores, 0.0)


POSITION_BITS = 0xFFFFFFFF  # the position's part of a position key


def _ranks_in_order(keys: list[np.ndarray]) -> np.ndarray:
    """The documents (their ``rank << 32 | position`` keys' ranks) in which some occurrence
    of each word stands just after one of the word before: :func:`_in_order` with a slop of
    1, for many documents at once.

    >>> _ranks_in_order([np.array([3, 9, 1 << 32 | 5]), np.array([4, 1 << 32 | 7])]).tolist()
    [0]
    """
    ends = keys[0]
    for following in keys[1:]:
        # A word at position 0 follows nothing (its key minus 1 is another document's).
        after = np.isin(following - 1, ends, assume_unique=True) & (following & POSITION_BITS != 0)
        ends = following[after]
        if not len(ends):
            break
    return np.unique(ends >> 32)


def _in_order(positions: list[list[int]], slop: int) -> bool:
    """Whether some occurrence of each word follows the previous word's by 1 to ``slop``.

    >>> _in_order([[3, 9], [4], [5, 20]], slop=1)
    True
    >>> _in_order([[3], [5]], slop=1)
    False
    """
    ends = positions[0]
    for following in positions[1:]:
        if slop == 1:
            previous = set(ends)
            ends = [p for p in following if p - 1 in previous]
        else:
            ends = [p for p in following if _has_between(ends, p - slop, p - 1)]
        if not ends:
            return False
    return True


def _has_between(ordered: list[int], low: int, high: int) -> bool:
    index = bisect.bisect_left(ordered, low)
    return index < len(ordered) and ordered[index] <= high
