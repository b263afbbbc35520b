"""The user's own loss ``L(z, y)``, typed in the safe expression language.

``z`` is the prediction (the loss's ``input``), ``y`` the truth (its ``target``); the
formula is checked and evaluated by :mod:`explorer.expressions` (an ``ast`` whitelist,
torch operations, differentiable), one value per element, then reduced like any torch
loss. Everything shown for it (the formula, the legend, the code twin) is written from
the checked syntax tree, never from the text as typed (a ``#`` is refused outright).

>>> from explorer.losses import own
>>> own.display("where(y*z < 1, (1 - y*z)**2, 0)")
'where(y * z < 1, (1 - y * z) ** 2, 0)'
"""

from __future__ import annotations

import ast
from functools import lru_cache

from explorer.expressions import Expression, parse

NAME = "CustomLoss"
VARIABLES = ("z", "y")
DEFAULT = "(z - y)**2"
FUNCTION = "custom_loss"


@lru_cache(maxsize=64)
def _parsed(text: str) -> Expression:
    return parse(text, VARIABLES)


def expression(text: object) -> Expression:
    """``text`` checked as a formula of ``z`` and ``y`` (InputError, field "expression")."""
    return _parsed(text) if isinstance(text, str) else parse(text, VARIABLES)


def elementwise(text: object):
    """The per-element loss ``(z, y) -> L(z, y)`` of ``text``, a tensor of their shape."""
    formula = expression(text)
    return lambda z, y: formula(z=z, y=y)


def own_loss(input, target, expression: str = DEFAULT, reduction: str = "mean"):
    """The loss ``expression`` of ``z = input`` and ``y = target``, reduced.

    ``mean`` and ``sum`` run over every element, ``none`` keeps one value per element,
    as ``torch.nn.MSELoss`` does; so ``(z - y)**2`` gives MSELoss's value.
    """
    per_element = elementwise(expression)(input, target)
    if reduction == "sum":
        return per_element.sum()
    if reduction == "mean":
        return per_element.mean()
    return per_element


def uses(text: str, variable: str) -> bool:
    """Whether the formula ``text`` uses ``variable`` (``"z"`` or ``"y"``)."""
    tree = expression(text).tree
    return any(isinstance(n, ast.Name) and n.id == variable for n in ast.walk(tree))


def display(text: str) -> str:
    """The formula in the user's notation, written from its syntax tree (no comments)."""
    return ast.unparse(expression(text).tree)


# --- the code twin --------------------------------------------------------------------------
def code_lines(text: str, function: str = FUNCTION) -> list[str]:
    """``def custom_loss(z, y): ...`` returning the formula written with torch calls."""
    return [
        f"def {function}(z, y):",
        '    """The loss typed on the page, one value per element."""',
        f"    return torch.as_tensor({expression(text).source()}, dtype=z.dtype)",
    ]


def call_text(function: str, args: str, reduction: str) -> str:
    """``custom_loss(input, target).mean()`` (``.sum()``; nothing for ``none``)."""
    tail = {"mean": ".mean()", "sum": ".sum()"}.get(reduction, "")
    return f"{function}({args}){tail}"


# --- the formula, as LaTeX ------------------------------------------------------------------
def latex(text: str) -> str:
    """``L(z, y) = ...`` as LaTeX for the formula panel (:meth:`Expression.latex`)."""
    return r"L(z, y) = " + expression(text).latex()
