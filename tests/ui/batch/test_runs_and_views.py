"""Issue 12's still-open Batch-lab defects: stepped runs in the run list, one y range for the
activation panels, a Training tab that shows what it will show before the first step."""

import numpy as np
import pytest
from PySide6.QtWidgets import QApplication

from explorer.training import TrainConfig
from explorer.training.batchnorm import activation_percentiles
from ui.batch.norm_views import PercentilesView


def _y_range(plot) -> tuple[float, float]:
    return tuple(plot.getViewBox().viewRange()[1])


def test_activation_panels_share_one_y_range_that_holds_both_runs(qtbot):
    view = PercentilesView()
    qtbot.addWidget(view)
    view.resize(900, 400)
    view.show()
    qtbot.waitExposed(view)
    result = activation_percentiles(TrainConfig(hidden=(8, 8), activation="sigmoid", epochs=2,
                                                lr=0.5))
    # Without BN the sigmoid's input sits in a narrow band; with BN it spreads: a y range that
    # followed one plot would cut the other's curves.
    view.receive(result)
    QApplication.processEvents()  # pending auto-range and paint events must not undo it
    off, on = _y_range(view.off_plot), _y_range(view.on_plot)
    assert off == pytest.approx(on)
    for bn in (False, True):
        assert off[0] <= np.min(result[bn]) and np.max(result[bn]) <= off[1]
    assert off[1] - off[0] < 1.5 * np.ptp(np.concatenate([result[False], result[True]]))
