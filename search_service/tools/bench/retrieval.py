"""Retrieval quality on the hand-judged development set in ``../shared/retrieval``.

Run ``search-service bench-retrieval`` (the whole corpus and all 200 queries) or
``search-service bench-retrieval --profile small`` (the Kazakh tarballs and the queries whose
relevant articles all lie in them; the test suite runs it). It indexes the corpus tarballs with
the real build, runs every query verbatim through :class:`ArchiveSearcher` with no filter (a
known item: the first page of 10 hits, what a reader sees; a single word or a phrase: every
hit, as the CSV export gives them), and scores the run with the set's own ``score.py``. The
set's ``baselines.py`` runs (``fold5``, ``fold``, ``plain``) are made and scored in the same
run, so every kind shows ours next to them. The set's scripts are imported from its folder,
never copied.
"""

from __future__ import annotations

import importlib.util
import json
import os
import shutil
import sys
import tempfile
import time
from collections.abc import Callable, Iterable, Iterator
from pathlib import Path
from types import ModuleType, SimpleNamespace
from typing import Any, TextIO

import click

from search_service import indexer
from search_service.engine import store
from search_service.index_errors import IndexStoreError
from search_service.models import SearchRequest
from search_service.searcher import ArchiveSearcher
from search_service.tools.bench import corpus, report
from search_service.tools.bench.queries import summary

SHARED = Path(__file__).resolve().parents[4] / "shared"  # ../shared beside the repository
DEFAULT_SET = SHARED / "retrieval"
DEFAULT_CORPUS = SHARED / "corpus"
SET_FILES = ("queries.jsonl", "score.py", "baselines.py", "verify.py")
PROFILES = {
    "full": corpus.CORPUS_TARBALLS,
    "small": ("kk.tar.gz", "kk-cyr.tar.gz"),
}
BASELINES = ("fold5", "fold", "plain")  # fold5 is the one shown in full next to ours
PAGE_SIZE = 10  # a known item is found when it is on the first page
MAX_FILE_BYTES = 5_000_000
SHOWN_IDS = 3  # missed and extra articles listed per failed set query
SHOWN_SLOWEST = 5
IdKey = Callable[[str], str]  # score.py's id_key: the comparable form of an article id


class SetMissing(Exception):
    """The retrieval set or the corpus is not where the options say."""


def load_set_module(folder: Path, name: str) -> ModuleType:
    """Import ``folder/name.py`` (with its siblings importable) without copying it."""
    folder = folder.resolve()
    path = folder / f"{name}.py"
    spec = importlib.util.spec_from_file_location(f"retrieval_set_{name}", path)
    if spec is None or spec.loader is None:
        raise SetMissing(f"cannot import {path}")
    module = importlib.util.module_from_spec(spec)
    saved_path, before = list(sys.path), set(sys.modules)
    sys.path.insert(0, str(folder))
    try:
        spec.loader.exec_module(module)
    finally:
        sys.path[:] = saved_path  # baselines.py puts its folder on the path; take it off again
        for added in set(sys.modules) - before:  # its sibling verify.py, kept by reference
            if (
                Path(getattr(sys.modules[added], "__file__", None) or "/").resolve().parent
                == folder
            ):
                del sys.modules[added]
    return module


def read_queries(path: Path) -> list[dict[str, Any]]:
    with path.open(encoding="utf-8") as lines:
        return [json.loads(line) for line in lines if line.strip()]


def top_folder(article_id: str, id_key: IdKey) -> str:
    """The first path component of a set id (``kk-cyr/undated/x`` -> ``kk-cyr``)."""
    return id_key(article_id).split(".", 1)[0]


def select_queries(queries: list[dict], folders: Iterable[str], id_key: IdKey) -> list[dict]:
    """The queries whose relevant articles all lie in ``folders``."""
    allowed = set(folders)
    return [q for q in queries if all(top_folder(r, id_key) in allowed for r in q["relevant"])]


def run_lines(runs: dict[str, list[str]]) -> Iterator[str]:
    """A run as score.py reads it: one ``{"qid", "hits"}`` JSON line per query.

    Hits are the product's ids (``kk/2026/01/x.txt`` is ``kk.2026.01.x``), which score.py's
    ``id_key`` reads as they are.

    >>> list(run_lines({"kk-cyr-cyr-01": ["kk-cyr.undated.a", "kk.2026.01.b"]}))
    ['{"qid": "kk-cyr-cyr-01", "hits": ["kk-cyr.undated.a", "kk.2026.01.b"]}']
    """
    for qid, hits in runs.items():
        yield json.dumps({"qid": qid, "hits": hits}, ensure_ascii=False)


def write_runs(out: TextIO, runs: dict[str, list[str]]) -> None:
    for line in run_lines(runs):
        out.write(line + "\n")


def run_ours(
    searcher: ArchiveSearcher, queries: list[dict], set_kinds: Iterable[str]
) -> tuple[dict[str, list[str]], dict[str, tuple[str, float]], dict[str, list[str]]]:
    """Every query verbatim, no filter; returns hits and (mode, milliseconds) per qid, and
    the query words missing from the hits of the known items that no article matched whole
    (answered by the no-dead-end fallback)."""
    set_kinds = set(set_kinds)
    runs: dict[str, list[str]] = {}
    times: dict[str, tuple[str, float]] = {}
    relaxed: dict[str, list[str]] = {}
    searcher.search(SearchRequest())  # opens the index and loads its arrays; reads no word
    for q in queries:
        started = time.perf_counter()
        if q["kind"] in set_kinds:
            hits = [row["id"] for row in searcher.export_rows(SearchRequest(q=q["query"]))]
            mode = "export"
        else:
            page = searcher.search(SearchRequest(q=q["query"], per_page=PAGE_SIZE))
            hits = [hit.id for hit in page.hits]
            mode = "page"
            if page.missing:
                relaxed[q["qid"]] = page.missing
        times[q["qid"]] = (mode, (time.perf_counter() - started) * 1000)
        runs[q["qid"]] = hits
    return runs, times, relaxed


def run_baselines(
    baselines: ModuleType, corpus_dir: Path, folders: Iterable[str], queries: list[dict]
) -> dict[str, dict[str, list[str]]]:
    """The set's reference runs (its own ``build``/``search``) over the same articles."""
    allowed = set(folders)
    docs = {
        d: text
        for d, text in baselines.load_corpus(str(corpus_dir)).items()
        if d.split("/", 1)[0] in allowed
    }
    runs = {}
    for name in BASELINES:
        keyfn = baselines.KEYS[name]
        postings = baselines.build(docs, keyfn)
        runs[name] = {
            q["qid"]: baselines.search(q["query"], docs, postings, keyfn) for q in queries
        }
    return runs


def scored(score: ModuleType, queries: list[dict], runs: dict[str, list[str]]) -> dict:
    """score.py's report of a run (ids normalised by its own ``load_results``)."""
    results, _ = score.load_results({"qid": qid, "hits": hits} for qid, hits in runs.items())
    return score.score(queries, results)


def failures(
    score: ModuleType, queries: list[dict], ours: dict, runs: dict[str, list[str]], fold5: dict
) -> list[dict[str, Any]]:
    """Known items not on the first page; set queries with recall or precision below 1."""
    by_qid = {q["qid"]: q for q in queries}
    theirs = {row["qid"]: row for row in fold5["per_query"]}
    found = []
    for row in ours["per_query"]:
        q = by_qid[row["qid"]]
        relevant = [score.id_key(r) for r in q["relevant"]]
        item = {"qid": row["qid"], "kind": row["kind"], "query": q["query"]}
        item["hits"] = row["n_hits"]
        base = theirs[row["qid"]]
        if row["kind"] in score.KNOWN_ITEM_KINDS:
            if row["rank"]:
                continue
            item.update(target=relevant[0], fold5_rank=base["rank"])
        else:
            if row["recall"] == 1 and row["precision"] == 1:
                continue
            hits = list(dict.fromkeys(score.id_key(h) for h in runs.get(row["qid"], [])))
            hit_set, relevant_set = set(hits), set(relevant)
            item.update(
                recall=row["recall"],
                precision=row["precision"],
                found=row["n_found"],
                relevant=row["n_relevant"],
                missed=[r for r in relevant if r not in hit_set],
                extra=[h for h in hits if h not in relevant_set],
                fold5_recall=base["recall"],
                fold5_precision=base["precision"],
            )
        found.append(item)
    return found


def unindexed(index_dir: Path, queries: list[dict], id_key: IdKey) -> list[str]:
    """Relevant articles whose id is not in the index (a wrong archive root shows here)."""
    ix, _ = store.open_current(index_dir)
    try:
        with ix.searcher() as searcher:
            ids = {fields["id"] for fields in searcher.all_stored_fields()}
    finally:
        ix.close()
    wanted = dict.fromkeys(id_key(r) for q in queries for r in q["relevant"])
    return [r for r in wanted if r not in ids]


def _figures(report_: dict) -> dict:
    return {key: report_[key] for key in ("kinds", "known_item", "sets", "missing_qids")}


# The command ----------------------------------------------------------------------------------


def _say(text: str) -> None:
    print(f"[bench-retrieval {time.strftime('%H:%M:%S')}] {text}", file=sys.stderr, flush=True)


def _check_inputs(set_dir: Path, corpus_dir: Path, tarballs: Iterable[str]) -> None:
    """Raise :class:`SetMissing` naming what is absent (the set's scripts, the tarballs)."""
    for folder, names, option in (
        (set_dir, SET_FILES, "--set"),
        (corpus_dir, tarballs, "--corpus"),
    ):
        if not folder.is_dir():
            raise SetMissing(f"folder not found: {folder} (give {option} DIR)")
        missing = [name for name in names if not (folder / name).is_file()]
        if missing:
            raise SetMissing(f"{folder} lacks {', '.join(missing)} (give {option} DIR)")


@click.command(
    "bench-retrieval",
    epilog="Examples: search-service bench-retrieval --json retrieval.json --runs run.jsonl; "
    "search-service bench-retrieval --profile small",
)
@click.option(
    "--corpus",
    type=click.Path(path_type=Path),
    default=DEFAULT_CORPUS,
    metavar="DIR",
    help="Folder of the corpus tarballs. Default: ../shared/corpus beside the repository.",
)
@click.option(
    "--set",
    type=click.Path(path_type=Path),
    default=DEFAULT_SET,
    metavar="DIR",
    help="The retrieval set folder (queries.jsonl, score.py, baselines.py, verify.py). "
    "Default: ../shared/retrieval beside the repository.",
)
@click.option(
    "--index",
    type=click.Path(file_okay=False, path_type=Path),
    metavar="DIR",
    help="Index folder: reused when it holds a built index (unless --rebuild), built "
    "there otherwise. Default: a fresh index in the work folder.",
)
@click.option(
    "--work",
    type=click.Path(file_okay=False, path_type=Path),
    metavar="DIR",
    help="Work folder (extracted corpus, index); kept. Default: a temporary folder.",
)
@click.option("--rebuild", is_flag=True, help="Build the --index folder anew.")
@click.option(
    "--profile",
    type=click.Choice(sorted(PROFILES)),
    default="full",
    show_default=True,
    help="full: every tarball and query; small: the Kazakh tarballs and their queries.",
)
@click.option(
    "--json",
    type=click.Path(dir_okay=False, path_type=Path),
    metavar="FILE",
    help="Also write the figures to this JSON file.",
)
@click.option(
    "--runs",
    type=click.Path(dir_okay=False, path_type=Path),
    metavar="FILE",
    help="Also write our run as JSON lines for score.py.",
)
def command(**given: Any) -> None:
    """Score the search on the retrieval development set, next to its baselines.

    Exit code 2 when the set or the corpus tarballs are missing, 1 when a run fails.
    """
    options = SimpleNamespace(**given)
    tarballs = PROFILES[options.profile]
    try:
        _check_inputs(options.set, options.corpus, tarballs)
    except SetMissing as error:
        print(f"bench-retrieval: {error}", file=sys.stderr)
        sys.exit(2)
    temporary = options.work is None
    work = Path(tempfile.mkdtemp(prefix="archive-retrieval-")) if temporary else options.work
    try:
        result = run(options, tarballs, work.resolve() / options.profile)
    except (OSError, IndexStoreError, SetMissing) as error:
        print(f"bench-retrieval: {error}", file=sys.stderr)
        sys.exit(1)
    finally:
        if temporary:
            shutil.rmtree(work, ignore_errors=True)
    print(table(result))
    if options.json:
        options.json.write_text(
            json.dumps(result, ensure_ascii=False, indent=1) + "\n", encoding="utf-8"
        )
        print(f"\nJSON: {options.json}")


def _index(options: SimpleNamespace, tarballs: tuple[str, ...], work: Path) -> dict:
    """Reuse ``--index`` when it holds an index (and no ``--rebuild``); else build one."""
    index_dir = options.index or work / "index"
    if options.index and not options.rebuild and store.current_generation(index_dir):
        _say(f"index: reusing {index_dir}")
        return {"dir": str(index_dir), "built": False}
    _say(f"corpus: extracting {', '.join(tarballs)} from {options.corpus}")
    base = corpus.prepare_corpus([options.corpus], work, tarballs)
    procs = os.cpu_count() or 1
    _say(f"index: building {base.documents} articles into {index_dir} ({procs} processes)")
    started = time.perf_counter()
    built = indexer.build(base.roots, index_dir, procs=procs, max_file_bytes=MAX_FILE_BYTES)
    seconds = round(time.perf_counter() - started, 1)
    return {
        "dir": str(index_dir),
        "built": True,
        "seconds": seconds,
        "skipped": built.skipped_total,
        "corpus": base.describe(),
    }


def run(options: SimpleNamespace, tarballs: tuple[str, ...], work: Path) -> dict[str, Any]:
    """Build or reuse the index, run ours and the baselines, score them all."""
    score = load_set_module(options.set, "score")
    baselines = load_set_module(options.set, "baselines")
    folders = [name.removesuffix(".tar.gz") for name in tarballs]
    every = read_queries(options.set / "queries.jsonl")
    queries = select_queries(every, folders, score.id_key)
    query = {q["qid"]: q["query"] for q in queries}
    started = time.perf_counter()
    index = _index(options, tarballs, work)
    index_dir = Path(index["dir"])
    searcher = ArchiveSearcher(index_dir, time_budget_ms=None)  # score every hit, never cut
    try:
        index["documents"] = searcher.health()["documents"]
        _say(f"queries: {len(queries)} through ArchiveSearcher")
        ours, times, relaxed = run_ours(searcher, queries, score.SET_KINDS)
    finally:
        searcher.close()
    if options.runs:
        with options.runs.open("w", encoding="utf-8") as out:
            write_runs(out, ours)
    _say(f"baselines: {', '.join(BASELINES)} (the set's baselines.py)")
    theirs = run_baselines(baselines, options.corpus, folders, queries)
    ours_report = scored(score, queries, ours)
    # the same run with every word required: a relaxed known item counts as not found
    strict = scored(
        score, queries, {qid: [] if qid in relaxed else hits for qid, hits in ours.items()}
    )
    base_reports = {name: scored(score, queries, run) for name, run in theirs.items()}
    return {
        "profile": options.profile,
        "set": str(options.set),
        "corpus": str(options.corpus),
        "tarballs": list(tarballs),
        "queries": len(queries),
        "queries_in_set": len(every),
        "index": index,
        "unindexed_relevant": unindexed(index_dir, queries, score.id_key),
        "ours": _figures(ours_report),
        "baselines": {name: _figures(rep) for name, rep in base_reports.items()},
        "failures": failures(score, queries, ours_report, ours, base_reports["fold5"]),
        "relaxed": [
            {"qid": qid, "query": query[qid], "missing": words} for qid, words in relaxed.items()
        ],
        "every_word_known_item": strict["known_item"],
        "query_ms": {
            mode: summary([ms for kind, ms in times.values() if mode in ("all", kind)])
            for mode in ("page", "export", "all")
        },
        "slowest": [
            {"qid": qid, "query": query[qid], "mode": mode, "ms": round(ms, 1)}
            for qid, (mode, ms) in sorted(times.items(), key=lambda item: -item[1][1])
        ][:SHOWN_SLOWEST],
        "seconds": round(time.perf_counter() - started, 1),
    }


# The report ---------------------------------------------------------------------------------

POOLED = {"known_item": "known items", "sets": "set kinds"}
KNOWN = (("success@10", "S@10"), ("success@1", "S@1"), ("mrr@10", "MRR@10"))
SETS = (("recall", "R"), ("precision", "P"), ("f1", "F1"), ("exact", "exact"))


def _kind_rows(result: dict, kinds: Iterable[str], total: str, metrics: tuple) -> list[str]:
    """One table: a row per kind present and the pooled row; ours, fold5 in full, the rest
    by their first one or two figures."""
    ours, base = result["ours"], result["baselines"]
    header = ["kind", "n"] + [label for _, label in metrics]
    header += [f"fold5 {label}" for _, label in metrics]
    brief = metrics[:1] if metrics is KNOWN else metrics[:2]
    for name in BASELINES[1:]:
        header += [f"{name} {label}" for _, label in brief]
    rows = []
    names = [kind for kind in kinds if kind in ours["kinds"]]
    for kind in [*names, total]:

        def pick(rep: dict, kind: str = kind) -> dict:
            return rep[kind] if kind == total else rep["kinds"][kind]

        mine = pick(ours)
        row = [POOLED.get(kind, kind), str(mine["n"])]
        row += [f"{mine[key]:.2f}" for key, _ in metrics]
        row += [f"{pick(base['fold5'])[key]:.2f}" for key, _ in metrics]
        for name in BASELINES[1:]:
            row += [f"{pick(base[name])[key]:.2f}" for key, _ in brief]
        rows.append(row)
    return report._rows(header, rows) if names else []


def _failure_line(item: dict) -> str:
    head = f"  {item['qid']:<16} {item['query']!s:<40} hits {item['hits']:>4}"
    if "target" in item:
        fold5 = item["fold5_rank"] or "-"
        return f"{head}  not in top {PAGE_SIZE}: {item['target']}  (fold5 rank {fold5})"
    shown = []
    for label in ("missed", "extra"):
        ids = item[label]
        if ids:
            more = f" +{len(ids) - SHOWN_IDS}" if len(ids) > SHOWN_IDS else ""
            shown.append(f"{label} {', '.join(ids[:SHOWN_IDS])}{more}")
    return (
        f"{head}  R {item['recall']:.2f} P {item['precision']:.2f} "
        f"found {item['found']}/{item['relevant']}  (fold5 R {item['fold5_recall']:.2f} "
        f"P {item['fold5_precision']:.2f})" + "".join(f"\n      {text}" for text in shown)
    )


def table(result: dict[str, Any]) -> str:
    """The figures as plain text: setup, one table per family of kinds, failures, timing."""
    index = result["index"]
    out = [f"RETRIEVAL  set {result['set']}, corpus {result['corpus']}"]
    if result["profile"] == "small":
        out.append(
            f"profile small: {', '.join(result['tarballs'])} only; {result['queries']} of "
            f"{result['queries_in_set']} queries (those whose relevant articles all lie in them)"
        )
    else:
        out.append(f"profile full: {', '.join(result['tarballs'])}; {result['queries']} queries")
    how = f"built in {index['seconds']} s" if index["built"] else "reused"
    if index.get("skipped"):
        how += f", {index['skipped']} files skipped by the reader"
    out.append(f"index {index['dir']}: {index['documents']} documents, {how}")
    out.append(
        "baselines: the set's baselines.py runs " + ", ".join(BASELINES) + ", scored by its "
        "score.py in this run (known items: page 1 of 10 hits; set kinds: every hit)"
    )
    if result["unindexed_relevant"]:
        ids = result["unindexed_relevant"]
        out.append(
            f"WARNING: {len(ids)} relevant articles are not in the index under their ids "
            f"(e.g. {', '.join(ids[:3])}): check the index and the archive root"
        )
    out.append("")
    out += _kind_rows(
        result,
        ("ru-dict", "kk-cyr-dict", "kk-lat-dict", "kk-lat-to-cyr", "kk-cyr-cyr"),
        "known_item",
        KNOWN,
    )
    out.append("")
    out += _kind_rows(result, ("single-word", "phrase"), "sets", SETS)
    missing = result["ours"]["missing_qids"]
    if missing:
        out.append(f"{missing} queries missing from our run (scored as no hits)")
    out.append("")
    fails = result["failures"]
    out.append(
        f"FAILURES: {len(fails)} (known items not in the top {PAGE_SIZE}; set queries with "
        "R < 1 or P < 1)"
    )
    out += [_failure_line(item) for item in fails] or ["  none"]
    relaxed = result["relaxed"]
    strict = result["every_word_known_item"]
    if strict["n"]:
        out.append(
            f"NO DEAD ENDS: {len(relaxed)} known items had no article with every word (hits from "
            f"the fallback); with every word required, success@10 = {strict['success@10']:.2f}"
        )
        out += [
            f"  {item['qid']:<16} {item['query']}  missing: {', '.join(item['missing'])}"
            for item in relaxed
        ]
    out.append("")
    rows = []
    for mode, label in (("page", "page of 10"), ("export", "every hit"), ("all", "all")):
        t = result["query_ms"][mode]
        rows.append(
            [label, str(t["n"]), f"{t['p50_ms']:.1f}", f"{t['p95_ms']:.1f}", f"{t['max_ms']:.1f}"]
        )
    out += report._rows(["query time (ms)", "n", "p50", "p95", "max"], rows)
    out.append("slowest: " + "; ".join(f"{q['query']} {q['ms']:.0f}" for q in result["slowest"]))
    out.append("")
    ki = result["ours"]["known_item"]
    if ki["n"]:
        fold5 = result["baselines"]["fold5"]["known_item"]["success@10"]
        out.append(f"known-item success@10 = {ki['success@10']:.2f} (fold5 {fold5:.2f})")
    out.append(f"{result['seconds']} s in all")
    return "\n".join(line.rstrip() for line in out)
