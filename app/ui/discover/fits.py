"""The fit badges of the repository open on the Discover page: one background header read per GGUF file, then the best
file; when the machine changes, every file is judged again from the headers already read (nothing is fetched)."""

from __future__ import annotations

import logging
from functools import partial
from typing import TYPE_CHECKING

from app.hub.files import FileGroup, FileKind
from app.hub.results import RepoDetails
from app.ui.common.tasks import TaskGroup
from app.ui.discover.calls import fit_in_pool
from app.ui.discover.repo_view import RepoView
from hardware.report import HardwareReport

if TYPE_CHECKING:
    from app.hub.client import HubClient
    from app.hub.remote_fit import FileFit

log = logging.getLogger(__name__)


def fit_groups(details: RepoDetails, *, headers: bool = True) -> list[FileGroup]:
    """The groups that get a fit badge: complete GGUF language models (when their headers can be read), and safetensors
    folders (judged as F16 GGUF from config.json, or from the parameter count when that cannot be read either)."""
    kinds = (FileKind.GGUF, FileKind.SAFETENSORS) if headers else (FileKind.SAFETENSORS,)
    return [g for g in details.groups if g.kind in kinds and not g.mmproj and g.complete]


class RepoFits:
    """Feeds a RepoView's fit column and best-file label; results for a repository no longer shown are dropped."""

    def __init__(self, view: RepoView, tasks: TaskGroup) -> None:
        self._view = view
        self._tasks = tasks
        self.hardware: HardwareReport | None = None
        self._gen = 0
        self._fits: list[FileFit] = []
        self._wanted = 0
        self.started = False
        self._refit_wanted = False
        self.headers = True

    def clear(self) -> None:
        """Another repository is being opened: forget this one's fits (late answers are dropped)."""
        self._gen += 1
        self._fits, self._wanted, self.started, self._refit_wanted = [], 0, False, False

    def start(self, client: HubClient | None, details: RepoDetails, *, headers: bool = True) -> None:
        """One background call per GGUF file (read its header on the hub; not without `headers`: a gated repository
        without access) and per safetensors folder (its config.json), fitting each to this machine."""
        self.headers = headers  # kept for a start that waited for the machine
        hw = self.hardware
        if client is None or hw is None or self._view.details is not details:
            return
        self.clear()
        gen, groups = self._gen, fit_groups(details, headers=headers)
        self._wanted, self.started = len(groups), True
        for g in groups:
            self._tasks.start(partial(fit_in_pool, client, details, g, hw), partial(self._on_fit_done, gen),
                              partial(self._on_fit_failed, gen, g), what=f"fit {g.name}")  # fmt: skip
        if not groups:
            self._view.set_best(None, done=True)

    def machine_changed(self) -> None:
        """Judge the files again on `hardware` (once every header is in)."""
        if len(self._fits) < self._wanted:
            self._refit_wanted = True
        elif self._fits:
            self._refit()

    def _on_fit_done(self, gen: int, fit: FileFit) -> None:
        if gen != self._gen:
            return
        self._fits.append(fit)
        self._view.set_fit(fit)
        if len(self._fits) == self._wanted:
            from app.hub.remote_fit import best_file

            self._view.set_best(best_file(self._fits), done=True)
            if self._refit_wanted:
                self._refit()

    def _on_fit_failed(self, gen: int, group: FileGroup, message: str) -> None:
        from app.hub.remote_fit import FileFit

        self._on_fit_done(gen, FileFit(group, None, None, error=message))

    def _refit(self) -> None:
        """In the pool: cheap, but fit() is not free."""
        from app.hub.remote_fit import refit

        fits, hw, gen = list(self._fits), self.hardware, self._gen
        self._refit_wanted = False
        if hw is None:
            return
        self._tasks.start(lambda: [refit(f, hw) for f in fits], lambda new: self._on_refit_done(gen, new),
                          lambda message: log.warning("refit failed: %s", message), what="refit")  # fmt: skip

    def _on_refit_done(self, gen: int, fits: list[FileFit]) -> None:
        if gen != self._gen:
            return
        from app.hub.remote_fit import best_file

        self._fits = fits
        for f in fits:
            self._view.set_fit(f)
        self._view.set_best(best_file(fits), done=True)
