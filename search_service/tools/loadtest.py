"""The load test: many clients against the production server on loopback, with a live update.

``search-service loadtest`` starts ``search-service serve`` on a free port of 127.0.0.1 (or
takes ``--url`` of a server already running on this machine), then loads it from this
process with N client threads, each on its own keep-alive connection (the client of
:mod:`search_service.tools.bench.http`). The mix is what readers do: words in Kazakh (Cyrillic and
Latin script) and Russian, phrases, operators, filters, second pages, article pages and the
JSON API. It prints requests per second, latency percentiles and the error count.

With ``--with-update`` a second phase runs ``search-service update`` meanwhile: copies of
archive articles under new ids go into a temporary archive root, so the update adds them and
switches a new index generation in under load. Afterwards another update without that root
removes the copies again. Only loopback targets are allowed: this is no tool for loading
someone else's server.
"""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
import tempfile
import threading
import time
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import quote, urlencode, urlsplit

import click

from search_service.cli import (
    EXIT_FAILED,
    EXIT_USAGE,
    CommandError,
    index_option,
    require_index,
    settings_of,
)
from search_service.tools.bench import http as http_load

ALLOWED_HOSTS = ("127.0.0.1", "localhost")
COPY_FOLDER = "loadtest-copy"
MAX_ARTICLES = 30  # article pages in the mix
UPDATE_TIMEOUT_S = 3600

# (query, filters): what readers type, in both languages and both Kazakh scripts.
QUERIES: list[tuple[str, dict[str, str]]] = [
    ("сайлау", {}),
    ("мектеп оқушылары", {}),
    ("Қазақстан президенті", {}),
    ("облыс әкімі", {"lang": "kk"}),
    ("экономика", {"sort": "newest"}),
    ("Qazaqstan", {}),
    ("saılaý", {}),
    ("prezıdent", {"lang": "kk"}),
    ("ekonomıka damýy", {}),
    ("выборы", {}),
    ("бюджет", {"lang": "ru"}),
    ("правительство Казахстана", {}),
    ("министр образования", {"from": "2020-01-01", "to": "2024-12-31"}),
    ("инфляция", {"sort": "oldest"}),
    ("школа", {"year": "2023"}),
    ('"Мемлекет басшысы"', {}),
    ('"президент Казахстана"', {}),
    ("сайлау OR выборы", {}),
    ("бюджет -нефть", {}),
    ("экономик*", {}),
    ("title:бюджет", {}),
    ("конституция date:2022", {}),
    ("Астана", {"city": "Астана"}),
    ("Токаев", {"per_page": "20"}),
]


class LoadTestError(Exception):
    """The load test cannot run as asked (a bad target, no server, a failed setup)."""


@dataclass
class Phase:
    """One timed phase: its name and the load client's figures."""

    name: str
    figures: dict[str, Any]

    @property
    def errors(self) -> int:
        return self.figures["non_2xx"] + self.figures["exceptions"]

    def describe(self) -> str:
        f = self.figures
        return (
            f"{self.name:7} {f['seconds']:6.1f} s  {f['requests']:7d} requests  "
            f"{f['requests_per_s']:7.1f} req/s  p50 {f['p50_ms']:.1f} ms  "
            f"p95 {f['p95_ms']:.1f} ms  p99 {f['p99_ms']:.1f} ms  errors {self.errors}"
        )


@dataclass
class Report:
    base: str
    clients: int
    paths: int
    phases: list[Phase] = field(default_factory=list)
    discovery_errors: list[str] = field(default_factory=list)
    update: dict[str, Any] | None = None

    @property
    def errors(self) -> int:
        return len(self.discovery_errors) + sum(phase.errors for phase in self.phases)

    def as_dict(self) -> dict[str, Any]:
        return {
            "base": self.base,
            "clients": self.clients,
            "paths": self.paths,
            "errors": self.errors,
            "discovery_errors": self.discovery_errors,
            "phases": {phase.name: phase.figures for phase in self.phases},
            "update": self.update,
        }

    def describe(self) -> str:
        lines = [f"loadtest: {self.base}, {self.clients} clients, {self.paths} request paths"]
        lines += [phase.describe() for phase in self.phases]
        for phase in self.phases:
            lines += [f"  {phase.name} error: {text}" for text in phase.figures["error_examples"]]
        lines += [f"  discovery error: {text}" for text in self.discovery_errors]
        if self.update:
            u = self.update
            lines.append(
                f"update job: exit {u['exit_code']} in {u['seconds']:.1f} s, "
                f"{u['added']} added; documents served {u['documents_before']} -> "
                f"{u['documents_after']} without a restart"
            )
            lines.append(f"cleanup: copies removed, documents {u['documents_cleaned']}")
        lines.append(f"errors: {self.errors}")
        return "\n".join(lines)


def check_target(url: str) -> str:
    """``http://127.0.0.1:PORT`` or ``http://localhost:PORT`` without a trailing slash."""
    parts = urlsplit(url)
    if parts.scheme != "http" or parts.hostname not in ALLOWED_HOSTS:
        raise LoadTestError(
            f"refusing to load {url!r}: only http://127.0.0.1:PORT or http://localhost:PORT"
        )
    if parts.path.strip("/") or parts.query:
        raise LoadTestError(f"give the server's root, not a page: {url!r}")
    return f"http://{parts.hostname}:{parts.port or 80}"


def run_loadtest(
    *,
    index_dir: Path,
    url: str | None = None,
    seconds: float = 60.0,
    clients: int = 8,
    update_archives: tuple[Path, ...] = (),
    copies: int = 300,
) -> Report:
    """Run the steady phase, and the update phase when ``update_archives`` are given."""
    if url is not None:
        return _load(check_target(url), index_dir, seconds, clients, update_archives, copies)
    port = http_load.free_port()
    base = f"http://127.0.0.1:{port}"
    serve = ["serve", "--index", str(index_dir), "--host", "127.0.0.1", "--port", str(port)]
    with tempfile.TemporaryFile() as log:
        server = subprocess.Popen(http_load.command(*serve), stdout=log, stderr=subprocess.STDOUT)
        try:
            try:
                http_load.wait_ready(base, server)
            except RuntimeError as error:
                log.seek(0)
                tail = log.read().decode("utf-8", "replace")[-2000:]
                raise LoadTestError(f"{error}\n{tail}") from None
            return _load(base, index_dir, seconds, clients, update_archives, copies)
        finally:
            http_load.stop_server(server)


def _load(base, index_dir, seconds, clients, update_archives, copies) -> Report:
    paths, problems = request_paths(base)
    report = Report(base, clients, len(paths), discovery_errors=problems)
    figures = http_load.load(base, clients, seconds, 10**9, paths=paths)
    report.phases.append(Phase("steady", figures))
    if update_archives:
        report.update, figures = _update_phase(
            base, index_dir, seconds, clients, update_archives, copies, paths
        )
        report.phases.append(Phase("update", figures))
    return report


def request_paths(base: str) -> tuple[list[str], list[str]]:
    """The request mix, from asking the server itself which queries have second pages and
    which articles they find; problems met on the way are returned as errors."""
    paths: list[str] = []
    articles: list[tuple[str, str]] = []
    problems: list[str] = []
    for q, filters in QUERIES:
        query = urlencode({"q": q, **filters})
        paths += [f"/search?{query}", f"/api/search?{query}"]
        try:
            with urllib.request.urlopen(f"{base}/api/search?{query}", timeout=60) as answer:
                found = json.load(answer)
        except (OSError, ValueError) as error:
            problems.append(f"{type(error).__name__}: {error} (/api/search?{query})")
            continue
        if found["pages"] >= 2:
            paths += [f"/search?{query}&page=2", f"/api/search?{query}&page=2"]
        articles += [(hit["id"], q) for hit in found["hits"][:2]]
    for article_id, q in articles[:MAX_ARTICLES]:
        safe_id = quote(article_id, safe="")
        paths += [f"/articles/{safe_id}?{urlencode({'q': q})}", f"/api/articles/{safe_id}"]
    return paths, problems


def _documents(base: str) -> int:
    with urllib.request.urlopen(f"{base}/health", timeout=60) as answer:
        return json.load(answer)["documents"]


def _update_phase(base, index_dir, seconds, clients, archives, copies, paths):
    """Load the server while an update adds copies of articles, then remove the copies."""
    update = ["update", "--index", str(index_dir), "--json"]
    for root in archives:
        update += ["--archive", str(root)]
    with tempfile.TemporaryDirectory(prefix="loadtest-") as scratch:
        extra = Path(scratch) / "archive"
        added = copy_articles(archives, extra / COPY_FOLDER, copies)
        before = _documents(base)
        started = time.monotonic()
        job = subprocess.Popen(
            http_load.command(*update, "--archive", str(extra)),
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        finished: dict[str, Any] = {}

        def wait_for_job() -> None:
            try:
                finished["out"], finished["err"] = job.communicate(timeout=UPDATE_TIMEOUT_S)
            finally:
                finished["seconds"] = time.monotonic() - started

        waiter = threading.Thread(target=wait_for_job)
        waiter.start()
        figures = http_load.load(base, clients, seconds, 10**9, paths=paths, warm_up=False)
        waiter.join()
        out, err, took = finished.get("out", ""), finished.get("err", ""), finished["seconds"]
        after = _documents(base)
        summary = _last_json(out)
        cleanup = subprocess.run(
            http_load.command(*update), capture_output=True, text=True, check=False
        )
    if job.returncode not in (0, 3) or cleanup.returncode not in (0, 3):
        raise LoadTestError(f"the update failed (exit {job.returncode}): {err[-2000:]}")
    info = {
        "exit_code": job.returncode,
        "seconds": round(took, 2),
        "copies": added,
        "added": summary.get("added", 0),
        "documents_before": before,
        "documents_after": after,
        "documents_cleaned": _documents(base),
        "summary": summary,
    }
    return info, figures


def copy_articles(archives: tuple[Path, ...], target: Path, count: int) -> int:
    """Copy the first ``count`` article files of the archives below ``target`` (new ids)."""
    copied = 0
    for number, root in enumerate(archives):
        for source in sorted(Path(root).rglob("*.txt")):
            if copied >= count:
                return copied
            if not source.is_file():
                continue
            destination = target / str(number) / source.relative_to(root)
            destination.parent.mkdir(parents=True, exist_ok=True)
            shutil.copyfile(source, destination)
            copied += 1
    return copied


def _last_json(output: str) -> dict[str, Any]:
    for line in reversed(output.strip().splitlines()):
        try:
            return json.loads(line)
        except ValueError:
            continue
    return {}


@click.command("loadtest")
@index_option
@click.option("--url", help="Load a running server at http://127.0.0.1:PORT instead.")
@click.option("--seconds", type=click.FloatRange(min=1), default=60, show_default=True)
@click.option("--clients", type=click.IntRange(1, 64), default=8, show_default=True)
@click.option(
    "--with-update",
    "update_archives",
    multiple=True,
    type=click.Path(file_okay=False, exists=True, path_type=Path),
    help="The index's archive root (repeat for several): also load it during an update.",
)
@click.option("--copies", type=click.IntRange(min=1), default=300, show_default=True)
@click.option("--json", "as_json", is_flag=True, help="Print the figures as JSON.")
@click.pass_context
def command(ctx, index_dir, url, seconds, clients, update_archives, copies, as_json):
    """Load the production server from this machine: requests/s, latency, errors.

    Starts `serve` on a free loopback port (or uses --url, 127.0.0.1 or localhost only) and
    sends a mix of searches in both languages, filters, article pages and API calls. With
    --with-update a second phase runs `update` meanwhile, adding --copies copies of articles
    under new ids; a last update removes them again. Exit code 1 when any request failed.

    \b
    Examples:
      search-service loadtest --index /srv/index --seconds 60
      search-service loadtest --index /srv/index --with-update /srv/archive
    """
    settings = settings_of(ctx).replace(index_dir=index_dir)
    if url is None:
        require_index(settings.index_dir)
    try:
        report = run_loadtest(
            index_dir=settings.index_dir,
            url=url,
            seconds=seconds,
            clients=clients,
            update_archives=update_archives,
            copies=copies,
        )
    except LoadTestError as error:
        raise CommandError(str(error), EXIT_USAGE if url else EXIT_FAILED) from None
    if as_json:
        click.echo(json.dumps(report.as_dict(), ensure_ascii=False, indent=2))
    else:
        click.echo(report.describe())
    if report.errors:
        sys.exit(EXIT_FAILED)
