"""What the machine has: the plain data that the probe fills and the fit estimator reads.

Tests build these by hand (an 8 GB laptop GPU, a 24 GB desktop, a Mac, a CPU-only box), so nothing here touches the system.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass, field

GiB = 1024**3
MiB = 1024**2


class GpuVendor(enum.Enum):
    NVIDIA = "nvidia"
    AMD = "amd"
    APPLE = "apple"
    INTEL = "intel"


@dataclass(frozen=True)
class GpuInfo:
    """One accelerator. For Apple Silicon, memory is the share of unified RAM the GPU may use."""

    name: str
    vendor: GpuVendor
    vram_total: int
    vram_free: int
    index: int = 0
    driver: str = ""
    compute_capability: str = ""
    bandwidth: float = 0.0
    """Memory bandwidth in bytes/s (from bus width and memory clock, or a known chip); 0 when unknown."""
    unified_memory: bool = False


@dataclass(frozen=True)
class CpuInfo:
    model: str
    physical_cores: int
    logical_cores: int
    architecture: str = ""
    flags: frozenset[str] = field(default_factory=frozenset)
    """Instruction sets that matter for llama.cpp, lower case: avx, avx2, avx512f, avx512_vnni, amx, f16c, fma, neon, ..."""

    @property
    def instruction_sets(self) -> list[str]:
        """The flags worth showing a user, in a stable order."""
        order = ["neon", "sve", "avx", "avx2", "fma", "f16c", "avx512f", "avx512_vnni", "avx512_bf16", "amx"]
        return [f for f in order if f in self.flags]


@dataclass(frozen=True)
class HardwareReport:
    """Everything the estimator needs about one machine."""

    os: str
    cpu: CpuInfo
    ram_total: int
    ram_available: int
    gpus: tuple[GpuInfo, ...] = ()
    disk_free: int = 0
    """Free bytes in the models folder; 0 when unknown."""
    cpu_bandwidth: float = 0.0
    """Measured memory read bandwidth in bytes/s; 0 when not measured yet."""
    cpu_kernels: tuple[tuple[str, float], ...] = ()
    """Measured speed of llama.cpp's matrix-vector product on the CPU cores, by ggml tensor type ("Q4_K", "F16"...):
    bytes of weights per second with one thread per physical core (hardware.kernels); empty when not measured."""
    llama_backends: tuple[str, ...] | None = None
    """The backends of this machine's llama.cpp build ("CPU", "CUDA", ...; hardware.backends); None: not known, and
    every GPU counts as usable (a report built by hand)."""

    @property
    def vram_total(self) -> int:
        return sum(g.vram_total for g in self.gpus)

    @property
    def vram_free(self) -> int:
        return sum(g.vram_free for g in self.gpus)

    @property
    def unified_memory(self) -> bool:
        return any(g.unified_memory for g in self.gpus)
