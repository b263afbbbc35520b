"""The user's own data: a CSV file read and checked, a bad file refused with its line and column.

A file is read whole, checked, and only then kept (cached by its path, modification time
and size), so nothing is ever half-loaded. :func:`read_csv` gives the checked text (header
and rows, for a preview); :func:`read_table` the numbers for one chosen label column,
which :func:`explorer.data.load_csv` wraps in the same ``Table`` as the shipped sets.
"""

from __future__ import annotations

import csv
import hashlib
import io
import math
import os
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import torch

from explorer.errors import InputError
from explorer.inputs import check_text

MAX_CSV_ROWS = 100_000
"""Data rows of one CSV file (the header not counted)."""
MAX_CSV_COLUMNS = 1_000
"""Columns of one CSV file, the label column included."""
MAX_CSV_CELLS = 2_000_000
"""Values of one CSV file (rows × columns), e.g. 100,000 rows of 20 columns: what reads in
about a second and a few hundred MB (a file at 10 million took 6 s and 1.4 GB)."""
MAX_CSV_BYTES = 64 * 2**20
"""Size of one CSV file on disk, checked before it is read."""
MAX_CLASSES = 1_000
"""Different labels of one label column."""
DELIMITERS = (",", ";", "\t")
MISSING = frozenset({"", "na", "n/a", "nan", "null", "none", "?"})
"""Cells read as a missing value (case ignored)."""
_SNIFF_LINES = 50
_NAMES_SHOWN = 20


@dataclass(frozen=True)
class CsvText:
    """A checked CSV file: its header, its data rows (as text, in the file's order), the file
    line of each row, the delimiter and ``digest``, a short hash of the file's bytes."""

    path: str
    header: tuple[str, ...]
    rows: tuple[tuple[str, ...], ...]
    lines: tuple[int, ...]
    delimiter: str
    digest: str

    @property
    def name(self) -> str:
        return Path(self.path).name

    def column(self, label: object) -> int:
        """The index of the column named ``label``; InputError (field ``label``) listing them."""
        if not isinstance(label, str) or not label.strip():
            raise InputError(f"Choose the label column of '{self.name}' by its header name, one "
                             f"of: {_listed(self.header)}.", field="label")
        label = check_text(label, "label", "The label column's name").strip()
        if label not in self.header:
            raise InputError(f"'{self.name}' has no column '{_clip(label)}'; its columns are: "
                             f"{_listed(self.header)}.", field="label")
        return self.header.index(label)

    def where(self, row: int, column: int) -> str:
        """``line 7, column 3 ('petal width')`` for data row ``row`` (from 0) and ``column``."""
        return f"line {self.lines[row]}, column {column + 1} ('{_clip(self.header[column])}')"


def read_csv(path: object) -> CsvText:
    """The file at ``path`` read and checked as a CSV table (cached by path, mtime and size).

    Raises
    ------
    InputError
        (field ``"dataset"``) if the file is missing, a folder, too large, empty, not UTF-8
        text, not a table of at least two columns and two rows, or has a row of the wrong
        length or a header name that is blank or repeated; the message names the line and
        column where there is one.
    """
    path = _check_path(path)
    try:
        stat = os.stat(path)
    except FileNotFoundError:
        raise _error(f"The CSV file '{path}' does not exist (was it moved or renamed?); "
                     "choose a file that is there.") from None
    except (OSError, ValueError) as exc:
        raise _error(f"The CSV file '{path}' cannot be read ({_reason(exc)}).") from None
    if Path(path).is_dir():
        raise _error(f"'{path}' is a folder, not a CSV file; choose a file inside it.")
    if stat.st_size > MAX_CSV_BYTES:
        raise _error(f"'{Path(path).name}' is {stat.st_size / 2**20:,.0f} MiB; at most "
                     f"{MAX_CSV_BYTES // 2**20} MiB are read (MAX_CSV_BYTES). Use a smaller file.")
    return _read(*_key(path, stat))


def _key(path: str, stat: os.stat_result) -> tuple[str, int, int]:
    return path, stat.st_mtime_ns, stat.st_size


def content_hash(path: object) -> str:
    """The first 12 hex digits of the SHA-256 of the file's bytes (InputError if unreadable)."""
    return read_csv(path).digest


def read_table(path: object, label: object
               ) -> tuple[torch.Tensor, torch.Tensor, tuple[str, ...], tuple[str, ...]]:
    """Features (N × D float32), labels (N int64, classes numbered in order of first
    appearance), feature names and class names of the CSV at ``path`` with label column
    ``label``; rows in the file's order.

    Raises
    ------
    InputError
        As :func:`read_csv`; and (naming the line and column) for a feature that is not a
        number, a missing value, a label column that does not exist or holds one class.
    """
    text = read_csv(path)
    return _table(text, text.column(label))


def class_counts(labels: torch.Tensor, class_names: tuple[str, ...]) -> dict[str, int]:
    """Rows per class, in the classes' order: ``{"setosa": 50, ...}``."""
    counts = torch.bincount(labels, minlength=len(class_names)).tolist()
    return dict(zip(class_names, counts, strict=True))


# ---- reading -------------------------------------------------------------------------------
def _check_path(path: object) -> str:
    if isinstance(path, os.PathLike):
        path = os.fspath(path)
    if not isinstance(path, str) or not path.strip():
        raise _error(f"Give the CSV file's path as text; got {type(path).__name__} "
                     f"{_clip(repr(path))}.")
    path = check_text(path, "dataset", "The CSV file's path")
    if "\0" in path:
        raise _error("A file path cannot hold a NUL character; choose the file again.")
    return str(Path(path).expanduser())


@lru_cache(maxsize=2)  # a big file's text is a few hundred MB
def _read(path: str, _mtime_ns: int, _size: int) -> CsvText:
    try:
        with open(path, "rb") as f:
            raw = f.read(MAX_CSV_BYTES + 1)
    except OSError as exc:
        raise _error(f"The CSV file '{path}' cannot be read ({_reason(exc)}).") from None
    name = Path(path).name
    text = _decoded(raw, name)
    if not text.strip():
        raise _error(f"'{name}' is empty: a CSV needs a header row and data rows.")
    delimiter = _delimiter(text, name)
    header, rows, lines = _rows(text, delimiter, name)
    digest = hashlib.sha256(raw).hexdigest()[:12]
    return CsvText(path, header, rows, lines, delimiter, digest)


def _decoded(raw: bytes, name: str) -> str:
    if b"\0" in raw:
        line = raw[: raw.index(b"\0")].count(b"\n") + 1
        raise _error(f"'{name}' is not a CSV file: it holds binary data (a NUL byte on line "
                     f"{line}). Export the table as CSV text.")
    try:
        return raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = raw[: exc.start].count(b"\n") + 1
        column = exc.start - (raw.rfind(b"\n", 0, exc.start) + 1) + 1
        raise _error(f"'{name}' is not UTF-8 text (line {line}, character {column} is not "
                     "UTF-8): save it as 'CSV UTF-8'.") from None


def _delimiter(text: str, name: str) -> str:
    """The delimiter among , ; tab that splits the first lines into the most equal columns."""
    sample = [line for line in text.splitlines()[:_SNIFF_LINES * 2] if line.strip()]
    sample = sample[:_SNIFF_LINES]
    best, best_key = None, None
    for delimiter in DELIMITERS:
        try:
            widths = [len(row) for row in csv.reader(sample, delimiter=delimiter)]
        except csv.Error:
            continue
        if not widths or widths[0] < 2:
            continue
        key = (all(w == widths[0] for w in widths), widths[0])
        if best_key is None or key > best_key:
            best, best_key = delimiter, key
    if best is None:
        raise _error(f"'{name}' has only one column on line 1: a CSV needs feature columns and "
                     "a label column, separated by commas, semicolons or tabs.")
    return best


def _rows(text: str, delimiter: str, name: str):
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter, strict=True)
    header, rows, lines = None, [], []
    try:
        for row in reader:
            if not row:
                continue  # a blank line
            if header is None:
                header = _header(row, name, reader.line_num)
                continue
            if len(row) != len(header):
                raise _error(f"'{name}', line {reader.line_num} has {len(row)} values but the "
                             f"header has {len(header)} columns; every row needs one value "
                             "per column.")
            rows.append(tuple(row))
            lines.append(reader.line_num)
            if len(rows) > MAX_CSV_ROWS:
                raise _error(f"'{name}' has more than {MAX_CSV_ROWS:,} data rows (line "
                             f"{reader.line_num} is row {len(rows):,}); at most "
                             f"{MAX_CSV_ROWS:,} are read (MAX_CSV_ROWS). Use a smaller sample.")
            if len(rows) * len(header) > MAX_CSV_CELLS:
                raise _error(f"'{name}' holds more than {MAX_CSV_CELLS:,} values (rows × "
                             f"columns) by line {reader.line_num}; at most {MAX_CSV_CELLS:,} "
                             "are read (MAX_CSV_CELLS). Use fewer rows or columns.")
    except csv.Error as exc:
        raise _error(f"'{name}' is not valid CSV at line {reader.line_num}: {exc}.") from None
    if not rows:
        raise _error(f"'{name}' has a header but no data rows: add the data below line 1.")
    if len(rows) < 2:
        raise _error(f"'{name}' has only one data row (line {lines[0]}); training needs "
                     "several rows of each class.")
    return header, tuple(rows), tuple(lines)


def _header(row: list[str], name: str, line: int) -> tuple[str, ...]:
    if len(row) > MAX_CSV_COLUMNS:
        raise _error(f"'{name}' has {len(row):,} columns; at most {MAX_CSV_COLUMNS:,} are read "
                     "(MAX_CSV_COLUMNS).")
    header = tuple(cell.strip() for cell in row)
    seen: dict[str, int] = {}
    for index, cell in enumerate(header):
        if not cell:
            raise _error(f"'{name}', line {line}, column {index + 1}: the header names no "
                         "column there; give every column a name.")
        if cell in seen:
            raise _error(f"'{name}', line {line}: columns {seen[cell] + 1} and {index + 1} are "
                         f"both named '{_clip(cell)}'; give each column its own name.")
        seen[cell] = index
    return header


# ---- numbers -------------------------------------------------------------------------------
def _table(text: CsvText, label: int):
    """The numbers of ``text`` with label column ``label``, cached by path, hash and label
    (not by the text itself, whose hash would read every cell)."""
    key = (text.path, text.digest, label)
    if key not in _TABLES:
        _TABLES[key] = _numbers(text, label)
        while len(_TABLES) > 4:
            _TABLES.pop(next(iter(_TABLES)))
    return _TABLES[key]


_TABLES: dict[tuple[str, str, int], tuple] = {}


def _numbers(text: CsvText, label: int):
    features = [j for j in range(len(text.header)) if j != label]
    names = tuple(text.header[j] for j in features)
    labels = _labels(text, label)
    try:
        values = [[float(row[j]) for j in features] for row in text.rows]
    except ValueError:
        values = None
    if values is None:
        _refuse_cell(text, features, lambda cell: _is_float(cell))
    tensor = torch.tensor(values, dtype=torch.float32).reshape(len(text.rows), len(features))
    finite = torch.isfinite(tensor)
    if not bool(finite.all()):
        row, col = (int(i) for i in torch.nonzero(~finite)[0])
        _refuse_cell(text, [features[col]], lambda cell: False, start=row)
    classes, ids = _classes(text, label, labels)
    return tensor, torch.tensor(ids, dtype=torch.int64), names, classes


def _labels(text: CsvText, label: int) -> list[str]:
    labels = [row[label].strip() for row in text.rows]
    for index, value in enumerate(labels):
        if value.lower() in MISSING:
            raise _error(f"'{text.name}', {text.where(index, label)}: the label is missing; "
                         "give every row its class, or remove the row.", field="label")
    return labels


def _classes(text: CsvText, label: int, labels: list[str]):
    classes = tuple(dict.fromkeys(labels))
    column = f"The label column '{_clip(text.header[label])}' of '{text.name}'"
    if len(classes) < 2:
        raise _error(f"{column} holds only one class ('{_clip(classes[0])}'); training needs "
                     "at least two. Choose another label column.", field="label")
    if len(classes) > MAX_CLASSES:
        raise _error(f"{column} holds {len(classes):,} different values; at most "
                     f"{MAX_CLASSES:,} classes are trained (MAX_CLASSES). Is it really the "
                     "label? Choose another column.", field="label")
    index = {name: i for i, name in enumerate(classes)}
    return classes, [index[value] for value in labels]


def _is_float(cell: str) -> bool:
    try:
        return math.isfinite(float(cell))
    except ValueError:
        return False


def _refuse_cell(text: CsvText, columns: list[int], good, start: int = 0):
    """Raise the InputError of the first cell (from row ``start``) of ``columns`` not ``good``."""
    for index in range(start, len(text.rows)):
        for column in columns:
            cell = text.rows[index][column]
            if good(cell):
                continue
            where = f"'{text.name}', {text.where(index, column)}"
            if cell.strip().lower() in MISSING:
                raise _error(f"{where}: the value is missing; fill it in or remove the row.")
            if _is_float(cell):  # finite as float64, not as float32
                raise _error(f"{where}: {_clip(cell.strip())} is too large for float32 (at most "
                             "about 3.4e38); rescale the column.")
            raise _error(f"{where}: '{_clip(cell.strip())}' is not a number; every column but "
                         "the label must hold numbers (or choose this column as the label).")
    raise AssertionError("no bad cell found")  # pragma: no cover - the caller saw one


# ---- messages ------------------------------------------------------------------------------
def _error(message: str, field: str = "dataset") -> InputError:
    return InputError(message, field=field)


def _reason(exc: Exception) -> str:
    return getattr(exc, "strerror", None) or type(exc).__name__


def _clip(text: str, most: int = 40) -> str:
    return text if len(text) <= most else text[: most - 1] + "…"


def _listed(names: tuple[str, ...]) -> str:
    shown = ", ".join(_clip(name) for name in names[:_NAMES_SHOWN])
    more = len(names) - _NAMES_SHOWN
    return shown + (f" and {more:,} more" if more > 0 else "")
