"""The systemd units in deploy/systemd: systemd's own verifier and security review, and their
commands run for real (with the host paths pointed at temporary folders): the nightly update
and check, and the server on a read-only index."""

from __future__ import annotations

import json
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

from search_service.cli import EXIT_NO_INDEX, EXIT_UNREADABLE, EXIT_USAGE

from .conftest import write_tiny_archive

UNITS = Path(__file__).resolve().parent.parent / "deploy" / "systemd"
SERVER = "archive-search.service"
UPDATE = "archive-search-update.service"
TIMER = "archive-search-update.timer"
INSTALLED_COMMAND = "/srv/archive-search/.venv/bin/search-service"
COMMAND = Path(sys.executable).parent / "search-service"
ANALYZE = shutil.which("systemd-analyze")


def unit_lines(name: str, key: str) -> list[str]:
    text = (UNITS / name).read_text(encoding="utf-8")
    return [line.split("=", 1)[1] for line in text.splitlines() if line.startswith(key + "=")]


def localised(name: str, folder: Path, paths: dict[str, Path] | None = None) -> Path:
    """A copy of a unit with the installed command and the host folders replaced."""
    text = (UNITS / name).read_text(encoding="utf-8").replace(INSTALLED_COMMAND, str(COMMAND))
    for host_path, local in (paths or {}).items():
        text = text.replace(host_path, str(local))
    path = folder / name
    path.write_text(text, encoding="utf-8")
    return path


def host_paths(tmp_path: Path) -> dict[str, Path]:
    # Longest first: /srv/archive is a prefix of the other two.
    return {
        "/srv/archive-index": tmp_path / "archive-index",
        "/srv/archive-search": tmp_path / "archive-search",
        "/srv/archive": tmp_path / "archive",
    }


def command_line(unit: Path, key: str = "ExecStart") -> list[list[str]]:
    return [
        line.split("=", 1)[1].split()
        for line in unit.read_text(encoding="utf-8").splitlines()
        if line.startswith(key + "=")
    ]


def clean_environment(**extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("SEARCH_SERVICE_")}
    env.update(extra)
    return env


@pytest.mark.skipif(ANALYZE is None, reason="systemd-analyze is not installed")
def test_systemd_verifies_the_units(tmp_path):
    paths = [localised(name, tmp_path) for name in (SERVER, UPDATE, TIMER)]
    done = subprocess.run(
        [ANALYZE, "verify", "--man=no", *map(str, paths)],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert done.returncode == 0, done.stderr
    assert not [line for line in done.stderr.splitlines() if "archive-search" in line], done.stderr


@pytest.mark.skipif(ANALYZE is None, reason="systemd-analyze is not installed")
@pytest.mark.parametrize(("name", "at_most"), [(SERVER, 1.5), (UPDATE, 1.0)])
def test_systemd_security_review_rates_the_units_safe(tmp_path, name, at_most):
    unit = localised(name, tmp_path)
    done = subprocess.run(
        [ANALYZE, "security", "--offline=yes", "--no-pager", str(unit)],
        capture_output=True,
        text=True,
        timeout=60,
    )
    found = re.search(r"Overall exposure level for \S+: ([\d.]+)", done.stdout + done.stderr)
    assert found, done.stdout + done.stderr
    assert float(found.group(1)) <= at_most, done.stdout


def test_the_server_unit_is_hardened_for_a_read_only_service():
    assert unit_lines(SERVER, "ProtectSystem") == ["strict"]
    assert unit_lines(SERVER, "NoNewPrivileges") == ["yes"]
    assert "ReadWritePaths" not in (UNITS / SERVER).read_text(encoding="utf-8")
    assert "/srv/archive-index" in unit_lines(SERVER, "ReadOnlyPaths")[0]
    # The exit codes that a restart cannot cure are the CLI's own.
    codes = {int(code) for code in unit_lines(SERVER, "RestartPreventExitStatus")[0].split()}
    assert codes == {EXIT_USAGE, EXIT_NO_INDEX, EXIT_UNREADABLE}
    assert unit_lines(UPDATE, "ReadWritePaths") == ["/srv/archive-index"]


def test_the_update_units_commands_build_and_check_an_index(tmp_path):
    paths = host_paths(tmp_path)
    write_tiny_archive(paths["/srv/archive"])
    paths["/srv/archive-search"].mkdir()
    unit = localised(UPDATE, tmp_path, paths)
    success = {0, *map(int, unit_lines(UPDATE, "SuccessExitStatus")[0].split())}
    commands = command_line(unit)
    assert [command[1] for command in commands] == ["update", "check"]
    for _ in range(2):  # the first night builds the index, the second finds nothing new
        for command in commands:
            done = subprocess.run(
                command,
                cwd=paths["/srv/archive-search"],
                env=clean_environment(),
                capture_output=True,
                text=True,
                timeout=300,
            )
            assert done.returncode in success, (command, done.stdout, done.stderr)
    assert done.stdout.rstrip().endswith("ok")


def test_the_server_unit_serves_a_read_only_index(tmp_path):
    paths = host_paths(tmp_path)
    write_tiny_archive(paths["/srv/archive"])
    paths["/srv/archive-search"].mkdir()
    index_dir = paths["/srv/archive-index"]
    build = [str(COMMAND), "build", "--archive", str(paths["/srv/archive"])]
    subprocess.run(
        [*build, "--index", str(index_dir), "--procs", "1"],
        env=clean_environment(),
        check=True,
        capture_output=True,
        timeout=300,
    )
    [command] = command_line(localised(SERVER, tmp_path, paths))
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    env = clean_environment(SEARCH_SERVICE_PORT=str(port), SEARCH_SERVICE_WORKERS="1")
    # Like ReadOnlyPaths=: the index on a read-only mount, where the machine allows it.
    read_only = [
        "unshare",
        "--mount",
        "--propagation",
        "private",
        "sh",
        "-c",
        'mount --bind "$0" "$0" && mount -o remount,bind,ro "$0" && exec "$@"',
        str(index_dir),
    ]
    probe = subprocess.run([*read_only, "true"], capture_output=True, timeout=30)
    if probe.returncode != 0:
        read_only = []
    server = subprocess.Popen(
        [*read_only, *command],
        cwd=paths["/srv/archive-search"],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        health = None
        deadline = time.monotonic() + 60
        while health is None and time.monotonic() < deadline:
            assert server.poll() is None, server.stderr.read()
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{port}/health", timeout=5) as r:
                    health = json.load(r)
            except OSError:
                time.sleep(0.2)
        assert health is not None and health["status"] == "ok" and health["documents"] == 35
        query = "/api/search?q=%D1%82%D0%B0%D1%80%D0%B8%D1%84"  # тариф
        with urllib.request.urlopen(f"http://127.0.0.1:{port}{query}", timeout=10) as r:
            assert json.load(r)["total"] >= 2
    finally:
        server.send_signal(signal.SIGTERM)  # what systemd sends to stop it
        try:
            server.wait(timeout=30)
        except subprocess.TimeoutExpired:
            server.kill()
            server.wait()
    assert server.returncode in (0, -signal.SIGTERM)
