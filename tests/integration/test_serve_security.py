"""`modelwerk serve` against hostile clients: each attack of issue 13 (item 4), performed on a real server process.

The attacks go over raw sockets and assert only what any server must do (refuse with a 4xx, stay responsive, stop work
nobody waits for), so they hold for whatever engine serves behind `modelwerk serve`.
"""

from __future__ import annotations

import contextlib
import json
import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import psutil
import pytest
from fixtures.tiny_gguf import write_tiny_gguf

ROOT = Path(__file__).resolve().parents[2]
KEY_ENV = "MODELWERK_API_KEY"
ALLOWED = "http://localhost:3000"
TEMPLATE = "{% for m in messages %}<|im_start|>{{ m['role'] }}\n{{ m['content'] }}<|im_end|>\n{% endfor %}" \
           "{% if add_generation_prompt %}<|im_start|>assistant\n{% endif %}"  # fmt: skip


@dataclass
class Served:
    proc: subprocess.Popen[str]
    port: int
    banner: str
    err: str = ""

    def tree_threads(self) -> int:
        """Threads of the server and its children (the runtime process)."""
        me = psutil.Process(self.proc.pid)
        return sum(p.num_threads() for p in [me, *me.children(recursive=True)])

    def cmdlines(self) -> list[str]:
        me = psutil.Process(self.proc.pid)
        return [" ".join(p.cmdline()) for p in [me, *me.children(recursive=True)]]


def serve(model: Path, *args: str, env: dict[str, str] | None = None, home: Path) -> Served:
    """Start `modelwerk serve MODEL --port 0 ARGS` and wait for its banner."""
    environ = {k: v for k, v in os.environ.items() if k != KEY_ENV} | {"MODELWERK_HOME": str(home)} | (env or {})
    proc = subprocess.Popen([sys.executable, "-m", "app", "serve", str(model), "--port", "0", "--ctx", "2048",
                             "--threads", "1", *args], cwd=ROOT, env=environ, stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, text=True)  # fmt: skip
    assert proc.stdout is not None
    banner = proc.stdout.readline().strip()
    if not banner.startswith("Serving "):
        stop(proc)
        raise AssertionError(f"no banner: {banner!r}")
    port = int(banner.split("/v1")[0].rsplit(":", 1)[1])
    return Served(proc, port, banner)


def stop(proc: subprocess.Popen[str]) -> str:
    """Ctrl-C (the runtime child goes with it); returns stderr."""
    if proc.poll() is None:
        proc.send_signal(signal.SIGINT)
    try:
        _, err = proc.communicate(timeout=30)
    except subprocess.TimeoutExpired:
        proc.kill()
        _, err = proc.communicate()
    return err


@dataclass
class Response:
    status: int
    headers: dict[str, str]
    body: bytes

    def json(self) -> Any:
        return json.loads(self.body)


def read_response(sock: socket.socket, *, timeout: float = 30) -> Response:
    """One HTTP response from `sock` (status, headers lower-cased, body by Content-Length or until EOF)."""
    sock.settimeout(timeout)
    data = b""
    while b"\r\n\r\n" not in data:
        chunk = sock.recv(65536)
        if not chunk:
            raise ConnectionError(f"closed before a response: {data!r}")
        data += chunk
    head, body = data.split(b"\r\n\r\n", 1)
    lines = head.decode("latin-1").split("\r\n")
    headers = {k.strip().lower(): v.strip() for k, v in (line.split(":", 1) for line in lines[1:])}
    length = int(headers.get("content-length", "-1"))
    while length < 0 or len(body) < length:
        chunk = sock.recv(65536)
        if not chunk:
            break
        body += chunk
    return Response(int(lines[0].split()[1]), headers, body)


def request(port: int, method: str, path: str, body: bytes = b"", *, headers: dict[str, str] | None = None,
            timeout: float = 60) -> Response:  # fmt: skip
    """Send one request as written (no header is added that `headers` does not name, except Host and Content-Length)."""
    h = {"Host": f"127.0.0.1:{port}", "Connection": "close"} | ({"Content-Length": str(len(body))} if body else {})
    h |= headers or {}
    head = f"{method} {path} HTTP/1.1\r\n" + "".join(f"{k}: {v}\r\n" for k, v in h.items()) + "\r\n"
    with socket.create_connection(("127.0.0.1", port), timeout=timeout) as sock:
        sock.sendall(head.encode("latin-1") + body)
        return read_response(sock, timeout=timeout)


def completion(max_tokens: int, prompt: str = "hello world") -> bytes:
    return json.dumps({"prompt": prompt, "max_tokens": max_tokens, "temperature": 0}).encode()


JSON = {"Content-Type": "application/json"}


def assert_refused(r: Response) -> None:
    """A 4xx, and nothing of the model in it."""
    assert 400 <= r.status < 500, (r.status, r.body[:200])
    assert b"choices" not in r.body and b'"data"' not in r.body


@pytest.fixture(scope="module")
def model(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Hidden 512, four layers, 21 MB: small, but slow enough (1,500 tokens in ~3.5 s here) that abandoned work shows."""
    path = tmp_path_factory.mktemp("models") / "tiny-chat.gguf"
    write_tiny_gguf(path, hidden=512, layers=4, dtype="f16", context=2048, chat_template=TEMPLATE,
                    control_tokens=("<|im_start|>", "<|im_end|>"))  # fmt: skip
    return path


@pytest.fixture(scope="module")
def keyless(model: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Served]:
    """`modelwerk serve` on 127.0.0.1 without a key: what a web page or another local program would attack."""
    s = serve(model, "--no-auth", "--allow-origin", ALLOWED, home=tmp_path_factory.mktemp("home"))
    try:
        yield s
    finally:
        stop(s.proc)


def test_a_normal_request_is_served(keyless: Served) -> None:
    r = request(keyless.port, "POST", "/v1/completions", completion(2), headers=JSON)
    assert r.status == 200 and r.json()["choices"]
    for host in (f"localhost:{keyless.port}", f"127.0.0.1:{keyless.port}"):
        assert request(keyless.port, "GET", "/v1/models", headers={"Host": host}).status == 200


def test_a_foreign_host_is_refused_dns_rebinding(keyless: Served) -> None:
    """A page of attacker.example whose name now resolves to 127.0.0.1 sends Host: attacker.example."""
    for host in (f"attacker.example:{keyless.port}", "attacker.example", f"127.0.0.1.attacker.example:{keyless.port}"):
        assert_refused(request(keyless.port, "GET", "/v1/models", headers={"Host": host}))
        assert_refused(request(keyless.port, "POST", "/v1/completions", completion(2), headers={"Host": host, **JSON}))


def test_a_cross_origin_browser_request_is_refused(keyless: Served) -> None:
    for origin in ("http://attacker.example", "null", f"http://127.0.0.1:{keyless.port + 1}"):
        r = request(keyless.port, "POST", "/v1/completions", completion(2), headers={"Origin": origin, **JSON})
        assert_refused(r)
        assert "access-control-allow-origin" not in r.headers
        assert_refused(request(keyless.port, "OPTIONS", "/v1/completions", headers={
            "Origin": origin, "Access-Control-Request-Method": "POST"}))  # fmt: skip
    same = request(keyless.port, "POST", "/v1/completions", completion(2),
                   headers={"Origin": f"http://127.0.0.1:{keyless.port}", **JSON})  # fmt: skip
    assert same.status == 200


def test_an_origin_named_by_allow_origin_gets_cors(keyless: Served) -> None:
    pre = request(keyless.port, "OPTIONS", "/v1/chat/completions", headers={
        "Origin": ALLOWED, "Access-Control-Request-Method": "POST",
        "Access-Control-Request-Headers": "content-type, authorization"})  # fmt: skip
    assert pre.status in (200, 204) and pre.headers.get("access-control-allow-origin") == ALLOWED
    r = request(keyless.port, "POST", "/v1/completions", completion(2), headers={"Origin": ALLOWED, **JSON})
    assert r.status == 200 and r.headers.get("access-control-allow-origin") == ALLOWED


def test_a_body_that_is_not_declared_json_is_refused(keyless: Served) -> None:
    """A form or text/plain body is what a page can POST cross-site without a preflight."""
    for ctype in ("text/plain", "application/x-www-form-urlencoded", "multipart/form-data; boundary=x", None):
        headers: dict[str, str] = {} if ctype is None else {"Content-Type": ctype}
        assert_refused(request(keyless.port, "POST", "/v1/completions", completion(2), headers=headers))
    ok = request(keyless.port, "POST", "/v1/completions", completion(2),
                 headers={"Content-Type": "application/json; charset=utf-8"})  # fmt: skip
    assert ok.status == 200


@pytest.mark.parametrize("length", ["-1", "-100", "abc", "1e9", "99999999999999999999999", str((64 << 20) + 1),
                                    str(10**12)])  # fmt: skip
def test_a_bad_or_huge_content_length_is_refused_before_the_body_is_read(keyless: Served, length: str) -> None:
    """Content-Length: -1 made the server read until the client stopped (200 MiB read, 643 MB resident)."""
    head = (f"POST /v1/completions HTTP/1.1\r\nHost: 127.0.0.1:{keyless.port}\r\nContent-Type: application/json\r\n"
            f"Content-Length: {length}\r\n\r\n").encode()  # fmt: skip
    with socket.create_connection(("127.0.0.1", keyless.port), timeout=30) as sock:
        sock.sendall(head + b'{"prompt": "')  # and then nothing: the answer must not wait for the rest
        r = read_response(sock, timeout=20)
    assert_refused(r)


def test_a_body_streamed_under_content_length_minus_one_costs_no_memory(keyless: Served) -> None:
    runtime = psutil.Process(keyless.proc.pid).children()[0]
    before = runtime.memory_info().rss
    head = (f"POST /v1/completions HTTP/1.1\r\nHost: 127.0.0.1:{keyless.port}\r\nContent-Type: application/json\r\n"
            "Content-Length: -1\r\n\r\n").encode()  # fmt: skip
    chunk = b" " * (1 << 20)
    with socket.create_connection(("127.0.0.1", keyless.port), timeout=30) as sock:
        sock.sendall(head)
        with contextlib.suppress(OSError):  # the server answers and closes: sending fails, as it should
            for _ in range(100):
                sock.sendall(chunk)
    grown = runtime.memory_info().rss - before
    assert grown < 32 << 20, f"the server kept {grown >> 20} MiB of a body it should have refused"
    assert request(keyless.port, "GET", "/health").status == 200


def test_many_half_sent_requests_neither_pile_up_threads_nor_lock_others_out(keyless: Served) -> None:
    """301 half-sent requests held 303 threads with no timeout; a cap and a read timeout bound them."""
    threads_before = keyless.tree_threads()
    socks = []
    try:
        for _ in range(300):
            s = socket.create_connection(("127.0.0.1", keyless.port), timeout=30)
            s.sendall(f"POST /v1/completions HTTP/1.1\r\nHost: 127.0.0.1:{keyless.port}\r\n".encode())  # no end
            socks.append(s)
        time.sleep(1)  # the server has accepted them all
        assert keyless.tree_threads() < threads_before + 100
        start = time.monotonic()
        r = request(keyless.port, "POST", "/v1/completions", completion(2), headers=JSON, timeout=60)
        assert r.status == 200 and r.json()["choices"]
        assert time.monotonic() - start < 30
    finally:
        for s in socks:
            s.close()


def test_a_client_that_goes_away_stops_its_non_streaming_generation(keyless: Served) -> None:
    """An abandoned generation kept the model busy: the next request waited for all of it (9.7 s)."""
    n = 1500
    for prompt in ("the quick brown fox", "the", "token text", "model"):  # one whose greedy answer runs the whole length
        start = time.monotonic()
        full = request(keyless.port, "POST", "/v1/completions", completion(n, prompt), headers=JSON, timeout=300)
        full_s = time.monotonic() - start
        assert full.status == 200
        if full.json()["usage"]["completion_tokens"] == n:
            break
    else:
        pytest.fail(f"every prompt ended before {n} tokens: no long generation to abandon")
    body = completion(n, prompt)
    head = (f"POST /v1/completions HTTP/1.1\r\nHost: 127.0.0.1:{keyless.port}\r\nContent-Type: application/json\r\n"
            f"Content-Length: {len(body)}\r\n\r\n").encode()  # fmt: skip
    with socket.create_connection(("127.0.0.1", keyless.port), timeout=30) as sock:
        sock.sendall(head + body)
        time.sleep(min(0.5, full_s / 5))  # it is generating now; then the client gives up
    start = time.monotonic()
    health = request(keyless.port, "GET", "/health").json()
    while health.get("busy") and time.monotonic() - start < 300:  # the app's runtime says when the model is free
        time.sleep(0.05)
        health = request(keyless.port, "GET", "/health").json()
    if isinstance(health.get("last"), dict):  # ... and how the abandoned generation ended
        assert health["last"]["finish_reason"] == "cancelled" and health["last"]["completion_tokens"] < n
    nxt = request(keyless.port, "POST", "/v1/completions", completion(1), headers=JSON, timeout=300)
    next_s = time.monotonic() - start
    assert nxt.status == 200
    print(f"whole generation {full_s:.2f} s, the next request after abandoning one {next_s:.2f} s")
    assert next_s < full_s / 2, f"the next request waited {next_s:.1f} s; the whole generation takes {full_s:.1f} s"


# --- keys -------------------------------------------------------------------------------------------------------------


def test_every_interface_without_a_key_is_refused_with_exit_2(model: Path, tmp_path: Path) -> None:
    environ = {k: v for k, v in os.environ.items() if k != KEY_ENV} | {"MODELWERK_HOME": str(tmp_path)}
    proc = subprocess.Popen([sys.executable, "-m", "app", "serve", str(model), "--host", "0.0.0.0", "--port", "0"],
                            cwd=ROOT, env=environ, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)  # fmt: skip
    try:
        out, err = proc.communicate(timeout=60)
    except subprocess.TimeoutExpired:
        stop(proc)
        raise AssertionError("it served every interface without a key") from None
    assert proc.returncode == 2 and out == ""
    lines = err.strip().splitlines()
    assert len(lines) == 1 and KEY_ENV in lines[0] and "--no-auth" in lines[0], err


def test_no_auth_is_refused_on_every_interface_with_exit_2(model: Path, tmp_path: Path) -> None:
    environ = {k: v for k, v in os.environ.items() if k != KEY_ENV} | {"MODELWERK_HOME": str(tmp_path)}
    r = subprocess.run([sys.executable, "-m", "app", "serve", str(model), "--host", "0.0.0.0", "--no-auth"], cwd=ROOT,
                       env=environ, capture_output=True, text=True, timeout=60)  # fmt: skip
    lines = r.stderr.strip().splitlines()
    assert r.returncode == 2 and r.stdout == "" and len(lines) == 1 and "loopback host only" in lines[0], r.stderr


def test_a_loopback_host_needs_a_key_or_no_auth(model: Path, tmp_path: Path) -> None:
    environ = {k: v for k, v in os.environ.items() if k != KEY_ENV} | {"MODELWERK_HOME": str(tmp_path)}
    r = subprocess.run([sys.executable, "-m", "app", "serve", str(model)], cwd=ROOT, env=environ, capture_output=True,
                       text=True, timeout=60)  # fmt: skip
    lines = r.stderr.strip().splitlines()
    assert r.returncode == 2 and r.stdout == "" and len(lines) == 1, r.stderr
    assert KEY_ENV in lines[0] and "--no-auth" in lines[0]


def test_no_auth_on_loopback_says_so(model: Path, tmp_path: Path) -> None:
    s = serve(model, "--no-auth", home=tmp_path)
    err = stop(s.proc)
    assert s.banner == f"Serving tiny-chat at http://127.0.0.1:{s.port}/v1 (no API key)"
    assert "WARNING: no API key: every program on this machine can use" in err


def test_the_key_comes_from_the_environment_and_never_shows_in_the_process_list(model: Path, tmp_path: Path) -> None:
    secret = "s3cret-" + os.urandom(8).hex()
    s = serve(model, "--host", "0.0.0.0", env={KEY_ENV: secret}, home=tmp_path)
    try:
        assert s.banner.endswith("(every interface; API key required)")
        assert not any(secret in c for c in s.cmdlines())
        assert request(s.port, "GET", "/v1/models").status == 401
        assert request(s.port, "GET", "/v1/models", headers={"Authorization": "Bearer wrong"}).status == 401
        ok = request(s.port, "GET", "/v1/models", headers={"Authorization": f"Bearer {secret}"})
        assert ok.status == 200 and ok.json()["data"][0]["id"] == "tiny-chat"
    finally:
        stop(s.proc)


def test_contradicting_or_empty_key_options_exit_2(model: Path, tmp_path: Path) -> None:
    environ = {k: v for k, v in os.environ.items() if k != KEY_ENV} | {"MODELWERK_HOME": str(tmp_path)}
    for extra in (["--api-key", "k", "--no-auth"], ["--api-key", ""], ["--allow-origin", "file:///etc"],
                  ["--parallel", "0"]):  # fmt: skip
        r = subprocess.run([sys.executable, "-m", "app", "serve", str(model), *extra], cwd=ROOT, env=environ,
                           capture_output=True, text=True, timeout=60)  # fmt: skip
        assert r.returncode == 2 and len(r.stderr.strip().splitlines()) == 1, (extra, r.stderr)
