"""Divergence is labelled when playback reaches it: the legend's "diverging at step N" and
the crosses on the map and the loss plot appear at step N, not before, and go again when
seeking back; the legend and crosses are touched only when a step crosses N."""

import numpy as np

from ui.descent.plots import LossPlot, TrajectoryMap
from ui.descent.texts import label_at, run_label


def _legend_texts(panel) -> list[str]:
    return [label.text for _, label in panel.map.plot.getPlotItem().legend.items]


def _crosses(plot) -> int:
    return len(plot.diverging.getData()[0]) if plot.diverging.isVisible() else 0


def test_label_at_drops_the_divergence_until_its_step():
    label = run_label(0.5, 37)
    assert label_at(label, 37, 10) == "lr = 0.5"
    assert label_at(label, 37, 37) == label == "lr = 0.5 — diverging at step 37"
    assert label_at("lr = 0.1", None, 0) == "lr = 0.1"


def test_the_legend_and_crosses_follow_the_playback_step(qtbot, panel):
    at = panel.result.diverged[3]  # the default bowl: lr = 0.21 diverges, the others do not
    assert at is not None and at >= 5
    assert [d is None for d in panel.result.diverged] == [True, True, True, False]
    panel.playback.seek(at - 5)
    assert not any("diverging" in t for t in _legend_texts(panel))
    assert _legend_texts(panel)[3] == "lr = 0.21"
    assert _crosses(panel.map) == 0 and _crosses(panel.loss_plot) == 0
    assert "diverging" not in panel.numbers.text()
    panel.playback.seek(at)
    assert _legend_texts(panel)[3] == f"lr = 0.21 — diverging at step {at}"
    assert _crosses(panel.map) == 1 and _crosses(panel.loss_plot) == 1
    np.testing.assert_allclose(panel.loss_plot.diverging.getData()[0], [at])
    assert "diverging at step" in panel.numbers.text()
    panel.playback.seek(at - 1)
    assert not any("diverging" in t for t in _legend_texts(panel))
    assert _crosses(panel.map) == 0 and _crosses(panel.loss_plot) == 0


def test_with_the_whole_path_shown_the_cross_is_faint_and_the_legend_still_waits(qtbot, panel):
    at = panel.result.diverged[3]
    panel.sidebar.whole_path.setChecked(True)
    panel.playback.seek(at - 5)
    assert _legend_texts(panel)[3] == "lr = 0.21"
    assert _crosses(panel.map) == 1 and _crosses(panel.loss_plot) == 1  # still to come
    faint = panel.loss_plot.diverging.data["pen"][0].color().alpha()
    panel.playback.seek(at)
    assert _legend_texts(panel)[3] == f"lr = 0.21 — diverging at step {at}"
    assert panel.loss_plot.diverging.data["pen"][0].color().alpha() > faint == 60


def _two_runs(diverge_at: int, steps: int = 60) -> np.ndarray:
    path = np.zeros((2, steps + 1, 2))
    path[:, :, 0] = np.linspace(0, 1, steps + 1)
    path[1, diverge_at + 3:] = np.nan  # the diverging run overflows a few steps later
    return path


def test_frames_that_cross_no_divergence_leave_legend_and_crosses_alone(qtbot, monkeypatch):
    at = 37
    path = _two_runs(at)
    labels, diverged, colors = [run_label(0.1, None), run_label(0.5, at)], [None, at], \
        ["#0072B2", "#D55E00"]
    plot, loss = TrajectoryMap(), LossPlot()
    qtbot.addWidget(plot.plot)
    qtbot.addWidget(loss.plot)
    plot.set_sweep(path, labels, diverged, colors)
    loss.set_sweep(np.linspace(1.0, 2.0, 61)[None].repeat(2, 0), colors, labels, diverged)
    calls = {"marks": 0, "text": 0}
    for item in (plot.diverging, loss.diverging):
        real = item.setData
        monkeypatch.setattr(item, "setData",
                            lambda *a, real=real, **k: (calls.__setitem__("marks",
                                                                           calls["marks"] + 1),
                                                        real(*a, **k)))
    for _sample, label in plot.plot.getPlotItem().legend.items:
        real = label.setText
        monkeypatch.setattr(label, "setText",
                            lambda *a, real=real, **k: (calls.__setitem__("text",
                                                                          calls["text"] + 1),
                                                        real(*a, **k)))
    for step in range(at):  # up to the step before: the legend already said "lr = 0.5"
        plot.set_step(step)
        loss.set_step(step)
    assert calls == {"marks": 0, "text": 0}
    for step in range(at, 61):  # crossing once: one new text, each plot's crosses once
        plot.set_step(step)
        loss.set_step(step)
    assert calls == {"marks": 2, "text": 1}
    assert [label.text for _, label in plot.plot.getPlotItem().legend.items][1] == labels[1]
    plot.set_step(3)
    assert [label.text for _, label in plot.plot.getPlotItem().legend.items][1] == "lr = 0.5"
    assert _crosses(plot) == 0


def test_the_followed_runs_internals_title_waits_for_the_divergence_too(qtbot, panel):
    at = panel.result.diverged[3]
    panel.sidebar.follow.setCurrentIndex(3)
    panel.sidebar.internals.setChecked(True)
    qtbot.waitUntil(lambda: panel.descent_scene().view.show_internals
                    and not panel.controller.sweep_busy and panel.result is not None)
    panel.playback.seek(at - 5)
    assert "lr = 0.21" in panel.numbers.internals.text()
    assert "diverging" not in panel.numbers.internals.text()
    panel.playback.seek(at)
    assert f"lr = 0.21 — diverging at step {at}, step {at}" in panel.numbers.internals.text()
