"""The child's side of orphan protection: the parent holds our stdin open, so its end of file means the parent died
(or asks us to stop). A Python child calls `watch_stdin` early; it then exits even when the parent was SIGKILLed, which no
signal handler of the parent could arrange. A native child gets the same from the supervisor's group kill on stop.
"""

from __future__ import annotations

import contextlib
import logging
import os
import sys
import threading
from collections.abc import Callable

log = logging.getLogger(__name__)

ENV = "MODELWERK_WATCH_STDIN"
"""Set to "1" by the supervisor when it holds the child's stdin open for this watchdog."""


def requested() -> bool:
    """True when the parent asked for the watchdog (it holds our stdin)."""
    return os.environ.get(ENV) == "1"


def watch_stdin(on_eof: Callable[[], None] | None = None, *, exit_code: int = 0) -> threading.Thread:
    """Start a daemon thread that waits for the end of stdin, calls `on_eof` (clean-up, at most briefly), then ends the
    process with `exit_code` at once (``os._exit``: no other thread can hold it up)."""

    def watch() -> None:
        with contextlib.suppress(OSError, ValueError):
            fd = sys.stdin.fileno()
            while os.read(fd, 4096):  # the raw fd: a buffered read would hold a lock that blocks interpreter shutdown
                pass
        log.info("the parent went away (stdin closed): exiting")
        if on_eof is not None:
            try:
                on_eof()
            except Exception:
                log.exception("watchdog clean-up failed")
        os._exit(exit_code)

    thread = threading.Thread(target=watch, name="watch-stdin", daemon=True)
    thread.start()
    return thread
