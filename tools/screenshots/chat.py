"""chat.png: a real conversation with the instruct demo model (SmolLM2 135M Instruct) in its own llama-server.

The model is loaded with the Load dialog's defaults and answers with the Greedy preset, so a run repeats the same answers;
the stats under each answer are what the runtime measured during this run.
"""

from __future__ import annotations

from app.chat.runtime import LoadOptions, RuntimeState
from app.chat.sessions import local_model_key
from app.ui.main_window import MainWindow
from tools.screenshots.camera import Camera

LOAD_TIMEOUT_MS = 120_000
ANSWER_TIMEOUT_MS = 180_000
QUESTIONS = ("Write a haiku about the sea.", "What is 12 + 7?")
"""One it manages and one it gets wrong: what to expect of a 135M model (the pane says so too)."""


def chat_shot(window: MainWindow, camera: Camera) -> None:
    """Load the instruct demo model, ask it the questions one after the other, save the conversation, unload it."""
    entry = window.demo_entry()  # the instruct one: where a first chat goes
    if entry is None:
        raise RuntimeError("no demo model in the Library: install the demo packages (make run does)")
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
    for question in QUESTIONS:
        pane.input.setPlainText(question)
        pane.send()
        camera.wait(lambda: not pane.busy(), timeout_ms=ANSWER_TIMEOUT_MS, what=f"the answer to {question!r}")
    camera.grab("chat.png")
    page.backends.unload(key)
    camera.wait(lambda: page.backends.runtime(key) is None, what=f"unloading {entry.name}")
