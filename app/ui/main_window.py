"""The main window: a sidebar of pages, the page stack, and a status bar with live resource use."""

from __future__ import annotations

import logging

from PySide6.QtCore import QByteArray, QSettings, QSize
from PySide6.QtGui import QCloseEvent
from PySide6.QtWidgets import QHBoxLayout, QListWidget, QListWidgetItem, QMainWindow, QStackedWidget, QWidget

from app import paths
from app.settings import Settings
from app.ui import icons
from app.ui.hardware_page import HardwarePage
from app.ui.usage_bar import UsageStatus
from hardware.fit import FitOptions
from hardware.report import HardwareReport

log = logging.getLogger(__name__)
DEFAULT_SIZE = QSize(1280, 860)


def ui_state() -> QSettings:
    """Window geometry and layout, kept in the data dir so MODELWERK_HOME isolates it like everything else."""
    return QSettings(str(paths.data_dir() / "ui.ini"), QSettings.Format.IniFormat)


class MainWindow(QMainWindow):
    """The sidebar lists the pages; each page is its own widget class with a `title`."""

    def __init__(self, settings: Settings, *, report: HardwareReport | None = None) -> None:
        super().__init__()
        self.setObjectName("main-window")
        self.setWindowTitle("Modelwerk")
        self.setWindowIcon(icons.icon("hardware"))
        self.sidebar = QListWidget()
        self.sidebar.setObjectName("sidebar")
        self.sidebar.setFixedWidth(188)
        self.sidebar.setIconSize(QSize(20, 20))
        self.pages = QStackedWidget()
        central = QWidget()
        layout = QHBoxLayout(central)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(0)
        layout.addWidget(self.sidebar)
        layout.addWidget(self.pages, 1)
        self.setCentralWidget(central)

        options = FitOptions(context=8192, gpu_margin=settings.gpu_margin)
        self.hardware_page = HardwarePage(report, options=options, models_dir=settings.models_dir)
        self.add_page(self.hardware_page, "hardware")
        self.sidebar.currentRowChanged.connect(self.pages.setCurrentIndex)
        self.sidebar.setCurrentRow(0)

        self.usage = UsageStatus(self.statusBar(), self)
        self.resize(DEFAULT_SIZE)
        self._restore_state()

    def add_page(self, page: QWidget, icon: str) -> None:
        """Append a page with a sidebar entry named by its `title` attribute and an `icons.icon(icon)`."""
        item = QListWidgetItem(icons.icon(icon), str(getattr(page, "title", page.objectName())))
        item.setSizeHint(QSize(160, 40))
        self.sidebar.addItem(item)
        self.pages.addWidget(page)

    def _restore_state(self) -> None:
        state = ui_state()
        geometry = state.value("window/geometry")
        if isinstance(geometry, QByteArray) and not self.restoreGeometry(geometry):
            log.debug("ignoring a saved window geometry Qt cannot use")
        window_state = state.value("window/state")
        if isinstance(window_state, QByteArray):
            self.restoreState(window_state)
        page = state.value("window/page", 0, type=int)
        if isinstance(page, int) and 0 <= page < self.sidebar.count():
            self.sidebar.setCurrentRow(page)

    def closeEvent(self, event: QCloseEvent) -> None:
        state = ui_state()
        state.setValue("window/geometry", self.saveGeometry())
        state.setValue("window/state", self.saveState())
        state.setValue("window/page", self.sidebar.currentRow())
        state.sync()
        self.usage.stop()
        super().closeEvent(event)
