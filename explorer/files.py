"""The one way the program writes a file: atomically, with the permissions any save gets.

The data goes to a temporary file beside the target, is flushed to disk and renamed over
the target. The temporary file is created as ``mkstemp`` creates one (a fresh random name,
``O_EXCL``) but with mode ``0o666``, so the kernel applies the umask exactly as for an
ordinary ``open(path, "w")``; ``mkstemp`` itself would leave every save at ``0o600``, and
reading the umask with ``os.umask`` would briefly change it for every thread. A failure
leaves the old file whole and no temporary file behind, and becomes an
:class:`InputError` that names the path and the reason.
"""

from __future__ import annotations

import os
import secrets
from collections.abc import Callable
from pathlib import Path

from explorer.errors import InputError

_FLAGS = os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_BINARY", 0)
_ATTEMPTS = 100


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
    folder = path.parent if str(path.parent) else Path(".")
    if not folder.is_dir():
        raise InputError(
            f"Cannot save '{path}': the folder '{folder}' does not exist.", field="path"
        )
    try:
        fd, tmp = _temporary(folder, path.name)
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


def _temporary(folder: Path, name: str) -> tuple[int, Path]:
    """A new, empty file beside the target, opened for writing: ``(descriptor, path)``."""
    for _ in range(_ATTEMPTS):
        tmp = folder / f".{name}.{secrets.token_hex(4)}.part"
        try:
            return os.open(tmp, _FLAGS, 0o666), tmp
        except FileExistsError:
            continue
    raise FileExistsError(f"no free temporary name beside '{name}'")
