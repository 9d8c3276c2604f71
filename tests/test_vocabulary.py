"""One vocabulary: the API, the pages and the CLI word a query error the same way."""

from __future__ import annotations

import re
from html import unescape

import pytest

from search_service import query
from search_service.query import MESSAGES, QueryError
from search_service.web import i18n

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
