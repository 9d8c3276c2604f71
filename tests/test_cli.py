"""The command line contract: subcommands, options, exit codes, and a build killed half way."""

import json
import re
import signal
import socket
import time
from pathlib import Path

import pytest

from search_service.cli import main
from search_service.engine import store

from .conftest import start_service
from .test_indexer import make_archive, write


@pytest.mark.parametrize("command", ["build", "update", "stats", "serve"])
def test_every_command_explains_itself_with_an_example(runner, command):
    result = runner.invoke(main, [command, "--help"])
    assert result.exit_code == 0
    assert "Example" in result.output
    assert "--index" in result.output


def test_build_update_stats_cycle(runner, tmp_path):
    archive, index_dir = tmp_path / "archive", tmp_path / "index"
    make_archive(archive, 5)
    write(archive, "ru/2024/05/r.txt", "Бюджет", "Депутаты обсудили бюджет.", date="2024-05-02")
    args = ["--archive", str(archive), "--index", str(index_dir)]

    result = runner.invoke(main, ["build", *args, "--procs", "1"])
    assert result.exit_code == 0, result.output
    assert "6 added" in result.output

    result = runner.invoke(main, ["update", *args, "--json"])
    assert result.exit_code == 0
    assert json.loads(result.output)["changed"] is False

    result = runner.invoke(main, ["stats", "--index", str(index_dir), "--json"])
    info = json.loads(result.output)
    assert info["documents"] == 6
    assert info["by_language"] == {"kk": 5, "ru": 1}
    assert info["by_year"] == {"2024": 1, "2025": 5}
    assert info["size_bytes"] > 0 and info["last_update"]

    result = runner.invoke(main, ["stats", "--index", str(index_dir)])
    assert "documents:   6" in result.output


def test_settings_give_defaults_and_the_command_line_wins(runner, tmp_path, monkeypatch):
    archive, index_dir = tmp_path / "archive", tmp_path / "index"
    make_archive(archive, 2)
    monkeypatch.setenv("SEARCH_SERVICE_ARCHIVE", str(archive))
    monkeypatch.setenv("SEARCH_SERVICE_INDEX_DIR", str(tmp_path / "elsewhere"))
    result = runner.invoke(main, ["build", "--index", str(index_dir)])
    assert result.exit_code == 0, result.output
    assert store.current_generation(index_dir) is not None
    assert not (tmp_path / "elsewhere").exists()


def test_exit_codes(runner, tmp_path, monkeypatch):
    archive, index_dir = tmp_path / "archive", tmp_path / "index"
    make_archive(archive, 2)
    write(archive, "broken.txt", "x", "y", date="2024-02-30")
    args = ["--archive", str(archive), "--index", str(index_dir)]
    assert runner.invoke(main, ["stats", "--index", str(index_dir)]).exit_code == 5
    result = runner.invoke(main, ["build", *args])
    assert result.exit_code == 3
    assert "bad-date 1" in result.output
    with store.job_lock(index_dir):
        result = runner.invoke(main, ["update", *args])
    assert result.exit_code == 4
    assert "holds the lock" in result.output
    result = runner.invoke(main, ["build", "--archive", str(tmp_path / "nope"), "--index", "x"])
    assert result.exit_code == 2
    monkeypatch.setenv("SEARCH_SERVICE_PAGE_SIZE", "many")
    result = runner.invoke(main, ["stats"])
    assert result.exit_code == 2 and "whole number" in result.output


@pytest.mark.slow
def test_build_killed_half_way_leaves_the_old_index_serving(tmp_path):
    archive, index_dir = tmp_path / "archive", tmp_path / "index"
    make_archive(archive, 20)
    args = ["--archive", str(archive), "--index", str(index_dir)]
    assert start_service("build", *args).wait() == 0
    served = store.current_generation(index_dir)
    body = " ".join(f"сөз{n} мектеп" for n in range(300))
    for n in range(700):
        write(archive, f"ru/big/{n:04d}.txt", f"Заголовок {n}", body)

    job = start_service("build", *args, "--procs", "1")
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:  # wait until the new generation is being written
        fresh = [g for g in index_dir.glob("gen-*") if g != served and any(g.iterdir())]
        if fresh and job.poll() is None:
            break
        time.sleep(0.05)
    time.sleep(0.3)
    assert job.poll() is None, "the build finished before it could be killed"
    job.send_signal(signal.SIGKILL)
    job.wait()

    assert store.current_generation(index_dir) == served
    ix, _ = store.open_current(index_dir)
    with ix.searcher() as searcher:
        assert searcher.doc_count() == 20
    update = start_service("update", *args)
    assert update.wait(timeout=300) == 0, update.stderr.read().decode()
    ix, _ = store.open_current(index_dir)
    assert ix.doc_count() == 720


def test_build_without_archive_says_first_that_it_indexes_the_bundled_sample(
    runner, tmp_path, monkeypatch
):
    index_dir = tmp_path / "index"
    monkeypatch.setenv("SEARCH_SERVICE_INDEX_DIR", str(index_dir))
    result = runner.invoke(main, ["build", "--procs", "1", "--json"])
    assert result.exit_code == 0, result.output
    sample = Path(__file__).resolve().parent.parent / "search_service" / "sample_archive"
    assert result.stderr.splitlines()[0] == (
        f"indexing the bundled sample archive ({sample}) into {index_dir}; "
        "pass --archive DIR to index your own"
    )
    assert json.loads(result.stdout)["added"] > 40  # --json output stays pure JSON
    # Archives named by the settings are named too; --archive needs no such line.
    archive = tmp_path / "archive"
    make_archive(archive, 2)
    monkeypatch.setenv("SEARCH_SERVICE_ARCHIVE", str(archive))
    result = runner.invoke(main, ["build", "--procs", "1"])
    assert result.stderr.splitlines()[0] == (
        f"indexing the archive {archive} (from the settings) into {index_dir}"
    )
    result = runner.invoke(main, ["build", "--archive", str(archive), "--procs", "1"])
    assert result.exit_code == 0 and "indexing" not in result.stderr


def test_serve_on_a_busy_port_says_so_at_once(tmp_path):
    archive, index_dir = tmp_path / "archive", tmp_path / "index"
    make_archive(archive, 2)
    assert start_service("build", "--archive", str(archive), "--index", str(index_dir)).wait() == 0
    with socket.socket() as busy:
        busy.bind(("127.0.0.1", 0))
        busy.listen()
        port = busy.getsockname()[1]
        started = time.monotonic()
        serve = ["serve", "--index", str(index_dir), "--host", "127.0.0.1", "--port", str(port)]
        job = start_service(*serve)
        try:
            _, stderr = job.communicate(timeout=60)
        finally:
            if job.poll() is None:
                job.kill()
    assert job.returncode == 1
    assert (
        stderr.decode().strip() == f"Error: port {port} is in use; pass --port to use another one"
    )
    assert time.monotonic() - started < 5  # no five seconds of gunicorn's retries


@pytest.mark.parametrize(
    ("host", "message"),
    [
        ("192.0.2.1", "192.0.2.1 is not an address of this machine; pass --host"),
        ("no-such-host.invalid", "cannot listen on 'no-such-host.invalid'"),
    ],
)
def test_serve_check_names_other_address_problems(host, message):
    from search_service.web.server import PortUnavailable, check_port

    with pytest.raises(PortUnavailable, match=re.escape(message)):
        check_port(host, 8000)
