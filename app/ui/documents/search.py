"""The Documents page's search: the query box, the results table (file and heading trail, the snippet with the query's
words in bold, a shield flag with its reason as a tooltip) and the hand-off of the chosen hit to the passage view, which
shows it in place in its file's indexed text. Searching runs in the pool: hybrid once the collection has vectors, else
BM25, reranked when the collection has a reranker (``app.answering.open_retriever``)."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import QModelIndex, QObject, Qt, QTimer, Signal
from PySide6.QtWidgets import QHeaderView, QLineEdit, QPushButton, QTableView, QWidget

from app.documents.retrieval import Hit, query_terms
from app.documents.store import DocumentStore, FileRecord
from app.ui.common.i18n import translate
from app.ui.common.messages import text as message_text
from app.ui.documents.models import HIT_ROLE, ResultsModel
from app.ui.documents.page_context import PageContext
from app.ui.documents.passage_view import PassageView
from app.ui.documents.selftest_view import setup_table
from app.ui.documents.snippet_delegate import SnippetDelegate
from core.messages import Text

SEARCH_K = 20


class Searcher(QObject):
    """The search widgets, which the page lays out, and the searches of the collection ``selected()`` names.

    Signals:
        status_message(text, ms): a line for the status bar (which reranker ordered the hits).
    """

    status_message = Signal(str, int)

    def __init__(self, context: PageContext, parent: QWidget) -> None:
        super().__init__(parent)
        self.calls, self.selected, self.banner = context.calls, context.selected, context.banner
        self._generation = 0
        self._last_query = ""
        self._file_ids: dict[Path, int] = {}
        self.query = QLineEdit()
        self.query.setObjectName("documents-query")
        self.query.setPlaceholderText(translate("Documents", "Search this collection"))
        self.query.setClearButtonEnabled(True)
        self.button = QPushButton(translate("Documents", "Search"))
        self.results_model = ResultsModel(self)  # a Qt child: it outlives its view, whatever the garbage collector does
        self.results = QTableView()
        self.results.setObjectName("documents-results")
        self.results.setModel(self.results_model)
        setup_table(self.results, stretch=2)
        self.results.setWordWrap(True)
        self.results.setTextElideMode(Qt.TextElideMode.ElideMiddle)
        header = self.results.horizontalHeader()
        header.setSectionResizeMode(1, QHeaderView.ResizeMode.Interactive)  # a long heading trail must leave room
        header.resizeSection(1, 200)
        self.snippets = SnippetDelegate(lambda: query_terms(self._last_query), self.results)
        self.results.setItemDelegateForColumn(2, self.snippets)
        header.sectionResized.connect(self._on_results_header_section_resized)
        self.passage = PassageView()
        """The chosen hit in place; the page puts it beside the results."""
        self.query.returnPressed.connect(self.search)
        self.button.clicked.connect(self.search)
        self.results.selectionModel().currentRowChanged.connect(self._on_results_current_row_changed)

    def search(self) -> None:
        """Search the selected collection for what the search box says (BM25)."""
        info = self.selected()
        query = self.query.text().strip()
        if info is None:
            self.banner.add(translate("Documents", "Choose a collection to search."), kind="error")
            return
        if not query:
            self.banner.add(translate("Documents", "Type what to search for."), kind="error")
            return
        self._generation += 1
        generation, cid = self._generation, info.id
        self._last_query = query

        def find(store: DocumentStore) -> tuple[int, list[Hit], dict[Path, int], Text]:
            from app.search import open_retriever

            # Hybrid once the collection has vectors, else BM25; reranked when it has a reranker.
            with open_retriever(store, cid) as retriever:
                hits = retriever.search(query, k=SEARCH_K)
            reranked_by: Text = getattr(retriever, "reranked_said", None) or str(getattr(retriever, "reranked_by", ""))
            return generation, hits, {f.path: f.id for f in store.files(cid)}, reranked_by

        self.calls(find, self._on_search_done, what="searching")

    def clear(self) -> None:
        """No results and no passage (another collection is shown)."""
        self.results_model.set_hits([])
        self.passage.clear()

    def know_files(self, files: list[FileRecord]) -> None:
        """The selected collection's files as just read: a passage is read from the file of its id."""
        self._file_ids = {f.path: f.id for f in files}

    def _on_search_done(self, result: tuple[int, list[Hit], dict[Path, int], Text]) -> None:
        generation, hits, ids, reranked_by = result
        if generation != self._generation:
            return
        if hits and reranked_by:
            how = message_text(reranked_by)
            self.status_message.emit(translate("Documents", "Reranked by {how}").format(how=how), 10_000)
        self._file_ids = ids
        self.results_model.set_hits(hits)
        self.results.resizeRowsToContents()
        self.passage.clear()
        if not hits:
            self.banner.add(translate("Documents", "Nothing in this collection matches {query}.").format(
                query=repr(self._last_query)))  # fmt: skip
        else:
            self.banner.clear()

    def _on_results_header_section_resized(self, section: int, _old: int, _new: int) -> None:
        if section == 2:  # the wrapped snippets' heights follow their column's width (a scroll bar takes some)
            QTimer.singleShot(0, self.results, self.results.resizeRowsToContents)  # dropped if the table is gone

    def _on_results_current_row_changed(self, current: QModelIndex, _previous: QModelIndex) -> None:
        hit = current.data(HIT_ROLE) if current.isValid() else None
        if isinstance(hit, Hit):
            self.show_passage(hit)

    def show_passage(self, hit: Hit) -> None:
        """Show the hit in place: the file's indexed text around it, read in the pool."""
        file_id = self._file_ids.get(hit.source.path)
        query = self._last_query
        if file_id is None:
            self.passage.show_hit(hit, "", query)
            return
        self.calls(lambda store: store.file_text(file_id), lambda text: self._on_file_text_read(hit, text, query),
                   what="reading a passage")  # fmt: skip

    def _on_file_text_read(self, hit: Hit, text: str, query: str) -> None:
        current = self.results.currentIndex()
        if current.isValid() and current.data(HIT_ROLE) == hit:
            self.passage.show_hit(hit, text, query)
