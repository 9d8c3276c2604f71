"""A term's postings and word positions, read from a searcher's segments into numpy arrays.

Whoosh answers a query by stepping matcher objects through the postings one document at a
time in Python; at 200,000 articles a frequent word spent 90% of a 200 ms search in that loop.
Here a term's postings (document numbers and weights) are copied into arrays at once: from the
segment's plain arrays when the build wrote them (:mod:`search_service.engine.posting_arrays`:
a memory map and a view, instead of unpickling and unzipping hundreds of blocks the first time
the word is searched), else a Whoosh posting block at a time. Word positions are read only for
the documents asked for, and blocks holding none of them are skipped unread.

The block reader uses posting-block internals of the pinned Whoosh-Reloaded version (see
pyproject.toml), through :mod:`search_service.engine.whoosh_internals`; a matcher of another
shape is read through the public matcher API instead.
"""

from __future__ import annotations

from collections.abc import Iterator
from itertools import accumulate
from typing import Any

import numpy as np
from whoosh.searching import Searcher

from search_service.engine.posting_arrays import StoredArrays
from search_service.engine.whoosh_internals import (
    block_data,
    block_last_id,
    has_byte_ids,
    is_block_matcher,
    positions_decoder,
    posting_blocks,
    without_deletions,
)

# A searcher's segments: each one's reader and its first document number in the searcher.
Segments = list[tuple[Any, int]]


def open_segments(searcher: Searcher) -> tuple[Segments, list[StoredArrays | None], np.ndarray]:
    """A searcher's segments, each one's posting arrays (None where the build wrote none), and
    which of the searcher's documents are live (not deleted)."""
    subsearchers = searcher.subsearchers or [(searcher, 0)]
    segments = [(sub.reader(), offset) for sub, offset in subsearchers]
    arrays = [StoredArrays.of(reader) for reader, _ in segments]
    live = np.ones(searcher.doc_count_all(), dtype=bool)
    for reader, offset in segments:
        if reader.has_deletions():
            dead = np.fromiter(reader.deleted_docs_set, dtype=np.int64)
            live[dead + offset] = False
    return segments, arrays, live


def term_postings(
    segments: Segments, arrays: list[StoredArrays | None], field: str, text: str
) -> tuple[np.ndarray, np.ndarray]:
    """Document numbers (deleted ones included) and weights of a term in all the segments."""
    key = (field, text)
    id_parts, weight_parts = [], []
    for (reader, offset), stored in zip(segments, arrays, strict=True):
        found = stored.postings(field, text) if stored else None
        if found is None:
            if key not in reader:
                continue
            found = read_postings(reader.postings(field, text))
        ids, weights = found
        id_parts.append(ids + offset if offset else ids)
        weight_parts.append(weights)
    if id_parts:
        return np.concatenate(id_parts), np.concatenate(weight_parts)
    return np.zeros(0, dtype=np.int64), np.zeros(0, dtype=np.float64)


def term_positions(
    segments: Segments,
    arrays: list[StoredArrays | None],
    field: str,
    word: str,
    docnums: list[int],
) -> dict[int, list[int]]:
    """The positions of ``word`` in those of ``docnums`` (sorted) that contain it.

    Read from the segment's arrays when it has them; otherwise blocks holding none of the
    documents are skipped unread.
    """
    found: dict[int, list[int]] = {}
    for (reader, offset), stored in zip(segments, arrays, strict=True):
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
            for docnum, positions in block_positions(matcher, local):
                found[docnum + offset] = positions
    return found


def term_position_keys(
    segments: Segments,
    arrays: list[StoredArrays | None],
    field: str,
    word: str,
    docnums: np.ndarray,
) -> np.ndarray:
    """The positions of ``word`` in those of ``docnums`` (sorted) that contain it, as
    :meth:`StoredArrays.position_keys` gives them (the index in ``docnums`` over all the
    segments). A segment without the word's arrays (a small one an update wrote, where the
    word is rare) is read block by block, only for its share of ``docnums``."""
    parts = []
    for (reader, offset), stored in zip(segments, arrays, strict=True):
        low, high = np.searchsorted(docnums, (offset, offset + reader.doc_count_all()))
        if low == high:
            continue
        local = docnums[low:high] - offset
        found = stored.position_keys(field, word, local) if stored else None
        if found is None:
            if (field, word) not in reader:
                continue
            found = _keys_of(block_positions(reader.postings(field, word), local.tolist()), local)
        parts.append(found + (int(low) << 32) if low else found)
    return np.concatenate(parts) if parts else np.zeros(0, dtype=np.int64)


def _keys_of(found: Iterator[tuple[int, list[int]]], docnums: np.ndarray) -> np.ndarray:
    """``(docnum, positions)`` pairs as position keys (the docnum's index in ``docnums``)."""
    keys: list[int] = []
    for docnum, positions in found:
        rank = int(np.searchsorted(docnums, docnum)) << 32
        keys.extend(rank | position for position in positions)
    return np.array(keys, dtype=np.int64)


def nbytes(arrays: tuple[np.ndarray, ...]) -> int:
    """The memory a term's decoded postings hold (the size of a posting cache's entry)."""
    return sum(array.nbytes for array in arrays)


def read_postings(matcher: Any) -> tuple[np.ndarray, np.ndarray]:
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


def block_positions(matcher: Any, wanted: list[int]) -> Iterator[tuple[int, list[int]]]:
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
    """:func:`block_positions` through Whoosh's public matcher interface."""
    wanted_set = set(wanted)
    while matcher.is_active():
        if matcher.id() in wanted_set:
            yield matcher.id(), matcher.value_as("positions")
        matcher.next()
