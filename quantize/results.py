"""Evaluation results, kept in SQLite so the results view can compare every quantization of a model family.

The app keeps the table in the same file as the job queue (`paths.data_dir()/"jobs.db"`): this module owns only the
`eval_results` table (created if missing) and never touches `PRAGMA user_version`, which belongs to the queue.
A connection per call keeps it safe to use from any thread.
"""

from __future__ import annotations

import contextlib
import json
import logging
import re
import sqlite3
from collections.abc import Iterator
from datetime import datetime, timezone
from pathlib import Path, PurePath
from typing import Any

log = logging.getLogger(__name__)

_SCHEMA = """
CREATE TABLE IF NOT EXISTS eval_results (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    created TEXT NOT NULL,
    model TEXT NOT NULL,
    family TEXT NOT NULL,
    metrics TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS eval_results_family ON eval_results (family);
"""

# A quantization suffix at the end of a name: ".Q4_K_M", "-q8_0", "_IQ2_XS", "-f16", "-GPTQ-4bit", "-gptq-int4", "-4bit".
_QUANT_SUFFIX = re.compile(
    r"[-._](?:i?q\d(?:_[a-z0-9]+)*|f16|bf16|f32|fp16|fp32|gptq(?:[-_][a-z0-9]+)*|awq(?:[-_][a-z0-9]+)*|\d+bit|int[48])$",
    re.IGNORECASE,
)
_SPLIT_SUFFIX = re.compile(r"-\d{5}-of-\d{5}$")


def family_name(name: str) -> str:
    """A model's family: its name without extension, split-part and quantization suffixes, lower-case.

    "gemma-3-270m.Q8_0.gguf" and "gemma-3-270m-q4_k_m.gguf" -> "gemma-3-270m"; a requantized
    "gemma-3-270m-q4_k_m.Q4_0.gguf" too.
    """
    base = PurePath(name.strip().rstrip("/")).name
    if base.lower().endswith(".gguf"):
        base = base[: -len(".gguf")]
    base = _SPLIT_SUFFIX.sub("", base)
    while True:
        stripped = _QUANT_SUFFIX.sub("", base)
        if stripped == base or not stripped:
            break
        base = stripped
    return base.lower()


def _type_of(name: str) -> str:
    """The quantization suffix of a model name ("kquant.F32.gguf" -> "F32"), "" when it has none."""
    base = PurePath(name).name
    base = base[: -len(".gguf")] if base.lower().endswith(".gguf") else base
    found = _QUANT_SUFFIX.search(_SPLIT_SUFFIX.sub("", base))
    return found.group(0)[1:].upper() if found else ""


def with_references(results: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """The results plus one row per reference they were measured against that has no evaluation of its own: its
    perplexity was computed with theirs (`reference_perplexity`), so the source model is a point beside its
    quantizations. Such a row has "is_reference": True, "quant_type" "F16 (source)" or "source", no KL divergence (it is
    the yardstick) and the reference file's size when the file is still there."""
    own = {str(r.get("model_path") or "") for r in results} | {str(r.get("model") or "") for r in results}
    added: dict[str, dict[str, Any]] = {}
    for r in results:
        name, ppl = r.get("reference"), r.get("reference_perplexity")
        if not isinstance(name, str) or not name or not isinstance(ppl, (int, float)):
            continue
        path = str(r.get("reference_path") or "")
        key = path or name
        if key in own or name in own or key in added:
            continue
        size: int | None = None
        if path:
            try:
                size = Path(path).stat().st_size
            except OSError:
                size = None
        kind = _type_of(name)
        added[key] = {
            "model": name, "model_path": path or None, "family": r.get("family"), "perplexity": float(ppl),
            "size_bytes": size, "quant_type": f"{kind} (source)" if kind else "source", "is_reference": True,
            "context": r.get("context"), "created": r.get("created"),
        }  # fmt: skip
    return [*results, *added.values()]


def same_measurement(a: dict[str, Any], b: dict[str, Any]) -> bool:
    """Two results of the same kind (perplexity/KLD, or a code evaluation) of the same file against the same reference,
    text and context (a code evaluation: problem set, problem count and reasoning): the later replaces the earlier."""
    keys = ("kind", "model_path", "reference_path", "context", "text", "problem_set", "problems", "reasoning")
    return bool(a.get("model_path")) and all(a.get(k) == b.get(k) for k in keys)


def metrics_family(metrics: dict[str, Any]) -> str:
    """The family a result belongs to: an explicit "family" or "base_model" (lineage, set by the app), else the family
    of the reference it was measured against (a quantization is compared with the model it came from), else its own."""
    for key in ("family", "base_model"):
        value = metrics.get(key)
        if isinstance(value, str) and value.strip():
            return family_name(value)
    reference = metrics.get("reference")
    if isinstance(reference, str) and reference.strip():
        return family_name(reference)
    return family_name(str(metrics.get("model") or ""))


class ResultStore:
    """Evaluation results in the SQLite file at `db_path` (created with its folder if missing)."""

    def __init__(self, db_path: Path) -> None:
        self.db_path = db_path
        db_path.parent.mkdir(parents=True, exist_ok=True)
        with self._connect() as db:
            db.executescript(_SCHEMA)

    @contextlib.contextmanager
    def _connect(self) -> Iterator[sqlite3.Connection]:
        db = sqlite3.connect(self.db_path, timeout=10.0)
        try:
            with db:  # commit on success, roll back on an exception
                yield db
        finally:
            db.close()

    def add(self, metrics: dict[str, Any] | Any) -> int:
        """Store one result (a metrics dict or an object with `to_dict()`); returns its id."""
        data: dict[str, Any] = dict(metrics.to_dict() if hasattr(metrics, "to_dict") else metrics)
        model = str(data.get("model") or "")
        if not model:
            raise ValueError("a result needs a model name")
        created = str(data.get("created") or datetime.now(timezone.utc).isoformat(timespec="seconds"))
        text = json.dumps(data, allow_nan=True, default=str)
        # Measuring the same file again (Evaluate pressed twice, a retried job) replaces the earlier row: one file, one
        # row, the latest numbers.
        earlier = [r["id"] for r in self.for_family(metrics_family(data)) if same_measurement(r, data)]
        with self._connect() as db:
            if earlier:
                db.execute(f"DELETE FROM eval_results WHERE id IN ({', '.join('?' * len(earlier))})", earlier)
            cur = db.execute("INSERT INTO eval_results (created, model, family, metrics) VALUES (?, ?, ?, ?)",
                             (created, model, metrics_family(data), text))  # fmt: skip
            row_id = cur.lastrowid
        assert row_id is not None
        log.debug("stored evaluation %d of %s", row_id, model)
        return int(row_id)

    def all(self) -> list[dict[str, Any]]:
        """Every result, oldest first; each dict is the metrics plus "id", "created" and "family"."""
        return self._select("", ())

    def for_family(self, name: str) -> list[dict[str, Any]]:
        """Results of one family, oldest first; `name` may be a family or any model name of it ("gemma-3-270m.Q8_0.gguf")."""
        return self._select("WHERE family = ?", (family_name(name),))

    def get(self, result_id: int) -> dict[str, Any]:
        """One result.

        Raises:
            KeyError: no such id.
        """
        rows = self._select("WHERE id = ?", (result_id,))
        if not rows:
            raise KeyError(f"no evaluation result {result_id}")
        return rows[0]

    def families(self) -> list[str]:
        """The families with results, sorted."""
        with self._connect() as db:
            return [r[0] for r in db.execute("SELECT DISTINCT family FROM eval_results ORDER BY family")]

    def delete(self, result_id: int) -> None:
        """Remove a result; an unknown id is not an error."""
        with self._connect() as db:
            db.execute("DELETE FROM eval_results WHERE id = ?", (result_id,))

    def _select(self, where: str, params: tuple[Any, ...]) -> list[dict[str, Any]]:
        with self._connect() as db:
            rows = db.execute(f"SELECT id, created, family, metrics FROM eval_results {where} ORDER BY id", params).fetchall()
        out = []
        for row_id, created, family, text in rows:
            try:
                data = json.loads(text)
            except ValueError:
                log.warning("evaluation result %d is not valid JSON; skipped", row_id)
                continue
            out.append({**data, "id": row_id, "created": created, "family": family})
        return out


CODEEVAL_KIND = "codeeval"


def by_file(results: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """One row per model file: its perplexity/KLD result with its code evaluations' pass@1 added ("pass_at_1" without
    reasoning, "pass_at_1_thinking" with it, "code_problems" the problems counted); a file with only code evaluations
    gets a row of its own. The latest result of each kind wins (``add`` keeps one per measurement)."""
    rows: dict[str, dict[str, Any]] = {}
    code: dict[str, list[dict[str, Any]]] = {}
    for r in results:
        key = str(r.get("model_path") or r.get("model") or "")
        if r.get("kind") == CODEEVAL_KIND:
            code.setdefault(key, []).append(r)
        else:
            rows[key] = {k: v for k, v in r.items() if k not in ("pass_at_1", "pass_at_1_thinking")}
    for key, evals in code.items():
        row = rows.setdefault(key, {k: evals[-1].get(k) for k in ("model", "model_path", "family", "size_bytes",
                                                                   "quant_type", "created")})  # fmt: skip
        for e in evals:
            thinking = str(e.get("reasoning") or "off") != "off"
            row["pass_at_1_thinking" if thinking else "pass_at_1"] = e.get("pass_at_1")
            row["code_problems"] = e.get("problems")
            row["code_set"] = e.get("problem_set")
    return list(rows.values())


def code_results(results: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """The code evaluations among ``results``, best pass@1 first (System 1 and System 2 rows apart)."""
    rows = [r for r in results if r.get("kind") == CODEEVAL_KIND and isinstance(r.get("pass_at_1"), (int, float))]
    return sorted(rows, key=lambda r: (-float(r["pass_at_1"]), str(r.get("model"))))
