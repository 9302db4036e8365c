"""Virtual big models: real GGUF / safetensors headers of real shapes (Llama 3.1 8B, Qwen2.5 7B...) over zeros.

The headers are what llama.cpp and the Library's reader parse (metadata, a full-size vocabulary, tensor infos with the
per-tensor types of llama.cpp's quantization mixes), and the file sizes follow from them, so a Q4_K_M of Llama 3.1 8B
is 4.9 GB, like the real one. Built headers are cached in memory and on disk.
"""

from __future__ import annotations

import functools
import hashlib
import io
import json
import struct
from collections.abc import Sequence
from dataclasses import dataclass

import gguf
import numpy as np

from .content import VirtualFile, cache_dir

_VERSION = "v1"
Q = gguf.GGMLQuantizationType


@dataclass(frozen=True)
class Shape:
    """What a GGUF header says about a transformer (llama.cpp's key names follow from ``arch``)."""

    arch: str
    name: str
    basename: str
    size_label: str
    layers: int
    embd: int
    ff: int
    heads: int
    kv_heads: int
    vocab: int
    context: int
    rope_base: float
    qkv_bias: bool = False
    rope_freqs: bool = False
    tokenizer_pre: str = "llama-bpe"
    bos: int = 128000
    eos: int = 128009
    n_merges: int = 280147
    specials: tuple[tuple[int, str], ...] = ()
    chat_template: str = ""


LLAMA3_TEMPLATE = (
    "{{- bos_token }}{%- for message in messages %}{{- '<|start_header_id|>' + message['role'] + '<|end_header_id|>\\n\\n'"
    " + message['content'] | trim + '<|eot_id|>' }}{%- endfor %}{%- if add_generation_prompt %}"
    "{{- '<|start_header_id|>assistant<|end_header_id|>\\n\\n' }}{%- endif %}"
)
QWEN_TEMPLATE = (
    "{%- for message in messages %}{{- '<|im_start|>' + message.role + '\\n' + message.content + '<|im_end|>' + '\\n' }}"
    "{%- endfor %}{%- if add_generation_prompt %}{{- '<|im_start|>assistant\\n' }}{%- endif %}"
)
LLAMA31_8B = Shape(
    arch="llama", name="Meta Llama 3.1 8B Instruct", basename="Meta-Llama-3.1", size_label="8B", layers=32, embd=4096,
    ff=14336, heads=32, kv_heads=8, vocab=128256, context=131072, rope_base=500000.0, rope_freqs=True,
    specials=((128000, "<|begin_of_text|>"), (128001, "<|end_of_text|>"), (128006, "<|start_header_id|>"),
              (128007, "<|end_header_id|>"), (128009, "<|eot_id|>")),
    chat_template=LLAMA3_TEMPLATE,
)  # fmt: skip
QWEN25_7B = Shape(
    arch="qwen2", name="Qwen2.5 7B Instruct", basename="Qwen2.5", size_label="7.6B", layers=28, embd=3584, ff=18944,
    heads=28, kv_heads=4, vocab=152064, context=32768, rope_base=1000000.0, qkv_bias=True, tokenizer_pre="qwen2",
    bos=151643, eos=151645, n_merges=151387,
    specials=((151643, "<|endoftext|>"), (151644, "<|im_start|>"), (151645, "<|im_end|>")), chat_template=QWEN_TEMPLATE,
)  # fmt: skip

# llama.cpp's file types: (general.file_type, base tensor type).
FTYPES: dict[str, tuple[gguf.LlamaFileType, Q]] = {
    "Q2_K": (gguf.LlamaFileType.MOSTLY_Q2_K, Q.Q2_K),
    "Q3_K_M": (gguf.LlamaFileType.MOSTLY_Q3_K_M, Q.Q3_K),
    "Q4_K_M": (gguf.LlamaFileType.MOSTLY_Q4_K_M, Q.Q4_K),
    "Q5_K_M": (gguf.LlamaFileType.MOSTLY_Q5_K_M, Q.Q5_K),
    "Q6_K": (gguf.LlamaFileType.MOSTLY_Q6_K, Q.Q6_K),
    "Q8_0": (gguf.LlamaFileType.MOSTLY_Q8_0, Q.Q8_0),
    "IQ4_XS": (gguf.LlamaFileType.MOSTLY_IQ4_XS, Q.IQ4_XS),
    "F16": (gguf.LlamaFileType.MOSTLY_F16, Q.F16),
}


def _more_bits(i: int, n: int) -> bool:
    """llama.cpp's use_more_bits: the first and last eighth of the layers, and every third one between."""
    return i < n // 8 or i >= 7 * n // 8 or (i - n // 8) % 3 == 2


def _type_of(kind: str, i: int, shape: Shape, ftype: str) -> Q:
    """The tensor type llama.cpp's quantizer picks (llama_tensor_get_type, simplified but consistent)."""
    base = FTYPES[ftype][1]
    n = shape.layers
    if kind == "output":
        return base if ftype in ("Q8_0", "F16") else Q.Q6_K
    if kind == "token_embd":
        return base
    if ftype == "Q2_K":
        return {"attn_v": Q.Q4_K, "ffn_down": Q.Q3_K, "attn_output": Q.Q3_K}.get(kind, base)
    if ftype == "Q3_K_M":
        if kind == "attn_v":
            return Q.Q5_K if i < 2 else Q.Q4_K
        if kind == "ffn_down":
            return Q.Q5_K if i < n // 16 else Q.Q4_K if _more_bits(i, n) else base
        return Q.Q4_K if kind == "attn_output" else base
    if ftype in ("Q4_K_M", "Q5_K_M") and kind in ("attn_v", "ffn_down") and _more_bits(i, n):
        return Q.Q6_K
    return base


def tensors(shape: Shape, ftype: str) -> list[tuple[str, tuple[int, ...], Q]]:
    """(name, numpy-order shape, type) of every tensor, in llama.cpp's order."""
    head_dim = shape.embd // shape.heads
    kv = shape.kv_heads * head_dim
    out: list[tuple[str, tuple[int, ...], Q]] = []
    if shape.rope_freqs:
        out.append(("rope_freqs.weight", (head_dim // 2,), Q.F32))
    out.append(("token_embd.weight", (shape.vocab, shape.embd), _type_of("token_embd", 0, shape, ftype)))
    for i in range(shape.layers):
        p = f"blk.{i}."
        mats = {"attn_q": (shape.embd, shape.embd), "attn_k": (kv, shape.embd), "attn_v": (kv, shape.embd),
                "attn_output": (shape.embd, shape.embd), "ffn_gate": (shape.ff, shape.embd),
                "ffn_up": (shape.ff, shape.embd), "ffn_down": (shape.embd, shape.ff)}  # fmt: skip
        out.append((p + "attn_norm.weight", (shape.embd,), Q.F32))
        for kind, dims in mats.items():
            out.append((f"{p}{kind}.weight", dims, _type_of(kind, i, shape, ftype)))
            if shape.qkv_bias and kind in ("attn_q", "attn_k", "attn_v"):
                out.append((f"{p}{kind}.bias", (dims[0],), Q.F32))
        out.append((p + "ffn_norm.weight", (shape.embd,), Q.F32))
    out.append(("output_norm.weight", (shape.embd,), Q.F32))
    out.append(("output.weight", (shape.vocab, shape.embd), _type_of("output", 0, shape, ftype)))
    return out


def nbytes(dims: Sequence[int], qtype: Q) -> int:
    block, size = gguf.GGML_QUANT_SIZES[qtype]
    n = int(np.prod(dims))
    return n // block * size


@functools.lru_cache(maxsize=4)
def _vocab(shape: Shape) -> tuple[list[str], list[int], list[str]]:
    """A vocabulary of the real size: byte tokens, synthetic word pieces, the model's special tokens."""
    specials = dict(shape.specials)
    first_special = min(specials) if specials else shape.vocab
    tokens: list[str] = []
    types: list[int] = []
    for i in range(shape.vocab):
        if i in specials:
            tokens.append(specials[i])
            types.append(int(gguf.TokenType.CONTROL))
        elif i >= first_special:
            tokens.append(f"<|reserved_special_token_{i - first_special}|>")
            types.append(int(gguf.TokenType.CONTROL))
        elif i < 256:
            tokens.append(chr(0x100 + i) if i < 33 or 126 < i < 161 else chr(i))
            types.append(int(gguf.TokenType.NORMAL))
        else:
            tokens.append(f"\u0120w{i:x}" if i % 2 else f"p{i:x}")
            types.append(int(gguf.TokenType.NORMAL))
    merges = [f"\u0120w{i:x} p{i:x}" for i in range(shape.n_merges)]
    return tokens, types, merges


def _writer(shape: Shape, ftype: str, split_max_size: int) -> gguf.GGUFWriter:
    w = gguf.GGUFWriter(None, shape.arch, split_max_size=split_max_size)
    w.add_type("model")
    w.add_name(shape.name)
    w.add_finetune("Instruct")
    w.add_basename(shape.basename)
    w.add_size_label(shape.size_label)
    w.add_license("llama3.1" if shape.arch == "llama" else "apache-2.0")
    w.add_block_count(shape.layers)
    w.add_context_length(shape.context)
    w.add_embedding_length(shape.embd)
    w.add_feed_forward_length(shape.ff)
    w.add_head_count(shape.heads)
    w.add_head_count_kv(shape.kv_heads)
    w.add_rope_freq_base(shape.rope_base)
    w.add_layer_norm_rms_eps(1e-5 if shape.arch == "llama" else 1e-6)
    w.add_file_type(int(FTYPES[ftype][0]))
    w.add_vocab_size(shape.vocab)
    w.add_rope_dimension_count(shape.embd // shape.heads)
    tokens, types, merges = _vocab(shape)
    w.add_tokenizer_model("gpt2")
    w.add_tokenizer_pre(shape.tokenizer_pre)
    w.add_token_list(tokens)
    w.add_token_types(types)
    w.add_token_merges(merges)
    w.add_bos_token_id(shape.bos)
    w.add_eos_token_id(shape.eos)
    w.add_chat_template(shape.chat_template)
    w.add_quantization_version(gguf.GGML_QUANT_VERSION)
    for name, dims, qtype in tensors(shape, ftype):
        w.add_tensor_info(name, dims, np.dtype(np.float32), nbytes(dims, qtype), raw_dtype=qtype)
    return w


def gguf_files(shape: Shape, ftype: str, *, parts: int = 1) -> list[VirtualFile]:
    """The file (or ``parts`` split parts) of one quantization: real header, zeros for the tensor data."""
    return list(_gguf_files(shape, ftype, parts))


@functools.lru_cache(maxsize=32)
def _gguf_files(shape: Shape, ftype: str, parts: int) -> tuple[VirtualFile, ...]:
    key = hashlib.sha256(repr((_VERSION, shape, ftype, parts)).encode()).hexdigest()[:16]
    folder = cache_dir() / "virtual-gguf"
    index = folder / f"{key}.json"
    if index.is_file():
        try:
            sizes = json.loads(index.read_text())
            return tuple(VirtualFile((folder / f"{key}-{i}.bin").read_bytes(), s) for i, s in enumerate(sizes))
        except (OSError, ValueError):
            pass
    total = sum(nbytes(d, q) for _, d, q in tensors(shape, ftype))
    w = _writer(shape, ftype, split_max_size=int(total / parts * 1.1) if parts > 1 else 0)
    if len(w.tensors) != parts:
        raise ValueError(f"{ftype} of {shape.name} splits into {len(w.tensors)} parts, not {parts}")
    bufs = [io.BytesIO() for _ in w.tensors]
    w.fout = bufs  # type: ignore[assignment]  # write into memory, not files
    w.state = gguf.gguf_writer.WriterState.EMPTY
    w.write_header_to_file()
    w.write_kv_data_to_file()
    w.write_ti_data_to_file()
    files = []
    for buf, part in zip(bufs, w.tensors, strict=True):
        header = buf.getvalue()
        data_offset = gguf.GGUFWriter.ggml_pad(len(header), w.data_alignment)
        size = data_offset + sum(gguf.GGUFWriter.ggml_pad(ti.nbytes, w.data_alignment) for ti in part.values())
        files.append(VirtualFile(header, size))
    try:
        folder.mkdir(parents=True, exist_ok=True)
        for i, f in enumerate(files):
            (folder / f"{key}-{i}.bin").write_bytes(f.header)
        index.write_text(json.dumps([f.size for f in files]))
    except OSError:
        pass
    return tuple(files)


def safetensors_header(specs: dict[str, tuple[str, Sequence[int]]], *, metadata: dict[str, str] | None = None) -> VirtualFile:
    """A safetensors file with a real header and zero data (never materialized)."""
    sizes = {"F32": 4, "F16": 2, "BF16": 2, "I32": 4, "I64": 8, "U8": 1, "I8": 1}
    header: dict[str, object] = {"__metadata__": metadata or {"format": "pt"}}
    offset = 0
    for name, (dtype, dims) in specs.items():
        n = sizes[dtype] * int(np.prod(dims))
        header[name] = {"dtype": dtype, "shape": list(dims), "data_offsets": [offset, offset + n]}
        offset += n
    raw = json.dumps(header, separators=(",", ":")).encode()
    raw += b" " * (-len(raw) % 8)
    return VirtualFile(struct.pack("<Q", len(raw)) + raw, 8 + len(raw) + offset)


def safetensors_shards(specs: dict[str, tuple[str, Sequence[int]]], *, max_bytes: int = 5_000_000_000,
                       prefix: str = "model") -> dict[str, VirtualFile | bytes]:  # fmt: skip
    """Shards named like transformers (model-00001-of-00004.safetensors) plus model.safetensors.index.json."""
    sizes = {"F32": 4, "F16": 2, "BF16": 2, "I32": 4, "I64": 8, "U8": 1, "I8": 1}
    groups: list[dict[str, tuple[str, Sequence[int]]]] = [{}]
    used = 0
    for name, (dtype, dims) in specs.items():
        n = sizes[dtype] * int(np.prod(dims))
        if groups[-1] and used + n > max_bytes:
            groups.append({})
            used = 0
        groups[-1][name] = (dtype, dims)
        used += n
    out: dict[str, VirtualFile | bytes] = {}
    weight_map: dict[str, str] = {}
    for i, group in enumerate(groups):
        fname = f"{prefix}-{i + 1:05d}-of-{len(groups):05d}.safetensors"
        out[fname] = safetensors_header(group)
        weight_map.update(dict.fromkeys(group, fname))
    total = sum(sizes[d] * int(np.prod(s)) for d, s in specs.values())
    index = {"metadata": {"total_size": total}, "weight_map": weight_map}
    out[f"{prefix}.safetensors.index.json"] = json.dumps(index, indent=2).encode()
    return out
