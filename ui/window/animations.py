"""What an animation of each lab shows: whatever the page's ``animation_source`` offers.

A lab page that has a run to play returns an :class:`ui.common.animation.AnimationSource`
from ``LabPage.animation_source`` (Descent: the playback of the sweep; Batch: a training
run, as curves or inside a BN layer); this module only asks it. Its ``Animation`` drives
the page; :func:`ui.common.animation.frames` draws a frame after each step.
"""

from __future__ import annotations

from explorer.errors import InputError
from ui.common.animation import Animation

LABS = ("descent", "batch")


def views(page) -> dict[str, str]:
    """The animations ``page`` offers (key -> words for a menu); {} when it has none."""
    source = page.animation_source()
    return {} if source is None else dict(source.views)


def prepare(page, lab: str, view: str | None = None) -> Animation:
    """The animation of ``page`` (a lab page of kind ``lab``, scene already set): ``view``,
    or the one its scene shows."""
    source = page.animation_source() if lab in LABS else None
    if source is None:
        raise InputError(f"There is no animation of the '{lab}' lab: choose "
                         f"{' or '.join(LABS)}.", field="lab")
    return source.animation(page, view)
