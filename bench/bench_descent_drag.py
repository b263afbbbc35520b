"""Benchmark: a learning-rate slider drag on the Descent page, move to data drawn.

The page's own slider is moved through 30 positions with 16 rates × 300 steps on the
default bowl (one run driven, as a drag does); each time is from the slider's move to
the moment the controller has handed the complete run to every plot (``result_changed``).
Printed: the median, min and max in ms and the median as a fraction of a 60 Hz frame
(target ≤ 1.0). It includes the sweep, the scene's checks and all plot updates; not the
paint that follows (Qt's, once per frame).

Run: ``QT_QPA_PLATFORM=offscreen .venv/bin/python bench/bench_descent_drag.py``
"""

from __future__ import annotations

import statistics
import time
from dataclasses import replace

from PySide6.QtWidgets import QApplication

FRAME_MS = 1000 / 60


def main() -> None:
    app = QApplication.instance() or QApplication([])
    from explorer.descent.rates import log_range
    from ui.descent.panel import DescentPanel

    page = DescentPanel()
    page.resize(1400, 900)
    page.show()
    controller = page.controller

    def wait(condition, seconds: float = 30.0) -> None:
        end = time.monotonic() + seconds
        while not condition() and time.monotonic() < end:
            app.processEvents()
            time.sleep(0.0005)

    wait(lambda: page.result is not None and not controller.sweep_busy)
    controller.set_scene(replace(controller.scene, lrs=log_range(0.001, 0.19, 16), steps=300))
    wait(lambda: not controller.sweep_busy and page.result.steps_done == 300
         and len(page.result.labels) == 16 and not controller.bound_busy)
    slider = page.sidebar.sliders.rate.slider
    times = []
    for position in range(300, 600, 10):
        done: list[float] = []

        def on_result(view, done=done) -> None:
            if view.sweep.complete:
                done.append(time.perf_counter())

        controller.result_changed.connect(on_result)
        began = time.perf_counter()
        slider.setValue(position)
        wait(lambda done=done: bool(done))
        times.append((done[0] - began) * 1000)
        controller.result_changed.disconnect(on_result)
    median = statistics.median(times)
    print(f"slider drag, 16 rates x 300 steps, move to data drawn: median {median:.1f} ms "
          f"(min {min(times):.1f}, max {max(times):.1f}, n={len(times)}), "
          f"{median / FRAME_MS:.2f} of a 60 Hz frame")
    page.shutdown()


if __name__ == "__main__":
    main()
