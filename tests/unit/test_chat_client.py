"""ChatClient against a scripted OpenAI-style server (no model), plus the runtime's pure helpers."""

from __future__ import annotations

import json
import socket
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import pytest

from app.chat.client import ChatClient, Delta
from app.chat.messages import PRESETS, ChatError, RuntimeUnavailable, Sampling
from app.chat.runtime import LoadOptions, auto_gpu_layers, check_fit

GREEDY = PRESETS["Greedy"]


class Script:
    """What the fake server answers, and what it saw."""

    def __init__(self) -> None:
        self.requests: list[tuple[str, str, dict[str, str], Any]] = []
        self.events: list[bytes] = []
        self.status = 200
        self.json_body: Any = None
        self.hold = threading.Event()  # set: the streaming handler blocks after its events (until the client leaves)
        self.client_left = threading.Event()


def _handler(script: Script) -> type[BaseHTTPRequestHandler]:
    class H(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def log_message(self, *args: Any) -> None:
            pass

        def _record(self) -> Any:
            n = int(self.headers.get("Content-Length") or 0)
            body = json.loads(self.rfile.read(n)) if n else None
            script.requests.append((self.command, self.path, dict(self.headers), body))
            return body

        def do_GET(self) -> None:
            self._record()
            self._answer()

        def do_POST(self) -> None:
            body = self._record()
            if isinstance(body, dict) and body.get("stream") and script.status == 200 and script.json_body is None:
                self._stream()
            else:
                self._answer()

        def _answer(self) -> None:
            data = json.dumps(script.json_body).encode()
            self.send_response(script.status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

        def _stream(self) -> None:
            self.send_response(200)
            self.send_header("Content-Type", "text/event-stream")
            self.send_header("Connection", "close")
            self.end_headers()
            self.close_connection = True
            for e in script.events:
                self.wfile.write(e)
                self.wfile.flush()
            if script.hold.is_set():
                try:
                    while self.connection.recv(1):  # until the client closes its end
                        pass
                except OSError:
                    pass
                script.client_left.set()

    return H


@pytest.fixture
def fake() -> Iterator[tuple[Script, str]]:
    script = Script()
    server = ThreadingHTTPServer(("127.0.0.1", 0), _handler(script))
    server.daemon_threads = True
    t = threading.Thread(target=server.serve_forever, daemon=True)
    t.start()
    yield script, f"http://127.0.0.1:{server.server_address[1]}/v1"
    server.shutdown()
    server.server_close()


def sse(obj: Any) -> bytes:
    return b"data: " + (obj if isinstance(obj, bytes) else json.dumps(obj).encode()) + b"\n\n"


def chat_chunk(content: str = "", reasoning: str = "", finish: str | None = None) -> dict[str, Any]:
    delta: dict[str, str] = {}
    if content:
        delta["content"] = content
    if reasoning:
        delta["reasoning_content"] = reasoning
    return {"choices": [{"index": 0, "delta": delta, "finish_reason": finish}]}


def test_stream_chat_parses_content_reasoning_usage_and_sends_the_request(fake: tuple[Script, str]) -> None:
    script, url = fake
    script.events = [
        sse({"choices": [{"index": 0, "delta": {"role": "assistant", "content": ""}, "finish_reason": None}]}),
        b": keep-alive\n\n",
        sse(chat_chunk(reasoning="Let me see.")),
        sse(chat_chunk(content="Hello")),
        sse(chat_chunk(content=" world", finish="stop")),
        sse({"choices": [], "usage": {"prompt_tokens": 7, "completion_tokens": 3}}),
        sse(b"[DONE]"),
    ]
    client = ChatClient(url, api_key="sekrit")
    stream = client.stream_chat([{"role": "user", "content": "hi"}], sampling=Sampling(temperature=0.5, seed=3),
                                model="m", extra={"chat_template_kwargs": {"enable_thinking": False}})  # fmt: skip
    deltas = list(stream)
    assert deltas == [
        Delta(reasoning="Let me see."), Delta(text="Hello"), Delta(text=" world", finish_reason="stop"),
        Delta(prompt_tokens=7, completion_tokens=3),
    ]  # fmt: skip
    method, path, headers, body = script.requests[0]
    assert (method, path) == ("POST", "/v1/chat/completions")
    assert headers["Authorization"] == "Bearer sekrit"
    assert body["stream"] is True and body["model"] == "m" and body["seed"] == 3 and body["temperature"] == 0.5
    assert body["messages"] == [{"role": "user", "content": "hi"}]
    assert body["chat_template_kwargs"] == {"enable_thinking": False}
    assert "sekrit" not in repr(client)


def test_stream_completion_text_chunks_and_stop(fake: tuple[Script, str]) -> None:
    script, url = fake
    script.events = [sse({"choices": [{"text": "a", "finish_reason": None}]}),
                     sse({"choices": [{"text": "b", "finish_reason": "length"}],
                          "usage": {"prompt_tokens": 2, "completion_tokens": 2}}),
                     sse(b"[DONE]")]  # fmt: skip
    stream = ChatClient(url).stream_completion("x", sampling=GREEDY, stop=["\n\n"])
    assert [d.text for d in stream] == ["a", "b"]
    _, path, headers, body = script.requests[0]
    assert path == "/v1/completions" and body["prompt"] == "x" and body["stop"] == ["\n\n"]
    assert "Authorization" not in headers


def test_close_from_another_thread_ends_iteration_quietly_and_the_server_sees_it(fake: tuple[Script, str]) -> None:
    script, url = fake
    script.events = [sse(chat_chunk(content="one"))]
    script.hold.set()
    stream = ChatClient(url).stream_chat([{"role": "user", "content": "hi"}], sampling=GREEDY)
    got: list[Delta] = []
    for d in stream:
        got.append(d)
        threading.Thread(target=stream.close).start()
    assert got == [Delta(text="one")]
    assert script.client_left.wait(5)
    stream.close()  # twice is fine


def test_close_before_iterating(fake: tuple[Script, str]) -> None:
    script, url = fake
    script.events = [sse(chat_chunk(content="one"))]
    stream = ChatClient(url).stream_chat([{"role": "user", "content": "hi"}], sampling=GREEDY)
    stream.close()
    assert list(stream) == []


def test_stream_that_breaks_off_raises_runtime_unavailable(fake: tuple[Script, str]) -> None:
    script, url = fake
    script.events = [sse(chat_chunk(content="one"))]  # then the connection closes without [DONE]
    stream = ChatClient(url).stream_chat([{"role": "user", "content": "hi"}], sampling=GREEDY)
    with pytest.raises(RuntimeUnavailable, match="lost mid-answer"):
        list(stream)


def test_error_event_in_stream(fake: tuple[Script, str]) -> None:
    script, url = fake
    script.events = [sse({"error": {"message": "the prompt has 9000 tokens\nand more", "code": 400}})]
    with pytest.raises(ChatError, match="the prompt has 9000 tokens and more"):
        list(ChatClient(url).stream_completion("x", sampling=GREEDY))


def test_json_nested_past_the_stack_is_skipped_not_a_crash(fake: tuple[Script, str]) -> None:
    script, url = fake
    script.events = [b"data: " + b"[" * 200_000 + b"\n\n", sse(chat_chunk("ok", finish="stop")), b"data: [DONE]\n\n"]
    assert [d.text for d in ChatClient(url).stream_chat([], sampling=GREEDY)] == ["ok"]


def test_401_says_check_the_api_key(fake: tuple[Script, str]) -> None:
    script, url = fake
    script.status, script.json_body = 401, {"error": {"message": "Invalid API Key", "type": "authentication_error"}}
    with pytest.raises(ChatError, match="check the API key") as e:
        ChatClient(url, api_key="wrong").models()
    assert "\n" not in str(e.value) and "wrong" not in str(e.value)
    with pytest.raises(ChatError, match="check the API key"):
        ChatClient(url, api_key="wrong").stream_chat([{"role": "user", "content": "x"}], sampling=GREEDY)


def test_models_and_tokenize(fake: tuple[Script, str]) -> None:
    script, url = fake
    script.json_body = {"object": "list", "data": [{"id": "qwen3:8b"}, {"id": "llama"}]}
    client = ChatClient(url + "/")
    assert client.models() == ["qwen3:8b", "llama"]
    script.json_body = {"tokens": [1, 2, 3]}
    assert client.tokenize("abc") == [1, 2, 3]
    assert script.requests[-1][1] == "/tokenize"  # llama.cpp server's path, beside /v1


def test_tokenize_none_when_the_server_has_no_endpoint(fake: tuple[Script, str]) -> None:
    script, url = fake
    script.status, script.json_body = 404, {"detail": "Not Found"}
    client = ChatClient(url)
    assert client.tokenize("abc") is None
    n = len(script.requests)
    assert client.tokenize("abc") is None and len(script.requests) == n  # remembered


def test_server_that_ignores_stream_true(fake: tuple[Script, str]) -> None:
    script, url = fake
    script.json_body = {"choices": [{"message": {"content": "whole"}}]}
    with pytest.raises(ChatError, match="did not stream"):
        ChatClient(url).stream_chat([{"role": "user", "content": "x"}], sampling=GREEDY)


def test_closed_port_is_runtime_unavailable() -> None:
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    port = s.getsockname()[1]
    s.close()
    with pytest.raises(RuntimeUnavailable, match="connection refused"):
        ChatClient(f"http://127.0.0.1:{port}/v1", timeout_s=5).models()


def test_silent_server_times_out_as_runtime_unavailable() -> None:
    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    listener.listen(1)  # accepts (backlog) but never answers
    try:
        with pytest.raises(RuntimeUnavailable, match="did not answer within"):
            ChatClient(f"http://127.0.0.1:{listener.getsockname()[1]}/v1", timeout_s=0.3).models()
    finally:
        listener.close()


def test_bad_url() -> None:
    with pytest.raises(ChatError, match="not an http"):
        ChatClient("ftp://example.com/v1")


def test_loopback_never_uses_the_proxy(fake: tuple[Script, str], monkeypatch: pytest.MonkeyPatch) -> None:
    script, url = fake
    monkeypatch.setenv("http_proxy", "http://127.0.0.1:9")  # nothing listens there
    monkeypatch.setenv("HTTP_PROXY", "http://127.0.0.1:9")
    monkeypatch.delenv("no_proxy", raising=False)
    monkeypatch.delenv("NO_PROXY", raising=False)
    script.json_body = {"data": [{"id": "m"}]}
    assert ChatClient(url).models() == ["m"]


# --- pure helpers of the runtime --------------------------------------------------------------------------------------


def test_fit_helpers() -> None:
    from dataclasses import replace
    from pathlib import Path

    from formats.model import ModelFormat, ModelInfo
    from hardware.report import CpuInfo, GiB, GpuInfo, GpuVendor, HardwareReport
    from hardware.shape import REPRESENTATIVE, shape_of

    shape = shape_of(REPRESENTATIVE["8B"], "Q4_K_M")
    info = ModelInfo(path=Path("m.gguf"), files=(), format=ModelFormat.GGUF, name="m", size_bytes=5 * GiB, shape=shape)
    gpu = GpuInfo("Test GPU", GpuVendor.NVIDIA, 24 * GiB, 24 * GiB, bandwidth=500e9)
    big_gpu = HardwareReport("Linux", CpuInfo("cpu", 8, 16), 64 * GiB, 64 * GiB, (gpu,), cpu_bandwidth=50e9)
    no_gpu = replace(big_gpu, gpus=())
    assert auto_gpu_layers(info, no_gpu, LoadOptions()) == 0
    assert auto_gpu_layers(info, big_gpu, LoadOptions(context=8192)) == shape.n_layers + 1  # every block and the output
    assert auto_gpu_layers(replace(info, shape=None), big_gpu, LoadOptions()) == 0
    assert check_fit(info, big_gpu, LoadOptions(context=8192)) is None
    tiny_ram = replace(no_gpu, ram_total=2 * GiB, ram_available=2 * GiB)
    warning = check_fit(info, tiny_ram, LoadOptions(context=8192))
    assert warning is not None and warning.startswith("m will probably not fit") and "\n" not in warning
