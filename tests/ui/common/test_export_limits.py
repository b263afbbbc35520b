"""Issue 16: an export too wide, or to a name no file can have, is an InputError at once.

A width of 2**31 raised OverflowError and 20,000 px took 35 s; a NUL byte in the path
raised ValueError. Every image export checks the width (``export.check_width``) before
anything is rendered, and names the maximum.
"""

import time

import numpy as np
import pytest

from explorer.errors import InputError
from ui.common import export
from ui.common.export_dialog import ExportDialog
from ui.common.plots import make_plot
from ui.common.widgets import is_marked_invalid

TOO_WIDE = [export.MAX_WIDTH + 1, 20_000, 2**31, 2**63, 0, -5, 1.5, "wide", True]


@pytest.fixture
def plot(qtbot):
    widget = make_plot("Squares grow fast", "x", "x squared")
    qtbot.addWidget(widget)
    x = np.arange(10.0)
    widget.plot(x, x**2, name="square")
    widget.resize(600, 400)
    return widget


def _refused_at_once(call, field: str) -> InputError:
    started = time.perf_counter()
    with pytest.raises(InputError) as caught:
        call()
    # (rendering first takes seconds; 2 s, not a speed: a busy CI machine once took 0.2 s)
    assert time.perf_counter() - started < 2.0, "refused only after rendering"
    assert caught.value.field == field
    return caught.value


@pytest.mark.parametrize("width", TOO_WIDE, ids=repr)
def test_a_width_out_of_range_is_refused_before_rendering(plot, tmp_path, width):
    error = _refused_at_once(lambda: export.export_plot(plot, tmp_path / "p.png", width), "width")
    assert "8,192" in str(error)
    _refused_at_once(lambda: export.plot_image(plot, width), "width")
    _refused_at_once(lambda: export.copy_plot_image(plot, width), "width")
    _refused_at_once(lambda: export.export_widget(plot, tmp_path / "page.png", width), "width")
    assert list(tmp_path.iterdir()) == []  # no file, no temporary file


def test_the_widest_allowed_width_is_accepted():
    assert export.check_width(export.MAX_WIDTH) == export.MAX_WIDTH
    assert export.check_width(1) == 1


@pytest.mark.parametrize("name", ["a\0b.png", "a\0b.svg", "a\0b.csv"])
def test_a_nul_byte_in_the_path_is_an_input_error(plot, tmp_path, name):
    error = _refused_at_once(lambda: export.export_plot(plot, tmp_path / name), "path")
    assert "NUL" in str(error)
    assert list(tmp_path.iterdir()) == []


def test_a_nul_byte_in_a_page_export_is_an_input_error(plot, tmp_path):
    _refused_at_once(lambda: export.export_widget(plot, tmp_path / "a\0.png"), "path")


def test_the_dialog_offers_widths_up_to_the_maximum_and_marks_a_bad_name(qtbot, plot, tmp_path):
    dialog = ExportDialog(plot, tmp_path)
    qtbot.addWidget(dialog)
    assert dialog.width_box.maximum() == export.MAX_WIDTH
    dialog.path_edit.setText(str(tmp_path / "a\0b.png"))
    assert not dialog.save()
    assert is_marked_invalid(dialog.path_edit) and "NUL" in dialog.error.text()
    assert not is_marked_invalid(dialog.width_box)
    dialog.path_edit.setText(str(tmp_path / "good.png"))
    dialog.width_box.setValue(400)
    assert dialog.save() and dialog.saved_path.exists()
