"""The llama.cpp GGUF file types Modelwerk can make, and a prediction of the output size before anything is written.

The ftype numbers are llama.cpp's ``enum llama_ftype`` (hard-coded: this module must import without llama_cpp, since the
toolchain environment has none). The size prediction walks the source's GGUF header (tensor names, shapes, types) and
applies the main rules of llama.cpp's ``llama_tensor_get_type``: the output matrix gets Q6_K (or Q8_0), the _M mixes put
some attention-V and feed-forward-down layers at Q6_K, and rows that do not fit a type's block fall back to a simpler type.
"""

from __future__ import annotations

import mmap
import struct
from dataclasses import dataclass
from pathlib import Path

from hardware.quants import QUANT_TYPES
from quantize.spec import SpecError


@dataclass(frozen=True)
class GgufType:
    """One llama.cpp quantization type (``llama-quantize``'s type argument)."""

    name: str
    ftype: int
    bits_per_weight: float
    description: str
    needs_imatrix: bool = False

    @property
    def quantized(self) -> bool:
        return self.name not in ("F32", "F16", "BF16")


# ggml type -> (values per block, bytes per block): ggml's type traits.
_BLOCKS: dict[str, tuple[int, int]] = {
    "F32": (1, 4), "F16": (1, 2), "BF16": (1, 2), "Q4_0": (32, 18), "Q4_1": (32, 20), "Q5_0": (32, 22), "Q5_1": (32, 24),
    "Q8_0": (32, 34), "Q2_K": (256, 84), "Q3_K": (256, 110), "Q4_K": (256, 144), "Q5_K": (256, 176), "Q6_K": (256, 210),
    "IQ2_XXS": (256, 66), "IQ2_XS": (256, 74), "IQ3_XXS": (256, 98), "IQ1_S": (256, 50), "IQ4_NL": (32, 18),
    "IQ3_S": (256, 110), "IQ2_S": (256, 82), "IQ4_XS": (256, 136), "IQ1_M": (256, 56),
}  # fmt: skip
# ggml type ids as they appear in a GGUF tensor info.
_GGML_IDS: dict[int, str] = {
    0: "F32", 1: "F16", 2: "Q4_0", 3: "Q4_1", 6: "Q5_0", 7: "Q5_1", 8: "Q8_0", 10: "Q2_K", 11: "Q3_K", 12: "Q4_K",
    13: "Q5_K", 14: "Q6_K", 16: "IQ2_XXS", 17: "IQ2_XS", 18: "IQ3_XXS", 19: "IQ1_S", 20: "IQ4_NL", 21: "IQ3_S",
    22: "IQ2_S", 23: "IQ4_XS", 29: "IQ1_M", 30: "BF16",
}  # fmt: skip

# name, llama_ftype, the ggml type most tensors get, description
_TABLE: tuple[tuple[str, int, str, str], ...] = (
    ("F32", 0, "F32", "32-bit float: no loss, the largest file"),
    ("F16", 1, "F16", "16-bit float: practically lossless, half of F32"),
    ("BF16", 32, "BF16", "bfloat16: lossless for bf16-trained models"),
    ("Q8_0", 7, "Q8_0", "8-bit: practically lossless, half of F16"),
    ("Q6_K", 18, "Q6_K", "6-bit K-quant: very close to Q8_0, smaller"),
    ("Q5_K_M", 17, "Q5_K", "5-bit K-quant, medium: very good quality"),
    ("Q5_K_S", 16, "Q5_K", "5-bit K-quant, small"),
    ("Q5_1", 9, "Q5_1", "5-bit legacy type (prefer Q5_K_M)"),
    ("Q5_0", 8, "Q5_0", "5-bit legacy type (prefer Q5_K_S)"),
    ("Q4_K_M", 15, "Q4_K", "4-bit K-quant, medium: the usual best balance"),
    ("Q4_K_S", 14, "Q4_K", "4-bit K-quant, small"),
    ("Q4_1", 3, "Q4_1", "4-bit legacy type (prefer Q4_K_M)"),
    ("Q4_0", 2, "Q4_0", "4-bit legacy type: fast on some CPUs and GPUs"),
    ("IQ4_NL", 25, "IQ4_NL", "4-bit non-linear i-quant"),
    ("IQ4_XS", 30, "IQ4_XS", "4.25-bit i-quant: near Q4_K_S, smaller"),
    ("Q3_K_L", 13, "Q3_K", "3-bit K-quant, large"),
    ("Q3_K_M", 12, "Q3_K", "3-bit K-quant, medium: noticeable loss"),
    ("Q3_K_S", 11, "Q3_K", "3-bit K-quant, small: large loss"),
    ("IQ3_M", 27, "IQ3_S", "3.7-bit i-quant mix"),
    ("IQ3_S", 26, "IQ3_S", "3.4-bit i-quant"),
    ("IQ3_XS", 22, "IQ3_S", "3.3-bit i-quant"),
    ("IQ3_XXS", 23, "IQ3_XXS", "3.1-bit i-quant"),
    ("Q2_K", 10, "Q2_K", "2-bit K-quant: large loss; for very small machines"),
    ("IQ2_M", 29, "IQ2_S", "2.7-bit i-quant (needs an importance matrix)"),
    ("IQ2_S", 28, "IQ2_S", "2.5-bit i-quant (needs an importance matrix)"),
    ("IQ2_XS", 20, "IQ2_XS", "2.3-bit i-quant (needs an importance matrix)"),
    ("IQ2_XXS", 19, "IQ2_XXS", "2.1-bit i-quant (needs an importance matrix)"),
    ("IQ1_M", 31, "IQ1_M", "1.75-bit i-quant: extreme loss (needs an importance matrix)"),
    ("IQ1_S", 24, "IQ1_S", "1.6-bit i-quant: extreme loss (needs an importance matrix)"),
)
_NEEDS_IMATRIX = frozenset({"IQ2_M", "IQ2_S", "IQ2_XS", "IQ2_XXS", "IQ1_M", "IQ1_S"})
_BASE: dict[str, str] = {name: base for name, _, base, _ in _TABLE}


def _bpw(name: str, base: str) -> float:
    known = QUANT_TYPES.get(name)
    if known is not None:
        return known.bits_per_weight
    block, nbytes = _BLOCKS[base]
    return round(nbytes * 8 / block, 2)


GGUF_TYPES: dict[str, GgufType] = {
    name: GgufType(name, ftype, _bpw(name, base), desc, needs_imatrix=name in _NEEDS_IMATRIX)
    for name, ftype, base, desc in _TABLE
}


def gguf_type(name: str) -> GgufType:
    """Look a type up by name, case-insensitively ("q4_k_m" -> Q4_K_M).

    Raises:
        SpecError: not a type Modelwerk can make.
    """
    key = name.strip().upper()
    try:
        return GGUF_TYPES[key]
    except KeyError:
        raise SpecError(f"unknown type {name}; choose one of {', '.join(GGUF_TYPES)}") from None


# --- size prediction ----------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class TensorInfo:
    name: str
    shape: tuple[int, ...]  # ggml order: innermost (row length) first
    ggml_type: str  # "F16", "Q4_K", ... or "?" for a type this table does not know

    @property
    def n_elements(self) -> int:
        n = 1
        for d in self.shape:
            n *= d
        return n


@dataclass(frozen=True)
class GgufLayout:
    tensors: tuple[TensorInfo, ...]
    data_offset: int  # where the tensor data starts (= header size, aligned)
    alignment: int
    tensor_bytes: int  # the source's tensor data


_SCALAR = {0: 1, 1: 1, 2: 2, 3: 2, 4: 4, 5: 4, 6: 4, 7: 1, 10: 8, 11: 8, 12: 8}
_STRING, _ARRAY = 8, 9
_U64 = struct.Struct("<Q")


class _Cursor:
    def __init__(self, buf: mmap.mmap) -> None:
        self.buf, self.pos = buf, 0

    def take(self, fmt: str) -> int:
        (value,) = struct.unpack_from("<" + fmt, self.buf, self.pos)
        self.pos += struct.calcsize(fmt)
        return int(value)

    def string(self) -> str:
        n = self.take("Q")
        if self.pos + n > len(self.buf):
            raise ValueError("string past the end of the file")
        text = bytes(self.buf[self.pos : self.pos + n]).decode("utf-8", "replace")
        self.pos += n
        return text

    def skip_value(self, vtype: int) -> int | None:
        """Skip one value; returns it when it is an unsigned integer (for general.alignment)."""
        if vtype == _STRING:
            n = self.take("Q")
            self.pos += n
            return None
        if vtype == _ARRAY:
            itype, count = self.take("I"), self.take("Q")
            if itype in _SCALAR:
                self.pos = self.pos + _SCALAR[itype] * count
            elif itype == _STRING:  # the vocabulary: 262,144 strings for Gemma, so a tight loop
                unpack, buf, pos = _U64.unpack_from, self.buf, self.pos
                for _ in range(count):
                    pos += 8 + unpack(buf, pos)[0]
                self.pos = pos
            else:
                for _ in range(count):
                    self.skip_value(itype)
            return None
        if vtype not in _SCALAR:
            raise ValueError(f"unknown GGUF value type {vtype}")
        if vtype in (4, 10):
            return self.take("I" if vtype == 4 else "Q")
        self.pos += _SCALAR[vtype]
        return None


def read_layout(path: Path) -> GgufLayout:
    """The tensor table of a GGUF file (a lazy header walk: large arrays such as the vocabulary are skipped).

    Raises:
        SpecError: not a readable GGUF file.
    """
    try:
        with open(path, "rb") as f, mmap.mmap(f.fileno(), 0, access=mmap.ACCESS_READ) as buf:
            c = _Cursor(buf)
            if bytes(buf[:4]) != b"GGUF":
                raise ValueError("no GGUF magic")
            c.pos = 4
            version = c.take("I")
            if version < 2:
                raise ValueError(f"GGUF version {version} is too old")
            n_tensors, n_kv = c.take("Q"), c.take("Q")
            alignment = 32
            for _ in range(n_kv):
                key = c.string()
                value = c.skip_value(c.take("I"))
                if key == "general.alignment" and value:
                    alignment = value
            tensors = []
            for _ in range(n_tensors):
                name = c.string()
                n_dims = c.take("I")
                shape = tuple(c.take("Q") for _ in range(n_dims))
                tid = c.take("I")
                c.take("Q")  # offset
                tensors.append(TensorInfo(name, shape, _GGML_IDS.get(tid, "?")))
            data_offset = -(-c.pos // alignment) * alignment
            size = len(buf)
    except (OSError, ValueError, struct.error) as e:
        raise SpecError(f"{path.name} is not a readable GGUF file: {e}") from None
    return GgufLayout(tuple(tensors), data_offset, alignment, max(0, size - data_offset))


def _tensor_bytes(t: TensorInfo, ggml_type: str) -> int:
    block, nbytes = _BLOCKS[ggml_type]
    rows = t.n_elements // t.shape[0] if t.shape else 1
    return rows * (-(-t.shape[0] // block)) * nbytes if t.shape else nbytes


def _fits(t: TensorInfo, ggml_type: str) -> str:
    """llama.cpp's fallback for rows that are not a multiple of the type's block size."""
    row = t.shape[0]
    if row % _BLOCKS[ggml_type][0] == 0:
        return ggml_type
    fallback = {"Q4_K": "Q5_0", "IQ4_XS": "Q5_0", "Q5_K": "Q5_1", "Q6_K": "Q8_0"}.get(ggml_type, "IQ4_NL")
    return fallback if row % _BLOCKS[fallback][0] == 0 else "F16"


def _use_more_bits(i: int, n: int) -> bool:
    return i < n // 8 or i >= 7 * n // 8 or (i - n // 8) % 3 == 2


def _target(t: TensorInfo, qt: GgufType, *, has_output: bool, n_layers: int, keep_output: bool) -> str:
    base = _BASE[qt.name]
    is_output = t.name == "output.weight" or (not has_output and t.name == "token_embd.weight")
    if t.name == "output.weight" and keep_output:
        return t.ggml_type
    if not qt.quantized:
        return base
    if is_output:
        return "Q8_0" if t.shape[0] % _BLOCKS[base][0] else base if base == "Q8_0" else _fits(t, "Q6_K")
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
        if t.ggml_type == "?":
            size = t.n_elements * 4  # a type this table does not know: left as it is, size guessed
        elif len(t.shape) < 2:
            size = _tensor_bytes(t, t.ggml_type)  # norms and biases are never quantized
        else:
            target = _target(t, qt, has_output="output.weight" in names, n_layers=n_layers, keep_output=keep_output_tensor)
            target = target if target in _BLOCKS else "F16"
            size = _tensor_bytes(t, target)
            if target != t.ggml_type:  # converted: dequantized to F32 first, then quantized into a work buffer
                biggest = max(biggest, t.n_elements * (8 if t.ggml_type != "F32" else 4))
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
