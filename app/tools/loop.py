"""The agent loop: the model answers, its tool calls are approved and run, the results go back, until it answers.

Every call is a step, recorded with its tool, arguments and a one-line result; the whole exchange (OpenAI-shaped
messages) comes back for the conversation. The loop ends when the model answers without a call, after ``max_steps``
rounds of calls (the calls of one more round are not run: "step limit"), or when ``cancel`` is set (any thread; the
stream and a running tool stop). Calls inside a thinking block are never run: the engine takes thinking out of the
answer before the calls are looked for. Whatever the model sends is hostile: a malformed call, an unknown tool or
arguments that do not fit the schema become an error result the model sees, never an exception. What a tool returns is
hostile too (a page, a passage, a program's output): its text cannot write the template's control tokens (``defuse``).
"""

from __future__ import annotations

import dataclasses
import enum
import json
import logging
import threading
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from app.chat.engine import ChatEngine
from app.chat.messages import Answer, Piece, ReasoningMode, Sampling
from app.shield.control import defuse
from app.shield.provenance import traced
from app.tools.calls import CallFormat, ToolCall, from_openai, parse_calls
from app.tools.render import PRESERVED_TOKENS, call_format
from app.tools.spec import Tool, ToolResult, check_arguments
from core.errors import ModelwerkError, user_said
from core.messages import Message, Text

__all__ = ["AgentLoop", "AgentResult", "Approval", "Step", "StopReason", "defuse", "steps_text"]

log = logging.getLogger(__name__)

MAX_STEPS = 8


class Approval(enum.Enum):
    """The user's word on one call: run it and every later call of this tool, run it this once, or refuse it."""

    ALWAYS = "always"
    ONCE = "once"
    DENY = "deny"


class StopReason(enum.Enum):
    ANSWERED = "answered"
    STEP_LIMIT = "step limit"
    CANCELLED = "cancelled"


Approver = Callable[[ToolCall, Tool], Approval]


@dataclass(frozen=True)
class Step:
    """One tool call and what came of it. ``approval``: always/once/deny, "remembered" (an earlier "always"),
    "invalid" (never shown: malformed, unknown tool, bad arguments), "not run" (past the step limit)."""

    round: int
    tool: str
    arguments: Mapping[str, Any]
    call_id: str
    approval: str
    ok: bool
    summary: str
    seconds: float = 0.0
    data: Mapping[str, Any] = field(default_factory=dict)
    provenance: tuple[str, ...] = ()
    """Arguments that came from untrusted text (what the approval question said)."""
    said: Message | None = field(default=None, compare=False)
    """``summary`` as a message, for the GUI to translate (stored as ``summary_data``)."""

    def to_json(self) -> dict[str, Any]:
        data = {"round": self.round, "tool": self.tool, "arguments": dict(self.arguments), "approval": self.approval,
                "ok": self.ok, "summary": self.summary, "seconds": round(self.seconds, 3),
                "result": dict(self.data), "provenance": list(self.provenance)}  # fmt: skip
        return data | ({"summary_data": self.said.to_data()} if self.said is not None else {})


@dataclass(frozen=True)
class AgentResult:
    """How the loop ended: the last answer, every step, and the exchange (OpenAI-shaped messages, tools included)."""

    answer: Answer
    steps: list[Step]
    stopped: StopReason
    messages: list[dict[str, Any]]
    rounds: int


class AgentLoop:
    """Runs one user turn with tools.

    Args:
        engine: the model (a raw-prompt runtime renders the tools through its template; an endpoint gets them as
            ``tools`` in the request).
        tools: what the model may call (names unique).
        approve: asked before each call of a tool not yet approved "always"; called on the loop's thread.
        max_steps: rounds of tool calls allowed.

    Raises (from ``run``):
        NoToolCalling: the model's template has no tool calling.
        ChatError: the model or its template failed.
    """

    def __init__(self, engine: ChatEngine, tools: Sequence[Tool], *, approve: Approver, max_steps: int = MAX_STEPS,
                 mode: ReasoningMode = ReasoningMode.OFF, sampling: Sampling | None = None,
                 on_step: Callable[[Step], None] | None = None, on_piece: Callable[[Piece], None] | None = None,
                 cancel: threading.Event | None = None, untrusted: Sequence[tuple[Text, str]] = ()) -> None:  # fmt: skip
        if max_steps < 1:
            raise ValueError("max_steps must be at least 1")
        names = [t.name for t in tools]
        if len(set(names)) != len(names):
            raise ValueError(f"tool names must be unique: {names}")
        self.engine = engine
        self.tools = {t.name: t for t in tools}
        self.approve = approve
        self.max_steps = max_steps
        self.mode = mode
        self.sampling = sampling or Sampling()
        self.on_step = on_step
        self.on_piece = on_piece
        self.cancel = cancel or threading.Event()
        # A raw prompt: the template's own format (NoToolCalling when it has none). An endpoint parses its calls
        # itself; a call it leaves in the text (a known bug of some servers) is still read, in any format.
        self.format = call_format(engine.template) if engine.raw else CallFormat.ANY
        self._always: set[str] = set()
        # (where, text) the model read that nobody vouched for: attached documents, then each tool result
        self._untrusted: list[tuple[Text, str]] = list(untrusted)
        self._trusted = ""

    def stop(self) -> None:
        """Stop at the next chance (any thread): the stream, a running tool, or before the next call."""
        self.cancel.set()

    def run(self, messages: Sequence[Mapping[str, Any]]) -> AgentResult:
        """Answer the last user message of ``messages`` (OpenAI-shaped), calling tools as the model asks."""
        msgs = [dict(m) for m in messages]
        steps: list[Step] = []
        self._trusted = "\n".join(str(m.get("content") or "") for m in msgs if m.get("role") == "user")
        self._untrusted += [(Message("an earlier result of {name}", name=str(m["name"])) if m.get("name")
                             else Message("an earlier result of a tool"), str(m.get("content") or ""))
                            for m in msgs if m.get("role") == "tool"]  # fmt: skip
        specs = [t.spec.to_openai() for t in self.tools.values()]
        preserve = PRESERVED_TOKENS[self.format] if self.engine.raw else ()
        answer = Answer("")
        for round_ in range(1, self.max_steps + 2):
            if self.cancel.is_set():
                return AgentResult(answer, steps, StopReason.CANCELLED, msgs, round_ - 1)
            answer = self.engine.answer_with_tools(self._wire(msgs), tools=specs, mode=self.mode, sampling=self.sampling,
                                                   preserve=preserve, on_piece=self.on_piece, cancel=self.cancel)  # fmt: skip
            if answer.stats.finish_reason == "cancelled":
                return AgentResult(answer, steps, StopReason.CANCELLED, msgs, round_)
            text, calls = self._calls(answer)
            if not calls:
                msgs.append({"role": "assistant", "content": answer.content})
                return AgentResult(answer, steps, StopReason.ANSWERED, msgs, round_)
            if round_ > self.max_steps:
                for call in calls:
                    said = Message("not run: the limit of {count} steps was reached", count=str(self.max_steps))
                    self._record(steps, Step(round_, call.name, call.arguments, call.id, "not run", False, str(said),
                                             said=said))  # fmt: skip
                msgs.append({"role": "assistant", "content": defuse(text)})
                return AgentResult(Answer(text, answer.thinking, answer.stats), steps, StopReason.STEP_LIMIT, msgs, round_)
            for i, call in enumerate(calls):
                if self.cancel.is_set():
                    return AgentResult(answer, steps, StopReason.CANCELLED, msgs, round_)
                step, result = self._run_call(round_, call)
                self._record(steps, step)
                msgs.append({"role": "assistant", "content": defuse(text) if i == 0 else "",
                             "tool_calls": [_defused_call(call)]})  # fmt: skip
                msgs.append({"role": "tool", "tool_call_id": call.id, "name": call.name, "content": defuse(result.content)})
                self._untrusted.append((Message("the result of {name} (step {step})", name=call.name, step=str(len(steps))),
                                        result.content))  # fmt: skip
        raise AssertionError("unreachable: the last round either answers or stops at the step limit")

    # -- one call ------------------------------------------------------------------------------------------------------

    def _run_call(self, round_: int, call: ToolCall) -> tuple[Step, ToolResult]:
        tool = self.tools.get(call.name)
        problem = call.error
        if not problem and tool is None:
            problem = f"there is no tool {call.name!r}; the tools are: {', '.join(self.tools)}"
        if not problem and tool is not None:
            problem = check_arguments(tool.spec.parameters, dict(call.arguments)) or ""
        if problem or tool is None:
            result = ToolResult.error(f"{problem}. Correct the call and try again, or answer without the tool.")
            return Step(round_, call.name, call.arguments, call.id, "invalid", False, result.summary,
                        said=result.said), result  # fmt: skip
        said = tuple(traced(call.arguments, self._untrusted, trusted=self._trusted))
        call = dataclasses.replace(call, provenance=tuple(map(str, said)), provenance_said=said)
        if call.name in self._always:
            approval = "remembered"
        else:
            answer = self.approve(call, tool)
            approval = answer.value
            if answer is Approval.ALWAYS:
                self._always.add(call.name)
            elif answer is Approval.DENY:
                result = ToolResult.error("the user did not allow this call. Do not try it again; answer without it.")
                denied = Message("denied by the user")
                return Step(round_, call.name, call.arguments, call.id, approval, False, str(denied),
                            provenance=call.provenance, said=denied), result
        if self.cancel.is_set():  # Stop pressed while the question was open
            result = ToolResult.error(Message("stopped by the user"))
            return Step(round_, call.name, call.arguments, call.id, approval, False, result.summary,
                        said=result.said), result  # fmt: skip
        t0 = time.monotonic()
        try:
            result = tool.run(call.arguments, self.cancel)
        except ModelwerkError as e:
            result = ToolResult.error(user_said(e))
        except Exception as e:  # a tool's bug must not end the conversation; the log keeps the trace
            log.exception("tool %s failed", call.name)
            result = ToolResult.error(f"the tool failed: {' '.join(str(e).split())[:200] or type(e).__name__}")
        step = Step(round_, call.name, call.arguments, call.id, approval, result.ok, result.summary,
                    time.monotonic() - t0, result.data, call.provenance, result.said)  # fmt: skip
        return step, result

    def _calls(self, answer: Answer) -> tuple[str, list[ToolCall]]:
        if answer.tool_calls:
            return answer.content, from_openai(answer.tool_calls)
        return parse_calls(answer.content, self.format)

    def _wire(self, msgs: list[dict[str, Any]]) -> list[dict[str, Any]]:
        """The messages as the backend takes them: templates want a call's arguments as a dict, the OpenAI protocol as
        JSON text."""
        if self.engine.raw:
            return msgs
        out = []
        for m in msgs:
            if "tool_calls" in m:
                calls = [{**c, "function": {**c["function"], "arguments": json.dumps(c["function"]["arguments"])}}
                         for c in m["tool_calls"]]  # fmt: skip
                m = {**m, "tool_calls": calls}
            out.append(m)
        return out

    def _record(self, steps: list[Step], step: Step) -> None:
        steps.append(step)
        if self.on_step is not None:
            self.on_step(step)


def _defused_call(call: ToolCall) -> dict[str, Any]:
    """The call as the history shows it: the model wrote its arguments as plain text, and rendered back into a raw
    prompt they must stay plain text (a call copied from a hostile page could otherwise carry a turn of its own)."""
    def clean(value: Any) -> Any:
        if isinstance(value, str):
            return defuse(value)
        if isinstance(value, dict):
            return {k: clean(v) for k, v in value.items()}
        if isinstance(value, list):
            return [clean(v) for v in value]
        return value

    message = call.to_openai()
    message["function"]["arguments"] = clean(message["function"]["arguments"])
    return message


def steps_text(steps: Sequence[Step]) -> str:
    """The steps as text for the conversation (shown folded, like thinking): one line per call."""
    lines = []
    for s in steps:
        args = json.dumps(dict(s.arguments), ensure_ascii=False)
        args = args if len(args) <= 200 else args[:199] + "…"
        lines.append(f"Step {s.round} · {s.tool} {args} [{s.approval}] → {s.summary}")
    return "\n".join(lines)
