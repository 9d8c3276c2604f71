"""The stored form of word positions (engine.positions) and the compact inlined postings of the
build's term table (segment_writer), read back by Whoosh and by our own readers."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st
from whoosh import index as whoosh_index
from whoosh import query as wq
from whoosh.analysis import SimpleAnalyzer
from whoosh.codec.whoosh3 import W3TermInfo
from whoosh.fields import ID, Schema

from search_service.engine import positions
from search_service.engine.positions import CompactPositions
from search_service.engine.posting_arrays import StoredArrays
from search_service.engine.segment_writer import BuildSegmentWriter
from search_service.engine.term_infos import CompactCodec
from search_service.indexer import INLINE_LIMIT
from search_service.schema import TEXT_EXACT_BOOST, TEXT_EXACT_FIELD, TEXT_FIELD, build_schema

# Repeated positions too: a word's key can stand twice at one position (a compound's pieces).
positions_lists = st.lists(st.integers(0, 2**32 - 1), min_size=1, max_size=40).map(sorted)


@given(positions_lists)
def test_positions_come_back_as_they_were_stored(found):
    value = positions.encode(found)
    assert positions.decode(value) == found
    assert positions.frequency(value) == len(found)
    gaps = positions.gaps(value)
    assert gaps[0] == found[0] and sum(gaps) == found[-1]
    assert CompactPositions().decode_positions(value) == found
    assert CompactPositions().decode_frequency(value) == len(found)


def test_a_value_takes_a_type_byte_and_the_smallest_items_that_hold_every_gap():
    assert positions.encode([7]) == b"B\x07"
    assert positions.encode([300]) == b"H" + (300).to_bytes(2, "little")
    assert positions.encode([5000]) == b"H" + (5000).to_bytes(2, "little")  # past the table
    assert positions.encode([3, 10, 250]) == b"B\x03\x07\xf0"
    assert positions.encode([70_000]) == b"I" + (70_000).to_bytes(4, "little")
    # at the edges of the items' sizes and of the table of single positions
    assert positions.encode([255]) == b"B\xff"
    assert positions.encode([256]) == b"H\x00\x01"
    assert positions.encode([65_535]) == b"H\xff\xff"
    assert positions.encode([65_536]) == b"I\x00\x00\x01\x00"
    for edge in (4095, 4096):
        assert positions.decode(positions.encode([edge])) == [edge]
    assert positions.encode([4, 4]) == b"B\x04\x00"  # the same position twice
    # one large gap makes every item wide
    assert positions.encode([1, 70_001]) == b"I" + b"".join(
        n.to_bytes(4, "little") for n in (1, 70_000)
    )


@pytest.mark.parametrize("wrong", [[], [-1], [5, 3], [2**32]])
def test_positions_that_cannot_be_stored_are_refused(wrong):
    with pytest.raises(ValueError):
        positions.encode(wrong)


def test_whooshs_word_values_of_the_format_are_ours():
    """Whoosh's token-stream path (``Positions.word_values``) encodes through the format."""
    words = ["b", "a", "b", "c", "a", "b"]
    found = {
        word: (frequency, value)
        for word, frequency, _, value in CompactPositions().word_values(
            " ".join(words), SimpleAnalyzer()
        )
    }
    for word, (frequency, value) in found.items():
        expected = [i for i, w in enumerate(words) if w == word]
        assert value == positions.encode(expected)
        assert frequency == len(expected)


def test_the_text_fields_store_compact_positions():
    schema = build_schema()
    for name in ("title", "title_exact", TEXT_FIELD, TEXT_EXACT_FIELD):
        assert isinstance(schema[name].format, CompactPositions), name
    assert not isinstance(schema["fold"].format, CompactPositions)  # counts only
    # the boost stays the field's
    assert schema[TEXT_EXACT_FIELD].format.field_boost == TEXT_EXACT_BOOST


def _build(folder, bodies):
    schema = Schema(id=ID(stored=True), text=build_schema()[TEXT_EXACT_FIELD])
    ix = whoosh_index.create_in(str(folder), schema)
    writer = BuildSegmentWriter(ix, codec=CompactCodec(inlinelimit=INLINE_LIMIT))
    for number, body in enumerate(bodies):
        writer.add_document(id=str(number), text=body)
    writer.commit()
    return whoosh_index.open_dir(str(folder))


def test_whooshs_own_phrase_queries_read_the_positions(tmp_path):
    bodies = [
        "мемлекет басшысы сапармен келді",
        "басшысы мемлекет туралы айтты",
        "жаңа мемлекет басшысы және мемлекет басшысы",
    ]
    ix = _build(tmp_path, bodies)
    with ix.searcher() as searcher:
        hits = searcher.search(wq.Phrase("text", ["мемлекет", "басшысы"]))
        assert sorted(hit["id"] for hit in hits) == ["0", "2"]
        matcher = searcher.reader().postings("text", "басшысы")
        seen = {}
        while matcher.is_active():
            seen[matcher.id()] = matcher.value_as("positions")
            matcher.next()
        assert seen == {0: [1], 1: [0], 2: [2, 5]}


def test_inlined_postings_are_read_by_whoosh_and_take_less_room(tmp_path):
    ix = _build(tmp_path, ["бір сөз", "бір сөз тағы сөз"])
    with ix.reader() as reader:
        (segment_reader, _), *_ = reader.leaf_readers()
        table = segment_reader._terms._tindex
        key = next(key for key, _ in table if key.endswith("сөз".encode()))
        entry = table[key]
        info = reader.term_info("text", "сөз")
        assert info.is_inlined() and info.doc_frequency() == 2 and info.weight() == 4.5
        ids, weights, values = info.inlined_postings()
        assert ids == (0, 1)
        assert weights == (1.5, 3)  # the field's boost 1.5 times the count
        assert [positions.decode(value) for value in values] == [[1], [1, 3]]
    stock = W3TermInfo()
    stock.__dict__.update(info.__dict__)
    assert len(entry) < len(stock.to_bytes()) / 3  # Whoosh's layout: 23 bytes and a pickle


def test_merged_segments_keep_every_position(tmp_path):
    """Whoosh's merge (an update's) hands the stored values over as they are: after merging,
    Whoosh's matchers and the posting arrays give the positions the segments had."""
    schema = Schema(id=ID(stored=True), text=build_schema()[TEXT_EXACT_FIELD])
    ix = whoosh_index.create_in(str(tmp_path), schema)
    bodies = [f"сөз {'тағы ' * n}сөз бір {n}" for n in range(12)]
    for part in (bodies[:6], bodies[6:]):
        writer = _arrays_writer(ix)
        for body in part:
            writer.add_document(id=body, text=body)
        writer.commit(merge=False)
    before = _every_position(ix)
    _arrays_writer(ix).commit(optimize=True)
    with ix.reader() as reader:
        assert len(list(reader.leaf_readers())) == 1
    after = _every_position(ix)
    assert after == before
    assert after["сөз", bodies[5]] == [0, 6]
    assert after["тағы", bodies[3]] == [1, 2, 3]


def _arrays_writer(ix):
    """A writer as the build's: separate files (the posting arrays need them), and terms in
    two documents also written as arrays."""
    codec = CompactCodec(inlinelimit=INLINE_LIMIT)
    return BuildSegmentWriter(ix, codec=codec, compound=False, array_min_docs=2)


def _every_position(ix):
    """``{(word, document id): positions}`` by Whoosh's matchers, checked against the
    posting arrays (which every segment has for some words)."""
    found = {}
    compared = 0
    with ix.searcher() as searcher:
        segments = searcher.subsearchers or [(searcher, 0)]
        for reader, offset in [(sub.reader(), start) for sub, start in segments]:
            stored = StoredArrays.of(reader)
            for word in [t.decode() for t in reader.lexicon("text")]:
                matcher = reader.postings("text", word)
                local = {}
                while matcher.is_active():
                    local[matcher.id()] = matcher.value_as("positions")
                    matcher.next()
                arrays = stored.positions("text", word, sorted(local))
                if arrays is not None:
                    assert arrays == local, word
                    compared += 1
                for docnum, where in local.items():
                    found[word, searcher.stored_fields(docnum + offset)["id"]] = where
    assert compared >= 2 * len(segments)  # сөз and тағы in every segment, at least
    return found
