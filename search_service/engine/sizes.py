"""What each part of an index generation takes on disk: each field's share of the term tables,
its postings and its posting arrays; the stored fields; the columns; the files beside the index.

A Whoosh 3 segment keeps one term table and one postings file for all its fields. A field's
share of the term table is in proportion to the bytes of its entries (terms in few documents
have their postings inlined there, positions and all), its share of the postings file in
proportion to its terms' posting blocks, and the hash tables and headers of each file are
shared out the same way, so the parts add up to the folder's size exactly.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path

from whoosh import index as whoosh_index

from search_service.engine.posting_arrays import ARRAYS_EXT, ARRAYS_TABLE_EXT, StoredArrays
from search_service.engine.store import MANIFEST_FILE, META_FILE, SIDECAR_FILES, WORDS_FILE
from search_service.engine.whoosh_internals import segment_storage, term_table_entries

# The parts of a generation that are not one field's, in the order they are shown.
STORED = "stored fields"
COLUMNS = "columns and field lengths"
TYPEAHEAD = "type-ahead"
DUPES = "near-duplicates"
WORDS = "word analyses"
MANIFEST = "manifest and meta"
OTHER = "other index files"
PARTS = (STORED, COLUMNS, TYPEAHEAD, DUPES, WORDS, MANIFEST, OTHER)


@dataclass
class FieldSize:
    """Bytes of one indexed field: its share of the term tables and postings files, and its
    posting arrays (with their share of the arrays' tables)."""

    terms: int = 0
    term_table: int = 0
    postings: int = 0
    arrays: int = 0

    @property
    def total(self) -> int:
        return self.term_table + self.postings + self.arrays


@dataclass
class GenerationSizes:
    total: int
    fields: dict[str, FieldSize] = field(default_factory=dict)
    parts: dict[str, int] = field(default_factory=lambda: dict.fromkeys(PARTS, 0))


def generation_sizes(generation: Path) -> GenerationSizes:
    """The sizes of a generation's parts; they add up to ``total``, the folder's size."""
    files = {
        entry.name: entry.stat().st_size for entry in os.scandir(generation) if entry.is_file()
    }
    sizes = GenerationSizes(total=sum(files.values()))
    ix = whoosh_index.open_dir(str(generation))
    try:
        with ix.reader() as reader:
            for leaf, _ in reader.leaf_readers():
                _add_segment(sizes, leaf, files)
    finally:
        ix.close()
    for name, size in files.items():  # what no segment claimed
        sizes.parts[_part_of(name)] += size
    return sizes


def _add_segment(sizes: GenerationSizes, reader, files: dict[str, int]) -> None:
    found = segment_storage(reader)
    if found is None:
        return
    segment, _, _ = found
    prefix = segment.segment_id() + "."
    mine = {name: files.pop(name) for name in list(files) if name.startswith(prefix)}

    entries: dict[str, int] = {}
    postings: dict[str, int] = {}
    for name, entry_bytes, posting_bytes in term_table_entries(reader):
        fs = sizes.fields.setdefault(name, FieldSize())
        fs.terms += 1
        entries[name] = entries.get(name, 0) + entry_bytes
        postings[name] = postings.get(name, 0) + posting_bytes
    arrays = StoredArrays.of(reader)
    array_bytes = arrays.bytes_by_field() if arrays is not None else {}

    for name, size in mine.items():
        suffix = name[len(prefix) - 1 :]
        if suffix == ".trm":
            _share(sizes, "term_table", size, entries)
        elif suffix == ".pst":
            _share(sizes, "postings", size, postings)
        elif suffix in (ARRAYS_EXT, ARRAYS_TABLE_EXT):
            _share(sizes, "arrays", size, array_bytes)
        elif suffix == "._stored.col":
            sizes.parts[STORED] += size
        elif suffix.endswith(".col"):
            sizes.parts[COLUMNS] += size
        else:
            sizes.parts[OTHER] += size


def _share(sizes: GenerationSizes, attribute: str, size: int, weights: dict[str, int]) -> None:
    """Share ``size`` bytes out to the fields in proportion to ``weights``; the rounding's
    remainder goes to the heaviest field, so the shares add up to ``size``."""
    total = sum(weights.values())
    if not total:
        sizes.parts[OTHER] += size
        return
    given = 0
    for name, weight in weights.items():
        share = size * weight // total
        fs = sizes.fields.setdefault(name, FieldSize())
        setattr(fs, attribute, getattr(fs, attribute) + share)
        given += share
    heaviest = sizes.fields[max(weights, key=weights.__getitem__)]
    setattr(heaviest, attribute, getattr(heaviest, attribute) + size - given)


def _part_of(name: str) -> str:
    if name in SIDECAR_FILES:  # the store's list; each module's files carry its name
        return TYPEAHEAD if name.startswith("typeahead") else DUPES
    if name == WORDS_FILE:
        return WORDS
    if name in (MANIFEST_FILE, META_FILE):
        return MANIFEST
    return OTHER
