"""The shipped example scenes are exactly what tools/make_example_scenes.py writes."""

import importlib.util
import json

from explorer import RESOURCES, scene

TOOL = RESOURCES.parent / "tools" / "make_example_scenes.py"
SHIPPED = RESOURCES / "scenes"


def _tool():
    spec = importlib.util.spec_from_file_location("make_example_scenes", TOOL)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_the_committed_scenes_are_the_tools_output(tmp_path, capsys):
    _tool().main(tmp_path)
    written = {p.name: p.read_text() for p in tmp_path.glob("*.json")}
    shipped = {p.name: p.read_text() for p in SHIPPED.glob("*.json")}
    assert sorted(written) == sorted(shipped), "run tools/make_example_scenes.py"
    differ = [name for name in written if written[name] != shipped[name]]
    assert not differ, f"run tools/make_example_scenes.py: {', '.join(differ)} differ"


def test_the_shipped_scenes_are_the_current_version():
    for path in SHIPPED.glob("*.json"):
        assert json.loads(path.read_text())["version"] == scene.VERSION, path.name
        assert scene.load(path)  # and they open
