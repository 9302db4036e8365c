"""The gate of `modelwerk serve`: a small threaded HTTP front that checks every request, then forwards it to the model's
llama-server (a private runtime on a loopback port, with a private key) and streams the answer back.

llama-server checks an API key, but neither Host nor Origin, and reads what a client sends as it comes. The gate refuses
what hostile clients and web pages can send before any of it reaches the model:
- on a loopback address only Host names of this machine are served (DNS rebinding);
- a browser request from another origin is refused unless `allow_origins` names it (CSRF); llama-server's own CORS
  headers never reach the client, ours do;
- the user's key (if any) is checked here; the private key of the runtime never leaves this process;
- a POST body must be `application/json` with a valid Content-Length of at most 64 MiB, checked before anything is read;
- a connection that sends (or takes) nothing for READ_TIMEOUT_S is dropped, and at most MAX_CONNECTIONS are open at once
  (a new one pushes out the oldest that has not finished sending its request);
- a client that goes away closes the upstream connection, and llama-server stops that generation.

Forwarding is byte for byte (`Connection: close` on both sides, so the upstream's framing, chunked or not, is the
client's): a streamed answer costs the gate one recv and one send per chunk.
"""

from __future__ import annotations

import contextlib
import hmac
import json
import logging
import re
import select
import socket
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any, Protocol

from app.chat.runtime import is_loopback

log = logging.getLogger(__name__)

__all__ = ["Gate", "Upstream"]

POLL_S = 0.25
"""How often a forwarding thread looks for a client that went away while the upstream is quiet (a long prompt)."""
MAX_BODY = 64 << 20
MAX_HEAD = 64 << 10
"""The upstream's response head at most (llama-server's are a few hundred bytes)."""
READ_TIMEOUT_S = 15.0
"""A connection that sends (or takes) nothing for this long is dropped: half-sent requests cannot hold threads forever."""
MAX_CONNECTIONS = 32
"""Open connections at most; past this a new one pushes out the oldest that is still sending its request."""
LOOPBACK_NAMES = ("localhost", "127.0.0.1", "[::1]")
_LENGTH = re.compile(r"[0-9]{1,19}")
_DROPPED = ("connection", "keep-alive", "proxy-connection", "server")
"""Upstream response headers the gate does not pass on (besides access-control-*)."""


class Upstream(Protocol):
    """Where the gate forwards to: a ready Runtime (its port and private key)."""

    @property
    def port(self) -> int: ...

    @property
    def key(self) -> str: ...


class ApiError(Exception):
    def __init__(self, status: int, message: str, kind: str = "invalid_request_error") -> None:
        super().__init__(message)
        self.status = status
        self.kind = kind


class GateServer(ThreadingHTTPServer):
    daemon_threads = True
    request_queue_size = 128
    """The listen backlog (socketserver's 5 made bursts of connections wait a second for the SYN to be resent)."""

    def __init__(self, address: tuple[str, int], *, api_key: str, allow_origins: tuple[str, ...],
                 upstream: Upstream) -> None:  # fmt: skip
        self.address_family = socket.AF_INET6 if ":" in address[0] else socket.AF_INET
        super().__init__(address, GateHandler)
        self.api_key = api_key
        self.upstream = upstream
        self.allowed_origins = frozenset(o.strip().lower().rstrip("/") for o in allow_origins)
        """Web origins (scheme://host[:port], lower case) whose pages may call this server (CORS)."""
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


class _ClientGone(Exception):
    pass


class GateHandler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    timeout = READ_TIMEOUT_S
    server: GateServer

    def log_message(self, format: str, *args: Any) -> None:
        log.debug("%s " + format, self.address_string(), *args)

    def handle_one_request(self) -> None:
        self.server.set_waiting(self.connection, True)
        super().handle_one_request()

    def do_GET(self) -> None:
        self._dispatch()

    def do_POST(self) -> None:
        self._dispatch()

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

    def _dispatch(self) -> None:
        path = self.path.split("?", 1)[0].rstrip("/") or "/"
        try:
            self._check_caller()
            if not self.path.startswith("/"):
                raise ApiError(400, "the request target must be a path")
            if path not in ("/health", "/v1/health") and not self._authorized():
                raise ApiError(401, "Invalid API Key", "authentication_error")
            body = self._body() if self.command == "POST" else b""
            self.server.set_waiting(self.connection, False)
            self._forward(body)
        except ApiError as e:
            self._send_error(e)
        except (_ClientGone, BrokenPipeError, ConnectionResetError, TimeoutError):
            log.debug("client went away")
            self.close_connection = True
        except Exception as e:  # a bug: answer 500 rather than leave the client hanging
            log.exception("request failed")
            self._send_error(ApiError(500, f"internal error: {e}", "server_error"))

    # --- checks --------------------------------------------------------------------------------------------------------

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
        if self._cors_origin() is not None:
            self.send_header("Access-Control-Allow-Origin", self.headers.get("Origin", "").strip())
            self.send_header("Vary", "Origin")

    def _authorized(self) -> bool:
        key = self.server.api_key
        if not key:
            return True
        auth = self.headers.get("Authorization", "")
        given = auth[7:].strip() if auth.lower().startswith("bearer ") else self.headers.get("X-Api-Key", "")
        return hmac.compare_digest(given.encode(), key.encode())

    def _body(self) -> bytes:
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
        return raw

    # --- answers -------------------------------------------------------------------------------------------------------

    def _send_error(self, e: ApiError) -> None:
        """The error as OpenAI's JSON; the connection closes (a body we did not read must not pass for a request)."""
        data = json.dumps({"error": {"message": str(e), "type": e.kind, "code": e.status}}).encode()
        try:
            self.send_response(e.status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(data)))
            self._cors_headers()
            self.send_header("Connection", "close")
            self.end_headers()
            self.wfile.write(data)
        except OSError:
            log.debug("client went away before the answer")
        self.close_connection = True

    # --- forwarding ------------------------------------------------------------------------------------------------------

    def _forward(self, body: bytes) -> None:
        """Send the request to the runtime with its private key; relay its answer while watching the client."""
        up = self.server.upstream
        port, key = up.port, up.key
        if not port:
            raise ApiError(503, "the model is not running", "server_error")
        try:
            upstream = socket.create_connection(("127.0.0.1", port), timeout=10)
        except OSError as e:
            raise ApiError(503, f"the model's server is not running ({e.strerror or e})", "server_error") from e
        self.close_connection = True
        for sock in (upstream, self.connection):  # one small write per token: Nagle would hold each for an ACK
            with contextlib.suppress(OSError):
                sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        with upstream:
            head = [f"{self.command} {self.path} HTTP/1.1", f"Host: 127.0.0.1:{port}", "Connection: close",
                    f"Authorization: Bearer {key}"]  # fmt: skip
            accept = self.headers.get("Accept")
            if accept and "\r" not in accept and "\n" not in accept:
                head.append(f"Accept: {accept}")
            if self.command == "POST":
                head += ["Content-Type: application/json", f"Content-Length: {len(body)}"]
            upstream.sendall(("\r\n".join(head) + "\r\n\r\n").encode("latin-1") + body)
            upstream.settimeout(None)
            try:
                self._relay(upstream)
            except _ClientGone:
                log.info("client disconnected: generation stopped")  # closing upstream makes llama-server stop
                raise

    def _relay(self, upstream: socket.socket) -> None:
        client = self.connection
        buffered = b""
        while b"\r\n\r\n" not in buffered:
            data = self._recv(upstream, client)
            if not data:
                raise ApiError(502, "the model's server closed the connection without answering", "server_error")
            buffered += data
            if len(buffered) > MAX_HEAD:
                raise ApiError(502, "the model's server sent an oversized answer head", "server_error")
        head, rest = buffered.split(b"\r\n\r\n", 1)
        lines = head.decode("latin-1").split("\r\n")
        out = [lines[0]]
        for line in lines[1:]:
            name = line.split(":", 1)[0].strip().lower()
            if name in _DROPPED or name.startswith("access-control-"):
                continue
            out.append(line)
        origin = self._cors_origin()
        if origin is not None:
            out += [f"Access-Control-Allow-Origin: {self.headers.get('Origin', '').strip()}", "Vary: Origin"]
        out.append("Connection: close")
        client.sendall(("\r\n".join(out) + "\r\n\r\n").encode("latin-1") + rest)
        while True:
            data = self._recv(upstream, client)
            if not data:
                return
            client.sendall(data)

    def _recv(self, upstream: socket.socket, client: socket.socket) -> bytes:
        """The upstream's next bytes (b"" at its end); meanwhile watch the client.

        Raises:
            _ClientGone: the client closed its end.
        """
        watch = [upstream, client]
        while True:
            readable, _, _ = select.select(watch, [], [], POLL_S)
            if client in readable:
                try:
                    peek = client.recv(1, socket.MSG_PEEK)
                except (OSError, ValueError):
                    raise _ClientGone from None
                if not peek:
                    raise _ClientGone
                watch = [upstream]  # it sent more (a pipelined request): answered never, but no busy loop either
            if upstream in readable:
                return upstream.recv(65536)


class Gate:
    """The gate, bound at once (a taken port fails here) and serving from a thread once `serve` is called."""

    def __init__(self, host: str, port: int, *, api_key: str, allow_origins: tuple[str, ...], upstream: Upstream) -> None:
        """Bind host:port.

        Raises:
            OSError: the address is taken or not this machine's.
        """
        self._server = GateServer((host, port), api_key=api_key, allow_origins=allow_origins, upstream=upstream)
        self._thread: threading.Thread | None = None

    @property
    def port(self) -> int:
        return int(self._server.server_address[1])

    def serve(self) -> None:
        """Start answering (from a background thread)."""
        self._thread = threading.Thread(target=self._server.serve_forever, kwargs={"poll_interval": 0.2},
                                        name="gate", daemon=True)  # fmt: skip
        self._thread.start()

    def close(self) -> None:
        if self._thread is not None:
            self._server.shutdown()
            self._thread.join(timeout=5)
        self._server.server_close()
