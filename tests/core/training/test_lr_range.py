"""The Batch lab's LR range test on its own network (explorer.training.lr_range)."""

import math

import numpy as np
import pytest

from explorer import batches
from explorer.descent.lr_finder import suggest
from explorer.errors import InputError
from explorer.range_test import STOP_FACTOR, smoothed_losses, steepest
from explorer.training.config import TrainConfig
from explorer.training.loop import Progress
from explorer.training.lr_range import RangeCurve, iter_lr_range, lr_range
from explorer.training.scene import BatchScene

CONFIG = TrainConfig()  # Iris, 16 ReLU units, SGD, batches of 16


def test_rates_grow_geometrically_from_start_to_end():
    curve = lr_range(CONFIG, 1e-3, 1.0, 30)
    assert not curve.stopped_early and curve.done
    np.testing.assert_allclose(curve.lrs, np.geomspace(1e-3, 1.0, 30), rtol=1e-9)
    ratios = curve.lrs[1:] / curve.lrs[:-1]
    np.testing.assert_allclose(ratios, ratios[0], rtol=1e-9)


def test_loss_is_finite_until_divergence_stops_the_test():
    curve = lr_range(CONFIG, 1e-2, 1e5, 120)
    assert curve.stopped_early and len(curve.lrs) < 120
    assert np.isfinite(curve.losses[:-1]).all() and np.isfinite(curve.smoothed[:-1]).all()
    last, best = curve.smoothed[-1], curve.smoothed[:-1].min()
    assert not math.isfinite(last) or last > STOP_FACTOR * best
    assert "lr =" in curve.stop_reason


def test_suggested_rate_lies_inside_the_range_and_below_the_lowest_point():
    curve = lr_range(CONFIG, 1e-4, 10.0, 60)
    assert curve.suggested is not None
    assert 1e-4 <= curve.suggested <= 10.0
    assert curve.lrs.min() <= curve.suggested * (1 + 1e-3) and curve.suggested <= curve.lowest


def test_same_seed_same_curve_other_seed_another():
    one, two = (lr_range(CONFIG.replace(batch_norm=True), 1e-3, 3.0, 25) for _ in range(2))
    np.testing.assert_array_equal(one.losses, two.losses)
    assert one.suggested == two.suggested
    other = lr_range(CONFIG.replace(batch_norm=True, seed=1), 1e-3, 3.0, 25)
    assert not np.array_equal(one.losses, other.losses)


def test_iterator_sends_progress_and_partial_curves_then_the_final_one():
    items = list(batches.iter_lr_range(CONFIG.replace(optimizer="Adam"), 1e-4, 1.0, 50))
    progress = [i for i in items if isinstance(i, Progress)]
    curves = [i for i in items if isinstance(i, RangeCurve)]
    assert progress and all(0 < p.fraction < 1 for p in progress)
    assert [c.done for c in curves] == [False] * (len(curves) - 1) + [True]
    assert len(curves[0].lrs) < len(curves[-1].lrs)


@pytest.mark.parametrize(("settings", "field"), [
    ((0, 1.0, 50), "range_start_lr"),
    ((1e-3, float("nan"), 50), "range_end_lr"),
    ((1.0, 0.1, 50), "range_end_lr"),
    ((1e-3, 1.0, 2), "range_steps"),
    ((1e-3, 1.0, "ten"), "range_steps"),
])
def test_bad_settings_are_refused_by_the_test_and_the_scene_alike(settings, field):
    with pytest.raises(InputError) as raised:
        next(iter_lr_range(CONFIG, *settings))
    assert raised.value.field == field
    start, end, steps = settings
    scene = BatchScene(range_start_lr=start, range_end_lr=end, range_steps=steps)
    assert scene.problems()[field] == str(raised.value)


def test_scene_saves_and_reopens_the_range_settings():
    scene = BatchScene(experiment="lr_range", range_start_lr=1e-5, range_end_lr=3.0,
                       range_steps=250)
    again = BatchScene.from_dict(scene.to_dict())
    assert again == scene
    assert BatchScene.from_dict({**scene.to_dict(), "range_steps": 250.0}).range_steps == 250


def test_smoothing_is_the_bias_corrected_weighted_average():
    losses = np.random.default_rng(0).uniform(0.5, 2.0, 40)
    w = 1 - 0.05
    expected = [np.dot(w ** np.arange(t), losses[:t][::-1]) / (w ** np.arange(t)).sum()
                for t in range(1, 41)]
    np.testing.assert_allclose(smoothed_losses(losses, 0.05), expected, rtol=1e-12)


def test_steepest_rule_is_the_descent_labs_own():
    curve = lr_range(CONFIG, 1e-4, 10.0, 60)
    theirs = next(s for s in suggest(curve.lrs, curve.smoothed, 0.05) if s.name == "steepest")
    assert curve.lrs[steepest(curve.lrs, curve.smoothed)] == theirs.lr
