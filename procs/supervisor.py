"""The parent's side: start a child in its own process group, read it, stop it, and say how it ended.

A `Child` runs in a new session (POSIX) or a new process group (Windows), so stopping it stops whatever it started too
(pip under a worker, a converter under a job). Stop = SIGTERM to the group, SIGKILL after a grace period; once the child
has ended, the rest of its group is killed. Its stdin is a pipe that the parent holds open: a Python child's
`procs.watchdog` exits when it closes, so a crashed app leaves no child behind. stderr goes to a log file or into a tail
of the last lines. How it ended is an `Outcome`. `Supervisor` keeps the live children of one owner (the job runner) and
stops them all in one grace period.

The child's own readiness is the caller's: a Python child announces it on stdout (`procs.jsonlines`), a native server
answers a health URL (`Child.wait_until` polls any check while the child lives).
"""

from __future__ import annotations

import collections
import contextlib
import logging
import os
import re
import signal
import subprocess
import threading
import time
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Any

from procs import watchdog
from procs.launch import Command

log = logging.getLogger(__name__)

__all__ = ["Child", "Outcome", "Supervisor", "stop_all"]

STDERR_LINES = 50
KILL = getattr(signal, "SIGKILL", signal.SIGTERM)  # Windows has no SIGKILL; _signal_group kills there anyway
_MEANINGS = {"SIGKILL": "killed", "SIGTERM": "terminated", "SIGSEGV": "crashed", "SIGABRT": "aborted",
             "SIGILL": "illegal instruction", "SIGBUS": "crashed", "SIGFPE": "crashed"}  # fmt: skip


@dataclass(frozen=True)
class Outcome:
    """How a child ended."""

    returncode: int
    """The exit code; negative: killed by that signal (POSIX)."""
    label: str = "the process"
    cancelled: bool = False
    """We asked it to end (cancel, stop, unload): its exit code is no failure of its own."""
    stderr_tail: tuple[str, ...] = ()
    """Its last lines on stderr (empty when stderr went to a log file)."""

    @property
    def signal(self) -> int | None:
        """The signal that ended it, if one did."""
        return -self.returncode if self.returncode < 0 else None

    @property
    def signal_name(self) -> str:
        """ "SIGKILL"; "" when no signal ended it."""
        sig = self.signal
        if sig is None:
            return ""
        try:
            return signal.Signals(sig).name
        except ValueError:
            return f"signal {sig}"

    @property
    def ok(self) -> bool:
        """It exited with 0 by itself."""
        return self.returncode == 0 and not self.cancelled

    @property
    def crashed(self) -> bool:
        """A signal we did not send ended it (a segfault, an abort, the kernel's OOM killer)."""
        return self.signal is not None and not self.cancelled

    @property
    def last_stderr(self) -> str:
        """Its last line on stderr ("" if none): often the reason."""
        return self.stderr_tail[-1] if self.stderr_tail else ""

    def describe(self) -> str:
        """ "the runtime exited with code -9 (killed)", "the worker exited with code 1"."""
        text = f"{self.label} exited with code {self.returncode}"
        if self.signal is not None:
            name = self.signal_name
            text += f" ({_MEANINGS.get(name, name)})"
        return text

    def __str__(self) -> str:
        return self.describe()


class Child:
    """One child process. Create with `Child.start`; thread-safe."""

    def __init__(self, command: Command, proc: subprocess.Popen[bytes], stderr_file: bool, own_group: bool = True) -> None:
        self.command = command
        self._proc = proc
        self._own_group = own_group and os.name == "posix"
        self._stop_requested = False
        self._stderr: collections.deque[str] = collections.deque(maxlen=STDERR_LINES)
        self._stderr_reader: threading.Thread | None = None
        self._kill_timer: threading.Timer | None = None
        self._lock = threading.Lock()
        if not stderr_file and proc.stderr is not None:
            self._stderr_reader = threading.Thread(target=self._read_stderr, args=(proc.stderr,),
                                                   name=f"stderr-{proc.pid}", daemon=True)  # fmt: skip
            self._stderr_reader.start()

    @classmethod
    def start(cls, command: Command, *, stderr: Path | None = None, merge_stderr: bool = False,
              watch_stdin: bool = True, die_with_parent: bool = False, new_group: bool = True,
              ignore_sigpipe: bool = False) -> Child:  # fmt: skip
        """Start `command` in its own process group, stdout a pipe for the caller to read.

        Args:
            stderr: append the child's stderr to this file; None: keep its last lines (`Outcome.stderr_tail`).
            merge_stderr: stderr goes to stdout (a program whose output nobody parses as events).
            watch_stdin: hold its stdin open and ask it (``procs.watchdog.ENV``) to exit when it closes; else stdin is
                /dev/null.
            die_with_parent: Linux: the kernel kills the child (SIGKILL) when this process dies, however it dies: the
                orphan protection of a native child (llama-server) that has no stdin watchdog. Elsewhere a no-op.
            new_group: False: the child stays in our process group, so whoever stops our group stops it too (a worker's
                own child: the converter, pip under the job runner); stopping the child then signals it alone.
            ignore_sigpipe: POSIX: the child starts with SIGPIPE ignored, as Python runs (subprocess otherwise restores
                the default, death): for a server that writes to sockets its clients may close (llama.cpp's RPC worker
                dies of a write to a client that went away).

        Raises:
            OSError: the program could not be started.
        """
        env = dict(command.env if command.env is not None else os.environ)
        if watch_stdin:
            env[watchdog.ENV] = "1"
        kwargs: dict[str, Any] = {}
        if not new_group:
            pass
        elif os.name == "posix":
            kwargs["start_new_session"] = True
        else:
            kwargs["creationflags"] = getattr(subprocess, "CREATE_NEW_PROCESS_GROUP", 0)
        if ignore_sigpipe and os.name == "posix":
            kwargs["restore_signals"] = False  # Python ignores SIGPIPE; exec keeps an ignored signal ignored
        stdin = subprocess.PIPE if watch_stdin else subprocess.DEVNULL
        log.debug("starting %s: %s", command.label, " ".join(command.argv))
        if die_with_parent and _PDEATHSIG_WORKS:
            kwargs["preexec_fn"] = _die_with_parent(os.getpid())
            # The kernel's "parent" is the thread that forked: fork from one thread that lives as long as the process.
            return _FORKER.submit(cls._popen, command, stdin, stderr, merge_stderr, env, kwargs, new_group).result()
        return cls._popen(command, stdin, stderr, merge_stderr, env, kwargs, new_group)

    @classmethod
    def _popen(cls, command: Command, stdin: int, stderr: Path | None, merge_stderr: bool, env: dict[str, str],
               kwargs: dict[str, Any], new_group: bool) -> Child:  # fmt: skip
        if stderr is not None:
            with open(stderr, "ab") as log_file:
                proc = subprocess.Popen(list(command.argv), stdin=stdin, stdout=subprocess.PIPE, stderr=log_file,
                                        cwd=command.cwd, env=env, **kwargs)  # fmt: skip
        else:
            err = subprocess.STDOUT if merge_stderr else subprocess.PIPE
            proc = subprocess.Popen(list(command.argv), stdin=stdin, stdout=subprocess.PIPE, stderr=err,
                                    cwd=command.cwd, env=env, **kwargs)  # fmt: skip
        return cls(command, proc, stderr_file=stderr is not None or merge_stderr, own_group=new_group)

    # --- what it is -----------------------------------------------------------------------------------------------

    @property
    def pid(self) -> int:
        return self._proc.pid

    @property
    def label(self) -> str:
        return self.command.label

    def running(self) -> bool:
        return self._proc.poll() is None

    @property
    def stop_requested(self) -> bool:
        """True once `terminate`, `cancel` or `stop` was called."""
        return self._stop_requested

    @property
    def stdin(self) -> IO[bytes] | None:
        """Its stdin pipe when started with ``watch_stdin`` (a child that reads requests from it); else None."""
        return self._proc.stdin

    def stdout_lines(self, *, split_cr: bool = False) -> Iterator[bytes]:
        """Its stdout, line by line; ends when it (and anything it started that shares the pipe) is gone.

        ``split_cr``: a carriage return ends a line too, and lines come without their ending, each as soon as it ends
        (a progress bar such as tqdm's redraws its line with ``\r`` and never ends it).
        """
        out = self._proc.stdout
        assert out is not None
        with out:
            if not split_cr:
                yield from out
                return
            buffer = b""
            while chunk := out.read1(65536):  # type: ignore[attr-defined]
                buffer += chunk
                *complete, buffer = _LINE_END.split(buffer)
                yield from complete
            if buffer:
                yield buffer

    def stderr_tail(self) -> tuple[str, ...]:
        return tuple(self._stderr)

    def _read_stderr(self, stream: IO[bytes]) -> None:
        with stream:
            for raw in stream:
                line = raw.decode("utf-8", "replace").rstrip()
                if line:
                    self._stderr.append(line)
                    log.debug("%s (pid %d): %s", self.label, self._proc.pid, line)

    # --- ending it ----------------------------------------------------------------------------------------------------

    def signal_group(self, sig: int) -> None:
        """Send `sig` to its process group, or to it alone when it stays in ours (Windows: SIGTERM terminates, anything
        else kills)."""
        with contextlib.suppress(ProcessLookupError, PermissionError, OSError):
            if self._own_group:
                os.killpg(self._proc.pid, sig)
            elif os.name == "posix":
                if self._proc.poll() is None:  # its pid is not reused while we have not reaped it
                    os.kill(self._proc.pid, sig)
            elif sig == signal.SIGTERM:
                self._proc.terminate()
            else:
                self._proc.kill()

    def close_stdin(self) -> None:
        """Close our end of its stdin: its watchdog ends it."""
        if self._proc.stdin is not None:
            with contextlib.suppress(OSError, ValueError):
                self._proc.stdin.close()

    def terminate(self) -> None:
        """Ask it to end (SIGTERM to the group) without waiting. One that already ended by itself stays not cancelled."""
        if self._proc.poll() is None:
            self._stop_requested = True
            self.signal_group(signal.SIGTERM)

    def kill(self) -> None:
        """Kill its whole group now."""
        if self._proc.poll() is None:
            self._stop_requested = True
        self.signal_group(KILL)

    def cancel(self, grace_s: float) -> None:
        """Terminate it and close its stdin now, and kill the group if it is still there after `grace_s`; returns at
        once. `wait` then reports it as cancelled."""
        self.terminate()
        self.close_stdin()
        with self._lock:
            if self._kill_timer is None:
                self._kill_timer = threading.Timer(grace_s, self._kill_if_running)
                self._kill_timer.daemon = True
                self._kill_timer.start()

    def _kill_if_running(self) -> None:
        if self._proc.poll() is None:
            log.info("%s (pid %d) ignored SIGTERM; killing it", self.label, self._proc.pid)
            self.signal_group(KILL)

    def wait(self, timeout: float | None = None) -> Outcome:
        """Wait until it has ended, kill what it left in its group, and say how it ended.

        Raises:
            subprocess.TimeoutExpired: still running after `timeout` seconds.
        """
        code = self._proc.wait(timeout)
        if self._own_group:
            self.signal_group(KILL)  # anything it started and left behind
        self.close_stdin()
        with self._lock:
            if self._kill_timer is not None:
                self._kill_timer.cancel()
        if self._stderr_reader is not None and self._stderr_reader is not threading.current_thread():
            self._stderr_reader.join(timeout=1)  # its last line may be the reason
        return Outcome(returncode=code, label=self.label, cancelled=self._stop_requested, stderr_tail=self.stderr_tail())

    def stop(self, grace_s: float = 3.0) -> Outcome:
        """Terminate it, kill it after `grace_s`, wait. Safe to call twice or after it ended."""
        self.terminate()
        try:
            return self.wait(grace_s)
        except subprocess.TimeoutExpired:
            log.info("%s (pid %d) ignored SIGTERM for %.1f s; killing it", self.label, self._proc.pid, grace_s)
            self.kill()
            return self.wait()

    def wait_until(self, check: Callable[[], bool], *, timeout_s: float, interval_s: float = 0.1) -> bool:
        """Poll `check` (a health URL, a file) until it passes: True; False when the child ended or time ran out."""
        deadline = time.monotonic() + timeout_s
        while self.running():
            with contextlib.suppress(Exception):
                if check():
                    return True
            if time.monotonic() >= deadline:
                return False
            time.sleep(interval_s)
        return False

    def __repr__(self) -> str:
        return f"Child({self.label!r}, pid={self.pid}, running={self.running()})"


_LINE_END = re.compile(rb"[\r\n]")
_PDEATHSIG_WORKS = os.name == "posix" and os.uname().sysname == "Linux"
_FORKER = ThreadPoolExecutor(max_workers=1, thread_name_prefix="procs-forker")
"""PR_SET_PDEATHSIG fires when the forking *thread* ends, so children that die with us are forked by this one idle
thread, which lives as long as the process."""


def _die_with_parent(parent_pid: int) -> Callable[[], None]:
    import ctypes

    prctl = ctypes.CDLL(None, use_errno=True).prctl  # looked up here: the child may not import or take locks
    deathsig = int(KILL)

    def in_child() -> None:  # runs in the child between fork and exec
        prctl(1, deathsig)  # PR_SET_PDEATHSIG
        if os.getppid() != parent_pid:  # the parent died before the prctl: nobody would ever send the signal
            os._exit(1)

    return in_child


def stop_all(children: Iterable[Child], grace_s: float = 3.0) -> list[Outcome]:
    """Stop several children in one grace period: all are signalled first, then waited for, then the rest killed."""
    children = list(children)
    for child in children:
        child.terminate()
    deadline = time.monotonic() + grace_s
    outcomes = []
    for child in children:
        try:
            outcomes.append(child.wait(max(0.0, deadline - time.monotonic())))
        except subprocess.TimeoutExpired:
            child.kill()
            outcomes.append(child.wait())
    return outcomes


class Supervisor:
    """The live children of one owner; `stop_all` ends them together (the app is closing)."""

    def __init__(self) -> None:
        self._children: set[Child] = set()
        self._lock = threading.Lock()

    def start(self, command: Command, **kwargs: Any) -> Child:
        """`Child.start(command, **kwargs)`, remembered until `forget` or `stop_all`."""
        child = Child.start(command, **kwargs)
        with self._lock:
            self._children.add(child)
        return child

    def forget(self, child: Child) -> None:
        """It has ended and been waited for."""
        with self._lock:
            self._children.discard(child)

    def children(self) -> list[Child]:
        with self._lock:
            return list(self._children)

    def stop_all(self, grace_s: float = 3.0) -> list[Outcome]:
        with self._lock:
            children = list(self._children)
            self._children.clear()
        return stop_all(children, grace_s)
