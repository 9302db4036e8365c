"""Reading PDF, Word and HTML files in a child process, so a hostile or broken one costs that child, never the app.

pypdf and python-docx are Python code, but a crafted file can still send them into a loop for minutes or make them
allocate gigabytes (GPT4All's users lose the whole app to a large PDF); the standard library's HTML tokenizer takes time
quadratic in some crafted inputs (``"<a" * 100_000`` takes 30 s). So these files are read by one child,
``python -m app.documents.isolated``, under a memory cap (POSIX) and a time limit per file: ``DocumentReader`` sends it
one request per file and reads one answer; it stops the child when time runs out or the user cancels, and starts a new
one for the next file. A child that dies becomes that file's one-line error. Markdown, text and code are read
in-process (linear-time code with bounded sizes; a child's round trip would cost more than the parse).

Protocol, one JSON object per line: the parent writes ``{"path": ..., "limits": {...}}``; the child answers
``{"doc": ...}``, ``{"error": LINE}`` or ``{"oserror": LINE}``. The child ends at the end of its input (the app closed the
pipe, or died: on Linux the kernel also kills it then).
"""

from __future__ import annotations

import dataclasses
import json
import logging
import queue
import sys
import threading
import time
from collections.abc import Callable
from pathlib import Path
from types import TracebackType
from typing import TYPE_CHECKING, Any

from app.documents.parse import (
    DEFAULT_LIMITS,
    Block,
    DocumentError,
    DocumentKind,
    Limits,
    ParsedDocument,
    UnreadableDocument,
    kind_of,
    parse_file,
)
from app.shield.flags import Flag
from core.messages import Message, text_of

if TYPE_CHECKING:
    from procs.supervisor import Child

log = logging.getLogger(__name__)

ISOLATED_KINDS = frozenset({DocumentKind.PDF, DocumentKind.DOCX, DocumentKind.HTML})
PARSE_TIMEOUT_S = 300.0
"""The most one file may take; smaller files get less (``time_limit``)."""
MEMORY_CAP = 3 << 30
"""Address space of the reading child (POSIX): a file that needs more is refused, the app lives on."""
_EOF = b""


def time_limit(size: int, *, most: float = PARSE_TIMEOUT_S) -> float:
    """Seconds a file of ``size`` bytes may take to read: 30 s, plus 30 s per MiB, at most ``most`` (a 5,000-page PDF
    takes minutes; a crafted 600 KB HTML file would take an hour and is stopped after 48 s)."""
    return min(most, 30.0 + 30.0 * size / (1 << 20))


class ParseCancelled(DocumentError):
    """The user cancelled while a file was being read; it stays pending."""


class DocumentReader:
    """One reading child, started on first use and again after it was stopped; ``close`` ends it. One caller at a time."""

    def __init__(self, *, timeout_s: float = PARSE_TIMEOUT_S) -> None:
        """``timeout_s``: the most any one file may take (``time_limit`` gives smaller files less)."""
        self.timeout_s = timeout_s
        self._child: Child | None = None
        self._answers: queue.Queue[bytes] = queue.Queue()
        self._last_stderr = ""
        self.started = 0
        """Children started so far (a new one after each stop)."""

    def __enter__(self) -> DocumentReader:
        return self

    def __exit__(self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None) -> None:
        self.close()

    def close(self) -> None:
        """End the child: at the end of its input it exits; one still reading is stopped."""
        child, self._child = self._child, None
        if child is not None:
            child.close_stdin()
            try:
                child.wait(2.0)
            except Exception:
                child.stop(1.0)

    def read(self, path: Path, *, limits: Limits = DEFAULT_LIMITS, cancelled: Callable[[], bool] | None = None,
             timeout_s: float | None = None) -> ParsedDocument:  # fmt: skip
        """``parse_file(path)``: in the child for PDF, Word and HTML, here for the rest.

        Raises:
            UnreadableDocument: as ``parse_file``, or the child took too long, ran out of memory or died.
            ParseCancelled: ``cancelled`` said yes while the child was reading (the child is stopped).
            OSError: the file cannot be read.
        """
        if kind_of(path) not in ISOLATED_KINDS:
            return parse_file(path, limits=limits)
        if timeout_s is not None:
            timeout = timeout_s
        else:
            try:
                timeout = time_limit(path.stat().st_size, most=self.timeout_s)
            except OSError:
                timeout = self.timeout_s  # the child will say what is wrong with the file
        child = self._ensure_child()
        request = json.dumps({"path": str(path), "limits": dataclasses.asdict(limits)}) + "\n"
        try:
            stdin = child.stdin
            assert stdin is not None
            stdin.write(request.encode("utf-8"))
            stdin.flush()
        except (OSError, ValueError):
            pass  # it died: the answer is end-of-file, reported below
        deadline = time.monotonic() + timeout
        try:
            while True:  # the caller's check first: a cancel asked for before the child answers always wins
                if cancelled is not None and cancelled():
                    raise ParseCancelled(Message("{name}: cancelled while reading it", name=str(path.name)))
                try:
                    line = self._answers.get(timeout=min(0.1, max(0.0, deadline - time.monotonic())))
                    break
                except queue.Empty:
                    pass
                if time.monotonic() > deadline:
                    raise UnreadableDocument(Message("{name}: reading it took over {timeout} s (a broken or hostile file?)",
                                                     name=str(path.name), timeout=format(timeout, 'g')),
                                             path=path)  # fmt: skip
        except BaseException:  # cancelled, too slow, or Ctrl-C / an error in the caller's check: this child goes
            self._stop()
            raise
        if line == _EOF:  # the child died reading this file
            outcome = self._stop()
            why = outcome + (f": {self._last_stderr}" if self._last_stderr else "")
            log.info("reading %s failed: %s", path, why)
            raise UnreadableDocument(Message("{name}: {why} while reading it (a broken or hostile file?)", name=str(path.name),
                                             why=str(why)), path=path)
        try:
            answer = json.loads(line)
        except ValueError:
            answer = None
        if not isinstance(answer, dict):
            self._stop()
            raise UnreadableDocument(Message("{name}: the document reader answered nonsense while reading it",
                                             name=str(path.name)), path=path)
        if "error" in answer:
            english = str(answer["error"])
            said = text_of(answer.get("error_data"), english)  # the message, for the GUI to translate
            raise UnreadableDocument(said if str(said) == english else english, path=path)
        if "oserror" in answer:
            raise OSError(str(answer["oserror"]))
        return from_json(path, answer["doc"])

    def _ensure_child(self) -> Child:
        if self._child is not None and self._child.running():
            return self._child
        if self._child is not None:
            self._stop()
        from procs.launch import python_module
        from procs.supervisor import Child

        command = python_module("app.documents.isolated", label="the document reader")
        child = Child.start(command, die_with_parent=True)
        answers: queue.Queue[bytes] = queue.Queue()

        def pump() -> None:
            for line in child.stdout_lines():
                answers.put(line)
            answers.put(_EOF)

        threading.Thread(target=pump, name="document-reader", daemon=True).start()
        self._child, self._answers = child, answers
        self.started += 1
        return child

    def _stop(self) -> str:
        """Stop the child (if any); how it ended, in words."""
        child, self._child = self._child, None
        if child is None:
            return "the document reader is gone"
        outcome = child.stop(1.0)
        self._last_stderr = outcome.last_stderr
        return outcome.describe()


def parse_document(path: Path, *, limits: Limits = DEFAULT_LIMITS, cancelled: Callable[[], bool] | None = None,
                   timeout_s: float | None = None) -> ParsedDocument:  # fmt: skip
    """One file through a reader of its own (``DocumentReader.read``); indexing shares one reader for a whole run."""
    with DocumentReader() as reader:
        return reader.read(path, limits=limits, cancelled=cancelled, timeout_s=timeout_s)


def to_json(doc: ParsedDocument) -> dict[str, Any]:
    return {"kind": doc.kind.value, "text": doc.text, "pages": doc.pages,
            "blocks": [[b.start, b.end, b.page, b.heading, b.is_heading] for b in doc.blocks],
            "hidden": [f.to_json() for f in doc.hidden]}  # fmt: skip


def from_json(path: Path, data: dict[str, Any]) -> ParsedDocument:
    blocks = tuple(Block(int(s), int(e), None if p is None else int(p), str(h), bool(i)) for s, e, p, h, i in data["blocks"])
    hidden = tuple(f for f in map(Flag.from_json, data.get("hidden", [])) if f is not None)
    return ParsedDocument(path, DocumentKind(data["kind"]), str(data["text"]), blocks, pages=int(data["pages"]),
                          hidden=hidden)


def _cap_memory(limit: int) -> None:
    try:
        import resource
    except ImportError:  # Windows: no address-space limit; the time limit still holds
        return
    _soft, hard = resource.getrlimit(resource.RLIMIT_AS)
    resource.setrlimit(resource.RLIMIT_AS, (limit if hard == resource.RLIM_INFINITY else min(limit, hard), hard))


def _answer(request: dict[str, Any]) -> tuple[dict[str, Any], bool]:
    """One request's answer, and whether this child should end after it (its memory may be in a bad state)."""
    path = Path(request["path"])
    try:
        return {"doc": to_json(parse_file(path, limits=Limits(**request.get("limits", {}))))}, False
    except UnreadableDocument as e:
        said = e.message_text
        return {"error": str(e)} | ({"error_data": said.to_data()} if isinstance(said, Message) else {}), False
    except MemoryError:
        return {"error": f"{path.name}: needs more than {MEMORY_CAP >> 30} GiB of memory to read (broken or hostile?)"}, True
    except OSError as e:
        return {"oserror": f"{path.name}: cannot be read ({e.strerror or e})"}, False


def main() -> int:
    """The child: one answer line per request line, until the end of its input."""
    _cap_memory(MEMORY_CAP)
    out = sys.stdout
    for line in sys.stdin:
        if not line.strip():
            continue
        answer, end = _answer(json.loads(line))
        out.write(json.dumps(answer) + "\n")
        out.flush()
        if end:
            return 0
    return 0


if __name__ == "__main__":
    sys.exit(main())
