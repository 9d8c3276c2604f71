"""The index folder on disk: generations, the ``current`` pointer, the job lock, metadata.

Layout of ``index_dir``::

    current -> gen-20260124T021500123456-8f3a (symlink, switched with os.replace)
    gen-20260124T021500123456-8f3a/ (a complete Whoosh index + manifest.json.gz + meta.json)
    gen-20260123T021500654321-77c1/ (the previous generation, kept for open readers)
    job.lock                              (flock held by a running build or update)

Every job writes a new generation and switches ``current`` to it only when the generation is
complete, so a searcher never sees a half-written index and a job that dies changes nothing
that is served. An update starts its generation as hard links of the current one's files
(Whoosh never rewrites a file in place), so it costs no copying.

``meta.json``, written last, records the generation's index format (:data:`INDEX_FORMAT`), its
document count and every file with its size and SHA-256, for :mod:`search_service.check`. An
index whose format this version does not read is refused with :class:`IndexUnreadable`
(rebuild it). The errors are those of :mod:`search_service.index_errors`.
"""

from __future__ import annotations

import datetime as dt
import errno
import fcntl
import gzip
import hashlib
import json
import os
import secrets
import shutil
import zlib
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from whoosh import index as whoosh_index
from whoosh.index import Index

from search_service.index_errors import IndexMissing, IndexStoreError, IndexUnreadable, JobLocked

CURRENT = "current"
GENERATION_PREFIX = "gen-"
LOCK_FILE = "job.lock"
META_FILE = "meta.json"
MANIFEST_FILE = "manifest.json.gz"  # the source file of every document, for update
# What search_service.sidecars writes beside the index (type-ahead, near-duplicates).
SIDECAR_FILES = (
    "typeahead-counts.json.gz",
    "typeahead.json.gz",
    "dupes-minhash-words.npy",
    "dupes-ids.json",
    "dupes.json",
)
WORDS_FILE = "words.tsv.gz"  # the generation's word analyses (search_service.words)
# Sidecar files of earlier versions, which an update does not carry into a new generation.
RETIRED_FILES = ("dupes-signatures.npy", "dupes-minhash.npy")
# Written anew by every job, never linked
_OWN_FILES = frozenset({META_FILE, MANIFEST_FILE, WORDS_FILE, *SIDECAR_FILES, *RETIRED_FILES})
KEEP_GENERATIONS = 2  # the served one and the one before, for readers still open on it
# zlib's level for the large JSON files (type-ahead, manifest). On the real corpus level 4
# makes their 12.7 MB 2.5 MB in 0.13 s of CPU (level 1: 3.1 MB in 0.10 s; level 6: 2.4 MB in
# 0.49 s, level 9: 2.4 MB in 2 s) and they decompress in 0.04 s (level 1's in 0.05 s).
JSON_GZIP_LEVEL = 4

# The version of what a generation holds, recorded in its meta.json. Bump it whenever a build
# of the new code would write something the old code cannot read, or the reverse: the schema
# (fields, the analysers Whoosh pickles into the index and their import paths), the stored
# date encoding, the posting arrays beside the segments, the manifest or meta.json. Indexes
# of format 0 (before the format was recorded) are refused too: their layout varied.
# 2: word positions stored as engine.positions.CompactPositions, inlined postings without memo,
# the type-ahead files and the manifest gzip-compressed (*.json.gz).
# 3: inlined terms in engine.term_infos' compact layout (segments of its CompactCodec), posting
# arrays of narrow items with their sizes in the table. Format 2 is still read: its segments
# record Whoosh's own codec and its arrays' entries have no sizes (4-byte items), and an update
# of such an index writes format 3.
INDEX_FORMAT = 3
READABLE_FORMATS = (2, 3)
FORMAT_KEY = "index_format"


def current_generation(index_dir: Path) -> Path | None:
    """The generation folder being served, or ``None`` when nothing was built yet."""
    link = Path(index_dir) / CURRENT
    try:
        target = os.readlink(link)
    except OSError:
        return None
    path = (Path(index_dir) / target).resolve()
    return path if path.is_dir() else None


def no_index(index_dir: Path) -> IndexMissing:
    return IndexMissing(
        f"no index in {index_dir}: run `search-service build --index {index_dir}` first"
    )


def open_current(index_dir: Path) -> tuple[Index, Path]:
    """Open the served index.

    Raises :class:`IndexMissing` when there is none and :class:`IndexUnreadable` when it is
    of another format or cannot be opened (an ``OSError`` passes: it may be a passing race).
    """
    for _ in range(3):
        generation = current_generation(index_dir)
        if generation is None:
            raise no_index(index_dir)
        try:
            check_format(index_dir, generation)
            try:
                return whoosh_index.open_dir(str(generation)), generation
            except OSError:
                raise
            except Exception as error:  # an unpickling error, a truncated table of contents
                raise IndexUnreadable(index_dir, f"Whoosh cannot open it ({error!r})") from None
        except IndexUnreadable:
            # A job may have switched `current` and removed this generation meanwhile.
            if current_generation(index_dir) == generation:
                raise
    raise IndexUnreadable(index_dir, "`current` kept changing while it was opened")


def check_format(index_dir: Path, generation: Path) -> int:
    """The generation's recorded index format; raises :class:`IndexUnreadable` unless it is
    one of :data:`READABLE_FORMATS`."""
    try:
        text = (generation / META_FILE).read_text(encoding="utf-8")
    except FileNotFoundError:
        if any(generation.glob("*.toc")):  # Whoosh's table of contents: an index after all
            raise IndexUnreadable(
                index_dir,
                f"it was written by an older version that recorded no index format (this "
                f"version reads {readable_formats()})",
            ) from None
        raise IndexUnreadable(
            index_dir, f"{generation.name} is not an archive-search index (no {META_FILE})"
        ) from None
    except (OSError, UnicodeDecodeError) as error:
        raise IndexUnreadable(index_dir, f"cannot read {META_FILE}: {error}") from None
    try:
        meta = json.loads(text)
    except ValueError as error:
        raise IndexUnreadable(index_dir, f"{META_FILE} is damaged ({error})") from None
    found = meta.get(FORMAT_KEY, 0) if isinstance(meta, dict) else None
    if not isinstance(found, int) or isinstance(found, bool):
        raise IndexUnreadable(index_dir, f"{META_FILE} names no valid index format: {found!r}")
    if found == 0:
        raise IndexUnreadable(
            index_dir,
            f"it was written by an older version that recorded no index format (this version "
            f"reads {readable_formats()})",
        )
    if found not in READABLE_FORMATS:
        age = "an older" if found < INDEX_FORMAT else "a newer"
        raise IndexUnreadable(
            index_dir,
            f"it is in index format {found}, written by {age} version (this version reads "
            f"{readable_formats()})",
        )
    return found


def readable_formats() -> str:
    """The index formats this version reads, in words: ``index formats 2 and 3``."""
    *older, newest = READABLE_FORMATS
    if not older:
        return f"index format {newest}"
    return f"index formats {', '.join(map(str, older))} and {newest}"


def new_generation(index_dir: Path) -> Path:
    """Create and return an empty folder for a new generation."""
    index_dir = Path(index_dir)
    index_dir.mkdir(parents=True, exist_ok=True)
    stamp = dt.datetime.now(dt.UTC).strftime("%Y%m%dT%H%M%S%f")
    path = index_dir / f"{GENERATION_PREFIX}{stamp}-{secrets.token_hex(3)}"
    path.mkdir()
    return path


@contextmanager
def fresh_generation(index_dir: Path) -> Iterator[Path]:
    """A new generation folder, removed again if the block fails (disk full, error, Ctrl-C).

    A job killed outright leaves its folder behind; the next job removes it.
    """
    generation = new_generation(index_dir)
    try:
        yield generation
    except BaseException:
        shutil.rmtree(generation, ignore_errors=True)
        raise


def read_manifest(generation: Path) -> dict[str, dict[str, Any]]:
    """What each indexed document was made from (id -> root, path, size, mtime_ns, sha1).

    Every build and update writes it; without it ``update`` cannot tell what changed.
    """
    try:
        return read_json_gz(generation / MANIFEST_FILE)
    except (OSError, ValueError) as error:
        raise IndexStoreError(
            f"{generation / MANIFEST_FILE} is missing or damaged ({error}): "
            "run `search-service build` to rebuild the index"
        ) from None


def write_manifest(generation: Path, manifest: dict[str, dict[str, Any]]) -> None:
    write_json_gz(generation / MANIFEST_FILE, manifest)


def write_json(path: Path, data: Any) -> None:
    """Write a generation's JSON file through a new file: its files may be hard links to the
    previous generation's, which must never change."""
    _replace(path, _json_bytes(data))


def write_json_gz(path: Path, data: Any) -> None:
    """:func:`write_json`, gzip-compressed: the same data always gives the same bytes (no
    time or file name in the gzip header), as the builds of one archive are compared."""
    _replace(path, gzip.compress(_json_bytes(data), JSON_GZIP_LEVEL, mtime=0))


def read_json_gz(path: Path) -> Any:
    """What :func:`write_json_gz` wrote. Raises ``OSError`` when the file cannot be read and
    ``ValueError`` when it is damaged (not gzip, cut short, not JSON)."""
    data = path.read_bytes()
    try:
        text = gzip.decompress(data)
    except (EOFError, zlib.error, gzip.BadGzipFile) as error:
        raise ValueError(f"not valid gzip: {error}") from None
    return json.loads(text)


def _json_bytes(data: Any) -> bytes:
    # ``json.dumps`` runs the C encoder; ``json.dump`` to a file runs the Python one, several
    # times slower on the sidecars' large tables.
    return json.dumps(data, ensure_ascii=False, separators=(",", ":")).encode("utf-8")


def _replace(path: Path, data: bytes) -> None:
    temporary = path.with_name(path.name + ".tmp")
    temporary.write_bytes(data)
    os.replace(temporary, path)


def link_copy(source: Path, target: Path) -> None:
    """Fill ``target`` with hard links to the files of generation ``source``."""
    for entry in os.scandir(source):
        if entry.is_file() and entry.name not in _OWN_FILES and not entry.name.endswith(".lock"):
            try:
                os.link(entry.path, target / entry.name)
            except OSError as error:
                if error.errno not in (errno.EXDEV, errno.EPERM, errno.EMLINK):
                    raise
                shutil.copy2(entry.path, target / entry.name)


def switch_current(index_dir: Path, generation: Path) -> None:
    """Point ``current`` at ``generation`` in one atomic step."""
    index_dir = Path(index_dir)
    _fsync_tree(generation)
    temporary = index_dir / f".{CURRENT}.{os.getpid()}.tmp"
    if temporary.is_symlink() or temporary.exists():
        temporary.unlink()
    os.symlink(generation.name, temporary)
    os.replace(temporary, index_dir / CURRENT)
    _fsync_dir(index_dir)


def remove_old_generations(index_dir: Path) -> list[str]:
    """Delete generations other than the current one and the one before it.

    Only called under the job lock; unfinished generations of killed jobs go too.
    """
    index_dir = Path(index_dir)
    current = current_generation(index_dir)
    generations = sorted(
        (p for p in index_dir.glob(GENERATION_PREFIX + "*") if p.is_dir()),
        key=lambda p: p.name,
        reverse=True,
    )
    keep = {current} if current else set()
    finished = [g for g in generations if (g / META_FILE).exists() and g != current]
    keep.update(finished[: KEEP_GENERATIONS - 1])
    removed = []
    for generation in generations:
        if generation not in keep:
            shutil.rmtree(generation, ignore_errors=True)
            removed.append(generation.name)
    return removed


def read_meta(generation: Path) -> dict[str, Any]:
    try:
        return json.loads((generation / META_FILE).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}


def write_meta(
    generation: Path, meta: dict[str, Any], previous: dict[str, Any] | None = None
) -> None:
    """Write the generation's ``meta.json`` (last of its files): ``meta`` plus the index
    format and every file of the generation with its size and SHA-256.

    A file of the same name and size in ``previous`` (the meta of the generation an update
    started from) keeps its recorded digest: it is a hard link of that file, since Whoosh
    never rewrites a file in place, so only the new files are read.
    """
    known = (previous or {}).get("files")
    known = known if isinstance(known, dict) else {}
    files = {}
    for entry in sorted(os.scandir(generation), key=lambda entry: entry.name):
        if not entry.is_file(follow_symlinks=False) or is_scratch_file(entry.name):
            continue
        size = entry.stat().st_size
        old = known.get(entry.name)
        if entry.name not in _OWN_FILES and isinstance(old, dict) and old.get("size") == size:
            files[entry.name] = old
        else:
            files[entry.name] = {"size": size, "sha256": file_digest(Path(entry.path))[0]}
    meta = {FORMAT_KEY: INDEX_FORMAT, **meta, "files": files}
    temporary = generation / (META_FILE + ".tmp")
    temporary.write_text(json.dumps(meta, ensure_ascii=False, indent=2), encoding="utf-8")
    os.replace(temporary, generation / META_FILE)


def file_digest(path: Path) -> tuple[str, int]:
    """The SHA-256 of a file read to its end in large chunks, and how many bytes were read."""
    digest = hashlib.sha256()
    length = 0
    with open(path, "rb", buffering=0) as handle:
        while chunk := handle.read(1 << 20):
            digest.update(chunk)
            length += len(chunk)
    return digest.hexdigest(), length


def is_scratch_file(name: str) -> bool:
    """Files of a generation that are no part of the index: meta.json itself, lock files,
    half-written temporary files."""
    return name == META_FILE or name.endswith(("WRITELOCK", ".lock", ".tmp"))


@contextmanager
def job_lock(index_dir: Path) -> Iterator[None]:
    """Hold the index folder's job lock, or raise :class:`JobLocked` at once.

    ``flock`` is released by the kernel when the holder dies, so a killed job never leaves a
    stale lock behind.
    """
    index_dir = Path(index_dir)
    index_dir.mkdir(parents=True, exist_ok=True)
    handle = open(index_dir / LOCK_FILE, "a+", encoding="utf-8")  # noqa: SIM115
    try:
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            handle.seek(0)
            holder = handle.read().strip() or "unknown"
            raise JobLocked(
                f"another job (pid {holder}) holds the lock on {index_dir}; try again later"
            ) from None
        handle.seek(0)
        handle.truncate()
        handle.write(str(os.getpid()))
        handle.flush()
        yield
    finally:
        handle.close()


def _fsync_tree(folder: Path) -> None:
    for entry in os.scandir(folder):
        if entry.is_file():
            fd = os.open(entry.path, os.O_RDONLY)
            try:
                os.fsync(fd)
            finally:
                os.close(fd)
    _fsync_dir(folder)


def _fsync_dir(folder: Path) -> None:
    fd = os.open(folder, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)
