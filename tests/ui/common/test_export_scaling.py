"""Slide-ready PNGs: text, legend and lines grow with the width; the legend clears the data."""

import csv

import numpy as np
import pyqtgraph as pg
import pytest
from pixels import as_array, drawn_by
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QLabel

from ui.common import export, render
from ui.common.plots import make_plot

TITLE = "Squares grow fast"


@pytest.fixture
def plot(qtbot):
    widget = make_plot(TITLE, "x", "x squared")
    qtbot.addWidget(widget)
    x = np.arange(10.0)
    widget.plot(x, x**2, name=TITLE, pen=pg.mkPen("#D55E00", width=1))  # rises to the top right
    widget.plot(x, 2 * x, name="double", symbol="o")
    widget.resize(1200, 750)  # the size --export-figures lays plots out at
    widget.show()
    qtbot.waitExposed(widget)
    widget.getPlotItem().layout.activate()  # the layout the screen settles on
    return widget


def _rows(mask: np.ndarray) -> int:
    rows = np.flatnonzero(mask.any(axis=1))
    return int(rows[-1] - rows[0] + 1) if rows.size else 0


def _box(mask: np.ndarray):
    rows, cols = np.flatnonzero(mask.any(axis=1)), np.flatnonzero(mask.any(axis=0))
    return rows[0], rows[-1], cols[0], cols[-1]


@pytest.mark.parametrize("width", [800, 1920, 3840])
def test_legend_text_keeps_its_size_against_the_title(plot, width):
    """Issue 13: at 1920 px the legend was ~11 px under a huge title; at 800 px larger."""
    item = plot.getPlotItem()
    image_height = export.plot_image(plot, width).height()
    title = _rows(drawn_by(plot, [item.titleLabel], width)) / image_height
    label = item.legend.items[0][1]  # same text as the title, so the glyphs compare
    legend = _rows(drawn_by(plot, [label], width)) / image_height
    assert title > 0 and legend > 0
    assert 1 / 1.5 <= legend / title <= 1.5, (width, legend, title)


def test_lines_grow_with_the_width(plot):
    """A cosmetic pen is a hairline at any size unless the export widens it."""
    curve = plot.getPlotItem().listDataItems()[0]
    thin = drawn_by(plot, [curve], 800)
    thick = drawn_by(plot, [curve], 3840)
    # pixels of the line per image column, roughly its thickness (steep parts count more)
    ratio = (thick.sum() / 3840) / (thin.sum() / 800)
    assert ratio > 2.5, ratio  # 4.8 times the pixels per side: about 4.8 times as thick


def test_the_legend_moves_off_the_data_and_comes_back(plot):
    item = plot.getPlotItem()
    export.plot_image(plot, 800)
    before = item.legend.pos()
    legend = drawn_by(plot, [item.legend], 1600)
    curves = drawn_by(plot, item.listDataItems(), 1600)
    top, bottom, left, right = _box(legend)
    assert not curves[top:bottom + 1, left:right + 1].any()
    assert item.legend.pos() == before  # the screen keeps its own layout


def test_a_full_plot_gets_its_legend_beside_it(plot):
    item = plot.getPlotItem()
    rng = np.random.default_rng(0)
    item.addItem(pg.ScatterPlotItem(rng.uniform(0, 9, 3000), rng.uniform(0, 81, 3000),
                                    name="noise", size=4))
    assert render.emptiest_corner(item)[1] > 0
    margins = item.layout.getContentsMargins()
    legend = drawn_by(plot, [item.legend], 1600)
    data = drawn_by(plot, item.listDataItems(), 1600)
    top, bottom, left, right = _box(legend)
    assert not data[top:bottom + 1, left:right + 1].any()
    assert item.layout.getContentsMargins() == margins


def test_a_panel_is_rendered_at_the_width_not_upscaled(qtbot):
    label = QLabel("Loss 1.7502  gradient −0.43")
    qtbot.addWidget(label)
    label.resize(300, 40)
    sharp = render.widget_image(label, 1200)
    assert sharp.width() == 1200 and sharp.height() == 160
    blurred = label.grab().toImage().scaledToWidth(1200, Qt.TransformationMode.SmoothTransformation)

    def soft_edges(image):  # grey edge pixels per dark (text) pixel
        red = as_array(image)[..., 0].astype(int)
        background = np.median(red)
        return ((red >= 80) & (red < background - 20)).sum() / max((red < 80).sum(), 1)

    assert soft_edges(sharp) < 1.0 < soft_edges(blurred)  # measured: 0.29 and 4.9


def test_csv_columns_are_named_for_what_they_hold(qtbot, tmp_path):
    widget = make_plot("Least likely costs most", "flower", "−log p, nats", legend=False)
    qtbot.addWidget(widget)
    widget.addItem(pg.BarGraphItem(x=[0, 1, 2], height=[0.56, 0.54, 0.65], width=0.6))
    widget.plot([0, 1, 2], [0.5, 0.5, 0.5], pen=None, symbol="o")  # unnamed markers
    widget.getPlotItem().getAxis("bottom").setTicks([[(0, "setosa"), (1, "versicolor"),
                                                      (2, "virginica")]])
    path = export.export_plot(widget, tmp_path / "bars.csv")
    with open(path, newline="", encoding="utf-8") as f:
        rows = list(csv.reader(f))
    header = " | ".join(rows[0])
    assert "series" not in header
    assert rows[0][1] == "−log p, nats (points)" and rows[0][3] == "−log p, nats (bars)"
    assert [r[2] for r in rows[1:]] == ["setosa", "versicolor", "virginica"]
    assert float(rows[3][3]) == 0.65


def test_a_plot_with_only_a_hidden_marker_and_a_note_has_nothing_to_export(qtbot):
    """Issue 13: --export-figures wrote an empty "No 1-D curve" PNG for the KL slide."""
    widget = make_plot("Loss against the prediction", "z", "loss")
    qtbot.addWidget(widget)
    marker = pg.ScatterPlotItem([0.3, 0.3], [1.0, 2.0])  # left from the previous loss
    widget.addItem(marker)
    widget.addItem(pg.TextItem("No 1-D curve for this loss"))
    marker.setVisible(False)
    assert not export.has_content(widget) and export.plotted_data(widget.getPlotItem()) == []
    marker.setVisible(True)
    assert export.has_content(widget)


def test_a_legend_laid_out_under_its_plot_stays_there_in_an_export(qtbot):
    """The Loss lab's comparison legend sits under the plot, in the plot's layout: the export
    moved it beside the plot (every corner of the view covers a curve), which left the plot
    in the left half of a 1920-px image and the bottom third of it blank."""
    from ui.common import render
    from ui.loss.panel import LossPanel

    page = LossPanel()
    qtbot.addWidget(page)
    page.resize(1400, 900)
    page.show()
    page.compute_now()
    item = page.plots()["loss-comparison"].getPlotItem()
    legend, margins = item.legend, item.layout.getContentsMargins()
    assert legend.parentItem() is item  # laid out under the plot, not in its view
    with render.screen_kept(item), render.legend_clear_of_data(item):
        assert legend.parentItem() is item
        assert item.layout.getContentsMargins() == margins
    image = render.plot_image(item, 1920)
    assert image.height() > 0.6 * image.width()  # the plot's own shape, legend under it
