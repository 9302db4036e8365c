"""Local runtimes: one llama.cpp `llama-server` child process per loaded model, and the manager that owns them.

A runtime listens on 127.0.0.1, on a free port, with a per-run key (handed over in its environment, which other users
cannot read, rather than on its command line, which they can). Its process is a `procs.supervisor.Child`: its own process
group (stop = terminate the group, then kill after a grace period), and the kernel kills it when the app dies however
the app dies (die_with_parent), so no model is left in memory.

llama-server decodes several requests at once (continuous batching over `--parallel` slots; each slot has the context
the user asked for, so the KV cache is slots x context and the fit estimate counts all of it), keeps each slot's prompt
cache, and renders the model's chat template itself (`--jinja`; a model without one gets our default for its
architecture). Ready = GET /props with the run's key answers 200 (503 while the model loads; 401 from a stranger that
took the port meanwhile).
"""

from __future__ import annotations

import collections
import contextlib
import enum
import functools
import http.client
import json
import logging
import os
import secrets
import socket
import threading
from collections.abc import Callable
from dataclasses import dataclass, replace
from pathlib import Path
from typing import TYPE_CHECKING, Any

from app.chat.client import ChatClient
from app.chat.messages import ChatError, RuntimeCrashed, RuntimeUnavailable
from core.errors import said
from core.messages import Message, Text
from hardware.rpc_client import is_loopback
from procs.launch import Command
from procs.supervisor import Child, Outcome

if TYPE_CHECKING:
    from formats.model import ModelInfo
    from hardware.fit import FitOptions
    from hardware.remote import RemoteWorker
    from hardware.report import HardwareReport

log = logging.getLogger(__name__)

__all__ = ["LoadOptions", "Runtime", "RuntimeState", "auto_gpu_layers", "auto_slots", "check_fit",
           "is_loopback", "server_args"]  # fmt: skip

MAX_SLOTS = 4
"""Parallel slots when the fit allows (Compare, several samples, agents, several clients of `modelwerk serve`)."""
KV_TYPES = ("f16", "q8_0", "q4_0")
KEY_ENV = "LLAMA_API_KEY"
"""llama-server reads its API key from this variable: the key stays out of the process list."""
BIND_RETRIES = 5
LOG_LINES = 80


@dataclass(frozen=True)
class LoadOptions:
    """How a model is loaded (llama.cpp's knobs)."""

    context: int = 4096
    """Tokens of context of each conversation (each slot)."""
    gpu_layers: int | None = None
    """None: as many as fit on this machine's GPUs (hardware.fit), worked out by the runtime; 0: CPU only."""
    threads: int | None = None
    """None: the physical cores."""
    kv_type: str = "f16"
    """"f16", "q8_0" or "q4_0"."""
    flash_attn: bool = True
    """True: llama.cpp's default `--flash-attn auto` (on wherever the backend supports it, CPUs included); False: off."""
    parallel: int | None = None
    """Requests decoded at once (llama-server's slots, each with `context` tokens of KV cache). None: up to MAX_SLOTS,
    as many as the fit estimate allows."""
    workers: tuple[RemoteWorker, ...] = ()
    """llama.cpp RPC workers (`modelwerk worker`) the model may spread over (`--rpc`); empty: this machine only."""
    tensor_split: tuple[int, ...] = ()
    """Layers per worker device (`--tensor-split`; `gpu_layers`: all on workers); empty: hardware.remote's plan."""
    local_memory: int | None = None
    """With workers: the most bytes of RAM the model may take on this machine (None: what is available)."""


def fit_options(options: LoadOptions, slots: int = 1) -> FitOptions:
    from hardware.fit import FitOptions
    from hardware.quants import KvType

    return FitOptions(context=options.context, kv_type=KvType(options.kv_type), flash_attention=options.flash_attn,
                      gpu_layers=options.gpu_layers, slots=slots)  # fmt: skip


def auto_gpu_layers(info: ModelInfo, hw: HardwareReport, options: LoadOptions, slots: int = 1) -> int:
    """llama.cpp's n_gpu_layers for this model here: the blocks the fit estimate puts on the GPU, plus one for the
    output layer when it goes too. 0 without a GPU or when the model's shape is unknown."""
    from hardware.fit import fit

    if not hw.gpus or info.shape is None:
        return 0
    report = fit(info.shape, hw, replace(fit_options(options, slots), gpu_layers=None))
    if not report.fits:
        return 0
    return report.gpu_layers + (1 if report.output_on_gpu else 0)


def auto_slots(info: ModelInfo | None, hw: HardwareReport | None, options: LoadOptions) -> int:
    """The parallel slots: `options.parallel` when given; else the most (up to MAX_SLOTS) whose KV cache still fits
    without moving layers off the GPU; 1 when nothing is known or even one slot does not fit."""
    from hardware.fit import fit

    if options.parallel is not None:
        return options.parallel
    if info is None or info.shape is None or hw is None:
        return 1
    one = fit(info.shape, hw, fit_options(options, 1))
    if not one.fits:
        return 1
    n = MAX_SLOTS
    while n > 1:
        report = fit(info.shape, hw, fit_options(options, n))
        if report.fits and report.placement is one.placement and report.gpu_layers >= one.gpu_layers:
            return n
        n //= 2
    return 1


def check_fit(info: ModelInfo, hw: HardwareReport, options: LoadOptions) -> str | None:
    """A one-line warning when the model will probably not fit with these options, else None (automatic slots are
    checked at one: the runtime takes fewer when more do not fit)."""
    from hardware.fit import fit

    if info.shape is None:
        return None
    slots = options.parallel or 1
    report = fit(info.shape, hw, fit_options(options, slots))
    if report.fits:
        return None
    each = f" in each of {slots} parallel slots" if slots > 1 else ""
    return f"{info.name} will probably not fit at {options.context:,} tokens of context{each}: {report.reason}"


def check_options(options: LoadOptions) -> None:
    """Raises ChatError (one line) for options llama-server would refuse."""
    if options.context < 1:
        raise ChatError(Message("the context must be at least 1 token, not {context}", context=str(options.context)))
    if options.kv_type not in KV_TYPES:
        raise ChatError(Message("unknown KV cache type {kv_type}: use one of {choices}", kv_type=repr(options.kv_type),
                                choices=str(', '.join(KV_TYPES))))
    if options.parallel is not None and not 1 <= options.parallel <= 64:
        raise ChatError(Message("parallel slots must be between 1 and 64, not {parallel}", parallel=str(options.parallel)))
    if options.threads is not None and options.threads < 1:
        raise ChatError(Message("threads must be 1 or more, not {threads}", threads=str(options.threads)))
    if options.gpu_layers is not None and options.gpu_layers < 0:
        raise ChatError(Message("GPU layers must be 0 or more, not {gpu_layers}", gpu_layers=str(options.gpu_layers)))
    if options.tensor_split and (not options.workers or any(n < 0 for n in options.tensor_split)):
        raise ChatError(Message("a tensor split needs workers and counts of 0 or more"))


def server_args(model: Path, *, name: str, port: int, options: LoadOptions, slots: int, gpu_layers: int, threads: int,
                chat_template: str | None = None, stop: tuple[str, ...] = (), tensor_split: tuple[int, ...] = ()
                ) -> list[str]:  # fmt: skip
    """llama-server's command-line arguments (the key goes in the environment, never here).

    `--swa-full`: sliding-window layers keep the whole context, as llama-cpp-python does and as the fit estimate counts;
    without it llama-server cannot reuse a conversation's cached prefix on models like Gemma 3 and computes every turn's
    whole prompt again. `--fit off`: the context and layers are ours, llama.cpp must not change them.

    Args:
        chat_template: a template to use instead of the file's (for models that carry none); None: the file's.
        stop: stop strings of requests that bring none (`--reverse-prompt`): the base-model transcript's "\nUser:", so
            a client of `modelwerk serve` that chats with a base model gets its answer, not the next turns it invents.
        tensor_split: with `options.workers`, layers per worker device (RPC devices come first; local GPUs get none).
    """
    args = ["--model", str(model), "--alias", name, "--host", "127.0.0.1", "--port", str(port),
            "--ctx-size", str(options.context * slots), "--parallel", str(slots), "--no-kv-unified",
            "--threads", str(threads), "--threads-batch", str(threads), "--n-gpu-layers", str(gpu_layers),
            "--cache-type-k", options.kv_type, "--cache-type-v", options.kv_type,
            "--flash-attn", "auto" if options.flash_attn else "off", "--swa-full", "--fit", "off", "--no-webui",
            "--jinja"]  # fmt: skip
    if chat_template is not None:
        args += ["--chat-template", chat_template]  # after --jinja: any template, not only the built-in ones
    for s in stop:
        args += ["--reverse-prompt", s]
    if options.workers:
        args += ["--rpc", ",".join(w.endpoint for w in options.workers)]
    return args + (["--tensor-split", ",".join(map(str, tensor_split))] if options.workers and tensor_split else [])


def _physical_cores() -> int:
    import psutil

    return psutil.cpu_count(logical=False) or os.cpu_count() or 1


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _child_env(key: str) -> dict[str, str]:
    """Ours without llama.cpp's own settings (LLAMA_ARG_*: a user's shell must not change our runtimes), plus the key."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("LLAMA_ARG_") and k != KEY_ENV}
    env[KEY_ENV] = key
    return env


class RuntimeState(enum.Enum):
    LOADING = "loading"
    READY = "ready"
    CRASHED = "crashed"
    """It ended by itself (crash, killed, out of memory) after it was ready."""
    STOPPED = "stopped"
    """We stopped it."""
    FAILED = "failed"
    """It ended while loading (bad file, out of memory, ...)."""


@dataclass(frozen=True)
class _Plan:
    binary: Path
    slots: int
    gpu_layers: int
    threads: int
    chat_template: str | None
    stop: tuple[str, ...] = ()
    tensor_split: tuple[int, ...] = ()


class Runtime:
    """One model in its own llama-server process. Create with `Runtime.launch`; thread-safe."""

    def __init__(self, model_path: Path, *, options: LoadOptions, name: str) -> None:
        self.model_path = Path(model_path)
        self.options = options
        self.name = name
        self.host = "127.0.0.1"
        self.on_state_changed: Callable[[RuntimeState], None] | None = None
        """Called with the new state, from a watcher thread (a Qt user forwards it through a queued signal)."""
        self._lock = threading.Lock()
        self._changed = threading.Condition(self._lock)
        self._state = RuntimeState.STOPPED
        self._error: Text = ""
        self._child: Child | None = None
        self._run_id = 0
        """Bumped by every start and stop: a watcher of an older run changes nothing."""
        self._port = 0
        self.n_ctx = 0
        """Tokens of context of each slot (as llama-server reports it)."""
        self.slots = 0
        self.gpu_layers: int | None = None
        """The layers llama-server was told to put on the GPU (0: it runs on the CPU); None until it is planned."""
        self.key = ""
        self._log: collections.deque[str] = collections.deque(maxlen=LOG_LINES)
        self._watcher: threading.Thread | None = None

    @classmethod
    def launch(cls, model_path: Path, *, options: LoadOptions | None = None, name: str = "") -> Runtime:
        """Start the runtime and return at once (state LOADING); `wait_ready` waits for the model.

        Args:
            model_path: a GGUF file.
            options: load options (default LoadOptions()).
            name: the model name the server reports (default: the file name).
        """
        rt = cls(Path(model_path), options=options or LoadOptions(), name=name or Path(model_path).name)
        rt._start()
        return rt

    # --- state ---------------------------------------------------------------------------------------------------------

    @property
    def state(self) -> RuntimeState:
        return self._state

    @property
    def error(self) -> str:
        """Why it failed or crashed, in one line ("" otherwise)."""
        return str(self._error)

    @property
    def error_text(self) -> Text:
        """``error`` as the message it was made with, for the GUI to show in its language."""
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
        return f"http://127.0.0.1:{self._port}/v1" if self._port else ""

    def log_tail(self) -> list[str]:
        """llama-server's last lines of output (its log)."""
        return list(self._log)

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
            return RuntimeCrashed(Message("{name}: {error}; reload it", name=self.name, error=self._error))
        if self._state is RuntimeState.FAILED:
            return ChatError(Message("{name} failed to load: {error}", name=self.name, error=self._error))
        if self._state is RuntimeState.LOADING:
            return ChatError(Message("{name} is still loading", name=self.name))
        return ChatError(Message("{name} is not loaded", name=self.name))

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
            raise ChatError(Message("{name} did not finish loading within {timeout_s} s", name=str(self.name),
                                    timeout_s=format(timeout_s, 'g')))
        raise self._not_ready()

    def _set_state(self, state: RuntimeState, error: Text = "", *, run: int | None = None) -> None:
        """Change the state; with `run`, only while that run is the current one."""
        with self._changed:
            if self._state is state or (run is not None and run != self._run_id):
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

    def _start(self) -> None:
        self.key = secrets.token_urlsafe(24)
        with self._changed:
            self._run_id += 1
            run = self._run_id
            self._port = 0
            self._child = None
            self._state = RuntimeState.LOADING
            self._error = ""
            self._changed.notify_all()
        if self.on_state_changed is not None:
            self.on_state_changed(RuntimeState.LOADING)
        self._watcher = threading.Thread(target=self._run, args=(run,), name=f"runtime-{self.name}", daemon=True)
        self._watcher.start()

    def _plan(self) -> _Plan:
        """Where llama-server is and how to run this model (reads the header, probes the machine when it must).

        Raises:
            ChatError: no llama-server, no model file, bad options.
        """
        from app.chat.llama_server import find_llama_server

        o = self.options
        check_options(o)
        binary = find_llama_server()
        if not self.model_path.is_file():
            raise ChatError(Message("no model file at {model_path}", model_path=str(self.model_path)))
        info: ModelInfo | None = None
        try:
            from formats.gguf_info import inspect_gguf

            info = inspect_gguf(self.model_path)
        except Exception as e:  # llama.cpp says why it cannot load it; its header is only a help here
            log.info("cannot read the header of %s: %s", self.model_path.name, e)
        hw: HardwareReport | None = None
        if o.parallel is None or o.gpu_layers is None:
            from hardware.probe import probe

            hw = probe()
        tensor_split: tuple[int, ...] = ()
        if o.workers:
            from app.chat.workers import check_workers, worker_split

            check_workers(o.workers)
            slots = o.parallel or 1
            gpu_layers, tensor_split = worker_split(self.name, o, info, hw, slots)
        else:
            slots = auto_slots(info, hw, o)
            gpu_layers = o.gpu_layers if o.gpu_layers is not None else \
                auto_gpu_layers(info, hw, o, slots) if info is not None and hw is not None else 0  # fmt: skip
        template: str | None = None
        stop: tuple[str, ...] = ()
        if info is not None:
            from app.chat.templates import template_for

            with contextlib.suppress(ChatError):
                chat = template_for(info)
                template, stop = (chat.text, chat.stop) if chat.source == "default" else (None, ())
        return _Plan(binary, slots, gpu_layers, o.threads or _physical_cores(), template, stop, tensor_split)

    def _run(self, run: int) -> None:
        """Start llama-server (again on another port if the port was taken meanwhile), wait for /health, then watch it
        until it ends and say how it ended."""
        try:
            plan = self._plan()
        except ChatError as e:
            self._set_state(RuntimeState.FAILED, said(e), run=run)
            return
        except Exception as e:  # a bug, but the runtime must not stay LOADING forever
            log.exception("planning the runtime failed")
            self._set_state(RuntimeState.FAILED, f"internal error: {e}", run=run)
            return
        self.gpu_layers = plan.gpu_layers
        for _attempt in range(BIND_RETRIES):
            port = _free_port()
            args = server_args(self.model_path, name=self.name, port=port, options=self.options, slots=plan.slots,
                               gpu_layers=plan.gpu_layers, threads=plan.threads, chat_template=plan.chat_template,
                               stop=plan.stop, tensor_split=plan.tensor_split)  # fmt: skip
            env = _child_env(self.key)
            if self.options.workers:  # its threads wait for the workers' parts of each token: not spinning meanwhile
                from app.chat.workers import spin_less

                env = spin_less(env)
            command = Command(argv=(str(plan.binary), *args), env=env, label="the runtime")
            with self._changed:
                if run != self._run_id:
                    return  # stopped while we planned
                self._log.clear()
                try:
                    child = Child.start(command, merge_stderr=True, watch_stdin=False, die_with_parent=True)
                except OSError as e:
                    child = None
                    error = f"could not start {plan.binary}: {e}"
                self._child = child
            if child is None:
                self._set_state(RuntimeState.FAILED, error, run=run)
                return
            reader = threading.Thread(target=self._read_log, args=(child,), name=f"runtime-log-{child.pid}", daemon=True)
            reader.start()
            # Ready: GET /props with our key answers 200 (503 while the model loads). Asking with the key, not /health,
            # makes sure it is our server: another one that took the port meanwhile answers 401.
            props: dict[str, Any] = {}
            ready = child.wait_until(functools.partial(_props, port, self.key, props), timeout_s=7 * 24 * 3600,
                                     interval_s=0.05)  # fmt: skip
            if ready:
                self._ready(run, port, props)
            outcome = child.wait()
            reader.join(timeout=2)
            if run != self._run_id:  # a stop or reload replaced this run meanwhile
                return
            if outcome.cancelled:
                self._set_state(RuntimeState.STOPPED, run=run)
                return
            if not ready and any("couldn't bind" in line for line in self._log):
                log.info("port %d was taken meanwhile; trying another", port)
                continue
            if ready:
                self._set_state(RuntimeState.CRASHED, self._reason(outcome), run=run)
            else:
                self._set_state(RuntimeState.FAILED, self._load_failure(outcome), run=run)
            return
        self._set_state(RuntimeState.FAILED, f"no free port on 127.0.0.1 after {BIND_RETRIES} tries", run=run)

    def _ready(self, run: int, port: int, props: dict[str, Any]) -> None:
        settings = props.get("default_generation_settings")
        n_ctx = settings.get("n_ctx") if isinstance(settings, dict) else None
        slots = props.get("total_slots")
        n_ctx = n_ctx if isinstance(n_ctx, int) else self.options.context
        slots = slots if isinstance(slots, int) else 1
        with self._changed:
            if run != self._run_id:
                return
            self._port, self.n_ctx, self.slots = port, n_ctx, slots
        self._set_state(RuntimeState.READY, run=run)

    def _read_log(self, child: Child) -> None:
        for raw in child.stdout_lines():
            line = raw.decode("utf-8", "replace").rstrip()
            if line:
                self._log.append(line)
                log.debug("llama-server %d: %s", child.pid, line)

    def _reason(self, outcome: Outcome) -> Text:
        """ "the runtime exited with code -9 (killed)", "... with code 1: <its last error line>"; with workers, which
        one stopped answering when that is why."""
        from app.chat.workers import lost_message

        lost = lost_message(self.options.workers, list(self._log))
        if lost:
            return lost
        reason = outcome.describe()
        detail = _error_line(list(self._log))
        if outcome.returncode > 0 and detail:
            return Message("{reason}: {detail}", reason=reason, detail=detail)
        return reason

    def _load_failure(self, outcome: Outcome) -> Text:
        lines = list(self._log)
        detail = _error_line(lines)
        if any("failed to load model" in line or "model loading error" in line for line in lines):
            return Message("llama.cpp could not load {name}: {detail}", name=self.model_path.name,
                           detail=detail or outcome.describe())  # fmt: skip
        return self._reason(outcome)

    def stop(self, grace_s: float = 3) -> None:
        """Stop the process: terminate its group, kill it after `grace_s`. Safe to call twice or after a crash."""
        with self._changed:
            self._run_id += 1  # the watcher of the current run changes nothing any more, and starts no process
            child = self._child
        if child is not None:
            child.stop(grace_s)  # also kills anything it started
        watcher = self._watcher
        if watcher is not None and watcher is not threading.current_thread():
            watcher.join(timeout=grace_s)
        if self._state in (RuntimeState.LOADING, RuntimeState.READY):
            self._set_state(RuntimeState.STOPPED)

    def terminate(self) -> None:
        """Ask the process to end without waiting (runtime_manager.RuntimeManager.stop_all signals all of them first)."""
        child = self._child
        if child is not None:
            child.terminate()

    def reload(self) -> None:
        """Stop (if running) and start a new process with the same options; returns at once (LOADING)."""
        self.stop()
        self._start()

    def __repr__(self) -> str:
        return f"Runtime({self.name!r}, state={self._state.value}, pid={self.pid}, port={self._port})"


def _error_line(lines: list[str]) -> str:
    """The most telling line of llama-server's log for a failure: the first error that is not just "exiting"."""
    errors = [line for line in lines if " E " in f" {line} " or "error" in line.lower() or "failed" in line.lower()]
    useful = [line for line in errors if "exiting due to" not in line and "failed to load model," not in line]
    line = (useful or errors or [""])[0]
    line = line.split(": ", 1)[1] if line.startswith(("srv ", "main:", "common_", "llama_", "gguf_")) and ": " in line \
        else line  # fmt: skip
    return " ".join(line.split())[:300]


def _props(port: int, key: str, into: dict[str, Any]) -> bool:
    """Whether our llama-server on `port` is ready; its GET /props (context per slot, slots) goes `into`."""
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=5)
    try:
        conn.request("GET", "/props", headers={"Authorization": f"Bearer {key}"})
        response = conn.getresponse()
        raw = response.read()
    finally:
        conn.close()
    if response.status != 200:
        return False
    obj = json.loads(raw)
    into.update(obj if isinstance(obj, dict) else {})
    return True


def unavailable(runtime: Runtime | None) -> RuntimeUnavailable:
    """Why a chat cannot use ``runtime`` now (None: no model loaded), as the error to raise."""
    if runtime is None or runtime.state is RuntimeState.STOPPED:
        return RuntimeUnavailable(Message("the model is not loaded: load it to chat (it keeps your text)"))
    if runtime.state is RuntimeState.CRASHED:
        return RuntimeUnavailable(Message("the model's runtime stopped: {error}", error=runtime.error_text))
    if runtime.state is RuntimeState.FAILED:
        return RuntimeUnavailable(Message("the model failed to load: {error}", error=runtime.error_text))
    return RuntimeUnavailable(Message("the model is still loading"))
