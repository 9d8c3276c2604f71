"""The word analyses of an index generation, kept so the next job need not analyse them again.

Analysing a word form (Kazakh stems, pymorphy3's readings) is most of a build's time, and an
archive's vocabulary grows slowly: the nightly ``update`` and a rebuild meet mostly word forms
an earlier job analysed. Each generation keeps every analysed word of its word tables
(:func:`~search_service.text.analyze.export_words`) in ``words.tsv.gz``, tagged with the
analysis fingerprint; the next job loads it when the fingerprint is the same (the same code,
lexicon and dictionaries) and analyses only the word forms that are new.

In a multi-process build each worker writes the words it analysed to a part file of its
segment; :func:`merge` folds the parts and the loaded table into the new generation's file.
While they work, the workers share the words they analyse (:class:`WordExchange`), so that a
word form met by several of them is mostly analysed by one.
"""

from __future__ import annotations

import gzip
import logging
import os
from pathlib import Path

from search_service.engine import store
from search_service.text.analyze import (
    analysis_fingerprint,
    export_words,
    import_shared_words,
    import_words,
    share_words,
    words_to_share,
)

log = logging.getLogger(__name__)

WORDS_FILE = store.WORDS_FILE
PART_SUFFIX = ".words"
SHARED_SUFFIX = ".shared-words"
# zlib's fastest level: on the real corpus 0.06 s for the 5.5 MB table (level 6: 0.35 s, at the
# end of every build, when one core works) for a file of 1.8 MB instead of 1.4.
GZIP_LEVEL = 1


def load(path: Path | str) -> int:
    """Load a generation's word analyses into this process; 0 when the file is missing,
    unreadable or of another analysis fingerprint."""
    try:
        with gzip.open(path, "rt", encoding="utf-8") as handle:
            header = handle.readline().rstrip("\n")
            if header != _header():
                log.info("word analyses in %s are of another analysis: not used", path)
                return 0
            count = import_words(handle)
    except (OSError, EOFError, ValueError, UnicodeDecodeError) as error:
        log.warning("cannot read the word analyses in %s: %s", path, error)
        return 0
    log.info("%d word analyses loaded from %s", count, path)
    return count


def write_part(folder: Path | str, name: str) -> None:
    """Write the words this process analysed (not those it loaded) to a part file."""
    temporary = Path(folder) / f"{name}{PART_SUFFIX}.tmp"
    with open(temporary, "w", encoding="utf-8") as handle:
        for line in export_words(new_only=True):
            handle.write(line + "\n")
    os.replace(temporary, Path(folder) / f"{name}{PART_SUFFIX}")


class WordExchange:
    """The word analyses a build's workers share as they go, through the generation's folder.

    Each worker appends the words it has analysed since its last turn to a file of its own
    (whole lines, flushed) and takes the lines the others have appended to theirs since it
    last read them (:func:`import_shared_words`): a word form it meets later is not analysed
    again, and is in the part file of the worker that analysed it alone.
    """

    def __init__(self, folder: Path | str, name: str):
        self.folder = Path(folder)
        self.own = self.folder / f"{name}{SHARED_SUFFIX}"
        self._handle = open(self.own, "a", encoding="utf-8")  # noqa: SIM115 (see close)
        self._read: dict[Path, int] = {}  # another worker's file -> the bytes taken from it
        share_words()

    def share(self) -> int:
        """Append this process's new words, take the others'; returns how many were taken."""
        lines = words_to_share()
        if lines:
            self._handle.write("\n".join(lines) + "\n")
            self._handle.flush()
        taken = 0
        for path in self.folder.glob(f"*{SHARED_SUFFIX}"):
            if path == self.own:
                continue
            offset = self._read.get(path, 0)
            try:
                with open(path, "rb") as handle:
                    handle.seek(offset)
                    data = handle.read()
            except OSError:  # that worker has finished and removed it
                continue
            end = data.rfind(b"\n") + 1  # a line being written is taken next time
            if end:
                # split on newlines alone: packed analyses hold characters splitlines breaks at
                taken += import_shared_words(data[: end - 1].decode("utf-8").split("\n"))
                self._read[path] = offset + end
        return taken

    def close(self) -> None:
        """Stop sharing: the file goes (the words are in the worker's part file)."""
        share_words(False)
        self._handle.close()
        self.own.unlink(missing_ok=True)


def merge(generation: Path, known: Path | None = None) -> int:
    """Write ``generation``'s words file: the words of ``known`` (an earlier generation's
    file, if of the same analysis), this process's and every worker's part; the parts go."""
    lines: dict[str, str] = {}
    if known is not None and known.is_file():
        try:
            with gzip.open(known, "rt", encoding="utf-8") as handle:
                if handle.readline().rstrip("\n") == _header():
                    for line in handle:
                        _take(lines, line.rstrip("\n"))
        except (OSError, EOFError, UnicodeDecodeError) as error:
            log.warning("cannot read the word analyses in %s: %s", known, error)
    for line in export_words(new_only=False):
        _take(lines, line)
    parts = sorted(generation.glob(f"*{PART_SUFFIX}"))
    for part in parts:
        with open(part, encoding="utf-8") as handle:
            for line in handle:
                _take(lines, line.rstrip("\n"))
    temporary = generation / (WORDS_FILE + ".tmp")
    with gzip.open(temporary, "wt", encoding="utf-8", compresslevel=GZIP_LEVEL) as handle:
        handle.write(_header() + "\n")
        for line in lines.values():
            handle.write(line + "\n")
    os.replace(temporary, generation / WORDS_FILE)
    for part in parts:
        part.unlink()
    return len(lines)


def _take(lines: dict[str, str], line: str) -> None:
    raw, lang, alphabet, _ = line.split("\t", 3)  # a word is its text, language and alphabet
    lines.setdefault(f"{raw}\t{lang}\t{alphabet}", line)


def _header() -> str:
    return f"# archive-search word analyses {analysis_fingerprint()}"
