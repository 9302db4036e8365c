"""A lazy, strict GGUF header reader: metadata and tensor infos, checked against the file size before anything is allocated.

It never reads tensor data and never decodes large arrays (the vocabulary stays an ArrayInfo), so a 250 MB model's header
reads in milliseconds. Every malformed file raises ModelFileError with a one-line reason that says where it went wrong.
"""

from __future__ import annotations

import itertools
import re
import struct
from dataclasses import dataclass, field
from pathlib import Path
from typing import BinaryIO

from core.messages import Message
from formats.cache import shared_header
from formats.ggml import FILE_TYPES, GGML_TYPES, GGUFValueType
from formats.model import ArrayInfo, ModelFileError, TensorInfo

GGUF_MAGIC = b"GGUF"
SUPPORTED_VERSIONS = (2, 3)
GGML_MAX_DIMS = 4
GGML_MAX_NAME = 64
"""ggml keeps tensor names in a char[64], so a name has at most 63 bytes."""
DEFAULT_ALIGNMENT = 32
INT64_MAX = 2**63 - 1

_FIRST_CHUNK = 64 << 10  # most headers of small files fit; tensor data is never read in bulk
_MAX_CHUNK = 4 << 20
# A declared count or length past the end of the file means a truncated file, unless it is beyond anything a real GGUF
# holds: then the header is corrupt ("implausible"), whatever the file size.
_MAX_KEYS = 1 << 16
_MAX_TENSORS = 1 << 20
_MAX_STRING = 1 << 24
_MAX_TEXT = 1 << 26
_MAX_ARRAY_ITEMS = 1 << 24
_HEADER_BYTES = 24  # magic, version, tensor count, key count
_MIN_KV_BYTES = 8 + 4 + 1  # key length, value type, the smallest value (an empty key is possible)
_MIN_TENSOR_BYTES = 8 + 4 + 8 + 4 + 8  # name length, n_dims, one dimension, type, offset

_VT = GGUFValueType
_SCALARS: dict[int, tuple[str, str]] = {
    _VT.UINT8: ("uint8", "B"), _VT.INT8: ("int8", "b"), _VT.UINT16: ("uint16", "H"), _VT.INT16: ("int16", "h"),
    _VT.UINT32: ("uint32", "I"), _VT.INT32: ("int32", "i"), _VT.FLOAT32: ("float32", "f"), _VT.BOOL: ("bool", "B"),
    _VT.UINT64: ("uint64", "Q"), _VT.INT64: ("int64", "q"), _VT.FLOAT64: ("float64", "d"),
}  # fmt: skip
_STRUCTS = {vtype: struct.Struct("<" + fmt) for vtype, (_, fmt) in _SCALARS.items()}
_U32 = struct.Struct("<I")
_U64 = struct.Struct("<Q")
_GGML_TYPES = {t.id: (t.name, t.block, t.block_bytes) for t in GGML_TYPES.values()}
"""ggml type id -> (name, elements per block, bytes per block)."""
MAX_ARRAY_ITEMS = 256
"""Arrays decoded by the shared header parse: per-layer values (layers <= 256); vocabularies stay lengths."""


class HeaderTooLarge(ModelFileError):
    """The header would cost more than the reader's limits allow (one string, all strings together, or the bytes a remote
    reader may fetch): not necessarily malformed, but too large to check."""


@dataclass(frozen=True)
class HeaderLimits:
    """What reading one header may cost. The defaults are far above any real GGUF (a chat template is a few KB, a
    vocabulary is walked, not decoded); a remote read passes tighter ones (app.hub.remote_fit)."""

    max_string: int = _MAX_STRING
    """Bytes of one decoded string: a key, a string value, an item of a decoded array, a tensor name."""
    max_text: int = _MAX_TEXT
    """Bytes of all decoded strings together."""


SPLIT_NAME = re.compile(r"^(?P<stem>.+)-(?P<no>\d{5})-of-(?P<count>\d{5})\.gguf$", re.IGNORECASE)
"""NAME-00001-of-00003.gguf: llama.cpp's gguf-split naming."""


@dataclass(frozen=True)
class GGUFHeader:
    """Everything before the tensor data of one GGUF file."""

    path: Path
    version: int
    metadata: dict[str, object]
    """int, float, bool, str, tuple (arrays of at most max_array_items items) or ArrayInfo (larger arrays, not decoded)."""
    tensors: tuple[TensorInfo, ...]
    alignment: int
    data_offset: int
    """File offset of the tensor data section; TensorInfo.offset counts from here."""
    file_size: int
    array_offsets: dict[str, int] = field(default_factory=dict, repr=False, compare=False)
    """File offset of the first item of each array kept as ArrayInfo (for read_array_string)."""
    kv_encoding: dict[str, tuple[int, int]] = field(default_factory=dict, repr=False, compare=False)
    """key -> (GGUF value type, bytes of the encoded pair: key, type and value), for predicting a rewritten header."""


def _n(value: int) -> str:
    return f"{value:,}"


def _shown(name: str) -> str:
    """A key or tensor name as it may appear in a one-line message: at most 80 characters, control characters escaped."""
    name = name[:80]
    return name if name.isprintable() else name.encode("unicode_escape").decode("ascii")


class _Parser:
    """Reads little-endian GGUF values at self.pos through a bounded window, checking every length against the file size."""

    def __init__(self, f: BinaryIO, size: int, pos: int = 0, limits: HeaderLimits | None = None) -> None:
        self.f = f
        self.size = size
        self.pos = pos
        self.limits = limits or HeaderLimits()
        self.text = 0  # bytes of strings decoded so far
        self.buf = b""
        self.start = 0  # file offset of buf[0]
        self.chunk = _FIRST_CHUNK

    def truncated(self, where: str) -> ModelFileError:
        return ModelFileError(f"truncated GGUF: {where} runs past the end of the file at byte {_n(self.size)}")

    def _load(self, pos: int, n: int) -> None:
        self.f.seek(pos)
        data = self.f.read(min(max(n, self.chunk), self.size - pos))
        self.chunk = min(2 * self.chunk, _MAX_CHUNK)
        if len(data) < n:
            raise ModelFileError(Message("the file changed while it was read: byte {n} is gone", n=str(_n(pos + n))))
        self.buf, self.start = data, pos

    def take(self, n: int, where: str) -> tuple[bytes, int]:
        """(buffer, offset) holding the n bytes at self.pos; advances self.pos."""
        pos = self.pos
        if pos + n > self.size:
            raise self.truncated(where)
        off = pos - self.start
        if off < 0 or off + n > len(self.buf):
            self._load(pos, n)
            off = 0
        self.pos = pos + n
        return self.buf, off

    def u32(self, where: str) -> int:
        buf, off = self.take(4, where)
        return int(_U32.unpack_from(buf, off)[0])

    def u64(self, where: str) -> int:
        buf, off = self.take(8, where)
        return int(_U64.unpack_from(buf, off)[0])

    def string_bytes(self, where: str) -> bytes:
        length = self.u64(where)
        if length > max(self.size, _MAX_STRING):
            raise ModelFileError(
                Message("{where}: a string of {n} bytes is longer than the whole file ({n2} bytes)", where=str(where),
                        n=str(_n(length)), n2=str(_n(self.size)))
            )
        # Checked before anything is read: a declared 256 MiB string must not cost 256 MiB (times the copies on the way).
        if length > self.limits.max_string:
            raise HeaderTooLarge(Message("{where}: a string of {n} bytes, more than the {n2} read", where=str(where),
                                         n=str(_n(length)), n2=str(_n(self.limits.max_string))))
        self.text += length
        if self.text > self.limits.max_text:
            raise HeaderTooLarge(Message("{where}: the header's strings add up to more than {n} bytes", where=str(where),
                                         n=str(_n(self.limits.max_text))))
        buf, off = self.take(length, where)
        return buf[off : off + length]

    def string(self, where: str) -> str:
        return _utf8(self.string_bytes(where), where)

    def scalar(self, vtype: int, where: str) -> object:
        st = _STRUCTS[vtype]
        buf, off = self.take(st.size, where)
        value = st.unpack_from(buf, off)[0]
        return _bool(value, where) if vtype == _VT.BOOL else value

    def value(self, vtype: int, where: str, max_items: int, key: str, offsets: dict[str, int]) -> object:
        """The value of key `key` (`where` says which key it is, for messages)."""
        if vtype == _VT.STRING:
            return self.string(f"the value of {where}")
        if vtype in _SCALARS:
            return self.scalar(vtype, f"the value of {where}")
        if vtype != _VT.ARRAY:
            raise ModelFileError(Message("{where} has unknown value type {vtype}", where=str(where), vtype=str(vtype)))
        item_type = self.u32(f"the value of {where}")
        count = self.u64(f"the value of {where}")
        if item_type == _VT.ARRAY:
            raise ModelFileError(Message("{where} is an array of arrays, which GGUF readers (llama.cpp) do not support",
                                         where=str(where)))
        if item_type != _VT.STRING and item_type not in _SCALARS:
            raise ModelFileError(Message("{where} is an array of unknown value type {item_type}", where=str(where),
                                         item_type=str(item_type)))
        type_name = "string" if item_type == _VT.STRING else _SCALARS[item_type][0]
        item_size = 8 if item_type == _VT.STRING else _STRUCTS[item_type].size
        if count * item_size > self.size and count > _MAX_ARRAY_ITEMS:
            raise ModelFileError(
                Message("{where}: an array of {n} {type_name} items cannot fit in a file of {n2} bytes", where=str(where),
                        n=str(_n(count)), type_name=str(type_name), n2=str(_n(self.size)))
            )
        if item_type == _VT.STRING:
            if count > max_items:
                offsets[key] = self.pos
                self.skip_strings(count, where)
                return ArrayInfo(type_name, count)
            return tuple(self.string(f"item {i + 1} of {_n(count)} in {where}") for i in range(count))
        if count > max_items:
            if self.pos + count * item_size > self.size:
                raise self.truncated(f"the array of {where}")
            offsets[key] = self.pos
            self.pos += count * item_size
            return ArrayInfo(type_name, count)
        buf, off = self.take(count * item_size, f"the array of {where}")
        items = struct.unpack_from(f"<{count}{_SCALARS[item_type][1]}", buf, off)
        if item_type == _VT.BOOL:
            return tuple(_bool(v, f"item {i + 1} of {_n(count)} in {where}") for i, v in enumerate(items))
        return items

    def skip_strings(self, count: int, where: str) -> None:
        """Walk past `count` strings without decoding them: the vocabulary of a large model (Gemma's 262,144 tokens) in
        about 40 ms, which every quantize job pays at its start.

        The loop over a window is as tight as Python allows: no bounds check per string; a length that runs past the
        window ends it with struct.error (the next window starts there). A file that ends inside the array is walked
        again by ``_skip_strings_checked``, which says exactly where."""
        unpack = _U64.unpack_from
        pos, size, done = self.pos, self.size, 0
        while done < count and pos + 8 <= size:
            if not self.start <= pos <= self.start + len(self.buf) - 8:
                self._load(pos, 8)
            buf, base = self.buf, self.start
            off, todo, k = pos - base, count - done, 0
            try:
                for k in range(todo):  # noqa: B007 - k counts the strings skipped
                    off += 8 + unpack(buf, off)[0]
                else:
                    k = todo
            except (struct.error, OverflowError):  # string k starts past the window (or past any file)
                pass
            done += k
            pos = base + off
        if done < count or pos > size:
            self._skip_strings_checked(count, where)  # raises: the file ends inside the array
            return
        self.pos = pos

    def _skip_strings_checked(self, count: int, where: str) -> None:
        """``skip_strings`` with a check per string, for the error message of a truncated or corrupt array."""
        unpack = _U64.unpack_from
        pos, size, done = self.pos, self.size, 0
        while done < count:
            if pos + 8 > size:
                raise self.truncated(f"item {_n(done + 1)} of {_n(count)} in {where}")
            if not self.start <= pos <= self.start + len(self.buf) - 8:
                self._load(pos, 8)
            buf, base = self.buf, self.start
            off, limit = pos - base, len(buf) - 8
            start, todo, k = off, count - done, 0
            for k in range(todo):  # noqa: B007 - k counts the strings skipped; for-range is 1.7x faster than while
                if off > limit:
                    break
                start = off
                off = start + 8 + unpack(buf, start)[0]
            else:
                k = todo
            done += k
            pos = base + off
            if pos > size:  # the string that started at `start` runs past the end
                length = unpack(buf, start)[0]
                item_where = f"item {_n(done)} of {_n(count)} in {where}"
                if length > max(size, _MAX_STRING):
                    raise ModelFileError(
                        Message("{item_where}: a string of {n} bytes is longer than the whole file ({n2} bytes)",
                                item_where=str(item_where), n=str(_n(length)), n2=str(_n(size)))
                    )
                raise self.truncated(item_where)
        self.pos = pos


def read_gguf_header(path: Path, *, max_array_items: int = 1024, limits: HeaderLimits | None = None) -> GGUFHeader:
    """Read and check the header of a GGUF file (versions 2 and 3); raises only ModelFileError (HeaderTooLarge past
    `limits`)."""
    path = Path(path)
    try:
        with open(path, "rb") as f:
            size = f.seek(0, 2)
            return read_gguf_header_from(f, name=path, size=size, max_array_items=max_array_items, limits=limits)
    except ModelFileError:
        raise
    except OSError as e:
        raise ModelFileError(Message("cannot read {name}: {error}", name=path.name, error=str(e.strerror or e))) from e


def gguf_header(path: Path) -> GGUFHeader:
    """The header of a local GGUF file (arrays of up to MAX_ARRAY_ITEMS decoded), parsed once per file version per
    process and shared (formats.cache.HEADERS); raises ModelFileError."""
    return shared_header("gguf", path, _read_shared)


def _read_shared(path: Path) -> GGUFHeader:
    return read_gguf_header(path, max_array_items=MAX_ARRAY_ITEMS)


def read_gguf_header_from(f: BinaryIO, *, name: Path, size: int, max_array_items: int = 1024,
                          limits: HeaderLimits | None = None) -> GGUFHeader:  # fmt: skip
    """Read and check a GGUF header from any seekable binary file object of `size` bytes (a local file, HTTP ranges).

    `name` becomes GGUFHeader.path (used in messages). Raises ModelFileError for a malformed header or an OSError of `f`
    (HeaderTooLarge when a string, or all of them, exceed `limits`); other exceptions of `f` (e.g. a HubError of a
    remote file) pass through unchanged.
    """
    try:
        return _read(f, Path(name), size, max_array_items, limits)
    except ModelFileError:
        raise
    except OSError as e:
        raise ModelFileError(Message("cannot read {name}: {error}", name=Path(name).name, error=str(e.strerror or e))) from e


def _read(f: BinaryIO, path: Path, size: int, max_items: int, limits: HeaderLimits | None) -> GGUFHeader:
    p = _Parser(f, size, limits=limits)
    f.seek(0)
    first = f.read(4)
    if first != GGUF_MAGIC[: len(first)]:
        raise ModelFileError(Message("not a GGUF file: it starts with {first}, not b'GGUF'", first=repr(first)))
    if not first:
        raise ModelFileError(Message("not a GGUF file: it is empty"))
    p.take(4, "the header")
    version = p.u32("the header")
    if version not in SUPPORTED_VERSIONS:
        if version == 1:
            raise ModelFileError(Message("GGUF version 1 is too old for Modelwerk and llama.cpp; convert the model again"))
        swapped = int.from_bytes(version.to_bytes(4, "little"), "big")
        if swapped in SUPPORTED_VERSIONS:
            raise ModelFileError(Message("big-endian GGUF (version {swapped}) is not supported; llama.cpp reads "
                                         "little-endian files", swapped=str(swapped)))
        raise ModelFileError(Message("unsupported GGUF version {version} (Modelwerk reads versions 2 and 3)",
                                     version=_n(version)))  # fmt: skip
    n_tensors = p.u64("the header")
    n_kv = p.u64("the header")
    room = size - _HEADER_BYTES
    if n_kv > room // _MIN_KV_BYTES and n_kv > _MAX_KEYS:
        raise ModelFileError(
            Message("implausible GGUF header: {n} keys cannot fit in a file of {n2} bytes (at most {n3})", n=str(_n(n_kv)),
                    n2=str(_n(size)), n3=str(_n(room // _MIN_KV_BYTES)))
        )
    if n_tensors > (room - n_kv * _MIN_KV_BYTES) // _MIN_TENSOR_BYTES and n_tensors > _MAX_TENSORS:
        raise ModelFileError(Message("implausible GGUF header: {n} tensors cannot fit in a file of {n2} bytes",
                                     n=str(_n(n_tensors)), n2=str(_n(size))))

    metadata: dict[str, object] = {}
    offsets: dict[str, int] = {}
    encoding: dict[str, tuple[int, int]] = {}
    for k in range(n_kv):
        where = f"key {k + 1} of {n_kv}"
        start = p.pos
        raw = p.string_bytes(f"the name of {where}")
        try:
            key = raw.decode("utf-8")
        except UnicodeDecodeError:
            raise ModelFileError(Message("the name of {where} is not valid UTF-8: {raw}", where=str(where),
                                         raw=repr(raw[:40]))) from None
        where = f"{where} ({_shown(key)})"
        if key in metadata:
            raise ModelFileError(Message("{where} appears twice", where=str(where)))
        vtype = p.u32(f"the value of {where}")
        metadata[key] = p.value(vtype, where, max_items, key, offsets)
        encoding[key] = (vtype, p.pos - start)

    _check_file_type(metadata)
    alignment = _alignment(metadata)
    tensors = _tensor_infos(p, n_tensors)
    data_offset = -(-p.pos // alignment) * alignment
    if tensors and data_offset > size:
        raise p.truncated("the padding before the tensor data")
    _check_data(tensors, n_tensors, data_offset, alignment, size)
    return GGUFHeader(path, version, metadata, tuple(tensors), alignment, data_offset, size, offsets, encoding)


def _utf8(raw: bytes, where: str) -> str:
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError as e:
        raise ModelFileError(Message("{where} is not valid UTF-8 (byte {value} of {count}): {raw}", where=str(where),
                                     value=str(e.start + 1), count=str(len(raw)), raw=repr(raw[:40]))) from None


def _bool(value: int, where: str) -> bool:
    if value > 1:
        raise ModelFileError(Message("{where} is a boolean stored as {value}; GGUF booleans are 0 or 1", where=str(where),
                                     value=str(value)))
    return bool(value)


def _check_file_type(metadata: dict[str, object]) -> None:
    """general.file_type, when present, names one of llama.cpp's file types (`enum llama_ftype`)."""
    if "general.file_type" not in metadata:
        return
    value = metadata["general.file_type"]
    if not isinstance(value, int) or isinstance(value, bool) or value < 0:
        raise ModelFileError(Message("general.file_type must be an unsigned integer, not {value}", value=repr(value)))
    if value not in FILE_TYPES:
        raise ModelFileError(
            Message("general.file_type {value} is not a llama.cpp file type this Modelwerk knows (a newer or a removed one)",
                    value=str(value))
        )


def _alignment(metadata: dict[str, object]) -> int:
    value = metadata.get("general.alignment", DEFAULT_ALIGNMENT)
    if not isinstance(value, int) or isinstance(value, bool):
        raise ModelFileError(Message("general.alignment must be an unsigned integer, not {kind}",
                                     kind=type(value).__name__))
    if value <= 0 or value & (value - 1):
        raise ModelFileError(Message("general.alignment is {n}; it must be a power of two", n=str(_n(value))))
    return value


def _tensor_infos(p: _Parser, n_tensors: int) -> list[TensorInfo]:
    tensors: list[TensorInfo] = []
    names: set[str] = set()
    for t in range(n_tensors):
        where = f"tensor info {t + 1} of {n_tensors}"
        raw = p.string_bytes(where)
        name = _utf8(raw, f"the name of {where}")
        where = f"{where} ({_shown(name)})"
        what = f"tensor {t + 1} of {n_tensors} ({_shown(name)})"
        if len(raw) >= GGML_MAX_NAME:
            raise ModelFileError(Message("{what} has a name of {count} bytes; ggml allows at most {value}", what=str(what),
                                         count=str(len(raw)), value=str(GGML_MAX_NAME - 1)))
        if name in names:
            raise ModelFileError(Message("{what} appears twice", what=str(what)))
        names.add(name)
        n_dims = p.u32(where)
        if not 1 <= n_dims <= GGML_MAX_DIMS:
            raise ModelFileError(Message("{what} has {n_dims} dimensions; ggml allows 1 to {GGML_MAX_DIMS}", what=str(what),
                                         n_dims=str(n_dims), GGML_MAX_DIMS=str(GGML_MAX_DIMS)))
        shape = tuple(p.u64(where) for _ in range(n_dims))
        if 0 in shape:
            raise ModelFileError(Message("{what} has a zero dimension: shape {list}", what=str(what), list=str(list(shape))))
        n_elements = 1
        for d in shape:
            n_elements *= d
        if n_elements > INT64_MAX:
            raise ModelFileError(Message("{what} has too many elements for ggml: shape {list}", what=str(what),
                                         list=str(list(shape))))
        type_id = p.u32(where)
        if type_id not in _GGML_TYPES:
            raise ModelFileError(Message("{what} has unknown ggml type id {type_id}", what=str(what), type_id=str(type_id)))
        type_name, block, type_size = _GGML_TYPES[type_id]
        if shape[0] % block:
            raise ModelFileError(Message("{what}: rows of {n} elements do not divide into {type_name} blocks of {block}",
                                         what=str(what), n=str(_n(shape[0])), type_name=str(type_name), block=str(block)))
        offset = p.u64(where)
        tensors.append(TensorInfo(name, type_name, shape, offset, n_elements // block * type_size))
    return tensors


def _check_data(tensors: list[TensorInfo], n_tensors: int, data_offset: int, alignment: int, size: int) -> None:
    """Each tensor's data: aligned, inside the file, and not overlapping another."""
    index = {t.name: i for i, t in enumerate(tensors)}

    def what(t: TensorInfo) -> str:
        return f"tensor {index[t.name] + 1} of {n_tensors} ({_shown(t.name)})"

    for t in tensors:
        if t.offset % alignment:
            raise ModelFileError(Message("{what} starts at offset {n}, not a multiple of the alignment ({alignment})",
                                         what=str(what(t)), n=str(_n(t.offset)), alignment=str(alignment)))
        start = data_offset + t.offset
        if start >= size:
            raise ModelFileError(Message("{what} starts at byte {n}, past the end of the file ({n2} bytes)", what=str(what(t)),
                                         n=str(_n(start)), n2=str(_n(size))))
        if start + t.n_bytes > size:
            raise ModelFileError(Message("truncated GGUF: the data of {what} runs past the end of the file at byte {n}",
                                         what=str(what(t)), n=str(_n(size))))
    ordered = sorted(tensors, key=lambda t: t.offset)
    for a, b in itertools.pairwise(ordered):
        if b.offset < a.offset + a.n_bytes:
            raise ModelFileError(
                Message("{what} and {what2} overlap: the first ends at data offset {n}, the second starts at {n2}",
                        what=str(what(a)), what2=str(what(b)), n=str(_n(a.offset + a.n_bytes)), n2=str(_n(b.offset)))
            )


def read_array_string(header: GGUFHeader, key: str, index: int) -> str:
    """Item `index` of a string array, decoding only that string (the file is read up to it, nothing kept)."""
    value = header.metadata.get(key)
    if isinstance(value, tuple):
        item = value[index]
        if not isinstance(item, str):
            raise TypeError(f"{key} is not an array of strings")
        return item
    if not isinstance(value, ArrayInfo) or value.item_type != "string":
        raise TypeError(f"{key} is not an array of strings")
    if not 0 <= index < value.length:
        raise IndexError(f"{key} has {value.length} items, not {index + 1}")
    try:
        with open(header.path, "rb") as f:
            p = _Parser(f, header.file_size, header.array_offsets[key])
            where = f"key {_shown(key)}"
            p.skip_strings(index, where)
            return p.string(f"item {_n(index + 1)} of {_n(value.length)} in {where}")
    except OSError as e:
        raise ModelFileError(Message("cannot read {name}: {reason}", name=str(header.path.name),
                                     reason=str(e.strerror or e))) from e


def split_parts(path: Path) -> tuple[Path, ...]:
    """All parts of a split GGUF (NAME-00001-of-00003.gguf, any part given) in order; a normal file -> (path,)."""
    path = Path(path)
    m = SPLIT_NAME.match(path.name)
    if not m:
        return (path,)
    count, no = int(m["count"]), int(m["no"])
    if count < 1 or not 1 <= no <= count:
        raise ModelFileError(Message("{name}: part {no} of {count} is not a valid split GGUF name", name=str(path.name),
                                     no=str(no), count=str(count)))
    parts = tuple(path.with_name(f"{m['stem']}-{i:05d}-of-{count:05d}.gguf") for i in range(1, count + 1))
    for i, part in enumerate(parts, 1):
        if not part.is_file():
            raise ModelFileError(Message("split GGUF part {i} of {count} is missing: {name}", i=str(i), count=str(count),
                                         name=str(part.name)))
    return parts
