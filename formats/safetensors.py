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

from core.errors import said
from core.messages import Message
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
            raise ModelFileError(Message("{name} is {n} bytes; {too_large}", name=str(path.name), n=str(_n(size)),
                                         too_large=str(too_large)))
        return path.read_bytes()
    except OSError as e:
        raise ModelFileError(Message("cannot read {name}: {reason}", name=str(path.name), reason=str(e.strerror or e))) from e


def parse_json(raw: bytes, what: str, *, strict: bool = True) -> object:
    """JSON from bytes; any problem is a one-line ModelFileError about `what`.

    strict (for headers): no duplicate keys, no NaN/Infinity. Hand-edited or Python-written configs may have both.
    """
    try:
        text = raw.decode("utf-8-sig" if not strict else "utf-8")
    except UnicodeDecodeError as e:
        raise ModelFileError(Message("{what} is not valid UTF-8 (byte {n})", what=str(what), n=str(_n(e.start)))) from None
    try:
        if not strict:
            return json.loads(text)
        return json.loads(text, object_pairs_hook=_object, parse_constant=_constant)
    except json.JSONDecodeError as e:
        raise ModelFileError(Message("{what} is not valid JSON: {msg} at line {lineno} column {colno}", what=str(what),
                                     msg=str(e.msg), lineno=str(e.lineno), colno=str(e.colno))) from None
    except _DuplicateKey as e:
        raise ModelFileError(Message("{what} has the key {shown} twice", what=str(what),
                                     shown=str(_shown(str(e.args[0]))))) from None
    except ValueError as e:  # NaN, Infinity, an integer with too many digits
        raise ModelFileError(Message("{what} is not valid JSON: {error}", what=str(what), error=said(e))) from None
    except RecursionError:
        raise ModelFileError(Message("{what} is nested too deeply to be valid", what=str(what))) from None


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
        raise ModelFileError(Message("cannot read {name}: {reason}", name=str(path.name), reason=str(e.strerror or e))) from e


def safetensors_header(path: Path) -> SafetensorsHeader:
    """The header of a safetensors file, parsed once per file version per process and shared (formats.cache.HEADERS);
    raises only ModelFileError."""
    return shared_header("safetensors", path, read_safetensors_header)


def _read(f: BinaryIO, path: Path, size: int, limit: int) -> SafetensorsHeader:
    name = _shown(path.name)
    first = f.read(len(LFS_POINTER))
    if first == LFS_POINTER:
        raise ModelFileError(Message("{name} is a Git LFS pointer, not the file itself: run `git lfs pull` or download it "
                                     "again", name=str(name)))
    if size < 8:
        raise ModelFileError(Message("{name} is not a safetensors file: {size} bytes, too short for the 8-byte header "
                                     "length", name=str(name), size=str(size)))
    n = int.from_bytes(first[:8], "little")
    if n > limit:
        raise ModelFileError(
            Message("{name} is not a valid safetensors file: its header length {n} exceeds the limit of {n2} bytes",
                    name=str(name), n=str(_n(n)), n2=str(_n(limit)))
        )
    if n > size - 8:
        raise ModelFileError(
            Message("truncated safetensors: the header of {name} ({n} bytes) runs past the end of the file ({n2} bytes)",
                    name=str(name), n=str(_n(n)), n2=str(_n(size)))
        )
    f.seek(8)
    raw = f.read(n)
    if len(raw) < n:
        raise ModelFileError(Message("{name} changed while it was read: byte {n} is gone", name=str(name), n=str(_n(8 + n))))
    if not raw.startswith(b"{"):
        raise ModelFileError(Message("{name} is not a safetensors file: its header does not start with '{'", name=str(name)))
    header = parse_json(raw, f"the header of {name}")
    if not isinstance(header, dict):
        raise ModelFileError(Message("the header of {name} is not a JSON object", name=str(name)))
    metadata = _metadata(name, header.pop("__metadata__", None))
    data_start, data_size = 8 + n, size - 8 - n
    tensors = [_tensor(name, key, entry, data_start, data_size) for key, entry in header.items()]
    _check_layout(name, tensors, data_start, data_size)
    return SafetensorsHeader(path, tuple(tensors), metadata, n, size)


def _metadata(name: str, value: object) -> dict[str, str]:
    if value is None:
        return {}
    if not isinstance(value, dict) or not all(isinstance(v, str) for v in value.values()):
        raise ModelFileError(Message("{name}: __metadata__ must map strings to strings, not {shown}", name=str(name),
                                     shown=str(_shown(value))))
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
        raise ModelFileError(Message("{what} is described by {shown}, not an object", what=str(what),
                                     shown=str(_shown(entry))))
    dtype = entry.get("dtype")
    if not isinstance(dtype, str) or dtype not in DTYPE_BITS:
        raise ModelFileError(Message("{what} has an unknown dtype {shown}", what=str(what),
                                     shown=str(_shown(json.dumps(dtype)))))
    shape = entry.get("shape")
    if not isinstance(shape, list) or not all(_is_int(d) for d in shape):
        raise ModelFileError(Message("{what} has an invalid shape {shown}; it must be a list of non-negative integers",
                                     what=str(what), shown=str(_shown(shape))))
    offsets = entry.get("data_offsets")
    if not (isinstance(offsets, list) and len(offsets) == 2 and all(_is_int(o) for o in offsets)):
        raise ModelFileError(Message("{what} has invalid data_offsets {shown}; they must be [begin, end]", what=str(what),
                                     shown=str(_shown(offsets))))
    begin, end = offsets
    if begin > end:
        raise ModelFileError(Message("{what} has data_offsets [{n}, {n2}] that end before they begin", what=str(what),
                                     n=str(_n(begin)), n2=str(_n(end))))
    if end > data_size:
        raise ModelFileError(
            Message("{what}: its data (bytes {n} to {n2} of the data) runs past the end of the file, which holds {n3} "
                    "bytes of data", what=str(what), n=str(_n(begin)), n2=str(_n(end)), n3=str(_n(data_size)))
        )
    elements = 1
    for d in shape:
        elements *= d
    bits = elements * DTYPE_BITS[dtype]
    if bits % 8:
        raise ModelFileError(Message("{what}: {n} elements of {dtype} do not fill whole bytes", what=str(what),
                                     n=str(_n(elements)), dtype=str(dtype)))
    if end - begin != bits // 8:
        raise ModelFileError(
            Message("{what}: shape {shown} of {dtype} needs {n} bytes, but its data_offsets span {n2}", what=str(what),
                    shown=str(_shown(shape)), dtype=str(dtype), n=str(_n(bits // 8)), n2=str(_n(end - begin)))
        )
    return TensorInfo(key, dtype, tuple(shape), data_start + begin, bits // 8)


def _check_layout(name: str, tensors: list[TensorInfo], data_start: int, data_size: int) -> None:
    """Tensors back to back from the start of the data to the end of the file, as the reference loader requires."""
    ordered = sorted(tensors, key=lambda t: (t.offset, t.n_bytes))
    if ordered and ordered[0].offset > data_start:
        raise ModelFileError(Message("{name}: {n} unused bytes before the first tensor", name=str(name),
                                     n=str(_n(ordered[0].offset - data_start))))
    for a, b in itertools.pairwise(ordered):
        a_end = a.offset + a.n_bytes
        if b.offset < a_end:
            raise ModelFileError(
                Message("{name}: tensors {shown} and {shown2} overlap (bytes {n} to {n2} of the data)", name=str(name),
                        shown=str(_shown(a.name, 60)), shown2=str(_shown(b.name, 60)), n=str(_n(b.offset - data_start)),
                        n2=str(_n(min(a_end, b.offset + b.n_bytes) - data_start)))
            )
        if b.offset > a_end:
            raise ModelFileError(
                Message("{name}: {n} unused bytes between tensors {shown} and {shown2}", name=str(name),
                        n=str(_n(b.offset - a_end)), shown=str(_shown(a.name, 60)), shown2=str(_shown(b.name, 60)))
            )
    end = ordered[-1].offset + ordered[-1].n_bytes - data_start if ordered else 0
    if end != data_size:
        raise ModelFileError(Message("{name}: {n} bytes after the last tensor that no tensor describes", name=str(name),
                                     n=str(_n(data_size - end))))


def read_index(path: Path) -> SafetensorsIndex:
    """Read a *.safetensors.index.json and check that every shard it names exists beside it (naming a missing one)."""
    path = Path(path)
    raw = read_small_file(path, MAX_INDEX_BYTES, "an index that large is not a safetensors index")
    index = parse_json(raw, path.name)
    weight_map = index.get("weight_map") if isinstance(index, dict) else None
    if not isinstance(weight_map, dict) or not weight_map or not all(isinstance(v, str) for v in weight_map.values()):
        raise ModelFileError(Message("{name} has no weight_map from tensor names to shard files", name=str(path.name)))
    meta = index.get("metadata") if isinstance(index, dict) else None
    total = meta.get("total_size") if isinstance(meta, dict) else None
    names = sorted(set(weight_map.values()))
    for shard in names:
        if Path(shard).name != shard or shard in ("", ".", ".."):
            raise ModelFileError(Message("{name} names a shard outside its folder: {shown}", name=str(path.name),
                                         shown=str(_shown(shard))))
    shards = tuple(path.parent / s for s in names)
    for i, shard_path in enumerate(shards, 1):
        if not shard_path.is_file():
            raise ModelFileError(Message("shard {i} of {count} listed in {name} is missing: {name2}", i=str(i),
                                         count=str(len(shards)), name=str(path.name), name2=str(shard_path.name)))
    return SafetensorsIndex(path, shards, dict(weight_map), total if _is_int(total) else None)


def check_index(index: SafetensorsIndex, headers: list[SafetensorsHeader]) -> None:
    """Every tensor the index lists is in the shard it names."""
    held = {h.path.name: {t.name for t in h.tensors} for h in headers}
    for tensor, shard in index.weight_map.items():
        if tensor not in held.get(shard, ()):
            raise ModelFileError(Message("{name} puts tensor {shown} in {shown2}, but that shard lacks it",
                                         name=str(index.path.name), shown=str(_shown(tensor)), shown2=str(_shown(shard))))
