"""A note written on a plot grows with the presentation scale and follows the theme."""

from __future__ import annotations

import pytest

from ui.common import plots, theme


@pytest.fixture
def scaled(qtbot):  # undone before qtbot closes the plots
    yield theme.set_scale
    theme.set_scale(1.0)


def test_a_note_grows_with_the_presentation_scale_and_takes_the_themes_colour(qtbot, scaled):
    plot = plots.make_plot("t", "x", "y")
    qtbot.addWidget(plot)
    note = plots.add_note(plot, "No 1-D curve", pt=12, muted=False)
    assert note.textItem.font().pointSizeF() == pytest.approx(12)
    scaled(1.5)
    assert note.textItem.font().pointSizeF() == pytest.approx(18)
    assert note.textItem.defaultTextColor().name().lower() == theme.current().foreground.lower()
    assert note in plot.getPlotItem().items


def test_the_loss_pages_no_curve_note_grows_too(qtbot, scaled):
    from ui.loss.curves import CurvePlot

    curve = CurvePlot()
    qtbot.addWidget(curve.plot)
    curve.clear("No 1-D curve for KLDivLoss", "It compares two whole distributions.")
    small = curve.note.textItem.font().pointSizeF()
    scaled(1.5)
    assert curve.note.textItem.font().pointSizeF() == pytest.approx(1.5 * small)
