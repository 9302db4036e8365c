"""What quantization cost, per model family: a table of the evaluation results and a chart of size against perplexity or
KL divergence, with generation speed as the size of each point (drawn with QPainter: QtCharts is not installed).

Results come from `quantize.results.ResultStore`, read in the pool.
"""

from __future__ import annotations

import enum
import math
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from PySide6.QtCore import QAbstractTableModel, QModelIndex, QObject, QPersistentModelIndex, QPointF, QRect, QRectF, Qt, Signal
from PySide6.QtGui import QColor, QFont, QPainter, QPaintEvent, QPen
from PySide6.QtWidgets import (
    QComboBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QPushButton,
    QSizePolicy,
    QSplitter,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from app.ui.common.format import size_text
from app.ui.common.i18n import QT_TRANSLATE_NOOP, translate
from app.ui.common.tasks import TaskGroup

Index = QModelIndex | QPersistentModelIndex
Result = dict[str, Any]


class Metric(enum.Enum):
    PERPLEXITY = "perplexity"
    KLD = "kld_mean"
    PASS1 = "pass_at_1"


METRIC_LABELS = {Metric.PERPLEXITY: QT_TRANSLATE_NOOP("Jobs", "Perplexity"),
                 Metric.KLD: QT_TRANSLATE_NOOP("Jobs", "KL divergence (mean)"),
                 Metric.PASS1: QT_TRANSLATE_NOOP("Jobs", "Code pass@1 (modelwerk codeeval)")}  # fmt: skip
COLUMNS = (QT_TRANSLATE_NOOP("Jobs", "Model"), QT_TRANSLATE_NOOP("Jobs", "Type"), QT_TRANSLATE_NOOP("Jobs", "Size"),
           QT_TRANSLATE_NOOP("Jobs", "Perplexity"), QT_TRANSLATE_NOOP("Jobs", "KLD mean"),
           QT_TRANSLATE_NOOP("Jobs", "KLD p99"), QT_TRANSLATE_NOOP("Jobs", "Top-1 agree"),
           QT_TRANSLATE_NOOP("Jobs", "Code pass@1"), QT_TRANSLATE_NOOP("Jobs", "pass@1 thinking"),
           QT_TRANSLATE_NOOP("Jobs", "Gen tok/s"), QT_TRANSLATE_NOOP("Jobs", "Prompt tok/s"))  # fmt: skip


def quant_label(r: Result) -> str:
    """The point label: the quantization type, else the model's file name."""
    return str(r.get("quant_type") or Path(str(r.get("model") or "?")).name)


def _num(value: Any) -> float | None:
    return float(value) if isinstance(value, (int, float)) and math.isfinite(float(value)) else None


class ResultsModel(QAbstractTableModel):
    """Evaluation results (metric dicts) as rows, smallest file first."""

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._rows: list[Result] = []

    def rowCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008 - Qt's signature
        return 0 if parent.isValid() else len(self._rows)

    def columnCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(COLUMNS)

    def headerData(self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if orientation == Qt.Orientation.Horizontal and role == Qt.ItemDataRole.DisplayRole and 0 <= section < len(COLUMNS):
            return translate("Jobs", COLUMNS[section])
        return None

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid() or not 0 <= index.row() < len(self._rows) or not 0 <= index.column() < len(COLUMNS):
            return None
        r = self._rows[index.row()]
        if role == Qt.ItemDataRole.DisplayRole:
            return self._text(r, index.column())
        if role == Qt.ItemDataRole.TextAlignmentRole and index.column() >= 2:
            return int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        if role == Qt.ItemDataRole.ToolTipRole and index.column() == 0:
            if r.get("is_reference"):
                return translate("Jobs", "{model}: the model the others were quantized from and measured against").format(
                    model=r.get("model") or "")
            return str(r.get("model") or "")
        if role == Qt.ItemDataRole.FontRole and r.get("is_reference"):
            font = QFont()
            font.setBold(True)
            return font
        return None

    @staticmethod
    def _text(r: Result, column: int) -> str:
        def fmt(key: str, spec: str) -> str:
            value = _num(r.get(key))
            return "—" if value is None else format(value, spec)

        if column == 0:
            return Path(str(r.get("model") or "?")).name
        if column == 1:
            return quant_label(r)
        if column == 2:
            size = _num(r.get("size_bytes"))
            return "—" if size is None else size_text(size)
        return [fmt("perplexity", ".3f"), fmt("kld_mean", ".4f"), fmt("kld_p99", ".3f"), fmt("top1_agreement", ".1%"),
                fmt("pass_at_1", ".1%"), fmt("pass_at_1_thinking", ".1%"), fmt("gen_tps", ".1f"),
                fmt("prompt_tps", ".0f")][column - 3]  # fmt: skip

    def set_results(self, rows: Sequence[Result]) -> None:
        self.beginResetModel()
        self._rows = sorted(rows, key=lambda r: (_num(r.get("size_bytes")) or 0.0, quant_label(r)))
        self.endResetModel()

    def results(self) -> list[Result]:
        return list(self._rows)


class ResultsChart(QWidget):
    """Size (x) against the chosen metric (y); each point labelled with its type, its area growing with generation speed."""

    MARGIN_L, MARGIN_R, MARGIN_T, MARGIN_B = 70, 24, 30, 48

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("results-chart")
        self.setMinimumSize(360, 240)
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Expanding)
        self._results: list[Result] = []
        self.measure = Metric.PERPLEXITY  # not `metric`: that would hide QWidget.metric(), which Qt calls

    def set_results(self, rows: Sequence[Result], metric: Metric) -> None:
        self._results = list(rows)
        self.measure = metric
        self.update()

    def points(self) -> list[tuple[str, float, float, float | None]]:
        """(label, size bytes, metric, gen tok/s) of every result the chart can place."""
        out = []
        for r in self._results:
            x, y = _num(r.get("size_bytes")), _num(r.get(self.measure.value))
            if x is not None and y is not None:
                out.append((quant_label(r), x, y, _num(r.get("gen_tps"))))
        return out

    def paintEvent(self, _event: QPaintEvent) -> None:
        p = QPainter(self)
        try:
            self._paint(p)
        finally:
            p.end()  # a painter left to Python's garbage collector outlives the paint event and crashes the next one

    def _paint(self, p: QPainter) -> None:
        p.setRenderHint(QPainter.RenderHint.Antialiasing)
        pal = self.palette()
        p.fillRect(self.rect(), pal.base())
        plot = QRectF(self.MARGIN_L, self.MARGIN_T, self.width() - self.MARGIN_L - self.MARGIN_R,
                      self.height() - self.MARGIN_T - self.MARGIN_B)  # fmt: skip
        text = pal.text().color()
        muted = QColor(text)
        muted.setAlpha(110)
        points = self.points()
        if not points:
            p.setPen(muted)
            what = translate("Jobs", METRIC_LABELS[self.measure])
            p.drawText(self.rect(), Qt.AlignmentFlag.AlignCenter,
                       translate("Jobs", "No results with this measure yet ({what}): evaluate some models").format(what=what))
            return
        xs, ys = [pt[1] for pt in points], [pt[2] for pt in points]
        unit, unit_name = (1024**3, "GiB") if max(xs) >= 1024**3 else (1024**2, "MiB")
        x_ticks = [t * unit for t in nice_ticks(min(xs) / unit, max(xs) / unit)]
        y_ticks = nice_ticks(min(ys), max(ys))
        x0, x1, y0, y1 = x_ticks[0], x_ticks[-1], y_ticks[0], y_ticks[-1]

        def at(x: float, y: float) -> QPointF:
            return QPointF(plot.left() + (x - x0) / (x1 - x0) * plot.width(),
                           plot.bottom() - (y - y0) / (y1 - y0) * plot.height())  # fmt: skip

        grid = QColor(text)
        grid.setAlpha(35)
        small = QFont(self.font())
        small.setPointSizeF(max(7.0, self.font().pointSizeF() * 0.9))
        p.setFont(small)
        for x in x_ticks:
            pt = at(x, y0)
            p.setPen(QPen(grid, 1))
            p.drawLine(QPointF(pt.x(), plot.top()), QPointF(pt.x(), plot.bottom()))
            p.setPen(muted)
            tick = f"{x / unit:g} {unit_name}"
            p.drawText(QRectF(pt.x() - 40, plot.bottom() + 4, 80, 16), Qt.AlignmentFlag.AlignHCenter, tick)
        for y in y_ticks:
            pt = at(x0, y)
            p.setPen(QPen(grid, 1))
            p.drawLine(QPointF(plot.left(), pt.y()), QPointF(plot.right(), pt.y()))
            p.setPen(muted)
            p.drawText(QRectF(0, pt.y() - 8, self.MARGIN_L - 8, 16),
                       Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter, f"{y:.4g}")  # fmt: skip
        p.setPen(QPen(muted, 1))
        p.drawRect(plot)
        p.setPen(text)
        p.drawText(QRectF(plot.left(), plot.bottom() + 22, plot.width(), 18), Qt.AlignmentFlag.AlignHCenter,
                   translate("Jobs", "File size  ·  point area: generation tokens/s"))  # fmt: skip
        p.save()
        p.translate(14, plot.center().y())
        p.rotate(-90)
        p.drawText(QRectF(-plot.height() / 2, -10, plot.height(), 20), Qt.AlignmentFlag.AlignHCenter,
                   translate("Jobs", METRIC_LABELS[self.measure]) + translate("Jobs", "  (lower is better)"))  # fmt: skip
        p.restore()

        speeds = [pt[3] for pt in points if pt[3]]
        fastest = max(speeds) if speeds else 0.0
        accent = pal.highlight().color()
        fill = QColor(accent)
        fill.setAlpha(150)
        placed: list[QRectF] = []
        metrics = p.fontMetrics()
        for _label, x, y, tps in sorted(points, key=lambda pt: (pt[1], pt[2])):
            radius = 4.0 + (9.0 * math.sqrt(tps / fastest) if tps and fastest else 0.0)
            centre = at(x, y)
            p.setPen(QPen(accent.darker(130), 1.5))
            p.setBrush(fill)
            p.drawEllipse(centre, radius, radius)
            placed.append(QRectF(centre.x() - radius, centre.y() - radius, 2 * radius, 2 * radius))
        p.setPen(text)
        for label, x, y, tps in sorted(points, key=lambda pt: (pt[1], pt[2])):
            radius = 4.0 + (9.0 * math.sqrt(tps / fastest) if tps and fastest else 0.0)
            tag = label + (f"  {tps:.0f} t/s" if tps else "")
            box = label_box(at(x, y), radius, metrics.horizontalAdvance(tag) + 4, metrics.height(), placed, self.rect())
            placed.append(box)
            p.drawText(box, Qt.AlignmentFlag.AlignCenter, tag)


def label_box(centre: QPointF, radius: float, width: float, height: float, taken: list[QRectF], bounds: QRect) -> QRectF:
    """Where a point's label goes: the first of eight spots around it that overlaps no point or label drawn so far."""
    r = radius + 2
    spots = [(r, -height / 2), (r, -height - r / 2), (r, r / 2), (-r - width, -height / 2), (-width / 2, -r - height),
             (-width / 2, r), (-r - width, -height - r / 2), (-r - width, r / 2)]  # fmt: skip
    candidates = []
    for dx, dy in spots:
        box = QRectF(centre.x() + dx, centre.y() + dy, width, height)
        box.moveLeft(min(max(box.left(), bounds.left() + 2), bounds.right() - width - 2))
        box.moveTop(min(max(box.top(), bounds.top() + 2), bounds.bottom() - height - 2))
        candidates.append(box)
        if not any(box.intersects(t) for t in taken):
            return box
    return min(candidates, key=lambda b: sum(b.intersected(t).width() * b.intersected(t).height() for t in taken))


def nice_ticks(lo: float, hi: float, count: int = 5) -> list[float]:
    """Round tick values that cover [lo, hi] (at least two)."""
    if hi <= lo:
        pad = abs(lo) * 0.1 or 1.0
        lo, hi = lo - pad, hi + pad
    raw = (hi - lo) / max(count - 1, 1)
    mag = 10 ** math.floor(math.log10(raw))
    step = next(m * mag for m in (1, 2, 2.5, 5, 10) if m * mag >= raw)
    start = math.floor(lo / step) * step
    ticks = [start]
    while ticks[-1] < hi - 1e-12 * abs(hi):
        ticks.append(ticks[-1] + step)
    return ticks if len(ticks) > 1 else [start, start + step]


class ResultsView(QWidget):
    """A family picker, a perplexity/KLD toggle, the results table and the chart."""

    loaded = Signal()

    def __init__(self, db_path: Path, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("results-view")
        self.db_path = db_path
        self.tasks = TaskGroup(self)
        self.destroyed.connect(self.tasks.close)
        self.family = QComboBox()
        self.family.setMinimumContentsLength(12)
        self.family.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToMinimumContentsLengthWithIcon)
        self.quality = QComboBox()
        for m in Metric:
            self.quality.addItem(translate("Jobs", METRIC_LABELS[m]), m)
        self.quality.setMinimumContentsLength(10)
        self.quality.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToMinimumContentsLengthWithIcon)
        self.reload_button = QPushButton(translate("Jobs", "Reload"))
        self.hint = QLabel()
        self.hint.setObjectName("muted")
        self.hint.setSizePolicy(QSizePolicy.Policy.Ignored, QSizePolicy.Policy.Preferred)  # never widens the window
        bar = QHBoxLayout()
        bar.addWidget(QLabel(translate("Jobs", "Family")))
        bar.addWidget(self.family)
        bar.addWidget(QLabel(translate("Jobs", "Quality")))
        bar.addWidget(self.quality)
        bar.addWidget(self.hint, 1)
        bar.addWidget(self.reload_button)
        self.model = ResultsModel(self)
        self.table = QTableView()
        self.table.setModel(self.model)
        self.table.verticalHeader().hide()
        self.table.setSelectionBehavior(QTableView.SelectionBehavior.SelectRows)
        self.table.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        self.table.horizontalHeader().setStretchLastSection(True)
        self.chart = ResultsChart()
        self.splitter = QSplitter(Qt.Orientation.Vertical)
        self.splitter.addWidget(self.table)
        self.splitter.addWidget(self.chart)
        self.splitter.setSizes([200, 360])
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 6, 0, 0)
        layout.addLayout(bar)
        layout.addWidget(self.splitter, 1)
        self._all: list[Result] = []
        self.family.currentIndexChanged.connect(self._on_family_current_index_changed)
        self.quality.currentIndexChanged.connect(self._on_quality_current_index_changed)
        self.reload_button.clicked.connect(self.reload)

    def busy(self) -> bool:
        return bool(self.tasks.pending())

    def reload(self) -> None:
        """Read every result in the pool; the family picker keeps its choice when it still exists."""
        db_path = self.db_path

        def read() -> list[Result]:
            from quantize.results import ResultStore, by_file, with_references

            # one row per file (code evaluations beside perplexity), and the source models too (their files stat'ed here)
            return with_references(by_file(ResultStore(db_path).all()))

        self.tasks.start(read, self._on_results_read, self._on_results_failed, what="evaluation results")

    def set_results(self, results: Sequence[Result]) -> None:
        """Show these results (what the pool read delivers; screenshots and tests call it directly too)."""
        self._all = list(results)
        current = self.family.currentText()
        families = sorted({str(r.get("family") or "") for r in self._all} - {""})
        self.family.blockSignals(True)
        self.family.clear()
        self.family.addItems(families)
        if current in families:
            self.family.setCurrentText(current)
        self.family.blockSignals(False)
        self._show()

    def select_family(self, name: str) -> None:
        self.family.setCurrentText(name)

    def _on_results_read(self, results: list[Result]) -> None:
        self.set_results(results)
        self.loaded.emit()

    def _on_results_failed(self, message: str) -> None:
        self.hint.setText(translate("Jobs", "Cannot read the results: {error}").format(error=message))

    def _on_family_current_index_changed(self, _index: int) -> None:
        self._show()

    def _on_quality_current_index_changed(self, _index: int) -> None:
        self._show()

    def _show(self) -> None:
        family = self.family.currentText()
        rows = [r for r in self._all if r.get("family") == family]
        metric = self.quality.currentData()
        self.model.set_results(rows)
        self.chart.set_results(self.model.results(), metric if isinstance(metric, Metric) else Metric.PERPLEXITY)
        if not self._all:
            self.hint.setText(translate("Jobs", "No evaluations yet: run modelwerk eval MODEL --reference ORIGINAL, or "
                                                "modelwerk codeeval MODEL"))
        else:
            count = len(rows)
            self.hint.setText(translate("Jobs", "%n result(s)", None, count))
