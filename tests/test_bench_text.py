"""The conflation benchmark: pair counting on a toy treebank, and a real run when present."""

import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from search_service.tools import bench_text as bench

SHARED = Path(__file__).resolve().parents[1] / ".." / "shared"

TOY = """\
# text = Стали стали сталью.
1-2\tСтали\t_\t_\t_\t_\t_\t_\t_\t_
1\tСтали\tстать\tVERB\t_\t_\t0\troot\t_\t_
2\tстали\tсталь\tNOUN\t_\t_\t1\tobj\t_\t_
3\tсталью\tсталь\tNOUN\t_\t_\t1\tobl\t_\t_
4\t.\t.\tPUNCT\t_\t_\t1\tpunct\t_\t_
5\t5\t5\tNUM\t_\t_\t1\tnummod\t_\t_
6\tЁлка\tёлка\tNOUN\t_\t_\t1\tobj\t_\t_
"""


def test_read_conllu_skips_punctuation_numbers_and_ranges():
    treebank = bench.read_conllu(TOY.splitlines(keepends=True))
    assert treebank.tokens == ["Стали", "стали", "сталью", "Ёлка"]
    assert treebank.lemmas == {
        "стали": frozenset({"стать", "сталь"}),
        "сталью": frozenset({"сталь"}),
        "елка": frozenset({"елка"}),
    }


@pytest.mark.parametrize(
    ("keys", "recall", "precision"),
    [
        ({"a": {"x"}, "b": {"x"}, "c": {"y"}, "d": {"y"}}, 1.0, 1.0),
        ({"a": {"x"}, "b": {"y"}, "c": {"z"}, "d": {"w"}}, 0.0, 1.0),
        ({"a": {"x"}, "b": {"x"}, "c": {"x"}, "d": {"x"}}, 1.0, 2 / 6),
        # "b" bridges two groups through two keys: pairs ab, bc, and cd
        ({"a": {"x"}, "b": {"x", "y"}, "c": {"y", "z"}, "d": {"z"}}, 1.0, 2 / 3),
    ],
)
def test_conflation(keys, recall, precision):
    gold = {
        "a": frozenset({"1"}),
        "b": frozenset({"1"}),
        "c": frozenset({"2"}),
        "d": frozenset({"2"}),
    }
    found = bench.conflation(gold, {form: frozenset(k) for form, k in keys.items()})
    assert found[:2] == pytest.approx((recall, precision))


def _run(arguments):
    """The `bench-text` command with these arguments, its output kept apart by stream."""
    return CliRunner().invoke(bench.command, arguments)


def test_score_on_toy_treebank():
    treebank = bench.read_conllu(TOY.splitlines(keepends=True))
    result = bench.score("ru", "lower", treebank, lambda word: (bench.normal_form(word),))
    assert result.forms == 3
    assert (result.recall, result.precision) == (0.0, 1.0)
    assert result.lemma_accuracy == pytest.approx(1 / 3, abs=1e-3)  # only елка is its own lemma


@pytest.mark.skipif(not (SHARED / "ud").is_dir(), reason="../shared/ud is not beside the repo")
def test_main_on_real_treebanks(tmp_path):
    out = tmp_path / "bench.json"
    result = _run(["--lang", "ru", "--json", str(out)])
    assert result.exit_code == 0, result.output
    table = result.output
    assert "pymorphy3 first" in table and "ours" in table
    assert '"system": "ours"' in out.read_text(encoding="utf-8")


def test_main_reports_a_missing_treebank(tmp_path):
    result = _run(["--ud", str(tmp_path), "--lang", "ru"])
    assert result.exit_code == 2
    assert "error: treebank not found" in result.output


@pytest.mark.skipif(
    not (SHARED / "kk-news-lemmas" / "forms.tsv").is_file(),
    reason="../shared/kk-news-lemmas is not beside the repo",
)
def test_kazakh_news_lemmas_beside_ud(tmp_path):
    out = tmp_path / "bench.json"
    arguments = ["--lang", "kk", "--kk-lemmas", str(SHARED / "kk-news-lemmas")]
    result = _run([*arguments, "--json", str(out)])
    assert result.exit_code == 0, result.output
    table = result.output
    assert "kk-news-lemmas: 1943 forms" in table and "first 5 letters" in table
    lemmas = json.loads(out.read_text(encoding="utf-8"))["kk_news_lemmas"]
    assert set(lemmas["systems"]) == {bench.LEMMA_BASELINE, "ours"}
    for system in lemmas["systems"].values():
        assert system["missing"] == 0
        for subset in bench.LEMMA_SUBSETS:
            for name in ("recall", "precision"):
                value = system["metrics"][subset][name]
                assert isinstance(value, float) and 0 <= value <= 1, (subset, name, value)
    # The baseline is the set's own reference point, so the evaluator is the set's.
    assert lemmas["systems"][bench.LEMMA_BASELINE]["metrics"]["all"]["recall"] == pytest.approx(
        0.405, abs=0.001
    )


def test_missing_kk_lemmas_folder_given_is_an_error(tmp_path):
    result = _run(["--lang", "ru", "--kk-lemmas", str(tmp_path)])
    assert result.exit_code == 2
    assert "no forms.tsv and evaluate.py" in result.output


def test_lemma_set_uses_search_keys_when_the_analysis_has_it(monkeypatch):
    import importlib

    analysis = importlib.import_module("search_service.text.analyze")
    monkeypatch.delattr(analysis, "search_keys", raising=False)
    name, keys = bench.kazakh_query_keys()
    assert name == "word_keys(kk)" and tuple(keys("кітабы")) == analysis.word_keys("кітабы", "kk")
    monkeypatch.setattr(analysis, "search_keys", lambda form: ("key",), raising=False)
    name, keys = bench.kazakh_query_keys()
    assert name == "search_keys" and keys("кітабы") == ("key",)
