"""The toolchain environment: a separate venv with torch, transformers, gptqmodel and llama.cpp's HF->GGUF converter.

The app stays torch-free; HF->GGUF conversion and GPTQ jobs run as ``ROOT/bin/python -m quantize.worker SPEC.json``.
``Toolchain.install`` creates the venv on first use (``python -m venv`` then pip), reports progress parsed from pip's
output, honours a cancel event (pip is killed), and writes a stamp with the pinned set, so a second install is a no-op.

The converter is ``convert_hf_to_gguf.py`` (+ its ``conversion/`` package and ``gguf-py``) taken from the
llama-cpp-python sdist of the same version as the app's runtime: it converts exactly the architectures the runtime's
llama.cpp can load, and writes the GGUF layout that llama.cpp expects.
"""

from __future__ import annotations

import contextlib
import importlib.metadata
import json
import logging
import os
import re
import shutil
import sys
import tarfile
import threading
import time
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from core.errors import ModelwerkError
from core.messages import N_, Message
from procs.launch import source_root
from quantize.pip_progress import PipProgress, redact_credentials

log = logging.getLogger(__name__)

ROOT_ENV = "MODELWERK_TOOLCHAIN"
TORCH_INDEX_ENV = "MODELWERK_TORCH_INDEX_URL"  # e.g. https://download.pytorch.org/whl/cpu where PyPI's torch is CUDA's
STAMP_NAME = "modelwerk-toolchain.json"
STAMP_VERSION = 1
LLAMA_CPP_VERSION = "0.3.36"  # used when the app's runtime version cannot be read

TORCH = "torch==2.13.0"  # a CPU build; an unpinned torch (or one >= 2.14) pulls a multi-GB CUDA build
PACKAGES: tuple[str, ...] = (
    "transformers==5.24.0",
    "tokenizers==0.23.3",
    "sentencepiece==0.2.3",
    "safetensors==0.8.0",
    "gptqmodel==7.6.0",  # the maintained successor of auto-gptq; resolves with torch 2.13.0
    "optimum==2.3.0",  # transformers loads GPTQ folders through it (AutoModelForCausalLM)
    "numpy==2.2.6",
    "protobuf",  # transformers' SentencePiece conversion
    "pyyaml",  # the converter's gguf-py
    "tqdm",
    "requests",
)
SHOWN = ("torch", "transformers", "tokenizers", "sentencepiece", "safetensors", "gptqmodel", "optimum", "numpy")
"""Packages whose versions `status` reports."""

CONVERTER_DIR = "llama.cpp"
CONVERTER_SCRIPT = "convert_hf_to_gguf.py"
SOURCE_NAME = "SOURCE"
_SDIST_PREFIX = "vendor/llama.cpp/"
_SDIST_KEEP = ("convert_hf_to_gguf.py", "conversion/", "gguf-py/gguf/", "LICENSE")
GRACE_S = 3.0


class ToolchainError(ModelwerkError, RuntimeError):
    """The toolchain could not be installed or used; the message is one line for the user."""

    hint = N_("check your connection and free space, then install the toolchain again")


class ToolchainCancelled(ToolchainError):
    """The install was cancelled; what pip finished stays, the next install continues from there."""

    hint = N_("install the toolchain again: it continues where it stopped")


@dataclass(frozen=True)
class ToolchainStatus:
    installed: bool
    versions: dict[str, str] = field(default_factory=dict)  # package -> version, plus "llama.cpp converter"
    problem: str = ""  # empty when installed and current


ProgressFn = Callable[[str, float | None], None]


def default_root(data_dir: Path | None = None) -> Path:
    """``$MODELWERK_TOOLCHAIN`` if set, else ``DATA_DIR/toolchain`` (the app passes its data dir)."""
    env = os.environ.get(ROOT_ENV, "").strip()
    if env:
        return Path(env).expanduser().absolute()
    if data_dir is None:
        home = os.environ.get("MODELWERK_HOME", "").strip()
        if home:
            data_dir = Path(home).expanduser().absolute()
        else:
            import platformdirs

            data_dir = Path(platformdirs.user_data_dir("Modelwerk", appauthor=False))
    return data_dir / "toolchain"


def runtime_llama_cpp_version() -> str:
    """The llama-cpp-python version of the app's runtime, whose converter the toolchain carries."""
    try:
        return importlib.metadata.version("llama_cpp_python")
    except importlib.metadata.PackageNotFoundError:
        return LLAMA_CPP_VERSION


def base_python() -> str:
    """The interpreter that creates the venv: this one, or in a frozen (PyInstaller) app a Python 3.10+ on PATH.

    Raises:
        ToolchainError: frozen and no Python found.
    """
    if not getattr(sys, "frozen", False):
        return sys.executable
    for name in ("python3.12", "python3.11", "python3.10", "python3", "python"):
        found = shutil.which(name)
        if found:
            return found
    raise ToolchainError(Message("the toolchain needs Python 3.10 or newer on PATH to create its environment"))


def repo_root() -> Path:
    """The folder holding the `quantize` package as source: toolchain processes get it on PYTHONPATH."""
    return source_root()


class Toolchain:
    """The toolchain venv at ``root``.

    ``own_group``: install steps (venv, pip) run in a process group of their own, which a cancel stops (the CLI: Ctrl-C
    reaches only us). False keeps them in ours, so whoever stops our group stops them too (the job worker, whose group the
    runner terminates, then kills).
    """

    def __init__(self, root: Path, *, llama_cpp_version: str | None = None, own_group: bool = True) -> None:
        self.root = Path(root).absolute()
        self.llama_cpp_version = llama_cpp_version or runtime_llama_cpp_version()
        self.own_group = own_group

    @property
    def python(self) -> Path:
        return self.root / ("Scripts/python.exe" if os.name == "nt" else "bin/python")

    @property
    def converter(self) -> Path:
        """llama.cpp's ``convert_hf_to_gguf.py`` inside the toolchain."""
        return self.root / CONVERTER_DIR / CONVERTER_SCRIPT

    @property
    def stamp_path(self) -> Path:
        return self.root / STAMP_NAME

    def converter_source(self) -> str:
        """Which sdist the converter came from ("llama-cpp-python==0.3.36"), or "" when there is none."""
        try:
            return (self.root / CONVERTER_DIR / SOURCE_NAME).read_text(encoding="utf-8").strip()
        except OSError:
            return ""

    def wanted(self) -> dict[str, object]:
        """What the stamp records: a change in any of it means install again."""
        return {"stamp": STAMP_VERSION, "torch": TORCH, "packages": list(PACKAGES),
                "converter": f"llama-cpp-python=={self.llama_cpp_version}"}  # fmt: skip

    def env(self, base: dict[str, str] | None = None) -> dict[str, str]:
        """Environment for a toolchain process: this checkout's `quantize` importable, no network for HF."""
        env = dict(os.environ if base is None else base)
        root = str(repo_root())
        env["PYTHONPATH"] = root + (os.pathsep + env["PYTHONPATH"] if env.get("PYTHONPATH") else "")
        env.setdefault("HF_HUB_OFFLINE", "1")
        env.setdefault("PYTHONUNBUFFERED", "1")
        return env

    def command(self) -> list[str]:
        """The interpreter command for the runner's ``python_for``."""
        return [str(self.python)]

    # --- status ----------------------------------------------------------------------------------------------------

    def _stamp(self) -> dict[str, object] | None:
        try:
            data = json.loads(self.stamp_path.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            return None
        return data if isinstance(data, dict) else None

    def site_packages(self) -> Path | None:
        if os.name == "nt":
            sp = self.root / "Lib" / "site-packages"
            return sp if sp.is_dir() else None
        found = sorted((self.root / "lib").glob("python3*/site-packages"))
        return found[-1] if found else None

    def versions(self) -> dict[str, str]:
        """Installed versions of the shown packages, read from the venv's dist-info folders (no process started)."""
        out: dict[str, str] = {}
        sp = self.site_packages()
        if sp is not None:
            wanted = {_norm(n): n for n in SHOWN}
            for d in sp.glob("*.dist-info"):
                name, _, version = d.name[: -len(".dist-info")].partition("-")
                if _norm(name) in wanted:
                    out[wanted[_norm(name)]] = version
        if self.converter.is_file():
            source = self.converter_source().replace("llama-cpp-python==", "llama-cpp-python ")
            out["llama.cpp converter"] = source or "present"
        return dict(sorted(out.items()))

    def status(self) -> ToolchainStatus:
        """Installed or not, the versions there, and what is wrong if anything (one line)."""
        fix = "run `modelwerk toolchain install`"
        if not self.root.exists():
            return ToolchainStatus(False, {}, f"not installed at {self.root}: {fix}")
        versions = self.versions()
        if not self.python.exists():
            return ToolchainStatus(False, versions, f"{self.root} is not a Python environment: {fix}")
        stamp = self._stamp()
        if stamp is None:
            return ToolchainStatus(False, versions, f"the install did not finish: {fix}")
        if stamp != self.wanted() or (self.converter.is_file() and self.converter_source() != stamp.get("converter")):
            return ToolchainStatus(False, versions, f"outdated (the pinned packages changed): {fix}")
        missing = [n for n in SHOWN if n not in versions] + ([] if self.converter.is_file() else ["llama.cpp converter"])
        if missing:
            return ToolchainStatus(False, versions, f"broken: {', '.join(missing)} missing; {fix}")
        return ToolchainStatus(True, versions, "")

    # --- install ---------------------------------------------------------------------------------------------------

    def install(self, *, progress: ProgressFn | None = None, cancel: threading.Event | None = None) -> None:
        """Create the venv and install the pinned set; returns at once when the stamp says it is there.

        Raises:
            ToolchainCancelled: ``cancel`` was set; pip was stopped.
            ToolchainError: venv or pip failed; the message names the step and pip's error.
        """
        report = progress or (lambda _stage, _fraction: None)
        if self.status().installed:
            report("ready", 1.0)
            return
        with self._install_lock(report, cancel):
            if self.status().installed:  # another process installed it while this one waited
                report("ready", 1.0)
                return
            self._install(report, cancel)

    @contextlib.contextmanager
    def _install_lock(self, report: ProgressFn, cancel: threading.Event | None) -> Iterator[None]:
        """One install at a time per folder, across processes (`modelwerk toolchain install` and a GUI install job)."""
        from filelock import FileLock, Timeout

        self.root.parent.mkdir(parents=True, exist_ok=True)
        lock = FileLock(str(self.root.parent / f".{self.root.name}.install.lock"))
        while True:
            try:
                lock.acquire(timeout=0.5)
                break
            except Timeout:
                report("waiting for another install of the toolchain to finish", 0.0)
                if cancel is not None and cancel.is_set():
                    raise ToolchainCancelled(Message("cancelled while waiting for another install")) from None
        try:
            yield
        finally:
            lock.release()

    def _install(self, report: ProgressFn, cancel: threading.Event | None) -> None:
        started = time.monotonic()
        self.stamp_path.unlink(missing_ok=True)
        if not self.python.exists() or not self._has_pip():  # not there, or its creation was cut short: (re)create it
            report("creating the environment", 0.0)
            self._run([base_python(), "-m", "venv", str(self.root)], "creating the environment", report, cancel, 0.0, 0.03)
        pip = [str(self.python), "-m", "pip", "install", "--progress-bar", "off", "--no-input"]
        index = os.environ.get(TORCH_INDEX_ENV, "").strip()
        self._run(pip + [TORCH] + (["--extra-index-url", index] if index else []), "installing torch", report, cancel,
                  0.03, 0.27)  # fmt: skip
        constraints = self.root / "constraints.txt"
        constraints.write_text(TORCH + "\n", encoding="utf-8")  # nothing may move torch off the CPU build
        self._run([*pip, "-c", str(constraints), *PACKAGES], "installing transformers, gptqmodel", report, cancel, 0.3, 0.55)
        if not self.converter.is_file() or self.converter_source() != self.wanted()["converter"]:
            self._install_converter(report, cancel)
        self.stamp_path.write_text(json.dumps(self.wanted(), indent=1), encoding="utf-8")
        log.info("toolchain installed at %s in %.0f s", self.root, time.monotonic() - started)
        report("ready", 1.0)

    def _has_pip(self) -> bool:
        sp = self.site_packages()
        return sp is not None and (sp / "pip" / "__init__.py").is_file()

    def _install_converter(self, report: ProgressFn, cancel: threading.Event | None) -> None:
        downloads = self.root / "downloads"
        shutil.rmtree(downloads, ignore_errors=True)
        spec = f"llama-cpp-python=={self.llama_cpp_version}"
        self._run([str(self.python), "-m", "pip", "download", "--progress-bar", "off", "--no-input", "--no-deps",
                   "--no-binary", ":all:", "-d", str(downloads), spec],
                  "fetching llama.cpp's converter", report, cancel, 0.85, 0.13)  # fmt: skip
        sdists = sorted(downloads.glob("llama_cpp_python-*.tar.gz"))
        if not sdists:
            raise ToolchainError(Message("pip downloaded no sdist of {spec}", spec=str(spec)))
        report("unpacking llama.cpp's converter", 0.98)
        target = self.root / CONVERTER_DIR
        tmp = target.with_name(target.name + ".part")
        shutil.rmtree(tmp, ignore_errors=True)
        extract_converter(sdists[-1], tmp)
        (tmp / SOURCE_NAME).write_text(spec + "\n", encoding="utf-8")
        shutil.rmtree(target, ignore_errors=True)
        tmp.rename(target)
        shutil.rmtree(downloads, ignore_errors=True)

    def _run(self, cmd: Sequence[str], stage: str, report: ProgressFn, cancel: threading.Event | None,
             base: float, weight: float) -> None:  # fmt: skip
        """Run one step (pip), turning its output into progress within [base, base + weight]."""
        from procs.launch import program
        from procs.supervisor import Child

        env = {"PYTHONUNBUFFERED": "1", "PIP_NO_INPUT": "1", "PIP_DISABLE_PIP_VERSION_CHECK": "1"}
        log.info("toolchain: %s", redact_credentials(" ".join(cmd)))
        # pip has no stdin watchdog: the kernel ends it if we die. In its own group a cancel stops what it started too;
        # in ours (the job worker) the runner's group signals reach it directly.
        child = Child.start(program(cmd[0], cmd[1:], env=env, label=stage), merge_stderr=True, watch_stdin=False,
                            die_with_parent=True, new_group=self.own_group)  # fmt: skip
        tracker = PipProgress(stage)
        lines: list[str] = []
        lock = threading.Lock()

        def pump() -> None:
            for raw in child.stdout_lines():
                text = raw.decode("utf-8", "replace")
                with lock:
                    lines.extend(line.rstrip() for line in text.splitlines() or [""])

        reader = threading.Thread(target=pump, name="pip-output", daemon=True)
        reader.start()
        report(stage, base)
        seen = 0
        while True:
            done = not child.running()
            with lock:
                fresh, seen = lines[seen:], len(lines)
            for line in fresh:
                log.debug("pip: %s", redact_credentials(line))
                if tracker.feed(line):
                    report(tracker.message, base + weight * tracker.fraction)
            if done:
                break
            if cancel is not None and cancel.wait(0.1):
                child.stop(GRACE_S)  # SIGTERM (its group when it leads one), SIGKILL after the grace period
                reader.join(timeout=5)
                raise ToolchainCancelled(Message("toolchain install cancelled while {stage}", stage=str(stage)))
            elif cancel is None:
                time.sleep(0.1)
        reader.join(timeout=5)
        code = child.wait().returncode
        if cancel is not None and cancel.is_set():  # the step was stopped with us (our process group), not by itself
            raise ToolchainCancelled(Message("toolchain install cancelled while {stage}", stage=str(stage)))
        if code != 0:
            why = tracker.error or redact_credentials(_last(lines)) or f"exit code {code}"
            raise ToolchainError(Message("{stage} failed: {why}", stage=str(stage), why=str(why)))
        report(stage, base + weight)


def extract_converter(sdist: Path, target: Path) -> None:
    """Unpack llama.cpp's converter, its ``conversion`` package and ``gguf-py`` from a llama-cpp-python sdist."""
    target.mkdir(parents=True)
    with tarfile.open(sdist, "r:gz") as tar:
        members = []
        for m in tar.getmembers():
            _, _, inner = m.name.partition("/")
            if not inner.startswith(_SDIST_PREFIX) or not (m.isfile() or m.isdir()):
                continue
            rel = inner[len(_SDIST_PREFIX) :]
            if rel and any(rel == k or rel.startswith(k) for k in _SDIST_KEEP):
                m.name = rel
                members.append(m)
        if not any(m.name == CONVERTER_SCRIPT for m in members):
            raise ToolchainError(Message("{name} carries no {CONVERTER_SCRIPT}", name=str(sdist.name),
                                         CONVERTER_SCRIPT=str(CONVERTER_SCRIPT)))
        tar.extractall(target, members=members, filter="data")


def _norm(name: str) -> str:
    return re.sub(r"[-_.]+", "_", name).lower()


def _last(lines: Sequence[str]) -> str:
    return next((line.strip() for line in reversed(lines) if line.strip()), "")
