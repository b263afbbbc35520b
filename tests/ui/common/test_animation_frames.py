"""Animation frames: one size, and plots drawn pixel for pixel, never stretched (issue 13)."""

import numpy as np
import pyqtgraph as pg
import pytest
from PySide6.QtWidgets import QHBoxLayout, QWidget

from ui.common import animation, render
from ui.common.plots import make_plot


@pytest.fixture
def page(qtbot):
    """A page with one square-ish plot whose data fills every corner: its export puts the
    legend beside the plot, which lays the plot out wider than it sits on the page."""
    page = QWidget()
    qtbot.addWidget(page)
    plot = make_plot("Every corner full", "step", "loss")
    x = np.linspace(0, 1, 200)
    plot.plot(x, np.where(np.arange(200) % 2, 0.0, 1.0), name="a long name for a run")
    for i in range(1, 4):
        plot.plot(x, x * 0 + i / 3, pen=pg.mkPen(i, width=2), name=f"another run, number {i}")
    QHBoxLayout(page).addWidget(plot)
    page.resize(340, 330)
    page.show()
    qtbot.waitExposed(page)
    return page, plot


def test_a_plot_with_its_legend_beside_it_is_drawn_unstretched(page):
    page, plot = page
    frame = animation.compose_frame(page, [plot], 640)
    alone = animation.rgb_array(render.plot_image(plot.getPlotItem(), frame.shape[1]))
    assert alone.shape[0] < frame.shape[0]  # the export's picture is wider than the page
    top = (frame.shape[0] - alone.shape[0]) // 2
    drawn = frame[top:top + alone.shape[0]]
    difference = int(np.abs(drawn.astype(int) - alone.astype(int)).max())
    assert difference <= 1, difference  # the same pixels: not resampled


def test_every_frame_has_the_first_ones_size_when_the_page_changes_shape(page):
    page, plot = page
    sizes = [(340, 330), (500, 330), (340, 500)]

    def steps():
        for size in sizes:
            page.resize(*size)
            yield size

    frames = list(animation.frames(steps(), page, lambda: [plot], 640))
    assert [f.shape for f in frames] == [frames[0].shape] * len(sizes)


def test_plots_the_page_stacks_are_drawn_side_by_side_in_a_landscape_frame(qtbot):
    """The Batch lab stacks its loss and accuracy plots: a 960-px GIF was 1522 px tall.
    A frame is for a slide: the plots go side by side, each its own size, in order."""
    from PySide6.QtWidgets import QVBoxLayout

    page = QWidget()
    qtbot.addWidget(page)
    first, second = make_plot("Loss", "epoch", "loss"), make_plot("Accuracy", "epoch", "%")
    first.plot([0, 1, 2], [3, 2, 1], pen=pg.mkPen("#D55E00", width=3))
    second.plot([0, 1, 2], [50, 70, 90], pen=pg.mkPen("#0072B2", width=3))
    column = QVBoxLayout(page)
    column.addWidget(first)
    column.addWidget(second)
    page.resize(480, 760)
    page.show()
    qtbot.waitExposed(page)
    frame = animation.compose_frame(page, [first, second], 960)
    height, width = frame.shape[:2]
    assert width == 960 and height < width  # landscape
    left, right = frame[:, :width // 2].astype(int), frame[:, width // 2:].astype(int)
    orange, blue = np.array([0xD5, 0x5E, 0x00]), np.array([0x00, 0x72, 0xB2])

    def has(part, color):
        return (np.abs(part - color).max(-1) < 40).sum() > 50

    assert has(left, orange) and not has(left, blue)  # the first plot on the left
    assert has(right, blue) and not has(right, orange)
    side = animation.compose_frame(page, [first], 960)
    assert side.shape[0] < side.shape[1]  # one plot: as it sits on the page
