from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from app.chat.messages import Piece, PieceKind
from app.chat.thinking import ThinkingParser, merge_pieces

T, A = PieceKind.THINKING, PieceKind.ANSWER


def run(chunks: list[str], **kw: object) -> list[Piece]:
    p = ThinkingParser(**kw)  # type: ignore[arg-type]
    out: list[Piece] = []
    for c in chunks:
        out += p.feed(c)
    return merge_pieces(out + p.finish())


def test_basic_and_split_tags() -> None:
    assert run(["<thi", "nk>abc</th", "ink>answer"]) == [Piece(T, "abc"), Piece(A, "answer")]


def test_prefilled_and_unclosed() -> None:
    assert run(["why</think>so"], prefilled=True) == [Piece(T, "why"), Piece(A, "so")]
    assert run(["<think>still going <"]) == [Piece(T, "still going <")]


def test_tags_in_code_fence_are_literal() -> None:
    text = "see ```\n<think>x</think>\n``` <think>y</think>z"
    assert run([text]) == [Piece(A, "see ```\n<think>x</think>\n``` "), Piece(T, "y"), Piece(A, "z")]


def test_partial_tag_that_is_not_a_tag() -> None:
    assert run(["a <thin", "g> b"]) == [Piece(A, "a <thing> b")]


def test_custom_tags() -> None:
    got = run(["<|channel|>analysis<|mess", "age|>hmm<|end|>ok"], start="<|channel|>analysis<|message|>", end="<|end|>")
    assert got == [Piece(T, "hmm"), Piece(A, "ok")]


def test_close_thinking_flushes_held_back() -> None:
    p = ThinkingParser(prefilled=True)
    assert p.feed("abc</th") == [Piece(T, "abc")]
    assert p.close_thinking() == [Piece(T, "</th")]
    assert not p.thinking and p.feed("x") == [Piece(A, "x")]


ALPHABET = st.sampled_from(["<think>", "</think>", "```", "`", "<", "/", "think", ">", "a", " ", "\n", "<th", "ink>"])


@given(parts=st.lists(ALPHABET, max_size=30), cuts=st.lists(st.integers(min_value=0, max_value=400), max_size=8),
       prefilled=st.booleans())
def test_any_split_gives_same_result(parts: list[str], cuts: list[int], prefilled: bool) -> None:
    text = "".join(parts)
    points = sorted({min(c, len(text)) for c in cuts})
    chunks, prev = [], 0
    for c in points:
        chunks.append(text[prev:c])
        prev = c
    chunks.append(text[prev:])
    whole = run([text], prefilled=prefilled)
    assert run(chunks, prefilled=prefilled) == whole
    assert run(list(text), prefilled=prefilled) == whole
