"""Conversation export to Markdown and JSON."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from app.chat.export import JSON_FORMAT, save, to_json, to_markdown
from app.chat.messages import AnswerStats, ChatError, ReasoningMode, Role, Sampling
from app.chat.sessions import Conversation, Conversations, MessageState, StoredMessage
from app.store import Store


@pytest.fixture
def chat(tmp_path: Path) -> tuple[Conversation, list[StoredMessage]]:
    with Store(tmp_path / "modelwerk.db") as store:
        chats = Conversations(store)
        c = chats.create("model:3", system_prompt="Be brief.", sampling=Sampling(temperature=0.0),
                         reasoning=ReasoningMode.NATIVE)
        chats.add_message(c.id, Role.USER, "What is 2+2?")
        chats.add_message(
            c.id, Role.ASSISTANT, "**4**", thinking="2 plus 2 is 4. Not </details> here.",
            stats=AnswerStats(thinking_tokens=9, thinking_s=0.5, ttft_s=0.05, tokens_per_s=42.0, finish_reason="stop"),
        )
        chats.add_message(c.id, Role.USER, "And 3+3?")
        mid = chats.begin_streaming(c.id)
        chats.finish_message(mid, "6, and", "", None, MessageState.CANCELLED)
        return chats.get(c.id), chats.messages(c.id)


def test_markdown_has_turns_and_folded_thinking(chat: tuple[Conversation, list[StoredMessage]]) -> None:
    conversation, messages = chat
    md = to_markdown(conversation, messages)
    assert md.startswith("# What is 2+2?\n")
    assert "- Model: `model:3`" in md and "- Reasoning: native" in md
    assert "## System prompt\n\nBe brief." in md
    assert md.count("## User") == 2 and md.count("## Assistant") == 2
    assert "<details>\n<summary>Thinking (9 tokens, 0.5 s)</summary>\n\n2 plus 2 is 4." in md
    assert "Not &lt;/details&gt; here." in md and md.count("</details>") == 1
    assert "**4**" in md and "*(first token 0.05 s; 42.0 tokens/s)*" in md
    assert "6, and\n\n*(stopped)*" in md
    assert md.index("<details>") < md.index("**4**")  # thinking shown before the answer


def test_json_round_trips_everything(chat: tuple[Conversation, list[StoredMessage]]) -> None:
    conversation, messages = chat
    data = json.loads(to_json(conversation, messages))
    assert data["format"] == JSON_FORMAT and data["version"] == 1
    assert data["model"] == "model:3" and data["system_prompt"] == "Be brief." and data["reasoning"] == "native"
    assert data["sampling"]["temperature"] == 0.0
    assert [m["role"] for m in data["messages"]] == ["user", "assistant", "user", "assistant"]
    assert data["messages"][1]["thinking"].startswith("2 plus 2")
    assert data["messages"][1]["stats"]["thinking_tokens"] == 9
    assert data["messages"][0]["stats"] is None
    assert data["messages"][3]["state"] == "cancelled"


def test_save_picks_the_format_by_suffix(chat: tuple[Conversation, list[StoredMessage]], tmp_path: Path) -> None:
    conversation, messages = chat
    save(tmp_path / "chat.json", conversation, messages)
    save(tmp_path / "chat.md", conversation, messages)
    assert json.loads((tmp_path / "chat.json").read_text(encoding="utf-8"))["title"] == "What is 2+2?"
    assert (tmp_path / "chat.md").read_text(encoding="utf-8").startswith("# What is 2+2?")
    with pytest.raises(ChatError, match="Cannot write"):
        save(tmp_path / "missing" / "chat.md", conversation, messages)
