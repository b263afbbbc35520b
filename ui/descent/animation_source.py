"""The Descent lab's animation: the playback of the sweep, step by step.

The frame is the map, the loss per step and the 1-D view, as laid out on the page;
at most ``MAX_FRAMES`` frames (every n-th step beyond that, the last step always).
The page's one public hook, ``DescentPanel.animation_source``, returns ``SOURCE``.
"""

from __future__ import annotations

import math

from ui.common.animation import Animation, AnimationSource

MAX_FRAMES = 120
FRAME_PLOTS = ("trajectories", "loss-per-step", "one-parameter")


def frame_steps(last: int, most: int = MAX_FRAMES) -> list[int]:
    """The steps shown, 0 to ``last``: every one, or every n-th so there are at most
    ``most`` (plus ``last``, so the animation ends where the run does)."""
    stride = max(1, math.ceil((last + 1) / most))
    steps = list(range(0, last + 1, stride))
    if steps[-1] != last:
        steps.append(last)
    return steps


def playback(page, _view: str = "playback") -> Animation:
    """``page`` (a DescentPanel, scene set) computed now and played step by step."""
    page.compute_now()
    steps = frame_steps(page.descent_scene().steps)
    shown = page.plots()

    def drive():
        for step in steps:
            page.playback.seek(step)
            yield step

    return Animation(drive(), len(steps), lambda: [shown[name] for name in FRAME_PLOTS])


SOURCE = AnimationSource(
    {"playback": "The playback: the map, the loss per step and the 1-D view"}, playback)
