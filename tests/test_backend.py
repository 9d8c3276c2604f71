"""The search backend's seam: the Whoosh searcher is a :class:`SearchBackend`, the protocol
cannot drift from it, and the web layer and the CLI need nothing of a backend beyond it."""

from __future__ import annotations

import csv
import inspect
import io
import json
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from search_service import backend
from search_service.backend import SearchBackend, open_backend
from search_service.cli import main
from search_service.searcher import ArchiveSearcher
from search_service.web import SEARCHER_KEY

# What the web layer and the CLI use of a searcher (the protocol lists exactly these).
MEMBERS = {"index_dir", "search", "article", "more_like_this", "export_rows", "health"}
METHODS = sorted(MEMBERS - {"index_dir"})
TARIFF_IDS = {"ru.2024.02.tariff-title", "ru.2024.02.tariff-body"}  # the two hits of тариф


def protocol_members() -> set[str]:
    """The members :class:`SearchBackend` declares: its annotated attributes and methods."""
    methods = {
        name
        for name, value in vars(SearchBackend).items()
        if not name.startswith("_") and inspect.isfunction(value)
    }
    return methods | set(SearchBackend.__annotations__)


class OnlyTheProtocol:
    """A backend that offers nothing but the protocol's members, and notes which were used."""

    def __init__(self, inner: SearchBackend):
        self._inner = inner
        self.used: set[str] = set()

    def __getattr__(self, name: str) -> Any:
        if name not in MEMBERS:
            raise AttributeError(f"{name!r} is not a member of SearchBackend")
        self.used.add(name)
        return getattr(self._inner, name)


def test_the_protocol_lists_what_the_web_layer_and_the_cli_use():
    assert protocol_members() == MEMBERS


def test_the_whoosh_searcher_is_a_search_backend(tiny_searcher, tiny_index):
    assert isinstance(tiny_searcher, SearchBackend)
    assert tiny_searcher.index_dir == tiny_index
    assert isinstance(tiny_searcher.index_dir, Path)
    assert not isinstance(object(), SearchBackend)  # the check is not vacuous


@pytest.mark.parametrize("name", METHODS)
def test_each_method_has_the_whoosh_searcher_s_signature(name):
    """Parameters (name, kind, default, annotation) and return type, one by one, so the
    protocol and the implementation cannot drift apart."""

    def shape(function) -> tuple[list[tuple], Any]:
        signature = inspect.signature(function)
        parameters = [
            (p.name, p.kind, p.default, p.annotation) for p in signature.parameters.values()
        ]
        return parameters, signature.return_annotation

    assert shape(getattr(SearchBackend, name)) == shape(getattr(ArchiveSearcher, name))
    assert getattr(SearchBackend, name).__doc__  # what any backend must give, in one line


def test_open_backend_opens_the_settings_index_with_their_limits(tiny_settings):
    opened = open_backend(tiny_settings)
    try:
        assert isinstance(opened, SearchBackend)
        assert type(opened) is ArchiveSearcher  # the only backend today
        assert opened.index_dir == tiny_settings.index_dir
        assert opened.max_prefix_terms == tiny_settings.max_prefix_terms
        assert opened.time_budget_ms == tiny_settings.time_budget_ms
        assert opened.slow_search_ms == tiny_settings.slow_search_ms
        assert opened.health()["status"] == "ok"
    finally:
        opened.close()


def test_the_app_searches_through_its_backend(tiny_app, tiny_client):
    assert isinstance(tiny_app.extensions[SEARCHER_KEY], SearchBackend)
    body = tiny_client.get("/api/search", query_string={"q": "тариф"}).get_json()
    assert body["total"] == 2
    assert {hit["id"] for hit in body["hits"]} == TARIFF_IDS
    page = tiny_client.get("/search", query_string={"q": "тариф"})
    assert page.status_code == 200
    assert all(
        f"/articles/{article_id}" in page.get_data(as_text=True) for article_id in TARIFF_IDS
    )


def test_the_web_layer_needs_nothing_beyond_the_protocol(tiny_app):
    """Every page and endpoint that searches, served by a backend that has only the
    protocol's members: all answer, and between them they use every member."""
    only = OnlyTheProtocol(tiny_app.extensions[SEARCHER_KEY])
    tiny_app.extensions[SEARCHER_KEY] = only
    client = tiny_app.test_client()
    article = "ru.2024.02.tariff-title"

    found = client.get("/api/search", query_string={"q": "тариф"}).get_json()
    assert {hit["id"] for hit in found["hits"]} == TARIFF_IDS
    page = client.get("/search", query_string={"q": "тариф"}).get_data(as_text=True)
    assert all(f"/articles/{article_id}" in page for article_id in TARIFF_IDS)
    view = client.get(f"/api/articles/{article}", query_string={"q": "тариф"}).get_json()
    assert view["id"] == article and "<mark>" in view["headline_html"]
    assert client.get(f"/articles/{article}").status_code == 200
    similar = client.get(f"/api/articles/{article}/similar").get_json()
    assert article not in {hit["id"] for hit in similar["hits"]}
    rows = list(
        csv.DictReader(io.StringIO(client.get("/export.csv?q=тариф").data.decode("utf-8-sig")))
    )
    assert {row["id"] for row in rows} == TARIFF_IDS
    assert client.get("/health").get_json()["status"] == "ok"
    feed = client.get("/feed.atom", query_string={"q": "тариф"})
    assert feed.status_code == 200 and article in feed.get_data(as_text=True)

    assert only.used == MEMBERS


def test_the_cli_search_needs_nothing_beyond_the_protocol(tiny_index, runner, monkeypatch):
    opened: list[OnlyTheProtocol] = []
    real_open = backend.open_backend

    def open_only_the_protocol(settings):
        opened.append(OnlyTheProtocol(real_open(settings)))
        return opened[-1]

    monkeypatch.setattr(backend, "open_backend", open_only_the_protocol)
    result = runner.invoke(main, ["search", "--json", "--index", str(tiny_index), "тариф"])
    assert result.exit_code == 0, result.output
    assert {hit["id"] for hit in json.loads(result.stdout)["hits"]} == TARIFF_IDS
    assert [only.used for only in opened] == [{"search"}]


def test_importing_the_seam_loads_no_searcher():
    """The searcher (and Whoosh with it) loads when a backend is opened, not on import."""
    code = "import sys, search_service.backend; print('\\n'.join(sorted(sys.modules)))"
    done = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, timeout=120, check=True
    )
    loaded = set(done.stdout.split())
    assert "search_service.backend" in loaded
    assert "search_service.searcher" not in loaded and "whoosh" not in loaded
