"""Hub answers without a hub: names, branches, cards, the recent-results cache, and the estimate for an original repo."""

from __future__ import annotations

import os
import time
from datetime import datetime, timezone
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from app.hub import results as R
from app.hub.cache import ResultCache
from app.hub.client import parse_gptq_branch, strip_front_matter
from app.hub.estimate import shape_from_config
from app.hub.files import FileGroup, FileKind, GPTQVariant, HubFile
from app.hub.results import RepoDetails, SearchPage, SearchResult, params_from_name
from hardware.shape import REPRESENTATIVE, shape_of


@pytest.mark.parametrize(
    ("name", "params"),
    [
        ("meta-llama/Llama-3.1-8B-Instruct", 8_000_000_000),
        ("google/gemma-3-270m-it", 270_000_000),
        ("mistralai/Mixtral-8x7B-Instruct-v0.1", 56_000_000_000),
        ("Qwen/Qwen2.5-0.5B-Instruct-GGUF", 500_000_000),
        ("Qwen/Qwen3-30B-A3B", 30_000_000_000),  # "A3B" (active experts) is not a size on its own: memory needs all 30B
        ("modelwerk-test/Tiny", None),
        ("TheBloke/Llama-2-7B-Chat-GPTQ", 7_000_000_000),
    ],
)
def test_params_from_name(name: str, params: int | None) -> None:
    assert params_from_name(name) == params


@given(st.text(max_size=100))
def test_params_from_name_never_raises(text: str) -> None:
    value = params_from_name(text)
    assert value is None or value > 0


def test_gptq_branches() -> None:
    assert parse_gptq_branch("gptq-4bit-32g-actorder_True") == GPTQVariant(4, 32, True, "gptq-4bit-32g-actorder_True")
    assert parse_gptq_branch("gptq-8bit--1g-actorder_False") == GPTQVariant(8, -1, False, "gptq-8bit--1g-actorder_False")
    assert parse_gptq_branch("gptq-3bit-128g-actorder_False") == GPTQVariant(3, 128, False, "gptq-3bit-128g-actorder_False")
    assert parse_gptq_branch("main") is None
    assert parse_gptq_branch("awq-4bit") is None


def test_front_matter_is_stripped() -> None:
    assert strip_front_matter("---\nlicense: mit\ntags:\n- a\n---\n\n# Title\ntext\n") == "# Title\ntext\n"
    assert strip_front_matter("# No front matter\n---\n") == "# No front matter\n---\n"
    assert strip_front_matter("---\nunterminated") == "---\nunterminated"
    assert strip_front_matter("") == ""


def _details() -> RepoDetails:
    files = (HubFile("a-Q4_K_M.gguf", 10, "ab" * 32), HubFile("README.md", 3, None))
    group = FileGroup("a-Q4_K_M.gguf", FileKind.GGUF, "Q4_K_M", files[:1], note="", mmproj=False)
    return RepoDetails(repo_id="o/a", sha="c" * 40, card="# A", gated=True, tags=("gguf",), base_models=("o/base",),
                       downloads=5, likes=1, updated=datetime(2025, 1, 2, tzinfo=timezone.utc), n_params=8_000_000_000,
                       files=files, groups=(group,), gptq=(GPTQVariant(4, 128, False, "main"),))  # fmt: skip


def test_json_round_trips() -> None:
    d = _details()
    back = R.details_from_json(R.details_to_json(d))
    assert back.cached and back == d.__class__(**{**d.__dict__, "cached": True})
    r = SearchResult("o/a", "o", 1, 2, None, ("gguf",), None, False, ("gguf",))
    page = SearchPage("q", (r,), 3, True)
    assert R.page_from_json(R.page_to_json(page)) == SearchPage("q", (r,), 3, True, cached=True)


def test_original_means_safetensors_only() -> None:
    d = _details()
    assert not d.is_original
    st_group = FileGroup("model (safetensors)", FileKind.SAFETENSORS, "", (HubFile("model.safetensors", 9),))
    assert d.__class__(**{**d.__dict__, "groups": (st_group,), "gptq": ()}).is_original


def test_cache_keeps_recent_answers_only(tmp_path: Path) -> None:
    cache = ResultCache(tmp_path / "hub", ttl_s=60)
    assert cache.get("http://h", "k") is None
    cache.put("http://h", "k", {"x": 1})
    assert cache.get("http://h", "k") == {"x": 1}
    assert cache.get("http://other", "k") is None  # keyed by endpoint too
    [path] = (tmp_path / "hub").glob("*.json")
    old = time.time() - 120
    os.utime(path, (old, old))
    assert cache.get("http://h", "k") is None
    path.write_text("{not json")
    os.utime(path, None)
    assert cache.get("http://h", "k") is None


def test_cache_never_raises_when_it_cannot_write(tmp_path: Path) -> None:
    blocker = tmp_path / "file"
    blocker.write_text("")
    ResultCache(blocker / "hub").put("http://h", "k", {"x": 1})  # a file where the folder should be: logged, not raised


LLAMA31_CONFIG = {
    "architectures": ["LlamaForCausalLM"], "model_type": "llama", "hidden_size": 4096, "num_hidden_layers": 32,
    "num_attention_heads": 32, "num_key_value_heads": 8, "intermediate_size": 14336, "vocab_size": 128256,
    "max_position_embeddings": 131072, "tie_word_embeddings": False,
}  # fmt: skip


def test_shape_from_config_matches_the_representative_llama() -> None:
    shape = shape_from_config(LLAMA31_CONFIG, n_params=8_030_261_248, quant="Q4_K_M", name="Llama-3.1-8B")
    ref = shape_of(REPRESENTATIVE["8B"], "Q4_K_M")
    assert shape is not None
    dims = (shape.n_layers, shape.n_kv_heads, shape.head_dim_k, shape.n_vocab, shape.context_train)
    assert dims == (32, 8, 128, 128256, 131072)
    assert shape.weights_bytes == pytest.approx(ref.weights_bytes, rel=0.01)
    assert shape.quant == "Q4_K_M"


def test_shape_from_config_without_dimensions_falls_back_to_the_size() -> None:
    shape = shape_from_config({}, n_params=7_000_000_000, quant="Q8_0")
    assert shape is not None and shape.quant == "Q8_0"
    assert shape_from_config({}, n_params=None, quant="Q8_0") is None
    assert shape_from_config({"model_type": "mamba", "hidden_size": 1}, n_params=10**9, quant="Q8_0") is None
