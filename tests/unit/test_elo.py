"""Compare votes and the Elo leaderboard."""

from __future__ import annotations

from pathlib import Path

import pytest

from app.chat.elo import K_FACTOR, START_ELO, Winner, compute_ratings, expected_score, leaderboard, record_vote, votes
from app.chat.messages import ChatError
from app.store import Store


def test_expected_score() -> None:
    assert expected_score(1000, 1000) == 0.5
    assert expected_score(1400, 1000) == pytest.approx(10 / 11)


def test_one_win_moves_both_by_half_k() -> None:
    ratings = {r.model: r for r in compute_ratings([("a", "b", Winner.A)])}
    assert ratings["a"].elo == START_ELO + K_FACTOR / 2
    assert ratings["b"].elo == START_ELO - K_FACTOR / 2
    assert (ratings["a"].games, ratings["a"].wins, ratings["b"].games, ratings["b"].wins) == (1, 1, 1, 0)


def test_ties_and_both_bad_are_draws() -> None:
    for winner in (Winner.TIE, Winner.BOTH_BAD):
        ratings = compute_ratings([("a", "b", winner)])
        assert [r.elo for r in ratings] == [START_ELO, START_ELO]
        assert all(r.games == 1 and r.wins == 0 for r in ratings)
    # A draw against a stronger model gains points.
    after = {r.model: r.elo for r in compute_ratings([("a", "b", Winner.A), ("b", "a", Winner.TIE)])}
    assert after["b"] > START_ELO - K_FACTOR / 2


def test_order_matters_and_total_is_conserved() -> None:
    results = [("x", "y", Winner.A), ("y", "z", Winner.A), ("z", "x", Winner.B), ("x", "y", Winner.B)]
    ratings = compute_ratings(results)
    assert sum(r.elo for r in ratings) == pytest.approx(3 * START_ELO)
    # x and y both won twice, but y's last win came against the then higher-rated x.
    assert [r.model for r in ratings] == ["y", "x", "z"]
    assert compute_ratings(list(reversed(results))) != ratings


def test_record_and_leaderboard(tmp_path: Path) -> None:
    with Store(tmp_path / "modelwerk.db") as store:
        assert leaderboard(store) == []
        first = record_vote(store, "Say hi", "model:1", "model:2", "a")
        record_vote(store, "Say bye", "model:2", "model:1", Winner.B)
        record_vote(store, "Count", "model:1", "endpoint:1/q", "both_bad")
        assert votes(store)[0].id == first
        assert [v.winner for v in votes(store)] == [Winner.A, Winner.B, Winner.BOTH_BAD]
        board = leaderboard(store)
        assert board[0].model == "model:1" and board[0].games == 3 and board[0].wins == 2
        assert {r.model for r in board} == {"model:1", "model:2", "endpoint:1/q"}
        assert board == compute_ratings([("model:1", "model:2", Winner.A), ("model:2", "model:1", Winner.B),
                                         ("model:1", "endpoint:1/q", Winner.BOTH_BAD)])
        with pytest.raises(ChatError, match="use a, b, tie or both_bad"):
            record_vote(store, "p", "model:1", "model:2", "c")
        with pytest.raises(ChatError, match="two different models"):
            record_vote(store, "p", "model:1", "model:1", "a")
        assert len(votes(store)) == 3
