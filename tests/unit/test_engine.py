from __future__ import annotations

import threading
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from app.chat.engine import ChatEngine
from app.chat.messages import Message, Piece, PieceKind, ReasoningMode, Role, Sampling
from app.chat.reasoning import BUDGET_FINAL_CUE, PROMPTED_SYSTEM, PromptedStrategy, ThinkingKind, detect
from app.chat.templates import CHATML, TRANSCRIPT, TRANSCRIPT_STOP, ChatTemplate
from tests.unit.test_chat_templates import QWEN3, R1

GREEDY = Sampling(temperature=0.0, max_tokens=32)
USER = [Message(Role.USER, "2+2?")]


@dataclass
class Delta:
    text: str = ""
    reasoning: str = ""
    finish_reason: str | None = None
    prompt_tokens: int | None = None
    completion_tokens: int | None = None


@dataclass
class FakeStream:
    deltas: list[Delta]
    on_next: Any = None
    closed: bool = False
    served: int = 0

    def __iter__(self) -> Iterator[Delta]:
        for d in self.deltas:
            if self.closed:
                return
            self.served += 1
            if self.on_next is not None:
                self.on_next(self.served)
            yield d

    def close(self) -> None:
        self.closed = True


@dataclass
class FakeBackend:
    scripts: list[list[str]]
    supports_raw_prompt: bool = True
    reasoning: list[str] = field(default_factory=list)
    calls: list[tuple[str, Any, dict[str, Any]]] = field(default_factory=list)
    streams: list[FakeStream] = field(default_factory=list)
    on_next: Any = None

    def _stream(self) -> FakeStream:
        texts = self.scripts.pop(0) if self.scripts else ["ok"]
        deltas = [Delta(reasoning=x) for x in self.reasoning] + [Delta(text=t) for t in texts]
        deltas.append(Delta(finish_reason="stop", prompt_tokens=7, completion_tokens=len(deltas)))
        s = FakeStream(deltas, self.on_next)
        self.streams.append(s)
        return s

    def stream_chat(self, messages: Sequence[dict[str, Any]], *, sampling: Sampling, model: str = "",
                    extra: Mapping[str, Any] = {}) -> FakeStream:  # fmt: skip
        self.calls.append(("chat", list(messages), dict(extra)))
        return self._stream()

    def stream_completion(self, prompt: str, *, sampling: Sampling, stop: Sequence[str] = (),
                          model: str = "") -> FakeStream:  # fmt: skip
        self.calls.append(("completion", prompt, {"max_tokens": sampling.max_tokens, "stop": tuple(stop)}))
        return self._stream()

    def tokenize(self, text: str) -> list[int] | None:
        return None


def engine(backend: FakeBackend, text: str | None) -> ChatEngine:
    t = None if text is None else ChatTemplate(text)
    return ChatEngine(backend, template=t, support=detect(t))


def test_native_prefilled_think_tags_split_thinking_and_answer() -> None:
    b = FakeBackend([["Add", " them", ".</th", "ink>\n\n", "4"]])
    pieces: list[Piece] = []
    a = engine(b, R1).answer(USER, mode=ReasoningMode.NATIVE, sampling=GREEDY, on_piece=pieces.append)
    assert (a.thinking, a.content) == ("Add them.", "4")
    assert b.calls[0][0] == "completion" and str(b.calls[0][1]).endswith("<think>\n")
    # the deltas of the end tag count as thinking
    assert a.stats.thinking_tokens == 4 and a.stats.answer_tokens == 1 and a.stats.finish_reason == "stop"
    assert a.stats.prompt_tokens == 7 and a.stats.ttft_s is not None and a.stats.thinking_s is not None
    assert {p.kind for p in pieces} == {PieceKind.THINKING, PieceKind.ANSWER}


def test_budget_forcing_closes_the_block_and_continues() -> None:
    b = FakeBackend([["hmm"] * 10, ["4"]])
    a = engine(b, R1).answer(USER, mode=ReasoningMode.NATIVE, sampling=GREEDY, thinking_budget=3)
    assert a.thinking == "hmmhmmhmm" and a.content == "4"
    assert b.streams[0].closed and b.streams[0].served == 3
    second = str(b.calls[1][1])
    assert second.endswith("<think>\nhmmhmmhmm</think>" + BUDGET_FINAL_CUE)


def test_a_model_that_ends_its_turn_without_closing_the_block_is_asked_for_the_answer() -> None:
    """SmolLM2 in System 2 thinks and stops without </think>: an answer of nothing but thinking. It is asked for the
    answer as when the budget is spent; cut by the token limit, it is not (no room left)."""
    b = FakeBackend([["Two and two", " make four."], ["4"]])
    a = engine(b, R1).answer(USER, mode=ReasoningMode.NATIVE, sampling=GREEDY, thinking_budget=100)
    assert (a.thinking, a.content) == ("Two and two make four.", "4")
    assert str(b.calls[1][1]).endswith("<think>\nTwo and two make four.</think>" + BUDGET_FINAL_CUE)
    cut = FakeBackend([["hmm"] * 40])
    a = engine(cut, R1).answer(USER, mode=ReasoningMode.NATIVE, sampling=GREEDY, thinking_budget=100)
    assert a.content == "" and len(cut.calls) == 1  # 40 tokens of a limit of 32: nothing left for an answer


def test_budget_forcing_counts_the_thinking_once_in_the_prompt_and_answer_tokens() -> None:
    # The cut first request never reports its usage; the continuation's prompt (7 of the question, the 3 thinking tokens
    # again, 2 of the cue) is reported: the answer's prompt is the question (+ cue), its thinking counted once.
    b = FakeBackend([["hmm"] * 10, ["4"]])
    reported = iter([None, 12])
    original = b._stream

    def stream() -> FakeStream:
        s = original()
        s.deltas[-1].prompt_tokens = next(reported)
        return s

    b._stream = stream  # type: ignore[method-assign]
    a = engine(b, R1).answer(USER, mode=ReasoningMode.NATIVE, sampling=GREEDY, thinking_budget=3)
    assert (a.stats.prompt_tokens, a.stats.thinking_tokens, a.stats.answer_tokens) == (9, 3, 1)


def test_off_disables_native_thinking() -> None:
    b = FakeBackend([["4"]])
    engine(b, QWEN3).answer(USER, mode=ReasoningMode.OFF, sampling=GREEDY)
    assert str(b.calls[0][1]).endswith("<think>\n\n</think>\n\n")
    b = FakeBackend([["4"]])
    a = engine(b, R1).answer(USER, mode=ReasoningMode.OFF, sampling=GREEDY)
    assert str(b.calls[0][1]).endswith("<think>\n\n\n</think>\n\n") and a.content == "4" and a.thinking == ""


def test_chat_path_sends_template_kwargs_and_reads_reasoning_deltas() -> None:
    b = FakeBackend([["4"]], supports_raw_prompt=False, reasoning=["think", "ing"])
    e = ChatEngine(b, template=ChatTemplate(QWEN3), support=detect(ChatTemplate(QWEN3)))
    a = e.answer(USER, mode=ReasoningMode.OFF, sampling=GREEDY)
    assert b.calls[0][2] == {"chat_template_kwargs": {"enable_thinking": False}}
    assert (a.thinking, a.content, a.stats.thinking_tokens) == ("thinking", "4", 2)


def test_remote_endpoint_parses_think_tags_and_never_sends_thinking_back() -> None:
    b = FakeBackend([["<think>x</think>", "y"]], supports_raw_prompt=False)
    history = [Message(Role.USER, "q"), Message(Role.ASSISTANT, "a", thinking="secret"), Message(Role.USER, "q2")]
    a = engine(b, None).answer(history, mode=ReasoningMode.NATIVE, sampling=GREEDY)
    assert (a.thinking, a.content) == ("x", "y")
    sent = b.calls[0][1]
    assert "secret" not in str(sent) and sent[0] == {"role": "system", "content": PROMPTED_SYSTEM}


def test_prompted_on_plain_template_prefills_think() -> None:
    b = FakeBackend([["step</think>", "4"]])
    a = engine(b, CHATML).answer([Message(Role.SYSTEM, "Be brief."), *USER], mode=ReasoningMode.PROMPTED,
                                 sampling=GREEDY)  # fmt: skip
    prompt = str(b.calls[0][1])
    assert "Be brief.\n\n" + PROMPTED_SYSTEM in prompt and prompt.endswith("assistant\n<think>\n")
    assert (a.thinking, a.content) == ("step", "4")


def test_cancel_stops_within_one_token() -> None:
    cancel = threading.Event()
    b = FakeBackend([["a"] * 20])
    b.on_next = lambda n: cancel.set() if n == 5 else None
    a = engine(b, CHATML).answer(USER, mode=ReasoningMode.OFF, sampling=GREEDY, cancel=cancel)
    assert a.stats.finish_reason == "cancelled" and a.content == "aaaa"
    assert b.streams[0].closed and b.streams[0].served == 5


def test_vote_and_draft_critique_revise() -> None:
    b = FakeBackend([["x</think>4"], ["y</think>5"], ["z</think>4."]])
    a = engine(b, CHATML).answer(USER, mode=ReasoningMode.PROMPTED, sampling=GREEDY, strategy=PromptedStrategy.VOTE)
    assert a.content == "4" and len(b.calls) == 3
    b = FakeBackend([["</think>draft"], ["</think>crit"], ["</think>final"]])
    a = engine(b, CHATML).answer(USER, mode=ReasoningMode.PROMPTED, sampling=GREEDY,
                                 strategy=PromptedStrategy.DRAFT_CRITIQUE_REVISE)  # fmt: skip
    assert a.content == "final" and "draft" in str(b.calls[2][1]) and "crit" in str(b.calls[2][1])


def test_kind_of_r1() -> None:
    assert detect(ChatTemplate(R1)).kind is ThinkingKind.THINK_TAGS


def test_base_model_answers_a_raw_transcript_with_stop_strings() -> None:
    """A model without a chat template: a plain "User:/Assistant:" completion, cut where it writes the next question."""
    b = FakeBackend([[" Paris."]])
    e = ChatEngine(b, template=ChatTemplate(TRANSCRIPT, "default", True, "<bos>", "", TRANSCRIPT_STOP),
                   support=detect(ChatTemplate(TRANSCRIPT)))  # fmt: skip
    a = e.answer([Message(Role.USER, "What is the capital of France?")], mode=ReasoningMode.OFF, sampling=GREEDY)
    kind, prompt, extra = b.calls[0]
    assert (kind, prompt) == ("completion", "User: What is the capital of France?\nAssistant:")
    assert "\nUser:" in extra["stop"] and a.content == "Paris."
