"""Word lists kept as plain UTF-8 files in ``text/data/``, read once when a module loads.

A list file holds one item per line; a ``#`` starts a comment (a whole line or the end of
one) and blank lines are skipped. Each file's header says what the list is for and which
module reads it. The Kazakh lexicon files (``kk_nouns.txt`` and the like) are read by
:mod:`.kazakh` itself, which folds their spelling.
"""

from __future__ import annotations

from pathlib import Path

DATA = Path(__file__).parent / "data"


def read_items(name: str) -> list[str]:
    """The items of list file ``name`` in ``text/data/``, in file order.

    >>> read_items("kk_stopwords.txt")[:3]
    ['және', 'мен', 'бен']
    """
    items = []
    for line in (DATA / name).read_text(encoding="utf-8").splitlines():
        item = line.split("#", 1)[0].strip()
        if item:
            items.append(item)
    return items


def read_paradigms(name: str) -> dict[str, list[str]]:
    """A paradigm file: one ``key: form form ...`` per line, as a dict of key -> forms.

    >>> read_paradigms("kk_paradigms.txt")["кел"]
    ['кеп']
    """
    paradigms: dict[str, list[str]] = {}
    for item in read_items(name):
        key, _, forms = item.partition(":")
        paradigms[key.strip()] = forms.split()
    return paradigms
