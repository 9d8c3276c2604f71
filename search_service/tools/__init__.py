"""The tools: benchmarks, the load test and the lexicon builder, each a click command.

They measure or prepare the service and are no part of it: nothing in the package imports
this folder except the command line, which lists the tools under their own heading of
``search-service --help`` and as ``search-service tools``. Each tool's module is imported only
when the tool runs or its help is shown, so the everyday commands do not load them.
"""

from __future__ import annotations

import importlib

import click

# command name -> "module:attribute" of its click command
TOOLS = {
    "bench": "search_service.tools.bench:command",
    "bench-follow": "search_service.tools.bench.follow:command",
    "bench-retrieval": "search_service.tools.bench.retrieval:command",
    "bench-text": "search_service.tools.bench_text:command",
    "build-kk-lexicon": "search_service.tools.kk_lexicon:command",
    "loadtest": "search_service.tools.loadtest:command",
}


def load_tool(name: str) -> click.Command:
    """The click command of the tool ``name`` (its module imported now)."""
    module, _, attribute = TOOLS[name].partition(":")
    command = getattr(importlib.import_module(module), attribute)
    if command.name != name:
        raise RuntimeError(f"{TOOLS[name]} is the command {command.name!r}, not {name!r}")
    return command


class ToolGroup(click.Group):
    """A group that finds the tools by name in :data:`TOOLS` besides its own commands."""

    def list_commands(self, ctx: click.Context) -> list[str]:
        return sorted({*super().list_commands(ctx), *TOOLS})

    def get_command(self, ctx: click.Context, name: str) -> click.Command | None:
        if name in TOOLS:
            return load_tool(name)
        return super().get_command(ctx, name)


@click.group("tools", cls=ToolGroup, short_help="The tools above, as a group of their own.")
def tools() -> None:
    """Benchmarks, the load test and the lexicon builder (each also `search-service TOOL`).

    \b
    Examples:
      search-service tools bench --help
      search-service bench --profile small
    """
