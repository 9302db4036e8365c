"""Ask a llama.cpp RPC worker (`ggml-rpc-server`, what `modelwerk worker` runs) what it offers: its devices' memory,
and the round-trip time to it.

llama.cpp's RPC protocol (ggml/src/ggml-rpc/ggml-rpc.cpp, protocol 7.x in llama-cpp-python 0.3.36's llama.cpp) is a
plain binary exchange over TCP, little-endian, no authentication:

    request:  | command (1 byte) | size (8 bytes) | payload (size bytes) |
    response: | size (8 bytes) | payload (size bytes) |

The first command must be HELLO (14; payload: 24 bytes of transport capabilities, zeros = plain TCP; answer: major,
minor, patch, padding, 24 bytes of capabilities). Then DEVICE_COUNT (15; empty payload; answer: u32) and
GET_DEVICE_MEMORY (11; payload: u32 device; answer: u64 free, u64 total) are cheap questions that touch no memory on the
worker, so a repeated GET_DEVICE_MEMORY times a round trip. The bandwidth is measured the way llama-server loads a model
through a worker: the probe allocates a buffer of BANDWIDTH_BYTES on the worker's first device (ALLOC_BUFFER, 0), asks
where it starts (BUFFER_GET_BASE, 3), writes zeros into it as one f32 tensor (SET_TENSOR, 6: no answer; the next
question's answer says the worker has them all) and frees it (FREE_BUFFER, 4; the worker frees it too when the
connection ends). A first write of a MiB says whether the big one fits the probe's time; a worker that cannot allocate,
or a link too slow for that, leaves it unmeasured (then the loopback's throughput for a worker on this machine, or the
estimate's assumed gigabit Ethernet: hardware.remote).

A worker serves one client at a time: while a model loaded through it is connected, a probe's HELLO gets no answer until
the model is unloaded, which the probe reports as busy rather than unreachable. Everything read from the socket is
treated as hostile: every answer must have exactly the expected size, counts are capped, and every call has a timeout.
"""

from __future__ import annotations

import socket
import struct
import time
from dataclasses import dataclass

from core.errors import ModelwerkError
from core.messages import N_, Message, Number

__all__ = ["PROTOCOL_MAJOR", "WorkerBusy", "WorkerProbe", "WorkerUnreachable", "parse_endpoint", "probe_worker"]

PROTOCOL_MAJOR = 7
"""The RPC protocol major version of the llama.cpp this project builds; a worker must speak the same."""
CMD_ALLOC_BUFFER = 0
CMD_BUFFER_GET_BASE = 3
CMD_FREE_BUFFER = 4
CMD_SET_TENSOR = 6
CMD_GET_DEVICE_MEMORY = 11
CMD_HELLO = 14
CMD_DEVICE_COUNT = 15
BANDWIDTH_BYTES = 8 * 2**20
FIRST_BYTES = 2**20
GGML_TYPE_F32 = 0
CAPS_SIZE = 24
MAX_DEVICES = 64
"""More devices than this in one worker is a broken or hostile answer."""
DEFAULT_PORT = 50052
"""llama.cpp's rpc-server default port."""


class BadAddress(ModelwerkError, ValueError):
    """Not a worker's address (host:port)."""


class WorkerUnreachable(ModelwerkError):
    """Nothing answers at host:port, or what answers is not a llama.cpp RPC worker of our version."""

    hint = N_("start it there with `modelwerk worker`, or check the address (an SSH tunnel must be running)")


class WorkerBusy(WorkerUnreachable):
    """It accepted the connection but did not answer: it is serving another client (a loaded model)."""

    hint = N_("unload the model that uses it, or try again later")


@dataclass(frozen=True)
class DeviceMemory:
    free: int
    total: int


@dataclass(frozen=True)
class WorkerProbe:
    """What a worker said."""

    host: str
    port: int
    version: tuple[int, int, int]
    devices: tuple[DeviceMemory, ...]
    rtt_s: float
    """The fastest of a few GET_DEVICE_MEMORY round trips, in seconds."""
    bandwidth: float = 0.0
    """Bytes/s written into the worker's memory through the connection (``_bandwidth``); when that could not be
    measured, the loopback's throughput for a worker on this machine, else 0 (not measured)."""

    @property
    def endpoint(self) -> str:
        return f"{self.host}:{self.port}"

    @property
    def free(self) -> int:
        return sum(d.free for d in self.devices)


def parse_endpoint(text: str, *, default_port: int = DEFAULT_PORT) -> tuple[str, int]:
    """ "host:port" (or "host", or "[::1]:port") -> (host, port).

    Raises:
        ValueError: a one-line message that says what to write instead.
    """
    text = text.strip()
    if not text:
        raise BadAddress(Message("give the worker's address as host:port, e.g. 127.0.0.1:50052"))
    host, port_text = text, ""
    if text.startswith("["):
        host, _, rest = text[1:].partition("]")
        port_text = rest[1:] if rest.startswith(":") else rest
    elif text.count(":") == 1:
        host, _, port_text = text.partition(":")
    if not host or any(c.isspace() or c in "/,@" for c in host):
        raise BadAddress(Message("{text} is not host:port: give e.g. 127.0.0.1:50052", text=repr(text)))
    if not port_text:
        return host, default_port
    if not port_text.isdigit() or not 1 <= int(port_text) <= 65535:
        raise BadAddress(Message("the port in {text} must be a number from 1 to 65535", text=repr(text)))
    return host, int(port_text)


PROBE_TIMEOUTS = 4
"""A whole probe may take this many times the per-answer timeout: a worker that trickles its answers a byte at a time,
each just inside the timeout, must not hold a probe (a pool thread) for an hour."""


def _recv_exact(sock: socket.socket, n: int, deadline: float) -> bytes:
    chunks = bytearray()
    while len(chunks) < n:
        left = deadline - time.monotonic()
        if left <= 0:
            raise TimeoutError("it answers too slowly")
        timeout = sock.gettimeout()
        if timeout is None or left < timeout:
            sock.settimeout(left)
        chunk = sock.recv(n - len(chunks))
        if not chunk:
            raise ConnectionError("the worker closed the connection")
        chunks += chunk
    return bytes(chunks)


def _call(sock: socket.socket, command: int, payload: bytes, answer_size: int, deadline: float) -> bytes:
    sock.sendall(struct.pack("<BQ", command, len(payload)) + payload)
    (size,) = struct.unpack("<Q", _recv_exact(sock, 8, deadline))
    if size != answer_size:  # never read a size the other side chose
        raise ConnectionError(f"unexpected answer of {size} bytes to command {command} (expected {answer_size})")
    return _recv_exact(sock, answer_size, deadline)


def probe_worker(host: str, port: int, *, timeout_s: float = 3.0, rounds: int = 5) -> WorkerProbe:
    """Connect, say HELLO, ask for each device's memory, and time `rounds` more memory questions.

    Raises:
        WorkerBusy: it accepted but did not answer within `timeout_s` (serving another client).
        WorkerUnreachable: no connection, another protocol, or another protocol version (one line, naming host:port).
    """
    where = f"{host}:{port}"
    deadline = time.monotonic() + PROBE_TIMEOUTS * timeout_s
    try:
        sock = socket.create_connection((host, port), timeout=timeout_s)
    except OSError as e:
        raise WorkerUnreachable(Message("no llama.cpp worker answers at {where}: {reason}", where=where,
                                        reason=e.strerror or str(e))) from e  # fmt: skip
    with sock:
        sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        try:
            hello = _call(sock, CMD_HELLO, bytes(CAPS_SIZE), 4 + CAPS_SIZE, deadline)
        except TimeoutError as e:
            raise WorkerBusy(Message("the worker at {where} accepted but did not answer within {seconds} s: it is "
                                     "serving another client (a loaded model)", where=where,
                                     seconds=Number(timeout_s, None))) from e  # fmt: skip
        except (OSError, ConnectionError, struct.error) as e:
            raise WorkerUnreachable(Message("{where} is not a llama.cpp RPC worker of this version: {reason}", where=where,
                                            reason=str(e))) from e  # fmt: skip
        version = (hello[0], hello[1], hello[2])
        if version[0] != PROTOCOL_MAJOR:
            raise WorkerUnreachable(Message("the worker at {where} speaks RPC protocol {version}; this Modelwerk needs "
                                            "{major}.x: run the same Modelwerk version there", where=where,
                                            version=".".join(map(str, version)), major=str(PROTOCOL_MAJOR)))  # fmt: skip
        try:
            (count,) = struct.unpack("<I", _call(sock, CMD_DEVICE_COUNT, b"", 4, deadline))
            if not 1 <= count <= MAX_DEVICES:
                raise ConnectionError(f"it reports {count} devices")
            devices = []
            for i in range(count):
                free, total = struct.unpack("<QQ", _call(sock, CMD_GET_DEVICE_MEMORY, struct.pack("<I", i), 16, deadline))
                devices.append(DeviceMemory(free=min(free, total), total=total))
            rtt = float("inf")
            for _ in range(max(rounds, 1)):
                t0 = time.perf_counter()
                _call(sock, CMD_GET_DEVICE_MEMORY, struct.pack("<I", 0), 16, deadline)
                rtt = min(rtt, time.perf_counter() - t0)
        except (OSError, ConnectionError, struct.error) as e:
            raise WorkerUnreachable(Message("the worker at {where} broke off the conversation: {reason}", where=where,
                                            reason=str(e))) from e  # fmt: skip
        try:
            bandwidth = _bandwidth(sock, rtt, deadline)
        except (OSError, ConnectionError, struct.error):
            bandwidth = 0.0  # not measured: the estimate assumes a figure
    if not bandwidth and is_loopback(host):
        bandwidth = loopback_bandwidth()
    return WorkerProbe(host=host, port=port, version=version, devices=tuple(devices), rtt_s=rtt, bandwidth=bandwidth)


def _bandwidth(sock: socket.socket, rtt: float, deadline: float) -> float:
    """Bytes/s of zeros written into a buffer of ours on the worker (see the module's docstring); 0 when it cannot
    allocate one or the big write would not fit before `deadline`."""
    ptr, size = struct.unpack("<QQ", _call(sock, CMD_ALLOC_BUFFER, struct.pack("<IQ", 0, BANDWIDTH_BYTES), 16, deadline))
    if not ptr:
        return 0.0
    try:
        if size < BANDWIDTH_BYTES:
            return 0.0
        (base,) = struct.unpack("<Q", _call(sock, CMD_BUFFER_GET_BASE, struct.pack("<Q", ptr), 8, deadline))
        rate = 0.0
        for n in (FIRST_BYTES, BANDWIDTH_BYTES):
            if n > FIRST_BYTES and (not rate or n / rate > (deadline - time.monotonic()) / 2):
                break  # too slow a link for the big write within the probe's time: the first figure stands
            t0 = time.perf_counter()
            payload = _f32_tensor(ptr, base, n) + b"\0" + struct.pack("<Q", 0)  # not cached; at offset 0
            sock.sendall(struct.pack("<BQ", CMD_SET_TENSOR, len(payload) + n) + payload)
            sock.sendall(bytes(n))
            _call(sock, CMD_GET_DEVICE_MEMORY, struct.pack("<I", 0), 16, deadline)  # answered once the data is in
            rate = n / max(time.perf_counter() - t0 - rtt, 1e-9)
        return rate
    finally:
        sock.sendall(struct.pack("<BQ", CMD_FREE_BUFFER, 8) + struct.pack("<Q", ptr))


def _f32_tensor(buffer: int, data: int, nbytes: int) -> bytes:
    """llama.cpp's serialized tensor (``rpc_tensor``, packed: 296 bytes) for `nbytes` of f32 at `data` in `buffer`."""
    n = nbytes // 4
    head = struct.pack("<QIQ4I4II", 1, GGML_TYPE_F32, buffer, n, 1, 1, 1, 4, nbytes, nbytes, nbytes, 0)
    tail = struct.pack("<i", 0) + bytes(8 * 10) + struct.pack("<QQQ", 0, 0, data) + bytes(64) + struct.pack("<i", 0)
    return head + bytes(64) + tail  # op_params, then flags, sources, view, data, name, use count


def is_loopback(host: str) -> bool:
    """127.0.0.0/8, ::1 or "localhost": only this machine can connect."""
    import ipaddress

    if host.lower() == "localhost":
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False


def loopback_bandwidth(total: int = 16 * 2**20, chunk: int = 2**20) -> float:
    """Bytes/s through a TCP connection on this machine (what a worker on 127.0.0.1 gets): the best of two transfers."""
    import threading

    best = 0.0
    with socket.create_server(("127.0.0.1", 0)) as server:
        port = server.getsockname()[1]
        for _ in range(2):
            received = [0]

            def drain(conn: socket.socket, received: list[int] = received) -> None:
                with conn:
                    while received[0] < total and (data := conn.recv(chunk)):
                        received[0] += len(data)

            with socket.create_connection(("127.0.0.1", port), timeout=10) as client:
                conn, _ = server.accept()
                reader = threading.Thread(target=drain, args=(conn,), daemon=True)
                block = bytes(chunk)
                t0 = time.perf_counter()
                reader.start()
                for _ in range(total // chunk):
                    client.sendall(block)
                reader.join(timeout=10)
                elapsed = time.perf_counter() - t0
            if received[0] >= total and elapsed > 0:
                best = max(best, total / elapsed)
    return best
