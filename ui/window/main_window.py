"""The main window: lab selector, pages, menus, scenes, export, device in the status bar.

Presentation mode is :mod:`ui.window.presentation`; what the window remembers between
runs (QSettings, recent files) is :mod:`ui.window.settings`.
"""

from __future__ import annotations

from pathlib import Path

import pyqtgraph as pg
from PySide6.QtCore import QSettings, Qt, QTimer
from PySide6.QtGui import QCursor
from PySide6.QtWidgets import (
    QApplication,
    QComboBox,
    QFileDialog,
    QHBoxLayout,
    QLabel,
    QMainWindow,
    QMessageBox,
    QWidget,
)
from superqt.utils import signals_blocked

from explorer import RESOURCES, devices
from explorer import scene as scene_file
from explorer.errors import InputError
from ui.common import export, plots, theme
from ui.common.lab import LabPage
from ui.window import appearance, menus
from ui.window.focus import FocusView
from ui.window.lab_stack import LabStack
from ui.window.labs import lab_classes
from ui.window.presentation import Presentation
from ui.window.selector import LabSelector
from ui.window.settings import WindowSettings

SCENE_FILTER = "Training Explorer scenes (*.json)"


class MainWindow(QMainWindow):
    """Training Explorer's window; ``settings`` defaults to the user's QSettings."""

    def __init__(self, settings: QSettings | None = None, device: str | None = None, labs=None):
        super().__init__()
        self.setWindowTitle("Training Explorer")
        self._settings = WindowSettings(settings)
        self._painted_once = False
        self._greeted: set[int] = set()
        self._device_name = "cpu"
        self._presentation = Presentation(self)
        self.focus_view = FocusView(self, self._presentation)
        self.stack = LabStack(labs if labs is not None else lab_classes(), self._on_page_built)
        self._classes = self.stack.classes
        self._build_central()
        self._build_status_bar()
        menus.build(self)
        self._restore_settings(device)

    # ----------------------------------------------------------------- layout
    def _build_central(self) -> None:
        self.selector = LabSelector(self._classes)
        if not self._classes:
            self.stack.addWidget(
                QLabel("No lab is installed.", alignment=Qt.AlignmentFlag.AlignCenter)
            )
        self.selector.currentRowChanged.connect(self._on_page_changed)
        central = QWidget()
        layout = QHBoxLayout(central)
        layout.setContentsMargins(4, 4, 4, 0)
        layout.addWidget(self.selector)
        layout.addWidget(self.stack, 1)
        layout.addWidget(self.focus_view.holder, 1)
        self.setCentralWidget(central)
        self._presentation.watch(central)

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

    # ------------------------------------------------------------- settings
    def _restore_settings(self, device: str | None) -> None:
        geometry = self._settings.geometry()
        if geometry is not None:
            self.restoreGeometry(geometry)
        else:
            self.resize(1440, 900)
        self.set_theme(self._settings.theme())
        self.show_page(self._settings.page(self.selector.count()))
        self.set_device(device or self._settings.device())
        self._fill_recent()

    def save_settings(self) -> None:
        # A full-screen geometry would reopen the window full screen without presenting.
        geometry = None if self.presenting else self.saveGeometry()
        self._settings.save(geometry, self.theme_name, self.stack.currentIndex(), self.device)

    def recent_files(self) -> list[str]:
        return self._settings.recent_files()

    def _remember(self, path: Path) -> None:
        self._settings.remember(path)
        self._fill_recent()

    def _fill_recent(self) -> None:
        self.recent_menu.clear()
        recent = self.recent_files()  # read once: at most MAX_RECENT, however long the file's
        for path in recent:
            self.recent_menu.addAction(path, lambda p=path: self.open_scene(p))
        self.recent_menu.setEnabled(bool(recent))

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
        self._presentation.prepare(page)
        self.focus_view.watch(page)

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
        self.focus_view.leave()
        if 0 <= index < len(self._classes):
            page = self.stack.page(index)
            if index not in self._greeted:
                self._greeted.add(index)
                page.first_shown()
        self.stack.setCurrentIndex(index)
        if self.presenting:
            self._presentation.refresh()

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
        return action.data() if action else theme.LIGHT.name

    def set_theme(self, name: str) -> None:
        name = name if name in theme.THEMES else theme.LIGHT.name
        for action in self._theme_group.actions():
            action.setChecked(action.data() == name)
        appearance.apply_theme(QApplication.instance(), name)

    # --------------------------------------------------------- presentation
    @property
    def presenting(self) -> bool:
        return self._presentation.active

    def toggle_presentation(self) -> None:
        self._presentation.toggle()

    def enter_presentation(self) -> None:
        self._presentation.enter()

    def leave_presentation(self) -> None:
        self._presentation.leave()

    # --------------------------------------------------------------- scenes
    def scene(self) -> dict[str, dict]:
        return {page.key: page.scene() for page in self.pages}

    def apply_scene(self, pages: dict[str, dict], source: str = "the scene") -> None:
        """Show ``pages`` (page key -> its saved dict) all or nothing: every part is checked
        (:func:`explorer.scene.check_pages`) before any page changes, and if showing one
        fails all the same, every page gets its previous scene back. Raises ``InputError``
        when refused.
        """
        classes = {cls.key: getattr(cls, "scene_type", None) for cls in self._classes}
        scenes = scene_file.check_pages(pages, source, classes)
        before = self.scene()
        showing = None
        try:
            for showing in self.pages:
                if showing.key in scenes:
                    showing.set_scene(scenes[showing.key])
        except Exception as exc:  # any failure at all: put every page back
            for page in self.pages:
                page.set_scene(before[page.key])
            if isinstance(exc, InputError):
                raise
            reason = f"{type(exc).__name__}: {exc}" if str(exc) else type(exc).__name__
            who = f"The {showing.key} page" if showing is not None else "The window"
            raise InputError(f"{who} could not show {source} ({reason}).",
                             field="scene") from exc

    def open_scene(self, path: str | Path, remember: bool = True) -> bool:
        """Open a scene file; a refused one shows why and leaves the current scene as it was."""
        try:
            pages = scene_file.load(path)
            self.apply_scene(pages, source=f"'{Path(path).name}'")
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
            return
        self._show_status(f"Saved {path}")

    # ------------------------------------------------------------- shutdown
    def closeEvent(self, event) -> None:  # noqa: N802 (Qt override)
        self.save_settings()
        self._stop_work()
        # A page built after this (the stack builds the rest one per event-loop turn)
        # may start work of its own: stop that too before the program exits.
        app = QApplication.instance()
        if app is not None and not getattr(self, "_stops_at_quit", False):
            self._stops_at_quit = True
            app.aboutToQuit.connect(self._stop_work)
        super().closeEvent(event)

    def _stop_work(self) -> None:
        """Cancel every page's work first, then wait for each page's own threads: no page
        waits on work another page has not cancelled yet."""
        pages = self.built_pages()
        for page in pages:
            page.cancel_work()
        for page in pages:
            page.shutdown()
