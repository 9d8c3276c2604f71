"""The production server loads what requests need before it accepts them."""

import gc

from search_service.typeahead import SuggestTable
from search_service.web import SEARCHER_KEY, create_app
from search_service.web.server import ArchiveServer, _warm_worker, warm_up_app, warm_up_worker


def test_gunicorn_preloads_the_app_and_warms_each_worker(tiny_settings):
    server = ArchiveServer(tiny_settings)
    assert server.cfg.preload_app is True
    assert server.cfg.post_worker_init is _warm_worker


def test_the_master_loads_analysis_and_templates_but_opens_no_index(tiny_settings):
    app = create_app(tiny_settings)
    try:
        warm_up_app(app)
        assert app.extensions[SEARCHER_KEY]._searcher is None  # no open files across a fork
        assert gc.get_freeze_count() > 0
    finally:
        gc.unfreeze()


def test_the_master_loads_the_type_ahead_table_once_for_every_worker(tiny_settings, monkeypatch):
    app = create_app(tiny_settings)
    try:
        warm_up_app(app)
    finally:
        gc.unfreeze()

    def no_second_load(*args):
        raise AssertionError("the table was loaded again")

    monkeypatch.setattr(SuggestTable, "load", no_second_load)
    answer = app.test_client().get("/api/suggest?prefix=сай")
    assert answer.status_code == 200 and answer.get_json()["suggestions"]


def test_a_master_without_an_index_still_starts(tiny_settings, tmp_path):
    app = create_app(tiny_settings.replace(index_dir=tmp_path / "nothing-here"))
    try:
        warm_up_app(app)  # logs a warning, raises nothing
        assert app.test_client().get("/api/suggest?prefix=сай").status_code == 503
    finally:
        gc.unfreeze()


def test_a_worker_opens_the_index_before_its_first_request(tiny_settings):
    app = create_app(tiny_settings)
    try:
        warm_up_worker(app)
        assert app.extensions[SEARCHER_KEY]._searcher is not None
        answer = app.test_client().get("/api/search?q=сайлау")
        assert answer.status_code == 200 and answer.get_json()["total"] > 0
    finally:
        gc.unfreeze()
        app.extensions[SEARCHER_KEY].close()


def test_a_worker_without_an_index_still_starts(tiny_settings, tmp_path):
    app = create_app(tiny_settings.replace(index_dir=tmp_path / "nothing-here"))
    try:
        warm_up_worker(app)  # logs a warning, raises nothing
        assert app.test_client().get("/api/search?q=x").status_code == 503
    finally:
        gc.unfreeze()
