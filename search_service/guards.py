"""The search guards, decided once: whether a request gets the page of results it asks for.

The JSON API, the HTML pages, the feed and the CLI all ask these functions and only map what
they raise to a status or an exit code (Warehouse's search views guard the same way):

=====================================  ==================  =====  ===================  ======
guard                                  raises              API    page                 CLI
=====================================  ==================  =====  ===================  ======
page not a whole number 1..max_page    BadRequest 400      400    400                  exit 2
a page past the last one               BadRequest 404      404    404                  exit 2
a query that cannot be understood      QueryError          400    400                  exit 2
a city filter no article has           QueryError          400    empty page + notice  exit 2
=====================================  ==================  =====  ===================  ======

Both refusals say what went wrong with a stable code (``bad_page``, a query-error key, or
``bad_city``); the message a user reads comes from the catalogue
(:data:`search_service.query.MESSAGES` for query errors). No Flask here.
"""

from __future__ import annotations

from search_service.models import SearchPage
from search_service.query import UNKNOWN_CITY, QueryError, parse_query
from search_service.vocabulary import PARAM_PAGE

BAD_PAGE = "bad_page"
BAD_REQUEST = 400
NOT_FOUND = 404


class BadRequest(ValueError):
    """A request that cannot be answered; ``code`` is stable, ``message`` is English, and
    ``status`` says whether it is a bad request (400) or asks for what is not there (404)."""

    def __init__(self, code: str, message: str, status: int = BAD_REQUEST):
        super().__init__(message)
        self.code = code
        self.message = message
        self.status = status


def page_number(text: str, max_page: int) -> int:
    """The bad-page guard: the requested page, 1 when not given; ``bad_page`` (400) unless a
    whole number from 1 to ``max_page``."""
    return whole_number(text, 1, max_page, BAD_PAGE, PARAM_PAGE, default=1)


def whole_number(text: str, low: int, high: int, code: str, name: str, default: int) -> int:
    """``text`` as a whole number from ``low`` to ``high`` (``default`` when empty), else a
    :class:`BadRequest` with ``code``."""
    if not text:
        return default
    if not text.isascii() or not text.isdigit() or len(text) > 9:
        raise BadRequest(code, f"{name} must be a whole number from {low} to {high}")
    number = int(text)
    if not low <= number <= high:
        raise BadRequest(code, f"{name} must be a whole number from {low} to {high}")
    return number


def check_page(page: SearchPage, *, unknown_city_fails: bool = True) -> SearchPage:
    """The guards after searching: ``page`` when it can be shown as asked.

    Raises :class:`QueryError` for a query that cannot be understood, and (unless
    ``unknown_city_fails`` is false: the pages show an empty result with a notice instead) for
    a city filter that no article has; :class:`BadRequest` ``bad_page`` (404) for a page past
    the last one. A search cut by its time budget (``timed_out``) may count fewer pages than
    a full one offered: its page past them is an empty page that says so, not a 404.
    """
    if page.error:
        raise QueryError(page.error)
    if page.unknown_city and unknown_city_fails:  # a client learns that it sent a wrong value
        raise QueryError(UNKNOWN_CITY)
    if page.pages and page.request.page > page.pages and not page.timed_out:
        raise BadRequest(BAD_PAGE, f"there are only {page.pages} pages", status=NOT_FOUND)
    return page


def check_query(q: str) -> None:
    """The query-error guard for what reads hits without a page (the CSV export): raises
    :class:`QueryError` now rather than answer with nothing."""
    parse_query(q)
