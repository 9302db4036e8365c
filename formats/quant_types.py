"""The llama.cpp GGUF file types Modelwerk can make (``llama-quantize``'s type argument): the one quantization type table.

The ftype numbers are llama.cpp's ``enum llama_ftype`` (see formats.ggml.FILE_TYPES); the quality reference numbers each
type is known for stay in hardware.quants.
"""

from __future__ import annotations

from dataclasses import dataclass

from core.messages import N_
from formats.ggml import GGML_BY_NAME
from hardware.quants import QUANT_TYPES


@dataclass(frozen=True)
class GgufType:
    """One llama.cpp quantization type (``llama-quantize``'s type argument)."""

    name: str
    ftype: int
    bits_per_weight: float
    description: str
    needs_imatrix: bool = False
    base: str = ""
    """The ggml type most tensors get ("Q4_K" for Q4_K_M)."""

    @property
    def quantized(self) -> bool:
        return self.name not in ("F32", "F16", "BF16")


class UnknownTypeError(ValueError):
    """A quantization type name Modelwerk cannot make."""


# name, llama_ftype, the ggml type most tensors get, description (N_: the GUI translates it)
_TABLE: tuple[tuple[str, int, str, str], ...] = (
    ("F32", 0, "F32", N_("32-bit float: no loss, the largest file")),
    ("F16", 1, "F16", N_("16-bit float: practically lossless, half of F32")),
    ("BF16", 32, "BF16", N_("bfloat16: lossless for bf16-trained models")),
    ("Q8_0", 7, "Q8_0", N_("8-bit: practically lossless, half of F16")),
    ("Q6_K", 18, "Q6_K", N_("6-bit K-quant: very close to Q8_0, smaller")),
    ("Q5_K_M", 17, "Q5_K", N_("5-bit K-quant, medium: very good quality")),
    ("Q5_K_S", 16, "Q5_K", N_("5-bit K-quant, small")),
    ("Q5_1", 9, "Q5_1", N_("5-bit legacy type (prefer Q5_K_M)")),
    ("Q5_0", 8, "Q5_0", N_("5-bit legacy type (prefer Q5_K_S)")),
    ("Q4_K_M", 15, "Q4_K", N_("4-bit K-quant, medium: the usual best balance")),
    ("Q4_K_S", 14, "Q4_K", N_("4-bit K-quant, small")),
    ("Q4_1", 3, "Q4_1", N_("4-bit legacy type (prefer Q4_K_M)")),
    ("Q4_0", 2, "Q4_0", N_("4-bit legacy type: fast on some CPUs and GPUs")),
    ("IQ4_NL", 25, "IQ4_NL", N_("4-bit non-linear i-quant")),
    ("IQ4_XS", 30, "IQ4_XS", N_("4.25-bit i-quant: near Q4_K_S, smaller")),
    ("Q3_K_L", 13, "Q3_K", N_("3-bit K-quant, large")),
    ("Q3_K_M", 12, "Q3_K", N_("3-bit K-quant, medium: noticeable loss")),
    ("Q3_K_S", 11, "Q3_K", N_("3-bit K-quant, small: large loss")),
    ("IQ3_M", 27, "IQ3_S", N_("3.7-bit i-quant mix")),
    ("IQ3_S", 26, "IQ3_S", N_("3.4-bit i-quant")),
    ("IQ3_XS", 22, "IQ3_S", N_("3.3-bit i-quant")),
    ("IQ3_XXS", 23, "IQ3_XXS", N_("3.1-bit i-quant")),
    ("Q2_K", 10, "Q2_K", N_("2-bit K-quant: large loss; for very small machines")),
    ("IQ2_M", 29, "IQ2_S", N_("2.7-bit i-quant (needs an importance matrix)")),
    ("IQ2_S", 28, "IQ2_S", N_("2.5-bit i-quant (needs an importance matrix)")),
    ("IQ2_XS", 20, "IQ2_XS", N_("2.3-bit i-quant (needs an importance matrix)")),
    ("IQ2_XXS", 19, "IQ2_XXS", N_("2.1-bit i-quant (needs an importance matrix)")),
    ("IQ1_M", 31, "IQ1_M", N_("1.75-bit i-quant: extreme loss (needs an importance matrix)")),
    ("IQ1_S", 24, "IQ1_S", N_("1.6-bit i-quant: extreme loss (needs an importance matrix)")),
)
_NEEDS_IMATRIX = frozenset({"IQ2_M", "IQ2_S", "IQ2_XS", "IQ2_XXS", "IQ1_M", "IQ1_S"})


def _bpw(name: str, base: str) -> float:
    known = QUANT_TYPES.get(name)
    if known is not None:
        return known.bits_per_weight
    t = GGML_BY_NAME[base]
    return round(t.block_bytes * 8 / t.block, 2)


GGUF_TYPES: dict[str, GgufType] = {
    name: GgufType(name, ftype, _bpw(name, base), desc, needs_imatrix=name in _NEEDS_IMATRIX, base=base)
    for name, ftype, base, desc in _TABLE
}
"""name -> type, best quality first."""


def gguf_type(name: str) -> GgufType:
    """Look a type up by name, case-insensitively ("q4_k_m" -> Q4_K_M).

    Raises:
        UnknownTypeError: not a type Modelwerk can make.
    """
    key = name.strip().upper()
    try:
        return GGUF_TYPES[key]
    except KeyError:
        raise UnknownTypeError(f"unknown type {name}; choose one of {', '.join(GGUF_TYPES)}") from None
