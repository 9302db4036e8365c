"""GGUF header(s) -> ModelInfo: what the file is, at a glance, and the ModelShape the fit estimator needs."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import replace
from pathlib import Path

from core.messages import N_, Message
from formats.ggml import FILE_TYPES
from formats.gguf import SPLIT_NAME, GGUFHeader, gguf_header, read_array_string, split_parts
from formats.model import (
    ArrayInfo,
    ModelFileError,
    ModelFormat,
    ModelInfo,
    TensorInfo,
    shape_from_info,
    tensor_groups,
)
from hardware.shape import REPACKED_TYPES, ModelShape

NO_SHAPE_ARCHITECTURES = frozenset({
    "mamba", "mamba2", "rwkv6", "rwkv6qwen2", "rwkv7", "arwkv7", "jamba", "t5", "t5encoder", "bert", "nomic-bert",
    "jina-bert-v2", "granitehybrid", "falcon-h1", "nemotron_h", "lfm2", "plamo2", "qwen3next", "clip", "wavtokenizer-dec",
})  # fmt: skip
"""Recurrent, hybrid, encoder or non-LLM architectures: their memory does not follow the transformer formula."""

SWA_PERIODS = {"gemma2": 2, "gemma3": 6, "cohere2": 4}
"""llama.cpp's set_swa_pattern(n): layer i uses the sliding window when i % n < n - 1 (gemma3: 5 of every 6)."""



def file_type_name(file_type: object, tensors: tuple[TensorInfo, ...] = ()) -> str:
    """general.file_type -> "Q4_K_M", "F16"...; without one (or an unknown id), the type holding most matrix bytes."""
    if isinstance(file_type, int) and not isinstance(file_type, bool) and file_type in FILE_TYPES:
        return FILE_TYPES[file_type]
    by_type: dict[str, int] = defaultdict(int)
    for t in tensors:
        if len(t.shape) >= 2:
            by_type[t.type_name] += t.n_bytes
    return max(by_type, key=lambda k: by_type[k]) if by_type else ""


def inspect_gguf(path: Path) -> ModelInfo:
    """Everything the library shows about a GGUF file or a split set (any part given); raises ModelFileError."""
    parts = split_parts(Path(path))
    headers = [gguf_header(p) for p in parts]
    return info_from_headers(headers, parts)


def info_from_headers(headers: Sequence[GGUFHeader], parts: Sequence[Path], *, local: bool = True) -> ModelInfo:
    """ModelInfo from headers already read (read them with max_array_items=MAX_ARRAY_ITEMS), one per part, in order.

    Args:
        headers: the parts' headers.
        parts: the parts' paths (ModelInfo.path/.files); for a remote file, its path in the repository.
        local: the header paths are readable local files; when False, BOS/EOS token texts that would need a read of the
            vocabulary from the file are left out (a remote header has no file to read them from).
    """
    headers, parts = list(headers), tuple(Path(p) for p in parts)
    if not headers or len(headers) != len(parts):
        raise ValueError("info_from_headers needs one header per part")
    first = headers[0]
    _check_split(headers)
    meta = first.metadata
    arch = meta.get("general.architecture")
    if not isinstance(arch, str) or not arch:
        raise ModelFileError(Message("{name} has no general.architecture, so no runtime can load it", name=str(parts[0].name)))
    tensors = tuple(t for h in headers for t in h.tensors)
    quant = file_type_name(meta.get("general.file_type"), tensors)

    def num(key: str, default: int = 0) -> int:
        return _int(meta.get(f"{arch}.{key}"), default)

    n_embd, n_heads = num("embedding_length"), num("attention.head_count")
    n_kv_heads = num("attention.head_count_kv", n_heads)
    head_dim = n_embd // n_heads if n_heads else 0
    tokens = meta.get("tokenizer.ggml.tokens")
    n_vocab = _length(tokens) or num("vocab_size") or _vocab_from_embedding(tensors)
    window = num("attention.sliding_window")
    info = ModelInfo(
        path=parts[0],
        files=parts,
        format=ModelFormat.GGUF,
        name=_model_name(parts[0]),
        size_bytes=sum(h.file_size for h in headers),
        architecture=arch,
        n_params=sum(t.n_elements for t in tensors),
        quantization=quant,
        context_length=num("context_length"),
        n_layers=num("block_count"),
        n_heads=n_heads,
        n_kv_heads=n_kv_heads,
        head_dim_k=num("attention.key_length", head_dim),
        head_dim_v=num("attention.value_length", head_dim),
        n_embd=n_embd,
        n_vocab=n_vocab,
        sliding_window=window,
        chat_template=_str(meta.get("tokenizer.chat_template")),
        tokenizer=_str(meta.get("tokenizer.ggml.model")) or "",
        bos_token=_token(first, "tokenizer.ggml.bos_token_id", local=local),
        eos_token=_token(first, "tokenizer.ggml.eos_token_id", local=local),
        tensor_groups=tensor_groups(tensors),
        details=_details(first, len(parts), len(tensors), quant),
    )
    shape, note = _shape(info, meta, tensors)
    return replace(info, shape=shape, shape_note=note)


def _check_split(headers: list[GGUFHeader]) -> None:
    if len(headers) == 1 and "split.count" not in headers[0].metadata:
        return
    for i, h in enumerate(headers):
        count, no = h.metadata.get("split.count"), h.metadata.get("split.no")
        if count is not None and count != len(headers):
            raise ModelFileError(Message("{name} says the model has {count} parts, but {count2} were found by name",
                                         name=str(h.path.name), count=str(count), count2=str(len(headers))))
        if no is not None and no != i:
            raise ModelFileError(Message("{name} says it is part {value}, but its name says part {value2}",
                                         name=str(h.path.name), value=str(_int(no) + 1), value2=str(i + 1)))


def _shape(info: ModelInfo, meta: dict[str, object], tensors: tuple[TensorInfo, ...]) -> tuple[ModelShape | None, str]:
    arch = info.architecture
    if arch in NO_SHAPE_ARCHITECTURES or not (info.n_layers and info.n_embd and info.n_heads and info.n_vocab):
        return None, f"shape unknown for architecture {arch}"
    blocks = [t for t in tensors if t.name.startswith("blk.")]
    if not blocks:
        return None, f"shape unknown for architecture {arch}"
    block_bytes = sum(t.n_bytes for t in blocks)
    by_name = {t.name: t for t in tensors}
    embedding = by_name.get("token_embd.weight")
    output = by_name.get("output.weight")
    embedding_bytes = embedding.n_bytes if embedding else 0
    n_ff = _int(meta.get(f"{arch}.feed_forward_length"))
    n_expert = _int(meta.get(f"{arch}.expert_count"))
    n_used = _int(meta.get(f"{arch}.expert_used_count"))
    if not n_ff:
        n_ff = _int(meta.get(f"{arch}.expert_feed_forward_length")) * max(n_used, 1)
    active = 1.0
    if n_expert and n_used:
        expert_bytes = sum(t.n_bytes for t in blocks if "_exps." in t.name)
        active = (block_bytes - expert_bytes + expert_bytes * min(n_used, n_expert) / n_expert) / block_bytes
    n_swa = _swa_layers(arch, meta, info.n_layers) if info.sliding_window else 0
    shape = shape_from_info(
        info,
        n_ff=n_ff,
        block_bytes=block_bytes,
        embedding_bytes=embedding_bytes,
        output_bytes=output.n_bytes if output else embedding_bytes,
        tied=output is None,
        n_swa=n_swa,
        active=active,
        repack_bytes=sum(t.n_bytes for t in blocks if t.type_name in REPACKED_TYPES),
        block_types=_bytes_by_type(t for t in blocks if len(t.shape) >= 2),
        output_type=out_tensor.type_name if (out_tensor := output or embedding) is not None else "",
    )
    return replace(shape, n_merges=_length(meta.get("tokenizer.ggml.merges"))), ""


def _bytes_by_type(tensors: Iterable[TensorInfo]) -> tuple[tuple[str, int], ...]:
    """Bytes by tensor type, the most first (the matrices only: norms are vectors, read at no cost worth counting)."""
    totals: dict[str, int] = {}
    for t in tensors:
        totals[t.type_name] = totals.get(t.type_name, 0) + t.n_bytes
    return tuple(sorted(totals.items(), key=lambda kv: -kv[1]))


def _swa_layers(arch: str, meta: dict[str, object], n_layers: int) -> int:
    """Layers with sliding-window attention: from the pattern key if present, else the architecture's fixed period."""
    pattern = meta.get(f"{arch}.attention.sliding_window_pattern")
    if isinstance(pattern, tuple):  # one flag per layer
        return sum(1 for p in pattern[:n_layers] if p)
    if isinstance(pattern, int) and not isinstance(pattern, bool):
        period = pattern
    elif arch in SWA_PERIODS:
        period = SWA_PERIODS[arch]
    else:
        return 0  # llama.cpp ignores the window of other architectures (phi3, mistral via llama)
    if period <= 0:
        return n_layers if period == 0 else 0  # 0: every layer
    return n_layers // period * (period - 1) + min(n_layers % period, period - 1)


def _details(h: GGUFHeader, n_parts: int, n_tensors: int, quant: str) -> dict[str, str]:
    meta = h.metadata
    # The labels are N_-marked: the GUI shows them in its language (the command line prints them as they are).
    out = {N_("GGUF version"): str(h.version), N_("tensors"): f"{n_tensors:,}"}
    if n_parts > 1:
        out[N_("parts")] = str(n_parts)
    if "general.file_type" in meta:
        out[N_("file type")] = f"{quant} ({meta['general.file_type']})"
    if h.alignment != 32:
        out[N_("alignment")] = str(h.alignment)
    labels = {
        "general.name": N_("model name"), "general.basename": N_("base name"), "general.size_label": N_("size label"),
        "general.finetune": N_("finetune"), "general.license": N_("license"), "general.quantized_by": N_("quantized by"),
        "tokenizer.ggml.pre": N_("pre-tokenizer"),
    }  # fmt: skip
    for key, label in labels.items():
        value = meta.get(key)
        if isinstance(value, str | int | float) and not isinstance(value, bool):
            out[label] = str(value)
    arch = meta.get("general.architecture")
    experts, used = meta.get(f"{arch}.expert_count"), meta.get(f"{arch}.expert_used_count")
    if isinstance(experts, int) and experts:
        out[N_("experts")] = f"{experts} ({used} used per token)"
    rope = meta.get(f"{arch}.rope.freq_base")
    if isinstance(rope, float | int):
        out[N_("RoPE base")] = f"{rope:g}"
    return out


def _token(h: GGUFHeader, key: str, *, local: bool = True) -> str | None:
    """The text of a special token (BOS, EOS), decoding just that one string of the vocabulary."""
    token_id = h.metadata.get(key)
    tokens = h.metadata.get("tokenizer.ggml.tokens")
    if not isinstance(token_id, int) or not 0 <= token_id < _length(tokens):
        return None
    if not local and not isinstance(tokens, tuple):  # the vocabulary was skipped, and there is no local file to read it from
        return None
    try:
        return read_array_string(h, "tokenizer.ggml.tokens", token_id)
    except TypeError:  # a vocabulary that is not an array of strings
        return None


def _int(value: object, default: int = 0) -> int:
    """An integer hyperparameter; per-layer arrays count as their maximum."""
    if isinstance(value, bool):
        return int(value)
    if isinstance(value, int):
        return value
    if isinstance(value, tuple):
        ints = [v for v in value if isinstance(v, int)]
        return max(ints) if ints and len(ints) == len(value) else default
    return default


def _str(value: object) -> str | None:
    return value if isinstance(value, str) else None


def _length(value: object) -> int:
    if isinstance(value, ArrayInfo):
        return value.length
    return len(value) if isinstance(value, tuple) else 0



def _vocab_from_embedding(tensors: tuple[TensorInfo, ...]) -> int:
    for t in tensors:
        if t.name == "token_embd.weight" and len(t.shape) == 2:
            return t.shape[1]
    return 0


def _model_name(path: Path) -> str:
    m = SPLIT_NAME.match(path.name)
    return m["stem"] if m else path.stem
