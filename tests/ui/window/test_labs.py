"""What every lab page promises the main window: plots that export, scenes that reopen."""

import csv
import json
import os
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
from PySide6.QtGui import QImage

from explorer import scene as scene_file
from explorer.errors import InputError
from ui.common import export
from ui.window.labs import LABS, lab_classes

ROOT = Path(__file__).resolve().parents[3]
CLASSES = lab_classes()


@pytest.fixture(scope="module")
def computed(qapp):
    """One computed page per lab for the module, built before any test's leak probe (a Batch
    page trains and runs its experiments in ``compute_now``: ~10 s); its tests only read it."""
    pages = {}
    for cls in CLASSES:
        pages[cls] = cls()
        pages[cls].resize(1400, 900)
        pages[cls].compute_now()
    yield pages.__getitem__
    for page in pages.values():
        page.shutdown()
        page.close()
        page.deleteLater()


def _not_blank(path: Path) -> bool:
    image = QImage(str(path))
    step = max(image.width() // 60, 1)
    colours = {
        image.pixel(x, y)
        for x in range(0, image.width(), step)
        for y in range(0, image.height(), step)
    }
    return len(colours) > 3


def _numbers(page) -> dict:
    return {name: export.plotted_data(plot.getPlotItem()) for name, plot in page.plots().items()}


def test_all_three_labs_are_installed():
    assert [cls.key for cls in CLASSES] == ["loss", "descent", "batch"], LABS


@pytest.mark.parametrize("cls", CLASSES, ids=lambda c: c.key)
def test_every_plot_exports_png_svg_csv(computed, tmp_path, cls):
    page = computed(cls)
    assert page.plots(), f"the {cls.title} lab has no plots"
    for name, plot in page.plots().items():
        png = export.export_plot(plot, tmp_path / f"{name}.png", width=900)
        assert QImage(str(png)).width() == 900 and _not_blank(png), name
        svg = export.export_plot(plot, tmp_path / f"{name}.svg")
        assert "<svg" in svg.read_text(), name
        path = export.export_plot(plot, tmp_path / f"{name}.csv")
        with open(path, newline="") as f:
            rows = list(csv.reader(f))
        data = export.plotted_data(plot.getPlotItem())
        if data:
            assert len(rows) - 1 == max(len(x) for _, x, _ in data), name


@pytest.mark.parametrize("cls", CLASSES, ids=lambda c: c.key)
def test_scene_saved_and_reopened_gives_the_same_page(qtbot, computed, monkeypatch, tmp_path,
                                                      cls):
    first = computed(cls)
    path = scene_file.save(tmp_path / "scene.json", {cls.key: first.scene()})
    second = cls()
    qtbot.addWidget(second)
    second.resize(1400, 900)
    for view in getattr(second, "experiments", ()):
        if not view.reproducible:  # a timing: not compared below, and the slowest to run
            monkeypatch.setattr(view, "compute_now", lambda *args: None)
    second.set_scene(scene_file.load(path)[cls.key])
    second.compute_now()
    assert second.scene() == first.scene()
    a, b = _numbers(first), _numbers(second)
    assert a.keys() == b.keys()
    for name in a.keys() - first.measured_plots():
        for (na, xa, ya), (nb, xb, yb) in zip(a[name], b[name], strict=True):
            assert na == nb
            np.testing.assert_allclose(xa, xb, rtol=1e-6, equal_nan=True)
            np.testing.assert_allclose(ya, yb, rtol=1e-6, equal_nan=True)
    second.shutdown()


@pytest.mark.parametrize("cls", CLASSES, ids=lambda c: c.key)
def test_impossible_scene_is_refused_and_changes_nothing(qtbot, cls):
    page = cls()  # only its scene is under test: nothing needs computing
    qtbot.addWidget(page)
    before = page.scene()
    broken = json.loads(json.dumps(before))
    for key in list(broken)[:3]:
        broken[key] = {"not": "a value"}
    with pytest.raises(InputError):
        page.set_scene(broken)
    assert page.scene() == before
    page.shutdown()


def _export_figures(tmp_path, *args: str) -> subprocess.CompletedProcess:
    """Run ``main.py --export-figures tmp_path/figs ARGS`` headless, as a teacher would."""
    env = dict(os.environ, QT_QPA_PLATFORM="offscreen", HOME=str(tmp_path))
    command = [sys.executable, "main.py", "--export-figures", str(tmp_path / "figs"), *args]
    return subprocess.run(command, cwd=ROOT, env=env, capture_output=True, text=True, timeout=600)


def test_shipped_example_scenes_open(qtbot, settings, monkeypatch):
    from explorer import RESOURCES
    from ui.window.main_window import MainWindow

    problems = []
    monkeypatch.setattr("ui.window.main_window.QMessageBox.warning",
                        lambda *a: problems.append(a[2]))
    window = MainWindow(settings=settings)
    qtbot.addWidget(window)
    files = sorted((RESOURCES / "scenes").glob("*.json"))
    assert len(files) >= 9
    for path in files:
        assert window.open_scene(path, remember=False), (path.name, problems)
        assert window.current_page().key in scene_file.load(path)  # its lab is on show
    batch = window.pages[2]
    assert batch.scene()["experiment"] == "batch_norm"
    qtbot.waitUntil(lambda: not batch.busy, timeout=120_000)  # its experiment ran
    assert {v.key: v for v in batch.experiments}["batch_norm"].has_result
    for page in window.pages:
        page.shutdown()


def test_export_figures_writes_one_non_blank_png_per_plot_of_a_scene(tmp_path):
    """One headless run (each costs ~20 s): every lab's plots, the KL slide on the Loss page."""
    from explorer import RESOURCES

    scene = RESOURCES / "scenes" / "slide-07-KLDivLoss.json"
    result = _export_figures(tmp_path, "--width", "800", "--scene", str(scene))
    assert result.returncode == 0, result.stderr[-3000:]
    files = sorted((tmp_path / "figs").glob("*.png"))
    assert {f.name.split("-")[0] for f in files} == {cls.key for cls in CLASSES}
    assert all(_not_blank(f) for f in files), [f.name for f in files if not _not_blank(f)]
    assert all(QImage(str(f)).width() == 800 for f in files)
    written = [line for line in result.stdout.splitlines() if line.endswith(".png")]
    assert len(written) == len(files) >= 15
    # KL divergence has no 1-D curve: that plot is skipped and said so, not written blank
    assert not (tmp_path / "figs" / "loss-loss-curve.png").exists()
    assert "skipped loss-loss-curve: nothing to draw in this scene" in result.stdout
    assert (tmp_path / "figs" / "loss-loss-comparison.png").exists()


def test_export_figures_refuses_a_damaged_scene(tmp_path):
    bad = tmp_path / "bad.json"
    bad.write_text("{ not json")
    result = _export_figures(tmp_path, "--scene", str(bad))
    assert result.returncode == 2
    assert "damaged" in result.stderr and "Traceback" not in result.stderr


def _real_window(qtbot, settings, monkeypatch):
    from ui.window.main_window import MainWindow

    messages = []
    monkeypatch.setattr("ui.window.main_window.QMessageBox.warning",
                        lambda *a: messages.append(a[2]))
    window = MainWindow(settings=settings)
    qtbot.addWidget(window)
    return window, messages


@pytest.mark.parametrize("damage", [
    {"config": {"seed": 1099511627776}},   # above every seed box
    {"config": {"epochs": "5"}},
    {"bn_lrs": 5e38},
    {"experiment": ["training"]},
])
def test_a_damaged_page_changes_no_page(qtbot, settings, monkeypatch, tmp_path, damage):
    """Issue 16: in 23 damaged files the pages applied before the bad one kept the file's
    values (an edited L1Loss page became MSELoss). Now the scene is checked whole first."""
    window, messages = _real_window(qtbot, settings, monkeypatch)
    window.pages[0].set_scene({"loss": "L1Loss", "seed": 5})
    before = window.scene()
    path = tmp_path / "damaged.json"
    scene_file.save(path, {"loss": {"loss": "MSELoss", "seed": 9}, "batch": damage})
    assert not window.open_scene(path)
    assert window.scene() == before
    assert "batch page" in messages[0] and "unchanged" in messages[0], messages
    assert "Traceback" not in messages[0]
    for page in window.built_pages():
        page.shutdown()


def test_a_page_that_fails_to_show_puts_every_page_back(qtbot, settings, monkeypatch, tmp_path):
    """Whatever goes wrong while showing a checked scene, the previous scene comes back."""
    window, messages = _real_window(qtbot, settings, monkeypatch)
    window.pages[0].set_scene({"loss": "L1Loss", "seed": 5})
    before = window.scene()
    descent = window.pages[1]
    real = descent.set_scene
    calls = []

    def fails_once(data):
        calls.append(data)
        if len(calls) == 1:
            raise RuntimeError("a widget refused the value")
        real(data)

    monkeypatch.setattr(descent, "set_scene", fails_once)
    path = tmp_path / "fine.json"
    scene_file.save(path, {"loss": {"loss": "MSELoss", "seed": 9}, "descent": {"lrs": [0.3]}})
    assert not window.open_scene(path)
    assert window.scene() == before
    assert "RuntimeError: a widget refused the value" in messages[0]
    for page in window.built_pages():
        page.shutdown()


def test_a_page_the_program_has_not_is_refused(qtbot, settings, monkeypatch, tmp_path):
    window, messages = _real_window(qtbot, settings, monkeypatch)
    before = window.scene()
    path = tmp_path / "typo.json"
    scene_file.save(path, {"los": {"loss": "MSELoss"}})
    assert not window.open_scene(path)
    assert window.scene() == before
    assert "page 'los'" in messages[0] and "loss, descent, batch" in messages[0]
    for page in window.built_pages():
        page.shutdown()


def test_export_figures_refuses_a_folder_it_cannot_use(tmp_path):
    afile = tmp_path / "a-file"
    afile.write_text("x")
    for folder, words in ((afile, "is a file"), (Path("/proc/no-such/figs"), "Cannot export")):
        env = dict(os.environ, QT_QPA_PLATFORM="offscreen", HOME=str(tmp_path))
        result = subprocess.run([sys.executable, "main.py", "--export-figures", str(folder)],
                                cwd=ROOT, env=env, capture_output=True, text=True, timeout=120)
        assert result.returncode == 2, result.stderr[-2000:]
        assert words in result.stderr and "Traceback" not in result.stderr


def test_a_refused_scene_writes_no_figure(tmp_path):
    bad = tmp_path / "bad.json"
    scene_file.save(bad, {"loss": {"loss": "MSELoss"}, "batch": {"config": {"epochs": -1}}})
    result = _export_figures(tmp_path, "--scene", str(bad))
    assert result.returncode == 2 and "batch page" in result.stderr
    assert "Traceback" not in result.stderr
    assert not list(tmp_path.glob("figs/*.png"))


def test_an_unknown_page_on_the_command_line_is_named(tmp_path):
    env = dict(os.environ, QT_QPA_PLATFORM="offscreen", HOME=str(tmp_path))
    result = subprocess.run([sys.executable, "main.py", "--page", "nope", "--quit-after", "200"],
                            cwd=ROOT, env=env, capture_output=True, text=True, timeout=120)
    assert result.returncode == 0
    assert "no page 'nope'" in result.stderr and "loss, descent, batch" in result.stderr
