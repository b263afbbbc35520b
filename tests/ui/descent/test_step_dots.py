"""The markers at the current step are blitted in one call from one pixmap of dots: the
picture is the one drawn dot by dot (each run's colour, centred on its point)."""

import numpy as np
import pytest
from PySide6.QtCore import QPointF, Qt
from PySide6.QtGui import QImage, QPainter, QPixmap

from ui.descent.items import StepArrows

COLORS = ["#0072B2", "#D55E00", "#009E73", "#CC79A7"]


def _canvas(ratio: float) -> QImage:
    image = QImage(round(120 * ratio), round(80 * ratio), QImage.Format.Format_ARGB32_Premultiplied)
    image.setDevicePixelRatio(ratio)
    image.fill(Qt.GlobalColor.white)
    return image


def _dot_by_dot(arrows: StepArrows, points: np.ndarray, ratio: float) -> QImage:
    """Each run's own dot pixmap, drawn where the marker goes (the way before the atlas)."""
    image = _canvas(ratio)
    painter = QPainter(image)
    size = 2 * (arrows._dot + 2)
    for color, (x, y) in zip(arrows._colors, points.tolist(), strict=True):
        if not np.isfinite([x, y]).all():
            continue
        dot = QPixmap(round(size * ratio), round(size * ratio))
        dot.setDevicePixelRatio(ratio)
        dot.fill(Qt.GlobalColor.transparent)
        p = QPainter(dot)
        p.setRenderHint(QPainter.RenderHint.Antialiasing, True)
        p.setPen(arrows._outline)
        p.setBrush(color)
        p.drawEllipse(QPointF(size / 2, size / 2), arrows._dot, arrows._dot)
        p.end()
        painter.drawPixmap(QPointF(x - size / 2, y - size / 2), dot)
    painter.end()
    return image


def _pixels(image: QImage) -> np.ndarray:
    data = np.frombuffer(image.constBits(), dtype=np.uint8, count=image.sizeInBytes())
    return data.reshape(image.height(), image.bytesPerLine()).copy()


@pytest.mark.parametrize("ratio", [1.0, 2.0])
def test_the_dots_blitted_at_once_are_the_dots_drawn_one_by_one(qapp, ratio):
    arrows = StepArrows(trail=2)
    path = np.zeros((len(COLORS), 2, 2))
    arrows.set_points(path, COLORS)
    # screen points: fractional, one off the canvas's edge, one diverged (no marker)
    points = np.array([[20.3, 15.7], [60.0, 40.0], [117.5, 78.2], [np.nan, np.nan]])
    image = _canvas(ratio)
    painter = QPainter(image)
    arrows._paint_dots(painter, points)
    painter.end()
    expected = _dot_by_dot(arrows, points, ratio)
    np.testing.assert_array_equal(_pixels(image), _pixels(expected))
    assert (_pixels(image) != 255).sum() > 100  # the dots are there
