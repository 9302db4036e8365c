from __future__ import annotations

import math
from pathlib import Path

import numpy as np
import pytest

from quantize.scoring import Scorer, make_chunks, reference_logprobs


def test_uniform_logits_give_the_vocabulary_size_as_perplexity() -> None:
    s = Scorer()
    s.add(np.zeros((40, 1000), dtype=np.float32), np.arange(40))
    assert s.tokens == 40 and s.perplexity == pytest.approx(1000.0)
    assert s.kld_mean is None and s.top1_agreement is None


def test_kld_and_agreement_against_a_reference() -> None:
    rng = np.random.default_rng(0)
    ref = rng.normal(size=(37, 500)).astype(np.float32)  # more rows than one slice
    targets = rng.integers(0, 500, size=37)
    same = Scorer()
    same.add(ref, targets, reference_logprobs(ref))
    assert same.kld_mean == pytest.approx(0.0, abs=1e-6) and same.top1_agreement == 1.0
    assert same.reference_perplexity == pytest.approx(same.perplexity, rel=1e-5)

    # two-token distributions with a known KL divergence
    p, q = np.array([0.8, 0.2]), np.array([0.4, 0.6])
    s = Scorer()
    s.add(np.log(q)[None, :].astype(np.float32), np.array([0]), reference_logprobs(np.log(p)[None, :]))
    assert s.kld_mean == pytest.approx(float((p * np.log(p / q)).sum()), rel=1e-5)
    assert s.top1_agreement == 0.0  # the reference prefers token 0, the model token 1
    assert s.perplexity == pytest.approx(1 / 0.4, rel=1e-5) and s.reference_perplexity == pytest.approx(1 / 0.8, rel=1e-5)


def test_noisier_model_has_larger_kld() -> None:
    rng = np.random.default_rng(1)
    ref = rng.normal(scale=3.0, size=(64, 300))
    targets = rng.integers(0, 300, size=64)
    results = []
    for noise in (0.05, 0.5):
        s = Scorer()
        s.add(ref + rng.normal(scale=noise, size=ref.shape), targets, reference_logprobs(ref))
        results.append((s.kld_mean, s.top1_agreement))
    assert results[0][0] < results[1][0] and results[0][1] >= results[1][1]
    assert all(math.isfinite(k) for k, _ in results if k is not None)


def test_chunks_score_the_second_half_after_bos() -> None:
    chunks = make_chunks(list(range(10, 30)), context=8, bos=1)
    assert [c.tokens[0] for c in chunks] == [1, 1, 1]  # 7 + 7 + 6 tokens (the last >= half a window)
    assert chunks[0].tokens == (1, 10, 11, 12, 13, 14, 15, 16) and chunks[0].first == 4
    assert chunks[0].targets.tolist() == [14, 15, 16] and chunks[0].n_scored == 3
    assert make_chunks(list(range(20)), context=8, bos=None)[0].tokens == tuple(range(8))
    assert len(make_chunks(list(range(17)), context=8, bos=None)) == 2  # a 1-token tail is dropped
    assert len(make_chunks([5, 6, 7], context=64, bos=None)) == 1  # a short text is one window


def test_model_size_counts_every_part_of_a_split_gguf(tmp_path: Path) -> None:
    from quantize.evaluate import model_size

    for i, n in enumerate((100, 50, 7), start=1):
        (tmp_path / f"m-{i:05d}-of-00003.gguf").write_bytes(b"x" * n)
    assert model_size(tmp_path / "m-00001-of-00003.gguf") == 157
    (tmp_path / "single.gguf").write_bytes(b"x" * 9)
    assert model_size(tmp_path / "single.gguf") == 9
    assert model_size(tmp_path) == 166
