"""A repository's files as the user downloads them: quant parsed from names, split GGUFs and folder models grouped."""

from __future__ import annotations

import enum
import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import PurePosixPath

from core.messages import Message, Text
from quantize.remote_code import is_code_file

__all__ = ["FileGroup", "FileKind", "GPTQVariant", "HubFile", "group_files", "parse_quant", "split_part"]


FOLDER_AS = "F16"
"""What a safetensors folder model is judged as before download: the GGUF llama.cpp's converter makes of it (BF16 is the
same size)."""


class FileKind(enum.Enum):
    GGUF = "gguf"
    SAFETENSORS = "safetensors"
    GPTQ = "gptq"
    OTHER = "other"


@dataclass(frozen=True)
class HubFile:
    """One file of a repository revision."""

    path: str
    size: int
    sha256: str | None = None
    """The LFS oid (sha256 of the content); None for small files stored in git."""

    @property
    def name(self) -> str:
        return PurePosixPath(self.path).name


@dataclass(frozen=True)
class GPTQVariant:
    """One GPTQ quantization of a repository: the main branch's config or a branch like gptq-4bit-32g-actorder_True."""

    bits: int
    group_size: int
    desc_act: bool
    revision: str = "main"

    @property
    def label(self) -> str:
        """"GPTQ 4-bit g128" (g-1 = no grouping), "+act-order" when desc_act is set."""
        group = "no group" if self.group_size <= 0 else f"g{self.group_size}"
        return f"GPTQ {self.bits}-bit {group}" + (" act-order" if self.desc_act else "")


@dataclass(frozen=True)
class FileGroup:
    """What the user downloads as one model: a GGUF file, all parts of a split GGUF, or a folder model's files."""

    name: str
    kind: FileKind
    quant: str
    """"Q4_K_M", "IQ3_XS", "BF16", "GPTQ 4-bit g128"; "" when the name does not say."""
    files: tuple[HubFile, ...]
    revision: str = "main"
    note: str = ""
    """Why the group may not be usable, e.g. "part 2 of 3 is missing"; "" when complete."""
    mmproj: bool = field(default=False)
    """A multimodal projector (vision tower), not a language model on its own."""
    code: tuple[str, ...] = ()
    """The repository's Python files this group leaves out (``tokenization_qwen.py``): Modelwerk never downloads code."""

    def __post_init__(self) -> None:
        # Whatever built the group (a listing, a cached result, an old saved download): code files are never among its files.
        kept = tuple(f for f in self.files if not is_code_file(f.path))
        if len(kept) != len(self.files):
            dropped = tuple(f.path for f in self.files if is_code_file(f.path))
            object.__setattr__(self, "files", kept)
            object.__setattr__(self, "code", tuple(sorted({*self.code, *dropped})))

    @property
    def size(self) -> int:
        return sum(f.size for f in self.files)

    @property
    def complete(self) -> bool:
        return not self.note

    @property
    def label(self) -> Text:
        """``name`` as a message where it has words in it ("(3 parts)", "model (GPTQ 4-bit g128)"), for the GUI to
        translate; ``name`` itself otherwise."""
        said: Message | None = None
        sp = split_part(self.files[0].path) if self.kind is FileKind.GGUF and self.files else None
        if sp is not None:
            said = Message.plural("{base} (%n part)", "{base} (%n parts)", sp[2], base=PurePosixPath(sp[0]).name)
        elif self.kind is not FileKind.GGUF and self.name.startswith("model (") and self.name.endswith(")"):
            said = Message("model ({label})", label=self.name[len("model (") : -1])
        return said if said is not None and str(said) == self.name else self.name

    @property
    def note_text(self) -> Text:
        """``note`` as a message where it is a split set's (for the GUI to translate); ``note`` itself otherwise."""
        sp = split_part(self.files[0].path) if self.note and self.kind is FileKind.GGUF and self.files else None
        if sp is None:
            return self.note
        have = {p[1] for f in self.files if (p := split_part(f.path)) is not None}
        said = _missing_note([i for i in range(1, sp[2] + 1) if i not in have], sp[2])
        return said if str(said) == self.note else self.note

    @property
    def first(self) -> HubFile:
        return self.files[0]


# Longest alternatives first: the regex engine takes the first that matches, and Q4_K must not win over Q4_K_M.
_QUANT_CORE = (
    r"IQ[1-4]_(?:XXS|XS|NL|S|M|L)"
    r"|Q[2-8]_K(?:_(?:XXL|XL|XS|S|M|L))?"
    r"|Q4_0_[48]_[48]"
    r"|Q[4-8]_[01]"
    r"|TQ[12]_0"
    r"|MXFP4(?:_MOE)?"
    r"|BF16|FP16|FP32|F16|F32"
)
_QUANT = re.compile(rf"(?<![A-Za-z0-9])(?P<ud>UD-)?(?P<q>{_QUANT_CORE})(?![A-Za-z0-9])", re.IGNORECASE)
_SPLIT = re.compile(r"^(?P<stem>.+)-(?P<no>\d{5})-of-(?P<count>\d{5})\.gguf$", re.IGNORECASE)
_ALIASES = {"FP16": "F16", "FP32": "F32"}


def parse_quant(filename: str) -> str:
    """The quantization type a file name (or its folder) states: "model-q4_k_m.gguf" -> "Q4_K_M"; "" when none.

    The last match in the file name wins (the quant is conventionally the final tag, after the model name); folder names
    ("Q4_K_M/model-00001-of-00002.gguf") are consulted from the deepest when the file name says nothing. Never raises.
    """
    parts = PurePosixPath(str(filename).replace("\\", "/")).parts
    for part in reversed(parts):
        matches = list(_QUANT.finditer(part))
        if matches:
            m = matches[-1]
            q = m["q"].upper()
            q = _ALIASES.get(q, q)
            return f"UD-{q}" if m["ud"] else q
    return ""


def split_part(path: str) -> tuple[str, int, int] | None:
    """("dir/NAME", part number, part count) for llama.cpp's NAME-00001-of-00003.gguf naming; None for a normal file."""
    p = PurePosixPath(path)
    m = _SPLIT.match(p.name)
    if m is None:
        return None
    stem = str(p.parent / m["stem"]) if str(p.parent) != "." else m["stem"]
    return stem, int(m["no"]), int(m["count"])


# Files a transformers-style folder model needs besides its weights; anything else at the root (README, images,
# .gitattributes, training notes) is left behind, and so are sub-folders (Meta's "original/" checkpoints). Python files
# (a repository's own tokenizer or model code) are never downloaded: converting a folder must not run its author's code.
_FOLDER_EXTRA = re.compile(
    r"^(?:.*\.json|tokenizer.*|.*\.model|.*\.tiktoken|merges\.txt|vocab\.txt|.*\.jinja)$", re.IGNORECASE
)
_WEIGHTS = re.compile(r"\.safetensors$", re.IGNORECASE)


def find_quant(groups: Sequence[FileGroup], quant: str) -> FileGroup | None:
    """The group of quantization ``quant`` (a GGUF file before a folder model; vision projectors left out), or None."""
    matches = [g for g in groups if g.quant.upper() == quant.upper() and not g.mmproj]
    matches.sort(key=lambda g: g.kind is not FileKind.GGUF)
    return matches[0] if matches else None


def _is_gguf(path: str) -> bool:
    return path.lower().endswith(".gguf")


def _is_mmproj(path: str) -> bool:
    return "mmproj" in PurePosixPath(path).name.lower()


def group_files(
    files: Sequence[HubFile], *, revision: str = "main", gptq: GPTQVariant | None = None
) -> list[FileGroup]:
    """Group a repository's files into downloadable models: language-model GGUFs (smallest first), mmproj files, folder model.

    Args:
        files: every file of the revision.
        revision: the branch or commit the files belong to.
        gptq: the revision's GPTQ configuration when known; makes the folder model a GPTQ group with that label.
    """
    singles: list[FileGroup] = []
    splits: dict[tuple[str, int], dict[int, HubFile]] = {}
    for f in files:
        if not _is_gguf(f.path):
            continue
        sp = split_part(f.path)
        if sp is None:
            singles.append(_gguf_group([f], name=f.name, revision=revision))
        else:
            stem, no, count = sp
            splits.setdefault((stem, count), {})[no] = f
    for (stem, count), by_no in splits.items():
        ordered = [by_no[i] for i in sorted(by_no)]
        base = PurePosixPath(stem).name
        missing = [i for i in range(1, count + 1) if i not in by_no]
        note = str(_missing_note(missing, count)) if missing else ""
        name = f"{base} ({count} parts)"
        singles.append(_gguf_group(ordered, name=name, revision=revision, note=note))
    models = sorted((g for g in singles if not g.mmproj), key=lambda g: (g.size, g.name))
    projectors = sorted((g for g in singles if g.mmproj), key=lambda g: (g.size, g.name))
    groups = models + projectors
    folder = _folder_group(files, revision=revision, gptq=gptq)
    if folder is not None:
        groups.append(folder)
    return groups


def _missing_note(missing: Sequence[int], count: int) -> Message:
    """The note of a split set with parts ``missing`` of ``count``."""
    listed = ", ".join(str(i) for i in missing[:5]) + ("..." if len(missing) > 5 else "")
    if len(missing) > 1:
        return Message("incomplete split set: parts {listed} of {count} missing on the hub", listed=listed, count=str(count))
    return Message("incomplete split set: part {listed} of {count} missing on the hub", listed=listed, count=str(count))


def _gguf_group(files: list[HubFile], *, name: str, revision: str, note: str = "") -> FileGroup:
    first = files[0].path
    return FileGroup(
        name=name,
        kind=FileKind.GGUF,
        quant=parse_quant(first),
        files=tuple(files),
        revision=revision,
        note=note,
        mmproj=_is_mmproj(first),
    )


def _folder_group(files: Sequence[HubFile], *, revision: str, gptq: GPTQVariant | None) -> FileGroup | None:
    root = [f for f in files if "/" not in f.path.strip("/")]
    weights = [f for f in root if _WEIGHTS.search(f.path)]
    if not weights:
        return None
    extras = [f for f in root if _FOLDER_EXTRA.match(f.path) and not _WEIGHTS.search(f.path) and not is_code_file(f.path)]
    code = tuple(sorted(f.path for f in files if is_code_file(f.path)))
    names = {f.path.lower() for f in root}
    looks_gptq = gptq is not None or "quantize_config.json" in names or any("gptq" in f.path.lower() for f in weights)
    if looks_gptq:
        kind, quant = FileKind.GPTQ, gptq.label if gptq is not None else "GPTQ"
    else:
        kind, quant = FileKind.SAFETENSORS, ""
    label = quant if kind is FileKind.GPTQ else "safetensors"
    ordered = sorted(extras, key=lambda f: f.path) + sorted(weights, key=lambda f: f.path)
    return FileGroup(name=f"model ({label})", kind=kind, quant=quant, files=tuple(ordered), revision=revision, code=code)
