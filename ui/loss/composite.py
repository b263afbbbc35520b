"""A composite loss: weighted terms on the page's tensors, each term's value and the total.

While it has terms, the composite is the loss on show: the page's value, gradients, code and
curve are its own (the controller routes its result the way it routes a single loss's).
"""

from __future__ import annotations

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QUndoCommand
from PySide6.QtWidgets import (
    QComboBox,
    QDoubleSpinBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QPushButton,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)
from superqt.utils import signals_blocked

from explorer.losses import own
from explorer.losses.limits import MAX_TERMS, MAX_WEIGHT
from ui.common.widgets import BigNumber, ErrorLabel, mark_invalid, mark_valid
from ui.loss.result import discard, value_text

_FORMULA_TIP = "L(z, y) of this term: a formula of the prediction z and the target y"
_MERGE_ID = 7301  # TermsEdit: steps of one term's weight merge into one undo step


class TermsEdit(QUndoCommand):
    """One composite edit on the page's undo stack; steps of one weight merge into one."""

    def __init__(self, label: str, merge_key, redo, undo):
        super().__init__(label)
        self._merge_key, self._redo, self._undo = merge_key, redo, undo

    def id(self) -> int:  # noqa: A003 (Qt's name)
        return -1 if self._merge_key is None else _MERGE_ID

    def mergeWith(self, other: QUndoCommand) -> bool:  # noqa: N802
        if not isinstance(other, TermsEdit) or other._merge_key != self._merge_key:
            return False
        self._redo = other._redo
        self.setText(other.text())
        return True

    def redo(self) -> None:
        self._redo()

    def undo(self) -> None:
        self._undo()


def terms_edit_label(old, new) -> tuple[str, tuple | None]:
    """What changed from terms ``old`` to ``new``, as an undo step's label, and the key under
    which such steps merge (a weight's, term by term; None: never)."""
    if len(new) != len(old):
        longer, shorter = (new, old) if len(new) > len(old) else (old, new)
        i = next((i for i, (a, b) in enumerate(zip(longer, shorter, strict=False))
                  if a != b), len(shorter))
        verb = "add" if len(new) > len(old) else "remove"
        return f"{verb} term {i + 1} ({longer[i]['loss']})", None
    i = next(i for i, (a, b) in enumerate(zip(old, new, strict=True)) if a != b)
    if old[i]["loss"] != new[i]["loss"]:
        return f"term {i + 1}: {new[i]['loss']}", None
    if old[i].get("weight") != new[i].get("weight"):
        return f"term {i + 1} weight = {new[i]['weight']:g}", ("weight", i)
    return f"term {i + 1} formula", None


class CompositeView(QWidget):
    """Rows of (loss, weight, remove); emits ``terms_changed`` with ``[{"loss", "weight"}]``.

    A term of the user's own loss also has a formula field; its term carries
    ``"options": {"expression": text}``."""

    terms_changed = Signal(list)

    def __init__(self, parent=None):
        super().__init__(parent)
        self._choices: list[str] = []
        self._choices_tip = ""
        self._rows: list[tuple[QComboBox, QDoubleSpinBox, QPushButton, QWidget, QLineEdit]] = []
        self._formula = own.DEFAULT  # what a new own-loss term starts with
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
        self.partners = QLabel()
        self.partners.setWordWrap(True)
        self.partners.setAccessibleName("which losses can be terms")
        self.total = BigNumber()
        self.message = ErrorLabel()
        self._build_layout()
        self.add_button.clicked.connect(self._on_add_clicked)

    def _build_layout(self) -> None:
        intro = QLabel("A composite loss is a weighted sum of losses on the same tensors "
                       "(e.g. MSE + 0.5·L1). While it has terms it is the loss on show: the "
                       "value, gradients, code and curve are the sum's. A term of the page's "
                       "loss uses the options set on the left. Each term, then the total:")
        intro.setWordWrap(True)
        total_row = QHBoxLayout()
        total_row.addWidget(QLabel("<b>total</b> ="))
        total_row.addWidget(self.total)
        total_row.addStretch(1)
        layout = QVBoxLayout(self)
        layout.addWidget(intro)
        layout.addWidget(self.partners)
        layout.addLayout(self.term_rows)
        layout.addWidget(self.add_button, 0, Qt.AlignmentFlag.AlignLeft)
        layout.addWidget(self.message)
        layout.addLayout(total_row)
        layout.addWidget(self.results)
        layout.addStretch(1)

    def set_choices(self, names: list[str], loss: str | None = None,
                    absent: dict[str, str] | None = None) -> None:
        """The losses a term may use (those whose inputs fit ``loss``'s tensors), the chosen
        loss first: it is the first term a new composite gets. ``absent`` maps each loss left
        out to why; the caption says how many and its tooltip (and each box's) why."""
        self._choices = list(names)
        absent = absent or {}
        why = "\n".join(f"{name}: {reason}" for name, reason in absent.items())
        self._choices_tip = (f"Not offered (their inputs do not fit {loss}'s tensors):\n{why}"
                             if absent else "")
        if loss is not None:
            self.partners.setText(
                f"Terms can be the losses whose inputs fit {loss}'s tensors: the same names, "
                f"shapes, kinds of value and dtypes ({', '.join(names)}). "
                + (f"{len(absent)} others are left out; hover here for why." if absent else ""))
            self.partners.setToolTip(self._choices_tip)
        for combo, *_ in self._rows:
            combo.setToolTip(self._choices_tip)
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
        for (combo, weight, _, _, formula), term in zip(self._rows, terms, strict=True):
            with signals_blocked(combo), signals_blocked(weight), signals_blocked(formula):
                if combo.findText(term["loss"]) < 0:
                    combo.addItem(term["loss"])
                combo.setCurrentText(term["loss"])
                weight.setValue(float(term.get("weight", 1.0)))
                text = (term.get("options") or {}).get("expression")
                formula.setText(str(text) if text is not None else self._formula)
            self._show_formula(combo, formula)
        self.add_button.setEnabled(len(self._rows) < MAX_TERMS)

    def set_default_formula(self, text: str) -> None:
        """The formula a new term of the own loss starts with (the page's, when it has one)."""
        self._formula = text

    def formula_control(self, index: int) -> QLineEdit:
        """The formula field of term ``index`` (shown for the own loss only)."""
        return self._rows[index][4]

    def mark_formula_error(self, index: int, message: str) -> None:
        """Turn term ``index``'s formula red with ``message``; the typed text stays."""
        mark_invalid(self._rows[index][4], message)
        self.message.show_error(f"Term {index + 1}: {message}")

    def term_controls(self, index: int) -> tuple[QComboBox, QDoubleSpinBox]:
        """The loss box and the weight box of term ``index``, as a user sees them."""
        combo, weight, *_ = self._rows[index]
        return combo, weight

    def terms(self) -> list[dict]:
        terms = []
        for combo, weight, _, _, formula in self._rows:
            term = {"loss": combo.currentText(), "weight": weight.value()}
            if combo.currentText() == own.NAME:
                term["options"] = {"expression": formula.text()}
            terms.append(term)
        return terms

    def show_result(self, result) -> None:
        """Each term of a "Composite" ``LossResult`` and the total."""
        self.message.clear_error()
        for *_, formula in self._rows:
            mark_valid(formula, _FORMULA_TIP)
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
        combo.setToolTip(self._choices_tip)
        weight = QDoubleSpinBox(decimals=3, singleStep=0.1, minimum=-MAX_WEIGHT,
                                maximum=MAX_WEIGHT)
        weight.setValue(1.0)
        weight.setKeyboardTracking(False)  # a typed weight is one edit, not one per key
        weight.setAccessibleName("term weight")
        remove = QPushButton("Remove")
        formula = QLineEdit(self._formula, placeholderText="a formula of z, y")
        formula.setAccessibleName("term formula")
        formula.setToolTip(_FORMULA_TIP)
        line = QHBoxLayout(row)
        line.setContentsMargins(0, 0, 0, 0)
        for widget, stretch in ((QLabel("weight"), 0), (weight, 0), (QLabel("×"), 0),
                                (combo, 1), (formula, 1), (remove, 0)):
            line.addWidget(widget, stretch)
        self.term_rows.addWidget(row)
        self._rows.append((combo, weight, remove, row, formula))
        self._show_formula(combo, formula)
        combo.currentTextChanged.connect(lambda: self._show_formula(combo, formula))
        combo.currentTextChanged.connect(self._emit)
        weight.valueChanged.connect(self._emit)
        formula.editingFinished.connect(self._emit)
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

    @staticmethod
    def _show_formula(combo: QComboBox, formula: QLineEdit) -> None:
        formula.setVisible(combo.currentText() == own.NAME)

    def _emit(self) -> None:
        self.terms_changed.emit(self.terms())
