"""Frames of an animation: a page's plots, as laid out on the page, drawn slide-ready.

Each frame is rendered when the encoder asks for it (:mod:`explorer.animation` pulls
them one by one), from whatever the page shows at that moment; a driver moves the page
on between frames (the next playback step, the next epoch).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import QPoint, QPointF, QRectF
from PySide6.QtGui import QColor, QImage, QPainter
from PySide6.QtWidgets import QApplication, QWidget

from explorer.errors import InputError
from ui.common import render, theme


class Cancelled(Exception):
    """The user cancelled the export; the encoder stops and leaves no file."""


@dataclass
class Animation:
    """A lab page ready to animate: ``steps`` drives it, ``plots()`` are the frame's plots,
    ``total`` is how many frames ``steps`` will give."""

    steps: Iterator[object]
    total: int
    plots: Callable[[], list[pg.PlotWidget]]


@dataclass(frozen=True)
class AnimationSource:
    """What a lab page can animate: ``views`` (key -> words for a menu, the default first)
    and ``prepare(page, view)``, which sets the page up and returns its :class:`Animation`.
    A page returns one from ``LabPage.animation_source``."""

    views: dict[str, str]
    prepare: Callable[[QWidget, str], Animation]
    default: Callable[[QWidget], str] | None = None  # the view for the page as it is

    def default_view(self, page: QWidget) -> str:
        """The view that fits ``page`` as it is (e.g. the tab its scene shows)."""
        return self.default(page) if self.default is not None else next(iter(self.views))

    def animation(self, page: QWidget, view: str | None = None) -> Animation:
        """``page``'s animation of ``view`` (default: ``default_view``)."""
        view = self.default_view(page) if view is None else view
        if view not in self.views:
            raise InputError(f"There is no '{view}' animation of this lab: choose "
                             f"{' or '.join(self.views)}.", field="view")
        return self.prepare(page, view)


def compose_frame(page: QWidget, plots: list[pg.PlotWidget], width: int,
                  size: tuple[int, int] | None = None) -> np.ndarray:
    """``plots`` drawn where they sit on ``page``, scaled so they span ``width`` pixels:
    one ``H x W x 3`` RGB array with even sides (what MP4 needs). Plots the page stacks
    taller than wide are drawn side by side instead, each its own size: a frame is for a
    slide, and a slide is landscape. ``size`` ``(W, H)`` fixes the frame's size (the first
    frame's, for the frames after it): the plots are scaled to fit it and centred, so a
    page whose layout moved between frames still gives frames of one size, its plots
    unstretched."""
    rects = [QRectF(plot.mapTo(page, QPoint(0, 0)), plot.size().toSizeF()) for plot in plots]
    union = _union(rects)
    if len(rects) > 1 and union.height() > union.width():
        rects = _in_a_row(rects)
        union = _union(rects)
    if size is None:
        height = round(union.height() * width / union.width())
        size = (width - width % 2, max(2, height - height % 2))
    scale = min(size[0] / union.width(), size[1] / union.height())
    origin = QPointF((size[0] - union.width() * scale) / 2 - union.x() * scale,
                     (size[1] - union.height() * scale) / 2 - union.y() * scale)
    canvas = QImage(*size, QImage.Format.Format_RGB32)
    canvas.fill(QColor(theme.current().background))
    painter = QPainter(canvas)
    try:
        for plot, rect in zip(plots, rects, strict=True):
            target = QRectF(origin.x() + rect.x() * scale, origin.y() + rect.y() * scale,
                            rect.width() * scale, rect.height() * scale)
            _draw_plot(painter, plot.getPlotItem(), target)
    finally:
        painter.end()
    return rgb_array(canvas)


def _union(rects: list[QRectF]) -> QRectF:
    union = QRectF(rects[0])
    for rect in rects[1:]:
        union = union.united(rect)
    return union


def _in_a_row(rects: list[QRectF]) -> list[QRectF]:
    """``rects``' sizes side by side, in their order, centred on the tallest one's middle."""
    tallest = max(rect.height() for rect in rects)
    row, x = [], 0.0
    for rect in rects:
        row.append(QRectF(x, (tallest - rect.height()) / 2, rect.width(), rect.height()))
        x += rect.width()
    return row


def _draw_plot(painter: QPainter, item: pg.PlotItem, target: QRectF) -> None:
    """``item`` drawn in ``target`` pixel for pixel, never resampled: the export may lay a
    plot out wider than it sits on the page (its legend beside it needs the room), and
    drawn into the page's box that picture was stretched (a 336 x 328 plot rendered
    1.45:1, squeezed to 1.02:1). A picture of another shape is fitted whole and centred."""
    image = render.plot_image(item, max(1, int(target.width())))
    if image.height() > target.height():
        fit = int(image.width() * target.height() / image.height())
        image = render.plot_image(item, max(1, fit))
    painter.drawImage(QPointF(round(target.x() + (target.width() - image.width()) / 2),
                              round(target.y() + (target.height() - image.height()) / 2)),
                      image)


def rgb_array(image: QImage) -> np.ndarray:
    """``image`` as an ``H x W x 3`` uint8 array (a copy: it outlives the image)."""
    image = image.convertToFormat(QImage.Format.Format_RGB888)
    rows = np.frombuffer(image.constBits(), np.uint8).reshape(image.height(),
                                                              image.bytesPerLine())
    return rows[:, :image.width() * 3].reshape(image.height(), image.width(), 3).copy()


def frames(
    steps: Iterable[object],
    page: QWidget,
    plots: Callable[[], list[pg.PlotWidget]],
    width: int,
    cancelled: Callable[[], bool] = lambda: False,
    progress: Callable[[int], None] | None = None,
) -> Iterator[np.ndarray]:
    """One frame after each of ``steps`` (a driver that moves the page on); ``plots`` says
    which plots are on show then. ``cancelled`` is asked before every frame."""
    size = None  # the first frame's: every frame has it (an encoder needs one size)
    for index, _step in enumerate(steps):
        QApplication.processEvents()  # the page's own deferred redraws, and a Cancel click
        if cancelled():
            raise Cancelled
        frame = compose_frame(page, plots(), width, size)
        size = (frame.shape[1], frame.shape[0])
        yield frame
        if progress is not None:
            progress(index + 1)
