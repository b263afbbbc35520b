"""Batch normalization: the deep sigmoid net, inside one BN layer, activations over training."""

import numpy as np
import pytest
import torch
from torch import nn

from explorer.errors import InputError
from explorer.training import TrainConfig, prepare, run
from explorer.training.batchnorm import (
    ActivationPercentiles,
    activation_percentiles,
    bn_inside,
    compare_batch_norm,
    deep_sigmoid_config,
    frozen_running_stats,
    percentiles_demo_config,
)

IRIS_BN = TrainConfig(dataset="iris", hidden=(8, 6), batch_norm=True, batch_size=16, epochs=2)


def test_deep_sigmoid_net_learns_with_batchnorm_and_not_without():
    result = compare_batch_norm(deep_sigmoid_config(), [0.1])
    without, with_bn = result[(False, 0.1)][-1], result[(True, 0.1)][-1]
    assert without.val_accuracy < 0.2 and without.train_eval_loss > 2.2  # chance: 0.1, ln 10
    assert with_bn.val_accuracy > 0.7 and with_bn.train_eval_loss < 1.5


def test_compare_batch_norm_keys_are_bn_and_lr():
    result = compare_batch_norm(IRIS_BN, [0.01, 0.5])
    assert set(result) == {(False, 0.01), (True, 0.01), (False, 0.5), (True, 0.5)}
    assert len(result[(True, 0.5)]) == 2
    with pytest.raises(InputError) as err:
        compare_batch_norm(IRIS_BN, [0.1, -1.0])
    assert err.value.field == "lrs"


def test_bn_output_in_training_mode_has_mean_zero_and_variance_one_per_unit():
    inside = bn_inside(IRIS_BN, unit=2, train_epochs=1)
    np.testing.assert_allclose(inside.unit_means, 0.0, atol=1e-5)
    np.testing.assert_allclose(inside.unit_vars, 1.0, atol=1e-3)  # eps = 1e-5 keeps it just under 1
    assert len(inside.pre) == 16 and len(inside.labels) == 16


def test_bn_inside_matches_the_formula_with_its_numbers():
    inside = bn_inside(IRIS_BN, unit=1, gamma=2.0, beta=-0.5)
    assert inside.mu_B == pytest.approx(float(np.mean(inside.pre)), abs=1e-5)
    assert inside.sigma2_B == pytest.approx(float(np.var(inside.pre)), rel=1e-4)  # no Bessel
    by_hand = (inside.pre - inside.mu_B) / np.sqrt(inside.sigma2_B + inside.eps)
    np.testing.assert_allclose(inside.normalised, by_hand, atol=1e-4)
    np.testing.assert_allclose(inside.output, 2.0 * by_hand - 0.5, atol=1e-4)
    assert (inside.gamma, inside.beta) == (2.0, -0.5)
    assert "μ_B" in inside.formula and f"{abs(inside.mu_B):.4g}" in inside.formula
    assert f"{inside.sigma2_B:.4g}" in inside.formula
    assert inside.example.endswith(f"{abs(inside.output[0]):.4g}")


def test_eval_mode_uses_the_running_statistics():
    inside = bn_inside(IRIS_BN, unit=0, mode="eval", train_epochs=2)
    assert (inside.mean, inside.var) == (inside.running_mean, inside.running_var)
    assert inside.running_mean != pytest.approx(inside.mu_B)
    by_hand = (inside.pre - inside.running_mean) / np.sqrt(inside.running_var + inside.eps)
    np.testing.assert_allclose(inside.normalised, by_hand, atol=1e-4)
    assert "running mean" in inside.formula


def test_bn_inside_leaves_the_given_model_untouched():
    session = prepare(IRIS_BN)
    record = list(run(IRIS_BN, session=session))[-1]
    bn = session.model[1]
    saved = (bn.running_mean.clone(), bn.weight.detach().clone(), int(bn.num_batches_tracked))
    bn_inside(IRIS_BN, gamma=5.0, model=record.model)
    assert torch.equal(bn.running_mean, saved[0]) and torch.equal(bn.weight.detach(), saved[1])
    assert int(bn.num_batches_tracked) == saved[2]


def test_edits_of_gamma_do_not_stick_to_the_trained_network():
    edited = bn_inside(IRIS_BN, unit=1, gamma=5.0, beta=3.0)
    plain = bn_inside(IRIS_BN, unit=1)
    np.testing.assert_array_equal(edited.pre, plain.pre)  # the same trained network and batch
    assert plain.gamma != 5.0 and plain.beta != 3.0
    np.testing.assert_allclose(edited.output, 5.0 * plain.normalised + 3.0, atol=1e-4)


def test_frozen_running_stats_lets_bn_train_without_moving_them():
    layer = nn.BatchNorm1d(3)
    with frozen_running_stats(layer):
        layer(torch.randn(10, 3) + 5)
    assert torch.equal(layer.running_mean, torch.zeros(3)) and layer.momentum == 0.1


@pytest.mark.parametrize(
    ("options", "field"),
    [({"unit": 8}, "unit"), ({"layer": 2}, "layer"), ({"mode": "test"}, "mode"),
     ({"gamma": float("nan")}, "gamma"), ({"beta": "one"}, "beta"),
     ({"gamma": 1e39}, "gamma"), ({"beta": -1e7}, "beta"), ({"layer": True}, "layer"),
     ({"train_epochs": -1}, "train_epochs"), ({"train_epochs": "1"}, "train_epochs"),
     ({"model": "net"}, "model")],
)
def test_bn_inside_rejects_bad_choices(options, field):
    with pytest.raises(InputError) as err:
        bn_inside(IRIS_BN, **{"train_epochs": 0, **options})
    assert err.value.field == field


def test_bn_inside_with_one_sample_batches_explains_why():
    with pytest.raises(InputError, match="at least 2 samples"):
        bn_inside(IRIS_BN.replace(batch_size=1))


def test_activation_percentiles_over_training_with_and_without_bn():
    config = deep_sigmoid_config().replace(dataset="iris", hidden=(8,) * 4, epochs=2, batch_size=16)
    result = activation_percentiles(config, points=4)
    assert isinstance(result, ActivationPercentiles) and set(result) == {False, True}
    assert result.steps[0] == 0 and result.steps[-1] == 16 and result.percentiles == (15, 50, 85)
    for rows in result.values():
        assert rows.shape == (len(result.steps), 3)
        assert np.all(np.diff(rows, axis=1) >= 0)  # 15th <= 50th <= 85th
    # With BN the sigmoid's input is spread around 0; without it, whatever the layers give.
    assert result[True][0, 0] < -0.3 < 0.3 < result[True][0, 2]


def test_without_bn_a_sigmoids_input_drifts_and_with_bn_it_stays():
    result = activation_percentiles(percentiles_demo_config().replace(epochs=3), points=6)
    drift = {bn: abs(rows[-1, 1] - rows[0, 1]) for bn, rows in result.items()}
    assert drift[False] > 1.0 and drift[True] < 0.5  # median of the unit's input, over training


@pytest.mark.parametrize(
    ("config", "options", "field"),
    [(IRIS_BN.replace(hidden=()), {}, "hidden"), (IRIS_BN, {"layer": 2}, "layer"),
     (IRIS_BN, {"unit": 6}, "unit"), (IRIS_BN, {"percentiles": (50, 101)}, "percentiles")],
)
def test_activation_percentiles_rejects_bad_choices(config, options, field):
    with pytest.raises(InputError) as err:
        activation_percentiles(config, **options)
    assert err.value.field == field


@pytest.mark.gpu
def test_bn_layer_normalises_on_gpu_too(gpu_device):
    inside = bn_inside(IRIS_BN.replace(device=str(gpu_device)), unit=2)
    np.testing.assert_allclose(inside.unit_means, 0.0, atol=1e-5)
    np.testing.assert_allclose(inside.unit_vars, 1.0, atol=1e-3)


@pytest.mark.parametrize(("call", "field"), [
    (lambda: compare_batch_norm(IRIS_BN, None), "lrs"),
    (lambda: compare_batch_norm(IRIS_BN, []), "lrs"),
    (lambda: compare_batch_norm(IRIS_BN, [0.1, 1e39]), "lrs"),
    (lambda: compare_batch_norm(IRIS_BN, [0.1, True]), "lrs"),
    (lambda: compare_batch_norm(None, [0.1]), "config"),
    (lambda: activation_percentiles(IRIS_BN, points=0), "points"),
    (lambda: activation_percentiles(IRIS_BN, points=2.5), "points"),
    (lambda: activation_percentiles(IRIS_BN, percentiles=50), "percentiles"),
    (lambda: activation_percentiles(IRIS_BN, percentiles="50"), "percentiles"),
    (lambda: activation_percentiles(IRIS_BN, percentiles=(50, True)), "percentiles"),
    (lambda: activation_percentiles(IRIS_BN, layer=True), "layer"),
    (lambda: activation_percentiles(IRIS_BN, unit=1.5), "unit"),
])
def test_experiment_settings_are_checked_before_training(call, field):
    with pytest.raises(InputError) as err:
        call()
    assert err.value.field == field


def test_the_bn_comparison_refuses_rates_with_the_rule_of_the_typed_rates():
    from explorer.training.typed import parse_learning_rates

    with pytest.raises(InputError) as typed:
        parse_learning_rates("0.1, 2e6")
    with pytest.raises(InputError) as given:
        compare_batch_norm(IRIS_BN, [0.1, 2e6])
    assert str(typed.value) == str(given.value)
