"""documents.png: the Documents page with a real collection (the cheat sheet the project grew from, in
tests/fixtures/data/seeds, and the project's own README and architecture notes), the self-test's figures, and a search
with a passage shown in place.

Hook: add "documents" to shots.STEPS and ``"documents": documents_shot`` to the steps of shots._take (a step like the
others: ``documents_shot(window, camera)``). Alone: ``QT_QPA_PLATFORM=offscreen python -m tools.screenshots.documents
OUT_DIR`` (a throwaway data folder, the window at the docs' size, nothing else staged).
"""

from __future__ import annotations

import logging
import os
import shutil
import sys
import tempfile
from pathlib import Path

from app.settings import Settings
from app.ui.main_window import MainWindow
from tools.screenshots.camera import Camera, close_window, open_window

log = logging.getLogger(__name__)

ROOT = Path(__file__).resolve().parents[2]
COLLECTION = "LLM notes"
QUERY = "offload GPU layers VRAM"
SHOWN_RESULT = 0
INDEX_TIMEOUT_MS = 120_000


def collection_files(work: Path) -> list[Path]:
    """The shot's documents; the cheat sheet (Markdown in a .txt) under a name a user would give it."""
    files = [ROOT / "README.md", ROOT / "docs" / "architecture.md"]
    from tests.fixtures.seeds import CHEAT_SHEET  # a source checkout, as for the fake hub

    sheet = work / "llm-cheat-sheet.md"
    shutil.copyfile(CHEAT_SHEET, sheet)
    return [sheet, *(f for f in files if f.is_file())]


def documents_shot(window: MainWindow, camera: Camera) -> None:
    """Fill a collection through the page itself (indexing in its thread), run the self-test, search, open a hit."""
    from app.ui.documents.models import Shown

    page = window.documents_page
    window.show_page(page)
    with tempfile.TemporaryDirectory(prefix="modelwerk-documents-shot-") as work:
        files = collection_files(Path(work))
        page.create_collection(COLLECTION)
        camera.wait(lambda: not page.busy() and page.selected() is not None, what="the new collection")
        page.add_paths(files)

        def indexed() -> bool:
            rows = page.files_model.rows()
            return not page.busy() and len(rows) == len(files) and all(r.shown is Shown.INDEXED for r in rows)

        camera.wait(indexed, timeout_ms=INDEX_TIMEOUT_MS, what="indexing the collection")
        page.selftest_view.button.click()
        camera.wait(lambda: not page.busy() and page.selftest_view.table.isVisible(), what="the self-test")
        page.searcher.query.setText(QUERY)
        page.searcher.search()
        camera.wait(lambda: not page.busy() and page.searcher.results_model.rowCount() > 0, what="the search")
        page.searcher.results.selectRow(SHOWN_RESULT)
        camera.wait(lambda: not page.busy() and bool(page.searcher.passage.text.toPlainText()), what="the passage")
        page.banner.clear()
        camera.grab("documents.png")


def main(argv: list[str] | None = None) -> int:
    args = sys.argv[1:] if argv is None else argv
    if len(args) != 1:
        print("usage: python -m tools.screenshots.documents OUT_DIR", file=sys.stderr)
        return 2
    logging.basicConfig(level=logging.INFO, format="%(message)s")
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    with tempfile.TemporaryDirectory(prefix="modelwerk-screenshots-") as home:
        os.environ["MODELWERK_HOME"] = home
        out = Path(args[0])
        out.mkdir(parents=True, exist_ok=True)
        from app.ui.app import create_app

        app = create_app([])
        window = open_window(Settings())
        try:
            camera = Camera(app, window, out)
            documents_shot(window, camera)
        finally:
            close_window(window)
        for path in camera.saved:
            print(path)
    return 0


if __name__ == "__main__":
    sys.exit(main())
