"""This machine's hardware report: the probe plus the cached memory-bandwidth measurement."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

from app import paths
from hardware.bandwidth import cached_bandwidth
from hardware.probe import probe
from hardware.report import HardwareReport


def bandwidth_cache_file() -> Path:
    return paths.cache_dir() / "bandwidth.json"


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
    measure_bandwidth, add the memory bandwidth (cached per machine, ~1 s to measure)."""
    report = replace(probe(models_dir), llama_backends=llama_backends())
    if measure_bandwidth:
        report = replace(report, cpu_bandwidth=cached_bandwidth(bandwidth_cache_file()))
    return report
