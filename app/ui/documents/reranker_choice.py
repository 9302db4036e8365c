"""The Documents page's "Reranker…" button: which GGUF reranker, if any, reorders the selected collection's search.

The choice is the Library's reranker models (read from their GGUF headers in the pool: pooling "rank" or a
classification head), a GGUF file chosen by hand, or none; it is checked and saved in the pool too, so neither the
headers nor documents.db are read on the GUI thread. The button says the collection's reranker. Search, the self-test
and chats then rerank with it where they already run (``app.search.open_retriever``).
"""

from __future__ import annotations

import enum
from dataclasses import dataclass
from pathlib import Path

from PySide6.QtCore import QObject, Signal
from PySide6.QtWidgets import QFileDialog, QInputDialog, QPushButton, QWidget

from app.documents.rerank import RerankerChoice, choose_reranker, reranker_of
from app.documents.store import CollectionInfo, DocumentStore
from app.ui.common.i18n import translate
from app.ui.common.safe_text import plain_tooltip
from app.ui.common.tasks import TaskGroup
from app.ui.documents.page_context import StoreCalls


class Other(enum.Enum):
    """What the list offers besides the models."""

    NONE = "none"
    FILE = "file"


@dataclass(frozen=True)
class Offers:
    collection_id: int
    current: RerankerChoice | None
    models: list[RerankerChoice]


def library_rerankers() -> list[RerankerChoice]:
    """The Library's GGUF models whose header says they rerank (pool thread: reads the catalog and the headers)."""
    from app import paths
    from app.chat.reranking import is_reranker
    from app.library.catalog import Catalog
    from app.store import Store
    from formats.gguf import gguf_header
    from formats.model import ModelFileError, ModelFormat

    with Store.open(paths.database_path()) as store:
        entries = Catalog(store).entries()
    found = []
    for e in entries:
        if e.format is not ModelFormat.GGUF or e.missing or not e.path.is_file():
            continue
        try:
            if is_reranker(gguf_header(e.path)):
                found.append(RerankerChoice(e.name, e.path))
        except (ModelFileError, OSError):
            continue
    return found


def pick(parent: QWidget, offers: Offers) -> RerankerChoice | Other | None:
    """The user's choice (tests replace it); None when cancelled."""
    labels = [translate("Documents", "None (the search's own order)")]
    labels += [f"{m.name} — {m.location.name}" for m in offers.models]
    labels.append(translate("Documents", "Choose a GGUF file…"))
    current = 0 if offers.current is None else next(
        (i + 1 for i, m in enumerate(offers.models) if m.location == offers.current.location), 0)  # fmt: skip
    text = translate("Documents", "A reranker reads the question with each of the first {depth} hits and puts them in "
                                  "its order: better answers, a model run per hit. The Library's rerankers:")  # fmt: skip
    if not offers.models:
        text = translate("Documents", "The Library has no reranker yet: download a bge-reranker-v2-m3 GGUF from "
                                      "Discover, or choose a GGUF file.")  # fmt: skip
    from app.documents.rerank import RERANK_DEPTH

    label, ok = QInputDialog.getItem(parent, translate("Documents", "Reranker"), text.format(depth=RERANK_DEPTH), labels,
                                     current, False)  # fmt: skip
    if not ok:
        return None
    index = labels.index(label)
    if index == 0:
        return Other.NONE
    if index == len(labels) - 1:
        return Other.FILE
    return offers.models[index - 1]


def pick_file(parent: QWidget) -> Path | None:
    """A GGUF file chosen by hand (tests replace it); None when cancelled."""
    name, _ = QFileDialog.getOpenFileName(parent, translate("Documents", "Choose a GGUF reranker"), "",
                                          translate("Documents", "GGUF models (*.gguf)"))  # fmt: skip
    return Path(name) if name else None


class RerankerChooser(QObject):
    """The button and what it does for the collection the page shows."""

    chosen = Signal(str)
    """A line for the status bar: the collection's new reranker."""
    failed = Signal(str)
    """One line: the file is no reranker, or reading failed."""

    def __init__(self, db_path: Path, tasks: TaskGroup, parent: QWidget) -> None:
        super().__init__(parent)
        self.db_path = db_path
        self.tasks = tasks
        self._db = StoreCalls(db_path, tasks, on_error=self.failed.emit)
        self.page = parent
        self.collection: CollectionInfo | None = None
        self.current: RerankerChoice | None = None
        self.button = QPushButton(translate("Documents", "Reranker…"))
        self.button.setObjectName("reranker-button")
        self.button.clicked.connect(self._on_button_clicked)
        self._show()

    def show_collection(self, info: CollectionInfo | None) -> None:
        """Say the reranker of ``info`` (read in the pool)."""
        self.collection = info
        if info is None:
            self.current = None
            self._show()
            return
        cid = info.id
        self._db(lambda store: (cid, reranker_of(store, cid)), self._on_current_read, what="reading the reranker")

    def _on_current_read(self, result: tuple[int, RerankerChoice | None]) -> None:
        cid, choice = result
        if self.collection is not None and self.collection.id == cid:
            self.current = choice
            self._show()

    def _show(self) -> None:
        if self.current is None:
            self.button.setText(translate("Documents", "Reranker…"))
            self.button.setToolTip(translate("Documents", "Choose a GGUF reranker (bge-reranker-v2-m3, jina-reranker, "
                                                          "Qwen3-Reranker) that puts this collection's search hits in a "
                                                          "better order for search and chats"))  # fmt: skip
        else:
            self.button.setText(translate("Documents", "Reranker: {name}").format(name=self.current.name))
            self.button.setToolTip(plain_tooltip(translate("Documents", "Search and chats of this collection are reranked "
                                                                        "by {name} ({path})").format(
                name=self.current.name, path=str(self.current.location))))  # fmt: skip

    def _on_button_clicked(self) -> None:
        info = self.collection
        if info is None:
            return
        cid, current = info.id, self.current
        self.tasks.start(lambda: Offers(cid, current, library_rerankers()), self._on_offers_read, self.failed.emit,
                         what="finding the Library's rerankers")  # fmt: skip

    def _on_offers_read(self, offers: Offers) -> None:
        if self.collection is None or self.collection.id != offers.collection_id:
            return
        picked = pick(self.page, offers)
        if picked is None:
            return
        path: Path | None = None
        if picked is Other.FILE:
            path = pick_file(self.page)
            if path is None:
                return
        elif isinstance(picked, RerankerChoice):
            path = picked.location
        cid = offers.collection_id

        def save(store: DocumentStore) -> tuple[int, RerankerChoice | None]:
            from app.chat.reranking import read_reranker

            choice = None
            if path is not None:
                model = read_reranker(path)  # RerankFailed (one line): no reranker, nothing saved
                choice = RerankerChoice(model.name, model.path.absolute())
            choose_reranker(store, cid, choice)
            return cid, choice

        self._db(save, self._on_saved, what="choosing the reranker")

    def _on_saved(self, result: tuple[int, RerankerChoice | None]) -> None:
        self._on_current_read(result)
        cid, choice = result
        if self.collection is None or self.collection.id != cid:
            return
        if choice is None:
            self.chosen.emit(translate("Documents", "{collection}: search without a reranker").format(
                collection=self.collection.name))  # fmt: skip
        else:
            self.chosen.emit(translate("Documents", "{collection}: search is reranked by {name}").format(
                collection=self.collection.name, name=choice.name))  # fmt: skip
