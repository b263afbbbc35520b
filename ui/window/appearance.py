"""Application-wide look: light/dark palettes and the presentation font scale."""

from __future__ import annotations

from PySide6.QtGui import QColor, QFont, QPalette
from PySide6.QtWidgets import QApplication

from ui.common import theme

PRESENTATION_SCALE = 1.5  # the largest presentation scale (a 1920 × 1080 screen or more)
#: The smallest: a page that does not fit a small screen at 1 is drawn a little smaller.
MIN_PRESENTATION_SCALE = 0.85
#: The window size the pages are laid out for at scale 1 (presentation hides the bars).
DESK_SIZE = (1280, 720)


def presentation_scale(width: int, height: int) -> float:
    """The font scale that makes a page fill a ``width`` × ``height`` screen: in steps of
    0.05, from 1 on a 1280 × 720 (or 1366 × 768) screen to ``PRESENTATION_SCALE``."""
    fit = min(width / DESK_SIZE[0], height / DESK_SIZE[1])
    factor = min(max(fit, 1.0), PRESENTATION_SCALE)
    return round(factor * 20) / 20


def apply_theme(app: QApplication, name: str) -> None:
    """Switch the widgets and every plot to the ``"light"`` or ``"dark"`` theme."""
    if name not in theme.THEMES:
        theme.set_theme(name)  # says which names there are
    app.setStyle("Fusion")
    # The palette first, then the news: a label with a style sheet (the slide's note) takes
    # the palette when it is styled again on the news, and kept the old theme's otherwise.
    app.setPalette(_palette(theme.THEMES[name]))
    theme.set_theme(name)


def apply_scale(app: QApplication, base_font: QFont, factor: float) -> None:
    """Scale fonts (and, through ``theme``, plot text and line widths) by ``factor``."""
    font = QFont(base_font)
    size = base_font.pointSizeF() if base_font.pointSizeF() > 0 else 10.0
    font.setPointSizeF(size * factor)
    app.setFont(font)
    theme.set_scale(factor)


def _palette(t: theme.Theme) -> QPalette:
    if t.name == "light":
        palette = QApplication.style().standardPalette()
        palette.setColor(QPalette.ColorRole.Highlight, QColor(theme.OKABE_ITO[0]))
        return palette
    palette = QPalette()
    window, base, text = QColor("#23262D"), QColor(t.background), QColor(t.foreground)
    for role, color in (
        (QPalette.ColorRole.Window, window),
        (QPalette.ColorRole.WindowText, text),
        (QPalette.ColorRole.Base, base),
        (QPalette.ColorRole.AlternateBase, window),
        (QPalette.ColorRole.ToolTipBase, window),
        (QPalette.ColorRole.ToolTipText, text),
        (QPalette.ColorRole.Text, text),
        (QPalette.ColorRole.Button, window),
        (QPalette.ColorRole.ButtonText, text),
        (QPalette.ColorRole.BrightText, QColor(t.error)),
        (QPalette.ColorRole.Highlight, QColor(theme.OKABE_ITO[5])),
        (QPalette.ColorRole.HighlightedText, QColor("#000000")),
        (QPalette.ColorRole.PlaceholderText, QColor(t.muted)),
    ):
        palette.setColor(role, color)
    palette.setColor(QPalette.ColorGroup.Disabled, QPalette.ColorRole.Text, QColor(t.muted))
    palette.setColor(QPalette.ColorGroup.Disabled, QPalette.ColorRole.ButtonText, QColor(t.muted))
    return palette
