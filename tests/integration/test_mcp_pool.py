"""A conversation's MCP servers live as long as the conversation, for real: the stdio test server (written with the SDK,
tests/fixtures/mcp_server.py) writes its pid to a file as it starts, the scripted OpenAI-compatible server plays the
model, and each answer is a ``ToolTurn`` saved in a real conversation store."""

from __future__ import annotations

import os
import signal
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest
from fixtures.mcp_pids import gone, started, write_config
from fixtures.scripted_server import Reply, ScriptedServer

from app.chat.client import ChatClient
from app.chat.engine import ChatEngine
from app.chat.reasoning import detect
from app.chat.sessions import Conversations
from app.chat.toolset import ToolSet
from app.store import Store
from app.tools.calls import ToolCall
from app.tools.loop import Approval
from app.tools.mcp_pool import McpPool
from app.tools.spec import Tool
from app.tools.turn import ToolTurn

WAIT_S = 30.0


def wait_gone(pid: int) -> None:
    """Until the process has ended (the pool stops it on a thread of its own), at most WAIT_S."""
    done = threading.Event()
    for _ in range(int(WAIT_S * 20)):
        if gone(pid):
            return
        done.wait(0.05)
    raise AssertionError(f"MCP server {pid} still running")


def always(call: ToolCall, tool: Tool) -> Approval:
    return Approval.ONCE


class Chat:
    """Conversations answered through the pool; each answer calls ``test__count`` once, then answers."""

    def __init__(self, tmp_path: Path, model: ScriptedServer, pool: McpPool) -> None:
        self.store = Store.open(tmp_path / "modelwerk.db")
        self.sessions = Conversations(self.store)
        self.model = model
        self.pool = pool
        self.pids = tmp_path / "pids.txt"
        self.config = write_config(tmp_path / "mcp.json", self.pids)
        self.engine = ChatEngine(ChatClient(model.base_url), template=None, support=detect(None), model="m")

    def new(self) -> int:
        return self.sessions.create("endpoint:1:m").id

    def answer(self, conversation: int, tool: str = "test__count") -> ToolTurn:
        self.model.script += [Reply(calls=[(tool, "{}")]), Reply(text="Counted.")]
        turn = ToolTurn.ask(self.sessions, conversation, "Count", self.engine, toolset=ToolSet(mcp=True),
                            approve=always, mcp_config=self.config, mcp_pool=self.pool)  # fmt: skip
        assert isinstance(turn, ToolTurn)
        turn.run()
        return turn


@pytest.fixture
def chat(tmp_path: Path) -> Iterator[Chat]:
    model = ScriptedServer([])
    pool = McpPool()
    c = Chat(tmp_path, model, pool)
    yield c
    pool.close()
    assert pool.join(WAIT_S)
    c.store.close()
    model.close()


def counted(turn: ToolTurn) -> str:
    [step] = turn.steps
    assert step.ok, step
    return str(step.data["text"])


def test_two_answers_of_a_conversation_start_the_server_once_and_keep_its_state(chat: Chat) -> None:
    conversation = chat.new()
    first = chat.answer(conversation)
    second = chat.answer(conversation)
    assert (counted(first), counted(second)) == ("1", "2")  # the same process answered both
    assert len(started(chat.pids)) == 1 and not gone(started(chat.pids)[0])
    assert chat.pool.owners() == [conversation]
    assert [m.content for m in chat.sessions.messages(conversation)][-1] == "Counted."


def test_an_edited_mcp_json_starts_the_servers_again(chat: Chat) -> None:
    conversation = chat.new()
    chat.answer(conversation)
    [old] = started(chat.pids)
    write_config(chat.config, chat.pids, allowed=("count", "shout"))  # another allowlist
    turn = chat.answer(conversation)
    assert counted(turn) == "1" and len(started(chat.pids)) == 2
    assert gone(old)  # stopped before the new one answered
    assert [str(n) for n in turn.notes] == ["MCP: mcp.json changed; its servers were started again"]
    assert sorted(t["function"]["name"] for t in chat.model.requests[-2]["tools"]) == ["test__count", "test__shout"]
    chat.answer(conversation)
    assert len(started(chat.pids)) == 2  # unchanged since: kept


def test_a_broken_mcp_json_stops_the_servers_and_is_a_note(chat: Chat) -> None:
    conversation = chat.new()
    chat.answer(conversation)
    [pid] = started(chat.pids)
    chat.config.write_text("{not json")
    chat.model.script += [Reply(text="No tools.")]
    turn = ToolTurn.ask(chat.sessions, conversation, "Count", chat.engine, toolset=ToolSet(mcp=True, python=True),
                        approve=always, mcp_config=chat.config, mcp_pool=chat.pool)  # fmt: skip
    assert isinstance(turn, ToolTurn)
    turn.run()
    assert any("is not JSON" in str(n) for n in turn.notes) and chat.pool.owners() == []
    wait_gone(pid)


def test_a_killed_server_is_started_again_at_the_next_answer_with_one_note(chat: Chat) -> None:
    conversation = chat.new()
    chat.answer(conversation)
    [pid] = started(chat.pids)
    os.kill(pid, signal.SIGKILL)
    wait_gone(pid)
    again = chat.answer(conversation)
    assert counted(again) == "1" and len(started(chat.pids)) == 2  # a new process
    assert [str(n) for n in again.notes] == ["MCP server 'test' had stopped; it was started again"]
    after = chat.answer(conversation)
    assert counted(after) == "2" and after.notes == [] and len(started(chat.pids)) == 2


def test_a_server_that_crashes_during_an_answer_is_back_for_the_next(chat: Chat) -> None:
    conversation = chat.new()
    for crashes in (1, 2):  # each restart is said
        crashed = chat.answer(conversation, "test__crash")
        assert not crashed.steps[0].ok
        again = chat.answer(conversation)
        assert counted(again) == "1" and len(started(chat.pids)) == 1 + crashes
        assert [str(n) for n in again.notes] == ["MCP server 'test' had stopped; it was started again"]


def test_two_conversations_get_servers_of_their_own(chat: Chat) -> None:
    one, two = chat.new(), chat.new()
    assert counted(chat.answer(one)) == "1"
    assert counted(chat.answer(two)) == "1"
    assert counted(chat.answer(one)) == "2"
    assert len(set(started(chat.pids))) == 2 and sorted(chat.pool.owners()) == [one, two]
    chat.pool.drop(one)  # closed, deleted or MCP turned off
    assert chat.pool.owners() == [two]
    wait_gone(started(chat.pids)[0])
    assert not gone(started(chat.pids)[1])


def test_closing_the_pool_stops_every_server(chat: Chat) -> None:
    for conversation in (chat.new(), chat.new()):
        chat.answer(conversation)
    chat.pool.close()  # the app quits: returns at once, the servers stop on threads of their own
    assert chat.pool.join(WAIT_S) and chat.pool.owners() == []
    assert all(gone(pid) for pid in started(chat.pids))
    turn = chat.answer(chat.new())  # an answer still running then gets servers of its own, stopped as it ends
    assert counted(turn) == "1" and gone(started(chat.pids)[-1])


def test_servers_stop_after_the_idle_time(chat: Chat) -> None:
    chat.pool.idle_s = 0.5
    conversation = chat.new()
    chat.answer(conversation)
    wait_gone(started(chat.pids)[0])
    assert chat.pool.owners() == []
    assert counted(chat.answer(conversation)) == "1"  # the next answer starts them again
    assert len(started(chat.pids)) == 2


def test_an_answer_while_another_uses_the_servers_gets_its_own(chat: Chat) -> None:
    conversation = chat.new()
    with chat.pool.lease(conversation, chat.config) as first:
        assert [t.name for t in first.tools] == ["test__count", "test__crash"]
        turn = chat.answer(conversation)  # never the same servers at once
        assert counted(turn) == "1" and len(started(chat.pids)) == 2 and gone(started(chat.pids)[1])
    assert chat.pool.owners() == [conversation] and counted(chat.answer(conversation)) == "1"
    assert len(started(chat.pids)) == 2
