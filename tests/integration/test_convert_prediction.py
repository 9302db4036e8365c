"""The predicted F16 GGUF of a Hugging Face folder against the file llama.cpp's real converter writes.

Needs the toolchain (`real_toolchain`): the tiny Llama of tests/fixtures/tiny_hf.py, converted by the worker as a job
would. The tensor data is predicted from the safetensors headers (app.ui.quantize_estimates.converted_layout), the
header from the vocabulary and the tensor names (quantize.convert_size).
"""

from __future__ import annotations

import subprocess
from dataclasses import replace
from pathlib import Path

import pytest
from fixtures.tiny_hf import make_tiny_hf

from app.ui.jobs.quantize_estimates import CONVERT_OUTTYPE, converted_layout
from formats.gguf import read_gguf_header
from quantize.convert_size import converted_header_bytes, gguf_tensor_name
from quantize.spec import ConvertSpec, dumps
from quantize.toolchain import Toolchain
from quantize.types import estimate


@pytest.fixture(scope="module")
def converted(real_toolchain: Toolchain, tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    """(the folder, its F16 GGUF written by the real converter)."""
    tmp = tmp_path_factory.mktemp("convert")
    folder = make_tiny_hf(real_toolchain, tmp / "tiny-llama")
    out = tmp / "tiny-llama.F16.gguf"
    spec = tmp / "spec.json"
    spec.write_text(dumps(ConvertSpec(source=folder, output=out, outtype="f16")), encoding="utf-8")
    proc = subprocess.run([str(real_toolchain.python), "-m", "quantize.worker", str(spec)], env=real_toolchain.env(),
                          capture_output=True, cwd=tmp, timeout=300, check=False)  # fmt: skip
    assert proc.returncode == 0, proc.stderr.decode("utf-8", "replace")[-2000:]
    return folder, out


def test_the_predicted_f16_file_is_the_converted_file_to_the_byte(converted: tuple[Path, Path]) -> None:
    folder, out = converted
    real = read_gguf_header(out)
    layout = converted_layout(folder)
    assert sorted(gguf_tensor_name(t.name) for t in layout.tensors) == sorted(t.name for t in real.tensors)
    predicted = {gguf_tensor_name(t.name): (t.type_name, t.shape) for t in layout.tensors}
    assert predicted == {t.name: (t.type_name, t.shape) for t in real.tensors}
    # The tensor data: exact from the safetensors headers.
    ui = estimate(folder, CONVERT_OUTTYPE, layout=layout).output_bytes
    assert ui - layout.data_offset == out.stat().st_size - real.data_offset
    # The header: the vocabulary, the tensor infos and the other keys (a constant measured on this model).
    header = converted_header_bytes(folder, layout.tensors)
    assert header == real.data_offset
    assert estimate(folder, CONVERT_OUTTYPE, layout=replace(layout, data_offset=header)).output_bytes == out.stat().st_size
    # What the Quantize dialog shows for step 1 is that file, to the byte.
    assert ui == out.stat().st_size
