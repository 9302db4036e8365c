"""The model inside a runtime process: load it, tokenize, and generate token by token with stop strings and timings.

Only the runtime server (app/chat/runtime_server.py) imports this module; it is what makes that process heavy
(llama_cpp). Generation is our own loop over `Llama.generate` rather than `create_completion`: it checks a cancel flag
at every token (a client that goes away stops the model at once), counts tokens exactly, and decodes each token once
instead of re-decoding the whole completion at every step.
"""

from __future__ import annotations

import codecs
import logging
import random
import threading
import time
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from app.chat.messages import ChatError

log = logging.getLogger(__name__)

__all__ = ["KV_TYPES", "GenRequest", "GenResult", "LoadedModel", "split_stop"]

KV_TYPES = {"f16": 1, "q8_0": 8, "q4_0": 2}
"""KV cache types the runtime accepts -> ggml type ids (llama.cpp's --cache-type-k/-v)."""

TURN_DELIMITERS = ("<end_of_turn>", "<|im_end|>", "<|eot_id|>", "<|end|>", "<|return|>", "</s>")
"""End-of-turn markers: when a chat template uses one, a chat completion stops there even if the model does not treat it
as end-of-generation (a base model with a default template would otherwise go on writing the next turn)."""


@dataclass(frozen=True)
class GenRequest:
    """Sampling and stopping for one generation (OpenAI / llama.cpp names)."""

    max_tokens: int = 256
    """<= 0: until the context is full."""
    temperature: float = 0.8
    top_p: float = 0.95
    top_k: int = 40
    min_p: float = 0.05
    repeat_penalty: float = 1.0
    seed: int | None = None
    stop: tuple[str, ...] = ()


@dataclass
class GenResult:
    """What a finished generation reports (filled while it runs)."""

    prompt_tokens: int = 0
    completion_tokens: int = 0
    finish_reason: str = "length"
    """"stop", "length" or "cancelled"."""
    prompt_s: float = 0.0
    """Prompt processing plus the first token."""
    predicted_s: float = 0.0
    """From the first token to the last."""
    extra: dict[str, Any] = field(default_factory=dict)

    def timings(self) -> dict[str, float]:
        """llama.cpp server's `timings` object."""
        n = max(self.completion_tokens - 1, 0)
        return {
            "prompt_n": self.prompt_tokens,
            "prompt_ms": round(self.prompt_s * 1000, 3),
            "predicted_n": self.completion_tokens,
            "predicted_ms": round(self.predicted_s * 1000, 3),
            "predicted_per_second": round(n / self.predicted_s, 3) if n and self.predicted_s > 0 else 0.0,
        }


def split_stop(pending: str, stops: Sequence[str]) -> tuple[str, str, bool]:
    """Split text waiting to be sent into (send now, hold back, stopped).

    A stop string anywhere in `pending` cuts it there (stopped=True). Otherwise the longest tail that could still grow
    into a stop string is held back.
    """
    cut = -1
    for s in stops:
        i = pending.find(s) if s else -1
        if i >= 0 and (cut < 0 or i < cut):
            cut = i
    if cut >= 0:
        return pending[:cut], "", True
    hold = 0
    for s in stops:
        for n in range(min(len(s) - 1, len(pending)), hold, -1):
            if s.startswith(pending[-n:]):
                hold = n
                break
    return (pending[:-hold], pending[-hold:], False) if hold else (pending, "", False)


class LoadedModel:
    """A llama.cpp model and context. Generation is not re-entrant: the server holds `lock` around `generate`."""

    def __init__(self, path: Path, *, n_ctx: int, gpu_layers: int, threads: int, kv_type: str = "f16",
                 flash_attn: bool = False) -> None:  # fmt: skip
        """Load the model (seconds; raises ChatError with llama.cpp's reason in one line)."""
        import llama_cpp

        if kv_type not in KV_TYPES:
            raise ChatError(f"unknown KV cache type {kv_type!r}: use one of {', '.join(KV_TYPES)}")
        self.path = path
        self.lock = threading.Lock()
        kv = KV_TYPES[kv_type]
        try:
            self.llama = llama_cpp.Llama(
                model_path=str(path), n_ctx=n_ctx, n_gpu_layers=gpu_layers, n_threads=threads, n_threads_batch=threads,
                type_k=kv, type_v=kv, flash_attn=flash_attn, verbose=False,
            )  # fmt: skip
        except (ValueError, RuntimeError, OSError) as e:
            raise ChatError(f"llama.cpp could not load {path.name}: {' '.join(str(e).split()) or type(e).__name__}") from e
        self.n_ctx = int(self.llama.n_ctx())
        self.last: GenResult | None = None
        """The latest finished generation (shown by /health: tests and monitoring see a cancel land)."""
        self._vocab = self.llama._model.vocab
        self._bos = int(self.llama.token_bos())
        self._is_eog = llama_cpp.llama_vocab_is_eog

    def tokenize(self, text: str, *, add_bos: bool = True) -> list[int]:
        """Tokens of `text`, special tokens parsed; one BOS even when the text already starts with the BOS token."""
        tokens = list(self.llama.tokenize(text.encode("utf-8"), add_bos=add_bos, special=True))
        if len(tokens) >= 2 and tokens[0] == tokens[1] == self._bos:
            del tokens[0]
        return tokens

    def generate(self, tokens: Sequence[int], req: GenRequest, *, cancel: threading.Event,
                 result: GenResult) -> Iterator[str]:  # fmt: skip
        """Yield text as it is generated; fill `result`. Stops at end-of-generation, a stop string, max_tokens, the end
        of the context, or when `cancel` is set (checked at every token).

        Raises:
            ChatError: the prompt does not fit the context.
        """
        result.prompt_tokens = len(tokens)
        room = self.n_ctx - len(tokens)
        if room <= 0:
            raise ChatError(f"the prompt has {len(tokens)} tokens; the context holds {self.n_ctx}: shorten the conversation")
        limit = room if req.max_tokens <= 0 else min(req.max_tokens, room)
        self.llama.set_seed(req.seed if req.seed is not None else random.randint(0, 2**31 - 1))
        decoder = codecs.getincrementaldecoder("utf-8")("replace")
        pending = ""
        t0 = time.monotonic()
        first: float | None = None
        stopped = False
        gen = self.llama.generate(
            list(tokens), top_k=req.top_k, top_p=req.top_p, min_p=req.min_p, temp=max(req.temperature, 0.0),
            repeat_penalty=req.repeat_penalty, reset=True,
        )  # fmt: skip
        try:
            for token in gen:
                if first is None:
                    first = time.monotonic()
                if cancel.is_set():
                    result.finish_reason = "cancelled"
                    break
                if self._is_eog(self._vocab, token):
                    result.finish_reason = "stop"
                    break
                result.completion_tokens += 1
                pending += decoder.decode(self.llama.detokenize([token]))
                out, pending, stopped = split_stop(pending, req.stop)
                if out:
                    yield out
                if stopped:
                    result.finish_reason = "stop"
                    break
                if result.completion_tokens >= limit:
                    result.finish_reason = "length"
                    break
        finally:
            gen.close()
            end = time.monotonic()
            result.prompt_s = (first or end) - t0
            result.predicted_s = end - first if first is not None else 0.0
            self.last = result
        if not stopped and result.finish_reason != "cancelled":
            tail = pending + decoder.decode(b"", final=True)
            if tail:
                yield tail
