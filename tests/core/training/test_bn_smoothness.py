"""BN and the landscape along the gradient (Santurkar et al. 2018, fig. 4): what is measured."""

import copy
import math

import pytest
import torch

from explorer import batches
from explorer.errors import InputError
from explorer.training import TrainConfig, prepare
from explorer.training.smoothness import landscape_along_gradient

SMALL = TrainConfig(dataset="digits", hidden=(16, 16), activation="sigmoid", batch_size=32,
                    lr=0.5, epochs=1)


@pytest.mark.parametrize("batch_norm", [False, True])
def test_the_probes_equal_torch_sgd_steps_and_change_nothing(batch_norm):
    session = prepare(SMALL.replace(batch_norm=batch_norm))
    xb, yb = next(iter(session.loader))
    before = copy.deepcopy(session.model.state_dict())
    losses, changes = landscape_along_gradient(session, xb, yb, [0.1, 0.8])
    for key, value in session.model.state_dict().items():  # weights and running statistics
        torch.testing.assert_close(value, before[key])
    for eta, loss, change in zip([0.1, 0.8], losses, changes, strict=True):
        model = copy.deepcopy(session.model)
        g0 = _gradient(model, session.loss_fn, xb, yb)
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


@pytest.mark.parametrize(("kwargs", "field"), [
    ({"steps": 0}, "steps"), ({"every": 0}, "every"), ({"steps": 5, "every": 6}, "every"),
    ({"multiples": (1, -1)}, "multiples"), ({"config": TrainConfig(lr=0)}, "lr"),
])
def test_bad_settings_say_what_to_change(kwargs, field):
    with pytest.raises(InputError) as caught:
        batches.bn_smoothness(**{"config": SMALL, **kwargs})
    assert caught.value.field == field
