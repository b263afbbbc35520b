"""What an animation of each lab shows, and how the page moves on between its frames.

Descent: the playback of a sweep (the map, the loss per step, the 1-D view), step by
step. Batch: a training run, epoch by epoch (the loss and accuracy curves, and the
decision regions on a 2-D data set). A driver is a generator that sets the page to its
next state and yields; :func:`ui.common.animation.frames` draws a frame after each.
"""

from __future__ import annotations

import math
from collections.abc import Iterator
from dataclasses import dataclass

import pyqtgraph as pg

from explorer.errors import InputError
from explorer.training.live import LiveEpoch, train_live
from ui.batch.labels import run_label

#: The most frames a Descent animation takes (every n-th step beyond that).
MAX_DESCENT_FRAMES = 120
LABS = ("descent", "batch")


@dataclass
class Animation:
    """A lab page ready to animate: ``steps`` drives it, ``plots()`` are the frame's plots,
    ``total`` is how many frames ``steps`` will give."""

    steps: Iterator[object]
    total: int
    plots: object


def prepare(page, lab: str) -> Animation:
    """The animation of ``page`` (a lab page of kind ``lab``, scene already set)."""
    if lab == "descent":
        return _descent(page)
    if lab == "batch":
        return _batch(page)
    raise InputError(f"There is no animation of the '{lab}' lab: choose "
                     f"{' or '.join(LABS)}.", field="lab")


def _descent(page) -> Animation:
    page.compute_now()
    last = page.descent_scene().steps
    stride = max(1, math.ceil((last + 1) / MAX_DESCENT_FRAMES))
    steps = list(range(0, last + 1, stride))
    if steps[-1] != last:
        steps.append(last)
    shown = page.plots()

    def drive():
        for step in steps:
            page.playback.seek(step)
            yield step

    return Animation(drive(), len(steps), lambda: [shown["trajectories"],
                                                    shown["loss-per-step"],
                                                    shown["one-parameter"]])


def _batch(page) -> Animation:
    """A run of the scene's training set-up, as the page's own Train button draws it."""
    controller = page.controller
    config = controller.scene.train_config(controller.device)
    two_d = controller.scene.is_two_d()
    plots = page.training.plots()

    def drive():
        page.run_list.clear_button.click()
        page.regions.clear_regions(two_d)
        run = page.curves.begin(run_label(config, []), config.dataset)
        run.config = config
        for item in train_live(config):
            if isinstance(item, LiveEpoch):
                page.training.show_epoch(run, item, regions=two_d)
                yield item.record.epoch

    def on_show() -> list[pg.PlotWidget]:
        wanted = [p for p in plots if p.objectName() in ("training-loss", "training-accuracy")]
        if two_d:
            wanted.append(page.regions.plot)
        return wanted

    return Animation(drive(), config.epochs, on_show)
