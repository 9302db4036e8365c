"""Logging setup (rotating file plus stderr) and the text shown for an unhandled exception."""

from __future__ import annotations

import logging
import logging.handlers
import sys
import traceback
from pathlib import Path
from types import TracebackType

_log = logging.getLogger(__name__)

LOG_FILE_NAME = "modelwerk.log"
MAX_BYTES = 2 * 1024 * 1024
BACKUP_COUNT = 5
LOG_FORMAT = "%(asctime)s %(levelname)-8s %(name)s: %(message)s"

# Marks the handlers setup_logging installed, so a second call replaces them instead of adding more.
_MARK = "_modelwerk_handler"
_log_path: Path | None = None


def _our_handlers(root: logging.Logger) -> list[logging.Handler]:
    return [h for h in root.handlers if getattr(h, _MARK, False)]


def shutdown_logging() -> None:
    """Remove and close the handlers installed by ``setup_logging`` (others are left alone)."""
    global _log_path
    root = logging.getLogger()
    for handler in _our_handlers(root):
        root.removeHandler(handler)
        handler.close()
    _log_path = None


def setup_logging(log_dir: Path, *, debug: bool = False) -> Path:
    """Send log records to ``log_dir/modelwerk.log`` (rotated, 2 MB x 5) and to stderr.

    The file gets INFO and above (DEBUG when ``debug``); stderr gets WARNING and above (DEBUG when
    ``debug``). Calling it again replaces the handlers from the previous call rather than adding
    more, so it is safe to call twice or to point it at another folder.

    Args:
        log_dir: folder for the log file; created if missing.
        debug: log everything, to both the file and stderr.

    Returns:
        The path of the log file.
    """
    global _log_path
    shutdown_logging()
    log_dir.mkdir(parents=True, exist_ok=True)
    path = log_dir / LOG_FILE_NAME
    formatter = logging.Formatter(LOG_FORMAT)
    level = logging.DEBUG if debug else logging.INFO

    file_handler = logging.handlers.RotatingFileHandler(path, maxBytes=MAX_BYTES, backupCount=BACKUP_COUNT, encoding="utf-8")
    file_handler.setLevel(level)
    file_handler.setFormatter(formatter)
    handlers: list[logging.Handler] = [file_handler]

    # sys.stderr is None under pythonw.exe (Windows GUI launch); then only the file is written.
    if sys.stderr is not None:
        stream_handler = logging.StreamHandler(sys.stderr)
        stream_handler.setLevel(logging.DEBUG if debug else logging.WARNING)
        stream_handler.setFormatter(formatter)
        handlers.append(stream_handler)

    root = logging.getLogger()
    root.setLevel(level)
    for handler in handlers:
        setattr(handler, _MARK, True)
        root.addHandler(handler)
    logging.captureWarnings(True)
    _log_path = path
    _log.debug("Logging to %s (debug=%s)", path, debug)
    return path


def current_log_path() -> Path | None:
    """The log file set up by the last ``setup_logging`` call, or None before it."""
    return _log_path


def format_exception_report(
    exc_type: type[BaseException],
    exc: BaseException,
    tb: TracebackType | None,
    log_path: Path | None,
) -> str:
    """Return the text a crash dialog shows for an unhandled exception.

    Args:
        exc_type: the exception class.
        exc: the exception.
        tb: its traceback, if any.
        log_path: the log file holding the details, or None when logging is not set up.

    Returns:
        The type and message on the first line, then the traceback, then where the log is.
    """
    message = str(exc).strip()
    headline = f"{exc_type.__name__}: {message}" if message else exc_type.__name__
    trace = "".join(traceback.format_exception(exc_type, exc, tb)).rstrip()
    parts = [headline, "", trace]
    if log_path is not None:
        parts += ["", f"Details were written to {log_path}"]
    return "\n".join(parts)


def log_unhandled(exc_type: type[BaseException], exc: BaseException, tb: TracebackType | None) -> None:
    """Log an unhandled exception at CRITICAL with its traceback; usable as ``sys.excepthook``."""
    _log.critical("Unhandled exception: %s", exc_type.__name__, exc_info=(exc_type, exc, tb))
