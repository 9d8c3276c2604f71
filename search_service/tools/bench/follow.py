"""``search-service bench-follow``: type-ahead latency and duplicate grouping on the real corpus.

One run builds (or reuses) an index of the corpus and prints:

- ``/api/suggest`` latency over the real HTTP server (gunicorn on loopback, one keep-alive
  client), and the lookup alone in-process, for prefixes of 1-6 letters taken from the
  corpus's words in Kazakh Latin, Kazakh Cyrillic and Russian; next to the baseline measured
  in the same run: completing by scanning the index's terms per request (Whoosh's
  ``expand_prefix`` over the exact-form field with document frequencies, the best 8);
- what the type-ahead table and the duplicate signatures cost the build (seconds over the
  same articles, and the share of the build);
- precision and recall of the near-duplicate groups against the corpus's list of
  near-duplicate pairs (``ru.near_duplicates.tsv``: word 5-gram Jaccard >= 0.5), for the
  groups in the built index and for a sweep of thresholds over the same signatures.

Example::

    search-service bench-follow --corpus ../shared/corpus --work /var/tmp/bench-follow
"""

from __future__ import annotations

import heapq
import http.client
import itertools
import json
import os
import random
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any
from urllib.parse import quote

import click
from whoosh import index as whoosh_index

from search_service import dupes, indexer, typeahead
from search_service.archive import Article, article_id, read_article, walk_archive
from search_service.engine import store
from search_service.schema import TEXT_EXACT_FIELD
from search_service.sidecars import Sidecars
from search_service.text.fold import is_cyrillic, is_latin
from search_service.tools.bench import corpus as bench_corpus
from search_service.tools.bench import http as bench_http
from search_service.tools.bench.queries import percentile
from search_service.typeahead import LIMIT, SuggestTable, search_key

REAL_CORPUS = Path(__file__).resolve().parents[3] / ".." / "shared" / "corpus"
GOLD_FILE = "ru.near_duplicates.tsv"
PREFIXES_PER_CLASS = 200
PREFIX_LENGTHS = (1, 2, 3, 4, 6)
HTTP_ROUNDS = 3  # each prefix asked this many times over HTTP
TARGET_P95_MS = 20.0
SWEEP = (0.3, 0.35, 0.4, 0.45, 0.5, 0.55, 0.6, 0.7)


@click.command(
    "bench-follow",
    epilog="Example: search-service bench-follow --corpus ../shared/corpus "
    "--work /var/tmp/bench-follow",
)
@click.option(
    "--corpus",
    type=click.Path(path_type=Path),
    default=REAL_CORPUS,
    show_default="../shared/corpus beside the repository",
    help="The corpus folder.",
)
@click.option(
    "--work",
    type=click.Path(file_okay=False, path_type=Path),
    help="Work folder, kept and reused (default: a temporary one).",
)
@click.option(
    "--json",
    "json_file",
    type=click.Path(dir_okay=False, path_type=Path),
    help="Also write the figures to this JSON file.",
)
@click.option("--skip-http", is_flag=True, help="Do not start the server.")
@click.option(
    "--reuse-index",
    is_flag=True,
    help="Use the index already built in the work folder instead of building it again.",
)
def command(
    corpus: Path, work: Path | None, json_file: Path | None, skip_http: bool, reuse_index: bool
) -> None:
    """Type-ahead latency and near-duplicate grouping on the real corpus.

    Type-ahead latency is /api/suggest p50/p95 over HTTP, next to a term scan; the
    near-duplicate groups are scored for precision and recall against the gold pairs.
    """
    work = work or Path(tempfile.mkdtemp(prefix="bench-follow-"))
    work.mkdir(parents=True, exist_ok=True)
    try:
        result = run(corpus, work.resolve(), not skip_http, reuse_index)
    except (OSError, RuntimeError, ValueError) as error:
        print(f"bench-follow: {error}", file=sys.stderr)
        sys.exit(1)
    print(report(result))
    if json_file:
        json_file.write_text(json.dumps(result, indent=2, ensure_ascii=False), "utf-8")


def _say(text: str) -> None:
    print(f"[bench-follow {time.strftime('%H:%M:%S')}] {text}", file=sys.stderr, flush=True)


def run(source: Path, work: Path, with_http: bool, reuse: bool = False) -> dict[str, Any]:
    corpus = bench_corpus.prepare_corpus([source], work)
    index_dir = work / "index"
    result: dict[str, Any] = {"corpus": corpus.describe()}
    if reuse and store.current_generation(index_dir) is not None:
        _say("build: reusing the index in the work folder")
        result["build"] = {"reused": str(store.current_generation(index_dir))}
    else:
        _say(f"build: {corpus.documents} articles, {os.cpu_count()} processes")
        started = time.perf_counter()
        summary = indexer.build(corpus.roots, index_dir, procs=os.cpu_count() or 1)
        result["build"] = {"seconds": round(time.perf_counter() - started, 2)}
        result["build"]["documents"] = summary.documents
    articles = _articles(corpus.roots)
    _say("build cost of the type-ahead table and the signatures")
    result["build"] |= _sidecar_cost(articles, work / "sidecars-probe")
    generation = store.current_generation(index_dir)
    if generation is None:
        raise RuntimeError("the build made no index")
    prefixes = _prefixes(articles)
    _say(f"suggest: {sum(len(v) for v in prefixes.values())} prefixes")
    result["suggest"] = _suggest_latency(generation, prefixes)
    if with_http:
        _say("suggest over HTTP")
        result["suggest"]["http"] = _suggest_http(index_dir, prefixes, work / "server.log")
    _say("near-duplicate groups against the corpus's pairs")
    result["dupes"] = _dupes_quality(source / GOLD_FILE, articles, generation)
    return result


def _articles(roots: list[Path]) -> list[Article]:
    found = []
    for file in walk_archive(roots):
        item = read_article(file, bench_corpus.MAX_FILE_BYTES)
        if isinstance(item, Article):
            found.append(item)
    return found


def _sidecar_cost(articles: list[Article], folder: Path) -> dict[str, float]:
    """Seconds to count the words and make the signatures of every article, and to write
    the files (grouping included), in this process."""
    folder.mkdir(parents=True, exist_ok=True)
    sidecars = Sidecars()
    started = time.perf_counter()
    for article in articles:
        sidecars.words.add(article.headline, article.body)
    words = time.perf_counter() - started
    started = time.perf_counter()
    for article in articles:
        sidecars.signatures.add(article.id, article.headline, article.body, article.script)
    signatures = time.perf_counter() - started
    started = time.perf_counter()
    sidecars.words.save(folder)
    typeahead.write_table(folder, sidecars.words)
    written = time.perf_counter() - started
    by_id = {article.id: article for article in articles}

    def shingles_of(doc_id: str) -> set[str]:
        article = by_id[doc_id]
        return dupes.shingles(dupes.words(article.headline, article.body, article.script))

    started = time.perf_counter()
    ids, matrix = sidecars.signatures.arrays()
    dupes.groups(ids, dupes.similar_pairs(ids, matrix, shingles_of=shingles_of))
    grouped = time.perf_counter() - started
    return {
        "suggest_words_seconds": round(words, 2),
        "suggest_table_write_seconds": round(written, 2),
        "dupes_signatures_seconds": round(signatures, 2),
        "dupes_grouping_seconds": round(grouped, 2),
    }


def _prefixes(articles: list[Article]) -> dict[str, list[str]]:
    """Prefixes of corpus words, by class (kk Latin, kk Cyrillic, ru), fixed by a seed."""
    words: dict[str, set[str]] = {"kk-latin": set(), "kk-cyrillic": set(), "ru": set()}
    for article in articles:
        for word in article.body.split():
            word = word.strip(".,:;!?«»()\"'–—")
            if len(word) < 6 or not word.isalpha():
                continue
            if is_latin(word) and article.language == "kk":
                words["kk-latin"].add(word)
            elif is_cyrillic(word):
                words["kk-cyrillic" if article.language == "kk" else "ru"].add(word)
    chooser = random.Random(15)
    found = {}
    for name, pool in words.items():
        ordered = sorted(pool)
        picked = chooser.sample(ordered, min(PREFIXES_PER_CLASS, len(ordered)))
        found[name] = [
            word[: PREFIX_LENGTHS[i % len(PREFIX_LENGTHS)]] for i, word in enumerate(picked)
        ]
    return found


def _suggest_latency(generation: Path, prefixes: dict[str, list[str]]) -> dict[str, Any]:
    """The table lookup in-process, and the term-scanning baseline, over the same prefixes."""
    started = time.perf_counter()
    table = SuggestTable.load(generation)
    load_ms = (time.perf_counter() - started) * 1000
    ix = whoosh_index.open_dir(str(generation))
    ours: list[float] = []
    baseline: list[float] = []
    agree = 0
    every = list(itertools.chain.from_iterable(prefixes.values()))
    with ix.searcher() as searcher:
        reader = searcher.reader()
        for prefix in every:
            started = time.perf_counter()
            found = table.complete(prefix)
            ours.append((time.perf_counter() - started) * 1000)
            started = time.perf_counter()
            scanned = _scan_terms(reader, prefix)
            baseline.append((time.perf_counter() - started) * 1000)
            agree += bool(found) == bool(scanned)
    ix.close()
    return {
        "prefixes": len(every),
        "table_entries": len(table.keys),
        "table_load_ms": round(load_ms, 1),
        "in_process": _figures(ours),
        "baseline_term_scan": _figures(baseline),
        "p95_ratio_baseline_over_ours": round(
            percentile(baseline, 0.95) / max(percentile(ours, 0.95), 1e-6), 1
        ),
        "both_found_something_or_nothing": agree,
    }


def _scan_terms(reader: Any, prefix: str) -> list[tuple[int, str]]:
    """The baseline: the index's exact forms that start with the prefix, by document count,
    read from the term dictionary at request time."""
    key = search_key(prefix)
    terms = reader.expand_prefix(TEXT_EXACT_FIELD, key)
    return heapq.nlargest(LIMIT, ((reader.doc_frequency(TEXT_EXACT_FIELD, t), t) for t in terms))


def _suggest_http(index_dir: Path, prefixes: dict[str, list[str]], log: Path) -> dict:
    """``GET /api/suggest`` on the production server, one keep-alive connection."""
    port = bench_http.free_port()
    base = f"http://{bench_http.HOST}:{port}"
    with open(log, "wb") as output:
        server = subprocess.Popen(
            bench_http.command(
                "serve", "--index", str(index_dir), "--host", bench_http.HOST, "--port", str(port)
            ),
            stdout=output,
            stderr=subprocess.STDOUT,
        )
    try:
        bench_http.wait_ready(base, server)
        connection = http.client.HTTPConnection(bench_http.HOST, port, timeout=30)
        by_class: dict[str, list[float]] = {}
        errors = 0
        for round_number in range(HTTP_ROUNDS + 1):
            for name, items in prefixes.items():
                for prefix in items:
                    started = time.perf_counter()
                    connection.request("GET", "/api/suggest?prefix=" + quote(prefix))
                    answer = connection.getresponse()
                    answer.read()
                    elapsed = (time.perf_counter() - started) * 1000
                    errors += answer.status != 200
                    if round_number:  # round 0 warms every worker up
                        by_class.setdefault(name, []).append(elapsed)
        connection.close()
    finally:
        bench_http.stop_server(server)
    every = list(itertools.chain.from_iterable(by_class.values()))
    return {
        "requests": len(every),
        "errors": errors,
        "all": _figures(every),
        "by_class": {name: _figures(values) for name, values in by_class.items()},
        "target_p95_ms": TARGET_P95_MS,
        "meets_target": percentile(every, 0.95) < TARGET_P95_MS,
    }


def _figures(values: list[float]) -> dict[str, float]:
    return {
        "p50_ms": round(percentile(values, 0.5), 3),
        "p95_ms": round(percentile(values, 0.95), 3),
        "p99_ms": round(percentile(values, 0.99), 3),
        "max_ms": round(max(values, default=0.0), 3),
    }


def _gold_pairs(path: Path) -> set[frozenset[str]]:
    pairs = set()
    for line in path.read_text(encoding="utf-8").splitlines()[1:]:
        if line.strip():
            _, a, b = line.split("\t")
            pairs.add(frozenset((article_id(a), article_id(b))))
    return pairs


def _scores(predicted: set[frozenset[str]], gold: set[frozenset[str]]) -> dict[str, Any]:
    hits = len(predicted & gold)
    precision = hits / len(predicted) if predicted else 1.0
    recall = hits / len(gold) if gold else 1.0
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    return {
        "pairs": len(predicted),
        "correct": hits,
        "precision": round(precision, 3),
        "recall": round(recall, 3),
        "f1": round(f1, 3),
    }


def _group_pairs(groups: dict[str, str], allowed: set[str]) -> set[frozenset[str]]:
    members: dict[str, list[str]] = {}
    for doc_id, group in groups.items():
        if doc_id in allowed:
            members.setdefault(group, []).append(doc_id)
    return {
        frozenset(pair) for found in members.values() for pair in itertools.combinations(found, 2)
    }


def _dupes_quality(gold_file: Path, articles: list[Article], generation: Path) -> dict:
    """Precision and recall of grouped pairs among the Russian articles, against the gold."""
    if not gold_file.is_file():
        return {"error": f"{gold_file} not found"}
    gold = _gold_pairs(gold_file)
    russian = [a for a in articles if a.id.startswith("ru.")]
    allowed = {a.id for a in russian}
    missing = {doc_id for pair in gold for doc_id in pair} - allowed
    index_groups = dupes.load_groups(generation)
    result: dict[str, Any] = {
        "gold_pairs": len(gold),
        "gold_ids_not_in_corpus": len(missing),
        "russian_articles": len(russian),
        "threshold": dupes.THRESHOLD,
        "min_words": dupes.MIN_WORDS,
        "index_groups": _scores(_group_pairs(index_groups, allowed), gold),
    }
    signatures = dupes.Signatures()
    for article in russian:
        signatures.add(article.id, article.headline, article.body, article.script)
    ids, matrix = signatures.arrays()
    by_id = {a.id: a for a in russian}

    def shingles_of(doc_id: str) -> set[str]:
        article = by_id[doc_id]
        return dupes.shingles(dupes.words(article.headline, article.body, article.script))

    sweep = []
    for threshold in SWEEP:
        point: dict[str, Any] = {"threshold": threshold}
        for name, exact in (("exact", shingles_of), ("estimate", None)):
            pairs = dupes.similar_pairs(ids, matrix, threshold, shingles_of=exact, every_pair=True)
            direct = {frozenset((a, b)) for a, b, _ in pairs}
            point[name] = {
                "grouped": _scores(_group_pairs(dupes.groups(ids, pairs), allowed), gold),
                "direct_pairs": _scores(direct, gold),
            }
        sweep.append(point)
    result["sweep"] = sweep
    return result


def report(result: dict[str, Any]) -> str:
    """The figures as a few plain tables."""
    lines = [f"corpus: {result['corpus']['documents']} articles; build {result['build']}"]
    s = result["suggest"]
    lines.append(
        f"\n/api/suggest ({s['prefixes']} prefixes of 1-6 letters; table of "
        f"{s['table_entries']} words, loaded in {s['table_load_ms']} ms per generation)"
    )
    lines.append(f"{'':34} {'p50 ms':>9} {'p95 ms':>9} {'p99 ms':>9} {'max ms':>9}")

    def row(label: str, figures: dict[str, float]) -> str:
        return (
            f"{label:34} {figures['p50_ms']:9.3f} {figures['p95_ms']:9.3f} "
            f"{figures['p99_ms']:9.3f} {figures['max_ms']:9.3f}"
        )

    if "http" in s:
        h = s["http"]
        lines.append(row(f"HTTP, all ({h['requests']} requests)", h["all"]))
        for name, figures in h["by_class"].items():
            lines.append(row(f"  HTTP, {name}", figures))
        verdict = "meets" if h["meets_target"] else "MISSES"
        lines.append(f"  errors {h['errors']}; p95 target < {h['target_p95_ms']} ms: {verdict}")
    lines.append(row("lookup in-process (ours)", s["in_process"]))
    lines.append(row("baseline: term scan per request", s["baseline_term_scan"]))
    lines.append(f"  p95 ratio baseline/ours: {s['p95_ratio_baseline_over_ours']}x")
    d = result["dupes"]
    if "error" in d:
        lines.append(f"\nnear-duplicates: {d['error']}")
        return "\n".join(lines)
    lines.append(
        f"\nnear-duplicate groups vs {GOLD_FILE} ({d['gold_pairs']} pairs, "
        f"{d['russian_articles']} Russian articles; threshold {d['threshold']}, "
        f"articles under {d['min_words']} words never grouped)"
    )
    g = d["index_groups"]
    lines.append(
        f"the built index's groups: {g['pairs']} pairs, {g['correct']} in the gold; "
        f"precision {g['precision']:.3f}, recall {g['recall']:.3f}, F1 {g['f1']:.3f}"
    )
    lines.append(
        "threshold sweep (grouped: every pair within a group; pairs: the pairs found directly)"
    )
    lines.append(f"{'':9}  {'LSH + exact check (used)':^32}  {'signature estimate only':^32}")
    header = f"{'grouped P':>9} {'R':>6} {'F1':>6}  {'pairs P':>7} {'R':>6}"
    lines.append(f"{'threshold':>9}  {header}  {header}")
    for point in d["sweep"]:
        cells = []
        for name in ("exact", "estimate"):
            grouped, direct = point[name]["grouped"], point[name]["direct_pairs"]
            cells.append(
                f"{grouped['precision']:9.3f} {grouped['recall']:6.3f} {grouped['f1']:6.3f}  "
                f"{direct['precision']:7.3f} {direct['recall']:6.3f}"
            )
        mark = " <- used" if point["threshold"] == d["threshold"] else ""
        lines.append(f"{point['threshold']:9.2f}  {cells[0]}  {cells[1]}{mark}")
    return "\n".join(lines)
