"""`search-service search`: text, JSON, JSON Lines, limits, filters and exit codes."""

import json

import pytest

from search_service.cli import EXIT_NO_INDEX, EXIT_USAGE, main

from .conftest import FILLER_COUNT, FILLER_WORD


@pytest.fixture
def run(tiny_index, runner):
    def invoke(*args, input=None):
        return runner.invoke(main, ["search", "--index", str(tiny_index), *args], input=input)

    return invoke


def test_text_output_lists_date_language_city_headline_and_id(run):
    result = run("тариф")
    assert result.exit_code == 0, result.output
    first = result.stdout.splitlines()[0]
    assert first.startswith("2024-02-01")
    for part in ("ru", "Орал", "Тариф на воду вырос", "[ru.2024.02.tariff-title]"):
        assert part in first
    assert "2 hits" in result.stderr


def test_json_is_the_api_shape(run):
    result = run("--json", "--limit", "3", FILLER_WORD)
    body = json.loads(result.stdout)
    assert body["total"] == FILLER_COUNT
    assert len(body["hits"]) == 3
    assert {"id", "headline_html", "fragments", "url"} <= set(body["hits"][0])


def test_limit_can_list_every_hit(run):
    body = json.loads(run("--json", "--limit", "10000", FILLER_WORD).stdout)
    assert len(body["hits"]) == body["total"] == FILLER_COUNT


def test_filters_and_sort(run):
    options = ("--json", "--lang", "ru", "--from", "2023-01-01", "--to", "2023-12-31")
    body = json.loads(run(*options, "--city", "Костанай", "--sort", "oldest", FILLER_WORD).stdout)
    dates = [hit["date"] for hit in body["hits"]]
    assert body["total"] == 13 and dates == sorted(dates)
    assert all(date.startswith("2023") for date in dates)


def test_queries_from_a_file_give_json_lines(run, tmp_path):
    queries = tmp_path / "queries.txt"
    queries.write_text(f"тариф\n\n{FILLER_WORD}\ndate:2025-13\n", encoding="utf-8")
    result = run("--queries", str(queries), "--limit", "1")
    assert result.exit_code == 0, result.output
    lines = [json.loads(line) for line in result.stdout.splitlines()]
    assert [line["query"] for line in lines] == ["тариф", FILLER_WORD, "date:2025-13"]
    assert [line["total"] for line in lines] == [2, FILLER_COUNT, 0]
    assert all(len(line["hits"]) <= 1 for line in lines)
    assert lines[2]["error"]["code"] == "query.bad_date"


def test_queries_from_standard_input(run):
    result = run("--queries", "-", input="тариф\nбюджет\n")
    assert [json.loads(line)["total"] for line in result.stdout.splitlines()] == [2, 1]


def test_a_query_that_cannot_be_understood_is_a_usage_error(run):
    result = run("date:2025-13")
    assert result.exit_code == EXIT_USAGE
    assert "date:2025" in result.output


@pytest.mark.parametrize(
    "args",
    [
        ("--sort", "random", "x"),
        ("--lang", "en", "x"),
        ("--from", "2025-99-01", "x"),
        ("--limit", "0", "x"),
        ("--limit", "10001", "x"),
    ],
)
def test_bad_options_are_usage_errors(run, args):
    assert run(*args).exit_code == EXIT_USAGE


def test_no_index_exits_5(tmp_path, runner):
    result = runner.invoke(main, ["search", "--index", str(tmp_path / "none"), "тариф"])
    assert result.exit_code == EXIT_NO_INDEX
    assert "no index" in result.output


def test_help_has_an_example(runner):
    result = runner.invoke(main, ["search", "--help"])
    assert result.exit_code == 0 and "Example" in result.output and "--queries" in result.output
