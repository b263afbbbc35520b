"""Everything a user types for a loss, turned into tensors (and back), with clear errors.

Text becomes numbers here and nowhere else: a cell of a tensor editor, a
pasted spreadsheet block, an option's field. Whatever cannot be used raises
:class:`~explorer.errors.InputError` naming the input, the cell and what is
allowed, so the UI can show it next to the right control.
"""

from __future__ import annotations

import math

import torch

from explorer.errors import InputError
from explorer.inputs import check_elements, check_option, check_text, is_whole
from explorer.losses.specs import InputSpec, OptionSpec

_LONG = 2**63 - 1
_TRUE = ("true", "yes", "on", "1")
_FALSE = ("false", "no", "off", "0")


def cell_name(field: str, cell: tuple[int, ...]) -> str:
    """How a cell is named in messages, torch style: ``target[1, 2]``."""
    return f"{field}[{', '.join(str(i) for i in cell)}]"


def _allowed(spec: InputSpec, num_classes: int | None) -> str:
    if spec.kind == "class_index":
        top = f"{num_classes - 1}" if num_classes else "C - 1"
        return f"a whole class number from 0 to {top}"
    if spec.kind == "label_list":
        top = f"{num_classes - 1}" if num_classes else "C - 1"
        return f"a whole class number from 0 to {top}, or -1 to end the list"
    if spec.kind == "count":
        return "a count ≥ 0"
    if spec.kind == "positive":
        return "a number ≥ 0"
    return "a finite number"


def _check_kind(value, spec: InputSpec, where: str, num_classes: int | None):
    """Hard constraints of a kind; soft ones (±1, probabilities) are pitfalls instead."""
    bad = False
    if spec.kind == "class_index" and num_classes is not None:
        bad = not 0 <= value < num_classes
    elif spec.kind == "label_list" and num_classes is not None:
        bad = not -1 <= value < num_classes
    elif spec.kind in ("count", "positive"):
        bad = value < 0
    if bad:
        raise InputError(
            f"{where} is {value:g}; it must be {_allowed(spec, num_classes)}.", field=spec.name
        )


def parse_cell(text: str, spec: InputSpec, cell: tuple[int, ...],
               num_classes: int | None = None,
               dtype: torch.dtype = torch.float32) -> float | int:
    """Parse one typed cell of input ``spec``.

    Parameters
    ----------
    text
        What the user typed, e.g. ``"-1.5"``, ``"2"``, ``"1e-3"``.
    spec
        The input the cell belongs to (its kind and dtype decide what is allowed).
    cell
        The cell's index, used in the message.
    num_classes
        C, for class indices (``None`` skips the range check).
    dtype
        The floating-point dtype the cell will be stored in: a value it cannot hold
        (beyond ±3.4e38 for float32) is refused here, not turned into infinity.

    Returns
    -------
    float or int
        An ``int`` for long inputs, else a ``float``.

    Raises
    ------
    InputError
        For an empty cell, a non-number, NaN or infinity, a number that overflows
        ``dtype``, a fraction where a whole number is needed, or a value outside what
        the kind allows.
    """
    where = cell_name(spec.name, cell)
    stripped = str(text).strip().replace("−", "-")
    if not stripped:
        raise InputError(f"{where} is empty; type {_allowed(spec, num_classes)}.",
                         field=spec.name, cell=cell)
    try:
        value = float(stripped)
    except ValueError:
        raise InputError(f"{where} is '{stripped}', not a number; type "
                         f"{_allowed(spec, num_classes)}.", field=spec.name, cell=cell) from None
    if not math.isfinite(value):
        raise InputError(f"{where} is {stripped}; NaN and infinity are not allowed here, "
                         f"type {_allowed(spec, num_classes)}.", field=spec.name, cell=cell)
    if spec.dtype == "long":
        if value != int(value) or abs(value) > _LONG:
            raise InputError(f"{where} is {stripped}; it must be "
                             f"{_allowed(spec, num_classes)}.", field=spec.name, cell=cell)
        value = int(value)
    elif abs(value) > torch.finfo(dtype).max:
        raise InputError(f"{where} is {stripped}, too large for {dtype} (it holds numbers "
                         f"up to ±{torch.finfo(dtype).max:.4g}); type a smaller number.",
                         field=spec.name, cell=cell)
    try:
        _check_kind(value, spec, where, num_classes)
    except InputError as exc:
        exc.cell = cell
        raise
    return value


def format_cell(value, spec: InputSpec, digits: int = 4) -> str:
    """Show one value for editing: whole numbers for long inputs, ``digits`` decimals else."""
    value = float(value)
    if spec.dtype == "long":
        return str(int(value))
    if value == 0 or 10.0 ** -(digits - 1) <= abs(value) < 1e5:
        return f"{value:.{digits}f}"
    return f"{value:.{digits - 1}e}"


def format_number(value, decimals: int = 4, sign: bool = False) -> str:
    """A result as shown: ``decimals`` decimals where that is readable, else scientific
    notation that keeps its width (``1.2346e+37``, ``3.0000e-07``), never 38 digits.

    ``sign`` puts ``+`` before positive numbers (a gradient's push). NaN and infinity
    come out as ``nan`` and ``inf``.
    """
    value = float(value)
    if not math.isfinite(value):
        return ("+" if sign and value > 0 else "") + str(value)
    plus = "+" if sign else ""
    if value == 0 or 10.0 ** -(decimals - 1) <= abs(value) < 1e5:
        return f"{value:{plus}.{decimals}f}"
    return f"{value:{plus}.{decimals}e}"


def parse_block(text: str) -> list[list[str]]:
    """Split a pasted block into rows of cells: tab-separated (spreadsheets) or commas.

    At most ``explorer.inputs.MAX_TEXT`` characters are read.
    """
    text = check_text(text, "paste", "The pasted block")
    lines = [line for line in text.replace("\r\n", "\n").split("\n")]
    while lines and not lines[-1].strip():
        lines.pop()
    rows = []
    for line in lines:
        if "\t" in line:
            rows.append([c.strip() for c in line.split("\t")])
        elif "," in line or ";" in line:
            rows.append([c.strip() for c in line.replace(";", ",").split(",")])
        else:
            rows.append(line.split() or [""])
    return rows


def tensor_from_rows(rows, spec: InputSpec, num_classes: int | None = None,
                     dtype: torch.dtype = torch.float32, device=None) -> torch.Tensor:
    """Build the tensor of input ``spec`` from rows of typed cells.

    A 1-D input accepts one row or one column. Raises :class:`InputError` for a
    ragged block or any bad cell.
    """
    if num_classes is not None and not (is_whole(num_classes) and num_classes >= 1):
        raise InputError(f"C must be a whole number of classes; got {num_classes!r}.",
                         field="dims")
    if not isinstance(rows, list | tuple) or not all(isinstance(r, list | tuple) for r in rows):
        raise InputError(f"{spec.name} must be rows of cells.", field=spec.name)
    rows = [list(r) for r in rows]
    check_elements(sum(len(r) for r in rows), spec.name, spec.name)
    if not rows or not any(rows):
        raise InputError(f"{spec.name} is empty; type at least one value.", field=spec.name)
    width = len(rows[0])
    for i, row in enumerate(rows):
        if len(row) != width:
            raise InputError(
                f"{spec.name} row {i} has {len(row)} values but row 0 has {width}; "
                "every row needs the same number of values.", field=spec.name, cell=(i,))
    one_d = len(spec.shape) == 1
    if one_d and len(rows) > 1 and width > 1:
        raise InputError(f"{spec.name} is one-dimensional {spec.shape}; type a single row "
                         "or a single column.", field=spec.name)
    values = []
    for i, row in enumerate(rows):
        parsed = []
        for j, text in enumerate(row):
            cell = ((i * width + j),) if one_d else (i, j)
            parsed.append(parse_cell(text, spec, cell, num_classes,
                                     dtype if dtype.is_floating_point else torch.float32))
        values.append(parsed)
    if one_d:
        values = [v for row in values for v in row]
    kind = torch.long if spec.dtype == "long" else dtype
    return torch.tensor(values, dtype=kind, device=device)


def rows_from_tensor(t: torch.Tensor) -> list[list[float]]:
    """The values of a 0-, 1- or 2-D tensor as rows (a 1-D tensor is one row)."""
    t = t.detach().cpu()
    if t.dim() == 0:
        return [[t.item()]]
    if t.dim() == 1:
        return [t.tolist()]
    return t.reshape(t.shape[0], -1).tolist()


def resize(t: torch.Tensor, shape: tuple[int, ...], fill=0) -> torch.Tensor:
    """A tensor of ``shape`` that keeps the overlapping block of ``t`` and fills the rest."""
    shape = tuple(int(s) for s in shape)
    if len(shape) != t.dim() or any(s < 0 for s in shape):
        raise InputError(f"cannot resize a {t.dim()}-D tensor to {shape}.")
    out = torch.full(shape, fill, dtype=t.dtype, device=t.device)
    block = tuple(slice(0, min(a, b)) for a, b in zip(shape, t.shape, strict=True))
    out[block] = t.detach()[block]
    return out


def parse_option(text, option: OptionSpec):
    """Turn what the user typed for ``option`` into its value (vector: a list or ``None``).

    The rule is :func:`explorer.inputs.check_option`, the same for every lab's options;
    here a bool may also be typed as a word (true/false, yes/no, on/off, 1/0).
    """
    if option.kind == "bool" and isinstance(text, str):
        word = text.strip().lower()
        if word not in _TRUE + _FALSE:
            raise InputError(f"{option.name} is '{text}'; type true or false.", field=option.name)
        text = word in _TRUE
    return check_option(option, text)
