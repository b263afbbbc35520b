"""The side-by-side tab's legends stay on their plots and in their exports: a legend wider
than its plot wraps each run's name and rate onto lines of their own (scaled down if even that
is too wide) instead of being hidden, so "Export plot…" of a narrow plot still names the runs.
At 800 px the loss plot's view (173 px) was narrower than its legend (264 px): hidden."""

import numpy as np
import pytest
from PySide6.QtGui import QImage

from explorer.descent.scene import DescentScene
from ui.common.export import export_plot
from ui.descent import compare_view
from ui.descent.compare_view import LEGEND_MARGIN, CompareView


def _view(qtbot, width):
    view = CompareView()
    qtbot.addWidget(view)
    view.set_page(DescentScene().validated())
    view.resize(width, 620)
    view.show()
    qtbot.waitExposed(view)
    view.compute_now()
    return view


@pytest.fixture
def narrow(qtbot):
    view = _view(qtbot, 800)
    yield view
    view.shutdown()


def _on_its_plot(item) -> bool:
    return item.vb.sceneBoundingRect().contains(item.legend.sceneBoundingRect())


def _pixels(path) -> np.ndarray:
    image = QImage(str(path)).convertToFormat(QImage.Format.Format_RGB32)
    return np.frombuffer(image.constBits(), np.uint8).reshape(image.height(), -1).copy()


def test_a_legend_wider_than_its_plot_wraps_and_stays_on_it(narrow):
    item = narrow.loss_plot.getPlotItem()
    one_line = compare_view._legend_size(item.legend, wrap=False).width()
    assert item.vb.boundingRect().width() < one_line + LEGEND_MARGIN  # too wide on one line
    narrow._fit_legends()
    labels = [label.text for _, label in item.legend.items]
    assert item.legend.isVisible() and _on_its_plot(item)
    assert labels[1] == "SGD + momentum 0.9<br>lr = 0.02"  # name and rate on lines of their own
    assert [c.name() for c in narrow.losses][1] == "SGD + momentum 0.9, lr = 0.02"  # CSV, data


def test_exporting_the_narrow_plot_keeps_its_legend(narrow, tmp_path):
    legend = narrow.loss_plot.getPlotItem().legend
    with_legend = export_plot(narrow.loss_plot, tmp_path / "with.png", width=600)
    legend.hide()
    without = export_plot(narrow.loss_plot, tmp_path / "without.png", width=600)
    # The legend is what differs (its box, samples and names).
    assert not np.array_equal(_pixels(with_legend), _pixels(without))


def test_an_even_narrower_legend_is_scaled_to_its_plot(narrow, qtbot):
    narrow.loss_plot.setMaximumWidth(150)
    qtbot.waitUntil(lambda: narrow.loss_plot.width() <= 150)
    item = narrow.loss_plot.getPlotItem()
    assert item.legend.isVisible() and item.legend.scale() < 1 and _on_its_plot(item)


def test_a_wide_plot_keeps_one_line_per_run_at_full_size(qtbot):
    view = _view(qtbot, 1366)
    try:
        for plot in (view.map, view.loss_plot):
            item = plot.getPlotItem()
            assert item.legend.isVisible() and item.legend.scale() == 1 and _on_its_plot(item)
            assert [label.text for _, label in item.legend.items][0] == "SGD, lr = 0.1"
    finally:
        view.shutdown()
