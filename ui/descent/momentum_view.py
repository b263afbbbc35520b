"""The "Momentum's stability region" tab: the (lr, beta) plane of heavy-ball momentum on the
quadratic, coloured by how fast it converges (``explorer.descent.momentum_map``), as in
Distill's "Why Momentum Really Works".

The map is of the page's quadratic (its condition number) or, on another surface, of the
default bowl, and says which; the stable boundary ``lr = 2 (1 + beta) / lambda_max`` is drawn,
the page's rates at its momentum are marked, and the fastest point is starred. Where the page
runs Nesterov momentum the map is Nesterov's (its region is narrower:
``lr < 2 (1 + beta) / ((1 + 2 beta) lambda_max)``), so its rates are marked there too. The map is a
closed form (a few milliseconds), so it is drawn on the GUI thread.
"""

from __future__ import annotations

import contextlib
import math

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import QRectF
from PySide6.QtWidgets import (
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QSpinBox,
    QVBoxLayout,
    QWidget,
)
from superqt.utils import signals_blocked

from explorer.descent import momentum_map
from explorer.descent.scene import DescentScene, MomentumOptions
from explorer.errors import InputError
from explorer.inputs import parse_lrs
from ui.common import theme
from ui.common.columns import SettingsPanel
from ui.common.plots import make_plot, set_title
from ui.common.widgets import ErrorLabel, mark_invalid, mark_valid

HINT = ("Each cell is a choice of learning rate and momentum β; its colour is how much the "
        "error shrinks per step in the slowest direction (darker is faster). Right of the dashed "
        "line the run diverges. More momentum lets a larger rate converge, and the fastest point "
        "sits where the valley's two directions balance.")
BOUNDARY = {False: "heavy-ball: lr = 2 (1 + β) / λ_max",
            True: "Nesterov: lr = 2 (1 + β) / ((1 + 2β) λ_max)"}
"""The dashed line's legend entry, per form of momentum (``MomentumMap.nesterov``)."""
TITLES = {False: "Momentum lets larger rates converge",
          True: "Nesterov momentum: a narrower stable region"}

DIVERGES = "#C0392B"
"""The colour of the cells that do not converge (rate 1 or more), laid over the map."""


class MomentumView(QWidget):
    """Settings and numbers on the left; the plane with its colour bar on the right."""

    def __init__(self, parent: QWidget | None = None, options: MomentumOptions | None = None):
        super().__init__(parent)
        self._options = (options or MomentumOptions()).validated()
        self._page = DescentScene().validated()
        self.result: momentum_map.MomentumMap | None = None
        self._shown_for: dict | None = None
        self.resolution = QSpinBox()
        self.resolution.setRange(momentum_map.MIN_RESOLUTION, momentum_map.MAX_RESOLUTION)
        self.resolution.setObjectName("momentum_resolution")
        self.lr_max = QLineEdit()
        self.lr_max.setPlaceholderText("auto: past every stable rate")
        self.lr_max.setObjectName("momentum_lr_max")
        self.error = ErrorLabel()
        self.about = QLabel()
        self.about.setWordWrap(True)
        self.numbers = QLabel()
        self.numbers.setWordWrap(True)
        self.plot = make_plot(TITLES[False], "learning rate",
                              "momentum β", name="momentum-region")
        self.plot.showGrid(x=False, y=False)
        for axis in ("bottom", "left"):
            self.plot.getPlotItem().getAxis(axis).enableAutoSIPrefix(False)
        self.image = pg.ImageItem(axisOrder="row-major")
        self.image.setZValue(-10)
        self.plot.addItem(self.image)
        self.diverges = pg.ImageItem(axisOrder="row-major")  # red where the rate is >= 1
        self.diverges.setZValue(-9)
        self.plot.addItem(self.diverges)
        self.colorbar = pg.ColorBarItem(values=(0, 1), colorMap=pg.colormap.get("viridis"),
                                        interactive=False, width=18,
                                        label="error kept per step (red: ≥ 1, diverges)")
        self.colorbar.setImageItem(self.image, insert_in=self.plot.getPlotItem())
        self.boundary = self.plot.plot(pen=theme.pen("#FFFFFF", width=2.5,
                                                     style=pg.QtCore.Qt.PenStyle.DashLine),
                                       name=BOUNDARY[False])
        self.page_marks = pg.ScatterPlotItem(symbol="o", size=14, name="this page's rates",
                                             pen=pg.mkPen("#FFFFFF", width=2.5),
                                             brush=pg.mkBrush("#000000"))
        self.best = pg.ScatterPlotItem(symbol="star", size=20, name="fastest",
                                       pen=pg.mkPen("#000000"), brush=pg.mkBrush("#FFFFFF"))
        for item in (self.page_marks, self.best):
            self.plot.addItem(item)
        # Bottom left (small rates, little momentum), not over the boundary at high beta
        # where the page's marks usually sit.
        self.plot.getPlotItem().legend.setOffset((10, -10))
        self._build()
        self.set_options(self._options)
        self.resolution.valueChanged.connect(self._on_edited)
        self.lr_max.editingFinished.connect(self._on_edited)

    def _build(self) -> None:
        form = QFormLayout()
        form.addRow("cells per axis", self.resolution)
        form.addRow("largest rate", self.lr_max)
        settings = SettingsPanel(40)  # 240 px at the desk's 9 pt
        column = QVBoxLayout(settings)  # word-wrapped labels get their height in a column
        column.addLayout(form)
        for label in (self.error, self.about, self.numbers):
            column.addWidget(label)
        column.addStretch(1)
        hint = QLabel(HINT)
        hint.setWordWrap(True)
        right = QVBoxLayout()
        right.addWidget(hint)
        right.addWidget(self.plot, stretch=1)
        layout = QHBoxLayout(self)
        layout.addWidget(settings)
        layout.addLayout(right, stretch=1)

    # -- settings ------------------------------------------------------------
    def set_options(self, options: MomentumOptions) -> None:
        """Show saved settings and redraw (InputError, changing nothing, if unusable)."""
        options = options.validated()
        self._options = options
        with signals_blocked(self.resolution), signals_blocked(self.lr_max):
            self.resolution.setValue(options.resolution)
            self.lr_max.setText("" if options.lr_max is None else f"{options.lr_max:g}")
        self._clear_marks()
        self.refresh(force=True)

    def read(self) -> MomentumOptions:
        """The settings as typed (InputError naming ``momentum_lr_max`` if the rate is bad)."""
        text = self.lr_max.text().strip()
        lr_max = parse_lrs(text, 1, "momentum_lr_max")[0] if text else None
        return MomentumOptions(self.resolution.value(), lr_max).validated()

    def options(self) -> MomentumOptions:
        with contextlib.suppress(InputError):
            self._options = self.read()
        return self._options

    def _on_edited(self, *_) -> None:
        self._clear_marks()
        try:
            self._options = self.read()
        except InputError as exc:
            self.show_error(exc)
            return
        self.refresh()

    def _clear_marks(self) -> None:
        mark_valid(self.lr_max)
        mark_valid(self.resolution)
        self.error.clear_error()

    def show_error(self, exc: Exception) -> None:
        widget = {"momentum_lr_max": self.lr_max,
                  "momentum_resolution": self.resolution}.get(getattr(exc, "field", None))
        if widget is not None:
            mark_invalid(widget, str(exc))
        self.error.show_error(str(exc))

    # -- the page ------------------------------------------------------------
    def set_page(self, scene: DescentScene) -> None:
        """The page's surface (the map's quadratic) and its rates and momentum (the marks)."""
        self._page = scene
        self.refresh()

    def refresh(self, force: bool = False) -> None:
        """Recompute the map if its quadratic or settings changed; move the marks."""
        from dataclasses import replace  # noqa: PLC0415 (one use)

        arguments = replace(self._page, momentum=self._options).momentum_arguments()
        if force or arguments != self._shown_for:
            try:
                self.result = momentum_map.momentum_map(**arguments)
            except InputError as exc:
                self.show_error(exc)
                return
            self._shown_for = arguments
            self._draw_map(self.result)
        self._draw_marks(self.result)

    # -- drawing -------------------------------------------------------------
    def _draw_map(self, m: momentum_map.MomentumMap) -> None:
        self.image.setImage(m.rate, autoLevels=False, levels=(0, 1))
        red = np.zeros((*m.rate.shape, 4), dtype=np.ubyte)
        red[m.rate >= 1] = (*pg.mkColor(DIVERGES).getRgb()[:3], 255)
        self.diverges.setImage(red, autoLevels=False)
        dl, db = m.lrs[1] - m.lrs[0], m.betas[1] - m.betas[0]
        rect = QRectF(m.lrs[0] - dl / 2, m.betas[0] - db / 2, dl * len(m.lrs), db * len(m.betas))
        self.image.setRect(rect)
        self.diverges.setRect(rect)
        inside = m.boundary <= m.lrs[-1] + dl / 2
        self.boundary.setData(m.boundary[inside], m.betas[inside])
        self.best.setData(pos=[m.best[:2]])
        legend = self.plot.getPlotItem().legend
        label = legend.getLabel(self.boundary) if legend is not None else None
        if label is not None and label.text != BOUNDARY[m.nesterov]:
            label.setText(BOUNDARY[m.nesterov])
        title = TITLES[m.nesterov]
        if self.plot.property("plot_title") != title:
            set_title(self.plot, title)
        self.plot.getPlotItem().vb.setRange(xRange=(0, m.lrs[-1] + dl / 2),
                                            yRange=(-0.03, m.betas[-1] + db / 2), padding=0)
        which = ("the page's quadratic" if self._page.surface == "quadratic" else
                 f"the default quadratic bowl (the page shows {self._page.surface}, which has "
                 "no fixed eigenvalues)")
        form = ("Nesterov momentum (torch's nesterov=True), as the page runs it: its stable "
                "region is narrower than heavy-ball's" if m.nesterov else "heavy-ball momentum")
        self.about.setText(
            f"Map of {form}, on {which}: λ_min = {m.lambda_min:g}, λ_max = {m.lambda_max:g}. "
            f"Fastest: lr = {m.best[0]:.3g}, β = {m.best[1]:.2f}, error × {m.best[2]:.3f} "
            f"per step (plain gradient descent at its best: × "
            f"{m.rate_at(2 / (m.lambda_min + m.lambda_max), 0.0):.3f}).")

    def _draw_marks(self, m: momentum_map.MomentumMap | None) -> None:
        if m is None:
            return
        lrs, beta, nesterov = self._page.momentum_marks()
        if beta is None or nesterov != m.nesterov:
            self.page_marks.setData(pos=np.zeros((0, 2)))
            self.numbers.setText(f"The page runs {_optimizer_words(self._page)}: not SGD "
                                 "with plain or Nesterov momentum, so it has no point on this "
                                 "map. Choose SGD with a momentum to see its rates here.")
            return
        shown = [lr for lr in lrs if lr <= m.lrs[-1]]
        self.page_marks.setData(pos=[(lr, beta) for lr in shown])
        rows = [f"<b>This page: {'Nesterov ' if nesterov else ''}β = {beta:g}</b>"]
        for lr in lrs:
            rate = m.rate_at(lr, beta)
            rows.append(f"lr = {lr:g}: " + _rate_words(rate))
        if len(shown) < len(lrs):
            rows.append("(rates past the map's right edge are not marked)")
        self.numbers.setText("<br>".join(rows))

    def plots(self) -> dict:
        return {"momentum-region": self.plot}


def _optimizer_words(scene: DescentScene) -> str:
    if scene.optimizer == "SGD":
        return "SGD with dampening or weight decay"
    return scene.optimizer


def _rate_words(rate: float) -> str:
    if rate >= 1:
        return f"error × {rate:.3f} per step: <b>diverges</b>"
    steps = math.log(0.1) / math.log(rate) if rate > 0 else 0
    return f"error × {rate:.3f} per step (10× smaller every {steps:.0f} steps)"
