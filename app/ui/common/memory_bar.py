"""A stacked horizontal bar: weights / KV cache / compute / overhead against the memory available."""

from __future__ import annotations

from PySide6.QtCore import QRectF, QSize, Qt
from PySide6.QtGui import QBrush, QColor, QPainter, QPen
from PySide6.QtWidgets import QSizePolicy, QWidget

from app.ui.common.format import gib
from app.ui.common.i18n import QT_TRANSLATE_NOOP, translate
from hardware.fit import Memory

PARTS = (
    ("weights", QT_TRANSLATE_NOOP("Memory", "Weights"), QColor("#3b6fd8")),
    ("kv_cache", QT_TRANSLATE_NOOP("Memory", "KV cache"), QColor("#30a46c")),
    ("compute", QT_TRANSLATE_NOOP("Memory", "Compute"), QColor("#e5a50a")),
    ("overhead", QT_TRANSLATE_NOOP("Memory", "Overhead"), QColor("#9aa4b2")),
)
MARKER = QColor("#1d2430")
OVER = QColor("#c62828")


class MemoryBar(QWidget):
    """Paints one side's memory use; a dark marker shows the budget, red fill past it."""

    def __init__(self, title: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._title = title
        self._memory = Memory()
        self._budget = 0
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Fixed)
        self.setMinimumHeight(46)

    def sizeHint(self) -> QSize:
        return QSize(420, 46)

    def set_memory(self, memory: Memory, budget: int) -> None:
        self._memory = memory
        self._budget = budget
        self.setToolTip(
            "<br>".join(f"{translate('Memory', label)}: {gib(getattr(memory, name))}" for name, label, _ in PARTS)
            + "<br>" + translate("Memory", "Available: {size}").format(size=gib(budget))
        )
        self.update()

    def set_title(self, title: str) -> None:
        self._title = title
        self.update()

    def summary(self) -> str:
        return translate("Memory", "{title}: {used} of {budget} available").format(
            title=self._title, used=gib(self._memory.total), budget=gib(self._budget))

    def overflow(self) -> int:
        """Bytes beyond the budget (0 when it fits)."""
        return max(0, self._memory.total - self._budget)

    def paintEvent(self, event: object) -> None:
        p = QPainter(self)
        p.setRenderHint(QPainter.RenderHint.Antialiasing)
        if not self.isEnabled():
            p.setOpacity(0.4)
        text_h = 18
        p.setPen(self.palette().windowText().color())
        align = Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter
        p.drawText(QRectF(0, 0, self.width(), text_h), align, self.summary())
        if self.overflow():
            p.setPen(OVER)
            right = Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter
            over_text = translate("Memory", "over by {size}").format(size=gib(self.overflow()))
            p.drawText(QRectF(0, 0, self.width(), text_h), right, over_text)
        bar = QRectF(0, text_h + 4, self.width() - 1, self.height() - text_h - 6)
        p.setPen(Qt.PenStyle.NoPen)
        p.setBrush(QColor("#e8ebef"))
        p.drawRoundedRect(bar, 4, 4)
        scale_max = max(self._budget, self._memory.total, 1)
        x = bar.left()
        for name, _, color in PARTS:
            width = bar.width() * getattr(self._memory, name) / scale_max
            if width > 0:
                p.setBrush(color)
                p.drawRect(QRectF(x, bar.top(), width, bar.height()))
                x += width
        if self._budget and self._memory.total > self._budget:
            # Hatch what does not fit, so the parts keep their colours and the excess still stands out.
            over = bar.width() * self._budget / scale_max
            excess = QRectF(bar.left() + over, bar.top(), x - bar.left() - over, bar.height())
            p.setBrush(QColor(255, 255, 255, 90))
            p.drawRect(excess)
            p.setBrush(QBrush(OVER, Qt.BrushStyle.BDiagPattern))
            p.drawRect(excess)
        if self._budget:
            bx = bar.left() + bar.width() * self._budget / scale_max
            p.setPen(QPen(MARKER, 2))
            p.drawLine(int(bx), int(bar.top() - 2), int(bx), int(bar.bottom() + 2))
        p.end()


class MemoryLegend(QWidget):
    """The colour key for MemoryBar."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setMinimumHeight(18)

    def sizeHint(self) -> QSize:
        return QSize(420, 18)

    def paintEvent(self, event: object) -> None:
        p = QPainter(self)
        x = 0
        fm = self.fontMetrics()
        for name, part, color in (*PARTS, ("", QT_TRANSLATE_NOOP("Memory", "Available"), MARKER)):
            label = translate("Memory", part)
            if name:
                p.fillRect(x, 4, 10, 10, color)
            else:  # the budget marker is a line in the bar
                p.fillRect(x + 4, 2, 2, 14, color)
            p.setPen(self.palette().windowText().color())
            p.drawText(x + 14, 14, label)
            x += 14 + fm.horizontalAdvance(label) + 16
        p.end()
