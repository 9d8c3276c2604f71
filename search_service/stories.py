"""Near-duplicate groups of the served generation as per-document arrays, for folding.

:mod:`search_service.dupes` writes ``{document id: group id}`` beside each generation; here
it becomes a group number per Whoosh document number, made once when a generation is opened.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from weakref import WeakKeyDictionary

import numpy as np
from whoosh.searching import Searcher

from search_service import dupes
from search_service.schema import ID_FIELD

FOLD = "fold"
SHOW = "show"
DUPES_MODES = (FOLD, SHOW)


class StoryGroups:
    """``group_of[docnum]``: the document's group number, -1 when it is in no group;
    ``names[number]``: the group's id (the id of its first member)."""

    def __init__(self, group_of: np.ndarray, names: list[str]):
        self.group_of = group_of
        self.names = names
        self._numbers = {name: number for number, name in enumerate(names)}

    @classmethod
    def of(cls, searcher: Searcher, generation: Path) -> StoryGroups:
        group_of = np.full(searcher.doc_count_all(), -1, dtype=np.int64)
        names: list[str] = []
        numbers: dict[str, int] = {}
        docnum_of = _document_numbers(searcher)
        for doc_id, group in sorted(dupes.load_groups(generation).items()):
            docnum = docnum_of(doc_id)
            if docnum is None:
                continue
            number = numbers.setdefault(group, len(names))
            if number == len(names):
                names.append(group)
            group_of[docnum] = number
        return cls(group_of, names)

    def members(self, group: str) -> np.ndarray:
        """The documents of the group named ``group`` (none for an unknown name)."""
        number = self._numbers.get(group)
        if number is None:
            return np.zeros(self.group_of.shape, dtype=bool)
        return self.group_of == number

    @property
    def empty(self) -> bool:
        return not self.names


def _document_numbers(searcher: Searcher) -> Callable[[str], int | None]:
    """Each live document's number by its id, read from the id column (sortable in every
    index of the current format) in one pass: a term look-up per grouped document took 60 s
    at 1,000,000 articles, most of them copies in a group."""
    reader = searcher.reader()
    ids = reader.column_reader(ID_FIELD)
    if reader.has_deletions():  # an update's replaced documents keep their ids in the column
        live = set(reader.all_doc_ids())
        found = {doc_id: n for n, doc_id in enumerate(ids) if n in live}
    else:
        found = {doc_id: n for n, doc_id in enumerate(ids)}
    return found.get


_groups_by_searcher: WeakKeyDictionary[Searcher, StoryGroups] = WeakKeyDictionary()


def attach(searcher: Searcher, generation: Path) -> None:
    """Load the groups of ``generation`` for ``searcher`` (when a generation is opened)."""
    _groups_by_searcher[searcher] = StoryGroups.of(searcher, generation)


def groups_of(searcher: Searcher) -> StoryGroups | None:
    return _groups_by_searcher.get(searcher)
