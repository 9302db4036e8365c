"""Hugging Face folders (config.json + safetensors, sharded or not, GPTQ too) and lone safetensors files -> ModelInfo.

Only JSON files and safetensors headers are read: never tensor data, never pickles, never custom code.
"""

from __future__ import annotations

import re
from collections import defaultdict
from dataclasses import replace
from pathlib import Path

from core.messages import Message
from formats.hf_config import (
    Quantization,
    cfg_int,
    cfg_str,
    chat_template,
    first_str,
    optional_json,
    quantization,
    read_json_object,
    special_token,
    text_config,
    tokenizer_type,
)
from formats.model import ModelFileError, ModelFormat, ModelInfo, TensorInfo, shape_from_info, tensor_groups
from formats.safetensors import (
    DTYPE_BITS,
    INDEX_NAME,
    SafetensorsHeader,
    SafetensorsIndex,
    check_index,
    read_index,
    safetensors_header,
)
from hardware.shape import ModelShape

WEIGHT_SUFFIXES = frozenset({
    ".safetensors", ".bin", ".pt", ".pth", ".ckpt", ".pkl", ".pickle", ".gguf", ".h5", ".msgpack", ".onnx", ".ot", ".npz",
    ".tflite", ".part", ".incomplete", ".tmp",
})  # fmt: skip
"""Files a folder's ModelInfo leaves out unless they are the weights it uses (duplicates in other formats, partial files)."""

NO_SHAPE_TYPES = frozenset({
    "mamba", "mamba2", "falcon_mamba", "rwkv", "rwkv5", "rwkv6", "rwkv7", "jamba", "zamba", "zamba2", "bamba", "falcon_h1",
    "granitemoehybrid", "nemotron_h", "lfm2", "qwen3_next", "plamo2", "recurrent_gemma", "xlstm", "t5", "mt5", "umt5",
    "bart", "mbart", "bert", "roberta", "xlm-roberta", "distilbert", "modernbert", "electra", "deberta-v2", "whisper", "clip",
    "siglip",
})  # fmt: skip
"""Recurrent, hybrid and encoder architectures: their memory does not follow the transformer formula."""

SWA_PERIODS = {"gemma2": 2, "gemma3": 6, "gemma3_text": 6, "cohere2": 4}
"""Default sliding-window periods (layer i slides when i % n < n - 1) where config.json has no layer_types."""

PACKED_SUFFIX = ".qweight"
QUANT_STATE_SUFFIXES = (".qzeros", ".scales", ".g_idx")
"""GPTQ/AWQ quantization state beside each packed weight: bytes in memory, but not parameters."""

SHARD_NAME = re.compile(r"^(?P<stem>.+)-(?P<no>\d{5})-of-(?P<count>\d{5})\.safetensors$", re.IGNORECASE)
LAYER = re.compile(r"(?:^|\.)(?:layers|layer|h|blocks)\.(\d+)\.")
"""A transformer block's tensor; group 1 is the layer number."""
NOT_TEXT = re.compile(r"vision|visual|multi_modal|mm_projector|audio|speech|image_newline")
"""Vision and audio towers: not part of the language model."""
EMBEDDING = re.compile(r"(?:^|\.)(?:embed_tokens|wte|word_embeddings|tok_embeddings|embed_in)$")
OUTPUT = re.compile(r"(?:^|\.)(?:lm_head|embed_out)$|^output$")
_TORCH_DTYPES = {"bfloat16": "BF16", "float16": "F16", "half": "F16", "float32": "F32", "float": "F32", "float64": "F64"}


def inspect_hf_folder(folder: Path) -> ModelInfo:
    """A Hugging Face folder with safetensors weights (config.json for the architecture and shape); raises ModelFileError."""
    folder = Path(folder)
    shards, index = safetensors_weights(folder)
    headers = [safetensors_header(p) for p in shards]
    if index is not None:
        check_index(index, headers)
    tensors = tuple(t for h in headers for t in h.tensors)
    if not tensors:
        raise ModelFileError(Message("{name}: its safetensors files hold no tensors", name=str(folder.name)))
    config_path = folder / "config.json"
    config = read_json_object(config_path) if config_path.is_file() else {}
    cfg = text_config(config)
    quant = quantization(folder, config)
    if quant and quant.method == "gptq" and not any(t.name.endswith(PACKED_SUFFIX) for t in tensors):
        raise ModelFileError(Message("{name} says it is GPTQ-quantized, but its safetensors hold no packed .qweight tensors",
                                     name=str(folder.name)))
    tok_cfg = optional_json(folder / "tokenizer_config.json")
    special = optional_json(folder / "special_tokens_map.json")
    files = folder_files(folder, (*shards, *([index.path] if index else [])))
    model_type = cfg_str(config.get("model_type")) or cfg_str(cfg.get("model_type"))
    arch_class = first_str(config.get("architectures"))
    n_embd = cfg_int(cfg, "hidden_size", "n_embd", "d_model")
    n_heads = cfg_int(cfg, "num_attention_heads", "n_head", "num_heads")
    head_dim = cfg_int(cfg, "head_dim") or (n_embd // n_heads if n_heads else 0)
    window = cfg_int(cfg, "sliding_window") if cfg.get("use_sliding_window") is not False else 0
    layers = [int(m[1]) for t in tensors if not NOT_TEXT.search(t.name) and (m := LAYER.search(t.name))]
    details = _details(config, cfg, headers, tensors, quant)
    info = ModelInfo(
        path=folder,
        files=files,
        format=ModelFormat.GPTQ if quant and quant.method == "gptq" else ModelFormat.SAFETENSORS,
        name=folder.name,
        size_bytes=_size(files),
        architecture=model_type or arch_class or "",
        n_params=count_params(tensors, quant.bits if quant else 0),
        quantization=quant.label if quant else dtype_name(tensors, cfg),
        context_length=cfg_int(cfg, "max_position_embeddings", "n_positions", "max_sequence_length", "seq_length", "n_ctx"),
        n_layers=cfg_int(cfg, "num_hidden_layers", "n_layer", "num_layers", "n_layers") or (max(layers) + 1 if layers else 0),
        n_heads=n_heads,
        n_kv_heads=cfg_int(cfg, "num_key_value_heads", "num_kv_heads", "n_head_kv", "multi_query_group_num") or n_heads,
        head_dim_k=head_dim,
        head_dim_v=head_dim,
        n_embd=n_embd,
        n_vocab=cfg_int(cfg, "vocab_size") or _embedding_rows(tensors),
        sliding_window=window,
        chat_template=chat_template(folder, tok_cfg),
        tokenizer=tokenizer_type(folder, tok_cfg),
        bos_token=special_token(tok_cfg, special, "bos_token"),
        eos_token=special_token(tok_cfg, special, "eos_token"),
        tensor_groups=tensor_groups(tensors),
        details=details,
    )
    if not config:
        return replace(info, shape_note="shape unknown: the folder has no config.json")
    info = _mla_heads(info, cfg)
    shape, note = model_shape(info, cfg, tensors)
    return replace(info, shape=shape, shape_note=note)


def inspect_safetensors_file(path: Path) -> ModelInfo:
    """One .safetensors file on its own: parameters and dtype from its header; no shape without config.json."""
    path = Path(path)
    header = safetensors_header(path)
    if not header.tensors:
        raise ModelFileError(Message("{name} holds no tensors", name=str(path.name)))
    details = {"tensors": f"{len(header.tensors):,}"}
    if "format" in header.metadata:
        details["safetensors format"] = header.metadata["format"]
    m = SHARD_NAME.match(path.name)
    if m:
        details["shard"] = f"{int(m['no'])} of {int(m['count'])}: import the whole folder for the complete model"
    return ModelInfo(
        path=path,
        files=(path,),
        format=ModelFormat.SAFETENSORS,
        name=path.stem,
        size_bytes=header.file_size,
        n_params=count_params(header.tensors, 0),
        quantization=dtype_name(header.tensors, {}),
        tensor_groups=tensor_groups(header.tensors),
        shape_note="shape unknown: config.json is needed (import the whole Hugging Face folder)",
        details=details,
    )


def safetensors_weights(folder: Path) -> tuple[tuple[Path, ...], SafetensorsIndex | None]:
    """The safetensors files that make up the model in `folder`, and its shard index if it has one."""
    indexes = sorted(folder.glob("*.safetensors.index.json"))
    index_path = folder / INDEX_NAME if (folder / INDEX_NAME).is_file() else (indexes[0] if len(indexes) == 1 else None)
    if index_path is not None:
        index = read_index(index_path)
        return index.shards, index
    files = sorted(p for p in folder.glob("*.safetensors") if p.is_file())
    if (folder / "model.safetensors").is_file():
        return (folder / "model.safetensors",), None
    # Mistral repos ship consolidated.safetensors (their own layout) beside the transformers weights.
    rest = [p for p in files if not p.name.startswith("consolidated")]
    chosen = tuple(rest or files)
    if not chosen:
        raise ModelFileError(Message("{name} holds no .safetensors files", name=str(folder.name)))
    return chosen, None


def folder_files(folder: Path, weights: tuple[Path, ...]) -> tuple[Path, ...]:
    """The given weight files plus the folder's other top-level files, leaving out hidden files and unused weights."""
    chosen = set(weights)
    others = [
        p
        for p in folder.iterdir()
        if p.is_file() and not p.name.startswith(".") and p.suffix.lower() not in WEIGHT_SUFFIXES
        and not p.name.endswith(".index.json")
    ]
    return tuple(sorted(chosen.union(others)))


def count_params(tensors: tuple[TensorInfo, ...], bits: int) -> int:
    """Parameters as the model has them, not as they are stored.

    A GPTQ/AWQ qweight packs 32/bits weights into each int32 (of its pack dtype), so a packed layer of in x out weights is
    in*bits/32 x out elements: its real parameter count is elements * pack bits / bits — the same in*out that the config
    dims give, but right for every packed layer (experts, a quantized lm_head) without knowing the architecture. qzeros,
    scales and g_idx are quantization state, not parameters.
    """
    total = 0
    for t in tensors:
        if bits and t.name.endswith(PACKED_SUFFIX):
            total += t.n_elements * DTYPE_BITS[t.type_name] // bits
        elif not (bits and t.name.endswith(QUANT_STATE_SUFFIXES)):
            total += t.n_elements
    return total


def dtype_name(tensors: tuple[TensorInfo, ...], cfg: dict[str, object]) -> str:
    """The dtype holding most matrix bytes ("BF16"); else config.json's torch_dtype/dtype."""
    by_type: dict[str, int] = defaultdict(int)
    for t in tensors:
        if len(t.shape) >= 2:
            by_type[t.type_name] += t.n_bytes
    if by_type:
        return max(by_type, key=lambda k: by_type[k])
    declared = cfg_str(cfg.get("torch_dtype")) or cfg_str(cfg.get("dtype"))
    return _TORCH_DTYPES.get(declared or "", (declared or "").upper())


def _mla_heads(info: ModelInfo, cfg: dict[str, object]) -> ModelInfo:
    """DeepSeek's multi-head latent attention: llama.cpp caches one compressed latent per token, not per-head K and V."""
    rank, rope = cfg_int(cfg, "kv_lora_rank"), cfg_int(cfg, "qk_rope_head_dim")
    if not rank:
        return info
    return replace(info, n_kv_heads=1, head_dim_k=rank + rope, head_dim_v=rank)


def model_shape(info: ModelInfo, cfg: dict[str, object], tensors: tuple[TensorInfo, ...]) -> tuple[ModelShape | None, str]:
    """The ModelShape of the language model (vision/audio towers left out), with the bytes the weights take in memory."""
    arch = info.architecture
    if arch in NO_SHAPE_TYPES or cfg_str(cfg.get("model_type")) in NO_SHAPE_TYPES:
        return None, f"shape unknown for architecture {arch}"
    needed = {"num_hidden_layers": info.n_layers, "hidden_size": info.n_embd, "num_attention_heads": info.n_heads}
    missing = [k for k, v in needed.items() if not v]
    if missing:
        return None, f"shape unknown: config.json lacks {', '.join(missing)}"
    text = [t for t in tensors if not NOT_TEXT.search(t.name)]
    blocks = [t for t in text if LAYER.search(t.name)]
    if not blocks:
        return None, f"shape unknown for architecture {arch}: no transformer blocks among its tensors"
    rest = [t for t in text if not LAYER.search(t.name)]
    embedding = sum(t.n_bytes for t in rest if EMBEDDING.search(_module(t)))
    output = sum(t.n_bytes for t in rest if OUTPUT.search(_module(t)))
    tied = output == 0 or cfg.get("tie_word_embeddings") is True
    block_bytes = sum(t.n_bytes for t in blocks)
    n_expert = cfg_int(cfg, "num_local_experts", "num_experts", "n_routed_experts")
    n_used = cfg_int(cfg, "num_experts_per_tok", "moe_top_k")
    active = 1.0
    if n_expert and n_used:
        expert_bytes = sum(t.n_bytes for t in blocks if ".experts." in t.name)
        active = (block_bytes - expert_bytes + expert_bytes * min(n_used, n_expert) / n_expert) / block_bytes
    n_ff = cfg_int(cfg, "intermediate_size", "n_inner", "ffn_dim", "ffn_hidden_size")
    n_ff = n_ff or cfg_int(cfg, "moe_intermediate_size") * max(n_used, 1)
    n_swa = swa_layers(cfg, cfg_str(cfg.get("model_type")) or arch, info.n_layers) if info.sliding_window else 0
    shape = shape_from_info(
        info,
        n_ff=n_ff,
        block_bytes=block_bytes,
        embedding_bytes=embedding,
        output_bytes=embedding if tied else output,
        tied=tied,
        n_swa=n_swa,
        active=active,
    )
    return shape, ""


def swa_layers(cfg: dict[str, object], model_type: str, n_layers: int) -> int:
    """Layers with sliding-window attention: config.json's layer_types, else the family's fixed period."""
    types = cfg.get("layer_types")
    if isinstance(types, list) and types:
        return sum(1 for t in types[:n_layers] if t == "sliding_attention")
    period = cfg_int(cfg, "sliding_window_pattern") or SWA_PERIODS.get(model_type, 0)
    if not period:
        return 0  # llama.cpp ignores the window of other architectures (mistral, phi3)
    return n_layers // period * (period - 1) + min(n_layers % period, period - 1)


def _details(
    config: dict[str, object],
    cfg: dict[str, object],
    headers: list[SafetensorsHeader],
    tensors: tuple[TensorInfo, ...],
    quant: Quantization | None,
) -> dict[str, str]:
    out: dict[str, str] = {}
    arch_class = first_str(config.get("architectures"))
    if arch_class:
        out["architecture class"] = arch_class
    declared = cfg_str(cfg.get("torch_dtype")) or cfg_str(cfg.get("dtype"))
    if declared:
        out["dtype"] = declared
    out["tensors"] = f"{len(tensors):,}"
    if len(headers) > 1:
        out["shards"] = str(len(headers))
    fmt = headers[0].metadata.get("format") if headers else None
    if fmt:
        out["safetensors format"] = fmt
    other = sum(1 for t in tensors if NOT_TEXT.search(t.name))
    if other:
        out["vision/audio tensors"] = f"{other:,} (not part of the language model's shape)"
    n_expert = cfg_int(cfg, "num_local_experts", "num_experts", "n_routed_experts")
    if n_expert:
        out["experts"] = f"{n_expert} ({cfg_int(cfg, 'num_experts_per_tok', 'moe_top_k')} used per token)"
    rope = cfg.get("rope_theta")
    if isinstance(rope, int | float) and not isinstance(rope, bool):
        out["RoPE base"] = f"{rope:g}"
    version = cfg_str(config.get("transformers_version"))
    if version:
        out["transformers version"] = version
    if quant:
        out.update(quant.details)
    return out


def _module(t: TensorInfo) -> str:
    return t.name.rsplit(".", 1)[0]


def _embedding_rows(tensors: tuple[TensorInfo, ...]) -> int:
    for t in tensors:
        if len(t.shape) == 2 and EMBEDDING.search(_module(t)) and not NOT_TEXT.search(t.name):
            return t.shape[0]
    return 0



def _size(files: tuple[Path, ...]) -> int:
    try:
        return sum(p.stat().st_size for p in files)
    except OSError as e:
        raise ModelFileError(Message("cannot read {filename}: {reason}", filename=str(e.filename),
                                     reason=str(e.strerror or e))) from e

