"""Quantization types: how many bits a weight costs and what llama.cpp measured it to cost in quality.

The bits per weight of the GGUF file types (Q4_K_M...) are mixes: llama.cpp keeps some tensors (output, attention V, the
first feed-forward layers) at a higher type. The figures below are whole-file averages, derived from the file sizes that
llama.cpp's perplexity scoreboard reports for Llama-3-8B (8.03 B parameters), so they include the mix. The quality columns are
from the same scoreboard (tools/perplexity/README.md at revision f364eb6f, wikitext-2, CUDA): perplexity ratio to F16 and
mean KL divergence. Each row keeps the scoreboard's conditions: the legacy and K-quant rows were quantized without an
importance matrix, the IQ rows (which llama.cpp does not make without one) with a Wikitext importance matrix — so an IQ
row's quality is not comparable with a K-quant row's, and the advice only compares rows made the same way. They are one
model's numbers; Modelwerk's own evaluation (the Quantize page) measures them for the user's models.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass

from core.errors import ModelwerkError
from core.messages import N_, Message

LLAMA3_8B_PARAMS = 8_030_261_248
_GIB = 1024**3


@dataclass(frozen=True)
class QuantType:
    name: str
    bits_per_weight: float
    ppl_ratio: float
    """Perplexity of Llama-3-8B at this type divided by its F16 perplexity (1.0 = no loss); 0 = not measured."""
    kld: float
    """Mean KL divergence to F16 on Llama-3-8B; 0 = not measured."""
    imatrix: str = ""
    """The importance matrix the quality figures were measured with: "" none, else the scoreboard's ("WT 10m": made from
    10 million Wikitext tokens)."""

    @property
    def quality_source(self) -> Message:
        """Where the quality figures come from and under which conditions, for a tooltip or an advice fact."""
        if self.ppl_ratio == 0:
            return Message("not measured")
        if self.imatrix:
            return Message("Llama-3-8B, wikitext-2, quantized with a Wikitext importance matrix ({imatrix}) (llama.cpp's "
                           "scoreboard, f364eb6f)", imatrix=self.imatrix)  # fmt: skip
        return Message("Llama-3-8B, wikitext-2, quantized without an importance matrix (llama.cpp's scoreboard, f364eb6f)")


def _from_scoreboard(name: str, size_gib: float, ppl: float, kld: float, imatrix: str = "") -> QuantType:
    bpw = size_gib * _GIB * 8 / LLAMA3_8B_PARAMS
    return QuantType(name, round(bpw, 2), round(ppl / 6.233160, 4) if ppl else 0.0, kld, imatrix)


# name, file size of Llama-3-8B [GiB], perplexity, KLD, importance matrix (llama.cpp tools/perplexity/README.md, revision
# f364eb6f: the "None" row of each type where it has one; the IQ types only have rows made with an importance matrix).
QUANT_TYPES: dict[str, QuantType] = {
    q.name: q
    for q in (
        QuantType("F32", 32.0, 1.0, 0.0),
        _from_scoreboard("F16", 14.97, 6.233160, 0.0),
        _from_scoreboard("BF16", 14.97, 6.233160, 0.0),
        _from_scoreboard("Q8_0", 7.96, 6.234284, 0.001355),
        _from_scoreboard("Q6_K", 6.14, 6.253382, 0.005452),
        _from_scoreboard("Q5_K_M", 5.33, 6.288607, 0.010762),
        _from_scoreboard("Q5_K_S", 5.21, 6.336598, 0.016595),
        _from_scoreboard("Q5_1", 5.65, 6.337857, 0.018045),
        _from_scoreboard("Q5_0", 5.21, 6.363224, 0.022239),
        _from_scoreboard("Q4_K_M", 4.58, 6.407115, 0.031273),
        _from_scoreboard("Q4_K_S", 4.37, 6.500529, 0.043136),
        _from_scoreboard("IQ4_NL", 4.35, 6.455593, 0.035742, "WT 10m"),
        _from_scoreboard("IQ4_XS", 4.14, 6.459705, 0.036334, "WT 10m"),
        _from_scoreboard("Q4_1", 4.78, 6.682737, 0.071683),
        _from_scoreboard("Q4_0", 4.34, 6.700147, 0.071940),
        _from_scoreboard("Q3_K_L", 4.03, 6.787876, 0.087176),
        _from_scoreboard("Q3_K_M", 3.74, 6.888498, 0.101913),
        _from_scoreboard("IQ3_M", 3.53, 6.898327, 0.102534, "WT 10m"),
        _from_scoreboard("IQ3_S", 3.42, 6.965501, 0.111278, "WT 10m"),
        _from_scoreboard("Q3_K_S", 3.41, 7.863786, 0.228217),
        _from_scoreboard("IQ3_XS", 3.28, 7.163043, 0.138693, "WT 10m"),
        _from_scoreboard("IQ3_XXS", 3.05, 7.458436, 0.183625, "WT 10m"),
        _from_scoreboard("Q2_K", 2.96, 9.751568, 0.445132),
        _from_scoreboard("IQ2_M", 2.74, 8.600799, 0.325989, "WT 10m"),
        _from_scoreboard("IQ2_S", 2.56, 9.650781, 0.439197, "WT 10m"),
        _from_scoreboard("IQ2_XS", 2.43, 10.761424, 0.546290, "WT 10m"),
        _from_scoreboard("IQ2_XXS", 2.24, 14.091782, 0.812022, "WT 10m"),
        _from_scoreboard("IQ1_M", 2.01, 25.493722, 1.393084, "WT 10m"),
        _from_scoreboard("IQ1_S", 1.88, 58.097760, 2.211278, "WT 1m"),
    )
}

# The columns of the classic "model size vs hardware" table.
ADVICE_QUANTS = ("F16", "Q8_0", "Q6_K", "Q5_K_M", "Q4_K_M", "Q3_K_M", "Q2_K")


class UnknownQuantError(ModelwerkError, ValueError):
    """A quantization name Modelwerk does not know."""

    hint = N_("use one of the quantization names `modelwerk quantize --help` lists")


def quant_type(name: str) -> QuantType:
    """Look a type up by name, case-insensitively ("q4_k_m" -> Q4_K_M)."""
    key = name.strip().upper()
    try:
        return QUANT_TYPES[key]
    except KeyError:
        known = ", ".join(QUANT_TYPES)
        raise UnknownQuantError(Message("unknown quantization {name}; use one of {known}", name=repr(name),
                                        known=str(known))) from None


class KvType(enum.Enum):
    """Types llama.cpp can store the KV cache in (--cache-type-k/-v)."""

    F32 = "f32"
    F16 = "f16"
    BF16 = "bf16"
    Q8_0 = "q8_0"
    Q5_1 = "q5_1"
    Q5_0 = "q5_0"
    Q4_1 = "q4_1"
    Q4_0 = "q4_0"
    IQ4_NL = "iq4_nl"

    @property
    def bytes_per_element(self) -> float:
        """ggml block sizes: q8_0 stores 32 values in 34 bytes, q4_0 in 18, and so on."""
        return _KV_BYTES[self]

    @property
    def quantized(self) -> bool:
        return self not in (KvType.F32, KvType.F16, KvType.BF16)

    @property
    def ggml_type(self) -> str:
        """The ggml tensor type name: "F16", "Q8_0"..."""
        return self.name


_KV_BYTES = {
    KvType.F32: 4.0,
    KvType.F16: 2.0,
    KvType.BF16: 2.0,
    KvType.Q8_0: 34 / 32,
    KvType.Q5_1: 24 / 32,
    KvType.Q5_0: 22 / 32,
    KvType.Q4_1: 20 / 32,
    KvType.Q4_0: 18 / 32,
    KvType.IQ4_NL: 18 / 32,
}
