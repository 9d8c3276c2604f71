"""What is in an index: document counts by language and year, size on disk, last update."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

from whoosh import sorting
from whoosh.query import Every

from search_service.engine import store
from search_service.schema import LANG_FIELD, YEAR_FIELD


def index_stats(index_dir: Path) -> dict[str, Any]:
    """Counts of the served index; raises :class:`store.IndexMissing` when there is none."""
    ix, generation = store.open_current(index_dir)
    try:
        with ix.searcher() as searcher:
            counts = {}
            for name in (LANG_FIELD, YEAR_FIELD):
                groups = searcher.search(
                    Every(), limit=None, groupedby=sorting.FieldFacet(name)
                ).groups()
                counts[name] = {key: len(docs) for key, docs in sorted(groups.items())}
            documents = searcher.doc_count()
    finally:
        ix.close()
    meta = store.read_meta(generation)
    return {
        "documents": documents,
        "by_language": counts[LANG_FIELD],
        "by_year": counts[YEAR_FIELD],
        "size_bytes": _folder_size(generation),
        "last_update": meta.get("last_update"),
        "built_at": meta.get("built_at"),
        "generation": generation.name,
        "index_format": meta.get(store.FORMAT_KEY),
        "index_dir": str(Path(index_dir).resolve()),
        "last_job": meta.get("summary"),
    }


def _folder_size(folder: Path) -> int:
    return sum(entry.stat().st_size for entry in os.scandir(folder) if entry.is_file())
