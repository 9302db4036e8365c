"""The Documents page's longest event-loop stall while it indexes a folder (issue 18: < 16 ms).

A real DocumentsPage (offscreen) indexes ``--files`` Markdown files (copies of the cheat sheet, cut to ``--kib`` KiB each)
while a 1 ms timer on the GUI thread records the largest gap between its ticks (bench.stall). Baseline in the same run:
the same page, shown and idle, for as long. Indexing runs as a job of the app's queue in a worker process; the page only
listens to the job's events and reads the file list in its pool.

Measured here (2 cores shared with other sessions, load average 6-7.6): 300 files of 8 KiB, five alternating runs each,
longest stall as a job 19.2-39.4 ms (median 24.5) against 32.8-58.2 ms (median 42.1) for the page's old indexing thread;
the idle page's own baseline in the same runs was 9-31 ms, so the target (< 16 ms) cannot be shown on this machine now.
The page's own handlers take at most ~5 ms each; the rest is the loaded machine and the GIL shared with its pool.

Run: QT_QPA_PLATFORM=offscreen .venv/bin/python bench/documents_stall.py [--files 300] [--kib 8]
"""

from __future__ import annotations

import argparse
import gc
import os
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path[:0] = [str(ROOT), str(ROOT / "tests")]
os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

from fixtures.seeds import CHEAT_SHEET  # noqa: E402
from PySide6.QtCore import QCoreApplication, QEventLoop  # noqa: E402
from PySide6.QtWidgets import QApplication  # noqa: E402

from bench.stall import StallMeter  # noqa: E402


def spin(until: float, done: object = None) -> None:
    while time.monotonic() < until and not (callable(done) and done()):
        QCoreApplication.processEvents(QEventLoop.ProcessEventsFlag.AllEvents, 5)


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    ap.add_argument("--files", type=int, default=300)
    ap.add_argument("--kib", type=int, default=8)
    args = ap.parse_args()
    app = QApplication.instance() or QApplication([])
    from app.ui.common import garbage

    garbage.install(app)  # as the app does (app.ui.app.create_app): cyclic collections on the GUI thread only
    with tempfile.TemporaryDirectory(prefix="mw-bench-stall-") as tmp:
        work = Path(tmp)
        os.environ["MODELWERK_HOME"] = str(work / "home")
        from app.jobs import JobService
        from app.ui.documents.page import DocumentsPage
        from quantize.queue import JobQueue

        folder = work / "docs"
        folder.mkdir()
        text = CHEAT_SHEET.read_text(encoding="utf-8")[: args.kib * 1024]
        for i in range(args.files):
            (folder / f"note{i:04}.md").write_text(f"# Note {i}\n\n{text}\n", encoding="utf-8")
        queue = JobQueue(work / "jobs.db", log_dir=work / "job-logs")
        jobs = JobService(queue, catalog=None, models_dir=work / "models")
        jobs.start()
        page = DocumentsPage(work / "documents.db", jobs=jobs)
        page.resize(1200, 800)
        page.show()
        page.start()
        spin(time.monotonic() + 30, lambda: not page.busy())
        page.create_collection("Bench")
        spin(time.monotonic() + 30, lambda: page.selected() is not None and not page.busy())
        gc.freeze()  # as the app does once its window is up (app.ui.app): the start-up objects leave the GC's passes

        meter = StallMeter()
        meter.start()
        t0 = time.monotonic()
        page.add_paths([folder])
        spin(t0 + 1.0)  # the job is queued and its worker starts
        spin(t0 + 600, lambda: not page.busy())
        took = time.monotonic() - t0
        meter.stop()
        indexing_ms, ticks = meter.longest_ms, meter.ticks
        info = page.selected()

        meter.start()
        spin(time.monotonic() + min(took, 10.0))
        meter.stop()
        idle_ms = meter.longest_ms

        page.shutdown()
        jobs.stop()
        queue.close()
        page.deleteLater()
        QCoreApplication.sendPostedEvents()
    load = os.getloadavg()
    print(f"Indexing {args.files} files of {args.kib} KiB as a job: {took:.1f} s, {info.passages if info else 0:,} passages")
    print(f"  longest event-loop stall while indexing {indexing_ms:.1f} ms ({ticks} ticks); idle baseline "
          f"{idle_ms:.1f} ms; ratio {indexing_ms / idle_ms if idle_ms else float('nan'):.2f}; target < 16 ms")  # fmt: skip
    print(f"  load average {load[0]:.2f} {load[1]:.2f} {load[2]:.2f} on {os.cpu_count()} cores")
    del app
    return 0


if __name__ == "__main__":
    sys.exit(main())
