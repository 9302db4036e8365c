"""The job queue as a Qt table: rows are `quantize.queue.Job` objects, the view only binds.

The page hands in whole `Job` snapshots (read off the GUI thread); the model never touches the queue's database. A running
job's ETA counts down between snapshots from the time its snapshot arrived, so a 500 ms timer can refresh the column without
a query.
"""

from __future__ import annotations

import enum
import time
from collections.abc import Sequence
from typing import Any

from PySide6.QtCore import QAbstractTableModel, QModelIndex, QObject, QPersistentModelIndex, QRectF, Qt
from PySide6.QtGui import QColor, QPainter, QPen
from PySide6.QtWidgets import QHeaderView, QStyle, QStyledItemDelegate, QStyleOptionViewItem, QTableView

from app.ui.common.format import duration_text
from app.ui.common.i18n import QT_TRANSLATE_NOOP, translate
from app.ui.common.messages import said
from app.ui.common.safe_text import plain_tooltip
from quantize.queue import Job, JobState
from quantize.spec import IndexSpec, ToolchainSpec

Index = QModelIndex | QPersistentModelIndex
JOB_ROLE = Qt.ItemDataRole.UserRole + 1
"""The row's `Job`."""
FRACTION_ROLE = Qt.ItemDataRole.UserRole + 2
"""The progress column's fraction 0..1, or None when unknown (the delegate draws a busy bar for a running job)."""

STATE_TEXT = {
    JobState.QUEUED: QT_TRANSLATE_NOOP("Jobs", "Queued"),
    JobState.RUNNING: QT_TRANSLATE_NOOP("Jobs", "Running"),
    JobState.DONE: QT_TRANSLATE_NOOP("Jobs", "Done"),
    JobState.FAILED: QT_TRANSLATE_NOOP("Jobs", "Failed"),
    JobState.CANCELLED: QT_TRANSLATE_NOOP("Jobs", "Cancelled"),
    JobState.INTERRUPTED: QT_TRANSLATE_NOOP("Jobs", "Interrupted"),
}

STATE_COLORS = {JobState.DONE: "#2e7d32", JobState.RUNNING: "#1f5fbf", JobState.FAILED: "#c62828",
                JobState.INTERRUPTED: "#b26a00"}  # fmt: skip


class Column(enum.IntEnum):
    TITLE = 0
    STATE = 1
    PROGRESS = 2
    STAGE = 3
    ETA = 4


HEADERS = {Column.TITLE: QT_TRANSLATE_NOOP("Jobs", "Job"), Column.STATE: QT_TRANSLATE_NOOP("Jobs", "State"),
           Column.PROGRESS: QT_TRANSLATE_NOOP("Jobs", "Progress"), Column.STAGE: QT_TRANSLATE_NOOP("Jobs", "Stage"),
           Column.ETA: QT_TRANSLATE_NOOP("Jobs", "ETA")}  # fmt: skip


STAGES = {
    "load": QT_TRANSLATE_NOOP("Jobs", "load"), "quantize": QT_TRANSLATE_NOOP("Jobs", "quantize"),
    "save": QT_TRANSLATE_NOOP("Jobs", "save"), "done": QT_TRANSLATE_NOOP("Jobs", "done"),
    "convert": QT_TRANSLATE_NOOP("Jobs", "convert"), "write": QT_TRANSLATE_NOOP("Jobs", "write"),
    "resume": QT_TRANSLATE_NOOP("Jobs", "resume"), "problems": QT_TRANSLATE_NOOP("Jobs", "problems"),
    "index": QT_TRANSLATE_NOOP("Jobs", "index"), "evaluate": QT_TRANSLATE_NOOP("Jobs", "evaluate"),
    "speed": QT_TRANSLATE_NOOP("Jobs", "speed"),
}  # fmt: skip
"""The stages the jobs report (their workers' ``progress`` calls); another stage is shown as it is."""


def stage_text(job: Job) -> str:
    """What the job does or how it ended, one line."""
    if job.state is JobState.FAILED or job.state is JobState.INTERRUPTED:
        ended = said(job.error_text, job.error) or said(job.message_text, job.message)
        return ended or translate("Jobs", STATE_TEXT[job.state])
    if job.state is JobState.CANCELLED:
        return translate("Jobs", "cancelled")
    if job.state is JobState.DONE:
        outputs = ", ".join(p.name for p in job.outputs)
        if outputs:
            return translate("Jobs", "wrote {outputs}").format(outputs=outputs)
        return said(job.message_text, job.message) or translate("Jobs", "done")
    stage = translate("Jobs", STAGES[job.stage]) if job.stage in STAGES else job.stage
    parts = [p for p in (stage, said(job.message_text, job.message)) if p]
    if parts:
        return " · ".join(parts)
    return translate("Jobs", "waiting") if job.state is JobState.QUEUED else translate("Jobs", "starting")


def title_text(job: Job) -> str:
    """The job's title in the interface language (one a user or a recipe gave is shown as given)."""
    return said(job.title_text, job.title)


class JobsModel(QAbstractTableModel):
    """One row per job, in queue order."""

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._jobs: list[Job] = []
        self._received: dict[int, float] = {}  # job id -> monotonic time its snapshot arrived (for the ETA countdown)
        self._removed: set[int] = set()
        """Jobs removed from the queue. Snapshots come from several threads and can arrive after the removal; the queue
        never reuses an id (AUTOINCREMENT), so a snapshot of a removed id is always stale."""

    # --- Qt ----------------------------------------------------------------------------------------------------------
    def rowCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008 - Qt's signature
        return 0 if parent.isValid() else len(self._jobs)

    def columnCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(Column)

    def headerData(self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if orientation == Qt.Orientation.Horizontal and role == Qt.ItemDataRole.DisplayRole and 0 <= section < len(Column):
            return translate("Jobs", HEADERS[Column(section)])
        return None

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid() or not 0 <= index.row() < len(self._jobs) or not 0 <= index.column() < len(Column):
            return None
        job = self._jobs[index.row()]
        column = Column(index.column())
        if role == JOB_ROLE:
            return job
        if role == FRACTION_ROLE:
            return self._fraction(job)
        if role == Qt.ItemDataRole.DisplayRole:
            return self._text(job, column)
        if role == Qt.ItemDataRole.ToolTipRole:
            if column == Column.TITLE:
                if isinstance(job.spec, ToolchainSpec):
                    return translate("Jobs", "installs into {folder}").format(folder=job.spec.output)
                if isinstance(job.spec, IndexSpec):
                    return plain_tooltip(translate("Jobs", "indexes the pending files of {collection} in {database}").format(
                        collection=job.spec.collection, database=job.spec.output))
                return f"{job.spec.source} → {job.spec.output}"
            if column == Column.STAGE:
                return stage_text(job)
        if role == Qt.ItemDataRole.ForegroundRole and column == Column.STATE and job.state in STATE_COLORS:
            return QColor(STATE_COLORS[job.state])
        if role == Qt.ItemDataRole.TextAlignmentRole and column in (Column.ETA, Column.PROGRESS):
            return int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        return None

    def flags(self, index: Index) -> Qt.ItemFlag:
        if not index.isValid():
            return Qt.ItemFlag.NoItemFlags
        return Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsSelectable

    # --- updates -----------------------------------------------------------------------------------------------------
    def set_jobs(self, jobs: Sequence[Job]) -> None:
        """Replace every row (a full reload); rows whose job is unchanged keep their place in the selection."""
        jobs = [j for j in jobs if j.id not in self._removed]
        now = time.monotonic()
        if [j.id for j in jobs] == [j.id for j in self._jobs]:
            for row, job in enumerate(jobs):
                if job != self._jobs[row]:
                    self._jobs[row] = job
                    self._received[job.id] = now
                    self.dataChanged.emit(self.index(row, 0), self.index(row, len(Column) - 1))
            return
        self.beginResetModel()
        self._jobs = jobs
        self._received = {j.id: now for j in jobs}
        self.endResetModel()

    def update_job(self, job: Job) -> None:
        """One job's new snapshot (from the runner); a job not shown yet is appended."""
        if job.id in self._removed:
            return
        self._received[job.id] = time.monotonic()
        row = self.row_of(job.id)
        if row < 0:
            self.beginInsertRows(QModelIndex(), len(self._jobs), len(self._jobs))
            self._jobs.append(job)
            self.endInsertRows()
            return
        moved = job.position != self._jobs[row].position
        self._jobs[row] = job
        self.dataChanged.emit(self.index(row, 0), self.index(row, len(Column) - 1))
        if moved:
            self.layoutAboutToBeChanged.emit()
            self._jobs.sort(key=lambda j: j.position)
            self.layoutChanged.emit()

    def remove_job(self, job_id: int) -> None:
        self._removed.add(job_id)
        row = self.row_of(job_id)
        if row >= 0:
            self.beginRemoveRows(QModelIndex(), row, row)
            del self._jobs[row]
            self.endRemoveRows()
        self._received.pop(job_id, None)

    def tick(self) -> None:
        """Refresh the ETA cells of running jobs (the countdown between snapshots)."""
        for row, job in enumerate(self._jobs):
            if job.state is JobState.RUNNING:
                index = self.index(row, Column.ETA)
                self.dataChanged.emit(index, index, [Qt.ItemDataRole.DisplayRole])

    # --- access ------------------------------------------------------------------------------------------------------
    def jobs(self) -> list[Job]:
        return list(self._jobs)

    def job(self, row: int) -> Job:
        return self._jobs[row]

    def row_of(self, job_id: int) -> int:
        return next((row for row, j in enumerate(self._jobs) if j.id == job_id), -1)

    def eta_s(self, job: Job) -> float | None:
        """Seconds left now: the snapshot's ETA less the time since it arrived."""
        if job.state is not JobState.RUNNING or job.eta_s is None:
            return None
        return max(0.0, job.eta_s - (time.monotonic() - self._received.get(job.id, time.monotonic())))

    # --- cells -------------------------------------------------------------------------------------------------------
    @staticmethod
    def _fraction(job: Job) -> float | None:
        if job.state is JobState.DONE:
            return 1.0
        if job.state is JobState.RUNNING:
            return None if job.fraction is None else min(max(job.fraction, 0.0), 1.0)
        return job.fraction if job.state is not JobState.QUEUED else 0.0

    def _text(self, job: Job, column: Column) -> str:
        if column == Column.TITLE:
            return title_text(job)
        if column == Column.STATE:
            return translate("Jobs", STATE_TEXT[job.state])
        if column == Column.PROGRESS:
            fraction = self._fraction(job)
            return "" if fraction is None or job.state is JobState.QUEUED else f"{fraction:.0%}"
        if column == Column.STAGE:
            return stage_text(job)
        eta = self.eta_s(job)
        if eta is not None:
            return duration_text(eta)
        if job.state is JobState.DONE and job.started and job.finished:
            took = duration_text((job.finished - job.started).total_seconds())
            return translate("Jobs", "took {duration}").format(duration=took)
        return "…" if job.state is JobState.RUNNING else ""


class ProgressDelegate(QStyledItemDelegate):
    """Draws the progress column as a bar (the app style's colours); an unknown fraction of a running job as "working…"."""

    TRACK, BORDER, CHUNK, BUSY = QColor("#eef0f3"), QColor("#d5dae1"), QColor("#7aa2ef"), QColor("#c9d8f6")

    def paint(self, painter: QPainter, option: QStyleOptionViewItem, index: Index) -> None:
        fraction = index.data(FRACTION_ROLE)
        job = index.data(JOB_ROLE)
        plain = not isinstance(job, Job) or job.state is JobState.QUEUED
        if plain or (fraction is None and job.state is not JobState.RUNNING):
            super().paint(painter, option, index)
            return
        painter.save()
        try:
            if option.state & QStyle.StateFlag.State_Selected:
                painter.fillRect(option.rect, QColor("#dce6fa"))
            painter.setRenderHint(QPainter.RenderHint.Antialiasing)
            track = QRectF(option.rect.adjusted(6, 7, -6, -7))
            painter.setPen(QPen(self.BORDER, 1))
            painter.setBrush(self.TRACK)
            painter.drawRoundedRect(track, 4, 4)
            chunk = QRectF(track.adjusted(1, 1, -1, -1))
            if fraction is None:
                painter.setBrush(self.BUSY)
                text = translate("Jobs", "working…")
            else:
                chunk.setWidth(chunk.width() * float(fraction))
                painter.setBrush(self.CHUNK)
                text = f"{float(fraction):.0%}"
            painter.setPen(Qt.PenStyle.NoPen)
            if chunk.width() > 0:
                painter.drawRoundedRect(chunk, 3, 3)
            painter.setPen(QColor("#1d2430"))
            painter.drawText(track, Qt.AlignmentFlag.AlignCenter, text)
        finally:
            painter.restore()


def jobs_table(model: JobsModel) -> QTableView:
    """The Jobs page's table: one row per job, a progress bar in its column, whole rows selected."""
    table = QTableView()
    table.setObjectName("jobs-table")
    table.setModel(model)
    table.setItemDelegateForColumn(Column.PROGRESS, ProgressDelegate(table))
    table.setSelectionBehavior(QTableView.SelectionBehavior.SelectRows)
    table.setSelectionMode(QTableView.SelectionMode.SingleSelection)
    table.verticalHeader().hide()
    table.setAlternatingRowColors(True)
    table.setStyleSheet("QTableView::item:selected { border: none; background: #dce6fa; color: #1d2430; }")
    header = table.horizontalHeader()
    header.setSectionResizeMode(Column.TITLE, QHeaderView.ResizeMode.Interactive)
    header.setSectionResizeMode(Column.STAGE, QHeaderView.ResizeMode.Stretch)
    for column, width in ((Column.TITLE, 380), (Column.STATE, 90), (Column.PROGRESS, 150), (Column.ETA, 110)):
        table.setColumnWidth(column, width)
    return table
