"""inspect(path): the one entry point for every format, and is_model_path for folder scans."""

from __future__ import annotations

import json
import pickle
import shutil
from pathlib import Path

import pytest
from fixtures.hf_folders import write_gptq_folder, write_llama_folder, write_pickle_like, write_safetensors
from fixtures.tiny_gguf import write_tiny_gguf

from formats.inspect import UNSAFE_REASON, inspect, is_model_path
from formats.model import ModelFileError, ModelFormat


def test_gguf_file_goes_to_the_gguf_reader(tiny_gguf: Path) -> None:
    from formats.gguf_info import inspect_gguf

    info = inspect(tiny_gguf)
    assert info == inspect_gguf(tiny_gguf)
    assert (info.format, info.architecture, info.n_embd) == (ModelFormat.GGUF, "llama", 64)


def test_gguf_content_beats_the_name(tiny_gguf: Path, tmp_path: Path) -> None:
    as_bin = tmp_path / "model.bin"
    blob = tmp_path / "sha256-0123abcd"  # an Ollama blob: no suffix at all
    for path in (as_bin, blob):
        shutil.copy(tiny_gguf, path)
        info = inspect(path)
        assert (info.format, info.architecture, info.unsafe_reason) == (ModelFormat.GGUF, "llama", "")


def test_split_gguf_from_any_part(tmp_path: Path) -> None:
    single = write_tiny_gguf(tmp_path / "whole.gguf")
    part = tmp_path / "m-00001-of-00002.gguf"
    shutil.copy(single, part)
    with pytest.raises(ModelFileError, match=r"m-00002-of-00002.gguf"):
        inspect(part)


def test_hf_and_gptq_folders(tmp_path: Path) -> None:
    info = inspect(write_llama_folder(tmp_path / "llama"))
    assert (info.format, info.architecture, info.quantization) == (ModelFormat.SAFETENSORS, "llama", "BF16")
    assert info.shape is not None
    gptq = inspect(write_gptq_folder(tmp_path / "gptq"))
    assert (gptq.format, gptq.quantization) == (ModelFormat.GPTQ, "GPTQ 4-bit g32")


def test_single_safetensors_file(tmp_path: Path) -> None:
    info = inspect(write_safetensors(tmp_path / "lone.safetensors", {"w": ("F16", [8, 8])}))
    assert (info.format, info.n_params, info.quantization, info.shape) == (ModelFormat.SAFETENSORS, 64, "F16", None)


class _Boom:
    """Unpickling this would create a marker file: proof that Modelwerk never unpickles."""

    marker: Path

    def __reduce__(self) -> tuple[object, tuple[str, str]]:
        return (open, (str(self.marker), "w"))


@pytest.mark.parametrize("suffix", [".bin", ".pt", ".pth", ".ckpt"])
def test_pickle_files_are_unsafe_and_never_loaded(tmp_path: Path, suffix: str) -> None:
    boom = _Boom()
    boom.marker = tmp_path / "pwned"
    path = write_pickle_like(tmp_path / f"model{suffix}", pickle.dumps(boom))
    info = inspect(path)
    assert info.format is ModelFormat.UNSAFE
    assert info.unsafe_reason == UNSAFE_REASON
    assert "arbitrary code" in info.unsafe_reason and "convert it to safetensors or GGUF" in info.unsafe_reason
    assert (info.name, info.files, info.size_bytes) == ("model", (path,), path.stat().st_size)
    assert (info.n_params, info.shape, info.architecture) == (0, None, "")
    assert not boom.marker.exists()
    pickle.loads(path.read_bytes()).close()  # the payload is live: loading it would have left the marker
    assert boom.marker.exists()


def test_pickle_folder_is_unsafe(tmp_path: Path) -> None:
    folder = tmp_path / "old-model"
    write_pickle_like(folder / "pytorch_model-00001-of-00002.bin")
    write_pickle_like(folder / "pytorch_model-00002-of-00002.bin")
    (folder / "pytorch_model.bin.index.json").write_text(json.dumps({"weight_map": {}}))
    (folder / "config.json").write_text(json.dumps({"model_type": "llama"}))
    info = inspect(folder)
    assert (info.format, info.name, info.unsafe_reason) == (ModelFormat.UNSAFE, "old-model", UNSAFE_REASON)
    assert [p.name for p in info.files] == [
        "config.json", "pytorch_model-00001-of-00002.bin", "pytorch_model-00002-of-00002.bin", "pytorch_model.bin.index.json",
    ]  # fmt: skip
    assert info.size_bytes == sum(p.stat().st_size for p in info.files)


def test_safetensors_win_over_a_pickle_duplicate(tmp_path: Path) -> None:
    folder = write_llama_folder(tmp_path / "both")
    write_pickle_like(folder / "pytorch_model.bin")
    info = inspect(folder)
    assert info.format is ModelFormat.SAFETENSORS
    assert "pytorch_model.bin" not in [p.name for p in info.files]


def test_folder_around_one_gguf(tiny_gguf: Path, tmp_path: Path) -> None:
    folder = tmp_path / "lmstudio" / "tiny"
    folder.mkdir(parents=True)
    shutil.copy(tiny_gguf, folder / "tiny-Q8_0.gguf")
    info = inspect(folder)
    assert (info.format, info.path) == (ModelFormat.GGUF, folder / "tiny-Q8_0.gguf")
    shutil.copy(tiny_gguf, folder / "tiny-F16.gguf")
    with pytest.raises(ModelFileError, match=r"holds 2 GGUF models, not one: import the .gguf files themselves"):
        inspect(folder)


def test_errors(tmp_path: Path) -> None:
    with pytest.raises(ModelFileError, match=r"nothing.gguf does not exist"):
        inspect(tmp_path / "nothing.gguf")
    empty = tmp_path / "empty-dir"
    empty.mkdir()
    expected = r"empty-dir holds no model Modelwerk can read: expected config.json with \*.safetensors \(a Hugging Face"
    with pytest.raises(ModelFileError, match=expected):
        inspect(empty)
    (empty / "flax_model.msgpack").write_bytes(b"x")
    with pytest.raises(ModelFileError, match=r"holds no model Modelwerk can read \(it has flax_model.msgpack\)"):
        inspect(empty)
    text = tmp_path / "notes.txt"
    text.write_text("hello")
    with pytest.raises(ModelFileError, match=r"notes.txt is not a model file Modelwerk can read \(GGUF, safetensors, GPTQ"):
        inspect(text)
    (tmp_path / "empty.bin").write_bytes(b"")
    with pytest.raises(ModelFileError, match=r"empty.bin is empty"):
        inspect(tmp_path / "empty.bin")
    lfs = tmp_path / "big.gguf"
    lfs.write_text("version https://git-lfs.github.com/spec/v1\noid sha256:00\nsize 1\n")
    with pytest.raises(ModelFileError, match=r"big.gguf is a Git LFS pointer"):
        inspect(lfs)
    bad = tmp_path / "bad.safetensors"
    bad.write_bytes(b"\xff" * 16)
    with pytest.raises(ModelFileError, match=r"exceeds the limit"):
        inspect(bad)


def test_is_model_path(tmp_path: Path) -> None:
    for name in ("a.gguf", "A.GGUF", "m-00001-of-00003.gguf", "x.safetensors", "y.bin", "z.pt", "w.pth", "v.ckpt"):
        assert is_model_path(tmp_path / name), name
    for name in ("m-00002-of-00003.gguf", "a.gguf.part", ".hidden.gguf", "notes.txt", "config.json", "noext"):
        assert not is_model_path(tmp_path / name), name
    assert is_model_path(write_llama_folder(tmp_path / "hf"))
    assert is_model_path(write_llama_folder(tmp_path / "sharded", shards=2))
    old = tmp_path / "old"
    write_pickle_like(old / "pytorch_model.bin")
    (old / "config.json").write_text("{}")
    assert is_model_path(old)
    plain = tmp_path / "plain"
    plain.mkdir()
    (plain / "readme.md").write_text("")
    assert not is_model_path(plain)
    assert not is_model_path(tmp_path / "missing-dir")
