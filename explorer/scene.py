"""Scene files: everything the user chose on every page, as versioned JSON.

A scene file is plain data, never code: it is read with ``json`` and every
page's part is validated by that page's own scene dataclass before anything
changes. Saving writes a temporary file beside the target and renames it, so a
crash while saving never destroys the previous file.
"""

from __future__ import annotations

import json
import math
from collections.abc import Mapping
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


MAX_BYTES = 8 * 1024 * 1024
"""The largest scene file read: a scene of every page with the largest tensors is ~1 MB."""
MAX_DEPTH = 24
"""The deepest nesting of lists and objects a scene may hold (a 4-D tensor in a page is 8)."""
MAX_DIGITS = 40
"""The longest whole number a scene may spell out: 2**64 has 20 digits; longer is damage."""


def _page_classes() -> dict[str, type]:
    """Page key -> the scene dataclass that checks that page's part (imported late: torch)."""
    from explorer.descent.scene import DescentScene
    from explorer.losses.scene import LossScene
    from explorer.training.scene import BatchScene

    return {"loss": LossScene, "descent": DescentScene, "batch": BatchScene}


def loads(text: str, source: str = "the scene") -> dict[str, dict]:
    """Parse scene JSON text strictly; returns page key -> page scene dict (not yet checked).

    Strict: ``NaN`` and ``Infinity`` are refused, as are a key given twice, nesting deeper than
    :data:`MAX_DEPTH`, whole numbers longer than :data:`MAX_DIGITS` digits, entries beside
    format, version and pages, and a version that is not a whole number (``true`` is not 1).
    A UTF-8 byte-order mark at the start is allowed. The pages are checked by
    :func:`check_pages`.

    Raises
    ------
    InputError
        If the text is not JSON, not a scene, or from a newer version.
    """
    if len(text) > MAX_BYTES:
        raise InputError(f"{source} is {len(text):,} characters long; a scene file holds at "
                         f"most {MAX_BYTES:,}. It is not a scene file.", field="scene")
    try:
        data = json.loads(text.removeprefix("\ufeff"), parse_constant=_refuse_constant,
                          parse_int=_bounded_int, parse_float=_finite_float,
                          object_pairs_hook=_no_repeats)
    except _Refused as exc:
        raise InputError(f"{source} is damaged: {exc}", field="scene") from None
    except RecursionError:
        raise InputError(f"{source} is damaged: its lists and objects are nested deeper than "
                         f"{MAX_DEPTH} levels.", field="scene") from None
    except (json.JSONDecodeError, UnicodeDecodeError) as exc:
        where = getattr(exc, "lineno", "?")
        raise InputError(
            f"{source} is damaged or not a scene file (JSON error at line {where}: "
            f"{getattr(exc, 'msg', exc)}).",
            field="scene",
        ) from exc
    if _depth(data) > MAX_DEPTH:
        raise InputError(f"{source} is damaged: its lists and objects are nested deeper than "
                         f"{MAX_DEPTH} levels.", field="scene")
    if not isinstance(data, dict) or data.get("format") != FORMAT:
        raise InputError(f"{source} is not a Training Explorer scene file.", field="scene")
    version = data.get("version")
    if type(version) is not int or version < 1:
        raise InputError(f"{source} has no valid version number (a whole number from 1 to "
                         f"{VERSION}); got {_short(version)}.", field="scene")
    if version > VERSION:
        raise InputError(
            f"{source} was saved by a newer Training Explorer (scene version {version}; "
            f"this one reads up to {VERSION}). Update the program to open it.",
            field="scene",
        )
    unknown = sorted(set(data) - {"format", "version", "pages"})
    if unknown:
        raise InputError(f"{source} has entries this program does not know: "
                         f"{', '.join(map(_short, unknown))}; a scene holds format, version "
                         f"and pages.", field="scene")
    pages = data.get("pages")
    if not isinstance(pages, dict) or not all(isinstance(v, dict) for v in pages.values()):
        raise InputError(f"{source} has no readable pages.", field="scene")
    return pages


def check_pages(pages: dict[str, dict], source: str = "the scene",
                classes: Mapping[str, type | None] | None = None) -> dict[str, object]:
    """Every page's part checked by that page's scene dataclass, before any page changes.

    ``classes`` maps each page key the program has to the dataclass whose ``from_dict``
    checks that page's part (the three labs' by default; ``None`` for a page that checks
    its own). Returns page key -> the frozen scene (``LossScene``, ``DescentScene``,
    ``BatchScene``), which the page shows with ``set_scene``. A page the program does not
    have, or the first bad part, is an InputError that names the page; nothing is applied
    here, so a refused scene changes nothing.
    """
    classes = _page_classes() if classes is None else classes
    checked = {}
    for key, part in pages.items():
        if key not in classes:
            raise InputError(f"{source} has a page '{_short(key)}' that this program does "
                             f"not have; its pages are {', '.join(classes)}.", field="scene")
        cls = classes[key]
        try:
            checked[key] = part if cls is None else cls.from_dict(part)
        except InputError as exc:
            raise InputError(f"{source}, {key} page: {exc}", field=exc.field,
                             cell=exc.cell) from exc
    return checked


class _Refused(ValueError):
    """A JSON value the strict reader does not take (raised from inside ``json.loads``)."""


def _refuse_constant(name: str):
    raise _Refused(f"it holds {name}, which is not a number a scene can hold; "
                   f"use a finite number.")


def _bounded_int(digits: str) -> int:
    if len(digits.lstrip("-")) > MAX_DIGITS:
        raise _Refused(f"it holds a whole number of {len(digits):,} digits (at most "
                       f"{MAX_DIGITS} are read).")
    return int(digits)


def _finite_float(digits: str) -> float:
    value = float(digits)
    if not math.isfinite(value):
        raise _Refused(f"it holds {digits[:20]}, a number too large for a scene; use a finite "
                       f"number.")
    return value


def _no_repeats(pairs: list[tuple[str, object]]) -> dict:
    data = {}
    for key, value in pairs:
        if key in data:
            raise _Refused(f"the entry '{_short(key)}' is given twice in one object.")
        data[key] = value
    return data


def _depth(data: object) -> int:
    """How deeply lists and objects nest in ``data`` (a number is 0), without recursion."""
    deepest, stack = 0, [(data, 1)]
    while stack:
        item, level = stack.pop()
        children = item.values() if isinstance(item, dict) else item
        if isinstance(item, dict | list):
            deepest = max(deepest, level)
            if level <= MAX_DEPTH:
                stack.extend((child, level + 1) for child in children)
    return deepest


def _short(value: object, most: int = 40) -> str:
    text = repr(value) if not isinstance(value, str) else value
    return text if len(text) <= most else text[: most - 1] + "…"


def save(path: str | Path, pages: dict[str, dict]) -> Path:
    """Write a scene to ``path`` atomically (:func:`explorer.files.write_atomic`)."""
    return write_atomic(path, dumps(pages))


def load(path: str | Path) -> dict[str, dict]:
    """Read a scene file (:func:`loads`); ``InputError`` says what is wrong with it."""
    path = Path(path)
    try:
        size = path.stat().st_size
        with path.open("rb") as handle:
            raw = handle.read(MAX_BYTES + 1)
    except FileNotFoundError as exc:
        raise InputError(f"There is no file '{path}'.", field="path") from exc
    except (OSError, ValueError) as exc:  # ValueError: a NUL byte in the path
        raise InputError(
            f"Cannot read '{path}': {getattr(exc, 'strerror', None) or exc}.", field="path"
        ) from exc
    if max(size, len(raw)) > MAX_BYTES:
        raise InputError(f"'{path.name}' is larger than a scene file can be ({MAX_BYTES:,} "
                         f"bytes at most). It is not a scene file.", field="path")
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise InputError(f"Cannot read '{path.name}': it is not UTF-8 text (byte "
                         f"{exc.start:,}). It is not a scene file.", field="path") from exc
    return loads(text, source=f"'{path.name}'")


def read(path: str | Path) -> dict[str, object]:
    """Read a scene file and check every page's part (:func:`check_pages`): all or nothing."""
    return check_pages(load(path), source=f"'{Path(path).name}'")
