"""Data sets: the seeded split keeps the class-sorted order, features are standardised."""

import pytest
import torch

from explorer import data
from explorer.errors import InputError


def test_iris_and_digits_still_load_sorted_by_class():
    iris, digits = data.load_iris(), data.load_digits()
    assert iris.features.shape == (150, 4) and digits.features.shape == (1797, 64)
    assert torch.all(iris.labels.diff() >= 0) and torch.all(digits.labels.diff() >= 0)


@pytest.mark.parametrize("name", data.DATASETS)
def test_split_keeps_class_sorted_order_and_every_row(name):
    split = data.load(name)
    assert torch.all(split.y_train.diff() >= 0)
    assert len(split.y_train) + len(split.y_val) in (150, 1797, 400, 450)
    # Every class is in both parts (stratified).
    assert set(split.y_val.tolist()) == set(range(split.n_classes))
    assert set(split.y_train.tolist()) == set(range(split.n_classes))


def test_split_is_fixed_by_its_seed_and_changes_with_it():
    table = data.load_iris()
    a, b, c = data.split(table, seed=3), data.split(table, seed=3), data.split(table, seed=4)
    assert torch.equal(a.x_val, b.x_val) and torch.equal(a.y_train, b.y_train)
    assert not torch.equal(a.x_val, c.x_val)
    assert len(a.y_val) == 30 and a.y_val.bincount().tolist() == [10, 10, 10]


def test_features_are_standardised_with_training_statistics():
    split = data.load("digits")
    assert torch.allclose(split.x_train.mean(dim=0), torch.zeros(64), atol=1e-4)
    std = split.x_train.std(dim=0)
    constant = data.load_digits().features.std(dim=0) == 0
    # Non-constant pixels get std 1; all-zero pixels stay 0 instead of dividing by zero.
    assert torch.allclose(std[~constant], torch.ones(int((~constant).sum())), atol=1e-4)
    assert torch.isfinite(split.x_val).all()
    raw_val = split.x_val * split.std + split.mean  # undoing the scaling with the train stats
    rows = {tuple(r) for r in data.load_digits().features.round().tolist()}
    assert tuple(raw_val[0].round().tolist()) in rows


def test_generated_sets_come_from_the_seed():
    assert torch.equal(data.make_moons(seed=1).features, data.make_moons(seed=1).features)
    assert not torch.equal(data.make_moons(seed=1).features, data.make_moons(seed=2).features)
    spirals = data.make_spirals(seed=0)
    assert spirals.features.shape == (450, 2) and spirals.labels.bincount().tolist() == [150] * 3


def test_unknown_data_set_names_the_field():
    with pytest.raises(InputError) as err:
        data.load("mnist")
    assert err.value.field == "dataset" and "iris" in str(err.value)
