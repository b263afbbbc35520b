"""Minibatch experiments: gradient noise, timing, shuffling, batch sizes."""

import pytest

from explorer.batches import (
    GradientNoise,
    TimingResult,
    batch_timing,
    compare_batch_sizes,
    compare_shuffle,
    gradient_noise,
    iter_gradient_noise,
    iter_runs,
    suggested_batch_sizes,
)
from explorer.errors import InputError
from explorer.training import EpochRecord, Progress, TrainConfig

IRIS = TrainConfig(dataset="iris", hidden=(8,), batch_size=16, epochs=2)


def test_gradient_noise_falls_as_the_batch_size_grows():
    noise = gradient_noise(IRIS, [1, 4, 16, 64], repeats=10)
    values = [noise[b] for b in (1, 4, 16, 64)]
    assert all(a > b for a, b in zip(values, values[1:], strict=False))
    # Less than linear returns: 64 times the batch cuts the squared distance ~64 times,
    # so the gradient is only ~8 times closer.
    assert 10 < values[0] / values[-1] < 400


def test_gradient_noise_follows_the_corrected_one_over_b_line():
    noise = gradient_noise(IRIS, [2, 8, 32], repeats=40)
    assert isinstance(noise, GradientNoise) and noise.n_train == 120 and noise.repeats == 40
    assert noise.reference[2] == pytest.approx(noise[2])
    assert noise.reference[32] == pytest.approx(noise[2] * 2 / 32)
    for b in (8, 32):  # sampling theory, within the scatter of 40 random batches
        assert noise[b] == pytest.approx(noise.corrected[b], rel=0.5)
    assert noise.full_gradient_norm2 > 0


def test_the_whole_training_set_as_a_batch_has_no_noise():
    noise = gradient_noise(IRIS, [8, 120], repeats=3)
    assert noise[120] < 1e-9 * noise[8] and noise.corrected[120] == 0.0


def test_gradient_noise_is_reproducible_and_reports_progress():
    items = list(iter_gradient_noise(IRIS, [4, 16], repeats=5))
    assert [(p.step, p.total) for p in items[:-1]] == [(1, 2), (2, 2)]
    assert dict(items[-1]) == dict(gradient_noise(IRIS, [4, 16], repeats=5))


@pytest.mark.parametrize("sizes", [[0, 4], [4, 121], [], [2.5], 5, None, [1, "a"], "1, 2",
                                   [True, 2], {4: 1}, (s for s in ())])
def test_gradient_noise_rejects_impossible_batch_sizes(sizes):
    with pytest.raises(InputError) as err:
        gradient_noise(IRIS, sizes)
    assert err.value.field == "batch_sizes"


def test_gradient_noise_with_batchnorm_refuses_one_sample_batches():
    with pytest.raises(InputError, match="at least 2 samples"):
        gradient_noise(IRIS.replace(batch_norm=True), [1, 8])


def test_batch_timing_measures_each_size_after_warm_up():
    timing = batch_timing(IRIS, [8, 32], repeats=2, warmup=1)
    assert isinstance(timing, TimingResult) and timing.batch_sizes == [8, 32]
    assert timing.device == "cpu" and timing.n_train == 120
    assert all(0 < lo <= t <= hi for lo, t, hi in zip(timing.epoch_low, timing.epoch_median,
                                                      timing.epoch_high, strict=True))
    assert timing.sample_median[0] == pytest.approx(timing.epoch_median[0] / 120)
    with pytest.raises(InputError):
        batch_timing(IRIS, [8], repeats=1)


def test_compare_shuffle_trains_both_ways():
    result = compare_shuffle(IRIS)
    assert set(result) == {"shuffled", "unshuffled"}
    assert [r.epoch for r in result["unshuffled"]] == [1, 2]
    assert result["shuffled"][-1].val_loss != result["unshuffled"][-1].val_loss


def test_compare_batch_sizes_defaults_to_the_whole_training_set():
    result = compare_batch_sizes(IRIS.replace(epochs=3), small=8)
    assert set(result) == {8, 120}
    assert result[8][-1].steps == 3 * 15 and result[120][-1].steps == 3
    assert all(isinstance(r.gap, float) for r in result[8])
    with pytest.raises(InputError) as err:
        compare_batch_sizes(IRIS, small=0)
    assert err.value.field == "small_batch"


def test_iter_runs_reports_progress_over_all_runs_then_the_records():
    items = list(iter_runs({"a": IRIS, "b": IRIS.replace(lr=0.5)}))
    progress = [i for i in items if isinstance(i, Progress)]
    assert progress[-1].step == progress[-1].total == 2 * 2 * 8
    assert [p.step for p in progress] == sorted(p.step for p in progress)
    assert {p.message for p in progress} == {"run 1 of 2", "run 2 of 2"}
    assert progress[0].message == "run 1 of 2" and progress[-1].message == "run 2 of 2"
    assert all(isinstance(r, EpochRecord) for r in items[-1]["b"])


def test_iter_runs_checks_every_config_before_training():
    with pytest.raises(InputError) as err:
        next(iter_runs({"a": IRIS, "b": IRIS.replace(epochs=0)}))
    assert err.value.field == "epochs"


def test_suggested_batch_sizes_fit_the_training_set():
    assert suggested_batch_sizes(120) == [1, 2, 4, 8, 16, 32, 64]
    with_others = suggested_batch_sizes(100, others=True)
    assert 12 in with_others and 96 in with_others and max(with_others) < 100


@pytest.mark.gpu
def test_gradient_noise_falls_on_gpu_too(gpu_device):
    noise = gradient_noise(IRIS.replace(device=str(gpu_device)), [1, 16, 64], repeats=10)
    assert noise[1] > noise[16] > noise[64] > 0


def test_gradient_noise_takes_any_iterable_of_whole_numbers():
    expected = gradient_noise(IRIS, [2, 8], repeats=3)
    for sizes in ((8, 2), range(2, 9, 6), (s for s in (2, 8.0)), [8, 2, 8]):
        assert gradient_noise(IRIS, sizes, repeats=3) == expected


@pytest.mark.parametrize(("call", "field"), [
    (lambda: gradient_noise(IRIS, [2], repeats=0), "repeats"),
    (lambda: gradient_noise(IRIS, [2], repeats=True), "repeats"),
    (lambda: gradient_noise(IRIS, [2], repeats=10**6), "repeats"),
    (lambda: batch_timing(IRIS, [2], repeats=1), "repeats"),
    (lambda: batch_timing(IRIS, [2], warmup=-1), "warmup"),
    (lambda: gradient_noise("iris", [2]), "config"),
    (lambda: compare_shuffle(None), "config"),
    (lambda: compare_batch_sizes({"dataset": "iris"}), "config"),
    (lambda: list(iter_runs([IRIS])), "config"),
])
def test_experiment_settings_are_checked(call, field):
    with pytest.raises(InputError) as err:
        call()
    assert err.value.field == field
