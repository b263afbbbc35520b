"""Page columns that fit any screen: a control column that scrolls but never cuts a control.

A lab page puts its controls in a :class:`SideColumn` inside a :class:`QSplitter`
(:func:`page_splitter`): the column is as wide as its widest control needs (it follows
font changes, e.g. presentation mode), scrolls vertically when the screen is short, and
the splitter's handle collapses it to give the plots the whole width, and back. While the
column is folded away its handle is a labelled button ("Controls", an arrow) that brings it back.
"""

from __future__ import annotations

import math

from PySide6.QtCore import QEvent, QObject, QSize, Qt
from PySide6.QtGui import QPainter
from PySide6.QtWidgets import (
    QPushButton,
    QScrollArea,
    QSplitter,
    QSplitterHandle,
    QStyle,
    QStyleOptionButton,
    QStylePainter,
    QWidget,
)

UNFOLD_TEXT = "Controls ▴"  # drawn turned a quarter clockwise: the arrow points right


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
        self.setMinimumWidth(0 if self._folded else self.needed_width())

    def needed_width(self) -> int:
        """The width that shows every control whole: the widest, the scroll bar, the frame."""
        inner = self.widget().minimumSizeHint().width()
        bar = self.verticalScrollBar().sizeHint().width()
        return inner + bar + 2 * self.frameWidth()

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:  # noqa: N802 (Qt override)
        if watched is self.widget() and event.type() == QEvent.Type.LayoutRequest:
            self.fit_width()
        return False


class SettingsPanel(QWidget):
    """A tab's settings beside its plots: ``chars`` average characters wide, in the current
    font, so it grows with presentation mode's larger font instead of cutting its labels."""

    def __init__(self, chars: int, parent: QWidget | None = None):
        super().__init__(parent)
        self.chars = chars
        self._fit()

    def _fit(self) -> None:
        self.setFixedWidth(self.chars * self.fontMetrics().averageCharWidth())

    def changeEvent(self, event: QEvent) -> None:  # noqa: N802 (Qt override)
        super().changeEvent(event)
        if event.type() == QEvent.Type.FontChange:
            self._fit()


class VerticalButton(QPushButton):
    """A push button whose ``label`` runs down its length (a narrow button at a page's
    edge). Its ``text()`` stays empty: the label is not laid out across, so checks that
    measure a button's text against its width do not take it for cut off."""

    def __init__(self, label: str, parent: QWidget | None = None):
        super().__init__(parent)
        self.label = label
        self.setAccessibleName(label)

    def sizeHint(self) -> QSize:  # noqa: N802 (Qt override)
        metrics = self.fontMetrics()
        margin = metrics.height() // 2
        return QSize(metrics.height() + margin, metrics.horizontalAdvance(self.label) + 2 * margin)

    def minimumSizeHint(self) -> QSize:  # noqa: N802 (Qt override)
        return self.sizeHint()

    def paintEvent(self, _event) -> None:  # noqa: N802 (Qt override)
        painter = QStylePainter(self)
        option = QStyleOptionButton()
        self.initStyleOption(option)
        painter.drawControl(QStyle.ControlElement.CE_PushButtonBevel, option)
        painter.setRenderHint(QPainter.RenderHint.TextAntialiasing)
        painter.translate(self.width(), 0)
        painter.rotate(90)  # read from top to bottom
        option.rect = self.rect().transposed()
        option.text = self.label
        painter.drawControl(QStyle.ControlElement.CE_PushButtonLabel, option)


class ColumnHandle(QSplitterHandle):
    """The handle after a page's control column: a thin handle while the column shows, a
    labelled button that unfolds the column while it is folded away (size 0)."""

    def __init__(self, orientation: Qt.Orientation, splitter: QSplitter):
        super().__init__(orientation, splitter)
        self.button = VerticalButton(UNFOLD_TEXT, self)
        self.button.setToolTip("Show the controls again")
        self.button.setCursor(Qt.CursorShape.PointingHandCursor)
        font = self.button.font()
        font.setBold(True)
        self.button.setFont(font)
        self.button.clicked.connect(self.unfold)
        self.button.hide()

    def is_folded(self) -> bool:
        """Whether the column before this handle is folded away."""
        splitter = self.splitter()
        return splitter.indexOf(self) == 1 and splitter.sizes()[0] == 0

    def unfold(self) -> None:
        """Give the column the width its controls need (at most half the splitter's)."""
        splitter = self.splitter()
        sizes = splitter.sizes()
        column = splitter.widget(0)
        need = (column.needed_width() if isinstance(column, SideColumn)
                else column.sizeHint().width())
        want = min(need, splitter.width() // 2)
        splitter.setSizes([want, max(0, sizes[1] - want), *sizes[2:]])

    def sizeHint(self) -> QSize:  # noqa: N802 (Qt override)
        if self.is_folded():
            return self.button.sizeHint()
        return super().sizeHint()

    def _sync(self) -> None:
        folded = self.is_folded()
        if folded != self.button.isVisible():
            self.button.setVisible(folded)
            self.splitter().refresh()  # the handle's width follows its sizeHint
        if folded:
            self.button.setGeometry(self.rect())

    def moveEvent(self, event) -> None:  # noqa: N802 (Qt override)
        super().moveEvent(event)
        self._sync()

    def resizeEvent(self, event) -> None:  # noqa: N802 (Qt override)
        super().resizeEvent(event)
        self._sync()

    def showEvent(self, event) -> None:  # noqa: N802 (Qt override)
        super().showEvent(event)
        self._sync()


class PageSplitter(QSplitter):
    """A page's horizontal splitter whose first handle unfolds a folded control column."""

    def createHandle(self) -> QSplitterHandle:  # noqa: N802 (Qt override)
        return ColumnHandle(self.orientation(), self)


def page_splitter(*widgets: QWidget, stretch: tuple[int, ...] = ()) -> QSplitter:
    """A horizontal splitter of ``widgets``; each can be collapsed with its handle, and a
    collapsed first one (the control column) comes back with its handle's button."""
    splitter = PageSplitter(Qt.Orientation.Horizontal)
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
        # A row changed while hidden (presentation mode's scale set on another page) is
        # laid out when shown, without a LayoutRequest: its height is fitted then too.
        if watched is self.widget() and event.type() in (QEvent.Type.LayoutRequest,
                                                         QEvent.Type.Show):
            self.fit_height()
        return False
