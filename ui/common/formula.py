"""Formulas drawn as real mathematics: LaTeX -> ziamath SVG -> QSvgRenderer -> QPixmap."""

from __future__ import annotations

from functools import lru_cache

import ziamath
from PySide6.QtCore import QByteArray, QRectF, Qt
from PySide6.QtGui import QGuiApplication, QImage, QPainter, QPixmap
from PySide6.QtSvg import QSvgRenderer
from PySide6.QtWidgets import QLabel, QSizePolicy

from ui.common import theme

# QtSvg is SVG Tiny 1.2: the SVG 2 output of ziamath (<symbol>/<use>) loses glyphs there.
ziamath.config.svg2 = False


@lru_cache(maxsize=256)
def formula_svg(latex: str, size: float = 22.0, color: str = "#000000") -> bytes:
    """The SVG of ``latex`` at ``size`` points in ``color``; ValueError if it cannot be typeset."""
    try:
        math = ziamath.Latex(latex, size=size, color=color)
        return math.svg().encode("utf-8")
    except Exception as exc:  # ziamath raises assorted types for LaTeX it does not know
        raise ValueError(f"cannot typeset {latex!r}: {exc}") from exc


@lru_cache(maxsize=256)
def _render_image(latex: str, size: float, color: str, ratio: float) -> QImage:
    renderer = QSvgRenderer(QByteArray(formula_svg(latex, size, color)))
    box = renderer.viewBoxF()
    image = QImage(
        max(1, round(box.width() * ratio)),
        max(1, round(box.height() * ratio)),
        QImage.Format.Format_ARGB32_Premultiplied,
    )
    image.fill(Qt.GlobalColor.transparent)
    painter = QPainter(image)
    painter.setRenderHint(QPainter.RenderHint.Antialiasing)
    renderer.render(painter, QRectF(0, 0, image.width(), image.height()))
    painter.end()
    image.setDevicePixelRatio(ratio)
    return image


def render_formula(latex: str, size: float = 22.0, color: str = "#000000") -> QPixmap:
    """``latex`` drawn at ``size`` points as a pixmap (cached, sharp on high-DPI screens)."""
    app = QGuiApplication.instance()
    ratio = app.devicePixelRatio() if app is not None else 1.0
    return QPixmap.fromImage(_render_image(latex, float(size), color, float(ratio)))


class FormulaLabel(QLabel):
    """A label that shows a LaTeX formula typeset; falls back to the source text if it cannot.

    The formula is a picture, so the label draws it again in the theme's text colour and at
    the presentation scale whenever the theme or the scale changes.
    """

    def __init__(self, latex: str = "", size: float = 22.0, parent=None):
        super().__init__(parent)
        self._size = size
        self._latex = ""
        self.setSizePolicy(QSizePolicy.Policy.Preferred, QSizePolicy.Policy.Fixed)
        self.setAlignment(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter)
        self.set_formula(latex)
        theme.notifier().changed.connect(self._redraw)

    def _redraw(self) -> None:
        self.set_formula(self._latex)

    def latex(self) -> str:
        return self._latex

    def set_formula(self, latex: str) -> None:
        self._latex = latex
        self.setToolTip(latex)
        self.setAccessibleName(f"formula: {latex}")
        if not latex:
            self.clear()
            return
        # The theme, not the palette: the theme changes first, the palette just after.
        color = theme.current().foreground
        try:
            self.setPixmap(render_formula(latex, theme.font_pt(self._size), color))
        except ValueError:
            self.setText(latex)  # readable LaTeX beats an empty space
