"""A segment's posting arrays: the one module that writes and reads the ``.arr`` layout.

The build writes, beside Whoosh's own files of a segment, the postings of each frequent term
(one in at least ``array_min_docs`` documents; :mod:`search_service.engine.segment_writer` decides
which) as plain arrays, and the searcher maps them instead of unpickling Whoosh's posting
blocks: the first search of a frequent word at 200,000 articles read about a thousand blocks.

Layout of ``<segment>.arr``, one term after another, every item 4 bytes little-endian:

- the term's document numbers (``uint32``, ascending, segment numbering),
- its weights (``float32``, as Whoosh stores them),
- in a field with positions only: each posting's number of positions (``uint32``), then all
  the positions (``uint32``), posting after posting.

``<segment>.art`` is a pickled table ``{(field, term bytes): (byte offset, postings,
positions stored)}``; an index built before positions were stored has two-item entries.
Both files are named like the segment's other files, so Whoosh deletes them with it.
"""

from __future__ import annotations

import os
import pickle
from itertools import chain
from typing import Any

import numpy as np

from search_service.engine import positions as compact
from search_service.engine.whoosh_internals import segment_storage

ARRAYS_EXT = ".arr"
ARRAYS_TABLE_EXT = ".art"
# The items of the layout (all 4 bytes).
DOCNUM_TYPE = "<u4"
WEIGHT_TYPE = "<f4"
COUNT_TYPE = "<u4"
POSITION_TYPE = "<u4"
ITEM_BYTES = 4

TermKey = tuple[str, bytes]


class PostingArrays:
    """Writes a segment's posting arrays; for ``positional`` fields (of
    :class:`~search_service.engine.positions.CompactPositions` values) also each posting's
    number of positions and the positions themselves."""

    def __init__(self, storage: Any, segment: Any, positional: frozenset[str]):
        self._storage = storage
        self._segment = segment
        self._positional = positional
        self._file: Any = None
        self._offset = 0
        self.table: dict[TermKey, tuple[int, int, int]] = {}

    def add(self, fieldname: str, text: bytes, flat: list[Any]) -> None:
        """Add a term's postings, flat: docnum, weight, value, docnum, weight, value, ..."""
        if self._file is None:
            self._file = self._segment.create_file(self._storage, ARRAYS_EXT)
        parts = [np.array(flat[0::3], dtype=DOCNUM_TYPE), np.array(flat[1::3], dtype=WEIGHT_TYPE)]
        stored_positions = 0
        if fieldname in self._positional:
            counts, positions = _positions(flat[2::3])
            parts += [counts, positions]
            stored_positions = len(positions)
        self.table[fieldname, text] = (self._offset, len(flat) // 3, stored_positions)
        for part in parts:
            data = part.tobytes()
            self._file.write(data)
            self._offset += len(data)

    def close(self) -> None:
        if self._file is None:
            return
        self._file.close()
        table = self._segment.create_file(self._storage, ARRAYS_TABLE_EXT)
        table.write(pickle.dumps(self.table, protocol=pickle.HIGHEST_PROTOCOL))
        table.close()


def _positions(values: list[bytes]) -> tuple[np.ndarray, np.ndarray]:
    """Each posting's number of positions and all the positions, from
    :class:`~search_service.engine.positions.CompactPositions` values."""
    gap_lists = [compact.gaps(value) for value in values]
    counts = np.fromiter(map(len, gap_lists), dtype=COUNT_TYPE, count=len(gap_lists))
    gaps = np.fromiter(chain.from_iterable(gap_lists), dtype=np.int64, count=int(counts.sum()))
    running = np.cumsum(gaps)
    # Gaps restart at each posting: take off the running total before its first gap.
    starts = np.cumsum(counts, dtype=np.int64) - counts
    before = np.concatenate(([0], running))[starts]
    return counts, (running - np.repeat(before, counts)).astype(POSITION_TYPE)


class StoredArrays:
    """One segment's posting arrays, memory-mapped."""

    def __init__(self, table: dict[TermKey, tuple[int, ...]], data: np.ndarray):
        self._table = table
        self._data = data

    @classmethod
    def of(cls, reader: Any) -> StoredArrays | None:
        """The arrays of a segment reader's segment, or None if its build wrote none."""
        found = segment_storage(reader)
        if found is None:  # not a file segment of the shape written by the build
            return None
        segment, storage, folder = found
        table_name = segment.make_filename(ARRAYS_TABLE_EXT)
        if not storage.file_exists(table_name):
            return None
        with open(os.path.join(folder, table_name), "rb") as handle:
            table = pickle.load(handle)
        path = os.path.join(folder, segment.make_filename(ARRAYS_EXT))
        # A plain array over the map: slicing a ``np.memmap`` costs microseconds each.
        return cls(table, np.memmap(path, dtype=np.uint8, mode="r").view(np.ndarray))

    def postings(self, field: str, text: str | bytes) -> tuple[np.ndarray, np.ndarray] | None:
        """Document numbers and weights of a term, if the segment has them as arrays."""
        found = self._entry(field, text)
        if found is None:
            return None
        start, count, _ = found
        middle = start + ITEM_BYTES * count
        ids = self._data[start:middle].view(DOCNUM_TYPE).astype(np.int64)
        weights = self._data[middle : middle + ITEM_BYTES * count].view(WEIGHT_TYPE)
        return ids, weights.astype(np.float64)

    def positions(
        self, field: str, text: str | bytes, docnums: list[int]
    ) -> dict[int, list[int]] | None:
        """The positions of a term in those of ``docnums`` (sorted, segment numbering) that
        have it, if the segment has them as arrays."""
        found = self._entry(field, text)
        if found is None or not found[2]:
            return None
        start, count, stored = found
        data = self._data
        ids = data[start : start + ITEM_BYTES * count].view(DOCNUM_TYPE)
        counts = data[start + 2 * ITEM_BYTES * count : start + 3 * ITEM_BYTES * count]
        counts = counts.view(COUNT_TYPE)
        first = start + 3 * ITEM_BYTES * count
        positions = data[first : first + ITEM_BYTES * stored].view(POSITION_TYPE)
        wanted = np.asarray(docnums, dtype=np.int64)
        at = np.searchsorted(ids, wanted)
        present = at < count
        present[present] = ids[at[present]] == wanted[present]
        chosen = at[present]
        stops = np.cumsum(counts, dtype=np.int64)[chosen]
        starts = (stops - counts[chosen]).tolist()
        return {
            docnum: positions[start:stop].tolist()
            for docnum, start, stop in zip(
                wanted[present].tolist(), starts, stops.tolist(), strict=True
            )
        }

    def bytes_by_field(self) -> dict[str, int]:
        """What each field's arrays take of the segment's ``.arr`` file, in bytes."""
        sizes: dict[str, int] = {}
        for (field, _), (_, count, *stored) in self._table.items():
            items = 2 * count  # document numbers and weights
            if stored and stored[0]:
                items += count + stored[0]  # each posting's count of positions, and them
            sizes[field] = sizes.get(field, 0) + ITEM_BYTES * items
        return sizes

    def _entry(self, field: str, text: str | bytes) -> tuple[int, int, int] | None:
        term = text.encode("utf-8") if isinstance(text, str) else text
        found = self._table.get((field, term))
        if found is None:
            return None
        start, count, *stored = found  # an index built before positions were stored: none
        return start, count, stored[0] if stored else 0
