"""Which GPUs this build of llama.cpp can use: its backends (CPU, CUDA, Metal, Vulkan, HIP, SYCL) against the GPUs present.

A fit verdict is only worth something if the runtime can keep it: an RTX 4070 in a machine whose llama.cpp was built for
the CPU only holds no layer, whatever its VRAM. `usable` splits the probe's GPUs into those a backend of the build can
drive and those it cannot, and `cannot_use` says so in one line with the way to a GPU build.
"""

from __future__ import annotations

from collections.abc import Iterable

from core.messages import Message
from hardware.report import GpuInfo, GpuVendor

BACKENDS = ("CPU", "CUDA", "Metal", "Vulkan", "HIP", "SYCL")
"""The backend names Modelwerk reports (llama.cpp's ggml backend registry names, ROCm's is HIP)."""

DRIVES: dict[GpuVendor, frozenset[str]] = {
    GpuVendor.NVIDIA: frozenset({"CUDA", "Vulkan"}),
    GpuVendor.AMD: frozenset({"HIP", "Vulkan"}),
    GpuVendor.APPLE: frozenset({"Metal"}),
    GpuVendor.INTEL: frozenset({"SYCL", "Vulkan"}),
}
"""Which backends can drive a vendor's GPUs."""

GPU_BUILD: dict[GpuVendor, Message] = {
    GpuVendor.NVIDIA: Message("MODELWERK_GPU=cuda (needs the CUDA toolkit's nvcc) or MODELWERK_GPU=vulkan"),
    GpuVendor.AMD: Message("MODELWERK_GPU=vulkan (needs the Vulkan SDK: glslc and headers)"),
    GpuVendor.APPLE: Message("a build on macOS (Metal is llama.cpp's default there)"),
    GpuVendor.INTEL: Message("MODELWERK_GPU=vulkan (needs the Vulkan SDK: glslc and headers)"),
}
"""How to get a build that can: the Makefile's switch per vendor."""


def normalise(names: Iterable[str]) -> tuple[str, ...]:
    """Backend names as llama.cpp prints them ("CUDA0", "cuda", "ROCm", "BLAS") -> BACKENDS' spelling, known ones only,
    without duplicates, in BACKENDS' order."""
    found = set()
    for raw in names:
        name = raw.strip().rstrip("0123456789").lower()
        if name in ("rocm", "hip"):
            found.add("HIP")
        for known in BACKENDS:
            if name == known.lower():
                found.add(known)
    return tuple(b for b in BACKENDS if b in found)


def usable(gpus: Iterable[GpuInfo], backends: Iterable[str] | None) -> tuple[tuple[GpuInfo, ...], tuple[GpuInfo, ...]]:
    """(the GPUs a backend of this build can drive, those it cannot); `backends` None: not known, all count."""
    gpus = tuple(gpus)
    if backends is None:
        return gpus, ()
    have = set(normalise(backends))
    ok = tuple(g for g in gpus if DRIVES.get(g.vendor, frozenset()) & have)
    return ok, tuple(g for g in gpus if g not in ok)


def cannot_use(gpus: Iterable[GpuInfo], backends: Iterable[str]) -> Message:
    """One line for the GPUs this build cannot use (some): "CPU: this build of llama.cpp (CPU) cannot use the NVIDIA
    GeForce RTX 4070; for a GPU build: MODELWERK_GPU=cuda ..."."""
    gpus = tuple(gpus)
    names = " and ".join(dict.fromkeys(g.name for g in gpus))
    build = ", ".join(normalise(backends)) or Message("no backend")
    how = GPU_BUILD.get(gpus[0].vendor, Message("a build with a backend for it"))
    return Message("CPU: this build of llama.cpp ({build}) cannot use the {names}; for a GPU build: {how}.", build=build,
                   names=names, how=how)  # fmt: skip


def from_list_devices(text: str) -> tuple[str, ...]:
    """The backends of a llama-server build from its `--list-devices` output ("Available devices:" then lines like
    "  CUDA0: NVIDIA GeForce RTX 4090 (24564 MiB, 23967 MiB free)", or "  (none)"): the CPU always, plus each device's."""
    names = ["CPU"]
    for line in text.splitlines():
        head, sep, _ = line.strip().partition(":")
        if sep and head and " " not in head and head != "Available devices":
            names.append(head)
    return normalise(names)


def from_system_info(text: str) -> tuple[str, ...]:
    """The backends of the Python binding's llama.cpp from `llama_print_system_info()` ("CPU : SSE3 = 1 | ... | CUDA :
    ARCHS = 890 | ...")."""
    return normalise(part.split(" : ", 1)[0] for part in text.split("|") if " : " in part)
