"""The index folder on disk: generations, the ``current`` pointer, the job lock, metadata.

Layout of ``index_dir``::

    current -> gen-20260124T021500123456-8f3a (symlink, switched with os.replace)
    gen-20260124T021500123456-8f3a/ (a complete Whoosh index + meta.json)
    gen-20260123T021500654321-77c1/ (the previous generation, kept for open readers)
    job.lock                              (flock held by a running build or update)

Every job writes a new generation and switches ``current`` to it only when the generation is
complete, so a searcher never sees a half-written index and a job that dies changes nothing
that is served. An update starts its generation as hard links of the current one's files
(Whoosh never rewrites a file in place), so it costs no copying.
"""

from __future__ import annotations

import datetime as dt
import errno
import fcntl
import json
import os
import secrets
import shutil
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from whoosh import index as whoosh_index
from whoosh.index import Index

CURRENT = "current"
GENERATION_PREFIX = "gen-"
LOCK_FILE = "job.lock"
META_FILE = "meta.json"
MANIFEST_FILE = "manifest.json"  # the source file of every document, for update
_OWN_FILES = frozenset({META_FILE, MANIFEST_FILE})  # written anew by every job, never linked
KEEP_GENERATIONS = 2  # the served one and the one before, for readers still open on it


class IndexStoreError(Exception):
    """Base for index-folder problems that a user can act on."""


class IndexMissing(IndexStoreError):
    """There is no built index in the folder."""


class JobLocked(IndexStoreError):
    """Another build or update holds the job lock."""


def current_generation(index_dir: Path) -> Path | None:
    """The generation folder being served, or ``None`` when nothing was built yet."""
    link = Path(index_dir) / CURRENT
    try:
        target = os.readlink(link)
    except OSError:
        return None
    path = (Path(index_dir) / target).resolve()
    return path if path.is_dir() else None


def open_current(index_dir: Path) -> tuple[Index, Path]:
    """Open the served index; raises :class:`IndexMissing` when there is none."""
    generation = current_generation(index_dir)
    if generation is None or not whoosh_index.exists_in(str(generation)):
        raise IndexMissing(
            f"no index in {index_dir}: run `search-service build --index {index_dir}` first"
        )
    return whoosh_index.open_dir(str(generation)), generation


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
        with open(generation / MANIFEST_FILE, encoding="utf-8") as handle:
            return json.load(handle)
    except (OSError, ValueError) as error:
        raise IndexStoreError(
            f"{generation / MANIFEST_FILE} is missing or damaged ({error}): "
            "run `search-service build` to rebuild the index"
        ) from None


def write_manifest(generation: Path, manifest: dict[str, dict[str, Any]]) -> None:
    temporary = generation / (MANIFEST_FILE + ".tmp")
    with open(temporary, "w", encoding="utf-8") as handle:
        json.dump(manifest, handle, ensure_ascii=False, separators=(",", ":"))
    os.replace(temporary, generation / MANIFEST_FILE)


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


def write_meta(generation: Path, meta: dict[str, Any]) -> None:
    temporary = generation / (META_FILE + ".tmp")
    temporary.write_text(json.dumps(meta, ensure_ascii=False, indent=2), encoding="utf-8")
    os.replace(temporary, generation / META_FILE)


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
