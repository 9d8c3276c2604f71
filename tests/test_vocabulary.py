"""One vocabulary: the API, the pages and the CLI word a query error the same way."""

from __future__ import annotations

import re
from html import unescape
from pathlib import Path

import pytest

from search_service import i18n, models, params, query, searcher, vocabulary
from search_service.query import MESSAGES, QueryError
from search_service.web import feed, openapi, pages

# A query that fails with each query-error key (the unknown city is a filter value).
FAILING = {
    query.EMPTY: {"q": "*"},
    query.BAD_DATE: {"q": "date:2025-13"},
    query.SHORT_PREFIX: {"q": "а*"},
    query.TOO_MANY_TERMS: {"q": " ".join(f"сөз{n}" for n in range(query.MAX_TERMS + 1))},
    query.UNKNOWN_CITY: {"q": "сайлау", "city": "Nowhere"},
}


def test_every_query_error_key_has_a_failing_request_here():
    assert set(FAILING) == set(MESSAGES)


@pytest.mark.parametrize("lang", i18n.UI_LANGUAGES)
@pytest.mark.parametrize("key", sorted(MESSAGES))
def test_the_page_catalogue_is_the_query_catalogue(key, lang):
    assert i18n.error_message(lang, key) == QueryError(key).message(lang)
    assert i18n.MESSAGES[key][lang] == MESSAGES[key][lang]


@pytest.mark.parametrize("lang", i18n.UI_LANGUAGES)
@pytest.mark.parametrize("key", sorted(MESSAGES))
def test_the_api_and_the_page_say_the_same_for_a_query_error(pages_client, key, lang):
    params = FAILING[key]
    response = pages_client.get(
        "/api/search", query_string=params, headers={"Accept-Language": lang}
    )
    assert response.status_code == 400
    api_message = response.get_json()["error"]["message"]
    assert api_message == MESSAGES[key][lang]
    if key == query.UNKNOWN_CITY:  # the page shows an empty result with a note instead
        assert i18n.error_message(lang, key) == api_message
        return
    page = pages_client.get("/search", query_string=params, headers={"Accept-Language": lang})
    assert page.status_code == 400
    shown = re.search(r"<p>(.*?)</p>", page.get_data(as_text=True).split("</h1>", 1)[1])
    assert shown is not None and unescape(shown.group(1)) == api_message


# Sort orders, facets, parameters, the month pattern, the similar-articles limit ----------

VOCABULARY_USERS = (
    "searcher.py",
    "query.py",
    "engine/ranking.py",
    "cli.py",
    "check.py",
    "params.py",
    "web/api.py",
    "web/pages.py",
    "web/openapi.py",
    "web/feed.py",
    "web/timeline.py",
    "i18n.py",
)
# Literals that must come from search_service.vocabulary instead of being written again.
REPEATED = re.compile(
    r"""["'](?:relevance|newest|oldest)["']"""  # a sort order
    r"""|\(\\d\{4\}\)-\(\\d\{2\}\)|0\[1-9\]\|1\[0-2\]"""  # a month pattern
    r"""|limit=5\b"""  # the similar-articles limit
)


@pytest.mark.parametrize("module", VOCABULARY_USERS)
def test_the_vocabulary_is_written_only_in_its_module(module):
    source = (Path(vocabulary.__file__).parent / module).read_text(encoding="utf-8")
    assert REPEATED.findall(source) == []


def test_the_parameters_are_the_same_everywhere(tiny_settings):
    documented = [p["name"] for p in openapi.search_parameters(tiny_settings)]
    assert sorted(documented) == sorted(vocabulary.SEARCH_PARAMS)
    assert pages.SEARCH_PARAMS == params._NAMES == vocabulary.SEARCH_PARAMS
    feed_params = ("q", "lang", "year", "month", "city", "from", "to", "period", "dupes", "group")
    assert feed_params == feed.FEED_PARAMS
    assert set(searcher.FACETS) == set(vocabulary.FACETS) == set(pages.FACETS)
    assert params.SORTS == pages.SORTS == ("relevance", "newest", "oldest")


@pytest.mark.parametrize(
    ("value", "valid"),
    [("2025-03", True), ("2025-12", True), ("2025-00", False), ("2025-13", False), ("25-3", False)],
)
def test_one_month_pattern(tiny_client, value, valid):
    assert bool(re.fullmatch(vocabulary.MONTH_PATTERN, value)) is valid
    response = tiny_client.get("/api/search", query_string={"q": "тариф", "month": value})
    assert response.status_code == (200 if valid else 400)
    assert (i18n.month_label("en", value) != value) is valid


def test_the_similar_articles_limit_is_shared(pages_client, pages_index):
    from search_service.searcher import ArchiveSearcher

    searcher_ = ArchiveSearcher(pages_index)
    article_id = searcher_.search(models.SearchRequest(q="сайлау")).hits[0].id
    expected = [hit.id for hit in searcher_.more_like_this(article_id)]
    assert len(expected) <= vocabulary.SIMILAR_LIMIT
    body = pages_client.get(f"/api/articles/{article_id}/similar").get_json()
    assert [hit["id"] for hit in body["hits"]] == expected
