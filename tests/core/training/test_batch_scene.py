"""The Batch lab scene: parsing typed lists, validation and the JSON round trip."""
import json
from dataclasses import replace

import numpy as np
import pytest

from explorer.errors import InputError
from explorer.inputs import format_numbers, parse_widths
from explorer.training import Progress, TrainConfig
from explorer.training.edits import fit_inspected_unit
from explorer.training.live import LiveEpoch, train_live
from explorer.training.scene import TRAIN_FIELDS, BatchScene
from explorer.training.typed import parse_batch_sizes, parse_learning_rates


def _old_form(scene: BatchScene | None = None) -> dict:
    """``scene`` as files saved before the scene held a TrainConfig: training fields flat."""
    data = (scene or BatchScene()).to_dict()
    config = data.pop("config")
    return {**{k: config[k] for k in TRAIN_FIELDS}, **data}


def _changed(data: dict, changes: dict) -> dict:
    """Today's form ``data`` with ``changes``: training fields go into its ``config``."""
    config = data["config"] | {k: v for k, v in changes.items() if k in data["config"]}
    return data | {k: v for k, v in changes.items() if k not in config} | {"config": config}


@pytest.mark.parametrize(
    ("text", "widths"),
    [("16, 16", (16, 16)), ("8", (8,)), (" 32 16 8 ", (32, 16, 8)), ("4;4", (4, 4))],
)
def test_parse_widths_reads_commas_and_spaces(text, widths):
    assert parse_widths(text) == widths
    assert parse_widths(format_numbers(widths)) == widths


@pytest.mark.parametrize(
    ("text", "words"),
    [
        ("", "at least one"),
        ("16, 0", "from 1 to 4,096"),
        ("16, x", "'x' is not a whole number"),
        ("2.5", "'2.5' is not a whole number"),
        ("-3", "from 1 to 4,096"),
    ],
)
def test_parse_widths_rejects_bad_text_with_a_message(text, words):
    with pytest.raises(InputError, match=words) as info:
        parse_widths(text)
    assert info.value.field == "hidden"


def test_parse_batch_sizes_sorts_and_drops_repeats():
    assert parse_batch_sizes("64, 1, 8, 8") == (1, 8, 64)
    with pytest.raises(InputError) as info:
        parse_batch_sizes("4, 0", "noise_batch_sizes")
    assert info.value.field == "noise_batch_sizes"


def test_parse_learning_rates_needs_positive_finite_numbers():
    assert parse_learning_rates(format_numbers((0.01, 0.1, 1.0))) == (0.01, 0.1, 1.0)
    for bad in ("0.1, 0", "inf", "-1", "nan", "abc", ""):
        with pytest.raises(InputError):
            parse_learning_rates(bad)


def test_scene_round_trips_through_json():
    scene = BatchScene().with_changes(
        dataset="moons",
        hidden=(32, 8),
        activation="tanh",
        batch_norm=True,
        batch_size=8,
        shuffle=False,
        optimizer="Adam",
        lr=0.003,
        epochs=7,
        seed=5,
        experiment="bn_inside",
        noise_batch_sizes=(2, 4),
        bn_lrs=(0.5, 2.0),
        bn_unit=3,
        bn_mode="eval",
        gamma=1.5,
        beta=-0.25,
    )
    again = BatchScene.from_dict(json.loads(json.dumps(scene.to_dict())))
    assert again == scene
    assert again.config.hidden == (32, 8) and isinstance(again.config.hidden, tuple)


def test_from_dict_fills_missing_keys_with_defaults():
    assert BatchScene.from_dict({"batch_size": 32}) == BatchScene().with_changes(batch_size=32)


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"batch_size": 0}, "batch_size"),
        ({"lr": -0.1}, "lr"),
        ({"lr": float("inf")}, "lr"),
        ({"epochs": 0}, "epochs"),
        ({"hidden": []}, "hidden"),
        ({"hidden": [16, 0]}, "hidden"),
        ({"dataset": "mnist"}, "dataset"),
        ({"activation": "gelu"}, "activation"),
        ({"bn_mode": "test"}, "bn_mode"),
        ({"batch_norm": "yes"}, "batch_norm"),
        ({"bn_unit": 16}, "bn_unit"),
        ({"small_batch": 64, "large_batch": 8}, "small_batch"),
        ({"gamma": "big"}, "gamma"),
        ({"batch_size": 2.5}, "batch_size"),
        ({"lr": 2e6}, "lr"),
        ({"seed": 2**31}, "seed"),
        ({"seed": 1.5}, "seed"),
        ({"hidden": [4096] * 12}, "hidden"),  # 185 million weights: past MAX_PARAMETERS
        ({"gamma": 1e39}, "gamma"),
        ({"bn_lrs": [0.1, 1e7]}, "bn_lrs"),
        ({"colour": "red"}, "scene"),  # as every lab: an unknown entry has no control
    ],
)
def test_from_dict_rejects_impossible_values(changes, field):
    for data in (_old_form() | changes, _changed(BatchScene().to_dict(), changes)):
        with pytest.raises(InputError) as info:
            BatchScene.from_dict(data)
        assert info.value.field == field
        assert str(info.value)


def test_from_dict_rejects_a_non_object():
    with pytest.raises(InputError):
        BatchScene.from_dict([1, 2])


def test_is_two_d_only_for_generated_sets():
    assert BatchScene().with_changes(dataset="moons").is_two_d()
    assert BatchScene().with_changes(dataset="spirals").is_two_d()
    assert not BatchScene().with_changes(dataset="iris").is_two_d()


def test_train_config_carries_every_training_field():
    scene = BatchScene().with_changes(hidden=(8, 4), batch_norm=True, batch_size=32,
                                      shuffle=False, lr=0.5, epochs=3, seed=7, optimizer="Adam",
                                      activation="tanh")
    config = scene.train_config("cpu")
    for name in TRAIN_FIELDS:
        assert getattr(config, name) == getattr(scene.config, name)


def test_train_live_yields_progress_then_epochs_with_regions_on_a_2d_set():
    config = BatchScene().with_changes(dataset="moons", epochs=2, batch_size=64).train_config()
    items = list(train_live(config, regions_grid=12))
    epochs = [i for i in items if isinstance(i, LiveEpoch)]
    assert [e.record.epoch for e in epochs] == [1, 2]
    assert all(isinstance(i, Progress) for i in items if not isinstance(i, LiveEpoch))
    assert any(isinstance(i, Progress) for i in items)
    xs, ys, classes = epochs[-1].regions
    assert classes.shape == (12, 12) and len(xs) == len(ys) == 12
    assert set(np.unique(classes)) <= {0, 1}
    assert epochs[-1].record.model is None


def test_train_live_has_no_regions_for_iris():
    config = BatchScene().with_changes(epochs=1, batch_size=60).train_config()
    epochs = [i for i in train_live(config) if isinstance(i, LiveEpoch)]
    assert len(epochs) == 1 and epochs[0].regions is None


def test_large_batch_none_means_the_whole_set_and_round_trips():
    scene = BatchScene().with_changes(large_batch=None, small_batch=8)
    assert BatchScene.from_dict(scene.to_dict()).large_batch is None
    assert BatchScene.from_dict(scene.to_dict() | {"large_batch": 64}).large_batch == 64
    assert BatchScene.from_dict(scene.to_dict() | {"large_batch": 64.0}).large_batch == 64


def test_fit_inspected_unit_keeps_the_unit_inside_the_widths():
    scene = BatchScene().with_changes(hidden=(16, 16), bn_layer=1, bn_unit=12)
    assert fit_inspected_unit(scene) is scene
    smaller = fit_inspected_unit(scene.with_changes(hidden=(4,)))
    assert (smaller.bn_layer, smaller.bn_unit) == (0, 3)
    smaller.validate()


# ---- one rule in one place: the scene accepts exactly what TrainConfig and the page accept ----

def test_a_scene_refuses_what_training_refuses():
    """Issue 9: ``{"epochs": 20000}`` opened while TrainConfig refused it."""
    from explorer.training.config import MAX_EPOCHS

    too_many = _old_form() | {"epochs": MAX_EPOCHS + 1}
    with pytest.raises(InputError, match=f"1 to {MAX_EPOCHS:,}") as info:
        BatchScene.from_dict(too_many)
    assert info.value.field == "epochs"
    with pytest.raises(InputError, match="from 1 to 120"):  # iris trains on 120 rows
        BatchScene.from_dict(_old_form() | {"batch_size": 500})


def test_widths_have_one_cap_in_the_scene_the_config_and_the_text():
    from explorer.inputs import MAX_LAYERS

    widths = [4] * (MAX_LAYERS + 1)
    with pytest.raises(InputError, match=f"at most {MAX_LAYERS}"):
        BatchScene.from_dict(_old_form() | {"hidden": widths})
    with pytest.raises(InputError, match=f"at most {MAX_LAYERS}"):
        TrainConfig(hidden=tuple(widths)).validate()
    with pytest.raises(InputError, match=f"at most {MAX_LAYERS}"):
        parse_widths(format_numbers(tuple(widths)))


def test_what_cannot_open_cannot_be_saved():
    """Issue 9: small batch 8 and large batch 4 saved without complaint, then refused to open."""
    scene = BatchScene().with_changes(small_batch=8, large_batch=4)
    with pytest.raises(InputError) as info:
        scene.to_dict()
    assert info.value.field == "small_batch"
    good = BatchScene().with_changes(small_batch=4, large_batch=8, epochs=7)
    assert BatchScene.from_dict(good.to_dict()) == good


def test_train_config_reports_every_problem_at_once():
    config = TrainConfig(lr=-1.0, epochs=0, hidden=(16, 0), activation="gelu", batch_size=999)
    problems = config.problems()
    assert set(problems) == {"lr", "epochs", "hidden", "activation", "batch_size"}
    assert "120" in problems["batch_size"] and "Hidden layer 2" in problems["hidden"]
    assert TrainConfig().problems() == {}
    with pytest.raises(InputError) as info:
        config.validate()
    assert info.value.field in problems and str(info.value) == problems[info.value.field]


def test_whole_floats_from_a_scene_file_become_ints():
    config = TrainConfig(epochs=20.0, batch_size=16.0)
    assert config.epochs == 20 and isinstance(config.epochs, int)
    assert isinstance(config.batch_size, int)


# ---- the scene holds a TrainConfig; files in the older flat form still open ----

def test_the_scene_holds_the_training_config_and_saves_it_nested():
    scene = BatchScene().with_changes(dataset="moons", epochs=7, bn_unit=3)
    assert scene.config == TrainConfig(dataset="moons", epochs=7)
    data = scene.to_dict()
    assert data["config"]["dataset"] == "moons" and data["config"]["epochs"] == 7
    assert "device" not in data["config"] and "dataset" not in data
    assert data["bn_unit"] == 3 and data["experiment"] == "training"


def test_a_file_saved_in_the_flat_form_opens_as_the_same_scene():
    scene = BatchScene().with_changes(dataset="digits", hidden=(32, 8), batch_norm=True,
                                      batch_size=64, lr=0.003, epochs=4, seed=3,
                                      experiment="bn_inside", bn_unit=5)
    old = _old_form(scene)
    assert "config" not in old and old["hidden"] == [32, 8]
    assert BatchScene.from_dict(old) == scene
    assert BatchScene.from_dict(json.loads(json.dumps(old))) == scene


def test_the_shipped_example_scene_opens():
    from explorer import RESOURCES

    data = json.loads((RESOURCES / "scenes" / "batch-norm-rescues-a-deep-sigmoid-net.json")
                      .read_text())["pages"]["batch"]
    scene = BatchScene.from_dict(data)
    assert scene.config.hidden == (32,) * 6 and scene.config.activation == "sigmoid"
    assert BatchScene.from_dict(scene.to_dict()) == scene


def test_a_file_with_training_fields_both_flat_and_nested_is_refused():
    data = BatchScene().to_dict() | {"epochs": 5}
    with pytest.raises(InputError, match="into 'config'") as info:
        BatchScene.from_dict(data)
    assert info.value.field == "scene"
    with pytest.raises(InputError, match="device") as info:
        BatchScene.from_dict(_changed(BatchScene().to_dict(), {}) | {
            "config": BatchScene().to_dict()["config"] | {"device": "cuda:0"}})


def test_scenes_are_frozen():
    import dataclasses

    scene = BatchScene()
    with pytest.raises(dataclasses.FrozenInstanceError):
        scene.small_batch = 4  # type: ignore[misc]
    assert scene.with_changes(small_batch=4).small_batch == 4 and scene.small_batch == 8


def test_the_scene_reports_every_problem_at_once_and_validate_raises_the_first():
    scene = BatchScene().with_changes(lr=-1.0, epochs=0, small_batch=500, bn_mode="test",
                                      bn_lrs=(0.1,) * 9)
    problems = scene.problems()
    assert set(problems) == {"lr", "epochs", "small_batch", "bn_mode", "bn_lrs"}
    assert "at most 8" in problems["bn_lrs"] and "1 to 120" in problems["small_batch"]
    with pytest.raises(InputError) as info:
        scene.validate()
    assert str(info.value) == problems[info.value.field]
    assert BatchScene().problems() == {}


@pytest.mark.parametrize("changes", [{"small_batch": 8, "large_batch": 4},
                                     {"small_batch": 8, "large_batch": 8},
                                     {"epochs": 20_000}, {"bn_layer": 1}])
def test_edit_save_and_open_agree(changes):
    """Issue 9: one check at edit time, at save and at open (8 / 4 saved, then did not open)."""
    scene = BatchScene().with_changes(**changes)
    field = next(iter(scene.problems()))
    with pytest.raises(InputError) as at_save:
        scene.to_dict()
    with pytest.raises(InputError) as at_open:
        BatchScene.from_dict(_old_form() | changes)
    assert at_save.value.field == at_open.value.field == field
    assert str(at_save.value) == str(at_open.value) == scene.problems()[field]


@pytest.mark.parametrize("name", ["batch_norm", "shuffle", "shuffle_preset", "bn_preset",
                                  "percentile_preset"])
def test_every_switch_takes_true_or_false_only_with_one_message(name):
    from explorer.inputs import check_bool

    with pytest.raises(InputError) as expected:
        check_bool(1, name)
    with pytest.raises(InputError) as info:
        BatchScene.from_dict(_old_form() | {name: 1})
    assert info.value.field == name and str(info.value) == str(expected.value)


@pytest.mark.parametrize("data_seed", [2**64, 2**31, -1, 1.5, None, "0"])
def test_a_data_seed_beyond_the_one_seed_rule_is_refused_not_overflowed(data_seed):
    from explorer.inputs import MAX_SEED

    data = BatchScene().to_dict()
    data["config"]["data_seed"] = data_seed
    with pytest.raises(InputError, match=f"{MAX_SEED:,}") as info:
        BatchScene.from_dict(data)
    assert info.value.field == "data_seed"


def test_the_page_and_the_config_share_their_limits():
    from explorer.inputs import MAX_SEED
    from explorer.training import config as config_module
    from explorer.training.typed import MAX_BATCH

    assert config_module.MAX_SEED == MAX_SEED == 2**31 - 1
    assert MAX_BATCH == config_module.MAX_BATCH_SIZE
    for field, top in (("seed", MAX_SEED), ("data_seed", MAX_SEED),
                       ("epochs", config_module.MAX_EPOCHS)):
        TrainConfig(**{field: top}).validate()
        with pytest.raises(InputError) as info:
            TrainConfig(**{field: top + 1}).validate()
        assert info.value.field == field
    with pytest.raises(InputError) as info:
        TrainConfig(batch_size=config_module.MAX_BATCH_SIZE + 1).validate()
    assert info.value.field == "batch_size"


def test_one_number_is_one_bn_rate_and_the_scene_holds_it_as_a_list():
    """A scene with ``"bn_lrs": 5`` was accepted, then the page failed iterating it."""
    scene = BatchScene.from_dict({"bn_lrs": 0.5})
    assert scene.bn_lrs == (0.5,)
    assert BatchScene.from_dict(scene.to_dict()) == scene


def test_a_smaller_data_set_drops_the_batch_sizes_it_cannot_give(tmp_path):
    """A 120-row CSV keeps 96 training rows: the timing sizes 100 and 120 would fail when that
    experiment ran; the scene refuses them, and an edit to that data set drops them."""
    from explorer.training.edits import edit_training

    path = tmp_path / "small.csv"
    rows = [f"{i % 7},{(i * 3) % 5},{'ab'[i % 2]}" for i in range(120)]
    path.write_text("u,v,kind\n" + "\n".join(rows) + "\n")
    scene = BatchScene()
    assert max(scene.timing_batch_sizes) == 120
    edited = edit_training(scene, dataset=f"csv:{path}", label="kind")
    edited.validate()
    assert max(edited.timing_batch_sizes) <= 96 and edited.timing_batch_sizes
    with pytest.raises(InputError, match="from 1 to 96") as caught:
        replace(edited, timing_batch_sizes=(8, 100)).validate()
    assert caught.value.field == "timing_batch_sizes"
    on = edit_training(BatchScene(), batch_norm=True)
    assert 1 not in on.noise_batch_sizes


def test_a_smaller_data_set_trims_the_noise_fit_sizes_or_makes_them_automatic(tmp_path):
    """The S(B) fit's typed sizes follow the training set like the other experiments' sizes;
    with fewer than two left the fit goes back to its automatic choice."""
    from explorer.training.edits import edit_training

    path = tmp_path / "forty.csv"
    rows = [f"{i % 7},{(i * 3) % 5},{'ab'[i % 2]}" for i in range(40)]
    path.write_text("u,v,kind\n" + "\n".join(rows) + "\n")
    csv = {"dataset": f"csv:{path}", "label": "kind"}
    kept = edit_training(replace(BatchScene(), noise_fit_sizes=(2, 4, 100)), **csv)
    kept.validate()
    assert kept.noise_fit_sizes == (2, 4)
    automatic = edit_training(replace(BatchScene(), noise_fit_sizes=(4, 100)), **csv)
    automatic.validate()
    assert automatic.noise_fit_sizes is None
