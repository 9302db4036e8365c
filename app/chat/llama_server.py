"""llama.cpp's own `llama-server`: where the binary is, and what it is (version, backends).

The one place that finds it, in this order:
1. ``$MODELWERK_LLAMA_SERVER``: an explicit path (a GPU build of your own, a distribution's package);
2. in a frozen bundle, next to the executable (installer/modelwerk.spec ships it there);
3. in a source checkout, ``.llama-server/llama-server``, which `make` builds from the llama-cpp-python sdist
   (installer/build-llama-server.sh: the same llama.cpp commit as the Python binding).
"""

from __future__ import annotations

import functools
import logging
import os
import re
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

from app.chat.messages import ChatError
from core.messages import N_, Message

log = logging.getLogger(__name__)

__all__ = ["ENV", "RPC_SERVER", "LlamaServerMissing", "ServerInfo", "binary_name", "find_llama_server", "find_rpc_server",
           "server_info"]  # fmt: skip

ENV = "MODELWERK_LLAMA_SERVER"
CHECKOUT_DIR = ".llama-server"


class LlamaServerMissing(ChatError):
    """No llama-server binary where the app looks for one."""

    hint = N_("run `make` in the checkout, or set MODELWERK_LLAMA_SERVER to a llama-server binary")


def binary_name() -> str:
    return "llama-server.exe" if os.name == "nt" else "llama-server"


def _checkout_root() -> Path:
    return Path(__file__).resolve().parents[2]


def find_llama_server() -> Path:
    """The llama-server binary to run.

    Raises:
        LlamaServerMissing: none found (the message says where it looked and what to do).
    """
    explicit = os.environ.get(ENV, "").strip()
    if explicit:
        path = Path(explicit).expanduser()
        if path.is_file() and os.access(path, os.X_OK):
            return path
        raise LlamaServerMissing(Message("${ENV} is {explicit}, which is not an executable file: point it at a "
                                         "llama-server binary, or unset it", ENV=str(ENV),
                                         explicit=str(explicit)))  # fmt: skip
    if getattr(sys, "frozen", False):
        for folder in (Path(getattr(sys, "_MEIPASS", "")), Path(sys.executable).parent):
            path = folder / binary_name()
            if path.is_file():
                return path
        raise LlamaServerMissing(Message("this installation has no {binary_name} next to {name}: reinstall Modelwerk, or "
                                         "set ${ENV} to a llama-server binary", binary_name=str(binary_name()),
                                         name=str(Path(sys.executable).name), ENV=str(ENV)))  # fmt: skip
    path = _checkout_root() / CHECKOUT_DIR / binary_name()
    if path.is_file():
        return path
    raise LlamaServerMissing(Message("llama-server is not built yet ({path} is missing): run `make` in {checkout_root}, or "
                                     "set ${ENV} to a llama-server binary", path=str(path),
                                     checkout_root=str(_checkout_root()), ENV=str(ENV)))  # fmt: skip


RPC_SERVER = "ggml-rpc-server"
"""llama.cpp's RPC worker (tools/rpc; `rpc-server` in older llama.cpp), built beside llama-server with -DGGML_RPC=ON."""


def find_rpc_server() -> Path:
    """llama.cpp's RPC worker: next to the llama-server that `find_llama_server` finds (the same build, hence the same
    RPC protocol version).

    Raises:
        LlamaServerMissing: no llama-server, or no worker beside it (the message says what to do).
    """
    server = find_llama_server()
    name = RPC_SERVER + (".exe" if os.name == "nt" else "")
    path = server.parent / name
    if path.is_file() and os.access(path, os.X_OK):
        return path
    raise LlamaServerMissing(f"there is no {name} beside {server}: rebuild llama.cpp with -DGGML_RPC=ON "
                             "(`make` in the checkout does), or point $MODELWERK_LLAMA_SERVER at such a build")  # fmt: skip


@dataclass(frozen=True)
class ServerInfo:
    """What `llama-server --version` and `--list-devices` say."""

    path: str
    version: str
    """ "0.5.0-dev (build 1, commit 0c1e570)", "" when it did not say."""
    backends: tuple[str, ...]
    """ "CPU" plus the devices it can offload to ("CUDA0: NVIDIA ...", "Vulkan0: ...")."""


_VERSION = re.compile(r"^version:\s*(.+)$", re.MULTILINE)


@functools.cache
def _info(path: str, mtime: float) -> ServerInfo:
    def run(*args: str) -> str:
        try:
            r = subprocess.run([path, *args], capture_output=True, text=True, timeout=30, stdin=subprocess.DEVNULL)
        except (OSError, subprocess.TimeoutExpired) as e:
            raise ChatError(Message("{path} does not run: {reason}", path=str(path),
                                    reason=" ".join(str(e).split()))) from e
        return r.stdout + r.stderr

    m = _VERSION.search(run("--version"))
    version = m.group(1).strip() if m else ""
    devices = []
    listed = False
    for line in run("--list-devices").splitlines():
        if line.strip().lower().startswith("available devices"):
            listed = True
            continue
        if listed and line.strip() and line.strip() != "(none)":
            devices.append(line.strip())
    return ServerInfo(path=path, version=version, backends=("CPU", *devices))


def server_info(path: Path | None = None) -> ServerInfo:
    """The version and backends of llama-server (cached per binary).

    Raises:
        LlamaServerMissing: no binary; ChatError: it does not run.
    """
    path = path or find_llama_server()
    return _info(str(path), path.stat().st_mtime)


def binding_backends() -> tuple[str, ...]:
    """The backends llama-cpp-python was built with ("CPU", "CUDA", "Metal"...), from llama.cpp's system info."""
    import llama_cpp

    info = llama_cpp.llama_print_system_info().decode("utf-8", "replace")
    return tuple(dict.fromkeys(re.findall(r"(?:^|\|)\s*([A-Za-z][\w-]*) : ", info))) or ("CPU",)


def engines_report() -> dict[str, object]:
    """`modelwerk hw`'s llama.cpp section: the Python binding (quantization, evaluation) and llama-server (every
    runtime), each with its version and backends; the server's entry says why when it is missing."""
    import importlib.metadata

    try:
        binding: dict[str, object] = {"version": importlib.metadata.version("llama-cpp-python"),
                                      "backends": list(binding_backends())}  # fmt: skip
    except (ImportError, OSError, importlib.metadata.PackageNotFoundError) as e:
        binding = {"error": " ".join(str(e).split())}
    try:
        info = server_info()
        server: dict[str, object] = {"path": info.path, "version": info.version, "backends": list(info.backends)}
    except ChatError as e:
        server = {"error": str(e)}
    return {"binding": binding, "server": server}
