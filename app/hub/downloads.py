"""The persistent download queue: parallel workers (Python threads), pause/resume/cancel/retry.

A finished download is handed to its ``Registrar`` (the workbench registers it in the Library, with its lineage): the hub
knows nothing of the Library.

Every state change is written to the store at once and progress about once a second, so a crash or kill loses nothing:
the next ``start()`` (in the GUI or in ``modelwerk pull``) finds the rows left RUNNING by a process that is gone, queues them
again, and their files continue from their ``.incomplete`` parts. Two Modelwerk processes can share the database: a row
is claimed atomically, and a row running in another live process is left alone.
"""

from __future__ import annotations

import contextlib
import logging
import threading
import time
from collections import deque
from collections.abc import Callable, Collection, Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Protocol

from app.events import Event
from app.hub.download import DownloadSpec, download_file
from app.hub.download_rows import (
    FINISHED,
    SETTLED,
    STATE_SAID,
    Download,
    DownloadState,
    Rows,
    check_file_paths,
    dest_dir_for,
)
from app.hub.errors import DownloadCancelled, DownloadError, HubError
from app.hub.files import FileGroup
from app.hub.partial_file import incomplete_path
from app.store import Store, StoreError
from core.errors import ModelwerkError, said
from core.messages import Message

__all__ = ["Download", "DownloadQueue", "DownloadState", "FileSource", "Registrar"]

log = logging.getLogger(__name__)

SAVE_INTERVAL_S = 1.0
"""done_bytes is written to the store at most this often per download."""
EMIT_INTERVAL_S = 0.1
"""on_change gets progress at most this often per download."""
SPEED_WINDOW_S = 5.0
MAX_PARALLEL = 8


class FileSource(Protocol):
    """What the queue needs from the hub client (app.hub.client.HubClient provides it)."""

    def file_url(self, repo_id: str, path: str, *, revision: str = "main") -> str: ...

    def headers(self) -> dict[str, str]: ...


class Registrar(Protocol):
    """Where finished downloads go (``app.workbench.DownloadRegistrar`` registers them in the Library)."""

    def register(self, download: Download) -> int:
        """Register a download whose files are all in; returns its Library id.

        Raises:
            ModelwerkError: it cannot be registered (one line).
        """
        ...

    def holds(self, path: Path) -> bool:
        """Whether the model at ``path`` is registered (a cancelled download then keeps its finished files)."""
        ...


@dataclass
class _Worker:
    """A running download's thread and live figures."""

    download: Download
    cancel: threading.Event = field(default_factory=threading.Event)
    stop: str = ""
    """Why cancel was set: "pause", "cancel" or "close"."""
    thread: threading.Thread | None = None
    done: int = 0
    samples: deque[tuple[float, int]] = field(default_factory=deque)
    saved: float = 0.0
    emitted: float = 0.0

    def speed(self) -> float:
        if len(self.samples) < 2:
            return 0.0
        (t0, d0), (t1, d1) = self.samples[0], self.samples[-1]
        return max(0.0, (d1 - d0) / (t1 - t0)) if t1 > t0 else 0.0

    def snapshot(self) -> Download:
        speed = self.speed()
        left = max(0, self.download.total_bytes - self.done)
        return replace(self.download, done_bytes=self.done, speed_bps=speed, eta_s=left / speed if speed > 0 else None)


class DownloadQueue:
    """Downloads models in the background and hands each finished one to ``registrar`` (on the worker's thread).

    ``on_change(download)`` is called from worker threads (and from the caller's thread for changes it makes itself) on
    every state change and, while running, with progress at most ten times a second; it must be quick and must not call
    ``close()``. A GUI forwards it through a queued signal.
    """

    def __init__(
        self,
        store: Store,
        *,
        client: FileSource,
        registrar: Registrar,
        models_dir: Path,
        parallel: int = 2,
        on_change: Callable[[Download], None] | None = None,
        retries: int = 5,
        backoff_s: float = 0.5,
        timeout_s: float = 10.0,
    ) -> None:
        self._rows = Rows(store)
        self._client = client
        self._registrar = registrar
        self._models_dir = Path(models_dir)
        self._parallel = _clamp(parallel)
        self.changed: Event[[Download]] = Event("DownloadQueue.changed")
        """A download's row changed (state, progress); emitted on worker threads and the caller's thread."""
        if on_change is not None:
            self.changed.connect(on_change)
        self._retries, self._backoff_s, self._timeout_s = retries, backoff_s, timeout_s
        self._lock = threading.RLock()
        self._changed = threading.Condition(self._lock)
        self._workers: dict[int, _Worker] = {}
        self._errors: dict[int, Message] = {}
        """Each failed download's error as a message, as this process recorded it (the row stores the English)."""
        self._started = False
        self._only: frozenset[int] | None = None

    # --- public API ------------------------------------------------------------------------------------------------------

    def start(self, *, only: Collection[int] | None = None) -> None:
        """Queue again the rows left RUNNING by a process that is gone, then start queued work.

        Args:
            only: run just these downloads (``modelwerk pull`` runs its own and leaves the GUI's queue alone).
        """
        with self._lock:
            self._only = None if only is None else frozenset(only)
            if self._started:
                return
            self._started = True
            for download_id in self._rows.orphaned():
                log.info("Download %d was interrupted; it resumes from its .incomplete files", download_id)
                self._rows.set_state(download_id, DownloadState.QUEUED, only_from=(DownloadState.RUNNING,))
        self._pump()

    def add(self, repo_id: str, group: FileGroup, *, then_quantize: Sequence[str] = ()) -> Download:
        """Queue a group of files; the same group already queued, paused, failed or cancelled is resumed instead.

        Args:
            then_quantize: llama.cpp types to quantize it to once it is in the Library (see ``follow_ups``); added to
                those of the same group already queued.
        """
        check_file_paths(group.files)
        dest_dir = dest_dir_for(self._models_dir, repo_id, group.revision)
        existing = self._rows.same(repo_id, group)
        if existing is not None:
            wanted = tuple(dict.fromkeys([*existing.then_quantize, *then_quantize]))
            if wanted != existing.then_quantize:
                self._rows.set_then_quantize(existing.id, wanted)
            if existing.state in (DownloadState.PAUSED, DownloadState.FAILED, DownloadState.CANCELLED):
                self._set(existing.id, DownloadState.QUEUED, only_from=(existing.state,), error="")
                self._pump()
            return self.get(existing.id)
        download_id = self._rows.insert(repo_id, group, dest_dir, tuple(dict.fromkeys(then_quantize)))
        log.info("Queued %s from %s (%d files, %d bytes)", group.name, repo_id, len(group.files), group.size)
        self._emit(self._rows.get(download_id))
        self._pump()
        return self.get(download_id)

    def pause(self, download_id: int) -> None:
        """Stop a running or queued download, keeping its ``.incomplete`` files; no-op in other states."""
        if not self._stop_worker(download_id, "pause"):
            self._set(download_id, DownloadState.PAUSED, only_from=(DownloadState.QUEUED,))

    def resume(self, download_id: int) -> None:
        """Queue a paused download again."""
        self._set(download_id, DownloadState.QUEUED, only_from=(DownloadState.PAUSED,))
        self._pump()

    def cancel(self, download_id: int) -> None:
        """Stop a download and delete its partial files; state CANCELLED. No-op when done or cancelled already."""
        if self._stop_worker(download_id, "cancel"):
            return
        waiting = (DownloadState.QUEUED, DownloadState.PAUSED, DownloadState.FAILED)
        if self._set(download_id, DownloadState.CANCELLED, only_from=waiting, done_bytes=0, then_quantize=""):
            self._discard(self._rows.get(download_id))

    def retry(self, download_id: int) -> None:
        """Queue a failed or cancelled download again (it resumes from whatever is on disk)."""
        self._set(download_id, DownloadState.QUEUED, only_from=(DownloadState.FAILED, DownloadState.CANCELLED), error="")
        self._pump()

    def remove(self, download_id: int) -> None:
        """Forget a finished, failed or cancelled download (a failed one's partial files are deleted; done files stay).

        Raises:
            DownloadError: it is still queued, running or paused.
        """
        d = self.get(download_id)
        if d.state not in FINISHED:
            raise DownloadError(Message("{name} is {value}: cancel it before removing it from the list", name=str(d.name),
                                        value=STATE_SAID[d.state]))
        if d.state is not DownloadState.DONE:
            self._discard(d)
        self._rows.delete(download_id)
        with self._lock:
            self._changed.notify_all()

    def active_paths(self) -> list[Path]:
        """What the running downloads register in the Library once their files are in (a worker is listed from before
        its thread starts until it has registered): the folder watch leaves these paths to them."""
        with self._lock:
            return [worker.download.model_path for worker in self._workers.values()]

    def follow_ups(self) -> list[Download]:
        """Downloads in the Library whose ``then_quantize`` recipe is still to be queued: the app queues it, then calls
        ``follow_up_queued``. Kept in the database, so one that finished while no app was running (``modelwerk pull``),
        or just before a crash, is queued at the next start."""
        return self._rows.follow_ups()

    def follow_up_queued(self, download_id: int) -> None:
        """The recipe of ``then_quantize`` is in the job queue: forget it here."""
        self._rows.set_then_quantize(download_id, ())

    def get(self, download_id: int) -> Download:
        """The download with this id, with live progress while running; raises DownloadError when there is none."""
        return self._live(self._rows.get(download_id))

    def list(self) -> list[Download]:
        """Every download in queue order (finished ones included until removed)."""
        return [self._live(d) for d in self._rows.all()]

    def _live(self, d: Download) -> Download:
        """The stored row, with this process's live progress and speed while it runs here (and its error as a message
        when it failed here)."""
        if d.state is not DownloadState.RUNNING:
            message = self._errors.get(d.id) if d.error else None
            return d if message is None else replace(d, error_said=message)
        with self._lock:
            worker = self._workers.get(d.id)
            return d if worker is None else replace(worker.snapshot(), state=d.state, then_quantize=d.then_quantize)

    def set_parallel(self, n: int) -> None:
        """How many downloads run at once (1 to 8); running ones beyond a lowered limit finish first."""
        with self._lock:
            self._parallel = _clamp(n)
        self._pump()

    def wait(self, download_id: int, timeout_s: float | None = None) -> Download:
        """Block until the download is done, failed, cancelled or paused (or the timeout passed); returns it then."""
        deadline = None if timeout_s is None else time.monotonic() + timeout_s
        with self._lock:
            while True:
                d = self.get(download_id)
                left = None if deadline is None else deadline - time.monotonic()
                if d.state in SETTLED or (left is not None and left <= 0):
                    return d
                # Polled too: a row run by another process changes without notifying us.
                self._changed.wait(0.5 if left is None else min(0.5, left))

    def close(self, timeout_s: float = 5.0) -> None:
        """Stop the workers; their rows go back to QUEUED so the next start() resumes them from their .incomplete files."""
        with self._lock:
            self._started = False
            workers = list(self._workers.values())
            for w in workers:
                w.stop = "close"
                w.cancel.set()
        deadline = time.monotonic() + timeout_s
        for w in workers:
            if w.thread is not None:
                w.thread.join(max(0.0, deadline - time.monotonic()))
            if w.thread is None or w.thread.is_alive():
                log.warning("Download %d did not stop within %.1f s; it resumes on the next start", w.download.id, timeout_s)
                with contextlib.suppress(StoreError):
                    self._rows.set_state(w.download.id, DownloadState.QUEUED, only_from=(DownloadState.RUNNING,),
                                         done_bytes=w.done)  # fmt: skip

    # --- workers ---------------------------------------------------------------------------------------------------------

    def _pump(self) -> None:
        """Start queued downloads up to the parallel limit."""
        started: list[Download] = []
        with self._lock:
            while self._started and len(self._workers) < self._parallel:
                download_id = self._rows.next_queued(self._only)
                if download_id is None:
                    break
                if not self._rows.claim(download_id):
                    continue  # another process took it
                d = self._rows.get(download_id)
                worker = _Worker(d, done=d.done_bytes)
                worker.thread = threading.Thread(target=self._run, args=(worker,), name=f"download-{d.id}", daemon=True)
                self._workers[d.id] = worker
                worker.thread.start()
                started.append(d)
            self._changed.notify_all()
        for d in started:  # outside the lock: on_change may take locks of its own
            self._emit(d)

    def _run(self, worker: _Worker) -> None:
        d = worker.download
        try:
            self._download_files(worker)
            if worker.cancel.is_set():
                raise DownloadCancelled(Message("stopped"))
            self._register(worker)
        except DownloadCancelled:
            self._stopped(worker)
        except HubError as e:
            log.warning("Download of %s from %s failed: %s", d.name, d.repo_id, e)
            if isinstance(message := said(e), Message):
                self._errors[d.id] = message
            self._finish(worker, DownloadState.FAILED, error=str(e))
        except Exception as e:  # a bug must not leave the row RUNNING forever
            log.exception("Download of %s from %s failed", d.name, d.repo_id)
            text = str(e).strip().splitlines()
            self._finish(worker, DownloadState.FAILED, error=text[0] if text else type(e).__name__)
        finally:
            with self._lock:
                self._workers.pop(d.id, None)
                self._changed.notify_all()
            self._pump()

    def _download_files(self, worker: _Worker) -> None:
        d = worker.download
        base = 0

        def progress(done: int, _total: int) -> None:
            self._progress(worker, base + done)

        for f in d.files:
            spec = DownloadSpec(url=self._client.file_url(d.repo_id, f.path, revision=d.revision), dest=d.dest(f),
                                size=f.size, sha256=f.sha256)  # fmt: skip
            download_file(spec, headers=self._client.headers(), cancel=worker.cancel,
                          progress=progress,
                          retries=self._retries, backoff_s=self._backoff_s, timeout_s=self._timeout_s)  # fmt: skip
            base += f.size

    def _register(self, worker: _Worker) -> None:
        d = worker.download
        try:
            model_id = self._registrar.register(d)
        except ModelwerkError as e:
            message = Message("downloaded, but not added to the Library: {error}", error=said(e))
            self._errors[d.id] = message
            self._finish(worker, DownloadState.FAILED, error=str(message))
            return
        log.info("Downloaded %s from %s: Library model %d", d.name, d.repo_id, model_id)
        self._finish(worker, DownloadState.DONE, model_id=model_id)

    def _stopped(self, worker: _Worker) -> None:
        if worker.stop == "cancel":
            self._discard(worker.download)
            self._finish(worker, DownloadState.CANCELLED, done=0, then_quantize="")  # a cancel drops the wish too
        elif worker.stop == "pause":
            self._finish(worker, DownloadState.PAUSED)
        else:  # closing: the next start() continues it
            self._finish(worker, DownloadState.QUEUED)

    def _finish(self, worker: _Worker, state: DownloadState, *, done: int | None = None, **fields: object) -> None:
        worker.done = worker.done if done is None else done
        if state is DownloadState.DONE:
            worker.done = worker.download.total_bytes
        with self._lock:  # one step: a pause or cancel now finds no worker and acts on the row's final state instead
            self._workers.pop(worker.download.id, None)
            try:
                self._set(worker.download.id, state, only_from=(DownloadState.RUNNING,), done_bytes=worker.done, **fields)
            except StoreError as e:  # the store was closed under us (app quitting): the row stays RUNNING and resumes
                log.warning("Cannot record the end of download %d: %s", worker.download.id, e)

    def _progress(self, worker: _Worker, done: int) -> None:
        now = time.monotonic()
        worker.done = done
        worker.samples.append((now, done))
        while len(worker.samples) > 2 and now - worker.samples[0][0] > SPEED_WINDOW_S:
            worker.samples.popleft()
        if now - worker.saved >= SAVE_INTERVAL_S:
            worker.saved = now
            self._rows.save_progress(worker.download.id, done)
        if now - worker.emitted >= EMIT_INTERVAL_S:
            worker.emitted = now
            self._emit(replace(worker.snapshot(), state=DownloadState.RUNNING))

    def _stop_worker(self, download_id: int, why: str) -> bool:
        with self._lock:
            worker = self._workers.get(download_id)
            if worker is None:
                return False
            worker.stop = why
            worker.cancel.set()
            return True

    def _discard(self, d: Download) -> None:
        """Delete a download's partial files, and its finished files unless the Library holds them."""
        registered = self._registrar.holds(d.model_path)
        for f in d.files:
            targets = [incomplete_path(d.dest(f))] + ([] if registered else [d.dest(f)])
            for p in targets:
                try:
                    p.unlink(missing_ok=True)
                except OSError as e:
                    log.warning("Cannot delete %s: %s", p, e)

    def _set(self, download_id: int, state: DownloadState, *, only_from: tuple[DownloadState, ...], **fields: object) -> bool:
        changed = self._rows.set_state(download_id, state, only_from=only_from, **fields)
        if changed:
            with self._lock:
                self._changed.notify_all()
            self._emit(self._live(self._rows.get(download_id)))
        return changed

    def _emit(self, d: Download) -> None:
        self.changed.emit(d)


def _clamp(n: int) -> int:
    return max(1, min(MAX_PARALLEL, int(n)))
