"""Chat with documents below the GUI: the attachment and the answer's sources saved with the conversation (migration 9),
what unreadable rows read as, the DocumentTurn with a scripted model, the export, and the citation marks of app.markdown
(never in code, never inside a link)."""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import replace
from pathlib import Path

import pytest

from app.answering import DocumentTurn
from app.chat import export
from app.chat.attachments import AnswerSource, AnswerSources, Attachment
from app.chat.engine import ChatEngine
from app.chat.messages import Role, Sampling
from app.chat.reasoning import detect
from app.chat.sessions import Conversations, MessageState
from app.chat.templates import ChatTemplate
from app.documents.indexing import add_files, index_pending
from app.documents.store import DB_NAME, DocumentStore
from app.markdown import Mark, to_html
from app.store import Store
from core.messages import Message
from tests.unit.test_answering import CHATML, WALRUS
from tests.unit.test_engine import FakeBackend

TUSKS = AnswerSource(1, "/n/walrus.md", 10, 20, "Both sexes", heading="Walrus › Tusks", passage_id=7, tokens=12,
                     cited=True)  # fmt: skip
SOURCES = AnswerSources(3, "Notes", "retrieval", "hybrid", "walrus tusks", (TUSKS,), 12, (4,),
                        ("1 retrieved passage did not fit the context",))  # fmt: skip


@pytest.fixture
def store(tmp_path: Path) -> Iterator[Store]:
    with Store(tmp_path / "modelwerk.db") as s:
        yield s


def test_attachment_and_sources_round_trip_and_survive_a_reopen(store: Store, tmp_path: Path) -> None:
    chats = Conversations(store)
    c = chats.create("model:1")
    assert c.attachment is None
    attachment = Attachment(3, "Notes", "whole", ("/n/walrus.md",))
    chats.set_attachment(c.id, attachment)
    chats.add_message(c.id, Role.USER, "How long are the tusks?")
    mid = chats.begin_streaming(c.id)
    chats.set_sources(mid, SOURCES)
    chats.finish_message(mid, "Up to a metre [1].")
    store.close()
    with Store(tmp_path / "modelwerk.db") as again:
        chats = Conversations(again)
        assert chats.get(c.id).attachment == attachment
        assert chats.messages(c.id)[-1].sources == SOURCES and chats.messages(c.id)[0].sources is None
        chats.set_attachment(c.id, None)
        assert chats.get(c.id).attachment is None and chats.messages(c.id)[-1].sources == SOURCES  # answers keep theirs


def test_unreadable_rows_read_as_nothing() -> None:
    assert Attachment.from_json("{broken") is None and Attachment.from_json('{"collection": "x"}') is None
    assert Attachment.from_json('{"collection_id": 1, "collection": "x", "sources": "everything"}') == Attachment(1, "x")
    assert AnswerSources.from_json('{"mode": 1}') is None and AnswerSources.from_json("") is None
    assert AnswerSources.from_json(SOURCES.to_json()) == SOURCES


def test_summaries_say_what_was_used() -> None:
    assert str(SOURCES.summary()) == "answered from 1 retrieved passage (hybrid)"
    whole = AnswerSources(1, "n", "whole document", source_tokens=3100, sources=SOURCES.sources)
    assert str(whole.summary()) == "answered from the whole document (3,100 tokens)"
    assert str(AnswerSources(1, "n", "retrieval").summary()) == "no passage matched the question"


def test_notes_are_stored_as_messages_and_older_english_ones_still_read() -> None:
    # A note is a core.messages.Message (the GUI shows it in its language); answers saved before kept English text.
    note = Message.plural("%n flagged passage left out, as asked", "%n flagged passages left out, as asked", 2)
    sources = replace(SOURCES, notes=(note, "an older note"))
    back = AnswerSources.from_json(sources.to_json())
    assert back == sources and str(back.notes[0]) == "2 flagged passages left out, as asked"
    damaged = json.loads(sources.to_json()) | {"notes": [{"template": 3}, "kept"]}
    assert AnswerSources.from_json(json.dumps(damaged)).notes == ("kept",)
    assert SOURCES.sources[0].citation() == "walrus.md · Walrus › Tusks"


def test_document_turn_answers_from_the_collection_and_saves_its_sources(store: Store, tmp_path: Path) -> None:
    (tmp_path / "walrus.md").write_text(WALRUS)
    with DocumentStore.open(tmp_path / DB_NAME) as docs:
        cid, _ = add_files(docs, "Notes", [tmp_path / "walrus.md"])
        assert not index_pending(docs, cid).failed
    chats = Conversations(store)
    c = chats.create("model:1", system_prompt="Answer in English.")
    backend = FakeBackend([["Over a tonne [1]", " or [2]."]])
    template = ChatTemplate(CHATML)
    engine = ChatEngine(backend, template=template, support=detect(template))
    turn = DocumentTurn.ask(chats, c.id, "How heavy is a walrus?", engine, db_path=tmp_path / DB_NAME,
                            attachment=Attachment(cid, "Notes"), context=4096,
                            sampling=Sampling(temperature=0, max_tokens=16))  # fmt: skip
    assert isinstance(turn, DocumentTurn)
    answer = turn.run()
    assert answer.content == "Over a tonne [1] or [2]."
    saved = chats.messages(c.id)[-1]
    assert saved.state is MessageState.DONE and saved.sources == turn.sources
    sources = saved.sources
    assert sources is not None and sources.mode == "whole document" and sources.search == ""  # no embedder started
    assert [s.number for s in sources.sources] == [1] and sources.sources[0].text == WALRUS and sources.wrong == (2,)
    [(_, prompt, _)] = backend.calls
    assert "Answer in English." in prompt and "<source id=\"1\">" in prompt

    export.save(tmp_path / "c.json", chats.get(c.id), chats.messages(c.id))
    data = json.loads((tmp_path / "c.json").read_text(encoding="utf-8"))
    assert data["attachment"] is None and data["messages"][-1]["sources"]["wrong"] == [2]


def test_a_deleted_collection_fails_the_turn_in_one_line(store: Store, tmp_path: Path) -> None:
    chats = Conversations(store)
    c = chats.create("model:1")
    template = ChatTemplate(CHATML)
    engine = ChatEngine(FakeBackend([["never"]]), template=template, support=detect(template))
    turn = DocumentTurn.ask(chats, c.id, "Hello?", engine, db_path=tmp_path / DB_NAME,
                            attachment=Attachment(99, "Gone"), context=4096)  # fmt: skip
    with pytest.raises(Exception, match="the collection 'Gone' attached to this chat no longer exists"):
        turn.run()
    saved = chats.messages(c.id)[-1]
    assert saved.state is MessageState.ERROR and saved.error.startswith("the collection 'Gone'") and saved.sources is None


def _numbers(text: str) -> list[Mark]:
    return [(m, m + 3, f"<a href='cite:{text[m + 1]}'>{text[m:m + 3]}</a>") for m in range(len(text) - 2)
            if text[m] == "[" and text[m + 2] == "]"]  # fmt: skip


def test_marks_link_plain_text_only() -> None:
    out = to_html("See [1] and `code [2]` and [a [3] link](https://example.org) <b>[4]</b>", marks=_numbers)
    assert "<a href='cite:1'>[1]</a>" in out
    assert "cite:2" not in out and "cite:3" not in out  # code, and a link's text, stay as written
    assert "&lt;b&gt;<a href='cite:4'>[4]</a>&lt;/b&gt;" in out  # the text around a mark is still escaped
    assert to_html("a < b [1]") == "<p>a &lt; b [1]</p>"
