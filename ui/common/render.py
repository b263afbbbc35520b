"""Slide-ready images of a plot or a panel: the screen's look, only with more pixels.

pyqtgraph's ``ImageExporter`` scales the painter, which the legend and text items
ignore (``ItemIgnoresTransformations``) and cosmetic pens ignore too: a 1920-px export
of a 600-px plot had a title three times the screen's and an 11-px legend with hairline
curves. Here the plot is drawn at its own layout on an image whose device pixel ratio
is ``width / layout width`` (Orange's high-DPI export does the same), and every cosmetic
pen is widened by that ratio, so text, legend, lines and markers all grow together.
Before drawing, the legend moves to the corner of the plot that covers the least data
(judged at the size it is drawn, its scale included), or beside the plot when every corner
covers some.

An export must leave the screen exactly as it was. Two things it changed stayed changed:
making room beside the plot raised the plot's minimum width, and the layout grew the plot
to it (Qt resizes a top-level graphics widget to its minimum, never back), so the Descent
loss plot's view box went from 413 to 457 px inside its 474-px widget until the next resize;
``AxisItem.setPen`` recolours the axis label with the pen (the muted grey, not the text
colour) for the screen and for the image itself. ``screen_kept`` puts it all back and lays
the plot out again.
"""

from __future__ import annotations

from contextlib import contextmanager

import numpy as np
import pyqtgraph as pg
import pyqtgraph.exporters  # noqa: F401  (registers pg.exporters)
from PySide6.QtCore import QRectF, Qt
from PySide6.QtGui import QImage, QPainter, QPen
from PySide6.QtWidgets import QWidget

#: Gap between the legend and the plot's edge (logical pixels, as on screen).
LEGEND_MARGIN = 10
#: Corners tried for the legend, the usual one (top right) first: ``(x, y)`` anchors.
CORNERS = ((1, 0), (0, 0), (1, 1), (0, 1))
_SAMPLES_PER_SEGMENT = 8


class _WidePenPainter(QPainter):
    """A painter that widens every cosmetic pen (width in device pixels) by ``scale``."""

    def __init__(self, device: QImage, scale: float):
        super().__init__(device)
        self._scale = scale

    def setPen(self, pen, *args) -> None:  # noqa: N802 (Qt override)
        pen = QPen(pen)
        if pen.isCosmetic() and pen.style() != Qt.PenStyle.NoPen:
            pen.setWidthF(max(pen.widthF(), 1.0) * self._scale)
        super().setPen(pen)


def plot_image(item: pg.PlotItem, width: int) -> QImage:
    """``item`` drawn ``width`` pixels wide, everything in it scaled alike."""
    with screen_kept(item), legend_clear_of_data(item):
        exporter = pg.exporters.ImageExporter(item)
        source = exporter.getSourceRect()
        scale = width / source.width()
        image = QImage(width, max(1, round(source.height() * scale)),
                       QImage.Format.Format_ARGB32)
        image.setDevicePixelRatio(scale)
        background = exporter.parameters()["background"]
        image.fill(background)
        painter = _WidePenPainter(image, scale)
        _widen_axes(item, scale)
        try:
            exporter.setExportMode(True, {"antialias": True, "background": background,
                                          "painter": painter, "resolutionScale": 1.0})
            painter.setRenderHint(QPainter.RenderHint.Antialiasing, True)
            target = QRectF(0, 0, source.width(), source.height())
            exporter.getScene().render(painter, target, source)
        finally:
            exporter.setExportMode(False)
            painter.end()
    image.setDevicePixelRatio(1.0)
    return image


def widget_image(widget: QWidget, width: int | None = None) -> QImage:
    """``widget`` rendered at physical resolution: ``width`` px wide, or at its screen's
    device pixel ratio (a high-DPI screen's sharpness, not an upscaled grab)."""
    size = widget.size()
    scale = width / max(1, size.width()) if width else widget.devicePixelRatioF()
    image = QImage(max(1, round(size.width() * scale)), max(1, round(size.height() * scale)),
                   QImage.Format.Format_ARGB32)
    image.setDevicePixelRatio(scale)
    image.fill(widget.palette().window().color())
    QWidget.render(widget, image)  # QWidget.render: a QGraphicsView hides it with its own
    image.setDevicePixelRatio(1.0)
    return image


def _widen_axes(item: pg.PlotItem, scale: float) -> None:
    """Axes draw from a cached picture that a painter's pen cannot reach: widen their pens
    (grid lines too) for this render; ``screen_kept`` puts them back."""
    for axis in _axes(item):
        pen = QPen(axis.pen())
        pen.setWidthF(max(pen.widthF(), 1.0) * scale)
        _set_axis_pen(axis, pen)


def _axes(item: pg.PlotItem) -> list[pg.AxisItem]:
    return [item.getAxis(side) for side in ("left", "bottom", "right", "top")]


def _set_axis_pen(axis: pg.AxisItem, pen: QPen) -> None:
    """``axis.setPen`` without its side effect of colouring the label like the pen."""
    style = dict(axis.labelStyle)
    axis.setPen(pen)
    if axis.labelStyle != style:
        axis.labelStyle = style
        axis._updateLabel()


@contextmanager
def screen_kept(item: pg.PlotItem):
    """Whatever the block does to lay ``item`` out for an export, the screen gets back its
    own layout afterwards: the plot's geometry and margins, the axes' pens and label styles,
    the legend's parent, anchor and scale. (The room the axes keep for their tick labels is
    left to them: measured again by the export, it stays what the screen measured, and a plot
    never drawn on screen, as in a headless export, must keep what the export measured.)"""
    geometry, margins = item.geometry(), item.layout.getContentsMargins()
    axes = [(axis, QPen(axis.pen())) for axis in _axes(item)]
    legend = item.legend
    kept = None if legend is None else (legend.parentItem(), anchor_of(legend), legend.scale())
    try:
        yield
    finally:
        if kept is not None and legend.parentItem() is not kept[0]:
            legend.setParentItem(kept[0])  # back where it was (the view box, mostly)
        item.layout.setContentsMargins(*margins)
        for axis, pen in axes:
            _set_axis_pen(axis, pen)
        item.setGeometry(geometry)  # the layout only grows a plot to a minimum, never back
        item.layout.activate()
        if kept is not None:
            legend.setScale(kept[2])
            if kept[1] is not None:
                legend.anchor(*kept[1])


@contextmanager
def legend_clear_of_data(item: pg.PlotItem):
    """Place the legend where it covers no data for the duration of the block (inside
    ``screen_kept``, which puts it back)."""
    legend = item.legend
    # A legend the page laid out beside or under the plot (the Loss lab's comparison) covers
    # nothing: moved beside, it took half a 1920-px image for a plot in the other half.
    inside = legend is not None and legend.parentItem() is item.vb
    if inside and legend.isVisible() and legend.items:
        corner, covered = emptiest_corner(item)
        if covered == 0:
            move_legend_to(legend, corner)
        else:
            _anchor_beside(item, legend)
        item.layout.activate()
    yield


def emptiest_corner(item: pg.PlotItem) -> tuple[tuple[int, int], int]:
    """The corner of the plot area whose legend-sized box holds the fewest plotted points
    (lines sampled between their points), and that count (the first of :data:`CORNERS` on
    a tie)."""
    counts = corner_counts(item)
    best = min(counts.values())
    return next(corner for corner in CORNERS if counts[corner] == best), best


def corner_counts(item: pg.PlotItem) -> dict[tuple[int, int], int]:
    """For each corner of the plot area, how many plotted points a legend-sized box there
    would cover."""
    points = _points_in_box_coordinates(item)
    counts = {}
    for corner in CORNERS:
        box = corner_box(item, corner)
        inside = ((points[0] >= box.left()) & (points[0] <= box.right())
                  & (points[1] >= box.top()) & (points[1] <= box.bottom()))
        counts[corner] = int(np.count_nonzero(inside))
    return counts


def corner_box(item: pg.PlotItem, corner: tuple[int, int]) -> QRectF:
    """Where the legend would lie anchored in ``corner``, in the view box's own pixels."""
    size, box = _drawn_size(item.legend), item.vb.boundingRect()
    cx, cy = corner
    left = box.left() + LEGEND_MARGIN if cx == 0 else box.right() - LEGEND_MARGIN - size.width()
    top = box.top() + LEGEND_MARGIN if cy == 0 else box.bottom() - LEGEND_MARGIN - size.height()
    return QRectF(left, top, size.width(), size.height())


def legend_corner(legend: pg.LegendItem) -> tuple[int, int] | None:
    """The corner of its view the legend is anchored in (None: anchored elsewhere)."""
    anchor = anchor_of(legend)
    if anchor is None or anchor[0] is None:
        return None
    corner = (round(anchor[0][0]), round(anchor[0][1]))
    return corner if corner in CORNERS and tuple(anchor[1]) == tuple(anchor[0]) else None


def _points_in_box_coordinates(item: pg.PlotItem) -> np.ndarray:
    """Every drawn point (and points along each line) in the view box's own pixels."""
    xs, ys = [], []
    for x, y, joined in _drawn_series(item):
        good = np.isfinite(x) & np.isfinite(y)
        x, y = x[good], y[good]
        if joined and len(x) > 1:
            t = np.linspace(0, len(x) - 1, (len(x) - 1) * _SAMPLES_PER_SEGMENT + 1)
            index = np.arange(len(x))
            x, y = np.interp(t, index, x), np.interp(t, index, y)
        xs.append(x)
        ys.append(y)
    if not xs:
        return np.zeros((2, 0))
    x, y = np.concatenate(xs), np.concatenate(ys)
    m = item.vb.childTransform()
    return np.vstack([m.m11() * x + m.m21() * y + m.dx(), m.m12() * x + m.m22() * y + m.dy()])


def _drawn_series(item: pg.PlotItem):
    for data in item.listDataItems():
        if not data.isVisible() or hasattr(data, "export_series"):
            continue  # a self-naming item gives its points below
        x, y = data.getData()
        if x is None or y is None or len(x) == 0:
            continue
        pen = data.opts.get("pen") if isinstance(data, pg.PlotDataItem) else None
        joined = pen is not None and pg.mkPen(pen).style() != Qt.PenStyle.NoPen
        yield np.asarray(x, float), np.asarray(y, float), joined
    for child in item.items:
        if hasattr(child, "export_series") and child.isVisible():
            for _name, x, y in child.export_series():
                yield np.asarray(x, float), np.asarray(y, float), True


def anchor_of(legend: pg.LegendItem):
    """The legend's anchor ``(itemPos, parentPos, offset)``, to put it back after export."""
    item_pos = getattr(legend, "_GraphicsWidgetAnchor__itemAnchor", None)
    parent_pos = getattr(legend, "_GraphicsWidgetAnchor__parentAnchor", None)
    offset = getattr(legend, "_GraphicsWidgetAnchor__offset", (0, 0))
    return None if item_pos is None else (item_pos, parent_pos, offset)


def move_legend_to(legend: pg.LegendItem, corner: tuple[int, int]) -> None:
    """Anchor the legend in ``corner`` of its view, :data:`LEGEND_MARGIN` from the edges."""
    cx, cy = corner
    offset = (LEGEND_MARGIN if cx == 0 else -LEGEND_MARGIN,
              LEGEND_MARGIN if cy == 0 else -LEGEND_MARGIN)
    legend.anchor(itemPos=corner, parentPos=corner, offset=offset)


def _drawn_size(legend: pg.LegendItem):
    """The legend's size as drawn, in its parent's pixels: its scale included (a narrow
    plot's legend is scaled down to fit it; unscaled, it seemed to cover every corner)."""
    return legend.mapRectToParent(legend.boundingRect()).size()


def _anchor_beside(item: pg.PlotItem, legend: pg.LegendItem) -> None:
    """Every corner covers data: make room right of the plot area and put the legend there."""
    width = _drawn_size(legend).width() + 2 * LEGEND_MARGIN
    # Off the view box before it shrinks: a page that refits its legend to the view box on
    # every resize (the side-by-side tab wraps it) leaves one elsewhere alone, so the legend
    # keeps the width this room was made for.
    legend.setParentItem(item)
    left, top, right, bottom = item.layout.getContentsMargins()
    item.layout.setContentsMargins(left, top, right + width, bottom)
    item.layout.activate()
    top = item.vb.geometry().top()
    legend.anchor(itemPos=(1, 0), parentPos=(1, 0), offset=(-LEGEND_MARGIN, top))
