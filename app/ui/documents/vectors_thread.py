"""Giving a collection's passages vectors off the GUI thread: a QThread with its own DocumentStore running
app.documents.vectors.embed_collection with an embedding model in its own llama-server child (app.chat.embedding),
with progress and stop. Stopping keeps the vectors written so far (64 passages per transaction); the next run makes only
the missing ones."""

from __future__ import annotations

import logging
import threading
from dataclasses import dataclass
from pathlib import Path

from PySide6.QtCore import QThread, Signal

from app.documents.store import DocumentStore
from app.ui.common.errors import error_text

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class EmbedOutcome:
    collection_id: int
    written: int = 0
    embedder: str = ""
    stopped: bool = False
    error: str = ""
    advice: str = ""
    """One line when the collection's language does not suit the embedder (German text, an English-only model)."""


class EmbedThread(QThread):
    """One run of ``embed_collection``; ``progressed((done, total))`` per batch, ``ended(EmbedOutcome)`` once (both
    queued on the GUI thread's receivers)."""

    progressed = Signal(object)
    ended = Signal(object)

    def __init__(self, db_path: Path, collection_id: int, model: Path) -> None:
        super().__init__()
        self.setObjectName(f"documents-vectors-{collection_id}")
        self.db_path = db_path
        self.collection_id = collection_id
        self.model = model
        self._stop = threading.Event()

    def stop(self) -> None:
        self._stop.set()

    def run(self) -> None:
        from app.chat.embedding import LlamaServerEmbedder
        from app.documents.embedder import language_advice
        from app.documents.language import collection_languages
        from app.documents.vectors import EmbedProgress, embed_collection

        def progress(p: EmbedProgress) -> None:
            self.progressed.emit((p.done, p.total))

        outcome = EmbedOutcome(self.collection_id, error="making vectors did not run")
        try:
            with DocumentStore.open(self.db_path) as store, LlamaServerEmbedder(self.model) as embedder:
                written = embed_collection(store, self.collection_id, embedder, progress=progress,
                                           cancelled=self._stop.is_set)  # fmt: skip
                advice = language_advice(embedder.name, collection_languages(store, self.collection_id))
                outcome = EmbedOutcome(self.collection_id, written, embedder.name, self._stop.is_set(), advice=advice)
        except Exception as e:  # one line on the page
            log.info("making vectors for collection %d failed: %s", self.collection_id, e)
            outcome = EmbedOutcome(self.collection_id, stopped=self._stop.is_set(), error=error_text(e))
        finally:
            try:
                self.ended.emit(outcome)
            except RuntimeError:  # the application is gone (quitting)
                log.debug("making vectors ended after the application quit")
