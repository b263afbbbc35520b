"""A lab page's animation comes from its public ``animation_source``; the Batch lab's
"inside a BN layer" view animates one unit's histograms over training."""

from dataclasses import replace

import imageio.v3 as iio
import numpy as np
import pytest

from explorer import animation as encoder
from explorer.errors import InputError
from explorer.training.scene import BatchScene
from ui.batch import animation_source as batch_source
from ui.common.animation import Animation, AnimationSource, frames
from ui.common.lab import LabPage
from ui.common.plots import make_plot
from ui.descent.animation_source import frame_steps
from ui.window import animations


def _batch_page(qtbot, experiment="bn_inside", epochs=3):
    from ui.batch.panel import BatchPanel

    page = BatchPanel()
    qtbot.addWidget(page)
    page.resize(1200, 750)
    page.show()
    scene = BatchScene()
    page.set_scene(replace(scene, config=replace(scene.config, epochs=epochs),
                           experiment=experiment))
    return page


def test_the_bn_inside_gif_has_a_frame_per_epoch_and_they_differ(qtbot, tmp_path):
    page = _batch_page(qtbot)
    assert batch_source.SOURCE.default_view(page) == "bn_inside"  # the tab the scene shows
    movie = batch_source.SOURCE.animation(page)
    assert movie.total == 3
    out = tmp_path / "bn.gif"
    assert encoder.write_animation(out, frames(movie.steps, page, movie.plots, 320), 5) == 3
    read = iio.imread(out, index=None)
    assert read.shape[0] == 3 and read.shape[2] == 320
    assert all(not np.array_equal(a, b) for a, b in zip(read, read[1:], strict=False))
    qtbot.waitUntil(lambda: not page.findChildren(batch_source.BNFrames))  # let go
    page.shutdown()


def test_the_bn_frame_shows_the_epochs_numbers_and_a_bad_view_is_refused(qtbot):
    page = _batch_page(qtbot, experiment="training", epochs=2)
    assert batch_source.SOURCE.default_view(page) == "training"
    with pytest.raises(InputError, match="training or bn_inside"):
        batch_source.SOURCE.animation(page, "regions")
    movie = batch_source.SOURCE.animation(page, "bn_inside")
    before, after, loss = movie.plots()
    assert next(movie.steps) == 1
    titles = [p.getPlotItem().titleLabel.text for p in (before, after)]
    assert "Epoch 1" in titles[0] and "μ_B = " in titles[0] and "γ = " in titles[1]
    assert len(loss.getPlotItem().listDataItems()[0].getData()[0]) == 1
    movie.steps.close()
    page.shutdown()


class _OnePlotPage(LabPage):
    key = "descent"

    def __init__(self):
        super().__init__()
        self.plot = make_plot("Grows", "step", "value", legend=False, parent=self)
        self.plot.resize(200, 150)

    def animation_source(self):
        return AnimationSource({"grow": "it grows"}, self._grow)

    def _grow(self, _page, _view):
        def drive():
            for n in range(1, 5):
                self.plot.plot(range(n), range(n))
                yield n
        return Animation(drive(), 4, lambda: [self.plot])


def test_the_window_asks_only_the_pages_public_source(qtbot):
    page = _OnePlotPage()
    qtbot.addWidget(page)
    assert animations.views(page) == {"grow": "it grows"}
    movie = animations.prepare(page, "descent")
    shots = list(frames(movie.steps, page, movie.plots, 100))
    assert len(shots) == movie.total == 4 and shots[0].shape[1] == 100
    plain = LabPage()
    qtbot.addWidget(plain)
    assert plain.animation_source() is None and animations.views(plain) == {}
    with pytest.raises(InputError, match="descent or batch"):
        animations.prepare(plain, "descent")


def test_descent_frames_thin_long_runs_and_end_on_the_last_step():
    assert frame_steps(5) == [0, 1, 2, 3, 4, 5]
    steps = frame_steps(1000)
    assert len(steps) <= 121 and steps[0] == 0 and steps[-1] == 1000


def test_the_menu_asks_which_view_only_when_there_is_a_choice(qtbot, monkeypatch):
    from PySide6.QtWidgets import QInputDialog, QWidget

    from ui.window.animation_dialog import ask_view

    window = QWidget()
    qtbot.addWidget(window)
    asked = []

    def answer(_parent, _title, _label, items, current, _editable):
        asked.append((items, current))
        return items[1], True

    monkeypatch.setattr(QInputDialog, "getItem", answer)
    assert ask_view(window, {"playback": "the playback"}, "playback") == "playback"
    assert asked == []
    assert ask_view(window, batch_source.VIEWS, "bn_inside") == "bn_inside"
    assert asked == [(list(batch_source.VIEWS.values()), 1)]
    monkeypatch.setattr(QInputDialog, "getItem", lambda *args: ("", False))
    assert ask_view(window, batch_source.VIEWS, "training") is None
