"""Encode an animation from RGB frames (numpy arrays), taken one at a time: GIF or MP4.

Both go through PyAV (FFmpeg's encoders, shipped in its wheel): MP4 as H.264, GIF with
each frame reduced to 256 colours by Pillow's median cut (the quantizer Pillow's own GIF
writer uses: the same colours, measured equal). Frames are pulled from an iterable as the
encoder needs them and let go once encoded, so no one holds a run's frames (napari-animation's
issue #115: capture slowed as frames piled up). Pillow's GIF writer (``save_all``) was not
used: it keeps a palette copy of every frame until the file is closed (120 frames of
1280 x 720: +223 MiB against +97 MiB here, most of that the frames being drawn); FFmpeg's
GIF encoder keeps only the previous frame to find what changed. The file is written
atomically (:func:`explorer.files.write_atomic`): a failure or a cancel leaves no partial
file.
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
    _av(path.suffix.lower())
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
    _encode(tmp, frames, fps, "gif", "gif", "pal8",
            lambda av, frame: av.VideoFrame.from_ndarray(_palette_frame(image, frame),
                                                         format="pal8"))


def _write_mp4(tmp: Path, frames: Iterator[np.ndarray], fps: int) -> None:
    _encode(tmp, frames, fps, "mp4", _mp4_codec(), "yuv420p",
            lambda av, frame: av.VideoFrame.from_ndarray(frame, format="rgb24"))


def _encode(tmp, frames, fps, container_format, codec, pix_fmt, to_video_frame) -> None:
    """Encode and write each frame as it comes: the encoder keeps at most a few."""
    av = _av()
    with av.open(str(tmp), mode="w", format=container_format) as container:
        stream = None
        for frame in frames:
            if stream is None:
                stream = container.add_stream(codec, rate=fps)
                # yuv420p, which every player takes, needs even sides: drop an odd last row
                even = pix_fmt == "yuv420p"
                stream.height, stream.width = (s - s % 2 if even else s
                                               for s in frame.shape[:2])
                stream.pix_fmt = pix_fmt
            frame = np.ascontiguousarray(frame[:stream.height, :stream.width])
            for packet in stream.encode(to_video_frame(av, frame)):
                container.mux(packet)
        for packet in stream.encode():  # flush what the encoder still holds
            container.mux(packet)


def _palette_frame(image, frame: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """``frame`` as 256 colours: ``(indices H x W, palette 256 x 4 ARGB)``, what FFmpeg's
    GIF encoder takes (``pal8``)."""
    indexed = image.fromarray(frame).quantize(256)
    colours = np.frombuffer(bytes(indexed.getpalette()), np.uint8).reshape(-1, 3)
    palette = np.zeros((256, 4), np.uint8)
    palette[:, 0] = 255  # opaque
    palette[:len(colours), 1:] = colours[:256]
    return np.asarray(indexed), palette


def _pillow():
    try:
        from PIL import Image
    except ImportError as exc:
        raise InputError("GIF export needs Pillow (for the colours), which is not installed: "
                         "run 'pip install pillow', or save as .mp4.", field="path") from exc
    return Image


def _av(suffix: str = ".mp4"):
    try:
        import av
    except ImportError as exc:
        kind = "GIF" if suffix == ".gif" else "MP4"
        raise InputError(f"{kind} export needs PyAV, which is not installed: run "
                         f"'pip install av'.", field="path") from exc
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
