"""ChatTurn: how an answer that ends badly is saved."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from app.chat.messages import Piece, PieceKind
from app.chat.sessions import Conversations, MessageState
from app.chat.turn import ChatTurn
from app.store import Store


@pytest.fixture
def chats(tmp_path: Path) -> Iterator[Conversations]:
    with Store(tmp_path / "modelwerk.db") as s:
        yield Conversations(s)


class LosesItsRuntime:
    """An engine whose runtime goes away mid-answer, after (``stopped``) or without a stop request."""

    def __init__(self, *, stopped: bool) -> None:
        self.stopped = stopped

    def answer(self, history: Any, *, on_piece: Any, cancel: threading.Event, **_: Any) -> Any:
        on_piece(Piece(PieceKind.ANSWER, "Par"))
        if self.stopped:
            cancel.set()  # the window closing: the pane stops the turn, then the runtimes stop
        raise ConnectionError("the connection to the runtime was lost mid-answer")


@pytest.mark.parametrize(("stopped", "state"), [(True, MessageState.CANCELLED), (False, MessageState.ERROR)])
def test_a_runtime_that_goes_away_after_a_stop_leaves_a_cancelled_answer(
    chats: Conversations, stopped: bool, state: MessageState
) -> None:
    conversation = chats.create("model:1")
    turn = ChatTurn.ask(chats, conversation.id, "What is the capital of France?", LosesItsRuntime(stopped=stopped))  # type: ignore[arg-type]
    with pytest.raises(ConnectionError):
        turn.run()
    answer = chats.messages(conversation.id)[-1]
    assert (answer.state, answer.content) == (state, "Par")
