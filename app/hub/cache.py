"""Recent hub answers on disk, so that Discover still shows something useful offline (JSON files, ~24 h)."""

from __future__ import annotations

import contextlib
import hashlib
import json
import logging
import os
import tempfile
import time
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

log = logging.getLogger(__name__)

DEFAULT_TTL_S = 24 * 3600
_MAX_ENTRIES = 500


class ResultCache:
    """JSON answers keyed by (endpoint, request); entries older than ttl_s are ignored (and pruned now and then).

    Writes are atomic (temp file + os.replace), so concurrent clients and a crash leave only whole entries. Every failure
    is logged and swallowed: the cache is a convenience, never a reason for a search to fail.
    """

    def __init__(self, directory: Path, *, ttl_s: float = DEFAULT_TTL_S) -> None:
        self.directory = Path(directory)
        self.ttl_s = ttl_s

    def _path(self, endpoint: str, key: str) -> Path:
        digest = hashlib.sha256(f"{endpoint.rstrip('/')}\0{key}".encode()).hexdigest()[:32]
        return self.directory / f"{digest}.json"

    def get(self, endpoint: str, key: str) -> dict[str, Any] | None:
        """The stored answer, or None when there is none, it is too old, or it cannot be read."""
        path = self._path(endpoint, key)
        try:
            if time.time() - path.stat().st_mtime > self.ttl_s:
                return None
            data = json.loads(path.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            return None
        if not isinstance(data, dict) or data.get("key") != key or not isinstance(data.get("value"), dict):
            return None
        value: dict[str, Any] = data["value"]
        return value

    def saved_at(self, endpoint: str, key: str) -> datetime | None:
        """When the stored answer for ``key`` was saved; None when there is none."""
        try:
            return datetime.fromtimestamp(self._path(endpoint, key).stat().st_mtime, timezone.utc)
        except OSError:
            return None

    def put(self, endpoint: str, key: str, value: dict[str, Any]) -> None:
        path = self._path(endpoint, key)
        try:
            self.directory.mkdir(parents=True, exist_ok=True)
            fd, tmp = tempfile.mkstemp(dir=self.directory, prefix=".tmp-", suffix=".json")
            try:
                with os.fdopen(fd, "w", encoding="utf-8") as f:
                    json.dump({"key": key, "value": value}, f)
                os.replace(tmp, path)
            except BaseException:
                with contextlib.suppress(OSError):
                    os.unlink(tmp)
                raise
        except (OSError, TypeError, ValueError) as e:
            log.warning("cannot write the hub cache in %s: %s", self.directory, e)
            return
        self._prune()

    def _prune(self) -> None:
        """Drop expired entries once the directory holds many (cheap enough to do on every write)."""
        try:
            entries = list(self.directory.glob("*.json"))
            if len(entries) <= _MAX_ENTRIES:
                return
            now = time.time()
            by_age = sorted(entries, key=lambda p: p.stat().st_mtime)
            for i, p in enumerate(by_age):
                if now - p.stat().st_mtime > self.ttl_s or i < len(by_age) - _MAX_ENTRIES:
                    p.unlink(missing_ok=True)
        except OSError as e:
            log.debug("hub cache prune failed: %s", e)
