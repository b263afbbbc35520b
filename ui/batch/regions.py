"""Decision regions of the network on a 2-D data set: a class grid under the points."""

from __future__ import annotations

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import QRectF

from ui.batch.experiment_view import batch_plot, retitle
from ui.common import theme

# Okabe–Ito colours for classes; in this plot alone a colour means a class, not a run.
# The palette's colours in the order that keeps two classes (blue, vermillion) furthest apart.
CLASS_COLORS = tuple(theme.OKABE_ITO[i] for i in (0, 3, 2, 4, 1, 5))
REGION_ALPHA = 70
TITLE = "Colour = the class the network predicts"
NOT_2D = "Decision regions: pick moons, spirals or a CSV file with two features"


class DecisionRegions:
    """A plot of the predicted class at every point of the plane, with the data on top."""

    def __init__(self):
        self.plot = batch_plot(
            TITLE,
            "feature 1 (standardised)", "feature 2 (standardised)", name="decision-regions",
        )
        self.plot.setAspectLocked(True)
        self.plot.setMinimumWidth(320)
        self.image = pg.ImageItem()
        self.image.setZValue(-10)
        self.plot.addItem(self.image)
        self._points: list[pg.PlotDataItem] = []
        self._classes: tuple[str, ...] = ()
        self.classes: np.ndarray | None = None  # the class grid on show
        self._titled = ""  # the run named in the title

    def restyle(self) -> None:
        """Outline the points in the theme's foreground colour."""
        for scatter in self._points:
            scatter.setSymbolPen(theme.current().foreground)

    def show_points(self, features, labels, class_names) -> None:
        """Draw the training points, one colour and legend entry per class."""
        features, labels = np.asarray(features), np.asarray(labels)
        if tuple(class_names) == self._classes and self._points:
            for k, scatter in enumerate(self._points):
                scatter.setData(features[labels == k, 0], features[labels == k, 1])
            return
        for scatter in self._points:
            self.plot.removeItem(scatter)
        self._classes = tuple(class_names)
        self._points = [
            self.plot.plot(
                features[labels == k, 0], features[labels == k, 1], pen=None, symbol="o",
                symbolSize=7, symbolBrush=_class_color(k), symbolPen=theme.current().foreground,
                name=str(name),
            )
            for k, name in enumerate(class_names)
        ]

    def show_regions(self, xs, ys, classes, run_label: str = "") -> None:
        """Colour the grid ``classes[i, j]`` (row i = ys[i], column j = xs[j])."""
        if run_label and run_label != self._titled:
            # Retitling relays the plot out: only when the run on show changes.
            retitle(self.plot, f"Regions of {run_label}")
            self._titled = run_label
        xs, ys, classes = np.asarray(xs), np.asarray(ys), np.asarray(classes)
        self.classes = classes
        lut = np.array([_rgba(_class_color(k)) for k in range(int(classes.max()) + 1)],
                       dtype=np.ubyte)
        # ImageItem indexes [x, y]; the grid is [row = y, column = x].
        self.image.setImage(lut[classes.T], autoLevels=False)
        dx = (xs[-1] - xs[0]) / max(len(xs) - 1, 1)
        dy = (ys[-1] - ys[0]) / max(len(ys) - 1, 1)
        self.image.setRect(QRectF(xs[0] - dx / 2, ys[0] - dy / 2, dx * len(xs), dy * len(ys)))

    def clear_regions(self, two_d: bool = True) -> None:
        self.image.clear()
        self.classes = None
        self._titled = ""
        retitle(self.plot, TITLE if two_d else NOT_2D)

    def has_regions(self) -> bool:
        return self.image.image is not None


def _class_color(k: int) -> str:
    return CLASS_COLORS[k % len(CLASS_COLORS)]


def _rgba(color: str) -> tuple[int, int, int, int]:
    c = theme.qcolor(color)
    return c.red(), c.green(), c.blue(), REGION_ALPHA
