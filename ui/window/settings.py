"""What the window remembers between runs (QSettings): geometry, theme, lab, device, recent files.

The keys and their fallbacks live here only; the window asks for typed values and never
reads a raw ``QSettings`` value itself. A value another version wrote, or a hand-edited
file, falls back to the default instead of failing at start-up.
"""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import QByteArray, QSettings

from ui.common import theme

MAX_RECENT = 8


class WindowSettings:
    """The window's preferences in ``store`` (by default the user's own QSettings)."""

    def __init__(self, store: QSettings | None = None):
        self._store = store or QSettings("Training Explorer", "Training Explorer")

    def geometry(self) -> QByteArray | None:
        """The saved window geometry, or None before the first close."""
        value = self._store.value("geometry")
        return value if isinstance(value, QByteArray) and not value.isEmpty() else None

    def theme(self) -> str:
        name = str(self._store.value("theme", theme.LIGHT.name))
        return name if name in theme.THEMES else theme.LIGHT.name

    def page(self, count: int) -> int:
        """The lab shown last; a page that no longer exists (fewer labs, an edited file) is 0."""
        value = str(self._store.value("page", 0))
        return int(value) if value.isdigit() and int(value) < count else 0

    def device(self) -> str:
        return str(self._store.value("device", "cpu"))

    def save(self, geometry: QByteArray | None, theme: str, page: int, device: str) -> None:
        """Store the window's state; ``geometry`` None keeps the saved one (presentation)."""
        if geometry is not None:
            self._store.setValue("geometry", geometry)
        self._store.setValue("theme", theme)
        self._store.setValue("page", page)
        self._store.setValue("device", device)
        self._store.sync()

    def recent_files(self) -> list[str]:
        """Scene files opened or saved lately, newest first: at most ``MAX_RECENT``.

        A longer list (a hand-edited or damaged file) is cut when read, non-text entries
        are dropped, and the cut list is stored back, so the cost is paid once. (PySide's
        ``QSettings.value`` hands over a string list whole; nothing reads part of one.)
        """
        value = self._store.value("recent", [])
        if isinstance(value, str):  # QSettings' INI format gives one entry as a string
            value = [value]
        if not isinstance(value, list):
            return []
        recent = _first_paths(value, MAX_RECENT)
        if len(value) > MAX_RECENT or len(recent) < len(value):
            self._store.setValue("recent", recent)
        return recent

    def remember(self, path: str | Path) -> list[str]:
        """Put ``path`` first in the recent files (once, at most MAX_RECENT); returns them."""
        recent = [str(path)] + [p for p in self.recent_files() if p != str(path)]
        self._store.setValue("recent", recent[:MAX_RECENT])
        return self.recent_files()


def _first_paths(values: list, most: int) -> list[str]:
    """The first ``most`` distinct non-empty strings of ``values``, looking no further."""
    paths: list[str] = []
    for value in values:
        if isinstance(value, str) and value and value not in paths:
            paths.append(value)
            if len(paths) == most:
                break
    return paths
