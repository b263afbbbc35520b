"""The Loss page's control column: picker, shape, seed, randomize/reset, reduction, options."""

from __future__ import annotations

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import (
    QComboBox,
    QFormLayout,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QSpinBox,
    QToolButton,
    QVBoxLayout,
    QWidget,
)
from superqt.utils import signals_blocked

from explorer.losses.limits import MAX_SEED
from ui.common.option_form import OptionForm
from ui.common.widgets import ErrorLabel
from ui.loss.picker import LossPicker

RANDOMIZE_KEYS = QKeySequence("Ctrl+R")
RESET_KEYS = QKeySequence("Ctrl+Shift+R")

DIM_NAMES = {"N": "samples N", "C": "classes C", "D": "values per sample D",
             "T": "time steps T", "S": "target length S"}
TRANSFORM_CHOICES = (("none", None), ("LogSoftmax", "log_softmax"), ("Softmax", "softmax"),
                     ("Sigmoid", "sigmoid"))
"""The transform combo's entries: text shown, value for ``explorer.losses.evaluate``."""

class LossControls(QWidget):
    """Everything the user chooses; the page listens to the signals and edits its scene."""

    dim_changed = Signal(str, int)
    randomize_requested = Signal()
    seed_chosen = Signal(int)
    reset_requested = Signal()
    reduction_changed = Signal(str)
    transform_changed = Signal(object)  # None or a transform name, e.g. "log_softmax"

    def __init__(self, specs, families, parent=None):
        super().__init__(parent)
        self.picker = LossPicker(specs, families)
        self.dims_box = QGroupBox("Shape")
        self.dims_form = QFormLayout(self.dims_box)
        self.dim_spins: dict[str, QSpinBox] = {}
        self.seed = QSpinBox(minimum=0, maximum=MAX_SEED)
        self.seed.setAccessibleName("seed")
        self._drawn_seed = 0
        self.seed.setToolTip("The seed the random tensors were drawn from")
        self.randomize_button = QPushButton("Randomi&ze")
        self.randomize_button.setToolTip("Draw new random tensors with the next seed (Ctrl+R)")
        self.reset_button = QPushButton("Slide's e&xample")
        self.reset_button.setToolTip("Back to the tensors of the lecture slide (Ctrl+Shift+R)")
        self.reduction = QComboBox()
        self.reduction.setAccessibleName("reduction")
        self.reduction.setToolTip("How the per-element losses become one number")
        self.transform = QComboBox()
        self.transform.setAccessibleName("transform")
        self.transform.setToolTip("A step applied to input before the loss, e.g. "
                                  "nn.LogSoftmax(dim=1); the gradient is the raw input's")
        for text, value in TRANSFORM_CHOICES:
            self.transform.addItem(text, value)
        self.options = OptionForm()
        self.message = ErrorLabel()
        self._build_layout()
        self.randomize_button.clicked.connect(self.randomize_requested)
        self.reset_button.clicked.connect(self.reset_requested)
        self.shortcut_actions = [
            self._action("Randomize", RANDOMIZE_KEYS, self.randomize_requested),
            self._action("Slide's example", RESET_KEYS, self.reset_requested),
        ]
        self.seed.editingFinished.connect(self._on_seed_edited)
        self.reduction.currentTextChanged.connect(self._on_reduction_changed)
        self.transform.currentIndexChanged.connect(self._on_transform_changed)

    def _build_layout(self) -> None:
        data = QGroupBox("Tensors")
        data_layout = QVBoxLayout(data)
        seed_row = QHBoxLayout()
        seed_row.addWidget(QLabel("seed"))
        seed_row.addWidget(self.seed, 1)
        data_layout.addLayout(seed_row)
        buttons = QHBoxLayout()
        buttons.addWidget(self.randomize_button)
        buttons.addWidget(self.reset_button)
        data_layout.addLayout(buttons)
        self.history = QHBoxLayout()  # the page puts its Undo / Redo buttons here
        data_layout.addLayout(self.history)
        settings = QGroupBox("Loss settings")
        form = QFormLayout(settings)
        form.addRow("reduction", self.reduction)
        form.addRow("transform", self.transform)
        form.addRow(self.options)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.picker, 1)
        layout.addWidget(self.dims_box)
        layout.addWidget(data)
        layout.addWidget(settings)
        layout.addWidget(self.message)

    def add_history(self, undo: QAction, redo: QAction) -> None:
        """Buttons for the page's undo and redo (their shortcuts are the page's)."""
        for action in (undo, redo):
            button = QToolButton()
            button.setDefaultAction(action)
            button.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonTextOnly)
            self.history.addWidget(button)
        self.history.addStretch(1)

    def _action(self, text: str, keys: QKeySequence, signal) -> QAction:
        """A page-wide shortcut (the page adds it to itself) that fires ``signal``."""
        action = QAction(text, self)
        action.setShortcut(keys)
        action.setShortcutContext(Qt.ShortcutContext.WidgetWithChildrenShortcut)
        action.triggered.connect(signal)
        return action

    def set_loss(self, spec, dims: dict[str, int], reduction: str, options: dict) -> None:
        """Rebuild the controls that depend on the chosen loss (no signals)."""
        self.picker.select(spec.name)
        while self.dims_form.rowCount():
            self.dims_form.removeRow(0)
        self.dim_spins = {}
        for dim, (_, low, high) in spec.dims.items():
            spin = QSpinBox(minimum=low, maximum=high)
            spin.setAccessibleName(f"dim {dim}")
            spin.setValue(dims.get(dim, low))
            spin.valueChanged.connect(lambda size, d=dim: self.dim_changed.emit(d, size))
            self.dim_spins[dim] = spin
            self.dims_form.addRow(DIM_NAMES.get(dim, dim), spin)
        with signals_blocked(self.reduction):
            self.reduction.clear()
            self.reduction.addItems(list(spec.reductions))
            self.reduction.setCurrentText(reduction)
        self.options.set_specs(spec.options, options)

    def set_dims(self, dims: dict[str, int]) -> None:
        for dim, spin in self.dim_spins.items():
            if dim in dims:
                with signals_blocked(spin):
                    spin.setValue(dims[dim])

    def set_reduction(self, reduction: str) -> None:
        with signals_blocked(self.reduction):
            self.reduction.setCurrentText(reduction)

    def set_transform(self, transform: str | None) -> None:
        """Show ``transform`` (None: none) in the combo, without a signal."""
        index = next(i for i, (_, value) in enumerate(TRANSFORM_CHOICES) if value == transform)
        with signals_blocked(self.transform):
            self.transform.setCurrentIndex(index)

    def set_transform_enabled(self, enabled: bool) -> None:
        self.transform.setEnabled(enabled)

    def _on_transform_changed(self, index: int) -> None:
        if index >= 0:
            self.transform_changed.emit(TRANSFORM_CHOICES[index][1])

    def set_seed(self, seed: int) -> None:
        self._drawn_seed = seed
        with signals_blocked(self.seed):
            self.seed.setValue(seed)

    def _on_seed_edited(self) -> None:
        # Leaving the box without a new number must not redraw (and so replace typed cells).
        if self.seed.value() != self._drawn_seed:
            self._drawn_seed = self.seed.value()
            self.seed_chosen.emit(self._drawn_seed)

    def _on_reduction_changed(self, text: str) -> None:
        if text:
            self.reduction_changed.emit(text)


    def tab_chain(self) -> list[QWidget]:
        """The controls in the order Tab should visit them."""
        return [self.picker.search, self.picker.tree, *self.dim_spins.values(), self.seed,
                self.randomize_button, self.reset_button, self.reduction, self.transform,
                *self.options.controls()]


def focus_chain(widgets: list[QWidget]) -> None:
    """Tab goes through ``widgets`` in this order."""
    for first, second in zip(widgets, widgets[1:], strict=False):
        QWidget.setTabOrder(first, second)

