"""The JSON objects of the API's answers, as plain functions of the result models.

The JSON API returns them and the CLI prints the same objects (``search --json``), so both
say the same thing in the same shape (described in :mod:`search_service.web.openapi`). Labels
are in the language asked for (kk, ru or en). No Flask here: an article's URL comes from the
caller (``article_url``).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from search_service import i18n
from search_service.models import ArticleView, Hit, SearchPage
from search_service.query import Notice
from search_service.text.cities import city_name
from search_service.vocabulary import FACET_CITY, FACET_LANG, FACET_MONTH

ArticleUrl = Callable[[str], str]


def search_payload(
    page: SearchPage, article_url: ArticleUrl, max_page: int | None = None, lang: str = "en"
) -> dict[str, Any]:
    """The JSON object of a results page; labels are in ``lang`` (kk, ru or en).

    A success carries no ``error`` key: a response has one exactly when it is an error.
    """
    pages = page.pages if max_page is None else min(page.pages, max_page)
    return {
        "total": page.total,
        "took_ms": page.took_ms,
        "page": page.request.page,
        "per_page": page.request.per_page,
        "pages": pages,
        "hits": [hit_payload(hit, article_url, lang) for hit in page.hits],
        "facets": {
            name: [
                {
                    "value": v.value,
                    "label": facet_label(name, v.value, lang),
                    "count": v.count,
                    "selected": v.selected,
                }
                for v in values
            ]
            for name, values in page.facets.items()
        },
        "suggestion": page.suggestion,
        "missing_words": page.missing,
        "stories": page.total if page.stories is None else page.stories,
        "notices": [notice_payload(notice, lang) for notice in page.notices],
        "prefix_limited": [
            {
                "prefix": limit.prefix,
                "terms": limit.terms,
                "of": limit.of,
                "excluded": limit.excluded,
            }
            for limit in page.prefix_limited
        ],
        "timed_out": page.timed_out,
    }


def notice_payload(notice: Notice, lang: str = "en") -> dict[str, Any]:
    """What the query parser repaired or reinterpreted: ``code``, the ``message`` for users,
    the part as ``typed``, what was ``searched`` instead, and a ``literal`` query (or null)
    that searches what was typed more literally."""
    return {
        "code": notice.code,
        "message": notice.message(lang),
        "typed": notice.typed,
        "searched": notice.searched,
        "literal": notice.literal,
    }


def facet_label(name: str, value: str, lang: str) -> str:
    """A facet value as people read it: the city's or language's name, the month's name."""
    if name == FACET_CITY:
        return city_name(value, lang)
    if name == FACET_LANG:
        return i18n.language_label(lang, value)
    if name == FACET_MONTH:
        return i18n.month_label(lang, value)
    return value


def hit_payload(hit: Hit, article_url: ArticleUrl, lang: str = "en") -> dict[str, Any]:
    return {
        "id": hit.id,
        "date": hit.date.isoformat(),
        "headline": hit.headline,
        "headline_html": str(hit.headline_html),
        "language": hit.language,
        "city": hit.city,
        "city_label": city_name(hit.city, lang),
        "fragments": [str(fragment) for fragment in hit.fragments],
        "url": article_url(hit.id),
        "similar": hit.similar,
        "group": hit.group,
    }


def article_payload(view: ArticleView, article_url: ArticleUrl, lang: str = "en") -> dict[str, Any]:
    return {
        "id": view.id,
        "date": view.date.isoformat(),
        "headline": view.headline,
        "headline_html": str(view.headline_html),
        "body_html": [str(paragraph) for paragraph in view.body_html],
        "language": view.language,
        "city": view.city,
        "city_label": city_name(view.city, lang),
        "agency": view.agency,
        "path": view.path,
        "url": article_url(view.id),
    }


def error_payload(code: str, message: str) -> dict[str, Any]:
    return {"error": {"code": code, "message": message}}
