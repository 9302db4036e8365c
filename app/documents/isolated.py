"""Reading a PDF or Word file in a child process, so a hostile or broken one costs that child, never the app.

pypdf and python-docx are Python code, but a crafted file can still send them into a loop for minutes or make them
allocate gigabytes (GPT4All's users lose the whole app to a large PDF). Here each such file is parsed by
``python -m app.documents.isolated PATH LIMITS`` under a memory cap (POSIX) and a time limit; the parent kills it when
time runs out or the user cancels, and a child that dies becomes that file's one-line error. Markdown, HTML, text and
code are read by the standard library with bounded sizes and stay in-process (a child's start would cost more than the
parse).

The child answers with one JSON object on stdout: ``{"doc": ...}``, ``{"error": LINE}`` or ``{"oserror": LINE}``.
"""

from __future__ import annotations

import dataclasses
import json
import logging
import sys
import threading
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

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

log = logging.getLogger(__name__)

ISOLATED_KINDS = frozenset({DocumentKind.PDF, DocumentKind.DOCX})
PARSE_TIMEOUT_S = 300.0
MEMORY_CAP = 3 << 30
"""Address space of the parsing child (POSIX): a file that needs more is refused, the app lives on."""


class ParseCancelled(DocumentError):
    """The user cancelled while a file was being read; it stays pending."""


def parse_document(path: Path, *, limits: Limits = DEFAULT_LIMITS, cancelled: Callable[[], bool] | None = None,
                   timeout_s: float = PARSE_TIMEOUT_S) -> ParsedDocument:  # fmt: skip
    """``parse_file``, in a child process for the kinds whose parsers a crafted file could hang or bloat.

    Raises:
        UnreadableDocument: as ``parse_file``, or the child took too long, ran out of memory or died.
        ParseCancelled: ``cancelled`` said yes while the child was reading.
        OSError: the file cannot be read.
    """
    if kind_of(path) not in ISOLATED_KINDS:
        return parse_file(path, limits=limits)
    from procs.launch import python_module
    from procs.supervisor import Child

    command = python_module("app.documents.isolated", [str(path), json.dumps(dataclasses.asdict(limits))],
                            label="the document reader")  # fmt: skip
    child = Child.start(command)
    chunks: list[bytes] = []
    reader = threading.Thread(target=lambda: chunks.extend(child.stdout_lines()), name="document-reader", daemon=True)
    reader.start()
    deadline = time.monotonic() + timeout_s
    try:
        while True:
            reader.join(min(0.1, max(0.0, deadline - time.monotonic())))
            if not reader.is_alive():
                break
            if cancelled is not None and cancelled():
                raise ParseCancelled(f"{path.name}: cancelled while reading it")
            if time.monotonic() > deadline:
                raise UnreadableDocument(f"{path.name}: reading it took over {timeout_s:g} s (a broken or hostile file?)",
                                         path=path)  # fmt: skip
    except BaseException:  # cancelled, too slow, or Ctrl-C / an error in the caller's check: the child goes too
        child.stop(1.0)
        reader.join(2)
        raise
    outcome = child.wait()
    try:
        answer = json.loads(b"".join(chunks)) if outcome.ok else None
    except ValueError:
        answer = None
    if not isinstance(answer, dict):
        why = outcome.describe() + (f": {outcome.last_stderr}" if outcome.last_stderr else "")
        log.info("reading %s failed: %s", path, why)
        raise UnreadableDocument(f"{path.name}: {why} while reading it (a broken or hostile file?)", path=path)
    if "error" in answer:
        raise UnreadableDocument(str(answer["error"]), path=path)
    if "oserror" in answer:
        raise OSError(str(answer["oserror"]))
    return from_json(path, answer["doc"])


def to_json(doc: ParsedDocument) -> dict[str, Any]:
    return {"kind": doc.kind.value, "text": doc.text, "pages": doc.pages,
            "blocks": [[b.start, b.end, b.page, b.heading, b.is_heading] for b in doc.blocks]}  # fmt: skip


def from_json(path: Path, data: dict[str, Any]) -> ParsedDocument:
    blocks = tuple(Block(int(s), int(e), None if p is None else int(p), str(h), bool(i)) for s, e, p, h, i in data["blocks"])
    return ParsedDocument(path, DocumentKind(data["kind"]), str(data["text"]), blocks, pages=int(data["pages"]))


def _cap_memory(limit: int) -> None:
    try:
        import resource
    except ImportError:  # Windows: no address-space limit; the time limit still holds
        return
    _soft, hard = resource.getrlimit(resource.RLIMIT_AS)
    resource.setrlimit(resource.RLIMIT_AS, (limit if hard == resource.RLIM_INFINITY else min(limit, hard), hard))


def main(argv: list[str] | None = None) -> int:
    from procs import watchdog

    args = sys.argv[1:] if argv is None else argv
    if len(args) != 2:
        print("usage: python -m app.documents.isolated PATH LIMITS_JSON", file=sys.stderr)
        return 2
    if watchdog.requested():
        watchdog.watch_stdin(exit_code=3)  # the app is gone: stop reading
    path = Path(args[0])
    limits = Limits(**json.loads(args[1]))
    _cap_memory(MEMORY_CAP)
    try:
        answer: dict[str, Any] = {"doc": to_json(parse_file(path, limits=limits))}
    except UnreadableDocument as e:
        answer = {"error": str(e)}
    except MemoryError:
        answer = {"error": f"{path.name}: needs more than {MEMORY_CAP >> 30} GiB of memory to read (broken or hostile?)"}
    except OSError as e:
        answer = {"oserror": f"{path.name}: cannot be read ({e.strerror or e})"}
    sys.stdout.write(json.dumps(answer))
    sys.stdout.flush()
    return 0


if __name__ == "__main__":
    sys.exit(main())
