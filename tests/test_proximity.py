"""The proximity bonus: words in order within their slop, computed for the best hits."""

import pytest

from search_service.engine.proximity import near_count


@pytest.mark.parametrize(
    ("positions", "slop", "count"),
    [
        ([[0], [1]], 0, 1),  # side by side
        ([[0], [2]], 0, 0),  # one word between, no slop
        ([[0], [5]], 4, 1),  # four words between
        ([[0], [6]], 4, 0),  # five words between
        ([[5], [3]], 4, 0),  # wrong order
        ([[0, 10, 20], [2, 12, 40]], 4, 2),
        ([[0], [2], [4]], 1, 1),  # three words, each near the one before
        ([[0], [2], [9]], 1, 0),
        ([[0, 3], [4]], 0, 1),  # the later start is the near one
    ],
)
def test_near_count(positions, slop, count):
    assert near_count(positions, slop) == count


def test_pages_of_a_rescored_query_show_every_hit_once(tmp_path):
    from search_service import indexer
    from search_service.engine.proximity import RESCORE_DEPTH
    from search_service.models import SearchRequest
    from search_service.searcher import ArchiveSearcher

    archive = tmp_path / "archive"
    count = RESCORE_DEPTH + 25
    for n in range(count):
        # The two words near each other or not; every body has the same length, so only
        # the proximity bonus can order them.
        gap, pad = " ".join(["слово"] * (n % 9)), " ".join(["слово"] * (8 - n % 9))
        body = f"Бюджет {gap} области обсудили депутаты {pad}. Заседание номер {n}."
        path = archive / f"ru/2024/01/a{n:03d}.txt"
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(f"date 2024-01-{n % 28 + 1:02d} Заседание {n}\n{body}\n", encoding="utf-8")
    indexer.build([archive], tmp_path / "index")
    searcher = ArchiveSearcher(tmp_path / "index")
    seen = []
    for page in range(1, 15):
        result = searcher.search(SearchRequest(q="бюджет области", page=page, per_page=10))
        assert result.total == count
        seen += [hit.id for hit in result.hits]
    assert len(seen) == count and len(set(seen)) == count
    # Articles whose two words stand within the slop (n % 9 <= 4) rank first.
    first = searcher.search(SearchRequest(q="бюджет области", per_page=20)).hits
    gaps = [int(hit.id.rsplit("a", 1)[1]) % 9 for hit in first]
    assert all(gap <= 4 for gap in gaps), gaps
