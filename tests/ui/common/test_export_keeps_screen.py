"""An export leaves the plot on screen exactly as it was, and a narrow plot's legend is
judged at the size it is drawn when the export looks for an empty corner.

Issue 13: after exporting the Descent loss plot at 1366 px its view box widened from 413 to
457 px inside its 474-px widget (room made beside the plot for the legend grew the plot to its
new minimum width, and nothing shrank it back), and every export recoloured the axis labels
with the axis pen's grey."""

import numpy as np
import pyqtgraph as pg
import pytest
from pixels import drawn_by
from PySide6.QtWidgets import QApplication

from ui.common import export, render
from ui.common.plots import make_plot

TITLE = "Who gets low first"


def _shown(qtbot, widget, width, height):
    qtbot.addWidget(widget)
    widget.resize(width, height)
    widget.show()
    qtbot.waitExposed(widget)
    widget.grab()  # drawn once: the axes measure their tick labels when first painted
    QApplication.processEvents()
    widget.getPlotItem().layout.activate()
    return widget


@pytest.fixture
def crowded(qtbot):
    """A 474-px plot with a title and a legend whose data fills every corner (the legend
    goes beside it in an export), as the Descent side-by-side loss plot in a 1366-px window.
    Before the fix an export left its view box 605 px wide instead of 430."""
    widget = make_plot(TITLE, "step", "loss")
    x = np.linspace(0, 9, 60)
    for k in range(3):  # names as wide as the side-by-side tab's: the room beside is wide
        name = f"SGD + momentum 0.9, lr = 0.0{k + 1} — diverged at step {k + 12}"
        widget.plot(x, 80 * np.exp(-x * (k + 1) / 6), name=name)
    rng = np.random.default_rng(0)
    widget.addItem(pg.ScatterPlotItem(rng.uniform(0, 9, 3000), rng.uniform(0, 81, 3000),
                                      name="noise", size=4))
    return _shown(qtbot, widget, 474, 560)


def _screen(item: pg.PlotItem) -> dict:
    """What the viewer sees of the plot's layout and text."""
    seen = {"plot": item.geometry(), "view box": item.vb.geometry(),
            "title": (item.titleLabel.geometry(), item.titleLabel.item.toHtml()),
            "margins": item.layout.getContentsMargins(),
            "legend": (item.legend.sceneBoundingRect(), item.legend.scale(),
                       [label.item.toHtml() for _, label in item.legend.items])}
    for side in ("left", "bottom"):
        axis = item.getAxis(side)
        seen[side] = (axis.geometry(), axis.label.toHtml(), axis.pen().widthF(),
                      axis.style["tickFont"].toString())
    return seen


@pytest.mark.parametrize("width", [800, 1920, 3840])
def test_an_export_leaves_the_plot_on_screen_as_it_was(crowded, width):
    item = crowded.getPlotItem()
    assert render.emptiest_corner(item)[1] > 0  # the export puts the legend beside
    before = _screen(item)
    export.plot_image(crowded, width)
    assert _screen(item) == before
    QApplication.processEvents()  # nor later, once the posted layout requests are handled
    assert _screen(item) == before
    assert item.vb.geometry().right() <= crowded.width()


@pytest.mark.parametrize("width", [800, 1920, 3840])
def test_an_export_with_the_legend_in_a_corner_leaves_the_screen_too(qtbot, width):
    widget = make_plot(TITLE, "x", "x squared")
    x = np.arange(10.0)
    widget.plot(x, x**2, name="square")
    widget.plot(x, 2 * x, name="double", symbol="o")
    item = _shown(qtbot, widget, 474, 360).getPlotItem()
    assert render.emptiest_corner(item)[1] == 0
    before = _screen(item)
    export.plot_image(widget, width)
    QApplication.processEvents()
    assert _screen(item) == before


def test_axis_labels_keep_their_colour_in_the_export_and_after(crowded, monkeypatch):
    """``AxisItem.setPen`` colours the label like the pen: the muted grey of the axis line
    replaced the text colour, in the image and on screen."""
    axis = crowded.getPlotItem().getAxis("left")
    colour = axis.labelStyle["color"]
    assert colour.lower() != axis.pen().color().name().lower()  # the text, not the line colour
    seen = []
    draw = render._WidePenPainter.setPen

    def spy(painter, pen, *args):  # the label's colour while the export draws
        seen.append(axis.labelStyle["color"])
        return draw(painter, pen, *args)

    monkeypatch.setattr(render._WidePenPainter, "setPen", spy)
    export.plot_image(crowded, 800)
    assert seen and set(seen) == {colour}
    assert axis.labelStyle["color"] == colour


def test_a_scaled_down_legend_goes_in_the_empty_corner_not_beside(qtbot):
    """A narrow plot scales its legend down (the Descent side-by-side plots do): judged at
    its unscaled size it seemed to cover data in every corner and went beside the plot."""
    widget = make_plot("Empty at the top left", "x", "y")
    xs, ys = np.meshgrid(np.linspace(0, 10, 41), np.linspace(0, 10, 41))
    keep = ~((xs < 5.5) & (ys > 4.5))  # the top left corner holds no data
    widget.plot(xs[keep], ys[keep], pen=None, symbol="o", symbolSize=3, name="every measured point")
    widget.plot([6, 10], [0, 10], name="the line that rises to the right")
    item = _shown(qtbot, widget, 320, 300).getPlotItem()
    item.legend.setScale(0.5)
    unscaled = item.legend.boundingRect()
    assert unscaled.width() + 2 * render.LEGEND_MARGIN > item.vb.width() * 0.55  # too big
    assert render.emptiest_corner(item) == ((0, 0), 0)

    legend = drawn_by(widget, [item.legend], 800)
    rows, cols = np.flatnonzero(legend.any(axis=1)), np.flatnonzero(legend.any(axis=0))
    image_width = legend.shape[1]
    view = item.vb.sceneBoundingRect()
    scale = image_width / item.sceneBoundingRect().width()
    assert cols[0] < (view.left() + view.width() / 2) * scale  # in the plot's left half
    assert rows[-1] < (view.top() + view.height() / 2) * scale  # and its top half
    data = drawn_by(widget, item.listDataItems(), 800)
    assert not data[rows[0]:rows[-1] + 1, cols[0]:cols[-1] + 1].any()
    assert image_width == 800 and legend.shape[0] == round(300 * 800 / 320)  # nothing beside


def test_a_legend_refitted_to_its_view_box_keeps_the_width_made_for_it_beside(crowded):
    """The side-by-side tab wraps its legend whenever the view box is too narrow for it. Made
    room for beside the plot, the legend was still on the view box when that shrank: wrapped,
    it then filled half the room made for it, the rest left blank."""
    item = crowded.getPlotItem()

    def refit(*_):  # as ui/descent/compare_view.py's _fit_legend does
        if item.legend.parentItem() is item.vb and item.vb.width() < 300:
            for sample, label in item.legend.items:
                label.setText(sample.item.name().replace(" — ", "<br>"))

    item.vb.sigResized.connect(refit)
    assert render.emptiest_corner(item)[1] > 0  # the export puts the legend beside
    legend = drawn_by(crowded, [item.legend], 800)
    scale = 800 / item.sceneBoundingRect().width()
    right_gap = legend.shape[1] - 1 - np.flatnonzero(legend.any(axis=0))[-1]
    assert right_gap <= 2 * render.LEGEND_MARGIN * scale, right_gap
    assert "<br>" not in item.legend.items[0][1].text
