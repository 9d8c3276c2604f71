"""Follow a search: an Atom feed (RFC 4287) of any search, newest first.

``/feed.atom`` takes the search parameters of ``/api/search`` (not the page, page size or
sort: a feed is always the newest articles). Its ``ETag`` and ``Last-Modified`` come from the
served index generation, which only a build or an update changes, so a feed reader polling
with ``If-None-Match`` or ``If-Modified-Since`` gets a 304 until the nightly update brings
something new. The XML is written with the standard library's ElementTree, which escapes
text and attributes; the highlighted snippet goes in as escaped HTML (``type="html"``).
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import hashlib
import logging
import re
from collections.abc import Mapping
from pathlib import Path
from urllib.parse import urlencode
from xml.etree import ElementTree as ET

from flask import Blueprint, Response, current_app, jsonify, request, url_for

from search_service import i18n
from search_service.backend import SearchBackend
from search_service.guards import check_page
from search_service.index_errors import IndexStoreError
from search_service.models import Hit, SearchPage
from search_service.params import BadRequest, parse_search_request
from search_service.query import QueryError
from search_service.stats import served_meta
from search_service.vocabulary import NEWEST, PAGING_PARAMS, PARAM_SORT, SEARCH_PARAMS
from search_service.web import SEARCHER_KEY, SETTINGS_KEY
from search_service.web.api import interface_language

log = logging.getLogger(__name__)

bp = Blueprint("feed", __name__)

ATOM_NS = "http://www.w3.org/2005/Atom"
ATOM_TYPE = "application/atom+xml"
FEED_SIZE = 50  # entries per feed: the newest articles of the search
# The parameters that define a followed search, in the order they appear in its URL.
FEED_PARAMS = tuple(name for name in SEARCH_PARAMS if name not in (PARAM_SORT, *PAGING_PARAMS))
AUTHOR = "Archive search"
# Characters XML 1.0 cannot carry at all, even escaped (control characters, lone surrogates):
# ElementTree writes them as they are, so they are replaced first.
_NOT_XML = re.compile("[^\t\n\r\u0020-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")

ET.register_namespace("", ATOM_NS)


def feed_params(args: Mapping[str, str]) -> dict[str, str]:
    """The non-empty search parameters a feed keeps, in canonical order."""
    found = {}
    for key in FEED_PARAMS:
        value = (args.get(key) or "").strip()
        if value:
            found[key] = value
    return found


def feed_url(args: Mapping[str, str]) -> str:
    """The feed of the search given by ``args`` (a results page's state or request args)."""
    params = feed_params(args)
    return request.script_root + "/feed.atom" + ("?" + urlencode(params) if params else "")


@bp.app_context_processor
def _feed_helpers() -> dict:
    return {"feed_url": feed_url, "feed_type": ATOM_TYPE}


@bp.after_app_request
def _link_api_search(response: Response) -> Response:
    """``/api/search`` names the feed of the same search in a ``Link`` header."""
    if request.endpoint == "api.search" and response.status_code == 200:
        target = feed_url(request.args)
        response.headers.add("Link", f'<{target}>; rel="alternate"; type="{ATOM_TYPE}"')
    return response


@bp.errorhandler(BadRequest)
def _bad_request(error: BadRequest) -> Response:
    response = jsonify({"error": {"code": error.code, "message": error.message}})
    response.status_code = error.status
    return response


@bp.errorhandler(QueryError)
def _bad_query(error: QueryError) -> Response:
    response = jsonify({"error": {"code": error.code, "message": error.message("en")}})
    response.status_code = 400
    return response


@bp.errorhandler(IndexStoreError)
def _no_index(error: IndexStoreError) -> Response:
    log.error("index unavailable: %s", error)
    response = jsonify(
        {"error": {"code": "index_unavailable", "message": "the search index is not available"}}
    )
    response.status_code = 503
    return response


@bp.get("/feed.atom")
def feed() -> Response:
    """The newest ``FEED_SIZE`` articles of a search as an Atom feed; 304 when unchanged."""
    params = feed_params(request.args)
    settings = current_app.extensions[SETTINGS_KEY]
    search_request = dataclasses.replace(
        parse_search_request(params, settings), sort=NEWEST, page=1, per_page=FEED_SIZE
    )
    searcher: SearchBackend = current_app.extensions[SEARCHER_KEY]
    # The stamp is read before searching: the results are then of this generation or newer.
    generation, updated = _generation_stamp(searcher.index_dir)
    etag = hashlib.sha1(f"{generation}\n{urlencode(params)}".encode()).hexdigest()
    if _not_modified(etag, updated):
        response = Response(status=304)
        _set_validators(response, etag, updated)
        return response
    page = check_page(searcher.search(search_request), unknown_city_fails=False)
    ui_lang = interface_language()
    xml = atom_document(page, params, updated, ui_lang)
    response = Response(xml, mimetype=ATOM_TYPE)
    response.charset = "utf-8"
    _set_validators(response, etag, updated)
    return response


def atom_document(
    page: SearchPage, params: Mapping[str, str], updated: dt.datetime, ui_lang: str
) -> bytes:
    """The Atom feed of one results page, as UTF-8 XML."""
    root = request.url_root.rstrip("/")
    query = urlencode(params)
    self_url = root + "/feed.atom" + ("?" + query if query else "")
    search_page = root + url_for("pages.search", **params) if params else root + "/"
    label = params.get("q") or i18n.translate(ui_lang, "feed.all")
    feed_el = ET.Element(_atom("feed"))
    _text(feed_el, "title", i18n.translate(ui_lang, "feed.title", q=label))
    _text(feed_el, "id", self_url)
    _text(feed_el, "updated", _timestamp(updated))
    ET.SubElement(feed_el, _atom("link"), rel="self", type=ATOM_TYPE, href=self_url)
    ET.SubElement(feed_el, _atom("link"), rel="alternate", type="text/html", href=search_page)
    author = ET.SubElement(feed_el, _atom("author"))
    _text(author, "name", AUTHOR)
    _text(feed_el, "generator", "archive-search")
    for hit in page.hits:
        _entry(feed_el, hit, root)
    return ET.tostring(feed_el, encoding="utf-8", xml_declaration=True)


def _entry(feed_el: ET.Element, hit: Hit, root: str) -> None:
    link = root + url_for("pages.article", article_id=hit.id)
    entry = ET.SubElement(feed_el, _atom("entry"))
    _text(entry, "id", link)
    _text(entry, "title", hit.headline)
    day = _timestamp(dt.datetime.combine(hit.date, dt.time(), tzinfo=dt.UTC))
    _text(entry, "updated", day)
    _text(entry, "published", day)
    ET.SubElement(entry, _atom("link"), rel="alternate", type="text/html", href=link)
    if hit.language:
        ET.SubElement(entry, _atom("category"), term=hit.language)
    # The snippet's HTML (escaped text with <mark>) as text: ElementTree escapes it again, so
    # the feed carries it as escaped HTML, as type="html" requires.
    snippet = " ".join(str(fragment) for fragment in hit.fragments) or str(hit.headline_html)
    content = _text(entry, "content", snippet)
    content.set("type", "html")


def _atom(tag: str) -> str:
    return f"{{{ATOM_NS}}}{tag}"


def _text(parent: ET.Element, tag: str, text: str) -> ET.Element:
    element = ET.SubElement(parent, _atom(tag))
    element.text = _NOT_XML.sub("\ufffd", text)
    return element


def _timestamp(moment: dt.datetime) -> str:
    return moment.astimezone(dt.UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def _generation_stamp(index_dir: Path) -> tuple[str, dt.datetime]:
    """The served generation's name and the time of the job that made it (whole seconds)."""
    generation, meta = served_meta(index_dir)
    try:
        updated = dt.datetime.fromisoformat(meta["last_update"])
    except (KeyError, TypeError, ValueError):
        updated = dt.datetime.fromtimestamp(generation.stat().st_mtime, dt.UTC)
    if updated.tzinfo is None:
        updated = updated.replace(tzinfo=dt.UTC)
    return generation.name, updated.replace(microsecond=0)


def _not_modified(etag: str, updated: dt.datetime) -> bool:
    """RFC 9110: If-None-Match decides when present; otherwise If-Modified-Since."""
    if request.if_none_match:
        return request.if_none_match.contains(etag)
    since = request.if_modified_since
    return since is not None and updated <= since


def _set_validators(response: Response, etag: str, updated: dt.datetime) -> None:
    response.set_etag(etag)
    response.last_modified = updated
    response.cache_control.no_cache = True  # store it, but ask again every time
