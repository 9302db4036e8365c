"""What generating a token costs besides the weights and attention, measured with synthetic llama models."""

from __future__ import annotations

from pathlib import Path

from formats.gguf_info import inspect_gguf
from hardware.decode_costs import WIDTH, fastest_token, measure_decode_costs, write_probe_model


def test_the_probe_models_are_llamas_of_negligible_width_that_llama_cpp_generates_with(tmp_path: Path) -> None:
    path = write_probe_model(tmp_path / "probe.gguf", layers=3)
    info = inspect_gguf(path)
    assert info.architecture == "llama" and info.n_layers == 3 and info.n_embd == WIDTH and info.n_vocab == 259
    assert info.shape is not None and info.shape.layer_bytes < 16_000  # 26 layers stay in a 2 MiB L2 cache many times over
    assert 0 < fastest_token(path, threads=1, tokens=4, rounds=1) < 1.0


def test_a_deeper_model_costs_more_per_token_and_the_costs_split_into_token_and_layer() -> None:
    costs = measure_decode_costs(threads=1, depths=(1, 41))
    assert set(costs) == {"overhead/token", "overhead/layer", "overhead/vocab"}
    # 40 more layers of ~20 nodes each: at least 40 ns a layer on any CPU, and well under a millisecond.
    assert 4e-8 < costs["overhead/layer"] < 1e-3, costs
    assert 0 <= costs["overhead/token"] < 0.05 and 0 < costs["overhead/vocab"] < 1e-6, costs
