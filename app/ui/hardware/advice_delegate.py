"""Paints an advice cell as a rounded tile: where it runs in semibold, then context and speed smaller."""

from __future__ import annotations

from PySide6.QtCore import QModelIndex, QPersistentModelIndex, QRectF, QSize, Qt
from PySide6.QtGui import QColor, QFont, QFontMetrics, QPainter, QPen
from PySide6.QtWidgets import QStyle, QStyledItemDelegate, QStyleOptionViewItem

ACCENT = QColor("#1f56c7")
GAP = 2.0


class AdviceDelegate(QStyledItemDelegate):
    """Reads the display text ("where\\ndetails"), background and foreground roles; draws a focus ring when selected."""

    def paint(self, painter: QPainter, option: QStyleOptionViewItem, index: QModelIndex | QPersistentModelIndex) -> None:
        text = index.data(Qt.ItemDataRole.DisplayRole)
        if not isinstance(text, str):
            super().paint(painter, option, index)
            return
        background = index.data(Qt.ItemDataRole.BackgroundRole)
        foreground = index.data(Qt.ItemDataRole.ForegroundRole)
        fg = foreground if isinstance(foreground, QColor) else option.palette.text().color()
        rect = QRectF(option.rect).adjusted(GAP, GAP, -GAP, -GAP)
        painter.save()
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        painter.setPen(Qt.PenStyle.NoPen)
        painter.setBrush(background if isinstance(background, QColor) else option.palette.base().color())
        painter.drawRoundedRect(rect, 5, 5)
        if option.state & QStyle.StateFlag.State_Selected:
            painter.setPen(QPen(ACCENT, 2))
            painter.setBrush(Qt.BrushStyle.NoBrush)
            painter.drawRoundedRect(rect.adjusted(1, 1, -1, -1), 4, 4)

        head, _, tail = text.partition("\n")
        head_font, tail_font = self._fonts(option.font)
        head_h = QFontMetrics(head_font).height()
        tail_h = QFontMetrics(tail_font).height() if tail else 0
        top = rect.top() + (rect.height() - head_h - tail_h) / 2
        center = Qt.AlignmentFlag.AlignHCenter | Qt.AlignmentFlag.AlignVCenter
        painter.setPen(fg)
        head_font = _fitted(head_font, head, int(rect.width()) - 4)
        painter.setFont(head_font)
        elided = QFontMetrics(head_font).elidedText(head, Qt.TextElideMode.ElideRight, int(rect.width()) - 4)
        painter.drawText(QRectF(rect.left(), top, rect.width(), head_h), center, elided)
        if tail:
            muted = QColor(fg)
            muted.setAlphaF(0.78)
            painter.setPen(muted)
            painter.setFont(tail_font)
            elided = QFontMetrics(tail_font).elidedText(tail, Qt.TextElideMode.ElideRight, int(rect.width()) - 4)
            painter.drawText(QRectF(rect.left(), top + head_h, rect.width(), tail_h), center, elided)
        painter.restore()

    def sizeHint(self, option: QStyleOptionViewItem, index: QModelIndex | QPersistentModelIndex) -> QSize:
        text = index.data(Qt.ItemDataRole.DisplayRole)
        if not isinstance(text, str):
            return super().sizeHint(option, index)
        head, _, tail = text.partition("\n")
        head_font, tail_font = self._fonts(option.font)
        width = max(QFontMetrics(head_font).horizontalAdvance(head), QFontMetrics(tail_font).horizontalAdvance(tail))
        height = QFontMetrics(head_font).height() + (QFontMetrics(tail_font).height() if tail else 0)
        return QSize(width + 16, height + 12)

    @staticmethod
    def _fonts(base: QFont) -> tuple[QFont, QFont]:
        head = QFont(base)
        head.setWeight(QFont.Weight.DemiBold)
        tail = QFont(base)
        tail.setPointSizeF(base.pointSizeF() * 0.88 if base.pointSizeF() > 0 else 8.0)
        return head, tail


MIN_SCALE = 0.72
"""How far a cell's first line may shrink to fit a narrow column ("14/32 GPU · langsam") before it is elided."""


def _fitted(font: QFont, text: str, width: int) -> QFont:
    """``font``, made smaller step by step (down to MIN_SCALE) until ``text`` fits ``width``: hinted glyphs do not
    shrink in proportion, so one computed step can fall short."""
    fitted, scale = QFont(font), 1.0
    while QFontMetrics(fitted).horizontalAdvance(text) > width and scale > MIN_SCALE:
        scale -= 0.04
        if font.pointSizeF() > 0:
            fitted.setPointSizeF(font.pointSizeF() * scale)
        else:  # a style sheet's size in pixels
            fitted.setPixelSize(max(1, round(font.pixelSize() * scale)))
    return fitted
