"""Live usage sampler: real psutil figures, fake AMD sysfs, fake NVML; cheap and never raising."""

from __future__ import annotations

import sys
import types
from pathlib import Path
from typing import Any

import pytest

from hardware.report import GiB
from hardware.usage import Usage, UsageSampler


def test_sample_on_this_machine(tmp_path: Path) -> None:
    with UsageSampler(sysfs_root=tmp_path) as sampler:
        first = sampler.sample()
        second = sampler.sample()
    for usage in (first, second):
        assert isinstance(usage, Usage)
        assert 0.0 <= usage.cpu_percent <= 100.0
        assert 0 < usage.ram_used < usage.ram_total


@pytest.mark.skipif(Path("/dev/nvidiactl").exists() or Path("/dev/kfd").exists(), reason="this machine has a GPU")
def test_no_gpu_means_zero_vram() -> None:
    usage = UsageSampler().sample()
    assert (usage.vram_used, usage.vram_total) == (0, 0)


def _amd_card(root: Path, card: str, *, total: int, used: int) -> Path:
    device = root / card / "device"
    device.mkdir(parents=True)
    (device / "vendor").write_text("0x1002\n")
    (device / "mem_info_vram_total").write_text(f"{total}\n")
    (device / "mem_info_vram_used").write_text(f"{used}\n")
    return device


def test_amd_vram_from_sysfs(tmp_path: Path) -> None:
    _amd_card(tmp_path, "card0", total=16 * GiB, used=2 * GiB)
    device = _amd_card(tmp_path, "card1", total=8 * GiB, used=GiB)
    sampler = UsageSampler(use_nvml=False, sysfs_root=tmp_path)

    assert (sampler.sample().vram_used, sampler.sample().vram_total) == (3 * GiB, 24 * GiB)
    (device / "mem_info_vram_used").write_text(f"{5 * GiB}\n")
    assert sampler.sample().vram_used == 7 * GiB  # read live, not cached
    device.joinpath("mem_info_vram_used").unlink()  # card vanished (driver reload): no exception
    assert sampler.sample().vram_used == 2 * GiB


def test_nvidia_vram_through_nvml(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    calls = {"init": 0, "shutdown": 0}
    nvml = types.ModuleType("pynvml")
    used = {0: 3 * GiB, 1: GiB}

    def init() -> None:
        calls["init"] += 1

    def shutdown() -> None:
        calls["shutdown"] += 1

    def memory_info(handle: int) -> Any:
        if handle == 2:
            raise RuntimeError("GPU is lost")
        return types.SimpleNamespace(total=24 * GiB, used=used[handle], free=24 * GiB - used[handle])

    nvml.nvmlInit = init  # type: ignore[attr-defined]
    nvml.nvmlShutdown = shutdown  # type: ignore[attr-defined]
    nvml.nvmlDeviceGetCount = lambda: 3  # type: ignore[attr-defined]
    nvml.nvmlDeviceGetHandleByIndex = lambda i: i  # type: ignore[attr-defined]
    nvml.nvmlDeviceGetMemoryInfo = memory_info  # type: ignore[attr-defined]
    monkeypatch.setitem(sys.modules, "pynvml", nvml)
    _amd_card(tmp_path, "card0", total=16 * GiB, used=GiB)  # ignored while NVML answers

    sampler = UsageSampler(sysfs_root=tmp_path)
    for _ in range(3):
        usage = sampler.sample()
    assert (usage.vram_used, usage.vram_total) == (4 * GiB, 48 * GiB)
    assert calls == {"init": 1, "shutdown": 0}  # initialised once, not per sample
    sampler.close()
    sampler.close()
    assert calls["shutdown"] == 1
    assert sampler.sample().vram_total == 0


def test_nvml_failing_to_initialise_is_no_gpu(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    nvml = types.ModuleType("pynvml")

    def init() -> None:
        raise OSError("NVML Shared Library Not Found")

    nvml.nvmlInit = init  # type: ignore[attr-defined]
    monkeypatch.setitem(sys.modules, "pynvml", nvml)
    assert UsageSampler(sysfs_root=tmp_path).sample().vram_total == 0


def test_broken_psutil_never_raises(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    def boom(*args: object, **kwargs: object) -> Any:
        raise OSError("no /proc")

    sampler = UsageSampler(use_nvml=False, sysfs_root=tmp_path)
    monkeypatch.setattr("psutil.cpu_percent", boom)
    monkeypatch.setattr("psutil.virtual_memory", boom)
    assert sampler.sample() == Usage(cpu_percent=0.0, ram_used=0, ram_total=0, vram_used=0, vram_total=0)
