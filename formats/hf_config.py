"""What a Hugging Face folder's JSON files say: config, quantization, chat template, tokenizer, special tokens."""

from __future__ import annotations

import logging
import re
from dataclasses import dataclass, field
from pathlib import Path

from core.messages import Message
from formats.model import ModelFileError
from formats.safetensors import parse_json, read_small_file

log = logging.getLogger(__name__)

MAX_JSON_BYTES = 64 << 20
MAX_TEMPLATE_BYTES = 1 << 20
_TOKENIZER_TYPE = re.compile(rb'"model"\s*:\s*\{\s*"type"\s*:\s*"([A-Za-z]{1,40})"')


@dataclass(frozen=True)
class Quantization:
    """What quantize_config.json or config.json's quantization_config says."""

    method: str
    """"gptq", "awq", "fp8"... (lower case)."""
    label: str
    """"GPTQ 4-bit g128"."""
    bits: int = 0
    details: dict[str, str] = field(default_factory=dict)


def read_json_object(path: Path, *, limit: int = MAX_JSON_BYTES) -> dict[str, object]:
    """A JSON file that must hold an object (config.json, quantize_config.json); raises ModelFileError."""
    raw = read_small_file(path, limit, "too large for a configuration file")
    value = parse_json(raw, path.name, strict=False)
    if not isinstance(value, dict):
        raise ModelFileError(Message("{name} is not a JSON object", name=str(path.name)))
    return value


def optional_json(path: Path) -> dict[str, object]:
    """A file that only adds detail (tokenizer_config.json): a broken one is logged and skipped, not fatal."""
    if not path.is_file():
        return {}
    try:
        return read_json_object(path)
    except ModelFileError as e:
        log.warning("ignoring %s: %s", path, e)
        return {}


def text_config(config: dict[str, object]) -> dict[str, object]:
    """The language model's settings: multimodal configs keep them in text_config (the top level gives defaults)."""
    for key in ("text_config", "llm_config", "language_config"):
        sub = config.get(key)
        if isinstance(sub, dict) and any(k in sub for k in ("hidden_size", "num_hidden_layers", "vocab_size")):
            return {**config, **sub}
    return config


def quantization(folder: Path, config: dict[str, object]) -> Quantization | None:
    """From quantize_config.json (AutoGPTQ/GPTQModel) and config.json's quantization_config (which wins)."""
    q: dict[str, object] = {}
    qpath = folder / "quantize_config.json"
    source = "config.json"
    if qpath.is_file():
        q.update(read_json_object(qpath))
        source = qpath.name
    in_config = config.get("quantization_config")
    if isinstance(in_config, dict):
        q.update(in_config)
        source = "config.json"
    if not q:
        return None
    method = (cfg_str(q.get("quant_method")) or ("gptq" if qpath.is_file() else "unknown")).lower()
    bits = cfg_int(q, "bits", "w_bit") or (4 if q.get("load_in_4bit") is True else 8 if q.get("load_in_8bit") is True else 0)
    group = q.get("group_size", q.get("q_group_size"))
    details = {"quantization method": method}
    if method == "gptq":
        if bits not in (2, 3, 4, 8):
            raise ModelFileError(Message("{source}: GPTQ bits must be 2, 3, 4 or 8, not {get}", source=str(source),
                                         get=repr(q.get('bits'))))
        if not (isinstance(group, int) and not isinstance(group, bool) and (group == -1 or group > 0)):
            raise ModelFileError(Message("{source}: GPTQ group_size must be -1 or a positive integer, not {group}",
                                         source=str(source), group=repr(group)))
        details.update(_gptq_details(q, bits, group))
        return Quantization("gptq", f"GPTQ {bits}-bit" + (f" g{group}" if group > 0 else ""), bits, details)
    label = method.upper() if len(method) <= 5 else method
    if bits:
        details["bits"] = str(bits)
        label += f" {bits}-bit"
    if isinstance(group, int) and not isinstance(group, bool) and group > 0:
        details["group size"] = str(group)
        label += f" g{group}"
    return Quantization(method, label, bits, details)


def _gptq_details(q: dict[str, object], bits: int, group: int) -> dict[str, str]:
    out = {"bits": str(bits), "group size": str(group) if group > 0 else "none (per channel)"}
    for key, label in (("desc_act", "act order"), ("sym", "symmetric"), ("true_sequential", "true sequential")):
        if isinstance(q.get(key), bool):
            out[label] = "yes" if q[key] else "no"
    fmt = cfg_str(q.get("checkpoint_format")) or cfg_str(q.get("format"))
    out["format"] = fmt or "gptq"
    if isinstance(q.get("damp_percent"), int | float):
        out["damping"] = f"{q['damp_percent']:g}"
    meta = q.get("meta")
    quantizer = meta.get("quantizer") if isinstance(meta, dict) else None
    if isinstance(quantizer, list) and all(isinstance(x, str) for x in quantizer):
        out["quantizer"] = ", ".join(quantizer)
    elif isinstance(quantizer, str):
        out["quantizer"] = quantizer
    return out


def chat_template(folder: Path, tok_cfg: dict[str, object]) -> str | None:
    """chat_template.jinja, else tokenizer_config.json's chat_template (a string or named ones), else chat_template.json."""
    jinja = folder / "chat_template.jinja"
    if jinja.is_file() and jinja.stat().st_size <= MAX_TEMPLATE_BYTES:
        try:
            return jinja.read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError) as e:
            log.warning("ignoring %s: %s", jinja, e)
    template = tok_cfg.get("chat_template") or optional_json(folder / "chat_template.json").get("chat_template")
    if isinstance(template, str):
        return template
    if isinstance(template, list):  # [{"name": "default", "template": "..."}, {"name": "tool_use", ...}]
        named = {d.get("name"): d["template"] for d in template if isinstance(d, dict) and isinstance(d.get("template"), str)}
        return named.get("default") or next(iter(named.values()), None)
    return None


def tokenizer_type(folder: Path, tok_cfg: dict[str, object]) -> str:
    """tokenizer.json's model type ("BPE", "Unigram"), else tokenizer_config.json's tokenizer_class."""
    path = folder / "tokenizer.json"
    if path.is_file():
        # The vocabulary makes tokenizer.json tens of MB; the model type sits near its start, so scan, don't parse.
        try:
            with open(path, "rb") as f:
                tail = b""
                while chunk := f.read(1 << 20):
                    m = _TOKENIZER_TYPE.search(tail + chunk)
                    if m:
                        return m[1].decode("ascii")
                    tail = chunk[-256:]
        except OSError as e:
            log.warning("ignoring %s: %s", path, e)
    return cfg_str(tok_cfg.get("tokenizer_class")) or ""


def special_token(tok_cfg: dict[str, object], special: dict[str, object], key: str) -> str | None:
    for source in (tok_cfg, special):
        value = source.get(key)
        if isinstance(value, dict):  # an AddedToken: {"content": "<s>", "lstrip": false, ...}
            value = value.get("content")
        if isinstance(value, str):
            return value
    return None


def cfg_int(cfg: dict[str, object], *keys: str) -> int:
    """The first of `keys` holding a non-negative integer; 0 if none does."""
    for key in keys:
        value = cfg.get(key)
        if isinstance(value, int) and not isinstance(value, bool) and value >= 0:
            return value
    return 0


def cfg_str(value: object) -> str | None:
    return value if isinstance(value, str) and value else None


def first_str(value: object) -> str | None:
    return value[0] if isinstance(value, list) and value and isinstance(value[0], str) else None

