"""`modelwerk serve`: expose a library model as an OpenAI-compatible endpoint for other applications."""

from __future__ import annotations

import argparse
import logging
import os
import sys
import threading
from collections.abc import Callable
from pathlib import Path

from app.chat.messages import ChatError
from app.cli import common as c
from app.cli.workers_option import add_worker_argument

log = logging.getLogger(__name__)

API_KEY_ENV = "MODELWERK_API_KEY"
LOAD_TIMEOUT_S = 600


def register(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> dict[str, Callable[[argparse.Namespace], int]]:
    """Add the subcommand; returns name -> handler."""
    p = sub.add_parser("serve", help="serve a model as an OpenAI-compatible endpoint (until Ctrl-C)")
    p.add_argument("model", metavar="MODEL", help="a library id, a library name or a path to a GGUF file")
    p.add_argument("--port", type=int, default=8080, help="port to listen on (default 8080; 0: any free port)")
    p.add_argument("--host", default="127.0.0.1",
                   help="address to listen on (default 127.0.0.1; 0.0.0.0: every interface, which needs a key)")
    p.add_argument("--api-key", default=None,
                   help=f"key clients must send (default: ${API_KEY_ENV}, which unlike this option does not show in the "
                        "process list); required unless --no-auth")
    p.add_argument("--no-auth", action="store_true",
                   help="serve without a key, on a loopback host only: every program on this machine can use it")
    p.add_argument("--allow-origin", action="append", default=[], metavar="URL",
                   help="a web page origin (e.g. http://localhost:3000) allowed to call the server from a browser; "
                        "repeatable (default: browsers on other origins are refused)")  # fmt: skip
    p.add_argument("--ctx", type=int, default=4096, help="context length in tokens (default 4096)")
    p.add_argument("--gpu-layers", type=int, default=None, help="layers on the GPU (default: as many as fit)")
    p.add_argument("--threads", type=int, default=None, help="CPU threads (default: the physical cores)")
    add_worker_argument(p)
    p.add_argument("--parallel", type=int, default=None, metavar="N",
                   help="requests decoded at once, each with --ctx tokens of context (default: up to 4, as many as fit)")
    return {"serve": _cmd_serve}


def resolve_model(arg: str) -> Path:
    """The GGUF file for MODEL: a path, a library id, or a library name (case-insensitive).

    Raises:
        ChatError: no such model, missing files, or not a GGUF model (one line).
    """
    from formats.model import ModelFormat

    path = Path(arg).expanduser()
    if path.is_file():
        return path
    if path.is_dir():
        ggufs = sorted(path.glob("*.gguf"))
        if len(ggufs) == 1:
            return ggufs[0]
        raise ChatError(f"{arg} is a folder: give the .gguf file itself")
    entry, _ = c.library_entry(arg)
    if entry is None:
        raise ChatError(f"no model {arg!r}: give a library id or name (see `modelwerk list`) or a path to a GGUF file")
    if entry.format is not ModelFormat.GGUF:
        raise ChatError(f"{entry.name} is a {entry.format.value} model: chat and serve need a GGUF file")
    if entry.missing or not entry.path.is_file():
        raise ChatError(f"the file of {entry.name} is missing: {entry.path}")
    return entry.path


def _cmd_serve(args: argparse.Namespace) -> int:
    from app.chat.gate import Gate
    from app.chat.runtime import LoadOptions, Runtime, RuntimeState
    from app.cli.workers_option import with_cli_workers

    if args.ctx < 1:
        raise c.UsageError("--ctx must be a positive number of tokens")
    if not 0 <= args.port <= 65535:
        raise c.UsageError("--port must be between 0 and 65535")
    if args.parallel is not None and not 1 <= args.parallel <= 64:
        raise c.UsageError("--parallel must be between 1 and 64")
    key = _api_key(args)
    origins = tuple(_origin(o) for o in args.allow_origin)
    path = resolve_model(args.model)
    options = LoadOptions(context=args.ctx, gpu_layers=args.gpu_layers, threads=args.threads, parallel=args.parallel)
    options = with_cli_workers(args, path, options)
    # The model runs in a private llama-server (loopback, a random port, a private key); the gate listens where the
    # user said, checks each request (Host, Origin, key, body) and forwards it. Bound first: a taken port fails at once.
    runtime = Runtime.launch(path, options=options, name=path.stem)
    ended = threading.Event()
    runtime.on_state_changed = lambda state: ended.set() if state in (RuntimeState.CRASHED, RuntimeState.FAILED) else None
    gate: Gate | None = None
    try:
        try:
            gate = Gate(args.host, args.port, api_key=key, allow_origins=origins, upstream=runtime)
        except OSError as e:
            raise ChatError(f"cannot listen on {args.host}:{args.port}: {e.strerror or e}") from e
        print(f"Loading {path.name} ...", file=sys.stderr)
        runtime.wait_ready(timeout_s=LOAD_TIMEOUT_S)
        gate.serve()
        url = _bind_url(args.host, gate.port)
        if not key:  # --no-auth, loopback only; said before the banner, which scripts wait for
            print(f"WARNING: no API key: every program on this machine can use {url}", file=sys.stderr, flush=True)
        print(f"Serving {path.stem} at {url}{_notes(args.host, key)}")
        print("Press Ctrl-C to stop.", file=sys.stderr)
        sys.stdout.flush()
        while not ended.wait(0.5):
            if runtime.state is not RuntimeState.READY:
                break
        if runtime.state in (RuntimeState.CRASHED, RuntimeState.FAILED):
            raise ChatError(runtime.error)
        return 0
    except KeyboardInterrupt:
        print("Stopped.", file=sys.stderr)
        return 0
    finally:
        if gate is not None:
            gate.close()
        runtime.stop()


def _api_key(args: argparse.Namespace) -> str:
    """The key clients must send ("" for none), from --api-key or the environment.

    Raises:
        c.UsageError: no key without --no-auth, --no-auth on a non-loopback host, or both a key and --no-auth.
    """
    from app.chat.runtime import is_loopback

    key = (args.api_key if args.api_key is not None else os.environ.get(API_KEY_ENV, "")).strip()
    if args.api_key is not None and not key:
        raise c.UsageError("--api-key is empty: give a key, or --no-auth to serve without one")
    if key and args.no_auth:
        raise c.UsageError(f"--no-auth and an API key (--api-key or ${API_KEY_ENV}) contradict each other: give one")
    if not key and not is_loopback(args.host):
        raise c.UsageError(f"--host {args.host} lets other machines in, which needs a key: set ${API_KEY_ENV} (or "
                           "--api-key); --no-auth is for a loopback host only")  # fmt: skip
    if not key and not args.no_auth:
        raise c.UsageError(f"serving needs a key: set ${API_KEY_ENV} (or --api-key), or pass --no-auth to let every "
                           "program on this machine use it without one")  # fmt: skip
    return key


def _origin(url: str) -> str:
    """scheme://host[:port] of --allow-origin, as browsers send it in Origin.

    Raises:
        c.UsageError: not an http(s) origin (a path, a query, no host, another scheme).
    """
    from urllib.parse import urlsplit

    parts = urlsplit(url.strip())
    if parts.scheme not in ("http", "https") or not parts.hostname or parts.path not in ("", "/") or parts.query \
            or parts.fragment or parts.username or parts.password:  # fmt: skip
        raise c.UsageError(f"--allow-origin {url!r} is not a web origin: give scheme://host[:port], e.g. "
                           "http://localhost:3000")  # fmt: skip
    return f"{parts.scheme}://{parts.netloc.lower()}"


def _notes(host: str, key: str) -> str:
    """ " (every interface; API key required)": what the banner adds to the address."""
    from app.chat.runtime import is_loopback

    notes = [] if is_loopback(host) else ["every interface" if host in ("0.0.0.0", "", "::") else "reachable from the network"]
    notes.append("API key required" if key else "no API key")
    return f" ({'; '.join(notes)})"


def _bind_url(host: str, port: int) -> str:
    """Where it listens, as given (0.0.0.0 stays 0.0.0.0: the banner says what is exposed)."""
    shown = host or "0.0.0.0"
    shown = f"[{shown}]" if ":" in shown else shown
    return f"http://{shown}:{port}/v1"
