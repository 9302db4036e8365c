"""download_file against the fake hub: resume with Range, sha256 verification, full disk, offline, gated, cancel."""

from __future__ import annotations

import errno
import hashlib
import itertools
import os
import shutil
import threading
from pathlib import Path
from typing import Any

import pytest
from fakehub import TEST_TOKEN, FakeHub, Fault, closed_port_url

import app.hub.download as dl
from app.hub.download import DownloadSpec, download_file
from app.hub.errors import (
    ChecksumMismatch,
    DiskFull,
    DownloadCancelled,
    FileNotOnHub,
    GatedRepoError,
    HubUnavailable,
    RepoNotFound,
)
from app.hub.partial_file import incomplete_path

REPO = "test/Blob-GGUF"
NAME = "blob-Q4_K_M.gguf"
DATA = os.urandom(3 << 20)  # big enough that a 64 KiB-chunked transfer takes many reads
SHA = hashlib.sha256(DATA).hexdigest()
FAST = {"retries": 2, "backoff_s": 0.01, "timeout_s": 5.0}


@pytest.fixture
def hub(fakehub: FakeHub) -> FakeHub:
    fakehub.add_repo(REPO, {NAME: DATA, "sub/other.gguf": b"x" * 1000})
    return fakehub


def _spec(hub: FakeHub, dest: Path, *, name: str = NAME, size: int | None = len(DATA), sha: str | None = SHA,
          repo: str = REPO) -> DownloadSpec:  # fmt: skip
    return DownloadSpec(url=hub.file_url(repo, name), dest=dest, size=size, sha256=sha)


def _gets(hub: FakeHub, name: str = NAME) -> list[Any]:
    return [r for r in hub.requests if r.method == "GET" and r.path.endswith("/" + name)]


def test_downloads_verifies_and_renames(hub: FakeHub, tmp_path: Path) -> None:
    seen: list[tuple[int, int]] = []
    dest = tmp_path / "m" / NAME
    assert download_file(_spec(hub, dest), progress=lambda d, t: seen.append((d, t)), **FAST) == dest
    assert dest.read_bytes() == DATA
    assert not incomplete_path(dest).exists()
    assert seen[-1] == (len(DATA), len(DATA))
    assert [r.headers.get("Range") for r in _gets(hub)] == [None]


def test_dropped_connection_resumes_with_range(hub: FakeHub, tmp_path: Path) -> None:
    hub.set_fault(REPO, NAME, Fault(drop_after=1_000_000, times=1))
    dest = tmp_path / NAME
    download_file(_spec(hub, dest), **FAST)
    assert hashlib.sha256(dest.read_bytes()).hexdigest() == SHA
    ranges = [r.headers.get("Range") for r in _gets(hub)]
    assert ranges[0] is None
    assert ranges[1] is not None and ranges[1].startswith("bytes=") and int(ranges[1][6:-1]) > 0


def test_resumes_a_kept_incomplete_file_and_hashes_it_first(hub: FakeHub, tmp_path: Path,
                                                            monkeypatch: pytest.MonkeyPatch) -> None:  # fmt: skip
    from app.hub import partial_file

    monkeypatch.setattr(partial_file, "HASH_CHUNK", 64 << 10)  # several chunks: a report could come mid-hash
    dest = tmp_path / NAME
    incomplete_path(dest).write_bytes(DATA[:1_234_567])
    seen: list[int] = []
    download_file(_spec(hub, dest), progress=lambda d, t: seen.append(d), **FAST)
    assert dest.read_bytes() == DATA
    assert [r.headers.get("Range") for r in _gets(hub)] == ["bytes=1234567-"]
    # The kept bytes count from the first report on, and progress never goes back (it did while they were hashed).
    assert seen[0] == 1_234_567 and seen[-1] == len(DATA)
    assert all(a <= b for a, b in itertools.pairwise(seen))


def test_a_server_that_ignores_range_restarts_the_file_from_its_first_byte(hub: FakeHub, tmp_path: Path) -> None:
    dest = tmp_path / NAME
    incomplete_path(dest).write_bytes(b"\xff" * 1_000_000)  # appending a whole file to it would corrupt it
    hub.set_fault(REPO, NAME, Fault(ignore_range=True))
    download_file(_spec(hub, dest), **FAST)
    assert dest.read_bytes() == DATA and not incomplete_path(dest).exists()
    assert [(r.headers.get("Range"), r.status) for r in _gets(hub)] == [("bytes=1000000-", 200), (None, 200)]


def test_complete_incomplete_file_gets_416_and_is_verified(hub: FakeHub, tmp_path: Path) -> None:
    dest = tmp_path / NAME
    incomplete_path(dest).write_bytes(DATA)
    download_file(_spec(hub, dest), **FAST)
    assert dest.read_bytes() == DATA
    assert [r.status for r in _gets(hub)] == [416]


def test_existing_destination_is_not_downloaded_again(hub: FakeHub, tmp_path: Path) -> None:
    dest = tmp_path / NAME
    dest.write_bytes(DATA)
    download_file(_spec(hub, dest), **FAST)
    assert _gets(hub) == []


def test_hash_mismatch_deletes_the_file_and_says_so(hub: FakeHub, tmp_path: Path) -> None:
    hub.set_fault(REPO, NAME, Fault(corrupt=True))
    dest = tmp_path / NAME
    with pytest.raises(ChecksumMismatch) as info:
        download_file(_spec(hub, dest), **FAST)
    message = str(info.value)
    assert "corrupted in transit (sha256 mismatch)" in message and "deleted" in message and "\n" not in message
    assert not dest.exists() and not incomplete_path(dest).exists()
    assert not _hashing_threads()  # the hash is computed on a helper thread, which ends with the download


def test_wrong_size_is_a_mismatch_too(hub: FakeHub, tmp_path: Path) -> None:
    dest = tmp_path / NAME
    with pytest.raises(ChecksumMismatch, match="size mismatch"):
        download_file(_spec(hub, dest, size=len(DATA) - 10, sha=None), **FAST)
    assert not incomplete_path(dest).exists()


def test_unknown_size_and_hash_still_downloads(hub: FakeHub, tmp_path: Path) -> None:
    dest = tmp_path / "o.gguf"
    download_file(_spec(hub, dest, name="sub/other.gguf", size=None, sha=None), **FAST)
    assert dest.read_bytes() == b"x" * 1000


def test_full_disk_before_starting(hub: FakeHub, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    usage = shutil.disk_usage(tmp_path)
    monkeypatch.setattr(dl.shutil, "disk_usage", lambda p: usage._replace(free=50 << 20))
    dest = tmp_path / "models" / NAME
    with pytest.raises(DiskFull) as info:
        download_file(_spec(hub, dest, size=2_000_000_000), **FAST)
    message = str(info.value)
    assert "not enough free space" in message and str(tmp_path / "models") in message
    assert "2,000 MB" in message and "52 MB free" in message and "\n" not in message
    assert _gets(hub) == []


class _FullDisk:
    """A file whose writes fail with ENOSPC once ``room`` bytes are written."""

    def __init__(self, fh: Any, room: int) -> None:
        self._fh, self._room = fh, room

    def write(self, data: bytes) -> int:
        if len(data) > self._room:
            self._fh.write(data[: self._room])
            self._room = 0
            raise OSError(errno.ENOSPC, "No space left on device")
        self._room -= len(data)
        return int(self._fh.write(data))

    def __getattr__(self, name: str) -> Any:
        return getattr(self._fh, name)

    def __enter__(self) -> _FullDisk:
        return self

    def __exit__(self, *exc: object) -> None:
        self._fh.close()


def test_disk_fills_while_writing_keeps_the_part(hub: FakeHub, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    real_open = open

    def full_open(path: Any, mode: str = "r", *args: Any, **kwargs: Any) -> Any:
        fh = real_open(path, mode, *args, **kwargs)
        return _FullDisk(fh, 500_000) if "a" in mode else fh

    monkeypatch.setattr(dl, "open", full_open, raising=False)
    dest = tmp_path / NAME
    with pytest.raises(DiskFull) as info:
        download_file(_spec(hub, dest), **FAST)
    assert "is full" in str(info.value) and "free some space, then resume" in str(info.value)
    assert incomplete_path(dest).stat().st_size == 500_000  # kept: resumable once space is freed
    monkeypatch.undo()
    download_file(_spec(hub, dest), **FAST)
    assert dest.read_bytes() == DATA
    assert _gets(hub)[-1].headers.get("Range") == "bytes=500000-"


def test_offline_is_hub_unavailable(tmp_path: Path) -> None:
    spec = DownloadSpec(url=f"{closed_port_url()}/{REPO}/resolve/main/{NAME}", dest=tmp_path / NAME, size=10, sha256=None)
    with pytest.raises(HubUnavailable, match=r"cannot reach http://127\.0\.0\.1:.*check your connection"):
        download_file(spec, retries=1, backoff_s=0.01, timeout_s=2.0)


def test_server_errors_are_retried(hub: FakeHub, tmp_path: Path) -> None:
    hub.set_fault(REPO, NAME, Fault(status=503, times=2))
    download_file(_spec(hub, tmp_path / NAME), **FAST)
    assert [r.status for r in _gets(hub)] == [503, 503, 200]


def test_server_errors_give_up_after_retries(hub: FakeHub, tmp_path: Path) -> None:
    hub.set_fault(REPO, NAME, Fault(status=502))
    with pytest.raises(HubUnavailable, match="server error \\(502\\)"):
        download_file(_spec(hub, tmp_path / NAME), **FAST)


def test_gated_without_token_says_how_to_get_access(fakehub: FakeHub, tmp_path: Path) -> None:
    fakehub.add_repo("test/Gated", {NAME: DATA}, gated=True)
    with pytest.raises(GatedRepoError) as info:
        download_file(_spec(fakehub, tmp_path / NAME, repo="test/Gated"), **FAST)
    message = str(info.value)
    assert f"test/Gated is gated: accept its terms at {fakehub.url}/test/Gated" in message
    assert "HF_TOKEN" in message
    download_file(_spec(fakehub, tmp_path / NAME, repo="test/Gated"), headers={"authorization": f"Bearer {TEST_TOKEN}"},
                  **FAST)  # fmt: skip
    assert (tmp_path / NAME).read_bytes() == DATA


def test_missing_file_and_repo(hub: FakeHub, tmp_path: Path) -> None:
    with pytest.raises(FileNotOnHub, match=r"has no file nope\.gguf"):
        download_file(_spec(hub, tmp_path / "nope.gguf", name="nope.gguf"), **FAST)
    with pytest.raises(RepoNotFound, match="test/Nothing was not found"):
        download_file(_spec(hub, tmp_path / NAME, repo="test/Nothing"), **FAST)


def test_cancel_keeps_the_incomplete_file(hub: FakeHub, tmp_path: Path) -> None:
    hub.set_fault(REPO, NAME, Fault(slow_bytes_per_s=4_000_000))
    cancel = threading.Event()
    dest = tmp_path / NAME

    def progress(done: int, total: int) -> None:
        if done > 200_000:
            cancel.set()

    with pytest.raises(DownloadCancelled):
        download_file(_spec(hub, dest), progress=progress, cancel=cancel, **FAST)
    assert 0 < incomplete_path(dest).stat().st_size < len(DATA)
    assert not dest.exists()
    assert not _hashing_threads()


def _hashing_threads() -> list[threading.Thread]:
    return [t for t in threading.enumerate() if t.name == "sha256" and t.is_alive()]
