"""Request parameters -> :class:`SearchRequest`, shared by the JSON API, the HTML pages and
the CLI (a plain mapping of names to strings: no Flask here).

Every check a request can fail is here, each with a stable error code that the API puts in
its JSON error and the pages translate: the web layer never sees a half-valid request.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Mapping

from search_service.archive import ARTICLE_ID
from search_service.config import Settings
from search_service.guards import BadRequest, page_number, whole_number
from search_service.models import SearchRequest
from search_service.periods import PERIODS
from search_service.stories import DUPES_MODES, FOLD
from search_service.vocabulary import (
    DEFAULT_SORT,
    MONTH_PATTERN,
    PARAM_PAGE,
    PARAM_PER_PAGE,
    SEARCH_PARAMS,
    SORTS,
    YEAR_PATTERN,
)

LANGUAGES = ("kk", "ru", "mixed")
MAX_CITY_LENGTH = 100

# Error codes (stable: clients and the pages' translations rely on them). The page number's
# (bad_page) and BadRequest itself are the search guards': search_service.guards.
BAD_PER_PAGE = "bad_per_page"
TOO_LONG = "too_long"
BAD_DATE = "bad_date"
BAD_SORT = "bad_sort"
BAD_LANG = "bad_lang"
BAD_YEAR = "bad_year"
BAD_MONTH = "bad_month"
BAD_CITY = "bad_city"
BAD_PERIOD = "bad_period"
BAD_DUPES = "bad_dupes"
BAD_GROUP = "bad_group"

_YEAR = re.compile(YEAR_PATTERN)
_MONTH = re.compile(MONTH_PATTERN)


def parse_search_request(args: Mapping[str, str], settings: Settings) -> SearchRequest:
    """Check and convert ``q, page, per_page, lang, from, to, city, year, month, sort, period,
    dupes, group``.

    Empty values count as not given (a form sends ``from=`` for an empty field).
    """
    value = {key: (args.get(key) or "").strip() for key in _NAMES}
    q = value["q"]
    if len(q) > settings.max_query_length:
        raise BadRequest(TOO_LONG, f"q is longer than {settings.max_query_length} characters")
    page = page_number(value[PARAM_PAGE], settings.max_page)
    per_page = whole_number(
        value[PARAM_PER_PAGE],
        1,
        settings.max_page_size,
        BAD_PER_PAGE,
        PARAM_PER_PAGE,
        default=settings.page_size,
    )
    lang = value["lang"] or None
    if lang is not None and lang not in LANGUAGES:
        raise BadRequest(BAD_LANG, f"lang must be one of {', '.join(LANGUAGES)}")
    sort = value["sort"] or DEFAULT_SORT
    if sort not in SORTS:
        raise BadRequest(BAD_SORT, f"sort must be one of {', '.join(SORTS)}")
    date_from = parse_day(value["from"], "from")
    date_to = parse_day(value["to"], "to")
    if date_from and date_to and date_from > date_to:
        raise BadRequest(BAD_DATE, "from is later than to")
    year = value["year"] or None
    if year is not None and not _YEAR.fullmatch(year):
        raise BadRequest(BAD_YEAR, "year must look like 2025")
    month = value["month"] or None
    if month is not None and not _MONTH.fullmatch(month):
        raise BadRequest(BAD_MONTH, "month must look like 2025-03")
    city = value["city"] or None
    if city is not None and len(city) > MAX_CITY_LENGTH:
        raise BadRequest(BAD_CITY, f"city is longer than {MAX_CITY_LENGTH} characters")
    period = value["period"] or None
    if period is not None and period not in PERIODS:
        raise BadRequest(BAD_PERIOD, f"period must be one of {', '.join(PERIODS)}")
    dupes = value["dupes"] or FOLD  # near-duplicates are folded unless dupes=show
    if dupes not in DUPES_MODES:
        raise BadRequest(BAD_DUPES, f"dupes must be one of {', '.join(DUPES_MODES)}")
    group = value["group"] or None
    if group is not None and not ARTICLE_ID.fullmatch(group):
        raise BadRequest(BAD_GROUP, "group must be an article id")
    return SearchRequest(
        q=q,
        page=page,
        per_page=per_page,
        lang=lang,
        date_from=date_from,
        date_to=date_to,
        city=city,
        year=year,
        month=month,
        sort=sort,
        period=period,
        dupes=dupes,
        group=group,
    )


_NAMES = SEARCH_PARAMS


def parse_day(text: str, name: str) -> dt.date | None:
    """``YYYY-MM-DD`` as a date; empty text is ``None``."""
    if not text:
        return None
    try:
        if len(text) != 10:
            raise ValueError
        return dt.date.fromisoformat(text)
    except ValueError:
        raise BadRequest(BAD_DATE, f"{name} must be a date like 2025-03-31") from None
