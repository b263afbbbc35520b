"""Encode an animation from RGB frames (numpy arrays), taken one at a time: GIF or MP4.

GIF goes through Pillow, MP4 (H.264) through PyAV; both ship their codecs in their wheels.
Frames are pulled from an iterable as the encoder needs them, so the caller never holds
a run's frames in a list (napari-animation's issue #115: capture slowed as frames piled
up). MP4 frames go straight into the encoder; Pillow's GIF writer keeps its own
palette (one byte a pixel) copy of each frame until it writes the file, as any GIF
encoder that chooses frame deltas must. The file is written atomically
(:func:`explorer.files.write_atomic`): a failure or a cancel leaves no partial file.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from pathlib import Path

import numpy as np

from explorer.errors import InputError
from explorer.files import write_atomic
from explorer.inputs import check_whole

FORMATS = {".gif": "GIF animation", ".mp4": "MP4 video (H.264)"}
MAX_FPS = 60
MIN_WIDTH, MAX_WIDTH = 64, 3840
#: H.264 encoders in the order tried; MPEG-4 part 2 if a build has none.
MP4_CODECS = ("libx264", "h264", "libopenh264", "mpeg4")


def check_request(path: str | Path, fps: object, width: object) -> tuple[Path, int, int]:
    """``(path, fps, width)`` checked: a ``.gif`` or ``.mp4`` name, 1 to ``MAX_FPS`` frames
    a second, ``MIN_WIDTH`` to ``MAX_WIDTH`` pixels, and the codec for that format present.

    Raises
    ------
    InputError
        (field ``"path"``, ``"fps"`` or ``"width"``) saying what to change.
    """
    path = Path(path)
    if path.suffix.lower() not in FORMATS:
        raise InputError(f"Cannot write an animation to '{path.name}': name the file "
                         f"'{path.stem}.gif' or '{path.stem}.mp4'.", field="path")
    fps = check_whole(fps, "fps", "The frame rate (frames per second)", 1, MAX_FPS)
    width = check_whole(width, "width", "The animation width (pixels)", MIN_WIDTH, MAX_WIDTH)
    if path.suffix.lower() == ".gif":
        _pillow()
    else:
        _mp4_codec()
    return path, fps, width


def write_animation(path: str | Path, frames: Iterable[np.ndarray], fps: int) -> int:
    """Encode ``frames`` (each ``H x W x 3``, ``uint8``, all the same size) into ``path``.

    Returns
    -------
    int
        The number of frames written.

    Raises
    ------
    InputError
        For a bad name or rate, a missing codec, no frames, frames of different sizes, or
        a file that cannot be written. Any exception from ``frames`` (a cancel) propagates
        and leaves no file behind.
    """
    path, fps, _width = check_request(path, fps, MIN_WIDTH)
    counted = _Counted(frames)
    encode = _write_gif if path.suffix.lower() == ".gif" else _write_mp4
    write_atomic(path, lambda tmp: encode(tmp, iter(counted), fps))
    return counted.count


class _Counted:
    """The frames, checked and counted as the encoder takes them."""

    def __init__(self, frames: Iterable[np.ndarray]):
        self._frames = frames
        self.count = 0
        self._shape: tuple[int, ...] | None = None

    def __iter__(self) -> Iterator[np.ndarray]:
        for frame in self._frames:
            frame = np.asarray(frame)
            if frame.ndim != 3 or frame.shape[2] != 3 or frame.dtype != np.uint8:
                raise InputError(f"A frame must be H x W x 3 bytes (RGB); got {frame.shape} "
                                 f"{frame.dtype}.", field="frames")
            if self._shape is not None and frame.shape != self._shape:
                raise InputError(f"Frame {self.count + 1} is {frame.shape[1]} x "
                                 f"{frame.shape[0]} px, the first was {self._shape[1]} x "
                                 f"{self._shape[0]}: every frame must have one size.",
                                 field="frames")
            self._shape = frame.shape
            self.count += 1
            yield frame
        if self.count == 0:
            raise InputError("The animation has no frames: there is nothing to play.",
                             field="frames")


def _write_gif(tmp: Path, frames: Iterator[np.ndarray], fps: int) -> None:
    image = _pillow()
    first = next(frames)
    rest = (image.fromarray(frame) for frame in frames)  # converted as Pillow takes them
    image.fromarray(first).save(tmp, format="GIF", save_all=True, append_images=rest,
                                duration=round(1000 / fps), loop=0)


def _write_mp4(tmp: Path, frames: Iterator[np.ndarray], fps: int) -> None:
    av = _av()
    codec = _mp4_codec()
    with av.open(str(tmp), mode="w", format="mp4") as container:
        stream = None
        for frame in frames:
            if stream is None:
                stream = container.add_stream(codec, rate=fps)
                # yuv420p, which every player takes, needs even sides: drop an odd last row
                stream.height, stream.width = (s - s % 2 for s in frame.shape[:2])
                stream.pix_fmt = "yuv420p"
            frame = np.ascontiguousarray(frame[:stream.height, :stream.width])
            for packet in stream.encode(av.VideoFrame.from_ndarray(frame, format="rgb24")):
                container.mux(packet)
        for packet in stream.encode():  # flush what the encoder still holds
            container.mux(packet)


def _pillow():
    try:
        from PIL import Image
    except ImportError as exc:
        raise InputError("GIF export needs Pillow, which is not installed: run "
                         "'pip install pillow', or save as .mp4.", field="path") from exc
    return Image


def _av():
    try:
        import av
    except ImportError as exc:
        raise InputError("MP4 export needs PyAV, which is not installed: run "
                         "'pip install av', or save as .gif.", field="path") from exc
    return av


def _mp4_codec() -> str:
    av = _av()
    for name in MP4_CODECS:
        try:
            av.codec.Codec(name, "w")
        except Exception:  # PyAV raises its own "unknown codec" error types
            continue
        return name
    raise InputError("This PyAV build has no H.264 or MPEG-4 encoder: install the 'av' "
                     "wheel from PyPI, or save as .gif.", field="path")
