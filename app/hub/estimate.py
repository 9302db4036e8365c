"""The shape an original (safetensors) repository would have as a GGUF of some type, from its config.json alone.

Used before anything is downloaded or converted, to say which quantization type would fit this machine. Every weight is
counted at the type's whole-file average bits per weight (hardware.quants), which already includes llama.cpp's mix of
higher types for the sensitive tensors.
"""

from __future__ import annotations

from typing import Any

from formats.hf_config import cfg_int, cfg_str, text_config
from formats.hf_folder import NO_SHAPE_TYPES, swa_layers
from hardware.quants import quant_type
from hardware.shape import REPACK_SHARE, ModelShape, shape_for_params


def shape_from_config(config: dict[str, Any], *, n_params: int | None, quant: str, name: str = "") -> ModelShape | None:
    """ModelShape of the model quantized to `quant`; None when config.json lacks the dimensions (or names a non-transformer).

    Without a usable config, a representative shape for `n_params` stands in (when that is known).
    """
    q = quant_type(quant)
    cfg = text_config(config) if config else {}
    model_type = cfg_str(cfg.get("model_type")) or ""
    n_layers = cfg_int(cfg, "num_hidden_layers", "n_layer", "num_layers", "n_layers")
    n_embd = cfg_int(cfg, "hidden_size", "n_embd", "d_model")
    n_heads = cfg_int(cfg, "num_attention_heads", "n_head", "num_heads")
    n_vocab = cfg_int(cfg, "vocab_size")
    if model_type in NO_SHAPE_TYPES:
        return None
    if not (n_layers and n_embd and n_heads and n_vocab):
        return shape_for_params(n_params, q) if n_params else None
    n_kv = cfg_int(cfg, "num_key_value_heads", "num_kv_heads", "n_head_kv", "multi_query_group_num") or n_heads
    head_dim = cfg_int(cfg, "head_dim") or n_embd // n_heads
    head_k = head_v = head_dim
    rank, rope = cfg_int(cfg, "kv_lora_rank"), cfg_int(cfg, "qk_rope_head_dim")
    if rank:  # DeepSeek's latent attention: one compressed latent per token
        n_kv, head_k, head_v = 1, rank + rope, rank
    n_expert = cfg_int(cfg, "num_local_experts", "num_experts", "n_routed_experts")
    n_used = cfg_int(cfg, "num_experts_per_tok", "moe_top_k")
    moe_ff = cfg_int(cfg, "moe_intermediate_size")
    n_ff = cfg_int(cfg, "intermediate_size", "n_inner", "ffn_dim", "ffn_hidden_size") or moe_ff * max(n_used, 1)
    tied = cfg.get("tie_word_embeddings") is True
    emb_params = n_vocab * n_embd
    attn = n_embd * head_dim * (2 * n_heads + 2 * n_kv)
    if n_expert and n_used:
        expert_ff = moe_ff or n_ff
        block_params_guess = attn + 3 * n_embd * expert_ff * n_expert
    else:
        block_params_guess = attn + 3 * n_embd * n_ff
    total = n_params or n_layers * block_params_guess + emb_params * (1 if tied else 2)
    block_params = max(total - emb_params * (1 if tied else 2), total // 10) / n_layers
    active = 1.0
    if n_expert and n_used:
        expert = 3 * n_embd * (moe_ff or n_ff) * n_expert
        share = min(expert / block_params, 1.0)
        active = 1 - share + share * min(n_used, n_expert) / n_expert
    bytes_per = q.bits_per_weight / 8
    layer_bytes = round(block_params * bytes_per)
    emb_bytes = round(emb_params * bytes_per)
    window = cfg_int(cfg, "sliding_window") if cfg.get("use_sliding_window") is not False else 0
    n_swa = swa_layers(cfg, model_type, n_layers) if window else 0
    return ModelShape(
        name=name or model_type or "model",
        n_params=int(total),
        n_layers=n_layers,
        n_heads=n_heads,
        n_kv_heads=n_kv,
        head_dim_k=head_k,
        head_dim_v=head_v,
        n_embd=n_embd,
        n_ff=n_ff,
        n_vocab=n_vocab,
        context_train=cfg_int(cfg, "max_position_embeddings", "n_positions", "max_sequence_length", "seq_length", "n_ctx"),
        layer_bytes=layer_bytes,
        embedding_bytes=emb_bytes,
        output_bytes=emb_bytes,
        tied_embeddings=tied,
        n_swa_layers=n_swa,
        swa_window=window if n_swa else 0,
        active_fraction=active,
        quant=q.name,
        repack_bytes=round(n_layers * layer_bytes * REPACK_SHARE.get(q.name, 0.0)),
    )
