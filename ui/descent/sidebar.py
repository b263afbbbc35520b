"""The Descent page's control column: surface, optimizer, schedule, rates, run and view.

It only shows and edits values; the controller turns its signals into scene edits.
"""

from __future__ import annotations

from contextlib import ExitStack

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QFormLayout,
    QGroupBox,
    QLabel,
    QPushButton,
    QSizePolicy,
    QSpinBox,
    QVBoxLayout,
    QWidget,
)
from superqt.utils import signals_blocked

from explorer.descent import batched_optim, schedules, surfaces
from explorer.descent.scene import DTYPES, SLICE_AXES, DescentScene, ViewOptions
from explorer.errors import InputError
from ui.common import theme
from ui.common.formula import FormulaLabel
from ui.common.option_form import OptionForm
from ui.common.widgets import ErrorLabel, mark_invalid, mark_valid
from ui.descent.controls import LearningRateChooser
from ui.descent.plots import Reached
from ui.descent.sliders import RateSliders
from ui.descent.texts import label_at

STEPS_BOX_MAX = 2_000_000_000  # the box's own limit: far above any run (see __init__)


class DescentSidebar(QWidget):
    """Controls made from the core's specs; ``changed(field, value)`` on every valid edit."""

    changed = Signal(str, object)
    # a slider moved: ("run_rate", (k, lr)), ("fan", lr) or ("option", (name, value))
    live = Signal(str, object)
    reset_start = Signal()
    show_whole_changed = Signal(bool)  # a drawing choice only: the run does not change

    def __init__(self, scene: DescentScene, parent: QWidget | None = None):
        super().__init__(parent)
        self.surface = QComboBox()
        self.surface.setObjectName("surface")
        for name in surfaces.names():
            self.surface.addItem(surfaces.info(name).display_name, name)
        self.formula = FormulaLabel("", size=13)
        self.description = QLabel()
        self.description.setWordWrap(True)
        self.surface_options = OptionForm()
        self.optimizer = QComboBox()
        self.optimizer.setObjectName("optimizer")
        self.optimizer.addItems(list(batched_optim.OPTIMIZERS))
        self.optimizer.setToolTip(batched_optim.ABSENT_NOTE)  # why Muon and SparseAdam are not
        # ... said on the page too, small and muted, in a few words (six wrapped lines took
        # the column's room above the rates at 1366×768); the whole reasons are its tooltip
        self.absent = QLabel("Not offered: " + ", ".join(
            f"{name} ({why})" for name, why in batched_optim.ABSENT_SHORT.items()) + ".")
        self.absent.setToolTip(batched_optim.ABSENT_NOTE)
        self.absent.setObjectName("absent_optimizers")
        self.absent.setAccessibleName("optimizers not offered")
        self.absent.setTextFormat(Qt.TextFormat.PlainText)
        self.absent.setWordWrap(True)
        # No width of its own to ask for: a long wrapped label's size hint would widen the column
        self.absent.setSizePolicy(QSizePolicy.Policy.Ignored, QSizePolicy.Policy.Preferred)
        self.optimizer_options = OptionForm()
        self.schedule = QComboBox()
        self.schedule.setObjectName("schedule")
        self.schedule.addItems(list(schedules.SCHEDULES))
        self.schedule_options = OptionForm()
        self.lrs = LearningRateChooser(scene.lrs)
        self.sliders = RateSliders()
        self.explanation = QLabel()  # why the preset rates are what they are
        self.explanation.setWordWrap(True)
        self.steps = QSpinBox()
        self.steps.setObjectName("steps")
        # Wider than the core's limit so a value above it reaches check_steps and is refused
        # with its message (a spin box's own maximum would silently cap it).
        self.steps.setRange(1, STEPS_BOX_MAX)
        self.steps.setKeyboardTracking(False)
        self.dtype = QComboBox()
        self.dtype.addItems(list(DTYPES))
        self.start_label = QLabel()
        self.start_label.setObjectName("start")
        self.start_reset = QPushButton("Default start")
        self.start_error = ErrorLabel()
        self.log_loss = QCheckBox("log loss axis")
        self.internals = QCheckBox("show gradient / momentum")
        self.whole_path = QCheckBox("show the whole path faintly")
        self.whole_path.setObjectName("whole_path")
        self.whole_path.setToolTip("Playback draws each path up to the current step; this "
                                   "also shows where it goes next, faintly")
        self.slice_axis = QComboBox()
        self.slice_axis.addItems(list(SLICE_AXES))
        self.follow = QComboBox()
        self._run_labels: list[str] = []
        self._reached = Reached()  # the runs' divergence the playback step has reached
        self.follow.setObjectName("follow")
        self._build()
        self.set_scene(scene)
        self._connect()
        self._style_absent()
        theme.notifier().changed.connect(self._style_absent)

    def _style_absent(self) -> None:
        """The note on absent optimizers in the theme's muted grey, at the presentation scale."""
        self.absent.setStyleSheet(
            f"color: {theme.current().muted}; font-size: {theme.font_pt(8.5):.1f}pt;")

    def _build(self) -> None:
        layout = QVBoxLayout(self)
        surface = QGroupBox("Surface")
        form = QVBoxLayout(surface)
        for widget in (self.surface, self.formula, self.description, self.surface_options):
            form.addWidget(widget)
        optimizer = QGroupBox("Optimizer (torch.optim)")
        form = QVBoxLayout(optimizer)
        for widget in (self.optimizer, self.absent, self.optimizer_options,
                       QLabel("learning-rate schedule"),
                       self.schedule, self.schedule_options):
            form.addWidget(widget)
        rates = QGroupBox("Learning rates")
        form = QVBoxLayout(rates)
        form.addWidget(self.lrs)
        form.addWidget(self.sliders)
        form.addWidget(self.explanation)
        run = QGroupBox("Run")
        form = QFormLayout(run)
        form.addRow("steps", self.steps)
        form.addRow("precision", self.dtype)
        form.addRow("start", self.start_label)
        form.addRow(self.start_reset)
        form.addRow(self.start_error)
        view = QGroupBox("View")
        form = QFormLayout(view)
        form.addRow(self.log_loss)
        form.addRow(self.internals)
        form.addRow(self.whole_path)
        form.addRow("1-D view along", self.slice_axis)
        form.addRow("follow", self.follow)
        for box in (surface, optimizer, rates, run, view):
            layout.addWidget(box)
        layout.addStretch(1)

    def _connect(self) -> None:
        self.surface.currentIndexChanged.connect(
            lambda _: self.changed.emit("surface", self.surface.currentData()))
        self.optimizer.currentTextChanged.connect(lambda t: self.changed.emit("optimizer", t))
        self.schedule.currentTextChanged.connect(lambda t: self.changed.emit("schedule", t))
        self.surface_options.changed.connect(
            lambda v: self.changed.emit("surface_options", v))
        self.optimizer_options.changed.connect(
            lambda v: self.changed.emit("optimizer_options", v))
        self.schedule_options.changed.connect(
            lambda v: self.changed.emit("schedule_options", v))
        self.lrs.lrs_changed.connect(lambda v: self.changed.emit("lrs", v))
        self.sliders.run_rate_moved.connect(lambda k, lr: self.live.emit("run_rate", (k, lr)))
        self.sliders.fan_moved.connect(lambda lr: self.live.emit("fan", lr))
        self.sliders.option_moved.connect(lambda n, v: self.live.emit("option", (n, v)))
        self.steps.valueChanged.connect(lambda v: self.changed.emit("steps", v))
        self.dtype.currentTextChanged.connect(lambda t: self.changed.emit("dtype", t))
        self.start_reset.clicked.connect(self.reset_start)
        self.log_loss.toggled.connect(lambda on: self.changed.emit("log_loss", on))
        self.internals.toggled.connect(lambda on: self.changed.emit("show_internals", on))
        self.whole_path.toggled.connect(self.show_whole_changed)
        self.slice_axis.currentTextChanged.connect(lambda t: self.changed.emit("slice_axis", t))
        self.follow.currentIndexChanged.connect(lambda i: self.changed.emit("follow", i))

    def set_scene(self, scene: DescentScene) -> None:
        """Show ``scene`` in every control without emitting ``changed``."""
        self.set_surface(scene.surface, scene.surface_options)
        self.set_optimizer(scene.optimizer, scene.optimizer_options)
        self.set_schedule(scene.schedule, scene.schedule_options)
        self.set_lrs(scene.lrs)
        self.set_run(scene.steps, scene.dtype)
        self.set_view(scene.view)

    def set_surface(self, name: str, options: dict) -> None:
        """A surface: its name, formula, description and a form for its options."""
        with signals_blocked(self.surface):
            self.surface.setCurrentIndex(self.surface.findData(name))
        info = surfaces.info(name, options)
        self.formula.set_formula(info.formula)
        self.description.setText(info.description)
        self.surface_options.set_specs(info.options, options)

    def set_surface_options(self, options: dict) -> None:
        self.surface_options.set_values(options)
        # The user's own surface shows its formula, which is one of its options.
        self.formula.set_formula(surfaces.info(self.surface.currentData(), options).formula)

    def set_optimizer(self, name: str, options: dict) -> None:
        with signals_blocked(self.optimizer):
            self.optimizer.setCurrentText(name)
        self.optimizer_options.set_specs(batched_optim.optimizer_options(name), options)
        self._show_option_sliders(name, options)

    def set_optimizer_options(self, options: dict) -> None:
        self.optimizer_options.set_values(options)
        self._show_option_sliders(self.optimizer.currentText(), options)

    def _show_option_sliders(self, name: str, options: dict) -> None:
        try:
            values = batched_optim.resolve_optimizer_options(name, options)
        except InputError:
            return  # the form shows the error; the sliders keep the last good values
        self.sliders.set_optimizer_options(batched_optim.optimizer_options(name), values)

    def set_schedule(self, name: str, options: dict) -> None:
        with signals_blocked(self.schedule):
            self.schedule.setCurrentText(name)
        self.schedule_options.set_specs(schedules.schedule_options(name), options)

    def set_schedule_options(self, options: dict) -> None:
        self.schedule_options.set_values(options)

    def set_lrs(self, lrs: tuple[float, ...]) -> None:
        self.lrs.set_lrs(lrs)
        self.sliders.set_lrs(lrs)

    def set_bound(self, lr: float | None, text: str, best: float | None = None) -> None:
        """The optimizer's stability bound: a mark on the rate slider, its words, best rate."""
        self.sliders.set_bound(lr, text, best)

    def set_slider_range(self, low: float, high: float) -> None:
        self.sliders.set_range(low, high)

    def set_run(self, steps: int, dtype: str) -> None:
        with signals_blocked(self.steps), signals_blocked(self.dtype):
            self.steps.setValue(steps)
            self.dtype.setCurrentText(dtype)

    def set_view(self, view: ViewOptions) -> None:
        with ExitStack() as stack:
            for widget in (self.log_loss, self.internals, self.slice_axis):
                stack.enter_context(signals_blocked(widget))
            self.log_loss.setChecked(view.log_loss)
            self.internals.setChecked(view.show_internals)
            self.slice_axis.setCurrentText(view.slice_axis)

    def set_start(self, x: float, y: float) -> None:
        self.start_label.setText(f"({x:.3g}, {y:.3g})")

    def set_reference(self, presets: dict[str, float] | None, explanation: str,
                      summary: str = "") -> None:
        """The reference rates at the start point and why (None keeps the presets shown): the
        ``summary`` where there is one, the whole ``explanation`` in its tooltip (a measured
        one ran to 14 lines of the column)."""
        if presets is not None:
            self.lrs.set_presets(presets)
        self.explanation.setText(summary or explanation)
        self.explanation.setToolTip(explanation if summary else "")

    def set_run_labels(self, labels: list[str], follow: int, diverged: list | None = None,
                       step: int = 0) -> None:
        """The runs to follow, named as the plots name them at playback ``step``: a run is
        "diverging at step N" only from step N on (``diverged``: each run's N or None)."""
        self._run_labels = list(labels)
        self._reached.set_runs(diverged if diverged is not None else [None] * len(labels))
        self._reached.moved(step)
        with signals_blocked(self.follow):
            self.follow.clear()
            self.follow.addItems(self._labels_now())
            self.follow.setCurrentIndex(follow)

    def set_step(self, step: int) -> None:
        """Playback is at ``step``: rename the runs whose divergence it reached or left (a
        bisection per frame; the combo is touched only when a run's label changes)."""
        if not self._reached.moved(step):
            return
        with signals_blocked(self.follow):
            for k, text in enumerate(self._labels_now()):
                if self.follow.itemText(k) != text:
                    self.follow.setItemText(k, text)

    def _labels_now(self) -> list[str]:
        step, diverged = self._reached.step, self._reached.diverged
        return [label_at(label, at, step)
                for label, at in zip(self._run_labels, diverged, strict=True)]

    def show_error(self, exc: InputError) -> None:
        """Put ``exc`` at the control it names (under the run settings when none does)."""
        field = exc.field or ""
        for form in (self.surface_options, self.optimizer_options, self.schedule_options):
            if form.show_error(exc):
                return
        simple = {"steps": self.steps, "dtype": self.dtype, "surface": self.surface,
                  "optimizer": self.optimizer, "schedule": self.schedule}
        if field in simple:
            mark_invalid(simple[field], str(exc))
            self.start_error.show_error(str(exc))
        elif field == "start":
            mark_invalid(self.start_label, str(exc))
            self.start_error.show_error(str(exc))
        elif field in ("lrs", ""):
            self.lrs.show_error(exc)
        else:  # e.g. the device: no control here, so say it under the run settings
            self.start_error.show_error(str(exc))

    def clear_errors(self) -> None:
        for widget in (self.steps, self.dtype, self.surface, self.optimizer, self.schedule,
                       self.start_label):
            mark_valid(widget)
        self.start_error.clear_error()
        self.lrs.error.clear_error()
