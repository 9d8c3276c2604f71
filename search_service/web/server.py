"""Running the app in production: gunicorn, one worker process per core, debug off.

Each worker opens the index itself (after the fork) and follows its ``current`` generation,
so a rebuilt or updated index is picked up by every worker without a restart.
"""

from __future__ import annotations

import errno
import logging
import os
import socket
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
