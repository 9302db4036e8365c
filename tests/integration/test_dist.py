"""`make dist` builds the Linux bundle, and the bundled executable passes its self-test (issue: the installer)."""

from __future__ import annotations

import os
import subprocess
import tarfile
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]


@pytest.mark.slow
def test_make_dist_builds_a_bundle_that_passes_its_self_test(tmp_path: Path) -> None:
    build = subprocess.run(["make", "--no-print-directory", "dist"], cwd=ROOT, capture_output=True, text=True, timeout=1200)
    assert build.returncode == 0, build.stdout[-3000:] + build.stderr[-3000:]
    exe = ROOT / "dist" / "modelwerk" / "modelwerk"
    assert exe.is_file() and os.access(exe, os.X_OK)

    # Run it from elsewhere, with an empty environment as a double-click would have: nothing from the checkout or venv.
    env = {"HOME": str(tmp_path), "PATH": "/usr/bin:/bin", "LANG": "C.UTF-8"}
    run = subprocess.run([str(exe), "--self-test"], cwd=tmp_path, env=env, capture_output=True, text=True, timeout=300)
    assert run.returncode == 0, run.stdout + run.stderr
    assert "generate: 8 tokens" in run.stdout and "quantize: Q8_0 job done" in run.stdout and "self-test OK" in run.stdout
    assert not (tmp_path / ".local" / "share" / "Modelwerk").exists()  # the user's data folder was not touched

    # The tarball holds the bundle and the desktop integration (menu entry, .gguf MIME type, installer script).
    tarballs = sorted((ROOT / "dist").glob("modelwerk-*-linux-*.tar.gz"))
    assert tarballs
    with tarfile.open(tarballs[-1]) as tar:
        names = set(tar.getnames())
    assert {"modelwerk/modelwerk", "modelwerk/install.sh", "modelwerk/share/modelwerk.desktop",
            "modelwerk/share/modelwerk-gguf.xml"} <= names  # fmt: skip

    # A file on the command line (what a double-click runs) that does not exist: a one-line error, exit 2.
    bad = subprocess.run([str(exe), str(tmp_path / "missing.gguf")], env=env, capture_output=True, text=True, timeout=60)
    assert bad.returncode == 2 and "no such command or file" in bad.stderr

    # A torch-based job from the bundle: the toolchain's own Python runs quantize.worker from the bundle's src/.
    root = os.environ.get("MODELWERK_TOOLCHAIN", "").strip()
    if not root:
        if os.environ.get("CI", "").lower() in ("1", "true", "yes"):
            pytest.fail("MODELWERK_TOOLCHAIN is not set in CI: run `make test`")
        return
    from fixtures.tiny_hf import make_tiny_hf

    from quantize.toolchain import Toolchain

    hf = make_tiny_hf(Toolchain(Path(root)), tmp_path / "tiny-llama")
    job_env = {**env, "MODELWERK_HOME": str(tmp_path / "home"), "MODELWERK_TOOLCHAIN": root}
    out = tmp_path / "tiny-llama.F16.gguf"
    convert = subprocess.run([str(exe), "convert", str(hf), "--out", str(out)], cwd=tmp_path, env=job_env,
                             capture_output=True, text=True, timeout=300)  # fmt: skip
    assert convert.returncode == 0, convert.stdout + convert.stderr
    assert out.is_file() and out.read_bytes()[:4] == b"GGUF"
