"""`search-service bench-retrieval`: the small profile end to end, and the run it writes.

The end-to-end test runs the Kazakh part of the retrieval set in ../shared (skipped when it is
absent) so that the command cannot rot. Its figures are not held to targets here: it checks
that every kind is reported, for us and the baselines, with figures that are shares.
"""

import io
import json
import os
from pathlib import Path

import pytest
from click.testing import CliRunner

from search_service.archive import article_id
from search_service.cli import EXIT_USAGE, main
from search_service.tools.bench import retrieval

SHARED = Path(__file__).resolve().parents[1].parent / "shared"
SET = SHARED / "retrieval"
CORPUS = SHARED / "corpus"
KAZAKH = ("kk", "kk-cyr")

needs_shared = pytest.mark.skipif(
    not (SET / "queries.jsonl").is_file() or not (CORPUS / "kk.tar.gz").is_file(),
    reason="../shared/retrieval or ../shared/corpus is not beside the repo",
)


def invoke(arguments: list[str]):
    with pytest.MonkeyPatch.context() as patch:
        for key in list(os.environ):
            if key.startswith("SEARCH_SERVICE_"):
                patch.delenv(key)
        return CliRunner().invoke(main, arguments)


@pytest.fixture(scope="module")
def small_run(tmp_path_factory):
    """One small-profile run through the command line: (figures, printed text, run lines)."""
    work = tmp_path_factory.mktemp("retrieval")
    figures, runs = work / "figures.json", work / "run.jsonl"
    arguments = ["bench-retrieval", "--profile", "small", "--work", str(work / "work")]
    result = invoke([*arguments, "--json", str(figures), "--runs", str(runs)])
    assert result.exit_code == 0, result.output
    lines = [json.loads(line) for line in runs.read_text(encoding="utf-8").splitlines()]
    return json.loads(figures.read_text(encoding="utf-8")), result.output, lines


def small_profile_queries() -> list[dict]:
    queries = retrieval.read_queries(SET / "queries.jsonl")
    return [q for q in queries if all(r.split("/")[0] in KAZAKH for r in q["relevant"])]


@pytest.mark.slow  # about 25 s: an index of the 716 Kazakh articles, 146 queries, baselines
@needs_shared
def test_small_profile_reports_every_kind_it_holds(small_run):
    figures, output, _ = small_run
    kinds = {q["kind"] for q in small_profile_queries()}
    assert kinds and "ru-dict" not in kinds
    assert set(figures["ours"]["kinds"]) == kinds
    table = output.split("FAILURES")[0]
    for kind in kinds:
        assert kind in table, kind
    assert "profile small" in output and "fold5" in output
    assert figures["queries"] == len(small_profile_queries())
    assert figures["unindexed_relevant"] == []  # the ids the scorer expects are the index's


@pytest.mark.slow
@needs_shared
def test_figures_are_shares_for_us_and_every_baseline(small_run):
    figures, _, _ = small_run
    assert set(figures["baselines"]) == set(retrieval.BASELINES)
    for run in [figures["ours"], *figures["baselines"].values()]:
        for block in [*run["kinds"].values(), run["known_item"], run["sets"]]:
            for name, value in block.items():
                if name != "n":
                    assert isinstance(value, float) and 0 <= value <= 1, (name, value)
    for mode in ("page", "export"):
        timing = figures["query_ms"][mode]
        assert timing["n"] > 0 and 0 < timing["p50_ms"] <= timing["p95_ms"]


@pytest.mark.slow
@needs_shared
def test_run_file_has_every_query_with_product_ids(small_run):
    _, _, lines = small_run
    assert [line["qid"] for line in lines] == [q["qid"] for q in small_profile_queries()]
    hits = [hit for line in lines for hit in line["hits"]]
    assert hits and all(hit.split(".")[0] in KAZAKH and "/" not in hit for hit in hits)


def test_run_lines_write_one_json_object_per_query():
    out = io.StringIO()
    retrieval.write_runs(out, {"a": ["kk.2026.01.x", "kk-cyr.undated.y"], "b": []})
    lines = out.getvalue().splitlines()
    assert [json.loads(line) for line in lines] == [
        {"qid": "a", "hits": ["kk.2026.01.x", "kk-cyr.undated.y"]},
        {"qid": "b", "hits": []},
    ]


def test_product_ids_are_the_set_ids_with_dots():
    # The archive root holds kk/, kk-cyr/ and ru/, so a set id maps onto the product's id.
    assert article_id("kk/2026/01/kazinform-qz-517444.txt") == "kk.2026.01.kazinform-qz-517444"
    assert article_id("ru/2019/08/lenta.ru-0.txt") == "ru.2019.08.lenta.ru-0"

    def id_key(value: str) -> str:  # score.py's normalisation, for the selection below
        return value.removesuffix(".txt").replace("/", ".")

    queries = [
        {"qid": "k", "relevant": ["kk/2026/01/a", "kk-cyr/undated/b"]},
        {"qid": "r", "relevant": ["kk/2026/01/a", "ru/undated/c"]},
    ]
    assert [q["qid"] for q in retrieval.select_queries(queries, KAZAKH, id_key)] == ["k"]


@needs_shared
def test_set_scorer_reads_product_ids():
    score = retrieval.load_set_module(SET, "score")
    assert score.id_key("kk/2026/01/x") == article_id("kk/2026/01/x.txt")
    assert score.id_key("kk-cyr/undated/y") == article_id("kk-cyr/undated/y.txt")


def test_missing_set_is_a_usage_error(tmp_path):
    result = invoke(["bench-retrieval", "--set", str(tmp_path / "absent")])
    assert result.exit_code == EXIT_USAGE
    assert "not found" in result.output and "--set" in result.output


@pytest.mark.slow
@needs_shared
def test_the_no_dead_end_fallback_is_counted_apart(small_run):
    """A known item found only because the fallback dropped a word is named, and the score
    with every word required is given beside the headline."""
    figures, output, _ = small_run
    strict = figures["every_word_known_item"]["success@10"]
    assert 0 <= strict <= figures["ours"]["known_item"]["success@10"]
    assert "NO DEAD ENDS" in output
    for item in figures["relaxed"]:
        assert item["missing"] and item["query"]
