"""`modelwerk --self-test [MODEL.gguf]`: does this installation work? What an installer's smoke test and a bug report run.

Offscreen and in a throwaway data folder (the user's Library is never touched): open the main window, start a runtime
child process for a tiny model exactly as the Chat page does, generate 8 tokens greedily, stop it; then quantize the
model to Q8_0 through the job queue and a worker process, as the Jobs page does. Prints one line per
step and exits 0, or 1 with the step that failed. The bundle ships its tiny model (resources/selftest/tiny.gguf, written
by `make dist`); from a source checkout pass one.
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
import time
from pathlib import Path
from typing import TYPE_CHECKING

from app.paths import resource_path

if TYPE_CHECKING:
    from PySide6.QtWidgets import QApplication

BUNDLED_MODEL = resource_path("selftest/tiny.gguf")
TOKENS = 8


def self_test(argv: list[str]) -> int:
    p = argparse.ArgumentParser(prog="modelwerk --self-test", description=__doc__.splitlines()[0] if __doc__ else None)
    p.add_argument("model", nargs="?", type=Path, default=BUNDLED_MODEL, help="a GGUF model (default: the bundled one)")
    args = p.parse_args(argv)
    if not args.model.is_file():
        print(f"self-test FAILED: no model at {args.model}; pass one: modelwerk --self-test MODEL.gguf", file=sys.stderr)
        return 1
    os.environ["QT_QPA_PLATFORM"] = "offscreen"
    from PySide6.QtCore import QThreadPool

    from app.ui.app import create_app

    app = create_app([])  # alive until the end: background calls of the window report to it
    with tempfile.TemporaryDirectory(prefix="modelwerk-selftest-") as home:
        os.environ["MODELWERK_HOME"] = home
        try:
            _window(app)
            _generate(args.model)
            _quantize(args.model, Path(home))
        except Exception as e:  # every failure is the one line the user (or CI) needs
            print(f"self-test FAILED: {type(e).__name__}: {e}", file=sys.stderr)
            return 1
        finally:
            QThreadPool.globalInstance().waitForDone(10_000)
    print("self-test OK")
    return 0


def _window(app: QApplication) -> None:
    from PySide6.QtCore import QCoreApplication, QEventLoop

    from app import paths
    from app.settings import load_settings
    from app.store import Store
    from app.ui.main_window import MainWindow  # after QApplication

    t = time.perf_counter()

    with Store.open(paths.database_path()) as store:
        window = MainWindow(load_settings(store), store=store, demo=False)
        window.show()
        QCoreApplication.processEvents(QEventLoop.ProcessEventsFlag.AllEvents, 100)
        pages = window.pages.count()
        window.close()
        window.deleteLater()
        app.processEvents()
    print(f"window: {pages} pages shown in {(time.perf_counter() - t) * 1000:.0f} ms", flush=True)


def _generate(model: Path) -> None:
    from app.chat.messages import Sampling
    from app.chat.runtime import LoadOptions, Runtime

    t = time.perf_counter()
    runtime = Runtime.launch(model, options=LoadOptions(context=256, threads=1, gpu_layers=0))
    try:
        runtime.wait_ready(120)
        print(f"runtime: {model.name} ready in {time.perf_counter() - t:.2f} s (pid {runtime.pid})", flush=True)
        t = time.perf_counter()
        text, tokens = "", 0
        for delta in runtime.client().stream_completion("hello", sampling=Sampling(temperature=0, max_tokens=TOKENS)):
            text += delta.text
            tokens = delta.completion_tokens or tokens
        if tokens < 1:
            raise RuntimeError("the model generated nothing")
        print(f"generate: {tokens} tokens in {time.perf_counter() - t:.2f} s: {text!r}")
    finally:
        runtime.stop()


def _quantize(model: Path, home: Path) -> None:
    from app.jobs import open_queue, python_for
    from quantize.queue import JobState
    from quantize.runner import JobRunner
    from quantize.spec import QuantizeSpec

    t = time.perf_counter()
    queue = open_queue()
    output = home / "selftest.Q8_0.gguf"
    job = queue.add(QuantizeSpec(source=model, output=output, quant_type="Q8_0", threads=1))
    runner = JobRunner(queue, python_for=python_for)
    runner.start()
    try:
        runner.wait_idle(120)
    finally:
        runner.stop()
    done = queue.get(job.id)
    if done.state is not JobState.DONE or not output.is_file():
        raise RuntimeError(f"the quantize job ended {done.state.value}: {done.error or queue.read_log(job.id)[-300:]}")
    print(f"quantize: Q8_0 job done in {time.perf_counter() - t:.2f} s ({output.stat().st_size:,} bytes)", flush=True)
