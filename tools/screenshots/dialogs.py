"""first-run.png (the window with Getting started over it, as on a first start) and settings.png (File > Settings…)."""

from __future__ import annotations

from PySide6.QtCore import QPoint
from PySide6.QtGui import QColor, QPainter

from app.ui.main_window import MainWindow
from tools.screenshots.camera import Camera


def dialog_shots(window: MainWindow, camera: Camera) -> None:
    """Open each dialog the way the user does, save it, close it."""
    window.show_page(window.hardware_page)
    window.show_welcome()
    welcome = window.welcome_dialog
    assert welcome is not None
    camera.settle()
    # A dialog is its own top-level window: paint it over the window's picture where it would be, centred.
    picture = window.grab()
    shade = QPainter(picture)
    shade.fillRect(picture.rect(), QColor(0, 0, 0, 60))
    card = welcome.grab()
    shade.drawPixmap(QPoint((picture.width() - card.width()) // 2, (picture.height() - card.height()) // 3), card)
    shade.end()
    camera.save(picture, "first-run.png")
    welcome.close()

    window.settings_action.trigger()
    dialog = window.settings_dialog
    assert dialog is not None
    camera.grab("settings.png", widget=dialog)
    dialog.reject()
    camera.settle()
