"""Issue 14: dropping one GGUF, showing it, and loading it for chat parse its header once in the app process.

Everything that reads the header (the import, the copy's registration, the fit column, the details pane and its tensor
list, the chat's read of the model before the load) goes through formats.cache.HEADERS; the runtime child (llama-server)
reads the file itself and is not counted.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from fixtures.tiny_gguf import write_tiny_gguf
from pytestqt.qtbot import QtBot

from app.chat.runtime import LoadOptions
from app.ui.chat.backends import local_model_key
from app.ui.main_window import MainWindow
from formats import gguf
from formats.cache import HEADERS
from tests.qt.test_library_page import accept_import_dialog, drop, settle, window

__all__ = ["accept_import_dialog", "window"]  # fixtures of the Library page's tests, used here by name
TEMPLATE = "{% for m in messages %}<|im_start|>{{ m.role }}\n{{ m.content }}<|im_end|>\n{% endfor %}<|im_start|>assistant\n"


def test_drop_show_and_load_parse_the_header_once(
    qtbot: QtBot, window: MainWindow, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    source = write_tiny_gguf(tmp_path / "downloads" / "tiny-chat.gguf", chat_template=TEMPLATE, name="tiny-chat",
                             control_tokens=("<|im_start|>", "<|im_end|>"))  # fmt: skip
    parsed: list[Path] = []
    real = gguf.read_gguf_header

    def counting(path: Path, **kwargs: object) -> gguf.GGUFHeader:
        parsed.append(Path(path))
        return real(path, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(gguf, "read_gguf_header", counting)
    HEADERS.clear()

    page = window.library_page
    drop(page.table.viewport(), source)  # copied into the models folder (the dialog's preselected choice)
    details = page.details
    qtbot.waitUntil(lambda: details.entry() is not None and details.field("Tokenizer") != "", timeout=15_000)
    qtbot.waitUntil(lambda: details.tensors.topLevelItemCount() > 0, timeout=10_000)
    settle(qtbot, page)
    entry = details.entry()
    assert entry is not None and entry.path != source

    window.chat_page.refresh()
    window.show_page(window.chat_page)
    window.chat_page.load(entry.id, LoadOptions(context=512, threads=1))
    key = local_model_key(entry.id)
    qtbot.waitUntil(lambda: (rt := window.chat_backends.runtime(key)) is not None and rt.pid is not None, timeout=20_000)
    window.chat_backends.stop_all()

    assert len(parsed) == 1, f"the header was parsed {len(parsed)} times: {parsed}"
    assert HEADERS.stats().misses == 1


def test_the_library_reads_every_model_again_on_a_change_without_parsing_a_header_again(
    qtbot: QtBot, window: MainWindow, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The Library page keeps no header cache of its own: each change reads the models through formats.cache.HEADERS,
    which parses a file again only when it is a new version of it."""
    source = write_tiny_gguf(tmp_path / "downloads" / "tiny.gguf", name="tiny")
    parsed: list[Path] = []
    real = gguf.read_gguf_header

    def counting(path: Path, **kwargs: object) -> gguf.GGUFHeader:
        parsed.append(Path(path))
        return real(path, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(gguf, "read_gguf_header", counting)
    HEADERS.clear()
    page = window.library_page
    drop(page.table.viewport(), source)
    qtbot.waitUntil(lambda: page.details.entry() is not None and page.details.field("Tokenizer") != "", timeout=15_000)
    settle(qtbot, page)
    assert len(parsed) == 1
    hits = HEADERS.stats().hits
    for _ in range(3):
        page.refresh()
        settle(qtbot, page)
    assert len(parsed) == 1 and HEADERS.stats().hits > hits  # read again, from the shared parse
    assert page.details.field("Tokenizer") != ""
