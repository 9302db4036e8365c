"""Help > About Modelwerk: the versions inside (Modelwerk, llama.cpp, Qt, Python) and the licenses of what it ships."""

from __future__ import annotations

import html

from PySide6.QtCore import Qt, qVersion
from PySide6.QtGui import QGuiApplication, QPixmap
from PySide6.QtWidgets import QDialog, QDialogButtonBox, QHBoxLayout, QLabel, QTextBrowser, QVBoxLayout, QWidget

from app import about
from app.paths import resource_path
from app.ui.common.i18n import translate


class AboutDialog(QDialog):
    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle(translate("About", "About Modelwerk"))
        self.resize(560, 480)
        versions = about.summary()
        versions["Qt"] = f"{qVersion()} (PySide6 {about.qt_version()})"
        icon = QLabel()
        icon.setPixmap(QPixmap(str(resource_path("icons/modelwerk-128.png"))).scaled(
            72, 72, Qt.AspectRatioMode.KeepAspectRatio, Qt.TransformationMode.SmoothTransformation))  # fmt: skip
        blurb = translate("About", "A workbench for local language models: what fits your machine, ready-made GGUF/GPTQ "
                                   "files, self-quantization with measured quality, chat.")
        title = QLabel(f"<h2>Modelwerk {html.escape(versions['Modelwerk'])}</h2><p>{html.escape(blurb)}</p>")
        title.setWordWrap(True)
        head = QHBoxLayout()
        head.addWidget(icon, 0, Qt.AlignmentFlag.AlignTop)
        head.addWidget(title, 1)
        self.text = QTextBrowser()
        self.text.setOpenExternalLinks(True)
        rows = "".join(f"<tr><td><b>{html.escape(k)}</b></td><td>{html.escape(v)}</td></tr>" for k, v in versions.items())
        licenses = "".join(f"<tr><td>{html.escape(c.name)}</td><td>{html.escape(c.version)}</td>"
                           f"<td>{html.escape(c.license)}</td></tr>" for c in about.components())  # fmt: skip
        self.text.setHtml(
            f"<table cellspacing=4>{rows}</table>"
            + "<h4>{}</h4><p>{}</p>".format(
                translate("About", "Licenses"),
                translate("About", "Modelwerk is Apache-2.0. It ships these components under their own licenses; Qt is "
                                   "used under the LGPL-3.0 as a dynamically linked library you may replace."))
            + "<table cellspacing=4><tr><th align=left>{}</th><th align=left>{}</th><th align=left>{}</th></tr>".format(
                translate("About", "Component"), translate("About", "Version"), translate("About", "License"))
            + f"{licenses}</table>"
        )
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        copy = buttons.addButton(translate("About", "Copy versions"), QDialogButtonBox.ButtonRole.ActionRole)
        copy.clicked.connect(lambda: QGuiApplication.clipboard().setText(
            "\n".join(f"{k}: {v}" for k, v in versions.items())))  # fmt: skip
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addLayout(head)
        layout.addWidget(self.text, 1)
        layout.addWidget(buttons)
