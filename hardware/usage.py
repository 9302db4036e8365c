"""Live CPU, RAM and VRAM usage for a status bar, sampled about once a second from a caller's thread.

A sample costs well under a millisecond: psutil reads /proc, NVML answers from the driver, AMD's counters are sysfs files.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import psutil

from hardware.gpus import DRM_ROOT, amd_card_dirs

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Usage:
    """One sample. VRAM is summed over GPUs; 0/0 when there is no GPU (or only Apple unified memory, which is RAM)."""

    cpu_percent: float
    ram_used: int
    ram_total: int
    vram_used: int
    vram_total: int


class UsageSampler:
    """Takes cheap usage samples; create once and call `sample()` from one thread. Never raises.

    The first `sample()` reports 0 % CPU: psutil measures CPU time since the previous call, and the constructor primes it.
    """

    def __init__(self, *, use_nvml: bool = True, sysfs_root: Path = DRM_ROOT) -> None:
        self._nvml: Any = None
        self._nvml_handles: list[Any] = []
        self._amd_devices: list[Path] = []
        self._cpu_ok = True
        try:
            psutil.cpu_percent(interval=None)
        except Exception as exc:
            log.debug("cpu_percent: %s", exc)
            self._cpu_ok = False
        if use_nvml:
            self._init_nvml()
        if not self._nvml_handles:
            try:
                self._amd_devices = amd_card_dirs(sysfs_root)
            except Exception as exc:
                log.debug("AMD sysfs: %s", exc)

    def _init_nvml(self) -> None:
        try:
            import pynvml
        except ImportError:
            return
        try:
            pynvml.nvmlInit()
        except Exception as exc:
            log.debug("NVML unavailable: %s", exc)
            return
        try:
            count = int(pynvml.nvmlDeviceGetCount())
            self._nvml_handles = [pynvml.nvmlDeviceGetHandleByIndex(i) for i in range(count)]
        except Exception as exc:
            log.debug("NVML devices: %s", exc)
            self._nvml_handles = []
        if self._nvml_handles:
            self._nvml = pynvml
        else:
            self._shutdown_nvml(pynvml)

    @staticmethod
    def _shutdown_nvml(nvml: Any) -> None:
        try:
            nvml.nvmlShutdown()
        except Exception as exc:
            log.debug("nvmlShutdown: %s", exc)

    def sample(self) -> Usage:
        """Current usage; any part that cannot be read is 0."""
        cpu = 0.0
        if self._cpu_ok:
            try:
                cpu = float(psutil.cpu_percent(interval=None))
            except Exception as exc:
                log.debug("cpu_percent: %s", exc)
        ram_used = ram_total = 0
        try:
            memory = psutil.virtual_memory()
            # total - available is what task managers call "used": page cache that can be dropped is not.
            ram_total = int(memory.total)
            ram_used = max(0, ram_total - int(memory.available))
        except Exception as exc:
            log.debug("virtual_memory: %s", exc)
        vram_used, vram_total = self._vram()
        return Usage(cpu_percent=cpu, ram_used=ram_used, ram_total=ram_total, vram_used=vram_used, vram_total=vram_total)

    def _vram(self) -> tuple[int, int]:
        used = total = 0
        if self._nvml is not None:
            for handle in self._nvml_handles:
                try:
                    memory = self._nvml.nvmlDeviceGetMemoryInfo(handle)
                    used += int(memory.used)
                    total += int(memory.total)
                except Exception as exc:
                    log.debug("NVML memory info: %s", exc)
            return used, total
        for device in self._amd_devices:
            used += _read_int(device / "mem_info_vram_used")
            total += _read_int(device / "mem_info_vram_total")
        return used, total

    def close(self) -> None:
        """Release NVML. Sampling afterwards still works but reports no NVIDIA VRAM."""
        if self._nvml is not None:
            nvml, self._nvml, self._nvml_handles = self._nvml, None, []
            self._shutdown_nvml(nvml)

    def __enter__(self) -> UsageSampler:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()


def _read_int(path: Path) -> int:
    try:
        return int(path.read_text().strip(), 0)
    except (OSError, ValueError):
        return 0
