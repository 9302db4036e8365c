"""Saved conversations: create/list/rename/delete, messages, streaming saves, crash recovery, truncation."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from app.chat.messages import AnswerStats, Message, ReasoningMode, Role, Sampling
from app.chat.sessions import (
    TITLE_CHARS,
    ConversationNotFound,
    Conversations,
    MessageState,
    endpoint_model_key,
    local_model_key,
    title_from,
)
from app.store import Store


@pytest.fixture
def store(tmp_path: Path) -> Iterator[Store]:
    with Store(tmp_path / "modelwerk.db") as s:
        yield s


def test_model_keys() -> None:
    assert local_model_key(12) == "model:12"
    assert endpoint_model_key(3, "qwen3-8b") == "endpoint:3/qwen3-8b"


def test_create_get_and_settings_round_trip(store: Store) -> None:
    chats = Conversations(store)
    sampling = Sampling(temperature=0.0, top_k=1, seed=7)
    c = chats.create("model:1", system_prompt="Be brief.", sampling=sampling, reasoning=ReasoningMode.NATIVE)
    assert c.title == "" and c.system_prompt == "Be brief."
    got = chats.get(c.id)
    assert got == c
    assert got.sampling == sampling and got.reasoning is ReasoningMode.NATIVE
    chats.set_sampling(c.id, Sampling(max_tokens=32))
    chats.set_reasoning(c.id, ReasoningMode.PROMPTED)
    chats.set_system_prompt(c.id, "")
    chats.rename(c.id, "  My   chat ")
    got = chats.get(c.id)
    assert got.sampling == Sampling(max_tokens=32)
    assert got.reasoning is ReasoningMode.PROMPTED
    assert got.system_prompt == "" and got.title == "My chat"
    assert got.updated >= c.updated


def test_unknown_ids_raise(store: Store) -> None:
    chats = Conversations(store)
    with pytest.raises(ConversationNotFound, match="no conversation with id 99"):
        chats.get(99)
    with pytest.raises(ConversationNotFound):
        chats.rename(99, "x")
    with pytest.raises(ConversationNotFound):
        chats.add_message(99, Role.USER, "hi")
    with pytest.raises(ConversationNotFound):
        chats.finish_message(99, "x")
    with pytest.raises(ConversationNotFound):
        chats.truncate_after(99)
    assert chats.messages(99) == []
    chats.update_streaming(99, "x", "")  # harmless
    chats.delete(99)  # harmless


def test_list_for_is_per_model_and_newest_first(store: Store) -> None:
    chats = Conversations(store)
    a = chats.create("model:1")
    b = chats.create("model:1")
    other = chats.create("endpoint:2/llama")
    assert [c.id for c in chats.list_for("model:1")] == [b.id, a.id]
    chats.add_message(a.id, Role.USER, "later")  # touching a moves it to the top
    assert [c.id for c in chats.list_for("model:1")] == [a.id, b.id]
    assert [c.id for c in chats.list_for("endpoint:2/llama")] == [other.id]
    assert {c.id for c in chats.list_all()} == {a.id, b.id, other.id}
    assert chats.list_for("model:404") == []


def test_first_user_message_titles_the_conversation(store: Store) -> None:
    chats = Conversations(store)
    c = chats.create("model:1")
    chats.add_message(c.id, Role.USER, "\n  What is   the capital of France?\nThanks")
    assert chats.get(c.id).title == "What is the capital of France?"
    chats.add_message(c.id, Role.USER, "another question")
    assert chats.get(c.id).title == "What is the capital of France?"
    named = chats.create("model:1", title="Kept")
    chats.add_message(named.id, Role.USER, "hello")
    assert chats.get(named.id).title == "Kept"


def test_the_same_first_question_twice_gets_distinct_titles_under_one_model(store: Store) -> None:
    chats = Conversations(store)
    titles = []
    for key in ("model:1", "model:1", "model:1", "model:2"):
        c = chats.create(key)
        chats.add_message(c.id, Role.USER, "What is the capital of France?")
        titles.append(chats.get(c.id).title)
    q = "What is the capital of France?"
    assert titles == [q, f"{q} (2)", f"{q} (3)", q]  # another model's list may have it again


def test_title_from_cuts_long_lines() -> None:
    title = title_from("x" * 200)
    assert len(title) == TITLE_CHARS and title.endswith("…")
    assert title_from("   \n\n") == ""


def test_messages_in_order_with_stats(store: Store) -> None:
    chats = Conversations(store)
    c = chats.create("model:1")
    stats = AnswerStats(prompt_tokens=5, answer_tokens=3, thinking_tokens=2, ttft_s=0.1, tokens_per_s=50.0,
                        elapsed_s=0.2, thinking_s=0.05, finish_reason="stop")
    u = chats.add_message(c.id, Role.USER, "Hi")
    a = chats.add_message(c.id, Role.ASSISTANT, "Hello!", thinking="greet", stats=stats)
    msgs = chats.messages(c.id)
    assert [(m.position, m.role, m.content) for m in msgs] == [(0, Role.USER, "Hi"), (1, Role.ASSISTANT, "Hello!")]
    assert msgs[0].stats is None and msgs[1].stats == stats
    assert msgs[1].thinking == "greet" and msgs[1].state is MessageState.DONE
    assert msgs[0] == u and msgs[1] == a
    assert a.to_message() == Message(Role.ASSISTANT, "Hello!", "greet")


def test_streaming_then_finish(store: Store) -> None:
    chats = Conversations(store)
    c = chats.create("model:1")
    chats.add_message(c.id, Role.USER, "Count")
    mid = chats.begin_streaming(c.id)
    streaming = chats.message(mid)
    assert streaming.state is MessageState.STREAMING and streaming.role is Role.ASSISTANT and streaming.content == ""
    chats.update_streaming(mid, "1, 2", "hmm")
    assert (chats.message(mid).content, chats.message(mid).thinking) == ("1, 2", "hmm")
    done = chats.finish_message(mid, "1, 2, 3", "hmm", AnswerStats(answer_tokens=5, finish_reason="stop"), MessageState.DONE)
    assert done.state is MessageState.DONE and done.content == "1, 2, 3"
    assert done.stats is not None and done.stats.answer_tokens == 5
    chats.update_streaming(mid, "late write", "")  # a finished message is not overwritten
    assert chats.message(mid).content == "1, 2, 3"


def test_finish_with_error_keeps_reason(store: Store) -> None:
    chats = Conversations(store)
    c = chats.create("model:1")
    mid = chats.begin_streaming(c.id)
    m = chats.finish_message(mid, "partial", "", None, MessageState.ERROR, error="the runtime exited with code -9 (killed)")
    assert m.state is MessageState.ERROR and m.error.endswith("(killed)") and m.content == "partial"


def test_streaming_message_left_by_a_crash_becomes_cancelled_on_reopen(tmp_path: Path) -> None:
    path = tmp_path / "modelwerk.db"
    store = Store(path)
    chats = Conversations(store)
    c = chats.create("model:1")
    chats.add_message(c.id, Role.USER, "Tell me a story")
    mid = chats.begin_streaming(c.id)
    chats.update_streaming(mid, "Once upon", "plot")
    # A second Conversations on the same open store must not cancel the live stream.
    assert Conversations(store).message(mid).state is MessageState.STREAMING
    store.close()  # the "crash": finish_message never ran

    store = Store(path)
    try:
        m = Conversations(store).message(mid)
        assert m.state is MessageState.CANCELLED
        assert (m.content, m.thinking) == ("Once upon", "plot")
        assert Conversations(store).recover_interrupted() == 0
    finally:
        store.close()


def test_truncate_after_and_edit(store: Store) -> None:
    chats = Conversations(store)
    c = chats.create("model:1")
    u1 = chats.add_message(c.id, Role.USER, "q1")
    chats.add_message(c.id, Role.ASSISTANT, "a1")
    u2 = chats.add_message(c.id, Role.USER, "q2")
    chats.add_message(c.id, Role.ASSISTANT, "a2")
    # Regenerate: drop the last answer, keep the question.
    assert chats.truncate_after(u2.id) == 1
    assert [m.content for m in chats.messages(c.id)] == ["q1", "a1", "q2"]
    # Edit and resend the first question.
    chats.set_content(u1.id, "q1 edited")
    assert chats.truncate_after(u1.id) == 2
    assert [m.content for m in chats.messages(c.id)] == ["q1 edited"]
    # Positions continue after the kept message.
    assert chats.add_message(c.id, Role.ASSISTANT, "new").position == 1
    with pytest.raises(ConversationNotFound):
        chats.set_content(9999, "x")


def test_history_adds_system_prompt_and_keeps_the_roles_alternating(store: Store) -> None:
    chats = Conversations(store)
    c = chats.create("model:1", system_prompt="Be brief.")
    chats.add_message(c.id, Role.USER, "q1")
    failed = chats.begin_streaming(c.id)
    chats.finish_message(failed, "", "", None, MessageState.ERROR, error="boom")
    chats.add_message(c.id, Role.USER, "q2")
    stopped = chats.begin_streaming(c.id)
    chats.finish_message(stopped, "half an answer", "thought", None, MessageState.CANCELLED)
    chats.add_message(c.id, Role.USER, "q3")
    chats.begin_streaming(c.id)
    history = chats.history(c.id)
    assert [(m.role, m.content) for m in history] == [
        (Role.SYSTEM, "Be brief."), (Role.USER, "q1"), (Role.ASSISTANT, ""), (Role.USER, "q2"),
        (Role.ASSISTANT, "half an answer"), (Role.USER, "q3"),
    ]  # the failed answer said nothing, and is sent as saying nothing: q1 and q2 never back to back
    assert history[4].to_openai() == {"role": "assistant", "content": "half an answer"}  # thinking never sent


def test_delete_removes_messages(store: Store) -> None:
    chats = Conversations(store)
    c = chats.create("model:1")
    chats.add_message(c.id, Role.USER, "hi")
    keep = chats.create("model:1")
    chats.add_message(keep.id, Role.USER, "stay")
    chats.delete(c.id)
    with pytest.raises(ConversationNotFound):
        chats.get(c.id)
    assert store.fetchone("SELECT COUNT(*) FROM messages")[0] == 1  # type: ignore[index]


def test_unreadable_stored_settings_fall_back(store: Store) -> None:
    chats = Conversations(store)
    c = chats.create("model:1")
    store.execute(
        "UPDATE conversations SET sampling = ?, reasoning = ? WHERE id = ?",
        ('{"temperature": 0.1, "from_the_future": 1}', "weird", c.id),
    )
    got = chats.get(c.id)
    assert got.sampling == Sampling(temperature=0.1) and got.reasoning is ReasoningMode.OFF
    store.execute("UPDATE conversations SET sampling = 'not json' WHERE id = ?", (c.id,))
    assert chats.get(c.id).sampling == Sampling()


def test_a_question_after_an_answer_that_said_nothing_renders_in_a_template_that_wants_alternating_roles(
        store: Store) -> None:  # fmt: skip
    """Mistral NeMo's real template raises on two user turns in a row; a stopped empty answer once caused exactly that."""
    from pathlib import Path

    from app.chat.templates import ChatTemplate, render_messages

    templates = Path(__file__).resolve().parents[1] / "fixtures" / "templates"
    template = ChatTemplate((templates / "mistral-nemo.jinja").read_text(), "model", False, "<s>", "</s>")
    chats = Conversations(store)
    c = chats.create("model:1")
    chats.add_message(c.id, Role.USER, "What is 2 + 2?")
    stopped = chats.begin_streaming(c.id)
    chats.finish_message(stopped, "", "", None, MessageState.CANCELLED)  # stopped before it said anything
    chats.add_message(c.id, Role.USER, "What is 5 + 5?")
    prompt = render_messages(template, [m.to_openai() for m in chats.history(c.id)])
    assert prompt.count("[INST]") == 2 and prompt.rstrip().endswith("What is 5 + 5?[/INST]")
