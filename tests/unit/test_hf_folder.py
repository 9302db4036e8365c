"""The safetensors header reader and Hugging Face / GPTQ folders -> ModelInfo, on fake folders built in tmp_path."""

from __future__ import annotations

import builtins
import json
import struct
from pathlib import Path

import pytest
from fixtures.hf_folders import (
    llama_config,
    llama_tensors,
    safetensors_bytes,
    write_gptq_folder,
    write_llama_folder,
    write_raw_safetensors,
    write_safetensors,
    write_tokenizer,
    write_weights,
)
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from formats import safetensors as safetensors_header
from formats.hf_folder import inspect_hf_folder, inspect_safetensors_file
from formats.model import ModelFileError, ModelFormat, TensorGroup
from formats.safetensors import read_index, read_safetensors_header
from hardware.shape import Architecture

# The default tiny config: hidden 64, 2 layers, 4 heads (head dim 16), 2 KV heads, feed-forward 128, vocabulary 256.
# One block by hand: q 64x64 + k 32x64 + v 32x64 + o 64x64 = 12,288; gate, up, down 3 x 64x128 = 24,576; two norms 128.
BLOCK_PARAMS = 12_288 + 24_576 + 128  # 36,992
EMBED_PARAMS = 256 * 64  # 16,384
PARAMS = 2 * BLOCK_PARAMS + 2 * EMBED_PARAMS + 64  # + lm_head + final norm = 106,816


# --- the header reader ---------------------------------------------------------------------------------------------------


def test_header_reads_dtypes_shapes_offsets_and_metadata(tmp_path: Path) -> None:
    path = write_safetensors(tmp_path / "a.safetensors", {"w": ("BF16", [4, 8]), "b": ("F32", [8]), "i": ("I64", [])},
                             metadata={"format": "pt", "note": "hi"})  # fmt: skip
    h = read_safetensors_header(path)
    assert h.metadata == {"format": "pt", "note": "hi"}
    assert h.file_size == path.stat().st_size
    assert [(t.name, t.type_name, t.shape, t.n_bytes) for t in h.tensors] == [
        ("w", "BF16", (4, 8), 64), ("b", "F32", (8,), 32), ("i", "I64", (), 8),
    ]  # fmt: skip
    assert [t.offset for t in h.tensors] == [h.data_offset, h.data_offset + 64, h.data_offset + 96]
    assert h.data_offset + 104 == h.file_size


def test_header_reader_never_reads_tensor_data(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    path = write_safetensors(tmp_path / "big.safetensors", {"w": ("F32", [1024, 1024])})  # 4 MB of data
    read_sizes: list[int] = []

    class Counting:
        def __init__(self, f: object) -> None:
            self.f = f

        def __getattr__(self, name: str) -> object:
            return getattr(self.f, name)

        def __enter__(self) -> Counting:
            return self

        def __exit__(self, *exc: object) -> None:
            self.f.close()  # type: ignore[attr-defined]

        def read(self, n: int = -1) -> bytes:
            data: bytes = self.f.read(n)  # type: ignore[attr-defined]
            read_sizes.append(len(data))
            return data

    def counting_open(*args: object, **kwargs: object) -> Counting:
        return Counting(builtins.open(*args, **kwargs))  # type: ignore[call-overload]

    monkeypatch.setattr(safetensors_header, "open", counting_open, raising=False)
    h = read_safetensors_header(path)
    assert sum(read_sizes) <= h.data_offset + 32
    assert h.tensors[0].n_bytes == 4 << 20


def test_sub_byte_dtypes(tmp_path: Path) -> None:
    path = write_raw_safetensors(tmp_path / "f4.safetensors", {"x": {"dtype": "F4", "shape": [2, 4], "data_offsets": [0, 4]}},
                                 bytes(4))  # fmt: skip
    assert read_safetensors_header(path).tensors[0].n_bytes == 4
    bad = write_raw_safetensors(tmp_path / "odd.safetensors", {"x": {"dtype": "F4", "shape": [3], "data_offsets": [0, 2]}},
                                bytes(2))  # fmt: skip
    with pytest.raises(ModelFileError, match=r"do not fill whole bytes"):
        read_safetensors_header(bad)


def _t(dtype: str = "F32", shape: list[int] | None = None, offsets: list[int] | None = None) -> dict[str, object]:
    return {"dtype": dtype, "shape": [2] if shape is None else shape, "data_offsets": [0, 8] if offsets is None else offsets}


MALFORMED: list[tuple[str, object, bytes, int | None, str]] = [
    # id, header, data, length override, expected message
    ("length past end", {"x": _t()}, bytes(8), 10_000, r"truncated safetensors: the header of bad.safetensors \(10,000 b"),
    ("length over limit", {"x": _t()}, bytes(8), 2**40, r"header length 1,099,511,627,776 exceeds the limit"),
    ("not an object", b"[1, 2]", b"", None, r"does not start with '\{'"),
    ("bad json", b'{"x": {"dtype": "F32",', b"", None, r"header of bad.safetensors is not valid JSON: .* line 1 column"),
    ("bad utf-8", b'{"\xff": 1}', b"", None, r"is not valid UTF-8 \(byte 2\)"),
    ("duplicate key", b'{"x": {}, "x": {}}', b"", None, r"has the key x twice"),
    ("nan", b'{"x": NaN}', b"", None, r"NaN is not valid JSON"),
    ("deep nesting", b"{" + b'"a":[' * 100_000 + b"]" * 100_000 + b"}", b"", None, r"nested too deeply|not valid JSON"),
    ("entry not object", {"x": [1]}, b"", None, r"tensor x is described by \[1\], not an object"),
    ("unknown dtype", {"x": _t("Q4_K")}, bytes(8), None, r"tensor x has an unknown dtype \"Q4_K\""),
    ("negative dim", {"x": _t(shape=[-2])}, bytes(8), None, r"invalid shape \[-2\]"),
    ("float dim", {"x": _t(shape=[2.0])}, bytes(8), None, r"invalid shape \[2.0\]"),
    ("bool dim", {"x": _t(shape=[True])}, bytes(8), None, r"invalid shape \[true\]"),
    ("three offsets", {"x": _t(offsets=[0, 4, 8])}, bytes(8), None, r"invalid data_offsets \[0, 4, 8\]"),
    ("reversed offsets", {"x": _t(offsets=[8, 0])}, bytes(8), None, r"end before they begin"),
    ("offsets past end", {"x": _t(offsets=[0, 8])}, bytes(4), None,
     r"tensor x: its data \(bytes 0 to 8 of the data\) runs past the end of the file, which holds 4 bytes of data"),
    ("size mismatch", {"x": _t(shape=[3], offsets=[0, 8])}, bytes(8), None,
     r"shape \[3\] of F32 needs 12 bytes, but its data_offsets span 8"),
    ("overlap", {"a": _t(shape=[2], offsets=[0, 8]), "b": _t(shape=[2], offsets=[4, 12])}, bytes(12), None,
     r"tensors a and b overlap \(bytes 4 to 8 of the data\)"),
    ("gap", {"a": _t(offsets=[0, 8]), "b": _t(offsets=[12, 20])}, bytes(20), None, r"4 unused bytes between tensors a and b"),
    ("hole at start", {"a": _t(offsets=[4, 12])}, bytes(12), None, r"4 unused bytes before the first tensor"),
    ("trailing bytes", {"a": _t()}, bytes(12), None, r"4 bytes after the last tensor that no tensor describes"),
    ("bad metadata", {"__metadata__": {"n": 1}, "a": _t()}, bytes(8), None, r"__metadata__ must map strings to strings"),
]  # fmt: skip


@pytest.mark.parametrize(("header", "data", "length", "message"), [m[1:] for m in MALFORMED], ids=[m[0] for m in MALFORMED])
def test_malformed_headers_each_have_their_own_message(
    tmp_path: Path, header: object, data: bytes, length: int | None, message: str
) -> None:
    path = write_raw_safetensors(tmp_path / "bad.safetensors", header, data, length=length)
    with pytest.raises(ModelFileError, match=message) as e:
        read_safetensors_header(path)
    assert "\n" not in str(e.value)


def test_short_empty_and_lfs_pointer_files(tmp_path: Path) -> None:
    (tmp_path / "empty.safetensors").write_bytes(b"")
    with pytest.raises(ModelFileError, match=r"0 bytes, too short for the 8-byte header length"):
        read_safetensors_header(tmp_path / "empty.safetensors")
    lfs = tmp_path / "lfs.safetensors"
    lfs.write_text("version https://git-lfs.github.com/spec/v1\noid sha256:abc\nsize 123\n")
    with pytest.raises(ModelFileError, match=r"Git LFS pointer, not the file itself: run `git lfs pull`"):
        read_safetensors_header(lfs)
    with pytest.raises(ModelFileError, match=r"cannot read missing.safetensors"):
        read_safetensors_header(tmp_path / "missing.safetensors")


def test_every_truncation_is_a_model_file_error(tmp_path: Path) -> None:
    good = safetensors_bytes({"a": ("F16", [3, 5]), "b": ("I32", [7])}, metadata={"format": "pt"})
    path = tmp_path / "cut.safetensors"
    for n in range(len(good)):
        path.write_bytes(good[:n])
        with pytest.raises(ModelFileError):
            read_safetensors_header(path)


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(data=st.data())
def test_mutated_headers_raise_only_model_file_error(tmp_path: Path, data: st.DataObject) -> None:
    good = bytearray(safetensors_bytes({"a": ("F16", [3, 5]), "b": ("I32", [7])}, metadata={"format": "pt"}))
    for _ in range(data.draw(st.integers(1, 4))):
        pos = data.draw(st.integers(0, len(good) - 1))
        good[pos] = data.draw(st.integers(0, 255))
    path = tmp_path / "mut.safetensors"
    path.write_bytes(bytes(good))
    try:
        h = read_safetensors_header(path)
    except ModelFileError as e:
        assert str(e) and "\n" not in str(e)
    else:
        assert all(t.offset + t.n_bytes <= h.file_size for t in h.tensors)


# --- Hugging Face folders ------------------------------------------------------------------------------------------------


def test_tiny_llama_folder(tmp_path: Path) -> None:
    folder = write_llama_folder(tmp_path / "TinyLlama")
    (folder / "pytorch_model.bin").write_bytes(b"PK" + bytes(100))  # a duplicate in pickle format: left out
    info = inspect_hf_folder(folder)
    assert info.format is ModelFormat.SAFETENSORS
    assert (info.name, info.architecture, info.quantization) == ("TinyLlama", "llama", "BF16")
    assert info.n_params == PARAMS == Architecture("t", 2, 64, 128, 4, 2, 16, 256, 2048).n_params
    assert (info.context_length, info.n_layers, info.n_heads, info.n_kv_heads) == (2048, 2, 4, 2)
    assert (info.head_dim_k, info.head_dim_v, info.n_embd, info.n_vocab, info.sliding_window) == (16, 16, 64, 256, 0)
    assert info.chat_template and info.chat_template.startswith("{% for m in messages %}")
    assert (info.tokenizer, info.bos_token, info.eos_token) == ("BPE", "<s>", "</s>")
    assert [p.name for p in info.files] == [
        "config.json", "generation_config.json", "model.safetensors", "tokenizer.json", "tokenizer_config.json",
    ]  # fmt: skip
    assert info.size_bytes == sum(p.stat().st_size for p in info.files)
    assert info.tensor_groups == (TensorGroup("BF16", 21, 2 * PARAMS),)
    assert info.details["architecture class"] == "LlamaForCausalLM"
    assert info.details["safetensors format"] == "pt"


def test_shape_numbers_by_hand(tmp_path: Path) -> None:
    shape = inspect_hf_folder(write_llama_folder(tmp_path / "m")).shape
    assert shape is not None
    assert shape.layer_bytes == 2 * BLOCK_PARAMS == 73_984  # BF16: 2 bytes per weight
    assert shape.embedding_bytes == shape.output_bytes == 2 * EMBED_PARAMS == 32_768
    assert not shape.tied_embeddings
    assert shape.weights_bytes == 2 * 73_984 + 2 * 32_768
    assert (shape.n_layers, shape.n_heads, shape.n_kv_heads, shape.head_dim_k, shape.n_embd) == (2, 4, 2, 16, 64)
    assert (shape.n_ff, shape.n_vocab, shape.context_train, shape.n_params, shape.quant) == (128, 256, 2048, PARAMS, "BF16")
    assert shape.kv_bytes_per_token_layer(2) == 2 * (16 + 16) * 2


def test_tied_embeddings(tmp_path: Path) -> None:
    info = inspect_hf_folder(write_llama_folder(tmp_path / "m", tied=True))
    assert info.n_params == PARAMS - EMBED_PARAMS
    assert info.shape is not None and info.shape.tied_embeddings
    assert info.shape.output_bytes == info.shape.embedding_bytes == 32_768
    assert info.shape.weights_bytes == 2 * 73_984 + 32_768


def test_sharded_folder(tmp_path: Path) -> None:
    info = inspect_hf_folder(write_llama_folder(tmp_path / "m", shards=2))
    assert info.n_params == PARAMS
    assert info.details["shards"] == "2"
    assert "model.safetensors.index.json" in [p.name for p in info.files]
    assert info.shape is not None and info.shape.layer_bytes == 73_984


def test_sharded_folder_names_the_missing_shard(tmp_path: Path) -> None:
    folder = write_llama_folder(tmp_path / "m", shards=2)
    (folder / "model-00002-of-00002.safetensors").unlink()
    with pytest.raises(ModelFileError, match=r"shard 2 of 2 listed in model.safetensors.index.json is missing: "
                                             r"model-00002-of-00002.safetensors"):  # fmt: skip
        inspect_hf_folder(folder)


def test_index_problems(tmp_path: Path) -> None:
    folder = write_llama_folder(tmp_path / "m", shards=2)
    index_path = folder / "model.safetensors.index.json"
    index = json.loads(index_path.read_text())
    index["weight_map"]["model.norm.weight"] = "model-00001-of-00002.safetensors"  # it is in shard 2
    index_path.write_text(json.dumps(index))
    with pytest.raises(ModelFileError, match=r"puts tensor model.norm.weight in model-00001-of-00002.safetensors, but"):
        inspect_hf_folder(folder)
    index["weight_map"]["x"] = "../outside.safetensors"
    index_path.write_text(json.dumps(index))
    with pytest.raises(ModelFileError, match=r"names a shard outside its folder: ../outside.safetensors"):
        read_index(index_path)
    index_path.write_text('{"weight_map": {}}')
    with pytest.raises(ModelFileError, match=r"has no weight_map"):
        read_index(index_path)
    index_path.write_text("{")
    with pytest.raises(ModelFileError, match=r"model.safetensors.index.json is not valid JSON"):
        inspect_hf_folder(folder)


def test_gptq_folder_from_quantize_config(tmp_path: Path) -> None:
    info = inspect_hf_folder(write_gptq_folder(tmp_path / "Llama-GPTQ", bits=4, group_size=32, desc_act=True))
    assert info.format is ModelFormat.GPTQ
    assert info.quantization == "GPTQ 4-bit g32"
    # Packed int32 qweights count 8 weights each: the parameters are the dense model's (F16 embeddings, norms).
    assert info.n_params == PARAMS
    d = info.details
    assert (d["bits"], d["group size"], d["act order"], d["symmetric"], d["format"]) == ("4", "32", "yes", "yes", "gptq")
    assert d["quantizer"] == "gptqmodel:2.2.0"
    assert "quantize_config.json" in [p.name for p in info.files]
    # In memory, per block: qweight in*out/2 bytes, qzeros in*out/64, scales in*out/16 (F16), g_idx 4*in, F16 norms.
    in_out, ins = 36_864, 6 * 64 + 128
    shape = info.shape
    assert shape is not None
    assert shape.layer_bytes == in_out // 2 + in_out // 64 + in_out // 16 + 4 * ins + 2 * 128 == 23_616
    assert shape.embedding_bytes == shape.output_bytes == 2 * EMBED_PARAMS
    assert shape.quant == "GPTQ 4-bit g32"


def test_gptq_from_config_quantization_config(tmp_path: Path) -> None:
    info = inspect_hf_folder(write_gptq_folder(tmp_path / "m", bits=8, group_size=-1, in_config=True))
    assert (info.format, info.quantization, info.n_params) == (ModelFormat.GPTQ, "GPTQ 8-bit", PARAMS)
    assert info.details["group size"] == "none (per channel)"


def test_gptq_errors(tmp_path: Path) -> None:
    folder = write_gptq_folder(tmp_path / "m")
    (folder / "quantize_config.json").write_text(json.dumps({"bits": 5, "group_size": 128}))
    with pytest.raises(ModelFileError, match=r"quantize_config.json: GPTQ bits must be 2, 3, 4 or 8, not 5"):
        inspect_hf_folder(folder)
    dense = write_llama_folder(tmp_path / "d")
    (dense / "quantize_config.json").write_text(json.dumps({"bits": 4, "group_size": 128}))
    with pytest.raises(ModelFileError, match=r"says it is GPTQ-quantized, but its safetensors hold no packed .qweight"):
        inspect_hf_folder(dense)


def test_other_quantization_methods_are_labelled(tmp_path: Path) -> None:
    folder = tmp_path / "awq"
    config = llama_config(quantization_config={"quant_method": "awq", "bits": 4, "group_size": 128, "version": "gemm"})
    folder.mkdir()
    (folder / "config.json").write_text(json.dumps(config))
    write_weights(folder, llama_tensors(config))
    info = inspect_hf_folder(folder)
    assert (info.format, info.quantization) == (ModelFormat.SAFETENSORS, "AWQ 4-bit g128")


def test_chat_template_sources(tmp_path: Path) -> None:
    folder = write_llama_folder(tmp_path / "m")
    write_tokenizer(folder, template=[{"name": "tool_use", "template": "T"}, {"name": "default", "template": "D"}])
    assert inspect_hf_folder(folder).chat_template == "D"
    (folder / "chat_template.jinja").write_text("J")
    assert inspect_hf_folder(folder).chat_template == "J"
    (folder / "chat_template.jinja").unlink()
    write_tokenizer(folder, template=None, model="Unigram")
    info = inspect_hf_folder(folder)
    assert (info.chat_template, info.has_template, info.tokenizer) == (None, False, "Unigram")
    (folder / "tokenizer.json").unlink()
    (folder / "tokenizer_config.json").write_text("{broken")  # only detail: logged and skipped
    info = inspect_hf_folder(folder)
    assert (info.tokenizer, info.bos_token, info.n_params) == ("", None, PARAMS)


def test_broken_config_is_an_error(tmp_path: Path) -> None:
    folder = write_llama_folder(tmp_path / "m")
    (folder / "config.json").write_text('{"model_type": "llama",')
    with pytest.raises(ModelFileError, match=r"config.json is not valid JSON"):
        inspect_hf_folder(folder)
    (folder / "config.json").write_text("[]")
    with pytest.raises(ModelFileError, match=r"config.json is not a JSON object"):
        inspect_hf_folder(folder)


def test_multimodal_gemma3_config_and_sliding_window(tmp_path: Path) -> None:
    folder = tmp_path / "gemma3"
    folder.mkdir()
    text = llama_config(layers=8, model_type="gemma3_text", tied=True, sliding_window=512, sliding_window_pattern=6)
    config = {"architectures": ["Gemma3ForConditionalGeneration"], "model_type": "gemma3", "text_config": text,
              "vision_config": {"hidden_size": 32}, "tie_word_embeddings": True}  # fmt: skip
    (folder / "config.json").write_text(json.dumps(config))
    tensors = llama_tensors(text, prefix="model.language_model.")
    tensors["model.vision_tower.vision_model.encoder.layers.0.mlp.fc1.weight"] = ("BF16", [32, 32])
    write_weights(folder, tensors)
    info = inspect_hf_folder(folder)
    assert (info.architecture, info.n_layers, info.sliding_window) == ("gemma3", 8, 512)
    shape = info.shape
    assert shape is not None
    assert shape.n_swa_layers == 7 and shape.swa_window == 512  # layers 0-4, 6, 7 slide; layer 5 is global
    assert shape.layer_bytes == 2 * BLOCK_PARAMS  # the vision tower is not in the blocks
    assert shape.tied_embeddings and shape.output_bytes == shape.embedding_bytes
    assert "vision/audio tensors" in info.details
    config["text_config"]["layer_types"] = ["sliding_attention", "full_attention"] * 4  # type: ignore[index]
    (folder / "config.json").write_text(json.dumps(config))
    assert inspect_hf_folder(folder).shape.n_swa_layers == 4  # type: ignore[union-attr]


def test_mixture_of_experts_active_fraction(tmp_path: Path) -> None:
    folder = tmp_path / "moe"
    folder.mkdir()
    config = llama_config(model_type="mixtral", num_local_experts=4, num_experts_per_tok=2)
    (folder / "config.json").write_text(json.dumps(config))
    tensors = {k: v for k, v in llama_tensors(config).items() if ".mlp." not in k}
    for i in range(2):
        for e in range(4):
            for w, shape in (("w1", [128, 64]), ("w2", [64, 128]), ("w3", [128, 64])):
                tensors[f"model.layers.{i}.block_sparse_moe.experts.{e}.{w}.weight"] = ("BF16", shape)
    write_weights(folder, tensors)
    info = inspect_hf_folder(folder)
    assert info.details["experts"] == "4 (2 used per token)"
    shape = info.shape
    assert shape is not None
    attn, experts = 2 * (12_288 + 128), 2 * 4 * 24_576  # bytes per block
    assert shape.layer_bytes == attn + experts
    assert shape.active_fraction == pytest.approx((attn + experts / 2) / (attn + experts))


def test_shape_unknown_cases(tmp_path: Path) -> None:
    folder = write_llama_folder(tmp_path / "mamba", model_type="mamba", arch="MambaForCausalLM")
    info = inspect_hf_folder(folder)
    assert info.shape is None and info.shape_note == "shape unknown for architecture mamba"
    config = json.loads((folder / "config.json").read_text())
    del config["num_attention_heads"]
    config["model_type"] = "llama"
    (folder / "config.json").write_text(json.dumps(config))
    assert inspect_hf_folder(folder).shape_note == "shape unknown: config.json lacks num_attention_heads"
    (folder / "config.json").unlink()
    info = inspect_hf_folder(folder)
    assert (info.shape, info.shape_note, info.n_params, info.quantization) == (
        None, "shape unknown: the folder has no config.json", PARAMS, "BF16",
    )  # fmt: skip


def test_single_safetensors_file(tmp_path: Path) -> None:
    path = write_safetensors(tmp_path / "model.safetensors", llama_tensors(llama_config(), dtype="F16"))
    info = inspect_safetensors_file(path)
    assert (info.format, info.name, info.n_params, info.quantization) == (ModelFormat.SAFETENSORS, "model", PARAMS, "F16")
    assert (info.shape, info.files, info.size_bytes) == (None, (path,), path.stat().st_size)
    assert "config.json is needed" in info.shape_note
    shard = write_safetensors(tmp_path / "model-00002-of-00003.safetensors", {"x": ("F32", [4])})
    assert inspect_safetensors_file(shard).details["shard"].startswith("2 of 3: import the whole folder")
    empty = tmp_path / "empty.safetensors"
    empty.write_bytes(struct.pack("<Q", 2) + b"{}")
    with pytest.raises(ModelFileError, match=r"empty.safetensors holds no tensors"):
        inspect_safetensors_file(empty)
