"""What every Batch lab experiment tab has: a sentence, its settings, a Run button, its plots."""

from __future__ import annotations

import pyqtgraph as pg
from PySide6.QtCore import Signal
from PySide6.QtWidgets import (
    QCheckBox,
    QGridLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from explorer.errors import InputError
from explorer.training.batches import last
from explorer.training.scene import BatchScene
from ui.common import theme
from ui.common.plots import keep_legend_clear, make_plot, set_title
from ui.common.widgets import ErrorLabel, mark_invalid, mark_valid


class ExperimentView(QWidget):
    """One experiment tab.

    Subclasses set ``key`` (the scene's ``experiment`` value), ``name`` (the tab) and
    ``hint`` (what to look for), add settings with :meth:`add_setting` and plots to
    :attr:`plot_area`, and implement :meth:`job` and :meth:`show_result`.
    """

    key = ""
    name = ""
    hint = ""
    #: whether the same scene always gives the same numbers (timings do not)
    reproducible = True
    #: explorer's InputError field names -> this view's scene fields
    field_aliases: dict[str, str] = {}
    run_requested = Signal(object)  # self
    settings_changed = Signal(dict)  # scene fields to change

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        self.hint_label = QLabel(self.hint)
        self.hint_label.setWordWrap(True)
        self._restyle()
        theme.notifier().changed.connect(self._restyle)
        self.run_button = QPushButton("Run")
        self.run_button.setToolTip(f"Run the experiment: {self.name}")
        self.run_button.setObjectName(f"run_{self.key}")
        self.settings = QGridLayout()
        self.settings.setColumnStretch(9, 1)  # spare room goes right of the settings
        self.error = ErrorLabel()
        self.plot_area = QHBoxLayout()
        self.has_result = False
        self.result = None
        self._fields: dict[str, QWidget] = {}
        self.unreadable: dict[str, str] = {}  # field -> why its text cannot be read
        top = QHBoxLayout()
        top.addLayout(self.settings, 1)
        top.addWidget(self.run_button)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(4, 4, 4, 4)
        layout.addWidget(self.hint_label)
        layout.addLayout(top)
        layout.addWidget(self.error)
        layout.addLayout(self.plot_area, 1)
        self.run_button.clicked.connect(self._on_run_clicked)

    def _restyle(self) -> None:
        self.hint_label.setStyleSheet(f"font-size: {theme.font_pt(12):.0f}pt;")
        self.restyle_items()

    def restyle_items(self) -> None:
        """Re-pen plot items drawn in theme colours (after a theme or scale change)."""

    def add_preset(self, field: str, text: str, details: str) -> QCheckBox:
        """A check box that runs the experiment on a demonstration network instead of the
        page's; ``details`` (its tooltip) says which."""
        box = QCheckBox(text)
        box.setProperty("hint", details)
        box.setToolTip(details)
        box.toggled.connect(lambda on: self.settings_changed.emit({field: on}))
        return self.add_setting("Network", field, box)

    def add_setting(self, label: str, field: str, widget: QWidget, row: int | None = None,
                    column: int = 0) -> QWidget:
        """Put a control for scene field ``field`` in the settings grid (a new row by default)."""
        widget.setObjectName(field)
        self._fields[field] = widget
        self.add_widget(widget, label, row, column)
        return widget

    def add_widget(self, widget: QWidget, label: str = "", row: int | None = None,
                   column: int = 0) -> None:
        """Place ``widget`` with ``label`` before it at grid cell (``row``, ``column``)."""
        row = self.settings.rowCount() if row is None else row
        if label:
            self.settings.addWidget(QLabel(label), row, 2 * column)
        self.settings.addWidget(widget, row, 2 * column + 1)

    def add_text_setting(self, label: str, field: str, parse, hint: str) -> QLineEdit:
        """A text control for a list field; a bad text turns red and keeps the last good value."""
        edit = QLineEdit()
        edit.setMinimumWidth(280)
        edit.setProperty("hint", hint)
        edit.setToolTip(hint)
        edit.textChanged.connect(lambda text: self._on_text_changed(field, text, parse))
        return self.add_setting(label, field, edit)

    def control(self, field: str) -> QWidget:
        return self._fields[field]

    def _on_text_changed(self, field: str, text: str, parse) -> None:
        try:
            value = parse(text, field)
        except InputError as exc:
            self.unreadable[field] = str(exc)
            self.show_error(exc)
            return
        self.unreadable.pop(field, None)
        self.clear_error()
        self.settings_changed.emit({field: value})

    def _on_run_clicked(self) -> None:
        # The controller runs it, or says which setting to fix first: never silently nothing.
        self.run_requested.emit(self)

    def receive(self, result) -> None:
        """Keep and draw a result the job sent."""
        self.result = result
        self.show_result(result)
        self.has_result = True

    def show_error(self, exc: InputError) -> None:
        field = self.field_aliases.get(exc.field or "", exc.field or "")
        widget = self._fields.get(field)
        if widget is not None:
            mark_invalid(widget, str(exc))
        self.error.show_error(str(exc))

    def clear_error(self) -> None:
        for widget in self._fields.values():
            mark_valid(widget, widget.property("hint") or "")
        self.error.clear_error()

    def set_busy(self, busy: bool) -> None:
        self.run_button.setEnabled(not busy)

    # ---- to implement ----------------------------------------------------------------------
    def set_scene(self, scene: BatchScene) -> None:
        """Show the scene's settings for this experiment (signals blocked)."""

    def job(self, scene: BatchScene, device: str):
        """``(generator function, args)`` to run on the worker thread."""
        raise NotImplementedError

    def show_result(self, result) -> None:
        """Draw a result (or a partial one) sent by the job."""
        raise NotImplementedError

    def plots(self) -> list:
        raise NotImplementedError

    def compute_now(self, scene: BatchScene, device: str) -> None:
        """Run the job here and now (headless export) and draw its result (its last item)."""
        generator, args = self.job(scene, device)
        self.receive(last(generator(*args)))

def batch_plot(title: str, x_label: str, y_label: str, **options):
    """``make_plot`` with plain numbers on the axes (no "x0.001" SI scaling of labels), its
    legend kept off the curves (from the corner the view chooses: ``move_legend_down``)."""
    plot = make_plot(title, x_label, y_label, **options)
    for side in ("left", "bottom"):
        plot.getPlotItem().getAxis(side).enableAutoSIPrefix(False)
    keep_legend_clear(plot)
    return plot


def call_once(function, *args, **kwargs):
    """A one-item generator around a quick ``explorer`` call, to run it as a background job."""
    yield function(*args, **kwargs)


def move_legend_down(plot, left: bool = False) -> None:
    """Anchor the legend in a bottom corner, where rising or flat-topped curves leave room."""
    legend = plot.getPlotItem().legend
    if legend is not None:
        legend.setOffset((10 if left else -10, -10))


def whole_number_ticks(plots, last: int) -> None:
    """Label an epoch axis with whole numbers only (about ten ticks up to ``last``)."""
    major = max(1, -(-int(last) // 10))
    for plot in plots:
        plot.getPlotItem().getAxis("bottom").setTickSpacing(major, major)


def retitle(plot, title: str) -> None:
    """``set_title``, then fit the plot to its view again: a long title that was replaced
    leaves the plot as wide as that title, cut off at the right, until the next resize."""
    set_title(plot, title)
    pg.GraphicsView.setRange(plot, plot.range, padding=0, disableAutoPixel=False)
