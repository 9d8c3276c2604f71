"""Matching and scoring a query over per-document arrays, reading postings a block at a time.

Whoosh answers a query by stepping matcher objects through the postings one document at a
time in Python; at 200,000 articles a frequent word spent 90% of a 200 ms search in that
loop. Here each term's postings are copied a block at a time (document numbers and weights)
into numpy arrays, and the query is evaluated over dense per-document arrays: AND, OR and
NOT are boolean operations, BM25F is one vectorised expression per term, the exact total is
a count, a facet is a ``bincount``, a page is a partial sort. The scores are Whoosh's BM25F
(its idf, average field lengths and byte-encoded document lengths), so the order is the one
Whoosh would give; ``tests/test_ranking.py`` checks documents, scores and order against it.

A frequent term's postings are read from the segment's plain arrays when the build wrote them
(:mod:`search_service.engine.posting_arrays`): a memory map and a view, instead of
unpickling and unzipping hundreds of blocks the first time the word is searched.

Decoded postings are kept per searcher in a cache bounded in bytes (frequent words recur in
a newsroom); a searcher belongs to one index generation, which is never written to, so
nothing in the cache can go stale. A quoted phrase reads word positions only for the
documents that hold all its words. Query types without an array form here are answered by
Whoosh and then turned into arrays.

A prefix (``по*``) is searched as its most frequent words only, at most ``max_prefix_terms``
of them per field (Elasticsearch's ``max_expansions``): a two-letter prefix has thousands of
words, and reading them all took seconds. A search given a :class:`~search_service.budget.
Deadline` leaves out, once it has passed, a prefix's further words (they come most frequent
first) and the rest of a phrase's candidates; an exclusion is never cut (see
:mod:`search_service.budget`).

The block reader uses posting-block internals of the pinned Whoosh-Reloaded version (see
pyproject.toml), through :mod:`search_service.engine.whoosh_internals`; a matcher of another
shape is read through the public matcher API instead.
"""

from __future__ import annotations

import bisect
import heapq
from collections import OrderedDict
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from itertools import accumulate
from typing import Any

import numpy as np
from whoosh import query as wq
from whoosh.searching import Searcher

from search_service.budget import Deadline, unlimited
from search_service.engine.posting_arrays import StoredArrays
from search_service.engine.whoosh_internals import (
    LENGTH_OF_BYTE,
    block_data,
    block_last_id,
    bm25_parameters,
    field_length_bytes,
    has_byte_ids,
    is_block_matcher,
    positions_decoder,
    posting_blocks,
    term_frequencies,
    without_deletions,
)
from search_service.models import PrefixLimit
from search_service.query import prefixes_of
from search_service.schema import DATE_FIELD
from search_service.vocabulary import NEWEST, OLDEST, RELEVANCE  # noqa: F401 (sort orders)

DEFAULT_CACHE_MB = 64
FILTER_CACHE_SIZE = 64  # recent filters' documents (language, city, dates) per searcher
PHRASE_CACHE_SIZE = 32  # recent phrases' documents and scores per searcher
PREFIX_CACHE_SIZE = 256  # recent prefixes' words per searcher
VOCABULARY_CACHE_SIZE = 64  # recent "every word starting with" lists per searcher
# Between looks at the deadline: a phrase's word positions read (documents x words), and a
# prefix's words counted.
PHRASE_BATCH = 4096
PREFIX_BATCH = 256
PREFIX_LATE_BATCH = 16

# Whoosh stores a document's field length as one byte; this is its decoding table.
_LENGTH_OF_BYTE = np.array(LENGTH_OF_BYTE, dtype=np.float64)


class _Recent(OrderedDict):
    """The most recently used entries, up to ``limit`` in total ``size`` (1 per entry by
    default), the least recently used let go first."""

    def __init__(self, limit: float, size: Callable[[Any], int] = lambda value: 1):
        super().__init__()
        self.limit, self.size, self.held = limit, size, 0

    def recall(self, key: Any) -> Any:
        value = self.get(key)
        if value is not None:
            self.move_to_end(key)
        return value

    def keep(self, key: Any, value: Any) -> Any:
        size = self.size(value)
        if size <= self.limit:
            self[key] = value
            self.held += size
            while self.held > self.limit:
                self.held -= self.size(self.popitem(last=False)[1])
        return value

    def clear(self) -> None:
        super().clear()
        self.held = 0


@dataclass(frozen=True)
class Expansion:
    """The words of one field that a prefix stands for: the most frequent ones first, at most
    the limit, and how many words the field has with the prefix."""

    words: tuple[str, ...]
    of: int

    @property
    def limited(self) -> bool:
        return len(self.words) < self.of


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
        self.max_prefix_terms = max_prefix_terms  # None: a prefix stands for all its words
        subsearchers = searcher.subsearchers or [(searcher, 0)]
        self._segments = [(sub.reader(), offset) for sub, offset in subsearchers]
        self._arrays = [StoredArrays.of(reader) for reader, _ in self._segments]
        self.size = searcher.doc_count_all()
        live = np.ones(self.size, dtype=bool)
        for reader, offset in self._segments:
            if reader.has_deletions():
                dead = np.fromiter(reader.deleted_docs_set, dtype=np.int64)
                live[dead + offset] = False
        self.live = live
        self._postings = _Recent(cache_mb * 1024 * 1024, _nbytes)  # (ids, weights) by term
        self._filters = _Recent(FILTER_CACHE_SIZE)  # documents by filter
        self._phrases = _Recent(PHRASE_CACHE_SIZE)  # (ids, scores) by phrase
        self._expansions = _Recent(PREFIX_CACHE_SIZE)  # Expansion by (field, prefix, limit)
        self._vocabulary = _Recent(VOCABULARY_CACHE_SIZE)  # sorted words by (field, prefix)
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

    def expand_prefix(self, field: str, prefix: str, deadline: Deadline | None = None) -> Expansion:
        """The words of ``field`` starting with ``prefix``, the most frequent (by document
        frequency) first, at most :attr:`max_prefix_terms`; remembered per searcher.

        Past the ``deadline``, the words not yet counted are left out (a vocabulary can be
        large) and the expansion is not remembered.
        """
        limit = self.max_prefix_terms
        key = (field, prefix, limit)
        found = self._expansions.recall(key)
        if found is None:
            deadline = deadline or unlimited()
            # Begun past the deadline (a cut search still gives each prefix a word): a look
            # at the deadline every few words, so the words read are few.
            batch = PREFIX_LATE_BATCH if deadline.passed() else PREFIX_BATCH
            frequency: dict[bytes, int] = {}
            whole = True
            for number, (text, count) in enumerate(self._field_words(field, prefix), 1):
                frequency[text] = frequency.get(text, 0) + count
                if number % batch == 0 and deadline.skip():
                    whole = False
                    break
            decode = self.searcher.schema[field].from_bytes if frequency else None
            counted = [(-count, decode(text)) for text, count in frequency.items()]
            chosen = sorted(counted) if limit is None else heapq.nsmallest(limit, counted)
            found = Expansion(tuple(word for _, word in chosen), len(counted))
            if whole:
                self._expansions.keep(key, found)
        return found

    def words_starting(self, field: str, prefix: str) -> tuple[str, ...]:
        """Every word of ``field`` starting with ``prefix``, in sorted order (the order of
        Whoosh's ``expand_prefix``); remembered per searcher."""
        key = (field, prefix)
        found = self._vocabulary.recall(key)
        if found is None:
            words = {text for text, _ in self._field_words(field, prefix)}
            decode = self.searcher.schema[field].from_bytes if words else None
            found = self._vocabulary.keep(key, tuple(sorted(decode(text) for text in words)))
        return found

    def _field_words(self, field: str, prefix: str) -> Iterator[tuple[bytes, int]]:
        """Each segment's words of ``field`` starting with ``prefix``, with their document
        frequencies in that segment (a word in several segments comes once from each):
        segment by segment, as merging the segments' word lists costs 10x more."""
        if field not in self.searcher.schema:
            return
        start = self.searcher.schema[field].to_bytes(prefix)
        for reader, _ in self._segments:
            yield from term_frequencies(reader, field, start)

    def prefix_limits(self, queries: Iterable[wq.Query | None]) -> list[PrefixLimit]:
        """The prefixes of ``queries`` searched as fewer words than the index has (see
        :meth:`limits_of`)."""
        return self.limits_of(
            found for query in queries if query is not None for found in prefixes_of(query)
        )

    def limits_of(self, prefixes: Iterable[tuple[wq.Prefix, bool]]) -> list[PrefixLimit]:
        """Those of ``prefixes`` (each with whether it stands in an exclusion) searched as
        fewer words than the index has, each once, in their order. Only prefixes already
        expanded are looked at: one that a search past its deadline never reached was not
        searched at all (and is not expanded now, which would take time the search no longer
        has)."""
        found: dict[tuple[str, bool], PrefixLimit] = {}
        for prefix, excluded in prefixes:
            key = (prefix.fieldname, prefix.text, self.max_prefix_terms)
            expansion = self._expansions.get(key)
            if expansion is None or not expansion.limited:
                continue
            seen = found.get((prefix.text, excluded))
            if seen is None or expansion.of > seen.of:
                terms = len(expansion.words)
                limit = PrefixLimit(prefix.text, terms, expansion.of, excluded)
                found[(prefix.text, excluded)] = limit
        return list(found.values())

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
            words = self.expand_prefix(query.fieldname, query.text, deadline).words
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
        :attr:`max_prefix_terms` most frequent words, as elsewhere (Elasticsearch does the
        same), and :meth:`prefix_limits` says so."""
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
        searcher = self.searcher
        if not searcher.schema[field].scorable:
            return weights  # Whoosh scores an unscorable field by the posting's weight
        k1, b = bm25_parameters(searcher.weighting, field)
        idf = searcher.idf(field, text)
        average = searcher.avg_field_length(field) or 1
        lengths = self.lengths(field)[ids]
        return idf * ((weights * (k1 + 1)) / (weights + k1 * ((1 - b) + b * lengths / average)))

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
                batch = candidates[start : start + step]
                per_word = [self._positions(query.fieldname, w, batch) for w in query.words]
                in_order = [_in_order(lists, query.slop) for lists in zip(*per_word, strict=True)]
                kept.append(batch[np.array(in_order, dtype=bool)])
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

    def _positions(self, field: str, word: str, ids: np.ndarray) -> list[list[int]]:
        """The positions of ``word`` in each of ``ids`` (sorted documents that all have it)."""
        found = self.positions(field, word, ids.tolist())
        if len(found) != len(ids):
            raise ValueError("a document without the word was asked for its positions")
        return list(found.values())

    def positions(self, field: str, word: str, docnums: list[int]) -> dict[int, list[int]]:
        """The positions of ``word`` in those of ``docnums`` (sorted) that contain it.

        Read from the segment's arrays when it has them; otherwise blocks holding none of the
        documents are skipped unread.
        """
        found: dict[int, list[int]] = {}
        for (reader, offset), stored in zip(self._segments, self._arrays, strict=True):
            end = offset + reader.doc_count_all()
            local = [docnum - offset for docnum in docnums if offset <= docnum < end]
            if not local:
                continue
            in_arrays = stored.positions(field, word, local) if stored else None
            if in_arrays is not None:
                for docnum, positions in in_arrays.items():
                    found[docnum + offset] = positions
            elif (field, word) in reader:
                matcher = reader.postings(field, word)
                for docnum, positions in _block_positions(matcher, local):
                    found[docnum + offset] = positions
        return found

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

        By relevance: best score first, ties by document number (Whoosh's order). By date:
        newest or oldest first, ties by document number.
        """
        chosen = np.flatnonzero(docs)
        if (limit is not None and limit <= 0) or not len(chosen):
            return []
        if order == RELEVANCE:
            values = scores[chosen] if scores is not None else np.zeros(len(chosen))
            chosen, values = _best(chosen, values, limit)
            ranked = np.lexsort((chosen, -values))
        else:
            dates = self.numbers(DATE_FIELD)
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
        id_parts, weight_parts = [], []
        for (reader, offset), stored in zip(self._segments, self._arrays, strict=True):
            found = stored.postings(field, text) if stored else None
            if found is None:
                if key not in reader:
                    continue
                found = _read_postings(reader.postings(field, text))
            ids, weights = found
            id_parts.append(ids + offset if offset else ids)
            weight_parts.append(weights)
        if id_parts:
            found = (np.concatenate(id_parts), np.concatenate(weight_parts))
        else:
            found = (np.zeros(0, dtype=np.int64), np.zeros(0, dtype=np.float64))
        return self._postings.keep(key, found)

    def lengths(self, field: str) -> np.ndarray:
        """Each document's length in ``field`` as Whoosh encodes it (one byte, decoded)."""
        found = self._lengths.get(field)
        if found is None:
            encoded = np.zeros(self.size, dtype=np.uint8)
            for reader, offset in self._segments:
                raw = np.frombuffer(field_length_bytes(reader, field), dtype=np.uint8)
                encoded[offset : offset + len(raw)] = raw
            found = self._lengths[field] = _LENGTH_OF_BYTE[encoded]
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


def _nbytes(arrays: tuple[np.ndarray, ...]) -> int:
    return sum(array.nbytes for array in arrays)


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


def _read_postings(matcher: Any) -> tuple[np.ndarray, np.ndarray]:
    """All document numbers and weights of one segment's term, deleted documents included."""
    matcher = without_deletions(matcher)  # deletions: the live mask takes them out
    try:
        return _read_blocks(matcher)
    except AttributeError:  # not the block matcher this was written for: the public API
        ids, weights = [], []
        while matcher.is_active():
            ids.append(matcher.id())
            weights.append(matcher.weight())
            matcher.next()
        return np.array(ids, dtype=np.int64), np.array(weights, dtype=np.float64)


def _read_blocks(matcher: Any) -> tuple[np.ndarray, np.ndarray]:
    """Whoosh 3 posting blocks: a pickled tuple of id deltas (each block starting from 0),
    weights (``None`` for all 1.0, one float for all alike, or one per posting) and values."""
    if has_byte_ids(matcher):
        raise AttributeError("byte ids")
    deltas: list[int] = []
    weights: list[float] = []
    previous_max = 0
    for block in posting_blocks(matcher):
        block_ids, block_weights, _ = block_data(block)
        start = len(deltas)
        deltas.extend(block_ids)
        if start:
            deltas[start] -= previous_max  # continue the running sum across blocks
        previous_max = block_last_id(block)
        if block_weights is None:
            weights.extend([1.0] * len(block_ids))
        elif isinstance(block_weights, float):
            weights.extend([block_weights] * len(block_ids))
        else:
            weights.extend(block_weights)
    ids = np.cumsum(np.array(deltas, dtype=np.int64))
    return ids, np.array(weights, dtype=np.float64)


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


def _block_positions(matcher: Any, wanted: list[int]) -> Iterator[tuple[int, list[int]]]:
    """``(docnum, positions)`` for each of ``wanted`` (sorted segment document numbers)
    that has the term."""
    matcher = without_deletions(matcher)
    if not is_block_matcher(matcher):  # a few postings stored in the term table
        yield from _listed_positions(matcher, wanted)
        return
    decode = positions_decoder(matcher)
    index = 0
    for block in posting_blocks(matcher):
        if index == len(wanted):
            return
        if block_last_id(block) < wanted[index]:  # nothing wanted in this block: not even read
            continue
        deltas, _, values = block_data(block)
        for i, docnum in enumerate(accumulate(deltas)):
            while index < len(wanted) and wanted[index] < docnum:
                index += 1  # a wanted document without the term
            if index == len(wanted):
                break
            if docnum == wanted[index]:
                yield docnum, decode(values[i])
                index += 1


def _listed_positions(matcher: Any, wanted: list[int]) -> Iterator[tuple[int, list[int]]]:
    """:func:`_block_positions` through Whoosh's public matcher interface."""
    wanted_set = set(wanted)
    while matcher.is_active():
        if matcher.id() in wanted_set:
            yield matcher.id(), matcher.value_as("positions")
        matcher.next()
