"""Chat with documents as a user does it: attach a collection (the cheat sheet, indexed for real) to a conversation, ask,
see the sources and how they were chosen, click a citation to read the passage in place, restart and find it all
again, detach, and a collection deleted meanwhile. Scripted answers check what the page does with a model's [n]; the
real SmolLM2 135M Instruct checks the whole way through its own llama-server."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest
from PySide6.QtCore import QPoint, Qt
from PySide6.QtGui import QTextCursor
from pytestqt.qtbot import QtBot

from app.chat.endpoints import Endpoints
from app.chat.messages import Role
from app.chat.runtime import LoadOptions, RuntimeState
from app.chat.sessions import Conversations, MessageState, local_model_key
from app.documents.indexing import add_files, index_pending
from app.documents.store import DocumentStore
from app.library.catalog import Catalog
from app.store import Store
from app.ui.chat.backends import ChatBackends
from app.ui.chat.conversation import ConversationPane
from app.ui.chat.page import ChatPage
from app.ui.chat.transcript import TranscriptView
from formats.inspect import inspect
from tests.qt.test_chat_page import KEY, WAIT_MS, FakeBackend, fake, send

SEEDS = Path(__file__).resolve().parents[1] / "fixtures" / "data" / "seeds"
QUESTION = "Wie funktioniert Quantisierung?"


@pytest.fixture
def store(tmp_path: Path) -> Iterator[Store]:
    s = Store.open(tmp_path / "modelwerk.db")
    yield s
    s.close()


@pytest.fixture
def docs_db(tmp_path: Path) -> Path:
    """The cheat sheet the project grew from, indexed into the collection "cheat-sheet" (BM25: no vectors)."""
    path = tmp_path / "documents.db"
    with DocumentStore.open(path) as docs:
        cid, _ = add_files(docs, "cheat-sheet", sorted(SEEDS.iterdir()))
        assert not index_pending(docs, cid).failed
    return path


def make_page(qtbot: QtBot, store: Store, docs_db: Path) -> ChatPage:
    page = ChatPage(ChatBackends(Catalog(store), Endpoints(store)), Conversations(store), documents=docs_db)
    qtbot.addWidget(page)
    page.resize(1100, 800)
    page.show()
    qtbot.waitExposed(page)
    return page


@pytest.fixture
def page(qtbot: QtBot, store: Store, docs_db: Path) -> Iterator[ChatPage]:
    p = make_page(qtbot, store, docs_db)
    yield p
    p.shutdown()


def attach(qtbot: QtBot, pane: ConversationPane, name: str = "cheat-sheet") -> None:
    """Open the 📎 menu's list (read in the pool) and pick the collection, as a click on its entry does."""
    bar = pane.attach_bar
    assert bar is not None
    bar.menu.aboutToShow.emit()
    qtbot.waitUntil(lambda: bar.listed is not None and not bar.reading, timeout=WAIT_MS)
    [action] = [a for a in bar.menu.actions() if a.text().startswith(name + " — ")]
    assert action.isEnabled()
    action.trigger()


def anchors(view: TranscriptView) -> list[tuple[str, str]]:
    """(href, text) of each link in the transcript, in order."""
    found: list[tuple[str, str]] = []
    doc = view.document()
    cursor = QTextCursor(doc)
    href, text = "", ""
    for pos in range(1, doc.characterCount()):
        cursor.setPosition(pos)
        char = doc.characterAt(pos - 1)
        here = cursor.charFormat().anchorHref() if char != "\u2029" else ""  # a paragraph's end is no link's text
        if here != href and href:
            found.append((href, text))
            text = ""
        href = here
        if here:
            text += char
    if href:
        found.append((href, text))
    return found


def struck(view: TranscriptView) -> str:
    """The transcript's struck-through characters (wrong citations)."""
    doc = view.document()
    cursor = QTextCursor(doc)
    out = []
    for pos in range(1, doc.characterCount()):
        cursor.setPosition(pos)
        if cursor.charFormat().fontStrikeOut():
            out.append(doc.characterAt(pos - 1))
    return "".join(out)


def click_link(qtbot: QtBot, view: TranscriptView, href: str) -> None:
    """A mouse click on the first link to ``href`` in the transcript."""
    doc = view.document()
    cursor = QTextCursor(doc)
    for pos in range(1, doc.characterCount()):
        cursor.setPosition(pos)
        if cursor.charFormat().anchorHref() == href and doc.characterAt(pos - 1) != "\u2029":
            view.setTextCursor(cursor)
            view.ensureCursorVisible()
            after = view.cursorRect(cursor)
            cursor.setPosition(pos - 1)
            before = view.cursorRect(cursor)
            point = QPoint((before.left() + after.left()) // 2, (after.top() + after.bottom()) // 2)  # its first character
            assert view.anchorAt(point) == href, (point, before, after)
            qtbot.mouseClick(view.viewport(), Qt.MouseButton.LeftButton, pos=point)
            return
    raise AssertionError(f"no link to {href} in the transcript")


def test_attach_ask_sources_and_citations_open_the_passage(qtbot: QtBot, page: ChatPage) -> None:
    forged = "cite:0123456789abcdef/1/1"
    backend = FakeBackend(["Quantisierung speichert die Gewichte mit weniger Bits [1] [Source 2].", " Siehe [9]",
                           f" und [hier]({forged})."])  # fmt: skip
    fake(page, backend)
    pane = page.new_chat(KEY)
    attach(qtbot, pane)
    bar = pane.attach_bar
    assert bar is not None and bar.chip.isVisibleTo(pane) and bar.chip.text() == "📎 cheat-sheet · BM25 · auto"
    assert page.sessions.get(pane.conversation.id).attachment == bar.attachment  # saved at once

    send(qtbot, pane, QUESTION)
    answer = pane.messages()[-1]
    assert answer.state is MessageState.DONE and answer.sources is not None
    sources = answer.sources
    assert (sources.mode, sources.search, sources.collection) == ("retrieval", "bm25", "cheat-sheet")
    assert sources.sources and sources.wrong == (9,) and sources.sources[0].cited
    assert "<source id=\"1\">" in backend.prompts[-1] and f"Question: {QUESTION}" in backend.prompts[-1]

    text = pane.view.toPlainText()
    n = len(sources.sources)
    assert f"answered from {n} retrieved passage{'s' * (n != 1)} (BM25) · cheat-sheet" in text
    assert f"[1] {sources.sources[0].citation()}" in text
    assert "[9]: cited, but no source of this answer has that number" in text
    links = anchors(pane.view)
    cite1 = pane.view.cite_url(answer.id, 1)
    assert links[0] == (cite1, "1")  # the [1] in the answer's text
    assert (cite1, f"[1] {sources.sources[0].citation()}") in links  # and its entry under the answer
    assert (pane.view.cite_url(answer.id, 2), "Source 2") in links  # the model's own way of citing, kept
    assert not any(href == pane.view.cite_url(answer.id, 9) for href, _ in links)
    assert "9" in struck(pane.view)

    click_link(qtbot, pane.view, cite1)
    qtbot.waitUntil(lambda: pane.source_dialog is not None and pane.source_dialog.isVisible(), timeout=WAIT_MS)
    dialog = pane.source_dialog
    assert dialog is not None and dialog.shown == (answer.id, 1) and dialog.note.isHidden()
    first = sources.sources[0]
    view = dialog.passage
    a, b = view.shown_range
    assert view.text.toPlainText()[a:b] == first.text and first.heading in view.citation.text()

    dialog.shown = None
    click_link(qtbot, pane.view, forged)  # a link the model wrote in the shape of a citation
    qtbot.wait(200)
    assert dialog.shown is None


def test_follow_up_sends_the_conversation_and_restart_keeps_attachment_and_sources(
    qtbot: QtBot, page: ChatPage, store: Store, docs_db: Path, tmp_path: Path
) -> None:
    backend = FakeBackend(["Mit weniger Bits [1]."])
    fake(page, backend)
    pane = page.new_chat(KEY)
    attach(qtbot, pane)
    send(qtbot, pane, QUESTION)
    send(qtbot, pane, "Und welche Vorteile hat das?")
    follow = pane.messages()[-1]
    assert follow.sources is not None and "quantisierung" in follow.sources.query.lower()  # rewritten with the history
    assert QUESTION in backend.prompts[-1] and "Mit weniger Bits [1]." in backend.prompts[-1]
    conversation_id = pane.conversation.id
    page.shutdown()

    again = make_page(qtbot, store, docs_db)
    try:
        pane = again.open_conversation(conversation_id)
        bar = pane.attach_bar
        assert bar is not None and bar.attachment is not None and bar.attachment.collection == "cheat-sheet"
        qtbot.waitUntil(lambda: bar.chip.text() == "📎 cheat-sheet · BM25 · auto", timeout=WAIT_MS)
        answers = [m for m in pane.messages() if m.role is Role.ASSISTANT]
        assert all(m.sources is not None for m in answers)
        click_link(qtbot, pane.view, pane.view.cite_url(answers[0].id, 1))
        qtbot.waitUntil(lambda: pane.source_dialog is not None and pane.source_dialog.isVisible(), timeout=WAIT_MS)

        pane.export_to(tmp_path / "chat.json")
        pane.export_to(tmp_path / "chat.md")
        qtbot.waitUntil(lambda: not pane.exporting())  # written in the pool
        exported = json.loads((tmp_path / "chat.json").read_text(encoding="utf-8"))
        assert exported["attachment"]["collection"] == "cheat-sheet"
        saved = [m["sources"] for m in exported["messages"] if m["role"] == "assistant"]
        assert all(s["sources"][0]["number"] == 1 and s["sources"][0]["text"] for s in saved)
        markdown = (tmp_path / "chat.md").read_text(encoding="utf-8")
        assert "of the collection “cheat-sheet”" in markdown and "- [1] " in markdown
    finally:
        again.shutdown()


def test_whole_documents_that_do_not_fit_detach_and_a_deleted_collection(
    qtbot: QtBot, page: ChatPage, docs_db: Path
) -> None:
    backend = FakeBackend(["Hallo."])
    fake(page, backend)
    pane = page.new_chat(KEY)
    attach(qtbot, pane)
    bar = pane.attach_bar
    assert bar is not None
    [whole] = [a for a in bar.menu.actions() if a.data() == "whole"]
    whole.trigger()
    assert bar.chip.text().endswith("· whole") and page.sessions.get(pane.conversation.id).attachment == bar.attachment
    send(qtbot, pane, "Fasse alles zusammen")
    assert pane.banner.isVisibleTo(pane) and "do not fit" in pane.banner_text.text()
    assert "\n" not in pane.banner_text.text() and pane.messages()[-1].state is MessageState.ERROR

    qtbot.mouseClick(bar.detach_button, Qt.MouseButton.LeftButton)
    assert bar.chip.isHidden() and page.sessions.get(pane.conversation.id).attachment is None
    send(qtbot, pane, "Hallo")
    assert "<source" not in backend.prompts[-1] and pane.messages()[-1].sources is None
    assert pane.messages()[-1].state is MessageState.DONE

    attach(qtbot, pane)
    with DocumentStore.open(docs_db) as docs:  # the Documents page deletes it meanwhile
        docs.delete_collection("cheat-sheet")
    send(qtbot, pane, QUESTION)
    assert pane.banner_text.text() == ("the collection 'cheat-sheet' attached to this chat no longer exists: "
                                       "detach it or attach another")  # fmt: skip
    qtbot.waitUntil(lambda: bar.chip.text() == "📎 cheat-sheet · deleted", timeout=WAIT_MS)
    bar.detach_button.click()
    send(qtbot, pane, "Noch da?")
    assert pane.messages()[-1].state is MessageState.DONE and pane.messages()[-1].content == "Hallo."


def test_real_model_answers_from_the_cheat_sheet_and_its_source_opens(
    qtbot: QtBot, page: ChatPage, smollm2_model: Path
) -> None:
    entry = page.backends.catalog.add(inspect(smollm2_model), source="imported")
    key = local_model_key(entry.id)
    page.refresh()
    page.load(entry.id, LoadOptions(context=1024, parallel=1))  # a short prompt: the test's time goes to reading it
    qtbot.waitUntil(lambda: (rt := page.backends.runtime(key)) is not None and rt.state is RuntimeState.READY,
                    timeout=120_000)  # fmt: skip
    pane = page.new_chat(key)
    pane.sampling_controls.preset.setCurrentText("Greedy")
    pane.sampling_controls.max_tokens.setValue(24)
    attach(qtbot, pane)
    pane.input.setPlainText(QUESTION)
    pane.send()
    qtbot.waitUntil(lambda: not pane.busy(), timeout=300_000)
    answer = pane.messages()[-1]
    assert answer.state is MessageState.DONE, answer.error
    assert answer.content and answer.stats is not None and answer.stats.answer_tokens > 0
    sources = answer.sources
    assert sources is not None and sources.mode == "retrieval" and sources.sources
    assert sum(s.tokens for s in sources.sources) == sources.source_tokens <= 1024 - 24
    assert sources.summary() in pane.view.toPlainText()
    entry_link = pane.view.cite_url(answer.id, 1)
    click_link(qtbot, pane.view, entry_link)
    qtbot.waitUntil(lambda: pane.source_dialog is not None and pane.source_dialog.isVisible(), timeout=WAIT_MS)
    assert pane.source_dialog is not None and pane.source_dialog.shown == (answer.id, 1)


def test_single_files_are_indexed_attached_and_answered_from(qtbot: QtBot, page: ChatPage, tmp_path: Path) -> None:
    walrus = tmp_path / "walrus.md"
    walrus.write_text('# Walrus <img src="/dev/zero"> & co\n\nThe walrus hauls out onto the ice and weighs over a tonne.\n')
    (tmp_path / "broken.pdf").write_bytes(b"%PDF-1.4 not really")
    backend = FakeBackend(["Over a tonne [1]."])
    fake(page, backend)
    pane = page.new_chat(KEY)
    bar = pane.attach_bar
    assert bar is not None
    bar.attach_files([walrus, tmp_path / "broken.pdf"])
    qtbot.waitUntil(lambda: bar.attachment is not None and not bar.tasks.pending(), timeout=60_000)
    assert bar.attachment is not None and bar.attachment.files == (str(walrus.resolve()),)
    assert bar.status.text().startswith("broken.pdf: ")  # the file that could not be read, in one line
    qtbot.waitUntil(lambda: bar.chip.text() == "📎 walrus.md · BM25 · auto", timeout=WAIT_MS)
    send(qtbot, pane, "How heavy is a walrus?")
    sources = pane.messages()[-1].sources
    assert sources is not None and sources.collection == "Chat files" and sources.mode == "whole document"
    assert [Path(s.path).name for s in sources.sources] == ["walrus.md"]
    click_link(qtbot, pane.view, pane.view.cite_url(pane.messages()[-1].id, 1))
    qtbot.waitUntil(lambda: pane.source_dialog is not None and pane.source_dialog.isVisible(), timeout=WAIT_MS)
    assert '<img src="/dev/zero"> & co' in pane.source_dialog.passage.text.toPlainText()  # the file's text, as written
    [retrieval] = [a for a in bar.menu.actions() if a.data() == "retrieval"]
    retrieval.trigger()
    send(qtbot, pane, "And its weight?")
    answer = pane.messages()[-1]
    assert answer.sources is not None and answer.sources.mode == "retrieval"
    assert 'walrus.md · Walrus <img src="/dev/zero"> & co' in pane.view.toPlainText()  # the heading, as written
    assert pane.view.refused == []  # a document's heading or text never makes the transcript load anything


def test_a_collection_with_vectors_is_searched_hybrid_and_its_embedder_stops(
    qtbot: QtBot, page: ChatPage, docs_db: Path, minilm: Path
) -> None:
    from app.chat.embedding import LlamaServerEmbedder
    from app.documents.vectors import embed_collection

    with DocumentStore.open(docs_db) as docs, LlamaServerEmbedder(minilm, threads=2) as embedder:
        assert embed_collection(docs, docs.collection_id("cheat-sheet"), embedder) > 0
    backend = FakeBackend(["Mit weniger Bits [1]."])
    fake(page, backend)
    pane = page.new_chat(KEY)
    attach(qtbot, pane)
    bar = pane.attach_bar
    assert bar is not None
    qtbot.waitUntil(lambda: bar.chip.text() == "📎 cheat-sheet · hybrid · auto", timeout=WAIT_MS)
    send(qtbot, pane, QUESTION)  # the embedder runs in its own llama-server for the search, then stops
    sources = pane.messages()[-1].sources
    assert sources is not None and (sources.mode, sources.search) == ("retrieval", "hybrid")
    assert f"answered from {len(sources.sources)} retrieved passages (hybrid)" in pane.view.toPlainText()
