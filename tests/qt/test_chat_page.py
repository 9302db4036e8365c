"""The Chat page as a user sees it: send and stream, stop, the reasoning toggle and the folded thinking block, edit and
resend, export, and a real runtime (the tiny GGUF) that is killed, shows what happened, and reloads."""

from __future__ import annotations

import json
import os
import signal
import threading
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

import pytest
from fixtures.tiny_gguf import write_tiny_gguf
from PySide6.QtCore import Qt, QUrl
from pytestqt.qtbot import QtBot

from app.chat.endpoints import Endpoints
from app.chat.engine import ChatEngine
from app.chat.messages import PRESETS, PromptedStrategy, ReasoningMode, Role, Sampling
from app.chat.reasoning import detect
from app.chat.runtime import LoadOptions, RuntimeState
from app.chat.sessions import Conversations, MessageState, local_model_key
from app.chat.templates import ChatTemplate
from app.library.catalog import Catalog
from app.store import Store
from app.ui.chat.backends import ChatBackends
from app.ui.chat.conversation import ConversationPane
from app.ui.chat.page import VALUE_ROLE, ChatPage
from app.ui.chat.transcript import Bubble, TranscriptView, stable_cut
from formats.inspect import inspect

QWEN3 = (
    "{% for m in messages %}<|im_start|>{{ m.role }}\n{{ m.content }}<|im_end|>\n{% endfor %}"
    "{% if add_generation_prompt %}<|im_start|>assistant\n"
    "{% if enable_thinking is defined and enable_thinking is false %}<think>\n\n</think>\n\n{% endif %}{% endif %}"
)
KEY = "model:1"
WAIT_MS = 20_000


@dataclass
class Delta:
    text: str = ""
    reasoning: str = ""
    finish_reason: str | None = None
    prompt_tokens: int | None = None
    completion_tokens: int | None = None


@dataclass
class FakeStream:
    texts: list[str]
    gate: threading.Event | None = None
    closed: bool = False

    def __iter__(self) -> Iterator[Delta]:
        for t in self.texts:
            if self.gate is not None:
                self.gate.wait(0.05)  # a slow model: one token per 50 ms unless the gate is open
            if self.closed:
                return
            yield Delta(text=t)
        yield Delta(finish_reason="stop", prompt_tokens=9, completion_tokens=len(self.texts))

    def close(self) -> None:
        self.closed = True


@dataclass
class FakeBackend:
    texts: list[str]
    slow: bool = False
    supports_raw_prompt: bool = True
    prompts: list[str] = field(default_factory=list)

    def stream_chat(self, messages: Sequence[dict[str, Any]], *, sampling: Sampling, model: str = "",
                    extra: Mapping[str, Any] = {}) -> FakeStream:  # fmt: skip
        self.prompts.append(repr(messages))
        return FakeStream(list(self.texts), threading.Event() if self.slow else None)

    def stream_completion(self, prompt: str, *, sampling: Sampling, stop: Sequence[str] = (),
                          model: str = "") -> FakeStream:  # fmt: skip
        self.prompts.append(prompt)
        return FakeStream(list(self.texts), threading.Event() if self.slow else None)

    def tokenize(self, text: str) -> list[int] | None:
        return None


@pytest.fixture
def store(tmp_path: Path) -> Iterator[Store]:
    s = Store.open(tmp_path / "modelwerk.db")
    yield s
    s.close()


@pytest.fixture
def page(qtbot: QtBot, store: Store) -> Iterator[ChatPage]:
    backends = ChatBackends(Catalog(store), Endpoints(store))
    p = ChatPage(backends, Conversations(store))
    qtbot.addWidget(p)
    yield p
    p.shutdown()


def fake(page: ChatPage, backend: FakeBackend, template: str = QWEN3) -> None:
    """Answers come from `backend`, rendered with `template` (a Qwen3-like one: native thinking)."""
    t = ChatTemplate(template)
    support = detect(t)
    page.backends.engine = lambda key: ChatEngine(backend, template=t, support=support)  # type: ignore[method-assign]
    page.backends.support = lambda key: support  # type: ignore[method-assign]


def send(qtbot: QtBot, pane: ConversationPane, text: str) -> None:
    pane.input.setPlainText(text)
    pane.send()
    qtbot.waitUntil(lambda: not pane.busy(), timeout=WAIT_MS)


def test_send_streams_the_answer_in_and_saves_it(qtbot: QtBot, page: ChatPage) -> None:
    backend = FakeBackend(["Hello", " **world**", "\n\n```python\nprint(1)\n```\n"])
    fake(page, backend)
    pane = page.new_chat(KEY)
    send(qtbot, pane, "Say hello")
    stored = pane.messages()
    assert [m.role for m in stored] == [Role.USER, Role.ASSISTANT]
    assert stored[1].content.startswith("Hello **world**") and stored[1].state is MessageState.DONE
    assert stored[1].stats is not None
    text = pane.view.toPlainText()
    assert "Say hello" in text and "Hello world" in text and "print(1)" in text  # Markdown rendered: no ** left
    assert pane.input.toPlainText() == ""
    assert page.tabs.tabText(0) == "Say hello"  # the first message names the conversation
    assert pane.stop_button.isEnabled() is False and pane.regenerate_button.isEnabled()


def test_enter_sends_and_shift_enter_makes_a_new_line(qtbot: QtBot, page: ChatPage) -> None:
    from PySide6.QtCore import Qt

    fake(page, FakeBackend(["ok"]))
    pane = page.new_chat(KEY)
    pane.input.setFocus()
    qtbot.keyClicks(pane.input, "line one")
    qtbot.keyClick(pane.input, Qt.Key.Key_Return, Qt.KeyboardModifier.ShiftModifier)
    qtbot.keyClicks(pane.input, "line two")
    assert pane.input.toPlainText() == "line one\nline two"
    qtbot.keyClick(pane.input, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: not pane.busy(), timeout=WAIT_MS)
    assert pane.messages()[0].content == "line one\nline two"


def test_stop_ends_the_answer_and_keeps_what_came(qtbot: QtBot, page: ChatPage) -> None:
    backend = FakeBackend([f"word{i} " for i in range(2000)], slow=True)
    fake(page, backend)
    pane = page.new_chat(KEY)
    pane.input.setPlainText("Talk forever")
    pane.send()
    assert pane.busy() and pane.stop_button.isEnabled()
    qtbot.waitUntil(lambda: "word2" in pane.view.toPlainText(), timeout=WAIT_MS)  # streamed in while running
    pane.stop_button.click()
    qtbot.waitUntil(lambda: not pane.busy(), timeout=WAIT_MS)
    answer = pane.messages()[-1]
    assert answer.state is MessageState.CANCELLED and answer.content.startswith("word0 word1 word2")
    assert "Stopped" in pane.view.toPlainText()


def test_closing_a_tab_mid_answer_stops_it_keeps_it_and_closes_the_tab(qtbot: QtBot, page: ChatPage) -> None:
    """One click: the answer stops, is saved as stopped, and the tab goes (it once needed a second click)."""
    fake(page, FakeBackend([f"word{i} " for i in range(2000)], slow=True))
    pane = page.new_chat(KEY)
    conversation_id = pane.conversation.id
    pane.input.setPlainText("Talk forever")
    pane.send()
    qtbot.waitUntil(lambda: "word2" in pane.view.toPlainText(), timeout=WAIT_MS)
    page.tabs.tabCloseRequested.emit(page.tabs.indexOf(pane))
    qtbot.waitUntil(lambda: page.tabs.count() == 0, timeout=WAIT_MS)
    answer = page.sessions.messages(conversation_id)[-1]
    assert answer.state is MessageState.CANCELLED and answer.content.startswith("word0 word1 word2")


def test_a_new_chat_closed_unused_is_not_kept_one_set_up_is(qtbot: QtBot, page: ChatPage) -> None:
    pane = page.new_chat(KEY)
    conversation_id = pane.conversation.id
    page.tabs.tabCloseRequested.emit(0)
    assert page.tabs.count() == 0
    assert conversation_id not in [c.id for c in page.sessions.list_all()]
    assert page.empty.text().startswith("Open a conversation from the list")
    prompted = page.new_chat(KEY)  # given a system prompt: set up, so kept
    page.sessions.set_system_prompt(prompted.conversation.id, "Answer in German.")
    page.tabs.tabCloseRequested.emit(0)
    assert prompted.conversation.id in [c.id for c in page.sessions.list_all()]


def test_progress_is_batched_not_one_update_per_token(qtbot: QtBot, page: ChatPage) -> None:
    backend = FakeBackend(["x"] * 3000)
    fake(page, backend)
    pane = page.new_chat(KEY)
    pane.input.setPlainText("Many tokens")
    pane.send()
    job = pane.job
    assert job is not None
    qtbot.waitUntil(lambda: not pane.busy(), timeout=WAIT_MS)
    assert job.emitted < 3000 / 10
    assert pane.messages()[-1].content == "x" * 3000


def test_the_reasoning_toggle_changes_the_request_and_the_thinking_block_starts_folded(qtbot: QtBot, page: ChatPage) -> None:
    backend = FakeBackend(["Two and two ", "make four.", "</think>", "It is **4**."])
    fake(page, backend)
    pane = page.new_chat(KEY)
    labels = [pane.reasoning.itemText(i) for i in range(pane.reasoning.count())]
    assert labels == ["System 1 · answer at once", "System 2 · native Qwen3-style", "System 2 · prompted reasoning"]

    pane.set_mode(ReasoningMode.OFF)
    send(qtbot, pane, "2+2?")
    assert "<think>\n\n</think>" in backend.prompts[-1]  # thinking switched off through the template

    pane.set_mode(ReasoningMode.NATIVE)
    assert pane.sessions.get(pane.conversation.id).reasoning is ReasoningMode.NATIVE  # saved with the conversation
    send(qtbot, pane, "Again?")
    assert "<think>\n\n</think>" not in backend.prompts[-1] and backend.prompts[-1].endswith("<think>\n")
    answer = pane.messages()[-1]
    assert answer.thinking.strip() == "Two and two make four." and answer.content.strip() == "It is **4**."
    text = pane.view.toPlainText().split("Again?")[1]
    assert "▸ Thought" in text and "Two and two" not in text  # folded by default
    pane.view.anchorClicked.emit(QUrl(f"think:{answer.id}"))
    assert pane.view.is_expanded(answer.id)
    text = pane.view.toPlainText().split("Again?")[1]
    assert "▾ Thought" in text and "Two and two make four." in text and "It is 4." in text


def test_edit_and_resend_and_regenerate_replace_the_tail(qtbot: QtBot, page: ChatPage) -> None:
    fake(page, FakeBackend(["answer"]))
    pane = page.new_chat(KEY)
    send(qtbot, pane, "first")
    send(qtbot, pane, "second")
    assert len(pane.messages()) == 4
    pane.edit_button.click()
    assert pane.input.toPlainText() == "second"
    pane.input.setPlainText("second, edited")
    pane.send()
    qtbot.waitUntil(lambda: not pane.busy(), timeout=WAIT_MS)
    contents = [m.content for m in pane.messages()]
    assert contents == ["first", "answer", "second, edited", "answer"]
    old_id = pane.messages()[-1].id
    pane.regenerate_button.click()
    qtbot.waitUntil(lambda: not pane.busy(), timeout=WAIT_MS)
    assert len(pane.messages()) == 4 and pane.messages()[-1].id != old_id


def test_an_edit_given_up_replaces_nothing(qtbot: QtBot, page: ChatPage) -> None:
    """Edit, then a change of mind: emptying the box and typing a new question sends a new question, and Regenerate
    gives the edit up too (it once replaced the edited message and its answer either way, with nothing on screen
    saying an edit was pending: now the Send button does)."""
    fake(page, FakeBackend(["answer"]))
    pane = page.new_chat(KEY)
    send(qtbot, pane, "first")
    pane.edit_button.click()
    assert pane.send_button.text() == "Replace and send"
    pane.input.clear()
    assert pane.send_button.text() == "Send"
    send(qtbot, pane, "a new question")
    assert [m.content for m in pane.messages()] == ["first", "answer", "a new question", "answer"]
    pane.edit_button.click()
    pane.regenerate_button.click()
    qtbot.waitUntil(lambda: not pane.busy(), timeout=WAIT_MS)
    assert pane.input.toPlainText() == "" and pane.send_button.text() == "Send"
    send(qtbot, pane, "third")
    assert [m.content for m in pane.messages()] == ["first", "answer", "a new question", "answer", "third", "answer"]


def test_the_context_meter_counts_what_followed_the_last_counted_answer(qtbot: QtBot, page: ChatPage,
                                                                         monkeypatch: pytest.MonkeyPatch) -> None:
    """A stopped answer has no count from the runtime: the meter once showed the answer before it, as if nothing had
    been said since; now it adds an estimate of what followed (and says "~")."""
    from app.chat.messages import AnswerStats

    pane = page.new_chat(KEY)
    monkeypatch.setattr(page.backends, "context_size", lambda key: 4096)
    counted = AnswerStats(prompt_tokens=100, answer_tokens=20)
    pane.view.set_bubbles([Bubble(1, Role.USER, "q"), Bubble(2, Role.ASSISTANT, "a", stats=counted)])
    pane._update_meter()
    assert pane.context_meter.format() == "context 120 / 4,096"
    pane.view.set_bubbles([*pane.view.bubbles(), Bubble(3, Role.USER, "x" * 400),
                           Bubble(4, Role.ASSISTANT, "y" * 400, note="Stopped")])  # fmt: skip
    pane._update_meter()
    assert pane.context_meter.format() == "context ~320 / 4,096"


def test_settings_are_saved_and_export_writes_markdown_and_json(qtbot: QtBot, page: ChatPage, tmp_path: Path) -> None:
    fake(page, FakeBackend(["hmm</think>", "fine"]))
    pane = page.new_chat(KEY)
    pane.sampling_controls.preset.setCurrentText("Greedy")
    assert pane.sessions.get(pane.conversation.id).sampling == PRESETS["Greedy"]
    pane.sampling_controls.max_tokens.setValue(64)
    assert pane.sampling_controls.preset.currentText() == "Greedy" and pane.sampling().max_tokens == 64
    pane.set_mode(ReasoningMode.NATIVE)
    send(qtbot, pane, "hi")
    pane.export_to(tmp_path / "chat.md")
    pane.export_to(tmp_path / "chat.json")
    qtbot.waitUntil(lambda: not pane.exporting())  # written in the pool
    assert "<details>" in (tmp_path / "chat.md").read_text() and "fine" in (tmp_path / "chat.md").read_text()
    assert '"thinking": "hmm"' in (tmp_path / "chat.json").read_text()


def test_exports_name_the_model_as_the_user_knows_it(qtbot: QtBot, page: ChatPage, tiny_gguf: Path,
                                                     tmp_path: Path) -> None:  # fmt: skip
    entry = page.backends.catalog.add(inspect(tiny_gguf), source="imported")
    fake(page, FakeBackend(["fine"]))
    pane = page.new_chat(local_model_key(entry.id))
    send(qtbot, pane, "hi")
    pane.export_to(tmp_path / "chat.md")
    pane.export_to(tmp_path / "chat.json")
    qtbot.waitUntil(lambda: not pane.exporting())  # written in the pool
    assert f"- Model: `{entry.name}`" in (tmp_path / "chat.md").read_text()
    data = json.loads((tmp_path / "chat.json").read_text())
    assert (data["model"], data["model_key"]) == (entry.name, local_model_key(entry.id))


def test_one_click_opens_a_listed_conversation_and_equal_questions_are_told_apart(
    qtbot: QtBot, page: ChatPage, tiny_gguf: Path
) -> None:
    from app.ui.chat.page import KIND_ROLE

    entry = page.backends.catalog.add(inspect(tiny_gguf), source="imported")
    fake(page, FakeBackend(["Paris.", "Paris!"]))
    for _ in range(2):
        send(qtbot, page.new_chat(local_model_key(entry.id)), "What is the capital of France?")
    first = page.panes()[0].conversation.id
    while page.tabs.count():
        page.tabs.tabCloseRequested.emit(0)
    page.refresh()
    items = [i for i in page._items() if i.data(0, KIND_ROLE) == "conversation"]
    assert sorted(i.text(0) for i in items) == ["What is the capital of France?", "What is the capital of France? (2)"]
    item = next(i for i in items if i.data(0, VALUE_ROLE) == first)
    page.tree.scrollToItem(item)
    qtbot.mouseClick(page.tree.viewport(), Qt.MouseButton.LeftButton, pos=page.tree.visualItemRect(item).center())
    assert [p.conversation.id for p in page.panes()] == [first]
    assert "Paris." in page.panes()[0].view.toPlainText()


def test_delete_chat_deletes_the_selected_conversation_after_it_moved_to_the_top(
        qtbot: QtBot, page: ChatPage, tiny_gguf: Path, monkeypatch: pytest.MonkeyPatch) -> None:  # fmt: skip
    """A conversation that gets a message moves to the top of its model's list; it stays the selected one (it once
    left its place to its neighbour, which "Delete chat" then deleted), and the list follows the open tab."""
    from PySide6.QtWidgets import QMessageBox

    entry = page.backends.catalog.add(inspect(tiny_gguf), source="imported")
    fake(page, FakeBackend(["Paris.", "Berlin.", "Rome."]))
    key = local_model_key(entry.id)
    a, b = page.new_chat(key), page.new_chat(key)
    send(qtbot, a, "Capital of France?")
    send(qtbot, b, "Capital of Germany?")  # b on top, a below
    page.tabs.setCurrentWidget(a)
    assert page.selected() == ("conversation", a.conversation.id)  # the list follows the tab
    send(qtbot, a, "And of Italy?")  # a moves back to the top
    assert page.selected() == ("conversation", a.conversation.id)
    assert len(page.tree.selectedItems()) == 1
    monkeypatch.setattr(QMessageBox, "question", lambda *args, **kwargs: QMessageBox.StandardButton.Yes)
    page.delete_button.click()
    assert [p.conversation.id for p in page.panes()] == [b.conversation.id]
    assert page.sessions.get(b.conversation.id).title == "Capital of Germany?"


def test_conversations_are_listed_under_their_model_and_reopen(qtbot: QtBot, page: ChatPage) -> None:
    fake(page, FakeBackend(["ok"]))
    pane = page.new_chat(KEY)
    send(qtbot, pane, "Remember me")
    conversation_id = pane.conversation.id
    page.tabs.tabCloseRequested.emit(0)
    assert page.tabs.count() == 0
    page.endpoint_button.setEnabled(True)
    page.backends.endpoints.add("box", "http://127.0.0.1:9/v1")
    page.refresh()
    assert page.select("conversation", conversation_id) is False  # no such model in the library: not listed
    reopened = page.open_conversation(conversation_id)
    assert "Remember me" in reopened.view.toPlainText()
    page.delete_conversation(conversation_id)
    assert page.tabs.count() == 0
    qtbot.waitUntil(lambda: not page.busy(), timeout=WAIT_MS)  # the endpoint's model list fails quietly


def test_not_loaded_says_so_and_keeps_the_text(qtbot: QtBot, page: ChatPage) -> None:
    pane = page.new_chat(KEY)
    pane.input.setPlainText("hello?")
    pane.send()
    assert pane.banner.isVisibleTo(pane) and "not loaded" in pane.banner_text.text()
    assert pane.input.toPlainText() == "hello?" and pane.messages() == []
    # The banner offers the way out: its Load… button asks the page to load this model (the Load dialog).
    assert pane.load_button.isVisibleTo(pane) and not pane.reload_button.isVisibleTo(pane)
    asked: list[int] = []
    page.load = lambda entry_id, *a, **k: asked.append(entry_id)  # type: ignore[method-assign]
    qtbot.mouseClick(pane.load_button, Qt.MouseButton.LeftButton)
    assert asked == [1] and not pane.banner.isVisibleTo(pane)


def test_transcript_view_keeps_fold_state_while_streaming(qtbot: QtBot) -> None:
    view = TranscriptView()
    qtbot.addWidget(view)
    view.set_bubbles([Bubble(1, Role.USER, "q"), Bubble(2, Role.ASSISTANT, "", "thinking…", streaming=True)])
    assert "Thinking…" in view.toPlainText()
    view.set_expanded(2, True)
    view.update_last(content="the answer", thinking="thinking done")
    assert "thinking done" in view.toPlainText() and "the answer" in view.toPlainText()


# -- a real runtime ------------------------------------------------------------------------------------------------------


@pytest.fixture
def chat_gguf(tmp_path: Path) -> Path:
    return write_tiny_gguf(tmp_path / "tiny-chat.gguf", chat_template=QWEN3,
                           control_tokens=("<|im_start|>", "<|im_end|>"))  # fmt: skip


def test_real_runtime_answers_then_is_killed_shows_it_keeps_history_and_reloads(
    qtbot: QtBot, page: ChatPage, chat_gguf: Path
) -> None:
    entry = page.backends.catalog.add(inspect(chat_gguf), source="imported")
    key = local_model_key(entry.id)
    page.refresh()
    page.load(entry.id, LoadOptions(context=512, threads=1))
    qtbot.waitUntil(lambda: (rt := page.backends.runtime(key)) is not None and rt.state is RuntimeState.READY,
                    timeout=60_000)  # fmt: skip
    # The list hears of the state through a queued signal from the runtime's watcher thread: wait for it, too.
    qtbot.waitUntil(lambda: "ready" in next(i for i in page._items() if i.data(0, VALUE_ROLE) == key).text(1))
    pane = page.new_chat(key)
    pane.sampling_controls.max_tokens.setValue(8)
    pane.sampling_controls.preset.setCurrentText("Greedy")
    pane.sampling_controls.max_tokens.setValue(8)
    send(qtbot, pane, "Hello")
    first = pane.messages()[-1]
    assert first.state is MessageState.DONE and first.stats is not None and first.stats.answer_tokens > 0

    runtime = page.backends.runtime(key)
    assert runtime is not None and runtime.pid is not None
    os.kill(runtime.pid, signal.SIGKILL)
    qtbot.waitUntil(lambda: pane.banner.isVisibleTo(pane) and pane.reload_button.isVisibleTo(pane), timeout=WAIT_MS)
    assert "killed" in pane.banner_text.text()
    assert pane.messages()[0].content == "Hello"  # history intact
    pane.input.setPlainText("Are you there?")
    pane.send()
    assert pane.messages()[-1].role is Role.ASSISTANT  # refused before anything was stored
    assert len(pane.messages()) == 2

    pane.reload_button.click()
    qtbot.waitUntil(lambda: runtime.state is RuntimeState.READY and not pane.banner.isVisibleTo(pane), timeout=60_000)
    send(qtbot, pane, "Are you there?")
    assert pane.messages()[-1].state is MessageState.DONE and len(pane.messages()) == 4
    page.shutdown()
    assert page.backends.manager.runtimes() == {}


def test_compare_asks_both_and_votes_update_the_leaderboard(qtbot: QtBot, page: ChatPage, store: Store) -> None:
    from app.chat.elo import Winner
    from app.ui.compare.page import ComparePage

    fake(page, FakeBackend(["same answer"]))
    compare = ComparePage(page.backends, store)
    qtbot.addWidget(compare)
    for combo, name in ((compare.model_a, "alpha"), (compare.model_b, "beta")):
        combo.addItem(name, f"model:{name}")
    compare.prompt.setPlainText("Which is better?")
    compare._update_buttons()
    compare.ask_button.click()
    qtbot.waitUntil(lambda: not compare.busy(), timeout=WAIT_MS)
    assert all("same answer" in v.toPlainText() for v in compare.views)
    compare.vote_buttons[Winner.A].click()
    assert compare.board.rowCount() == 2 and compare.board.item(0, 0).text() == "alpha"
    assert not compare.vote_buttons[Winner.B].isEnabled()  # one vote per comparison
    compare.shutdown()


def test_compare_lists_endpoint_models_and_blind_mode_hides_and_shuffles_the_sides(
    qtbot: QtBot, page: ChatPage, store: Store
) -> None:
    from app.chat.elo import Winner
    from app.ui.compare.page import ComparePage

    fake(page, FakeBackend(["an answer"]))
    compare = ComparePage(page.backends, store)
    qtbot.addWidget(compare)
    endpoint = page.backends.endpoints.add("lab", "http://127.0.0.1:9/v1")
    page.backends.endpoint_models[endpoint.id] = ["alpha", "beta"]
    page.backends.bridge.endpoint_models_changed.emit()
    names = [compare.model_a.itemText(i) for i in range(compare.model_a.count())]
    assert names == ["alpha (lab)", "beta (lab)"] and compare.model_b.currentText() == "beta (lab)"

    compare.blind.setChecked(True)
    compare.rng.random = lambda: 0.1  # type: ignore[method-assign]  # the coin says: swap the sides
    compare.prompt.setPlainText("Which is better?")
    compare.ask_button.click()
    qtbot.waitUntil(lambda: not compare.busy(), timeout=WAIT_MS)
    assert [label.text() for label in compare.side_labels] == ["Answer A", "Answer B"]  # no names before the vote
    compare.vote_buttons[Winner.A].click()
    assert compare.side_labels[0].text() == "Answer A: beta (lab)"  # revealed: A was model B's choice
    assert "A was beta (lab)" in compare.note.text()
    assert compare.board.item(0, 0).text() == "beta (lab)"
    compare.shutdown()


def test_closing_the_window_stops_every_runtime(qtbot: QtBot, chat_gguf: Path) -> None:
    import psutil
    from fixtures.hardware_reports import cpu_only
    from PySide6.QtCore import QCoreApplication, QEvent

    from app.settings import Settings
    from app.ui.main_window import MainWindow

    QCoreApplication.sendPostedEvents(None, QEvent.Type.DeferredDelete)
    window = MainWindow(Settings(), report=cpu_only())
    qtbot.addWidget(window)
    entry = window.catalog.add(inspect(chat_gguf), source="imported")
    window.chat_page.refresh()
    window.show_page(window.chat_page)
    window.chat_page.load(entry.id, LoadOptions(context=512, threads=1))
    key = local_model_key(entry.id)
    qtbot.waitUntil(lambda: (rt := window.chat_backends.runtime(key)) is not None and rt.pid is not None, timeout=WAIT_MS)
    runtime = window.chat_backends.runtime(key)
    assert runtime is not None and runtime.pid is not None
    pid = runtime.pid
    window.close()
    window.deleteLater()
    QCoreApplication.sendPostedEvents(None, QEvent.Type.DeferredDelete)
    assert not psutil.pid_exists(pid) or psutil.Process(pid).status() == psutil.STATUS_ZOMBIE


def test_the_librarys_chat_button_loads_the_model_and_opens_a_chat_with_it(
    qtbot: QtBot, chat_gguf: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from fixtures.hardware_reports import cpu_only
    from PySide6.QtCore import QCoreApplication, QEvent

    from app.settings import Settings
    from app.ui.chat.dialogs import LoadDialog
    from app.ui.main_window import MainWindow

    asked: list[str] = []

    def accept(dialog: LoadDialog) -> int:
        asked.append(dialog.windowTitle())
        return 1

    monkeypatch.setattr(LoadDialog, "exec", accept)
    QCoreApplication.sendPostedEvents(None, QEvent.Type.DeferredDelete)
    window = MainWindow(Settings(), report=cpu_only())
    qtbot.addWidget(window)
    entry = window.catalog.add(inspect(chat_gguf), source="imported")
    window.library_page.refresh()
    window.show_page(window.library_page)
    window.library_page.select(entry.id)
    chat = window.library_page.details.chat
    qtbot.waitUntil(chat.isEnabled)
    qtbot.mouseClick(chat, Qt.MouseButton.LeftButton)

    key = local_model_key(entry.id)
    qtbot.waitUntil(lambda: bool(window.chat_page.panes()), timeout=WAIT_MS)
    assert window.pages.currentWidget() is window.chat_page
    assert asked == [f"Load {entry.name}"]
    assert [p.key for p in window.chat_page.panes()] == [key] and window.chat_backends.runtime(key) is not None
    # Loading it marked it used: the Library's "Last used" shows it, not "never".
    shown = next(e for e in window.library_page.model.entries() if e.id == entry.id)
    assert shown.last_used is not None
    # Again while it loads or runs: the open empty chat comes to the front, no second load, no second tab.
    window.show_page(window.library_page)
    qtbot.mouseClick(chat, Qt.MouseButton.LeftButton)
    assert len(window.chat_page.panes()) == 1 and asked == [f"Load {entry.name}"]
    window.close()
    window.deleteLater()
    QCoreApplication.sendPostedEvents(None, QEvent.Type.DeferredDelete)


@pytest.mark.parametrize("expanded", [False, True])
def test_streaming_updates_render_the_same_as_a_full_render(qtbot: QtBot, expanded: bool) -> None:
    """update_last re-renders only the last message; the document must equal a render of the whole conversation."""
    stream, full = TranscriptView(), TranscriptView()
    qtbot.addWidget(stream)
    qtbot.addWidget(full)
    history = [Bubble(1, Role.USER, "first"), Bubble(2, Role.ASSISTANT, "an **answer**\n\n```py\nx = 1\n```", "mulled")]
    last = Bubble(3, Role.ASSISTANT, "", streaming=True)
    for view in (stream, full):
        if expanded:
            view.set_expanded(2, True)
            view.set_expanded(3, True)
    stream.set_bubbles([*history, Bubble(4, Role.USER, "second"), last])
    text = ""
    for piece in ("A list:\n\n", "- one\n", "- two\n\n```\ncode\n```\n", "done"):
        text += piece
        stream.update_last(content=text, thinking="because", streaming=True)
    stream.update_last(content=text, thinking="because", streaming=False)
    full.set_bubbles([*history, Bubble(4, Role.USER, "second"), Bubble(3, Role.ASSISTANT, text, "because")])
    assert stream.toPlainText() == full.toPlainText() and "- one" not in stream.toPlainText()
    assert stream.toHtml() == full.toHtml()


def test_a_changed_tail_renders_the_same_as_a_full_render(qtbot: QtBot) -> None:
    """set_bubbles keeps the messages it already shows and renders the rest: the document equals a fresh render, for
    an answer that finished, a message added, one taken away, and a fold opened in the middle."""
    kept, fresh = TranscriptView(), TranscriptView()
    qtbot.addWidget(kept)
    qtbot.addWidget(fresh)
    history = [Bubble(1, Role.USER, "first"), Bubble(2, Role.ASSISTANT, "an **answer**\n\n- a\n- b", "mulled"),
               Bubble(3, Role.USER, "second")]  # fmt: skip
    steps = [[*history, Bubble(4, Role.ASSISTANT, "", streaming=True)],
             [*history, Bubble(4, Role.ASSISTANT, "done `x`", "why", steps="Step 1 · python {} [once] → ok")],
             [*history, Bubble(4, Role.ASSISTANT, "done `x`", "why"), Bubble(5, Role.USER, "third")],
             history[:2]]  # fmt: skip
    for bubbles in steps:
        kept.set_bubbles(bubbles)
        fresh._bubbles = []  # nothing kept: a full render
        fresh.set_bubbles(bubbles)
        assert kept.toHtml() == fresh.toHtml(), bubbles
    renders = kept.renders
    kept.set_expanded(2, True)
    opened = TranscriptView()
    qtbot.addWidget(opened)
    opened.set_expanded(2, True)
    opened.set_bubbles(history[:2])
    assert kept.toHtml() == opened.toHtml() and "mulled" in kept.toPlainText() and kept.renders == renders + 1


def test_a_follow_up_question_keeps_the_earlier_messages_on_screen(qtbot: QtBot) -> None:
    """Every message shown stays when the next question and its answer are added after them (the view once deleted
    the whole document there: a follow-up question left only itself and its answer on screen)."""
    kept, fresh = TranscriptView(), TranscriptView()
    qtbot.addWidget(kept)
    qtbot.addWidget(fresh)
    first = [Bubble(1, Role.USER, "Write a haiku about the sea."), Bubble(2, Role.ASSISTANT, "The waves of the sea")]
    kept.set_bubbles(first)
    both = [*first, Bubble(3, Role.USER, "What is 12 + 7?"), Bubble(4, Role.ASSISTANT, "", streaming=True)]
    kept.set_bubbles(both)
    kept.update_last(content="19", thinking="", streaming=False)
    fresh.set_bubbles([*both[:3], Bubble(4, Role.ASSISTANT, "19")])
    assert "haiku" in kept.toPlainText() and "The waves" in kept.toPlainText()
    assert kept.toHtml() == fresh.toHtml()


def test_stable_cut_ends_after_the_last_blank_line_outside_code() -> None:
    assert stable_cut("one\n\ntwo") == len("one\n\n")
    assert stable_cut("one\n\n```\na\n\nb\n") == len("one\n\n")  # an open fence: its blank lines are code
    assert stable_cut("one\n\n```\na\n\nb\n```\n\ntail") == len("one\n\n```\na\n\nb\n```\n\n")
    assert stable_cut("- a\n\n  more of a\n") == 0  # an indented line continues the list item
    assert stable_cut("no break yet") == 0


def test_mid_stream_renders_the_same_text_as_a_full_render(qtbot: QtBot) -> None:
    """Finished paragraphs are rendered once and only the tail again; at every step the words shown are the same."""
    answer = "Intro **bold**.\n\n```py\ndef f():\n\n    return 1\n```\n\nA second paragraph with `code`.\n\n# Heading\n\nEnd."
    stream, full = TranscriptView(), TranscriptView()
    qtbot.addWidget(stream)
    qtbot.addWidget(full)
    stream.set_bubbles([Bubble(1, Role.USER, "q"), Bubble(2, Role.ASSISTANT, "", streaming=True)])
    for end in range(1, len(answer) + 1, 3):
        stream.update_last(content=answer[:end], thinking="", streaming=True)
        full.set_bubbles([Bubble(1, Role.USER, "q"), Bubble(2, Role.ASSISTANT, answer[:end], streaming=True)])
        assert stream.toPlainText() == full.toPlainText(), answer[:end]


def test_thinking_budget_and_prompted_strategy_are_offered_saved_and_used(qtbot: QtBot, page: ChatPage) -> None:
    backend = FakeBackend(["Let me see.", "</think>", "Four."])
    fake(page, backend)
    pane = page.new_chat(KEY)
    pane.set_mode(ReasoningMode.OFF)
    assert not pane.thinking_controls.isVisibleTo(pane)  # System 1 has nothing to budget
    pane.set_mode(ReasoningMode.NATIVE)
    assert pane.thinking_controls.isVisibleTo(pane)
    assert not pane.thinking_controls.strategy_actions[PromptedStrategy.VOTE].isEnabled()  # native: the budget alone
    pane.set_mode(ReasoningMode.PROMPTED)
    assert pane.thinking_controls.strategy_actions[PromptedStrategy.VOTE].isEnabled()
    pane.thinking_controls.budget.setValue(300)
    pane.thinking_controls.strategy_actions[PromptedStrategy.DRAFT_CRITIQUE_REVISE].trigger()
    assert pane.thinking_controls.text() == "300 tok · draft → revise"
    stored = pane.sessions.get(pane.conversation.id)
    assert (stored.thinking_budget, stored.strategy) == (300, PromptedStrategy.DRAFT_CRITIQUE_REVISE)
    before = len(backend.prompts)
    send(qtbot, pane, "2+2?")
    assert len(backend.prompts) - before == 3  # draft, critique, revision
    thinking = pane.messages()[-1].thinking
    assert thinking.index("Draft:") < thinking.index("Critique:") < thinking.index("Revision:")
    reopened = ConversationPane(stored, sessions=pane.sessions, backends=page.backends, tasks=pane.tasks)
    qtbot.addWidget(reopened)
    assert reopened.thinking_controls.values() == (300, PromptedStrategy.DRAFT_CRITIQUE_REVISE)


def test_load_dialog_warns_before_loading_what_will_not_fit(qtbot: QtBot, gemma_model: Path) -> None:
    from fixtures.hardware_reports import cpu_only

    from app.chat.runtime import check_fit
    from app.ui.chat.dialogs import LoadDialog

    info = inspect(gemma_model)
    small = cpu_only(ram_total=4 * 1024**3, ram_available=1200 * 1024**2)  # a machine with 1.2 GiB free

    dialog = LoadDialog(info.name, max_context=info.context_length, fit_check=lambda o: check_fit(info, small, o))
    qtbot.addWidget(dialog)
    dialog.context.setValue(2048)
    assert not dialog.warning.isVisibleTo(dialog)  # weights 253 MB + a small KV cache fit
    dialog.context.setValue(32768)  # 576 MiB of KV cache more: it does not
    assert dialog.warning.isVisibleTo(dialog)
    assert "will probably not fit at 32,768 tokens of context" in dialog.warning.text()


def test_a_servers_error_in_the_banner_is_shown_as_written(qtbot: QtBot, page: ChatPage) -> None:
    """Error text from a runtime or endpoint is outside text: a tag in it is shown, never rendered (issue 13, item 2)."""
    pane = page.new_chat(KEY)
    pane.show_banner('HTTP 500: <img src="/dev/zero"> <b>bold</b>', reload=False)
    assert pane.banner_text.textFormat() == Qt.TextFormat.PlainText
    assert pane.banner_text.text() == 'HTTP 500: <img src="/dev/zero"> <b>bold</b>'


def test_a_conversation_from_modelwerk_chat_is_listed_in_the_chat_page(qtbot: QtBot, tmp_path: Path) -> None:
    """The command line keeps history like the page: run `modelwerk chat` on a file, then open the Chat page."""
    import argparse
    import contextlib
    import io

    from app import paths
    from app.cli import chat as chat_cli
    from app.ui.chat.page import KIND_ROLE

    model = write_tiny_gguf(tmp_path / "tiny-chat.gguf", chat_template=QWEN3,
                            control_tokens=("<|im_start|>", "<|im_end|>"))  # fmt: skip
    parser = argparse.ArgumentParser()
    handlers = chat_cli.register(parser.add_subparsers(dest="command"))
    args = parser.parse_args(["chat", str(model), "--prompt", "From the terminal", "--max-tokens", "3", "--ctx", "256"])
    with contextlib.redirect_stdout(io.StringIO()):
        assert handlers["chat"](args) == 0

    with Store.open(paths.database_path()) as store:
        page = ChatPage(ChatBackends(Catalog(store), Endpoints(store)), Conversations(store))
        qtbot.addWidget(page)
        page.refresh()
        titles = [i.text(0) for i in page._items() if i.data(0, KIND_ROLE) == "conversation"]
        assert titles == ["From the terminal"]
        [conversation] = [i for i in page._items() if i.data(0, KIND_ROLE) == "conversation"]
        pane = page.open_conversation(int(conversation.data(0, VALUE_ROLE)))
        bubbles = pane.view.bubbles()
        assert [b.role for b in bubbles] == [Role.USER, Role.ASSISTANT] and bubbles[0].content == "From the terminal"
        assert not bubbles[1].streaming and bubbles[1].stats is not None
        page.shutdown()


def test_sampling_controls_keep_the_preset_when_only_the_length_changes_and_show_the_repetition_penalty(
    qtbot: QtBot,
) -> None:
    from app.ui.chat.sampling import SamplingControls

    controls = SamplingControls(PRESETS["Precise"])
    qtbot.addWidget(controls)
    controls.show()
    chosen: list[Sampling] = []
    controls.sampling_changed.connect(chosen.append)
    controls.max_tokens.setValue(300)
    assert controls.preset.currentText() == "Precise" and chosen[-1].max_tokens == 300
    controls.preset.setCurrentText("Greedy")  # a preset keeps the answer length the user chose
    assert chosen[-1] == replace(PRESETS["Greedy"], max_tokens=300)
    assert controls.repeat_penalty.isVisible() and controls.repeat_penalty.value() == 1.0
    controls.repeat_penalty.setValue(1.2)
    assert controls.preset.currentText() == "Custom" and chosen[-1].repeat_penalty == 1.2


def test_the_chat_fits_a_1024_wide_window_in_system_2_too(qtbot: QtBot, tiny_gguf: Path) -> None:
    from fixtures.hardware_reports import cpu_only
    from PySide6.QtCore import QCoreApplication, QEvent

    from app.settings import Settings
    from app.ui.main_window import MainWindow

    QCoreApplication.sendPostedEvents(None, QEvent.Type.DeferredDelete)
    window = MainWindow(Settings(), report=cpu_only())
    qtbot.addWidget(window)
    entry = window.catalog.add(inspect(tiny_gguf), source="imported")
    window.show_page(window.chat_page)
    window.chat_page.refresh()
    pane = window.chat_page.new_chat(local_model_key(entry.id))
    window.resize(1024, 640)
    window.show()
    for mode in (ReasoningMode.OFF, ReasoningMode.PROMPTED):
        pane.reasoning.setCurrentIndex(pane.reasoning.findData(mode))
        QCoreApplication.processEvents()
        assert window.minimumSizeHint().width() <= 1024, mode  # before: 1214 (System 1), 1361 (System 2)
        for w in (pane.more_button, pane.sampling_controls.max_tokens, pane.thinking_controls):
            if w.isVisible():
                right = w.mapTo(pane, w.rect().topRight()).x()
                assert right <= pane.width(), (w, right, pane.width())  # nothing clipped at the pane's edge
    window.close()
    window.deleteLater()
    QCoreApplication.sendPostedEvents(None, QEvent.Type.DeferredDelete)


def test_a_base_model_s_pane_says_it_is_a_base_model_and_tiny(qtbot: QtBot, page: ChatPage, gemma_model: Path) -> None:
    """Gemma 3 270M carries no chat template: its pane says so, and what to expect of a tiny model (issue 16, item 1)."""
    from app.ui.chat.backends import read_local_model

    entry = page.backends.catalog.add(inspect(gemma_model), source="imported")
    page.backends.remember(read_local_model(entry))
    pane = page.new_chat(local_model_key(entry.id))
    page.show()
    assert pane.model_note.isVisible()
    note = pane.model_note.text()
    assert "A base model" in note and "User:" in note
    assert "A tiny model (268M parameters)" in note and "Discover" in note


def test_an_instruct_model_s_pane_has_no_base_model_note(qtbot: QtBot, page: ChatPage, chat_gguf: Path) -> None:
    from app.ui.chat.backends import read_local_model

    entry = page.backends.catalog.add(inspect(chat_gguf), source="imported")
    page.backends.remember(read_local_model(entry))
    pane = page.new_chat(local_model_key(entry.id))
    page.show()
    assert "base model" not in pane.model_note.text()
