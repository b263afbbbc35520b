"""torch.optim's update rules for K independent runs held in one tensor.

``torch.optim`` steps one set of parameters with one learning rate. The descent
lab runs up to 256 learning rates at once, so each rule is written here over
parameters of shape ``(K, 2)`` with a learning rate per row ``(K, 1)``. The
formulas copy torch's single-tensor code paths operation for operation (torch
2.x ``_single_tensor_sgd`` / ``_adam`` / ``_rmsprop`` / ``_adagrad``), and
``tests/core/descent/test_descent_optimizers.py`` checks them equal to ``torch.optim``.
The other elementwise rules are in :mod:`explorer.descent.batched_more`; LBFGS, which
is not elementwise, runs torch's own optimizer once per rate
(:mod:`explorer.descent.looped_optim`).
"""

from __future__ import annotations

from collections.abc import Mapping

import torch

from explorer import optimizers
from explorer.descent import batched_more, looped_optim
from explorer.descent.optim_base import BatchedOptimizer
from explorer.errors import InputError
from explorer.inputs import OptionSpec, check_mapping, check_name, resolve_options

OPTIMIZERS = ("SGD", "Adam", "AdamW", "NAdam", "RAdam", "Adamax", "Adagrad", "Adadelta",
              "RMSprop", "Rprop", "ASGD", "LBFGS", "Adafactor")
"""Every torch.optim optimizer that applies to a 2-vector, by torch's name."""

ABSENT = {
    "Muon": "Muon orthogonalises the update of a weight matrix (Newton-Schulz on a 2-D "
            "parameter); the point here is a 2-vector, which has no such matrix.",
    "SparseAdam": "SparseAdam only takes sparse gradients (from nn.Embedding(sparse=True)); "
                  "the gradient of a 2-D surface is dense.",
}
"""torch.optim optimizers the lab does not offer, and why (the page can show this)."""
ABSENT_SHORT = {"Muon": "weight matrices only", "SparseAdam": "sparse gradients only"}
"""The same reasons in a few words, for the page itself (the whole reason is its tooltip)."""
ABSENT_NOTE = ("Not here: " + " ".join(f"{name}: {why}" for name, why in ABSENT.items()))


def check_optimizer(name: object) -> str:
    """``name`` if the lab offers it; else InputError (for Muon and SparseAdam, why not)."""
    if isinstance(name, str) and name in ABSENT:
        raise InputError(f"{name} is not offered: {ABSENT[name]}", field="optimizer")
    return check_name(name, OPTIMIZERS, "optimizer", "optimizer")


_SPECS: dict[str, tuple[OptionSpec, ...]] = dict(optimizers.SPECS)  # the labs' shared five
_SPECS.update(batched_more.SPECS)
_SPECS.update(looped_optim.SPECS)


def optimizer_options(name: str) -> tuple[OptionSpec, ...]:
    """The hyper-parameters of optimizer ``name`` (torch's names and defaults)."""
    return _SPECS[check_name(name, OPTIMIZERS, "optimizer", "optimizer")]


def resolve_optimizer_options(name: str, options: Mapping[str, object] | None) -> dict:
    """Checked options with defaults.

    torch's tuple options are accepted as tuples too: ``betas=(b1, b2)`` for ``beta1`` and
    ``beta2``, Rprop's ``etas`` and ``step_sizes``, Adafactor's ``eps=(eps1, eps2)``.
    """
    options = check_mapping(options, name, "optimizer_options")
    names = {spec.name for spec in optimizer_options(name)}
    for joined, (first, second) in batched_more.TUPLES.items():
        if joined in options and first in names:
            try:
                options[first], options[second] = options.pop(joined)
            except (TypeError, ValueError):
                raise InputError(f"{joined} must be two numbers ({first}, {second}).",
                                 field=joined) from None
    if name == "Adafactor" and options.get("eps1", 0) is None:
        options["eps1"] = 0.0  # torch's None: the machine epsilon
    resolved = resolve_options(optimizer_options(name), options, name, "optimizer_options")
    optimizers.check_nesterov(resolved)
    return resolved


def torch_kwargs(name: str, options: Mapping[str, object] | None) -> dict:
    """Keyword arguments for ``torch.optim.<name>(params, lr=..., **kwargs)``."""
    kwargs = resolve_optimizer_options(name, options)
    for joined, (first, second) in batched_more.TUPLES.items():
        if first in kwargs:
            kwargs[joined] = (kwargs.pop(first), kwargs.pop(second))
    if name == "Adafactor":
        kwargs["eps"] = (kwargs["eps"][0] or None, kwargs["eps"][1])
    if name == "LBFGS":
        kwargs = looped_optim.torch_options(kwargs)
    return kwargs


class _Momentum(BatchedOptimizer):
    """A rule with a momentum buffer: shown from the first step that uses momentum on.

    A cycling schedule may set the momentum to 0 for a while (OneCycleLR with
    ``base_momentum=0``); the buffer's record then stays, unchanged, as torch's does.
    """

    momentum_option = "momentum"
    uses_momentum = False

    def set_momentum(self, value: float) -> None:
        super().set_momentum(value)
        self.uses_momentum = self.uses_momentum or value != 0

    def _with_velocity(self, others: dict) -> dict:
        if self.uses_momentum or self.options["momentum"] != 0:
            return {"velocity": self.state["velocity"], **others}
        return others


class BatchedSGD(_Momentum):
    """torch.optim.SGD: momentum buffer starts at the first gradient; Nesterov looks ahead."""

    def _init_state(self, params):
        self.state["velocity"] = torch.zeros_like(params)
        self.started = False  # torch makes the buffer at the first step with momentum

    def step(self, params, grad, lr, out):
        o = self.options
        momentum = o["momentum"]
        if o["weight_decay"] != 0:
            grad = grad.add(params, alpha=o["weight_decay"])
        if momentum != 0:
            buf = self.state["velocity"]
            if not self.started:
                buf.copy_(grad)  # torch starts the buffer at the first gradient
                self.started = True
            elif o["dampening"] == 0:
                torch.add(grad, buf, alpha=momentum, out=buf)  # one pass, no temporary
            else:
                buf.mul_(momentum).add_(grad, alpha=1 - o["dampening"])
            grad = grad.add(buf, alpha=momentum) if o["nesterov"] else buf
        self.t += 1
        torch.addcmul(params, lr, grad, value=-1, out=out)

    def internals(self):
        return self._with_velocity({})


class BatchedAdam(BatchedOptimizer):
    """torch.optim.Adam: bias-corrected running means of the gradient and its square."""

    decoupled = False
    momentum_option = "beta1"

    def _init_state(self, params):
        self.state["exp_avg"] = torch.zeros_like(params)
        self.state["exp_avg_sq"] = torch.zeros_like(params)
        self.state["scale"] = torch.zeros_like(params)
        if self.options["amsgrad"]:
            self.state["max_exp_avg_sq"] = torch.zeros_like(params)

    def step(self, params, grad, lr, out):
        o, s = self.options, self.state
        self.t += 1
        beta1, beta2, decay = o["beta1"], o["beta2"], o["weight_decay"]
        if decay != 0:
            if self.decoupled:
                params = params * (1 - lr * decay)
            else:
                grad = grad.add(params, alpha=decay)
        s["exp_avg"].lerp_(grad, 1 - beta1)
        s["exp_avg_sq"].mul_(beta2).addcmul_(grad, grad, value=1 - beta2)
        correction2_sqrt = (1 - beta2**self.t) ** 0.5
        second = s["exp_avg_sq"]
        if o["amsgrad"]:
            torch.maximum(s["max_exp_avg_sq"], second, out=s["max_exp_avg_sq"])
            second = s["max_exp_avg_sq"]
        scale = s["scale"]
        torch.sqrt(second, out=scale).div_(correction2_sqrt).add_(o["eps"])
        # params - lr / (1 - beta1^t) * exp_avg / scale, the bias correction as a number.
        torch.div(s["exp_avg"], scale, out=out)
        torch.addcmul(params, lr, out, value=-1 / (1 - beta1**self.t), out=out)

    def internals(self):
        return {"exp_avg": self.state["exp_avg"], "scale": self.state["scale"]}


class BatchedAdamW(BatchedAdam):
    """torch.optim.AdamW: Adam with weight decay applied to the parameter, not the gradient."""

    decoupled = True


class BatchedRMSprop(_Momentum):
    """torch.optim.RMSprop: divide by the root of a running mean of squared gradients."""

    def _init_state(self, params):
        self.state["square_avg"] = torch.zeros_like(params)
        self.state["scale"] = torch.zeros_like(params)
        self.state["velocity"] = torch.zeros_like(params)
        if self.options["centered"]:
            self.state["grad_avg"] = torch.zeros_like(params)

    def step(self, params, grad, lr, out):
        o, s = self.options, self.state
        self.t += 1
        if o["weight_decay"] != 0:
            grad = grad.add(params, alpha=o["weight_decay"])
        s["square_avg"].mul_(o["alpha"]).addcmul_(grad, grad, value=1 - o["alpha"])
        if o["centered"]:
            s["grad_avg"].lerp_(grad, 1 - o["alpha"])
            second = s["square_avg"].addcmul(s["grad_avg"], s["grad_avg"], value=-1)
        else:
            second = s["square_avg"]
        torch.sqrt(second, out=s["scale"]).add_(o["eps"])
        if o["momentum"] > 0:
            s["velocity"].mul_(o["momentum"]).addcdiv_(grad, s["scale"])
            torch.addcmul(params, lr, s["velocity"], value=-1, out=out)
        else:
            torch.div(grad, s["scale"], out=out)
            torch.addcmul(params, lr, out, value=-1, out=out)

    def internals(self):
        return self._with_velocity({"scale": self.state["scale"]})


class BatchedAdagrad(BatchedOptimizer):
    """torch.optim.Adagrad: divide by the root of the sum of all squared gradients."""

    def _init_state(self, params):
        self.state["sum"] = torch.full_like(params, self.options["initial_accumulator_value"])
        self.state["scale"] = torch.zeros_like(params)

    def step(self, params, grad, lr, out):
        o, s = self.options, self.state
        self.t += 1
        if o["weight_decay"] != 0:
            grad = grad.add(params, alpha=o["weight_decay"])
        s["sum"].addcmul_(grad, grad, value=1)
        torch.sqrt(s["sum"], out=s["scale"]).add_(o["eps"])
        # params - lr / (1 + (t - 1) lr_decay) * grad / scale, the decay as a number.
        torch.div(grad, s["scale"], out=out)
        torch.addcmul(params, lr, out, value=-1 / (1 + (self.t - 1) * o["lr_decay"]), out=out)

    def internals(self):
        return {"scale": self.state["scale"]}


_CLASSES = {
    "SGD": BatchedSGD,
    "Adam": BatchedAdam,
    "AdamW": BatchedAdamW,
    "RMSprop": BatchedRMSprop,
    "Adagrad": BatchedAdagrad,
    **batched_more.CLASSES,
}


def has_momentum(name: str) -> bool:
    """Whether a schedule can cycle this optimizer's momentum (torch: 'momentum' or 'betas')."""
    return name in _CLASSES and bool(_CLASSES[name].momentum_option)


def is_looped(name: str) -> bool:
    """Whether ``name`` runs torch's optimizer once per rate instead of one batched rule."""
    return name in looped_optim.CLASSES


def make(name: str, options: dict, params: torch.Tensor, function=None) -> BatchedOptimizer:
    """A batched optimizer ``name`` with already resolved ``options`` for ``params`` (K, 2).

    ``function`` (the surface, ``xy -> value``) is needed by LBFGS, which evaluates it itself.
    """
    if is_looped(name):
        return looped_optim.CLASSES[name](options, params, function)
    return _CLASSES[name](options, params)
