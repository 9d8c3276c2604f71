"""The real server under concurrent load while a build and then an update switch the index.

Six client threads hammer ``search-service serve`` (a separate process, as in production)
with pages and API calls in both languages while ``build`` and then ``update`` run as
processes and add articles. Every answer must be a 200 and well formed, and the total a
client sees for a query is only ever one of the index's whole states (old, after the build,
after the update), never in between, never going back, and the last one is served without a
restart. Also: path traversal against the real server's own URL handling.
"""

from __future__ import annotations

import http.client
import json
import subprocess
import sys
import threading
import time
from pathlib import Path
from urllib.parse import quote, urlencode

import pytest

from search_service import indexer
from search_service.cli import main
from search_service.tools.bench.http import free_port, stop_server, wait_ready
from search_service.tools.loadtest import LoadTestError, check_target

from .conftest import run_service, service_environ, write_article, write_tiny_archive

CLIENTS = 6
MAX_SECONDS = 90  # a hard cap on the hammering, whatever happens to the jobs
ENV = service_environ(log_level="WARNING")
# Two watched queries, one per language; each added article adds one hit to one of them.
WATCHED = {"ru": "навигация", "kk": "кемежай"}
BASE_ARTICLES = 4  # per language, in the first index
BUILD_ADDS = 6  # per language, added before the build
UPDATE_ADDS = 5  # per language, added before the update
OTHER_PATHS = [
    "/search?" + urlencode({"q": "сайлау", "lang": "kk"}),
    "/api/search?" + urlencode({"q": "конституция"}),
    "/search?" + urlencode({"q": "тариф OR хроника", "sort": "newest", "page": "2"}),
    "/api/search?" + urlencode({"q": '"Мемлекет басшысы"'}),
    "/articles/ru.2024.02.tariff-title?" + urlencode({"q": "тариф"}),
    "/api/articles/kk.2025.03.const-kk",
    "/health",
]


def add_watched(archive: Path, start: int, count: int) -> None:
    for n in range(start, start + count):
        write_article(
            archive,
            f"ru/2024/05/nav-{n:03d}.txt",
            "2024-05-10",
            f"Навигация открыта, выпуск {n}",
            "ПАВЛОДАР. KAZINFORM – На Иртыше началась речная навигация.",
        )
        write_article(
            archive,
            f"kk/2024/05/port-{n:03d}.txt",
            "2024-05-11",
            f"Жаңа кемежай ашылды, {n}",
            "АҚТАУ. KAZINFORM – Теңіз жағалауында кемежай жұмысын бастады.",
        )


class Hammer:
    """Client threads on keep-alive connections, each keeping its own record."""

    def __init__(self, port: int):
        self.port = port
        self.stop = threading.Event()
        self.lock = threading.Lock()
        self.errors: list[str] = []
        self.requests = 0
        self.totals: list[dict[str, list[int]]] = [{"ru": [], "kk": []} for _ in range(CLIENTS)]
        self.threads = [threading.Thread(target=self.run, args=(i,)) for i in range(CLIENTS)]

    def paths(self, number: int) -> list[tuple[str, str | None]]:
        watched = []
        for lang, word in WATCHED.items():
            query = urlencode({"q": word})
            watched += [(f"/api/search?{query}", lang), (f"/search?{query}", None)]
        mixed = watched + [(path, None) for path in OTHER_PATHS]
        return mixed[number:] + mixed[:number]

    def run(self, number: int) -> None:
        connection = http.client.HTTPConnection("127.0.0.1", self.port, timeout=30)
        deadline = time.monotonic() + MAX_SECONDS
        paths = self.paths(number)
        turn = 0
        while not self.stop.is_set() and time.monotonic() < deadline:
            path, watched = paths[turn % len(paths)]
            turn += 1
            try:
                connection.request("GET", path)
                response = connection.getresponse()
                body = response.read().decode("utf-8")
                problem = self.check(response, body, path, number, watched)
            except (OSError, http.client.HTTPException, ValueError) as error:
                problem = f"{type(error).__name__}: {error}"
                connection.close()
            with self.lock:
                self.requests += 1
                if problem:
                    self.errors.append(f"{path}: {problem}")

    def check(self, response, body, path, number, watched) -> str | None:
        if response.status != 200:
            return f"status {response.status}: {body[:300]}"
        kind = response.getheader("Content-Type", "")
        if kind.startswith("application/json"):
            payload = json.loads(body)
            if watched:
                self.totals[number][watched].append(payload["total"])
        elif not (body.lstrip().lower().startswith("<!doctype html>") and "</html>" in body):
            return f"not a whole page: {body[:200]!r}"
        return None


@pytest.fixture
def served_archive(tmp_path):
    """A tiny archive with a few watched articles, its index, and the real server on it."""
    archive, index = tmp_path / "archive", tmp_path / "index"
    write_tiny_archive(archive)
    add_watched(archive, 0, BASE_ARTICLES)
    indexer.build([archive], index, procs=1)
    port = free_port()
    serve = ["serve", "--index", str(index), "--host", "127.0.0.1", "--port", str(port)]
    with open(tmp_path / "server.log", "wb") as log:
        server = subprocess.Popen(
            [sys.executable, "-m", "search_service", *serve],
            env=ENV,
            stdout=log,
            stderr=subprocess.STDOUT,
        )
    try:
        wait_ready(f"http://127.0.0.1:{port}", server)
        yield archive, index, port
    finally:
        stop_server(server)


def job(*args: str) -> subprocess.CompletedProcess:
    return run_service(*args, env=ENV)


def get(port: int, path: str) -> tuple[int, str]:
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    try:
        connection.request("GET", path)
        response = connection.getresponse()
        return response.status, response.read().decode("utf-8", "replace")
    finally:
        connection.close()


def watched_total(port: int, lang: str) -> int:
    status, body = get(port, "/api/search?" + urlencode({"q": WATCHED[lang]}))
    assert status == 200, body
    return json.loads(body)["total"]


@pytest.mark.slow
def test_searches_stay_whole_while_build_and_update_switch_the_index(served_archive):
    archive, index, port = served_archive
    states = [BASE_ARTICLES, BASE_ARTICLES + BUILD_ADDS, BASE_ARTICLES + BUILD_ADDS + UPDATE_ADDS]
    assert {lang: watched_total(port, lang) for lang in WATCHED} == dict.fromkeys(
        WATCHED, states[0]
    )
    hammer = Hammer(port)
    for thread in hammer.threads:
        thread.start()
    try:
        time.sleep(1.0)
        add_watched(archive, BASE_ARTICLES, BUILD_ADDS)
        built = job("build", "--archive", str(archive), "--index", str(index), "--json")
        assert built.returncode == 0, built.stderr[-3000:]
        time.sleep(1.0)
        add_watched(archive, states[1], UPDATE_ADDS)
        updated = job("update", "--archive", str(archive), "--index", str(index), "--json")
        assert updated.returncode == 0, updated.stderr[-3000:]
        assert json.loads(updated.stdout.strip().splitlines()[-1])["added"] == 2 * UPDATE_ADDS
        time.sleep(1.0)
    finally:
        hammer.stop.set()
        for thread in hammer.threads:
            thread.join()

    assert hammer.errors == [], hammer.errors[:10]
    assert hammer.requests > 100
    for lang in WATCHED:
        seen = [totals[lang] for totals in hammer.totals]
        every = [total for totals in seen for total in totals]
        assert set(every) <= set(states), (lang, sorted(set(every)))
        assert states[0] in every and states[-1] in every, (lang, sorted(set(every)))
        for totals in seen:  # one client never sees the index go back to an older state
            assert totals == sorted(totals), (lang, totals)
        # The new index is served without a restart.
        assert watched_total(port, lang) == states[-1]
    status, body = get(port, "/health")
    assert (
        status == 200 and json.loads(body)["documents"] == json.loads(updated.stdout)["documents"]
    )


TRAVERSALS = [
    "/static/../../config/default.toml",
    "/static/..%2f..%2fconfig%2fdefault.toml",
    "/static/%2e%2e/%2e%2e/config/default.toml",
    "/static/..\\..\\config\\default.toml",
    "/articles/..%2f..%2fetc%2fpasswd",
    "/articles/" + quote("../../etc/passwd", safe=""),
    "/api/articles/..%2f..%2fconfig%2fdefault.toml",
    "/static/../../defaults.toml",
    "/static/..%2f..%2fdefaults.toml",
    "/../../../../etc/passwd",
    "//etc/passwd",
]


@pytest.mark.slow
def test_the_real_server_reads_no_file_outside_its_place(served_archive):
    _, _, port = served_archive
    for path in TRAVERSALS:
        status, body = get(port, path)
        assert status in (400, 404), (path, status)
        assert "root:" not in body and "max_file_bytes" not in body, path


# The load test command ------------------------------------------------------------------


@pytest.mark.parametrize(
    "url",
    [
        "http://example.com:8000",
        "http://10.0.0.1:8000",
        "http://127.0.0.2:8000",
        "https://127.0.0.1:8000",
        "http://localhost.example.com:8000",
        "http://127.0.0.1@example.com:8000",
        "http://127.0.0.1:8000/search?q=x",
    ],
)
def test_loadtest_refuses_targets_off_this_machine(url, runner):
    with pytest.raises(LoadTestError):
        check_target(url)
    result = runner.invoke(main, ["loadtest", "--url", url, "--seconds", "1"])
    assert result.exit_code == 2
    assert "refusing" in result.output or "root" in result.output


@pytest.mark.slow
def test_loadtest_runs_both_phases_without_errors(tmp_path, runner):
    archive, index = tmp_path / "archive", tmp_path / "index"
    write_tiny_archive(archive)
    indexer.build([archive], index, procs=1)
    arguments = ["loadtest", "--index", str(index), "--seconds", "2", "--clients", "3"]
    arguments += ["--with-update", str(archive), "--copies", "10", "--json"]
    result = runner.invoke(main, arguments)
    assert result.exit_code == 0, result.output
    report = json.loads(result.output)
    assert report["errors"] == 0 and set(report["phases"]) == {"steady", "update"}
    for figures in report["phases"].values():
        assert figures["requests_per_s"] > 0
        assert 0 < figures["p50_ms"] <= figures["p95_ms"] <= figures["p99_ms"]
    update = report["update"]
    assert update["added"] == 10 and update["exit_code"] == 0
    assert update["documents_after"] == update["documents_before"] + 10
    assert update["documents_cleaned"] == update["documents_before"]
