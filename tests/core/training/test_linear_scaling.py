"""The linear scaling rule and warm-up (Goyal et al. 2017) on the demonstration set-up."""

import math

import pytest
import torch

from explorer import batches
from explorer.errors import InputError
from explorer.training import TrainConfig, prepare
from explorer.training.linear_scaling import (
    check_scaling,
    linear_scaling,
    parse_factors,
    scaling_demo_config,
)


@pytest.fixture(scope="module")
def result():
    return linear_scaling(scaling_demo_config(), factors=(2, 4, 32), warmup_factors=(32,))


def test_below_the_critical_batch_the_scaled_runs_overlap_within_3_percent(result):
    assert sorted(result.runs) == [(1, False), (2, False), (4, False), (32, False), (32, True)]
    assert result.runs[(4, False)].batch_size == 32 and result.runs[(4, False)].lr == 0.4
    assert result.deviation(2) < 0.03 and result.deviation(4) < 0.03
    base = result.runs[(1, False)].losses
    assert len(base) == 6 and base[-1] < 0.1 * base[0]


def test_far_above_it_the_run_diverges_and_warm_up_rescues_it(result):
    cold, warm = result.runs[(32, False)].losses, result.runs[(32, True)].losses
    assert result.deviation(32) > 1
    assert not math.isfinite(cold[-1]) or cold[-1] > 10
    assert warm[-1] < 0.5 and all(math.isfinite(v) for v in warm)


def test_warm_up_is_torch_linear_lr_from_one_kth_of_the_rate():
    session = prepare(TrainConfig(lr=0.8))
    scheduler = torch.optim.lr_scheduler.LinearLR(session.optimizer, start_factor=1 / 8,
                                                  total_iters=4)
    rates = []
    for _ in range(5):
        rates.append(session.optimizer.param_groups[0]["lr"])
        session.optimizer.step()
        scheduler.step()
    assert rates == pytest.approx([0.1, 0.275, 0.45, 0.625, 0.8])


def test_generator_reports_every_epoch_of_every_run():
    config = TrainConfig(epochs=2, batch_size=8)
    *progress, last = batches.iter_linear_scaling(config, factors=(2,), warmup_factors=(2,))
    assert [p.step for p in progress] == [1, 2, 3, 4, 5, 6] and progress[-1].fraction == 1
    assert [run.label for run in last.runs.values()] == ["k=1", "k=2", "k=2 + warm-up"]


@pytest.mark.parametrize(("kwargs", "field"), [
    ({"factors": (0,)}, "factors"), ({"factors": "2, 4"}, "factors"),
    ({"factors": (100,)}, "factors"), ({"warmup_factors": (2.5,)}, "warmup_factors"),
    ({"factors": (2,), "warmup_factors": (2,), "warmup_epochs": 0}, "warmup_epochs"),
])
def test_bad_settings_say_what_to_change(kwargs, field):
    with pytest.raises(InputError) as caught:
        linear_scaling(TrainConfig(batch_size=8, epochs=2), **kwargs)
    assert caught.value.field == field


@pytest.mark.parametrize(("text", "warmup", "expected"), [
    ("8, 2 4", False, (2, 4, 8)), ("32", True, (32,)), ("  ", True, ()),
])
def test_typed_factors_are_read_sorted_and_no_warm_up_is_blank(text, warmup, expected):
    assert parse_factors(text, warmup=warmup) == expected


@pytest.mark.parametrize(("text", "warmup"), [("", False), ("2, x", False), ("0", True),
                                              ("2.5", False)])
def test_a_bad_typed_factor_names_its_field(text, warmup):
    with pytest.raises(InputError) as caught:
        parse_factors(text, "k", warmup)
    assert caught.value.field == "k"


def test_the_checks_return_the_base_run_with_its_factors():
    config, factors, warmup, epochs = check_scaling(scaling_demo_config(), [4, 2], [], 1)
    assert factors == [1, 2, 4] and warmup == [] and epochs == 1
    assert config == scaling_demo_config()


def test_a_scaled_rate_too_large_is_refused_at_its_factor():
    with pytest.raises(InputError) as caught:
        check_scaling(scaling_demo_config().replace(lr=1e5), [1], [16], 1)
    assert caught.value.field == "warmup_factors" and "k = 16" in str(caught.value)
