"""Secrets (endpoint API keys) kept out of the database: in the system keyring, else in a file only the user can read.

The database holds a random reference per secret, never the secret. Where the ``keyring`` library finds no usable
backend (a headless Linux, CI: its ``fail`` keyring, or a chainer with nothing to chain) or the keyring refuses a write,
the secret goes to ``keys.json`` in the data folder instead: mode 0600 in the 0700 folder, written atomically. The log
says so once per file, and ``KeyStore.notice`` gives the same sentence for the UI.
"""

from __future__ import annotations

import contextlib
import json
import logging
import os
import secrets
import threading
from pathlib import Path
from typing import Literal

import keyring
import keyring.errors
from keyring.backend import KeyringBackend

from core.errors import ModelwerkError, said
from core.messages import N_, Message

__all__ = ["FALLBACK_NAME", "SERVICE", "KeyStore", "KeyStoreError", "new_ref", "system_keyring"]

log = logging.getLogger(__name__)

SERVICE = "Modelwerk"
"""The keyring's service name; each secret's user name is its reference."""
FALLBACK_NAME = "keys.json"
FILE_MODE = 0o600

_announced: set[Path] = set()
_announce_lock = threading.Lock()


class KeyStoreError(ModelwerkError):
    """A secret could not be stored or read back; the message is one line for the user."""

    hint = N_("unlock the system keyring, or check that the data folder is writable")


def new_ref(kind: str) -> str:
    """A fresh reference for a secret, e.g. ``endpoint-3f9c...``: what the database keeps instead of the secret."""
    return f"{kind}-{secrets.token_hex(12)}"


def system_keyring() -> KeyringBackend | None:
    """The keyring backend to use, or None when there is no usable one.

    keyring answers with its ``fail`` keyring (priority 0) or a chainer with no backends (priority below 0) when the
    system has no secret service; both raise or do nothing on every call, so they count as none.
    """
    try:
        backend = keyring.get_keyring()
        usable = float(backend.priority) > 0
    except Exception as exc:  # a broken backend plugin or D-Bus must not stop the app; the file still works
        log.warning("The system keyring is unusable (%s: %s)", type(exc).__name__, exc)
        return None
    return backend if usable else None


class KeyStore:
    """Secrets by reference, in the system keyring or the private fallback file beside the database."""

    def __init__(self, folder: Path, *, backend: KeyringBackend | Literal["system"] | None = "system") -> None:
        """Keep secrets for the data folder ``folder``.

        Args:
            folder: the data folder (the database's); the fallback file goes there.
            backend: a keyring backend; None: always the file; "system" (the default): the system keyring if usable.
        """
        self.file = Path(folder) / FALLBACK_NAME
        self._pending = backend == "system"
        self._resolved: KeyringBackend | None = None if isinstance(backend, str) else backend
        self._lock = threading.RLock()
        self._cache: dict[str, str] = {}

    @property
    def _backend(self) -> KeyringBackend | None:
        # Looked up on first use: an app with no keys never talks to the secret service (D-Bus) at all.
        with self._lock:
            if self._pending:
                self._resolved, self._pending = system_keyring(), False
            return self._resolved

    @property
    def uses_keyring(self) -> bool:
        """Whether new secrets go to the system keyring."""
        return self._backend is not None

    @property
    def notice(self) -> str:
        """One sentence for the user when secrets go to the file; "" when they go to the system keyring."""
        if self._backend is not None:
            return ""
        return f"No system keyring: the key is kept in {self.file}, readable only by you."

    def get(self, ref: str) -> str:
        """The secret behind ``ref``; "" when there is none (or ``ref`` is "")."""
        if not ref:
            return ""
        with self._lock:
            if ref in self._cache:
                return self._cache[ref]
            value: str | None = None
            if self._backend is not None:
                try:
                    value = self._backend.get_password(SERVICE, ref)
                except keyring.errors.KeyringError as exc:
                    log.warning("Could not read a key from the system keyring: %s", exc)
            if value is None:
                value = self._read_file().get(ref)
            self._cache[ref] = value or ""
            return value or ""

    def set(self, ref: str, value: str) -> None:
        """Store ``value`` under ``ref``, in the keyring if it takes it, else in the file.

        Raises:
            KeyStoreError: neither the keyring nor the file could store it.
        """
        with self._lock:
            stored = False
            if self._backend is not None:
                try:
                    self._backend.set_password(SERVICE, ref, value)
                    stored = self._backend.get_password(SERVICE, ref) == value
                except keyring.errors.KeyringError as exc:
                    log.warning("The system keyring refused a key (%s); keeping it in %s instead", exc, self.file)
            if stored:
                self._drop_from_file(ref)
            else:
                data = self._read_file()
                data[ref] = value
                self._write_file(data)
            self._cache[ref] = value

    def delete(self, ref: str) -> None:
        """Forget the secret behind ``ref`` wherever it is; a missing one is fine."""
        if not ref:
            return
        with self._lock:
            self._cache.pop(ref, None)
            if self._backend is not None:
                with contextlib.suppress(keyring.errors.KeyringError):  # PasswordDeleteError: it was not there
                    self._backend.delete_password(SERVICE, ref)
            self._drop_from_file(ref)

    def _drop_from_file(self, ref: str) -> None:
        data = self._read_file()
        if ref in data:
            del data[ref]
            self._write_file(data)

    def _read_file(self) -> dict[str, str]:
        try:
            raw = json.loads(self.file.read_text(encoding="utf-8"))
        except FileNotFoundError:
            return {}
        except (OSError, ValueError) as exc:
            raise KeyStoreError(Message("Cannot read the key file {file}: {error}", file=str(self.file),
                                        error=said(exc))) from exc
        if not isinstance(raw, dict):
            raise KeyStoreError(Message("The key file {file} is not a JSON object", file=str(self.file)))
        return {str(k): str(v) for k, v in raw.items()}

    def _write_file(self, data: dict[str, str]) -> None:
        tmp = self.file.with_name(f".{self.file.name}.{os.getpid()}.tmp")
        try:
            self.file.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
            # Created 0600 from the start (O_EXCL: never through a file or link someone else put there).
            fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_BINARY", 0), FILE_MODE)
            with os.fdopen(fd, "w", encoding="utf-8") as f:
                json.dump(data, f, indent=1, sort_keys=True)
                f.flush()
                os.fsync(f.fileno())
            os.replace(tmp, self.file)
        except OSError as exc:
            with contextlib.suppress(OSError):
                tmp.unlink()
            raise KeyStoreError(Message("Cannot write the key file {file}: {reason}", file=str(self.file),
                                        reason=str(exc.strerror or exc))) from exc
        if data:
            self._announce()

    def _announce(self) -> None:
        with _announce_lock:
            if self.file in _announced:
                return
            _announced.add(self.file)
        log.warning("%s", self.notice or f"Some keys are kept in {self.file}, readable only by you.")
