"""The main window's menus (File, View, Help) and its tool bar."""

from __future__ import annotations

from PySide6.QtGui import QAction, QActionGroup, QKeySequence

from ui.common import theme
from ui.window import animation_dialog, dialogs


def build(w) -> None:
    """Add the menus and tool bar to main window ``w`` (its slots do the work)."""
    file = w.menuBar().addMenu("&File")
    open_action = _add(w, file, "&Open scene…", w.open_scene_dialog, QKeySequence.StandardKey.Open)
    w.recent_menu = file.addMenu("Open &recent")
    w.examples_menu = file.addMenu("E&xample scenes")
    w._fill_examples()
    save_action = _add(w, file, "&Save scene…", w.save_scene_dialog, QKeySequence.StandardKey.Save)
    file.addSeparator()
    export_action = _add(w, file, "&Export plot…", w.export_plot_dialog, "Ctrl+E")
    copy_action = _add(w, file, "Copy plot &image", w.copy_plot_image, "Ctrl+Shift+C")
    page_action = _add(w, file, "Export &page…", w.export_page_dialog, "Ctrl+Shift+E")
    w.animation_action = _add(w, file, "Export &animation…",
                              lambda: animation_dialog.ask_and_export(w))
    file.addSeparator()
    _add(w, file, "&Quit", w.close, QKeySequence.StandardKey.Quit)

    view = w.menuBar().addMenu("&View")
    for i, cls in enumerate(w._classes):
        _add(w, view, f"{cls.title} lab", lambda i=i: w.show_page(i), f"Ctrl+{i + 1}")
    view.addSeparator()
    w.presentation_action = _add(w, view, "&Presentation mode", w.toggle_presentation, "F5")
    w.presentation_action.setCheckable(True)
    theme_menu = view.addMenu("&Theme")
    w._theme_group = QActionGroup(w)
    for name in theme.THEMES:
        action = _add(w, theme_menu, name.capitalize(), lambda n=name: w.set_theme(n))
        action.setCheckable(True)
        action.setData(name)
        w._theme_group.addAction(action)

    help_menu = w.menuBar().addMenu("&Help")
    _add(w, help_menu, "&Keyboard shortcuts", lambda: dialogs.show_shortcuts(w), "F1")
    _add(w, help_menu, "&About Training Explorer", lambda: dialogs.show_about(w, w.device))
    w.toolbar = w.addToolBar("Main")
    w.toolbar.setObjectName("MainToolBar")
    w.toolbar.setMovable(False)
    for action in (
        open_action,
        save_action,
        None,
        export_action,
        copy_action,
        page_action,
        None,
        w.presentation_action,
    ):
        w.toolbar.addSeparator() if action is None else w.toolbar.addAction(action)


def _add(w, menu, text, slot, shortcut=None) -> QAction:
    action = QAction(text, w)
    if shortcut is not None:
        action.setShortcut(QKeySequence(shortcut))
    action.triggered.connect(slot)
    menu.addAction(action)
    return action
