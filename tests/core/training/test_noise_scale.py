"""Gradient noise scale (McCandlish et al. 2018): per-example gradients, B_simple, the S(B) fit."""

import math

import pytest
import torch

from explorer import batches
from explorer.errors import InputError
from explorer.training import TrainConfig, prepare
from explorer.training.noise_scale import (
    check_epochs,
    check_fit_sizes,
    fit_steps,
    parse_epochs,
    parse_fit_sizes,
    simple_noise_scale,
)


def test_per_example_gradients_equal_a_loop_of_autograd():
    for config in (TrainConfig(hidden=(8, 8)), TrainConfig(hidden=(8,), batch_norm=True)):
        session = prepare(config)
        x, y = session.data.x_train[:10], session.data.y_train[:10]
        ours = batches.per_example_gradients(session.model, session.loss_fn, x, y)
        session.model.eval()  # what one example can use of batch normalization
        rows = []
        for i in range(len(x)):
            session.model.zero_grad()
            session.loss_fn(session.model(x[i:i + 1]), y[i:i + 1]).backward()
            rows.append(torch.cat([p.grad.flatten() for p in session.model.parameters()]))
        torch.testing.assert_close(ours, torch.stack(rows), rtol=1e-5, atol=1e-7)
        assert session.model.training is False  # ours put it back as it was


def test_b_simple_is_the_trace_of_the_covariance_over_the_squared_mean():
    grads = torch.randn(50, 7, dtype=torch.float64) + 0.3
    b_simple, trace, norm2 = simple_noise_scale(grads)
    assert trace == pytest.approx(torch.cov(grads.T).trace().item())
    assert norm2 == pytest.approx(grads.mean(0).pow(2).sum().item())
    assert b_simple == pytest.approx(trace / norm2)


def test_noise_scale_is_finite_positive_and_grows_with_training_on_the_default_set_up():
    values = batches.noise_scale(TrainConfig(), epochs=(0, 2, 5))
    assert list(values) == [0, 2, 5]
    assert all(math.isfinite(v) and v > 0 for v in values.values())
    assert values[0] < values[2] < values[5]
    assert values[5] > 2 * values[0]


def test_the_readings_carry_a_falling_loss():
    *progress, readings = batches.iter_noise_scale(TrainConfig(), epochs=(1, 0))
    assert [p.fraction for p in progress][-1] == 1.0
    assert list(readings) == [0, 1] and readings[1].train_loss < readings[0].train_loss


def test_fit_recovers_known_s_min_and_b_noise():
    sizes = [1, 2, 4, 8, 16, 64]
    s_min, b_noise = fit_steps(sizes, [40 * (1 + 6 / b) for b in sizes])
    assert s_min == pytest.approx(40) and b_noise == pytest.approx(6)


def test_steps_fall_with_batch_size_and_the_fit_is_near_b_simple():
    fit = batches.steps_to_target(TrainConfig(), [1, 4, 16, 120], lrs=(0.4, 0.8, 1.6, 3.2))
    assert fit.unreached == [] and fit.steps[0] > 3 * fit.steps[-1]
    assert fit.s_min > 0 and 1 < fit.b_noise < 50
    assert fit.predicted(1) == pytest.approx(fit.s_min * (1 + fit.b_noise))


@pytest.mark.parametrize(("call", "field"), [
    (lambda: batches.noise_scale(TrainConfig(), epochs=(-1,)), "epochs"),
    (lambda: batches.noise_scale(TrainConfig(), epochs="0, 1"), "epochs"),
    (lambda: batches.noise_scale(TrainConfig(), epochs=()), "epochs"),
    (lambda: batches.noise_scale(TrainConfig(lr=-1)), "lr"),
    (lambda: batches.steps_to_target(TrainConfig(), [0, 4]), "fit_batch_sizes"),
    (lambda: batches.steps_to_target(TrainConfig(), [4, 10_000]), "fit_batch_sizes"),
    (lambda: batches.steps_to_target(TrainConfig(), [4, 8], target=0), "target"),
    (lambda: batches.steps_to_target(TrainConfig(), [4, 8], lrs=(0.1, -2)), "fit_lrs"),
])
def test_bad_settings_say_what_to_change(call, field):
    with pytest.raises(InputError) as caught:
        call()
    assert caught.value.field == field


@pytest.mark.parametrize(("text", "expected"), [("5, 0 2", (0, 2, 5)), ("3", (3,))])
def test_typed_epochs_are_read_sorted_and_checked_alike(text, expected):
    assert parse_epochs(text) == expected
    assert check_epochs(list(expected)) == expected


@pytest.mark.parametrize("value", [(), (-1,), (0.5,), "0, 1", None, (10_001,)])
def test_bad_epochs_name_the_field_given(value):
    with pytest.raises(InputError) as caught:
        check_epochs(value, "noise_epochs")
    assert caught.value.field == "noise_epochs"


def test_blank_fit_sizes_are_automatic_and_one_size_cannot_be_fitted():
    assert parse_fit_sizes(" ") is None and check_fit_sizes(None, 120, False) is None
    assert parse_fit_sizes("16, 1 4") == (1, 4, 16)
    for call in (lambda: parse_fit_sizes("8", "sizes"),
                 lambda: check_fit_sizes((8,), 120, False, "sizes"),
                 lambda: check_fit_sizes((1, 8), 120, True, "sizes"),
                 lambda: check_fit_sizes((8, 121), 120, False, "sizes")):
        with pytest.raises(InputError) as caught:
            call()
        assert caught.value.field == "sizes"


def test_the_study_fits_the_batch_sizes_given():
    *progress, study = batches.iter_noise_study(TrainConfig(), epochs=(0,), batch_sizes=(16, 120),
                                                lrs=(0.8, 1.6))
    assert study.fit.batch_sizes == [16, 120] and list(study.readings) == [0]
    assert progress[-1].fraction == 1.0


def test_a_bad_fit_size_is_refused_before_any_training():
    study = batches.iter_noise_study(TrainConfig(batch_norm=True, batch_size=8),
                                     batch_sizes=(1, 16))
    with pytest.raises(InputError) as caught:
        next(study)
    assert caught.value.field == "fit_batch_sizes"
