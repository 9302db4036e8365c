"""Chat templates: render a model's Jinja chat template the way Hugging Face transformers does, in a sandbox.

A GGUF file carries its template in ``tokenizer.chat_template``. A model without one is flagged ``base_model`` (it
continues text rather than chats) and gets TRANSCRIPT, a plain "User: ...\nAssistant:" completion format that base models
continue sensibly, with stop strings that end the answer before the model writes the next question itself.

A model's template is untrusted code: it is compiled in a bounded sandbox and rendered within a time and memory budget
(app.chat.template_sandbox); past one, render_messages raises TemplateLimitError, a ChatError.
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
from app.chat.template_sandbox import RenderLimits, TemplateLimitError
from core.messages import Message

if TYPE_CHECKING:
    import jinja2

    from formats.model import ModelInfo

log = logging.getLogger(__name__)

__all__ = [
    "CHATML", "GEMMA", "LLAMA3", "MAX_TEMPLATE_CHARS", "RENDER_LIMITS", "TRANSCRIPT", "TRANSCRIPT_STOP", "ChatTemplate",
    "RenderLimits", "TemplateLimitError",
    "default_template_text", "render_messages", "template_for",
]  # fmt: skip

MAX_TEMPLATE_CHARS = 256 << 10
"""Real chat templates are a few KB (the longest, with tool schemas, about 20 KB)."""
RENDER_LIMITS = RenderLimits()

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

TRANSCRIPT = (
    "{% for message in messages %}"
    "{% if message['role'] == 'system' %}{{ message['content'] | trim }}\n\n"
    "{% elif message['role'] == 'user' %}User: {{ message['content'] | trim }}\n"
    "{% else %}Assistant: {{ message['content'] | trim }}\n"
    "{% endif %}"
    "{% endfor %}"
    "{% if add_generation_prompt %}Assistant:{% endif %}"
)
"""A plain transcript for base models (no chat turns): Gemma 3 270M base answers "User: What is the capital of France?
Assistant:" with "The capital of France is Paris." where Gemma's chat turns made it repeat the question."""

TRANSCRIPT_STOP = ("\nUser:", "\nQuestion:", "\nQ:")
"""Where a base model's answer ends: when it starts writing the next question itself."""

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
    source: Literal["model", "default", "file"] = "model"
    """The model file's own, our default for a model without one, or a file the user gave (--chat-template)."""
    base_model: bool = False
    """True when the model carries no template: likely a base model, not tuned to chat."""
    bos_token: str = ""
    eos_token: str = ""
    stop: tuple[str, ...] = ()
    """Stop strings a raw completion with this template needs (TRANSCRIPT_STOP for the base-model transcript)."""


def default_template_text(architecture: str) -> str:
    """The default template for an architecture: Gemma turns, Llama 3 headers, else ChatML."""
    arch = architecture.lower()
    if arch.startswith("gemma"):
        return GEMMA
    if arch in ("llama3", "llama-3") or arch.startswith("llama3"):
        return LLAMA3
    return CHATML


def template_for(info: ModelInfo) -> ChatTemplate:
    """The model's own template, else the base-model TRANSCRIPT (flagged base_model, with its stop strings)."""
    bos, eos = info.bos_token or "", info.eos_token or ""
    if info.chat_template:
        return ChatTemplate(info.chat_template, "model", False, bos, eos)
    return ChatTemplate(TRANSCRIPT, "default", True, bos, eos, TRANSCRIPT_STOP)


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

    from app.chat.template_sandbox import bounded_environment, compile_bounded

    if len(text) > MAX_TEMPLATE_CHARS:
        raise ChatError(Message("the chat template has {count} characters, more than the {MAX_TEMPLATE_CHARS} Modelwerk "
                                "compiles: use another GGUF of this model", count=format(len(text), ','),
                                MAX_TEMPLATE_CHARS=format(MAX_TEMPLATE_CHARS, ',')))  # fmt: skip
    env = bounded_environment(trim_blocks=True, lstrip_blocks=True, extensions=["jinja2.ext.loopcontrols"],
                              filters={"tojson": _tojson})  # fmt: skip
    env.globals["raise_exception"] = _raise_exception
    env.globals["strftime_now"] = _strftime_now
    try:
        return compile_bounded(env, text)
    except TemplateLimitError:
        raise
    except jinja2.TemplateError as e:
        raise ChatError(Message("the chat template does not compile: {reason}", reason=str(_one_line(e)))) from e
    except (RecursionError, MemoryError, ValueError, TypeError, OverflowError) as e:  # nesting past the parser, ...
        raise ChatError(Message("the chat template does not compile: {reason}", reason=str(_one_line(e)))) from e


def _one_line(e: BaseException) -> str:
    text = " ".join(str(e).split())
    return text or type(e).__name__


def render_messages(template: ChatTemplate, messages: Sequence[Mapping[str, Any]], *, add_generation_prompt: bool = True,
                    **kwargs: Any) -> str:  # fmt: skip
    """Render messages (OpenAI-shaped dicts) into the prompt text; extra kwargs (enable_thinking, ...) reach the template.

    The render runs on the calling thread (never call it on the GUI thread) within RENDER_LIMITS: about 2 s, and memory
    bounded by a budget that grows with the messages' size.

    Raises:
        TemplateLimitError: the template went past its time, memory or nesting budget (a ChatError; one line).
        ChatError: the template failed to compile or raised (one line).
    """
    import jinja2

    from app.chat.template_sandbox import render_bounded

    compiled = _compiled(template.text)
    context: dict[str, Any] = {"bos_token": template.bos_token, "eos_token": template.eos_token}
    context.update(kwargs)
    context.update(messages=[dict(m) for m in messages], add_generation_prompt=add_generation_prompt)
    try:
        return render_bounded(compiled, context, limits=RENDER_LIMITS)
    except TemplateLimitError as e:
        log.warning("%s", e)
        raise
    except RecursionError as e:  # macros calling themselves past Python's stack, faster than the depth check
        raise TemplateLimitError(Message("nested macros too deep (past Python's stack)"), kind="depth") from e
    except MemoryError as e:
        raise TemplateLimitError(Message("needed too much memory (the system refused it)"), kind="memory") from e
    except jinja2.TemplateError as e:
        raise ChatError(Message("the chat template failed: {reason}", reason=str(_one_line(e)))) from e
    except Exception as e:  # a template can fail in many ways (TypeError on bad data, ...)
        log.debug("template render failed", exc_info=True)
        raise ChatError(Message("the chat template failed: {reason}", reason=str(_one_line(e)))) from e
