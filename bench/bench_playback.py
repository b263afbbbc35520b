"""One playback frame of the Descent page for 64 learning rates × 1,000 steps.

A frame = advance every trajectory one step and redraw the page offscreen, as
a playback timer tick does: ``seek`` the next step, then ``processEvents()``,
in which Qt repaints every part of the page that the step changed (all three
plots, the step number, the slider, the loss numbers). Each path is drawn only
up to the current step (the frame adds the new segments to the grown image);
the same frame with "show the whole path faintly" ticked is printed beside it.
Both are printed as a fraction of a 60 Hz frame (16.7 ms; target <= 0.25), by the wall
clock and by the GUI thread's CPU time (the steadier figure when other processes load
the machine: the best of three runs of 200 frames each).
Two figures measured side by side in the same process go with it: the same
frame followed by a forced ``repaint()`` of the whole page (sidebar included, which playback never
changes), and that full repaint without advancing, as the baseline.

    .venv/bin/python bench/bench_playback.py
"""

from __future__ import annotations

import os
import sys
import time
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from PySide6.QtWidgets import QApplication  # noqa: E402

from explorer.descent.rates import log_range  # noqa: E402
from explorer.descent.scene import DescentScene  # noqa: E402
from ui.descent.panel import DescentPanel  # noqa: E402

FRAME_60HZ = 1.0 / 60.0
LRS, STEPS, FRAMES = 64, 1000, 200


def _page(app: QApplication) -> DescentPanel:
    page = DescentPanel()
    page.resize(1400, 850)
    page.show()
    page.set_scene(DescentScene(lrs=log_range(1e-3, 0.25, LRS), steps=STEPS))
    page.compute_now()
    app.processEvents()
    return page


def _frames(app, page, advance: bool, full_repaint: bool) -> tuple[float, float]:
    """Seconds per frame: wall clock, and the GUI thread's CPU time (steadier on a shared
    machine, where other processes take the cores)."""
    start_step = 100
    page.playback.seek(start_step)
    page.repaint()
    app.processEvents()
    begin, cpu = time.perf_counter(), time.thread_time()
    for i in range(FRAMES):
        if advance:
            page.playback.seek(start_step + i + 1)
        if full_repaint:
            page.repaint()
        app.processEvents()
    return (time.perf_counter() - begin) / FRAMES, (time.thread_time() - cpu) / FRAMES


def _best(app, page, advance: bool, full_repaint: bool) -> tuple[float, float]:
    runs = [_frames(app, page, advance, full_repaint) for _ in range(3)]
    return min(w for w, _ in runs), min(c for _, c in runs)


def main() -> None:
    app = QApplication.instance() or QApplication([])
    page = _page(app)
    assert page.result.path.shape == (LRS, STEPS + 1, 2)
    frame, frame_cpu = _best(app, page, advance=True, full_repaint=False)
    page.sidebar.whole_path.setChecked(True)
    whole, whole_cpu = _best(app, page, advance=True, full_repaint=False)
    page.sidebar.whole_path.setChecked(False)
    forced, _ = _best(app, page, advance=True, full_repaint=True)
    idle, _ = _best(app, page, advance=False, full_repaint=True)
    page.shutdown()
    print(f"playback_frame_ms: {frame * 1000:.2f}")
    print(f"playback_frame_with_full_page_repaint_ms: {forced * 1000:.2f}")
    print(f"full_page_repaint_without_step_ms: {idle * 1000:.2f}")
    print(f"playback_frame_with_whole_path_faint_ms: {whole * 1000:.2f}")
    print(f"playback_frame_fraction_of_60hz: {frame / FRAME_60HZ:.3f}")
    print(f"playback_frame_with_whole_path_faint_fraction_of_60hz: {whole / FRAME_60HZ:.3f}")
    print(f"playback_frame_with_full_page_repaint_fraction_of_60hz: {forced / FRAME_60HZ:.3f}")
    print(f"playback_frame_vs_full_page_repaint: {frame / idle:.2f}")
    print(f"playback_frame_cpu_fraction_of_60hz: {frame_cpu / FRAME_60HZ:.3f}")
    print("playback_frame_with_whole_path_faint_cpu_fraction_of_60hz:",
          f"{whole_cpu / FRAME_60HZ:.3f}")


if __name__ == "__main__":
    main()
