"""What is in an index: document counts by language and year, size on disk, last update.

Also what the web layer and the CLI ask of the served generation without opening it (its
``meta.json``, whether this version reads its format): they reach the store through here.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

from whoosh import sorting
from whoosh.query import Every

from search_service.engine import sizes, store
from search_service.index_errors import IndexMissing
from search_service.schema import LANG_FIELD, YEAR_FIELD


def index_stats(index_dir: Path) -> dict[str, Any]:
    """Counts of the served index; raises :class:`IndexMissing` when there is none."""
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


def index_sizes(index_dir: Path) -> dict[str, Any]:
    """What each part of the served generation takes on disk (see :mod:`.engine.sizes`), in
    bytes: per indexed field (largest first) and the other parts; raises
    :class:`IndexMissing` when there is no index."""
    generation = store.current_generation(index_dir)
    if generation is None:
        raise store.no_index(index_dir)
    found = sizes.generation_sizes(generation)
    fields = sorted(found.fields.items(), key=lambda item: -item[1].total)
    return {
        "total_bytes": found.total,
        "fields": {
            name: {
                "terms": size.terms,
                "term_table_bytes": size.term_table,
                "postings_bytes": size.postings,
                "arrays_bytes": size.arrays,
                "total_bytes": size.total,
            }
            for name, size in fields
        },
        "parts": {name: found.parts[name] for name in sizes.PARTS},
    }


def served_meta(index_dir: Path) -> tuple[Path, dict[str, Any]]:
    """The served generation and its ``meta.json``, without opening the index; raises
    :class:`IndexMissing` when nothing was built."""
    generation = store.current_generation(index_dir)
    if generation is None:
        raise IndexMissing(f"no index in {index_dir}")
    return generation, store.read_meta(generation)


def served_format(index_dir: Path) -> int | None:
    """The served generation's index format, ``None`` when nothing was built; raises
    :class:`~search_service.index_errors.IndexUnreadable` when this version cannot read it."""
    generation = store.current_generation(index_dir)
    if generation is None:
        return None
    return store.check_format(index_dir, generation)


def _folder_size(folder: Path) -> int:
    return sum(entry.stat().st_size for entry in os.scandir(folder) if entry.is_file())
