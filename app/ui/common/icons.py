"""Sidebar icons drawn with QPainter: no icon theme is needed (Windows and macOS have none) and nothing ships as files.

Each icon has a muted colour for normal items and the accent colour for the selected one (QIcon's Selected mode).
"""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import QPointF, QRectF, Qt
from PySide6.QtGui import QColor, QIcon, QPainter, QPainterPath, QPen, QPixmap

NORMAL = QColor("#5b6576")
SELECTED = QColor("#1f56c7")
SIZE = 20
SCALE = 3  # drawn at 3x so they stay sharp on HiDPI screens

Painter = Callable[[QPainter], None]


def _chip(p: QPainter) -> None:
    """A processor: a die with pins on every side."""
    p.drawRoundedRect(QRectF(5, 5, 10, 10), 1.5, 1.5)
    p.drawRect(QRectF(8, 8, 4, 4))
    for t in (7.5, 10, 12.5):
        p.drawLine(QPointF(t, 2), QPointF(t, 5))
        p.drawLine(QPointF(t, 15), QPointF(t, 18))
        p.drawLine(QPointF(2, t), QPointF(5, t))
        p.drawLine(QPointF(15, t), QPointF(18, t))


def _search(p: QPainter) -> None:
    p.drawEllipse(QRectF(3, 3, 10, 10))
    p.drawLine(QPointF(11.5, 11.5), QPointF(17, 17))


def _discover(p: QPainter) -> None:
    """A magnifier over a download arrow: find a model on the hub and fetch it."""
    p.drawEllipse(QRectF(2.5, 2.5, 9.5, 9.5))
    p.drawLine(QPointF(10.6, 10.6), QPointF(13.2, 13.2))
    p.drawLine(QPointF(15.5, 9.5), QPointF(15.5, 17.5))
    p.drawLine(QPointF(12.8, 14.8), QPointF(15.5, 17.5))
    p.drawLine(QPointF(18.2, 14.8), QPointF(15.5, 17.5))


def _lock(p: QPainter) -> None:
    """A padlock: gated repositories."""
    p.drawRoundedRect(QRectF(4.5, 9, 11, 8.5), 1.5, 1.5)
    path = QPainterPath(QPointF(7, 9))
    path.lineTo(7, 6.5)
    path.arcTo(QRectF(7, 3, 6, 6.5), 180, -180)
    path.lineTo(13, 9)
    p.drawPath(path)


def _library(p: QPainter) -> None:
    """Three book spines on a shelf."""
    p.drawRect(QRectF(3, 4, 3.5, 12))
    p.drawRect(QRectF(8, 4, 3.5, 12))
    path = QPainterPath(QPointF(13, 5.2))
    path.lineTo(16.2, 4.4)
    path.lineTo(18, 15.4)
    path.lineTo(14.8, 16.2)
    path.closeSubpath()
    p.drawPath(path)


def _jobs(p: QPainter) -> None:
    """A list with progress: three rows, the first one half done."""
    for i, done in enumerate((6.0, 11.0, 3.0)):
        y = 4.5 + i * 5.5
        p.drawRoundedRect(QRectF(2.5, y, 15, 3), 1.5, 1.5)
        p.fillRect(QRectF(2.5, y, done, 3), p.pen().color())


def _chat(p: QPainter) -> None:
    path = QPainterPath()
    path.addRoundedRect(QRectF(2.5, 3.5, 15, 10.5), 3, 3)
    p.drawPath(path)
    tail = QPainterPath(QPointF(6, 14))
    tail.lineTo(5, 17.5)
    tail.lineTo(9.5, 14)
    p.drawPath(tail)


def _compare(p: QPainter) -> None:
    """Two answers side by side."""
    p.drawRoundedRect(QRectF(2.5, 3.5, 6.5, 13), 1.5, 1.5)
    p.drawRoundedRect(QRectF(11, 3.5, 6.5, 13), 1.5, 1.5)
    for y in (7.0, 10.0, 13.0):
        p.drawLine(QPointF(4.5, y), QPointF(7, y))
        p.drawLine(QPointF(13, y), QPointF(15.5, y))


def _documents(p: QPainter) -> None:
    """A page with a folded corner and lines of text."""
    path = QPainterPath(QPointF(4.5, 2.5))
    path.lineTo(12, 2.5)
    path.lineTo(15.5, 6)
    path.lineTo(15.5, 17.5)
    path.lineTo(4.5, 17.5)
    path.closeSubpath()
    p.drawPath(path)
    p.drawLine(QPointF(12, 2.5), QPointF(12, 6))
    p.drawLine(QPointF(12, 6), QPointF(15.5, 6))
    for y in (9.0, 11.75, 14.5):
        p.drawLine(QPointF(7, y), QPointF(13, y))


_PAINTERS: dict[str, Painter] = {
    "hardware": _chip,
    "discover": _discover,
    "search": _search,
    "lock": _lock,
    "library": _library,
    "jobs": _jobs,
    "chat": _chat,
    "compare": _compare,
    "documents": _documents,
}


def _pixmap(paint: Painter, color: QColor) -> QPixmap:
    pixmap = QPixmap(SIZE * SCALE, SIZE * SCALE)
    pixmap.setDevicePixelRatio(SCALE)
    pixmap.fill(Qt.GlobalColor.transparent)
    p = QPainter(pixmap)
    p.setRenderHint(QPainter.RenderHint.Antialiasing)
    p.setPen(QPen(color, 1.6, Qt.PenStyle.SolidLine, Qt.PenCapStyle.RoundCap, Qt.PenJoinStyle.RoundJoin))
    p.setBrush(Qt.BrushStyle.NoBrush)
    paint(p)
    p.end()
    return pixmap


def icon(name: str) -> QIcon:
    """The sidebar icon `name` (hardware, discover, library, jobs, chat, compare, documents; lock, search), or empty."""
    paint = _PAINTERS.get(name)
    if paint is None:
        return QIcon()
    result = QIcon()
    result.addPixmap(_pixmap(paint, NORMAL), QIcon.Mode.Normal)
    result.addPixmap(_pixmap(paint, SELECTED), QIcon.Mode.Selected)
    return result
