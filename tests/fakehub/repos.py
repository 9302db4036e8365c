"""Demo repositories: tiny real models (they load in llama.cpp) and a realistic search landscape around them.

Built files are cached in ``cache_dir()`` (a few MB), so only the first run pays the ~1 s to quantize them. The
safetensors original (``original_repo``) is random BF16 weights made in memory with a real trained tokenizer
(tests/fixtures/data/tiny_tokenizer), so llama.cpp's converter turns it into a GGUF that loads.
"""

from __future__ import annotations

import contextlib
import ctypes
import functools
import json
import logging
import os
import shutil
import tempfile
from collections.abc import Iterator, Sequence
from datetime import datetime, timezone
from pathlib import Path
from unittest import mock

import gguf
import numpy as np
from fixtures.hf_folders import DTYPE_BYTES, TensorSpec, llama_config, llama_tensors, safetensors_bytes
from fixtures.tiny_gguf import DEFAULT_WORDS, KQUANT_FF, KQUANT_HIDDEN, build_vocab, write_kquant_gguf

from .content import cache_dir
from .repo import Repo
from .server import FakeHub

log = logging.getLogger(__name__)

TINY = "modelwerk-test/Tiny"
TINY_GGUF = "modelwerk-test/Tiny-GGUF"
TINY_GPTQ = "modelwerk-test/Tiny-GPTQ"
GATED_GGUF = "modelwerk-test/Gated-GGUF"
TINY_TYPES = ("Q8_0", "Q4_0", "Q4_K_M")
_BUILD_VERSION = "v1"  # bump when the tiny files change, so stale caches are rebuilt

# The original's tokenizer: tests/fixtures/tiny_hf's trained byte-fallback BPE, as many tokens as the tiny GGUFs'
# vocabulary (tests/fixtures/tiny_gguf.build_vocab), written with `tests/fixtures/tiny_hf.py tokenizer DIR 431`.
TINY_TOKENIZER = Path(__file__).resolve().parents[1] / "fixtures" / "data" / "tiny_tokenizer"
TOKENIZER_FILES = ("tokenizer.json", "tokenizer_config.json", "special_tokens_map.json")
TINY_VOCAB = len(build_vocab(DEFAULT_WORDS)[0])  # 431

# The tiny model's shape (tests/fixtures/tiny_gguf.write_kquant_gguf) as a transformers config.
TINY_CONFIG = llama_config(hidden=KQUANT_HIDDEN, layers=2, heads=4, kv_heads=4, ff=KQUANT_FF, vocab=TINY_VOCAB, context=512,
                           bos_token_id=1, eos_token_id=2, rms_norm_eps=1e-5)  # fmt: skip


def _ftype(name: str) -> int:
    import llama_cpp

    return int(getattr(llama_cpp, f"LLAMA_FTYPE_MOSTLY_{name}"))


@contextlib.contextmanager
def _building(name: str) -> Iterator[Path]:
    """A fresh temporary folder whose files move into the cache folder ``name`` when the block succeeds."""
    final = cache_dir() / f"{name}-{_BUILD_VERSION}"
    final.parent.mkdir(parents=True, exist_ok=True)
    tmp = Path(tempfile.mkdtemp(prefix=f".{name}-", dir=final.parent))
    try:
        yield tmp
        final.mkdir(exist_ok=True)
        for f in tmp.iterdir():
            os.replace(f, final / f.name)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


def tiny_gguf_files(types: Sequence[str] = TINY_TYPES, *, split: bool = True) -> dict[str, Path]:
    """``Tiny-<TYPE>.gguf`` for each type (+ a 2-part F16 split set), built once with llama.cpp's quantizer."""
    folder = cache_dir() / f"tiny-gguf-{_BUILD_VERSION}"
    names = [f"Tiny-{t}.gguf" for t in types]
    split_names = ["Tiny-F16-00001-of-00002.gguf", "Tiny-F16-00002-of-00002.gguf"] if split else []
    if not all((folder / n).is_file() for n in [*names, *split_names]):
        with _building("tiny-gguf") as tmp:
            f16 = write_kquant_gguf(tmp / "f16.src", name="Tiny")
            for t, n in zip(types, names, strict=True):
                _quantize(f16, tmp / n, t)
            if split:
                _write_split(tmp / "Tiny-F16.gguf")
            f16.unlink()
    return {n: folder / n for n in [*names, *split_names]}


def _quantize(src: Path, dest: Path, qtype: str) -> None:
    if qtype.upper() in ("F16", "F32"):
        write_kquant_gguf(dest, name="Tiny", dtype=qtype.lower())  # type: ignore[arg-type]
        return
    import llama_cpp

    params = llama_cpp.llama_model_quantize_default_params()
    params.ftype = _ftype(qtype.upper())
    params.nthread = 1
    rc = llama_cpp.llama_model_quantize(str(src).encode(), str(dest).encode(), ctypes.byref(params))
    if rc != 0 or not dest.is_file():
        raise RuntimeError(f"llama.cpp could not quantize the tiny model to {qtype} (rc {rc})")


def _write_split(path: Path) -> None:
    """Tiny-F16-0000N-of-00002.gguf: gguf-py's own sharding (split.no / split.count / split.tensors.count)."""
    writer = functools.partial(gguf.GGUFWriter, split_max_tensors=11)  # 21 tensors -> 2 parts
    with mock.patch.object(gguf, "GGUFWriter", writer):
        write_kquant_gguf(path, name="Tiny")


def _size(n: int) -> str:
    return f"{n / 1e6:.2f} MB" if n >= 1e5 else f"{n / 1e3:.0f} KB"


def tiny_card(title: str, files: dict[str, Path], *, base: str = TINY) -> str:
    rows = "\n".join(f"| [{n}](./{n}) | {n[5:].split('.')[0].split('-0')[0]} | {_size(p.stat().st_size)} |"
                     for n, p in files.items())  # fmt: skip
    return f"""---
base_model: {base}
license: apache-2.0
language:
- en
pipeline_tag: text-generation
tags:
- llama
- test
quantized_by: modelwerk-test
---

# {title}

Random-weight llama quantizations of [{base}](https://huggingface.co/{base}) for tests. They load in llama.cpp and
generate *gibberish*, fast.

| File | Quant | Size |
| ---- | ----- | ---- |
{rows}

## Run it

```bash
llama-cli -m Tiny-Q4_K_M.gguf -p "hello world" -n 32
```

> The F16 set is split in two parts; llama.cpp loads it from the first part.
"""


def tiny_gguf_repo(hub: FakeHub, repo_id: str = TINY_GGUF, types: Sequence[str] = TINY_TYPES, **kwargs: object) -> Repo:
    files = tiny_gguf_files(types)
    opts: dict[str, object] = {"card": tiny_card("Tiny GGUF", files), "tags": ("llama", "conversational"),
                               "base_model": TINY, "downloads": 1234, "likes": 12, "trending": 3, "gguf_params": 2_000_000,
                               "last_modified": datetime(2025, 3, 1, 12, 0, tzinfo=timezone.utc)}  # fmt: skip
    opts.update(kwargs)
    return hub.add_repo(repo_id, dict(files), **opts)  # type: ignore[arg-type]


def gated_repo(hub: FakeHub, repo_id: str = GATED_GGUF) -> Repo:
    files = {k: v for k, v in tiny_gguf_files().items() if "Q4_K_M" in k}
    return hub.add_repo(repo_id, files, card=tiny_card("Gated GGUF", files), gated=True, base_model=TINY,
                        downloads=55, likes=2, tags=("llama",))  # fmt: skip


def _tokenizer_files() -> dict[str, bytes]:
    """The committed tokenizer (its vocabulary is the config's vocab_size) and the generation config."""
    files = {name: (TINY_TOKENIZER / name).read_bytes() for name in TOKENIZER_FILES}
    vocab = json.loads(files["tokenizer.json"])["model"]["vocab"]
    if len(vocab) != TINY_CONFIG["vocab_size"]:
        raise RuntimeError(f"{TINY_TOKENIZER} has {len(vocab)} tokens; the tiny config says {TINY_CONFIG['vocab_size']}")
    return {**files, "generation_config.json": json.dumps({"bos_token_id": 1, "eos_token_id": 2}).encode()}


@functools.lru_cache(maxsize=4)
def _random_safetensors(config_json: str, seed: int = 0) -> bytes:
    """model.safetensors of ``config_json`` (a llama config as JSON) with random BF16 weights, as transformers
    initializes them: normal(0, 0.02), norms 1. A few MB, made in milliseconds."""
    tensors = llama_tensors(json.loads(config_json), dtype="BF16")
    blob = bytearray(safetensors_bytes(tensors, metadata={"format": "pt"}))
    pos = len(blob) - sum(_n_params({n: t}) * DTYPE_BYTES[t[0]] for n, t in tensors.items())
    rng = np.random.default_rng(seed)
    for name, spec in tensors.items():
        n = _n_params({name: spec})
        values = np.ones(n, np.float32) if name.endswith("norm.weight") else rng.normal(0, 0.02, n).astype(np.float32)
        blob[pos : pos + 2 * n] = (values.view(np.uint32) >> 16).astype("<u2").tobytes()  # float32 -> bfloat16
        pos += 2 * n
    return bytes(blob)


def _n_params(tensors: dict[str, TensorSpec]) -> int:
    return sum(functools.reduce(lambda a, b: a * b, shape, 1) for _, shape in tensors.values())


def original_repo(hub: FakeHub, repo_id: str = TINY) -> Repo:
    """The safetensors original the tiny quantizations come from: random weights and a real tokenizer, so llama.cpp's
    converter makes a GGUF of it that loads (what Discover's "Quantize it myself" and `modelwerk recipe` run)."""
    tensors = llama_tensors(TINY_CONFIG, dtype="BF16")
    weights = _random_safetensors(json.dumps(TINY_CONFIG, sort_keys=True))
    files: dict[str, bytes] = {"model.safetensors": weights, **_tokenizer_files()}
    card = (f"---\nlicense: apache-2.0\nlibrary_name: transformers\npipeline_tag: text-generation\n---\n\n# Tiny\n\n"
            f"A {_n_params(tensors) / 1e6:.1f}M-parameter llama for tests. Quantizations: [{TINY_GGUF}](/{TINY_GGUF}), "
            f"[{TINY_GPTQ}](/{TINY_GPTQ}).\n")  # fmt: skip
    return hub.add_repo(repo_id, files, card=card, config=TINY_CONFIG, library_name="transformers", downloads=4321,
                        likes=42, trending=5, safetensors_params=_n_params(tensors), tags=("llama",))  # fmt: skip


def gptq_files(bits: int, group_size: int, desc_act: bool) -> dict[str, bytes]:
    quant = {"bits": bits, "group_size": group_size, "desc_act": desc_act, "sym": True, "true_sequential": True,
             "damp_percent": 0.01, "quant_method": "gptq", "checkpoint_format": "gptq",
             "model_file_base_name": "model"}  # fmt: skip
    config = {**TINY_CONFIG, "torch_dtype": "float16", "quantization_config": quant}
    tensors = llama_tensors(config, gptq_bits=bits, group_size=group_size)
    return {
        "config.json": json.dumps(config, indent=2).encode(),
        "quantize_config.json": json.dumps(quant, indent=2).encode(),
        "model.safetensors": safetensors_bytes(tensors, metadata={"format": "pt"}),
        **_tokenizer_files(),
    }


def gptq_repo(hub: FakeHub, repo_id: str = TINY_GPTQ) -> Repo:
    card = (f"---\nbase_model: {TINY}\nlicense: apache-2.0\nlibrary_name: transformers\n---\n\n# Tiny GPTQ\n\n"
            "| Branch | Bits | Group size | Act order |\n| --- | --- | --- | --- |\n| main | 4 | 128 | No |\n"
            "| gptq-8bit-32g-actorder_True | 8 | 32 | Yes |\n")  # fmt: skip
    return hub.add_repo(repo_id, gptq_files(4, 128, False), card=card, base_model=TINY, library_name="transformers",
                        branches={"gptq-8bit-32g-actorder_True": gptq_files(8, 32, True)}, downloads=321, likes=4,
                        tags=("llama",))  # fmt: skip


def demo_hub(hub: FakeHub, *, big: bool = True) -> FakeHub:
    """Every demo repository: the tiny set, and (``big``) the virtual Llama 3.1 8B landscape."""
    original_repo(hub)
    tiny_gguf_repo(hub)
    gptq_repo(hub)
    gated_repo(hub)
    if big:
        from .llama8b import llama8b_landscape

        llama8b_landscape(hub)
    return hub
