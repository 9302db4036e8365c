"""Exact fit before download: read a GGUF header on the hub with HTTP Range requests, and the fit verdict for this machine.

The Library's header reader asks for 64 KiB, then doubles up to 4 MiB per read, so a header (vocabulary included, which
is walked but not decoded) costs a few requests and usually well under a few MB.

A header on the hub is untrusted and merely opening a repository reads it, so what one may cost is capped: at most
REMOTE_MAX_BYTES fetched per file (Llama 3's header, 128k tokens and 280k merges, is about 8 MB; the last read fetches
up to 4 MiB past its end) and REMOTE_LIMITS on decoded strings. Past a cap the file's badge says TOO_LARGE_BADGE.
"""

from __future__ import annotations

import io
import logging
from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any, BinaryIO, cast

from app.hub.client import HubClient
from app.hub.errors import HubError
from app.hub.files import FOLDER_AS, FileGroup, FileKind
from app.hub.results import RepoDetails
from core.errors import said
from core.messages import Message, Text
from formats.gguf import MAX_ARRAY_ITEMS, HeaderLimits, HeaderTooLarge, read_gguf_header_from
from formats.gguf_info import info_from_headers
from formats.model import ModelFileError, ModelInfo
from hardware.advice import DEFAULT_USABLE_SPEED, usable
from hardware.fit import FitOptions, FitReport, fit
from hardware.quants import QUANT_TYPES
from hardware.report import HardwareReport
from hardware.shape import ModelShape

__all__ = [
    "REMOTE_LIMITS", "REMOTE_MAX_BYTES", "TOO_LARGE_BADGE",
    "FileFit", "RangeFile", "Recommendation", "best_file", "fastest_file", "fit_file", "fit_files", "fit_folder", "mark_best",
    "open_remote",
    "recommend", "refit", "remote_info",
]

log = logging.getLogger(__name__)

DEFAULT_CONTEXT = 8192
_ENOUGH_BPW = 8.5  # Q8_0: within noise of F16 in perplexity, at half the size and twice the speed
_MIN_FETCH = 64 << 10  # the first read (4 bytes of magic) fetches what the parser will ask for next anyway
REMOTE_MAX_BYTES = 32 << 20
"""Bytes one remote header read may fetch (per file of a split set)."""
REMOTE_LIMITS = HeaderLimits(max_string=1 << 20, max_text=8 << 20)
"""A chat template is a few KB; only the vocabulary is large, and it is walked, not decoded."""
TOO_LARGE_BADGE = "header too large to check"


class RangeFile(io.RawIOBase):
    """A read-only, seekable file over HTTP Range GETs (redirects followed); counts the bytes it fetched.

    Raises HubError subclasses from read() when the hub fails, and HeaderTooLarge before fetching more than `max_bytes`
    in all (None: no cap); the last block fetched is kept, so small reads inside it cost nothing.
    """

    def __init__(self, url: str, *, size: int, headers: dict[str, str] | None = None, session: Any = None,
                 timeout_s: float = 10.0, repo_id: str | None = None, endpoint: str = "",
                 have_token: bool = False, max_bytes: int | None = None) -> None:  # fmt: skip
        super().__init__()
        self.url = url
        self.size = size
        self._headers = dict(headers or {})
        self._session = session
        self._timeout_s = timeout_s
        self._repo_id = repo_id
        self._endpoint = endpoint or url
        self._have_token = have_token
        self._pos = 0
        self._block = b""
        self._block_start = 0
        self.bytes_fetched = 0
        self.requests = 0
        self.max_bytes = max_bytes

    def readable(self) -> bool:
        return True

    def seekable(self) -> bool:
        return True

    def tell(self) -> int:
        return self._pos

    def seek(self, offset: int, whence: int = io.SEEK_SET) -> int:
        base = {io.SEEK_SET: 0, io.SEEK_CUR: self._pos, io.SEEK_END: self.size}[whence]
        if base + offset < 0:
            raise ValueError("negative seek position")
        self._pos = base + offset
        return self._pos

    def readinto(self, buffer: Any) -> int:
        view = memoryview(buffer).cast("B")
        n = min(len(view), max(0, self.size - self._pos))
        if n == 0:
            return 0
        off = self._pos - self._block_start
        if not (off >= 0 and off + n <= len(self._block)):
            self._fetch(self._pos, max(n, _MIN_FETCH))
            off = 0
        view[:n] = self._block[off : off + n]
        self._pos += n
        return n

    def _fetch(self, start: int, length: int) -> None:
        from huggingface_hub import get_session, hf_raise_for_status

        end = min(start + length, self.size) - 1
        session = self._session or get_session()
        headers = {**self._headers, "Range": f"bytes={start}-{end}", "Accept-Encoding": "identity"}
        want = end - start + 1
        self._check_budget(want)
        self.requests += 1
        try:
            with session.stream("GET", self.url, headers=headers, timeout=self._timeout_s) as r:
                if r.status_code >= 400:
                    r.read()
                    hf_raise_for_status(r)
                skip = start if r.status_code == 200 else 0  # a server that ignores Range sends the whole file
                chunks: list[bytes] = []
                got = 0
                for chunk in r.iter_bytes():
                    self.bytes_fetched += len(chunk)
                    self._check_budget(0)  # a server that ignores Range sends everything before `start` too
                    if skip:
                        dropped = min(skip, len(chunk))
                        chunk, skip = chunk[dropped:], skip - dropped
                    chunks.append(chunk)
                    got += len(chunk)
                    if got >= want:
                        break
        except (HubError, HeaderTooLarge):
            raise
        except Exception as e:  # httpx / huggingface_hub errors -> one-line HubError
            from app.hub.errors import hub_error

            raise hub_error(e, repo_id=self._repo_id, endpoint=self._endpoint, have_token=self._have_token) from e
        data = b"".join(chunks)[:want]
        if len(data) < want:
            raise HubError(Message("the hub sent {count} of {want} bytes of {file}", count=format(len(data), ','),
                                   want=format(want, ','), file=str(self.url.rsplit('/', 1)[-1])))
        self._block, self._block_start = data, start

    def _check_budget(self, more: int) -> None:
        if self.max_bytes is not None and self.bytes_fetched + more > self.max_bytes:
            raise HeaderTooLarge(Message("{file}: its header is larger than the {max_bytes} bytes Modelwerk reads from "
                                         "the hub to check a file", file=str(self.url.rsplit('/', 1)[-1]),
                                         max_bytes=format(self.max_bytes, ',')))  # fmt: skip


def open_remote(client: HubClient, repo_id: str, path: str, *, size: int, revision: str = "main",
                max_bytes: int | None = REMOTE_MAX_BYTES) -> RangeFile:  # fmt: skip
    """A RangeFile for one file of a repository, with the client's headers and timeout, fetching at most `max_bytes`."""
    headers = client.headers()
    return RangeFile(client.file_url(repo_id, path, revision=revision), size=size, headers=headers,
                     timeout_s=client.timeout_s, repo_id=repo_id, endpoint=client.endpoint,
                     have_token=any(k.lower() == "authorization" for k in headers), max_bytes=max_bytes)  # fmt: skip


def remote_info(client: HubClient, repo_id: str, group: FileGroup) -> ModelInfo:
    """ModelInfo of a GGUF file or split set on the hub, from its headers; raises HubError or ModelFileError
    (HeaderTooLarge past REMOTE_MAX_BYTES or REMOTE_LIMITS)."""
    if group.kind is not FileKind.GGUF:
        raise ModelFileError(Message("{name} is not a GGUF file", name=str(group.name)))
    if group.note:
        raise ModelFileError(Message("{name}: {note}", name=str(group.name), note=str(group.note)))
    headers = []
    for f in group.files:
        with open_remote(client, repo_id, f.path, size=f.size, revision=group.revision) as rf:
            header = read_gguf_header_from(cast(BinaryIO, rf), name=Path(f.path), size=f.size,
                                           max_array_items=MAX_ARRAY_ITEMS, limits=REMOTE_LIMITS)  # fmt: skip
            headers.append(header)
            log.debug("header of %s/%s: %d bytes in %d requests", repo_id, f.path, rf.bytes_fetched, rf.requests)
    return info_from_headers(headers, [Path(f.path) for f in group.files], local=False)


@dataclass(frozen=True)
class FileFit:
    """The fit verdict of one downloadable file group; `error` says why there is none."""

    group: FileGroup
    info: ModelInfo | None
    report: FitReport | None
    error: str = ""
    best: bool = False
    shape: ModelShape | None = None
    """What was judged when there is no header: a safetensors folder as the F16 GGUF it converts to (`fit_folder`)."""
    badge: str = ""
    """The badge when there is no report and a plain "unknown" would mislead (TOO_LARGE_BADGE)."""
    error_said: Message | None = field(default=None, compare=False)
    """``error`` as a message, for the GUI to translate (None: ``error`` only)."""

    @property
    def error_text(self) -> Text:
        said = self.error_said
        return said if said is not None and str(said) == self.error else self.error

    @property
    def judged_shape(self) -> ModelShape | None:
        return self.info.shape if self.info is not None else self.shape

    @property
    def fits(self) -> bool:
        return self.report is not None and self.report.fits

    @property
    def bits_per_weight(self) -> float:
        """Measured from the file (size / parameters) when known, else the type's table value; 0 if neither."""
        if self.info is not None and self.info.n_params:
            return self.info.size_bytes * 8 / self.info.n_params
        q = QUANT_TYPES.get(self.group.quant.upper().removeprefix("UD-"))
        return q.bits_per_weight if q else 0.0


def default_options(context_length: int) -> FitOptions:
    """The loading options a fit is judged at: 8k context, or the model's own when it is shorter."""
    return FitOptions(context=min(DEFAULT_CONTEXT, context_length) if context_length > 0 else DEFAULT_CONTEXT)


def _unjudged(group: FileGroup, error: Text, *, info: ModelInfo | None = None, badge: str = "",
              base: FileFit | None = None) -> FileFit:
    """A file group without a verdict, and why (``base``: the fit it replaces, keeping its header and shape)."""
    said = error if isinstance(error, Message) else None
    if base is not None:
        return replace(base, report=None, error=str(error), best=False, error_said=said)
    return FileFit(group, info, None, error=str(error), badge=badge, error_said=said)


def fit_file(client: HubClient, repo_id: str, group: FileGroup, hw: HardwareReport, *,
             options: FitOptions | None = None) -> FileFit:  # fmt: skip
    """Read the group's header(s) from the hub and fit it to `hw`. Never raises: problems end up in FileFit.error."""
    if group.kind is not FileKind.GGUF:
        return _unjudged(group, Message("the fit is estimated from GGUF headers only"))
    if group.mmproj:
        return _unjudged(group, Message("a vision projector: it is loaded together with a model"))
    try:
        info = remote_info(client, repo_id, group)
    except HeaderTooLarge as e:  # hostile or absurd: checking it would cost the user memory and bandwidth
        log.warning("not checking %s/%s: %s", repo_id, group.name, e)
        return _unjudged(group, Message("Not checked: {error}", error=said(e)), badge=TOO_LARGE_BADGE)
    except (HubError, ModelFileError) as e:
        return _unjudged(group, said(e))
    except Exception as e:  # a header reader bug must not break the repository view
        log.exception("reading the header of %s/%s failed", repo_id, group.name)
        return _unjudged(group, Message("cannot read the header: {error}", error=said(e)))
    if info.shape is None:
        return _unjudged(group, info.shape_note or Message("the memory needed is unknown for this model"), info=info)
    try:
        report = fit(info.shape, hw, options or default_options(info.context_length))
    except Exception as e:
        log.exception("fitting %s/%s failed", repo_id, group.name)
        return _unjudged(group, Message("cannot estimate the fit: {error}", error=said(e)), info=info)
    return FileFit(group, info, report)


def refit(f: FileFit, hw: HardwareReport, *, options: FitOptions | None = None) -> FileFit:
    """The same file judged on another machine (or the same one, measured anew), from the header already read: nothing
    is fetched. Never raises; a file without a known shape is returned as it was."""
    shape = f.judged_shape
    if shape is None:
        return f
    context = f.info.context_length if f.info is not None else shape.context_train
    try:
        return replace(f, report=fit(shape, hw, options or default_options(context)), best=False)
    except Exception as e:
        log.exception("fitting %s failed", f.group.name)
        return _unjudged(f.group, Message("cannot estimate the fit: {error}", error=said(e)), base=f)


def fit_folder(client: HubClient, details: RepoDetails, group: FileGroup, hw: HardwareReport, *,
               options: FitOptions | None = None) -> FileFit:  # fmt: skip
    """A safetensors folder model judged as the F16 GGUF it converts to — "can I run it in full precision?" — from its
    config.json alone (a few KB). Never raises: problems end up in FileFit.error."""
    from app.hub.estimate import shape_from_config

    try:
        config = client.read_json(details.repo_id, "config.json", revision=group.revision)
    except HubError as e:
        log.info("no config.json for %s (%s): estimating from the parameter count", details.repo_id, e)
        config = {}
    try:
        shape = shape_from_config(config, n_params=details.n_params, quant=FOLDER_AS, name=details.repo_id.split("/")[-1])
        if shape is None:
            return _unjudged(group, Message("no dimensions in config.json and no parameter count"))
        return FileFit(group, None, fit(shape, hw, options or default_options(shape.context_train)), shape=shape)
    except Exception as e:  # a config we misread must not break the repository view
        log.exception("fitting the folder of %s failed", details.repo_id)
        return _unjudged(group, Message("cannot estimate the fit: {error}", error=said(e)))




def _ready(fits: Sequence[FileFit]) -> list[FileFit]:
    """GGUF files that fit here (ready to run as they are)."""
    return [f for f in fits if f.report is not None and f.report.fits and f.group.kind is FileKind.GGUF]


def best_file(fits: Sequence[FileFit], usable_speed: float = DEFAULT_USABLE_SPEED) -> FileFit | None:
    """The best usable file (best=True): it fits and reaches `usable_speed` tokens/s (hardware.advice.usable); then full
    GPU > partial > CPU only, the most bits per weight up to Q8_0's 8.5 (above that a file costs memory and speed for no
    measurable quality), the smallest. None if no file is usable (`fastest_file` names what comes closest)."""
    ok = [f for f in _ready(fits) if f.report is not None and usable(f.report, usable_speed)]
    if not ok:
        return None
    top = min(ok, key=lambda f: (f.report.placement.rank if f.report else 9, -min(f.bits_per_weight, _ENOUGH_BPW),
                                 f.group.size))
    return replace(top, best=True)


def fastest_file(fits: Sequence[FileFit]) -> FileFit | None:
    """The file that fits and generates fastest here (what to name when none is usable); None if none fits."""
    ready = _ready(fits)
    return max(ready, key=lambda f: (f.report.tokens_per_s if f.report else 0.0, -f.group.size)) if ready else None


def mark_best(fits: Sequence[FileFit], usable_speed: float = DEFAULT_USABLE_SPEED) -> list[FileFit]:
    """The same list with the best file's `best` set (and every other one cleared)."""
    best = best_file(fits, usable_speed)
    return [replace(f, best=best is not None and f.group == best.group) for f in fits]


@dataclass(frozen=True)
class Recommendation:
    """Ready-made or self-made: what to download (repo_id + quant) or the command to quantize it oneself."""

    text: str
    repo_id: str | None = None
    quant: str | None = None
    command: str | None = None


def recommend(client: HubClient, original: RepoDetails, hw: HardwareReport, *, options: FitOptions | None = None,
              usable_speed: float = DEFAULT_USABLE_SPEED) -> Recommendation:  # fmt: skip
    """For an original (safetensors) repository: the ready-made GGUF quantization to get, or how to make one.

    Raises HubError only when the hub cannot be reached at all.
    """
    from app.hub.recommend import recommend_for

    return recommend_for(client, original, hw, options=options, usable_speed=usable_speed)


def fit_files(client: HubClient, repo_id: str, groups: Sequence[FileGroup], hw: HardwareReport, *,
              options: FitOptions | None = None, max_workers: int = 4,
              usable_speed: float = DEFAULT_USABLE_SPEED) -> list[FileFit]:  # fmt: skip
    """fit_file for every GGUF language-model group (mmproj and folder models left out), a few at a time, best marked."""
    from concurrent.futures import ThreadPoolExecutor

    wanted = [g for g in groups if g.kind is FileKind.GGUF and not g.mmproj]
    if not wanted:
        return []
    with ThreadPoolExecutor(max_workers=max(1, min(max_workers, len(wanted))), thread_name_prefix="remote-fit") as pool:
        fits = list(pool.map(lambda g: fit_file(client, repo_id, g, hw, options=options), wanted))
    return mark_best(fits, usable_speed)
