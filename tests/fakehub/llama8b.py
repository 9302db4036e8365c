"""The Llama 3.1 8B landscape: bartowski's GGUFs, Meta's gated original, and neighbours so a search looks real.

Every weight file is virtual (a real header over zeros, see virtual_models.py), so the repositories cost a few MB.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from datetime import datetime, timezone
from typing import Any

from fixtures.hf_folders import llama_config, llama_tensors

from .repo import Repo, Source
from .server import FakeHub
from .virtual_models import LLAMA31_8B, QWEN25_7B, Shape, gguf_files, safetensors_header, safetensors_shards

BARTOWSKI = "bartowski/Meta-Llama-3.1-8B-Instruct-GGUF"
META_8B = "meta-llama/Llama-3.1-8B-Instruct"
LMSTUDIO = "lmstudio-community/Meta-Llama-3.1-8B-Instruct-GGUF"
GPTQ_8B = "hugging-quants/Meta-Llama-3.1-8B-Instruct-GPTQ-INT4"
QWEN_GGUF = "Qwen/Qwen2.5-7B-Instruct-GGUF"
LLAMA2_GPTQ = "TheBloke/Llama-2-7B-Chat-GPTQ"
BARTOWSKI_TYPES = ("Q2_K", "Q3_K_M", "Q4_K_M", "Q5_K_M", "Q6_K", "Q8_0")
LLAMA31_PARAMS = 8_030_261_248

LLAMA31_CONFIG = llama_config(hidden=4096, layers=32, heads=32, kv_heads=8, ff=14336, vocab=128256, context=131072,
                              rope_theta=500000.0, bos_token_id=128000, eos_token_id=[128001, 128008, 128009],
                              rope_scaling={"factor": 8.0, "low_freq_factor": 1.0, "high_freq_factor": 4.0,
                                            "original_max_position_embeddings": 8192, "rope_type": "llama3"},
                              rms_norm_eps=1e-5, hidden_act="silu")  # fmt: skip
LLAMA2_CONFIG = llama_config(hidden=4096, layers=32, heads=32, kv_heads=32, ff=11008, vocab=32000, context=4096,
                             torch_dtype="float16", rms_norm_eps=1e-5)  # fmt: skip


def _date(y: int, m: int, d: int) -> datetime:
    return datetime(y, m, d, 12, 0, tzinfo=timezone.utc)


def _gguf_set(shape: Shape, stem: str, types: Sequence[str], *, split: dict[str, int] | None = None,
              lower: bool = False) -> dict[str, Source]:  # fmt: skip
    files: dict[str, Source] = {}
    for t in types:
        parts = (split or {}).get(t, 1)
        quant = t.lower() if lower or t in ("F16", "BF16") else t
        vfiles = gguf_files(shape, t, parts=parts)
        if parts == 1:
            files[f"{stem}-{quant}.gguf"] = vfiles[0]
        else:
            for i, f in enumerate(vfiles):
                files[f"{stem}-{quant}-{i + 1:05d}-of-{parts:05d}.gguf"] = f
    return files


def _quant_card(title: str, base: str, files: dict[str, Source], *, by: str, extra: str = "") -> str:
    rows = "\n".join(f"| [{name}](./{name}) | {getattr(f, 'size', 0) / 1e9:.2f} GB |" for name, f in files.items())
    return f"""---
base_model: {base}
language:
- en
- de
- fr
license: llama3.1
pipeline_tag: text-generation
tags:
- facebook
- meta
- llama
- llama-3
quantized_by: {by}
---

## {title}

Quantizations of [{base}](https://huggingface.co/{base}) made with llama.cpp (imatrix).

### Prompt format

```
<|begin_of_text|><|start_header_id|>system<|end_header_id|>

{{system_prompt}}<|eot_id|><|start_header_id|>user<|end_header_id|>

{{prompt}}<|eot_id|><|start_header_id|>assistant<|end_header_id|>
```

### Download a file (not the whole branch) from below:

| Filename | File size |
| -------- | --------- |
{rows}

{extra}
"""


def _small_files(template_config: dict[str, Any]) -> dict[str, Source]:
    return {
        "generation_config.json": json.dumps({"bos_token_id": 128000, "eos_token_id": [128001, 128008, 128009],
                                              "do_sample": True, "temperature": 0.6, "top_p": 0.9}, indent=2).encode(),
        "special_tokens_map.json": json.dumps({"bos_token": "<|begin_of_text|>", "eos_token": "<|eot_id|>"}).encode(),
        "tokenizer_config.json": json.dumps(template_config, indent=2).encode(),
        "tokenizer.json": json.dumps({"version": "1.0", "model": {"type": "BPE", "vocab": {}}}).encode(),
    }  # fmt: skip


def bartowski_repo(hub: FakeHub, repo_id: str = BARTOWSKI) -> Repo:
    files = _gguf_set(LLAMA31_8B, "Meta-Llama-3.1-8B-Instruct", [*BARTOWSKI_TYPES, "F16"], split={"F16": 2})
    card = _quant_card("Llamacpp imatrix Quantizations of Meta-Llama-3.1-8B-Instruct", META_8B, files, by="bartowski",
                       extra="Q4_K_M is the recommended default for most uses; Q6_K is near-lossless.")  # fmt: skip
    return hub.add_repo(repo_id, files, card=card, base_model=META_8B, downloads=254_321, likes=243, trending=41,
                        tags=("facebook", "meta", "pytorch", "llama", "llama-3", "conversational"),
                        last_modified=_date(2024, 9, 5), gguf_params=LLAMA31_PARAMS + 64)  # fmt: skip


def llama8b_gguf_repo(hub: FakeHub, repo_id: str = BARTOWSKI) -> Repo:
    """bartowski's Llama 3.1 8B Instruct GGUFs (Q2_K..Q8_0, F16 in two parts), all virtual."""
    return bartowski_repo(hub, repo_id)


def meta_original_repo(hub: FakeHub, repo_id: str = META_8B) -> Repo:
    """The gated original: config, tokenizer and four virtual safetensors shards with real headers."""
    files: dict[str, Source] = dict(safetensors_shards(llama_tensors(LLAMA31_CONFIG, dtype="BF16")))
    files.update(_small_files({"tokenizer_class": "PreTrainedTokenizerFast", "bos_token": "<|begin_of_text|>",
                               "eos_token": "<|eot_id|>", "chat_template": LLAMA31_8B.chat_template}))  # fmt: skip
    files["LICENSE"] = b"LLAMA 3.1 COMMUNITY LICENSE AGREEMENT\n"
    files["USE_POLICY.md"] = b"# Llama 3.1 Acceptable Use Policy\n"
    card = ("---\nlanguage:\n- en\nlicense: llama3.1\nlibrary_name: transformers\nbase_model: meta-llama/Llama-3.1-8B\n"
            "pipeline_tag: text-generation\nextra_gated_prompt: You agree to the Llama 3.1 Community License.\n---\n\n"
            "## Model Information\n\nThe Meta Llama 3.1 collection of multilingual large language models (LLMs) is a "
            "collection of pretrained and instruction tuned generative models in 8B, 70B and 405B sizes.\n\n"
            "| | Params | Context length | GQA |\n| --- | --- | --- | --- |\n| Llama 3.1 | 8B | 128k | Yes |\n")  # fmt: skip
    return hub.add_repo(repo_id, files, card=card, config=LLAMA31_CONFIG, gated=True, library_name="transformers",
                        base_model="meta-llama/Llama-3.1-8B", base_relation="finetune", downloads=5_123_456,
                        likes=4_321, trending=60, safetensors_params=LLAMA31_PARAMS, last_modified=_date(2024, 9, 25),
                        tags=("facebook", "meta", "pytorch", "llama", "llama-3", "conversational"))  # fmt: skip


def _gptq_files(config: dict[str, Any], *, bits: int, group: int, desc_act: bool) -> dict[str, Source]:
    quant = {"bits": bits, "group_size": group, "desc_act": desc_act, "sym": True, "damp_percent": 0.1,
             "true_sequential": True, "quant_method": "gptq", "model_file_base_name": "model"}  # fmt: skip
    config = {**config, "torch_dtype": "float16", "quantization_config": quant}
    specs = llama_tensors(config, gptq_bits=bits, group_size=group)
    return {
        "config.json": json.dumps(config, indent=2).encode(),
        "quantize_config.json": json.dumps(quant, indent=2).encode(),
        "model.safetensors": safetensors_header(specs),
        **_small_files({"tokenizer_class": "PreTrainedTokenizerFast", "bos_token": "<s>", "eos_token": "</s>"}),
    }


def neighbour_repos(hub: FakeHub) -> list[Repo]:
    """Other repositories a search for llama / 8B / GGUF / GPTQ finds."""
    lm = _gguf_set(LLAMA31_8B, "Meta-Llama-3.1-8B-Instruct", ["Q4_K_M", "Q6_K", "Q8_0"])
    qwen = _gguf_set(QWEN25_7B, "qwen2.5-7b-instruct", ["Q4_K_M", "Q8_0"], split={"Q4_K_M": 2, "Q8_0": 3}, lower=True)
    gptq_card = f"---\nbase_model: {META_8B}\nlicense: llama3.1\nlibrary_name: transformers\n---\n\n# Llama 3.1 8B GPTQ INT4\n"
    llama2_card = ("---\nbase_model: meta-llama/Llama-2-7b-chat-hf\nlicense: llama2\n---\n\n# Llama 2 7B Chat - GPTQ\n\n"
                   "| Branch | Bits | GS | Act Order |\n| --- | --- | --- | --- |\n| main | 4 | 128 | No |\n"
                   "| gptq-4bit-32g-actorder_True | 4 | 32 | Yes |\n"
                   "| gptq-8bit-128g-actorder_True | 8 | 128 | Yes |\n")  # fmt: skip
    return [
        hub.add_repo(LMSTUDIO, lm, card=_quant_card("Meta Llama 3.1 8B Instruct GGUF", META_8B, lm, by="lmstudio-community"),
                     base_model=META_8B, downloads=87_654, likes=98, trending=12, last_modified=_date(2024, 7, 28),
                     gguf_params=LLAMA31_PARAMS + 64, tags=("llama", "conversational")),
        hub.add_repo(GPTQ_8B, _gptq_files(LLAMA31_CONFIG, bits=4, group=128, desc_act=False), card=gptq_card,
                     base_model=META_8B, library_name="transformers", downloads=45_678, likes=30, trending=4,
                     last_modified=_date(2024, 8, 1), tags=("llama", "llama-3.1", "conversational")),
        hub.add_repo(QWEN_GGUF, qwen, card="---\nlicense: apache-2.0\nbase_model: Qwen/Qwen2.5-7B-Instruct\n---\n\n"
                     "# Qwen2.5-7B-Instruct-GGUF\n\nThe Q4_K_M and Q8_0 files are split; llama.cpp loads the first part.\n",
                     base_model="Qwen/Qwen2.5-7B-Instruct", downloads=123_456, likes=150, trending=30,
                     last_modified=_date(2024, 9, 20), gguf_params=7_615_616_512, tags=("chat", "conversational")),
        hub.add_repo(LLAMA2_GPTQ, _gptq_files(LLAMA2_CONFIG, bits=4, group=128, desc_act=False), card=llama2_card,
                     base_model="meta-llama/Llama-2-7b-chat-hf", library_name="transformers", downloads=23_456, likes=260,
                     trending=1, last_modified=_date(2023, 10, 9), tags=("llama", "llama-2"),
                     branches={"gptq-4bit-32g-actorder_True": _gptq_files(LLAMA2_CONFIG, bits=4, group=32, desc_act=True),
                               "gptq-8bit-128g-actorder_True": _gptq_files(LLAMA2_CONFIG, bits=8, group=128,
                                                                           desc_act=True)}),
    ]  # fmt: skip


def llama8b_landscape(hub: FakeHub) -> FakeHub:
    """bartowski's GGUFs, Meta's original, and the neighbours."""
    bartowski_repo(hub)
    meta_original_repo(hub)
    neighbour_repos(hub)
    return hub
