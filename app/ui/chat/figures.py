"""The tools' figures as the transcript shows them: read and decoded in the pool, kept, drawn under the steps.

A figure's PNG is read and decoded off the GUI thread (a 4096 x 4096 PNG takes far longer than a frame), scaled to
the view's width there, and kept by name; until then the transcript says "figure loading…", and a figure whose file is
gone (or is no longer an image) says "figure missing". The images reach the document through ``addResource`` under a
name of the view's own scheme with a per-view secret: the model's text makes no image tags (app.markdown), and even
one that slipped through could not name these.
"""

from __future__ import annotations

import logging
from pathlib import Path

from PySide6.QtCore import QObject, Qt, Signal
from PySide6.QtGui import QImage

from app.chat.figures import MAX_BYTES, figure_file, figures_dir, png_size
from app.ui.common.tasks import TaskGroup

__all__ = ["SHOWN_WIDTH", "FigureImages", "decode"]

log = logging.getLogger(__name__)

SHOWN_WIDTH = 560
"""Pixels: a figure wider than this is scaled down to it (matplotlib's default 640 x 480 becomes 560 x 420)."""


def decode(name: str, folder: Path | None = None) -> QImage | None:
    """The stored figure ``name`` as an image at most ``SHOWN_WIDTH`` wide; None when it is missing or no image.

    Runs in the pool (it reads and decodes a file); checks the file again, as the data folder may have changed."""
    path = figure_file(name, folder or figures_dir())
    if path is None:
        return None
    try:
        with path.open("rb") as f:
            data = f.read(MAX_BYTES + 1)
        png_size(data)
    except (OSError, ValueError) as e:
        log.info("figure %s not shown: %s", name, e)
        return None
    image = QImage.fromData(data)  # the format from the bytes: a PNG, checked above
    if image.isNull():
        return None
    if image.width() > SHOWN_WIDTH:
        image = image.scaledToWidth(SHOWN_WIDTH, Qt.TransformationMode.SmoothTransformation)
    return image


class FigureImages(QObject):
    """Figures by name, decoded on demand in the pool. ``loaded()`` when one (or more) became available.

    ``image(name)``: the image, or None while it is being read (it is requested then) and for a missing one
    (``missing(name)`` tells which).
    """

    loaded = Signal()

    def __init__(self, parent: QObject | None = None, *, folder: Path | None = None) -> None:
        super().__init__(parent)
        self.folder = folder
        self.tasks = TaskGroup(self)
        self._images: dict[str, QImage | None] = {}
        self._asked: set[str] = set()

    def image(self, name: str) -> QImage | None:
        if name in self._images:
            return self._images[name]
        if name not in self._asked:
            self._asked.add(name)
            folder = self.folder
            self.tasks.start(lambda: decode(name, folder), lambda image: self._on_decoded(name, image),
                             lambda _message: self._on_decoded(name, None),
                             what=f"reading the figure {name[:12]}")  # fmt: skip
        return None

    def missing(self, name: str) -> bool:
        """Read, and found missing or not an image."""
        return name in self._images and self._images[name] is None

    def _on_decoded(self, name: str, image: QImage | None) -> None:
        self._images[name] = image
        self._asked.discard(name)
        self.loaded.emit()

    def close(self) -> None:
        self.tasks.close()
