"""Embedding with a GGUF embedder in llama.cpp's `llama-server` (``--embedding``), a child process like every runtime.

The model's header says what it is: the pooling (``{arch}.pooling_type``: mean, CLS, last token), the vector's dimension
and the context. A GGUF without a pooling type is a generative model and is refused in one line before anything starts;
a reranker (pooling "rank") too. The server runs as the chat runtimes do (runtime.py): 127.0.0.1, a free port, a per-run
key in its environment, its own process group, killed by the kernel if the app dies. Texts go to its OpenAI-compatible
``/v1/embeddings`` in batches; every vector comes back L2-normalised (float32), so a dot product is a cosine.

Any GGUF embedder works: nomic-embed, bge, Qwen3-Embedding, EmbeddingGemma, all-MiniLM. Models that expect a prefix
("search_query: ", "query: ") get it from the vector index (``app.documents.embedder.prompts_for``).
"""

from __future__ import annotations

import enum
import logging
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from types import TracebackType

import numpy as np
import numpy.typing as npt

from app.chat.helper_server import HelperServer, error_message
from app.chat.messages import ChatError
from app.chat.runtime import _physical_cores
from core.errors import said
from core.messages import N_, Message
from formats.gguf import gguf_header
from formats.model import ModelFileError

log = logging.getLogger(__name__)

__all__ = ["EmbedderModel", "EmbeddingFailed", "LlamaServerEmbedder", "Pooling", "read_embedder"]

BATCH = 32
"""Texts per request: the server spreads them over its slots (continuous batching)."""
MAX_CONTEXT = 2048
"""The most tokens one text may have, per slot (a passage is ~300 tokens; Qwen3-Embedding's 32k need not be reserved)."""
SLOTS = 4
"""Texts embedded at once: the server batches several passages per step, 1.3-1.5x the passages/s of one slot here
(bench/embeddings.py), and for a passage-sized context the memory is small."""
_TOO_LARGE = "too large to process"
_CHARS_PER_TOKEN = 3  # a first cut for a text over the context; halved again while the server still refuses it


class EmbeddingFailed(ChatError):
    """A model that cannot embed, or an embedding runtime that failed; the message is one line."""

    hint = N_("choose an embedding model (nomic-embed, bge, Qwen3-Embedding, EmbeddingGemma, all-MiniLM)")


class Pooling(enum.Enum):
    """llama.cpp's pooling types (``LLAMA_POOLING_TYPE_*``, the GGUF key ``{arch}.pooling_type``)."""

    MEAN = 1
    CLS = 2
    LAST = 3

    @property
    def flag(self) -> str:
        """llama-server's ``--pooling`` value."""
        return self.name.lower()


@dataclass(frozen=True)
class EmbedderModel:
    """A GGUF embedding model as its header describes it."""

    path: Path
    name: str
    architecture: str
    dimension: int
    pooling: Pooling
    context: int
    size: int

    @property
    def fingerprint(self) -> str:
        """What ties stored vectors to the model that made them: another file (or another pooling) means other vectors."""
        return f"{self.path.name}|{self.size}|{self.architecture}|{self.dimension}|{self.pooling.flag}"


def read_embedder(path: Path) -> EmbedderModel:
    """Describe the GGUF embedder at ``path`` from its header (no model is loaded).

    Raises:
        EmbeddingFailed: not a readable GGUF file, or a model that is no embedder (a generative model, a reranker).
    """
    try:
        header = gguf_header(Path(path))
    except ModelFileError as e:
        raise EmbeddingFailed(Message("{name} cannot be used as an embedder: {error}", name=str(Path(path).name),
                                      error=said(e))) from None
    meta = header.metadata
    arch = str(meta.get("general.architecture", ""))
    pooling = meta.get(f"{arch}.pooling_type")
    if pooling == 4:
        raise EmbeddingFailed(Message("{name} is a reranker (pooling 'rank'), not an embedding model", name=str(path.name)))
    if not isinstance(pooling, int) or pooling not in {p.value for p in Pooling}:
        raise EmbeddingFailed(Message("{name} is not an embedding model: its GGUF header names no pooling type "
                                      "(architecture {reason})", name=str(path.name),
                                      reason=str(arch or 'unknown')))  # fmt: skip
    dimension = meta.get(f"{arch}.embedding_length")
    if not isinstance(dimension, int) or dimension < 1:
        raise EmbeddingFailed(Message("{name} has no embedding length in its GGUF header", name=str(path.name)))
    context = meta.get(f"{arch}.context_length")
    return EmbedderModel(path=Path(path), name=str(meta.get("general.name") or Path(path).stem), architecture=arch,
                         dimension=dimension, pooling=Pooling(pooling),
                         context=context if isinstance(context, int) and context > 0 else 512,
                         size=header.file_size)  # fmt: skip


def server_args(model: EmbedderModel, *, port: int, threads: int, slots: int) -> list[str]:
    """llama-server's arguments for embedding (the key goes in the environment). A non-causal model embeds a text in
    one physical batch, so the batch is the text's whole context."""
    context = min(model.context, MAX_CONTEXT)
    return ["--model", str(model.path), "--host", "127.0.0.1", "--port", str(port), "--embedding",
            "--pooling", model.pooling.flag, "--ctx-size", str(context * slots), "--parallel", str(slots),
            "--batch-size", str(context), "--ubatch-size", str(context), "--threads", str(threads),
            "--threads-batch", str(threads), "--n-gpu-layers", "0", "--no-webui"]  # fmt: skip


class LlamaServerEmbedder:
    """A GGUF embedder in a llama-server child process; ``embed`` from any thread. ``close`` (or ``with``) stops it.

    Raises (on construction):
        EmbeddingFailed: not an embedding model, no llama-server, or the server did not load the model.
    """

    def __init__(self, path: Path, *, threads: int | None = None, slots: int = SLOTS, gpu_layers: int = 0,
                 batch: int = BATCH) -> None:  # fmt: skip
        self.model = read_embedder(path)
        self.batch = batch
        self.threads = threads or _physical_cores()
        self.slots = slots

        def args(port: int) -> list[str]:
            args = server_args(self.model, port=port, threads=self.threads, slots=self.slots)
            if gpu_layers:
                args[args.index("--n-gpu-layers") + 1] = str(gpu_layers)
            return args

        self.server = HelperServer(args, role="embedder", model_name=self.model.path.name, failure=EmbeddingFailed)

    @property
    def name(self) -> str:
        return self.model.name

    @property
    def fingerprint(self) -> str:
        return self.model.fingerprint

    @property
    def dimension(self) -> int:
        return self.model.dimension

    @property
    def location(self) -> str:
        return str(self.model.path.absolute())

    @property
    def port(self) -> int:
        return self.server.port

    def embed(self, texts: Sequence[str]) -> npt.NDArray[np.float32]:
        """One L2-normalised float32 row per text (``dimension`` wide), in order.

        Raises:
            EmbeddingFailed: the server crashed or refused (one line).
        """
        rows: list[list[float]] = []
        for i in range(0, len(texts), self.batch):
            rows.extend(self._embed_batch([t if t.strip() else " " for t in texts[i : i + self.batch]]))
        m = np.asarray(rows, dtype=np.float32).reshape(len(texts), self.model.dimension)
        norms = np.linalg.norm(m, axis=1, keepdims=True)
        out: npt.NDArray[np.float32] = np.divide(m, norms, out=np.zeros_like(m), where=norms > 0)
        return out

    def _embed_batch(self, texts: list[str]) -> list[list[float]]:
        try:
            return self._post(texts)
        except _TooLarge:
            # One text is over the model's context: cut the long ones and try again (passages rarely are).
            limit = min(self.model.context, MAX_CONTEXT) * _CHARS_PER_TOKEN
            while limit >= 64:
                try:
                    return self._post([t[:limit] for t in texts])
                except _TooLarge:
                    limit //= 2
            raise EmbeddingFailed(Message("the embedder {name} refused a text as too long",
                                          name=str(self.model.path.name))) from None

    def _post(self, texts: list[str]) -> list[list[float]]:
        status, obj = self.server.post("/v1/embeddings", {"input": texts, "encoding_format": "float"})
        if status != 200:
            message = error_message(obj)
            if _TOO_LARGE in message:
                raise _TooLarge
            raise EmbeddingFailed(Message("the embedder answered {status}: {message}", status=str(status),
                                          message=str(message)))
        data = obj.get("data") if isinstance(obj, dict) else None
        if not isinstance(data, list) or len(data) != len(texts):
            raise EmbeddingFailed(Message("the embedder's answer holds no vectors"))
        data.sort(key=lambda d: d.get("index", 0) if isinstance(d, dict) else 0)
        return [d["embedding"] for d in data]

    def close(self, grace_s: float = 3) -> None:
        """Stop the server (terminate its group, kill after ``grace_s``). Safe to call twice."""
        self.server.close(grace_s)

    def __enter__(self) -> LlamaServerEmbedder:
        return self

    def __exit__(self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None) -> None:
        self.close()

    def __repr__(self) -> str:
        return f"LlamaServerEmbedder({self.model.path.name!r}, port={self.port})"


class _TooLarge(Exception):
    """The server refused a text longer than its batch."""
