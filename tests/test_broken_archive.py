"""A broken archive through the real command line: every bad file is skipped and counted with
its reason, every good one (legacy encodings too) is indexed, and the exit code says so.

The bad files are made here: binary, UTF-16 without a BOM, truncated UTF-8, too large, empty,
blank, no date, an impossible date, a symlink loop (a folder and a file), a broken link, and
files that cannot be read (a FIFO, and a chmod 000 file when not running as root).
"""

from __future__ import annotations

import json
import os
import subprocess
from pathlib import Path

import pytest

from .conftest import run_service, service_environ

# The real commands in child processes over a broken archive.
pytestmark = pytest.mark.slow

MAX_FILE_BYTES = 50_000
ENV = service_environ(max_file_bytes=str(MAX_FILE_BYTES), log_level="WARNING")
IS_ROOT = os.geteuid() == 0

# Twelve good UTF-8 articles, each with a word of its own ("жолаушы0" ... ) to search for.
GOOD_UTF8 = {
    f"{lang}/2024/{n + 1:02d}/good-{n:02d}.txt": (
        f"date 2024-{n + 1:02d}-{n + 10} {title} {n}\nАСТАНА. KAZINFORM – {body} маркер{n:02d}.\n"
    )
    for n, (lang, title, body) in enumerate(
        [
            ("kk", "Жаңа мектеп ашылды", "Облыста оқушыларға арналған мектеп салынды"),
            ("ru", "Открыта новая школа", "В области построили школу для учеников"),
        ]
        * 6
    )
}
# Good files in other encodings: decoded and indexed, not skipped.
CP1251_TEXT = (
    "date 2023-05-04 Бюджет города утверждён\nКОСТАНАЙ. KAZINFORM – Депутаты одобрили смету.\n"
)
KZ1048_TEXT = (
    "date 2023-06-07 Қала бюджеті бекітілді\nОРАЛ. KAZINFORM – Депутаттар шығыстарды қолдады.\n"
)
UTF16_TEXT = "date 2023-07-08 Ауа райы өзгереді\nШЫМКЕНТ. KAZINFORM – Синоптиктер жаңбыр күтеді.\n"
BOM_CRLF_TEXT = "date 2023-08-09 Бюджет села\nОРАЛ. KAZINFORM – Аким отчитался.\nВторой абзац.\n"
GOOD_OTHER = {
    "ru/2023/05/cp1251.txt": CP1251_TEXT.encode("cp1251"),
    "kk/2023/06/kz1048.txt": KZ1048_TEXT.encode("kz1048"),
    "kk/2023/07/utf16-bom.txt": UTF16_TEXT.encode("utf-16"),  # with its BOM
    "ru/2023/08/utf8-bom-crlf.txt": ("\ufeff" + BOM_CRLF_TEXT.replace("\n", "\r\n")).encode(),
}
GOOD_IDS = {path[:-4].replace("/", ".") for path in [*GOOD_UTF8, *GOOD_OTHER]}

TRUNCATED = "date 2024-01-01 Сайлау нәтижелері\nАСТАНА. KAZINFORM – Сайлау өтті.\n".encode()[:-9]
BAD_BYTES = {
    "bad/binary.txt": b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + bytes(range(256)) * 4,
    "bad/utf16-no-bom.txt": UTF16_TEXT.encode("utf-16-le"),
    "bad/truncated-utf8.txt": TRUNCATED,
    "bad/too-large.txt": ("date 2024-01-01 Үлкен файл\n" + "сөз " * MAX_FILE_BYTES).encode(),
    "bad/empty.txt": b"",
    "bad/blank.txt": b" \r\n\t\n   \n",
    "bad/no-date.txt": "Күні жоқ тақырып\nМәтін.\n".encode(),
    "bad/no-date-2.txt": "2024-01-01 Тақырып\nМәтін.\n".encode(),
    "bad/impossible-date.txt": "date 2025-02-30 Ақпанның отызы\nМәтін.\n".encode(),
    "bad/month-13.txt": "date 2025-13-01 Он үшінші ай\nМәтін.\n".encode(),
}


def make_broken_archive(root: Path) -> dict[str, int]:
    """Write the archive; return the skip reasons the build must count."""
    for relative, text in GOOD_UTF8.items():
        write_bytes(root / relative, text.encode())
    for relative, data in {**GOOD_OTHER, **BAD_BYTES}.items():
        write_bytes(root / relative, data)
    links = root / "links"
    links.mkdir()
    (links / "loop").symlink_to("..", target_is_directory=True)  # a folder loop
    (links / "self.txt").symlink_to("self.txt")  # a file link to itself
    (links / "dangling.txt").symlink_to("missing/nowhere.txt")  # a broken link
    os.mkfifo(links / "fifo.txt")  # not a regular file: reading it would block
    expected = {
        "binary": 2,
        "undecodable": 1,
        "too-large": 1,
        "empty": 2,
        "no-date": 2,
        "bad-date": 2,
        "symlink-loop": 2,
        "unreadable": 2,
    }
    if not IS_ROOT:  # root reads any file, whatever its mode
        locked = root / "bad" / "locked.txt"
        write_bytes(locked, GOOD_UTF8[next(iter(GOOD_UTF8))].encode())
        locked.chmod(0)
        expected["unreadable"] += 1
    return expected


def write_bytes(path: Path, data: bytes) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(data)


def cli(*args: str) -> subprocess.CompletedProcess:
    return run_service(*args, env=ENV)


def summary_of(done: subprocess.CompletedProcess) -> dict:
    return json.loads(done.stdout.strip().splitlines()[-1])


@pytest.fixture(scope="module")
def broken_build(tmp_path_factory):
    work = tmp_path_factory.mktemp("broken")
    archive, index = work / "archive", work / "index"
    expected = make_broken_archive(archive)
    done = cli("build", "--archive", str(archive), "--index", str(index), "--procs", "2", "--json")
    yield archive, index, expected, done
    for path in archive.rglob("*"):  # let pytest clean up the chmod 000 file
        if not path.is_symlink() and path.exists():
            path.chmod(0o755)


def test_build_skips_every_bad_file_with_its_reason(broken_build):
    _, _, expected, done = broken_build
    assert done.returncode == 3, done.stderr[-3000:]
    summary = summary_of(done)
    assert summary["skipped"] == expected
    assert summary["skipped_total"] == sum(expected.values())
    assert summary["added"] == len(GOOD_IDS) == summary["documents"]
    assert summary["recoded"] == {"cp1251": 1, "kz1048": 1, "utf-16": 1}


def test_every_good_file_is_indexed_and_found(broken_build):
    _, index, _, _ = broken_build
    stats = cli("stats", "--index", str(index), "--json")
    assert stats.returncode == 0, stats.stderr
    counts = json.loads(stats.stdout)
    assert counts["documents"] == len(GOOD_IDS)
    assert counts["by_language"] == {"kk": 8, "ru": 8}
    found = cli("search", "--index", str(index), "--json", "--limit", "100", "бюджет OR маркер*")
    hits = {hit["id"] for hit in json.loads(found.stdout)["hits"]}
    expected = {i for i in GOOD_IDS if "good" in i or "cp1251" in i or "kz1048" in i}
    expected.add("ru.2023.08.utf8-bom-crlf")
    assert hits == expected
    # The legacy encodings are decoded, not garbled: their own words find them.
    for query, article_id in [
        ("смету", "ru.2023.05.cp1251"),
        ("шығыстарды", "kk.2023.06.kz1048"),
        ("синоптиктер", "kk.2023.07.utf16-bom"),
        ("отчитался", "ru.2023.08.utf8-bom-crlf"),
    ]:
        found = cli("search", "--index", str(index), "--json", query)
        assert [hit["id"] for hit in json.loads(found.stdout)["hits"]] == [article_id], query


def test_update_of_the_broken_archive_changes_nothing_and_still_says_so(broken_build):
    archive, index, expected, _ = broken_build
    done = cli("update", "--archive", str(archive), "--index", str(index), "--json")
    assert done.returncode == 3, done.stderr[-3000:]
    summary = summary_of(done)
    assert summary["changed"] is False and summary["unchanged"] == len(GOOD_IDS)
    assert summary["skipped"] == expected


def test_a_clean_archive_builds_with_exit_code_0(tmp_path):
    archive = tmp_path / "archive"
    for relative, text in GOOD_UTF8.items():
        write_bytes(archive / relative, text.encode())
    for relative, data in GOOD_OTHER.items():
        write_bytes(archive / relative, data)
    done = cli("build", "--archive", str(archive), "--index", str(tmp_path / "index"), "--json")
    assert done.returncode == 0, done.stderr[-3000:]
    summary = summary_of(done)
    assert summary["skipped_total"] == 0 and summary["documents"] == len(GOOD_IDS)
