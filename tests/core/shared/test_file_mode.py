"""Every save gets 0o666 less the umask, whatever the writer did to its temporary file."""

import os
import stat
import tempfile

import pytest

from explorer import scene as scene_file
from explorer.files import write_atomic


def _mode(path):
    return stat.S_IMODE(os.stat(path).st_mode)


def _swapping_writer(tmp):
    """Write as encoders that make their own mkstemp file (mode 0600) and rename it over."""
    fd, other = tempfile.mkstemp(dir=tmp.parent)
    with os.fdopen(fd, "w") as handle:
        handle.write("encoded")
    os.replace(other, tmp)


@pytest.mark.parametrize("umask", [0o022, 0o077, 0o002, 0o027])
def test_a_writer_that_swaps_in_its_own_file_still_gets_the_umask(tmp_path, umask):
    old = os.umask(umask)
    try:
        written = write_atomic(tmp_path / "movie.gif", _swapping_writer)
    finally:
        os.umask(old)
    assert written.read_text() == "encoded"
    assert _mode(written) == 0o666 & ~umask


def test_a_replaced_file_takes_the_mode_of_a_new_save_not_the_old_one(tmp_path):
    target = tmp_path / "scene.json"
    target.write_text("{}")
    os.chmod(target, 0o600)
    old = os.umask(0o022)
    try:
        scene_file.save(target, {"loss": {}})
    finally:
        os.umask(old)
    assert _mode(target) == 0o644
