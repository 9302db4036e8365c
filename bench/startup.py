"""Time from launching Modelwerk to its main window on screen, against a bare Qt window measured in the same run.

Each run is a fresh child process (offscreen platform): the clock starts before the interpreter starts and stops when the
window has been shown and the event loop has painted it. Target: Modelwerk's main window within 1.5 s on a 2-core machine.
Also checks that heavy modules (llama_cpp, torch, huggingface_hub) are not imported at startup.

Run: .venv/bin/python bench/startup.py
"""

from __future__ import annotations

import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
RUNS = 5
HEAVY = ("llama_cpp", "torch", "huggingface_hub", "gguf", "numpy")

BARE = """
import sys
from PySide6.QtCore import QTimer
from PySide6.QtWidgets import QApplication, QMainWindow
app = QApplication(sys.argv)
w = QMainWindow(); w.resize(1280, 860); w.show()
QTimer.singleShot(0, lambda: (print("shown", flush=True), app.quit()))
app.exec()
"""

MODELWERK = """
import sys
from PySide6.QtCore import QTimer
from PySide6.QtWidgets import QApplication
import app.ui.app as ui

def shown():
    heavy = [m for m in HEAVY if m in sys.modules]
    print("shown", ",".join(heavy), flush=True)
    QApplication.instance().quit()

ui.on_shown(shown)
sys.exit(ui.run_gui([]))
""".replace("HEAVY", repr(HEAVY))


def _time(code: str, env: dict[str, str]) -> tuple[float, str]:
    start = time.perf_counter()
    proc = subprocess.Popen([sys.executable, "-c", code], cwd=ROOT, env=env, stdout=subprocess.PIPE, text=True)
    assert proc.stdout is not None
    line = proc.stdout.readline()
    elapsed = time.perf_counter() - start
    proc.wait(timeout=30)
    if not line.startswith("shown"):
        raise SystemExit(f"the child did not report a shown window (exit {proc.returncode})")
    return elapsed, line.strip()


def main() -> int:
    with tempfile.TemporaryDirectory() as home:
        env = dict(os.environ, QT_QPA_PLATFORM="offscreen", MODELWERK_HOME=home)
        _time(MODELWERK, env)  # first run: bytecode compilation and the bandwidth cache, as after an install
        bare = [_time(BARE, env)[0] for _ in range(RUNS)]
        runs = [_time(MODELWERK, env) for _ in range(RUNS)]
    ours = [t for t, _ in runs]
    heavy = {h for _, line in runs for h in line.split(" ", 1)[1:] for h in h.split(",") if h}
    b, m = statistics.median(bare), statistics.median(ours)
    print(f"bare Qt main window:   median {b * 1000:6.0f} ms  (min {min(bare) * 1000:.0f}, max {max(bare) * 1000:.0f})")
    print(f"Modelwerk main window: median {m * 1000:6.0f} ms  (min {min(ours) * 1000:.0f}, max {max(ours) * 1000:.0f})")
    print(f"ratio Modelwerk / bare Qt: {m / b:.2f}; target 1500 ms: {'met' if m <= 1.5 else 'MISSED'}")
    print(f"heavy modules imported at startup: {', '.join(sorted(heavy)) or 'none'}")
    _hardware_polls()
    return 0


def _hardware_polls() -> None:
    """What the Hardware page and the status bar pay on the GUI side: a warm probe and one usage sample (targets 500 ms
    and 5 ms), against reading /proc/meminfo once, measured in the same run."""
    sys.path.insert(0, str(ROOT))
    from hardware.probe import probe
    from hardware.usage import UsageSampler

    def best(f: object, n: int) -> float:
        times = []
        for _ in range(n):
            t = time.perf_counter()
            f()  # type: ignore[operator]
            times.append(time.perf_counter() - t)
        return min(times)

    def meminfo() -> None:
        Path("/proc/meminfo").read_bytes() if Path("/proc/meminfo").exists() else None

    probe()  # imports and NVML's library search
    sampler = UsageSampler()
    sampler.sample()
    base, p, u = best(meminfo, 20), best(probe, 3), best(sampler.sample, 20)
    print(f"hardware probe (warm): {p * 1000:.1f} ms (target 500 ms: {'met' if p <= 0.5 else 'MISSED'}); "
          f"usage sample: {u * 1000:.2f} ms (target 5 ms: {'met' if u <= 0.005 else 'MISSED'}); "
          f"one /proc/meminfo read: {base * 1000:.3f} ms")  # fmt: skip


if __name__ == "__main__":
    sys.exit(main())
