"""Checks of a whole loss call (inputs, reduction, options) before torch sees it.

Torch's own errors are terse and name no cell; these say which input, which
cell and what is allowed. Soft constraints (±1 targets, probabilities) are not
errors here: the slides' examples break them on purpose, and
:mod:`explorer.losses.pitfalls` explains them instead.
"""

from __future__ import annotations

import torch

from explorer.errors import InputError
from explorer.inputs import MAX_ELEMENTS, check_elements, check_mapping
from explorer.losses import run
from explorer.losses.catalog import variant
from explorer.losses.limits import check_dims
from explorer.losses.pitfalls import Pitfall
from explorer.losses.specs import InputSpec, LossSpec
from explorer.losses.tensors import _check_kind, cell_name, parse_option


def check_reduction(loss: LossSpec, reduction) -> str:
    """``reduction`` if ``loss`` accepts it, else an InputError listing what it accepts."""
    if reduction not in loss.reductions:
        raise InputError(
            f"{loss.name} has no reduction '{reduction}'; choose one of "
            f"{', '.join(loss.reductions)}.", field="reduction")
    return reduction


_MAX_DEPTH = 8


def _nominal_size(value, spec: InputSpec) -> int:
    """The number of cells a nested list claims (its first item's, all the way down):
    cheap, and checked before torch reads every cell."""
    size, depth = 1, 0
    while isinstance(value, list | tuple):
        depth += 1
        if depth > _MAX_DEPTH or not value:
            break
        size *= len(value)
        if size > MAX_ELEMENTS:
            break
        value = value[0]
    return size


def _as_tensor(value, spec: InputSpec) -> torch.Tensor:
    if isinstance(value, torch.Tensor):
        check_elements(value.numel(), spec.name, spec.name)
        return value
    if isinstance(value, str | bytes):
        raise InputError(f"{spec.name} must be a tensor of numbers (or nested lists of them), "
                         "not text.", field=spec.name)
    check_elements(_nominal_size(value, spec), spec.name, spec.name)
    try:
        return torch.as_tensor(value)
    except (TypeError, ValueError, RuntimeError, OverflowError) as exc:
        if "overflow" in str(exc).lower():
            raise InputError(f"{spec.name} holds a whole number too large for torch "
                             "(above 9,223,372,036,854,775,807 in size); "
                             f"{_allowed_text(spec)}.", field=spec.name) from None
        raise InputError(f"{spec.name} must be a tensor of numbers.", field=spec.name) from None


def _allowed_text(spec: InputSpec) -> str:
    if spec.kind in ("class_index", "label_list"):
        return "it holds class numbers from 0 to C - 1"
    return "use smaller numbers"


def _check_dtype(t: torch.Tensor, spec: InputSpec):
    integer = not t.is_floating_point() and not t.is_complex() and t.dtype != torch.bool
    if spec.dtype == "long" and not integer:
        raise InputError(
            f"{spec.name} must hold whole numbers (torch.long), not {t.dtype}: it holds "
            f"{'class indices' if spec.kind == 'class_index' else 'class lists'}.",
            field=spec.name)
    if spec.dtype == "float" and not t.is_floating_point():
        raise InputError(
            f"{spec.name} must be floating point (torch.float32 or float64), not {t.dtype}.",
            field=spec.name)


def _bind_dims(loss: LossSpec, spec: InputSpec, t: torch.Tensor, dims: dict, first: dict):
    wanted = "(" + ", ".join(spec.shape) + ")"
    if t.dim() != len(spec.shape):
        raise InputError(
            f"{spec.name} has shape {tuple(t.shape)}; {loss.name} needs {spec.name} of shape "
            f"{wanted}, {len(spec.shape)}-D.", field=spec.name)
    for dim, size in zip(spec.shape, t.shape, strict=True):
        _, lowest, highest = loss.dims[dim]
        if size < lowest:
            raise InputError(f"{spec.name} has {dim} = {size}; {dim} must be at least "
                             f"{lowest}.", field=spec.name)
        if size > highest:
            try:  # the scene's and the examples' rule, word for word
                check_dims(loss, {dim: int(size)})
            except InputError as exc:
                raise InputError(f"{spec.name} has shape {tuple(t.shape)}: {exc}",
                                 field=spec.name) from None
        if dim in dims and dims[dim] != size:
            raise InputError(
                f"{spec.name} has shape {tuple(t.shape)} but {first[dim]} has {dim} = "
                f"{dims[dim]}; {spec.name} must be {wanted} with the same {dim}.",
                field=spec.name)
        dims.setdefault(dim, int(size))
        first.setdefault(dim, spec.name)


def _check_values(t: torch.Tensor, spec: InputSpec, num_classes, ignore_index):
    cpu = t.detach().cpu()
    if cpu.is_floating_point():
        bad = ~torch.isfinite(cpu)
        if bad.any():
            cell = tuple(int(i) for i in bad.nonzero()[0])
            raise InputError(f"{cell_name(spec.name, cell)} is {cpu[cell].item()}; NaN and "
                             "infinity are not allowed.", field=spec.name, cell=cell)
    bad = _forbidden(cpu, spec, num_classes, ignore_index)
    if bad is not None and bad.any():
        cell = tuple(int(i) for i in bad.nonzero()[0])
        try:
            _check_kind(cpu[cell].item(), spec, cell_name(spec.name, cell), num_classes)
        except InputError as exc:
            exc.cell = cell
            raise


def _forbidden(t: torch.Tensor, spec: InputSpec, num_classes, ignore_index):
    """A mask of the values the kind of ``spec`` forbids (``None`` when nothing is)."""
    if spec.kind == "class_index" and num_classes is not None:
        return ((t < 0) | (t >= num_classes)) & (t != ignore_index)
    if spec.kind == "label_list" and num_classes is not None:
        return (t < -1) | (t >= num_classes)
    if spec.kind in ("count", "positive"):
        return t < 0
    return None


def _check_same_float_dtype(tensors: dict[str, torch.Tensor]):
    floats = [(key, t.dtype) for key, t in tensors.items() if t.is_floating_point()]
    for key, dtype in floats[1:]:
        if dtype != floats[0][1]:
            raise InputError(f"{key} is {dtype} but {floats[0][0]} is {floats[0][1]}; give all "
                             "floating-point inputs the same dtype.", field=key)


def check_inputs(loss: LossSpec, inputs: dict, options: dict | None = None) -> dict[str, int]:
    """Check every input's presence, dtype, shape and values; return the bound dims.

    Raises
    ------
    InputError
        For a missing or unknown input, a wrong dtype or shape, NaN or infinity,
        or a value its kind forbids (class index outside [0, C), negative count).
    """
    if not isinstance(inputs, dict):
        raise InputError(f"{loss.name} takes a dict of tensors named "
                         f"{', '.join(s.name for s in loss.inputs)}.", field="input")
    options = check_mapping(options, loss.name)
    loss = variant(loss, options)
    known = [s.name for s in loss.inputs]
    for key in inputs:
        if key not in known:
            raise InputError(f"{loss.name} has no input '{key}'; its inputs are "
                             f"{', '.join(known)}.", field=str(key))
    dims, first, tensors = {}, {}, {}
    for spec in loss.inputs:
        if spec.name not in inputs:
            raise InputError(f"{loss.name} needs {spec.name} ({spec.description}).",
                             field=spec.name)
        t = _as_tensor(inputs[spec.name], spec)
        _check_dtype(t, spec)
        if spec.dtype == "long":
            t = t.long()  # int32 class indices are fine; torch wants int64
        _bind_dims(loss, spec, t, dims, first)
        tensors[spec.name] = t
    _check_same_float_dtype(tensors)
    ignore = _ignore_index(loss, options)
    for spec in loss.inputs:
        _check_values(tensors[spec.name], spec, dims.get("C"), ignore)
    if loss.name == "CTCLoss":
        _check_ctc(loss, tensors, options, dims)
    return dims


def _check_ctc(loss: LossSpec, tensors: dict, options: dict, dims: dict) -> None:
    """CTC's own rules: the blank is one of the C symbols and never in the target."""
    blank = options.get("blank")
    blank = 0 if blank is None else parse_option(blank, loss.option("blank"))
    if blank >= dims["C"]:
        raise InputError(f"blank is {blank}, but there are only C = {dims['C']} symbols "
                         f"(0 to {dims['C'] - 1}); choose a blank below C.", field="blank")
    hit = (tensors["targets"] == blank).nonzero()
    if len(hit):
        cell = (int(hit[0][0]),)
        raise InputError(f"{cell_name('targets', cell)} is {blank}, the blank; the target "
                         "sequence holds only real symbols, the blank appears in alignments "
                         "alone. Type another symbol.", field="targets", cell=cell)


def _ignore_index(loss: LossSpec, options: dict) -> int:
    """The target value skipped by the loss (checked as its option), -100 if it has none."""
    for option in loss.options:
        if option.name == "ignore_index" and options.get("ignore_index") is not None:
            return parse_option(options["ignore_index"], option)
    return -100


def check_options(loss: LossSpec, options, dims: dict[str, int]) -> dict:
    """Every option of ``loss`` with its value: the user's (checked) or torch's default.

    Vectors come back as lists of floats (or ``None``); their length must match
    the dim they belong to.
    """
    options = check_mapping(options, loss.name)
    allowed = [o.name for o in loss.options]
    for key in options:
        if key not in allowed:
            names = ", ".join(allowed) if allowed else "none"
            raise InputError(f"{loss.name} has no option '{key}'; its options: {names}.",
                             field=str(key))
    values = {}
    for option in loss.options:
        raw = options.get(option.name)
        if raw is None:  # an absent or cleared field means torch's default
            raw = option.default
        if isinstance(raw, torch.Tensor):
            raw = raw.detach().cpu().tolist()
        if option.kind == "vector" and isinstance(raw, (list, tuple)):
            raw = ", ".join(str(v) for v in raw) if raw else None
        value = None if raw is None else parse_option(raw, option)
        if option.kind == "vector" and value is not None:
            size = dims.get(option.dim)
            if size is not None and len(value) != size:
                raise InputError(f"{option.name} has {len(value)} values; it needs one per "
                                 f"{option.dim}, {size} in all.", field=option.name)
        values[option.name] = value
    return values


def _first(mask: torch.Tensor) -> tuple[int, ...] | None:
    return tuple(int(i) for i in mask.nonzero()[0]) if mask.any() else None


def _cell_of(loss: LossSpec, tensors: dict, index: tuple[int, ...]) -> tuple[str, tuple]:
    """The input cell behind element ``index`` of the per-element loss: that cell where
    the loss is element-wise, else the first cell of that sample's row."""
    first = loss.inputs[0]
    t = tensors[first.name]
    if len(index) == t.dim():
        return first.name, index
    return first.name, (*index, *(0,) * (t.dim() - len(index)))


def _per_element(loss: LossSpec, leaves: dict, options: dict):
    if "none" not in loss.reductions:
        return None
    return run.safe_call(loss, leaves, "none", options)[0]


def not_finite(loss: LossSpec, tensors: dict, reduction: str, options: dict,
               value: torch.Tensor, grads: dict) -> Pitfall | None:
    """Which entry makes the loss or a gradient infinite or NaN, said in plain words.

    Parameters
    ----------
    loss, tensors, reduction, options
        The call as evaluated (checked inputs and options).
    value, grads
        What it gave.

    Returns
    -------
    Pitfall or None
        ``None`` when the value and every gradient are finite; else a pitfall
        (code ``"not-finite"``) naming the input cell whose per-element loss, or
        whose gradient, is not finite, with its value.
    """
    if torch.isfinite(value).all() and all(torch.isfinite(g).all() for g in grads.values()):
        return None
    leaves = run.leaves(loss, tensors, next(iter(tensors.values())).device)
    what = "loss" if not torch.isfinite(value).all() else "gradient"
    shown = value.item() if value.dim() == 0 else "not finite"
    message, field = None, loss.inputs[0].name
    per_element = _per_element(loss, leaves, options)
    if per_element is not None:
        index = _first(~torch.isfinite(per_element.detach()))
        if index is not None:
            field, cell = _cell_of(loss, leaves, index)
            message = (f"the loss of {cell_name(field, cell)} (= "
                       f"{leaves[field][cell].item():.6g}) is {per_element[index].item()}")
    if message is None:
        for name, g in grads.items():
            index = _first(~torch.isfinite(g))
            if index is not None:
                field = name
                message = (f"the gradient at {cell_name(name, index)} (= "
                           f"{tensors[name][index].item():.6g}) is {g[index].item()}")
                break
    if message is None:
        message = "a sum of finite entries overflows"
    dtype = next(t.dtype for t in leaves.values() if t.is_floating_point())
    return Pitfall(
        "not-finite",
        f"The {what} is {shown}: {message}. Numbers in {dtype} go only up to "
        f"±{torch.finfo(dtype).max:.4g}; use smaller values (or float64).", None, field)
