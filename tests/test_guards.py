"""The search guards are decided in search_service.guards; the callers only map them."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from search_service import guards
from search_service.cli import EXIT_USAGE, main
from search_service.guards import BadRequest, check_page, page_number
from search_service.models import SearchPage, SearchRequest
from search_service.query import BAD_DATE, UNKNOWN_CITY, QueryError


def _page(**fields) -> SearchPage:
    request = SearchRequest(q="сайлау", page=fields.pop("asked", 1))
    return SearchPage(request, **fields)


def test_a_page_that_can_be_shown_passes():
    page = _page(total=12, pages=2, asked=2)
    assert check_page(page) is page
    assert check_page(_page(total=0, pages=0, asked=3)).total == 0  # nothing found: no 404


def test_a_page_past_the_end_is_not_found():
    with pytest.raises(BadRequest) as refused:
        check_page(_page(total=12, pages=2, asked=3))
    assert (refused.value.code, refused.value.status) == ("bad_page", 404)
    assert refused.value.message == "there are only 2 pages"


def test_a_page_past_the_end_of_a_cut_search_is_shown_not_refused():
    """A search cut by its time budget counts fewer pages than a full one offered: the page
    asked for is shown (empty, with the timed-out line), not a 404."""
    page = _page(total=12, pages=2, asked=5, timed_out=True)
    assert check_page(page) is page


def test_a_query_error_and_an_unknown_city_are_query_errors():
    with pytest.raises(QueryError) as refused:
        check_page(_page(error=BAD_DATE))
    assert (refused.value.key, refused.value.code) == (BAD_DATE, "query.bad_date")
    with pytest.raises(QueryError) as refused:
        check_page(_page(unknown_city="Nowhere"))
    assert (refused.value.key, refused.value.code) == (UNKNOWN_CITY, "bad_city")
    page = _page(unknown_city="Nowhere")
    assert check_page(page, unknown_city_fails=False) is page  # the pages show a notice


@pytest.mark.parametrize(("text", "number"), [("", 1), ("1", 1), ("7", 7), ("1000", 1000)])
def test_a_page_number_from_1_to_the_limit(text, number):
    assert page_number(text, 1000) == number


@pytest.mark.parametrize("text", ["0", "1001", "-1", "abc", "٣", "1.5", "9" * 12])
def test_a_bad_page_number_is_a_bad_request(text):
    with pytest.raises(BadRequest) as refused:
        page_number(text, 1000)
    assert (refused.value.code, refused.value.status) == ("bad_page", 400)


# Each caller maps the same guard to its own answer ---------------------------------------


def test_a_page_past_the_end_in_the_api_and_on_the_page(tiny_client):
    assert tiny_client.get("/api/search?q=тариф&page=2").status_code == 404
    assert tiny_client.get("/api/search?q=тариф&page=2").get_json()["error"]["code"] == "bad_page"
    assert tiny_client.get("/search?q=тариф&page=2").status_code == 404
    assert tiny_client.get("/search?q=тариф&page=0").status_code == 400
    assert tiny_client.get("/api/search?q=тариф&page=0").status_code == 400


def test_a_query_error_everywhere(tiny_client, tiny_index, runner):
    q = {"q": "date:2025-13"}
    for url in ("/api/search", "/export.csv", "/feed.atom"):
        response = tiny_client.get(url, query_string=q)
        assert response.status_code == 400, url
        assert response.get_json()["error"]["code"] == "query.bad_date", url
    assert tiny_client.get("/search", query_string=q).status_code == 400
    result = runner.invoke(main, ["search", "--index", str(tiny_index), "date:2025-13"])
    assert result.exit_code == EXIT_USAGE
    assert QueryError(BAD_DATE).message() in result.output


def test_the_views_and_the_cli_do_not_decide_the_guards_themselves():
    package = Path(guards.__file__).parent
    decided = re.compile(r"\.error\b(?!\()|\.unknown_city|>\s*\w+\.pages\b")
    for module in ("web/api.py", "web/pages.py", "web/feed.py", "cli.py"):
        source = (package / module).read_text(encoding="utf-8")
        assert decided.findall(source) == [], module
