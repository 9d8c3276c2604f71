"""The JSON API, the CSV export, the OpenSearch description and the health check (no HTML).

The API is described at ``/api/openapi.json`` (:mod:`search_service.web.openapi`).

Every error answers with the same envelope, ``{"error": {"code": ..., "message": ...}}``,
and the right status: 400 bad parameters or a query that cannot be understood, 404 unknown
article or a page past the end, 501 a feature not there yet, 503 no readable index.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import logging
import re
import unicodedata
from collections.abc import Iterator
from typing import Any
from urllib.parse import quote
from xml.sax.saxutils import escape as xml_escape
from xml.sax.saxutils import quoteattr

from flask import Blueprint, Response, current_app, jsonify, request, stream_with_context, url_for
from werkzeug.exceptions import HTTPException

from search_service import i18n
from search_service.backend import SearchBackend
from search_service.guards import check_page, check_query
from search_service.index_errors import IndexStoreError
from search_service.params import BadRequest, parse_search_request
from search_service.payloads import article_payload, error_payload, hit_payload, search_payload
from search_service.query import QueryError
from search_service.text.analyze import describe
from search_service.text.cities import city_name
from search_service.vocabulary import SIMILAR_LIMIT
from search_service.web import SEARCHER_KEY, SETTINGS_KEY
from search_service.web.openapi import openapi_document
from search_service.web.pages import LANGUAGE_COOKIE

log = logging.getLogger(__name__)

bp = Blueprint("api", __name__)

MESSAGE_LANGUAGES = ("en", "ru", "kk")
JSON_PATHS = ("/api/", "/health", "/export.csv")  # errors here are JSON, never an HTML page
ANALYZE_LANGUAGES = ("query", "auto", "kk", "ru")
MAX_ANALYZE_LENGTH = 2000
CSV_COLUMNS = ("id", "date", "language", "city", "city_label", "headline", "snippet", "url")
CSV_FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")  # Excel would run these as formulas
CSV_NAME_DEFAULT = "archive-search"  # the file's name when the search has no words
CSV_NAME_CHARS = 60  # the query's share of the file name, at most
_UNSAFE_IN_NAME = re.compile(r"[^\w]+")  # keeps letters of any script, digits and "_"


def query_error_message(error: QueryError) -> str:
    """The query error's message in the language the client prefers."""
    return error.message(client_language())


def client_language() -> str:
    """The API's language for messages and labels: the best of Accept-Language, else English."""
    return request.accept_languages.best_match(MESSAGE_LANGUAGES, default="en")


def interface_language() -> str:
    """The pages' interface language (cookie, then Accept-Language), for what a browser
    fetches beside the pages: the CSV export and the OpenSearch description."""
    return i18n.choose_ui_language(request.cookies.get(LANGUAGE_COOKIE), request.accept_languages)


# Errors ----------------------------------------------------------------------------------


def _error(code: str, message: str, status: int) -> Response:
    response = jsonify(error_payload(code, message))
    response.status_code = status
    return response


@bp.errorhandler(BadRequest)
def _bad_request(error: BadRequest) -> Response:
    return _error(error.code, error.message, error.status)


@bp.errorhandler(QueryError)
def _bad_query(error: QueryError) -> Response:
    return _error(error.code, query_error_message(error), 400)


@bp.errorhandler(IndexStoreError)
def _no_index(error: IndexStoreError) -> Response:
    log.error("index unavailable: %s", error)
    return _error("index_unavailable", "the search index is not available", 503)


@bp.errorhandler(HTTPException)
def _http_error(error: HTTPException) -> Response:
    code = (error.name or "error").lower().replace(" ", "_")
    return _error(code, error.description or code, error.code or 500)


@bp.app_errorhandler(404)
@bp.app_errorhandler(405)
def _routing_error(error: HTTPException) -> Response | HTTPException:
    """Unknown routes and wrong methods never reach a view: keep the API's JSON envelope."""
    if request.path.startswith(JSON_PATHS):
        return _http_error(error)
    return error


@bp.errorhandler(Exception)
def _unexpected(error: Exception) -> Response:
    log.exception("unexpected error in %s", request.path)
    return _error("internal", "an unexpected error occurred", 500)


# Routes ----------------------------------------------------------------------------------


def _searcher() -> SearchBackend:
    return current_app.extensions[SEARCHER_KEY]


def _search_request():
    return parse_search_request(request.args, current_app.extensions[SETTINGS_KEY])


def article_url(article_id: str) -> str:
    """The article's page: the pages blueprint's route when it is registered."""
    if "pages.article" in current_app.view_functions:
        return url_for("pages.article", article_id=article_id)
    return f"{request.script_root}/articles/{article_id}"


@bp.get("/api/search")
def search() -> Response:
    """``q, page, per_page, lang, from, to, city, year, month, sort`` -> a results page."""
    page = check_page(_searcher().search(_search_request()))  # QueryError 400, bad_page 404
    max_page = current_app.extensions[SETTINGS_KEY].max_page
    response = jsonify(search_payload(page, article_url, max_page, client_language()))
    response.vary.add("Accept-Language")
    return response


@bp.get("/api/articles/<article_id>")
def article(article_id: str) -> Response:
    """One article; ``?q=`` marks the query's words."""
    view = _searcher().article(article_id, q=request.args.get("q") or None)
    if view is None:
        raise BadRequest("not_found", f"no article with id {article_id!r}", status=404)
    response = jsonify(article_payload(view, article_url, client_language()))
    response.vary.add("Accept-Language")
    return response


@bp.get("/api/articles/<article_id>/similar")
def similar(article_id: str) -> Response:
    """Articles like this one."""
    if _searcher().article(article_id) is None:
        raise BadRequest("not_found", f"no article with id {article_id!r}", status=404)
    hits = _searcher().more_like_this(article_id, limit=SIMILAR_LIMIT)
    lang = client_language()
    response = jsonify({"hits": [hit_payload(hit, article_url, lang) for hit in hits]})
    response.vary.add("Accept-Language")
    return response


@bp.get("/api/analyze")
def analyze() -> Response:
    """How the index sees a text: per word its language, keys, exact form and fold key."""
    text = request.args.get("text", "")
    lang = request.args.get("lang") or "query"  # what a search does with the text
    if not text.strip() or len(text) > MAX_ANALYZE_LENGTH:
        raise BadRequest("bad_text", f"text must hold 1 to {MAX_ANALYZE_LENGTH} characters")
    if lang not in ANALYZE_LANGUAGES:
        raise BadRequest("bad_lang", f"lang must be one of {', '.join(ANALYZE_LANGUAGES)}")
    return jsonify(describe(text, lang))


@bp.get("/export.csv")
def export_csv() -> Response:
    """Every hit of a search (the same parameters as /api/search) as CSV for Excel."""
    search_request = _search_request()
    check_query(search_request.q)  # a query error is a 400 now, not an empty file
    rows = _searcher().export_rows(search_request)
    base = request.host_url.rstrip("/")
    lines = _csv_lines(rows, base, interface_language())
    response = Response(stream_with_context(lines), mimetype="text/csv")
    response.charset = "utf-8"
    name = csv_file_name(search_request.q, dt.date.today())
    response.headers.set("Content-Disposition", "attachment", **_file_name_options(name))
    response.vary.update(("Cookie", "Accept-Language"))
    return response


def csv_file_name(q: str, day: dt.date) -> str:
    """The export's file name: the query's words and the day, safe on every system.

    >>> csv_file_name('сайлау OR "Тоқаев" title:бюджет', dt.date(2026, 3, 7))
    'сайлау-OR-Тоқаев-title-бюджет-2026-03-07.csv'
    >>> csv_file_name("../../etc/passwd", dt.date(2026, 3, 7))
    'etc-passwd-2026-03-07.csv'
    >>> csv_file_name("", dt.date(2026, 3, 7)), csv_file_name("***", dt.date(2026, 3, 7))
    ('archive-search-2026-03-07.csv', 'archive-search-2026-03-07.csv')
    """
    words = _UNSAFE_IN_NAME.sub("-", unicodedata.normalize("NFC", q)).replace("_", "-")
    words = words.strip("-")[:CSV_NAME_CHARS].rstrip("-") or CSV_NAME_DEFAULT
    return f"{words}-{day.isoformat()}.csv"


def _file_name_options(name: str) -> dict[str, str]:
    """Content-Disposition's parameters for ``name`` (RFC 6266): the name itself when it is
    ASCII, else ``filename*`` in UTF-8 and a plain ASCII ``filename`` for old clients."""
    if name.isascii():
        return {"filename": name}
    day = name.removesuffix(".csv")[-10:]
    return {"filename": f"{CSV_NAME_DEFAULT}-{day}.csv", "filename*": "UTF-8''" + quote(name)}


def _csv_lines(rows: Iterator[dict[str, Any]], base: str, lang: str) -> Iterator[str]:
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(CSV_COLUMNS)
    yield "\ufeff" + buffer.getvalue()  # the BOM tells Excel the file is UTF-8
    for row in rows:
        buffer.seek(0)
        buffer.truncate()
        row = {
            **row,
            "city_label": city_name(row["city"], lang),
            "url": base + article_url(row["id"]),
        }
        writer.writerow([_csv_cell(str(row[column])) for column in CSV_COLUMNS])
        yield buffer.getvalue()


def _csv_cell(value: str) -> str:
    """Keep spreadsheet programs from reading a headline as a formula."""
    return "'" + value if value.startswith(CSV_FORMULA_STARTS) else value


@bp.get("/opensearch.xml")
def opensearch() -> Response:
    """Lets browsers add the archive as a search engine, named in the interface language."""
    lang = interface_language()
    template = request.url_root + "search?q={searchTerms}"
    xml = (
        '<?xml version="1.0" encoding="UTF-8"?>\n'
        f'<OpenSearchDescription xmlns="http://a9.com/-/spec/opensearch/1.1/" xml:lang="{lang}">\n'
        f"  <ShortName>{xml_escape(i18n.translate(lang, 'app.title'))}</ShortName>\n"
        f"  <Description>{xml_escape(i18n.translate(lang, 'opensearch.description'))}"
        "</Description>\n"
        f"  <Language>{lang}</Language>\n"
        "  <InputEncoding>UTF-8</InputEncoding>\n"
        f'  <Url type="text/html" method="get" template={quoteattr(template)}/>\n'
        "</OpenSearchDescription>\n"
    )
    response = Response(xml, mimetype="application/opensearchdescription+xml")
    response.vary.update(("Cookie", "Accept-Language"))
    return response


@bp.get("/api/openapi.json")
def openapi() -> Response:
    """This API described as an OpenAPI 3.1 document."""
    settings = current_app.extensions[SETTINGS_KEY]
    return jsonify(openapi_document(settings, request.script_root + "/"))


@bp.get("/health")
def health() -> Response:
    """``status``, ``documents``, ``generation``; 503 when the index cannot be read."""
    info = _searcher().health()
    response = jsonify(info)
    response.status_code = 200 if info["status"] == "ok" else 503
    return response


@bp.route("/api/<path:rest>")
def unknown(rest: str) -> Response:
    return _error("not_found", f"no API endpoint /api/{rest}", 404)
