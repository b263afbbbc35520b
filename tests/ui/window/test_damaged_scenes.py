"""A damaged scene file never changes the scene on show (issue 16: 23 of 724 did).

Damaged files are made from the shipped example scenes the way files get damaged: a value
replaced by one of another type or size, a part cut off, a byte flipped. Each is opened in
one real window; it either opens whole, or is refused with a message and every page keeps
what it showed. What opens saves and opens again.
"""

from __future__ import annotations

import json
import random

import pytest

from explorer import RESOURCES
from explorer import scene as scene_file

EXAMPLES = sorted((RESOURCES / "scenes").glob("*.json"))
ODD_VALUES = [float("inf"), -float("inf"), 2**40, 2**64, -1, 0, 1e19, 1e39, "abc", "12", [1], [],
              {}, None, True, [True], {"a": 1}, 5, 1.5]


def _paths(data, path=()):
    yield path
    if isinstance(data, dict):
        for key, value in data.items():
            yield from _paths(value, (*path, key))
    elif isinstance(data, list):
        for index, value in enumerate(data):
            yield from _paths(value, (*path, index))


def _damaged(count: int, seed: int = 16) -> list[tuple[str, str]]:
    """``count`` (name, text) pairs, each an example scene damaged one way."""
    rng = random.Random(seed)
    out = []
    for n in range(count):
        source = rng.choice(EXAMPLES)
        text = source.read_text()
        how = n % 4
        if how < 2:  # a value replaced
            data = json.loads(text)
            paths = [p for p in _paths(data["pages"]) if p]
            path = rng.choice(paths)
            holder = data["pages"]
            for key in path[:-1]:
                holder = holder[key]
            holder[path[-1]] = rng.choice(ODD_VALUES)
            text = json.dumps(data)  # writes Infinity for inf, as a careless tool would
        elif how == 2:  # cut off
            text = text[: rng.randrange(1, len(text))]
        else:  # a byte flipped
            at = rng.randrange(len(text))
            text = text[:at] + rng.choice("{}[],:\"0-e9x") + text[at + 1:]
        out.append((f"{source.stem}-{n}", text))
    return out


@pytest.fixture
def window(qtbot, settings, monkeypatch):
    from ui.window.main_window import MainWindow

    window = MainWindow(settings=settings)
    qtbot.addWidget(window)
    window.messages = []
    monkeypatch.setattr("ui.window.main_window.QMessageBox.warning",
                        lambda *a: window.messages.append(a[2]))
    yield window
    for page in window.built_pages():
        page.shutdown()


def test_damaged_scenes_open_whole_or_change_nothing(window, tmp_path):
    window.pages[0].set_scene({"loss": "L1Loss", "seed": 5})  # an edited page to keep
    opened = refused = 0
    for name, text in _damaged(96):
        before = window.scene()
        path = tmp_path / f"{name}.json"
        path.write_text(text)
        if window.open_scene(path, remember=False):
            opened += 1
            again = tmp_path / "again.json"
            assert window.save_scene(again), name
            assert scene_file.read(again), name  # what opened saves and opens again
        else:
            refused += 1
            assert window.scene() == before, name
            assert "unchanged" in window.messages[-1] and "Traceback" not in window.messages[-1]
    assert opened and refused > opened  # most damage is refused, some is harmless
