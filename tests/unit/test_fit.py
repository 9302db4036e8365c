"""Fit estimator: hand-computed cases."""

from __future__ import annotations

from dataclasses import replace

import pytest

from hardware.fit import (
    CPU_EFFICIENCY,
    GPU_RUNTIME_OVERHEAD,
    HOST_BYTES_PER_VOCABULARY_ENTRY,
    HOST_OVERHEAD,
    FitOptions,
    Placement,
    compute_reserved,
    estimate_speed,
    fit,
    kv_cache_bytes,
)
from hardware.quants import KvType, quant_type
from hardware.report import CpuInfo, GiB, GpuInfo, GpuVendor, HardwareReport, MiB
from hardware.shape import REPRESENTATIVE, ModelShape, parse_params, shape_for_params, shape_of

LLAMA_8B = shape_of(REPRESENTATIVE["8B"], "Q4_K_M")


def _gpu_box(vram_gib: float, *, ram_gib: float = 64) -> HardwareReport:
    gpu = GpuInfo("Test GPU", GpuVendor.NVIDIA, round(vram_gib * GiB), round(vram_gib * GiB), bandwidth=500e9)
    ram = round(ram_gib * GiB)
    return HardwareReport("Linux", CpuInfo("cpu", 8, 16), ram, ram, (gpu,), cpu_bandwidth=50e9)


def test_llama3_8b_kv_cache_at_8k_f16_is_exactly_one_gib() -> None:
    # 32 layers x 8 KV heads x (128 + 128) dims x 2 bytes x 8192 tokens
    assert kv_cache_bytes(LLAMA_8B, FitOptions(context=8192)) == GiB


def test_grouped_query_attention_shrinks_the_cache_by_heads_over_kv_heads() -> None:
    mha = replace(LLAMA_8B, n_kv_heads=32)
    opts = FitOptions(context=4096)
    assert kv_cache_bytes(mha, opts) == 4 * kv_cache_bytes(LLAMA_8B, opts)
    # Llama-2-13B has no GQA: 40 layers x 40 heads x 256 x 2 bytes x 4096 = 3.125 GiB
    assert kv_cache_bytes(shape_of(REPRESENTATIVE["13B"], "Q4_K_M"), opts) == 40 * 40 * 256 * 2 * 4096


def test_q8_0_kv_cache_costs_34_bytes_per_32_values() -> None:
    q8 = kv_cache_bytes(LLAMA_8B, FitOptions(context=8192, kv_type=KvType.Q8_0))
    assert q8 == GiB * 34 // 64  # half of f16, plus the block scales
    q4 = kv_cache_bytes(LLAMA_8B, FitOptions(context=8192, kv_type=KvType.Q4_0))
    assert q4 == GiB * 18 // 64


def _gemma3_270m() -> ModelShape:
    # The demo model's header: 18 blocks, 1 KV head of 256 dims, 15 of 18 layers sliding-window (512).
    return ModelShape(
        name="gemma3 270M", n_params=268_098_176, n_layers=18, n_heads=4, n_kv_heads=1, head_dim_k=256, head_dim_v=256,
        n_embd=640, n_ff=2048, n_vocab=262_144, context_train=32768, layer_bytes=4_000_000, embedding_bytes=170_000_000,
        output_bytes=170_000_000, tied_embeddings=True, n_swa_layers=15, swa_window=512,
    )  # fmt: skip


def test_sliding_window_layers_full_size_cache_matches_llama_cpp_report() -> None:
    # llama.cpp: "1 KiB per token per layer", 36 MiB at 2048 with the full-size SWA cache (llama-cpp-python's default).
    gemma = _gemma3_270m()
    assert kv_cache_bytes(gemma, FitOptions(context=2048)) == 36 * MiB
    assert kv_cache_bytes(gemma, FitOptions(context=32768)) == 576 * MiB


def test_sliding_window_layers_need_only_window_plus_ubatch_without_full_cache() -> None:
    gemma = _gemma3_270m()
    opts = FitOptions(context=32768, swa_full=False)
    # 3 global layers x 32768 cells + 15 SWA layers x (512 + 512) cells, 1 KiB each
    assert kv_cache_bytes(gemma, opts) == (3 * 32768 + 15 * 1024) * 1024


def test_compute_buffer_is_dominated_by_logits_for_a_large_vocabulary() -> None:
    # llama.cpp reserved 514.5 MiB for Gemma 3 270M at every context: 262144 x 512 x 4 bytes of logits + activations.
    gemma = _gemma3_270m()
    for ctx in (2048, 8192, 32768):
        assert compute_reserved(gemma, FitOptions(context=ctx, flash_attention=True)) == 512 * MiB + 2 * 640 * 512 * 4


def test_cpu_memory_counts_the_feed_forward_peak_the_masks_of_one_micro_batch_and_the_vocabulary_with_its_merges() -> None:
    # SmolLM2 135M's shape: llama-server reports a 15.51 MiB compute buffer at 2k (13.51 MiB of activations, one f16 KQ
    # mask of 2048 x 512 cells); a chat touches the mask over the cells of one micro-batch (512 x 512).
    smol = _small_model(n_embd=576, n_ff=1536, n_heads=9, n_kv_heads=3, head_dim_k=64, head_dim_v=64, n_vocab=49152,
                        n_merges=48900)  # fmt: skip
    report = fit(smol, _kernel_box(), FitOptions(context=2048, gpu_layers=0))
    activations = (3 * 1536 + 3 * 576 + 576) * 512 * 4
    assert activations / MiB == pytest.approx(13.5, abs=0.01)
    assert report.ram.compute == activations + 512 * 512 * 2 + 49152 * 4
    # Sliding-window layers bring a second mask; without flash attention the masks are f32; query heads wider than the
    # model (Gemma 3: 4 x 256 against 640) widen the attention's part.
    gemma_like = replace(smol, n_swa_layers=5, swa_window=512, n_embd=640, n_ff=2048, n_heads=4, head_dim_v=256)
    gemma = fit(gemma_like, _kernel_box(), FitOptions(context=2048, gpu_layers=0))
    assert gemma.ram.compute == (3 * 2048 + 3 * 640 + 1024) * 512 * 4 + 2 * 512 * 512 * 2 + 49152 * 4
    plain = fit(gemma_like, _kernel_box(), FitOptions(context=2048, gpu_layers=0, flash_attention=False))
    assert plain.ram.compute - gemma.ram.compute == 2 * 512 * 512 * 2
    # The host's own: every token and every BPE merge of the vocabulary.
    assert report.ram.overhead == HOST_OVERHEAD + (49152 + 48900) * HOST_BYTES_PER_VOCABULARY_ENTRY
    spm = fit(replace(smol, n_merges=0), _kernel_box(), FitOptions(context=2048, gpu_layers=0))
    assert report.ram.overhead - spm.ram.overhead == 48900 * HOST_BYTES_PER_VOCABULARY_ENTRY


def test_full_gpu_when_everything_fits_with_margin() -> None:
    report = fit(LLAMA_8B, _gpu_box(24), FitOptions(context=8192))
    assert report.placement is Placement.FULL_GPU
    assert report.verdict == "Full GPU"
    assert report.gpu_layers == 32 and report.output_on_gpu
    assert report.vram.kv_cache == GiB
    assert report.vram.weights == LLAMA_8B.n_layers * LLAMA_8B.layer_bytes + LLAMA_8B.output_bytes
    assert report.ram.weights == LLAMA_8B.embedding_bytes  # the token embedding stays on the CPU
    assert report.tokens_per_s > 0


def test_partial_offload_layer_count_on_8_gb_gpu_by_hand() -> None:
    hw = _gpu_box(8)
    opts = FitOptions(context=8192)
    shape = shape_of(REPRESENTATIVE["13B"], "Q4_K_M")
    report = fit(shape, hw, opts)
    assert report.placement is Placement.PARTIAL
    # By hand: each block costs its weights plus its KV (40 heads x 256 x 2 bytes x 8192 = 160 MiB); the GPU also holds
    # the runtime overhead and the compute buffer; 1 GiB stays free.
    per_layer = shape.layer_bytes + 40 * 256 * 2 * 8192
    budget = 8 * GiB - GiB - GPU_RUNTIME_OVERHEAD - compute_reserved(shape, opts)
    assert report.gpu_layers == budget // per_layer
    assert report.verdict == f"{budget // per_layer} of 40 layers on GPU"
    assert report.vram.total <= 7 * GiB
    # one layer more would not fit
    more = fit(shape, hw, replace(opts, gpu_layers=report.gpu_layers + 1))
    assert more.placement is Placement.DOES_NOT_FIT


def test_cpu_only_without_gpu_and_does_not_fit_with_largest_context() -> None:
    cpu_box = HardwareReport("Linux", CpuInfo("cpu", 8, 8), 16 * GiB, 16 * GiB, (), cpu_bandwidth=40e9)
    small = fit(LLAMA_8B, cpu_box, FitOptions(context=8192))
    assert small.placement is Placement.CPU_ONLY
    assert small.vram.total == 0
    big = fit(shape_of(REPRESENTATIVE["32B"], "Q4_K_M"), cpu_box, FitOptions(context=8192))
    assert big.placement is Placement.DOES_NOT_FIT
    assert big.max_context == 0
    assert "does not fit at any context" in big.reason
    # A model that fits only at a shorter context says which.
    tight = replace(cpu_box, ram_total=6 * GiB, ram_available=6 * GiB)
    report = fit(LLAMA_8B, tight, FitOptions(context=32768))
    assert report.placement is Placement.DOES_NOT_FIT
    assert 0 < report.max_context < 32768
    assert fit(LLAMA_8B, tight, FitOptions(context=report.max_context)).fits
    assert not fit(LLAMA_8B, tight, FitOptions(context=report.max_context + 512)).fits
    assert f"{report.max_context:,} tokens" in report.reason


def test_max_context_keeps_full_gpu() -> None:
    hw = _gpu_box(8)
    report = fit(LLAMA_8B, hw, FitOptions(context=4096))
    assert report.placement is Placement.FULL_GPU
    assert 4096 <= report.max_context < LLAMA_8B.context_train
    assert fit(LLAMA_8B, hw, FitOptions(context=report.max_context)).placement is Placement.FULL_GPU
    assert fit(LLAMA_8B, hw, FitOptions(context=report.max_context + 512)).placement is not Placement.FULL_GPU


def test_margin_is_respected_per_gpu() -> None:
    hw = _gpu_box(6)
    tight = fit(LLAMA_8B, hw, FitOptions(context=4096, gpu_margin=0))
    roomy = fit(LLAMA_8B, hw, FitOptions(context=4096, gpu_margin=2 * GiB))
    assert tight.gpu_layers > roomy.gpu_layers
    assert roomy.vram.total <= 4 * GiB


def test_two_gpus_share_the_layers() -> None:
    one = _gpu_box(8)
    two = replace(one, gpus=(one.gpus[0], replace(one.gpus[0], index=1)))
    shape = shape_of(REPRESENTATIVE["14B"], "Q4_K_M")
    assert fit(shape, one, FitOptions(context=4096)).placement is Placement.PARTIAL
    both = fit(shape, two, FitOptions(context=4096))
    assert both.placement is Placement.FULL_GPU
    assert both.vram.overhead == 2 * GPU_RUNTIME_OVERHEAD


def test_unified_memory_counts_gpu_share_against_ram() -> None:
    ram = 16 * GiB
    gpu = GpuInfo("Apple M2", GpuVendor.APPLE, ram * 2 // 3, ram * 2 // 3, bandwidth=100e9, unified_memory=True)
    mac = HardwareReport("macOS", CpuInfo("M2", 8, 8), ram, 12 * GiB, (gpu,), cpu_bandwidth=100e9)
    report = fit(LLAMA_8B, mac, FitOptions(context=4096))
    assert report.placement is Placement.FULL_GPU
    assert report.vram.total + report.ram.total <= 12 * GiB


def test_zero_gpu_layers_forces_cpu() -> None:
    report = fit(LLAMA_8B, _gpu_box(24), FitOptions(gpu_layers=0))
    assert report.placement is Placement.CPU_ONLY
    assert "GPU offload is off" in report.reason


def test_without_kernel_rates_the_cpu_speed_falls_back_to_the_bandwidth_over_bytes_per_token() -> None:
    hw = HardwareReport("Linux", CpuInfo("cpu", 8, 8), 64 * GiB, 64 * GiB, (), cpu_bandwidth=40e9)
    speed = estimate_speed(LLAMA_8B, hw, 0, False)
    bytes_per_token = LLAMA_8B.n_layers * LLAMA_8B.layer_bytes + LLAMA_8B.output_bytes
    assert speed == pytest.approx(40e9 * CPU_EFFICIENCY / bytes_per_token)
    assert estimate_speed(LLAMA_8B, replace(hw, cpu_bandwidth=0.0), 0, False) == 0.0


def _small_model(**changes: object) -> ModelShape:
    # 10 blocks of 1 MB (80% Q4_K, 20% Q6_K), a 2 MB Q8_0 output, 2 heads of 64+64 dims.
    shape = ModelShape(
        name="small", n_params=20_000_000, n_layers=10, n_heads=2, n_kv_heads=1, head_dim_k=64, head_dim_v=64, n_embd=128,
        n_ff=512, n_vocab=1000, context_train=4096, layer_bytes=1_000_000, embedding_bytes=2_000_000,
        output_bytes=2_000_000, quant="Q4_K_M", block_types=(("Q4_K", 8_000_000), ("Q6_K", 2_000_000)),
        output_type="Q8_0",
    )  # fmt: skip
    return replace(shape, **changes)  # type: ignore[arg-type]


def _kernel_box(**rates: float) -> HardwareReport:
    return HardwareReport("Linux", CpuInfo("cpu", 2, 2), 16 * GiB, 16 * GiB, (), cpu_bandwidth=100e9,
                          cpu_kernels=tuple(sorted(rates.items())))  # fmt: skip


def test_with_measured_kernels_each_tensor_type_streams_at_its_own_rate_and_attention_at_the_kv_rate() -> None:
    hw = _kernel_box(Q4_K=8e9, Q6_K=4e9, Q8_0=2e9, F16=1e9)
    # blocks 8 MB / 8 GB/s + 2 MB / 4 GB/s, output 2 MB / 2 GB/s, attention over 256 cells (the empty cache padded):
    # 10 layers x 2 heads x 256 cells x (64 + 64) dims x 2 bytes = 1,310,720 bytes of f16 at 1 GB/s.
    seconds = 8e6 / 8e9 + 2e6 / 4e9 + 2e6 / 2e9 + 10 * 2 * 256 * 128 * 2 / 1e9
    assert estimate_speed(_small_model(), hw, 0, False) == pytest.approx(1 / seconds)
    # No factor of efficiency: the same machine twice as fast at every type is twice as fast.
    doubled = _kernel_box(Q4_K=16e9, Q6_K=8e9, Q8_0=4e9, F16=2e9)
    assert estimate_speed(_small_model(), doubled, 0, False) == pytest.approx(2 / seconds)


def test_a_slow_output_type_or_a_big_vocabulary_slows_the_token_down() -> None:
    hw = _kernel_box(Q4_K=8e9, Q6_K=4e9, Q8_0=2e9, F16=1e9)
    base = estimate_speed(_small_model(), hw, 0, False)
    assert estimate_speed(_small_model(output_type="Q4_K"), hw, 0, False) > base
    assert estimate_speed(_small_model(output_bytes=20_000_000), hw, 0, False) < base / 2


def test_attention_costs_more_as_the_cache_fills_and_follows_the_kv_type() -> None:
    hw = _kernel_box(Q4_K=8e9, Q6_K=4e9, Q8_0=2e9, F16=1e9)
    model = _small_model()
    empty = estimate_speed(model, hw, 0, False)
    # 1 to 256 tokens attend over the same 256 cells; 701 tokens over 768.
    assert estimate_speed(model, hw, 0, False, context_tokens=200) == empty
    full = estimate_speed(model, hw, 0, False, context_tokens=701)
    attention = 10 * 2 * 128 * 2 / 1e9  # seconds per cell
    assert 1 / full - 1 / empty == pytest.approx(attention * (768 - 256))
    q8 = estimate_speed(model, hw, 0, False, context_tokens=701, kv_type=KvType.Q8_0)
    assert 1 / q8 - 1 / empty == pytest.approx(10 * 2 * 128 * (34 / 32) / 2e9 * 768 - attention * 256)


def test_an_unmeasured_type_takes_the_slowest_rate_and_shared_kv_heads_multiply_from_the_cache() -> None:
    model = _small_model(block_types=(("IQ3_XXS", 10_000_000),), output_type="Q8_0", n_heads=8, n_kv_heads=2)
    hw = _kernel_box(Q8_0=3e9, F16=6e9, Q4_K=9e9, **{"F16/cache": 24e9})
    # The KV cache of 10 layers x 256 cells x 128 dims x 2 bytes is streamed once per KV head (2) at the F16 rate and
    # multiplied again from the cache by the other 6 query heads at the cached F16 rate.
    kv = 10 * 256 * 128 * 2
    seconds = 10e6 / 3e9 + 2e6 / 3e9 + kv * (2 / 6e9 + 6 / 24e9)
    assert estimate_speed(model, hw, 0, False) == pytest.approx(1 / seconds)
    # Memory bandwidth plays no part once the kernels are measured (they stream from RAM themselves).
    assert estimate_speed(model, replace(hw, cpu_bandwidth=1e9), 0, False) == pytest.approx(1 / seconds)
    # Only cached rates (a broken cache entry): back to the bandwidth estimate.
    only_cached = _kernel_box(**{"F16/cache": 24e9})
    fallback = estimate_speed(model, replace(hw, cpu_kernels=()), 0, False)
    assert estimate_speed(model, only_cached, 0, False) == pytest.approx(fallback)


def test_flash_attention_costs_every_query_head_and_cell_at_the_rate_measured_for_its_head_size_and_grouping() -> None:
    rates = {"Q4_K": 8e9, "Q6_K": 4e9, "Q8_0": 2e9, "F16": 1e9}
    # Measured over caches read from RAM: 1 query head per KV head at 5e7 head-cells/s, 4 per KV head at 8e7 (heads of 64
    # dims); heads of 256 dims at half those rates.
    hw = _kernel_box(**rates, **{"attention/64/1": 5e7, "attention/64/4": 8e7, "attention/256/1": 2.5e7,
                                 "attention/256/4": 4e7})  # fmt: skip
    weights = 8e6 / 8e9 + 2e6 / 4e9 + 2e6 / 2e9
    # cost(G) = a + b / G: a + b = 1 / 5e7 and a + b / 4 = 1 / 8e7, so b = (1/5e7 - 1/8e7) * 4/3, a = 1/5e7 - b.
    b = (1 / 5e7 - 1 / 8e7) * 4 / 3
    a = 1 / 5e7 - b

    def seconds(model: ModelShape) -> float:
        return 1 / estimate_speed(model, hw, 0, False, context_tokens=701)

    # 10 layers x 2 query heads x 768 cells (701 tokens, padded to 256); the small model's 2 query heads share 1 KV head.
    model = _small_model()  # heads of 64 + 64 dims
    assert seconds(model) == pytest.approx(weights + 10 * 2 * 768 * (a + b / 2))
    # A grouping measured costs what was measured; a wider one shares each KV head's bytes among more query heads.
    assert seconds(_small_model(n_heads=4)) == pytest.approx(weights + 10 * 4 * 768 / 8e7)
    assert seconds(_small_model(n_heads=8)) == pytest.approx(weights + 10 * 8 * 768 * (a + b / 8))
    assert seconds(_small_model(n_kv_heads=2)) == pytest.approx(weights + 10 * 2 * 768 / 5e7)
    # Heads of 128 dims lie between the sizes measured: each grouping's rate linear in the head size.
    wide = _small_model(head_dim_k=128, head_dim_v=128, n_heads=4)
    rate = 8e7 + (128 - 64) / (256 - 64) * (4e7 - 8e7)
    assert seconds(wide) == pytest.approx(weights + 10 * 4 * 768 / rate)
    # Sliding-window layers (4 of the 10, a window of 512) attend only over the cells within their window.
    swa = _small_model(n_swa_layers=4, swa_window=512, n_heads=4)
    assert seconds(swa) == pytest.approx(weights + 4 * (6 * 768 + 4 * 512) / 8e7)
    # Without flash attention, K.q and V.softmax are matrix-vector products at the KV type's rates, as before.
    plain = estimate_speed(model, hw, 0, False, context_tokens=701, flash_attention=False)
    assert plain == pytest.approx(estimate_speed(model, _kernel_box(**rates), 0, False, context_tokens=701))
    report = fit(model, hw, FitOptions(context=2048, gpu_layers=0, flash_attention=False))
    assert report.tokens_per_s == pytest.approx(estimate_speed(model, hw, 0, False, flash_attention=False))
    # One grouping only (an older or partial measurement): its rate for every grouping.
    one = _kernel_box(**rates, **{"attention/64/4": 8e7})
    assert 1 / estimate_speed(model, one, 0, False, context_tokens=701) == pytest.approx(weights + 10 * 2 * 768 / 8e7)


def test_a_token_costs_its_graphs_other_nodes_per_layer_and_token_and_sampling_per_vocabulary_entry() -> None:
    rates = {"Q4_K": 8e9, "Q6_K": 4e9, "Q8_0": 2e9, "F16": 1e9}
    costs = {"overhead/token": 2e-5, "overhead/layer": 1e-5, "overhead/vocab": 1e-9}
    model = _small_model()  # 10 layers, a vocabulary of 1000
    base = 1 / estimate_speed(model, _kernel_box(**rates), 0, False)
    assert 1 / estimate_speed(model, _kernel_box(**rates, **costs), 0, False) == pytest.approx(base + 2e-5 + 10e-5 + 1e-6)
    # Layers on a GPU leave their costs there; a bigger vocabulary samples longer.
    big = _small_model(n_vocab=262_144)
    extra = 1 / estimate_speed(big, _kernel_box(**rates, **costs), 0, False) - 1 / estimate_speed(big, _kernel_box(**rates),
                                                                                                  0, False)  # fmt: skip
    assert extra == pytest.approx(2e-5 + 10e-5 + 262_144e-9)


def test_block_weights_stream_at_the_rate_measured_for_layers_as_wide_as_the_model() -> None:
    hw = _kernel_box(Q4_K=8e9, Q6_K=4e9, Q8_0=2e9, F16=1e9, **{"Q4_K@512": 4e9})

    def seconds(n_embd: int) -> float:
        return 1 / estimate_speed(_small_model(n_embd=n_embd), hw, 0, False)

    # 8 MB of Q4_K in blocks: at the chain's 4 GB/s for a 512-wide model (or narrower), at the large matrix's 8 GB/s from
    # 2048 (ROW) on, in between interpolated in log(width); Q6_K, measured at no other width, and the output keep theirs.
    assert seconds(512) - seconds(2048) == pytest.approx(8e6 / 4e9 - 8e6 / 8e9)
    assert seconds(256) == pytest.approx(seconds(512)) and seconds(8192) == pytest.approx(seconds(2048))
    assert seconds(1024) - seconds(2048) == pytest.approx(8e6 / 6e9 - 8e6 / 8e9)


def test_the_output_streams_at_the_rate_of_one_matrix_with_rows_as_wide_as_the_model() -> None:
    # A chain's rate is not the output's: one matrix of 512-wide rows ("Q8_0/512") is.
    hw = _kernel_box(Q4_K=8e9, Q6_K=4e9, Q8_0=2e9, F16=1e9, **{"Q8_0/512": 1e9, "Q8_0@512": 0.5e9})
    base = _kernel_box(Q4_K=8e9, Q6_K=4e9, Q8_0=2e9, F16=1e9)
    narrow = _small_model(n_embd=512)
    extra = 1 / estimate_speed(narrow, hw, 0, False) - 1 / estimate_speed(narrow, base, 0, False)
    assert extra == pytest.approx(2e6 / 1e9 - 2e6 / 2e9)
    wide = _small_model(n_embd=2048)
    assert estimate_speed(wide, hw, 0, False) == pytest.approx(estimate_speed(wide, base, 0, False))


def test_a_shape_without_a_file_takes_its_tensor_types_from_the_file_type() -> None:
    assert LLAMA_8B.block_type_shares() == (("Q4_K", 0.8), ("Q6_K", 0.2))
    assert LLAMA_8B.output_tensor_type == "Q6_K"
    q8 = shape_of(REPRESENTATIVE["8B"], "Q8_0")
    assert q8.block_type_shares() == (("Q8_0", 1.0),) and q8.output_tensor_type == "Q8_0"
    assert shape_of(REPRESENTATIVE["8B"], "Q4_K_S").block_type_shares() == (("Q4_K", 1.0),)


def test_the_fit_report_speed_uses_the_kernel_rates_and_the_options_kv_type() -> None:
    hw = _kernel_box(Q4_K=8e9, Q6_K=4e9, Q8_0=2e9, F16=1e9)
    report = fit(_small_model(), hw, FitOptions(context=2048, gpu_layers=0))
    assert report.tokens_per_s == pytest.approx(estimate_speed(_small_model(), hw, 0, False))
    q8 = fit(_small_model(), hw, FitOptions(context=2048, gpu_layers=0, kv_type=KvType.Q8_0, flash_attention=True))
    assert q8.tokens_per_s == pytest.approx(estimate_speed(_small_model(), hw, 0, False, kv_type=KvType.Q8_0))


def test_quantized_v_cache_without_flash_attention_is_flagged() -> None:
    report = fit(LLAMA_8B, _gpu_box(24), FitOptions(kv_type=KvType.Q8_0, flash_attention=False))
    assert any("flash attention" in n for n in report.notes)


def test_parse_params_and_shapes_for_any_size() -> None:
    assert parse_params("7B") == 7_000_000_000
    assert parse_params("270m") == 270_000_000
    assert parse_params(" 13 ") == 13_000_000_000
    with pytest.raises(ValueError, match="write it like 7B"):
        parse_params("seven")
    shape = shape_for_params(parse_params("9B"), "Q4_K_M")
    assert abs(shape.n_params - 9e9) / 9e9 < 0.01
    assert shape.n_kv_heads == 8
    # Llama-3.1-8B at Q4_K_M is 4.58 GiB in llama.cpp's scoreboard
    assert shape_of(REPRESENTATIVE["8B"], "Q4_K_M").weights_bytes / GiB == pytest.approx(4.58, abs=0.01)
    assert quant_type("q4_k_m").name == "Q4_K_M"


def test_a_gpu_the_llama_cpp_build_cannot_drive_gets_a_cpu_verdict_with_the_way_to_a_gpu_build() -> None:
    # The report the issue names: a CUDA GPU is present, llama.cpp was built for the CPU only.
    box = replace(_gpu_box(24), llama_backends=("CPU",))
    report = fit(LLAMA_8B, box, FitOptions(context=8192))
    assert report.placement is Placement.CPU_ONLY and report.gpu_layers == 0 and report.vram.total == 0
    assert report.notes[0] == (
        "CPU: this build of llama.cpp (CPU) cannot use the Test GPU; for a GPU build: MODELWERK_GPU=cuda (needs the "
        "CUDA toolkit's nvcc) or MODELWERK_GPU=vulkan."
    )
    assert report.tokens_per_s == pytest.approx(fit(LLAMA_8B, replace(box, gpus=())).tokens_per_s)
    # A manual GPU-layers setting cannot put layers on it either.
    assert fit(LLAMA_8B, box, FitOptions(context=8192, gpu_layers=99)).gpu_layers == 0


@pytest.mark.parametrize(
    ("backends", "placement"),
    [(("CPU", "CUDA"), Placement.FULL_GPU), (("CPU", "Vulkan"), Placement.FULL_GPU), (("CPU", "HIP"), Placement.CPU_ONLY),
     (None, Placement.FULL_GPU)],
)  # fmt: skip
def test_a_build_with_a_backend_for_the_gpu_keeps_its_gpu_verdict(backends: tuple[str, ...] | None,
                                                                  placement: Placement) -> None:  # fmt: skip
    report = fit(LLAMA_8B, replace(_gpu_box(24), llama_backends=backends), FitOptions(context=8192))
    assert report.placement is placement


def test_backend_names_as_llama_cpp_prints_them_are_normalised() -> None:
    from hardware.backends import normalise

    assert normalise(["CUDA0", "CPU", "cuda1", "ROCm0", "BLAS", "Metal"]) == ("CPU", "CUDA", "Metal", "HIP")


def test_backends_are_read_from_what_llama_cpp_prints() -> None:
    from hardware.backends import from_list_devices, from_system_info

    # This machine's CPU build of llama-server, and a CUDA build's output.
    assert from_list_devices("Available devices:\n  (none)\n") == ("CPU",)
    cuda = "Available devices:\n  CUDA0: NVIDIA GeForce RTX 4090 (24564 MiB, 23967 MiB free)\n  Vulkan0: AMD (8 GiB)\n"
    assert from_list_devices(cuda) == ("CPU", "CUDA", "Vulkan")
    assert from_system_info("CPU : SSE3 = 1 | AVX2 = 1 | LLAMAFILE = 1 | OPENMP = 1 | REPACK = 1 | ") == ("CPU",)
    assert from_system_info("CUDA : ARCHS = 890 | USE_GRAPHS = 1 | CPU : SSE3 = 1 | AVX2 = 1 | ") == ("CPU", "CUDA")
