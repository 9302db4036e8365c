"""The Documents page's retrieval self-test: what it measures (questions made from the collection's own passages, asked
of BM25 and, once the collection has vectors, of vector and hybrid search), its button, and the table that shows
recall@k and MRR."""

from __future__ import annotations

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QAbstractItemView,
    QHeaderView,
    QLabel,
    QPushButton,
    QTableView,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from app.documents.parse import DocumentError
from app.documents.selftest import KS, SelfTestResult, generate_probes
from app.documents.store import DocumentStore
from app.ui.common.i18n import translate
from app.ui.documents.page_context import PageContext

QUESTIONS = 50
ROW_HEIGHT = 24


def setup_table(table: QTableView, *, stretch: int) -> None:
    """The page's tables: whole rows selected one at a time, read-only, no grid, one column stretched."""
    table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
    table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
    table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
    table.verticalHeader().hide()
    table.setShowGrid(False)
    header = table.horizontalHeader()
    header.setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
    header.setSectionResizeMode(stretch, QHeaderView.ResizeMode.Stretch)


def measure(store: DocumentStore, collection_id: int, name: str) -> list[SelfTestResult]:
    """BM25's result, then vector's and hybrid's when the collection has vectors (its embedder runs meanwhile), then
    the collection's search reranked when it has a reranker (which runs meanwhile too).

    Raises:
        DocumentError: too little text to make questions from; EmbedderError: the collection's embedder is gone;
        RerankError, ChatError: its reranker is gone or failed.
    """
    from app.search import measure_search

    probes = generate_probes(store, collection_id, n=QUESTIONS)
    if not probes:
        raise DocumentError(f"no questions could be made from {name!r} (too little text)")
    return measure_search(store, collection_id, probes)[0]


class SelfTestView(QWidget):
    """The button that runs the self-test of the collection ``selected()`` names (in the pool), and its result: a row
    per search mode (a mode not measured shows dashes and why) and a note under it; hidden until shown.

    Signals:
        status_message(text, ms): a line for the status bar.
        running_changed(): the test started or ended (read ``running``).
    """

    status_message = Signal(str, int)
    running_changed = Signal()

    def __init__(self, context: PageContext, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.context = context
        self.calls, self.banner = context.calls, context.banner
        self.running = False
        self.button = QPushButton(translate("Documents", "Self-test"))
        self.button.setToolTip(translate("Documents", "Make questions from the collection's own passages and measure "
                                                      "whether search finds them: recall@k and MRR"))  # fmt: skip
        self.button.clicked.connect(self._on_button_clicked)
        self.table = QTableWidget(0, 3 + len(KS))
        self.table.setObjectName("selftest-table")
        self.table.setHorizontalHeaderLabels([translate("Documents", "Mode"), translate("Documents", "Questions"),
                                              *(f"Recall@{k}" for k in KS), "MRR"])  # fmt: skip
        setup_table(self.table, stretch=0)
        self.table.verticalHeader().setDefaultSectionSize(ROW_HEIGHT)
        self.table.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.table.setVerticalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.table.setFixedHeight(4 * ROW_HEIGHT + self.table.horizontalHeader().sizeHint().height() + 4)
        self.note = QLabel()
        self.note.setObjectName("muted")
        self.note.setTextFormat(Qt.TextFormat.PlainText)
        self.note.setWordWrap(True)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.table)
        layout.addWidget(self.note)
        self.clear()

    def clear(self) -> None:
        self.table.hide()
        self.note.hide()

    def show_results(self, results: list[SelfTestResult]) -> None:
        result = results[0]
        explained = translate("Documents", "{count} questions made from the collection's own passages, each answered by "
                                           "one of them; recall@k: the share whose passage is among the first k hits; MRR: "
                                           "the mean of 1/rank of that passage.").format(count=result.probes)  # fmt: skip
        rows: list[list[str]] = [
            [r.retriever.upper() if r.retriever == "bm25" else r.retriever, str(r.probes),
             *(f"{r.recall[k]:.2f}" for k in KS), f"{r.mrr:.2f}"] for r in results
        ]  # fmt: skip
        tips = [explained] * len(rows)
        measured = {r.retriever for r in results}
        if "rerank" in measured:
            tips[-1] = translate("Documents", "The collection's search (hybrid when it has vectors, else BM25), its first "
                                              "hits reordered by its reranker")  # fmt: skip
        else:
            rows.append(["rerank", "", *("—" for _ in KS), "—"])
            tips.append(translate("Documents", "Not measured: choose a reranker first (Reranker…)"))
        if "vector" not in measured:  # after BM25, before the reranked row
            rows[1:1] = [["vector", "", *("—" for _ in KS), "—"], ["hybrid", "", *("—" for _ in KS), "—"]]
            tips[1:1] = [translate("Documents", "Not measured: Make vectors first"),
                         translate("Documents", "Not measured: hybrid search needs vectors")]  # fmt: skip
        self.table.setRowCount(len(rows))
        for r, cells in enumerate(rows):
            for c, text in enumerate(cells):
                item = QTableWidgetItem(text)
                item.setToolTip(tips[r])
                if c > 0:
                    item.setTextAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
                self.table.setItem(r, c, item)
        more = ("" if "vector" in measured else
                translate("Documents", " Vector and hybrid: not measured — Make vectors gives the collection an embedding "
                                       "model."))  # fmt: skip
        share = round(100 * result.distinct_first)
        self.note.setText(translate("Documents", "{count} questions made from the collection's own passages; {share}% of "
                                                 "them bring a passage of their own first (BM25).").format(
            count=result.probes, share=share) + more)
        self.table.show()
        self.note.show()

    def _on_button_clicked(self) -> None:
        info = self.context.with_passages()
        if info is None:
            return
        cid, name = info.id, info.name

        self.running = True
        self.button.setText(translate("Documents", "Testing…"))
        self.running_changed.emit()
        self.calls(lambda store: measure(store, cid, name), self._on_measured, what="the retrieval self-test",
                   on_error=self._on_failed)  # fmt: skip

    def _on_failed(self, message: str) -> None:
        self._end()
        self.banner.add(message, kind="error")

    def _end(self) -> None:
        self.running = False
        self.button.setText(translate("Documents", "Self-test"))
        self.running_changed.emit()

    def _on_measured(self, results: list[SelfTestResult]) -> None:
        self._end()
        self.show_results(results)
        text = translate("Documents", "Self-test: {count} questions made from the collection's passages")
        self.status_message.emit(text.format(count=results[0].probes), 8000)
