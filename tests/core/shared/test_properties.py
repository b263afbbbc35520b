"""Property-based tests: whatever the user (or a damaged file) gives, a result or an InputError.

Issue 16's promise, kept under a generator: the text parsers, ``losses.evaluate``,
``descent.sweep``, ``TrainConfig`` and the scene reader are fed generated values (good ones,
bad ones, huge ones, values of the wrong type) and each call must end in a result or an
:class:`InputError`, within a time bound (hypothesis's ``deadline``) and without growing the
process by more than :data:`MEMORY_MB`. The runs are derandomized, so CI sees the same
examples every time, and keep no example database in the work tree.
"""

from __future__ import annotations

import json
import math
import resource
import string

import pytest
import torch
from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st

from explorer import descent, inputs, surfaces
from explorer import losses as loss_lib
from explorer import scene as scene_file
from explorer.descent import schedules
from explorer.errors import InputError
from explorer.losses import tensors as tensor_text
from explorer.training.config import TrainConfig

MEMORY_MB = 400
"""How far one property test may grow the process's peak memory."""

settings.register_profile(
    "explorer", derandomize=True, database=None, deadline=3000, max_examples=150,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)
settings.load_profile("explorer")


@pytest.fixture(autouse=True)
def _bounded_memory():
    """Fail a property test whose examples grew the process by more than MEMORY_MB."""
    before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    yield
    grown = (resource.getrusage(resource.RUSAGE_SELF).ru_maxrss - before) / 1024
    assert grown < MEMORY_MB, f"peak memory grew by {grown:.0f} MB"


def _result_or_input_error(call, *args, **kwargs):
    """Run ``call``; an InputError must say something (a field-less empty message helps no one)."""
    try:
        result = call(*args, **kwargs)
    except InputError as exc:
        assert str(exc).strip(), "an InputError without a message"
        event("refused")
        return exc
    event("a result")
    return result


# --- values a user or a file may give ----------------------------------------------------------
NUMBERS = st.one_of(
    st.integers(min_value=-(2**70), max_value=2**70),
    st.floats(allow_nan=True, allow_infinity=True),
    st.sampled_from([0, 1, -1, 1e-300, 1e300, 3.5e38, 1e39, 2**31, 2**63, 0.5, 1e6]),
)
SCALARS = st.one_of(st.none(), st.booleans(), NUMBERS, st.text(max_size=12))
JSON = st.recursive(
    SCALARS,
    lambda inner: st.one_of(st.lists(inner, max_size=5),
                            st.dictionaries(st.text(max_size=8), inner, max_size=5)),
    max_leaves=25,
)
RANDOM_TEXT = st.text(alphabet=string.digits + string.ascii_letters + " ,;.-+e\t\n_*()[]",
                      max_size=80)
NUMBER_LISTS = st.tuples(
    st.lists(st.one_of(st.floats(1e-6, 10), st.integers(0, 5000), NUMBERS), max_size=20),
    st.sampled_from([", ", ",", " ", "; ", "\t", "\n"]),
).map(lambda parts: parts[1].join(map(repr, parts[0])))
TYPED = st.one_of(RANDOM_TEXT, NUMBER_LISTS)
"""Text as typed in a box: anything, or numbers with any of the separators."""


# --- the text parsers -------------------------------------------------------------------------
@given(TYPED)
def test_typed_learning_rates(text):
    result = _result_or_input_error(inputs.parse_lrs, text)
    if not isinstance(result, InputError):
        assert all(math.isfinite(lr) and lr > 0 for lr in result)


@given(TYPED)
def test_typed_widths_and_batch_sizes(text):
    result = _result_or_input_error(inputs.parse_widths, text)
    if not isinstance(result, InputError):
        assert all(1 <= w <= inputs.MAX_WIDTH for w in result)
    _result_or_input_error(inputs.parse_ints, text, "sizes", "batch sizes", low=1, high=120,
                           most=16)


@given(st.sampled_from(loss_lib.names()), TYPED)
def test_typed_cells_and_pasted_blocks(name, text):
    spec = loss_lib.spec(name)
    for input_spec in spec.inputs:
        _result_or_input_error(tensor_text.parse_cell, text, input_spec, (0, 0), 5)
    rows = tensor_text.parse_block(text)
    for input_spec in spec.inputs:
        _result_or_input_error(tensor_text.tensor_from_rows, rows, input_spec, 5)


@given(SCALARS, st.sampled_from(["float", "int", "bool", "choice", "vector"]))
def test_option_values(value, kind):
    spec = inputs.OptionSpec("margin", kind, 1.0, minimum=0.0, maximum=10.0,
                             choices=("a", "b"), dim="C")
    _result_or_input_error(inputs.check_option, spec, value)


def _mostly(good, bad):
    """Usually a good value, about one time in eight a bad one: so most calls reach the
    computation, and every bad value is still tried."""
    return st.integers(0, 7).flatmap(lambda k: bad if k == 5 else good)


# --- losses.evaluate --------------------------------------------------------------------------
def _tensor(draw, like: torch.Tensor) -> torch.Tensor:
    """A tensor shaped like ``like`` (or not), holding ordinary or extreme values."""
    shape = draw(st.one_of(st.just(tuple(like.shape)),
                           st.lists(st.integers(0, 6), min_size=0, max_size=3).map(tuple)))
    values = draw(st.lists(NUMBERS.filter(lambda v: not isinstance(v, int) or abs(v) < 2**62),
                           min_size=1, max_size=4))
    dtype = draw(st.sampled_from([like.dtype, torch.float32, torch.long, torch.float64]))
    count = math.prod(shape)
    flat = [float(values[i % len(values)]) for i in range(count)]
    if dtype == torch.long:
        flat = [int(v) if math.isfinite(v) and abs(v) < 2**62 else 0 for v in flat]
    return torch.tensor(flat, dtype=dtype).reshape(shape)


@st.composite
def loss_calls(draw):
    name = draw(_mostly(st.sampled_from(loss_lib.names()), st.text(max_size=10)))
    if name not in loss_lib.names():
        return name, {}, "mean", {}
    spec = loss_lib.spec(name)
    example = loss_lib.example(name, seed=draw(st.integers(0, 5)))
    inputs_ = {key: _tensor(draw, value) if draw(st.integers(0, 7)) == 5 else value
               for key, value in example.items()}
    reduction = draw(_mostly(st.sampled_from(spec.reductions), st.text(max_size=6)))
    names = [o.name for o in spec.options] + ["nope"]
    options = draw(_mostly(
        st.dictionaries(st.sampled_from(names), _mostly(st.floats(0, 2), SCALARS), max_size=2),
        st.dictionaries(st.sampled_from(names), st.lists(NUMBERS, max_size=6), max_size=2),
    ))
    return name, inputs_, reduction, options


@given(loss_calls())
def test_any_loss_call(call):
    name, inputs_, reduction, options = call
    result = _result_or_input_error(loss_lib.evaluate, name, inputs_, reduction, options)
    if not isinstance(result, InputError):
        assert isinstance(result.code, str)


@given(st.one_of(st.lists(SCALARS, max_size=3), st.text(max_size=5), st.integers(), JSON))
def test_loss_options_of_any_type(options):
    example = loss_lib.example("MSELoss", seed=0)
    _result_or_input_error(loss_lib.evaluate, "MSELoss", example, "mean", options)


# --- descent.sweep ----------------------------------------------------------------------------
@st.composite
def sweep_calls(draw):
    surface = draw(_mostly(st.sampled_from(surfaces.names()), st.text(max_size=6)))
    optimizer = draw(_mostly(st.sampled_from(descent.OPTIMIZERS), st.text(max_size=6)))
    lrs = draw(_mostly(st.lists(st.floats(1e-5, 3), min_size=1, max_size=4),
                       st.one_of(st.lists(NUMBERS, max_size=4), NUMBERS, SCALARS)))
    steps = draw(_mostly(st.integers(1, 40), st.one_of(st.integers(-2, 0), SCALARS)))
    start = draw(_mostly(st.tuples(st.floats(-3, 3), st.floats(-3, 3)),
                         st.one_of(st.tuples(NUMBERS, NUMBERS), SCALARS,
                                   st.lists(NUMBERS, max_size=3))))
    def names_of(specs_of, name):
        try:
            return [o.name for o in specs_of(name)] or ["nope"]
        except (InputError, KeyError):
            return ["nope"]

    option_names = names_of(descent.optimizer_options, optimizer)
    option_values = st.one_of(st.floats(0, 0.999), st.booleans(), SCALARS)
    options = draw(_mostly(st.dictionaries(st.sampled_from(option_names), option_values,
                                           max_size=2),
                           st.one_of(st.just(None), st.lists(SCALARS, max_size=2),
                                     st.text(max_size=3))))
    schedule = draw(_mostly(st.sampled_from(schedules.SCHEDULES),
                            st.one_of(st.none(), st.text(max_size=4))))
    schedule_names = names_of(descent.schedule_options, schedule)
    schedule_options = draw(st.one_of(
        st.dictionaries(st.sampled_from(schedule_names),
                        _mostly(st.one_of(st.floats(0, 1), st.integers(1, 50), st.booleans()),
                                SCALARS),
                        max_size=2),
        st.just(None)))
    return dict(surface=surface, optimizer=optimizer, lrs=lrs, steps=steps, start=start,
                optimizer_options=options, schedule=schedule, schedule_options=schedule_options)


@given(sweep_calls())
def test_any_sweep(call):
    _result_or_input_error(descent.sweep, **call)


@given(st.sampled_from(surfaces.names()),
       st.one_of(st.text(max_size=4), st.lists(NUMBERS, max_size=4), SCALARS,
                 st.lists(st.tuples(NUMBERS, NUMBERS), min_size=1, max_size=3)))
def test_any_surface_points(name, points):
    if isinstance(points, list) and points and isinstance(points[0], tuple):
        dtype = torch.long if all(isinstance(v, int) and abs(v) < 2**62 for p in points
                                  for v in p) else torch.float64
        points = torch.tensor([[float(v) for v in p] for p in points]).to(dtype)
    _result_or_input_error(surfaces.evaluate, name, points)


# --- TrainConfig ------------------------------------------------------------------------------
CONFIG_VALUES = {
    "dataset": st.one_of(st.sampled_from(["iris", "digits", "spirals", "moons"]),
                         st.text(max_size=6)),
    "hidden": st.one_of(st.lists(st.one_of(st.integers(-2, 5000), SCALARS), max_size=14)
                        .map(tuple), SCALARS),
    "activation": st.one_of(st.sampled_from(["relu", "sigmoid", "tanh"]), SCALARS),
    "batch_norm": SCALARS,
    "batch_size": st.one_of(st.integers(-5, 10**7), SCALARS),
    "shuffle": SCALARS,
    "optimizer": st.one_of(st.sampled_from(["SGD", "Adam"]), SCALARS),
    "lr": st.one_of(NUMBERS, SCALARS),
    "epochs": st.one_of(st.integers(-5, 10**7), SCALARS),
    "seed": st.one_of(NUMBERS, SCALARS),
    "momentum": st.one_of(NUMBERS, SCALARS),
    "data_seed": st.one_of(NUMBERS, SCALARS),
}


@given(st.fixed_dictionaries({}, optional=CONFIG_VALUES))
def test_any_training_set_up(values):
    config = _result_or_input_error(TrainConfig, **values)
    if isinstance(config, InputError):
        return
    problems = config.problems()
    assert all(isinstance(v, str) and v for v in problems.values())
    checked = _result_or_input_error(config.validate)
    assert (checked is None) == (not problems)


# --- the scene reader -------------------------------------------------------------------------
def _examples() -> list[dict]:
    from explorer import RESOURCES

    return [scene_file.load(p) for p in sorted((RESOURCES / "scenes").glob("*.json"))]


EXAMPLES = _examples()


def _paths(data, path=()):
    yield path
    if isinstance(data, dict):
        for key, value in data.items():
            yield from _paths(value, (*path, key))
    elif isinstance(data, list):
        for index, value in enumerate(data):
            yield from _paths(value, (*path, index))


@st.composite
def damaged_scenes(draw):
    """An example scene with one to three values replaced by anything JSON can hold."""
    pages = json.loads(json.dumps(draw(st.sampled_from(EXAMPLES))))
    for _ in range(draw(st.integers(1, 3))):
        paths = [p for p in _paths(pages) if p]
        path = draw(st.sampled_from(paths))
        holder = pages
        for key in path[:-1]:
            holder = holder[key]
        holder[path[-1]] = draw(JSON)
    return pages


@given(damaged_scenes())
def test_a_damaged_scene_is_read_whole_or_refused(pages):
    text = json.dumps({"format": scene_file.FORMAT, "version": scene_file.VERSION,
                       "pages": pages})
    read = _result_or_input_error(scene_file.loads, text)
    if isinstance(read, InputError):
        return
    checked = _result_or_input_error(scene_file.check_pages, read)
    if not isinstance(checked, InputError):  # what opens, saves and opens again, the same
        again = scene_file.check_pages(json.loads(json.dumps(
            {key: scene.to_dict() for key, scene in checked.items()})))
        assert again == checked


@given(st.one_of(JSON.map(json.dumps), st.text(max_size=200),
                 st.binary(max_size=200).map(lambda b: b.decode("latin-1"))))
def test_any_text_as_a_scene(text):
    _result_or_input_error(scene_file.loads, text)


SMALL_RUNS = {
    "dataset": _mostly(st.sampled_from(["iris", "moons", "spirals"]), st.text(max_size=4)),
    "hidden": _mostly(st.lists(st.integers(1, 8), min_size=1, max_size=3).map(tuple), SCALARS),
    "activation": _mostly(st.sampled_from(["relu", "sigmoid", "tanh"]), SCALARS),
    "batch_norm": _mostly(st.booleans(), SCALARS),
    "batch_size": _mostly(st.integers(1, 200), SCALARS),
    "optimizer": _mostly(st.sampled_from(["SGD", "Adam"]), SCALARS),
    "lr": _mostly(st.floats(1e-4, 1e6), NUMBERS),
    "momentum": _mostly(st.floats(0, 0.99), NUMBERS),
    "seed": _mostly(st.integers(0, 2**31 - 1), NUMBERS),
}


@settings(max_examples=40)
@given(st.fixed_dictionaries({"epochs": st.just(1)}, optional=SMALL_RUNS))
def test_any_short_training_run(values):
    """Training itself (one epoch): checked values never fail inside the run (issue 16: a
    learning rate above ~3.4e38 raised RuntimeError in training.run)."""
    from explorer.training import run

    config = _result_or_input_error(TrainConfig, **values)
    if not isinstance(config, InputError):
        _result_or_input_error(lambda: list(run(config)))


@settings(max_examples=40)
@given(st.one_of(st.lists(st.one_of(st.integers(-3, 300), SCALARS), max_size=4), SCALARS))
def test_any_batch_sizes_for_the_noise_experiment(sizes):
    from explorer import batches

    config = TrainConfig(epochs=1)
    _result_or_input_error(batches.gradient_noise, config, sizes, repeats=2)


@settings(max_examples=30)
@given(_mostly(st.integers(0, 2**31 - 1), NUMBERS), _mostly(st.integers(5, 30), SCALARS))
def test_any_seed_and_steps_for_the_range_test(seed, steps):
    _result_or_input_error(descent.lr_range_test, seed=seed, steps=steps)


# --- the expression language ------------------------------------------------------------------
TOKENS = ["z", "y", "x", "1", "2.5", "1e3", "0", "+", "-", "*", "/", "**", "(", ")", ",", " ",
          "<", "==", ">=", "where(", "abs(", "exp(", "log(", "sqrt(", "min(", "max(", "clamp(",
          "sigmoid(", "softplus(", "__import__(", ".real", "[0]", "'", "lambda", ":", "9**9"]


FORMULAS = st.recursive(
    st.one_of(st.sampled_from(["z", "y"]), st.floats(-100, 100).map(lambda v: f"{v:g}")),
    lambda inner: st.one_of(
        st.tuples(inner, st.sampled_from(["+", "-", "*", "/"]), inner).map(
            lambda t: f"({t[0]} {t[1]} {t[2]})"),
        st.tuples(inner, st.sampled_from([-2, 0.5, 1, 2, 3])).map(lambda t: f"({t[0]})**{t[1]}"),
        st.tuples(st.sampled_from(["abs", "exp", "log", "log1p", "sqrt", "sin", "cos", "tanh",
                                   "sigmoid", "softplus", "relu"]), inner).map(
            lambda t: f"{t[0]}({t[1]})"),
        st.tuples(st.sampled_from(["min", "max"]), inner, inner).map(
            lambda t: f"{t[0]}({t[1]}, {t[2]})"),
        st.tuples(inner, inner, inner).map(lambda t: f"clamp({t[0]}, {t[1]}, {t[2]})"),
        st.tuples(inner, inner, inner, inner).map(
            lambda t: f"where({t[0]} < {t[1]}, {t[2]}, {t[3]})"),
    ),
    max_leaves=12,
)
"""Formulas that parse: the operators and functions of the language, nested."""


@given(st.one_of(FORMULAS, FORMULAS, st.lists(st.sampled_from(TOKENS), max_size=30).map("".join),
                 st.text(max_size=60)))
def test_any_text_as_a_formula(text):
    """Whatever is typed: an expression that evaluates (numbers, maybe nan or inf, never an
    exception) or an InputError with a message, at once."""
    from explorer.expressions import Expression, parse

    result = _result_or_input_error(parse, text, ("z", "y"))
    if isinstance(result, Expression):
        z = torch.linspace(-3, 3, 7, dtype=torch.float64, requires_grad=True)
        value = result(z=z, y=torch.linspace(1, -1, 7, dtype=torch.float64))
        assert value.shape == (7,)
        if value.requires_grad:
            value.sum().backward()
