"""Typed user settings, stored as JSON values in the ``settings`` table of the store.

Only values the user changed are stored; everything else comes from the defaults here, so a
default can improve in a later version without a migration.
"""

from __future__ import annotations

import dataclasses
import json
import logging
import os
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import TypeVar
from urllib.parse import urlsplit

from app import paths
from app.store import Store
from core.errors import ModelwerkError, said
from core.messages import N_, Message
from hardware.advice import DEFAULT_USABLE_SPEED, MAX_USABLE_SPEED

_log = logging.getLogger(__name__)
_T = TypeVar("_T")

GIB = 1024**3
DEFAULT_HF_ENDPOINT = "https://huggingface.co"
HF_ENDPOINT_ENV = "HF_ENDPOINT"


class SettingsError(ModelwerkError, ValueError):
    """A setting name or value was refused; the message is one line for the user."""

    hint = N_("see `modelwerk settings` for the names and allowed values")


def default_hf_endpoint() -> str:
    """Return ``$HF_ENDPOINT`` (a mirror) when set, else the public Hugging Face address."""
    override = os.environ.get(HF_ENDPOINT_ENV, "").strip().rstrip("/")
    return override or DEFAULT_HF_ENDPOINT


@dataclass(frozen=True)
class Settings:
    """The user's settings. Build one with ``load_settings``; change one with ``save_setting``.

    Attributes:
        models_dir: folder where downloaded and quantized model files go.
        hf_endpoint: Hugging Face address (or a mirror); ``$HF_ENDPOINT`` overrides the default.
        gpu_margin: bytes of GPU memory the fit estimator leaves free for the desktop and drivers.
        threads: CPU threads for inference and quantization; 0 picks automatically.
        parallel_downloads: how many downloads run at once (1 to 8).
        parallel_jobs: how many queued jobs (quantizations, conversions, evaluations) run at once (1 to 8); the app hands
            it to the job queue, which keeps only its live state (paused) in its own file.
        import_mode: how the Library imports a dropped model: ``copy`` into the models folder, ``move`` there, or keep it
            ``in_place``; the import dialog's last choice.
        import_ask: whether a drop asks copy / move / keep (False: the user chose "don't ask again").
        usable_speed: tokens/s a model must reach to be recommended (Discover's best file, the Hardware page's advice);
            0 judges by the fit alone. The default keeps pace with reading (hardware.advice.DEFAULT_USABLE_SPEED).
        hf_token_ref: where the user's Hugging Face token is kept (app.hub.token): a reference into app.keystore, never
            the token; "" when Modelwerk keeps none (then HF_TOKEN or `hf auth login` apply).
        language: the GUI's language: ``auto`` (the system's, if Modelwerk speaks it, else English), ``en`` or ``de``;
            it applies at the next start. The command line stays English.
        workers: the machines added on the Hardware page (`modelwerk worker` there), each "HOST:PORT" or "HOST:PORT/GiB"
            with the memory it offers (its `--mem`); a model that does not fit here may spread over them.
    """

    models_dir: Path = field(default_factory=paths.default_models_dir)
    hf_endpoint: str = field(default_factory=default_hf_endpoint)
    gpu_margin: int = GIB
    threads: int = 0
    parallel_downloads: int = 2
    parallel_jobs: int = 1
    import_mode: str = "copy"
    import_ask: bool = True
    usable_speed: float = DEFAULT_USABLE_SPEED
    hf_token_ref: str = ""
    language: str = "auto"
    workers: tuple[str, ...] = ()


def _check_models_dir(value: object) -> Path:
    if isinstance(value, (str, os.PathLike)):
        text = os.fspath(value)
        if isinstance(text, str) and text.strip():
            path = Path(text).expanduser()
            if path.is_absolute():
                return path
    raise SettingsError(Message("models_dir must be an absolute folder path"))


def _check_hf_endpoint(value: object) -> str:
    if isinstance(value, str):
        text = value.strip().rstrip("/")
        try:
            parts = urlsplit(text)
        except ValueError:
            parts = None
        if parts is not None and parts.scheme in ("http", "https") and parts.hostname and not any(c.isspace() for c in text):
            return text
    raise SettingsError(Message("hf_endpoint must be an http:// or https:// address, e.g. {DEFAULT_HF_ENDPOINT}",
                                DEFAULT_HF_ENDPOINT=str(DEFAULT_HF_ENDPOINT)))


def _whole_number(value: object) -> int | None:
    # bool is an int subclass, but "threads = true" is a mistake, not 1.
    if isinstance(value, int) and not isinstance(value, bool):
        return value
    return None


def _check_gpu_margin(value: object) -> int:
    number = _whole_number(value)
    if number is None or number < 0:
        raise SettingsError(Message("gpu_margin must be a whole number of bytes, 0 or more"))
    return number


def _check_threads(value: object) -> int:
    number = _whole_number(value)
    if number is None or number < 0:
        raise SettingsError(Message("threads must be 0 (auto) or a positive whole number"))
    return number


MAX_PARALLEL_DOWNLOADS = 8
MAX_PARALLEL_JOBS = 8


def _check_from_1_to(name: str, most: int) -> Callable[[object], int]:
    def check(value: object) -> int:
        number = _whole_number(value)
        if number is None or not 1 <= number <= most:
            raise SettingsError(Message("{name} must be a whole number from 1 to {most}", name=str(name), most=str(most)))
        return number

    return check


_check_parallel_downloads = _check_from_1_to("parallel_downloads", MAX_PARALLEL_DOWNLOADS)
_check_parallel_jobs = _check_from_1_to("parallel_jobs", MAX_PARALLEL_JOBS)


# app.library.importer.ImportMode's values (a test keeps them equal; app.settings stays below the library).
IMPORT_MODES = ("copy", "move", "in_place")


def _check_import_mode(value: object) -> str:
    if isinstance(value, str) and value in IMPORT_MODES:
        return value
    raise SettingsError(Message("import_mode must be one of {choices}", choices=str(', '.join(IMPORT_MODES))))


def _check_import_ask(value: object) -> bool:
    if isinstance(value, bool):
        return value
    raise SettingsError(Message("import_ask must be true or false"))


def _check_usable_speed(value: object) -> float:
    # bool is an int subclass; NaN and infinity are not speeds.
    if isinstance(value, (int, float)) and not isinstance(value, bool) and 0 <= value <= MAX_USABLE_SPEED:
        return float(value)
    raise SettingsError(Message("usable_speed must be a number of tokens/s from 0 (judge by fit alone) to "
                                "{MAX_USABLE_SPEED}", MAX_USABLE_SPEED=format(MAX_USABLE_SPEED, 'g')))


HF_TOKEN_REF_PREFIX = "hf-token-"


def _check_hf_token_ref(value: object) -> str:
    if isinstance(value, str) and (value == "" or (value.startswith(HF_TOKEN_REF_PREFIX) and value.isascii()
                                                   and value[len(HF_TOKEN_REF_PREFIX):].isalnum())):  # fmt: skip
        return value
    raise SettingsError(Message("hf_token_ref must be empty or {HF_TOKEN_REF_PREFIX}… (set the token in Settings instead)",
                                HF_TOKEN_REF_PREFIX=str(HF_TOKEN_REF_PREFIX)))


LANGUAGES = ("auto", "en", "de")


def _check_language(value: object) -> str:
    if isinstance(value, str) and value in LANGUAGES:
        return value
    raise SettingsError(Message("language must be one of {choices}", choices=str(', '.join(LANGUAGES))))


MAX_WORKERS = 16


def parse_worker(entry: str) -> tuple[str, int, float]:
    """ "HOST:PORT" or "HOST:PORT/GiB" -> (host, port, GiB offered; 0 = what it reports).

    Raises:
        SettingsError: one line that says how to write it.
    """
    from hardware.rpc_client import parse_endpoint

    if "://" in entry:
        raise SettingsError(Message("a worker's address has no scheme: write HOST:PORT (e.g. 127.0.0.1:50052), not "
                                    "{entry}", entry=repr(entry.strip())))  # fmt: skip
    address, _, mem = entry.strip().partition("/")
    try:
        host, port = parse_endpoint(address)
    except ValueError as e:
        raise SettingsError(Message("a worker is HOST:PORT or HOST:PORT/GiB (e.g. 127.0.0.1:50052/4), not {entry}: "
                                    "{reason}", entry=repr(entry), reason=said(e))) from None  # fmt: skip
    try:
        gib = float(mem) if mem.strip() else 0.0
    except ValueError:
        gib = -1.0
    if not 0 <= gib < 1e6:
        raise SettingsError(Message("the memory of worker {address} must be a positive number of GiB, not {mem}",
                                    address=address, mem=mem))  # fmt: skip
    return host, port, gib


def _check_workers(value: object) -> tuple[str, ...]:
    if not isinstance(value, (list, tuple)) or not all(isinstance(v, str) for v in value):
        raise SettingsError(Message("workers must be a list of HOST:PORT entries"))
    if len(value) > MAX_WORKERS:
        raise SettingsError(f"at most {MAX_WORKERS} workers")
    entries = []
    for v in value:
        host, port, gib = parse_worker(v)
        endpoint = f"[{host}]:{port}" if ":" in host else f"{host}:{port}"
        entries.append(endpoint + (f"/{gib:g}" if gib else ""))
    return tuple(dict.fromkeys(entries))


_VALIDATORS: dict[str, Callable[[object], object]] = {
    "models_dir": _check_models_dir,
    "hf_endpoint": _check_hf_endpoint,
    "gpu_margin": _check_gpu_margin,
    "threads": _check_threads,
    "parallel_downloads": _check_parallel_downloads,
    "parallel_jobs": _check_parallel_jobs,
    "import_mode": _check_import_mode,
    "import_ask": _check_import_ask,
    "usable_speed": _check_usable_speed,
    "hf_token_ref": _check_hf_token_ref,
    "language": _check_language,
    "workers": _check_workers,
}

SETTING_NAMES: tuple[str, ...] = tuple(f.name for f in dataclasses.fields(Settings))
assert set(SETTING_NAMES) == set(_VALIDATORS), "every setting needs a validator"


def _validator(name: str) -> Callable[[object], object]:
    try:
        return _VALIDATORS[name]
    except KeyError:
        raise SettingsError(Message("Unknown setting {name}; known settings: {choices}", name=repr(name),
                                    choices=str(', '.join(SETTING_NAMES)))) from None


def _to_json(value: object) -> str:
    return json.dumps(str(value) if isinstance(value, Path) else value)


def load_settings(store: Store) -> Settings:
    """Read the settings from ``store``.

    A stored value that is not valid JSON or fails validation (a hand-edited database) is ignored
    with a logged warning and the default used instead. Unknown keys are ignored, so a database
    shared with a newer Modelwerk that knows more settings still loads.

    Raises:
        StoreError: the database could not be read.
    """
    stored = {str(row["key"]): str(row["value"]) for row in store.fetchall("SELECT key, value FROM settings")}
    defaults = Settings()
    return Settings(
        models_dir=_stored(stored, "models_dir", _check_models_dir, defaults.models_dir),
        hf_endpoint=_stored(stored, "hf_endpoint", _check_hf_endpoint, defaults.hf_endpoint),
        gpu_margin=_stored(stored, "gpu_margin", _check_gpu_margin, defaults.gpu_margin),
        threads=_stored(stored, "threads", _check_threads, defaults.threads),
        parallel_downloads=_stored(stored, "parallel_downloads", _check_parallel_downloads, defaults.parallel_downloads),
        parallel_jobs=_stored(stored, "parallel_jobs", _check_parallel_jobs, defaults.parallel_jobs),
        import_mode=_stored(stored, "import_mode", _check_import_mode, defaults.import_mode),
        import_ask=_stored(stored, "import_ask", _check_import_ask, defaults.import_ask),
        usable_speed=_stored(stored, "usable_speed", _check_usable_speed, defaults.usable_speed),
        hf_token_ref=_stored(stored, "hf_token_ref", _check_hf_token_ref, defaults.hf_token_ref),
        language=_stored(stored, "language", _check_language, defaults.language),
        workers=_stored(stored, "workers", _check_workers, defaults.workers),
    )


def _stored(stored: dict[str, str], name: str, check: Callable[[object], _T], default: _T) -> _T:
    if name not in stored:
        return default
    try:
        return check(json.loads(stored[name]))
    except (ValueError, RecursionError) as exc:  # JSONDecodeError and SettingsError are ValueErrors
        _log.warning("Ignoring stored setting %s = %r (%s); using the default", name, stored[name], exc)
        return default


def validate_setting(name: str, value: object) -> object:
    """The value ``save_setting`` would store for ``name``, without storing it (what a settings dialog checks before OK).

    ``models_dir`` must be absolute here (``save_setting`` makes a relative one absolute first); a path that exists must
    be a folder.

    Raises:
        SettingsError: unknown name, or a value of the wrong type or range (one line that says what is allowed).
    """
    normalized = _validator(name)(value)
    if name == "models_dir" and isinstance(normalized, Path) and normalized.exists() and not normalized.is_dir():
        raise SettingsError(Message("models_dir must be a folder, but {normalized} is a file", normalized=str(normalized)))
    return normalized


def save_setting(store: Store, name: str, value: object) -> None:
    """Validate ``value`` and store it as setting ``name``.

    Args:
        store: the open database.
        name: one of ``SETTING_NAMES``.
        value: the new value; ``models_dir`` also accepts a str, and a relative path is taken
            relative to the current directory.

    Raises:
        SettingsError: unknown name, or a value of the wrong type or range (the message says what
            is allowed).
        StoreError: the database could not be written.
    """
    _validator(name)
    if name == "models_dir" and isinstance(value, (str, os.PathLike)):
        text = os.fspath(value)
        if isinstance(text, str) and text.strip():
            value = Path(text).expanduser().absolute()
    normalized = validate_setting(name, value)
    store.execute("INSERT OR REPLACE INTO settings (key, value) VALUES (?, ?)", (name, _to_json(normalized)))


def save_settings(store: Store, values: dict[str, object]) -> None:
    """Validate every value, then store them all in one transaction: all or nothing (a settings dialog's OK).

    Raises:
        SettingsError: the first refused name or value; nothing was stored.
        StoreError: the database could not be written; nothing was stored.
    """
    for name, value in values.items():
        validate_setting(name, value)
    with store.transaction():
        for name, value in values.items():
            save_setting(store, name, value)


def reset_setting(store: Store, name: str) -> None:
    """Forget the stored value of ``name`` so its default applies again.

    Raises:
        SettingsError: unknown name.
        StoreError: the database could not be written.
    """
    _validator(name)
    store.execute("DELETE FROM settings WHERE key = ?", (name,))
