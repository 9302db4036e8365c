"""A prediction of a quantization's output size, memory and time before anything is written.

The types themselves are formats.quant_types' table. The size prediction takes the source's GGUF header (tensor names,
shapes, types, key-values; the shared parse of formats.gguf) and applies llama.cpp's own per-tensor type rules
(quantize.tensor_types, a port of llama-quant.cpp) and its header rewrite, so the predicted size is the file's size.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from pathlib import Path

from core.errors import said
from core.messages import Message
from formats.ggml import GGML_BY_NAME
from formats.gguf import gguf_header
from formats.model import ModelFileError, TensorInfo
from formats.quant_types import GgufType, UnknownTypeError
from formats.quant_types import gguf_type as _gguf_type
from quantize.spec import SpecError
from quantize.tensor_types import ModelParams, Options, loader_order, n_dims, tensor_types


def gguf_type(name: str) -> GgufType:
    """Look a type up by name, case-insensitively ("q4_k_m" -> Q4_K_M).

    Raises:
        SpecError: not a type Modelwerk can make.
    """
    try:
        return _gguf_type(name)
    except UnknownTypeError as e:
        raise SpecError(str(e)) from None


# --- size prediction ----------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class GgufLayout:
    tensors: tuple[TensorInfo, ...]
    data_offset: int  # where the tensor data starts (= header size, aligned)
    alignment: int
    tensor_bytes: int  # the source's tensor data
    metadata: Mapping[str, object] = field(default_factory=dict)
    """The source's key-values (the architecture and hyperparameters the type rules read); empty for a predicted file."""
    kv_encoding: Mapping[str, tuple[int, int]] = field(default_factory=dict)
    """key -> (value type, encoded bytes), from a real header: the output header is then predicted to the byte."""


def read_layout(path: Path) -> GgufLayout:
    """The tensor table of a GGUF file (the shared, cached header parse of formats.gguf).

    Raises:
        SpecError: not a readable GGUF file.
    """
    try:
        h = gguf_header(path)
    except ModelFileError as e:
        raise SpecError(Message("{name} is not a readable GGUF file: {error}", name=str(Path(path).name),
                                error=said(e))) from None
    return GgufLayout(h.tensors, h.data_offset, h.alignment, max(0, h.file_size - h.data_offset), h.metadata,
                      h.kv_encoding)  # fmt: skip


def _tensor_bytes(t: TensorInfo, ggml_type: str) -> int:
    gt = GGML_BY_NAME[ggml_type]
    rows = t.n_elements // t.shape[0] if t.shape else 1
    return rows * gt.row_bytes(t.shape[0]) if t.shape else gt.block_bytes


# llama_model_quantize_impl sets these two keys (u32; an existing key is replaced) and removes the split keys.
_SET_U32_KEYS = ("general.quantization_version", "general.file_type")
_REMOVED_KEYS = ("split.no", "split.count", "split.tensors.count")
_OUT_ALIGNMENT = 32  # GGUF_DEFAULT_ALIGNMENT: llama.cpp pads the output's header and every tensor to it


def _pad(n: int, alignment: int) -> int:
    return -(-n // alignment) * alignment


def output_header_bytes(layout: GgufLayout) -> int:
    """The size of the quantized file's header (key-values and tensor infos, padded), as gguf_get_meta_size counts it.

    Exact for a layout read from a real header (``kv_encoding``); a predicted layout keeps its ``data_offset``.
    """
    if not layout.kv_encoding:
        return layout.data_offset
    kv = sum(size for key, (_vtype, size) in layout.kv_encoding.items()
             if key not in _SET_U32_KEYS and key not in _REMOVED_KEYS)  # fmt: skip
    kv += sum(8 + len(key.encode()) + 4 + 4 for key in _SET_U32_KEYS)
    infos = sum(8 + len(t.name.encode()) + 4 + 8 * n_dims(t.shape) + 4 + 8 for t in layout.tensors)
    return _pad(4 + 4 + 8 + 8 + kv + infos, _OUT_ALIGNMENT)


@dataclass(frozen=True)
class QuantizePlan:
    """What llama.cpp will write: each tensor's type and bytes, the header, the whole file."""

    types: dict[str, str]
    header_bytes: int
    file_bytes: int
    fallbacks: tuple[str, ...]
    needs_imatrix: tuple[str, ...]
    """Tensors whose type llama.cpp makes only with an importance matrix (it refuses the whole file without one)."""


def plan(layout: GgufLayout, quant_type: str, *, keep_output_tensor: bool = False, imatrix: bool = False,
         pure: bool = False) -> QuantizePlan:  # fmt: skip
    """Each tensor's type in ``quant_type`` by llama.cpp's own rules (quantize.tensor_types) and the output file's size.

    Raises:
        SpecError: unknown type, or a tensor llama.cpp would refuse.
    """
    qt = gguf_type(quant_type)
    options = Options(quantize_output_tensor=not keep_output_tensor, pure=pure, has_imatrix=imatrix)
    hp = ModelParams.from_metadata(layout.metadata)
    if hp.n_layer == 0:  # a predicted layout without metadata: its blocks are its layers
        hp = replace(hp, n_layer=1 + max((loader_order(t.name)[0] for t in layout.tensors), default=-1))
    try:
        choice = tensor_types(layout.tensors, hp, qt.name, options)
    except ValueError as e:
        raise SpecError(str(e)) from None
    alignment = _OUT_ALIGNMENT if layout.kv_encoding else layout.alignment
    header = output_header_bytes(layout)
    data = sum(_pad(_tensor_bytes(t, choice.types[t.name]), alignment) for t in layout.tensors)
    return QuantizePlan(choice.types, header, header + data, choice.fallbacks, choice.needs_imatrix)


# Quantization speed per target type, million weights per second per thread, measured with llama.cpp 0.3.36's CPU
# code on a 2-core Xeon VM (a 27M-weight F16 model, one thread). A copy (same type) costs only I/O. i-quants search hard.
_SPEED_M: dict[str, float] = {
    "F32": 300, "F16": 300, "BF16": 300, "Q8_0": 100, "Q4_0": 160, "Q4_1": 150, "Q5_0": 120, "Q5_1": 120,
    "Q2_K": 20, "Q3_K": 25, "Q4_K": 14, "Q5_K": 16, "Q6_K": 26, "IQ4_NL": 2.8, "IQ4_XS": 3.0, "IQ3_S": 2.5,
    "IQ3_XXS": 2.5, "IQ2_S": 2.4, "IQ2_XS": 2.4, "IQ2_XXS": 2.4, "IQ1_S": 1.5, "IQ1_M": 1.5,
}  # fmt: skip
_BASE_MEMORY = 100 << 20  # llama.cpp and Python, besides the conversion buffers
_IO_BYTES_S = 1e9


@dataclass(frozen=True)
class QuantizeEstimate:
    """What a quantization will take, before it starts: for the Quantize dialog and the worker's checks."""

    quant_type: str
    output_bytes: int
    memory_bytes: int  # peak working memory besides the memory-mapped source (which the OS can page out)
    seconds: float  # rough: measured speeds of this machine class; i-quants vary most
    threads: int
    needs_imatrix: tuple[str, ...] = ()
    """Tensors that llama.cpp quantizes to this type only with an importance matrix (IQ3_XS's attention K and Q...)."""


def estimate(source: Path, quant_type: str, *, threads: int = 0, keep_output_tensor: bool = False,
             layout: GgufLayout | None = None, imatrix: bool = False, pure: bool = False) -> QuantizeEstimate:  # fmt: skip
    """Predicted output size, peak memory and time of quantizing ``source`` to ``quant_type``.

    ``layout``: the source's tensor table when the caller read it already (estimating every type reads it once).
    ``imatrix``: an importance matrix is given (a few rules differ with one).

    Raises:
        SpecError: unknown type, or the source is not a readable GGUF file.
    """
    import os

    layout = layout if layout is not None else read_layout(source)
    p = plan(layout, quant_type, keep_output_tensor=keep_output_tensor, imatrix=imatrix, pure=pure)
    biggest, work = 0, 0.0
    for t in layout.tensors:
        target = p.types[t.name]
        if target != t.type_name:  # converted: dequantized to F32 first, then quantized into a work buffer
            biggest = max(biggest, t.n_elements * (8 if t.type_name != "F32" else 4))
            work += t.n_elements / (_SPEED_M.get(target, 2.0) * 1e6)
    total = p.file_bytes
    n_threads = threads if threads > 0 else (os.cpu_count() or 1)
    seconds = work / n_threads**0.9 + (layout.tensor_bytes + total) / _IO_BYTES_S
    return QuantizeEstimate(gguf_type(quant_type).name, total, _BASE_MEMORY + biggest, round(seconds, 2), n_threads,
                            p.needs_imatrix)  # fmt: skip


def predict_size(source: Path, quant_type: str, *, keep_output_tensor: bool = False) -> int:
    """The predicted size in bytes of ``source`` quantized to ``quant_type``.

    Raises:
        SpecError: unknown type, or the source is not a readable GGUF file.
    """
    return estimate(source, quant_type, keep_output_tensor=keep_output_tensor).output_bytes


SMALLER_DEFAULTS = ("Q4_K_M", "Q3_K_M", "Q2_K")
"""What the Quantize dialog ticks first: Q4_K_M (the usual balance), else the next common type below the source."""


def _bpw(name: str) -> float | None:
    try:
        return _gguf_type(name).bits_per_weight
    except UnknownTypeError:
        return None


def default_type(source: str) -> str | None:
    """The type to pre-tick for a model stored as `source`: the first of SMALLER_DEFAULTS that is smaller than it (never
    the source's own type); None when none is (a Q2_K model has nothing sensible below it). An unquantized or unknown
    source gets Q4_K_M."""
    have = _bpw(source) if source else None
    for name in SMALLER_DEFAULTS:
        bpw = _bpw(name)
        if have is None or (bpw is not None and bpw < have and name != source.upper()):
            return name
    return None


def not_smaller(target: str, source: str) -> bool:
    """True when quantizing a `source` model to `target` gains nothing: the same type, or one with as many bits or more
    (Q4_K_M -> Q8_0 is larger and cannot bring back what Q4_K_M lost). False for an unquantized or unknown source."""
    have, want = _bpw(source) if source else None, _bpw(target)
    if have is None or want is None or source.upper() in ("F32", "F16", "BF16"):
        return False
    return want >= have
