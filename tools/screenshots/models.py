"""Models for the Library screenshot: real GGUF headers of well-known models over sparse (empty) data sections.

Each file has the exact metadata and tensor table of its model, so the library reads it as that model; the tensor data
is a hole (`truncate`), so a "42 GB" file takes a few MB of disk and a second to write. Nothing here is a usable model.
"""

from __future__ import annotations

import hashlib
import os
from dataclasses import dataclass
from pathlib import Path

LLAMA3_TEMPLATE = (
    "{{- bos_token }}\n"
    "{%- for message in messages %}\n"
    "    {{- '<|start_header_id|>' + message['role'] + '<|end_header_id|>\\n\\n' }}\n"
    "    {{- message['content'] | trim + '<|eot_id|>' }}\n"
    "{%- endfor %}\n"
    "{%- if add_generation_prompt %}\n"
    "    {{- '<|start_header_id|>assistant<|end_header_id|>\\n\\n' }}\n"
    "{%- endif %}\n"
)
CHATML_TEMPLATE = (
    "{%- for message in messages %}\n"
    "    {{- '<|im_start|>' + message['role'] + '\\n' + message['content'] + '<|im_end|>\\n' }}\n"
    "{%- endfor %}\n"
    "{%- if add_generation_prompt %}{{- '<|im_start|>assistant\\n' }}{%- endif %}\n"
)


@dataclass(frozen=True)
class FakeModel:
    file: str
    arch: str
    name: str
    layers: int
    hidden: int
    ff: int
    heads: int
    kv_heads: int
    vocab: int
    context: int
    file_type: str
    """Q4_K_M, Q5_K_M or Q8_0: which ggml types the tensors get."""
    source: str
    template: str
    bos: tuple[int, str]
    eos: tuple[int, str]
    head_dim: int = 0


MODELS = (
    FakeModel(
        "Meta-Llama-3.1-8B-Instruct-Q4_K_M.gguf",
        "llama",
        "Meta Llama 3.1 8B Instruct",
        32,
        4096,
        14336,
        32,
        8,
        128256,
        131072,
        "Q4_K_M",
        "downloaded from bartowski/Meta-Llama-3.1-8B-Instruct-GGUF",
        LLAMA3_TEMPLATE,
        (128000, "<|begin_of_text|>"),
        (128009, "<|eot_id|>"),
    ),
    FakeModel(
        "Qwen2.5-32B-Instruct-Q4_K_M.gguf",
        "qwen2",
        "Qwen2.5 32B Instruct",
        64,
        5120,
        27648,
        40,
        8,
        152064,
        32768,
        "Q4_K_M",
        "quantized from Qwen2.5-32B-Instruct with Q4_K_M",
        CHATML_TEMPLATE,
        (151643, "<|endoftext|>"),
        (151645, "<|im_end|>"),
    ),
    FakeModel(
        "Mistral-Nemo-Instruct-2407-Q8_0.gguf",
        "llama",
        "Mistral Nemo Instruct 2407",
        40,
        5120,
        14336,
        32,
        8,
        131072,
        1024000,
        "Q8_0",
        "imported",
        "[INST] {{ messages[-1]['content'] }} [/INST]",
        (1, "<s>"),
        (2, "</s>"),
        head_dim=128,
    ),
    FakeModel(
        "Llama-3.3-70B-Instruct-Q4_K_M.gguf",
        "llama",
        "Llama 3.3 70B Instruct",
        80,
        8192,
        28672,
        64,
        8,
        128256,
        131072,
        "Q4_K_M",
        "downloaded from bartowski/Llama-3.3-70B-Instruct-GGUF",
        LLAMA3_TEMPLATE,
        (128000, "<|begin_of_text|>"),
        (128009, "<|eot_id|>"),
    ),
)

# (bulk type, type of attn_v / ffn_down / output) per file type, as llama.cpp's mixes choose them (simplified).
_TYPES = {"Q4_K_M": ("Q4_K", "Q6_K"), "Q5_K_M": ("Q5_K", "Q6_K"), "Q8_0": ("Q8_0", "Q8_0")}
_FILE_TYPES = {"Q4_K_M": 15, "Q5_K_M": 17, "Q8_0": 7}


def _tensors(m: FakeModel) -> list[tuple[str, tuple[int, ...], str]]:
    """(name, numpy shape (out, in), ggml type) of every tensor."""
    bulk, high = _TYPES[m.file_type]
    hd = m.head_dim or m.hidden // m.heads
    out: list[tuple[str, tuple[int, ...], str]] = [("token_embd.weight", (m.vocab, m.hidden), bulk)]
    for i in range(m.layers):
        p = f"blk.{i}."
        out += [
            (p + "attn_norm.weight", (m.hidden,), "F32"),
            (p + "attn_q.weight", (m.heads * hd, m.hidden), bulk),
            (p + "attn_k.weight", (m.kv_heads * hd, m.hidden), bulk),
            (p + "attn_v.weight", (m.kv_heads * hd, m.hidden), high),
            (p + "attn_output.weight", (m.hidden, m.heads * hd), bulk),
            (p + "ffn_norm.weight", (m.hidden,), "F32"),
            (p + "ffn_gate.weight", (m.ff, m.hidden), bulk),
            (p + "ffn_up.weight", (m.ff, m.hidden), bulk),
            (p + "ffn_down.weight", (m.hidden, m.ff), high),
        ]
    out += [("output_norm.weight", (m.hidden,), "F32"), ("output.weight", (m.vocab, m.hidden), high)]
    return out


def write_fake_gguf(m: FakeModel, folder: Path) -> Path:
    """Write the model's header and a sparse data section; returns the file."""
    import gguf
    import numpy as np

    path = folder / m.file
    writer = gguf.GGUFWriter(path, m.arch)
    writer.add_name(m.name)
    writer.add_file_type(_FILE_TYPES[m.file_type])
    writer.add_quantization_version(2)
    writer.add_context_length(m.context)
    writer.add_embedding_length(m.hidden)
    writer.add_block_count(m.layers)
    writer.add_feed_forward_length(m.ff)
    writer.add_head_count(m.heads)
    writer.add_head_count_kv(m.kv_heads)
    if m.head_dim:
        writer.add_key_length(m.head_dim)
        writer.add_value_length(m.head_dim)
    writer.add_layer_norm_rms_eps(1e-5)
    writer.add_rope_freq_base(500000.0 if m.arch == "llama" else 1000000.0)
    writer.add_tokenizer_model("gpt2")
    tokens = [f"tok{i}" for i in range(m.vocab)]
    for token_id, text in (m.bos, m.eos):
        tokens[token_id] = text
    writer.add_token_list(tokens)
    writer.add_bos_token_id(m.bos[0])
    writer.add_eos_token_id(m.eos[0])
    writer.add_chat_template(m.template)
    data = 0
    for name, shape, type_name in _tensors(m):
        qtype = gguf.GGMLQuantizationType[type_name]
        block, size = gguf.GGML_QUANT_SIZES[qtype]
        n_bytes = int(np.prod(shape)) // block * size
        writer.add_tensor_info(name, shape, np.dtype(np.float32), n_bytes, raw_dtype=qtype)
        data += gguf.GGUFWriter.ggml_pad(n_bytes, writer.data_alignment)
    writer.write_header_to_file()
    writer.write_kv_data_to_file()
    writer.write_ti_data_to_file()
    writer.close()
    header = path.stat().st_size
    os.truncate(path, gguf.GGUFWriter.ggml_pad(header, writer.data_alignment) + data)  # a hole: no disk blocks
    return path


def populate(models_dir: Path) -> list[int]:
    """Write and register the fake models (with made-up content hashes, to spare hashing sparse gigabytes); their ids."""
    from app import paths
    from app.library.catalog import Catalog
    from app.store import Store
    from formats.inspect import inspect

    models_dir.mkdir(parents=True, exist_ok=True)
    ids = []
    with Store.open(paths.database_path()) as store:
        catalog = Catalog(store)
        for m in MODELS:
            entry = catalog.add(inspect(write_fake_gguf(m, models_dir)), source=m.source)
            catalog.set_sha256(entry.id, hashlib.sha256(m.file.encode()).hexdigest())
            ids.append(entry.id)
        catalog.touch(ids[0])
    return ids
