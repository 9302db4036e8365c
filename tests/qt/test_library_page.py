"""The Library page as a user sees it: drops, the detail panel, filters, delete, the calculator, background upkeep."""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from fixtures.hardware_reports import cpu_only, desktop_24gb
from fixtures.header_models import MODELS, write_fake_gguf
from fixtures.tiny_gguf import write_tiny_gguf
from PySide6.QtCore import QCoreApplication, QEvent, QMimeData, QPoint, QPointF, Qt, QThreadPool, QUrl
from PySide6.QtGui import QDesktopServices, QDragEnterEvent, QDropEvent
from PySide6.QtWidgets import QApplication, QDialog, QFileDialog, QMessageBox, QStatusBar, QWidget
from pytestqt.qtbot import QtBot

from app import paths
from app.library import importer
from app.library.catalog import Catalog
from app.settings import Settings, load_settings
from app.store import Store
from app.ui.common.status_rows import ProgressRow
from app.ui.library import import_dialog
from app.ui.library.catalog_model import Column, FitFilter, LibraryModel
from app.ui.library.page import LibraryPage
from app.ui.main_window import MainWindow
from formats.inspect import inspect
from formats.model import ModelFormat
from hardware.fit import FitOptions

PageWith = Callable[[list[Path]], LibraryPage]
TEMPLATE = "{% for m in messages %}<|{{ m.role }}|>{{ m.content }}{% endfor %}"


@pytest.fixture
def accept_import_dialog(monkeypatch: pytest.MonkeyPatch) -> list[import_dialog.ImportDialog]:
    """The copy / move / keep dialog answers with its preselected choice; the dialogs shown are collected."""
    shown: list[import_dialog.ImportDialog] = []

    def fake_exec(dialog: import_dialog.ImportDialog) -> int:
        shown.append(dialog)
        return QDialog.DialogCode.Accepted.value

    monkeypatch.setattr(import_dialog.ImportDialog, "exec", fake_exec)
    return shown


@pytest.fixture
def window(qtbot: QtBot, accept_import_dialog: list[object]) -> Iterator[MainWindow]:
    delete_closed_widgets()
    w = MainWindow(Settings(), report=cpu_only())
    qtbot.addWidget(w)
    w.show()
    w.show_page(w.library_page)
    yield w
    dispose(w)


@pytest.fixture
def models(tmp_path: Path) -> dict[str, Path]:
    folder = tmp_path / "downloads"
    return {
        "tiny": write_tiny_gguf(folder / "tiny-chat.gguf", chat_template=TEMPLATE, name="tiny-chat"),
        "wide": write_tiny_gguf(folder / "wide-f16.gguf", hidden=128, dtype="f16", seed=1),
        "deep": write_tiny_gguf(folder / "deep.gguf", layers=6, seed=2),
    }


def delete_closed_widgets() -> None:
    """Run pending deleteLater()s now, on the GUI thread: a widget an earlier test left to the garbage collector could
    otherwise be destroyed by a pool thread that happens to collect it (Qt crashes on that)."""
    QCoreApplication.sendPostedEvents(None, QEvent.Type.DeferredDelete)


def dispose(widget: QWidget) -> None:
    widget.close()
    widget.deleteLater()
    delete_closed_widgets()


def drop(target: QWidget, *files: Path) -> None:
    """What a file manager does: drag enter, then drop, with file URLs."""
    mime = QMimeData()
    mime.setUrls([QUrl.fromLocalFile(str(f)) for f in files])
    action = Qt.DropAction.CopyAction
    try:  # PySide6 6.12 takes a QPointF, 6.11 and older a QPoint
        enter = QDragEnterEvent(QPointF(50, 50), action, mime, Qt.MouseButton.LeftButton, Qt.KeyboardModifier.NoModifier)
    except TypeError:
        enter = QDragEnterEvent(QPoint(50, 50), action, mime, Qt.MouseButton.LeftButton, Qt.KeyboardModifier.NoModifier)
    QApplication.sendEvent(target, enter)
    assert enter.isAccepted()
    event = QDropEvent(QPointF(50, 50), action, mime, Qt.MouseButton.LeftButton, Qt.KeyboardModifier.NoModifier)
    QApplication.sendEvent(target, event)
    assert event.isAccepted()


def settle(qtbot: QtBot, page: LibraryPage) -> None:
    qtbot.waitUntil(lambda: not page.busy(), timeout=15_000)


def test_dropping_a_file_copies_registers_and_shows_it(
    qtbot: QtBot, window: MainWindow, models: dict[str, Path], accept_import_dialog: list[object]
) -> None:
    page = window.library_page
    window.show_page(window.hardware_page)
    drop(page.table.viewport(), models["tiny"])  # from the table up to the window, as Qt routes a real drop
    qtbot.waitUntil(lambda: len(accept_import_dialog) == 1, timeout=5000)  # asked copy / move / keep once, after the drop
    assert window.pages.currentWidget() is page  # a drop shows the Library
    details = page.details
    qtbot.waitUntil(lambda: details.entry() is not None and details.field("Tokenizer").startswith("llama"), timeout=10_000)
    settle(qtbot, page)
    copied = Settings().models_dir / "tiny-chat.gguf"
    assert copied.read_bytes() == models["tiny"].read_bytes() and models["tiny"].exists()
    assert details.title.text().replace("&#8203;", "") == "tiny-chat"
    assert details.field("Architecture") == "llama"
    assert details.field("Layers") == "2 · embedding 64"
    assert details.field("Heads") == "4 · 4 KV · dim 16"
    assert details.field("BOS / EOS") == "<s> / </s>"
    assert details.field("Source") == "imported"
    assert details.template.toPlainText() == TEMPLATE
    assert details.tensors.topLevelItem(0).text(0) == "F32"
    assert "CPU only" in details.verdict.text()
    # The hash arrives in the background and is stored.
    digest = hashlib.sha256(copied.read_bytes()).hexdigest()
    qtbot.waitUntil(lambda: details.field("SHA-256") == digest, timeout=10_000)
    with Store.open(paths.database_path()) as store:
        [entry] = Catalog(store).entries()
    assert entry.sha256 == digest and entry.path == copied.resolve()
    with Store.open(paths.database_path()) as store:  # the choice is a setting now (app.settings), not in ui.ini
        assert import_dialog.remembered_mode(store) is importer.ImportMode.COPY
        assert load_settings(store).import_ask  # the dialog's "don't ask again" was left unticked
    assert page.model.data(page.model.index(0, Column.FITS)) == "CPU only"


def test_dropping_a_corrupt_file_shows_why_and_registers_nothing(qtbot: QtBot, window: MainWindow, tmp_path: Path) -> None:
    bad = tmp_path / "broken.gguf"
    bad.write_bytes(b"GGUF\x03\x00\x00\x00" + b"\xff" * 40)
    page = window.library_page
    drop(window, bad)
    qtbot.waitUntil(lambda: bool(page.banner.messages()), timeout=10_000)
    settle(qtbot, page)
    [message] = page.banner.messages()
    assert message.startswith("Not imported: broken.gguf: ") and "keys cannot fit" in message
    assert page.banner.isVisible()
    assert page.banner.property("kind") == "error"
    assert page.model.rowCount() == 0
    assert not [p for p in Settings().models_dir.iterdir() if p.is_file()]
    with Store.open(paths.database_path()) as store:
        assert Catalog(store).entries() == []


def test_a_duplicate_is_recognised_and_selected(qtbot: QtBot, window: MainWindow, models: dict[str, Path]) -> None:
    page = window.library_page
    page.import_paths([models["tiny"]], mode=importer.ImportMode.IN_PLACE)
    qtbot.waitUntil(lambda: page.model.rowCount() == 1, timeout=10_000)
    settle(qtbot, page)
    page.import_paths([models["tiny"]], mode=importer.ImportMode.COPY)
    qtbot.waitUntil(lambda: bool(page.banner.messages()), timeout=10_000)
    settle(qtbot, page)
    assert page.banner.messages() == ["tiny-chat.gguf is already in the library as tiny-chat"]
    assert page.model.rowCount() == 1
    entry = page.details.entry()
    assert entry is not None and entry.path == models["tiny"].resolve()


@pytest.fixture
def page_with(qtbot: QtBot) -> Iterator[Callable[[list[Path]], LibraryPage]]:
    """A Library page on its own, over a catalog holding these files, judged against the 24 GB desktop."""
    delete_closed_widgets()
    store = Store.open(paths.database_path())
    pages: list[LibraryPage] = []

    def make(files: list[Path]) -> LibraryPage:
        catalog = Catalog(store)
        for f in files:
            entry = catalog.add(inspect(f), source="imported")
            catalog.set_sha256(entry.id, hashlib.sha256(f.name.encode()).hexdigest())  # no hashing sparse gigabytes
        page = LibraryPage(catalog, Settings().models_dir, options=FitOptions(context=8192))
        qtbot.addWidget(page)
        pages.append(page)
        page.set_hardware(desktop_24gb())
        page.start()
        page.show()
        qtbot.waitUntil(lambda: page.model.fit(page.model.entry(0).id) is not None, timeout=10_000)
        settle(qtbot, page)
        return page

    yield make
    for page in pages:
        page.shutdown()
    QThreadPool.globalInstance().waitForDone(10_000)
    for page in pages:
        dispose(page)
    store.close()


def _names(page: LibraryPage) -> list[str]:
    return [page.proxy.index(r, Column.NAME).data() for r in range(page.proxy.rowCount())]


def test_filter_and_sort(page_with: PageWith, models: dict[str, Path], tmp_path: Path) -> None:
    big = write_fake_gguf(MODELS[3], tmp_path)  # Llama 3.3 70B: does not fit a 24 GB GPU whole
    page = page_with([*models.values(), big])
    assert page.count.text() == "4 models"
    page.filter.setText("F16")
    assert _names(page) == ["wide-f16"]
    assert page.count.text() == "1 of 4 models"
    page.filter.setText("llama tiny")  # every word must match (architecture and name)
    assert _names(page) == ["tiny-chat"]
    page.filter.clear()
    page.format.setCurrentIndex(page.format.findData(ModelFormat.SAFETENSORS))
    assert _names(page) == []
    page.format.setCurrentIndex(0)
    page.fits.setCurrentIndex(page.fits.findData(FitFilter.DOES_NOT_FIT))
    assert _names(page) == []
    page.fits.setCurrentIndex(page.fits.findData(FitFilter.GPU))
    assert len(_names(page)) == 4  # the 70B runs with some layers on the GPU
    page.table.sortByColumn(Column.SIZE, Qt.SortOrder.DescendingOrder)
    assert _names(page)[0] == "Llama-3.3-70B-Instruct-Q4_K_M"
    page.table.sortByColumn(Column.SIZE, Qt.SortOrder.AscendingOrder)
    by_size = sorted([*models.values(), big], key=lambda p: p.stat().st_size)
    assert _names(page) == [inspect(p).name for p in by_size]
    page.table.sortByColumn(Column.FITS, Qt.SortOrder.AscendingOrder)
    assert _names(page)[-1] == "Llama-3.3-70B-Instruct-Q4_K_M"  # a partial offload after the whole-GPU fits
    assert page.proxy.index(3, Column.FITS).data().endswith("layers on GPU")
    page.table.sortByColumn(Column.NAME, Qt.SortOrder.AscendingOrder)
    assert _names(page) == ["deep", "Llama-3.3-70B-Instruct-Q4_K_M", "tiny-chat", "wide-f16"]


def test_delete_asks_and_can_delete_the_files(
    qtbot: QtBot, window: MainWindow, models: dict[str, Path], monkeypatch: pytest.MonkeyPatch
) -> None:
    page = window.library_page
    page.import_paths([models["tiny"]], mode=importer.ImportMode.COPY)
    qtbot.waitUntil(lambda: page.details.entry() is not None, timeout=10_000)
    settle(qtbot, page)
    copied = Settings().models_dir / "tiny-chat.gguf"
    answers: list[str] = []

    def answer(button: QMessageBox.StandardButton, delete_files: bool):  # type: ignore[no-untyped-def]
        def fake_exec(box: QMessageBox) -> int:
            answers.append(box.text())
            assert box.checkBox().isChecked()  # in the models folder: files go by default, else a scan finds them again
            box.checkBox().setChecked(delete_files)
            box.button(button).click()
            return 0

        return fake_exec

    monkeypatch.setattr(QMessageBox, "exec", answer(QMessageBox.StandardButton.Cancel, True))
    page.details.delete.click()
    settle(qtbot, page)
    assert page.model.rowCount() == 1 and copied.exists()
    monkeypatch.setattr(QMessageBox, "exec", answer(QMessageBox.StandardButton.Yes, True))
    [delete_action] = [a for a in page.table.actions() if a.text() == "Delete…"]  # the row's context menu / Delete key
    delete_action.trigger()
    qtbot.waitUntil(lambda: page.model.rowCount() == 0, timeout=10_000)
    settle(qtbot, page)
    assert answers == ["Remove tiny-chat from the library?"] * 2
    assert not copied.exists() and models["tiny"].exists()
    assert page.details.entry() is None and page.details.stack.currentIndex() == 0


def test_reveal_opens_the_folder_and_a_gguf_can_be_chatted_with_and_quantized(
    qtbot: QtBot, window: MainWindow, models: dict[str, Path], monkeypatch: pytest.MonkeyPatch
) -> None:
    page = window.library_page
    page.import_paths([models["deep"]], mode=importer.ImportMode.IN_PLACE)
    qtbot.waitUntil(lambda: page.details.entry() is not None, timeout=10_000)
    settle(qtbot, page)
    opened: list[QUrl] = []
    monkeypatch.setattr(QDesktopServices, "openUrl", lambda url: opened.append(url) or True)
    page.details.reveal.click()
    assert [u.toLocalFile() for u in opened] == [str(models["deep"].parent.resolve())]
    chat = page.details.chat
    assert chat.isEnabled() and "loads with the settings that fit" in chat.toolTip()  # the Chat page's test clicks it
    assert page.details.quantize.isEnabled()  # a GGUF file: "Quantize…" opens the Jobs page's dialog


def test_the_calculator_takes_a_library_model_or_a_dropped_file(
    qtbot: QtBot, window: MainWindow, models: dict[str, Path]
) -> None:
    page, calc = window.library_page, window.hardware_page.calculator
    page.import_paths([models["deep"]], mode=importer.ImportMode.IN_PLACE)
    qtbot.waitUntil(lambda: calc.library.count() == 2, timeout=10_000)
    settle(qtbot, page)
    assert calc.library.itemText(1) == "deep · F32"
    calc.library.setCurrentIndex(1)
    calc.library.activated.emit(1)
    assert calc.model_size.currentText() == "deep" and not calc.quant.isEnabled()
    assert "deep at F32" in calc.verdict.text()
    calc.model_size.setCurrentText("7B")  # typing a size leaves the library model
    assert calc.library.currentIndex() == 0 and calc.quant.isEnabled()

    window.show_page(window.hardware_page)
    drop(window.hardware_page.widget(), models["wide"])  # sizes the calculator; does not import
    qtbot.waitUntil(lambda: calc.model_size.currentText() == "wide-f16", timeout=10_000)
    assert "wide-f16 at F16" in calc.verdict.text()
    assert "not imported" in calc.source.text()
    assert window.pages.currentWidget() is window.hardware_page
    settle(qtbot, page)
    assert page.model.rowCount() == 1

    drop(window.hardware_page.widget(), models["wide"].with_name("nothing.txt"))
    qtbot.waitUntil(lambda: calc.source.objectName() == "error", timeout=10_000)
    assert "does not exist" in calc.source.text()


def test_a_model_deleted_behind_the_librarys_back_shows_missing(
    qtbot: QtBot, window: MainWindow, models: dict[str, Path]
) -> None:
    page = window.library_page
    page.import_paths([models["tiny"]], mode=importer.ImportMode.COPY)
    qtbot.waitUntil(lambda: page.model.rowCount() == 1, timeout=10_000)
    settle(qtbot, page)
    (Settings().models_dir / "tiny-chat.gguf").unlink()  # the folder watcher notices; a scan marks it
    qtbot.waitUntil(lambda: page.model.data(page.model.index(0, Column.FITS)) == "missing", timeout=10_000)
    assert page.model.data(page.model.index(0, Column.NAME)) == "tiny-chat  (missing)"
    assert page.model.data(page.model.index(0, Column.NAME), Qt.ItemDataRole.ForegroundRole) is not None
    assert "missing from disk" in page.details.warning.text()
    # A model copied into the folder by hand appears by itself.
    write_tiny_gguf(Settings().models_dir / "by-hand.gguf", seed=5)
    qtbot.waitUntil(lambda: page.model.rowCount() == 2, timeout=10_000)
    settle(qtbot, page)
    assert page.model.entry(1).source == "found in the models folder"


def test_cancelling_a_big_copy_leaves_nothing(
    qtbot: QtBot, window: MainWindow, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(importer, "COPY_CHUNK", 1 << 20)
    big = write_fake_gguf(MODELS[0], tmp_path)  # 5 GB, sparse: cancelled after the first MiB
    # The first progress report clicks Cancel (a bound method of the row: it runs on the GUI thread).
    monkeypatch.setattr(ProgressRow, "set_progress", lambda row, done, total: row.cancel.click())
    page = window.library_page
    page.import_paths([big], mode=importer.ImportMode.COPY)
    qtbot.waitUntil(lambda: "cancelled" in window.statusBar().currentMessage(), timeout=20_000)
    settle(qtbot, page)
    assert page.model.rowCount() == 0 and not page.progress.isVisible()
    assert not list(Settings().models_dir.iterdir())


def test_first_start_prepares_the_demo_model(qtbot: QtBot, models: dict[str, Path], monkeypatch: pytest.MonkeyPatch) -> None:
    from app.library import demo

    shown: list[str] = []
    monkeypatch.setattr(QStatusBar, "showMessage", lambda bar, text, timeout=0: shown.append(text))
    monkeypatch.setattr(demo, "demo_installed", lambda: True)
    fake = lambda models_dir, catalog, *, progress=None: catalog.add(inspect(models["tiny"]), source="demo")  # noqa: E731
    monkeypatch.setattr(demo, "ensure_demo_model", fake)
    delete_closed_widgets()
    window = MainWindow(Settings(), report=cpu_only(), demo=True)
    qtbot.addWidget(window)
    qtbot.waitUntil(lambda: window.library_page.details.entry() is not None, timeout=10_000)
    settle(qtbot, window.library_page)
    assert shown[:2] == ["Preparing the demo model…", "The demo model tiny-chat is ready"]
    assert window.library_page.details.field("Source") == "demo"
    dispose(window)


def test_file_menu_and_closing_with_work_pending(qtbot: QtBot, window: MainWindow, models: dict[str, Path]) -> None:
    file_menu = window.menuBar().actions()[0].menu()
    assert [a.text() for a in file_menu.actions() if a.text()] == ["Import files…", "Import folder…", "Settings…", "Quit"]
    window.library_page.import_paths(list(models.values()), mode=importer.ImportMode.COPY)
    window.close()  # cancels and waits: the conftest fails on anything left running
    assert window.store.closed


def test_library_model_passes_qt_model_checks(page_with: PageWith, qtmodeltester: object, models: dict[str, Path]) -> None:
    page = page_with(list(models.values()))
    qtmodeltester.check(page.model)  # type: ignore[attr-defined]
    qtmodeltester.check(page.proxy)  # type: ignore[attr-defined]
    qtmodeltester.check(LibraryModel())  # type: ignore[attr-defined]


def test_dropping_folders_and_an_unsafe_file_registers_each_format(
    qtbot: QtBot, window: MainWindow, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from fixtures.hf_folders import write_gptq_folder, write_llama_folder, write_pickle_like

    hf = write_llama_folder(tmp_path / "TinyLlama-HF")
    gptq = write_gptq_folder(tmp_path / "TinyLlama-GPTQ")
    pickle = write_pickle_like(tmp_path / "old-checkpoint.bin")
    page = window.library_page
    drop(window, hf, gptq, pickle)
    qtbot.waitUntil(lambda: page.model.rowCount() == 3, timeout=15_000)
    settle(qtbot, page)
    assert page.banner.messages() == []
    rows = {e.name: e for e in page.model.entries()}
    assert {e.format for e in rows.values()} == {ModelFormat.SAFETENSORS, ModelFormat.GPTQ, ModelFormat.UNSAFE}
    page.format.setCurrentIndex(page.format.findData(ModelFormat.GPTQ))
    [gptq_name] = _names(page)
    assert page.proxy.index(0, Column.QUANTIZATION).data().startswith("GPTQ 4-bit")
    page.format.setCurrentIndex(page.format.findData(ModelFormat.UNSAFE))
    [unsafe_name] = _names(page)
    page.select(rows[unsafe_name].id)
    qtbot.waitUntil(lambda: "Unsafe format" in page.details.warning.text(), timeout=10_000)
    assert "arbitrary code" in page.details.warning.text()
    assert page.proxy.index(0, Column.FITS).data() == "—"
    page.format.setCurrentIndex(0)
    page.select(rows[gptq_name].id)
    opened: list[QUrl] = []
    monkeypatch.setattr(QDesktopServices, "openUrl", lambda url: opened.append(url) or True)
    page.details.reveal.click()
    assert opened[0].toLocalFile() == str(rows[gptq_name].path)  # a folder model opens itself
    assert rows[gptq_name].path.parent == Settings().models_dir.resolve() and gptq.exists()  # copied


def test_the_import_choice_qsettings_kept_in_ui_ini_becomes_a_setting(qtbot: QtBot, tmp_path: Path) -> None:
    """An older Modelwerk kept the import dialog's choice in ui.ini; the database's first open moves it (migration 8)."""
    from PySide6.QtCore import QSettings

    from app.ui.common.state import ui_state

    state = QSettings(str(paths.data_dir() / "ui.ini"), QSettings.Format.IniFormat)  # as the old import dialog wrote it
    state.setValue("import/mode", importer.ImportMode.MOVE.value)
    state.setValue("import/ask", False)
    state.setValue("window/page", 2)
    state.sync()
    del state
    with Store.open(paths.database_path()) as store:
        settings = load_settings(store)
        assert (settings.import_mode, settings.import_ask) == ("move", False)
        # "Don't ask again" is honoured: no dialog, the remembered mode.
        assert import_dialog.choose_import_mode([tmp_path / "x.gguf"], tmp_path, None, store=store) is importer.ImportMode.MOVE
    assert ui_state().value("window/page", type=int) == 2  # the window's own state stays in ui.ini


@pytest.mark.parametrize("page", ["library", "hardware"])
def test_ctrl_o_opens_the_import_dialog_from_any_page(window: MainWindow, qtbot: QtBot,
                                                      monkeypatch: pytest.MonkeyPatch, page: str) -> None:  # fmt: skip
    # It was defined twice (the Import button's menu and the File menu): Qt called the shortcut ambiguous and did nothing.
    asked: list[str] = []
    monkeypatch.setattr(QFileDialog, "getOpenFileNames", lambda *a, **k: (asked.append("files"), ([], ""))[1])
    window.show_page(window.library_page if page == "library" else window.hardware_page)
    window.activateWindow()
    qtbot.waitUntil(window.isActiveWindow, timeout=5000)
    qtbot.keyClick(window, Qt.Key.Key_O, Qt.KeyboardModifier.ControlModifier)
    qtbot.waitUntil(lambda: asked == ["files"], timeout=5000)
    file_menu = window.menuBar().actions()[0].menu()
    assert window.library_page.import_files_action in file_menu.actions()  # type: ignore[union-attr]
