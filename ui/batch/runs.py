"""Training runs kept side by side: the run list and the live training curves.

A run from "Train" joins the list when it finishes; a stepped run (play / step) joins it at
its first step and its entry says how far it has trained as it goes on.

Every run gets one colour from the palette when it starts and keeps it in
every plot on the page; colours are not reused while the page lives, so a
removed run never hands its colour to a different one.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

import pyqtgraph as pg
from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QColor, QIcon, QPixmap
from PySide6.QtWidgets import (
    QHBoxLayout,
    QListWidget,
    QListWidgetItem,
    QPushButton,
    QVBoxLayout,
    QWidget,
)
from superqt.utils import signals_blocked

from ui.batch.experiment_view import batch_plot, whole_number_ticks
from ui.common import theme
from ui.common.export import name_for_export

KEY_ROLE = Qt.ItemDataRole.UserRole


@dataclass
class Run:
    """One training run as the page shows it."""

    key: int
    label: str
    color: str
    epochs: list[int] = field(default_factory=list)
    train_loss: list[float] = field(default_factory=list)
    val_loss: list[float] = field(default_factory=list)
    val_accuracy: list[float] = field(default_factory=list)
    curves: list[pg.PlotDataItem] = field(default_factory=list, repr=False)
    finished: bool = False
    note: str = ""
    dataset: str = ""
    regions: tuple | None = field(default=None, repr=False)
    config: object = field(default=None, repr=False)  # the TrainConfig it trained
    progress: str = ""  # how far a stepped run has trained, e.g. "step 12 · epoch 3"
    planned_epochs: int = 0  # the epochs it will train (a run from Train), if known

    def entry_text(self) -> str:
        """The run's line in the run list: its label, and its progress if it has one."""
        return f"{self.label} — {self.progress}" if self.progress else self.label

    def add(self, record) -> None:
        self.epochs.append(int(record.epoch))
        self.train_loss.append(float(record.train_loss))
        self.val_loss.append(float(record.val_loss))
        self.val_accuracy.append(100.0 * float(record.val_accuracy))
        self.note = record.note


class TrainingCurves:
    """Loss (training solid, validation dashed) and validation accuracy, one colour per run."""

    def __init__(self):
        self.loss_plot = batch_plot(
            "Loss falls (dashed: validation)",
            "epoch", "loss (cross-entropy)", name="training-loss",
        )
        self.accuracy_plot = batch_plot(
            "Validation accuracy climbs", "epoch", "validation accuracy (%)",
            legend=False, name="training-accuracy",
        )
        self.accuracy_plot.setYRange(0, 100)
        self.runs: dict[int, Run] = {}
        self._next_key = 0
        self._epoch_span = 0  # the epochs the x axes span now
        self._loss_top = 0.0  # the loss axis's top now

    def restyle(self) -> None:
        """Line widths follow presentation scale; each run keeps its colour."""
        for run in self.runs.values():
            for curve, pen in zip(run.curves, _pens(run.color), strict=True):
                curve.setPen(pen)
                curve.setSymbolBrush(run.color)

    def begin(self, label: str, dataset: str = "") -> Run:
        """A new run in the next palette colour, with empty curves."""
        key = self._next_key
        self._next_key += 1
        run = Run(key, label, theme.color(key), dataset=dataset)
        solid, dashed, marked = _pens(run.color)
        run.curves = [
            self.loss_plot.plot([], [], pen=solid, name=label),
            self.loss_plot.plot([], [], pen=dashed),
            self.accuracy_plot.plot([], [], pen=marked, symbol="o", symbolSize=5,
                                    symbolBrush=run.color, symbolPen=None),
        ]
        name_for_export(run.curves[1], f"{label} (validation)")  # the dashed line
        name_for_export(run.curves[2], label)
        self.runs[key] = run
        return run

    def add_record(self, key: int, record, draw: bool = True) -> None:
        """Append one epoch to run ``key`` and redraw its curves (later, by :meth:`redraw`,
        unless ``draw``)."""
        self.runs[key].add(record)
        if draw:
            self.redraw(key)

    def redraw(self, key: int) -> None:
        """Draw run ``key``'s curves up to its last epoch."""
        run = self.runs[key]
        for curve, values in zip(run.curves, (run.train_loss, run.val_loss, run.val_accuracy),
                                 strict=True):
            curve.setData(run.epochs, values)
        self._fit_axes()

    def _fit_axes(self) -> None:
        """Axes that hold every run and stay put while one trains: epochs from 1 to the last
        of the longest run, planned epochs included (a stepped run's: the next 1, 2 or 5
        times a power of ten), loss from 0 to the highest. Auto-range would move them at
        every epoch, which redraws their ticks and grid and then the whole plot twice."""
        runs = self.runs.values()
        span = max((max(nice_ceiling(len(r.epochs)), r.planned_epochs) for r in runs), default=0)
        if span not in (0, self._epoch_span):
            self._epoch_span = span
            whole_number_ticks(self.plots(), span)
            for plot in self.plots():
                plot.setXRange(1, max(span, 2), padding=0.02)
        top = highest(v for r in runs for v in r.train_loss + r.val_loss)
        if top not in (0.0, self._loss_top):
            self._loss_top = top
            self.loss_plot.setYRange(0, top, padding=0.05)

    def set_visible(self, key: int, visible: bool) -> None:
        for curve in self.runs[key].curves:
            curve.setVisible(visible)

    def remove(self, key: int) -> None:
        run = self.runs.pop(key)
        for curve, plot in zip(run.curves, (self.loss_plot, self.loss_plot, self.accuracy_plot),
                               strict=True):
            plot.removeItem(curve)
        self._fit_axes()

    def plots(self) -> list[pg.PlotWidget]:
        return [self.loss_plot, self.accuracy_plot]


class RunList(QWidget):
    """The runs, each with its colour, a show/hide check box and Remove."""

    visibility_changed = Signal(int, bool)
    removed = Signal(int)
    chosen = Signal(int)  # the run clicked in the list

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        self.list = QListWidget()
        self.list.setObjectName("run_list")
        self.list.setSelectionMode(QListWidget.SelectionMode.ExtendedSelection)
        self.remove_button = QPushButton("Remove selected")
        self.clear_button = QPushButton("Remove all")
        buttons = QHBoxLayout()
        buttons.addWidget(self.remove_button)
        buttons.addWidget(self.clear_button)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.list)
        layout.addLayout(buttons)
        self.list.itemChanged.connect(self._on_item_changed)
        self.list.itemClicked.connect(lambda item: self.chosen.emit(item.data(KEY_ROLE)))
        self.remove_button.clicked.connect(self._on_remove_clicked)
        self.clear_button.clicked.connect(self._on_clear_clicked)

    def add(self, run: Run) -> QListWidgetItem:
        item = QListWidgetItem(_swatch(run.color), run.entry_text())
        item.setData(KEY_ROLE, run.key)
        item.setFlags(item.flags() | Qt.ItemFlag.ItemIsUserCheckable)
        item.setCheckState(Qt.CheckState.Checked)
        item.setForeground(QColor(theme.text_color(run.color)))  # readable on the background
        with signals_blocked(self.list):
            self.list.addItem(item)
        return item

    def update(self, run: Run) -> None:
        """Rewrite ``run``'s entry (a stepped run's progress)."""
        with signals_blocked(self.list):
            self.item_for(run.key).setText(run.entry_text())

    def has(self, key: int) -> bool:
        return key in self.run_keys()

    def run_keys(self) -> list[int]:
        return [self.list.item(i).data(KEY_ROLE) for i in range(self.list.count())]

    def labels(self) -> list[str]:
        return [self.list.item(i).text() for i in range(self.list.count())]

    def item_for(self, key: int) -> QListWidgetItem:
        return next(self.list.item(i) for i in range(self.list.count())
                    if self.list.item(i).data(KEY_ROLE) == key)

    def _on_item_changed(self, item: QListWidgetItem) -> None:
        checked = item.checkState() == Qt.CheckState.Checked
        self.visibility_changed.emit(item.data(KEY_ROLE), checked)

    def _on_remove_clicked(self) -> None:
        for item in self.list.selectedItems():
            self._remove(item)

    def _on_clear_clicked(self) -> None:
        for i in reversed(range(self.list.count())):
            self._remove(self.list.item(i))

    def _remove(self, item: QListWidgetItem) -> None:
        key = item.data(KEY_ROLE)
        self.list.takeItem(self.list.row(item))
        self.removed.emit(key)


def highest(values) -> float:
    """The largest finite value of ``values`` (0.0 if none is): the top of an axis from 0."""
    return max((v for v in values if math.isfinite(v)), default=0.0)


def nice_ceiling(count: int) -> int:
    """The smallest of 1, 2, 5, 10, 20, 50, … that is at least ``count`` (0 for 0): an axis
    that grows with a count only a few times."""
    if count <= 0:
        return 0
    power = 1
    while True:
        for nice in (power, 2 * power, 5 * power):
            if nice >= count:
                return nice
        power *= 10


def _pens(color: str) -> tuple:
    """Training loss, validation loss (dashed) and accuracy pens of a run."""
    return (theme.pen(color), theme.pen(color, width=2.0, style=Qt.PenStyle.DashLine),
            theme.pen(color))


def _swatch(color: str) -> QIcon:
    pixmap = QPixmap(14, 14)
    pixmap.fill(QColor(color))
    return QIcon(pixmap)
