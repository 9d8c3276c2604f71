"""Running the app in production: gunicorn, one worker process per core, debug off.

Each worker opens the index itself (after the fork) and follows its ``current`` generation,
so a rebuilt or updated index is picked up by every worker without a restart.
"""

from __future__ import annotations

import logging
import os
from typing import Any

from gunicorn.app.base import BaseApplication

from search_service.config import Settings

log = logging.getLogger(__name__)

# A worker that takes longer than this on one request is restarted by gunicorn.
REQUEST_TIMEOUT_SECONDS = 60


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
        }
        for name, value in options.items():
            self.cfg.set(name, value)

    def load(self):
        from search_service.web import create_app

        return create_app(self.settings)


def _host(host: str) -> str:
    return f"[{host}]" if ":" in host and not host.startswith("[") else host


def run_server(settings: Settings) -> None:
    """Serve the app on ``settings.host:settings.port`` until stopped (SIGTERM or Ctrl-C)."""
    log.info("serving %s on http://%s:%d/", settings.index_dir, settings.host, settings.port)
    ArchiveServer(settings).run()
