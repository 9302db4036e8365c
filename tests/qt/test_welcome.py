"""First start: Getting started says what to try first (once, not modal) and Help leads back to it and to more."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from fixtures.hardware_reports import cpu_only
from fixtures.tiny_gguf import write_tiny_gguf
from PySide6.QtCore import QCoreApplication, QEvent, QUrl
from PySide6.QtGui import QDesktopServices
from PySide6.QtWidgets import QMessageBox
from pytestqt.qtbot import QtBot

from app import paths
from app.library.catalog import Catalog
from app.library.demo import DEMO_SOURCE, INSTRUCT_SOURCE, demo_installed
from app.settings import Settings
from app.store import Store
from app.ui import help as help_module
from app.ui.chat.page import ChatPage
from app.ui.common import links
from app.ui.main_window import MainWindow
from formats.inspect import inspect

Opener = Callable[..., MainWindow]


@pytest.fixture
def open_window(qtbot: QtBot) -> Iterator[Opener]:
    windows: list[MainWindow] = []

    def make(**kwargs: object) -> MainWindow:
        w = MainWindow(Settings(), report=cpu_only(), **kwargs)  # type: ignore[arg-type]
        qtbot.addWidget(w)
        w.show()
        windows.append(w)
        return w

    yield make
    for w in windows:
        w.close()
        w.deleteLater()
    QCoreApplication.sendPostedEvents(None, QEvent.Type.DeferredDelete)


@pytest.fixture
def opened_urls(monkeypatch: pytest.MonkeyPatch) -> list[QUrl]:
    opened: list[QUrl] = []
    monkeypatch.setattr(QDesktopServices, "openUrl", lambda url: opened.append(url) or True)
    return opened


def add_demo(tmp_path: Path) -> int:
    model = write_tiny_gguf(tmp_path / "demo" / "gemma-3-270m-q4_k_m.gguf", name="gemma-3-270m")
    with Store.open(paths.database_path()) as store:
        return Catalog(store).add(inspect(model), source=DEMO_SOURCE).id


def test_a_first_start_says_what_to_try_first_once(open_window: Opener, qtbot: QtBot, tmp_path: Path,
                                                    monkeypatch: pytest.MonkeyPatch) -> None:  # fmt: skip
    demo_id = add_demo(tmp_path)
    chats: list[int] = []
    monkeypatch.setattr(ChatPage, "chat_with", lambda _page, entry_id: chats.append(entry_id))
    window = open_window(welcome=True)
    qtbot.waitUntil(lambda: window.welcome_dialog is not None and window.welcome_dialog.isVisible())
    dialog = window.welcome_dialog
    assert dialog is not None and not dialog.isModal()  # the window stays usable behind it
    assert dialog.windowTitle() == "Getting started"
    assert [b.text() for b in (dialog.chat_button, dialog.fits_button, dialog.discover_button)] == [
        "Chat with the demo model", "See what fits this machine", "Find a model"]  # fmt: skip
    assert dialog.chat_button.isEnabled()
    assert dialog.chat_button.description().startswith("gemma-3-270m")
    dialog.chat_button.click()
    assert window.pages.currentWidget() is window.chat_page and chats == [demo_id]
    qtbot.waitUntil(lambda: window.welcome_dialog is None)

    # Help > Getting started brings it back; its buttons go to the Hardware page and to Discover's search.
    window.help_menu.actions()[0].trigger()
    dialog = window.welcome_dialog
    assert dialog is not None and dialog.isVisible()
    dialog.fits_button.click()
    assert window.pages.currentWidget() is window.hardware_page
    window.show_welcome()
    assert window.welcome_dialog is not None
    window.welcome_dialog.discover_button.click()
    assert window.pages.currentWidget() is window.discover_page
    window.close()

    # The next start of the same data folder opens without it.
    again = open_window(welcome=True)
    QCoreApplication.processEvents()
    assert again.welcome_dialog is None


def test_without_a_demo_model_the_chat_step_says_what_to_do(open_window: Opener, qtbot: QtBot) -> None:
    window = open_window()
    window.show_welcome()
    dialog = window.welcome_dialog
    assert dialog is not None
    assert not dialog.chat_button.isEnabled()
    if not demo_installed():
        assert dialog.chat_button.description().startswith("No demo model is installed: import a GGUF file")
    else:
        assert dialog.chat_button.description().startswith("The demo model is being prepared")


def test_help_menu(open_window: Opener, opened_urls: list[QUrl], monkeypatch: pytest.MonkeyPatch) -> None:
    window = open_window()
    actions = [a.text() for a in window.help_menu.actions() if not a.isSeparator()]
    assert actions == ["Getting started", "Keyboard shortcuts", "Open the log folder", "Report a problem…",
                       "About Modelwerk"]  # fmt: skip
    by_text = {a.text(): a for a in window.help_menu.actions()}

    shown: list[list[tuple[str, str]]] = []

    def fake_exec(dialog: help_module.ShortcutsDialog) -> int:
        table = dialog.table
        shown.append([(table.item(r, 0).text(), table.item(r, 1).text()) for r in range(table.rowCount())])
        return 0

    monkeypatch.setattr(help_module.ShortcutsDialog, "exec", fake_exec)
    by_text["Keyboard shortcuts"].trigger()
    assert ("Settings", "Ctrl+,") in shown[0] and ("Quit", "Ctrl+Q") in shown[0]

    by_text["Open the log folder"].trigger()
    assert [u.toLocalFile() for u in opened_urls] == [str(paths.log_dir())]
    opened_urls.clear()

    asked: list[str] = []
    monkeypatch.setattr(links.QMessageBox, "exec", lambda box: asked.append(box.text()) or 0)
    by_text["Report a problem…"].trigger()  # the link goes through the confirm path; not confirmed, nothing opens
    assert asked and help_module.REPORT_URL in asked[0] and asked[0].startswith("Open this address in your web browser?")
    assert opened_urls == []
    assert "attach the latest log" in window.statusBar().currentMessage()

    def confirm(box: QMessageBox) -> int:
        box.button(QMessageBox.StandardButton.Open).click()
        return 0

    monkeypatch.setattr(links.QMessageBox, "exec", confirm)
    by_text["Report a problem…"].trigger()
    assert [u.toString() for u in opened_urls] == [help_module.REPORT_URL]


def test_the_first_chat_goes_to_the_instruct_demo_model_and_says_what_to_expect(
    open_window: Opener, qtbot: QtBot, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """With Gemma (base) and SmolLM2 (instruct) registered, "Chat with the demo model" takes SmolLM2 (issue 16, item 1)."""
    add_demo(tmp_path)
    model = write_tiny_gguf(tmp_path / "demo" / "SmolLM2-135M-Instruct.Q4_1.gguf", name="SmolLM2-135M-Instruct")
    with Store.open(paths.database_path()) as store:
        instruct_id = Catalog(store).add(inspect(model), source=INSTRUCT_SOURCE).id
    chats: list[int] = []
    monkeypatch.setattr(ChatPage, "chat_with", lambda _page, entry_id: chats.append(entry_id))
    window = open_window(welcome=True)
    qtbot.waitUntil(lambda: window.welcome_dialog is not None and window.welcome_dialog.isVisible())
    dialog = window.welcome_dialog
    assert dialog is not None
    description = dialog.chat_button.description()
    assert description.startswith("SmolLM2-135M-Instruct") and "expect short, often wrong answers" in description
    assert "Discover" in description
    dialog.chat_button.click()
    assert chats == [instruct_id]
