"""first-run.png (the window with Getting started over it, as on a first start) and settings.png (File > Settings…)."""

from __future__ import annotations

from PySide6.QtCore import QPoint, QRect
from PySide6.QtGui import QColor, QPainter, QPixmap
from PySide6.QtWidgets import QWidget

from app.ui.main_window import MainWindow
from tools.screenshots.camera import Camera


def dialog_shots(window: MainWindow, camera: Camera) -> None:
    """Open each dialog the way the user does, save it, close it."""
    window.show_page(window.hardware_page)
    window.show_welcome()
    welcome = window.welcome_dialog
    assert welcome is not None
    camera.settle()
    camera.save(_over(window, welcome), "first-run.png")
    welcome.close()

    window.settings_action.trigger()
    dialog = window.settings_dialog
    assert dialog is not None
    camera.settle()
    camera.save(_over(window, dialog), "settings.png")
    dialog.reject()
    camera.settle()


def _over(window: QWidget, dialog: QWidget) -> QPixmap:
    """A dialog is its own top-level window: paint it over the (shaded) window's picture where it would be, centred."""
    picture = window.grab()
    shade = QPainter(picture)
    shade.fillRect(picture.rect(), QColor(0, 0, 0, 60))
    card = dialog.grab()
    top = max(0, (picture.height() - card.height()) // 3)
    corner = QPoint((picture.width() - card.width()) // 2, top)
    shade.drawPixmap(corner, card)
    shade.setPen(QColor(0, 0, 0, 110))  # offscreen dialogs have no frame: draw its edge
    shade.drawRect(QRect(corner, card.size()).adjusted(-1, -1, 0, 0))
    shade.end()
    return picture
