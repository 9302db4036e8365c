"""GET /api/models: filtering, sorting and cursor pagination like the Hub."""

from __future__ import annotations

import base64
import json
from collections.abc import Sequence
from typing import Any
from urllib.parse import urlencode

from .repo import Repo

EXPAND_PROPERTIES = frozenset({
    "author", "baseModels", "cardData", "childrenModelCount", "config", "createdAt", "disabled", "downloads",
    "downloadsAllTime", "evalResults", "gated", "gguf", "inference", "inferenceProviderMapping", "lastModified",
    "library_name", "likes", "mask_token", "model-index", "pipeline_tag", "private", "resourceGroup", "safetensors",
    "sha", "siblings", "spaces", "tags", "transformersInfo", "trendingScore", "usedStorage", "widgetData",
})  # fmt: skip

SORT_KEYS = {
    "downloads": lambda r: r.downloads,
    "likes": lambda r: r.likes,
    "lastModified": lambda r: r.last_modified,
    "trendingScore": lambda r: r.trending,
    "createdAt": lambda r: r.created_at,
    "id": lambda r: r.repo_id.lower(),
}
MAX_LIMIT = 1000


class BadRequest(ValueError):
    """Answered with 400, like the Hub does for a bad parameter."""


def encode_cursor(offset: int) -> str:
    return base64.urlsafe_b64encode(json.dumps({"$offset": offset}).encode()).decode().rstrip("=")


def decode_cursor(cursor: str) -> int:
    try:
        data = json.loads(base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)))
        return max(0, int(data["$offset"]))
    except (ValueError, KeyError, TypeError) as e:
        raise BadRequest(f"Invalid cursor {cursor!r}") from e


def _values(params: Sequence[tuple[str, str]], key: str) -> list[str]:
    return [v for k, v in params if k == key]


def _last(params: Sequence[tuple[str, str]], key: str) -> str | None:
    values = _values(params, key)
    return values[-1] if values else None


def truthy(value: str | None) -> bool:
    return value is not None and value.lower() in ("1", "true", "yes", "")


def expand_list(params: Sequence[tuple[str, str]]) -> list[str]:
    """``expand`` values (repeated, or the bracket form ``expand[]``), checked like the Hub."""
    out = _values(params, "expand") + _values(params, "expand[]")
    for name in out:
        if name not in EXPAND_PROPERTIES:
            raise BadRequest(f'"expand" must be one of {sorted(EXPAND_PROPERTIES)}, got {name!r}')
    return out


def matches(repo: Repo, params: Sequence[tuple[str, str]]) -> bool:
    search = _last(params, "search")
    if search and search.lower() not in repo.repo_id.lower():
        return False
    author = _last(params, "author")
    if author and author.lower() != repo.author.lower():
        return False
    tags = {t.lower() for t in repo.tags}
    for f in _values(params, "filter"):
        # The Hub also accepts a comma-separated list in one filter parameter.
        if not all(part.strip().lower() in tags for part in f.split(",") if part.strip()):
            return False
    pipeline = _last(params, "pipeline_tag")
    if pipeline and pipeline != repo.pipeline_tag:
        return False
    gated = _last(params, "gated")
    return gated is None or truthy(gated) == repo.gated


def search(repos: Sequence[Repo], params: Sequence[tuple[str, str]], *, page_size: int) -> tuple[list[Repo], int | None]:
    """One page of results and the offset of the next page (None on the last page)."""
    sort = _last(params, "sort")
    found = [r for r in repos if matches(r, params)]
    if sort:
        if sort not in SORT_KEYS:
            raise BadRequest(f'"sort" must be one of {sorted(SORT_KEYS)}, got {sort!r}')
        descending = (_last(params, "direction") or "-1") != "1"
        found.sort(key=SORT_KEYS[sort], reverse=descending)
    else:  # the Hub's default order is trending
        found.sort(key=SORT_KEYS["trendingScore"], reverse=True)
    limit_s = _last(params, "limit")
    try:
        limit = min(int(limit_s), MAX_LIMIT) if limit_s else page_size
    except ValueError as e:
        raise BadRequest(f"Invalid limit {limit_s!r}") from e
    if limit <= 0:
        raise BadRequest("limit must be positive")
    cursor = _last(params, "cursor")
    offset = decode_cursor(cursor) if cursor else 0
    page = found[offset : offset + limit]
    return page, (offset + limit if offset + limit < len(found) else None)


def next_link(base: str, path: str, params: Sequence[tuple[str, str]], offset: int) -> str:
    """The ``Link`` header of a page that has a next one (the URL repeats every parameter plus the cursor)."""
    kept = [(k, v) for k, v in params if k != "cursor"]
    url = f"{base}{path}?{urlencode([*kept, ('cursor', encode_cursor(offset))])}"
    return f'<{url}>; rel="next"'


def item_kwargs(params: Sequence[tuple[str, str]]) -> dict[str, Any]:
    return {
        "expand": expand_list(params),
        "full": truthy(_last(params, "full")),
        "card_data": truthy(_last(params, "cardData")),
        "config": truthy(_last(params, "config")),
    }
