"""--export-animation: GIF and MP4 of a run, read back; a bad request is a message."""

import gc
import sys
import weakref
from dataclasses import replace

import av
import imageio.v3 as iio
import numpy as np
import pytest

import main
from explorer import animation
from explorer import scene as scene_file
from explorer.descent.scene import DescentScene
from explorer.errors import InputError
from explorer.training.scene import BatchScene


@pytest.fixture
def short_scene(tmp_path):
    batch = BatchScene()
    return scene_file.save(tmp_path / "short.json", {
        "descent": replace(DescentScene(), steps=5).to_dict(),
        "batch": replace(batch, config=replace(batch.config, epochs=3)).to_dict(),
    })


def _frames_differ(frames):
    return all(not np.array_equal(a, b) for a, b in zip(frames, frames[1:], strict=False))


def test_descent_gif_has_a_frame_per_step(qapp, tmp_path, short_scene, capsys):
    out = tmp_path / "descent.gif"
    assert main.main(["--export-animation", str(out), "--scene", str(short_scene),
                      "--fps", "5", "--width", "200"]) == 0
    frames = iio.imread(out, index=None)
    assert frames.shape[0] == 6  # steps 0 to 5
    assert frames.shape[2] == 200
    assert _frames_differ(list(frames))
    assert "6 frames" in capsys.readouterr().out


def test_batch_mp4_has_a_frame_per_epoch(qapp, tmp_path, short_scene):
    out = tmp_path / "batch.mp4"
    assert main.main(["--export-animation", str(out), "--scene", str(short_scene),
                      "--lab", "batch", "--width", "160"]) == 0
    with av.open(str(out)) as container:
        frames = [f.to_ndarray(format="rgb24") for f in container.decode(video=0)]
    assert len(frames) == 3
    assert frames[0].shape[1] == 160
    assert _frames_differ(frames)


@pytest.mark.parametrize("argv, words", [
    (["--export-animation", "run.avi"], "run.gif"),
    (["--export-animation", "run.gif", "--fps", "0"], "frame rate"),
    (["--export-animation", "run.mp4", "--width", "10"], "width"),
    (["--export-animation", "run.gif", "--lab", "loss"], "descent or batch"),
    (["--export-animation", "run.gif", "--scene", "no-such.json"], "no-such.json"),
])
def test_a_bad_request_is_a_message_not_a_traceback(tmp_path, monkeypatch, capsys, argv,
                                                    words):
    monkeypatch.chdir(tmp_path)
    assert main.main(argv) == 2
    said = capsys.readouterr().err
    assert words in said and said.startswith("training-explorer: ")
    assert list(tmp_path.iterdir()) == []


@pytest.mark.parametrize("suffix", [".gif", ".mp4"])
def test_frames_are_not_held_by_the_writer(tmp_path, suffix):
    """Each frame array is let go once encoded (napari-animation #115: frames piling up)."""
    alive = []

    def produce():
        for i in range(6):
            gc.collect()
            assert sum(ref() is not None for ref in alive) <= 2, f"frame {i}"
            frame = np.full((32, 48, 3), 20 * i, np.uint8)
            alive.append(weakref.ref(frame))
            yield frame

    assert animation.write_animation(tmp_path / f"a{suffix}", produce(), 5) == 6


def test_a_cancel_or_a_bad_frame_leaves_no_file(tmp_path):
    def cancelled():
        yield np.zeros((32, 32, 3), np.uint8)
        raise KeyboardInterrupt

    for suffix in (".gif", ".mp4"):
        with pytest.raises(KeyboardInterrupt):
            animation.write_animation(tmp_path / f"a{suffix}", cancelled(), 5)
        sizes = iter([np.zeros((32, 32, 3), np.uint8), np.zeros((40, 32, 3), np.uint8)])
        with pytest.raises(InputError, match="one size"):
            animation.write_animation(tmp_path / f"b{suffix}", sizes, 5)
        with pytest.raises(InputError, match="no frames"):
            animation.write_animation(tmp_path / f"c{suffix}", iter([]), 5)
    assert list(tmp_path.iterdir()) == []


def test_a_missing_codec_is_named(monkeypatch):
    monkeypatch.setattr(animation, "MP4_CODECS", ("no-such-encoder",))
    with pytest.raises(InputError, match="no H.264"):
        animation.check_request("run.mp4", 10, 640)
    monkeypatch.setitem(sys.modules, "PIL", None)
    with pytest.raises(InputError, match="needs Pillow"):
        animation.check_request("run.gif", 10, 640)


def _descent_page(qtbot):
    from PySide6.QtWidgets import QMainWindow

    from ui.descent.panel import DescentPanel

    window = QMainWindow()
    qtbot.addWidget(window)
    page = DescentPanel()
    window.setCentralWidget(page)
    page.set_scene(replace(DescentScene(), steps=4, current_step=2))
    return window, page


def test_the_menu_entry_writes_the_pages_run_and_leaves_the_page_alone(qtbot, tmp_path):
    from ui.window.animation_dialog import export_page_animation

    window, page = _descent_page(qtbot)
    before = page.scene()
    out = tmp_path / "run.gif"
    assert export_page_animation(window, page, str(out), fps=5, width=160) == 5
    assert iio.imread(out, index=None).shape[:3] == (5, iio.imread(out, index=0).shape[0], 160)
    assert window.statusBar().currentMessage() == f"Saved {out} (5 frames)"
    assert page.scene() == before
    page.shutdown()


def test_cancel_in_the_progress_dialog_writes_nothing(qtbot, tmp_path, monkeypatch):
    from PySide6.QtWidgets import QProgressDialog

    from ui.window.animation_dialog import export_page_animation

    window, page = _descent_page(qtbot)
    monkeypatch.setattr(QProgressDialog, "wasCanceled", lambda self: True)
    assert export_page_animation(window, page, str(tmp_path / "run.mp4"), width=160) is None
    assert list(tmp_path.iterdir()) == []
    assert "cancelled" in window.statusBar().currentMessage()
    page.shutdown()


def test_gif_frames_are_encoded_as_they_come_not_kept_until_the_file_closes(tmp_path):
    """Pillow's ``save_all`` kept a palette image of every frame until it wrote the file:
    issue 13 asks for frames streamed to the writer. Counts the images alive per frame."""
    from PIL import Image

    def images_alive() -> int:
        gc.collect()
        return sum(issubclass(type(o), Image.Image) for o in gc.get_objects())

    alive = []

    def produce():
        for i in range(12):
            alive.append(images_alive())
            frame = np.zeros((40, 64, 3), np.uint8)
            frame[:, : 5 * (i + 1)] = (200, 30 + 15 * i, 90)  # a bar that grows
            yield frame

    assert animation.write_animation(tmp_path / "a.gif", produce(), 10) == 12
    assert max(alive) - alive[0] <= 2, alive


def test_gif_keeps_the_frames_colours_and_rate(tmp_path):
    rng = np.random.default_rng(0)
    ramp = np.linspace(0, 255, 96).astype(np.uint8)
    frames = []
    for i in range(4):
        frame = np.empty((48, 96, 3), np.uint8)
        frame[..., 0], frame[..., 1] = ramp[None, :], ramp[::-1][None, :]
        frame[..., 2] = 40 * i
        frame[: 8 * (i + 1), :10] = rng.integers(0, 255, 3)
        frames.append(frame)
    animation.write_animation(tmp_path / "a.gif", iter(frames), 5)
    back = iio.imread(tmp_path / "a.gif", index=None, mode="RGB")
    assert back.shape == (4, 48, 96, 3)
    errors = [np.abs(b.astype(int) - f.astype(int)).mean() for b, f in zip(back, frames,
                                                                         strict=True)]
    assert max(errors) < 2.0, errors  # 256 colours of a 2-colour ramp: near exact
    meta = iio.immeta(tmp_path / "a.gif", index=0)
    assert meta["duration"] == 200 and meta.get("loop") == 0, meta


@pytest.mark.parametrize("name, kind", [("run.gif", "GIF"), ("run.mp4", "MP4")])
def test_a_missing_pyav_is_named_for_the_format_asked(monkeypatch, name, kind):
    monkeypatch.setitem(sys.modules, "av", None)
    with pytest.raises(InputError, match=f"{kind} export needs PyAV.*pip install av"):
        animation.check_request(name, 10, 640)
