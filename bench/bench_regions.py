"""The Batch page's decision-region redraw on spirals, and how long the window stalls meanwhile.

Two measurements, printed side by side as p50 / p95 / max in ms and as ratios against the
target (p95 <= 30 ms):

- ``redraw``: :meth:`DecisionRegions.show_regions` with a real network's class grid, then the
  paint it causes (``processEvents``), on the grid the page draws while training (coarse)
  and on the one it draws at the last epoch (full);
- ``window``: the gaps between the ticks of a 10 ms timer in the GUI thread's event loop
  while the real page (offscreen, 1366 x 768) trains spirals with the Train button, as a
  user would, beside the same page idle (the machine's own noise); a gap is how long the
  window could not respond (redraws, epochs and the worker's hold on the GIL together).
  Side by side: redrawing after every epoch (``REDRAW_INTERVAL_S = 0``, as before) and the
  page's throttled redraw; Qt delivers the worker's queued epochs before timers, so a page
  that repaints after each one starves every timer of the program while it trains.

    .venv/bin/python bench/bench_regions.py [--rounds 200] [--epochs 40]
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import numpy as np  # noqa: E402
import torch  # noqa: E402
from PySide6.QtCore import QElapsedTimer, QEventLoop, QTimer  # noqa: E402
from PySide6.QtWidgets import QApplication  # noqa: E402

from explorer import data  # noqa: E402
from explorer.training import TrainConfig, decision_regions  # noqa: E402
from explorer.training.live import LIVE_GRID_SHARE  # noqa: E402
from explorer.training.loop import prepare  # noqa: E402
from explorer.training.scene import BatchScene  # noqa: E402
from ui.batch import training_tab  # noqa: E402
from ui.batch.panel import BatchPanel  # noqa: E402

TARGET_MS, TICK_MS, GRID, LIMIT_S, IDLE_MS = 30.0, 10, 80, 300.0, 2000


def _quantiles(samples_ms: list[float]) -> tuple[float, float, float]:
    values = np.asarray(samples_ms)
    return float(np.percentile(values, 50)), float(np.percentile(values, 95)), float(values.max())


def _redraw_times(app: QApplication, page: BatchPanel, grid: int, rounds: int) -> list[float]:
    """Milliseconds of one redraw and its paint, ``rounds`` times, alternating two grids so
    every call draws a new picture."""
    config = TrainConfig(dataset="spirals", hidden=(32, 32))
    session = prepare(config)
    split = data.load("spirals")
    grids = [decision_regions(session.model, split, grid)]
    session.model[0].weight.data.mul_(-1)  # another network: other regions to draw
    grids.append(decision_regions(session.model, split, grid))
    times = []
    for index in range(rounds):
        began = time.perf_counter()
        page.regions.show_regions(*grids[index % 2], run_label="bench run")
        app.processEvents()
        times.append((time.perf_counter() - began) * 1e3)
    return times


def _window_gaps(page: BatchPanel, epochs: int, train: bool) -> tuple[list[float], float]:
    """Gaps between the ticks of a 10 ms timer in the GUI thread's own event loop (as the
    program runs it) while the page trains spirals, or for as long while idle (the baseline);
    and the share of the wall time the GUI thread was on the CPU."""
    page.show_scene(BatchScene().with_changes(dataset="spirals", hidden=(32, 32), epochs=epochs,
                                              batch_size=16))
    gaps: list[float] = []
    clock, timer, loop = QElapsedTimer(), QTimer(), QEventLoop()
    timer.setInterval(TICK_MS)
    timer.timeout.connect(lambda: gaps.append(float(clock.restart())))
    QTimer.singleShot(round(LIMIT_S * 1000), loop.quit)
    def on_busy_changed(busy: bool) -> None:
        if not busy:
            loop.quit()

    if train:
        page.controller.job.busy_changed.connect(on_busy_changed)
        page.train_button.click()
    else:
        QTimer.singleShot(IDLE_MS, loop.quit)
    wall, cpu = time.perf_counter(), time.thread_time()
    clock.start()
    timer.start()
    loop.exec()
    timer.stop()
    if train:
        page.controller.job.busy_changed.disconnect(on_busy_changed)
        assert page.regions.has_regions(), "the run drew no decision regions"
    return gaps, (time.thread_time() - cpu) / (time.perf_counter() - wall)


def _line(name: str, samples: list[float], gui_share: float | None = None) -> float:
    p50, p95, most = _quantiles(samples)
    share = "" if gui_share is None else f", GUI thread busy {100 * gui_share:.0f} %"
    print(f"{name}: p50 {p50:.1f} ms, p95 {p95:.1f} ms, max {most:.1f} ms (n={len(samples)}"
          f"{share}); p95_vs_target_{TARGET_MS:.0f}ms: {p95 / TARGET_MS:.2f}")
    return p95


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=200)
    parser.add_argument("--epochs", type=int, default=40)
    args = parser.parse_args()
    torch.set_num_threads(1)  # as main.py does: the lab's tensors are tiny
    app = QApplication.instance() or QApplication([])
    page = BatchPanel()
    page.resize(1366, 768)
    page.show()
    page.show_scene(BatchScene().with_changes(dataset="spirals"))
    app.processEvents()
    coarse = max(2, GRID // LIVE_GRID_SHARE)
    _line(f"redraw_{coarse}x{coarse}_while_training", _redraw_times(app, page, coarse, args.rounds))
    _line(f"redraw_{GRID}x{GRID}_last_epoch", _redraw_times(app, page, GRID, args.rounds))
    _line(f"window_gap_of_{TICK_MS}ms_timer_idle_baseline", *_window_gaps(page, args.epochs, False))
    # Side by side: a redraw after every epoch (as before) and the throttled redraw.
    p95 = {}
    for name, interval in (("every_epoch", 0.0), ("throttled", training_tab.REDRAW_INTERVAL_S)):
        training_tab.REDRAW_INTERVAL_S = interval
        page.run_list.clear_button.click()
        p95[name] = _line(f"window_gap_training_spirals_{args.epochs}_epochs_redraw_{name}",
                          *_window_gaps(page, args.epochs, True))
    print(f"window_gap_p95_throttled_vs_every_epoch: {p95['throttled'] / p95['every_epoch']:.2f}")
    page.shutdown()


if __name__ == "__main__":
    main()
