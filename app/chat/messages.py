"""The words of a chat: messages, sampling settings, reasoning modes, and what streams back from a model.

Every other module of app/chat speaks these types; none of them imports Qt.
"""

from __future__ import annotations

import enum
from dataclasses import asdict, dataclass, field
from typing import Any

from core.errors import ModelwerkError
from core.messages import N_

__all__ = [
    "PRESETS", "Answer", "AnswerStats", "ChatError", "Message", "Piece", "PieceKind", "ReasoningMode", "Role",
    "RuntimeCrashed", "RuntimeUnavailable", "Sampling",
]


class ChatError(ModelwerkError):
    """A chat operation failed; the message is one line for the user that says what to do."""

    hint = N_("reload the model, or check the endpoint's address and key")


class RuntimeUnavailable(ChatError):
    """The runtime or endpoint cannot be reached (not started, stopped, wrong URL, refused)."""

    hint = N_("load the model again, or check the endpoint's address")


class RuntimeCrashed(ChatError):
    """A local runtime process ended while it was needed (crash, out of memory, killed)."""

    hint = N_("reload the model; a smaller context or fewer GPU layers may help")


class Role(enum.Enum):
    SYSTEM = "system"
    USER = "user"
    ASSISTANT = "assistant"


@dataclass(frozen=True)
class Message:
    """One message. `thinking` is what the model reasoned before answering; it is shown, stored, never sent back."""

    role: Role
    content: str
    thinking: str = ""

    def to_openai(self) -> dict[str, str]:
        """The message as the OpenAI chat protocol wants it (thinking left out on purpose)."""
        return {"role": self.role.value, "content": self.content}


@dataclass(frozen=True)
class Sampling:
    """Sampling parameters, as llama.cpp and the OpenAI protocol name them."""

    temperature: float = 0.7
    top_p: float = 0.95
    top_k: int = 40
    min_p: float = 0.05
    repeat_penalty: float = 1.0
    max_tokens: int = 1024
    seed: int | None = None

    def to_openai(self) -> dict[str, Any]:
        """Request fields (top_k, min_p and repeat_penalty are llama.cpp extensions; vLLM and Ollama accept them too)."""
        d = asdict(self)
        if self.seed is None:
            del d["seed"]
        return d


PRESETS: dict[str, Sampling] = {
    "Balanced": Sampling(),
    "Precise": Sampling(temperature=0.2, top_p=0.9, top_k=20, min_p=0.1),
    "Creative": Sampling(temperature=1.0, top_p=0.98, top_k=100, min_p=0.02),
    "Greedy": Sampling(temperature=0.0, top_p=1.0, top_k=1, min_p=0.0),
}
"""Named sampling presets shown in the chat pane; "Greedy" is deterministic (benchmarks, tests)."""


class ReasoningMode(enum.Enum):
    """System 1 (OFF: answer at once) or System 2 (think first: the model's native thinking, or prompted reasoning)."""

    OFF = "off"
    NATIVE = "native"
    PROMPTED = "prompted"


class PromptedStrategy(enum.Enum):
    """How prompted reasoning spends its effort (all labelled "prompted reasoning")."""

    BUDGET = "budget"
    """One pass: think inside tags up to the thinking budget, then answer."""
    DRAFT_CRITIQUE_REVISE = "draft_critique_revise"
    """Three passes: a draft, a critique of it, a revised answer."""
    VOTE = "vote"
    """Several samples; the most common final answer wins."""


class PieceKind(enum.Enum):
    THINKING = "thinking"
    ANSWER = "answer"


@dataclass(frozen=True)
class Piece:
    """A bit of streamed text, already sorted into thinking or answer."""

    kind: PieceKind
    text: str


@dataclass(frozen=True)
class AnswerStats:
    """What one answer cost. Token counts come from the server's usage report when it gives one."""

    prompt_tokens: int = 0
    answer_tokens: int = 0
    thinking_tokens: int = 0
    ttft_s: float | None = None
    """Time to the first streamed token (thinking or answer)."""
    tokens_per_s: float | None = None
    """Generated tokens (thinking + answer) per second after the first token."""
    elapsed_s: float = 0.0
    thinking_s: float | None = None
    finish_reason: str = ""
    """"stop", "length", "cancelled", "error"."""


@dataclass(frozen=True)
class Answer:
    """A finished answer: its thinking (possibly empty), its content, and its stats."""

    content: str
    thinking: str = ""
    stats: AnswerStats = field(default_factory=AnswerStats)
    tool_calls: tuple[dict[str, Any], ...] = ()
    """Tool calls an OpenAI-compatible endpoint returned (its ``tool_calls``, streamed pieces joined): hostile data,
    read by app.tools. Calls a raw completion writes stay in ``content``."""
