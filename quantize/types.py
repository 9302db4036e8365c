"""A prediction of a quantization's output size, memory and time before anything is written.

The types themselves are formats.quant_types' table. The size prediction takes the source's GGUF header (tensor names,
shapes, types; the shared parse of formats.gguf) and applies the main rules of llama.cpp's ``llama_tensor_get_type``:
the output matrix gets Q6_K (or Q8_0), the _M mixes put some attention-V and feed-forward-down layers at Q6_K, and rows
that do not fit a type's block fall back to a simpler type.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from formats.ggml import GGML_BY_NAME
from formats.gguf import gguf_header
from formats.model import ModelFileError, TensorInfo
from formats.quant_types import GgufType, UnknownTypeError
from formats.quant_types import gguf_type as _gguf_type
from quantize.spec import SpecError


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


def read_layout(path: Path) -> GgufLayout:
    """The tensor table of a GGUF file (the shared, cached header parse of formats.gguf).

    Raises:
        SpecError: not a readable GGUF file.
    """
    try:
        h = gguf_header(path)
    except ModelFileError as e:
        raise SpecError(f"{Path(path).name} is not a readable GGUF file: {e}") from None
    return GgufLayout(h.tensors, h.data_offset, h.alignment, max(0, h.file_size - h.data_offset))


def _tensor_bytes(t: TensorInfo, ggml_type: str) -> int:
    gt = GGML_BY_NAME[ggml_type]
    rows = t.n_elements // t.shape[0] if t.shape else 1
    return rows * gt.row_bytes(t.shape[0]) if t.shape else gt.block_bytes


def _fits(t: TensorInfo, ggml_type: str) -> str:
    """llama.cpp's fallback for rows that are not a multiple of the type's block size."""
    row = t.shape[0]
    if row % GGML_BY_NAME[ggml_type].block == 0:
        return ggml_type
    fallback = {"Q4_K": "Q5_0", "IQ4_XS": "Q5_0", "Q5_K": "Q5_1", "Q6_K": "Q8_0"}.get(ggml_type, "IQ4_NL")
    return fallback if row % GGML_BY_NAME[fallback].block == 0 else "F16"


def _use_more_bits(i: int, n: int) -> bool:
    return i < n // 8 or i >= 7 * n // 8 or (i - n // 8) % 3 == 2


def _target(t: TensorInfo, qt: GgufType, *, has_output: bool, n_layers: int, keep_output: bool) -> str:
    base = qt.base
    is_output = t.name == "output.weight" or (not has_output and t.name == "token_embd.weight")
    if t.name == "output.weight" and keep_output:
        return t.type_name
    if not qt.quantized:
        return base
    if is_output:
        return "Q8_0" if t.shape[0] % GGML_BY_NAME[base].block else base if base == "Q8_0" else _fits(t, "Q6_K")
    layer = _layer(t.name)
    mixed = qt.name in ("Q4_K_M", "Q5_K_M") and t.name.endswith(("attn_v.weight", "ffn_down.weight"))
    if mixed and layer is not None and _use_more_bits(layer, n_layers):
        return _fits(t, "Q6_K")
    if qt.name in ("Q3_K_M", "Q3_K_L") and t.name.endswith(("attn_v.weight", "ffn_down.weight")):
        return _fits(t, "Q5_K" if qt.name == "Q3_K_L" else "Q4_K")
    if qt.name == "Q2_K" and t.name.endswith("attn_v.weight"):
        return _fits(t, "Q4_K")
    return _fits(t, base)


def _layer(name: str) -> int | None:
    parts = name.split(".")
    if len(parts) > 2 and parts[0] == "blk" and parts[1].isdigit():
        return int(parts[1])
    return None


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


def estimate(source: Path, quant_type: str, *, threads: int = 0, keep_output_tensor: bool = False,
             layout: GgufLayout | None = None) -> QuantizeEstimate:  # fmt: skip
    """Predicted output size, peak memory and time of quantizing ``source`` to ``quant_type``.

    ``layout``: the source's tensor table when the caller read it already (estimating every type reads it once).

    Raises:
        SpecError: unknown type, or the source is not a readable GGUF file.
    """
    import os

    qt = gguf_type(quant_type)
    layout = layout if layout is not None else read_layout(source)
    names = {t.name for t in layout.tensors}
    layers = [n for n in (_layer(t.name) for t in layout.tensors) if n is not None]
    n_layers = max(layers) + 1 if layers else 0
    total, biggest, work = layout.data_offset, 0, 0.0
    for t in layout.tensors:
        if len(t.shape) < 2:
            size = _tensor_bytes(t, t.type_name)  # norms and biases are never quantized
        else:
            target = _target(t, qt, has_output="output.weight" in names, n_layers=n_layers, keep_output=keep_output_tensor)
            target = target if target in GGML_BY_NAME else "F16"
            size = _tensor_bytes(t, target)
            if target != t.type_name:  # converted: dequantized to F32 first, then quantized into a work buffer
                biggest = max(biggest, t.n_elements * (8 if t.type_name != "F32" else 4))
                work += t.n_elements / (_SPEED_M.get(target, 2.0) * 1e6)
        total += -(-size // layout.alignment) * layout.alignment
    n_threads = threads if threads > 0 else (os.cpu_count() or 1)
    seconds = work / n_threads**0.9 + (layout.tensor_bytes + total) / _IO_BYTES_S
    return QuantizeEstimate(qt.name, total, _BASE_MEMORY + biggest, round(seconds, 2), n_threads)


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
