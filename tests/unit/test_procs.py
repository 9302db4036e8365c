"""procs/: the one child-process supervisor (no Qt, no model): group stop, watchdog, Outcome, the JSON-lines protocol."""

from __future__ import annotations

import io
import os
import signal
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import psutil
import pytest

from procs import jsonlines, launch, watchdog
from procs.supervisor import Child, Outcome, Supervisor, stop_all

posix = pytest.mark.skipif(os.name != "posix", reason="process groups and signals are POSIX here")


def _python(code: str, label: str = "the child") -> launch.Command:
    return launch.Command(argv=(sys.executable, "-c", code), env=launch.child_env(), label=label)


def _wait_gone(pid: int, timeout_s: float = 10) -> bool:
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        try:
            if psutil.Process(pid).status() == psutil.STATUS_ZOMBIE:
                return True
        except psutil.NoSuchProcess:
            return True
        time.sleep(0.05)
    return False


STUBBORN = """
import signal, sys, time
signal.signal(signal.SIGTERM, signal.SIG_IGN)
print("up", flush=True)
time.sleep(60)
"""


@posix
def test_a_child_that_ignores_sigterm_is_killed_after_the_grace_period() -> None:
    child = Child.start(_python(STUBBORN))
    assert next(child.stdout_lines()) == b"up\n"  # the handler is installed
    t = time.monotonic()
    outcome = child.stop(grace_s=0.5)
    assert 0.4 <= time.monotonic() - t < 5
    assert outcome.returncode == -signal.SIGKILL and outcome.cancelled and not outcome.crashed


@posix
def test_cancel_returns_at_once_and_kills_after_the_grace_period() -> None:
    child = Child.start(_python(STUBBORN))
    next(child.stdout_lines())
    t = time.monotonic()
    child.cancel(3.0)
    assert time.monotonic() - t < 2.0  # it does not wait out the grace period (a margin for a loaded machine)
    outcome = child.wait(10)
    assert outcome.signal_name == "SIGKILL" and outcome.cancelled and not outcome.ok


GRANDPARENT = """
import subprocess, sys, time
p = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(60)"])
print(p.pid, flush=True)
time.sleep(60)
"""


@posix
def test_a_grandchild_in_the_process_group_dies_too() -> None:
    child = Child.start(_python(GRANDPARENT))
    grandchild = int(next(child.stdout_lines()))
    assert psutil.pid_exists(grandchild)
    child.stop(grace_s=2)
    assert _wait_gone(grandchild)


@posix
def test_what_a_child_leaves_in_its_group_is_killed_when_it_exits() -> None:
    code = """
import subprocess, sys
p = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(60)"], stdout=subprocess.DEVNULL)
print(p.pid, flush=True)
"""
    child = Child.start(_python(code))
    grandchild = int(next(child.stdout_lines()))
    assert child.wait(10).ok
    assert _wait_gone(grandchild)


def test_the_watchdog_ends_the_child_when_the_parents_stdin_closes() -> None:
    code = """
import time
from procs import watchdog
assert watchdog.requested()
watchdog.watch_stdin(lambda: print("cleaned up", flush=True), exit_code=3)
print("watching", flush=True)
time.sleep(60)
"""
    child = Child.start(_python(code))
    lines = child.stdout_lines()
    assert next(lines) == b"watching\n"
    child.close_stdin()  # what the OS does when the parent dies
    assert next(lines) == b"cleaned up\n"
    outcome = child.wait(10)
    assert outcome.returncode == 3 and not outcome.cancelled


def test_the_watchdog_is_asked_for_only_when_the_parent_holds_stdin() -> None:
    code = f"import os; print(os.environ.get({watchdog.ENV!r}, '-'))"
    child = Child.start(_python(code))
    assert next(child.stdout_lines()) == b"1\n"
    child.wait(10)
    child = Child.start(_python(code), watch_stdin=False)
    assert next(child.stdout_lines()) == b"-\n"
    child.wait(10)


@posix
def test_outcome_of_a_crash_by_signal() -> None:
    child = Child.start(_python("import os, signal, sys; print('dying', file=sys.stderr, flush=True); "
                                "os.kill(os.getpid(), signal.SIGSEGV)", label="the runtime"))  # fmt: skip
    outcome = child.wait(10)
    assert outcome.crashed and not outcome.ok and not outcome.cancelled
    assert outcome.signal == signal.SIGSEGV and outcome.signal_name == "SIGSEGV"
    assert outcome.describe() == f"the runtime exited with code -{int(signal.SIGSEGV)} (crashed)"
    assert outcome.last_stderr == "dying"


def test_outcome_of_a_nonzero_exit_keeps_the_last_stderr_lines() -> None:
    code = "import sys\nfor i in range(80): print(f'line {i}', file=sys.stderr)\nsys.exit(2)"
    outcome = Child.start(_python(code, label="the worker")).wait(10)
    assert outcome.returncode == 2 and outcome.signal is None and not outcome.crashed and not outcome.ok
    assert str(outcome) == "the worker exited with code 2"
    assert outcome.last_stderr == "line 79" and len(outcome.stderr_tail) == 50


@posix
def test_outcome_of_a_cancel() -> None:
    child = Child.start(_python("import time; print('up', flush=True); time.sleep(60)"))
    next(child.stdout_lines())
    outcome = child.stop(5)
    assert outcome.cancelled and outcome.signal_name == "SIGTERM" and not outcome.crashed and not outcome.ok


def test_outcome_descriptions() -> None:
    assert Outcome(-9, label="the runtime").describe() == "the runtime exited with code -9 (killed)"
    assert Outcome(1, label="the runtime").describe() == "the runtime exited with code 1"
    assert Outcome(-200).signal_name == "signal 200"
    assert Outcome(0).ok and not Outcome(0, cancelled=True).ok


def test_stderr_to_a_log_file(tmp_path: Path) -> None:
    log_file = tmp_path / "job.log"
    log_file.write_text("before\n")
    outcome = Child.start(_python("import sys; print('oops', file=sys.stderr)"), stderr=log_file).wait(10)
    assert outcome.ok and outcome.stderr_tail == ()
    assert log_file.read_text() == "before\noops\n"


@posix
def test_the_supervisor_stops_all_its_children_in_one_grace_period() -> None:
    supervisor = Supervisor()
    children = [supervisor.start(_python(STUBBORN)) for _ in range(3)]
    for child in children:
        next(child.stdout_lines())
    t = time.monotonic()
    outcomes = supervisor.stop_all(grace_s=2.0)
    assert time.monotonic() - t < 5.0  # one grace period for all three (one each would take 6 s)
    assert [o.signal_name for o in outcomes] == ["SIGKILL"] * 3 and supervisor.children() == []
    assert stop_all([]) == []


def test_a_program_that_cannot_start_raises_oserror(tmp_path: Path) -> None:
    with pytest.raises(OSError):
        Child.start(launch.program(tmp_path / "no-such-server", ["--port", "0"]))


def test_wait_until_polls_a_readiness_check_while_the_child_lives(tmp_path: Path) -> None:
    flag = tmp_path / "ready"
    child = Child.start(_python(f"import pathlib, time; time.sleep(0.3); pathlib.Path({str(flag)!r}).touch(); "
                                "time.sleep(60)"))  # fmt: skip
    try:
        assert child.wait_until(flag.exists, timeout_s=10, interval_s=0.05)
    finally:
        child.stop(2)
    dead = Child.start(_python("pass"))
    assert not dead.wait_until(lambda: False, timeout_s=10, interval_s=0.05)
    dead.wait(10)


def test_module_commands_from_a_checkout_and_a_bundle(monkeypatch: pytest.MonkeyPatch) -> None:
    assert launch.module_command("quantize.worker") == [sys.executable, "-m", "quantize.worker"]
    assert launch.module_command("m", ["/tc/bin/python"]) == ["/tc/bin/python", "-m", "m"]
    command = launch.python_module("quantize.worker", ["spec.json"], env={"X": "1"}, label="the worker")
    assert command.argv[-1] == "spec.json" and command.env is not None and command.env["X"] == "1"
    assert command.env["PYTHONPATH"].split(os.pathsep)[0] == str(launch.source_root())
    assert (launch.source_root() / "procs" / "launch.py").is_file()
    monkeypatch.setattr(sys, "frozen", True, raising=False)
    monkeypatch.setattr(sys, "_MEIPASS", "/bundle", raising=False)
    assert launch.module_command("quantize.worker") == [sys.executable, launch.RUN_MODULE_FLAG, "quantize.worker"]
    assert launch.source_root() == Path("/bundle/src")
    assert launch.program("/bundle/llama-server", ["--port", "0"]).argv == ("/bundle/llama-server", "--port", "0")


def test_jsonlines_round_trip_and_junk() -> None:
    stream = io.StringIO()
    writer = jsonlines.Writer(stream)
    writer.progress("quantize", 0.5, "[1/2] blk.0")
    writer.emit("ready", port=4321)
    writer.failed("no space left")
    lines = stream.getvalue().splitlines()
    junk: list[str | bytes] = ["", "hello", "{", "[1, 2]", "42", '{"no": "event"}', '{"event": 3}', "\xff", b"\xff\xfe{",
            '{"event": "progress", "fraction": "lots"}', '{"event": "progress", "fraction": NaN}']  # fmt: skip
    events = [jsonlines.parse(line) for line in [*lines, *junk]]
    progress, ready, failed = events[:3]
    assert progress == jsonlines.Event("progress", stage="quantize", fraction=0.5, message="[1/2] blk.0",
                                       fields=progress.fields if progress else {})  # fmt: skip
    assert ready is not None and ready.kind == "ready" and ready.fields["port"] == 4321
    assert failed is not None and failed.error == "no space left"
    assert events[3:12] == [None] * 9
    assert [e.fraction for e in events[12:] if e is not None] == [None, None]
    assert jsonlines.parse(lines[0], kinds={"done"}) is None
    assert jsonlines.parse('{"event": "progress", "fraction": 7}') == jsonlines.Event(
        "progress", fraction=1.0, fields={"event": "progress", "fraction": 7}
    )


def test_a_killed_child_is_not_cancelled_but_crashed() -> None:
    child = Child.start(_python("import time; print('up', flush=True); time.sleep(60)"))
    next(child.stdout_lines())
    if os.name == "posix":
        os.kill(child.pid, signal.SIGKILL)
    else:
        subprocess.run(["taskkill", "/F", "/PID", str(child.pid)], check=False)
    outcome = child.wait(10)
    assert outcome.crashed and outcome.describe().endswith("(killed)")


def test_a_late_stop_does_not_turn_an_exit_into_a_cancel() -> None:
    child = Child.start(_python("import sys; sys.exit(4)"))
    deadline = time.monotonic() + 10
    while child.running() and time.monotonic() < deadline:
        time.sleep(0.02)
    outcome = child.stop(1)
    assert outcome.returncode == 4 and not outcome.cancelled


@pytest.mark.skipif(sys.platform != "linux", reason="PR_SET_PDEATHSIG is Linux's")
def test_a_native_child_started_to_die_with_its_parent_dies_when_the_parent_is_killed(tmp_path: Path) -> None:
    # The parent starts `sleep` from a short-lived thread (the fork must not be tied to that thread), prints its pid,
    # and waits; we SIGKILL the parent: no handler of its own runs, only the kernel can stop the child.
    script = textwrap.dedent("""
        import threading, time
        from procs.launch import program
        from procs.supervisor import Child
        out = []
        t = threading.Thread(target=lambda: out.append(Child.start(program("sleep", ["60"]), watch_stdin=False,
                                                                   die_with_parent=True)))
        t.start(); t.join()
        print(out[0].pid, flush=True)
        time.sleep(60)
    """)
    parent = subprocess.Popen([sys.executable, "-c", script], stdout=subprocess.PIPE, text=True,
                              env=launch.child_env())  # fmt: skip
    assert parent.stdout is not None
    child_pid = int(parent.stdout.readline())
    time.sleep(0.3)
    assert _alive(child_pid), "the child must outlive the thread that started it"
    parent.kill()
    parent.wait()
    deadline = time.monotonic() + 5
    while _alive(child_pid) and time.monotonic() < deadline:
        time.sleep(0.05)
    assert not _alive(child_pid)


def _alive(pid: int) -> bool:
    try:
        with open(f"/proc/{pid}/stat") as f:
            return f.read().split()[2] != "Z"
    except FileNotFoundError:
        return False


@posix
def test_a_child_kept_in_our_group_is_stopped_alone() -> None:
    """A worker's own child (the converter, pip under the runner) stays in the worker's group, so the runner's group
    signals reach it; stopping it must signal it alone, never the group it shares with us."""
    child = Child.start(_python(STUBBORN), new_group=False, watch_stdin=False)
    assert next(child.stdout_lines()) == b"up\n"
    assert os.getpgid(child.pid) == os.getpgid(0)
    outcome = child.stop(grace_s=0.3)
    assert outcome.returncode == -signal.SIGKILL and outcome.cancelled  # and we are still here to see it


@posix
def test_lines_may_end_at_a_carriage_return_and_come_as_they_end() -> None:
    """tqdm redraws its line with \\r and never ends it: each redraw is a line, read while the child still runs."""
    code = r"""
import sys
sys.stdout.write("10%\r"); sys.stdout.flush()
sys.stdin.read()  # until the parent closes it
sys.stdout.write("50%\r100%\r\ndone")
"""
    child = Child.start(_python(code), watch_stdin=True)
    lines = child.stdout_lines(split_cr=True)
    assert next(lines) == b"10%" and child.running()
    child.close_stdin()
    assert [line for line in lines if line] == [b"50%", b"100%", b"done"]  # the last one unended, at the end
    assert child.wait(10).ok
