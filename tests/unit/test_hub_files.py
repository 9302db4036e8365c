"""Quantization names parsed from file names, and a repository's files grouped into downloadable models."""

from __future__ import annotations

import random

import pytest
from hypothesis import given
from hypothesis import strategies as st

from app.hub.files import FileGroup, FileKind, GPTQVariant, HubFile, group_files, parse_quant, split_part


@pytest.mark.parametrize(
    ("name", "quant"),
    [
        ("Meta-Llama-3.1-8B-Instruct-Q4_K_M.gguf", "Q4_K_M"),
        ("model.Q4_K_M.gguf", "Q4_K_M"),
        ("model-q4_k_m.gguf", "Q4_K_M"),
        ("llama_q5_k_s.gguf", "Q5_K_S"),
        ("x-Q3_K_L.gguf", "Q3_K_L"),
        ("x-Q2_K.gguf", "Q2_K"),
        ("x-Q6_K.gguf", "Q6_K"),
        ("x-Q8_0.gguf", "Q8_0"),
        ("x-Q4_0.gguf", "Q4_0"),
        ("x-Q5_1.gguf", "Q5_1"),
        ("x-Q4_0_4_4.gguf", "Q4_0_4_4"),
        ("x-IQ1_S.gguf", "IQ1_S"),
        ("x-IQ1_M.gguf", "IQ1_M"),
        ("x-IQ2_XXS.gguf", "IQ2_XXS"),
        ("x-iq3_xs.gguf", "IQ3_XS"),
        ("x-IQ3_M.gguf", "IQ3_M"),
        ("x-IQ4_XS.gguf", "IQ4_XS"),
        ("x-IQ4_NL.gguf", "IQ4_NL"),
        ("x-TQ1_0.gguf", "TQ1_0"),
        ("x-TQ2_0.gguf", "TQ2_0"),
        ("x-F16.gguf", "F16"),
        ("x.fp16.gguf", "F16"),
        ("x-f32.gguf", "F32"),
        ("Llama-3.1-8B-Instruct-BF16.gguf", "BF16"),
        ("gpt-oss-20b-MXFP4.gguf", "MXFP4"),
        ("Qwen3-30B-A3B-UD-Q4_K_XL.gguf", "UD-Q4_K_XL"),
        ("Qwen3-8B-UD-IQ2_M.gguf", "UD-IQ2_M"),
        ("Llama-3.1-8B.i1-Q4_K_M.gguf", "Q4_K_M"),
        ("Q4_K_M/model-Q4_K_M-00001-of-00002.gguf", "Q4_K_M"),
        ("Q8_0/Llama-00001-of-00002.gguf", "Q8_0"),
        ("mmproj-model-f16.gguf", "F16"),
        ("llama.gguf", ""),
        ("Mixtral-8x7B-v0.1.gguf", ""),
        ("model-00001-of-00004.safetensors", ""),
        ("README.md", ""),
        ("", ""),
        ("IQ4_XSS.gguf", ""),
        ("BQ4_K_M.gguf", ""),
    ],
)
def test_parse_quant(name: str, quant: str) -> None:
    assert parse_quant(name) == quant


@given(st.text(max_size=200))
def test_parse_quant_never_raises(text: str) -> None:
    q = parse_quant(text)
    assert isinstance(q, str)
    assert q == q.upper()


def test_split_part() -> None:
    assert split_part("dir/Llama-Q8_0-00002-of-00003.gguf") == ("dir/Llama-Q8_0", 2, 3)
    assert split_part("Llama-Q8_0-00001-of-00003.gguf") == ("Llama-Q8_0", 1, 3)
    assert split_part("Llama-Q8_0.gguf") is None


def f(path: str, size: int = 100, sha: str | None = "ab" * 32) -> HubFile:
    return HubFile(path, size, sha)


def test_single_ggufs_smallest_first_and_split_parts_in_order() -> None:
    files = [
        f(".gitattributes", 1, None),
        f("README.md", 5000, None),
        f("Llama-Q8_0.gguf", 800),
        f("Llama-Q4_K_M.gguf", 400),
        f("Llama-F16/Llama-F16-00002-of-00003.gguf", 700),
        f("Llama-F16/Llama-F16-00003-of-00003.gguf", 200),
        f("Llama-F16/Llama-F16-00001-of-00003.gguf", 700),
    ]
    random.Random(4).shuffle(files)
    groups = group_files(files)
    assert [g.name for g in groups] == ["Llama-Q4_K_M.gguf", "Llama-Q8_0.gguf", "Llama-F16 (3 parts)"]
    split = groups[2]
    assert [x.path.rsplit("-", 3)[-3] for x in split.files] == ["00001", "00002", "00003"]
    assert (split.quant, split.kind, split.size, split.complete, split.revision) == ("F16", FileKind.GGUF, 1600, True, "main")
    assert groups[0].first.name == "Llama-Q4_K_M.gguf"


def test_incomplete_split_is_grouped_with_a_note() -> None:
    groups = group_files([f("M-Q8_0-00001-of-00003.gguf"), f("M-Q8_0-00003-of-00003.gguf")], revision="dev")
    assert len(groups) == 1
    g = groups[0]
    assert g.name == "M-Q8_0 (3 parts)" and len(g.files) == 2 and g.revision == "dev"
    assert not g.complete and "2 of 3" in g.note


def test_mmproj_is_marked_and_listed_after_models() -> None:
    groups = group_files([f("mmproj-model-f16.gguf", 10), f("gemma-3-4b-it-Q4_K_M.gguf", 500)])
    assert [(g.name, g.mmproj, g.quant) for g in groups] == [
        ("gemma-3-4b-it-Q4_K_M.gguf", False, "Q4_K_M"),
        ("mmproj-model-f16.gguf", True, "F16"),
    ]


def test_safetensors_folder_model_is_one_group_with_what_it_needs() -> None:
    files = [
        f("config.json", 1, None), f("generation_config.json", 1, None), f("tokenizer.json", 9, None),
        f("tokenizer_config.json", 2, None), f("special_tokens_map.json", 1, None), f("tokenizer.model", 5),
        f("model-00002-of-00002.safetensors", 300), f("model-00001-of-00002.safetensors", 500),
        f("model.safetensors.index.json", 3, None), f("README.md", 4, None), f(".gitattributes", 1, None),
        f("original/consolidated.00.pth", 900), f("original/params.json", 1, None), f("LICENSE", 1, None),
        f("chat_template.jinja", 1, None), f("pytorch_model.bin", 800),
    ]  # fmt: skip
    [g] = group_files(files)
    assert (g.name, g.kind, g.quant) == ("model (safetensors)", FileKind.SAFETENSORS, "")
    paths = [x.path for x in g.files]
    assert paths[-2:] == ["model-00001-of-00002.safetensors", "model-00002-of-00002.safetensors"]
    assert {"config.json", "tokenizer.json", "tokenizer.model", "model.safetensors.index.json", "chat_template.jinja"} <= set(
        paths
    )
    assert not {"README.md", ".gitattributes", "original/consolidated.00.pth", "LICENSE", "pytorch_model.bin"} & set(paths)


def test_gptq_folder_is_labelled_from_its_variant() -> None:
    files = [f("config.json", 1, None), f("quantize_config.json", 1, None), f("model.safetensors", 500)]
    [g] = group_files(files)
    assert (g.kind, g.quant, g.name) == (FileKind.GPTQ, "GPTQ", "model (GPTQ)")
    v = GPTQVariant(bits=4, group_size=128, desc_act=False, revision="gptq-4bit-128g-actorder_False")
    [g] = group_files(files, revision=v.revision, gptq=v)
    assert (g.kind, g.quant, g.revision) == (FileKind.GPTQ, "GPTQ 4-bit g128", v.revision)
    assert GPTQVariant(8, 32, True).label == "GPTQ 8-bit g32 act-order"
    assert GPTQVariant(4, -1, False).label == "GPTQ 4-bit no group"


def test_a_repo_with_gguf_and_safetensors_gets_both() -> None:
    groups = group_files([f("model.safetensors", 900), f("config.json", 1, None), f("model-Q4_0.gguf", 300)])
    assert [g.kind for g in groups] == [FileKind.GGUF, FileKind.SAFETENSORS]


def test_nothing_to_download() -> None:
    assert group_files([f("README.md"), f("images/plot.png")]) == []
    assert FileGroup("x", FileKind.OTHER, "", (f("a", 1), f("b", 2))).size == 3
