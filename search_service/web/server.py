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

import errno
import gc
import logging
import os
import socket
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
    (by analysing a query), the compiled templates and the type-ahead table (a file read
    once, which leaves nothing open across the fork and is shared by the workers: the first
    ``/api/suggest`` of each worker took 0.1 s to load it)."""
    from search_service.index_errors import IndexStoreError
    from search_service.text import analyze_query
    from search_service.web.typeahead import completer_of

    started = time.perf_counter()
    analyze_query(WARM_UP_QUERY)
    for name in app.jinja_env.list_templates():
        app.jinja_env.get_template(name)
    try:
        completer_of(app).table()
    except IndexStoreError as error:  # no index yet: the first request loads it
        log.warning("type-ahead table not loaded: %s", error)
    log.info(
        "text analysis, templates and type-ahead loaded in %.2f s", time.perf_counter() - started
    )
    _freeze_garbage()


def warm_up_worker(app: Any) -> None:
    """Open the index and answer one search, so the first request finds everything loaded."""
    from search_service.models import SearchRequest
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


class PortUnavailable(Exception):
    """The server cannot listen on the address it was given; the message says why."""


def check_port(host: str, port: int) -> None:
    """Raise :class:`PortUnavailable` unless ``host:port`` can be listened on now.

    gunicorn would retry a busy port for five seconds, logging "Connection in use" and then
    "Can't connect to ...", which reads like a client error; this says what to do instead.
    """
    try:
        addresses = socket.getaddrinfo(
            host or None, port, type=socket.SOCK_STREAM, flags=socket.AI_PASSIVE
        )
    except socket.gaierror as error:
        raise PortUnavailable(f"cannot listen on {host!r}: {error.strerror}") from None
    for family, kind, proto, _, address in addresses:
        with socket.socket(family, kind, proto) as sock:
            # As gunicorn does, so a port left in TIME_WAIT by a stopped server is not "busy".
            sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
            try:
                sock.bind(address)
            except OSError as error:
                raise PortUnavailable(_bind_problem(error, host, port)) from None


def _bind_problem(error: OSError, host: str, port: int) -> str:
    if error.errno == errno.EADDRINUSE:
        return f"port {port} is in use; pass --port to use another one"
    if error.errno == errno.EACCES:
        return f"no permission to listen on port {port}; pass --port with a port above 1023"
    if error.errno == errno.EADDRNOTAVAIL:
        return f"{host} is not an address of this machine; pass --host"
    return f"cannot listen on {host}:{port}: {error.strerror or error}"


def run_server(settings: Settings) -> None:
    """Serve the app on ``settings.host:settings.port`` until stopped (SIGTERM or Ctrl-C)."""
    log.info("serving %s on http://%s:%d/", settings.index_dir, settings.host, settings.port)
    ArchiveServer(settings).run()
