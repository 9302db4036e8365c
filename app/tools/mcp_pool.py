"""MCP servers that live as long as a conversation, not one answer: started at its first answer with MCP on, handed to
each of its answers, stopped when it no longer needs them.

A server that takes seconds to start (``npx``) then costs them once, and a stateful one (a browser, a database session)
keeps its state from one answer to the next. An owner's servers (the owner is a conversation's id) stop when:
``drop`` (the conversation closed or deleted, or its Tools control turned MCP off), the mcp.json changed (its servers
are compared as parsed, so an edited allowlist counts and a reformatted file does not: the next answer starts the new
ones and says so), ``IDLE_S`` without an answer, and ``close`` (the app quits). A server that died is started again by
the next answer (``McpServers.start``), which says so once.

Two answers never use one owner's servers at once: a lease of an owner whose servers are in use gets servers of its
own for that answer (a conversation's answers are sequential, so that is a safety net, not a path). The pool is
touched from the answers' threads and the GUI thread; one lock guards it, and nothing slow runs under it. ``drop`` and
``close`` return at once: the servers stop on a thread of their own (``join`` waits for them), or, when an answer is
using them, on that answer's thread as it ends. Pure: no Qt.
"""

from __future__ import annotations

import contextlib
import logging
import threading
import time
from collections.abc import Hashable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

from app.tools.mcp import START_TIMEOUT_S, McpServers
from app.tools.mcp_config import McpConfigError, McpServer, load_config
from app.tools.spec import Tool
from core.messages import Message

__all__ = ["IDLE_S", "McpLease", "McpPool"]

log = logging.getLogger(__name__)

IDLE_S = 600.0
"""An owner's servers stop after this long without an answer (10 minutes)."""


@dataclass
class McpLease:
    """What one answer gets: the servers' tools and the lines about them that are new since the last answer."""

    servers: McpServers
    tools: list[Tool]
    notes: list[Message] = field(default_factory=list)


@dataclass
class _Entry:
    config: Path
    wanted: list[McpServer]
    servers: McpServers
    used: float = 0.0
    busy: bool = False
    gone: bool = False
    """Dropped, replaced or closed while an answer used it: that answer stops it as it ends."""


class McpPool:
    """The started MCP servers of each owner. ``lease`` from an answer's thread (it blocks while servers start);
    ``drop``, ``close`` and ``join`` from any thread."""

    def __init__(self, *, idle_s: float = IDLE_S, start_timeout_s: float = START_TIMEOUT_S) -> None:
        self.idle_s = idle_s
        self.start_timeout_s = start_timeout_s
        self._entries: dict[Hashable, _Entry] = {}
        self._stopping: list[threading.Thread] = []
        self._closed = False
        self._changed = threading.Condition()  # the lock of everything above; notified when the idle reaper should look
        self._reaper: threading.Thread | None = None

    @contextlib.contextmanager
    def lease(self, owner: Hashable | None, config: Path) -> Iterator[McpLease]:
        """The running servers of ``config`` for ``owner`` while the ``with`` lasts, started or started again as needed.
        ``owner`` None, or a closed pool: servers for this answer only, stopped at its end.

        Raises:
            McpConfigError: the mcp.json cannot be used.
        """
        try:
            wanted = load_config(config)
        except McpConfigError:
            if owner is not None:
                self.drop(owner)  # its servers are not the file's any more
            raise
        notes: list[Message] = []
        stale: _Entry | None = None
        with self._changed:
            entry = self._entries.get(owner) if owner is not None else None
            if entry is not None and not entry.busy and (entry.config != config or entry.wanted != wanted):
                stale, entry = self._entries.pop(owner), None
                notes.append(Message("MCP: {file} changed; its servers were started again", file=config.name))
            own = owner is None or self._closed or (entry is not None and entry.busy)
            if entry is None or own:
                entry = _Entry(config, wanted, McpServers(wanted, start_timeout_s=self.start_timeout_s))
                if not own:
                    self._entries[owner] = entry
                    self._start_reaper()
            entry.busy = True
        if stale is not None:
            stale.servers.close()  # this answer's thread: the user waits for the new servers anyway
        try:
            seen = len(entry.servers.problems_said)
            tools = entry.servers.start()
            yield McpLease(entry.servers, tools, notes + entry.servers.problems_said[seen:])
        finally:
            with self._changed:
                entry.busy = False
                entry.used = time.monotonic()
                stop = own or entry.gone
                self._changed.notify_all()
            if stop:
                entry.servers.close()

    def drop(self, owner: Hashable) -> None:
        """Stop ``owner``'s servers (its conversation closed, deleted, or MCP turned off). Returns at once."""
        with self._changed:
            entry = self._entries.pop(owner, None)
            if entry is not None:
                self._stop_later(entry)

    def close(self) -> None:
        """Stop every owner's servers (the app quits); later leases get servers of their own. Returns at once."""
        with self._changed:
            self._closed = True
            for entry in self._entries.values():
                self._stop_later(entry)
            self._entries.clear()
            self._changed.notify_all()

    def join(self, timeout_s: float) -> bool:
        """Wait up to ``timeout_s`` for the servers being stopped; True when none is left stopping."""
        deadline = time.monotonic() + timeout_s
        with self._changed:
            threads = list(self._stopping)
        for thread in threads:
            thread.join(max(0.0, deadline - time.monotonic()))
        return not self.stopping()

    def stopping(self) -> bool:
        """Whether servers are still being stopped in the background."""
        with self._changed:
            self._stopping = [t for t in self._stopping if t.is_alive()]
            return bool(self._stopping)

    def owners(self) -> list[Hashable]:
        """The owners whose servers are kept."""
        with self._changed:
            return list(self._entries)

    # -- under the lock ------------------------------------------------------------------------------------------------

    def _stop_later(self, entry: _Entry) -> None:
        if entry.busy:
            entry.gone = True  # the answer using it stops it
            return
        thread = threading.Thread(target=entry.servers.close, name="mcp-stop", daemon=True)
        self._stopping.append(thread)
        thread.start()

    def _start_reaper(self) -> None:
        if self._reaper is None:
            self._reaper = threading.Thread(target=self._reap, name="mcp-idle", daemon=True)
            self._reaper.start()

    def _reap(self) -> None:
        """Stop the servers of owners without an answer for ``idle_s``; ends when the pool is closed or empty."""
        with self._changed:
            while not self._closed and self._entries:
                now = time.monotonic()
                idle = [o for o, e in self._entries.items() if not e.busy and now - e.used >= self.idle_s]
                for owner in idle:
                    log.info("MCP servers of %s stopped after %g s without an answer", owner, self.idle_s)
                    self._stop_later(self._entries.pop(owner))
                waits = [e.used + self.idle_s - now for e in self._entries.values() if not e.busy]
                self._changed.wait(min(waits, default=self.idle_s))
            self._reaper = None  # under the lock: the next new entry starts another
