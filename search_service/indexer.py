"""The indexer: archive articles -> Whoosh documents; the ``build`` and ``update`` jobs.

Both jobs run under the index folder's job lock, write a new generation and switch it in
atomically (see :mod:`search_service.engine.store`), so a searcher never sees a partial index and a
job that dies leaves the served index as it was.
"""

from __future__ import annotations

import datetime as dt
import logging
import os
import time
from collections import Counter
from collections.abc import Callable, Iterable
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from whoosh import index as whoosh_index

from search_service import dupes, words
from search_service.analysis import LangText
from search_service.archive import (
    SKIP_DUPLICATE_ID,
    ArchiveFile,
    Article,
    Skip,
    article_id,
    read_article,
    walk_archive,
)
from search_service.engine import store
from search_service.engine.parallel import SpawnMpWriter
from search_service.engine.segment_writer import BuildSegmentWriter, fewer_collections
from search_service.engine.term_infos import CompactCodec
from search_service.index_errors import IndexMissing, IndexStoreError
from search_service.schema import build_schema, date_number
from search_service.sidecars import PART_SUFFIX as SIDECAR_PART_SUFFIX
from search_service.sidecars import Sidecars
from search_service.text.cities import canonical_city
from search_service.text.translit import detect_variant

log = logging.getLogger(__name__)

# How many documents each sub-process of a multi-process build receives at a time.
MP_BATCH_SIZE = 64
# Memory for postings before the writer spills them to a sorted run on disk, in MB, shared by
# the workers of a multi-process build. The real corpus (4,250 articles) fits without a spill.
WRITER_LIMIT_MB = 512
# zlib level of Whoosh's posting blocks (Whoosh's own default). Measured without compression
# (0): the build 0-13% faster and a word's postings read about 25% faster the first time, but
# the index 2.5 times larger at 200,000 articles (3.4 GB against 1.4 GB): not worth it.
POSTING_COMPRESSION = 3
# Terms in fewer documents than this (per segment) are stored inline in the term table instead
# of as a compressed block in the postings file (Whoosh's ``inlinelimit``; its default, 1, never
# inlines). Most of a news archive's terms are in one or two documents.
INLINE_LIMIT = 8
# Terms in at least this many documents (per segment) also get their postings stored as plain
# arrays, read without unpickling (see posting_arrays.PostingArrays). At 200,000 articles they
# are the words whose first search read hundreds of posting blocks.
ARRAY_MIN_DOCS = 256

ProgressCallback = Callable[[int, int], None]  # (files done, files in all)


@dataclass
class RunSummary:
    """What a build or update did; printed at the end and stored with the generation."""

    job: str
    added: int = 0
    updated: int = 0
    deleted: int = 0
    unchanged: int = 0
    skipped: Counter = field(default_factory=Counter)
    recoded: Counter = field(default_factory=Counter)
    documents: int = 0
    seconds: float = 0.0
    changed: bool = True

    @property
    def skipped_total(self) -> int:
        return sum(self.skipped.values())

    def as_dict(self) -> dict[str, Any]:
        return {
            "job": self.job,
            "added": self.added,
            "updated": self.updated,
            "deleted": self.deleted,
            "unchanged": self.unchanged,
            "skipped": dict(sorted(self.skipped.items())),
            "skipped_total": self.skipped_total,
            "recoded": dict(sorted(self.recoded.items())),
            "documents": self.documents,
            "seconds": round(self.seconds, 3),
            "changed": self.changed,
        }

    def describe(self) -> str:
        """One line for people and logs."""
        if not self.changed:
            return (
                f"{self.job}: nothing changed ({self.unchanged} documents up to date, "
                f"{self.skipped_total} files skipped); {self.seconds:.1f} s"
            )
        skipped = ", ".join(f"{reason} {n}" for reason, n in sorted(self.skipped.items()))
        return (
            f"{self.job}: {self.added} added, {self.updated} updated, {self.deleted} deleted, "
            f"{self.unchanged} unchanged, {self.skipped_total} skipped"
            + (f" ({skipped})" if skipped else "")
            + f"; {self.documents} documents in the index; {self.seconds:.1f} s"
        )


def article_document(article: Article) -> dict[str, Any]:
    """The Whoosh document of one article."""
    headline = LangText(article.headline, article.language)
    body = LangText(article.body, article.language, headline=headline)
    return {
        "id": article.id,
        "path": article.path,
        "root": article.root,
        "date": date_number(article.date),
        "year": f"{article.date.year:04d}",
        "month": f"{article.date.year:04d}-{article.date.month:02d}",
        "lang": article.language,
        "script": article.script,
        "city": canonical_city(article.city, _variant(article)),
        "agency": article.agency,
        "headline": article.headline,
        "body": article.body,
        # The headline's and the body's fields share one string object each, so the text is
        # analysed once per document (see analysis.analysed_terms).
        "title": headline,
        "title_exact": headline,
        "text": body,
        "text_exact": body,
        "fold": body,  # with the headline's fold keys (LangText.headline)
        # Made from the analysis by the segment writer (analysis.WordTable).
        "headline_words": headline,
        "body_words": body,
    }


def _variant(article: Article) -> str | None:
    """The Latin Kazakh alphabet of a Latin-script article, for its dateline city."""
    return detect_variant(article.body) if article.script == "Latn" else None


def build(
    roots: Iterable[Path],
    index_dir: Path,
    *,
    procs: int = 1,
    max_file_bytes: int = 5_000_000,
    progress: ProgressCallback | None = None,
) -> RunSummary:
    """Index every article under ``roots`` into a fresh generation and switch it in."""
    started = time.monotonic()
    roots = [Path(r) for r in roots]
    summary = RunSummary(job="build")
    # A job holds millions of objects to its end (postings, then the sidecars' words).
    with store.job_lock(index_dir), fewer_collections():
        store.remove_old_generations(index_dir)
        files = list(walk_archive(roots))
        known = _words_file(store.current_generation(index_dir))
        with store.fresh_generation(index_dir) as generation:
            ix = whoosh_index.create_in(str(generation), build_schema())
            manifest: Manifest = {}
            sidecars: Sidecars | None = None
            with _writer(ix, procs, known, sidecars=True) as writer:
                for done, item in enumerate(_read_all(files, max_file_bytes, summary), 1):
                    if isinstance(item, Article):
                        if item.id in manifest:
                            _count_skip(summary, _duplicate(item))
                        else:
                            manifest[item.id] = _source(item)
                            writer.add_document(**article_document(item))
                            summary.added += 1
                    if progress:
                        progress(done, len(files))
                if isinstance(writer, SpawnMpWriter):
                    # The workers' parts are merged and the files made of them alone written
                    # while the workers write their segments (see engine.parallel).
                    writer.finish_documents()
                    if writer.wait_for_parts((words.PART_SUFFIX, SIDECAR_PART_SUFFIX)):
                        sidecars = _write_word_files(generation, known)
                        dupes.import_grouping()
            _check_count(generation, summary.added)
            if sidecars is None:
                sidecars = _write_word_files(generation, known, writer)
            sidecars.write_signatures(generation)
            summary.documents = summary.added
            summary.seconds = time.monotonic() - started
            _finish(index_dir, generation, summary, roots, manifest)
    return summary


def update(
    roots: Iterable[Path],
    index_dir: Path,
    *,
    max_file_bytes: int = 5_000_000,
    progress: ProgressCallback | None = None,
) -> RunSummary:
    """Bring the index in step with the archive: add new files, re-index changed ones,
    delete documents whose files are gone. Does nothing when nothing changed."""
    if store.current_generation(index_dir) is None:
        log.info("no index in %s yet: the update runs as a full build", index_dir)
        summary = build(roots, index_dir, max_file_bytes=max_file_bytes, progress=progress)
        summary.job = "update"
        return summary
    started = time.monotonic()
    roots = [Path(r) for r in roots]
    summary = RunSummary(job="update")
    # A job holds millions of objects to its end (postings, then the sidecars' words).
    with store.job_lock(index_dir), fewer_collections():
        current = store.current_generation(index_dir)
        if current is None:
            raise IndexMissing(f"no index in {index_dir}")
        store.check_format(index_dir, current)  # never extend an index of another format
        indexed = store.read_manifest(current)
        files = list(walk_archive(roots))
        changes: list[Article] = []
        present: set[str] = set()
        for done, file in enumerate(files, 1):
            _classify(file, indexed, present, changes, summary, max_file_bytes)
            if progress:
                progress(done, len(files))
        gone = sorted(set(indexed) - present)
        if not changes and not gone:
            summary.changed = False
            summary.documents = len(indexed)
            summary.seconds = time.monotonic() - started
            return summary
        store.remove_old_generations(index_dir)
        with store.fresh_generation(index_dir) as generation:
            store.link_copy(current, generation)
            ix = whoosh_index.open_dir(str(generation))
            known = _words_file(current)
            with _writer(ix, 1, known) as writer:
                for doc_id in gone:
                    writer.delete_by_term("id", doc_id)
                    del indexed[doc_id]
                for article in changes:
                    writer.update_document(**article_document(article))
                    indexed[article.id] = _source(article)
            summary.deleted = len(gone)
            summary.documents = ix.doc_count()
            ix.close()
            words.merge(generation, known)
            Sidecars.for_update(current, generation, gone, changes).write(generation)
            summary.seconds = time.monotonic() - started
            previous = store.read_meta(current)
            _finish(index_dir, generation, summary, roots, indexed, previous)
    return summary


Manifest = dict[str, dict[str, Any]]


def _write_word_files(generation: Path, known: Path | None, writer: Any = None) -> Sidecars:
    """Write a build's words file and type-ahead files; returns its sidecars, whose
    near-duplicate files are written once the index is complete. What the workers of a
    multi-process build counted is in part files; one process's ``writer`` kept it."""
    words.merge(generation, known)
    if isinstance(writer, BuildSegmentWriter):
        sidecars = writer.sidecars
    else:
        sidecars = Sidecars.merge_parts(generation)
    sidecars.write_words(generation)
    return sidecars


def _words_file(generation: Path | None) -> Path | None:
    """The word analyses kept by ``generation`` (see :mod:`search_service.words`)."""
    if generation is None or not (generation / words.WORDS_FILE).is_file():
        return None
    return generation / words.WORDS_FILE


@contextmanager
def _writer(ix, procs: int, known_words: Path | None = None, sidecars: bool = False):
    """A Whoosh writer that commits when the block ends and cancels when it fails; its
    segment writers load the word analyses in ``known_words`` and keep the new ones, and
    with ``sidecars`` count what the sidecars need: in part files from a multi-process
    writer's workers (see Sidecars.merge_parts), on the writer itself in one process."""
    keep = {
        "known_words": str(known_words) if known_words else None,
        "parts": procs > 1,  # one process: words.merge and build take them from its memory
        "sidecars": sidecars,
    }
    # Separate segment files, not one compound file: Whoosh copies a compound file's parts
    # into memory when it opens them (the whole postings file), but maps separate files.
    if procs > 1:
        writer = SpawnMpWriter(
            ix,
            procs=procs,
            batchsize=MP_BATCH_SIZE,
            multisegment=True,
            limitmb=WRITER_LIMIT_MB // procs,
            compound=False,
            codec=_codec(),
            array_min_docs=ARRAY_MIN_DOCS,
            **keep,
        )
    else:
        writer = BuildSegmentWriter(
            ix,
            limitmb=WRITER_LIMIT_MB,
            compound=False,
            codec=_codec(),
            array_min_docs=ARRAY_MIN_DOCS,
            **keep,
        )
    try:
        yield writer
    except BaseException:
        writer.cancel()
        raise
    writer.commit()


class IncompleteBuild(IndexStoreError):
    """The new index lacks documents that were sent to it (a build worker failed)."""


def _check_count(generation: Path, added: int) -> None:
    """Refuse to switch in an index that lost documents: Whoosh's multi-process writer drops
    the segment of a worker that failed and commits the others."""
    found = whoosh_index.open_dir(str(generation)).doc_count_all()
    if found != added:
        raise IncompleteBuild(
            f"the new index holds {found} of the {added} documents sent to it (a build worker "
            "failed; see the errors above); the served index is unchanged"
        )


def _codec() -> CompactCodec:
    """The build's codec (Whoosh's, inlined terms compact) with the posting compression and
    inlining set here."""
    return CompactCodec(compression=POSTING_COMPRESSION, inlinelimit=INLINE_LIMIT)


def _source(article: Article) -> dict[str, Any]:
    return {
        "root": article.root,
        "path": article.path,
        "size": article.size,
        "mtime_ns": article.mtime_ns,
        "sha1": article.sha1,
    }


def _classify(
    file: ArchiveFile,
    indexed: dict[str, dict[str, Any]],
    present: set[str],
    changes: list[Article],
    summary: RunSummary,
    max_file_bytes: int,
) -> None:
    """Decide whether one archive file is new, changed, unchanged or skipped."""
    doc_id = article_id(file.relative) if not file.problem else ""
    if doc_id in present:
        _count_skip(summary, Skip(file.relative, str(file.root), SKIP_DUPLICATE_ID))
        return
    old = indexed.get(doc_id)
    if old is not None and not file.problem:
        present.add(doc_id)  # even if it now fails to read, its last good version stays
        try:
            info = os.stat(file.path)
        except OSError:
            info = None
        if info and (info.st_size, info.st_mtime_ns) == (old.get("size"), old.get("mtime_ns")):
            summary.unchanged += 1
            return
    item = read_article(file, max_file_bytes)
    if isinstance(item, Skip):
        _count_skip(summary, item)
        return
    _count_encoding(summary, item)
    if old is not None and old.get("sha1") == item.sha1 and old.get("root") == item.root:
        summary.unchanged += 1  # touched but not changed
        return
    present.add(item.id)
    changes.append(item)
    if old is None:
        summary.added += 1
    else:
        summary.updated += 1


def _read_all(files: list[ArchiveFile], max_file_bytes: int, summary: RunSummary):
    for file in files:
        item = read_article(file, max_file_bytes)
        if isinstance(item, Skip):
            _count_skip(summary, item)
        else:
            _count_encoding(summary, item)
        yield item


def _duplicate(article: Article) -> Skip:
    return Skip(article.path, article.root, SKIP_DUPLICATE_ID, f"id {article.id}")


def _count_skip(summary: RunSummary, skip: Skip) -> None:
    summary.skipped[skip.reason] += 1
    detail = f" ({skip.detail})" if skip.detail else ""
    log.warning("skipped %s: %s%s", Path(skip.root) / skip.path, skip.reason, detail)


def _count_encoding(summary: RunSummary, article: Article) -> None:
    if article.encoding not in ("utf-8", "utf-8-sig"):
        summary.recoded[article.encoding] += 1


def _finish(
    index_dir: Path,
    generation: Path,
    summary: RunSummary,
    roots: list[Path],
    manifest: Manifest,
    previous: dict[str, Any] | None = None,
) -> None:
    """Record what the job did in the new generation, then switch it in."""
    store.write_manifest(generation, manifest)
    now = dt.datetime.now(dt.UTC).isoformat(timespec="seconds")
    meta = {
        "built_at": (previous or {}).get("built_at", now) if summary.job == "update" else now,
        "last_update": now,
        "documents": summary.documents,
        "archive": [str(r) for r in roots],
        "summary": summary.as_dict(),
    }
    store.write_meta(generation, meta, previous)
    store.switch_current(index_dir, generation)
    store.remove_old_generations(index_dir)
