"""The Documents page's reranker, as a user sees it: "Reranker…" refuses a model that is no reranker in one line, then
search and the self-test of the collection go through the chosen one (a tiny random-weight BERT reranker run by
llama-server: the plumbing is real, its order is meaningless), the window does not stall, and "None" takes it away."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from PySide6.QtCore import QElapsedTimer, QTimer
from PySide6.QtWidgets import QLabel
from pytestqt.qtbot import QtBot
from test_documents_page import WAIT_MS, jobs, make, page, search, wait_indexed  # noqa: F401  (fixtures)

from app.documents.rerank import RerankerChoice
from app.ui.chat.attach import read_collections
from app.ui.documents import reranker_choice
from app.ui.documents.models import HIT_ROLE
from app.ui.documents.page import DocumentsPage
from app.ui.documents.reranker_choice import Offers, Other

pytestmark = pytest.mark.slow

FACTS = (("beaver", "builds dams of branches and mud across small rivers"),
         ("puffin", "carries a dozen small fish crosswise in its colourful beak"),
         ("marmot", "whistles loudly to warn the colony when an eagle circles above"),
         ("walrus", "hauls its heavy body out onto the floating ice with its long tusks"))  # fmt: skip


@pytest.fixture
def picks(monkeypatch: pytest.MonkeyPatch) -> Iterator[tuple[list[object], list[Offers]]]:
    """What the reranker list and the file dialog answer, in turn; and what the list offered each time."""
    answers: list[object] = []
    offered: list[Offers] = []

    def pick(_parent: object, offers: Offers) -> object:
        offered.append(offers)
        return answers.pop(0)

    monkeypatch.setattr(reranker_choice, "pick", pick)
    monkeypatch.setattr(reranker_choice, "pick_file", lambda _parent: answers.pop(0))
    yield answers, offered


def banner_text(shown: DocumentsPage) -> str:
    return " ".join(label.text() for label in shown.banner.findChildren(QLabel))


def test_choose_a_reranker_then_search_and_test_through_it(page: DocumentsPage, qtbot: QtBot, tmp_path: Path,  # noqa: F811
                                                           picks: tuple[list[object], list[Offers]], tiny_reranker: Path,
                                                           tiny_gguf: Path) -> None:  # fmt: skip
    answers, offered = picks
    make(page, qtbot, "Animals")
    folder = tmp_path / "animals"
    folder.mkdir()
    for animal, fact in FACTS:
        (folder / f"{animal}.md").write_text(
            f"# {animal}\n\nThe {animal} {fact}, and keepers who have watched it for many years describe this habit in "
            "their careful notes about feeding, sleeping, climbing and the long cold winters of its home.\n"
        )
    page.add_paths([folder])
    wait_indexed(page, qtbot, len(FACTS))
    button = page.reranker.button
    assert button.text() == "Reranker…" and button.isEnabled()

    answers += [Other.FILE, tiny_gguf]  # a chat model: refused in one line, nothing saved
    button.click()
    qtbot.waitUntil(lambda: not page.busy() and "no reranker" in banner_text(page), timeout=WAIT_MS)
    assert "tiny.gguf is no reranker" in banner_text(page) and button.text() == "Reranker…"
    assert offered[0].models == [] and offered[0].current is None  # the Library has none

    answers += [Other.FILE, tiny_reranker]
    button.click()
    qtbot.waitUntil(lambda: not page.busy() and button.text() == "Reranker: Tiny Bert Reranker", timeout=WAIT_MS)
    assert [c.search for c in read_collections(page.db_path)] == ["BM25, reranked"]  # the chat's attach menu says so

    lines: list[str] = []
    page.status_message.connect(lambda text, _ms: lines.append(text))
    clock = QElapsedTimer()
    clock.start()
    gaps: list[int] = []
    last = [clock.elapsed()]

    def tick() -> None:
        gaps.append(clock.elapsed() - last[0])
        last[0] = clock.elapsed()

    timer = QTimer()
    timer.timeout.connect(tick)
    timer.start(2)
    search(page, qtbot, "walrus tusks ice")
    timer.stop()
    hits = [page.searcher.results_model.index(r, 0).data(HIT_ROLE) for r in range(page.searcher.results_model.rowCount())]
    assert hits and {h.retriever for h in hits} == {"rerank"}
    assert "Reranked by Tiny Bert Reranker over the first 30 hits of bm25 search" in lines
    # The reranker starts and scores in the pool: the window goes on (2 shared cores: a bound that catches real work
    # on the GUI thread, like the indexing test's).
    assert max(gaps) < 150, sorted(gaps)[-5:]

    page.selftest_view.button.click()
    qtbot.waitUntil(lambda: not page.selftest_view.running and not page.busy(), timeout=120_000)
    table = page.selftest_view.table
    assert table.isVisible(), banner_text(page)
    assert [table.item(r, 0).text() for r in range(table.rowCount())] == ["BM25", "vector", "hybrid", "rerank"]
    assert table.item(3, 1).text() == table.item(0, 1).text() and table.item(3, 6).text() != "—"

    answers.append(Other.NONE)
    button.click()
    qtbot.waitUntil(lambda: not page.busy() and button.text() == "Reranker…", timeout=WAIT_MS)
    assert offered[-1].current == RerankerChoice("Tiny Bert Reranker", tiny_reranker.absolute())
    search(page, qtbot, "walrus tusks ice")
    assert page.searcher.results_model.index(0, 0).data(HIT_ROLE).retriever == "bm25"
