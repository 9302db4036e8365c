"""The tiny GGUF fixtures are valid GGUF files that llama.cpp loads, generates from and quantizes."""

from __future__ import annotations

import itertools
from pathlib import Path
from typing import Any

import gguf
import numpy as np
import pytest
from fixtures.tiny_gguf import (
    BOS_ID,
    EOS_ID,
    FIRST_WORD_ID,
    SPIECE_UNDERLINE,
    UNK_ID,
    expected_tensor_shapes,
    write_kquant_gguf,
    write_tiny_gguf,
)

REQUIRED_LLAMA_KEYS = (
    "general.architecture",
    "llama.context_length",
    "llama.embedding_length",
    "llama.block_count",
    "llama.feed_forward_length",
    "llama.attention.head_count",
    "llama.attention.head_count_kv",
    "llama.attention.layer_norm_rms_epsilon",
    "tokenizer.ggml.model",
    "tokenizer.ggml.tokens",
    "tokenizer.ggml.scores",
    "tokenizer.ggml.token_type",
    "tokenizer.ggml.bos_token_id",
    "tokenizer.ggml.eos_token_id",
)


def _field(reader: gguf.GGUFReader, key: str) -> Any:
    field = reader.get_field(key)
    assert field is not None, f"missing key {key}"
    return field.contents()


def _shapes(reader: gguf.GGUFReader) -> dict[str, tuple[int, ...]]:
    return {t.name: tuple(int(d) for d in t.shape) for t in reader.tensors}


def _types(reader: gguf.GGUFReader) -> dict[str, gguf.GGMLQuantizationType]:
    return {t.name: t.tensor_type for t in reader.tensors}


# ---------------------------------------------------------------------------------------------------------------------
# Reading the files back with gguf
# ---------------------------------------------------------------------------------------------------------------------


def test_tiny_gguf_header_and_tensors(tiny_gguf: Path) -> None:
    reader = gguf.GGUFReader(tiny_gguf)
    for key in REQUIRED_LLAMA_KEYS:
        assert reader.get_field(key) is not None, key

    assert _field(reader, "general.architecture") == "llama"
    assert _field(reader, "general.name") == "tiny-llama"
    assert _field(reader, "general.file_type") == gguf.LlamaFileType.ALL_F32
    assert _field(reader, "llama.context_length") == 512
    assert _field(reader, "llama.embedding_length") == 64
    assert _field(reader, "llama.block_count") == 2
    assert _field(reader, "llama.feed_forward_length") == 128
    assert _field(reader, "llama.attention.head_count") == 4
    assert _field(reader, "llama.attention.head_count_kv") == 4
    assert _field(reader, "llama.rope.dimension_count") == 16
    assert _field(reader, "llama.attention.layer_norm_rms_epsilon") == pytest.approx(1e-5)
    assert reader.get_field("tokenizer.chat_template") is None

    tokens = _field(reader, "tokenizer.ggml.tokens")
    types = _field(reader, "tokenizer.ggml.token_type")
    scores = _field(reader, "tokenizer.ggml.scores")
    vocab_size = len(tokens)
    assert len(types) == len(scores) == vocab_size == _field(reader, "llama.vocab_size")
    assert tokens[:3] == ["<unk>", "<s>", "</s>"]
    assert (UNK_ID, BOS_ID, EOS_ID) == (0, 1, 2)
    assert _field(reader, "tokenizer.ggml.model") == "llama"
    assert _field(reader, "tokenizer.ggml.unknown_token_id") == UNK_ID
    assert _field(reader, "tokenizer.ggml.bos_token_id") == BOS_ID
    assert _field(reader, "tokenizer.ggml.eos_token_id") == EOS_ID
    assert list(types[:3]) == [gguf.TokenType.UNKNOWN, gguf.TokenType.CONTROL, gguf.TokenType.CONTROL]
    assert tokens[3:FIRST_WORD_ID] == [f"<0x{b:02X}>" for b in range(256)]
    assert set(types[3:FIRST_WORD_ID]) == {gguf.TokenType.BYTE}
    assert set(types[FIRST_WORD_ID:]) == {gguf.TokenType.NORMAL}
    assert SPIECE_UNDERLINE + "hello" in tokens
    assert len(set(tokens)) == vocab_size

    shapes = _shapes(reader)
    assert shapes == expected_tensor_shapes(hidden=64, layers=2, heads=4, kv_heads=4, ff=128, vocab_size=vocab_size)
    assert set(_types(reader).values()) == {gguf.GGMLQuantizationType.F32}

    # Small-magnitude random weights, unit norms.
    by_name = {t.name: t for t in reader.tensors}
    q = np.asarray(by_name["blk.0.attn_q.weight"].data)
    assert q.shape == (64, 64)  # numpy order: (out, in)
    assert 0.01 < float(q.std()) < 0.03
    assert np.all(np.asarray(by_name["output_norm.weight"].data) == 1.0)


def test_kquant_gguf_header_and_tensors(kquant_gguf: Path) -> None:
    reader = gguf.GGUFReader(kquant_gguf)
    assert _field(reader, "general.name") == "tiny-llama-kquant"
    assert _field(reader, "general.file_type") == gguf.LlamaFileType.MOSTLY_F16
    assert _field(reader, "llama.embedding_length") == 256
    assert _field(reader, "llama.feed_forward_length") == 512
    vocab_size = len(_field(reader, "tokenizer.ggml.tokens"))

    shapes = _shapes(reader)
    assert shapes == expected_tensor_shapes(hidden=256, layers=2, heads=4, kv_heads=4, ff=512, vocab_size=vocab_size)
    for name, tensor_type in _types(reader).items():
        if len(shapes[name]) == 1:
            assert tensor_type == gguf.GGMLQuantizationType.F32, name
        else:
            assert tensor_type == gguf.GGMLQuantizationType.F16, name
            assert shapes[name][0] % 256 == 0, name  # rows fit every K-quant super-block


def test_kquant_writer_passes_options_through(tmp_path: Path) -> None:
    path = write_kquant_gguf(tmp_path / "k.gguf", layers=1, name="k1", dtype="f32", chat_template="{{ x }}")
    reader = gguf.GGUFReader(path)
    assert _field(reader, "general.name") == "k1"
    assert _field(reader, "llama.block_count") == 1
    assert _field(reader, "llama.embedding_length") == 256
    assert _field(reader, "tokenizer.chat_template") == "{{ x }}"
    assert _types(reader)["blk.0.ffn_down.weight"] == gguf.GGMLQuantizationType.F32


def test_gqa_chat_template_and_control_tokens(tmp_path: Path) -> None:
    template = "{% for m in messages %}<|im_start|>{{ m.role }}\n{{ m.content }}<|im_end|>\n{% endfor %}"
    path = write_tiny_gguf(
        tmp_path / "gqa.gguf",
        hidden=128,
        layers=3,
        heads=8,
        kv_heads=2,
        ff=384,
        context=1024,
        vocab_words=("alpha", "beta"),
        chat_template=template,
        control_tokens=("<|im_start|>", "<|im_end|>"),
        name="gqa",
    )
    reader = gguf.GGUFReader(path)
    assert _field(reader, "general.name") == "gqa"
    assert _field(reader, "llama.context_length") == 1024
    assert _field(reader, "llama.block_count") == 3
    assert _field(reader, "llama.attention.head_count") == 8
    assert _field(reader, "llama.attention.head_count_kv") == 2
    assert _field(reader, "tokenizer.chat_template") == template

    tokens = _field(reader, "tokenizer.ggml.tokens")
    types = _field(reader, "tokenizer.ggml.token_type")
    assert tokens[-2:] == ["<|im_start|>", "<|im_end|>"]
    assert list(types[-2:]) == [gguf.TokenType.CONTROL, gguf.TokenType.CONTROL]
    assert SPIECE_UNDERLINE + "alpha" in tokens
    assert SPIECE_UNDERLINE + "hello" not in tokens

    shapes = _shapes(reader)
    assert shapes == expected_tensor_shapes(hidden=128, layers=3, heads=8, kv_heads=2, ff=384, vocab_size=len(tokens))
    assert shapes["blk.2.attn_k.weight"] == (128, 32)  # 2 KV heads x 16 dims


def test_same_seed_same_bytes_other_seed_other_weights(tmp_path: Path) -> None:
    a = write_tiny_gguf(tmp_path / "a.gguf", seed=1)
    b = write_tiny_gguf(tmp_path / "b.gguf", seed=1)
    c = write_tiny_gguf(tmp_path / "c.gguf", seed=2)
    assert a.read_bytes() == b.read_bytes()
    assert a.stat().st_size == c.stat().st_size
    assert a.read_bytes() != c.read_bytes()


def test_f16_is_half_the_weights(tmp_path: Path) -> None:
    f32 = write_tiny_gguf(tmp_path / "f32.gguf")
    f16 = write_tiny_gguf(tmp_path / "f16.gguf", dtype="f16")
    assert f16.stat().st_size < 0.6 * f32.stat().st_size
    reader = gguf.GGUFReader(f16)
    assert _types(reader)["output.weight"] == gguf.GGMLQuantizationType.F16
    assert _types(reader)["output_norm.weight"] == gguf.GGMLQuantizationType.F32


@pytest.mark.parametrize(
    "kwargs",
    [
        {"hidden": 60, "heads": 8},  # hidden not a multiple of heads
        {"heads": 4, "kv_heads": 3},  # heads not a multiple of kv_heads
        {"hidden": 12, "heads": 4},  # odd head dimension
        {"dtype": "q8_0"},
        {"control_tokens": ("<s>",)},  # already in the vocabulary
    ],
)
def test_rejects_bad_arguments(tmp_path: Path, kwargs: dict[str, Any]) -> None:
    with pytest.raises(ValueError):
        write_tiny_gguf(tmp_path / "bad.gguf", **kwargs)


# ---------------------------------------------------------------------------------------------------------------------
# Loading them in llama.cpp
# ---------------------------------------------------------------------------------------------------------------------


def _generate(model_path: Path, prompt: bytes, n_tokens: int = 8) -> tuple[Any, list[int]]:
    import llama_cpp
    llm = llama_cpp.Llama(model_path=str(model_path), n_ctx=128, n_threads=2, seed=0, verbose=False)
    prompt_tokens = llm.tokenize(prompt, add_bos=True)
    generated = list(itertools.islice(llm.generate(prompt_tokens, temp=0.0), n_tokens))
    return llm, generated


def test_llama_cpp_loads_and_generates_tiny(tiny_gguf: Path) -> None:
    llm, generated = _generate(tiny_gguf, b"hello world")
    try:
        n_vocab = llm.n_vocab()
        assert n_vocab == len(gguf.GGUFReader(tiny_gguf).get_field("tokenizer.ggml.tokens").contents())
        assert (llm.token_bos(), llm.token_eos()) == (BOS_ID, EOS_ID)
        assert llm.n_ctx() >= 128  # llama.cpp pads the context up (to 256 here)
        assert llm.metadata["general.name"] == "tiny-llama"

        assert len(generated) == 8
        assert all(0 <= t < n_vocab for t in generated)

        # The SentencePiece vocabulary merges known words and falls back to bytes for anything else.
        word_ids = llm.tokenize(b"hello world", add_bos=False)
        assert [llm.detokenize([t]) for t in word_ids] == [b" hello", b" world"]
        odd = "Zq€!".encode()
        odd_ids = llm.tokenize(odd, add_bos=False)
        assert UNK_ID not in odd_ids
        assert llm.detokenize(odd_ids) == b" " + odd  # detokenize keeps the SentencePiece space prefix

        # The high-level completion API works too (greedy: deterministic).
        out1 = llm.create_completion("the quick brown fox", max_tokens=8, temperature=0.0)
        out2 = llm.create_completion("the quick brown fox", max_tokens=8, temperature=0.0)
        assert isinstance(out1["choices"][0]["text"], str)
        assert out1["choices"][0]["text"] == out2["choices"][0]["text"]
        assert out1["usage"]["completion_tokens"] >= 1
    finally:
        llm.close()


def test_llama_cpp_loads_and_generates_kquant(kquant_gguf: Path) -> None:
    llm, generated = _generate(kquant_gguf, b"the quick brown fox")
    try:
        assert llm.metadata["general.name"] == "tiny-llama-kquant"
        assert len(generated) == 8
        assert all(0 <= t < llm.n_vocab() for t in generated)
    finally:
        llm.close()


def test_llama_cpp_loads_gqa_model_with_chat_template(tmp_path: Path) -> None:
    template = (
        "{% for m in messages %}<|im_start|>{{ m.role }}\n{{ m.content }}<|im_end|>\n{% endfor %}<|im_start|>assistant\n"
    )
    path = write_tiny_gguf(
        tmp_path / "gqa.gguf", heads=4, kv_heads=2, chat_template=template, control_tokens=("<|im_start|>", "<|im_end|>")
    )
    llm, generated = _generate(path, b"hello")
    try:
        assert len(generated) == 8
        assert llm.metadata["tokenizer.chat_template"] == template
        # Control tokens are single tokens when special tokens are parsed.
        ids = llm.tokenize(b"<|im_start|>user", add_bos=False, special=True)
        assert ids[0] == llm.n_vocab() - 2
    finally:
        llm.close()


# ftype name -> (llama_ftype, GGML type that must appear in the output: no silent fallback to another type)
_KQUANTS = {
    "Q2_K": (10, "Q2_K"),
    "Q3_K_M": (12, "Q3_K"),
    "Q4_K_M": (15, "Q4_K"),
    "Q5_K_M": (17, "Q5_K"),
    "Q6_K": (18, "Q6_K"),
    "Q4_0": (2, "Q4_0"),
    "Q8_0": (7, "Q8_0"),
}


def test_kquant_model_takes_every_quant_type(kquant_gguf: Path, tmp_path: Path) -> None:
    import llama_cpp
    for label, (ftype, ggml_type) in _KQUANTS.items():
        out = tmp_path / f"tiny-{label}.gguf"
        params = llama_cpp.llama_model_quantize_default_params()
        params.ftype = ftype
        params.nthread = 2
        assert llama_cpp.llama_model_quantize(str(kquant_gguf).encode(), str(out).encode(), params) == 0, label
        reader = gguf.GGUFReader(out)
        types = {t.name: t.tensor_type.name for t in reader.tensors}
        # Every block matrix got a quantized type (none stayed F16 / fell back to F32) ...
        for name, type_name in types.items():
            if name.startswith("blk.") and not name.endswith("norm.weight"):
                assert type_name not in ("F16", "F32"), (label, name, type_name)
        # ... and the requested type is really used (ffn_gate is never bumped to a higher type by the mixes).
        assert types["blk.0.ffn_gate.weight"] == ggml_type, (label, types)
        assert _field(reader, "general.file_type") == ftype

    # A K-quant generates (the build must not be the native one that crashes on quantized matmuls).
    llm, generated = _generate(tmp_path / "tiny-Q4_K_M.gguf", b"the quick brown fox")
    try:
        assert len(generated) == 8
    finally:
        llm.close()


# ---------------------------------------------------------------------------------------------------------------------
# The real model fixture (Gemma 3 270M, assembled once into the test-model cache)
# ---------------------------------------------------------------------------------------------------------------------


def test_gemma_model_fixture_is_the_assembled_file(gemma_model: Path) -> None:
    from fixtures.gemma import GEMMA_SIZE, gemma_path

    assert gemma_model.stat().st_size == GEMMA_SIZE == 253_113_024
    with gemma_model.open("rb") as f:
        assert f.read(4) == b"GGUF"
    assert gemma_path(gemma_model.parent) == gemma_model  # cached: no re-assembly
    assert not list(gemma_model.parent.glob("*.part"))
