"""Open CSV file… on the Batch page: the file dialog, the preview dialog, training on the file."""

from __future__ import annotations

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QFileDialog

from explorer.training.edits import edit_training
from explorer.training.scene import BatchScene
from ui.batch.controls import OPEN_CSV
from ui.batch.csv_dialog import PREVIEW_ROWS, CsvDialog
from ui.batch.panel import BatchPanel

QUICK = BatchScene().with_changes(epochs=3, batch_size=30)


def write_blobs(path, n=120):
    lines = ["x,y,colour"]
    for i in range(n):
        sign = 1 if i % 2 else -1
        lines.append(f"{sign * 2 + 0.01 * (i % 7):.3f},{sign * 2 - 0.02 * (i % 5):.3f},"
                     f"{'red' if i % 2 else 'blue'}")
    path.write_text("\n".join(lines) + "\n")
    return path


@pytest.fixture
def panel(qtbot):
    page = BatchPanel()
    qtbot.addWidget(page)
    page.show_scene(QUICK)
    yield page
    page.shutdown()


def _choose_file(monkeypatch, panel, path):
    """Pick "Open CSV file…" in the data set combo, the file dialog answering ``path``."""
    monkeypatch.setattr(QFileDialog, "getOpenFileName",
                        staticmethod(lambda *args, **kwargs: (str(path), "CSV files")))
    combo = panel.controls.dataset
    combo.setCurrentIndex(combo.findData(OPEN_CSV))
    dialog = panel.controls.csv_dialog
    assert dialog is not None and dialog.isVisible()
    return dialog


def test_the_dialog_shows_a_preview_and_the_class_counts(qtbot, tmp_path):
    dialog = CsvDialog(str(write_blobs(tmp_path / "blobs.csv")))
    qtbot.addWidget(dialog)
    assert dialog.preview.rowCount() == PREVIEW_ROWS and dialog.preview.columnCount() == 3
    assert dialog.preview.horizontalHeaderItem(2).text() == "colour"
    assert dialog.preview.item(0, 2).text() == "blue"
    assert dialog.label() == "colour"  # the last column by default
    assert "blue: 60, red: 60" in dialog.counts.text() and "2 features" in dialog.counts.text()
    assert dialog.ok_button().isEnabled() and dialog.error_text() == ""
    dialog.label_box.setCurrentText("x")  # then the text column 'colour' is a feature
    assert not dialog.ok_button().isEnabled() and dialog.counts.text() == ""
    assert "line 2, column 3 ('colour'): 'blue' is not a number" in dialog.error_text()
    dialog.label_box.setCurrentText("colour")
    assert dialog.ok_button().isEnabled() and dialog.error_text() == ""


def test_ok_makes_the_file_the_data_set_and_it_trains(qtbot, monkeypatch, panel, tmp_path):
    path = write_blobs(tmp_path / "blobs.csv")
    dialog = _choose_file(monkeypatch, panel, path)
    qtbot.mouseClick(dialog.ok_button(), Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: panel.controls.csv_dialog is None)
    config = panel.batch_scene().config
    assert config.dataset == f"csv:{path}" and config.label == "colour"
    assert "blobs.csv" in panel.controls.dataset.currentText()
    assert panel.batch_scene().is_two_d() and panel.regions.plot.isVisibleTo(panel)
    qtbot.mouseClick(panel.train_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: not panel.busy and panel.live_run is None, timeout=30_000)
    assert "validation accuracy 100.0 %" in panel.status.text()
    assert panel.regions.has_regions()
    saved = panel.scene()
    assert saved["config"]["label"] == "colour" and len(saved["csv_hash"]) == 12
    panel.controls.dataset.setCurrentIndex(panel.controls.dataset.findData("iris"))
    assert panel.batch_scene().config.dataset == "iris" and panel.batch_scene().config.label is None


def test_a_bad_file_shows_its_message_and_keeps_the_data_set(qtbot, monkeypatch, panel,
                                                              tmp_path):
    path = tmp_path / "bad.csv"
    path.write_text("a,b,y\n1,2,p\n3,four,q\n")
    dialog = _choose_file(monkeypatch, panel, path)
    assert "line 3, column 2 ('b')" in dialog.error_text()
    assert not dialog.ok_button().isEnabled()
    qtbot.mouseClick(dialog.buttons.button(dialog.buttons.StandardButton.Cancel),
                     Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: panel.controls.csv_dialog is None)
    assert panel.batch_scene().config.dataset == "iris"
    assert panel.controls.dataset.currentData() == "iris"


def test_cancelling_the_file_dialog_changes_nothing(qtbot, monkeypatch, panel):
    monkeypatch.setattr(QFileDialog, "getOpenFileName",
                        staticmethod(lambda *args, **kwargs: ("", "")))
    combo = panel.controls.dataset
    combo.setCurrentIndex(combo.findData(OPEN_CSV))
    assert panel.controls.csv_dialog is None and combo.currentData() == "iris"
    assert panel.batch_scene() == QUICK


def test_a_scene_on_a_changed_csv_opens_and_says_so(qtbot, panel, tmp_path):
    path = write_blobs(tmp_path / "blobs.csv")
    scene = edit_training(QUICK, dataset=f"csv:{path}", label="colour")
    panel.show_scene(scene)
    saved = panel.scene()
    with open(path, "a") as f:
        f.write("2.5,2.5,red\n")
    panel.set_scene(saved)
    assert "changed since the scene was saved" in panel.status.text()
    assert panel.controls.dataset.currentData() == f"csv:{path}"
    assert panel.controls.dataset.currentText() == "blobs.csv (label: colour)"
