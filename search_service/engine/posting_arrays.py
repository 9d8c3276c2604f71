"""A segment's posting arrays: the one module that writes and reads the ``.arr`` layout.

The build writes, beside Whoosh's own files of a segment, the postings of each frequent term
(one in at least ``array_min_docs`` documents; :mod:`search_service.engine.segment_writer` decides
which) as plain arrays, and the searcher maps them instead of unpickling Whoosh's posting
blocks: the first search of a frequent word at 200,000 articles read about a thousand blocks.

Layout of ``<segment>.arr``, one term after another, every item little-endian:

- the term's document numbers (``uint16`` when the term's last one fits, else ``uint32``;
  ascending, segment numbering),
- its weights (``float16`` when every weight is one exactly, as a count times a field boost of
  1, 1.5, 3 or 4 is, else ``float32``, as Whoosh stores them),
- in a field with positions only: each posting's number of positions (``uint8``, ``uint16``
  or ``uint32``, the narrowest that holds the term's largest), then all the positions
  (``uint16`` or ``uint32`` likewise), posting after posting.

Each part starts at a multiple of 4 bytes (the one before is padded), so every view is
aligned. ``<segment>.art`` is a pickled table ``{(field, term bytes): (byte offset, postings,
positions stored, item sizes)}``, the item sizes a string of four digits (document number,
weight, count, position); an index built before the sizes were recorded has all items 4 bytes
and no padding (three-item entries), and one built before positions were stored has two-item
entries.
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
# The item types of the layout, by their size in bytes.
DOCNUM_TYPES = {2: "<u2", 4: "<u4"}
WEIGHT_TYPES = {2: "<f2", 4: "<f4"}
COUNT_TYPES = {1: "<u1", 2: "<u2", 4: "<u4"}
POSITION_TYPES = {2: "<u2", 4: "<u4"}
# The terms whose running totals of position counts a segment's arrays keep (a long phrase's
# words; 8 bytes a posting each).
POSITION_ENDS_KEPT = 8
# The sizes of an entry written before they were recorded: all items 4 bytes.
WIDE = "4444"
PART_ALIGNMENT = 4

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
        docnums = flat[0::3]
        docnum_size = 2 if docnums[-1] <= 0xFFFF else 4
        weights = np.array(flat[1::3], dtype=WEIGHT_TYPES[4])
        narrow = weights.astype(WEIGHT_TYPES[2])
        weight_size = 2 if np.array_equal(narrow.astype(weights.dtype), weights) else 4
        parts = [
            np.array(docnums, dtype=DOCNUM_TYPES[docnum_size]),
            narrow if weight_size == 2 else weights,
        ]
        stored_positions = 0
        count_size = position_size = 4
        if fieldname in self._positional:
            counts, positions = _positions(flat[2::3])
            count_size = _narrowest(int(counts.max()), COUNT_TYPES)
            position_size = _narrowest(int(positions.max(initial=0)), POSITION_TYPES)
            parts += [
                counts.astype(COUNT_TYPES[count_size]),
                positions.astype(POSITION_TYPES[position_size]),
            ]
            stored_positions = len(positions)
        sizes = f"{docnum_size}{weight_size}{count_size}{position_size}"
        self.table[fieldname, text] = (self._offset, len(docnums), stored_positions, sizes)
        for part in parts:
            data = part.tobytes()
            data += bytes(-len(data) % PART_ALIGNMENT)
            self._file.write(data)
            self._offset += len(data)

    def close(self) -> None:
        if self._file is None:
            return
        self._file.close()
        table = self._segment.create_file(self._storage, ARRAYS_TABLE_EXT)
        table.write(pickle.dumps(self.table, protocol=pickle.HIGHEST_PROTOCOL))
        table.close()


def _narrowest(largest: int, types: dict[int, str]) -> int:
    """The smallest item size of ``types`` that holds ``largest``."""
    return min(size for size in types if largest < 1 << (8 * size))


def _positions(values: list[bytes]) -> tuple[np.ndarray, np.ndarray]:
    """Each posting's number of positions and all the positions, from
    :class:`~search_service.engine.positions.CompactPositions` values."""
    gap_lists = [compact.gaps(value) for value in values]
    counts = np.fromiter(map(len, gap_lists), dtype=np.int64, count=len(gap_lists))
    gaps = np.fromiter(chain.from_iterable(gap_lists), dtype=np.int64, count=int(counts.sum()))
    running = np.cumsum(gaps)
    # Gaps restart at each posting: take off the running total before its first gap.
    starts = np.cumsum(counts, dtype=np.int64) - counts
    before = np.concatenate(([0], running))[starts]
    return counts, running - np.repeat(before, counts)


class StoredArrays:
    """One segment's posting arrays, memory-mapped."""

    def __init__(self, table: dict[TermKey, tuple[int, ...]], data: np.ndarray):
        self._table = table
        self._data = data
        # Recent terms' running totals of position counts (where each posting's positions
        # end): a phrase asks for its words' positions a batch of documents at a time, and a
        # frequent word's totals cost more than a batch's look-up.
        self._ends: dict[tuple[int, ...], np.ndarray] = {}

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
        ids, weights, _, _ = self._parts(*found)
        return ids.astype(np.int64), weights.astype(np.float64)

    def positions(
        self, field: str, text: str | bytes, docnums: list[int]
    ) -> dict[int, list[int]] | None:
        """The positions of a term in those of ``docnums`` (sorted, segment numbering) that
        have it, if the segment has them as arrays."""
        wanted = np.asarray(docnums, dtype=np.int64)
        found = self._positions_of(field, text, wanted)
        if found is None:
            return None
        present, starts, lengths, positions = found
        stops = starts + lengths
        return {
            docnum: positions[start:stop].tolist()
            for docnum, start, stop in zip(
                wanted[present].tolist(), starts.tolist(), stops.tolist(), strict=True
            )
        }

    def position_keys(
        self, field: str, text: str | bytes, docnums: np.ndarray
    ) -> np.ndarray | None:
        """Every position of a term in those of ``docnums`` (sorted, segment numbering) that
        have it, as one ``int64`` each: the document's index in ``docnums``, shifted left by
        32 bits, or'ed with the position; None if the segment has no positions of the term
        as arrays. What :meth:`positions` gives, without a Python list per document."""
        found = self._positions_of(field, text, docnums)
        if found is None:
            return None
        present, starts, lengths, positions = found
        # Each chosen posting's positions in turn: its start, start + 1, ... in the term's.
        firsts = np.cumsum(lengths) - lengths
        where = np.repeat(starts - firsts, lengths) + np.arange(int(lengths.sum()))
        ranks = np.repeat(np.flatnonzero(present).astype(np.int64), lengths)
        return (ranks << 32) | positions[where].astype(np.int64)

    def _positions_of(
        self, field: str, text: str | bytes, docnums: np.ndarray
    ) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray] | None:
        """Which of ``docnums`` have the term (a mask), where each one's positions start
        among the term's and how many they are, and the term's positions; None if the
        segment has no positions of the term as arrays."""
        found = self._entry(field, text)
        if found is None or not found[2]:
            return None
        ids, _, counts, positions = self._parts(*found)
        at = np.searchsorted(ids, docnums)
        present = at < len(ids)
        present[present] = ids[at[present]] == docnums[present]
        chosen = at[present]
        lengths = counts[chosen].astype(np.int64)
        starts = self._position_ends(found, counts)[chosen] - lengths
        return present, starts, lengths, positions

    def _position_ends(self, entry: tuple[int, ...], counts: np.ndarray) -> np.ndarray:
        """Where each of a term's postings' positions end among its positions, kept for the
        last few terms asked."""
        found = self._ends.get(entry)
        if found is None:
            found = np.cumsum(counts, dtype=np.int64)
            if len(self._ends) >= POSITION_ENDS_KEPT:
                del self._ends[next(iter(self._ends))]
            self._ends[entry] = found
        return found

    def bytes_by_field(self) -> dict[str, int]:
        """What each field's arrays take of the segment's ``.arr`` file, in bytes."""
        sizes: dict[str, int] = {}
        for (field, _), entry in self._table.items():
            start, count, stored, item_sizes = _full(entry)
            ends = _part_ends(start, count, stored, item_sizes)
            sizes[field] = sizes.get(field, 0) + ends[-1] - start
        return sizes

    def _entry(self, field: str, text: str | bytes) -> tuple[int, int, int, str] | None:
        term = text.encode("utf-8") if isinstance(text, str) else text
        found = self._table.get((field, term))
        return None if found is None else _full(found)

    def _parts(
        self, start: int, count: int, stored: int, item_sizes: str
    ) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
        """Views of a term's document numbers, weights, counts and positions (the last two
        empty where none are stored)."""
        ends = _part_ends(start, count, stored, item_sizes)
        types = (DOCNUM_TYPES, WEIGHT_TYPES, COUNT_TYPES, POSITION_TYPES)
        views = []
        for begin, size, kind, length in zip(
            (start, *ends[:-1]), item_sizes, types, _part_lengths(count, stored), strict=True
        ):
            size = int(size)
            views.append(self._data[begin : begin + size * length].view(kind[size]))
        return views[0], views[1], views[2], views[3]


def _full(entry: tuple) -> tuple[int, int, int, str]:
    """A table entry with all four items (older tables lack the last one or two)."""
    start, count, *rest = entry
    stored = rest[0] if rest else 0
    return start, count, stored, rest[1] if len(rest) > 1 else WIDE


def _part_ends(start: int, count: int, stored: int, item_sizes: str) -> list[int]:
    """Where each of a term's four parts ends in the file, padding included (the last two
    parts empty where no positions are stored; 4-byte items need no padding, so an older
    table's entries read alike)."""
    ends = []
    at = start
    for size, length in zip(item_sizes, _part_lengths(count, stored), strict=True):
        at += int(size) * length
        at += -at % PART_ALIGNMENT
        ends.append(at)
    return ends


def _part_lengths(count: int, stored: int) -> tuple[int, int, int, int]:
    """How many items each of a term's four parts holds (no counts where no positions are
    stored)."""
    return count, count, count if stored else 0, stored
