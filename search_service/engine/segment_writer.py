"""A Whoosh segment writer that writes the same files with less Python per posting.

A profile of a one-process build (4,250 articles) put 35% of it in Whoosh's commit and another
17% in Whoosh's posting pool. The stock pool keeps one tuple per posting and, past its memory
limit, writes the postings one ``marshal`` call at a time to sorted runs that a heap merges back
at commit; the postings writer then asks the file for its offset (a system call) at every term
and writes a pickled, compressed block even for a term in one document.

This writer changes how postings reach the files, not what the files hold:

- :class:`TermPool` groups postings by ``(field, term)`` as they arrive. Documents arrive in
  order, so each term's list is already sorted and only the distinct terms need sorting. A run
  spilled to disk holds one record per term.
- :class:`_PostingsWriter` fills a block from a term's list at once, and the term table and the
  postings file count their own offsets (:class:`_CountingFile`) instead of asking the OS.
- Terms in fewer than ``inlinelimit`` documents (a :class:`~whoosh.codec.whoosh3.W3Codec`
  setting; the indexer sets it) are stored inline in the term table, straight from their
  postings. Whoosh reads such terms (as a ``ListMatcher``) but its own writer fails to write
  them.

- The postings of terms in at least ``array_min_docs`` documents are also written as plain
  arrays (:class:`~search_service.engine.posting_arrays.PostingArrays`, whose module owns the
  layout), which :mod:`search_service.engine.postings` maps instead of unpickling Whoosh's blocks:
  the first search of a frequent word at 200,000 articles read about a thousand blocks.

- Inlined terms are written in :mod:`search_service.engine.term_infos`' compact layout, which
  the segment's codec (a :class:`~search_service.engine.term_infos.CompactCodec`, recorded
  with the segment) reads for Whoosh.

Whoosh needs nothing else of this module: the index is a Whoosh 3 index with that codec, and
the arrays are extra files of each segment (named like its other files, so Whoosh deletes them
with it).
"""

from __future__ import annotations

import gc
import heapq
import io
import marshal
import pickle
import struct
import threading
import zlib
from array import array
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from itertools import groupby, islice
from operator import itemgetter
from typing import Any

from search_service import words
from search_service.engine.positions import CompactPositions
from search_service.engine.posting_arrays import PostingArrays
from search_service.engine.term_infos import CompactCodec, inlined_term
from search_service.engine.whoosh_internals import (
    WHOOSH3_HEADER_MAGIC,
    SegmentWriter,
    W3PostingsWriter,
    compact_term_table,
    length_to_byte,
    random_name,
    swap_postings_writer,
    term_table_writer,
    writer_files,
)
from search_service.sidecars import Sidecars

# A posting as Whoosh's writer makes it: (field, term bytes, docnum, weight, value bytes).
Posting = tuple[str, bytes, int, float, bytes | None]
TermKey = tuple[str, bytes]
# One term's postings, flat: docnum, weight, value, docnum, weight, value, ... (compact, and
# appended with one ``+=`` per posting).
Flat = list[Any]

# Rough memory of one posting and of one new term in the pool, in bytes (CPython objects, list
# and dict slots), for the pool's memory limit.
POSTING_BYTES = 150
TERM_BYTES = 250
# Terms per record in a spilled run: few enough that a record loads quickly, many enough that
# ``marshal`` is called rarely.
RUN_RECORD_TERMS = 4096
# Most runs merged at once (each holds a file open).
MAX_OPEN_RUNS = 100

# The cyclic garbage collector's thresholds while a build writes (see ``fewer_collections``).
BUILD_GC_THRESHOLDS = (50_000, 20, 100)

_term_key = itemgetter(0)
_RECORD_SIZE = struct.Struct("<Q")


@contextmanager
def fewer_collections() -> Iterator[None]:
    """Run the cyclic garbage collector less often while a build holds millions of postings.

    Every young collection is triggered by allocations, and a build allocates tuples by the
    million that all stay alive until the commit. With Python's default thresholds a
    one-process build of the real corpus took 12% longer (34.8 s against 30.9 s with the
    collector off, 31.7 s with these thresholds). Cycles are still collected, only later.
    """
    previous = gc.get_threshold()
    gc.set_threshold(*BUILD_GC_THRESHOLDS)
    try:
        yield
    finally:
        gc.set_threshold(*previous)


class TermPool:
    """The postings of a segment, grouped by term, spilled to sorted runs past ``limitmb``."""

    def __init__(self, tempstore: Any, limitmb: float):
        self._tempstore = tempstore
        self._limit = limitmb * 1024 * 1024
        self._size = 0
        self._fields: dict[str, dict[bytes, Flat]] = {}
        self.fieldnames: set[str] = set()  # read by Whoosh's multi-process writer
        self.runs: list[str] = []

    def add_field(self, fieldname: str, docnum: int, items: Iterable, boost: float) -> int:
        """Add one document's ``(term bytes, frequency, weight, value)`` items of one field
        (what ``field.index`` returns); returns the field's length (the frequencies' sum)."""
        terms = self._fields.get(fieldname)
        if terms is None:
            terms = self._fields[fieldname] = {}
            self.fieldnames.add(fieldname)
        length = 0
        size = self._size
        for text, frequency, weight, value in items:
            postings = terms.get(text)
            if postings is None:
                postings = terms[text] = []
                size += TERM_BYTES + len(text)
            postings += (docnum, weight * boost, value)
            length += frequency
            size += POSTING_BYTES + len(value)
        self._size = size
        if size > self._limit:
            self.save()
        return length

    def add(self, posting: Posting) -> None:
        """Whoosh's pool interface, used when segments are merged into this one."""
        fieldname, text, docnum, weight, value = posting
        terms = self._fields.setdefault(fieldname, {})
        self.fieldnames.add(fieldname)
        postings = terms.setdefault(text, [])
        if postings and postings[-3] > docnum:
            raise ValueError(f"postings of {fieldname}:{text!r} out of document order")
        postings += (docnum, weight, value or b"")
        self._size += POSTING_BYTES + len(value or b"")
        if self._size > self._limit:
            self.save()

    def save(self) -> None:
        """Write the postings in memory to a new sorted run on disk."""
        if self._fields:
            self.runs.append(self._write_run(self._in_memory()))
            self._size = 0

    def terms(self) -> Iterator[tuple[TermKey, Flat]]:
        """Every term with its flat postings, in term order, each in document order."""
        if not self.runs:
            yield from self._in_memory()
            return
        self.save()
        while len(self.runs) > MAX_OPEN_RUNS:
            merged = self._write_run(self._merged(self.runs[:MAX_OPEN_RUNS]))
            self.runs[:MAX_OPEN_RUNS] = [merged]
        runs, self.runs = self.runs, []
        yield from self._merged(runs)

    def iter_postings(self) -> Iterator[Posting]:
        """Whoosh's pool interface: the postings one by one, in order."""
        for (fieldname, text), flat in self.terms():
            for i in range(0, len(flat), 3):
                yield fieldname, text, flat[i], flat[i + 1], flat[i + 2]

    def cleanup(self) -> None:
        for name in self.runs:
            if self._tempstore.file_exists(name):
                self._tempstore.delete_file(name)
        self.runs = []

    def _in_memory(self) -> Iterator[tuple[TermKey, Flat]]:
        """The postings in memory in term order, each handed over once (memory is freed as
        they go)."""
        fields, self._fields, self._size = self._fields, {}, 0
        for fieldname in sorted(fields):
            terms = fields.pop(fieldname)
            for text in sorted(terms):
                yield (fieldname, text), terms.pop(text)

    def _write_run(self, items: Iterable[tuple[TermKey, Flat]]) -> str:
        name = random_name() + ".run"
        with self._tempstore.create_file(name).raw_file() as run:
            items = iter(items)
            while record := list(islice(items, RUN_RECORD_TERMS)):
                data = marshal.dumps(record)
                run.write(_RECORD_SIZE.pack(len(data)))
                run.write(data)
        return name

    def _read_run(self, name: str) -> Iterator[tuple[TermKey, Flat]]:
        # Whole records are read, then unmarshalled from bytes: ``marshal.load`` on a file
        # calls the file's ``readinto`` for every object, which was a seventh of a build.
        with self._tempstore.open_file(name).raw_file() as run:
            while header := run.read(_RECORD_SIZE.size):
                (size,) = _RECORD_SIZE.unpack(header)
                yield from marshal.loads(run.read(size))
        self._tempstore.delete_file(name)

    def _merged(self, names: list[str]) -> Iterator[tuple[TermKey, Flat]]:
        """Runs merged by term; a term's postings joined in run order, which is document
        order (``heapq.merge`` takes equal keys from earlier inputs first)."""
        merged = heapq.merge(*(self._read_run(name) for name in names), key=_term_key)
        for key, group in groupby(merged, key=_term_key):
            parts = [postings for _, postings in group]
            joined = parts[0]
            for more in parts[1:]:
                joined.extend(more)
            yield key, joined


def _fast_pickle(data: tuple) -> bytes:
    """``data`` pickled with protocol 3 and no memo, by this thread's reused pickler (a new
    pickler per block costs more than the pickling of a small one)."""
    try:
        buffer, pickler = _block_picklers.pair
    except AttributeError:
        buffer = io.BytesIO()
        pickler = pickle.Pickler(buffer, BLOCK_PICKLE_PROTOCOL)
        pickler.fast = True  # no memo: nothing in a block is met twice
        _block_picklers.pair = buffer, pickler
    buffer.seek(0)
    buffer.truncate()
    pickler.dump(data)
    return buffer.getvalue()


_block_picklers = threading.local()
BLOCK_PICKLE_PROTOCOL = 3  # bytes as bytes, without the frame header of protocols 4 and 5


class _PostingsWriter(W3PostingsWriter):
    """Whoosh's block writer, fed a term's whole list at a time."""

    def start_postings(self, format_: Any, terminfo: Any) -> None:
        # As Whoosh's, without asking the file for its offset: most terms are inlined.
        self._format = format_
        self._blockcount = 0
        self._new_block()
        self._terminfo = terminfo

    def _write_block(self, last: bool = False) -> None:
        """Whoosh's block, its data pickled with protocol 3 and no memo: Whoosh's protocol 2
        writes each posting's bytes value as a call to ``codecs.encode``, a pickle over twice
        as long for zlib to compress (Whoosh's reader unpickles either)."""
        postfile = self._postfile
        if not self._blockcount:
            self._startoffset = postfile.tell()
            postfile.write(WHOOSH3_HEADER_MAGIC)
        self._terminfo.add_block(self)
        data = (self._mini_ids(), self._mini_weights(), self._mini_values())
        compression = self._compression
        databytes = _fast_pickle(data)
        if compression:
            databytes = zlib.compress(databytes, compression)
        ids = self._ids
        info = (
            len(ids),
            ids[-1],
            self._maxweight,
            compression,
            length_to_byte(self._minlength),
            length_to_byte(self._maxlength),
        )
        infobytes = pickle.dumps(info, 2)
        blocklength = len(infobytes) + len(databytes)
        postfile.write_int(-blocklength if last else blocklength)  # the last block: negative
        postfile.write(infobytes)
        postfile.write(databytes)
        self._blockcount += 1
        self._new_block()

    def finish_postings(self) -> Any:
        # A term to inline never comes here (_write_terms writes it): Whoosh's own inline
        # branch calls ``set_inline``, a method its TermInfo does not have, so Whoosh has
        # never written an inlined term.
        if not self.written() and len(self._ids) < self._inlinelimit:
            raise ValueError("an inlined term is written by _write_terms, not by the writer")
        return super().finish_postings()

    def add_postings(self, flat: Flat, doc_lengths: list[int]) -> None:
        """Add one term's flat postings, as Whoosh's ``add_posting`` would one at a time."""
        every_docnum, every_weight, every_value = flat[0::3], flat[1::3], flat[2::3]
        size = self._blocklimit
        for start in range(0, len(every_docnum), size):
            if self._ids:
                self._write_block()
            docnums = every_docnum[start : start + size]
            weights = every_weight[start : start + size]
            self._ids = array("I", docnums)
            self._weights = array("f", weights)
            self._values = [value for value in every_value[start : start + size] if value]
            self._maxweight = max(self._maxweight, max(weights))
            known = [length for length in map(doc_lengths.__getitem__, docnums) if length]
            if known:
                shortest = min(known)
                if self._minlength is None or shortest < self._minlength:
                    self._minlength = shortest
                self._maxlength = max(self._maxlength, max(known))


class BuildSegmentWriter(SegmentWriter):
    """Whoosh's ``SegmentWriter`` with :class:`TermPool` and a term-at-a-time flush;
    ``array_min_docs`` > 0 also writes :class:`PostingArrays` for terms in that many documents."""

    def __init__(
        self,
        ix: Any,
        limitmb: float = 128,
        array_min_docs: int = 0,
        known_words: str | None = None,
        parts: bool = False,
        sidecars: bool = False,
        **kwargs: Any,
    ):
        codec = kwargs.setdefault("codec", CompactCodec())
        if not isinstance(codec, CompactCodec):  # its term infos are read by that codec alone
            raise TypeError(f"a build writes with a CompactCodec, not {type(codec).__name__}")
        super().__init__(ix, limitmb=limitmb, **kwargs)
        self.array_min_docs = array_min_docs
        # Word analyses of an earlier job, loaded so their words are not analysed again.
        if known_words and not _loaded_words.get(known_words):
            _loaded_words[known_words] = words.load(known_words) or -1
        # A worker of a multi-process build leaves its new word analyses and what it counted
        # for the sidecars in part files for the job's process; in that process itself they
        # stay in memory (the analyses in the analysis caches, the counts on this writer).
        self.parts = parts
        # What the sidecars need of each document, counted here (by a build's writers).
        self.sidecars = Sidecars() if sidecars else None
        unsupported = [
            name for name, field in self.schema.items() if field.separate_spelling() or field.vector
        ]
        if unsupported:  # see add_document
            raise ValueError(f"fields with spelling words or term vectors: {unsupported}")
        self.pool = TermPool(self._tempstorage, limitmb)
        compact_term_table(self.fieldwriter)
        # Whoosh asks its term table and postings file for their offsets a few times per term.
        for structfile in writer_files(self.fieldwriter):
            structfile.file = _CountingFile(structfile.file)

    def add_document(self, **fields: Any) -> None:
        """Whoosh's ``add_document`` for fields without term vectors or spelling words, each
        field's postings handed to the pool at once."""
        self._check_state()
        schema = self.schema
        docnum = self.docnum
        docboost = self._doc_boost(fields)
        fieldnames = sorted(name for name in fields if not name.startswith("_"))
        self._check_fields(schema, fieldnames)
        perdocwriter = self.perdocwriter
        perdocwriter.start_doc(docnum)
        try:
            for fieldname in fieldnames:
                value = fields.get(fieldname)
                if value is None:
                    continue
                field = schema[fieldname]
                length = 0
                if field.indexed:
                    boost = self._field_boost(fields, fieldname, docboost)
                    length = self.pool.add_field(fieldname, docnum, field.index(value), boost)
                    if not field.scorable:
                        length = 0
                stored = fields.get(f"_stored_{fieldname}", value)
                if stored is not None and hasattr(field, "stored_value"):
                    stored = field.stored_value(stored)  # analysis.WordTable
                perdocwriter.add_field(fieldname, field, stored if field.stored else None, length)
                column = field.column_type
                if column and stored is not None:
                    perdocwriter.add_column_value(fieldname, column, field.to_column_value(stored))
            if self.sidecars is not None:
                self.sidecars.add_fields(fields)
        except Exception:
            perdocwriter.cancel_doc()
            raise
        perdocwriter.finish_doc()
        self._added = True
        self.docnum += 1

    def _flush_segment(self) -> None:
        if self.parts:
            words.write_part(self.storage.folder, self.newsegment.segment_id())
            if self.sidecars is not None:
                self.sidecars.write_part(self.storage.folder, self.newsegment.segment_id())
        self.perdocwriter.close()
        lengths = self.per_document_reader() if self.codec.length_stats else None
        arrays = None
        if self.array_min_docs:
            positional = frozenset(
                name
                for name, field in self.schema.items()
                if isinstance(field.format, CompactPositions)
            )
            arrays = PostingArrays(self.storage, self.newsegment, positional)
        try:
            terms = self.pool.terms()
            if arrays is not None:
                terms = _also_arrays(terms, arrays, 3 * self.array_min_docs)
            _write_terms(self.fieldwriter, self.schema, lengths, self.docnum, terms)
        finally:
            self.fieldwriter.close()
            if arrays is not None:
                arrays.close()
            if lengths is not None:
                lengths.close()


# Words files this process has loaded (a multi-process build's writers share a process).
_loaded_words: dict[str, int] = {}


class _CountingFile:
    """A file being written that knows its offset without a system call: a buffered file's
    ``tell`` asks the OS every time, and Whoosh asks a few times per term."""

    def __init__(self, file: Any):
        self._file = file
        self._offset = file.tell()

    def write(self, data: Any) -> int:
        written = self._file.write(data)
        self._offset += written
        return written

    def tell(self) -> int:
        return self._offset

    def seek(self, offset: int, whence: int = 0) -> int:
        self._offset = self._file.seek(offset, whence)
        return self._offset

    def flush(self) -> None:
        self._file.flush()

    def fileno(self) -> int:
        return self._file.fileno()

    def close(self) -> None:
        self._file.close()


def _also_arrays(
    terms: Iterable[tuple[TermKey, Flat]], arrays: PostingArrays, min_flat: int
) -> Iterator[tuple[TermKey, Flat]]:
    for key, flat in terms:
        if len(flat) >= min_flat:
            arrays.add(key[0], key[1], flat)
        yield key, flat


def _write_terms(
    fieldwriter: Any,
    schema: Any,
    lengths: Any,
    doc_count: int,
    terms: Iterable[tuple[TermKey, Flat]],
) -> None:
    """What Whoosh's ``FieldWriter.add_postings`` does, a term at a time. A term inlined in the
    term table (most are) goes there straight, without Whoosh's postings writer and term info
    objects (writing the real corpus's segment: 9.4 -> 7.1 s)."""
    current = None
    postwriter = None
    doc_lengths: list[int] = []
    add_entry, key_prefix, inline_below = None, b"", 0
    for (fieldname, text), postings in terms:
        if fieldname != current:
            if current is not None:
                fieldwriter.finish_field()
            current = fieldname
            fieldwriter.start_field(fieldname, schema[fieldname])
            postwriter = swap_postings_writer(fieldwriter, _PostingsWriter)
            doc_lengths = _doc_lengths(lengths, fieldname, doc_count)
            add_entry, key_prefix = term_table_writer(fieldwriter)
            # inlined: fewer postings than the limit, and no block written (one block's worth)
            inline_below = 3 * min(postwriter._inlinelimit, postwriter._blocklimit + 1)
        if len(postings) < inline_below:
            add_entry(key_prefix + text, _inlined_entry(postings, doc_lengths))
            continue
        fieldwriter.start_term(text)
        postwriter.add_postings(postings, doc_lengths)
        fieldwriter.finish_term()
    if current is not None:
        fieldwriter.finish_field()


def _inlined_entry(flat: Flat, doc_lengths: list[int]) -> bytes:
    """The term table entry of an inlined term, in the compact layout: the postings and the
    shortest and longest of their documents' lengths, as Whoosh's writer records them."""
    docnums = flat[0::3]
    weights = array("f", flat[1::3]).tolist()  # as Whoosh keeps them: 4-byte floats
    values = [value for value in flat[2::3] if value]
    known = [length for length in map(doc_lengths.__getitem__, docnums) if length]
    if known:
        return inlined_term(docnums, weights, values, min(known), max(known))
    return inlined_term(docnums, weights, values, None, 0)


def _doc_lengths(lengths: Any, fieldname: str, doc_count: int) -> list[int]:
    """Each document's (byte-rounded) length of ``fieldname``, as Whoosh's writer reads it."""
    if lengths is None:
        return [0] * doc_count
    return [lengths.doc_field_length(n, fieldname, 0) for n in range(doc_count)]
