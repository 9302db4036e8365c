"""Reranking with a GGUF reranker in llama.cpp's `llama-server` (``--reranking``), a child process like every runtime.

A reranker (a cross-encoder: bge-reranker-v2-m3, jina-reranker, Qwen3-Reranker) reads the question and one passage
together and gives one relevance score; it is slower than a vector lookup but sees both texts at once, so it is run over
the first few dozen hits of BM25, vector or hybrid search (``app.documents.rerank``). Its GGUF header says it is one:
the pooling type "rank" (``{arch}.pooling_type`` = 4, Qwen3-Reranker), or a classification head (the ``cls.output``
tensor and ``{arch}.classifier.output_labels``, the BERT/XLM-RoBERTa rerankers). Any other model is refused in one line
before anything starts. The server runs through ``HelperServer`` (127.0.0.1, a free port, a per-run key); texts go to
its ``/v1/rerank``, which answers ``{"results": [{"index", "relevance_score"}]}``.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from types import TracebackType

from app.chat.helper_server import HelperServer, error_message
from app.chat.messages import ChatError
from app.chat.runtime import _physical_cores
from core.errors import said
from core.messages import Message
from formats.gguf import GGUFHeader, gguf_header
from formats.model import ModelFileError

log = logging.getLogger(__name__)

__all__ = ["LlamaServerReranker", "RerankFailed", "RerankerModel", "is_reranker", "read_reranker"]

POOLING_RANK = 4
"""llama.cpp's ``LLAMA_POOLING_TYPE_RANK``."""
CLASSIFIER_TENSOR = "cls.output.weight"
MAX_CONTEXT = 2048
"""The most tokens of one question and passage together, per slot (a passage is ~300 tokens)."""
SLOTS = 4
ALL_LAYERS = 999
_CHARS_PER_TOKEN = 3
_TOO_LARGE = "too large"


class RerankFailed(ChatError):
    """A model that cannot rerank, or a reranker that failed; the message is one line."""

    hint = "choose a reranker GGUF (bge-reranker-v2-m3, jina-reranker, Qwen3-Reranker), e.g. from Discover"


@dataclass(frozen=True)
class RerankerModel:
    """A GGUF reranker as its header describes it."""

    path: Path
    name: str
    architecture: str
    context: int


def is_reranker(header: GGUFHeader) -> bool:
    """Whether the model scores (question, passage) pairs: pooling "rank", or a classification head."""
    meta = header.metadata
    arch = str(meta.get("general.architecture", ""))
    if meta.get(f"{arch}.pooling_type") == POOLING_RANK:
        return True
    return f"{arch}.classifier.output_labels" in meta or any(t.name == CLASSIFIER_TENSOR for t in header.tensors)


def read_reranker(path: Path) -> RerankerModel:
    """Describe the GGUF reranker at ``path`` from its header (no model is loaded).

    Raises:
        RerankFailed: not a readable GGUF file, or a model that is no reranker (a chat model, an embedder).
    """
    path = Path(path)
    try:
        header = gguf_header(path)
    except ModelFileError as e:
        raise RerankFailed(Message("{name} cannot be used as a reranker: {error}", name=str(path.name),
                                   error=said(e))) from None
    meta = header.metadata
    arch = str(meta.get("general.architecture", ""))
    if not is_reranker(header):
        pooling = meta.get(f"{arch}.pooling_type")
        what = "an embedding model" if isinstance(pooling, int) and pooling in (1, 2, 3) else "no reranker"
        raise RerankFailed(Message("{name} is {what}: its GGUF header has neither the pooling type 'rank' nor a "
                                   "classification head (architecture {reason})", name=str(path.name), what=str(what),
                                   reason=str(arch or 'unknown')))  # fmt: skip
    context = meta.get(f"{arch}.context_length")
    return RerankerModel(path=path, name=str(meta.get("general.name") or path.stem), architecture=arch,
                         context=context if isinstance(context, int) and context > 0 else 512)  # fmt: skip


def server_args(model: RerankerModel, *, port: int, threads: int, slots: int, gpu_layers: int = 0) -> list[str]:
    """llama-server's arguments for reranking (the key goes in the environment). A pair is scored in one physical
    batch, so the batch is the pair's whole context."""
    context = min(model.context, MAX_CONTEXT)
    return ["--model", str(model.path), "--host", "127.0.0.1", "--port", str(port), "--reranking",
            "--ctx-size", str(context * slots), "--parallel", str(slots), "--batch-size", str(context),
            "--ubatch-size", str(context), "--threads", str(threads), "--threads-batch", str(threads),
            "--n-gpu-layers", str(gpu_layers), "--no-webui"]  # fmt: skip


def default_gpu_layers() -> int:
    """Every layer on the GPU when llama-server can use one (a reranker is small: 0.6 GB for bge-reranker-v2-m3 at
    Q8_0, and a model run per hit is what it costs), else 0."""
    from app.chat.llama_server import server_info

    try:
        return ALL_LAYERS if len(server_info().backends) > 1 else 0
    except ChatError:
        return 0


class LlamaServerReranker:
    """A GGUF reranker in a llama-server child process; ``score`` from any thread. ``close`` (or ``with``) stops it.

    Raises (on construction):
        RerankFailed: not a reranker, no llama-server, or the server did not load the model.
    """

    def __init__(self, path: Path, *, threads: int | None = None, slots: int = SLOTS, gpu_layers: int | None = None) -> None:
        """``gpu_layers``: None: all of them when llama-server has a GPU (``default_gpu_layers``), else 0."""
        self.model = read_reranker(path)
        threads = threads or _physical_cores()
        layers = default_gpu_layers() if gpu_layers is None else gpu_layers
        self.server = HelperServer(lambda port: server_args(self.model, port=port, threads=threads, slots=slots,
                                                            gpu_layers=layers),
                                   role="reranker", model_name=self.model.path.name, failure=RerankFailed)  # fmt: skip

    @property
    def name(self) -> str:
        return self.model.name

    @property
    def location(self) -> str:
        return str(self.model.path.absolute())

    def score(self, query: str, texts: Sequence[str]) -> list[float]:
        """One relevance score per text for ``query`` (higher: more relevant), in the order of ``texts``.

        Raises:
            RerankFailed: the server crashed, refused, or answered something else than one score per text.
        """
        if not texts:
            return []
        limit = min(self.model.context, MAX_CONTEXT) * _CHARS_PER_TOKEN
        # Question and passage are read as one sequence: cut both to what the context holds, then halve while refused.
        query = query[: limit // 4]
        while True:
            try:
                return self._post(query, [t[:limit] if t.strip() else " " for t in texts])
            except _TooLarge:
                limit //= 2
                if limit < 64:
                    raise RerankFailed(Message("the reranker {name} refused a passage as too long",
                                               name=str(self.model.path.name))) from None

    def _post(self, query: str, texts: list[str]) -> list[float]:
        status, obj = self.server.post("/v1/rerank", {"query": query, "documents": texts, "top_n": len(texts)})
        if status != 200:
            message = error_message(obj)
            if _TOO_LARGE in message:
                raise _TooLarge
            raise RerankFailed(Message("the reranker answered {status}: {message}", status=str(status), message=str(message)))
        results = obj.get("results") if isinstance(obj, dict) else None
        scores: dict[int, float] = {}
        for r in results if isinstance(results, list) else []:
            index, score = (r.get("index"), r.get("relevance_score")) if isinstance(r, dict) else (None, None)
            if isinstance(index, int) and 0 <= index < len(texts) and isinstance(score, (int, float)) \
                    and not isinstance(score, bool):  # fmt: skip
                scores[index] = float(score)
        if len(scores) != len(texts):
            raise RerankFailed(Message("the reranker's answer holds {count} scores for {count2} passages",
                                       count=str(len(scores)), count2=str(len(texts))))
        return [scores[i] for i in range(len(texts))]

    def close(self, grace_s: float = 3) -> None:
        """Stop the server. Safe to call twice."""
        self.server.close(grace_s)

    def __enter__(self) -> LlamaServerReranker:
        return self

    def __exit__(self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None) -> None:
        self.close()

    def __repr__(self) -> str:
        return f"LlamaServerReranker({self.model.path.name!r}, port={self.server.port})"


class _TooLarge(Exception):
    """The server refused a pair longer than its batch."""
