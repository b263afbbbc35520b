"""The momentum map marks a Nesterov page's rates on Nesterov's own map (issue 11: "the
current choice marked"), and says which form of momentum it shows."""

from dataclasses import replace

from explorer.descent.scene import DescentScene
from ui.descent.momentum_view import BOUNDARY, MomentumView


def _boundary_label(view) -> str:
    return view.plot.getPlotItem().legend.getLabel(view.boundary).text


def test_a_nesterov_page_is_marked_on_nesterovs_map(shown):
    view = shown(MomentumView())
    heavy = DescentScene(optimizer_options={"momentum": 0.9}).validated()
    view.set_page(heavy)
    assert not view.result.nesterov and len(view.page_marks.data) == len(heavy.lrs)
    assert _boundary_label(view) == BOUNDARY[False]
    nesterov = replace(heavy, optimizer_options={"momentum": 0.9, "nesterov": True})
    view.set_page(nesterov)
    assert view.result.nesterov
    assert len(view.page_marks.data) == sum(lr <= view.result.lrs[-1] for lr in nesterov.lrs)
    assert len(view.page_marks.data) > 0
    assert "Nesterov β = 0.9" in view.numbers.text()
    assert "Nesterov momentum" in view.about.text()
    assert _boundary_label(view) == BOUNDARY[True]
    assert view.plot.property("plot_title").startswith("Nesterov")
    lr = nesterov.lrs[0]
    assert f"lr = {lr:g}: error × {view.result.rate_at(lr, 0.9):.3f}" in view.numbers.text()
    view.set_page(DescentScene().with_optimizer("Adam"))
    assert len(view.page_marks.data) == 0 and "no point on this map" in view.numbers.text()
