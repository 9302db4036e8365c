"""Logging setup and the crash report text."""

from __future__ import annotations

import logging
import logging.handlers
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from app import logs


@pytest.fixture(autouse=True)
def _restore_root_logger() -> Iterator[None]:
    root = logging.getLogger()
    level = root.level
    yield
    logs.shutdown_logging()
    root.setLevel(level)
    logging.captureWarnings(False)


def _ours() -> list[logging.Handler]:
    return [h for h in logging.getLogger().handlers if getattr(h, "_modelwerk_handler", False)]


def _read(path: Path) -> str:
    for handler in _ours():
        handler.flush()
    return path.read_text(encoding="utf-8")


def test_setup_logging_writes_to_the_file(tmp_path: Path) -> None:
    path = logs.setup_logging(tmp_path / "logs")
    assert path == tmp_path / "logs" / "modelwerk.log"
    assert logs.current_log_path() == path
    logging.getLogger("app.test").info("hello from the test ✓")
    logging.getLogger("app.test").debug("too chatty")
    text = _read(path)
    assert "INFO" in text and "app.test" in text and "hello from the test ✓" in text
    assert "too chatty" not in text


def test_setup_logging_is_idempotent(tmp_path: Path) -> None:
    before = len(logging.getLogger().handlers)
    first = logs.setup_logging(tmp_path)
    count = len(logging.getLogger().handlers)
    second = logs.setup_logging(tmp_path)
    assert first == second
    assert len(logging.getLogger().handlers) == count == before + 2
    logging.getLogger("app.test").warning("once")
    assert _read(first).count("once") == 1


def test_handlers_are_a_rotating_file_and_stderr(tmp_path: Path) -> None:
    logs.setup_logging(tmp_path)
    handlers = _ours()
    rotating = [h for h in handlers if isinstance(h, logging.handlers.RotatingFileHandler)]
    assert len(rotating) == 1
    assert rotating[0].maxBytes == 2 * 1024 * 1024
    assert rotating[0].backupCount == 5
    assert rotating[0].encoding == "utf-8"
    assert rotating[0].level == logging.INFO
    streams = [h for h in handlers if type(h) is logging.StreamHandler]
    assert len(streams) == 1
    assert streams[0].level == logging.WARNING


def test_debug_logs_everything(tmp_path: Path) -> None:
    path = logs.setup_logging(tmp_path, debug=True)
    logging.getLogger("app.test").debug("fine detail")
    assert "fine detail" in _read(path)
    assert all(h.level == logging.DEBUG for h in _ours())


def test_setup_logging_can_move_to_another_folder(tmp_path: Path) -> None:
    logs.setup_logging(tmp_path / "a")
    second = logs.setup_logging(tmp_path / "b")
    logging.getLogger("app.test").warning("moved")
    assert "moved" in _read(second)
    assert "moved" not in (tmp_path / "a" / "modelwerk.log").read_text(encoding="utf-8")


def test_shutdown_leaves_foreign_handlers_alone(tmp_path: Path) -> None:
    foreign = logging.NullHandler()
    root = logging.getLogger()
    root.addHandler(foreign)
    try:
        logs.setup_logging(tmp_path)
        logs.shutdown_logging()
        assert _ours() == []
        assert foreign in root.handlers
        assert logs.current_log_path() is None
    finally:
        root.removeHandler(foreign)


def _raise_and_catch() -> tuple[type[BaseException], BaseException, object]:
    def inner() -> None:
        raise ValueError("the model file is truncated")

    try:
        inner()
    except ValueError:
        exc_type, exc, tb = sys.exc_info()
        assert exc_type is not None and exc is not None
        return exc_type, exc, tb
    raise AssertionError("unreachable")


def test_exception_report_text(tmp_path: Path) -> None:
    exc_type, exc, tb = _raise_and_catch()
    log_path = tmp_path / "modelwerk.log"
    text = logs.format_exception_report(exc_type, exc, tb, log_path)  # type: ignore[arg-type]
    lines = text.splitlines()
    assert lines[0] == "ValueError: the model file is truncated"
    assert "Traceback (most recent call last):" in text
    assert "in inner" in text
    assert lines[-1] == f"Details were written to {log_path}"


def test_exception_report_without_message_or_log() -> None:
    text = logs.format_exception_report(KeyError, KeyError(), None, None)
    assert text.splitlines()[0] == "KeyError"
    assert "Details were written" not in text


def test_log_unhandled_logs_critical_with_traceback(tmp_path: Path) -> None:
    path = logs.setup_logging(tmp_path)
    exc_type, exc, tb = _raise_and_catch()
    logs.log_unhandled(exc_type, exc, tb)  # type: ignore[arg-type]
    text = _read(path)
    assert "CRITICAL" in text
    assert "ValueError: the model file is truncated" in text
    assert "Traceback (most recent call last):" in text
