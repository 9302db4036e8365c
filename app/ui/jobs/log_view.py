"""The selected job's log under the Jobs table: read in the pool, re-read at the page's tick while the job writes to it."""

from __future__ import annotations

from PySide6.QtGui import QFont
from PySide6.QtWidgets import QPlainTextEdit, QWidget

from app.ui.common.i18n import translate
from app.ui.common.tasks import TaskGroup
from quantize.queue import JobQueue

LOG_TAIL = 200_000  # characters of a log shown (a long GPTQ log stays readable)


class JobLogView(QPlainTextEdit):
    """Read-only; follows the end of the log unless the user scrolled up."""

    def __init__(self, queue: JobQueue, tasks: TaskGroup, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("job-log")
        self.setReadOnly(True)
        self.setLineWrapMode(QPlainTextEdit.LineWrapMode.NoWrap)
        self.setFont(QFont("monospace"))
        self.setPlaceholderText(translate("Jobs", "The selected job's log"))
        self.queue = queue
        self.tasks = tasks
        self.job_id: int | None = None
        self._dirty = False
        self._reading = False

    def show_job(self, job_id: int | None) -> None:
        """Show this job's log (None: nothing)."""
        if job_id != self.job_id:
            self.job_id = job_id
            self.clear()
            self.read()

    def changed(self, job_id: int) -> None:
        """The job wrote something: the next `tick` reads its log again (if it is the one shown)."""
        if job_id == self.job_id:
            self._dirty = True

    def tick(self) -> None:
        if self._dirty and not self._reading:
            self.read()

    def read(self) -> None:
        job_id = self.job_id
        if job_id is None:
            return
        self._dirty = False
        self._reading = True
        queue = self.queue
        self.tasks.start(lambda: (job_id, queue.read_log(job_id)[-LOG_TAIL:]), self._on_log_read, self._on_log_failed,
                         what="reading a job log")  # fmt: skip

    def _on_log_read(self, result: tuple[int, str]) -> None:
        self._reading = False
        job_id, text = result
        if job_id != self.job_id or text == self.toPlainText():
            return
        bar = self.verticalScrollBar()
        at_end = bar.value() >= bar.maximum() - 4
        self.setPlainText(text)
        if at_end:
            bar.setValue(bar.maximum())

    def _on_log_failed(self, message: str) -> None:
        self._reading = False
        self.setPlainText(translate("Jobs", "Cannot read the log: {error}").format(error=message))
