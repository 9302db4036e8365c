"""The Quantize dialog's predictions, without Qt (they run in the pool): each type's size, time and fit on this machine.

A GGUF source: its header's tensor table, then llama.cpp's type rules (`quantize.types.estimate`). A Hugging Face
safetensors folder is converted to an F16 GGUF first (`app.jobs.queue_recipe`), so its predictions come from the tensor
table that conversion will write — the safetensors headers' names and shapes, laid out as llama.cpp's converter does
(matrices F16, vectors and norms F32) — and then the same rules, as if that file were already there.
"""

from __future__ import annotations

import logging
import re
from dataclasses import dataclass, replace
from pathlib import Path

from app.ui.common.errors import error_line
from formats.ggml import GGML_BY_NAME
from formats.hf_folder import EMBEDDING, LAYER, NOT_TEXT, OUTPUT
from formats.model import TensorInfo
from formats.quant_types import GGUF_TYPES
from hardware.fit import FitOptions, FitReport, fit
from hardware.report import HardwareReport
from hardware.shape import ModelShape
from quantize.spec import SpecError
from quantize.types import GgufLayout, QuantizeEstimate, estimate, read_layout

log = logging.getLogger(__name__)

CONVERT_OUTTYPE = "F16"
TOOLCHAIN_SIZE = "about 1.6 GB"
_ALIGNMENT = 32
_ATTN_V = re.compile(r"(?:^|\.)(?:v_proj|value|wv)$")
_FFN_DOWN = re.compile(r"(?:^|\.)(?:down_proj|w2|fc2|dense_4h_to_h|mlp\.c_proj)$")
# llama.cpp's converter (llama-cpp-python 0.3.36's, torch 2.13 CPU), measured on a 2-core Xeon VM converting a 1 GB BF16
# Llama folder to F16: 2.6 s to start (torch, the tokenizer), then 130 MB/s of output (10.4 s in all).
_CONVERT_START_S = 2.6
_CONVERT_BYTES_S = 130e6


@dataclass(frozen=True)
class TypeRow:
    """One type's prediction: estimate (None with `problem` when the header cannot be read) and fit (None without hardware)."""

    name: str
    estimate: QuantizeEstimate | None
    fit: FitReport | None
    problem: str = ""


@dataclass(frozen=True)
class ConvertStep:
    """The conversion a safetensors folder needs first: its F16 GGUF, and what stands in its way."""

    output: Path
    estimate: QuantizeEstimate | None
    toolchain: str = ""
    """Empty when the toolchain is installed; else what is wrong with it (one line, with the command that fixes it)."""
    problem: str = ""
    """Why the conversion cannot work (no tokenizer, an architecture the converter lacks, the output exists), or ""."""


@dataclass(frozen=True)
class Prediction:
    quantization: str
    """The source's own type ("F16", "Q8_0", "BF16"), or "" when unknown."""
    rows: list[TypeRow]
    convert: ConvertStep | None = None
    """Only for a safetensors folder."""


def shape_at_size(shape: ModelShape, size: int, source_size: int, quant: str) -> ModelShape:
    """The model's shape with its weights scaled to a quantization's predicted file size."""
    k = size / source_size if source_size > 0 else 1.0
    return replace(shape, layer_bytes=round(shape.layer_bytes * k), embedding_bytes=round(shape.embedding_bytes * k),
                   output_bytes=round(shape.output_bytes * k), quant=quant, repack_bytes=0)  # fmt: skip


def _rows(source: Path, layout: GgufLayout, shape: ModelShape | None, source_size: int, hw: HardwareReport | None,
          options: FitOptions, *, keep_output_tensor: bool = False) -> list[TypeRow]:  # fmt: skip
    rows = []
    for name in GGUF_TYPES:
        est = estimate(source, name, keep_output_tensor=keep_output_tensor, layout=layout)
        report = None
        if shape is not None and hw is not None:
            report = fit(shape_at_size(shape, est.output_bytes, source_size, name), hw, options)
        rows.append(TypeRow(name, est, report))
    return rows


def predict_rows(source: Path, hw: HardwareReport | None, options: FitOptions, *, keep_output_tensor: bool = False,
                 ) -> Prediction:  # fmt: skip
    """Size, time and fit of every type for a GGUF file (reads its header once)."""
    shape, quantization = _shape_of(source)
    source_size = source.stat().st_size
    try:
        layout = read_layout(source)  # once for all the types
    except SpecError as e:  # an unreadable header: every row says why
        return Prediction(quantization, [TypeRow(name, None, None, error_line(e)) for name in GGUF_TYPES])
    return Prediction(quantization, _rows(source, layout, shape, source_size, hw, options,
                                          keep_output_tensor=keep_output_tensor))  # fmt: skip


# --- a safetensors folder -------------------------------------------------------------------------------------------


def convert_output(folder: Path, out_dir: Path) -> Path:
    """The F16 GGUF the convert job writes (named as `app.jobs.queue_recipe` names it)."""
    src = folder.expanduser().absolute()
    return out_dir.expanduser().absolute() / f"{src.name}.{CONVERT_OUTTYPE}.gguf"


def gguf_name(name: str) -> str:
    """The GGUF name a tensor gets where llama.cpp's type rules care about it (token embedding, output, attention V and
    feed-forward down of block N); other names are kept."""
    module = name[: -len(".weight")] if name.endswith(".weight") else name
    if EMBEDDING.search(module):
        return "token_embd.weight"
    if OUTPUT.search(module):
        return "output.weight"
    m = LAYER.search(name)
    if m is not None:
        if _ATTN_V.search(module):
            return f"blk.{m[1]}.attn_v.weight"
        if _FFN_DOWN.search(module):
            return f"blk.{m[1]}.ffn_down.weight"
    return name


def _converted_type(name: str, shape: tuple[int, ...]) -> str:
    """The converter's choice at --outtype f16: matrices F16; vectors, biases and norms F32."""
    last = name.rsplit(".", 2)[-2] if name.count(".") >= 1 else name
    if len(shape) < 2 or not name.endswith(".weight") or "norm" in last or last in ("gate", "router"):
        return "F32"
    return "F16"


def converted_layout(folder: Path) -> GgufLayout:
    """The tensor table of the F16 GGUF that converting `folder` writes.

    Only the language model counts (vision and audio towers go to a separate projector file). The header is counted the
    way gguf-py writes it (quantize.convert_size): exact for the vocabulary and the tensor infos, the other keys a
    constant measured on a Llama.

    Raises:
        ModelFileError: no readable safetensors weights.
    """
    from formats.hf_folder import safetensors_weights
    from formats.model import ModelFileError
    from formats.safetensors import safetensors_header
    from quantize.convert_size import converted_header_bytes

    shards, _index = safetensors_weights(folder)
    tensors = []
    for shard in shards:
        for t in safetensors_header(shard).tensors:
            if NOT_TEXT.search(t.name):
                continue
            shape = tuple(reversed(t.shape))  # ggml order: the row length first
            ggml = GGML_BY_NAME[_converted_type(t.name, t.shape)]
            n_bytes = ggml.row_bytes(shape[0]) * (t.n_elements // shape[0]) if shape and shape[0] else ggml.block_bytes
            tensors.append(TensorInfo(gguf_name(t.name), ggml.name, shape, 0, n_bytes))
    if not tensors:
        raise ModelFileError(f"{folder.name}: its safetensors files hold no language-model tensors")
    header = converted_header_bytes(folder, tensors)  # the vocabulary as gguf-py writes it, and the tensor infos
    layout = GgufLayout(tuple(tensors), header, _ALIGNMENT, 0)
    f16 = estimate(folder, CONVERT_OUTTYPE, layout=layout).output_bytes - header
    return replace(layout, tensor_bytes=f16)


def check_conversion(folder: Path, output: Path) -> tuple[str, str]:
    """(what is wrong with the toolchain or "", why the conversion cannot work or ""): cheap checks of files only."""
    from app import paths
    from quantize.convert import inspect_folder, supported_architectures
    from quantize.errors import JobFailed
    from quantize.toolchain import Toolchain, default_root

    toolchain = Toolchain(default_root(paths.data_dir()))
    status = toolchain.status()
    missing = "" if status.installed else status.problem
    try:
        hf = inspect_folder(folder)
    except JobFailed as e:
        return missing, error_line(e)
    known = supported_architectures(toolchain.converter.parent) if toolchain.converter.is_file() else None
    if known is not None and hf.architecture not in known:
        return missing, f"llama.cpp's converter does not support the architecture {hf.architecture}"
    if output.exists():
        return missing, (f"{output.name} is already in the output folder and a conversion does not overwrite it: "
                         "quantize that file instead, or remove it")  # fmt: skip
    return missing, ""


def predict_folder(folder: Path, hw: HardwareReport | None, options: FitOptions, *, out_dir: Path) -> Prediction:
    """Size, time and fit of every type for a safetensors folder, and its conversion step (reads the headers once)."""
    from formats.model import ModelFileError

    output = convert_output(folder, out_dir)
    toolchain, problem = check_conversion(folder, output)
    shape, quantization = _shape_of(folder)
    try:
        layout = converted_layout(folder)
    except ModelFileError as e:
        rows = [TypeRow(name, None, None, error_line(e)) for name in GGUF_TYPES]
        return Prediction(quantization, rows, ConvertStep(output, None, toolchain, problem or error_line(e)))
    f16 = estimate(folder, CONVERT_OUTTYPE, layout=layout)
    step = replace(f16, seconds=round(_CONVERT_START_S + f16.output_bytes / _CONVERT_BYTES_S, 2))
    weights = shape.weights_bytes if shape is not None else 0
    rows = [replace(r, estimate=step) if r.name == CONVERT_OUTTYPE else r  # the F16 file is the conversion's output
            for r in _rows(output, layout, shape, weights, hw, options)]  # fmt: skip
    return Prediction(quantization, rows, ConvertStep(output, step, toolchain, problem))


def _shape_of(path: Path) -> tuple[ModelShape | None, str]:
    """The model's shape and quantization as the Library reads them; (None, "") when it cannot."""
    from formats.inspect import inspect
    from formats.model import ModelFileError

    try:
        info = inspect(path)
    except ModelFileError as e:
        log.info("no shape for %s: %s", path, e)
        return None, ""
    return info.shape, info.quantization
