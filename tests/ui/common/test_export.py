"""The one export module: PNG at a width, SVG, CSV, page PNG; atomic and clear on failure."""

import csv
import os
import stat

import numpy as np
import pytest
from PySide6.QtGui import QImage

from explorer.errors import InputError
from ui.common import export
from ui.common.plots import make_plot


@pytest.fixture
def plot(qtbot):
    widget = make_plot("Squares grow fast", "x", "x squared")
    qtbot.addWidget(widget)
    x = np.arange(10.0)
    widget.plot(x, x**2, name="square")
    widget.plot(x, 2 * x, name="double")
    widget.resize(600, 400)
    return widget


def _not_blank(path):
    image = QImage(str(path))
    assert not image.isNull()
    colours = {
        image.pixel(x, y) for x in range(0, image.width(), 7) for y in range(0, image.height(), 7)
    }
    return len(colours) > 2


def test_png_has_the_chosen_width_and_is_not_blank(plot, tmp_path):
    path = export.export_plot(plot, tmp_path / "p.png", width=1000)
    assert QImage(str(path)).width() == 1000
    assert _not_blank(path)


def test_svg_is_written(plot, tmp_path):
    path = export.export_plot(plot, tmp_path / "p.svg")
    text = path.read_text()
    assert text.lstrip().startswith("<?xml") and "<svg" in text and "path" in text


def test_csv_holds_the_plotted_points(plot, tmp_path):
    path = export.export_plot(plot, tmp_path / "p.csv")
    with open(path, newline="") as f:
        rows = list(csv.reader(f))
    assert rows[0][0].startswith("square") and rows[0][2].startswith("double")
    assert len(rows) == 11
    assert float(rows[4][1]) == 9.0 and float(rows[4][3]) == 6.0


def test_page_png(plot, tmp_path):
    path = export.export_widget(plot, tmp_path / "page.png", width=800)
    assert QImage(str(path)).width() == 800


def test_bad_suffix_and_missing_folder_are_clear(plot, tmp_path):
    with pytest.raises(InputError, match=r"\.png, \.svg or \.csv"):
        export.export_plot(plot, tmp_path / "p.jpg")
    with pytest.raises(InputError, match="does not exist"):
        export.export_plot(plot, tmp_path / "missing" / "p.png")


def test_failed_write_leaves_nothing_half_written(plot, tmp_path, monkeypatch):
    old = tmp_path / "p.png"
    old.write_bytes(b"old picture")

    def full_disk(*args, **kwargs):
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(os, "replace", full_disk)
    with pytest.raises(InputError, match="No space left"):
        export.export_plot(plot, old)
    assert old.read_bytes() == b"old picture"
    assert [p.name for p in tmp_path.iterdir()] == ["p.png"]


@pytest.mark.parametrize("umask", [0o022, 0o077])
def test_every_export_gets_the_mode_of_any_save(plot, tmp_path, umask):
    """Issue 9: mkstemp left every exported file at 0600, whatever the umask said."""
    old = os.umask(umask)
    try:
        paths = [export.export_plot(plot, tmp_path / f"p{suffix}") for suffix in export.FORMATS]
        paths.append(export.export_widget(plot, tmp_path / "page.png"))
    finally:
        os.umask(old)
    assert {stat.S_IMODE(os.stat(p).st_mode) for p in paths} == {0o666 & ~umask}


def test_copy_image_puts_it_on_the_clipboard(plot, qapp):
    export.copy_plot_image(plot, width=400)
    assert qapp.clipboard().image().width() == 400
