"""Compare votes and the Elo leaderboard (the ``votes`` table).

Ratings are not stored: they are recomputed from every vote in the order cast (K=32, everyone starts at 1000), so a
leaderboard is always consistent with the votes. A tie and "both bad" both count as a draw (0.5 each), as in
Chatbot Arena.
"""

from __future__ import annotations

import enum
import logging
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timezone

from app.chat.messages import ChatError
from app.store import Store
from core.messages import Message

__all__ = ["K_FACTOR", "START_ELO", "Rating", "Vote", "Winner", "compute_ratings", "leaderboard", "record_vote", "votes"]

log = logging.getLogger(__name__)

K_FACTOR = 32.0
START_ELO = 1000.0


class Winner(enum.Enum):
    A = "a"
    B = "b"
    TIE = "tie"
    BOTH_BAD = "both_bad"


@dataclass(frozen=True)
class Vote:
    id: int
    prompt: str
    model_a: str
    model_b: str
    winner: Winner
    created: datetime


@dataclass(frozen=True)
class Rating:
    """One model on the leaderboard. ``wins`` counts only outright wins (not ties)."""

    model: str
    elo: float
    games: int
    wins: int


def record_vote(store: Store, prompt: str, model_a: str, model_b: str, winner: Winner | str) -> int:
    """Save one compare vote and return its id.

    Args:
        winner: a Winner, or its value 'a', 'b', 'tie' or 'both_bad'.

    Raises:
        ChatError: the two models are the same, or ``winner`` is not one of the four.
    """
    if model_a == model_b:
        raise ChatError(Message("Compare two different models to vote"))
    try:
        choice = Winner(winner)
    except ValueError:
        raise ChatError(Message("Unknown vote {winner}: use a, b, tie or both_bad", winner=repr(winner))) from None
    with store.transaction():
        store.execute(
            "INSERT INTO votes (prompt, model_a, model_b, winner, created) VALUES (?, ?, ?, ?, ?)",
            (prompt, model_a, model_b, choice.value, datetime.now(timezone.utc).isoformat()),
        )
        row = store.fetchone("SELECT last_insert_rowid()")
    assert row is not None
    log.info("Compare: vote %s for %s vs %s", choice.value, model_a, model_b)
    return int(row[0])


def votes(store: Store) -> list[Vote]:
    """Every vote, in the order cast."""
    return [
        Vote(
            id=int(row["id"]), prompt=str(row["prompt"]), model_a=str(row["model_a"]), model_b=str(row["model_b"]),
            winner=Winner(row["winner"]), created=datetime.fromisoformat(row["created"]),
        )
        for row in store.fetchall("SELECT * FROM votes ORDER BY id")
    ]


def expected_score(rating: float, opponent: float) -> float:
    """The Elo expected score of a player rated ``rating`` against ``opponent`` (0..1)."""
    return 1.0 / (1.0 + float(10.0 ** ((opponent - rating) / 400.0)))


def compute_ratings(results: Iterable[tuple[str, str, Winner]], *, k: float = K_FACTOR) -> list[Rating]:
    """Elo ratings from (model_a, model_b, winner) results applied in order; best first (ties by name).

    Results with the same model on both sides are skipped.
    """
    elo: dict[str, float] = {}
    games: dict[str, int] = {}
    wins: dict[str, int] = {}
    for a, b, winner in results:
        if a == b:
            continue
        ra, rb = elo.setdefault(a, START_ELO), elo.setdefault(b, START_ELO)
        score_a = {Winner.A: 1.0, Winner.B: 0.0}.get(winner, 0.5)
        expected_a = expected_score(ra, rb)
        elo[a] = ra + k * (score_a - expected_a)
        elo[b] = rb + k * ((1.0 - score_a) - (1.0 - expected_a))
        for model in (a, b):
            games[model] = games.get(model, 0) + 1
        if winner is Winner.A:
            wins[a] = wins.get(a, 0) + 1
        elif winner is Winner.B:
            wins[b] = wins.get(b, 0) + 1
    ratings = [Rating(model, elo[model], games[model], wins.get(model, 0)) for model in elo]
    return sorted(ratings, key=lambda r: (-r.elo, r.model))


def leaderboard(store: Store) -> list[Rating]:
    """The models that were compared, best first, rated from every vote in the order cast."""
    return compute_ratings((v.model_a, v.model_b, v.winner) for v in votes(store))
