"""How a posting's word positions are stored: :class:`CompactPositions`, a Whoosh format.

Whoosh's ``Positions`` writes a 4-byte count and then the gaps between positions pickled with
protocol 2: 13 or 14 bytes for a word seen once in a document, which most postings are. Most
terms of a news archive are in a few documents, and their postings are stored inline in the
term table, uncompressed; there those values were a sixth of the real corpus's index.

This format writes one byte, the ``array`` type code of the smallest unsigned items that hold
every gap (``B``, ``H`` or ``I``), then the gaps as those items, little-endian: 3 bytes for a
word seen once past the 255th word of an article, 2 before it. Reading is an ``array`` made
from the bytes, at C speed. The count is the number of items.

The class is named in every index's schema (Whoosh pickles the schema), so it keeps its name
and module; an index written with Whoosh's ``Positions`` has an older index format and is
refused before it is read (see :mod:`search_service.engine.store`).
"""

from __future__ import annotations

import sys
from array import array
from itertools import accumulate, pairwise

from search_service.engine.whoosh_internals import Positions

_BIG_ENDIAN = sys.byteorder == "big"
# The type codes by the size of their items (1, 2, 4 bytes); "I" is 4 bytes on every platform
# CPython supports.
_CODES = (("B", 0xFF), ("H", 0xFFFF), ("I", 0xFFFFFFFF))
_SIZE_OF_CODE = {ord(code): array(code).itemsize for code, _ in _CODES}


def encode_gaps(gaps: list[int]) -> bytes:
    """The stored value of these gaps (the first from 0); ``ValueError`` for no gaps or a
    negative one (positions must ascend)."""
    if not gaps or min(gaps) < 0:
        raise ValueError(f"positions must be given in ascending order, from 0: gaps {gaps}")
    largest = max(gaps)
    for code, limit in _CODES:
        if largest <= limit:
            items = array(code, gaps)
            if _BIG_ENDIAN and code != "B":
                items.byteswap()
            return code.encode("ascii") + items.tobytes()
    raise ValueError(f"a position gap too large to store: {largest}")


def encode(positions: list[int]) -> bytes:
    """The stored value of a word's positions in a document (ascending)."""
    if len(positions) == 1 and 0 <= positions[0] < _SINGLE_POSITIONS:
        return _single_position_values[positions[0]]
    return encode_gaps([*positions[:1], *(b - a for a, b in pairwise(positions))])


# Most words occur once in a document: their values, made once.
_SINGLE_POSITIONS = 4096
_single_position_values = [encode_gaps([n]) for n in range(_SINGLE_POSITIONS)]


def gaps(value: bytes) -> list[int]:
    """The gaps between positions in a stored value (the first from 0)."""
    items = array(chr(value[0]), value[1:])
    if _BIG_ENDIAN and items.itemsize > 1:
        items.byteswap()
    return items.tolist()


def decode(value: bytes) -> list[int]:
    """A word's positions in a document, from their stored value."""
    return list(accumulate(gaps(value)))


def frequency(value: bytes) -> int:
    """How many positions a stored value holds (the word's count in the document)."""
    return (len(value) - 1) // _SIZE_OF_CODE[value[0]]


class CompactPositions(Positions):
    """Whoosh's ``Positions`` with the compact values of this module: phrase and proximity
    queries, Whoosh's matchers and our own readers all decode through it."""

    def encode(self, poslist: list[int]) -> bytes:  # Whoosh's parameter name
        return encode(poslist)

    def decode_positions(self, valuestring: bytes) -> list[int]:
        return decode(valuestring)

    def decode_frequency(self, valuestring: bytes) -> int:
        return frequency(valuestring)
