"""The Quantize dialog's first choice and its "up" warning, the source model in Results, and Evaluate pressed twice
(issue 16, item 7), as a user sees them."""

from __future__ import annotations

from pathlib import Path

from fixtures.hardware_reports import desktop_24gb
from fixtures.header_models import MODELS, write_fake_gguf
from PySide6.QtCore import Qt
from pytestqt.qtbot import QtBot

from app import paths
from app.library.catalog import Catalog, CatalogEntry
from app.store import Store
from app.ui.jobs.quantize_dialog import COL_ABOUT, COL_TYPE, QuantizeDialog
from app.ui.jobs.results_chart import Metric, ResultsView
from formats.inspect import inspect
from hardware.fit import FitOptions

OPTIONS = FitOptions(context=4096)


def register(path: Path) -> CatalogEntry:
    with Store.open(paths.database_path()) as store:
        return Catalog(store).add(inspect(path), source="imported")


def _dialog(qtbot: QtBot, entry: CatalogEntry, tmp_path: Path) -> QuantizeDialog:
    dialog = QuantizeDialog(entry, hardware=desktop_24gb(), options=OPTIONS, out_dir=tmp_path / "out")
    qtbot.addWidget(dialog)
    dialog.show()
    qtbot.waitUntil(lambda: not dialog.busy() and dialog.row("Q8_0")[1] != "…", timeout=15_000)
    return dialog


def _about(dialog: QuantizeDialog, name: str) -> str:
    [item] = [i for i in dialog._items() if i.data(COL_TYPE, Qt.ItemDataRole.UserRole) == name]
    return item.text(COL_ABOUT)


def test_a_q4_k_m_model_gets_a_smaller_type_ticked_and_quantizing_up_is_flagged(qtbot: QtBot, tmp_path: Path) -> None:
    llama = next(m for m in MODELS if m.file_type == "Q4_K_M" and "8B" in m.file)
    (tmp_path / "models").mkdir()
    dialog = _dialog(qtbot, register(write_fake_gguf(llama, tmp_path / "models")), tmp_path)
    assert dialog.checked_types() == ["Q3_K_M"]  # never the model's own type
    assert _about(dialog, "Q8_0") == "⚠ up from Q4_K_M: larger, no quality gain"
    assert _about(dialog, "Q4_K_M") == "⚠ the source's own type (Q4_K_M): quantizing again only loses quality"
    assert not _about(dialog, "Q3_K_M").startswith("⚠") and not _about(dialog, "Q2_K").startswith("⚠")
    assert not dialog.up_warning.isVisible()
    dialog.set_checked(["Q8_0", "Q3_K_M"])
    assert dialog.up_warning.isVisible()
    assert dialog.up_warning.text() == ("Q8_0 is not smaller than the source (Q4_K_M): a larger or equal file that cannot "
                                        "win back what Q4_K_M lost. Pick a smaller type, or start from the F16/BF16 "
                                        "original.")  # fmt: skip
    dialog.set_checked(["Q3_K_M"])
    assert not dialog.up_warning.isVisible()


def test_an_unquantized_model_gets_q4_k_m_and_no_up_warning(qtbot: QtBot, kquant_gguf: Path, tmp_path: Path) -> None:
    dialog = _dialog(qtbot, register(kquant_gguf), tmp_path)
    assert dialog.checked_types() == ["Q4_K_M"]
    assert not any(_about(dialog, n).startswith("⚠") for n in ("Q8_0", "F16", "Q4_K_M"))
    dialog.set_checked(["Q8_0", "F16"])
    assert not dialog.up_warning.isVisible()


def test_results_show_the_source_model_as_its_own_row_and_point(qtbot: QtBot, tmp_path: Path) -> None:
    from quantize.results import ResultStore

    source = tmp_path / "kquant.gguf"
    source.write_bytes(b"x" * 4 * 1024**2)
    store = ResultStore(tmp_path / "jobs.db")
    store.add({"model": "kquant.Q8_0.gguf", "model_path": str(tmp_path / "kquant.Q8_0.gguf"), "quant_type": "Q8_0",
               "size_bytes": 2 * 1024**2, "perplexity": 9.138, "kld_mean": 0.0012, "reference": "kquant.gguf",
               "reference_path": str(source), "reference_perplexity": 9.118, "context": 512})  # fmt: skip
    view = ResultsView(tmp_path / "jobs.db")
    qtbot.addWidget(view)
    view.resize(900, 600)
    view.show()
    with qtbot.waitSignal(view.loaded, timeout=5000):
        view.reload()
    m = view.model
    rows = [[m.index(r, c).data() for c in range(4)] for r in range(m.rowCount())]
    assert rows == [["kquant.Q8_0.gguf", "Q8_0", "2 MiB", "9.138"], ["kquant.gguf", "source", "4 MiB", "9.118"]]
    assert m.index(1, 0).data(Qt.ItemDataRole.FontRole).bold()
    assert "measured against" in m.index(1, 0).data(Qt.ItemDataRole.ToolTipRole)
    assert [p[0] for p in view.chart.points()] == ["Q8_0", "source"]  # two points, not a single dot
    view.quality.setCurrentIndex(view.quality.findData(Metric.KLD))
    assert [p[0] for p in view.chart.points()] == ["Q8_0"]  # the source is the yardstick of KL divergence
