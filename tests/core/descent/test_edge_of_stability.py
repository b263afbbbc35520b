"""Edge of stability: sharpness rises to 2/η and hovers there; power iteration is exact."""

import pytest
import torch
from torch import nn

from explorer import descent
from explorer.descent import stability
from explorer.errors import InputError


@pytest.fixture(scope="module")
def short_run():
    # Rates whose 2/η (6.7, 5) is just above the start (5.15): a few hundred steps show it.
    return descent.edge_of_stability(lrs=(0.3, 0.4), steps=400, every=25)


def test_sharpness_rises_to_two_over_lr_and_hovers(short_run):
    for lr, record in short_run.items():
        assert record.diverged_at is None
        assert len(record.steps) == len(record.sharpness) == len(record.loss) == 17
        assert record.steps[0] == 0 and record.steps[-1] == 400
        late = record.sharpness[len(record.sharpness) // 2:]
        mean = sum(late) / len(late)
        assert mean == pytest.approx(2 / lr, rel=0.15), (lr, record.sharpness)
        assert record.loss[-1] < 0.2 * record.loss[0]  # it keeps learning at the edge
    start = short_run[0.3].sharpness[0]
    assert start < 0.85 * 2 / 0.3  # it rose: it did not start at the edge


def test_power_iteration_matches_eigvalsh_of_the_full_hessian():
    torch.manual_seed(3)
    model = nn.Sequential(nn.Linear(2, 4), nn.Tanh(), nn.Linear(4, 1)).double()
    x, y = torch.randn(16, 2, dtype=torch.float64), torch.randn(16, 1, dtype=torch.float64)
    params = {k: p.detach() for k, p in model.named_parameters()}
    names, shapes = list(params), [p.shape for p in params.values()]
    sizes = [p.numel() for p in params.values()]

    def flat_loss(flat):
        parts = dict(zip(names, (t.reshape(s) for t, s in
                                 zip(flat.split(sizes), shapes, strict=True)), strict=True))
        return stability.loss_of(model, x, y)(parts)

    flat = torch.cat([p.flatten() for p in params.values()])
    eigenvalues = torch.linalg.eigvalsh(torch.autograd.functional.hessian(flat_loss, flat))
    expected = eigenvalues[eigenvalues.abs().argmax()].item()
    value, _ = stability.sharpness(stability.loss_of(model, x, y), params, iterations=500,
                                   generator=torch.Generator().manual_seed(0))
    assert value == pytest.approx(expected, rel=1e-6)


def test_hvp_equals_autograd_functional_hvp():
    x, y, model = stability.problem(seed=1)
    params = {k: p.detach() for k, p in model.named_parameters()}
    vector = {k: torch.randn_like(p) for k, p in params.items()}
    loss = stability.loss_of(model, x, y)
    ours = stability.hvp(loss, params, vector)
    keys = list(params)
    _, theirs = torch.autograd.functional.hvp(
        lambda *ps: loss(dict(zip(keys, ps, strict=True))), tuple(params.values()),
        tuple(vector[k] for k in keys))
    for key, other in zip(keys, theirs, strict=True):
        torch.testing.assert_close(ours[key], other, rtol=1e-4, atol=1e-6)


def test_generator_reports_progress_then_the_result():
    items = list(descent.iter_edge_of_stability(lrs=(0.2,), steps=20, every=10))
    progress, result = items[:-1], items[-1]
    assert [p.step for p in progress] == [0, 10, 20] and progress[-1].fraction == 1.0
    assert list(result) == [0.2] and result[0.2].steps == [0, 10, 20]


def test_too_large_a_rate_diverges_without_crashing():
    record = descent.edge_of_stability(lrs=(50.0,), steps=200, every=10)[50.0]
    assert record.diverged_at is not None and record.steps[-1] == record.diverged_at


@pytest.mark.parametrize(("kwargs", "field"), [
    ({"lrs": (0.1, -1.0)}, "lrs"), ({"lrs": ()}, "lrs"), ({"steps": 0}, "steps"),
    ({"every": 0}, "every"), ({"steps": 10, "every": 20}, "every"), ({"seed": -1}, "seed"),
])
def test_bad_settings_say_what_to_change(kwargs, field):
    with pytest.raises(InputError) as caught:
        descent.edge_of_stability(**{"steps": 10, **kwargs})
    assert caught.value.field == field
