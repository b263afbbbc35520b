"""Inside a BN layer over training: one frame per epoch, torch's normalisation, numpy's counts."""

import numpy as np
import pytest
import torch
import torch.nn.functional as F

from explorer.errors import InputError
from explorer.training import TrainConfig
from explorer.training.bn_animation import bn_over_training, histogram

CONFIG = TrainConfig(dataset="iris", hidden=(8,), epochs=3, batch_size=30, lr=0.5)


def test_one_frame_per_epoch_following_one_batch_as_the_layer_learns():
    frames = list(bn_over_training(CONFIG, unit=2, bins=10))
    assert [f.record.epoch for f in frames] == [1, 2, 3]
    assert all(f.record.model is None for f in frames)  # no live network is handed out
    for f in frames:
        pre = torch.tensor(f.inside.pre, dtype=torch.float64)[:, None]
        expected = F.batch_norm(pre, None, None, training=True, eps=f.inside.eps)[:, 0]
        np.testing.assert_allclose(f.inside.normalised, expected.numpy(), atol=1e-5)
        assert f.before.counts.sum() == f.normalised.counts.sum() == len(f.inside.pre) == 30
        counts, edges = np.histogram(f.inside.pre, bins=10)
        np.testing.assert_array_equal(f.before.counts, counts)
        np.testing.assert_allclose(f.before.edges, edges, rtol=1e-5)
        np.testing.assert_array_equal(f.normalised.edges, f.output.edges)  # one set of bins
        assert f.output.counts.sum() == 30
        low, high = f.output.edges[[0, -1]]
        values = np.concatenate([f.inside.normalised, f.inside.output])
        assert low == pytest.approx(values.min()) and high == pytest.approx(values.max())
    # Training moves the layer's inputs and its gamma; the normalised batch stays on 0.
    assert not np.allclose(frames[0].inside.pre, frames[-1].inside.pre)
    assert frames[0].inside.gamma != frames[-1].inside.gamma
    assert all(abs(f.inside.normalised.mean()) < 1e-5 for f in frames)


def test_batch_norm_is_switched_on_for_a_config_without_it():
    frame = next(bn_over_training(CONFIG.replace(batch_norm=False, epochs=1)))
    assert frame.inside.layer == 0 and len(frame.inside.pre) == 30


@pytest.mark.parametrize("kwargs, field", [({"unit": 8}, "unit"), ({"layer": 1}, "layer"),
                                           ({"bins": 0}, "bins")])
def test_a_bad_unit_layer_or_bin_count_is_refused_before_training(kwargs, field):
    with pytest.raises(InputError) as caught:
        next(bn_over_training(CONFIG, **kwargs))
    assert caught.value.field == field


def test_histogram_counts_every_value():
    h = histogram(np.array([0.0, 0.1, 0.9, 1.0]), 2)
    assert h.counts.tolist() == [2, 2] and h.edges.tolist() == [0.0, 0.5, 1.0]
