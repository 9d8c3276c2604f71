"""/api/openapi.json: a valid OpenAPI 3.1 document that describes every API route, parameter
and field, checked against real responses of the app over a real index."""

from __future__ import annotations

import re

import pytest
from jsonschema import Draft202012Validator
from openapi_spec_validator import validate

from search_service import params
from search_service.config import load_settings
from search_service.web import create_app

from .conftest import FILLER_WORD

ARTICLE = "kk.2025.03.const-kk"
# (path template, real URL, status): every documented answer of every route.
EXCHANGES = [
    ("/api/search", f"/api/search?q={FILLER_WORD}&per_page=5", 200),
    ("/api/search", f"/api/search?q={FILLER_WORD}&year=2022&month=2022-03", 200),
    ("/api/search", "/api/search?q=бюджет&sort=newest", 200),
    ("/api/search", "/api/search?q=тариф+nosuchword", 200),  # missing_words
    ("/api/search", "/api/search?q=хроникх", 200),  # a suggestion
    ("/api/search", "/api/search?lang=kk&city=Астана", 200),
    ("/api/search", "/api/search?q=date:2025-99", 400),
    ("/api/search", "/api/search?per_page=0", 400),
    ("/api/search", f"/api/search?q={FILLER_WORD}&page=99", 404),
    ("/api/articles/{article_id}", f"/api/articles/{ARTICLE}?q=сайлау", 200),
    ("/api/articles/{article_id}", "/api/articles/no-such-article", 404),
    ("/api/articles/{article_id}/similar", f"/api/articles/{ARTICLE}/similar", 200),
    ("/api/articles/{article_id}/similar", "/api/articles/no-such-article/similar", 404),
    ("/api/analyze", "/api/analyze?text=Қазақстанға+выборы+и", 200),
    ("/api/analyze", "/api/analyze?text=Qazaqstan&lang=auto", 200),
    ("/api/analyze", "/api/analyze?text=", 400),
    ("/export.csv", f"/export.csv?q={FILLER_WORD}", 200),
    ("/export.csv", "/export.csv?q=date:2025-99", 400),
    ("/opensearch.xml", "/opensearch.xml", 200),
    ("/health", "/health", 200),
    ("/api/openapi.json", "/api/openapi.json", 200),
]


@pytest.fixture
def document(tiny_client) -> dict:
    response = tiny_client.get("/api/openapi.json")
    assert response.status_code == 200 and response.is_json
    return response.get_json()


def response_spec(document: dict, path: str, status: int) -> dict:
    spec = document["paths"][path]["get"]["responses"][str(status)]
    if "$ref" in spec:
        spec = document["components"]["responses"][spec["$ref"].rsplit("/", 1)[1]]
    return spec


def check_response(document: dict, path: str, response) -> None:
    """The response's status and media type are documented, and its JSON fits the schema."""
    spec = response_spec(document, path, response.status_code)
    content = spec["content"]
    assert response.mimetype in content, (path, response.mimetype, list(content))
    if response.mimetype != "application/json":
        return
    # The schema's "#/components/..." references resolve against the document's components.
    schema = {"$id": "urn:archive-search-api", "components": document["components"]}
    schema["allOf"] = [content["application/json"]["schema"]]
    errors = sorted(Draft202012Validator(schema).iter_errors(response.get_json()), key=str)
    assert not errors, (path, response.status_code, [error.message for error in errors[:5]])


def test_the_document_is_valid_openapi(document):
    validate(document)  # raises with the reason when it is not
    assert document["openapi"].startswith("3.1")


def test_every_api_route_is_documented(tiny_client, document):
    routes = set()
    for rule in tiny_client.application.url_map.iter_rules():
        if rule.endpoint.startswith("api.") and rule.endpoint != "api.unknown":
            routes.add(re.sub(r"<(?:\w+:)?(\w+)>", r"{\1}", rule.rule))
    assert routes == set(document["paths"])
    documented = {p["name"] for p in document["paths"]["/api/search"]["get"]["parameters"]}
    assert documented == set(params._NAMES)


@pytest.mark.parametrize(("path", "url", "status"), EXCHANGES)
def test_real_responses_fit_the_document(tiny_client, document, path, url, status):
    for language in ("en", "ru", "kk"):
        response = tiny_client.get(url, headers={"Accept-Language": language})
        assert response.status_code == status, (url, response.get_data(as_text=True)[:300])
        check_response(document, path, response)
        response.close()


def test_the_checks_catch_an_undocumented_field(tiny_client, document):
    """What the issue found: "error": null in a success would now fail the schema."""
    response = tiny_client.get(f"/api/search?q={FILLER_WORD}")
    body = response.get_json()
    assert "error" not in body
    schema = {"$id": "urn:archive-search-api", "components": document["components"]}
    schema["allOf"] = [{"$ref": "#/components/schemas/SearchPage"}]
    assert Draft202012Validator(schema).is_valid(body)
    assert not Draft202012Validator(schema).is_valid({**body, "error": None})
    article = tiny_client.get(f"/api/articles/{ARTICLE}").get_json()
    described = document["components"]["schemas"]["Article"]["properties"]
    assert described["path"]["description"] and described["agency"]["description"]
    assert set(article) == set(described)


def test_answers_without_an_index_fit_the_document(tmp_path, clean_environ, document):
    app = create_app(load_settings({}).replace(index_dir=tmp_path / "no-index"))
    client = app.test_client()
    for path, url in (("/api/search", "/api/search?q=x"), ("/health", "/health")):
        response = client.get(url)
        assert response.status_code == 503
        check_response(document, path, response)


def test_with_basic_auth_the_document_says_so(tmp_path, clean_environ, tiny_index):
    settings = load_settings({}).replace(
        index_dir=tiny_index, auth="basic", auth_users={"anna": "pbkdf2:sha256:1$x$y"}
    )
    client = create_app(settings).test_client()
    response = client.get("/api/openapi.json")
    assert response.status_code == 401  # the document is behind the password like the API
    document = (
        create_app(settings)
        .test_client()
        .get("/api/openapi.json", headers={"Authorization": "Basic bm86bm8="})
    )
    assert document.status_code == 401
    from search_service.web.openapi import openapi_document

    described = openapi_document(settings)
    validate(described)
    assert described["security"] == [{"basic": []}]
    assert "security" in described["paths"]["/health"]["get"]  # open for monitoring
    check_response(described, "/api/search", client.get("/api/search?q=x"))
