"""The Library's detail panel: everything about the selected model, its fit on this machine, and what to do with it."""

from __future__ import annotations

import html
from dataclasses import dataclass, replace
from datetime import datetime
from pathlib import Path

from PySide6.QtCore import Qt, QUrl, Signal
from PySide6.QtGui import QDesktopServices, QFontDatabase, QTextDocumentFragment
from PySide6.QtWidgets import (
    QFormLayout,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QPlainTextEdit,
    QPushButton,
    QScrollArea,
    QStackedWidget,
    QVBoxLayout,
    QWidget,
)

from app.library.catalog import CatalogEntry
from app.ui.common.format import context_text, date_text, gib, number, params_text, size_text
from app.ui.common.i18n import QT_TRANSLATE_NOOP, translate
from app.ui.common.messages import text as message_text
from app.ui.common.verdicts import reason_text, verdict_text
from app.ui.hardware.calculator import context_combo
from app.ui.library.catalog_model import FORMAT_NAMES
from app.ui.library.source_text import source_text
from app.ui.library.tensor_view import TensorView
from formats.model import ModelFormat, ModelInfo, TensorInfo
from hardware.fit import FitOptions, FitReport, fit
from hardware.report import HardwareReport


@dataclass(frozen=True)
class Details:
    """What the panel shows beyond the catalog row: read from the files in the pool by `load_details`."""

    info: ModelInfo
    tensors: tuple[TensorInfo, ...] = ()


def load_details(path: Path) -> Details:
    """inspect() plus, for GGUF files, the tensor list of every part (disk I/O: call it off the GUI thread)."""
    from formats.gguf import gguf_header, split_parts
    from formats.inspect import inspect

    info = inspect(path)
    tensors: tuple[TensorInfo, ...] = ()
    if info.format is ModelFormat.GGUF:
        parts = split_parts(info.path) if info.path.is_file() else ()
        tensors = tuple(t for part in parts for t in gguf_header(part).tensors)
    return Details(info, tensors)


def effective_context(chosen: int, info: ModelInfo | None) -> int:
    """The chosen context, capped at the model's training context (running past it makes no sense)."""
    if info is not None and info.shape is not None and info.shape.context_train > 0:
        return min(chosen, info.shape.context_train)
    return chosen


_SELECTABLE = Qt.TextInteractionFlag.TextSelectableByMouse


def breakable(text: str) -> str:
    """HTML for a long name or path that may wrap after / - . (a zero-width space after each), escaped.

    Not after _: Q4_K_M must stay whole."""
    out = html.escape(text)
    for ch in "/-.":
        out = out.replace(ch, ch + "&#8203;")
    return out


def plain(rich: str) -> str:
    """What a rich-text label shows, as plain text."""
    return QTextDocumentFragment.fromHtml(rich).toPlainText().replace("\u200b", "")


def _rich(label: QLabel) -> QLabel:
    label.setTextFormat(Qt.TextFormat.RichText)  # the text is escaped HTML, never guessed at
    label.setWordWrap(True)
    return label


def _when(moment: datetime | None) -> str:
    return date_text(moment) if moment else translate("Library", "never")


def tokens(count: str) -> str:
    """"4,096 tokens": a count already written the interface language's way."""
    return translate("Library", "{count} tokens").format(count=count)


class ModelDetails(QScrollArea):
    """Shows one CatalogEntry at once from the catalog, then its file details once `set_details` delivers them."""

    delete_requested = Signal(object)
    context_changed = Signal(int)

    def __init__(self, options: FitOptions, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("details")
        self._options = options
        self._hw: HardwareReport | None = None
        self._entry: CatalogEntry | None = None
        self._details: Details | None = None
        self._error = ""
        self._hashing = False
        self.fit_report: FitReport | None = None

        self.placeholder = QLabel(
            translate("Library", "Select a model to see its details.\n\nDrop model files or folders anywhere on the window "
                                 "to add them.")
        )
        self.placeholder.setObjectName("muted")
        self.placeholder.setWordWrap(True)
        self.title = _rich(QLabel())
        self.title.setObjectName("heading")
        self.subtitle = QLabel()
        self.subtitle.setObjectName("muted")
        self.subtitle.setTextFormat(Qt.TextFormat.PlainText)  # the file's metadata (architecture…): never markup
        self.subtitle.setWordWrap(True)
        self.path = _rich(QLabel())
        self.path.setObjectName("path")
        self.path.setTextInteractionFlags(self.path.textInteractionFlags() | _SELECTABLE)
        self.warning = QLabel()
        self.warning.setObjectName("error")
        self.warning.setTextFormat(Qt.TextFormat.PlainText)
        self.warning.setWordWrap(True)

        self.context = context_combo(options.context)
        self.verdict = _rich(QLabel())
        self.verdict.setObjectName("verdict")
        self.fit_details = _rich(QLabel())
        self.fit_details.setObjectName("muted")
        fit_box = QGroupBox(translate("Library", "On this machine"))
        fit_layout = QVBoxLayout(fit_box)
        row = QHBoxLayout()
        row.addWidget(QLabel(translate("Library", "Context")))
        row.addWidget(self.context)
        row.addStretch()
        fit_layout.addLayout(row)
        fit_layout.addWidget(self.verdict)
        fit_layout.addWidget(self.fit_details)

        self.facts = QFormLayout()
        self.facts.setHorizontalSpacing(16)
        self.facts.setVerticalSpacing(5)
        facts_box = QGroupBox(translate("Library", "Model"))
        facts_box.setLayout(self.facts)
        self.fields: dict[str, QLabel] = {}

        mono = QFontDatabase.systemFont(QFontDatabase.SystemFont.FixedFont)
        self.template = QPlainTextEdit()
        self.template.setReadOnly(True)
        self.template.setFont(mono)
        self.template.setObjectName("template")
        self.template.setMaximumHeight(180)
        self.template_box = QGroupBox(translate("Library", "Chat template"))
        QVBoxLayout(self.template_box).addWidget(self.template)
        self.tensors = TensorView()
        self.tensors_box = QGroupBox(translate("Library", "Tensors"))
        QVBoxLayout(self.tensors_box).addWidget(self.tensors)

        self.reveal = QPushButton(translate("Library", "Show in folder"))
        self.reveal.setToolTip(translate("Library", "Reveal in file manager: open the folder that holds the model"))
        self.delete = QPushButton(translate("Library", "Delete…"))
        self.chat = QPushButton(translate("Library", "Chat"))
        self.quantize = QPushButton(translate("Library", "Quantize…"))
        self.chat.setObjectName("primary")
        for button in (self.chat, self.quantize):
            button.setEnabled(False)  # the page enables them for a model they apply to
        actions = QHBoxLayout()
        for button in (self.chat, self.quantize, self.reveal, self.delete):
            actions.addWidget(button)
        actions.addStretch()

        content = QWidget()
        content.setObjectName("page")
        layout = QVBoxLayout(content)
        layout.setContentsMargins(16, 14, 16, 16)
        layout.setSpacing(10)
        for label in (self.title, self.subtitle, self.path, self.warning):
            layout.addWidget(label)
        layout.addLayout(actions)
        for box in (fit_box, facts_box, self.template_box, self.tensors_box):
            layout.addWidget(box)
        layout.addStretch()
        empty = QWidget()
        empty.setObjectName("page")
        empty_layout = QVBoxLayout(empty)
        empty_layout.setContentsMargins(24, 40, 24, 24)
        empty_layout.addWidget(self.placeholder)
        empty_layout.addStretch()
        self.stack = QStackedWidget()
        self.stack.addWidget(empty)
        self.stack.addWidget(content)
        self.setWidget(self.stack)
        self.setWidgetResizable(True)
        self.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)  # long names and paths wrap instead

        self.reveal.clicked.connect(self._on_reveal_clicked)
        self.delete.clicked.connect(self._on_delete_clicked)
        self.context.currentIndexChanged.connect(self._on_context_changed)
        self.set_entry(None)

    # --- what the page calls -----------------------------------------------------------------------------------------
    def entry(self) -> CatalogEntry | None:
        return self._entry

    def details(self) -> Details | None:
        return self._details

    def chosen_context(self) -> int:
        return int(self.context.currentData())

    def set_entry(self, entry: CatalogEntry | None) -> None:
        """Show an entry (None: the placeholder). The same id again keeps the file details: only the catalog facts changed."""
        if entry is None or self._entry is None or entry.id != self._entry.id:
            self._details = None
            self._error = ""
            self._hashing = False
        self._entry = entry
        self.stack.setCurrentIndex(0 if entry is None else 1)
        self._refresh()

    def set_details(self, entry_id: int, details: Details | None, error: str = "") -> None:
        """The file details of an entry (or the one-line reason they cannot be read); ignored if another is shown now."""
        if self._entry is None or self._entry.id != entry_id:
            return
        self._details, self._error = details, error
        self._refresh()

    def set_hashing(self, entry_id: int, hashing: bool) -> None:
        if self._entry is not None and self._entry.id == entry_id:
            self._hashing = hashing
            self._refresh_hash()

    def set_hardware(self, hw: HardwareReport) -> None:
        self._hw = hw
        self._refresh_fit()

    def field(self, label: str) -> str:
        """The text shown for a fact (tests and screenshots read it); empty when the row is absent."""
        w = self.fields.get(label)
        return plain(w.text()) if w is not None else ""

    # --- rendering ---------------------------------------------------------------------------------------------------
    def _refresh(self) -> None:
        e = self._entry
        if e is None:
            return
        info = self._details.info if self._details else None
        self.title.setText(breakable(e.name))
        bits = [translate("Library", FORMAT_NAMES.get(e.format, e.format.value)), e.quantization, e.architecture]
        if e.n_params:
            bits.append(translate("Library", "{count} parameters").format(count=params_text(e.n_params)))
        bits.append(size_text(e.size_bytes))
        self.subtitle.setText("  ·  ".join(b for b in bits if b))
        self.path.setText(breakable(str(e.path)))
        warnings = []
        if e.missing:
            warnings.append(translate("Library", "The files of this model are missing from disk."))
        elif self._error:
            warnings.append(translate("Library", "Cannot read the model: {error}").format(error=self._error))
        if info is not None and info.unsafe_reason:
            warnings.append(translate("Library", "Unsafe format — {reason}.").format(reason=info.unsafe_reason))
        self.warning.setText(" ".join(warnings))
        self.warning.setVisible(bool(warnings))
        self.reveal.setEnabled(not e.missing)
        self._fill_facts(e, info)
        self._refresh_hash()
        template = info.chat_template if info else None
        self.template.setPlainText(template or "")
        self.template.setPlaceholderText(
            translate("Library", "Reading…") if info is None and not self._error
            else translate("Library", "This model has no chat template.")
        )
        self.template_box.setVisible(e.format is not ModelFormat.UNSAFE)
        self.tensors.set_tensors(info.tensor_groups if info else (), self._details.tensors if self._details else ())
        self.tensors_box.setVisible(bool(info and info.tensor_groups))
        self._refresh_fit()

    def _fill_facts(self, e: CatalogEntry, info: ModelInfo | None) -> None:
        pending = "…" if info is None and not self._error and not e.missing else "—"
        files = len(e.files)
        in_files = translate("Library", " in %n file(s)", None, files)
        rows: list[tuple[str, str]] = [
            (QT_TRANSLATE_NOOP("Library", "Format"), translate("Library", FORMAT_NAMES.get(e.format, e.format.value))),
            (QT_TRANSLATE_NOOP("Library", "Architecture"), e.architecture or "—"),
            (QT_TRANSLATE_NOOP("Library", "Parameters"),
             f"{params_text(e.n_params)} ({number(e.n_params)})" if e.n_params else "—"),
            (QT_TRANSLATE_NOOP("Library", "Quantization"), e.quantization or "—"),
            (QT_TRANSLATE_NOOP("Library", "Size"), size_text(e.size_bytes) + (in_files if len(e.files) > 1 else "")),
            (QT_TRANSLATE_NOOP("Library", "Context"), tokens(context_text(e.context_length)) if e.context_length else "—"),
        ]
        if info is not None and info.n_layers:
            dims = f"{info.head_dim_k}" if info.head_dim_k == info.head_dim_v else f"{info.head_dim_k} / {info.head_dim_v}"
            rows += [
                (QT_TRANSLATE_NOOP("Library", "Layers"), translate("Library", "{layers} · embedding {embedding}").format(
                    layers=info.n_layers, embedding=number(info.n_embd))),
                (QT_TRANSLATE_NOOP("Library", "Heads"), translate("Library", "{heads} · {kv} KV · dim {dims}").format(
                    heads=info.n_heads, kv=info.n_kv_heads, dims=dims)),
            ]
            if info.sliding_window:
                rows.append((QT_TRANSLATE_NOOP("Library", "Sliding window"), tokens(number(info.sliding_window))))
        else:
            rows += [(QT_TRANSLATE_NOOP("Library", "Layers"), pending), (QT_TRANSLATE_NOOP("Library", "Heads"), pending)]
        if info is not None:
            vocab = " · " + tokens(number(info.n_vocab)) if info.n_vocab else ""
            rows.append((QT_TRANSLATE_NOOP("Library", "Tokenizer"), (info.tokenizer or "—") + vocab))
            rows.append((QT_TRANSLATE_NOOP("Library", "BOS / EOS"), f"{info.bos_token or '—'} / {info.eos_token or '—'}"))
            rows.extend((_label(key), value) for key, value in info.details.items())
        else:
            rows += [(QT_TRANSLATE_NOOP("Library", "Tokenizer"), pending),
                     (QT_TRANSLATE_NOOP("Library", "BOS / EOS"), pending)]
        rows += [
            (QT_TRANSLATE_NOOP("Library", "Source"), source_text(e.source)),
            (QT_TRANSLATE_NOOP("Library", "Added"), _when(e.added)),
            (QT_TRANSLATE_NOOP("Library", "Last used"), _when(e.last_used)),
            ("SHA-256", ""),
        ]
        while self.facts.rowCount():
            self.facts.removeRow(0)
        self.fields = {}
        for label, text in rows:
            value = _rich(QLabel(breakable(text)))
            value.setTextInteractionFlags(value.textInteractionFlags() | _SELECTABLE)
            self.fields[label] = value
            if label == "Size":
                value.setToolTip(translate("Library", "{size} bytes").format(size=number(e.size_bytes)))
            self.facts.addRow(QLabel(translate("Library", label)), value)
        self.fields["SHA-256"].setObjectName("hash")

    def _refresh_hash(self) -> None:
        e = self._entry
        label = self.fields.get("SHA-256")
        if e is None or label is None:
            return
        if e.sha256:
            label.setText("&#8203;".join(e.sha256[i : i + 16] for i in range(0, len(e.sha256), 16)))  # wraps when narrow
        elif e.missing:
            label.setText("—")
        else:
            label.setText(translate("Library", "computing…") if self._hashing else translate("Library", "queued"))

    def _refresh_fit(self) -> None:
        self.fit_report = None
        e, info = self._entry, self._details.info if self._details else None
        verdict, details, placement = "", "", ""
        if e is None:
            return
        if e.missing:
            verdict = translate("Library", "Missing from disk")
        elif info is None:
            verdict = "" if self._error else translate("Library", "Reading the model…")
        elif info.shape is None:
            verdict = translate("Library", "Fit unknown")
            details = html.escape(info.shape_note or translate("Library", "Modelwerk cannot tell this model's memory layout."))
        elif self._hw is None:
            verdict = translate("Library", "Reading the hardware…")
        else:
            ctx = effective_context(self.chosen_context(), info)
            r = fit(info.shape, self._hw, replace(self._options, context=ctx))
            self.fit_report = r
            placement = r.placement.value
            capped = translate("Library", " (the model's maximum)") if ctx < self.chosen_context() else ""
            verdict = translate("Library", "<b>{verdict}</b> at {context} tokens{capped}").format(
                verdict=html.escape(verdict_text(r)), context=number(ctx), capped=capped)
            speed = (translate("Library", "~{speed} tokens/s (estimate)").format(speed=number(r.tokens_per_s, 1))
                     if r.tokens_per_s else translate("Library", "speed unknown"))  # fmt: skip
            needs = f"RAM {gib(r.ram.total)}" + (f", VRAM {gib(r.vram.total)}" if r.vram.total else "")
            if r.fits:
                facts = translate("Library", "{speed} · needs {needs} · KV cache {kv}").format(
                    speed=speed, needs=needs, kv=gib(r.kv_cache))
            else:
                facts = translate("Library", "needs {needs}").format(needs=needs)
            details = f"{html.escape(reason_text(r))}<br>{facts}"
        self.verdict.setText(verdict)
        self.verdict.setProperty("placement", placement)
        self.verdict.style().unpolish(self.verdict)
        self.verdict.style().polish(self.verdict)
        self.fit_details.setText(details)
        self.fit_details.setVisible(bool(details))

    # --- actions -----------------------------------------------------------------------------------------------------
    def _on_context_changed(self, *_: object) -> None:
        self._refresh_fit()
        self.context_changed.emit(self.chosen_context())

    def _on_reveal_clicked(self) -> None:
        if self._entry is None:
            return
        path = self._entry.path
        folder = path.parent if path in self._entry.files else path  # a folder model is its folder; no stat needed
        QDesktopServices.openUrl(QUrl.fromLocalFile(str(folder)))

    def _on_delete_clicked(self) -> None:
        if self._entry is not None:
            self.delete_requested.emit(self._entry)


def _label(key: str) -> str:
    """A detail's label (formats' N_-marked names: "file type") in the interface language, capitalised."""
    shown = message_text(key)
    return shown[:1].upper() + shown[1:]
