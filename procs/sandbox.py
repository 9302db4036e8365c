"""Running untrusted Python (a model's solution to a coding problem, the chat's Python tool) in a sandbox.

Each run is a fresh child process in a fresh temporary folder, with a clean environment and limits on CPU time, wall
time, memory, file size, open files, processes and output. On Linux, bubblewrap (``bwrap``, the sandbox Flatpak uses)
adds what limits cannot: no network (a new network namespace has only a downed loopback), no view of the user's files
(only the system folders and Python's own prefix are mounted, read-only; the run's folder is the one writable place;
``/tmp`` is an empty tmpfs) and its own process namespace (when the run ends, everything it started ends with it).
Without bwrap (macOS, Windows, Linux without the package) a run has the limits only: ``Isolation`` says which
protections a run had, and callers show it ("no network isolation: install bubblewrap").

A process limit (RLIMIT_NPROC) does not bind root; run as root, the run's processes are capped by a pids cgroup when
one can be made (``/sys/fs/cgroup/pids`` or a cgroup v2 with the pids controller), else ``Isolation.processes`` is
false.
"""

from __future__ import annotations

import contextlib
import functools
import importlib.util
import json
import os
import shutil
import signal
import stat
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path

BOOTSTRAP = """\
import json, os, runpy, sys
config = json.loads(sys.argv[1])
limits = config["limits"]
try:
    import resource
except ImportError:
    resource = None
if resource is not None:
    for name, value in limits.items():
        if value is not None and hasattr(resource, name):
            try:
                resource.setrlimit(getattr(resource, name), (value, value))
            except (ValueError, OSError):
                pass
sys.argv = ["main.py"]
sys.path.insert(0, os.getcwd())
sys.path += config["paths"]
hooks = {"__name__": "__setup__"}
exec(compile(config["setup"], "<setup>", "exec"), hooks)
try:
    runpy.run_path("main.py", run_name="__main__")
finally:
    exec(compile(config["after"], "<after>", "exec"), hooks)
"""
"""Runs inside the child: the limits are set by the child on itself (a preexec function is unsafe in a threaded
parent), the extra import folders join the path, the caller's setup code runs, then ``main.py`` as ``__main__``, then
the caller's ``after`` code (also when the code raised). The code cannot raise a hard limit again."""

_SYSTEM_DIRS = ("/usr", "/lib", "/lib64", "/lib32", "/bin", "/sbin", "/etc/alternatives", "/etc/ld.so.cache",
                "/etc/localtime", "/etc/fonts")  # fmt: skip
"""Read-only in an isolated run. /etc/fonts: matplotlib asks fontconfig (``fc-list``) for the system's fonts, which
complains on stderr without its configuration."""


@dataclass(frozen=True)
class Limits:
    """What one run may use. ``wall_s`` ends it by the clock; the others are kernel limits on the child."""

    cpu_s: int = 10
    wall_s: float = 20.0
    memory_mb: int = 1024
    processes: int = 16
    output_bytes: int = 1_000_000
    """stdout and stderr together; more ends the run ("output limit")."""
    file_mb: int = 16
    open_files: int = 64


@dataclass(frozen=True)
class Isolation:
    """The protections a run had (each can be missing on some systems; the caller shows which)."""

    network: bool = False
    filesystem: bool = False
    processes: bool = False

    @property
    def missing(self) -> list[str]:
        return [name for name in ("network", "filesystem", "processes") if not getattr(self, name)]

    def describe(self) -> str:
        """One line: "full (network, files, processes)" or what is missing and how to get it."""
        if not self.missing:
            return "isolated: no network, no access to your files, limited processes"
        fix = " (install bubblewrap: apt install bubblewrap)" if sys.platform.startswith("linux") else ""
        return f"limits only, no isolation of {', '.join(self.missing)}{fix}"


@dataclass(frozen=True)
class RunResult:
    """How a run ended. ``outcome``: "ok" (exit 0), "error" (non-zero exit, e.g. a failed assert), "timeout",
    "killed" (a signal: memory or CPU limit), "output limit", "cancelled"."""

    outcome: str
    exit_code: int | None
    stdout: str
    stderr: str
    wall_s: float
    isolation: Isolation
    files: dict[str, int] = field(default_factory=dict)
    """What the run left in its folder: name -> size (the folder itself is deleted)."""

    @property
    def ok(self) -> bool:
        return self.outcome == "ok"

    def last_line(self) -> str:
        """The last line of stderr (the exception), for a one-line verdict."""
        lines = [line for line in self.stderr.splitlines() if line.strip()]
        return lines[-1].strip() if lines else ""


def bwrap() -> str | None:
    """bubblewrap's path when it is installed and works here (a kernel without user namespaces refuses it)."""
    path = shutil.which("bwrap")
    if path is None or not sys.platform.startswith("linux"):
        return None
    return path if _bwrap_works(path) else None


_checked: dict[str, bool] = {}


def _bwrap_works(path: str) -> bool:
    if path not in _checked:
        try:
            done = subprocess.run([path, "--unshare-all", "--ro-bind", "/", "/", "true"], capture_output=True, timeout=10,
                                  check=False)  # fmt: skip
            _checked[path] = done.returncode == 0
        except (OSError, subprocess.SubprocessError):
            _checked[path] = False
    return _checked[path]


def python_prefix() -> tuple[Path, Path]:
    """The real interpreter (not a venv's link to it) and the prefix its standard library lives under.

    A frozen bundle has no interpreter of its own to give untrusted code (it carries only the standard library modules
    the app uses): there, the system's Python 3 on PATH.

    Raises:
        OSError: frozen, and no Python 3 on PATH.
    """
    if getattr(sys, "frozen", False):
        found = shutil.which("python3") or shutil.which("python")
        if found is None:
            raise OSError("running Python code needs a Python 3 on PATH (the installed app carries none for it)")
        done = subprocess.run([found, "-I", "-S", "-c", "import sys; print(sys.base_prefix)"], capture_output=True,
                              text=True, timeout=30, check=True)  # fmt: skip
        return Path(os.path.realpath(found)), Path(done.stdout.strip()).resolve()
    exe = Path(os.path.realpath(getattr(sys, "_base_executable", sys.executable)))
    return exe, Path(sys.base_prefix).resolve()


_FIND = ("import importlib.util, os, sys\nspec = importlib.util.find_spec(sys.argv[1])\n"
         "places = list(spec.submodule_search_locations or []) if spec else []\n"
         "print(os.path.dirname(places[0]) if places else '')")  # fmt: skip


@functools.cache
def package_folder(name: str) -> Path | None:
    """The folder that holds the package ``name`` for the sandbox's Python (its site-packages), or None when that
    Python has no such package: from a checkout, where this interpreter finds it (a venv's packages); frozen, where
    the system's Python 3 does. Only a package's folder is looked up (nothing is imported); the answer is kept."""
    if getattr(sys, "frozen", False):
        try:
            exe, _ = python_prefix()
            done = subprocess.run([str(exe), "-I", "-c", _FIND, name], capture_output=True, text=True, timeout=30,
                                  check=True)  # fmt: skip
        except (OSError, subprocess.SubprocessError):
            return None
        found = done.stdout.strip()
        return Path(found).resolve() if found else None
    spec = importlib.util.find_spec(name)
    places = list(spec.submodule_search_locations or []) if spec is not None else []
    return Path(os.path.realpath(places[0])).parent if places else None


def _bwrap_args(tool: str, folder: Path, exe: Path, prefix: Path, paths: Sequence[Path] = ()) -> list[str]:
    args = [tool, "--unshare-all", "--die-with-parent", "--new-session", "--clearenv", "--proc", "/proc", "--dev", "/dev",
            "--tmpfs", "/tmp", "--bind", str(folder), "/run/sandbox", "--chdir", "/run/sandbox",
            "--setenv", "HOME", "/run/sandbox", "--setenv", "PATH", "/usr/bin:/bin",
            "--setenv", "LANG", "C.UTF-8"]  # fmt: skip
    for d in _SYSTEM_DIRS:
        if os.path.lexists(d):
            args += ["--ro-bind", d, d] if not os.path.islink(d) else ["--symlink", os.readlink(d), d]
    for folder_ in dict.fromkeys([str(prefix), str(exe.parent), *map(str, paths)]):
        if not folder_.startswith(("/usr/", "/lib")):
            args += ["--ro-bind", folder_, folder_]
    return args


class _PidsCgroup:
    """A pids cgroup capping one run's processes, for root (whom RLIMIT_NPROC does not bind); None when none can be
    made here."""

    ROOTS = (Path("/sys/fs/cgroup/pids"), Path("/sys/fs/cgroup"))

    def __init__(self, path: Path) -> None:
        self.path = path

    @classmethod
    def make(cls, processes: int) -> _PidsCgroup | None:
        if not hasattr(os, "geteuid") or os.geteuid() != 0:
            return None
        for root in cls.ROOTS:
            if not (root / "cgroup.procs").is_file():
                continue
            if root.name == "cgroup" and "pids" not in _read(root / "cgroup.subtree_control"):
                continue
            path = root / f"modelwerk-sandbox-{os.getpid()}-{threading.get_ident()}-{time.monotonic_ns()}"
            try:
                path.mkdir()
                (path / "pids.max").write_text(str(processes))
            except OSError:
                with contextlib.suppress(OSError):
                    path.rmdir()
                continue
            return cls(path)
        return None

    def remove(self) -> None:
        for _ in range(50):  # the last processes of a killed run take a moment to be reaped
            try:
                self.path.rmdir()
                return
            except OSError:
                time.sleep(0.02)


def _read(path: Path) -> str:
    try:
        return path.read_text()
    except OSError:
        return ""


def run_python(code: str, *, limits: Limits | None = None, stdin: str = "", files: Mapping[str, str] | None = None,
               env: Mapping[str, str] | None = None, isolate: bool = True, cancel: threading.Event | None = None,
               paths: Sequence[Path] = (), setup: str = "", after: str = "",
               collect: Callable[[Path], None] | None = None) -> RunResult:  # fmt: skip
    """Run ``code`` as ``main.py`` in a fresh folder under ``limits``; ``files`` are written beside it first.

    Never raises for what the code does: a crash, a hang or a flood of output is an outcome. ``isolate=False`` runs
    without bwrap even where it exists (tests compare the two). ``cancel`` (set from any thread) kills the run within
    a few milliseconds: outcome "cancelled". ``paths``: folders of packages the code may import (mounted read-only,
    appended to ``sys.path``; see ``package_folder``). ``setup``: Python run in the child before the code, under the
    same limits (e.g. the environment: bwrap clears it, so ``env`` does not reach an isolated run); ``after``: Python
    run when the code ends, in the same namespace as ``setup`` (also after an exception; not after ``os._exit`` or a
    kill). ``collect(folder)`` is called after the run ends, before its folder is deleted: what the code left there
    is hostile (links, pipes, any size), and the caller reads it with that in mind.

    Raises:
        OSError: the sandbox itself could not start (no interpreter, no temporary folder).
    """
    limits = limits or Limits()
    exe, prefix = python_prefix()
    tool = bwrap() if isolate else None
    with tempfile.TemporaryDirectory(prefix="modelwerk-sandbox-") as tmp:
        folder = Path(tmp)
        folder.chmod(0o700)
        (folder / "main.py").write_text(code, encoding="utf-8")
        for name, text in (files or {}).items():
            if Path(name).name != name or name in ("main.py", "", ".", ".."):
                raise ValueError(f"not a plain file name: {name!r}")
            (folder / name).write_text(text, encoding="utf-8")
        rlimits = {"RLIMIT_CPU": limits.cpu_s, "RLIMIT_AS": limits.memory_mb * 2**20, "RLIMIT_FSIZE": limits.file_mb * 2**20,
                   "RLIMIT_NOFILE": limits.open_files, "RLIMIT_NPROC": _nproc(limits.processes, isolated=tool is not None),
                   "RLIMIT_CORE": 0}  # fmt: skip
        config = {"limits": rlimits, "paths": [str(p) for p in paths], "setup": setup, "after": after}
        python = [str(exe), "-I", "-S", "-B", "-c", BOOTSTRAP, json.dumps(config)]
        cgroup = _PidsCgroup.make(limits.processes)
        command = (_bwrap_args(tool, folder, exe, prefix, paths) if tool else []) + python
        if cgroup is not None:  # the shell joins the cgroup, then becomes the run: everything it starts is counted
            command = ["/bin/sh", "-c", 'echo $$ > "$0/cgroup.procs" && exec "$@"', str(cgroup.path), *command]
        child_env = {"PATH": "/usr/bin:/bin", "LANG": "C.UTF-8", "HOME": str(folder), "TMPDIR": str(folder),
                     **(env or {})}  # fmt: skip
        if sys.platform == "win32":
            child_env["SYSTEMROOT"] = os.environ.get("SYSTEMROOT", "")
        isolation = Isolation(network=tool is not None, filesystem=tool is not None,
                              processes=cgroup is not None or (os.name == "posix" and os.geteuid() != 0))  # fmt: skip
        try:
            result = _run(command, folder, child_env, stdin, limits, isolation, cancel)
        finally:
            if cgroup is not None:
                cgroup.remove()
        files_left = {p.name: p.lstat().st_size for p in folder.iterdir()
                      if stat.S_ISREG(p.lstat().st_mode) and p.name != "main.py"}  # fmt: skip
        if collect is not None:
            collect(folder)
        return RunResult(result.outcome, result.exit_code, result.stdout, result.stderr, result.wall_s, isolation,
                         files_left)  # fmt: skip


def _nproc(processes: int, *, isolated: bool) -> int:
    """RLIMIT_NPROC counts all of the user's processes, except in bwrap's new user namespace where the count starts
    afresh: outside one, the limit is what the user already runs plus ``processes``."""
    if isolated or not sys.platform.startswith("linux"):
        return processes
    uid = os.getuid()
    mine = 0
    for entry in os.scandir("/proc"):
        if entry.name.isdigit():
            with contextlib.suppress(OSError):
                mine += entry.stat().st_uid == uid
    return mine + processes


def _run(command: list[str], folder: Path, env: dict[str, str], stdin: str, limits: Limits,
         isolation: Isolation, cancel: threading.Event | None) -> RunResult:  # fmt: skip
    t0 = time.monotonic()
    proc = subprocess.Popen(command, cwd=folder, env=env, stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, start_new_session=os.name == "posix")  # fmt: skip
    chunks: dict[str, list[bytes]] = {"out": [], "err": []}
    total = [0]
    over = threading.Event()
    lock = threading.Lock()

    def read(name: str, stream: object) -> None:
        for block in iter(lambda: stream.read1(65536), b""):  # type: ignore[attr-defined]
            with lock:
                room = limits.output_bytes - total[0]
                chunks[name].append(block[: max(room, 0)])
                total[0] += len(block)
                if total[0] > limits.output_bytes:
                    over.set()
                    return

    streams = (("out", proc.stdout), ("err", proc.stderr))
    readers = [threading.Thread(target=read, args=(n, s), daemon=True) for n, s in streams]
    for r in readers:
        r.start()
    with contextlib.suppress(OSError):
        assert proc.stdin is not None
        proc.stdin.write(stdin.encode())
        proc.stdin.close()
    outcome = ""
    deadline = t0 + limits.wall_s
    while proc.poll() is None:
        if over.is_set():
            outcome = "output limit"
            break
        if time.monotonic() > deadline:
            outcome = "timeout"
            break
        if cancel is not None and cancel.is_set():
            outcome = "cancelled"
            break
        time.sleep(0.005)
    if proc.poll() is None:
        _kill(proc)
    code = proc.wait()
    for r in readers:
        r.join(timeout=2)
    for stream in (proc.stdout, proc.stderr):
        with contextlib.suppress(OSError):
            stream.close()  # type: ignore[union-attr]
    if not outcome:  # bwrap reports a run killed by a signal (the CPU or memory limit) as 128 + the signal
        killed = code < 0 or (isolation.filesystem and code > 128)
        outcome = "output limit" if over.is_set() else "ok" if code == 0 else "killed" if killed else "error"
    text = {n: b"".join(c).decode("utf-8", "replace") for n, c in chunks.items()}
    return RunResult(outcome, None if outcome in ("timeout", "output limit", "cancelled") else code, text["out"], text["err"],
                     time.monotonic() - t0, isolation)  # fmt: skip


def _kill(proc: subprocess.Popen[bytes]) -> None:
    """The run and everything in its session (bwrap's namespace ends with it)."""
    if os.name == "posix":
        with contextlib.suppress(OSError):
            os.killpg(proc.pid, signal.SIGKILL)
    with contextlib.suppress(OSError):
        proc.kill()
