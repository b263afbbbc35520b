"""The "follow" combo names the runs as the plots do at the playback step: "diverging at
step N" from step N on, not from step 0 (issue 11, "Divergence is labelled when it happens")."""

from dataclasses import replace


def _follow_texts(panel) -> list[str]:
    combo = panel.sidebar.follow
    return [combo.itemText(k) for k in range(combo.count())]


def _legend_texts(panel) -> list[str]:
    return [label.text for _, label in panel.map.plot.getPlotItem().legend.items]


def test_the_follow_combo_says_what_the_legend_says_at_every_step(qtbot, panel):
    at = panel.result.diverged[3]  # the default bowl: lr = 0.21 diverges, the others do not
    assert at is not None and at >= 2
    panel.playback.seek(0)
    assert _follow_texts(panel)[3] == "lr = 0.21"
    for step in (0, at - 1, at, at + 1, at - 1, 0):
        panel.playback.seek(step)
        assert _follow_texts(panel) == _legend_texts(panel), step
    panel.playback.seek(at)
    assert _follow_texts(panel)[3] == f"lr = 0.21 — diverging at step {at}"
    panel.playback.seek(at - 1)
    assert "diverging" not in _follow_texts(panel)[3]


def test_a_new_run_is_named_at_the_step_shown(qtbot, panel):
    at = panel.result.diverged[3]
    panel.playback.seek(at - 1)
    scene = panel.descent_scene()
    panel.set_scene(replace(scene, lrs=scene.lrs + (0.3,), current_step=at - 1))
    qtbot.waitUntil(lambda: panel.result is not None and len(panel.result.labels) == 5
                    and not panel.controller.sweep_busy)
    assert panel.playback.step == at - 1
    assert not any("diverging" in text for text in _follow_texts(panel)[:4])
    assert _follow_texts(panel)[:4] == _legend_texts(panel)[:4]
