"""A conversation's tools and an answer's steps, saved (migration 10) and read back leniently."""

from __future__ import annotations

from pathlib import Path

import pytest

from app.chat.messages import Role
from app.chat.sessions import Conversations
from app.chat.toolset import ToolSet
from app.store import Store


@pytest.mark.parametrize(("text", "expected"), [
    ('{"python": true, "fetch": false, "collection": "Papers", "mcp": true}', ToolSet(True, False, "Papers", True)),
    ("", ToolSet()),
    ("not json", ToolSet()),
    ("[1, 2]", ToolSet()),
    ('{"python": "yes", "mcp": 1, "collection": 5, "shell": true}', ToolSet()),  # wrong types and unknown keys dropped
])  # fmt: skip
def test_toolset_json_is_read_leniently(text: str, expected: ToolSet) -> None:
    assert ToolSet.from_json(text) == expected


def test_labels_and_truth() -> None:
    assert not ToolSet()
    assert ToolSet(python=True, collection="Papers", mcp=True).labels() == ["Python", "docs: Papers", "MCP"]


def test_tools_and_steps_are_kept_with_the_conversation(tmp_path: Path) -> None:
    with Store.open(tmp_path / "m.db") as store:
        sessions = Conversations(store)
        conversation = sessions.create("model:1")
        sessions.set_tools(conversation.id, ToolSet(python=True))
        sessions.add_message(conversation.id, Role.USER, "6*7?")
        answer = sessions.add_message(conversation.id, Role.ASSISTANT, "42")
        steps = [{"round": 1, "tool": "python", "arguments": {"code": "print(6*7)"}, "ok": True, "summary": "42"}]
        sessions.set_steps(answer.id, steps)
    with Store.open(tmp_path / "m.db") as store:
        sessions = Conversations(store)
        assert sessions.get(conversation.id).tools == ToolSet(python=True)
        assert sessions.messages(conversation.id)[-1].steps == tuple(steps)
        assert sessions.messages(conversation.id)[0].steps == ()
