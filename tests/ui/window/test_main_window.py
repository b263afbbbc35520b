"""The main window's own behaviour, with a small stand-in lab page."""

import numpy as np
import pytest
from PySide6.QtCore import QSize, Qt
from PySide6.QtWidgets import QApplication, QLabel, QVBoxLayout

from explorer import scene as scene_file
from explorer.errors import InputError
from ui.common import theme
from ui.common.lab import LabPage
from ui.common.plots import make_plot
from ui.window.main_window import MainWindow


class CounterPage(LabPage):
    """A lab page whose scene is one number, drawn as a line of that slope."""

    key = "counter"
    title = "Counter"
    icon = "loss"

    def __init__(self):
        super().__init__()
        self.slope = 1
        self.device = "cpu"
        self.plot = make_plot("A steeper line", "x", "y")
        self.line = self.plot.plot(name="line")
        self.hint = QLabel("only for the desk")
        layout = QVBoxLayout(self)
        layout.addWidget(self.hint)
        layout.addWidget(self.plot)
        self.compute_now()

    def plots(self):
        return {"line": self.plot}

    def scene(self):
        return {"slope": self.slope}

    def set_scene(self, data):
        slope = data.get("slope")
        if not isinstance(slope, int) or slope < 0:
            raise InputError("slope must be a whole number ≥ 0", field="slope")
        self.slope = slope
        self.compute_now()

    def compute_now(self):
        x = np.arange(5.0)
        self.line.setData(x, self.slope * x)

    def set_device(self, device):
        self.device = device

    def presentation_widgets(self):
        return [self.hint]


@pytest.fixture
def window(qtbot, settings):
    w = MainWindow(settings=settings, labs=[CounterPage])
    qtbot.addWidget(w)
    w.show()
    yield w
    w.leave_presentation()
    w.set_theme("light")


def test_menus_and_status_bar(window):
    titles = [a.text().replace("&", "") for a in window.menuBar().actions()]
    assert titles == ["File", "View", "Help"]
    assert window.device_box.currentData() == "cpu"
    assert window.pages[0].device == "cpu"
    assert window.selector.count() == 1 and window.selector.item(0).text() == "Counter"


def test_unusable_device_falls_back_with_a_message(window):
    window.set_device("cuda:7")
    assert window.device == "cpu"
    assert "CPU" in window.statusBar().currentMessage()


def test_scene_round_trip_and_refusal(window, tmp_path):
    window.pages[0].set_scene({"slope": 4})
    path = tmp_path / "s.json"
    assert window.save_scene(path)
    window.pages[0].set_scene({"slope": 1})
    assert window.open_scene(path)
    assert window.pages[0].slope == 4
    assert window.recent_files()[0] == str(path.resolve())


def test_impossible_scene_keeps_the_current_one(window, tmp_path, monkeypatch):
    messages = []
    monkeypatch.setattr("ui.window.main_window.QMessageBox.warning",
                        lambda *a: messages.append(a[2]))
    window.pages[0].set_scene({"slope": 2})
    bad = tmp_path / "bad.json"
    scene_file.save(bad, {"counter": {"slope": -3}})
    assert not window.open_scene(bad)
    assert window.pages[0].slope == 2
    assert "slope must be" in messages[0] and "unchanged" in messages[0]


def test_presentation_mode_scales_fonts_hides_controls_and_returns(window, qtbot):
    before = QApplication.font().pointSizeF()
    window.enter_presentation()
    window._presentation.fit_to(QSize(1920, 1080))  # offscreen screens are 800 x 800
    assert window.presenting and theme.scale() >= 1.3
    assert QApplication.font().pointSizeF() >= before * 1.3
    assert not window.pages[0].hint.isVisible()
    assert not window.toolbar.isVisible()
    assert window.selector.width() > 130
    qtbot.keyClick(window, Qt.Key.Key_Escape)
    assert not window.presenting and theme.scale() == 1.0
    assert QApplication.font().pointSizeF() == before
    assert window.pages[0].hint.isVisible()
    assert window.toolbar.isVisible() and window.selector.width() == 96


def test_theme_switch_changes_plot_background_and_returns(window):
    plot = window.pages[0].plot
    window.set_theme("dark")
    assert plot.backgroundBrush().color().name() == theme.DARK.background.lower()
    (_sample, label), = plot.getPlotItem().legend.items
    # pyqtgraph drops a legend label's text when only its colour is changed
    assert "line" in label.item.toPlainText()
    assert theme.DARK.foreground.lower() in label.item.toHtml().lower()
    window.set_theme("light")
    assert plot.backgroundBrush().color().name() == theme.LIGHT.background.lower()


def test_preferences_round_trip_through_qsettings(qtbot, settings):
    first = MainWindow(settings=settings, labs=[CounterPage])
    qtbot.addWidget(first)
    first.set_theme("dark")
    first.resize(720, 520)  # the offscreen screen is 800 x 600
    first.close()
    second = MainWindow(settings=settings, labs=[CounterPage])
    qtbot.addWidget(second)
    assert second.theme_name == "dark"
    assert second.size().width() == 720
    second.set_theme("light")


def test_a_saved_page_that_no_longer_exists_opens_the_first(qtbot, settings):
    settings.setValue("page", 7)
    window = MainWindow(settings=settings, labs=[CounterPage])
    qtbot.addWidget(window)
    assert window.current_page() is window.pages[0]


def test_export_plot_in_focus(window, tmp_path):
    assert window.plot_in_focus() is window.pages[0].plot


def test_export_dialog_saves_png_at_chosen_width(window, qtbot, tmp_path):
    from PySide6.QtGui import QImage

    from ui.common.export_dialog import ExportDialog

    dialog = ExportDialog(window.pages[0].plot, folder=tmp_path)
    qtbot.addWidget(dialog)
    dialog.width_box.setValue(1000)
    assert dialog.save()
    assert QImage(str(dialog.saved_path)).width() == 1000


def test_export_dialog_keeps_a_bad_path_and_says_why(window, qtbot, tmp_path):
    from ui.common.export_dialog import ExportDialog
    from ui.common.widgets import is_marked_invalid

    dialog = ExportDialog(window.pages[0].plot)
    qtbot.addWidget(dialog)
    bad = str(tmp_path / "no-such-folder" / "plot.png")
    dialog.path_edit.setText(bad)
    assert not dialog.save()
    assert dialog.path_edit.text() == bad
    assert is_marked_invalid(dialog.path_edit)
    assert "does not exist" in dialog.error.text()


def test_toolbar_offers_export(window):
    texts = [a.text().replace("&", "") for a in window.toolbar.actions() if a.text()]
    assert "Export plot…" in texts and "Export page…" in texts and "Copy plot image" in texts


def test_the_batch_lab_opens_with_a_run_training(qtbot, settings):
    window = MainWindow(settings=settings)
    qtbot.addWidget(window)
    keys = [cls.key for cls in window.stack.classes]
    window.show_page(keys.index("batch"))
    batch = window.current_page()
    qtbot.waitUntil(lambda: len(batch.run_list.run_keys()) == 1, timeout=60_000)
    qtbot.waitUntil(lambda: not batch.busy, timeout=60_000)
    for page in window.built_pages():
        page.shutdown()


def test_a_page_built_while_presenting_hides_its_desk_widgets(qtbot, settings):
    class OtherPage(CounterPage):
        key, title = "other", "Other"

    window = MainWindow(settings=settings, labs=[CounterPage, OtherPage])
    qtbot.addWidget(window)
    assert len(window.built_pages()) == 1  # the other lab is built when first shown
    window.enter_presentation()
    window.show_page(1)
    other = window.current_page()
    assert isinstance(other, OtherPage) and other.hint.isHidden()
    assert not window.statusBar().isVisible()
    window.leave_presentation()
    assert not other.hint.isHidden() and not window.pages[0].hint.isHidden()
    assert window.statusBar().isVisible()


def test_closing_while_presenting_keeps_the_normal_geometry(qtbot, settings):
    first = MainWindow(settings=settings, labs=[CounterPage])
    qtbot.addWidget(first)
    first.resize(700, 500)
    first.close()
    second = MainWindow(settings=settings, labs=[CounterPage])
    qtbot.addWidget(second)
    second.enter_presentation()
    second.close()  # full screen: not the size to reopen with
    second.leave_presentation()
    third = MainWindow(settings=settings, labs=[CounterPage])
    qtbot.addWidget(third)
    assert not third.presenting and third.size().width() == 700
