"""The size prediction against llama.cpp itself: every tensor's type and the file's size, to the byte.

Each case quantizes a model for real (llama-cpp-python's llama_model_quantize), reads the output's header back and
compares it with quantize.types.plan: the tiny llama (rows of 64: every K-quant falls back), the K-quant fixture (rows
of 256), an eight-expert MoE (3-D expert tensors, grouped-query attention) and the real Gemma 3 270M (a Q4_K_M source,
requantized; a representative set here, every type checked by hand, see the commit message).
"""

from __future__ import annotations

import ctypes
from pathlib import Path

import pytest
from fixtures.tiny_moe import write_moe_gguf

from formats.gguf import read_gguf_header
from formats.quant_types import GGUF_TYPES
from quantize.gguf_quantize import low_level
from quantize.tensor_types import ModelParams, category, loader_order, n_dims
from quantize.types import plan, read_layout

MAKEABLE = [name for name, t in GGUF_TYPES.items() if not t.needs_imatrix]
"""The types llama.cpp makes without an importance matrix (IQ3_XS and IQ3_XXS only where no tensor needs one)."""


@pytest.fixture(scope="module")
def moe_gguf(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return write_moe_gguf(tmp_path_factory.mktemp("models") / "moe.gguf")


def _quantize(source: Path, quant_type: str, out: Path, *, requantize: bool = False, keep_output: bool = False) -> bool:
    llama_cpp = low_level()
    params = llama_cpp.llama_model_quantize_default_params()
    params.ftype = GGUF_TYPES[quant_type].ftype
    params.nthread = 2
    params.allow_requantize = requantize
    params.quantize_output_tensor = not keep_output
    return llama_cpp.llama_model_quantize(str(source).encode(), str(out).encode(), ctypes.byref(params)) == 0


def _check_exact(source: Path, quant_type: str, tmp_path: Path, *, requantize: bool = False,
                 keep_output: bool = False) -> None:  # fmt: skip
    predicted = plan(read_layout(source), quant_type, keep_output_tensor=keep_output)
    out = tmp_path / f"out.{quant_type}.gguf"
    made = _quantize(source, quant_type, out, requantize=requantize, keep_output=keep_output)
    if predicted.needs_imatrix:  # llama.cpp refuses the whole file, as the prediction says
        assert not made and not out.exists(), predicted.needs_imatrix
        return
    assert made, quant_type
    header = read_gguf_header(out)
    real = {t.name: t.type_name for t in header.tensors}
    assert predicted.types == real
    assert [t.name for t in header.tensors] == list(predicted.types)  # the loader's order, which the counters follow
    assert predicted.header_bytes == header.data_offset
    assert predicted.file_bytes - out.stat().st_size == 0


@pytest.mark.parametrize("quant_type", MAKEABLE)
def test_kquant_fixture_every_type_to_the_byte(kquant_gguf: Path, tmp_path: Path, quant_type: str) -> None:
    _check_exact(kquant_gguf, quant_type, tmp_path)


@pytest.mark.parametrize("quant_type", MAKEABLE)
def test_tiny_model_falls_back_as_llama_cpp_does(tiny_gguf: Path, tmp_path: Path, quant_type: str) -> None:
    _check_exact(tiny_gguf, quant_type, tmp_path)


@pytest.mark.parametrize("quant_type", MAKEABLE)
def test_moe_every_type_to_the_byte(moe_gguf: Path, tmp_path: Path, quant_type: str) -> None:
    _check_exact(moe_gguf, quant_type, tmp_path)


@pytest.mark.parametrize("quant_type", ["Q4_K_M", "Q3_K_M", "Q8_0"])
def test_keep_output_tensor_to_the_byte(kquant_gguf: Path, tmp_path: Path, quant_type: str) -> None:
    _check_exact(kquant_gguf, quant_type, tmp_path, keep_output=True)


@pytest.mark.parametrize("quant_type", ["Q4_K_M", "Q3_K_M", "Q4_0", "Q2_K"])
def test_gemma_requantized_to_the_byte(gemma_model: Path, tmp_path: Path, quant_type: str) -> None:
    _check_exact(gemma_model, quant_type, tmp_path, requantize=True)


def test_the_fixtures_exercise_the_rules_that_matter(kquant_gguf: Path, tiny_gguf: Path, moe_gguf: Path) -> None:
    """Guards the comparisons above against fixtures that stop reaching the special cases."""
    moe = read_layout(moe_gguf)
    hp = ModelParams.from_metadata(moe.metadata)
    assert (hp.n_expert, hp.n_gqa) == (8, 4)
    assert n_dims(next(t for t in moe.tensors if t.name == "blk.0.ffn_down_exps.weight").shape) == 3
    q4 = plan(moe, "Q4_K_M").types
    assert q4["blk.0.attn_v.weight"] == q4["blk.0.attn_k.weight"] == "Q8_0"  # the eight-expert rule
    assert q4["blk.0.ffn_gate_inp.weight"] == "F32"  # the router stays
    assert q4["blk.1.ffn_down_exps.weight"] == "Q6_K"  # layer from the name (experts), not the counter
    assert plan(moe, "Q3_K_M").types["blk.0.attn_output.weight"] == "Q5_K"
    assert plan(read_layout(tiny_gguf), "Q4_K_M").fallbacks  # rows of 64
    kq = read_layout(kquant_gguf)
    q3 = plan(kq, "Q3_K_M").types
    assert (q3["blk.0.attn_v.weight"], q3["blk.0.ffn_down.weight"], q3["blk.0.attn_output.weight"]) == ("Q5_K", "Q4_K", "Q4_K")
    assert plan(kq, "IQ3_XS").needs_imatrix  # attention K and Q go to IQ3_XXS
    assert category("blk.3.ffn_down_exps.weight") == category("blk.3.ffn_down.weight")
    assert loader_order("output.weight") < loader_order("blk.2.attn_q.weight") < loader_order("blk.10.attn_q.weight")
