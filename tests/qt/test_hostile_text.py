"""Hostile text in the real widgets: a model's answer, a model card and a GGUF file's metadata that name a FIFO or
/dev/zero as an image (the app froze / crashed), raw HTML, "List<String>", and links with schemes other than http(s).

A FIFO is the probe: Qt reading it as an image blocks in open() until a writer comes. A watchdog process plays that
writer (a non-blocking open for writing succeeds only while someone has the FIFO open for reading), so a render that
tries to read it is counted — and released, so the test fails instead of hanging.
"""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
from fixtures.hardware_reports import cpu_only
from fixtures.tiny_gguf import write_tiny_gguf
from PySide6.QtCore import QPoint, Qt, QUrl
from PySide6.QtGui import QDesktopServices, QTextDocument
from PySide6.QtWidgets import QLabel, QMessageBox, QTextBrowser
from pytestqt.qtbot import QtBot

from app.chat.messages import Role
from app.hub.results import RepoDetails
from app.library.catalog import Catalog
from app.store import Store
from app.ui.chat.transcript import Bubble, TranscriptView
from app.ui.common import links
from app.ui.common.safe_text import SafeTextBrowser, plain_tooltip
from app.ui.discover.repo_view import RepoView
from app.ui.library.model_details import ModelDetails, load_details
from formats.inspect import inspect
from hardware.fit import FitOptions

# The watchdog is a child process: a GUI thread blocked in Qt's open() may hold the GIL, so a thread could not help.
_WATCH = """
import os, sys, time
fifo, log = sys.argv[1], sys.argv[2]
while True:
    try:
        fd = os.open(fifo, os.O_WRONLY | os.O_NONBLOCK)
    except OSError:  # ENXIO: nobody is reading
        time.sleep(0.01)
        continue
    with open(log, "a") as f:
        f.write("read\\n")
    os.close(fd)
"""


class FifoWatch:
    """Counts the times someone opened the FIFO for reading (and lets them go with an immediate end of file)."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self.log = path.with_name(path.name + ".reads")
        self.log.touch()
        self.process = subprocess.Popen([sys.executable, "-c", _WATCH, str(path), str(self.log)])

    @property
    def reads(self) -> int:
        return len(self.log.read_text().splitlines())


@contextmanager
def fifo_watch(path: Path) -> Iterator[FifoWatch]:
    os.mkfifo(path)
    watch = FifoWatch(path)
    try:
        yield watch
    finally:
        watch.process.kill()
        watch.process.wait(10)


@pytest.fixture
def fifo(tmp_path: Path) -> Iterator[FifoWatch]:
    with fifo_watch(tmp_path / "image.png") as watch:
        yield watch


def hostile(fifo: Path) -> str:
    return (
        f"Look: ![a picture]({fifo})\n\n"
        f'<img src="{fifo}"> <img src="file://{fifo}" width="10" height="10">\n\n'
        "Is List<String> valid Java? <script>alert(1)</script> <b>not bold</b>\n\n"
        "```java\nList<String> xs = new ArrayList<>();\n```\n\n"
        f"[![badge]({fifo})](https://example.org/page)"
    )


def laid_out(widget: QTextBrowser | QLabel) -> None:
    """Lay out and paint, which is when Qt fetches images."""
    widget.resize(640, 480)
    widget.show()
    widget.grab()


def wait_a_moment(qtbot: QtBot) -> None:
    qtbot.wait(200)  # the watchdog polls every 10 ms (once started)


# --- the attacks ----------------------------------------------------------------------------------------------------


def test_a_models_answer_cannot_make_the_chat_load_a_file(qtbot: QtBot, fifo: FifoWatch) -> None:
    view = TranscriptView()
    qtbot.addWidget(view)
    answer = hostile(fifo.path)
    view.set_bubbles([Bubble(1, Role.USER, "Is List<String> valid Java?"), Bubble(2, Role.ASSISTANT, answer)])
    laid_out(view)
    view.update_last(content=answer + "\n\nmore", thinking="", streaming=True)  # the streaming path too
    laid_out(view)
    wait_a_moment(qtbot)
    assert fifo.reads == 0 and view.refused == []
    text = view.toPlainText()
    assert "You\nIs List<String> valid Java?" in text
    assert "Is List<String> valid Java? <script>alert(1)</script> <b>not bold</b>" in text
    assert f'<img src="{fifo.path}">' in text and f"[image: a picture] {fifo.path}" in text
    assert "List<String> xs = new ArrayList<>();" in text


def test_a_model_card_cannot_make_discover_load_a_file(qtbot: QtBot, fifo: FifoWatch) -> None:
    view = RepoView()
    qtbot.addWidget(view)
    view.set_details(details(card=hostile(fifo.path), tags=(f'<img src="{fifo.path}">',)), pending=[])
    laid_out(view.card)
    view.resize(800, 900)
    view.show()
    view.grab()
    wait_a_moment(qtbot)
    assert fifo.reads == 0 and view.card.refused == []
    text = view.card.toPlainText()
    assert "Is List<String> valid Java? <script>alert(1)</script> <b>not bold</b>" in text
    assert "[image: a picture]" in text and str(fifo.path) in text
    assert view.tags.text().endswith(f'<img src="{fifo.path}">') and view.tags.textFormat() == Qt.TextFormat.PlainText


def test_gguf_metadata_cannot_make_the_library_load_a_file(qtbot: QtBot, tmp_path: Path, fifo: FifoWatch) -> None:
    img = f'<img src="{fifo.path}">'
    model = write_tiny_gguf(tmp_path / "hostile.gguf", architecture=img, name=f"{img} List<String>")
    with Store.open(tmp_path / "catalog.sqlite") as store:
        entry = Catalog(store).add(inspect(model), source="imported")
    panel = ModelDetails(FitOptions())
    qtbot.addWidget(panel)
    panel.set_hardware(cpu_only())
    panel.set_entry(entry)
    panel.set_details(entry.id, load_details(model))
    panel.resize(700, 900)
    panel.show()
    panel.grab()
    wait_a_moment(qtbot)
    assert fifo.reads == 0
    assert img in panel.subtitle.text() and panel.subtitle.textFormat() == Qt.TextFormat.PlainText
    assert panel.field("Architecture") == img
    assert panel.field("Model name") == f"{img} List<String>"


def test_dev_zero_as_an_image_neither_crashes_nor_is_read(qtbot: QtBot) -> None:
    # Qt read /dev/zero to the end of memory (std::bad_alloc) when asked to show it as an image.
    view = TranscriptView()
    qtbot.addWidget(view)
    view.set_bubbles([Bubble(1, Role.ASSISTANT, "![z](/dev/zero) ![z](file:///dev/zero)")])
    laid_out(view)
    assert view.refused == []
    assert view.toPlainText() == "Assistant\n[image: z] /dev/zero ![z](file:///dev/zero)"


def test_the_safe_browser_loads_nothing_even_from_html_it_is_handed(qtbot: QtBot, fifo: FifoWatch) -> None:
    """The second wall: HTML with images that bypassed app.markdown still makes no file read."""
    view = SafeTextBrowser()
    qtbot.addWidget(view)
    view.setHtml(f'<p>x<img src="{fifo.path}"><img src="file:///dev/zero"><img src="/dev/zero" width=5 height=5></p>'
                 f'<link rel="stylesheet" href="{fifo.path}">')  # fmt: skip
    laid_out(view)
    wait_a_moment(qtbot)
    assert fifo.reads == 0
    assert str(fifo.path) in " ".join(view.refused) and any("/dev/zero" in r for r in view.refused)


def test_a_metadata_tooltip_is_shown_as_written(qtbot: QtBot, fifo: FifoWatch) -> None:
    text = f'blk.0.<img src="{fifo.path}">: F32 2×2\nList<String> & more'
    tip = plain_tooltip(text)
    assert tip is not None
    doc = QTextDocument()  # what QToolTip does with text that looks like HTML
    doc.setHtml(tip)
    doc.size()
    wait_a_moment(qtbot)
    assert fifo.reads == 0 and doc.toPlainText() == text
    assert plain_tooltip("12,345 bytes") == "12,345 bytes"  # nothing to escape: left alone


# --- text shown as written (issue 16, item 2) ----------------------------------------------------------------------


def test_the_chat_shows_code_html_and_comparisons_as_written(qtbot: QtBot) -> None:
    view = TranscriptView()
    qtbot.addWidget(view)
    question = "Is List<String> valid Java?"
    answer = "Yes: `List<String>` is a generic type. a<b and b>c. <br> is a tag.\n\n```html\n<p class=\"x\">hi</p>\n```"
    view.set_bubbles([Bubble(1, Role.USER, question), Bubble(2, Role.ASSISTANT, answer)])
    assert view.toPlainText() == (
        "You\nIs List<String> valid Java?\nAssistant\n"
        'Yes: List<String> is a generic type. a<b and b>c. <br> is a tag.\n<p class="x">hi</p>'
    )


# --- links ---------------------------------------------------------------------------------------------------------


class Dialogs:
    """Stands in for QMessageBox.exec and QDesktopServices.openUrl: records what was asked and what was opened."""

    def __init__(self, answer: QMessageBox.StandardButton) -> None:
        self.answer = answer
        self.texts: list[str] = []
        self.titles: list[str] = []
        self.opened: list[str] = []

    def exec(self, box: QMessageBox) -> int:
        self.texts.append(box.text())
        self.titles.append(box.windowTitle())
        assert box.textFormat() == Qt.TextFormat.PlainText
        button = box.button(self.answer) or box.button(QMessageBox.StandardButton.Ok)
        button.click()
        return 0


@pytest.fixture
def dialogs(monkeypatch: pytest.MonkeyPatch) -> Dialogs:
    d = Dialogs(QMessageBox.StandardButton.Open)
    monkeypatch.setattr(QMessageBox, "exec", lambda box: d.exec(box))
    encoded = QUrl.ComponentFormattingOption.FullyEncoded
    monkeypatch.setattr(QDesktopServices, "openUrl", lambda url: d.opened.append(url.toString(encoded)) or True)
    return d


REFUSED = ["file:///etc/passwd", "ms-settings:privacy", "smb://attacker.example/share", "javascript:alert(1)",
           "ftp://example.org/x", "mailto:x@example.org", "relative/path", "https:///no-host"]  # fmt: skip


@pytest.mark.parametrize("address", REFUSED)
def test_other_schemes_are_refused_with_a_message_and_nothing_is_opened(dialogs: Dialogs, address: str) -> None:
    assert links.open_untrusted_link(address) is False
    assert dialogs.opened == []
    assert dialogs.titles == ["Link not opened"] and "was not opened" in dialogs.texts[0]


def test_a_web_link_opens_only_after_its_full_address_was_shown(dialogs: Dialogs) -> None:
    address = "https://huggingface.co@attacker.example/x?y=<1>"
    assert links.open_untrusted_link(address) is True
    [text] = dialogs.texts
    assert "https://huggingface.co@attacker.example/x?y=%3C1%3E" in text and "Site: attacker.example" in text
    assert dialogs.opened == ["https://huggingface.co@attacker.example/x?y=%3C1%3E"]  # what was shown is what opens
    dialogs.answer = QMessageBox.StandardButton.Cancel
    assert links.open_untrusted_link("https://example.org/") is False
    assert len(dialogs.opened) == 1  # cancelled: not opened


def test_a_look_alike_host_is_shown_in_punycode(dialogs: Dialogs) -> None:
    links.open_untrusted_link("https://huggingfаce.co/x")  # a Cyrillic "а"
    assert "xn--" in dialogs.texts[0]


def test_links_in_a_model_card_go_through_the_same_door(qtbot: QtBot, dialogs: Dialogs) -> None:
    view = RepoView()
    qtbot.addWidget(view)
    card = ("[settings](ms-settings:privacy) [share](smb://attacker.example/s) [site](https://example.org/docs) "
            "[other repo](https://huggingface.co/bartowski/X-GGUF) [license](LICENSE)")  # fmt: skip
    view.set_details(details(card=card), pending=[])
    laid_out(view.card)
    wanted: list[str] = []
    view.repo_requested.connect(wanted.append)
    for href in ("ms-settings:privacy", "smb://attacker.example/s"):
        click_link(qtbot, view.card, href)
    assert dialogs.opened == [] and dialogs.titles == ["Link not opened"] * 2
    click_link(qtbot, view.card, "https://example.org/docs")
    assert dialogs.opened == ["https://example.org/docs"] and dialogs.titles[-1] == "Open this link?"
    click_link(qtbot, view.card, "https://huggingface.co/bartowski/X-GGUF")
    assert wanted == ["bartowski/X-GGUF"] and len(dialogs.texts) == 3  # another repository opens in Discover itself
    click_link(qtbot, view.card, "LICENSE")  # a file of this repository: its page on the hub, after asking
    assert dialogs.opened[-1] == "https://huggingface.co/org/hostile/blob/main/LICENSE"


def test_links_in_a_chat_answer_go_through_the_same_door(qtbot: QtBot, dialogs: Dialogs) -> None:
    view = TranscriptView()
    qtbot.addWidget(view)
    view.set_bubbles([Bubble(1, Role.ASSISTANT, "[a](file:///etc/passwd) [b](smb://x/y) [c](https://example.org/)",
                             thinking="hmm")])  # fmt: skip
    laid_out(view)
    assert "[a](file:///etc/passwd)" in view.toPlainText()  # never a link at all
    click_link(qtbot, view, "smb://x/y")
    assert dialogs.opened == [] and dialogs.titles == ["Link not opened"]
    click_link(qtbot, view, "https://example.org/")
    assert dialogs.opened == ["https://example.org/"]
    click_link(qtbot, view, "think:1")  # the app's own fold link still folds, without a dialog
    assert view.is_expanded(1) and len(dialogs.texts) == 2


# --- helpers -------------------------------------------------------------------------------------------------------


def details(*, card: str, tags: tuple[str, ...] = ()) -> RepoDetails:
    return RepoDetails(repo_id="org/hostile", sha="0" * 40, card=card, gated=False, tags=tags, base_models=(),
                       downloads=1, likes=0, updated=None, n_params=None, files=(), groups=(), gptq=())  # fmt: skip


def click_link(qtbot: QtBot, view: QTextBrowser, href: str) -> None:
    """Click the link with this address where the user sees it."""
    block = view.document().begin()
    while block.isValid():
        it = block.begin()
        while not it.atEnd():
            fragment = it.fragment()
            if fragment.charFormat().anchorHref() == href:
                cursor = view.textCursor()
                cursor.setPosition(fragment.position() + min(1, fragment.length() - 1))
                view.ensureCursorVisible()
                rect = view.cursorRect(cursor)
                point = QPoint(rect.x() + 1, rect.center().y())
                qtbot.mouseClick(view.viewport(), Qt.MouseButton.LeftButton, pos=point)
                return
            it += 1
        block = block.next()
    raise AssertionError(f"no link to {href!r} in {view.toHtml()}")

