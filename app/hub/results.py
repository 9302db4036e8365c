"""What the hub client answers: search pages and repository details, and their JSON form for the recent-results cache."""

from __future__ import annotations

import enum
import re
from dataclasses import dataclass, replace
from datetime import datetime
from typing import Any

from app.hub.files import FileGroup, FileKind, GPTQVariant, HubFile

__all__ = ["RepoDetails", "SearchFormat", "SearchPage", "SearchResult", "SearchSort", "params_from_name"]


class SearchFormat(enum.Enum):
    ALL = "all"
    GGUF = "gguf"
    GPTQ = "gptq"


class SearchSort(enum.Enum):
    DOWNLOADS = "downloads"
    LIKES = "likes"
    UPDATED = "lastModified"
    TRENDING = "trendingScore"


@dataclass(frozen=True)
class SearchResult:
    repo_id: str
    author: str
    downloads: int
    likes: int
    updated: datetime | None
    tags: tuple[str, ...]
    n_params: int | None
    """From the hub's safetensors/gguf metadata, else the name ("8B", "8x7B"); None when unknown."""
    gated: bool
    formats: tuple[str, ...]
    """("gguf",), ("gptq",), ("safetensors",)...: the weight formats the tags name."""


@dataclass(frozen=True)
class SearchPage:
    query: str
    results: tuple[SearchResult, ...]
    page: int
    has_more: bool
    cached: bool = False
    """True when the hub was unreachable and this page came from the recent-results cache."""
    cached_at: datetime | None = None
    """When a cached page was saved."""


@dataclass(frozen=True)
class RepoDetails:
    repo_id: str
    sha: str
    card: str
    """The model card's Markdown, front matter stripped ("" when the repository has none)."""
    gated: bool
    tags: tuple[str, ...]
    base_models: tuple[str, ...]
    downloads: int
    likes: int
    updated: datetime | None
    n_params: int | None
    files: tuple[HubFile, ...]
    groups: tuple[FileGroup, ...]
    gptq: tuple[GPTQVariant, ...]
    """GPTQ variants: this revision's quantization config and branches named like gptq-4bit-32g-actorder_True."""
    revision: str = "main"
    cached: bool = False
    """True when the hub was unreachable and these details came from the recent-results cache."""
    cached_at: datetime | None = None
    """When cached details were saved."""

    @property
    def is_original(self) -> bool:
        """Unquantized safetensors weights, and no GGUF or GPTQ files: a model to look for quantizations of."""
        kinds = {g.kind for g in self.groups}
        return FileKind.SAFETENSORS in kinds and FileKind.GGUF not in kinds and FileKind.GPTQ not in kinds and not self.gptq

    @property
    def author(self) -> str:
        return self.repo_id.split("/")[0] if "/" in self.repo_id else ""


_FORMATS = ("gguf", "gptq", "awq", "safetensors", "mlx", "onnx", "exl2")
_NAME_PARAMS = re.compile(r"(?<![A-Za-z0-9.])(?:(\d+)x)?(\d+(?:\.\d+)?)([BM])(?![A-Za-z0-9])", re.IGNORECASE)


def params_from_name(name: str) -> int | None:
    """"Llama-3.1-8B" -> 8e9, "gemma-3-270m" -> 2.7e8, "Mixtral-8x7B" -> 5.6e10 (experts x size; shared weights ignored)."""
    found = list(_NAME_PARAMS.finditer(name.rsplit("/", 1)[-1]))
    if not found:
        return None
    m = found[-1]
    value = float(m[2]) * (1e9 if m[3].upper() == "B" else 1e6) * (int(m[1]) if m[1] else 1)
    return round(value) if value > 0 else None


def formats_from_tags(tags: tuple[str, ...]) -> tuple[str, ...]:
    lower = {t.lower() for t in tags}
    return tuple(f for f in _FORMATS if f in lower)


# JSON for the cache. Explicit rather than generic: the cache outlives code versions, and a shape change must fail loudly
# (KeyError/TypeError -> the entry is ignored) instead of building half-filled objects.


def _date_json(d: datetime | None) -> str | None:
    return d.isoformat() if d else None


def _date(value: Any) -> datetime | None:
    return datetime.fromisoformat(value) if isinstance(value, str) else None


def result_to_json(r: SearchResult) -> dict[str, Any]:
    return {"repo_id": r.repo_id, "author": r.author, "downloads": r.downloads, "likes": r.likes,
            "updated": _date_json(r.updated), "tags": list(r.tags), "n_params": r.n_params, "gated": r.gated,
            "formats": list(r.formats)}  # fmt: skip


def result_from_json(d: dict[str, Any]) -> SearchResult:
    return SearchResult(repo_id=d["repo_id"], author=d["author"], downloads=int(d["downloads"]), likes=int(d["likes"]),
                        updated=_date(d["updated"]), tags=tuple(d["tags"]), n_params=d["n_params"], gated=bool(d["gated"]),
                        formats=tuple(d["formats"]))  # fmt: skip


def page_to_json(p: SearchPage) -> dict[str, Any]:
    return {"query": p.query, "page": p.page, "has_more": p.has_more, "results": [result_to_json(r) for r in p.results]}


def page_from_json(d: dict[str, Any], *, cached: bool = True, cached_at: datetime | None = None) -> SearchPage:
    results = tuple(result_from_json(r) for r in d["results"])
    return SearchPage(query=d["query"], results=results, page=int(d["page"]), has_more=bool(d["has_more"]), cached=cached,
                      cached_at=cached_at)  # fmt: skip


def _file_json(f: HubFile) -> dict[str, Any]:
    return {"path": f.path, "size": f.size, "sha256": f.sha256}


def _file(d: dict[str, Any]) -> HubFile:
    return HubFile(path=d["path"], size=int(d["size"]), sha256=d["sha256"])


def _variant_json(v: GPTQVariant) -> dict[str, Any]:
    return {"bits": v.bits, "group_size": v.group_size, "desc_act": v.desc_act, "revision": v.revision}


def _group_json(g: FileGroup) -> dict[str, Any]:
    return {"name": g.name, "kind": g.kind.value, "quant": g.quant, "files": [_file_json(f) for f in g.files],
            "revision": g.revision, "note": g.note, "mmproj": g.mmproj}  # fmt: skip


def _group(d: dict[str, Any]) -> FileGroup:
    return FileGroup(name=d["name"], kind=FileKind(d["kind"]), quant=d["quant"], files=tuple(_file(f) for f in d["files"]),
                     revision=d["revision"], note=d["note"], mmproj=bool(d["mmproj"]))  # fmt: skip


def details_to_json(r: RepoDetails) -> dict[str, Any]:
    return {"repo_id": r.repo_id, "sha": r.sha, "card": r.card, "gated": r.gated, "tags": list(r.tags),
            "base_models": list(r.base_models), "downloads": r.downloads, "likes": r.likes, "updated": _date_json(r.updated),
            "n_params": r.n_params, "files": [_file_json(f) for f in r.files], "groups": [_group_json(g) for g in r.groups],
            "gptq": [_variant_json(v) for v in r.gptq], "revision": r.revision}  # fmt: skip


def details_from_json(d: dict[str, Any], *, cached: bool = True, cached_at: datetime | None = None) -> RepoDetails:
    details = RepoDetails(
        repo_id=d["repo_id"], sha=d["sha"], card=d["card"], gated=bool(d["gated"]), tags=tuple(d["tags"]),
        base_models=tuple(d["base_models"]), downloads=int(d["downloads"]), likes=int(d["likes"]), updated=_date(d["updated"]),
        n_params=d["n_params"], files=tuple(_file(f) for f in d["files"]), groups=tuple(_group(g) for g in d["groups"]),
        gptq=tuple(GPTQVariant(int(v["bits"]), int(v["group_size"]), bool(v["desc_act"]), v["revision"]) for v in d["gptq"]),
        revision=d["revision"],
    )  # fmt: skip
    return replace(details, cached=cached, cached_at=cached_at)
