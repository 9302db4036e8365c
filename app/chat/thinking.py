"""A streaming parser that sorts model output into thinking and answer by tags such as ``<think>...</think>``.

It works on arbitrary chunks: a tag split across chunks is held back until it can be decided, so feeding a text in any
pieces gives the same merged result as feeding it whole. In the answer, text inside ``` code fences is literal (a tag
shown in a code block is not a tag).
"""

from __future__ import annotations

from app.chat.messages import Piece, PieceKind

__all__ = ["FENCE", "ThinkingParser", "merge_pieces"]

FENCE = "```"


def _partial(buf: str, token: str) -> int:
    """Length of the longest suffix of buf that is a proper prefix of token (0 if none)."""
    for n in range(min(len(buf), len(token) - 1), 0, -1):
        if token.startswith(buf[-n:]):
            return n
    return 0


def merge_pieces(pieces: list[Piece]) -> list[Piece]:
    """Join neighbouring pieces of the same kind and drop empty ones."""
    out: list[Piece] = []
    for p in pieces:
        if not p.text:
            continue
        if out and out[-1].kind is p.kind:
            out[-1] = Piece(p.kind, out[-1].text + p.text)
        else:
            out.append(p)
    return out


class ThinkingParser:
    """Sort streamed text into THINKING and ANSWER pieces.

    Args:
        start: the tag that opens thinking (e.g. "<think>", "<|channel|>analysis<|message|>").
        end: the tag that closes it.
        prefilled: the prompt already ended with the start tag, so the output begins inside thinking.
    """

    def __init__(self, start: str = "<think>", end: str = "</think>", *, prefilled: bool = False) -> None:
        if not start or not end:
            raise ValueError("thinking tags must not be empty")
        self.start = start
        self.end = end
        self._buf = ""
        self._thinking = prefilled
        self._in_fence = False

    @property
    def thinking(self) -> bool:
        """True while the parser is inside a thinking block."""
        return self._thinking

    def feed(self, text: str) -> list[Piece]:
        """Take a chunk; return the pieces that can be decided now."""
        self._buf += text
        return self._drain(final=False)

    def finish(self) -> list[Piece]:
        """The stream ended: flush what was held back (an unclosed thinking block stays thinking)."""
        return self._drain(final=True)

    def close_thinking(self) -> list[Piece]:
        """Force the thinking block closed (budget forcing): flush held-back text as thinking, switch to answer."""
        out = []
        if self._thinking:
            if self._buf:
                out.append(Piece(PieceKind.THINKING, self._buf))
            self._buf = ""
            self._thinking = False
        return out

    def _drain(self, *, final: bool) -> list[Piece]:
        out: list[Piece] = []
        buf = self._buf
        while buf:
            if self._thinking:
                i = buf.find(self.end)
                if i >= 0:
                    out.append(Piece(PieceKind.THINKING, buf[:i]))
                    buf = buf[i + len(self.end):]
                    self._thinking = False
                    continue
                keep = 0 if final else _partial(buf, self.end)
                out.append(Piece(PieceKind.THINKING, buf[: len(buf) - keep]))
                buf = buf[len(buf) - keep:]
                break
            fi = buf.find(FENCE)
            si = -1 if self._in_fence else buf.find(self.start)
            if fi >= 0 and (si < 0 or fi < si):
                out.append(Piece(PieceKind.ANSWER, buf[: fi + len(FENCE)]))
                buf = buf[fi + len(FENCE):]
                self._in_fence = not self._in_fence
                continue
            if si >= 0:
                out.append(Piece(PieceKind.ANSWER, buf[:si]))
                buf = buf[si + len(self.start):]
                self._thinking = True
                continue
            keep = 0
            if not final:
                keep = _partial(buf, FENCE)
                if not self._in_fence:
                    keep = max(keep, _partial(buf, self.start))
            out.append(Piece(PieceKind.ANSWER, buf[: len(buf) - keep]))
            buf = buf[len(buf) - keep:]
            break
        self._buf = buf
        return [p for p in out if p.text]
