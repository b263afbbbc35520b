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


def test_axis_and_legend_text_are_the_pages():
    from ui.loss import labels

    compare = losses.compare_curves()
    assert [labels.legend(c) for c in compare] == [
        "square (1 − y·z)²", "absolute |1 − y·z|", "hinge max(0, 1 − y·z)",
        "logistic (= cross-entropy in bits × ln 2)",
        "cross-entropy in bits (= logistic ÷ ln 2)"]
    assert all(labels.x_axis(c) == "margin y·z" and labels.y_axis(c) == "loss" for c in compare)
    huber = losses.curve("HuberLoss", target=0.5)
    assert labels.x_axis(huber) == "prediction z (target y = 0.5)"
    assert labels.y_axis(huber) == "loss L(z, y)" and labels.legend(huber) == "HuberLoss"
    assert labels.x_axis(losses.curve("CrossEntropyLoss")) == (
        "margin z (true-class score − other score)")
    assert all(labels.x_axis(losses.curve(n)) for n in losses.curve_names())
