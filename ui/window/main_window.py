"""The main window: lab selector, pages, menus, device in the status bar, settings."""

from __future__ import annotations

from pathlib import Path

import pyqtgraph as pg
from PySide6.QtCore import QByteArray, QSettings, QSize, Qt, QTimer
from PySide6.QtGui import QCursor, QKeySequence, QShortcut
from PySide6.QtWidgets import (
    QApplication,
    QComboBox,
    QFileDialog,
    QHBoxLayout,
    QLabel,
    QListWidget,
    QListWidgetItem,
    QMainWindow,
    QMessageBox,
    QWidget,
)
from superqt.utils import signals_blocked

from explorer import RESOURCES, devices
from explorer import scene as scene_file
from explorer.errors import InputError
from ui.common import export, plots
from ui.common.lab import LabPage
from ui.window import appearance, icons, menus
from ui.window.lab_stack import LabStack
from ui.window.labs import lab_classes

MAX_RECENT = 8
SELECTOR_WIDTH = 96
SCENE_FILTER = "Training Explorer scenes (*.json)"


class MainWindow(QMainWindow):
    """Training Explorer's window; ``settings`` defaults to the user's QSettings."""

    def __init__(self, settings: QSettings | None = None, device: str | None = None, labs=None):
        super().__init__()
        self.setWindowTitle("Training Explorer")
        self._settings = settings or QSettings("Training Explorer", "Training Explorer")
        self._base_font = QApplication.font()
        self._presenting = False
        self._painted_once = False
        self._greeted: set[int] = set()
        self._device_name = "cpu"
        self.stack = LabStack(labs if labs is not None else lab_classes(), self._on_page_built)
        self._classes = self.stack.classes
        self._build_central()
        self._build_status_bar()
        self._build_menus()
        self._restore_settings(device)

    # ----------------------------------------------------------------- layout
    def _build_central(self) -> None:
        self.selector = QListWidget()
        self.selector.setObjectName("LabSelector")
        self.selector.setIconSize(QSize(36, 36))
        self.selector.setFixedWidth(SELECTOR_WIDTH)
        self.selector.setSpacing(4)
        for cls in self._classes:
            item = QListWidgetItem(icons.lab_icon(cls.icon), cls.title)
            item.setTextAlignment(Qt.AlignmentFlag.AlignCenter)
            item.setSizeHint(QSize(86, 72))
            self.selector.addItem(item)
        if not self._classes:
            self.stack.addWidget(
                QLabel("No lab is installed.", alignment=Qt.AlignmentFlag.AlignCenter)
            )
        self.selector.setViewMode(QListWidget.ViewMode.IconMode)
        self.selector.setMovement(QListWidget.Movement.Static)
        self.selector.currentRowChanged.connect(self._on_page_changed)
        central = QWidget()
        layout = QHBoxLayout(central)
        layout.setContentsMargins(4, 4, 4, 0)
        layout.addWidget(self.selector)
        layout.addWidget(self.stack, 1)
        self.setCentralWidget(central)

    def _build_status_bar(self) -> None:
        self.device_box = QComboBox()
        self.device_box.setObjectName("DeviceBox")
        for name in devices.available():
            self.device_box.addItem(devices.describe(name), name)
        self.device_box.setToolTip("The device PyTorch computes on")
        self.device_box.currentIndexChanged.connect(self._on_device_changed)
        bar = self.statusBar()
        bar.addPermanentWidget(QLabel("Compute on:"))
        bar.addPermanentWidget(self.device_box)

    def _build_menus(self) -> None:
        menus.build(self)
        self._escape = QShortcut(QKeySequence(Qt.Key.Key_Escape), self)
        self._escape.activated.connect(self.leave_presentation)
        self._escape.setEnabled(False)

    # ------------------------------------------------------------- settings
    def _restore_settings(self, device: str | None) -> None:
        s = self._settings
        geometry = s.value("geometry")
        if isinstance(geometry, QByteArray) and not geometry.isEmpty():
            self.restoreGeometry(geometry)
        else:
            self.resize(1440, 900)
        self.set_theme(str(s.value("theme", "light")))
        page = str(s.value("page", 0))
        # A saved page that no longer exists (fewer labs, an edited file) opens the first.
        valid = page.isdigit() and int(page) < self.selector.count()
        self.show_page(int(page) if valid else 0)
        self.set_device(device or str(s.value("device", "cpu")))
        self._fill_recent()

    def save_settings(self) -> None:
        s = self._settings
        if not self._presenting:
            s.setValue("geometry", self.saveGeometry())
        s.setValue("theme", self.theme_name)
        s.setValue("page", self.stack.currentIndex())
        s.setValue("device", self.device)
        s.sync()

    def recent_files(self) -> list[str]:
        value = self._settings.value("recent", [])
        if isinstance(value, str):
            value = [value]
        return [str(v) for v in (value or [])]

    def _remember(self, path: Path) -> None:
        recent = [str(path)] + [p for p in self.recent_files() if p != str(path)]
        self._settings.setValue("recent", recent[:MAX_RECENT])
        self._fill_recent()

    def _fill_recent(self) -> None:
        self.recent_menu.clear()
        for path in self.recent_files():
            self.recent_menu.addAction(path, lambda p=path: self.open_scene(p))
        self.recent_menu.setEnabled(bool(self.recent_files()))

    def _fill_examples(self) -> None:
        for path in sorted((RESOURCES / "scenes").glob("*.json")):
            title = path.stem.replace("_", " ").replace("-", " ")
            self.examples_menu.addAction(title, lambda p=path: self.open_scene(p, remember=False))
        self.examples_menu.setEnabled(not self.examples_menu.isEmpty())

    # ---------------------------------------------------------------- pages
    @property
    def pages(self) -> list[LabPage]:
        """Every lab page (building those not built yet)."""
        return self.stack.pages()

    def built_pages(self) -> list[LabPage]:
        return self.stack.built_pages()

    def _on_page_built(self, page: LabPage) -> None:
        page.set_device(self._device_name)
        page.status_message.connect(self._show_status)
        if self._presenting:
            for widget in page.presentation_widgets():
                widget.setVisible(False)

    def paintEvent(self, event) -> None:  # noqa: N802 (Qt override)
        super().paintEvent(event)
        if not self._painted_once:  # the other labs are built after the first paint
            self._painted_once = True
            QTimer.singleShot(0, self.stack.build_rest)

    def show_page(self, index: int) -> None:
        if 0 <= index < self.selector.count():
            self.selector.setCurrentRow(index)

    def current_page(self) -> LabPage | None:
        widget = self.stack.currentWidget()
        return widget if isinstance(widget, LabPage) else None

    def _on_page_changed(self, index: int) -> None:
        if 0 <= index < len(self._classes):
            page = self.stack.page(index)
            if index not in self._greeted:
                self._greeted.add(index)
                page.first_shown()
        self.stack.setCurrentIndex(index)
        if self._presenting:
            self._hide_for_presentation(True)

    def _show_status(self, message: str) -> None:
        self.statusBar().showMessage(message, 8000)

    # --------------------------------------------------------------- device
    @property
    def device(self) -> str:
        return str(self.device_box.currentData() or "cpu")

    def set_device(self, name: str) -> None:
        choice = devices.choose(name)
        index = self.device_box.findData(str(choice.device))
        with signals_blocked(self.device_box):
            self.device_box.setCurrentIndex(max(index, 0))
        self._device_name = str(choice.device)
        for page in self.built_pages():
            page.set_device(self._device_name)
        if choice.message:
            self._show_status(choice.message)

    def _on_device_changed(self, _index: int) -> None:
        self.set_device(self.device)

    # ---------------------------------------------------------------- theme
    @property
    def theme_name(self) -> str:
        action = self._theme_group.checkedAction()
        return action.data() if action else "light"

    def set_theme(self, name: str) -> None:
        name = name if name in ("light", "dark") else "light"
        for action in self._theme_group.actions():
            action.setChecked(action.data() == name)
        appearance.apply_theme(QApplication.instance(), name)

    # --------------------------------------------------------- presentation
    @property
    def presenting(self) -> bool:
        return self._presenting

    def toggle_presentation(self) -> None:
        if self._presenting:
            self.leave_presentation()
        else:
            self.enter_presentation()

    def enter_presentation(self) -> None:
        if self._presenting:
            return
        self._presenting = True
        self._was_maximized = self.isMaximized()
        appearance.apply_scale(
            QApplication.instance(), self._base_font, appearance.PRESENTATION_SCALE
        )
        self._hide_for_presentation(True)
        self.presentation_action.setChecked(True)
        self._escape.setEnabled(True)
        self.showFullScreen()

    def leave_presentation(self) -> None:
        if not self._presenting:
            return
        self._presenting = False
        appearance.apply_scale(QApplication.instance(), self._base_font, 1.0)
        self._hide_for_presentation(False)
        self.presentation_action.setChecked(False)
        self._escape.setEnabled(False)
        self.showMaximized() if self._was_maximized else self.showNormal()

    def _hide_for_presentation(self, hide: bool) -> None:
        # The class needs the pages, not the tool bar or the device line; the
        # menus and every shortcut stay.
        self.toolbar.setVisible(not hide)
        self.statusBar().setVisible(not hide)
        scale = appearance.PRESENTATION_SCALE if hide else 1.0
        self.selector.setFixedWidth(round(SELECTOR_WIDTH * scale))
        self.selector.setIconSize(QSize(round(36 * scale), round(36 * scale)))
        for i in range(self.selector.count()):
            self.selector.item(i).setSizeHint(QSize(round(86 * scale), round(72 * scale)))
        for page in self.built_pages():
            for widget in page.presentation_widgets():
                widget.setVisible(not hide)

    # --------------------------------------------------------------- scenes
    def scene(self) -> dict[str, dict]:
        return {page.key: page.scene() for page in self.pages}

    def apply_scene(self, pages: dict[str, dict]) -> None:
        """Show ``pages``; on an invalid part, restore every page and raise ``InputError``."""
        before = self.scene()
        try:
            for page in self.pages:
                if page.key in pages:
                    page.set_scene(pages[page.key])
        except InputError:
            for page in self.pages:
                page.set_scene(before[page.key])
            raise

    def open_scene(self, path: str | Path, remember: bool = True) -> bool:
        try:
            pages = scene_file.load(path)
            self.apply_scene(pages)
        except InputError as exc:
            QMessageBox.warning(
                self, "Cannot open scene", f"{exc}\n\nThe current scene is unchanged."
            )
            return False
        keys = [cls.key for cls in self._classes]
        if len(pages) == 1 and next(iter(pages)) in keys:  # a one-lab scene: show that lab
            self.show_page(keys.index(next(iter(pages))))
        if remember:
            self._remember(Path(path).resolve())
        self._show_status(f"Opened {Path(path).name}")
        return True

    def save_scene(self, path: str | Path) -> bool:
        try:
            scene_file.save(path, self.scene())
        except InputError as exc:
            QMessageBox.warning(self, "Cannot save scene", str(exc))
            return False
        self._remember(Path(path).resolve())
        self._show_status(f"Saved {Path(path).name}")
        return True

    def open_scene_dialog(self) -> None:
        path, _ = QFileDialog.getOpenFileName(self, "Open scene", "", SCENE_FILTER)
        if path:
            self.open_scene(path)

    def save_scene_dialog(self) -> None:
        path, _ = QFileDialog.getSaveFileName(self, "Save scene", "scene.json", SCENE_FILTER)
        if path:
            self.save_scene(path)

    # --------------------------------------------------------------- export
    def plot_in_focus(self) -> pg.PlotWidget | None:
        """The plot under the mouse, else the one with focus, else the page's first."""
        page = self.current_page()
        if page is None:
            return None
        candidates = [p for p in page.plots().values() if p.isVisible()]
        widget = QApplication.widgetAt(QCursor.pos())
        for plot in candidates:
            if widget is not None and (widget is plot or plot.isAncestorOf(widget)):
                return plot
        focus = QApplication.focusWidget()
        for plot in candidates:
            if focus is not None and (focus is plot or plot.isAncestorOf(focus)):
                return plot
        return candidates[0] if candidates else None

    def export_plot_dialog(self) -> None:
        plot = self.plot_in_focus()
        if plot is None:
            self._show_status("This page has no plot to export.")
            return
        plots.ask_and_export(plot, self)

    def copy_plot_image(self) -> None:
        plot = self.plot_in_focus()
        if plot is not None:
            export.copy_plot_image(plot)
            self._show_status("Plot copied to the clipboard as an image.")

    def export_page_dialog(self) -> None:
        page = self.current_page()
        if page is None:
            return
        path, _ = QFileDialog.getSaveFileName(
            self, "Export page", f"{page.key}-lab.png", "PNG image (*.png)"
        )
        if not path:
            return
        try:
            export.export_widget(page, path)
        except InputError as exc:
            QMessageBox.warning(self, "Export failed", str(exc))

    # ------------------------------------------------------------- shutdown
    def closeEvent(self, event) -> None:  # noqa: N802 (Qt override)
        self.save_settings()
        for page in self.built_pages():
            page.shutdown()
        super().closeEvent(event)
