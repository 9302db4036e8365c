"""Tools through a model's own chat template: does it take tools, and which call format does it teach.

A template takes tool definitions through its ``tools`` variable (Hugging Face's convention, which every tool-calling
template follows). One that never mentions ``tools`` was not trained to call tools: ``call_format`` then raises
``NoToolCalling`` (one line) rather than improvising a format the model has never seen.
"""

from __future__ import annotations

import re

from app.chat.messages import ChatError
from app.chat.templates import ChatTemplate
from app.tools.calls import CallFormat
from core.messages import N_, Message

__all__ = ["PRESERVED_TOKENS", "NoToolCalling", "call_format"]

_MENTIONS_TOOLS = re.compile(r"\btools\b")


PRESERVED_TOKENS: dict[CallFormat, tuple[str, ...]] = {
    CallFormat.HERMES: ("<tool_call>", "</tool_call>"),
    CallFormat.LLAMA3: ("<|python_tag|>",),
    CallFormat.MISTRAL: ("[TOOL_CALLS]",),
    CallFormat.HARMONY: ("<|start|>", "<|channel|>", "<|constrain|>", "<|message|>", "<|call|>", "<|end|>"),
    CallFormat.ANY: ("<tool_call>", "</tool_call>", "<|python_tag|>", "[TOOL_CALLS]"),
}
"""Tokens that delimit calls: llama.cpp leaves a control token out of a completion's text unless it is asked to keep
it, and the call would then be unreadable."""


class NoToolCalling(ChatError):
    """The model's chat template has no tool calling."""

    hint = N_("use a model whose template supports tools (Qwen 2.5/3, Llama 3.1+, Mistral, gpt-oss), or give one")


def call_format(template: ChatTemplate | None) -> CallFormat:
    """How this template's model writes a call.

    Raises:
        NoToolCalling: the template never mentions ``tools`` (or there is none: a base model).
    """
    if template is None or template.base_model or not _MENTIONS_TOOLS.search(template.text):
        raise NoToolCalling(Message("this model has no tool calling: its chat template never mentions tools (use a model "
                                    "with tool support, or --chat-template FILE with a template that has it)"))  # fmt: skip
    text = template.text
    if "<tool_call>" in text:
        return CallFormat.HERMES
    if "[TOOL_CALLS]" in text:
        return CallFormat.MISTRAL
    if "<|channel|>" in text and "functions." in text:
        return CallFormat.HARMONY
    if "<|python_tag|>" in text or "ipython" in text:
        return CallFormat.LLAMA3
    return CallFormat.ANY

