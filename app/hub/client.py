"""The Hugging Face client: search, repository details with grouped files and GPTQ variants, and small file fetches.

huggingface_hub is imported inside the methods, so importing this module (the GUI does at startup) costs nothing. Every
request carries a timeout and is tried once: huggingface_hub's pagination retries network errors with a backoff of up to
half a minute, which is the frozen-feeling "search" this client exists to avoid, so search pages are fetched here (with
huggingface_hub's session, headers and error mapping) and only model_info, which takes a timeout and does not retry, goes
through HfApi.

The token goes to the configured endpoint only (same scheme, host and port): a search page's `Link` to another host is
not followed (paging stops there), and any request elsewhere would carry no Authorization header.
"""

from __future__ import annotations

import json
import logging
import re
import threading
from collections.abc import Callable, Iterable
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any
from urllib.parse import parse_qsl, quote, urlencode, urljoin, urlsplit, urlunsplit

from app.hub import results as R
from app.hub.cache import ResultCache
from app.hub.errors import HubError, HubUnavailable, hub_error
from app.hub.files import GPTQVariant, HubFile, group_files
from app.hub.results import RepoDetails, SearchFormat, SearchPage, SearchResult, SearchSort
from core.errors import ModelwerkError
from core.messages import Message

if TYPE_CHECKING:
    from app.settings import Settings

__all__ = ["HubClient", "RepoDetails", "SearchFormat", "SearchPage", "SearchResult", "SearchSort", "hf_client"]

log = logging.getLogger(__name__)

SEARCH_EXPAND = ("author", "downloads", "likes", "lastModified", "tags", "gated", "safetensors", "gguf")
MAX_SMALL_FILE = 1 << 20
"""Cards and configs fetched whole; anything larger is not a card we want to render."""
MAX_TEXTS_KEPT = 64
_GPTQ_BRANCH = re.compile(r"^gptq[-_](\d+)bit[-_](-?\d+|none)g?[-_]actorder[-_](true|false)", re.IGNORECASE)


class HubClient:
    """Talks to the Hugging Face Hub (or a mirror); every method raises only HubError subclasses."""

    def __init__(self, endpoint: str, *, token: str | Callable[[], str] | None = None, timeout_s: float = 10.0,
                 cache_dir: Path | None = None):  # fmt: skip
        """``token``: the token, or a function that reads it at each request (the user may set or remove it while the app
        runs; it may ask the keyring, so it is called on the request's thread); None or "": huggingface_hub's own."""
        self._endpoint = endpoint.rstrip("/")
        self._token_source = token or None
        self.timeout_s = timeout_s
        self._cache = ResultCache(cache_dir) if cache_dir is not None else None
        self._cursors: dict[tuple[str, int], str] = {}  # (search key, page) -> the hub's next-page URL
        self._texts: dict[tuple[str, str, str], str] = {}  # small files read this session: a config.json is asked for
        # by the original's fit badge and by its recommendation, on two pool threads at once
        self._text_locks: dict[tuple[str, str, str], threading.Lock] = {}
        self._lock = threading.Lock()

    @property
    def endpoint(self) -> str:
        return self._endpoint

    # -- plumbing ----------------------------------------------------------------------------------------------------

    @property
    def _token(self) -> str | None:
        source = self._token_source
        if source is None or isinstance(source, str):
            return source
        try:
            return source() or None
        except ModelwerkError as e:  # an unreadable key file: go on as without a token, and say why in the log
            log.warning("Cannot read the Hugging Face token: %s", e)
            return None

    def has_token(self) -> bool:
        """Whether requests carry a token (given, HF_TOKEN, or huggingface_hub's token store)."""
        if self._token:
            return True
        from huggingface_hub import get_token

        return bool(get_token())

    def headers(self) -> dict[str, str]:
        """Authorization (when a token is known) and user agent, for our own downloader. Never log these."""
        from huggingface_hub.utils._headers import build_hf_headers

        headers: dict[str, str] = build_hf_headers(token=self._token, library_name="modelwerk")
        return headers

    def on_endpoint(self, url: str) -> bool:
        """Whether `url` is on this client's endpoint (same scheme, host and port): the only place the token goes."""
        return _origin(url) == _origin(self._endpoint)

    def _headers_for(self, url: str) -> dict[str, str]:
        headers = self.headers()
        if not self.on_endpoint(url):
            headers = {k: v for k, v in headers.items() if k.lower() != "authorization"}
        return headers

    def session(self) -> Any:
        """huggingface_hub's shared httpx client (follows redirects, proxies from the environment, no default timeout)."""
        from huggingface_hub import get_session

        return get_session()

    def file_url(self, repo_id: str, path: str, *, revision: str = "main") -> str:
        return f"{self._endpoint}/{repo_id}/resolve/{quote(revision, safe='')}/{quote(path)}"

    def _error(self, exc: BaseException, repo_id: str | None = None) -> HubError:
        try:
            have_token = self.has_token()
        except Exception:
            have_token = False
        return hub_error(exc, repo_id=repo_id, endpoint=self._endpoint, have_token=have_token)

    def _get(self, url: str, params: list[tuple[str, str]] | None = None, *, repo_id: str | None = None) -> Any:
        """One GET with this client's timeout and no retry; raises HubError."""
        from huggingface_hub import hf_raise_for_status

        try:
            r = self.session().get(url, params=params, headers=self._headers_for(url), timeout=self.timeout_s)
            hf_raise_for_status(r)
            return r
        except Exception as e:
            raise self._error(e, repo_id) from e

    def _get_bytes(self, url: str, *, max_bytes: int, repo_id: str, what: str) -> bytes:
        """The body of one GET, read only up to `max_bytes` (more raises FileNotOnHub): a hostile repository's
        "config.json" must not cost the app its size in memory. Raises HubError."""
        from huggingface_hub import hf_raise_for_status

        from app.hub.errors import FileNotOnHub

        chunks: list[bytes] = []
        got = 0
        try:
            with self.session().stream("GET", url, headers=self._headers_for(url), timeout=self.timeout_s) as r:
                if r.status_code >= 400:
                    r.read()
                    hf_raise_for_status(r)
                for chunk in r.iter_bytes():
                    got += len(chunk)
                    if got > max_bytes:
                        raise FileNotOnHub(Message("{what} is more than the {max_bytes} bytes expected", what=str(what),
                                                   max_bytes=format(max_bytes, ',')))
                    chunks.append(chunk)
        except HubError:
            raise
        except Exception as e:
            raise self._error(e, repo_id) from e
        return b"".join(chunks)

    def _next_page(self, r: Any) -> str | None:
        """The `Link: <...>; rel="next"` URL of a search answer, or None: also when it names another host (the token
        would go there), which ends the paging with what this host gave."""
        link = r.links.get("next", {}).get("url")
        if not link:
            return None
        url = urljoin(str(r.url), str(link))
        if not self.on_endpoint(url):
            log.warning("the hub's next search page is on another host (%r, not %r): not following it",
                        urlsplit(url).netloc, urlsplit(self._endpoint).netloc)  # fmt: skip
            return None
        return url

    def _cached(self, key: str, exc: HubError) -> dict[str, Any]:
        """The cached answer for `key` when the hub is unreachable; re-raises `exc` otherwise."""
        if isinstance(exc, HubUnavailable) and self._cache is not None:
            value = self._cache.get(self._endpoint, key)
            if value is not None:
                log.info("hub unreachable (%s); answering from the recent-results cache", exc)
                return value
        raise exc

    def _saved_at(self, key: str) -> datetime | None:
        return self._cache.saved_at(self._endpoint, key) if self._cache is not None else None

    def _store(self, key: str, value: dict[str, Any]) -> None:
        if self._cache is not None:
            self._cache.put(self._endpoint, key, value)

    # -- search ------------------------------------------------------------------------------------------------------

    def search(self, query: str, *, format: SearchFormat = SearchFormat.ALL, sort: SearchSort = SearchSort.DOWNLOADS,
               page: int = 0, page_size: int = 30) -> SearchPage:  # fmt: skip
        """One page of models matching `query` (page 0 first); offline -> the cached page (cached=True) or HubUnavailable."""
        if page < 0 or page_size < 1:
            raise ValueError("page must be >= 0 and page_size >= 1")
        query = query.strip()
        base = f"search\0{query}\0{format.value}\0{sort.value}\0{page_size}"
        key = f"{base}\0{page}"
        try:
            items, has_more = self._search_items(query, format=format, sort=sort, page=page, page_size=page_size, base=base)
        except HubError as e:
            return R.page_from_json(self._cached(key, e), cached=True, cached_at=self._saved_at(key))
        result = SearchPage(query, tuple(_result(i) for i in items), page, has_more)
        self._store(key, R.page_to_json(result))
        return result

    def _search_items(self, query: str, *, format: SearchFormat, sort: SearchSort, page: int, page_size: int,
                      base: str) -> tuple[list[dict[str, Any]], bool]:  # fmt: skip
        with self._lock:
            next_url = self._cursors.get((base, page))
        if next_url is not None:  # the hub's own cursor for this page: one request of page_size
            r = self._get(next_url)
            items = list(r.json())[:page_size]
            link = self._next_page(r)
        else:  # from the start: (page + 1) pages' worth, following the hub's pagination if it caps the limit
            params = [("search", query)] if query else []
            if format is not SearchFormat.ALL:
                params.append(("filter", format.value))
            params += [("sort", sort.value), ("limit", str((page + 1) * page_size))]
            params += [("expand", e) for e in SEARCH_EXPAND]
            want = (page + 1) * page_size
            collected: list[dict[str, Any]] = []
            r = self._get(f"{self._endpoint}/api/models", params)
            collected += r.json()
            link = self._next_page(r)
            while link and len(collected) < want:
                r = self._get(link)
                collected += r.json()
                link = self._next_page(r)
            items = collected[page * page_size : want]
            if len(collected) > want:  # the hub gave more than asked; a page boundary without a cursor for it
                link = None
                has_more = True
                return items, has_more
        has_more = bool(link)
        if link:
            with self._lock:
                self._cursors[(base, page + 1)] = _with_limit(link, page_size)
        return items, has_more

    def quantizations_of(self, repo_id: str, *, limit: int = 50) -> list[SearchResult]:
        """Repositories that say they quantize `repo_id` (base_model:quantized:REPO), most downloaded first."""
        key = f"quantizations\0{repo_id}\0{limit}"
        params = [("filter", f"base_model:quantized:{repo_id}"), ("sort", "downloads"), ("limit", str(limit))]
        params += [("expand", e) for e in SEARCH_EXPAND]
        try:
            items = list(self._get(f"{self._endpoint}/api/models", params, repo_id=repo_id).json())[:limit]
        except HubError as e:
            cached = self._cached(key, e)
            return [R.result_from_json(r) for r in cached["results"]]
        found = [_result(i) for i in items]
        self._store(key, {"results": [R.result_to_json(r) for r in found]})
        return found

    # -- repository --------------------------------------------------------------------------------------------------

    def repo(self, repo_id: str, *, revision: str = "main") -> RepoDetails:
        """Files (grouped, with sizes and sha256), card, GPTQ variants and metadata of one repository revision."""
        key = f"repo\0{repo_id}\0{revision}"
        try:
            details = self._repo(repo_id, revision)
        except HubError as e:
            return R.details_from_json(self._cached(key, e), cached=True, cached_at=self._saved_at(key))
        self._store(key, R.details_to_json(details))
        return details

    def _repo(self, repo_id: str, revision: str) -> RepoDetails:
        from huggingface_hub import HfApi

        api = HfApi(endpoint=self._endpoint, token=self._token, library_name="modelwerk")
        try:
            info = api.model_info(repo_id, revision=revision, files_metadata=True, timeout=self.timeout_s)
        except Exception as e:
            raise self._error(e, repo_id) from e
        files = tuple(_hub_file(s) for s in info.siblings or ())
        names = {f.path: f for f in files}
        card = ""
        readme = names.get("README.md")
        if readme is not None and readme.size <= MAX_SMALL_FILE:
            card = strip_front_matter(self._optional_text(repo_id, "README.md", revision))
        here = _gptq_from_config(info.config or {}, revision)
        if here is None and "quantize_config.json" in names:
            here = _gptq_from_config({"quantization_config": self._optional_json(repo_id, "quantize_config.json", revision)},
                                     revision, assume_gptq=True)  # fmt: skip
        tags = tuple(info.tags or ())
        variants = [here] if here is not None else []
        if here is not None or "gptq" in {t.lower() for t in tags}:
            variants += [v for v in self._gptq_branches(repo_id) if v.revision != revision]
        card_data = info.card_data
        base = getattr(card_data, "base_model", None) if card_data is not None else None
        base_models = (base,) if isinstance(base, str) else tuple(b for b in base or () if isinstance(b, str))
        return RepoDetails(
            repo_id=info.id or repo_id,
            sha=info.sha or "",
            card=card,
            gated=bool(info.gated),
            tags=tags,
            base_models=base_models,
            downloads=int(info.downloads or 0),
            likes=int(info.likes or 0),
            updated=info.last_modified,
            n_params=_n_params(info.id or repo_id, info.safetensors, info.gguf),
            files=files,
            groups=tuple(group_files(files, revision=revision, gptq=here)),
            gptq=tuple(variants),
            revision=revision,
        )

    def _gptq_branches(self, repo_id: str) -> list[GPTQVariant]:
        try:
            refs = self._get(f"{self._endpoint}/api/models/{repo_id}/refs", repo_id=repo_id).json()
        except HubError as e:
            log.info("cannot list the branches of %s: %s", repo_id, e)
            return []
        out = []
        for branch in refs.get("branches", []) if isinstance(refs, dict) else []:
            name = branch.get("name") if isinstance(branch, dict) else None
            if isinstance(name, str) and (v := parse_gptq_branch(name)) is not None:
                out.append(v)
        return sorted(out, key=lambda v: (v.bits, v.group_size, v.desc_act))

    def read_text(self, repo_id: str, path: str, *, revision: str = "main", max_bytes: int = MAX_SMALL_FILE) -> str:
        """A small text file of a repository (config, card); raises HubError (FileNotOnHub when it is absent or too big)."""
        key = (repo_id, path, revision)
        with self._lock:
            reading = self._text_locks.setdefault(key, threading.Lock())
        with reading:  # a second caller of the same file waits for the first one's answer
            with self._lock:
                if key in self._texts:
                    return self._texts[key]
            data = self._get_bytes(self.file_url(repo_id, path, revision=revision), max_bytes=max_bytes,
                                   repo_id=repo_id, what=f"{repo_id}/{path}")  # fmt: skip
            text = str(data.decode("utf-8", errors="replace"))
            with self._lock:
                if len(self._texts) >= MAX_TEXTS_KEPT:
                    self._texts.clear()
                    self._text_locks = {key: reading}
                self._texts[key] = text
        return text

    def read_json(self, repo_id: str, path: str, *, revision: str = "main") -> dict[str, Any]:
        """A small JSON object of a repository (config.json); raises HubError."""
        try:
            data = json.loads(self.read_text(repo_id, path, revision=revision))
        except ValueError as e:
            raise HubError(Message("{repo_id}/{path} is not valid JSON", repo_id=str(repo_id), path=str(path))) from e
        if not isinstance(data, dict):
            raise HubError(Message("{repo_id}/{path} does not hold a JSON object", repo_id=str(repo_id), path=str(path)))
        return data

    def _optional_text(self, repo_id: str, path: str, revision: str) -> str:
        try:
            return self.read_text(repo_id, path, revision=revision)
        except HubError as e:
            log.info("cannot read %s/%s: %s", repo_id, path, e)
            return ""

    def _optional_json(self, repo_id: str, path: str, revision: str) -> dict[str, Any]:
        try:
            return self.read_json(repo_id, path, revision=revision)
        except HubError as e:
            log.info("cannot read %s/%s: %s", repo_id, path, e)
            return {}


def hf_client(settings: Settings, *, token: str | Callable[[], str] | None = None, timeout_s: float = 10.0) -> HubClient:
    """The client for the user's endpoint, with the recent-results cache in Modelwerk's cache folder. Without ``token``
    it uses the token the user stored in Settings (app.hub.token), else huggingface_hub's own."""
    from app import paths

    if token is None and settings.hf_token_ref:
        from app.keystore import KeyStore

        keys, ref = KeyStore(paths.data_dir()), settings.hf_token_ref
        token = lambda: keys.get(ref)  # noqa: E731 - read when a request needs it, on that request's thread

    return HubClient(settings.hf_endpoint, token=token, timeout_s=timeout_s, cache_dir=paths.cache_dir() / "hub")


def strip_front_matter(card: str) -> str:
    """A model card without its YAML front matter (--- ... --- at the very top)."""
    text = card.lstrip("\ufeff")
    if not text.startswith("---"):
        return text
    lines = text.splitlines(keepends=True)
    for i, line in enumerate(lines[1:], 1):
        if line.strip() == "---":
            return "".join(lines[i + 1 :]).lstrip("\n")
    return text


def parse_gptq_branch(name: str) -> GPTQVariant | None:
    """"gptq-4bit-32g-actorder_True" -> GPTQVariant(4, 32, True, name); "gptq-8bit--1g-actorder_False" -> group -1."""
    m = _GPTQ_BRANCH.match(name)
    if m is None:
        return None
    group = -1 if m[2].lower() == "none" else int(m[2])
    return GPTQVariant(bits=int(m[1]), group_size=group, desc_act=m[3].lower() == "true", revision=name)


def _gptq_from_config(config: dict[str, Any], revision: str, *, assume_gptq: bool = False) -> GPTQVariant | None:
    q = config.get("quantization_config")
    if not isinstance(q, dict):
        return None
    method = str(q.get("quant_method", "gptq" if assume_gptq else "")).lower()
    bits = q.get("bits")
    if method != "gptq" or not isinstance(bits, int):
        return None
    group = q.get("group_size", -1)
    return GPTQVariant(bits=bits, group_size=group if isinstance(group, int) else -1, desc_act=bool(q.get("desc_act")),
                       revision=revision)  # fmt: skip


def _hub_file(sibling: Any) -> HubFile:
    lfs = sibling.lfs
    sha = lfs.get("sha256") if isinstance(lfs, dict) else getattr(lfs, "sha256", None)
    size = sibling.size if sibling.size is not None else (lfs.get("size", 0) if isinstance(lfs, dict) else 0)
    return HubFile(path=sibling.rfilename, size=int(size or 0), sha256=sha)


def _n_params(name: str, safetensors: Any, gguf: Any) -> int | None:
    for meta in (safetensors, gguf):
        total = meta.get("total") if isinstance(meta, dict) else getattr(meta, "total", None)
        if isinstance(total, int) and total > 0:
            return total
    return R.params_from_name(name)


def _result(item: dict[str, Any]) -> SearchResult:
    repo_id = str(item.get("id") or item.get("modelId") or "")
    tags = tuple(str(t) for t in item.get("tags") or ())
    updated = None
    if isinstance(item.get("lastModified"), str):
        try:
            updated = datetime.fromisoformat(item["lastModified"].replace("Z", "+00:00"))
        except ValueError:
            updated = None
    return SearchResult(
        repo_id=repo_id,
        author=str(item.get("author") or (repo_id.split("/")[0] if "/" in repo_id else "")),
        downloads=int(item.get("downloads") or 0),
        likes=int(item.get("likes") or 0),
        updated=updated,
        tags=tags,
        n_params=_n_params(repo_id, item.get("safetensors"), item.get("gguf")),
        gated=bool(item.get("gated")),
        formats=R.formats_from_tags(tags),
    )


def _origin(url: str) -> tuple[str, str, int | None]:
    """(scheme, host, port) with the scheme's default port filled in: what "the same endpoint" compares."""
    parts = urlsplit(url)
    scheme = parts.scheme.lower()
    try:
        port = parts.port
    except ValueError:  # a port that is not a number: matches nothing
        return scheme, "\0invalid", None
    return scheme, (parts.hostname or "").lower(), port or {"http": 80, "https": 443}.get(scheme)


def _with_limit(url: str, limit: int) -> str:
    """The hub's next-page URL with our page size (it repeats the limit of the request that produced it)."""
    parts = urlsplit(url)
    query: Iterable[tuple[str, str]] = [(k, v) for k, v in parse_qsl(parts.query, keep_blank_values=True) if k != "limit"]
    return urlunsplit(parts._replace(query=urlencode([*query, ("limit", str(limit))])))
