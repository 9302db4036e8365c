"""Where Modelwerk keeps its files: the data directory and the folders inside it.

``MODELWERK_HOME`` moves everything (database, logs, cache, default models folder) to another
place, which is how tests, portable installs and a second profile stay apart from the real one.

The data directory and every folder made inside it are private to the user (0700 on POSIX, whatever the umask): the
database, the logs and the fallback key file name the user's models, hosts and keys.
"""

from __future__ import annotations

import os
from pathlib import Path

import platformdirs

from core.errors import ModelwerkError
from core.messages import N_, Message

APP_NAME = "Modelwerk"
HOME_ENV = "MODELWERK_HOME"
DATABASE_NAME = "modelwerk.db"
DIR_MODE = 0o700


class DataDirError(ModelwerkError, OSError):
    """A Modelwerk folder could not be created; the message is one line for the user."""

    hint = N_("choose a writable folder with MODELWERK_HOME, or fix the folder's permissions")


def _ensure_dir(path: Path) -> Path:
    try:
        # mode applies to the last folder only; parents made on the way get the umask's default, as they are not ours.
        path.mkdir(mode=DIR_MODE, parents=True, exist_ok=True)
    except OSError as exc:
        reason = exc.strerror or str(exc)
        raise DataDirError(Message("Cannot create the Modelwerk folder {path}: {reason}", path=str(path),
                                   reason=str(reason))) from exc
    return path


def data_dir() -> Path:
    """Return the data directory, creating it if needed.

    Returns:
        ``$MODELWERK_HOME`` (with ``~`` expanded) when set and non-empty, else the platform's
        per-user data folder for Modelwerk.

    Raises:
        DataDirError: the folder does not exist and cannot be created.
    """
    override = os.environ.get(HOME_ENV, "").strip()
    # absolute() so a later chdir (child processes get their own working dir) cannot move it.
    path = Path(override).expanduser().absolute() if override else Path(platformdirs.user_data_dir(APP_NAME, appauthor=False))
    if not override:
        _make_private(path)
    return _ensure_dir(path)


def _make_private(path: Path) -> None:
    """Tighten the default data folder an older Modelwerk created 0755 (a MODELWERK_HOME the user chose is left as is)."""
    if os.name != "posix":
        return
    try:
        st = path.stat()
        if st.st_uid == os.getuid() and st.st_mode & 0o077:
            path.chmod(DIR_MODE)
    except OSError:
        pass  # not there yet (created 0700 next) or not ours to change


def database_path() -> Path:
    """Return the path of the SQLite database (the file itself is created by the store)."""
    return data_dir() / DATABASE_NAME


def log_dir() -> Path:
    """Return the folder for log files, creating it if needed."""
    return _ensure_dir(data_dir() / "logs")


def cache_dir() -> Path:
    """Return the folder for disposable caches, creating it if needed."""
    return _ensure_dir(data_dir() / "cache")


def default_models_dir() -> Path:
    """Return the default folder for model files.

    Not created here: it is only a default setting value, and whoever writes a model creates it
    (the user may point ``models_dir`` elsewhere before anything is downloaded).
    """
    return data_dir() / "models"


RESOURCES = Path(__file__).resolve().parents[1] / "resources"
"""Icons, the style sheet, the self-test model: beside the packages in a checkout and in a bundle alike."""


def resource_path(relative: str) -> Path:
    """A file under resources/ (it may not exist, e.g. the self-test model outside a bundle)."""
    return RESOURCES / relative
