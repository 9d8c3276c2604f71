"""No query can hold a worker: a prefix stands for at most ``max_prefix_terms`` words, and a
search past ``time_budget_ms`` answers with what it has, flagged ``timed_out``.

On a real index of the bundled sample archive (and, marked slow, of a replicated corpus): the
expansion is Whoosh's words with the prefix, the most frequent first; a cut is said in the API
and on the page in three languages; a search cut by a tiny budget is still a valid page of real
matches; slow searches leave one log line; the prefix and hostile queries answer within the
budget plus 20%.
"""

from __future__ import annotations

import dataclasses
import json
import logging
import os
import re
import threading
import time
from pathlib import Path

import numpy as np
import pytest
from hypothesis import given
from whoosh import query as wq

from search_service import indexer, models
from search_service import searcher as searcher_module
from search_service.budget import Deadline
from search_service.config import ConfigError, load_settings, package_folder
from search_service.engine import ranking
from search_service.models import SearchRequest
from search_service.params import BadRequest, parse_search_request
from search_service.query import MAX_TERMS
from search_service.schema import TEXT_EXACT_FIELD, TITLE_EXACT_FIELD
from search_service.searcher import ArchiveSearcher
from search_service.web import create_app

from .test_hostile import PROFILE as HOSTILE_PROFILE
from .test_hostile import search_params
from .test_openapi import check_response

SAMPLE_ARCHIVE = package_folder() / "sample_archive"
PREFIX_QUERIES = ("по*", "ко* OR на* OR пр* OR за*")
SLACK = 1.2  # every answer within the budget plus 20%
# The stress run's small budget (500 ms, no prefix cap): the search itself keeps to the budget
# plus 20% (its took_ms), the whole answer may take the rendering on top (facets, timeline,
# the page's template), about 100 ms on a busy 2-core machine.
RENDERING_MS = 150


def hostile_queries() -> list[str]:
    """Queries built to be expensive: many prefixes, many OR'ed words, long phrases (each at
    most :data:`MAX_TERMS` words and operators, the parser's limit)."""
    half = MAX_TERMS // 2  # OR'ed parts: n parts and n - 1 operators
    prefixes = [a + b + "*" for a in "кнпсдзомт" for b in "аоеи"][:half]
    words = ["выборы", "сайлау", "бюджет", "президент", "закон", "мемлекет", "на", "по"]
    phrase = " ".join(["в", "на", "по", "и", "с", "за", "от", "к"] * 6)
    return [
        " OR ".join(prefixes),
        " ".join(prefixes[:MAX_TERMS]),
        " OR ".join((words * 7)[:half]),
        " ".join((words * 7)[:MAX_TERMS]),
        f'"{phrase}"',
        f'"{phrase}" OR "{phrase[::-1]}" OR ' + " OR ".join(prefixes[:10]),
    ]


@pytest.fixture(scope="module")
def sample_index(tmp_path_factory) -> Path:
    """A real index of the sample archive bundled with the package."""
    index_dir = tmp_path_factory.mktemp("sample-index")
    indexer.build([SAMPLE_ARCHIVE], index_dir, procs=1)
    return index_dir


def app_client(index_dir: Path, **settings):
    app = create_app(load_settings({}).replace(index_dir=index_dir, **settings))
    app.config.update(TESTING=True)
    return app.test_client()


def whoosh_prefix_words(searcher, field: str, prefix: str) -> list[tuple[int, str]]:
    """(document frequency, word) of every word of ``field`` with ``prefix``, by Whoosh."""
    reader = searcher.reader()
    return [
        (info.doc_frequency(), text.decode("utf-8"))
        for text, info in reader.iter_prefix(field, prefix)
    ]


# The deadline ------------------------------------------------------------------------------


def test_a_deadline_skips_only_once_spent_and_remembers_it():
    now = [10.0]
    deadline = Deadline(250, clock=lambda: now[0])
    assert not deadline.passed() and not deadline.skip() and not deadline.cut
    now[0] = 10.2499
    assert not deadline.skip()
    now[0] = 10.25
    assert deadline.skip() and deadline.cut
    assert Deadline(None).skip() is False
    deadline.extend(0.5, "opening the index")  # time that is not the search's own
    assert not deadline.passed() and deadline.cut  # what was skipped stays skipped
    now[0] = 10.75
    assert deadline.passed()


# Prefix expansion --------------------------------------------------------------------------


def test_a_prefix_stands_for_its_most_frequent_words(sample_index, clean_environ):
    ix_searcher = ArchiveSearcher(sample_index)
    try:
        s = ix_searcher._run(lambda s: s)
        for field in (TEXT_EXACT_FIELD, TITLE_EXACT_FIELD):
            every = whoosh_prefix_words(s, field, "по")
            assert len(every) > 3
            expansion = ranking.IndexArrays(s, max_prefix_terms=3).prefixes.expand(field, "по")
            assert expansion.of == len(every) and expansion.limited
            frequencies = dict((word, df) for df, word in every)
            chosen = [frequencies[word] for word in expansion.words]
            assert len(chosen) == 3 and chosen == sorted(chosen, reverse=True)
            assert min(chosen) >= max(df for df, w in every if w not in expansion.words)
            whole = ranking.IndexArrays(s, max_prefix_terms=None).prefixes.expand(field, "по")
            assert sorted(whole.words) == sorted(frequencies) and not whole.limited
    finally:
        ix_searcher.close()


def test_a_limited_prefix_matches_and_scores_as_its_chosen_words(sample_index, clean_environ):
    ix_searcher = ArchiveSearcher(sample_index)
    try:
        s = ix_searcher._run(lambda s: s)
        arrays = ranking.IndexArrays(s, max_prefix_terms=4)
        prefix = wq.Prefix(TEXT_EXACT_FIELD, "по")
        words = arrays.prefixes.expand(TEXT_EXACT_FIELD, "по").words
        found = arrays.evaluate(prefix)
        expected = arrays.evaluate(wq.Or([wq.Term(TEXT_EXACT_FIELD, w) for w in words]))
        assert np.array_equal(found.docs, expected.docs) and found.docs.any()
        assert np.allclose(found.scores, expected.scores)
        everything = ranking.IndexArrays(s, max_prefix_terms=None).evaluate(prefix)
        assert found.docs.sum() < everything.docs.sum()
        assert not (found.docs & ~everything.docs).any()
        assert arrays.prefixes.prefix_limits([prefix, None]) == [
            models.PrefixLimit("по", 4, len(whoosh_prefix_words(s, TEXT_EXACT_FIELD, "по")))
        ]
    finally:
        ix_searcher.close()


def test_the_api_and_the_page_say_which_prefix_was_cut(sample_index, clean_environ):
    client = app_client(sample_index, max_prefix_terms=2)
    body = client.get("/api/search", query_string={"q": "по* OR сайлау"}).get_json()
    (limit,) = body["prefix_limited"]
    assert limit["prefix"] == "по" and limit["terms"] == 2 and limit["of"] > 2
    assert body["timed_out"] is False and body["total"] > 0
    check_response(client.get("/api/openapi.json").get_json(), "/api/search", _ok(client))
    lines = {
        "kk": "ең жиі кездесетін 2 сөзі ғана ізделді",
        "ru": "Искали только самые частые из них (2)",
        "en": "only the 2 most frequent were searched",
    }
    for lang, line in lines.items():
        client.set_cookie("ui_lang", lang)
        page = client.get("/search", query_string={"q": "<i>по* OR сайлау"})
        html = page.get_data(as_text=True)
        assert page.status_code == 200
        (shown,) = re.findall(r'<p class="notice prefix-limited"[^>]*>(.*?)</p>', html, re.S)
        assert line in shown and ("«по»" in shown or "“по”" in shown)
        assert str(limit["of"]) in shown.replace("\u202f", "").replace("\xa0", "")
        assert "<i>" not in html
    # A prefix with fewer words than the limit is not mentioned.
    body = app_client(sample_index).get("/api/search", query_string={"q": "сайла*"}).get_json()
    assert body["prefix_limited"] == [] and body["total"] > 0


def test_several_cut_prefixes_are_one_line_on_the_page(sample_index, clean_environ):
    client = app_client(sample_index, max_prefix_terms=2)
    query = "<i>по* OR са* OR на*"
    limits = client.get("/api/search", query_string={"q": query}).get_json()["prefix_limited"]
    assert len(limits) >= 2
    for lang, words in (("kk", "сөзі ғана ізделді"), ("ru", "на каждое"), ("en", "of each")):
        client.set_cookie("ui_lang", lang)
        html = client.get("/search", query_string={"q": query}).get_data(as_text=True)
        (shown,) = re.findall(r'<p class="notice prefix-limited"[^>]*>(.*?)</p>', html, re.S)
        assert words in shown
        plain = shown.replace("\u202f", "").replace("\xa0", "")
        for limit in limits:
            assert limit["prefix"] in shown and f"({limit['of']})" in plain
        assert "<i>" not in html


def test_the_export_has_the_pages_hits_of_a_limited_prefix(sample_index, clean_environ):
    client = app_client(sample_index, max_prefix_terms=2)
    query = {"q": "по*", "dupes": "show"}
    body = client.get("/api/search", query_string=query).get_json()
    rows = client.get("/export.csv", query_string=query).get_data(as_text=True).splitlines()
    whole = app_client(sample_index).get("/api/search", query_string=query).get_json()
    assert len(rows) - 1 == body["total"] < whole["total"]


def test_the_command_line_notes_a_cut_prefix(sample_index, runner, monkeypatch):
    from search_service.cli import main

    monkeypatch.setenv("SEARCH_SERVICE_MAX_PREFIX_TERMS", "2")
    result = runner.invoke(main, ["search", "--index", str(sample_index), "по*"])
    assert result.exit_code == 0, result.output
    assert re.search(
        r"note: The archive has \d+ words starting with “по”: only the 2 most", result.stderr
    )
    result = runner.invoke(main, ["search", "--index", str(sample_index), "--json", "по*"])
    assert json.loads(result.stdout)["prefix_limited"][0]["terms"] == 2


def _ok(client):
    response = client.get("/api/search", query_string={"q": "по*"})
    assert response.status_code == 200
    return response


# The time budget --------------------------------------------------------------------------


def test_a_tiny_budget_cuts_the_search_but_answers_with_real_hits(sample_index, clean_environ):
    full = app_client(sample_index).get("/api/search", query_string={"q": "по*"}).get_json()
    assert full["timed_out"] is False
    client = app_client(sample_index, time_budget_ms=1)
    client.get("/api/search", query_string={"q": "сайлау"})  # open the index
    # Expanding a prefix the first time (reading the term table) takes longer than 1 ms.
    response = client.get("/api/search", query_string={"q": "по*"})
    assert response.status_code == 200
    body = response.get_json()
    assert body["timed_out"] is True
    assert 0 < body["total"] <= full["total"]
    full_ids = set()
    for page in range(1, full["pages"] + 1):
        more = app_client(sample_index).get(
            "/api/search", query_string={"q": "по*", "page": page, "dupes": "show"}
        )
        full_ids |= {hit["id"] for hit in more.get_json()["hits"]}
    assert body["hits"] and {hit["id"] for hit in body["hits"]} <= full_ids
    for hit in body["hits"]:  # the opening of the body, escaped, without highlighting
        assert all("<mark>" not in fragment for fragment in hit["fragments"])
    check_response(client.get("/api/openapi.json").get_json(), "/api/search", response)
    lines = {
        "kk": "Іздеуге бөлінген уақыт бітті",
        "ru": "Поиск не уложился в отведённое время",
        "en": "The search ran out of time",
    }
    for lang, line in lines.items():
        page_client = app_client(sample_index, time_budget_ms=1)
        page_client.get("/api/search", query_string={"q": "сайлау"})
        page_client.set_cookie("ui_lang", lang)
        page = page_client.get("/search", query_string={"q": "<b>ко* OR на*"})
        html = page.get_data(as_text=True)
        assert page.status_code == 200
        assert re.search(r'<p class="notice timed-out"[^>]*>' + line, html)
        assert '<li class="hit">' in html and "<b>" not in html


def test_past_the_deadline_a_prefix_keeps_its_most_frequent_word(sample_index, clean_environ):
    ix_searcher = ArchiveSearcher(sample_index)
    try:
        s = ix_searcher._run(lambda s: s)
        arrays = ranking.IndexArrays(s)
        words = arrays.prefixes.expand(TEXT_EXACT_FIELD, "по").words
        spent = Deadline(0)
        cut = arrays.evaluate(wq.Prefix(TEXT_EXACT_FIELD, "по"), deadline=spent)
        first = arrays.evaluate(wq.Term(TEXT_EXACT_FIELD, words[0]))
        assert spent.cut and np.array_equal(cut.docs, first.docs)
        assert np.allclose(cut.scores, first.scores)
        whole = Deadline(60_000)
        found = arrays.evaluate(wq.Prefix(TEXT_EXACT_FIELD, "по"), deadline=whole)
        assert found.docs.sum() > first.docs.sum() and not whole.cut
        # The words of an OR are never left out: each is a word the user asked for.
        query = wq.Or([wq.Term(TEXT_EXACT_FIELD, word) for word in words])
        spent = Deadline(0)
        assert np.array_equal(arrays.evaluate(query, deadline=spent).docs, found.docs)
        assert not spent.cut
    finally:
        ix_searcher.close()


def test_a_cut_search_keeps_every_field_and_every_exclusion(sample_index, clean_environ):
    """Past the deadline a word still matches in the body as well as the headline, and an
    exclusion still removes every article it names (an excluded prefix: those of its words
    the cap lets a search use, as in a search that is not cut)."""
    full = app_client(sample_index, max_prefix_terms=2)
    cut = app_client(sample_index, time_budget_ms=1, max_prefix_terms=2)
    cut.get("/api/search", query_string={"q": "сайлау"})  # open the index

    def found(client, q):
        ids, page = set(), 1
        while True:
            body = client.get(
                "/api/search", query_string={"q": q, "page": page, "dupes": "show"}
            ).get_json()
            ids |= {hit["id"] for hit in body["hits"]}
            if page >= body["pages"]:
                return ids, body
            page += 1

    for q in ("сайлау", "Қазақстан -по*", "президент -по*", "по* -сайлау", "сайла* NOT по*"):
        whole, _ = found(full, q)
        partial, _ = found(cut, q)
        assert partial <= whole, q  # never an excluded article
        if not any(word.endswith("*") and not word.startswith("-") for word in q.split()):
            assert partial == whole, q  # words and exclusions are not cut
    # Headline and body: a word found only in bodies is still found when cut.
    whole, _ = found(full, "сайлау")
    assert found(cut, "сайлау")[0] == whole and len(whole) > 1


def test_past_the_deadline_a_phrase_keeps_the_documents_checked(
    sample_index, clean_environ, monkeypatch
):
    monkeypatch.setattr(ranking, "PHRASE_BATCH", 3)  # one document of a three-word phrase
    ix_searcher = ArchiveSearcher(sample_index)
    try:
        s = ix_searcher._run(lambda s: s)
        phrase = wq.Phrase(TEXT_EXACT_FIELD, ["в", "том", "числе"])
        whole = ranking.IndexArrays(s).evaluate(phrase)
        assert whole.docs.sum() >= 2
        spent = Deadline(0)
        arrays = ranking.IndexArrays(s)
        cut = arrays.evaluate(phrase, deadline=spent)
        assert spent.cut and 1 <= cut.docs.sum() < whole.docs.sum()
        assert not (cut.docs & ~whole.docs).any()
        # A cut phrase is not remembered: asked again in time, it is whole.
        assert arrays.evaluate(phrase).docs.sum() == whole.docs.sum()
    finally:
        ix_searcher.close()


def test_a_search_queued_behind_another_is_not_cut_for_its_wait(sample_index, clean_environ):
    ix_searcher = ArchiveSearcher(sample_index, time_budget_ms=200)
    try:
        whole = ix_searcher.search(SearchRequest(q="по*"))  # also opens the index
        assert not whole.timed_out
        release = threading.Event()
        holding = threading.Event()

        def another_search() -> None:
            with ix_searcher._lock:
                holding.set()
                release.wait(10)

        other = threading.Thread(target=another_search)
        other.start()
        holding.wait(10)
        threading.Timer(0.5, release.set).start()
        queued = ix_searcher.search(SearchRequest(q="по*"))
        other.join()
        assert queued.took_ms >= 450 and not queued.timed_out
        assert queued.total == whole.total
    finally:
        ix_searcher.close()


@pytest.mark.parametrize("q", [*PREFIX_QUERIES, *hostile_queries()])
def test_prefix_and_hostile_queries_answer_within_the_budget(sample_index, clean_environ, q):
    settings = load_settings({})
    client = app_client(sample_index)
    for path in ("/api/search", "/search"):
        started = time.perf_counter()
        response = client.get(path, query_string={"q": q})
        spent_ms = (time.perf_counter() - started) * 1000
        assert response.status_code == 200, response.get_data(as_text=True)[:300]
        assert spent_ms <= settings.time_budget_ms * SLACK, (path, q, spent_ms)
    assert response.get_json() is None  # the page came last
    body = client.get("/api/search", query_string={"q": q}).get_json()
    assert isinstance(body["timed_out"], bool)


# The slow-search log ------------------------------------------------------------------------


def test_a_slow_search_leaves_one_warning_line(sample_index, clean_environ, caplog):
    caplog.set_level(logging.INFO, logger="search_service")
    fast = ArchiveSearcher(sample_index, slow_search_ms=60_000)
    slow = ArchiveSearcher(sample_index, slow_search_ms=60_000, time_budget_ms=1)
    try:
        fast.search(SearchRequest(q="сайлау"))
        slow.search(SearchRequest(q="сайлау"))  # open the index
        slow.slow_search_ms = 0
        assert not [r for r in caplog.records if r.name == searcher_module.log.name]
        page = slow.search(SearchRequest(q="по* 'x'\nforged"))
        (record,) = [r for r in caplog.records if r.name == searcher_module.log.name]
        assert record.levelno == logging.WARNING
        message = record.getMessage()
        assert "slow search" in message and "cut at the time budget" in message
        assert f"{page.took_ms:.0f} ms" in message and repr("по* 'x'\nforged") in message
        assert "\n" not in message  # one line, whatever the query holds
        fresh = ArchiveSearcher(sample_index, slow_search_ms=0)
        fresh.search(SearchRequest(q="сайлау"))
        assert re.search(
            r"slow search: \d+ ms \(of it \d+ ms opening the index\), complete",
            caplog.records[-1].getMessage(),
        )
        fresh.close()
    finally:
        fast.close()
        slow.close()


# Settings ----------------------------------------------------------------------------------


def test_the_limits_are_settings_with_checked_values(clean_environ):
    settings = load_settings({})
    assert settings.max_prefix_terms == searcher_module.DEFAULT_PREFIX_TERMS
    assert settings.time_budget_ms == searcher_module.DEFAULT_TIME_BUDGET_MS
    assert settings.slow_search_ms == searcher_module.DEFAULT_SLOW_SEARCH_MS
    changed = load_settings(
        {
            "SEARCH_SERVICE_MAX_PREFIX_TERMS": "200",
            "SEARCH_SERVICE_TIME_BUDGET_MS": "500",
            "SEARCH_SERVICE_SLOW_SEARCH_MS": "0",
        }
    )
    assert (changed.max_prefix_terms, changed.time_budget_ms, changed.slow_search_ms) == (
        200,
        500,
        0,
    )
    searcher = ArchiveSearcher.for_settings(changed)
    assert (searcher.max_prefix_terms, searcher.time_budget_ms, searcher.slow_search_ms) == (
        200,
        500,
        0,
    )
    for name in ("MAX_PREFIX_TERMS", "TIME_BUDGET_MS"):
        with pytest.raises(ConfigError, match="out of range"):
            load_settings({f"SEARCH_SERVICE_{name}": "0"})
    with pytest.raises(ConfigError, match="whole number"):
        load_settings({"SEARCH_SERVICE_TIME_BUDGET_MS": "2s"})


# At scale (slow) ---------------------------------------------------------------------------

# The scaled corpus: BUDGET_TEST_DOCS articles (CI: 2,000, built in well under a minute; the
# issue's figure is 200,000), copies of the real corpus (../shared/corpus) when it is there, else
# of the bundled sample, each with a new id and date (bench/corpus.py). Fewer articles than the
# corpus holds are taken evenly from all of it (both languages). BUDGET_TEST_INDEX names an
# index already built of such a corpus, to measure a large one without building it again.
SCALE_DOCS = int(os.environ.get("BUDGET_TEST_DOCS", "2000"))
SHARED_CORPUS = Path(__file__).resolve().parents[2] / "shared" / "corpus"


@pytest.fixture(scope="module")
def scaled_index(tmp_path_factory) -> Path:
    given = os.environ.get("BUDGET_TEST_INDEX")
    if given:
        return Path(given)
    from search_service.tools.bench import corpus

    work = tmp_path_factory.mktemp("budget-scale")
    if (SHARED_CORPUS / corpus.CORPUS_TARBALLS[0]).is_file():
        base = corpus.prepare_corpus([SHARED_CORPUS], work)
    else:
        base = corpus.scan([SAMPLE_ARCHIVE])
    step = max(1, base.documents // SCALE_DOCS)
    base = dataclasses.replace(base, files=base.files[::step])
    corpus.write_copies(base, work / "copies", SCALE_DOCS)
    index_dir = work / "index"
    indexer.build([work / "copies"], index_dir, procs=0)
    return index_dir


@pytest.mark.slow
def test_at_scale_every_answer_is_within_the_budget(scaled_index, clean_environ):
    """With the default settings, and with the prefix limit lifted and a 500 ms budget (so
    that only the budget bounds the work): every query answers within the budget plus 20%,
    over the API and as a page, and the small budget is seen to cut."""
    default = load_settings({})
    runs = [
        (default.time_budget_ms, {}),
        (500, {"max_prefix_terms": 1_000_000, "time_budget_ms": 500}),
    ]
    cut = []
    found = {}  # query -> total, with the default settings
    for budget_ms, settings in runs:
        client = app_client(scaled_index, **settings)
        for path in ("/api/search", "/search"):  # open the index, load the templates
            client.get(path, query_string={"q": "сайлау"})
        for q in [*PREFIX_QUERIES, *hostile_queries()]:
            for path in ("/api/search", "/search"):
                started = time.perf_counter()
                response = client.get(path, query_string={"q": q})
                spent_ms = (time.perf_counter() - started) * 1000
                assert response.status_code == 200
                allowed = budget_ms * SLACK + (RENDERING_MS if settings else 0)
                assert spent_ms <= allowed, (q, path, settings, round(spent_ms))
                if path == "/api/search":
                    body = response.get_json()
                    assert body["took_ms"] <= budget_ms * SLACK, (q, settings, body["took_ms"])
                    cut.append((budget_ms, q, body["timed_out"], round(spent_ms)))
                    found.setdefault(q, body["total"])
                    if body["timed_out"] and found[q]:  # the best found so far
                        assert body["hits"] and body["total"] > 0
    print("\n".join(f"budget {b} ms: {q[:40]!r} timed_out={t} {ms} ms" for b, q, t, ms in cut))
    if any(timed_out for budget, _, timed_out, _ in cut if budget == 500):
        return
    # Copies of the small sample archive (no ../shared corpus): no query takes 500 ms, so
    # the budget is seen to cut with 1 ms instead, on a freshly opened index.
    assert not (SHARED_CORPUS / "kk.tar.gz").is_file(), "the real corpus must see a 500 ms cut"
    client = app_client(scaled_index, max_prefix_terms=1_000_000, time_budget_ms=1)
    client.get("/api/search", query_string={"q": "сайлау"})  # open the index
    bodies = [client.get("/api/search", query_string={"q": q}).get_json() for q in PREFIX_QUERIES]
    assert any(body["timed_out"] for body in bodies)
    assert all(body["hits"] for body in bodies if body["timed_out"] and body["total"])


def test_skipping_only_extras_is_not_a_timed_out_answer(sample_index, clean_environ):
    """Past the budget a plain word's hits and total are whole (nothing in them can be cut);
    only the highlighting is left out, and the answer is not flagged as partial."""
    spent = Deadline(0)
    assert spent.skip(extra=True) and spent.trimmed and not spent.cut
    full = app_client(sample_index).get("/api/search", query_string={"q": "сайлау"}).get_json()
    client = app_client(sample_index, time_budget_ms=1)
    client.get("/api/search", query_string={"q": "сайлау"})  # open the index
    body = client.get("/api/search", query_string={"q": "сайлау"}).get_json()
    assert body["timed_out"] is False and body["total"] == full["total"] > 0
    assert [hit["id"] for hit in body["hits"]] == [hit["id"] for hit in full["hits"]]


def test_an_excluded_prefix_says_only_its_most_frequent_words_were_left_out(
    sample_index, clean_environ
):
    client = app_client(sample_index, max_prefix_terms=2)
    body = client.get("/api/search", query_string={"q": "сайлау -по*"}).get_json()
    (limit,) = body["prefix_limited"]
    assert limit["prefix"] == "по" and limit["excluded"] is True and limit["terms"] == 2
    check_response(
        client.get("/api/openapi.json").get_json(),
        "/api/search",
        client.get("/api/search", query_string={"q": "сайлау -по*"}),
    )
    searched = client.get("/api/search", query_string={"q": "по*"}).get_json()
    assert searched["prefix_limited"][0]["excluded"] is False
    lines = {"kk": "алынып тасталды", "ru": "Исключены только статьи", "en": "were left out"}
    for lang, line in lines.items():
        client.set_cookie("ui_lang", lang)
        html = client.get("/search", query_string={"q": "сайлау -по*"}).get_data(as_text=True)
        (shown,) = re.findall(r'<p class="notice prefix-limited"[^>]*>(.*?)</p>', html, re.S)
        assert line in shown


@pytest.fixture(scope="module")
def scaled_searcher(scaled_index):
    searcher = ArchiveSearcher.for_settings(load_settings({}).replace(index_dir=scaled_index))
    searcher.search(SearchRequest(q="сайлау"))  # open the index
    yield searcher
    searcher.close()


@pytest.mark.slow
@HOSTILE_PROFILE
@given(params=search_params)
def test_at_scale_hostile_requests_answer_within_the_budget(scaled_index, scaled_searcher, params):
    """The hostile-query properties (tests/test_hostile.py) on the scaled index: whatever a
    client sends, the searcher answers within the budget plus 20%."""
    settings = load_settings({}).replace(index_dir=scaled_index)
    try:
        request = parse_search_request(params, settings)
    except BadRequest:
        return
    started = time.perf_counter()
    scaled_searcher.search(request)
    spent_ms = (time.perf_counter() - started) * 1000
    assert spent_ms <= settings.time_budget_ms * SLACK, (params, round(spent_ms))
