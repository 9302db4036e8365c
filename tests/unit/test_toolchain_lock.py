"""One toolchain install at a time per folder, across processes: `modelwerk toolchain install` and a GUI install job
must not run pip into the same environment at once."""

from __future__ import annotations

import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest
from fixtures.fake_toolchain import installed_toolchain

from quantize.toolchain import Toolchain, ToolchainCancelled

HOLD = """
import sys, time
from filelock import FileLock
lock = FileLock(sys.argv[1])
lock.acquire()
print("locked", flush=True)
time.sleep(60)
"""


def _hold_lock(root: Path) -> subprocess.Popen[str]:
    """Another process in the middle of an install of `root`."""
    proc = subprocess.Popen([sys.executable, "-c", HOLD, str(root.parent / f".{root.name}.install.lock")],
                            stdout=subprocess.PIPE, text=True)  # fmt: skip
    assert proc.stdout is not None and proc.stdout.readline().strip() == "locked"
    return proc


def test_an_install_waits_for_another_and_can_be_cancelled_meanwhile(tmp_path: Path) -> None:
    root = tmp_path / "toolchain"
    holder = _hold_lock(root)
    stages: list[str] = []
    cancel = threading.Event()
    threading.Timer(1.0, cancel.set).start()
    try:
        with pytest.raises(ToolchainCancelled, match="waiting for another install"):
            Toolchain(root).install(progress=lambda stage, _f: stages.append(stage), cancel=cancel)
    finally:
        holder.kill()
        holder.wait()
    assert stages and set(stages) == {"waiting for another install of the toolchain to finish"}
    assert not root.exists()  # nothing was started


def test_an_install_that_waited_finds_the_other_ones_result(tmp_path: Path) -> None:
    root = tmp_path / "toolchain"
    holder = _hold_lock(root)
    stages: list[str] = []
    waiter = threading.Thread(target=lambda: Toolchain(root).install(progress=lambda stage, _f: stages.append(stage)))
    waiter.start()
    deadline = time.monotonic() + 10
    while not stages and time.monotonic() < deadline:
        time.sleep(0.05)
    installed_toolchain(root)  # what the other process finished meanwhile
    holder.kill()
    holder.wait()
    waiter.join(10)
    assert not waiter.is_alive()
    assert stages[0].startswith("waiting") and stages[-1] == "ready"
    assert "creating the environment" not in stages  # nothing installed twice
