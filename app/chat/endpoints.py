"""Remote OpenAI-compatible endpoints (vLLM, llama.cpp server, Ollama, LM Studio...): the ``endpoints`` table.

The API key is kept in the system keyring, or where there is none in a file only the user can read (app.keystore); the
database holds only a reference to it. It never appears in logs, reprs or error messages.
"""

from __future__ import annotations

import logging
import sqlite3
from dataclasses import dataclass, field
from datetime import datetime, timezone
from urllib.parse import urlsplit

from app.chat.messages import ChatError
from app.keystore import KeyStore, KeyStoreError, new_ref
from app.store import Store
from core.messages import N_, Message

__all__ = ["Endpoint", "EndpointKeyError", "EndpointNotFound", "Endpoints", "InvalidEndpoint", "normalise_url"]

log = logging.getLogger(__name__)

# What people paste after the base URL; dropped so that "http://host:8000/v1/chat/completions" works too.
_OPERATION_SUFFIXES = ("/chat/completions", "/completions", "/models")


class InvalidEndpoint(ChatError):
    """The URL or name of an endpoint is not usable; the message says what to type."""

    hint = N_("type an http:// or https:// address and a name")


class EndpointNotFound(ChatError):
    """No endpoint with that id (removed meanwhile)."""

    hint = N_("the endpoint was removed: add it again")


class EndpointKeyError(ChatError):
    """The API key could not be stored (neither the system keyring nor the private key file took it)."""

    hint = N_("unlock the system keyring, or check that the data folder is writable")


@dataclass(frozen=True)
class Endpoint:
    """A remote server. ``url`` is the base URL ending in /v1; ``api_key`` is "" when the server needs none."""

    id: int
    name: str
    url: str
    api_key: str = field(default="", repr=False)

    @property
    def has_key(self) -> bool:
        return bool(self.api_key)

    def __str__(self) -> str:
        return f"{self.name} ({self.url})"


def normalise_url(url: str) -> str:
    """Check a base URL (``http(s)://host[:port][/path][/v1]``) and return it ending in ``/v1``, without a trailing slash.

    Raises:
        InvalidEndpoint: not http(s), no host, a bad port, or a query, fragment or user:password part.
    """
    text = url.strip()
    if not text:
        raise InvalidEndpoint(Message("Enter the server's URL, e.g. http://localhost:8000/v1"))
    if "://" not in text:
        text = "http://" + text
    try:
        parts = urlsplit(text)
        port = parts.port
    except ValueError:
        raise InvalidEndpoint(Message("{strip} is not a valid URL (check the port)", strip=repr(url.strip()))) from None
    if parts.scheme.lower() not in ("http", "https"):
        raise InvalidEndpoint(Message("The URL must start with http:// or https://, not {scheme}://",
                                      scheme=str(parts.scheme)))
    if not parts.hostname:
        raise InvalidEndpoint(Message("The URL has no host name, e.g. http://localhost:8000/v1"))
    if parts.username is not None or parts.password is not None:
        # A key in the URL would end up in logs and error messages; it belongs in the API key field.
        raise InvalidEndpoint(Message("Put the API key in the API key field, not in the URL"))
    if parts.query or parts.fragment:
        raise InvalidEndpoint(Message("The URL must not have a ?query or #fragment; enter the base URL, e.g. "
                                      "http://host:8000/v1"))
    path = parts.path.rstrip("/")
    for suffix in _OPERATION_SUFFIXES:
        if path.endswith(suffix):
            path = path[: -len(suffix)].rstrip("/")
            break
    if not path.endswith("/v1"):
        path += "/v1"
    host = parts.hostname.lower()
    if ":" in host:  # IPv6 literal
        host = f"[{host}]"
    netloc = host if port is None else f"{host}:{port}"
    return f"{parts.scheme.lower()}://{netloc}{path}"


class Endpoints:
    """The remote endpoints the user added; their keys live in ``keys``, not in the database."""

    def __init__(self, store: Store, *, keys: KeyStore | None = None) -> None:
        self._store = store
        self.keys = keys if keys is not None else KeyStore(store.path.parent)

    def _endpoint(self, row: sqlite3.Row) -> Endpoint:
        key = self.keys.get(str(row["key_ref"]))
        return Endpoint(id=int(row["id"]), name=str(row["name"]), url=str(row["url"]), api_key=key)

    def add(self, name: str, url: str, *, api_key: str = "") -> Endpoint:
        """Validate and save an endpoint; an empty name becomes the URL's host.

        Raises:
            InvalidEndpoint: the URL is not usable.
        """
        base = normalise_url(url)
        name = " ".join(name.split()) or (urlsplit(base).hostname or base)
        key = api_key.strip()
        ref = new_ref("endpoint") if key else ""
        if key:
            self._set_key(ref, key)  # first: a row never points at a key that is not there
        try:
            with self._store.transaction():
                self._store.execute(
                    "INSERT INTO endpoints (name, url, key_ref, added) VALUES (?, ?, ?, ?)",
                    (name, base, ref, datetime.now(timezone.utc).isoformat()),
                )
                row = self._store.fetchone("SELECT * FROM endpoints WHERE id = last_insert_rowid()")
        except BaseException:
            self.keys.delete(ref)
            raise
        assert row is not None
        endpoint = self._endpoint(row)
        log.info("Chat: added endpoint %s %s (%s)", endpoint.id, endpoint.name, endpoint.url)  # never the key
        return endpoint

    def list(self) -> list[Endpoint]:
        """Every endpoint, in the order added."""
        return [self._endpoint(row) for row in self._store.fetchall("SELECT * FROM endpoints ORDER BY id")]

    def get(self, endpoint_id: int) -> Endpoint:
        """The endpoint with this id; raises EndpointNotFound."""
        return self._endpoint(self._row(endpoint_id))

    def _set_key(self, ref: str, key: str) -> None:
        try:
            self.keys.set(ref, key)
        except KeyStoreError as e:
            raise EndpointKeyError(str(e)) from e

    def _row(self, endpoint_id: int) -> sqlite3.Row:
        row = self._store.fetchone("SELECT * FROM endpoints WHERE id = ?", (endpoint_id,))
        if row is None:
            raise EndpointNotFound(Message("There is no endpoint with id {endpoint_id}", endpoint_id=str(endpoint_id)))
        return row

    def update(self, endpoint_id: int, *, name: str | None = None, url: str | None = None,
               api_key: str | None = None) -> Endpoint:
        """Change an endpoint's name, URL or key (None leaves a field as it is).

        Raises:
            InvalidEndpoint: the new URL is not usable.
            EndpointNotFound: no such endpoint.
        """
        with self._store.transaction():
            row = self._row(endpoint_id)
            current = self._endpoint(row)
            new_name = current.name if name is None else (" ".join(name.split()) or current.name)
            new_url = current.url if url is None else normalise_url(url)
            new_key = current.api_key if api_key is None else api_key.strip()
            ref = str(row["key_ref"])
            if new_key != current.api_key:
                if new_key:
                    ref = ref or new_ref("endpoint")
                    self._set_key(ref, new_key)
                else:
                    self.keys.delete(ref)
                    ref = ""
            self._store.execute(
                "UPDATE endpoints SET name = ?, url = ?, key_ref = ? WHERE id = ?", (new_name, new_url, ref, endpoint_id)
            )
        log.info("Chat: updated endpoint %s %s (%s)", endpoint_id, new_name, new_url)
        return Endpoint(endpoint_id, new_name, new_url, new_key)

    def remove(self, endpoint_id: int) -> None:
        """Forget an endpoint (its conversations stay; removing one that is gone is harmless)."""
        row = self._store.fetchone("SELECT key_ref FROM endpoints WHERE id = ?", (endpoint_id,))
        if self._store.execute("DELETE FROM endpoints WHERE id = ?", (endpoint_id,)):
            log.info("Chat: removed endpoint %s", endpoint_id)
        if row is not None:
            self.keys.delete(str(row["key_ref"]))
