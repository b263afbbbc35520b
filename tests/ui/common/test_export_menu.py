"""One export path from a plot's menu, and the status bar confirms the save."""

import numpy as np
from PySide6.QtWidgets import QMainWindow

from ui.common import plots
from ui.common.export_dialog import ExportDialog
from ui.common.plots import make_plot


def _plot(qtbot):
    widget = make_plot("Squares grow fast", "x", "x squared")
    widget.plot(np.arange(5.0), np.arange(5.0) ** 2, name="square")
    return widget


def test_the_menu_offers_our_export_only(qtbot):
    widget = _plot(qtbot)
    qtbot.addWidget(widget)
    scene_actions = [a.text() for a in widget.scene().contextMenu]
    assert not any(text.startswith("Export") for text in scene_actions)
    ours = [a.text() for a in widget.getPlotItem().getViewBox().menu.actions()]
    assert ours.count("Export plot…") == 1


def test_a_save_is_confirmed_on_the_status_bar(qtbot, tmp_path, monkeypatch):
    window = QMainWindow()
    qtbot.addWidget(window)
    widget = _plot(qtbot)
    window.setCentralWidget(widget)
    target = tmp_path / "squares.png"

    def save_at_once(dialog):
        dialog.path_edit.setText(str(target))
        dialog.width_box.setValue(400)
        return dialog.save()

    monkeypatch.setattr(ExportDialog, "exec", save_at_once)
    plots.ask_and_export(widget)
    assert target.exists()
    assert window.statusBar().currentMessage() == f"Saved {target}"


def test_a_page_relays_the_confirmation(qtbot, tmp_path, monkeypatch):
    from ui.common.lab import LabPage

    page = LabPage()
    qtbot.addWidget(page)
    widget = _plot(qtbot)
    widget.setParent(page)
    monkeypatch.setattr(ExportDialog, "exec",
                        lambda d: (d.path_edit.setText(str(tmp_path / "p.csv")), d.save()))
    with qtbot.waitSignal(page.status_message) as said:
        plots.ask_and_export(widget)
    assert said.args == [f"Saved {tmp_path / 'p.csv'}"]
