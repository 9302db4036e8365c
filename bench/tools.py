"""The Python tool: time from the model's call to its result going back to the model, sandbox start included, for
``print(1)`` and for a matplotlib plot (a log-scale line plot with a grid, saved as a PNG and shown to the user).

A scripted OpenAI-compatible server (tests/fixtures/scripted_server.py, real HTTP) plays the model: its first answer
calls ``python`` with the code, its second answers. Measured in the server: from the end of the first answer to the
arrival of the second request, which is everything the app does for one call (read the call, check its arguments,
approve it, run it in the sandbox, take and store the figure, render the result into the next request). For scale, in
the same run: the sandbox run alone (``app.tools.python.run_code``) and the same code run by a bare ``python -c``
(no sandbox; the plot with matplotlib's Agg backend and ``savefig``), the baseline of the ratios.

MCP: a conversation's second answer calls a tool of the real stdio test server (tests/fixtures/mcp_server.py, the
official SDK): the time from the answer's start to the tool's result arriving at the model, with the conversation's
servers kept running since its first answer (``app.tools.mcp_pool``) against started for each answer (the baseline).

Run: .venv/bin/python bench/tools.py [--runs 10] [--mcp-runs 5]
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path[:0] = [str(ROOT), str(ROOT / "tests")]

from fixtures.scripted_server import Reply, ScriptedServer  # type: ignore[import-not-found]  # noqa: E402

from app.chat.client import ChatClient  # noqa: E402
from app.chat.engine import ChatEngine  # noqa: E402
from app.chat.reasoning import detect  # noqa: E402
from app.chat.sessions import Conversations  # noqa: E402
from app.chat.toolset import ToolSet  # noqa: E402
from app.store import Store  # noqa: E402
from app.tools.loop import AgentLoop, Approval  # noqa: E402
from app.tools.mcp_pool import McpPool  # noqa: E402
from app.tools.python import python_tool, run_code  # noqa: E402
from app.tools.turn import ToolTurn  # noqa: E402
from procs.sandbox import bwrap, package_folder  # noqa: E402

PLOT = "import matplotlib.pyplot as plt\nplt.plot([1, 10, 100, 1000])\nplt.yscale('log')\nplt.grid(True)\nprint(1)"
CODES = {"print(1)": "print(1)", "matplotlib plot": PLOT}


def through_the_loop(code: str) -> float:
    server = ScriptedServer([Reply(calls=[("python", json.dumps({"code": code}))]), Reply(text="1")])
    try:
        engine = ChatEngine(ChatClient(server.base_url), template=None, support=detect(None))
        loop = AgentLoop(engine, [python_tool()], approve=lambda c, t: Approval.ONCE)
        result = loop.run([{"role": "user", "content": "1?"}])
        assert result.steps[0].ok, result.steps
        assert len(result.steps[0].data["figures"]) == (code == PLOT), result.steps[0].data
        return float(server.times[1][0] - server.times[0][1])
    finally:
        server.close()


def sandbox_alone(code: str) -> float:
    t0 = time.monotonic()
    result = run_code(code)
    assert result.ok and len(result.data["figures"]) == (code == PLOT), result.content
    return time.monotonic() - t0


def bare_python(code: str) -> float:
    """The same code without the sandbox: this venv's Python (it has matplotlib), Agg, the figure saved in a temporary
    folder."""
    with tempfile.TemporaryDirectory(prefix="mw-bench-bare-") as tmp:
        program = code + ("\nplt.savefig('figure.png')" if code == PLOT else "")
        env = {**os.environ, "MPLBACKEND": "Agg", "MPLCONFIGDIR": str(Path(tmp) / ".matplotlib")}
        t0 = time.monotonic()
        subprocess.run([sys.executable, "-c", program], check=True, capture_output=True, cwd=tmp, env=env)
        took = time.monotonic() - t0
        assert (Path(tmp) / "figure.png").is_file() == (code == PLOT)
        return took


MCP_SERVER = ROOT / "tests" / "fixtures" / "mcp_server.py"


def mcp_second_answer(folder: Path, *, pooled: bool) -> float:
    """A new conversation answers twice, each answer calling ``test__add``; the seconds from the second answer's start
    to its tool result reaching the model (measured in the model's server)."""
    config = folder / "mcp.json"
    config.write_text(json.dumps({"mcpServers": {"test": {"command": sys.executable, "args": [str(MCP_SERVER)],
                                                          "allowedTools": ["add"]}}}))  # fmt: skip
    answer = [Reply(calls=[("test__add", '{"a": 40, "b": 2}')]), Reply(text="42")]
    server = ScriptedServer(answer * 2)
    pool = McpPool() if pooled else None
    store = Store.open(folder / "modelwerk.db")
    try:
        sessions = Conversations(store)
        conversation = sessions.create("endpoint:1:m").id
        engine = ChatEngine(ChatClient(server.base_url), template=None, support=detect(None), model="m")
        started = 0.0
        for _ in range(2):
            turn = ToolTurn.ask(sessions, conversation, "40 + 2?", engine, toolset=ToolSet(mcp=True), mcp_config=config,
                                approve=lambda c, t: Approval.ONCE, mcp_pool=pool)  # fmt: skip
            started = time.monotonic()
            turn.run()
            assert isinstance(turn, ToolTurn) and turn.steps[0].ok, turn.steps
        return float(server.times[3][0] - started)
    finally:
        if pool is not None:
            pool.close()
            pool.join(30)
        store.close()
        server.close()


def bench_mcp(runs: int, home: str) -> None:
    times: dict[bool, list[float]] = {True: [], False: []}
    for n in range(runs + 1):  # the first of each warms imports and the page cache
        for pooled in (True, False):
            folder = Path(home) / f"mcp-{n}-{pooled}"
            folder.mkdir()
            took = mcp_second_answer(folder, pooled=pooled)
            if n:
                times[pooled].append(took)
    print("\nMCP tool call in a conversation's 2nd answer (answer start to result at the model):")
    for pooled, label in ((True, "servers kept (pool)"), (False, "started per answer")):
        t = times[pooled]
        print(f"  {label:24} best {min(t) * 1000:6.0f} ms   median {statistics.median(t) * 1000:6.0f} ms   "
              f"max {max(t) * 1000:6.0f} ms")  # fmt: skip
    kept, each = times[True], times[False]
    print(f"  started per answer / kept: {min(each) / min(kept):.1f}x best, "
          f"{statistics.median(each) / statistics.median(kept):.1f}x median")  # fmt: skip


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--runs", type=int, default=10)
    p.add_argument("--mcp-runs", type=int, default=5)
    args = p.parse_args()
    plots = "yes" if package_folder("matplotlib") else "no"
    print(f"bubblewrap: {'yes' if bwrap() else 'no (limits only)'}; matplotlib in the sandbox: {plots}; "
          f"load average {load()}; {args.runs} runs each, interleaved")  # fmt: skip
    rows = {"call to result (loop)": through_the_loop, "sandbox run alone": sandbox_alone, "bare python -c": bare_python}
    with tempfile.TemporaryDirectory(prefix="mw-bench-tools-") as home:
        os.environ["MODELWERK_HOME"] = home  # the figures are stored here, not in the user's data folder
        for label, code in CODES.items():
            times: dict[str, list[float]] = {name: [] for name in rows}
            for fn in rows.values():
                fn(code)  # warm: first imports, the bwrap check, the page cache
            for _ in range(args.runs):  # interleaved, so a burst of load hits every row alike
                for name, fn in rows.items():
                    times[name].append(fn(code))
            print(f"\n{label}:")
            for name, t in times.items():
                print(f"  {name:24} best {min(t) * 1000:6.0f} ms   median {statistics.median(t) * 1000:6.0f} ms   "
                      f"max {max(t) * 1000:6.0f} ms")  # fmt: skip
            best, median = min(times["bare python -c"]), statistics.median(times["bare python -c"])
            loop = times["call to result (loop)"]
            print(f"  ratio to bare python -c: loop {min(loop) / best:.1f}x best, {statistics.median(loop) / median:.1f}x "
                  f"median; sandbox {min(times['sandbox run alone']) / best:.1f}x best")  # fmt: skip
        bench_mcp(args.mcp_runs, home)
    print(f"\nload average at the end {load()}")


def load() -> str:
    return " ".join(Path("/proc/loadavg").read_text().split()[:3]) if Path("/proc/loadavg").exists() else "?"


if __name__ == "__main__":
    main()
