"""The Descent page's three trajectory plots: the map, loss per step, and the 1-D view.

Each is made once with ``make_plot``. ``set_sweep`` (a new or longer run) hands over
the whole paths; ``set_step`` (a playback frame) grows each drawn path to the step
(its future is not shown, unless ``set_show_whole`` draws it faintly beneath) and
moves the per-step markers and arrows, so playing 64 runs stays cheap.
"""

from __future__ import annotations

from bisect import bisect_right

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import QRectF, Qt
from PySide6.QtWidgets import QGraphicsItem, QGraphicsView

from ui.common import theme
from ui.common.export import name_for_export
from ui.common.plots import make_plot, set_title
from ui.descent.colours import MAP_CONTOUR, MAP_HEAT
from ui.descent.items import (
    CachedCurves,
    GrowingPaths,
    PickableImage,
    StepArrows,
    StillScatter,
    clip_segments,
    grown_buffer,
)
from ui.descent.texts import label_at

MAX_DRAWN_POINTS = 4000  # per static curve: a 100,000-step run is thinned for drawing only
_FAR_START = 1e6  # beyond this a start cannot be framed with the map: its error says where it is
LEGEND_MAX = 10  # more runs than this: the legend names only the first, last and diverged ones
# The optimizer's arrows on the map: none of the runs' Okabe–Ito colours, and each its own
# line style too, so they read apart without colour.
ARROWS = {"-lr·gradient": ("#882255", Qt.PenStyle.DashLine),
          "-lr·velocity": ("#999933", Qt.PenStyle.DotLine),
          "step taken": (None, Qt.PenStyle.SolidLine)}  # None: the theme's foreground


def arrow_color(name: str) -> str:
    """The colour of the optimizer arrow ``name`` on the map."""
    color = ARROWS.get(name, (None, None))[0]
    return color or theme.current().foreground


# The 1-D view's cut is redrawn only when it moved more than this on screen (a playback
# frame of a crawling run moves it a tenth of a pixel; each redraw repaints the whole view).
CURVE_STILL_PX = 0.2
WHOLE_ALPHA = 60  # the whole path, shown faintly beneath the part played so far
# Marker sizes in pixels at the desk; presentation mode scales them as it scales the fonts.
MARKERS = {"minimum": 18, "start": 16, "diverging": 14, "arrow tip": 11}


def _faint(color: str, alpha: int = 150, width: float = 1.6):
    # Thicker cosmetic pens go through Qt's slow stroker: keep many paths at 1 px.
    return pg.mkPen(theme.qcolor(color, alpha), width=width * theme.scale())


def _for_playback(plot: pg.PlotWidget) -> None:
    """Playback repaints the plot every frame: its axes and legend are cached and blitted,
    not redrawn, and a frame repaints the one rect around what changed. (Qt's default, the
    union of the changed rects, makes the painter clip to a region of several rects, and
    a clipped blit of the plot's images then costs more than the larger rect's.)"""
    plot.setViewportUpdateMode(QGraphicsView.ViewportUpdateMode.BoundingRectViewportUpdate)
    item = plot.getPlotItem()
    cached = [item.getAxis(side) for side in ("left", "bottom", "top", "right")]
    for part in cached + ([item.legend] if item.legend is not None else []):
        part.setCacheMode(QGraphicsItem.CacheMode.DeviceCoordinateCache)


class Reached:
    """Which runs' divergence the playback step has reached. A frame costs one bisection;
    :meth:`moved` is true only when the step crosses a run's divergence step (rare), so the
    legend and the crosses are touched then and not on every frame."""

    def __init__(self):
        self.diverged: list = []
        self.step = 0
        self.count = 0  # how many runs are diverging by ``step``
        self._sorted: list[int] = []

    def set_runs(self, diverged: list) -> None:
        self.diverged = list(diverged)
        self._sorted = sorted(at for at in self.diverged if at is not None)
        self.count = bisect_right(self._sorted, self.step)

    def moved(self, step: int) -> bool:
        """Go to ``step``; whether a run's divergence came or went with it."""
        self.step = step
        count = bisect_right(self._sorted, step)
        changed, self.count = count != self.count, count
        return changed


def legend_rows(labels: list[str], diverged: list) -> list[int]:
    """Which runs get a legend entry: all when few, else the ends and the diverged ones."""
    if len(labels) <= LEGEND_MAX:
        return list(range(len(labels)))
    rows = [0, len(labels) - 1] + [k for k, d in enumerate(diverged) if d is not None]
    return sorted(set(rows))[:LEGEND_MAX]


def heat_values(z: np.ndarray, log: bool) -> np.ndarray:
    """What the map colours: the loss, or ``log10`` of its height above the minimum when
    the range is wide (so a narrow valley is not one flat colour)."""
    z = np.asarray(z, dtype=np.float64)
    if not log:
        return z
    finite = z[np.isfinite(z)]
    low = finite.min() if finite.size else 0.0
    span = (finite.max() - low) if finite.size else 1.0
    return np.log10(z - low + max(span, 1e-300) * 1e-6)


class TrajectoryMap:
    """Heat map and contours of the surface, each run's path, its current step, the start."""

    def __init__(self):
        self.plot = make_plot("Where each learning rate goes", "x", "y", name="descent_map")
        self.plot.showGrid(x=False, y=False)  # the contours are the grid here
        _for_playback(self.plot)
        self.image = PickableImage(axisOrder="row-major")
        self.image.setColorMap(MAP_HEAT[theme.current().name])
        self._contours = (np.zeros(0), np.zeros(0))
        self._contour_pen = pg.mkPen(MAP_CONTOUR[theme.current().name], width=1)
        self.minima = StillScatter(symbol="star", size=MARKERS["minimum"],
                                   pen=pg.mkPen("#1A1A1A"), brush=pg.mkBrush("#FFFFFF"))
        self.start = StillScatter(symbol="o", size=MARKERS["start"],
                                  pen=pg.mkPen("#1A1A1A", width=2.5),
                                  brush=pg.mkBrush(None))
        self.arrows = StepArrows(trail=6, edge_arrows=True)
        self.internals = OptimizerArrows()
        self.arrow_legend = pg.LegendItem(offset=(-10, -10), labelTextSize="9pt")
        self.arrow_legend.setParentItem(self.plot.getPlotItem().vb)
        self.arrow_legend.setVisible(False)
        self.diverging = StillScatter(symbol="x", size=MARKERS["diverging"])  # where runs diverge
        self.paths = CachedCurves()  # contours (and every run's whole path, faint), drawn once
        self.growing = GrowingPaths(most=MAX_DRAWN_POINTS)  # each path up to the step
        self._show_whole = False
        self._path: np.ndarray | None = None  # the runs' points, for the faint whole paths
        self._streaming = False  # whether the runs drawn are a partial result
        self._colors: list[str] = []
        self._pen_cache: dict[tuple, tuple[list, list]] = {}
        self._marks_key: tuple = ()
        self._labels: list[str] = []
        self._reached = Reached()  # divergence is labelled once playback is there
        for item in (self.image, self.minima):
            self.plot.addItem(item)
        self._bounds = (-1.0, 1.0, -1.0, 1.0)
        self._drawn: dict[bytes, tuple] = {}  # the last runs' cut paths, by their points
        self._legend_colors: list[str] = []
        for item in (self.paths, self.growing, self.start, self.diverging, self.arrows,
                     *self.internals.curves.values(), *self.internals.heads.values()):
            self.plot.addItem(item)
        # Named for CSV export's columns, without legend rows.
        named = [(self.minima, "known minimum"), (self.start, "start"),
                 (self.diverging, "diverging from here")]
        named += [(item, f"arrow {name}") for name, item in self.internals.curves.items()]
        named += [(item, f"arrow tip {name}") for name, item in self.internals.heads.items()]
        for item, name in named:
            name_for_export(item, name)
        self.restyle()
        # Painted on every playback frame under the moving markers, never changed by one:
        # blitted from Qt's cache instead of drawn again.
        for item in (self.image, self.minima, self.start, self.diverging):
            item.setCacheMode(QGraphicsItem.CacheMode.DeviceCoordinateCache)
        self.image.setZValue(-10)
        self.arrows.setZValue(10)
        self.start.setZValue(11)

    def restyle(self) -> None:
        """Follow the theme: the heat map, contours, start marker and the optimizer arrows.
        (The controller redraws the surface and the run afterwards.)"""
        name = theme.current().name
        self._legend_colors = []  # rebuilt with the theme's pens at the next run
        self._pen_cache = {}
        self.image.setColorMap(MAP_HEAT[name])
        self._contour_pen = pg.mkPen(MAP_CONTOUR[name], width=1)
        scale = theme.scale()
        self.start.setPen(pg.mkPen(theme.current().foreground, width=2.5 * scale))
        for item, name in ((self.minima, "minimum"), (self.start, "start"),
                           (self.diverging, "diverging"),
                           *((head, "arrow tip") for head in self.internals.heads.values())):
            item.setSize(MARKERS[name] * scale)
        self.arrows.set_scale(scale)
        self.arrow_legend.clear()
        for arrow, (_, style) in ARROWS.items():
            color = arrow_color(arrow)
            pen = pg.mkPen(color, width=2.5 * theme.scale(), style=style)
            self.internals.curves[arrow].setPen(pen)
            self.internals.heads[arrow].setBrush(pg.mkBrush(color))
            self.arrow_legend.addItem(pg.PlotDataItem(pen=pen), arrow)
        self.arrow_legend.setLabelTextColor(theme.current().foreground)

    def set_surface(self, grid, info, levels: np.ndarray) -> None:
        """A new surface (or options): heat map, contour lines, minima, axis labels, view."""
        xmin, xmax, ymin, ymax = self._bounds = grid.bounds
        self._drawn = {}  # the paths are cut to the map's bounds
        self.image.setImage(heat_values(grid.z, grid.log_levels), autoLevels=True)
        # Pixel centres on the grid's samples, so the colours line up with the contours.
        dx, dy = (xmax - xmin) / (len(grid.xs) - 1), (ymax - ymin) / (len(grid.ys) - 1)
        self.image.setRect(QRectF(xmin - dx / 2, ymin - dy / 2, xmax - xmin + dx, ymax - ymin + dy))
        self._contours = _contour_lines(grid, levels)
        self._path = None  # the runs are re-run on the new surface
        self._draw_static()
        self.minima.setData(pos=np.array(info.minima or np.zeros((0, 2)), dtype=float))
        item = self.plot.getPlotItem()
        item.setLabel("bottom", info.x_label)
        item.setLabel("left", info.y_label)
        item.vb.setRange(xRange=(xmin, xmax), yRange=(ymin, ymax), padding=0)

    def set_start(self, x: float, y: float) -> None:
        """The start marker; a start off the surface's map widens the view to show it."""
        self.start.setData(pos=[(x, y)])
        xmin, xmax, ymin, ymax = self._bounds
        if not (xmin <= x <= xmax and ymin <= y <= ymax) and all(
                abs(v) < _FAR_START for v in (x, y)):
            self.plot.getPlotItem().vb.setRange(xRange=(min(xmin, x), max(xmax, x)),
                                                yRange=(min(ymin, y), max(ymax, y)),
                                                padding=0.05)

    def set_sweep(self, path: np.ndarray, labels: list[str], diverged: list,
                  colors: list[str], grown_from: int = 0, streaming: bool = False) -> None:
        """Every run's path (handed over once per run, drawn up to the step); ``diverged``:
        the step each run is diverging from (None where it is not), marked with a cross.

        ``grown_from`` > 0: the run drawn last, grown (its first that many points are the
        same), so only the new points are scanned. While ``streaming`` (a partial result) the
        faint whole paths are left out: the whole path is not known yet.
        """
        self._colors = list(colors)
        self._path, self._streaming = path, streaming
        self.growing.set_paths(path, self._pens(colors)[0], grown_from)
        if self._show_whole:
            self._draw_static()
        self.paths.set_export([(label, p[:, 0], p[:, 1]) for label, p in zip(labels, path,
                                                                               strict=True)])
        self._labels = list(labels)
        self._reached.set_runs(diverged)
        self._set_legend(labels, diverged, colors)
        self.arrows.set_points(path, colors, grown_from, self.growing.finite_range)
        self._mark(grown_from)

    def _mark(self, grown_from: int = 0) -> None:
        self._marks_key = _set_marks(self.diverging, self._marks_key, self._path,
                                     self._reached, self._colors, grown_from,
                                     self._show_whole and not self._streaming)

    def _pens(self, colors: list[str]) -> tuple[list, list]:
        """The growing paths' pens and the faint whole paths' pens for ``colors`` (made once
        per set of colours and theme, not per redraw)."""
        key = tuple(colors)
        if key not in self._pen_cache:
            width = 1.6 if len(colors) <= 8 else 1.0
            self._pen_cache = {key: ([_faint(c, alpha=230, width=width) for c in colors],
                                     [_faint(c, alpha=WHOLE_ALPHA, width=width)
                                      for c in colors])}
        return self._pen_cache[key]

    def set_show_whole(self, show: bool) -> None:
        """Show every run's whole path faintly beneath the part played so far."""
        if show != self._show_whole:
            self._show_whole = show
            self._draw_static()
            if self._path is not None:
                self._mark()  # the crosses still to come, faint

    def _draw_static(self) -> None:
        drawn, pens = self._whole_paths() if self._show_whole else ([], [])
        self.paths.set_curves([self._contours, *drawn], [self._contour_pen, *pens])

    def _whole_paths(self) -> tuple[list, list]:
        """The runs' paths cut to the map (thinned), with their faint pens; none while a run
        streams."""
        if self._path is None or self._streaming:
            return [], []
        known, self._drawn = self._drawn, {}
        drawn = []
        for p in self._path:  # a run that did not change (a slider drags another) is not re-cut
            key = p.tobytes()
            self._drawn[key] = known.get(key) or _clip(_thin(p, MAX_DRAWN_POINTS), self._bounds)
            drawn.append(self._drawn[key])
        return drawn, self._pens(self._colors)[1]

    def _set_legend(self, labels: list[str], diverged: list, colors: list[str]) -> None:
        """The legend at the playback step: a run is "diverging at step N" from step N on."""
        legend = self.plot.getPlotItem().legend
        step = self._reached.step
        rows = [(label_at(labels[k], diverged[k], step), colors[k])
                for k in legend_rows(labels, diverged)]
        # Rows are changed in place, not rebuilt: a streaming run finds its diverging runs
        # a few at a time, and rebuilding a legend's rows costs milliseconds on every partial.
        while len(legend.items) > len(rows):
            legend.removeItem(legend.items[-1][0].item)
        known = self._legend_colors
        for k, (text, color) in enumerate(rows):
            if k == len(legend.items):
                # a stand-in item: the legend only reads its pen
                legend.addItem(pg.PlotDataItem(pen=theme.pen(color)), text)
                continue
            sample, label = legend.items[k]
            if k >= len(known) or known[k] != color:
                sample.item.setPen(theme.pen(color))
                sample.update()
            if label.text != text:  # a dragged rate: rename its row, keep the others
                label.setText(text)
        self._legend_colors = [c for _, c in rows]

    def set_step(self, step: int) -> None:
        self.growing.set_step(step)
        self.arrows.set_step(step)
        if self._reached.moved(step) and self._path is not None:  # rare: a divergence crossed
            self._set_legend(self._labels, self._reached.diverged, self._colors)
            self._mark()

    def set_internals(self, internals) -> None:
        """Arrows for the followed run's gradient / momentum / step (None hides them), each
        kind in its own colour, named in the arrows' legend."""
        arrows = {} if internals is None else internals.arrows
        self.internals.set_arrows(None if internals is None else internals.point, arrows)
        if self.arrow_legend.isVisible() != bool(arrows):
            self.arrow_legend.setVisible(bool(arrows))


class OptimizerArrows:
    """The followed run's optimizer arrows: one curve and one tip per kind (``ARROWS``)."""

    def __init__(self):
        self.curves = {name: pg.PlotCurveItem(connect="pairs") for name in ARROWS}
        self.heads = {name: StillScatter(size=MARKERS["arrow tip"], pen=None) for name in ARROWS}
        self._pairs = (np.zeros(0), np.zeros(0))
        self._shown = True  # whether any arrow may be on the map

    def set_arrows(self, point, arrows: dict) -> None:
        """Arrows ``name -> (dx, dy)`` from ``point``; kinds not given are hidden."""
        xs, ys = [], []
        if not arrows and not self._shown:
            return  # hidden already: a playback frame without arrows costs nothing here
        for name in ARROWS:
            curve, head = self.curves[name], self.heads[name]
            if name not in arrows:
                curve.setData([], [])
                head.setData([])
                # Hidden too: an empty item is still painted on every frame.
                curve.setVisible(False)
                head.setVisible(False)
                continue
            (x, y), (dx, dy) = point, arrows[name]
            curve.setData([x, x + dx], [y, y + dy])
            head.setData(pos=[(x + dx, y + dy)], symbol="t1")
            curve.setVisible(True)
            head.setVisible(True)
            xs += [x, x + dx]
            ys += [y, y + dy]
        self._pairs = (np.array(xs), np.array(ys))
        self._shown = bool(arrows)

    def getData(self) -> tuple[np.ndarray, np.ndarray]:  # noqa: N802 (pyqtgraph's name)
        """Every arrow shown, as (start, tip) pairs of x and of y."""
        return self._pairs


class _Cursor(pg.InfiniteLine):
    """The loss plot's line at the current step. It is added with ``ignoreBounds``, so its
    moves never change the y auto-range: it does not tell the view of them, which would
    have the view recompute that range and repaint the whole of itself on every frame."""

    def informViewBoundsChanged(self) -> None:
        pass


class LossPlot:
    """Loss against step for every run, a line at the current step, a dot on each curve."""

    def __init__(self):
        self.plot = make_plot("Too small crawls, too large blows up", "step",
                              "loss (log scale)", log_y=True, legend=False, name="descent_loss")
        self.plot.getPlotItem().getAxis("left").enableAutoSIPrefix(False)
        self.plot.showGrid(x=False, y=True)  # decades only: each grid costs a repaint per frame
        _for_playback(self.plot)
        self.curves = CachedCurves()  # export, and the whole curves when shown faintly
        self.growing = GrowingPaths(most=MAX_DRAWN_POINTS, thin=_envelope_points)
        self._show_whole = False
        self._log = True
        self.cursor = _Cursor(angle=90, pen=pg.mkPen(theme.current().muted, width=1.5))
        self.dots = StepArrows(trail=0, dot=4.5)  # one item for all runs' markers
        self.diverging = StillScatter(symbol="x", size=MARKERS["diverging"])
        self._reached = Reached()  # the crosses appear once playback is there
        self.plot.addItem(self.curves)
        self.plot.addItem(self.growing)
        self.plot.addItem(self.diverging)
        name_for_export(self.diverging, "diverging from here")
        self.plot.addItem(self.cursor, ignoreBounds=True)
        self.plot.addItem(self.dots)
        self._loss = np.zeros((0, 1))
        self._points = np.zeros((0, 1, 2))  # the curves as drawn: (step, mapped loss)
        self._colors: list[str] = []
        self._pen_cache: dict[str, list] = {}
        self._marks_key: tuple = ()
        self._streaming = False
        self._room = 0  # the steps the run drawn will have in the end
        self.dots.setZValue(10)
        # Under the moving cursor and dots, so painted on every playback frame, and changed
        # only when a divergence is reached: blitted from Qt's cache, as on the map.
        self.diverging.setCacheMode(QGraphicsItem.CacheMode.DeviceCoordinateCache)
        self.restyle()  # (a page made in presentation mode: its scale)

    def restyle(self) -> None:
        scale = theme.scale()
        self.cursor.setPen(pg.mkPen(theme.current().muted, width=1.5 * scale))
        self.diverging.setSize(MARKERS["diverging"] * scale)
        self.dots.set_scale(scale)
        self._pen_cache = {}

    def set_log(self, log: bool) -> None:
        self._log = log
        self.plot.getPlotItem().setLogMode(y=log)
        self.plot.getPlotItem().setLabel("left", "loss (log scale)" if log else "loss")
        self._draw_curves()  # every step mapped again

    def set_sweep(self, loss: np.ndarray, colors: list[str],
                  labels: list[str] | None = None, diverged: list | None = None,
                  grown_from: int = 0, streaming: bool = False, room: int = 0) -> None:
        """Every run's loss curve (same colours as the map's legend); a cross where a run is
        diverging from (``diverged``: that step per run, or None).

        ``grown_from`` > 0: the run drawn last, grown (its first that many steps are the
        same), so only the new steps are mapped and scanned. While ``streaming`` (a partial
        result) the faint whole curves are left out. ``room``: the steps the run will have
        in the end (its buffer is made that long once).
        """
        self._room = room
        grown_from = grown_from if (self._points.shape[0] == len(loss)
                                    and self._points.shape[1] >= grown_from) else 0
        self._loss = loss
        if list(colors) != self._colors:
            self._colors = list(colors)
            self._pen_cache = {}
        self._reached.set_runs(diverged if diverged is not None else [None] * len(loss))
        self._streaming = streaming
        self._draw_curves(grown_from)
        steps = np.arange(loss.shape[1], dtype=float)
        names = labels or [f"run {k + 1}" for k in range(len(loss))]
        self.curves.set_export(list(zip(names, [steps] * len(loss), loss, strict=True)))

    def set_steps(self, steps: int) -> None:
        """The whole run's steps on the x axis (a log axis drops the steps where the loss is 0)."""
        vb = self.plot.getPlotItem().vb
        vb.setXRange(0, steps, padding=0.02)
        vb.enableAutoRange(x=False, y=True)

    def _draw_curves(self, grown_from: int = 0) -> None:
        """The curves as (step, loss or log10 loss) points; only the steps from
        ``grown_from`` on are mapped, the others are the last call's."""
        k, t = self._loss.shape
        values = self._loss[:, grown_from:]
        points = grown_buffer(self._points, (k, t), grown_from, self._room)
        points[:, grown_from:, 0] = np.arange(grown_from, t, dtype=float)
        if self._log:  # the plot's log mode does not reach a custom item: map y as it would
            # written in place (no temporaries: a 64 × 10,000 run maps 640,000 values)
            ys = points[:, grown_from:, 1]
            ys.fill(np.nan)
            np.log10(values, out=ys, where=values > 0)
        else:
            points[:, grown_from:, 1] = values
        self._points = points
        pens, faint = self._pens()
        self.growing.set_paths(points, pens, grown_from)
        if self._show_whole and not self._streaming:
            steps = points[0, :, 0] if k else np.zeros(0)
            self.curves.set_curves([_envelope(steps, v, MAX_DRAWN_POINTS)
                                    for v in points[..., 1]], faint)
        else:
            self.curves.set_curves([], [])
        self.dots.set_points(points, self._colors, grown_from, self.growing.finite_range)
        self._mark(grown_from)

    def _mark(self, grown_from: int = 0) -> None:
        self._marks_key = _set_marks(self.diverging, self._marks_key, self._points,
                                     self._reached, self._colors, grown_from,
                                     self._show_whole and not self._streaming)

    def _pens(self) -> tuple[list, list]:
        """The curves' pens and the faint whole curves' pens, made once per set of colours."""
        if not self._pen_cache:
            width = 2.0 if len(self._colors) <= 8 else 1.0
            self._pen_cache = {"pens": [theme.pen(c, width=width) for c in self._colors],
                               "faint": [_faint(c, alpha=WHOLE_ALPHA, width=width)
                                         for c in self._colors]}
        return self._pen_cache["pens"], self._pen_cache["faint"]

    def set_show_whole(self, show: bool) -> None:
        """Show every run's whole loss curve faintly beneath the part played so far."""
        if show != self._show_whole:
            self._show_whole = show
            self._draw_curves()

    def set_step(self, step: int) -> None:
        self.cursor.setValue(step)
        self.growing.set_step(step)
        self.dots.set_step(step)
        if self._reached.moved(step):  # rare: a run's divergence crossed
            self._mark()


class SliceView:
    """The loss along one parameter, each recent step an arrow from point to point."""

    def __init__(self):
        self.plot = make_plot("Each arrow is one step: watch it overshoot", "x", "loss",
                              legend=False, name="descent_slice")
        self.plot.showGrid(x=False, y=False)
        _for_playback(self.plot)
        self.curve = pg.PlotDataItem(pen=pg.mkPen(theme.current().neutral, width=2))
        # Under the arrows, so painted on every playback frame, and changed only when the
        # cut moved on screen: blitted from Qt's cache, as the map's heat image is.
        self.curve.curve.setCacheMode(QGraphicsItem.CacheMode.DeviceCoordinateCache)
        self.arrows = StepArrows(trail=8)
        self.plot.addItem(self.curve)
        name_for_export(self.curve, "loss along the cut")
        self.plot.addItem(self.arrows)
        self.plot.getPlotItem().vb.disableAutoRange()
        self._frame: tuple[float, float, float, float] | None = None
        self._shown: tuple[np.ndarray, np.ndarray] | None = None  # the cut drawn
        self.restyle()  # (a page made in presentation mode: its scale)

    def restyle(self) -> None:
        self.curve.setPen(pg.mkPen(theme.current().neutral, width=2 * theme.scale()))
        self.arrows.set_scale(theme.scale())

    def set_axis_label(self, text: str) -> None:
        self.plot.getPlotItem().setLabel("bottom", text)

    def set_followed(self, lr: float) -> None:
        """Say which run the cut follows."""
        set_title(self.plot, f"Arrows are steps; cut at lr = {float(lr):g}")

    def set_curve(self, ts: np.ndarray, loss: np.ndarray) -> None:
        """The loss along the cut; the view fits it so overshooting runs leave the frame.

        A cut that moved less than ``CURVE_STILL_PX`` on screen from the one drawn (a
        playback frame of a crawling run) is not handed over: the plot is not repainted."""
        if self._same_on_screen(ts, loss):
            return
        self._shown = (np.array(ts, dtype=float), np.array(loss, dtype=float))
        self.curve.setData(ts, loss)
        finite = loss[np.isfinite(loss)]
        if not finite.size:
            return
        low, high = float(finite.min()), float(finite.max())
        pad = 0.08 * (high - low or 1.0)
        wanted = (float(ts[0]), float(ts[-1]), low - pad, high + pad)
        # Re-frame only on a real change: a new range redraws the axes, too slow per frame.
        if self._frame is None or _moved(self._frame, wanted, 0.15):
            self._frame = wanted
            self.plot.getPlotItem().vb.setRange(xRange=wanted[:2], yRange=wanted[2:], padding=0)

    def _same_on_screen(self, ts: np.ndarray, loss: np.ndarray) -> bool:
        """Whether the cut ``ts, loss`` lies within ``CURVE_STILL_PX`` of the one drawn,
        in screen pixels of the view as it is (compared with the drawn curve, not the last
        one given, so skipped moves never add up)."""
        if self._shown is None:
            return False
        shown_ts, shown_loss = self._shown
        if shown_ts.shape != np.shape(ts) or not np.array_equal(shown_ts, ts):
            return False
        loss = np.asarray(loss, dtype=float)
        finite = np.isfinite(loss)
        if not np.array_equal(finite, np.isfinite(shown_loss)):
            return False
        height = self.plot.getPlotItem().vb.viewPixelSize()[1]
        if not (np.isfinite(height) and height > 0):
            return False
        with np.errstate(invalid="ignore", over="ignore"):
            return bool(np.abs(loss[finite] - shown_loss[finite]).max(initial=0.0)
                        <= CURVE_STILL_PX * height)

    def set_sweep(self, points: np.ndarray, colors: list[str], grown_from: int = 0) -> None:
        """``points`` (K, T, 2): the varied parameter and the loss at every step
        (``grown_from``: as :meth:`StepArrows.set_points`)."""
        self.arrows.set_points(points, colors, grown_from)

    def set_step(self, step: int) -> None:
        self.arrows.set_step(step)


def _set_marks(item, key, points: np.ndarray, reached: Reached, colors: list[str],
               grown_from: int, future: bool = False) -> tuple:
    """Put the diverging crosses the playback step has reached (``reached``; with
    ``future``, those still to come too, faint) on ``item``, unless a grown run
    (``grown_from``) has the same ones as last time (``key``); returns the new key. Each
    mark costs a pen and a brush."""
    new = (tuple(reached.diverged), tuple(colors), len(points), reached.count, future)
    if not (grown_from and new == key):
        marks = _diverging_marks(points, reached.diverged, colors, reached.step, future)
        item.setData(**marks)
        item.setVisible(len(marks["pos"]) > 0)  # an empty item is still painted every frame
    return new


def _diverging_marks(points: np.ndarray, diverged: list, colors: list[str],
                     step: int | None = None, future: bool = False) -> dict:
    """ScatterPlotItem data: a cross in the run's colour at the step it is diverging from,
    for the runs whose divergence ``step`` has reached (None: every run); with ``future``,
    the others' crosses faint."""
    marks = [(points[k, at], colors[k], step is not None and at > step)
             for k, at in enumerate(diverged)
             if at is not None and at < points.shape[1] and np.isfinite(points[k, at]).all()
             and (future or step is None or at <= step)]
    width = 2.5 * theme.scale()
    return {"pos": np.array([p for p, _, _ in marks]).reshape(-1, 2),
            "pen": [pg.mkPen(theme.qcolor(c, WHOLE_ALPHA) if later else c, width=width)
                    for _, c, later in marks],
            "brush": [pg.mkBrush(theme.qcolor(c, WHOLE_ALPHA) if later else c)
                      for _, c, later in marks]}


def _thin(points: np.ndarray, most: int) -> np.ndarray:
    """At most about ``most`` points: the first half of them as they are (where a run
    moves most), then every k-th point and the last."""
    if len(points) <= most:
        return points
    head = most // 2
    k = -(-(len(points) - head) // (most - head))
    return np.concatenate([points[:head], points[head::k], points[-1:]])


def _envelope(x: np.ndarray, y: np.ndarray, most: int) -> tuple[np.ndarray, np.ndarray]:
    """Min and max of ``y`` per bin of steps, so thinning keeps spikes and oscillations."""
    if len(y) <= most:
        return x, y
    k = -(-len(y) // (most // 2))
    bins = -(-len(y) // k)
    padded = np.full(bins * k, np.nan)
    padded[:len(y)] = y
    blocks = padded.reshape(bins, k)
    low, high = np.fmin.reduce(blocks, axis=1), np.fmax.reduce(blocks, axis=1)  # NaN-blind
    xs = x[::k][:bins]
    return np.repeat(xs, 2), np.stack([low, high], axis=1).ravel()


def _envelope_points(points: np.ndarray, most: int) -> np.ndarray:
    """``_envelope`` of a curve given as (n, 2) points."""
    return np.stack(_envelope(points[:, 0], points[:, 1], most), axis=-1)


def _moved(old: tuple, new: tuple, tolerance: float) -> bool:
    """Whether a view range changed by more than ``tolerance`` of its size."""
    width, height = old[1] - old[0] or 1.0, old[3] - old[2] or 1.0
    scale = (width, width, height, height)
    return any(abs(a - b) > tolerance * s for a, b, s in zip(old, new, scale, strict=True))


def _clip(points: np.ndarray, bounds) -> tuple[np.ndarray, np.ndarray]:
    """The path's segments cut to a box a map-width around the view, NaN between them.

    A diverging run's points reach 1e6 and beyond; Qt strokes such lines very slowly.
    """
    xmin, xmax, ymin, ymax = bounds
    w, h = xmax - xmin, ymax - ymin
    start, end = clip_segments(points[:-1], points[1:], (xmin - w, xmax + w, ymin - h, ymax + h))
    keep = np.isfinite(start).all(1)
    out = np.full((int(keep.sum()), 3, 2), np.nan)
    out[:, 0], out[:, 1] = start[keep], end[keep]
    out = out.reshape(-1, 2)
    return out[:, 0], out[:, 1]


def _contour_lines(grid, levels: np.ndarray, size: int = 128) -> tuple[np.ndarray, np.ndarray]:
    """Contour polylines of ``grid`` joined by NaN breaks, drawn by pyqtgraph's isocurve."""
    step = max(1, len(grid.xs) // size)
    z, xs, ys = grid.z[::step, ::step], grid.xs[::step], grid.ys[::step]
    dx, dy = (xs[-1] - xs[0]) / (len(xs) - 1), (ys[-1] - ys[0]) / (len(ys) - 1)
    xs_out, ys_out = [], []
    for level in levels:
        for line in pg.isocurve(z.T, level, connected=True):
            line = np.asarray(line)
            # isocurve puts sample i at i + 0.5 (pixel centres)
            xs_out += [xs[0] + (line[:, 0] - 0.5) * dx, [np.nan]]
            ys_out += [ys[0] + (line[:, 1] - 0.5) * dy, [np.nan]]
    if not xs_out:
        return np.zeros(0), np.zeros(0)
    return np.concatenate(xs_out), np.concatenate(ys_out)
