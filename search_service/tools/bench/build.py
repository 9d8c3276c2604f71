"""Build runs: our full build and the stock-Whoosh baseline, each in a fresh process.

Every build runs in its own interpreter (``python -m search_service.tools.bench.build``) so that its
peak memory is its own: the worker reports ``getrusage`` of itself and of its waited-for
children (the multi-process writer forks workers). Inside the worker the reader, the text
analysis and the writer's commit are wrapped in timers, which costs a few microseconds per
document and gives the share of each without a profiler.

The baseline has the same fields, types and stored fields as :func:`build_schema`, but every
analysed field uses Whoosh's own ``StandardAnalyzer`` (lower-casing, English stop words): it
is the cost of a plain Whoosh index of the same documents.
"""

from __future__ import annotations

import argparse
import copy
import cProfile
import functools
import json
import logging
import os
import pstats
import resource
import shutil
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from whoosh import index as whoosh_index
from whoosh.analysis import StandardAnalyzer
from whoosh.fields import Schema

from search_service import analysis, indexer
from search_service.archive import Article, read_article, walk_archive
from search_service.engine.positions import CompactPositions
from search_service.engine.whoosh_internals import Positions, SegmentWriter
from search_service.schema import (
    FOLD_FIELD,
    TEXT_EXACT_FIELD,
    TEXT_FIELD,
    TITLE_EXACT_FIELD,
    TITLE_FIELD,
    build_schema,
)
from search_service.tools.bench.http import python_main

ANALYSED_FIELDS = (TITLE_FIELD, TITLE_EXACT_FIELD, TEXT_FIELD, TEXT_EXACT_FIELD, FOLD_FIELD)
OURS = "ours"
BASELINE = "baseline"
MAX_FILE_BYTES = 5_000_000
BASELINE_LIMIT_MB = indexer.WRITER_LIMIT_MB
BUILD_TIMEOUT_S = 4 * 3600


def baseline_schema() -> Schema:
    """Our schema with ``StandardAnalyzer()`` on every analysed field and Whoosh's own
    ``Positions`` values where ours store compact ones; nothing else differs."""
    schema = build_schema()
    for name in ANALYSED_FIELDS:
        field = copy.copy(schema[name])
        field.analyzer = StandardAnalyzer()
        if isinstance(field.format, CompactPositions):
            field.format = Positions(field_boost=field.format.field_boost)
        schema.remove(name)
        schema.add(name, field)
    return schema


def baseline_build(roots: list[Path], index_dir: Path) -> int:
    """Index the archive into a plain Whoosh index with the baseline schema; returns documents.

    Same reader and same documents as our build (``article_document``), one process.
    """
    if index_dir.exists():
        shutil.rmtree(index_dir)
    index_dir.mkdir(parents=True)
    ix = whoosh_index.create_in(str(index_dir), baseline_schema())
    writer = ix.writer(limitmb=BASELINE_LIMIT_MB)
    seen: set[str] = set()
    for file in walk_archive(roots):
        item = read_article(file, MAX_FILE_BYTES)
        if isinstance(item, Article) and item.id not in seen:
            seen.add(item.id)
            writer.add_document(**indexer.article_document(item))
    writer.commit()
    ix.close()
    return len(seen)


def ours_build(roots: list[Path], index_dir: Path, procs: int) -> int:
    """Our build, exactly as ``search-service build`` runs it; returns documents."""
    if index_dir.exists():
        shutil.rmtree(index_dir)
    summary = indexer.build(roots, index_dir, procs=procs, max_file_bytes=MAX_FILE_BYTES)
    return summary.documents


def index_bytes(index_dir: Path) -> int:
    """Size on disk of the served index (the current generation, or the folder itself)."""
    current = index_dir / "current"
    folder = current.resolve() if current.is_symlink() else index_dir
    return sum(p.stat().st_size for p in folder.rglob("*") if p.is_file())


# The worker: one build in this process ---------------------------------------------------


class _Timers:
    """Accumulated seconds of a few wrapped functions."""

    def __init__(self) -> None:
        self.seconds: dict[str, float] = {}

    def wrap(self, owner: Any, name: str, label: str) -> None:
        original = getattr(owner, name)
        self.seconds[label] = 0.0

        @functools.wraps(original)
        def timed(*args, **kwargs):
            started = time.perf_counter()
            try:
                return original(*args, **kwargs)
            finally:
                self.seconds[label] += time.perf_counter() - started

        setattr(owner, name, timed)


def _warm_up() -> float:
    """Load the dictionaries (pymorphy3, Kazakh data) before the clock starts."""
    started = time.perf_counter()
    from search_service.text import analyze

    analyze("Қазақстан Республикасының сайлау комиссиясы", "kk")
    analyze("Выборы президента прошли спокойно", "ru")
    analyze("Qazaqstan Respýblıkasy", "kk")
    return time.perf_counter() - started


def run_one(kind: str, roots: list[Path], index_dir: Path, procs: int) -> dict[str, Any]:
    """Run one build in THIS process and return its figures (call it in a fresh process)."""
    warm = _warm_up() if kind == OURS else 0.0
    timers = _Timers()
    timers.wrap(indexer, "read_article", "read")
    timers.wrap(analysis, "index_analysis", "analysis")
    timers.wrap(SegmentWriter, "commit", "commit")
    started = time.perf_counter()
    if kind == OURS:
        documents = ours_build(roots, index_dir, procs)
    else:
        # This module may be __main__ here: wrap the reader where baseline_build finds it.
        timers.wrap(sys.modules[baseline_build.__module__], "read_article", "read")
        documents = baseline_build(roots, index_dir)
    seconds = time.perf_counter() - started
    self_usage = resource.getrusage(resource.RUSAGE_SELF)
    children = resource.getrusage(resource.RUSAGE_CHILDREN)
    return {
        "kind": kind,
        "procs": procs,
        "documents": documents,
        "seconds": seconds,
        "warm_up_seconds": warm,
        # Shares are only meaningful in one process: forked writers time their own copies.
        "timers": {k: round(v, 3) for k, v in timers.seconds.items()} if procs == 1 else {},
        "peak_rss_mb": self_usage.ru_maxrss / 1024,
        "children_peak_rss_mb": children.ru_maxrss / 1024,
        "cpu_seconds": self_usage.ru_utime + self_usage.ru_stime,
        "children_cpu_seconds": children.ru_utime + children.ru_stime,
        "index_bytes": index_bytes(index_dir),
    }


def run_in_subprocess(
    kind: str, roots: list[Path], index_dir: Path, procs: int = 1, megabytes: float = 0.0
) -> dict[str, Any]:
    """One build in a fresh interpreter; adds docs/s and MB/s to the worker's figures."""
    arguments = ["--kind", kind, "--procs", str(procs), "--index", str(index_dir)]
    command = python_main("search_service.tools.bench.build", *arguments)
    for root in roots:
        command += ["--archive", str(root)]
    done = subprocess.run(
        command, capture_output=True, text=True, timeout=BUILD_TIMEOUT_S, check=False
    )
    if done.returncode != 0:
        raise RuntimeError(f"{kind} build failed ({done.returncode}): {done.stderr[-2000:]}")
    result = json.loads(done.stdout.strip().splitlines()[-1])
    seconds = result["seconds"]
    result["docs_per_s"] = result["documents"] / seconds if seconds else 0.0
    result["mb_per_s"] = megabytes / seconds if seconds else 0.0
    return result


def profile_build(roots: list[Path], limit: int, top: int = 15) -> dict[str, Any]:
    """cProfile a single-process build of the first ``limit`` articles (in this process).

    Returns the share of the build's time spent reading files, analysing text, in Whoosh's
    indexing of the analysed tokens, and committing, plus the top functions by own time.
    """
    from search_service.tools.bench.corpus import scan, write_copies

    _warm_up()
    with tempfile.TemporaryDirectory(prefix="bench-profile-") as tmp:
        tmp_path = Path(tmp)
        subset = scan(roots)
        subset.files = subset.files[:limit]
        write_copies(subset, tmp_path / "archive", min(limit, len(subset.files)), first_copy=0)
        profiler = cProfile.Profile()
        profiler.enable()
        indexer.build([tmp_path / "archive"], tmp_path / "index", procs=1)
        profiler.disable()
    stats = pstats.Stats(profiler)
    total = _cumulative(stats, lambda f, n: f.endswith("indexer.py") and n == "build")
    parts = {
        "read": _cumulative(stats, lambda f, n: f.endswith("archive.py") and n == "read_article"),
        "analysis": _cumulative(
            stats,
            lambda f, n: (
                f.endswith(os.path.join("text", "analyze.py"))
                and n in ("analyze", "index_analysis")
            ),
        ),
        "add_document": _cumulative(
            stats,
            lambda f, n: f.endswith(("writing.py", "segment_writer.py")) and n == "add_document",
        ),
        "commit": _cumulative(stats, lambda f, n: f.endswith("writing.py") and n == "commit"),
    }
    parts["whoosh_indexing"] = max(0.0, parts.pop("add_document") - parts["analysis"])
    parts["other"] = max(0.0, total - sum(parts.values()))
    own = sorted(stats.stats.items(), key=lambda item: item[1][2], reverse=True)[:top]
    return {
        "documents": min(limit, len(subset.files)),
        "seconds_profiled": total,
        "share": {k: round(v / total, 3) if total else 0.0 for k, v in parts.items()},
        "top_own_time": [
            {"function": f"{Path(f).name}:{line}:{name}", "seconds": round(data[2], 3)}
            for (f, line, name), data in own
        ],
    }


def _cumulative(stats: pstats.Stats, wanted: Callable[[str, str], bool]) -> float:
    """The largest cumulative time among functions matching ``wanted`` (outermost call)."""
    times = [data[3] for (f, _, name), data in stats.stats.items() if wanted(f, name)]
    return max(times, default=0.0)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="One benchmark build (run by the benchmark).")
    parser.add_argument("--kind", choices=(OURS, BASELINE), required=True)
    parser.add_argument("--procs", type=int, default=1)
    parser.add_argument("--index", type=Path, required=True)
    parser.add_argument("--archive", type=Path, action="append", required=True)
    options = parser.parse_args(argv)
    logging.basicConfig(level=logging.ERROR)  # the reader's skip warnings are not news here
    result = run_one(options.kind, options.archive, options.index, options.procs)
    print(json.dumps(result))
    return 0


if __name__ == "__main__":
    sys.exit(main())
