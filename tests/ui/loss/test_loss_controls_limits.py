"""The Loss controls take their limits from explorer.losses.limits, as the scene does."""

from explorer import losses
from explorer.losses import limits
from ui.loss.composite import CompositeView
from ui.loss.controls import LossControls


def test_the_seed_box_allows_exactly_the_seeds_the_scene_accepts(qtbot):
    controls = LossControls([losses.spec(n) for n in losses.names()], losses.FAMILIES)
    qtbot.addWidget(controls)
    assert (controls.seed.minimum(), controls.seed.maximum()) == (0, limits.MAX_SEED)


def test_the_composite_view_stops_adding_at_the_scenes_most_terms(qtbot):
    view = CompositeView()
    qtbot.addWidget(view)
    view.set_choices(["MSELoss", "L1Loss"])
    for _ in range(limits.MAX_TERMS):
        assert view.add_button.isEnabled()
        view.add_button.click()
    assert len(view.terms()) == limits.MAX_TERMS and not view.add_button.isEnabled()


def test_a_weight_box_allows_exactly_the_weights_the_scene_accepts(qtbot):
    view = CompositeView()
    qtbot.addWidget(view)
    view.set_choices(["MSELoss"])
    view.set_terms([{"loss": "MSELoss", "weight": limits.MAX_WEIGHT}])
    assert view.terms()[0]["weight"] == limits.MAX_WEIGHT
    view.set_terms([{"loss": "MSELoss", "weight": -limits.MAX_WEIGHT}])
    assert view.terms()[0]["weight"] == -limits.MAX_WEIGHT
