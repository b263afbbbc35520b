"""The slides walked in their own order (File → Example scenes): the Curve tab always frames
its curve, whatever came before it (a loss with no curve, a value too large to draw)."""

import json
from pathlib import Path

import numpy as np
import pytest
from PySide6.QtCore import Qt

from explorer import losses

SCENES = sorted((Path(__file__).parents[3] / "resources" / "scenes").glob("slide-*.json"))


def load(panel, path):
    panel.set_scene(json.loads(path.read_text())["pages"]["loss"])


def view(panel):
    return panel.curve.plot.getPlotItem().getViewBox().viewRange()


def assert_frames_the_curve(panel):
    (x0, x1), (y0, y1) = view(panel)
    finite = []
    for line in (panel.curve.loss_line, panel.curve.grad_line):
        xs, ys = line.getData()
        assert xs is not None and len(xs) > 1, "the curve is blank"
        keep = np.isfinite(xs) & np.isfinite(ys)
        finite.append((xs[keep], ys[keep]))
    for xs, ys in finite:
        assert x0 <= xs.min() and xs.max() <= x1, (panel.current_scene.loss, view(panel))
        assert y0 <= ys.min() and ys.max() <= y1, (panel.current_scene.loss, view(panel))
    # the view is the curve's, not a blank plot's [0, 1] nor a zoom far outside it
    width = max(xs.max() for xs, _ in finite) - min(xs.min() for xs, _ in finite)
    assert x1 - x0 <= 1.5 * width
    mark = panel.curve.marker_position()
    if mark is not None:
        z, loss, slope = mark
        assert x0 <= z <= x1 and y0 <= loss <= y1 and y0 <= slope <= y1


def axes_shown(panel):
    item = panel.curve.plot.getPlotItem()
    return item.getAxis("left").isVisible() and item.getAxis("bottom").isVisible()


def test_there_are_the_seven_slides():
    assert [p.name[:8] for p in SCENES] == [f"slide-0{i}" for i in range(1, 8)]


def test_every_slide_in_order_frames_its_curve_and_marker(panel):
    seen_blank = False
    for path in [*SCENES, SCENES[0]]:  # the last, KL (no curve), then L1 again
        load(panel, path)
        name = panel.current_scene.loss
        if name not in losses.curve_names():
            seen_blank = True
            assert panel.curve.note_text()
            # the note alone: no legend of lines not drawn, no axes and grid around nothing
            assert not panel.curve.plot.getPlotItem().legend.items
            assert not axes_shown(panel)
            continue
        assert_frames_the_curve(panel)
        assert panel.curve.plot.property("plot_title") == losses.curve(name).title
        assert len(panel.curve.plot.getPlotItem().legend.items) == 2 and axes_shown(panel)
    assert seen_blank


@pytest.mark.parametrize("before", ["NLLLoss", "KLDivLoss", "DiceLoss", "TripletMarginLoss"])
def test_a_curve_after_a_loss_without_one_is_framed(panel, before):
    if before not in losses.names():
        pytest.skip(f"{before} is not registered")
    panel.state.choose_loss(before)
    assert panel.curve.note_text()
    for name in ("CrossEntropyLoss", "HingeEmbeddingLoss", "MSELoss"):
        panel.state.choose_loss(name)
        assert_frames_the_curve(panel)
        panel.state.choose_loss(before)


def type_into(qtbot, editor, row, column, text):
    table = editor.table
    rect = table.visualRect(editor.model.index(row, column))
    qtbot.mouseClick(table.viewport(), Qt.MouseButton.LeftButton, pos=rect.center())
    qtbot.keyClick(table, text[0])
    qtbot.keyClicks(table.focusWidget(), text[1:])
    with qtbot.waitSignal(editor.edited):
        qtbot.keyClick(table.focusWidget(), Qt.Key.Key_Return)


def test_a_value_too_large_to_draw_then_a_normal_one_frames_the_curve_again(qtbot, panel):
    load(panel, SCENES[1])  # MSELoss
    editor = panel.editors["input"]
    type_into(qtbot, editor, 0, 0, "12345678901234567890")
    assert panel.curve.note_text()  # too far out to draw: said, not a blank plot
    type_into(qtbot, editor, 0, 0, "2.5")
    assert_frames_the_curve(panel)
    assert panel.curve.marker_position()[0] == pytest.approx(2.5)


def test_a_zoomed_curve_is_framed_again_by_the_next_loss(panel):
    load(panel, SCENES[0])
    panel.curve.plot.getPlotItem().setRange(xRange=(100, 101), yRange=(50, 51))
    load(panel, SCENES[4])  # HingeEmbeddingLoss
    assert_frames_the_curve(panel)


def test_the_compare_chart_is_framed_on_the_useful_band_and_marks_an_example(panel):
    from explorer.losses import curves

    compare = panel.compare
    (x0, x1), (y0, y1) = compare.plot.getPlotItem().getViewBox().viewRange()
    assert (x0, x1) == pytest.approx(curves.COMPARE_VIEW[0])
    assert (y0, y1) == pytest.approx(curves.COMPARE_VIEW[1])
    assert compare.plot.property("plot_title") == curves.COMPARE_TITLE
    assert any("× ln 2" in label for label in compare.labels())
    assert compare.example() is None
    compare.set_example(curves.compare_marker("MSELoss", 0.5, -1.0))
    assert compare.example() == pytest.approx((-0.5, 2.25))
    compare.set_example(None)
    assert compare.example() is None
