"""The header of the GGUF that llama.cpp's converter writes from a Hugging Face folder, predicted from the folder's files.

The tensor data of the converted file is predicted exactly from the safetensors headers (app.ui.quantize_estimates'
converted_layout); the header holds the vocabulary, which is most of it: this counts it as gguf-py's writer encodes it
(tokens from tokenizer.json padded to config.json's vocab_size, a score and a type per token for a SentencePiece-style
"llama" vocabulary, the merges for a "gpt2" one), the tensor infos under llama.cpp's tensor names, and the model's other
key-values as one measured constant.
"""

from __future__ import annotations

import json
import re
from collections.abc import Sequence
from pathlib import Path

from formats.model import TensorInfo

ALIGNMENT = 32
OTHER_KEYS_BYTES = 951
"""general.* and the architecture's hyperparameters, tokenizer.ggml.model/pre and the special token ids: measured on a
converted Llama (they vary by a few dozen bytes with the model's name and architecture)."""

_LAYER = re.compile(r"^(?:model\.|transformer\.|gpt_neox\.)?(?:layers|h|blocks)\.(\d+)\.(.+)$")
_IN_LAYER = {
    "self_attn.q_proj": "attn_q", "self_attn.k_proj": "attn_k", "self_attn.v_proj": "attn_v",
    "self_attn.o_proj": "attn_output", "self_attn.qkv_proj": "attn_qkv", "mlp.gate_proj": "ffn_gate",
    "mlp.up_proj": "ffn_up", "mlp.down_proj": "ffn_down", "input_layernorm": "attn_norm",
    "post_attention_layernorm": "ffn_norm", "self_attn.q_norm": "attn_q_norm", "self_attn.k_norm": "attn_k_norm",
    "pre_feedforward_layernorm": "ffn_norm", "post_feedforward_layernorm": "post_ffw_norm",
}  # fmt: skip
_TOP = {"model.embed_tokens": "token_embd", "lm_head": "output", "model.norm": "output_norm"}


def gguf_tensor_name(name: str) -> str:
    """llama.cpp's name for a Llama-family Hugging Face tensor ("model.layers.3.mlp.down_proj.weight" ->
    "blk.3.ffn_down.weight"); other names are kept (their length is then an approximation)."""
    stem, dot, suffix = name.rpartition(".")
    if not dot or suffix not in ("weight", "bias"):
        return name
    m = _LAYER.match(stem)
    if m is not None and m[2] in _IN_LAYER:
        return f"blk.{m[1]}.{_IN_LAYER[m[2]]}.{suffix}"
    return f"{_TOP[stem]}.{suffix}" if stem in _TOP else name


def _n_dims(shape: Sequence[int]) -> int:
    return max(1, len(shape))


def _vocab_bytes(folder: Path) -> int:
    """The tokenizer arrays (tokens, scores, token types, merges) with their keys, as gguf-py writes them."""
    try:
        tokenizer = json.loads((folder / "tokenizer.json").read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return 0
    model = tokenizer.get("model", {})
    tokens: dict[int, str] = {i: t for t, i in model.get("vocab", {}).items()} if isinstance(model.get("vocab"), dict) else {}
    for added in tokenizer.get("added_tokens", []):
        tokens.setdefault(added["id"], added["content"])
    try:
        config = json.loads((folder / "config.json").read_text(encoding="utf-8"))
        n_vocab = int(config.get("vocab_size") or config.get("text_config", {}).get("vocab_size") or len(tokens))
    except (OSError, ValueError, TypeError, AttributeError):
        n_vocab = len(tokens)
    n_vocab = max(n_vocab, len(tokens))
    text = sum(8 + len(tokens[i].encode()) if i in tokens else 8 + len(f"[PAD{i}]") for i in range(n_vocab))

    def array(key: str, items: int) -> int:  # key, value type, item type, count, items
        return 8 + len(key) + 4 + 4 + 8 + items

    spm = model.get("type") == "Unigram" or bool(model.get("byte_fallback"))  # gguf "llama" vocabularies
    size = array("tokenizer.ggml.tokens", text) + array("tokenizer.ggml.token_type", 4 * n_vocab)
    if spm:
        return size + array("tokenizer.ggml.scores", 4 * n_vocab)
    merges = model.get("merges", [])
    merge_text = sum(8 + len((m if isinstance(m, str) else " ".join(m)).encode()) for m in merges)
    return size + (array("tokenizer.ggml.merges", merge_text) if merges else 0)


def converted_header_bytes(folder: Path, tensors: Sequence[TensorInfo]) -> int:
    """The padded header of the F16 GGUF that converting ``folder`` writes, given its tensor table (HF names)."""
    infos = sum(8 + len(gguf_tensor_name(t.name).encode()) + 4 + 8 * _n_dims(t.shape) + 4 + 8 for t in tensors)
    size = 4 + 4 + 8 + 8 + OTHER_KEYS_BYTES + _vocab_bytes(folder) + infos
    return -(-size // ALIGNMENT) * ALIGNMENT
