"""What the library knows about a model on disk: plain data shared by the readers, the catalog, the CLI and the UI."""

from __future__ import annotations

import enum
from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path

from core.errors import ModelwerkError
from core.messages import N_
from hardware.shape import ModelShape


class ModelFileError(ModelwerkError):
    """A file that is not a model we can read; the message is one line that says why (and, where it helps, what to do)."""

    hint = N_("check that the file is complete, or download it again")


class ModelFormat(enum.Enum):
    GGUF = "gguf"
    SAFETENSORS = "safetensors"
    GPTQ = "gptq"
    UNSAFE = "unsafe"
    """Pickle formats (.bin, .pt, .ckpt, .pth): listed, never loaded — unpickling runs arbitrary code."""


@dataclass(frozen=True)
class ArrayInfo:
    """A metadata array too large to decode (a vocabulary): its item type and length only."""

    item_type: str
    length: int


@dataclass(frozen=True)
class TensorInfo:
    name: str
    type_name: str
    """ggml type name, e.g. "Q4_K", "F16" (or the safetensors dtype, e.g. "BF16")."""
    shape: tuple[int, ...]
    offset: int
    """Byte offset of the data from the start of the data section (GGUF) or the file (safetensors)."""
    n_bytes: int

    @property
    def n_elements(self) -> int:
        n = 1
        for d in self.shape:
            n *= d
        return n


@dataclass(frozen=True)
class TensorGroup:
    """All tensors of one type: how many and how many bytes."""

    type_name: str
    count: int
    n_bytes: int


@dataclass(frozen=True)
class ModelInfo:
    """Everything shown at a glance about one model (one file, a split GGUF set, or a Hugging Face folder)."""

    path: Path
    """The file (the first part of a split GGUF) or the folder."""
    files: tuple[Path, ...]
    format: ModelFormat
    name: str
    size_bytes: int
    architecture: str = ""
    n_params: int = 0
    quantization: str = ""
    """"Q4_K_M", "F16", "BF16", "GPTQ 4-bit g128"..."""
    context_length: int = 0
    n_layers: int = 0
    n_heads: int = 0
    n_kv_heads: int = 0
    head_dim_k: int = 0
    head_dim_v: int = 0
    n_embd: int = 0
    n_vocab: int = 0
    sliding_window: int = 0
    chat_template: str | None = None
    tokenizer: str = ""
    bos_token: str | None = None
    eos_token: str | None = None
    tensor_groups: tuple[TensorGroup, ...] = ()
    shape: ModelShape | None = None
    shape_note: str = ""
    """Why `shape` is None (e.g. "shape unknown for architecture mamba"), empty otherwise."""
    unsafe_reason: str = ""
    details: dict[str, str] = field(default_factory=dict)
    """Format-specific facts worth showing (GPTQ bits/group size/format, dtype, GGUF version...)."""

    @property
    def has_template(self) -> bool:
        return bool(self.chat_template)


def tensor_groups(tensors: tuple[TensorInfo, ...]) -> tuple[TensorGroup, ...]:
    """Tensors by type (ggml type or safetensors dtype), the most bytes first."""
    count: dict[str, int] = defaultdict(int)
    size: dict[str, int] = defaultdict(int)
    for t in tensors:
        count[t.type_name] += 1
        size[t.type_name] += t.n_bytes
    return tuple(sorted((TensorGroup(k, count[k], size[k]) for k in count), key=lambda g: (-g.n_bytes, g.type_name)))


def shape_from_info(
    info: ModelInfo,
    *,
    n_ff: int,
    block_bytes: int,
    embedding_bytes: int,
    output_bytes: int,
    tied: bool,
    n_swa: int,
    active: float,
    repack_bytes: int = 0,
    block_types: tuple[tuple[str, int], ...] = (),
    output_type: str = "",
) -> ModelShape:
    """The ModelShape of a model whose dimensions `info` already holds, from the byte counts its reader measured."""
    return ModelShape(
        name=info.name,
        n_params=info.n_params,
        n_layers=info.n_layers,
        n_heads=info.n_heads,
        n_kv_heads=info.n_kv_heads,
        head_dim_k=info.head_dim_k,
        head_dim_v=info.head_dim_v,
        n_embd=info.n_embd,
        n_ff=n_ff,
        n_vocab=info.n_vocab,
        context_train=info.context_length,
        layer_bytes=round(block_bytes / info.n_layers),
        embedding_bytes=embedding_bytes,
        output_bytes=output_bytes,
        tied_embeddings=tied,
        n_swa_layers=n_swa,
        swa_window=info.sliding_window if n_swa else 0,
        active_fraction=active,
        quant=info.quantization,
        repack_bytes=repack_bytes,
        block_types=block_types,
        output_type=output_type,
    )
