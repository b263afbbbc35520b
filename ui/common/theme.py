"""One look for every plot and page: palette, fonts, light/dark, presentation scale.

The palette is Okabe–Ito (colour-blind safe). Yellow comes last because it is
hard to read on a white background. Plots made by ``ui.common.plots.make_plot``
follow theme changes by themselves.
"""

from __future__ import annotations

from dataclasses import dataclass

import pyqtgraph as pg
from PySide6.QtCore import QObject, Signal
from PySide6.QtGui import QColor

OKABE_ITO = (
    "#0072B2",  # blue
    "#E69F00",  # orange
    "#009E73",  # bluish green
    "#D55E00",  # vermillion
    "#CC79A7",  # reddish purple
    "#56B4E9",  # sky blue
    "#F0E442",  # yellow
)
NEGATIVE = OKABE_ITO[0]  # diverging pair for signed numbers (gradients): blue
POSITIVE = OKABE_ITO[3]  # vermillion


@dataclass(frozen=True)
class Theme:
    name: str
    background: str
    foreground: str
    muted: str
    error: str
    warning_bg: str
    neutral: str  # the colour for a line that is no run in particular


LIGHT = Theme("light", "#FFFFFF", "#1A1A1A", "#5F6368", "#B00020", "#FFF4D6", "#000000")
DARK = Theme("dark", "#16181D", "#E8E8E8", "#A0A4AB", "#FF6B6B", "#4A3B10", "#F0F0F0")
THEMES = {t.name: t for t in (LIGHT, DARK)}


class _Notifier(QObject):
    changed = Signal()


_state = {"theme": LIGHT, "scale": 1.0}
_notifier: _Notifier | None = None


def notifier() -> _Notifier:
    """The object whose ``changed`` signal fires when the theme or scale changes."""
    global _notifier
    if _notifier is None:
        _notifier = _Notifier()
    return _notifier


def current() -> Theme:
    return _state["theme"]


def scale() -> float:
    """Font and line-width factor: 1 normally, larger in presentation mode."""
    return _state["scale"]


def set_theme(name: str) -> None:
    if name not in THEMES:
        raise ValueError(f"unknown theme {name!r}; choose one of {', '.join(THEMES)}")
    if _state["theme"].name != name:
        _state["theme"] = THEMES[name]
        notifier().changed.emit()


def set_scale(factor: float) -> None:
    if _state["scale"] != factor:
        _state["scale"] = factor
        notifier().changed.emit()


def color(index: int) -> str:
    """The colour of run, curve or learning rate number ``index`` (cycles)."""
    return OKABE_ITO[index % len(OKABE_ITO)]


def colors(count: int) -> list[str]:
    """``count`` distinguishable colours: Okabe–Ito up to 7, else a cividis ramp."""
    if count <= len(OKABE_ITO):
        return [color(i) for i in range(count)]
    cmap = pg.colormap.get("cividis")
    return [cmap.map(i / max(count - 1, 1), mode="qcolor").name() for i in range(count)]


def pen(index_or_color: int | str, width: float = 2.5, style=None) -> pg.QtGui.QPen:
    """A cosmetic pen in the palette, its width scaled for presentation mode."""
    c = color(index_or_color) if isinstance(index_or_color, int) else index_or_color
    kwargs = {"color": c, "width": width * scale()}
    if style is not None:
        kwargs["style"] = style
    return pg.mkPen(**kwargs)


def qcolor(index_or_color: int | str, alpha: int = 255) -> QColor:
    c = QColor(color(index_or_color) if isinstance(index_or_color, int) else index_or_color)
    c.setAlpha(alpha)
    return c


def font_pt(base: float) -> float:
    """A font size in points, scaled for presentation mode."""
    return base * scale()


def big_value_css() -> str:
    """Style for the numbers the back row must read (loss value, current step)."""
    return f"font-size: {font_pt(30):.0f}pt; font-weight: 600; color: {current().foreground};"


def error_css() -> str:
    return f"color: {current().error};"


MIN_TEXT_CONTRAST = 4.5  # WCAG AA for normal text


def _luminance(c: QColor) -> float:
    def channel(v: float) -> float:
        return v / 12.92 if v <= 0.04045 else ((v + 0.055) / 1.055) ** 2.4

    return 0.2126 * channel(c.redF()) + 0.7152 * channel(c.greenF()) + 0.0722 * channel(c.blueF())


def contrast(a: str | QColor, b: str | QColor) -> float:
    """The WCAG 2 contrast ratio of two colours (1 to 21)."""
    la, lb = sorted((_luminance(QColor(a)), _luminance(QColor(b))), reverse=True)
    return (la + 0.05) / (lb + 0.05)


def text_color(index_or_color: int | str, background: str | None = None) -> str:
    """A palette colour made readable as text on ``background`` (the theme's by default):
    mixed towards the foreground (white on dark, black on light) in 5 % steps until its
    contrast is at least ``MIN_TEXT_CONTRAST``; unchanged when it already is."""
    c = QColor(color(index_or_color) if isinstance(index_or_color, int) else index_or_color)
    back = QColor(background or current().background)
    toward = QColor("#FFFFFF") if _luminance(back) < 0.5 else QColor("#000000")
    for step in range(21):
        t = step / 20
        mixed = QColor.fromRgbF(*(a + (b - a) * t for a, b in zip(
            (c.redF(), c.greenF(), c.blueF()), (toward.redF(), toward.greenF(), toward.blueF()),
            strict=True)))
        if contrast(mixed, back) >= MIN_TEXT_CONTRAST:
            return mixed.name()
    return toward.name()
