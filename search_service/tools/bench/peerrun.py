"""Our engine beside its peers: the benchmark's articles and query kinds through Xapian, tantivy
and SQLite FTS5 (``search-service bench --peers xapian,tantivy,fts5``).

Every peer gets exactly the articles our build indexed (read by our archive reader, written
once as JSON lines before any clock starts: the peers index text already in memory, while
our build's time includes reading and parsing the files). Each peer builds in a fresh
process and answers the queries in another (``peers.py`` is the worker), under this
environment's interpreter or, for Xapian when only Debian's can import it, ``/usr/bin/python3``.
A peer that is not installed is skipped and said so.

The query kinds are the benchmark's own classes (``queries.QUERY_CLASSES``; not the faceted
one: the peers have no city or facets) plus a rare-word class. Per query and engine:

- *first search* and *first page*: the first search (exact total, top 10 ids and headlines)
  and the first results page (the same plus a highlighted snippet per hit) on a freshly
  opened index, in a process that has answered other queries; the OS file cache is warm.
  That is peerbench's "first search after open": what a reopened index costs a word, not a
  cold start of a new process;
- *search* and *page* warm: the p50 of ``repeats`` runs after ``warmup`` untimed ones.

Our page is :meth:`ArchiveSearcher.search`, exactly as the web page gets it (with facets,
the headline marks and "did you mean" when there are few hits); our *search* is the same call
less the time spent making the hits' markup (headline and snippets) and in "did you mean"
(the peers offer none), both measured in that call.
"""

from __future__ import annotations

import contextlib
import functools
import json
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import click

from search_service import searcher as searcher_module
from search_service.archive import Article, read_article, walk_archive
from search_service.schema import date_number
from search_service.searcher import ArchiveSearcher
from search_service.tools.bench import build, peers
from search_service.tools.bench.queries import QUERY_CLASSES, OurPages, QuerySpec, percentile

SHARED_KINDS = (
    "kk_word",
    "ru_word",
    "latin_word",
    "two_words",
    "phrase",
    "date_filtered",
    "common_word",
)
# Words found in exactly two articles of the real corpus (as written; our analysis may find
# a few more forms): Russian, Cyrillic and Latin Kazakh.
RARE_WORDS = ("урбанизации", "конфронтации", "вахталық", "atletıka")
PEER_KINDS: dict[str, list[QuerySpec]] = {
    **{kind: QUERY_CLASSES[kind] for kind in SHARED_KINDS},
    "rare_word": [QuerySpec(word) for word in RARE_WORDS],
}
WORKER_TIMEOUT_S = 4 * 3600
# Run peers.py as a file, not as the script itself: Python would put its folder first on
# sys.path, where this package's http.py would shadow the standard library's.
RUN_WORKER = (
    "import runpy, sys; sys.argv = sys.argv[1:]; runpy.run_path(sys.argv[0], None, '__main__')"
)
OURS = "ours"


def peer_list(text: str) -> tuple[str, ...]:
    """``--peers`` value: engine names, comma-separated, or ``all``."""
    names = [name.strip().lower() for name in text.split(",") if name.strip()]
    if names == ["all"]:
        return tuple(peers.PEERS)
    unknown = [name for name in names if name not in peers.PEERS]
    if unknown or not names:
        known = ", ".join(peers.PEERS)
        raise click.BadParameter(f"unknown peer {', '.join(unknown)!r}; known: {known}")
    return tuple(dict.fromkeys(names))


def peer_query(spec: QuerySpec) -> dict[str, Any]:
    """A benchmark query as the peers take it: words, phrase or not, a YYYYMMDD range."""
    text = spec.q.strip()
    phrase = len(text) > 1 and text.startswith('"') and text.endswith('"')
    words = (text[1:-1] if phrase else text).split()
    date = None
    if spec.date_from or spec.date_to:
        date = [date_number(spec.date_from) if spec.date_from else 0]
        date.append(date_number(spec.date_to) if spec.date_to else 99991231)
    return {"words": words, "phrase": phrase, "date": date}


def _queries() -> list[tuple[str, QuerySpec]]:
    return [(kind, spec) for kind, specs in PEER_KINDS.items() for spec in specs]


def write_documents(roots: list[Path], path: Path) -> int:
    """The articles our build indexes, one JSON object a line; returns how many."""
    seen: set[str] = set()
    with open(path, "w", encoding="utf-8") as out:
        for file in walk_archive(roots):
            item = read_article(file, build.MAX_FILE_BYTES)
            if not isinstance(item, Article) or item.id in seen:
                continue
            seen.add(item.id)
            record = {
                "id": item.id,
                "date": date_number(item.date),
                "title": item.headline,
                "body": item.body,
            }
            out.write(json.dumps(record, ensure_ascii=False) + "\n")
    return len(seen)


def run(
    names: tuple[str, ...],
    roots: list[Path],
    work: Path,
    our_index: Path,
    repeats: int,
    warmup: int,
    say: Callable[[str], None] = lambda text: None,
) -> dict[str, Any]:
    """Build and query every named peer that is installed, and measure ours the same way."""
    work.mkdir(parents=True, exist_ok=True)
    documents = work / "peer-documents.jsonl"
    count = write_documents(roots, documents)
    asked = [(kind, spec, peer_query(spec)) for kind, spec in _queries()]
    result: dict[str, Any] = {
        "asked": list(names),
        "documents": count,
        "repeats": repeats,
        "warmup": warmup,
        "kinds": {kind: [spec.label() for spec in specs] for kind, specs in PEER_KINDS.items()},
        "engines": {},
        "skipped": {},
    }
    for name in names:
        located = peers.PEERS[name].locate()
        if not located.ok:
            result["skipped"][name] = located.reason
            say(f"peers: {name} skipped: {located.reason}")
            continue
        say(f"peers: {name} {located.version} ({located.how}): build")
        entry = {
            "version": located.version,
            "how": located.how,
            "python": located.python,
            "analysis": peers.PEERS[name].analysis,
        }
        result["engines"][name] = entry
        job = {
            "engine": name,
            "import_path": located.import_path,
            "documents": str(documents),
            "index": str(work / "index" / f"peer-{name}"),
        }
        try:
            entry["build"] = _worker(located.python, {**job, "phase": "build"}, work)
            docs, seconds = entry["build"]["documents"], entry["build"]["seconds"]
            entry["build"]["docs_per_s"] = docs / seconds if seconds else 0.0
            say(f"peers: {name}: {len(asked)} queries")
            queries = [query for _, _, query in asked]
            figures = _worker(
                located.python,
                {**job, "phase": "query", "queries": queries, "repeats": repeats, "warmup": warmup},
                work,
            )
        except (RuntimeError, OSError, ValueError, subprocess.TimeoutExpired) as error:
            entry["error"] = str(error)
            say(f"peers: {name} failed: {error}")
            continue
        entry["open_ms"] = round(figures["open_ms"], 2)
        entry["queries"] = _records(asked, figures["queries"])
        entry["by_kind"] = _by_kind(entry["queries"], figures["queries"], asked)
    say("peers: ours, the same queries")
    result[OURS] = measure_ours(our_index, [(k, s) for k, s, _ in asked], repeats, warmup)
    return result


def _worker(python: str, job: dict[str, Any], work: Path) -> dict[str, Any]:
    """Run ``peers.py`` on ``job`` in a fresh process; its one JSON line of figures."""
    path = work / f"peer-job-{job['engine']}-{job['phase']}.json"
    path.write_text(json.dumps(job, ensure_ascii=False), encoding="utf-8")
    command = [python, "-c", RUN_WORKER, str(Path(peers.__file__).resolve()), str(path)]
    done = subprocess.run(
        command, cwd=work, capture_output=True, text=True, timeout=WORKER_TIMEOUT_S, check=False
    )
    if done.returncode != 0:
        raise RuntimeError(f"{job['phase']} failed ({done.returncode}): {done.stderr[-1500:]}")
    return json.loads(done.stdout.strip().splitlines()[-1])


def _records(
    asked: list[tuple[str, QuerySpec, dict]], figures: list[dict[str, Any]]
) -> list[dict[str, Any]]:
    """Per query: kind, label, total, first and warm p50 figures, a snippet to look at."""
    records = []
    for (kind, spec, _), record in zip(asked, figures, strict=True):
        records.append(
            {
                "kind": kind,
                "query": spec.label(),
                "total": record["total"],
                "first_search_ms": round(record["first_search_ms"], 3),
                "first_page_ms": round(record["first_page_ms"], 3),
                "search_p50_ms": round(percentile(record["search_ms"], 0.5), 3),
                "page_p50_ms": round(percentile(record["page_ms"], 0.5), 3),
                "snippet": record.get("snippet", ""),
            }
        )
    return records


def _by_kind(
    records: list[dict[str, Any]],
    samples: list[dict[str, Any]],
    asked: list[tuple[str, QuerySpec, dict]],
) -> dict[str, dict[str, float]]:
    """Per kind: p50 over every warm sample of its queries, p50 of their first figures, and
    the summed totals."""
    figures: dict[str, dict[str, float]] = {}
    for kind in PEER_KINDS:
        mine = [i for i, (k, _, _) in enumerate(asked) if k == kind]
        search = [ms for i in mine for ms in samples[i]["search_ms"]]
        page = [ms for i in mine for ms in samples[i]["page_ms"]]
        figures[kind] = {
            "search_p50_ms": round(percentile(search, 0.5), 3),
            "page_p50_ms": round(percentile(page, 0.5), 3),
            "first_search_p50_ms": round(
                percentile([records[i]["first_search_ms"] for i in mine], 0.5), 3
            ),
            "first_page_p50_ms": round(
                percentile([records[i]["first_page_ms"] for i in mine], 0.5), 3
            ),
            "hits": sum(records[i]["total"] for i in mine),
        }
    return figures


@contextlib.contextmanager
def _our_timers() -> Iterator[dict[str, float]]:
    """Seconds spent in the searcher's per-hit markup (headline marks and snippets) and in
    its "did you mean" look-up, summed while the block runs."""
    spent = {"markup": 0.0, "suggestion": 0.0}

    def timer(label: str, function: Callable) -> Callable:
        @functools.wraps(function)
        def timed(*args, **kwargs):
            started = time.perf_counter()
            try:
                return function(*args, **kwargs)
            finally:
                spent[label] += time.perf_counter() - started

        return timed

    hit, suggest = searcher_module._hit, ArchiveSearcher.suggest
    searcher_module._hit = timer("markup", hit)
    ArchiveSearcher.suggest = timer("suggestion", suggest)
    try:
        yield spent
    finally:
        searcher_module._hit, ArchiveSearcher.suggest = hit, suggest


def _our_page(pages: OurPages, spec: QuerySpec, spent: dict[str, float]) -> dict[str, Any]:
    """One results page: its total, and its time whole, less markup and suggestion, and in
    the suggestion (milliseconds)."""
    before = dict(spent)
    started = time.perf_counter()
    found = pages.page(spec)
    page_ms = (time.perf_counter() - started) * 1000
    markup, suggestion = ((spent[k] - before[k]) * 1000 for k in ("markup", "suggestion"))
    return {
        "total": found["total"],
        "page_ms": page_ms,
        "search_ms": page_ms - markup - suggestion,
        "suggestion_ms": suggestion,
    }


def measure_ours(
    index_dir: Path, asked: list[tuple[str, QuerySpec]], repeats: int, warmup: int
) -> dict[str, Any]:
    """Our figures for the peers' queries, measured as theirs are (see the module's doc)."""
    build._warm_up()  # the dictionaries, as a peer's worker has its engine imported
    OurPages(index_dir).close()  # imports and first-open work of the process
    samples: list[dict[str, Any]] = []
    with _our_timers() as spent:
        for _, spec in asked:
            pages = OurPages(index_dir)  # a freshly opened index
            first = _our_page(pages, spec, spent)
            pages.close()
            samples.append(
                {
                    "total": first["total"],
                    "first_search_ms": first["search_ms"],
                    "first_page_ms": first["page_ms"],
                    "search_ms": [],
                    "page_ms": [],
                    "suggestion_ms": [],
                }
            )
        pages = OurPages(index_dir)
        open_ms = pages.open_ms
        try:
            for (_, spec), record in zip(asked, samples, strict=True):
                for _ in range(warmup):
                    pages.page(spec)
                for _ in range(repeats):
                    timed = _our_page(pages, spec, spent)
                    for key in ("search_ms", "page_ms", "suggestion_ms"):
                        record[key].append(timed[key])
        finally:
            pages.close()
    with_specs = [(kind, spec, {}) for kind, spec in asked]
    records = _records(with_specs, samples)
    for record, sample in zip(records, samples, strict=True):
        record["suggestion_p50_ms"] = round(percentile(sample["suggestion_ms"], 0.5), 3)
    return {
        "open_ms": open_ms,
        "python": sys.executable,
        "suggest_below": searcher_module.SUGGEST_BELOW,
        "queries": records,
        "by_kind": _by_kind(records, samples, with_specs),
    }
