"""Optimizers side by side: each run equals torch.optim run by hand at its own rate."""

from dataclasses import replace

import numpy as np
import pytest
import torch

from explorer import surfaces
from explorer.descent.compare import (
    DEFAULT_RUNS,
    MAX_RUNS,
    TUNE_GRID,
    CompareRun,
    best_rate,
    check_runs,
    compare_optimizers,
    iter_compare,
    iter_tune,
    surface_key,
)
from explorer.errors import InputError

START = (-3.0, 1.5)
STEPS = 60


def torch_path(surface, optimizer, lr, options, start, steps=STEPS):
    function = surfaces.objective(surface)
    point = torch.tensor(start, dtype=torch.float64, requires_grad=True)
    opt = getattr(torch.optim, optimizer)([point], lr=lr, **options)
    path = [point.detach().clone()]
    for _ in range(steps):
        opt.zero_grad()
        function(point).backward()
        opt.step()
        path.append(point.detach().clone())
    return torch.stack(path).numpy()


@pytest.mark.parametrize("surface", ["quadratic", "rosenbrock"])
def test_each_run_equals_torch_optim(surface):
    start = surfaces.info(surface).default_start
    runs = [CompareRun("SGD", 2e-4 if surface == "rosenbrock" else 0.02, {"momentum": 0.9},
                       color=0), CompareRun("Adam", 0.05, color=1)]
    result = compare_optimizers(surface, start, runs, STEPS)
    assert result.done and [r.run for r in result.runs] == list(runs)
    for run, got in zip(runs, result.runs, strict=True):
        expected = torch_path(surface, run.optimizer, run.lr, dict(run.options), start)
        np.testing.assert_allclose(got.path, expected, rtol=1e-5, atol=1e-12)
        values = surfaces.evaluate(surface, torch.from_numpy(expected)).numpy()
        np.testing.assert_allclose(got.loss, values, rtol=1e-5, atol=1e-12)
        assert got.diverged_at is None


def test_defaults_all_converge_on_the_default_bowl_and_are_labelled():
    result = compare_optimizers("quadratic", START, DEFAULT_RUNS, 100, {"rotation": 90.0})
    labels = [r.label for r in result.runs]
    assert labels[:3] == ["SGD, lr = 0.1", "SGD + momentum 0.9, lr = 0.02",
                          "Nesterov 0.9, lr = 0.02"]
    assert [r.run.optimizer for r in result.runs] == ["SGD", "SGD", "SGD", "Adam", "RMSprop",
                                                      "Adagrad"]
    for run in result.runs:
        assert run.path.shape == (101, 2) and run.loss[-1] < 0.01 * run.loss[0]


def test_a_diverging_run_says_so_and_the_others_carry_on():
    runs = [CompareRun("SGD", 0.5), CompareRun("SGD", 0.05)]
    result = compare_optimizers("quadratic", START, runs, 80)
    bad, good = result.runs
    assert bad.diverged_at is not None and "diverged at step" in bad.label
    assert good.diverged_at is None and np.isfinite(good.loss).all()


def test_the_generator_yields_after_each_run():
    partial = [c.progress for c in iter_compare("quadratic", START, DEFAULT_RUNS[:3], 10)]
    assert partial == pytest.approx([1 / 3, 2 / 3, 1.0])


@pytest.mark.parametrize("runs, words", [
    ([], "1 to"),
    ([CompareRun("SGD", 0.1)] * (MAX_RUNS + 1), "1 to"),
    ([CompareRun("Muon", 0.1)], "Muon"),
    ([CompareRun("SGD", -1.0)], "Optimizer 1"),
    ([CompareRun("SGD", 0.1), CompareRun("SGD", 0.1, {"momentum": 1.5})], "Optimizer 2"),
    ([{"optimizer": "SGD"}], "needs 'optimizer' and 'lr'"),
    ("SGD", "must be a list"),
])
def test_bad_runs_are_refused_naming_the_field(runs, words):
    with pytest.raises(InputError, match=words) as info:
        check_runs(runs)
    assert info.value.field == "compare_runs"


def test_bad_surface_start_or_steps_refused_before_computing():
    with pytest.raises(InputError):
        iter_compare("nowhere", START, DEFAULT_RUNS, 10)
    with pytest.raises(InputError):
        iter_compare("quadratic", (float("nan"), 0.0), DEFAULT_RUNS, 10)
    with pytest.raises(InputError):
        iter_compare("quadratic", START, DEFAULT_RUNS, 0)


def test_runs_given_as_mappings_are_read():
    (run,) = check_runs([{"optimizer": "Adam", "lr": 0.1, "options": {"beta1": 0.8}}])
    assert run == CompareRun("Adam", 0.1, {"beta1": 0.8}, color=0)


def test_the_scene_saves_and_reopens_the_comparison():
    import json

    from explorer.descent.scene import CompareOptions, DescentScene

    runs = (CompareRun("Adam", 0.2, {"beta1": 0.8}, color=5), CompareRun("SGD", 0.05, color=2))
    scene = DescentScene(compare=CompareOptions(runs, 40, "Rosenbrock")).validated()
    again = DescentScene.from_dict(json.loads(json.dumps(scene.to_dict())))
    assert again == scene and again.compare.runs == runs
    assert again.compare.tuned_for == "Rosenbrock"
    arguments = again.compare_arguments()
    assert arguments["start"] == scene.start_point() and arguments["steps"] == 40
    old = scene.to_dict()
    del old["compare"]  # a scene saved before the tab opens with its defaults
    assert DescentScene.from_dict(old).compare == CompareOptions().validated()


@pytest.mark.parametrize("compare, field", [
    ({"runs": [{"optimizer": "SGD", "lr": 0.0}], "steps": 10}, "compare_runs"),
    ({"runs": [{"optimizer": "SGD", "lr": 0.1}], "steps": 0}, "compare_steps"),
    ({"runs": [], "steps": 10}, "compare_runs"),
    ({"colour": "red"}, "compare"),
    ({"runs": [{"optimizer": "SGD", "lr": 0.1, "color": 1},
               {"optimizer": "Adam", "lr": 0.1, "color": 1}]}, "compare_runs"),
    ({"runs": [{"optimizer": "SGD", "lr": 0.1, "color": MAX_RUNS}]}, "compare_runs"),
    ({"tuned_for": 3}, "compare_tuned_for"),
])
def test_the_scene_refuses_bad_comparison_settings_naming_the_field(compare, field):
    from explorer.descent.scene import DescentScene

    data = DescentScene().validated().to_dict()
    data["compare"] = compare
    with pytest.raises(InputError) as info:
        DescentScene.from_dict(data)
    assert info.value.field == field


def test_each_run_keeps_its_colour_and_a_new_one_takes_the_first_free():
    runs = check_runs([CompareRun("SGD", 0.1, color=0), CompareRun("Adam", 0.1, color=2),
                       CompareRun("RMSprop", 0.1)])
    assert [run.color for run in runs] == [0, 2, 1]
    assert [run.color for run in check_runs(runs[1:])] == [2, 1]  # removing one keeps the rest
    assert [run.color for run in DEFAULT_RUNS] == list(range(len(DEFAULT_RUNS)))


def test_the_default_rates_say_they_were_tuned_for_the_pages_default_bowl():
    from explorer.descent.scene import CompareOptions, DescentScene

    page = DescentScene()
    assert CompareOptions().tuned_for == surface_key(page.surface, page.surface_options)
    assert surface_key("rosenbrock") != CompareOptions().tuned_for


def test_tuning_picks_each_optimizers_lowest_ending_rate_of_the_grid():
    runs = (CompareRun("SGD", 0.1, color=4), CompareRun("Adam", 0.3, color=1))
    tunings = list(iter_tune("rosenbrock", (-1.5, 2.0), runs, 50))
    assert [t.progress for t in tunings] == pytest.approx([0.5, 1.0])
    tuned = tunings[-1]
    assert tuned.done and tuned.surface == surface_key("rosenbrock") and not tuned.untuned
    for run, got in zip(runs, tuned.runs, strict=True):
        assert got.lr in TUNE_GRID and (got.optimizer, got.color) == (run.optimizer, run.color)
        ends = {}
        for lr in TUNE_GRID:  # each grid rate run alone: the chosen one ends lowest
            result = compare_optimizers("rosenbrock", (-1.5, 2.0), [replace(run, lr=lr)], 50)
            if result.runs[0].diverged_at is None and np.isfinite(result.runs[0].loss[-1]):
                ends[lr] = result.runs[0].loss[-1]
        assert got.lr == min(ends, key=ends.get)
    # On Rosenbrock plain SGD must go far slower than the bowl's 0.1, which diverges there.
    assert tuned.runs[0].lr < runs[0].lr


def test_a_run_whose_every_rate_diverges_keeps_its_rate_and_is_named():
    run = CompareRun("SGD", 0.1)
    assert best_rate("quadratic", START, run, 30, grid=(5.0, 10.0)) is None


def test_rates_edited_after_tuning_say_so_once_and_keep_their_surface():
    from explorer.descent.compare import edited, tuned_surface

    key = surface_key("rosenbrock")
    assert tuned_surface(key) == (key, False)
    assert edited(key) == f"{key}, then edited" == edited(edited(key))
    assert tuned_surface(edited(key)) == (key, True)
    assert edited("") == "" and tuned_surface("") == ("", False)  # typed from the start
