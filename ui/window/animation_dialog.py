"""File → Export animation…: the current lab's run as GIF or MP4, with progress and Cancel.

The frames come from a copy of the page built off screen with the page's scene, so the
user's own page (its playback step, its list of runs) is left as it was.
"""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QFileDialog,
    QInputDialog,
    QMessageBox,
    QProgressDialog,
    QWidget,
)

from explorer import animation as encoder
from explorer.errors import InputError
from ui.common.animation import Cancelled, frames
from ui.window import animations

FILTERS = ";;".join(f"{d} (*{s})" for s, d in encoder.FORMATS.items())
FPS, WIDTH = 10, 960


def ask_and_export(window) -> None:
    """Ask what to show (when the lab offers more than one view) and a file name, then
    write the current lab's animation into it."""
    page = window.current_page()
    source = None if page is None else page.animation_source()
    if source is None:
        window.statusBar().showMessage(
            "Only the Descent and Batch labs have a run to animate.", 8000)
        return
    view = ask_view(window, source.views, source.default_view(page))
    if view is None:
        return
    path, _ = QFileDialog.getSaveFileName(window, "Export animation",
                                          f"{page.key}-{view}.gif", FILTERS)
    if path:
        export_page_animation(window, page, path, view=view)


def ask_view(window: QWidget, views: dict[str, str], default: str) -> str | None:
    """The view chosen (the only one, without asking), or None if the user cancelled."""
    if len(views) == 1:
        return next(iter(views))
    words = list(views.values())
    chosen, ok = QInputDialog.getItem(window, "Export animation", "What the animation shows:",
                                      words, list(views).index(default), False)
    return list(views)[words.index(chosen)] if ok else None


def export_page_animation(window: QWidget, page, path: str, fps: int = FPS,
                          width: int = WIDTH, view: str | None = None) -> int | None:
    """Write ``page``'s animation of ``view`` (default: the one its scene shows) to
    ``path``; the number of frames, or None if refused or cancelled (a refusal is shown in
    a message box, a save on the status bar)."""
    copy = type(page)()
    copy.setAttribute(Qt.WidgetAttribute.WA_DontShowOnScreen, True)
    copy.resize(max(page.width(), 1200), max(page.height(), 750))
    progress = QProgressDialog("Rendering the animation…", "Cancel", 0, 1, window)
    progress.setWindowModality(Qt.WindowModality.WindowModal)
    progress.setMinimumDuration(0)
    try:
        copy.set_scene(page.scene())
        copy.show()
        movie = animations.prepare(copy, page.key, view)
        progress.setMaximum(movie.total)
        count = encoder.write_animation(
            path, frames(movie.steps, copy, movie.plots, width,
                         cancelled=progress.wasCanceled, progress=progress.setValue), fps)
    except Cancelled:
        window.statusBar().showMessage("Animation cancelled; nothing was written.", 8000)
        return None
    except InputError as exc:
        QMessageBox.warning(window, "Cannot export the animation", str(exc))
        return None
    finally:
        progress.close()
        copy.shutdown()
        copy.hide()
        copy.deleteLater()
    window.statusBar().showMessage(f"Saved {path} ({count} frames)", 8000)
    return count
