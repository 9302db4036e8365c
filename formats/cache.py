"""Parse a header once per file version per process: a thread-safe, bounded LRU that every reader shares.

A file version is (path, size, mtime_ns; and ctime_ns and inode, which change with it): a rewritten file is parsed
again, an unchanged one is not, whoever asks (the Library's import, the details pane, the fit column, the chat's template
lookup, the Quantize dialog). Results are immutable (frozen dataclasses), so sharing them between threads is safe.
Errors are not cached.
"""

from __future__ import annotations

import dataclasses
import os
import threading
from collections import OrderedDict
from collections.abc import Callable, Hashable
from dataclasses import dataclass
from pathlib import Path
from typing import TypeVar, cast

from core.messages import Message

T = TypeVar("T")

MAX_ENTRIES = 256
"""Headers kept: a Library of a few hundred models; a header is a few KB to a few MB (a decoded tensor table)."""


@dataclass(frozen=True)
class CacheStats:
    hits: int
    misses: int
    """Parses done: one per file version and kind of parse."""
    size: int


class ParseCache:
    """A bounded LRU of parse results keyed by (kind, file version, parse options)."""

    def __init__(self, max_entries: int = MAX_ENTRIES) -> None:
        self._max = max_entries
        self._items: OrderedDict[Hashable, object] = OrderedDict()
        self._lock = threading.Lock()
        self._key_locks: dict[Hashable, threading.Lock] = {}
        self.hits = 0
        self.misses = 0

    def get(self, kind: str, path: Path, parse: Callable[[Path], T], *, options: Hashable = None) -> T:
        """parse(path), or the result of an earlier call for the same version of the file.

        Two threads asking for the same file at once parse it once: the second waits for the first.
        Raises what `parse` raises, and OSError of stat() as parse would.
        """
        path = Path(path)
        st = os.stat(path)
        key = (kind, str(path.absolute()), st.st_size, _version(st), options)
        with self._lock:
            if key in self._items:
                self._items.move_to_end(key)
                self.hits += 1
                return cast(T, self._items[key])
            key_lock = self._key_locks.setdefault(key, threading.Lock())
        with key_lock:
            with self._lock:
                if key in self._items:  # parsed by the thread we waited for
                    self._items.move_to_end(key)
                    self.hits += 1
                    return cast(T, self._items[key])
                self.misses += 1
            try:
                value = parse(path)
            finally:
                with self._lock:
                    self._key_locks.pop(key, None)
            with self._lock:
                self._items[key] = value
                self._items.move_to_end(key)
                while len(self._items) > self._max:
                    self._items.popitem(last=False)
            return value

    def rebase(self, src: Path, dst: Path) -> None:
        """Share the parses of `src` (a file, or a folder and the files under it) with its copy or move at `dst`.

        For the Library's import: the copy holds the same bytes, so its header need not be read again. A parse result
        that names its file (a dataclass with a `path` field) gets the new path. A `dst` file whose size differs from
        the parsed version's is left alone.
        """
        src_root, dst_root = str(Path(src).absolute()), Path(dst).absolute()
        with self._lock:
            items = list(self._items.items())
        for key, value in items:
            if not isinstance(key, tuple) or len(key) != 5:
                continue
            kind, path, size, _mtime, options = key
            if path == src_root:
                target = dst_root
            elif path.startswith(src_root + os.sep):
                target = dst_root / Path(path).relative_to(src_root)
            else:
                continue
            try:
                st = os.stat(target)
            except OSError:
                continue
            if st.st_size != size:
                continue
            if dataclasses.is_dataclass(value) and not isinstance(value, type) and any(
                f.name == "path" for f in dataclasses.fields(value)
            ):
                value = dataclasses.replace(value, path=target)
            with self._lock:
                self._items[(kind, str(target), st.st_size, _version(st), options)] = value
                while len(self._items) > self._max:
                    self._items.popitem(last=False)

    def stats(self) -> CacheStats:
        with self._lock:
            return CacheStats(self.hits, self.misses, len(self._items))

    def clear(self) -> None:
        with self._lock:
            self._items.clear()
            self.hits = self.misses = 0


def _version(st: os.stat_result) -> tuple[int, int, int]:
    """What, besides the size, tells one version of a file from another: a rewrite changes the modification time; a
    replacement (written beside, renamed over) changes the inode even within the clock's tick."""
    return st.st_mtime_ns, st.st_ctime_ns, st.st_ino


HEADERS = ParseCache()
"""The process's one cache of parsed headers (GGUF and safetensors)."""


def shared_header(kind: str, path: Path, parse: Callable[[Path], T]) -> T:
    """``HEADERS.get(kind, path, parse)`` for the model-file readers: an OSError (stat, open) becomes a one-line
    ModelFileError like every other reason a file cannot be read."""
    from formats.model import ModelFileError

    try:
        return HEADERS.get(kind, Path(path), parse)
    except OSError as e:
        why = Message("cannot read {name}: {error}", name=Path(path).name, error=str(e.strerror or e))
        raise ModelFileError(why) from e
