"""Job specifications: what one quantization job does, as plain data that travels to the worker as JSON.

A spec names its input, its final output and its options. The worker (`python -m quantize.worker SPEC.json`) writes the
output under a `.part` name and renames it only on success, so a half-made model never carries the final name.
"""

from __future__ import annotations

import dataclasses
import enum
import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, ClassVar, Union

from core.errors import ModelwerkError, said
from core.messages import N_, Message


class JobKind(enum.Enum):
    QUANTIZE = "quantize"  # GGUF -> GGUF of another type (llama.cpp)
    CONVERT = "convert"  # Hugging Face folder -> GGUF (llama.cpp's converter, toolchain env)
    GPTQ = "gptq"  # Hugging Face folder -> GPTQ folder (gptqmodel, toolchain env)
    EVALUATE = "evaluate"  # perplexity, KL divergence, speed of a model against a reference
    TOOLCHAIN = "toolchain"  # install the toolchain environment (torch, transformers, llama.cpp's converter)
    INDEX = "index"  # index a documents collection's pending files (the app's worker, app.documents.job)
    CODEEVAL = "codeeval"  # run a model's solutions to coding problems against their tests (the app's app.codeeval.job)


class SpecError(ModelwerkError, ValueError):
    """A spec is malformed; the message is one line for the user."""

    hint = N_("create the job again from the Library or the command line")


@dataclass(frozen=True)
class QuantizeSpec:
    """Quantize a GGUF file to one llama.cpp type."""

    kind: ClassVar[JobKind] = JobKind.QUANTIZE
    source: Path
    output: Path
    quant_type: str  # a name from quantize.types, e.g. "Q4_K_M"
    imatrix: Path | None = None
    allow_requantize: bool = False  # the source is already quantized: quality suffers twice
    keep_output_tensor: bool = False  # leave output.weight unquantized (llama.cpp's --leave-output-tensor)
    threads: int = 0  # 0: all cores
    dry_run: bool = False  # report the predicted size, write nothing


@dataclass(frozen=True)
class ConvertSpec:
    """Convert a Hugging Face (safetensors) folder to a GGUF file."""

    kind: ClassVar[JobKind] = JobKind.CONVERT
    source: Path
    output: Path
    outtype: str = "f16"  # f32, f16, bf16, q8_0
    trust_remote_code: bool = False  # the user allowed the folder's own Python code to run (quantize.remote_code)


@dataclass(frozen=True)
class GptqSpec:
    """Quantize a Hugging Face folder to a GPTQ folder."""

    kind: ClassVar[JobKind] = JobKind.GPTQ
    source: Path
    output: Path  # a folder
    bits: int = 4  # 4 or 8
    group_size: int = 128
    desc_act: bool = False
    calibration: tuple[str, ...] = ()  # texts; empty: a built-in set
    trust_remote_code: bool = False  # the user allowed the folder's own Python code to run (quantize.remote_code)


@dataclass(frozen=True)
class EvaluateSpec:
    """Measure a model: size, perplexity, speed, and against a reference KL divergence and top-token agreement."""

    kind: ClassVar[JobKind] = JobKind.EVALUATE
    source: Path  # the model to measure (GGUF file or GPTQ folder)
    output: Path  # the JSON result file
    reference: Path | None = None
    text: Path | None = None  # evaluation text; None: the built-in one
    context: int = 512
    threads: int = 0
    extra: dict[str, Any] = field(default_factory=dict)
    trust_remote_code: bool = False  # a folder model's (and reference's) own Python code may run (quantize.remote_code)


@dataclass(frozen=True)
class ToolchainSpec:
    """Install the toolchain environment at ``output`` (its root folder); done at once when it is current.

    It runs in the app's own Python. A cancelled install keeps what pip finished (no ``.part``): the next one goes on from
    there. ``source`` is the root too: the install reads nothing of the user's.
    """

    kind: ClassVar[JobKind] = JobKind.TOOLCHAIN
    output: Path

    @property
    def source(self) -> Path:
        return self.output


@dataclass(frozen=True)
class IndexSpec:
    """Index the pending files of collection ``collection`` in the documents database ``output``.

    Each file is written in its own transaction, so a cancelled run leaves every file either indexed or still pending
    (no ``.part``): the next run goes on from there. ``source`` is the database too.
    """

    kind: ClassVar[JobKind] = JobKind.INDEX
    output: Path  # documents.db
    collection: str  # its name

    @property
    def source(self) -> Path:
        return self.output


@dataclass(frozen=True)
class CodeEvalSpec:
    """Measure how often a model's code passes coding problems' tests (pass@1, pass@k); the result JSON is ``output``.

    Each finished problem is kept in ``output`` + ".progress.jsonl" (not a ``.part``: a cancel or crash keeps it), so a
    retried job goes on with the problems not yet done.
    """

    kind: ClassVar[JobKind] = JobKind.CODEEVAL
    source: Path  # the model (GGUF)
    output: Path  # the result JSON
    problems: int = 0  # the first N problems; 0: all (or ``ids``)
    ids: tuple[str, ...] = ()
    problem_file: Path | None = None  # HumanEval's format; None: HumanEval
    samples: int = 1
    reasoning: str = "off"  # off, native, prompted
    temperature: float = 0.0
    max_tokens: int = 768
    context: int = 4096
    threads: int = 0


# A runtime alias on 3.10, hence Union.
JobSpec = Union[QuantizeSpec, ConvertSpec, GptqSpec, EvaluateSpec, ToolchainSpec, IndexSpec, CodeEvalSpec]  # noqa: UP007
SPEC_TYPES: dict[JobKind, type[JobSpec]] = {
    t.kind: t for t in (QuantizeSpec, ConvertSpec, GptqSpec, EvaluateSpec, ToolchainSpec, IndexSpec, CodeEvalSpec)
}


def to_dict(spec: JobSpec) -> dict[str, Any]:
    """The spec as JSON-ready data, with its kind."""
    data: dict[str, Any] = {"kind": spec.kind.value}
    for f in dataclasses.fields(spec):
        value = getattr(spec, f.name)
        if isinstance(value, Path):
            value = str(value)
        elif isinstance(value, tuple):
            value = list(value)
        data[f.name] = value
    return data


def from_dict(data: dict[str, Any]) -> JobSpec:
    """Rebuild a spec from `to_dict`'s output.

    Raises:
        SpecError: unknown kind, missing or unknown fields.
    """
    try:
        kind = JobKind(data.get("kind"))
    except ValueError:
        raise SpecError(Message("unknown job kind {get}", get=repr(data.get('kind')))) from None
    cls = SPEC_TYPES[kind]
    values: dict[str, Any] = {}
    known = {f.name: f for f in dataclasses.fields(cls)}
    for name, value in data.items():
        if name == "kind":
            continue
        if name not in known:
            raise SpecError(Message("{value} job: unknown field {name}", value=str(kind.value), name=repr(name)))
        hint = str(known[name].type)
        if value is not None and "Path" in hint:
            value = Path(value)
        elif isinstance(value, list):
            value = tuple(value)
        values[name] = value
    try:
        return cls(**values)
    except TypeError as e:
        raise SpecError(Message("{value} job: {error}", value=str(kind.value), error=said(e))) from None


def dumps(spec: JobSpec) -> str:
    return json.dumps(to_dict(spec), sort_keys=True)


def loads(text: str) -> JobSpec:
    try:
        data = json.loads(text)
    except ValueError as e:
        raise SpecError(Message("not a job spec (bad JSON: {error})", error=said(e))) from None
    if not isinstance(data, dict):
        raise SpecError(Message("not a job spec (expected a JSON object)"))
    return from_dict(data)


def part_path(output: Path) -> Path:
    """Where a job writes before the atomic rename: `model.gguf` -> `model.gguf.part`."""
    return output.with_name(output.name + ".part")


def partial_output(spec: JobSpec) -> Path | None:
    """The ``.part`` path a job writes, which a failure or cancel deletes; None for the toolchain install (it keeps what
    pip finished, and its root must never be deleted) and for indexing (it writes the database file by file)."""
    return None if isinstance(spec, (ToolchainSpec, IndexSpec)) else part_path(spec.output)


def needs_toolchain(spec: JobSpec) -> bool:
    """Torch-based jobs run in the toolchain environment's Python, not the app's."""
    if isinstance(spec, (ConvertSpec, GptqSpec)):
        return True
    return isinstance(spec, EvaluateSpec) and spec.source.is_dir()  # a GPTQ folder is evaluated with transformers
