"""Opening a link that came from a model, a model card or any other text Modelwerk did not write.

Only web addresses (http, https) are opened, and only after the user has seen the full address and said yes. Any other
scheme (file:, smb:, ms-settings:, a relative path…) would hand a stranger's choice of local file, share or system
setting to the operating system: those are refused with a message, and nothing is opened.
"""

from __future__ import annotations

import logging

from PySide6.QtCore import Qt, QUrl
from PySide6.QtGui import QDesktopServices
from PySide6.QtWidgets import QMessageBox, QWidget

from app.markdown import WEB_SCHEMES
from app.ui.common.i18n import translate

log = logging.getLogger(__name__)


def refusal(url: QUrl) -> str:
    """Why `url` may not be opened from untrusted text ("" when it may, after asking)."""
    if not url.isValid():
        return translate("Links", "This link is not a valid address.")
    if url.scheme().lower() not in WEB_SCHEMES:
        scheme = url.scheme().lower()
        kind = (translate("Links", "a “{scheme}:” link").format(scheme=scheme) if scheme
                else translate("Links", "a link without a web address"))  # fmt: skip
        return translate("Links", "Modelwerk opens only web links (http and https); this is {kind}.").format(kind=kind)
    if not url.host():
        return translate("Links", "This web link names no site.")
    return ""


def shown_address(url: QUrl) -> str:
    """The address exactly as it will be sent: punycode host and percent-escapes, so look-alike letters cannot hide."""
    return url.toString(QUrl.ComponentFormattingOption.FullyEncoded)


def open_untrusted_link(url: QUrl | str, parent: QWidget | None = None) -> bool:
    """Open an http(s) link in the user's browser after showing its full address; refuse every other scheme.

    Returns:
        True when the link was handed to the browser.
    """
    url = QUrl(url) if isinstance(url, str) else url
    reason = refusal(url)
    address = shown_address(url) if url.isValid() else url.toString()
    if reason:
        log.info("refused to open %r: %s", address, reason)
        text = translate("Links", "{reason} It was not opened.").format(reason=reason) + f"\n\n{address}"
        box = _box(parent, QMessageBox.Icon.Warning, translate("Links", "Link not opened"), text)
        box.setStandardButtons(QMessageBox.StandardButton.Ok)
        box.exec()
        return False
    site = url.host(QUrl.ComponentFormattingOption.FullyEncoded)
    text = (translate("Links", "Open this address in your web browser?") + f"\n\n{address}\n\n"
            + translate("Links", "Site: {site}").format(site=site))  # fmt: skip
    box = _box(parent, QMessageBox.Icon.Question, translate("Links", "Open this link?"), text)
    box.setStandardButtons(QMessageBox.StandardButton.Open | QMessageBox.StandardButton.Cancel)
    box.setDefaultButton(QMessageBox.StandardButton.Cancel)
    box.exec()
    if box.clickedButton() is not box.button(QMessageBox.StandardButton.Open):
        return False
    return bool(QDesktopServices.openUrl(url))


def _box(parent: QWidget | None, icon: QMessageBox.Icon, title: str, text: str) -> QMessageBox:
    box = QMessageBox(parent)
    box.setObjectName("link-box")
    box.setIcon(icon)
    box.setWindowTitle(title)
    box.setTextFormat(Qt.TextFormat.PlainText)  # the address is shown as the characters it is, never as markup
    box.setText(text)
    return box
