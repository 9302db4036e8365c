"""The Library's "Quantize…": pick llama.cpp types for a model, each with its predicted size and whether the result
fits this machine, then options (requantize, output tensor, importance matrix) and the output folder.

A GGUF model is quantized as it is. A Hugging Face safetensors folder is converted to an F16 GGUF first (in the toolchain):
the dialog shows that step with its predicted size and whether the toolchain is there, and hides the options that do not
apply to a fresh F16 file. The predictions (app.ui.jobs.quantize_estimates) run in the pool; the rows fill when they arrive.
OK: `specs()` (one `QuantizeSpec` per type) for a GGUF model, `checked_types()` for a folder's recipe; the Jobs page queues
them. A folder that carries its own Python code (quantize.remote_code) is named in the dialog, and OK asks before that code
may run (`trust_remote_code` after accept); declining keeps the dialog open and queues nothing.
"""

from __future__ import annotations

import html
import logging
import shutil
from pathlib import Path

from PySide6.QtCore import Qt
from PySide6.QtGui import QColor
from PySide6.QtWidgets import (
    QCheckBox,
    QDialog,
    QDialogButtonBox,
    QFileDialog,
    QFormLayout,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QPushButton,
    QTreeWidget,
    QTreeWidgetItem,
    QVBoxLayout,
    QWidget,
)

from app.jobs import quantize_specs
from app.library.catalog import CatalogEntry
from app.ui.common.format import duration_text, number, size_text
from app.ui.common.i18n import QT_TRANSLATE_NOOP, translate
from app.ui.common.messages import text as message_text
from app.ui.common.remote_code_dialog import confirm_remote_code
from app.ui.common.tasks import TaskGroup
from app.ui.common.verdicts import reason_text, verdict_text
from app.ui.jobs.quantize_estimates import (
    CONVERT_OUTTYPE,
    TOOLCHAIN_SIZE,
    ConvertStep,
    Prediction,
    TypeRow,
    convert_output,
    predict_folder,
    predict_rows,
)
from formats.model import ModelFormat
from formats.quant_types import GGUF_TYPES
from hardware.fit import FitOptions, FitReport, Placement
from hardware.report import HardwareReport
from quantize.remote_code import find_code
from quantize.spec import QuantizeSpec
from quantize.types import default_type, not_smaller

log = logging.getLogger(__name__)
UNQUANTIZED = ("", "F32", "F16", "BF16")
COL_TYPE, COL_SIZE, COL_FIT, COL_TIME, COL_ABOUT = range(5)
WARNING_COLOR = "#a35d00"  # the style sheet's amber
FIT_COLORS = {Placement.FULL_GPU: "#2e7d32", Placement.PARTIAL: "#b26a00", Placement.CPU_ONLY: "#1565c0",
              Placement.DOES_NOT_FIT: "#c62828"}  # fmt: skip


def fit_text(report: FitReport | None) -> str:
    if report is None:
        return "—"
    return verdict_text(report)


CONVERT_TO_GGUF = QT_TRANSLATE_NOOP("Common", "convert it to GGUF")
"""What a conversion would do with the model, for the remote-code question (app.ui.common.remote_code_dialog)."""

class QuantizeDialog(QDialog):
    """Choose types and options for one GGUF model (`specs()` after accept), or types for a safetensors folder, which is
    converted to F16 first (`convert_mode`; `checked_types()` after accept)."""

    def __init__(self, entry: CatalogEntry, *, hardware: HardwareReport | None, options: FitOptions, out_dir: Path,
                 parent: QWidget | None = None) -> None:  # fmt: skip
        super().__init__(parent)
        self.setObjectName("quantize-dialog")
        self.setWindowTitle(translate("Jobs", "Quantize {name}").format(name=entry.name))
        self.entry = entry
        self.convert_mode = entry.format is ModelFormat.SAFETENSORS
        """A Hugging Face folder: converted to an F16 GGUF first, then quantized (a recipe)."""
        self._convert: ConvertStep | None = None
        self._hw = hardware
        self._options = options
        self._quantization = entry.quantization
        self._default = default_type("" if entry.format is ModelFormat.SAFETENSORS else entry.quantization)
        """The type ticked first: smaller than the source, never its own (quantize.types.default_type)."""
        self._rows: dict[str, TypeRow] = {}
        self.tasks = TaskGroup(self)
        self.finished.connect(self.tasks.close)

        self.summary = QLabel()
        self.summary.setWordWrap(True)
        self.convert_step = QLabel()
        self.convert_step.setObjectName("answer")  # the style sheet's framed note
        self.convert_step.setWordWrap(True)
        self.toolchain = QLabel()
        self.toolchain.setObjectName("muted")
        self.toolchain.setWordWrap(True)
        self.toolchain_missing = False
        """The toolchain check found none (the conversion job would fail until `modelwerk toolchain install`)."""
        self.toolchain.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.types = QTreeWidget()
        self.types.setObjectName("quantize-types")
        self.types.setRootIsDecorated(False)
        self.types.setUniformRowHeights(True)
        self.types.setHeaderLabels([translate("Jobs", "Type"), translate("Jobs", "Predicted size"),
                                    translate("Jobs", "On this machine"), translate("Jobs", "Time"),
                                    translate("Jobs", "About")])  # fmt: skip
        header = self.types.header()
        header.setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        header.setSectionResizeMode(COL_ABOUT, QHeaderView.ResizeMode.Stretch)
        for name, qt in GGUF_TYPES.items():
            item = QTreeWidgetItem([name, "…", "…", "", message_text(qt.description)])
            item.setData(COL_TYPE, Qt.ItemDataRole.UserRole, name)
            item.setFlags(item.flags() | Qt.ItemFlag.ItemIsUserCheckable)
            item.setCheckState(COL_TYPE, Qt.CheckState.Checked if name == self._default else Qt.CheckState.Unchecked)
            for col in (COL_SIZE, COL_TIME):
                item.setTextAlignment(col, Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
            if self.convert_mode and name == CONVERT_OUTTYPE:  # made by the conversion itself
                item.setText(COL_ABOUT, translate("Jobs", "the converted model: step 1's output"))
                item.setCheckState(COL_TYPE, Qt.CheckState.Unchecked)
            self.types.addTopLevelItem(item)

        self.requantize = QCheckBox(translate("Jobs", "Allow requantizing an already quantized model"))
        self.requantize_warning = QLabel()
        self.requantize_warning.setObjectName("warning")
        self.requantize_warning.setWordWrap(True)
        self.keep_output = QCheckBox(translate("Jobs", "Keep the output tensor unquantized (larger, slightly better)"))
        against = translate("Jobs", "the converted F16 model") if self.convert_mode else translate("Jobs", "this model")
        self.evaluate = QCheckBox(translate("Jobs", "Then evaluate each against {against} (perplexity, KL divergence, "
                                                    "speed)").format(against=against))
        self.evaluate.setChecked(True)
        self.imatrix = QLineEdit()
        self.imatrix.setPlaceholderText(translate("Jobs", "none (needed for IQ1/IQ2 types)"))
        imatrix_button = QPushButton(translate("Jobs", "Browse…"))
        imatrix_button.clicked.connect(self._on_imatrix_button_clicked)
        self.out_dir = QLineEdit(str(out_dir))
        out_button = QPushButton(translate("Jobs", "Browse…"))
        out_button.clicked.connect(self._on_out_button_clicked)
        self.up_warning = QLabel()
        self.up_warning.setObjectName("warning")
        self.up_warning.setWordWrap(True)
        self.up_warning.hide()
        self.totals = QLabel()
        self.totals.setObjectName("muted")
        self.problem = QLabel()
        self.problem.setObjectName("warning")
        self.problem.setWordWrap(True)
        self.code_note = QLabel()
        self.code_note.setObjectName("warning")
        self.code_note.setWordWrap(True)
        self.code_note.hide()
        self.code_files: tuple[str, ...] | None = None
        """The folder's code files (quantize.remote_code.find_code), once checked in the pool; () for a GGUF model."""
        self.trust_remote_code = False
        """The user allowed the folder's code to run (asked on OK when it has some)."""

        form = QFormLayout()
        form.addRow("", self.requantize)
        form.addRow("", self.requantize_warning)
        form.addRow("", self.keep_output)
        form.addRow("", self.evaluate)
        form.addRow(translate("Jobs", "Importance matrix"), _row(self.imatrix, imatrix_button))
        form.addRow(translate("Jobs", "Output folder"), _row(self.out_dir, out_button))
        if self.convert_mode:  # a fresh F16 file: nothing to requantize; the recipe has no imatrix or output tensor option
            for row in (0, 1, 2, 4):
                form.setRowVisible(row, False)
            self.out_dir.setReadOnly(True)  # the recipe writes to the models folder
            self.out_dir.setToolTip(translate("Jobs", "The converted and quantized files go to the Modelwerk models folder"))
            out_button.hide()
        self.buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel)
        self.ok_button = self.buttons.button(QDialogButtonBox.StandardButton.Ok)
        self.ok_button.setText(translate("Jobs", "Add to queue"))
        self.buttons.accepted.connect(self.accept)
        self.buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(self.summary)
        layout.addWidget(self.convert_step)
        layout.addWidget(self.toolchain)
        layout.addWidget(self.code_note)
        layout.addWidget(self.types, 1)
        layout.addLayout(form)
        layout.addWidget(self.up_warning)
        layout.addWidget(self.totals)
        layout.addWidget(self.problem)
        layout.addWidget(self.buttons)
        self.resize(860, 640)

        self.types.itemChanged.connect(self._on_types_item_changed)
        self.requantize.toggled.connect(self._update)
        self.imatrix.textChanged.connect(self._update)
        self.out_dir.textChanged.connect(self._on_out_dir_text_changed)
        self.keep_output.toggled.connect(self._on_keep_output_toggled)
        self._free: int | None = None
        self.convert_step.setVisible(self.convert_mode)
        self.toolchain.setVisible(self.convert_mode)
        self._update_summary()
        self._predict()
        self._check_disk()
        self._check_code()

    # --- public ------------------------------------------------------------------------------------------------------
    def busy(self) -> bool:
        return bool(self.tasks.pending())

    def checked_types(self) -> list[str]:
        return [
            str(item.data(COL_TYPE, Qt.ItemDataRole.UserRole))
            for item in self._items()
            if item.checkState(COL_TYPE) == Qt.CheckState.Checked and not item.isDisabled()
        ]

    def set_checked(self, names: list[str]) -> None:
        wanted = {n.upper() for n in names}
        for item in self._items():
            name = str(item.data(COL_TYPE, Qt.ItemDataRole.UserRole))
            item.setCheckState(COL_TYPE, Qt.CheckState.Checked if name in wanted else Qt.CheckState.Unchecked)

    def row(self, name: str) -> tuple[str, ...]:
        """What a type's row shows: (type, size, fit, time, about)."""
        item = next(i for i in self._items() if i.data(COL_TYPE, Qt.ItemDataRole.UserRole) == name)
        return tuple(item.text(c) for c in range(self.types.columnCount()))

    def predicted_bytes(self, name: str) -> int | None:
        """A type's predicted file size (the conversion's output for F16 in convert mode), None until predicted."""
        r = self._rows.get(name)
        return r.estimate.output_bytes if r is not None and r.estimate is not None else None

    def conversion(self) -> ConvertStep | None:
        """The conversion step of a safetensors folder, once predicted."""
        return self._convert

    def source_quantized(self) -> bool:
        return not self.convert_mode and self._quantization.upper() not in UNQUANTIZED

    def specs(self) -> list[QuantizeSpec]:
        """One spec per checked type of a GGUF model, with the chosen options (output names from app.jobs)."""
        imatrix = self.imatrix.text().strip()
        return quantize_specs(
            self.entry.path, self.checked_types(), out_dir=Path(self.out_dir.text().strip()).expanduser(),
            imatrix=Path(imatrix) if imatrix else None, allow_requantize=self.requantize.isChecked(),
            keep_output_tensor=self.keep_output.isChecked(),
        )  # fmt: skip

    def accept(self) -> None:
        """OK: for a folder that carries code, only after the user allowed it in the confirmation (else stay open)."""
        if self.convert_mode:
            files = self.code_files if self.code_files is not None else find_code(self.entry.path)  # the check is pending
            if files and not self.trust_remote_code:
                if not confirm_remote_code(self, self.entry.name, files, action=CONVERT_TO_GGUF):
                    return
                self.trust_remote_code = True
        super().accept()

    def _check_code(self) -> None:
        if not self.convert_mode:
            self.code_files = ()
            return
        source = self.entry.path
        self.tasks.start(lambda: find_code(source), self._on_code_checked, what=f"code check of {self.entry.name}")

    def _on_code_checked(self, files: tuple[str, ...]) -> None:
        self.code_files = files
        more = translate("Jobs", " and {count} more").format(count=len(files) - 6)
        shown = ", ".join(files[:6]) + (more if len(files) > 6 else "")
        self.code_note.setText(translate("Jobs", "This folder carries its own Python code ({files}). Converting it runs that "
                                                 "code only if you allow it when you add the jobs.").format(
            files=html.escape(shown)))  # fmt: skip
        self.code_note.setVisible(bool(files))

    # --- predictions -------------------------------------------------------------------------------------------------
    def _predict(self) -> None:
        source, hw, options, keep = self.entry.path, self._hw, self._options, self.keep_output.isChecked()
        if self.convert_mode:
            out_dir = Path(self.out_dir.text().strip()).expanduser()
            self.tasks.start(lambda: predict_folder(source, hw, options, out_dir=out_dir), self._on_predicted,
                             self._on_predict_failed, what=f"size predictions for {self.entry.name}")  # fmt: skip
            return
        self.tasks.start(lambda: predict_rows(source, hw, options, keep_output_tensor=keep), self._on_predicted,
                         self._on_predict_failed, what=f"size predictions for {self.entry.name}")  # fmt: skip

    def _on_predicted(self, result: Prediction) -> None:
        if result.quantization and result.quantization != self._quantization and not self.convert_mode:
            # The header knows the type better than the catalog did: tick its default if the user kept the first one.
            new_default = default_type(result.quantization)
            if self.checked_types() == ([self._default] if self._default else []):
                self.set_checked([new_default] if new_default else [])
            self._default = new_default
        if result.quantization:
            self._quantization = result.quantization
        self._rows = {r.name: r for r in result.rows}
        self._convert = result.convert
        self.types.blockSignals(True)
        try:
            for item in self._items():
                r = self._rows.get(str(item.data(COL_TYPE, Qt.ItemDataRole.UserRole)))
                if r is None:
                    continue
                if r.estimate is None:
                    item.setText(COL_SIZE, "?")
                    item.setToolTip(COL_SIZE, r.problem)
                    item.setText(COL_FIT, "—")
                    continue
                item.setText(COL_SIZE, size_text(r.estimate.output_bytes))
                item.setToolTip(COL_SIZE, translate("Jobs", "{size} bytes; about {memory} of working memory while it runs")
                                .format(size=number(r.estimate.output_bytes), memory=size_text(r.estimate.memory_bytes)))
                item.setText(COL_TIME, f"~{duration_text(r.estimate.seconds)}")
                unknown = "—" if self._hw is None else translate("Jobs", "shape unknown")
                item.setText(COL_FIT, fit_text(r.fit) if r.fit is not None else unknown)
                if r.fit is not None:
                    item.setForeground(COL_FIT, QColor(FIT_COLORS[r.fit.placement]))
                    item.setToolTip(COL_FIT, translate("Jobs", "At {context} tokens: {reason}").format(
                        context=number(r.fit.options.context), reason=reason_text(r.fit)))
        finally:
            self.types.blockSignals(False)
        self._update_summary()
        self._update()

    def _on_predict_failed(self, message: str) -> None:
        self.problem.setText(translate("Jobs", "Cannot predict sizes: {error}").format(error=message))

    def _check_disk(self) -> None:
        folder = Path(self.out_dir.text().strip()).expanduser()

        def free() -> int | None:
            probe = folder
            while not probe.exists() and probe != probe.parent:
                probe = probe.parent
            try:
                return shutil.disk_usage(probe).free
            except OSError:
                return None

        self.tasks.start(free, self._on_disk_checked, what="free disk space")

    def _on_disk_checked(self, free: int | None) -> None:
        self._free = free
        self._update()

    # --- slots -------------------------------------------------------------------------------------------------------
    def _on_types_item_changed(self, _item: QTreeWidgetItem, column: int) -> None:
        if column == COL_TYPE:
            self._update()

    def _on_keep_output_toggled(self, _on: bool) -> None:
        self._predict()

    def _on_out_dir_text_changed(self, _text: str) -> None:
        self._check_disk()

    def _on_imatrix_button_clicked(self) -> None:
        name, _ = QFileDialog.getOpenFileName(self, translate("Jobs", "Importance matrix"), str(self.entry.path.parent),
                                              translate("Jobs", "Importance matrices (*.dat *.gguf *.imatrix);;All files "
                                                                "(*)"))  # fmt: skip
        if name:
            self.imatrix.setText(name)

    def _on_out_button_clicked(self) -> None:
        name = QFileDialog.getExistingDirectory(self, translate("Jobs", "Output folder"), self.out_dir.text())
        if name:
            self.out_dir.setText(name)

    # --- state -------------------------------------------------------------------------------------------------------
    def _up_note(self, name: str) -> str:
        """The About text of a type that is "up" from the source, "" for one that is smaller."""
        source = "" if self.convert_mode else self._quantization
        if not not_smaller(name, source):
            return ""
        if name == source.upper():
            return translate("Jobs", "⚠ the source's own type ({source}): quantizing again only loses quality").format(
                source=source)
        return translate("Jobs", "⚠ up from {source}: larger, no quality gain").format(source=source)

    def _items(self) -> list[QTreeWidgetItem]:
        items = (self.types.topLevelItem(i) for i in range(self.types.topLevelItemCount()))
        return [item for item in items if item is not None]  # never None for i in range

    def _update_summary(self) -> None:
        quant = self._quantization or "unknown type"
        kind = " · Hugging Face safetensors folder" if self.convert_mode else ""
        self.summary.setText(f"<b>{html.escape(self.entry.name)}</b> · {quant}{kind} · {size_text(self.entry.size_bytes)}"
                             f"<br><span style='color:gray'>{html.escape(str(self.entry.path))}</span>")  # fmt: skip
        if self.convert_mode:
            self._update_convert_step()
        if self.source_quantized():
            self.requantize_warning.setText(translate(
                "Jobs", "This model is already quantized ({quant}): quantizing it again loses quality twice. Start from an "
                        "F16/BF16 file when you have one.").format(quant=self._quantization))  # fmt: skip
        self.requantize_warning.setVisible(self.source_quantized())

    def _update_convert_step(self) -> None:
        """Step 1 of a folder's recipe (the F16 conversion, with its predicted size) and whether the toolchain is there."""
        step = self._convert
        output = step.output if step is not None else convert_output(self.entry.path, Path(self.out_dir.text().strip()))
        est = step.estimate if step is not None else None
        size = f"{size_text(est.output_bytes)}, ~{duration_text(est.seconds)}" if est is not None else "size …"
        self.convert_step.setText(
            f"<b>Step 1:</b> convert to an F16 GGUF with llama.cpp's converter — {html.escape(output.name)} ({size})."
            "<br><b>Step 2:</b> quantize that file to each type checked below."
        )
        need = f"The conversion needs the toolchain (torch and llama.cpp's converter, {TOOLCHAIN_SIZE}, installed once)"
        self.toolchain_missing = step is not None and bool(step.toolchain)
        if step is None:
            text = f"{need}: checking whether it is installed…"
        elif step.toolchain:
            text = (f"<span style='color:{WARNING_COLOR}'>{html.escape(need)}: it is not installed yet, so installing it "
                    "comes first, as a job in the queue (a few minutes; once for every recipe).</span>")  # fmt: skip
        else:
            text = f"{need}: it is installed."
        self.toolchain.setText(text)

    def _update(self) -> None:
        has_imatrix = bool(self.imatrix.text().strip())
        self.types.blockSignals(True)
        for item in self._items():
            name = str(item.data(COL_TYPE, Qt.ItemDataRole.UserRole))
            row = self._rows.get(name)
            # llama.cpp also needs one for a type that puts some of this model's tensors in an IQ1/IQ2 type (IQ3_XS…)
            per_tensor = bool(row is not None and row.estimate is not None and row.estimate.needs_imatrix)
            needs = (GGUF_TYPES[name].needs_imatrix or per_tensor) and not has_imatrix
            converted = self.convert_mode and name == CONVERT_OUTTYPE
            item.setDisabled(needs or converted)
            about = message_text(GGUF_TYPES[name].description)
            tip = translate("Jobs", "made by the conversion (step 1)") if converted else about
            if needs:
                tip = (translate("Jobs", "needs an importance matrix (quantize the converted F16 file for that)")
                       if self.convert_mode else translate("Jobs", "needs an importance matrix"))  # fmt: skip
                if per_tensor and not GGUF_TYPES[name].needs_imatrix:
                    tip += translate("Jobs", " for some of this model's tensors (llama.cpp refuses it without one)")
            item.setToolTip(COL_TYPE, tip)
            up = self._up_note(name)
            item.setText(COL_ABOUT, up or (item.text(COL_ABOUT) if converted else about))
            item.setForeground(COL_ABOUT, QColor(WARNING_COLOR) if up else self.types.palette().text().color())
        self.types.blockSignals(False)
        checked = self.checked_types()
        estimates = [self._rows[n].estimate for n in checked if n in self._rows]
        sizes = [e.output_bytes for e in estimates if e]
        step = self._convert.estimate if self._convert is not None else None
        if self.convert_mode and step is not None:
            sizes.append(step.output_bytes)  # the F16 file stays: the quantizations are evaluated against it
        total = sum(sizes)
        count = len(checked)
        parts = [translate("Jobs", "%n type(s) selected", None, count)]
        if sizes:
            with_f16 = translate("Jobs", " with the F16 conversion") if self.convert_mode else ""
            parts.append(translate("Jobs", "{size} in total").format(size=size_text(total)) + with_f16)
        if self._free is not None:
            parts.append(translate("Jobs", "{size} free in the output folder").format(size=size_text(self._free)))
        self.totals.setText(" · ".join(parts))
        ups = [n for n in checked if self._up_note(n)]
        self.up_warning.setText(
            f"{', '.join(ups)} {'is' if len(ups) == 1 else 'are'} not smaller than the source ({self._quantization}): "
            f"{'a larger or equal file' if len(ups) == 1 else 'larger or equal files'} that cannot win back what "
            f"{self._quantization} lost. Pick a smaller type, or start from the F16/BF16 original."
            if ups else ""
        )
        self.up_warning.setVisible(bool(ups))
        problem = ""
        if not checked:
            problem = translate("Jobs", "Choose at least one type.")
        elif self._convert is not None and self._convert.problem:
            problem = translate("Jobs", "Cannot convert: {error}").format(error=self._convert.problem)
        elif self.source_quantized() and not self.requantize.isChecked():
            problem = translate("Jobs", "The model is already quantized: allow requantizing to go on.")
        elif not self.out_dir.text().strip():
            problem = translate("Jobs", "Choose an output folder.")
        elif self._free is not None and total > self._free:
            problem = translate("Jobs", "Not enough disk space: {needed} needed, {free} free.").format(
                needed=size_text(total), free=size_text(self._free))
        self.problem.setText(problem)
        self.problem.setVisible(bool(problem))
        self.ok_button.setEnabled(not problem)


def _row(*widgets: QWidget) -> QWidget:
    box = QWidget()
    layout = QHBoxLayout(box)
    layout.setContentsMargins(0, 0, 0, 0)
    for w in widgets:
        layout.addWidget(w, 1 if isinstance(w, QLineEdit) else 0)
    return box
