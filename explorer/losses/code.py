"""The standalone PyTorch snippet that reproduces a loss evaluation.

Tensors are written out literally with the shortest decimals that give back
the very same float32 (or float64) values, so running the snippet prints the
value the program shows, digit for digit.
"""

from __future__ import annotations

import numpy as np
import torch

from explorer.losses import adapters, own
from explorer.losses.custom import CUSTOM, source
from explorer.losses.specs import LossSpec
from explorer.losses.transforms import module_text

_INDENT = "    "


def number(value, dtype: torch.dtype) -> str:
    """The shortest text that parses back to exactly ``value`` in ``dtype``."""
    if dtype in (torch.long, torch.int32, torch.int64):
        return str(int(value))
    if dtype == torch.float32:
        return str(np.float32(value))
    return repr(float(value))


def literal(t: torch.Tensor, indent: int = 0) -> str:
    """``t`` as a nested Python list; 2-D rows one per line, aligned under the first."""
    t = t.detach().cpu()
    if t.dim() == 0:
        return number(t.item(), t.dtype)
    if t.dim() == 1:
        return "[" + ", ".join(number(v, t.dtype) for v in t.tolist()) + "]"
    rows = [literal(row, indent + 1) for row in t]
    return "[" + (",\n" + " " * (indent + 1)).join(rows) + "]"


def tensor_line(name: str, t: torch.Tensor, requires_grad: bool, on_device: bool) -> str:
    """``name = torch.tensor([...], dtype=..., requires_grad=True)``."""
    head = f"{name} = torch.tensor("
    args = [literal(t, len(head))]
    if t.dtype == torch.long:
        args.append("dtype=torch.long")
    elif t.dtype != torch.float32:
        args.append(f"dtype={t.dtype}")
    if on_device:
        args.append("device=device")
    if requires_grad:
        args.append("requires_grad=True")
    return head + ", ".join(args) + ")"


def _option_text(value, float_dtype: torch.dtype, on_device: bool) -> str:
    if isinstance(value, list):
        extra = "" if float_dtype == torch.float32 else f", dtype={float_dtype}"
        extra += ", device=device" if on_device else ""
        return f"torch.tensor([{', '.join(repr(float(v)) for v in value)}]{extra})"
    return repr(value)


def changed_options(loss: LossSpec, options: dict) -> dict:
    """The options whose value differs from torch's default (what the snippet writes)."""
    return {o.name: options[o.name] for o in loss.options
            if o.name not in adapters.PROGRAM_OPTIONS
            and options.get(o.name, o.default) != o.default}


def call_text(loss: LossSpec, callee: str, reduction: str, options: dict,
              float_dtype: torch.dtype, on_device: bool, with_options: bool,
              args: str | None = None) -> str:
    """``callee(...)``: constructor keywords for a torch class, or a custom function call
    (with ``args``, default the inputs' names)."""
    parts = [] if with_options else [args or ", ".join(s.name for s in loss.inputs)]
    if reduction != "mean":
        parts.append(f"reduction={reduction!r}")
    for key, value in changed_options(loss, options).items():
        parts.append(f"{key}={_option_text(value, float_dtype, on_device)}")
    parts += [f"{key}={text}" for key, text in adapters.kwargs_text(loss.name, options).items()]
    return f"{callee}({', '.join(parts)})"


def _header(tensors: dict, loss: LossSpec, device: torch.device,
            tensor_lines: list[str] | None = None) -> list[str]:
    on_device = device.type != "cpu"
    lines = ["import torch", "import torch.nn as nn", ""]
    if on_device:
        lines += [f"device = torch.device({str(device)!r})", ""]
    if tensor_lines is not None:  # the slide's own lines, drawing the same numbers
        return lines + list(tensor_lines)
    for spec in loss.inputs:
        lines.append(tensor_line(spec.name, tensors[spec.name], spec.requires_grad, on_device))
    return lines


def term_expressions(terms, reduction, float_dtype, on_device,
                     transform: str | None = None) -> tuple[list[str], list[str]]:
    """Set-up lines and call expressions for each ``(LossSpec, options)`` term.

    With ``transform`` the set-up starts ``m = nn.LogSoftmax(dim=1)`` (say) and each
    call passes ``m(input)``, as the slides write it.
    """
    setup, calls, defined = [], [], set()
    if transform is not None:
        setup.append(f"m = {module_text(transform)}")
    own_functions: dict[str, str] = {}  # formula -> its function, one def per formula
    for index, (loss, options) in enumerate(terms, start=1):
        args = ", ".join("m(input)" if transform is not None and s.name == "input" else s.name
                         for s in loss.inputs)
        if loss.name == own.NAME:
            text = options.get("expression") or own.DEFAULT
            if text not in own_functions:
                function = own.FUNCTION if not own_functions else (
                    f"{own.FUNCTION}_{len(own_functions) + 1}")
                own_functions[text] = function
                gap = [""] if setup and setup[-1] else []
                setup += gap + own.code_lines(text, function) + [""]
            calls.append(own.call_text(own_functions[text], args, reduction))
        elif loss.name in CUSTOM:
            if loss.name not in defined:
                setup += source(loss.name).rstrip().splitlines() + [""]
                defined.add(loss.name)
            calls.append(call_text(loss, CUSTOM[loss.name].__name__, reduction, options,
                                   float_dtype, on_device, with_options=False, args=args))
        else:
            var = "loss_fn" if len(terms) == 1 else f"loss_{index}"
            if loss.name not in defined:
                setup += adapters.setup_lines(loss.name, on_device)
                defined.add(loss.name)
            setup.append(f"{var} = " + call_text(loss, f"nn.{loss.name}", reduction, options,
                                                 float_dtype, on_device, with_options=True))
            calls.append(f"{var}({adapters.args_text(loss.name, args)})")
    return setup, calls


def build_code(terms, tensors: dict[str, torch.Tensor], reduction: str, device: torch.device,
               weights: list[float] | None = None, transform: str | None = None,
               tensor_lines: list[str] | None = None) -> str:
    """The whole snippet: imports, tensors, loss call(s), backward, print.

    ``terms`` is a list of ``(LossSpec, options)``; with ``weights`` (Composite)
    the output is the weighted sum of the terms, written as one expression.
    ``transform`` (see :mod:`explorer.losses.transforms`) is applied to ``input``
    in the call: ``output = loss_fn(m(input), target)``. ``tensor_lines`` (on CPU)
    replace the literal tensors, e.g. the slide's ``torch.manual_seed(...)`` and
    ``torch.randn(...)`` that draw the very same numbers.
    """
    first = terms[0][0]
    float_dtype = next((t.dtype for t in tensors.values() if t.is_floating_point()),
                       torch.float32)
    on_device = device.type != "cpu"
    lines = _header(tensors, first, device, tensor_lines if not on_device else None) + [""]
    setup, calls = term_expressions(terms, reduction, float_dtype, on_device, transform)
    lines += setup
    if weights is None:
        lines.append(f"output = {calls[0]}")
    else:
        lines.append("output = " + " + ".join(
            f"{float(w)!r} * {call}" for w, call in zip(weights, calls, strict=True)))
    if all(loss.name == own.NAME and not own.uses(options.get("expression") or own.DEFAULT, "z")
           for loss, options in terms):
        lines.append("# the formula does not use z: it has no gradient to compute")
    else:
        lines.append("output.sum().backward()" if reduction == "none" else "output.backward()")
    lines += ["", "print('output: ', output)", ""]
    return "\n".join(lines)
