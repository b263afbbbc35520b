"""The Loss lab's result column (value, gradients, code) exports as one image for a slide."""

from PySide6.QtGui import QImage

from ui.loss.panel import LossPanel


def test_the_results_export_as_a_png_at_the_asked_width_and_say_so(qtbot, tmp_path):
    page = LossPanel()
    qtbot.addWidget(page)
    page.resize(1400, 900)
    page.show()
    said = []
    page.status_message.connect(said.append)
    assert [a.text() for a in page.numbers.actions()] == ["Export results as image…"]
    path = page.export_results(str(tmp_path / "results.png"), width=1200)
    image = QImage(str(path))
    assert image.width() == 1200 and image.height() > 200
    colours = {image.pixel(x, y) for x in range(0, 1200, 40) for y in range(0, image.height(), 40)}
    assert len(colours) > 2  # text was drawn, not a blank panel
    assert said == [f"Saved {path}"]
