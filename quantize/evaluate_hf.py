"""Evaluate a GPTQ or plain Hugging Face folder with transformers, in the toolchain's Python (torch, gptqmodel).

The same windows and scoring as the llama.cpp backend (quantize.scoring), so the numbers compare. KL divergence needs a
reference that is also a Hugging Face / GPTQ folder with the same tokenizer; against a GGUF reference it is None.
torch, transformers and gptqmodel are imported inside the functions: this module is imported in the app's env too.
"""

from __future__ import annotations

import contextlib
import inspect
import json
import logging
import os
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from core.errors import said
from core.messages import Message
from quantize.errors import JobFailed
from quantize.eval_text import EVAL_TEXT
from quantize.evaluate import (
    MIN_SCORED_TOKENS,
    SPEED_GEN_TOKENS,
    SPEED_PROMPT_TOKENS,
    Metrics,
    Progress,
    default_threads,
    scored_metrics,
    summary,
)
from quantize.remote_code import check as check_code
from quantize.remote_code import forbid_code_from
from quantize.scoring import Scorer, make_chunks, reference_logprobs

log = logging.getLogger(__name__)

ENV_DEFAULTS = {
    "GPTQMODEL_CPU_WORKERS": "2",
    "GPTQMODEL_DISABLE_PACK_EXT": "1",
    "HF_HUB_OFFLINE": "1",
    "TOKENIZERS_PARALLELISM": "false",
}


def _config(folder: Path) -> dict[str, Any]:
    try:
        data = json.loads((folder / "config.json").read_text(encoding="utf-8"))
    except (OSError, ValueError) as e:
        raise JobFailed(Message("{name} is not a Hugging Face model folder (config.json: {error})", name=str(folder.name),
                                error=said(e))) from None
    if not isinstance(data, dict):
        raise JobFailed(Message("{name}/config.json is not a JSON object", name=str(folder.name)))
    return data


def _gptq_bits(config: dict[str, Any]) -> int | None:
    q = config.get("quantization_config")
    if isinstance(q, dict) and str(q.get("quant_method", "")).lower() == "gptq":
        return int(q.get("bits", 4))
    return None


class HfModel:
    """A causal LM folder loaded on the CPU (GPTQ through gptqmodel, else transformers) with its tokenizer."""

    def __init__(self, folder: Path, *, threads: int, trust_remote_code: bool = False) -> None:
        import torch
        from transformers import AutoModelForCausalLM, AutoTokenizer

        self.folder = folder
        self.config = _config(folder)
        self.bits = _gptq_bits(self.config)
        torch.set_num_threads(threads)
        try:
            trust = trust_remote_code
            self.tokenizer: Any = AutoTokenizer.from_pretrained(str(folder), trust_remote_code=trust)
            if self.bits is not None:
                from gptqmodel import GPTQModel

                loaded: Any = GPTQModel.load(str(folder), device="cpu", trust_remote_code=trust)
                self.model: Any = getattr(loaded, "model", loaded)
            else:
                self.model = AutoModelForCausalLM.from_pretrained(str(folder), dtype=torch.float32, trust_remote_code=trust)
        except Exception as e:  # transformers and gptqmodel raise anything from OSError to KeyError
            first = str(e).strip().splitlines()[0] if str(e).strip() else ""
            raise JobFailed(Message("cannot load {name}: {kind}: {first}", name=str(folder.name),
                                    kind=type(e).__name__, first=str(first))) from None
        self.model.eval()
        self.params = self._count_params()  # now: a GPTQ kernel may repack its weights on the first forward pass
        ids = self.tokenizer("a")["input_ids"]
        bos = self.tokenizer.bos_token_id
        self.bos: int | None = bos if bos is not None and ids and ids[0] == bos else None

    def tokenize(self, text: str) -> list[int]:
        return list(self.tokenizer(text, add_special_tokens=False)["input_ids"])

    def window_logits(self, tokens: tuple[int, ...], *, first: int) -> Any:
        """float32 numpy logits of positions first..len-2 (the predictions of tokens first+1..)."""
        import torch

        with torch.inference_mode():
            out = self.model(torch.tensor([tokens[:-1]], dtype=torch.long), use_cache=False)
            return out.logits[0, first:].float().numpy()

    @property
    def n_vocab(self) -> int:
        """The width of the logits (the padded vocabulary), from one forward pass."""
        import torch

        with torch.inference_mode():
            return int(self.model(torch.tensor([[self.bos or 0]]), use_cache=False).logits.shape[-1])

    def speed(self, tokens: list[int], *, n_prompt: int, n_gen: int) -> tuple[float, float]:
        """Prompt and greedy generation tokens/s (KV cache on)."""
        import torch

        prompt = ([self.bos] if self.bos is not None else []) + tokens[:n_prompt]
        # transformers 5 renamed past_key_values to cache; accept both
        cache_kw = "cache" if "cache" in inspect.signature(self.model.forward).parameters else "past_key_values"

        def cache_of(out: Any) -> Any:
            cache = getattr(out, "cache", None)
            return cache if cache is not None else getattr(out, "past_key_values", None)

        with torch.inference_mode():
            t0 = time.perf_counter()
            out = self.model(torch.tensor([prompt]), use_cache=True)
            prompt_s = time.perf_counter() - t0
            past, tok = cache_of(out), int(out.logits[0, -1].argmax())
            t0 = time.perf_counter()
            for _ in range(n_gen):
                out = self.model(torch.tensor([[tok]]), use_cache=True, **{cache_kw: past})
                past, tok = cache_of(out), int(out.logits[0, -1].argmax())
            gen_s = time.perf_counter() - t0
        return len(prompt) / max(prompt_s, 1e-9), n_gen / max(gen_s, 1e-9)

    def quant_type(self) -> str:
        if self.bits is not None:
            q = self.config.get("quantization_config") or {}
            group = q.get("group_size")
            return f"GPTQ-{self.bits}bit" + (f"-g{group}" if isinstance(group, int) and group > 0 else "")
        dtype = str(self.config.get("torch_dtype") or self.config.get("dtype") or "float32")
        return {"float32": "F32", "float16": "F16", "bfloat16": "BF16"}.get(dtype, dtype.upper())

    def _count_params(self) -> int | None:
        """Parameters; GPTQ's packed int32 `qweight` counts as 32 / bits weights per element."""
        try:
            n = 0
            for name, t in [*self.model.named_parameters(), *self.model.named_buffers()]:
                if name.endswith("qweight") and self.bits:
                    n += t.numel() * (32 // self.bits)
                elif not name.endswith(("qzeros", "scales", "g_idx", "wf_unsqueeze_zero", "wf_unsqueeze_neg_one")):
                    n += t.numel() if t.is_floating_point() and "rotary" not in name else 0
            return n or None
        except Exception:  # an exotic module layout: the count is informative only
            return None


@contextlib.contextmanager
def _quiet_stdout() -> Iterator[None]:
    """Libraries print to stdout, which carries the worker's events: send their prints to stderr (the job log)."""
    with contextlib.redirect_stdout(sys.stderr):
        yield


def evaluate_hf(
    model: Path,
    *,
    reference: Path | None = None,
    text: str | None = None,
    context: int = 512,
    threads: int = 0,
    progress: Progress | None = None,
    trust_remote_code: bool = False,
) -> Metrics:
    """Measure a GPTQ / Hugging Face folder, against a reference folder with the same tokenizer if given.

    Unless ``trust_remote_code``, a folder (model or reference) that carries its own Python code is refused, and this
    process then refuses to run code from either folder (`quantize.remote_code.forbid_code_from`).

    Raises:
        RemoteCodeRefused: a folder carries code the user did not allow.
        JobFailed: a folder cannot be loaded, the vocabularies differ, the text is too short.
    """
    started = time.monotonic()
    kld_reference = reference if reference is not None and reference.is_dir() else None
    folders = [model] + ([kld_reference] if kld_reference is not None else [])
    for folder in folders:  # before anything is loaded or set
        check_code(folder, allowed=trust_remote_code)
    if not trust_remote_code:
        forbid_code_from(folders)
    say = progress or (lambda stage, fraction, message: None)
    text = EVAL_TEXT if text is None else text
    threads = threads or default_threads()
    for key, value in ENV_DEFAULTS.items():
        os.environ.setdefault(key, value)
    os.environ.setdefault("HF_HOME", str(Path.cwd() / "hf_home"))  # the worker's cwd is its scratch folder
    if reference is not None and kld_reference is None:
        log.warning("reference %s is not a Hugging Face folder: no KL divergence", reference.name)
    with _quiet_stdout():
        say("load", None, Message("loading {name}", name=model.name))
        m = HfModel(model, threads=threads, trust_remote_code=trust_remote_code)
        tokens = m.tokenize(text)
        chunks = make_chunks(tokens, context=context, bos=m.bos)
        if sum(c.n_scored for c in chunks) < MIN_SCORED_TOKENS:
            raise JobFailed(Message("the evaluation text is too short: {count} tokens", count=str(len(tokens))))
        ref = None
        if kld_reference is not None:
            say("load", None, Message("loading the reference {name}", name=kld_reference.name))
            ref = HfModel(kld_reference, threads=threads, trust_remote_code=trust_remote_code)
            if ref.n_vocab != m.n_vocab or ref.tokenize(text) != tokens or ref.bos != m.bos:
                raise JobFailed(Message("{name} and {name2} do not share a vocabulary: no KL divergence possible",
                                        name=str(kld_reference.name), name2=str(model.name)))
        scorer = Scorer()
        for i, chunk in enumerate(chunks):
            say("evaluate", 0.9 * i / len(chunks), Message("window {n} of {total}", n=str(i + 1), total=str(len(chunks))))
            ref_lp = reference_logprobs(ref.window_logits(chunk.tokens, first=chunk.first)) if ref is not None else None
            scorer.add(m.window_logits(chunk.tokens, first=chunk.first), chunk.targets, ref_lp)
        del ref
        say("speed", 0.9, Message("measuring prompt and generation speed"))
        prompt_tps, gen_tps = m.speed(tokens, n_prompt=min(SPEED_PROMPT_TOKENS, context), n_gen=SPEED_GEN_TOKENS)
    metrics = scored_metrics(scorer, model=model, reference=reference, text=text, context=context, backend="transformers",
                             params=m.params, quant_type=m.quant_type(), speed=(prompt_tps, gen_tps),
                             started=started)  # fmt: skip
    say("done", 1.0, summary(metrics))
    return metrics
