"""A small OpenAI-compatible server around one llama.cpp model: the runtime child process of a loaded model.

    python -m app.chat.runtime_server --model PATH [--ctx N] [--gpu-layers N|auto] [--threads N]
        [--kv-type f16|q8_0|q4_0] [--flash-attn] [--host 127.0.0.1] [--port 0] [--watch-stdin]

The API key comes from the environment (MODELWERK_RUNTIME_KEY; empty: no auth). stdout carries JSON lines for the parent:
{"event": "loading", ...}, then {"event": "ready", "port": N, "n_ctx": N, "model": NAME} or {"event": "failed",
"error": "one line"} and exit 1. Logs go to stderr.

Endpoints: GET /health, GET /v1/models, POST /v1/completions, POST /v1/chat/completions, POST /tokenize. One generation
runs at a time; a client that disconnects (streaming or not) stops its generation at the next token.

Hostile clients, web pages included: on a loopback address only Host names of this machine are served (DNS rebinding);
a browser request from another origin is refused unless `--allow-origin` names it (CSRF); a POST body must be
`application/json` with a valid Content-Length of at most 64 MiB, checked before anything is read; a connection that sends
nothing for READ_TIMEOUT_S is dropped, and at most MAX_CONNECTIONS are open at once (a new one pushes out the oldest that
has not finished sending its request).
"""

from __future__ import annotations

import argparse
import contextlib
import hmac
import json
import logging
import os
import queue
import re
import select
import socket
import sys
import threading
import time
import uuid
from collections.abc import Callable, Generator, Mapping
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import TYPE_CHECKING, Any

from app.chat.messages import ChatError
from app.chat.runtime import KEY_ENV, is_loopback
from app.chat.runtime_protocol import ApiError, Shape, gen_request, text_content
from procs import jsonlines, watchdog

if TYPE_CHECKING:
    from app.chat.runtime_model import GenRequest, GenResult, LoadedModel
    from app.chat.templates import ChatTemplate

log = logging.getLogger(__name__)

POLL_S = 0.05
"""How often a handler looks for a disconnected client while it waits for the next token."""
KEEPALIVE_S = 5.0
"""An SSE comment this often while no token comes (waiting for the model, a long prompt), so clients do not time out."""
MAX_BODY = 64 << 20
READ_TIMEOUT_S = 15.0
"""A connection that sends (or takes) nothing for this long is dropped: half-sent requests cannot hold threads forever."""
MAX_CONNECTIONS = 32
"""Open connections at most; past this a new one pushes out the oldest that is still sending its request."""
LOOPBACK_NAMES = ("localhost", "127.0.0.1", "[::1]")
_LENGTH = re.compile(r"[0-9]{1,19}")

Route = Callable[[dict[str, Any]], None]


class RuntimeHTTPServer(ThreadingHTTPServer):
    daemon_threads = True
    request_queue_size = 128
    """The listen backlog (socketserver's 5 made bursts of connections wait a second for the SYN to be resent)."""
    model: LoadedModel
    template: ChatTemplate | None
    model_name: str
    api_key: str
    allowed_origins: frozenset[str] = frozenset()
    """Web origins (scheme://host[:port], lower case) whose pages may call this server (CORS)."""

    def __init__(self, address: tuple[str, int], handler: type[BaseHTTPRequestHandler]) -> None:
        self.address_family = socket.AF_INET6 if ":" in address[0] else socket.AF_INET
        super().__init__(address, handler)
        self.loopback = is_loopback(address[0])
        port = self.server_address[1]
        names = {*LOOPBACK_NAMES, f"[{address[0]}]" if ":" in address[0] else address[0].lower()}
        self.own_hosts = frozenset({f"{n}:{port}" for n in names} | (names if port == 80 else set()))
        """The Host header values that name this machine ("127.0.0.1:8080", "localhost:8080", "[::1]:8080")."""
        self._conn_lock = threading.Lock()
        self._open = 0
        self._waiting: dict[socket.socket, float] = {}
        """Connections still sending a request (or idle between two), by when they started waiting."""

    # --- connection cap ------------------------------------------------------------------------------------------------

    def process_request(self, request: Any, client_address: Any) -> None:
        with self._conn_lock:
            if self._open >= MAX_CONNECTIONS:
                victim = min(self._waiting, key=self._waiting.__getitem__, default=None)
                if victim is None:  # every connection has a request in progress: this one waits its turn elsewhere
                    _refuse(request)
                    return
                del self._waiting[victim]
                log.info("too many connections: dropped the oldest idle one")
                _shutdown(victim)
            self._open += 1
            self._waiting[request] = time.monotonic()
        super().process_request(request, client_address)

    def process_request_thread(self, request: Any, client_address: Any) -> None:
        try:
            super().process_request_thread(request, client_address)
        finally:
            with self._conn_lock:
                self._open -= 1
                self._waiting.pop(request, None)

    def set_waiting(self, conn: socket.socket, waiting: bool) -> None:
        """A handler reads a request (True) or has read one whole and works on it (False)."""
        with self._conn_lock:
            if waiting:
                self._waiting[conn] = time.monotonic()
            else:
                self._waiting.pop(conn, None)


def _refuse(sock: socket.socket) -> None:
    """Answer 503 and close, from the accepting thread: never blocks for long."""
    body = b'{"error": {"message": "too many connections: try again", "type": "server_error", "code": 503}}'
    head = f"HTTP/1.1 503 Service Unavailable\r\nContent-Type: application/json\r\nContent-Length: {len(body)}\r\n"
    with contextlib.suppress(OSError):
        sock.settimeout(0.5)
        sock.sendall(head.encode() + b"Connection: close\r\nRetry-After: 1\r\n\r\n" + body)
    _shutdown(sock)
    sock.close()


def _shutdown(sock: socket.socket) -> None:
    with contextlib.suppress(OSError):
        sock.shutdown(socket.SHUT_RDWR)


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    timeout = READ_TIMEOUT_S
    server: RuntimeHTTPServer

    def log_message(self, format: str, *args: Any) -> None:
        log.debug("%s " + format, self.address_string(), *args)

    # --- routing -----------------------------------------------------------------------------------------------------

    def handle_one_request(self) -> None:
        self.server.set_waiting(self.connection, True)
        super().handle_one_request()

    def do_GET(self) -> None:
        self._dispatch({"/health": self._health, "/v1/models": self._models, "/models": self._models})

    def do_POST(self) -> None:
        self._dispatch({
            "/v1/completions": self._completions, "/completions": self._completions,
            "/v1/chat/completions": self._chat, "/chat/completions": self._chat, "/tokenize": self._tokenize,
        })  # fmt: skip

    def do_OPTIONS(self) -> None:
        """A browser's CORS preflight: answered for the origins --allow-origin names, refused for any other."""
        try:
            self._check_caller()
            if self._cors_origin() is None:
                raise ApiError(403, "cross-origin requests are refused: start the server with --allow-origin ORIGIN",
                               "permission_error")  # fmt: skip
        except ApiError as e:
            self._send_error(e)
            return
        self.send_response(204)
        self._cors_headers()
        self.send_header("Access-Control-Allow-Methods", "GET, POST, OPTIONS")
        self.send_header("Access-Control-Allow-Headers", "Authorization, Content-Type, X-Api-Key")
        self.send_header("Access-Control-Max-Age", "600")
        self.send_header("Content-Length", "0")
        self.end_headers()

    def _dispatch(self, routes: Mapping[str, Route]) -> None:
        path = self.path.split("?", 1)[0].rstrip("/") or "/"
        try:
            self._check_caller()
            route = routes.get(path)
            if route is None:
                raise ApiError(404, f"no such endpoint: {self.command} {path}", "not_found_error")
            if path != "/health" and not self._authorized():
                raise ApiError(401, "Invalid API Key", "authentication_error")
            body = self._body() if self.command == "POST" else {}
            self.server.set_waiting(self.connection, False)
            route(body)
        except ApiError as e:
            self._send_error(e)
        except ChatError as e:
            self._send_error(ApiError(400, str(e)))
        except (BrokenPipeError, ConnectionResetError, TimeoutError):
            log.debug("client went away")
            self.close_connection = True
        except Exception as e:  # a bug: answer 500 rather than leave the client hanging
            log.exception("request failed")
            self._send_error(ApiError(500, f"internal error: {e}", "server_error"))

    def _check_caller(self) -> None:
        """Refuse what a web page could send: another Host on a loopback bind (DNS rebinding), another Origin (CSRF).

        Raises:
            ApiError: 403.
        """
        host = (self.headers.get("Host") or "").strip().lower()
        if self.server.loopback and host and host not in self.server.own_hosts:
            raise ApiError(403, f"refused: Host {host[:100]!r} is not this machine (this server answers only "
                                "localhost, 127.0.0.1 and [::1])", "permission_error")  # fmt: skip
        origin = self.headers.get("Origin")
        if origin is not None and origin.strip().lower() != f"http://{host}" and self._cors_origin() is None:
            raise ApiError(403, f"refused: a cross-origin request from {origin.strip()[:100]!r} (start the server with "
                                "--allow-origin ORIGIN to allow a web page)", "permission_error")  # fmt: skip

    def _cors_origin(self) -> str | None:
        """The request's Origin when --allow-origin allows it, else None."""
        origin = (self.headers.get("Origin") or "").strip().lower().rstrip("/")
        return origin if origin and origin in self.server.allowed_origins else None

    def _cors_headers(self) -> None:
        origin = self._cors_origin()
        if origin is not None:
            self.send_header("Access-Control-Allow-Origin", self.headers.get("Origin", "").strip())
            self.send_header("Vary", "Origin")

    def _authorized(self) -> bool:
        key = self.server.api_key
        if not key:
            return True
        auth = self.headers.get("Authorization", "")
        given = auth[7:].strip() if auth.lower().startswith("bearer ") else self.headers.get("X-Api-Key", "")
        return hmac.compare_digest(given.encode(), key.encode())

    # --- plumbing ----------------------------------------------------------------------------------------------------

    def _body(self) -> dict[str, Any]:
        """The JSON object of a POST, read only after its headers passed: JSON type, one valid length, at most MAX_BODY.

        Raises:
            ApiError: 400, 411, 413 or 415, before a byte of the body is read.
        """
        ctype = (self.headers.get("Content-Type") or "").split(";", 1)[0].strip().lower()
        if ctype != "application/json":
            raise ApiError(415, "send the request body as JSON with the header Content-Type: application/json")
        if self.headers.get("Transfer-Encoding") is not None:
            raise ApiError(411, "send the body with a Content-Length (Transfer-Encoding is not supported)")
        lengths = {v.strip() for v in self.headers.get_all("Content-Length") or ()}
        if len(lengths) > 1 or not all(_LENGTH.fullmatch(v) for v in lengths):
            raise ApiError(400, "Content-Length must be one whole number of bytes")
        length = int(lengths.pop()) if lengths else 0
        if length > MAX_BODY:
            raise ApiError(413, f"the request body is larger than {MAX_BODY >> 20} MiB")
        raw = self.rfile.read(length) if length else b"{}"
        if len(raw) < length:
            raise ApiError(400, "the request body ended before its Content-Length")
        try:
            body = json.loads(raw)
        except ValueError as e:
            raise ApiError(400, f"the request body is not JSON: {e}") from e
        if not isinstance(body, dict):
            raise ApiError(400, "the request body must be a JSON object")
        return body

    def _send_error(self, e: ApiError) -> None:
        """The error as OpenAI's JSON; the connection closes (a body we did not read must not pass for a request)."""
        self._send_json({"error": {"message": str(e), "type": e.kind, "code": e.status}}, status=e.status, close=True)

    def _send_json(self, obj: Any, *, status: int = 200, close: bool = False) -> None:
        data = json.dumps(obj).encode()
        try:
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(data)))
            self._cors_headers()
            if close:
                self.send_header("Connection", "close")
            self.end_headers()
            self.wfile.write(data)
        except (BrokenPipeError, ConnectionResetError):
            log.debug("client went away before the answer")

    def _client_gone(self) -> bool:
        """The client closed its end (EOF or error on the socket): nobody reads what we generate."""
        sock = self.connection
        try:
            readable, _, _ = select.select([sock], [], [], 0)
            if not readable:
                return False
            return bool(sock.recv(1, socket.MSG_PEEK) == b"")
        except (OSError, ValueError):
            return True

    # --- endpoints ---------------------------------------------------------------------------------------------------

    def _health(self, body: dict[str, Any]) -> None:
        model = self.server.model
        last = model.last
        self._send_json({"status": "ok", "busy": model.lock.locked(), "last": None if last is None else {
            "finish_reason": last.finish_reason, "prompt_tokens": last.prompt_tokens,
            "completion_tokens": last.completion_tokens}})  # fmt: skip

    def _models(self, body: dict[str, Any]) -> None:
        meta = {"n_ctx": self.server.model.n_ctx}
        self._send_json({"object": "list",
                         "data": [{"id": self.server.model_name, "object": "model", "owned_by": "modelwerk", "meta": meta}]})

    def _tokenize(self, body: dict[str, Any]) -> None:
        content = body.get("content")
        if not isinstance(content, str):
            raise ApiError(400, '"content" must be a string')
        add_special = bool(body.get("add_special", False))
        self._send_json({"tokens": self.server.model.tokenize(content, add_bos=add_special)})

    def _completions(self, body: dict[str, Any]) -> None:
        prompt = body.get("prompt", "")
        if isinstance(prompt, list) and len(prompt) == 1 and isinstance(prompt[0], str):
            prompt = prompt[0]
        if not isinstance(prompt, str):
            raise ApiError(400, '"prompt" must be a string')
        self._generate(body, prompt, chat=False, stops=())

    def _chat(self, body: dict[str, Any]) -> None:
        from app.chat.runtime_model import TURN_DELIMITERS
        from app.chat.templates import render_messages

        messages = body.get("messages")
        if not isinstance(messages, list) or not messages or not all(isinstance(m, dict) for m in messages):
            raise ApiError(400, '"messages" must be a non-empty list of objects')
        template = self.server.template
        if template is None:
            raise ApiError(400, "this model has no chat template: use /v1/completions")
        kwargs = dict(body.get("chat_template_kwargs") or {})
        if body.get("reasoning_effort") is not None:
            kwargs.setdefault("reasoning_effort", body["reasoning_effort"])
        msgs = [{**m, "content": text_content(m.get("content"))} for m in messages]
        prompt = render_messages(template, msgs, add_generation_prompt=True, **kwargs)
        stops = tuple(d for d in TURN_DELIMITERS if d in template.text)
        self._generate(body, prompt, chat=True, stops=stops)

    def _generate(self, body: Mapping[str, Any], prompt: str, *, chat: bool, stops: tuple[str, ...]) -> None:
        from app.chat.runtime_model import GenResult

        model = self.server.model
        req = gen_request(body, extra_stops=stops)
        tokens = model.tokenize(prompt)
        if len(tokens) >= model.n_ctx:
            raise ApiError(400, f"the prompt has {len(tokens)} tokens; the context holds {model.n_ctx}")
        result = GenResult()
        ident = ("chatcmpl-" if chat else "cmpl-") + uuid.uuid4().hex[:24]
        shape = Shape(ident=ident, model=self.server.model_name, chat=chat)
        if body.get("stream"):
            self._stream(tokens, req, result, shape)
            return
        text = "".join(p for p in self._watched(tokens, req, result) if p is not None)
        self._send_json(shape.whole(text, result))

    def _watched(self, tokens: list[int], req: GenRequest, result: GenResult) -> Generator[str | None, None, None]:
        """Generate on a worker thread and yield its text as it comes, or None every POLL_S while none does; meanwhile
        watch the client: when it goes away the generation stops (at its next token, or before it starts when it waits
        for the model) and this raises BrokenPipeError. Closing the iterator early stops it too."""
        model = self.server.model
        cancel = threading.Event()
        pieces: queue.Queue[tuple[str, Any]] = queue.Queue()

        def produce() -> None:
            try:
                with model.lock:
                    if cancel.is_set():
                        result.finish_reason = "cancelled"
                        return
                    for text in model.generate(tokens, req, cancel=cancel, result=result):
                        pieces.put(("text", text))
            except Exception as e:
                log.debug("generation failed", exc_info=True)
                pieces.put(("error", e))
            finally:
                pieces.put(("end", None))

        worker = threading.Thread(target=produce, name="generate", daemon=True)
        worker.start()
        try:
            while True:
                try:
                    kind, value = pieces.get(timeout=POLL_S)
                except queue.Empty:
                    if self._client_gone():
                        raise BrokenPipeError from None
                    yield None
                    continue
                if kind == "end":
                    return
                if kind == "error":
                    raise value
                if self._client_gone():
                    raise BrokenPipeError
                yield value
        except (BrokenPipeError, ConnectionResetError):
            log.info("client disconnected: generation stopped")
            raise
        finally:
            cancel.set()  # no-op when it ended normally
            worker.join()

    def _stream(self, tokens: list[int], req: GenRequest, result: GenResult, shape: Shape) -> None:
        """Forward the generation's pieces as SSE; a client gone stops it (see _watched)."""
        self.send_response(200)
        self.send_header("Content-Type", "text/event-stream")
        self.send_header("Cache-Control", "no-cache")
        self._cors_headers()
        self.send_header("Connection", "close")
        self.end_headers()
        self.close_connection = True
        try:
            if shape.chat:
                self._event(shape.chunk({"role": "assistant", "content": ""}))
            last_write = time.monotonic()
            pieces = self._watched(tokens, req, result)
            try:
                for piece in pieces:
                    if piece is not None:
                        self._event(shape.chunk(piece))
                        last_write = time.monotonic()
                    elif time.monotonic() - last_write > KEEPALIVE_S:
                        self.wfile.write(b": keep-alive\n\n")
                        last_write = time.monotonic()
            except OSError:
                raise
            except Exception as e:  # the model failed: say so in the stream
                msg = str(e) if isinstance(e, ChatError) else f"generation failed: {e}"
                self._event({"error": {"message": " ".join(msg.split()), "type": "server_error", "code": 500}})
                return
            finally:
                pieces.close()
            self._event(shape.final(result))
            self.wfile.write(b"data: [DONE]\n\n")
            self.wfile.flush()
        except OSError:  # BrokenPipeError, ConnectionResetError, a write timeout: nobody reads any more
            log.debug("stream ended early: the client went away")

    def _event(self, obj: Mapping[str, Any]) -> None:
        self.wfile.write(b"data: " + json.dumps(obj).encode() + b"\n\n")
        self.wfile.flush()


# --- the process ---------------------------------------------------------------------------------------------------------


emit = jsonlines.Writer().emit
"""One event (a JSON line on stdout) for the parent: loading, failed, ready."""


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    p = argparse.ArgumentParser(prog="python -m app.chat.runtime_server", description=__doc__.splitlines()[0])
    p.add_argument("--model", required=True, type=Path)
    p.add_argument("--name", default="", help="the model name served (default: the file name)")
    p.add_argument("--ctx", type=int, default=4096)
    p.add_argument("--gpu-layers", default="auto", help="layers on the GPU, or auto (from the fit estimate)")
    p.add_argument("--threads", type=int, default=0, help="0: the physical cores")
    p.add_argument("--kv-type", default="f16", choices=["f16", "q8_0", "q4_0"])
    p.add_argument("--flash-attn", action="store_true")
    p.add_argument("--host", default="127.0.0.1")
    p.add_argument("--port", type=int, default=0)
    p.add_argument("--allow-origin", action="append", default=[], metavar="ORIGIN",
                   help="a web origin (scheme://host[:port]) whose pages may call this server; repeatable")  # fmt: skip
    p.add_argument("--watch-stdin", action="store_true", help="exit when stdin closes (the parent went away)")
    return p.parse_args(argv)


def _gpu_layers(args: argparse.Namespace) -> int:
    if args.gpu_layers != "auto":
        try:
            return int(args.gpu_layers)
        except ValueError:
            raise ChatError(f"--gpu-layers must be a number or auto, not {args.gpu_layers!r}") from None
    import llama_cpp

    from app.chat.runtime import LoadOptions, auto_gpu_layers

    if not llama_cpp.llama_supports_gpu_offload():
        return 0
    from formats.gguf_info import inspect_gguf
    from hardware.probe import probe

    options = LoadOptions(context=args.ctx, kv_type=args.kv_type, flash_attn=args.flash_attn)
    return auto_gpu_layers(inspect_gguf(args.model), probe(), options)


def _template(path: Path) -> ChatTemplate | None:
    from app.chat.templates import template_for
    from formats.gguf_info import inspect_gguf

    try:
        return template_for(inspect_gguf(path))
    except Exception as e:  # no template: /v1/chat/completions answers 400, the rest works
        log.warning("no chat template for %s: %s", path.name, e)
        return None


def serve(args: argparse.Namespace) -> int:
    """Load, bind, announce, serve until killed."""
    from app.chat.runtime_model import LoadedModel

    if args.watch_stdin or watchdog.requested():
        watchdog.watch_stdin()  # a crashed app leaves no runtime behind
    name = args.name or args.model.name
    emit("loading", model=name, path=str(args.model))
    try:
        if not args.model.is_file():
            raise ChatError(f"no model file at {args.model}")
        threads = args.threads or _physical_cores()
        model = LoadedModel(args.model, n_ctx=args.ctx, gpu_layers=_gpu_layers(args), threads=threads,
                            kv_type=args.kv_type, flash_attn=args.flash_attn)  # fmt: skip
        server = RuntimeHTTPServer((args.host, args.port), Handler)
    except (ChatError, OSError) as e:
        emit("failed", error=" ".join(str(e).split()) or type(e).__name__)
        return 1
    server.model, server.model_name = model, name
    server.template = _template(args.model)
    server.api_key = os.environ.get(KEY_ENV, "")
    server.allowed_origins = frozenset(o.strip().lower().rstrip("/") for o in args.allow_origin)
    emit("ready", port=server.server_address[1], n_ctx=model.n_ctx, model=name, threads=threads)
    try:
        server.serve_forever(poll_interval=0.2)
    finally:
        server.server_close()
    return 0


def _physical_cores() -> int:
    import psutil

    return psutil.cpu_count(logical=False) or os.cpu_count() or 1


def main(argv: list[str] | None = None) -> int:
    logging.basicConfig(level=logging.INFO, stream=sys.stderr, format="%(levelname)s %(name)s: %(message)s")
    return serve(parse_args(argv))


if __name__ == "__main__":
    sys.exit(main())
