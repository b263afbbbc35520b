"""Every plot in the program is made here, so all share one look and one export menu."""

from __future__ import annotations

import math
import weakref

import pyqtgraph as pg
import shiboken6
from PySide6.QtCore import QEvent, QObject, Qt, QTimer
from PySide6.QtGui import QAction, QFont, QFontMetricsF
from PySide6.QtWidgets import QMainWindow, QWidget

from ui.common import export, render, theme

_plots: weakref.WeakSet[pg.PlotWidget] = weakref.WeakSet()

pg.setConfigOptions(antialias=True, useNumba=False)

GRID_ALPHA = 0.25  # every plot's grid: there to read values off, not to compete with data


class Axis(pg.AxisItem):
    """pyqtgraph's axis, except that on a log axis with many minor ticks only 1, 2 and 5
    times a power of ten are labelled: all eight minor labels of a decade ("3·10¹4·10¹5·10¹…")
    run into each other on a plot of two or three decades."""

    MINOR_LABELS_KEPT = 6  # up to this many ticks, every one keeps its label

    def logTickStrings(self, values, scale, spacing):  # noqa: N802 (pyqtgraph override)
        strings = super().logTickStrings(values, scale, spacing)
        if len(values) <= self.MINOR_LABELS_KEPT:
            return strings
        return [text if _leading_digit(value + math.log10(scale)) in (1, 2, 5) else ""
                for value, text in zip(values, strings, strict=True)]


def _leading_digit(log_value: float) -> int:
    mantissa = 10 ** (log_value - math.floor(log_value + 1e-9))
    return round(mantissa) if abs(mantissa - round(mantissa)) < 0.05 else 0


def make_plot(
    title: str,
    x_label: str,
    y_label: str,
    *,
    log_x: bool = False,
    log_y: bool = False,
    legend: bool = True,
    name: str | None = None,
    parent: QWidget | None = None,
) -> pg.PlotWidget:
    """A themed plot with axis labels, an optional legend and Export/Copy in its menu.

    ``title`` says what to look for ("Too large a rate overshoots"), the labels
    say what and in which unit ("step", "loss (log scale)").
    """
    axes = {side: Axis(side) for side in ("left", "bottom", "right", "top")}
    widget = pg.PlotWidget(parent=parent, axisItems=axes)
    widget.setObjectName(name or title)
    item = widget.getPlotItem()
    item.hideAxis("right")  # given axes are shown; pyqtgraph's default shows only these two
    item.hideAxis("top")
    item.setLabel("bottom", x_label)
    item.setLabel("left", y_label)
    item.setLogMode(x=log_x, y=log_y)
    item.showGrid(x=True, y=True, alpha=GRID_ALPHA)
    item.setMenuEnabled(True)
    widget.setProperty("plot_title", title)
    if legend:
        item.addLegend(offset=(-10, 10), labelTextSize=f"{theme.font_pt(10):.0f}pt")
    _add_menu_actions(widget)
    _style(widget)
    _plots.add(widget)
    return widget


def keep_legend_clear(widget: pg.PlotWidget) -> None:
    """Keep the plot's legend in the corner of its view that covers the fewest data points,
    as the data and the range change (the Loss lab's curve of MSE rises into the usual top
    right corner; cross-entropy's falls away from it). It starts from the corner the page
    chose, moves only to one that covers strictly fewer, and stays where a user drags it.

    For plots of a few thousand points: each change counts them all (once per turn of the
    event loop, however many changes came in it)."""
    item = widget.getPlotItem()
    if item.legend is None:
        return
    seen: weakref.WeakSet = weakref.WeakSet()
    state = {"placed": None}
    ref, widget_ref = weakref.ref(item), weakref.ref(widget)
    timer = QTimer(widget)
    timer.setSingleShot(True)
    timer.setInterval(0)

    def soon(*_args) -> None:
        timer.start()

    def place() -> None:
        item, widget = ref(), widget_ref()
        if (item is None or widget is None or not shiboken6.isValid(widget)
                or not shiboken6.isValid(item) or item.legend is None):
            return
        for data in item.listDataItems():  # curves added later move it too
            if data not in seen:
                seen.add(data)
                data.sigPlotChanged.connect(soon)
        legend = item.legend
        if not legend.items or not legend.isVisible() or item.vb.width() <= 0:
            return  # nothing to place yet, or placed by an export for the moment
        if state["placed"] is None:
            state["placed"] = render.anchor_of(legend)  # the page's own choice, now made
        if render.anchor_of(legend) != state["placed"]:
            return  # dragged by the user (or anchored by the page elsewhere)
        corner = render.legend_corner(legend)
        if corner is None:
            return
        # Only where it stays on the plot: a legend wider than a narrow view sticks out past
        # the side it grows towards (presenting at 1280×720, the Batch noise plot's).
        view = widget.mapToScene(widget.viewport().rect()).boundingRect()
        fits = [c for c in render.CORNERS
                if view.contains(item.vb.mapRectToScene(render.corner_box(item, c)))]
        counts = render.corner_counts(item)
        best = min(fits, key=lambda c: (counts[c], c != corner), default=corner)
        if counts[best] < counts[corner] or (corner not in fits and best != corner):
            render.move_legend_to(legend, best)
            state["placed"] = render.anchor_of(legend)

    timer.timeout.connect(place)
    item.vb.sigRangeChanged.connect(soon)
    item.vb.sigResized.connect(soon)
    soon()


def add_note(widget: pg.PlotWidget, text: str = "", *, pt: float = 11,
             muted: bool = True) -> pg.TextItem:
    """A note written on the plot ("No 1-D curve: …"), outside its data bounds, whose font
    size and colour follow the theme and the presentation scale like the plot's own text."""
    note = pg.TextItem(text, anchor=(0.5, 0.5))
    document = note.textItem.document()
    option = document.defaultTextOption()
    option.setAlignment(Qt.AlignmentFlag.AlignHCenter)
    document.setDefaultTextOption(option)
    widget.addItem(note, ignoreBounds=True)
    notes = widget.__dict__.setdefault("_notes", [])
    if not notes:  # wrapped to the view's width, not cut at its edges (a narrow plot)
        ref = weakref.ref(widget)
        widget.getPlotItem().vb.sigResized.connect(lambda *_: _wrap_notes(ref()))
    notes.append((note, pt, muted))
    _style_notes(widget)
    _wrap_notes(widget)
    return note


NOTE_MARGIN = 12  # px each side of a note wrapped to its view


def _wrap_notes(widget: pg.PlotWidget | None) -> None:
    if widget is None or not shiboken6.isValid(widget) or widget.getPlotItem() is None:
        return
    width = widget.getPlotItem().vb.width() - 2 * NOTE_MARGIN
    for note, _pt, _muted in widget.__dict__.get("_notes", ()):
        note.setTextWidth(width if width > 4 * NOTE_MARGIN else -1)


def set_title(widget: pg.PlotWidget, title: str) -> None:
    """Change what the plot tells the viewer to look for."""
    widget.setProperty("plot_title", title)
    _style_title(widget)
    # A shorter title must give its width back at once, not at the next resize.
    widget.getPlotItem().layout.invalidate()
    widget.getPlotItem().layout.activate()


def all_plots() -> list[pg.PlotWidget]:
    """Every live plot made by ``make_plot`` (not those whose Qt object is gone)."""
    # (pyqtgraph's PlotWidget.close() drops its PlotItem before Qt deletes the widget)
    return [w for w in list(_plots) if shiboken6.isValid(w) and w.getPlotItem() is not None]


def restyle_all() -> None:
    for widget in all_plots():
        _style(widget)


def _style(widget: pg.PlotWidget) -> None:
    t = theme.current()
    widget.setBackground(t.background)
    item = widget.getPlotItem()
    font = QFont()
    font.setPointSizeF(theme.font_pt(10))
    for side in ("left", "bottom", "right", "top"):
        axis = item.getAxis(side)
        axis.setPen(pg.mkPen(t.muted))
        axis.setTextPen(pg.mkPen(t.foreground))
        axis.setTickFont(font)
        if axis.labelText:
            axis.setLabel(
                axis.labelText,
                units=axis.labelUnits,
                **{"color": t.foreground, "font-size": f"{theme.font_pt(11):.0f}pt"},
            )
    legend = item.legend
    if legend is not None:
        size = f"{theme.font_pt(10):.0f}pt"
        legend.setLabelTextColor(t.foreground)
        legend.setLabelTextSize(size)
        legend.setBrush(pg.mkBrush(theme.qcolor(t.background, 200)))
        # LegendItem only stores the new colour and size; existing labels must be
        # re-rendered or they vanish.
        for _sample, label in legend.items:
            label.setText(label.text, color=t.foreground, size=size)
    _style_title(widget)
    _style_notes(widget)


def _style_notes(widget: pg.PlotWidget) -> None:
    t = theme.current()
    for note, pt, muted in widget.__dict__.get("_notes", ()):
        font = note.textItem.font()
        font.setPointSizeF(theme.font_pt(pt))
        note.setFont(font)
        note.setColor(t.muted if muted else t.foreground)


TITLE_PT = 12
TITLE_SMALLEST = 0.75  # of its size: a title too long for its plot at the desk goes this small
TITLE_MARGIN = 4  # px each side of the title's text (its text item's document margin)


def _style_title(widget: pg.PlotWidget) -> None:
    """The plot's title in the theme's colour and size. At the desk a title longer than its
    plot is set smaller, down to :data:`TITLE_SMALLEST` of its size, and elided past that:
    pyqtgraph widens the plot to its title, and a 1366-px window then drew the Descent plots
    cut at the right ("…too large blows u", the last ticks gone). Presenting, the plot is
    given the room instead (``columns.fit_plot``; :func:`fit_titles` off)."""
    title = widget.property("plot_title") or ""
    size, shown = theme.font_pt(TITLE_PT), title
    room = _title_room(widget)
    if _TITLES_FIT["on"] and title and room is not None:
        size, shown = _fitted_title(title, size, room)
    style = (shown, theme.current().foreground, round(size, 1))
    if widget.property("title_style") == style:
        return
    widget.setProperty("title_style", style)
    item = widget.getPlotItem()
    item.setTitle(shown, color=style[1], size=f"{style[2]}pt", bold=True)
    if room is not None:  # laid out at the old title's width: to the view's size again
        item.layout.activate()
        pg.GraphicsView.resizeEvent(widget, None)  # (it reads the widget's size, not the event)
    if not widget.property("title_fitted"):
        widget.setProperty("title_fitted", True)
        widget.installEventFilter(_TITLE_FITTER)
        ref = weakref.ref(widget)  # an axis widened by new tick labels takes the title's room
        item.vb.sigResized.connect(lambda *_: _refit_title(ref()))


_TITLES_FIT = {"on": True}


def fit_titles(on: bool) -> None:
    """Whether titles longer than their plot are set smaller (at the desk), or kept whole at
    their size (presenting: ``columns.fit_plot`` gives each plot the room its title needs)."""
    if _TITLES_FIT["on"] != on:
        _TITLES_FIT["on"] = on
        for widget in all_plots():
            _style_title(widget)


def _refit_title(widget: pg.PlotWidget | None) -> None:
    if widget is not None and shiboken6.isValid(widget) and widget.property("plot_title"):
        _style_title(widget)


def _title_room(widget: pg.PlotWidget) -> float | None:
    """The width the title's column has: the view's, less the axes beside it (None before
    the widget is laid out)."""
    if not widget.isVisible() or widget.width() < 80:
        return None
    item = widget.getPlotItem()
    axes = sum(item.getAxis(side).width() for side in ("left", "right")
               if item.getAxis(side).isVisible())
    return widget.viewport().width() - axes - 12 - 2 * TITLE_MARGIN


def _fitted_title(title: str, size: float, room: float) -> tuple[float, str]:
    font = QFont()
    font.setBold(True)
    for factor in (1.0, 0.9, 0.8, TITLE_SMALLEST):
        font.setPointSizeF(size * factor)
        metrics = QFontMetricsF(font)
        if metrics.horizontalAdvance(title) <= room:
            return size * factor, title
    return size * TITLE_SMALLEST, metrics.elidedText(title, Qt.TextElideMode.ElideRight, room)


class _TitleFitter(QObject):
    """Fits each plot's title again when the plot is resized or shown."""

    def eventFilter(self, watched, event) -> bool:  # noqa: N802 (Qt override)
        if event.type() in (QEvent.Type.Resize, QEvent.Type.Show):
            _refit_title(watched)
        return False


_TITLE_FITTER = _TitleFitter()


def _add_menu_actions(widget: pg.PlotWidget) -> None:
    # One export path: pyqtgraph's own "Export..." (scene menu) writes without our checks,
    # atomic save or slide scaling, so only ours is offered.
    widget.scene().contextMenu = [a for a in widget.scene().contextMenu
                                  if a.text().rstrip(".…") != "Export"]
    menu = widget.getPlotItem().getViewBox().menu
    menu.addSeparator()
    save = QAction("Export plot…", menu)
    save.triggered.connect(lambda: ask_and_export(widget))
    copy = QAction("Copy image", menu)
    copy.triggered.connect(lambda: export.copy_plot_image(widget))
    menu.addAction(save)
    menu.addAction(copy)


def ask_and_export(widget: pg.PlotWidget, parent: QWidget | None = None) -> None:
    """Open the Export dialog for ``widget`` (file, format, PNG width)."""
    from ui.common.export_dialog import ExportDialog

    dialog = ExportDialog(widget, parent=parent or widget.window())
    dialog.exec()
    if dialog.saved_path is not None:
        confirm(widget, f"Saved {dialog.saved_path}")


def confirm(widget: QWidget, message: str) -> None:
    """Say ``message`` on the status bar: through the lab page that holds ``widget`` (its
    ``status_message``, which the window shows), else on its main window's status bar."""
    holder = widget.parentWidget()
    while holder is not None:
        signal = getattr(holder, "status_message", None)
        if signal is not None and hasattr(signal, "emit"):
            signal.emit(message)
            return
        holder = holder.parentWidget()
    window = widget.window()
    if isinstance(window, QMainWindow):
        window.statusBar().showMessage(message, 8000)


def _on_theme_changed() -> None:
    restyle_all()


theme.notifier().changed.connect(_on_theme_changed)
