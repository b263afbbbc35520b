"""Training runs: reproducible, lean generator, cancellable, and clear about bad input."""

import json
import math

import pytest
import torch
from torch.utils.data import DataLoader, TensorDataset

from explorer import data
from explorer.batches import shuffle_demo_config
from explorer.errors import InputError
from explorer.training import (
    EpochRecord,
    Progress,
    TrainConfig,
    build_model,
    decision_regions,
    evaluate,
    make_loader,
    parse_hidden,
    prepare,
    run,
    train_step,
)

FAST = TrainConfig(dataset="iris", hidden=(8,), batch_size=16, epochs=3)


def numbers(records):
    return [(r.train_loss, r.val_loss, r.val_accuracy, r.train_accuracy) for r in records]


def test_training_is_reproducible_from_the_seed():
    first, again = list(run(FAST)), list(run(FAST))
    other = list(run(FAST.replace(seed=1)))
    assert numbers(first) == numbers(again)
    assert numbers(first) != numbers(other)
    assert [r.epoch for r in first] == [1, 2, 3] and [r.steps for r in first] == [8, 16, 24]


def test_run_leaves_the_global_random_state_alone():
    torch.manual_seed(123)
    expected = torch.rand(3)
    torch.manual_seed(123)
    list(run(FAST))
    assert torch.equal(torch.rand(3), expected)


def test_loader_gives_the_same_batches_as_a_plain_shuffled_dataloader():
    x, y = torch.arange(50.0).reshape(25, 2), torch.arange(25)
    plain = DataLoader(TensorDataset(x, y), batch_size=4, shuffle=True,
                       generator=torch.Generator().manual_seed(7))
    ours = make_loader(x, y, batch_size=4, shuffle=True, seed=7)
    for _epoch in range(3):
        for (xa, ya), (xb, yb) in zip(plain, ours, strict=True):
            assert torch.equal(xa, xb) and torch.equal(ya, yb)


def test_unshuffled_loader_follows_the_class_sorted_order():
    session = prepare(FAST.replace(shuffle=False, batch_size=40))
    assert [yb.unique().tolist() for _, yb in session.loader] == [[0], [1], [2]]


def test_model_has_batchnorm_after_each_hidden_linear():
    model = build_model(TrainConfig(hidden=(5, 6), activation="tanh", batch_norm=True), 4, 3)
    kinds = [type(m).__name__ for m in model]
    assert kinds == ["Linear", "BatchNorm1d", "Tanh", "Linear", "BatchNorm1d", "Tanh", "Linear"]
    assert model[-1].out_features == 3


def test_unshuffled_class_sorted_training_ends_clearly_worse():
    config = shuffle_demo_config()
    shuffled = list(run(config))[-1]
    unshuffled = list(run(config.replace(shuffle=False)))[-1]
    assert shuffled.val_accuracy > 0.9
    assert unshuffled.val_accuracy < shuffled.val_accuracy - 0.3


def test_training_learns_iris():
    last = list(run(TrainConfig(epochs=15)))[-1]
    assert last.val_accuracy > 0.85 and last.train_loss < 0.5


def test_progress_only_when_asked_and_counts_every_step():
    plain = list(run(FAST))
    assert all(isinstance(item, EpochRecord) for item in plain)
    items = list(run(FAST, progress=True, progress_every=1))
    steps = [item.step for item in items if isinstance(item, Progress)]
    assert steps == list(range(1, 25))
    assert items[-1].epoch == 3 and all(p.total == 24 for p in items if isinstance(p, Progress))
    assert numbers([i for i in items if isinstance(i, EpochRecord)]) == numbers(plain)


def test_run_waits_for_the_device_once_per_epoch_only(monkeypatch):
    transfers = []
    for name in ("item", "tolist", "cpu", "numpy"):
        original = getattr(torch.Tensor, name)

        def counted(self, *args, _name=name, _original=original, **kwargs):
            if self.is_floating_point():  # not the loader's integer seeds and permutations
                transfers.append(_name)
            return _original(self, *args, **kwargs)

        monkeypatch.setattr(torch.Tensor, name, counted)
    list(run(FAST, progress=True))
    assert transfers == ["tolist"] * FAST.epochs  # no per-step .item(): losses stay on the device


def test_cancel_callable_stops_between_steps():
    calls = []

    def cancel():
        calls.append(1)
        return len(calls) > 10  # stop before the 11th step, inside epoch 2

    records = list(run(FAST, cancel=cancel))
    assert [r.epoch for r in records] == [1]
    assert len(calls) == 11


def test_stopping_iteration_stops_the_training():
    calls = []
    generator = run(FAST, cancel=lambda: calls.append(1) and False)
    first = next(generator)
    generator.close()
    assert first.epoch == 1 and len(calls) == 8  # one epoch of 8 steps, then nothing more


def test_record_is_json_able_and_reports_the_gap():
    record = list(run(FAST))[-1]
    values = json.loads(json.dumps(record.to_dict()))
    assert values["epoch"] == 3 and "model" not in values
    assert math.isclose(record.gap, record.val_loss - record.train_eval_loss)
    assert record.seconds > 0 and record.note == ""


def test_epoch_record_matches_an_evaluation_of_its_model():
    record = list(run(FAST))[-1]
    split = data.load("iris")
    loss, accuracy = evaluate(record.model, split.x_val, split.y_val)
    assert loss.item() == pytest.approx(record.val_loss, rel=1e-5)
    assert accuracy.item() == pytest.approx(record.val_accuracy)
    assert record.model.training  # evaluation put it back in training mode
    # Iris is small: the training numbers are measured on every training row.
    loss, accuracy = evaluate(record.model, split.x_train, split.y_train)
    assert loss.item() == pytest.approx(record.train_eval_loss, rel=1e-5)
    assert accuracy.item() == pytest.approx(record.train_accuracy)


def test_large_training_sets_are_measured_on_a_fixed_sample_as_big_as_validation():
    session = prepare(TrainConfig(dataset="digits", epochs=1))
    record = list(run(session.config, session=session))[-1]
    _, x_all, _, n_rows = session.eval_cache
    assert n_rows == len(session.data.y_val) == 359 and len(x_all) == 2 * 359
    assert 0.5 < record.train_accuracy <= 1.0


def test_a_diverging_run_says_so_instead_of_crashing():
    records = list(run(FAST.replace(lr=1e6, epochs=2, optimizer="SGD", momentum=0.9)))
    assert len(records) == 2
    assert not math.isfinite(records[-1].train_loss) and "diverged" in records[-1].note


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"batch_size": 0}, "batch_size"),
        ({"batch_size": 121}, "batch_size"),
        ({"lr": 0.0}, "lr"),
        ({"lr": -0.1}, "lr"),
        ({"lr": float("nan")}, "lr"),
        ({"lr": float("inf")}, "lr"),
        ({"epochs": 0}, "epochs"),
        ({"hidden": ()}, "hidden"),
        ({"hidden": (8, 0)}, "hidden"),
        ({"activation": "gelu"}, "activation"),
        ({"optimizer": "LBFGS"}, "optimizer"),
        ({"dataset": "mnist"}, "dataset"),
        ({"device": "tpu"}, "device"),
        ({"momentum": 1.5}, "momentum"),
    ],
)
def test_bad_settings_raise_input_error_naming_the_field(changes, field):
    config = FAST.replace(**changes)
    with pytest.raises(InputError) as err:
        config.validate()
    assert err.value.field == field
    with pytest.raises(InputError):
        next(run(config))


def test_batch_size_message_says_how_big_the_training_set_is():
    with pytest.raises(InputError, match="120 samples"):
        FAST.replace(batch_size=500).validate()


def test_batchnorm_with_one_sample_batches_explains_why():
    with pytest.raises(InputError, match="at least 2 samples per batch") as err:
        FAST.replace(batch_norm=True, batch_size=1).validate()
    assert err.value.field == "batch_size"


def test_a_last_one_sample_batch_is_dropped_with_a_note_not_a_crash():
    config = FAST.replace(batch_norm=True, batch_size=17)  # 120 = 7 * 17 + 1
    records = list(run(config))
    assert records[-1].steps == 3 * 7
    assert "dropped" in records[-1].note and "at least 2 samples" in records[-1].note
    with pytest.raises(InputError, match="last batch has 1 sample"):
        config.replace(drop_last_single=False).validate()
    # Without BN a one-sample batch is fine and kept.
    assert list(run(config.replace(batch_norm=False)))[-1].steps == 3 * 8


def test_torch_one_sample_error_becomes_an_explanation():
    session = prepare(FAST.replace(batch_norm=True))
    x, y = session.data.x_train[:1], session.data.y_train[:1]
    with pytest.raises(InputError, match="at least 2 samples per batch"):
        train_step(session, x, y)


def test_config_round_trips_and_rejects_bad_saved_values():
    config = TrainConfig(dataset="moons", hidden=(8, 4), batch_norm=True, shuffle=False)
    assert TrainConfig.from_dict(json.loads(json.dumps(config.to_dict()))) == config
    with pytest.raises(InputError) as err:
        TrainConfig.from_dict({**config.to_dict(), "lr": -1})
    assert err.value.field == "lr"
    with pytest.raises(InputError):
        TrainConfig.from_dict({"colour": "red"})
    for bad in ({"hidden": 5}, {"hidden": None}, {"batch_norm": "yes"}, {"batch_size": "16"},
                {"lr": "0.1"}, {"device": 0}):
        with pytest.raises(InputError) as err:
            TrainConfig.from_dict(bad)
        assert err.value.field == next(iter(bad))
    assert TrainConfig.from_dict({"hidden": "32, 16"}).hidden == (32, 16)


def test_hidden_widths_parse_from_text():
    assert parse_hidden("32, 16") == (32, 16) and parse_hidden("8 8 8") == (8, 8, 8)
    for bad in ("", "a, 3", "16, 0"):
        with pytest.raises(InputError) as err:
            parse_hidden(bad)
        assert err.value.field == "hidden"



def test_decision_regions_cover_the_2d_data():
    config = TrainConfig(dataset="moons", hidden=(16,), epochs=5)
    record = list(run(config))[-1]
    split = data.load("moons")
    xs, ys, classes = decision_regions(record.model, split, n=40)
    assert xs.shape == (40,) and ys.shape == (40,) and classes.shape == (40, 40)
    assert set(classes.flatten().tolist()) == {0, 1}
    assert xs.min() < split.x_train[:, 0].min().item() < split.x_train[:, 0].max().item() < xs.max()
    with pytest.raises(InputError):
        decision_regions(record.model, data.load("iris"))


@pytest.mark.gpu
def test_training_on_gpu_is_reproducible_and_learns(gpu_device):
    config = TrainConfig(epochs=15, device=str(gpu_device))
    first, again = list(run(config)), list(run(config))
    assert numbers(first) == numbers(again)
    assert first[-1].val_accuracy > 0.85
    assert next(first[-1].model.parameters()).device.type == "cuda"


@pytest.mark.parametrize("dataset", data.DATASETS)
@pytest.mark.parametrize("batch_norm", [False, True])
def test_the_parameter_budget_counts_what_torch_builds(dataset, batch_norm):
    from explorer.training.config import parameter_count

    config = TrainConfig(dataset=dataset, hidden=(7, 5), batch_norm=batch_norm)
    split = data.load(dataset)
    assert data.SHAPES[dataset] == (split.n_features, split.n_classes)
    model = build_model(config, split.n_features, split.n_classes)
    assert parameter_count(config.hidden, *data.SHAPES[dataset], batch_norm) == sum(
        p.numel() for p in model.parameters())


def test_a_network_past_the_parameter_budget_is_refused_before_it_is_built():
    from explorer.inputs import MAX_PARAMETERS, MAX_WIDTH

    TrainConfig(dataset="digits", hidden=(MAX_WIDTH,)).validate()  # one wide layer fits
    with pytest.raises(InputError, match=f"{MAX_PARAMETERS:,}") as caught:
        TrainConfig(dataset="digits", hidden=(MAX_WIDTH,) * 2).validate()
    assert caught.value.field == "hidden"
    with pytest.raises(InputError, match="MAX_PARAMETERS"):
        prepare(TrainConfig(hidden=(MAX_WIDTH,) * 12))


@pytest.mark.parametrize("lr", [1e6 * 1.01, 3.5e38, 1e300])
def test_a_learning_rate_past_max_lr_is_refused_not_overflowed(lr):
    from explorer.inputs import MAX_LR

    with pytest.raises(InputError, match="overflow") as caught:
        list(run(TrainConfig(lr=lr, epochs=1)))
    assert caught.value.field == "lr"
    records = list(run(TrainConfig(lr=MAX_LR, epochs=1)))  # the largest one runs (and diverges)
    assert len(records) == 1


def test_decision_regions_check_their_grid_and_run_in_blocks():
    from explorer.inputs import MAX_GRID

    session = prepare(TrainConfig(dataset="moons", hidden=(8,)))
    _, _, classes = decision_regions(session.model, session.data, n=MAX_GRID)
    assert classes.shape == (MAX_GRID, MAX_GRID)
    for bad in ({"n": MAX_GRID + 1}, {"n": 1}, {"margin": float("nan")}):
        with pytest.raises(InputError):
            decision_regions(session.model, session.data, **bad)
