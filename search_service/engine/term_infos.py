"""Inlined terms in a compact layout, and the Whoosh 3 codec that reads it.

A Whoosh 3 term info is 23 bytes of statistics (flags, total weight, document frequency,
shortest and longest document, largest weight, first and last document) and then either the
place of the term's posting blocks or, for a term in few documents, the postings themselves,
pickled. Most of a news archive's terms are in one or two documents: on the real corpus 192,000
of 219,000 terms are inlined. For an inlined term every statistic but the two lengths follows
from the postings, and a pickle spends more bytes on its codes than on the numbers: the term
infos of the real corpus took 11.3 MB in Whoosh's layout and take 4.3 MB in this one (the
index 59.2 -> 52.2 MB).

The compact layout of an inlined term (the first byte tells it from Whoosh's, whose flags are 0
or 1; every number an unsigned LEB128 varint):

- ``COMPACT_INLINED``; the shortest and the longest document's length as Whoosh encodes them
  (a byte each); how many postings; a byte of flags (``HALVES``, ``VALUES``);
- each posting's document number, the first as it is and then the gaps;
- each weight: with ``HALVES`` twice the weight (every weight here is a multiple of one half:
  a count of positions times the field's boost, 1, 1.5, 3 or 4), else a 4-byte float, as
  Whoosh's own blocks keep weights;
- with ``VALUES``: how many values, and each value's length and bytes.

Terms with posting blocks keep Whoosh's layout. :class:`CompactCodec` is Whoosh's codec with a
terms reader that reads both; a segment records its codec, so a segment written before reads
as before.
"""

from __future__ import annotations

import struct
from collections.abc import Sequence
from typing import Any

from search_service.engine.whoosh_internals import (
    TermNotFound,
    W3Codec,
    W3FieldCursor,
    W3TermInfo,
    W3TermsReader,
    byte_to_length,
    length_to_byte,
    term_table_reader,
)

COMPACT_INLINED = 2
HALVES = 1
VALUES = 2

_FLOAT = struct.Struct("<f")
_COUNT_AT = 3  # the byte after the flag and the two lengths: the number of postings


class CompactTermInfo(W3TermInfo):
    """Whoosh's term info, an inlined term's written in the compact layout."""

    def to_bytes(self) -> bytes:
        if self._inlined is None:
            return super().to_bytes()
        ids, weights, values = self._inlined
        return inlined_term(ids, weights, values, self._minlength, self._maxlength)

    @classmethod
    def from_bytes(cls, data: bytes) -> Any:
        if data[0] != COMPACT_INLINED:
            return super().from_bytes(data)
        count, at = _get(data, _COUNT_AT)
        flags = data[at]
        at += 1
        ids = []
        docnum = 0
        for _ in range(count):
            gap, at = _get(data, at)
            docnum += gap
            ids.append(docnum)
        weights: list[float] = []
        if flags & HALVES:
            for _ in range(count):
                half, at = _get(data, at)
                weights.append(half / 2)
        else:
            weights = [w for (w,) in _FLOAT.iter_unpack(data[at : at + 4 * count])]
            at += 4 * count
        values = []
        if flags & VALUES:
            number, at = _get(data, at)
            for _ in range(number):
                size, at = _get(data, at)
                values.append(data[at : at + size])
                at += size
        info = cls()
        info._weight = _FLOAT.unpack(_FLOAT.pack(sum(weights)))[0]  # as Whoosh stores it
        info._df = count
        info._minlength = byte_to_length(data[1])
        info._maxlength = byte_to_length(data[2])
        info._maxweight = max(weights)
        info._minid, info._maxid = ids[0], ids[-1]
        info._inlined = (tuple(ids), tuple(weights), tuple(values))
        return info


def inlined_term(
    ids: Sequence[int],
    weights: Sequence[float],
    values: Sequence[bytes],
    minlength: int | None,
    maxlength: int,
) -> bytes:
    """The compact term info of an inlined term: its postings (document numbers ascending,
    weights as Whoosh keeps them, 4-byte floats; the values, if the field has any) and the
    shortest and the longest length of its documents' field (``None`` and 0 when unknown)."""
    halves = [2.0 * weight for weight in weights]
    flags = (HALVES if all(half.is_integer() for half in halves) else 0) | (VALUES if values else 0)
    out = bytearray(
        (
            COMPACT_INLINED,
            0 if minlength is None else length_to_byte(minlength),
            length_to_byte(maxlength),
        )
    )
    _put(out, len(ids))
    out.append(flags)
    previous = 0
    for docnum in ids:
        _put(out, docnum - previous)
        previous = docnum
    if flags & HALVES:
        for half in halves:
            _put(out, int(half))
    else:
        for weight in weights:
            out += _FLOAT.pack(weight)
    if values:
        _put(out, len(values))
        for value in values:
            _put(out, len(value))
            out += value
    return bytes(out)


def doc_frequency(data: bytes) -> int | None:
    """The document frequency in a compact term info's bytes; None for Whoosh's layout."""
    if data[0] != COMPACT_INLINED:
        return None
    return _get(data, _COUNT_AT)[0]


def _put(out: bytearray, number: int) -> None:
    while number > 0x7F:
        out.append(number & 0x7F | 0x80)
        number >>= 7
    out.append(number)


def _get(data: bytes, at: int) -> tuple[int, int]:
    number = shift = 0
    while True:
        byte = data[at]
        at += 1
        number |= (byte & 0x7F) << shift
        if byte < 0x80:
            return number, at
        shift += 7


class _FieldCursor(W3FieldCursor):
    def term_info(self) -> Any:
        if self._pos is None:
            return None
        return CompactTermInfo.from_bytes(self._tindex.dbfile.get(self._datapos, self._datalen))


class CompactTermsReader(W3TermsReader):
    """Whoosh 3's terms reader for term infos in either layout."""

    def cursor(self, fieldname: str, fieldobj: Any) -> Any:
        return _FieldCursor(self._tindex, fieldname, self._keycoder, self._keydecoder, fieldobj)

    def items(self) -> Any:
        decode, decode_key = CompactTermInfo.from_bytes, self._keydecoder
        return ((decode_key(key), decode(value)) for key, value in self._tindex.items())

    def items_from(self, fieldname: str, prefix: bytes) -> Any:
        decode, decode_key = CompactTermInfo.from_bytes, self._keydecoder
        start = self._keycoder(fieldname, prefix)
        return ((decode_key(key), decode(value)) for key, value in self._tindex.items_from(start))

    def term_info(self, fieldname: str, tbytes: bytes) -> Any:
        try:
            return CompactTermInfo.from_bytes(self._tindex[self._keycoder(fieldname, tbytes)])
        except KeyError:
            raise TermNotFound(f"No term {fieldname}:{tbytes!r}") from None

    # These two raise KeyError for a missing term, as Whoosh's (its segment reader counts 0).
    def frequency(self, fieldname: str, tbytes: bytes) -> float:
        data = self._tindex[self._keycoder(fieldname, tbytes)]
        return CompactTermInfo.from_bytes(data).weight()

    def doc_frequency(self, fieldname: str, tbytes: bytes) -> int:
        data = self._tindex[self._keycoder(fieldname, tbytes)]
        found = doc_frequency(data)
        return CompactTermInfo.from_bytes(data).doc_frequency() if found is None else found


class CompactCodec(W3Codec):
    """Whoosh's Whoosh 3 codec whose terms reader reads compact inlined terms too."""

    def terms_reader(self, storage: Any, segment: Any) -> CompactTermsReader:
        return term_table_reader(self, storage, segment, CompactTermsReader)
