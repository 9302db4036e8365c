"""The Discover page's pool calls: open a repository (with what the Library holds of it) and fit one file."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from app.hub.download_rows import dest_dir_for
from app.hub.files import FileGroup, FileKind
from app.hub.results import RepoDetails
from hardware.report import HardwareReport

if TYPE_CHECKING:
    from app.hub.client import HubClient
    from app.hub.remote_fit import FileFit
    from app.library.catalog import Catalog


def model_path(models_dir: Path, repo_id: str, group: FileGroup) -> Path:
    """Where the queue puts a group, as the Library registers it (the first GGUF file, or the folder)."""
    folder = dest_dir_for(models_dir, repo_id, group.revision)
    if group.kind is FileKind.GGUF:
        return folder / group.files[0].path
    return folder


Loaded = tuple[RepoDetails, bool, set[str]]


def load_repo(client: HubClient, repo_id: str, catalog: Catalog | None, models_dir: Path) -> Loaded:
    """Details, whether requests carry a token, and the groups the Library holds already."""
    details = client.repo(repo_id)
    have_token = client.has_token()
    held = set()
    if catalog is not None:
        for g in details.groups:
            try:
                if catalog.by_path(model_path(models_dir, details.repo_id, g)) is not None:
                    held.add(g.name)
            except Exception:  # a path the catalog cannot take is not in it
                continue
    return details, have_token, held


def fit_in_pool(client: HubClient, details: RepoDetails, group: FileGroup, hw: HardwareReport) -> FileFit:
    """A GGUF file from its header on the hub; a safetensors folder as the F16 GGUF it converts to, from config.json."""
    from app.hub.remote_fit import fit_file, fit_folder  # imports the GGUF reader (numpy): not at startup

    if group.kind is FileKind.SAFETENSORS:
        return fit_folder(client, details, group, hw)
    return fit_file(client, details.repo_id, group, hw)
