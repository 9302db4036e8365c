"""The Library's "Evaluate code…": which HumanEval problems, System 1 and/or System 2, how many samples — then the Jobs
page queues one code evaluation job per mode. Results shows pass@1 beside the model's perplexity when they finish.

What a run costs is said before it starts: about ``TOKENS_PER_PROBLEM`` tokens per problem and sample (System 2 about
four times that).
"""

from __future__ import annotations

from PySide6.QtWidgets import QCheckBox, QDialog, QDialogButtonBox, QFormLayout, QLabel, QSpinBox, QVBoxLayout, QWidget

from app.library.catalog import CatalogEntry
from app.ui.common.format import number
from app.ui.common.i18n import translate

HUMANEVAL_PROBLEMS = 164
TOKENS_PER_PROBLEM = 250
"""A HumanEval solution with its code fence is ~100-300 tokens; System 2 thinks first and takes several times that."""


class CodeEvalDialog(QDialog):
    """OK: ``problems`` (0: all), ``reasonings`` ("off", "prompted") and ``samples``."""

    def __init__(self, entry: CatalogEntry, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle(translate("Jobs", "Evaluate code — {name}").format(name=entry.name))
        self.entry = entry
        intro = QLabel(translate("Jobs", "The model writes a solution to each HumanEval problem (164 Python functions with "
                                         "tests); each runs against its tests in a sandbox with no network and none of your "
                                         "files. pass@1 is the share it gets right. Compare quantizations of one model in "
                                         "Results."))  # fmt: skip
        intro.setWordWrap(True)
        self.count = QSpinBox()
        self.count.setRange(1, HUMANEVAL_PROBLEMS)
        self.count.setValue(HUMANEVAL_PROBLEMS)
        self.count.setSuffix(translate("Jobs", " of {count}").format(count=HUMANEVAL_PROBLEMS))
        self.system1 = QCheckBox(translate("Jobs", "System 1: answer directly"))
        self.system1.setChecked(True)
        self.system2 = QCheckBox(translate("Jobs", "System 2: think first (prompted reasoning)"))
        self.samples = QSpinBox()
        self.samples.setRange(1, 20)
        self.samples.setToolTip(translate("Jobs", "More than one: sampled at temperature 0.8, and pass@k for k = samples; "
                                                  "one: greedy"))
        self.cost = QLabel()
        self.cost.setObjectName("muted")
        self.cost.setWordWrap(True)
        form = QFormLayout()
        form.addRow(translate("Jobs", "Problems"), self.count)
        form.addRow(translate("Jobs", "Modes"), self.system1)
        form.addRow("", self.system2)
        form.addRow(translate("Jobs", "Samples per problem"), self.samples)
        self.buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel)
        self.buttons.button(QDialogButtonBox.StandardButton.Ok).setText(translate("Jobs", "Queue"))
        self.buttons.accepted.connect(self.accept)
        self.buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(intro)
        layout.addLayout(form)
        layout.addWidget(self.cost)
        layout.addWidget(self.buttons)
        for box in (self.system1, self.system2):
            box.toggled.connect(self._on_choice_changed)
        for spin in (self.count, self.samples):
            spin.valueChanged.connect(self._on_choice_changed)
        self._on_choice_changed()
        self.resize(520, self.sizeHint().height())

    @property
    def problems(self) -> int:
        return 0 if self.count.value() == HUMANEVAL_PROBLEMS else self.count.value()

    @property
    def reasonings(self) -> list[str]:
        return [mode for box, mode in ((self.system1, "off"), (self.system2, "prompted")) if box.isChecked()]

    def _on_choice_changed(self, *_: object) -> None:
        modes = self.reasonings
        self.buttons.button(QDialogButtonBox.StandardButton.Ok).setEnabled(bool(modes))
        tokens = self.count.value() * self.samples.value() * TOKENS_PER_PROBLEM * (
            len(modes) + 3 * ("prompted" in modes))  # fmt: skip
        minutes = round(tokens / 50 / 60)
        self.cost.setText(translate("Jobs", "About {tokens} tokens to generate (at 50 tok/s, {minutes} min). One job per "
                                            "mode; a cancelled or interrupted one goes on where it stopped when retried.")
                          .format(tokens=number(tokens), minutes=minutes)
                          if modes else translate("Jobs", "Choose at least one mode."))  # fmt: skip
