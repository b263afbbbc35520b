"""The side-by-side tab's map follows the theme like the Trajectories map: in dark it stayed
a white-to-blue map with near-black contour lines (issue 13: "the contour map stays white")."""

import numpy as np
import pytest
from PySide6.QtWidgets import QApplication

from ui.descent.colours import MAP_CONTOUR, MAP_HEAT
from ui.window import appearance


@pytest.fixture
def themed():
    app = QApplication.instance()
    yield lambda name: appearance.apply_theme(app, name)
    appearance.apply_theme(app, "light")


def _view_brightness(view) -> float:
    """The mean brightness (0..1) of the map's plot area as drawn."""
    vb = view.map.getPlotItem().vb
    rect = vb.mapRectToScene(vb.boundingRect()).toRect()
    image = view.map.grab(rect).toImage()
    pixels = [image.pixelColor(x, y) for x in range(0, image.width(), 7)
              for y in range(0, image.height(), 7)]
    return float(np.mean([c.lightnessF() for c in pixels]))


def test_the_map_turns_dark_with_the_theme_and_back(side, themed):
    side.compute_now()
    QApplication.processEvents()
    assert _view_brightness(side) > 0.7
    themed("dark")
    QApplication.processEvents()
    assert _view_brightness(side) < 0.35
    assert side.image.getColorMap() is MAP_HEAT["dark"] or np.allclose(
        side.image.getColorMap().getColors(), MAP_HEAT["dark"].getColors())
    assert all(c.pen.color().name().upper() == MAP_CONTOUR["dark"].upper()
               for c in side.contours)
    themed("light")
    QApplication.processEvents()
    assert _view_brightness(side) > 0.7
