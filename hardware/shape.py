"""The shape of a model: the plain numbers the fit estimator needs, nothing about files.

The library turns a GGUF or safetensors header into a ModelShape; the advice table and `modelwerk fit --params 7B` build one
from the representative architectures below.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass, replace

from core.errors import ModelwerkError
from core.messages import N_, Message
from hardware.quants import QuantType, quant_type


@dataclass(frozen=True)
class ModelShape:
    """Dimensions and weight sizes of a transformer, as llama.cpp will lay it out in memory."""

    name: str
    n_params: int
    n_layers: int
    n_heads: int
    n_kv_heads: int
    head_dim_k: int
    head_dim_v: int
    n_embd: int
    n_ff: int
    n_vocab: int
    context_train: int
    layer_bytes: int
    """Weights of one repeating block, on average."""
    embedding_bytes: int
    """The token embedding (llama.cpp keeps it on the CPU)."""
    output_bytes: int
    """The output projection; equals embedding_bytes for tied embeddings, whose copy goes to the GPU with the output layer."""
    tied_embeddings: bool = False
    n_swa_layers: int = 0
    """Layers with sliding-window attention (Gemma 2/3, some Mistral/Qwen variants); they need at most window cells."""
    swa_window: int = 0
    active_fraction: float = 1.0
    """Share of the block weights read per token: 1 for dense models, active/total experts for mixture-of-experts."""
    quant: str = ""
    """The quantization the byte counts describe, e.g. Q4_K_M (informational)."""
    repack_bytes: int = 0
    """Block weights in types llama.cpp's CPU backend re-lays out for SIMD (Q4_0, Q4_K, IQ4_NL): it copies them out of the
    mapped file, so until the OS reclaims those file pages they count twice in the process's resident memory."""
    block_types: tuple[tuple[str, int], ...] = ()
    """Bytes of all blocks' weights by ggml tensor type, e.g. (("Q4_K", 90_000_000), ("Q6_K", 20_000_000)); empty when
    unknown (then the whole block counts as `quant`'s main type). The CPU's speed per byte depends on the type."""
    output_type: str = ""
    """The ggml type of the output projection (the token embedding when tied); "" when unknown."""
    n_merges: int = 0
    """BPE merge rules of the tokenizer (0 for SentencePiece vocabularies): llama.cpp holds them in memory as it holds the
    tokens, a pair of strings in a map each."""

    def block_type_shares(self) -> tuple[tuple[str, float], ...]:
        """The share of the block bytes in each ggml type (summing to 1); from the file type when not known."""
        total = sum(n for _, n in self.block_types)
        if total > 0:
            return tuple((t, n / total) for t, n in self.block_types if n > 0)
        return FILE_TYPE_MIX.get(self.quant.upper(), ((main_tensor_type(self.quant), 1.0),))

    @property
    def output_tensor_type(self) -> str:
        """The output projection's ggml type; llama.cpp's choice for the file type when not known (Q6_K for most)."""
        if self.output_type:
            return self.output_type
        main = main_tensor_type(self.quant)
        return main if main in {"F32", "F16", "BF16", "Q8_0"} else "Q6_K"

    @property
    def weights_bytes(self) -> int:
        """All weights as stored (a tied output counts once, as in the file)."""
        out = 0 if self.tied_embeddings else self.output_bytes
        return self.n_layers * self.layer_bytes + self.embedding_bytes + out

    def kv_bytes_per_token_layer(self, bytes_per_element: float) -> float:
        """K and V of one token in one layer."""
        return self.n_kv_heads * (self.head_dim_k + self.head_dim_v) * bytes_per_element


@dataclass(frozen=True)
class Architecture:
    """Dimensions of a real model family, used to stand in for "a 7B model"."""

    name: str
    n_layers: int
    n_embd: int
    n_ff: int
    n_heads: int
    n_kv_heads: int
    head_dim: int
    n_vocab: int
    context_train: int
    tied_embeddings: bool = False

    @property
    def layer_params(self) -> int:
        attn = self.n_embd * self.head_dim * (2 * self.n_heads + 2 * self.n_kv_heads)  # q, o and k, v
        ffn = 3 * self.n_embd * self.n_ff  # gate, up, down
        return attn + ffn + 2 * self.n_embd  # two norms

    @property
    def n_params(self) -> int:
        emb = self.n_vocab * self.n_embd
        out = 0 if self.tied_embeddings else emb
        return self.n_layers * self.layer_params + emb + out + self.n_embd


# One real architecture per size class of the classic table.
REPRESENTATIVE: dict[str, Architecture] = {
    "1B": Architecture("Llama-3.2-1B", 16, 2048, 8192, 32, 8, 64, 128256, 131072, tied_embeddings=True),
    "3B": Architecture("Llama-3.2-3B", 28, 3072, 8192, 24, 8, 128, 128256, 131072, tied_embeddings=True),
    "7B": Architecture("Mistral-7B-v0.3", 32, 4096, 14336, 32, 8, 128, 32768, 32768),
    "8B": Architecture("Llama-3.1-8B", 32, 4096, 14336, 32, 8, 128, 128256, 131072),
    "13B": Architecture("Llama-2-13B", 40, 5120, 13824, 40, 40, 128, 32000, 4096),
    "14B": Architecture("Qwen2.5-14B", 48, 5120, 13824, 40, 8, 128, 152064, 32768),
    "32B": Architecture("Qwen2.5-32B", 64, 5120, 27648, 40, 8, 128, 152064, 32768),
    "70B": Architecture("Llama-3.1-70B", 80, 8192, 28672, 64, 8, 128, 128256, 131072),
}


def shape_of(arch: Architecture, quant: QuantType | str, *, scale: float = 1.0, name: str | None = None) -> ModelShape:
    """The ModelShape of an architecture stored at a quantization; `scale` stretches the block weights to another size."""
    q = quant_type(quant) if isinstance(quant, str) else quant
    bytes_per_param = q.bits_per_weight / 8
    layer_bytes = round(arch.layer_params * bytes_per_param * scale)
    emb = round(arch.n_vocab * arch.n_embd * bytes_per_param)
    return ModelShape(
        name=name or arch.name,
        n_params=arch.n_params + round(arch.n_layers * arch.layer_params * (scale - 1)),
        n_layers=arch.n_layers,
        n_heads=arch.n_heads,
        n_kv_heads=arch.n_kv_heads,
        head_dim_k=arch.head_dim,
        head_dim_v=arch.head_dim,
        n_embd=arch.n_embd,
        n_ff=arch.n_ff,
        n_vocab=arch.n_vocab,
        context_train=arch.context_train,
        layer_bytes=layer_bytes,
        embedding_bytes=emb,
        output_bytes=emb,
        tied_embeddings=arch.tied_embeddings,
        quant=q.name,
        repack_bytes=round(arch.n_layers * layer_bytes * REPACK_SHARE.get(q.name, 0.0)),
    )


REPACKED_TYPES = frozenset({"Q4_0", "Q4_K", "IQ4_NL"})
"""Tensor types the CPU backend repacks (on AVX2 and NEON CPUs)."""
REPACK_SHARE = {"Q4_0": 1.0, "IQ4_NL": 1.0, "Q4_K_S": 0.95, "Q4_K_M": 0.8}
"""Share of the block weights in REPACKED_TYPES for each file type (Q4_K_M keeps half the ffn_down and attn_v at Q6_K)."""

FILE_TYPE_MIX: dict[str, tuple[tuple[str, float], ...]] = {
    "Q4_K_M": (("Q4_K", 0.8), ("Q6_K", 0.2)),
    "Q5_K_M": (("Q5_K", 0.8), ("Q6_K", 0.2)),
    "Q3_K_M": (("Q3_K", 0.8), ("Q5_K", 0.2)),
    "Q3_K_L": (("Q3_K", 0.6), ("Q5_K", 0.4)),
    "Q2_K": (("Q2_K", 0.6), ("Q3_K", 0.3), ("Q4_K", 0.1)),
}
"""Block tensor types of a llama.cpp file type where it mixes them (llama-quant.cpp keeps attn_v and part of ffn_down a
step higher), for shapes that come without a file; a file's own header gives the real mix."""


def main_tensor_type(quant: str) -> str:
    """The ggml tensor type a file type is mostly made of: Q4_K_M -> Q4_K, IQ4_XS -> IQ4_XS, F16 -> F16."""
    q = quant.upper()
    m = re.match(r"^(Q\d_K)(_[SML])?$", q)
    return m.group(1) if m else q


_SIZE = re.compile(r"^\s*(\d+(?:\.\d+)?)\s*([bBmM]?)\s*$")


class ParamsError(ModelwerkError, ValueError):
    """A parameter count that cannot be read (e.g. "7x")."""

    hint = N_("write the parameter count like 7B, 13B or 270M")


def parse_params(text: str) -> int:
    """'7B' -> 7e9, '270M' -> 2.7e8, '13' -> 13e9 (billions by default)."""
    m = _SIZE.match(text)
    if not m:
        raise ParamsError(Message("cannot read parameter count {text}; write it like 7B, 13B or 270M", text=repr(text)))
    value = float(m.group(1)) * (1e6 if m.group(2).lower() == "m" else 1e9)
    if value <= 0:
        raise ParamsError(Message("the parameter count must be positive"))
    return round(value)


def shape_for_params(n_params: int, quant: QuantType | str) -> ModelShape:
    """A representative shape for any size: the nearest real architecture, its weights scaled to n_params.

    The scaled shape keeps the attention layout (and so the KV cache) of its neighbour: a 9B model gets Llama-3.1-8B's KV.
    """
    nearest = min(REPRESENTATIVE.values(), key=lambda a: abs(math.log(a.n_params / n_params)))
    fixed = nearest.n_params - nearest.n_layers * nearest.layer_params  # embeddings and output norm
    scale = max(n_params - fixed, n_params * 0.1) / (nearest.n_layers * nearest.layer_params)
    label = _label(n_params)
    if abs(math.log(n_params / nearest.n_params)) < 0.05:
        return replace(shape_of(nearest, quant), name=f"{label} ({nearest.name})")
    return shape_of(nearest, quant, scale=scale, name=f"{label} (scaled {nearest.name})")


def _label(n_params: int) -> str:
    if n_params >= 1e9:
        return f"{n_params / 1e9:.3g}B"
    return f"{n_params / 1e6:.3g}M"
