"""The Edge-of-stability tab: sharpness against step for several rates, with their 2/η lines.

It runs ``explorer.descent.iter_edge_of_stability`` on its own background job (progress and
Cancel beside Run), draws the partial curves as they come and, once done, a table of the
sharpness reached against 2/η, the number Cohen et al. (2021) found it settles at.
"""

from __future__ import annotations

import contextlib

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QProgressBar,
    QPushButton,
    QSpinBox,
    QVBoxLayout,
    QWidget,
)

from explorer.descent import edge_of_stability, iter_edge_of_stability, stability
from explorer.descent.scene import StabilityOptions
from explorer.errors import InputError
from explorer.inputs import MAX_STEPS, format_numbers, parse_lrs
from ui.common import theme
from ui.common.columns import SettingsPanel
from ui.common.plots import make_plot
from ui.common.widgets import ErrorLabel, mark_invalid, mark_valid
from ui.common.worker import SHUTDOWN_MS, Background

HINT = ("Look at the sharpness (the loss's largest curvature) climb until it meets its dashed "
        "2/η line and then stay there: gradient descent does not diverge, it trains at the edge "
        "of stability. The loss keeps falling in the long run, with spikes, not smoothly.")
PAPER = ("Cohen et al., ICLR 2021 (fig. 1): the sharpness rises to 2/η and hovers just above it, "
         "for every rate η.")
PROGRESS_STEPS = 1000
EXPORT_STEPS = 300
"""The most steps per rate of a headless export (``compute_now``): about a second for three
rates on an idle core; the plots' step axis says so when the tab's own setting is longer."""


class StabilityView(QWidget):
    """Settings and Run/Cancel on the left; sharpness and loss per step; ours against 2/η."""

    def __init__(self, device: str | None = None, parent: QWidget | None = None,
                 options: StabilityOptions | None = None):
        super().__init__(parent)
        options = (options or StabilityOptions()).validated()
        self.device = device
        self.job = Background(self)
        self.result: dict | None = None
        self._last_good = options
        self.lrs = QLineEdit(format_numbers(options.lrs))
        self.lrs.setObjectName("stability_lrs")
        # The boxes hold every value the one rule (StabilityOptions.validated) accepts.
        self.steps = _spin(1, MAX_STEPS, options.steps, "stability_steps")
        self.every = _spin(1, MAX_STEPS, options.every, "stability_every")
        self.run_button, self.cancel_button = QPushButton("Run"), QPushButton("Cancel")
        self.run_button.setObjectName("run_stability")
        self.progress = QProgressBar()
        self.progress.setRange(0, PROGRESS_STEPS)
        self.error = ErrorLabel()
        self.numbers = QLabel("Press Run: about 3 s per rate.")
        self.numbers.setWordWrap(True)
        self.numbers.setTextFormat(Qt.TextFormat.RichText)
        self.sharpness_plot = make_plot("Sharpness rises to 2/η, then stays there", "step",
                                        "sharpness (largest Hessian eigenvalue)",
                                        name="edge-of-stability-sharpness")
        self.loss_plot = make_plot("The loss falls, not monotonically", "step",
                                   "training loss ½(f − y)² (log scale)", log_y=True,
                                   name="edge-of-stability-loss")
        self.loss_plot.getPlotItem().getAxis("left").enableAutoSIPrefix(False)
        self._curves: dict = {}
        self._lines: list = []
        self._build()
        self.run_button.clicked.connect(self.run)
        self.cancel_button.clicked.connect(self.cancel)
        self.lrs.textChanged.connect(self._on_lrs_changed)
        self.job.busy_changed.connect(self._on_busy_changed)
        self._on_busy_changed(False)

    def _build(self) -> None:
        form = QFormLayout()
        form.addRow("learning rates η", self.lrs)
        form.addRow("steps per rate", self.steps)
        form.addRow("sharpness every", self.every)
        buttons = QHBoxLayout()
        buttons.addWidget(self.run_button)
        buttons.addWidget(self.cancel_button)
        form.addRow(buttons)
        form.addRow(self.progress)
        form.addRow(self.error)
        form.addRow(self.numbers)
        paper = QLabel(PAPER)
        paper.setWordWrap(True)
        form.addRow(paper)
        settings = SettingsPanel(50)  # 300 px at the desk's 9 pt
        settings.setLayout(form)
        hint = QLabel(HINT)
        hint.setWordWrap(True)
        hint.setStyleSheet(f"font-size: {theme.font_pt(12):.0f}pt;")
        # One above the other on one step axis, as in Cohen et al.'s figure, so the tab is
        # no wider than its widest title (side by side it did not fit a 1366-px projector).
        plots = QVBoxLayout()
        plots.addWidget(self.sharpness_plot)
        plots.addWidget(self.loss_plot)
        self.loss_plot.setXLink(self.sharpness_plot)
        right = QVBoxLayout()
        right.addWidget(hint)
        right.addLayout(plots, stretch=1)
        layout = QHBoxLayout(self)
        layout.addWidget(settings)
        layout.addLayout(right, stretch=1)

    # -- settings ------------------------------------------------------------
    def read(self) -> StabilityOptions:
        """The rates, steps and logging interval as typed, checked by the scene's own rule
        (InputError naming the ``stability_*`` field if one is bad)."""
        lrs = parse_lrs(self.lrs.text(), stability.MAX_RATES, "stability_lrs")
        return StabilityOptions(lrs, self.steps.value(), self.every.value()).validated()

    def options(self) -> StabilityOptions:
        """The settings to save: as typed if usable, else the last usable ones shown."""
        with contextlib.suppress(InputError):
            self._last_good = self.read()
        return self._last_good

    def set_options(self, options: StabilityOptions) -> None:
        """Show saved settings (InputError, changing nothing, if they are not usable); a run
        under way with the old ones is cancelled, so the curves never pass for the new."""
        options = options.validated()
        if self.job.busy:
            self.cancel()
        self.lrs.setText(format_numbers(options.lrs))
        self.steps.setValue(options.steps)
        self.every.setValue(options.every)
        self._last_good = options
        mark_valid(self.every)
        self.error.clear_error()

    def _on_lrs_changed(self) -> None:
        try:
            self._last_good = self.read()
        except InputError as exc:
            self.show_error(exc)
        else:
            mark_valid(self.lrs)
            self.error.clear_error()

    def show_error(self, exc: Exception) -> None:
        name = (getattr(exc, "field", None) or "").removeprefix("stability_")
        widget = {"lrs": self.lrs, "steps": self.steps, "every": self.every}.get(name)
        if widget is not None:
            mark_invalid(widget, str(exc))
        self.error.show_error(str(exc))

    # -- running -------------------------------------------------------------
    def run(self) -> None:
        """Start the experiment in the background (a bad setting is shown, nothing runs)."""
        try:
            options = self.read()
        except InputError as exc:
            self.show_error(exc)
            return
        self.error.clear_error()
        mark_valid(self.every)
        self.progress.setValue(0)
        self.numbers.setText("Running…")
        self._label_steps("step")
        self.job.start(iter_edge_of_stability, options.lrs, options.steps, 0, options.every,
                       self.device,
                       what="the edge-of-stability run", on_yield=self._on_item,
                       on_done=self._on_item, on_error=self.show_error)

    def cancel(self) -> None:
        self.job.cancel()
        self.numbers.setText("Cancelled: the curves show the steps run so far.")

    def compute_now(self, most_steps: int = EXPORT_STEPS) -> None:
        """Run the settings shown on this thread and draw the result (headless export), for at
        most ``most_steps`` steps per rate; the sharpness plot's title says when it is fewer
        than the tab's setting, so an exported figure never passes for the full run."""
        options = self.read()
        steps = min(options.steps, most_steps)
        every = min(options.every, steps)
        self._on_item(edge_of_stability(options.lrs, steps, 0, every, self.device))
        if steps < options.steps:
            self._label_steps(f"step (the first {steps:,} of {options.steps:,}, for the export)")
            self.numbers.setText(f"{self.numbers.text()}The first {steps:,} of "
                                 f"{options.steps:,} steps: press Run for all.")

    def _label_steps(self, text: str) -> None:
        for plot in (self.sharpness_plot, self.loss_plot):
            plot.getPlotItem().setLabel("bottom", text)

    def _on_busy_changed(self, busy: bool) -> None:
        self.run_button.setEnabled(not busy)
        self.cancel_button.setEnabled(busy)

    def _on_item(self, item) -> None:
        if item is None:
            return
        if isinstance(item, stability.StabilityProgress):
            self.progress.setValue(round(item.fraction * PROGRESS_STEPS))
            self._draw(item.records)
        else:
            self.result = item
            self.progress.setValue(PROGRESS_STEPS)
            self._draw(item)
            self._show_numbers(item)

    # -- drawing -------------------------------------------------------------
    def _draw(self, records: dict) -> None:
        if set(records) != set(self._curves):
            self._reset(records)
        for lr, record in records.items():
            n = min(len(record.steps), len(record.sharpness), len(record.loss))
            steps = np.asarray(record.steps[:n], dtype=float)
            sharp, loss = self._curves[lr]
            sharp.setData(steps, np.asarray(record.sharpness[:n]))
            losses = np.asarray(record.loss[:n], dtype=float)
            keep = np.isfinite(losses) & (losses > 0)
            loss.setData(steps[keep], losses[keep])

    def _reset(self, records: dict) -> None:
        for plot, item in self._lines:
            plot.removeItem(item)
        self._lines = []
        self._curves = {}
        for i, lr in enumerate(sorted(records)):
            sharp = self.sharpness_plot.plot([], [], pen=theme.pen(i), name=f"η = {lr:g}")
            loss = self.loss_plot.plot([], [], pen=theme.pen(i), name=f"η = {lr:g}")
            line = pg.InfiniteLine(2 / lr, angle=0, pen=theme.pen(i, 1.5, Qt.PenStyle.DashLine),
                                   label=f"2/η = {2 / lr:g}",
                                   labelOpts={"position": 0.08, "color": theme.color(i)})
            self.sharpness_plot.addItem(line)
            self._curves[lr] = (sharp, loss)
            self._lines += [(self.sharpness_plot, sharp), (self.loss_plot, loss),
                            (self.sharpness_plot, line)]

    def _show_numbers(self, records: dict) -> None:
        rows = ["<tr><th>η</th><th>start</th><th>last quarter</th><th>2/η</th></tr>"]
        for lr, record in sorted(records.items()):
            if record.diverged_at is not None:
                rows.append(f"<tr><td>{lr:g}</td><td colspan=3>diverged at step "
                            f"{record.diverged_at}</td></tr>")
                continue
            late = record.sharpness[-max(1, len(record.sharpness) // 4):]
            rows.append(f"<tr><td>{lr:g}</td><td>{record.sharpness[0]:.1f}</td>"
                        f"<td><b>{np.mean(late):.1f}</b></td><td>{2 / lr:g}</td></tr>")
        self.numbers.setText("Sharpness, ours:<table cellpadding=3>" + "".join(rows) + "</table>")

    def plots(self) -> dict:
        return {"edge-of-stability-sharpness": self.sharpness_plot,
                "edge-of-stability-loss": self.loss_plot}

    def set_device(self, device: str | None) -> None:
        self.device = device

    def shutdown(self, msecs: int | None = None) -> bool:
        """Cancel the run and wait for its thread (at most ``msecs``); whether it stopped."""
        return self.job.shutdown(SHUTDOWN_MS if msecs is None else msecs)


def _spin(low: int, high: int, value: int, name: str) -> QSpinBox:
    spin = QSpinBox()
    spin.setRange(low, high)
    spin.setValue(value)
    spin.setObjectName(name)
    return spin
