"""FakeHub: a local HTTP server on 127.0.0.1 that answers like the Hugging Face Hub (what huggingface_hub 2.4 calls)."""

from __future__ import annotations

import contextlib
import logging
import socket
import threading
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from http.server import ThreadingHTTPServer
from typing import Any
from urllib.parse import quote

from .handler import Handler
from .repo import Fault, Repo, Source, make_repo

log = logging.getLogger(__name__)

TEST_TOKEN = "hf_fakehubTestToken0123456789abcdefgh"


@dataclass
class RequestRecord:
    """One request the hub received. ``headers`` keys are Title-Cased ("Range", "Authorization")."""

    method: str
    path: str
    query: dict[str, str]
    headers: dict[str, str]
    params: list[tuple[str, str]] = field(default_factory=list)
    status: int = 0
    sent: int = 0
    """Body bytes sent for a /resolve request (what a client actually cost the server)."""


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    allow_reuse_address = True
    # Enough backlog for parallel downloads opening many connections at once.
    request_queue_size = 64

    def __init__(self, address: tuple[str, int], hub: FakeHub) -> None:
        self.hub = hub
        super().__init__(address, Handler)


def closed_port_url() -> str:
    """A loopback URL nothing listens on (connections are refused at once)."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    return f"http://127.0.0.1:{port}"


class FakeHub:
    """The fake Hub. Use as a context manager, or call :meth:`start` / :meth:`stop`."""

    def __init__(self, *, token: str | None = TEST_TOKEN, port: int = 0, page_size: int = 1000,
                 tree_page_size: int = 1000) -> None:  # fmt: skip
        self.token = token
        """Gated repos need ``Authorization: Bearer <token>``; None = no token is valid."""
        self.page_size = page_size
        """Search results per page when the request has no ``limit`` (the Hub caps ``limit`` at 1000)."""
        self.tree_page_size = tree_page_size
        self.link_base: str | None = None
        """The base URL search pages' ``Link: <...>; rel="next"`` headers name; None = this hub (a hostile hub names
        another host to catch the token)."""
        self.repos: dict[str, Repo] = {}
        self._port = port
        self._server: _Server | None = None
        self._thread: threading.Thread | None = None
        self._lock = threading.Lock()
        self._requests: list[RequestRecord] = []
        self._faults: dict[tuple[str, str | None], list[Any]] = {}
        self._conns: set[socket.socket] = set()
        self.stopping = threading.Event()

    # --- lifecycle ---------------------------------------------------------------------------------------------------
    def start(self) -> FakeHub:
        """Listen on 127.0.0.1 (a random free port the first time, the same port after :meth:`go_online`)."""
        if self._server is not None:
            return self
        self.stopping.clear()
        self._server = _Server(("127.0.0.1", self._port), self)
        self._port = self._server.server_address[1]
        self._thread = threading.Thread(target=self._server.serve_forever, kwargs={"poll_interval": 0.05},
                                        name=f"fakehub:{self._port}", daemon=True)  # fmt: skip
        self._thread.start()
        log.debug("fake hub listening on %s", self.url)
        return self

    def stop(self) -> None:
        """Stop listening and drop every open connection."""
        server, self._server = self._server, None
        if server is None:
            return
        self.stopping.set()
        server.shutdown()
        server.server_close()
        with self._lock:
            conns = list(self._conns)
        for conn in conns:
            with contextlib.suppress(OSError):
                conn.shutdown(socket.SHUT_RDWR)
        if self._thread is not None:
            self._thread.join(timeout=5)
            self._thread = None

    def __enter__(self) -> FakeHub:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    @property
    def url(self) -> str:
        """http://127.0.0.1:PORT"""
        if not self._port:
            raise RuntimeError("the fake hub is not started")
        return f"http://127.0.0.1:{self._port}"

    @property
    def running(self) -> bool:
        return self._server is not None

    def go_offline(self) -> None:
        """Refuse connections (and drop open ones) until :meth:`go_online`."""
        self.stop()

    def go_online(self) -> None:
        self.start()

    @contextlib.contextmanager
    def offline(self) -> Iterator[None]:
        """``with hub.offline():`` connections are refused inside the block."""
        self.go_offline()
        try:
            yield
        finally:
            self.go_online()

    # --- content -----------------------------------------------------------------------------------------------------
    def add_repo(
        self,
        repo_id: str,
        files: Mapping[str, Source],
        *,
        card: str | None = None,
        tags: Sequence[str] = (),
        gated: bool = False,
        downloads: int = 0,
        likes: int = 0,
        trending: int = 0,
        last_modified: datetime | None = None,
        base_model: str | None = None,
        base_relation: str = "quantized",
        config: Mapping[str, Any] | None = None,
        branches: Mapping[str, Mapping[str, Source]] | None = None,
        pipeline_tag: str | None = "text-generation",
        library_name: str | None = None,
        safetensors_params: int | None = None,
        gguf_params: int | None = None,
    ) -> Repo:
        """Add (or replace) a model repository; ``files`` are the main branch, ``branches`` other revisions."""
        repo = make_repo(repo_id, files, card=card, tags=tags, config=config, branches=branches,
                         last_modified=last_modified, gated=gated, downloads=downloads, likes=likes, trending=trending,
                         base_model=base_model, base_relation=base_relation, pipeline_tag=pipeline_tag,
                         library_name=library_name, safetensors_params=safetensors_params,
                         gguf_params=gguf_params)  # fmt: skip
        with self._lock:
            self.repos[repo_id] = repo
        return repo

    def remove_repo(self, repo_id: str) -> None:
        with self._lock:
            self.repos.pop(repo_id, None)

    def file_url(self, repo_id: str, path: str, *, revision: str = "main") -> str:
        """The /resolve URL of a file, as huggingface_hub.hf_hub_url builds it."""
        return f"{self.url}/{repo_id}/resolve/{quote(revision, safe='')}/{quote(path)}"

    # --- faults ------------------------------------------------------------------------------------------------------
    def set_fault(self, repo_id: str, path: str | None, fault: Fault) -> None:
        """Make /resolve of ``path`` (None: every file of the repo) misbehave; replaces an earlier fault there."""
        with self._lock:
            self._faults[(repo_id, path)] = [fault, fault.times]

    def set_api_fault(self, fault: Fault) -> None:
        """Make every /api/ request misbehave (``status`` and ``delay_s``; ``times`` counts requests)."""
        self.set_fault("", "/api", fault)

    def clear_faults(self) -> None:
        with self._lock:
            self._faults.clear()

    def take_fault(self, repo_id: str, path: str, method: str) -> Fault | None:
        """The fault that applies to this request, counting it against ``times``."""
        with self._lock:
            for key in ((repo_id, path), (repo_id, None)):
                slot = self._faults.get(key)
                if slot is None:
                    continue
                fault: Fault = slot[0]
                if fault.method is not None and fault.method != method:
                    continue
                if method == "HEAD" and fault.body_only:
                    continue
                if slot[1] is not None:
                    slot[1] -= 1
                    if slot[1] <= 0:
                        del self._faults[key]
                return fault
        return None

    # --- request log -------------------------------------------------------------------------------------------------
    @property
    def requests(self) -> list[RequestRecord]:
        """A copy of every request received so far, oldest first."""
        with self._lock:
            return list(self._requests)

    def clear_requests(self) -> None:
        with self._lock:
            self._requests.clear()

    def record(self, rec: RequestRecord) -> None:
        with self._lock:
            self._requests.append(rec)

    def track(self, conn: socket.socket, *, add: bool) -> None:
        with self._lock:
            if add:
                self._conns.add(conn)
            else:
                self._conns.discard(conn)

    def find_repo(self, repo_id: str) -> Repo | None:
        with self._lock:
            return self.repos.get(repo_id)

    def all_repos(self) -> list[Repo]:
        with self._lock:
            return list(self.repos.values())
