"""The ``search-service`` command: thin click commands over the indexer, stats and the app.

Exit codes (cron jobs and scripts rely on them):

==  ==========================================================================
0   done
1   failed; the served index is as it was before the job
2   usage or settings error
3   done, but some archive files were skipped (the summary says which reasons)
4   another build or update holds the index's job lock
5   there is no index yet (run ``build`` first)
6   the index cannot be read by this version (another index format, or not an index):
    rebuild it with ``build``
7   ``check`` found the index damaged (the problems are named)
==  ==========================================================================
"""

from __future__ import annotations

import json
import logging
import os
import sys
from pathlib import Path
from typing import TYPE_CHECKING

import click

from search_service import indexer
from search_service.config import (
    CONFIG_ENV,
    LAYER_DEFAULTS,
    ConfigError,
    LoadedSettings,
    Settings,
    load_layers,
)
from search_service.index_errors import IndexMissing, IndexStoreError, IndexUnreadable, JobLocked
from search_service.progress import Progress
from search_service.stats import index_sizes, index_stats, served_format
from search_service.tools import TOOLS, ToolGroup, tools
from search_service.vocabulary import NEWEST, OLDEST, RELEVANCE

if TYPE_CHECKING:
    from search_service.backend import SearchBackend

EXIT_OK = 0
EXIT_FAILED = 1
EXIT_USAGE = 2
EXIT_SKIPPED = 3
EXIT_LOCKED = 4
EXIT_NO_INDEX = 5
EXIT_UNREADABLE = 6
EXIT_DAMAGED = 7

SAMPLE_ARCHIVE = (Path(__file__).parent / "sample_archive").resolve()

log = logging.getLogger("search_service")


class CommandError(click.ClickException):
    """An error the user can act on, with its own exit code."""

    def __init__(self, message: str, exit_code: int = EXIT_FAILED):
        super().__init__(message)
        self.exit_code = exit_code


def settings_of(ctx: click.Context) -> Settings:
    """The settings the group loaded (its --config and the layers below)."""
    return ctx.ensure_object(dict)["settings"]


def _setup_logging(level: str) -> None:
    logging.basicConfig(
        level=getattr(logging, level),
        format="%(asctime)s %(levelname)s %(name)s: %(message)s",
        stream=sys.stderr,
    )
    logging.getLogger("pymorphy3").setLevel(logging.WARNING)


archive_option = click.option(
    "--archive",
    "archives",
    multiple=True,
    type=click.Path(file_okay=False, path_type=Path),
    help="An archive root folder; repeat for several. Default: the `archive` setting "
    "(the sample archive bundled with the package unless a settings file names others).",
)
index_option = click.option(
    "--index",
    "index_dir",
    type=click.Path(file_okay=False, path_type=Path),
    help="The index folder. Default: the `index_dir` setting, which is ./index of the "
    "working folder unless a settings file says otherwise (`search-service config` shows it).",
)


class CommandTree(ToolGroup):
    """The top of the command tree: the service's commands, then the tools under a heading
    of their own (each tool's module is imported when it runs or its help is shown)."""

    def format_commands(self, ctx: click.Context, formatter: click.HelpFormatter) -> None:
        sections: dict[str, list[tuple[str, click.Command]]] = {"Commands": [], "Tools": []}
        for name in self.list_commands(ctx):
            command = self.get_command(ctx, name)
            if command is not None and not command.hidden:
                tool = name in TOOLS or command is tools
                sections["Tools" if tool else "Commands"].append((name, command))
        width = max(len(name) for rows in sections.values() for name, _ in rows)
        limit = formatter.width - 6 - width
        for title, rows in sections.items():
            with formatter.section(title):  # one column width for both sections
                formatter.write_dl(
                    [(name.ljust(width), cmd.get_short_help_str(limit)) for name, cmd in rows]
                )


@click.group(cls=CommandTree, context_settings={"help_option_names": ["-h", "--help"]})
@click.option(
    "--config",
    "config_file",
    type=click.Path(dir_okay=False, exists=True, path_type=Path),
    help=f"A settings file that overrides all other settings files (and {CONFIG_ENV}).",
)
@click.version_option(package_name="archive-search")
@click.pass_context
def main(ctx: click.Context, config_file: Path | None) -> None:
    """Full-text search for the Kazakh and Russian news archive.

    \b
    Settings, highest precedence first (each layer overrides only what it names):
      command-line options of each command
      SEARCH_SERVICE_<NAME> environment variables
      the file named by --config
      the file named by SEARCH_SERVICE_CONFIG
      ./config/archive-search.toml in the working folder
      /etc/archive-search/config.toml
      the built-in defaults (the bundled sample archive; the index in ./index)
    `search-service config` shows the effective settings and where each came from.
    """
    try:
        loaded = load_layers(config_file=config_file)
    except ConfigError as error:
        raise CommandError(f"settings: {error}", EXIT_USAGE) from None
    _setup_logging(loaded.settings.log_level)
    ctx.ensure_object(dict).update(settings=loaded.settings, loaded=loaded)


def _job_settings(ctx: click.Context, archives: tuple[Path, ...], index_dir: Path | None):
    settings = settings_of(ctx).replace(archive=archives or None, index_dir=index_dir)
    missing = [str(root) for root in settings.archive if not root.is_dir()]
    if missing:
        raise CommandError(f"archive folder not found: {', '.join(missing)}", EXIT_USAGE)
    return settings


def _what_is_built(settings: Settings) -> str:
    """The first line of a build without --archive: which archive, from where, into where."""
    roots = [root.resolve() for root in settings.archive]
    if roots == [SAMPLE_ARCHIVE]:
        what = f"the bundled sample archive ({SAMPLE_ARCHIVE})"
        hint = "; pass --archive DIR to index your own"
    else:
        what = "the archive " + ", ".join(map(str, roots)) + " (from the settings)"
        hint = ""
    return f"indexing {what} into {settings.index_dir.resolve()}{hint}"


def _finish_job(summary: indexer.RunSummary, as_json: bool) -> None:
    if as_json:
        click.echo(json.dumps(summary.as_dict(), ensure_ascii=False))
    else:
        click.echo(summary.describe())
    if summary.skipped_total:
        sys.exit(EXIT_SKIPPED)


def _index_error(error: IndexStoreError) -> CommandError:
    """The exit code for an index that is not there (5) or cannot be read (6)."""
    if isinstance(error, IndexUnreadable):
        return CommandError(str(error), EXIT_UNREADABLE)
    if isinstance(error, IndexMissing):
        return CommandError(str(error), EXIT_NO_INDEX)
    return CommandError(str(error))


def require_index(index_dir: Path) -> None:
    """Stop with exit code 5 when there is no index, 6 when this version cannot read it.

    Every command that needs a built index calls this first, so each says the same.
    """
    try:
        found = served_format(index_dir)
    except IndexUnreadable as error:
        raise _index_error(error) from None
    if found is None:
        raise CommandError(
            f"no index in {index_dir}: run `search-service build` first", EXIT_NO_INDEX
        )


def _run_job(job, *args, **kwargs) -> indexer.RunSummary:
    try:
        return job(*args, **kwargs)
    except JobLocked as error:
        raise CommandError(str(error), EXIT_LOCKED) from None
    except (IndexMissing, IndexUnreadable) as error:
        raise _index_error(error) from None
    except IndexStoreError as error:
        raise CommandError(str(error)) from None
    except OSError as error:
        raise CommandError(
            f"{error.strerror or error} ({error.filename or ''}); the served index is unchanged"
        ) from None


@main.command()
@archive_option
@index_option
@click.option("--procs", type=click.IntRange(min=0), help="Worker processes; 0 = all cores.")
@click.option("--json", "as_json", is_flag=True, help="Print the summary as JSON.")
@click.pass_context
def build(ctx, archives, index_dir, procs, as_json):
    """Index the whole archive into a fresh index and switch it in atomically.

    Searchers keep the old index until the new one is complete; a build that dies leaves
    the old index serving.

    \b
    Example:
      search-service build --archive /srv/archive/kk --archive /srv/archive/ru --index /srv/index
    """
    settings = _job_settings(ctx, archives, index_dir)
    if not archives:
        # Say first what is indexed and where: with no --archive it is easy to index the
        # bundled sample by mistake, or into an index folder one did not mean.
        click.echo(_what_is_built(settings), err=True)
    procs = settings.build_procs if procs is None else procs
    procs = procs or os.cpu_count() or 1
    summary = _run_job(
        indexer.build,
        settings.archive,
        settings.index_dir,
        procs=procs,
        max_file_bytes=settings.max_file_bytes,
        progress=Progress("build"),
    )
    _finish_job(summary, as_json)


@main.command()
@archive_option
@index_option
@click.option("--json", "as_json", is_flag=True, help="Print the summary as JSON.")
@click.pass_context
def update(ctx, archives, index_dir, as_json):
    """Bring the index in step with the archive (the nightly job).

    Adds new files, re-indexes changed ones and deletes documents whose files are gone; a
    run with nothing changed changes nothing and says so. With no index yet it builds one.

    \b
    Example (cron, every night at 02:30):
      30 2 * * * search-service update --archive /srv/archive --index /srv/index
    """
    settings = _job_settings(ctx, archives, index_dir)
    summary = _run_job(
        indexer.update,
        settings.archive,
        settings.index_dir,
        max_file_bytes=settings.max_file_bytes,
        progress=Progress("update"),
    )
    _finish_job(summary, as_json)


@main.command()
@index_option
@click.option("--json", "as_json", is_flag=True, help="Print a JSON object instead of text.")
@click.option(
    "--sizes",
    is_flag=True,
    help="Also show what each indexed field and each other part takes on disk "
    "(reads every term table: seconds on a large index).",
)
@click.pass_context
def stats(ctx, index_dir, as_json, sizes):
    """Show what the index holds: documents by language and year, size, last update.

    \b
    Examples:
      search-service stats --index /srv/index --json
      search-service stats --sizes
    """
    settings = settings_of(ctx).replace(index_dir=index_dir)
    try:
        info = index_stats(settings.index_dir)
        if sizes:
            info["sizes"] = index_sizes(settings.index_dir)
    except (IndexMissing, IndexUnreadable) as error:
        raise _index_error(error) from None
    if as_json:
        click.echo(json.dumps(info, ensure_ascii=False, indent=2))
        return
    click.echo(f"index:       {info['index_dir']} ({info['generation']})")
    click.echo(f"documents:   {info['documents']}")
    click.echo("by language: " + _counts(info["by_language"]))
    click.echo("by year:     " + _counts(info["by_year"]))
    click.echo(f"size:        {info['size_bytes'] / 1e6:.1f} MB")
    click.echo(f"last update: {info['last_update']}")
    if sizes:
        click.echo("")
        click.echo(_sizes_table(info["sizes"]))


def _sizes_table(found: dict) -> str:
    """``stats --sizes`` as text: a row per indexed field, then the other parts, in MB."""

    def mb(value: int) -> str:
        return f"{value / 1e6:.1f}"

    total = found["total_bytes"]
    lines = [
        f"{'field':<14}{'terms':>9}{'term table':>12}{'postings':>10}{'arrays':>8}"
        f"{'total MB':>10}{'share':>7}"
    ]
    for name, size in found["fields"].items():
        lines.append(
            f"{name:<14}{size['terms']:>9}{mb(size['term_table_bytes']):>12}"
            f"{mb(size['postings_bytes']):>10}{mb(size['arrays_bytes']):>8}"
            f"{mb(size['total_bytes']):>10}{size['total_bytes'] / max(total, 1):>7.0%}"
        )
    for name, size in found["parts"].items():
        if size:
            lines.append(f"{name:<53}{mb(size):>10}{size / max(total, 1):>7.0%}")
    lines.append(f"{'all':<53}{mb(total):>10}")
    lines.append("terms: term-table entries summed over segments (a word in two counts twice)")
    return "\n".join(lines)


@main.command()
@index_option
@click.option("--json", "as_json", is_flag=True, help="Print a JSON object instead of text.")
@click.pass_context
def check(ctx, index_dir, as_json):
    """Verify the index: the `current` pointer, its format, every file, the document count.

    Reads every file of the served generation to its end, opens every segment and searches
    the index the way the server does, and compares the document counts of Whoosh,
    meta.json and manifest.json.gz. Exit code 0 when all is well; otherwise each problem is
    named and the exit code is 5 (no index), 6 (a format this version cannot read) or 7
    (damaged). What a monitor or the nightly job runs after an update.

    \b
    Examples:
      search-service check --index /srv/archive-index
      search-service update && search-service check --json
    """
    from search_service.check import FORMAT, NO_INDEX, check_index, describe

    settings = settings_of(ctx).replace(index_dir=index_dir)
    report = check_index(settings.index_dir)
    if as_json:
        click.echo(json.dumps(report.as_dict(), ensure_ascii=False, indent=2))
    else:
        click.echo(describe(report))
    if report.ok:
        return
    codes = report.codes()
    if NO_INDEX in codes:
        sys.exit(EXIT_NO_INDEX)
    state = "cannot be read by this version" if FORMAT in codes else "is damaged"
    if not as_json:
        click.echo(
            f"the index {state}: rebuild it with "
            f"`search-service build --index {settings.index_dir}`",
            err=True,
        )
    sys.exit(EXIT_UNREADABLE if FORMAT in codes else EXIT_DAMAGED)


@main.command("config")
@click.option("--json", "as_json", is_flag=True, help="Print a JSON object instead of text.")
@click.pass_context
def show_config(ctx, as_json):
    """Show the effective settings and where each one came from (secrets masked).

    Lists every place settings are looked for, lowest precedence first, whether it was
    found and which settings it set; then every setting with its value and source.
    Command-line options of the other commands override what is shown here.

    \b
    Examples:
      search-service config
      search-service --config /etc/archive-search/test.toml config --json
    """
    loaded: LoadedSettings = ctx.ensure_object(dict)["loaded"]
    values = loaded.shown()
    if as_json:
        report = {
            "settings": {
                name: {
                    "value": value,
                    "source": loaded.sources[name].name,
                    "from": loaded.sources[name].where,
                }
                for name, value in values.items()
            },
            "layers": [
                {
                    "layer": layer.name,
                    "where": layer.where,
                    "found": layer.found,
                    "settings": list(layer.keys),
                }
                for layer in loaded.layers
            ],
        }
        click.echo(json.dumps(report, ensure_ascii=False, indent=2))
        return
    click.echo("Settings are read from, lowest precedence first:")
    width = max(len(layer.name) for layer in loaded.layers)
    for layer in loaded.layers:
        if not layer.found:
            state = "(none set)" if layer.name == "environment" else "(not present)"
            if layer.where == "not given":
                state = ""
        else:
            state = f"({len(layer.keys)} setting{'s' if len(layer.keys) != 1 else ''})"
        click.echo(f"  {layer.name:{width}}  {layer.where} {state}".rstrip())
    click.echo("Command-line options of each command win over all of these.\n")
    name_width = max(map(len, values))
    for name, value in values.items():
        source = loaded.sources[name]
        where = source.name if source.name == LAYER_DEFAULTS else source.where
        shown = json.dumps(value, ensure_ascii=False)
        click.echo(f"{name:{name_width}} = {shown}  # {where}")


def _counts(counts: dict[str, int]) -> str:
    return ", ".join(f"{key} {n}" for key, n in counts.items()) or "-"


@main.command()
@click.option(
    "--lang",
    type=click.Choice(["auto", "kk", "ru", "query"]),
    default="auto",
    show_default=True,
    help="Route words as Kazakh, Russian, by detection (as a document), or as a query (both).",
)
@click.option("--json", "as_json", is_flag=True, help="One JSON object per input line.")
@click.argument("words", nargs=-1)
def analyze(lang, as_json, words):
    """Show the language and the index keys each word gets, like Elasticsearch's _analyze.

    With no WORDS, every line of standard input is analysed.

    \b
    Examples:
      search-service analyze Қазақстанға Qazaqstanǵa конституции
      echo "Тоқаевтың сайлауы" | search-service analyze --json
    """
    from search_service.text.analyze import describe

    # Words given as arguments are routed one by one; a line of input is routed as a text.
    lines = words or (line.rstrip("\n") for line in sys.stdin)
    for line in lines:
        if not line.strip():
            continue
        record = describe(line, lang)
        if as_json:
            click.echo(json.dumps(record, ensure_ascii=False))
            continue
        for item in record["words"]:
            keys = ", ".join(item["keys"]) or "(stop word)"
            click.echo(f"{item['input']}\t{item['lang']}\t{keys}\t[exact: {item['form']}]")


@main.command("hash-password")
@click.option("--stdin", "from_stdin", is_flag=True, help="Read the password from standard input.")
@click.option("--user", help="Print a whole `auth_users` line for this user name.")
def hash_password(from_stdin, user):
    """Make a password hash for the `auth_users` setting (with auth = "basic").

    The password is asked twice without being shown, or read as one line with --stdin.

    \b
    Examples:
      search-service hash-password --user anna
      printf '%s\\n' "$PASSWORD" | search-service hash-password --stdin
    """
    from werkzeug.security import generate_password_hash

    if from_stdin:
        password = sys.stdin.readline().rstrip("\r\n")
    else:
        password = click.prompt("Password", hide_input=True, confirmation_prompt=True)
    if not password:
        raise CommandError("the password is empty", EXIT_USAGE)
    hashed = generate_password_hash(password)
    click.echo(f"{json.dumps(user, ensure_ascii=False)} = {json.dumps(hashed)}" if user else hashed)


@main.command()
@index_option
@click.option("--host", help="Address to listen on. Default: the `host` setting.")
@click.option("--port", type=click.IntRange(1, 65535), help="Port. Default: the `port` setting.")
@click.pass_context
def serve(ctx, index_dir, host, port):
    """Serve the search pages and the JSON API with gunicorn, one worker process per core.

    \b
    Example:
      search-service serve --index /srv/index --host 0.0.0.0 --port 8080
    """
    from search_service.web.server import PortUnavailable, check_port, run_server

    settings = settings_of(ctx).replace(index_dir=index_dir, host=host, port=port)
    require_index(settings.index_dir)
    try:
        check_port(settings.host, settings.port)
    except PortUnavailable as error:
        raise CommandError(str(error)) from None
    run_server(settings)


@main.command()
@index_option
@click.option("--json", "as_json", is_flag=True, help="Print the same JSON as /api/search.")
@click.option("--lang", help="Only articles in this language: kk, ru or mixed.")
@click.option("--from", "date_from", help="Only articles from this date on (YYYY-MM-DD).")
@click.option("--to", "date_to", help="Only articles up to this date (YYYY-MM-DD).")
@click.option("--city", help="Only articles with this dateline city.")
@click.option("--sort", help=f"{RELEVANCE} (default), {NEWEST} or {OLDEST}.")
@click.option(
    "--limit",
    type=click.IntRange(1, 10_000),
    default=10,
    show_default=True,
    help="Hits per query; up to 10000 for complete hit lists.",
)
@click.option(
    "--queries",
    type=click.File("r", encoding="utf-8"),
    help="A file of queries, one per line ('-' for standard input); prints JSON Lines.",
)
@click.argument("query", required=False, default="")
@click.pass_context
def search(ctx, index_dir, as_json, lang, date_from, date_to, city, sort, limit, queries, query):
    """Search the index in the web app's query language; print hits as text or JSON.

    \b
    Examples:
      search-service search --index /srv/index 'конституция date:2025'
      search-service search --index /srv/index --limit 1000 --queries queries.txt > hits.jsonl
    """
    from search_service import i18n
    from search_service.backend import open_backend

    settings = settings_of(ctx).replace(index_dir=index_dir)
    require_index(settings.index_dir)
    searcher = open_backend(settings)
    options = {"lang": lang, "from": date_from, "to": date_to, "city": city, "sort": sort}
    args = {name: value for name, value in options.items() if value}
    if queries is not None:
        for line in queries:
            if line.strip():
                payload = _search_payload(searcher, settings, {**args, "q": line.strip()}, limit)
                click.echo(json.dumps({"query": line.strip(), **payload}, ensure_ascii=False))
        return
    payload = _search_payload(searcher, settings, {**args, "q": query}, limit)
    if as_json:
        click.echo(json.dumps(payload, ensure_ascii=False, indent=2))
        return
    if "error" in payload:
        raise CommandError(payload["error"]["message"], EXIT_USAGE)
    for hit in payload["hits"]:
        where = f"{hit['language']:5} {hit['city'] or '-':15}"
        click.echo(f"{hit['date']}  {where}  {hit['headline']}  [{hit['id']}]")
    for notice in payload["notices"]:
        click.echo(f"note: {notice['message']}", err=True)
    for limit in payload["prefix_limited"]:
        key = "results.prefix_excluded" if limit["excluded"] else "results.prefix_limited"
        click.echo("note: " + i18n.translate("en", key, **limit), err=True)
    if payload["timed_out"]:
        click.echo("note: " + i18n.translate("en", "results.timed_out"), err=True)
    hint = f"; did you mean: {payload['suggestion']}" if payload["suggestion"] else ""
    click.echo(f"{payload['total']} hits{hint}", err=True)


def _search_payload(
    searcher: SearchBackend, settings: Settings, args: dict[str, str], limit: int
) -> dict:
    """One search as the API's JSON object; a query error is reported inside it, under
    ``error`` (a success has no ``error`` key, as in the API)."""
    from search_service.guards import BadRequest, check_page
    from search_service.params import parse_search_request
    from search_service.payloads import search_payload
    from search_service.query import QueryError

    try:
        request = parse_search_request(args, settings)
    except BadRequest as error:
        raise CommandError(f"{error.code}: {error.message}", EXIT_USAGE) from None
    request.per_page = limit  # the CLI may ask for more than a web page holds
    try:
        page = searcher.search(request)
    except IndexUnreadable as error:
        raise _index_error(error) from None
    except IndexStoreError as error:
        raise CommandError(str(error), EXIT_NO_INDEX) from None
    payload = search_payload(page, lambda article_id: f"/articles/{article_id}")
    try:
        check_page(page)
    except QueryError as error:
        payload["error"] = {"code": error.code, "message": error.message()}
    except BadRequest as error:  # a page past the end (the CLI always asks for the first)
        raise CommandError(f"{error.code}: {error.message}", EXIT_USAGE) from None
    return payload


main.add_command(tools)
