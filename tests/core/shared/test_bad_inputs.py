"""Every bad input is an InputError (issue 16): the promise, kept under a fuzzer.

Every public core entry point ends, for any value of any argument, in a result or an
:class:`explorer.errors.InputError` whose message says what to change, within a couple of
seconds (and, through the size budget of :mod:`explorer.inputs`, a few hundred MB).

Two parts: the bad calls found by hand (each with what its message must say), then
every entry point with each of its arguments replaced by each value of ``JUNK``.
Property tests with hypothesis live elsewhere; this module has none.
"""

from __future__ import annotations

import math
import time

import pytest
import torch

from explorer import batches, data, descent, inputs, losses, surfaces
from explorer.descent.rates import log_range
from explorer.descent.readings import slice_line
from explorer.descent.scene import DescentScene
from explorer.errors import InputError
from explorer.losses.scene import LossScene
from explorer.losses.tensors import parse_block, parse_cell, tensor_from_rows
from explorer.losses.worked import cross_entropy_example
from explorer.training import TrainConfig, run
from explorer.training.batchnorm import activation_percentiles, bn_inside, compare_batch_norm
from explorer.training.live import train_live
from explorer.training.scene import BatchScene

LIMIT_S = 2.0
"""The most one call may take, result or refusal."""

CFG = TrainConfig(dataset="iris", hidden=(8,), batch_size=16, epochs=1)
BN = CFG.replace(batch_norm=True)
EX = losses.example("MSELoss")
CE = {"input": torch.zeros(3, 5), "target": torch.tensor([1, 0, 4])}
SWEEP = dict(surface="quadratic", optimizer="SGD", lrs=[0.1], steps=5, start=(1.0, 1.0))
ONE_CYCLE = dict(SWEEP, schedule="OneCycleLR")


@pytest.fixture(scope="module", autouse=True)
def _warm():
    """Pay the one-off costs (data files, torch's first kernels) before any call is timed."""
    for name in data.DATASETS:
        data.load(name)
    losses.evaluate("MSELoss", EX)
    descent.sweep(**SWEEP)
    list(run(CFG))


def _timed(call):
    started = time.perf_counter()
    try:
        return call()
    finally:
        elapsed = time.perf_counter() - started
        assert elapsed < LIMIT_S, f"took {elapsed:.1f} s"


def _composite(options):
    return {"terms": [{"loss": "MSELoss", "weight": 1.0, "options": options}]}


# ---- the bad calls of the issue, each with what its message must say ------------------------
CASES = [
    # options that are not a mapping
    ("loss options list", lambda: losses.evaluate("MSELoss", EX, options=[1]), "mapping"),
    ("loss options text", lambda: losses.evaluate("MSELoss", EX, options="ab"), "mapping"),
    ("composite options list", lambda: losses.evaluate("Composite", EX, options=[1]), "mapping"),
    ("composite term options list",
     lambda: losses.evaluate("Composite", EX, options=_composite([1])), "term 1"),
    ("composite term options text",
     lambda: losses.evaluate("Composite", EX, options=_composite("ab")), "mapping"),
    ("composite unknown option",
     lambda: losses.evaluate("Composite", EX, options={"terms": [{"loss": "MSELoss"}], "x": 1}),
     "no option 'x'"),
    ("sweep optimizer options list", lambda: descent.sweep(**SWEEP, optimizer_options=[1]),
     "options of SGD"),
    ("sweep optimizer options text", lambda: descent.sweep(**SWEEP, optimizer_options="ab"),
     "mapping"),
    ("sweep schedule options list",
     lambda: descent.sweep(**SWEEP, schedule="StepLR", schedule_options=[1]), "StepLR"),
    ("sweep schedule options text",
     lambda: descent.sweep(**SWEEP, schedule="StepLR", schedule_options="ab"), "mapping"),
    ("sweep surface options list", lambda: descent.sweep(**SWEEP, surface_options=[1]),
     "quadratic"),
    ("grid surface options text", lambda: surfaces.grid("quadratic", options="ab"), "mapping"),
    # points
    ("surface points as text", lambda: surfaces.evaluate("quadratic", "xy"), "numbers"),
    ("unknown surface, points as text", lambda: surfaces.evaluate("bowl", "xy"), "bowl"),
    ("too many points",
     lambda: surfaces.evaluate("logistic-regression", torch.zeros(10**6, 2)), "MAX_POINTS"),
    # the Batch lab's experiments
    ("gradient noise of a number", lambda: batches.gradient_noise(CFG, 5), "batch sizes"),
    ("gradient noise of None", lambda: batches.gradient_noise(CFG, None), "batch sizes"),
    ("gradient noise of text in a list", lambda: batches.gradient_noise(CFG, [1, "a"]),
     "whole numbers"),
    ("gradient noise of text", lambda: batches.gradient_noise(CFG, "1, 2"), "batch sizes"),
    ("BN comparison of None", lambda: compare_batch_norm(CFG, None), "Learning rates"),
    ("percentiles at 0 points", lambda: activation_percentiles(CFG, points=0), "points"),
    ("percentiles of a number", lambda: activation_percentiles(CFG, percentiles=50),
     "Percentiles"),
    # seeds: one rule, 0 to 2,147,483,647
    ("range test seed 1.5", lambda: descent.lr_range_test(seed=1.5), "2,147,483,647"),
    ("range test seed None", lambda: descent.lr_range_test(seed=None), "2,147,483,647"),
    ("range test seed 2**64", lambda: descent.lr_range_test(seed=2**64), "2,147,483,647"),
    ("range test seed 2**31", lambda: descent.lr_range_test(seed=2**31), "2,147,483,647"),
    ("data seed 2**64 in a scene",
     lambda: BatchScene.from_dict({"config": {"data_seed": 2**64}}), "data seed"),
    ("data seed 2**64 in a config", lambda: list(run(CFG.replace(data_seed=2**64))), "data seed"),
    ("seed 2**31 in a config", lambda: list(run(CFG.replace(seed=2**31))), "2,147,483,647"),
    ("data set seed", lambda: data.load("moons", 2**64), "data seed"),
    ("loss example seed", lambda: losses.example("MSELoss", seed=2**64), "2,147,483,647"),
    ("loss scene seed", lambda: LossScene.from_dict({"seed": 2**31}), "2,147,483,647"),
    # learning rates that would overflow
    ("training lr 3.5e38", lambda: list(run(CFG.replace(lr=3.5e38))), "only overflow"),
    ("training lr 1e300", lambda: list(run(CFG.replace(lr=1e300))), "only overflow"),
    ("BN comparison lr 1e39", lambda: compare_batch_norm(CFG, [0.1, 1e39]), "only overflow"),
    ("Adam sweep from 1e38", lambda: descent.sweep(**dict(SWEEP, optimizer="Adam", lrs=[1e38])),
     "only overflow"),
    ("AdamW sweep from 1e38",
     lambda: descent.sweep(**dict(SWEEP, optimizer="AdamW", lrs=[0.1, 1e38])), "only overflow"),
    ("typed rates past MAX_LR", lambda: inputs.parse_lrs("0.1, 1e7"), "only overflow"),
    ("range test end past MAX_LR", lambda: descent.lr_range_test(end_lr=1e39), "only overflow"),
    ("log range past MAX_LR", lambda: log_range(0.1, 1e39, 3), "only overflow"),
    ("descent scene rate past MAX_LR",
     lambda: DescentScene.from_dict({"lrs": [1e39]}), "only overflow"),
    # schedules
    ("OneCycleLR rise of no step (1 step, pct_start 1)",
     lambda: descent.sweep(**dict(ONE_CYCLE, steps=1), schedule_options={"pct_start": 1.0}),
     "pct_start"),
    ("OneCycleLR three phases over 2 steps",
     lambda: descent.sweep(**dict(ONE_CYCLE, steps=2),
                           schedule_options={"pct_start": 0.5, "three_phase": True}),
     "pct_start"),
    ("OneCycleLR cycling momentum of Adagrad",
     lambda: descent.sweep(**dict(ONE_CYCLE, optimizer="Adagrad"),
                           schedule_options={"cycle_momentum": True}), "Adagrad has neither"),
    ("a scene cycling the momentum of Adagrad",
     lambda: DescentScene.from_dict({"optimizer": "Adagrad", "schedule": "OneCycleLR",
                                     "schedule_options": {"cycle_momentum": True}}),
     "cycle_momentum"),
    # one size budget
    ("MSE of 3000 x 3000",
     lambda: losses.evaluate("MSELoss", {"input": torch.zeros(3000, 3000),
                                         "target": torch.zeros(3000, 3000)}), "MAX_ELEMENTS"),
    ("MSE of 65 rows", lambda: losses.evaluate("MSELoss", {"input": torch.zeros(65, 5),
                                                           "target": torch.zeros(65, 5)}),
     "from 1 to 64"),
    ("MSE of nested lists 2000 x 2000",
     lambda: losses.evaluate("MSELoss", {"input": [[0.0] * 2000] * 2000,
                                         "target": [[0.0] * 2000] * 2000}), "MAX_ELEMENTS"),
    ("a pasted block of 5000 x 5000",
     lambda: parse_block("\n".join(["\t".join(["0.5"] * 5000)] * 5000)), "MAX_TEXT"),
    ("rows of 1001 x 1000 cells",
     lambda: tensor_from_rows([["1"] * 1001] * 1000, losses.spec("MSELoss").inputs[0]),
     "MAX_ELEMENTS"),
    ("a grid of 2048", lambda: surfaces.grid("logistic-regression", n=2048), "512"),
    ("decision regions of 2048",
     lambda: __import__("explorer.training", fromlist=["decision_regions"]).decision_regions(
         torch.nn.Linear(2, 2), data.load("moons"), n=2048), "512"),
    ("60 layers of 4096", lambda: TrainConfig(hidden=(4096,) * 60).validate(), "at most 12"),
    ("12 layers of 4096", lambda: TrainConfig(hidden=(4096,) * 12).validate(), "MAX_PARAMETERS"),
    ("2 layers of 4096 on the digits",
     lambda: list(run(CFG.replace(dataset="digits", hidden=(4096, 4096)))), "MAX_PARAMETERS"),
    ("a loss scene of 5000 x 5000",
     lambda: LossScene.from_dict({"tensors": {"input": [[0.0] * 5000] * 5000}}), "4096 cells"),
    # huge class numbers
    ("class 1e19 as a float tensor",
     lambda: losses.evaluate("CrossEntropyLoss", dict(CE, target=torch.tensor([1e19, 0, 1]))),
     "whole numbers"),
    ("class 1e19 in a list",
     lambda: losses.evaluate("CrossEntropyLoss", dict(CE, target=[1e19, 0, 1])), "target"),
    ("class 10**19 in a list",
     lambda: losses.evaluate("CrossEntropyLoss", dict(CE, target=[10**19, 0, 1])), "too large"),
    ("class 2**62 as a long tensor",
     lambda: losses.evaluate("CrossEntropyLoss", dict(CE, target=torch.tensor([2**62, 0, 1]))),
     "class number"),
    ("class 1e19 typed in a cell",
     lambda: parse_cell("1e19", losses.spec("CrossEntropyLoss").inputs[1], (0,)),
     "whole class number"),
    ("class 1e19 in the scene's tensor form",
     lambda: tensor_from_rows([[1e19, 0, 1]], losses.spec("CrossEntropyLoss").inputs[1]),
     r"target\[0\]"),
    # odd ones
    ("start '12'", lambda: inputs.check_start("12"), "two numbers"),
    ("sweep from '12'", lambda: descent.sweep(**dict(SWEEP, start="12")), "two numbers"),
    ("rates [True]", lambda: inputs.check_lrs([True]), "positive finite"),
    ("sweep at rate True", lambda: descent.sweep(**dict(SWEEP, lrs=[True])), "positive finite"),
    ("10**6 epochs", lambda: TrainConfig(epochs=10**6).validate(), "1 to 10,000"),
    ("batches of 10**6", lambda: TrainConfig(batch_size=10**6).validate(), "batch size"),
    ("a scene of 10**6 epochs",
     lambda: BatchScene.from_dict({"config": {"epochs": 10**6}}), "1 to 10,000"),
]


@pytest.mark.parametrize(("call", "match"), [case[1:] for case in CASES],
                         ids=[case[0] for case in CASES])
def test_each_bad_call_is_an_input_error_that_says_what_to_change(call, match):
    with pytest.raises(InputError, match=match) as caught:
        _timed(call)
    assert str(caught.value).strip()


@pytest.mark.parametrize(("call", "check"), [
    (lambda: descent.sweep(**ONE_CYCLE, schedule_options={"cycle_momentum": True,
                                                          "base_momentum": 0.0}),
     lambda result: result.complete),
    (lambda: descent.sweep(**dict(ONE_CYCLE, optimizer="RMSprop"),
                           schedule_options={"cycle_momentum": True, "base_momentum": 0.0}),
     lambda result: result.complete),
    (lambda: descent.sweep(**dict(ONE_CYCLE, steps=2), schedule_options={"three_phase": True}),
     lambda result: result.complete),
    (lambda: surfaces.evaluate("linear-regression", torch.tensor([[1, 2]])),
     lambda value: value.dtype == torch.float64 and value.shape == (1,)),
    (lambda: surfaces.evaluate("logistic-regression", torch.tensor([[1, 2]])),
     lambda value: torch.isfinite(value).all()),
    (lambda: surfaces.evaluate("quadratic", [[1, 2], [3, 4]]), lambda value: value.shape == (2,)),
    (lambda: surfaces.grid("logistic-regression", n=inputs.MAX_GRID),
     lambda grid: grid.z.shape == (inputs.MAX_GRID, inputs.MAX_GRID)),
    (lambda: descent.lr_range_test(seed=inputs.MAX_SEED, steps=5), lambda result: result.done),
    (lambda: list(run(CFG.replace(lr=inputs.MAX_LR))), lambda records: len(records) == 1),
], ids=["base_momentum 0 on SGD", "base_momentum 0 on RMSprop", "three phases over 2 steps",
        "int points, linear regression", "int points, logistic regression", "points as lists",
        "the largest grid", "the largest seed", "the largest learning rate"])
def test_what_torch_can_compute_is_computed(call, check):
    assert check(_timed(call))


# ---- the fuzzer: every argument of every entry point, replaced by junk ----------------------
JUNK = [None, "ab", "12", [1], {}, -1, 0, 1.5, True, 2**64, math.nan, -math.inf, 1e39,
        object()]

ENTRY_POINTS = {
    "losses.evaluate": (losses.evaluate, dict(name="MSELoss", inputs=EX, reduction="mean",
                                              options=None)),
    "losses.evaluate Composite": (losses.evaluate, dict(
        name="Composite", inputs=EX, reduction="mean",
        options={"terms": [{"loss": "MSELoss", "weight": 1.0, "options": {}}]})),
    "losses.evaluate CrossEntropyLoss": (losses.evaluate, dict(
        name="CrossEntropyLoss", inputs=CE, options={"ignore_index": -100})),
    "losses.example": (losses.example, dict(name="CrossEntropyLoss", seed=1,
                                            dims={"N": 3, "C": 5})),
    "surfaces.evaluate": (surfaces.evaluate, dict(name="linear-regression",
                                                  xy=torch.zeros(3, 2), options=None)),
    "surfaces.grid": (surfaces.grid, dict(name="logistic-regression", bounds=None, n=16,
                                          options=None)),
    "descent.sweep": (descent.sweep, dict(SWEEP, optimizer_options=None, surface_options=None,
                                          schedule=None, schedule_options=None)),
    "descent.sweep OneCycleLR": (descent.sweep, dict(
        ONE_CYCLE, optimizer="SGD", schedule_options={"cycle_momentum": True})),
    "descent.lr_range_test": (descent.lr_range_test, dict(
        model="logistic-regression", start_lr=1e-4, end_lr=1.0, steps=5, mode="exp",
        smoothing=0.05, stop_factor=4.0, batch_size=16, seed=0, optimizer="SGD")),
    "descent.reference_lrs": (descent.reference_lrs, dict(surface="quadratic",
                                                          start=(1.0, 1.0))),
    "rates.log_range": (log_range, dict(low=0.01, high=1.0, count=3)),
    "data.load": (data.load, dict(name="moons", seed=0)),
    "TrainConfig": (lambda **kw: list(run(CFG.replace(**kw))), dict(
        dataset="iris", hidden=(8,), activation="relu", batch_norm=False, batch_size=16,
        shuffle=True, optimizer="SGD", lr=0.1, epochs=1, seed=0, momentum=0.0,
        data_seed=0)),
    "batches.gradient_noise": (batches.gradient_noise, dict(config=CFG, batch_sizes=[2, 8],
                                                            repeats=2)),
    "batches.batch_timing": (batches.batch_timing, dict(config=CFG, batch_sizes=[64],
                                                        repeats=2, warmup=0)),
    "compare_batch_norm": (compare_batch_norm, dict(config=CFG, lrs=[0.1])),
    "activation_percentiles": (activation_percentiles, dict(
        config=CFG.replace(hidden=(4,)), layer=-1, percentiles=(15, 50), unit=0, points=3)),
    "bn_inside": (bn_inside, dict(config=BN, unit=0, gamma=None, beta=None, mode="train",
                                  layer=0, train_epochs=0)),
    "losses.curve": (losses.curve, dict(name="HuberLoss", target=0.5, options={"delta": 1.0},
                                        lo=-3.0, hi=3.0, n=50)),
    "losses.marker": (losses.marker, dict(name="CrossEntropyLoss", z=0.5, target=None,
                                          options=None)),
    "losses.compare_curves": (losses.compare_curves, dict(names=("hinge",), lo=-2.0, hi=3.0,
                                                          n=50)),
    "cross_entropy_example": (cross_entropy_example, dict(weights=None, bias=None,
                                                          probabilities=[0.57, 0.58, 0.52])),
    "tensors.parse_block": (parse_block, dict(text="1\t2\n3\t4")),
    "tensors.tensor_from_rows": (
        lambda **kw: tensor_from_rows(spec=losses.spec("CrossEntropyLoss").inputs[1], **kw),
        dict(rows=[["1", "0", "4"]], num_classes=5)),
    "descent.slice_line": (slice_line, dict(surface="rosenbrock", through=(0.0, 0.0), axis="x",
                                            span=None, options=None, n=50)),
    "descent.iter_sweep": (lambda **kw: list(descent.iter_sweep(**kw)), dict(
        SWEEP, chunk=2, dtype="float32", divergence_bound=1e12, record_internals=None)),
    "train_live": (lambda **kw: list(train_live(**kw)), dict(
        config=CFG.replace(dataset="moons"), regions_grid=8, most_steps_between=20)),
    "LossScene.from_dict": (lambda **kw: LossScene.from_dict(kw), dict(
        loss="MSELoss", tensors={}, dims={}, reduction="mean", options={}, seed=None,
        terms=(), worked_probabilities=None)),
    "DescentScene.from_dict": (lambda **kw: DescentScene.from_dict(kw), dict(
        surface="quadratic", optimizer="SGD", lrs=[0.1], steps=10, start=None,
        schedule="none", schedule_options={}, current_step=0, view={}, lr_test={})),
    "BatchScene.from_dict": (lambda **kw: BatchScene.from_dict(kw), dict(
        config={}, experiment="training", noise_batch_sizes=[1, 2], bn_lrs=[0.1],
        small_batch=8, large_batch=None, bn_layer=0, bn_unit=0, gamma=None)),
}

FUZZ = [(name, argument) for name, (_, arguments) in ENTRY_POINTS.items() for argument in arguments]


@pytest.mark.parametrize(("name", "argument"), FUZZ, ids=[f"{n}-{a}" for n, a in FUZZ])
def test_any_value_of_any_argument_ends_in_a_result_or_an_input_error(name, argument):
    function, arguments = ENTRY_POINTS[name]
    broken = []
    for value in JUNK:  # all values tried, all broken ones reported together
        started = time.perf_counter()
        try:
            function(**{**arguments, argument: value})
        except InputError as error:
            if not str(error).strip():
                broken.append(f"{argument}={value!r}: an InputError with no message")
        except Exception as error:  # noqa: BLE001 - what the promise rules out
            broken.append(f"{argument}={value!r}: {type(error).__name__}: {error}")
        elapsed = time.perf_counter() - started
        if elapsed > LIMIT_S:
            broken.append(f"{argument}={value!r}: took {elapsed:.1f} s")
    assert not broken, "\n".join(broken)


def test_every_entry_point_runs_with_its_own_arguments():
    for name, (function, arguments) in ENTRY_POINTS.items():
        try:
            _timed(lambda function=function, arguments=arguments: function(**arguments))
        except InputError as error:  # pragma: no cover - the fuzzer's base must be good
            pytest.fail(f"{name}: {error}")
