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


def current_report(models_dir: Path | None = None, *, measure_bandwidth: bool = True) -> HardwareReport:
    """Probe the machine; with measure_bandwidth, add the memory bandwidth (measured once per machine, ~0.5 s)."""
    report = probe(models_dir)
    if measure_bandwidth:
        report = replace(report, cpu_bandwidth=cached_bandwidth(bandwidth_cache_file()))
    return report
