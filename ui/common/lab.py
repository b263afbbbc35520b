"""What every lab page offers the main window (menus, scenes, export, shutdown)."""

from __future__ import annotations

import sys
from collections.abc import Callable

import pyqtgraph as pg
from PySide6.QtCore import Signal
from PySide6.QtWidgets import QApplication, QSplitter, QWidget

from ui.common.animation import AnimationSource
from ui.common.worker import Background, wait_for


class LabPage(QWidget):
    """Base class of a lab page (Loss, Descent, Batch).

    Subclasses set ``key`` (the page's name in a scene file and in settings),
    ``title`` (shown in the lab selector) and ``icon`` (a name known to
    ``ui.window.icons``), and override the methods below.
    """

    key = "lab"
    title = "Lab"
    icon = "loss"

    #: A message for the status bar ("Training stopped: ...").
    status_message = Signal(str)

    def plots(self) -> dict[str, pg.PlotWidget]:
        """The page's plots by a short file-safe name ("curve", "loss-per-step")."""
        return {}

    def focus_widgets(self) -> dict[str, QWidget]:
        """What the focus view can put on the whole window: the plots, by default."""
        return dict(self.plots())

    def measured_plots(self) -> set[str]:
        """Names of plots that show measurements (e.g. timings), which differ run to run."""
        return set()

    def scene(self) -> dict:
        """Everything the user chose on this page, as JSON-able data."""
        return {}

    def set_scene(self, data: dict) -> None:
        """Show a saved scene. Raises ``InputError`` and changes nothing if it is invalid."""

    def compute_now(self) -> None:
        """Compute and draw the current scene before returning (for headless export)."""

    def set_device(self, device: str) -> None:
        """Use ``device`` ("cpu", "cuda:0", "mps") for the page's computations from now on."""

    def first_shown(self) -> None:
        """The page is on screen for the first time in the window (start what it shows first)."""

    def animation_source(self) -> AnimationSource | None:
        """What File → Export animation and ``--export-animation`` can play of this page
        (None: nothing). The animation drives the page itself: give it a copy."""
        return None

    def presentation_widgets(self) -> list[QWidget]:
        """Controls to hide in presentation mode (what the class need not see)."""
        return []

    def presentation_minimums(self) -> list[tuple[QWidget, Callable[[], int]]]:
        """``(widget, width)`` pairs: while presenting, ``widget`` is at least ``width()``
        pixels wide (asked again at every font scale), so that what the back row must read
        whole (the slide's code) makes the fit fold the control column or lower the scale
        instead of being squeezed by a wide plot beside it."""
        return []

    def control_splitter(self) -> QSplitter | None:
        """The splitter whose first part is the page's control column (folded by presentation
        mode when the screen is too narrow for it and the plots), if the page has one."""
        return None

    def background_jobs(self) -> list[Background]:
        """The page's background jobs (every ``Background`` among its children)."""
        return self.findChildren(Background)

    def cancel_work(self) -> None:
        """Ask all the page's background work to stop, and return at once (not ``cancel``:
        a page may have a Cancel button of that name)."""
        for job in self.background_jobs():
            job.cancel()

    def shutdown(self, msecs: int | None = None) -> bool:
        """Cancel background work and wait for it, at most ``msecs`` in all (default
        ``SHUTDOWN_MS``; the page is closing); whether it all stopped. Waits for this
        page's workers only, never for another page's."""
        self.cancel_work()
        return wait_for(self.background_jobs(), msecs)


def run_alone(cls: type[LabPage]) -> int:
    """Show one lab page in a window of its own: ``python -m ui.loss``."""
    app = QApplication.instance() or QApplication(sys.argv)
    import torch

    torch.set_num_threads(1)  # as main.py does: the labs' tensors are tiny
    page = cls()
    page.resize(1400, 850)
    page.setWindowTitle(f"Training Explorer · {cls.title} lab")
    page.show()
    page.first_shown()
    app.aboutToQuit.connect(page.shutdown)  # cancels first: quits within a second
    return app.exec()
