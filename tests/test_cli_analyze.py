"""`search-service analyze` and `bench-text`: what the index makes of words, measured."""

import json
from pathlib import Path

import pytest

from search_service.cli import main

UD = Path(__file__).resolve().parents[1].parent / "shared" / "ud"


def test_words_are_routed_one_by_one(runner):
    result = runner.invoke(main, ["analyze", "Қазақстанға", "конституции", "Qazaqstanǵa"])
    assert result.exit_code == 0, result.output
    lines = [line.split("\t") for line in result.output.strip().splitlines()]
    assert [(line[0], line[1], line[2]) for line in lines] == [
        ("Қазақстанға", "kk", "қазақстан"),
        ("конституции", "ru", "конституция"),
        ("Qazaqstanǵa", "kk", "қазақстан"),
    ]
    assert lines[2][3] == "[exact: қазақстанға]"  # Latin Kazakh has a Cyrillic exact form


def test_json_gives_one_object_per_input_line(runner):
    stdin = "Тоқаевтың сайлауы\n\nВыборы в парламент\n"
    result = runner.invoke(main, ["analyze", "--json"], input=stdin)
    assert result.exit_code == 0, result.output
    records = [json.loads(line) for line in result.output.strip().splitlines()]
    assert [r["input"] for r in records] == ["Тоқаевтың сайлауы", "Выборы в парламент"]
    assert records[0]["lang"] == "kk" and records[0]["keys"] == ["тоқаев", "сайла"]
    assert records[1]["lang"] == "ru" and records[1]["keys"] == ["выборы", "парламент"]
    assert [w["keys"] for w in records[1]["words"]][1] == []  # "в" is a stop word


def test_language_can_be_forced(runner):
    result = runner.invoke(main, ["analyze", "--json", "--lang", "ru", "сайлау"])
    assert json.loads(result.output)["lang"] == "ru"
    result = runner.invoke(main, ["analyze", "--json", "--lang", "query", "выборы"])
    record = json.loads(result.output)
    assert "выборы" in record["keys"]


@pytest.mark.skipif(not UD.is_dir(), reason="../shared/ud is not here")
def test_bench_text_prints_ours_against_the_baselines(runner, tmp_path):
    out = tmp_path / "figures.json"
    result = runner.invoke(main, ["bench-text", "--ud", str(UD), "--json", str(out)])
    assert result.exit_code == 0, result.output
    for system in ("lower-case", "snowball", "pymorphy3 first", "pymorphy3 every", "ours"):
        assert system in result.output
    figures = json.loads(out.read_text(encoding="utf-8"))
    assert figures
