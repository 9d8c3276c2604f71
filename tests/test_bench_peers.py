"""``search-service bench --peers``: the peer engines beside ours, and skipping missing ones.

SQLite FTS5 is always there (the standard library's sqlite3); tantivy (the ``peers`` extra)
and Xapian (Debian's python3-xapian) are used when installed and said to be skipped when not.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import shutil
import subprocess
import sys

import click
import pytest
from click.testing import CliRunner

from search_service.cli import main
from search_service.tools.bench import peerrun, peers
from search_service.tools.bench.queries import QuerySpec
from search_service.tools.bench.report import PEER_MEASURES

DOCUMENTS = [
    {
        "id": "ru.1",
        "date": 20210301,
        "title": "Итоги голосования",
        "body": "На выборах в парламент победила партия. Министерство здравоохранения сообщило.",
    },
    {
        "id": "ru.2",
        "date": 20230510,
        "title": "Выборы акима",
        "body": "Жители выбрали акима села. Здравоохранения министерство не комментирует.",
    },
    {
        "id": "kk.1",
        "date": 20220115,
        "title": "Сайлау өтті",
        "body": "Облыста сайлау учаскелері ашылды. <script>alert(1)</script>",
    },
]


def installed() -> list[peers.Located]:
    return [found for found in (p.locate() for p in peers.PEERS.values()) if found.ok]


def query(*words: str, phrase: bool = False, date: list[int] | None = None) -> dict:
    return {"words": list(words), "phrase": phrase, "date": date}


@pytest.mark.parametrize("found", installed(), ids=lambda found: found.name)
def test_each_installed_peer_searches_and_pages_with_its_own_analysis(found, tmp_path):
    if found.python != sys.executable:
        pytest.skip(f"{found.name} runs under {found.python} here (see the worker test)")
    peer = peers.PEERS[found.name]
    engine = peer(found.import_path)
    engine.build(DOCUMENTS, tmp_path)
    engine.open(tmp_path)
    try:
        stemmed = found.name != "fts5"  # FTS5 has no Russian stemmer
        # "выборы" is in a headline; "выборах" in a body: only a stemmer joins them.
        assert engine.search(query("выборы")).total == (2 if stemmed else 1)
        both = engine.search(query("министерство", "здравоохранения"))
        assert both.total == 2
        phrase = engine.search(query("министерство", "здравоохранения", phrase=True))
        assert [hit_id for hit_id, _ in phrase.top] == ["ru.1"]
        dated = engine.search(query("здравоохранения", date=[20230101, 20231231]))
        assert dated.top == [("ru.2", "Выборы акима")]
        page = engine.page(query("сайлау"))
        assert page.total == 1 and page.top[0][0] == "kk.1"
        assert len(page.snippets) == 1 and "<b>" in page.snippets[0]
        assert engine.search(query("несуществующееслово")).total == 0
    finally:
        engine.close()


@pytest.mark.slow
def test_xapian_falls_back_to_debians_python_in_the_worker(tmp_path, monkeypatch):
    """When this interpreter cannot import Xapian at all, the worker runs under Debian's."""
    probe = [peers.DEBIAN_PYTHON, "-I", "-c", "import xapian"]
    if not shutil.which(peers.DEBIAN_PYTHON) or subprocess.run(probe, check=False).returncode:
        pytest.skip("Debian's python3-xapian is not installed")
    monkeypatch.setitem(sys.modules, "xapian", None)  # `import xapian` fails here
    monkeypatch.setattr(peers, "DEBIAN_DIST_PACKAGES", str(tmp_path / "none"))
    found = peers.XapianPeer.locate()
    if found.python == sys.executable:
        pytest.skip("this interpreter is Debian's own")
    assert found.ok and found.python == peers.DEBIAN_PYTHON and "run under" in found.how
    documents = tmp_path / "documents.jsonl"
    documents.write_text("".join(json.dumps(d) + "\n" for d in DOCUMENTS), encoding="utf-8")
    job = {"engine": "xapian", "documents": str(documents), "index": str(tmp_path / "ix")}
    built = peerrun._worker(found.python, {**job, "phase": "build"}, tmp_path)
    assert built["documents"] == 3 and built["index_bytes"] > 0 and built["seconds"] > 0
    asked = {"queries": [query("министерства")], "repeats": 2, "warmup": 1}
    answered = peerrun._worker(found.python, {**job, "phase": "query", **asked}, tmp_path)
    (record,) = answered["queries"]
    assert record["total"] == 2 and len(record["search_ms"]) == 2
    assert "<b>" in record["snippet"]


@pytest.mark.parametrize(
    ("q", "expected"),
    [
        (QuerySpec("выборы"), {"words": ["выборы"], "phrase": False, "date": None}),
        (QuerySpec("бюджет страны"), {"words": ["бюджет", "страны"], "phrase": False}),
        (QuerySpec('"премьер-министр"'), {"words": ["премьер-министр"], "phrase": True}),
        (
            QuerySpec("бюджет", date_from=dt.date(2021, 1, 1)),
            {"words": ["бюджет"], "date": [20210101, 99991231]},
        ),
    ],
)
def test_benchmark_queries_become_peer_queries(q, expected):
    assert peerrun.peer_query(q).items() >= expected.items()


def test_peer_names_are_checked():
    assert peerrun.peer_list("all") == tuple(peers.PEERS)
    assert peerrun.peer_list("FTS5, xapian,fts5") == ("fts5", "xapian")
    with pytest.raises(click.BadParameter, match="known: xapian, tantivy, fts5"):
        peerrun.peer_list("fts5,lucene")
    result = CliRunner().invoke(main, ["bench", "--peers-only"])
    assert result.exit_code == 2


class GhostPeer(peers.Fts5Peer):
    """A peer whose engine is not installed."""

    name = "ghost"
    module = "search_service_ghost_engine"


@pytest.mark.slow
def test_bench_peers_prints_their_rows_ratios_and_a_line_for_a_missing_one(tmp_path, monkeypatch):
    """The sample archive, our two builds and every installed peer: about 15 s."""
    monkeypatch.setitem(peers.PEERS, "ghost", GhostPeer)
    for key in [k for k in os.environ if k.startswith("SEARCH_SERVICE_")]:
        monkeypatch.delenv(key)
    output = tmp_path / "bench.json"
    arguments = ["bench", "--peers", "xapian,tantivy,fts5,ghost", "--peers-only"]
    arguments += ["--repeats", "2", "--work", str(tmp_path / "work"), "--json", str(output)]
    result = CliRunner().invoke(main, arguments)
    assert result.exit_code == 0, result.output
    figures, text = json.loads(output.read_text(encoding="utf-8")), result.output

    ran = {found.name for found in installed()} & {"xapian", "tantivy", "fts5"}
    assert "fts5" in ran
    peer_figures = figures["peers"]
    assert set(peer_figures["engines"]) == ran
    assert peer_figures["skipped"]["ghost"].startswith("not installed")
    assert "ghost: skipped, not installed (No module named 'search_service_ghost_engine')" in text
    for name in {"xapian", "tantivy"} - ran:
        assert f"{name}: skipped, not installed" in text

    documents = figures["corpus"]["documents"]
    kinds = set(peerrun.PEER_KINDS)
    assert set(peer_figures["ours"]["by_kind"]) == kinds
    for name in ran:
        entry = peer_figures["engines"][name]
        assert entry["build"]["documents"] == documents
        assert entry["build"]["docs_per_s"] > 0 and entry["build"]["index_bytes"] > 0
        assert set(entry["by_kind"]) == kinds
        for figure in entry["by_kind"].values():
            assert all(figure[f"{measure}_p50_ms"] > 0 for measure in PEER_MEASURES)
        ratios = figures["ratios"]["peers"][name]
        assert set(ratios) == {"build_docs_per_s", "index_size", *PEER_MEASURES}
        assert all(value > 0 for value in ratios.values()), ratios
        # One row per engine in the table, and one row of ratios.
        assert any(line.startswith(f"{name} {entry['version']} ") for line in text.splitlines())
        assert any(line.split()[:1] == [name] and "." in line for line in text.splitlines())
    # The words of the sample are found by every engine (the same articles were indexed).
    assert all(peer_figures["engines"][n]["by_kind"]["ru_word"]["hits"] > 0 for n in ran)
    assert peer_figures["ours"]["by_kind"]["ru_word"]["hits"] > 0
    # Our search is the page less the hits' markup and "did you mean": never more than it.
    for record in peer_figures["ours"]["queries"]:
        assert 0 < record["search_p50_ms"] <= record["page_p50_ms"], record
    if "xapian" in ran:
        assert figures["targets"]["build_all_cores_vs_xapian"]["figure"] > 0
        assert figures["targets"]["index_size_vs_xapian"]["figure"] > 0
    assert "PEERS (the same" in text and "ours / peer" in text
