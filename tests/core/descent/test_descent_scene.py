"""The Descent page's scene and its learning-rate text helpers (no Qt)."""

import json
import math

import pytest

from explorer.descent.rates import log_range
from explorer.descent.scene import DescentScene, LRTestOptions, ViewOptions
from explorer.errors import InputError
from explorer.inputs import MAX_LRS, MAX_STEPS, check_start, check_steps, parse_lrs
from explorer.inputs import format_numbers as format_lrs


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("0.001, 0.01, 0.1", (0.001, 0.01, 0.1)),
        ("1e-3;0.5  2", (0.001, 0.5, 2.0)),
        ("  0.3 ", (0.3,)),
        ("0.1,\n0.2,", (0.1, 0.2)),
    ],
)
def test_parse_lrs_reads_what_people_type(text, expected):
    assert parse_lrs(text) == expected


@pytest.mark.parametrize(
    ("text", "words", "cell"),
    [
        ("", "at least one", None),
        ("0.1, abc", "'abc' is not a number", (1,)),
        ("0.1, -0.2", "positive finite", (1,)),
        ("0", "positive finite", (0,)),
        ("nan", "positive finite", (0,)),
        ("inf", "positive finite", (0,)),
    ],
)
def test_parse_lrs_says_what_to_change(text, words, cell):
    with pytest.raises(InputError, match=words) as info:
        parse_lrs(text)
    assert info.value.field == "lrs"
    assert info.value.cell == cell


def test_parse_lrs_refuses_too_many():
    with pytest.raises(InputError, match=f"at most {MAX_LRS}"):
        parse_lrs(", ".join(["0.1"] * (MAX_LRS + 1)))
    assert len(parse_lrs(", ".join(["0.1"] * MAX_LRS))) == MAX_LRS


def test_format_lrs_round_trips():
    lrs = (1e-5, 0.001, 0.0123456, 0.5, 2.0)
    assert format_lrs(lrs) == "1e-05, 0.001, 0.0123456, 0.5, 2"
    assert parse_lrs(format_lrs(lrs)) == lrs


def test_log_range_is_evenly_spaced_on_a_log_scale():
    lrs = log_range(0.001, 1.0, 4)
    assert lrs == (0.001, 0.01, 0.1, 1.0)
    ratios = [b / a for a, b in zip(lrs, lrs[1:], strict=False)]
    assert all(math.isclose(r, 10.0) for r in ratios)
    assert log_range(0.2, 0.2, 1) == (0.2,)
    assert len(log_range(1e-4, 10, MAX_LRS)) == MAX_LRS


@pytest.mark.parametrize(
    ("args", "field"),
    [
        ((0.0, 1.0, 3), "lr_min"),
        ((0.1, float("inf"), 3), "lr_max"),
        ((1.0, 0.1, 3), "lr_max"),
        ((0.1, 1.0, 0), "lr_count"),
        ((0.1, 1.0, MAX_LRS + 1), "lr_count"),
        ((0.1, 1.0, 2.5), "lr_count"),
    ],
)
def test_log_range_bad_input_names_the_control(args, field):
    with pytest.raises(InputError) as info:
        log_range(*args)
    assert info.value.field == field


def test_steps_and_start_checks():
    assert check_steps(100) == 100
    assert check_steps(float(MAX_STEPS)) == MAX_STEPS
    for bad in (0, MAX_STEPS + 1, 2.5, True, "10", float("nan")):
        with pytest.raises(InputError):
            check_steps(bad)
    assert check_start([1, "2.5"]) == (1.0, 2.5)
    assert DescentScene(start=None).validated().start is None  # the surface's default start
    for bad in ([1.0], [1.0, float("nan")], "ab", [float("inf"), 0]):
        with pytest.raises(InputError, match="start point") as info:
            check_start(bad)
        assert info.value.field == "start"


def _custom_scene() -> DescentScene:
    return DescentScene(
        surface="rosenbrock",
        surface_options={},
        optimizer="Adam",
        optimizer_options={"betas": [0.8, 0.99]},
        lrs=(0.001, 0.01),
        steps=500,
        start=(-1.5, 2.0),
        dtype="float32",
        current_step=42,
        view=ViewOptions(log_loss=False, show_internals=True, slice_axis="y", speed=250.0),
        lr_test=LRTestOptions(model="mlp-iris", end_lr=1.0, steps=60, mode="linear"),
    )


def test_scene_round_trips_through_json():
    scene = _custom_scene()
    restored = DescentScene.from_dict(json.loads(json.dumps(scene.to_dict())))
    assert restored == scene
    assert DescentScene.from_dict(DescentScene().to_dict()) == DescentScene()


def test_current_step_is_clamped_to_the_run():
    data = _custom_scene().to_dict() | {"steps": 10, "current_step": 50}
    assert DescentScene.from_dict(data).current_step == 10


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"surface": "moon"}, "surface"),
        ({"optimizer": "LBFGS-ish"}, "optimizer"),
        ({"schedule": "sometimes"}, "schedule"),
        ({"lrs": [0.1, -1]}, "lrs"),
        ({"lrs": []}, "lrs"),
        ({"steps": 0}, "steps"),
        ({"steps": MAX_STEPS + 1}, "steps"),
        ({"start": [0, float("nan")]}, "start"),
        ({"dtype": "float16"}, "dtype"),
        ({"current_step": -1}, "current_step"),
        ({"view": {"speed": 5000}}, "speed"),
        ({"view": {"slice_axis": "z"}}, "slice_axis"),
        ({"view": {"colour": "red"}}, "view"),
        ({"lr_test": {"start_lr": 1.0, "end_lr": 0.1}}, "lr_test_end"),
        ({"lr_test": {"model": "resnet"}}, "lr_test_model"),
        ({"optimizer_options": [1, 2]}, "optimizer_options"),
        ({"optimizer_options": {"momentum": 1.5}}, "momentum"),
        ({"surface_options": {"condition": 0.1}}, "condition"),
        ({"surface_options": {"colour": 1}}, "colour"),
        ({"weather": "sunny"}, "scene"),
        ({"lrs": [0.1, 2e6]}, "lrs"),
        ({"start": "12"}, "start"),
        ({"schedule": "StepLR", "schedule_options": "ab"}, "schedule_options"),
        # Checked when the scene's options are resolved, not only when a sweep starts:
        ({"optimizer": "Adagrad", "schedule": "OneCycleLR",
          "schedule_options": {"cycle_momentum": True}}, "cycle_momentum"),
        ({"steps": 1, "schedule": "OneCycleLR", "schedule_options": {"pct_start": 1.0}},
         "pct_start"),
        ({"lr_test": {"end_lr": 1e7}}, "lr_test_end"),
    ],
)
def test_from_dict_rejects_impossible_values(change, field):
    data = DescentScene().to_dict() | change
    with pytest.raises(InputError) as info:
        DescentScene.from_dict(data)
    assert info.value.field == field


def test_an_lr_test_scene_accepts_exactly_what_the_range_test_runs():
    """Issue 9: a scene with 3 LR-test steps passed the scene check and failed the test itself."""
    from explorer.descent import lr_finder

    for steps in (lr_finder.MIN_STEPS - 1, lr_finder.MAX_STEPS + 1, 2.5):
        with pytest.raises(InputError, match="LR range test's steps") as caught:
            DescentScene.from_dict({"lr_test": {"steps": steps}})
        assert caught.value.field == "lr_test_steps"
        with pytest.raises(InputError, match="LR range test's steps"):
            lr_finder.lr_range_test("logistic-regression", steps=steps)
    scene = DescentScene.from_dict({"lr_test": {"steps": lr_finder.MIN_STEPS}})
    result = lr_finder.lr_range_test("logistic-regression", steps=scene.lr_test.steps)
    assert len(result.lrs) >= 1


def test_the_scene_and_the_range_test_know_the_same_models_and_optimizers():
    from explorer.descent import lr_finder, scene

    assert scene.LR_TEST_MODELS is lr_finder.MODELS
    for model in lr_finder.MODELS:
        DescentScene.from_dict({"lr_test": {"model": model}})
    with pytest.raises(InputError, match="mlp-digits"):
        DescentScene.from_dict({"lr_test": {"model": "resnet"}})


def test_switching_to_an_optimizer_without_momentum_stops_cycling_it():
    """Cycling momentum belonged to the old optimizer: Adagrad has none, so the scene stays
    valid instead of failing at cycle_momentum after the switch."""
    scene = DescentScene(optimizer="SGD", optimizer_options={"momentum": 0.9},
                         schedule="OneCycleLR",
                         schedule_options={"cycle_momentum": True}).validated()
    switched = scene.with_optimizer("Adagrad").validated()
    assert switched.schedule_options["cycle_momentum"] is False
    assert scene.with_optimizer("Adam").validated().schedule_options["cycle_momentum"] is True
