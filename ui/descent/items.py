"""Graphics items the Descent page's plots share: step arrows, and a map that takes clicks.

``StepArrows`` draws the last few steps of every run as arrows in one paint
call, so a playback frame updates one item instead of one curve per run.
"""

from __future__ import annotations

import functools
import traceback

import numpy as np
import pyqtgraph as pg
from pyqtgraph.Qt.internals import PrimitiveArray
from PySide6.QtCore import QLineF, QPointF, QRectF, Qt, Signal
from PySide6.QtGui import QImage, QPainter, QPainterPath, QPen, QPixmap

HEAD_PX = 9.0  # arrowhead length in screen pixels
SMALL_MOVE = 32  # a playback step of at most this many steps repaints only where it drew
STILL_PX = 0.5  # a growing path is drawn on once its run has moved this far (screen pixels)
_FAR_PX = 1e5  # screen coordinates are clipped here so a diverged run cannot upset the painter


_reported: set[tuple[str, str]] = set()


def _painted_safely(paint):
    """``paint``, but an error in it is printed (once) and the item draws nothing this time.

    An exception that leaves a Python ``paint`` override is not Qt's to handle: PySide
    keeps it set, the item's next calls fail on it, and a few frames later the program
    dies of a segmentation fault. Playback calls these paints every frame; a bug in one
    must cost its picture, not the class's session."""

    @functools.wraps(paint)
    def guarded(self, painter, *args) -> None:
        try:
            paint(self, painter, *args)
        except Exception as exc:  # noqa: BLE001 (any error: reported, never raised into Qt)
            key = (type(self).__name__, repr(exc))
            if key not in _reported:
                _reported.add(key)
                traceback.print_exc()

    return guarded



class StepArrows(pg.GraphicsObject):
    """For each run k, arrows from point t-1 to t for the ``trail`` steps up to the current one.

    ``points`` is ``(K, T, 2)`` in data coordinates (NaN after a run diverged).
    Arrowheads are drawn in screen pixels, so they look the same at any zoom.
    """

    def __init__(self, trail: int = 8, width: float = 2.5, dot: float = 5.5,
                 edge_arrows: bool = False):
        super().__init__()
        self._dot = dot  # radius in pixels of the marker at the current step (0: none)
        self._edge_arrows = edge_arrows  # a marker off the view: an arrow at the edge toward it
        self._last_finite = np.zeros(0, dtype=int)
        self._outline = pg.mkPen("#1A1A1A", width=1.2)
        self._points = np.zeros((0, 1, 2))
        self._pens: list[QPen] = []
        self._colors: list = []
        self._color_names: list[str] = []
        self._range: tuple[np.ndarray, np.ndarray] | None = None  # finite points' min, max
        self._sprites: list[QPixmap] = []  # the dots' atlas (one pixmap, a cell per run)
        self._fragments = PrimitiveArray(QPainter.PixmapFragment, 10)  # one per dot drawn
        self._sprites_ratio: float | None = None
        self._step = 0
        self._trail = trail
        self._width = width
        self._scale = 1.0  # presentation mode's: dots, arrowheads and shafts grow with it
        self._bounds = QRectF()
        self._bounding: QRectF | None = None  # boundingRect's answer for the view drawn
        self._off_view: tuple | None = None  # the last off_view's (step, view) and answer
        self._edge_paths: tuple | None = None  # the edge arrows drawn last, and what for

    def set_points(self, points: np.ndarray, colors: list[str], grown_from: int = 0,
                   finite_range=None) -> None:
        """``grown_from`` > 0: the first that many points of every run are the last call's
        (a streaming run that grew), so only the rest is scanned. ``finite_range``: the
        finite points' (min, max), where the caller has it (a ``GrowingPaths`` given the
        same points), so they are not scanned twice."""
        self.prepareGeometryChange()
        old = self._points
        self._points = np.asarray(points, dtype=np.float64)
        grown_from = _grown(old, self._points, grown_from)
        if list(colors) != self._color_names:
            self._color_names = list(colors)
            self._make_pens()
        self._last_finite = _last_finite(self._points, grown_from, self._last_finite)
        self._off_view = None
        self._range = (_finite_range(self._points, grown_from, self._range)
                       if finite_range is None else finite_range)
        self._bounds = _rect(self._range)
        self._bounding = None
        self.update()

    def _make_pens(self) -> None:
        self._pens = [pg.mkPen(c, width=self._width * self._scale) for c in self._color_names]
        self._colors = [pen.color() for pen in self._pens]
        self._sprites_ratio = None

    def set_scale(self, scale: float) -> None:
        """Draw the dots, arrowheads and shafts ``scale`` times their size (presentation
        mode's scale, so the back row sees the markers as it reads the fonts)."""
        if scale != self._scale:
            self.prepareGeometryChange()
            self._scale = float(scale)
            self._make_pens()
            self._edge_paths = None
            self._bounding = None
            self.update()

    @property
    def step(self) -> int:
        """The step whose markers are drawn."""
        return self._step

    def set_step(self, step: int) -> None:
        """Move the markers (and arrows) to ``step``; a small move repaints only around the
        old and the new ones, so a playback frame does not repaint the whole plot."""
        if step == self._step:
            return
        old, self._step = self._step, step
        last = self._points.shape[1] - 1
        lo, hi = min(old, step, last), min(max(old, step), last)
        rects = None
        if hi - lo <= SMALL_MOVE and not (self._edge_arrows and (self.off_view(old)
                                                                  or self.off_view(step))):
            rects = _run_rects(self, self._points, lo - self._trail, hi,
                               (HEAD_PX + self._dot + self._width) * self._scale + 4)
        _update(self, rects)

    def set_trail(self, trail: int) -> None:
        self._trail = max(1, int(trail))
        self.update()

    def boundingRect(self) -> QRectF:
        # Only the visible part: a diverged run's far-off points must not make every
        # frame repaint the whole plot, axes included.
        # (The view clips its items, so nothing outside the view rect is ever drawn.)
        # Qt asks several times per frame; it changes only with the points or the view.
        if self._bounding is None:
            view = self.viewRect()
            if view is None:
                return QRectF(self._bounds)
            pad = 12 * self._scale
            px, py = (pad * (v or 0.0) for v in (self.pixelWidth(), self.pixelHeight()))
            self._bounding = self._bounds.adjusted(-px, -py, px, py).intersected(view)  # dots
        return QRectF(self._bounding)

    def viewRangeChanged(self) -> None:
        self._bounding = None
        self.prepareGeometryChange()

    def viewTransformChanged(self) -> None:
        self._bounding = None  # a resized view: other pixel sizes
        super().viewTransformChanged()
        self.prepareGeometryChange()

    def dataBounds(self, ax, frac=1.0, orthoRange=None):  # for the ViewBox's auto-range
        return None

    @_painted_safely
    def paint(self, painter, *args) -> None:
        t = min(self._step, self._points.shape[1] - 1)
        if t < 0 or not self._pens:
            return
        window = self._points[:, max(0, t - self._trail):t + 1]
        transform = painter.transform()
        screen = _to_screen(transform, window)
        device = painter.device()
        box = (-50.0, device.width() + 50.0, -50.0, device.height() + 50.0)
        painter.save()
        try:  # restored whatever happens: an unbalanced painter crashes Qt
            painter.resetTransform()
            painter.setRenderHint(painter.RenderHint.Antialiasing, True)
            # (a trail of 0 steps, the loss plot's dots, has no arrows to make)
            arrows = (_arrow_paths(screen, box, HEAD_PX * self._scale) if window.shape[1] > 1
                      else [None] * len(self._pens))
            for pen, paths in zip(self._pens, arrows, strict=True):
                if paths is not None:
                    painter.setPen(pen)
                    painter.setBrush(Qt.BrushStyle.NoBrush)
                    painter.drawPath(paths[0])
                    painter.setPen(Qt.PenStyle.NoPen)
                    painter.setBrush(pen.color())
                    painter.drawPath(paths[1])
            if self._dot > 0:
                self._paint_dots(painter, screen[:, -1])
            if self._edge_arrows:
                self._paint_edge_arrows(painter, transform, t)
        finally:
            painter.restore()

    def off_view(self, step: int | None = None) -> list[tuple[int, tuple[float, float]]]:
        """The runs whose marker at ``step`` (default the current one) lies outside the view,
        each with the unit direction (data coordinates) from the view's centre toward it."""
        view = self.viewRect()
        if view is None or not self._pens:
            return []
        t = min(self._step if step is None else step, self._points.shape[1] - 1)
        box = (view.left(), view.right(), view.top(), view.bottom())
        key = (t, box)
        if self._off_view is not None and self._off_view[0] == key:
            return self._off_view[1]  # set_step asked for it, and now paint does
        at = np.minimum(t, self._last_finite)
        runs = np.flatnonzero(at >= 0)
        x, y = self._points[runs, at[runs]].T
        outside = ~((box[0] <= x) & (x <= box[1]) & (box[2] <= y) & (y <= box[3]))
        runs, x, y = runs[outside], x[outside], y[outside]
        # in units of the view's half-size, so the direction is the one seen on screen
        dx = (x - view.center().x()) / (view.width() / 2 or 1.0)
        dy = (y - view.center().y()) / (view.height() / 2 or 1.0)
        with np.errstate(invalid="ignore", over="ignore", divide="ignore"):
            norm = np.hypot(dx, dy)
            ok = np.isfinite(norm) & (norm > 0)
            found = [(k, (u, v)) for k, u, v in zip(runs[ok].tolist(), (dx[ok] / norm[ok]).tolist(),
                                                    (dy[ok] / norm[ok]).tolist(), strict=True)]
        self._off_view = (key, found)
        return found

    def _paint_edge_arrows(self, painter, transform, t: int) -> None:
        view = self.viewRect()
        found = self.off_view(t)
        key = (transform.m11(), transform.m12(), transform.m21(), transform.m22(),
               transform.dx(), transform.dy(), view.getRect(), tuple(found))
        if self._edge_paths is None or self._edge_paths[0] != key:  # usually the last frame's
            self._edge_paths = (key, _edge_arrow_paths(transform, view, found,
                                                       HEAD_PX * self._scale))
        painter.setPen(self._outline)
        for k, path in self._edge_paths[1]:
            painter.setBrush(self._colors[k])
            painter.drawPath(path)

    def _paint_dots(self, painter, points: np.ndarray) -> None:
        # Blitting a ready-made dot is several times cheaper than filling a circle, and one
        # call blits them all: each run's dot is a cell of one pixmap, drawn as a fragment
        # centred on its point (as pyqtgraph's ScatterPlotItem draws its symbols).
        ratio = painter.device().devicePixelRatioF()
        if self._sprites_ratio != ratio:
            self._sprites = [_dot_atlas(self._colors, self._dot * self._scale, self._outline,
                                        ratio)]
            self._sprites_ratio = ratio
        visible = np.flatnonzero(np.isfinite(points).all(-1))
        if not visible.size:
            return
        atlas = self._sprites[0]
        cell = atlas.height()  # device pixels
        self._fragments.resize(visible.size)
        fragments = self._fragments.ndarray()
        fragments[:, 0:2] = points[visible]  # the centre
        fragments[:, 2] = visible * cell  # the source rect: the run's cell
        fragments[:, 3] = 0.0
        fragments[:, 4:6] = cell
        fragments[:, 6:10] = (1.0 / ratio, 1.0 / ratio, 0.0, 1.0)  # scale, rotation, opacity
        painter.drawPixmapFragments(*self._fragments.drawargs(), atlas)


def _edge_arrow_paths(transform, view: QRectF, found, head: float = HEAD_PX
                      ) -> list[tuple[int, QPainterPath]]:
    """Per run off the view (``StepArrows.off_view``'s ``found``), an arrowhead (screen
    pixels) just inside the view's edge where the ray from its centre toward the run leaves."""
    corners = _to_screen(transform, np.array([[view.left(), view.top()],
                                              [view.right(), view.bottom()]]))
    (x0, y0), (x1, y1) = corners.min(0), corners.max(0)
    cx, cy = (x0 + x1) / 2, (y0 + y1) / 2
    inset = head * 1.6
    m = np.array([[transform.m11(), transform.m12()], [transform.m21(), transform.m22()]])
    paths = []
    for k, d in found:
        # the direction on screen: the data direction (in view half-sizes) through the
        # transform's linear part, scaled back to data units first
        data_dir = np.array(d) * np.array([view.width() / 2, view.height() / 2])
        u = data_dir @ m
        u = u / (np.hypot(*u) or 1.0)
        # where the ray from the centre leaves the inset box
        scale = min((abs((x1 - x0) / 2 - inset) / abs(u[0])) if u[0] else np.inf,
                    (abs((y1 - y0) / 2 - inset) / abs(u[1])) if u[1] else np.inf)
        tip = np.array([cx, cy]) + u * scale
        size = head * 1.5
        normal = np.array([-u[1], u[0]]) * size * 0.55
        base = tip - u * size
        path = QPainterPath(QPointF(*tip))
        path.lineTo(QPointF(*(base + normal)))
        path.lineTo(QPointF(*(base - normal)))
        path.closeSubpath()
        paths.append((k, path))
    return paths


class StillScatter(pg.ScatterPlotItem):
    """A ScatterPlotItem that keeps its bounding rect until its points, its spots' sizes or
    the view change: Qt asks several times per playback frame for the rect of every marker
    it repaints around, and each answer scans the data bounds and measures pixel sizes."""

    _rect: QRectF | None = None

    def boundingRect(self) -> QRectF:
        if self._rect is None:
            self._rect = super().boundingRect()
        return QRectF(self._rect)

    def prepareGeometryChange(self) -> None:  # new points, a new view transform
        self._rect = None
        super().prepareGeometryChange()

    def informViewBoundsChanged(self) -> None:
        self._rect = None
        super().informViewBoundsChanged()

    def viewRangeChanged(self) -> None:
        self._rect = None
        super().viewRangeChanged()

    def viewTransformChanged(self) -> None:
        self._rect = None
        super().viewTransformChanged()

    def updateSpots(self, *args, **kwargs) -> None:  # new sizes: another pixel padding
        self._rect = None
        super().updateSpots(*args, **kwargs)
        self._rect = None

    def invalidate(self) -> None:
        self._rect = None
        super().invalidate()


def _dot_atlas(colors: list, radius: float, outline: QPen, ratio: float) -> QPixmap:
    """One row of dots, one square cell (``2 * (radius + 2)`` pixels) per colour."""
    size = 2 * (radius + 2)
    cell = round(size * ratio)
    pixmap = QPixmap(max(1, cell * len(colors)), cell)
    pixmap.setDevicePixelRatio(ratio)
    pixmap.fill(Qt.GlobalColor.transparent)
    painter = QPainter(pixmap)
    painter.setRenderHint(QPainter.RenderHint.Antialiasing, True)
    painter.setPen(outline)
    for k, color in enumerate(colors):
        painter.setBrush(color)
        painter.drawEllipse(QPointF(k * cell / ratio + size / 2, size / 2), radius, radius)
    painter.end()
    return pixmap


def _run_rects(item, points: np.ndarray, first: int, last: int, pad_px: float):
    """The rect (item coordinates) around every run's points ``first..last``, padded by
    ``pad_px`` screen pixels, as a list of one (none when no run has a point there); None
    where that cannot be bounded (no view yet, or a point that overflowed), so the caller
    repaints the whole item.

    One rect for all runs, not one per run: Qt merges a view's many small dirty rects into
    their bounding rect anyway, and 64 rects cost more to make than the repaint they save.
    """
    part = points[:, max(0, first):last + 1]
    if part.shape[1] == 0:
        return []
    px, py = item.pixelWidth(), item.pixelHeight()
    if not (px and py) or np.isinf(part).any():
        return None
    xs, ys = part[..., 0], part[..., 1]
    # a run counts where it has a point in both coordinates (an all-NaN run has diverged)
    keep = ~(np.isnan(xs).all(1) | np.isnan(ys).all(1))
    if not keep.all():
        xs, ys = xs[keep], ys[keep]
    if not xs.size:
        return []
    # fmin / fmax skip NaN (as nanmin does, without its checks); each kept run has a number
    x0, x1, y0, y1 = (_clip6(float(f.reduce(v, axis=None)))
                      for v in (xs, ys) for f in (np.fmin, np.fmax))
    dx, dy = pad_px * abs(px), pad_px * abs(py)
    return [QRectF(x0 - dx, y0 - dy, x1 - x0 + 2 * dx, y1 - y0 + 2 * dy)]


def _clip6(value: float) -> float:
    return min(max(value, -1e6), 1e6)


def _update(item, rects) -> None:
    """Schedule a repaint of ``rects`` (item coordinates), or of the whole item if None."""
    if rects is None:
        item.update()
        return
    for rect in rects:
        item.update(rect)


def _grown(old: np.ndarray, new: np.ndarray, grown_from: int) -> int:
    """``grown_from`` if ``new`` can be the run of ``old`` grown (same runs, no shorter), else 0."""
    if grown_from <= 0 or old.shape[0] != new.shape[0] or old.shape[1] < grown_from:
        return 0
    return min(int(grown_from), new.shape[1])


def grown_buffer(buffer: np.ndarray, shape: tuple[int, int], grown_from: int,
                 room: int = 0) -> np.ndarray:
    """A (K, T, 2) array for a run's points that keeps ``buffer``'s first ``grown_from``
    steps: a view of ``buffer`` when it has room, else a larger copy (twice the steps, so a
    run that grows by small chunks is copied only a few times). The caller fills the rest.

    ``room``: how many steps the run will have in the end (a streaming run's whole length),
    so a new buffer is made that long once and a run that grows is never copied."""
    k, t = shape
    if grown_from and buffer.shape[0] == k and buffer.shape[1] >= grown_from:
        if buffer.base is not None and buffer.base.shape[1] >= t:
            return buffer.base[:, :t]
        larger = np.empty((k, max(t, 2 * buffer.shape[1], room), 2))
        larger[:, :grown_from] = buffer[:, :grown_from]
        return larger[:, :t]
    return np.empty((k, max(t, room), 2))[:, :t]


def _finite_range(points: np.ndarray, grown_from: int, old):
    """(min, max) over the finite points of ``points`` (K, T, 2), clipped to ±1e6, or None;
    with ``grown_from``, only the points from there on are read and ``old`` is widened.

    x and y are reduced as whole arrays (numpy reduces a length-2 axis slowly), and a
    point is used only where both are finite.
    """
    xs, ys = points[:, grown_from:, 0], points[:, grown_from:, 1]
    ok = np.isfinite(xs) & np.isfinite(ys)
    if not ok.all():
        xs, ys = xs[ok], ys[ok]
    if not xs.size:
        return old if grown_from else None
    # clipping is monotone, so clipping the extremes equals the extremes of the clipped points
    lo = np.clip(np.array([xs.min(), ys.min()]), -1e6, 1e6)
    hi = np.clip(np.array([xs.max(), ys.max()]), -1e6, 1e6)
    if grown_from and old is not None:
        return np.minimum(old[0], lo), np.maximum(old[1], hi)
    return lo, hi


def _rect(found) -> QRectF:
    if found is None:
        return QRectF()
    lo, hi = found
    return QRectF(lo[0], lo[1], hi[0] - lo[0], hi[1] - lo[1])


def _last_finite(points: np.ndarray, grown_from: int, old: np.ndarray) -> np.ndarray:
    """Per run, the index of its last finite point (-1: none); with ``grown_from``, only the
    points from there on are read and ``old`` is kept where they hold none."""
    if grown_from and grown_from >= points.shape[1]:
        return old  # nothing new
    finite_rows = np.isfinite(points[:, grown_from:, 0]) & np.isfinite(points[:, grown_from:, 1])
    found = finite_rows.any(1)
    last = grown_from + finite_rows.shape[1] - 1 - np.argmax(finite_rows[:, ::-1], 1)
    fallback = old if grown_from else np.full(len(points), -1)
    return np.where(found, last, fallback)


def _same_range(a, b) -> bool:
    if a is None or b is None:
        return a is b
    return bool((a[0] == b[0]).all() and (a[1] == b[1]).all())


def _to_screen(transform, points: np.ndarray) -> np.ndarray:
    m = np.array([[transform.m11(), transform.m12()], [transform.m21(), transform.m22()]])
    offset = np.array([transform.dx(), transform.dy()])
    with np.errstate(invalid="ignore", over="ignore"):  # inf × 0 from an overflowed run
        return np.clip(points @ m + offset, -_FAR_PX, _FAR_PX)


def clip_segments(a: np.ndarray, b: np.ndarray, box) -> tuple[np.ndarray, np.ndarray]:
    """Segments ``a -> b`` (``(..., 2)``) cut to ``box`` = (xmin, xmax, ymin, ymax)
    (Liang–Barsky); segments wholly outside become NaN. Their directions are kept,
    which clamping the points would not do."""
    if a.size:
        low, high = np.minimum(a, b).reshape(-1, 2).min(0), np.maximum(a, b).reshape(-1, 2).max(0)
        if box[0] <= low[0] and high[0] <= box[1] and box[2] <= low[1] and high[1] <= box[3]:
            return a.copy(), b.copy()  # all inside (the usual frame), none NaN: as they are
    d = b - a
    t0, t1 = np.zeros(a.shape[:-1]), np.ones(a.shape[:-1])
    with np.errstate(divide="ignore", invalid="ignore", over="ignore"):
        for p, q in ((-d[..., 0], a[..., 0] - box[0]), (d[..., 0], box[1] - a[..., 0]),
                     (-d[..., 1], a[..., 1] - box[2]), (d[..., 1], box[3] - a[..., 1])):
            ratio = q / p
            t0 = np.where(p < 0, np.maximum(t0, ratio), t0)
            t1 = np.where(p > 0, np.minimum(t1, ratio), t1)
            t1 = np.where((p == 0) & (q < 0), -1.0, t1)  # parallel to an edge and outside
    outside = ~(np.isfinite(d).all(-1) & (t0 <= t1))
    start, end = a + t0[..., None] * d, a + t1[..., None] * d
    start[outside] = np.nan
    end[outside] = np.nan
    return start, end


def _arrow_paths(screen: np.ndarray, box, head: float = HEAD_PX
                 ) -> list[tuple[QPainterPath, QPainterPath] | None]:
    """Per run, its steps' shafts (stroked) and heads (filled), built with numpy.

    Shafts are cut to ``box`` (screen pixels) and heads off screen are left out:
    Qt strokes far-off lines slowly. Filling must not touch the shafts either: a
    filled two-point subpath costs milliseconds for a long line.
    """
    paths: list[tuple[QPainterPath, QPainterPath] | None] = [None] * screen.shape[0]
    a, b = screen[:, :-1], screen[:, 1:]  # (K, S, 2): the segments' ends
    d = b - a
    length = np.hypot(d[..., 0], d[..., 1])
    ok = np.isfinite(length) & (length >= 1.0)
    runs = np.flatnonzero(ok.any(1))  # most runs of a long playback stand still: skip them
    if not runs.size:
        return paths
    a, b, d, length, ok = a[runs], b[runs], d[runs], length[runs], ok[runs]
    with np.errstate(invalid="ignore", divide="ignore"):
        u = d / length[..., None]
    size = np.minimum(head, 0.6 * length)[..., None]
    base = b - u * size
    normal = np.stack([-u[..., 1], u[..., 0]], axis=-1) * size * 0.45
    shaft_a, shaft_b = clip_segments(a, b, box)
    shaft_ok = ok & np.isfinite(shaft_a).all(-1)
    head_ok = ok & ((b[..., 0] >= box[0]) & (b[..., 0] <= box[1])
                    & (b[..., 1] >= box[2]) & (b[..., 1] <= box[3]))
    shafts = np.stack([shaft_a, shaft_b], axis=2)  # (n, S, 2, 2)
    heads = np.stack([base + normal, base - normal, b], axis=2)  # (n, S, 3, 2)
    for i in np.flatnonzero(shaft_ok.any(1)).tolist():
        paths[runs[i]] = (_polylines(shafts[i, shaft_ok[i]]), _polylines(heads[i, head_ok[i]]))
    return paths


def _polylines(parts: np.ndarray) -> QPainterPath:
    """One path of ``parts`` (n, m, 2): n separate polylines of m points each."""
    n, m = parts.shape[:2]
    if n == 0:
        return QPainterPath()
    connect = np.ones((n, m), dtype=bool)
    connect[:, -1] = False
    pts = parts.reshape(-1, 2)
    return pg.arrayToQPath(pts[:, 0], pts[:, 1], connect=connect.ravel())


class PickableImage(pg.ImageItem):
    """The heat map; a left click or drag on it reports the point in data coordinates.

    Right-drag and the wheel still pan and zoom the view.
    """

    picked = Signal(float, float)

    def mouseClickEvent(self, ev) -> None:
        if ev.button() == Qt.MouseButton.LeftButton:
            ev.accept()
            self._report(ev.pos())
        else:
            super().mouseClickEvent(ev)

    def mouseDragEvent(self, ev) -> None:
        if ev.button() != Qt.MouseButton.LeftButton:
            ev.ignore()
            return
        ev.accept()
        self._report(ev.pos())

    def _report(self, pos: QPointF) -> None:
        point = self.mapToParent(pos)  # the parent is the view's data-coordinate group
        self.picked.emit(point.x(), point.y())


class CachedCurves(pg.GraphicsObject):
    """Many static curves (one per run) painted once into an image, then reused.

    A playback frame repaints the plot for its moving markers; redrawing 64
    thousand-step paths each time would cost far more than the frame. The
    image is redrawn only when the data, the view or the paint device changes.
    """

    def __init__(self):
        super().__init__()
        self._paths: list[QPainterPath] = []
        self._pens: list[QPen] = []
        self._bounds = QRectF()
        self._data_bounds = ((0.0, 0.0), (0.0, 0.0))
        self._cache: dict[tuple, QImage] = {}
        self._series: list[tuple[str, np.ndarray, np.ndarray]] = []
        self._known: dict[tuple[bytes, bytes], QPainterPath] = {}  # the last curves' paths

    def set_export(self, series: list[tuple[str, np.ndarray, np.ndarray]]) -> None:
        """What CSV export and ``export.plotted_data`` get: full-resolution (name, x, y)."""
        self._series = list(series)

    def export_series(self) -> list[tuple[str, np.ndarray, np.ndarray]]:
        return list(self._series)

    def set_curves(self, curves: list[tuple[np.ndarray, np.ndarray]], pens: list[QPen]) -> None:
        """``curves``: (x, y) per run, NaN where there is nothing to draw."""
        self.prepareGeometryChange()
        # A slider drags one run: the other curves are unchanged, so their paths are reused.
        known, self._known = self._known, {}
        self._paths = []
        for x, y in curves:
            x, y = np.asarray(x, float), np.asarray(y, float)
            key = (x.tobytes(), y.tobytes())
            path = known.get(key)
            if path is None:
                path = pg.arrayToQPath(x, y, connect="finite")
            self._known[key] = path
            self._paths.append(path)
        self._pens = list(pens)
        xs = np.concatenate([np.asarray(x, float) for x, _ in curves] or [np.zeros(0)])
        ys = np.concatenate([np.asarray(y, float) for _, y in curves] or [np.zeros(0)])
        ok = np.isfinite(xs) & np.isfinite(ys)
        if ok.any():
            self._data_bounds = ((xs[ok].min(), xs[ok].max()), (ys[ok].min(), ys[ok].max()))
            (x0, x1), (y0, y1) = self._data_bounds
            self._bounds = QRectF(x0, y0, x1 - x0, y1 - y0)
        else:
            self._bounds = QRectF()
        self._cache.clear()
        self.informViewBoundsChanged()  # so the view's auto-range sees the new data
        self.update()

    def pens(self) -> list[QPen]:
        return list(self._pens)

    def boundingRect(self) -> QRectF:
        return self._bounds

    def dataBounds(self, ax, frac=1.0, orthoRange=None):
        return self._data_bounds[ax] if self._paths else None

    @_painted_safely
    def paint(self, painter, *args) -> None:
        if not self._paths:
            return
        device = painter.device()
        t = painter.transform()
        key = (t.m11(), t.m12(), t.m21(), t.m22(), t.dx(), t.dy(), device.width(),
               device.height())
        image = self._cache.get(key)
        if image is None:
            image = self._render(t, device)
            if len(self._cache) >= 2:  # the screen and one grab, alternating
                self._cache.pop(next(iter(self._cache)))
            self._cache[key] = image
        painter.save()
        painter.resetTransform()
        painter.drawImage(0, 0, image)
        painter.restore()

    def _render(self, transform, device) -> QImage:
        ratio = device.devicePixelRatioF()
        width, height = (max(1, round(n * ratio)) for n in (device.width(), device.height()))
        image = QImage(width, height, QImage.Format.Format_ARGB32_Premultiplied)
        image.setDevicePixelRatio(ratio)
        image.fill(Qt.GlobalColor.transparent)
        painter = QPainter(image)
        try:
            painter.setRenderHint(QPainter.RenderHint.Antialiasing, True)
            painter.setTransform(transform)
            for path, pen in zip(self._paths, self._pens, strict=True):
                painter.setPen(pen)
                painter.drawPath(path)
        finally:
            painter.end()
        return image


def thin_indices(count: int, most: int) -> np.ndarray:
    """Indices of at most about ``most`` of ``count`` points: the first half of them as
    they are (where a run moves most), then every k-th one and the last."""
    if count <= most:
        return np.arange(count)
    head = most // 2
    k = -(-(count - head) // (most - head))
    return np.unique(np.concatenate([np.arange(head), np.arange(head, count, k), [count - 1]]))


class GrowingPaths(pg.GraphicsObject):
    """Every run's path from its start up to the current step, nothing of its future.

    The paths are painted into an image that grows with the step: a playback frame
    adds only the segments since the last frame (a few per run) and blits the image,
    so its cost does not grow with the steps already drawn. Stepping back, a new
    view or a new paint device repaints the image once (thinned to about
    ``most`` points per run).
    """

    def __init__(self, most: int = 4000, thin=None):
        super().__init__()
        self._most = most
        self._thin = thin  # (points (n, 2)) -> points to draw for them, or None: every k-th
        self._points = np.zeros((0, 1, 2))
        self._pens: list[QPen] = []
        self._width = 1.0  # the widest pen's
        self._step = 0
        self._image: QImage | None = None
        self._key: tuple | None = None
        self._drawn = -1  # the step the image shows
        self._trace = _Trace(0)  # where each run's drawn path ends, for the next frame
        self._bounds = QRectF()
        self._range: tuple[np.ndarray, np.ndarray] | None = None  # finite points' min, max
        self._data_bounds: tuple | None = None

    def set_paths(self, points: np.ndarray, pens: list[QPen], grown_from: int = 0) -> None:
        """``points`` (K, T, 2) in data coordinates (NaN where there is nothing to draw).

        ``grown_from`` > 0: the first that many points of every run are the last call's (a
        streaming run that grew): only the rest is scanned, and the image drawn so far is
        kept when it shows none of the new points.
        """
        self.prepareGeometryChange()
        old = self._points
        self._points = np.asarray(points, dtype=np.float64)
        grown_from = _grown(old, self._points, grown_from)
        same_pens = list(pens) == self._pens
        self._pens = list(pens)
        self._width = max((pen.widthF() for pen in self._pens), default=1.0)
        found = _finite_range(self._points, grown_from, self._range)
        moved = not grown_from or not _same_range(found, self._range)
        self._range = found
        self._bounds = _rect(found)
        self._data_bounds = None if found is None else (
            (found[0][0], found[1][0]), (found[0][1], found[1][1]))
        if not (grown_from and same_pens and self._drawn < grown_from):
            self._key = None
        if moved:
            self.informViewBoundsChanged()
        self.update()

    @property
    def finite_range(self):
        """The finite points' (min, max) per coordinate, or None when there are none."""
        return self._range

    @property
    def step(self) -> int:
        """The last step drawn."""
        return self._step

    def set_step(self, step: int) -> None:
        """Draw the paths up to ``step``; a few steps on repaint only around the new segments."""
        step = int(step)
        if step == self._step:
            return
        old, self._step = self._step, step
        rects = None
        if self._key is not None and self._drawn == old and 0 < step - old <= SMALL_MOVE:
            rects = _run_rects(self, self._points, old, step, self._width + 3)
        _update(self, rects)

    def drawn_points(self, k: int) -> np.ndarray:
        """Run ``k``'s points up to the current step: what is on screen for it."""
        return self._points[k, :min(self._step, self._points.shape[1] - 1) + 1]

    def boundingRect(self) -> QRectF:
        # The image covers the view (a flat path has an empty rect of its own); the view
        # clips the rest, and the axes outside it are not repainted per frame.
        view = self.viewRect()
        return self._bounds if view is None else view

    def viewRangeChanged(self) -> None:
        self.prepareGeometryChange()

    def dataBounds(self, ax, frac=1.0, orthoRange=None):
        # The whole run's range, so the axes do not move while it plays.
        return None if self._data_bounds is None else self._data_bounds[ax]

    @_painted_safely
    def paint(self, painter, *args) -> None:
        if not self._pens or self._points.shape[1] == 0:
            return
        device = painter.device()
        t = painter.transform()
        key = (t.m11(), t.m12(), t.m21(), t.m22(), t.dx(), t.dy(), device.width(),
               device.height(), device.devicePixelRatioF())
        step = min(self._step, self._points.shape[1] - 1)
        if key != self._key or step < self._drawn:
            self._image = self._blank(device)
            self._key, self._drawn = key, -1
        if step > self._drawn:
            self._extend(t, step)
        painter.save()
        painter.resetTransform()
        painter.drawImage(0, 0, self._image)
        painter.restore()

    def _blank(self, device) -> QImage:
        ratio = device.devicePixelRatioF()
        size = (max(1, round(n * ratio)) for n in (device.width(), device.height()))
        image = QImage(*size, QImage.Format.Format_ARGB32_Premultiplied)
        image.setDevicePixelRatio(ratio)
        image.fill(Qt.GlobalColor.transparent)
        return image

    def _extend(self, transform, step: int) -> None:
        """Paint the segments from the step drawn to ``step`` onto the image.

        A path is drawn through the points where its length on screen passes a multiple of
        ``STILL_PX`` (and where it starts and breaks), the same points whether it is drawn
        whole or grown frame by frame: most runs of a long playback crawl a fraction of a
        pixel per step, and a stroke per step would cost the frame, and (Qt draws thin
        pens' strokes one by one) overlaid strokes darken a slow run's path."""
        image = self._image
        w, h = image.width() / image.devicePixelRatio(), image.height() / image.devicePixelRatio()
        box = (-50.0, w + 50.0, -50.0, h + 50.0)
        painter = QPainter(image)
        try:
            painter.setRenderHint(QPainter.RenderHint.Antialiasing, True)
            if self._drawn < 0:  # from the start: thinned, so a long run costs a bounded time
                self._trace = _Trace(len(self._points))
                for k, (run, pen) in enumerate(zip(self._points, self._pens, strict=True)):
                    screen = _to_screen(transform, self._thinned(run[:step + 1]))
                    a, b = self._trace.whole(k, screen)
                    if len(a):
                        self._draw_segments(painter, pen, *clip_segments(a, b, box))
            else:  # every run has the same few steps to add: cut them all at once
                new = _to_screen(transform, self._points[:, self._drawn + 1:step + 1])
                runs, a, b = self._trace.grow(new)
                a, b = clip_segments(a, b, box)
                keep = np.isfinite(a).all(-1)
                lines = np.concatenate([a[keep], b[keep]], axis=-1).tolist()
                for k, line in zip(runs[keep].tolist(), lines, strict=True):
                    painter.setPen(self._pens[k])
                    painter.drawLine(QLineF(*line))
        except BaseException:
            self._key = None  # half drawn: drawn again from the start next time
            raise
        finally:
            painter.end()  # (a painter left open on the image crashes Qt)
        self._drawn = step

    @staticmethod
    def _draw_segments(painter, pen, a: np.ndarray, b: np.ndarray) -> None:
        keep = np.isfinite(a).all(-1)
        if keep.any():
            painter.setPen(pen)
            painter.drawPath(_polylines(np.stack([a[keep], b[keep]], axis=1)))

    def _thinned(self, points: np.ndarray) -> np.ndarray:
        if len(points) <= self._most:
            return points
        if self._thin is not None:
            return np.concatenate([self._thin(points, self._most), points[-1:]])
        return points[thin_indices(len(points), self._most)]


class _Trace:
    """Which of the runs' points (screen pixels) a growing path is drawn through: where it
    starts, where its length passes a multiple of ``STILL_PX``, and its last point before a
    break (NaN). :meth:`whole` draws a run from its start, :meth:`grow` adds a frame's
    points to every run, and both pick the same points."""

    def __init__(self, runs: int):
        self.arc = np.zeros(runs)  # each run's length so far
        self.end = np.full((runs, 2), np.nan)  # the last point drawn through
        self.last = np.full((runs, 2), np.nan)  # the last point (NaN: the path is broken)

    def whole(self, k: int, points: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """The segments (ends ``a``, ``b``) through run ``k``'s picked ``points`` (n, 2)."""
        here = np.isfinite(points).all(1)
        step = np.hypot(*np.diff(points, axis=0).T) if len(points) > 1 else np.zeros(0)
        arc = np.concatenate([[0.0], np.cumsum(np.where(here[1:] & here[:-1], step, 0.0))])
        passed = np.floor(arc / STILL_PX)
        picked = here.copy()
        picked[1:] &= ~here[:-1] | (passed[1:] > passed[:-1])  # a start, or a multiple passed
        picked[:-1] |= here[:-1] & ~here[1:]  # the last point before a break
        idx = np.flatnonzero(picked)
        piece = np.cumsum(~here)[idx]  # the unbroken stretch each picked point is on
        joined = piece[1:] == piece[:-1]
        a, b = points[idx[:-1][joined]], points[idx[1:][joined]]
        self.arc[k] = arc[-1] if len(arc) else 0.0
        self.last[k] = points[-1] if len(points) else np.nan
        self.end[k] = points[idx[-1]] if len(idx) and here[-1] else np.nan
        return a, b

    def grow(self, new: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """The segments that draw every run's next points ``new`` (K, n, 2) on: each one's
        run (m,) and ends ``a``, ``b`` (m, 2), a run's in the order drawn."""
        found = []
        for s in range(new.shape[1]):
            point = new[:, s]
            here, was = np.isfinite(point).all(1), np.isfinite(self.last).all(1)
            joined = here & was
            with np.errstate(invalid="ignore"):
                arc = self.arc + np.where(joined, np.hypot(*(point - self.last).T), 0.0)
            passed = joined & (np.floor(arc / STILL_PX) > np.floor(self.arc / STILL_PX))
            broken = was & ~here & (self.last != self.end).any(1)
            for runs, b in ((np.flatnonzero(passed), point), (np.flatnonzero(broken), self.last)):
                if runs.size:
                    found.append((runs, self.end[runs], b[runs]))
            self.end = np.where((passed | (here & ~was))[:, None], point, self.end)
            self.end[~here] = np.nan
            self.arc, self.last = arc, point
        if not found:
            return np.zeros(0, dtype=int), np.zeros((0, 2)), np.zeros((0, 2))
        return tuple(np.concatenate(parts) for parts in zip(*found, strict=True))
