"""Issue 12's defects of the Batch lab's core, one test each."""

import pytest

from explorer.errors import InputError
from explorer.training import TrainConfig
from explorer.training import batches as b
from explorer.training.batches import BatchComparison, EpochRecord
from explorer.training.live import train_live
from explorer.training.scene import BatchScene

IRIS = TrainConfig(dataset="iris", hidden=(8,), epochs=2, batch_size=30)


def test_the_default_small_vs_large_comparison_is_at_equal_steps_and_says_what_it_shows():
    scene = BatchScene()
    assert scene.batch_budget == "steps" and scene.batch_preset
    result = b.compare_batch_sizes(b.batch_sizes_demo_config(), scene.small_batch,
                                   scene.large_batch, scene.batch_budget)
    assert result[8][-1].steps == result[120][-1].steps == 1500  # 100 epochs of 15, 1500 of 1
    # Measured: over the last quarter the gaps are 0.186 ± 0.030 (B=8) and 0.182 ± 0.012
    # (B=120): on Iris the regularizing effect is not visible, and the page says so.
    (a, spread_a), (b_, spread_b) = result.tail_gaps()[8], result.tail_gaps()[120]
    assert abs(a - b_) < max(spread_a, spread_b)
    assert "no clear difference" in result.verdict() and "not visible" in result.verdict()


def _run(gaps, steps_each):
    return [EpochRecord(i + 1, 0.1, 0.1 + g, 0.9, 0.9, 0.1, seconds=0.0, steps=steps_each * i)
            for i, g in enumerate(gaps)]


def test_the_verdict_follows_the_last_quarter_s_gaps():
    better = BatchComparison({8: _run([0.3, 0.2, 0.1, 0.1], 15), 120: _run([0.3] * 4, 1)},
                             "steps")
    assert "small batch generalizes better" in better.verdict()
    worse = BatchComparison({8: _run([0.1, 0.2, 0.4, 0.4], 15), 120: _run([0.1] * 4, 1)},
                            "epochs")
    assert "does NOT generalize better" in worse.verdict() and "try equal steps" in worse.verdict()


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
