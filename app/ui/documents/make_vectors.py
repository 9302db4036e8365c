"""The Documents page's "Make vectors" button: it finds the selected collection's embedding model (its own, else the
offline default, which the main window prepares on the Jobs page when it is missing), runs an ``EmbedThread`` with it,
says its progress, and says afterwards whether the collection's language suits the model. Pressed again while it runs, it
stops the run (the vectors written so far are kept)."""

from __future__ import annotations

import logging
from pathlib import Path

from PySide6.QtCore import QObject, Signal
from PySide6.QtWidgets import QPushButton, QWidget

from app.documents.store import DocumentStore
from app.ui.common.format import number
from app.ui.common.i18n import translate
from app.ui.documents.page_context import PageContext
from app.ui.documents.vectors_thread import EmbedOutcome, EmbedThread

log = logging.getLogger(__name__)
STOP_WAIT_MS = 10_000


class VectorsMaker(QObject):
    """The button and the run it starts for the collection ``selected()`` names.

    Signals:
        status_message(text, ms): a line for the status bar.
        default_embedder_wanted(): the default embedding model is not prepared yet.
        ended(): a run ended (the collection's listing is worth reading again).
    """

    status_message = Signal(str, int)
    default_embedder_wanted = Signal()
    ended = Signal()

    def __init__(self, context: PageContext, parent: QWidget) -> None:
        super().__init__(parent)
        self.context = context
        self.calls, self.banner = context.calls, context.banner
        self.embedding: EmbedThread | None = None
        """The run making vectors now, if any."""
        self.button = QPushButton(translate("Documents", "Make vectors"))
        self.button.setToolTip(translate("Documents", "Give every passage a vector with an embedding model (the "
                                                      "collection's, else the offline default all-MiniLM-L6-v2, "
                                                      "English): search and the self-test then use hybrid "
                                                      "retrieval, BM25 and vectors together"))  # fmt: skip
        self.button.clicked.connect(self._on_button_clicked)

    def running(self) -> bool:
        return self.embedding is not None

    def shutdown(self) -> None:
        """Stop a run and wait for it (at most ``STOP_WAIT_MS``)."""
        if self.embedding is not None:
            self.embedding.stop()
            if not self.embedding.wait(STOP_WAIT_MS):
                log.warning("making vectors did not stop within %d ms", STOP_WAIT_MS)

    def _on_button_clicked(self) -> None:
        if self.embedding is not None:
            self.embedding.stop()
            self.button.setText(translate("Documents", "Stopping…"))
            return
        info = self.context.with_passages()
        if info is None:
            return
        cid = info.id

        def model(store: DocumentStore) -> tuple[int, Path]:
            """The collection's embedder when its file is there, else where the default one is (or will be)."""
            from app import paths
            from app.documents.embedder import default_embedder_path
            from app.documents.vectors import VectorIndex
            from app.settings import load_settings
            from app.store import Store

            record = VectorIndex(store).embedder_of(cid)
            if record is not None and Path(record.location).is_file():
                return cid, Path(record.location)
            with Store.open(paths.database_path()) as settings_store:
                return cid, default_embedder_path(load_settings(settings_store).models_dir)

        self.calls(model, self._on_embedder_found, what="finding the collection's embedding model")

    def _on_embedder_found(self, result: tuple[int, Path]) -> None:
        from app.documents.embedder import DEFAULT_NAME

        cid, model = result
        if not model.is_file():
            self.default_embedder_wanted.emit()
            self.banner.add(translate("Documents", "Preparing the default embedding model {name} (a conversion on the Jobs "
                                                   "page, once); press Make vectors again when it is done.").format(
                name=DEFAULT_NAME))  # fmt: skip
            return
        thread = EmbedThread(self.calls.db_path, cid, model)
        thread.progressed.connect(self._on_embedding_progressed)
        thread.ended.connect(self._on_embedding_ended)
        self.embedding = thread
        self.button.setText(translate("Documents", "Stop vectors"))
        self.status_message.emit(translate("Documents", "Making vectors with {name}…").format(name=model.name), 0)
        thread.start()

    def _on_embedding_progressed(self, done_total: tuple[int, int]) -> None:
        done, total = done_total
        self.status_message.emit(translate("Documents", "Making vectors: {done} of {total} passages").format(
            done=number(done), total=number(total)), 0)  # fmt: skip

    def _on_embedding_ended(self, outcome: EmbedOutcome) -> None:
        if self.embedding is not None:
            self.embedding.wait()
        self.embedding = None
        self.button.setText(translate("Documents", "Make vectors"))
        if outcome.error:
            self.banner.add(outcome.error, kind="error")
        else:
            if outcome.stopped:
                text = translate("Documents", "Vectors stopped after {count} passages with {embedder}; search uses BM25 "
                                              "and vectors together")  # fmt: skip
            else:
                text = translate("Documents", "Vectors made {count} passages with {embedder}; search uses BM25 and vectors "
                                              "together")  # fmt: skip
            self.status_message.emit(text.format(count=number(outcome.written), embedder=outcome.embedder), 10_000)
            if outcome.advice:
                self.banner.add(outcome.advice)
        self.ended.emit()
