"""Runs queued jobs as worker child processes and keeps the queue rows up to date.

One background thread starts jobs (respecting pause and ``max_parallel``) and enforces cancel deadlines; one reader thread
per running job turns the worker's JSON lines into queue updates. Each worker runs in its own process group, in its own
temporary folder (its cwd and TMPDIR), with stderr going straight into the job's log file. Cancel terminates the group and
kills it after ``grace_s``; whatever the job had written under its ``.part`` name is deleted.
"""

from __future__ import annotations

import contextlib
import logging
import os
import shutil
import sys
import tempfile
import threading
import time
from collections.abc import Callable, Collection
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from core.messages import Message, Text
from procs.launch import python_module
from procs.supervisor import Child, Supervisor
from quantize.progress import Event, parse_event
from quantize.queue import Job, JobQueue, JobState, process_tag, remove_partial
from quantize.spec import JobSpec, dumps

log = logging.getLogger(__name__)

WORKER = "quantize.worker"
POLL_S = 0.2
PROGRESS_S = 0.1


@dataclass
class _Running:
    job: Job
    child: Child
    scratch: Path
    reader: threading.Thread | None = None
    cancelled: bool = False
    outputs: list[Path] = field(default_factory=list)
    result: dict[str, Any] = field(default_factory=dict)
    error: Text = ""
    done: bool = False


class JobRunner:
    """Starts the queue's jobs in the background; see the module docstring.

    ``only``: run just these job ids (``modelwerk quantize`` runs its own jobs, not the GUI's queue). ``python_for`` and
    ``worker_for`` choose a job's interpreter and the worker module it runs (``quantize.worker`` unless told; the app's
    own kinds, such as indexing, have a worker of their own).
    """

    def __init__(
        self,
        queue: JobQueue,
        *,
        python_for: Callable[[JobSpec], list[str]] | None = None,
        worker_for: Callable[[JobSpec], str] | None = None,
        on_changed: Callable[[int], None] | None = None,
        on_finished: Callable[[Job], None] | None = None,
        grace_s: float = 3.0,
        only: Collection[int] | None = None,
    ) -> None:
        self.queue = queue
        self.python_for = python_for or (lambda _spec: [sys.executable])
        self.worker_for = worker_for or (lambda _spec: WORKER)
        self.on_changed = on_changed
        self.on_finished = on_finished
        self.grace_s = grace_s
        self.only = None if only is None else frozenset(only)
        self._tag = process_tag(os.getpid())
        self._running: dict[int, _Running] = {}
        self._workers = Supervisor()
        self._lock = threading.Condition()
        self._woken = False  # a wake() since the loop last looked at the queue: it looks again before it waits
        self._stopping = False
        self._thread: threading.Thread | None = None

    # --- public -----------------------------------------------------------------------------------------------------

    def start(self) -> None:
        """Start the background thread (once)."""
        if self._thread is not None:
            return
        self._thread = threading.Thread(target=self._loop, name="job-runner", daemon=True)
        self._thread.start()

    def wake(self) -> None:
        """Look at the queue now (after an add, a retry, unpausing) instead of at the next poll."""
        with self._lock:
            self._woken = True
            self._lock.notify_all()

    def cancel(self, job_id: int) -> None:
        """Cancel a job: a queued one at once; a running one by terminating its worker (killed after ``grace_s``)."""
        with self._lock:
            running = self._running.get(job_id)
            if running is not None and not running.cancelled:
                running.cancelled = True
                running.child.cancel(self.grace_s)  # also closes its stdin: the worker's watchdog stops it too
                self._lock.notify_all()
                return
        self.queue.cancel(job_id)  # queued: cancelled now; running in another process: that runner kills it
        self._changed(job_id)

    def stop(self) -> None:
        """The app is closing: kill the running workers, mark their jobs INTERRUPTED, end the threads."""
        with self._lock:
            self._stopping = True
            running = list(self._running.values())
            self._lock.notify_all()
        self._workers.stop_all(self.grace_s)
        for r in running:
            if r.reader is not None:
                r.reader.join(timeout=self.grace_s + 5)
        if self._thread is not None:
            self._thread.join(timeout=self.grace_s + 5)
            self._thread = None

    def wait_idle(self, timeout_s: float) -> bool:
        """Wait until no queued or running job is left (of ``only``, if given); False on timeout."""
        deadline = time.monotonic() + timeout_s
        while True:
            if self._idle():
                return True
            left = deadline - time.monotonic()
            if left <= 0:
                return False
            with self._lock:
                self._lock.wait(min(left, POLL_S))

    def running_ids(self) -> list[int]:
        with self._lock:
            return list(self._running)

    # --- the loop ---------------------------------------------------------------------------------------------------

    def _idle(self) -> bool:
        with self._lock:
            if self._running:
                return False
        return not any(
            j.state in (JobState.QUEUED, JobState.RUNNING) and (self.only is None or j.id in self.only)
            and not self.queue.stuck(j)  # waits for a failed job: nothing will happen until the user acts
            for j in self.queue.jobs()
        )

    def _loop(self) -> None:
        while True:
            with self._lock:
                if self._stopping:
                    return
                self._woken = False
            try:
                self._enforce_cancels()
                self._start_jobs()
            except Exception:
                log.exception("job runner: unexpected error")
            with self._lock:
                # A wake() while we looked (a job added just after claim_next found none) is not lost: look again now
                # rather than after a whole poll interval.
                if not self._stopping and not self._woken:
                    self._lock.wait(POLL_S)

    def _enforce_cancels(self) -> None:
        with self._lock:
            running = list(self._running.values())
        for r in running:
            if not r.cancelled:
                with contextlib.suppress(Exception):
                    if self.queue.get(r.job.id).cancel_requested:  # cancelled from another process
                        self.cancel(r.job.id)

    def _start_jobs(self) -> None:
        while True:
            with self._lock:
                if self._stopping:
                    return
            job = self.queue.claim_next(runner=self._tag, only=self.only)
            if job is None:
                return
            self._launch(job)

    def _launch(self, job: Job) -> None:
        scratch = Path(tempfile.mkdtemp(prefix=f"mw-job-{job.id}-"))
        spec_file = scratch / "spec.json"
        spec_file.write_text(dumps(job.spec), encoding="utf-8")
        try:
            python = self.python_for(job.spec)
            module = self.worker_for(job.spec)
        except Exception as e:  # e.g. the toolchain a torch-based job needs is not installed
            shutil.rmtree(scratch, ignore_errors=True)
            self._finish(job, JobState.FAILED, error=str(e).strip().splitlines()[0] if str(e).strip() else type(e).__name__)
            return
        # The sources on PYTHONPATH (also for the toolchain's Python), and the scratch folder as cwd and temp folder.
        command = python_module(module, [str(spec_file)], python=python, cwd=scratch, label="the worker",
                                env={"TMPDIR": str(scratch), "TEMP": str(scratch), "TMP": str(scratch),
                                     "PYTHONUNBUFFERED": "1"})  # fmt: skip
        cmd = command.argv
        self.queue.append_log(job.id, f"--- {time.strftime('%Y-%m-%d %H:%M:%S')} {job.title}\n$ {' '.join(cmd)}")
        try:
            child = self._workers.start(command, stderr=self.queue.log_path(job.id))
        except OSError as e:
            shutil.rmtree(scratch, ignore_errors=True)
            self._finish(job, JobState.FAILED, error=f"could not start the worker ({cmd[0]}): {e.strerror or e}")
            return
        running = _Running(job=job, child=child, scratch=scratch)
        running.reader = threading.Thread(target=self._read, args=(running,), name=f"job-{job.id}", daemon=True)
        with self._lock:
            self._running[job.id] = running
        self.queue.set_worker(job.id, child.pid)
        self._changed(job.id)
        running.reader.start()

    def _read(self, r: _Running) -> None:
        """Follow one worker until it exits, then settle its job's state."""
        job_id = r.job.id
        pending: Event | None = None  # the latest progress not yet written
        written_at, stage = 0.0, None
        for raw in r.child.stdout_lines():
            event = parse_event(raw)
            if event is None:
                text = raw.decode("utf-8", "replace").rstrip()
                if text:
                    self.queue.append_log(job_id, text)
                continue
            if event.event == "progress":
                # A job may report every tensor; the queue row (what the GUI polls) changes at most PROGRESS_S apart,
                # so the runner does not take CPU from the job on a small machine. A new stage is written at once.
                now = time.monotonic()
                if now - written_at < PROGRESS_S and event.stage == stage:
                    pending = event
                    continue
                pending, written_at, stage = None, now, event.stage
                self.queue.update_progress(job_id, stage=event.stage, fraction=event.fraction, message=event.message_text)
            elif event.event == "log":
                self.queue.append_log(job_id, event.message)
            elif event.event == "done":
                r.done, r.outputs, r.result = True, [Path(p) for p in event.outputs], event.result
            elif event.event == "failed":
                r.error = event.error_text
                self.queue.append_log(job_id, f"failed: {event.error}")
            self._changed(job_id)
        if pending is not None:
            self.queue.update_progress(job_id, stage=pending.stage, fraction=pending.fraction,
                                       message=pending.message_text)  # fmt: skip
        outcome = r.child.wait()  # also kills anything the worker left behind in its group
        self._workers.forget(r.child)
        shutil.rmtree(r.scratch, ignore_errors=True)
        with self._lock:
            stopping = self._stopping
        error: Text
        if r.cancelled:
            state, error = JobState.CANCELLED, Message("cancelled")
        elif stopping and not (r.done and outcome.returncode == 0):
            state, error = JobState.INTERRUPTED, Message("interrupted: Modelwerk closed while it ran")
        elif r.done and outcome.returncode == 0:
            state, error = JobState.DONE, ""
        else:
            state, error = JobState.FAILED, r.error or outcome.describe()
        if state is not JobState.DONE:
            remove_partial(r.job.spec)
            r.outputs = []
        self.queue.append_log(job_id, f"--- {state.value}" + (f": {error}" if error and str(error) != state.value else ""))
        self._finish(r.job, state, error=error, outputs=r.outputs, result=r.result)
        with self._lock:
            self._running.pop(job_id, None)
            self._lock.notify_all()

    def _finish(self, job: Job, state: JobState, *, error: Text = "", outputs: list[Path] | None = None,
                result: dict[str, Any] | None = None) -> None:  # fmt: skip
        final = self.queue.finish(job.id, state, error=error, outputs=outputs or [], result=result)
        self._changed(job.id)
        if state is not JobState.INTERRUPTED and self.on_finished is not None:
            try:
                self.on_finished(final)
            except Exception:
                log.exception("on_finished failed for job %d", job.id)

    def _changed(self, job_id: int) -> None:
        if self.on_changed is not None:
            try:
                self.on_changed(job_id)
            except Exception:
                log.exception("on_changed failed for job %d", job_id)
