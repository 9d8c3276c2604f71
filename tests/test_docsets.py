"""The fast matching-document sets agree with Whoosh's own, deletions and segments included."""

import pytest

from search_service import indexer, store
from search_service.docsets import matching_docs
from search_service.query import matching_only, parse_query

WORDS = ["бюджет", "мектеп", "выборы", "сайлау", "экономика", "нефть"]


@pytest.fixture(scope="module")
def searcher(tmp_path_factory):
    root = tmp_path_factory.mktemp("docsets")
    archive = root / "archive"
    for n in range(240):
        words = " ".join(WORDS[i] for i in range(len(WORDS)) if n % (i + 2) == 0)
        body = f"В области {words} обсуждали. Облыста {words} талқыланды. Номер {n}."
        path = archive / f"kk/2024/{n % 12 + 1:02d}/a{n:03d}.txt"
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(f"date 2024-{n % 12 + 1:02d}-01 Жаңалық {n}\n{body}\n", encoding="utf-8")
    index_dir = root / "index"
    indexer.build([archive], index_dir, procs=2)  # more than one segment
    for n in range(0, 240, 7):  # deleted documents inside the segments
        (archive / f"kk/2024/{n % 12 + 1:02d}/a{n:03d}.txt").unlink()
    indexer.update([archive], index_dir)
    ix, _ = store.open_current(index_dir)
    with ix.searcher() as opened:
        yield opened


@pytest.mark.parametrize(
    "text",
    [
        "бюджет",
        "бюджет мектеп",
        "бюджет OR нефть",
        "выборы -сайлау",
        "NOT мектеп",
        "экономи*",
        '"бюджет мектеп"',
        "title:жаңалық",
        "бюджет date:2024-03..2024-06",
        "жоқсөз",
    ],
)
def test_same_documents_as_whoosh(searcher, text):
    query = matching_only(parse_query(text).query)
    expected = frozenset(searcher.docs_for_query(query))
    assert matching_docs(searcher, query) == expected


def test_deleted_documents_are_left_out(searcher):
    assert len(searcher.subsearchers) > 1
    assert searcher.reader().has_deletions()
    query = parse_query("бюджет").query
    found = matching_docs(searcher, matching_only(query))
    assert found and not any(searcher.reader().is_deleted(docnum) for docnum in found)
