"""The repository view of the Discover page: what the repository is, its files with fit badges, and its model card.

The page feeds it (`set_details`, `set_fit`, `set_recommendation`...); it never calls the hub itself.
"""

from __future__ import annotations

import html
import re
from collections.abc import Sequence
from typing import TYPE_CHECKING

from PySide6.QtCore import QModelIndex, Qt, QUrl, Signal
from PySide6.QtGui import QGuiApplication
from PySide6.QtWidgets import (
    QAbstractItemView,
    QGroupBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QPushButton,
    QStackedWidget,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from app.hub.files import FileGroup, FileKind
from app.hub.results import RepoDetails, SearchResult
from app.ui.common.format import params_text, size_text
from app.ui.common.i18n import QT_TRANSLATE_NOOP, translate
from app.ui.common.links import open_untrusted_link
from app.ui.common.messages import text as message_text
from app.ui.common.safe_text import SafeTextBrowser
from app.ui.discover.files_model import ACTION_ROLE, BEST_ROLE, GROUP_ROLE, FileColumn, FilesDelegate, FilesModel, fit_text
from app.ui.discover.results_model import age_text, count_text
from app.ui.hardware.advice_text import speed_text as advice_speed_text
from app.ui.hardware.advice_text import usable_text

if TYPE_CHECKING:
    from app.hub.remote_fit import FileFit, Recommendation

ROW_HEIGHT = 30
BEST_ROW_HEIGHT = 48
MAX_VISIBLE_ROWS = 9
MAX_QUANTIZATIONS_SHOWN = 5
EMPTY_TEXT = QT_TRANSLATE_NOOP(
    "Discover", "Pick a repository to see its files, and which of them fit this machine, before downloading anything."
)
_HUB_LINK = re.compile(r"^(?:https?://[^/]+)?/?([A-Za-z0-9][\w.-]*/[\w.-]+)/?$")


def best_text(best: FileFit | None, fits: Sequence[FileFit], usable_speed: float) -> str:
    """The label over the files: the best usable file, or why there is none and what comes closest."""
    if best is not None and best.report is not None:
        best_label = html.escape(translate("Discover", "Best for this machine:"))
        return f"<b>{best_label}</b> {html.escape(message_text(best.group.label))} — {fit_text(best.report, usable_speed)}"
    from app.hub.remote_fit import fastest_file

    fastest = fastest_file(fits)
    if fastest is not None and fastest.report is not None:
        return translate("Discover", "<b>None of these files reaches the usable {usable} here.</b> The fastest, {name}, "
                                     "makes {speed}: a smaller model would be faster, or lower the usable speed in the "
                                     "settings if that pace is fine.").format(
            usable=usable_text(usable_speed), name=html.escape(message_text(fastest.group.label)),
            speed=advice_speed_text(fastest.report.tokens_per_s))  # fmt: skip
    if any(f.group.kind is FileKind.GGUF for f in fits):
        return translate("Discover", "<b>None of these files fits this machine.</b> A smaller quantization or model would.")
    return ""


class RepoView(QWidget):
    """Header, gated note, "Ready-made or self-made" box, files table (fit badges, Download buttons), model card."""

    download_requested = Signal(object)
    """A FileGroup whose Download button was clicked."""
    repo_requested = Signal(str)
    """A repository id to open (a quantization in the recommendation box, or a link in the card)."""
    recommended_requested = Signal(str, str)
    """(repository, quantization): download the ready-made file the recommendation names."""
    self_quantize_requested = Signal(object, str)
    """"Quantize it myself": the original's safetensors FileGroup to download, and the llama.cpp type to make of it."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("repo-view")
        self.details: RepoDetails | None = None
        self.empty = QLabel(translate("Discover", EMPTY_TEXT))
        self.empty.setObjectName("muted")
        self.empty.setWordWrap(True)
        self.empty.setAlignment(Qt.AlignmentFlag.AlignCenter)

        self.title = QLabel()
        self.title.setObjectName("repo-title")
        self.title.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.meta = QLabel()
        self.meta.setObjectName("muted")
        self.tags = QLabel()
        self.tags.setObjectName("muted")
        self.tags.setWordWrap(True)
        self.message = QLabel()  # gated note, offline note, or why the repository cannot be shown
        self.message.setObjectName("repo-note")
        self.message.setWordWrap(True)
        self.message.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.message.hide()
        for label in (self.title, self.meta, self.tags, self.message):  # the repository's own words: never markup
            label.setTextFormat(Qt.TextFormat.PlainText)

        self.advice = QGroupBox(translate("Discover", "Ready-made or self-made"))
        self.recommendation = QLabel()
        self.recommendation.setTextFormat(Qt.TextFormat.PlainText)
        self.recommendation.setWordWrap(True)
        self.quantizations = QListWidget()
        self.quantizations.setObjectName("quantizations")
        self.quantizations.itemActivated.connect(self._on_quantizations_item_activated)
        self.quantizations.itemClicked.connect(self._on_quantizations_item_activated)
        self.command = QLineEdit()
        self.command.setReadOnly(True)
        self.command.setObjectName("command")
        self.copy = QPushButton(translate("Discover", "Copy"))
        self.copy.setToolTip(translate("Discover", "Copy the command, to run it in a terminal"))
        self.copy.clicked.connect(self._on_copy_clicked)
        self.quantize_myself = QPushButton(translate("Discover", "Quantize it myself"))
        self.quantize_myself.setObjectName("quantize-myself")
        self.quantize_myself.clicked.connect(self._on_quantize_myself_clicked)
        self._self_quantize: tuple[FileGroup, str] | None = None
        command_row = QHBoxLayout()
        command_row.addWidget(self.command, 1)
        command_row.addWidget(self.copy)
        command_row.addWidget(self.quantize_myself)
        self.command_box = QWidget()
        self.command_box.setLayout(command_row)
        command_row.setContentsMargins(0, 0, 0, 0)
        self.get_recommended = QPushButton()
        self.get_recommended.setObjectName("get-recommended")
        self.get_recommended.clicked.connect(self._on_get_recommended_clicked)
        self._recommended: tuple[str, str] | None = None
        get_row = QHBoxLayout()
        get_row.setContentsMargins(0, 0, 0, 0)
        get_row.addWidget(self.get_recommended)
        get_row.addStretch()
        box = QVBoxLayout(self.advice)
        box.addWidget(self.recommendation)
        box.addLayout(get_row)
        box.addWidget(self.quantizations)
        box.addWidget(self.command_box)
        self.advice.hide()

        self.best = QLabel()
        self.best.setObjectName("best")
        self.best.setWordWrap(True)
        self.model = FilesModel(self)
        self.files = QTableView()
        self.files.setObjectName("files-table")
        self.files.setModel(self.model)
        self.files.setItemDelegate(FilesDelegate(self.files))
        self.files.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.files.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.files.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.files.setShowGrid(False)
        self.files.setWordWrap(False)
        self.files.setTextElideMode(Qt.TextElideMode.ElideMiddle)
        self.files.verticalHeader().hide()
        self.files.verticalHeader().setDefaultSectionSize(ROW_HEIGHT)
        header = self.files.horizontalHeader()
        header.setDefaultAlignment(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter)
        header.setHighlightSections(False)
        header.setSectionResizeMode(FileColumn.NAME, QHeaderView.ResizeMode.Stretch)
        for column, width in ((FileColumn.QUANT, 64), (FileColumn.SIZE, 78), (FileColumn.FIT, 160), (FileColumn.ACTION, 124)):
            header.setSectionResizeMode(column, QHeaderView.ResizeMode.Interactive)
            self.files.setColumnWidth(column, width)
        self.model.modelReset.connect(self._on_model_model_reset)
        self.model.dataChanged.connect(self._on_model_data_changed)

        self.card = SafeTextBrowser()  # the card is the repository owner's text: no HTML, nothing loaded
        self.card.setObjectName("model-card")
        self.card.anchorClicked.connect(self._on_card_anchor_clicked)

        # A plain layout, not a splitter: it honours the wrapped labels' height for their width, so the files table
        # always shows its rows whole and the card takes the rest.
        content = QWidget()
        stack = QVBoxLayout(content)
        stack.setContentsMargins(0, 0, 0, 0)
        stack.setSpacing(6)
        stack.addWidget(self.title)
        stack.addWidget(self.meta)
        stack.addWidget(self.tags)
        stack.addWidget(self.message)
        stack.addWidget(self.advice)
        stack.addWidget(self.best)
        stack.addWidget(self.files)
        stack.addSpacing(4)
        stack.addWidget(self.card, 1)

        self.stack = QStackedWidget()
        self.stack.addWidget(self.empty)
        self.stack.addWidget(content)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.stack)

    # --- what the page feeds it ----------------------------------------------------------------------------------------
    def show_loading(self, result: SearchResult | None, repo_id: str) -> None:
        """Clear the view for `repo_id`, showing what the search result knows until the details arrive."""
        self.details = None
        self.stack.setCurrentIndex(1)
        self.title.setText(repo_id)
        self.meta.setText(_meta(result.downloads, result.likes, result.updated, result.n_params) if result else "")
        self.tags.setText(translate("Discover", "Loading…"))
        self.set_message("")
        self.advice.hide()
        self.best.hide()
        self.model.set_groups([])
        self.card.clear()

    def show_error(self, repo_id: str, message: str) -> None:
        self.stack.setCurrentIndex(1)
        self.title.setText(repo_id)
        self.tags.setText("")
        self.set_message(message, error=True)

    def set_details(self, details: RepoDetails, *, pending: Sequence[str]) -> None:
        self.details = details
        self.stack.setCurrentIndex(1)
        self.title.setText(details.repo_id)
        self.meta.setText(_meta(details.downloads, details.likes, details.updated, details.n_params))
        shown = [t for t in details.tags if ":" not in t and t not in ("region:us",)][:14]
        based = translate("Discover", "Based on {models}").format(models=", ".join(details.base_models))
        base = based if details.base_models else ""
        self.tags.setText(" · ".join([*([base] if base else []), ", ".join(shown)]) if shown or base else "")
        self.set_message("")
        self.advice.setVisible(details.is_original)
        if details.is_original:
            self.recommendation.setText(translate("Discover", "Looking for ready-made quantizations of this model…"))
            self.quantizations.clear()
            self.quantizations.hide()
            self.command_box.hide()
            self.get_recommended.hide()
            self._self_quantize = None
        self.best.hide()
        self.model.set_groups(details.groups, pending=pending)
        self.card.set_markdown(details.card or "*This repository has no model card.*")
        self.card.verticalScrollBar().setValue(0)
        self._fit_table()

    def set_message(self, text: str, *, error: bool = False) -> None:
        self.message.setText(text)
        self.message.setProperty("kind", "error" if error else "info")
        self.message.style().unpolish(self.message)
        self.message.style().polish(self.message)
        self.message.setVisible(bool(text))

    def set_fit(self, fit: FileFit) -> None:
        self.model.set_fit(fit)

    def set_best(self, best: FileFit | None, *, done: bool) -> None:
        """The best file once every fit is in; `done` False keeps the label hidden."""
        self.model.set_best(best.group.name if best is not None else None)
        for row in range(self.model.rowCount()):  # the best row is taller: its badge goes under the name
            self.files.setRowHeight(row, BEST_ROW_HEIGHT if self.model.index(row, 0).data(BEST_ROLE) else ROW_HEIGHT)
        self._fit_table()
        if not done:
            return
        self.best.setText(best_text(best, self.model.fits(), self.model.usable_speed))
        self.best.setVisible(bool(self.best.text()))

    def set_recommendation(self, rec: Recommendation | None, quantizations: Sequence[SearchResult], error: str = "") -> None:
        if error:
            self.recommendation.setText(translate("Discover", "Cannot look for quantizations: {error}").format(error=error))
            return
        self.recommendation.setText(rec.text if rec is not None else "")
        self.quantizations.clear()
        for r in quantizations:
            fmt = "/".join(f.upper() for f in r.formats if f in ("gguf", "gptq")) or translate("Discover", "other")
            downloads = translate("Discover", "{count} downloads").format(count=count_text(r.downloads))
            item = QListWidgetItem(f"{r.repo_id}   ·   {fmt} · {downloads}")
            item.setData(Qt.ItemDataRole.UserRole, r.repo_id)
            if rec is not None and r.repo_id == rec.repo_id:
                font = item.font()
                font.setBold(True)
                item.setFont(font)
            self.quantizations.addItem(item)
        self.quantizations.setVisible(bool(quantizations))
        shown = min(self.quantizations.count(), MAX_QUANTIZATIONS_SHOWN)  # as tall as its rows, up to a few
        rows = sum(self.quantizations.sizeHintForRow(r) for r in range(shown))
        self.quantizations.setFixedHeight(rows + 2 * self.quantizations.frameWidth() + 4)
        self._recommended = None
        if rec is not None and rec.repo_id and rec.quant and not rec.command:  # a ready-made file to get
            self._recommended = (rec.repo_id, rec.quant)
        self.get_recommended.setVisible(self._recommended is not None)
        if self._recommended is not None:
            repo_id, quant = self._recommended
            self.get_recommended.setEnabled(True)
            owner = repo_id.split("/")[0]
            download = translate("Discover", "Download {quant} from {owner}").format(quant=quant, owner=owner)
            self.get_recommended.setText(download)
            self.get_recommended.setToolTip(translate("Discover", "Queue the {quant} file of {repo} and open that repository")
                                            .format(quant=quant, repo=repo_id))  # fmt: skip
        self.command.setText(rec.command or "" if rec is not None else "")
        self.command_box.setVisible(rec is not None and bool(rec.command))
        original = self._original_weights()
        self._self_quantize = (original, rec.quant) if rec is not None and rec.quant and original is not None else None
        self.quantize_myself.setVisible(self._self_quantize is not None)
        self.quantize_myself.setEnabled(True)
        self.quantize_myself.setText(translate("Discover", "Quantize it myself"))
        if self._self_quantize is not None:
            group, quant = self._self_quantize
            self.quantize_myself.setToolTip(translate(
                "Discover", "Download {name} ({size}), then convert it to GGUF and quantize it to {quant} in the Jobs queue "
                            "(installing the conversion toolchain first, once, if it is missing)"
            ).format(name=message_text(group.label), size=size_text(group.size), quant=quant))  # fmt: skip

    def _original_weights(self) -> FileGroup | None:
        """The repository's complete safetensors model, the input of a self-made quantization."""
        groups = self.details.groups if self.details is not None else ()
        found = [g for g in groups if g.kind is FileKind.SAFETENSORS and g.complete and not g.mmproj]
        return found[0] if len(found) == 1 else None

    def set_blocked(self, reason: str) -> None:
        self.model.set_blocked(reason)

    def button(self, row: int) -> QPushButton | None:
        """The Download button of a files row."""
        w = self.files.indexWidget(self.model.index(row, FileColumn.ACTION))
        return w if isinstance(w, QPushButton) else None

    # --- internals -----------------------------------------------------------------------------------------------------
    def _fit_table(self) -> None:
        shown = range(min(max(self.model.rowCount(), 1), MAX_VISIBLE_ROWS))
        rows = sum(self.files.rowHeight(r) if r < self.model.rowCount() else ROW_HEIGHT for r in shown)
        self.files.horizontalHeader().ensurePolished()  # the style sheet's padding decides the header's height
        head = self.files.horizontalHeader().sizeHint().height()
        self.files.setFixedHeight(head + rows + 2 * self.files.frameWidth() + 2)

    def _on_model_model_reset(self) -> None:
        for row in range(self.model.rowCount()):
            button = QPushButton()
            button.setObjectName("download-button")
            button.clicked.connect(lambda _c=False, r=row: self._on_button_clicked(r))
            self.files.setIndexWidget(self.model.index(row, FileColumn.ACTION), button)
            self._sync_button(row)
        self._fit_table()

    def _on_model_data_changed(self, top: QModelIndex, bottom: QModelIndex, _roles: object = None) -> None:
        if bottom.column() >= FileColumn.ACTION:
            for row in range(top.row(), bottom.row() + 1):
                self._sync_button(row)

    def _sync_button(self, row: int) -> None:
        button = self.button(row)
        if button is None:
            return
        index = self.model.index(row, FileColumn.ACTION)
        text, enabled = index.data(ACTION_ROLE)
        button.setText(text)
        button.setEnabled(enabled)
        button.setToolTip(index.data(Qt.ItemDataRole.ToolTipRole) or "")

    def _on_button_clicked(self, row: int) -> None:
        group = self.model.index(row, 0).data(GROUP_ROLE)
        if group is not None:
            self.download_requested.emit(group)

    def _on_quantizations_item_activated(self, item: QListWidgetItem) -> None:
        repo_id = item.data(Qt.ItemDataRole.UserRole)
        if isinstance(repo_id, str):
            self.repo_requested.emit(repo_id)

    def _on_get_recommended_clicked(self) -> None:
        if self._recommended is not None:
            self.get_recommended.setEnabled(False)
            self.recommended_requested.emit(*self._recommended)

    def _on_quantize_myself_clicked(self) -> None:
        if self._self_quantize is not None:
            self.quantize_myself.setEnabled(False)
            self.quantize_myself.setText(translate("Discover", "Queued"))
            self.self_quantize_requested.emit(*self._self_quantize)

    def _on_copy_clicked(self) -> None:
        QGuiApplication.clipboard().setText(self.command.text())
        self.copy.setText(translate("Discover", "Copied"))

    def _on_card_anchor_clicked(self, url: QUrl) -> None:
        # Links to other repositories ("/bartowski/X-GGUF", "https://huggingface.co/Org/Model") open here; web links
        # outside after the user has seen the address; other schemes (file:, smb:, ms-settings:) never.
        text = url.toString()
        m = _HUB_LINK.match(text)
        if m and (url.isRelative() or url.host().endswith("huggingface.co")) and not text.startswith("./"):
            self.repo_requested.emit(m[1])
        elif url.isRelative() and self.details is not None:  # "LICENSE", "./docs/x.md": a file of this repository
            open_untrusted_link(QUrl(f"https://huggingface.co/{self.details.repo_id}/blob/main/").resolved(url), self)
        else:
            open_untrusted_link(url, self)


def _meta(downloads: int, likes: int, updated: object, n_params: int | None) -> str:
    from datetime import datetime

    parts = [translate("Discover", "{count} downloads").format(count=count_text(downloads)),
             translate("Discover", "{count} likes").format(count=count_text(likes))]  # fmt: skip
    if isinstance(updated, datetime):
        parts.append(translate("Discover", "updated {age}").format(age=age_text(updated)))
    if n_params:
        parts.append(translate("Discover", "{count} parameters").format(count=params_text(n_params)))
    return " · ".join(parts)
