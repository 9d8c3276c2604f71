"""A cache of the most recently used entries, bounded in number or in bytes.

Each searcher keeps its decoded postings (bounded in bytes), recent filters, phrases and
prefix expansions (bounded in number) in one of these; a searcher belongs to one index
generation, which is never written to, so nothing kept can go stale.
"""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Callable
from typing import Any


class Recent(OrderedDict):
    """The most recently used entries, up to ``limit`` in total ``size`` (1 per entry by
    default), the least recently used let go first."""

    def __init__(self, limit: float, size: Callable[[Any], int] = lambda value: 1):
        super().__init__()
        self.limit, self.size, self.held = limit, size, 0

    def recall(self, key: Any) -> Any:
        value = self.get(key)
        if value is not None:
            self.move_to_end(key)
        return value

    def keep(self, key: Any, value: Any) -> Any:
        size = self.size(value)
        if size <= self.limit:
            self[key] = value
            self.held += size
            while self.held > self.limit:
                self.held -= self.size(self.popitem(last=False)[1])
        return value

    def clear(self) -> None:
        super().clear()
        self.held = 0
