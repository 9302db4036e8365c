"""Hardware probe: this machine, /proc/cpuinfo samples, a fake sysfs tree, a fake NVML."""

from __future__ import annotations

import json
import sys
import types
from pathlib import Path
from typing import Any

import pytest
from fixtures.hardware_reports import ALL, MAC_GPU_SHARE, mac_32gb

from hardware import gpus as gpu_probe
from hardware.gpus import (
    amd_gpus,
    apple_bandwidth,
    apple_gpu,
    apple_gpu_share,
    nvidia_bandwidth,
    nvidia_gpus,
    parse_rocm_smi_names,
)
from hardware.probe import disk_free, linux_name, normalize_flags, parse_cpuinfo, probe, windows_name
from hardware.report import GiB, GpuVendor, HardwareReport, MiB

X86_AMX_CPUINFO = """\
processor\t: 0
vendor_id\t: GenuineIntel
cpu family\t: 6
model\t\t: 143
model name\t: Intel(R) Xeon(R) Platinum 8480+
flags\t\t: fpu vme sse sse2 ssse3 fma avx f16c avx2 avx512f avx512bw avx512vl avx_vnni avx512_bf16 avx512_vnni \
amx_bf16 avx512_fp16 amx_tile amx_int8

processor\t: 1
vendor_id\t: GenuineIntel
model name\t: Intel(R) Xeon(R) Platinum 8480+
flags\t\t: fpu vme sse sse2

"""

AARCH64_CPUINFO = """\
processor\t: 0
BogoMIPS\t: 243.75
Features\t: fp asimd evtstrm aes pmull sha1 sha2 crc32 atomics fphp asimdhp cpuid asimdrdm lrcpc dcpop asimddp sve i8mm
CPU implementer\t: 0x41
CPU architecture: 8
CPU variant\t: 0x1
CPU part\t: 0xd40
CPU revision\t: 1

processor\t: 1
BogoMIPS\t: 243.75
Features\t: fp asimd
CPU implementer\t: 0x41
CPU part\t: 0xd40

"""

RASPBERRY_PI_CPUINFO = """\
processor\t: 0
BogoMIPS\t: 108.00
Features\t: fp asimd evtstrm crc32 cpuid
CPU implementer\t: 0x41
CPU part\t: 0xd08

Hardware\t: BCM2835
Model\t\t: Raspberry Pi 4 Model B Rev 1.4
"""


# --- this machine ---------------------------------------------------------------------------------------------------


def test_probe_reports_this_machine(tmp_path: Path) -> None:
    report = probe(tmp_path / "not" / "yet" / "models", cpu_bandwidth=12.5e9)

    assert isinstance(report, HardwareReport)
    assert report.os
    assert report.cpu.model
    assert report.cpu.logical_cores >= report.cpu.physical_cores >= 1
    assert report.ram_total > report.ram_available > 0
    assert report.disk_free > 0  # measured on tmp_path's file system, the nearest existing parent
    assert report.cpu_bandwidth == 12.5e9
    if sys.platform.startswith("linux"):
        assert report.os.startswith("Linux ")
        cpuinfo = Path("/proc/cpuinfo").read_text()
        first_flags = next((line for line in cpuinfo.splitlines() if line.startswith(("flags", "Features"))), "")
        if " avx2" in first_flags:
            assert "avx2" in report.cpu.flags
        assert set(report.cpu.instruction_sets) == report.cpu.flags & set(report.cpu.instruction_sets)


@pytest.mark.skipif(Path("/dev/nvidiactl").exists() or Path("/dev/kfd").exists(), reason="this machine has a GPU")
def test_probe_finds_no_gpu_on_a_gpu_less_machine() -> None:
    assert probe().gpus == ()



def test_probe_without_models_dir_reports_no_disk() -> None:
    assert probe().disk_free == 0


def test_disk_free_walks_up_to_an_existing_folder(tmp_path: Path) -> None:
    assert disk_free(tmp_path / "a" / "b" / "c") == disk_free(tmp_path) > 0


def test_probe_survives_a_broken_psutil(monkeypatch: pytest.MonkeyPatch) -> None:
    def boom(*args: object, **kwargs: object) -> Any:
        raise OSError("no /proc")

    monkeypatch.setattr("psutil.virtual_memory", boom)
    monkeypatch.setattr("psutil.cpu_count", boom)
    monkeypatch.setattr("psutil.disk_usage", boom)
    report = probe(Path("/"))
    assert report.ram_total == report.ram_available == report.disk_free == 0
    assert report.cpu.physical_cores == report.cpu.logical_cores == 1


# --- /proc/cpuinfo and OS names -------------------------------------------------------------------------------------


def test_parse_x86_cpuinfo_with_amx() -> None:
    model, flags = parse_cpuinfo(X86_AMX_CPUINFO, machine="x86_64")
    assert model == "Intel(R) Xeon(R) Platinum 8480+"
    assert {"avx", "avx2", "fma", "f16c", "avx512f", "avx512_vnni", "avx512_bf16", "amx"} <= flags
    assert not flags & {"amx_tile", "amx_int8", "amx_bf16", "sse2", "neon", "fpu"}


def test_parse_aarch64_cpuinfo() -> None:
    model, flags = parse_cpuinfo(AARCH64_CPUINFO, machine="aarch64")
    assert model == "ARM Neoverse-V1"
    assert {"neon", "sve", "i8mm", "dotprod"} <= flags
    assert "avx2" not in flags


def test_parse_raspberry_pi_cpuinfo_prefers_the_core_name() -> None:
    model, flags = parse_cpuinfo(RASPBERRY_PI_CPUINFO, machine="aarch64")
    assert model == "ARM Cortex-A72"
    assert flags == {"neon"}


def test_aarch64_always_has_neon() -> None:
    assert normalize_flags([], machine="aarch64") == {"neon"}
    assert normalize_flags(["asimd"]) == {"neon"}
    assert normalize_flags(["avx1.0", "avx2", "avx512vnni"]) == {"avx", "avx2", "avx512_vnni"}  # an Intel Mac's sysctl


def test_parse_empty_cpuinfo() -> None:
    assert parse_cpuinfo("") == ("", frozenset())


def test_linux_name() -> None:
    debian = 'PRETTY_NAME="Debian GNU/Linux 12 (bookworm)"\nNAME="Debian GNU/Linux"\nVERSION_ID="12"\nID=debian\n'
    assert linux_name("6.1.0-18-amd64", debian) == "Linux 6.1 (Debian 12)"
    assert linux_name("6.8.0-45-generic", 'NAME="Ubuntu"\nVERSION_ID="24.04"\n') == "Linux 6.8 (Ubuntu 24.04)"
    assert linux_name("6.10.10-arch1-1", 'NAME="Arch Linux"\nPRETTY_NAME="Arch Linux"\n') == "Linux 6.10 (Arch)"
    assert linux_name("5.15.0", "") == "Linux 5.15"


def test_windows_name() -> None:
    assert windows_name("10", "10.0.22631") == "Windows 11"
    assert windows_name("10", "10.0.19045") == "Windows 10"
    assert windows_name("11", "10.0.26100") == "Windows 11"


# --- NVIDIA ---------------------------------------------------------------------------------------------------------


def test_nvidia_absent_is_no_gpu() -> None:
    pynvml = pytest.importorskip("pynvml")
    try:
        pynvml.nvmlInit()
    except pynvml.NVMLError:
        pass  # expected here: NVMLError_LibraryNotFound
    else:
        pynvml.nvmlShutdown()
        pytest.skip("this machine has an NVIDIA driver")
    assert nvidia_gpus() == []


class _FakeNvmlError(Exception):
    pass


def _fake_pynvml(*, bus_width_fails: bool = False) -> types.ModuleType:
    nvml = types.ModuleType("pynvml")
    calls = {"init": 0, "shutdown": 0}

    def fail(*args: object) -> Any:
        raise _FakeNvmlError("Not Supported")

    def bus_width(handle: int) -> int:
        if bus_width_fails:
            raise _FakeNvmlError("Not Supported")
        return 384

    def init() -> None:
        calls["init"] += 1

    def shutdown() -> None:
        calls["shutdown"] += 1

    memory = types.SimpleNamespace(total=24 * GiB, free=23 * GiB, used=GiB)
    attrs: dict[str, Any] = {
        "calls": calls,
        "NVML_CLOCK_MEM": 2,
        "nvmlInit": init,
        "nvmlShutdown": shutdown,
        "nvmlSystemGetDriverVersion": lambda: b"550.107.02",
        "nvmlDeviceGetCount": lambda: 2,
        "nvmlDeviceGetHandleByIndex": lambda i: i,
        "nvmlDeviceGetName": lambda h: "NVIDIA GeForce RTX 4090" if h == 0 else b"NVIDIA GeForce RTX 3060",
        "nvmlDeviceGetMemoryInfo": lambda h: memory,
        "nvmlDeviceGetCudaComputeCapability": lambda h: (8, 9) if h == 0 else fail(),
        "nvmlDeviceGetMaxClockInfo": lambda h, kind: 10501 if kind == 2 else 2520,
        "nvmlDeviceGetMemoryBusWidth": bus_width,
    }
    for name, value in attrs.items():
        setattr(nvml, name, value)
    return nvml


def test_nvidia_through_nvml(monkeypatch: pytest.MonkeyPatch) -> None:
    nvml = _fake_pynvml()
    monkeypatch.setitem(sys.modules, "pynvml", nvml)
    first, second = nvidia_gpus()

    assert first.name == "NVIDIA GeForce RTX 4090"
    assert first.vendor is GpuVendor.NVIDIA
    assert (first.vram_total, first.vram_free) == (24 * GiB, 23 * GiB)
    assert first.driver == "550.107.02"
    assert first.compute_capability == "8.9"
    assert first.bandwidth == pytest.approx(1008.096e9)  # 10501 MHz x 2 x 384 bits / 8
    assert second.name == "NVIDIA GeForce RTX 3060"  # bytes from old nvidia-ml-py
    assert second.index == 1
    assert second.compute_capability == ""  # the query failed: unknown, not an exception
    assert nvml.calls == {"init": 1, "shutdown": 1}


def test_nvidia_unsupported_queries_become_zero(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(sys.modules, "pynvml", _fake_pynvml(bus_width_fails=True))
    assert {gpu.bandwidth for gpu in nvidia_gpus()} == {0.0}


def test_nvidia_bandwidth_formula() -> None:
    assert nvidia_bandwidth(10501, 384) == pytest.approx(1008.1e9, rel=1e-3)  # RTX 4090
    assert nvidia_bandwidth(2619, 5120) == pytest.approx(3.35e12, rel=1e-3)  # H100 SXM (HBM3)
    assert nvidia_bandwidth(0, 384) == 0


# --- AMD ------------------------------------------------------------------------------------------------------------


def _amd_card(root: Path, card: str, *, vendor: str = "0x1002", total: int = 16 * GiB, used: int = GiB) -> Path:
    device = root / card / "device"
    device.mkdir(parents=True)
    (device / "vendor").write_text(vendor + "\n")
    (device / "mem_info_vram_total").write_text(f"{total}\n")
    (device / "mem_info_vram_used").write_text(f"{used}\n")
    return device


def test_amd_from_sysfs(tmp_path: Path) -> None:
    named = _amd_card(tmp_path, "card1", total=24 * GiB, used=512 * MiB)
    (named / "product_name").write_text("Radeon RX 7900 XTX\n")
    _amd_card(tmp_path, "card0", vendor="0x10de")  # an NVIDIA card next to it: not ours
    _amd_card(tmp_path, "card2", total=16 * GiB, used=2 * GiB)
    (tmp_path / "card1-DP-1").mkdir()  # a connector, not a card
    (tmp_path / "renderD128").mkdir()

    first, second = amd_gpus(tmp_path, rocm_smi=None)

    assert (first.name, first.vendor, first.index) == ("Radeon RX 7900 XTX", GpuVendor.AMD, 0)
    assert (first.vram_total, first.vram_free) == (24 * GiB, 24 * GiB - 512 * MiB)
    assert (second.name, second.index) == ("AMD GPU", 1)
    assert (second.vram_total, second.vram_free) == (16 * GiB, 14 * GiB)


def test_amd_names_from_rocm_smi(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    _amd_card(tmp_path, "card0")
    monkeypatch.setattr(gpu_probe, "rocm_smi_names", lambda executable: ["Radeon RX 6800"])
    assert [gpu.name for gpu in amd_gpus(tmp_path)] == ["Radeon RX 6800"]


def test_amd_missing_or_broken_sysfs(tmp_path: Path) -> None:
    assert amd_gpus(tmp_path / "missing", rocm_smi=None) == []
    device = _amd_card(tmp_path, "card0")
    (device / "mem_info_vram_used").write_text("garbage")
    (gpu,) = amd_gpus(tmp_path, rocm_smi=None)
    assert gpu.vram_free == gpu.vram_total
    (device / "mem_info_vram_total").unlink()  # an old kernel without VRAM counters: not listed
    assert amd_gpus(tmp_path, rocm_smi=None) == []


def test_rocm_smi_names_without_rocm_smi() -> None:
    assert gpu_probe.rocm_smi_names("definitely-not-rocm-smi") == []


def test_parse_rocm_smi_json() -> None:
    output = json.dumps(
        {
            "card1": {"Card Series": "Radeon RX 7600", "Card model": "0x7480", "Card vendor": "Advanced Micro Devices"},
            "card0": {"Card series": "Radeon RX 7900 XTX", "Card model": "0x744c"},
            "system": {"Driver version": "6.8"},
        }
    )
    assert parse_rocm_smi_names(output) == ["Radeon RX 7900 XTX", "Radeon RX 7600"]
    assert parse_rocm_smi_names("WARNING: not json") == []
    assert parse_rocm_smi_names("[]") == []


# --- Apple ----------------------------------------------------------------------------------------------------------


def test_apple_unified_memory() -> None:
    gpu = apple_gpu("Apple M2 Pro", 32 * GiB, 20 * GiB)
    assert gpu.unified_memory and gpu.vendor is GpuVendor.APPLE
    assert gpu.vram_total == 32 * GiB * 2 // 3 == MAC_GPU_SHARE
    assert gpu.vram_free == 20 * GiB
    assert gpu.bandwidth == 200e9
    assert mac_32gb().gpus[0] == gpu  # the shared fixture agrees with the probe


def test_apple_gpu_share_and_free_memory() -> None:
    assert apple_gpu_share(36 * GiB) == 24 * GiB
    assert apple_gpu_share(64 * GiB) == 48 * GiB
    assert apple_gpu("Apple M1", 8 * GiB, 7 * GiB).vram_free == 8 * GiB * 2 // 3  # capped at the share


@pytest.mark.parametrize(
    ("chip", "bandwidth"),
    [
        ("Apple M1", 68.25e9),
        ("Apple M1 Max", 400e9),
        ("Apple M2 Ultra", 800e9),
        ("Apple M3 Pro", 150e9),
        ("Apple M4", 120e9),
        ("Apple M4 Pro", 273e9),
        ("Apple M4 Max", 546e9),
        ("Apple M9 Hyper", 0.0),
        ("Intel(R) Core(TM) i9-9880H", 0.0),
    ],
)
def test_apple_bandwidth_table(chip: str, bandwidth: float) -> None:
    assert apple_bandwidth(chip) == bandwidth


# --- the shared fixtures --------------------------------------------------------------------------------------------


def test_fixture_reports_are_consistent() -> None:
    for factory in ALL:
        report = factory()
        assert report.ram_total >= report.ram_available > 0
        assert report.cpu_bandwidth > 0
        assert report.cpu.logical_cores >= report.cpu.physical_cores >= 1
        for gpu in report.gpus:
            assert gpu.vram_total >= gpu.vram_free > 0
            assert gpu.bandwidth > 0
    assert mac_32gb(ram_available=GiB).ram_available == GiB
