"""Reasoning (System 2): which kind of thinking a model's template supports, and prompted reasoning for the rest.

Kinds: Qwen3-style templates take an ``enable_thinking`` kwarg; DeepSeek-R1-style ones emit ``<think>...</think>`` (often
pre-filling the start tag in the generation prompt); gpt-oss uses harmony channels and a ``reasoning_effort`` kwarg.
A model with none of these can still be asked to think inside <think> tags ("prompted reasoning").
"""

from __future__ import annotations

import enum
import logging
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass

from app.chat.messages import ChatError, PromptedStrategy
from app.chat.templates import ChatTemplate, render_messages

log = logging.getLogger(__name__)

__all__ = [
    "BUDGET_FINAL_CUE", "CRITIQUE_INSTRUCTION", "HARMONY_END", "HARMONY_FINAL", "HARMONY_START", "NO_THINKING",
    "PROMPTED", "PROMPTED_SYSTEM", "REVISE_INSTRUCTION", "VOTE_SAMPLES", "PromptedStrategy", "ThinkingKind",
    "ThinkingSupport", "detect", "vote",
]

THINK_START = "<think>"
THINK_END = "</think>"
HARMONY_START = "<|channel|>analysis<|message|>"
HARMONY_END = "<|end|>"
HARMONY_FINAL = "<|start|>assistant<|channel|>final<|message|>"
"""What gpt-oss writes between its analysis and its final answer (dropped from the answer)."""

PROMPTED_SYSTEM = (
    "Before answering, think step by step inside <think> and </think> tags: restate the problem, work through it, "
    "check your work. Then, after </think>, give only the final answer, clearly and concisely."
)
"""The system instruction of prompted reasoning (appended to the user's system prompt)."""

BUDGET_FINAL_CUE = "\n\nTime is up. Final answer:"
"""Budget forcing: after the thinking budget is spent the engine writes the end tag plus this cue and lets the model go on.
The cue is part of the prompt, not of the answer."""

MIN_ANSWER_TOKENS = 64
"""Budget forcing keeps at least this many tokens for the answer."""

CRITIQUE_INSTRUCTION = (
    "Here is a draft answer to the question above. Critique it: list its mistakes, gaps and unclear parts. "
    "Do not rewrite it yet.\n\nDraft:\n{draft}"
)
REVISE_INSTRUCTION = (
    "Question:\n{question}\n\nDraft answer:\n{draft}\n\nCritique:\n{critique}\n\n"
    "Write the improved final answer only."
)
VOTE_SAMPLES = 3
"""Self-consistency: how many samples the vote strategy draws."""


class ThinkingKind(enum.Enum):
    NONE = "none"
    ENABLE_THINKING = "enable_thinking"
    THINK_TAGS = "think_tags"
    REASONING_EFFORT = "reasoning_effort"


@dataclass(frozen=True)
class ThinkingSupport:
    """What a template supports: its kind of thinking, the tags that delimit it, and a label for the UI."""

    kind: ThinkingKind = ThinkingKind.NONE
    start_tag: str = THINK_START
    end_tag: str = THINK_END
    prefilled: bool = False
    """The generation prompt already ends with start_tag (with thinking on)."""
    label: str = "prompted reasoning"

    @property
    def native(self) -> bool:
        return self.kind is not ThinkingKind.NONE


NO_THINKING = ThinkingSupport()
PROMPTED = NO_THINKING
"""Prompted reasoning uses <think> tags with a system instruction."""

_PROBE = [{"role": "user", "content": "2+2?"}]


def _probe(template: ChatTemplate, **kwargs: object) -> str:
    try:
        return render_messages(template, _PROBE, add_generation_prompt=True, **kwargs)
    except ChatError:
        log.debug("thinking probe failed", exc_info=True)
        return ""


def detect(template: ChatTemplate | None) -> ThinkingSupport:
    """Which thinking a template supports: from its text, plus a render probe for a pre-filled start tag."""
    if template is None:
        return NO_THINKING
    text = template.text
    if "<|channel|>" in text or "reasoning_effort" in text:
        return ThinkingSupport(ThinkingKind.REASONING_EFFORT, HARMONY_START, HARMONY_END, False, "gpt-oss effort")
    if "enable_thinking" in text:
        prefilled = _probe(template, enable_thinking=True).rstrip().endswith(THINK_START)
        return ThinkingSupport(ThinkingKind.ENABLE_THINKING, THINK_START, THINK_END, prefilled, "native Qwen3-style")
    if THINK_START in text or THINK_END in text:
        prefilled = _probe(template).rstrip().endswith(THINK_START)
        return ThinkingSupport(ThinkingKind.THINK_TAGS, THINK_START, THINK_END, prefilled, "DeepSeek <think>")
    return NO_THINKING


def _normalise(answer: str) -> str:
    return " ".join(answer.lower().strip().rstrip(".").split())


def vote(answers: Sequence[str]) -> int:
    """Index of the winning answer: the most common after normalising; ties go to the earliest."""
    if not answers:
        raise ValueError("nothing to vote on")
    counts = Counter(_normalise(a) for a in answers)
    best = max(counts.values())
    return next(i for i, a in enumerate(answers) if counts[_normalise(a)] == best)
