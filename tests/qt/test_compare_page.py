"""The Compare page as a user sees it (issue 16, item 4): two local models on the CPU answer one after the other (the
second side says it is waiting, and its first token comes after the first side finished), an endpoint side answers at
the same time, each side shows its TTFT and tok/s, Stop ends both sides (a waiting side never starts), and blind mode
hides the names in the model selectors until the vote. The models are fakes: no runtime, no clock assertions."""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import pytest
from pytestqt.qtbot import QtBot

from app.chat.elo import Winner
from app.chat.endpoints import Endpoints
from app.chat.engine import ChatEngine
from app.chat.messages import Sampling
from app.chat.reasoning import NO_THINKING
from app.chat.runtime import RuntimeState
from app.library.catalog import Catalog
from app.store import Store
from app.ui.chat.backends import ChatBackends
from app.ui.compare.page import ComparePage

WAIT_MS = 20_000
SLOW_TOKENS = 2_000
"""A gated side keeps streaming " ." until its gate opens or it is stopped (at most this many tokens)."""


@dataclass
class Delta:
    text: str = ""
    reasoning: str = ""
    finish_reason: str | None = None
    prompt_tokens: int | None = None
    completion_tokens: int | None = None


@dataclass
class FakeModel:
    """One side's model. Records "<name> first token" and "<name> done" in the shared `events` as it streams."""

    name: str
    events: list[str]
    gate: threading.Event | None = None
    texts: list[str] = field(default_factory=lambda: ["An", " answer", " here."])
    calls: int = 0

    def stream_chat(self, messages: Sequence[dict[str, Any]], *, sampling: Sampling, model: str = "",
                    extra: Mapping[str, Any] = {}) -> FakeStream:  # fmt: skip
        self.calls += 1
        return FakeStream(self)

    def stream_completion(self, prompt: str, *, sampling: Sampling, stop: Sequence[str] = (),
                          model: str = "") -> FakeStream:  # fmt: skip
        self.calls += 1
        return FakeStream(self)

    def tokenize(self, text: str) -> list[int] | None:
        return None


@dataclass
class FakeStream:
    model: FakeModel
    closed: bool = False

    def _tokens(self) -> Iterator[str]:
        gate = self.model.gate
        if gate is not None:
            for _ in range(SLOW_TOKENS):
                if gate.wait(0.02):
                    break
                yield " ."
        yield from self.model.texts

    def __iter__(self) -> Iterator[Delta]:
        n = 0
        for text in self._tokens():
            if self.closed:
                return
            if n == 0:
                self.model.events.append(f"{self.model.name} first token")
            n += 1
            time.sleep(0.002)  # tokens come apart, so there is a speed to show
            yield Delta(text=text)
        self.model.events.append(f"{self.model.name} done")
        yield Delta(finish_reason="stop", prompt_tokens=5, completion_tokens=n)

    def close(self) -> None:
        self.closed = True


@pytest.fixture
def store(tmp_path: Path) -> Iterator[Store]:
    s = Store.open(tmp_path / "modelwerk.db")
    yield s
    s.close()


@pytest.fixture
def compare(qtbot: QtBot, store: Store) -> Iterator[ComparePage]:
    page = ComparePage(ChatBackends(Catalog(store), Endpoints(store)), store)
    qtbot.addWidget(page)
    yield page
    page.shutdown()


def use(page: ComparePage, models: dict[str, FakeModel], *, gpu: Sequence[str] = ()) -> None:
    """Answers for each key come from its fake model; the local keys in `gpu` run with all layers on a GPU, the other
    local ones on the CPU (as their runtimes were planned)."""
    page.backends.engine = lambda key: ChatEngine(models[key], template=None, support=NO_THINKING, model=key)  # type: ignore[method-assign]
    runtimes = {key: SimpleNamespace(name=model.name, state=RuntimeState.READY, gpu_layers=99 if key in gpu else 0)
                for key, model in models.items() if key.startswith("model:")}  # fmt: skip
    page.backends.manager.get = runtimes.get  # type: ignore[method-assign,assignment]
    page.backends.manager.runtimes = lambda: dict(runtimes)  # type: ignore[method-assign,assignment,return-value]
    for key in models:
        parts = page.backends.endpoint_key_parts(key)
        if parts is not None:
            endpoint = page.backends.endpoints.add("lab", "http://127.0.0.1:9/v1")
            page.backends.endpoint_models[endpoint.id] = [parts[1]]
            assert key == f"endpoint:{endpoint.id}/{parts[1]}"
    page.backends.bridge.endpoint_models_changed.emit()  # the page lists them
    for combo, key in zip((page.model_a, page.model_b), models, strict=True):
        combo.setCurrentIndex(combo.findData(key))
        assert combo.currentData() == key


def ask(page: ComparePage, text: str = "Which is better?") -> None:
    page.prompt.setPlainText(text)
    assert page.ask_button.isEnabled()
    page.ask_button.click()


def test_two_cpu_models_answer_one_after_the_other_and_show_their_stats(qtbot: QtBot, compare: ComparePage) -> None:
    events: list[str] = []
    gate = threading.Event()
    alpha, beta = FakeModel("alpha", events, gate), FakeModel("beta", events)
    use(compare, {"model:1": alpha, "model:2": beta})
    ask(compare)
    qtbot.waitUntil(lambda: "alpha first token" in events, timeout=WAIT_MS)
    qtbot.waitUntil(lambda: "." in compare.views[0].toPlainText(), timeout=WAIT_MS)  # A streams...
    assert compare.stats_labels[0].text() == "Answering…"
    assert compare.stats_labels[1].text().startswith("Waiting for the other side")  # ...B says it waits
    assert "Waiting for the other side" in compare.views[1].toPlainText()
    assert beta.calls == 0 and compare.stop_button.isEnabled() and not compare.ask_button.isEnabled()

    gate.set()
    qtbot.waitUntil(lambda: not compare.busy(), timeout=WAIT_MS)
    assert events == ["alpha first token", "alpha done", "beta first token", "beta done"]  # B began after A ended
    for view, label in zip(compare.views, compare.stats_labels, strict=True):
        assert "An answer here." in view.toPlainText()
        assert "TTFT" in label.text() and "tok/s" in label.text(), label.text()
        assert "Waiting" not in view.toPlainText()
    assert compare.ask_button.isEnabled() and not compare.stop_button.isEnabled()
    assert compare.vote_buttons[Winner.A].isEnabled()


def test_an_endpoint_or_gpu_side_answers_at_the_same_time(qtbot: QtBot, compare: ComparePage) -> None:
    events: list[str] = []
    both = threading.Event()
    alpha = FakeModel("alpha", events, both)  # streams until B has begun too
    beta = FakeModel("beta", events)
    use(compare, {"model:1": alpha, "endpoint:1/beta": beta})
    ask(compare)
    qtbot.waitUntil(lambda: "beta done" in events, timeout=WAIT_MS)
    assert "alpha done" not in events  # B answered while A was still answering
    assert not compare.stats_labels[0].text().startswith("Waiting")
    both.set()
    qtbot.waitUntil(lambda: not compare.busy(), timeout=WAIT_MS)
    assert all("TTFT" in label.text() for label in compare.stats_labels)

    events.clear()  # two local models, one of them on a GPU: at once as well
    gpu = FakeModel("gamma", events, threading.Event())
    use(compare, {"model:3": gpu, "model:4": FakeModel("delta", events)}, gpu=["model:3"])
    ask(compare)
    qtbot.waitUntil(lambda: "delta done" in events, timeout=WAIT_MS)
    assert "gamma done" not in events
    compare.stop_button.click()
    qtbot.waitUntil(lambda: not compare.busy(), timeout=WAIT_MS)


def test_stop_ends_both_sides_and_the_waiting_side_never_starts(qtbot: QtBot, compare: ComparePage) -> None:
    events: list[str] = []
    alpha = FakeModel("alpha", events, threading.Event())  # never opens: streams until stopped
    beta = FakeModel("beta", events)
    use(compare, {"model:1": alpha, "model:2": beta})
    ask(compare)
    qtbot.waitUntil(lambda: "." in compare.views[0].toPlainText(), timeout=WAIT_MS)
    compare.stop_button.click()
    assert compare.stats_labels[1].text() == "Stopped before it started"  # at once, without waiting for A
    qtbot.waitUntil(lambda: not compare.busy(), timeout=WAIT_MS)
    assert beta.calls == 0 and "beta first token" not in events and "alpha done" not in events
    assert compare.stats_labels[0].text().startswith("Stopped")
    assert "Stopped" in compare.views[0].toPlainText()
    assert "Stopped before it started" in compare.views[1].toPlainText()
    assert compare.ask_button.isEnabled() and not compare.stop_button.isEnabled()
    qtbot.wait(100)  # nothing starts afterwards either
    assert beta.calls == 0

    ask(compare, "Again?")  # the page is usable again: this time both answer
    alpha.gate = None
    qtbot.waitUntil(lambda: not compare.busy(), timeout=WAIT_MS)
    assert beta.calls == 1 and "An answer here." in compare.views[1].toPlainText()


def test_blind_mode_hides_the_names_in_the_selectors_until_the_vote(qtbot: QtBot, compare: ComparePage) -> None:
    events: list[str] = []
    use(compare, {"model:1": FakeModel("alpha", events), "model:2": FakeModel("beta", events)})
    compare.blind.setChecked(True)
    compare.rng.random = lambda: 0.1  # type: ignore[method-assign]  # the coin says: swap the sides
    ask(compare)
    shown = [compare.model_a.currentText(), compare.model_b.currentText()]
    assert shown == ["Model A", "Model B"]
    assert not compare.model_a.isEnabled() and not compare.blind.isEnabled()
    qtbot.waitUntil(lambda: not compare.busy(), timeout=WAIT_MS)
    everything = [compare.model_a.itemText(i) for i in range(compare.model_a.count())]
    everything += [compare.model_b.itemText(i) for i in range(compare.model_b.count())]
    assert everything == ["Model A", "Model B"]  # no name in any list
    assert [label.text() for label in compare.side_labels] == ["Answer A", "Answer B"]
    compare.backends.bridge.changed.emit("model:1", None)  # a runtime changes state: the names stay hidden
    assert [compare.model_a.currentText(), compare.model_b.currentText()] == ["Model A", "Model B"]

    compare.vote_buttons[Winner.A].click()
    assert compare.side_labels[0].text() == "Answer A: beta"  # revealed
    assert [compare.model_a.currentText(), compare.model_b.currentText()] == ["alpha", "beta"]  # the user's choice
    assert compare.model_a.isEnabled() and compare.blind.isEnabled()
    assert compare.board.item(0, 0).text() == "beta"


def test_only_local_models_without_gpu_layers_count_as_cpu_sides(compare: ComparePage) -> None:
    backends = compare.backends
    runtimes = {"model:1": SimpleNamespace(gpu_layers=0), "model:2": SimpleNamespace(gpu_layers=33),
                "model:3": SimpleNamespace(gpu_layers=None)}  # fmt: skip
    backends.manager.get = runtimes.get  # type: ignore[method-assign,assignment]
    assert backends.runs_on_cpu("model:1") and not backends.runs_on_cpu("model:2")
    assert backends.runs_on_cpu("model:3")  # not planned yet: it may well be the CPU
    assert not backends.runs_on_cpu("endpoint:1/qwen3-8b")
