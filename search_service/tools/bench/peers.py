"""Peer engines for ``search-service bench --peers``: Xapian, tantivy and SQLite FTS5.

One small adapter per engine behind one interface (:class:`Peer`): build an index from the
benchmark's documents, open it, answer a query with the exact total and the top 10 (id and
headline), and answer it as a results page (the same plus one highlighted snippet of the
body per hit, made by the engine itself). Each adapter turns the benchmark's query into its
engine's own query language and parser, so the query words are analysed as the indexed text
was: Xapian's ``QueryParser`` (default operator AND, Russian stemmer), tantivy's query parser
(``a AND b``, Russian stemmer), FTS5's ``MATCH`` syntax (quoted words, implicit AND). A date
range is a filter outside the query text, as our request's ``from``/``to`` are.

This file imports nothing but the standard library at module level (engines are imported
when used) and is also the worker that runs one engine's one phase in a fresh process, as a
file through ``runpy`` (``peerrun.RUN_WORKER``), so that neither this package (whose
dependencies Debian's interpreter may lack) nor this folder (whose ``http.py`` would shadow
the standard library's) is imported. The worker runs under this environment's interpreter,
or Debian's ``/usr/bin/python3`` when only that one can import Xapian. It prints one JSON
line: the build's figures, or every query's timings.
"""

from __future__ import annotations

import gc
import importlib
import json
import os
import resource
import shutil
import sqlite3
import subprocess
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

PAGE_HITS = 10
# Xapian and tantivy count a snippet's length in bytes: 400 bytes are about 200 Cyrillic
# letters, the length of one of our passages. FTS5 counts tokens.
SNIPPET_BYTES = 400
SNIPPET_TOKENS = 24
DEBIAN_PYTHON = "/usr/bin/python3"
DEBIAN_DIST_PACKAGES = "/usr/lib/python3/dist-packages"


@dataclass
class Found:
    """A query's exact total and its top hits (id, headline); snippets for a page."""

    total: int
    top: list[tuple[str, str]]
    snippets: list[str] = field(default_factory=list)


@dataclass
class Located:
    """Whether a peer can run here, under which interpreter, and how it was found."""

    name: str
    ok: bool
    how: str = ""  # "imported as is", a sys.path folder, or another interpreter
    version: str = ""
    python: str = sys.executable
    import_path: str | None = None  # a folder to add to sys.path for the engine's import
    reason: str = ""  # why it is skipped


class Peer:
    """One engine: build, open, search, page. Subclasses set ``name``, ``module``, ``analysis``.

    A query is a dict: ``words`` (every one must match, in the headline or the body),
    ``phrase`` (the words in this order), ``date`` (``[from, to]`` as YYYYMMDD numbers, or
    ``None``).
    """

    name = ""
    module = ""  # what must be importable
    analysis = ""  # the text analysis, for the report
    install = ""  # how to install it, for the line saying it was skipped

    def __init__(self, import_path: str | None = None):
        self.engine = import_engine(self.module, import_path)

    @classmethod
    def locate(cls) -> Located:
        """Can this engine run here? Never raises."""
        try:
            engine = importlib.import_module(cls.module)
        except ImportError as error:
            hint = f"; {cls.install}" if cls.install else ""
            return Located(cls.name, False, reason=f"not installed ({error}{hint})")
        return cls._checked(engine, "imported as is")

    @classmethod
    def _checked(cls, engine: Any, how: str, **where: Any) -> Located:
        try:
            version = cls.version_of(engine)
        except Exception as error:  # an engine we cannot use is skipped, whatever the reason
            return Located(cls.name, False, reason=f"unusable ({type(error).__name__}: {error})")
        folder = _import_folder(engine)
        if "import_path" not in where and folder and folder not in sys.path:
            # Imported earlier in this process from a folder added for that import only: the
            # worker needs the same folder.
            how, where["import_path"] = f"{folder} added to sys.path for the import", folder
        return Located(cls.name, True, how=how, version=version, **where)

    @classmethod
    def version_of(cls, engine: Any) -> str:
        raise NotImplementedError

    def build(self, documents: list[dict[str, Any]], folder: Path) -> None:
        raise NotImplementedError

    def open(self, folder: Path) -> None:
        raise NotImplementedError

    def search(self, query: dict[str, Any]) -> Found:
        raise NotImplementedError

    def page(self, query: dict[str, Any]) -> Found:
        raise NotImplementedError

    def close(self) -> None:
        pass


def _import_folder(module: Any) -> str | None:
    """The ``sys.path`` folder a module was imported from (``None`` for a built-in)."""
    file = getattr(module, "__file__", None)
    if not file:
        return None
    path = Path(file)
    return str(path.parent.parent if path.name == "__init__.py" else path.parent)


def import_engine(module: str, import_path: str | None = None) -> Any:
    """Import ``module``, with ``import_path`` on ``sys.path`` for the import only."""
    if import_path is None or module in sys.modules:
        return importlib.import_module(module)
    sys.path.append(import_path)  # appended: this environment's own packages still come first
    try:
        return importlib.import_module(module)
    finally:
        sys.path.remove(import_path)


# Xapian ---------------------------------------------------------------------------------


class XapianPeer(Peer):
    """Xapian through Debian's python3-xapian: Russian stemmer with STEM_SOME (exact words
    with positions plus stems), the date in a value slot, id, headline and body stored as
    the document's data. The count is exact (``checkatleast`` = every document)."""

    name = "xapian"
    module = "xapian"
    analysis = "Russian Snowball stemmer (STEM_SOME)"
    install = "Debian: apt-get install python3-xapian"
    DATE_SLOT = 0

    @classmethod
    def version_of(cls, engine: Any) -> str:
        return engine.version_string()

    @classmethod
    def locate(cls) -> Located:
        """As is; else Debian's dist-packages when it has a build for this Python; else
        Debian's own interpreter in the worker."""
        try:
            return cls._checked(importlib.import_module(cls.module), "imported as is")
        except ImportError as error:
            missing = str(error)
        tag = f"cpython-{sys.version_info.major}{sys.version_info.minor}-"
        built = Path(DEBIAN_DIST_PACKAGES, "xapian")
        if built.is_dir() and any(tag in p.name for p in built.glob("_xapian.*.so")):
            try:
                engine = import_engine(cls.module, DEBIAN_DIST_PACKAGES)
            except ImportError as error:
                missing = str(error)
            else:
                how = f"Debian's {DEBIAN_DIST_PACKAGES} added to sys.path for the import"
                return cls._checked(engine, how, import_path=DEBIAN_DIST_PACKAGES)
        if os.path.exists(DEBIAN_PYTHON) and os.path.realpath(DEBIAN_PYTHON) != os.path.realpath(
            sys.executable
        ):
            probe = "import xapian; print(xapian.version_string())"
            try:
                done = subprocess.run(
                    [DEBIAN_PYTHON, "-c", probe],
                    capture_output=True,
                    text=True,
                    timeout=60,
                    check=False,
                )
            except (OSError, subprocess.TimeoutExpired):
                done = None
            if done is not None and done.returncode == 0:
                how = f"run under {DEBIAN_PYTHON} (Debian's python3-xapian)"
                return Located(
                    cls.name, True, how=how, version=done.stdout.strip(), python=DEBIAN_PYTHON
                )
        reason = f"not installed ({missing}; {cls.install})"
        return Located(cls.name, False, reason=reason)

    def build(self, documents: list[dict[str, Any]], folder: Path) -> None:
        xapian = self.engine
        db = xapian.WritableDatabase(str(folder), xapian.DB_CREATE_OR_OVERWRITE)
        terms = xapian.TermGenerator()
        terms.set_stemmer(xapian.Stem("russian"))
        terms.set_stemming_strategy(xapian.TermGenerator.STEM_SOME)
        for item in documents:
            doc = xapian.Document()
            terms.set_document(doc)
            terms.index_text(item["title"], 1, "S")  # the headline alone, for title: queries
            terms.index_text(item["title"])
            terms.increase_termpos()  # no phrase across the headline and the body
            terms.index_text(item["body"])
            data = {key: item[key] for key in ("id", "title", "body")}
            doc.set_data(json.dumps(data, ensure_ascii=False))
            doc.add_value(self.DATE_SLOT, str(item["date"]))
            doc.add_boolean_term("Q" + item["id"])
            db.add_document(doc)
        db.commit()
        db.close()

    def open(self, folder: Path) -> None:
        xapian = self.engine
        self.db = xapian.Database(str(folder))
        self.parser = xapian.QueryParser()
        self.parser.set_database(self.db)
        self.parser.set_default_op(xapian.Query.OP_AND)
        self.parser.set_stemmer(xapian.Stem("russian"))
        self.parser.set_stemming_strategy(xapian.QueryParser.STEM_SOME)
        self.stemmer = xapian.Stem("russian")

    def _mset(self, query: dict[str, Any]) -> Any:
        xapian = self.engine
        words = " ".join(query["words"])
        parsed = self.parser.parse_query(f'"{words}"' if query["phrase"] else words)
        if query.get("date"):
            low, high = (str(day) for day in query["date"])
            dates = xapian.Query(xapian.Query.OP_VALUE_RANGE, self.DATE_SLOT, low, high)
            parsed = xapian.Query(xapian.Query.OP_FILTER, parsed, dates)
        enquire = xapian.Enquire(self.db)
        enquire.set_query(parsed)
        return enquire.get_mset(0, PAGE_HITS, self.db.get_doccount())

    def search(self, query: dict[str, Any]) -> Found:
        mset = self._mset(query)
        top = []
        for match in mset:
            data = json.loads(match.document.get_data())
            top.append((data["id"], data["title"]))
        return Found(mset.get_matches_estimated(), top)

    def page(self, query: dict[str, Any]) -> Found:
        mset = self._mset(query)
        found = Found(mset.get_matches_estimated(), [])
        for match in mset:
            data = json.loads(match.document.get_data())
            found.top.append((data["id"], data["title"]))
            snippet = mset.snippet(data["body"], SNIPPET_BYTES, self.stemmer)
            found.snippets.append(snippet.decode("utf-8", "replace"))
        return found

    def close(self) -> None:
        self.db.close()


# tantivy --------------------------------------------------------------------------------


class TantivyPeer(Peer):
    """tantivy-py: simple tokenizer, lower case, tantivy's Russian Snowball stemmer (a custom
    analyzer, registered again on every open: tantivy does not keep it); one indexing
    thread; the date an i64 fast field; exact count with the Count collector."""

    name = "tantivy"
    module = "tantivy"
    analysis = "Russian Snowball stemmer, 1 indexing thread"
    install = "pip install 'archive-search[peers]'"
    ANALYZER = "ru_stem"

    @classmethod
    def version_of(cls, engine: Any) -> str:
        from importlib import metadata

        engine.TextAnalyzerBuilder  # noqa: B018 (the analyzer API this adapter needs)
        return metadata.version("tantivy")

    def _register(self, index: Any) -> None:
        tantivy = self.engine
        analyzer = (
            tantivy.TextAnalyzerBuilder(tantivy.Tokenizer.simple())
            .filter(tantivy.Filter.remove_long(40))
            .filter(tantivy.Filter.lowercase())
            .filter(tantivy.Filter.stemmer("russian"))
            .build()
        )
        index.register_tokenizer(self.ANALYZER, analyzer)

    def build(self, documents: list[dict[str, Any]], folder: Path) -> None:
        tantivy = self.engine
        schema = tantivy.SchemaBuilder()
        schema.add_text_field("id", stored=True, tokenizer_name="raw")
        schema.add_integer_field("date", stored=True, indexed=True, fast=True)
        schema.add_text_field("title", stored=True, tokenizer_name=self.ANALYZER)
        schema.add_text_field("body", stored=True, tokenizer_name=self.ANALYZER)
        index = tantivy.Index(schema.build(), path=str(folder))
        self._register(index)
        writer = index.writer(heap_size=128_000_000, num_threads=1)
        for item in documents:
            writer.add_document(
                tantivy.Document(
                    id=item["id"], date=item["date"], title=item["title"], body=item["body"]
                )
            )
        writer.commit()
        writer.wait_merging_threads()

    def open(self, folder: Path) -> None:
        self.index = self.engine.Index.open(str(folder))
        self._register(self.index)
        self.index.reload()
        self.searcher = self.index.searcher()

    def _query(self, query: dict[str, Any]) -> Any:
        tantivy = self.engine
        quoted = [f'"{word}"' for word in query["words"]]
        text = '"' + " ".join(query["words"]) + '"' if query["phrase"] else " AND ".join(quoted)
        parsed = self.index.parse_query(text, ["title", "body"])
        if query.get("date"):
            low, high = query["date"]
            schema = self.index.schema
            dates = tantivy.Query.range_query(schema, "date", tantivy.FieldType.Integer, low, high)
            parsed = tantivy.Query.boolean_query(
                [(tantivy.Occur.Must, parsed), (tantivy.Occur.Must, dates)]
            )
        return parsed

    def _found(self, parsed: Any) -> tuple[Found, list[Any]]:
        result = self.searcher.search(parsed, PAGE_HITS, count=True)
        docs = [self.searcher.doc(address) for _score, address in result.hits]
        return Found(result.count, [(d["id"][0], d["title"][0]) for d in docs]), docs

    def search(self, query: dict[str, Any]) -> Found:
        return self._found(self._query(query))[0]

    def page(self, query: dict[str, Any]) -> Found:
        parsed = self._query(query)
        found, docs = self._found(parsed)
        make = self.engine.SnippetGenerator.create
        snippets = make(self.searcher, parsed, self.index.schema, "body")
        snippets.set_max_num_chars(SNIPPET_BYTES)
        found.snippets = [snippets.snippet_from_doc(doc).to_html() for doc in docs]
        return found


# SQLite FTS5 ----------------------------------------------------------------------------


class Fts5Peer(Peer):
    """SQLite FTS5 from the standard library's sqlite3: one table, headline and body indexed
    with ``unicode61 remove_diacritics 0`` (FTS5 has no Russian stemmer; й/и, ё/е and the
    Kazakh letters stay apart), id and date unindexed; bm25 order (``ORDER BY rank``); the
    page's snippets by ``snippet()`` in the ranked query itself; the total a ``count(*)``."""

    name = "fts5"
    module = "sqlite3"
    analysis = "no stemmer (unicode61 remove_diacritics 0)"
    FILE = "index.db"
    SNIPPET = f"snippet(docs, 1, '<b>', '</b>', '…', {SNIPPET_TOKENS})"

    @classmethod
    def version_of(cls, engine: Any) -> str:
        with engine.connect(":memory:") as probe:
            try:
                probe.execute("CREATE VIRTUAL TABLE probe USING fts5(text)")
            except engine.OperationalError as error:
                raise RuntimeError(f"SQLite {engine.sqlite_version} has no FTS5") from error
        return f"SQLite {engine.sqlite_version}"

    def build(self, documents: list[dict[str, Any]], folder: Path) -> None:
        db = sqlite3.connect(folder / self.FILE)
        db.execute(
            "CREATE VIRTUAL TABLE docs USING fts5(title, body, id UNINDEXED, date UNINDEXED, "
            "tokenize = 'unicode61 remove_diacritics 0')"
        )
        with db:
            db.executemany(
                "INSERT INTO docs (title, body, id, date) VALUES (?, ?, ?, ?)",
                ((d["title"], d["body"], d["id"], d["date"]) for d in documents),
            )
        with db:
            db.execute("INSERT INTO docs (docs) VALUES ('optimize')")
        db.close()

    def open(self, folder: Path) -> None:
        self.db = sqlite3.connect(folder / self.FILE)

    @staticmethod
    def _where(query: dict[str, Any]) -> tuple[str, tuple]:
        def quoted(text: str) -> str:
            return '"' + text.replace('"', '""') + '"'

        if query["phrase"]:
            match = quoted(" ".join(query["words"]))
        else:
            match = " ".join(quoted(word) for word in query["words"])  # implicit AND
        if query.get("date"):
            return "docs MATCH ? AND date BETWEEN ? AND ?", (match, *query["date"])
        return "docs MATCH ?", (match,)

    def _ranked(self, query: dict[str, Any], columns: str) -> tuple[int, list[tuple]]:
        where, params = self._where(query)
        rows = self.db.execute(
            f"SELECT {columns} FROM docs WHERE {where} ORDER BY rank LIMIT {PAGE_HITS}", params
        ).fetchall()
        (total,) = self.db.execute(f"SELECT count(*) FROM docs WHERE {where}", params).fetchone()
        return total, rows

    def search(self, query: dict[str, Any]) -> Found:
        total, rows = self._ranked(query, "id, title")
        return Found(total, [(row[0], row[1]) for row in rows])

    def page(self, query: dict[str, Any]) -> Found:
        total, rows = self._ranked(query, f"id, title, {self.SNIPPET}")
        return Found(total, [(row[0], row[1]) for row in rows], [row[2] for row in rows])

    def close(self) -> None:
        self.db.close()


PEERS: dict[str, type[Peer]] = {peer.name: peer for peer in (XapianPeer, TantivyPeer, Fts5Peer)}


# The worker: one engine, one phase, in this process -------------------------------------


def _milliseconds(started: float) -> float:
    return (time.perf_counter() - started) * 1000


def folder_bytes(folder: Path) -> int:
    return sum(p.stat().st_size for p in Path(folder).rglob("*") if p.is_file())


def build_phase(peer: type[Peer], job: dict[str, Any]) -> dict[str, Any]:
    """Read the documents (not timed), then time the build into a fresh folder."""
    with open(job["documents"], encoding="utf-8") as lines:
        documents = [json.loads(line) for line in lines]
    folder = Path(job["index"])
    shutil.rmtree(folder, ignore_errors=True)
    folder.mkdir(parents=True)
    engine = peer(job.get("import_path"))
    gc.collect()
    usage = resource.getrusage(resource.RUSAGE_SELF)
    cpu = usage.ru_utime + usage.ru_stime
    started = time.perf_counter()
    engine.build(documents, folder)
    seconds = time.perf_counter() - started
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return {
        "documents": len(documents),
        "seconds": seconds,
        "cpu_seconds": usage.ru_utime + usage.ru_stime - cpu,
        "peak_rss_mb": usage.ru_maxrss / 1024,
        "index_bytes": folder_bytes(folder),
    }


def query_phase(peer: type[Peer], job: dict[str, Any]) -> dict[str, Any]:
    """Every query's first search and first page, each on a freshly opened index (the
    operating system's file cache as it is); then, on one open index, ``warmup`` untimed
    and ``repeats`` timed searches and pages per query."""
    folder = Path(job["index"])
    queries = job["queries"]
    figures = []
    for query in queries:
        record = {"search_ms": [], "page_ms": []}
        for operation in ("search", "page"):
            engine = peer(job.get("import_path"))
            engine.open(folder)
            started = time.perf_counter()
            found = getattr(engine, operation)(query)
            record[f"first_{operation}_ms"] = _milliseconds(started)
            engine.close()
        record["total"] = found.total
        record["snippet"] = found.snippets[0][:300] if found.snippets else ""
        figures.append(record)
    engine = peer(job.get("import_path"))
    started = time.perf_counter()
    engine.open(folder)
    open_ms = _milliseconds(started)
    for query, record in zip(queries, figures, strict=True):
        for _ in range(job["warmup"]):
            engine.search(query)
            engine.page(query)
        for _ in range(job["repeats"]):
            started = time.perf_counter()
            engine.search(query)
            record["search_ms"].append(_milliseconds(started))
            started = time.perf_counter()
            engine.page(query)
            record["page_ms"].append(_milliseconds(started))
    engine.close()
    return {"open_ms": open_ms, "queries": figures}


def main(argv: list[str] | None = None) -> int:
    """Run the job in the JSON file named by the one argument; print the figures as JSON."""
    arguments = sys.argv[1:] if argv is None else argv
    with open(arguments[0], encoding="utf-8") as source:
        job = json.load(source)
    peer = PEERS[job["engine"]]
    phase = {"build": build_phase, "query": query_phase}[job["phase"]]
    print(json.dumps(phase(peer, job), ensure_ascii=False))
    return 0


if __name__ == "__main__":
    sys.exit(main())
