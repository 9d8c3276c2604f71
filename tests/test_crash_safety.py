"""Crash safety: real build and update processes killed (SIGKILL) at varied points.

After every kill the served index must open and answer with a whole document count (the old
one, or the new one if the job had already switched), and the next update must complete with
the right count. Also: two jobs at once, and a full or read-only index folder.
"""

import random
import shutil
import signal
import subprocess
import time
from pathlib import Path

import pytest
from whoosh.query import Every

from search_service.engine import store

from .conftest import start_service
from .test_indexer import make_archive, write

# Real jobs in child processes, killed and crowded: about 40 s in all.
pytestmark = pytest.mark.slow

BODY = " ".join(f"мектеп оқушылары {n} сабақ" for n in range(60))


def served_count(index_dir: Path) -> int:
    ix, _ = store.open_current(index_dir)
    with ix.searcher() as searcher:
        hits = len(searcher.search(Every(), limit=None))
        assert hits == searcher.doc_count()
        return hits


def add_articles(archive: Path, start: int, count: int) -> None:
    for n in range(start, start + count):
        write(archive, f"ru/2024/{n % 12 + 1:02d}/n{n:05d}.txt", f"Новость {n}", BODY)


def kill_after(job: subprocess.Popen, delay: float) -> bool:
    """SIGKILL the job after ``delay`` s; True if it was still running when killed."""
    deadline = time.monotonic() + delay
    while time.monotonic() < deadline and job.poll() is None:
        time.sleep(0.01)
    if job.poll() is not None:
        return False
    job.send_signal(signal.SIGKILL)
    job.wait()
    return True


@pytest.mark.parametrize("job_name", ["build", "update"])
def test_killed_jobs_never_damage_the_served_index(tmp_path, job_name):
    archive, index_dir = tmp_path / "archive", tmp_path / "index"
    make_archive(archive, 10)
    args = ("--archive", str(archive), "--index", str(index_dir))
    assert start_service("build", *args, "--procs", "1").wait() == 0
    expected = 10
    rng = random.Random(20261124)

    # How long does one job take? Kill points are spread over that span.
    add_articles(archive, 0, 150)
    started = time.monotonic()
    assert start_service(job_name, *args).wait() == 0
    span = time.monotonic() - started
    expected += 150

    killed = 0
    for round_no in range(1, 7):
        add_articles(archive, round_no * 1000, 150)
        before = served_count(index_dir)
        assert before == expected
        job = start_service(job_name, *args)
        if kill_after(job, rng.uniform(0.05, span)):
            killed += 1
        after = served_count(index_dir)
        assert after in (before, before + 150), (round_no, before, after)
        finish = start_service("update", *args)
        assert finish.wait(timeout=120) == 0, finish.stderr.read().decode()
        expected += 150
        assert served_count(index_dir) == expected
    assert killed >= 3, "too few kills landed inside a running job"
    # Folders of killed jobs are cleaned away: the current and at most one previous remain.
    assert len(list(index_dir.glob("gen-*"))) <= 2


def test_two_jobs_at_once_one_leaves_with_a_clear_message(tmp_path):
    archive, index_dir = tmp_path / "archive", tmp_path / "index"
    make_archive(archive, 5)
    add_articles(archive, 0, 3000)  # a build long enough for the second job to start meanwhile
    args = ("--archive", str(archive), "--index", str(index_dir))
    first = start_service("build", *args, "--procs", "1")
    lock = index_dir / "job.lock"
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline and not (lock.exists() and lock.read_text().strip()):
        time.sleep(0.02)
    second = start_service("update", *args)
    assert second.wait(timeout=60) == 4
    assert "holds the lock" in second.stderr.read().decode()
    assert first.wait(timeout=120) == 0
    assert served_count(index_dir) == 3005


@pytest.fixture
def small_disk(tmp_path):
    mount = tmp_path / "disk"
    mount.mkdir()
    done = subprocess.run(
        ["mount", "-t", "tmpfs", "-o", "size=3m", "tmpfs", str(mount)], capture_output=True
    )
    if done.returncode != 0:
        pytest.skip("cannot mount a small tmpfs here (needs root)")
    yield mount
    subprocess.run(["umount", "-l", str(mount)], check=False)


def test_full_disk_is_a_clear_error_and_the_old_index_stays(tmp_path, small_disk):
    archive, index_dir = tmp_path / "archive", small_disk / "index"
    make_archive(archive, 10)
    args = ("--archive", str(archive), "--index", str(index_dir))
    assert start_service("build", *args, "--procs", "1").wait() == 0
    filler = small_disk / "filler"
    with open(filler, "wb") as handle:  # fill the disk to the last block
        try:
            while True:
                handle.write(b"\0" * 65536)
                handle.flush()
        except OSError:
            pass
    add_articles(archive, 0, 200)
    for job_name in ("update", "build"):
        job = start_service(job_name, *args)
        assert job.wait(timeout=60) == 1
        assert "No space left on device" in job.stderr.read().decode()
        assert served_count(index_dir) == 10
    filler.unlink()
    assert start_service("update", *args).wait(timeout=60) == 0
    assert served_count(index_dir) == 210


def test_read_only_index_folder_is_a_clear_error(tmp_path, small_disk):
    archive, index_dir = tmp_path / "archive", small_disk / "index"
    make_archive(archive, 4)
    args = ("--archive", str(archive), "--index", str(index_dir))
    assert start_service("build", *args, "--procs", "1").wait() == 0
    subprocess.run(["mount", "-o", "remount,ro", str(small_disk)], check=True)
    try:
        write(archive, "kk/new.txt", "Жаңа", "Мәтін")
        job = start_service("update", *args)
        assert job.wait(timeout=60) == 1
        assert "Read-only file system" in job.stderr.read().decode()
        assert served_count(index_dir) == 4
    finally:
        subprocess.run(["mount", "-o", "remount,rw", str(small_disk)], check=True)
    shutil.rmtree(archive / "kk")
