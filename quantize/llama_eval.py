"""A llama.cpp model opened for measuring: logits for chosen positions of a token window, and timed prompt/generation.

It drives llama.cpp's batch API directly (one `llama_decode` per window, logits only where they are scored), which is
both faster and lighter than `Llama(logits_all=True)`: Gemma's 262,144-token vocabulary makes each logits row 1 MB.
llama_cpp is imported lazily: this module is imported by the worker in the toolchain environment too.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import numpy as np
import numpy.typing as npt

from core.errors import said
from core.messages import Message
from quantize.errors import JobFailed

log = logging.getLogger(__name__)


class LlamaEval:
    """A GGUF model and a context of `context` tokens; close() (or `with`) frees both."""

    def __init__(self, path: Path, *, context: int, threads: int, gpu_layers: int = 0) -> None:
        import llama_cpp
        from llama_cpp import Llama

        self._ll: Any = llama_cpp
        self.path = path
        self.context = context
        try:
            self._llm: Any = Llama(
                model_path=str(path), n_ctx=context, n_batch=context, n_ubatch=min(context, 512), n_threads=threads,
                n_threads_batch=threads, n_gpu_layers=gpu_layers, verbose=False,
            )  # fmt: skip
        except (ValueError, RuntimeError) as e:
            raise JobFailed(Message("cannot load {name}: {error}", name=str(path.name), error=said(e))) from None
        self._batch: Any = llama_cpp.llama_batch_init(context, 0, 1)
        self.n_vocab: int = self._llm.n_vocab()
        vocab = llama_cpp.llama_model_get_vocab(self._llm.model)
        self.bos: int | None = int(self._llm.token_bos()) if llama_cpp.llama_vocab_get_add_bos(vocab) else None
        self.metadata: dict[str, str] = dict(self._llm.metadata)
        self.n_params: int = int(llama_cpp.llama_model_n_params(self._llm.model))

    def __enter__(self) -> LlamaEval:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def close(self) -> None:
        if self._batch is not None:
            self._ll.llama_batch_free(self._batch)
            self._batch = None
        if self._llm is not None:
            self._llm.close()
            self._llm = None

    def tokenize(self, text: str) -> list[int]:
        """The text's tokens, without BOS (chunks add it)."""
        return list(self._llm.tokenize(text.encode("utf-8"), add_bos=False, special=False))

    def clear(self) -> None:
        """Forget the context (KV cache)."""
        self._ll.llama_memory_clear(self._ll.llama_get_memory(self._llm.ctx), True)

    def decode(self, tokens: tuple[int, ...] | list[int], *, start_pos: int, outputs_from: int) -> int:
        """Feed tokens at positions start_pos.. with logits for indexes >= outputs_from (at least the last); returns how
        many logits rows there are."""
        n = len(tokens)
        if not 0 < n <= self.context or start_pos + n > self.context:
            raise ValueError(f"{n} tokens at {start_pos} do not fit a context of {self.context}")
        b = self._batch
        b.n_tokens = n
        outputs = 0
        for i, t in enumerate(tokens):
            b.token[i] = t
            b.pos[i] = start_pos + i
            b.n_seq_id[i] = 1
            b.seq_id[i][0] = 0
            wanted = i >= outputs_from or i == n - 1
            b.logits[i] = wanted
            outputs += wanted
        rc = self._ll.llama_decode(self._llm.ctx, b)
        if rc != 0:
            raise JobFailed(Message("llama.cpp could not evaluate {name} (llama_decode returned {rc})",
                                    name=str(self.path.name), rc=str(rc)))
        return outputs

    def logits(self, rows: int) -> npt.NDArray[np.float32]:
        """The last decode's logits rows as a view into llama.cpp's buffer (valid until the next decode)."""
        ptr = self._ll.llama_get_logits(self._llm.ctx)
        return np.ctypeslib.as_array(ptr, shape=(rows, self.n_vocab))

    def window_logits(self, tokens: tuple[int, ...], *, first: int) -> npt.NDArray[np.float32]:
        """Logits of positions first..len-2 of a fresh window (the predictions of tokens first+1..)."""
        self.clear()
        n_out = self.decode(tokens[:-1], start_pos=0, outputs_from=first)
        return self.logits(n_out)

    def window_pieces(self, tokens: tuple[int, ...], *, first: int, rows: int) -> Iterator[npt.NDArray[np.float32]]:
        """The same logits as `window_logits`, `rows` positions at a time, so a large vocabulary times a long window never
        sits in memory at once. Each piece is a view, valid until the next one is asked for."""
        self.clear()
        if first > 0:
            self.decode(tokens[:first], start_pos=0, outputs_from=first)  # history only (llama.cpp returns the last row)
        end = len(tokens) - 1
        for s in range(first, end, rows):
            piece = tokens[s : min(s + rows, end)]
            yield self.logits(self.decode(piece, start_pos=s, outputs_from=0))

    def speed(self, tokens: list[int], *, n_prompt: int = 128, n_gen: int = 32) -> tuple[float, float]:
        """Prompt and greedy generation tokens/s, on a warm model, from the start of `tokens`."""
        n_gen = max(1, min(n_gen, self.context // 4))
        prompt = ([self.bos] if self.bos is not None else []) + tokens[: max(1, min(n_prompt, self.context - n_gen - 2))]
        self.clear()
        t0 = time.perf_counter()
        self.decode(prompt, start_pos=0, outputs_from=len(prompt) - 1)
        prompt_s = time.perf_counter() - t0
        pos = len(prompt)
        tok = self._argmax_last()
        self.decode([tok], start_pos=pos, outputs_from=0)  # warm-up: the one-token graph is new
        pos += 1
        tok = self._argmax_last()
        t0 = time.perf_counter()
        for _ in range(n_gen):
            self.decode([tok], start_pos=pos, outputs_from=0)
            pos += 1
            tok = self._argmax_last()
        gen_s = time.perf_counter() - t0
        return len(prompt) / max(prompt_s, 1e-9), n_gen / max(gen_s, 1e-9)

    def _argmax_last(self) -> int:
        ptr = self._ll.llama_get_logits_ith(self._llm.ctx, -1)
        return int(np.ctypeslib.as_array(ptr, shape=(self.n_vocab,)).argmax())

    def quant_type(self) -> str | None:
        """The file type from the header (`general.file_type`), e.g. "Q4_K_M"; None if absent or unknown."""
        raw = self.metadata.get("general.file_type")
        if raw is None or not raw.strip().isdigit():
            return None
        from formats.ggml import FILE_TYPES

        return FILE_TYPES.get(int(raw))
