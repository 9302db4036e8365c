"""Hostile repositories for the fake hub: GGUF headers built to make a reader spend memory or bandwidth.

Each file is a VirtualFile (a few header bytes, then zeros), so a declared 256 MiB string costs the hub nothing to serve
and a vocabulary of ten million strings is ten million empty strings (each one an 8-byte zero length).
"""

from __future__ import annotations

import struct

from .content import VirtualFile
from .repo import Repo
from .server import FakeHub

HUGE_STRING = "evil/huge-string-GGUF"
"""general.name declares a 256 MiB string."""
ENDLESS_VOCAB = "evil/endless-vocab-GGUF"
"""tokenizer.ggml.tokens declares ten million strings: walking them would fetch 80 MB."""
HUGE_STRING_BYTES = 256 << 20

_STRING, _ARRAY = 8, 9


def _key(name: str) -> bytes:
    raw = name.encode()
    return struct.pack("<Q", len(raw)) + raw


def _string(name: str, value: bytes, *, declared: int | None = None) -> bytes:
    return _key(name) + struct.pack("<IQ", _STRING, len(value) if declared is None else declared) + value


def _string_array(name: str, count: int) -> bytes:
    return _key(name) + struct.pack("<IIQ", _ARRAY, _STRING, count)


def _gguf(*kvs: bytes, size: int) -> VirtualFile:
    return VirtualFile(b"GGUF" + struct.pack("<IQQ", 3, 0, len(kvs)) + b"".join(kvs), size)


def huge_string_gguf() -> VirtualFile:
    """A header whose second key declares a string of HUGE_STRING_BYTES (the file is just big enough to hold it)."""
    return _gguf(_string("general.architecture", b"llama"), _string("general.name", b"", declared=HUGE_STRING_BYTES),
                 size=HUGE_STRING_BYTES + (4 << 20))  # fmt: skip


def endless_vocab_gguf(count: int = 10_000_000) -> VirtualFile:
    """A vocabulary of `count` empty strings: every one is valid, the walk is what costs."""
    return _gguf(_string("general.architecture", b"llama"), _string_array("tokenizer.ggml.tokens", count),
                 size=8 * count + (4 << 20))  # fmt: skip


def hostile_repos(hub: FakeHub) -> list[Repo]:
    """HUGE_STRING and ENDLESS_VOCAB, one GGUF file each, found by searching "evil"."""
    return [
        hub.add_repo(HUGE_STRING, {"Evil-Q4_K_M.gguf": huge_string_gguf()}, tags=("gguf",), downloads=2),
        hub.add_repo(ENDLESS_VOCAB, {"Vocab-Q4_K_M.gguf": endless_vocab_gguf()}, tags=("gguf",), downloads=1),
    ]
