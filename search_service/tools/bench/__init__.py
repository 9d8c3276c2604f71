"""The end-to-end benchmark: build, update, queries, HTTP and scale, against stock Whoosh.

Run ``search-service bench --profile small`` (the bundled sample archive, under a minute) or
``search-service bench --profile full --corpus ../shared/corpus --json bench.json`` (the real
corpus, then copies of it at 10k, 50k and 200k documents). Every figure of the baseline is
measured in the same run, on the same documents and the same machine. See the modules:
``corpus`` (sources and copies), ``build`` (builds in fresh processes), ``queries``
(latency by query class), ``firstquery`` (a fresh server's first answers), ``http`` (server
and load client), ``peerrun`` and ``peers`` (the same articles and query kinds through Xapian,
tantivy and SQLite FTS5, with ``--peers``), ``report`` (targets, table).
"""

from __future__ import annotations

import datetime as dt
import json
import os
import platform
import shutil
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import click
import whoosh

from search_service.stats import index_sizes
from search_service.tools.bench import build, corpus, http, peerrun, queries, report

SAMPLE_ARCHIVE = Path(__file__).resolve().parents[2] / "sample_archive"
REAL_CORPUS = Path(__file__).resolve().parents[3] / ".." / "shared" / "corpus"
UPDATE_COPY = 9000  # the folder number of the update's new articles (c9000/)
UPDATE_SHIFT_DAYS = 1
UPDATE_TIMEOUT_S = 3600


@dataclass(frozen=True)
class Profile:
    corpus: tuple[Path, ...]
    scale: tuple[int, ...]
    repeats: int
    warmup: int
    http_clients: int
    http_seconds: float
    http_max_requests: int
    update_count: int
    profile_documents: int  # documents in the cProfile'd build


PROFILES = {
    "small": Profile(
        corpus=(SAMPLE_ARCHIVE,),
        scale=(),
        repeats=3,
        warmup=1,
        http_clients=2,
        http_seconds=3.0,
        http_max_requests=3000,
        update_count=20,
        profile_documents=50,
    ),
    "full": Profile(
        corpus=(REAL_CORPUS,),
        scale=(10_000, 50_000, 200_000),
        repeats=20,
        warmup=2,
        http_clients=8,
        http_seconds=20.0,
        http_max_requests=200_000,
        update_count=300,
        profile_documents=500,
    ),
}


def _scale_list(text: str) -> tuple[int, ...]:
    """``--scale`` value: corpus sizes, comma-separated (``none`` or ``0`` for no scale runs)."""
    if text.strip().lower() in ("", "none", "0"):
        return ()
    try:
        values = tuple(sorted(int(part.replace("_", "")) for part in text.split(",")))
    except ValueError:
        raise click.BadParameter(f"not a list of numbers: {text!r}") from None
    if any(v <= 0 for v in values):
        raise click.BadParameter("scale sizes must be positive")
    return values


def _converted(convert):
    """A click callback that converts a given value with ``convert`` (``None`` stays)."""
    return lambda ctx, param, value: value if value is None else convert(value)


@click.command(
    "bench",
    epilog="Example: search-service bench --profile full --corpus ../shared/corpus "
    "--json bench.json --work /var/tmp/bench",
)
@click.option(
    "--corpus",
    type=click.Path(path_type=Path),
    multiple=True,
    help="A folder of corpus tarballs (kk.tar.gz, kk-cyr.tar.gz, ru.tar.gz) or an archive "
    "folder; repeat for several. Default: the sample archive (small) or ../shared/corpus.",
)
@click.option("--profile", type=click.Choice(sorted(PROFILES)), default="small", show_default=True)
@click.option(
    "--scale",
    callback=_converted(_scale_list),
    help="Corpus sizes for the scale runs, e.g. 10000,50000,200000 ('none' to skip).",
)
@click.option("--no-baseline-at-scale", is_flag=True, help="Skip baseline builds.")
@click.option(
    "--json",
    type=click.Path(dir_okay=False, path_type=Path),
    help="Also write every figure to this JSON file.",
)
@click.option(
    "--work",
    type=click.Path(file_okay=False, path_type=Path),
    help="Work folder (extracted corpus, copies, indexes); kept and reused. "
    "Default: a temporary folder, deleted at the end.",
)
@click.option("--repeats", type=int, help="Timed runs of each query.")
@click.option("--http-seconds", type=float, help="Length of the HTTP load.")
@click.option("--clients", type=int, help="Concurrent HTTP client threads.")
@click.option("--skip-http", is_flag=True, help="Do not measure HTTP.")
@click.option(
    "--peers",
    metavar="NAMES",
    callback=lambda ctx, param, value: peerrun.peer_list(value) if value else (),
    help="Also build and query the same articles with these engines, comma-separated "
    "(xapian, tantivy, fts5, or all), and print ours / peer ratios; a peer that is not "
    "installed is skipped with a line saying so.",
)
@click.option(
    "--peers-only",
    is_flag=True,
    help="With --peers: only our two builds and the peers (no baseline, query classes, "
    "HTTP, update or scale).",
)
def command(**given: Any) -> None:
    """Benchmark build, update, queries and HTTP against stock Whoosh.

    \b
    Examples:
      search-service bench --profile small
      search-service bench --profile full --corpus ../shared/corpus --json bench.json
    """
    options = SimpleNamespace(**given)
    if options.peers_only and not options.peers:
        raise click.UsageError("--peers-only needs --peers")
    profile = PROFILES[options.profile]
    temporary = options.work is None
    work = Path(tempfile.mkdtemp(prefix="archive-bench-")) if temporary else options.work
    work.mkdir(parents=True, exist_ok=True)
    try:
        result = run(options, profile, work.resolve())
    except (OSError, RuntimeError, ValueError) as error:
        print(f"bench: {error}", file=sys.stderr)
        sys.exit(1)
    finally:
        if temporary:
            shutil.rmtree(work, ignore_errors=True)
    report.add_verdicts(result)
    print(report.table(result))
    if options.json:
        report.write_json(result, options.json)
        print(f"\nJSON: {options.json}")


def _say(text: str) -> None:
    print(f"[bench {time.strftime('%H:%M:%S')}] {text}", file=sys.stderr, flush=True)


def run(options: SimpleNamespace, profile: Profile, work: Path) -> dict[str, Any]:
    """Every section in turn; returns the figures (without the verdicts)."""
    sources = [Path(p) for p in (options.corpus or profile.corpus)]
    scale = profile.scale if options.scale is None else options.scale
    repeats = options.repeats or profile.repeats
    cores = os.cpu_count() or 1
    result: dict[str, Any] = {
        "profile": options.profile,
        "started": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
        "machine": {
            "cpu_count": cores,
            "python": platform.python_version(),
            "whoosh": whoosh.versionstring(),
            "platform": platform.platform(),
            "load_average_at_start": list(os.getloadavg()),
        },
    }
    _say(f"corpus from {', '.join(map(str, sources))}")
    base = corpus.prepare_corpus(sources, work)
    if not base.documents:
        raise ValueError("the corpus holds no readable articles")
    result["corpus"] = base.describe() | {
        "real": any((Path(s) / corpus.CORPUS_TARBALLS[0]).is_file() for s in sources)
    }
    indexes = work / "index"
    megabytes = base.bytes / 1e6

    _say("build: ours, one process")
    ours_single = build.run_in_subprocess(build.OURS, base.roots, indexes / "ours-1", 1, megabytes)
    ours_single["shares"] = _build_shares(ours_single)
    result["build"] = {"ours_single": ours_single}
    if not options.peers_only:
        _say("build: baseline (StandardAnalyzer), one process")
        result["build"]["baseline"] = build.run_in_subprocess(
            build.BASELINE, base.roots, indexes / "baseline", 1, megabytes
        )
    _say(f"build: ours, {cores} processes")
    result["build"]["ours_all"] = build.run_in_subprocess(
        build.OURS, base.roots, indexes / "ours-all", cores, megabytes
    )
    if options.peers:
        result["peers"] = peerrun.run(
            options.peers, base.roots, work, indexes / "ours-all", repeats, profile.warmup, _say
        )
    if options.peers_only:
        result["finished"] = dt.datetime.now(dt.UTC).isoformat(timespec="seconds")
        return result
    _say(f"build: cProfile of {profile.profile_documents} documents")
    result["build"]["profile"] = build.profile_build(base.roots, profile.profile_documents)

    _say(f"queries: {repeats} runs per query")
    result["queries"] = queries.run(
        indexes / "ours-1", indexes / "baseline", repeats, profile.warmup
    )
    result["queries"]["profile_top_own_time"] = queries.profile_queries(indexes / "ours-1")

    if options.skip_http:
        result["first_queries"] = {"error": "skipped (--skip-http)"}
    else:
        _say("first queries: a fresh server, 100 distinct queries once each")
        result["first_queries"] = _first_queries(indexes / "ours-1", work / "server-first.log")

    if options.skip_http:
        result["http"] = {"error": "skipped (--skip-http)"}
    else:
        seconds = options.http_seconds or profile.http_seconds
        clients = options.clients or profile.http_clients
        _say(f"http: {clients} clients for {seconds} s")
        try:
            result["http"] = http.run(
                indexes / "ours-1", clients, seconds, profile.http_max_requests, work / "server.log"
            )
        except (RuntimeError, subprocess.TimeoutExpired) as error:
            result["http"] = {"error": str(error)}

    update_index, update_corpus = indexes / "ours-1", base
    if scale:
        points, update_index, update_corpus = _scale(
            base,
            scale,
            work,
            repeats,
            profile.warmup,
            not options.no_baseline_at_scale,
            not options.skip_http,
        )
        result["scale"] = {
            "note": f"REPLICATED corpus: the {base.documents} real articles plus copies; copy k "
            f"has a new id and its date moved back k*{corpus.SHIFT_DAYS_PER_COPY} days; "
            f"our builds use {cores} processes, the baseline 1",
            "points": points,
        }
    _say(f"update: {profile.update_count} new articles")
    result["update"] = _update(update_corpus, update_index, profile.update_count, work)
    result["finished"] = dt.datetime.now(dt.UTC).isoformat(timespec="seconds")
    return result


def _first_queries(index_dir: Path, log: Path) -> dict[str, Any]:
    """A fresh server's first answers on ``index_dir`` (``firstquery``), or the error."""
    try:
        # Imported here: the module also runs alone (python -m ...firstquery), and an
        # import by its package first would make runpy warn.
        from search_service.tools.bench import firstquery

        return firstquery.run(index_dir, log)
    except (RuntimeError, OSError, subprocess.TimeoutExpired) as error:
        return {"error": str(error)}


def _build_shares(figures: dict[str, Any]) -> dict[str, float]:
    """Share of a single-process build's time: reading, analysis, commit, the rest."""
    timers, seconds = figures.get("timers") or {}, figures["seconds"]
    if not timers or not seconds:
        return {}
    shares = {name: timers.get(name, 0.0) / seconds for name in ("read", "analysis", "commit")}
    shares["whoosh indexing and other"] = max(0.0, 1 - sum(shares.values()))
    return {name: round(share, 3) for name, share in shares.items()}


def _scale(
    base: corpus.Corpus,
    sizes: tuple[int, ...],
    work: Path,
    repeats: int,
    warmup: int,
    with_baseline: bool,
    with_http: bool = False,
) -> tuple[list[dict[str, Any]], Path, corpus.Corpus]:
    """Build and query replicated corpora (with ``with_http``, also a fresh server's first
    queries); what each part of our index takes; keeps only the largest (for the update
    run)."""
    cores = os.cpu_count() or 1
    points = []
    previous: Path | None = None
    for size in sizes:
        folder = work / f"scale-{size}"
        scaled = corpus.replicate(base, folder / "copies", size)
        _say(f"scale {scaled.documents}: build ours ({cores} processes)")
        point: dict[str, Any] = {"documents": scaled.documents, "megabytes": scaled.bytes / 1e6}
        point["build_ours"] = build.run_in_subprocess(
            build.OURS, scaled.roots, folder / "ours", cores, scaled.bytes / 1e6
        )
        point["documents"] = point["build_ours"]["documents"]
        baseline_index = None
        if with_baseline:
            _say(f"scale {scaled.documents}: build baseline")
            baseline_index = folder / "baseline"
            point["build_baseline"] = build.run_in_subprocess(
                build.BASELINE, scaled.roots, baseline_index, 1, scaled.bytes / 1e6
            )
        _say(f"scale {scaled.documents}: queries")
        point["queries"] = queries.run(folder / "ours", baseline_index, repeats, warmup)
        point["ratios"] = report._class_ratios(point["queries"])
        point["sizes"] = index_sizes(folder / "ours")
        if with_http:
            _say(f"scale {scaled.documents}: first queries: a fresh server")
            point["first_queries"] = _first_queries(folder / "ours", folder / "server.log")
        points.append(point)
        if previous is not None:
            shutil.rmtree(previous, ignore_errors=True)  # disk: keep only the largest
        previous = folder
    return points, folder / "ours", scaled


def _update(base: corpus.Corpus, index_dir: Path, count: int, work: Path) -> dict[str, Any]:
    """Add ``count`` new articles (copies with new ids and dates) with ``search-service
    update`` in a subprocess; the new files go under an extra archive root."""
    new_root = work / "update-new"
    shutil.rmtree(new_root, ignore_errors=True)
    corpus.write_copies(base, new_root, count, first_copy=UPDATE_COPY, shift_days=UPDATE_SHIFT_DAYS)
    arguments = ["update", "--index", str(index_dir), "--json"]
    for root in [*base.roots, new_root]:
        arguments += ["--archive", str(root)]
    before = build.index_bytes(index_dir)
    started = time.perf_counter()
    done = subprocess.run(
        http.command(*arguments),
        capture_output=True,
        text=True,
        timeout=UPDATE_TIMEOUT_S,
        check=False,
    )
    seconds = time.perf_counter() - started
    if done.returncode not in (0, 3):  # 3: done, some files skipped (the sample has bad ones)
        raise RuntimeError(f"update failed ({done.returncode}): {done.stderr[-2000:]}")
    summary = _last_json(done.stdout)
    return {
        "seconds": round(seconds, 3),
        "job_seconds": summary.get("seconds"),
        "added": summary.get("added"),
        "index_documents": summary.get("documents", 0) - (summary.get("added") or 0),
        "documents_after": summary.get("documents"),
        "exit_code": done.returncode,
        "index_bytes_before": before,
        "index_bytes_after": build.index_bytes(index_dir),
    }


def _last_json(text: str) -> dict[str, Any]:
    for line in reversed(text.strip().splitlines()):
        try:
            return json.loads(line)
        except ValueError:
            continue
    return {}
