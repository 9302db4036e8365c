"""Quality metrics from logits, shared by the llama.cpp and transformers backends: perplexity, KL divergence, top-1 agreement.

All math is numpy over row slices, so a 262,144-token vocabulary never needs more than a few tens of MB at once.
Log-probabilities are float32 (as llama.cpp's logits are) with float64 sums; a reference's are kept for one window at a
time.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

import numpy as np
import numpy.typing as npt

SLICE_ROWS = 16
"""Rows per numpy slice: 16 x 262,144 float32 = 16 MB per temporary."""

FloatArray = npt.NDArray[np.floating]


def log_softmax(logits: FloatArray) -> npt.NDArray[np.float32]:
    """Row-wise log-softmax: float32 values (as the logits are), float64 sums (a copy; the input may be a view of
    llama.cpp's buffer)."""
    x = np.array(logits, dtype=np.float32)
    x -= x.max(axis=1, keepdims=True)
    x -= np.log(np.exp(x).sum(axis=1, keepdims=True, dtype=np.float64)).astype(np.float32)
    return x


def reference_logprobs(logits: FloatArray) -> npt.NDArray[np.float32]:
    """A reference model's log-probabilities for one chunk, float32, computed in slices."""
    out = np.empty(logits.shape, dtype=np.float32)
    for s in range(0, logits.shape[0], SLICE_ROWS):
        out[s : s + SLICE_ROWS] = log_softmax(logits[s : s + SLICE_ROWS])
    return out


@dataclass
class Scorer:
    """Accumulates per-token figures over chunks; `ppl` etc. summarize them."""

    nll: list[float] = field(default_factory=list)
    ref_nll: list[float] = field(default_factory=list)
    kld: list[float] = field(default_factory=list)
    top1: list[bool] = field(default_factory=list)

    def add(self, logits: FloatArray, targets: npt.NDArray[np.integer], ref_logprobs: FloatArray | None = None) -> None:
        """Score rows of `logits` (n, vocab) that predict `targets` (n,); against `ref_logprobs` (n, vocab) if given."""
        n = logits.shape[0]
        if targets.shape != (n,) or (ref_logprobs is not None and ref_logprobs.shape != logits.shape):
            raise ValueError(f"shape mismatch: logits {logits.shape}, targets {targets.shape}")
        for s in range(0, n, SLICE_ROWS):
            e = min(n, s + SLICE_ROWS)
            rows = np.arange(e - s)
            lp = log_softmax(logits[s:e])
            self.nll.extend((-lp[rows, targets[s:e]]).astype(np.float64).tolist())
            if ref_logprobs is None:
                continue
            r = np.asarray(ref_logprobs[s:e], dtype=np.float32)
            kld = (np.exp(r) * (r - lp)).sum(axis=1, dtype=np.float64)
            self.kld.extend(np.maximum(kld, 0.0).tolist())  # rounding can give -1e-12
            self.top1.extend((r.argmax(axis=1) == lp.argmax(axis=1)).tolist())
            self.ref_nll.extend((-r[rows, targets[s:e]]).astype(np.float64).tolist())

    @property
    def tokens(self) -> int:
        return len(self.nll)

    @property
    def perplexity(self) -> float:
        return math.exp(sum(self.nll) / len(self.nll)) if self.nll else math.nan

    @property
    def reference_perplexity(self) -> float | None:
        return math.exp(sum(self.ref_nll) / len(self.ref_nll)) if self.ref_nll else None

    @property
    def kld_mean(self) -> float | None:
        return sum(self.kld) / len(self.kld) if self.kld else None

    @property
    def kld_p99(self) -> float | None:
        return float(np.percentile(np.asarray(self.kld), 99)) if self.kld else None

    @property
    def top1_agreement(self) -> float | None:
        return sum(self.top1) / len(self.top1) if self.top1 else None


@dataclass(frozen=True)
class Chunk:
    """One window of tokens fed to a model: positions `first`.. predict the tokens after them."""

    tokens: tuple[int, ...]
    first: int  # the first position whose prediction is scored

    @property
    def targets(self) -> npt.NDArray[np.int64]:
        return np.asarray(self.tokens[self.first + 1 :], dtype=np.int64)

    @property
    def n_scored(self) -> int:
        return len(self.tokens) - 1 - self.first


def make_chunks(tokens: list[int], *, context: int, bos: int | None) -> list[Chunk]:
    """Split a text's tokens into windows of `context` tokens (BOS first if the model wants one), as llama.cpp's
    perplexity tool does, and score the second half of each window, so every scored token has at least half a window of
    history. A last partial window counts when it is at least half a window long (or is the only one).
    """
    per = context - (1 if bos is not None else 0)
    if per < 4:
        raise ValueError(f"context {context} is too small")
    chunks: list[Chunk] = []
    for start in range(0, len(tokens), per):
        piece = tokens[start : start + per]
        if len(piece) < per // 2 and chunks:
            break
        seq = ((bos,) if bos is not None else ()) + tuple(piece)
        if len(seq) < 3:
            break
        chunks.append(Chunk(tokens=seq, first=len(seq) // 2))
    return chunks
