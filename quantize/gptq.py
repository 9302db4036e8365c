"""GPTQ: a Hugging Face folder to a 4- or 8-bit GPTQ folder with gptqmodel, in the toolchain's Python.

gptqmodel (the maintained successor of auto-gptq) is imported here only, inside `run`. It writes ``./logs`` into the
working directory and sets ``HF_HOME`` on import, so the job runs in the worker's scratch folder with ``HF_HOME`` inside
it. Progress comes from its layer callback (reporting only: stopping through a callback leaves a broken checkpoint, so
cancel is the runner killing the worker).
"""

from __future__ import annotations

import contextlib
import logging
import os
import shutil
import sys
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from core.errors import said
from core.messages import Message
from quantize.convert import HfFolder, inspect_folder
from quantize.errors import JobFailed
from quantize.progress import Reporter
from quantize.remote_code import check as check_code
from quantize.remote_code import forbid_code_from
from quantize.spec import GptqSpec, part_path

log = logging.getLogger(__name__)

BITS = (2, 3, 4, 8)
ENV_DEFAULTS = {
    "GPTQMODEL_CPU_WORKERS": "2",  # else "Virtual pool ... requests 2 workers" on small machines
    "GPTQMODEL_DISABLE_PACK_EXT": "1",  # skips a 36 s C++ JIT build of the packing extension
    "HF_HUB_OFFLINE": "1",
    "TOKENIZERS_PARALLELISM": "false",
}

CALIBRATION: tuple[str, ...] = (
    "The history of the printing press begins in the fifteenth century, when movable metal type made books cheap enough "
    "for merchants and students, and within fifty years presses were at work in more than two hundred European cities.",
    "To make a simple bread, mix flour, water, salt and a little yeast, knead the dough for ten minutes, let it rise "
    "until it has doubled, shape it, let it rise again and bake it in a hot oven until the crust sounds hollow.",
    "def fibonacci(n):\n    a, b = 0, 1\n    for _ in range(n):\n        a, b = b, a + b\n    return a\n\n"
    "print([fibonacci(i) for i in range(10)])",
    "The mitochondria produce most of the chemical energy a cell needs: they oxidise sugars and fats and store the energy "
    "in adenosine triphosphate, which the rest of the cell spends on movement, growth and repair.",
    "Dear Ms. Ortega, thank you for your letter of 3 March. We have checked the invoice and found that the second "
    "delivery was charged twice; a credit note for the difference is attached. Kind regards, the accounts team.",
    "In 1969 two astronauts walked on the Moon while a third orbited above them; the landing was watched on television "
    "by hundreds of millions of people, and the samples they brought back are still studied today.",
    "A hash table stores keys and values in an array of buckets; a hash function maps each key to a bucket, and a good "
    "one spreads the keys evenly so that lookups, inserts and deletes take constant time on average.",
    "The river rose through the night. By morning the lower fields were under water, the bridge to the village was closed, "
    "and the farmers moved their animals to the hills above the old mill.",
    "Question: what is the capital of Australia? Answer: Canberra, which was chosen as a compromise between Sydney and "
    "Melbourne and became the seat of government in 1927.",
    "Photosynthesis turns light, water and carbon dioxide into sugar and oxygen. Almost all life on Earth depends on it, "
    "directly or through the food chain, and it produced the oxygen in the air we breathe.",
    "SELECT customer_id, SUM(amount) AS total FROM orders WHERE created_at >= '2024-01-01' GROUP BY customer_id "
    "HAVING SUM(amount) > 1000 ORDER BY total DESC;",
    "She opened the old wooden box and found a bundle of letters tied with a ribbon, a pressed flower, and a photograph of "
    "a young man standing beside a bicycle in front of a railway station.",
)
"""Built-in calibration texts: prose, code, dialogue and data, so no layer sees only one kind of input."""


def validate(spec: GptqSpec) -> None:
    """Raises JobFailed for options gptqmodel would reject (one line)."""
    if spec.bits not in BITS:
        raise JobFailed(Message("GPTQ supports {choices} bits, not {bits}", choices=str(', '.join(map(str, BITS))),
                                bits=str(spec.bits)))
    if spec.group_size != -1 and spec.group_size < 1:
        raise JobFailed(Message("group size must be a positive number (e.g. 128) or -1 for none, not {group_size}",
                                group_size=str(spec.group_size)))


def run(spec: GptqSpec, reporter: Reporter) -> list[Path]:
    """Quantize ``spec.source`` to the GPTQ folder ``spec.output`` (written as ``.part``, renamed on success).

    Unless ``spec.trust_remote_code``, a folder that carries its own Python code is refused, and this process refuses to
    run any code from the folder (`quantize.remote_code.forbid_code_from`) whatever gptqmodel asks transformers for.

    Raises:
        RemoteCodeRefused: the folder carries code the user did not allow.
        JobFailed: not a Hugging Face folder, bad options, or gptqmodel refused (one line).
    """
    validate(spec)
    folder = inspect_folder(spec.source)
    if check_code(folder.path, allowed=spec.trust_remote_code):
        log.warning("loading %s with its own code, as the user allowed", folder.path)
    else:
        forbid_code_from([folder.path])
    if spec.output.exists():
        raise JobFailed(Message("{output} already exists; remove it or choose another output", output=str(spec.output)))
    layers = _layer_count(folder.config)
    part = part_path(spec.output)
    shutil.rmtree(part, ignore_errors=True)  # a leftover of a killed run
    with contextlib.suppress(FileNotFoundError):
        part.unlink()
    spec.output.parent.mkdir(parents=True, exist_ok=True)
    scratch = Path(tempfile.mkdtemp(prefix="mw-gptq-"))
    for key, value in ENV_DEFAULTS.items():
        os.environ.setdefault(key, value)
    os.environ["HF_HOME"] = str(scratch / "hf_home")  # gptqmodel sets its own on import; keep it in the scratch folder
    old_cwd = os.getcwd()
    ok = False
    with _stdout_to_stderr() as events:
        try:
            os.chdir(scratch)  # gptqmodel writes ./logs
            _quantize(spec, folder, part, layers, events)
            os.replace(part, spec.output)
            ok = True
        finally:
            os.chdir(old_cwd)
            shutil.rmtree(scratch, ignore_errors=True)
            if not ok:
                shutil.rmtree(part, ignore_errors=True)
    reporter.progress("done", 1.0, Message("wrote {name}", name=spec.output.name))
    return [spec.output]


def _quantize(spec: GptqSpec, folder: HfFolder, part: Path, layers: int, reporter: Reporter) -> None:
    """Load, quantize with the calibration texts, save to ``part`` (progress from the layer callback)."""
    reporter.progress("load", None, Message("loading gptqmodel and torch"))
    started = time.monotonic()
    try:
        from gptqmodel import GPTQModel, QuantizeConfig
    except ImportError as e:
        raise JobFailed(Message("gptqmodel is not installed here ({error}); run `modelwerk toolchain install`",
                                error=said(e))) from None
    log.info("imported gptqmodel in %.1f s", time.monotonic() - started)
    reporter.progress("load", None, Message("loading {name} ({architecture})", name=folder.path.name,
                                            architecture=folder.architecture))  # fmt: skip
    config = QuantizeConfig(bits=spec.bits, group_size=spec.group_size, desc_act=spec.desc_act)
    try:
        model = GPTQModel.load(str(folder.path), config, device="cpu", trust_remote_code=spec.trust_remote_code)
    except (ValueError, TypeError, KeyError, NotImplementedError, OSError) as e:
        raise JobFailed(Message("gptqmodel cannot load {name} ({architecture}): {reason}", name=str(folder.path.name),
                                architecture=str(folder.architecture), reason=str(_one_line(e)))) from None
    model.layer_callback = _LayerProgress(reporter, layers)
    texts = list(spec.calibration) or list(CALIBRATION)
    reporter.progress("quantize", 0.0, f"{spec.bits}-bit, group size {spec.group_size}, {len(texts)} calibration texts")
    started = time.monotonic()
    model.quantize(texts, batch_size=1)
    log.info("quantized %d layers in %.1f s", layers, time.monotonic() - started)
    reporter.progress("save", 0.97, Message("saving {name}", name=spec.output.name))
    model.save(str(part))
    _copy_tokenizer(folder.path, part)


@contextlib.contextmanager
def _stdout_to_stderr() -> Iterator[Reporter]:
    """gptqmodel draws progress bars on stdout (``\r``, no newline), which would glue onto our JSON lines: send file
    descriptor 1 to stderr (the job log) and yield a Reporter on the real stdout."""
    sys.stdout.flush()
    saved = os.dup(1)
    stream = os.fdopen(os.dup(saved), "w", encoding="utf-8", buffering=1)
    os.dup2(2, 1)
    try:
        yield Reporter(stream)
    finally:
        with contextlib.suppress(OSError, ValueError):
            sys.stdout.flush()
        os.dup2(saved, 1)
        os.close(saved)
        stream.close()


class _LayerProgress:
    """gptqmodel's layer callback -> progress events (never asks it to stop)."""

    def __init__(self, reporter: Reporter, layers: int) -> None:
        self._reporter = reporter
        self._layers = max(1, layers)
        self._done: set[int] = set()

    def layer_complete(self, *, layer_idx: int, submodule_finalized: bool) -> None:
        if layer_idx in self._done or layer_idx < 0:
            return
        self._done.add(layer_idx)
        n = min(len(self._done), self._layers)
        self._reporter.progress("quantize", 0.95 * n / self._layers, Message("layer {n}/{total} quantized", n=str(n),
                                                                              total=str(self._layers)))  # fmt: skip


def _layer_count(config: dict[str, Any]) -> int:
    text = config.get("text_config") if isinstance(config.get("text_config"), dict) else config
    value = (text or {}).get("num_hidden_layers") or (text or {}).get("n_layer") or 0
    return int(value) if isinstance(value, int) else 0


def _copy_tokenizer(source: Path, target: Path) -> None:
    """gptqmodel saves the tokenizer it loaded; copy any tokenizer file it left out so the folder is self-contained."""
    for name in ("tokenizer.json", "tokenizer.model", "tokenizer_config.json", "special_tokens_map.json"):
        if (source / name).is_file() and not (target / name).exists():
            shutil.copy2(source / name, target / name)


def _one_line(e: BaseException) -> str:
    lines = str(e).strip().splitlines()
    return lines[0] if lines else type(e).__name__
