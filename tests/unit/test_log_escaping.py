"""A name with a newline, an escape sequence or a bidi override cannot forge a record in modelwerk.log or a row of
`modelwerk list`; credentials in an index URL never reach the log."""

from __future__ import annotations

import logging
import re
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from app.escaping import escape_controls
from app.logs import TRACE_INDENT, setup_logging, shutdown_logging
from quantize.pip_progress import PipProgress, redact_credentials
from quantize.toolchain import Toolchain, ToolchainError

FORGED = "evil.gguf\n2026-01-01 00:00:00,000 CRITICAL app.security: the license server says your copy is stolen"
RECORD = re.compile(r"^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d,\d{3} (DEBUG|INFO|WARNING|ERROR|CRITICAL) +[\w.]+: ")
log = logging.getLogger("app.library.importer")


@pytest.fixture
def log_file(tmp_path: Path) -> Iterator[Path]:
    path = setup_logging(tmp_path / "logs")
    yield path
    shutdown_logging()


def _lines(path: Path) -> list[str]:
    for handler in logging.getLogger().handlers:
        handler.flush()
    return path.read_text(encoding="utf-8").splitlines()


def _column_zero(lines: list[str]) -> list[str]:
    return [line for line in lines if not line.startswith(TRACE_INDENT)]


def test_a_newline_in_a_logged_name_cannot_forge_a_record(log_file: Path) -> None:
    log.info("Imported %s", FORGED)
    log.warning(FORGED)  # in the message itself, not an argument
    lines = _lines(log_file)
    assert not any(line.startswith("2026-01-01 00:00:00,000 CRITICAL") for line in lines)
    assert all(RECORD.match(line) for line in lines)  # every line is a record of its own
    assert sum("evil.gguf\\n2026-01-01" in line for line in lines) == 2


def test_terminal_escapes_and_bidi_overrides_are_shown_as_escapes(log_file: Path) -> None:
    log.warning("Imported %s and %s", "red\x1b[31m.gguf", "model\u202efuggexe.gguf")
    text = "\n".join(_lines(log_file))
    assert "\x1b" not in text and "\u202e" not in text
    assert "red\\x1b[31m.gguf" in text and "model\\u202efuggexe.gguf" in text


def test_an_exception_message_cannot_forge_a_record(log_file: Path) -> None:
    try:
        raise ValueError(f"cannot read {FORGED}\x1b[2J")
    except ValueError:
        log.exception("Import failed")
    lines = _lines(log_file)
    records = _column_zero(lines)
    assert len(records) == 1 and RECORD.match(records[0]) and "Import failed" in records[0]
    trace = [line for line in lines if line.startswith(TRACE_INDENT)]
    assert trace[0] == TRACE_INDENT + "Traceback (most recent call last):"
    assert not any("\x1b" in line for line in lines)


def test_stderr_gets_the_same_escaping(log_file: Path, capsys: pytest.CaptureFixture[str]) -> None:
    setup_logging(log_file.parent)  # again, now that capsys holds sys.stderr
    log.warning("Imported %s", FORGED)
    err = capsys.readouterr().err
    assert len(err.splitlines()) == 1 and "\\n2026" in err


def test_other_handlers_see_the_record_unchanged(log_file: Path, caplog: pytest.LogCaptureFixture) -> None:
    log.warning("Imported %s", "a\nb")
    assert caplog.records[-1].getMessage() == "Imported a\nb"


@pytest.mark.parametrize(("text", "expected"), [
    ("pip install --index-url https://alice:s3cr3t@pypi.corp/simple torch",
     "pip install --index-url https://***@pypi.corp/simple torch"),
    ("--extra-index-url=https://TOKEN123@host:8443/simple", "--extra-index-url=https://***@host:8443/simple"),
    ("https://u:p@ss@host/x and http://other/y", "https://***@host/x and http://other/y"),
    ("https://download.pytorch.org/whl/cpu user@example.com", "https://download.pytorch.org/whl/cpu user@example.com"),
])  # fmt: skip
def test_url_credentials_are_redacted(text: str, expected: str) -> None:
    assert redact_credentials(text) == expected


def test_credentials_never_reach_the_log(log_file: Path) -> None:
    log.info("toolchain: %s", "python -m pip install --extra-index-url https://bob:hunter2@mirror.corp/simple torch")
    try:
        raise RuntimeError("fetching https://bob:hunter2@mirror.corp/simple/torch failed")
    except RuntimeError:
        log.exception("pip failed")
    text = "\n".join(_lines(log_file))
    assert "hunter2" not in text and "https://***@mirror.corp/simple" in text


def test_the_toolchain_logs_and_reports_pip_without_credentials(tmp_path: Path, caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.DEBUG, logger="quantize.toolchain")
    pip = ("print('Looking in indexes: https://bob:hunter2@mirror.corp/simple'); "
           "print('ERROR: https://bob:hunter2@mirror.corp/x 401')")
    cmd = [sys.executable, "-c", pip + "; raise SystemExit(1)", "--index-url", "https://bob:hunter2@mirror.corp/simple"]
    with pytest.raises(ToolchainError) as caught:
        Toolchain(tmp_path / "tc", llama_cpp_version="0")._run(cmd, "installing torch", lambda *_: None, None, 0.0, 1.0)
    assert "hunter2" not in str(caught.value) and "***@mirror.corp" in str(caught.value)
    assert "hunter2" not in caplog.text and "--index-url https://***@mirror.corp/simple" in caplog.text


def test_pip_progress_error_is_redacted() -> None:
    p = PipProgress("installing")
    p.feed("ERROR: Could not fetch https://a:b@host/simple")
    assert p.error == "Could not fetch https://***@host/simple"


def test_escape_controls_covers_c0_c1_and_bidi() -> None:
    raw = "a\tb\rc\x00d\x7fe\x85f\x9bg\u2028h\u202ai\u2069j\\k"
    assert escape_controls(raw) == "a\\tb\\rc\\x00d\\x7fe\\x85f\\x9bg\\u2028h\\u202ai\\u2069j\\k"


def test_a_newline_in_a_file_name_cannot_forge_a_row_of_modelwerk_list(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    from fixtures.hardware_reports import cpu_only
    from fixtures.tiny_gguf import write_tiny_gguf

    from app import cli
    from app.cli import common

    monkeypatch.setattr(common, "report", lambda bandwidth=True: cpu_only())
    evil = write_tiny_gguf(tmp_path / "evil\n99  trusted-model  gguf  Q8_0\x1b[8m.gguf")
    assert cli.main(["import", str(evil)]) == 0
    imported = capsys.readouterr().out
    assert imported.count("\n") == 1 and "\x1b" not in imported

    assert cli.main(["list"]) == 0
    out = capsys.readouterr().out
    lines = out.splitlines()
    assert len(lines) == 2 and "\x1b" not in out  # the header and one row: no forged row 99
    assert lines[1].split()[:2] == ["1", "evil\\n99"]

    assert cli.main(["info", str(evil)]) == 0
    info = capsys.readouterr().out
    assert "evil\\n99  trusted-model" in info and "\x1b" not in info
