"""The import rules of the package: data flows one way, and each test names the rule it keeps.

Two ways of looking: the import statements of every module, read with ``ast`` (all of them,
those inside functions too, which run later), and what importing a module really loads, seen
in ``sys.modules`` of a fresh interpreter (an import of an import counts there).

The rules:

- ``search_service.text`` (plain ``str -> str`` language functions) imports nothing else of
  the package;
- the read path (``query``, ``searcher``, ``engine.ranking`` and the modules it reads and
  scores with, ``highlight``) never imports the write path (``indexer``, ``engine.parallel``,
  ``engine.segment_writer``), Flask or the web layer;
- the engine (``search_service.engine``: the store, the writers, the posting arrays, ranking,
  proximity, Whoosh's internals) is imported only by the indexer and searcher side, listed in
  ``ENGINE_USERS`` each with its reason; nothing under ``web/`` and not ``cli.py`` imports it
  directly (they catch the index errors of ``index_errors`` and ask ``stats`` about the
  served generation; the searcher and stats load the engine's read side for them, and a web
  server never loads the build's writers), and the engine imports neither the web layer, the
  CLI nor the tools;
- what the web layer and the CLI share (the models, the JSON payloads, the request
  parameters, the interface strings, the guards, the vocabulary, the search backend's seam)
  loads no Flask either;
- the CLI's ``search`` uses no part of the web layer (only ``serve`` imports it);
- the web layer and the CLI reach the searcher only through the seam of ``backend``
  (``SearchBackend``, ``open_backend``): neither imports ``search_service.searcher``, so a
  second backend plugs in there alone;
- ``search_service.web`` is the only package that imports Flask;
- the ``.arr`` posting-array layout is written down in one module, ``posting_arrays``;
- Whoosh's internals (its codec, matchers, writers, value encodings and utilities, everything
  but its documented API) are imported by one module, ``engine.whoosh_internals``;
- the tools (``search_service.tools``: benchmarks, load test, lexicon builder) are imported
  by nothing else of the package but the CLI, and the CLI loads a tool's module only when
  that tool runs.
"""

from __future__ import annotations

import ast
import json
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

import pytest

import search_service

PACKAGE_DIR = Path(search_service.__file__).parent
PACKAGE = "search_service"

TEXT = "search_service.text"
READ_PATH = (
    "search_service.query",
    "search_service.plan",
    "search_service.searcher",
    "search_service.engine.ranking",
    "search_service.engine.postings",
    "search_service.engine.bm25",
    "search_service.engine.prefixes",
    "search_service.highlight",
)
WRITE_PATH = (
    "search_service.indexer",
    "search_service.engine.parallel",
    "search_service.engine.segment_writer",
)
WEB = ("flask", "search_service.web")
SHARED = (
    "search_service.models",
    "search_service.payloads",
    "search_service.params",
    "search_service.i18n",
    "search_service.guards",
    "search_service.vocabulary",
    "search_service.backend",
)
CLI = "search_service.cli"
BACKEND = "search_service.backend"  # the one module that opens the searcher for them
SEARCHER = "search_service.searcher"
CLI_WEB_COMMANDS = {"serve"}  # the CLI's functions that may import the web layer
WEB_SEARCH_MODULES = ("search_service.web.api",)
POSTING_ARRAYS = "search_service.engine.posting_arrays"
TOOLS = "search_service.tools"
ENGINE = "search_service.engine"
# Who may import the engine, and why: the indexer and searcher side, and no one else.
ENGINE_USERS = {
    "search_service.indexer": "the write side: builds and updates with the engine's writers",
    "search_service.searcher": "the read side: opens the served generation, evaluates plans",
    "search_service.suggest": "'did you mean', over the searcher's per-document arrays",
    "search_service.analysis": "hands the writer compact position values (engine.positions)",
    "search_service.check": "verifies a generation's files: the store's and posting arrays",
    "search_service.stats": "reads the served generation, for the CLI and the web layer too",
    "search_service.words": "the build's word analyses, a file of the generation",
    "search_service.sidecars": "the build's sidecar files, written into the generation",
    "search_service.typeahead": "the type-ahead table, a sidecar file of the generation",
    "search_service.dupes": "the near-duplicate signatures, a sidecar file of the generation",
    TOOLS: "the benchmarks drive builds and searches directly, to measure the engine",
}
WHOOSH_INTERNALS = "search_service.engine.whoosh_internals"
# Whoosh's documented API, which any module may import; every other whoosh module is internal
# and only WHOOSH_INTERNALS imports it (a list of what is allowed, so a new internal is caught).
WHOOSH_PUBLIC_MODULES = (
    "whoosh.index",
    "whoosh.query",
    "whoosh.fields",
    "whoosh.searching",
    "whoosh.sorting",
    "whoosh.scoring",
    "whoosh.qparser",
    "whoosh.analysis",
)
POSTING_ARRAY_LITERALS = {".arr", ".art", "<u4", "<f4"}


@dataclass(frozen=True)
class Import:
    importer: str  # the module whose statement it is
    target: str  # a module imported, or a name imported from one (``package.name``)
    line: int
    function: str | None  # the function it sits in, if any
    type_checking: bool  # under ``if TYPE_CHECKING:`` (never runs)


def _module_name(path: Path) -> str:
    parts = list(path.relative_to(PACKAGE_DIR.parent).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def _package_of(module: str, path: Path) -> str:
    return module if path.name == "__init__.py" else module.rpartition(".")[0]


def _imports(path: Path) -> list[Import]:
    module = _module_name(path)
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    found: list[Import] = []

    def visit(node: ast.AST, function: str | None, type_checking: bool) -> None:
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
            function = node.name
        if isinstance(node, ast.If) and "TYPE_CHECKING" in ast.unparse(node.test):
            for child in node.body:
                visit(child, function, True)
            for child in node.orelse:
                visit(child, function, type_checking)
            return
        targets: list[str] = []
        if isinstance(node, ast.Import):
            targets = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:  # relative: resolved against the importing module's package
                package = _package_of(module, path).split(".")
                package = package[: len(package) - node.level + 1]
                base = ".".join([*package, base] if base else package)
            targets = [base] + [f"{base}.{alias.name}" for alias in node.names]
        found.extend(Import(module, t, node.lineno, function, type_checking) for t in targets)
        for child in ast.iter_child_nodes(node):
            visit(child, function, type_checking)

    visit(tree, None, False)
    return found


def _is_under(target: str, prefixes: tuple[str, ...] | list[str]) -> bool:
    return any(target == prefix or target.startswith(prefix + ".") for prefix in prefixes)


MODULE_PATHS = {_module_name(path): path for path in sorted(PACKAGE_DIR.rglob("*.py"))}
IMPORTS = {name: _imports(path) for name, path in MODULE_PATHS.items()}


def _shown(imports: list[Import]) -> list[str]:
    return [f"{i.importer}:{i.line} imports {i.target}" for i in imports]


def _loaded_by_importing(module: str) -> set[str]:
    """The modules in ``sys.modules`` of a fresh interpreter after ``import module``."""
    code = f"import sys, {module}; print('\\n'.join(sorted(sys.modules)))"
    done = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, timeout=120, check=True
    )
    return set(done.stdout.split())


def test_the_rules_see_the_whole_package():
    assert len(MODULE_PATHS) > 40
    for module in (TEXT, *READ_PATH, *SHARED, CLI, POSTING_ARRAYS, "search_service.web.api"):
        assert module in MODULE_PATHS, module
    # The reader sees imports inside functions (the CLI imports lazily), and names the function.
    web = [i for i in IMPORTS[CLI] if i.target.startswith("search_service.web")]
    assert any(i.function in CLI_WEB_COMMANDS and not i.type_checking for i in web)


def test_text_imports_nothing_else_of_the_package():
    wrong = [
        i
        for name, imports in IMPORTS.items()
        if _is_under(name, [TEXT])
        for i in imports
        if _is_under(i.target, [PACKAGE]) and not _is_under(i.target, [TEXT])
    ]
    assert _shown(wrong) == []


@pytest.mark.parametrize("module", READ_PATH)
def test_the_read_path_imports_neither_the_write_path_nor_the_web(module):
    wrong = [i for i in IMPORTS[module] if _is_under(i.target, [*WRITE_PATH, *WEB])]
    assert _shown(wrong) == []
    loaded = _loaded_by_importing(module)
    assert sorted(m for m in loaded if _is_under(m, [*WRITE_PATH, *WEB])) == []


@pytest.mark.parametrize("module", SHARED)
def test_what_the_web_and_the_cli_share_loads_no_flask(module):
    loaded = _loaded_by_importing(module)
    assert sorted(m for m in loaded if _is_under(m, WEB)) == []


def test_the_cli_imports_the_web_layer_only_to_serve():
    wrong = [
        i
        for i in IMPORTS[CLI]
        if _is_under(i.target, ["search_service.web"])
        and (i.function not in CLI_WEB_COMMANDS or _is_under(i.target, WEB_SEARCH_MODULES))
    ]
    assert _shown(wrong) == []


def test_the_web_layer_and_the_cli_reach_the_searcher_only_through_the_backend():
    wrong = [
        i
        for name, imports in IMPORTS.items()
        if _is_under(name, ["search_service.web"]) or name == CLI
        for i in imports
        if _is_under(i.target, [SEARCHER])
    ]
    assert _shown(wrong) == []
    # The seam is real: the backend module does open the searcher, and both use the seam.
    assert any(_is_under(i.target, [SEARCHER]) for i in IMPORTS[BACKEND])
    for user in ("search_service.web", CLI):
        assert any(_is_under(i.target, [BACKEND]) for i in IMPORTS[user]), user


def test_the_cli_searches_without_the_web_layer(tiny_index):
    """``search-service search`` run in a fresh interpreter: it finds hits, and neither Flask
    nor any module of the web layer was loaded on the way."""
    code = (
        "import json, sys\n"
        "from click.testing import CliRunner\n"
        "from search_service.cli import main\n"
        f"result = CliRunner().invoke(main, ['search', '--json', '--index', {str(tiny_index)!r},"
        " 'тариф'])\n"
        "assert result.exit_code == 0, result.output\n"
        "web = sorted(m for m in sys.modules if m == 'flask' or m.startswith('flask.')"
        " or m.startswith('search_service.web'))\n"
        "print(json.dumps({'total': json.loads(result.stdout)['total'], 'web': web}))\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, timeout=300, check=False
    )
    assert done.returncode == 0, done.stderr
    report = json.loads(done.stdout.splitlines()[-1])
    assert report["total"] == 2  # the tiny archive's two articles about тариф
    assert report["web"] == []


def test_only_the_web_package_imports_flask():
    wrong = [
        i
        for name, imports in IMPORTS.items()
        if not _is_under(name, ["search_service.web"])
        for i in imports
        if _is_under(i.target, ["flask"])
    ]
    assert _shown(wrong) == []


def test_the_posting_array_layout_has_one_owner():
    """The file extensions and item types of the ``.arr`` layout are written only in
    ``posting_arrays``; the writer and the reader both take them from there."""
    wrong = []
    for name, path in MODULE_PATHS.items():
        if name == POSTING_ARRAYS:
            continue
        tree = ast.parse(path.read_text(encoding="utf-8"))
        wrong += [
            f"{name}:{node.lineno} writes {node.value!r}"
            for node in ast.walk(tree)
            if isinstance(node, ast.Constant) and node.value in POSTING_ARRAY_LITERALS
        ]
    assert wrong == []
    for user in ("search_service.engine.segment_writer", "search_service.engine.postings"):
        assert any(_is_under(i.target, [POSTING_ARRAYS]) for i in IMPORTS[user]), user


def test_only_the_internals_module_imports_whoosh_internals():
    """Whoosh's public API (index, query, fields, searching, sorting, scoring, qparser, the
    analysis base classes) may be imported anywhere; its internals only by one module, which
    ``tests/test_whoosh_internals.py`` checks against the pinned Whoosh."""
    wrong = [
        i
        for name, imports in IMPORTS.items()
        if name != WHOOSH_INTERNALS
        for i in imports
        if _is_whoosh_internal(i.target)
    ]
    assert _shown(wrong) == []
    used = {i.target for i in IMPORTS[WHOOSH_INTERNALS]}
    assert any(_is_whoosh_internal(target) for target in used)


def _is_whoosh_internal(target: str) -> bool:
    """A whoosh module (or a name from one) outside the documented API; ``import whoosh``
    itself (for its version) is not."""
    return target.startswith("whoosh.") and not _is_under(target, WHOOSH_PUBLIC_MODULES)


def test_only_the_indexer_and_searcher_side_import_the_engine():
    wrong = [
        i
        for name, imports in IMPORTS.items()
        if not _is_under(name, [ENGINE, *ENGINE_USERS])
        for i in imports
        if _is_under(i.target, [ENGINE])
    ]
    assert _shown(wrong) == []
    # The list stays honest: each module on it does import the engine.
    importers = {
        name
        for name, imports in IMPORTS.items()
        if not _is_under(name, [ENGINE]) and any(_is_under(i.target, [ENGINE]) for i in imports)
    }
    unused = [user for user in ENGINE_USERS if not any(_is_under(m, [user]) for m in importers)]
    assert unused == []


def test_neither_the_web_layer_nor_the_cli_imports_the_engine():
    """Directly: they reach the index through the searcher, stats and the indexer, which load
    the parts of the engine they need (the next test says which parts a server never loads)."""
    wrong = [
        i
        for name, imports in IMPORTS.items()
        if _is_under(name, ["search_service.web"]) or name == CLI
        for i in imports
        if _is_under(i.target, [ENGINE])
    ]
    assert _shown(wrong) == []


def test_the_web_server_loads_none_of_the_build_s_writers():
    loaded = _loaded_by_importing("search_service.web")
    writers = {"search_service.engine.parallel", "search_service.engine.segment_writer"}
    assert not loaded & writers
    assert "whoosh.multiproc" not in loaded and "whoosh.writing" not in loaded


def test_the_engine_imports_neither_the_web_layer_the_cli_nor_the_tools():
    wrong = [
        i
        for name, imports in IMPORTS.items()
        if _is_under(name, [ENGINE])
        for i in imports
        if _is_under(i.target, [*WEB, CLI, TOOLS])
    ]
    assert _shown(wrong) == []


def test_only_the_cli_imports_the_tools():
    wrong = [
        i
        for name, imports in IMPORTS.items()
        if not _is_under(name, [TOOLS]) and name != CLI
        for i in imports
        if _is_under(i.target, [TOOLS])
    ]
    assert _shown(wrong) == []
    # The CLI takes only the tool table and its group, never a tool's own module.
    from_cli = {i.target for i in IMPORTS[CLI] if _is_under(i.target, [TOOLS])}
    assert from_cli <= {TOOLS, f"{TOOLS}.TOOLS", f"{TOOLS}.ToolGroup", f"{TOOLS}.tools"}


def test_the_cli_loads_no_tool_until_one_runs():
    loaded = _loaded_by_importing(CLI)
    assert sorted(m for m in loaded if _is_under(m, [TOOLS]) and m != TOOLS) == []
