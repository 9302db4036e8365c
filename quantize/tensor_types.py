"""The type llama.cpp gives each tensor of a quantized file: a line-by-line port of llama-quant.cpp (llama-cpp-python
0.3.36's llama.cpp): ``tensor_allows_quantization``, ``llama_tensor_get_type`` and ``llama_tensor_get_type_impl``,
``tensor_type_fallback``, the state counters (``n_attention_wv``, ``i_ffn_down``...) in the loader's tensor order, and the
architecture and mixture-of-experts special cases.

Not ported: ``--tensor-type`` overrides, ``--output-tensor-type``/``--token-embedding-type``, layer pruning and the
MXFP4_MOE file type (Modelwerk offers none of them).
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field

from formats.ggml import GGML_BY_NAME
from formats.model import TensorInfo

# llama_ftype_get_default_type: the ggml type of a file type's ordinary tensors.
DEFAULT_TYPE: dict[str, str] = {
    "F32": "F32", "F16": "F16", "BF16": "BF16", "Q4_0": "Q4_0", "Q4_1": "Q4_1", "Q5_0": "Q5_0", "Q5_1": "Q5_1",
    "Q8_0": "Q8_0", "Q2_K_S": "Q2_K", "Q2_K": "Q2_K", "IQ3_XS": "IQ3_S", "Q3_K_S": "Q3_K", "Q3_K_M": "Q3_K",
    "Q3_K_L": "Q3_K", "Q4_K_S": "Q4_K", "Q4_K_M": "Q4_K", "Q5_K_S": "Q5_K", "Q5_K_M": "Q5_K", "Q6_K": "Q6_K",
    "TQ1_0": "TQ1_0", "TQ2_0": "TQ2_0", "IQ2_XXS": "IQ2_XXS", "IQ2_XS": "IQ2_XS", "IQ2_S": "IQ2_XS", "IQ2_M": "IQ2_S",
    "IQ3_XXS": "IQ3_XXS", "IQ1_S": "IQ1_S", "IQ1_M": "IQ1_M", "IQ4_NL": "IQ4_NL", "IQ4_XS": "IQ4_XS", "IQ3_S": "IQ3_S",
    "IQ3_M": "IQ3_S",
}  # fmt: skip

_FLOAT = frozenset({"F32", "F16", "BF16", "F64", "I8", "I16", "I32", "I64"})  # not ggml_is_quantized
_IQ2_FAMILY = frozenset({"IQ2_XXS", "IQ2_XS", "IQ1_S", "IQ2_S", "IQ2_M", "IQ1_M"})
_LOW_BIT_OUTPUT = _IQ2_FAMILY | {"IQ3_XXS"}  # output -> Q5_K
_EIGHT_EXPERT_ATTN_OUTPUT = frozenset({"Q2_K", "IQ3_XS", "IQ3_XXS", "Q3_K_S", "Q3_K_M", "IQ4_NL", "Q4_K_S", "Q4_K_M",
                                       "IQ3_S", "IQ3_M", "IQ4_XS"})  # fmt: skip
_BLOCK_256_TO_IQ4_NL = frozenset({"IQ1_S", "IQ1_M", "IQ2_XXS", "IQ2_XS", "IQ2_S", "IQ3_XXS", "IQ3_S", "IQ4_XS"})
_FALLBACK = {"Q2_0": "Q4_0", "Q2_K": "Q4_0", "Q3_K": "Q4_0", "TQ1_0": "Q4_0", "TQ2_0": "Q4_0", "Q4_K": "Q5_0",
             "Q5_K": "Q5_1", "Q6_K": "Q8_0"} | dict.fromkeys(_BLOCK_256_TO_IQ4_NL, "IQ4_NL")  # fmt: skip

# tensor_allows_quantization's name tests
_NEVER_QUANTIZED = (
    "_norm.weight", "ffn_gate_inp.weight", "ffn_gate_tid2eid.weight", "altup", "laurel", "per_layer_model_proj",
    "ssm_conv1d", "shortconv.conv.weight", "indexer.k_proj.weight", "indexer.q_proj.weight",
    "time_mix_first.weight", "time_mix_w0.weight", "time_mix_w1.weight", "time_mix_w2.weight", "time_mix_v0.weight",
    "time_mix_v1.weight", "time_mix_v2.weight", "time_mix_a0.weight", "time_mix_a1.weight", "time_mix_a2.weight",
    "time_mix_g1.weight", "time_mix_g2.weight", "time_mix_decay_w1.weight", "time_mix_decay_w2.weight",
    "time_mix_lerp_fused.weight", "attn_rel_b.weight", ".position_embd", "sam.pos_embd", "sam.neck.", "sam.net_",
    ".rel_pos", ".patch_embd", ".patch_merger", "a.rvq.codebook", "mm.a.code_embd",
)  # fmt: skip
_GLM5_NEXT_NEVER = (
    "hc_", "indexer.attn_q_b", "indexer.attn_k", "indexer.proj", "indexer_compressor_gate", "indexer_compressor_ape",
    "ssm_f_a.weight", "ssm_f_b.weight", "ssm_g_a.weight", "ssm_g_b.weight", "ssm_beta.weight", "attn_kv_a_mqa.weight",
    "attn_k_b.weight", "attn_v_b.weight",
)  # fmt: skip
_BLK = re.compile(r"blk\.([+-]?\d+)")  # sscanf(name, "blk.%d.")

# tensor_category
TOKEN_EMBD, ATTENTION_Q, ATTENTION_V, ATTENTION_K, ATTENTION_QKV, ATTENTION_KV_B = range(6)
ATTENTION_OUTPUT, FFN_UP, FFN_GATE, FFN_DOWN, OUTPUT, OTHER = range(6, 12)
_ATTN_V_LIKE = (ATTENTION_V, ATTENTION_QKV, ATTENTION_KV_B)


@dataclass(frozen=True)
class ModelParams:
    """What the rules read from the model's hyperparameters (the source's metadata)."""

    arch: str
    n_layer: int  # hparams.n_layer_all: {arch}.block_count
    n_head: int  # of layer 0
    n_head_kv: int
    n_expert: int = 0

    @property
    def n_gqa(self) -> int:
        return self.n_head // self.n_head_kv if self.n_head_kv else 0

    @property
    def is_70b(self) -> bool:
        """llama.cpp's LLM_TYPE_70B, as its llama_quant_model_from_metadata infers it."""
        return self.arch == "llama" and self.n_layer == 80 and self.n_head != self.n_head_kv

    @classmethod
    def from_metadata(cls, metadata: Mapping[str, object]) -> ModelParams:
        arch = str(metadata.get("general.architecture", ""))

        def first(key: str, default: int) -> int:
            value = metadata.get(f"{arch}.{key}", default)
            if isinstance(value, tuple):
                value = value[0] if value else default
            return int(value) if isinstance(value, (int, float)) and not isinstance(value, bool) else default

        n_head = first("attention.head_count", 0)
        return cls(arch, first("block_count", 0), n_head, first("attention.head_count_kv", n_head), first("expert_count", 0))


@dataclass(frozen=True)
class Options:
    """The quantize parameters that change the types."""

    quantize_output_tensor: bool = True  # False: --leave-output-tensor
    pure: bool = False
    has_imatrix: bool = False


@dataclass
class _State:  # quantize_state_impl's counters
    n_attention_wv: int = 0
    n_ffn_down: int = 0
    n_ffn_gate: int = 0
    n_ffn_up: int = 0
    i_attention_wv: int = 0
    i_ffn_down: int = 0
    i_ffn_gate: int = 0
    i_ffn_up: int = 0
    n_fallback: int = 0
    has_tied_embeddings: bool = True
    fallbacks: list[str] = field(default_factory=list)


def category(name: str) -> int:
    """tensor_get_category."""
    if name == "output.weight":
        return OUTPUT
    if name in ("token_embd.weight", "per_layer_token_embd.weight"):
        return TOKEN_EMBD
    for part, cat in (("attn_qkv.weight", ATTENTION_QKV), ("attn_kv_b.weight", ATTENTION_KV_B),
                      ("attn_v.weight", ATTENTION_V), ("attn_k.weight", ATTENTION_K), ("attn_q.weight", ATTENTION_Q),
                      ("attn_output.weight", ATTENTION_OUTPUT), ("ffn_up", FFN_UP), ("ffn_gate", FFN_GATE),
                      ("ffn_down", FFN_DOWN)):  # fmt: skip
        if part in name:
            return cat
    return OTHER


def n_dims(shape: Sequence[int]) -> int:
    """ggml_n_dims: trailing dimensions of 1 do not count."""
    for i in range(len(shape) - 1, 0, -1):
        if shape[i] > 1:
            return i + 1
    return 1


def allows_quantization(name: str, shape: Sequence[int], arch: str, options: Options = Options()) -> bool:
    """tensor_allows_quantization."""
    if n_dims(shape) < 2 or not name.endswith("weight"):
        return False
    if not options.quantize_output_tensor and name == "output.weight":
        return False
    if name in ("position_embd.weight", "token_types.weight"):
        return False
    if any(part in name for part in _NEVER_QUANTIZED):
        return False
    return not (arch == "glm5-next" and any(part in name for part in _GLM5_NEXT_NEVER))


def loader_order(name: str) -> tuple[int, bytes]:
    """llama_model_loader's weight_name_comparer: block number (-1 outside blocks), then the name."""
    m = _BLK.match(name)
    return (int(m[1]) if m else -1, name.encode())


def _use_more_bits(i_layer: int, n_layers: int) -> bool:
    return i_layer < n_layers // 8 or i_layer >= 7 * n_layers // 8 or _cmod(i_layer - n_layers // 8, 3) == 2


def _cmod(a: int, b: int) -> int:
    """C's a % b (the sign of a): (i_layer - n_layers/8) % 3 is never 2 for the first layers."""
    return a - b * int(a / b)


def _fallback(qs: _State, name: str, ncols: int, target: str) -> str:
    """tensor_type_fallback: rows that do not divide into the target's blocks."""
    block = GGML_BY_NAME[target].block
    if ncols % block == 0:
        return target
    qs.n_fallback += 1
    qs.fallbacks.append(name)
    if target in _FALLBACK:
        result = _FALLBACK[target]
    elif block <= 32:
        result = target
    else:
        raise ValueError(f"llama.cpp defines no tensor type fallback for type {target}")
    return result if ncols % GGML_BY_NAME[result].block == 0 else "F16"


def _impl(qs: _State, hp: ModelParams, opts: Options, new_type: str, t: TensorInfo, ftype: str, cat: int) -> str:
    """llama_tensor_get_type_impl."""
    name, arch = t.name, hp.arch
    n_expert = max(1, hp.n_expert)

    def layer_info(i_layer: int, n_layer: int) -> tuple[int, int]:
        if n_expert > 1:
            m = _BLK.match(name)
            if m is None:
                raise ValueError(f"Failed to determine layer for tensor {name}")
            i_layer = int(m[1])
            if i_layer < 0 or i_layer >= n_layer:
                raise ValueError(f"Bad layer {i_layer} for tensor {name}. Must be in [0, {n_layer})")
        return i_layer, n_layer

    glm_q = arch == "glm5-next" and any(p in name for p in ("attn_q_a", "attn_q_b", "nextn.eh_proj"))
    if glm_q and new_type not in ("F32", "BF16", "F16"):
        return "Q8_0"

    if cat == OUTPUT or (qs.has_tied_embeddings and cat == TOKEN_EMBD):
        nx = t.shape[0]
        if arch == "falcon" or nx % GGML_BY_NAME[new_type].block != 0:
            new_type = "Q8_0"
        elif ftype in _LOW_BIT_OUTPUT:
            new_type = "Q5_K"
        elif new_type != "Q8_0":
            new_type = "Q6_K"
    elif cat == TOKEN_EMBD:
        if ftype in ("IQ2_XXS", "IQ2_XS", "IQ1_S", "IQ1_M"):
            new_type = "Q2_K"
        elif ftype in ("IQ2_S", "IQ2_M", "IQ3_XXS"):
            new_type = "IQ3_S"
        elif ftype in ("TQ1_0", "TQ2_0", "Q2_0"):
            new_type = "Q4_K"
    elif ftype in _IQ2_FAMILY:
        if cat in _ATTN_V_LIKE:
            if hp.n_gqa >= 4 or hp.n_expert >= 4:  # noqa: SIM108 - kept as llama.cpp writes it
                new_type = "Q4_K"
            else:
                new_type = "IQ3_S" if ftype in ("IQ2_S", "IQ2_M") else "Q2_K"
            qs.i_attention_wv += 1
        elif hp.n_expert == 8 and cat == ATTENTION_K:
            new_type = "Q4_K"
        elif cat == FFN_DOWN:
            if qs.i_ffn_down < qs.n_ffn_down // 8:
                new_type = "IQ3_S" if ftype in ("IQ2_S", "IQ2_M") else "Q2_K"
            qs.i_ffn_down += 1
        elif cat == ATTENTION_OUTPUT:
            if hp.n_expert == 8:
                new_type = "Q5_K"
            elif ftype in ("IQ1_S", "IQ1_M"):
                new_type = "IQ2_XXS"
            elif ftype in ("IQ2_S", "IQ2_M"):
                new_type = "IQ3_S"
    elif cat in _ATTN_V_LIKE:
        if ftype == "Q2_K":
            new_type = "Q4_K" if hp.n_gqa >= 4 else "Q3_K"
        elif ftype == "Q2_K_S" and hp.n_gqa >= 4:
            new_type = "Q4_K"
        elif ftype == "IQ3_XXS":
            new_type = "Q4_K" if hp.n_gqa >= 4 else "IQ3_S" if not opts.has_imatrix else "IQ3_XXS"
        elif ftype in ("IQ3_XS", "IQ3_S") and hp.n_gqa >= 4:  # noqa: SIM114 - kept as llama.cpp writes it
            new_type = "Q4_K"
        elif ftype == "IQ3_M":
            new_type = "Q4_K"
        elif ftype == "Q3_K_M":
            new_type = "Q5_K" if qs.i_attention_wv < 2 else "Q4_K"
        elif ftype == "Q3_K_L":  # noqa: SIM114 - kept as llama.cpp writes it
            new_type = "Q5_K"
        elif ftype in ("IQ4_NL", "IQ4_XS") and hp.n_gqa >= 4:
            new_type = "Q5_K"
        elif ftype in ("Q4_K_M", "Q5_K_M") and _use_more_bits(qs.i_attention_wv, qs.n_attention_wv):
            new_type = "Q6_K"
        elif ftype == "Q4_K_S" and qs.i_attention_wv < 4:
            new_type = "Q5_K"
        if hp.is_70b and new_type in ("Q3_K", "Q4_K"):
            new_type = "Q5_K"
        if hp.n_expert == 8:
            new_type = "Q8_0"
        qs.i_attention_wv += 1
    elif cat == ATTENTION_K:
        if hp.n_expert == 8:
            new_type = "Q8_0"
        elif ftype == "IQ3_XS":
            new_type = "IQ3_XXS"
        elif ftype == "IQ3_XXS":
            new_type = "IQ2_S"
    elif cat == ATTENTION_Q:
        if ftype == "IQ3_XS":
            new_type = "IQ3_XXS"
        elif ftype == "IQ3_XXS":
            new_type = "IQ2_S"
    elif cat == FFN_DOWN:
        i_layer, n_layer = layer_info(qs.i_ffn_down, qs.n_ffn_down)
        if ftype == "Q2_K":
            new_type = "Q3_K"
        elif ftype == "Q2_K_S":
            if i_layer < n_layer // 8:
                new_type = "Q4_K"
        elif ftype == "IQ3_XXS" and not opts.has_imatrix:
            new_type = "Q4_K" if i_layer < n_layer // 8 else "Q3_K"
        elif ftype == "Q3_K_M":
            new_type = ("Q5_K" if i_layer < n_layer // 16
                        else "Q4_K" if arch != "falcon" or _use_more_bits(i_layer, n_layer) else "Q3_K")  # fmt: skip
        elif ftype == "IQ3_M" and (i_layer < n_layer // 8 or (hp.n_expert == 8 and _use_more_bits(i_layer, n_layer))):
            new_type = "Q4_K"
        elif ftype == "Q3_K_L":
            new_type = "Q4_K" if arch == "falcon" else "Q5_K"
        elif ftype == "Q4_K_M":
            if arch == "falcon":
                new_type = ("Q6_K" if i_layer < n_layer // 16
                            else "Q5_K" if _use_more_bits(i_layer, n_layer) else "Q4_K")  # fmt: skip
            elif _use_more_bits(i_layer, n_layer):
                new_type = "Q6_K"
        elif i_layer < n_layer // 8 and ftype in ("IQ4_NL", "IQ4_XS") and not opts.has_imatrix:
            new_type = "Q5_K"
        elif ftype == "Q5_K_M" and _use_more_bits(i_layer, n_layer):
            new_type = "Q6_K"
        elif ftype == "Q4_K_S" and arch != "falcon" and i_layer < n_layer // 8:
            new_type = "Q5_K"
        elif ftype in ("Q4_0", "Q5_0") and opts.has_imatrix and i_layer < n_layer // 8:
            new_type = "Q4_1" if ftype == "Q4_0" else "Q5_1"
        qs.i_ffn_down += 1
    elif cat == ATTENTION_OUTPUT:
        if arch != "falcon":
            if hp.n_expert == 8:
                if ftype in _EIGHT_EXPERT_ATTN_OUTPUT:
                    new_type = "Q5_K"
            else:
                new_type = {"Q2_K": "Q3_K", "IQ3_XXS": "IQ3_S", "Q3_K_M": "Q4_K", "Q3_K_L": "Q5_K",
                            "IQ3_M": "Q4_K"}.get(ftype, new_type)  # fmt: skip
        elif ftype == "Q3_K_L":
            new_type = "Q4_K"
    elif cat == ATTENTION_QKV:
        if ftype in ("Q3_K_M", "Q3_K_L", "IQ3_M"):
            new_type = "Q4_K"
        elif ftype == "Q4_K_M":
            new_type = "Q5_K"
        elif ftype == "Q5_K_M":
            new_type = "Q6_K"
    elif cat == FFN_GATE:
        i_layer, n_layer = layer_info(qs.i_ffn_gate, qs.n_ffn_gate)
        if ftype == "IQ3_XS" and n_layer // 8 <= i_layer < 7 * n_layer // 8:
            new_type = "IQ3_XXS"
        qs.i_ffn_gate += 1
    elif cat == FFN_UP:
        i_layer, n_layer = layer_info(qs.i_ffn_up, qs.n_ffn_up)
        if ftype == "IQ3_XS" and n_layer // 8 <= i_layer < 7 * n_layer // 8:
            new_type = "IQ3_XXS"
        qs.i_ffn_up += 1
    return new_type


def requires_imatrix(name: str, new_type: str, ftype: str) -> bool:
    """tensor_requires_imatrix: llama.cpp refuses to make this tensor's type without an importance matrix."""
    if name in ("token_embd.weight", "per_layer_token_embd.weight", "output.weight"):
        return False
    if new_type in ("IQ3_XXS", "IQ2_XXS", "IQ2_XS", "IQ2_S", "IQ1_M", "IQ1_S"):
        return True
    return new_type == "Q2_K" and ftype == "Q2_K_S"


@dataclass(frozen=True)
class TypeChoice:
    """Each tensor's type in the output (by name, in the loader's order), the names that needed a fallback type, and
    the names whose type llama.cpp makes only with an importance matrix."""

    types: dict[str, str]
    fallbacks: tuple[str, ...]
    needs_imatrix: tuple[str, ...] = ()


def tensor_types(tensors: Iterable[TensorInfo], hp: ModelParams, ftype: str, options: Options = Options()) -> TypeChoice:
    """The type of every tensor after quantizing to file type ``ftype`` ("Q4_K_M"): llama.cpp's preliminary loop.

    Raises:
        ValueError: an unknown file type, or a tensor llama.cpp itself would refuse (its message).
    """
    try:
        default_type = DEFAULT_TYPE[ftype]
    except KeyError:
        raise ValueError(f"invalid output file type {ftype}") from None
    order = sorted(tensors, key=lambda t: loader_order(t.name))
    cats = [category(t.name) for t in order]
    qs = _State()
    qs.n_attention_wv = sum(c in _ATTN_V_LIKE for c in cats)
    qs.has_tied_embeddings = OUTPUT not in cats
    qs.n_ffn_down = qs.n_ffn_gate = qs.n_ffn_up = hp.n_layer
    types: dict[str, str] = {}
    needs_imatrix: list[str] = []
    for t, cat in zip(order, cats, strict=True):
        new_type = t.type_name
        if allows_quantization(t.name, t.shape, hp.arch, options):
            new_type = default_type
            if default_type not in _FLOAT:
                if not options.pure:
                    new_type = _impl(qs, hp, options, new_type, t, ftype, cat)
                new_type = _fallback(qs, t.name, t.shape[0], new_type)
            if requires_imatrix(t.name, new_type, ftype):
                needs_imatrix.append(t.name)
        types[t.name] = new_type
    return TypeChoice(types, tuple(qs.fallbacks), tuple(needs_imatrix))
