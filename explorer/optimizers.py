"""The ``torch.optim`` optimizers' settings as option forms, one definition for every lab.

The Descent lab (``explorer.descent.batched_optim``) and the Batch lab
(``explorer.training``) show the same controls and accept the same values:
:func:`optimizer_options` gives each optimizer's :class:`~explorer.inputs.OptionSpec`
tuple (torch's names and defaults), :func:`resolve_optimizer_options` checks a
mapping of them and :func:`torch_kwargs` turns it into ``torch.optim`` keywords.
"""

from __future__ import annotations

from collections.abc import Mapping

from explorer.errors import InputError
from explorer.inputs import OptionSpec, check_mapping, check_name, resolve_options

OPTIMIZERS = ("SGD", "Adam", "AdamW", "RMSprop", "Adagrad")
"""The optimizers both labs offer (the Descent lab adds more, see
``explorer.descent.batched_optim``)."""

WEIGHT_DECAY = "L2 penalty added to the gradient (weight_decay * parameter)."
EPS = "Added to the denominator so it is never zero."


def unit(name: str, default: float, description: str) -> OptionSpec:
    """An option in [0, 1): a momentum, a beta, a decay."""
    return OptionSpec(name, "float", default, 0.0, 1.0, description, below_maximum=True)


def nonneg(name: str, default: float, description: str, maximum: float = 1e6) -> OptionSpec:
    """An option from 0 to ``maximum``."""
    return OptionSpec(name, "float", default, 0.0, maximum, description)


def eps(default: float) -> OptionSpec:
    return OptionSpec("eps", "float", default, 0.0, 1.0, EPS)


_ADAM_SPECS = (
    unit("beta1", 0.9, "Decay of the running mean of gradients (betas[0])."),
    unit("beta2", 0.999, "Decay of the running mean of squared gradients (betas[1])."),
    eps(1e-8),
    OptionSpec("amsgrad", "bool", False, description="Use the largest squared-gradient "
               "average so far (AMSGrad)."),
)
SPECS: dict[str, tuple[OptionSpec, ...]] = {
    "SGD": (
        unit("momentum", 0.0, "Fraction of the previous step kept (heavy ball)."),
        OptionSpec("dampening", "float", 0.0, 0.0, 1.0, "Damps the new gradient in momentum."),
        OptionSpec("nesterov", "bool", False, description="Look-ahead (Nesterov) momentum."),
        nonneg("weight_decay", 0.0, WEIGHT_DECAY),
    ),
    "Adam": _ADAM_SPECS + (nonneg("weight_decay", 0.0, WEIGHT_DECAY),),
    "AdamW": _ADAM_SPECS + (
        nonneg("weight_decay", 0.01, "Decoupled decay: parameter *= 1 - lr * weight_decay."),
    ),
    "RMSprop": (
        unit("alpha", 0.99, "Decay of the running mean of squared gradients."),
        eps(1e-8),
        unit("momentum", 0.0, "Fraction of the previous step kept."),
        OptionSpec("centered", "bool", False, description="Divide by the gradient's variance "
                   "instead of its second moment."),
        nonneg("weight_decay", 0.0, WEIGHT_DECAY),
    ),
    "Adagrad": (
        nonneg("lr_decay", 0.0, "The learning rate is divided by 1 + (step - 1) * lr_decay."),
        nonneg("weight_decay", 0.0, WEIGHT_DECAY),
        nonneg("initial_accumulator_value", 0.0, "Start value of the sum of squared gradients."),
        eps(1e-10),
    ),
}
"""The option forms of :data:`OPTIMIZERS`, torch's names and defaults."""


def check_nesterov(resolved: Mapping[str, object]) -> None:
    """Torch's rule: Nesterov momentum needs momentum > 0 and dampening 0."""
    if resolved.get("nesterov") and (resolved["momentum"] <= 0 or resolved["dampening"] != 0):
        raise InputError("Nesterov momentum needs momentum > 0 and dampening 0.",
                         field="nesterov")


def optimizer_options(name: str) -> tuple[OptionSpec, ...]:
    """The hyper-parameters of optimizer ``name`` (torch's names and defaults)."""
    return SPECS[check_name(name, OPTIMIZERS, "optimizer", "optimizer")]


def resolve_optimizer_options(name: str, options: Mapping[str, object] | None) -> dict:
    """Checked options with defaults; ``betas=(b1, b2)`` is accepted for Adam/AdamW.

    Raises
    ------
    InputError
        For an unknown option, a value out of its range, or Nesterov without momentum.
    """
    options = check_mapping(options, name, "optimizer_options")
    if "betas" in options and name in ("Adam", "AdamW"):
        try:
            options["beta1"], options["beta2"] = options.pop("betas")
        except (TypeError, ValueError):
            raise InputError("betas must be two numbers (beta1, beta2).", field="betas") from None
    resolved = resolve_options(optimizer_options(name), options, name, "optimizer_options")
    check_nesterov(resolved)
    return resolved


def torch_kwargs(name: str, options: Mapping[str, object] | None) -> dict:
    """Keyword arguments for ``torch.optim.<name>(params, lr=..., **kwargs)``."""
    kwargs = resolve_optimizer_options(name, options)
    if name in ("Adam", "AdamW"):
        kwargs["betas"] = (kwargs.pop("beta1"), kwargs.pop("beta2"))
    return kwargs
