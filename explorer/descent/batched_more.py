"""More of torch.optim's elementwise rules, batched over K runs (see :mod:`batched_optim`).

NAdam, RAdam, Adamax, Adadelta, Rprop, ASGD and Adafactor, each copied from torch
2.x's single-tensor code path (``_single_tensor_nadam`` ...) operation for operation,
over parameters ``(K, 2)`` with a learning rate per row ``(K, 1)``. Every number that
depends only on the step count (bias corrections, NAdam's momentum schedule, RAdam's
rectification) is a Python float, as in torch. ``tests/core/descent/test_more_optimizers.py``
checks each equal to ``torch.optim`` run one learning rate at a time.
"""

from __future__ import annotations

import math

import torch

from explorer.descent.optim_base import WEIGHT_DECAY, BatchedOptimizer, eps, nonneg, unit
from explorer.inputs import OptionSpec

_BETAS = (
    unit("beta1", 0.9, "Decay of the running mean of gradients (betas[0])."),
    unit("beta2", 0.999, "Decay of the running mean of squared gradients (betas[1])."),
)
_DECOUPLED = OptionSpec("decoupled_weight_decay", "bool", False, description="Decay the "
                        "parameter (parameter *= 1 - lr * weight_decay) as AdamW does, "
                        "instead of adding to the gradient.")

SPECS: dict[str, tuple[OptionSpec, ...]] = {
    "NAdam": _BETAS + (
        eps(1e-8), nonneg("weight_decay", 0.0, WEIGHT_DECAY),
        nonneg("momentum_decay", 4e-3, "How fast the Nesterov momentum mu_t rises to beta1."),
        _DECOUPLED),
    "RAdam": _BETAS + (eps(1e-8), nonneg("weight_decay", 0.0, WEIGHT_DECAY), _DECOUPLED),
    "Adamax": (
        unit("beta1", 0.9, "Decay of the running mean of gradients (betas[0])."),
        unit("beta2", 0.999, "Decay of the running maximum of |gradient| (betas[1])."),
        eps(1e-8), nonneg("weight_decay", 0.0, WEIGHT_DECAY)),
    "Adadelta": (
        unit("rho", 0.9, "Decay of the running means of squared gradients and steps."),
        eps(1e-6), nonneg("weight_decay", 0.0, WEIGHT_DECAY)),
    "Rprop": (
        OptionSpec("etaminus", "float", 0.5, 0.0, 1.0, "Step size factor when the gradient's "
                   "sign flips (etas[0]).", below_maximum=True),
        OptionSpec("etaplus", "float", 1.2, 1.0, 100.0, "Step size factor when the sign stays "
                   "(etas[1])."),
        nonneg("step_size_min", 1e-6, "Smallest step size (step_sizes[0])."),
        nonneg("step_size_max", 50.0, "Largest step size (step_sizes[1])."),
    ),
    "ASGD": (
        nonneg("lambd", 1e-4, "Decay term: the parameter is multiplied by 1 - lambd * eta."),
        nonneg("alpha", 0.75, "Power of the learning-rate decay eta = lr / (1 + lambd lr t)^alpha.",
               maximum=100.0),
        nonneg("t0", 1e6, "Step from which the parameters are averaged.", maximum=1e9),
        nonneg("weight_decay", 0.0, WEIGHT_DECAY)),
    "Adafactor": (
        OptionSpec("beta2_decay", "float", -0.8, -1.0, 0.0, "The second-moment decay is "
                   "1 - step^beta2_decay."),
        nonneg("eps1", 0.0, "Floor of the second moment, squared (eps[0]); 0: torch's None, "
               "the machine epsilon of the precision.", maximum=1.0),
        nonneg("eps2", 1e-3, "Smallest relative step (eps[1]).", maximum=1.0),
        OptionSpec("d", "float", 1.0, 1.0, 1e6, "Clipping threshold of the update's RMS."),
        nonneg("weight_decay", 0.0, "Decoupled decay: parameter *= 1 - lr * weight_decay."),
    ),
}
TUPLES = {"betas": ("beta1", "beta2"), "etas": ("etaminus", "etaplus"),
          "step_sizes": ("step_size_min", "step_size_max"), "eps": ("eps1", "eps2")}
"""torch's tuple options and the separate options the page shows for them."""


def _decay(o: dict, params, grad, lr):
    """Weight decay, coupled (into the gradient) or decoupled (on the parameter), as torch."""
    decay = o["weight_decay"]
    if decay == 0:
        return params, grad
    if o.get("decoupled_weight_decay"):
        return params * (1 - lr * decay), grad
    return params, grad.add(params, alpha=decay)


class _Moments(BatchedOptimizer):
    """A rule with Adam's two running means and a recorded denominator."""

    momentum_option = "beta1"

    def _init_state(self, params):
        for name in ("exp_avg", "exp_avg_sq", "scale"):
            self.state[name] = torch.zeros_like(params)

    def _update_moments(self, grad):
        o, s = self.options, self.state
        s["exp_avg"].lerp_(grad, 1 - o["beta1"])
        s["exp_avg_sq"].mul_(o["beta2"]).addcmul_(grad, grad, value=1 - o["beta2"])

    def internals(self):
        return {"exp_avg": self.state["exp_avg"], "scale": self.state["scale"]}


class BatchedNAdam(_Moments):
    """torch.optim.NAdam: Adam with Nesterov momentum whose weight mu_t rises to beta1."""

    def _init_state(self, params):
        super()._init_state(params)
        self.mu_product = 1.0

    def step(self, params, grad, lr, out):
        o, s = self.options, self.state
        self.t += 1
        t, beta1 = self.t, o["beta1"]
        params, grad = _decay(o, params, grad, lr)
        mu = beta1 * (1.0 - 0.5 * 0.96 ** (t * o["momentum_decay"]))
        mu_next = beta1 * (1.0 - 0.5 * 0.96 ** ((t + 1) * o["momentum_decay"]))
        self.mu_product *= mu
        self._update_moments(grad)
        scale = s["scale"]
        torch.div(s["exp_avg_sq"], 1 - o["beta2"] ** t, out=scale).sqrt_().add_(o["eps"])
        # params - lr (1 - mu) / (1 - prod mu) grad / scale - lr mu' / (1 - prod mu') m / scale
        torch.mul(grad, (1.0 - mu) / (1.0 - self.mu_product), out=out)
        out.add_(s["exp_avg"], alpha=mu_next / (1.0 - self.mu_product * mu_next)).div_(scale)
        torch.addcmul(params, lr, out, value=-1, out=out)


class BatchedRAdam(_Moments):
    """torch.optim.RAdam: Adam whose adaptive step is switched on (rectified) once trusted."""

    def step(self, params, grad, lr, out):
        o, s = self.options, self.state
        self.t += 1
        t, beta2 = self.t, o["beta2"]
        params, grad = _decay(o, params, grad, lr)
        self._update_moments(grad)
        correction1, correction2 = 1 - o["beta1"] ** t, 1 - beta2**t
        rho_inf = 2 / (1 - beta2) - 1
        rho_t = rho_inf - 2 * t * beta2**t / correction2
        if rho_t > 5.0:
            rect = ((rho_t - 4) * (rho_t - 2) * rho_inf
                    / ((rho_inf - 4) * (rho_inf - 2) * rho_t)) ** 0.5
            torch.sqrt(s["exp_avg_sq"], out=s["scale"]).add_(o["eps"])
            torch.div(s["exp_avg"], s["scale"], out=out)
            value = -correction2**0.5 * rect / correction1
        else:  # too few steps to trust the second moment: momentum SGD
            s["scale"].fill_(1.0)
            out.copy_(s["exp_avg"])
            value = -1 / correction1
        torch.addcmul(params, lr, out, value=value, out=out)


class BatchedAdamax(_Moments):
    """torch.optim.Adamax: divide by a decaying maximum of |gradient| (the infinity norm)."""

    def _init_state(self, params):
        self.state["exp_avg"] = torch.zeros_like(params)
        self.state["scale"] = torch.zeros_like(params)  # torch's exp_inf

    def step(self, params, grad, lr, out):
        o, s = self.options, self.state
        self.t += 1
        params, grad = _decay(o, params, grad, lr)
        s["exp_avg"].lerp_(grad, 1 - o["beta1"])
        torch.maximum(s["scale"].mul_(o["beta2"]), grad.abs().add_(o["eps"]), out=s["scale"])
        torch.div(s["exp_avg"], s["scale"], out=out)
        torch.addcmul(params, lr, out, value=-1 / (1 - o["beta1"] ** self.t), out=out)


class BatchedAdadelta(BatchedOptimizer):
    """torch.optim.Adadelta: the step is scaled by the ratio of running RMS of steps and grads."""

    def _init_state(self, params):
        for name in ("square_avg", "acc_delta", "scale"):
            self.state[name] = torch.zeros_like(params)

    def step(self, params, grad, lr, out):
        o, s = self.options, self.state
        rho, epsilon = o["rho"], o["eps"]
        self.t += 1
        params, grad = _decay(o, params, grad, lr)
        s["square_avg"].mul_(rho).addcmul_(grad, grad, value=1 - rho)
        torch.add(s["square_avg"], epsilon, out=s["scale"]).sqrt_()
        delta = s["acc_delta"].add(epsilon).sqrt_().div_(s["scale"]).mul_(grad)
        s["acc_delta"].mul_(rho).addcmul_(delta, delta, value=1 - rho)
        torch.addcmul(params, lr, delta, value=-1, out=out)

    def internals(self):
        return {"scale": self.state["scale"]}


class BatchedRprop(BatchedOptimizer):
    """torch.optim.Rprop: only the gradient's sign counts; each step size grows or shrinks.

    As in torch, the learning rate is only the first step size: a schedule has no effect.
    """

    def _init_state(self, params):
        self.state["prev"] = torch.zeros_like(params)
        self.state["step_size"] = torch.zeros_like(params)

    def step(self, params, grad, lr, out):
        o, s = self.options, self.state
        self.t += 1
        if self.t == 1:
            s["step_size"].copy_(lr.expand_as(params))
        sign = grad.mul(s["prev"]).sign()
        factor = torch.where(sign > 0, o["etaplus"], torch.where(sign < 0, o["etaminus"], 1.0))
        s["step_size"].mul_(factor).clamp_(o["step_size_min"], o["step_size_max"])
        grad = torch.where(sign < 0, 0.0, grad)  # after a sign flip: no step, forget the sign
        torch.addcmul(params, grad.sign(), s["step_size"], value=-1, out=out)
        s["prev"].copy_(grad)

    def internals(self):
        return {"scale": self.state["step_size"]}


class BatchedASGD(BatchedOptimizer):
    """torch.optim.ASGD: SGD with a decaying rate eta_t, averaging the points after t0."""

    def _init_state(self, params):
        self.state["ax"] = torch.zeros_like(params)
        self.state["eta"] = torch.zeros((len(params), 1), dtype=params.dtype,
                                        device=params.device)
        self.mu = 1.0

    def step(self, params, grad, lr, out):
        o, s = self.options, self.state
        self.t += 1
        if self.t == 1:
            s["eta"].copy_(lr)
        if o["weight_decay"] != 0:
            grad = grad.add(params, alpha=o["weight_decay"])
        eta = s["eta"]
        torch.mul(params, 1 - o["lambd"] * eta, out=out)
        out.addcmul_(eta, grad, value=-1)
        if self.mu != 1:
            s["ax"].add_(out.sub(s["ax"]).mul_(self.mu))
        else:
            s["ax"].copy_(out)
        torch.div(lr, (1 + o["lambd"] * lr * self.t) ** o["alpha"], out=eta)
        self.mu = 1 / max(1, self.t - o["t0"])

    def internals(self):
        return {"ax": self.state["ax"]}


class BatchedAdafactor(BatchedOptimizer):
    """torch.optim.Adafactor on a vector: relative steps, a clipped update's RMS.

    A 2-vector's second moment is not factored (torch factors matrices only), so the rule
    is elementwise but for two norms over each run's two coordinates.
    """

    def _init_state(self, params):
        self.state["variance"] = torch.zeros_like(params)
        self.state["scale"] = torch.zeros_like(params)

    def step(self, params, grad, lr, out):
        o, s = self.options, self.state
        self.t += 1
        t = float(self.t)
        eps1 = o["eps1"] or torch.finfo(params.dtype).eps
        rho = lr.clamp(max=1 / t**0.5)
        root_n = math.sqrt(params.shape[-1])
        alpha = (params.norm(dim=-1, keepdim=True) / root_n).clamp_(min=o["eps2"]).mul_(rho)
        if o["weight_decay"] != 0:
            params = params * (1 - lr * o["weight_decay"])
        s["variance"].lerp_(grad * grad, t ** o["beta2_decay"])
        torch.clamp(s["variance"], min=eps1 * eps1, out=s["scale"]).sqrt_()
        update = grad / s["scale"]
        clip = (update.norm(dim=-1, keepdim=True) / (root_n * o["d"])).clamp_(min=1.0)
        torch.addcmul(params, alpha.div_(clip), update, value=-1, out=out)

    def internals(self):
        return {"scale": self.state["scale"]}


CLASSES = {
    "NAdam": BatchedNAdam, "RAdam": BatchedRAdam, "Adamax": BatchedAdamax,
    "Adadelta": BatchedAdadelta, "Rprop": BatchedRprop, "ASGD": BatchedASGD,
    "Adafactor": BatchedAdafactor,
}
