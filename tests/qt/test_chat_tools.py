"""Tools on the Chat page as a user meets them: switch tools on for a conversation with a remote endpoint (the scripted
OpenAI-compatible server, real HTTP), the model calls Python in the real sandbox and a tool of a real MCP server, each
call asks in a dialog, the steps show folded and stay with the answer; Deny and Stop; a model without tool calling; a
plot shown as an image, exported, reloaded after a restart, and missing once its file is gone."""

from __future__ import annotations

import json
import os
import sys
from collections.abc import Iterator
from pathlib import Path
from types import SimpleNamespace

import pytest
from fixtures.scripted_server import Reply, ScriptedServer
from PySide6.QtCore import QUrl
from PySide6.QtGui import QImage, QTextDocument
from pytestqt.qtbot import QtBot

from app.chat.endpoints import Endpoints
from app.chat.figures import figures_dir
from app.chat.sessions import Conversations, MessageState, endpoint_model_key
from app.chat.templates import ChatTemplate
from app.library.catalog import Catalog
from app.store import Store
from app.ui.chat.backends import ChatBackends
from app.ui.chat.conversation import ConversationPane
from app.ui.chat.figures import SHOWN_WIDTH
from app.ui.chat.page import ChatPage
from app.ui.chat.tools import ApprovalDialog

WAIT_MS = 30_000
MCP_SERVER = str(Path(__file__).parent.parent / "fixtures" / "mcp_server.py")


@pytest.fixture
def model() -> Iterator[ScriptedServer]:
    s = ScriptedServer([])
    yield s
    s.close()


@pytest.fixture
def store(tmp_path: Path) -> Iterator[Store]:
    s = Store.open(tmp_path / "modelwerk.db")
    yield s
    s.close()


def make_page(qtbot: QtBot, store: Store, mcp_config: Path | None) -> ChatPage:
    page = ChatPage(ChatBackends(Catalog(store), Endpoints(store)), Conversations(store), mcp_config=mcp_config)
    qtbot.addWidget(page)
    page.resize(1100, 800)
    page.show()
    qtbot.waitExposed(page)
    return page


@pytest.fixture
def page(qtbot: QtBot, store: Store, tmp_path: Path) -> Iterator[ChatPage]:
    config = tmp_path / "mcp.json"
    config.write_text(json.dumps({"mcpServers": {"test": {"command": sys.executable, "args": [MCP_SERVER],
                                                          "allowedTools": ["add"]}}}))  # fmt: skip
    p = make_page(qtbot, store, config)
    yield p
    p.shutdown()
    qtbot.waitUntil(lambda: not p.busy(), timeout=WAIT_MS)


def endpoint_chat(qtbot: QtBot, page: ChatPage, model: ScriptedServer) -> ConversationPane:
    endpoint = page.backends.endpoints.add("lab", model.base_url)
    qtbot.waitUntil(lambda: not page.busy(), timeout=WAIT_MS)  # its model list (the scripted server has none)
    page.backends.endpoint_models[endpoint.id] = ["m"]
    page.refresh()
    return page.new_chat(endpoint_model_key(endpoint.id, "m"))


def send_and_wait(qtbot: QtBot, pane: ConversationPane, text: str) -> None:
    pane.input.setPlainText(text)
    pane.send()
    qtbot.waitUntil(lambda: not pane.busy(), timeout=WAIT_MS)


def dialog(qtbot: QtBot, pane: ConversationPane) -> ApprovalDialog:
    qtbot.waitUntil(lambda: pane.approval_dialog is not None and pane.approval_dialog.isVisible(), timeout=WAIT_MS)
    assert pane.approval_dialog is not None
    return pane.approval_dialog


def test_tools_ask_run_show_their_steps_and_stay_with_the_answer(qtbot: QtBot, page: ChatPage,
                                                                 model: ScriptedServer) -> None:  # fmt: skip
    model.script += [Reply(calls=[("python", json.dumps({"code": "print(6*7)"}))]),
                     Reply(calls=[("test__add", '{"a": 40, "b": 2}')]), Reply(text="Both say **42**.")]  # fmt: skip
    pane = endpoint_chat(qtbot, page, model)
    assert pane.tools_control.isEnabled() and pane.tools_control.text() == "Tools: off"
    pane.tools_control.python_action.trigger()
    pane.tools_control.mcp_action.trigger()
    assert pane.tools_control.text() == "Tools: Python, MCP"
    pane.input.setPlainText("What is 6*7? Check it twice.")
    qtbot.mouseClick(pane.send_button, _left())

    first = dialog(qtbot, pane)
    assert "print(6*7)" in first.arguments.toPlainText() and not pane.send_button.isEnabled()
    qtbot.mouseClick(first.always_button, _left())
    second = dialog(qtbot, pane)
    assert second is not first and "MCP server 'test'" in _labels(second) and "40" in second.arguments.toPlainText()
    qtbot.mouseClick(second.once_button, _left())
    qtbot.waitUntil(lambda: not pane.busy(), timeout=WAIT_MS)

    [_, answer] = pane.messages()
    assert answer.state is MessageState.DONE and answer.content == "Both say **42**."
    assert [(s["tool"], s["approval"], s["ok"]) for s in answer.steps] == [("python", "always", True),
                                                                           ("test__add", "once", True)]  # fmt: skip
    assert "42" in answer.steps[0]["summary"]
    bubble = pane.view.bubbles()[-1]
    assert "Step 1 · python" in bubble.steps and "Step 2 · test__add" in bubble.steps
    pane.view.set_expanded(bubble.key, True)
    assert "Step 2 · test__add" in pane.view.toPlainText() and "2 tool steps" in pane.view.toPlainText()
    sent = model.requests[0]
    assert sorted(t["function"]["name"] for t in sent["tools"]) == ["python", "test__add"]

    # the next answer: Python was allowed for this chat, so it runs without a question
    model.script += [Reply(calls=[("python", '{"code": "print(7*6)"}')]), Reply(text="Still 42.")]
    send_and_wait(qtbot, pane, "Once more?")
    assert pane.approval_dialog is None
    assert [(s["tool"], s["approval"]) for s in pane.messages()[-1].steps] == [("python", "always")]

    # closed and opened again: the tools and the steps are still there
    conversation_id = pane.conversation.id
    page.tabs.tabCloseRequested.emit(page.tabs.indexOf(pane))  # its tab's close button
    reopened = page.open_conversation(conversation_id)
    assert reopened is not pane and reopened.tools_control.text() == "Tools: Python, MCP"
    assert "Step 2 · test__add" in reopened.view.bubbles()[-3].steps


def test_deny_then_stop_while_the_question_is_open(qtbot: QtBot, page: ChatPage, model: ScriptedServer) -> None:
    model.script += [Reply(calls=[("python", '{"code": "import os; print(os.listdir())"}')])]
    model.repeat_last = True  # a model that never gives up
    pane = endpoint_chat(qtbot, page, model)
    pane.tools_control.python_action.trigger()
    pane.input.setPlainText("List my files")
    pane.send()
    qtbot.mouseClick(dialog(qtbot, pane).deny_button, _left())
    dialog(qtbot, pane)  # asked again for the next call
    qtbot.mouseClick(pane.stop_button, _left())
    qtbot.waitUntil(lambda: not pane.busy(), timeout=WAIT_MS)
    assert pane.approval_dialog is None  # the open question went with the stop (denied)
    answer = pane.messages()[-1]
    assert answer.state is MessageState.CANCELLED
    assert [s["approval"] for s in answer.steps][:1] == ["deny"] and all(not s["ok"] for s in answer.steps)
    tool_messages = [m for m in model.requests[1]["messages"] if m["role"] == "tool"]
    assert "did not allow" in tool_messages[0]["content"]


def test_a_model_without_tool_calling_has_the_control_disabled(qtbot: QtBot, page: ChatPage) -> None:
    plain = ChatTemplate("{% for m in messages %}{{ m.content }}{% endfor %}")
    page.backends.local = lambda key: SimpleNamespace(template=plain)  # type: ignore[method-assign,assignment,return-value]
    pane = page.new_chat("model:1")
    assert not pane.tools_control.isEnabled() and pane.tools_control.text() == "Tools: none"
    assert "no tool calling" in pane.tools_control.toolTip()
    assert not pane.tools_control.toolset()


def _left() -> object:
    from PySide6.QtCore import Qt

    return Qt.MouseButton.LeftButton


def _labels(widget: ApprovalDialog) -> str:
    from PySide6.QtWidgets import QLabel

    return " ".join(label.text() for label in widget.findChildren(QLabel))


def test_a_collection_chosen_in_the_tools_menu_is_searched(qtbot: QtBot, store: Store, tmp_path: Path,
                                                           model: ScriptedServer) -> None:  # fmt: skip
    from app.documents.indexing import add_files, index_pending
    from app.documents.store import DocumentStore

    note = tmp_path / "llama.md"
    note.write_text("# Quantization\n\nQ4_K_M keeps most of the quality at a third of the size.\n")
    docs_db = tmp_path / "documents.db"
    with DocumentStore.open(docs_db) as docs:
        cid, _ = add_files(docs, "notes", [note])
        assert not index_pending(docs, cid).failed
    page = ChatPage(ChatBackends(Catalog(store), Endpoints(store)), Conversations(store), documents=docs_db)
    qtbot.addWidget(page)
    try:
        model.script += [Reply(calls=[("search_documents", '{"query": "quantization quality"}')]), Reply(text="Q4_K_M [1].")]
        pane = endpoint_chat(qtbot, page, model)
        control = pane.tools_control
        assert control.docs_menu is not None
        control.menu().aboutToShow.emit()  # the user opens the menu: the collections are read in the pool
        qtbot.waitUntil(lambda: control.listed is not None, timeout=WAIT_MS)
        [notes] = [a for a in control.docs_menu.actions() if a.text() == "notes"]
        notes.trigger()
        assert control.text() == "Tools: docs: notes" and page.sessions.get(pane.conversation.id).tools.collection == "notes"
        pane.input.setPlainText("How good is Q4_K_M?")
        pane.send()
        qtbot.mouseClick(dialog(qtbot, pane).once_button, _left())
        qtbot.waitUntil(lambda: not pane.busy(), timeout=WAIT_MS)
        [step] = pane.messages()[-1].steps
        assert step["tool"] == "search_documents" and step["ok"] and "llama.md" in step["summary"]
        assert "third of the size" in next(m for m in model.requests[1]["messages"] if m["role"] == "tool")["content"]
    finally:
        page.shutdown()
        qtbot.waitUntil(lambda: not page.busy(), timeout=WAIT_MS)


def test_the_approval_dialog_names_arguments_copied_from_untrusted_text(qtbot: QtBot) -> None:
    from app.tools.calls import ToolCall
    from app.tools.python import python_tool
    from app.ui.chat.tools import PendingApproval

    note = "the URL in 'code' came from the result of fetch (step 1), not from you"
    call = ToolCall("a1", "python", {"code": "print(1)"}, provenance=(note,))
    dialog = ApprovalDialog(PendingApproval(call, python_tool()))
    qtbot.addWidget(dialog)
    assert dialog.provenance is not None and dialog.provenance.text() == "⚠ " + note
    plain = ApprovalDialog(PendingApproval(ToolCall("a2", "python", {"code": "print(1)"}), python_tool()))
    qtbot.addWidget(plain)
    assert plain.provenance is None


PLOT = "import matplotlib.pyplot as plt\nplt.plot([1, 10, 100])\nplt.yscale('log')\nplt.grid(True)\nprint('plotted')"


def close(qtbot: QtBot, page: ChatPage) -> None:
    page.shutdown()
    qtbot.waitUntil(lambda: not page.busy(), timeout=WAIT_MS)


def shown(pane: ConversationPane, name: str) -> QImage | None:
    """The image the transcript shows for figure ``name``: an image in its document, and what the document holds
    for it (None when it shows none)."""
    doc = pane.view.document()
    url = pane.view.figure_url(name)
    block = doc.begin()
    while block.isValid():
        it = block.begin()
        while not it.atEnd():
            fmt = it.fragment().charFormat()
            if fmt.isImageFormat() and fmt.toImageFormat().name() == url:
                image = doc.resource(QTextDocument.ResourceType.ImageResource, QUrl(url))
                return image if isinstance(image, QImage) and image.width() > 1 else None
            it += 1
        block = block.next()
    return None


def test_a_plot_shows_inline_is_exported_survives_a_restart_and_a_deleted_file_says_missing(
    qtbot: QtBot, store: Store, model: ScriptedServer, tmp_path: Path
) -> None:
    """A plot the model makes shows in the chat as an image, goes with an export, comes back when a new page opens the
    conversation (a restart), and says "figure missing" once its file is deleted."""
    model.script += [Reply(calls=[("python", json.dumps({"code": PLOT}))]), Reply(text="Here is the plot.")]
    pytest.importorskip("matplotlib")  # the sandbox's Python takes it from this environment's packages
    page = make_page(qtbot, store, None)
    pane = endpoint_chat(qtbot, page, model)
    pane.tools_control.python_action.trigger()
    pane.approvals.always.add("python")
    pane.input.setPlainText("Plot 1, 10, 100 on a log axis.")
    pane.send()
    qtbot.waitUntil(lambda: not pane.busy(), timeout=WAIT_MS)

    [_, answer] = pane.messages()
    assert answer.state is MessageState.DONE and answer.steps[0]["ok"], answer.steps
    [figure] = answer.steps[0]["result"]["figures"]
    assert (figure["width"], figure["height"]) == (640, 480)
    stored = figures_dir() / figure["file"]
    assert stored.read_bytes().startswith(b"\x89PNG")
    assert "[figure 1: 640x480 PNG, shown to the user]" in model.requests[1]["messages"][-1]["content"]
    qtbot.waitUntil(lambda: shown(pane, figure["file"]) is not None, timeout=WAIT_MS)
    image = shown(pane, figure["file"])
    assert image is not None and (image.width(), image.height()) == (SHOWN_WIDTH, 420)
    assert "Figure 1 · 640×480" in pane.view.toPlainText()
    pane.export_to(tmp_path / "my chat.md")
    pane.export_to(tmp_path / "chat.json")
    qtbot.waitUntil(lambda: not pane.exporting(), timeout=WAIT_MS)
    assert f"![Figure 1 (640×480)](my%20chat-figures/{figure['file']})" in (tmp_path / "my chat.md").read_text()
    assert (tmp_path / "my chat-figures" / figure["file"]).read_bytes() == stored.read_bytes()
    exported = json.loads((tmp_path / "chat.json").read_text())["messages"][-1]
    assert exported["figures"] == [{"file": figure["file"], "width": 640, "height": 480,
                                    "copy": f"chat-figures/{figure['file']}"}]  # fmt: skip
    assert exported["steps"][0]["result"]["figures"][0]["file"] == figure["file"]
    conversation_id = pane.conversation.id
    close(qtbot, page)

    # a restart: a new page over the same database shows the figure again, from its file
    again = make_page(qtbot, store, None)
    reopened = again.open_conversation(conversation_id)
    qtbot.waitUntil(lambda: shown(reopened, figure["file"]) is not None, timeout=WAIT_MS)
    assert "figure missing" not in reopened.view.toPlainText()
    close(qtbot, again)

    # the file is gone: the conversation still opens, and says so where the figure was
    stored.unlink()
    third = make_page(qtbot, store, None)
    gone = third.open_conversation(conversation_id)
    qtbot.waitUntil(lambda: "figure missing" in gone.view.toPlainText(), timeout=WAIT_MS)
    assert shown(gone, figure["file"]) is None and "Here is the plot." in gone.view.toPlainText()
    gone.export_to(tmp_path / "later.md")
    qtbot.waitUntil(lambda: not gone.exporting(), timeout=WAIT_MS)
    assert "*Figure 1 (640×480): figure missing*" in (tmp_path / "later.md").read_text()

    # deleting a conversation deletes the figures no conversation refers to any more (past their grace time)
    orphan = figures_dir() / ("0" * 64 + ".png")
    orphan.write_bytes(b"old")
    os.utime(orphan, (1, 1))
    third.delete_conversation(conversation_id)
    qtbot.waitUntil(lambda: not orphan.exists(), timeout=WAIT_MS)
    close(qtbot, third)


def test_a_conversations_mcp_servers_run_from_answer_to_answer_until_it_closes(qtbot: QtBot, page: ChatPage,
                                                                                model: ScriptedServer,
                                                                                tmp_path: Path) -> None:  # fmt: skip
    """Started by the first answer, kept for the next (the server's count goes on), stopped when MCP is turned off,
    when the tab closes and when the window closes; each stop is the process gone."""
    from fixtures.mcp_pids import gone, started, write_config

    from app.chat.messages import Role

    pids = tmp_path / "pids.txt"
    assert page.mcp_config is not None
    write_config(page.mcp_config, pids, allowed=("count",))

    def count(pane: ConversationPane) -> None:
        model.script += [Reply(calls=[("test__count", "{}")]), Reply(text="Counted.")]
        send_and_wait(qtbot, pane, "Count")

    pane = endpoint_chat(qtbot, page, model)
    pane.tools_control.mcp_action.trigger()
    pane.approvals.always.add("test__count")
    count(pane)
    count(pane)
    counts = [s["result"]["text"] for m in pane.messages() if m.role is Role.ASSISTANT for s in m.steps]
    assert counts == ["1", "2"] and len(started(pids)) == 1  # one process answered both
    pane.tools_control.mcp_action.trigger()  # MCP off: its servers stop
    qtbot.waitUntil(lambda: gone(started(pids)[0]), timeout=WAIT_MS)
    pane.tools_control.mcp_action.trigger()
    count(pane)
    assert len(started(pids)) == 2 and not gone(started(pids)[1])
    page.tabs.tabCloseRequested.emit(page.tabs.indexOf(pane))  # the tab closes
    qtbot.waitUntil(lambda: gone(started(pids)[1]), timeout=WAIT_MS)

    other = page.new_chat(pane.key)
    other.tools_control.mcp_action.trigger()
    other.approvals.always.add("test__count")
    count(other)
    assert len(started(pids)) == 3 and page.mcp_pool.owners() == [other.conversation.id]
    page.shutdown()  # the window closes
    qtbot.waitUntil(lambda: not page.busy(), timeout=WAIT_MS)
    assert gone(started(pids)[2])


def test_closing_the_window_stops_the_mcp_servers_before_it_returns(qtbot: QtBot, tmp_path: Path) -> None:
    from fixtures.hardware_reports import cpu_only
    from fixtures.mcp_pids import gone, started, write_config
    from PySide6.QtCore import QCoreApplication, QEvent

    from app import paths
    from app.settings import Settings
    from app.ui.main_window import MainWindow

    QCoreApplication.sendPostedEvents(None, QEvent.Type.DeferredDelete)
    window = MainWindow(Settings(), report=cpu_only())
    qtbot.addWidget(window)
    pids = tmp_path / "pids.txt"
    config = write_config(paths.data_dir() / "mcp.json", pids, allowed=("count",))
    assert window.chat_page.mcp_config == config
    with window.chat_page.mcp_pool.lease(1, config) as lease:  # what a conversation's answer does, on its thread
        assert [t.name for t in lease.tools] == ["test__count"]
    [pid] = started(pids)
    assert not gone(pid) and window.chat_page.mcp_pool.owners() == [1]
    window.close()
    assert gone(pid)  # the window's close waited for it
    window.deleteLater()
    QCoreApplication.sendPostedEvents(None, QEvent.Type.DeferredDelete)
