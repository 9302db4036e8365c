"""A strict safetensors header reader, and the shard index of a sharded Hugging Face model.

Only the 8-byte length and the JSON header are read, never tensor data. Every tensor's dtype, shape and data offsets are
checked against the file size, and the layout must be what the reference implementation accepts: tensors back to back,
no overlaps, no holes, nothing after the last one. Any malformed file raises ModelFileError with a one-line reason.
"""

from __future__ import annotations

import itertools
import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import BinaryIO

from formats.cache import shared_header
from formats.model import ModelFileError, TensorInfo

MAX_HEADER_BYTES = 100_000_000
"""The reference implementation's limit: a longer header is corrupt, whatever the file size."""
MAX_INDEX_BYTES = 64 << 20
INDEX_NAME = "model.safetensors.index.json"
LFS_POINTER = b"version https://git-lfs"

DTYPE_BITS = {
    "BOOL": 8, "U8": 8, "I8": 8, "F8_E5M2": 8, "F8_E4M3": 8, "F8_E8M0": 8, "I16": 16, "U16": 16, "F16": 16, "BF16": 16,
    "I32": 32, "U32": 32, "F32": 32, "I64": 64, "U64": 64, "F64": 64, "C64": 64, "F4": 4, "F6_E2M3": 6, "F6_E3M2": 6,
}  # fmt: skip
"""Bits per element of every safetensors dtype (F4 and F6 pack several elements into a byte)."""


@dataclass(frozen=True)
class SafetensorsHeader:
    """The header of one safetensors file; TensorInfo.offset is the absolute file offset of each tensor's data."""

    path: Path
    tensors: tuple[TensorInfo, ...]
    metadata: dict[str, str]
    """The `__metadata__` map (e.g. {"format": "pt"}); empty when the file has none."""
    header_bytes: int
    """N, the length of the JSON header; the data starts at 8 + N."""
    file_size: int

    @property
    def data_offset(self) -> int:
        return 8 + self.header_bytes


@dataclass(frozen=True)
class SafetensorsIndex:
    """model.safetensors.index.json: which shard holds which tensor."""

    path: Path
    shards: tuple[Path, ...]
    """The shard files, in name order; each exists."""
    weight_map: dict[str, str] = field(repr=False)
    total_size: int | None = None


class _DuplicateKey(Exception):
    pass


def _n(value: int) -> str:
    return f"{value:,}"


def _shown(text: object, limit: int = 80) -> str:
    """A name or value as it may appear in a one-line message: short, control characters escaped."""
    s = text if isinstance(text, str) else json.dumps(text)
    s = s if len(s) <= limit else s[: limit - 3] + "..."
    return s if s.isprintable() else s.encode("unicode_escape").decode("ascii")


def _object(pairs: list[tuple[str, object]]) -> dict[str, object]:
    out: dict[str, object] = {}
    for key, value in pairs:
        if key in out:
            raise _DuplicateKey(key)
        out[key] = value
    return out


def _constant(name: str) -> object:
    raise ValueError(f"{name} is not valid JSON")


def read_small_file(path: Path, limit: int, too_large: str) -> bytes:
    """The bytes of a small file (a JSON config or index) of at most ``limit`` bytes; raises ModelFileError, whose message
    ends with ``too_large`` when the file is larger."""
    try:
        size = path.stat().st_size
        if size > limit:
            raise ModelFileError(f"{path.name} is {_n(size)} bytes; {too_large}")
        return path.read_bytes()
    except OSError as e:
        raise ModelFileError(f"cannot read {path.name}: {e.strerror or e}") from e


def parse_json(raw: bytes, what: str, *, strict: bool = True) -> object:
    """JSON from bytes; any problem is a one-line ModelFileError about `what`.

    strict (for headers): no duplicate keys, no NaN/Infinity. Hand-edited or Python-written configs may have both.
    """
    try:
        text = raw.decode("utf-8-sig" if not strict else "utf-8")
    except UnicodeDecodeError as e:
        raise ModelFileError(f"{what} is not valid UTF-8 (byte {_n(e.start)})") from None
    try:
        if not strict:
            return json.loads(text)
        return json.loads(text, object_pairs_hook=_object, parse_constant=_constant)
    except json.JSONDecodeError as e:
        raise ModelFileError(f"{what} is not valid JSON: {e.msg} at line {e.lineno} column {e.colno}") from None
    except _DuplicateKey as e:
        raise ModelFileError(f"{what} has the key {_shown(str(e.args[0]))} twice") from None
    except ValueError as e:  # NaN, Infinity, an integer with too many digits
        raise ModelFileError(f"{what} is not valid JSON: {e}") from None
    except RecursionError:
        raise ModelFileError(f"{what} is nested too deeply to be valid") from None


def read_safetensors_header(path: Path, *, max_header_bytes: int = MAX_HEADER_BYTES) -> SafetensorsHeader:
    """Read and check the header of a safetensors file; raises only ModelFileError."""
    path = Path(path)
    try:
        with open(path, "rb") as f:
            size = f.seek(0, 2)
            f.seek(0)
            return _read(f, path, size, max_header_bytes)
    except ModelFileError:
        raise
    except OSError as e:
        raise ModelFileError(f"cannot read {path.name}: {e.strerror or e}") from e


def safetensors_header(path: Path) -> SafetensorsHeader:
    """The header of a safetensors file, parsed once per file version per process and shared (formats.cache.HEADERS);
    raises only ModelFileError."""
    return shared_header("safetensors", path, read_safetensors_header)


def _read(f: BinaryIO, path: Path, size: int, limit: int) -> SafetensorsHeader:
    name = _shown(path.name)
    first = f.read(len(LFS_POINTER))
    if first == LFS_POINTER:
        raise ModelFileError(f"{name} is a Git LFS pointer, not the file itself: run `git lfs pull` or download it again")
    if size < 8:
        raise ModelFileError(f"{name} is not a safetensors file: {size} bytes, too short for the 8-byte header length")
    n = int.from_bytes(first[:8], "little")
    if n > limit:
        raise ModelFileError(
            f"{name} is not a valid safetensors file: its header length {_n(n)} exceeds the limit of {_n(limit)} bytes"
        )
    if n > size - 8:
        raise ModelFileError(
            f"truncated safetensors: the header of {name} ({_n(n)} bytes) runs past the end of the file ({_n(size)} bytes)"
        )
    f.seek(8)
    raw = f.read(n)
    if len(raw) < n:
        raise ModelFileError(f"{name} changed while it was read: byte {_n(8 + n)} is gone")
    if not raw.startswith(b"{"):
        raise ModelFileError(f"{name} is not a safetensors file: its header does not start with '{{'")
    header = parse_json(raw, f"the header of {name}")
    if not isinstance(header, dict):
        raise ModelFileError(f"the header of {name} is not a JSON object")
    metadata = _metadata(name, header.pop("__metadata__", None))
    data_start, data_size = 8 + n, size - 8 - n
    tensors = [_tensor(name, key, entry, data_start, data_size) for key, entry in header.items()]
    _check_layout(name, tensors, data_start, data_size)
    return SafetensorsHeader(path, tuple(tensors), metadata, n, size)


def _metadata(name: str, value: object) -> dict[str, str]:
    if value is None:
        return {}
    if not isinstance(value, dict) or not all(isinstance(v, str) for v in value.values()):
        raise ModelFileError(f"{name}: __metadata__ must map strings to strings, not {_shown(value)}")
    return dict(value)


def _is_int(value: object) -> bool:
    return isinstance(value, int) and not isinstance(value, bool) and value >= 0


def _tensor(name: str, key: str, entry: object, data_start: int, data_size: int) -> TensorInfo:
    """One tensor entry, checked: a fast path for the valid ones (headers hold up to ~100k), then the precise diagnosis."""
    if type(entry) is dict:
        dtype, shape, offsets = entry.get("dtype"), entry.get("shape"), entry.get("data_offsets")
        bits = DTYPE_BITS.get(dtype, 0) if isinstance(dtype, str) else 0
        if bits and type(shape) is list and type(offsets) is list and len(offsets) == 2:
            begin, end = offsets
            elements = 1
            for d in shape:
                if type(d) is not int or d < 0:
                    break
                elements *= d
            else:
                valid = type(begin) is int and type(end) is int and 0 <= begin <= end <= data_size
                if valid and elements * bits == (end - begin) * 8:
                    return TensorInfo(key, str(dtype), tuple(shape), data_start + begin, end - begin)
    return _diagnose(name, key, entry, data_start, data_size)


def _diagnose(name: str, key: str, entry: object, data_start: int, data_size: int) -> TensorInfo:
    what = f"{name}: tensor {_shown(key)}"
    if not isinstance(entry, dict):
        raise ModelFileError(f"{what} is described by {_shown(entry)}, not an object")
    dtype = entry.get("dtype")
    if not isinstance(dtype, str) or dtype not in DTYPE_BITS:
        raise ModelFileError(f"{what} has an unknown dtype {_shown(json.dumps(dtype))}")
    shape = entry.get("shape")
    if not isinstance(shape, list) or not all(_is_int(d) for d in shape):
        raise ModelFileError(f"{what} has an invalid shape {_shown(shape)}; it must be a list of non-negative integers")
    offsets = entry.get("data_offsets")
    if not (isinstance(offsets, list) and len(offsets) == 2 and all(_is_int(o) for o in offsets)):
        raise ModelFileError(f"{what} has invalid data_offsets {_shown(offsets)}; they must be [begin, end]")
    begin, end = offsets
    if begin > end:
        raise ModelFileError(f"{what} has data_offsets [{_n(begin)}, {_n(end)}] that end before they begin")
    if end > data_size:
        raise ModelFileError(
            f"{what}: its data (bytes {_n(begin)} to {_n(end)} of the data) runs past the end of the file, "
            f"which holds {_n(data_size)} bytes of data"
        )
    elements = 1
    for d in shape:
        elements *= d
    bits = elements * DTYPE_BITS[dtype]
    if bits % 8:
        raise ModelFileError(f"{what}: {_n(elements)} elements of {dtype} do not fill whole bytes")
    if end - begin != bits // 8:
        raise ModelFileError(
            f"{what}: shape {_shown(shape)} of {dtype} needs {_n(bits // 8)} bytes, "
            f"but its data_offsets span {_n(end - begin)}"
        )
    return TensorInfo(key, dtype, tuple(shape), data_start + begin, bits // 8)


def _check_layout(name: str, tensors: list[TensorInfo], data_start: int, data_size: int) -> None:
    """Tensors back to back from the start of the data to the end of the file, as the reference loader requires."""
    ordered = sorted(tensors, key=lambda t: (t.offset, t.n_bytes))
    if ordered and ordered[0].offset > data_start:
        raise ModelFileError(f"{name}: {_n(ordered[0].offset - data_start)} unused bytes before the first tensor")
    for a, b in itertools.pairwise(ordered):
        a_end = a.offset + a.n_bytes
        if b.offset < a_end:
            raise ModelFileError(
                f"{name}: tensors {_shown(a.name, 60)} and {_shown(b.name, 60)} overlap "
                f"(bytes {_n(b.offset - data_start)} to {_n(min(a_end, b.offset + b.n_bytes) - data_start)} of the data)"
            )
        if b.offset > a_end:
            raise ModelFileError(
                f"{name}: {_n(b.offset - a_end)} unused bytes between tensors {_shown(a.name, 60)} and {_shown(b.name, 60)}"
            )
    end = ordered[-1].offset + ordered[-1].n_bytes - data_start if ordered else 0
    if end != data_size:
        raise ModelFileError(f"{name}: {_n(data_size - end)} bytes after the last tensor that no tensor describes")


def read_index(path: Path) -> SafetensorsIndex:
    """Read a *.safetensors.index.json and check that every shard it names exists beside it (naming a missing one)."""
    path = Path(path)
    raw = read_small_file(path, MAX_INDEX_BYTES, "an index that large is not a safetensors index")
    index = parse_json(raw, path.name)
    weight_map = index.get("weight_map") if isinstance(index, dict) else None
    if not isinstance(weight_map, dict) or not weight_map or not all(isinstance(v, str) for v in weight_map.values()):
        raise ModelFileError(f"{path.name} has no weight_map from tensor names to shard files")
    meta = index.get("metadata") if isinstance(index, dict) else None
    total = meta.get("total_size") if isinstance(meta, dict) else None
    names = sorted(set(weight_map.values()))
    for shard in names:
        if Path(shard).name != shard or shard in ("", ".", ".."):
            raise ModelFileError(f"{path.name} names a shard outside its folder: {_shown(shard)}")
    shards = tuple(path.parent / s for s in names)
    for i, shard_path in enumerate(shards, 1):
        if not shard_path.is_file():
            raise ModelFileError(f"shard {i} of {len(shards)} listed in {path.name} is missing: {shard_path.name}")
    return SafetensorsIndex(path, shards, dict(weight_map), total if _is_int(total) else None)


def check_index(index: SafetensorsIndex, headers: list[SafetensorsHeader]) -> None:
    """Every tensor the index lists is in the shard it names."""
    held = {h.path.name: {t.name for t in h.tensors} for h in headers}
    for tensor, shard in index.weight_map.items():
        if tensor not in held.get(shard, ()):
            raise ModelFileError(f"{index.path.name} puts tensor {_shown(tensor)} in {_shown(shard)}, but that shard lacks it")
