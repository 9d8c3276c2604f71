"""Indexing the real news corpus in ../shared/corpus end to end (skipped when it is absent)."""

import csv
import tarfile
from collections import Counter
from pathlib import Path

import pytest

from search_service import indexer
from search_service.stats import index_stats

CORPUS = Path(__file__).resolve().parents[1].parent / "shared" / "corpus"
PARTS = ("kk", "kk-cyr", "ru")

pytestmark = [
    pytest.mark.slow,  # about a minute: an index of the whole real corpus
    pytest.mark.skipif(not CORPUS.is_dir(), reason="../shared/corpus is not here"),
]


def manifest_languages() -> Counter:
    counts: Counter = Counter()
    for part in PARTS:
        with open(CORPUS / f"{part}.manifest.tsv", encoding="utf-8") as handle:
            counts[part] = sum(1 for _ in csv.DictReader(handle, delimiter="\t"))
    return counts


def test_real_corpus_builds_end_to_end(tmp_path):
    archive = tmp_path / "archive"
    for part in PARTS:
        with tarfile.open(CORPUS / f"{part}.tar.gz") as tar:
            tar.extractall(archive, filter="data")
    expected = manifest_languages()
    summary = indexer.build([archive], tmp_path / "index", procs=2)
    print(summary.describe())
    assert summary.skipped_total == 0
    assert summary.documents == sum(expected.values())
    info = index_stats(tmp_path / "index")
    assert info["documents"] == sum(expected.values())
    # Language detection: the Kazakh parts are Kazakh and the Russian part is Russian, give or
    # take the few articles that really mix the languages.
    kazakh = expected["kk"] + expected["kk-cyr"]
    assert info["by_language"].get("kk", 0) >= 0.97 * kazakh
    assert info["by_language"].get("ru", 0) >= 0.97 * expected["ru"]
