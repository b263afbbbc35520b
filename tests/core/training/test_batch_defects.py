"""Issue 12's defects of the Batch lab's core, one test each."""

import pytest

from explorer.errors import InputError
from explorer.training import TrainConfig
from explorer.training import batches as b
from explorer.training.batches import BatchComparison, EpochRecord
from explorer.training.live import train_live
from explorer.training.scene import BatchScene

IRIS = TrainConfig(dataset="iris", hidden=(8,), epochs=2, batch_size=30)


def _record(train: float, val: float, steps: int) -> EpochRecord:
    return EpochRecord(1, train, val, 0.9, 0.9, train, seconds=0.0, steps=steps)


def test_the_default_small_vs_large_comparison_shows_the_small_batch_regularizing():
    scene = BatchScene()
    assert scene.batch_budget == "steps" and scene.batch_preset
    result = b.compare_batch_sizes(b.batch_sizes_demo_config(), scene.small_batch,
                                   scene.large_batch, scene.batch_budget)
    small, large = result[8][-1], result[120][-1]
    assert small.steps == large.steps == 1500  # equal steps: 100 epochs of 15, 1500 of 1
    assert small.gap < large.gap and "generalizes better" in result.verdict()


def test_the_verdict_says_so_when_the_small_batch_does_not_generalize_better():
    result = BatchComparison({8: [_record(0.1, 0.5, 30)], 120: [_record(0.1, 0.2, 2)]},
                             "epochs")
    text = result.verdict()
    assert "does NOT generalize better" in text and "try equal steps" in text


def test_equal_steps_gives_the_large_batch_more_epochs_and_refuses_past_the_limit():
    configs = b.comparison_configs(IRIS, 8, 120, "steps")
    assert configs[8].epochs == 2 and configs[120].epochs == 2 * 15
    assert b.comparison_configs(IRIS, 8, 120, "epochs")[120].epochs == 2
    with pytest.raises(InputError) as err:
        b.comparison_configs(IRIS.replace(epochs=1000), 1, 120, "steps")
    assert err.value.field == "epochs"
    with pytest.raises(InputError) as err:
        b.comparison_configs(IRIS, 8, 120, "minutes")
    assert err.value.field == "batch_budget"


def test_timing_times_enough_steps_and_its_spread_is_quantiles_above_zero():
    result = b.batch_timing(IRIS, [30, 60], repeats=3, warmup=0, min_steps=12)
    assert result.epochs_per_repeat == [3, 6]  # 4 and 2 steps an epoch: >= 12 steps a repeat
    for low, median, high in zip(result.epoch_low, result.epoch_median, result.epoch_high,
                                 strict=True):
        assert 0 < low <= median <= high


def test_the_timing_preset_is_the_digits_set_with_sizes_around_powers_of_two():
    config = b.timing_demo_config()
    assert config.dataset == "digits" and config.hidden[0] >= 256
    sizes = BatchScene().timing_batch_sizes
    assert {32, 48, 64, 96} <= set(sizes)


def test_gradient_noise_s_finite_population_line_reaches_zero_at_the_whole_set():
    noise = b.gradient_noise(IRIS, [1, 4, 120], repeats=3)
    assert noise.corrected[1] == pytest.approx(noise[1])
    # Through the first point (B = 1, where (N - B)/(N - 1) = 1), then 1/B × (N - B)/(N - 1).
    assert noise.corrected[4] == pytest.approx(noise[1] / 4 * (120 - 4) / (120 - 1))
    assert noise.corrected[120] == 0.0 and noise.reference[120] > 0


def test_live_regions_are_coarse_while_training_and_full_at_the_end():
    config = TrainConfig(dataset="moons", hidden=(8,), epochs=2, batch_size=64)
    grids = [item.regions[2].shape for item in train_live(config, regions_grid=40)
             if hasattr(item, "regions")]
    assert grids == [(20, 20), (40, 40)]


def test_a_scene_refuses_an_unknown_budget_like_the_experiment_does():
    problems = BatchScene().with_changes(batch_budget="minutes").problems()
    assert "batch_budget" in problems and "steps" in problems["batch_budget"]
