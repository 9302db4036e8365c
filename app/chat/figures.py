"""Figures of a conversation's tool steps: taken from the sandbox's folder with strict checks, kept in the data folder.

The run's folder is written by the model's code, so every file in it is hostile: a link to the user's files, a pipe
that never ends, a "PNG" that is not one, or one of 30,000 x 30,000 pixels that would stall the view decoding it. A
figure is taken only when it is a regular file (never through a link), at most ``MAX_BYTES``, a PNG whose header
chunk is intact and whose sides are at most ``MAX_SIDE`` pixels; at most ``MAX_FIGURES`` per run. It is stored under
``<data>/figures/`` by the SHA-256 of its bytes (the same plot twice is one file), and a step refers to it by that name
alone: a name is accepted back only in that exact shape, so a stored step cannot point anywhere else. A figure no
conversation refers to any more is deleted (``prune``, when a conversation is deleted on the Chat page).
"""

from __future__ import annotations

import contextlib
import errno
import hashlib
import os
import re
import stat
import struct
import tempfile
import time
import zlib
from collections.abc import Collection, Iterable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from app import paths

__all__ = ["MAX_BYTES", "MAX_FIGURES", "MAX_SIDE", "SAVED_PREFIX", "Figure", "collect", "figure_file", "figures_dir",
           "figures_of", "png_size", "prune"]  # fmt: skip

MAX_FIGURES = 8
MAX_BYTES = 5 << 20
MAX_SIDE = 4096
"""Pixels per side: matplotlib's default figure is 640 x 480; 4096 allows a 20-inch figure at 200 dpi."""
SAVED_PREFIX = ".modelwerk-figure-"
"""The open figures the sandbox saves at the end of a run (app.tools.python) are named so; they come first."""

PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"
_NAME = re.compile(r"[0-9a-f]{64}\.png")


class FigureRejected(ValueError):
    """A file that is not taken as a figure; the message says why, in a few words."""


@dataclass(frozen=True)
class Figure:
    """A stored figure: ``file`` is its name under the figures folder."""

    file: str
    width: int
    height: int
    size: int
    source: str = ""
    """The file name the run gave it ("" for an open figure saved at the end)."""

    def to_json(self, folder: Path | None = None) -> dict[str, Any]:
        data: dict[str, Any] = {"file": self.file, "width": self.width, "height": self.height, "bytes": self.size}
        if self.source:
            data["source"] = self.source
        if folder is not None:
            data["path"] = str(folder / self.file)
        return data

    def label(self, number: int) -> str:
        """ "figure 1: 640x480 PNG" """
        return f"figure {number}: {self.width}x{self.height} PNG"


def figures_dir() -> Path:
    """``<data>/figures`` (created; private to the user like the rest of the data folder)."""
    folder = paths.data_dir() / "figures"
    folder.mkdir(mode=paths.DIR_MODE, exist_ok=True)
    return folder


def png_size(data: bytes) -> tuple[int, int]:
    """The width and height of a PNG, after checking its signature and header chunk (length, type, CRC) and the size.

    Raises:
        FigureRejected: not a PNG, damaged, or too large.
    """
    if len(data) > MAX_BYTES:
        raise FigureRejected(f"larger than {MAX_BYTES >> 20} MB")
    if not data.startswith(PNG_SIGNATURE):
        raise FigureRejected("not a PNG image")
    header = data[8:33]
    if len(header) < 25 or header[:8] != b"\x00\x00\x00\rIHDR":
        raise FigureRejected("a damaged PNG image (no header)")
    width, height = struct.unpack(">II", header[8:16])
    if zlib.crc32(header[4:21]) != struct.unpack(">I", header[21:25])[0]:
        raise FigureRejected("a damaged PNG image (header checksum)")
    if not (0 < width <= MAX_SIDE and 0 < height <= MAX_SIDE):
        raise FigureRejected(f"{width}x{height} pixels, more than {MAX_SIDE} per side")
    if not data.endswith(b"\x00\x00\x00\x00IEND\xaeB`\x82"):
        raise FigureRejected("a damaged PNG image (cut short)")
    return width, height


def _read_plain(path: Path) -> bytes:
    """The bytes of a regular file, never through a link, never more than ``MAX_BYTES`` + 1 read."""
    flags = os.O_RDONLY | getattr(os, "O_NOFOLLOW", 0) | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_BINARY", 0)
    try:
        fd = os.open(path, flags)
    except OSError as e:
        link = e.errno in (errno.ELOOP, errno.EMLINK)  # what O_NOFOLLOW gives for a link (Linux; the BSDs)
        raise FigureRejected("a link, not a file" if link else (e.strerror or "unreadable")) from e
    with os.fdopen(fd, "rb") as f:
        if not stat.S_ISREG(os.fstat(fd).st_mode):
            raise FigureRejected("not a regular file")
        return f.read(MAX_BYTES + 1)


def collect(folder: Path, *, store: Path) -> tuple[list[Figure], list[str]]:
    """The figures a run left in ``folder`` (its open figures first, then the other ``*.png`` files by name), each
    checked and stored in ``store``; and one line for each file not taken.

    Only the folder's top level is looked at (a run writes its figures there)."""
    try:
        names = sorted(e.name for e in os.scandir(folder) if e.name.lower().endswith(".png"))
    except OSError:
        return [], []
    saved = sorted((n for n in names if n.startswith(SAVED_PREFIX)), key=lambda n: (len(n), n))
    ordered = saved + [n for n in names if not n.startswith(SAVED_PREFIX)]
    figures: list[Figure] = []
    problems: list[str] = []
    seen: set[str] = set()
    for name in ordered:
        shown = name if name.isprintable() else repr(name)
        if len(figures) == MAX_FIGURES:
            problems.append(f"{len(ordered) - ordered.index(name)} more figure(s) left out: at most {MAX_FIGURES} a run")
            break
        try:
            data = _read_plain(folder / name)
            width, height = png_size(data)
        except FigureRejected as e:
            problems.append(f"{shown}: {e}, not shown")
            continue
        digest = hashlib.sha256(data).hexdigest()
        if digest in seen:
            continue  # plt.savefig of a figure that was still open at the end: the same bytes
        seen.add(digest)
        _store(store, f"{digest}.png", data)
        figures.append(Figure(f"{digest}.png", width, height, len(data), "" if name.startswith(SAVED_PREFIX) else shown))
    return figures, problems


def _store(store: Path, name: str, data: bytes) -> None:
    target = store / name
    if target.is_file() and target.stat().st_size == len(data):
        os.utime(target)  # content-addressed: already there; made again now, so ``prune`` leaves it its grace time
        return
    fd, tmp = tempfile.mkstemp(dir=store, prefix=".incoming-", suffix=".png")
    try:
        with os.fdopen(fd, "wb") as f:
            f.write(data)
        os.replace(tmp, target)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(tmp)
        raise


def figure_file(name: object, folder: Path) -> Path | None:
    """The stored figure called ``name`` (from a stored step: checked to be one of our names), None for any other."""
    return folder / name if isinstance(name, str) and _NAME.fullmatch(name) else None


def figures_of(steps: Iterable[Mapping[str, Any]]) -> list[Figure]:
    """The figures of stored steps (``Step.to_json()`` each), in order; entries that are not ours are skipped."""
    found: list[Figure] = []
    for step in steps:
        result = step.get("result")
        entries = result.get("figures") if isinstance(result, Mapping) else None
        for entry in entries if isinstance(entries, Sequence) and not isinstance(entries, str) else ():
            if not isinstance(entry, Mapping) or figure_file(entry.get("file"), Path()) is None:
                continue
            width, height, size = entry.get("width"), entry.get("height"), entry.get("bytes")
            if all(isinstance(v, int) and not isinstance(v, bool) and v > 0 for v in (width, height, size)):
                found.append(Figure(str(entry["file"]), int(width), int(height), int(size), str(entry.get("source", ""))))  # type: ignore[arg-type]
    return found


def prune(folder: Path, keep: Collection[str], *, grace_s: float = 3600.0) -> int:
    """Delete the stored figures no step refers to (``keep``: the names referred to) and the leftovers of interrupted
    writes; a file younger than ``grace_s`` stays (a running tool's step may not be saved yet). How many went."""
    now = time.time()
    try:
        entries = list(os.scandir(folder))
    except OSError:
        return 0
    gone = 0
    for entry in entries:
        if not ((_NAME.fullmatch(entry.name) and entry.name not in keep) or entry.name.startswith(".incoming-")):
            continue
        try:
            if now - entry.stat(follow_symlinks=False).st_mtime < grace_s:
                continue
            os.unlink(entry.path)
            gone += 1
        except OSError:
            continue
    return gone
