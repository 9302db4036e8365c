"""Probe the machine: OS, CPU, RAM, GPUs and free disk, with nothing but psutil, NVML, sysfs and short system commands.

`probe()` never raises: whatever is missing (a driver, a tool, /proc) is reported as absent and logged at debug level.
It takes a few milliseconds on Linux, so it may run at startup, but call it off the GUI thread anyway (NVML can be slow).
"""

from __future__ import annotations

import logging
import os
import platform
import sys
from pathlib import Path

import psutil

from hardware import gpus as gpu_probe
from hardware.report import CpuInfo, GpuInfo, HardwareReport

log = logging.getLogger(__name__)

CPUINFO = Path("/proc/cpuinfo")
OS_RELEASE_FILES = (Path("/etc/os-release"), Path("/usr/lib/os-release"))

# Flags copied as they are from /proc/cpuinfo (x86 "flags", ARM "Features") when present.
_DIRECT_FLAGS = frozenset(
    {"avx", "avx2", "fma", "f16c", "avx512f", "avx512bw", "avx512vl", "avx512_vnni", "avx512_bf16", "avx512_fp16", "avx_vnni"}
    | {"sve", "sve2", "i8mm"}
)
# Linux names -> the names llama.cpp's system info uses.
_RENAMED_FLAGS = {
    "amx_tile": "amx", "amx_int8": "amx", "amx_bf16": "amx", "asimd": "neon", "asimddp": "dotprod",
    "avx1.0": "avx", "avx512vnni": "avx512_vnni", "avx512bf16": "avx512_bf16",  # the last three: Intel Macs' sysctl
}  # fmt: skip
_ARM_MACHINES = frozenset({"aarch64", "arm64", "armv8l", "armv8b"})

# MIDR implementer / part numbers for aarch64 Linux, whose /proc/cpuinfo carries no model name.
_ARM_IMPLEMENTERS = {
    0x41: "ARM", 0x42: "Broadcom", 0x46: "Fujitsu", 0x48: "HiSilicon", 0x4E: "NVIDIA",
    0x51: "Qualcomm", 0x61: "Apple", 0x6D: "Microsoft", 0xC0: "Ampere",
}  # fmt: skip
_ARM_PARTS = {
    0xD03: "Cortex-A53", 0xD05: "Cortex-A55", 0xD07: "Cortex-A57", 0xD08: "Cortex-A72", 0xD0B: "Cortex-A76",
    0xD0C: "Neoverse-N1", 0xD0D: "Cortex-A77", 0xD40: "Neoverse-V1", 0xD41: "Cortex-A78", 0xD49: "Neoverse-N2",
    0xD4F: "Neoverse-V2", 0xD8E: "Neoverse-N3", 0xD84: "Neoverse-V3",
}  # fmt: skip


def probe(models_dir: Path | None = None, *, cpu_bandwidth: float = 0.0) -> HardwareReport:
    """Describe this machine.

    Args:
        models_dir: Folder whose file system's free space becomes `disk_free` (it need not exist yet); None -> 0.
        cpu_bandwidth: A measured (usually cached) memory bandwidth in bytes/s to carry into the report.
    """
    machine = _machine()
    ram_total, ram_available = _ram()
    cpu = cpu_info(machine)
    return HardwareReport(
        os=os_name(),
        cpu=cpu,
        ram_total=ram_total,
        ram_available=ram_available,
        gpus=tuple(_gpus(machine, cpu.model, ram_total, ram_available)),
        disk_free=disk_free(models_dir) if models_dir is not None else 0,
        cpu_bandwidth=cpu_bandwidth,
    )


def _machine() -> str:
    machine = platform.machine().lower()
    return "x86_64" if machine in ("amd64", "x64") else machine


def _ram() -> tuple[int, int]:
    try:
        memory = psutil.virtual_memory()
        return int(memory.total), int(memory.available)
    except Exception as exc:
        log.debug("virtual_memory: %s", exc)
        return 0, 0


def _gpus(machine: str, cpu_model: str, ram_total: int, ram_available: int) -> list[GpuInfo]:
    found: list[GpuInfo] = []
    try:
        if sys.platform == "darwin":
            if machine == "arm64":
                found.append(gpu_probe.apple_gpu(cpu_model, ram_total, ram_available))
            return found
        found.extend(gpu_probe.nvidia_gpus())
        if sys.platform.startswith("linux"):
            found.extend(gpu_probe.amd_gpus())
    except Exception:
        # The helpers already swallow what they expect; this is the last net so that probe() itself never raises.
        log.debug("GPU probe failed", exc_info=True)
    return found


# --- OS -------------------------------------------------------------------------------------------------------------


def os_name() -> str:
    """A short human name: "Linux 6.1 (Debian 12)", "macOS 14.5", "Windows 11"."""
    try:
        if sys.platform == "darwin":
            version = platform.mac_ver()[0]
            return f"macOS {version}" if version else "macOS"
        if sys.platform == "win32":
            return windows_name(platform.release(), platform.version())
        if sys.platform.startswith("linux"):
            return linux_name(platform.release(), _read_os_release())
        return f"{platform.system()} {platform.release()}".strip()
    except Exception as exc:
        log.debug("os name: %s", exc)
        return platform.system() or sys.platform


def _read_os_release() -> str:
    for path in OS_RELEASE_FILES:
        try:
            return path.read_text(errors="replace")
        except OSError:
            continue
    return ""


def parse_os_release(text: str) -> dict[str, str]:
    """KEY=value pairs of an os-release file, quotes removed."""
    fields = {}
    for line in text.splitlines():
        key, sep, value = line.strip().partition("=")
        if sep and key and not key.startswith("#"):
            fields[key] = value.strip().strip("\"'")
    return fields


def linux_name(kernel_release: str, os_release: str) -> str:
    """ "Linux 6.1 (Debian 12)" from a kernel release like "6.1.0-18-amd64" and the os-release text."""
    kernel = ".".join(kernel_release.split("-")[0].split(".")[:2])
    fields = parse_os_release(os_release)
    distro = fields.get("NAME", "")
    for suffix in (" GNU/Linux", " Linux"):
        distro = distro.removesuffix(suffix)
    if distro and fields.get("VERSION_ID"):
        distro = f"{distro} {fields['VERSION_ID']}"
    distro = distro or fields.get("PRETTY_NAME", "")
    name = f"Linux {kernel}".strip()
    return f"{name} ({distro})" if distro else name


def windows_name(release: str, version: str) -> str:
    """ "Windows 11": Python before 3.12 reports Windows 11 as release "10"; builds >= 22000 are 11."""
    try:
        build = int(version.split(".")[2])
    except (IndexError, ValueError):
        build = 0
    if release == "10" and build >= 22000:
        release = "11"
    return f"Windows {release}".strip()


# --- CPU ------------------------------------------------------------------------------------------------------------


def cpu_info(machine: str | None = None) -> CpuInfo:
    """Model, core counts and the instruction sets llama.cpp cares about."""
    machine = machine or _machine()
    model, flags = "", frozenset[str]()
    try:
        if sys.platform.startswith("linux"):
            text = CPUINFO.read_text(errors="replace")
            model, flags = parse_cpuinfo(text, machine=machine)
        elif sys.platform == "darwin":
            model, flags = _mac_cpu(machine)
        elif sys.platform == "win32":
            model, flags = _windows_cpu(machine)
    except Exception as exc:
        log.debug("cpu info: %s", exc)
    if not model:
        model = platform.processor() or machine or "Unknown CPU"
    if machine in _ARM_MACHINES:
        flags |= {"neon"}
    logical, physical = _core_counts()
    return CpuInfo(model=model, physical_cores=physical, logical_cores=logical, architecture=machine, flags=flags)


def _core_counts() -> tuple[int, int]:
    try:
        logical = psutil.cpu_count(logical=True) or 1
        physical = psutil.cpu_count(logical=False) or logical
    except Exception as exc:
        log.debug("cpu_count: %s", exc)
        logical = physical = 1
    return int(logical), int(physical)


def parse_cpuinfo(text: str, *, machine: str = "") -> tuple[str, frozenset[str]]:
    """Model name and normalized flags from the text of /proc/cpuinfo (the first processor; all cores share flags)."""
    fields: dict[str, str] = {}
    for line in text.splitlines():
        key, sep, value = line.partition(":")
        if sep:
            # The first occurrence wins: processor 0's flags, and the model before any trailing board block (Raspberry Pi).
            fields.setdefault(key.strip().lower(), value.strip())
    raw = (fields.get("flags") or fields.get("features") or "").lower().split()
    return _cpu_model(fields), normalize_flags(raw, machine=machine)


def normalize_flags(raw: list[str] | set[str] | frozenset[str], *, machine: str = "") -> frozenset[str]:
    """Keep the instruction sets that matter for llama.cpp, renamed to their common names."""
    flags = {f for f in raw if f in _DIRECT_FLAGS}
    flags |= {_RENAMED_FLAGS[f] for f in raw if f in _RENAMED_FLAGS}
    if machine in _ARM_MACHINES:
        flags.add("neon")
    return frozenset(flags)


def _cpu_model(fields: dict[str, str]) -> str:
    for key in ("model name", "cpu model"):
        if fields.get(key):
            return fields[key]
    arm = _arm_model(fields.get("cpu implementer", ""), fields.get("cpu part", ""))
    if arm:
        return arm
    # x86's "model" is a number; a board's "Hardware"/"Model" or POWER's "cpu" is better than nothing.
    for key in ("hardware", "model", "cpu"):
        value = fields.get(key, "")
        if value and not value.isdigit():
            return value
    return ""


def _arm_model(implementer: str, part: str) -> str:
    try:
        vendor = _ARM_IMPLEMENTERS.get(int(implementer, 0), "")
        core = _ARM_PARTS.get(int(part, 0), "") if vendor == "ARM" else ""
    except ValueError:
        return ""
    return " ".join(x for x in (vendor, core) if x)


def _mac_cpu(machine: str) -> tuple[str, frozenset[str]]:
    model = (gpu_probe.command_output(["sysctl", "-n", "machdep.cpu.brand_string"]) or "").strip()
    if machine == "arm64":
        return model, frozenset({"neon"})
    # Intel Macs: "FPU VME ... AVX1.0 ... F16C" and "... AVX2 ... AVX512F ..." on two lines.
    features = gpu_probe.command_output(["sysctl", "-n", "machdep.cpu.features", "machdep.cpu.leaf7_features"]) or ""
    return model, normalize_flags({f.lower() for f in features.split()})


def _windows_cpu(machine: str) -> tuple[str, frozenset[str]]:
    model = platform.processor() or os.environ.get("PROCESSOR_IDENTIFIER", "")
    flags: set[str] = set()
    if sys.platform == "win32" and machine == "x86_64":
        import ctypes

        present = ctypes.windll.kernel32.IsProcessorFeaturePresent
        # PF_AVX_INSTRUCTIONS_AVAILABLE, PF_AVX2_..., PF_AVX512F_... (winnt.h); older Windows answers 0 for all.
        for feature, name in ((39, "avx"), (40, "avx2"), (41, "avx512f")):
            if present(feature):
                flags.add(name)
    return model, frozenset(flags)


# --- Disk -----------------------------------------------------------------------------------------------------------


def disk_free(path: Path) -> int:
    """Free bytes on the file system that holds `path`, or would hold it once created; 0 when unknown."""
    try:
        candidate = path.expanduser().absolute()
        for folder in (candidate, *candidate.parents):
            if folder.exists():
                return int(psutil.disk_usage(str(folder)).free)
    except Exception as exc:
        log.debug("disk usage of %s: %s", path, exc)
    return 0
