"""The one way every plot and page is saved: PNG at a chosen width, SVG, CSV.

Files are written to a temporary name beside the target and renamed into
place, so a bad path or a full disk never leaves a half-written file and never
destroys an older one. pyqtgraph's exporters open a file dialog when given no
path, so this module always passes one.
"""

from __future__ import annotations

import csv
import re
from pathlib import Path

import numpy as np
import pyqtgraph as pg
import pyqtgraph.exporters  # noqa: F401  (registers pg.exporters)
from PySide6.QtCore import QBuffer, QIODevice
from PySide6.QtGui import QGuiApplication, QImage
from PySide6.QtWidgets import QWidget

from explorer.errors import InputError
from explorer.files import write_atomic
from explorer.inputs import check_whole
from ui.common import render

FORMATS = {".png": "PNG image", ".svg": "SVG vector image", ".csv": "CSV data"}
DEFAULT_WIDTH = 1920
#: The widest PNG export (8K, twice a 4K projector): wider ones take tens of seconds and
#: gigabytes to render (20,000 px: 35 s), and 2**31 overflows Qt.
MAX_WIDTH = 8192


def check_width(width: object) -> int:
    """``width`` as a PNG width in pixels, from 1 to ``MAX_WIDTH``; every image export
    checks it here before anything is rendered.

    Raises
    ------
    InputError
        (field ``"width"``) for anything else: 0, 2**31, 1.5, "wide".
    """
    return check_whole(width, "width", "The image width (pixels)", 1, MAX_WIDTH)


def export_plot(
    plot: pg.PlotWidget | pg.PlotItem, path: str | Path, width: int = DEFAULT_WIDTH
) -> Path:
    """Save ``plot`` to ``path``; the suffix chooses PNG, SVG or CSV.

    Raises
    ------
    InputError
        For an unknown suffix, a width outside 1 to ``MAX_WIDTH`` (PNG), or a path
        that cannot be written (with the reason, e.g. no such folder, disk full).
    """
    path = Path(path)
    item = plot.getPlotItem() if isinstance(plot, pg.PlotWidget) else plot
    suffix = path.suffix.lower()
    if suffix == ".png":
        width = check_width(width)
        return write_atomic(path, lambda tmp: _plot_png(item, tmp, width))
    if suffix == ".svg":
        return write_atomic(path, lambda tmp: _plot_svg(item, tmp))
    if suffix == ".csv":
        return write_atomic(path, lambda tmp: _plot_csv(item, tmp))
    raise InputError(
        f"Cannot export to '{path.name}': use a name ending in .png, .svg or .csv.", field="path"
    )


def export_widget(widget: QWidget, path: str | Path, width: int | None = None) -> Path:
    """Save a whole widget (a lab page, a result panel) as one PNG, rendered ``width`` px
    wide (text drawn at that size, not an upscaled grab), else at the screen's physical
    resolution."""
    path = Path(path)
    if path.suffix.lower() != ".png":
        raise InputError(f"A page exports as PNG: name the file '{path.stem}.png'.", field="path")
    if width is not None:
        width = check_width(width)
    return write_atomic(path, lambda tmp: _widget_png(widget, tmp, width))


def plot_image(plot: pg.PlotWidget | pg.PlotItem, width: int = DEFAULT_WIDTH) -> QImage:
    """Render ``plot`` to an image ``width`` pixels wide, its text, legend, lines and
    markers scaled with it and its legend clear of the data (:mod:`ui.common.render`)."""
    width = check_width(width)
    item = plot.getPlotItem() if isinstance(plot, pg.PlotWidget) else plot
    return render.plot_image(item, width)


def copy_plot_image(plot: pg.PlotWidget | pg.PlotItem, width: int = DEFAULT_WIDTH) -> None:
    """Put ``plot`` on the clipboard as an image."""
    QGuiApplication.clipboard().setImage(plot_image(plot, width))


def plotted_data(item: pg.PlotItem) -> list[tuple[str, list[float], list[float]]]:
    """``(name, x, y)`` for every shown curve, scatter and bar chart in ``item`` with data.

    A series is named by its item (``name=`` when it was made); one made without a name
    is named for its axis and what it draws ("loss (points)"), never "series 3". Custom
    graphics items (drawn by hand for speed) take part by offering
    ``export_series() -> list[(name, x, y)]`` (a marker that holds two quantities, too).
    Values are the data's own, also on a log axis.
    """
    rows = []
    for curve in item.listDataItems():
        if (isinstance(curve, pg.BarGraphItem) or not curve.isVisible()
                or hasattr(curve, "export_series")):
            continue  # bars and self-naming items below; a hidden marker is not drawn
        x, y = _data_values(curve)
        if x is None or y is None or len(x) == 0:
            continue
        rows.append((curve.name() or _unnamed(item, curve), x, y))
    for child in item.items:
        if not child.isVisible():
            continue
        if isinstance(child, pg.BarGraphItem) and child.opts.get("height") is not None:
            x = child.opts.get("x")
            x = np.arange(len(child.opts["height"])) if x is None else x
            rows.append((child.opts.get("name") or _unnamed(item, child), x,
                         child.opts["height"]))
        if hasattr(child, "export_series"):
            rows += child.export_series()
    return [(name, list(map(float, x)), list(map(float, y))) for name, x, y in rows]


def name_for_export(item: object, name: str) -> None:
    """Name ``item``'s series in CSV exports and ``plotted_data`` without a row in its
    plot's legend: call it once the item is on its plot (a name given as it is added also
    makes a legend row), or to say more in the CSV than its legend row does."""
    item.opts["name"] = name


def _data_values(curve: object) -> tuple:
    """The data as given, not as drawn: on a log axis pyqtgraph draws (and ``getData``
    returns) log10 of it, so a "loss (log scale)" column held -0.54 for a loss of 0.29."""
    if isinstance(curve, pg.PlotDataItem):
        return curve.getOriginalDataset()
    return curve.getData()


def _unnamed(item: pg.PlotItem, series: object) -> str:
    scatter = isinstance(series, pg.ScatterPlotItem) or (
        isinstance(series, pg.PlotDataItem) and series.opts.get("pen") is None
    )
    kind = "bars" if isinstance(series, pg.BarGraphItem) else "points" if scatter else "line"
    return f"{_axis_label(item, 'left')} ({kind})"


def has_content(plot: pg.PlotWidget | pg.PlotItem) -> bool:
    """Whether the plot shows any data (a curve, scatter, image or bars), not just axes and
    a note such as "No 1-D curve"."""
    item = plot.getPlotItem() if isinstance(plot, pg.PlotWidget) else plot
    if plotted_data(item):
        return True
    return any(isinstance(child, pg.ImageItem) and child.image is not None
               and child.isVisible() for child in item.items)


def _plot_png(item: pg.PlotItem, tmp: Path, width: int) -> None:
    image = plot_image(item, width)
    if image.isNull() or not image.save(str(tmp), "PNG"):
        raise OSError("the image could not be written")


def _plot_svg(item: pg.PlotItem, tmp: Path) -> None:
    pg.exporters.SVGExporter(item).export(fileName=str(tmp))


def _plot_csv(item: pg.PlotItem, tmp: Path) -> None:
    x_label, y_label = _axis_label(item, "bottom"), _axis_label(item, "left")
    names = _unique([name for name, _x, _y in plotted_data(item)])
    header, columns = [], []
    for name, (_name, x, y) in zip(names, plotted_data(item), strict=True):
        header += [f"{name} ({x_label})", _y_column(name, y_label)]
        columns += [_tick_texts(item, "bottom", x), [repr(v) for v in y]]
    length = max((len(c) for c in columns), default=0)
    with open(tmp, "w", newline="", encoding="utf-8") as f:
        writer = csv.writer(f)
        writer.writerow(header)
        for r in range(length):
            writer.writerow([c[r] if r < len(c) else "" for c in columns])


def _y_column(name: str, y_label: str) -> str:
    """A y column is the series' name, with the axis' unit when the axis holds only it
    (not "loss L(z, y) / slope", an axis shared by two quantities)."""
    if not y_label or " / " in y_label or y_label in name:
        return name
    return f"{name} ({y_label})"


def _tick_texts(item: pg.PlotItem, side: str, values: list[float]) -> list[str]:
    """``values`` as the axis names them (a bar chart's "setosa"), else as numbers."""
    ticks = {}
    for level in getattr(item.getAxis(side), "_tickLevels", None) or []:
        ticks.update({float(v): str(text) for v, text in level})
    return [ticks.get(v, repr(v)) for v in values]


def _unique(names: list[str]) -> list[str]:
    seen: dict[str, int] = {}
    out = []
    for name in names:
        seen[name] = seen.get(name, 0) + 1
        out.append(name if seen[name] == 1 else f"{name} {seen[name]}")
    return out


def _axis_label(item: pg.PlotItem, side: str) -> str:
    """The axis' label as a column's words: the scale is the plot's, not the data's (the
    CSV holds the values themselves), so "loss (log scale)" names a column "loss"."""
    label = " ".join((item.getAxis(side).labelText or side).split())
    return _LOG_SCALE.sub("", label).strip() or label


_LOG_SCALE = re.compile(r"\s*\(log scale\)", re.IGNORECASE)


def _widget_png(widget: QWidget, tmp: Path, width: int | None) -> None:
    image = render.widget_image(widget, width)
    buffer = QBuffer()
    buffer.open(QIODevice.OpenModeFlag.WriteOnly)
    if image.isNull() or not image.save(buffer, "PNG"):
        raise OSError("the page could not be rendered")
    tmp.write_bytes(bytes(buffer.data()))
