"""The LR range test: restores weights, falls then rises, stops and suggests as documented."""

import numpy as np
import pytest
import torch

from explorer.descent import lr_finder
from explorer.errors import InputError


def test_curve_falls_then_rises_on_iris_and_stops_at_the_blow_up():
    result = lr_finder.lr_range_test("logistic-regression", steps=100, seed=0)
    lowest = int(np.argmin(result.smoothed))
    assert 10 < lowest < len(result.smoothed) - 3  # an interior minimum
    assert result.smoothed[lowest] < 0.95 * result.smoothed[0]  # it fell
    assert result.smoothed[-1] > 4.0 * result.smoothed[lowest]  # then rose past stop_factor
    assert result.stopped_early and "4 × its best" in result.stop_reason
    assert result.weights_restored and result.done


def test_learning_rate_grows_exponentially_or_linearly():
    exp = lr_finder.lr_range_test("mlp-iris", start_lr=1e-4, end_lr=1e-1, steps=20,
                                  stop_factor=1e9)
    assert exp.lrs[0] == pytest.approx(1e-4) and exp.lrs[-1] == pytest.approx(1e-1)
    assert np.allclose(np.diff(np.log(exp.lrs)), np.log(10) * 3 / 19)
    linear = lr_finder.lr_range_test("mlp-iris", start_lr=1e-4, end_lr=1e-1, steps=20,
                                     mode="linear", stop_factor=1e9)
    assert np.allclose(np.diff(linear.lrs), (1e-1 - 1e-4) / 19)
    assert not linear.stopped_early and linear.stop_reason == "Reached end_lr."


def test_weights_are_restored_on_a_users_model():
    model, loader, loss_fn = lr_finder.build("mlp-iris", batch_size=16, seed=3)
    before = {name: value.clone() for name, value in model.state_dict().items()}
    *partial, final = lr_finder.iter_range_test(model, loader, loss_fn, steps=30, every=10)
    assert final.weights_restored
    for name, value in model.state_dict().items():
        assert torch.equal(value, before[name])
    assert [len(p.lrs) for p in partial] == [10, 20] and not partial[0].done


def test_weights_are_restored_when_the_caller_cancels():
    model, loader, loss_fn = lr_finder.build("logistic-regression", seed=1)
    before = model.weight.detach().clone()
    runs = lr_finder.iter_range_test(model, loader, loss_fn, steps=50, every=5)
    next(runs)
    assert not torch.equal(model.weight.detach(), before)  # it was training
    runs.close()
    assert torch.equal(model.weight.detach(), before)


def test_smoothing_is_a_bias_corrected_moving_average():
    result = lr_finder.lr_range_test("logistic-regression", steps=15, smoothing=0.2,
                                     stop_factor=1e9)
    average, expected = 0.0, []
    for i, loss in enumerate(result.losses):
        average = 0.8 * average + 0.2 * loss
        expected.append(average / (1 - 0.8 ** (i + 1)))
    assert np.allclose(result.smoothed, expected)
    assert result.smoothed[0] == pytest.approx(result.losses[0])


def test_suggestions_point_at_the_steepest_fall_and_a_tenth_of_the_minimum():
    lrs = np.geomspace(1e-4, 1.0, 41)
    x = np.log10(lrs)
    smoothed = 1.0 / (1.0 + np.exp(3 * (x + 2))) + np.where(x > -0.5, 10 * (x + 0.5) ** 2, 0)
    steepest, tenth = lr_finder.suggest(lrs, smoothed)
    assert steepest.name == "steepest" and steepest.lr == pytest.approx(1e-2, rel=0.15)
    assert tenth.name == "min/10"
    assert tenth.lr == pytest.approx(lrs[np.argmin(smoothed)] / 10)
    assert "fastest" in steepest.reason and "lowest" in tenth.reason


def test_same_seed_same_curve():
    first = lr_finder.lr_range_test("mlp-digits", steps=12, stop_factor=1e9, seed=5)
    second = lr_finder.lr_range_test("mlp-digits", steps=12, stop_factor=1e9, seed=5)
    assert np.array_equal(first.losses, second.losses)


@pytest.mark.parametrize(("kwargs", "field"), [
    ({"start_lr": 0.0}, "start_lr"),
    ({"end_lr": float("inf")}, "end_lr"),
    ({"start_lr": 1.0, "end_lr": 0.1}, "end_lr"),
    ({"steps": 2}, "steps"),
    ({"mode": "cosine"}, "mode"),
    ({"smoothing": 0.0}, "smoothing"),
    ({"stop_factor": 1.0}, "stop_factor"),
    ({"model": "resnet"}, "model"),
    ({"batch_size": 0}, "batch_size"),
    ({"optimizer": "LBFGS"}, "optimizer"),
    ({"batch_size": True}, "batch_size"),
    ({"end_lr": 1e7}, "end_lr"),
    ({"seed": 1.5}, "seed"),
    ({"seed": None}, "seed"),
    ({"seed": -1}, "seed"),
    ({"seed": 2**64}, "seed"),
])
def test_bad_input(kwargs, field):
    with pytest.raises(InputError) as caught:
        lr_finder.lr_range_test(**kwargs)
    assert caught.value.field == field


def test_the_generator_checks_its_settings_at_the_call():
    with pytest.raises(InputError) as caught:
        lr_finder.iter_lr_range_test("logistic-regression", stop_factor=0.5)
    assert caught.value.field == "stop_factor"


@pytest.mark.gpu
def test_range_test_on_gpu_restores_weights_and_matches_cpu_shape(gpu_device):
    on_gpu = lr_finder.lr_range_test("logistic-regression", steps=100, device=gpu_device)
    on_cpu = lr_finder.lr_range_test("logistic-regression", steps=100)
    assert on_gpu.weights_restored
    assert abs(int(np.argmin(on_gpu.smoothed)) - int(np.argmin(on_cpu.smoothed))) <= 3


def test_the_largest_seed_runs():
    from explorer.inputs import MAX_SEED

    result = lr_finder.lr_range_test(steps=5, seed=MAX_SEED)
    assert result.done and len(result.lrs) == 5


def test_on_the_surface_the_test_runs_the_trajectories_optimizer_and_says_what_it_ran_on():
    from explorer.descent import sweep
    from explorer.descent.scene import DescentScene

    scene = DescentScene(optimizer="Adam", optimizer_options={"beta1": 0.8}).validated()
    arguments = scene.lr_test_arguments()
    assert (arguments["optimizer"], arguments["optimizer_options"]) == ("Adam", {"beta1": 0.8})
    arguments.update(steps=6, stop_factor=1e9)
    result = lr_finder.lr_range_test(**arguments)
    assert result.on_surface and result.ran_on == scene.lr_test_target()
    assert "Adam (beta1 = 0.8)" in result.ran_on and "from (-3, 1.5)" in result.ran_on
    runs = sweep("quadratic", "Adam", result.lrs.tolist(), 20, scene.start_point(),
                 {"beta1": 0.8}, scene.surface_options)
    np.testing.assert_allclose(result.losses, runs.loss[:, -1].numpy(), rtol=1e-12)


def test_on_a_model_it_says_which_model_and_takes_no_optimizer_options():
    result = lr_finder.lr_range_test("logistic-regression", steps=10)
    assert not result.on_surface
    assert result.ran_on.startswith("logistic regression (4 → 3) on Iris")
    with pytest.raises(InputError) as info:
        lr_finder.lr_range_test("mlp-iris", steps=10, optimizer_options={"momentum": 0.9})
    assert info.value.field == "optimizer_options"
