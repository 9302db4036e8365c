"""Deutsch: the window in German shows no English word (names such as GGUF, Q4_K_M or llama.cpp stay as they are)."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

import pytest
from fixtures.hardware_reports import desktop_24gb
from PySide6.QtCore import QCoreApplication, QEvent, Qt
from PySide6.QtWidgets import (
    QAbstractButton,
    QComboBox,
    QGroupBox,
    QHeaderView,
    QLabel,
    QLineEdit,
    QTabBar,
    QWidget,
)
from pytestqt.qtbot import QtBot

from app.settings import Settings
from app.ui.main_window import MainWindow
from app.ui.settings_dialog import SettingsDialog

ENGLISH = frozenset(re.findall(r"\w+", """
    the and of to with for from is are this that your you which when what there their none nothing yet
    load loaded unload delete remove search open import export settings model models file files folder size
    quantize quantization downloading show hide add new stop cancel close save fits fit memory speed
    context library jobs documents compare discover copy paste choose replace automatic parallel machine language
    getting started help quit report about shortcuts keyboard ready running waiting failed done error warning
"""))
"""Words of the English interface that no German text uses (Hardware, Chat, Token, Downloads are German too)."""


@pytest.fixture
def window(german: None, qtbot: QtBot) -> Iterator[MainWindow]:
    QCoreApplication.sendPostedEvents(None, QEvent.Type.DeferredDelete)
    w = MainWindow(Settings(), report=desktop_24gb())
    qtbot.addWidget(w)
    w.show()
    yield w


def shown_texts(root: QWidget) -> list[str]:
    """What a user reads on ``root`` now: labels, buttons, group titles, tabs, headers, placeholders, tooltips (not the
    rows of tables and lists: they are data, model names and paths)."""
    texts: list[str] = []
    for w in [root, *root.findChildren(QWidget)]:
        if not w.isVisibleTo(root):
            continue
        texts.append(w.toolTip())
        if isinstance(w, (QLabel, QAbstractButton)):
            texts.append(w.text())
        elif isinstance(w, QGroupBox):
            texts.append(w.title())
        elif isinstance(w, QLineEdit):
            texts.append(w.placeholderText())
        elif isinstance(w, QComboBox):
            texts.extend(w.itemText(i) for i in range(w.count()))
        elif isinstance(w, QTabBar):
            texts.extend(w.tabText(i) for i in range(w.count()))
        elif isinstance(w, QHeaderView) and w.model() is not None and not w.isHidden():
            count = w.model().columnCount() if w.orientation() == Qt.Orientation.Horizontal else 0
            texts.extend(str(w.model().headerData(i, w.orientation()) or "") for i in range(count))
    return texts


def english_words(texts: list[str]) -> list[str]:
    found = []
    for text in texts:
        plain = re.sub(r"<[^>]+>|&\w+;", " ", text)
        for word in re.findall(r"[A-Za-z_]+", plain):  # names such as usable_speed are kept whole
            if word.lower() in ENGLISH:
                found.append(f"{word!r} in {plain.strip()[:80]!r}")
    return found


def test_the_sidebar_and_the_menus_are_german(window: MainWindow) -> None:
    titles = [window.sidebar.item(i).text() for i in range(window.sidebar.count())]
    assert titles == ["Hardware", "Entdecken", "Bibliothek", "Aufträge", "Chat", "Vergleichen", "Dokumente"]
    menus = [a.text() for a in window.menuBar().actions()]
    assert menus == ["&Datei", "&Hilfe"]
    entries = [a.text() for m in window.menuBar().actions() if m.menu() for a in m.menu().actions()]
    assert "Einstellungen…" in entries and "Über Modelwerk" in entries
    assert not english_words(entries + titles)


PAGES = [
    pytest.param("hardware_page", id="hardware"),
    pytest.param("library_page", id="library"),
    pytest.param("chat_page", id="chat"),
    pytest.param("discover_page", id="discover"),
    pytest.param("jobs_page", id="jobs"),
    pytest.param("compare_page", id="compare"),
    pytest.param("documents_page", id="documents"),
]


@pytest.mark.parametrize("name", PAGES)
def test_a_page_in_german_shows_no_english(window: MainWindow, name: str, qtbot: QtBot) -> None:
    page = getattr(window, name)
    window.show_page(page)
    qtbot.waitUntil(page.isVisible)
    texts = shown_texts(page)
    assert len([t for t in texts if t.strip()]) > 3
    assert not english_words(texts)


def test_the_settings_dialog_in_german(german: None, qtbot: QtBot) -> None:
    dialog = SettingsDialog(Settings(), token_stored=False)
    qtbot.addWidget(dialog)
    dialog.show()
    texts = shown_texts(dialog)
    assert "Sprache" in texts and "Deutsch" in texts and "Abbrechen" in texts  # Qt's own catalogue: the Cancel button
    assert not english_words(texts)


def test_the_first_dialogs_in_german(window: MainWindow, qtbot: QtBot) -> None:
    from app.ui.about_dialog import AboutDialog
    from app.ui.welcome import WelcomeDialog

    welcome = WelcomeDialog(window)
    about = AboutDialog(window)
    for dialog in (welcome, about):
        qtbot.addWidget(dialog)
        dialog.show()
    assert welcome.windowTitle() == "Erste Schritte" and about.windowTitle() == "Über Modelwerk"
    texts = shown_texts(welcome) + shown_texts(about)
    assert "Schließen" in texts  # Qt's own catalogue: the Close button
    assert not english_words(texts)
    versions = about.text.toPlainText()  # the rows are data (versions, SPDX licence expressions): the headings are German
    assert "Lizenzen" in versions and "Komponente" in versions and "Licenses" not in versions


def test_choosing_deutsch_in_settings_offers_a_restart(qtbot: QtBot, monkeypatch: pytest.MonkeyPatch) -> None:
    from PySide6.QtWidgets import QMessageBox

    from app.ui import app as gui
    from app.ui.settings_dialog import TokenChange

    dialog = SettingsDialog(Settings(), token_stored=False)
    qtbot.addWidget(dialog)
    assert dialog.language.currentData() == "auto"  # the system's language by default
    dialog.language.setCurrentIndex(dialog.language.findData("de"))
    dialog.accept()
    assert dialog.changes() == {"language": "de"}

    QCoreApplication.sendPostedEvents(None, QEvent.Type.DeferredDelete)
    window = MainWindow(Settings(), report=desktop_24gb())
    qtbot.addWidget(window)
    window.show()
    asked: list[str] = []

    def answer(_parent: object, title: str, _text: str) -> QMessageBox.StandardButton:
        asked.append(title)
        return QMessageBox.StandardButton.Yes

    monkeypatch.setattr(QMessageBox, "question", answer)
    window._on_settings_saved(dialog.changes(), TokenChange())
    assert asked == ["Restart Modelwerk?"] and window.restart_requested and not window.isVisible()
    assert window.statusBar().currentMessage() == "Settings saved. Restart Modelwerk to use the new language."
    assert gui.restart_command()[-2:] == ["-m", "app"]  # a checkout starts the same Python with -m app


def test_the_hardware_pages_verdicts_advice_and_notes_are_german(german: None, qtbot: QtBot) -> None:
    # hardware.fit and hardware.advice speak English (core.messages); the page shows them in German, numbers German too.
    from dataclasses import replace

    from fixtures.hardware_reports import laptop_8gb_nvidia
    from PySide6.QtCore import Qt

    from app.ui.hardware.page import HardwarePage

    page = HardwarePage(replace(laptop_8gb_nvidia(), llama_backends=("CPU",)))  # a GPU this build cannot use: a note
    qtbot.addWidget(page)
    page.show()
    qtbot.waitUntil(lambda: not page.busy() and page.model.rowCount() == 8 and bool(page.answer.text()), timeout=20_000)
    model, calc = page.model, page.calculator
    cells = [str(model.data(model.index(r, c), role) or "") for r in range(model.rowCount())
             for c in range(model.columnCount())
             for role in (Qt.ItemDataRole.DisplayRole, Qt.ItemDataRole.ToolTipRole)]  # fmt: skip
    texts = [page.answer.text(), calc.verdict.text(), calc.details.text(), calc.notes.text(), *cells, *shown_texts(page)]
    shown = " ".join(texts)
    assert "Nur CPU" in shown and "Läuft auf der CPU aus dem Arbeitsspeicher" in shown  # verdicts and reasons
    assert "Nehmen Sie" in shown and "Größe schlägt Genauigkeit" in shown  # the advice and its facts
    assert "kann die NVIDIA" in page.summary.backends_label.text()  # the note on the GPU this build cannot use
    assert re.search(r"\d,\d GiB", shown) and not re.search(r"\d\.\d GiB", shown)  # 4,7 GiB, not 4.7 GiB
    assert not english_words(texts)


def test_error_banners_are_german_and_the_command_line_keeps_its_english(german: None, tmp_path: Path) -> None:
    from app.hub.errors import hub_error
    from app.ui.common.errors import error_text
    from core.errors import user_message

    error = hub_error(ConnectionError("refused"), endpoint="https://hf.example")
    english = "cannot reach https://hf.example: check your connection, proxy or HF_ENDPOINT"
    assert str(error) == user_message(error) == english  # what the CLI prints, unchanged
    assert error_text(error) == "https://hf.example ist nicht erreichbar: prüfen Sie Verbindung, Proxy oder HF_ENDPOINT"
    from core.errors import ModelwerkError
    from core.messages import Message, Number

    own = ModelwerkError(Message("{repo} has no such file", repo="a/b"), hint=Message("the repository"))
    assert user_message(own) == "a/b has no such file — the repository"
    assert error_text(own) == "a/b hat keine solche Datei — das Repository"
    from formats.gguf import read_gguf_header
    from formats.model import ModelFileError

    empty = tmp_path / "empty.gguf"
    empty.write_bytes(b"")
    with pytest.raises(ModelFileError) as raised:
        read_gguf_header(empty)
    assert user_message(raised.value) == "not a GGUF file: it is empty"
    assert error_text(raised.value) == "keine GGUF-Datei: sie ist leer"
    counted = Message("{speed} tok/s", speed=Number(2.5, None))
    assert str(counted) == "2.5 tok/s"
    from app.ui.common.messages import text

    assert text(counted) == "2,5 tok/s"


@pytest.fixture
def styled() -> Iterator[None]:
    """The application's style sheet, as a user sees the window (its badges and paddings take room)."""
    from PySide6.QtWidgets import QApplication

    from app.ui.app import STYLE

    app = QApplication.instance()
    assert isinstance(app, QApplication)
    app.setStyleSheet(STYLE.read_text(encoding="utf-8"))
    yield
    app.setStyleSheet("")


def test_the_hardware_page_needs_no_horizontal_scrolling_at_1280_px_in_german(styled: None, window: MainWindow,
                                                                               qtbot: QtBot) -> None:  # fmt: skip
    # German words are longer: the summary's instruction-set badges wrap, the advice cells shrink their first line.
    page = window.hardware_page
    window.resize(1280, 800)
    window.show_page(page)
    qtbot.waitUntil(lambda: not page.busy() and page.model.rowCount() == 8, timeout=20_000)
    qtbot.wait(100)  # the posted layout passes
    assert window.width() == 1280
    assert page.widget().minimumSizeHint().width() <= page.viewport().width()  # nothing is squeezed or cut
    assert page.horizontalScrollBar().maximum() == 0 and not page.horizontalScrollBar().isVisible()


def test_the_chats_notes_on_its_sources_are_german_with_plural_forms(german: None) -> None:
    from app.chat.attachments import AnswerSource, AnswerSources
    from app.ui.common.messages import text
    from core.messages import Message

    source = AnswerSource(1, "/n/walrus.md", 0, 10, "Tusks.", None, None, "", (), None, 3, True)
    one = AnswerSources(3, "Notizen", "retrieval", "hybrid", "q", (source,))
    two = AnswerSources(3, "Notizen", "whole document", sources=(source, source), source_tokens=3100)
    assert text(one.summary()) == "beantwortet aus 1 gefundenen Passage (hybrid)"
    assert text(two.summary()) == "beantwortet aus 2 ganzen Dokumenten (3.100 Token)"
    assert str(two.summary()) == "answered from 2 whole documents (3,100 tokens)"  # the command line's
    left_out = Message.plural("%n flagged passage left out, as asked", "%n flagged passages left out, as asked", 1)
    assert text(left_out) == "1 markierte Passage wie gewünscht weggelassen"


def test_the_jobs_titles_progress_and_errors_are_german(german: None, tmp_path: Path) -> None:
    # A job's worker sends its messages as data (procs.jsonlines); the queue stores them beside the English text.
    from app.ui.jobs.queue_model import stage_text, title_text
    from core.messages import Message
    from quantize.progress import parse_event
    from quantize.queue import JobQueue, JobState
    from quantize.spec import QuantizeSpec

    queue = JobQueue(tmp_path / "jobs.db", log_dir=tmp_path / "logs")
    try:
        job = queue.add(QuantizeSpec(source=tmp_path / "a.gguf", output=tmp_path / "a.Q8_0.gguf", quant_type="Q8_0"))
        assert job.title == "Quantize a.gguf → Q8_0" and title_text(job) == "a.gguf → Q8_0 quantisieren"
        assert queue.claim_next(runner="test") is not None
        line = '{"event": "progress", "stage": "load", "fraction": 0.1, "message": "loading a.gguf", ' \
               '"message_data": {"template": "loading {name}", "args": {"name": "a.gguf"}}}'  # fmt: skip
        event = parse_event(line)
        assert event is not None
        queue.update_progress(job.id, stage=event.stage, fraction=event.fraction, message=event.message_text)
        running = queue.get(job.id)
        assert running.message == "loading a.gguf" and stage_text(running) == "laden · lädt a.gguf"
        failed = queue.finish(job.id, JobState.FAILED, error=Message("interrupted: Modelwerk closed while it ran"))
        assert failed.error == "interrupted: Modelwerk closed while it ran"  # what `modelwerk jobs` prints
        assert stage_text(failed) == "unterbrochen: Modelwerk wurde währenddessen geschlossen"
        hostile = parse_event('{"event": "progress", "message": "plain", "message_data": {"template": 5}}')
        assert hostile is not None and hostile.message_text == "plain"  # damaged data: the English text
    finally:
        queue.close()


def test_the_shields_flag_reasons_are_german_and_survive_storage(german: None) -> None:
    from app.shield import flags as shield_flags
    from app.shield.scan import scan_text
    from app.ui.common.messages import text

    found = [f for f in scan_text("Hallo\u200b\u200bWelt, ganz harmlos.") if f.said is not None]
    assert found and str(found[0].said) == found[0].reason == "2 invisible characters (zero-width space)"
    stored = shield_flags.loads(shield_flags.dumps(found))
    assert stored == tuple(found) and stored[0].said == found[0].said  # the message is kept beside the English text
    summary = shield_flags.flag_summary(stored, render=text)
    assert summary == "2 unsichtbare Zeichen (zero-width space)"
    assert shield_flags.flag_summary(stored) == "2 invisible characters (zero-width space)"  # the command line's


def test_the_documents_toolbar_wraps_rather_than_cut_its_german_buttons(styled: None, window: MainWindow,
                                                                         qtbot: QtBot) -> None:  # fmt: skip
    page = window.documents_page
    window.resize(1280, 800)
    window.show_page(page)
    qtbot.waitUntil(page.isVisible)
    qtbot.wait(100)  # the posted layout passes
    buttons = [page.add_files_button, page.add_folder_button, page.watched.button, page.rescan_button,
               page.vectors.button, page.selftest_view.button]  # fmt: skip
    assert buttons[0].text() == "Dateien hinzufügen…"
    for b in buttons:  # each as wide as its label needs: none is squeezed and cut ("teien hinzufüge")
        assert b.width() >= b.sizeHint().width(), b.text()
    header = page.files.horizontalHeader()
    for column in range(4):  # the file table's fixed-width headings are not cut ("Seiten")
        assert header.sectionSize(column) >= header.sectionSizeHint(column), page.files_model.headerData(
            column, Qt.Orientation.Horizontal)  # fmt: skip
