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


def test_a_long_note_wraps_inside_its_view(qtbot):
    """At 1366×768 presenting, the NLLLoss slide's note ran past both edges of its plot."""
    from PySide6.QtWidgets import QApplication

    from ui.loss.curves import CurvePlot

    curve = CurvePlot()
    qtbot.addWidget(curve.plot)
    curve.plot.resize(420, 300)
    curve.plot.show()
    qtbot.waitExposed(curve.plot)
    curve.clear("No 1-D curve for NLLLoss", "NLLLoss takes a whole row of log-probabilities "
                "and picks the target's entry; see Compare losses for the classic curves.")
    QApplication.processEvents()
    view = curve.plot.getPlotItem().vb.sceneBoundingRect()
    drawn = curve.note.mapRectToScene(curve.note.boundingRect())
    assert drawn.width() > 0 and view.contains(drawn), (drawn, view)
    curve.plot.resize(800, 300)  # wider: it unwraps to the room there is
    QApplication.processEvents()
    assert curve.note.textItem.textWidth() > 600
