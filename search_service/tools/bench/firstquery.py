"""First queries: a freshly started production server, 100 distinct queries asked once each.

What a new user feels is not the warm figure (the same words asked again) but the first ask
of words nobody searched since the server started: every query below is asked exactly once,
over HTTP, as the results page (``/search``, 10 highlighted hits), one after another on one
keep-alive connection, right after the server first answers ``/health``. The figures are the
first request's time, p50 and p95 of all of them, and how long the server took to start.

Run alone (the benchmark runs it too)::

    python -m search_service.tools.bench.firstquery --index DIR [--serve-command CMD]
"""

from __future__ import annotations

import argparse
import http.client
import json
import subprocess
import sys
import time
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

from search_service.tools.bench import http as served
from search_service.tools.bench.queries import QUERY_CLASSES, QuerySpec, percentile

# More words of the same kinds, so that with the benchmark's fixed queries there are 100
# distinct ones (Kazakh in both scripts, Russian, two words, phrases, prefixes, filters).
_EXTRA_WORDS = (
    "жол",
    "денсаулық",
    "білім",
    "ауыл",
    "су",
    "жастар",
    "спорт",
    "мәдениет",
    "туризм",
    "инвестиция",
    "құрылыс",
    "әкім",
    "депутат",
    "ауыл шаруашылығы",
    "энергетика",
    "медицина",
    "больница",
    "дорога",
    "зерно",
    "нефть",
    "газ",
    "выставка",
    "суд",
    "полиция",
    "пожар",
    "погода",
    "цены",
    "инфляция",
    "парламент",
    "сенат",
    "университет",
    "студенты",
    "экспорт",
    "урожай",
    "тенге",
    "aýyl",
    "bilim",
    "densaýlyq",
    "jastar",
    "sport",
    "Almaty",
    "Shymkent",
    "ınvestısıa",
    "жол құрылысы",
    "денсаулық сақтау",
    "курс тенге",
    "цены на бензин",
    "Токаев",
    "Тоқаев",
    "Tokayev",
    "Алматы",
    "Шымкент",
    "Караганда",
    "Ақтөбе",
    "Астана",
    '"ауыл шаруашылығы"',
    '"Верховный суд"',
    '"Ұлттық банк"',
    "эконом*",
    "сайла*",
    "коронавирус",
    "вакцина",
    "карантин",
    "пандемия",
)


def first_queries() -> list[QuerySpec]:
    """The 100 distinct queries: the benchmark's fixed ones, then the extra words."""
    seen: dict[tuple, QuerySpec] = {}
    for specs in QUERY_CLASSES.values():
        for spec in specs:
            seen.setdefault((spec.q, spec.lang, spec.city, spec.date_from, spec.date_to), spec)
    for word in _EXTRA_WORDS:
        seen.setdefault((word, None, None, None, None), QuerySpec(word))
    return list(seen.values())[:100]


def _path(spec: QuerySpec) -> str:
    return "/search?" + urlencode(served.search_params(spec))


def ask_each_once(port: int, paths: list[str]) -> list[tuple[str, float, int]]:
    """Each path once on one keep-alive connection: (path, milliseconds, HTTP status)."""
    connection = http.client.HTTPConnection(served.HOST, port, timeout=served.REQUEST_TIMEOUT_S)
    timings = []
    try:
        for path in paths:
            started = time.perf_counter()
            connection.request("GET", path, headers={"Accept-Language": "kk"})
            answer = connection.getresponse()
            answer.read()
            timings.append((path, (time.perf_counter() - started) * 1000, answer.status))
            if answer.getheader("Connection", "").lower() == "close":
                connection.close()
    finally:
        connection.close()
    return timings


def run(index_dir: Path, log: Path, serve: list[str] | None = None) -> dict[str, Any]:
    """Start a fresh server on ``index_dir``, ask the 100 queries once each, stop it.

    ``serve`` is the command that serves (default: this environment's ``search-service
    serve``); ``--index``, ``--host`` and ``--port`` are appended.
    """
    port = served.free_port()
    base = f"http://{served.HOST}:{port}"
    arguments = ["--index", str(index_dir), "--host", served.HOST, "--port", str(port)]
    started = time.perf_counter()
    with open(log, "wb") as output:
        server = subprocess.Popen(
            (serve or served.command("serve")) + arguments, stdout=output, stderr=subprocess.STDOUT
        )
    try:
        served.wait_ready(base, server)
        ready_s = time.perf_counter() - started
        specs = first_queries()
        timings = ask_each_once(port, [_path(spec) for spec in specs])
    finally:
        served.stop_server(server)
    times = [ms for _, ms, status in timings if 200 <= status < 300]
    slowest = sorted(zip(timings, specs, strict=True), key=lambda t: -t[0][1])[:5]
    return {
        "queries": len(timings),
        "ok": len(times),
        "errors": len(timings) - len(times),
        "server_ready_s": round(ready_s, 2),
        "first_ms": round(timings[0][1], 2) if timings else 0.0,
        "p50_ms": round(percentile(times, 0.50), 2),
        "p95_ms": round(percentile(times, 0.95), 2),
        "max_ms": round(max(times, default=0.0), 2),
        "slowest": [{"query": spec.label(), "ms": round(t[1], 2)} for t, spec in slowest],
        "server_log": str(log),
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="First queries against a fresh server.")
    parser.add_argument("--index", type=Path, required=True)
    parser.add_argument("--log", type=Path, default=Path("/tmp/firstquery-server.log"))
    parser.add_argument(
        "--serve-command", help="The serve command, e.g. '/other/.venv/bin/search-service serve'"
    )
    options = parser.parse_args(argv)
    serve = options.serve_command.split() if options.serve_command else None
    print(json.dumps(run(options.index, options.log, serve), ensure_ascii=False))
    return 0


if __name__ == "__main__":
    sys.exit(main())
