"""The one way the program writes a file: atomically, with the permissions any save gets.

The data goes to a temporary file beside the target, is flushed to disk, gets the mode
an ordinary ``open(path, "w")`` would give (``0o666`` less the umask; ``mkstemp`` alone
would leave ``0o600``), and is renamed over the target. A failure leaves the old file
whole and no temporary file behind, and becomes an :class:`InputError` that names the
path and the reason.
"""

from __future__ import annotations

import os
import tempfile
from collections.abc import Callable
from pathlib import Path

from explorer.errors import InputError


def _umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask


def write_atomic(path: str | Path, write: Callable[[Path], None] | str | bytes) -> Path:
    """Write ``path`` through a temporary file: ``write(tmp)`` fills it (or text / bytes).

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
        fd, name = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".part", dir=folder)
    except OSError as exc:
        raise InputError(f"Cannot save '{path}': {exc.strerror or exc}.", field="path") from exc
    tmp = Path(name)
    try:
        with os.fdopen(fd, "wb") as handle:
            if isinstance(write, str | bytes):
                handle.write(write.encode("utf-8") if isinstance(write, str) else write)
        if callable(write):
            write(tmp)
        with open(tmp, "rb+") as handle:
            os.fsync(handle.fileno())
        os.chmod(tmp, 0o666 & ~_umask())
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
