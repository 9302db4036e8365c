"""The chat engine: one answer for one turn, on any thread, through any OpenAI-compatible backend.

With a template and a backend that takes raw prompts (our runtime) the engine renders the prompt itself and streams a
completion, so it can force a thinking budget: when the budget is spent it closes the block with the end tag and a short
"final answer" cue and lets the model continue. Otherwise it streams a chat completion with template kwargs.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field, replace
from typing import Any, Protocol

from app.chat import reasoning as r
from app.chat.messages import Answer, AnswerStats, Message, Piece, PieceKind, ReasoningMode, Role, Sampling
from app.chat.templates import ChatTemplate, render_messages
from app.chat.thinking import ThinkingParser

log = logging.getLogger(__name__)

MAX_CALL_CHARS = 1 << 20
"""Characters of one streamed tool call kept (a hostile endpoint could stream arguments forever)."""
MAX_CALLS = 64
"""Streamed tool calls kept from one answer (each index a new call: a hostile endpoint could send a million)."""

__all__ = ["ChatBackend", "ChatEngine", "DeltaLike", "StreamLike"]


class DeltaLike(Protocol):
    @property
    def text(self) -> str: ...
    @property
    def reasoning(self) -> str: ...
    @property
    def finish_reason(self) -> str | None: ...
    @property
    def prompt_tokens(self) -> int | None: ...
    @property
    def completion_tokens(self) -> int | None: ...


class StreamLike(Protocol):
    def __iter__(self) -> Iterator[Any]: ...
    def close(self) -> None: ...


class ChatBackend(Protocol):
    """What the engine needs of a client (H1's ChatClient satisfies it)."""

    @property
    def supports_raw_prompt(self) -> bool: ...

    def stream_chat(self, messages: Sequence[dict[str, Any]], *, sampling: Sampling, model: str = "",
                    extra: Mapping[str, Any] = ...) -> StreamLike: ...  # fmt: skip

    def stream_completion(self, prompt: str, *, sampling: Sampling, stop: Sequence[str] = (), model: str = "",
                          extra: Mapping[str, Any] | None = None) -> StreamLike: ...  # fmt: skip
    # The engine passes `extra` (request fields: preserved_tokens) only with tools, so a backend may leave it out.

    def tokenize(self, text: str) -> list[int] | None: ...


@dataclass
class _Run:
    """The state of one answer while it streams."""

    parser: ThinkingParser
    on_piece: Callable[[Piece], None] | None
    cancel: threading.Event | None
    t0: float = field(default_factory=time.monotonic)
    first: float | None = None
    last: float | None = None
    think_end: float | None = None
    content: list[str] = field(default_factory=list)
    thinking: list[str] = field(default_factory=list)
    raw: list[str] = field(default_factory=list)
    tokens: int = 0
    thinking_tokens: int = 0
    prompt_tokens: int = 0
    finish: str = ""
    cancelled: bool = False
    calls: dict[int, dict[str, Any]] = field(default_factory=dict)
    """Tool calls an endpoint streamed, by index (their arguments arrive in fragments)."""

    def emit(self, pieces: list[Piece]) -> None:
        for p in pieces:
            (self.thinking if p.kind is PieceKind.THINKING else self.content).append(p.text)
            if p.kind is PieceKind.ANSWER and self.think_end is None and self.thinking:
                self.think_end = time.monotonic()
            if self.on_piece is not None:
                self.on_piece(p)

    def is_cancelled(self) -> bool:
        return self.cancel is not None and self.cancel.is_set()

    def add_calls(self, pieces: Sequence[Mapping[str, Any]]) -> None:
        for n, piece in enumerate(pieces):
            index = piece.get("index", n)
            index = index if isinstance(index, int) else n
            if index not in self.calls and len(self.calls) >= MAX_CALLS:
                continue
            call = self.calls.setdefault(index, {"function": {"arguments": ""}})
            if isinstance(piece.get("id"), str):
                call["id"] = piece["id"]
            fn = piece.get("function")
            if not isinstance(fn, Mapping):
                continue
            if isinstance(fn.get("name"), str):
                call["function"]["name"] = fn["name"]
            args = fn.get("arguments")
            if isinstance(args, str) and len(call["function"]["arguments"]) < MAX_CALL_CHARS:
                call["function"]["arguments"] += args  # app.tools refuses what is still too long
            elif isinstance(args, Mapping):
                call["function"]["arguments"] = dict(args)


class ChatEngine:
    """Answers one turn at a time.

    Args:
        backend: the client (our runtime's, or a remote endpoint's).
        template: the model's chat template; None for remote endpoints (the server applies its own).
        support: what thinking the template supports (reasoning.detect).
    """

    def __init__(self, backend: ChatBackend, *, template: ChatTemplate | None, support: r.ThinkingSupport,
                 model: str = "") -> None:  # fmt: skip
        self.backend = backend
        self.template = template
        self.support = support
        self.model = model

    @property
    def raw(self) -> bool:
        """Whether the engine renders prompts itself (needed for budget forcing)."""
        return self.template is not None and self.backend.supports_raw_prompt

    def answer(self, messages: Sequence[Message], *, mode: ReasoningMode, sampling: Sampling, thinking_budget: int = 1024,
               strategy: r.PromptedStrategy = r.PromptedStrategy.BUDGET, on_piece: Callable[[Piece], None] | None = None,
               cancel: threading.Event | None = None) -> Answer:  # fmt: skip
        """Answer the last user message; stream pieces to on_piece; cancel (set from any thread) stops within one token.

        Raises:
            ChatError: the backend failed (RuntimeUnavailable, RuntimeCrashed...) or the template failed.
        """
        prompted = mode is ReasoningMode.PROMPTED or (mode is ReasoningMode.NATIVE and not self.support.native)
        if prompted and strategy is not r.PromptedStrategy.BUDGET:
            return self._multi(messages, strategy=strategy, sampling=sampling, thinking_budget=thinking_budget,
                               on_piece=on_piece, cancel=cancel)  # fmt: skip
        return self._one([m.to_openai() for m in messages], mode=mode, prompted=prompted, sampling=sampling,
                         budget=thinking_budget, on_piece=on_piece, cancel=cancel)  # fmt: skip

    def answer_with_tools(self, messages: Sequence[Mapping[str, Any]], *, tools: Sequence[Mapping[str, Any]],
                          mode: ReasoningMode, sampling: Sampling, preserve: Sequence[str] = (),
                          thinking_budget: int = 1024, on_piece: Callable[[Piece], None] | None = None,
                          cancel: threading.Event | None = None) -> Answer:  # fmt: skip
        """One pass over OpenAI-shaped messages (tool calls and results included) that offers ``tools``.

        A raw prompt renders the tools through the template's ``tools`` variable and keeps the model's calls in the
        answer's content, with the tokens in ``preserve`` written out (llama.cpp drops control tokens otherwise); an
        endpoint gets them in the request and its calls come back in ``Answer.tool_calls``.
        """
        prompted = mode is ReasoningMode.PROMPTED or (mode is ReasoningMode.NATIVE and not self.support.native)
        return self._one([dict(m) for m in messages], mode=mode, prompted=prompted, sampling=sampling,
                         budget=thinking_budget, on_piece=on_piece, cancel=cancel, tools=tools,
                         preserve=preserve)  # fmt: skip

    # -- one pass ----------------------------------------------------------------------------------------------------
    def _one(self, msgs: list[dict[str, Any]], *, mode: ReasoningMode, prompted: bool, sampling: Sampling, budget: int,
             on_piece: Callable[[Piece], None] | None, cancel: threading.Event | None,
             tools: Sequence[Mapping[str, Any]] = (), preserve: Sequence[str] = ()) -> Answer:  # fmt: skip
        support = r.PROMPTED if prompted else self.support
        if prompted:
            msgs = _with_system(msgs, r.PROMPTED_SYSTEM)
        kwargs: dict[str, Any] = self._kwargs(mode, prompted)
        if tools:
            kwargs["tools"] = [dict(t) for t in tools]
        think_on = prompted or (mode is ReasoningMode.NATIVE and support.native)
        if self.raw:
            assert self.template is not None
            prompt = _without_bos(render_messages(self.template, msgs, add_generation_prompt=True, **kwargs),
                                  self.template)  # fmt: skip
            prefilled = prompt.rstrip().endswith(support.start_tag)
            if think_on and not prefilled and support.kind is not r.ThinkingKind.REASONING_EFFORT:
                prompt += support.start_tag + "\n"  # start thinking at once (prompted; templates that do not pre-fill)
                prefilled = True
            if not think_on and support.kind is r.ThinkingKind.THINK_TAGS and prefilled:
                prompt += "\n\n" + support.end_tag + "\n\n"  # OFF: an empty think block
                prefilled = False
            run = _Run(ThinkingParser(support.start_tag, support.end_tag, prefilled=prefilled), on_piece, cancel)
            self._raw_pass(run, prompt, sampling=sampling, budget=budget if think_on else None,
                           extra={"preserved_tokens": list(preserve)} if preserve else {})  # fmt: skip
        else:
            run = _Run(ThinkingParser(support.start_tag, support.end_tag), on_piece, cancel)
            extra: dict[str, Any] = {}
            if "enable_thinking" in kwargs:
                extra["chat_template_kwargs"] = {"enable_thinking": kwargs["enable_thinking"]}
            if "reasoning_effort" in kwargs:
                extra["reasoning_effort"] = kwargs["reasoning_effort"]
            if tools:
                extra["tools"] = kwargs["tools"]
            stream = self.backend.stream_chat(msgs, sampling=sampling, model=self.model, extra=extra)
            self._consume(run, stream, budget=None)
        run.emit(run.parser.finish())
        return self._result(run, support)

    def _kwargs(self, mode: ReasoningMode, prompted: bool) -> dict[str, Any]:
        kind = self.support.kind
        on = mode is ReasoningMode.NATIVE and not prompted
        if kind is r.ThinkingKind.ENABLE_THINKING:
            return {"enable_thinking": on}
        if kind is r.ThinkingKind.REASONING_EFFORT:
            return {"reasoning_effort": "medium" if on else "low"}
        return {}

    def _raw_pass(self, run: _Run, prompt: str, *, sampling: Sampling, budget: int | None,
                  extra: Mapping[str, Any]) -> None:  # fmt: skip
        stop = self.template.stop if self.template is not None else ()

        def complete(text: str, sampling: Sampling) -> StreamLike:
            if extra:
                return self.backend.stream_completion(text, sampling=sampling, stop=stop, model=self.model, extra=extra)
            return self.backend.stream_completion(text, sampling=sampling, stop=stop, model=self.model)

        stream = complete(prompt, sampling)
        forced = self._consume(run, stream, budget=budget)
        # A model that ends its turn inside the block (a small one that never closes it) has answered nothing: it is
        # asked for the answer as when its budget is spent, if the token limit leaves room.
        unclosed = budget is not None and run.parser.thinking and run.finish == "stop" and run.tokens < sampling.max_tokens
        if (forced or unclosed) and not run.is_cancelled():
            # Budget forcing: close the block, cue the answer, continue from where the model was.
            run.emit(run.parser.close_thinking())
            if run.think_end is None:
                run.think_end = time.monotonic()
            cue = run.parser.end + r.BUDGET_FINAL_CUE
            left = max(r.MIN_ANSWER_TOKENS, sampling.max_tokens - run.tokens)
            cont = prompt + "".join(run.raw) + cue
            log.debug("thinking budget of %d tokens spent; forcing the answer", budget)
            first_prompt, generated = run.prompt_tokens, run.tokens
            self._consume(run, complete(cont, replace(sampling, max_tokens=left)), budget=None)
            # The continuation's prompt holds the thinking again, which the answer counts already (else the context
            # meter shows it twice). The first request was cut before its usage came, so take the thinking back out.
            run.prompt_tokens = first_prompt or max(0, run.prompt_tokens - generated)

    def _consume(self, run: _Run, stream: StreamLike, *, budget: int | None) -> bool:
        """Read a stream into run; True when it was stopped because the thinking budget was spent."""
        try:
            for d in stream:
                if run.is_cancelled():
                    run.cancelled = True
                    return False
                now = time.monotonic()
                if d.text or d.reasoning:
                    if run.first is None:
                        run.first = now
                    run.last = now
                    run.tokens += 1
                    if d.reasoning or run.parser.thinking:
                        run.thinking_tokens += 1
                if d.reasoning:
                    run.emit([Piece(PieceKind.THINKING, d.reasoning)])
                if d.text:
                    run.raw.append(d.text)
                    run.emit(run.parser.feed(d.text))
                if calls := getattr(d, "tool_calls", ()):  # ChatClient's deltas; fakes may not have them
                    run.add_calls(calls)
                if d.prompt_tokens is not None:
                    run.prompt_tokens = max(run.prompt_tokens, d.prompt_tokens)
                if d.finish_reason:
                    run.finish = d.finish_reason
                if budget is not None and run.parser.thinking and run.thinking_tokens >= budget:
                    return True
            if run.is_cancelled():
                run.cancelled = True
            return False
        finally:
            stream.close()

    def _result(self, run: _Run, support: r.ThinkingSupport) -> Answer:
        end = time.monotonic()
        content = "".join(run.content)
        if support.kind is r.ThinkingKind.REASONING_EFFORT:
            content = content.replace(r.HARMONY_FINAL, "").replace("<|return|>", "")
        tps = None
        if run.first is not None and run.last is not None and run.last > run.first and run.tokens > 1:
            tps = (run.tokens - 1) / (run.last - run.first)
        thinking_s = None
        if run.thinking and run.first is not None:
            thinking_s = (run.think_end or end) - run.first
        stats = AnswerStats(
            prompt_tokens=run.prompt_tokens, answer_tokens=run.tokens - run.thinking_tokens,
            thinking_tokens=run.thinking_tokens, ttft_s=None if run.first is None else run.first - run.t0,
            tokens_per_s=tps, elapsed_s=end - run.t0, thinking_s=thinking_s,
            finish_reason="cancelled" if run.cancelled else (run.finish or "stop"),
        )  # fmt: skip
        calls = tuple(run.calls[i] for i in sorted(run.calls))
        return Answer(content.strip(), "".join(run.thinking).strip(), stats, tool_calls=calls)

    # -- prompted strategies with several passes ---------------------------------------------------------------------
    def _multi(self, messages: Sequence[Message], *, strategy: r.PromptedStrategy, sampling: Sampling, thinking_budget: int,
               on_piece: Callable[[Piece], None] | None, cancel: threading.Event | None) -> Answer:  # fmt: skip
        def quiet(msgs: Sequence[Message]) -> Answer:
            return self._one([m.to_openai() for m in msgs], mode=ReasoningMode.PROMPTED, prompted=True, sampling=sampling,
                             budget=thinking_budget,
                             on_piece=None, cancel=cancel)  # fmt: skip

        def note(text: str) -> None:
            if on_piece is not None:
                on_piece(Piece(PieceKind.THINKING, text))

        parts: list[Answer] = []
        if strategy is r.PromptedStrategy.VOTE:
            for i in range(r.VOTE_SAMPLES):
                seed = None if sampling.seed is None else sampling.seed + i
                parts.append(self._one([m.to_openai() for m in messages], mode=ReasoningMode.PROMPTED, prompted=True,
                                       sampling=replace(sampling, seed=seed), budget=thinking_budget, on_piece=None,
                                       cancel=cancel))  # fmt: skip
                note(f"Sample {i + 1}: {parts[-1].content}\n\n")
                if parts[-1].stats.finish_reason == "cancelled":
                    break
            best = parts[r.vote([p.content for p in parts])]
            final = best
        else:
            question = next((m.content for m in reversed(messages) if m.role is Role.USER), "")
            draft = quiet(messages)
            parts.append(draft)
            note(f"Draft:\n{draft.content}\n\n")
            history = list(messages)
            critique = quiet([*history, Message(Role.ASSISTANT, draft.content),
                              Message(Role.USER, r.CRITIQUE_INSTRUCTION.format(draft=draft.content))])  # fmt: skip
            parts.append(critique)
            note(f"Critique:\n{critique.content}\n\n")
            final = quiet([*history[:-1], Message(Role.USER, r.REVISE_INSTRUCTION.format(
                question=question, draft=draft.content, critique=critique.content))])  # fmt: skip
            parts.append(final)
        if on_piece is not None:
            on_piece(Piece(PieceKind.ANSWER, final.content))
        names = [f"Sample {i + 1}" for i in range(len(parts))] if strategy is r.PromptedStrategy.VOTE \
            else ["Draft", "Critique", "Revision"]  # fmt: skip
        thinking = "\n\n".join(f"{name}:\n{p.thinking}\n-> {p.content}".replace("\n\n->", "\n->")
                                 for name, p in zip(names, parts, strict=True))  # fmt: skip
        s = [p.stats for p in parts]
        stats = replace(final.stats, prompt_tokens=sum(x.prompt_tokens for x in s),
                        thinking_tokens=sum(x.thinking_tokens + x.answer_tokens for x in s) - final.stats.answer_tokens,
                        elapsed_s=sum(x.elapsed_s for x in s), ttft_s=s[0].ttft_s,
                        thinking_s=sum(x.elapsed_s for x in s[:-1]) + (final.stats.thinking_s or 0.0))  # fmt: skip
        return Answer(final.content, thinking, stats)


def _with_system(msgs: list[dict[str, Any]], instruction: str) -> list[dict[str, Any]]:
    if msgs and msgs[0]["role"] == "system":
        return [{"role": "system", "content": f"{msgs[0]['content']}\n\n{instruction}".strip()}, *msgs[1:]]
    return [{"role": "system", "content": instruction}, *msgs]


def _without_bos(prompt: str, template: ChatTemplate) -> str:
    """The prompt without the BOS text a template writes first: the server adds the model's BOS token itself (llama.cpp
    tokenizes every prompt that way), and two BOS tokens derail some models."""
    bos = template.bos_token
    return prompt[len(bos) :] if bos and prompt.startswith(bos) else prompt
