"""Batch lab, issue 12: BN before or after the activation, and model.eval() vs model.train()
on the validation part."""

import contextlib
import copy
import io
import json
import re

import pytest
import torch
from torch import nn

from explorer import data
from explorer.errors import InputError
from explorer.training import TrainConfig, run
from explorer.training.batchnorm import compare_batch_norm, validation_modes
from explorer.training.code import training_code
from explorer.training.loop import prepare
from explorer.training.scene import BatchScene


def _by_hand(position: str, n_features: int, n_classes: int) -> nn.Sequential:
    """The network of the test's config, written out in plain torch."""
    torch.manual_seed(5)
    layers = []
    for width_in, width in ((n_features, 6), (6, 5)):
        pair = [nn.BatchNorm1d(width), nn.Tanh()]
        layers += [nn.Linear(width_in, width), *(pair if position == "before" else pair[::-1])]
    return nn.Sequential(*layers, nn.Linear(5, n_classes))


@pytest.mark.parametrize("position", ["before", "after"])
def test_the_page_s_network_equals_a_plain_torch_model_built_by_hand(position):
    config = TrainConfig(hidden=(6, 5), activation="tanh", batch_norm=True, bn_position=position,
                         seed=5)
    page = prepare(config).model
    split = data.load("iris")
    hand = _by_hand(position, split.n_features, split.n_classes)
    assert [type(m) for m in page] == [type(m) for m in hand]
    for mode in (True, False):
        page.train(mode)
        hand.train(mode)
        with torch.no_grad():
            assert torch.equal(page(split.x_train), hand(split.x_train))


def test_default_placement_is_the_one_before_and_the_activation_s_input_is_normalised():
    config = TrainConfig(batch_norm=True)
    assert config.bn_position == "before"
    assert [type(m) for m in prepare(config).model][:3] == [nn.Linear, nn.BatchNorm1d, nn.ReLU]
    after = prepare(config.replace(bn_position="after")).model
    assert [type(m) for m in after][:3] == [nn.Linear, nn.ReLU, nn.BatchNorm1d]


def test_code_twin_with_bn_after_the_activation_prints_the_page_s_first_epoch():
    config = TrainConfig(hidden=(6, 5), activation="sigmoid", batch_norm=True,
                         bn_position="after", batch_size=10, epochs=1, seed=2)
    code = training_code(config)
    assert re.search(r"nn\.Sigmoid\(\),\n\s+nn\.BatchNorm1d\(6\)", code)
    printed = io.StringIO()
    with contextlib.redirect_stdout(printed):  # in-process: test_batch_code runs a subprocess
        exec(compile(code, "twin.py", "exec"), {"__name__": "__main__"})
    printed = printed.getvalue()
    loss = float(re.search(r"epoch 1: training loss ([0-9.]+)", printed).group(1))
    assert loss == pytest.approx(next(iter(run(config))).train_loss, abs=1e-4)


@pytest.mark.parametrize("bad", ["middle", "", None, 1, ["before"]])
def test_a_bad_placement_is_refused_naming_the_field(bad):
    config = TrainConfig(batch_norm=True, bn_position=bad)
    with pytest.raises(InputError) as caught:
        config.validate()
    assert caught.value.field == "bn_position" and "before, after" in str(caught.value)
    assert "bn_position" in config.problems()
    with pytest.raises(InputError) as caught:
        TrainConfig.from_dict({**TrainConfig().to_dict(), "bn_position": bad})
    assert caught.value.field == "bn_position"
    saved = BatchScene().to_dict()
    saved["config"]["bn_position"] = bad
    with pytest.raises(InputError) as caught:
        BatchScene.from_dict(json.loads(json.dumps(saved)))
    assert caught.value.field == "bn_position"


def test_the_placement_is_saved_and_reopened_with_the_scene():
    scene = BatchScene().with_changes(batch_norm=True, bn_position="after")
    saved = json.dumps(scene.to_dict())
    assert json.loads(saved)["config"]["bn_position"] == "after"
    reopened = BatchScene.from_dict(json.loads(saved))
    assert reopened == scene and reopened.config.bn_position == "after"


def test_eval_and_train_mode_accuracies_equal_torch_s_own():
    config = TrainConfig(dataset="spirals", hidden=(8,), batch_norm=True, batch_size=8, epochs=2,
                         seed=1)
    result = compare_batch_norm(config, [0.5])
    modes = result.modes[0.5]
    records = result[(True, 0.5)]
    model = records[-1].model
    split = data.load("spirals")
    hand = copy.deepcopy(model)
    with torch.no_grad():
        hand.eval()
        eval_acc = (hand(split.x_val).argmax(1) == split.y_val).float().mean().item()
        hand.train()
        train_acc = (hand(split.x_val).argmax(1) == split.y_val).float().mean().item()
    assert (modes.eval_accuracy, modes.train_accuracy) == (eval_acc, train_acc)
    assert modes.difference == pytest.approx(eval_acc - train_acc) != 0  # here they differ
    assert modes.eval_accuracy == pytest.approx(records[-1].val_accuracy)
    assert set(result.modes) == {0.5}  # only the BN runs have two modes


def test_measuring_both_modes_leaves_the_running_statistics_and_mode_alone():
    model = prepare(TrainConfig(batch_norm=True)).model
    model.eval()
    bn = model[1]
    before = (bn.running_mean.clone(), bn.running_var.clone(), bn.num_batches_tracked.clone())
    split = data.load("iris")
    validation_modes(model, split.x_val, split.y_val)
    after = (bn.running_mean, bn.running_var, bn.num_batches_tracked)
    assert all(torch.equal(a, b) for a, b in zip(before, after, strict=True))
    assert not model.training
