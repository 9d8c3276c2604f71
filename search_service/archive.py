"""Reading the archive: article files on disk -> :class:`Article` objects.

One UTF-8 text file per article. Line 1 is ``date YYYY-MM-DD <headline>``; then one body
paragraph per line, the first usually opening with a dateline (``ОРАЛ. KAZINFORM – ...``).
Real archives also hold files with a BOM, CRLF line ends, legacy Windows encodings, or no
usable content at all: the reader decodes what it safely can and turns everything else into
a :class:`Skip` with a reason, so one bad file never stops a run. Nothing here knows Whoosh.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import html
import logging
import os
import re
import stat
import unicodedata
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path

from search_service.text import detect_language

log = logging.getLogger(__name__)

ARTICLE_SUFFIX = ".txt"

# Reasons a file is skipped; the run's summary counts them under these names.
SKIP_EMPTY = "empty"
SKIP_BINARY = "binary"
SKIP_TOO_LARGE = "too-large"
SKIP_UNDECODABLE = "undecodable"
SKIP_NO_DATE = "no-date"
SKIP_BAD_DATE = "bad-date"
SKIP_UNREADABLE = "unreadable"
SKIP_SYMLINK_LOOP = "symlink-loop"
SKIP_DUPLICATE_ID = "duplicate-id"

ARTICLE_ID = re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]{0,199}")

_FIRST_LINE = re.compile(r"date[ \t]+(\d{4})-(\d{2})-(\d{2})(?:[ \t]+(.*))?", re.IGNORECASE)
# A dateline: "ОРАЛ. KAZINFORM – ", "Москва. 13 марта. INTERFAX.RU - ", "ASTANA. KAZINFORM — ".
# The agency must be written in capitals, which keeps ordinary sentences from matching.
_DATELINE = re.compile(
    r"""^(?P<city>[^\W\d_][^\W\d_\-' ]*(?:[-' ][^\W\d_]+){0,3})\.[ \u00a0]+
        (?:\d{1,2}[ \u00a0]+[^\W\d_]+\.[ \u00a0]+)?
        (?P<agency>[A-ZА-ЯЁӘҒҚҢӨҰҮҺІ][A-ZА-ЯЁӘҒҚҢӨҰҮҺІ0-9.&\-]{2,30})
        [ \u00a0]*[–—-][ \u00a0]*""",
    re.VERBOSE,
)
# A character reference as the source's HTML had it: named (``&quot;``), decimal (``&#171;``) or
# hexadecimal (``&#xAB;``), with its semicolon. Without one only the few names that news sites
# really drop it from (``&nbsp 9 Января``), and only where no letter follows (``&amplifier``
# stays).
_ENTITY = re.compile(
    r"&(?:#[0-9]{1,7};|#[xX][0-9a-fA-F]{1,6};|[A-Za-z][A-Za-z0-9]{1,31};"
    r"|(?:nbsp|amp|quot|lt|gt)(?![A-Za-z;]))"
)
# cp1251 bytes that are Kazakh letters in the Kazakh Windows code page (KZ-1048) and rare
# Serbian/Ukrainian letters in cp1251: their presence means the file is KZ-1048.
_KZ1048_LETTER_BYTES = frozenset(
    b"\x8d\x8e\x9d\x9e\xa1\xa2\xa3\xa5\xaa\xaf\xb2\xb3\xb4\xba\xbc\xbd\xbe\xbf"
)
# C0 and C1 control characters other than line breaks, tabs and form feeds.
_CONTROL_CHARS = re.compile(r"[\x00-\x08\x0b\x0e-\x1f\x7f-\x9f]")


@dataclass(frozen=True, slots=True)
class Article:
    """One article as read from the archive."""

    id: str
    path: str  # relative to its archive root, with "/" separators
    root: str
    date: dt.date
    headline: str
    body: str  # paragraphs separated by "\n"
    city: str  # dateline city as written there (title-cased), or ""
    agency: str
    language: str  # "kk", "ru" or "mixed"
    script: str  # "Cyrl" or "Latn"
    encoding: str  # how the file was decoded: "utf-8", "utf-8-sig", "cp1251", ...
    size: int
    mtime_ns: int
    sha1: str


@dataclass(frozen=True, slots=True)
class Skip:
    """A file that could not be turned into an article, and why."""

    path: str
    root: str
    reason: str
    detail: str = ""


@dataclass(frozen=True, slots=True)
class ArchiveFile:
    """A candidate article file found by :func:`walk_archive` (or a walk problem)."""

    root: Path
    relative: str
    problem: str = ""  # a skip reason found while walking, e.g. a symlink loop

    @property
    def path(self) -> Path:
        return self.root / self.relative


def article_text(headline: str, body: str) -> str:
    """An article's headline and body as one text: what its language is detected on and what
    the type-ahead and near-duplicate tables read (the newline ends the headline's sentence)."""
    return f"{headline}\n{body}"


def article_id(relative: str) -> str:
    """A stable, URL-safe document id from a path relative to its archive root.

    >>> article_id("kk/2025/11/kazinform-qz-501b5c.txt")
    'kk.2025.11.kazinform-qz-501b5c'

    Characters outside ``[A-Za-z0-9._-]`` are replaced, and then a short hash of the exact
    path is added so that two different paths never share an id.
    """
    stem = relative[: -len(ARTICLE_SUFFIX)] if relative.endswith(ARTICLE_SUFFIX) else relative
    readable = stem.replace("/", ".")
    safe = re.sub(r"[^A-Za-z0-9._-]", "_", readable).lstrip("._-") or "article"
    if safe != readable:
        safe = f"{safe[:180]}-{hashlib.sha1(relative.encode()).hexdigest()[:10]}"
    return safe


def walk_archive(roots: Iterable[Path]) -> Iterator[ArchiveFile]:
    """Yield every article file under the roots, root by root, sorted by path.

    Symlinked folders are followed, but a folder reached twice through links is reported as a
    symlink loop instead of being walked again. Hidden files and folders are ignored.
    """
    for root in roots:
        root = Path(root)
        seen: set[tuple[int, int]] = set()
        found: list[ArchiveFile] = []
        stack = [""]
        while stack:
            relative_dir = stack.pop()
            folder = root / relative_dir
            try:
                info = folder.stat()
                # Sorted, folders taken depth-first in name order: when two links lead to one
                # folder, the same path wins every time, so document ids stay stable.
                entries = sorted(os.scandir(folder), key=lambda e: e.name, reverse=True)
            except OSError as error:
                found.append(ArchiveFile(root, relative_dir, _walk_problem(error)))
                continue
            if (info.st_dev, info.st_ino) in seen:
                found.append(ArchiveFile(root, relative_dir, SKIP_SYMLINK_LOOP))
                continue
            seen.add((info.st_dev, info.st_ino))
            for entry in entries:
                if entry.name.startswith("."):
                    continue
                relative = f"{relative_dir}/{entry.name}" if relative_dir else entry.name
                try:
                    is_dir = entry.is_dir()
                except OSError:
                    is_dir = False
                if is_dir:
                    stack.append(relative)
                elif entry.name.endswith(ARTICLE_SUFFIX):
                    found.append(ArchiveFile(root, relative))  # broken links too: reported later
        found.sort(key=lambda f: f.relative.split("/"))
        yield from found


def _walk_problem(error: OSError) -> str:
    return SKIP_SYMLINK_LOOP if error.errno == 40 else SKIP_UNREADABLE


def read_article(file: ArchiveFile, max_bytes: int) -> Article | Skip:
    """Read and parse one archive file; never raises for a bad file."""
    where = dict(path=file.relative, root=str(file.root))
    if file.problem:
        return Skip(**where, reason=file.problem)
    try:
        info = os.stat(file.path)
        if not stat.S_ISREG(info.st_mode):
            return Skip(**where, reason=SKIP_UNREADABLE, detail="not a regular file")
        if info.st_size > max_bytes:
            return Skip(**where, reason=SKIP_TOO_LARGE, detail=f"{info.st_size} bytes")
        with open(file.path, "rb") as handle:
            data = handle.read(max_bytes + 1)
    except OSError as error:
        reason = SKIP_SYMLINK_LOOP if error.errno == 40 else SKIP_UNREADABLE
        return Skip(**where, reason=reason, detail=error.strerror or str(error))
    if len(data) > max_bytes:
        return Skip(**where, reason=SKIP_TOO_LARGE, detail=f"{len(data)} bytes")
    decoded = decode(data)
    if isinstance(decoded, tuple):
        text, encoding = decoded
    else:
        return Skip(**where, reason=decoded)
    if encoding not in ("utf-8", "utf-8-sig"):
        log.info("%s: decoded as %s", file.path, encoding)
    parsed = parse_article(text)
    if isinstance(parsed, str):
        return Skip(**where, reason=parsed)
    date, headline, body = parsed
    city, agency = parse_dateline(body)
    language, script = detect_language(article_text(headline, body))
    return Article(
        id=article_id(file.relative),
        path=file.relative,
        root=str(file.root),
        date=date,
        headline=headline,
        body=body,
        city=city,
        agency=agency,
        language=language,
        script=script,
        encoding=encoding,
        size=info.st_size,
        mtime_ns=info.st_mtime_ns,
        sha1=hashlib.sha1(data).hexdigest(),
    )


def decode(data: bytes) -> tuple[str, str] | str:
    """Decode a file's bytes: ``(text, encoding)``, or a skip reason.

    UTF-8 (with or without BOM) and UTF-16 with a BOM are taken as they are. Text that is not
    UTF-8 but reads as Cyrillic in cp1251 (or its Kazakh sibling KZ-1048) is taken too. A file
    that is mostly UTF-8 with broken sequences (truncated or damaged) is not guessed at.
    """
    if not data.strip():
        return SKIP_EMPTY
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        try:
            return _checked(data.decode("utf-16"), "utf-16")
        except UnicodeDecodeError:
            return SKIP_UNDECODABLE
    if b"\x00" in data:
        return SKIP_BINARY
    try:
        if data.startswith(b"\xef\xbb\xbf"):
            return _checked(data[3:].decode("utf-8"), "utf-8-sig")
        return _checked(data.decode("utf-8"), "utf-8")
    except UnicodeDecodeError:
        pass
    as_utf8 = data.decode("utf-8", errors="replace")
    broken = as_utf8.count("\ufffd")
    valid = sum(1 for ch in as_utf8 if ord(ch) > 127 and ch != "\ufffd")
    if valid >= 3 and valid >= broken * 2:
        return SKIP_UNDECODABLE  # UTF-8 with damage: guessing another code page would garble it
    encoding = "kz1048" if _KZ1048_LETTER_BYTES.intersection(data) else "cp1251"
    try:
        text = data.decode(encoding)
    except UnicodeDecodeError:
        return SKIP_UNDECODABLE
    letters = [ch for ch in text if ch.isalpha() and ord(ch) > 127]
    cyrillic = sum(1 for ch in letters if "\u0400" <= ch <= "\u04ff")
    if letters and cyrillic < 0.9 * len(letters):
        return SKIP_UNDECODABLE
    return _checked(text, encoding)


def _checked(text: str, encoding: str) -> tuple[str, str] | str:
    """Reject decoded text that is really binary (many control characters)."""
    controls = len(_CONTROL_CHARS.findall(text))
    if controls > max(2, len(text) // 100):
        return SKIP_BINARY
    if not text.strip():
        return SKIP_EMPTY
    return text, encoding


def parse_article(text: str) -> tuple[dt.date, str, str] | str:
    """Split decoded text into ``(date, headline, body)``, or return a skip reason."""
    lines = [line.strip() for line in text.replace("\r\n", "\n").replace("\r", "\n").split("\n")]
    lines = [line for line in lines if line]
    if not lines:
        return SKIP_EMPTY
    match = _FIRST_LINE.fullmatch(lines[0])
    if not match:
        return SKIP_NO_DATE
    year, month, day, headline = match.groups()
    try:
        date = dt.date(int(year), int(month), int(day))
    except ValueError:
        return SKIP_BAD_DATE
    body = "\n".join(filter(None, (unescape_entities(line).strip() for line in lines[1:])))
    headline = unescape_entities((headline or "").strip())
    if not headline:
        headline = _first_words(body)
    if not headline and not body:
        return SKIP_EMPTY
    return date, headline, body


def unescape_entities(text: str) -> str:
    """Decode the HTML character references that came along from a source's web page.

    Only real references are decoded, each once: an unknown name, a code point that is no
    character (``&#0;``, a surrogate) or a control character stays as written. The result is
    plain text; the pages escape it again on output.

    >>> unescape_entities("Министр по делам &quot;брексита&quot; &#171;Газпром&#187; &amp; Co")
    'Министр по делам "брексита" «Газпром» & Co'
    >>> unescape_entities("AT&T, S&P 500, a&b; &nosuch; &#0; &amplifier")
    'AT&T, S&P 500, a&b; &nosuch; &#0; &amplifier'
    """
    if "&" not in text:
        return text
    return _ENTITY.sub(_entity, text)


def _entity(match: re.Match[str]) -> str:
    reference = match.group()
    decoded = html.unescape(reference if reference.endswith(";") else reference + ";")
    if not decoded or decoded == reference or decoded == "\ufffd" or decoded.endswith(";"):
        return reference  # unknown name or no character: keep it as the source wrote it
    if any(unicodedata.category(ch) in ("Cc", "Cs") for ch in decoded):
        return " " if decoded.isspace() else reference  # &#10; must not split a paragraph
    return decoded


def _first_words(body: str, limit: int = 120) -> str:
    """A stand-in headline for an article that has none: the start of its body."""
    first = body.split("\n", 1)[0]
    if len(first) <= limit:
        return first
    return first[:limit].rsplit(" ", 1)[0] + "…"


def parse_dateline(body: str) -> tuple[str, str]:
    """The dateline's ``(city, agency)`` at the start of the body, or ``("", "")``.

    >>> parse_dateline("ОРАЛ. KAZINFORM – Облыста жаңа мектеп ашылды.")
    ('Орал', 'KAZINFORM')
    >>> parse_dateline("Москва. 13 марта. INTERFAX.RU - Текст.")
    ('Москва', 'INTERFAX.RU')
    >>> parse_dateline("Бүгін Астанада жиын өтті.")
    ('', '')
    """
    match = _DATELINE.match(body)
    if not match:
        return "", ""
    return _city_case(match.group("city")), match.group("agency").rstrip(".")


def _city_case(city: str) -> str:
    """Title-case a dateline city written in capitals: ``НҰР-СҰЛТАН`` -> ``Нұр-Сұлтан``."""
    letters = [ch for ch in city if ch.isalpha()]
    if sum(ch.isupper() for ch in letters) < 0.7 * len(letters):
        return city  # already in ordinary case ("Москва"); capitals with a digraph: "TAShKENT"
    return "-".join(part[:1].upper() + part[1:].lower() for part in city.split("-"))
