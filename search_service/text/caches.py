"""The caches of per-word results, each with a size limit, all in one registry.

Analysing a word form is costly and a text repeats its words, so every step that works word by
word keeps what it found: the analysis of a raw word, Kazakh stems, Russian lemmas, type-ahead
keys, near-duplicate words. Each cache is made here, so each has a limit (a long-lived server
meets new words every day) and :func:`clear_caches` empties every one of them: what the
benchmark's cold runs and a test that needs a process without memory call.

A :class:`WordCache` is a dict read at C speed (``cache.get(key)`` or ``map(cache.__getitem__,
words)``), emptied when full rather than kept in least-recently-used order: cheaper per word,
and a job's words are seen again soon or not at all. :func:`memoize` is ``functools.lru_cache``
for a function of several arguments.
"""

from __future__ import annotations

import functools
import weakref
from collections.abc import Callable
from typing import Any, TypeVar

F = TypeVar("F", bound=Callable[..., Any])

_word_caches: weakref.WeakSet[WordCache] = weakref.WeakSet()
_clearers: list[Callable[[], None]] = []


class WordCache(dict):
    """``key -> result``, at most ``limit`` entries (emptied when full); with ``make``, a missing
    key's result is made by ``make(key)`` and kept.

    >>> squares = WordCache(2, make=lambda n: n * n)
    >>> squares[3], squares[4], len(squares), squares[5], len(squares)
    (9, 16, 2, 25, 1)
    """

    def __init__(self, limit: int, make: Callable[[Any], Any] | None = None):
        super().__init__()
        self.limit = limit
        self.make = make
        _word_caches.add(self)

    def __missing__(self, key: Any) -> Any:
        if self.make is None:
            raise KeyError(key)
        return self.put(key, self.make(key))

    def put(self, key: Any, value: Any) -> Any:
        """Keep ``value`` for ``key`` (emptying the cache first when it is full); returns it."""
        if len(self) >= self.limit:
            self.clear()
        self[key] = value
        return value

    __hash__ = object.__hash__  # kept in a WeakSet: hashed by identity, as the object it is


def memoize(maxsize: int) -> Callable[[F], F]:
    """``functools.lru_cache(maxsize)``, registered so :func:`clear_caches` empties it."""

    def decorate(function: F) -> F:
        cached = functools.lru_cache(maxsize=maxsize)(function)
        _clearers.append(cached.cache_clear)
        return cached  # type: ignore[return-value]

    return decorate


def register(clear: Callable[[], None]) -> None:
    """Have :func:`clear_caches` call ``clear`` too (a cache kept in another shape)."""
    _clearers.append(clear)


def clear_caches() -> None:
    """Empty every cache made here or registered."""
    for cache in list(_word_caches):
        cache.clear()
    for clear in _clearers:
        clear()


def cache_sizes() -> list[int]:
    """The number of entries of every :class:`WordCache` and memoized function (for tests)."""
    sizes = [len(cache) for cache in list(_word_caches)]
    for clear in _clearers:
        owner = getattr(clear, "__self__", None)
        info = getattr(owner, "cache_info", None)
        if info is not None:
            sizes.append(info().currsize)
    return sizes
