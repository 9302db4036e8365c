"""System 1 or System 2 for a conversation: the reasoning toggle's items, and System 2's settings (the thinking budget and,
for prompted reasoning, the strategy).

A tool button next to the reasoning toggle ("1,024 tok · one pass": the thinking budget in tokens, the strategy)
whose menu holds a budget spin box and the three prompted strategies. All three are labelled prompted reasoning: the
model is asked to reason, it was not trained to.
"""

from __future__ import annotations

from PySide6.QtCore import Signal
from PySide6.QtGui import QAction, QActionGroup
from PySide6.QtWidgets import QHBoxLayout, QLabel, QMenu, QSpinBox, QToolButton, QWidget, QWidgetAction

from app.chat.messages import PromptedStrategy, ReasoningMode
from app.chat.reasoning import ThinkingSupport
from app.ui.common.format import number
from app.ui.common.i18n import QT_TRANSLATE_NOOP, translate

STRATEGY_LABELS = {
    PromptedStrategy.BUDGET: QT_TRANSLATE_NOOP("Chat", "One pass: think within the budget, then answer"),
    PromptedStrategy.DRAFT_CRITIQUE_REVISE: QT_TRANSLATE_NOOP("Chat", "Draft → critique → revise (3 passes)"),
    PromptedStrategy.VOTE: QT_TRANSLATE_NOOP("Chat", "Vote: several samples, the most common answer wins"),
}
SHORT_LABELS = {PromptedStrategy.BUDGET: QT_TRANSLATE_NOOP("Chat", "one pass"),
                PromptedStrategy.DRAFT_CRITIQUE_REVISE: QT_TRANSLATE_NOOP("Chat", "draft → revise"),
                PromptedStrategy.VOTE: QT_TRANSLATE_NOOP("Chat", "vote")}  # fmt: skip


class ThinkingControls(QToolButton):
    """Emits `thinking_changed(budget, strategy)` when the user changes either; `set_values` shows stored ones silently."""

    thinking_changed = Signal(int, object)

    def __init__(self, budget: int, strategy: PromptedStrategy, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("thinking-controls")
        self.setPopupMode(QToolButton.ToolButtonPopupMode.InstantPopup)
        self.setToolTip(translate("Chat", "System 2: how many tokens the model may think before it must answer, and how "
                                          "prompted reasoning spends its effort"))  # fmt: skip
        self._updating = False
        menu = QMenu(self)
        row = QWidget()
        layout = QHBoxLayout(row)
        layout.setContentsMargins(10, 4, 10, 4)
        layout.addWidget(QLabel(translate("Chat", "Thinking budget")))
        self.budget = QSpinBox()
        self.budget.setRange(16, 32_768)
        self.budget.setSingleStep(256)
        self.budget.setSuffix(translate("Chat", " tokens"))
        layout.addWidget(self.budget)
        budget_action = QWidgetAction(menu)
        budget_action.setDefaultWidget(row)
        menu.addAction(budget_action)
        menu.addSection(translate("Chat", "Prompted reasoning"))
        self._group = QActionGroup(self)
        self.strategy_actions: dict[PromptedStrategy, QAction] = {}
        for choice, label in STRATEGY_LABELS.items():
            action = menu.addAction(translate("Chat", label))
            action.setCheckable(True)
            action.setData(choice.value)
            self._group.addAction(action)
            self.strategy_actions[choice] = action
        self.setMenu(menu)
        self.budget.valueChanged.connect(self._on_budget_value_changed)
        self._group.triggered.connect(self._on_group_triggered)
        self.set_values(budget, strategy)

    def values(self) -> tuple[int, PromptedStrategy]:
        checked = self._group.checkedAction()
        strategy = PromptedStrategy(checked.data()) if checked is not None else PromptedStrategy.BUDGET
        return self.budget.value(), strategy

    def set_values(self, budget: int, strategy: PromptedStrategy) -> None:
        self._updating = True
        self.budget.setValue(budget)
        self.strategy_actions[strategy].setChecked(True)
        self._updating = False
        self._label()

    def set_prompted(self, prompted: bool) -> None:
        """Strategies apply to prompted reasoning only; native thinking uses the budget alone."""
        for action in self.strategy_actions.values():
            action.setEnabled(prompted)
        self._label()

    def _label(self) -> None:
        budget, strategy = self.values()
        prompted = next(iter(self.strategy_actions.values())).isEnabled()
        short = translate("Chat", SHORT_LABELS[strategy])
        self.setText(f"{number(budget)} tok" + (f" · {short}" if prompted else ""))

    def _on_budget_value_changed(self, _value: int) -> None:
        self._changed()

    def _on_group_triggered(self, _action: QAction) -> None:
        self._changed()

    def _changed(self) -> None:
        self._label()
        if not self._updating:
            self.thinking_changed.emit(*self.values())


def reasoning_choices(support: ThinkingSupport) -> list[tuple[str, ReasoningMode]]:
    """The reasoning toggle's items: System 1, then System 2 with the kind of thinking it uses."""
    items = [(translate("Chat", "System 1 · answer at once"), ReasoningMode.OFF)]
    if support.native:
        items.append((f"System 2 · {support.label}", ReasoningMode.NATIVE))
    items.append((translate("Chat", "System 2 · prompted reasoning"), ReasoningMode.PROMPTED))
    return items
