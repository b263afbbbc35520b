"""Page columns that fit any screen: a control column that scrolls but never cuts a control.

A lab page puts its controls in a :class:`SideColumn` inside a :class:`QSplitter`
(:func:`page_splitter`): the column is as wide as its widest control needs (it follows
font changes, e.g. presentation mode), scrolls vertically when the screen is short, and
the splitter's handle collapses it to give the plots the whole width, and back.
"""

from __future__ import annotations

import math

from PySide6.QtCore import QEvent, QObject, QSize, Qt
from PySide6.QtWidgets import QScrollArea, QSplitter, QWidget


class SideColumn(QScrollArea):
    """``widget`` in a vertical scroll area whose minimum width is the widget's own."""

    def __init__(self, widget: QWidget, parent: QWidget | None = None):
        super().__init__(parent)
        self.setWidget(widget)
        self.setWidgetResizable(True)
        self.setFrameShape(QScrollArea.Shape.NoFrame)
        self.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        widget.installEventFilter(self)
        self._folded = False
        self.fit_width()

    def set_folded(self, folded: bool) -> None:
        """Folded (presentation mode on a small screen): the column asks for no width, so
        its splitter can give the plots the room, and scrolls sideways when dragged open
        narrower than its controls. Unfolded it is again as wide as they need."""
        self._folded = folded
        self.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAsNeeded if folded
                                          else Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.fit_width()

    def fit_width(self) -> None:
        """Be at least as wide as the widest control needs (plus the scroll bar)."""
        if self._folded:
            self.setMinimumWidth(0)
            return
        inner = self.widget().minimumSizeHint().width()
        bar = self.verticalScrollBar().sizeHint().width()
        self.setMinimumWidth(inner + bar + 2 * self.frameWidth())

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:  # noqa: N802 (Qt override)
        if watched is self.widget() and event.type() == QEvent.Type.LayoutRequest:
            self.fit_width()
        return False


def page_splitter(*widgets: QWidget, stretch: tuple[int, ...] = ()) -> QSplitter:
    """A horizontal splitter of ``widgets``; each can be collapsed with its handle."""
    splitter = QSplitter(Qt.Orientation.Horizontal)
    splitter.setChildrenCollapsible(True)
    splitter.setHandleWidth(8)
    for index, widget in enumerate(widgets):
        splitter.addWidget(widget)
        if index < len(stretch):
            splitter.setStretchFactor(index, stretch[index])
    return splitter


_DESK_MINIMUM = "desk_minimum"  # a plot's own minimum size, before it was made to fit


def fit_plot(plot) -> bool:
    """Give a pyqtgraph plot widget at least its plot's own minimum size (title, axes, tick
    labels), so the page's layouts give it room instead of drawing it cut off at the edge;
    whether its minimum changed. ``release_plot`` gives the plot its own minimum back."""
    if plot.property(_DESK_MINIMUM) is None:
        plot.setProperty(_DESK_MINIMUM, plot.minimumSize())
    desk = plot.property(_DESK_MINIMUM)
    item = plot.getPlotItem()
    item.layout.activate()
    need = item.effectiveSizeHint(Qt.SizeHint.MinimumSize)
    frame = 2 * plot.frameWidth()
    size = QSize(max(desk.width(), math.ceil(need.width()) + frame),
                 max(desk.height(), math.ceil(need.height()) + frame))
    if size == plot.minimumSize():
        return False
    plot.setMinimumSize(size)
    return True


def release_plot(plot) -> None:
    """Undo ``fit_plot``: the plot's own minimum size again."""
    desk = plot.property(_DESK_MINIMUM)
    if desk is not None:
        plot.setMinimumSize(desk)


def plot_is_whole(plot) -> bool:
    """Whether the plot (title, axes, legend) lies inside its view, nothing cut off."""
    view = plot.mapToScene(plot.viewport().rect()).boundingRect().adjusted(-0.5, -0.5, 0.5, 0.5)
    item = plot.getPlotItem()
    if not view.contains(item.sceneBoundingRect()):
        return False
    legend = item.legend
    return legend is None or not legend.isVisible() or view.contains(legend.sceneBoundingRect())


class SidewaysRow(QScrollArea):
    """A row of fixed-size cells (numbers) that scrolls sideways when the page is narrow,
    always tall enough for the row and its scroll bar."""

    def __init__(self, widget: QWidget, parent: QWidget | None = None):
        super().__init__(parent)
        self.setWidget(widget)
        self.setWidgetResizable(True)
        self.setFrameShape(QScrollArea.Shape.NoFrame)
        self.setVerticalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        widget.installEventFilter(self)
        self.fit_height()

    def fit_height(self) -> None:
        bar = self.horizontalScrollBar().sizeHint().height()
        self.setFixedHeight(self.widget().minimumSizeHint().height() + bar)

    def minimumSizeHint(self) -> QSize:  # noqa: N802 (Qt override)
        return QSize(0, self.height())

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:  # noqa: N802 (Qt override)
        if watched is self.widget() and event.type() == QEvent.Type.LayoutRequest:
            self.fit_height()
        return False
