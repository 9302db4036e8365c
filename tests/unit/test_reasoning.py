from __future__ import annotations

from app.chat.reasoning import ThinkingKind, detect, vote
from app.chat.templates import CHATML, GEMMA, ChatTemplate
from tests.unit.test_chat_templates import GPT_OSS, QWEN3, R1


def test_detect_kinds() -> None:
    assert detect(ChatTemplate(QWEN3)).kind is ThinkingKind.ENABLE_THINKING
    r1 = detect(ChatTemplate(R1))
    assert (r1.kind, r1.prefilled, r1.label) == (ThinkingKind.THINK_TAGS, True, "DeepSeek <think>")
    oss = detect(ChatTemplate(GPT_OSS))
    assert oss.kind is ThinkingKind.REASONING_EFFORT and oss.start_tag.startswith("<|channel|>")
    assert detect(ChatTemplate(GEMMA)).kind is ThinkingKind.NONE
    assert detect(ChatTemplate(CHATML)).kind is ThinkingKind.NONE
    assert detect(None).kind is ThinkingKind.NONE


def test_broken_template_probe_still_detects() -> None:
    s = detect(ChatTemplate("{{ raise_exception('no') }}<think>"))
    assert s.kind is ThinkingKind.THINK_TAGS and not s.prefilled


def test_vote() -> None:
    assert vote(["4", "5", "4."]) == 0
    assert vote(["a", "b"]) == 0
