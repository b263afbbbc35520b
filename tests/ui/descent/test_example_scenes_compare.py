"""Every example scene with a side-by-side comparison opens saying, truly, which surface its
rates were tuned for: the page's own, by the tab's own tuning (or the default rates on the
default bowl they were chosen on). The descent example once opened saying "tuned for the
rotation-90 bowl" over a rotation-30 one."""

import pytest

from explorer import RESOURCES, scene
from explorer.descent import compare
from explorer.descent.scene import CompareOptions

SCENES = sorted((RESOURCES / "scenes").glob("*.json"))
WITH_COMPARISON = [p for p in SCENES if "compare" in scene.load(p).get("descent", {})]


def test_an_example_scene_has_a_comparison():
    assert WITH_COMPARISON  # else the test below checks nothing


@pytest.mark.parametrize("path", WITH_COMPARISON, ids=lambda p: p.stem)
def test_the_example_opens_with_a_true_tuned_for_label(qtbot, panel, path):
    page = scene.read(path)["descent"]
    panel.set_scene(page)
    here = compare.surface_key(page.surface, page.surface_options)
    assert panel.compare.tuned.text() == f"Rates tuned for this surface: {here}."
    rates = [run.lr for run in panel.compare.options().runs]
    if page.compare.runs == CompareOptions().validated().runs:
        assert here == compare.default_tuned_for()  # the defaults, on their own bowl
    else:  # what "Tune the rates here" finds on the page's surface
        *_, tuning = compare.iter_tune(**page.compare_arguments())
        assert rates == [run.lr for run in tuning.runs] and not tuning.untuned


@pytest.mark.parametrize("path", [p for p in SCENES if "descent" in scene.load(p)],
                         ids=lambda p: p.stem)
def test_the_example_opens_on_its_whole_picture(qtbot, panel, path):
    """Like the slide: every trajectory drawn to its last step, not one dot at the start."""
    page = scene.read(path)["descent"]
    panel.set_scene(page)
    panel.compute_now()
    assert page.current_step == page.steps and panel.playback.step == page.steps
