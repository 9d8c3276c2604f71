"""The build's segment writer writes what Whoosh's own writer writes: the same terms, postings,
positions and statistics, also when postings spill to runs on disk and rare terms are inlined."""

import copy
import io
import pickle
import struct
import zlib
from pathlib import Path

import pytest
from whoosh import index as whoosh_index
from whoosh.codec.whoosh3 import W3Codec
from whoosh.fields import TEXT
from whoosh.filedb.filestore import FileStorage
from whoosh.writing import SegmentWriter

from search_service.archive import read_article, walk_archive
from search_service.engine import segment_writer
from search_service.engine.term_infos import COMPACT_INLINED, CompactCodec
from search_service.indexer import article_document
from search_service.schema import build_schema

TEXT_FIELDS = ("title", "title_exact", "text", "text_exact", "fold")
WORDS = [
    "мектеп",
    "бюджет",
    "сайлау",
    "выборы",
    "Өскемен",
    "экономика",
    "нефть",
    "жаңа",
    "үкімет",
    "закон",
]


def documents(root: Path, count: int = 40) -> list[dict]:
    """Articles whose words are in every document, in some, or in one."""
    for n in range(count):
        common = " ".join(word for i, word in enumerate(WORDS) if n % (i + 1) == 0)
        body = (
            f"Облыста {common} талқыланды. В городе {common} обсуждали, стали лучше. "
            f"Нұр-Сұлтан{n % 3} мен Өскемен-{n % 5}. Qazaqstan men Reseı {n}. Нөмір{n}."
        )
        path = root / f"kk/2024/01/a{n:03d}.txt"
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(f"date 2024-01-{n % 28 + 1:02d} Жаңалық {n}\n{body}\n", "utf-8")
    articles = [read_article(file, 1_000_000) for file in walk_archive([root])]
    return [article_document(article) for article in articles]


def stock_schema():
    """The schema with Whoosh's own ``TEXT`` fields: postings made from the token stream."""
    schema = build_schema()
    for name in TEXT_FIELDS:
        field = copy.copy(schema[name])
        field.__class__ = TEXT
        schema.remove(name)
        schema.add(name, field)
    return schema


def index_with(folder: Path, docs: list[dict], make_writer, schema=None) -> whoosh_index.Index:
    folder.mkdir()
    ix = whoosh_index.create_in(str(folder), schema or build_schema())
    writer = make_writer(ix)
    for doc in docs:
        writer.add_document(**doc)
    writer.commit()
    return ix


def contents(ix: whoosh_index.Index) -> dict:
    """Every term's statistics and postings (document, weight, positions or frequency)."""
    found = {}
    with ix.reader() as reader:
        for field in TEXT_FIELDS:
            has_positions = ix.schema[field].format.supports("positions")
            for term in reader.lexicon(field):
                info = reader.term_info(field, term)
                matcher = reader.postings(field, term)
                postings = []
                while matcher.is_active():
                    value = matcher.value_as("positions" if has_positions else "frequency")
                    postings.append((matcher.id(), matcher.weight(), value))
                    matcher.next()
                stats = (info.doc_frequency(), info.weight(), info.min_length())
                stats += (info.max_length(), info.max_weight(), info.min_id(), info.max_id())
                stats += (reader.frequency(field, term), reader.doc_frequency(field, term))
                found[field, term] = (stats, postings)
    return found


@pytest.fixture(scope="module")
def docs(tmp_path_factory):
    return documents(tmp_path_factory.mktemp("archive"))


def test_same_index_as_whoosh_with_spills_inlined_terms_and_direct_postings(
    tmp_path, docs, monkeypatch
):
    stock = index_with(
        tmp_path / "stock", docs, lambda ix: SegmentWriter(ix, codec=W3Codec()), stock_schema()
    )
    assert type(stock.schema["text"]) is TEXT
    runs = []
    original = segment_writer.TermPool._write_run
    monkeypatch.setattr(
        segment_writer.TermPool,
        "_write_run",
        lambda pool, items: runs.append(name := original(pool, items)) or name,
    )
    monkeypatch.setattr(segment_writer, "MAX_OPEN_RUNS", 3)  # runs are merged in rounds too
    ours = index_with(
        tmp_path / "ours",
        docs,
        lambda ix: segment_writer.BuildSegmentWriter(
            ix, limitmb=0.02, codec=CompactCodec(inlinelimit=8), array_min_docs=5, compound=False
        ),
    )
    assert len(runs) > 6  # spilled, and merged in more than one round
    expected, got = contents(stock), contents(ours)
    assert got.keys() == expected.keys()
    assert got == expected
    with ours.reader() as reader:
        infos = [reader.term_info(field, term) for field, term in got]
        inlined = sum(info.is_inlined() for info in infos)
    assert 0 < inlined < len(infos)  # rare terms inline, common ones in blocks
    assert list((tmp_path / "ours").glob("*.arr")) and list((tmp_path / "ours").glob("*.art"))
    assert not list((tmp_path / "ours").glob("*.run")) and not list(tmp_path.rglob("*.run"))


def test_pool_merges_runs_in_document_order(tmp_path, monkeypatch):
    monkeypatch.setattr(segment_writer, "MAX_OPEN_RUNS", 2)
    storage = FileStorage(str(tmp_path)).create()
    pool = segment_writer.TermPool(storage, limitmb=0.0005)  # a run every few postings
    expected = {}
    for docnum in range(30):
        terms = (b"a", b"b" if docnum % 3 else b"c", b"z%d" % (docnum % 4))
        items = [(term, 2, 2.0, b"v%d" % docnum) for term in terms]
        assert pool.add_field("text", docnum, items, boost=1.5) == 6  # the field's length
        for term in terms:
            expected.setdefault(("text", term), []).extend([docnum, 3.0, b"v%d" % docnum])
    pool.add(("title", b"t", 0, 1.0, b""))  # Whoosh's one-posting interface
    expected["title", b"t"] = [0, 1.0, b""]
    assert len(pool.runs) > 4
    merged = list(pool.terms())
    assert [key for key, _ in merged] == sorted(expected)
    assert dict(merged) == expected
    assert not list(tmp_path.glob("*.run"))  # every run file deleted once read


def test_pool_refuses_postings_out_of_document_order(tmp_path):
    pool = segment_writer.TermPool(FileStorage(str(tmp_path)).create(), limitmb=64)
    pool.add(("text", b"a", 5, 1.0, b""))
    with pytest.raises(ValueError, match="order"):
        pool.add(("text", b"a", 4, 1.0, b""))


def test_fields_with_spelling_words_are_refused(tmp_path):
    from whoosh.analysis import StemmingAnalyzer
    from whoosh.fields import TEXT, Schema

    field = TEXT(analyzer=StemmingAnalyzer(), spelling=True)  # spelling words apart from terms
    ix = whoosh_index.create_in(str(tmp_path), Schema(body=field))
    with pytest.raises(ValueError, match="spelling words"):
        segment_writer.BuildSegmentWriter(ix)


def test_inlined_terms_are_written_compactly(tmp_path, docs):
    ours = index_with(
        tmp_path / "ours",
        docs,
        lambda ix: segment_writer.BuildSegmentWriter(
            ix, codec=CompactCodec(inlinelimit=8), compound=False
        ),
    )
    with ours.reader() as reader:
        (leaf, _), *_ = reader.leaf_readers()
        entries = list(leaf._terms._tindex.items())
    inlined = [value for _, value in entries if value[0] == COMPACT_INLINED]
    assert inlined and all(value[0] in (0, COMPACT_INLINED) for _, value in entries)
    (table,) = (tmp_path / "ours").glob("*.trm")
    assert b"\x80\x03" not in table.read_bytes()  # no pickle of the inlined postings


def test_a_build_writer_refuses_a_codec_that_cannot_read_its_term_infos(tmp_path):
    ix = whoosh_index.create_in(str(tmp_path), build_schema())
    with pytest.raises(TypeError, match="CompactCodec"):
        segment_writer.BuildSegmentWriter(ix, codec=W3Codec())
    segment_writer.BuildSegmentWriter(ix).cancel()  # the codec it takes unless told


def test_posting_blocks_pickle_bytes_as_bytes(tmp_path, docs):
    """A block's data is pickled with protocol 3 (Whoosh's protocol 2 writes every value as a
    call to ``codecs.encode``), and Whoosh's matchers read it (``contents`` above)."""
    ours = index_with(
        tmp_path / "ours",
        docs,
        lambda ix: segment_writer.BuildSegmentWriter(
            ix, codec=CompactCodec(inlinelimit=1), compound=False
        ),
    )
    with ours.reader() as reader:
        (leaf, _), *_ = reader.leaf_readers()
        offset, _ = reader.term_info("text_exact", "облыста").extent()
        raw = bytes(leaf._terms._postfile.get(offset, 8))
        assert raw[:4] == b"W3Bl"
        (length,) = struct.unpack("!i", raw[4:])
        block = io.BytesIO(bytes(leaf._terms._postfile.get(offset + 8, abs(length))))
        count, *_ = pickle.Unpickler(block).load()  # the block's statistics
        data = zlib.decompress(block.read())
    assert count == len(docs) and data[:2] == b"\x80\x03" and b"_codecs" not in data
    ids, _, values = pickle.loads(data)
    assert len(ids) == len(values) == count
