"""Playback's shortcuts keep the picture: a path grown frame by frame looks as the same
path drawn from the start (a run that crawls a tenth of a pixel per step included)."""

import numpy as np
import pyqtgraph as pg
import pytest
from PySide6.QtWidgets import QApplication

from ui.descent.items import GrowingPaths


@pytest.fixture
def crawl(shown_plot):
    """Two runs that crawl (a tenth of a pixel per step) on a 400-pixel-wide plot."""
    plot = shown_plot()
    item = GrowingPaths()
    plot.addItem(item)
    t = np.linspace(0.0, 1.0, 601)
    path = np.stack([np.stack([t, 0.3 * t], 1), np.stack([t, -0.2 + 0.5 * t ** 2], 1)])
    item.set_paths(path, [pg.mkPen("#D55E00", width=1), pg.mkPen("#0072B2", width=1)])
    plot.getPlotItem().vb.setRange(xRange=(-5, 5), yRange=(-1, 1), padding=0)
    QApplication.processEvents()
    return plot, item


def _grown_and_whole(plot, item, last: int):
    item.set_step(1)
    plot.grab()
    for step in range(2, last + 1):  # played frame by frame
        item.set_step(step)
        plot.grab()
    grown = item._image.copy()
    item._key = None  # the same step drawn from the start
    plot.grab()
    return grown, item._image.copy()


def _pixels(image) -> np.ndarray:
    width, height = image.width(), image.height()
    data = np.frombuffer(image.constBits(), dtype=np.uint8, count=image.sizeInBytes())
    return data.reshape(height, image.bytesPerLine())[:, :4 * width].reshape(height, width, 4)


def test_a_crawling_run_grown_frame_by_frame_looks_as_drawn_from_the_start(crawl):
    plot, item = crawl
    grown, whole = _grown_and_whole(plot, item, 400)
    a, b = _pixels(grown).astype(int), _pixels(whole).astype(int)
    assert (b[..., 3] > 0).sum() > 50  # the paths are there
    # (a path drawn through other points when grown than when drawn whole, or a stroke
    # per step grown (Qt draws thin pens' strokes one by one, so a slow run darkens),
    # fails here)
    assert np.abs(a - b).max() <= 60
    assert (np.abs(a - b).max(-1) > 20).sum() <= 0.1 * (b[..., 3] > 0).sum()


def test_a_partial_result_that_finds_a_diverging_run_adds_its_legend_row_only(qtbot):
    """A streaming 64-run sweep finds its diverging runs a few per partial: the legend's
    other rows stay (their labels are not made again), the new row is added."""
    from ui.descent.plots import TrajectoryMap

    plot = TrajectoryMap()
    qtbot.addWidget(plot.plot)
    runs, steps = 20, 30
    path = np.zeros((runs, steps + 1, 2))
    labels = [f"lr = {k + 1}" for k in range(runs)]
    colors = ["#0072B2"] * (runs - 1) + ["#D55E00"]
    diverged = [None] * (runs - 2) + [12, 8]
    plot.set_step(steps)
    plot.set_sweep(path, labels, diverged, colors, streaming=True)
    legend = plot.plot.getPlotItem().legend
    before = [label for _, label in legend.items]
    diverged[5] = 20  # the next partial: one more run is diverging
    plot.set_sweep(path, labels, diverged, colors, grown_from=steps, streaming=True)
    after = [label for _, label in legend.items]
    assert [label.text for label in after] == ["lr = 1", "lr = 6", "lr = 19", "lr = 20"]
    assert after[0] is before[0] and len(after) == len(before) + 1
    diverged[5] = None  # and a row that goes: the others stay
    plot.set_sweep(path, labels, diverged, colors, grown_from=steps, streaming=True)
    kept = [label for _, label in legend.items]
    assert kept[0] is after[0] and kept[1] is after[1] and len(kept) == 3
    assert [label.text for _, label in legend.items] == ["lr = 1", "lr = 19", "lr = 20"]
    pens = [pg.mkPen(sample.item.opts["pen"]).color().name() for sample, _ in legend.items]
    assert pens == ["#0072b2", "#0072b2", "#d55e00"]  # each row in its run's colour


def test_a_path_that_breaks_and_resumes_grows_as_it_is_drawn_whole(shown_plot):
    """NaN where a loss of 0 has no log, then numbers again; a run that diverges: grown
    frame by frame (several steps per frame too), the image is the path drawn whole."""
    plot = shown_plot()
    item = GrowingPaths()
    plot.addItem(item)
    t = np.linspace(0.0, 1.0, 301)
    first = np.stack([t, 0.3 + 0.15 * np.sin(6 * t)], 1)  # (the runs never cross)
    first[120:131] = np.nan  # a break, then it resumes
    second = np.stack([t, -0.3 + 0.02 * t], 1)  # crawls: a fraction of a pixel per step
    third = np.stack([t, -0.05 - 0.1 * t], 1)
    third[200:] = np.nan  # diverged
    item.set_paths(np.stack([first, second, third]),
                   [pg.mkPen(c, width=1) for c in ("#D55E00", "#0072B2", "#009E73")])
    plot.getPlotItem().vb.setRange(xRange=(-0.1, 1.1), yRange=(-0.6, 0.6), padding=0)
    QApplication.processEvents()
    item.set_step(1)
    plot.grab()
    step = 1
    for jump in [1, 3, 1, 7, 2] * 60:
        step = min(step + jump, 300)
        item.set_step(step)
        plot.grab()
    grown = _pixels(item._image).astype(int)  # (a copy: the image is drawn again next)
    item._key = None
    plot.grab()
    whole = _pixels(item._image).astype(int)
    drawn = (whole[..., 3] > 0).sum()
    assert drawn > 300
    np.testing.assert_array_equal(grown[..., 3] > 0, whole[..., 3] > 0)  # the same pixels
    assert np.abs(grown - whole).max() <= 2  # in the same colours (blends may round)
