"""Build, update and delete cycles on a real index; the job lock; atomic switching."""

import dataclasses
import gzip
import os
from pathlib import Path

import pytest
from whoosh.query import Term

from search_service import dupes, indexer, typeahead, words
from search_service.archive import article_id
from search_service.cli import SAMPLE_ARCHIVE
from search_service.engine import store


def write(root: Path, relative: str, headline: str, body: str, date: str = "2025-01-15") -> Path:
    path = root / relative
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(f"date {date} {headline}\n{body}\n", encoding="utf-8")
    return path


def make_archive(root: Path, count: int = 6) -> None:
    for n in range(count):
        write(
            root, f"kk/2025/01/a{n}.txt", f"Жаңалық {n}", f"АСТАНА. KAZINFORM – Мәтін {n} мектеп."
        )


def doc_ids(index_dir: Path) -> set[str]:
    ix, _ = store.open_current(index_dir)
    with ix.searcher() as searcher:
        return {fields["id"] for fields in searcher.all_stored_fields()}


def count(index_dir: Path, field: str, word: str) -> int:
    ix, _ = store.open_current(index_dir)
    with ix.searcher() as searcher:
        return len(searcher.search(Term(field, word), limit=None))


@pytest.mark.parametrize("procs", [1, 2])
def test_build_indexes_every_good_file(tmp_path, procs):
    archive, index_dir = tmp_path / "archive", tmp_path / "index"
    make_archive(archive)
    write(archive, "bad.txt", "x", "y", date="2025-02-31")
    summary = indexer.build([archive], index_dir, procs=procs)
    assert (summary.added, summary.documents, dict(summary.skipped)) == (6, 6, {"bad-date": 1})
    assert len(doc_ids(index_dir)) == 6
    assert count(index_dir, "text", "мектеп") == 6
    meta = store.read_meta(store.current_generation(index_dir))
    assert meta["summary"]["added"] == 6 and meta["last_update"]


def test_rebuild_switches_atomically_and_keeps_one_previous_generation(tmp_path):
    archive, index_dir = tmp_path / "archive", tmp_path / "index"
    make_archive(archive)
    generations = []
    for _ in range(3):
        indexer.build([archive], index_dir)
        generations.append(store.current_generation(index_dir))
    assert len(set(generations)) == 3
    remaining = sorted(p.name for p in index_dir.glob("gen-*"))
    assert remaining == sorted(g.name for g in generations[1:])
    assert os.readlink(index_dir / "current") == generations[-1].name


def test_update_adds_changes_and_deletes(tmp_path):
    archive, index_dir = tmp_path / "archive", tmp_path / "index"
    make_archive(archive)
    indexer.build([archive], index_dir)
    served_before = store.current_generation(index_dir)

    write(archive, "ru/2025/02/new.txt", "Новая школа", "В Уральске открыли школу.")
    changed = write(archive, "kk/2025/01/a1.txt", "Жаңалық бір", "Мәтін өзгерді: кітапхана.")
    os.utime(changed, ns=(1, 1))  # a new mtime, as an editor would leave
    (archive / "kk/2025/01/a2.txt").unlink()
    summary = indexer.update([archive], index_dir)
    assert (summary.added, summary.updated, summary.deleted, summary.unchanged) == (1, 1, 1, 4)
    assert summary.documents == 6
    ids = doc_ids(index_dir)
    assert article_id("ru/2025/02/new.txt") in ids
    assert article_id("kk/2025/01/a2.txt") not in ids
    assert count(index_dir, "text", "кітапхана") == 1
    assert count(index_dir, "text", "мектеп") == 4
    # The update wrote a new generation; the one served before is untouched.
    assert store.current_generation(index_dir) != served_before
    ix = store.open_current(index_dir)[0]
    assert ix.doc_count() == 6


def test_second_update_with_nothing_changed_does_nothing(tmp_path):
    archive, index_dir = tmp_path / "archive", tmp_path / "index"
    make_archive(archive)
    indexer.build([archive], index_dir)
    generation = store.current_generation(index_dir)
    summary = indexer.update([archive], index_dir)
    assert not summary.changed
    assert summary.unchanged == 6
    assert "nothing changed" in summary.describe()
    assert store.current_generation(index_dir) == generation


def test_touched_but_unchanged_file_is_not_reindexed(tmp_path):
    archive, index_dir = tmp_path / "archive", tmp_path / "index"
    make_archive(archive)
    indexer.build([archive], index_dir)
    os.utime(archive / "kk/2025/01/a0.txt", ns=(5, 5))
    summary = indexer.update([archive], index_dir)
    assert not summary.changed and summary.unchanged == 6


def test_file_that_turns_bad_keeps_its_last_good_version(tmp_path):
    archive, index_dir = tmp_path / "archive", tmp_path / "index"
    make_archive(archive)
    indexer.build([archive], index_dir)
    (archive / "kk/2025/01/a3.txt").write_bytes(b"")
    summary = indexer.update([archive], index_dir)
    assert summary.skipped == {"empty": 1}
    assert summary.deleted == 0
    assert article_id("kk/2025/01/a3.txt") in doc_ids(index_dir)


def test_update_without_index_builds_one(tmp_path):
    archive, index_dir = tmp_path / "archive", tmp_path / "index"
    make_archive(archive, 3)
    summary = indexer.update([archive], index_dir)
    assert summary.job == "update" and summary.added == 3 and summary.documents == 3


def test_same_relative_path_in_two_roots_is_reported_once(tmp_path):
    first, second, index_dir = tmp_path / "one", tmp_path / "two", tmp_path / "index"
    make_archive(first, 2)
    make_archive(second, 3)
    summary = indexer.build([first, second], index_dir)
    assert summary.added == 3
    assert summary.skipped == {"duplicate-id": 2}


def test_lock_refuses_a_second_job(tmp_path):
    archive, index_dir = tmp_path / "archive", tmp_path / "index"
    make_archive(archive, 2)
    indexer.build([archive], index_dir)
    with store.job_lock(index_dir):
        with pytest.raises(store.JobLocked, match="holds the lock"):
            indexer.update([archive], index_dir)
        with pytest.raises(store.JobLocked):
            indexer.build([archive], index_dir)
    assert indexer.update([archive], index_dir).changed is False


def test_failed_build_leaves_the_served_index(tmp_path, monkeypatch):
    archive, index_dir = tmp_path / "archive", tmp_path / "index"
    make_archive(archive, 4)
    indexer.build([archive], index_dir)
    generation = store.current_generation(index_dir)
    write(archive, "kk/2025/01/z.txt", "Соңғы", "Мәтін")

    def explode(article):
        raise RuntimeError("disk on fire")

    monkeypatch.setattr(indexer, "article_document", explode)
    with pytest.raises(RuntimeError):
        indexer.build([archive], index_dir)
    with pytest.raises(RuntimeError):
        indexer.update([archive], index_dir)
    assert store.current_generation(index_dir) == generation
    assert len(doc_ids(index_dir)) == 4


def test_build_whose_worker_fails_is_refused(tmp_path, monkeypatch):
    archive, index_dir = tmp_path / "archive", tmp_path / "index"
    make_archive(archive, 4)
    indexer.build([archive], index_dir)
    generation = store.current_generation(index_dir)
    document = indexer.article_document

    def unknown_field(article):  # the worker process that receives it fails
        return {**document(article), "no_such_field": "x"}

    monkeypatch.setattr(indexer, "article_document", unknown_field)
    with pytest.raises(indexer.IncompleteBuild, match="0 of the 4 documents"):
        indexer.build([archive], index_dir, procs=2)
    assert store.current_generation(index_dir) == generation
    assert len(doc_ids(index_dir)) == 4


def test_sidecars_counted_by_the_workers_are_those_of_one_process(tmp_path):
    """A build's workers each count the documents they index for the sidecars (type-ahead,
    near-duplicate signatures); merged, their counts are those one process makes."""
    one, two = tmp_path / "one", tmp_path / "two"
    indexer.build([SAMPLE_ARCHIVE], one, procs=1)
    indexer.build([SAMPLE_ARCHIVE], two, procs=2)
    first, second = store.current_generation(one), store.current_generation(two)
    assert typeahead.WordCounts.load(first) == typeahead.WordCounts.load(second)
    assert typeahead.SuggestTable.load(first).keys == typeahead.SuggestTable.load(second).keys
    (ids, matrix), (ids_two, matrix_two) = (
        dupes.Signatures.load(generation).arrays() for generation in (first, second)
    )
    assert ids == ids_two and (matrix == matrix_two).all()
    assert dupes.load_groups(first) == dupes.load_groups(second)
    assert not list(second.glob("*.sidecars")), "the workers' part files are merged and removed"
    assert not list(first.glob("*.sidecars")), "one process hands its counts over in memory"
    # the word analyses too: one process's are taken from its memory, the workers' from parts
    assert _word_lines(first) == _word_lines(second)
    assert not list(first.glob(f"*{words.PART_SUFFIX}"))
    assert not list(second.glob(f"*{words.PART_SUFFIX}"))
    assert not list(second.glob(f"*{words.SHARED_SUFFIX}")), "the shared words' files go"


def _word_lines(generation):
    with gzip.open(generation / words.WORDS_FILE, "rt", encoding="utf-8") as handle:
        return sorted(handle)


def test_a_writer_counts_for_the_sidecars_the_words_its_analysis_found():
    """A build's writer hands the sidecars the words the analysis of the document's title and
    text fields found (not found again): the same counts and signatures as an article's own
    words give, in every language and script, mixed texts (analysed by sentence) included."""
    from search_service.analysis import analysed_words, indexed
    from search_service.archive import read_article, walk_archive
    from search_service.sidecars import Sidecars
    from search_service.text.tokenize import WORD_RE

    articles = [read_article(file, 1_000_000) for file in walk_archive([SAMPLE_ARCHIVE])]
    body = "Бүгін Астанада кездесу өтті. В Астане прошла встреча. Жаңа келісім жасалды."
    articles.append(dataclasses.replace(articles[0], id="mixed", body=body, language="mixed"))
    assert {article.language for article in articles} >= {"kk", "ru", "mixed"}
    assert {article.script for article in articles} >= {"Cyrl", "Latn"}
    from_fields, from_articles = Sidecars(), Sidecars()
    for article in articles:
        document = indexer.article_document(article)
        for field in ("title", "text"):  # as the writer's fields analyse them
            indexed(document[field], document[field].lang)
        found = analysed_words(document["text"])
        assert found == WORD_RE.findall(article.body), article.id
        from_fields.add_fields(document)
        from_articles.add(article)
    assert analysed_words("a text nobody analysed") is None
    assert from_fields.words.fold().documents == from_articles.words.fold().documents
    assert from_fields.words.forms == from_articles.words.forms
    mine, theirs = from_fields.signatures.by_id, from_articles.signatures.by_id
    assert mine.keys() == theirs.keys()
    assert all((mine[key] == theirs[key]).all() for key in mine)
