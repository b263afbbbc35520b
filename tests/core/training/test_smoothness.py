"""BN and the landscape along the gradient (Santurkar et al. 2018, fig. 4): what is measured."""

import copy
import math

import pytest
import torch

from explorer import batches
from explorer.errors import InputError
from explorer.training import TrainConfig, prepare
from explorer.training.smoothness import (
    check_network,
    check_step_sizes,
    he_initialize,
    landscape_along_gradient,
    parse_step_sizes,
    smoothness_config,
    smoothness_verdict,
)

SMALL = TrainConfig(dataset="digits", hidden=(16, 16), activation="sigmoid", batch_size=32,
                    lr=0.5, epochs=1)


@pytest.mark.parametrize("batch_norm", [False, True])
def test_the_probes_equal_torch_sgd_steps_and_change_nothing(batch_norm):
    session = prepare(SMALL.replace(batch_norm=batch_norm))
    xb, yb = next(iter(session.loader))
    before = copy.deepcopy(session.model.state_dict())
    losses, changes, g_norm = landscape_along_gradient(session, xb, yb, [0.1, 0.8])
    for key, value in session.model.state_dict().items():  # weights and running statistics
        torch.testing.assert_close(value, before[key])
    for eta, loss, change in zip([0.1, 0.8], losses, changes, strict=True):
        model = copy.deepcopy(session.model)
        g0 = _gradient(model, session.loss_fn, xb, yb)
        assert g_norm == pytest.approx(g0.norm().item(), rel=1e-5)
        optimizer = torch.optim.SGD(model.parameters(), lr=eta)
        optimizer.step()  # the gradient of the batch is still in .grad: w - η g
        model.zero_grad()
        expected = session.loss_fn(model(xb), yb)
        expected.backward()
        g1 = torch.cat([p.grad.flatten() for p in model.parameters()])
        assert loss == pytest.approx(expected.item(), rel=1e-5)
        assert change == pytest.approx((g1 - g0).norm().item(), rel=1e-4)


def _gradient(model, loss_fn, xb, yb):
    saved = copy.deepcopy(model.state_dict())  # BN's running statistics move in this forward
    model.zero_grad()
    loss_fn(model(xb), yb).backward()
    model.load_state_dict(saved)
    return torch.cat([p.grad.flatten() for p in model.parameters()])


def test_both_networks_give_ordered_bands_at_each_measured_step():
    *progress, runs = batches.iter_bn_smoothness(SMALL, steps=30, every=10)
    assert sorted(runs) == [False, True] and progress[-1].fraction == 1.0
    for run in runs.values():
        assert run.steps == [0, 10, 20]
        assert all(lo <= hi for lo, hi in zip(run.loss_low, run.loss_high, strict=True))
        assert all(0 <= lo <= hi for lo, hi in zip(run.grad_low, run.grad_high, strict=True))
        assert math.isfinite(run.mean_loss_range()) and math.isfinite(run.mean_grad_change())
        assert len(run.beta) == 3 and all(b >= 0 for b in run.beta)
        assert math.isfinite(run.final_loss)


@pytest.mark.parametrize(("kwargs", "field"), [
    ({"steps": 0}, "steps"), ({"every": 0}, "every"), ({"steps": 5, "every": 6}, "every"),
    ({"multiples": (1, -1)}, "multiples"), ({"config": TrainConfig(lr=0)}, "lr"),
    ({"init": "xavier"}, "init"),
])
def test_bad_settings_say_what_to_change(kwargs, field):
    with pytest.raises(InputError) as caught:
        batches.bn_smoothness(**{"config": SMALL, **kwargs})
    assert caught.value.field == field


def test_he_initialize_is_kaiming_normal_for_relu_and_seeded():
    first, again = (prepare(SMALL).model for _ in range(2))
    he_initialize(first, 3)
    he_initialize(again, 3)
    linears = [m for m in first if isinstance(m, torch.nn.Linear)]
    for layer, twin in zip(linears, (m for m in again if isinstance(m, torch.nn.Linear)),
                           strict=True):
        torch.testing.assert_close(layer.weight, twin.weight)
        assert torch.count_nonzero(layer.bias) == 0
    expected = torch.empty(linears[0].weight.shape)
    torch.nn.init.kaiming_normal_(expected, nonlinearity="relu",
                                  generator=torch.Generator().manual_seed(3))
    torch.testing.assert_close(linears[0].weight, expected)  # std sqrt(2 / fan_in), He et al.


# 100 steps measured every 20: about 1 s a seed for both networks.
QUICK = {"steps": 100, "every": 20}
LN10 = math.log(10)  # the loss of a 10-class guess


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_bn_bands_are_narrower_when_both_networks_train(seed):
    """Santurkar et al. fig. 4 (a), (b): the deep ReLU network (He init) at the same rate."""
    runs = batches.bn_smoothness(smoothness_config().replace(seed=seed), **QUICK)
    off, on = runs[False], runs[True]
    assert off.final_loss < 0.4 * LN10 and on.final_loss < 0.4 * LN10  # both learn
    assert on.mean_loss_range() < 0.5 * off.mean_loss_range()  # seeds 0-2: 0.15-0.27 x
    assert on.mean_grad_change() < 0.75 * off.mean_grad_change()  # measured 0.26-0.62 x
    assert "as in the paper" in smoothness_verdict(runs)


def test_with_torchs_default_init_the_plain_network_does_not_train_and_looks_flat():
    """What the page states: a network that does not move has trivially narrow bands."""
    runs = batches.bn_smoothness(smoothness_config(), init="torch", **QUICK)
    off, on = runs[False], runs[True]
    assert off.final_loss > 0.95 * LN10 and on.final_loss < 0.4 * LN10
    assert off.mean_loss_range() < on.mean_loss_range()
    assert off.mean_grad_change() < on.mean_grad_change()
    assert "does not train" in smoothness_verdict(runs)


def test_step_sizes_are_the_etas_looked_along_and_equal_the_same_multiples():
    by_multiples = batches.bn_smoothness(SMALL, steps=10, every=10, multiples=(0.5, 2))
    by_sizes = batches.bn_smoothness(SMALL, steps=10, every=10, step_sizes=(1.0, 0.25))
    for batch_norm in (False, True):
        assert by_sizes[batch_norm].loss_low == by_multiples[batch_norm].loss_low
        assert by_sizes[batch_norm].grad_high == by_multiples[batch_norm].grad_high


@pytest.mark.parametrize(("text", "expected"), [
    ("0.4, 0.05 0.1", (0.05, 0.1, 0.4)), ("1e-2; 0.02", (0.01, 0.02)),
])
def test_typed_step_sizes_are_read_sorted(text, expected):
    assert parse_step_sizes(text) == pytest.approx(expected)
    assert check_step_sizes(list(expected)) == parse_step_sizes(text)


@pytest.mark.parametrize("text", ["0.1", "", "0.1, x", "0.1, -1", ", ".join(["0.1"] * 17)])
def test_a_bad_typed_step_size_names_its_field(text):
    with pytest.raises(InputError) as caught:
        parse_step_sizes(text, "etas")
    assert caught.value.field == "etas"
    with pytest.raises(InputError):
        batches.bn_smoothness(SMALL, steps=10, every=10, step_sizes=[0.1])


def test_the_network_is_depth_layers_of_width_and_too_many_weights_name_the_width():
    assert check_network(3, 16).hidden == (16, 16, 16)
    assert check_network(3, 16).activation == "relu"
    for depth, width, field in [(0, 16, "depth"), (13, 16, "depth"), (2, 0, "width"),
                                (12, 4096, "width")]:
        with pytest.raises(InputError) as caught:
            check_network(depth, width)
        assert caught.value.field == field
