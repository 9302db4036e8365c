"""chat-documents.png: a chat that answers from a document collection: the instruct demo model (SmolLM2 135M Instruct)
in its own llama-server, the Documents page's collection attached (the 📎 chip), the answer with how its sources were
chosen and the sources listed under it, and its source [1] open in place (the source window, grabbed beside it as
chat-documents-source.png).

Runs after the "documents" step, whose collection it attaches. Alone: ``QT_QPA_PLATFORM=offscreen python -m
tools.screenshots.chat_documents OUT_DIR`` (a throwaway data folder: it makes the collection first, as that step does).
"""

from __future__ import annotations

import logging
import os
import sys
import tempfile
from pathlib import Path

from app.chat.runtime import LoadOptions, RuntimeState
from app.chat.sessions import local_model_key
from app.settings import Settings
from app.ui.main_window import MainWindow
from tools.screenshots.camera import Camera, close_window, open_window
from tools.screenshots.documents import COLLECTION, documents_shot

log = logging.getLogger(__name__)

LOAD_TIMEOUT_MS = 120_000
ANSWER_TIMEOUT_MS = 240_000
QUESTION = "Which file format does llama.cpp use for quantized models?"
MAX_TOKENS = 128
"""Greedy, a 135M model may repeat itself until the limit: a short one keeps the run (and the picture) short."""


def chat_documents_shot(window: MainWindow, camera: Camera) -> None:
    """Load the instruct demo model, attach the documents step's collection, ask, open source [1], unload."""
    def instruct() -> bool:  # the Library registers the demo models in the background at a first start
        entry = window.demo_entry()
        return entry is not None and "instruct" in f"{entry.source} {entry.name}".lower()

    camera.wait(instruct, timeout_ms=LOAD_TIMEOUT_MS, what="the instruct demo model")
    entry = window.demo_entry()
    assert entry is not None
    page = window.chat_page
    window.show_page(page)
    key = local_model_key(entry.id)
    page.load(entry.id, LoadOptions())  # what the Load dialog proposes for it

    def ready() -> bool:
        runtime = page.backends.runtime(key)
        return runtime is not None and runtime.state is RuntimeState.READY

    camera.wait(ready, timeout_ms=LOAD_TIMEOUT_MS, what=f"loading {entry.name}")
    pane = page.new_chat(key)
    preset = pane.sampling_controls.preset
    preset.setCurrentIndex(preset.findData("Greedy"))  # by its own name: the shown one is translated
    pane.sampling_controls.max_tokens.setValue(MAX_TOKENS)
    bar = pane.attach_bar
    assert bar is not None
    bar.refresh()
    camera.wait(lambda: bar.listed is not None and not bar.reading, what="the collections")
    listed = next((c for c in bar.listed or [] if c.info.name == COLLECTION), None)
    if listed is None:
        raise RuntimeError(f"no collection {COLLECTION!r}: the documents step makes it")
    bar.attach(listed.info.id, listed.info.name)
    pane.input.setPlainText(QUESTION)
    pane.send()
    camera.wait(lambda: not pane.busy(), timeout_ms=ANSWER_TIMEOUT_MS, what=f"the answer to {QUESTION!r}")
    answer = pane.messages()[-1]
    if answer.sources is None or not answer.sources.sources:
        raise RuntimeError(f"the answer has no sources: {answer.error or answer.content[:80]!r}")
    pane.view.source_clicked.emit(answer.id, 1)  # what a click on [1] under the answer does
    camera.wait(lambda: pane.source_dialog is not None and pane.source_dialog.isVisible(), what="the source")
    camera.grab("chat-documents.png")
    assert pane.source_dialog is not None
    camera.grab("chat-documents-source.png", widget=pane.source_dialog)
    pane.source_dialog.close()
    page.backends.unload(key)
    camera.wait(lambda: page.backends.runtime(key) is None, what=f"unloading {entry.name}")


def main(argv: list[str] | None = None) -> int:
    args = sys.argv[1:] if argv is None else argv
    if len(args) != 1:
        print("usage: python -m tools.screenshots.chat_documents OUT_DIR", file=sys.stderr)
        return 2
    logging.basicConfig(level=logging.INFO, format="%(message)s")
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    with tempfile.TemporaryDirectory(prefix="modelwerk-screenshots-") as home:
        os.environ["MODELWERK_HOME"] = home
        out = Path(args[0])
        out.mkdir(parents=True, exist_ok=True)
        from app.ui.app import create_app

        app = create_app([])
        window = open_window(Settings(), demo=True)
        try:
            camera = Camera(app, window, out)
            documents_shot(window, camera)
            chat_documents_shot(window, camera)
        finally:
            close_window(window)
        for path in camera.saved:
            print(path)
    return 0


if __name__ == "__main__":
    sys.exit(main())
