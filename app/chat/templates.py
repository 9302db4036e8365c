"""Chat templates: render a model's Jinja chat template the way Hugging Face transformers does, in a sandbox.

A GGUF file carries its template in ``tokenizer.chat_template``. Models without one get a default that fits their
architecture; a model with no template at all is flagged ``base_model`` (it continues text rather than chats).
"""

from __future__ import annotations

import functools
import json
import logging
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING, Any, Literal

from app.chat.messages import ChatError

if TYPE_CHECKING:
    import jinja2

    from app.library.model import ModelInfo

log = logging.getLogger(__name__)

__all__ = ["CHATML", "GEMMA", "LLAMA3", "ChatTemplate", "default_template_text", "render_messages", "template_for"]

GEMMA = (
    "{{ bos_token }}"
    "{% if messages and messages[0]['role'] == 'system' %}"
    "{% set first_user_prefix = messages[0]['content'] + '\n\n' %}{% set loop_messages = messages[1:] %}"
    "{% else %}{% set first_user_prefix = '' %}{% set loop_messages = messages %}{% endif %}"
    "{% for message in loop_messages %}"
    "{% set role = 'model' if message['role'] == 'assistant' else message['role'] %}"
    "<start_of_turn>{{ role }}\n{{ (first_user_prefix if loop.first else '') + message['content'] | trim }}<end_of_turn>\n"
    "{% endfor %}"
    "{% if add_generation_prompt %}<start_of_turn>model\n{% endif %}"
)
"""Gemma's turn format (the system prompt is folded into the first user turn, as Google's template does)."""

LLAMA3 = (
    "{{ bos_token }}"
    "{% for message in messages %}"
    "<|start_header_id|>{{ message['role'] }}<|end_header_id|>\n\n{{ message['content'] | trim }}<|eot_id|>"
    "{% endfor %}"
    "{% if add_generation_prompt %}<|start_header_id|>assistant<|end_header_id|>\n\n{% endif %}"
)
"""Llama 3 header format."""

CHATML = (
    "{% for message in messages %}"
    "<|im_start|>{{ message['role'] }}\n{{ message['content'] }}<|im_end|>\n"
    "{% endfor %}"
    "{% if add_generation_prompt %}<|im_start|>assistant\n{% endif %}"
)
"""ChatML (Qwen and many others)."""


@dataclass(frozen=True)
class ChatTemplate:
    """A chat template and where it came from."""

    text: str
    source: Literal["model", "default"] = "model"
    base_model: bool = False
    """True when the model carries no template: likely a base model, not tuned to chat."""
    bos_token: str = ""
    eos_token: str = ""


def default_template_text(architecture: str) -> str:
    """The default template for an architecture: Gemma turns, Llama 3 headers, else ChatML."""
    arch = architecture.lower()
    if arch.startswith("gemma"):
        return GEMMA
    if arch in ("llama3", "llama-3") or arch.startswith("llama3"):
        return LLAMA3
    return CHATML


def template_for(info: ModelInfo) -> ChatTemplate:
    """The model's own template, else a default fitting its architecture (then flagged base_model)."""
    bos, eos = info.bos_token or "", info.eos_token or ""
    if info.chat_template:
        return ChatTemplate(info.chat_template, "model", False, bos, eos)
    return ChatTemplate(default_template_text(info.architecture), "default", True, bos, eos)


def _raise_exception(message: str) -> None:
    import jinja2

    raise jinja2.exceptions.TemplateError(message)


def _strftime_now(fmt: str) -> str:
    return datetime.now().strftime(fmt)


def _tojson(value: Any, ensure_ascii: bool = False, indent: int | None = None, separators: Any = None,
            sort_keys: bool = False) -> str:  # fmt: skip
    # transformers' tojson: not HTML-escaped (jinja2's built-in one escapes <, >, &, ').
    return json.dumps(value, ensure_ascii=ensure_ascii, indent=indent, separators=separators, sort_keys=sort_keys)


@functools.lru_cache(maxsize=32)
def _compiled(text: str) -> jinja2.Template:
    import jinja2  # ~30 ms: imported when a template is first rendered, not at the app's start
    from jinja2.sandbox import ImmutableSandboxedEnvironment

    env = ImmutableSandboxedEnvironment(trim_blocks=True, lstrip_blocks=True, extensions=["jinja2.ext.loopcontrols"])
    env.filters["tojson"] = _tojson
    env.globals["raise_exception"] = _raise_exception
    env.globals["strftime_now"] = _strftime_now
    try:
        return env.from_string(text)
    except jinja2.TemplateError as e:
        raise ChatError(f"the chat template does not compile: {_one_line(e)}") from e


def _one_line(e: BaseException) -> str:
    text = " ".join(str(e).split())
    return text or type(e).__name__


def render_messages(template: ChatTemplate, messages: Sequence[Mapping[str, Any]], *, add_generation_prompt: bool = True,
                    **kwargs: Any) -> str:  # fmt: skip
    """Render messages (OpenAI-shaped dicts) into the prompt text; extra kwargs (enable_thinking, ...) reach the template.

    Raises:
        ChatError: the template failed to compile or raised (one line).
    """
    import jinja2

    compiled = _compiled(template.text)
    context: dict[str, Any] = {"bos_token": template.bos_token, "eos_token": template.eos_token}
    context.update(kwargs)
    try:
        return compiled.render(messages=[dict(m) for m in messages], add_generation_prompt=add_generation_prompt, **context)
    except jinja2.TemplateError as e:
        raise ChatError(f"the chat template failed: {_one_line(e)}") from e
    except Exception as e:  # a template can fail in many ways (TypeError on bad data, ...)
        log.debug("template render failed", exc_info=True)
        raise ChatError(f"the chat template failed: {_one_line(e)}") from e
