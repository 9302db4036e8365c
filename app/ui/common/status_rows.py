"""Inline rows a page shows above its content: a dismissable message banner and a progress row with Cancel."""

from __future__ import annotations

import html

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import QFrame, QHBoxLayout, QLabel, QProgressBar, QPushButton, QToolButton, QWidget

from app.ui.common.format import size_text
from app.ui.common.i18n import translate


class Banner(QFrame):
    """Messages (one line each) until the user closes it; `kind` "error" or "info" colours it (style.qss)."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("banner")
        self.text = QLabel()
        self.text.setWordWrap(True)
        self.text.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.close_button = QToolButton()
        self.close_button.setText("✕")
        self.close_button.setToolTip(translate("Common", "Dismiss"))
        self.close_button.setAutoRaise(True)
        self.close_button.clicked.connect(self.clear)
        layout = QHBoxLayout(self)
        layout.setContentsMargins(12, 8, 8, 8)
        layout.addWidget(self.text, 1)
        layout.addWidget(self.close_button, 0, Qt.AlignmentFlag.AlignTop)
        self._lines: list[str] = []
        self._kind = "info"
        self.hide()

    def add(self, message: str, *, kind: str = "info") -> None:
        """Append a message; an error turns the whole banner into an error banner."""
        if kind == "error" or not self._lines:
            self._kind = kind
        self._lines = [*self._lines[-4:], message]  # the last five: a drop of 100 bad files must not fill the page
        self.text.setText("<br>".join(html.escape(line) for line in self._lines))
        self.setProperty("kind", self._kind)
        self.style().unpolish(self)
        self.style().polish(self)
        self.show()

    def messages(self) -> list[str]:
        return list(self._lines)

    def clear(self) -> None:
        self._lines = []
        self.hide()


class ProgressRow(QFrame):
    """What runs now: a label, a byte progress bar and, for work that can stop, a Cancel button."""

    cancel_clicked = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("progress-row")
        self.label = QLabel()
        self.bar = QProgressBar()
        self.bar.setTextVisible(False)
        self.bar.setFixedWidth(220)
        self.amount = QLabel()
        self.amount.setObjectName("muted")
        self.cancel = QPushButton(translate("Common", "Cancel"))
        self.cancel.clicked.connect(self.cancel_clicked)
        layout = QHBoxLayout(self)
        layout.setContentsMargins(12, 6, 8, 6)
        layout.addWidget(self.label, 1)
        layout.addWidget(self.amount)
        layout.addWidget(self.bar)
        layout.addWidget(self.cancel)
        self.hide()

    def start(self, text: str, *, cancellable: bool) -> None:
        self.label.setText(text)
        self.amount.setText("")
        self.bar.setRange(0, 0)  # busy until the first progress report
        self.cancel.setVisible(cancellable)
        self.cancel.setEnabled(True)
        self.show()

    def set_progress(self, done: int, total: int) -> None:
        if total <= 0:
            return
        self.bar.setRange(0, 1000)
        self.bar.setValue(round(1000 * done / total))
        self.amount.setText(translate("Common", "{done} of {total}").format(done=size_text(done), total=size_text(total)))

    def finish(self) -> None:
        self.hide()
