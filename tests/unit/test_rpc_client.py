"""The RPC probe against a worker written here from ggml-rpc.cpp's wire format, honest or hostile."""

from __future__ import annotations

import contextlib
import socket
import struct
import threading
from collections.abc import Callable, Iterator

import pytest

from hardware.rpc_client import (
    CAPS_SIZE,
    CMD_ALLOC_BUFFER,
    CMD_DEVICE_COUNT,
    CMD_GET_DEVICE_MEMORY,
    CMD_HELLO,
    WorkerBusy,
    WorkerUnreachable,
    parse_endpoint,
    probe_worker,
)

Handler = Callable[[socket.socket], None]


def _recv(conn: socket.socket, n: int) -> bytes:
    data = b""
    while len(data) < n:
        chunk = conn.recv(n - len(data))
        if not chunk:
            raise ConnectionError
        data += chunk
    return data


def _request(conn: socket.socket) -> tuple[int, bytes]:
    cmd, size = struct.unpack("<BQ", _recv(conn, 9))
    return cmd, _recv(conn, size)


def _answer(conn: socket.socket, payload: bytes) -> None:
    conn.sendall(struct.pack("<Q", len(payload)) + payload)


def honest(devices: list[tuple[int, int]], version: tuple[int, int, int] = (7, 0, 0)) -> Handler:
    def serve(conn: socket.socket) -> None:
        cmd, payload = _request(conn)
        assert cmd == CMD_HELLO and len(payload) == CAPS_SIZE
        _answer(conn, bytes([*version, 0]) + bytes(CAPS_SIZE))
        while True:
            try:
                cmd, payload = _request(conn)
            except ConnectionError:
                return
            if cmd == CMD_DEVICE_COUNT:
                _answer(conn, struct.pack("<I", len(devices)))
            elif cmd == CMD_GET_DEVICE_MEMORY:
                (i,) = struct.unpack("<I", payload)
                _answer(conn, struct.pack("<QQ", *devices[i]))
            elif cmd == CMD_ALLOC_BUFFER:
                _answer(conn, struct.pack("<QQ", 0, 0))  # it cannot allocate: the bandwidth stays unmeasured

    return serve


@pytest.fixture
def worker() -> Iterator[Callable[[Handler], int]]:
    """Start a one-client-at-a-time fake worker with a handler; returns its port."""
    servers: list[socket.socket] = []
    threads: list[threading.Thread] = []

    def start(handler: Handler) -> int:
        srv = socket.create_server(("127.0.0.1", 0))
        servers.append(srv)

        def loop() -> None:
            try:
                conn, _ = srv.accept()
            except OSError:
                return
            with conn, contextlib.suppress(OSError, ConnectionError, AssertionError):
                handler(conn)

        t = threading.Thread(target=loop, daemon=True)
        t.start()
        threads.append(t)
        return int(srv.getsockname()[1])

    yield start
    for s in servers:
        s.close()
    for t in threads:
        t.join(timeout=5)


def test_probe_reads_devices_memory_and_times_round_trips(worker: Callable[[Handler], int]) -> None:
    port = worker(honest([(3 << 30, 4 << 30), (1 << 30, 2 << 30)]))
    probe = probe_worker("127.0.0.1", port, timeout_s=2, rounds=3)
    assert probe.version == (7, 0, 0)
    assert [(d.free, d.total) for d in probe.devices] == [(3 << 30, 4 << 30), (1 << 30, 2 << 30)]
    assert probe.free == 4 << 30
    assert 0 < probe.rtt_s < 2
    assert probe.endpoint == f"127.0.0.1:{port}"
    assert probe.bandwidth > 1e6  # a worker on this machine: the loopback's throughput, measured


def test_a_worker_that_accepts_but_never_answers_is_busy(worker: Callable[[Handler], int]) -> None:
    gate = threading.Event()
    port = worker(lambda conn: gate.wait(5) and None)
    with pytest.raises(WorkerBusy, match="serving another client"):
        probe_worker("127.0.0.1", port, timeout_s=0.3)
    gate.set()


def test_nothing_listening_names_the_address() -> None:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]  # bound, not listening: refused
        with pytest.raises(WorkerUnreachable, match=f"127.0.0.1:{port}") as err:
            probe_worker("127.0.0.1", port, timeout_s=1)
    assert "modelwerk worker" in err.value.hint


def test_another_protocol_version_is_refused_with_what_to_do(worker: Callable[[Handler], int]) -> None:
    port = worker(honest([(1, 1)], version=(3, 0, 0)))
    with pytest.raises(WorkerUnreachable, match=r"protocol 3\.0\.0.*same Modelwerk version"):
        probe_worker("127.0.0.1", port, timeout_s=2)


@pytest.mark.parametrize(
    "reply",
    [
        struct.pack("<Q", 2**40),  # a huge size: never read
        struct.pack("<Q", 3) + b"abc",  # the wrong size
        b"\x01\x02",  # cut short
    ],
)
def test_hostile_answers_are_errors_not_reads(worker: Callable[[Handler], int], reply: bytes) -> None:
    def serve(conn: socket.socket) -> None:
        _request(conn)
        conn.sendall(reply)

    port = worker(serve)
    with pytest.raises(WorkerUnreachable, match=r"not a llama\.cpp RPC worker"):
        probe_worker("127.0.0.1", port, timeout_s=1)


def test_an_absurd_device_count_is_refused(worker: Callable[[Handler], int]) -> None:
    def serve(conn: socket.socket) -> None:
        _request(conn)
        _answer(conn, bytes([7, 0, 0, 0]) + bytes(CAPS_SIZE))
        _request(conn)
        _answer(conn, struct.pack("<I", 10**6))

    port = worker(serve)
    with pytest.raises(WorkerUnreachable, match="1000000 devices"):
        probe_worker("127.0.0.1", port, timeout_s=1)


def test_a_worker_that_trickles_its_answers_is_given_up_on(worker: Callable[[Handler], int]) -> None:
    """Each byte just inside the per-answer timeout: the probe gives up after a few timeouts in all, not after every
    byte of the answer has trickled in."""
    gate = threading.Event()
    answer = struct.pack("<Q", 4 + CAPS_SIZE) + bytes([3, 0, 0, 0]) + bytes(CAPS_SIZE)
    sent = [0]

    def serve(conn: socket.socket) -> None:
        _request(conn)
        for byte in answer:
            if gate.wait(0.2):
                return
            conn.sendall(bytes([byte]))
            sent[0] += 1

    port = worker(serve)
    with pytest.raises(WorkerBusy, match="did not answer within"):
        probe_worker("127.0.0.1", port, timeout_s=0.3)
    assert sent[0] < len(answer)  # it stopped reading long before the worker was done
    gate.set()


def test_parse_endpoint() -> None:
    assert parse_endpoint("10.0.0.2:50053") == ("10.0.0.2", 50053)
    assert parse_endpoint(" gpu-box ") == ("gpu-box", 50052)
    assert parse_endpoint("[::1]:7000") == ("::1", 7000)
    for bad in ("", "host:0", "host:abc", "a b:1", "h:70000", "http://x:1"):
        with pytest.raises(ValueError, match=r"host:port|port"):
            parse_endpoint(bad)
