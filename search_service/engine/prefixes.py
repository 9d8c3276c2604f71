"""The words a prefix (``по*``) stands for in one searcher's index.

A prefix is searched as its most frequent words only, at most ``max_prefix_terms`` of them per
field (Elasticsearch's ``max_expansions``): a two-letter prefix has thousands of words, and
reading them all took seconds. A search given a :class:`~search_service.budget.Deadline`
leaves out, once it has passed, the words not yet counted (see :mod:`search_service.budget`).
The words and their document frequencies are read from each segment's term table.
"""

from __future__ import annotations

import heapq
from collections.abc import Iterable, Iterator
from dataclasses import dataclass

from whoosh import query as wq
from whoosh.searching import Searcher

from search_service.budget import Deadline, unlimited
from search_service.engine.postings import Segments
from search_service.engine.recent import Recent
from search_service.engine.whoosh_internals import term_frequencies
from search_service.models import PrefixLimit
from search_service.query import prefixes_of

PREFIX_CACHE_SIZE = 256  # recent prefixes' words per searcher
VOCABULARY_CACHE_SIZE = 64  # recent "every word starting with" lists per searcher
# Between looks at the deadline: a prefix's words counted.
PREFIX_BATCH = 256
PREFIX_LATE_BATCH = 16


@dataclass(frozen=True)
class Expansion:
    """The words of one field that a prefix stands for: the most frequent ones first, at most
    the limit, and how many words the field has with the prefix."""

    words: tuple[str, ...]
    of: int

    @property
    def limited(self) -> bool:
        return len(self.words) < self.of


class PrefixWords:
    """One searcher's prefix expansions, remembered; not thread-safe by itself (the app's
    searcher is used under a lock)."""

    def __init__(self, searcher: Searcher, segments: Segments, max_prefix_terms: int | None = None):
        self.searcher = searcher
        self.max_prefix_terms = max_prefix_terms  # None: a prefix stands for all its words
        self._segments = segments
        self._expansions = Recent(PREFIX_CACHE_SIZE)  # Expansion by (field, prefix, limit)
        self._vocabulary = Recent(VOCABULARY_CACHE_SIZE)  # sorted words by (field, prefix)

    def expand(self, field: str, prefix: str, deadline: Deadline | None = None) -> Expansion:
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
