"""HTTP load: the production server in one process, a load client in another, on loopback.

:func:`run` starts ``search-service serve`` on a free port of 127.0.0.1, waits for
``/health``, then runs this module as the load client
(``python -m search_service.tools.bench.http``) in a separate process: N client threads, each
on its own keep-alive connection, send a fixed
mix of ``/search`` (HTML) and ``/api/search`` (JSON) requests until a deadline or a request
budget is reached. Every non-2xx answer and every exception is counted. The server's peak
memory is read from ``/proc`` before it is stopped.
"""

from __future__ import annotations

import argparse
import http.client
import json
import os
import signal
import socket
import subprocess
import sys
import threading
import time
import urllib.request
from pathlib import Path
from typing import Any
from urllib.parse import urlencode, urlsplit

from search_service.tools.bench.queries import QUERY_CLASSES, QuerySpec, percentile

HOST = "127.0.0.1"
START_TIMEOUT_S = 120
REQUEST_TIMEOUT_S = 30
EXAMPLE_ERRORS = 5


def request_mix() -> list[str]:
    """The fixed request paths: every benchmark query, as a page and as an API call."""
    paths = []
    for specs in QUERY_CLASSES.values():
        for spec in specs:
            query = urlencode(search_params(spec))
            paths += [f"/search?{query}", f"/api/search?{query}"]
    return paths


def search_params(spec: QuerySpec) -> dict[str, str]:
    """A benchmark query as the search page's parameters."""
    params = {"q": spec.q}
    if spec.lang:
        params["lang"] = spec.lang
    if spec.city:
        params["city"] = spec.city
    if spec.date_from:
        params["from"] = spec.date_from.isoformat()
    if spec.date_to:
        params["to"] = spec.date_to.isoformat()
    return params


def command(*args: str) -> list[str]:
    """``search-service ARGS``, with the console script of this interpreter's environment."""
    script = Path(sys.executable).with_name("search-service")
    if script.exists():
        return [str(script), *args]
    return [sys.executable, "-m", "search_service", *args]


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind((HOST, 0))
        return probe.getsockname()[1]


def wait_ready(base: str, server: subprocess.Popen) -> None:
    """Wait until the server answers ``/health`` with 200; raise if it exits or is too slow."""
    deadline = time.monotonic() + START_TIMEOUT_S
    while time.monotonic() < deadline:
        if server.poll() is not None:
            raise RuntimeError(f"the server exited with code {server.returncode}")
        try:
            with urllib.request.urlopen(base + "/health", timeout=2) as answer:
                if answer.status == 200:
                    return
        except OSError:
            pass
        time.sleep(0.2)
    raise RuntimeError(f"the server did not answer /health within {START_TIMEOUT_S} s")


def _memory_mb(pid: int) -> dict[str, float]:
    """Peak (VmHWM) and current (VmRSS) resident memory of a process, from /proc."""
    figures = {}
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            key, _, value = line.partition(":")
            if key in ("VmHWM", "VmRSS"):
                figures[key] = int(value.split()[0]) / 1024
    except OSError:
        pass
    return {"peak_rss_mb": figures.get("VmHWM", 0.0), "rss_mb": figures.get("VmRSS", 0.0)}


def _server_memory_mb(pid: int) -> dict[str, float]:
    """The server's memory: gunicorn's master and, what counts, its largest worker."""
    master = _memory_mb(pid)
    try:
        children = Path(f"/proc/{pid}/task/{pid}/children").read_text().split()
    except OSError:
        children = []
    workers = [_memory_mb(int(child)) for child in children]
    peak = max((w["peak_rss_mb"] for w in workers), default=master["peak_rss_mb"])
    return {
        "peak_rss_mb": peak,
        "master_peak_rss_mb": master["peak_rss_mb"],
        "workers": len(workers),
        "worker_peak_rss_mb": [w["peak_rss_mb"] for w in workers],
    }


def run(index_dir: Path, clients: int, seconds: float, max_requests: int, log: Path) -> dict:
    """Serve ``index_dir``, load it from a separate client process, stop the server."""
    port = free_port()
    base = f"http://{HOST}:{port}"
    with open(log, "wb") as output:
        server = subprocess.Popen(
            command("serve", "--index", str(index_dir), "--host", HOST, "--port", str(port)),
            stdout=output,
            stderr=subprocess.STDOUT,
        )
    try:
        wait_ready(base, server)
        client = python_main("search_service.tools.bench.http", "--base", base)
        client += ["--clients", str(clients), "--seconds", str(seconds)]
        client += ["--max-requests", str(max_requests)]
        done = subprocess.run(
            client, capture_output=True, text=True, timeout=seconds + 300, check=False
        )
        if done.returncode != 0:
            raise RuntimeError(f"the load client failed: {done.stderr[-2000:]}")
        result = json.loads(done.stdout.strip().splitlines()[-1])
        result["server"] = _server_memory_mb(server.pid)
        result["server_log"] = str(log)
        return result
    finally:
        stop_server(server)


def stop_server(server: subprocess.Popen) -> None:
    """Stop the server with SIGTERM, or SIGKILL when it does not stop within 15 s."""
    if server.poll() is None:
        server.send_signal(signal.SIGTERM)
        try:
            server.wait(timeout=15)
        except subprocess.TimeoutExpired:
            server.kill()
            server.wait()


# The load client (runs in its own process) -------------------------------------------------


class _Tally:
    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.sent = 0
        self.latencies: dict[str, list[float]] = {"html": [], "json": []}
        self.non_2xx = 0
        self.exceptions = 0
        self.examples: list[str] = []

    def take(self, budget: int) -> bool:
        with self.lock:
            if self.sent >= budget:
                return False
            self.sent += 1
            return True

    def error(self, text: str, exception: bool) -> None:
        with self.lock:
            if exception:
                self.exceptions += 1
            else:
                self.non_2xx += 1
            if len(self.examples) < EXAMPLE_ERRORS:
                self.examples.append(text)


def _client(base: str, paths: list[str], start: int, deadline: float, budget: int, tally: _Tally):
    where = urlsplit(base)
    connection = http.client.HTTPConnection(where.hostname, where.port, timeout=REQUEST_TIMEOUT_S)
    turn = start
    while time.monotonic() < deadline and tally.take(budget):
        path = paths[turn % len(paths)]
        turn += 1
        kind = "json" if path.startswith("/api/") else "html"
        started = time.perf_counter()
        try:
            connection.request("GET", path, headers={"Accept-Language": "kk"})
            answer = connection.getresponse()
            answer.read()
            elapsed = (time.perf_counter() - started) * 1000
            if 200 <= answer.status < 300:
                with tally.lock:
                    tally.latencies[kind].append(elapsed)
            else:
                tally.error(f"{answer.status} {path}", exception=False)
            if answer.getheader("Connection", "").lower() == "close":
                connection.close()
        except (OSError, http.client.HTTPException) as error:
            tally.error(f"{type(error).__name__}: {error} ({path})", exception=True)
            connection.close()
    connection.close()


def load(
    base: str,
    clients: int,
    seconds: float,
    max_requests: int,
    paths: list[str] | None = None,
    warm_up: bool = True,
) -> dict[str, Any]:
    """Warm the server with one pass of the mix, then run the timed load.

    ``paths`` replaces the benchmark's request mix (``search-service loadtest`` has its own);
    without ``warm_up`` the timed load starts at once.
    """
    custom = paths is not None
    paths = paths if custom else request_mix()
    warm = _Tally()
    if warm_up:
        _client(base, paths, 0, time.monotonic() + 120, len(paths), warm)
    tally = _Tally()
    started = time.monotonic()
    deadline = started + seconds
    threads = [
        threading.Thread(
            target=_client,
            args=(base, paths, i * len(paths) // clients, deadline, max_requests, tally),
        )
        for i in range(clients)
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    elapsed = time.monotonic() - started
    every = tally.latencies["html"] + tally.latencies["json"]
    return {
        "clients": clients,
        "seconds": round(elapsed, 3),
        "requests": tally.sent,
        "ok": len(every),
        "requests_per_s": round(len(every) / elapsed, 2) if elapsed else 0.0,
        "p50_ms": round(percentile(every, 0.50), 2),
        "p95_ms": round(percentile(every, 0.95), 2),
        "p99_ms": round(percentile(every, 0.99), 2),
        "by_kind": {
            kind: {
                "ok": len(values),
                "p50_ms": round(percentile(values, 0.50), 2),
                "p95_ms": round(percentile(values, 0.95), 2),
            }
            for kind, values in tally.latencies.items()
        },
        "non_2xx": tally.non_2xx + warm.non_2xx,
        "exceptions": tally.exceptions + warm.exceptions,
        "error_examples": warm.examples + tally.examples,
        "mix": f"{len(paths)} paths"
        + ("" if custom else ": every benchmark query as /search and /api/search"),
        "client_pid": os.getpid(),
    }


def python_main(module: str, *arguments: str) -> list[str]:
    """The command that runs ``module``'s ``main()`` in a fresh interpreter of this environment.

    Not ``python -m``: the bench package imports its modules, so runpy would find the module
    already imported and warn that it may run twice.
    """
    code = f"import sys; from {module} import main; sys.exit(main())"
    return [sys.executable, "-c", code, *arguments]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Benchmark load client (run by the benchmark).")
    parser.add_argument("--base", required=True, help="http://127.0.0.1:PORT")
    parser.add_argument("--clients", type=int, default=8)
    parser.add_argument("--seconds", type=float, default=20.0)
    parser.add_argument("--max-requests", type=int, default=100_000)
    options = parser.parse_args(argv)
    if urlsplit(options.base).hostname != HOST:
        parser.error("the load client only talks to 127.0.0.1")
    print(json.dumps(load(options.base, options.clients, options.seconds, options.max_requests)))
    return 0


if __name__ == "__main__":
    sys.exit(main())
