"""The Whoosh schema: stored fields for display, analysed fields for search.

Field boosts are named constants here so ranking can be read and tuned in one place.
"""

from __future__ import annotations

import datetime as dt

from whoosh.fields import ID, NUMERIC, STORED, Schema

from search_service.analysis import (
    AnalysedText,
    WordTable,
    fold_analyzer,
    form_analyzer,
    keys_analyzer,
)

# BM25F field weights: a match in the headline counts more than one in the body; exact forms
# count more than other forms of the word; the name-folding key is a weak fallback.
TITLE_BOOST = 3.0
TITLE_EXACT_BOOST = 4.0
TEXT_BOOST = 1.0
TEXT_EXACT_BOOST = 1.5
FOLD_BOOST = 0.3

# Field names, used by the indexer, the query parser and the searcher.
ID_FIELD = "id"
DATE_FIELD = "date"  # yyyymmdd as an integer (date_number): ranges and sorting
YEAR_FIELD = "year"
MONTH_FIELD = "month"  # "2025-03"
LANG_FIELD = "lang"
CITY_FIELD = "city"
TITLE_FIELD = "title"
TITLE_EXACT_FIELD = "title_exact"
TEXT_FIELD = "text"
TEXT_EXACT_FIELD = "text_exact"
FOLD_FIELD = "fold"
HEADLINE_FIELD = "headline"
BODY_FIELD = "body"
# What highlighting needs of the headline's and the body's analysis (analysis.WordTable).
HEADLINE_WORDS_FIELD = "headline_words"
BODY_WORDS_FIELD = "body_words"


def date_number(date: dt.date) -> int:
    """A date as the integer stored in the index: 2025-03-07 -> 20250307.

    >>> date_number(dt.date(2025, 3, 7))
    20250307
    """
    return date.year * 10000 + date.month * 100 + date.day


def number_date(number: int) -> dt.date:
    """The date of an integer stored in the index: 20250307 -> 2025-03-07.

    >>> number_date(20250307)
    datetime.date(2025, 3, 7)
    """
    return dt.date(number // 10000, number // 100 % 100, number % 100)


def build_schema() -> Schema:
    """The schema of a fresh index."""
    return Schema(
        id=ID(stored=True, unique=True, sortable=True),
        path=STORED(),
        root=STORED(),
        date=NUMERIC(int, bits=32, stored=True, sortable=True, signed=False),
        year=ID(stored=False, sortable=True),
        month=ID(stored=False, sortable=True),
        lang=ID(stored=True, sortable=True),
        script=ID(stored=True),
        city=ID(stored=True, sortable=True),
        agency=STORED(),
        headline=STORED(),
        body=STORED(),
        headline_words=WordTable(),
        body_words=WordTable(),
        title=AnalysedText(analyzer=keys_analyzer(), field_boost=TITLE_BOOST),
        title_exact=AnalysedText(analyzer=form_analyzer(), field_boost=TITLE_EXACT_BOOST),
        text=AnalysedText(analyzer=keys_analyzer(), field_boost=TEXT_BOOST),
        text_exact=AnalysedText(analyzer=form_analyzer(), field_boost=TEXT_EXACT_BOOST),
        # Sparse: only words with Kazakh letters (see analysis.TermTokenizer).
        fold=AnalysedText(analyzer=fold_analyzer(), field_boost=FOLD_BOOST, phrase=False),
    )
