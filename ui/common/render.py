"""Slide-ready images of a plot or a panel: the screen's look, only with more pixels.

pyqtgraph's ``ImageExporter`` scales the painter, which the legend and text items
ignore (``ItemIgnoresTransformations``) and cosmetic pens ignore too: a 1920-px export
of a 600-px plot had a title three times the screen's and an 11-px legend with hairline
curves. Here the plot is drawn at its own layout on an image whose device pixel ratio
is ``width / layout width`` (Orange's high-DPI export does the same), and every cosmetic
pen is widened by that ratio, so text, legend, lines and markers all grow together.
Before drawing, the legend moves to the corner of the plot that covers the least data,
or beside the plot when every corner covers some; it is put back afterwards.
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
    with legend_clear_of_data(item):
        exporter = pg.exporters.ImageExporter(item)
        source = exporter.getSourceRect()
        scale = width / source.width()
        image = QImage(width, max(1, round(source.height() * scale)),
                       QImage.Format.Format_ARGB32)
        image.setDevicePixelRatio(scale)
        background = exporter.parameters()["background"]
        image.fill(background)
        painter = _WidePenPainter(image, scale)
        axes = _widen_axes(item, scale)
        try:
            exporter.setExportMode(True, {"antialias": True, "background": background,
                                          "painter": painter, "resolutionScale": 1.0})
            painter.setRenderHint(QPainter.RenderHint.Antialiasing, True)
            target = QRectF(0, 0, source.width(), source.height())
            exporter.getScene().render(painter, target, source)
        finally:
            exporter.setExportMode(False)
            painter.end()
            for axis, pen in axes:
                axis.setPen(pen)
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


def _widen_axes(item: pg.PlotItem, scale: float) -> list[tuple[pg.AxisItem, QPen]]:
    """Axes draw from a cached picture that a painter's pen cannot reach: widen their pens
    (grid lines too) for this render; returns what to put back."""
    saved = []
    for side in ("left", "bottom", "right", "top"):
        axis = item.getAxis(side)
        pen = QPen(axis.pen())
        wide = QPen(pen)
        wide.setWidthF(max(pen.widthF(), 1.0) * scale)
        axis.setPen(wide)
        saved.append((axis, pen))
    return saved


@contextmanager
def legend_clear_of_data(item: pg.PlotItem):
    """Place the legend where it covers no data for the duration of the block."""
    legend = item.legend
    if legend is None or not legend.isVisible() or not legend.items:
        yield
        return
    saved, parent = _anchor_of(legend), legend.parentItem()
    margins = item.layout.getContentsMargins()
    try:
        corner, covered = emptiest_corner(item)
        if covered == 0:
            _anchor_in_corner(legend, corner)
        else:
            _anchor_beside(item, legend)
        item.layout.activate()
        yield
    finally:
        if legend.parentItem() is not parent:  # back where it was (the view box, mostly)
            legend.setParentItem(parent)
        item.layout.setContentsMargins(*margins)
        item.layout.activate()
        if saved is not None:
            legend.anchor(*saved)


def emptiest_corner(item: pg.PlotItem) -> tuple[tuple[int, int], int]:
    """The corner of the plot area whose legend-sized box holds the fewest plotted points
    (lines sampled between their points), and that count."""
    legend = item.legend
    size = legend.boundingRect().size()
    box = item.vb.boundingRect()
    points = _points_in_box_coordinates(item)
    best = (CORNERS[0], -1)
    for cx, cy in CORNERS:
        left = box.left() + LEGEND_MARGIN if cx == 0 else box.right() - LEGEND_MARGIN - size.width()
        top = box.top() + LEGEND_MARGIN if cy == 0 else box.bottom() - LEGEND_MARGIN - size.height()
        inside = ((points[0] >= left) & (points[0] <= left + size.width())
                  & (points[1] >= top) & (points[1] <= top + size.height()))
        count = int(np.count_nonzero(inside))
        if best[1] < 0 or count < best[1]:
            best = ((cx, cy), count)
    return best


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
        if not data.isVisible():
            continue
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


def _anchor_of(legend: pg.LegendItem):
    """The legend's anchor ``(itemPos, parentPos, offset)``, to put it back after export."""
    item_pos = getattr(legend, "_GraphicsWidgetAnchor__itemAnchor", None)
    parent_pos = getattr(legend, "_GraphicsWidgetAnchor__parentAnchor", None)
    offset = getattr(legend, "_GraphicsWidgetAnchor__offset", (0, 0))
    return None if item_pos is None else (item_pos, parent_pos, offset)


def _anchor_in_corner(legend: pg.LegendItem, corner: tuple[int, int]) -> None:
    cx, cy = corner
    offset = (LEGEND_MARGIN if cx == 0 else -LEGEND_MARGIN,
              LEGEND_MARGIN if cy == 0 else -LEGEND_MARGIN)
    legend.anchor(itemPos=corner, parentPos=corner, offset=offset)


def _anchor_beside(item: pg.PlotItem, legend: pg.LegendItem) -> None:
    """Every corner covers data: make room right of the plot area and put the legend there."""
    width = legend.boundingRect().width() + 2 * LEGEND_MARGIN
    left, top, right, bottom = item.layout.getContentsMargins()
    item.layout.setContentsMargins(left, top, right + width, bottom)
    item.layout.activate()
    legend.setParentItem(item)
    top = item.vb.geometry().top()
    legend.anchor(itemPos=(1, 0), parentPos=(1, 0), offset=(-LEGEND_MARGIN, top))
