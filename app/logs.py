"""Logging setup (rotating file plus stderr) and the text shown for an unhandled exception.

A record's text may carry names from outside (a file name with a newline, an index URL with a password): the formatter
writes control characters as escapes and redacts URL credentials, so one record is one line at column 0 and every
further line of it (a traceback) is indented. No line of the log that starts at column 0 was forged by a name.
"""

from __future__ import annotations

import logging
import logging.handlers
import os
import sys
import traceback
from pathlib import Path
from types import TracebackType

from app.escaping import escape_controls, escape_controls_keep_newlines
from quantize.pip_progress import redact_credentials

_log = logging.getLogger(__name__)

LOG_FILE_NAME = "modelwerk.log"
MAX_BYTES = 2 * 1024 * 1024
BACKUP_COUNT = 5
LOG_FORMAT = "%(asctime)s %(levelname)-8s %(name)s: %(message)s"

# Marks the handlers setup_logging installed, so a second call replaces them instead of adding more.
_MARK = "_modelwerk_handler"
_log_path: Path | None = None
TRACE_INDENT = "    "
"""Every line of a record's traceback or stack starts with this, so none can pass for a record of its own."""
FILE_MODE = 0o600
"""The log and its rotated copies: readable by the user only (they name the user's files and hosts)."""


class SafeFormatter(logging.Formatter):
    """A formatter that escapes control characters and redacts URL credentials in messages and their arguments.

    The message is escaped after ``%`` formatting, so the arguments (where names come in) are covered, and the message
    stays one line. Tracebacks are multi-line by nature: their other control characters are escaped, their URL
    credentials redacted, and each of their lines indented.
    """

    def format(self, record: logging.LogRecord) -> str:
        # A copy: other handlers (pytest's caplog) see the record unchanged, and a traceback another formatter cached on
        # it (exc_text) is formatted again here rather than reused raw.
        safe = logging.makeLogRecord(record.__dict__)
        safe.msg, safe.args, safe.exc_text = redact_credentials(escape_controls(record.getMessage())), None, None
        return super().format(safe)

    def formatException(self, ei: logging._SysExcInfoType) -> str:
        return _indented(super().formatException(ei))

    def formatStack(self, stack_info: str) -> str:
        return _indented(super().formatStack(stack_info))


def _indented(text: str) -> str:
    safe = redact_credentials(escape_controls_keep_newlines(text))
    return "\n".join(TRACE_INDENT + line for line in safe.split("\n"))


class _PrivateRotatingFileHandler(logging.handlers.RotatingFileHandler):
    """Creates the log (and each new one after a rotation) readable by the user only, whatever the umask."""

    def _open(self):  # type: ignore[no-untyped-def]  # typeshed: -> TextIOWrapper
        fd = os.open(self.baseFilename, os.O_WRONLY | os.O_CREAT | os.O_APPEND, FILE_MODE)
        os.close(fd)
        if os.name == "posix":
            os.chmod(self.baseFilename, FILE_MODE)  # a log made by an older Modelwerk was 0644
        return super()._open()


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
    log_dir.mkdir(mode=0o700, parents=True, exist_ok=True)
    path = log_dir / LOG_FILE_NAME
    formatter = SafeFormatter(LOG_FORMAT)
    level = logging.DEBUG if debug else logging.INFO

    file_handler = _PrivateRotatingFileHandler(path, maxBytes=MAX_BYTES, backupCount=BACKUP_COUNT, encoding="utf-8")
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
