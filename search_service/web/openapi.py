"""The API's description as an OpenAPI 3.1 document, served at ``/api/openapi.json``.

Plain data built from the settings (the limits a request may reach). Response objects are
closed (``additionalProperties: false``): tests validate real responses against these
schemas, so a field added to a payload without being described here fails them.
"""

from __future__ import annotations

from typing import Any

from search_service.archive import ARTICLE_ID
from search_service.config import Settings
from search_service.params import LANGUAGES
from search_service.periods import PERIODS
from search_service.stories import DUPES_MODES
from search_service.vocabulary import (
    DEFAULT_SORT,
    FACET_MONTH,
    FACETS,
    MONTH_PATTERN,
    PAGING_PARAMS,
    SORTS,
    YEAR_PATTERN,
)

OPENAPI_VERSION = "3.1.0"
REF = "#/components/schemas/"

_DATE = {"type": "string", "format": "date", "pattern": r"^\d{4}-\d{2}-\d{2}$"}
_LANGUAGE = {"type": "string", "enum": list(LANGUAGES)}
_LABEL_LANGUAGE = (
    "Labels (`label`, `city_label`) and error messages are in the best of the client's "
    "`Accept-Language` among `en`, `ru` and `kk`; English when none of them is accepted."
)


def _ref(name: str) -> dict[str, str]:
    return {"$ref": REF + name}


def _closed(properties: dict[str, Any], description: str = "") -> dict[str, Any]:
    """An object with exactly these properties, all required."""
    schema: dict[str, Any] = {
        "type": "object",
        "properties": properties,
        "required": list(properties),
        "additionalProperties": False,
    }
    if description:
        schema["description"] = description
    return schema


def _json(schema: dict[str, Any], description: str) -> dict[str, Any]:
    return {"description": description, "content": {"application/json": {"schema": schema}}}


def _error(description: str) -> dict[str, Any]:
    return {"$ref": "#/components/responses/" + description}


def _query(name: str, schema: dict[str, Any], description: str) -> dict[str, Any]:
    return {
        "name": name,
        "in": "query",
        "required": False,
        "schema": schema,
        "description": description,
    }


def _article_id() -> dict[str, Any]:
    return {
        "name": "article_id",
        "in": "path",
        "required": True,
        "schema": {"type": "string", "pattern": f"^{ARTICLE_ID.pattern}$"},
        "description": "The article's id, from its path in the archive: `kk.2025.03.school`.",
    }


def search_parameters(settings: Settings) -> list[dict[str, Any]]:
    """The parameters of ``/api/search`` and ``/export.csv``."""
    return [
        _query(
            "q",
            {"type": "string", "maxLength": settings.max_query_length},
            "The query, in the query language of the search page (see the README). Empty with "
            "filters: every article they allow, newest first.",
        ),
        _query(
            "page",
            {"type": "integer", "minimum": 1, "maximum": settings.max_page, "default": 1},
            "The page of results, from 1.",
        ),
        _query(
            "per_page",
            {
                "type": "integer",
                "minimum": 1,
                "maximum": settings.max_page_size,
                "default": settings.page_size,
            },
            "Hits per page.",
        ),
        _query("lang", _LANGUAGE, "Only articles in this language."),
        _query("from", _DATE, "Only articles from this day on."),
        _query("to", _DATE, "Only articles up to this day (not before `from`)."),
        _query(
            "city",
            {"type": "string", "maxLength": 100},
            "Only articles with this dateline city: a facet's `value` (other spellings of a "
            "Kazakhstan city are accepted: `Уральск` is `Орал`).",
        ),
        _query(
            "year",
            {"type": "string", "pattern": f"^{YEAR_PATTERN}$"},
            "Only articles of this year.",
        ),
        _query(
            "month",
            {"type": "string", "pattern": f"^{MONTH_PATTERN}$"},
            "Only articles of this month; the `month` facet is counted within its year.",
        ),
        _query(
            "sort",
            {"type": "string", "enum": list(SORTS), "default": DEFAULT_SORT},
            "The order of the hits.",
        ),
        _query(
            "period",
            {"type": "string", "enum": list(PERIODS)},
            "A date preset counted back from the newest article in the index: the last 7 or "
            "30 days, the last 12 months, or the newest article's year.",
        ),
        _query(
            "dupes",
            {"type": "string", "enum": list(DUPES_MODES), "default": "fold"},
            "`fold`: one article per group of near-duplicate stories; `show`: every article.",
        ),
        _query(
            "group",
            {"type": "string", "pattern": f"^{ARTICLE_ID.pattern}$"},
            "Only the articles of this near-duplicate group (a hit's `group`).",
        ),
    ]


def _schemas() -> dict[str, Any]:
    nullable_string = {"type": ["string", "null"]}
    return {
        "Error": _closed(
            {
                "error": _closed(
                    {
                        "code": {
                            "type": "string",
                            "description": "Stable: `bad_page`, `bad_per_page`, `too_long`, "
                            "`bad_date`, `bad_sort`, `bad_lang`, `bad_year`, `bad_month`, "
                            "`bad_city`, `bad_text`, `not_found`, `index_unavailable`, "
                            "`unauthorized`, the query's own (`query.bad_date`, ...).",
                        },
                        "message": {"type": "string", "description": "For people."},
                    }
                )
            },
            "Every error, and only an error, has a top-level `error`.",
        ),
        "FacetValue": _closed(
            {
                "value": {"type": "string", "description": "The filter's value: pass it back."},
                "label": {
                    "type": "string",
                    "description": "The value as people read it, in the client's language: a "
                    "city's name (`Токіо` is `Tokyo`, `Токио`), a language's, a month's.",
                },
                "count": {"type": "integer", "minimum": 0},
                "selected": {"type": "boolean"},
            }
        ),
        "Hit": _closed(
            {
                "id": {"type": "string"},
                "date": _DATE,
                "headline": {"type": "string", "description": "Plain text: escape it."},
                "headline_html": {
                    "type": "string",
                    "description": "The headline, escaped, with the query's words in `<mark>`.",
                },
                "language": {"type": "string", "enum": [*LANGUAGES, ""]},
                "city": {
                    "type": "string",
                    "description": "The dateline city as filed (the `city` filter's value); "
                    "empty when the article has no dateline.",
                },
                "city_label": {
                    "type": "string",
                    "description": "The city's name in the client's language.",
                },
                "fragments": {
                    "type": "array",
                    "items": {"type": "string"},
                    "description": "Up to three passages of the body, escaped, words in `<mark>`.",
                },
                "url": {"type": "string", "description": "The article's page."},
                "similar": {
                    "type": "integer",
                    "minimum": 0,
                    "description": "Other versions of this story among the results, folded "
                    "away (0 with `dupes=show`).",
                },
                "group": {
                    **nullable_string,
                    "description": "The article's near-duplicate group (for `group=`), or null.",
                },
            }
        ),
        "SearchPage": _closed(
            {
                "total": {"type": "integer", "minimum": 0},
                "took_ms": {"type": "number", "minimum": 0},
                "page": {"type": "integer", "minimum": 1},
                "per_page": {"type": "integer", "minimum": 1},
                "pages": {
                    "type": "integer",
                    "minimum": 0,
                    "description": "Pages that can be asked for (at most `max_page`).",
                },
                "hits": {"type": "array", "items": _ref("Hit")},
                "facets": {
                    "type": "object",
                    "properties": {
                        name: {"type": "array", "items": _ref("FacetValue")} for name in FACETS
                    },
                    "required": [name for name in FACETS if name != FACET_MONTH],
                    "additionalProperties": False,
                    "description": "Counts by value; `month` only with a `year` or `month` "
                    "filter. Each facet is counted without its own filter.",
                },
                "suggestion": {
                    **nullable_string,
                    "description": "A corrected query that finds more, or null.",
                },
                "stories": {
                    "type": "integer",
                    "minimum": 0,
                    "description": "The hits counting each group of near-duplicates once "
                    "(equal to `total` with `dupes=show`); pages count stories.",
                },
                "missing_words": {
                    "type": "array",
                    "items": {"type": "string"},
                    "description": "When no article has every part of the query: the parts "
                    "the best hits lack (the hits are those with the most parts).",
                },
                "notices": {
                    "type": "array",
                    "items": _ref("Notice"),
                    "description": "What the query parser repaired or reinterpreted; empty "
                    "when the query was read as typed.",
                },
                "prefix_limited": {
                    "type": "array",
                    "items": _ref("PrefixLimit"),
                    "description": "The prefixes (`по*`) searched as only their most frequent "
                    "words, at most the server's `max_prefix_terms` per field; empty when "
                    "every prefix was searched in full.",
                },
                "timed_out": {
                    "type": "boolean",
                    "description": "True when the search ran past the server's time budget "
                    "(`time_budget_ms`) before it had matched everything, and answered with "
                    "what it had found: the hits are real matches, the best found until then, "
                    "but `total`, `facets` and the hits may lack articles a full search would "
                    "find. False when they are complete; past the budget a complete answer "
                    "may still come without highlighting or a `suggestion`.",
                },
            },
            "A page of results. A success has no `error` key.",
        ),
        "PrefixLimit": _closed(
            {
                "prefix": {"type": "string", "description": "The prefix, as searched."},
                "terms": {
                    "type": "integer",
                    "minimum": 1,
                    "description": "The words it was searched as: the most frequent ones.",
                },
                "of": {
                    "type": "integer",
                    "minimum": 1,
                    "description": "The words of the index that start with it.",
                },
                "excluded": {
                    "type": "boolean",
                    "description": "True for a prefix in an exclusion (`-по*`): only the "
                    "articles of its `terms` words were left out, so articles with its rarer "
                    "words may be among the hits.",
                },
            },
            "A prefix that stands for more words than a search takes.",
        ),
        "Notice": _closed(
            {
                "code": {
                    "type": "string",
                    "enum": [
                        "lone_quote",
                        "reversed_dates",
                        "unknown_field",
                        "bad_lang_value",
                        "unknown_city",
                    ],
                    "description": "Stable; the README's table explains each.",
                },
                "message": {
                    "type": "string",
                    "description": "For people, in the client's language.",
                },
                "typed": {"type": "string", "description": "The part as typed."},
                "searched": {"type": "string", "description": "What was searched instead."},
                "literal": {
                    **nullable_string,
                    "description": "A query that searches what was typed more literally.",
                },
            }
        ),
        "Article": _closed(
            {
                "id": {"type": "string"},
                "date": _DATE,
                "headline": {"type": "string"},
                "headline_html": {"type": "string"},
                "body_html": {
                    "type": "array",
                    "items": {"type": "string"},
                    "description": "One escaped paragraph each, the query's words in `<mark>`.",
                },
                "language": {"type": "string", "enum": [*LANGUAGES, ""]},
                "city": {"type": "string"},
                "city_label": {"type": "string"},
                "agency": {
                    "type": "string",
                    "description": "The agency named in the dateline (`KAZINFORM`), or empty.",
                },
                "path": {
                    "type": "string",
                    "description": "The article's file, relative to its archive root.",
                },
                "url": {"type": "string"},
            }
        ),
        "Similar": _closed({"hits": {"type": "array", "items": _ref("Hit")}}),
        "Analysis": _closed(
            {
                "input": {"type": "string"},
                "lang": {
                    "type": "string",
                    "description": "The language the text was routed to: `kk`, `ru`, `mixed`, "
                    "or empty.",
                },
                "keys": {"type": "array", "items": {"type": "string"}},
                "words": {
                    "type": "array",
                    "items": _closed(
                        {
                            "input": {"type": "string"},
                            "lang": nullable_string,
                            "keys": {"type": "array", "items": {"type": "string"}},
                            "form": {"type": "string", "description": "The exact-form key."},
                            "fold": {"type": "string", "description": "The name-folding key."},
                            "pos": {"type": "integer", "minimum": 0},
                            "stop": {"type": "boolean"},
                        }
                    ),
                },
            }
        ),
        "Health": {
            "type": "object",
            "properties": {
                "status": {"type": "string", "enum": ["ok", "unavailable"]},
                "documents": {"type": "integer", "minimum": 0},
                "generation": nullable_string,
                "error": {"type": "string", "description": "Why the index cannot be read."},
            },
            "required": ["status", "documents", "generation"],
            "additionalProperties": False,
        },
    }


def openapi_document(settings: Settings, server_url: str = "/") -> dict[str, Any]:
    """The whole OpenAPI document for ``settings``."""
    errors = {
        "400": _error("BadRequest"),
        "503": _error("Unavailable"),
    }
    search_ops = search_parameters(settings)
    document: dict[str, Any] = {
        "openapi": OPENAPI_VERSION,
        "info": {
            "title": "Archive search API",
            "version": "1",
            "description": "Full-text search of the Kazakh and Russian news archive. "
            + _LABEL_LANGUAGE
            + ' Every error answers with `{"error": {"code", "message"}}` and its status; '
            "a success never has an `error` key.",
        },
        "servers": [{"url": server_url}],
        "paths": {
            "/api/search": {
                "get": {
                    "operationId": "search",
                    "summary": "A page of results with facets",
                    "parameters": search_ops,
                    "responses": {
                        "200": _json(_ref("SearchPage"), "A page of results."),
                        **errors,
                        "404": _error("NotFound"),
                    },
                }
            },
            "/api/articles/{article_id}": {
                "get": {
                    "operationId": "article",
                    "summary": "One article",
                    "parameters": [
                        _article_id(),
                        _query("q", {"type": "string"}, "A query whose words are marked."),
                    ],
                    "responses": {
                        "200": _json(_ref("Article"), "The article."),
                        "404": _error("NotFound"),
                        "503": _error("Unavailable"),
                    },
                }
            },
            "/api/articles/{article_id}/similar": {
                "get": {
                    "operationId": "similar",
                    "summary": "Articles like this one (more like this)",
                    "parameters": [_article_id()],
                    "responses": {
                        "200": _json(_ref("Similar"), "Up to five similar articles."),
                        "404": _error("NotFound"),
                        "503": _error("Unavailable"),
                    },
                }
            },
            "/api/analyze": {
                "get": {
                    "operationId": "analyze",
                    "summary": "The index keys of a text's words",
                    "parameters": [
                        {
                            **_query(
                                "text",
                                {"type": "string", "minLength": 1, "maxLength": 2000},
                                "The text: a word, a query or a line of an article.",
                            ),
                            "required": True,
                        },
                        _query(
                            "lang",
                            {
                                "type": "string",
                                "enum": ["query", "auto", "kk", "ru"],
                                "default": "query",
                            },
                            "`query`: the keys a search looks for; `auto`: a document's words "
                            "(language detected); `kk`, `ru`: forced.",
                        ),
                    ],
                    "responses": {
                        "200": _json(_ref("Analysis"), "The analysis."),
                        "400": _error("BadRequest"),
                    },
                }
            },
            "/export.csv": {
                "get": {
                    "operationId": "export",
                    "summary": "Every hit of a search as CSV",
                    "description": "UTF-8 with a BOM, for Excel. Columns: `id, date, language, "
                    "city, city_label, headline, snippet, url`; the snippet is plain text. "
                    "`city_label` is in the interface language (the `ui_lang` cookie, then "
                    "`Accept-Language`). The file is named after the query and the day "
                    "(`Content-Disposition` with `filename*` for non-ASCII names).",
                    "parameters": [p for p in search_ops if p["name"] not in PAGING_PARAMS],
                    "responses": {
                        "200": {
                            "description": "The CSV file.",
                            "content": {"text/csv": {"schema": {"type": "string"}}},
                        },
                        **errors,
                    },
                }
            },
            "/opensearch.xml": {
                "get": {
                    "operationId": "opensearch",
                    "summary": "The OpenSearch description, in the interface language",
                    "responses": {
                        "200": {
                            "description": "An OpenSearch 1.1 description.",
                            "content": {
                                "application/opensearchdescription+xml": {
                                    "schema": {"type": "string"}
                                }
                            },
                        }
                    },
                }
            },
            "/health": {
                "get": {
                    "operationId": "health",
                    "summary": "Whether the index can be read (open without a password)",
                    "security": [],
                    "responses": {
                        "200": _json(_ref("Health"), "The index is readable."),
                        "503": _json(_ref("Health"), "The index cannot be read."),
                    },
                }
            },
            "/api/openapi.json": {
                "get": {
                    "operationId": "openapi",
                    "summary": "This document",
                    "responses": {"200": _json({"type": "object"}, "The OpenAPI document.")},
                }
            },
        },
        "components": {
            "schemas": _schemas(),
            "responses": {
                "BadRequest": _json(
                    _ref("Error"), "A bad parameter, or a query that cannot be understood."
                ),
                "NotFound": _json(_ref("Error"), "No such article, or a page past the end."),
                "Unavailable": _json(_ref("Error"), "There is no readable index."),
            },
        },
    }
    if settings.auth == "basic":
        # Every route but /health asks for HTTP basic credentials; a wrong one is a 401.
        document["components"]["securitySchemes"] = {"basic": {"type": "http", "scheme": "basic"}}
        document["security"] = [{"basic": []}]
        document["components"]["responses"]["Unauthorized"] = _json(
            _ref("Error"), "No or wrong credentials."
        )
        for path, operations in document["paths"].items():
            if path != "/health":
                operations["get"]["responses"]["401"] = _error("Unauthorized")
    return document
