"""An OpenAI-compatible chat client: our own runtimes, llama.cpp server, vLLM, Ollama, any /v1 endpoint.

Built on the standard library's http.client rather than httpx: a stream must be closable from another thread (the
Stop button) and stop the server within a token, and with http.client we hold the socket, so `Stream.close()` shuts it
down, which wakes a reader blocked in recv at once and makes the server see the disconnect. Proxies come from the
environment (HTTP(S)_PROXY, NO_PROXY) as urllib reads them; loopback addresses never go through a proxy.
"""

from __future__ import annotations

import contextlib
import http.client
import json
import logging
import socket
import ssl
import threading
import urllib.parse
import urllib.request
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from app.chat.messages import ChatError, RuntimeUnavailable, Sampling
from core.messages import Message

log = logging.getLogger(__name__)

__all__ = ["ChatClient", "Delta", "Stream"]

STREAM_READ_TIMEOUT_S = 300.0
"""Longest silence allowed inside a stream (a long prompt on a slow machine; our runtime sends keep-alives every 5 s)."""
LOOPBACK = ("127.0.0.1", "localhost", "::1")


@dataclass(frozen=True)
class Delta:
    """One streamed chunk: answer text, reasoning text (reasoning_content), and at the end the finish reason and usage."""

    text: str = ""
    reasoning: str = ""
    finish_reason: str | None = None
    prompt_tokens: int | None = None
    completion_tokens: int | None = None
    tool_calls: tuple[dict[str, Any], ...] = ()
    """Pieces of tool calls (OpenAI streams a call's arguments in fragments, joined by ``index``)."""


class Stream:
    """The deltas of one streamed response. Iterate it once; `close()` (any thread) ends it and the server stops."""

    def __init__(self, conn: http.client.HTTPConnection, response: http.client.HTTPResponse, *, chat: bool,
                 where: str, read_timeout_s: float) -> None:  # fmt: skip
        self._conn = conn
        self._response = response
        self._chat = chat
        self._where = where
        self._read_timeout_s = read_timeout_s
        self._closed = threading.Event()
        self._lock = threading.Lock()
        self._iterating = False
        self._done = False

    @property
    def closed(self) -> bool:
        return self._closed.is_set()

    def close(self) -> None:
        """End the response now: shut the socket (wakes a blocked reader), so the server stops generating."""
        if self._closed.is_set():
            return
        self._closed.set()
        sock = self._conn.sock
        if sock is not None:
            with contextlib.suppress(OSError):
                sock.shutdown(socket.SHUT_RDWR)
        with self._lock:
            if not self._iterating:
                self._release()

    def _release(self) -> None:
        with contextlib.suppress(Exception):
            self._response.close()
        with contextlib.suppress(Exception):
            self._conn.close()

    def __enter__(self) -> Stream:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def __iter__(self) -> Iterator[Delta]:
        with self._lock:
            if self._iterating or self._done:
                raise RuntimeError("a Stream can be iterated once")
            self._iterating = True
        try:
            yield from self._deltas()
        finally:
            with self._lock:
                self._iterating = False
                self._done = True
                self._closed.set()
                self._release()

    def _lines(self) -> Iterator[bytes]:
        sock = self._conn.sock
        if sock is not None:
            sock.settimeout(self._read_timeout_s)
        while not self._closed.is_set():
            try:
                line = self._response.readline()
            except (OSError, ValueError, AttributeError, http.client.HTTPException) as e:
                if self._closed.is_set():
                    return
                if isinstance(e, TimeoutError):
                    raise RuntimeUnavailable(Message("{where} sent nothing for {read_timeout_s} s", where=str(self._where),
                                                     read_timeout_s=format(self._read_timeout_s, 'g'))) from e
                raise RuntimeUnavailable(Message("the connection to {where} was lost mid-answer: {reason}",
                                                 where=str(self._where), reason=str(_one_line(e)))) from e
            if not line:
                if self._closed.is_set():
                    return
                raise RuntimeUnavailable(Message("the connection to {where} was lost mid-answer", where=str(self._where)))
            yield line

    def _deltas(self) -> Iterator[Delta]:
        for raw in self._lines():
            line = raw.strip()
            if not line.startswith(b"data:"):
                continue  # blank separators, ": keep-alive" comments, "event:" lines
            data = line[5:].strip()
            if data == b"[DONE]":
                return
            try:
                obj = json.loads(data)
            except (ValueError, RecursionError):  # RecursionError: nesting a hostile server sent past the stack
                log.debug("not JSON in the stream: %r", data[:200])
                continue
            if not isinstance(obj, dict):
                continue
            if "error" in obj:
                raise ChatError(Message("{where}: {reason}", where=str(self._where), reason=str(_error_message(obj))))
            delta = _delta(obj, chat=self._chat)
            if delta is not None:
                yield delta
        # The loop ends without [DONE] only when we closed the stream ourselves.


def _delta(obj: Mapping[str, Any], *, chat: bool) -> Delta | None:
    text = reasoning = ""
    finish = None
    calls: tuple[dict[str, Any], ...] = ()
    choices = obj.get("choices") or []
    if choices and isinstance(choices[0], dict):
        choice = choices[0]
        finish = choice.get("finish_reason") or None
        if chat:
            d = choice.get("delta") or choice.get("message") or {}
            text = d.get("content") or ""
            reasoning = d.get("reasoning_content") or d.get("reasoning") or ""
            if isinstance(d.get("tool_calls"), list):
                calls = tuple(c for c in d["tool_calls"] if isinstance(c, dict))
        else:
            text = choice.get("text") or ""
    usage: Mapping[str, Any] = obj["usage"] if isinstance(obj.get("usage"), dict) else {}
    prompt, completion = usage.get("prompt_tokens"), usage.get("completion_tokens")
    if not (text or reasoning or finish or calls or prompt is not None or completion is not None):
        return None
    return Delta(text=str(text), reasoning=str(reasoning), finish_reason=finish,
                 prompt_tokens=int(prompt) if prompt is not None else None,
                 completion_tokens=int(completion) if completion is not None else None, tool_calls=calls)  # fmt: skip


def _error_message(obj: Any) -> str:
    err = obj.get("error") if isinstance(obj, dict) else None
    if isinstance(err, dict):
        return _one_line(str(err.get("message") or err))
    if isinstance(err, str):
        return _one_line(err)
    if isinstance(obj, dict) and obj.get("detail"):
        return _one_line(str(obj["detail"]))
    return _one_line(json.dumps(obj)[:200])


def _one_line(e: object) -> str:
    text = " ".join(str(e).split())
    return text or type(e).__name__


class ChatClient:
    """Speaks the OpenAI protocol to one base URL (ending in /v1). Thread-safe: each call has its own connection."""

    def __init__(self, base_url: str, *, api_key: str | None = None, timeout_s: float = 30,
                 supports_raw_prompt: bool = False) -> None:  # fmt: skip
        """
        Args:
            base_url: e.g. http://127.0.0.1:8080/v1.
            api_key: sent as a Bearer token; None: none.
            timeout_s: connecting and waiting for an answer's headers (a stream may then be quiet for longer).
            supports_raw_prompt: the server takes raw prompts at /v1/completions and renders nothing itself (our runtime);
                say so for a remote llama.cpp server if you know its template matches.
        """
        parts = urllib.parse.urlsplit(base_url.rstrip("/"))
        if parts.scheme not in ("http", "https") or not parts.hostname:
            raise ChatError(Message("not an http(s) URL: {base_url}", base_url=repr(base_url)))
        self.base_url = base_url.rstrip("/")
        self._parts = parts
        self._api_key = api_key
        self.timeout_s = timeout_s
        self.supports_raw_prompt = supports_raw_prompt
        self._has_tokenize: bool | None = None
        host = parts.hostname
        self._where = f"{host}:{parts.port}" if parts.port else host

    def __repr__(self) -> str:  # never the key
        return f"ChatClient({self.base_url!r}, key={'yes' if self._api_key else 'no'})"

    # --- public calls ------------------------------------------------------------------------------------------------

    def models(self) -> list[str]:
        """The model ids the server offers (GET /models)."""
        obj = self._json("GET", self._url("/models"))
        data = obj.get("data") if isinstance(obj, dict) else None
        if not isinstance(data, list):
            data = obj.get("models", []) if isinstance(obj, dict) else []
        return [str(m.get("id") or m.get("name")) for m in data if isinstance(m, dict) and (m.get("id") or m.get("name"))]

    def stream_chat(self, messages: Sequence[Mapping[str, Any]], *, sampling: Sampling, model: str = "",
                    extra: Mapping[str, Any] | None = None) -> Stream:  # fmt: skip
        """Start a streamed chat completion; `extra` adds request fields (chat_template_kwargs, reasoning_effort...)."""
        body: dict[str, Any] = {"model": model, "messages": [dict(m) for m in messages], **sampling.to_openai()}
        body.update(extra or {})
        body.update(stream=True, stream_options={"include_usage": True})
        return self._stream(self._url("/chat/completions"), body, chat=True)

    def stream_completion(self, prompt: str, *, sampling: Sampling, stop: Sequence[str] = (), model: str = "",
                          extra: Mapping[str, Any] | None = None) -> Stream:  # fmt: skip
        """Start a streamed text completion of a raw prompt; `extra` adds request fields (preserved_tokens...)."""
        body: dict[str, Any] = {"model": model, "prompt": prompt, **sampling.to_openai()}
        body.update(extra or {})
        body.update(stream=True, stream_options={"include_usage": True})
        if stop:
            body["stop"] = list(stop)
        return self._stream(self._url("/completions"), body, chat=False)

    def top_logprobs(
        self, messages: Sequence[Mapping[str, Any]], *, top: int = 10, model: str = ""
    ) -> list[tuple[str, float]]:
        """The first answer token's ``top`` most likely tokens with their log probabilities, greedy and one token long
        (OpenAI's ``logprobs``/``top_logprobs``; llama.cpp's server has them). Empty when the server gives none."""
        body = {"model": model, "messages": [dict(m) for m in messages], "max_tokens": 1, "temperature": 0.0,
                "logprobs": True, "top_logprobs": top}  # fmt: skip
        obj = self._json("POST", self._url("/chat/completions"), body)
        try:
            content = obj["choices"][0]["logprobs"]["content"][0]["top_logprobs"]
            return [(str(t["token"]), float(t["logprob"])) for t in content]
        except (KeyError, IndexError, TypeError, ValueError):
            return []

    def tokenize(self, text: str) -> list[int] | None:
        """Token ids of `text` (llama.cpp server's POST /tokenize); None when the server has no such endpoint."""
        if self._has_tokenize is False:
            return None
        try:
            obj = self._json("POST", self._root_url("/tokenize"), {"content": text})
        except _HttpError as e:
            if e.status in (404, 405, 501):
                self._has_tokenize = False
                return None
            raise
        self._has_tokenize = True
        tokens = obj.get("tokens") if isinstance(obj, dict) else None
        if not isinstance(tokens, list):
            return None
        return [int(t if not isinstance(t, dict) else t.get("id", 0)) for t in tokens]

    # --- plumbing ----------------------------------------------------------------------------------------------------

    def _url(self, path: str) -> str:
        return self.base_url + path

    def _root_url(self, path: str) -> str:
        base = self.base_url[:-3] if self.base_url.endswith("/v1") else self.base_url
        return base + path

    def _headers(self, has_body: bool) -> dict[str, str]:
        h = {"Accept": "application/json, text/event-stream", "User-Agent": "modelwerk"}
        if has_body:
            h["Content-Type"] = "application/json"
        if self._api_key:
            h["Authorization"] = f"Bearer {self._api_key}"
        return h

    def _connect(self, url: str) -> tuple[http.client.HTTPConnection, str]:
        """A connection for `url` (through a proxy when the environment says so) and the request target."""
        parts = urllib.parse.urlsplit(url)
        host = parts.hostname or ""
        https = parts.scheme == "https"
        port = parts.port or (443 if https else 80)
        target = parts.path + (f"?{parts.query}" if parts.query else "")
        proxy = _proxy_for(parts.scheme, host)
        ctx = ssl.create_default_context() if https else None
        if proxy is None:
            if https:
                return http.client.HTTPSConnection(host, port, timeout=self.timeout_s, context=ctx), target
            return http.client.HTTPConnection(host, port, timeout=self.timeout_s), target
        p = urllib.parse.urlsplit(proxy)
        proxy_port = p.port or (443 if p.scheme == "https" else 80)
        headers = {}
        if p.username:
            import base64

            creds = f"{urllib.parse.unquote(p.username)}:{urllib.parse.unquote(p.password or '')}"
            headers["Proxy-Authorization"] = "Basic " + base64.b64encode(creds.encode()).decode()
        if https:  # tunnel through the proxy
            conn: http.client.HTTPConnection = http.client.HTTPSConnection(p.hostname or "", proxy_port,
                                                                           timeout=self.timeout_s, context=ctx)  # fmt: skip
            conn.set_tunnel(host, port, headers=headers)
            return conn, target
        conn = http.client.HTTPConnection(p.hostname or "", proxy_port, timeout=self.timeout_s)
        return conn, url  # a plain-HTTP proxy takes the absolute URL

    def _open(self, method: str, url: str, body: Mapping[str, Any] | None) -> tuple[http.client.HTTPConnection,
                                                                                       http.client.HTTPResponse]:  # fmt: skip
        conn, target = self._connect(url)
        data = json.dumps(body).encode() if body is not None else None
        try:
            conn.request(method, target, body=data, headers=self._headers(data is not None))
            response = conn.getresponse()
        except ConnectionRefusedError as e:
            conn.close()
            raise RuntimeUnavailable(Message("cannot connect to {where}: connection refused (is the server running?)",
                                             where=str(self._where))) from e
        except TimeoutError as e:
            conn.close()
            raise RuntimeUnavailable(Message("{where} did not answer within {timeout_s} s", where=str(self._where),
                                             timeout_s=format(self.timeout_s, 'g'))) from e
        except ssl.SSLError as e:
            conn.close()
            raise RuntimeUnavailable(Message("TLS with {where} failed: {reason}", where=str(self._where),
                                             reason=str(_one_line(e)))) from e
        except (OSError, http.client.HTTPException) as e:
            conn.close()
            raise RuntimeUnavailable(Message("cannot reach {where}: {reason}", where=str(self._where),
                                             reason=str(_one_line(e)))) from e
        if response.status >= 400:
            try:
                raw = response.read(65536)
            except (OSError, http.client.HTTPException):
                raw = b""
            finally:
                conn.close()
            raise _HttpError.from_response(response.status, raw, where=self._where)
        return conn, response

    def _json(self, method: str, url: str, body: Mapping[str, Any] | None = None) -> Any:
        conn, response = self._open(method, url, body)
        try:
            raw = response.read()
        except (OSError, http.client.HTTPException) as e:
            raise RuntimeUnavailable(Message("the connection to {where} was lost: {reason}", where=str(self._where),
                                             reason=str(_one_line(e)))) from e
        finally:
            conn.close()
        try:
            return json.loads(raw)
        except (ValueError, RecursionError) as e:
            raise ChatError(Message("{where} did not answer with JSON (is {base_url} an OpenAI-style API?)",
                                    where=str(self._where), base_url=str(self.base_url))) from e

    def _stream(self, url: str, body: Mapping[str, Any], *, chat: bool) -> Stream:
        conn, response = self._open("POST", url, body)
        ctype = response.getheader("Content-Type", "")
        if "json" in ctype and "event-stream" not in ctype:  # a server that ignored "stream": true, or an error
            try:
                obj = json.loads(response.read())
            except (ValueError, RecursionError, OSError, http.client.HTTPException) as e:
                conn.close()
                raise ChatError(Message("{where} answered neither a stream nor JSON", where=str(self._where))) from e
            conn.close()
            if isinstance(obj, dict) and "error" in obj:
                raise ChatError(Message("{where}: {reason}", where=str(self._where), reason=str(_error_message(obj))))
            raise ChatError(Message("{where} did not stream the answer", where=str(self._where)))
        return Stream(conn, response, chat=chat, where=self._where, read_timeout_s=max(self.timeout_s, STREAM_READ_TIMEOUT_S))


class _HttpError(ChatError):
    def __init__(self, message: str, status: int) -> None:
        super().__init__(message)
        self.status = status

    @classmethod
    def from_response(cls, status: int, raw: bytes, *, where: str) -> _HttpError:
        try:
            detail = _error_message(json.loads(raw))
        except (ValueError, RecursionError):
            detail = _one_line(raw.decode("utf-8", "replace")[:200]) if raw.strip() else ""
        if status == 401 or status == 403:
            return cls(f"{where} refused the request (HTTP {status}{': ' + detail if detail else ''}): check the API key",
                       status)  # fmt: skip
        if status == 404:
            return cls(f"{where} has no such endpoint or model (HTTP 404{': ' + detail if detail else ''}): check the URL",
                       status)  # fmt: skip
        return cls(f"{where} answered HTTP {status}{': ' + detail if detail else ''}", status)


def _proxy_for(scheme: str, host: str) -> str | None:
    if host in LOOPBACK or host.startswith("127."):
        return None
    try:
        if urllib.request.proxy_bypass(host):
            return None
    except OSError:
        pass
    proxy = urllib.request.getproxies().get(scheme)
    return proxy or None
