"""UI tests fail when they leave a worker thread running or a window open."""

import pytest


@pytest.fixture(autouse=True)
def _no_leftovers(qapp):
    yield
    from PySide6.QtCore import QThreadPool
    from PySide6.QtWidgets import QApplication

    pool = QThreadPool.globalInstance()
    finished = pool.waitForDone(5000)
    assert finished and pool.activeThreadCount() == 0, "a test left a worker thread running"
    QApplication.processEvents()
    open_windows = [w for w in QApplication.topLevelWidgets() if w.isVisible()]
    for w in open_windows:
        w.close()
    assert not open_windows, f"a test left windows open: {open_windows}"


@pytest.fixture
def settings(tmp_path):
    """A QSettings in a temporary file, so tests never touch the user's preferences."""
    from PySide6.QtCore import QSettings

    return QSettings(str(tmp_path / "settings.ini"), QSettings.Format.IniFormat)
