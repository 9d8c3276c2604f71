"""The benchmark's corpus: the real one (tarballs) or any archive folder, and copies of it.

A source is either a folder holding the corpus tarballs (``kk.tar.gz``, ``kk-cyr.tar.gz``,
``ru.tar.gz``), which are extracted into the work folder, or an archive root used as it is.
Larger corpora for the scale runs, and the new articles of the update run, are COPIES of the
real articles: each copy lives under its own folder (so it gets a new id) and has its date
moved back by a fixed number of days per copy. The text is unchanged, so the vocabulary and
the term frequencies of a replicated corpus are those of the real one, only multiplied.
"""

from __future__ import annotations

import datetime as dt
import re
import tarfile
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

from search_service.archive import Article, read_article, walk_archive

CORPUS_TARBALLS = ("kk.tar.gz", "kk-cyr.tar.gz", "ru.tar.gz")
MAX_FILE_BYTES = 5_000_000
SHIFT_DAYS_PER_COPY = 91  # copy k of an article is dated k * 91 days before the original

_FIRST_LINE = re.compile(rb"^(\xef\xbb\xbf)?(date[ \t]+)(\d{4})-(\d{2})-(\d{2})", re.IGNORECASE)


@dataclass
class Corpus:
    """Archive roots and what they hold (only files the reader accepts are counted).

    ``files`` are the real articles that copies are made from (for a replicated corpus, the
    real corpus's files, not the copies).
    """

    roots: list[Path]
    documents: int = 0
    bytes: int = 0
    by_language: Counter = field(default_factory=Counter)
    skipped: int = 0
    files: list[Path] = field(default_factory=list)  # the accepted article files
    note: str = ""

    def describe(self) -> dict:
        return {
            "roots": [str(root) for root in self.roots],
            "documents": self.documents,
            "megabytes": round(self.bytes / 1e6, 2),
            "by_language": dict(sorted(self.by_language.items())),
            "files_skipped_by_reader": self.skipped,
            "note": self.note,
        }


def prepare_corpus(
    sources: list[Path], work: Path, tarballs: Sequence[str] = CORPUS_TARBALLS
) -> Corpus:
    """Resolve the ``--corpus`` folders into archive roots, extracting tarballs into ``work``.

    Only the tarballs named in ``tarballs`` are taken from a folder (all three by default).
    """
    roots: list[Path] = []
    notes = []
    for source in sources:
        source = Path(source)
        found = [source / name for name in tarballs if (source / name).is_file()]
        if found:
            target = work / "corpus" / source.resolve().name
            for tarball in found:
                _extract(tarball, target)
            roots.append(target)
            notes.append(f"{source}: " + ", ".join(t.name for t in found))
        elif source.is_dir():
            roots.append(source)
            notes.append(f"{source}: archive folder")
        else:
            raise FileNotFoundError(f"corpus folder not found: {source}")
    corpus = scan(roots)
    corpus.note = "; ".join(notes)
    return corpus


def _extract(tarball: Path, target: Path) -> None:
    """Extract once: a marker file says the tarball was already extracted completely."""
    marker = target / f".extracted-{tarball.name}"
    if marker.exists():
        return
    target.mkdir(parents=True, exist_ok=True)
    with tarfile.open(tarball) as archive:
        archive.extractall(target, filter="data")
    marker.touch()


def scan(roots: list[Path]) -> Corpus:
    """Read every file once, as the indexer would, and count what it accepts."""
    corpus = Corpus(roots=list(roots))
    seen: set[str] = set()
    for file in walk_archive(roots):
        item = read_article(file, MAX_FILE_BYTES)
        if not isinstance(item, Article) or item.id in seen:
            corpus.skipped += 1
            continue
        seen.add(item.id)
        corpus.documents += 1
        corpus.bytes += item.size
        corpus.by_language[item.language] += 1
        corpus.files.append(file.path)
    return corpus


def shifted(data: bytes, days: int) -> bytes:
    """The file's bytes with the date on line 1 moved back by ``days`` (or unchanged).

    >>> shifted(b"date 2025-03-07 Headline\\nBody", 10)
    b'date 2025-02-25 Headline\\nBody'
    """
    match = _FIRST_LINE.match(data)
    if not match:
        return data  # e.g. UTF-16: the copy keeps its date but still gets a new id
    bom, prefix, year, month, day = match.groups()
    try:
        date = dt.date(int(year), int(month), int(day)) - dt.timedelta(days=days)
    except (ValueError, OverflowError):
        return data
    head = (bom or b"") + prefix + date.isoformat().encode()
    return head + data[match.end() :]


def write_copies(
    corpus: Corpus,
    target: Path,
    count: int,
    first_copy: int = 1,
    shift_days: int | None = None,
) -> int:
    """Write ``count`` copies of the corpus's articles under ``target``; returns files written.

    Copy ``k`` of the whole corpus goes to ``target/c{k}/<original relative path>`` with its
    date moved back ``k * SHIFT_DAYS_PER_COPY`` days (or ``shift_days``); the last copy may be
    partial.
    """
    if not corpus.files:
        raise ValueError("the corpus has no articles to copy")
    written = 0
    copy = first_copy
    while written < count:
        for path in corpus.files:
            if written == count:
                break
            root = next(r for r in corpus.roots if path.is_relative_to(r))
            destination = target / f"c{copy:04d}" / path.relative_to(root)
            destination.parent.mkdir(parents=True, exist_ok=True)
            days = copy * SHIFT_DAYS_PER_COPY if shift_days is None else shift_days
            destination.write_bytes(shifted(path.read_bytes(), days))
            written += 1
        copy += 1
    return written


def replicate(corpus: Corpus, target: Path, documents: int) -> Corpus:
    """A corpus of ``documents`` articles: the real ones plus dated-back copies in ``target``.

    The copies are written once; a later run with the same target reuses them.
    """
    extra = max(0, documents - corpus.documents)
    marker = target / f".replicated-{extra}"
    if not marker.exists():
        target.mkdir(parents=True, exist_ok=True)
        write_copies(corpus, target, extra)
        marker.touch()
    scaled = Corpus(roots=[*corpus.roots, target], files=corpus.files)
    scaled.documents = corpus.documents + extra
    # Copies repeat the real articles in order, so the bytes scale the same way.
    whole, part = divmod(scaled.documents, corpus.documents) if corpus.documents else (0, 0)
    scaled.bytes = whole * corpus.bytes + _bytes_of(corpus.files[:part])
    scaled.note = (
        f"{corpus.documents} real articles replicated to {scaled.documents}: copy k has a new id "
        f"(folder c{{k}}/) and its date moved back k*{SHIFT_DAYS_PER_COPY} days"
    )
    return scaled


def _bytes_of(paths: list[Path]) -> int:
    return sum(path.stat().st_size for path in paths)
