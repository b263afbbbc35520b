"""A CSV column is named for what it holds and holds the data itself (issue 13)."""

import csv

from ui.common import export
from ui.common.plots import make_plot
from ui.loss.curves import CurvePlot


def _csv(plot, path):
    with open(export.export_plot(plot, path), newline="", encoding="utf-8") as f:
        return list(csv.reader(f))


def test_the_prediction_marker_is_named_for_the_loss_and_the_slope_it_marks(qtbot, tmp_path):
    curve = CurvePlot()
    qtbot.addWidget(curve.plot)
    curve.plot.plot([-1.0, 0.0, 1.0], [1.0, 0.0, 1.0], name="L(z, y)")
    curve.set_marker(0.5, 0.25, 1.0)
    rows = _csv(curve.plot, tmp_path / "curve.csv")
    header = rows[0]
    assert "loss at the prediction" in header and "slope at the prediction" in header, header
    assert not any("(points)" in column or " / " in column for column in header), header
    loss = header.index("loss at the prediction")
    slope = header.index("slope at the prediction")
    assert float(rows[1][loss - 1]) == 0.5  # its x column: the prediction z
    assert (float(rows[1][loss]), float(rows[1][slope])) == (0.25, 1.0)


def test_a_log_axis_exports_the_values_not_their_logarithms(qtbot, tmp_path):
    widget = make_plot("Loss falls", "learning rate (log scale)", "loss (log scale)")
    qtbot.addWidget(widget)
    widget.plot([0.001, 0.01, 0.1], [0.29, 1.0, 10.0], name="loss")
    widget.getPlotItem().setLogMode(x=True, y=True)
    rows = _csv(widget, tmp_path / "log.csv")
    assert rows[0] == ["loss (learning rate)", "loss"], rows[0]
    assert [[float(v) for v in row] for row in rows[1:]] == [[0.001, 0.29], [0.01, 1.0],
                                                           [0.1, 10.0]]
