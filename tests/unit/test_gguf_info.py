"""inspect_gguf: the real Gemma 3 270M matches the facts, the tiny fixtures match what the generator wrote, shapes per arch."""

from __future__ import annotations

import functools
from datetime import timedelta
from pathlib import Path

import gguf
import numpy as np
import pytest
from fixtures.malformed_gguf import build, kv_u32, mutated_gguf
from fixtures.tiny_gguf import DEFAULT_WORDS, build_vocab, expected_tensor_shapes, write_tiny_gguf
from hypothesis import HealthCheck, given, settings

from formats.gguf_info import file_type_name, inspect_gguf
from formats.model import ModelFileError, ModelFormat, TensorInfo
from hardware.shape import REPACKED_TYPES

MIB = 1024**2
Q = gguf.GGMLQuantizationType


def test_gemma_matches_the_facts(gemma_model: Path) -> None:
    """FACTS.md: gemma3, 18 blocks, 4 heads, 1 KV head, embedding 640, context 32768, vocab 262,144, file_type 15."""
    info = inspect_gguf(gemma_model)
    assert info.format is ModelFormat.GGUF
    assert info.files == (gemma_model,) and info.size_bytes == 253_113_024
    assert info.architecture == "gemma3"
    assert (info.n_layers, info.n_heads, info.n_kv_heads, info.n_embd) == (18, 4, 1, 640)
    assert (info.context_length, info.n_vocab) == (32768, 262_144)
    assert info.quantization == "Q4_K_M" and info.details["file type"] == "Q4_K_M (15)"
    assert info.chat_template is None and not info.has_template  # the base model, not instruction-tuned
    assert (info.head_dim_k, info.head_dim_v, info.sliding_window) == (256, 256, 512)
    assert (info.tokenizer, info.bos_token, info.eos_token) == ("llama", "<bos>", "<eos>")
    assert 265e6 < info.n_params < 270e6
    assert info.details["GGUF version"] == "3" and info.details["tensors"] == "236"
    assert sum(g.count for g in info.tensor_groups) == 236
    assert sum(g.n_bytes for g in info.tensor_groups) < info.size_bytes
    assert {g.type_name for g in info.tensor_groups} == {"Q8_0", "Q5_0", "Q4_K", "Q6_K", "F32"}

    shape = info.shape
    assert shape is not None and info.shape_note == ""
    assert shape.tied_embeddings and shape.output_bytes == shape.embedding_bytes
    assert (shape.n_swa_layers, shape.swa_window) == (15, 512)  # 3 global + 15 sliding-window layers (llama.cpp's log)
    assert shape.n_ff == 2048 and shape.active_fraction == 1.0 and shape.quant == "Q4_K_M"
    # llama.cpp's own report for this file: weights 235.16 MiB mapped, 12.66 MiB repacked.
    assert shape.weights_bytes / MIB == pytest.approx(235.16, abs=0.01)
    assert shape.repack_bytes / MIB == pytest.approx(12.66, abs=0.01)
    assert shape.kv_bytes_per_token_layer(2) == 1024  # 1 KiB per token per layer at f16
    # The speed estimate's tensor types: ffn (640 wide, not a multiple of 256) falls back to Q5_0; the tied output is Q8_0.
    assert [t for t, _ in shape.block_types] == ["Q5_0", "Q4_K", "Q6_K", "Q8_0"]
    assert sum(n for _, n in shape.block_types) == pytest.approx(shape.n_layers * shape.layer_bytes, rel=0.01)
    assert shape.output_type == "Q8_0" and shape.output_tensor_type == "Q8_0"


def _expected_params(**kw: int) -> int:
    total = 0
    for shape in expected_tensor_shapes(**kw).values():
        total += int(np.prod(shape))
    return total


def test_tiny_fixture_matches_the_generator(tiny_gguf: Path) -> None:
    info = inspect_gguf(tiny_gguf)
    vocab = len(build_vocab(DEFAULT_WORDS)[0])
    dims = {"hidden": 64, "layers": 2, "heads": 4, "kv_heads": 4, "ff": 128, "vocab_size": vocab}
    assert (info.architecture, info.name, info.quantization) == ("llama", "tiny", "F32")
    assert (info.n_layers, info.n_heads, info.n_kv_heads, info.n_embd, info.context_length) == (2, 4, 4, 64, 512)
    assert (info.head_dim_k, info.head_dim_v, info.n_vocab, info.sliding_window) == (16, 16, vocab, 0)
    assert info.n_params == _expected_params(**dims)
    assert (info.tokenizer, info.bos_token, info.eos_token, info.chat_template) == ("llama", "<s>", "</s>", None)
    assert info.details["model name"] == "tiny-llama" and info.details["file type"] == "F32 (0)"
    assert [(g.type_name, g.count, g.n_bytes) for g in info.tensor_groups] == [("F32", 21, 4 * info.n_params)]
    shape = info.shape
    assert shape is not None
    assert not shape.tied_embeddings and shape.embedding_bytes == shape.output_bytes == vocab * 64 * 4
    assert shape.n_layers * shape.layer_bytes + 2 * shape.embedding_bytes + 64 * 4 == 4 * info.n_params  # + output_norm
    assert (shape.n_ff, shape.n_swa_layers, shape.repack_bytes, shape.active_fraction) == (128, 0, 0, 1.0)


def test_gqa_template_f16_fixture_matches_the_generator(tmp_path: Path) -> None:
    template = "{% for m in messages %}<|im_start|>{{ m.role }}\n{{ m.content }}<|im_end|>\n{% endfor %}"
    control = ("<|im_start|>", "<|im_end|>")
    path = write_tiny_gguf(
        tmp_path / "gqa-chat.gguf",
        hidden=128,
        layers=3,
        heads=8,
        kv_heads=2,
        ff=320,
        context=2048,
        chat_template=template,
        name="gqa",
        dtype="f16",
        control_tokens=control,
    )
    info = inspect_gguf(path)
    vocab = len(build_vocab(DEFAULT_WORDS, control)[0])
    assert info.chat_template == template and info.has_template
    assert (info.n_layers, info.n_heads, info.n_kv_heads, info.n_embd, info.context_length) == (3, 8, 2, 128, 2048)
    assert (info.head_dim_k, info.n_vocab, info.quantization, info.name) == (16, vocab, "F16", "gqa-chat")
    assert info.n_params == _expected_params(hidden=128, layers=3, heads=8, kv_heads=2, ff=320, vocab_size=vocab)
    groups = {g.type_name: g for g in info.tensor_groups}
    assert (groups["F16"].count, groups["F32"].count) == (3 * 7 + 2, 3 * 2 + 1)
    assert info.shape is not None and info.shape.kv_bytes_per_token_layer(2) == 2 * 16 * 2 * 2


def test_kquant_fixture(kquant_gguf: Path) -> None:
    info = inspect_gguf(kquant_gguf)
    assert (info.n_embd, info.quantization, info.details["model name"]) == (256, "F16", "tiny-llama-kquant")
    assert info.shape is not None and info.shape.n_ff == 512


def test_split_set_is_one_model(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    whole = inspect_gguf(write_tiny_gguf(tmp_path / "whole" / "tiny.gguf", chat_template="{{ x }}"))
    # The same generator, its writer splitting every 8 tensors (gguf-split naming and split.* keys).
    monkeypatch.setattr(gguf, "GGUFWriter", functools.partial(gguf.GGUFWriter, split_max_tensors=8))
    write_tiny_gguf(tmp_path / "split" / "tiny.gguf", chat_template="{{ x }}")
    parts = tuple(tmp_path / "split" / f"tiny-{i:05d}-of-00003.gguf" for i in (1, 2, 3))
    for part in parts:
        info = inspect_gguf(part)
        assert info.files == parts and info.path == parts[0] and info.name == "tiny"
        assert info.size_bytes == sum(p.stat().st_size for p in parts)
        assert info.details["parts"] == "3" and info.details["tensors"] == "21"
        assert (info.n_params, info.tensor_groups, info.chat_template) == (whole.n_params, whole.tensor_groups, "{{ x }}")
        assert info.shape == whole.shape
    parts[2].unlink()
    with pytest.raises(ModelFileError, match=r"split GGUF part 3 of 3 is missing: tiny-00003-of-00003\.gguf"):
        inspect_gguf(parts[0])
    parts[0].rename(tmp_path / "split" / "tiny-00001-of-00002.gguf")
    parts[1].rename(tmp_path / "split" / "tiny-00002-of-00002.gguf")
    with pytest.raises(ModelFileError, match="says the model has 3 parts, but 2 were found"):
        inspect_gguf(tmp_path / "split" / "tiny-00001-of-00002.gguf")


@pytest.mark.parametrize(
    ("file_type", "name"),
    [(0, "F32"), (1, "F16"), (7, "Q8_0"), (15, "Q4_K_M"), (14, "Q4_K_S"), (32, "BF16"), (30, "IQ4_XS")],
)
def test_file_type_names(file_type: int, name: str) -> None:
    assert file_type_name(file_type) == name


def test_file_type_inferred_from_the_dominant_matrix_type() -> None:
    tensors = (
        TensorInfo("a", "Q6_K", (256, 10), 0, 2100),
        TensorInfo("b", "Q8_0", (256, 40), 0, 10880),
        TensorInfo("norm", "F32", (100_000,), 0, 400_000),  # vectors do not count
    )
    assert file_type_name(None, tensors) == "Q8_0"
    assert file_type_name(int(gguf.LlamaFileType.GUESSED), tensors) == "Q8_0"
    assert file_type_name(None) == ""


# --- other architectures -------------------------------------------------------------------------------------------


def write_model(path: Path, arch: str, keys: dict[str, object], tensors: dict[str, tuple[tuple[int, ...], Q]]) -> Path:
    """A GGUF with the given {arch}.* keys and zero tensors (ggml shape, type); a 3-token vocabulary."""
    writer = gguf.GGUFWriter(path, arch)
    for key, value in keys.items():
        full = key.replace("{arch}", arch)
        if isinstance(value, str):
            writer.add_string(full, value)
        elif isinstance(value, list):
            writer.add_array(full, value)
        else:
            assert isinstance(value, int)
            writer.add_uint32(full, value)
    writer.add_token_list(["<unk>", "<s>", "</s>"])
    for name, (shape, qtype) in tensors.items():
        if qtype == Q.F32:
            writer.add_tensor(name, np.zeros(shape[::-1], dtype=np.float32))
        else:
            block, size = gguf.GGML_QUANT_SIZES[qtype]
            rows = int(np.prod(shape[1:]))
            writer.add_tensor(name, np.zeros((rows, shape[0] // block * size), dtype=np.uint8), raw_dtype=qtype)
    writer.write_header_to_file()
    writer.write_kv_data_to_file()
    writer.write_tensors_to_file()
    writer.close()
    return path


BASE_KEYS: dict[str, object] = {
    "{arch}.block_count": 12,
    "{arch}.embedding_length": 64,
    "{arch}.context_length": 8192,
    "{arch}.attention.head_count": 4,
    "{arch}.attention.head_count_kv": 2,
    "{arch}.feed_forward_length": 128,
}


def _blocks(n: int, extra: dict[str, tuple[tuple[int, ...], Q]] | None = None) -> dict[str, tuple[tuple[int, ...], Q]]:
    out: dict[str, tuple[tuple[int, ...], Q]] = {"token_embd.weight": ((64, 3), Q.F32)}
    for i in range(n):
        out[f"blk.{i}.attn_q.weight"] = ((64, 64), Q.F32)
        for name, spec in (extra or {}).items():
            out[f"blk.{i}.{name}"] = spec
    return out


@pytest.mark.parametrize(
    ("arch", "pattern", "n_swa"),
    [("gemma2", None, 6), ("gemma3", None, 10), ("gemma3", 4, 9), ("gemma3", [True, False] * 6, 6), ("llama", None, 0)],
)
def test_sliding_window_layers(tmp_path: Path, arch: str, pattern: object, n_swa: int) -> None:
    keys = {**BASE_KEYS, "{arch}.attention.sliding_window": 1024}
    if pattern is not None:
        keys["{arch}.attention.sliding_window_pattern"] = pattern
    info = inspect_gguf(write_model(tmp_path / "m.gguf", arch, keys, _blocks(12)))
    assert info.shape is not None and info.sliding_window == 1024
    assert info.shape.n_swa_layers == n_swa
    assert info.shape.swa_window == (1024 if n_swa else 0)


def test_mixture_of_experts_active_fraction(tmp_path: Path) -> None:
    keys = {**BASE_KEYS, "{arch}.block_count": 2, "{arch}.expert_count": 8, "{arch}.expert_used_count": 2}
    experts = {"ffn_up_exps.weight": ((64, 32, 8), Q.F32)}  # 64 KiB against attn_q's 16 KiB
    info = inspect_gguf(write_model(tmp_path / "moe.gguf", "qwen3moe", keys, _blocks(2, experts)))
    assert info.shape is not None and info.details["experts"] == "8 (2 used per token)"
    attn, exps = 64 * 64 * 4, 64 * 32 * 8 * 4
    assert info.shape.active_fraction == pytest.approx((attn + exps * 2 / 8) / (attn + exps))
    assert info.shape.layer_bytes == attn + exps


def test_repacked_bytes_count_block_tensors_of_repacked_types(tmp_path: Path) -> None:
    extra = {
        "ffn_down.weight": ((256, 64), Q.Q4_K),
        "ffn_up.weight": ((256, 64), Q.Q6_K),
        "ffn_gate.weight": ((64, 64), Q.Q4_0),
    }
    tensors = {**_blocks(2, extra), "output.weight": ((256, 3), Q.Q4_K)}  # not a block tensor
    info = inspect_gguf(write_model(tmp_path / "q.gguf", "qwen2", {**BASE_KEYS, "{arch}.block_count": 2}, tensors))
    q4k, q40 = 64 * 144, 64 * 2 * 18
    assert {"Q4_K", "Q4_0"} <= REPACKED_TYPES
    assert info.shape is not None and info.shape.repack_bytes == 2 * (q4k + q40)
    assert not info.shape.tied_embeddings and info.shape.output_bytes == 3 * 144
    assert info.quantization == "F32"  # no general.file_type: the type holding most matrix bytes (attn_q here)
    # Bytes by type of the block matrices (the norms are vectors), the most first; the output's own type.
    f32 = 64 * 64 * 4
    assert info.shape.block_types == (("F32", 2 * f32), ("Q6_K", 2 * 64 * 210), ("Q4_K", 2 * q4k), ("Q4_0", 2 * q40))
    assert info.shape.output_type == "Q4_K"


def test_bpe_merges_are_counted_for_the_memory_they_take(tmp_path: Path) -> None:
    merges = ["a b", "ab c", "t h", "th e"]
    bpe = inspect_gguf(write_model(tmp_path / "bpe.gguf", "llama", {**BASE_KEYS, "tokenizer.ggml.merges": merges},
                                   _blocks(12)))  # fmt: skip
    spm = inspect_gguf(write_model(tmp_path / "spm.gguf", "llama", BASE_KEYS, _blocks(12)))
    assert bpe.shape is not None and bpe.shape.n_merges == 4 and bpe.shape.n_vocab == 3
    assert spm.shape is not None and spm.shape.n_merges == 0


def test_unknown_shapes_are_said_so(tmp_path: Path) -> None:
    mamba = inspect_gguf(write_model(tmp_path / "mamba.gguf", "mamba", BASE_KEYS, _blocks(2)))
    assert mamba.shape is None and mamba.shape_note == "shape unknown for architecture mamba"
    assert mamba.n_layers == 12  # the rest is still read
    headless = inspect_gguf(write_model(tmp_path / "x.gguf", "newarch", {"{arch}.block_count": 2}, _blocks(2)))
    assert headless.shape is None and headless.shape_note == "shape unknown for architecture newarch"


def test_per_layer_arrays_count_their_maximum(tmp_path: Path) -> None:
    keys = {
        **BASE_KEYS,
        "{arch}.block_count": 2,
        "{arch}.attention.head_count_kv": [1, 4],
        "{arch}.feed_forward_length": [96, 128],
    }
    info = inspect_gguf(write_model(tmp_path / "elm.gguf", "openelm", keys, _blocks(2)))
    assert info.n_kv_heads == 4 and info.shape is not None and info.shape.n_ff == 128


def test_no_architecture_is_an_error(tmp_path: Path) -> None:
    path = tmp_path / "noarch.gguf"
    path.write_bytes(build([kv_u32("x.block_count", 1)], [], b"").data)
    with pytest.raises(ModelFileError, match=r"has no general\.architecture"):
        inspect_gguf(path)


@pytest.fixture(scope="module")
def scratch(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("fuzz-info")


@settings(deadline=timedelta(milliseconds=500), max_examples=200, suppress_health_check=[HealthCheck.too_slow])
@given(data=mutated_gguf())
def test_inspecting_mutated_files_raises_only_model_file_error(scratch: Path, data: bytes) -> None:
    path = scratch / "mutated.gguf"
    path.write_bytes(data)
    try:
        info = inspect_gguf(path)
    except ModelFileError as e:
        assert "\n" not in str(e)
        return
    assert info.size_bytes == len(data) and info.format is ModelFormat.GGUF
