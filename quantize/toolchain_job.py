"""The toolchain install as a queue job, so a recipe from a Hugging Face folder can install it first without a terminal.

The worker runs it in the app's own Python (the toolchain is what it makes). pip runs in the worker's process group, so
the runner's cancel (SIGTERM to the group, SIGKILL after its grace period) stops pip with the worker; SIGTERM here also
ends the install loop, which raises. The stamp is deleted before anything is installed and written last, so a cancelled or
failed install reads as not installed, and the next install goes on from what pip finished.
"""

from __future__ import annotations

import contextlib
import signal
import threading
from collections.abc import Iterator
from pathlib import Path

from core.messages import Message
from quantize.errors import JobFailed
from quantize.progress import Reporter
from quantize.spec import ToolchainSpec
from quantize.toolchain import Toolchain, ToolchainError


def run(spec: ToolchainSpec, reporter: Reporter) -> list[Path]:
    """Install the toolchain at ``spec.output`` (done at once when it is current); returns no outputs.

    Raises:
        JobFailed: venv or pip failed, the folder cannot be written, or the install was cancelled (one line).
    """
    toolchain = Toolchain(spec.output, own_group=False)
    already = toolchain.status().installed

    def progress(text: str, fraction: float | None) -> None:
        stage, _, detail = text.partition(": ")  # "installing torch: downloading torch" -> stage, message
        reporter.progress(stage, fraction, detail)

    cancel = threading.Event()
    try:
        with _cancel_on_sigterm(cancel):
            toolchain.install(progress=progress, cancel=cancel)
    except ToolchainError as e:  # ToolchainCancelled too: the runner records a cancel as cancelled whatever we say
        raise JobFailed(str(e)) from None
    except OSError as e:  # the folder cannot be written (permissions, a file in the way, a full disk)
        raise JobFailed(Message("cannot install the toolchain in {root}: {reason}", root=str(toolchain.root),
                                reason=str(e.strerror or e))) from None
    where = str(toolchain.root)
    reporter.progress("done", 1.0, Message("already installed in {folder}", folder=where) if already
                      else Message("installed in {folder}", folder=where))  # fmt: skip
    return []


@contextlib.contextmanager
def _cancel_on_sigterm(cancel: threading.Event) -> Iterator[None]:
    """SIGTERM (the runner's cancel, or the worker's own when the runner is gone) sets ``cancel`` instead of ending the
    process at once, so pip is stopped first. Signal handlers belong to the main thread: elsewhere this does nothing."""
    if threading.current_thread() is not threading.main_thread():
        yield
        return
    previous = signal.signal(signal.SIGTERM, lambda _signum, _frame: cancel.set())
    try:
        yield
    finally:
        signal.signal(signal.SIGTERM, previous)
