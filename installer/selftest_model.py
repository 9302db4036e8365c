"""Write the tiny random-weight model the bundle's `--self-test` loads (the test suite's own fixture, 0.5 MB).

Run: .venv/bin/python installer/selftest_model.py build/selftest/tiny.gguf
"""

from __future__ import annotations

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tests"))

from fixtures.tiny_gguf import write_tiny_gguf

if __name__ == "__main__":
    out = Path(sys.argv[1] if len(sys.argv) > 1 else "build/selftest/tiny.gguf")
    write_tiny_gguf(out, name="modelwerk-selftest")
    print(f"wrote {out} ({out.stat().st_size:,} bytes)")
