"""``python -m tests.fakehub [--port N] [--no-big]``: serve the demo repositories on 127.0.0.1 until Ctrl-C."""

from __future__ import annotations

import argparse
import logging
import sys
import threading
from pathlib import Path


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m tests.fakehub", description=__doc__)
    parser.add_argument("--port", type=int, default=0, help="port on 127.0.0.1 (default: a free one)")
    parser.add_argument("--no-big", action="store_true", help="only the tiny repositories, not the virtual 8B landscape")
    parser.add_argument("--hash", action="store_true", help="compute (and cache) every file's sha256 before serving")
    parser.add_argument("--write-sha-table", action="store_true",
                        help="hash every virtual demo file into tests/fakehub/sha256.json and exit")
    parser.add_argument("-v", "--verbose", action="store_true")
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.DEBUG if args.verbose else logging.INFO, format="%(message)s")
    logging.getLogger("gguf").setLevel(logging.WARNING)
    # The demo builders import the test fixtures (tests/fixtures) as top-level modules, like the tests do.
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
    from .repos import demo_hub
    from .server import FakeHub

    hub = FakeHub(port=args.port)
    demo_hub(hub, big=not args.no_big)
    if args.write_sha_table:
        return _write_sha_table(hub)
    if args.hash:
        for repo in hub.all_repos():
            for rev in repo.revisions.values():
                for name, content in rev.files.items():
                    content.etag(name)
    hub.start()
    print(hub.url, flush=True)
    print(f"HF_ENDPOINT={hub.url}  token for gated repos: HF_TOKEN={hub.token}", file=sys.stderr, flush=True)
    try:
        threading.Event().wait()
    except KeyboardInterrupt:
        pass
    finally:
        hub.stop()
    return 0


def _write_sha_table(hub: object) -> int:
    import json
    from concurrent.futures import ThreadPoolExecutor

    from .content import KNOWN_SHA256, VirtualFile, virtual_key
    from .server import FakeHub

    assert isinstance(hub, FakeHub)
    contents = {virtual_key(c.source): c for r in hub.all_repos() for rev in r.revisions.values()
                for c in rev.files.values() if isinstance(c.source, VirtualFile)}  # fmt: skip
    # hashlib releases the GIL on large buffers: one thread per core.
    with ThreadPoolExecutor() as pool:
        table = dict(zip(contents, pool.map(lambda c: c.sha256(), contents.values()), strict=True))
    KNOWN_SHA256.write_text(json.dumps(dict(sorted(table.items())), indent=1) + "\n")
    print(f"{len(table)} hashes written to {KNOWN_SHA256}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
