"""At the desk's scale a plot's title longer than its plot is set smaller, then elided, so the
plot stays whole: pyqtgraph widens a plot to its title, and a 1366-px window drew the Descent
plots cut at the right ("…too large blows u", the last ticks gone)."""

import pytest
from PySide6.QtWidgets import QApplication

from ui.common import columns, plots, theme

LONG = "Too small crawls, too large blows up"


def _shown(qtbot, title, width):
    plot = plots.make_plot(title, "step", "loss (log scale)")
    qtbot.addWidget(plot)
    plot.resize(width, 260)
    plot.show()
    qtbot.waitExposed(plot)
    QApplication.processEvents()
    return plot


def _title_pt(plot) -> float:
    return plot.property("title_style")[2]


def test_a_long_title_shrinks_to_keep_its_plot_whole_and_grows_back(qtbot):
    plot = _shown(qtbot, LONG, 360)
    assert columns.plot_is_whole(plot)
    assert _title_pt(plot) < theme.font_pt(plots.TITLE_PT)
    assert plot.property("title_style")[0] == LONG  # smaller, not cut
    plot.resize(800, 260)
    QApplication.processEvents()
    assert _title_pt(plot) == pytest.approx(theme.font_pt(plots.TITLE_PT), abs=0.1)
    assert columns.plot_is_whole(plot)


def test_a_title_too_long_for_any_size_is_elided_and_the_plot_stays_whole(qtbot):
    plot = _shown(qtbot, LONG + ", and then some more words about what to look for", 260)
    shown = plot.property("title_style")[0]
    assert shown.endswith("…") and len(shown) < 60
    assert columns.plot_is_whole(plot)


def test_a_narrow_plot_keeps_its_whole_title_when_presenting(qtbot):
    """Presenting, the plot gets the room its whole title needs (columns.fit_plot)."""
    plot = _shown(qtbot, LONG, 300)
    assert plot.property("title_style")[0] != LONG
    plots.fit_titles(False)
    try:
        assert plot.property("title_style")[0] == LONG
        assert _title_pt(plot) == pytest.approx(theme.font_pt(plots.TITLE_PT), abs=0.1)
    finally:
        plots.fit_titles(True)
    assert plot.property("title_style")[0] != LONG
