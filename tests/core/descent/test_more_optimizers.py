"""The optimizers beyond the first five equal torch.optim run one rate at a time (rel 1e-5)."""

import pytest
import torch

from explorer import descent, surfaces
from explorer.descent import batched_optim
from explorer.descent.batched_optim import torch_kwargs
from explorer.errors import InputError

STEPS = 30


def torch_path(surface, optimizer, lr, start, options, steps=STEPS, schedule=None):
    """One torch.optim run with a closure (LBFGS needs one; the others accept it)."""
    function = surfaces.objective(surface)
    point = torch.tensor(start, dtype=torch.float64, requires_grad=True)
    opt = getattr(torch.optim, optimizer)([point], lr=lr, **torch_kwargs(optimizer, options))
    scheduler = schedule(opt) if schedule else None
    calls = []

    def closure():
        calls[-1] += 1
        opt.zero_grad()
        loss = function(point)
        loss.backward()
        return loss

    path = [point.detach().clone()]
    for _ in range(steps):
        calls.append(0)
        opt.step(closure)
        if scheduler is not None:
            scheduler.step()
        path.append(point.detach().clone())
    return torch.stack(path), calls


CASES = [
    ("NAdam", {}, [1e-3, 1e-2, 0.05]),
    ("NAdam", {"betas": (0.8, 0.99), "weight_decay": 0.1, "momentum_decay": 0.01}, [1e-2, 0.05]),
    ("NAdam", {"weight_decay": 0.1, "decoupled_weight_decay": True}, [1e-2, 0.05]),
    ("RAdam", {}, [1e-4, 5e-4, 2e-3]),
    ("RAdam", {"betas": (0.9, 0.9), "weight_decay": 0.1, "decoupled_weight_decay": True},
     [1e-4, 1e-3]),
    ("Adamax", {}, [1e-3, 1e-2, 0.05]),
    ("Adamax", {"betas": (0.5, 0.9), "eps": 1e-4, "weight_decay": 0.2}, [1e-2, 0.05]),
    ("Adadelta", {}, [0.1, 1.0, 3.0]),
    ("Adadelta", {"rho": 0.5, "eps": 1e-4, "weight_decay": 0.1}, [0.5, 2.0]),
    ("Rprop", {}, [1e-3, 1e-2, 0.05]),
    ("Rprop", {"etas": (0.3, 1.5), "step_sizes": (1e-4, 0.02)}, [1e-2, 0.05]),
    ("ASGD", {}, [1e-4, 3e-4, 1e-3]),
    ("ASGD", {"lambd": 0.5, "alpha": 0.5, "t0": 5, "weight_decay": 0.1}, [1e-4, 1e-3]),
    ("Adafactor", {}, [1e-3, 1e-2, 0.05]),
    ("Adafactor", {"beta2_decay": -0.5, "eps": (1e-20, 1e-2), "d": 2.0, "weight_decay": 0.1},
     [1e-2, 0.05]),
    ("LBFGS", {"max_iter": 4}, [0.01, 0.1, 1.0]),
    ("LBFGS", {"max_iter": 5, "line_search_fn": "strong_wolfe", "history_size": 3},
     [0.1, 1.0]),
]


@pytest.mark.parametrize(("optimizer", "options", "lrs"), CASES)
def test_sweep_equals_torch_optim_one_rate_at_a_time(optimizer, options, lrs):
    start = (-1.2, 1.5)
    result = descent.sweep("rosenbrock", optimizer, lrs, STEPS, start, options)
    assert result.diverged_at == [None] * len(lrs)
    for k, lr in enumerate(lrs):
        expected, calls = torch_path("rosenbrock", optimizer, lr, start, options)
        torch.testing.assert_close(result.path[k], expected, rtol=1e-5, atol=1e-12)
        torch.testing.assert_close(result.loss[k], surfaces.evaluate("rosenbrock", expected),
                                   rtol=1e-5, atol=1e-12)
        if optimizer == "LBFGS":
            assert result.evaluations[k, :STEPS].tolist() == calls
    if optimizer != "LBFGS":
        assert result.evaluations is None


def test_lbfgs_records_its_inner_evaluations_per_step():
    plain = descent.sweep("rosenbrock", "LBFGS", [0.5], 5, (-1.2, 1.5), {"max_iter": 6})
    wolfe = descent.sweep("rosenbrock", "LBFGS", [0.5], 5, (-1.2, 1.5),
                          {"max_iter": 6, "line_search_fn": "strong_wolfe"})
    assert plain.evaluations.shape == plain.loss.shape
    assert plain.evaluations[0, :5].tolist() == [6] * 5  # one per inner iteration, no search
    assert (wolfe.evaluations[0, :5] > 0).all()
    assert wolfe.evaluations[0, :5].tolist() != [6] * 5
    assert wolfe.loss[0, -1] < plain.loss[0, 0]


def test_lbfgs_follows_a_schedule_as_torch_does():
    def schedule(opt):
        return torch.optim.lr_scheduler.StepLR(opt, step_size=4, gamma=0.5)

    result = descent.sweep("quadratic", "LBFGS", [0.3], 12, (-3.0, 2.5), {"max_iter": 2},
                           schedule="StepLR", schedule_options={"step_size": 4, "gamma": 0.5})
    expected, _ = torch_path("quadratic", "LBFGS", 0.3, (-3.0, 2.5), {"max_iter": 2}, 12,
                             schedule)
    torch.testing.assert_close(result.path[0], expected, rtol=1e-5, atol=1e-12)


@pytest.mark.parametrize("optimizer", ["NAdam", "RAdam", "Adamax"])
def test_one_cycle_cycles_beta1_of_the_new_adam_variants_as_torch(optimizer):
    options = {"cycle_momentum": True, "base_momentum": 0.7}

    def schedule(opt):
        return torch.optim.lr_scheduler.OneCycleLR(opt, max_lr=opt.param_groups[0]["lr"],
                                                   total_steps=STEPS, **options)

    result = descent.sweep("quadratic", optimizer, [0.05], STEPS, (-3.0, 2.5),
                           schedule="OneCycleLR", schedule_options=options)
    expected, _ = torch_path("quadratic", optimizer, 0.05, (-3.0, 2.5), None, STEPS, schedule)
    torch.testing.assert_close(result.path[0], expected, rtol=1e-5, atol=1e-12)


def test_every_optimizer_is_offered_with_torch_defaults():
    for name in descent.OPTIMIZERS:
        signature = __import__("inspect").signature(getattr(torch.optim, name))
        for spec in descent.optimizer_options(name):
            if spec.name in signature.parameters:
                default = signature.parameters[spec.name].default
                if default is None:  # torch's None is 'none' in a choice, else 0
                    default = "none" if spec.kind == "choice" else 0
                assert spec.default == default, (name, spec.name)
    assert not set(batched_optim.ABSENT) & set(descent.OPTIMIZERS)
    assert "Muon" in batched_optim.ABSENT_NOTE and "SparseAdam" in batched_optim.ABSENT_NOTE


@pytest.mark.parametrize(("optimizer", "options", "field"), [
    ("Rprop", {"etas": (0.5,)}, "etas"),
    ("Rprop", {"etaplus": 0.9}, "etaplus"),
    ("Adadelta", {"rho": 1.0}, "rho"),
    ("LBFGS", {"line_search_fn": "backtracking"}, "line_search_fn"),
    ("LBFGS", {"max_iter": 0}, "max_iter"),
    ("Adafactor", {"beta2_decay": 0.5}, "beta2_decay"),
    ("Adafactor", {"d": 0.5}, "d"),
    ("NAdam", {"betas": (0.9, 1.0)}, "beta2"),
])
def test_bad_options_are_refused_with_the_field_named(optimizer, options, field):
    with pytest.raises(InputError) as caught:
        descent.iter_sweep("rosenbrock", optimizer, [0.01], 5, (0.0, 0.0), options)
    assert caught.value.field == field
