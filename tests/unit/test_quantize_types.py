"""GGUF types, the size prediction against real llama.cpp outputs, the importance matrix reader, output names."""

from __future__ import annotations

import io
import json
from pathlib import Path

import pytest

from app.jobs import base_name, default_output, quantize_specs
from formats.quant_types import GGUF_TYPES
from quantize.errors import JobFailed
from quantize.gguf_quantize import check, run
from quantize.imatrix import load_imatrix, write_legacy_imatrix
from quantize.progress import Reporter, parse_event
from quantize.spec import QuantizeSpec, SpecError, dumps, loads, part_path
from quantize.types import estimate, gguf_type, predict_size, read_layout


def test_gguf_type_lookup_is_case_insensitive_and_unknown_names_list_the_choices() -> None:
    assert gguf_type("q4_k_m") is GGUF_TYPES["Q4_K_M"]
    assert gguf_type(" Q8_0 ").ftype == 7
    assert GGUF_TYPES["Q4_K_M"].ftype == 15 and GGUF_TYPES["BF16"].ftype == 32
    assert GGUF_TYPES["IQ2_XXS"].needs_imatrix and not GGUF_TYPES["Q2_K"].needs_imatrix
    with pytest.raises(SpecError, match=r"unknown type Q9_X; choose one of .*Q4_K_M"):
        gguf_type("Q9_X")


def test_ftypes_match_llama_cpp() -> None:
    import llama_cpp

    for t in GGUF_TYPES.values():
        name = "LLAMA_FTYPE_ALL_F32" if t.name == "F32" else f"LLAMA_FTYPE_MOSTLY_{t.name}"
        assert getattr(llama_cpp, name) == t.ftype, t.name


def test_bits_per_weight_are_ordered() -> None:
    bpw = [GGUF_TYPES[n].bits_per_weight for n in ("Q2_K", "Q3_K_M", "Q4_K_M", "Q5_K_M", "Q6_K", "Q8_0", "F16", "F32")]
    assert bpw == sorted(bpw)


def test_read_layout_lists_the_tensors(kquant_gguf: Path) -> None:
    layout = read_layout(kquant_gguf)
    shapes = {t.name: t.shape for t in layout.tensors}
    assert shapes["blk.0.ffn_down.weight"] == (512, 256)
    assert shapes["output_norm.weight"] == (256,)
    assert {t.type_name for t in layout.tensors} == {"F16", "F32"}
    assert layout.data_offset + layout.tensor_bytes == kquant_gguf.stat().st_size


def test_read_layout_rejects_a_non_gguf_file(tmp_path: Path) -> None:
    bad = tmp_path / "bad.gguf"
    bad.write_bytes(b"GGUF\x03\x00\x00\x00" + b"\xff" * 16)
    with pytest.raises(SpecError, match=r"bad\.gguf is not a readable GGUF file"):
        read_layout(bad)
    (tmp_path / "text.gguf").write_text("hello")
    with pytest.raises(SpecError, match="not a readable GGUF"):
        predict_size(tmp_path / "text.gguf", "Q8_0")


@pytest.mark.parametrize("quant_type", ["Q8_0", "Q4_0", "Q4_K_M", "Q6_K", "Q5_K_M", "Q3_K_M", "Q2_K", "F16"])
def test_predicted_size_is_the_size_llama_cpp_writes(kquant_gguf: Path, tmp_path: Path, quant_type: str) -> None:
    """To the byte (tests/unit/test_quantize_prediction.py compares every type and tensor on more models)."""
    out = tmp_path / f"out.{quant_type}.gguf"
    events = io.StringIO()
    run(QuantizeSpec(source=kquant_gguf, output=out, quant_type=quant_type, threads=1), Reporter(events))
    real = out.stat().st_size
    predicted = predict_size(kquant_gguf, quant_type)
    assert predicted == real
    done = [e for e in map(parse_event, events.getvalue().splitlines()) if e is not None and e.event == "done"]
    assert done[0].outputs == (str(out),) and done[0].result["size_bytes"] == real
    assert done[0].result["predicted_bytes"] == real
    assert not part_path(out).exists()


def test_per_tensor_progress_comes_from_llama_cpp_log(kquant_gguf: Path, tmp_path: Path) -> None:
    events = io.StringIO()
    run(QuantizeSpec(source=kquant_gguf, output=tmp_path / "o.gguf", quant_type="Q4_0", threads=1), Reporter(events))
    progress = [e for e in map(parse_event, events.getvalue().splitlines()) if e is not None and e.event == "progress"]
    tensors = [e for e in progress if e.message.startswith("[")]
    n = len(read_layout(kquant_gguf).tensors)
    assert len(tensors) == n
    assert tensors[0].message.startswith(f"[1/{n}] ") and tensors[0].fraction == 0.0
    assert tensors[-1].fraction == pytest.approx((n - 1) / n)
    fractions = [e.fraction or 0.0 for e in tensors]
    assert fractions == sorted(fractions)
    assert {e.message.split()[-1] for e in tensors} == {t.name for t in read_layout(kquant_gguf).tensors}


def test_dry_run_reports_the_prediction_and_writes_nothing(kquant_gguf: Path, tmp_path: Path) -> None:
    events = io.StringIO()
    out = tmp_path / "dry.gguf"
    assert run(QuantizeSpec(source=kquant_gguf, output=out, quant_type="Q4_K_M", dry_run=True), Reporter(events)) == []
    done = [e for e in map(parse_event, events.getvalue().splitlines()) if e is not None and e.event == "done"]
    assert done[0].result["predicted_bytes"] == predict_size(kquant_gguf, "Q4_K_M") and done[0].result["dry_run"]
    assert list(tmp_path.iterdir()) == []


def test_check_refuses_early_with_one_line(kquant_gguf: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    with pytest.raises(JobFailed, match="IQ2_XXS needs an importance matrix"):
        check(QuantizeSpec(source=kquant_gguf, output=tmp_path / "o.gguf", quant_type="IQ2_XXS"))
    # IQ3_XS itself needs none, but llama.cpp puts this model's attention K and Q at IQ3_XXS, which does
    with pytest.raises(JobFailed, match=r"IQ3_XS needs an importance matrix .* for this model: .*blk\.0\.attn_k"):
        check(QuantizeSpec(source=kquant_gguf, output=tmp_path / "o.gguf", quant_type="IQ3_XS"))
    (tmp_path / "exists.gguf").write_bytes(b"x")
    with pytest.raises(JobFailed, match="already exists"):
        check(QuantizeSpec(source=kquant_gguf, output=tmp_path / "exists.gguf", quant_type="Q8_0"))
    with pytest.raises(JobFailed, match="unknown type"):
        check(QuantizeSpec(source=kquant_gguf, output=tmp_path / "o.gguf", quant_type="Q7"))

    import shutil

    class Usage:
        free = 1 << 20

    monkeypatch.setattr(shutil, "disk_usage", lambda _p: Usage())
    with pytest.raises(JobFailed, match=r"not enough disk space in .*: the Q8_0 file needs about 2 MiB, 1 MiB are free"):
        check(QuantizeSpec(source=kquant_gguf, output=tmp_path / "o.gguf", quant_type="Q8_0"))


def test_legacy_imatrix_round_trip(tmp_path: Path) -> None:
    data = {"blk.0.attn_q.weight": [1.0, 2.0, 3.0], "blk.0.ffn_down.weight": [0.5] * 8}
    path = write_legacy_imatrix(tmp_path / "m.dat", data, ncall=4)
    assert load_imatrix(path) == data
    (tmp_path / "junk.dat").write_bytes(b"\x05\x00")
    with pytest.raises(JobFailed, match=r"junk\.dat is not an importance matrix file"):
        load_imatrix(tmp_path / "junk.dat")


def test_spec_round_trip_through_json(tmp_path: Path) -> None:
    spec = QuantizeSpec(source=tmp_path / "a.gguf", output=tmp_path / "b.gguf", quant_type="Q4_K_M",
                        imatrix=tmp_path / "m.dat", allow_requantize=True, keep_output_tensor=True, threads=3)  # fmt: skip
    assert loads(dumps(spec)) == spec
    assert json.loads(dumps(spec))["kind"] == "quantize"


@pytest.mark.parametrize(
    ("name", "base"),
    [("gemma-3-270m-q4_k_m.gguf", "gemma-3-270m"), ("gemma-3-270m.Q4_K_M.gguf", "gemma-3-270m"), ("model-f16.gguf", "model"),
     ("Llama-3-8B.IQ2_XXS.gguf", "Llama-3-8B"), ("plain.gguf", "plain"), ("Q8_0.gguf", "Q8_0"), ("x.Q8_0.Q4_0.gguf", "x")],
)  # fmt: skip
def test_output_names_replace_the_quant_suffix(name: str, base: str) -> None:
    assert base_name(Path(name)) == base
    assert default_output(Path("/m") / name, "q8_0", Path("/out")) == Path(f"/out/{base}.Q8_0.gguf")


def test_quantize_specs_are_absolute_and_unique(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    specs = quantize_specs(Path("m.F16.gguf"), ["q4_k_m", "Q8_0", "Q4_K_M"], out_dir=Path("out"))
    assert [s.quant_type for s in specs] == ["Q4_K_M", "Q8_0"]
    assert specs[0].source == tmp_path / "m.F16.gguf" and specs[0].output == tmp_path / "out" / "m.Q4_K_M.gguf"
    with pytest.raises(SpecError):
        quantize_specs(Path("m.gguf"), ["Q9"], out_dir=tmp_path)


def test_estimate_orders_time_by_type_and_counts_conversion_memory(kquant_gguf: Path) -> None:
    q8 = estimate(kquant_gguf, "Q8_0", threads=1)
    q4km = estimate(kquant_gguf, "Q4_K_M", threads=1)
    iq2 = estimate(kquant_gguf, "IQ2_XXS", threads=1)
    assert q8.output_bytes == predict_size(kquant_gguf, "Q8_0") and q8.threads == 1
    assert 0 < q8.seconds <= q4km.seconds < iq2.seconds  # i-quants search hardest
    biggest = max(t.n_elements for t in read_layout(kquant_gguf).tensors)
    assert q8.memory_bytes >= biggest * 8  # an F16 tensor is dequantized to F32, then quantized into a work buffer
    assert estimate(kquant_gguf, "Q8_0", threads=2).seconds < q8.seconds


def test_strict_check_refuses_a_quantized_source_without_allow_requantize(kquant_gguf: Path, tmp_path: Path) -> None:
    q4 = tmp_path / "m.Q4_0.gguf"
    run(QuantizeSpec(source=kquant_gguf, output=q4, quant_type="Q4_0"), Reporter(io.StringIO()))
    spec = QuantizeSpec(source=q4, output=tmp_path / "m.Q8_0.gguf", quant_type="Q8_0")
    with pytest.raises(JobFailed, match=r"m\.Q4_0\.gguf is already quantized \(Q4_0, Q6_K\); allow requantize"):
        check(spec, strict=True)
    check(spec)  # not strict: llama.cpp gets to refuse in its own words
    check(QuantizeSpec(source=q4, output=tmp_path / "m.Q8_0.gguf", quant_type="Q8_0", allow_requantize=True), strict=True)


def test_gguf_imatrix_is_normalised_by_its_counts(tmp_path: Path) -> None:
    import gguf
    import numpy as np

    path = tmp_path / "imatrix.gguf"
    writer = gguf.GGUFWriter(path, "imatrix")
    writer.add_array("imatrix.datasets", ["wiki.txt"])
    writer.add_uint32("imatrix.chunk_count", 4)
    writer.add_uint32("imatrix.chunk_size", 512)
    writer.add_tensor("blk.0.attn_q.weight.in_sum2", np.array([2.0, 4.0, 6.0, 8.0], dtype=np.float32))
    writer.add_tensor("blk.0.attn_q.weight.counts", np.array([2.0], dtype=np.float32))
    writer.add_tensor("blk.0.ffn_down_exps.weight.in_sum2", np.array([[3.0, 3.0], [5.0, 5.0]], dtype=np.float32))
    writer.add_tensor("blk.0.ffn_down_exps.weight.counts", np.array([3.0, 0.0], dtype=np.float32))
    writer.write_header_to_file()
    writer.write_kv_data_to_file()
    writer.write_tensors_to_file()
    writer.close()
    assert load_imatrix(path) == {"blk.0.attn_q.weight": [1.0, 2.0, 3.0, 4.0],
                                  "blk.0.ffn_down_exps.weight": [1.0, 1.0, 1.0, 1.0]}  # fmt: skip
