"""Evaluate a model: what quantization cost in quality (perplexity, KL divergence and top-1 agreement against a reference)
and what it bought in size and speed.

Perplexity follows llama.cpp's perplexity tool: the text is cut into windows of `context` tokens (BOS first when the
model adds one) and only the second half of each window is scored, so every scored token has at least half a window of
history. KL divergence KL(reference || model) and top-1 agreement are taken over exactly the same positions, with the
model's tokens fed to both models; the reference must have the same vocabulary. Both models are loaded at once (one
window of reference log-probabilities is held in memory, never the whole text's).

GGUF models run through llama-cpp-python (the app's environment); GPTQ / Hugging Face folders through transformers in the
toolchain environment (quantize.evaluate_hf). Heavy libraries are imported lazily.
"""

from __future__ import annotations

import dataclasses
import json
import logging
import math
import os
import re
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

from core.messages import Message, Text
from quantize.errors import JobFailed
from quantize.eval_text import EVAL_TEXT, text_sha256
from quantize.progress import Reporter
from quantize.scoring import Chunk, Scorer, make_chunks, reference_logprobs
from quantize.spec import EvaluateSpec, part_path

log = logging.getLogger(__name__)

Progress = Callable[[str, "float | None", Text], None]
"""(stage, fraction 0..1 or None, message), as Reporter.progress takes them."""

MIN_SCORED_TOKENS = 8
SPEED_PROMPT_TOKENS = 128
SPEED_GEN_TOKENS = 32
PIECE_BYTES = 64 << 20


@dataclass(frozen=True)
class Metrics:
    """One evaluation's figures; `to_dict()` is the JSON written to the job's output and stored by ResultStore."""

    model: str  # file or folder name
    reference: str | None
    size_bytes: int
    params: int | None
    quant_type: str | None  # "Q4_K_M", "GPTQ-4bit", "F16" ...
    perplexity: float
    ppl_tokens: int  # tokens scored
    kld_mean: float | None  # nats per token; None without a reference
    kld_p99: float | None
    top1_agreement: float | None  # share of positions where both models' most likely next token is the same
    prompt_tps: float
    gen_tps: float
    context: int
    text_sha256: str
    backend: str  # "llama.cpp" | "transformers"
    reference_perplexity: float | None = None
    model_path: str = ""
    reference_path: str | None = None
    seconds: float = 0.0  # wall time of the whole evaluation
    created: str = ""  # ISO 8601, UTC

    def to_dict(self) -> dict[str, Any]:
        return dataclasses.asdict(self)

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Metrics:
        """Rebuild from `to_dict()`; unknown keys (added by a newer version) are ignored."""
        names = {f.name for f in dataclasses.fields(cls)}
        return cls(**{k: v for k, v in data.items() if k in names})


def run(spec: EvaluateSpec, reporter: Reporter) -> list[Path]:
    """The worker's entry for an EvaluateSpec: measure, write the metrics JSON atomically to spec.output, report done.

    Raises:
        JobFailed: unreadable model or text, vocabulary mismatch, text too short, llama.cpp failure.
    """
    text = read_text(spec.text)
    common: dict[str, Any] = {"reference": spec.reference, "text": text, "context": spec.context, "threads": spec.threads,
                              "progress": reporter.progress}  # fmt: skip
    if spec.source.is_dir():
        from quantize.evaluate_hf import evaluate_hf

        metrics = evaluate_hf(spec.source, trust_remote_code=spec.trust_remote_code, **common)
    else:
        metrics = evaluate_gguf(spec.source, gpu_layers=int(spec.extra.get("gpu_layers", 0)), **common)
    result = metrics.to_dict()
    write_json(spec.output, result)
    reporter.done([str(spec.output)], result=result)
    return [spec.output]


def write_json(output: Path, data: dict[str, Any]) -> None:
    """Write `data` to `output` through its .part name; no partial file is left on failure."""
    part = part_path(output)
    try:
        output.parent.mkdir(parents=True, exist_ok=True)
        part.write_text(json.dumps(data, indent=2, allow_nan=True) + "\n", encoding="utf-8")
        os.replace(part, output)
    except OSError as e:
        part.unlink(missing_ok=True)
        raise JobFailed(Message("cannot write {output}: {reason}", output=str(output), reason=str(e.strerror or e))) from None


def read_text(path: Path | None) -> str:
    """The evaluation text at `path`, or the built-in one."""
    if path is None:
        return EVAL_TEXT
    try:
        return path.read_text(encoding="utf-8", errors="replace")
    except OSError as e:
        raise JobFailed(Message("cannot read the evaluation text {path}: {reason}", path=str(path),
                                reason=str(e.strerror or e))) from None


def default_threads() -> int:
    """Physical cores if psutil knows them (hyperthreads slow llama.cpp down), else all logical ones."""
    try:
        import psutil

        return int(psutil.cpu_count(logical=False) or os.cpu_count() or 1)
    except ImportError:
        return os.cpu_count() or 1


_SPLIT = re.compile(r"^(?P<stem>.+)-(?P<part>\d{5})-of-(?P<count>\d{5})\.gguf$")


def model_size(path: Path) -> int:
    """Bytes on disk: a file (every part of a split GGUF), or every file in a folder."""
    if path.is_dir():
        return sum(p.stat().st_size for p in path.rglob("*") if p.is_file())
    m = _SPLIT.match(path.name)
    if m:
        count = int(m["count"])
        parts = [path.with_name(f"{m['stem']}-{i:05d}-of-{count:05d}.gguf") for i in range(1, count + 1)]
        if all(p.is_file() for p in parts):
            return sum(p.stat().st_size for p in parts)
    return path.stat().st_size


def evaluate_gguf(
    model: Path,
    *,
    reference: Path | None = None,
    text: str | None = None,
    context: int = 512,
    threads: int = 0,
    gpu_layers: int = 0,
    progress: Progress | None = None,
) -> Metrics:
    """Measure a GGUF model, against `reference` (a GGUF with the same vocabulary) if given.

    Raises:
        JobFailed: a model cannot be loaded, the vocabularies differ, the text is too short, llama.cpp fails.
    """
    from quantize.llama_eval import LlamaEval

    started = time.monotonic()
    say = progress or (lambda stage, fraction, message: None)
    text = EVAL_TEXT if text is None else text
    threads = threads or default_threads()
    if context < 16:
        raise JobFailed(Message("context {context} is too small: use at least 16 tokens", context=str(context)))
    if not model.is_file():
        raise JobFailed(Message("no such model file: {model}", model=str(model)))
    if reference is not None and not reference.is_file():
        raise JobFailed(Message("no such reference model file: {reference}", reference=str(reference)))
    say("load", None, Message("loading {name}", name=model.name))
    with LlamaEval(model, context=context, threads=threads, gpu_layers=gpu_layers) as m:
        tokens = m.tokenize(text)
        chunks = make_chunks(tokens, context=context, bos=m.bos)
        n_scored = sum(c.n_scored for c in chunks)
        if n_scored < MIN_SCORED_TOKENS:
            raise JobFailed(Message("the evaluation text is too short: {count} tokens, {n_scored} of them scored",
                                    count=str(len(tokens)), n_scored=str(n_scored)))
        scorer = Scorer()
        if reference is None:
            _score(chunks, m, None, scorer, say)
        else:
            say("load", None, Message("loading the reference {name}", name=reference.name))
            with LlamaEval(reference, context=context, threads=threads, gpu_layers=gpu_layers) as ref:
                _check_same_vocab(m, ref, text, tokens)
                _score(chunks, m, ref, scorer, say)
        say("speed", 0.9, Message("measuring prompt and generation speed"))
        prompt_tps, gen_tps = m.speed(tokens, n_prompt=SPEED_PROMPT_TOKENS, n_gen=SPEED_GEN_TOKENS)
        quant_type, n_params = m.quant_type(), m.n_params
    metrics = scored_metrics(scorer, model=model, reference=reference, text=text, context=context, backend="llama.cpp",
                             params=n_params or None, quant_type=quant_type, speed=(prompt_tps, gen_tps),
                             started=started)  # fmt: skip
    say("done", 1.0, summary(metrics))
    log.info("evaluated %s: %s", model.name, summary(metrics))
    return metrics


def scored_metrics(
    scorer: Scorer, *, model: Path, reference: Path | None, text: str, context: int, backend: str, params: int | None,
    quant_type: str | None, speed: tuple[float, float], started: float,
) -> Metrics:
    """The Metrics record of a finished evaluation (either backend): the scores, the speed, what was measured."""
    return Metrics(
        model=model.name, reference=reference.name if reference else None, size_bytes=model_size(model),
        params=params, quant_type=quant_type, perplexity=_finite(scorer.perplexity), ppl_tokens=scorer.tokens,
        kld_mean=scorer.kld_mean, kld_p99=scorer.kld_p99, top1_agreement=scorer.top1_agreement,
        prompt_tps=round(speed[0], 2), gen_tps=round(speed[1], 2), context=context, text_sha256=text_sha256(text),
        backend=backend, reference_perplexity=scorer.reference_perplexity, model_path=str(model.resolve()),
        reference_path=str(reference.resolve()) if reference else None, seconds=round(time.monotonic() - started, 2),
        created=datetime.now(timezone.utc).isoformat(timespec="seconds"),
    )  # fmt: skip


def _check_same_vocab(m: Any, ref: Any, text: str, tokens: list[int]) -> None:
    if m.n_vocab != ref.n_vocab:
        raise JobFailed(
            Message("{name} has a vocabulary of {n_vocab} tokens and {name2} one of {n_vocab2}: KL divergence needs a "
                    "reference with the same vocabulary (the model it was quantized from)", name=str(ref.path.name),
                    n_vocab=format(ref.n_vocab, ','), name2=str(m.path.name), n_vocab2=format(m.n_vocab, ','))
        )
    if ref.tokenize(text) != tokens or ref.bos != m.bos:
        raise JobFailed(Message("{name} tokenizes the text differently from {name2}: not the same vocabulary",
                                name=str(ref.path.name), name2=str(m.path.name)))


def _score(chunks: list[Chunk], m: Any, ref: Any | None, scorer: Scorer, say: Progress) -> None:
    # Rows of logits per step: ~64 MB of them per model (64 rows of Gemma's 262,144 tokens, 512 of a 32k vocabulary).
    rows = max(16, min(512, PIECE_BYTES // (4 * m.n_vocab)))
    for i, chunk in enumerate(chunks):
        say("evaluate", 0.9 * i / len(chunks), Message("window {n} of {total}", n=str(i + 1), total=str(len(chunks))))
        targets = chunk.targets
        pieces = m.window_pieces(chunk.tokens, first=chunk.first, rows=rows)
        ref_pieces = ref.window_pieces(chunk.tokens, first=chunk.first, rows=rows) if ref is not None else None
        done = 0
        for logits in pieces:
            ref_lp = reference_logprobs(next(ref_pieces)) if ref_pieces is not None else None
            scorer.add(logits, targets[done : done + len(logits)], ref_lp)
            done += len(logits)


def _finite(x: float) -> float:
    if not math.isfinite(x):
        raise JobFailed(Message("perplexity is {x}: the model's outputs are not finite numbers", x=str(x)))
    return x


def summary(m: Metrics) -> str:
    """One line: PPL, KLD, agreement, speed."""
    parts = [f"PPL {m.perplexity:.3f} over {m.ppl_tokens} tokens"]
    if m.kld_mean is not None and m.top1_agreement is not None:
        parts.append(f"KLD {m.kld_mean:.5f} (p99 {m.kld_p99:.4f}), top-1 agreement {m.top1_agreement:.1%}")
    parts.append(f"prompt {m.prompt_tps:.1f} tok/s, generation {m.gen_tps:.1f} tok/s")
    return "; ".join(parts)
