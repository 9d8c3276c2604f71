"""The timeline chart: hits by year, or by month within a chosen year, as SVG geometry.

This module only measures: it turns facet counts into bars with positions, labels and links.
The template ``_timeline.html`` draws them as inline SVG with Jinja's autoescaping, so no
markup is built here and every label and link is escaped like any other text on the page.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Protocol

from search_service.i18n import count_articles, month_label, translate
from search_service.vocabulary import MONTH_PATTERN, YEAR_PATTERN

# The drawing's geometry: across, in per cent of the column's width, so the chart always fits
# its column (a phone's too) and the text is drawn at its real size; up and down, in pixels.
WIDTH = 100  # per cent
HEIGHT = 132  # pixels
TOP = 18  # room for the count above the tallest bar
AXIS = 22  # room for the labels under the bars
MAX_BAR_WIDTH = 6.0  # per cent: a few bars stay bars, not blocks
BAR_SHARE = 0.72  # a bar's width as a share of its slot
MIN_BAR_HEIGHT = 2.0  # a bar with any hits stays visible
MAX_LABELS = 12  # more bars than this: label every n-th one, counted back from the newest
MAX_LABELS_NARROW = 8  # the same on a phone: the other labels are "minor", hidden there
MAX_COUNTS = 24  # more bars than this: no count above the bars (their titles still say it)
MAX_COUNTS_NARROW = 12  # the same on a phone
EDGE = 3.0  # per cent: a label centred this close to an edge is aligned to it instead

_YEAR = re.compile(YEAR_PATTERN)
_MONTH = re.compile(MONTH_PATTERN)


class Counted(Protocol):
    """A facet value as the searcher gives it."""

    value: str
    count: int


@dataclass(frozen=True, slots=True)
class Bar:
    """One bar: a period, its count, where to draw it, and the link that filters to it."""

    value: str
    label: str  # under the bar, may be blank when labels are thinned out
    title: str  # the accessible name: period and count
    count: int
    href: str | None  # None for a period without hits
    selected: bool
    x: float  # per cent of the width
    y: float  # pixels
    width: float  # per cent of the width
    height: float  # pixels
    minor: bool = False  # a label left out on narrow screens

    @property
    def center(self) -> float:
        return round(self.x + self.width / 2, 2)

    @property
    def anchor(self) -> str:
        """The label's SVG ``text-anchor``: at the edges it stays inside the chart."""
        if self.center < EDGE:
            return "start"
        if self.center > WIDTH - EDGE:
            return "end"
        return "middle"

    @property
    def label_x(self) -> float:
        return {"start": self.x, "end": round(self.x + self.width, 2)}.get(self.anchor, self.center)


@dataclass(frozen=True, slots=True)
class Timeline:
    """A whole chart: its caption and bars, and the size of its drawing."""

    caption: str
    bars: list[Bar]
    width: int = WIDTH
    height: int = HEIGHT

    @property
    def counts(self) -> bool:
        """Whether the counts above the bars fit (on wide screens)."""
        return len(self.bars) <= MAX_COUNTS

    @property
    def narrow_counts(self) -> bool:
        """Whether the counts above the bars fit on a phone too."""
        return len(self.bars) <= MAX_COUNTS_NARROW

    @property
    def baseline(self) -> int:
        return self.height - AXIS

    @property
    def label_y(self) -> int:
        return self.height - 6


def fill_years(counts: dict[str, int]) -> list[tuple[str, int]]:
    """Every year from the first to the last with hits, years without hits as zero.

    >>> fill_years({"2021": 3, "2023": 1})
    [('2021', 3), ('2022', 0), ('2023', 1)]
    """
    if not counts or not all(_YEAR.fullmatch(year) for year in counts):
        return sorted(counts.items())
    first, last = int(min(counts)), int(max(counts))
    return [(str(year), counts.get(str(year), 0)) for year in range(first, last + 1)]


def fill_months(year: str, counts: dict[str, int]) -> list[tuple[str, int]]:
    """The twelve months of ``year`` (values like ``2025-03``), months without hits as zero.

    Values that are not months of that year are kept after them, in order, so nothing is lost.
    """
    months = [f"{year}-{month:02d}" for month in range(1, 13)]
    if not _YEAR.fullmatch(year) or not all(_MONTH.fullmatch(value) for value in counts):
        return sorted(counts.items())
    others = sorted(value for value in counts if value not in months)
    return [(value, counts.get(value, 0)) for value in months + others]


def build_timeline(
    periods: Iterable[tuple[str, int]],
    *,
    caption: str,
    selected: str | None,
    label_of: Callable[[str], str],
    title_of: Callable[[str, int], str],
    href_of: Callable[[str], str],
) -> Timeline | None:
    """Lay out one bar per ``(value, count)`` period; ``None`` when there is nothing to draw."""
    periods = list(periods)
    if not periods or not any(count for _, count in periods):
        return None
    tallest = max(count for _, count in periods)
    slot = WIDTH / len(periods)
    bar_width = min(MAX_BAR_WIDTH, slot * BAR_SHARE)
    room = HEIGHT - TOP - AXIS
    label_every, narrow_every = label_steps(len(periods))
    bars = []
    for index, (value, count) in enumerate(periods):
        height = max(MIN_BAR_HEIGHT, room * count / tallest) if count else 0.0
        from_newest = len(periods) - 1 - index  # the newest period is always labelled
        chosen = value == selected  # and so is the chosen one
        bars.append(
            Bar(
                value=value,
                label=label_of(value) if chosen or from_newest % label_every == 0 else "",
                title=title_of(value, count),
                count=count,
                href=href_of(value) if count else None,
                selected=chosen,
                x=round(index * slot + (slot - bar_width) / 2, 2),
                y=round(HEIGHT - AXIS - height, 1),
                width=round(bar_width, 2),
                height=round(height, 1),
                minor=not chosen and from_newest % narrow_every != 0,
            )
        )
    return Timeline(caption=caption, bars=bars)


def label_steps(bars: int) -> tuple[int, int]:
    """Label every n-th bar: n on wide screens and on phones (a multiple of the first, so a
    phone shows a subset of the same labels).

    >>> label_steps(8), label_steps(12), label_steps(113)
    ((1, 1), (1, 2), (10, 20))
    """
    wide = -(-bars // MAX_LABELS)  # ceiling division
    labels = -(-bars // wide)
    return wide, wide * -(-labels // MAX_LABELS_NARROW)


def timeline_for(
    facets: Mapping[str, Sequence[Counted]],
    *,
    year: str | None,
    month: str | None,
    ui_lang: str,
    link: Callable[[str, str], str],
) -> Timeline | None:
    """The results' timeline: by month within ``year`` when the searcher counted months,
    else by year. ``link(name, value)`` is the URL that sets the filter ``name``."""
    if year and facets.get("month"):
        periods = fill_months(year, {item.value: item.count for item in facets["month"]})
        caption = translate(ui_lang, "timeline.months", year=year)
        name, selected = "month", month

        def label(value: str) -> str:
            return month_label(ui_lang, value, short=True)
    else:
        periods = fill_years({item.value: item.count for item in facets.get("year") or []})
        caption = translate(ui_lang, "timeline.years")
        name, selected, label = "year", year, str

    def title(value: str, count: int) -> str:
        period = month_label(ui_lang, value)  # a year stays as it is
        articles = count_articles(ui_lang, count)
        return translate(ui_lang, "timeline.bar", label=period, articles=articles)

    return build_timeline(
        periods,
        caption=caption,
        selected=selected,
        label_of=label,
        title_of=title,
        href_of=lambda value: link(name, value),
    )
