"""The Quantize dialog's first type, the "up" test, the source model as a result row, and one row per measurement
(issue 16, item 7): pure logic."""

from __future__ import annotations

from pathlib import Path

from quantize.results import ResultStore, with_references
from quantize.types import default_type, not_smaller


def test_the_first_type_is_smaller_than_the_source_and_never_its_own() -> None:
    assert [default_type(s) for s in ("", "F32", "F16", "BF16", "Q8_0", "Q6_K", "Q5_K_M")] == ["Q4_K_M"] * 7
    assert default_type("Q4_K_M") == "Q3_K_M" and default_type("Q4_0") == "Q3_K_M"
    assert default_type("Q3_K_M") == "Q2_K"
    assert default_type("Q2_K") is None and default_type("IQ2_XS") is None  # nothing sensible below
    assert default_type("something-new") == "Q4_K_M"  # unknown: as unquantized


def test_up_means_as_many_bits_or_more_than_a_quantized_source() -> None:
    assert not_smaller("Q8_0", "Q4_K_M") and not_smaller("Q4_K_M", "Q4_K_M") and not_smaller("F16", "Q8_0")
    assert not not_smaller("Q3_K_M", "Q4_K_M")
    assert not any(not_smaller(t, s) for t in ("Q8_0", "F16", "F32") for s in ("F16", "F32", "BF16", ""))


def _result(tmp_path: Path, quant: str, ppl: float, **more: object) -> dict[str, object]:
    return {"model": f"m.{quant}.gguf", "model_path": str(tmp_path / f"m.{quant}.gguf"), "quant_type": quant,
            "perplexity": ppl, "reference": "m.F16.gguf", "reference_path": str(tmp_path / "m.F16.gguf"),
            "reference_perplexity": 9.118, "context": 512, "text": "builtin", **more}  # fmt: skip


def test_the_source_model_becomes_one_row_of_its_own(tmp_path: Path) -> None:
    (tmp_path / "m.F16.gguf").write_bytes(b"\0" * 100)
    rows = with_references([_result(tmp_path, "Q8_0", 9.138), _result(tmp_path, "Q4_K_M", 9.4)])
    assert len(rows) == 3
    ref = rows[-1]
    assert (ref["model"], ref["quant_type"], ref["perplexity"]) == ("m.F16.gguf", "F16 (source)", 9.118)
    assert ref["size_bytes"] == 100
    assert ref["is_reference"] and "kld_mean" not in ref
    # A source evaluated on its own is not added twice; a result without a reference adds nothing.
    own = {"model": "m.F16.gguf", "model_path": str(tmp_path / "m.F16.gguf"), "perplexity": 9.118}
    assert len(with_references([_result(tmp_path, "Q8_0", 9.138), own])) == 2
    assert with_references([{"model": "x.gguf", "perplexity": 3.0}]) == [{"model": "x.gguf", "perplexity": 3.0}]
    (tmp_path / "m.F16.gguf").unlink()
    assert with_references([_result(tmp_path, "Q8_0", 9.138)])[-1]["size_bytes"] is None  # the file is gone


def test_measuring_the_same_file_again_replaces_its_row(tmp_path: Path) -> None:
    store = ResultStore(tmp_path / "jobs.db")
    store.add(_result(tmp_path, "Q8_0", 9.138))
    store.add(_result(tmp_path, "Q4_K_M", 9.4))
    store.add(_result(tmp_path, "Q8_0", 9.137))
    assert sorted((r["quant_type"], r["perplexity"]) for r in store.all()) == [("Q4_K_M", 9.4), ("Q8_0", 9.137)]
    store.add(_result(tmp_path, "Q8_0", 9.2, context=1024))  # another context is another measurement
    assert len(store.all()) == 3
