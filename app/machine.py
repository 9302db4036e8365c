"""This machine's hardware report: the probe plus the cached measurements of its speed (memory bandwidth, llama.cpp's
kernels)."""

from __future__ import annotations

import importlib.util
import logging
import os
from dataclasses import replace
from pathlib import Path

from app import paths
from hardware.bandwidth import cached_bandwidth
from hardware.kernels import KernelRates
from hardware.probe import probe
from hardware.report import HardwareReport

log = logging.getLogger(__name__)


def bandwidth_cache_file() -> Path:
    return paths.cache_dir() / "bandwidth.json"


def kernels_cache_file() -> Path:
    return paths.cache_dir() / "kernels.json"


def kernel_library_dir() -> Path | None:
    """The ggml libraries of the llama.cpp Python binding (found without importing it): the runtime's llama-server is
    one static binary built from the same llama.cpp sources with the same flags, so its kernels are these."""
    try:
        spec = importlib.util.find_spec("llama_cpp")
    except (ImportError, ValueError):
        return None
    for folder in (spec.submodule_search_locations or []) if spec is not None else []:
        lib = Path(folder) / "lib"
        if lib.is_dir():
            return lib
    return None


def runtime_threads() -> int:
    """The threads a runtime generates with by default (app.chat.runtime: one per physical core)."""
    import psutil

    return int(psutil.cpu_count(logical=False) or os.cpu_count() or 1)


def measured_kernels(*, again: bool = False) -> KernelRates | None:
    """llama.cpp's matrix-vector speed per tensor type, its flash attention and what a token costs besides, here (cached
    per machine, build and threads; measured in a child process: the attention and the costs per token add ~8 s and
    ~4.5 s at a load of 10 on 2 cores), or None when the binding's libraries are missing or the measurement failed
    (logged)."""
    from hardware.kernels import cached_kernels

    lib_dir = kernel_library_dir()
    if lib_dir is None:
        return None
    try:
        return cached_kernels(kernels_cache_file(), lib_dir, threads=runtime_threads(), again=again)
    except (OSError, RuntimeError, ValueError) as e:
        log.warning("could not measure llama.cpp's kernels: %s", e)
        return None


def with_kernels(report: HardwareReport, kernels: KernelRates | None) -> HardwareReport:
    return replace(report, cpu_kernels=kernels.rates) if kernels is not None else report


def llama_backends() -> tuple[str, ...] | None:
    """The backends of the llama-server every runtime uses ("CPU", "CUDA"...; hardware.backends' names), or None when
    it is not built: then the fit judges GPUs as if a build could use them, and the Hardware page says it is missing."""
    from app.chat.llama_server import server_info
    from app.chat.messages import ChatError
    from hardware.backends import normalise

    try:
        info = server_info()
    except ChatError:
        return None
    return normalise(b.split(":", 1)[0] for b in info.backends)


def current_report(models_dir: Path | None = None, *, measure_bandwidth: bool = True) -> HardwareReport:
    """Probe the machine with the backends of its llama.cpp build (a GPU it cannot use gets a CPU verdict); with
    measure_bandwidth, add the machine's measured speed: the memory bandwidth (~1 s) and llama.cpp's kernel rates (~5 s),
    each cached per machine."""
    report = replace(probe(models_dir), llama_backends=llama_backends())
    if measure_bandwidth:
        report = replace(report, cpu_bandwidth=cached_bandwidth(bandwidth_cache_file()))
        report = with_kernels(report, measured_kernels())
    return report
