"""The HTML pages: the search box, the results, one article, and the interface-language switch.

Every state of a page lives in its URL, so any page can be bookmarked or sent to a colleague.
Views only gather what the templates need; searching is the searcher's job and every piece of
markup from an article or a query comes ready-escaped from :mod:`search_service.highlight`.
"""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Mapping
from urllib.parse import urlencode, urlsplit

from flask import (
    Blueprint,
    abort,
    current_app,
    g,
    redirect,
    render_template,
    request,
    url_for,
)
from werkzeug.wrappers import Response

from search_service import i18n
from search_service.guards import check_page
from search_service.index_errors import IndexStoreError
from search_service.params import BadRequest, parse_search_request
from search_service.periods import PERIODS
from search_service.query import QueryError
from search_service.text.cities import city_name
from search_service.vocabulary import (
    DEFAULT_SORT,
    FACET_LANG,
    FACET_MONTH,
    FACETS,
    FILTER_PARAMS,
    PAGING_PARAMS,
    SEARCH_PARAMS,
    SIMILAR_LIMIT,
    SORTS,
)
from search_service.web import SEARCHER_KEY, SETTINGS_KEY
from search_service.web.timeline import timeline_for

log = logging.getLogger(__name__)

bp = Blueprint("pages", __name__)

# The search parameters a page keeps in its links (SEARCH_PARAMS, in the order they appear in
# a URL), the filters among them, the facets and sort orders: search_service.vocabulary.
# Python names for parameters that are keywords there.
_ALIASES = {"date_from": "from", "date_to": "to"}

# The query-language lesson on the empty page: what each construct does, with examples to click.
HELP_EXAMPLES = (
    ("help.word", ("сайлау", "конституция")),
    ("help.words", ("конституция референдум",)),
    ("help.phrase", ('"Қасым-Жомарт Тоқаев"',)),
    ("help.or", ("сайлау OR выборы", "выборы ИЛИ референдум", "сайлау НЕМЕСЕ референдум")),
    (
        "help.not",
        ("выборы -президент", "выборы NOT президент", "выборы НЕ президент", "сайлау ЕМЕС Астана"),
    ),
    ("help.and", ("бюджет AND мектеп", "бюджет И школа", "бюджет ЖӘНЕ мектеп")),
    ("help.group", ("(сайлау OR выборы) Астана", "title:(сайлау OR выборы)")),
    ("help.prefix", ("экономик*",)),
    ("help.title", ("title:бюджет",)),
    ("help.date", ("date:2025-01-01..2025-06-30",)),
    ("help.filters", ("lang:ru выборы", "city:Астана сайлау", "year:2024", "year:2020..2022")),
    ("help.boost", ("сайлау^2 Астана",)),
    ("help.latin", ("Qazaqstan",)),
)

LANGUAGE_COOKIE = "ui_lang"
LANGUAGE_COOKIE_AGE = 365 * 24 * 3600
PAGE_WINDOW = 2  # page numbers shown either side of the current one


@bp.before_request
def _pick_ui_language() -> None:
    g.ui_lang = i18n.choose_ui_language(
        request.cookies.get(LANGUAGE_COOKIE), request.accept_languages
    )


@bp.after_request
def _vary_on_language(response: Response) -> Response:
    response.vary.update(("Cookie", "Accept-Language"))
    return response


@bp.context_processor
def _template_helpers() -> dict:
    ui_lang = g.get("ui_lang", i18n.DEFAULT_UI_LANGUAGE)
    return {
        "ui_lang": ui_lang,
        "ui_languages": i18n.UI_LANGUAGE_NAMES,
        "t": lambda key, **params: i18n.translate(ui_lang, key, **params),
        "number": lambda n: i18n.format_number(ui_lang, n),
        "long_date": lambda date: i18n.format_date(ui_lang, date),
        "language_label": lambda code: i18n.language_label(ui_lang, code),
        "month_label": lambda value: i18n.month_label(ui_lang, value),
        "city_label": lambda city: city_name(city, ui_lang),
        "language_switch_url": _language_switch_url,
        "opensearch_url": request.script_root + "/opensearch.xml",
        "help_examples": HELP_EXAMPLES,
    }


@bp.errorhandler(IndexStoreError)
def _index_unavailable(error: IndexStoreError):
    log.error("index unavailable: %s", error)
    message = i18n.translate(g.ui_lang, "error.index_unavailable")
    return render_template("search_error.html", state={}, message=message), 503


@bp.get("/")
def home():
    """The search box and a short lesson in the query language."""
    if request.args.get("q"):
        return redirect(url_for("pages.search", **search_state(request.args)))
    return render_template("home.html", state={})


@bp.get("/search")
def search():
    """A page of results with its facets, timeline and pagination, or a friendly error."""
    state = search_state(request.args)
    if _has_empty_params(request.args):
        # A form sends empty fields (from=&to=); drop them so the address is a clean permalink.
        return redirect(url_for("pages.search", **state) if state else url_for("pages.home"))
    if not state.get("q") and not any(key in state for key in FILTER_PARAMS):
        return render_template("home.html", state=state)
    settings = current_app.extensions[SETTINGS_KEY]
    try:
        search_request = parse_search_request(state, settings)
        results = current_app.extensions[SEARCHER_KEY].search(search_request)
        # An unknown city filter is an empty page with a notice here, not an error.
        check_page(results, unknown_city_fails=False)
    except BadRequest as error:
        return _search_error(state, error.code, error.status)
    except QueryError as error:
        return _search_error(state, error.key, 400)
    return render_template(
        "search.html",
        state=state,
        results=results,
        took=_took(results.took_ms),
        search_url=lambda **changes: search_url(state, **changes),
        article_url=lambda article_id: article_url(article_id, state),
        export_url=_export_url(state),
        page_numbers=page_numbers(search_request.page, results.pages),
        current_page=search_request.page,
        facets=_facet_links(results.facets, state),
        active_filters=_active_filters(state),
        timeline=timeline_for(
            results.facets,
            year=_chosen_year(state),
            month=state.get("month"),
            ui_lang=g.ui_lang,
            link=lambda name, value: search_url(state, **{name: value}),
        ),
        sort=state.get("sort", DEFAULT_SORT),
        sorts=SORTS,
        periods=PERIODS,
    )


@bp.get("/articles/<article_id>")
def article(article_id: str):
    """One article, its matches for ``q`` highlighted, with similar articles and a way back."""
    state = search_state(request.args)
    searcher = current_app.extensions[SEARCHER_KEY]
    view = searcher.article(article_id, q=state.get("q") or None)
    if view is None:
        return render_template("not_found.html", state=state), 404
    similar = searcher.more_like_this(article_id, limit=SIMILAR_LIMIT)
    has_search = bool(state.get("q")) or any(key in state for key in FILTER_PARAMS)
    return render_template(
        "article.html",
        state=state,
        article=view,
        similar=similar,
        article_url=lambda other_id: article_url(other_id, state),
        back_url=url_for("pages.search", **state) if has_search else None,
    )


@bp.get("/lang/<code>")
def set_ui_language(code: str):
    """Remember the interface language in a cookie and go back to the page the user was on."""
    if code not in i18n.UI_LANGUAGES:
        abort(404)
    response = redirect(request.script_root + safe_next(request.args.get("next")), code=303)
    response.set_cookie(
        LANGUAGE_COOKIE, code, max_age=LANGUAGE_COOKIE_AGE, httponly=True, samesite="Lax"
    )
    return response


def search_state(args: Mapping[str, str]) -> dict[str, str]:
    """The known, non-empty search parameters of a request, in their canonical order."""
    state = {}
    for key in SEARCH_PARAMS:
        value = (args.get(key) or "").strip()
        if value:
            state[key] = value
    if state.get("sort") == DEFAULT_SORT:
        del state["sort"]
    if state.get("page") == "1":
        del state["page"]
    return state


def search_url(state: Mapping[str, str], **changes: object) -> str:
    """The results URL for ``state`` with ``changes`` applied (``None`` removes a parameter).

    Any change other than the page goes back to the first page, because the old page number
    means nothing in a different result list. Choosing a year forgets the month.
    """
    params = dict(state)
    if "page" not in changes:
        params.pop("page", None)
    if "year" in changes:
        params.pop("month", None)
    for name, value in changes.items():
        key = _ALIASES.get(name, name)
        text = "" if value is None else str(value)
        if not text or (key, text) in (("page", "1"), ("sort", DEFAULT_SORT)):
            params.pop(key, None)
        else:
            params[key] = text
    ordered = {key: params[key] for key in SEARCH_PARAMS if key in params}
    return url_for("pages.search", **ordered)


def article_url(article_id: str, state: Mapping[str, str]) -> str:
    """An article's URL that carries the search along, for highlighting and the way back."""
    return url_for("pages.article", article_id=article_id, **state)


def page_numbers(current: int, pages: int) -> list[int | None]:
    """The page numbers to offer: first, last and a window around ``current``; None is a gap.

    >>> page_numbers(6, 12)
    [1, None, 4, 5, 6, 7, 8, None, 12]
    """
    shown = {1, pages, *range(current - PAGE_WINDOW, current + PAGE_WINDOW + 1)}
    numbers: list[int | None] = []
    for number in sorted(n for n in shown if 1 <= n <= pages):
        if numbers and number - numbers[-1] > 1:  # type: ignore[operator]
            numbers.append(None)
        numbers.append(number)
    return numbers


def safe_next(target: str | None) -> str:
    """``target`` if it is a path on this site, else ``/``: the language switch is no open
    redirect.

    >>> safe_next("/search?q=x"), safe_next("//evil.example/"), safe_next("https://evil/")
    ('/search?q=x', '/', '/')
    """
    if not target or not target.startswith("/") or target.startswith("//"):
        return "/"
    if "\\" in target or any(ord(char) < 32 or ord(char) == 127 for char in target):
        return "/"
    parts = urlsplit(target)
    return "/" if parts.scheme or parts.netloc else target


def _language_switch_url(code: str) -> str:
    return url_for("pages.set_ui_language", code=code, next=request.full_path.rstrip("?"))


def _has_empty_params(args: Mapping[str, str]) -> bool:
    return any(key in args and not (args.get(key) or "").strip() for key in SEARCH_PARAMS)


def _export_url(state: Mapping[str, str]) -> str:
    params = {key: value for key, value in state.items() if key not in PAGING_PARAMS}
    return request.script_root + "/export.csv?" + urlencode(params)


def _took(milliseconds: float) -> str:
    return f"{milliseconds:.1f}" if milliseconds < 10 else f"{milliseconds:.0f}"


def _search_error(state: dict[str, str], key: str | None, status: int):
    message = i18n.error_message(g.ui_lang, key)
    return render_template("search_error.html", state=state, message=message), status


def _facet_links(facets: Mapping[str, list], state: Mapping[str, str]) -> list[dict]:
    """Each facet with its values as links that add the value, or remove it when chosen."""
    groups = []
    for name in FACETS:
        values = facets.get(name) or []
        if not values or (name == FACET_MONTH and not _chosen_year(state)):
            continue
        links = []
        for value in values:
            selected = value.selected or state.get(name) == value.value
            links.append(
                {
                    "value": value.value,
                    "label": _value_label(name, value.value),
                    "count": value.count,
                    "selected": selected,
                    "href": search_url(state, **{name: None if selected else value.value}),
                }
            )
        groups.append({"name": name, "values": links})
    return groups


def _active_filters(state: Mapping[str, str]) -> list[dict]:
    filters = []
    for name in FILTER_PARAMS:
        if name in state:
            label = i18n.translate(g.ui_lang, f"facet.{name}")
            filters.append(
                {
                    "name": label,
                    "value": _value_label(name, state[name]),
                    "href": search_url(state, **{name: None}),
                }
            )
    return filters


def _value_label(name: str, value: str) -> str:
    if name == FACET_LANG:
        return i18n.language_label(g.ui_lang, value)
    if name == FACET_MONTH:
        return i18n.month_label(g.ui_lang, value)
    if name in ("from", "to"):
        try:
            return i18n.format_date(g.ui_lang, dt.date.fromisoformat(value))
        except ValueError:
            return value
    if name == "period":
        return i18n.translate(g.ui_lang, f"period.{value}")
    if name == "group":
        return i18n.translate(g.ui_lang, "dupes.group")
    if name == "city":
        return city_name(value, g.ui_lang) if value else i18n.translate(g.ui_lang, "city.none")
    return value


def _chosen_year(state: Mapping[str, str]) -> str | None:
    """The year whose months are shown: the year filter, or the month filter's year."""
    return state.get("year") or (state["month"][:4] if "month" in state else None)
