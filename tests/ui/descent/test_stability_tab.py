"""The Edge-of-stability tab: run in the background, draw live, Cancel, bad rates, export."""

import numpy as np
import pytest
from PySide6.QtCore import Qt

from ui.common.export import export_plot, has_content, plotted_data
from ui.common.widgets import is_marked_invalid
from ui.descent.stability_view import StabilityView


@pytest.fixture
def view(qtbot):
    page = StabilityView()
    qtbot.addWidget(page)
    page.resize(1300, 650)
    page.show()
    qtbot.waitExposed(page)
    yield page
    page.shutdown()


def _type(qtbot, box, text):
    box.clear()
    qtbot.keyClicks(box, text)


def test_run_draws_each_rate_with_its_two_over_eta_line_and_the_numbers(qtbot, view, tmp_path):
    _type(qtbot, view.lrs, "0.3, 0.4")
    view.steps.setValue(100)
    view.every.setValue(25)
    qtbot.mouseClick(view.run_button, Qt.MouseButton.LeftButton)
    assert view.cancel_button.isEnabled()
    qtbot.waitUntil(lambda: view.result is not None, timeout=30_000)
    assert sorted(view.result) == [0.3, 0.4]
    assert view.progress.value() == view.progress.maximum()
    curves = plotted_data(view.sharpness_plot.getPlotItem())
    assert [name for name, _, _ in curves] == ["η = 0.3", "η = 0.4"]
    for (_, steps, sharpness), lr in zip(curves, (0.3, 0.4), strict=True):
        assert steps[0] == 0 and steps[-1] == 100 and len(sharpness) == 5
        np.testing.assert_allclose(sharpness, view.result[lr].sharpness)
    lines = sorted(round(item.value(), 6) for _, item in view._lines if hasattr(item, "value"))
    assert lines == [5.0, round(2 / 0.3, 6)]
    assert "2/η" in view.numbers.text() and "<b>" in view.numbers.text()
    for name, plot in view.plots().items():
        assert has_content(plot)
        assert export_plot(plot, tmp_path / f"{name}.png", width=600).stat().st_size > 0
        assert export_plot(plot, tmp_path / f"{name}.csv").read_text().count("\n") >= 6
    assert not view.cancel_button.isEnabled()


def test_cancel_stops_the_run_and_keeps_what_was_drawn(qtbot, view):
    view.steps.setValue(20_000)
    view.every.setValue(5)
    qtbot.mouseClick(view.run_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: view.progress.value() > 0, timeout=20_000)
    qtbot.mouseClick(view.cancel_button, Qt.MouseButton.LeftButton)
    assert view.run_button.isEnabled() and not view.cancel_button.isEnabled()
    assert view.result is None and "Cancelled" in view.numbers.text()
    assert has_content(view.sharpness_plot)
    assert view.job.wait(5_000)


def test_a_bad_rate_turns_red_says_why_and_runs_nothing(qtbot, view):
    _type(qtbot, view.lrs, "0.1, -2")
    assert is_marked_invalid(view.lrs)
    assert view.error.isVisibleTo(view) and "rate" in view.error.text().lower()
    qtbot.mouseClick(view.run_button, Qt.MouseButton.LeftButton)
    assert not view.job.busy
    _type(qtbot, view.lrs, "0.2")
    assert not is_marked_invalid(view.lrs) and not view.error.isVisibleTo(view)


def test_logging_less_often_than_the_run_is_long_is_refused_at_its_box(qtbot, view):
    view.steps.setValue(20)
    view.every.setValue(50)
    qtbot.mouseClick(view.run_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: view.error.isVisibleTo(view), timeout=10_000)
    assert is_marked_invalid(view.every) and "every" in view.error.text()


def test_the_descent_page_has_the_tab(qtbot):
    from ui.descent.panel import DescentPanel

    page = DescentPanel()
    qtbot.addWidget(page)
    try:
        titles = [page.tabs.tabText(i) for i in range(page.tabs.count())]
        assert "Edge of stability" in titles
        assert page.tabs.widget(titles.index("Edge of stability")) is page.stability
    finally:
        assert page.shutdown()
