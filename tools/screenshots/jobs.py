"""Staged content for the Jobs page screenshots (jobs.png, quantize-results.png): no model is quantized.

The queue rows are real queue entries (the runner is stopped first) shown with the states and progress of a typical
session: a Llama 3.1 8B F16 quantized to several types, one running, one refused requantize. The results use the sizes,
perplexities and KL divergences of llama.cpp's published Llama-3-8B scoreboard (the figures hardware.quants is built from),
with generation speeds as an RTX 4090 reaches them (about 75 % of its bandwidth over the file size).
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import Any

from hardware.quants import LLAMA3_8B_PARAMS, QUANT_TYPES

SOURCE = "Meta-Llama-3.1-8B-Instruct-F16.gguf"
FAMILY = "meta-llama-3-8b"
SHOWN_TYPES = ("F16", "Q8_0", "Q6_K", "Q5_K_M", "Q4_K_M", "IQ4_XS", "Q4_0", "Q3_K_M", "IQ3_XXS", "Q2_K")
BANDWIDTH = 1008e9 * 0.75
F16_PPL = 6.233160  # the scoreboard's F16 perplexity, which hardware.quants stores ratios to
RUNNING_LOG = """--- 2026-11-29 14:02:11 Quantize Meta-Llama-3.1-8B-Instruct-F16.gguf → Q5_K_M
$ python -m quantize.worker spec.json
checking: 15.0 GiB source, predicted 5.3 GiB output, 5.9 GiB free memory, 1.4 TiB free disk
llama_model_quantize: ftype 17 (Q5_K_M), 32 threads
[  1/291] token_embd.weight                  - [ 4096, 128256] f16 -> q5_K  1002.00 MiB -> 344.44 MiB
[  2/291] blk.0.attn_norm.weight             - [ 4096]         f32 -> f32      0.02 MiB
[  3/291] blk.0.ffn_down.weight              - [14336,   4096] f16 -> q6_K   112.00 MiB ->  45.94 MiB
[  4/291] blk.0.ffn_gate.weight              - [ 4096,  14336] f16 -> q5_K   112.00 MiB ->  38.50 MiB
...
[133/291] blk.14.attn_v.weight               - [ 4096,   1024] f16 -> q6_K     8.00 MiB ->   3.28 MiB
[134/291] blk.14.ffn_down.weight             - [14336,   4096] f16 -> q5_K   112.00 MiB ->  38.50 MiB"""


def results() -> list[dict[str, Any]]:
    """One evaluation per shown type, in the shape quantize.evaluate writes."""
    out = []
    for name in SHOWN_TYPES:
        q = QUANT_TYPES[name]
        size = round(q.bits_per_weight * LLAMA3_8B_PARAMS / 8)
        out.append({
            "model": f"Meta-Llama-3.1-8B-Instruct.{name}.gguf", "reference": SOURCE, "quant_type": name, "size_bytes": size,
            "params": LLAMA3_8B_PARAMS, "perplexity": round(q.ppl_ratio * F16_PPL, 4), "kld_mean": q.kld or None,
            "gen_tps": round(BANDWIDTH / size, 1), "prompt_tps": round(11_000 * (16e9 / size) ** 0.25), "context": 512,
            "backend": "llama.cpp", "family": FAMILY, "ppl_tokens": 7_680,
        })  # fmt: skip
    return out


def stage_jobs(window: Any) -> None:
    """Fill the window's queue with the staged session and show it (the runner is stopped so nothing really runs)."""
    from app.jobs import quantize_specs
    from quantize.queue import JobState

    page = window.jobs_page
    page.runner.stop()
    page.timer.stop()
    queue = window.jobs_queue
    models = window.library_page.models_dir
    source = models / SOURCE
    specs = quantize_specs(source, ["Q8_0", "Q6_K", "Q5_K_M", "Q4_K_M", "IQ4_XS", "Q3_K_M"], out_dir=models)
    failed = quantize_specs(models / "Meta-Llama-3.1-8B-Instruct-Q4_K_M.gguf", ["Q2_K"], out_dir=models)
    jobs = [queue.add(s) for s in [*specs, *failed]]
    now = datetime.now(timezone.utc)
    took = {"Q8_0": 48, "Q6_K": 71}
    staged = []
    start = now - timedelta(seconds=180)
    for job in jobs:
        name = job.spec.quant_type
        if name in took:
            end = start + timedelta(seconds=took[name])
            staged.append(dataclasses.replace(job, state=JobState.DONE, started=start, finished=end, fraction=1.0,
                                              outputs=(job.spec.output,)))  # fmt: skip
            start = end
        elif name == "Q5_K_M":
            staged.append(dataclasses.replace(job, state=JobState.RUNNING, started=start, fraction=0.46, eta_s=68.0,
                                              stage="quantizing", message="blk.14.ffn_down.weight → Q5_K"))  # fmt: skip
            queue.append_log(job.id, RUNNING_LOG)
        elif name == "Q2_K":
            error = "the source is already quantized (Q4_K_M): allow requantize to quantize it again"
            staged.append(dataclasses.replace(job, state=JobState.FAILED, started=now, finished=now, error=error))
        else:
            staged.append(job)
    page.model.set_jobs(staged)
    page.select_job(staged[2].id)
    page._update_actions()


def jobs_shots(window: Any, grab: Callable[[str], None], wait: Callable[[Callable[[], bool]], None]) -> None:
    """jobs.png: the queue mid-session; quantize-results.png: the results of the family, table and chart."""
    page = window.jobs_page
    window.show_page(page)
    window.resize(1280, 860)  # an earlier page's content may have widened the window
    wait(lambda: not page.busy())
    stage_jobs(window)
    wait(lambda: not page.busy() and bool(page.log_view.toPlainText()))
    grab("jobs.png")
    page.results.set_results(results())
    page.results.select_family(FAMILY)
    page.tabs.setCurrentWidget(page.results)
    page.results.splitter.setSizes([230, 420])
    grab("quantize-results.png")


def write_dialog_shot(window: Any, out: Path, wait: Callable[[Callable[[], bool]], None]) -> Path:
    """quantize-dialog.png: the Quantize dialog for a library model, on the screenshot machine."""
    from app.ui.jobs.quantize_dialog import QuantizeDialog

    entry = next(e for e in window.catalog.entries() if "Nemo" in e.name or "Q8_0" in e.quantization)
    dialog = QuantizeDialog(entry, hardware=window.jobs_page._hw, options=window.jobs_page.options,
                            out_dir=window.library_page.models_dir, parent=window)  # fmt: skip
    dialog.set_checked(["Q6_K", "Q5_K_M", "Q4_K_M"])
    dialog.requantize.setChecked(True)
    dialog.show()
    wait(lambda: not dialog.busy() and dialog.row("Q4_K_M")[2] != "…")
    if not dialog.grab().save(str(out)):
        raise OSError(f"could not write {out}")
    dialog.close()
    dialog.deleteLater()
    return out
