"""The Whoosh internals the engine relies on (``search_service/engine/whoosh_internals.py``).

One test per internal, named after it (``test_<whoosh module>_<internal>...``): when the pinned
Whoosh-Reloaded changes, the failing tests say which internal moved, and the internals module
is the one place to mend. Where Whoosh has a public way to the same answer, the internal one
is compared with it on a real index.
"""

from __future__ import annotations

import importlib.metadata
import inspect
import re
import tomllib
from pathlib import Path

import pytest
import whoosh
from hypothesis import given
from hypothesis import strategies as st
from whoosh import index as whoosh_index
from whoosh.analysis import SimpleAnalyzer
from whoosh.codec import whoosh3
from whoosh.fields import ID, TEXT, Schema
from whoosh.formats import Frequency, Positions
from whoosh.matching.wrappers import FilterMatcher
from whoosh.multiproc import MpWriter, SubWriterTask
from whoosh.scoring import BM25F
from whoosh.util.numeric import byte_to_length, length_to_byte
from whoosh.writing import SegmentWriter

from search_service.engine import whoosh_internals as wi
from search_service.engine.segment_writer import BuildSegmentWriter

PYPROJECT = Path(__file__).resolve().parent.parent / "pyproject.toml"
DOCS = 300  # more than one posting block (128 postings) of a word in every document


def _pinned_version() -> str:
    dependencies = tomllib.loads(PYPROJECT.read_text("utf-8"))["project"]["dependencies"]
    pins = [re.fullmatch(r"Whoosh-Reloaded==([\w.]+)", d) for d in dependencies]
    found = [pin.group(1) for pin in pins if pin]
    assert len(found) == 1, "pyproject.toml pins Whoosh-Reloaded to one exact version"
    return found[0]


def test_installed_whoosh_is_the_pinned_version():
    pinned = _pinned_version()
    assert importlib.metadata.version("Whoosh-Reloaded") == pinned
    assert whoosh.versionstring() == pinned


@pytest.fixture(scope="module")
def plain_index(tmp_path_factory) -> whoosh_index.Index:
    """A Whoosh 3 index written by Whoosh itself: a word in every document (several posting
    blocks), words in some, and one document deleted."""
    folder = tmp_path_factory.mktemp("whoosh-internals")
    schema = Schema(
        id=ID(stored=True, unique=True),
        body=TEXT(analyzer=SimpleAnalyzer(), phrase=True),
        tags=TEXT(analyzer=SimpleAnalyzer(), phrase=False),
    )
    ix = whoosh_index.create_in(str(folder), schema)
    writer = ix.writer(compound=False)  # as the build writes: one file per part
    for n in range(DOCS):
        extra = " ".join(["often"] * (n % 4 + 1)) if n % 3 else "cat category"
        writer.add_document(id=f"d{n}", body=f"common {extra} words common end", tags=extra)
    writer.commit()
    writer = ix.writer(compound=False)
    writer.delete_by_term("id", "d7")
    writer.commit(merge=False)
    return whoosh_index.open_dir(str(folder))


# Posting values: whoosh.formats, whoosh.compat.dumps, whoosh.system.pack_uint -------------

positions_lists = st.lists(st.integers(0, 100_000), min_size=1, max_size=40, unique=True).map(
    sorted
)


@given(positions_lists)
def test_formats_Positions_values_are_read_by_decode_positions(positions):
    whooshs = Positions().encode(positions)
    assert wi.decode_positions(whooshs) == positions
    gaps = wi.position_gaps(whooshs)
    assert gaps[0] == positions[0] and sum(gaps) == positions[-1]


def test_formats_Frequency_value_is_the_count():
    words = ["b", "a", "b", "c", "a", "b"]
    found = {w: v for w, _, _, v in Frequency().word_values(" ".join(words), SimpleAnalyzer())}
    for word, value in found.items():
        positions = [i for i, w in enumerate(words) if w == word]
        assert value == wi.encode_frequency(positions)
        assert Frequency().decode_frequency(value) == len(positions)


def test_formats_Positions_and_Frequency_are_the_formats_of_text_fields():
    assert wi.is_positions(TEXT(phrase=True).format)
    assert not wi.is_positions(TEXT(phrase=False).format)
    assert wi.is_frequency(TEXT(phrase=False).format)
    assert not wi.is_frequency(TEXT(phrase=True).format)


# Field lengths: whoosh.util.numeric and the Whoosh 3 lengths column -----------------------


def test_util_numeric_byte_to_length_is_the_length_table():
    assert len(wi.LENGTH_OF_BYTE) == 256
    assert tuple(byte_to_length(b) or 0 for b in range(256)) == wi.LENGTH_OF_BYTE
    for length in (0, 1, 7, 100, 1000, 65_000):
        byte = wi.length_to_byte(length)
        assert byte == length_to_byte(length) and 0 <= byte < 256
        assert wi.LENGTH_OF_BYTE[byte] == (byte_to_length(byte) or 0)


def test_codec_whoosh3_lengths_column_holds_the_field_lengths(plain_index):
    """The lengths read at once through the Whoosh 3 lengths column (``LENGTHS_COLUMN``,
    ``_lenfield``, the per-document reader's ``_cached_reader``): Whoosh's own, document by
    document."""
    assert whoosh3.LENGTHS_COLUMN is not None and whoosh3._lenfield("body")
    with plain_index.reader() as reader:
        for leaf, _ in reader.leaf_readers():
            column = wi.lengths_column(leaf, "body")  # the column itself, not the fallback
            assert column is not None
            found = wi.field_length_bytes(leaf, "body")
            public = bytes(
                length_to_byte(leaf.doc_field_length(n, "body", 0))
                for n in range(leaf.doc_count_all())
            )
            assert found == public and any(found)


# The term table ---------------------------------------------------------------------------


def test_codec_whoosh3_term_table_holds_each_terms_doc_frequency(plain_index):
    with plain_index.reader() as reader:
        for leaf, _ in reader.leaf_readers():
            terms = leaf._terms
            assert terms._tindex and terms._keycoder and terms._keydecoder
            found = list(wi.term_frequencies(leaf, "body", b"c"))
            public = [(t, i.doc_frequency()) for t, i in leaf.iter_prefix("body", b"c")]
            assert found == public
            assert {t for t, _ in found} >= {b"common"}


def test_codec_whoosh3_term_table_entries_give_each_terms_field_and_postings_bytes(plain_index):
    with plain_index.reader() as reader:
        for leaf, _ in reader.leaf_readers():
            found = list(wi.term_table_entries(leaf))
            public = []
            for name, text in leaf.all_terms():
                info = leaf.term_info(name, text)
                inlined = info.is_inlined()
                # (Whoosh reads the length as a one-item tuple)
                public.append((name, inlined, None if inlined else info._length[0]))
            assert [(name, not postings, postings or None) for name, _, postings in found] == [
                (name, inlined, length) for name, inlined, length in public
            ]
            assert all(size > 0 for _, size, _ in found)
            # "common" is in every document: its postings are blocks in the postings file
            assert any(postings for name, _, postings in found if name == "body")


# Posting blocks and the deletion filter ----------------------------------------------------


def test_codec_whoosh3_posting_blocks_hold_ids_weights_and_values(plain_index):
    with plain_index.searcher() as searcher:
        leaf = searcher.reader().leaf_readers()[0][0]
        matcher = wi.without_deletions(leaf.postings("body", "common"))
        assert wi.is_block_matcher(matcher) and not wi.has_byte_ids(matcher)
        blocks = 0
        ids: list[int] = []
        for block in wi.posting_blocks(matcher):
            deltas, weights, values = wi.block_data(block)
            assert len(deltas) == len(values)
            assert weights is None or isinstance(weights, float) or len(weights) == len(deltas)
            ids.extend(_running(deltas))  # each block's deltas start from 0
            assert ids[-1] == wi.block_last_id(block)
            blocks += 1
        assert blocks > 1  # more than one block was stepped through
        public = list(leaf.postings("body", "common").all_ids())
        assert [i for i in ids if i in set(public)] == public
        # the blocks hold the deleted documents too, and nothing else
        deleted = {n for n in range(leaf.doc_count_all()) if leaf.is_deleted(n)}
        assert set(ids) - set(public) <= deleted


def _running(deltas) -> list[int]:
    out, total = [], 0
    for delta in deltas:
        total += delta
        out.append(total)
    return out


def test_codec_whoosh3_block_values_decode_to_the_positions(plain_index):
    with plain_index.reader() as reader:
        leaf = reader.leaf_readers()[0][0]
        matcher = wi.without_deletions(leaf.postings("body", "common"))
        decode = wi.positions_decoder(matcher)
        deltas, _, values = wi.block_data(next(wi.posting_blocks(matcher)))
        public = leaf.postings("body", "common")
        compared = 0
        for docnum, value in zip(_running(deltas), values, strict=True):
            public.skip_to(docnum)
            if public.id() == docnum:
                assert decode(value) == public.value_as("positions")
                compared += 1
        assert compared > len(values) // 2


def test_matching_FilterMatcher_wraps_a_segment_with_deletions(plain_index):
    with plain_index.reader() as reader:
        leaf = next(leaf for leaf, _ in reader.leaf_readers() if leaf.has_deletions())
        matcher = leaf.postings("body", "common")
        assert isinstance(matcher, FilterMatcher)
        assert wi.is_block_matcher(wi.without_deletions(matcher))
        assert wi.without_deletions(wi.without_deletions(matcher)) is matcher.child


def test_codec_whoosh3_inlined_terms_are_read_by_a_list_matcher(tiny_index):
    """The build stores terms in few documents in the term table (``inlinelimit``); Whoosh
    reads them with a matcher that has no blocks."""
    from search_service.engine import store

    ix, _ = store.open_current(tiny_index)
    with ix.reader() as reader:
        for leaf, _ in reader.leaf_readers():
            rare = next(t for t, i in leaf.iter_field("text_exact") if i.doc_frequency() == 1)
            matcher = wi.without_deletions(leaf.postings("text_exact", rare))
            assert not wi.is_block_matcher(matcher)
            assert matcher.value_as("positions")


# The codec and the writers the build extends ----------------------------------------------


def test_codec_whoosh3_W3Codec_takes_compression_and_inlinelimit():
    parameters = inspect.signature(wi.W3Codec).parameters
    assert {"blocklimit", "compression", "inlinelimit"} <= set(parameters)
    codec = wi.W3Codec(compression=2, inlinelimit=8)
    assert (codec._compression, codec._inlinelimit) == (2, 8)
    assert wi.W3Codec is whoosh3.W3Codec


def test_codec_whoosh3_W3PostingsWriter_members_the_build_uses(tmp_path):
    assert wi.W3PostingsWriter is whoosh3.W3PostingsWriter
    for method in ("start_postings", "_new_block", "_write_block", "finish_postings", "written"):
        assert callable(getattr(wi.W3PostingsWriter, method)), method
    # the build's _write_block writes Whoosh's block layout with these
    for method in ("_mini_ids", "_mini_weights", "_mini_values"):
        assert callable(getattr(wi.W3PostingsWriter, method)), method
    assert wi.WHOOSH3_HEADER_MAGIC == whoosh3.WHOOSH3_HEADER_MAGIC == b"W3Bl"
    block_source = inspect.getsource(wi.W3PostingsWriter._write_block)
    for part in ("dumps(data, 2)", "zlib.compress", "write_int(blocklength)", "length_to_byte"):
        assert part in block_source, part  # the layout the build's override writes too
    ix = whoosh_index.create_in(str(tmp_path), Schema(body=TEXT(phrase=True)))
    writer = ix.writer()
    try:
        fieldwriter = writer.fieldwriter
        postfile, termfile = wi.writer_files(fieldwriter)
        assert postfile.file is not None and termfile.file is not None
        fieldwriter.start_field("body", ix.schema["body"])

        class Probe(wi.W3PostingsWriter):
            pass

        swapped = wi.swap_postings_writer(fieldwriter, Probe)
        assert fieldwriter._postwriter is swapped and isinstance(swapped, Probe)
        swapped.start_postings(ix.schema["body"].format, wi.W3TermInfo())
        for name in ("_ids", "_weights", "_values", "_maxweight", "_minlength", "_maxlength"):
            assert hasattr(swapped, name), name
        for name in (
            "_blockcount",
            "_blocklimit",
            "_inlinelimit",
            "_terminfo",
            "_postfile",
            "_compression",
        ):
            assert hasattr(swapped, name), name
        assert hasattr(swapped, "_startoffset")  # the postings' offset, read after each term
        block = inspect.signature(wi.W3PostingsWriter._write_block).parameters
        assert list(block)[1:] == ["last"]  # the segment writer writes a term's last block
    finally:
        writer.cancel()


def test_codec_whoosh3_term_table_writer_keys_are_the_readers(tmp_path):
    """wi.term_table_writer's key prefix for a field is the one Whoosh's reader looks terms
    up with, and its ``add`` is the term table's (the build adds inlined terms through it;
    tests/test_segment_writer.py compares every term with Whoosh's own writer)."""
    ix = whoosh_index.create_in(str(tmp_path), Schema(a=TEXT(phrase=True), b=TEXT(phrase=True)))
    writer = BuildSegmentWriter(ix, compound=False)
    fieldwriter = writer.fieldwriter
    prefixes = {}
    for field in ("a", "b"):  # in the order a build's writer meets them: the terms' order
        fieldwriter.start_field(field, ix.schema[field])
        add, prefixes[field] = wi.term_table_writer(fieldwriter)
        assert add == fieldwriter._tindex.add
        fieldwriter.finish_field()
    writer.cancel()
    writer = BuildSegmentWriter(ix, compound=False)
    writer.add_document(a="один", b="два")
    writer.commit()
    with ix.reader() as reader:
        (leaf, _), *_ = reader.leaf_readers()
        assert prefixes["a"] != prefixes["b"]
        assert {field: leaf._terms._keycoder(field, b"") for field in ("a", "b")} == prefixes


@pytest.mark.parametrize("count", [0, 1, 3, 257, 5000])
def test_filetables_compact_term_table_is_read_by_whoosh_s_reader(tmp_path, count):
    """A term table written with fewer hash slots (wi.compact_term_table) gives Whoosh's own
    reader every key and value, in order and by look-up, and no key it does not hold."""
    from whoosh.filedb.filestore import FileStorage
    from whoosh.filedb.filetables import OrderedHashReader, OrderedHashWriter

    storage = FileStorage(str(tmp_path))
    table = OrderedHashWriter(storage.create_file("terms"))

    class FieldWriter:  # what compact_term_table reads of a Whoosh 3 field writer
        _tindex = table

    wi.compact_term_table(FieldWriter)
    assert isinstance(table, OrderedHashWriter) and type(table) is not OrderedHashWriter
    assert table.hashtype == 1  # CRC-32
    items = [(f"term{n:05d}".encode(), f"value {n}".encode() * (n % 3)) for n in range(count)]
    for key, value in items:
        table.add(key, value)
    length = table.close()
    reader = OrderedHashReader(storage.open_file("terms"), length)
    try:
        assert list(reader.items()) == items
        for key, value in items:
            assert key in reader and reader[key] == value
        for missing in (b"term", b"term99999", b"other", b"term00001x"):
            assert missing not in reader
        assert reader.hashtype == 1
        slots = sum(numslots for _, numslots in reader.tables)
        assert slots < 1.3 * count + 256  # Whoosh's own writer: 2 per key
    finally:
        reader.close()


def test_codec_whoosh3_W3TermInfo_layout_the_build_writes():
    assert wi.W3TermInfo is whoosh3.W3TermInfo
    assert wi.W3TermInfo._struct.format == "!BfIBBfII"  # flags, weight, doc frequency, ...
    info = wi.W3TermInfo()
    for name in ("_weight", "_df", "_minlength", "_maxlength", "_maxweight", "_minid", "_maxid"):
        assert hasattr(info, name), name
    assert hasattr(info, "_inlined")  # postings kept in the term info itself
    for method in ("add_block", "set_inlined", "to_bytes", "from_bytes"):
        assert callable(getattr(wi.W3TermInfo, method)), method


def test_codec_whoosh3_W3TermsReader_members_the_compact_codec_uses(tmp_path):
    """term_infos.CompactTermsReader overrides each of Whoosh's term-info readers and keeps
    the rest; its cursor reads an entry's place from Whoosh's cursor."""
    assert wi.W3TermsReader is whoosh3.W3TermsReader
    assert wi.W3FieldCursor is whoosh3.W3FieldCursor
    from whoosh.reading import TermNotFound

    assert wi.TermNotFound is TermNotFound
    for method in (
        "cursor",
        "items",
        "items_from",
        "term_info",
        "frequency",
        "doc_frequency",
        "matcher",
        "_keycoder",
        "_keydecoder",
    ):
        assert callable(getattr(wi.W3TermsReader, method)), method
    assert wi.W3Codec.TERMS_EXT == ".trm" and wi.W3Codec.POSTS_EXT == ".pst"
    ix = whoosh_index.create_in(str(tmp_path), Schema(body=TEXT(phrase=True)))
    writer = BuildSegmentWriter(ix)
    writer.add_document(body="one two one")
    writer.commit()
    with ix.reader() as reader:
        (leaf, _), *_ = reader.leaf_readers()
        terms = leaf._terms
        assert type(terms).__mro__[1] is wi.W3TermsReader  # term_table_reader made it
        for name in ("_tindex", "_postfile", "_codec"):
            assert hasattr(terms, name), name
        cursor = terms.cursor("body", ix.schema["body"])
        for name in ("_pos", "_datapos", "_datalen", "_tindex"):
            assert hasattr(cursor, name), name
        assert isinstance(cursor, wi.W3FieldCursor)
        assert cursor.text() == "one" and cursor.term_info().doc_frequency() == 1


def test_writing_SegmentWriter_members_the_build_uses(tmp_path):
    assert wi.SegmentWriter is SegmentWriter
    for method in (
        "_check_state",
        "_doc_boost",
        "_field_boost",
        "_check_fields",
        "_flush_segment",
        "_finalize_segment",
        "per_document_reader",
        "cancel",
    ):
        assert callable(getattr(SegmentWriter, method)), method
    ix = whoosh_index.create_in(str(tmp_path), Schema(body=TEXT(phrase=True)))
    writer = BuildSegmentWriter(ix)
    try:
        for name in ("perdocwriter", "fieldwriter", "_tempstorage", "newsegment", "docnum"):
            assert hasattr(writer, name), name
        assert isinstance(writer.codec.length_stats, bool)
        assert callable(writer.perdocwriter.cancel_doc)  # a document that failed half-way
        writer.add_document(body="one two one")
        assert writer._added  # what Whoosh's commit reads to know the segment has documents
    finally:
        writer.cancel()


def test_multiproc_MpWriter_and_SubWriterTask_members_the_spawned_writer_uses(tmp_path):
    assert wi.MpWriter is MpWriter and wi.SubWriterTask is SubWriterTask
    ix = whoosh_index.create_in(str(tmp_path), Schema(body=TEXT(phrase=True)))
    task = SubWriterTask(ix.storage, ix.indexname, "jobs", "results", {"limitmb": 8}, True)
    assert (task.storage, task.indexname, task.jobqueue, task.resultqueue) == (
        ix.storage,
        ix.indexname,
        "jobs",
        "results",
    )
    assert task.kwargs == {"limitmb": 8} and task.multisegment and task.running
    writer = MpWriter(ix, procs=2, subargs={"limitmb": 8}, multisegment=True)
    try:
        assert (writer.procs, writer.subargs, writer.multisegment) == (2, {"limitmb": 8}, True)
        assert writer.tasks == [] and writer.jobqueue is not None and writer.resultqueue is not None
    finally:
        writer.cancel()
    task = inspect.signature(SubWriterTask.__init__).parameters
    assert list(task)[1:] == [
        "storage",
        "indexname",
        "jobqueue",
        "resultqueue",
        "kwargs",
        "multisegment",
    ]
    assert callable(SubWriterTask._process_file)
    writer = inspect.signature(MpWriter.__init__).parameters
    assert {"procs", "subargs", "multisegment"} <= set(writer)
    for method in ("_new_task", "cancel", "commit"):
        assert callable(getattr(MpWriter, method)), method


def test_util_random_name_makes_distinct_file_names():
    names = {wi.random_name() for _ in range(20)}
    assert len(names) == 20 and all(isinstance(n, str) and n.isalnum() for n in names)


# Scoring and storage ----------------------------------------------------------------------


def test_scoring_BM25F_field_B_is_read():
    model = BM25F(B=0.5, K1=1.5, title_B=0.25)
    assert wi.bm25_parameters(model, "title") == (1.5, 0.25)
    assert wi.bm25_parameters(model, "text") == (1.5, 0.5)


def test_reading_segment_reader_storage(plain_index):
    with plain_index.reader() as reader:
        assert wi.segment_storage(object()) is None  # not a reader of a file segment
        leaf = reader.leaf_readers()[0][0]
        segment, storage, folder = wi.segment_storage(leaf)
        assert folder == plain_index.storage.folder and storage.file_exists(
            segment.make_filename(".trm")
        )


def test_codec_whoosh3_lengths_column_pads_documents_without_the_field(tmp_path):
    """Documents after the last one with the field, a deleted document, a field no document
    has: the lengths read at once are still Whoosh's, document by document."""
    schema = Schema(id=ID(stored=True, unique=True), title=TEXT(), body=TEXT(phrase=True))
    ix = whoosh_index.create_in(str(tmp_path), schema)
    with ix.writer() as writer:
        for n in range(20):
            fields = {"id": str(n), "body": "one two " * (n + 1)}
            if n < 10:
                fields["title"] = "headline " * (n + 1)
            writer.add_document(**fields)
    with ix.writer() as writer:
        writer.delete_by_term("id", "3")
    with ix.reader() as reader:
        (leaf, _), *_ = reader.leaf_readers()
        assert leaf.has_deletions()
        for field in ("title", "body", "id"):
            public = bytes(
                length_to_byte(leaf.doc_field_length(n, field, 0))
                for n in range(leaf.doc_count_all())
            )
            assert wi.field_length_bytes(leaf, field) == public, field
        assert any(wi.field_length_bytes(leaf, "title")[:10])
        assert not any(wi.field_length_bytes(leaf, "title")[10:])
