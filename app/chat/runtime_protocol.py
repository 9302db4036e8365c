"""The OpenAI protocol as the runtime server speaks it: request fields -> GenRequest, results -> response objects."""

from __future__ import annotations

import time
from collections.abc import Mapping
from typing import Any

from app.chat.runtime_model import GenRequest, GenResult

__all__ = ["ApiError", "Shape", "gen_request", "text_content"]


class ApiError(Exception):
    def __init__(self, status: int, message: str, kind: str = "invalid_request_error") -> None:
        super().__init__(message)
        self.status = status
        self.kind = kind


class Shape:
    """OpenAI response objects for one request (text completion or chat completion)."""

    def __init__(self, *, ident: str, model: str, chat: bool) -> None:
        self.ident, self.model, self.chat = ident, model, chat
        self.created = int(time.time())

    def _obj(self, choice: dict[str, Any], *, chunk: bool) -> dict[str, Any]:
        kind = "chat.completion" if self.chat else "text_completion"
        return {"id": self.ident, "object": kind + (".chunk" if chunk and self.chat else ""), "created": self.created,
                "model": self.model, "choices": [{"index": 0, **choice}]}  # fmt: skip

    def chunk(self, value: str | dict[str, Any]) -> dict[str, Any]:
        if self.chat:
            delta = value if isinstance(value, dict) else {"content": value}
            return self._obj({"delta": delta, "finish_reason": None}, chunk=True)
        return self._obj({"text": value, "logprobs": None, "finish_reason": None}, chunk=True)

    def final(self, r: GenResult) -> dict[str, Any]:
        reason = "stop" if r.finish_reason == "cancelled" else r.finish_reason
        choice: dict[str, Any] = {"delta": {}} if self.chat else {"text": "", "logprobs": None}
        obj = self._obj({**choice, "finish_reason": reason}, chunk=True)
        return obj | {"usage": _usage(r), "timings": r.timings()}

    def whole(self, text: str, r: GenResult) -> dict[str, Any]:
        if self.chat:
            choice: dict[str, Any] = {"message": {"role": "assistant", "content": text}}
        else:
            choice = {"text": text, "logprobs": None}
        return self._obj({**choice, "finish_reason": r.finish_reason}, chunk=False) | {
            "usage": _usage(r), "timings": r.timings()}  # fmt: skip


def _usage(r: GenResult) -> dict[str, int]:
    return {"prompt_tokens": r.prompt_tokens, "completion_tokens": r.completion_tokens,
            "total_tokens": r.prompt_tokens + r.completion_tokens}  # fmt: skip


def text_content(content: Any) -> str:
    """OpenAI content: a string, or a list of parts of which we keep the text ones."""
    if isinstance(content, str):
        return content
    if isinstance(content, list):
        return "".join(p.get("text", "") for p in content if isinstance(p, dict) and p.get("type") == "text")
    return "" if content is None else str(content)


def gen_request(body: Mapping[str, Any], *, extra_stops: tuple[str, ...]) -> GenRequest:
    stop = body.get("stop") or ()
    if isinstance(stop, str):
        stop = (stop,)
    if not isinstance(stop, (list, tuple)) or not all(isinstance(s, str) for s in stop):
        raise ApiError(400, '"stop" must be a string or a list of strings')
    max_tokens = body.get("max_tokens", body.get("max_completion_tokens", body.get("n_predict", 256)))
    try:
        seed = body.get("seed")
        req = GenRequest(
            max_tokens=-1 if max_tokens is None else int(max_tokens),
            temperature=float(body.get("temperature", 0.8)),
            top_p=float(body.get("top_p", 0.95)),
            top_k=int(body.get("top_k", 40)),
            min_p=float(body.get("min_p", 0.05)),
            repeat_penalty=float(body.get("repeat_penalty", 1.0)),
            seed=None if seed is None or int(seed) < 0 else int(seed),
            stop=tuple(dict.fromkeys((*stop, *extra_stops))),
        )
    except (TypeError, ValueError) as e:
        raise ApiError(400, f"bad sampling parameter: {e}") from e
    if req.temperature <= 0:  # greedy, whatever the other knobs say
        req = GenRequest(req.max_tokens, 0.0, 1.0, 1, 0.0, req.repeat_penalty, req.seed, req.stop)
    return req
