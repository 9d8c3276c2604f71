"""The words a search request is made of, defined once: parameter names, sort orders, facet
names, the ``YYYY-MM`` month and ``YYYY`` year patterns, and how many similar articles are
shown.

The searcher, the request parser, the pages, the API, its OpenAPI description, the feed and the
CLI all import them from here. Plain data: no imports, so any layer may use it.
"""

from __future__ import annotations

# Sort orders of the hits: ``relevance`` is the default; a search without words (or without
# positive words) lists the newest first whatever is asked.
RELEVANCE = "relevance"
NEWEST = "newest"
OLDEST = "oldest"
SORTS = (RELEVANCE, NEWEST, OLDEST)
DEFAULT_SORT = RELEVANCE

# Facets: counts by value over the hits, in the order the page shows them.
FACET_LANG = "lang"
FACET_YEAR = "year"
FACET_MONTH = "month"
FACET_CITY = "city"
FACETS = (FACET_LANG, FACET_YEAR, FACET_MONTH, FACET_CITY)

# Search parameters, in the order they appear in a URL (pages, feed links). A facet's
# parameter has the facet's name.
PARAM_Q = "q"
PARAM_FROM = "from"
PARAM_TO = "to"
PARAM_SORT = "sort"
PARAM_PAGE = "page"
PARAM_PER_PAGE = "per_page"
PARAM_PERIOD = "period"
PARAM_DUPES = "dupes"
PARAM_GROUP = "group"
SEARCH_PARAMS = (
    *(PARAM_Q, *FACETS, PARAM_FROM, PARAM_TO, PARAM_SORT, PARAM_PER_PAGE, PARAM_PAGE),
    *(PARAM_PERIOD, PARAM_DUPES, PARAM_GROUP),
)
# The parameters that narrow the hits (the page lists them as removable filters).
FILTER_PARAMS = (*FACETS, PARAM_FROM, PARAM_TO, PARAM_PERIOD, PARAM_GROUP)
# The parameters that choose a page of the hits, not which hits.
PAGING_PARAMS = (PARAM_PAGE, PARAM_PER_PAGE)

# ``year=2025`` and ``month=2025-03`` (a real month: 01 to 12, its number the one group).
# Use with ``re.fullmatch``; the OpenAPI description anchors them with ``^...$``.
YEAR_PATTERN = r"\d{4}"
MONTH_PATTERN = r"\d{4}-(0[1-9]|1[0-2])"

# Similar articles shown beside an article (its page and the API's /similar).
SIMILAR_LIMIT = 5
