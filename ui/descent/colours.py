"""Each run keeps its colour for its life on the page.

A run is one learning rate in the scene's list. Adding a rate gives the new run the
first free palette colour; the others keep theirs. When the list keeps its length and
only some rates change (a slider drags a run, or moves a fan), each position keeps its
colour: it is the same run at a new rate. Beyond the palette's seven colours runs are
told apart by a ramp, by position (a ramp cannot keep colours fixed as runs are added).
"""

from __future__ import annotations

import pyqtgraph as pg

from ui.common import theme

#: The surface under the runs, per theme: its heat map (low to high loss) and contour lines,
#: quiet so the runs' colours stand out (light on the light theme, dark on the dark one);
#: one look for every map of the lab (a light map on the dark panel glared).
MAP_HEAT = {"light": pg.ColorMap([0.0, 1.0], ["#FFFFFF", "#A9B5C2"]),
            "dark": pg.ColorMap([0.0, 1.0], ["#16181D", "#46525F"])}
MAP_CONTOUR = {"light": "#6B7785", "dark": "#8C97A3"}


class RunColours:
    """Palette slots per learning rate, kept from one list of rates to the next."""

    def __init__(self):
        self._slots: list[int] = []  # palette index of each run, in the scene's order
        self._lrs: tuple[float, ...] = ()

    def update(self, lrs) -> list[str]:
        """The colours of ``lrs`` (the scene's rates, in order), following the previous list."""
        lrs = tuple(float(lr) for lr in lrs)
        palette = len(theme.OKABE_ITO)
        if len(lrs) > palette:
            self._slots, self._lrs = [], lrs
            return theme.colors(len(lrs))
        if len(lrs) == len(self._lrs) and self._slots:
            slots = list(self._slots)  # the same runs at new rates
        else:
            old = dict(zip(self._lrs, self._slots, strict=True))
            slots = [old.get(lr, -1) for lr in lrs]
            # a rate listed twice keeps its slot once; the copy gets a new one
            seen: set[int] = set()
            for k, slot in enumerate(slots):
                if slot in seen:
                    slots[k] = -1
                seen.add(slot)
            free = [s for s in range(palette) if s not in slots]
            slots = [free.pop(0) if slot < 0 else slot for slot in slots]
        self._slots, self._lrs = slots, lrs
        return [theme.color(slot) for slot in slots]
