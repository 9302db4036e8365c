"""A repository's files as a Qt table model: each downloadable group with its quant, size, fit badge and download state.

Fit verdicts arrive one file at a time from the pool (`set_fit`); download states come from the download queue
(`set_downloads`). The delegate paints the fit column as the Hardware page's advice tiles and the best file's badge.
"""

from __future__ import annotations

import enum
from collections.abc import Iterable, Sequence
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import QAbstractTableModel, QModelIndex, QObject, QPersistentModelIndex, QRectF, Qt
from PySide6.QtGui import QColor, QFont, QFontMetrics, QPainter
from PySide6.QtWidgets import QStyle, QStyledItemDelegate, QStyleOptionViewItem

from app.hub.download_rows import Download, DownloadState
from app.hub.files import FOLDER_AS, FileGroup, FileKind
from app.ui.common.format import number, size_text
from app.ui.common.i18n import QT_TRANSLATE_NOOP, translate
from app.ui.common.messages import text as message_text
from app.ui.common.safe_text import plain_tooltip
from app.ui.common.verdicts import notes_text, reason_text, verdict_text
from app.ui.hardware.advice_model import ACROSS_BG, ACROSS_FG, PLACEMENT_COLORS, SLOW_BG, SLOW_FG, TEXT_COLORS
from app.ui.hardware.advice_text import speed_text, usable_text
from hardware.advice import DEFAULT_USABLE_SPEED, usable
from hardware.fit import FitReport, Placement
from hardware.remote import RemoteWorker, SplitPlan, plan_split
from hardware.report import HardwareReport

if TYPE_CHECKING:
    from app.hub.remote_fit import FileFit

Index = QModelIndex | QPersistentModelIndex
GROUP_ROLE = Qt.ItemDataRole.UserRole + 1
"""The FileGroup of a row."""
FIT_ROLE = Qt.ItemDataRole.UserRole + 2
"""The FileFit once computed; None while pending or for files without a GGUF header."""
PLACEMENT_ROLE = Qt.ItemDataRole.UserRole + 3
BEST_ROLE = Qt.ItemDataRole.UserRole + 4
"""True for the best file for this machine."""
DOWNLOAD_ROLE = Qt.ItemDataRole.UserRole + 5
"""The queue's Download of this file, None if never queued."""
ACTION_ROLE = Qt.ItemDataRole.UserRole + 6
"""(button text, enabled) of the row's download button."""
BEST_BADGE = QT_TRANSLATE_NOOP("Discover", "Best for this machine")
PENDING = QT_TRANSLATE_NOOP("Discover", "checking…")
BADGE_BG = QColor("#1f56c7")
UNKNOWN_BG = QColor("#eef0f3")
UNKNOWN_FG = QColor("#6b7380")


class FileColumn(enum.IntEnum):
    NAME = 0
    QUANT = 1
    SIZE = 2
    FIT = 3
    ACTION = 4


HEADERS = (QT_TRANSLATE_NOOP("Discover", "File"), QT_TRANSLATE_NOOP("Discover", "Quant"),
           QT_TRANSLATE_NOOP("Discover", "Size"), QT_TRANSLATE_NOOP("Discover", "Fits this machine"), "")  # fmt: skip


SLOW = QT_TRANSLATE_NOOP("Discover", "slow")
"""Marks a badge whose file fits but does not reach the usable speed (its tile is greyed too: SLOW_BG)."""



def fit_text(r: FitReport, usable_speed: float = 0.0) -> str:
    """The badge: where it runs, the estimated speed (marked SLOW below `usable_speed`), then the largest context, which a
    narrow column cuts first ("Full GPU · ~45 tok/s · 97k ctx", "CPU · slow ~2.0 tok/s · 8k ctx")."""
    if r.placement is Placement.DOES_NOT_FIT:
        return translate("Discover", "Does not fit")
    layers, total = r.gpu_layers, r.n_layers
    where = {
        Placement.FULL_GPU: translate("Discover", "Full GPU"),
        Placement.PARTIAL: translate("Discover", "{layers}/{total} layers on GPU").format(layers=layers, total=total),
        Placement.CPU_ONLY: "CPU",
    }[r.placement]
    kilo = r.max_context // 1024
    ctx = f"{kilo}k" if kilo else str(r.max_context)
    speed = speed_text(r.tokens_per_s)
    if speed and not usable(r, usable_speed):
        speed = f"{translate('Discover', SLOW)} {speed}"  # before the number: a narrow column cuts the end
    return " · ".join(part for part in (where, speed, translate("Discover", "{ctx} ctx").format(ctx=ctx)) if part)


def across_text(plan: SplitPlan) -> str:
    """The badge of a file that fits only across machines: "Fits across 2 machines · ~4.1 tok/s"."""
    machines = plan.machines  # a plain name: lupdate's parser misses a %n text counted by an expression
    where = translate("Discover", "Fits across %n machines", None, machines)
    speed = speed_text(plan.tokens_per_s)
    return f"{where} · {speed}" if speed else where


def fit_tooltip(f: FileFit, usable_speed: float = 0.0) -> str:
    r = f.report
    if r is None:
        return message_text(f.error_text) if f.error else translate("Discover", "No fit estimate")
    lines = [translate("Discover", "{verdict} at {context} tokens of context: {reason}").format(
        verdict=verdict_text(r), context=number(r.options.context), reason=reason_text(r))]
    if f.group.kind is FileKind.SAFETENSORS:
        lines.insert(0, translate("Discover", "As the {folder_as} GGUF it converts to here (Quantize it myself), estimated "
                                              "from config.json:").format(folder_as=FOLDER_AS))
    if r.fits:
        lines.append(translate("Discover", "Largest context here: {context} tokens").format(context=number(r.max_context)))
        lines.append(translate("Discover", "GPU layers: {layers} of {total}").format(layers=r.gpu_layers, total=r.n_layers))
        if r.tokens_per_s:
            lines.append(translate("Discover", "About {speed} (estimate from the memory bandwidth)").format(
                speed=speed_text(r.tokens_per_s).removeprefix("~")))
            if not usable(r, usable_speed):
                lines.append(translate("Discover", "Below the usable speed of {speed} (setting usable_speed)").format(
                    speed=usable_text(usable_speed)))
        else:
            lines.append(translate("Discover", "Speed unknown until the memory bandwidth is measured"))
    lines += notes_text(r)
    return "\n".join(lines)


def action_for(group: FileGroup, download: Download | None, in_library: bool) -> tuple[str, bool]:
    """The download button of a row: its text and whether it can be clicked."""
    if download is not None:
        state = download.state
        if state is DownloadState.DONE:
            return translate("Discover", "In library"), False
        if state is DownloadState.QUEUED:
            return translate("Discover", "Queued"), False
        if state is DownloadState.RUNNING:
            percent = round(100 * download.fraction)
            return translate("Discover", "Downloading {percent}%").format(percent=percent), False
        if state is DownloadState.PAUSED:
            return translate("Discover", "Resume"), True
        if state is DownloadState.FAILED:
            return translate("Discover", "Retry"), True
    if in_library:
        return translate("Discover", "In library"), False
    if not group.complete:
        return translate("Discover", "Incomplete"), False
    return translate("Discover", "Download"), True


class FilesModel(QAbstractTableModel):
    """Rows: the repository's file groups (GGUFs smallest first, projectors, the folder model)."""

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._groups: list[FileGroup] = []
        self._fits: dict[str, FileFit] = {}
        self._pending: set[str] = set()
        self._best: str | None = None
        self._downloads: dict[str, Download] = {}
        self._in_library: set[str] = set()
        self._blocked = ""
        self._usable_speed = DEFAULT_USABLE_SPEED
        self._workers: tuple[RemoteWorker, ...] = ()
        self._hardware: HardwareReport | None = None

    def set_workers(self, workers: tuple[RemoteWorker, ...], hw: HardwareReport | None) -> None:
        """The other machines (Hardware → Add machine…): a file that does not fit here but fits across them says so."""
        self._workers, self._hardware = workers, hw
        if self._groups:
            self.dataChanged.emit(self.index(0, FileColumn.FIT), self.index(len(self._groups) - 1, FileColumn.FIT))

    def across(self, fit: FileFit) -> SplitPlan | None:
        """The plan across this machine and the other machines of a file that does not fit here alone, if it fits so
        (arithmetic over the model's layers: cheap enough for the GUI thread)."""
        shape, hw = fit.judged_shape, self._hardware
        if not self._workers or hw is None or fit.report is None or fit.report.fits or shape is None:
            return None
        plan = plan_split(shape, hw, self._workers, fit.report.options)
        return plan if plan.fits else None

    def set_usable_speed(self, usable_speed: float) -> None:
        """The tokens/s below which a badge says SLOW (the usable_speed setting)."""
        self._usable_speed = usable_speed
        if self._groups:
            self.dataChanged.emit(self.index(0, FileColumn.FIT), self.index(len(self._groups) - 1, FileColumn.FIT))

    @property
    def usable_speed(self) -> float:
        return self._usable_speed

    # --- Qt API ------------------------------------------------------------------------------------------------------
    def rowCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008 (Qt API)
        return 0 if parent.isValid() else len(self._groups)

    def columnCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008 (Qt API)
        return 0 if parent.isValid() else len(HEADERS)

    def headerData(self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if orientation != Qt.Orientation.Horizontal or not 0 <= section < len(HEADERS):
            return None
        if role == Qt.ItemDataRole.DisplayRole:
            return translate("Discover", HEADERS[section]) if HEADERS[section] else ""
        if role == Qt.ItemDataRole.ToolTipRole and section == FileColumn.FIT:
            return translate("Discover", "Read from each file's header on the hub (a few MB), before anything is downloaded")
        return None

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid() or index.row() >= len(self._groups) or index.column() >= len(HEADERS):
            return None
        g = self._groups[index.row()]
        column = FileColumn(index.column())
        fit = self._fits.get(g.name)
        if role == Qt.ItemDataRole.DisplayRole:
            return self._text(g, column, fit)
        if role == GROUP_ROLE:
            return g
        if role == FIT_ROLE:
            return fit
        if role == PLACEMENT_ROLE:
            return fit.report.placement if fit is not None and fit.report is not None else None
        if role == BEST_ROLE:
            return g.name == self._best
        if role == DOWNLOAD_ROLE:
            return self._downloads.get(g.name)
        if role == ACTION_ROLE:
            return self._action(g)
        if role == Qt.ItemDataRole.FontRole and g.name == self._best:
            font = QFont()
            font.setBold(True)
            return font
        if column == FileColumn.FIT and role in (Qt.ItemDataRole.BackgroundRole, Qt.ItemDataRole.ForegroundRole):
            placement = fit.report.placement if fit is not None and fit.report is not None else None
            if fit is not None and self.across(fit) is not None:
                return ACROSS_BG if role == Qt.ItemDataRole.BackgroundRole else ACROSS_FG
            if fit is not None and fit.report is not None and fit.report.fits and not usable(fit.report, self._usable_speed):
                return SLOW_BG if role == Qt.ItemDataRole.BackgroundRole else SLOW_FG
            if role == Qt.ItemDataRole.BackgroundRole:
                return PLACEMENT_COLORS[placement] if placement is not None else UNKNOWN_BG
            return TEXT_COLORS[placement] if placement is not None else UNKNOWN_FG
        if role == Qt.ItemDataRole.TextAlignmentRole and column == FileColumn.SIZE:
            return int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        if role == Qt.ItemDataRole.ToolTipRole:
            return plain_tooltip(self._tooltip(g, column, fit))  # the hub's file names are shown as written
        return None

    def _text(self, g: FileGroup, column: FileColumn, fit: FileFit | None) -> str:
        if column == FileColumn.NAME:
            return message_text(g.label)
        if column == FileColumn.QUANT:
            if g.kind is FileKind.SAFETENSORS and fit is not None and fit.report is not None:
                return f"→ {FOLDER_AS}"  # judged as the GGUF it converts to
            return g.quant or "—"
        if column == FileColumn.SIZE:
            return size_text(g.size)
        if column == FileColumn.FIT:
            if fit is not None:
                if fit.report is not None:
                    plan = self.across(fit)
                    return across_text(plan) if plan is not None else fit_text(fit.report, self._usable_speed)
                return fit.badge or translate("Discover", "unknown")
            if g.name in self._pending:
                return translate("Discover", PENDING)
            if g.mmproj:
                return translate("Discover", "vision projector")
            return translate("Discover", "GGUF only") if g.kind is not FileKind.GGUF else "—"
        return self._action(g)[0]

    def _tooltip(self, g: FileGroup, column: FileColumn, fit: FileFit | None) -> str | None:
        if column == FileColumn.NAME:
            parts = "\n".join(f"{f.path} ({size_text(f.size)})" for f in g.files[:12])
            more = translate("Discover", "… and {count} more").format(count=len(g.files) - 12)
            more = "\n" + more if len(g.files) > 12 else ""
            note = f"\n{message_text(g.note_text)}" if g.note else ""
            return f"{parts}{more}{note}"
        if column == FileColumn.SIZE:
            files = len(g.files)
            return translate("Discover", "{size} bytes in %n file(s)", None, files).format(size=number(g.size))
        if column == FileColumn.FIT:
            if fit is not None:
                return fit_tooltip(fit, self._usable_speed)
            if g.mmproj:
                return translate("Discover", "A multimodal projector: it is loaded together with a model of this repository")
            if g.kind is not FileKind.GGUF:
                return translate("Discover", "The exact fit is read from GGUF headers; see the recommendation above for this "
                                             "repository")
            return translate("Discover", "Reading the header from the hub…") if g.name in self._pending else None
        if column == FileColumn.ACTION:
            d = self._downloads.get(g.name)
            if self._blocked and action_for(g, d, g.name in self._in_library)[1]:
                return self._blocked
            return message_text(d.error_text) if d is not None and d.error else None
        return None

    def _action(self, g: FileGroup) -> tuple[str, bool]:
        text, enabled = action_for(g, self._downloads.get(g.name), g.name in self._in_library)
        return text, enabled and not self._blocked

    # --- content -----------------------------------------------------------------------------------------------------
    def set_groups(self, groups: Sequence[FileGroup], *, pending: Iterable[str] = ()) -> None:
        """Show a repository's groups; `pending` names those whose fit is on its way."""
        self.beginResetModel()
        self._groups = list(groups)
        self._fits = {}
        self._pending = set(pending)
        self._best = None
        self._downloads = {}
        self._in_library = set()
        self._blocked = ""
        self.endResetModel()

    def set_fit(self, fit: FileFit) -> None:
        name = fit.group.name
        self._pending.discard(name)
        self._fits[name] = fit
        self._changed_row(name)

    def set_best(self, name: str | None) -> None:
        old, self._best = self._best, name
        if self._groups and old != name:
            self.dataChanged.emit(self.index(0, 0), self.index(len(self._groups) - 1, len(HEADERS) - 1))

    def set_downloads(self, downloads: dict[str, Download], in_library: set[str]) -> None:
        """Download states by group name, and the names whose files the Library holds already."""
        if downloads == self._downloads and in_library == self._in_library:
            return
        self._downloads, self._in_library = dict(downloads), set(in_library)
        if self._groups:
            self.dataChanged.emit(self.index(0, FileColumn.ACTION), self.index(len(self._groups) - 1, FileColumn.ACTION))

    def set_blocked(self, reason: str) -> None:
        """Disable every download button with this tooltip (a gated repository without a token); "" enables them."""
        self._blocked = reason
        if self._groups:
            self.dataChanged.emit(self.index(0, FileColumn.ACTION), self.index(len(self._groups) - 1, FileColumn.ACTION))

    def groups(self) -> list[FileGroup]:
        return list(self._groups)

    def fits(self) -> list[FileFit]:
        return [self._fits[g.name] for g in self._groups if g.name in self._fits]

    def pending(self) -> int:
        return len(self._pending)

    def best(self) -> str | None:
        return self._best

    def row_of(self, name: str) -> int:
        return next((i for i, g in enumerate(self._groups) if g.name == name), -1)

    def _changed_row(self, name: str) -> None:
        row = self.row_of(name)
        if row >= 0:
            self.dataChanged.emit(self.index(row, 0), self.index(row, len(HEADERS) - 1))


class FilesDelegate(QStyledItemDelegate):
    """Paints the fit column as a coloured tile and the best file's name with a "Best for this machine" badge."""

    def paint(self, painter: QPainter, option: QStyleOptionViewItem, index: Index) -> None:
        if index.column() == FileColumn.FIT:
            self._paint_fit(painter, option, index)
            return
        if index.column() == FileColumn.NAME and index.data(BEST_ROLE):
            self._paint_best(painter, option, index)
            return
        super().paint(painter, option, index)

    def _paint_fit(self, painter: QPainter, option: QStyleOptionViewItem, index: Index) -> None:
        text = str(index.data(Qt.ItemDataRole.DisplayRole) or "")
        bg, fg = index.data(Qt.ItemDataRole.BackgroundRole), index.data(Qt.ItemDataRole.ForegroundRole)
        rect = QRectF(option.rect).adjusted(3, 4, -3, -4)
        painter.save()
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        painter.setPen(Qt.PenStyle.NoPen)
        painter.setBrush(bg if isinstance(bg, QColor) else UNKNOWN_BG)
        painter.drawRoundedRect(rect, 5, 5)
        font = QFont(option.font)
        font.setWeight(QFont.Weight.DemiBold)
        painter.setFont(font)
        painter.setPen(fg if isinstance(fg, QColor) else UNKNOWN_FG)
        elided = QFontMetrics(font).elidedText(text, Qt.TextElideMode.ElideRight, int(rect.width()) - 12)
        painter.drawText(rect.adjusted(8, 0, -4, 0), Qt.AlignmentFlag.AlignVCenter | Qt.AlignmentFlag.AlignLeft, elided)
        painter.restore()

    def _paint_best(self, painter: QPainter, option: QStyleOptionViewItem, index: Index) -> None:
        """The name on the upper line, the badge under it (the view gives the best row a double height)."""
        opt = QStyleOptionViewItem(option)
        self.initStyleOption(opt, index)
        small = QFont(option.font)
        small.setPointSizeF(max(7.0, option.font.pointSizeF() * 0.85))
        small.setWeight(QFont.Weight.DemiBold)
        metrics = QFontMetrics(small)
        two_lines = option.rect.height() >= 2 * QFontMetrics(opt.font).height() + metrics.height() // 2
        badge_w = metrics.horizontalAdvance(translate("Discover", BEST_BADGE)) + 14
        badge_h = metrics.height() + 4
        if two_lines:
            opt.rect = option.rect.adjusted(0, 2, 0, -(badge_h + 2))
            badge = QRectF(option.rect.left() + 6, option.rect.bottom() - badge_h - 4, badge_w, badge_h)
        else:
            opt.rect = option.rect.adjusted(0, 0, -(badge_w + 8), 0)
            badge = QRectF(option.rect.right() - badge_w - 4, option.rect.center().y() - badge_h / 2, badge_w, badge_h)
        style = opt.widget.style() if opt.widget is not None else None
        if style is not None:
            style.drawControl(QStyle.ControlElement.CE_ItemViewItem, opt, painter, opt.widget)
        painter.save()
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        painter.setPen(Qt.PenStyle.NoPen)
        painter.setBrush(BADGE_BG)
        painter.drawRoundedRect(badge, badge.height() / 2, badge.height() / 2)
        painter.setPen(QColor("white"))
        painter.setFont(small)
        painter.drawText(badge, Qt.AlignmentFlag.AlignCenter, translate("Discover", BEST_BADGE))
        painter.restore()
