"""The command tree: the tools under a heading of their own, each a click command with the
options the README and CI use, and `require_index`, the one "no index" check."""

from __future__ import annotations

import json
import shutil

import click
import pytest

from search_service.cli import EXIT_NO_INDEX, EXIT_UNREADABLE, CommandError, main, require_index
from search_service.engine import store
from search_service.tools import TOOLS, load_tool

# Each tool's options as the README, CI and the tests call them (all must stay valid).
TOOL_OPTIONS = {
    "bench": [
        "--corpus", "--profile", "--scale", "--no-baseline-at-scale", "--json", "--work",
        "--repeats", "--http-seconds", "--clients", "--skip-http", "--peers", "--peers-only",
    ],
    "bench-follow": ["--corpus", "--work", "--json", "--skip-http", "--reuse-index"],
    "bench-retrieval": [
        "--corpus", "--set", "--index", "--work", "--rebuild", "--profile", "--json", "--runs",
    ],
    "bench-text": [
        "--ud", "--lang", "--kk-split", "--ru-split", "--kk-file", "--ru-file", "--keys",
        "--kk-lemmas", "--json",
    ],
    "build-kk-lexicon": ["HUNSPELL_DIR"],
    "loadtest": [
        "--index", "--url", "--seconds", "--clients", "--with-update", "--copies", "--json",
    ],
}  # fmt: skip


def test_every_tool_is_listed_with_its_options():
    assert set(TOOL_OPTIONS) == set(TOOLS)


def test_the_top_help_lists_the_commands_then_the_tools(runner):
    result = runner.invoke(main, ["--help"])
    assert result.exit_code == 0
    commands, tools = result.output.split("\nCommands:\n")[1].split("\nTools:\n")
    assert {"build", "update", "search", "serve", "check"} <= set(_names(commands))
    assert _names(tools) == sorted([*TOOLS, "tools"])


def test_the_tools_group_lists_every_tool(runner):
    result = runner.invoke(main, ["tools", "--help"])
    assert result.exit_code == 0
    assert _names(result.output.split("\nCommands:\n")[1]) == sorted(TOOLS)


@pytest.mark.parametrize("name", sorted(TOOLS))
def test_each_tool_explains_its_options(runner, name):
    result = runner.invoke(main, [name, "--help"], prog_name="search-service")
    assert result.exit_code == 0, result.output
    assert result.output.startswith(f"Usage: search-service {name} ")
    for option in TOOL_OPTIONS[name]:
        assert option in result.output, option
    # the same command under `tools`, and a real click command (no pass-through)
    grouped = runner.invoke(main, ["tools", name, "--help"], prog_name="search-service")
    assert grouped.output == result.output.replace("search-service", "search-service tools", 1)
    command = load_tool(name)
    declared = {opt for param in command.params for opt in getattr(param, "opts", ())}
    assert {o for o in TOOL_OPTIONS[name] if o.startswith("--")} <= declared


def test_a_tool_rejects_an_unknown_option_as_usage(runner):
    result = runner.invoke(main, ["bench", "--no-such-option"])
    assert result.exit_code == 2
    assert "No such option" in result.output and "--no-such-option" in result.output
    result = runner.invoke(main, ["bench", "--peers", "lucene"])
    assert result.exit_code == 2 and "unknown peer 'lucene'" in result.output
    result = runner.invoke(main, ["bench", "--scale", "many"])
    assert result.exit_code == 2 and "not a list of numbers" in result.output


@pytest.mark.parametrize(
    "arguments", [["search", "тариф"], ["serve"], ["loadtest", "--seconds", "1"]]
)
def test_a_command_needing_an_index_says_there_is_none(runner, tmp_path, arguments):
    empty = tmp_path / "index"
    result = runner.invoke(main, [arguments[0], "--index", str(empty), *arguments[1:]])
    assert result.exit_code == EXIT_NO_INDEX == 5
    assert f"Error: no index in {empty}: run `search-service build` first" in result.output


@pytest.mark.parametrize("command", ["search", "serve", "loadtest"])
def test_a_command_needing_an_index_refuses_one_it_cannot_read(
    runner, tiny_index, tmp_path, command
):
    index_dir = tmp_path / "index"
    shutil.copytree(tiny_index, index_dir, symlinks=True)
    meta_file = store.current_generation(index_dir) / store.META_FILE
    meta = json.loads(meta_file.read_text(encoding="utf-8"))
    meta_file.write_text(json.dumps({**meta, "index_format": 99}), encoding="utf-8")
    result = runner.invoke(main, [command, "--index", str(index_dir)])
    assert result.exit_code == EXIT_UNREADABLE == 6
    assert "cannot be read by this version" in result.output
    assert f"rebuild it with `search-service build --index {index_dir}`" in result.output


def test_require_index_passes_a_readable_index(tiny_index, tmp_path):
    require_index(tiny_index)
    with pytest.raises(CommandError) as raised:
        require_index(tmp_path)
    assert raised.value.exit_code == EXIT_NO_INDEX
    assert isinstance(raised.value, click.ClickException)


def _names(section: str) -> list[str]:
    """The command names of a help section (up to the next blank line)."""
    rows = section.split("\n\n")[0].splitlines()
    return [row.split()[0] for row in rows if row.startswith("  ") and row.split()]
