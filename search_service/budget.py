"""A search's time budget: past it, the work that can be cut is skipped and the answer says so.

A search asks :meth:`Deadline.skip` only where skipping leaves a correct, smaller answer: a
prefix's rarer words once one of its words has matched (each field's words separately, so no
field is dropped), the rest of a phrase's candidate documents, the proximity bonus, the
snippets' highlighting, the "did you mean". Work that cannot be cut without giving wrong or
lopsided hits always runs: the parts of an ``AND``, the words and fields of an ``OR``, the
filters, the facet counts, and every exclusion (``-word``, ``NOT``), which is evaluated whole
and without the deadline, since what it failed to remove would come back as hits. Whatever
was skipped, the hits are real matches, ranked by what was found.

Time that is not the search's own work, and that cutting it would not shorten, moves the end
back (:meth:`Deadline.extend`): waiting for another thread's search, opening a new index.
"""

from __future__ import annotations

import time
from collections.abc import Callable


class Deadline:
    """The moment a search's budget runs out, and whether any work was skipped for it."""

    def __init__(
        self, budget_ms: float | None, clock: Callable[[], float] = time.perf_counter
    ) -> None:
        self._clock = clock
        self.started = clock()
        self.ends = None if budget_ms is None else self.started + budget_ms / 1000
        self.cut = False  # some matching was skipped: the hits and totals may lack articles
        self.trimmed = False  # only extras were skipped (highlighting, "did you mean")
        self.waited: dict[str, float] = {}  # seconds added by extend(), by what they were

    def passed(self) -> bool:
        """Whether the budget is spent (never, without one)."""
        return self.ends is not None and self._clock() >= self.ends

    def skip(self, extra: bool = False) -> bool:
        """Whether to skip the next piece of work that can be left out. ``True`` marks the
        answer as partial (:attr:`cut`) or, for an ``extra`` that does not change which
        articles are found (highlighting, "did you mean"), as :attr:`trimmed`."""
        if self.passed():
            if extra:
                self.trimmed = True
            else:
                self.cut = True
            return True
        return False

    def extend(self, seconds: float, spent_on: str) -> None:
        """Move the end back by ``seconds`` spent on what is not the search's own work (and
        that cutting the search would not shorten): waiting for another search, opening an
        index."""
        self.waited[spent_on] = self.waited.get(spent_on, 0.0) + seconds
        if self.ends is not None:
            self.ends += seconds

    def elapsed_ms(self) -> float:
        return (self._clock() - self.started) * 1000


def unlimited() -> Deadline:
    """A deadline that never passes (benchmarks, the export, internal searches)."""
    return Deadline(None)
