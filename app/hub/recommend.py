"""Ready-made or self-made: for an original repository, which existing GGUF quantization to get, or how to make one."""

from __future__ import annotations

import logging

from app.hub.client import HubClient
from app.hub.errors import HubError, HubUnavailable
from app.hub.estimate import shape_from_config
from app.hub.files import FileKind
from app.hub.remote_fit import Recommendation, default_options
from app.hub.results import RepoDetails
from hardware.advice import DEFAULT_USABLE_SPEED, speed_text, usable, usable_speed_text
from hardware.fit import FitOptions, FitReport, Placement, fit
from hardware.quants import QUANT_TYPES
from hardware.report import HardwareReport

log = logging.getLogger(__name__)

CANDIDATE_TYPES = ("Q8_0", "Q6_K", "Q5_K_M", "Q4_K_M", "IQ4_XS", "Q3_K_M", "IQ3_XXS", "Q2_K", "IQ2_M")
"""The types people publish and llama.cpp users pick, best quality first."""


def quantize_command(repo_id: str, quant: str) -> str:
    """The shell command that makes a GGUF of `repo_id` at `quant`: `pull` downloads the safetensors original (the
    repository has no GGUF), `recipe` converts it to GGUF and quantizes it through the job queue, then evaluates it."""
    return f"modelwerk pull {repo_id} && modelwerk recipe {repo_id} --type {quant}"


def context_label(n: int) -> str:
    return f"{n // 1024}k" if n >= 1024 and n % 1024 == 0 else f"{n:,}-token"


def where_phrase(report: FitReport) -> str:
    """ "fits this machine fully on the GPU", "... with 20 of 32 layers on the GPU", "... on the CPU only"."""
    if report.placement is Placement.FULL_GPU:
        return "fits this machine fully on the GPU"
    if report.placement is Placement.PARTIAL:
        return f"fits this machine with {report.gpu_layers} of {report.n_layers} layers on the GPU"
    if report.placement is Placement.CPU_ONLY:
        return "fits this machine on the CPU only"
    return "does not fit this machine"


def _best(estimates: dict[str, FitReport], allowed: set[str] | None = None, *,
          usable_speed: float = DEFAULT_USABLE_SPEED) -> str | None:  # fmt: skip
    """The best usable type (fits and reaches `usable_speed`): best placement, then the most bits per weight; when none
    is usable, the fastest that fits (the text says it is slow); None when none fits."""
    fitting = [q for q, r in estimates.items() if r.fits and (allowed is None or q in allowed)]
    ok = [q for q in fitting if usable(estimates[q], usable_speed)]
    if ok:
        return min(ok, key=lambda q: (estimates[q].placement.rank, -QUANT_TYPES[q].bits_per_weight))
    return max(fitting, key=lambda q: estimates[q].tokens_per_s) if fitting else None


def pace_phrase(report: FitReport, usable_speed: float) -> str:
    """ ", ~6.0 tok/s" or ", ~3.4 tok/s: below the usable 5 tok/s, and the fastest of these types here"; "" when the
    speed is unknown."""
    if not report.tokens_per_s:
        return ""
    pace = f", {speed_text(report.tokens_per_s)}"
    if not usable(report, usable_speed):
        pace += f": below the usable {usable_speed_text(usable_speed)}, and the fastest of these types here"
    return pace


def recommend_for(client: HubClient, original: RepoDetails, hw: HardwareReport, *, options: FitOptions | None = None,
                  usable_speed: float = DEFAULT_USABLE_SPEED) -> Recommendation:  # fmt: skip
    """See app.hub.remote_fit.recommend."""
    repo = original.repo_id
    try:
        config = client.read_json(repo, "config.json", revision=original.revision)
    except HubUnavailable:
        raise
    except HubError as e:
        log.info("no config.json for %s (%s): estimating from the parameter count", repo, e)
        config = {}
    estimates: dict[str, FitReport] = {}
    for q in CANDIDATE_TYPES:
        shape = shape_from_config(config, n_params=original.n_params, quant=q, name=repo.rsplit("/", 1)[-1])
        if shape is not None:
            estimates[q] = fit(shape, hw, options or default_options(shape.context_train))
    if not estimates:
        return Recommendation(text=f"Cannot estimate what {repo} needs: no dimensions in its config.json and no known size")
    ctx = context_label(next(iter(estimates.values())).options.context)
    best_any = _best(estimates, usable_speed=usable_speed)
    ggufs = sorted((r for r in client.quantizations_of(repo) if "gguf" in r.formats), key=lambda r: -r.downloads)
    if not ggufs:
        if best_any is None:
            return Recommendation(text=f"No ready-made GGUF of {repo} was found, and even {CANDIDATE_TYPES[-1]} would not fit")
        text = (f"No ready-made GGUF of {repo} was found; quantize it yourself: {best_any} "
                f"{where_phrase(estimates[best_any])} at {ctx} context"
                f"{pace_phrase(estimates[best_any], usable_speed)}")  # fmt: skip
        return Recommendation(text=text, quant=best_any, command=quantize_command(repo, best_any))
    top = ggufs[0].repo_id
    available = _available_quants(client, top)
    chosen = _best(estimates, available, usable_speed=usable_speed) if available else best_any
    if chosen is not None:
        text = (f"{top} has ready-made GGUF files; {chosen} {where_phrase(estimates[chosen])} at {ctx} context"
                f"{pace_phrase(estimates[chosen], usable_speed)}")  # fmt: skip
        return Recommendation(text=text, repo_id=top, quant=chosen)
    if best_any is None:
        return Recommendation(text=f"{top} has GGUF files of {repo}, but none of them fits this machine", repo_id=top)
    text = (f"{top} has GGUF files, but none that fits; quantize it yourself: {best_any} "
            f"{where_phrase(estimates[best_any])} at {ctx} context"
                f"{pace_phrase(estimates[best_any], usable_speed)}")  # fmt: skip
    return Recommendation(text=text, repo_id=top, quant=best_any, command=quantize_command(repo, best_any))


def _available_quants(client: HubClient, repo_id: str) -> set[str] | None:
    """The candidate types the repository has as complete GGUF files; None when its listing cannot be read."""
    try:
        details = client.repo(repo_id)
    except HubError as e:
        log.info("cannot list %s: %s", repo_id, e)
        return None
    found = set()
    for g in details.groups:
        if g.kind is FileKind.GGUF and not g.mmproj and g.complete:
            found.add(g.quant.upper().removeprefix("UD-"))
    return {q for q in found if q in CANDIDATE_TYPES}
