"""settings.png (File > Settings…) and first-run.png (the window with Getting started over it, as on a first start)."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from PySide6.QtCore import QPoint
from PySide6.QtGui import QColor, QPainter
from PySide6.QtWidgets import QWidget


def dialog_shots(window: QWidget, out_dir: Path, settle: Callable[[], None]) -> list[Path]:
    """Open each dialog the way the user does, save it, close it; returns the paths written."""
    from app.ui.main_window import MainWindow

    assert isinstance(window, MainWindow)
    saved = []
    window.show_welcome()
    welcome = window.welcome_dialog
    assert welcome is not None
    settle()
    # A dialog is its own top-level window: paint it over the window's picture where it would be, centred.
    picture = window.grab()
    shade = QPainter(picture)
    shade.fillRect(picture.rect(), QColor(0, 0, 0, 60))
    card = welcome.grab()
    shade.drawPixmap(QPoint((picture.width() - card.width()) // 2, (picture.height() - card.height()) // 3), card)
    shade.end()
    saved.append(_save(picture, out_dir / "first-run.png"))
    welcome.close()

    window.settings_action.trigger()
    dialog = window.settings_dialog
    assert dialog is not None
    settle()
    saved.append(_save(dialog.grab(), out_dir / "settings.png"))
    dialog.reject()
    settle()
    return saved


def _save(picture: object, path: Path) -> Path:
    if not picture.save(str(path)):  # type: ignore[attr-defined]
        raise OSError(f"could not write {path}")
    return path
