"""Running the app in production: waitress, a pure-Python WSGI server (no debug mode)."""

from __future__ import annotations

import logging

from search_service.config import Settings

log = logging.getLogger(__name__)


def run_server(settings: Settings) -> None:
    """Serve the app on ``settings.host:settings.port`` until interrupted."""
    from waitress import serve

    from search_service.web import create_app

    app = create_app(settings)
    log.info("serving %s on http://%s:%d/", settings.index_dir, settings.host, settings.port)
    serve(app, host=settings.host, port=settings.port, threads=settings.threads, ident=None)
