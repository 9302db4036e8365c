"""HF -> GGUF: a Hugging Face (safetensors) folder to a GGUF file with llama.cpp's own converter, in the toolchain.

Runs inside the toolchain's Python (``sys.prefix`` is the toolchain venv), starting ``convert_hf_to_gguf.py`` as a child
in the worker's process group, so the runner's cancel stops both. Progress comes from the converter's log: one line per
tensor while it prepares them, then its ``Writing:`` bar.
"""

from __future__ import annotations

import ast
import contextlib
import logging
import os
import re
import shutil
import sys
from dataclasses import dataclass
from pathlib import Path

from core.errors import said
from core.messages import Message
from formats.hf_config import read_json_object
from formats.model import ModelFileError
from formats.safetensors import safetensors_header
from procs.launch import Command
from procs.supervisor import Child
from quantize.errors import JobFailed
from quantize.progress import Reporter
from quantize.remote_code import check as check_code
from quantize.spec import ConvertSpec, part_path
from quantize.toolchain import CONVERTER_DIR, Toolchain

log = logging.getLogger(__name__)

OUTTYPES = ("f32", "f16", "bf16", "q8_0")
WEIGHT_GLOBS = ("*.safetensors", "pytorch_model*.bin")
TOKENIZER_FILES = ("tokenizer.model", "tokenizer.json")
_TENSOR = re.compile(r"^INFO:hf-to-gguf:([\w.]+),\s+torch\.\w+ --> (\w+)")
_WRITING = re.compile(r"Writing:\s+(\d+)%")
_ERROR = re.compile(r"^(?:ERROR:hf-to-gguf:|\w*Error: |NotImplementedError: |AssertionError: ?)(.*)$")


@dataclass(frozen=True)
class HfFolder:
    """What the converter (and GPTQ) needs from a Hugging Face model folder."""

    path: Path
    architecture: str
    config: dict[str, object]
    weights: tuple[Path, ...]
    tokenizer: tuple[Path, ...]


def inspect_folder(source: Path, *, need_tokenizer: bool = True) -> HfFolder:
    """Check that ``source`` is a Hugging Face model folder with weights (and a tokenizer).

    Raises:
        JobFailed: one line naming what is missing.
    """
    if not source.exists():
        raise JobFailed(Message("{source} does not exist", source=str(source)))
    if not source.is_dir():
        raise JobFailed(Message("{source} is not a folder; give a Hugging Face model folder (config.json, *.safetensors)",
                                source=str(source)))
    config_path = source / "config.json"
    if not config_path.is_file():
        raise JobFailed(Message("{source} is not a Hugging Face model folder (no config.json)", source=str(source)))
    try:
        config = read_json_object(config_path)
    except ModelFileError as e:
        raise JobFailed(Message("{config_path} cannot be read: {error}", config_path=str(config_path),
                                error=said(e))) from None
    text = config.get("text_config")
    archs = config.get("architectures") or (text.get("architectures") if isinstance(text, dict) else None)
    if not archs or not isinstance(archs, list):
        raise JobFailed(Message("{config_path} names no architecture (no \"architectures\" entry)",
                                config_path=str(config_path)))
    weights = tuple(sorted(p for g in WEIGHT_GLOBS for p in source.glob(g)))
    if not weights:
        raise JobFailed(Message("{source} has no weights (no *.safetensors or pytorch_model*.bin)", source=str(source)))
    tokenizer = tuple(source / n for n in TOKENIZER_FILES if (source / n).is_file())
    if need_tokenizer and not tokenizer:
        raise JobFailed(Message("{source} has no tokenizer (tokenizer.json or tokenizer.model)", source=str(source)))
    return HfFolder(source, str(archs[0]), config, weights, tokenizer)


def count_tensors(weights: tuple[Path, ...]) -> int | None:
    """Tensors in the safetensors files (from their JSON headers); None when unknown (``.bin`` weights)."""
    total = 0
    for path in weights:
        if path.suffix != ".safetensors":
            return None
        try:
            total += len(safetensors_header(path).tensors)
        except ModelFileError:
            return None
    return total or None


def supported_architectures(converter_dir: Path) -> frozenset[str] | None:
    """The architectures llama.cpp's converter knows (its ``TEXT_MODEL_MAP``); None when it cannot be read."""
    try:
        tree = ast.parse((converter_dir / "conversion" / "__init__.py").read_text(encoding="utf-8"))
    except (OSError, SyntaxError, ValueError):
        return None
    for node in tree.body:
        target: ast.expr
        value: ast.expr | None
        if isinstance(node, ast.AnnAssign):
            target, value = node.target, node.value
        elif isinstance(node, ast.Assign):
            target, value = node.targets[0], node.value
        else:
            continue
        if isinstance(target, ast.Name) and target.id == "TEXT_MODEL_MAP" and value is not None:
            with contextlib.suppress(ValueError):
                return frozenset(ast.literal_eval(value))
    return None


def converter_path() -> Path:
    """The converter inside the toolchain this worker runs in."""
    return Toolchain(Path(sys.prefix)).converter


class _Progress:
    """Converter output lines -> progress events."""

    def __init__(self, reporter: Reporter, tensors: int | None) -> None:
        self._reporter = reporter
        self._tensors = tensors
        self.seen = 0
        self.errors: list[str] = []
        self._last_pct = -1

    def feed(self, line: str) -> None:
        m = _TENSOR.match(line)
        if m:
            self.seen += 1
            fraction = None if not self._tensors else 0.5 * min(1.0, self.seen / self._tensors)
            total = f"/{self._tensors}" if self._tensors else ""
            self._reporter.progress("convert", fraction, f"[{self.seen}{total}] {m.group(1)} -> {m.group(2)}")
            return
        m = _WRITING.search(line)
        if m:
            pct = int(m.group(1))
            if pct != self._last_pct:
                self._last_pct = pct
                self._reporter.progress("write", 0.5 + 0.5 * pct / 100, Message("writing {percent}%", percent=str(pct)))
            return
        m = _ERROR.match(line.strip())
        if m and m.group(1).strip():
            self.errors.append(line.strip())


def _failure(errors: list[str], lines: list[str], spec: ConvertSpec, arch: str) -> str:
    text = "\n".join(errors + lines[-20:])
    if "is not supported" in text or "not supported!" in text:
        return f"llama.cpp's converter does not support the architecture {arch}"
    if "BPE pre-tokenizer was not recognized" in text:
        return "llama.cpp's converter does not recognise this model's tokenizer (BPE pre-tokenizer unknown)"
    if "No space left" in text:
        return f"no space left on the disk of {spec.output.parent}"
    for line in errors or [x for x in reversed(lines) if x.strip()][:1]:
        msg = re.sub(r"^(ERROR:hf-to-gguf:|INFO:hf-to-gguf:)", "", line).strip()
        if msg:
            return f"conversion failed: {msg}"
    return "conversion failed (see the job log)"


def converter_command(converter: Path, source: Path, part: Path, outtype: str, *, trust_remote_code: bool) -> list[str]:
    """The converter's command line: without ``trust_remote_code``, under the guard that refuses to run the folder's code
    (``python -m quantize.remote_code --forbid SOURCE -- CONVERTER ...``)."""
    args = [str(converter), str(source), "--outfile", str(part), "--outtype", outtype]
    if trust_remote_code:
        return [sys.executable, *args]
    return [sys.executable, "-m", "quantize.remote_code", "--forbid", str(source), "--", *args]


def converter_env(converter: Path, base: dict[str, str] | None = None) -> dict[str, str]:
    """The converter's environment: offline, its own ``conversion`` and ``gguf-py`` importable, then our ``quantize``
    (for the guard)."""
    env = dict(os.environ if base is None else base)
    ours = str(Path(__file__).resolve().parent.parent)
    env.update(HF_HUB_OFFLINE="1", PYTHONUNBUFFERED="1", PYTHONPATH=os.pathsep.join([str(converter.parent), ours]))
    env.pop("NO_LOCAL_GGUF", None)  # the gguf-py next to the converter, matching its llama.cpp
    return env


def run(spec: ConvertSpec, reporter: Reporter) -> list[Path]:
    """Convert ``spec.source`` to ``spec.output`` (written as ``.part``, renamed on success).

    Unless ``spec.trust_remote_code``, a folder that carries its own Python code is refused, and the converter runs under
    `quantize.remote_code`'s guard: no code from the folder runs even where the converter asks transformers for it.

    Raises:
        RemoteCodeRefused: the folder carries code the user did not allow.
        JobFailed: not a Hugging Face folder, no tokenizer, an unsupported architecture, or the converter's error.
    """
    outtype = spec.outtype.lower()
    if outtype not in OUTTYPES:
        raise JobFailed(Message("unknown output type {outtype}; choose one of {choices}", outtype=repr(spec.outtype),
                                choices=str(', '.join(OUTTYPES))))
    folder = inspect_folder(spec.source)
    code_files = check_code(folder.path, allowed=spec.trust_remote_code)
    if code_files:
        log.warning("running %s with its own code, as the user allowed: %s", folder.path, ", ".join(code_files))
    converter = converter_path()
    if not converter.is_file():
        raise JobFailed(Message("llama.cpp's converter is missing ({converter}); run `modelwerk toolchain install`",
                                converter=str(converter)))
    known = supported_architectures(converter.parent)
    if known is not None and folder.architecture not in known:
        raise JobFailed(Message("llama.cpp's converter does not support the architecture {architecture}",
                                architecture=str(folder.architecture)))
    if spec.output.exists():
        raise JobFailed(Message("{output} already exists; remove it or choose another output", output=str(spec.output)))
    spec.output.parent.mkdir(parents=True, exist_ok=True)
    part = part_path(spec.output)
    part.unlink(missing_ok=True)  # a leftover of a killed run
    tensors = count_tensors(folder.weights)
    reporter.progress("convert", 0.0, f"{folder.architecture} -> GGUF {outtype.upper()}")
    cmd = converter_command(converter, folder.path, part, outtype, trust_remote_code=spec.trust_remote_code)
    env = converter_env(converter)
    progress = _Progress(reporter, tensors)
    lines: list[str] = []
    ok = False
    child: Child | None = None
    try:
        # In the worker's process group, so the runner's cancel (SIGTERM, then SIGKILL to the group) stops it with the
        # worker; the kernel kills it if the worker dies first (an orphaned worker exits at once).
        child = Child.start(Command(argv=tuple(cmd), env=env, label="the converter"), merge_stderr=True,
                            watch_stdin=False, die_with_parent=True, new_group=False)  # fmt: skip
        for raw in child.stdout_lines(split_cr=True):  # tqdm redraws with \r
            line = raw.decode("utf-8", "replace")
            if line.strip():
                lines.append(line)
                progress.feed(line)
                if not _TENSOR.match(line) and not _WRITING.search(line):
                    log.info("converter: %s", line)  # into the job's log
        code = child.wait().returncode
        if code != 0 or not part.is_file():
            raise JobFailed(_failure(progress.errors, lines, spec, folder.architecture))
        os.replace(part, spec.output)
        ok = True
    finally:
        if not ok:
            if child is not None and child.running():
                child.kill()
                child.wait()
            with contextlib.suppress(OSError):
                shutil.rmtree(part) if part.is_dir() else part.unlink(missing_ok=True)
    log.info("converted %s (%d tensors) to %s", folder.path, progress.seen, spec.output)
    reporter.progress("done", 1.0, Message("wrote {name}", name=spec.output.name))
    return [spec.output]


__all__ = ["CONVERTER_DIR", "OUTTYPES", "HfFolder", "count_tensors", "inspect_folder", "run", "supported_architectures"]
