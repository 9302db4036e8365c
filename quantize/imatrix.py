"""Importance matrix files for llama.cpp quantization: the GGUF format (``llama-imatrix`` today) and the legacy ``.dat``.

llama.cpp's quantize tool reads the file itself (C++, not in the library API) and passes the library a table of
per-tensor float vectors; this module does the reading, with the same normalisation, so the worker can build that table.
"""

from __future__ import annotations

import struct
from pathlib import Path

from core.errors import said
from core.messages import Message
from quantize.errors import JobFailed


def load_imatrix(path: Path) -> dict[str, list[float]]:
    """Tensor name -> importance values, normalised as llama.cpp's quantize tool does.

    Raises:
        JobFailed: the file is missing or not an importance matrix.
    """
    try:
        with open(path, "rb") as f:
            head = f.read(4)
    except OSError as e:
        raise JobFailed(Message("cannot read the importance matrix {path}: {reason}", path=str(path),
                                reason=str(e.strerror or e))) from None
    try:
        data = _load_gguf(path) if head == b"GGUF" else _load_legacy(path)
    except (ValueError, struct.error, IndexError, KeyError) as e:
        raise JobFailed(Message("{name} is not an importance matrix file: {error}", name=str(path.name),
                                error=said(e))) from None
    if not data:
        raise JobFailed(Message("{name} has no importance matrix entries", name=str(path.name)))
    return data


def _load_legacy(path: Path) -> dict[str, list[float]]:
    """``int32 n``, then per entry ``int32 len, name, int32 ncall, int32 nval, float32[nval]`` (then optional trailer)."""
    buf = path.read_bytes()
    pos = 0

    def take() -> int:
        nonlocal pos
        (value,) = struct.unpack_from("<i", buf, pos)
        pos += 4
        return int(value)

    n_entries = take()
    if not 0 < n_entries < 1_000_000:
        raise ValueError(f"implausible entry count {n_entries}")
    out: dict[str, list[float]] = {}
    for _ in range(n_entries):
        n = take()
        if not 0 < n < 4096:
            raise ValueError("bad tensor name length")
        name = buf[pos : pos + n].decode("utf-8")
        pos += n
        ncall, nval = take(), take()
        if nval <= 0 or pos + 4 * nval > len(buf):
            raise ValueError(f"bad value count for {name}")
        values = list(struct.unpack_from(f"<{nval}f", buf, pos))
        pos += 4 * nval
        out[name] = [v / ncall for v in values] if ncall > 0 else values
    return out


def _load_gguf(path: Path) -> dict[str, list[float]]:
    """Tensors ``<name>.in_sum2`` (sums of squared activations) and ``<name>.counts`` (per expert)."""
    import gguf  # lazily: only the app's environment has the real gguf package

    reader = gguf.GGUFReader(path)  # an imatrix file has no vocabulary: reading it whole is cheap
    tensors = {t.name: t for t in reader.tensors}
    out: dict[str, list[float]] = {}
    for name, t in tensors.items():
        if not name.endswith(".in_sum2"):
            continue
        base = name[: -len(".in_sum2")]
        counts_t = tensors.get(base + ".counts")
        if counts_t is None:
            raise ValueError(f"{base} has sums but no counts")
        sums = [float(v) for v in t.data.reshape(-1)]
        counts = [float(v) for v in counts_t.data.reshape(-1)]
        per = len(sums) // max(1, len(counts))
        values: list[float] = []
        for j, count in enumerate(counts):
            chunk = sums[j * per : (j + 1) * per]
            values.extend(v / count for v in chunk) if count > 0 else values.extend([1.0] * len(chunk))  # as llama.cpp
        out[base] = values
    return out


def write_legacy_imatrix(path: Path, data: dict[str, list[float]], *, ncall: int = 1) -> Path:
    """Write ``data`` in the legacy ``.dat`` format (for tests and tools); values are stored times ``ncall``."""
    parts = [struct.pack("<i", len(data))]
    for name, values in data.items():
        raw = name.encode("utf-8")
        parts.append(struct.pack("<i", len(raw)) + raw + struct.pack("<ii", ncall, len(values)))
        parts.append(struct.pack(f"<{len(values)}f", *(v * ncall for v in values)))
    parts.append(struct.pack("<i", ncall) + struct.pack("<i", 0))  # last call, empty dataset name
    path.write_bytes(b"".join(parts))
    return path
