"""ggml's type table and llama.cpp's file types: the one copy everyone uses (the reader, quantize, the hub, the UI).

Written out here rather than loaded from the gguf package: formats/ is standard library only, because the toolchain's
Python runs workers that have neither gguf nor llama_cpp. tests/unit/test_formats_tables.py checks these tables against
the gguf package, so a new gguf release that adds a type fails a test instead of going unnoticed.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass


class GGUFValueType(enum.IntEnum):
    """The value types of GGUF metadata (gguf's GGUFValueType)."""

    UINT8 = 0
    INT8 = 1
    UINT16 = 2
    INT16 = 3
    UINT32 = 4
    INT32 = 5
    FLOAT32 = 6
    BOOL = 7
    STRING = 8
    ARRAY = 9
    UINT64 = 10
    INT64 = 11
    FLOAT64 = 12


@dataclass(frozen=True)
class GgmlType:
    """One ggml tensor type: its id in a GGUF tensor info, and how its values are packed into blocks."""

    id: int
    name: str
    block: int
    """Values per block."""
    block_bytes: int
    """Bytes per block."""

    def row_bytes(self, n: int) -> int:
        """Bytes of `n` values (rounded up to whole blocks)."""
        return -(-n // self.block) * self.block_bytes


GGML_TYPES: dict[int, GgmlType] = {
    t.id: t
    for t in (
        GgmlType(0, "F32", 1, 4), GgmlType(1, "F16", 1, 2), GgmlType(2, "Q4_0", 32, 18), GgmlType(3, "Q4_1", 32, 20),
        GgmlType(6, "Q5_0", 32, 22), GgmlType(7, "Q5_1", 32, 24), GgmlType(8, "Q8_0", 32, 34), GgmlType(9, "Q8_1", 32, 40),
        GgmlType(10, "Q2_K", 256, 84), GgmlType(11, "Q3_K", 256, 110), GgmlType(12, "Q4_K", 256, 144),
        GgmlType(13, "Q5_K", 256, 176), GgmlType(14, "Q6_K", 256, 210), GgmlType(15, "Q8_K", 256, 292),
        GgmlType(16, "IQ2_XXS", 256, 66), GgmlType(17, "IQ2_XS", 256, 74), GgmlType(18, "IQ3_XXS", 256, 98),
        GgmlType(19, "IQ1_S", 256, 50), GgmlType(20, "IQ4_NL", 32, 18), GgmlType(21, "IQ3_S", 256, 110),
        GgmlType(22, "IQ2_S", 256, 82), GgmlType(23, "IQ4_XS", 256, 136), GgmlType(24, "I8", 1, 1), GgmlType(25, "I16", 1, 2),
        GgmlType(26, "I32", 1, 4), GgmlType(27, "I64", 1, 8), GgmlType(28, "F64", 1, 8), GgmlType(29, "IQ1_M", 256, 56),
        GgmlType(30, "BF16", 1, 2), GgmlType(34, "TQ1_0", 256, 54), GgmlType(35, "TQ2_0", 256, 66),
        GgmlType(39, "MXFP4", 32, 17), GgmlType(40, "NVFP4", 64, 36), GgmlType(41, "Q1_0", 128, 18),
    )
}  # fmt: skip
"""ggml type id -> type (ggml's type traits; gguf's GGML_QUANT_SIZES)."""

GGML_BY_NAME: dict[str, GgmlType] = {t.name: t for t in GGML_TYPES.values()}
"""ggml type name ("Q4_K") -> type."""

FILE_TYPES: dict[int, str] = {
    0: "F32", 1: "F16", 2: "Q4_0", 3: "Q4_1", 7: "Q8_0", 8: "Q5_0", 9: "Q5_1", 10: "Q2_K", 11: "Q3_K_S", 12: "Q3_K_M",
    13: "Q3_K_L", 14: "Q4_K_S", 15: "Q4_K_M", 16: "Q5_K_S", 17: "Q5_K_M", 18: "Q6_K", 19: "IQ2_XXS", 20: "IQ2_XS",
    21: "Q2_K_S", 22: "IQ3_XS", 23: "IQ3_XXS", 24: "IQ1_S", 25: "IQ4_NL", 26: "IQ3_S", 27: "IQ3_M", 28: "IQ2_S",
    29: "IQ2_M", 30: "IQ4_XS", 31: "IQ1_M", 32: "BF16", 36: "TQ1_0", 37: "TQ2_0", 38: "MXFP4_MOE", 39: "NVFP4", 40: "Q1_0",
}  # fmt: skip
"""llama.cpp's `enum llama_ftype` (general.file_type) -> its name without gguf's MOSTLY_/ALL_ prefix ("Q4_K_M")."""
