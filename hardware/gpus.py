"""Accelerator discovery: NVIDIA through NVML, AMD through sysfs (and rocm-smi for names), Apple Silicon unified memory.

Every function here treats a missing driver, tool or file as "no such GPU": it logs at debug level and returns nothing.
"""

from __future__ import annotations

import json
import logging
import re
import shutil
import subprocess
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any, TypeVar

from hardware.report import GiB, GpuInfo, GpuVendor

log = logging.getLogger(__name__)

DRM_ROOT = Path("/sys/class/drm")
AMD_VENDOR_ID = 0x1002
COMMAND_TIMEOUT_S = 2.0

_T = TypeVar("_T")

# Unified-memory bandwidth of Apple Silicon chips in bytes/s (Apple's published figures, top bin of each chip).
APPLE_BANDWIDTH: dict[str, float] = {
    "M1": 68.25e9,
    "M1 Pro": 200e9,
    "M1 Max": 400e9,
    "M1 Ultra": 800e9,
    "M2": 100e9,
    "M2 Pro": 200e9,
    "M2 Max": 400e9,
    "M2 Ultra": 800e9,
    "M3": 100e9,
    "M3 Pro": 150e9,
    "M3 Max": 400e9,
    "M3 Ultra": 819e9,
    "M4": 120e9,
    "M4 Pro": 273e9,
    "M4 Max": 546e9,
}
_APPLE_CHIP = re.compile(r"\b(M\d+)(?:\s+(Pro|Max|Ultra))?\b")


def command_output(args: Sequence[str], *, timeout: float = COMMAND_TIMEOUT_S) -> str | None:
    """Run a short system command and return its stdout, or None if it is missing, fails or hangs."""
    try:
        done = subprocess.run(list(args), capture_output=True, text=True, timeout=timeout, check=False)
    except (OSError, subprocess.SubprocessError) as exc:
        log.debug("%s: %s", args[0], exc)
        return None
    if done.returncode != 0:
        log.debug("%s exited with %d: %s", args[0], done.returncode, done.stderr.strip()[:200])
        return None
    return done.stdout


def _safe(what: str, fn: Callable[[], _T], default: _T) -> _T:
    # NVML raises a different NVMLError subclass for every unsupported query (laptops, vGPUs, old drivers); none may escape.
    try:
        return fn()
    except Exception as exc:
        log.debug("NVML %s: %s", what, exc)
        return default


def _text(value: object) -> str:
    # Older nvidia-ml-py releases return bytes, newer ones str.
    return value.decode(errors="replace") if isinstance(value, bytes) else str(value)


def nvidia_gpus() -> list[GpuInfo]:
    """NVIDIA GPUs as NVML sees them; empty without nvidia-ml-py or the driver library."""
    try:
        import pynvml
    except ImportError:
        log.debug("nvidia-ml-py is not installed")
        return []
    try:
        pynvml.nvmlInit()
    except Exception as exc:
        log.debug("NVML unavailable: %s", exc)
        return []
    try:
        driver = _safe("driver version", lambda: _text(pynvml.nvmlSystemGetDriverVersion()), "")
        count = _safe("device count", lambda: int(pynvml.nvmlDeviceGetCount()), 0)
        gpus = []
        for index in range(count):
            gpu = _nvidia_gpu(pynvml, index, driver)
            if gpu is not None:
                gpus.append(gpu)
        return gpus
    finally:
        _safe("shutdown", pynvml.nvmlShutdown, None)


def _nvidia_gpu(nvml: Any, index: int, driver: str) -> GpuInfo | None:
    handle = _safe(f"handle {index}", lambda: nvml.nvmlDeviceGetHandleByIndex(index), None)
    if handle is None:
        return None
    name = _safe("name", lambda: _text(nvml.nvmlDeviceGetName(handle)), "NVIDIA GPU")
    memory = _safe("memory info", lambda: nvml.nvmlDeviceGetMemoryInfo(handle), None)
    total = _safe("memory total", lambda: int(memory.total), 0) if memory is not None else 0
    free = _safe("memory free", lambda: int(memory.free), 0) if memory is not None else 0
    major_minor = _safe("compute capability", lambda: tuple(nvml.nvmlDeviceGetCudaComputeCapability(handle)), ())
    capability = ".".join(str(int(part)) for part in major_minor) if len(major_minor) == 2 else ""
    mem_clock_mhz = _safe("max memory clock", lambda: int(nvml.nvmlDeviceGetMaxClockInfo(handle, nvml.NVML_CLOCK_MEM)), 0)
    bus_bits = _safe("memory bus width", lambda: int(nvml.nvmlDeviceGetMemoryBusWidth(handle)), 0)
    return GpuInfo(
        name=name,
        vendor=GpuVendor.NVIDIA,
        vram_total=total,
        vram_free=free,
        index=index,
        driver=driver,
        compute_capability=capability,
        bandwidth=nvidia_bandwidth(mem_clock_mhz, bus_bits),
    )


def nvidia_bandwidth(mem_clock_mhz: int, bus_width_bits: int) -> float:
    """Peak bandwidth in bytes/s: NVML's memory clock is half the data rate (double data rate), times the bus width."""
    return mem_clock_mhz * 1e6 * 2 * bus_width_bits / 8


def _read(path: Path) -> str | None:
    try:
        return path.read_text(errors="replace").strip()
    except OSError:
        return None


def _read_int(path: Path) -> int | None:
    text = _read(path)
    if text is None:
        return None
    try:
        return int(text, 0)
    except ValueError:
        log.debug("%s: not a number: %r", path, text[:40])
        return None


def amd_card_dirs(sysfs_root: Path = DRM_ROOT) -> list[Path]:
    """The `device` folders of AMD cards under /sys/class/drm that report VRAM (connectors like card0-DP-1 skipped)."""
    try:
        cards = sorted(sysfs_root.glob("card*"), key=lambda p: (len(p.name), p.name))
    except OSError:
        return []
    found = []
    for card in cards:
        if not re.fullmatch(r"card\d+", card.name):
            continue
        device = card / "device"
        if _read_int(device / "vendor") == AMD_VENDOR_ID and _read_int(device / "mem_info_vram_total") is not None:
            found.append(device)
    return found


def amd_gpus(sysfs_root: Path = DRM_ROOT, *, rocm_smi: str | None = "rocm-smi") -> list[GpuInfo]:
    """AMD GPUs driven by amdgpu: VRAM from sysfs, names from `product_name` or rocm-smi. Pass rocm_smi=None to skip it."""
    devices = amd_card_dirs(sysfs_root)
    if not devices:
        return []
    names: list[str] = []
    # /sys/module/amdgpu/version exists only for the DKMS (ROCm) driver; the in-kernel one has no version of its own.
    driver = _read(sysfs_root.parent.parent / "module" / "amdgpu" / "version") or "amdgpu"
    gpus = []
    for index, device in enumerate(devices):
        total = _read_int(device / "mem_info_vram_total") or 0
        used = _read_int(device / "mem_info_vram_used") or 0
        name = _read(device / "product_name") or ""
        if not name:
            if not names and rocm_smi is not None:
                names = rocm_smi_names(rocm_smi) or ["AMD GPU"]
            name = names[index] if index < len(names) else "AMD GPU"
        gpus.append(
            GpuInfo(
                name=name, vendor=GpuVendor.AMD, vram_total=total, vram_free=max(0, total - used), index=index, driver=driver
            )
        )
    return gpus


def rocm_smi_names(executable: str = "rocm-smi") -> list[str]:
    """Product names in rocm-smi's card order; empty when rocm-smi is missing or says nothing useful."""
    path = shutil.which(executable)
    if path is None:
        log.debug("%s not found", executable)
        return []
    output = command_output([path, "--showproductname", "--json"])
    return parse_rocm_smi_names(output) if output else []


def parse_rocm_smi_names(output: str) -> list[str]:
    """Names from `rocm-smi --showproductname --json`: {"card0": {"Card Series": ..., "Card model": ...}, ...}."""
    try:
        data = json.loads(output)
    except ValueError:
        log.debug("rocm-smi printed no JSON")
        return []
    if not isinstance(data, dict):
        return []
    cards = sorted((k for k in data if re.fullmatch(r"card\d+", k)), key=lambda k: int(k[4:]))
    names = []
    for key in cards:
        fields = data[key]
        if not isinstance(fields, dict):
            continue
        lower = {str(k).lower(): str(v).strip() for k, v in fields.items()}
        # "Card Series" holds the marketing name ("Radeon RX 7900 XTX"); "Card model" is often a PCI id.
        name = lower.get("card series") or lower.get("card model") or "AMD GPU"
        names.append(name)
    return names


def apple_bandwidth(chip_name: str) -> float:
    """Unified-memory bandwidth for a brand string such as "Apple M2 Pro"; 0.0 for a chip not in the table."""
    match = _APPLE_CHIP.search(chip_name)
    if match is None:
        return 0.0
    key = match.group(1) + (f" {match.group(2)}" if match.group(2) else "")
    return APPLE_BANDWIDTH.get(key, 0.0)


def apple_gpu_share(ram_total: int) -> int:
    """Metal's recommended working set: about 2/3 of RAM up to 36 GiB, 3/4 above."""
    return ram_total * 2 // 3 if ram_total <= 36 * GiB else ram_total * 3 // 4


def apple_gpu(chip_name: str, ram_total: int, ram_available: int) -> GpuInfo:
    """The Apple Silicon GPU, whose memory is the share of unified RAM that Metal lets it wire."""
    total = apple_gpu_share(ram_total)
    return GpuInfo(
        name=chip_name or "Apple GPU",
        vendor=GpuVendor.APPLE,
        vram_total=total,
        vram_free=max(0, min(total, ram_available)),
        driver="Metal",
        bandwidth=apple_bandwidth(chip_name),
        unified_memory=True,
    )
