"""Getting started: what to try first, shown once on the first start of a data folder and again from Help.

Three ways in — chat with the demo model, see what fits this machine, find a model — each a button that goes there. The
dialog is not modal: the window stays usable behind it, and it never comes back by itself once shown.
"""

from __future__ import annotations

from PySide6.QtCore import Signal
from PySide6.QtWidgets import QCommandLinkButton, QDialog, QDialogButtonBox, QLabel, QVBoxLayout, QWidget

from app.ui.common.i18n import translate

__all__ = ["WELCOMED_KEY", "WelcomeDialog"]

WELCOMED_KEY = "window/welcomed"
"""ui.ini: whether this data folder's window has shown the guidance once."""


class WelcomeDialog(QDialog):
    """The three first steps; a button emits its request and closes the dialog."""

    chat_requested = Signal()
    fits_requested = Signal()
    discover_requested = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("welcome-dialog")
        self.setWindowTitle(translate("Welcome", "Getting started"))
        heading = QLabel(translate("Welcome", "Welcome to Modelwerk"))
        heading.setObjectName("heading")
        intro = QLabel(translate("Welcome", "Modelwerk runs language models on this computer: it tells you what fits, "
                                            "finds ready-made files on Hugging Face, quantizes models itself and lets you "
                                            "chat with all of them. Three things to try first:"))  # fmt: skip
        intro.setWordWrap(True)
        self.chat_button = QCommandLinkButton(translate("Welcome", "Chat with the demo model"))
        self.chat_button.setObjectName("welcome-chat")
        self.fits_button = QCommandLinkButton(
            translate("Welcome", "See what fits this machine"),
            translate("Welcome", "The Hardware page: your memory and GPUs, which model sizes and quantizations run here, "
                                 "and how fast."),
        )
        self.fits_button.setObjectName("welcome-fits")
        self.discover_button = QCommandLinkButton(
            translate("Welcome", "Find a model"),
            translate("Welcome", "Discover searches Hugging Face and marks each file by whether it fits; downloads resume "
                                 "after a restart."),
        )
        self.discover_button.setObjectName("welcome-discover")
        again = QLabel(translate("Welcome", "This guide is in Help > Getting started whenever you want it again."))
        again.setObjectName("muted")
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(heading)
        layout.addWidget(intro)
        for button, signal in ((self.chat_button, self.chat_requested), (self.fits_button, self.fits_requested),
                               (self.discover_button, self.discover_requested)):  # fmt: skip
            button.clicked.connect(signal.emit)
            button.clicked.connect(self.accept)
            layout.addWidget(button)
        layout.addWidget(again)
        layout.addWidget(buttons)
        self.setMinimumWidth(520)
        self.set_demo("", ready=False, installed=False)

    def set_demo(self, name: str, *, ready: bool, installed: bool) -> None:
        """Say what the demo model is: ``name`` when it is in the Library, being prepared, or not installed."""
        if ready:
            text = translate("Welcome", "{name} is in your Library and loads in seconds. It is a tiny model: expect short, "
                                        "often wrong answers; find a bigger one in Discover.").format(name=name)
        elif installed:
            text = translate("Welcome", "The demo model is being prepared (the status bar shows its progress); this button "
                                        "works once it is ready.")
        else:
            text = translate("Welcome", "No demo model is installed: import a GGUF file (File > Import) or find one below, "
                                        "then chat with it.")
        self.chat_button.setDescription(text)
        self.chat_button.setEnabled(ready)
        self.chat_button.setToolTip("" if ready else text)
