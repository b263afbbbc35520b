"""Scene files: everything the user chose on every page, as versioned JSON.

A scene file is plain data, never code: it is read with ``json`` and every
page's part is validated by that page's own scene dataclass before anything
changes. Saving writes a temporary file beside the target and renames it, so a
crash while saving never destroys the previous file.
"""

from __future__ import annotations

import json
from pathlib import Path

from explorer.errors import InputError
from explorer.files import write_atomic

FORMAT = "training-explorer-scene"
VERSION = 2
"""2: the Batch page's training set-up is one ``"config"`` object (a TrainConfig) instead of
flat fields. Version 1 files still open: each page's ``from_dict`` reads its older form."""


def dumps(pages: dict[str, dict]) -> str:
    """The JSON text of a scene holding ``pages`` (page key -> that page's scene dict)."""
    return json.dumps({"format": FORMAT, "version": VERSION, "pages": pages}, indent=2) + "\n"


def loads(text: str, source: str = "the scene") -> dict[str, dict]:
    """Parse scene JSON text; returns page key -> page scene dict.

    Raises
    ------
    InputError
        If the text is not JSON, not a scene, or from a newer version.
    """
    try:
        data = json.loads(text)
    except (json.JSONDecodeError, UnicodeDecodeError) as exc:
        where = getattr(exc, "lineno", "?")
        raise InputError(
            f"{source} is damaged or not a scene file (JSON error at line {where}: "
            f"{getattr(exc, 'msg', exc)}).",
            field="scene",
        ) from exc
    if not isinstance(data, dict) or data.get("format") != FORMAT:
        raise InputError(f"{source} is not a Training Explorer scene file.", field="scene")
    version = data.get("version")
    if not isinstance(version, int) or version < 1:
        raise InputError(f"{source} has no valid version number.", field="scene")
    if version > VERSION:
        raise InputError(
            f"{source} was saved by a newer Training Explorer (scene version {version}; "
            f"this one reads up to {VERSION}). Update the program to open it.",
            field="scene",
        )
    pages = data.get("pages")
    if not isinstance(pages, dict) or not all(isinstance(v, dict) for v in pages.values()):
        raise InputError(f"{source} has no readable pages.", field="scene")
    return pages


def save(path: str | Path, pages: dict[str, dict]) -> Path:
    """Write a scene to ``path`` atomically (:func:`explorer.files.write_atomic`)."""
    return write_atomic(path, dumps(pages))


def load(path: str | Path) -> dict[str, dict]:
    """Read a scene file; ``InputError`` says what is wrong with it."""
    path = Path(path)
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError as exc:
        raise InputError(f"There is no file '{path}'.", field="path") from exc
    except (OSError, UnicodeDecodeError) as exc:
        raise InputError(
            f"Cannot read '{path}': {getattr(exc, 'strerror', None) or exc}.", field="path"
        ) from exc
    return loads(text, source=f"'{path.name}'")
