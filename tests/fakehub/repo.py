"""Repositories of the fake hub and the JSON the Hub answers about them (model info, search items, tree, refs)."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

import yaml

from .content import Content, VirtualFile

Source = bytes | str | Path | VirtualFile

DEFAULT_DATE = datetime(2024, 7, 23, 14, 0, 0, tzinfo=timezone.utc)
# The reduced "config" the Hub puts in model info (the full config.json is a file).
_INFO_CONFIG_KEYS = ("architectures", "model_type", "quantization_config", "tokenizer_config", "auto_map")
GITATTRIBUTES = b"*.gguf filter=lfs diff=lfs merge=lfs -text\n*.safetensors filter=lfs diff=lfs merge=lfs -text\n"
# Files a gated repository shows to everyone, like the Hub (the card is public, the weights are not).
PUBLIC_IN_GATED = ("README.md", ".gitattributes")


@dataclass(frozen=True)
class Fault:
    """Misbehaviour of /resolve for one file.

    ``status``/``delay_s`` apply to HEAD and GET; the body faults (slow, drop, corrupt) to GET only.
    ``times``: the fault applies to the next N matching requests, then disappears; None = always.
    ``method``: only requests with this method match ("GET" or "HEAD"); None = both.
    """

    slow_bytes_per_s: int | None = None
    drop_after: int | None = None
    corrupt: bool = False
    status: int | None = None
    times: int | None = None
    delay_s: float = 0.0
    method: str | None = None
    ignore_range: bool = False
    """Answer a Range request with 200 and the whole file, as some mirrors and proxies do."""

    @property
    def body_only(self) -> bool:
        return self.status is None and not self.delay_s


def hub_date(dt: datetime) -> str:
    """The Hub's timestamp format: 2024-07-23T14:00:00.000Z."""
    dt = dt.astimezone(timezone.utc) if dt.tzinfo else dt.replace(tzinfo=timezone.utc)
    return dt.strftime("%Y-%m-%dT%H:%M:%S.") + f"{dt.microsecond // 1000:03d}Z"


def commit_sha(repo_id: str, revision: str, files: Mapping[str, Content]) -> str:
    """A deterministic 40-hex commit id for one revision."""
    h = hashlib.sha1(f"{repo_id}\0{revision}\0".encode())
    for name in sorted(files):
        h.update(f"{name}\0{files[name].size}\0".encode())
    return h.hexdigest()


def front_matter(card: str | None) -> dict[str, Any]:
    """The YAML front matter of a model card ({} when there is none or it does not parse)."""
    if not card or not card.startswith("---"):
        return {}
    end = card.find("\n---", 3)
    if end < 0:
        return {}
    try:
        data = yaml.safe_load(card[3:end])
    except yaml.YAMLError:
        return {}
    return data if isinstance(data, dict) else {}


@dataclass
class Revision:
    """One branch of a repository."""

    name: str
    sha: str
    files: dict[str, Content]

    def config(self) -> dict[str, Any] | None:
        content = self.files.get("config.json")
        if content is None or content.size > 1 << 20:
            return None
        try:
            data = json.loads(content.read(0, content.size))
        except ValueError:
            return None
        return data if isinstance(data, dict) else None

    def file_json(self, path: str, *, expand: bool = False, date: str = "") -> dict[str, Any]:
        """A tree entry / sibling with size, oid and lfs."""
        c = self.files[path]
        entry: dict[str, Any] = {"type": "file", "oid": c.blob_id(path), "size": c.size, "path": path}
        if c.is_lfs(path):
            entry["lfs"] = {"oid": c.sha256(), "size": c.size, "pointerSize": len(c.lfs_pointer())}
        if expand:
            entry["lastCommit"] = {"id": self.sha, "title": "Upload folder using huggingface_hub", "date": date}
            entry["securityFileStatus"] = {"status": "safe", "avScan": {"virusFound": False, "virusNames": None},
                                           "pickleImportScan": None}  # fmt: skip
        return entry


@dataclass
class Repo:
    """A model repository: its branches and the metadata the Hub shows."""

    repo_id: str
    revisions: dict[str, Revision]
    card: str | None = None
    tags: list[str] = field(default_factory=list)
    gated: bool = False
    downloads: int = 0
    likes: int = 0
    trending: int = 0
    last_modified: datetime = DEFAULT_DATE
    created_at: datetime = DEFAULT_DATE
    base_model: str | None = None
    base_relation: str = "quantized"
    pipeline_tag: str | None = "text-generation"
    library_name: str | None = None
    safetensors_params: int | None = None
    gguf_params: int | None = None

    @property
    def author(self) -> str:
        return self.repo_id.split("/")[0] if "/" in self.repo_id else ""

    @property
    def main(self) -> Revision:
        return self.revisions["main"]

    def revision(self, rev: str) -> Revision | None:
        """A branch by name, or by commit sha."""
        if rev in self.revisions:
            return self.revisions[rev]
        return next((r for r in self.revisions.values() if r.sha == rev), None)

    def card_data(self) -> dict[str, Any] | None:
        data = front_matter(self.card)
        if self.base_model and "base_model" not in data:
            data["base_model"] = self.base_model
        return data or None

    def fields(self, rev: Revision, *, blobs: bool = False) -> dict[str, Any]:
        """Every model-info property the Hub knows for this repo (keys as the Hub spells them)."""
        config = rev.config()
        out: dict[str, Any] = {
            "_id": hashlib.md5(self.repo_id.encode()).hexdigest()[:24],
            "id": self.repo_id,
            "modelId": self.repo_id,
            "author": self.author,
            "sha": rev.sha,
            "lastModified": hub_date(self.last_modified),
            "createdAt": hub_date(self.created_at),
            "private": False,
            "gated": "auto" if self.gated else False,
            "disabled": False,
            "downloads": self.downloads,
            "likes": self.likes,
            "trendingScore": self.trending,
            "tags": list(self.tags),
            "pipeline_tag": self.pipeline_tag,
            "library_name": self.library_name,
            "siblings": [
                rev.file_json(p) | {"rfilename": p} if blobs else {"rfilename": p} for p in sorted(rev.files)
            ],
            "spaces": [],
            "usedStorage": sum(c.size for r in self.revisions.values() for c in r.files.values()),
        }
        for entry in out["siblings"]:
            if blobs:  # the Hub's siblings say blobId, not oid, and have no type/path
                entry["blobId"] = entry.pop("oid")
                entry.pop("type")
                entry.pop("path")
                if "lfs" in entry:
                    entry["lfs"] = {"sha256": entry["lfs"]["oid"], "size": entry["lfs"]["size"],
                                    "pointerSize": entry["lfs"]["pointerSize"]}  # fmt: skip
        if config is not None:
            out["config"] = {k: config[k] for k in _INFO_CONFIG_KEYS if k in config}
        card_data = self.card_data()
        if card_data is not None:
            out["cardData"] = card_data
        if self.base_model:
            out["baseModels"] = {"relation": self.base_relation, "models": [{"id": self.base_model}]}
        if self.safetensors_params is not None:
            out["safetensors"] = {"parameters": {"BF16": self.safetensors_params}, "total": self.safetensors_params}
        if self.gguf_params is not None:
            out["gguf"] = {"total": self.gguf_params}
        return out

    def info(self, rev: Revision, *, blobs: bool, expand: Sequence[str] = ()) -> dict[str, Any]:
        """GET /api/models/{repo}[/revision/{rev}]."""
        everything = self.fields(rev, blobs=blobs)
        if expand:
            return {k: everything[k] for k in ("_id", "id", *expand) if k in everything}
        everything.pop("trendingScore")
        everything.pop("baseModels", None)
        return everything

    def search_item(self, *, expand: Sequence[str] = (), full: bool = False, card_data: bool = False,
                    config: bool = False) -> dict[str, Any]:  # fmt: skip
        """One item of GET /api/models."""
        everything = self.fields(self.main)
        if expand:
            return {k: everything[k] for k in ("_id", "id", *expand) if k in everything}
        keys = ["_id", "id", "modelId", "author", "likes", "trendingScore", "private", "downloads", "tags",
                "pipeline_tag", "library_name", "createdAt", "lastModified", "gated"]  # fmt: skip
        if full:
            keys += ["sha", "disabled", "siblings", "spaces"]
        if card_data or full:
            keys.append("cardData")
        if config or full:
            keys.append("config")
        return {k: everything[k] for k in keys if k in everything}

    def tree(self, rev: Revision, path: str, *, recursive: bool, expand: bool) -> list[dict[str, Any]] | None:
        """GET /api/models/{repo}/tree/{rev}/{path}; None when ``path`` is not a folder."""
        prefix = f"{path.strip('/')}/" if path.strip("/") else ""
        files = sorted(p for p in rev.files if p.startswith(prefix))
        if prefix and not files:
            return None
        date = hub_date(self.last_modified)
        out: list[dict[str, Any]] = []
        dirs_seen: set[str] = set()
        for p in files:
            rest = p[len(prefix) :].split("/")
            # Folders on the way to the file: every one when recursive, only the first level otherwise.
            for depth in range(1, len(rest) if recursive else min(2, len(rest))):
                d = prefix + "/".join(rest[:depth])
                if d not in dirs_seen:
                    dirs_seen.add(d)
                    oid = hashlib.sha1(f"tree {rev.sha} {d}".encode()).hexdigest()
                    out.append({"type": "directory", "oid": oid, "size": 0, "path": d})
            if recursive or len(rest) == 1:
                out.append(rev.file_json(p, expand=expand, date=date))
        return out

    def refs(self, *, include_prs: bool) -> dict[str, Any]:
        """GET /api/models/{repo}/refs."""
        branches = [{"name": r.name, "ref": f"refs/heads/{r.name}", "targetCommit": r.sha} for r in self.revisions.values()]
        out: dict[str, Any] = {"branches": branches, "converts": [], "tags": []}
        if include_prs:
            out["pullRequests"] = []
        return out


def _contents(repo_id: str, files: Mapping[str, Source]) -> dict[str, Content]:
    out = {".gitattributes": Content(GITATTRIBUTES)}
    for name, source in files.items():
        if name.startswith("/") or ".." in name.split("/"):
            raise ValueError(f"{repo_id}: bad file name {name!r}")
        out[name] = Content(source)
    return out


def make_repo(
    repo_id: str,
    files: Mapping[str, Source],
    *,
    card: str | None = None,
    tags: Sequence[str] = (),
    config: Mapping[str, Any] | None = None,
    branches: Mapping[str, Mapping[str, Source]] | None = None,
    last_modified: datetime | None = None,
    created_at: datetime | None = None,
    **kwargs: Any,
) -> Repo:
    """Build a :class:`Repo`; tags the Hub would add on its own (gguf, safetensors, gptq, base_model:...) are added."""
    main_files = dict(files)
    if card is not None:
        main_files.setdefault("README.md", card.encode())
    if config is not None:
        main_files.setdefault("config.json", json.dumps(config, indent=2).encode())
    revisions: dict[str, Revision] = {}
    for name, branch_files in {"main": main_files, **(branches or {})}.items():
        contents = _contents(repo_id, branch_files)
        revisions[name] = Revision(name=name, sha=commit_sha(repo_id, name, contents), files=contents)
    repo = Repo(repo_id=repo_id, revisions=revisions, card=card, **kwargs)
    if last_modified is not None:
        repo.last_modified = last_modified
        repo.created_at = min(repo.created_at, last_modified)
    if created_at is not None:
        repo.created_at = created_at
    repo.tags = _auto_tags(repo, list(tags))
    return repo


def _auto_tags(repo: Repo, tags: list[str]) -> list[str]:
    names = [p for r in repo.revisions.values() for p in r.files]
    auto: list[str] = []
    if repo.library_name:
        auto.append(repo.library_name)
    if any(n.endswith(".gguf") for n in names):
        auto.append("gguf")
    if any(n.endswith(".safetensors") for n in names):
        auto.append("safetensors")
    quant = (repo.main.config() or {}).get("quantization_config") or {}
    if isinstance(quant, dict) and quant.get("quant_method") == "gptq":
        auto.append("gptq")
        if quant.get("bits"):
            auto.append(f"{quant['bits']}-bit")
    if repo.pipeline_tag:
        auto.append(repo.pipeline_tag)
    if repo.base_model:
        auto += [f"base_model:{repo.base_model}", f"base_model:{repo.base_relation}:{repo.base_model}"]
    auto.append("region:us")
    out: list[str] = []
    for t in [*tags, *auto]:
        if t not in out:
            out.append(t)
    return out
