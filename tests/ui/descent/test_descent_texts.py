"""What the Descent page writes about a run: legend entries and optimizer-state lines."""

import numpy as np

from explorer import descent
from explorer.descent.divergence import sweep_diverging_at
from explorer.descent.readings import internals_at
from ui.descent.texts import internals_lines, run_label, run_labels


def test_legend_text_names_the_rate_and_where_it_diverged():
    lr = 0.3  # |1 - 0.3 * 10| = 2 on this quadratic: the loss grows fourfold per step
    result = descent.sweep("quadratic", "SGD", [0.05, lr], 200, (1.0, 1.0),
                           surface_options={"condition": 10.0}, divergence_bound=1e6)
    at = sweep_diverging_at(result)[1]
    assert at is not None and at <= result.diverged_at[1]
    assert run_labels(result) == ["lr = 0.05", f"lr = 0.3 — diverging at step {at}"]
    assert run_label(0.001, None) == "lr = 0.001"


def test_internals_lines_show_the_gradient_then_the_state():
    result = descent.sweep("quadratic", "SGD", [0.05], 5, (1.0, 1.0),
                           optimizer_options={"momentum": 0.9})
    details = internals_at(result, 0, 2)
    grad = result.internals["grad"][0, 2].numpy()
    velocity = result.internals["velocity"][0, 2].numpy()
    lines = internals_lines(details)
    assert lines == [f"gradient = ({grad[0]:.4g}, {grad[1]:.4g})",
                     f"velocity = ({velocity[0]:.4g}, {velocity[1]:.4g})"]
    np.testing.assert_allclose(details.arrows["-lr·velocity"], -0.05 * velocity)
