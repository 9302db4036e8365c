"""The request handler of the fake hub: routes, Hub-style errors, /resolve with Range, and faults."""

from __future__ import annotations

import contextlib
import json
import logging
import re
import socket
import time
from http.server import BaseHTTPRequestHandler
from typing import TYPE_CHECKING, Any
from urllib.parse import parse_qsl, quote, unquote, urlsplit

from .content import CHUNK, Content
from .repo import PUBLIC_IN_GATED, Fault, Repo, Revision
from .search import BadRequest, item_kwargs, next_link, search, truthy

if TYPE_CHECKING:
    from .server import FakeHub, RequestRecord

log = logging.getLogger(__name__)

_RANGE = re.compile(r"^bytes=(\d*)-(\d*)$")
_CORRUPT_EVERY = 4096


class _Dropped(Exception):
    """The connection was closed on purpose (drop_after) or by the client."""


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server_version = "fakehub/1.0"
    timeout = 60  # an idle keep-alive connection ends after this; stop() ends them at once
    _record: RequestRecord | None = None

    @property
    def hub(self) -> FakeHub:
        return self.server.hub  # type: ignore[attr-defined,no-any-return]

    def setup(self) -> None:
        super().setup()
        self.hub.track(self.connection, add=True)

    def finish(self) -> None:
        with contextlib.suppress(OSError):
            super().finish()
        self.hub.track(self.connection, add=False)

    def log_message(self, format: str, *args: Any) -> None:
        log.debug("%s %s", self.address_string(), format % args)

    def send_response(self, code: int, message: str | None = None) -> None:
        if self._record is not None:
            self._record.status = code
        super().send_response(code, message)

    def do_GET(self) -> None:
        self._dispatch(head=False)

    def do_HEAD(self) -> None:
        self._dispatch(head=True)

    # --- routing -----------------------------------------------------------------------------------------------------
    def _dispatch(self, *, head: bool) -> None:
        from .server import RequestRecord

        split = urlsplit(self.path)
        # Split before unquoting: the tree path and the revision arrive with "/" encoded as %2F.
        segs = [unquote(s) for s in split.path.split("/")[1:]]
        params = parse_qsl(split.query, keep_blank_values=True)
        headers = {"-".join(p.capitalize() for p in k.split("-")): v for k, v in self.headers.items()}
        self._record = RequestRecord(self.command, unquote(split.path), dict(params), headers, params)
        self.hub.record(self._record)
        self._head = head
        try:
            if segs and segs[0] == "api":
                self._api(segs, params)
            elif "resolve" in segs[1:3]:
                self._resolve(segs)
            else:
                self._error(404, None, "Not Found")
        except BadRequest as e:
            self._error(400, None, str(e))
        except _Dropped:
            self.close_connection = True
        except (BrokenPipeError, ConnectionResetError):
            self.close_connection = True

    def _api(self, segs: list[str], params: list[tuple[str, str]]) -> None:
        fault = self.hub.take_fault("", "/api", self.command)
        if fault is not None and self._apply_status_fault(fault):
            return
        if segs[1:] == ["whoami-v2"]:
            if self.hub.token is not None and self._bearer() == self.hub.token:
                auth = {"type": "access_token", "accessToken": {"displayName": "test", "role": "read"}}
                self._json({"type": "user", "name": "fakehub-user", "fullname": "Fake Hub User", "orgs": [], "auth": auth})
            else:
                self._error(401, None, "Invalid credentials in Authorization header")
            return
        if len(segs) < 2 or segs[1] != "models":
            self._error(404, None, "Not Found")
            return
        if len(segs) == 2:
            self._search(params)
            return
        repo, rest = self._repo_from(segs[2:])
        if repo is None:
            self._repo_not_found()
            return
        if not rest or rest[0] == "revision":
            rev = self._revision(repo, rest[1] if len(rest) > 1 else "main")
            if rev is not None:
                self._json(repo.info(rev, blobs=truthy(_get(params, "blobs")), expand=item_kwargs(params)["expand"]))
        elif rest[0] == "tree" and len(rest) >= 2:
            self._tree(repo, rest[1], "/".join(rest[2:]), params)
        elif rest == ["refs"]:
            self._json(repo.refs(include_prs=truthy(_get(params, "include_prs"))))
        else:
            self._error(404, None, "Not Found")

    def _repo_from(self, segs: list[str]) -> tuple[Repo | None, list[str]]:
        """The repository named by the first one or two path segments (namespace/name or a bare name)."""
        if len(segs) >= 2 and (repo := self.hub.find_repo(f"{segs[0]}/{segs[1]}")) is not None:
            return repo, segs[2:]
        if (repo := self.hub.find_repo(segs[0])) is not None:
            return repo, segs[1:]
        return None, segs[2:]

    def _revision(self, repo: Repo, name: str) -> Revision | None:
        rev = repo.revision(name)
        if rev is None:
            self._error(404, "RevisionNotFound", f"Invalid rev id: {name}")
        return rev

    def _repo_not_found(self) -> None:
        self._error(404, "RepoNotFound", "Repository not found")

    def _search(self, params: list[tuple[str, str]]) -> None:
        kwargs = item_kwargs(params)
        page, next_offset = search(self.hub.all_repos(), params, page_size=self.hub.page_size)
        extra = {}
        if next_offset is not None:
            extra["Link"] = next_link(self.hub.link_base or self._base_url(), "/api/models", params, next_offset)
        self._json([r.search_item(**kwargs) for r in page], headers=extra)

    def _tree(self, repo: Repo, rev_name: str, path: str, params: list[tuple[str, str]]) -> None:
        rev = self._revision(repo, rev_name)
        if rev is None:
            return
        entries = repo.tree(rev, path, recursive=truthy(_get(params, "recursive")), expand=truthy(_get(params, "expand")))
        if entries is None:
            self._error(404, "EntryNotFound", f"{path} does not exist on \"{rev_name}\"", commit=rev.sha)
            return
        from .search import decode_cursor

        cursor = _get(params, "cursor")
        offset = decode_cursor(cursor) if cursor else 0
        size = self.hub.tree_page_size
        extra = {}
        if offset + size < len(entries):
            api_path = f"/api/models/{repo.repo_id}/tree/{quote(rev_name, safe='')}"
            if path:
                api_path += f"/{quote(path, safe='')}"
            extra["Link"] = next_link(self._base_url(), api_path, params, offset + size)
        self._json(entries[offset : offset + size], headers=extra)

    # --- /resolve ----------------------------------------------------------------------------------------------------
    def _resolve(self, segs: list[str]) -> None:
        repo, rest = self._repo_from(segs)
        if repo is None:
            self._repo_not_found()
            return
        if len(rest) < 3 or rest[0] != "resolve":
            self._error(404, None, "Not Found")
            return
        rev = self._revision(repo, rest[1])
        if rev is None:
            return
        path = "/".join(rest[2:])
        if repo.gated and path not in PUBLIC_IN_GATED and not self._authorized():
            return
        content = rev.files.get(path)
        if content is None:
            self._error(404, "EntryNotFound", f"{path} does not exist on \"{rest[1]}\"", commit=rev.sha)
            return
        fault = self.hub.take_fault(repo.repo_id, path, self.command)
        if fault is not None and self._apply_status_fault(fault):
            return
        start, end, status = (0, content.size, 200) if fault and fault.ignore_range else self._range(content)
        if status == 416:
            return
        self.send_response(status)
        etag = content.etag(path)
        self.send_header("Content-Type", "application/octet-stream")
        self.send_header("Content-Length", str(end - start))
        self.send_header("Accept-Ranges", "bytes")
        self.send_header("ETag", f'"{etag}"')
        self.send_header("X-Repo-Commit", rev.sha)
        name = path.rsplit("/", 1)[-1]
        self.send_header("Content-Disposition", f"inline; filename*=UTF-8''{quote(name)}; filename=\"{quote(name)}\";")
        if content.is_lfs(path):
            self.send_header("X-Linked-Etag", f'"{etag}"')
            self.send_header("X-Linked-Size", str(content.size))
        if status == 206:
            self.send_header("Content-Range", f"bytes {start}-{end - 1}/{content.size}")
        self.end_headers()
        if not self._head:
            self._body(content, start, end, fault)

    def _authorized(self) -> bool:
        """Gated repositories: 401 without a token, 403 with the wrong one (X-Error-Code GatedRepo, like the Hub)."""
        token = self._bearer()
        if token is not None and self.hub.token is not None and token == self.hub.token:
            return True
        repo_id = self._record.path.split("/resolve/")[0].strip("/") if self._record else ""
        if token is None:
            self._error(401, "GatedRepo", f"Access to model {repo_id} is restricted. You must have access to it and be "
                                          "authenticated to access it. Please log in.")  # fmt: skip
        else:
            self._error(403, "GatedRepo", f"Access to model {repo_id} is restricted and you are not in the authorized "
                                          f"list. Visit https://huggingface.co/{repo_id} to ask for access.")  # fmt: skip
        return False

    def _range(self, content: Content) -> tuple[int, int, int]:
        """(start, end, status) of the answer; 416 has been sent when status is 416."""
        header = self.headers.get("Range")
        if not header:
            return 0, content.size, 200
        m = _RANGE.match(header.strip())
        if not m or (not m[1] and not m[2]):
            return 0, content.size, 200  # a multi-range or malformed header: ignore it, like many servers
        if m[1]:
            start = int(m[1])
            end = min(int(m[2]) + 1, content.size) if m[2] else content.size
        else:  # bytes=-N: the last N bytes
            start, end = max(0, content.size - int(m[2])), content.size
        if start >= content.size or start >= end:
            self.send_response(416)
            self.send_header("Content-Range", f"bytes */{content.size}")
            self.send_header("Content-Length", "0")
            self.end_headers()
            return 0, 0, 416
        return start, end, 206

    def _body(self, content: Content, start: int, end: int, fault: Fault | None) -> None:
        if fault is None and content.path is not None:
            # The fast path: the kernel copies the file to the socket.
            with content.path.open("rb") as f:
                sent_file = self.connection.sendfile(f, start, end - start)
            if self._record is not None:
                self._record.sent += sent_file
            return
        rate = fault.slow_bytes_per_s if fault else None
        drop_after = fault.drop_after if fault else None
        chunk = max(1, min(CHUNK, rate // 20)) if rate else CHUNK
        sent = 0
        t0 = time.monotonic()
        for piece in content.chunks(start, end, chunk):
            if fault is not None and fault.corrupt:
                piece = _corrupt(piece, start + sent)
            if drop_after is not None and sent + len(piece) > drop_after:
                self.wfile.write(piece[: drop_after - sent])
                self._drop()
            self.wfile.write(piece)
            sent += len(piece)
            if self._record is not None:
                self._record.sent = sent
            if rate:
                if self.hub.stopping.is_set():
                    self._drop()
                time.sleep(max(0.0, t0 + sent / rate - time.monotonic()))

    def _drop(self) -> None:
        with contextlib.suppress(OSError):
            self.connection.shutdown(socket.SHUT_RDWR)
        raise _Dropped

    def _apply_status_fault(self, fault: Fault) -> bool:
        """Sleep ``delay_s``; answer ``status`` if set. True when the request has been answered."""
        if fault.delay_s:
            deadline = time.monotonic() + fault.delay_s
            while time.monotonic() < deadline and not self.hub.stopping.is_set():
                time.sleep(0.02)
        if fault.status is None:
            return False
        self._error(fault.status, None, f"fault injected: HTTP {fault.status}")
        return True

    # --- responses ---------------------------------------------------------------------------------------------------
    def _bearer(self) -> str | None:
        auth = self.headers.get("Authorization") or ""
        return auth[7:].strip() if auth.lower().startswith("bearer ") else None

    def _base_url(self) -> str:
        return f"http://{self.headers.get('Host') or self.hub.url.split('://', 1)[1]}"

    def _json(self, obj: Any, *, status: int = 200, headers: dict[str, str] | None = None) -> None:
        body = json.dumps(obj).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json; charset=utf-8")
        self.send_header("Content-Length", str(len(body)))
        for k, v in (headers or {}).items():
            self.send_header(k, v)
        self.end_headers()
        if not self._head:
            self.wfile.write(body)

    def _error(self, status: int, code: str | None, message: str, *, commit: str | None = None) -> None:
        headers = {"X-Error-Message": message}
        if code:
            headers["X-Error-Code"] = code
        if commit:
            headers["X-Repo-Commit"] = commit
        self._json({"error": message}, status=status, headers=headers)


def _get(params: list[tuple[str, str]], key: str) -> str | None:
    values = [v for k, v in params if k == key]
    return values[-1] if values else None


def _corrupt(piece: bytes | memoryview, offset: int) -> bytes:
    """Flip one byte every 4 KiB (at fixed file offsets, so resumed downloads are wrong too); the size stays."""
    out = bytearray(piece)
    first = (-offset) % _CORRUPT_EVERY
    for i in range(first, len(out), _CORRUPT_EVERY):
        out[i] ^= 0xFF
    return bytes(out)
