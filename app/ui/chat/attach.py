"""The composer's documents control: attach a collection of the Documents page, or single files, to a conversation,
choose how its sources are used, see what is attached (a chip) and detach it.

The collections are read from documents.db in the pool each time the menu opens (the Documents page may have added or
deleted one meanwhile); the menu shows the last list at once and is rebuilt when the new one arrives. The chip says
"deleted" when the attached collection is gone. Single files are indexed (in the pool) into the collection
"Chat files", which the Documents page lists like any other, and attached as those files of it.
"""

from __future__ import annotations

import dataclasses
import logging
from dataclasses import dataclass
from pathlib import Path

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QAction, QActionGroup
from PySide6.QtWidgets import QFileDialog, QHBoxLayout, QLabel, QMenu, QToolButton, QWidget

from app.chat.attachments import SEARCH_NAMES, Attachment
from app.documents.indexing import add_files, index_pending
from app.documents.store import CollectionInfo, DocumentStore
from app.ui.common.i18n import QT_TRANSLATE_NOOP, translate
from app.ui.common.safe_text import plain_tooltip
from app.ui.common.tasks import TaskGroup

log = logging.getLogger(__name__)

FILES_COLLECTION = "Chat files"
"""Where files attached to a chat one by one are indexed."""
SOURCE_LABELS = {
    "auto": QT_TRANSLATE_NOOP("Chat", "Auto: whole documents when they fit, else retrieval"),
    "retrieval": QT_TRANSLATE_NOOP("Chat", "Retrieved passages"),
    "whole": QT_TRANSLATE_NOOP("Chat", "Whole documents"),
}


@dataclass(frozen=True)
class Listed:
    """A collection as the menu offers it, with the way it is searched ("hybrid", "BM25", "hybrid, reranked")."""

    info: CollectionInfo
    search: str


def read_collections(db_path: Path) -> list[Listed]:
    """The collections of documents.db with how each is searched (pool thread: it opens its own connection)."""
    from app.documents.rerank import reranker_of
    from app.search import default_search

    with DocumentStore.open(db_path) as store:
        listed = []
        for info in store.collections():
            mode = default_search(store, info.id).value if info.passages else "bm25"
            reranked = f", {SEARCH_NAMES['rerank']}" if reranker_of(store, info.id) is not None else ""
            listed.append(Listed(info, SEARCH_NAMES.get(mode, mode) + reranked))
        return listed


@dataclass(frozen=True)
class Indexed:
    """Single files indexed for a chat: the collection, the files now in it, and a line per file that failed."""

    collection_id: int
    files: tuple[str, ...]
    failed: tuple[str, ...]


def index_files(db_path: Path, paths: list[Path]) -> Indexed:
    """Add ``paths`` to the chat files collection and index what is pending there (pool thread).

    Raises:
        DocumentError: a missing path, or no file that could be read.
    """
    with DocumentStore.open(db_path) as store:
        cid, files = add_files(store, FILES_COLLECTION, paths)
        report = index_pending(store, cid)
    failed = {r.path: r.error for r in report.failed}
    return Indexed(cid, tuple(str(f) for f in files if f not in failed),
                   tuple(f"{p.name}: {e}" for p, e in failed.items() if p in files))  # fmt: skip


class AttachBar(QWidget):
    """The "📎 Documents" button with its menu, and the chip of what is attached with its detach button.

    Signals:
        attachment_changed(attachment or None): the user attached, changed or detached (the pane saves it).
    """

    attachment_changed = Signal(object)

    def __init__(self, db_path: Path, attachment: Attachment | None, *, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.db_path = db_path
        self.attachment = attachment
        self.tasks = TaskGroup(self)  # its own: a read that ends after the tab closed goes nowhere
        self.listed: list[Listed] | None = None
        """The collections as last read; None before the first read."""
        self.reading = False

        self.button = QToolButton()
        self.button.setObjectName("attach-documents")
        self.button.setText("📎 " + translate("Chat", "Documents"))
        self.button.setToolTip(translate("Chat", "Answer from a collection of your documents (made on the Documents page)"))
        self.button.setPopupMode(QToolButton.ToolButtonPopupMode.InstantPopup)
        self.menu = QMenu(self.button)
        self.button.setMenu(self.menu)
        self.chip = QLabel()
        self.chip.setObjectName("attachment-chip")
        self.chip.setTextFormat(Qt.TextFormat.PlainText)  # a collection's name is the user's text
        self.detach_button = QToolButton()
        self.detach_button.setText("✕")
        self.detach_button.setAutoRaise(True)
        self.detach_button.setToolTip(translate("Chat", "Detach: the next answers are a plain chat again"))
        self.status = QLabel()
        self.status.setObjectName("muted")
        self.status.setTextFormat(Qt.TextFormat.PlainText)
        layout = QHBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.button)
        layout.addWidget(self.chip)
        layout.addWidget(self.detach_button)
        layout.addWidget(self.status, 1)

        self.menu.aboutToShow.connect(self._on_menu_about_to_show)
        self.detach_button.clicked.connect(self.detach)
        self._build_menu()
        self._show_chip()
        if attachment is not None:
            self.refresh()  # is it still there, and how is it searched?

    # -- state ---------------------------------------------------------------------------------------------------------

    def listed_collection(self) -> Listed | None:
        """The attached collection as last read (None: nothing attached, not read yet, or deleted)."""
        if self.attachment is None or self.listed is None:
            return None
        return next((c for c in self.listed if c.info.id == self.attachment.collection_id), None)

    def deleted(self) -> bool:
        return self.attachment is not None and self.listed is not None and self.listed_collection() is None

    def refresh(self) -> None:
        """Read the collections again (in the pool); the menu and the chip follow."""
        if self.reading:
            return
        self.reading = True
        path = self.db_path
        self.tasks.start(lambda: read_collections(path), self._on_collections_read, self._on_collections_failed,
                         what="reading the document collections")  # fmt: skip

    def attach(self, collection_id: int, name: str) -> None:
        """Attach a collection (its sources choice kept when another replaces it)."""
        sources = self.attachment.sources if self.attachment is not None else "auto"
        self._set(Attachment(collection_id, name, sources))

    def set_exclude_flagged(self, exclude: bool) -> None:
        if self.attachment is not None and self.attachment.exclude_flagged != exclude:
            self._set(dataclasses.replace(self.attachment, exclude_flagged=exclude))

    def set_sources(self, sources: str) -> None:
        if self.attachment is not None and self.attachment.sources != sources:
            self._set(dataclasses.replace(self.attachment, sources=sources))

    def attach_files(self, paths: list[Path]) -> None:
        """Index ``paths`` (in the pool) and attach them, beside the single files attached already."""
        if not paths:
            return
        count = len(paths)
        self.status.setText(translate("Chat", "Reading %n file(s)…", None, count))
        path = self.db_path
        self.tasks.start(lambda: index_files(path, paths), self._on_files_indexed, self._on_files_failed,
                         what="indexing files for a chat")  # fmt: skip

    def _on_files_indexed(self, indexed: Indexed) -> None:
        self.status.setText("; ".join(indexed.failed))
        if not indexed.files:
            return
        current = self.attachment
        kept = current.files if current is not None and current.collection_id == indexed.collection_id else ()
        files = tuple(dict.fromkeys(kept + indexed.files))
        sources = current.sources if current is not None else "auto"
        self._set(Attachment(indexed.collection_id, FILES_COLLECTION, sources, files))
        self.refresh()

    def _on_files_failed(self, message: str) -> None:
        self.status.setText(message)

    def _on_attach_files_triggered(self) -> None:
        names, _ = QFileDialog.getOpenFileNames(self, translate("Chat", "Attach files to this chat"), "", translate(
            "Chat", "Documents (*.pdf *.docx *.md *.markdown *.txt *.html *.htm);;All files (*)"))  # fmt: skip
        self.attach_files([Path(n) for n in names])

    def detach(self) -> None:
        if self.attachment is not None:
            self._set(None)

    def _set(self, attachment: Attachment | None) -> None:
        self.attachment = attachment
        self._build_menu()
        self._show_chip()
        self.attachment_changed.emit(attachment)

    # -- the menu and the chip -----------------------------------------------------------------------------------------

    def _on_menu_about_to_show(self) -> None:
        self._build_menu()
        self.refresh()

    def _on_collections_read(self, listed: list[Listed]) -> None:
        self.reading = False
        self.listed = listed
        current = self.listed_collection()
        if current is not None and self.attachment is not None and current.info.name != self.attachment.collection:
            self._set(dataclasses.replace(self.attachment, collection=current.info.name))  # renamed meanwhile
        self._build_menu()
        self._show_chip()

    def _on_collections_failed(self, message: str) -> None:
        self.reading = False
        self.status.setText(translate("Chat", "Cannot read the document collections: {error}").format(error=message))

    def _build_menu(self) -> None:
        self.menu.clear()
        self.menu.addSection(translate("Chat", "Answer from a collection"))
        if self.listed is None:
            self.menu.addAction(translate("Chat", "Reading the collections…")).setEnabled(False)
        elif not self.listed:
            self.menu.addAction(translate("Chat", "No collections yet: make one on the Documents page")).setEnabled(False)
        attached = self.attachment.collection_id if self.attachment is not None else None
        for c in self.listed or []:
            indexed = c.info.indexed
            files = translate("Chat", "%n file(s)", None, indexed)
            name = c.info.name.replace("&", "&&")  # a menu reads "&" as a shortcut mark
            action = QAction(f"{name} — {files} · {c.search}", self.menu)
            action.setCheckable(True)
            action.setChecked(c.info.id == attached)
            action.setData(c.info.id)
            if not c.info.passages:
                action.setText(translate("Chat", "{name} — nothing indexed yet").format(name=name))
                action.setEnabled(False)
            action.triggered.connect(lambda _checked=False, i=c.info.id, n=c.info.name: self.attach(i, n))
            self.menu.addAction(action)
        self.menu.addAction(translate("Chat", "Attach files…"), self._on_attach_files_triggered)
        self.menu.addSection(translate("Chat", "Sources"))
        group = QActionGroup(self.menu)
        for value, label in SOURCE_LABELS.items():
            action = QAction(translate("Chat", label), self.menu)
            action.setCheckable(True)
            action.setData(value)
            action.setChecked(self.attachment is not None and self.attachment.sources == value)
            action.setEnabled(self.attachment is not None)
            action.triggered.connect(lambda _checked=False, v=value: self.set_sources(v))
            group.addAction(action)
            self.menu.addAction(action)
        self.menu.addSeparator()
        exclude = self.menu.addAction(translate("Chat", "Leave out passages the shield flagged"))
        exclude.setCheckable(True)
        exclude.setChecked(self.attachment is not None and self.attachment.exclude_flagged)
        exclude.setEnabled(self.attachment is not None)
        exclude.setToolTip(translate("Chat", "Passages with instruction-like, hidden or encoded text (marked ⚠ on the "
                                             "Documents page) are not given to the model"))  # fmt: skip
        exclude.toggled.connect(self.set_exclude_flagged)
        detach = self.menu.addAction(translate("Chat", "Detach"), self.detach)
        detach.setEnabled(self.attachment is not None)

    def chip_text(self) -> str:
        a = self.attachment
        if a is None:
            return ""
        if self.deleted():
            return f"📎 {a.collection} · " + translate("Chat", "deleted")
        listed = self.listed_collection()
        what = a.collection
        if a.files:
            count = len(a.files)
            what = Path(a.files[0]).name if count == 1 else translate("Chat", "%n file(s)", None, count)
        parts = [f"📎 {what}"] + ([listed.search] if listed is not None else []) + [a.sources]
        parts += [translate("Chat", "without flagged")] if a.exclude_flagged else []
        return " · ".join(parts)

    def _show_chip(self) -> None:
        attached = self.attachment is not None
        self.chip.setVisible(attached)
        self.detach_button.setVisible(attached)
        self.chip.setText(self.chip_text())
        self.chip.setProperty("error", self.deleted())
        tip = translate("Chat", "Answers come from this collection's documents")
        if self.attachment is not None and self.attachment.files:
            names = ", ".join(Path(f).name for f in self.attachment.files)
            tip = translate("Chat", "Answers come from {names}").format(names=names)
        if self.deleted():
            tip = translate("Chat", "This collection was deleted on the Documents page: detach it or attach another")
        self.chip.setToolTip(plain_tooltip(tip))
