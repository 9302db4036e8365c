"""Opening and closing the window, waiting for it, saving what it shows; a caption band for illustrations."""

from __future__ import annotations

import logging
from collections.abc import Callable
from pathlib import Path
from typing import Any

from PySide6.QtCore import QCoreApplication, QDeadlineTimer, QEvent, QEventLoop, QRect, Qt, QThread, QThreadPool
from PySide6.QtGui import QColor, QFontMetrics, QPainter, QPixmap
from PySide6.QtWidgets import QApplication, QWidget

from app.settings import Settings
from app.ui.main_window import MainWindow

log = logging.getLogger(__name__)

WINDOW_SIZE = (1280, 860)
TIMEOUT_MS = 20_000
CAPTION_PADDING = 9
CAPTION_COLOR = QColor("#8a4b00")


def captioned(picture: QPixmap, text: str) -> QPixmap:
    """The picture with a band below it saying what it is: drawn into the image, so every copy of it says so too."""
    font = QApplication.font()
    font.setPointSizeF(10.5)
    font.setBold(True)
    flags = Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignTop | Qt.TextFlag.TextWordWrap
    width = picture.width() - 4 * CAPTION_PADDING
    height = QFontMetrics(font).boundingRect(QRect(0, 0, width, 10_000), flags, text).height()
    out = QPixmap(picture.width(), picture.height() + height + 2 * CAPTION_PADDING)
    out.fill(CAPTION_COLOR)
    painter = QPainter(out)
    painter.drawPixmap(0, 0, picture)
    painter.setFont(font)
    painter.setPen(QColor("white"))
    painter.drawText(QRect(2 * CAPTION_PADDING, picture.height() + CAPTION_PADDING, width, height), flags, text)
    painter.end()
    return out


class Camera:
    """Saves pictures into `out_dir` in the order taken (`saved`), after letting the window settle."""

    def __init__(self, app: QApplication, window: QWidget, out_dir: Path, *, language: str = "en") -> None:
        self.app = app
        self.window = window
        self.out_dir = out_dir
        self.language = language
        """The interface's language: captions are written in it too."""
        self.saved: list[Path] = []

    def wait(self, done: Callable[[], bool], *, timeout_ms: int = TIMEOUT_MS, what: str = "the window") -> None:
        """Run the event loop until `done()`; TimeoutError after `timeout_ms`."""
        deadline = QDeadlineTimer(timeout_ms)
        while not done():
            if deadline.hasExpired():
                raise TimeoutError(f"{what}: not ready after {timeout_ms / 1000:.0f} s")
            self.app.processEvents(QEventLoop.ProcessEventsFlag.AllEvents, 50)
            QThread.msleep(10)

    def settle(self, ms: int = 300) -> None:
        """Let posted layout passes run: wrapped labels in a scroll area take a few to reach their final heights."""
        deadline = QDeadlineTimer(ms)
        while not deadline.hasExpired():
            self.app.processEvents(QEventLoop.ProcessEventsFlag.AllEvents, 20)
            QThread.msleep(10)

    def grab(self, name: str, *, caption: str | None = None, widget: QWidget | None = None) -> Path:
        """Save the window (or `widget`) as `name`, with a caption band when it is an illustration."""
        self.settle()
        return self.save((widget or self.window).grab(), name, caption=caption)

    def save(self, picture: QPixmap, name: str, *, caption: str | None = None) -> Path:
        path = self.out_dir / name
        if caption is not None:
            picture = captioned(picture, caption)
        if not picture.save(str(path)):
            raise OSError(f"could not write {path}")
        self.saved.append(path)
        log.info("saved %s", path)
        return path


def open_window(settings: Settings, **kwargs: Any) -> MainWindow:
    """The main window at the docs' size (`kwargs` go to MainWindow: a report, demo=True)."""
    window = MainWindow(settings, **kwargs)
    window.resize(*WINDOW_SIZE)
    window.show()
    return window


def close_window(window: MainWindow) -> None:
    """Close it as the user does (every runtime and job worker stops), then delete it here, on this thread: left to the
    garbage collector, a pool thread could end up destroying it."""
    window.close()
    QThreadPool.globalInstance().waitForDone(5000)
    window.deleteLater()
    QCoreApplication.sendPostedEvents(None, QEvent.Type.DeferredDelete)
