"""Stepped runs get decision regions computed beside the steps (issue 12)."""

import numpy as np

from explorer.training import TrainConfig, decision_regions
from explorer.training.live import LiveSteps, live_steps
from explorer.training.stepper import Stepper


def test_a_step_ends_with_the_full_grid_of_the_weights_it_stopped_at():
    stepper = Stepper(TrainConfig(dataset="spirals", hidden=(8,), batch_size=16, epochs=1))
    items = list(live_steps(stepper, stepper.steps(3), regions_grid=12, regions_every_s=3600))
    assert [len(i.records) for i in items] == [1, 1, 1, 0]
    assert all(i.regions is None for i in items[:-1])  # not due while the steps go on
    xs, ys, classes = items[-1].regions
    expected = decision_regions(stepper.session.model, stepper.session.data, 12)
    assert classes.shape == (12, 12) and np.array_equal(classes, expected[2])


def test_while_steps_go_on_regions_come_on_the_coarse_grid_and_none_on_a_table():
    stepper = Stepper(TrainConfig(dataset="spirals", hidden=(8,), batch_size=16, epochs=1))
    items = list(live_steps(stepper, stepper.steps(2), regions_grid=12, regions_every_s=0))
    assert items[0].regions[2].shape == (6, 6) and items[-1].regions[2].shape == (12, 12)
    iris = Stepper(TrainConfig(hidden=(4,), batch_size=30, epochs=1))
    assert list(live_steps(iris, iris.steps(1)))[-1] == LiveSteps((), None)
