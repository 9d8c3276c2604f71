"""Date presets: "last 7 days", "last 30 days", "last 12 months", "this year".

They count back from the newest article in the index, not from today, so an archive that
stopped being updated still shows its latest stories under "last 7 days".
"""

from __future__ import annotations

import datetime as dt

PERIODS = ("7d", "30d", "12m", "year")


def period_range(period: str, newest: dt.date) -> tuple[dt.date, dt.date]:
    """The first and last day of ``period`` ending with the day ``newest``.

    >>> period_range("7d", dt.date(2026, 2, 2))
    (datetime.date(2026, 1, 27), datetime.date(2026, 2, 2))
    >>> period_range("12m", dt.date(2024, 2, 29))
    (datetime.date(2023, 3, 1), datetime.date(2024, 2, 29))
    >>> period_range("year", dt.date(2026, 2, 2))
    (datetime.date(2026, 1, 1), datetime.date(2026, 2, 2))
    """
    if period == "7d":
        return newest - dt.timedelta(days=6), newest
    if period == "30d":
        return newest - dt.timedelta(days=29), newest
    if period == "12m":
        try:
            year_before = newest.replace(year=newest.year - 1)
        except ValueError:  # 29 February: a year before is 28 February
            year_before = newest.replace(year=newest.year - 1, day=28)
        return year_before + dt.timedelta(days=1), newest
    if period == "year":
        return dt.date(newest.year, 1, 1), newest
    raise ValueError(f"unknown period {period!r}: one of {', '.join(PERIODS)}")
