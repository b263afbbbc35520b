"""A composite loss: weighted terms on the page's tensors, each term's value and the total."""

from __future__ import annotations

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QComboBox,
    QDoubleSpinBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QPushButton,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)
from superqt.utils import signals_blocked

from explorer.losses.limits import MAX_TERMS, MAX_WEIGHT
from ui.common.widgets import BigNumber, ErrorLabel
from ui.loss.result import discard, value_text


class CompositeView(QWidget):
    """Rows of (loss, weight, remove); emits ``terms_changed`` with ``[{"loss", "weight"}]``."""

    terms_changed = Signal(list)

    def __init__(self, parent=None):
        super().__init__(parent)
        self._choices: list[str] = []
        self._rows: list[tuple[QComboBox, QDoubleSpinBox, QPushButton, QWidget]] = []
        self.term_rows = QVBoxLayout()
        self.add_button = QPushButton("&Add term")
        self.add_button.setToolTip("Add another loss term, weighted, on the same tensors")
        self.results = QTableWidget(0, 3)
        self.results.setHorizontalHeaderLabels(("term", "weight", "value of the term"))
        self.results.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Stretch)
        self.results.verticalHeader().hide()
        self.results.setEditTriggers(QTableWidget.EditTrigger.NoEditTriggers)
        self.results.setSizeAdjustPolicy(QTableWidget.SizeAdjustPolicy.AdjustToContents)
        self.results.setVerticalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.total = BigNumber()
        self.message = ErrorLabel()
        self._build_layout()
        self.add_button.clicked.connect(self._on_add_clicked)

    def _build_layout(self) -> None:
        intro = QLabel("A composite loss is a weighted sum of losses on the same tensors "
                       "(e.g. MSE + 0.5·L1). Each term, then the total:")
        intro.setWordWrap(True)
        total_row = QHBoxLayout()
        total_row.addWidget(QLabel("<b>total</b> ="))
        total_row.addWidget(self.total)
        total_row.addStretch(1)
        layout = QVBoxLayout(self)
        layout.addWidget(intro)
        layout.addLayout(self.term_rows)
        layout.addWidget(self.add_button, 0, Qt.AlignmentFlag.AlignLeft)
        layout.addWidget(self.message)
        layout.addLayout(total_row)
        layout.addWidget(self.results)
        layout.addStretch(1)

    def set_choices(self, names: list[str]) -> None:
        """The losses a term may use (those taking the same inputs as the chosen loss), the
        chosen loss first: it is the first term a new composite gets."""
        self._choices = list(names)
        for combo, *_ in self._rows:
            current = combo.currentText()
            with signals_blocked(combo):
                combo.clear()
                combo.addItems(self._choices)
                combo.setCurrentText(current)

    def set_terms(self, terms: list[dict]) -> None:
        """Show ``terms`` without emitting ``terms_changed``."""
        while len(self._rows) > len(terms):
            self._remove_row(len(self._rows) - 1)
        while len(self._rows) < len(terms):
            self._add_row()
        for (combo, weight, *_), term in zip(self._rows, terms, strict=True):
            with signals_blocked(combo), signals_blocked(weight):
                if combo.findText(term["loss"]) < 0:
                    combo.addItem(term["loss"])
                combo.setCurrentText(term["loss"])
                weight.setValue(float(term.get("weight", 1.0)))
        self.add_button.setEnabled(len(self._rows) < MAX_TERMS)

    def term_controls(self, index: int) -> tuple[QComboBox, QDoubleSpinBox]:
        """The loss box and the weight box of term ``index``, as a user sees them."""
        combo, weight, *_ = self._rows[index]
        return combo, weight

    def terms(self) -> list[dict]:
        return [{"loss": c.currentText(), "weight": w.value()} for c, w, *_ in self._rows]

    def show_result(self, result) -> None:
        """Each term of a "Composite" ``LossResult`` and the total."""
        self.message.clear_error()
        terms = result.terms
        self.results.setRowCount(len(terms))
        for r, term in enumerate(terms):
            cells = (term.loss, f"{term.weight:g}", value_text(term.value))
            for c, text in enumerate(cells):
                self.results.setItem(r, c, QTableWidgetItem(text))
        self.total.setText(value_text(result.value))

    def show_error(self, message: str) -> None:
        self.message.show_error(message)

    def clear_result(self) -> None:
        self.message.clear_error()
        self.results.setRowCount(0)
        self.total.setText("—")

    # --- rows -------------------------------------------------------------------------------
    def _add_row(self) -> None:
        row = QWidget()
        combo = QComboBox()
        combo.addItems(self._choices)
        used = {c.currentText() for c, *_ in self._rows}
        fresh = [n for n in self._choices if n not in used]
        combo.setCurrentText(fresh[0] if fresh else self._choices[0])
        combo.setAccessibleName("term loss")
        weight = QDoubleSpinBox(decimals=3, singleStep=0.1, minimum=-MAX_WEIGHT,
                                maximum=MAX_WEIGHT)
        weight.setValue(1.0)
        weight.setAccessibleName("term weight")
        remove = QPushButton("Remove")
        line = QHBoxLayout(row)
        line.setContentsMargins(0, 0, 0, 0)
        for widget, stretch in ((QLabel("weight"), 0), (weight, 0), (QLabel("×"), 0),
                                (combo, 1), (remove, 0)):
            line.addWidget(widget, stretch)
        self.term_rows.addWidget(row)
        self._rows.append((combo, weight, remove, row))
        combo.currentTextChanged.connect(self._emit)
        weight.valueChanged.connect(self._emit)
        remove.clicked.connect(lambda: self._on_remove_clicked(remove))

    def _remove_row(self, index: int) -> None:
        row = self._rows.pop(index)[3]
        self.term_rows.removeWidget(row)
        discard(row)

    def _on_add_clicked(self) -> None:
        self._add_row()
        self.add_button.setEnabled(len(self._rows) < MAX_TERMS)
        self._emit()

    def _on_remove_clicked(self, button: QPushButton) -> None:
        index = next(i for i, row in enumerate(self._rows) if row[2] is button)
        self._remove_row(index)
        self.add_button.setEnabled(True)
        self._emit()

    def _emit(self) -> None:
        self.terms_changed.emit(self.terms())
