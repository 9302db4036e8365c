"""A plot the model makes with the Python tool shows in the chat as an image, goes with an export, stays with the
conversation across a restart (a new page over the same database), and a figure whose file was deleted says "figure
missing"."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest
from fixtures.scripted_server import Reply, ScriptedServer
from PySide6.QtCore import QUrl
from PySide6.QtGui import QImage, QTextDocument
from pytestqt.qtbot import QtBot

from app.chat.endpoints import Endpoints
from app.chat.figures import figures_dir
from app.chat.sessions import Conversations, MessageState, endpoint_model_key
from app.library.catalog import Catalog
from app.store import Store
from app.ui.chat.backends import ChatBackends
from app.ui.chat.conversation import ConversationPane
from app.ui.chat.figures import SHOWN_WIDTH
from app.ui.chat.page import ChatPage

pytest.importorskip("matplotlib")  # the sandbox's Python takes it from this environment's packages

WAIT_MS = 60_000
PLOT = "import matplotlib.pyplot as plt\nplt.plot([1, 10, 100])\nplt.yscale('log')\nplt.grid(True)\nprint('plotted')"


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


def make_page(qtbot: QtBot, store: Store) -> ChatPage:
    page = ChatPage(ChatBackends(Catalog(store), Endpoints(store)), Conversations(store))
    qtbot.addWidget(page)
    page.resize(1100, 800)
    page.show()
    qtbot.waitExposed(page)
    return page


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
    model.script += [Reply(calls=[("python", json.dumps({"code": PLOT}))]), Reply(text="Here is the plot.")]
    page = make_page(qtbot, store)
    endpoint = page.backends.endpoints.add("lab", model.base_url)
    qtbot.waitUntil(lambda: not page.busy(), timeout=WAIT_MS)
    page.backends.endpoint_models[endpoint.id] = ["m"]
    page.refresh()
    pane = page.new_chat(endpoint_model_key(endpoint.id, "m"))
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
    pane.export_to(tmp_path / "chat.md")
    pane.export_to(tmp_path / "chat.json")
    qtbot.waitUntil(lambda: not pane.exporting(), timeout=WAIT_MS)
    assert f"![Figure 1 (640×480)](<chat-figures/{figure['file']}>)" in (tmp_path / "chat.md").read_text()
    assert (tmp_path / "chat-figures" / figure["file"]).read_bytes() == stored.read_bytes()
    exported = json.loads((tmp_path / "chat.json").read_text())["messages"][-1]
    assert exported["figures"] == [{"file": figure["file"], "width": 640, "height": 480,
                                    "copy": f"chat-figures/{figure['file']}"}]  # fmt: skip
    assert exported["steps"][0]["result"]["figures"][0]["file"] == figure["file"]
    conversation_id = pane.conversation.id
    close(qtbot, page)

    # a restart: a new page over the same database shows the figure again, from its file
    again = make_page(qtbot, store)
    reopened = again.open_conversation(conversation_id)
    qtbot.waitUntil(lambda: shown(reopened, figure["file"]) is not None, timeout=WAIT_MS)
    assert "figure missing" not in reopened.view.toPlainText()
    close(qtbot, again)

    # the file is gone: the conversation still opens, and says so where the figure was
    stored.unlink()
    third = make_page(qtbot, store)
    gone = third.open_conversation(conversation_id)
    qtbot.waitUntil(lambda: "figure missing" in gone.view.toPlainText(), timeout=WAIT_MS)
    assert shown(gone, figure["file"]) is None and "Here is the plot." in gone.view.toPlainText()
    gone.export_to(tmp_path / "later.md")
    qtbot.waitUntil(lambda: not gone.exporting(), timeout=WAIT_MS)
    assert "*Figure 1 (640×480): figure missing*" in (tmp_path / "later.md").read_text()
    close(qtbot, third)
