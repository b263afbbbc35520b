"""Training a minibatch at a time: the same run as explorer.training.run, paused and resumed."""

import pytest

from explorer.errors import InputError
from explorer.training import TrainConfig, run
from explorer.training.stepper import Stepper

CFG = TrainConfig(dataset="iris", hidden=(8,), batch_size=30, epochs=3, lr=0.1)


def test_stepping_every_minibatch_gives_run_s_epoch_records():
    expected = [r.train_loss for r in run(CFG)]
    stepper = Stepper(CFG)
    records = [stepper.step() for _ in range(3 * 4)]
    ends = [r.epoch_end for r in records if r.epoch_end is not None]
    assert [e.epoch for e in ends] == [1, 2, 3] and stepper.done()
    assert [e.train_loss for e in ends] == pytest.approx(expected, abs=1e-6)
    assert [r.step for r in records] == list(range(1, 13))
    # Iris is sorted by class; a shuffled batch of 30 mixes them, and always holds 30 samples.
    assert all(sum(r.class_counts) == 30 and len(r.class_counts) == 3 for r in records)


def test_reset_returns_to_the_same_initialization():
    stepper = Stepper(CFG)
    first = [stepper.step().loss for _ in range(5)]
    stepper.reset()
    assert [stepper.step().loss for _ in range(5)] == first and stepper.step_count == 5


def test_unshuffled_batches_show_one_class_at_a_time():
    stepper = Stepper(CFG.replace(shuffle=False))
    mixes = [stepper.step().class_counts for _ in range(4)]
    assert mixes[0] == (30, 0, 0) and mixes[-1] == (0, 0, 30)


def test_an_epoch_step_ends_at_the_epoch_s_end_and_play_stops_when_done():
    stepper = Stepper(CFG)
    stepper.step()
    (records,) = list(stepper.epoch_steps())
    assert len(records) == 3 and records[-1].epoch_end.epoch == 1
    played = [r for chunk in stepper.play() for r in chunk]
    assert played[-1].epoch_end.epoch == 3 and stepper.done()


def test_lr_and_batch_size_change_mid_run_from_the_current_weights():
    stepper = Stepper(CFG)
    stepper.step()
    weights = stepper.session.model[0].weight.detach().clone()
    stepper.set_lr(0.5)
    stepper.set_batch_size(60)
    assert stepper.session.model[0].weight.equal(weights)
    assert stepper.session.optimizer.param_groups[0]["lr"] == 0.5
    record = stepper.step()
    assert sum(record.class_counts) == 60 and record.epoch == 2
    with pytest.raises(InputError) as err:
        stepper.set_batch_size(500)
    assert err.value.field == "batch_size"


def test_stop_pauses_play_after_the_step_under_way():
    stepper = Stepper(CFG.replace(epochs=50))
    chunks = stepper.play(chunk_seconds=0.0)
    next(chunks)
    stepper.stop()
    assert list(chunks) == [] and not stepper.done()
