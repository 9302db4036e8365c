"""One resumable, verified file download: Range requests continue a ``.incomplete`` file kept across runs.

huggingface_hub's own downloader resumes only within one call and deletes its temporary file across runs, so a 20 GB
download interrupted at 19 GB would start over; this one keeps ``NAME.incomplete`` next to the destination and continues
it with ``Range: bytes=N-`` however much later. The sha256 is computed while the bytes arrive (the kept part is hashed
first on resume), and the file gets its real name only once size and hash match.

HTTP goes through huggingface_hub's shared httpx client, so its endpoint, offline-mode and proxy handling (proxies from the
environment) apply to our downloads as well.
"""

from __future__ import annotations

import contextlib
import errno
import logging
import os
import shutil
import threading
import time
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any, BinaryIO

from app.hub.errors import (
    ChecksumMismatch,
    DiskFull,
    DownloadError,
    FileNotOnHub,
    GatedRepoError,
    HubError,
    HubUnavailable,
    repo_not_found,
)
from app.hub.partial_file import INCOMPLETE_SUFFIX, PartialFile, Progress, check_cancel, incomplete_path
from core.messages import Message, Number

log = logging.getLogger(__name__)

DISK_MARGIN = 100 << 20
"""Free space left over after a download, so finishing one never fills the disk to the last byte."""
_RETRY_STATUS = frozenset({408, 429, 500, 502, 503, 504})
_MB = 1e6


@dataclass(frozen=True)
class DownloadSpec:
    """What to download and where.

    Attributes:
        url: the file's resolve URL (``{endpoint}/{repo}/resolve/{revision}/{path}``).
        dest: the final path; ``dest.incomplete`` holds the bytes until they are verified.
        size: expected size in bytes, when the hub listed it (checked, and used for the free-space check).
        sha256: expected hex digest (the hub's LFS oid), or None for a small non-LFS file (then only the size is checked).
    """

    url: str
    dest: Path
    size: int | None = None
    sha256: str | None = None


class _Retry(Exception):
    """A failure worth another attempt (dropped connection, timeout, server error); str is the user's last reason."""


class _Restart(Exception):
    """The server ignored or refused our Range: start the file over, at once."""


def download_file(
    spec: DownloadSpec,
    *,
    headers: Mapping[str, str] | None = None,
    progress: Progress | None = None,
    cancel: threading.Event | None = None,
    retries: int = 5,
    backoff_s: float = 0.5,
    timeout_s: float = 10.0,
) -> Path:
    """Download ``spec.url`` to ``spec.dest``, resuming its ``.incomplete`` file, and verify it.

    ``progress(done, total)`` is called from this thread at most every 0.1 s (and once at the end); on resume it first
    counts the hashing of the kept part. A destination that already exists with the listed size is taken as done: it
    got its name only after it was verified.

    Args:
        spec: URL, destination and the hub's size and sha256.
        headers: extra request headers (authorization, user agent); never logged.
        progress: called with (bytes done, total bytes).
        cancel: checked between chunks; when set the download stops and keeps its ``.incomplete`` file.
        retries: attempts after a dropped connection, timeout or server error (each resumes where the last stopped;
            an attempt that received bytes resets the count).
        backoff_s: wait before the first retry, doubled for each further one.
        timeout_s: connect and read timeout of one request.

    Returns:
        ``spec.dest``.

    Raises:
        DownloadCancelled: ``cancel`` was set; the ``.incomplete`` file is kept.
        ChecksumMismatch: the bytes do not match the hub's sha256 (or size); the ``.incomplete`` file was deleted.
        DiskFull: not enough free space, before starting or while writing; the ``.incomplete`` file is kept.
        HubUnavailable: the hub cannot be reached, or kept failing through every retry.
        GatedRepoError, RepoNotFound, FileNotOnHub: the hub refused the file.
        DownloadError: the file could not be written for another reason.
    """
    dest = Path(spec.dest)
    part = incomplete_path(dest)
    if spec.size is not None and _complete(dest, spec.size):
        if progress is not None:
            progress(spec.size, spec.size)
        return dest
    try:
        dest.parent.mkdir(parents=True, exist_ok=True)
    except OSError as e:
        raise _write_error(e, part) from e
    state = PartialFile(part, spec.size, progress, cancel)
    try:
        _fetch(state, spec, headers, cancel=cancel, retries=retries, backoff_s=backoff_s, timeout_s=timeout_s)
        _finish(state, spec, dest)
    finally:
        state.hasher.close()
    return dest


def _fetch(
    state: PartialFile,
    spec: DownloadSpec,
    headers: Mapping[str, str] | None,
    *,
    cancel: threading.Event | None,
    retries: int,
    backoff_s: float,
    timeout_s: float,
) -> None:
    """Bring the part file to the end of the file: resume what is kept, retry dropped connections with backoff."""
    part, dest = state.path, Path(spec.dest)
    try:
        state.load()
    except OSError as e:
        raise _write_error(e, part) from e
    where = _Where.of(spec.url)
    session = _session()
    request_headers = {"Accept-Encoding": "identity", **(headers or {})}
    have_token = any(k.lower() == "authorization" for k in request_headers)
    failures = 0
    while True:
        check_cancel(cancel, part)
        if state.total is not None:
            _check_space(dest.parent, state.total - state.done, dest.name)
        before = state.done
        try:
            _attempt(session, spec.url, state, request_headers, timeout_s=timeout_s, where=where, have_token=have_token)
            return
        except _Restart as e:
            log.info("Restarting %s from the first byte: %s", dest.name, e)
            try:
                state.restart()
            except OSError as err:
                raise _write_error(err, part) from err
        except _Retry as e:
            failures = 0 if state.done > before else failures + 1
            if failures > retries:
                raise HubUnavailable(e.args[0]) from None  # its Message
            delay = backoff_s * 2 ** max(failures - 1, 0)
            log.warning("Download of %s interrupted at %d bytes (%s); retrying in %.1f s", dest.name, state.done, e, delay)
            if cancel is not None:
                cancel.wait(delay)
            else:
                time.sleep(delay)


def _complete(dest: Path, size: int) -> bool:
    try:
        return dest.is_file() and dest.stat().st_size == size
    except OSError:
        return False


@dataclass(frozen=True)
class _Where:
    """Endpoint and repository named by a resolve URL, for messages."""

    endpoint: str
    repo_id: str

    @classmethod
    def of(cls, url: str) -> _Where:
        head, sep, _ = url.partition("/resolve/")
        scheme, _, rest = url.partition("://")
        host = f"{scheme}://{rest.split('/', 1)[0]}"
        if not sep:
            return cls(host, "")
        parts = head.rsplit("/", 2)
        if len(parts) == 3 and parts[0].startswith(host):
            return cls(parts[0], f"{parts[1]}/{parts[2]}")
        return cls(host, "")


def _session() -> Any:
    from huggingface_hub import get_session

    return get_session()


def _attempt(
    session: Any, url: str, state: PartialFile, headers: dict[str, str], *, timeout_s: float, where: _Where, have_token: bool
) -> None:
    """One GET from ``state.done`` to the end; raises _Retry, _Restart or a HubError."""
    import httpx2
    from huggingface_hub.errors import OfflineModeIsEnabled

    request_headers = dict(headers)
    if state.done > 0:
        request_headers["Range"] = f"bytes={state.done}-"
    try:
        with session.stream("GET", url, headers=request_headers, timeout=httpx2.Timeout(timeout_s)) as response:
            status = int(response.status_code)
            if status == 416 and state.done > 0:
                if state.total is None or state.done == state.total:
                    return  # everything was there already
                raise _Restart("the server refused the range")
            if status >= 400:
                raise _status_error(response, where, have_token=have_token, name=state.path.name)
            if state.done > 0 and status != 206:
                raise _Restart(f"the server ignored the range (HTTP {status})")
            if status == 206 and not str(response.headers.get("Content-Range", "")).startswith(f"bytes {state.done}-"):
                raise _Restart("the server sent another range")
            if state.total is None:
                length = response.headers.get("Content-Length")
                if length is not None and length.isdigit():
                    state.total = state.done + int(length)
                    _check_space(state.path.parent, int(length), state.path.name.removesuffix(INCOMPLETE_SUFFIX))
            _stream(response, state)
    except httpx2.TransportError as e:
        raise _Retry(_unreachable(where, e)) from e
    except OfflineModeIsEnabled:
        raise HubUnavailable(Message("offline mode is on (HF_HUB_OFFLINE): unset it to download")) from None
    if state.total is not None and state.done < state.total:
        raise _Retry(f"{where.endpoint} closed the connection after {state.done:,} of {state.total:,} bytes")


def _stream(response: Any, state: PartialFile) -> None:
    """Append the body to the part file, hashing as it goes; chunks come as the socket delivers them (~64 KiB)."""
    cancel = state._cancel
    update = state.hasher.update
    total = state.total
    try:
        fh: BinaryIO
        with open(state.path, "ab") as fh:
            write = fh.write
            for chunk in response.iter_bytes():
                write(chunk)
                update(chunk)
                state.done += len(chunk)
                if total is not None and state.done > total:
                    break  # too many bytes: _finish reports the corruption
                if cancel is not None and cancel.is_set():
                    fh.flush()
                    check_cancel(cancel, state.path)
                state.report()
            fh.flush()
            os.fsync(fh.fileno())
    except OSError as e:
        raise _write_error(e, state.path) from e
    finally:
        state.report(force=True)


def _finish(state: PartialFile, spec: DownloadSpec, dest: Path) -> None:
    """Verify size and hash, then give the file its real name (or delete it and say so)."""
    wrong = ""
    if spec.size is not None and state.done != spec.size:
        wrong = f"size mismatch: {state.done:,} bytes instead of {spec.size:,}"
    elif spec.sha256 is not None and state.hasher.hexdigest() != spec.sha256.lower():
        wrong = "sha256 mismatch"
    if wrong:
        with contextlib.suppress(OSError):
            state.path.unlink()
        raise ChecksumMismatch(Message("{name} was corrupted in transit ({wrong}); it was deleted — download it again",
                                       name=dest.name, wrong=wrong))  # fmt: skip
    try:
        os.replace(state.path, dest)
    except OSError as e:
        raise _write_error(e, dest) from e
    _sync_dir(dest.parent)
    log.info("Downloaded %s (%d bytes, sha256 %s)", dest, state.done, "verified" if spec.sha256 else "not listed")


def _check_space(folder: Path, remaining: int, name: str) -> None:
    """Raise DiskFull unless ``remaining`` bytes plus a margin fit in ``folder``."""
    if remaining <= 0:
        return
    try:
        free = shutil.disk_usage(folder).free
    except OSError as e:
        log.warning("Cannot read the free space of %s: %s", folder, e)
        return
    if free < remaining + DISK_MARGIN:
        raise DiskFull(Message("not enough free space in {folder} for {name}: it needs {more} MB more (+{margin} MiB "
                               "margin), {free} MB free — free some space, then resume", folder=str(folder), name=name,
                               more=Number(remaining / _MB), margin=str(DISK_MARGIN >> 20),
                               free=Number(free / _MB)))  # fmt: skip


def _write_error(e: OSError, path: Path) -> DownloadError:
    if e.errno == errno.ENOSPC:
        return DiskFull(Message("the disk holding {folder} is full; {name} is kept — free some space, then resume",
                                folder=str(path.parent), name=path.name))  # fmt: skip
    return DownloadError(Message("cannot write {path}: {error}", path=str(path), error=str(e.strerror or e)))


def _unreachable(where: _Where, e: BaseException) -> Message:
    import httpx2

    if isinstance(e, (httpx2.ConnectError, httpx2.ConnectTimeout, httpx2.ProxyError)):
        return Message("cannot reach {endpoint}: check your connection, proxy or HF_ENDPOINT", endpoint=where.endpoint)
    if isinstance(e, httpx2.TimeoutException):
        return Message("{endpoint} stopped answering (timed out): check your connection, then resume",
                       endpoint=where.endpoint)  # fmt: skip
    return Message("the connection to {endpoint} kept dropping: check your connection, then resume",
                   endpoint=where.endpoint)  # fmt: skip


def _status_error(response: Any, where: _Where, *, have_token: bool, name: str) -> Exception:
    """The error for an HTTP status >= 400 (a _Retry for server errors and rate limits)."""
    status = int(response.status_code)
    code = str(response.headers.get("X-Error-Code", ""))
    repo = where.repo_id or Message("the repository")
    file = name.removesuffix(INCOMPLETE_SUFFIX)
    if status in _RETRY_STATUS:
        return _Retry(Message("{endpoint} answered with a server error ({status}); try again in a minute",
                              endpoint=where.endpoint, status=str(status)))  # fmt: skip
    if code == "GatedRepo":
        return GatedRepoError(str(repo), where.endpoint, have_token=have_token)
    if code == "RepoNotFound" or status == 401:
        return repo_not_found(repo, where.endpoint, have_token=have_token)
    if status == 404 or code in ("EntryNotFound", "RevisionNotFound"):
        return FileNotOnHub(Message("{repo} has no file {file} (any more): refresh the file list", repo=repo, file=file))
    if status == 403:
        return HubError(Message("{endpoint} refused access to {file} in {repo} (HTTP 403)", endpoint=where.endpoint,
                                file=file, repo=repo))  # fmt: skip
    return DownloadError(Message("{endpoint} refused {file} (HTTP {status})", endpoint=where.endpoint, file=file,
                                 status=str(status)))  # fmt: skip


def _sync_dir(folder: Path) -> None:
    """Make the rename durable (POSIX; Windows cannot open a folder for fsync)."""
    if os.name != "posix":
        return
    with contextlib.suppress(OSError):
        fd = os.open(folder, os.O_RDONLY)
        try:
            os.fsync(fd)
        finally:
            os.close(fd)
