"""`modelwerk worker`: lend this machine's memory (and GPUs) to a model that runs on another machine.

It runs llama.cpp's own RPC worker (`ggml-rpc-server`, built with llama-server from the same sources) until Ctrl-C; a
Modelwerk elsewhere adds it on the Hardware page (Add machine…) and its llama-server spreads a model's layers over it
(`--rpc`). llama.cpp's RPC has neither authentication nor encryption: anyone who can connect can run computations and
read or write memory on the worker. So it listens on 127.0.0.1 unless told otherwise, refuses any other interface
without --allow-network, and the safe way between machines is an SSH tunnel to that loopback port.

--mem: this llama.cpp's worker has no memory option (its CPU device reports all of the machine's RAM as free), so the
limit is enforced on the process (Linux: its address space, RLIMIT_AS, above what the idle worker already maps) and the
user tells the app the same figure when adding the machine.
"""

from __future__ import annotations

import argparse
import logging
import os
import signal
import sys
import threading
import time
from collections.abc import Callable
from typing import TYPE_CHECKING

from app.cli import common as c

if TYPE_CHECKING:
    from procs.supervisor import Child

log = logging.getLogger(__name__)

DEFAULT_PORT = 50052
START_TIMEOUT_S = 20
HEADROOM = 256 * 2**20
"""Address space the worker may grow by beyond --mem for its own needs (a thread per computation, graph copies)."""


def register(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> dict[str, Callable[[argparse.Namespace], int]]:
    """Add the subcommand; returns name -> handler."""
    p = sub.add_parser("worker", help="lend this machine to a model running elsewhere (llama.cpp RPC; until Ctrl-C)",
                       description="Runs llama.cpp's RPC worker. It has no authentication or encryption: keep it on "
                                   "127.0.0.1 and reach it from another machine through an SSH tunnel: "
                                   f"ssh -N -L {DEFAULT_PORT}:127.0.0.1:{DEFAULT_PORT} USER@THIS-MACHINE")  # fmt: skip
    p.add_argument("--host", default="127.0.0.1",
                   help="address to listen on (default 127.0.0.1; any other needs --allow-network)")  # fmt: skip
    p.add_argument("--port", type=int, default=DEFAULT_PORT, help=f"port to listen on (default {DEFAULT_PORT})")
    p.add_argument("--mem", type=float, default=None, metavar="GiB",
                   help="the most memory models may use here, in GiB (default: no limit)")  # fmt: skip
    p.add_argument("--threads", type=int, default=None, help="CPU threads (default: llama.cpp's, half the cores)")
    p.add_argument("--allow-network", action="store_true",
                   help="listen on a non-loopback address: anyone who reaches it can use this machine (no key, no "
                        "encryption); only on a network you trust")  # fmt: skip
    return {"worker": _cmd_worker}


def check_args(args: argparse.Namespace) -> str:
    """The address to bind; raises UsageError (one line) for what must be refused."""
    from app.chat.runtime import is_loopback

    host = "127.0.0.1" if args.host.strip().lower() == "localhost" else args.host.strip()
    if not 1 <= args.port <= 65535:
        raise c.UsageError("--port must be between 1 and 65535")
    if args.mem is not None and not args.mem > 0:
        raise c.UsageError("--mem must be a positive number of GiB, e.g. --mem 8")
    if args.threads is not None and args.threads < 1:
        raise c.UsageError("--threads must be 1 or more")
    if not host or any(ch.isspace() for ch in host):
        raise c.UsageError("--host must be an address, e.g. 127.0.0.1")
    if not is_loopback(host) and not args.allow_network:
        raise c.UsageError(f"refusing to listen on {host}: llama.cpp's RPC has no authentication or encryption; keep "
                           "the default 127.0.0.1 and use an SSH tunnel, or add --allow-network on a network you "
                           "trust")  # fmt: skip
    return host


def _limit_memory(pid: int, mem_bytes: int) -> bool:
    """Cap the worker's address space at what it maps now plus `mem_bytes` and some headroom (Linux only)."""
    try:
        import resource

        import psutil

        idle = psutil.Process(pid).memory_info().vms
        limit = idle + mem_bytes + HEADROOM
        resource.prlimit(pid, resource.RLIMIT_AS, (limit, limit))
    except Exception as e:  # no prlimit here (macOS, Windows), psutil.Error, OSError: said to the user
        log.info("cannot limit the worker's memory: %s", e)
        return False
    return True


def _cmd_worker(args: argparse.Namespace) -> int:
    from app.chat.llama_server import find_rpc_server
    from app.chat.messages import ChatError
    from app.chat.workers import spin_less
    from hardware.rpc_client import WorkerUnreachable, probe_worker
    from procs.launch import Command
    from procs.supervisor import Child

    host = check_args(args)
    binary = find_rpc_server()
    if threading.current_thread() is threading.main_thread():  # `kill` stops it as Ctrl-C does, saying so
        signal.signal(signal.SIGTERM, signal.default_int_handler)
    if not (host == "127.0.0.1" or host == "::1"):
        print(f"WARNING: listening on {host}:{args.port} with no authentication or encryption: anyone who can reach "
              "this port can run computations here and read or write this worker's memory. Prefer 127.0.0.1 and an "
              "SSH tunnel.", file=sys.stderr, flush=True)  # fmt: skip
    argv = [str(binary), "--host", host, "--port", str(args.port)]
    if args.threads:
        argv += ["--threads", str(args.threads)]
    # One malloc arena: the address-space limit then measures buffers, not per-thread arena reservations.
    env = spin_less({**os.environ, "MALLOC_ARENA_MAX": "1"})
    child = Child.start(Command(argv=tuple(argv), env=env, label="the worker"), merge_stderr=True, watch_stdin=False,
                        die_with_parent=True, ignore_sigpipe=True)  # fmt: skip
    lines: list[str] = []
    relay = threading.Thread(target=_relay, args=(child, lines), name="worker-output", daemon=True)
    relay.start()
    try:
        limited = args.mem is not None and _limit_memory(child.pid, int(args.mem * 2**30))
        probe = None
        deadline = time.monotonic() + START_TIMEOUT_S
        while probe is None and child.running() and time.monotonic() < deadline:
            try:
                probe = probe_worker("127.0.0.1" if host in ("0.0.0.0", "127.0.0.1") else host, args.port, timeout_s=2)
            except WorkerUnreachable:
                time.sleep(0.2)
        if probe is None:
            outcome = child.stop()
            relay.join(timeout=2)
            if any("Failed to create server socket" in line for line in lines):
                raise ChatError(f"cannot listen on {host}:{args.port}: the port is taken or the address is not this "
                                "machine's; choose another with --port or --host")  # fmt: skip
            raise ChatError(f"the worker did not start: {outcome.describe()}" + (f": {lines[-1]}" if lines else ""))
        held = sum(d.total for d in probe.devices)
        if args.mem is not None and args.mem * 2**30 > held:
            raise c.UsageError(f"--mem {args.mem:g} GiB is more than this machine's devices hold "
                               f"({held / 2**30:.1f} GiB): give at most that")  # fmt: skip
        where = f"{host}:{args.port}"
        print(f"Worker listening on {where} (llama.cpp RPC protocol {'.'.join(map(str, probe.version))})")
        for i, d in enumerate(probe.devices):
            print(f"  device {i}: {d.total / 2**30:.1f} GiB, {d.free / 2**30:.1f} GiB free")
        if args.mem is not None:
            how = "enforced" if limited else "NOT enforced on this system: tell the app"
            print(f"  memory for models: {args.mem:g} GiB ({how})")
        mem = f", memory {args.mem:g} GiB" if args.mem is not None else ""
        add = "127.0.0.1" if host in ("0.0.0.0", "::") else host
        per_cli = f"/{args.mem:g}" if args.mem is not None else ""
        print(f"Add it with: Hardware → Add machine… → {add}:{args.port}{mem}; on the command line: modelwerk chat (or "
              f"serve) --worker {add}:{args.port}{per_cli}")  # fmt: skip
        print(f"From another machine, through SSH (safe): ssh -N -L {args.port}:127.0.0.1:{args.port} USER@THIS-MACHINE"
              f", then add 127.0.0.1:{args.port} there")  # fmt: skip
        print("Press Ctrl-C to stop.", file=sys.stderr)
        sys.stdout.flush()
        outcome = child.wait()
        relay.join(timeout=2)
        raise ChatError(f"the worker stopped by itself: {outcome.describe()}" + (f": {lines[-1]}" if lines else ""))
    except KeyboardInterrupt:
        child.stop()
        print("Stopped.", file=sys.stderr)
        return 0
    finally:
        if child.running():
            child.stop()


def _relay(child: Child, lines: list[str]) -> None:
    """llama.cpp's own output, into the log (its connection messages) and kept for error messages."""
    for raw in child.stdout_lines():
        line = raw.decode("utf-8", "replace").rstrip()
        if line:
            lines.append(line)
            del lines[:-40]
            log.info("worker: %s", line)
