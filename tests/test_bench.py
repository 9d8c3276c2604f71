"""The benchmark runs end to end on the sample archive (its small profile) and reports sanely.

This keeps ``search-service bench`` from rotting: every section must be there with figures
that make sense. The figures themselves are not checked against the targets (CI machines are
noisy and the sample archive is tiny).
"""

import json
import os

import pytest
from click.testing import CliRunner

from search_service.cli import main
from search_service.tools.bench import SAMPLE_ARCHIVE, _scale_list, corpus, queries, report

SECTIONS = (
    "machine",
    "corpus",
    "build",
    "queries",
    "first_queries",
    "http",
    "update",
    "scale",
    "targets",
)


# The benchmark's small profile builds and measures several indexes: about 35 s.
pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def small_run(tmp_path_factory):
    """One small-profile run (plus a tiny scale point) through the command line."""
    work = tmp_path_factory.mktemp("bench")
    output = work / "bench.json"
    with pytest.MonkeyPatch.context() as patch:
        for key in list(os.environ):
            if key.startswith("SEARCH_SERVICE_"):
                patch.delenv(key)
        arguments = ["bench", "--profile", "small", "--scale", "60", "--json", str(output)]
        arguments += ["--work", str(work / "work"), "--http-seconds", "2"]
        result = CliRunner().invoke(main, arguments)
    assert result.exit_code == 0, result.output
    return json.loads(output.read_text(encoding="utf-8")), result.output


def test_every_section_is_reported(small_run):
    figures, output = small_run
    for section in SECTIONS:
        assert section in figures, section
    for heading in ("BUILD", "QUERIES", "FIRST QUERIES", "HTTP", "UPDATE", "SCALE", "TARGETS"):
        assert heading in output
    assert figures["machine"]["cpu_count"] >= 1 and figures["machine"]["whoosh"]


def test_builds_have_positive_rates_and_memory(small_run):
    figures, _ = small_run
    documents = figures["corpus"]["documents"]
    assert documents > 0
    for key in ("ours_single", "baseline", "ours_all"):
        build = figures["build"][key]
        assert build["documents"] == documents
        assert build["docs_per_s"] > 0 and build["mb_per_s"] > 0
        assert build["peak_rss_mb"] > 10
        assert build["index_bytes"] > 0
    assert sum(figures["build"]["ours_single"]["shares"].values()) == pytest.approx(1, abs=0.01)
    assert figures["build"]["profile"]["share"]["analysis"] > 0


def test_query_classes_have_ordered_percentiles_for_both_sides(small_run):
    figures, _ = small_run
    for side in ("ours", "baseline"):
        classes = figures["queries"][side]
        assert set(classes) == set(queries.QUERY_CLASSES)
        for name, summary in classes.items():
            assert 0 < summary["p50_ms"] <= summary["p95_ms"], (side, name)
        page = figures["queries"]["full_page"][side]
        assert 0 < page["p50_ms"] <= page["p95_ms"]
    assert all(r > 0 for r in figures["ratios"]["query_p50_by_class"].values())
    # The sample archive has these words, so the classes really search something.
    assert any(q["total"] > 0 for q in figures["queries"]["ours"]["kk_word"]["queries"])
    assert any(q["total"] > 0 for q in figures["queries"]["ours"]["ru_word"]["queries"])


def test_http_load_has_no_errors(small_run):
    figures, _ = small_run
    http = figures["http"]
    assert "error" not in http, http.get("error")
    assert http["non_2xx"] == 0 and http["exceptions"] == 0, http["error_examples"]
    assert http["requests_per_s"] > 0
    assert 0 < http["p50_ms"] <= http["p95_ms"] <= http["p99_ms"]
    assert http["by_kind"]["html"]["ok"] > 0 and http["by_kind"]["json"]["ok"] > 0
    assert http["server"]["peak_rss_mb"] > 10


def test_update_and_scale(small_run):
    figures, _ = small_run
    point = figures["scale"]["points"][0]
    assert point["documents"] == 60
    assert point["build_ours"]["docs_per_s"] > 0
    assert point["build_baseline"]["docs_per_s"] > 0
    assert "REPLICATED" in figures["scale"]["note"]
    sizes = point["sizes"]
    parts = sum(f["total_bytes"] for f in sizes["fields"].values()) + sum(sizes["parts"].values())
    assert parts == sizes["total_bytes"] == point["build_ours"]["index_bytes"]
    assert sizes["fields"]["text"]["term_table_bytes"] > 0
    first = point["first_queries"]
    assert first["queries"] == 100 and first["ok"] == 100 and first["errors"] == 0
    update = figures["update"]
    assert update["added"] == 20
    assert update["index_documents"] == 60
    assert update["seconds"] > 0


def test_targets_carry_a_verdict_for_what_was_measured(small_run):
    figures, _ = small_run
    targets = figures["targets"]
    assert set(targets) == set(report.TARGETS)
    assert targets["http_errors"]["met"] is True
    assert targets["build_peak_rss_mb"]["met"] is True
    # The query targets are stated at 200k documents: a tiny run is only indicative.
    assert targets["query_p50_ms"]["conclusive"] is False


def test_copies_get_new_ids_and_earlier_dates(tmp_path):
    source = tmp_path / "archive"
    (source / "kk").mkdir(parents=True)
    (source / "kk" / "a.txt").write_text("date 2025-03-07 Сайлау\nМәтін.", encoding="utf-8")
    base = corpus.scan([source])
    scaled = corpus.replicate(base, tmp_path / "copies", 3)
    assert scaled.documents == 3
    copies = sorted((tmp_path / "copies").rglob("*.txt"))
    assert [p.relative_to(tmp_path / "copies").as_posix() for p in copies] == [
        "c0001/kk/a.txt",
        "c0002/kk/a.txt",
    ]
    assert copies[0].read_text(encoding="utf-8").startswith("date 2024-12-06 Сайлау")
    assert corpus.scan(scaled.roots).documents == 3


def test_small_helpers():
    assert corpus.shifted(b"\xef\xbb\xbfdate 2025-03-01 X", 1) == b"\xef\xbb\xbfdate 2025-02-28 X"
    assert corpus.shifted(b"no date", 5) == b"no date"
    assert queries.percentile([1.0, 2.0, 3.0, 4.0], 0.5) == 2.5
    assert queries.percentile([], 0.95) == 0.0
    assert _scale_list("10000,50_000, 200000") == (10_000, 50_000, 200_000)
    assert _scale_list("none") == ()
    assert SAMPLE_ARCHIVE.is_dir()


def test_a_fresh_server_answers_every_first_query(small_run):
    figures, _ = small_run
    first = figures["first_queries"]
    assert first["queries"] == 100 and first["ok"] == 100 and first["errors"] == 0
    assert 0 < first["p50_ms"] <= first["p95_ms"] <= first["max_ms"]
    assert first["first_ms"] > 0 and first["server_ready_s"] > 0
    for name in ("first_request_ms", "first_queries_p50_ms", "first_queries_p95_ms"):
        assert figures["targets"][name]["figure"] is not None
        # the scale point's figures: the target is stated at 200k, so a tiny run only indicates
        at_scale = figures["targets"][f"{name}_at_scale"]
        assert at_scale["figure"] is not None and at_scale["conclusive"] is False


def test_the_report_shows_sizes_and_first_queries_at_each_scale_point(small_run):
    _, output = small_run
    assert "INDEX SIZE BY PART" in output and "field text" in output and "60 docs" in output
    assert "slowest at 60 (ms)" in output
