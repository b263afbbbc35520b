"""Scene files: versioned JSON, atomic saves, clear refusals."""

import json
import os

import pytest

from explorer import scene
from explorer.errors import InputError

PAGES = {"loss": {"loss": "MSELoss", "seed": 3}, "descent": {"lrs": [0.01, 0.1]}}


def test_round_trip(tmp_path):
    path = scene.save(tmp_path / "a.json", PAGES)
    assert scene.load(path) == PAGES
    data = json.loads(path.read_text())
    assert data["format"] == scene.FORMAT and data["version"] == scene.VERSION


@pytest.mark.parametrize(
    "text, words",
    [
        ('{"format": "training-explorer-scene", "version": 1, "pa', "damaged"),
        ("\x00\x01 garbage", "damaged"),
        (
            '{"format": "something-else", "version": 1, "pages": {}}',
            "not a Training Explorer scene",
        ),
        ('{"format": "training-explorer-scene", "version": 99, "pages": {}}', "newer"),
        ('{"format": "training-explorer-scene", "version": 1, "pages": []}', "no readable pages"),
        ("[1, 2, 3]", "not a Training Explorer scene"),
    ],
)
def test_bad_files_are_refused_with_a_message(tmp_path, text, words):
    path = tmp_path / "bad.json"
    path.write_text(text)
    with pytest.raises(InputError, match=words):
        scene.load(path)


def test_missing_file_says_so(tmp_path):
    with pytest.raises(InputError, match="no file"):
        scene.load(tmp_path / "nope.json")


def test_interrupted_save_keeps_the_old_file(tmp_path, monkeypatch):
    path = scene.save(tmp_path / "keep.json", PAGES)
    before = path.read_text()

    def crash(*args, **kwargs):
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(os, "replace", crash)
    with pytest.raises(InputError, match="No space left"):
        scene.save(path, {"loss": {"loss": "L1Loss"}})
    assert path.read_text() == before
    assert [p.name for p in tmp_path.iterdir()] == ["keep.json"]


def test_save_into_missing_folder_is_an_input_error(tmp_path):
    with pytest.raises(InputError, match="Cannot save"):
        scene.save(tmp_path / "no" / "such" / "x.json", PAGES)


def test_a_version_1_scene_still_opens_and_saves_as_the_current_version(tmp_path):
    """Version 2 nests the Batch page's training set-up under "config"; version 1 was flat."""
    from explorer.training.scene import BatchScene

    old = tmp_path / "old.json"
    old.write_text(json.dumps({"format": scene.FORMAT, "version": 1, "pages": {
        "batch": {"dataset": "iris", "hidden": [8, 8], "batch_size": 30, "epochs": 7,
                  "batch_norm": True, "experiment": "batch_norm"}}}))
    page = BatchScene.from_dict(scene.load(old)["batch"])
    assert page.config.hidden == (8, 8) and page.config.epochs == 7 and page.config.batch_norm
    saved = scene.save(tmp_path / "new.json", {"batch": page.to_dict()})
    data = json.loads(saved.read_text())
    assert data["version"] == scene.VERSION == 2 and "config" in data["pages"]["batch"]
    assert BatchScene.from_dict(scene.load(saved)["batch"]) == page


HEAD = '{"format": "training-explorer-scene", "version": 2, '


@pytest.mark.parametrize(
    "text, words",
    [
        (HEAD + '"pages": {"descent": {"steps": Infinity}}}', "Infinity"),
        (HEAD + '"pages": {"descent": {"steps": NaN}}}', "NaN"),
        (HEAD + '"pages": {"descent": {"steps": -Infinity}}}', "Infinity"),
        (HEAD + '"pages": {"descent": {"lrs": [1e400]}}}', "too large"),
        ('{"format": "training-explorer-scene", "version": ' + "9" * 5000 + ', "pages": {}}',
         "5,000 digits"),
        (HEAD + '"pages": {"descent": ' + "[" * 1000 + "]" * 1000 + "}}", "nested deeper"),
        (HEAD + '"pages": {"loss": {"tensors": ' + "[" * 30 + "]" * 30 + "}}}", "nested deeper"),
        ('{"format": "training-explorer-scene", "version": true, "pages": {}}', "version"),
        ('{"format": "training-explorer-scene", "version": 1.0, "pages": {}}', "version"),
        ('{"format": "training-explorer-scene", "version": "2", "pages": {}}', "version"),
        (HEAD + '"pages": {}, "extra": 1}', "extra"),
        (HEAD + '"pages": {"loss": {"seed": 1, "seed": 2}}}', "given twice"),
    ],
)
def test_the_reader_is_strict(tmp_path, text, words):
    """Issue 16: Infinity reached a spin box, a 5,000-digit version and 1,000-level nesting
    raised outside InputError, ``version: true`` read as version 1."""
    path = tmp_path / "bad.json"
    path.write_text(text)
    with pytest.raises(InputError, match=words):
        scene.load(path)


def test_a_byte_order_mark_is_accepted(tmp_path):
    path = tmp_path / "bom.json"
    path.write_bytes(b"\xef\xbb\xbf" + scene.dumps(PAGES).encode())
    assert scene.load(path) == PAGES
    assert scene.loads("\ufeff" + scene.dumps(PAGES)) == PAGES


def test_a_huge_file_is_refused_before_it_is_read(tmp_path):
    path = tmp_path / "huge.json"
    with open(path, "wb") as handle:
        handle.truncate(scene.MAX_BYTES + 1)
    with pytest.raises(InputError, match="larger than a scene file"):
        scene.load(path)


@pytest.mark.parametrize("bad", ["a\0b.json", "/proc/self/mem/x.json"])
def test_an_unreadable_path_is_an_input_error(bad):
    with pytest.raises(InputError):
        scene.load(bad)


def test_pages_are_checked_whole_and_named():
    checked = scene.check_pages({"loss": {"loss": "MSELoss"}, "descent": {"lrs": [0.1]}})
    assert type(checked["loss"]).__name__ == "LossScene"
    assert checked["descent"].lrs == (0.1,)
    with pytest.raises(InputError, match="page 'lossy'.*pages are loss, descent, batch"):
        scene.check_pages({"lossy": {}})
    with pytest.raises(InputError, match="descent page: .*learning rate") as caught:
        scene.check_pages({"loss": {"loss": "MSELoss"}, "descent": {"lrs": [-1]}})
    assert caught.value.field == "lrs"


def test_every_example_scene_reads_whole():
    from explorer import RESOURCES

    for path in sorted((RESOURCES / "scenes").glob("*.json")):
        assert scene.read(path), path.name
