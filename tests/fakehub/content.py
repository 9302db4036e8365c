"""File contents the fake hub serves: bytes, files on disk, and virtual files (a header followed by zeros).

Hashes are computed lazily: a virtual multi-GB file costs nothing until a client asks for its sha256, and that hash is
then cached on disk (hashing gigabytes of zeros takes seconds, and the same demo files come back in every run).
"""

from __future__ import annotations

import functools
import hashlib
import json
import logging
import os
import threading
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

log = logging.getLogger(__name__)

REPO_ROOT = Path(__file__).resolve().parents[2]
LFS_SUFFIXES = (".gguf", ".safetensors", ".bin")
LFS_MIN_SIZE = 10 * 1024 * 1024
CHUNK = 1024 * 1024
_ZEROS = bytes(16 * CHUNK)
KNOWN_SHA256 = Path(__file__).with_name("sha256.json")


def cache_dir() -> Path:
    """Where built demo files and hashes of virtual files live: $MODELWERK_FAKEHUB_CACHE or <repo>/.cache/fakehub."""
    return Path(os.environ.get("MODELWERK_FAKEHUB_CACHE") or REPO_ROOT / ".cache" / "fakehub")


@dataclass(frozen=True)
class VirtualFile:
    """``header`` followed by zero bytes up to ``size``; served lazily, never materialized."""

    header: bytes
    size: int

    def __post_init__(self) -> None:
        if self.size < len(self.header):
            raise ValueError(f"size {self.size} is smaller than the header ({len(self.header)} bytes)")


def virtual_key(vfile: VirtualFile) -> str:
    """What identifies a virtual file's content: the hash of its header, and its size."""
    return f"{hashlib.sha256(vfile.header).hexdigest()}-{vfile.size}"


@functools.lru_cache(maxsize=1)
def known_sha256() -> dict[str, str]:
    """sha256 of the demo's virtual files, checked in (python -m tests.fakehub --write-sha-table), so no run hashes 100 GB."""
    try:
        data = json.loads(KNOWN_SHA256.read_text())
    except (OSError, ValueError):
        return {}
    return data if isinstance(data, dict) else {}


class Content:
    """One blob: size, byte ranges, and its git / LFS hashes."""

    def __init__(self, source: bytes | str | Path | VirtualFile) -> None:
        if isinstance(source, str):
            source = source.encode()
        self.source = source
        if isinstance(source, bytes):
            self.size = len(source)
        elif isinstance(source, Path):
            self.size = source.stat().st_size
        else:
            self.size = source.size
        self._sha256: str | None = None
        self._git_sha1: str | None = None
        self._lock = threading.Lock()

    @property
    def path(self) -> Path | None:
        """The file on disk, when there is one (served with os.sendfile)."""
        return self.source if isinstance(self.source, Path) else None

    def is_lfs(self, name: str) -> bool:
        """Like the Hub's default .gitattributes: weights and anything over 10 MiB go to LFS."""
        return self.size > 0 and (name.endswith(LFS_SUFFIXES) or self.size > LFS_MIN_SIZE)

    def read(self, offset: int, n: int) -> bytes:
        """Bytes [offset, offset + n) (fewer at the end of the file)."""
        n = max(0, min(n, self.size - offset))
        src = self.source
        if isinstance(src, bytes):
            return src[offset : offset + n]
        if isinstance(src, Path):
            with src.open("rb") as f:
                f.seek(offset)
                return f.read(n)
        head = src.header[offset : offset + n]
        return head + bytes(n - len(head))

    def chunks(self, start: int, end: int, chunk: int = CHUNK) -> Iterator[bytes | memoryview]:
        """The bytes [start, end) in pieces of at most ``chunk`` bytes."""
        src = self.source
        if isinstance(src, VirtualFile):
            pos = start
            while pos < end:
                if pos < len(src.header):
                    piece: bytes | memoryview = src.header[pos : min(end, len(src.header), pos + chunk)]
                else:
                    piece = memoryview(_ZEROS)[: min(end - pos, chunk, len(_ZEROS))]
                pos += len(piece)
                yield piece
        elif isinstance(src, bytes):
            view = memoryview(src)
            for pos in range(start, end, chunk):
                yield view[pos : min(end, pos + chunk)]
        else:
            with src.open("rb") as f:
                f.seek(start)
                pos = start
                while pos < end:
                    data = f.read(min(chunk, end - pos))
                    if not data:
                        return
                    pos += len(data)
                    yield data

    def git_sha1(self) -> str:
        """The git blob id of the content (small files only: it reads everything)."""
        if self._git_sha1 is not None:
            return self._git_sha1
        h = hashlib.sha1(f"blob {self.size}\0".encode())
        for piece in self.chunks(0, self.size):
            h.update(piece)
        self._git_sha1 = h.hexdigest()
        return self._git_sha1

    def sha256(self) -> str:
        """The LFS oid; computed once, and cached on disk for virtual files."""
        with self._lock:
            if self._sha256 is None:
                self._sha256 = self._compute_sha256()
            return self._sha256

    def _compute_sha256(self) -> str:
        src = self.source
        if isinstance(src, bytes):
            return hashlib.sha256(src).hexdigest()
        if isinstance(src, Path):
            h = hashlib.sha256()
            for piece in self.chunks(0, self.size, 16 * CHUNK):
                h.update(piece)
            return h.hexdigest()
        key = virtual_key(src)
        if key in known_sha256():
            return known_sha256()[key]
        cached = cache_dir() / "sha256" / key
        try:
            value = cached.read_text().strip()
            if len(value) == 64:
                return value
        except OSError:
            pass
        log.info("hashing virtual file of %d bytes (once; cached in %s)", src.size, cached.parent)
        h = hashlib.sha256(src.header)
        left = src.size - len(src.header)
        zeros = memoryview(_ZEROS)
        while left > 0:
            n = min(left, len(_ZEROS))
            h.update(zeros[:n])
            left -= n
        value = h.hexdigest()
        try:
            cached.parent.mkdir(parents=True, exist_ok=True)
            tmp = cached.with_suffix(f".{os.getpid()}.{threading.get_ident()}.tmp")
            tmp.write_text(value)
            os.replace(tmp, cached)
        except OSError:
            log.warning("cannot cache a virtual file's sha256 in %s", cached.parent)
        return value

    def lfs_pointer(self) -> bytes:
        """The git-lfs pointer file that git stores instead of the content."""
        return f"version https://git-lfs.github.com/spec/v1\noid sha256:{self.sha256()}\nsize {self.size}\n".encode()

    def blob_id(self, name: str) -> str:
        """What the Hub calls the file's oid / blobId: the git id of the pointer for LFS files, of the content otherwise."""
        if self.is_lfs(name):
            pointer = self.lfs_pointer()
            return hashlib.sha1(f"blob {len(pointer)}\0".encode() + pointer).hexdigest()
        return self.git_sha1()

    def etag(self, name: str) -> str:
        """The ETag of /resolve: sha256 for LFS files, the git blob id otherwise."""
        return self.sha256() if self.is_lfs(name) else self.git_sha1()
