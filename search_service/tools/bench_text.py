"""Conflation benchmark of the word normalisers on Universal Dependencies treebanks.

Run ``search-service bench-text [--ud DIR] [--json FILE]``. For each language it
takes the distinct lower-cased word forms of a treebank (punctuation, symbols, numbers and
multi-word-token lines left out, ``ё`` folded) and asks of every normaliser:

* recall: of the pairs of forms sharing a gold lemma, the share whose key sets meet;
* precision: of the pairs of forms whose key sets meet, the share sharing a gold lemma;
* lemma accuracy: the share of forms whose primary key is one of their gold lemmas;
* tokens per second over the running text, cold (caches empty) and warm (second pass).

Pairs are counted through inverted indexes (lemma -> forms, key -> forms), never by
comparing every form with every other.

Beside UD, the Kazakh news lemma set (``../shared/kk-news-lemmas``: word forms of the
corpus's own Kazakh news with gold lemmas) is scored by its own ``evaluate.py``, imported from
its folder: recall and precision for all forms, proper nouns, loanwords and the other words,
ours (the keys a query word of that form searches for) next to the first-5-letters baseline.
"""

from __future__ import annotations

import importlib
import importlib.util
import json
import sys
import time
from collections import defaultdict
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import asdict, dataclass
from pathlib import Path
from types import ModuleType, SimpleNamespace
from typing import Any

import click

KeyFunction = Callable[[str], Sequence[str]]

DEFAULT_UD = Path(__file__).resolve().parents[2] / ".." / "shared" / "ud"
TREEBANKS = {
    "kk": ("UD_Kazakh-KTB", "kk_ktb-ud-{split}.conllu", "test"),
    "ru": ("UD_Russian-GSD", "ru_gsd-ud-{split}.conllu", "test"),
}
_SKIPPED_UPOS = frozenset({"PUNCT", "SYM", "NUM"})
DEFAULT_KK_LEMMAS = Path(__file__).resolve().parents[2] / ".." / "shared" / "kk-news-lemmas"
LEMMA_SUBSETS = ("all", "PROPN", "loan", "other")
LEMMA_BASELINE = "first 5 letters"
SHOWN_ERRORS = 5  # worst false and missed merges of ours printed (20 in the JSON)


@dataclass(frozen=True, slots=True)
class Treebank:
    """Word tokens of a treebank: running forms (as written) and gold lemmas per form."""

    tokens: list[str]
    lemmas: dict[str, frozenset[str]]


@dataclass(frozen=True, slots=True)
class Score:
    """One normaliser's figures on one treebank."""

    language: str
    system: str
    forms: int
    gold_pairs: int
    key_pairs: int
    recall: float
    precision: float
    lemma_accuracy: float
    tokens_per_s_cold: float
    tokens_per_s_warm: float


def normal_form(word: str) -> str:
    """The benchmark's notion of a distinct form.

    >>> normal_form("Ёлки")
    'елки'
    """
    return word.lower().replace("ё", "е")


def read_conllu(lines: Iterable[str]) -> Treebank:
    """Collect word tokens and gold lemmas from CoNLL-U lines."""
    tokens: list[str] = []
    lemmas: dict[str, set[str]] = defaultdict(set)
    for line in lines:
        if not line.strip() or line.startswith("#"):
            continue
        cols = line.rstrip("\n").split("\t")
        # "3-4" lines are multi-word tokens, "3.1" lines empty nodes: neither is a word here.
        if len(cols) < 4 or not cols[0].isdigit() or cols[3] in _SKIPPED_UPOS:
            continue
        form, lemma = cols[1], cols[2]
        tokens.append(form)
        if lemma != "_":
            lemmas[normal_form(form)].add(normal_form(lemma))
    return Treebank(tokens, {form: frozenset(found) for form, found in lemmas.items()})


def _groups(mapping: dict[str, Iterable[str]]) -> dict[str, set[str]]:
    groups: dict[str, set[str]] = defaultdict(set)
    for form, values in mapping.items():
        for value in values:
            groups[value].add(form)
    return groups


def _pairs_within(groups: dict[str, set[str]]) -> Iterator[tuple[str, str]]:
    for members in groups.values():
        ordered = sorted(members)
        for i, first in enumerate(ordered):
            for second in ordered[i + 1 :]:
                yield first, second


def _count_linked_pairs(keys: dict[str, frozenset[str]]) -> int:
    """Distinct unordered pairs of forms whose key sets meet."""
    groups = _groups(keys)
    if all(len(found) == 1 for found in keys.values()):
        return sum(len(members) * (len(members) - 1) // 2 for members in groups.values())
    total = 0
    for found in keys.values():
        neighbours: set[str] = set()
        for key in found:
            neighbours |= groups[key]
        total += len(neighbours) - 1
    return total // 2


def conflation(
    gold: dict[str, frozenset[str]], keys: dict[str, frozenset[str]]
) -> tuple[float, float, int, int]:
    """Return (recall, precision, gold pairs, key pairs) over the forms of ``gold``.

    >>> gold = {"стали": frozenset({"стать"}), "стать": frozenset({"стать"}),
    ...         "сталь": frozenset({"сталь"})}
    >>> keys = {"стали": frozenset({"стать", "сталь"}), "стать": frozenset({"стать"}),
    ...         "сталь": frozenset({"сталь"})}
    >>> conflation(gold, keys)
    (1.0, 0.5, 1, 2)
    """
    gold_pairs = set(_pairs_within(_groups(gold)))
    hits = sum(1 for first, second in gold_pairs if keys[first] & keys[second])
    key_pairs = _count_linked_pairs(keys)
    recall = hits / len(gold_pairs) if gold_pairs else 1.0
    precision = hits / key_pairs if key_pairs else 1.0
    return recall, precision, len(gold_pairs), key_pairs


def _timed_pass(key_fn: KeyFunction, tokens: list[str]) -> float:
    started = time.perf_counter()
    for token in tokens:
        key_fn(token)
    elapsed = time.perf_counter() - started
    return len(tokens) / elapsed if elapsed else float("inf")


def score(
    language: str,
    system: str,
    treebank: Treebank,
    key_fn: KeyFunction,
    clear_cache: Callable[[], None] | None = None,
) -> Score:
    """Measure one key function: speed first (cold, then warm), then the pair figures."""
    if clear_cache:
        clear_cache()
    cold = _timed_pass(key_fn, treebank.tokens)
    warm = _timed_pass(key_fn, treebank.tokens)
    primary: dict[str, str] = {}
    keys: dict[str, frozenset[str]] = {}
    for form in treebank.lemmas:
        found = tuple(key_fn(form))
        # A form with no key (a stop word) still stands for itself: it meets only itself.
        primary[form] = normal_form(found[0]) if found else form
        keys[form] = frozenset(normal_form(key) for key in found) or frozenset({"\0" + form})
    recall, precision, gold_pairs, key_pairs = conflation(treebank.lemmas, keys)
    correct = sum(1 for form, lemmas in treebank.lemmas.items() if primary[form] in lemmas)
    return Score(
        language,
        system,
        len(treebank.lemmas),
        gold_pairs,
        key_pairs,
        round(recall, 4),
        round(precision, 4),
        round(correct / len(treebank.lemmas), 4),
        round(cold),
        round(warm),
    )


# --- the systems compared ----------------------------------------------------------------


def _lower_only(word: str) -> tuple[str, ...]:
    return (normal_form(word),)


def _pymorphy_keys(every: bool) -> KeyFunction:
    from search_service.text import russian

    def keys(word: str) -> tuple[str, ...]:
        parses = russian.morph().parse(normal_form(word))
        lemmas = dict.fromkeys(normal_form(parse.normal_form) for parse in parses)
        return tuple(lemmas) if every else tuple(lemmas)[:1]

    return keys


def _snowball_keys() -> KeyFunction | None:
    try:
        import snowballstemmer
    except ImportError:  # a test extra: the bench runs without it, minus one row
        return None
    stemmer = snowballstemmer.stemmer("russian")
    return lambda word: (stemmer.stemWord(normal_form(word)),)


def _cached(key_fn: KeyFunction) -> tuple[KeyFunction, Callable[[], None]]:
    """Give a baseline the same per-form cache our pipeline has, so speeds compare fairly."""
    cache: dict[str, Sequence[str]] = {}

    def keys(word: str) -> Sequence[str]:
        found = cache.get(word)
        if found is None:
            found = cache[word] = key_fn(word)
        return found

    return keys, cache.clear


def _load_key_function(spec: str) -> KeyFunction:
    module, _, name = spec.partition(":")
    return getattr(importlib.import_module(module), name)


def systems(language: str, ours: str | None = None) -> list[tuple[str, KeyFunction, Callable]]:
    """The normalisers measured for a language: baselines first, ours last.

    ``ours`` is ``module:function`` taking ``(word, lang)``; the default is our pipeline,
    :func:`search_service.text.analyze.word_keys`.
    """
    # Not "from search_service.text import analyze": the package re-exports the function.
    from search_service.text.analyze import clear_caches, word_keys

    found: list[tuple[str, KeyFunction, Callable]] = []
    baselines: list[tuple[str, KeyFunction | None]] = [("lower-case", _lower_only)]
    if language == "ru":
        baselines += [
            ("snowball", _snowball_keys()),
            ("pymorphy3 first", _pymorphy_keys(every=False)),
            ("pymorphy3 every", _pymorphy_keys(every=True)),
        ]
    for name, key_fn in baselines:
        if key_fn is not None:
            found.append((name, *_cached(key_fn)))
    ours_fn = _load_key_function(ours) if ours else word_keys
    found.append(("ours", lambda word: ours_fn(word, language), clear_caches))
    return found


# --- the Kazakh news lemma set ------------------------------------------------------------


def kazakh_query_keys() -> tuple[str, KeyFunction]:
    """The keys a Kazakh query word of a form searches for, and the function's name.

    ``analyze.search_keys(form)`` when the analysis has it, else ``word_keys(form, "kk")``.
    """
    analysis = importlib.import_module("search_service.text.analyze")
    search_keys = getattr(analysis, "search_keys", None)
    if search_keys is not None:
        return "search_keys", search_keys
    return "word_keys(kk)", lambda form: analysis.word_keys(form, "kk")


def _load_evaluator(folder: Path) -> ModuleType:
    """The set's own ``evaluate.py``, imported from its folder (never copied)."""
    spec = importlib.util.spec_from_file_location("kk_news_lemmas_evaluate", folder / "evaluate.py")
    if spec is None or spec.loader is None:
        raise ImportError(f"cannot import {folder / 'evaluate.py'}")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def score_kk_lemmas(folder: Path, ours: tuple[str, KeyFunction] | None = None) -> dict[str, Any]:
    """Ours and the first-5-letters baseline on ``forms.tsv``, by the set's ``evaluate``."""
    evaluator = _load_evaluator(folder)
    gold = evaluator.load_gold(str(folder / "forms.tsv"))
    name, key_fn = ours or kazakh_query_keys()
    systems: dict[str, KeyFunction] = {LEMMA_BASELINE: lambda form: (form[:5],), "ours": key_fn}
    scores = {}
    for system, keys in systems.items():
        found = evaluator.evaluate(gold, {row["form"]: list(keys(row["form"])) for row in gold})
        scores[system] = {
            "metrics": found["metrics"],
            "missing": found["missing"],
            "false_merges": found["false_merges"],
            "missed_merges": found["missed_merges"],
        }
    return {"folder": str(folder), "forms": len(gold), "ours": name, "systems": scores}


def _share(value: float | None) -> str:
    return "n/a" if value is None else f"{value:.3f}"


def format_kk_lemmas(result: dict[str, Any]) -> str:
    """The lemma-set figures as a plain-text table, then ours' worst merges."""
    header = f"{'system':16}" + "".join(
        f" {subset + ' R':>8} {subset + ' P':>8}" for subset in LEMMA_SUBSETS
    )
    lines = [
        f"kk-news-lemmas: {result['forms']} forms, scored by the set's evaluate.py; "
        f"ours = {result['ours']}",
        header,
        "-" * len(header),
    ]
    for system, figures in result["systems"].items():
        metrics = figures["metrics"]
        cells = "".join(
            f" {_share(metrics[s]['recall']):>8} {_share(metrics[s]['precision']):>8}"
            for s in LEMMA_SUBSETS
        )
        lines.append(f"{system:16}{cells}")
    ours = result["systems"]["ours"]
    lines.append(f"ours, worst false merges (first {SHOWN_ERRORS}; the JSON has more):")
    for e in ours["false_merges"][:SHOWN_ERRORS]:
        shared = ", ".join(e["shared_keys"])
        lines.append(f"  {e['a']} ({e['a_lemma']}) ~ {e['b']} ({e['b_lemma']})  key {shared}")
    lines.append(f"ours, worst missed merges (first {SHOWN_ERRORS}):")
    for e in ours["missed_merges"][:SHOWN_ERRORS]:
        a_keys, b_keys = ", ".join(e["a_keys"]), ", ".join(e["b_keys"])
        lines.append(f"  {e['a']} -> {a_keys}  |  {e['b']} -> {b_keys}  (lemma {e['a_lemma']})")
    return "\n".join(lines)


def _treebank_path(ud: Path, language: str, split: str | None) -> Path:
    folder, pattern, default_split = TREEBANKS[language]
    return ud / folder / pattern.format(split=split or default_split)


def format_table(scores: list[Score]) -> str:
    """The scores as a plain-text table."""
    header = (
        f"{'lang':4} {'system':16} {'forms':>6} {'recall':>7} {'precision':>9} "
        f"{'lemma acc':>9} {'tok/s cold':>11} {'tok/s warm':>11}"
    )
    lines = [header, "-" * len(header)]
    for s in scores:
        lines.append(
            f"{s.language:4} {s.system:16} {s.forms:6d} {s.recall:7.4f} {s.precision:9.4f} "
            f"{s.lemma_accuracy:9.4f} {s.tokens_per_s_cold:11,d} {s.tokens_per_s_warm:11,d}"
        )
    return "\n".join(lines)


@click.command("bench-text")
@click.option(
    "--ud",
    type=click.Path(file_okay=False, path_type=Path),
    default=DEFAULT_UD,
    show_default="../shared/ud beside the repository",
    help="Folder of UD treebanks.",
)
@click.option("--lang", type=click.Choice(sorted(TREEBANKS)), multiple=True, help="Repeatable.")
@click.option("--kk-split", help="KTB split (default test).")
@click.option("--ru-split", help="GSD split (default test; dev to tune).")
@click.option(
    "--kk-file",
    type=click.Path(dir_okay=False, path_type=Path),
    help="A CoNLL-U file instead of KTB.",
)
@click.option(
    "--ru-file",
    type=click.Path(dir_okay=False, path_type=Path),
    help="A CoNLL-U file instead of GSD.",
)
@click.option("--keys", help="Our key function as module:function(word, lang).")
@click.option(
    "--kk-lemmas",
    type=click.Path(file_okay=False, path_type=Path),
    help="Folder of the Kazakh news lemma set (forms.tsv, evaluate.py); default "
    "../shared/kk-news-lemmas beside the repository, skipped when absent.",
)
@click.option(
    "--json",
    type=click.Path(dir_okay=False, path_type=Path),
    help="Also write the scores to this file.",
)
def command(**given: Any) -> None:
    """Measure the normalisers against gold lemmas (UD treebanks and the Kazakh news lemmas).

    Prints a table of recall, precision, lemma accuracy and speed per language and
    normaliser; exit code 2 when a treebank or the lemma set asked for is missing.

    \b
    Example:
      search-service bench-text --ud ../shared/ud --json normalisation.json
    """
    args = SimpleNamespace(**given)
    languages = args.lang or sorted(TREEBANKS)
    lemma_folder = args.kk_lemmas or DEFAULT_KK_LEMMAS
    has_lemmas = (lemma_folder / "forms.tsv").is_file() and (lemma_folder / "evaluate.py").is_file()
    if args.kk_lemmas and not has_lemmas:
        print(f"error: no forms.tsv and evaluate.py in {args.kk_lemmas}", file=sys.stderr)
        sys.exit(2)
    scores: list[Score] = []
    for language in languages:
        path = getattr(args, f"{language}_file") or _treebank_path(
            args.ud, language, getattr(args, f"{language}_split")
        )
        if not path.is_file():
            print(f"error: treebank not found: {path}", file=sys.stderr)
            sys.exit(2)
        with path.open(encoding="utf-8") as lines:
            treebank = read_conllu(lines)
        for name, key_fn, clear in systems(language, args.keys):
            scores.append(score(language, name, treebank, key_fn, clear))
        print(f"{language}: {path.name}, {len(treebank.tokens):,} word tokens", file=sys.stderr)
    print(format_table(scores))
    lemmas: dict[str, Any]
    if "kk" not in languages:
        lemmas = {"skipped": "Kazakh not measured (--lang)"}
    elif not has_lemmas:
        lemmas = {"skipped": f"not found: {lemma_folder}"}
        print(f"\nkk-news-lemmas: skipped, not found at {lemma_folder}")
    else:
        ours = (
            ("--keys " + args.keys, _kazakh(_load_key_function(args.keys))) if args.keys else None
        )
        lemmas = score_kk_lemmas(lemma_folder, ours)
        print("\n" + format_kk_lemmas(lemmas))
    if args.json:
        figures = {"ud": [asdict(s) for s in scores], "kk_news_lemmas": lemmas}
        args.json.write_text(json.dumps(figures, ensure_ascii=False, indent=2) + "\n", "utf-8")


def _kazakh(key_fn: Callable[[str, str], Sequence[str]]) -> KeyFunction:
    return lambda word: key_fn(word, "kk")
