"""The word analyses a generation keeps: the next build or update analyses only new words."""

import gzip
import importlib

import pytest
from whoosh import index as whoosh_index

from search_service import indexer, words
from search_service.engine import store

from .conftest import write_article, write_tiny_archive

# the module (search_service.text re-exports its function ``analyze`` under the same name)
analyze = importlib.import_module("search_service.text.analyze")

ANALYSED_FIELDS = ("title", "title_exact", "text", "text_exact", "fold")


def _terms(index_dir):
    ix = whoosh_index.open_dir(str(store.current_generation(index_dir)))
    with ix.reader() as reader:
        return {
            (field, text): reader.doc_frequency(field, text)
            for field, text in reader.all_terms()
            if field in ANALYSED_FIELDS
        }


def _forget_everything():
    analyze.clear_caches()
    analyze.forget_imported_words()


@pytest.fixture
def archive(tmp_path):
    root = tmp_path / "archive"
    write_tiny_archive(root)
    return root


def test_a_build_keeps_its_word_analyses(archive, tmp_path):
    _forget_everything()
    indexer.build([archive], tmp_path / "index")
    kept = store.current_generation(tmp_path / "index") / words.WORDS_FILE
    with gzip.open(kept, "rt", encoding="utf-8") as handle:
        header, *lines = handle.read().rstrip("\n").split("\n")
    assert header.endswith(analyze.analysis_fingerprint())
    assert any(line.startswith("Тариф\tru\t") for line in lines)
    assert not list((kept.parent).glob("*" + words.PART_SUFFIX))  # the parts are merged


def test_a_rebuild_analyses_no_known_word_and_gives_the_same_index(archive, tmp_path, monkeypatch):
    index_dir = tmp_path / "index"
    _forget_everything()
    indexer.build([archive], index_dir)
    before = _terms(index_dir)
    _forget_everything()

    def no_analysis(*args):
        raise AssertionError("a known word was analysed again")

    monkeypatch.setattr(analyze, "_analyze_simple", no_analysis)
    monkeypatch.setattr(analyze, "_analyze_compound", no_analysis)
    indexer.build([archive], index_dir)
    assert _terms(index_dir) == before


def test_an_update_analyses_only_new_words_and_keeps_them(archive, tmp_path, monkeypatch):
    index_dir = tmp_path / "index"
    _forget_everything()
    indexer.build([archive], index_dir)
    _forget_everything()
    analysed = []
    real = analyze._analyze_simple

    def counting(text, lang, alphabet):
        analysed.append(text)
        return real(text, lang, alphabet)

    monkeypatch.setattr(analyze, "_analyze_simple", counting)
    write_article(archive, "kk/2025/05/new.txt", "2025-05-05", "Жаңалық", "Сайлау зымыран")
    summary = indexer.update([archive], index_dir)
    assert summary.added == 1
    assert sorted(analysed) == ["Жаңалық", "зымыран"]  # Сайлау was known
    kept = store.current_generation(index_dir) / words.WORDS_FILE
    with gzip.open(kept, "rt", encoding="utf-8") as handle:
        assert any(line.startswith("зымыран\tkk\t") for line in handle)


def test_word_analyses_of_another_analysis_are_not_used(archive, tmp_path):
    index_dir = tmp_path / "index"
    _forget_everything()
    indexer.build([archive], index_dir)
    kept = store.current_generation(index_dir) / words.WORDS_FILE
    with gzip.open(kept, "rt", encoding="utf-8") as handle:
        lines = handle.read().rstrip("\n").split("\n")
    # the same words, analysed "differently" by some other version of the code
    stale = tmp_path / "stale.tsv.gz"
    with gzip.open(stale, "wt", encoding="utf-8") as handle:
        handle.write("# archive-search word analyses 0000000000000000\n")
        handle.write("\n".join(line.replace("\tkk\t\t=5", "\tkk\t\txxx") for line in lines[1:]))
    _forget_everything()
    assert words.load(stale) == 0
    assert words.load(kept) == len(lines) - 1
    _forget_everything()


def test_a_worker_shares_each_word_it_analyses_once():
    _forget_everything()
    analyze.share_words()
    analyze.index_analysis("Сайлау өтті", "kk")
    first = analyze.words_to_share()
    assert sorted(line.split("\t")[0] for line in first) == ["Сайлау", "өтті"]
    analyze.index_analysis("Сайлау басталды", "kk")
    second = analyze.words_to_share()
    assert [line.split("\t")[0] for line in second] == ["басталды"]
    assert analyze.words_to_share() == []
    assert sorted(first + second) == sorted(analyze.export_words(new_only=True))
    analyze.share_words(False)
    analyze.index_analysis("Сайлау аяқталды", "kk")
    assert analyze.words_to_share() == []


def test_shared_words_are_not_analysed_again_nor_kept_as_this_process_s(tmp_path, monkeypatch):
    """A worker takes another's words from its file, by whole lines, and does not analyse them
    again; its part file keeps the words it analysed itself, even those the other shared."""
    text = "Парламент депутаттары заң жобасын қабылдады"
    _forget_everything()
    analyze.index_analysis(text, "kk")
    other = list(analyze.export_words(new_only=True))  # what another worker analysed
    _forget_everything()
    exchange = words.WordExchange(tmp_path, "me")
    analyze.index_analysis("депутаттары", "kk")  # analysed here before the other's come
    shared = tmp_path / f"other{words.SHARED_SUFFIX}"
    other.sort(key=lambda line: line.startswith("Парламент"))  # the last line: Парламент
    whole, last = "\n".join(other[:-1]) + "\n", other[-1]
    shared.write_text(whole + last[:5], encoding="utf-8")  # the last line is being written
    assert exchange.share() == len(other) - 2  # the whole lines but депутаттары, its own
    with open(shared, "a", encoding="utf-8") as handle:
        handle.write(last[5:] + "\n")
    assert exchange.share() == 1  # the line, once whole

    def no_analysis(*args):
        raise AssertionError("a shared word was analysed again")

    monkeypatch.setattr(analyze, "_analyze_simple", no_analysis)
    monkeypatch.setattr(analyze, "_analyze_compound", no_analysis)
    table = analyze.index_analysis(text, "kk").table
    assert [line.split("\t")[0] for line in analyze.export_words(new_only=True)] == ["депутаттары"]
    mine = (tmp_path / f"me{words.SHARED_SUFFIX}").read_text(encoding="utf-8")
    assert mine.startswith("депутаттары\tkk\t")  # shared by this worker at its first turn
    monkeypatch.undo()
    _forget_everything()  # the text's table is the one it has when every word is analysed here
    assert analyze.index_analysis(text, "kk").table == table
    exchange.close()
    assert not (tmp_path / f"me{words.SHARED_SUFFIX}").exists()


def test_a_worker_takes_shared_words_up_to_a_limit(monkeypatch):
    lines = _lines_of("Сайлау өтті Парламент депутаттары заң жобасын қабылдады")
    _forget_everything()
    monkeypatch.setattr(analyze, "_SHARED_WORDS_LIMIT", 3)
    assert analyze.import_shared_words(lines) == 3
    assert analyze.import_shared_words(lines) == 0
    _forget_everything()


def _lines_of(text):
    _forget_everything()
    analyze.index_analysis(text, "kk")
    return list(analyze.export_words(new_only=True))
