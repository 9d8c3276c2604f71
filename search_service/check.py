"""Verify an index folder: what a monitor or the nightly job runs after an update.

The steps, each needing the ones before it:

1. ``current`` is a symbolic link to an existing generation folder of this index;
2. the generation is of the index format this version reads (``meta.json``);
3. every file the job recorded in ``meta.json`` is there, of the recorded size, readable to
   its last byte and holding the bytes that were written (SHA-256);
4. Whoosh opens every segment, each per-document column holds one value per document, and the
   index opens and answers a search the way the server opens it;
5. the document count agrees: Whoosh's, ``meta.json``'s and ``manifest.json.gz``'s, and the
   documents' ids are those of the manifest.

Every problem found is named; :func:`check_index` never raises for a damaged index.
"""

from __future__ import annotations

import os
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from whoosh import index as whoosh_index

from search_service.engine import store
from search_service.engine.posting_arrays import ARRAYS_EXT, ARRAYS_TABLE_EXT
from search_service.index_errors import IndexStoreError, IndexUnreadable
from search_service.schema import ID_FIELD
from search_service.typeahead import COUNTS_FILE, TABLE_FILE

SHOWN_IDS = 5  # ids named in a problem; the rest are counted

# Problem codes, also in the JSON report.
NO_INDEX = "no-index"
CURRENT = "current-pointer"
FORMAT = "format"
MISSING_FILE = "missing-file"
FILE_SIZE = "file-size"
UNREADABLE_FILE = "unreadable-file"
CHECKSUM = "checksum"
SEGMENT = "segment"
DOCUMENTS = "documents"

# What the last part of a file name says the file is (for the messages).
_FILE_KINDS = (
    (".toc", "Whoosh's table of contents"),
    (".trm", "term table"),
    (".pst", "postings"),
    (".vps", "term vectors"),
    ("._stored.col", "stored fields"),
    ("_len.col", "field lengths"),
    (".col", "column"),
    (ARRAYS_EXT, "posting arrays"),
    (ARRAYS_TABLE_EXT, "posting array table"),
    (store.MANIFEST_FILE, "the source of every document"),
    (COUNTS_FILE, "type-ahead word counts"),
    (TABLE_FILE, "type-ahead table"),
)
# The files the jobs write beside the segments (the others are segment files, MAIN_<id>.*).
_GENERATION_FILES = frozenset({store.MANIFEST_FILE, store.WORDS_FILE, *store.SIDECAR_FILES})


@dataclass
class Problem:
    code: str
    message: str


@dataclass
class CheckReport:
    """What :func:`check_index` found."""

    index_dir: Path
    generation: str | None = None
    index_format: int | None = None
    documents: int | None = None
    files: int = 0
    size_bytes: int = 0
    problems: list[Problem] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.problems

    def add(self, code: str, message: str) -> None:
        self.problems.append(Problem(code, message))

    def codes(self) -> set[str]:
        return {problem.code for problem in self.problems}

    def as_dict(self) -> dict[str, Any]:
        return {
            "ok": self.ok,
            "index_dir": str(self.index_dir),
            "generation": self.generation,
            "index_format": self.index_format,
            "documents": self.documents,
            "files": self.files,
            "size_bytes": self.size_bytes,
            "problems": [{"code": p.code, "message": p.message} for p in self.problems],
        }


def check_index(index_dir: Path) -> CheckReport:
    """Check the index in ``index_dir``; the report lists every problem found."""
    index_dir = Path(index_dir).absolute()
    report = CheckReport(index_dir)
    generation = _check_current(index_dir, report)
    if generation is None:
        return report
    report.generation = generation.name
    try:
        report.index_format = store.check_format(index_dir, generation)
    except IndexUnreadable as error:
        report.add(FORMAT, error.reason)
        return report
    meta = store.read_meta(generation)
    _check_files(generation, meta, report)
    found = _check_segments(index_dir, generation, report)
    if found is None:
        return report
    _check_documents(generation, meta, found, report)
    return report


def _check_current(index_dir: Path, report: CheckReport) -> Path | None:
    link = index_dir / store.CURRENT
    if not index_dir.is_dir():
        report.add(NO_INDEX, f"there is no index folder {index_dir}")
        return None
    if not os.path.lexists(link):
        finished = [g.name for g in index_dir.glob(store.GENERATION_PREFIX + "*") if g.is_dir()]
        if finished:
            report.add(
                CURRENT,
                f"there is no `{store.CURRENT}` pointer, but generations are there: "
                f"{', '.join(sorted(finished))}",
            )
        else:
            report.add(NO_INDEX, f"no index in {index_dir}: nothing was built there yet")
        return None
    if not link.is_symlink():
        report.add(CURRENT, f"`{store.CURRENT}` is not a symbolic link to a generation")
        return None
    target = os.readlink(link)
    if "/" in target or not target.startswith(store.GENERATION_PREFIX):
        report.add(
            CURRENT, f"`{store.CURRENT}` points to {target!r}, not to a generation of this index"
        )
        return None
    generation = index_dir / target
    if not generation.is_dir():
        report.add(CURRENT, f"`{store.CURRENT}` points to {target}, which does not exist")
        return None
    return generation


def _check_files(generation: Path, meta: dict[str, Any], report: CheckReport) -> None:
    recorded = meta.get("files")
    if not isinstance(recorded, dict) or not recorded:
        report.add(MISSING_FILE, f"{store.META_FILE} lists no files of the index")
        return
    for name, written in sorted(recorded.items()):
        path = generation / name
        what = _describe(name)
        if not isinstance(written, dict) or not isinstance(written.get("size"), int):
            report.add(FORMAT, f"{store.META_FILE} records no size and digest for {name}")
            continue
        try:
            info = path.lstat()
        except FileNotFoundError:
            report.add(MISSING_FILE, f"{name} ({what}) is missing")
            continue
        except OSError as error:
            report.add(UNREADABLE_FILE, f"{name} ({what}) cannot be read: {error.strerror}")
            continue
        if not path.is_file() or path.is_symlink():
            report.add(UNREADABLE_FILE, f"{name} ({what}) is not a regular file")
            continue
        report.files += 1
        report.size_bytes += info.st_size
        size = written["size"]
        if info.st_size != size:
            how = "truncated" if info.st_size < size else "grown"
            report.add(
                FILE_SIZE,
                f"{name} ({what}) is {info.st_size} bytes, {size} when it was written ({how})",
            )
        try:
            digest, read = store.file_digest(path)
        except OSError as error:
            report.add(UNREADABLE_FILE, f"{name} ({what}) cannot be read: {error.strerror}")
            continue
        if read != info.st_size:
            report.add(UNREADABLE_FILE, f"{name} ({what}) ends after {read} of its bytes")
        elif info.st_size == size and digest != written.get("sha256"):
            report.add(
                CHECKSUM,
                f"{name} ({what}) does not hold the bytes that were written (SHA-256 differs)",
            )


def _describe(name: str) -> str:
    kind = next((kind for suffix, kind in _FILE_KINDS if name.endswith(suffix)), "index file")
    if name.startswith("_") or "." not in name or name in _GENERATION_FILES:
        return kind  # the table of contents is named _MAIN_<n>.toc; segment files MAIN_<id>.*
    return f"{kind} of segment {name.split('.', 1)[0]}"


def _check_segments(index_dir: Path, generation: Path, report: CheckReport) -> int | None:
    """Open every segment and its columns; then open the index the way the server does and
    search for everything. The number of documents found, or None when the index cannot be
    opened or searched."""
    from search_service.models import SearchRequest
    from search_service.searcher import ArchiveSearcher
    from search_service.vocabulary import NEWEST

    try:
        ix = whoosh_index.open_dir(str(generation))
    except Exception as error:
        report.add(SEGMENT, f"Whoosh cannot open the index: {error!r}")
        return None
    try:
        with ix.reader() as reader:
            leaves = reader.leaf_readers() if not reader.is_atomic() else [(reader, 0)]
            columns = [name for name, f in ix.schema.items() if f.column_type]
            for leaf, _ in leaves:
                _check_segment(leaf, columns, report)
    except Exception as error:
        report.add(SEGMENT, f"Whoosh cannot read the index: {error!r}")
        return None
    finally:
        ix.close()
    searcher = ArchiveSearcher(index_dir, posting_cache_mb=1)
    try:
        return searcher.search(SearchRequest(sort=NEWEST)).total
    except Exception as error:
        report.add(SEGMENT, f"the index cannot be searched: {error}")
        return None
    finally:
        searcher.close()


def _check_segment(leaf: Any, columns: list[str], report: CheckReport) -> None:
    segment = leaf.segment()
    name, size = segment.segment_id(), segment.doc_count_all()
    for column in columns:
        try:
            values = leaf.column_reader(column)
            count = sum(1 for _ in values)
        except Exception as error:
            report.add(SEGMENT, f"segment {name}: the {column!r} column cannot be read: {error!r}")
            continue
        if count != size:
            report.add(
                SEGMENT,
                f"segment {name}: the {column!r} column holds {count} values for {size} documents",
            )


def _check_documents(
    generation: Path, meta: dict[str, Any], found: int, report: CheckReport
) -> None:
    ix = whoosh_index.open_dir(str(generation))
    try:
        held = ix.doc_count()
        ids: Counter[str] = Counter()
        with ix.reader() as reader:
            leaves = reader.leaf_readers() if not reader.is_atomic() else [(reader, 0)]
            for leaf, _ in leaves:
                for docnum, value in enumerate(leaf.column_reader(ID_FIELD)):
                    if not leaf.is_deleted(docnum):
                        ids[value] += 1
    except Exception as error:  # named already by the column check
        report.add(DOCUMENTS, f"the documents' ids cannot be read: {error!r}")
        return
    finally:
        ix.close()
    report.documents = held
    if found != held:
        report.add(DOCUMENTS, f"a search for everything finds {found} documents of {held}")
    recorded = meta.get("documents")
    if recorded != held:
        report.add(
            DOCUMENTS, f"{store.META_FILE} records {recorded} documents; the index holds {held}"
        )
    try:
        manifest = store.read_manifest(generation)
    except IndexStoreError as error:
        report.add(MISSING_FILE, str(error))
        return
    if len(manifest) != held:
        report.add(
            DOCUMENTS,
            f"{store.MANIFEST_FILE} lists {len(manifest)} documents; the index holds {held}",
        )
    twice = sorted(doc_id for doc_id, n in ids.items() if n > 1)
    if twice:
        report.add(DOCUMENTS, f"ids in the index more than once: {_some(twice)}")
    not_indexed = sorted(set(manifest) - set(ids))
    if not_indexed:
        report.add(
            DOCUMENTS,
            f"{len(not_indexed)} documents of {store.MANIFEST_FILE} are not in the index: "
            f"{_some(not_indexed)}",
        )
    unlisted = sorted(set(ids) - set(manifest))
    if unlisted:
        report.add(
            DOCUMENTS,
            f"{len(unlisted)} documents of the index are not in {store.MANIFEST_FILE}: "
            f"{_some(unlisted)}",
        )


def _some(ids: list[str]) -> str:
    shown = ", ".join(ids[:SHOWN_IDS])
    return shown + (f" and {len(ids) - SHOWN_IDS} more" if len(ids) > SHOWN_IDS else "")


def describe(report: CheckReport) -> str:
    """The report as lines of text."""
    lines = [f"index:     {report.index_dir}"]
    if report.generation:
        lines.append(f"current:   {report.generation}")
    if report.index_format is not None:
        lines.append(f"format:    {report.index_format}")
    if report.files:
        lines.append(f"files:     {report.files} ({report.size_bytes / 1e6:.1f} MB) read")
    if report.documents is not None:
        lines.append(f"documents: {report.documents}")
    for problem in report.problems:
        lines.append(f"problem:   [{problem.code}] {problem.message}")
    lines.append("ok" if report.ok else f"{len(report.problems)} problem(s) found")
    return "\n".join(lines)
