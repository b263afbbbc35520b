"""ui.window.settings: what the window remembers, and how it falls back on odd values."""

from PySide6.QtCore import QByteArray

from ui.window.settings import MAX_RECENT, WindowSettings


def test_a_fresh_store_gives_the_defaults(settings):
    s = WindowSettings(settings)
    assert s.geometry() is None
    assert (s.theme(), s.page(3), s.device(), s.recent_files()) == ("light", 0, "cpu", [])


def test_saved_values_come_back(settings):
    WindowSettings(settings).save(QByteArray(b"geom"), "dark", 2, "cuda:0")
    s = WindowSettings(settings)
    assert (bytes(s.geometry()), s.theme(), s.page(3), s.device()) == (
        b"geom", "dark", 2, "cuda:0")


def test_saving_without_a_geometry_keeps_the_saved_one(settings):
    """While presenting the window is full screen: that is not the geometry to reopen with."""
    WindowSettings(settings).save(QByteArray(b"normal"), "light", 0, "cpu")
    WindowSettings(settings).save(None, "dark", 1, "cpu")
    assert bytes(WindowSettings(settings).geometry()) == b"normal"


def test_odd_values_fall_back(settings):
    for key, value in (("theme", "neon"), ("page", "-1"), ("geometry", "not bytes")):
        settings.setValue(key, value)
    s = WindowSettings(settings)
    assert (s.theme(), s.page(3), s.geometry()) == ("light", 0, None)
    settings.setValue("page", 3)
    assert s.page(3) == 0 and s.page(4) == 3


def test_recent_files_newest_first_once_each_and_capped(settings, tmp_path):
    s = WindowSettings(settings)
    paths = [str(tmp_path / f"{i}.json") for i in range(MAX_RECENT + 3)]
    for path in paths:
        s.remember(path)
    newest = paths[::-1][:MAX_RECENT]
    assert s.recent_files() == newest
    again = s.remember(paths[4])  # already in the list: moves to the front, not twice
    assert again == [paths[4]] + [p for p in newest if p != paths[4]]
    assert s.recent_files() == again


def test_one_recent_file_read_back_as_a_string_is_a_list(settings):
    settings.setValue("recent", "/one/scene.json")  # what the INI format gives for one entry
    assert WindowSettings(settings).recent_files() == ["/one/scene.json"]
