"""The build's own layouts beside Whoosh's: compact inlined term infos (``term_infos``) and
posting arrays with the narrowest items that hold a term's numbers (``posting_arrays``)."""

from __future__ import annotations

import pickle
import struct

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st
from whoosh import index as whoosh_index
from whoosh.codec.whoosh3 import W3TermInfo
from whoosh.fields import ID, Schema
from whoosh.reading import TermNotFound

from search_service.engine import positions
from search_service.engine.posting_arrays import PostingArrays, StoredArrays
from search_service.engine.segment_writer import BuildSegmentWriter
from search_service.engine.term_infos import (
    COMPACT_INLINED,
    CompactCodec,
    CompactTermInfo,
    doc_frequency,
)
from search_service.engine.whoosh_internals import term_frequencies
from search_service.schema import build_schema


def _float32(number: float) -> float:
    return struct.unpack("<f", struct.pack("<f", number))[0]


postings = st.lists(st.integers(0, 3_000_000), min_size=1, max_size=7, unique=True).map(sorted)
weights = st.one_of(
    st.integers(1, 4000).map(lambda halves: halves / 2),  # a count times a boost of 1 or 1.5
    st.floats(0.01, 1000, allow_nan=False).map(_float32),  # as Whoosh's blocks keep them
)


@given(
    ids=postings,
    data=st.data(),
    with_values=st.booleans(),
    lengths=st.tuples(st.integers(1, 10_000), st.integers(1, 10_000)).map(sorted),
)
def test_an_inlined_term_reads_back_as_whoosh_would_read_it(ids, data, with_values, lengths):
    term_weights = [data.draw(weights) for _ in ids]
    values = [data.draw(st.binary(max_size=300)) for _ in ids] if with_values else []
    info = CompactTermInfo()
    info.set_inlined(ids, term_weights, values)
    info._weight, info._df = sum(term_weights), len(ids)
    info._minlength, info._maxlength = lengths
    info._maxweight, info._minid, info._maxid = max(term_weights), ids[0], ids[-1]
    stock = W3TermInfo.from_bytes(W3TermInfo.to_bytes(info))  # Whoosh's layout, pickled
    data_bytes = info.to_bytes()
    assert data_bytes[0] == COMPACT_INLINED and doc_frequency(data_bytes) == len(ids)
    back = CompactTermInfo.from_bytes(data_bytes)
    assert back.inlined_postings() == stock.inlined_postings()
    for name in ("_weight", "_df", "_minlength", "_maxlength", "_maxweight", "_minid", "_maxid"):
        assert getattr(back, name) == getattr(stock, name), name


def test_terms_in_blocks_keep_whooshs_layout():
    info = CompactTermInfo()
    info._weight, info._df, info._maxlength, info._maxweight = 40.0, 9, 120, 6.0
    info._minid, info._maxid = 3, 900
    info.set_extent(1234, 567)
    data = info.to_bytes()
    assert data == W3TermInfo.to_bytes(info) and doc_frequency(data) is None
    back = CompactTermInfo.from_bytes(data)
    assert back.extent() == W3TermInfo.from_bytes(data).extent()  # Whoosh's own reading
    assert back.extent()[0] == 1234 and back.doc_frequency() == 9 and not back.is_inlined()


def test_the_codec_reads_every_way_whoosh_asks(tmp_path):
    """Look-up, cursor, items, prefix frequencies and matchers, on a segment with inlined
    terms and terms in blocks; the codec is recorded with the segment."""
    schema = Schema(id=ID(stored=True), text=build_schema()["text_exact"])
    ix = whoosh_index.create_in(str(tmp_path), schema)
    writer = BuildSegmentWriter(ix, codec=CompactCodec(inlinelimit=3))
    bodies = ["сөз бір", "сөз екі сөз", "сөз үш", "сөз төрт", "бір екі"]
    for number, body in enumerate(bodies):
        writer.add_document(id=str(number), text=body)
    writer.commit()
    ix = whoosh_index.open_dir(str(tmp_path))
    with ix.reader() as reader:
        (leaf, _), *_ = reader.leaf_readers()
        assert isinstance(leaf.segment().codec(), CompactCodec)
        assert not reader.term_info("text", "сөз").is_inlined()  # four documents: a block
        rare = reader.term_info("text", "екі")
        assert rare.is_inlined() and rare.doc_frequency() == 2 and rare.weight() == 3.0
        assert (rare.min_id(), rare.max_id(), rare.max_weight()) == (1, 4, 1.5)
        assert reader.doc_frequency("text", "бір") == 2 and reader.frequency("text", "үш") == 1.5
        assert dict(term_frequencies(leaf, "text", b"")) == {
            word.encode(): frequency
            for word, frequency in {"бір": 2, "екі": 2, "сөз": 4, "төрт": 1, "үш": 1}.items()
        }
        listed = [(term.decode(), info.doc_frequency()) for term, info in reader.iter_field("text")]
        assert listed == [
            ("бір", 2),
            ("екі", 2),
            ("сөз", 4),
            ("төрт", 1),
            ("үш", 1),
        ]
        matcher = reader.postings("text", "екі")
        seen = {}
        while matcher.is_active():
            seen[matcher.id()] = matcher.value_as("positions")
            matcher.next()
        assert seen == {1: [1], 4: [1]}
        with pytest.raises(TermNotFound):
            reader.term_info("text", "жоқ")
        assert reader.doc_frequency("text", "жоқ") == 0 and reader.frequency("text", "жоқ") == 0


class _Segment:
    """What PostingArrays asks of a segment: to make its files."""

    def __init__(self, folder):
        self.folder = folder

    def create_file(self, storage, ext):
        return open(self.folder / f"seg{ext}", "wb")


def _arrays(tmp_path, terms):
    writer = PostingArrays(None, _Segment(tmp_path), frozenset({"text"}))
    for field, text, flat in terms:
        writer.add(field, text, flat)
    writer.close()
    table = pickle.loads((tmp_path / "seg.art").read_bytes())
    data = np.fromfile(tmp_path / "seg.arr", dtype=np.uint8)
    return table, StoredArrays(table, data)


def test_posting_arrays_take_the_narrowest_items_that_hold_each_term(tmp_path):
    many = list(range(0, 300, 2))  # a word 150 times in one article
    far = [70_000, 70_003]  # positions past 65,535
    terms = [
        ("text", b"small", [0, 1.5, positions.encode([1, 5]), 9, 3.0, positions.encode([2])]),
        ("text", b"many", [3, 225.0, positions.encode(many), 70_000, 1.5, positions.encode([0])]),
        ("text", b"far", [1, 3.0, positions.encode(far), 300, 1.5, positions.encode([4] * 300)]),
        ("fold", b"fold", [5, _float32(0.3), None, 6, _float32(0.6), None]),
    ]
    table, stored = _arrays(tmp_path, terms)
    assert table["text", b"small"][3] == "2212"
    assert table["text", b"many"][3] == "4212"
    assert table["text", b"far"][3] == "2224"  # 300 positions in one posting: 2-byte counts
    assert table["fold", b"fold"][3] == "2444"  # 0.3 is no 16-bit float
    for field, text, flat in terms:
        ids, found_weights = stored.postings(field, text)
        assert ids.tolist() == flat[0::3] and found_weights.tolist() == flat[1::3]
        if field == "text":
            where = stored.positions(field, text, [*flat[0::3], 10**6])
            expected = zip(flat[0::3], flat[2::3], strict=True)
            assert where == {docnum: positions.decode(value) for docnum, value in expected}
        else:
            assert stored.positions(field, text, flat[0::3]) is None
    assert sum(stored.bytes_by_field().values()) == (tmp_path / "seg.arr").stat().st_size


def test_posting_arrays_of_an_older_build_read_as_before(tmp_path):
    """An older build's entries: every item 4 bytes, no sizes recorded."""
    ids = np.array([2, 7], "<u4").tobytes()
    weights = np.array([1.5, 3.0], "<f4").tobytes()
    counts = np.array([1, 2], "<u4").tobytes()
    where = np.array([4, 0, 9], "<u4").tobytes()
    data = np.frombuffer(ids + weights + counts + where + ids + weights, dtype=np.uint8)
    table = {("text", b"a"): (0, 2, 3), ("date", b"b"): (36, 2)}
    stored = StoredArrays(table, data)
    assert stored.positions("text", "a", [2, 7]) == {2: [4], 7: [0, 9]}
    assert stored.postings("date", "b")[0].tolist() == [2, 7]
    assert stored.bytes_by_field() == {"text": 36, "date": 16}
