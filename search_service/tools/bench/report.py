"""The benchmark's results: ratios against the baseline, the issue's targets, a table, JSON.

The figures are one dict (the JSON file is that dict); :func:`add_verdicts` adds the ratios
and the targets to it and :func:`table` renders it for people.
"""

from __future__ import annotations

import json
import math
from pathlib import Path
from typing import Any

TARGET_SCALE = 200_000  # the query and update targets are stated at this many documents

# name -> (what, limit, comparison); "min": the figure must be >= limit, "max": <= limit,
# "below": < limit.
TARGETS: dict[str, tuple[str, float, str]] = {
    "build_single_vs_baseline": ("our single-process docs/s / baseline docs/s", 1.0, "min"),
    "build_all_cores_vs_baseline": ("our all-cores docs/s / baseline single docs/s", 1.3, "min"),
    "build_all_cores_docs_per_s": ("our all-cores docs/s on the real corpus", 300.0, "min"),
    "build_peak_rss_mb": ("largest build RSS, parent or worker (MB)", 2048.0, "max"),
    "build_all_cores_vs_xapian": ("our all-cores docs/s / Xapian's docs/s (--peers)", 1.0, "min"),
    "index_size_vs_xapian": ("our index size / Xapian's (--peers)", 1.0, "max"),
    "update_seconds": (f"update of 300 new into {TARGET_SCALE} docs (s)", 30.0, "max"),
    "query_p50_ms": (f"worst class p50 at {TARGET_SCALE} docs (ms)", 30.0, "max"),
    "query_p95_ms": (f"worst class p95 except common word at {TARGET_SCALE} (ms)", 100.0, "max"),
    "common_word_p95_ms": (f"common word p95 at {TARGET_SCALE} docs (ms)", 250.0, "max"),
    "query_first_p50_ms": ("same, first search of each query: worst p50 (ms)", 30.0, "max"),
    "query_first_p95_ms": ("same, first search: worst p95 except common word (ms)", 100.0, "max"),
    "common_word_first_p95_ms": ("same, first search: common word p95 (ms)", 250.0, "max"),
    "query_p50_vs_baseline": ("worst class p50 ratio ours/baseline", 1.5, "max"),
    "full_page_vs_baseline": ("full results page p50 ours/baseline", 1.0, "max"),
    "first_request_ms": ("fresh server: first results page (ms)", 150.0, "below"),
    "first_queries_p50_ms": ("fresh server: 100 distinct queries once, p50 (ms)", 30.0, "max"),
    "first_queries_p95_ms": ("fresh server: 100 distinct queries once, p95 (ms)", 100.0, "max"),
    "first_request_ms_at_scale": (
        f"fresh server at {TARGET_SCALE} docs: first results page (ms)",
        150.0,
        "below",
    ),
    "first_queries_p50_ms_at_scale": (
        f"same at {TARGET_SCALE} docs: 100 queries, p50 (ms)",
        30.0,
        "max",
    ),
    "first_queries_p95_ms_at_scale": (
        f"same at {TARGET_SCALE} docs: 100 queries, p95 (ms)",
        100.0,
        "max",
    ),
    "http_requests_per_s": ("HTTP requests/s", 100.0, "min"),
    "http_p95_ms": ("HTTP p95 (ms)", 150.0, "below"),
    "http_errors": ("HTTP non-2xx + exceptions", 0.0, "max"),
    "server_rss_mb": ("largest server worker peak RSS (MB)", 300.0, "max"),
}
COMMON_CLASS = "common_word"


def _ratio(ours: float, base: float) -> float | None:
    return round(ours / base, 3) if ours and base else None


def add_verdicts(result: dict[str, Any]) -> None:
    """Add ``ratios`` and ``targets`` (figure, limit, met, conclusive, note) to ``result``."""
    build = result.get("build", {})
    queries = result.get("queries", {})
    ratios: dict[str, Any] = {}
    ours_1, base, ours_all = (build.get(k, {}) for k in ("ours_single", "baseline", "ours_all"))
    ratios["build_single_vs_baseline"] = _ratio(ours_1.get("docs_per_s"), base.get("docs_per_s"))
    ratios["build_all_cores_vs_baseline"] = _ratio(
        ours_all.get("docs_per_s"), base.get("docs_per_s")
    )
    ratios["query_p50_by_class"] = _class_ratios(queries)
    full = queries.get("full_page", {})
    ratios["full_page_p50"] = _ratio(
        full.get("ours", {}).get("p50_ms"), full.get("baseline", {}).get("p50_ms")
    )
    ratios["peers"] = _peer_ratios(result)
    result["ratios"] = ratios

    figures: dict[str, tuple[float | None, bool, str]] = {}  # name -> (figure, conclusive, note)
    real = result.get("corpus", {}).get("real", False)
    on_sample = "" if real else "not the real corpus"
    figures["build_single_vs_baseline"] = (ratios["build_single_vs_baseline"], real, on_sample)
    figures["build_all_cores_vs_baseline"] = (
        ratios["build_all_cores_vs_baseline"],
        real,
        on_sample,
    )
    figures["build_all_cores_docs_per_s"] = (
        ours_all.get("docs_per_s"),
        real,
        "" if real else "not the real corpus",
    )
    our_builds = [ours_1, ours_all] + [
        point.get("build_ours", {}) for point in result.get("scale", {}).get("points", [])
    ]
    peaks = [max(b.get("peak_rss_mb", 0), b.get("children_peak_rss_mb", 0)) for b in our_builds]
    figures["build_peak_rss_mb"] = (max(peaks, default=None), True, "")
    xapian = ratios["peers"].get("xapian")
    if xapian:
        figures["build_all_cores_vs_xapian"] = (xapian["build_docs_per_s"], real, on_sample)
        figures["index_size_vs_xapian"] = (xapian["index_size"], real, on_sample)

    update = result.get("update", {})
    if update:
        at = update.get("index_documents", 0)
        figures["update_seconds"] = (
            update.get("seconds"),
            at >= TARGET_SCALE,
            f"{update.get('added')} added into {at} documents",
        )

    largest = _largest_query_run(result)
    if largest:
        documents, per_class = largest
        note = f"measured on {documents} documents"
        conclusive = documents >= TARGET_SCALE
        others = [v for k, v in per_class.items() if k != COMMON_CLASS]
        figures["query_p50_ms"] = (max(v["p50_ms"] for v in per_class.values()), conclusive, note)
        figures["query_p95_ms"] = (max(v["p95_ms"] for v in others), conclusive, note)
        common = per_class.get(COMMON_CLASS, {}).get("p95_ms")
        figures["common_word_p95_ms"] = (common, conclusive, note)
        if all("first_p50_ms" in v for v in per_class.values()):
            worst = max(v["first_p50_ms"] for v in per_class.values())
            figures["query_first_p50_ms"] = (worst, conclusive, note)
            worst = max(v["first_p95_ms"] for v in others)
            figures["query_first_p95_ms"] = (worst, conclusive, note)
            common = per_class.get(COMMON_CLASS, {}).get("first_p95_ms")
            figures["common_word_first_p95_ms"] = (common, conclusive, note)
    class_ratios = [r for r in ratios["query_p50_by_class"].values() if r is not None]
    figures["query_p50_vs_baseline"] = (max(class_ratios, default=None), real, on_sample)
    figures["full_page_vs_baseline"] = (ratios["full_page_p50"], real, on_sample)

    first = result.get("first_queries", {})
    if "p50_ms" in first:
        note = f"{first['queries']} queries on {result['corpus']['documents']} documents"
        figures["first_request_ms"] = (first["first_ms"], True, note)
        figures["first_queries_p50_ms"] = (first["p50_ms"], True, note)
        figures["first_queries_p95_ms"] = (first["p95_ms"], True, note)

    at_scale = [
        point
        for point in result.get("scale", {}).get("points", [])
        if "p50_ms" in point.get("first_queries", {})
    ]
    if at_scale:
        point = max(at_scale, key=lambda point: point["documents"])
        first, documents = point["first_queries"], point["documents"]
        note = f"{first['queries']} queries on {documents} documents"
        conclusive = documents >= TARGET_SCALE
        figures["first_request_ms_at_scale"] = (first["first_ms"], conclusive, note)
        figures["first_queries_p50_ms_at_scale"] = (first["p50_ms"], conclusive, note)
        figures["first_queries_p95_ms_at_scale"] = (first["p95_ms"], conclusive, note)

    http = result.get("http", {})
    if "requests_per_s" in http:
        figures["http_requests_per_s"] = (http["requests_per_s"], True, "")
        figures["http_p95_ms"] = (http["p95_ms"], True, "")
        figures["http_errors"] = (http["non_2xx"] + http["exceptions"], True, "")
        figures["server_rss_mb"] = (http["server"]["peak_rss_mb"], True, "")

    targets = {}
    for name, (what, limit, comparison) in TARGETS.items():
        figure, conclusive, note = figures.get(name, (None, False, "not measured"))
        if figure is None:
            met = None
        elif comparison == "min":
            met = figure >= limit
        elif comparison == "below":
            met = figure < limit
        else:
            met = figure <= limit
        targets[name] = {
            "what": what,
            "figure": figure,
            "limit": limit,
            "comparison": comparison,
            "met": met,
            "conclusive": bool(conclusive and figure is not None),
            "note": note,
        }
    result["targets"] = targets


def _class_ratios(queries: dict[str, Any]) -> dict[str, float | None]:
    ours, base = queries.get("ours", {}), queries.get("baseline", {})
    return {name: _ratio(ours[name]["p50_ms"], base.get(name, {}).get("p50_ms")) for name in ours}


PEER_MEASURES = ("search", "first_search", "page", "first_page")


def _peer_ratios(result: dict[str, Any]) -> dict[str, dict[str, float | None]]:
    """Per measured peer, ours / peer: build docs/s (ours on all cores), index size (the
    all-cores build's), and each latency as the geometric mean of the per-kind p50 ratios."""
    peers = result.get("peers") or {}
    ours = peers.get("ours", {}).get("by_kind", {})
    ours_all = result.get("build", {}).get("ours_all", {})
    ratios = {}
    for name, entry in peers.get("engines", {}).items():
        if "by_kind" not in entry:
            continue
        built = entry["build"]
        ratios[name] = {
            "build_docs_per_s": _ratio(ours_all.get("docs_per_s"), built["docs_per_s"]),
            "index_size": _ratio(ours_all.get("index_bytes"), built["index_bytes"]),
        }
        for measure in PEER_MEASURES:
            key = f"{measure}_p50_ms"
            per_kind = [_ratio(ours[k][key], v[key]) for k, v in entry["by_kind"].items()]
            ratios[name][measure] = _geometric_mean([r for r in per_kind if r])
    return ratios


def _geometric_mean(values: list[float]) -> float | None:
    if not values:
        return None
    return round(math.exp(sum(math.log(v) for v in values) / len(values)), 3)


def _largest_query_run(result: dict[str, Any]) -> tuple[int, dict[str, Any]] | None:
    """Our per-class figures on the largest index measured (a scale point or the corpus)."""
    runs = []
    if result.get("queries", {}).get("ours"):
        runs.append((result["corpus"]["documents"], result["queries"]["ours"]))
    for point in result.get("scale", {}).get("points", []):
        if point.get("queries", {}).get("ours"):
            runs.append((point["documents"], point["queries"]["ours"]))
    return max(runs, key=lambda run: run[0]) if runs else None


# Rendering ----------------------------------------------------------------------------


def _fmt(value: Any, digits: int = 1) -> str:
    if value is None:
        return "-"
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, float):
        return f"{value:.{digits}f}"
    return str(value)


def _rows(header: list[str], rows: list[list[Any]]) -> list[str]:
    cells = [header] + [[_fmt(c) for c in row] for row in rows]
    widths = [max(len(row[i]) for row in cells) for i in range(len(header))]
    lines = ["  ".join(c.ljust(w) for c, w in zip(row, widths, strict=True)) for row in cells]
    lines.insert(1, "  ".join("-" * w for w in widths))
    return lines


def table(result: dict[str, Any]) -> str:
    """The figures as plain-text tables, one section after another."""
    out: list[str] = []
    machine, corpus = result["machine"], result["corpus"]
    out.append(
        f"archive search benchmark ({result['profile']} profile) - {machine['cpu_count']} cores, "
        f"Python {machine['python']}, Whoosh {machine['whoosh']}"
    )
    out.append(
        f"corpus: {corpus['documents']} documents, {corpus['megabytes']} MB "
        f"{corpus['by_language']} ({corpus['note']})"
    )

    build = result.get("build", {})
    if build:
        out += ["", "BUILD (each in a fresh process; RSS = peak resident memory)"]
        rows = []
        for key, label in (
            ("ours_single", "ours, 1 process"),
            ("baseline", "baseline StandardAnalyzer, 1 process"),
            ("ours_all", f"ours, {build.get('ours_all', {}).get('procs', '?')} processes"),
        ):
            b = build.get(key)
            if b:
                rows.append(
                    [
                        label,
                        b["documents"],
                        b["seconds"],
                        b["docs_per_s"],
                        b["mb_per_s"],
                        b["peak_rss_mb"],
                        b["children_peak_rss_mb"],
                        b["index_bytes"] / 1e6,
                    ]
                )
        out += _rows(
            ["build", "docs", "s", "docs/s", "MB/s", "RSS MB", "workers RSS", "index MB"], rows
        )
        shares = build.get("ours_single", {}).get("shares")
        if shares:
            out.append("our single-process build time: " + _shares(shares))
        profiled = build.get("profile")
        if profiled:
            out.append(
                f"cProfile of a {profiled['documents']}-document build: "
                + _shares(profiled["share"])
            )

    queries = result.get("queries", {})
    if queries.get("ours"):
        out += ["", _query_title(queries, corpus["documents"])]
        out += _query_rows(queries, result.get("ratios", {}).get("query_p50_by_class", {}))
        for side in ("ours_breakdown", "baseline_breakdown"):
            if queries.get(side):
                out.append(f"{side.replace('_', ' ')}: " + _shares(queries[side]))

    if result.get("peers"):
        out += ["", *_peer_section(result)]

    first = result.get("first_queries", {})
    runs = [(result.get("corpus", {}).get("documents"), first)] + [
        (point["documents"], point["first_queries"])
        for point in result.get("scale", {}).get("points", [])
        if "first_queries" in point
    ]
    measured = [(documents, run) for documents, run in runs if "p50_ms" in run]
    if measured:
        out += [
            "",
            "FIRST QUERIES (a freshly started server; each query asked once as a results page, "
            "one after another; warm figures: QUERIES above, HTTP below)",
        ]
        out += _rows(
            ["docs", "queries", "ready s", "first ms", "p50 ms", "p95 ms", "max ms", "errors"],
            [
                [
                    documents,
                    run["queries"],
                    run["server_ready_s"],
                    run["first_ms"],
                    run["p50_ms"],
                    run["p95_ms"],
                    run["max_ms"],
                    run["errors"],
                ]
                for documents, run in measured
            ],
        )
        for documents, run in measured:
            slowest = ", ".join(f"{q['query']} {q['ms']:.0f}" for q in run.get("slowest", []))
            out.append(f"slowest at {documents} (ms): {slowest}")
    for documents, run in runs:
        if run.get("error"):
            out += ["", f"FIRST QUERIES at {documents}: not measured: {run['error']}"]

    http = result.get("http", {})
    if "requests_per_s" in http:
        out += ["", f"HTTP (load client in its own process, {http['clients']} threads, loopback)"]
        out += _rows(
            ["req/s", "p50 ms", "p95 ms", "p99 ms", "requests", "non-2xx", "exceptions", "RSS MB"],
            [
                [
                    http["requests_per_s"],
                    http["p50_ms"],
                    http["p95_ms"],
                    http["p99_ms"],
                    http["requests"],
                    http["non_2xx"],
                    http["exceptions"],
                    http["server"]["peak_rss_mb"],
                ]
            ],
        )
    elif http.get("error"):
        out += ["", f"HTTP: not measured: {http['error']}"]

    update = result.get("update", {})
    if update:
        out += ["", "UPDATE (search-service update in a subprocess, process start included)"]
        seconds, job = _fmt(update.get("seconds"), 2), _fmt(update.get("job_seconds"), 2)
        out.append(
            f"{update.get('added')} new articles into {update.get('index_documents')} documents: "
            f"{seconds} s (the job's own figure: {job} s)"
        )

    scale = result.get("scale", {})
    if scale.get("points"):
        out += ["", f"SCALE ({scale['note']})"]
        rows = []
        for point in scale["points"]:
            ours_b, base_b = point["build_ours"], point.get("build_baseline") or {}
            rows.append(
                [
                    point["documents"],
                    ours_b["docs_per_s"],
                    ours_b["seconds"],
                    ours_b["index_bytes"] / 1e6,
                    max(ours_b["peak_rss_mb"], ours_b["children_peak_rss_mb"]),
                    base_b.get("docs_per_s"),
                    base_b.get("index_bytes", 0) / 1e6 if base_b else None,
                ]
            )
        out += _rows(
            ["docs", "ours docs/s", "ours s", "ours MB", "RSS MB", "base docs/s", "base MB"],
            rows,
        )
        for point in scale["points"]:
            out += ["", _query_title(point["queries"], point["documents"])]
            out += _query_rows(point["queries"], point.get("ratios", {}))
        out += _size_section(scale["points"])

    out += ["", "TARGETS"]
    rows = []
    for target in result.get("targets", {}).values():
        sign = {"min": ">=", "max": "<=", "below": "<"}[target["comparison"]]
        verdict = {True: "met", False: "NOT MET", None: "-"}[target["met"]]
        if target["met"] is not None and not target["conclusive"]:
            verdict += " (indicative)"
        rows.append(
            [
                target["what"],
                target["figure"],
                f"{sign} {target['limit']:g}",
                verdict,
                target["note"],
            ]
        )
    out += _rows(["target", "figure", "limit", "verdict", "note"], rows)
    return "\n".join(out)


def _size_section(points: list[dict[str, Any]]) -> list[str]:
    """MB of each indexed field and each other part of our index at each scale point
    (``search-service stats --sizes``)."""
    sized = [point for point in points if point.get("sizes")]
    if not sized:
        return []
    names: dict[str, None] = {}
    for point in sized:
        names.update(dict.fromkeys(point["sizes"]["fields"]))
    rows = []
    for name in names:
        cells = [point["sizes"]["fields"].get(name, {}).get("total_bytes", 0) for point in sized]
        rows.append([f"field {name}", *(value / 1e6 for value in cells)])
    for name in sized[0]["sizes"]["parts"]:
        rows.append([name, *(point["sizes"]["parts"][name] / 1e6 for point in sized)])
    rows.append(["all", *(point["sizes"]["total_bytes"] / 1e6 for point in sized)])
    header = ["MB by part", *(f"{point['documents']} docs" for point in sized)]
    title = "INDEX SIZE BY PART (fields: their term tables, postings and posting arrays)"
    return ["", title, *_rows(header, rows)]


def _query_title(queries: dict[str, Any], documents: int) -> str:
    return (
        f"QUERIES at {documents} documents (ms per results page: search, total, facets, "
        f"{queries['per_page']} highlighted hits; {queries['repeats']} runs per query after "
        f"{queries['warmup']} warm-up; 1st: each query's first run, our caches emptied)"
    )


def _query_rows(queries: dict[str, Any], ratios: dict[str, Any]) -> list[str]:
    ours, base = queries["ours"], queries.get("baseline", {})
    rows = []
    for name, figures in ours.items():
        other = base.get(name, {})
        rows.append(
            [
                name,
                figures["p50_ms"],
                figures["p95_ms"],
                figures.get("first_p50_ms"),
                figures.get("first_p95_ms"),
                other.get("p50_ms"),
                other.get("p95_ms"),
                ratios.get(name),
                min(q["total"] for q in figures["queries"]),
            ]
        )
    full = queries.get("full_page", {})
    if full.get("ours"):
        b = full.get("baseline", {})
        ratio = _ratio(full["ours"]["p50_ms"], b.get("p50_ms"))
        rows.append(
            [
                "full page (mix)",
                full["ours"]["p50_ms"],
                full["ours"]["p95_ms"],
                None,
                None,
                b.get("p50_ms"),
                b.get("p95_ms"),
                ratio,
                None,
            ]
        )
    header = ["class", "p50", "p95", "1st p50", "1st p95", "base p50", "base p95", "p50 ratio"]
    return _rows([*header, "min hits"], rows)


OUR_ANALYSIS = "kk+ru: Russian lemmas, Kazakh stems, both Kazakh scripts"


def _ms(value: float | None) -> str:
    return "-" if value is None else f"{value:.2f}" if value < 10 else f"{value:.1f}"


def _span(by_kind: dict[str, dict[str, float]], key: str) -> str:
    values = [figures[key] for figures in by_kind.values()]
    return f"{_ms(min(values))}-{_ms(max(values))}" if values else "-"


def _peer_section(result: dict[str, Any]) -> list[str]:
    """The peers beside ours: one row per engine, the ratios, then p50s and hits by kind."""
    peers, build = result["peers"], result.get("build", {})
    ours = peers.get("ours", {})
    engines = {n: e for n, e in peers.get("engines", {}).items() if "by_kind" in e}
    ratios = result.get("ratios", {}).get("peers", {})
    out = [
        f"PEERS (the same {peers['documents']} articles and query kinds, each engine through "
        "its own parser and Python binding, each build and each engine's queries in a fresh "
        "process; ms: the range over kinds of the p50s; first: each query's first ask on a "
        f"freshly opened index; page: total + 10 hits with a snippet each; {peers['repeats']} "
        f"runs per query after {peers['warmup']} warm-up)"
    ]
    rows = []
    for key in ("ours_single", "ours_all"):
        figures = build.get(key)
        if figures and ours.get("by_kind"):
            label = f"ours, {figures['procs']} process{'es' if figures['procs'] > 1 else ''}"
            # The queries ran on the all-cores build, the index `search-service build` makes.
            by_kind = ours["by_kind"] if key == "ours_all" else {}
            rows.append(_peer_row(label, OUR_ANALYSIS, figures, by_kind))
    for name, entry in engines.items():
        label = f"{name} {entry['version']}"
        rows.append(_peer_row(label, entry["analysis"], entry["build"], entry["by_kind"]))
    header = ["engine", "analysis", "docs/s", "index MB", "build RSS MB", "search ms"]
    out += _rows([*header, "first search ms", "page ms", "first page ms"], rows)
    out.append(
        "first: in a process that has answered other queries, the OS file cache warm: what "
        "a newly opened index costs a query, not a new process's start (FIRST QUERIES is that)"
    )
    out.append(
        "ours: the search is the results page less the hits' markup and the 'did you mean' "
        f"look-up (run under {ours.get('suggest_below', '?')} hits), which the peers do not "
        "have; the page is all of it. Peers index text held in memory, our build reads and "
        "parses the archive files"
    )
    suggested = [q for q in ours.get("queries", []) if q.get("suggestion_p50_ms", 0) >= 0.05]
    if suggested:
        slowest = max(suggested, key=lambda q: q["suggestion_p50_ms"])
        spent = [q["suggestion_p50_ms"] for q in suggested]
        out.append(
            f"ours: 'did you mean' ran on {len(suggested)} of {len(ours['queries'])} queries, "
            f"p50 {_ms(sorted(spent)[len(spent) // 2])} ms, the slowest {slowest['query']} "
            f"{_ms(slowest['suggestion_p50_ms'])} ms"
        )
    for name, entry in peers.get("engines", {}).items():
        how = f"{name} {entry['version']}: {entry['how']}; interpreter {entry['python']}"
        out.append(how if "error" not in entry else f"{name}: FAILED: {entry['error']}")
    for name, reason in peers.get("skipped", {}).items():
        out.append(f"{name}: skipped, {reason}")
    if not ratios:
        return out

    out += [
        "",
        "ours / peer (docs/s: ours on all cores, above 1 is better; the rest: below 1 is "
        "better; latencies: geometric mean over the kinds of the p50 ratios)",
    ]
    rows = [
        [
            name,
            *(_ratio_text(r.get(key)) for key in ("build_docs_per_s", "index_size")),
            *(_ratio_text(r.get(m)) for m in PEER_MEASURES),
        ]
        for name, r in ratios.items()
    ]
    out += _rows(
        ["peer", "build docs/s", "index size", "search", "first search", "page", "first page"], rows
    )
    for title, keys in (
        ("warm p50 ms by kind, search / page [ours / peer]", ("search", "page")),
        ("first ask ms by kind, search / page [ours / peer]", ("first_search", "first_page")),
    ):
        out += ["", title]
        out += _by_kind_rows(ours["by_kind"], engines, keys)
    out += ["", "hits by kind (summed exact totals: what stemming, lemmas and scripts find)"]
    rows = [
        [kind, figures["hits"], *(e["by_kind"][kind]["hits"] for e in engines.values())]
        for kind, figures in ours["by_kind"].items()
    ]
    out += _rows(["kind", "ours", *engines], rows)
    return out


def _peer_row(label: str, analysis: str, built: dict, by_kind: dict) -> list[Any]:
    return [
        label,
        analysis,
        built["docs_per_s"],
        built["index_bytes"] / 1e6,
        max(built["peak_rss_mb"], built.get("children_peak_rss_mb", 0.0)),
        *(_span(by_kind, f"{m}_p50_ms") for m in PEER_MEASURES),
    ]


def _ratio_text(value: float | None) -> str:
    return "-" if value is None else f"{value:.2f}"


def _by_kind_rows(ours: dict, engines: dict[str, dict], keys: tuple[str, str]) -> list[str]:
    rows = []
    for kind, mine in ours.items():
        row = [kind, " / ".join(_ms(mine[f"{k}_p50_ms"]) for k in keys)]
        for entry in engines.values():
            theirs = entry["by_kind"][kind]
            times = " / ".join(_ms(theirs[f"{k}_p50_ms"]) for k in keys)
            shares = " / ".join(
                _ratio_text(_ratio(mine[f"{k}_p50_ms"], theirs[f"{k}_p50_ms"])) for k in keys
            )
            row.append(f"{times} [{shares}]")
        rows.append(row)
    return _rows(["kind", "ours", *engines], rows)


def _shares(shares: dict[str, float]) -> str:
    return ", ".join(f"{name} {share * 100:.0f}%" for name, share in shares.items())


def write_json(result: dict[str, Any], path: Path) -> None:
    path.write_text(json.dumps(result, ensure_ascii=False, indent=2), encoding="utf-8")
