"""The JSON API, the CSV export, OpenSearch and health: shapes, statuses, one error envelope."""

import csv
import io

import pytest

from search_service.config import load_settings
from search_service.web import create_app

from .conftest import FILLER_COUNT, FILLER_WORD

HIT_KEYS = {
    "id",
    "date",
    "headline",
    "headline_html",
    "language",
    "city",
    "city_label",
    "fragments",
    "url",
    "similar",
    "group",
}
PAGE_KEYS = {
    "total",
    "took_ms",
    "page",
    "per_page",
    "pages",
    "hits",
    "facets",
    "suggestion",
    "missing_words",
    "stories",
    "notices",
    "prefix_limited",
    "timed_out",
}


def assert_error(response, status: int, code: str | None = None) -> None:
    """Every error has the same envelope: {"error": {"code": ..., "message": ...}}."""
    assert response.status_code == status, response.get_data(as_text=True)
    assert response.is_json
    body = response.get_json()
    assert set(body) >= {"error"}
    assert set(body["error"]) == {"code", "message"}
    assert body["error"]["message"]
    if code:
        assert body["error"]["code"] == code


def test_search_returns_a_page_of_hits(tiny_client):
    response = tiny_client.get("/api/search", query_string={"q": FILLER_WORD, "per_page": 5})
    assert response.status_code == 200
    body = response.get_json()
    assert set(body) == PAGE_KEYS
    assert body["total"] == FILLER_COUNT
    assert (body["page"], body["per_page"], body["pages"]) == (1, 5, 6)
    assert len(body["hits"]) == 5
    assert set(body["hits"][0]) == HIT_KEYS
    assert body["hits"][0]["url"] == f"/articles/{body['hits'][0]['id']}"
    assert set(body["facets"]) == {"lang", "year", "city"}
    assert body["facets"]["city"] == [
        {"value": "Қостанай", "label": "Kostanay", "count": FILLER_COUNT, "selected": False}
    ]
    assert "error" not in body  # only an error carries "error"


def test_search_filters_and_sort(tiny_client):
    body = tiny_client.get(
        "/api/search",
        query_string={
            "q": FILLER_WORD,
            "year": "2022",
            "month": "2022-03",
            "sort": "oldest",
            "lang": "ru",
            "city": "Костанай",
            "from": "2022-01-01",
            "to": "2022-12-31",
        },
    ).get_json()
    assert body["total"] == 3
    assert all(hit["date"].startswith("2022-03") for hit in body["hits"])
    assert [hit["date"] for hit in body["hits"]] == sorted(hit["date"] for hit in body["hits"])
    assert "month" in body["facets"]


def test_search_escapes_article_text_and_marks_matches(tiny_client):
    body = tiny_client.get("/api/search", query_string={"q": "бюджет"}).get_json()
    (hit,) = body["hits"]
    assert hit["headline"].startswith("<script>")  # plain text field: the client escapes it
    for html in (hit["headline_html"], *hit["fragments"]):
        assert "<script" not in html and "<img" not in html
        assert "<mark>Бюджет</mark>" in html


def test_did_you_mean(tiny_client):
    body = tiny_client.get("/api/search", query_string={"q": "тарив"}).get_json()
    assert (body["total"], body["suggestion"]) == (0, "тариф")


BAD_PARAMETERS = [
    ({"page": "0"}, "bad_page"),
    ({"page": "-1"}, "bad_page"),
    ({"page": "abc"}, "bad_page"),
    ({"page": "1001"}, "bad_page"),
    ({"page": "9" * 5000}, "bad_page"),
    ({"page": "١"}, "bad_page"),  # an Arabic-Indic digit
    ({"per_page": "101"}, "bad_per_page"),
    ({"per_page": "0"}, "bad_per_page"),
    ({"q": "x" * 501}, "too_long"),
    ({"from": "2025-02-30"}, "bad_date"),
    ({"to": "yesterday"}, "bad_date"),
    ({"from": "2025-06-01", "to": "2025-01-01"}, "bad_date"),
    ({"sort": "random"}, "bad_sort"),
    ({"lang": "en"}, "bad_lang"),
    ({"year": "25"}, "bad_year"),
    ({"month": "2025-13"}, "bad_month"),
    ({"month": "March"}, "bad_month"),
    ({"city": "x" * 101}, "bad_city"),
]


@pytest.mark.parametrize(("params", "code"), BAD_PARAMETERS)
def test_bad_parameters_are_400_with_the_error_envelope(tiny_client, params, code):
    assert_error(tiny_client.get("/api/search", query_string=params), 400, code)
    if "page" not in params and "per_page" not in params:
        assert_error(tiny_client.get("/export.csv", query_string=params), 400, code)


def test_empty_parameters_count_as_not_given(tiny_client):
    response = tiny_client.get("/api/search?q=тариф&lang=&from=&to=&page=&sort=")
    assert response.status_code == 200
    assert response.get_json()["total"] == 2


@pytest.mark.parametrize(
    ("q", "code"),
    [("date:2025-13", "query.bad_date"), ("*", "query.empty"), ("а*", "query.short_prefix")],
)
def test_a_query_that_cannot_be_understood_is_a_400_with_a_translated_message(tiny_client, q, code):
    response = tiny_client.get(
        "/api/search", query_string={"q": q}, headers={"Accept-Language": "ru"}
    )
    assert_error(response, 400, code)
    assert any("а" <= ch <= "я" for ch in response.get_json()["error"]["message"])


def test_a_page_past_the_end_is_404(tiny_client):
    assert_error(tiny_client.get("/api/search?q=тариф&page=2"), 404, "bad_page")
    assert tiny_client.get("/api/search?q=несуществующееслово").status_code == 200


def test_article(tiny_client):
    body = tiny_client.get("/api/articles/ru.2023.11.xss?q=бюджет").get_json()
    assert body["id"] == "ru.2023.11.xss"
    assert body["date"] == "2023-11-11"
    assert len(body["body_html"]) == 2
    assert "<mark>Бюджет</mark>" in body["body_html"][0]
    for html in (body["headline_html"], *body["body_html"]):
        assert "<script" not in html and "<img" not in html


@pytest.mark.parametrize("article_id", ["no.such.id", "a%20b", "-bad", "x" * 300])
def test_unknown_or_invalid_articles_are_404(tiny_client, article_id):
    assert_error(tiny_client.get(f"/api/articles/{article_id}"), 404, "not_found")


def test_similar_articles(tiny_client):
    body = tiny_client.get("/api/articles/ru.2024.02.tariff-title/similar").get_json()
    assert body["hits"] and all(hit["id"] != "ru.2024.02.tariff-title" for hit in body["hits"])
    assert_error(tiny_client.get("/api/articles/nope/similar"), 404, "not_found")


def test_unknown_api_paths_use_the_envelope(tiny_client):
    assert_error(tiny_client.get("/api/nothing/here"), 404, "not_found")


def test_analyze(tiny_client):
    response = tiny_client.get("/api/analyze", query_string={"text": "Қазақстанға", "lang": "kk"})
    body = response.get_json()
    assert (body["input"], body["lang"], body["keys"]) == ("Қазақстанға", "kk", ["қазақстан"])
    assert body["words"][0]["input"] == "Қазақстанға"
    assert {"input", "lang", "keys", "form", "fold"} <= set(body["words"][0])


def test_analyze_shows_what_a_search_looks_for_by_default(tiny_client):
    """Without ``lang`` the analysis is the query's: every reading of a Latin word."""
    body = tiny_client.get("/api/analyze", query_string={"text": "Kazinform"}).get_json()
    assert {"казинформ", "kazinform"} <= set(body["keys"])
    as_document = tiny_client.get(
        "/api/analyze", query_string={"text": "Kazinform", "lang": "auto"}
    )
    assert as_document.get_json()["keys"] != body["keys"]


def test_search_names_the_words_no_article_has_with_the_rest(tiny_client):
    body = tiny_client.get(
        "/api/search", query_string={"q": f"{FILLER_WORD} жоқсөзбіләйік"}
    ).get_json()
    assert body["total"] == FILLER_COUNT and body["missing_words"] == ["жоқсөзбіләйік"]
    found = tiny_client.get("/api/search", query_string={"q": FILLER_WORD}).get_json()
    assert found["missing_words"] == []


@pytest.mark.parametrize(
    ("params", "code"),
    [
        ({}, "bad_text"),
        ({"text": " "}, "bad_text"),
        ({"text": "a" * 2001}, "bad_text"),
        ({"text": "сөз", "lang": "en"}, "bad_lang"),
    ],
)
def test_analyze_bad_parameters(tiny_client, params, code):
    assert_error(tiny_client.get("/api/analyze", query_string=params), 400, code)


def read_csv(response) -> list[list[str]]:
    data = response.get_data()
    assert data.startswith("\ufeff".encode())  # the BOM for Excel
    return list(csv.reader(io.StringIO(data.decode("utf-8-sig"))))


def test_export_has_every_hit(tiny_client):
    response = tiny_client.get("/export.csv", query_string={"q": FILLER_WORD, "per_page": 5})
    assert response.status_code == 200
    assert response.mimetype == "text/csv"
    assert "attachment" in response.headers["Content-Disposition"]
    rows = read_csv(response)
    assert rows[0] == [
        "id",
        "date",
        "language",
        "city",
        "city_label",
        "headline",
        "snippet",
        "url",
    ]
    assert len(rows) == 1 + FILLER_COUNT
    assert rows[1][7].startswith("http://localhost/articles/")


def test_export_keeps_text_as_text(tiny_client):
    rows = read_csv(tiny_client.get("/export.csv?q=бюджет"))
    assert rows[1][5].startswith("<script>")  # CSV is not HTML: the text is as written
    assert "<script>" in rows[1][6] and "<mark>" not in rows[1][6]


def test_export_of_a_bad_query_is_a_400(tiny_client):
    assert_error(tiny_client.get("/export.csv?q=date:2025-99"), 400, "query.bad_date")


def test_opensearch_description(tiny_client):
    response = tiny_client.get("/opensearch.xml")
    assert response.status_code == 200
    assert response.mimetype == "application/opensearchdescription+xml"
    text = response.get_data(as_text=True)
    assert 'template="http://localhost/search?q={searchTerms}"' in text


def test_opensearch_escapes_the_host(tiny_client):
    response = tiny_client.get("/opensearch.xml", headers={"Host": 'evil"><x>'})
    text = response.get_data(as_text=True)
    assert '"><x>' not in text


def test_health(tiny_client):
    response = tiny_client.get("/health")
    assert response.status_code == 200
    body = response.get_json()
    assert body["status"] == "ok" and body["documents"] == FILLER_COUNT + 8
    assert body["generation"].startswith("gen-")


@pytest.fixture
def empty_client(tmp_path, clean_environ):
    app = create_app(load_settings({}).replace(index_dir=tmp_path / "no-index"))
    return app.test_client()


def test_no_index_is_503_with_the_envelope(empty_client):
    assert empty_client.get("/health").status_code == 503
    assert empty_client.get("/health").get_json()["status"] == "unavailable"
    assert_error(empty_client.get("/api/search?q=тариф"), 503, "index_unavailable")
    assert_error(empty_client.get("/api/articles/ru.2024.02.tariff-title"), 503)
    assert_error(empty_client.get("/export.csv?q=тариф"), 503, "index_unavailable")
