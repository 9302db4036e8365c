"""documents.png: the Documents page with a real collection (the cheat sheet the project grew from, shared/seeds, and the
project's own README and architecture notes), a search with a passage shown in place, and the self-test's figures.

Hook: in shots._take_all, after the other pages, ``from tools.screenshots.documents import documents_shot`` and
``documents_shot(window, grab, lambda done: _wait(app, done))``. Alone: ``QT_QPA_PLATFORM=offscreen python -m
tools.screenshots.documents OUT_DIR`` (a throwaway data folder, the window at the docs' size).
"""

from __future__ import annotations

import logging
import os
import shutil
import sys
import tempfile
from collections.abc import Callable
from pathlib import Path
from typing import Any

log = logging.getLogger(__name__)

ROOT = Path(__file__).resolve().parents[2]
SEED_NAME = "000_656ab7875e3a67b5.txt"
COLLECTION = "LLM notes"
QUERY = "offload GPU layers VRAM"
SHOWN_RESULT = 0


def seeds_dir() -> Path | None:
    """The cheat sheet's folder: $MODELWERK_SEEDS, or shared/seeds beside the checkout (or beside its worktree folder)."""
    for c in (os.environ.get("MODELWERK_SEEDS"), ROOT.parent / "shared" / "seeds", ROOT.parents[1] / "shared" / "seeds"):
        if c and (Path(c) / SEED_NAME).is_file():
            return Path(c)
    return None


def collection_files(work: Path) -> list[Path]:
    """The shot's documents; the cheat sheet (Markdown in a .txt) under a name a user would give it."""
    files = [ROOT / "README.md", ROOT / "docs" / "architecture.md"]
    seeds = seeds_dir()
    if seeds is not None:
        sheet = work / "llm-cheat-sheet.md"
        shutil.copyfile(seeds / SEED_NAME, sheet)
        files.insert(0, sheet)
    else:
        log.warning("documents.png without the cheat sheet: shared/seeds not found (set MODELWERK_SEEDS)")
    return [f for f in files if f.is_file()]


def documents_shot(window: Any, grab: Callable[[str], None], wait: Callable[[Callable[[], bool]], None],
                   work: Path | None = None) -> None:  # fmt: skip
    """Fill a collection through the page itself (indexing in its thread), search, open a hit, run the self-test."""
    from app.ui.documents.models import Shown

    page = window.documents_page
    window.show_page(page)
    own = None
    if work is None:
        own = tempfile.TemporaryDirectory(prefix="modelwerk-documents-shot-")
        work = Path(own.name)
    try:
        files = collection_files(work)
        page.create_collection(COLLECTION)
        wait(lambda: not page.busy() and page.selected() is not None)
        page.add_paths(files)

        def indexed() -> bool:
            rows = page.files_model.rows()
            return not page.busy() and len(rows) == len(files) and all(r.shown is Shown.INDEXED for r in rows)

        wait(indexed)
        page.selftest_button.click()
        wait(lambda: not page.busy() and page.selftest.isVisible())
        page.query.setText(QUERY)
        page.search()
        wait(lambda: not page.busy() and page.results_model.rowCount() > 0)
        page.results.selectRow(SHOWN_RESULT)
        wait(lambda: not page.busy() and bool(page.passage.text.toPlainText()))
        page.banner.clear()
        grab("documents.png")
    finally:
        if own is not None:
            own.cleanup()


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
        _take(out)
    return 0


def _take(out: Path) -> None:
    from PySide6.QtCore import QCoreApplication, QEvent, QThreadPool

    from app.settings import Settings
    from app.ui.app import create_app
    from app.ui.main_window import MainWindow
    from hardware.report import GiB
    from hardware.usage import Usage
    from tools.screenshots.shots import WINDOW_SIZE, _desktop_24gb, _settle, _wait

    app = create_app([])
    window = MainWindow(Settings(), report=_desktop_24gb())
    window.resize(*WINDOW_SIZE)
    window.show()
    window.usage.stop()
    usage = Usage(cpu_percent=7.0, ram_used=8 * GiB, ram_total=64 * GiB, vram_used=GiB // 2, vram_total=24 * GiB)

    def grab(name: str) -> None:
        _settle(app)
        window.usage.show_usage(usage)
        path = out / name
        if not window.grab().save(str(path)):
            raise OSError(f"could not write {path}")
        print(path)

    documents_shot(window, grab, lambda done: _wait(app, done))
    window.close()
    QThreadPool.globalInstance().waitForDone(5000)
    window.deleteLater()
    QCoreApplication.sendPostedEvents(None, QEvent.Type.DeferredDelete)


if __name__ == "__main__":
    sys.exit(main())
