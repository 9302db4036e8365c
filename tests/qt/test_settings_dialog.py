"""File > Settings…: the user's settings and the Hugging Face token in one dialog, checked inline, saved only on OK."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from fixtures.hardware_reports import cpu_only
from PySide6.QtCore import QCoreApplication, QEvent, Qt
from PySide6.QtGui import QAction
from PySide6.QtWidgets import QDialogButtonBox, QLabel, QLineEdit, QWidget
from pytestqt.qtbot import QtBot

from app.settings import Settings, load_settings
from app.ui.chat.dialogs import LoadDialog
from app.ui.main_window import MainWindow
from app.ui.settings_dialog import SettingsDialog

SECRET = "hf_SettingsDialogSecret42"


@pytest.fixture
def window(qtbot: QtBot, monkeypatch: pytest.MonkeyPatch) -> Iterator[MainWindow]:
    monkeypatch.delenv("HF_TOKEN", raising=False)
    w = MainWindow(Settings(), report=cpu_only())
    qtbot.addWidget(w)
    w.show()
    yield w
    w.close()
    w.deleteLater()
    QCoreApplication.sendPostedEvents(None, QEvent.Type.DeferredDelete)


def open_settings(window: MainWindow, qtbot: QtBot) -> SettingsDialog:
    window.settings_action.trigger()
    dialog = window.settings_dialog
    assert dialog is not None
    qtbot.waitUntil(dialog.isVisible)
    return dialog


def press_ok(dialog: SettingsDialog) -> None:
    button = dialog.buttons.button(QDialogButtonBox.StandardButton.Ok)
    assert button is not None
    button.click()


def shown_texts(widget: QWidget) -> str:
    texts = [e.text() + e.placeholderText() for e in widget.findChildren(QLineEdit)]
    texts += [label.text() for label in widget.findChildren(QLabel)]
    return "\n".join(texts)


def test_settings_are_in_the_file_menu_with_ctrl_comma(window: MainWindow, qtbot: QtBot) -> None:
    file_menu = window.menuBar().actions()[0].menu()
    assert window.settings_action in file_menu.actions()  # type: ignore[union-attr]
    assert window.settings_action.text() == "Settings…"
    assert window.settings_action.menuRole() is QAction.MenuRole.PreferencesRole  # in the app menu on macOS
    window.activateWindow()
    qtbot.waitUntil(window.isActiveWindow, timeout=5000)
    qtbot.keyClick(window, Qt.Key.Key_Comma, Qt.KeyboardModifier.ControlModifier)
    qtbot.waitUntil(lambda: window.settings_dialog is not None and window.settings_dialog.isVisible())
    assert window.settings_dialog.windowTitle() == "Settings"  # type: ignore[union-attr]


def test_a_refused_value_is_named_inline_and_nothing_is_saved(window: MainWindow, qtbot: QtBot) -> None:
    dialog = open_settings(window, qtbot)
    assert dialog.models_dir.text() == str(Settings().models_dir)
    dialog.threads.setValue(6)
    dialog.hf_endpoint.setText("ftp://mirror.example")
    dialog.models_dir.setText("relative/models")
    press_ok(dialog)
    assert dialog.isVisible()  # stays open
    endpoint_error = dialog.errors["hf_endpoint"]
    assert endpoint_error.isVisible()
    assert endpoint_error.text() == "Hugging Face endpoint must be an http:// or https:// address, e.g. https://huggingface.co"
    assert dialog.errors["models_dir"].text() == "Models folder must be an absolute folder path"
    assert not dialog.errors["threads"].isVisible()
    assert load_settings(window.store).threads == 0  # nothing saved before a clean OK
    dialog.reject()
    qtbot.waitUntil(lambda: window.settings_dialog is None)
    assert load_settings(window.store) == Settings()


def test_ok_saves_and_applies_what_can_change_live(window: MainWindow, qtbot: QtBot) -> None:
    dialog = open_settings(window, qtbot)
    assert dialog.token.placeholderText() == "paste a token (hf_…)"
    dialog.hf_endpoint.setText("https://hf-mirror.example/")
    dialog.threads.setValue(3)
    dialog.gpu_margin.setValue(2.0)
    dialog.parallel_jobs.setValue(2)
    dialog.parallel_downloads.setValue(4)
    dialog.usable_speed.setValue(12.5)
    dialog.token.setText(SECRET)
    assert dialog.token.echoMode() is QLineEdit.EchoMode.Password  # hidden even while typed
    press_ok(dialog)
    status = window.statusBar()
    qtbot.waitUntil(lambda: status.currentMessage().startswith("Settings saved."))
    message = status.currentMessage()
    assert "The Hugging Face token is stored." in message
    assert "Restart Modelwerk to use the new Hugging Face endpoint and GPU margin." in message
    saved = load_settings(window.store)
    assert (saved.hf_endpoint, saved.threads, saved.gpu_margin) == ("https://hf-mirror.example", 3, 2 * 1024**3)
    assert (saved.parallel_jobs, saved.parallel_downloads, saved.usable_speed) == (2, 4, 12.5)
    # Live: the Jobs page and the downloads panel show (and their queues use) the new limits; loads get 3 threads.
    assert window.jobs_page.parallel.value() == 2
    assert window.discover_page.downloads.parallel.value() == 4
    qtbot.waitUntil(lambda: window.jobs_queue.max_parallel == 2)
    assert window.chat_page.default_threads == 3
    assert window.hardware_page._usable_speed == 12.5 == window.discover_page.repo.model.usable_speed  # the advice, at once
    assert LoadDialog("m", threads=window.chat_page.default_threads).threads.value() == 3
    assert window.workbench.hub_token.stored and window.workbench.hub_token.get() == SECRET
    assert window.hub.headers()["authorization"] == f"Bearer {SECRET}"  # the running client uses it at once

    # Opened again: the token is "stored", never shown; Replace and Remove are offered.
    dialog = open_settings(window, qtbot)
    assert dialog.threads.value() == 3 and dialog.hf_endpoint.text() == "https://hf-mirror.example"
    assert dialog.token.text() == "" and dialog.token.placeholderText() == "stored (hidden)"
    assert not dialog.token.isEnabled()
    assert dialog.replace_token.isVisible() and dialog.remove_token.isVisible()
    assert SECRET not in shown_texts(dialog)
    dialog.replace_token.click()
    assert dialog.token.isEnabled() and dialog.token.text() == ""
    dialog.token.setText("hf_has a space")
    press_ok(dialog)
    assert dialog.isVisible()
    assert dialog.errors["hf_token"].text().startswith("The token must be one word without spaces")
    dialog.remove_token.click()
    assert dialog.token.placeholderText() == "will be removed when you press OK"
    press_ok(dialog)
    qtbot.waitUntil(lambda: "The token is removed." in status.currentMessage())
    assert not window.workbench.hub_token.stored and load_settings(window.store).hf_token_ref == ""
