"""Local runtimes: one child process per loaded model (app/chat/runtime_server.py), and the manager that owns them.

A runtime binds 127.0.0.1 on a random port with a per-run key. Its process is a `procs.supervisor.Child`: it runs in its
own process group (stop = terminate the group, then kill after a grace period) and exits by itself when the app's end of
its stdin closes, so neither a closed nor a crashed app leaves a model in memory.
"""

from __future__ import annotations

import enum
import ipaddress
import logging
import secrets
import threading
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from app.chat.client import ChatClient
from app.chat.messages import ChatError, RuntimeCrashed
from procs import jsonlines
from procs.launch import python_module
from procs.supervisor import Child, Outcome

if TYPE_CHECKING:
    from formats.model import ModelInfo
    from hardware.fit import FitOptions
    from hardware.report import HardwareReport

log = logging.getLogger(__name__)

__all__ = ["LoadOptions", "Runtime", "RuntimeManager", "RuntimeState", "auto_gpu_layers", "check_fit", "is_loopback"]

KEY_ENV = "MODELWERK_RUNTIME_KEY"
"""The environment variable that hands the per-run API key to the runtime process (app.chat.runtime_server)."""


def is_loopback(host: str) -> bool:
    """127.0.0.0/8, ::1 or "localhost": only this machine can connect."""
    if host.lower() == "localhost":
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False


@dataclass(frozen=True)
class LoadOptions:
    """How a model is loaded (llama.cpp's knobs)."""

    context: int = 4096
    gpu_layers: int | None = None
    """None: as many as fit on this machine's GPUs (hardware.fit), worked out by the runtime; 0: CPU only."""
    threads: int | None = None
    """None: the physical cores."""
    kv_type: str = "f16"
    """"f16", "q8_0" or "q4_0"."""
    flash_attn: bool = False


def _fit_options(options: LoadOptions) -> FitOptions:
    from hardware.fit import FitOptions
    from hardware.quants import KvType

    return FitOptions(context=options.context, kv_type=KvType(options.kv_type), flash_attention=options.flash_attn,
                      gpu_layers=options.gpu_layers)  # fmt: skip


def auto_gpu_layers(info: ModelInfo, hw: HardwareReport, options: LoadOptions) -> int:
    """llama.cpp's n_gpu_layers for this model here: the blocks the fit estimate puts on the GPU, plus one for the
    output layer when it goes too. 0 without a GPU or when the model's shape is unknown."""
    from hardware.fit import fit

    if not hw.gpus or info.shape is None:
        return 0
    from dataclasses import replace

    report = fit(info.shape, hw, replace(_fit_options(options), gpu_layers=None))
    if not report.fits:
        return 0
    return report.gpu_layers + (1 if report.output_on_gpu else 0)


def check_fit(info: ModelInfo, hw: HardwareReport, options: LoadOptions) -> str | None:
    """A one-line warning when the model will probably not fit with these options, else None."""
    from hardware.fit import fit

    if info.shape is None:
        return None
    report = fit(info.shape, hw, _fit_options(options))
    if report.fits:
        return None
    return f"{info.name} will probably not fit at {options.context:,} tokens of context: {report.reason}"


class RuntimeState(enum.Enum):
    LOADING = "loading"
    READY = "ready"
    CRASHED = "crashed"
    """It ended by itself (crash, killed, out of memory) after it was ready."""
    STOPPED = "stopped"
    """We stopped it."""
    FAILED = "failed"
    """It ended while loading (bad file, out of memory, ...)."""


class Runtime:
    """One model running in its own process. Create with `Runtime.launch`; thread-safe."""

    def __init__(self, model_path: Path, *, options: LoadOptions, name: str, host: str, port: int,
                 api_key: str | None, allow_origins: tuple[str, ...] = ()) -> None:  # fmt: skip
        self.model_path = Path(model_path)
        self.options = options
        self.name = name
        self.host = host
        self.requested_port = port
        self._fixed_key = api_key
        self.allow_origins = allow_origins
        self.on_state_changed: Callable[[RuntimeState], None] | None = None
        """Called with the new state, from a watcher thread (a Qt user forwards it through a queued signal)."""
        self._lock = threading.Lock()
        self._changed = threading.Condition(self._lock)
        self._state = RuntimeState.STOPPED
        self._error = ""
        self._child: Child | None = None
        self._port = 0
        self.n_ctx = 0
        self.key = ""
        self._watcher: threading.Thread | None = None

    @classmethod
    def launch(cls, model_path: Path, *, options: LoadOptions | None = None, name: str = "", host: str = "127.0.0.1",
               port: int = 0, api_key: str | None = None, allow_origins: tuple[str, ...] = ()) -> Runtime:  # fmt: skip
        """Start the runtime process and return at once (state LOADING); `wait_ready` waits for the model.

        Args:
            model_path: a GGUF file.
            options: load options (default LoadOptions()).
            name: the model name the server reports (default: the file name).
            host, port: where to listen (default 127.0.0.1 and a random free port).
            api_key: the key clients must send; None: a fresh random key per run; "": no key.
            allow_origins: web origins (scheme://host[:port]) whose pages may call it; any other browser origin is
                refused.
        """
        rt = cls(Path(model_path), options=options or LoadOptions(), name=name or Path(model_path).name, host=host,
                 port=port, api_key=api_key, allow_origins=allow_origins)  # fmt: skip
        rt._start()
        return rt

    # --- state ---------------------------------------------------------------------------------------------------------

    @property
    def state(self) -> RuntimeState:
        return self._state

    @property
    def error(self) -> str:
        """Why it failed or crashed, in one line ("" otherwise)."""
        return self._error

    @property
    def pid(self) -> int | None:
        child = self._child
        return child.pid if child is not None else None

    @property
    def port(self) -> int:
        return self._port

    @property
    def base_url(self) -> str:
        """The OpenAI base URL, e.g. http://127.0.0.1:40123/v1 ("" until ready)."""
        if not self._port:
            return ""
        host = "127.0.0.1" if self.host in ("0.0.0.0", "", "::") else self.host
        host = f"[{host}]" if ":" in host else host
        return f"http://{host}:{self._port}/v1"

    def memory_bytes(self) -> int:
        """Resident memory of the runtime process (0 when it is not running)."""
        import psutil

        pid = self.pid
        if pid is None or self._state not in (RuntimeState.LOADING, RuntimeState.READY):
            return 0
        try:
            return int(psutil.Process(pid).memory_info().rss)
        except psutil.Error:
            return 0

    def client(self, *, timeout_s: float = 30) -> ChatClient:
        """A client for this runtime (raw prompts supported). Get a new one after `reload`: the port changes."""
        if self._state is not RuntimeState.READY:
            raise self._not_ready()
        return ChatClient(self.base_url, api_key=self.key or None, timeout_s=timeout_s, supports_raw_prompt=True)

    def _not_ready(self) -> ChatError:
        if self._state is RuntimeState.CRASHED:
            return RuntimeCrashed(f"{self.name}: {self._error}; reload it")
        if self._state is RuntimeState.FAILED:
            return ChatError(f"{self.name} failed to load: {self._error}")
        if self._state is RuntimeState.LOADING:
            return ChatError(f"{self.name} is still loading")
        return ChatError(f"{self.name} is not loaded")

    def wait_ready(self, timeout_s: float = 120) -> None:
        """Block until the model is loaded.

        Raises:
            ChatError: it failed to load, crashed, was stopped, or did not get ready in time (then it is stopped).
        """
        with self._changed:
            self._changed.wait_for(lambda: self._state is not RuntimeState.LOADING, timeout=timeout_s)
            state = self._state
        if state is RuntimeState.READY:
            return
        if state is RuntimeState.LOADING:
            self.stop()
            raise ChatError(f"{self.name} did not finish loading within {timeout_s:g} s")
        raise self._not_ready()

    def _set_state(self, state: RuntimeState, error: str = "") -> None:
        with self._changed:
            if self._state is state:
                return
            self._state = state
            self._error = error
            callback = self.on_state_changed  # read under the lock: a callback set after a waiter woke misses this
            self._changed.notify_all()
        log.info("runtime %s (pid %s): %s%s", self.name, self.pid, state.value, f": {error}" if error else "")
        if callback is not None:
            try:
                callback(state)
            except Exception:
                log.exception("on_state_changed failed")

    # --- the process -----------------------------------------------------------------------------------------------

    def _args(self) -> list[str]:
        o = self.options
        args = ["--model", str(self.model_path), "--name", self.name,
                "--ctx", str(o.context), "--gpu-layers", "auto" if o.gpu_layers is None else str(o.gpu_layers),
                "--kv-type", o.kv_type, "--host", self.host, "--port", str(self.requested_port), "--watch-stdin"]  # fmt: skip
        if o.threads:
            args += ["--threads", str(o.threads)]
        if o.flash_attn:
            args.append("--flash-attn")
        for origin in self.allow_origins:
            args += ["--allow-origin", origin]
        return args

    def _start(self) -> None:
        self.key = secrets.token_urlsafe(24) if self._fixed_key is None else self._fixed_key
        # The checkout on PYTHONPATH: `-m app...` imports it, installed or not.
        command = python_module("app.chat.runtime_server", self._args(), env={KEY_ENV: self.key}, label="the runtime")
        with self._changed:
            self._port = 0
            self._state = RuntimeState.LOADING
            self._error = ""
            self._changed.notify_all()
        try:
            child = Child.start(command)
        except OSError as e:
            self._set_state(RuntimeState.FAILED, f"could not start the runtime: {e}")
            return
        self._child = child
        if self.on_state_changed is not None:
            self.on_state_changed(RuntimeState.LOADING)
        self._watcher = threading.Thread(target=self._watch, args=(child,), name=f"runtime-{child.pid}", daemon=True)
        self._watcher.start()

    def _watch(self, child: Child) -> None:
        """Read the child's events until it exits; then say how it ended."""
        failure = ""
        for raw in child.stdout_lines():  # ends when the process (and anything it started) is gone
            event = jsonlines.parse(raw, ("ready", "failed"))
            if event is None:
                continue
            if event.kind == "ready" and child is self._child:
                self._port = _int(event.fields.get("port"))
                self.n_ctx = _int(event.fields.get("n_ctx"))
                self._set_state(RuntimeState.READY)
            elif event.kind == "failed":
                failure = event.error
        outcome = child.wait()
        if child is not self._child:  # a reload replaced it meanwhile
            return
        if outcome.cancelled:
            self._set_state(RuntimeState.STOPPED)
            return
        reason = failure or _reason(outcome)
        was_loading = self._state is RuntimeState.LOADING
        self._set_state(RuntimeState.FAILED if was_loading else RuntimeState.CRASHED, reason)

    def stop(self, grace_s: float = 3) -> None:
        """Stop the process: terminate its group, kill it after `grace_s`. Safe to call twice or after a crash."""
        child = self._child
        if child is None:
            return
        child.stop(grace_s)  # also kills anything it started
        watcher = self._watcher
        if watcher is not None and watcher is not threading.current_thread():
            watcher.join(timeout=grace_s)  # the watcher has said STOPPED before a reload can start anew
        if self._state in (RuntimeState.LOADING, RuntimeState.READY):
            self._set_state(RuntimeState.STOPPED)

    def terminate(self) -> None:
        """Ask the process to end without waiting (RuntimeManager.stop_all signals all of them first)."""
        child = self._child
        if child is not None:
            child.terminate()

    def reload(self) -> None:
        """Stop (if running) and start a new process with the same options; returns at once (LOADING)."""
        self.stop()
        self._start()

    def __repr__(self) -> str:
        return f"Runtime({self.name!r}, state={self._state.value}, pid={self.pid}, port={self._port})"


def _reason(outcome: Outcome) -> str:
    """ "the runtime exited with code 1: <its last line on stderr>"."""
    reason = outcome.describe()
    if outcome.returncode > 0 and outcome.last_stderr:
        reason = f"{reason}: {outcome.last_stderr}"
    return reason


def _int(value: object) -> int:
    """An event's number field, 0 when it is missing or not a number."""
    return int(value) if isinstance(value, (int, float)) and not isinstance(value, bool) else 0


class RuntimeManager:
    """The loaded runtimes, by key ("model:12"). Closing the app calls stop_all."""

    def __init__(self) -> None:
        self._runtimes: dict[str, Runtime] = {}
        self._lock = threading.Lock()

    def load(self, key: str, path: Path, options: LoadOptions | None = None, *, name: str = "") -> Runtime:
        """Launch a runtime for `path` under `key` (one already there is stopped first); returns at once."""
        old = self.get(key)
        if old is not None:
            old.stop()
        rt = Runtime.launch(path, options=options, name=name)
        with self._lock:
            self._runtimes[key] = rt
        return rt

    def get(self, key: str) -> Runtime | None:
        with self._lock:
            return self._runtimes.get(key)

    def runtimes(self) -> dict[str, Runtime]:
        """A snapshot: key -> runtime."""
        with self._lock:
            return dict(self._runtimes)

    def unload(self, key: str) -> None:
        with self._lock:
            rt = self._runtimes.pop(key, None)
        if rt is not None:
            rt.stop()

    def stop_all(self, grace_s: float = 3) -> None:
        """Stop every runtime (all signalled first, so this takes one grace period, not one each)."""
        with self._lock:
            runtimes = list(self._runtimes.values())
            self._runtimes.clear()
        for rt in runtimes:
            rt.terminate()
        for rt in runtimes:
            rt.stop(grace_s)
