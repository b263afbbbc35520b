"""The page measures a surface's presets on its worker: the switch is answered at once with
the local curvature's rates, and the measured ones replace them when they come (issue 11,
"Presets that are right")."""

import numpy as np

from explorer.descent import surfaces
from explorer.descent.reference import _MEASURED, measured_reference
from explorer.descent.scene import preset_rates


def test_a_switch_measures_on_the_worker_then_offers_the_measured_rates(qtbot, panel):
    _MEASURED.clear()  # as on a fresh page: nothing measured yet
    index = panel.sidebar.surface.findData("himmelblau")
    panel.sidebar.surface.setCurrentIndex(index)  # answered at once, on this thread
    assert panel.descent_scene().surface == "himmelblau"
    assert "Measuring the preset rates over 100 steps" in panel.sidebar.explanation.text()
    assert panel.controller.presets_busy
    start = surfaces.info("himmelblau").default_start
    qtbot.waitUntil(lambda: not panel.controller.presets_busy and not
                    panel.controller.sweep_busy, timeout=20_000)
    measured = measured_reference("himmelblau", start, None, 100)
    qtbot.waitUntil(lambda: np.allclose(panel.descent_scene().lrs,
                                        preset_rates(measured.presets)), timeout=20_000)
    shown = panel.sidebar.explanation
    assert shown.text() == measured.summary and len(shown.text()) < 200  # a few lines
    assert "The presets are measured" in shown.toolTip()  # and the whole why
    assert panel.sidebar.lrs.preset.count() == len(measured.presets) + 2
    diverging = panel.result.diverged
    assert diverging[-1] is not None and all(at is None for at in diverging[:-1])


def test_typed_rates_are_kept_when_the_measured_presets_come(qtbot, panel, type_in):
    _MEASURED.clear()
    # A model landscape: its measuring takes seconds (autograd), so the typing comes first.
    panel.sidebar.surface.setCurrentIndex(panel.sidebar.surface.findData("logistic-regression"))
    assert panel.controller.presets_busy
    type_in(panel.sidebar.lrs.text, "0.001, 0.002")
    assert panel.controller.presets_busy
    qtbot.waitUntil(lambda: not panel.controller.presets_busy and not
                    panel.controller.sweep_busy, timeout=60_000)
    assert panel.descent_scene().lrs == (0.001, 0.002)
    assert "Presets measured on" in panel.sidebar.explanation.text()
    assert "The presets are measured" in panel.sidebar.explanation.toolTip()
