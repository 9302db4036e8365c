"""One root for expected errors, one formatter, and the CLI's one place: an expected error is one line and exit 1; anything
else is a bug that names the log."""

from __future__ import annotations

import argparse
from pathlib import Path

import pytest

from app import cli, paths
from app.chat.endpoints import EndpointKeyError, EndpointNotFound, InvalidEndpoint
from app.chat.messages import ChatError, RuntimeCrashed, RuntimeUnavailable
from app.chat.sessions import ConversationNotFound
from app.chat.template_sandbox import TemplateLimitError
from app.hub.errors import (
    ChecksumMismatch,
    DiskFull,
    DownloadCancelled,
    DownloadError,
    FileNotOnHub,
    GatedRepoError,
    HubError,
    HubUnavailable,
    RepoNotFound,
)  # fmt: skip
from app.jobs import ToolchainMissing
from app.keystore import KeyStoreError
from app.library.catalog import CatalogError, EntryNotFound
from app.library.demo import DemoModelError
from app.paths import DataDirError
from app.settings import SettingsError
from app.store import StoreError
from core.errors import ModelwerkError, user_message
from formats.model import ModelFileError
from hardware.quants import UnknownQuantError
from hardware.shape import ParamsError
from quantize.errors import JobCancelled, JobFailed
from quantize.job import JobNotFound, JobQueueError
from quantize.remote_code import RemoteCodeRefused
from quantize.spec import SpecError
from quantize.toolchain import ToolchainCancelled, ToolchainError

EXPECTED = [
    ChatError, RuntimeUnavailable, RuntimeCrashed, TemplateLimitError, InvalidEndpoint, EndpointNotFound, EndpointKeyError,
    ConversationNotFound, HubError, HubUnavailable, RepoNotFound, FileNotOnHub, GatedRepoError, DownloadError,
    ChecksumMismatch, DiskFull, DownloadCancelled, ToolchainMissing, KeyStoreError, CatalogError, EntryNotFound,
    DemoModelError, ModelFileError, DataDirError, SettingsError, StoreError, UnknownQuantError, ParamsError, JobFailed,
    JobCancelled, JobQueueError, JobNotFound, RemoteCodeRefused, SpecError, ToolchainError, ToolchainCancelled,
]  # fmt: skip


@pytest.mark.parametrize("cls", EXPECTED, ids=lambda c: c.__name__)
def test_every_expected_error_derives_from_the_root_and_has_a_hint(cls: type[Exception]) -> None:
    assert issubclass(cls, ModelwerkError)
    hint = cls.hint  # type: ignore[attr-defined]
    assert isinstance(hint, str) and hint.strip() and "\n" not in hint


def test_structured_fields_and_the_one_line_message() -> None:
    e = ModelFileError("x.gguf is not a GGUF file\nmore detail", path="/m/x.gguf", hint="download it again")
    assert e.path == Path("/m/x.gguf") and e.repo_id is None and e.job_id is None
    assert user_message(e) == "x.gguf is not a GGUF file — download it again"
    gated = GatedRepoError("org/model", "https://hf.example", have_token=False)
    assert gated.repo_id == "org/model"
    assert user_message(gated) == str(gated)  # the message already says what to do: the class hint is not repeated
    assert JobFailed("bad input", job_id=7).job_id == 7
    assert user_message(KeyError("k")) == "bug: KeyError: 'k'"
    assert user_message(FileNotFoundError(2, "No such file or directory", "/nope")).startswith("[Errno 2]")


def test_typed_errors_keep_their_old_bases() -> None:
    assert issubclass(SettingsError, ValueError) and issubclass(SpecError, ValueError)
    assert issubclass(DataDirError, OSError) and issubclass(ToolchainError, RuntimeError)
    assert str(DataDirError("Cannot create the Modelwerk folder /x: Permission denied")).startswith("Cannot create")


def _with_command(monkeypatch: pytest.MonkeyPatch, error: Exception) -> None:
    real = cli._parser

    def parser() -> tuple[argparse.ArgumentParser, dict[str, object]]:
        p, commands = real()

        def fail(_args: argparse.Namespace) -> int:
            raise error

        commands["hw"] = fail
        return p, commands

    monkeypatch.setattr(cli, "_parser", parser)


def test_cli_prints_one_line_and_exits_1_for_an_expected_error(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    _with_command(monkeypatch, HubUnavailable("cannot reach https://hf.example: check your connection"))
    assert cli.main(["hw"]) == 1
    err = capsys.readouterr().err
    assert err == "modelwerk hw: cannot reach https://hf.example: check your connection\n"


def test_cli_says_bug_and_names_the_log_for_a_key_error(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    _with_command(monkeypatch, KeyError("missing_key"))
    assert cli.main(["hw"]) == 1
    err = capsys.readouterr().err
    assert len(err.strip().splitlines()) == 1
    log_file = paths.log_dir() / "modelwerk.log"
    assert err.startswith("modelwerk hw: bug: KeyError: 'missing_key'")
    assert str(log_file) in err
    assert "Traceback" in log_file.read_text(encoding="utf-8")  # the details are in the log, not on the terminal
