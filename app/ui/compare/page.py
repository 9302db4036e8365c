"""Compare: the same prompt to two loaded models side by side, a vote, and the Elo leaderboard built from the votes.

Any loaded library model or endpoint model can be either side. Two local models that both generate on this machine's CPU
(no GPU layers) answer one after the other: at once they would share the same cores and each run many times slower, so
the second side waits ("waiting for the other side") and starts when the first finishes; an endpoint or a GPU side
answers at the same time. Each side shows its time to first token and its speed. Stop ends both sides at once (a waiting
side never starts). Blind mode hides which model is which (the side labels and the model selectors say only "Model A"
and "Model B", and the sides are shuffled) until the vote is cast, so the vote judges the answers, not the names. Votes
are stored (app.chat.elo) under the models' names; the leaderboard is recomputed from every vote in order.
"""

from __future__ import annotations

import logging
import random

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QGridLayout,
    QHBoxLayout,
    QLabel,
    QPlainTextEdit,
    QPushButton,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from app.chat.elo import Winner, leaderboard, record_vote
from app.chat.engine import ChatEngine
from app.chat.messages import PRESETS, Answer, ChatError, Message, ReasoningMode, Role
from app.chat.runtime import RuntimeState
from app.chat.sessions import endpoint_model_key
from app.chat.turn import ChatTurn
from app.store import Store
from app.ui.chat.answer_job import AnswerJob
from app.ui.chat.backends import ChatBackends
from app.ui.chat.transcript import Bubble, TranscriptView, stats_line
from app.ui.common.errors import error_line
from app.ui.common.i18n import QT_TRANSLATE_NOOP, translate
from app.ui.common.tasks import TaskGroup

log = logging.getLogger(__name__)
WAITING = QT_TRANSLATE_NOOP("Compare", "Waiting for the other side (both run on this CPU: one after the other)…")
VOTES = ((QT_TRANSLATE_NOOP("Compare", "A is better"), Winner.A), (QT_TRANSLATE_NOOP("Compare", "B is better"), Winner.B),
         (QT_TRANSLATE_NOOP("Compare", "Tie"), Winner.TIE), (QT_TRANSLATE_NOOP("Compare", "Both bad"), Winner.BOTH_BAD))


class ComparePage(QWidget):
    title = "Compare"

    def __init__(self, backends: ChatBackends, store: Store, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("page")
        self.backends = backends
        self.store = store
        self.tasks = TaskGroup(self)
        self.jobs: dict[int, AnswerJob] = {}
        """The sides answering now."""
        self.queued: dict[int, ChatEngine] = {}
        """The sides waiting for the other one to finish (both local models on the CPU)."""
        self._picks: list[tuple[str, str]] = []
        """(key, name) chosen in each selector, kept while a blind comparison hides the names."""
        self._hidden = False
        """A blind comparison is waiting for its vote: the selectors say "Model A" and "Model B"."""
        self._prompt = ""
        self._models: tuple[str, str] = ("", "")
        self.rng = random.Random()

        self.model_a = QComboBox()
        self.model_b = QComboBox()
        self.prompt = QPlainTextEdit()
        self.prompt.setPlaceholderText(translate("Compare", "A prompt for both models"))
        self.prompt.setFixedHeight(64)
        self.blind = QCheckBox(translate("Compare", "Blind"))
        self.blind.setToolTip(translate("Compare", "Hide which model answered on which side until you vote; the sides are "
                                                   "shuffled"))
        self.side_labels = (QLabel(), QLabel())
        for label in self.side_labels:
            label.setObjectName("muted")
            label.setTextFormat(Qt.TextFormat.PlainText)  # model names come from endpoints
        self.ask_button = QPushButton(translate("Compare", "Ask both"))
        self.stop_button = QPushButton(translate("Compare", "Stop"))
        self.views = (TranscriptView(), TranscriptView())
        self.stats_labels = (QLabel(), QLabel())
        """Under each side: its state while it answers ("waiting for the other side"), then TTFT and tok/s."""
        for label in self.stats_labels:
            label.setObjectName("muted")
            label.setWordWrap(True)
        self.vote_buttons: dict[Winner, QPushButton] = {}
        votes = QHBoxLayout()
        votes.addStretch()
        for text, winner in VOTES:
            button = QPushButton(translate("Compare", text))
            button.clicked.connect(lambda _=False, w=winner: self.vote(w))
            self.vote_buttons[winner] = button
            votes.addWidget(button)
        votes.addStretch()
        self.board = QTableWidget(0, 4)
        self.board.setHorizontalHeaderLabels([translate("Compare", "Model"), "Elo", translate("Compare", "Games"),
                                              translate("Compare", "Wins")])
        self.board.verticalHeader().hide()
        self.board.horizontalHeader().setStretchLastSection(True)
        self.board.setMaximumHeight(160)
        self.note = QLabel()
        self.note.setObjectName("muted")

        grid = QGridLayout()
        grid.addWidget(QLabel(translate("Compare", "Model A")), 0, 0)
        grid.addWidget(self.model_a, 0, 1)
        grid.addWidget(QLabel(translate("Compare", "Model B")), 0, 2)
        grid.addWidget(self.model_b, 0, 3)
        grid.addWidget(self.side_labels[0], 1, 0, 1, 2)
        grid.addWidget(self.side_labels[1], 1, 2, 1, 2)
        grid.addWidget(self.views[0], 2, 0, 1, 2)
        grid.addWidget(self.views[1], 2, 2, 1, 2)
        grid.addWidget(self.stats_labels[0], 3, 0, 1, 2)
        grid.addWidget(self.stats_labels[1], 3, 2, 1, 2)
        grid.setColumnStretch(1, 1)
        grid.setColumnStretch(3, 1)
        ask = QHBoxLayout()
        ask.addWidget(self.prompt, 1)
        ask.addWidget(self.blind)
        ask.addWidget(self.ask_button)
        ask.addWidget(self.stop_button)
        heading = QLabel(translate("Compare", "Compare"))
        heading.setObjectName("heading")
        layout = QVBoxLayout(self)
        layout.setContentsMargins(20, 16, 20, 12)
        layout.setSpacing(10)
        layout.addWidget(heading)
        layout.addLayout(grid, 1)
        layout.addLayout(ask)
        layout.addLayout(votes)
        layout.addWidget(self.note)
        layout.addWidget(QLabel(translate("Compare", "Leaderboard")))
        layout.addWidget(self.board)

        self.ask_button.clicked.connect(self.ask)
        self.stop_button.clicked.connect(self.stop)
        self.blind.toggled.connect(self._on_blind_toggled)
        backends.bridge.changed.connect(self.refresh)
        backends.bridge.endpoint_models_changed.connect(self.refresh)
        self.refresh()

    def refresh(self, *_args: object) -> None:
        """The ready models in both lists (keeping the choice), the leaderboard, the buttons."""
        if self._hidden:  # the names stay hidden until the vote
            self._show_board()
            self._update_buttons()
            return
        ready = [(rt.name, key) for key, rt in self.backends.manager.runtimes().items() if rt.state is RuntimeState.READY]
        for endpoint in self.backends.endpoints.list():
            ready += [(f"{model} ({endpoint.name})", endpoint_model_key(endpoint.id, model))
                      for model in self.backends.endpoint_models.get(endpoint.id, [])]  # fmt: skip
        for i, combo in enumerate((self.model_a, self.model_b)):
            current = self._picks[i][0] if self._picks else combo.currentData()
            combo.setEnabled(True)
            combo.clear()
            for name, key in ready:
                combo.addItem(name, key)
            index = combo.findData(current)
            combo.setCurrentIndex(index if index >= 0 else min(i, combo.count() - 1))
        if not ready:
            self.note.setText(translate("Compare", "Load two models on the Chat page (or add an endpoint) to compare them."))
        self._show_board()
        self._update_buttons()

    def _show_board(self) -> None:
        ratings = leaderboard(self.store)
        self.board.setRowCount(len(ratings))
        for row, r in enumerate(ratings):
            for col, value in enumerate((r.model, f"{r.elo:.0f}", str(r.games), str(r.wins))):
                item = QTableWidgetItem(value)
                if col:
                    item.setTextAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
                self.board.setItem(row, col, item)

    def busy(self) -> bool:
        return bool(self.jobs or self.queued)

    def ask(self) -> None:
        """Send the prompt to both models: at once, or one after the other when both generate on this CPU."""
        text = self.prompt.toPlainText().strip()
        if self._hidden:  # a new blind comparison of the same two models (the last one got no vote)
            keys, names = [k for k, _ in self._picks], [n for _, n in self._picks]
        else:
            keys = [self.model_a.currentData(), self.model_b.currentData()]
            names = [self.model_a.currentText(), self.model_b.currentText()]
        if not text or self.busy() or None in keys:
            return
        picks = list(zip(keys, names, strict=True))
        if self.blind.isChecked() and self.rng.random() < 0.5:
            keys.reverse()
            names.reverse()
        try:
            engines = [self.backends.engine(str(k)) for k in keys]
        except ChatError as e:
            self.note.setText(error_line(e))
            return
        one_at_a_time = all(self.backends.runs_on_cpu(str(k)) for k in keys)
        self._prompt = text
        self._models = (names[0], names[1])
        if self.blind.isChecked():
            self._picks = picks
            self._hidden = True
            self._hide_selectors(keys)
        self._show_sides(hidden=self.blind.isChecked())
        self.note.setText("")
        for i, engine in enumerate(engines):
            self.queued[i] = engine
            waiting = translate("Compare", WAITING)
            self.views[i].set_bubbles([Bubble(-1, Role.USER, text), Bubble(-2, Role.ASSISTANT, "", note=waiting)])
            self.stats_labels[i].setText(waiting)
        self._start(0)
        if not one_at_a_time:
            self._start(1)
        self._update_buttons()

    def _start(self, i: int) -> None:
        """Start the side's answer (it was queued)."""
        engine = self.queued.pop(i)
        self.views[i].set_bubbles([Bubble(-1, Role.USER, self._prompt), Bubble(-2, Role.ASSISTANT, "", streaming=True)])
        self.stats_labels[i].setText(translate("Compare", "Answering…"))
        turn = ChatTurn(engine, [Message(Role.USER, self._prompt)], mode=ReasoningMode.OFF, sampling=PRESETS["Balanced"])
        job = AnswerJob(turn, tasks=self.tasks, parent=self)
        job.progress.connect(lambda thinking, content, v=self.views[i]: v.update_last(content=content, thinking=thinking))
        job.done.connect(lambda answer, i=i: self._on_done(i, answer))
        job.failed.connect(lambda message, thinking, content, i=i: self._on_failed(i, message, content))
        self.jobs[i] = job
        job.start()

    def _finished(self, i: int) -> None:
        """A side ended: the waiting side (if any) starts now."""
        self.jobs.pop(i, None)
        if not self.jobs and self.queued:
            self._start(min(self.queued))
        self._update_buttons()

    def stop(self) -> None:
        """Stop both sides at once: the answering ones are cancelled, a waiting one never starts."""
        for i in sorted(self.queued):
            self.queued.pop(i)
            unstarted = translate("Compare", "Stopped before it started")
            self.views[i].set_bubbles([Bubble(-1, Role.USER, self._prompt), Bubble(-2, Role.ASSISTANT, "", note=unstarted)])
            self.stats_labels[i].setText(unstarted)
        for job in self.jobs.values():
            job.stop()
        self._update_buttons()

    def _on_done(self, i: int, answer: Answer) -> None:
        stopped = answer.stats.finish_reason == "cancelled"
        note = translate("Compare", "Stopped") if stopped else ""
        stats = stats_line(answer.stats) or translate("Compare", "no statistics")
        self.stats_labels[i].setText(f"{note} · {stats}" if stopped else stats)
        self.views[i].set_bubbles(
            [
                Bubble(-1, Role.USER, self._prompt),
                Bubble(-2, Role.ASSISTANT, answer.content, answer.thinking, answer.stats, note=note),
            ]
        )
        self._finished(i)

    def _on_failed(self, i: int, message: str, content: str) -> None:
        self.views[i].set_bubbles(
            [Bubble(-1, Role.USER, self._prompt), Bubble(-2, Role.ASSISTANT, content, note=message, error=True)]
        )
        self.stats_labels[i].setText(translate("Compare", "Failed"))
        self._finished(i)

    def vote(self, winner: Winner) -> None:
        """Record the vote for the last comparison and update the leaderboard (one vote per comparison)."""
        if not self._prompt or self.busy():
            return
        record_vote(self.store, self._prompt, self._models[0], self._models[1], winner)
        reveal = translate("Compare", " A was {a}, B was {b}.").format(a=self._models[0], b=self._models[1])
        said = translate("Compare", dict((w, t) for t, w in VOTES)[winner])
        self.note.setText(translate("Compare", "Vote saved: {vote}.").format(vote=said.lower())
                          + (reveal if self.blind.isChecked() else ""))
        self._show_sides(hidden=False)
        self._prompt = ""
        self._reveal_selectors()

    def _hide_selectors(self, keys: list[str]) -> None:
        """Blind: each selector says only which side it is ("Model A"), until the vote."""
        for i, combo in enumerate((self.model_a, self.model_b)):
            combo.clear()
            combo.addItem(translate("Compare", "Model {side}").format(side="AB"[i]), keys[i])
            combo.setEnabled(False)

    def _reveal_selectors(self) -> None:
        """The models' names back in the selectors, each still set to what the user chose."""
        self._hidden = False
        self.refresh()
        self._picks = []

    def _on_blind_toggled(self, checked: bool) -> None:
        """Turning Blind off during a blind comparison shows the names: that comparison gets no vote."""
        if checked or not self._hidden:
            return
        self._show_sides(hidden=False)
        if not self.busy():
            self._prompt = ""
            self.note.setText(translate("Compare", "Blind comparison ended without a vote."))
        self._reveal_selectors()

    def _show_sides(self, *, hidden: bool) -> None:
        """Name the model above each answer; in blind mode only "A" and "B" until the vote."""
        for i, label in enumerate(self.side_labels):
            side = "AB"[i]
            answer = translate("Compare", "Answer {side}").format(side=side)
            label.setText(answer if hidden else f"{answer}: {self._models[i]}")

    def _update_buttons(self) -> None:
        busy = self.busy()
        self.ask_button.setEnabled(not busy and self.model_a.count() > 0)
        self.blind.setEnabled(not busy)
        self.stop_button.setEnabled(busy)
        for button in self.vote_buttons.values():
            button.setEnabled(not busy and bool(self._prompt))

    def shutdown(self) -> None:
        self.stop()
        self.tasks.close()
