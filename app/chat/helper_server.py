"""A llama-server child that serves one model to the app itself: the embedder (``--embedding``) and the reranker
(``--reranking``) run in one each.

Started as the chat runtimes are (runtime.py): 127.0.0.1, a free port (another one when it was taken meanwhile), a
per-run key in its environment, its own process group, killed by the kernel if the app dies. Ready = GET /props with the
key answers 200. Requests are JSON POSTs from any thread; a server that died says how in one line.
"""

from __future__ import annotations

import collections
import functools
import http.client
import json
import logging
import secrets
import threading
from collections.abc import Callable, Sequence
from types import TracebackType

from app.chat.llama_server import find_llama_server
from app.chat.messages import ChatError
from app.chat.runtime import BIND_RETRIES, _child_env, _error_line, _free_port, _props
from procs.launch import Command
from procs.supervisor import Child

log = logging.getLogger(__name__)

__all__ = ["LOAD_TIMEOUT_S", "REQUEST_TIMEOUT_S", "HelperServer", "error_message"]

LOAD_TIMEOUT_S = 120.0
REQUEST_TIMEOUT_S = 300.0


def error_message(answer: object) -> str:
    """The message of llama-server's error answer ``{"error": {"message": ...}}``, on one line ("" when none)."""
    error = answer.get("error") if isinstance(answer, dict) else None
    message = error.get("message", "") if isinstance(error, dict) else ""
    return " ".join(str(message).split())[:200]


class HelperServer:
    """One llama-server child for ``role`` ("embedder", "reranker"); ``close`` (or ``with``) stops it.

    Raises (on construction), as ``failure``:
        no llama-server, it could not start, or it did not load the model (with llama.cpp's own line why).
    """

    def __init__(self, args_for_port: Callable[[int], Sequence[str]], *, role: str, model_name: str,
                 failure: type[ChatError]) -> None:  # fmt: skip
        """``args_for_port``: llama-server's arguments for a port (the key goes in the environment, never there)."""
        self.role = role
        self.failure = failure
        self.port = 0
        self._key = secrets.token_urlsafe(24)
        self._log: collections.deque[str] = collections.deque(maxlen=80)
        self._lock = threading.Lock()
        self._child: Child | None = None
        self._start(args_for_port, model_name)

    @property
    def pid(self) -> int | None:
        child = self._child
        return child.pid if child is not None else None

    def _start(self, args_for_port: Callable[[int], Sequence[str]], model_name: str) -> None:
        try:
            binary = find_llama_server()
        except ChatError as e:
            raise self.failure(str(e)) from None
        for _attempt in range(BIND_RETRIES):
            port = _free_port()
            command = Command(argv=(str(binary), *args_for_port(port)), env=_child_env(self._key), label=f"the {self.role}")
            self._log.clear()
            try:
                child = Child.start(command, merge_stderr=True, watch_stdin=False, die_with_parent=True)
            except OSError as e:
                raise self.failure(f"could not start {binary}: {e}") from None
            reader = threading.Thread(target=self._read_log, args=(child,), name=f"{self.role}-log-{child.pid}", daemon=True)
            reader.start()
            props: dict[str, object] = {}
            if child.wait_until(functools.partial(_props, port, self._key, props), timeout_s=LOAD_TIMEOUT_S, interval_s=0.05):
                self._child, self.port = child, port
                log.info("%s %s ready on port %d (pid %d)", self.role, model_name, port, child.pid)
                return
            outcome = child.stop()
            reader.join(timeout=2)
            if any("couldn't bind" in line for line in self._log):
                continue
            detail = _error_line(list(self._log)) or outcome.describe()
            raise self.failure(f"llama.cpp could not load the {self.role} {model_name}: {detail}")
        raise self.failure(f"no free port on 127.0.0.1 after {BIND_RETRIES} tries")

    def _read_log(self, child: Child) -> None:
        for raw in child.stdout_lines():
            line = raw.decode("utf-8", "replace").rstrip()
            if line:
                self._log.append(line)
                log.debug("%s %d: %s", self.role, child.pid, line)

    def post(self, path: str, payload: object, *, timeout_s: float = REQUEST_TIMEOUT_S) -> tuple[int, object]:
        """POST ``payload`` as JSON to ``path`` with the run's key: (the HTTP status, the answer's JSON or None).

        Raises:
            failure: the server is not running, died, or did not answer (one line).
        """
        child = self._child
        if child is None or not child.running():
            raise self.failure(self.crashed())
        conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=timeout_s)
        try:
            conn.request("POST", path, body=json.dumps(payload).encode(), headers={
                "Authorization": f"Bearer {self._key}", "Content-Type": "application/json"})  # fmt: skip
            response = conn.getresponse()
            raw = response.read()
        except (OSError, http.client.HTTPException) as e:
            raise self.failure(self.crashed() if not child.running() else f"the {self.role} did not answer: {e}") from None
        finally:
            conn.close()
        try:
            return response.status, json.loads(raw)
        except ValueError:
            return response.status, None

    def crashed(self) -> str:
        """Why the server is not there, in one line ("the reranker exited with code -9 (killed)")."""
        child = self._child
        if child is None:
            return f"the {self.role} is not running"
        outcome = child.wait(timeout=2) if not child.running() else None
        detail = _error_line(list(self._log))
        reason = outcome.describe() if outcome is not None else f"the {self.role} stopped"
        return f"{reason}: {detail}" if detail else reason

    def close(self, grace_s: float = 3) -> None:
        """Stop the server (terminate its group, kill after ``grace_s``). Safe to call twice."""
        with self._lock:
            child, self._child = self._child, None
        if child is not None:
            child.stop(grace_s)

    def __enter__(self) -> HelperServer:
        return self

    def __exit__(self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None) -> None:
        self.close()
