"""Running the app in production: gunicorn, one worker process per core, debug off.

Each worker opens the index itself (after the fork) and follows its ``current`` generation,
so a rebuilt or updated index is picked up by every worker without a restart.

Nothing a request needs is left for the first request to load: the app is made once in
gunicorn's master before the workers are forked (``preload_app``), with the text analysis
loaded (pymorphy3's dictionaries, the Kazakh lexicon) and the templates compiled, which the
workers then share; each worker opens the index and answers one search of its own before it
accepts a connection (the ``post_worker_init`` hook). The master never opens the index: open
files are not shared across the fork.
"""

from __future__ import annotations

import gc
import logging
import os
import time
from typing import Any

from gunicorn.app.base import BaseApplication

from search_service.config import Settings

log = logging.getLogger(__name__)

# A worker that takes longer than this on one request is restarted by gunicorn.
REQUEST_TIMEOUT_SECONDS = 60
# What the warm-up analyses and searches: a Kazakh word in both scripts and a Russian one.
WARM_UP_QUERY = "сайлау Qazaqstan выборы"


class ArchiveServer(BaseApplication):
    """gunicorn, configured from our settings instead of its own command line."""

    def __init__(self, settings: Settings):
        self.settings = settings
        super().__init__()

    def load_config(self) -> None:
        settings = self.settings
        options: dict[str, Any] = {
            "bind": f"{_host(settings.host)}:{settings.port}",
            "workers": settings.workers or os.cpu_count() or 1,
            "threads": settings.threads,
            "worker_class": "gthread",
            "timeout": REQUEST_TIMEOUT_SECONDS,
            "graceful_timeout": 10,
            "loglevel": settings.log_level.lower(),
            "accesslog": None,
            "errorlog": "-",
            "proc_name": "archive-search",
            "limit_request_line": 8190,
            # No control socket: it lives at one path per user, so two servers would clash.
            "control_socket_disable": True,
            # Load the app (and what every request needs) once, before forking the workers.
            "preload_app": True,
            "post_worker_init": _warm_worker,
        }
        for name, value in options.items():
            self.cfg.set(name, value)

    def load(self):
        from search_service.web import create_app

        app = create_app(self.settings)
        warm_up_app(app)
        return app


def warm_up_app(app: Any) -> None:
    """Load what every request needs but the index: the analysers' dictionaries and lexicon
    (by analysing a query) and the compiled templates."""
    from search_service.text import analyze_query

    started = time.perf_counter()
    analyze_query(WARM_UP_QUERY)
    for name in app.jinja_env.list_templates():
        app.jinja_env.get_template(name)
    log.info("text analysis and templates loaded in %.2f s", time.perf_counter() - started)
    _freeze_garbage()


def warm_up_worker(app: Any) -> None:
    """Open the index and answer one search, so the first request finds everything loaded."""
    from search_service.searcher import SearchRequest
    from search_service.web import SEARCHER_KEY

    started = time.perf_counter()
    try:
        app.extensions[SEARCHER_KEY].search(SearchRequest(q=WARM_UP_QUERY))
    except Exception as error:  # no index yet, or unreadable: requests will say so
        log.warning("warm-up search failed: %s", error)
        return
    log.info("index opened and searched in %.2f s", time.perf_counter() - started)
    _freeze_garbage()


def _freeze_garbage() -> None:
    """Leave what is loaded for good out of the cyclic garbage collector's full collections
    (gc.freeze): each one walked every object of the index and the analysers, a third of a
    second in 100 first queries. In the master it also keeps the forked workers from
    copying the shared pages when the collector touches them."""
    gc.collect()
    gc.freeze()


def _warm_worker(worker: Any) -> None:
    """gunicorn's ``post_worker_init`` hook: runs in each worker before it accepts requests."""
    warm_up_worker(worker.wsgi)


def _host(host: str) -> str:
    return f"[{host}]" if ":" in host and not host.startswith("[") else host


def run_server(settings: Settings) -> None:
    """Serve the app on ``settings.host:settings.port`` until stopped (SIGTERM or Ctrl-C)."""
    log.info("serving %s on http://%s:%d/", settings.index_dir, settings.host, settings.port)
    ArchiveServer(settings).run()
