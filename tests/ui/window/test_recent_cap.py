"""Issue 16: the recent-files list is capped when it is read, not only when it is written.

A settings file holding 50,000 recent files (hand-edited, or written by a broken
version) used to take a minute to first paint: every entry became a menu action.
"""

import time

from PySide6.QtCore import QSettings

from ui.window.main_window import MainWindow
from ui.window.settings import MAX_RECENT, WindowSettings

MANY = 50_000


def _crowded(tmp_path, entries) -> QSettings:
    path = tmp_path / "crowded.ini"
    store = QSettings(str(path), QSettings.Format.IniFormat)
    store.setValue("recent", entries)
    store.sync()
    return QSettings(str(path), QSettings.Format.IniFormat)  # read back from the file


def test_a_window_with_50000_recent_files_is_built_fast_and_shows_the_cap(qtbot, tmp_path):
    def built(settings) -> tuple[MainWindow, float]:
        started = time.perf_counter()
        window = MainWindow(settings=settings)
        qtbot.addWidget(window)
        window.show()
        qtbot.waitExposed(window)
        return window, time.perf_counter() - started

    # Side by side with an empty list, so a busy machine slows both alike.
    (tmp_path / "plain").mkdir()
    _plain, baseline = built(_crowded(tmp_path / "plain", []))
    window, elapsed = built(_crowded(tmp_path, [f"/scenes/scene_{i:05d}.json"
                                                for i in range(MANY)]))
    assert elapsed < 1.5 * baseline + 0.5, f"{elapsed:.2f} s against {baseline:.2f} s"
    assert len(window.recent_menu.actions()) == MAX_RECENT
    assert window.recent_files() == [f"/scenes/scene_{i:05d}.json" for i in range(MAX_RECENT)]


def test_the_cut_list_is_stored_back_so_the_cost_is_paid_once(tmp_path):
    settings = _crowded(tmp_path, [f"/s/{i}.json" for i in range(MANY)])
    WindowSettings(settings).recent_files()
    settings.sync()
    again = QSettings(settings.fileName(), QSettings.Format.IniFormat)
    assert len(again.value("recent")) == MAX_RECENT


def test_entries_that_are_not_paths_are_dropped(settings):
    settings.setValue("recent", ["/a.json", 7, "", None, "/a.json", "/b.json"])
    assert WindowSettings(settings).recent_files() == ["/a.json", "/b.json"]
    settings.setValue("recent", 12)
    assert WindowSettings(settings).recent_files() == []
