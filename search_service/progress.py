"""Progress of a long job: a bar on a terminal, periodic log lines under cron."""

from __future__ import annotations

import logging
import sys
import time
from typing import TextIO

log = logging.getLogger("search_service.progress")


class Progress:
    """Callable ``(done, total)``: redraws a bar on a terminal, or logs every ``every`` s."""

    def __init__(self, label: str, stream: TextIO | None = None, every: float = 10.0):
        self.label = label
        self.stream = stream or sys.stderr
        self.every = every
        self.interactive = self.stream.isatty()
        self.started = time.monotonic()
        self.last = self.started

    def __call__(self, done: int, total: int) -> None:
        now = time.monotonic()
        if done < total and now - self.last < (0.2 if self.interactive else self.every):
            return
        self.last = now
        rate = done / max(now - self.started, 1e-6)
        share = done / total if total else 1.0
        if self.interactive:
            filled = int(share * 30)
            bar = "#" * filled + "-" * (30 - filled)
            self.stream.write(
                f"\r{self.label} [{bar}] {done}/{total} files {share:4.0%} {rate:6.0f}/s"
            )
            if done >= total:
                self.stream.write("\n")
            self.stream.flush()
        else:
            log.info(
                "%s: %d/%d files (%.0f%%), %.0f files/s", self.label, done, total, share * 100, rate
            )
