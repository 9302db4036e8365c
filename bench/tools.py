"""The Python tool: time from the model's call to its result going back to the model, sandbox start included.

A scripted OpenAI-compatible server (tests/fixtures/scripted_server.py, real HTTP) plays the model: its first answer
calls ``python`` with ``print(1)``, its second answers. Measured in the server: from the end of the first answer to the
arrival of the second request, which is everything the app does for one call (read the call, check its arguments,
approve it, run it in the sandbox, render the result into the next request). For scale, in the same run: the sandbox
run alone (``procs.sandbox.run_python``) and a bare ``python -I -S -c 'print(1)'``.

Run: .venv/bin/python bench/tools.py [--runs 20]
"""

from __future__ import annotations

import argparse
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path[:0] = [str(ROOT), str(ROOT / "tests")]

from fixtures.scripted_server import Reply, ScriptedServer  # type: ignore[import-not-found]  # noqa: E402

from app.chat.client import ChatClient  # noqa: E402
from app.chat.engine import ChatEngine  # noqa: E402
from app.chat.reasoning import detect  # noqa: E402
from app.tools.loop import AgentLoop, Approval  # noqa: E402
from app.tools.python import python_tool  # noqa: E402
from procs.sandbox import bwrap, python_prefix, run_python  # noqa: E402


def through_the_loop() -> float:
    server = ScriptedServer([Reply(calls=[("python", '{"code": "print(1)"}')]), Reply(text="1")])
    try:
        engine = ChatEngine(ChatClient(server.base_url), template=None, support=detect(None))
        loop = AgentLoop(engine, [python_tool()], approve=lambda c, t: Approval.ONCE)
        result = loop.run([{"role": "user", "content": "1?"}])
        assert result.steps[0].ok, result.steps
        return server.times[1][0] - server.times[0][1]
    finally:
        server.close()


def sandbox_alone() -> float:
    t0 = time.monotonic()
    assert run_python("print(1)").stdout == "1\n"
    return time.monotonic() - t0


def bare_python() -> float:
    exe, _ = python_prefix()
    t0 = time.monotonic()
    subprocess.run([str(exe), "-I", "-S", "-c", "print(1)"], check=True, capture_output=True)
    return time.monotonic() - t0


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--runs", type=int, default=20)
    args = p.parse_args()
    load = Path("/proc/loadavg").read_text().split()[0] if Path("/proc/loadavg").exists() else "?"
    print(f"bubblewrap: {'yes' if bwrap() else 'no (limits only)'}; load average {load}; {args.runs} runs each")
    rows = {"call to result (loop)": through_the_loop, "sandbox run alone": sandbox_alone, "bare python": bare_python}
    medians = {}
    for name, fn in rows.items():
        fn()  # warm: first imports, the bwrap check
        times = [fn() for _ in range(args.runs)]
        medians[name] = statistics.median(times)
        print(f"{name:24} median {medians[name] * 1000:6.0f} ms   min {min(times) * 1000:6.0f}   max {max(times) * 1000:6.0f}")
    base = medians["bare python"]
    print(f"ratio to a bare python start: loop {medians['call to result (loop)'] / base:.1f}x, "
          f"sandbox {medians['sandbox run alone'] / base:.1f}x")


if __name__ == "__main__":
    main()
