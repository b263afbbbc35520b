"""The one way the program writes a file: atomically, with the permissions any save gets.

The data goes to a temporary file beside the target, is flushed to disk and renamed over
the target. The temporary file is created as ``mkstemp`` creates one (a fresh random name,
``O_EXCL``) but with mode ``0o666``, so the kernel applies the umask exactly as for an
ordinary ``open(path, "w")``; ``mkstemp`` itself would leave every save at ``0o600``, and
reading the umask with ``os.umask`` would briefly change it for every thread. The mode the
kernel gave is read back from the new file, and the finished file is set to it before the
rename, so a writer that swapped in a file of its own cannot leave another mode. A failure
leaves the old file whole and no temporary file behind (one left by a save that was killed
is removed by the next save of that file), and becomes an
:class:`InputError` that names the path and the reason.
"""

from __future__ import annotations

import glob
import os
import re
import secrets
import stat
import time
from collections.abc import Callable
from pathlib import Path

from explorer.errors import InputError

_FLAGS = os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_BINARY", 0)
_ATTEMPTS = 100
_PART = re.compile(r"[0-9a-f]{8}\.part")
STALE_SECONDS = 600
"""A temporary file beside a target older than this was left by a save that died (a kill -9,
a power cut): the next save of that target removes it. A save in progress is younger."""


def write_atomic(path: str | Path, write: Callable[[Path], None] | str | bytes) -> Path:
    """Write ``path`` through a temporary file: ``write(tmp)`` fills it (or text / bytes).

    Parameters
    ----------
    path
        The file to create or replace.
    write
        The content (``str`` is written as UTF-8), or a function that writes the file
        it is given (for writers that take a path, such as Qt's image writers).

    Returns
    -------
    Path
        ``path``, now holding the whole new content, with mode ``0o666`` less the umask.

    Raises
    ------
    InputError
        (field ``"path"``) if the folder does not exist or the file cannot be written;
        the previous file at ``path`` is then unchanged.
    """
    path = Path(path)
    if "\0" in str(path):
        raise InputError(f"Cannot save {str(path)!r}: a file name cannot hold a NUL character.",
                         field="path")
    folder = path.parent if str(path.parent) else Path(".")
    if not folder.is_dir():
        raise InputError(
            f"Cannot save '{path}': the folder '{folder}' does not exist.", field="path"
        )
    remove_stale(path)
    try:
        fd, tmp = _temporary(folder, path.name)
        mode = stat.S_IMODE(os.fstat(fd).st_mode)  # 0o666 less the umask, as the kernel made it
    except OSError as exc:
        raise InputError(f"Cannot save '{path}': {exc.strerror or exc}.", field="path") from exc
    try:
        with os.fdopen(fd, "wb") as handle:
            if isinstance(write, str | bytes):
                handle.write(write.encode("utf-8") if isinstance(write, str) else write)
        if callable(write):
            write(tmp)
        with open(tmp, "rb+") as handle:
            os.fsync(handle.fileno())
        # A writer that replaced the file it was given (its own mkstemp and rename, as
        # some encoders do) left that file's mode: every save gets the umask's mode.
        _set_mode(tmp, mode)
        os.replace(tmp, path)
    except OSError as exc:
        tmp.unlink(missing_ok=True)
        raise InputError(
            f"Cannot save '{path}': {exc.strerror or exc}. The previous file is unchanged.",
            field="path",
        ) from exc
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise
    return path


def remove_stale(path: Path, older_than: float = STALE_SECONDS) -> list[Path]:
    """Remove the temporary files that dead saves of ``path`` left beside it; returns them.

    Only names this module makes (``.NAME.XXXXXXXX.part``) that are older than
    ``older_than`` seconds are removed, so a save running now in another process is kept.
    """
    folder = path.parent if str(path.parent) else Path(".")
    now = time.time()
    removed = []
    try:
        candidates = list(folder.glob(f".{glob.escape(path.name)}.*.part"))
    except OSError:
        return removed
    for tmp in candidates:
        if not _PART.fullmatch(tmp.name[len(path.name) + 2:]):
            continue
        try:
            if now - tmp.stat().st_mtime > older_than:
                tmp.unlink()
                removed.append(tmp)
        except OSError:
            continue  # gone already, or not ours to remove: the save goes on regardless
    return removed


def _set_mode(tmp: Path, mode: int) -> None:
    if stat.S_IMODE(os.stat(tmp).st_mode) != mode:
        os.chmod(tmp, mode)


def _temporary(folder: Path, name: str) -> tuple[int, Path]:
    """A new, empty file beside the target, opened for writing: ``(descriptor, path)``."""
    for _ in range(_ATTEMPTS):
        tmp = folder / f".{name}.{secrets.token_hex(4)}.part"
        try:
            return os.open(tmp, _FLAGS, 0o666), tmp
        except FileExistsError:
            continue
    raise FileExistsError(f"no free temporary name beside '{name}'")
