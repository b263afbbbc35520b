"""Typeset formulas follow the theme: light ink on the dark panel, dark ink on the light one,
redrawn when the theme or the presentation scale changes (the Descent sidebar's surface
formula and the Loss lab's header share ui.common.formula.FormulaLabel)."""

from __future__ import annotations

import numpy as np
import pytest
from PySide6.QtGui import QImage, QPalette
from PySide6.QtWidgets import QApplication

from explorer.descent import batched_optim
from explorer.descent.scene import DescentScene
from ui.common import theme
from ui.common.formula import FormulaLabel
from ui.descent.sidebar import DescentSidebar
from ui.loss.header import LossHeader
from ui.window import appearance

BOWL = r"f(x, y) = \tfrac{1}{2}(u^2 + \kappa v^2),\ (u, v) = R_\theta(x, y)"


@pytest.fixture
def themed(qapp):
    yield lambda name: appearance.apply_theme(qapp, name)
    appearance.apply_theme(qapp, "light")
    theme.set_scale(1.0)


def _ink(label) -> np.ndarray:
    """Mean RGB (0-1) of the formula's opaque pixels."""
    image = label.pixmap().toImage().convertToFormat(QImage.Format.Format_RGBA8888)
    w, h = image.width(), image.height()
    rgba = np.frombuffer(image.constBits(), np.uint8, count=image.bytesPerLine() * h)
    rgba = rgba.reshape(h, image.bytesPerLine())[:, : 4 * w].reshape(h, w, 4) / 255.0
    ink = rgba[rgba[..., 3] > 0.5]
    assert len(ink) > 50, "the formula drew almost nothing"
    return ink[:, :3].mean(axis=0)


def _luma(rgb) -> float:
    return float(0.2126 * rgb[0] + 0.7152 * rgb[1] + 0.0722 * rgb[2])


def _panel_luma() -> float:
    c = QApplication.instance().palette().color(QPalette.ColorRole.Window)
    return _luma((c.redF(), c.greenF(), c.blueF()))


def test_a_formula_made_in_light_is_redrawn_light_in_dark_and_dark_again(qtbot, themed):
    label = FormulaLabel(BOWL, size=13)
    qtbot.addWidget(label)
    light_ink = _luma(_ink(label))
    assert light_ink < 0.3 and _panel_luma() > 0.8
    themed("dark")
    dark_ink = _luma(_ink(label))
    assert dark_ink > 0.6, f"ink {dark_ink:.2f} on a dark panel"
    assert dark_ink - _panel_luma() > 0.5  # contrasts with the panel it is drawn on
    themed("light")
    assert _luma(_ink(label)) == pytest.approx(light_ink)


def test_a_formula_grows_with_the_presentation_scale(qtbot, themed):
    label = FormulaLabel(BOWL, size=13)
    qtbot.addWidget(label)
    height = label.pixmap().height()
    theme.set_scale(1.5)
    assert label.pixmap().height() > 1.3 * height
    theme.set_scale(1.0)
    assert label.pixmap().height() == height


def test_the_descent_surface_formula_reads_in_dark(qtbot, themed):
    side = DescentSidebar(DescentScene())  # made in light, as the window makes its pages
    qtbot.addWidget(side)
    themed("dark")
    assert _luma(_ink(side.formula)) > 0.6


def test_the_loss_header_formula_reads_in_dark(qtbot, themed):
    from explorer import losses
    header = LossHeader()
    qtbot.addWidget(header)
    name = losses.names()[0]
    header.set_spec(losses.spec(name), losses.formula(name))
    assert _luma(_ink(header.formula)) < 0.3
    themed("dark")
    assert _luma(_ink(header.formula)) > 0.6


def test_the_sidebar_says_why_muon_and_sparseadam_are_absent_without_widening(qtbot, themed):
    side = DescentSidebar(DescentScene())
    qtbot.addWidget(side)
    note, whole = side.absent.text(), side.absent.toolTip()
    for name, why in batched_optim.ABSENT.items():
        assert name in note and batched_optim.ABSENT_SHORT[name] in note  # in a few words,
        assert why in whole  # and the core's whole reason: one place for the rule
    assert len(note) < 80
    side.show()
    qtbot.waitExposed(side)
    assert side.absent.wordWrap() and side.absent.isVisible()
    shown = (side.sizeHint().width(), side.minimumSizeHint().width())
    side.absent.hide()
    QApplication.processEvents()  # the layouts take the change on their LayoutRequest
    hidden = (side.sizeHint().width(), side.minimumSizeHint().width())
    side.absent.show()
    assert shown == hidden  # the note wraps to the column; it does not widen it
    muted = side.absent.styleSheet()
    assert theme.LIGHT.muted in muted
    themed("dark")
    assert theme.DARK.muted in side.absent.styleSheet()


def _drawn_lightness(widget) -> tuple[float, float]:
    """(background, ink) lightness of ``widget`` as drawn: the commonest and the most
    different of its pixels."""
    image = widget.grab().toImage()
    values = np.array([image.pixelColor(x, y).lightnessF() for x in range(image.width())
                       for y in range(image.height())])
    levels, counts = np.unique(values.round(2), return_counts=True)
    background = float(levels[counts.argmax()])
    return background, float(values[np.abs(values - background).argmax()])


def test_the_slides_note_made_in_light_is_drawn_light_on_dark(qtbot, themed):
    """The italic note under a slide's loss ("The slide printed 2.3280; …") has a style
    sheet; it was restyled on the theme's news before the palette changed, so in dark it kept
    the light theme's dark text on a light box."""
    header = LossHeader()
    qtbot.addWidget(header)
    header.set_note("The slide printed 2.3280; today's torch agrees.")
    header.show()
    qtbot.waitExposed(header)
    background, ink = _drawn_lightness(header.note)
    assert background > 0.8 and ink < 0.3
    themed("dark")
    QApplication.processEvents()
    background, ink = _drawn_lightness(header.note)
    assert background < 0.3 and ink > 0.7
