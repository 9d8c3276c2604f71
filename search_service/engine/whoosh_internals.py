"""Every import of Whoosh's internals, in one module: the parts of the pinned Whoosh-Reloaded
(see pyproject.toml) that Whoosh does not document and may change in any release. The build's
writers (``segment_writer``, ``parallel``) extend the writer classes named here and so use
members of them too; ``tests/test_whoosh_internals.py`` lists each of those members.

The rest of the package calls the thin names and functions below; when Whoosh is upgraded,
``tests/test_whoosh_internals.py`` fails by name for each internal that changed, and this
module is the one to mend.

Whoosh's public API stays where it is used, as any library's would: ``whoosh.index``
(``open_dir``, ``create_in``, ``exists_in``, ``Index``), ``whoosh.query``, ``whoosh.fields``,
``whoosh.searching.Searcher``, ``whoosh.sorting``, ``whoosh.scoring``, ``whoosh.qparser`` and
the ``whoosh.analysis`` base classes (``Token``, ``Tokenizer``). Those are documented, and
what they give is what Whoosh promises.

What is internal, and therefore only here:

- the Whoosh 3 codec (``whoosh.codec.whoosh3``): :class:`W3Codec` and its settings, the
  postings writer and term info the build's segment writer extends, the term table's byte
  layout (a prefix's document frequencies), the field-lengths column;
- posting blocks: the attributes of Whoosh 3's block matcher that the block reader steps
  through, and the ``FilterMatcher`` that wraps a segment with deletions;
- the value encodings of ``whoosh.formats``: ``Frequency`` (the 4-byte count of
  ``whoosh.system.pack_uint``), which the analysis writes, and ``Positions`` (the count, then
  the gaps between positions pickled), which the phrase reader reads in a segment of another
  writer; our own fields store :class:`~search_service.engine.positions.CompactPositions`,
  which extends ``Positions`` (its ``word_values`` and ``combine`` call the subclass's
  ``encode``);
- one-byte field lengths (``whoosh.util.numeric``), the scores' document lengths;
- the writers the build extends: ``whoosh.writing.SegmentWriter`` and
  ``whoosh.multiproc``'s ``MpWriter`` and ``SubWriterTask``; ``whoosh.util.random_name``;
- BM25F's per-field ``B`` (a private attribute of ``scoring.BM25F``);
- a segment reader's storage (private), where the posting arrays lie.

The writers' base classes and the codec are imported when first asked for (see
:func:`__getattr__`): the analysis imports this module for the value encodings, and the
schema, which every command and the web server load, should not load the multi-process writer
with it.
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Iterator
from itertools import accumulate
from struct import Struct
from typing import Any

from whoosh.compat import loads
from whoosh.formats import Format as Format  # the type of a field's format, for annotations
from whoosh.formats import Frequency
from whoosh.formats import Positions as Positions  # engine.positions extends it
from whoosh.reading import TermNotFound as TermNotFound  # a terms reader's missing term
from whoosh.system import pack_uint, pack_ushort
from whoosh.util import random_name as random_name  # run files of the build's term pool
from whoosh.util.numeric import byte_to_length as byte_to_length  # a term info's lengths
from whoosh.util.numeric import length_to_byte as length_to_byte  # a term info's lengths


def __getattr__(name: str) -> Any:
    """The codec and the writers' base classes, imported on first use (see the docstring)."""
    if name in (
        "W3Codec",
        "W3FieldCursor",
        "W3PostingsWriter",
        "W3TermInfo",
        "W3TermsReader",
        "WHOOSH3_HEADER_MAGIC",  # the first bytes of a term's posting blocks
    ):
        from whoosh.codec import whoosh3

        return getattr(whoosh3, name)
    if name == "SegmentWriter":
        from whoosh.writing import SegmentWriter

        return SegmentWriter
    if name in ("MpWriter", "SubWriterTask"):
        from whoosh import multiproc

        return getattr(multiproc, name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


# Posting values -------------------------------------------------------------------------


def is_positions(format_: Format) -> bool:
    """Whether a field's format is exactly Whoosh's ``Positions``, whose values
    :func:`decode_positions` reads."""
    return type(format_) is Positions


def is_frequency(format_: Format) -> bool:
    """Whether a field's format is exactly Whoosh's ``Frequency`` (:func:`encode_frequency`)."""
    return type(format_) is Frequency


def encode_frequency(positions: list[int]) -> bytes:
    """A ``Frequency`` value: the number of positions (the word's count in the document)."""
    return pack_uint(len(positions))


def position_gaps(value: bytes) -> list[int]:
    """The gaps between positions in a ``Positions`` value (the first from 0)."""
    if value[-1:] != b".":  # as Whoosh's decode_positions: the pickle's stop code
        value += b"."
    return loads(value[4:])


def decode_positions(value: bytes) -> list[int]:
    """``Positions.decode_positions`` without its per-call overhead."""
    return list(accumulate(position_gaps(value)))


# Field lengths ----------------------------------------------------------------------------

# Whoosh stores a document's field length as one byte; this is its decoding table.
LENGTH_OF_BYTE = tuple(byte_to_length(b) or 0 for b in range(256))


def field_length_bytes(reader: Any, field: str) -> bytes:
    """One segment's encoded lengths of ``field``, one byte per document (zero where a
    document has none), read from the Whoosh 3 lengths column at once (a thousandth of the
    time of asking document by document: over a second when a server opens 200,000
    articles)."""
    count = reader.doc_count_all()
    try:
        column = lengths_column(reader, field)
        if column is None:
            return bytes(count)
        found = bytes(column._dbfile.get(column._basepos, column._count))
    except AttributeError:  # another codec: one document at a time
        found = bytes(length_to_byte(reader.doc_field_length(n, field, 0)) for n in range(count))
    return found[:count].ljust(count, b"\0")


def lengths_column(reader: Any, field: str) -> Any:
    """The Whoosh 3 lengths column of ``field`` in one segment's reader (``None`` when the
    segment has no lengths of it); ``AttributeError`` for a reader of another codec."""
    from whoosh.codec.whoosh3 import LENGTHS_COLUMN, _lenfield

    return reader._perdoc._cached_reader(_lenfield(field), LENGTHS_COLUMN)


# The term table ---------------------------------------------------------------------------

_DOC_FREQUENCY = Struct("!I")
_DOC_FREQUENCY_AT = 5  # in a Whoosh 3 term info: flags (B), total weight (f), doc frequency (I)


def term_frequencies(reader: Any, field: str, prefix: bytes) -> Iterator[tuple[bytes, int]]:
    """One segment's words of ``field`` starting with ``prefix``, with their document
    frequencies, read straight from the Whoosh 3 term table (decoding each term's info,
    inlined postings and all, took most of a prefix's expansion)."""
    try:
        terms = reader._terms
        table, encode, decode = terms._tindex, terms._keycoder, terms._keydecoder
    except AttributeError:  # another codec: the public interface
        for text, info in reader.iter_prefix(field, prefix):
            yield text, info.doc_frequency()
        return
    # Not at the top: term_infos extends the codec classes named here.
    from search_service.engine.term_infos import doc_frequency as compact_doc_frequency

    for key, value in table.items_from(encode(field, prefix)):
        name, text = decode(key)
        if name != field or not text.startswith(prefix):
            return
        frequency = compact_doc_frequency(value)
        if frequency is None:
            frequency = _DOC_FREQUENCY.unpack_from(value, _DOC_FREQUENCY_AT)[0]
        yield text, frequency


def term_table_reader(codec: Any, storage: Any, segment: Any, reader_class: type) -> Any:
    """A ``reader_class`` (a ``W3TermsReader``) over a segment's term table and postings, made
    as ``W3Codec.terms_reader`` makes Whoosh's own."""
    name = segment.make_filename(codec.TERMS_EXT)
    postings = segment.open_file(storage, codec.POSTS_EXT)
    return reader_class(codec, storage.open_file(name), storage.file_length(name), postings)


# Posting blocks ---------------------------------------------------------------------------


def without_deletions(matcher: Any) -> Any:
    """The matcher under Whoosh's deletion filter, if any (the caller takes deletions out)."""
    from whoosh.matching.wrappers import FilterMatcher  # not at the top: the schema loads us

    return matcher.child if isinstance(matcher, FilterMatcher) else matcher


def is_block_matcher(matcher: Any) -> bool:
    """Whether the matcher reads Whoosh 3 posting blocks (terms with few postings are stored
    in the term table and read by a list matcher instead)."""
    return hasattr(matcher, "_next_block")


def has_byte_ids(matcher: Any) -> bool:
    """Whether a block matcher's document numbers are stored as bytes (not read here);
    ``AttributeError`` for a matcher of another kind."""
    return matcher._byteids


def posting_blocks(matcher: Any) -> Iterator[Any]:
    """The matcher placed at each of its posting blocks in turn; a block's data is only read
    (unpickled) when the caller asks for it with :func:`block_data`."""
    while matcher.is_active():
        yield matcher
        matcher._i = matcher._blocklength
        matcher._next_block()


def block_data(block: Any) -> tuple[Any, Any, Any]:
    """The current block's (id deltas, weights, values): id deltas starting from 0 in each
    block; weights ``None`` for all 1.0, one float for all alike, or one per posting."""
    if block._data is None:
        block._read_data()
    return block._data


def positions_decoder(matcher: Any) -> Any:
    """How to read the positions in a block matcher's values: :func:`decode_positions` for
    Whoosh's ``Positions``, else the format's own method (a subclass's, ours included)."""
    format_ = matcher.format
    return decode_positions if type(format_) is Positions else format_.decode_positions


def block_last_id(block: Any) -> int:
    """The current block's last document number."""
    return block._maxid


# Scoring ----------------------------------------------------------------------------------


def bm25_parameters(weighting: Any, field: str) -> tuple[float, float]:
    """``(K1, B)`` of a ``scoring.BM25F`` for ``field`` (its per-field ``B`` if given)."""
    return weighting.K1, weighting._field_B.get(field, weighting.B)


# Segments and writers ---------------------------------------------------------------------


def segment_storage(reader: Any) -> tuple[Any, Any, str] | None:
    """``(segment, storage, folder)`` of a segment reader over files, else None."""
    try:
        segment, storage = reader.segment(), reader._storage
        return segment, storage, storage.folder
    except AttributeError:  # not a file segment of the shape written by the build
        return None


def writer_files(fieldwriter: Any) -> tuple[Any, Any]:
    """The postings file and the term table file of a Whoosh 3 field writer (struct files
    whose ``file`` the build wraps)."""
    return fieldwriter._postfile, fieldwriter._tindex.dbfile


def swap_postings_writer(fieldwriter: Any, writer_class: type) -> Any:
    """Replace a Whoosh 3 field writer's postings writer (made anew at each field) by a
    ``writer_class`` with the same file and settings; returns it."""
    stock = fieldwriter._postwriter
    postwriter = writer_class(
        stock._postfile,
        stock._blocklimit,
        byteids=stock._byteids,
        compression=stock._compression,
        inlinelimit=stock._inlinelimit,
    )
    fieldwriter._postwriter = postwriter
    return postwriter


def term_table_writer(fieldwriter: Any) -> tuple[Callable[[bytes, bytes], None], bytes]:
    """The ``add(key, value)`` of a Whoosh 3 field writer's term table, and the key prefix of
    the field it was last started on (``start_field``): a term's key is the prefix and the
    term's bytes, its value the term info's bytes. Keys must come in order."""
    return fieldwriter._tindex.add, pack_ushort(fieldwriter._fieldid)


def compact_term_table(fieldwriter: Any) -> None:
    """Make a Whoosh 3 field writer's term table (an ``OrderedHashWriter``, nothing written to
    it yet but its header) write its hash tables with 1.25 slots per term instead of 2, each
    table in one write, and hash its keys with CRC-32 instead of MD5 (a tenth of the time).

    Whoosh's reader (``HashReader``) takes the hash function from the header's hash type and
    each table's number of slots from the directory, and probes until it finds the key or an
    empty slot, which every table keeps: a term costs 9 bytes less (2 MB of the real corpus's
    index) and a look-up of a missing term about five probes more (a microsecond each)."""
    from whoosh.filedb.filetables import _hash_functions

    table = fieldwriter._tindex
    table.__class__ = _compact_term_table()
    dbfile, header_end = table.dbfile, table.startoffset + _HASH_HEADER_BYTES
    if dbfile.tell() == header_end and not table.index:  # only the header written so far
        dbfile.seek(table.startoffset + _HASH_TYPE_AT)
        dbfile.write_byte(_CRC_HASH)
        dbfile.seek(header_end)
        table.hashtype, table.hashfn = _CRC_HASH, _hash_functions[_CRC_HASH]


# A Whoosh hash file's header: the format tag (4 bytes), the hash type (a byte: 0 MD5, 1
# CRC-32, 2 CDB's hash), two unused ints.
_HASH_TYPE_AT = 4
_HASH_HEADER_BYTES = 13
_CRC_HASH = 1


@functools.cache
def _compact_term_table() -> type:
    from whoosh.filedb.filetables import OrderedHashWriter, _pointer

    class CompactTermTable(OrderedHashWriter):
        """``OrderedHashWriter`` writing fuller hash tables (see compact_term_table)."""

        def _write_hashes(self) -> None:
            dbfile, pack = self.dbfile, _pointer.pack
            empty = pack(0, 0)  # no entry is at position 0 (the header is)
            for entries in self.buckets:
                slots = len(entries) + (len(entries) + 3) // 4  # one empty slot at least
                self.directory.append((dbfile.tell(), slots))
                table: list[bytes] = [empty] * slots
                for hashval, position in entries:  # Whoosh's placement: linear probing
                    slot = (hashval >> 8) % slots
                    while table[slot] is not empty:
                        slot = (slot + 1) % slots
                    table[slot] = pack(hashval, position)
                dbfile.write(b"".join(table))

    return CompactTermTable


# Sizes ------------------------------------------------------------------------------------

_TERM_INFO_SIZE = Struct("!BfIBBfII").size  # a Whoosh 3 term info before its postings part
_POSTINGS_LENGTH = Struct("!i")  # after the term info and an 8-byte offset: the block's bytes


def term_table_entries(reader: Any) -> Iterator[tuple[str, int, int]]:
    """Each term of one segment's Whoosh 3 term table: its field, the bytes of its entry (key
    and term info, inlined postings included) and the bytes of its postings in the postings
    file (0 when they are inlined)."""
    terms = reader._terms
    table, decode = terms._tindex, terms._keydecoder
    at = _TERM_INFO_SIZE + 8
    for key, value in table.items():
        field, _ = decode(key)
        postings = 0 if value[0] else _POSTINGS_LENGTH.unpack_from(value, at)[0]
        yield field, len(key) + len(value), postings
