"""The runs of "Optimizers side by side": one row per optimizer (its colour, name, rate and a
remove button), "Add a run", and the optimizer and options of the selected run.

The options are the Trajectories' own form (``ui.common.option_form.OptionForm`` on the specs
of ``explorer.descent.batched_optim``), so a value refused there is refused here with the
same message. Each run keeps its colour for its life (``CompareRun.color``); a new run takes
the first colour free.
"""

from __future__ import annotations

import html
from dataclasses import replace

from PySide6.QtCore import Signal
from PySide6.QtWidgets import (
    QButtonGroup,
    QComboBox,
    QGridLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QRadioButton,
    QToolButton,
    QVBoxLayout,
    QWidget,
)
from superqt.utils import signals_blocked

from explorer.descent import batched_optim, compare
from explorer.errors import InputError
from explorer.inputs import parse_lrs
from ui.common import theme
from ui.common.option_form import OptionForm
from ui.common.widgets import ErrorLabel, mark_invalid, mark_valid


def lr_field(index: int) -> str:
    """The field an InputError names for the rate box of run ``index``."""
    return f"compare_lr_{index}"


class RunsEditor(QWidget):
    """Rows of runs and the selected run's optimizer; ``changed`` after every valid edit."""

    changed = Signal()

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        self._runs: list[compare.CompareRun] = []  # the last valid optimizer and options
        self.selected = 0
        self.rows = QGridLayout()
        self.rows.setColumnStretch(1, 1)
        self.group = QButtonGroup(self)
        self.selectors: list[QRadioButton] = []
        self.names: list[_RunName] = []
        self.rate_boxes: list[QLineEdit] = []
        self.remove_buttons: list[QToolButton] = []
        self.add_button = QPushButton("Add a run")
        self.add_button.setObjectName("add_compare_run")
        self.add_button.setToolTip("A copy of the selected run in a new colour: then change "
                                   f"what differs (at most {compare.MAX_RUNS} runs).")
        self.title = QLabel()
        self.title.setWordWrap(True)
        self.optimizer = QComboBox()
        self.optimizer.setObjectName("compare_optimizer")
        self.optimizer.addItems(list(batched_optim.OPTIMIZERS))
        self.optimizer.setToolTip(batched_optim.ABSENT_NOTE)
        self.options = OptionForm()
        self.error = ErrorLabel()
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        heading = QLabel("<b>Each run: optimizer and learning rate</b>")
        heading.setWordWrap(True)
        layout.addWidget(heading)
        layout.addLayout(self.rows)
        layout.addWidget(self.add_button)
        layout.addWidget(self.error)
        layout.addWidget(self.title)
        layout.addWidget(self.optimizer)
        layout.addWidget(self.options)
        self.add_button.clicked.connect(self._on_add)
        self.group.idClicked.connect(self._on_selected)
        self.optimizer.currentTextChanged.connect(self._on_optimizer_changed)
        self.options.changed.connect(self._on_options_changed)

    # -- showing -------------------------------------------------------------
    def set_runs(self, runs) -> None:
        """Show ``runs`` (checked CompareRuns, each with its colour) without emitting."""
        self._runs = list(runs)
        self._rebuild_rows([_rate_text(run.lr) for run in self._runs])
        self._select(min(self.selected, len(self._runs) - 1))

    def _rebuild_rows(self, texts: list[str]) -> None:
        while self.rows.count():
            widget = self.rows.takeAt(0).widget()
            widget.hide()  # at once: its deletion waits for the event loop
            if isinstance(widget, QRadioButton):
                self.group.removeButton(widget)
            widget.deleteLater()
        self.selectors, self.names, self.rate_boxes, self.remove_buttons = [], [], [], []
        for i, text in enumerate(texts):
            selector = QRadioButton()
            selector.setObjectName(f"compare_run_{i}")
            selector.setToolTip("Edit this run's optimizer and options below")
            self.group.addButton(selector, i)
            name = _RunName()  # wraps: a long name never widens the column
            name.clicked.connect(selector.click)
            box = QLineEdit(text)
            box.setObjectName(lr_field(i))
            box.setToolTip("The learning rate of this run")
            box.setFixedWidth(box.fontMetrics().horizontalAdvance("0.00001") + 16)
            box.editingFinished.connect(self._on_rate_edited)
            remove = QToolButton()
            remove.setText("✕")
            remove.setObjectName(f"remove_compare_run_{i}")
            remove.setToolTip("Remove this run (the others keep their colours)")
            remove.clicked.connect(lambda _=False, k=i: self.remove(k))
            for column, widget in enumerate((selector, name, box, remove)):
                self.rows.addWidget(widget, i, column)
            self.selectors.append(selector)
            self.names.append(name)
            self.rate_boxes.append(box)
            self.remove_buttons.append(remove)
            self._name_row(i)
        for button in self.remove_buttons:
            button.setEnabled(len(self._runs) > 1)
        self.add_button.setEnabled(len(self._runs) < compare.MAX_RUNS)

    def _name_row(self, i: int) -> None:
        run = self._runs[i]
        self.names[i].set_name(compare.describe(run.optimizer, run.options), run.color)

    def _select(self, i: int) -> None:
        self.selected = i
        run = self._runs[i]
        with signals_blocked(self.group):
            self.selectors[i].setChecked(True)
        self.title.setText(f'<span style="color: {theme.text_color(run.color)}"><b>Run {i + 1}'
                           "</b>: optimizer (torch.optim) and options</span>")
        with signals_blocked(self.optimizer):
            self.optimizer.setCurrentText(run.optimizer)
        self.options.set_specs(batched_optim.optimizer_options(run.optimizer),
                               dict(run.options))

    # -- reading -------------------------------------------------------------
    def read(self) -> tuple[compare.CompareRun, ...]:
        """The runs as typed: InputError naming ``compare_lr_<i>`` for a bad rate. A box
        still showing its run's rate keeps that rate to the last digit (the box shows 6)."""
        runs = []
        for i, (run, box) in enumerate(zip(self._runs, self.rate_boxes, strict=True)):
            if box.text().strip() == _rate_text(run.lr):
                runs.append(run)
                continue
            (lr,) = parse_lrs(box.text(), 1, lr_field(i))
            runs.append(replace(run, lr=lr))
        return tuple(runs)

    def texts(self) -> list[str]:
        return [box.text() for box in self.rate_boxes]

    # -- editing -------------------------------------------------------------
    def _on_rate_edited(self) -> None:
        self.changed.emit()

    def _on_selected(self, i: int) -> None:
        self._select(i)

    def _on_optimizer_changed(self, name: str) -> None:
        # A new optimizer starts from its own defaults, as on the Trajectories tab.
        i = self.selected
        self._runs[i] = replace(self._runs[i], optimizer=name, options={})
        self.options.set_specs(batched_optim.optimizer_options(name), {})
        self._name_row(i)
        self.changed.emit()

    def _on_options_changed(self, values: dict) -> None:
        i = self.selected
        run = self._runs[i]
        try:  # the rules across options (Nesterov needs momentum), as the Trajectories' own
            batched_optim.resolve_optimizer_options(run.optimizer, values)
        except InputError as exc:
            if not self.options.show_error(exc):
                self.error.show_error(str(exc))
            return
        self.options.set_values(values)  # clears the marks of a rule now met
        self.error.clear_error()
        self._runs[i] = replace(run, options=dict(values))
        self._name_row(i)
        self.changed.emit()

    def _on_add(self) -> None:
        if len(self._runs) >= compare.MAX_RUNS:
            return
        used = {run.color for run in self._runs}
        color = min(set(range(compare.MAX_RUNS)) - used)
        texts = self.texts()
        self._runs.append(replace(self._runs[self.selected], color=color))
        self._rebuild_rows(texts + [texts[self.selected]])
        self._select(len(self._runs) - 1)
        self.changed.emit()

    def remove(self, i: int) -> None:
        """Remove run ``i`` (never the last one); the others keep their colours and rates."""
        if len(self._runs) <= 1:
            return
        texts = self.texts()
        del self._runs[i], texts[i]
        self._rebuild_rows(texts)
        self._select(min(self.selected if self.selected < i else max(self.selected - 1, 0),
                         len(self._runs) - 1))
        self.changed.emit()

    # -- errors --------------------------------------------------------------
    def show_error(self, exc: Exception) -> bool:
        """Mark the rate box named by ``exc.field``; False if none is."""
        field = getattr(exc, "field", None) or ""
        for i, box in enumerate(self.rate_boxes):
            if field == lr_field(i):
                mark_invalid(box, str(exc))
                self.error.show_error(str(exc))
                return True
        return False

    def clear_marks(self) -> None:
        for box in self.rate_boxes:
            mark_valid(box, "The learning rate of this run")
        self.error.clear_error()


def _rate_text(lr: float) -> str:
    return f"{lr:g}"


class _RunName(QLabel):
    """A run's name in its colour; a click on it selects the run, as its radio button does."""

    clicked = Signal()

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        self.setWordWrap(True)
        self.setToolTip("Edit this run's optimizer and options below")
        self.name = ""

    def set_name(self, name: str, color: int) -> None:
        """``name`` in bold in palette colour ``color``. Rich text, not a style sheet: a
        styled label would keep its font when presentation mode enlarges the application's."""
        self.name = name
        self.setText(f'<b style="color: {theme.text_color(color)}">{html.escape(name)}</b>')

    def mousePressEvent(self, event) -> None:  # noqa: N802 (Qt override)
        self.clicked.emit()
        super().mousePressEvent(event)
