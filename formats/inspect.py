"""The library's one entry point: any path -> ModelInfo (GGUF, safetensors, GPTQ folder, or an unsafe pickle, never loaded)."""

from __future__ import annotations

import re
from pathlib import Path

from core.messages import Message
from formats.hf_folder import WEIGHT_SUFFIXES, folder_files, inspect_hf_folder, inspect_safetensors_file
from formats.model import ModelFileError, ModelFormat, ModelInfo
from formats.safetensors import LFS_POINTER

GGUF_MAGIC = b"GGUF"
PICKLE_SUFFIXES = frozenset({".bin", ".pt", ".pth", ".ckpt", ".pkl", ".pickle"})
UNSAFE_REASON = (
    "pickle format: loading it can run arbitrary code; Modelwerk never loads it — convert it to safetensors or GGUF"
)
NOT_A_MODEL = "is not a model file Modelwerk can read (GGUF, safetensors, GPTQ folder)"
_GGUF_SPLIT = re.compile(r"-(\d{5})-of-\d{5}\.gguf$", re.IGNORECASE)


def inspect(path: Path) -> ModelInfo:
    """What the model at `path` is: a file (a split GGUF part too) or a Hugging Face folder; raises only ModelFileError."""
    path = Path(path)
    try:
        if path.is_dir():
            return _inspect_folder(path)
        if not path.exists():
            raise ModelFileError(Message("{path} does not exist", path=str(path)))
        if not path.is_file():
            raise ModelFileError(Message("{name} is not a regular file", name=str(path.name)))
        return _inspect_file(path)
    except OSError as e:
        raise ModelFileError(Message("cannot read {name}: {reason}", name=str(Path(e.filename or path).name),
                                     reason=str(e.strerror or e))) from e


def is_model_path(path: Path) -> bool:
    """Cheap check for folder scanning, by name: a model file, or a folder holding config.json and weights.

    Only the first part of a split GGUF counts (the others belong to it); so do files inside a folder for which this is
    True, which the scanner should not visit on their own. Hidden and partial (*.part) files never count.
    """
    path = Path(path)
    name = path.name
    if name.startswith("."):
        return False
    suffix = path.suffix.lower()
    if suffix == ".gguf":
        m = _GGUF_SPLIT.search(name)
        return not m or int(m[1]) == 1
    if suffix == ".safetensors" or suffix in PICKLE_SUFFIXES:
        return True
    if suffix or not path.is_dir():
        return False
    try:
        names = {p.name for p in path.iterdir()}
    except OSError:
        return False
    has_config = "config.json" in names or any(n.endswith(".safetensors.index.json") for n in names)
    return has_config and any(n.endswith(".safetensors") or n.startswith("pytorch_model") for n in names)


def unsafe_info(path: Path, files: tuple[Path, ...] | None = None) -> ModelInfo:
    """A pickle checkpoint (a file, or a folder with `files`): listed with its size and the reason, never opened."""
    files = files if files is not None else (path,)
    return ModelInfo(
        path=path,
        files=files,
        format=ModelFormat.UNSAFE,
        name=path.name if path.is_dir() else path.stem,
        size_bytes=sum(p.stat().st_size for p in files),
        unsafe_reason=UNSAFE_REASON,
        shape_note="shape unknown: Modelwerk does not open pickle files",
    )


def _inspect_file(path: Path) -> ModelInfo:
    suffix = path.suffix.lower()
    with open(path, "rb") as f:
        head = f.read(len(LFS_POINTER))
    if head == LFS_POINTER:
        raise ModelFileError(Message("{name} is a Git LFS pointer, not the file itself: run `git lfs pull` or download it "
                                     "again", name=str(path.name)))
    # Content beats the name: a .bin (or a suffix-less Ollama blob) that starts with the GGUF magic is a GGUF.
    if suffix == ".gguf" or head.startswith(GGUF_MAGIC):
        return _inspect_gguf(path)
    if suffix == ".safetensors":
        return inspect_safetensors_file(path)
    if suffix in PICKLE_SUFFIXES:
        if not head:
            raise ModelFileError(Message("{name} is empty", name=str(path.name)))
        return unsafe_info(path)
    raise ModelFileError(Message("{name} {NOT_A_MODEL}", name=str(path.name), NOT_A_MODEL=str(NOT_A_MODEL)))


def _inspect_gguf(path: Path) -> ModelInfo:
    from formats.gguf_info import inspect_gguf  # lazily: the GGUF side pulls in the gguf package

    return inspect_gguf(path)


def _inspect_folder(folder: Path) -> ModelInfo:
    entries = [p for p in folder.iterdir() if p.is_file() and not p.name.startswith(".")]
    suffixes = {p.suffix.lower() for p in entries}
    if ".safetensors" in suffixes or any(p.name.endswith(".safetensors.index.json") for p in entries):
        return inspect_hf_folder(folder)
    pickles = tuple(p for p in entries if p.suffix.lower() in PICKLE_SUFFIXES)
    if pickles:
        index = tuple(p for p in entries if p.name == "pytorch_model.bin.index.json")
        return unsafe_info(folder, folder_files(folder, pickles + index))
    ggufs = [p for p in entries if p.suffix.lower() == ".gguf" and is_model_path(p)]
    if len(ggufs) == 1:  # a folder around one GGUF model (LM Studio's publisher/model/ layout)
        return _inspect_gguf(ggufs[0])
    if ggufs:
        raise ModelFileError(Message("{name} holds {count} GGUF models, not one: import the .gguf files themselves",
                                     name=str(folder.name), count=str(len(ggufs))))
    other = sorted(p.name for p in entries if p.suffix.lower() in WEIGHT_SUFFIXES)
    found = f" (it has {', '.join(other[:3])}{', ...' if len(other) > 3 else ''})" if other else ""
    raise ModelFileError(
        Message("{name} holds no model Modelwerk can read{found}: expected config.json with *.safetensors (a Hugging Face "
                "or GPTQ folder), or a .gguf file", name=str(folder.name), found=str(found))
    )
