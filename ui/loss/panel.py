"""The Loss lab: pick a loss, edit its tensors, see value, gradient, curve and code.

The page owns a :class:`~explorer.losses.scene.LossScene`; controls and editors
edit it, :func:`explorer.losses.evaluate` (synchronous: slide-sized tensors
take well under a frame) produces every number, and the views redraw from the
latest valid result. Bad input is marked where it was typed and the last
valid result stays.
"""

from __future__ import annotations

import math

from PySide6.QtCore import Qt
from PySide6.QtGui import QAction, QKeySequence, QUndoStack
from PySide6.QtWidgets import (
    QFileDialog,
    QMessageBox,
    QScrollArea,
    QSplitter,
    QStyle,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from explorer import losses
from explorer.errors import InputError
from explorer.losses.scene import LossScene
from ui.common.code_view import CodeView
from ui.common.columns import SideColumn, page_splitter
from ui.common.export import export_widget
from ui.common.lab import LabPage
from ui.common.tab_strip import wrapping_tabs
from ui.loss.composite import CompositeView
from ui.loss.controller import LossController
from ui.loss.controls import LossControls
from ui.loss.curves import ComparePlot, CurvePlot
from ui.loss.header import LossHeader
from ui.loss.result import ResultView
from ui.loss.tensor_editor import REDO_KEYS
from ui.loss.worked import WorkedView

READ_WHOLE = "target = torch.empty(3, dtype=torch.long)"
"""A 41-character line of the slide's code: presenting, the code shows one like it whole
(most of the slides' lines are shorter; the randn lines with requires_grad scroll)."""


def _scrolled(widget: QWidget) -> QScrollArea:
    area = QScrollArea()
    area.setWidget(widget)
    area.setWidgetResizable(True)
    area.setFrameShape(QScrollArea.Shape.NoFrame)
    return area


class LossPanel(LabPage):
    """The Loss lab page (see the module docstring)."""

    key = "loss"
    scene_type = LossScene  # checks a saved page before the window applies any
    title = "Loss"
    icon = "loss"

    def __init__(self, parent=None):
        super().__init__(parent)
        self.undo_stack = QUndoStack(self)
        self.controls = LossControls([losses.spec(n) for n in losses.names()], losses.FAMILIES)
        self.header = LossHeader()
        self.editors_box = QVBoxLayout()
        self.curve = CurvePlot()
        self.compare = ComparePlot()
        self.composite = CompositeView()
        self.worked = WorkedView()
        self.result = ResultView()
        self.code = CodeView()
        self.tabs = QTabWidget()
        self.state = LossController(self)
        self._build_layout()
        self._add_undo_actions()
        self.state.connect_views()
        self.compare.set_curves(losses.compare_curves(self.compare.selected()))
        self.state.choose_loss(self.state.scene.loss)

    # --- layout ---------------------------------------------------------------------------
    def _build_layout(self) -> None:
        middle_top = QWidget()
        top = QVBoxLayout(middle_top)
        top.addWidget(self.header)
        top.addLayout(self.editors_box)
        top.addStretch(1)
        self.tabs.addTab(self.curve.plot, "&Curve")
        self.tabs.addTab(self.compare, "Compare &losses")
        self.tabs.addTab(_scrolled(self.composite), "Com&posite")
        self.tabs.addTab(_scrolled(self.worked), "Cross-entropy by &hand")
        middle = QSplitter(Qt.Orientation.Vertical)
        middle.addWidget(_scrolled(middle_top))
        middle.addWidget(wrapping_tabs(self.tabs))
        middle.setSizes([420, 380])
        numbers = QWidget()
        numbers.setObjectName("loss-results")
        right = QVBoxLayout(numbers)
        right.addWidget(self.result)
        right.addWidget(self.code, 1)
        self.numbers = numbers
        export = QAction("Export results as image…", numbers)
        export.triggered.connect(self.export_results_dialog)
        numbers.addAction(export)  # right-click the value, gradients or code
        numbers.setContextMenuPolicy(Qt.ContextMenuPolicy.ActionsContextMenu)
        self.numbers_area = _scrolled(numbers)
        self.splitter = page_splitter(SideColumn(self.controls), middle, self.numbers_area,
                                      stretch=(0, 3, 2))
        self.splitter.setSizes([270, 660, 420])
        layout = QVBoxLayout(self)
        layout.setContentsMargins(4, 4, 4, 4)
        layout.addWidget(self.splitter)

    def export_results(self, path: str, width: int | None = None):
        """Save the value, the gradient tables and the code as one PNG (for a slide)."""
        saved = export_widget(self.numbers, path, width)
        self.status_message.emit(f"Saved {saved}")
        return saved

    def export_results_dialog(self) -> None:
        path, _ = QFileDialog.getSaveFileName(self, "Export results as image",
                                              "loss-results.png", "PNG image (*.png)")
        if not path:
            return
        try:
            self.export_results(path)
        except InputError as exc:
            QMessageBox.warning(self, "Export failed", str(exc))

    def _add_undo_actions(self) -> None:
        undo_keys = QKeySequence.keyBindings(QKeySequence.StandardKey.Undo)
        actions = (
            (self.undo_stack.createUndoAction(self, "Undo"), undo_keys),
            (self.undo_stack.createRedoAction(self, "Redo"), REDO_KEYS),
        )
        for action, keys in actions:
            action.setShortcuts(keys)
            action.setShortcutContext(Qt.ShortcutContext.WidgetWithChildrenShortcut)
            names = " or ".join(k.toString() for k in action.shortcuts())
            action.setToolTip(f"{action.text()} ({names})")
            self.addAction(action)
        self.controls.add_history(actions[0][0], actions[1][0])
        self.addActions(self.controls.shortcut_actions)
        self.worked.set_undo_stack(self.undo_stack)  # its edits are the page's steps too

    # --- LabPage ----------------------------------------------------------------------------
    def plots(self) -> dict:
        return {"loss-curve": self.curve.plot, "loss-comparison": self.compare.plot,
                "cross-entropy-by-hand": self.worked.bars_plot}

    def focus_widgets(self) -> dict:
        """The plots and the result panel (value and gradients), for the focus view."""
        return {**self.plots(), "result": self.result}

    def scene(self) -> dict:
        return self.state.scene.to_dict()

    @property
    def current_scene(self) -> LossScene:
        """The scene on show (a frozen :class:`LossScene`)."""
        return self.state.scene

    @property
    def last_result(self):
        """The latest valid ``LossResult`` (it stays while an input is bad)."""
        return self.state.last_result

    @property
    def editors(self) -> dict:
        """Input name -> its tensor editor, for the chosen loss."""
        return dict(self.state.editors)

    def set_scene(self, data: dict | LossScene) -> None:
        """Show a saved scene (a dict as saved, or a checked :class:`LossScene`)."""
        self.state.load_scene(data if isinstance(data, LossScene) else LossScene.from_dict(data))

    def compute_now(self) -> None:
        self.state.evaluate()

    def set_device(self, device) -> None:
        self.state.device = device
        self.state.evaluate()

    def control_splitter(self) -> QSplitter:
        return self.splitter

    def presentation_minimums(self):
        """The slide's code, a line of it whole, and the gradient's columns (a wide plot
        beside them once left 20 characters of it, and 2½ of the 5 gradient columns, at
        1366×768; at 1920×1080 the fifth column was cut)."""
        return [(self.numbers_area, self._numbers_width)]

    def _numbers_width(self) -> int:
        edit = self.code.code_edit
        text = edit.fontMetrics().horizontalAdvance(READ_WHOLE)
        code = text + 2 * edit.frameWidth() + math.ceil(2 * edit.document().documentMargin())
        tables = [table.whole_width() for table in self.result.gradients.values()]
        bar = self.style().pixelMetric(QStyle.PixelMetric.PM_ScrollBarExtent)
        margins = self.numbers.layout().contentsMargins()
        return max(code, *tables) + bar + margins.left() + margins.right()

    def presentation_widgets(self) -> list[QWidget]:
        """The long description: the class reads the formula and the numbers."""
        return [self.header.description]

    def shutdown(self, msecs: int | None = None) -> bool:
        """Nothing runs in the background on this page."""
        return True


