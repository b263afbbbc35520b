"""explorer.files.write_atomic: the one way scenes and exports are written."""

import os
import stat

import pytest

from explorer import scene as scene_file
from explorer.errors import InputError
from explorer.files import write_atomic


def _mode(path):
    return stat.S_IMODE(os.stat(path).st_mode)


@pytest.mark.parametrize("umask", [0o022, 0o077, 0o002])
def test_a_saved_file_gets_the_mode_of_any_save(tmp_path, umask):
    """Issue 13 / 9: mkstemp left every saved scene and export at 0600."""
    old = os.umask(umask)
    try:
        written = write_atomic(tmp_path / "a.txt", "hello")
        scene = scene_file.save(tmp_path / "scene.json", {"loss": {}})
        plain = tmp_path / "plain.txt"
        plain.write_text("x")
    finally:
        os.umask(old)
    assert _mode(written) == _mode(scene) == _mode(plain) == 0o666 & ~umask


def test_text_bytes_and_a_writer_all_land_whole(tmp_path):
    assert write_atomic(tmp_path / "t", "é").read_text(encoding="utf-8") == "é"
    assert write_atomic(tmp_path / "b", b"\x00\x01").read_bytes() == b"\x00\x01"
    assert write_atomic(tmp_path / "w", lambda tmp: tmp.write_text("by writer")).read_text() \
        == "by writer"


def test_a_failed_write_keeps_the_old_file_and_leaves_no_temporary(tmp_path):
    target = tmp_path / "keep.json"
    target.write_text("old")

    def broken(tmp):
        tmp.write_text("half")
        raise OSError(28, "No space left on device")

    with pytest.raises(InputError, match="No space left on device.*previous file is unchanged"):
        write_atomic(target, broken)
    assert target.read_text() == "old"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["keep.json"]


def test_a_missing_folder_is_named(tmp_path):
    with pytest.raises(InputError, match="does not exist") as caught:
        write_atomic(tmp_path / "nope" / "a.png", "x")
    assert caught.value.field == "path"


def test_an_interrupted_writer_leaves_no_temporary(tmp_path):
    """Not only OSError: any exception (a bug, Ctrl+C) removes the temporary file."""
    target = tmp_path / "keep.json"
    target.write_text("old")

    def interrupted(tmp):
        tmp.write_text("half")
        raise KeyboardInterrupt

    with pytest.raises(KeyboardInterrupt):
        write_atomic(target, interrupted)
    assert target.read_text() == "old"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["keep.json"]


def test_a_failed_rename_keeps_the_old_file(tmp_path, monkeypatch):
    target = tmp_path / "keep.json"
    target.write_text("old")

    def refused(*args):
        raise PermissionError(13, "Permission denied")

    monkeypatch.setattr(os, "replace", refused)
    with pytest.raises(InputError, match="Permission denied.*previous file is unchanged"):
        write_atomic(target, "new")
    assert target.read_text() == "old"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["keep.json"]


def test_saving_never_changes_the_umask(tmp_path, monkeypatch):
    """Reading the umask with os.umask would set it to 0 for every thread for a moment."""

    def no_umask(*args):
        raise AssertionError("write_atomic must not call os.umask")

    monkeypatch.setattr(os, "umask", no_umask)
    write_atomic(tmp_path / "a.txt", "x")


def test_the_temporary_file_sits_beside_the_target(tmp_path):
    """Beside it, so the rename stays on one file system and is atomic."""
    seen = []
    write_atomic(tmp_path / "a.png", lambda tmp: seen.append(tmp) or tmp.write_bytes(b"png"))
    assert seen[0].parent == tmp_path and seen[0].name.startswith(".a.png.")


def test_a_save_removes_the_temporary_files_of_saves_that_died(tmp_path):
    """Issue 16: kill -9 during an export left hidden ``.name.XXXX.part`` files behind."""
    import time

    from explorer.files import STALE_SECONDS

    target = tmp_path / "scene.json"
    stale = tmp_path / ".scene.json.0a1b2c3d.part"
    fresh = tmp_path / ".scene.json.deadbeef.part"  # a save running now, elsewhere
    other = tmp_path / ".other.json.0a1b2c3d.part"  # not this target's
    for part in (stale, fresh, other):
        part.write_text("half")
    old = time.time() - STALE_SECONDS - 60
    os.utime(stale, (old, old))
    os.utime(other, (old, old))
    write_atomic(target, "whole")
    assert target.read_text() == "whole"
    assert not stale.exists()
    assert fresh.exists() and other.exists()


def test_a_nul_byte_in_a_path_is_an_input_error(tmp_path):
    with pytest.raises(InputError, match="NUL"):
        write_atomic(str(tmp_path / "a\0b.png"), "x")
