"""The job worker: ``python -m quantize.worker SPEC.json`` runs one job and reports JSON lines on stdout.

Exit codes: 0 done, 1 the job failed (after a ``failed`` event), 2 the spec could not be read. The job's module is imported
only when its kind comes up, so a missing or broken module (or library) fails that job with a clear event instead of the
worker itself; this also keeps torch out of the app's environment and llama_cpp out of the toolchain's.
"""

from __future__ import annotations

import contextlib
import dataclasses
import importlib
import logging
import os
import shutil
import signal
import sys
import tempfile
import time
import traceback
from collections.abc import Mapping
from pathlib import Path
from typing import IO, Any

from core.errors import message_of
from procs import watchdog
from quantize.errors import JobFailed
from quantize.progress import Reporter
from quantize.spec import JobKind, JobSpec, SpecError, loads, partial_output

log = logging.getLogger(__name__)

EXIT_OK, EXIT_FAILED, EXIT_BAD_SPEC, EXIT_ORPHANED = 0, 1, 2, 3

DISPATCH: dict[JobKind, str] = {
    JobKind.QUANTIZE: "quantize.gguf_quantize",
    JobKind.CONVERT: "quantize.convert",
    JobKind.GPTQ: "quantize.gptq",
    JobKind.EVALUATE: "quantize.evaluate",
    JobKind.TOOLCHAIN: "quantize.toolchain_job",
}
"""Job kind -> the module whose ``run(spec, reporter) -> list[Path]`` does it. Another worker (the app's indexing,
``app.documents.job``) runs ``main`` with a table of its own: the protocol, scratch folder and watchdog stay the same."""

STOPS_ITSELF = frozenset({JobKind.TOOLCHAIN})
"""Kinds whose job handles SIGTERM itself: it stops its own child processes (pip) and keeps what they finished. When the
runner dies (stdin ends) the worker sends itself SIGTERM, and ends only after ``STOP_GRACE_S`` if the job is still there."""
STOP_GRACE_S = 15.0


class _TrackingReporter(Reporter):
    """A Reporter that remembers whether the job already said ``done`` (evaluation sends its own, with the metrics)."""

    def __init__(self, stream: IO[str] | None = None) -> None:
        super().__init__(stream)
        self.done_sent = False

    def done(self, outputs: list[str], result: dict[str, Any] | None = None) -> None:
        self.done_sent = True
        super().done(outputs, result)


def one_line(e: BaseException) -> str:
    lines = str(e).strip().splitlines()
    return lines[0] if lines else type(e).__name__


def run_spec(spec: JobSpec, reporter: _TrackingReporter, *, dispatch: Mapping[JobKind, str] = DISPATCH) -> int:
    """Run one job with the module ``dispatch`` names for its kind; returns the exit code."""
    module_name = dispatch.get(spec.kind)
    if module_name is None:  # e.g. an index job handed to quantize.worker by a runner without the app's worker_for
        reporter.failed(f"{spec.kind.value} jobs are not run by this worker; retry the job from Modelwerk's Jobs page")
        return EXIT_FAILED
    try:
        module = importlib.import_module(module_name)
        run = module.run
    except (ImportError, AttributeError) as e:
        reporter.failed(f"{spec.kind.value} jobs are not available here ({module_name}: {one_line(e)})")
        traceback.print_exc()
        return EXIT_FAILED
    try:
        outputs = run(spec, reporter)
    except JobFailed as e:
        reporter.failed(message_of(e))
        return EXIT_FAILED
    except Exception as e:
        reporter.failed(f"{type(e).__name__}: {one_line(e)}")
        traceback.print_exc()
        return EXIT_FAILED
    if not reporter.done_sent:
        reporter.done([str(p) for p in outputs or []])
    return EXIT_OK


def absolute_spec(spec: JobSpec) -> JobSpec:
    """The spec with its paths made absolute (against the current folder): workers run in a scratch folder."""
    values = {f.name: getattr(spec, f.name) for f in dataclasses.fields(spec)}
    changes = {name: value.absolute() for name, value in values.items() if isinstance(value, Path)}
    return dataclasses.replace(spec, **changes)  # type: ignore[arg-type]


def _orphaned(spec: JobSpec) -> None:
    """The runner closed our stdin (it died, the app was killed, or it cancels): stop, leave no partial output. The
    watchdog (procs.watchdog) then exits with ``EXIT_ORPHANED``."""
    if spec.kind in STOPS_ITSELF:
        os.kill(os.getpid(), signal.SIGTERM)  # the job stops its children and returns; the worker then exits
        time.sleep(STOP_GRACE_S)
        return
    part = partial_output(spec)
    if part is not None:
        with contextlib.suppress(OSError):
            shutil.rmtree(part) if part.is_dir() else part.unlink(missing_ok=True)


def main(argv: list[str] | None = None, *, dispatch: Mapping[JobKind, str] = DISPATCH,
         name: str = "quantize.worker") -> int:  # fmt: skip
    """Run the job of the spec file ``argv[0]`` with the module ``dispatch`` names for its kind (``name``: this worker's
    module, for the usage line)."""
    args = sys.argv[1:] if argv is None else argv
    reporter = _TrackingReporter()
    if len(args) != 1:
        reporter.failed(f"usage: python -m {name} SPEC.json")
        return EXIT_BAD_SPEC
    try:
        spec = loads(Path(args[0]).read_text(encoding="utf-8"))
    except (OSError, SpecError) as e:
        reporter.failed(f"cannot read the job spec {args[0]}: {one_line(e)}")
        return EXIT_BAD_SPEC
    spec = absolute_spec(spec)
    if watchdog.requested():
        watchdog.watch_stdin(lambda: _orphaned(spec), exit_code=EXIT_ORPHANED)
    logging.basicConfig(level=logging.INFO, stream=sys.stderr, format="%(asctime)s %(name)s: %(message)s")
    # A scratch folder of its own: libraries that write next to themselves (gptqmodel's ./logs) stay contained.
    scratch = Path(tempfile.mkdtemp(prefix="mw-worker-"))
    old_cwd = os.getcwd()
    try:
        os.chdir(scratch)
        return run_spec(spec, reporter, dispatch=dispatch)
    finally:
        with contextlib.suppress(OSError):
            os.chdir(old_cwd)
        shutil.rmtree(scratch, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())
