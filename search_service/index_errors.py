"""The problems of an index folder that a user can act on: raised by the engine (the store,
the indexer, the searcher), answered by each layer in its own way (a 503 page or JSON error,
an exit code of the CLI) without importing the engine.
"""

from __future__ import annotations

from pathlib import Path


class IndexStoreError(Exception):
    """Base for index-folder problems that a user can act on."""


class IndexMissing(IndexStoreError):
    """There is no built index in the folder."""


class JobLocked(IndexStoreError):
    """Another build or update holds the job lock."""


class IndexUnreadable(IndexStoreError):
    """The served index is of a format this version cannot read, or is no index: rebuild."""

    def __init__(self, index_dir: Path, reason: str):
        super().__init__(
            f"the index in {index_dir} cannot be read by this version of archive search: "
            f"{reason}; rebuild it with `search-service build --index {index_dir}`"
        )
        self.reason = reason
