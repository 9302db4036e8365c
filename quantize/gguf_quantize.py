"""GGUF -> GGUF quantization through llama-cpp-python's ``llama_model_quantize`` (runs inside the worker process).

llama.cpp reports each tensor through its log callback ("[  12/ 111] blk.3.attn_q.weight - [...], type = f16, ..."): the
callback turns those lines into progress events and sends everything else to stderr, which the runner keeps in the job log.
The output is written as ``*.part`` and renamed on success; on failure the part is deleted (llama.cpp itself leaves a partial
file behind when it refuses to requantize).
"""

from __future__ import annotations

import contextlib
import ctypes
import logging
import os
import re
import shutil
import sys
import time
from pathlib import Path
from typing import Any

from core.messages import Message
from formats.quant_types import GgufType
from quantize.errors import JobFailed
from quantize.progress import Reporter
from quantize.spec import QuantizeSpec, SpecError, part_path
from quantize.types import QuantizeEstimate, estimate, gguf_type, read_layout

log = logging.getLogger(__name__)

STAGE = "quantize"
DISK_MARGIN = 64 << 20  # leave some room for the file system and the log
_TENSOR_LINE = re.compile(r"^\[\s*(\d+)\s*/\s*(\d+)\]\s+(\S+)")
_FLOAT_TYPES = frozenset({"F32", "F16", "BF16"})
_LEVEL_ERROR = 4  # GGML_LOG_LEVEL_ERROR (ggml: NONE 0, DEBUG 1, INFO 2, WARN 3, ERROR 4, CONT 5)


class _LogSink:
    """Collects llama.cpp's log fragments into lines; tensor lines become progress, all lines go to stderr."""

    def __init__(self, reporter: Reporter) -> None:
        self._reporter = reporter
        self._pending = ""
        self.errors: list[str] = []
        self.tensors_done = 0

    def feed(self, level: int, text: str) -> None:
        if not self._pending:
            m = _TENSOR_LINE.match(text)
            if m:
                i, n, name = int(m.group(1)), int(m.group(2)), m.group(3)
                self.tensors_done = i - 1
                self._reporter.progress(STAGE, (i - 1) / n if n else None, f"[{i}/{n}] {name}")
        if level == _LEVEL_ERROR and text.strip():
            self.errors.append(text.strip())
        self._pending += text
        while "\n" in self._pending:
            line, self._pending = self._pending.split("\n", 1)
            sys.stderr.write(line + "\n")
        sys.stderr.flush()


_callback_ref: Any = None  # ctypes callbacks must outlive the C side's use of them


def low_level() -> Any:
    """llama-cpp-python's ctypes bindings (``llama_cpp.llama_cpp``), imported without the high-level package if possible.

    ``import llama_cpp`` also imports the high-level ``Llama`` class with numpy, jinja2 and the chat formats: 0.19 s of a
    worker's ~0.3 s start-up, against 0.02 s for the bindings alone, and a requantize of a small model takes under a
    second. So in a fresh worker the package is registered without running its ``__init__`` (which only re-exports
    these two modules); where llama_cpp is already imported (tests run jobs in-process) that module is used as it is.
    """
    import importlib
    import importlib.util

    if "llama_cpp" not in sys.modules:
        with contextlib.suppress(Exception):
            spec = importlib.util.find_spec("llama_cpp")
            if spec is not None and spec.loader is not None:
                sys.modules["llama_cpp"] = importlib.util.module_from_spec(spec)
                try:
                    bindings = importlib.import_module("llama_cpp.llama_cpp")
                except BaseException:
                    sys.modules.pop("llama_cpp", None)
                    raise
                package = sys.modules["llama_cpp"]
                for name in dir(bindings):  # what the package's `from .llama_cpp import *` would give
                    if not name.startswith("__"):
                        setattr(package, name, getattr(bindings, name))
                return bindings
    return importlib.import_module("llama_cpp.llama_cpp")


def _install_log(sink: _LogSink) -> None:
    llama_cpp = low_level()
    global _callback_ref

    @llama_cpp.llama_log_callback  # type: ignore[untyped-decorator]
    def _callback(level: int, text: bytes, _user: ctypes.c_void_p) -> None:
        with contextlib.suppress(Exception):  # an exception must never unwind into C
            sink.feed(int(level), text.decode("utf-8", "replace"))

    _callback_ref = _callback
    llama_cpp.llama_log_set(_callback, ctypes.c_void_p(0))


def _restore_log() -> None:
    """Give llama-cpp-python its own log callback back (matters when a job runs in-process, as in tests)."""
    llama_cpp = low_level()
    with contextlib.suppress(Exception):
        from llama_cpp import _logger

        llama_cpp.llama_log_set(_logger.llama_log_callback, ctypes.c_void_p(0))


def _imatrix_table(path: Path) -> tuple[Any, list[Any]]:
    """A NULL-terminated ``llama_model_imatrix_data`` array and the buffers it points into (keep them alive)."""
    from quantize.imatrix import load_imatrix

    llama_cpp = low_level()
    data = load_imatrix(path)
    keep: list[Any] = []
    table = (llama_cpp.llama_model_imatrix_data * (len(data) + 1))()
    for i, (name, values) in enumerate(data.items()):
        raw_name = name.encode("utf-8")
        floats = (ctypes.c_float * len(values))(*values)
        keep += [raw_name, floats]
        table[i].name = raw_name
        table[i].data = ctypes.cast(floats, ctypes.POINTER(ctypes.c_float))
        table[i].size = len(values)
    table[len(data)].name = None  # the terminator
    return table, keep


def check(spec: QuantizeSpec, *, strict: bool = False) -> tuple[GgufType, QuantizeEstimate]:
    """Validate a spec before any work: the type, the source, the importance matrix need, free disk space.

    ``strict`` also refuses an already-quantized source without ``allow_requantize`` (a dry run says so up front; a
    real job lets llama.cpp refuse, in its own words).

    Returns:
        The type and the estimate (output size, memory, time).

    Raises:
        JobFailed: one line saying what is wrong.
    """
    try:
        qt = gguf_type(spec.quant_type)
        layout = read_layout(spec.source)
        est = estimate(spec.source, qt.name, threads=spec.threads, keep_output_tensor=spec.keep_output_tensor,
                       layout=layout)  # fmt: skip
        predicted = est.output_bytes
    except SpecError as e:
        raise JobFailed(str(e)) from None
    if qt.needs_imatrix and spec.imatrix is None:
        raise JobFailed(Message("{name} needs an importance matrix (--imatrix FILE); without one the model is unusable",
                                name=str(qt.name)))
    if est.needs_imatrix and spec.imatrix is None:  # llama.cpp's own rule, per tensor: it would refuse after loading
        raise JobFailed(Message("{name} needs an importance matrix (--imatrix FILE) for this model: llama.cpp gives "
                                "{needs_imatrix} a type it makes only with one", name=str(qt.name),
                                needs_imatrix=str(est.needs_imatrix[0])))  # fmt: skip
    if spec.imatrix is not None and not spec.imatrix.is_file():
        raise JobFailed(Message("importance matrix {imatrix} does not exist", imatrix=str(spec.imatrix)))
    if strict and not spec.allow_requantize:
        quantized = sorted({t.type_name for t in layout.tensors if len(t.shape) >= 2} - _FLOAT_TYPES)
        if quantized:
            raise JobFailed(Message("{name} is already quantized ({choices}); allow requantize to quantize it again (quality "
                                    "suffers)", name=str(spec.source.name), choices=str(', '.join(quantized))))  # fmt: skip
    if spec.output.exists():
        raise JobFailed(Message("{output} already exists; remove it or choose another output", output=str(spec.output)))
    if not spec.dry_run:
        folder = spec.output.parent
        try:
            folder.mkdir(parents=True, exist_ok=True)
            free = shutil.disk_usage(folder).free
        except OSError as e:
            raise JobFailed(Message("cannot write to {folder}: {reason}", folder=str(folder),
                                    reason=str(e.strerror or e))) from None
        if free < predicted + DISK_MARGIN:
            raise JobFailed(
                Message("not enough disk space in {folder}: the {name} file needs about {value} MiB, {value2} MiB are free",
                        folder=str(folder), name=str(qt.name), value=format(predicted / 2**20, '.0f'),
                        value2=format(free / 2**20, '.0f'))
            )
    return qt, est


def run(spec: QuantizeSpec, reporter: Reporter) -> list[Path]:
    """Quantize ``spec.source`` to ``spec.quant_type`` at ``spec.output``; emits progress and the done event.

    Raises:
        JobFailed: a bad spec, too little disk space, or llama.cpp refused (the message is its reason, one line).
    """
    qt, est = check(spec)
    result: dict[str, Any] = {"source": str(spec.source), "quant_type": qt.name, "predicted_bytes": est.output_bytes,
                              "memory_bytes": est.memory_bytes, "estimate_s": est.seconds}  # fmt: skip
    reporter.log(f"{spec.source.name} -> {qt.name}: about {est.output_bytes / 2**20:.1f} MiB, "
                 f"{est.memory_bytes / 2**20:.0f} MiB of memory, {est.seconds:.0f} s on {est.threads} threads")  # fmt: skip
    if spec.dry_run:
        reporter.done([], result=result | {"dry_run": True})
        return []

    llama_cpp = low_level()
    sink = _LogSink(reporter)
    _install_log(sink)
    params = llama_cpp.llama_model_quantize_default_params()
    params.ftype = qt.ftype
    params.nthread = spec.threads if spec.threads > 0 else (os.cpu_count() or 1)
    params.allow_requantize = spec.allow_requantize
    params.quantize_output_tensor = not spec.keep_output_tensor
    keep: list[Any] = []
    if spec.imatrix is not None:
        table, keep = _imatrix_table(spec.imatrix)
        params.imatrix = ctypes.cast(table, ctypes.POINTER(llama_cpp.llama_model_imatrix_data))
        keep.append(table)
    part = part_path(spec.output)
    part.unlink(missing_ok=True)  # a leftover of a killed run
    reporter.progress(STAGE, 0.0, Message("loading"))
    start = time.perf_counter()
    try:
        code = llama_cpp.llama_model_quantize(str(spec.source).encode(), str(part).encode(), ctypes.byref(params))
        if code != 0:
            raise JobFailed(_failure(sink.errors, spec))
        os.replace(part, spec.output)
    except BaseException:
        part.unlink(missing_ok=True)
        raise
    finally:
        _restore_log()
        del keep
    size = spec.output.stat().st_size
    result |= {"size_bytes": size, "seconds": round(time.perf_counter() - start, 3), "tensors": sink.tensors_done + 1}
    reporter.progress(STAGE, 1.0, Message("wrote {name}", name=spec.output.name))
    reporter.done([str(spec.output)], result=result)
    return [spec.output]


def _failure(errors: list[str], spec: QuantizeSpec) -> str:
    """llama.cpp's own reason, one line, with a hint for the common refusal."""
    reason = ""
    for line in reversed(errors):
        text = line.split(": ", 1)[1] if line.startswith("llama_model_quantize") and ": " in line else line
        text = text.strip().removeprefix("failed to quantize: ")
        if text:
            reason = text
            break
    if "requantiz" in reason and not spec.allow_requantize:
        return f"{spec.source.name} is already quantized ({reason}); allow requantize to quantize it again (quality suffers)"
    return f"llama.cpp could not quantize {spec.source.name}: {reason or 'it gave no reason'}"
