"""Classic mistakes in a loss call, spotted from the inputs, each with a one-click fix.

The slides' own examples contain some of them (a ``randn`` target for
KLDivLoss and HingeEmbeddingLoss), which is why the program explains rather
than refuses: torch computes something, just not what was meant.
"""

from __future__ import annotations

from dataclasses import dataclass

import torch

from explorer.errors import InputError
from explorer.losses import own
from explorer.losses.tensors import cell_name

SIGN_LOSSES = ("HingeEmbeddingLoss", "MarginRankingLoss", "SoftMarginLoss",
               "CosineEmbeddingLoss")
LOGIT_LOSSES = ("CrossEntropyLoss", "FocalLoss")
MASK_LOSSES = ("BCELoss", "BCEWithLogitsLoss", "DiceLoss", "MultiLabelSoftMarginLoss")
_TOL = 1e-3


@dataclass(frozen=True)
class Pitfall:
    """A likely mistake: a stable ``code``, a plain ``message`` and the fix's button text."""

    code: str
    message: str
    fix_label: str | None
    input: str | None = None


def _example(values: torch.Tensor) -> str:
    return f"{values.flatten()[0].item():.4g}"


def _not_log_prob(x: torch.Tensor) -> bool:
    return bool((x > _TOL).any() or (torch.logsumexp(x, dim=-1).abs() > _TOL).any())


def _not_distribution(p: torch.Tensor) -> bool:
    return bool((p < 0).any() or ((p.sum(dim=-1) - 1).abs() > _TOL).any())


def _sign_pitfall(name, target) -> list[Pitfall]:
    odd = target[(target != 1) & (target != -1)]
    if odd.numel() == 0:
        return []
    return [Pitfall(
        "targets-not-pm1",
        f"{name} expects every target to be -1 or 1, but {odd.numel()} of {target.numel()} "
        f"are not (e.g. {_example(odd)}); torch then adds both cases' terms. Targets drawn "
        "with torch.randn need .sign(), and 0/1 labels need mapping to -1/1.",
        "Map targets to ±1", "target")]


def _kl_pitfalls(inputs, reduction, options) -> list[Pitfall]:
    found = []
    x, y = inputs["input"], inputs["target"]
    if _not_log_prob(x):
        found.append(Pitfall(
            "kl-input-not-log-prob",
            "KLDivLoss expects input as log-probabilities (each row's exp sums to 1), but "
            "these are not; apply LogSoftmax to the model's scores first.",
            "Apply LogSoftmax to input", "input"))
    log_target = bool((options or {}).get("log_target"))
    if (_not_log_prob(y) if log_target else _not_distribution(y)):
        what = "log-probabilities" if log_target else "probabilities (≥ 0, rows sum to 1)"
        found.append(Pitfall(
            "kl-target-not-distribution",
            f"KLDivLoss expects target as {what}, but it is not a distribution"
            + ("; its negative entries make the loss NaN." if (y < 0).any() and not log_target
               else ".") + " A target drawn with torch.randn needs a Softmax.",
            "Apply LogSoftmax to target" if log_target else "Apply Softmax to target",
            "target"))
    if reduction == "mean":
        found.append(Pitfall(
            "kl-mean-reduction",
            "reduction='mean' divides by every element (N·C), not by the batch size, so it is "
            "not the KL divergence; reduction='batchmean' is.",
            "Switch to batchmean"))
    return found


def _first_bad(values: torch.Tensor) -> tuple[int, ...] | None:
    bad = ~torch.isfinite(values)
    return tuple(int(i) for i in bad.nonzero()[0]) if bad.any() else None


def _where(cell, z, y) -> str:
    return f"{cell_name('input', cell)} (z = {z[cell].item():.4g}, y = {y[cell].item():.4g})"


def _own_pitfalls(inputs, options) -> list[Pitfall]:
    """A formula that gives NaN or infinity somewhere, or has no slope in z."""
    text = (options or {}).get("expression") or own.DEFAULT
    z = inputs["input"].detach().clone().requires_grad_(True)
    y = inputs["target"].detach()
    if not own.uses(text, "z"):
        return [Pitfall("own-no-z", "L(z, y) does not use z, so it gives the prediction no "
                        "gradient: training would never move it. Write the loss in terms of z.",
                        None, "input")]
    with torch.enable_grad():
        per_element = own.elementwise(text)(z, y)
        cell = _first_bad(per_element.detach())
        if cell is not None:
            value = per_element[cell].item()
            why = ("log or sqrt of a negative number, or 0/0" if value != value else
                   "log(0), a division by zero, or exp of a large number")
            return [Pitfall("own-not-finite",
                            f"L(z, y) is {value} at {_where(cell, z, y)}, e.g. from {why}; "
                            "its mean or sum is then not a number either. Keep the formula's "
                            "arguments in range, e.g. log(1 + ...) or clamp(...).", None,
                            "input")]
        per_element.sum().backward()
    cell = _first_bad(z.grad)
    if cell is None:
        return []
    return [Pitfall("own-slope-not-finite",
                    f"dL/dz is {z.grad[cell].item()} at {_where(cell, z, y)}: the formula has no "
                    "finite slope there (e.g. sqrt(0) or abs(0)**p with p < 1), so training "
                    "would stop.", None, "input")]


def _ctc_pitfalls(inputs, options) -> list[Pitfall]:
    """A target that no alignment of T time steps can spell: each symbol needs a step, and
    a repeated symbol a blank step between its copies."""
    steps, target = inputs["log_probs"].shape[0], inputs["targets"]
    repeats = int((target[1:] == target[:-1]).sum()) if target.numel() > 1 else 0
    needed = target.numel() + repeats
    if needed <= steps:
        return []
    zero = bool((options or {}).get("zero_infinity"))
    return [Pitfall(
        "ctc-target-too-long",
        f"The target needs at least {needed} time steps ({target.numel()} symbols"
        + (f" and {repeats} blank{'s' if repeats > 1 else ''} between repeated ones"
           if repeats else "") + f") but there are T = {steps}: no alignment spells it, "
        + ("so zero_infinity gives 0 and no gradient." if zero else
           "so the loss is inf (zero_infinity would give 0)."
        ) + " Use more time steps or a shorter target.", None, "targets")]


def find_pitfalls(name: str, inputs: dict[str, torch.Tensor], reduction: str,
                  options: dict | None = None) -> list[Pitfall]:
    """The likely mistakes in evaluating ``name`` on ``inputs``; empty for correct inputs."""
    found = []
    if name == own.NAME:
        found += _own_pitfalls(inputs, options)
    if name in SIGN_LOSSES:
        found += _sign_pitfall(name, inputs["target"])
    if name == "KLDivLoss":
        found += _kl_pitfalls(inputs, reduction, options)
    if name == "CTCLoss":
        found += _ctc_pitfalls(inputs, options)
    if name == "NLLLoss" and _not_log_prob(inputs["input"]):
        found.append(Pitfall(
            "nll-input-not-log-prob",
            "NLLLoss expects log-probabilities (LogSoftmax output), but this input is not: "
            "apply LogSoftmax first, or use CrossEntropyLoss on the raw scores.",
            "Apply LogSoftmax to input", "input"))
    x = inputs.get("input")
    if name in LOGIT_LOSSES and bool((x >= 0).all() and (x <= 1).all()
                                     and ((x.sum(dim=1) - 1).abs() < _TOL).all()):
        found.append(Pitfall(
            "ce-input-is-probabilities",
            f"{name} applies softmax itself, but this input already looks like probabilities "
            "(each row sums to 1): softmax would be applied twice. Pass the raw scores (logits).",
            "Use log-probabilities as logits", "input"))
    if name == "BCELoss" and bool(((x < 0) | (x > 1)).any()):
        found.append(Pitfall(
            "bce-input-out-of-range",
            "BCELoss expects probabilities in [0, 1], but input has values outside it (they "
            "look like logits): apply a Sigmoid first, or use BCEWithLogitsLoss.",
            "Apply Sigmoid to input", "input"))
    if name == "PoissonNLLLoss" and not (options or {}).get("log_input", True) and bool(
            (x <= 0).any()):
        found.append(Pitfall(
            "poisson-rate-not-positive",
            "With log_input off, PoissonNLLLoss takes the rate itself, which must be > 0; some "
            "inputs are ≤ 0, so the loss is NaN or meaningless. These look like log-rates.",
            "Switch log_input on", "input"))
    y = inputs.get("target")
    if name in MASK_LOSSES and bool(((y < 0) | (y > 1)).any()):
        found.append(Pitfall(
            "bce-target-out-of-range",
            f"{name} expects targets between 0 and 1 (0/1 labels), but some are outside it.",
            "Clamp target to [0, 1]", "target"))
    return found


def _fixed(code: str, inputs: dict[str, torch.Tensor], reduction: str, options: dict,
           transform: str | None):
    x, y = inputs.get("input"), inputs.get("target")
    if code == "targets-not-pm1":
        inputs["target"] = torch.where(y > 0, 1.0, -1.0).to(y.dtype)
    elif code in ("kl-input-not-log-prob", "nll-input-not-log-prob"):
        transform = "log_softmax"  # a step in the pipeline, not new numbers
    elif code == "kl-target-not-distribution":
        log_target = bool(options.get("log_target"))
        inputs["target"] = torch.log_softmax(y, -1) if log_target else torch.softmax(y, -1)
    elif code == "kl-mean-reduction":
        reduction = "batchmean"
    elif code == "ce-input-is-probabilities":
        if transform is not None:  # the probabilities come from the step: drop it
            transform = None
        else:
            inputs["input"] = torch.log(x.clamp_min(torch.finfo(x.dtype).tiny))
    elif code == "bce-input-out-of-range":
        transform = "sigmoid"
    elif code == "poisson-rate-not-positive":
        options["log_input"] = True
    elif code == "bce-target-out-of-range":
        inputs["target"] = y.clamp(0, 1)
    else:
        raise InputError(f"there is no pitfall '{code}' to fix.", field="pitfall")
    return inputs, reduction, options, transform


def apply_fix(name: str, inputs: dict[str, torch.Tensor], reduction: str,
              options: dict | None, code: str, transform: str | None = None
              ) -> tuple[dict[str, torch.Tensor], str, dict, str | None]:
    """Apply the fix of pitfall ``code``; return new ``(inputs, reduction, options, transform)``.

    ``inputs`` are the raw ones (before ``transform``). A fix that puts the input
    through LogSoftmax or Sigmoid sets the transform (so it shows as
    ``nn.LogSoftmax(dim=1)`` in the code, not as new numbers) and leaves the
    input as it is. The arguments are not changed; inputs that the fix does not
    touch are passed through as they are.
    """
    fixed = {key: t.detach().clone() for key, t in inputs.items()}
    return _fixed(code, fixed, reduction, dict(options or {}), transform)
