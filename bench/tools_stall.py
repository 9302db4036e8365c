"""The Chat page's longest event-loop stall while the model's Python calls run (issue 21: < 16 ms).

A real ChatPage (offscreen) talks to the scripted OpenAI-compatible server (tests/fixtures/scripted_server.py, real
HTTP) as a remote endpoint; its conversation has the Python tool on and "always" approved, and the scripted model calls
Python ``--calls`` times (each a program that computes for a while in the sandbox) before it answers. A 1 ms timer on the
GUI thread records the largest gap between its ticks (bench.stall). Baseline in the same run: the same page, idle, for
as long. The loop, the sandbox's child process and the HTTP all run off the GUI thread; the page only gets the steps.

Measured here (December 2026; 2 cores shared with other sessions, load average 7-8): five calls, 4.8-5.4 s, longest stall
25.1-29.2 ms against an idle baseline of 16.8-24.0 ms in the same runs (ratio 1.04-1.74), so the target (< 16 ms) cannot
be shown on this machine now. The page's own work per event is at most ~4 ms (a step's re-render) and ~10 ms (the
final transcript render); the rest is the loaded machine and the GIL shared with the loop's thread.

Run: QT_QPA_PLATFORM=offscreen .venv/bin/python bench/tools_stall.py [--calls 5]
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path[:0] = [str(ROOT), str(ROOT / "tests")]
os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

from fixtures.scripted_server import Reply, ScriptedServer  # type: ignore[import-not-found]  # noqa: E402
from PySide6.QtCore import QCoreApplication, QEventLoop  # noqa: E402
from PySide6.QtWidgets import QApplication  # noqa: E402

from bench.stall import StallMeter  # noqa: E402

CODE = "s = 0\nfor i in range(3_000_000):\n    s += i * i\nprint(s)"


def spin(until: float, done: object = None) -> None:
    while time.monotonic() < until and not (callable(done) and done()):
        QCoreApplication.processEvents(QEventLoop.ProcessEventsFlag.AllEvents, 5)


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    ap.add_argument("--calls", type=int, default=5)
    args = ap.parse_args()
    app = QApplication.instance() or QApplication([])
    server = ScriptedServer([Reply(calls=[("python", json.dumps({"code": CODE}))])] * args.calls
                            + [Reply(text="Done: " + "the sum is large. " * 40)])  # fmt: skip
    with tempfile.TemporaryDirectory(prefix="mw-bench-tools-") as tmp:
        os.environ["MODELWERK_HOME"] = str(Path(tmp) / "home")
        from app.chat.endpoints import Endpoints
        from app.chat.sessions import Conversations, endpoint_model_key
        from app.library.catalog import Catalog
        from app.store import Store
        from app.ui.chat.backends import ChatBackends
        from app.ui.chat.page import ChatPage

        store = Store.open(Path(tmp) / "modelwerk.db")
        page = ChatPage(ChatBackends(Catalog(store), Endpoints(store)), Conversations(store))
        page.resize(1100, 800)
        page.show()
        endpoint = page.backends.endpoints.add("bench", server.base_url)
        spin(time.monotonic() + 30, lambda: not page.busy())
        page.backends.endpoint_models[endpoint.id] = ["m"]
        page.refresh()
        pane = page.new_chat(endpoint_model_key(endpoint.id, "m"))
        pane.tools_control.python_action.trigger()
        pane.approvals.always.add("python")
        spin(time.monotonic() + 0.5)

        meter = StallMeter()
        meter.start()
        t0 = time.monotonic()
        pane.input.setPlainText("Compute the sum of squares below three million, five times.")
        pane.send()
        spin(t0 + 600, lambda: not pane.busy())
        took = time.monotonic() - t0
        meter.stop()
        busy_ms, ticks = meter.longest_ms, meter.ticks
        steps = pane.messages()[-1].steps

        meter.start()
        spin(time.monotonic() + min(took, 10.0))
        meter.stop()
        idle_ms = meter.longest_ms

        page.shutdown()
        spin(time.monotonic() + 10, lambda: not page.busy())
        page.deleteLater()
        QCoreApplication.sendPostedEvents()
        store.close()
    server.close()
    load = os.getloadavg()
    ok = sum(1 for s in steps if s.get("ok"))
    print(f"{len(steps)} Python calls ({ok} ok) and the answer through the Chat page: {took:.1f} s")
    print(f"  longest event-loop stall {busy_ms:.1f} ms ({ticks} ticks); idle baseline {idle_ms:.1f} ms; ratio "
          f"{busy_ms / idle_ms if idle_ms else float('nan'):.2f}; target < 16 ms")  # fmt: skip
    print(f"  load average {load[0]:.2f} {load[1]:.2f} {load[2]:.2f} on {os.cpu_count()} cores")
    del app
    return 0


if __name__ == "__main__":
    sys.exit(main())
