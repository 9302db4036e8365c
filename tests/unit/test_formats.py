"""formats/: its tables match the gguf package, it imports nothing but the standard library (and hardware), and the
shared parse cache parses a file once per version."""

from __future__ import annotations

import ast
import sys
import threading
from pathlib import Path

import gguf
from fixtures.tiny_gguf import write_tiny_gguf

from formats.cache import ParseCache
from formats.ggml import FILE_TYPES, GGML_TYPES, GGUFValueType
from formats.gguf import gguf_header
from formats.quant_types import GGUF_TYPES

ROOT = Path(__file__).resolve().parents[2]


def test_ggml_types_match_the_gguf_package() -> None:
    theirs = {int(t): (t.name, *gguf.GGML_QUANT_SIZES[t]) for t in gguf.GGMLQuantizationType if t in gguf.GGML_QUANT_SIZES}
    ours = {t.id: (t.name, t.block, t.block_bytes) for t in GGML_TYPES.values()}
    assert set(theirs) <= set(ours), f"gguf knows types formats.ggml lacks: {set(theirs) - set(ours)}"
    assert {k: ours[k] for k in theirs} == theirs


def test_file_types_and_value_types_match_the_gguf_package() -> None:
    theirs = {int(t): t.name.removeprefix("MOSTLY_").removeprefix("ALL_") for t in gguf.LlamaFileType if t.name != "GUESSED"}
    assert theirs.items() <= FILE_TYPES.items()
    assert {t.name: int(t) for t in gguf.GGUFValueType} == {t.name: int(t) for t in GGUFValueType}
    for t in GGUF_TYPES.values():
        assert FILE_TYPES[t.ftype] == t.name and t.base in {g.name for g in GGML_TYPES.values()}


def test_formats_imports_only_the_standard_library_core_and_hardware() -> None:
    allowed = set(sys.stdlib_module_names) | {"formats", "core", "hardware"}
    offenders = []
    for path in (ROOT / "formats").rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            names = [a.name for a in node.names] if isinstance(node, ast.Import) else []
            if isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
                names = [node.module]
            offenders += [f"{path.name}: {n}" for n in names if n.split(".")[0] not in allowed]
    assert offenders == []


def test_a_header_is_parsed_once_per_file_version(tmp_path: Path) -> None:
    cache = ParseCache(max_entries=2)
    calls: list[Path] = []

    def parse(p: Path) -> int:
        calls.append(p)
        return p.stat().st_size

    a = tmp_path / "a.bin"
    a.write_bytes(b"1234")
    threads = [threading.Thread(target=cache.get, args=("k", a, parse)) for _ in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert len(calls) == 1 and cache.stats().hits == 7
    a.write_bytes(b"123456")  # a new version
    assert cache.get("k", a, parse) == 6 and len(calls) == 2
    for name in ("b", "c"):  # bounded: the oldest goes
        (tmp_path / name).write_bytes(b"x")
        cache.get("k", tmp_path / name, parse)
    assert cache.stats().size == 2
    cache.get("k", a, parse)
    assert len(calls) == 5


def test_a_copy_shares_the_parse_with_its_new_path(tmp_path: Path) -> None:
    from formats.cache import HEADERS

    src = write_tiny_gguf(tmp_path / "src" / "m.gguf")
    HEADERS.clear()
    header = gguf_header(src)
    dst = tmp_path / "dst" / "m.gguf"
    dst.parent.mkdir()
    dst.write_bytes(src.read_bytes())
    HEADERS.rebase(src, dst)
    copied = gguf_header(dst)
    assert HEADERS.stats().misses == 1
    assert copied.path == dst and copied.tensors == header.tensors
