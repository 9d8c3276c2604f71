"""The index format version and ``search-service check``: a real index, built once, copied and
damaged in the ways a disk, an operator or an old version damages it; every problem named,
with the documented exit code."""

from __future__ import annotations

import json
import os
import shutil
import time
from pathlib import Path

import pytest
from click.testing import CliRunner
from whoosh import index as whoosh_index

from search_service import indexer
from search_service.check import check_index
from search_service.cli import main
from search_service.config import load_settings
from search_service.engine import store
from search_service.sidecars import FILES as SIDECARS
from search_service.typeahead import TABLE_FILE
from search_service.web import create_app
from search_service.words import WORDS_FILE

from .conftest import GZIP_DAMAGES, damage_gzip_file, write_article, write_tiny_archive

EXIT_NO_INDEX, EXIT_UNREADABLE, EXIT_DAMAGED = 5, 6, 7


DOCUMENTS = 36  # the tiny archive's 35 articles and one added by an update


@pytest.fixture(scope="module")
def built(tmp_path_factory) -> tuple[Path, Path]:
    """The tiny archive and its index, built and then updated with one new and one changed
    article: two segments, one with a deleted document."""
    archive = tmp_path_factory.mktemp("check-archive")
    write_tiny_archive(archive)
    index_dir = tmp_path_factory.mktemp("check-index") / "index"
    indexer.build([archive], index_dir, procs=1)
    write_article(archive, "kk/2025/04/new.txt", "2025-04-01", "Жаңа мақала", "Мәтін.")
    write_article(archive, "ru/2024/03/near.txt", "2024-03-04", "Итоги", "Водный транспорт.")
    assert indexer.update([archive], index_dir).documents == DOCUMENTS
    return archive, index_dir


@pytest.fixture
def index_copy(built, tmp_path) -> Path:
    """A private copy of the built index, to damage."""
    copy = tmp_path / "index"
    shutil.copytree(built[1], copy, symlinks=True)
    return copy


def run_check(index_dir: Path, *options: str):
    result = CliRunner().invoke(main, ["check", "--index", str(index_dir), *options])
    return result


def problems_of(index_dir: Path) -> list[tuple[str, str]]:
    return [(p.code, p.message) for p in check_index(index_dir).problems]


def generation_of(index_dir: Path) -> Path:
    generation = store.current_generation(index_dir)
    assert generation is not None
    return generation


def segment_files(index_dir: Path, suffix: str) -> list[Path]:
    return sorted(generation_of(index_dir).glob(f"MAIN_*{suffix}"))


def edit_meta(index_dir: Path, **changes) -> None:
    path = generation_of(index_dir) / store.META_FILE
    meta = json.loads(path.read_text(encoding="utf-8"))
    for key, value in changes.items():
        if value is None:
            meta.pop(key, None)
        else:
            meta[key] = value
    path.write_text(json.dumps(meta), encoding="utf-8")


def test_a_fresh_index_records_its_format_and_passes(built, runner):
    _, index_dir = built
    meta = store.read_meta(generation_of(index_dir))
    assert meta["index_format"] == store.INDEX_FORMAT
    assert meta["documents"] == DOCUMENTS
    assert meta["files"]["manifest.json.gz"]["size"] > 0
    assert all(len(entry["sha256"]) == 64 for entry in meta["files"].values())
    assert len(segment_files(index_dir, ".trm")) == 2  # every segment is checked
    assert all(
        name in meta["files"]
        for name in os.listdir(generation_of(index_dir))
        if name.startswith("MAIN_") and not name.endswith("WRITELOCK")
    )
    result = run_check(index_dir)
    assert result.exit_code == 0, result.output
    assert result.output.rstrip().endswith("ok")
    assert f"documents: {DOCUMENTS}" in result.output
    report = json.loads(run_check(index_dir, "--json").output)
    assert report["ok"] is True and report["problems"] == []
    assert report["documents"] == DOCUMENTS and report["index_format"] == store.INDEX_FORMAT
    assert report["files"] == len(meta["files"])
    stats = json.loads(runner.invoke(main, ["stats", "--index", str(index_dir), "--json"]).output)
    assert stats["index_format"] == store.INDEX_FORMAT


def test_missing_segment_file(index_copy, clean_environ):
    postings = segment_files(index_copy, ".pst")[0]
    postings.unlink()
    result = run_check(index_copy)
    assert result.exit_code == EXIT_DAMAGED
    assert (
        f"[missing-file] {postings.name} (postings of segment {postings.name[:-4]}) is missing"
        in result.output
    )
    assert "rebuild it with `search-service build" in result.output


def test_truncated_file(index_copy, clean_environ):
    terms = segment_files(index_copy, ".trm")[0]
    size = terms.stat().st_size
    os.truncate(terms, size // 2)
    problems = problems_of(index_copy)
    assert (
        "file-size",
        f"{terms.name} (term table of segment {terms.name[:-4]}) is {size // 2} "
        f"bytes, {size} when it was written (truncated)",
    ) in problems
    result = run_check(index_copy, "--json")
    assert result.exit_code == EXIT_DAMAGED
    assert "file-size" in {p["code"] for p in json.loads(result.output)["problems"]}


def test_truncated_stored_fields_and_manifest(index_copy, clean_environ):
    stored = segment_files(index_copy, "._stored.col")[0]
    os.truncate(stored, 10)
    manifest = generation_of(index_copy) / store.MANIFEST_FILE
    os.truncate(manifest, 5)
    codes_and_messages = problems_of(index_copy)
    messages = " | ".join(message for _, message in codes_and_messages)
    assert f"{stored.name} (stored fields of segment" in messages and "(truncated)" in messages
    assert "manifest.json.gz (the source of every document) is 5 bytes" in messages
    assert run_check(index_copy).exit_code == EXIT_DAMAGED


def test_a_missing_manifest_and_a_truncated_typeahead_table_are_named(index_copy, clean_environ):
    generation = generation_of(index_copy)
    manifest, table = generation / store.MANIFEST_FILE, generation / TABLE_FILE
    manifest.unlink()
    size = table.stat().st_size
    os.truncate(table, size // 2)
    problems = problems_of(index_copy)
    assert (
        "missing-file",
        "manifest.json.gz (the source of every document) is missing",
    ) in problems
    assert (
        "missing-file",
        f"{manifest} is missing or damaged ([Errno 2] No such file or directory: '{manifest}'): "
        "run `search-service build` to rebuild the index",
    ) in problems
    assert (
        "file-size",
        f"typeahead.json.gz (type-ahead table) is {size // 2} bytes, {size} when it was written "
        "(truncated)",
    ) in problems
    assert run_check(index_copy).exit_code == EXIT_DAMAGED


@pytest.mark.parametrize("damage", GZIP_DAMAGES)
def test_a_missing_or_damaged_manifest_is_named_by_check_and_update(
    index_copy, built, runner, damage
):
    served = generation_of(index_copy)
    manifest = served / store.MANIFEST_FILE
    damage_gzip_file(manifest, damage)
    said = f"{manifest} is missing or damaged ("
    cure = "): run `search-service build` to rebuild the index"
    problems = problems_of(index_copy)
    assert any(message.startswith(said) and message.endswith(cure) for _, message in problems)
    assert run_check(index_copy).exit_code == EXIT_DAMAGED
    args = ["--archive", str(built[0]), "--index", str(index_copy)]
    result = runner.invoke(main, ["update", *args])
    assert result.exit_code == 1
    assert said in result.output and cure in result.output
    assert "Traceback" not in result.output
    assert generation_of(index_copy) == served  # nothing switched


def test_a_file_with_other_bytes_of_the_same_size(index_copy, clean_environ):
    postings = max(segment_files(index_copy, ".pst"), key=lambda path: path.stat().st_size)
    data = bytearray(postings.read_bytes())
    data[len(data) // 2] ^= 0xFF  # one flipped byte: Whoosh would read a wrong posting
    postings.write_bytes(bytes(data))
    assert problems_of(index_copy) == [
        (
            "checksum",
            f"{postings.name} (postings of segment {postings.name[:-4]}) does not hold the bytes "
            "that were written (SHA-256 differs)",
        )
    ]
    assert run_check(index_copy).exit_code == EXIT_DAMAGED


@pytest.mark.parametrize(
    ("damage", "message"),
    [
        ("dangling", "`current` points to gen-19990101T000000000000-dead00, which does not exist"),
        ("outside", "`current` points to '../elsewhere', not to a generation of this index"),
        ("file", "`current` is not a symbolic link to a generation"),
        ("removed", "there is no `current` pointer, but generations are there: gen-"),
    ],
)
def test_bad_current_pointer(index_copy, damage, message, clean_environ):
    link = index_copy / store.CURRENT
    link.unlink()
    if damage == "dangling":
        link.symlink_to("gen-19990101T000000000000-dead00")
    elif damage == "outside":
        (index_copy.parent / "elsewhere").mkdir()
        link.symlink_to("../elsewhere")
    elif damage == "file":
        link.write_text("gen-x\n", encoding="utf-8")
    problems = problems_of(index_copy)
    assert len(problems) == 1 and problems[0][0] == "current-pointer"
    assert problems[0][1].startswith(message)
    result = run_check(index_copy)
    assert result.exit_code == EXIT_DAMAGED
    assert message in result.output


def test_wrong_document_count_in_meta(index_copy, clean_environ):
    edit_meta(index_copy, documents=37)
    assert problems_of(index_copy) == [
        ("documents", "meta.json records 37 documents; the index holds 36")
    ]
    assert run_check(index_copy).exit_code == EXIT_DAMAGED


def test_manifest_that_disagrees_with_the_index(index_copy, clean_environ):
    generation = generation_of(index_copy)
    manifest = store.read_manifest(generation)
    del manifest["ru.2024.03.near"]
    store.write_manifest(generation, manifest)
    store.write_meta(generation, store.read_meta(generation))  # the new manifest recorded
    problems = problems_of(index_copy)
    assert ("documents", "manifest.json.gz lists 35 documents; the index holds 36") in problems
    assert (
        "documents",
        "1 documents of the index are not in manifest.json.gz: ru.2024.03.near",
    ) in problems
    assert run_check(index_copy).exit_code == EXIT_DAMAGED


def test_a_document_deleted_behind_the_jobs_back(index_copy, clean_environ):
    generation = generation_of(index_copy)
    ix = whoosh_index.open_dir(str(generation))
    writer = ix.writer()  # Whoosh's own writer, not our jobs: no manifest, no meta
    writer.delete_by_term("id", "ru.2024.03.far")
    writer.commit(merge=False)
    problems = problems_of(index_copy)
    assert ("documents", "meta.json records 36 documents; the index holds 35") in problems
    assert ("documents", "manifest.json.gz lists 36 documents; the index holds 35") in problems
    assert (
        "documents",
        "1 documents of manifest.json.gz are not in the index: ru.2024.03.far",
    ) in problems
    assert run_check(index_copy).exit_code == EXIT_DAMAGED


def test_no_index_is_exit_code_5(tmp_path, clean_environ):
    result = run_check(tmp_path / "nothing-here")
    assert result.exit_code == EXIT_NO_INDEX
    assert "[no-index] there is no index folder" in result.output
    (tmp_path / "empty").mkdir()
    result = run_check(tmp_path / "empty")
    assert result.exit_code == EXIT_NO_INDEX
    assert "nothing was built there yet" in result.output


# The index format ----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("change", "reason"),
    [
        (
            {"index_format": None},
            "it was written by an older version that recorded no index format "
            f"(this version reads {store.readable_formats()})",
        ),
        (
            {"index_format": 99},
            "it is in index format 99, written by a newer version "
            f"(this version reads {store.readable_formats()})",
        ),
        (
            {"index_format": min(store.READABLE_FORMATS) - 1},
            f"it is in index format {min(store.READABLE_FORMATS) - 1}, written by an older version "
            f"(this version reads {store.readable_formats()})",
        ),
        ({"index_format": "one"}, "meta.json names no valid index format: 'one'"),
    ],
)
def test_an_index_of_another_format_is_refused_with_a_rebuild_hint(
    index_copy, change, reason, runner, monkeypatch
):
    edit_meta(index_copy, **change)
    expected = (
        f"the index in {index_copy} cannot be read by this version of archive search: {reason}; "
        f"rebuild it with `search-service build --index {index_copy}`"
    )
    for command in (["stats"], ["search", "конституция"], ["update"]):
        result = runner.invoke(main, [*command, "--index", str(index_copy)])
        assert result.exit_code == EXIT_UNREADABLE, (command, result.output)
        assert expected in result.output, command
    result = run_check(index_copy)
    assert result.exit_code == EXIT_UNREADABLE
    assert f"[format] {reason}" in result.output
    assert "cannot be read by this version: rebuild it" in result.output

    # The server says so too, with the same hint, instead of failing on a search.
    app = create_app(load_settings({}).replace(index_dir=index_copy))
    client = app.test_client()
    health = client.get("/health")
    assert health.status_code == 503
    assert health.get_json()["error"] == expected
    assert client.get("/api/search?q=тариф").status_code == 503


def test_a_generation_without_meta_from_before_the_format(index_copy, runner):
    (generation_of(index_copy) / store.META_FILE).unlink()  # as every index before format 1
    result = runner.invoke(main, ["stats", "--index", str(index_copy)])
    assert result.exit_code == EXIT_UNREADABLE
    assert "written by an older version that recorded no index format" in result.output


def test_a_folder_that_is_no_index(tmp_path, runner):
    index_dir = tmp_path / "index"
    (index_dir / "gen-20250101T000000000000-abcdef").mkdir(parents=True)
    (index_dir / "gen-20250101T000000000000-abcdef" / "notes.txt").write_text("x")
    (index_dir / store.CURRENT).symlink_to("gen-20250101T000000000000-abcdef")
    result = runner.invoke(main, ["search", "--index", str(index_dir), "тариф"])
    assert result.exit_code == EXIT_UNREADABLE
    assert (
        "gen-20250101T000000000000-abcdef is not an archive-search index (no meta.json)"
        in result.output
    )
    assert run_check(index_dir).exit_code == EXIT_UNREADABLE


def test_build_replaces_an_unreadable_index_and_update_keeps_it_checkable(
    index_copy, built, tmp_path, runner
):
    archive = tmp_path / "archive"
    shutil.copytree(built[0], archive)
    edit_meta(index_copy, index_format=None)
    args = ["--archive", str(archive), "--index", str(index_copy)]
    result = runner.invoke(main, ["build", *args, "--procs", "1"])
    assert result.exit_code == 0, result.output
    assert run_check(index_copy).exit_code == 0

    write_article(archive, "kk/2025/05/newer.txt", "2025-05-01", "Тағы бір мақала", "Мәтін.")
    (archive / "ru/2024/03/far.txt").unlink()
    built_files = store.read_meta(generation_of(index_copy))["files"]
    result = runner.invoke(main, ["update", *args, "--json"])
    assert result.exit_code == 0, result.output
    updated_files = store.read_meta(generation_of(index_copy))["files"]
    # the manifest and the kept word analyses are written anew; the segments are hard links
    kept = set(built_files) & set(updated_files) - {store.MANIFEST_FILE, WORDS_FILE, *SIDECARS}
    assert kept and all(updated_files[name] == built_files[name] for name in kept)
    assert json.loads(result.output)["added"] == 1
    assert json.loads(result.output)["deleted"] == 1
    check = run_check(index_copy, "--json")
    assert check.exit_code == 0, check.output
    assert json.loads(check.output)["documents"] == DOCUMENTS


def test_every_file_of_the_index_truncated_in_turn_is_named(built, tmp_path, clean_environ):
    names = sorted(store.read_meta(generation_of(built[1]))["files"])
    for name in names:
        copy = tmp_path / f"copy-{name}"
        shutil.copytree(built[1], copy, symlinks=True)
        path = generation_of(copy) / name
        size = path.stat().st_size
        if size == 0:
            continue
        os.truncate(path, size // 2)
        report = check_index(copy)  # never raises
        assert not report.ok, name
        assert any(name in problem.message for problem in report.problems), name
        shutil.rmtree(copy)


def test_an_update_that_only_deletes_leaves_a_checkable_index(built, tmp_path):
    """An update with no new word forms writes the same word analyses again; gzip's header
    holds the time, so the file differs from the last one though its size does not: it is the
    generation's own, digested anew, never the previous generation's record."""
    archive = tmp_path / "archive"
    shutil.copytree(built[0], archive)
    index_dir = tmp_path / "index"
    indexer.build([archive], index_dir, procs=1)
    (archive / "ru/2024/03/far.txt").unlink()
    time.sleep(1.1)  # gzip records the second it wrote the file
    assert indexer.update([archive], index_dir).deleted == 1
    assert problems_of(index_dir) == []
