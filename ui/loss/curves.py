"""The loss curve L(z, y) with its slope, and the slides' comparison chart of several losses."""

from __future__ import annotations

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import QCheckBox, QHBoxLayout, QLabel, QVBoxLayout, QWidget
from superqt.utils import signals_blocked

from explorer.losses.curves import COMPARE_TITLE, COMPARE_VIEW, FOCAL_SETTING, OWN_CURVE
from explorer.losses.scene import COMPARE_DEFAULT
from ui.common import theme
from ui.common.plots import (
    GRID_ALPHA,
    add_note,
    keep_legend_clear,
    make_plot,
    restyle_all,
    set_title,
)
from ui.loss.labels import MARGIN, legend, own_legend, x_axis, y_axis

FOCAL_AXIS = "probability of the true class p"
_OWN_OFF = "Choose “Your own loss” and type a formula of z to draw it here"


def _xy(x, y):
    """Tensors from explorer as arrays pyqtgraph can draw."""
    return x.detach().cpu().numpy(), y.detach().cpu().numpy()


def _extent(*arrays) -> tuple[float, float]:
    """The smallest and largest finite value of ``arrays`` (0, 1 when there is none)."""
    values = np.concatenate([np.asarray(a, dtype=float).ravel() for a in arrays])
    values = values[np.isfinite(values)]
    if not values.size:
        return 0.0, 1.0
    lo, hi = float(values.min()), float(values.max())
    return (lo - 0.5, hi + 0.5) if lo == hi else (lo, hi)


_LEGEND_ROW = 4  # PlotItem's grid: title 0, top axis 1, plot 2, bottom axis 3


def _legend_below(plot: pg.PlotWidget, columns: int = 2) -> None:
    """Put the plot's legend out of the plot area, in a row under the x axis: it can then
    never hide a curve or a label, and it goes with the plot into every export."""
    item = plot.getPlotItem()
    old = item.legend
    legend = pg.LegendItem(offset=None, colCount=columns,  # placed by the layout, not anchored
                           labelTextSize=old.opts["labelTextSize"])
    if old.scene() is not None:
        old.scene().removeItem(old)
    item.legend = legend
    item.layout.addItem(legend, _LEGEND_ROW, 1)
    restyle_all()  # the theme's colours and size for the new legend (one home for that rule)


class NamedMarker(pg.ScatterPlotItem):
    """A marker whose points are each one quantity: a CSV names a column for each ("loss at
    the prediction"), not for the axis it shares ("loss L(z, y) / slope (points)")."""

    def __init__(self, names: tuple[str, ...], **options):
        super().__init__(**options)
        self._names = names

    def export_series(self) -> list[tuple[str, list[float], list[float]]]:
        xs, ys = self.getData()
        return [(name, [x], [y]) for name, x, y in zip(self._names, xs, ys, strict=False)]


class CurvePlot:
    """L(z, y) and dL/dz against the prediction, with a marker at the selected cell's value."""

    def __init__(self):
        self.plot = make_plot(
            "Steep curve, strong push",
            "prediction z",
            "loss L(z, y)   /   slope dL/dz",
            name="loss curve",
        )
        self.loss_line = self.plot.plot(pen=theme.pen(0, 3.0), name="L(z, y)")
        self.grad_line = self.plot.plot(
            pen=theme.pen(3, 2.5, style=Qt.PenStyle.DashLine), name="dL/dz"
        )
        self.cursor = pg.InfiniteLine(angle=90, movable=False, pen=theme.pen("#777777", 1.5))
        self.marker = NamedMarker(("loss at the prediction", "slope at the prediction"),
                                  size=15, pen=pg.mkPen("#000000", width=1.5))
        self.note = add_note(self.plot, pt=12, muted=False)  # the plot's whole message
        self.plot.addItem(self.cursor, ignoreBounds=True)
        self.plot.addItem(self.marker, ignoreBounds=True)
        self.overlay_lines: list[pg.PlotDataItem] = []  # FocalLoss: one per γ, made once
        self.hide_marker()
        keep_legend_clear(self.plot)  # MSE rises into the top right, cross-entropy falls

    def set_curve(self, curve, title: str | None = None) -> None:
        """Draw ``curve`` (an ``explorer.losses.Curve``) under its own title (what to look
        for in this loss's shape); ``title`` only stands in for a curve that has none.
        A curve with an ``overlay`` (FocalLoss) is drawn as that overlay instead."""
        if curve.overlay:
            self._set_overlay(curve.overlay)
            return
        self._show_overlay(0)
        self._show_axes(True)
        self._legend([(self.loss_line, "L(z, y)"), (self.grad_line, "dL/dz")])
        z, loss = _xy(curve.z, curve.loss)
        _, grad = _xy(curve.z, curve.grad)
        self.loss_line.setData(z, loss)
        self.grad_line.setData(z, grad)
        item = self.plot.getPlotItem()
        item.setLabel("bottom", x_axis(curve))
        item.setLabel("left", f"{y_axis(curve)}   /   slope")
        if curve.title or title:
            set_title(self.plot, curve.title or title)
        self.note.hide()
        self.plot.setProperty("curve_label", legend(curve))
        self._frame(_extent(z), _extent(loss, grad))

    def _set_overlay(self, curves) -> None:
        """Lin et al.'s figure: focal loss against the probability p of the true class, one
        line per γ, and the chosen setting dashed on top (``explorer.losses.focal_overlay``)."""
        self.loss_line.setData([], [])
        self.grad_line.setData([], [])
        self.hide_marker()
        self.note.hide()
        self._show_axes(True)
        while len(self.overlay_lines) < len(curves):
            self.overlay_lines.append(self.plot.plot(name=f"focal {len(self.overlay_lines)}"))
        self._show_overlay(len(curves))
        entries = []
        for i, (line, curve) in enumerate(zip(self.overlay_lines, curves, strict=False)):
            setting = curve.name == FOCAL_SETTING
            line.setPen(theme.pen("#000000", 2.5, style=Qt.PenStyle.DashLine) if setting
                        else theme.pen(i, 3.0))
            line.setData(*_xy(curve.z, curve.loss))
            entries.append((line, f"your setting: {curve.title}" if setting else curve.name))
        self._legend(entries)
        item = self.plot.getPlotItem()
        item.setLabel("bottom", FOCAL_AXIS)
        item.setLabel("left", "loss")
        set_title(self.plot, curves[0].title)
        self.plot.setProperty("curve_label", "focal loss against p")
        _, top = _extent(*[_xy(c.z, c.loss)[1] for c in curves])
        self._frame((0.0, 1.0), (0.0, top))

    def _show_overlay(self, count: int) -> None:
        """Show the first ``count`` overlay lines; hide (and empty) the rest."""
        for i, line in enumerate(self.overlay_lines):
            line.setVisible(i < count)
            if i >= count:
                line.setData([], [])

    def _show_axes(self, shown: bool) -> None:
        item = self.plot.getPlotItem()
        for side in ("left", "bottom"):
            item.showAxis(side, shown)
        item.showGrid(x=shown, y=shown, alpha=GRID_ALPHA)

    def _legend(self, entries) -> None:
        legend = self.plot.getPlotItem().legend
        legend.clear()
        for line, text in entries:
            legend.addItem(line, text)

    def overlay_names(self) -> list[str]:
        """The legend text of the overlay lines on show (empty unless FocalLoss)."""
        legend = self.plot.getPlotItem().legend
        shown = {id(line) for line in self.overlay_lines if line.isVisible()}
        return [label.text for sample, label in legend.items if id(sample.item) in shown]

    def _frame(self, x: tuple[float, float], y: tuple[float, float]) -> None:
        """Show ``x`` by ``y`` (a blank plot's [0, 1] view or a user's zoom must not stay)."""
        self.plot.getPlotItem().setRange(xRange=x, yRange=y, padding=0.05)

    def clear(self, title: str, note: str = "") -> None:
        """No curve to draw: say so in the ``title`` and, in the middle of the plot, why."""
        self.loss_line.setData([], [])
        self.grad_line.setData([], [])
        self._show_overlay(0)
        self.hide_marker()
        set_title(self.plot, title)
        self._legend([])  # no entries for lines that are not drawn
        self._show_axes(False)  # nor axes and a grid around nothing
        self.note.setText(note)
        self.note.setPos(0.5, 0.5)
        self.note.setVisible(bool(note))
        self.plot.getPlotItem().setRange(xRange=(0, 1), yRange=(0, 1))

    def note_text(self) -> str:
        return self.note.toPlainText() if self.note.isVisible() else ""

    def set_marker(self, z: float, loss: float, grad: float) -> None:
        """Mark the selected cell: a line at its prediction, dots on the loss and on the slope."""
        self.cursor.setValue(z)
        self.cursor.show()
        self.marker.setData([z, z], [loss, grad], brush=[theme.qcolor(0), theme.qcolor(3)])
        self.marker.show()
        (x0, x1), (y0, y1) = self.plot.getPlotItem().getViewBox().viewRange()
        if not (x0 <= z <= x1 and y0 <= min(loss, grad) and max(loss, grad) <= y1):
            self._frame(_extent([x0, x1, z]), _extent([y0, y1, loss, grad]))

    def marker_position(self) -> tuple[float, float, float] | None:
        if not self.marker.isVisible():
            return None
        xs, ys = self.marker.getData()
        return float(xs[0]), float(ys[0]), float(ys[1])

    def hide_marker(self) -> None:
        self.cursor.hide()
        self.marker.hide()


class ComparePlot(QWidget):
    """Several losses on one axis (the slides' chart: square, absolute, hinge, logistic, CE),
    with a check box per loss; ``selection_changed`` carries the checked names."""

    selection_changed = Signal(list)

    def __init__(self, names: tuple[str, ...] = COMPARE_DEFAULT, parent=None):
        super().__init__(parent)
        self.boxes = {name: QCheckBox(name, checked=True) for name in names}
        self.boxes[OWN_CURVE] = QCheckBox(OWN_CURVE, checked=False, enabled=False,
                                          toolTip=_OWN_OFF)
        self._own_label: str | None = None
        row = QHBoxLayout()
        row.addWidget(QLabel("Show:"))
        for box in self.boxes.values():
            row.addWidget(box)
            box.toggled.connect(self._on_box_toggled)
        row.addStretch(1)
        self.plot = make_plot(COMPARE_TITLE, MARGIN, "loss", name="loss comparison")
        _legend_below(self.plot)
        (x0, x1), (y0, y1) = COMPARE_VIEW
        self.plot.getPlotItem().setRange(xRange=(x0, x1), yRange=(y0, y1), padding=0)
        self._lines: list[pg.PlotDataItem] = []
        self.example_line = pg.InfiniteLine(angle=90, movable=False,
                                            pen=theme.pen("#777777", 1.5))
        self.example_dot = NamedMarker(("loss of this example",), size=15,
                                       pen=pg.mkPen("#000000", width=1.5),
                                       brush=theme.qcolor(0))
        self.example_label = pg.TextItem(  # on a backing, so the curves under it stay apart
            anchor=(0, 1), color=theme.current().foreground,
            fill=pg.mkBrush(theme.qcolor(theme.current().background, 220)))
        for extra in (self.example_line, self.example_dot, self.example_label):
            self.plot.addItem(extra, ignoreBounds=True)
            extra.setZValue(10)  # above the curves, which are added later
        self.set_example(None)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addLayout(row)
        layout.addWidget(self.plot, 1)

    def selected(self) -> list[str]:
        return [name for name, box in self.boxes.items() if box.isChecked()]

    def set_own(self, formula: str | None) -> None:
        """Offer the user's loss (its display ``formula``) as a curve; ``None``: there is none."""
        box = self.boxes[OWN_CURVE]
        box.setEnabled(formula is not None)
        box.setToolTip(_OWN_OFF if formula is None else f"L(z, 1) = {formula}")
        self._own_label = None if formula is None else own_legend(formula)

    def set_selected(self, names: list[str]) -> None:
        for name, box in self.boxes.items():
            with signals_blocked(box):
                box.setChecked(name in names)

    def _on_box_toggled(self) -> None:
        self.selection_changed.emit(self.selected())

    def set_curves(self, curves) -> None:
        """Draw ``curves`` (``explorer.losses.Curve``), one colour each; lines are reused."""
        while len(self._lines) < len(curves):
            i = len(self._lines)
            self._lines.append(self.plot.plot(pen=theme.pen(i, 3.0), name=f"curve {i}"))
        box = self.plot.getPlotItem().legend
        for i, line in enumerate(self._lines):
            if i < len(curves):
                line.setData(*_xy(curves[i].z, curves[i].loss))
                own = curves[i].name == OWN_CURVE and self._own_label
                line.opts["name"] = self._own_label if own else legend(curves[i])
                line.show()
            else:
                line.setData([], [])
                line.hide()
        if box is not None:
            box.clear()
            for line in self._lines[: len(curves)]:
                box.addItem(line, line.opts["name"])
        if curves:
            self.plot.getPlotItem().setLabel("bottom", x_axis(curves[0]))

    def set_example(self, point) -> None:
        """Mark the selected cell on its classic curve: ``point`` is ``(curve name, Marker)``
        from ``explorer.losses.curves.compare_marker``, or ``None`` to mark nothing."""
        shown = point is not None
        for extra in (self.example_line, self.example_dot, self.example_label):
            extra.setVisible(shown)
        if not shown:
            return
        key, mark = point
        self.example_line.setValue(mark.z)
        self.example_dot.setData([mark.z], [mark.value])
        self.example_label.setText(f"this example: {key}, margin {mark.z:.3g}, "
                                   f"loss {mark.value:.3g}")
        self._place_label(mark.z, mark.value)

    def _place_label(self, z: float, value: float) -> None:
        """Beside the dot, on the side with room (left of it on the right half of the view),
        and inside the view when the dot is above it (the square loss far left)."""
        (x0, x1), (y0, y1) = self.plot.getPlotItem().getViewBox().viewRange()
        right_half = z > (x0 + x1) / 2
        high = value > y0 + 0.75 * (y1 - y0)
        self.example_label.setAnchor((1.0 if right_half else 0.0, 0.0 if high else 1.0))
        self.example_label.setPos(min(max(z, x0), x1), min(max(value, y0), y1))

    def example(self) -> tuple[float, float] | None:
        """(margin, loss) of the marked example, or None."""
        if not self.example_dot.isVisible():
            return None
        xs, ys = self.example_dot.getData()
        return float(xs[0]), float(ys[0])

    def labels(self) -> list[str]:
        return [line.opts["name"] for line in self._lines if line.isVisible()]
