"""The user's own loss ``L(z, y)``, typed in the safe expression language.

``z`` is the prediction (the loss's ``input``), ``y`` the truth (its ``target``); the
formula is checked and evaluated by :mod:`explorer.expressions` (an ``ast`` whitelist,
torch operations, differentiable), one value per element, then reduced like any torch
loss. Everything shown for it (the formula, the legend, the code twin) is written from
the checked syntax tree, never from the text as typed: a comment in the text (``# ...``)
is dropped by the parser and so never reaches a label or the code.

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
        "    # broadcast to the inputs' shape, as the page does (also for a formula of y alone)",
        f"    return torch.broadcast_to({expression(text).source()}, z.shape)",
    ]


def call_text(function: str, args: str, reduction: str) -> str:
    """``custom_loss(input, target).mean()`` (``.sum()``; nothing for ``none``)."""
    tail = {"mean": ".mean()", "sum": ".sum()"}.get(reduction, "")
    return f"{function}({args}){tail}"


# --- the formula, as LaTeX ------------------------------------------------------------------
_OPS = {ast.Lt: "<", ast.LtE: r"\le", ast.Gt: ">", ast.GtE: r"\ge", ast.Eq: "=",
        ast.NotEq: r"\ne"}
_NAMED = {"log": r"\log", "sin": r"\sin", "cos": r"\cos", "tanh": r"\tanh", "min": r"\min",
          "max": r"\max", "exp": r"\exp"}
_LEVEL = {ast.Add: 1, ast.Sub: 1, ast.Mult: 2, ast.Div: 2, ast.Pow: 4}


def latex(text: str) -> str:
    """``L(z, y) = ...`` as LaTeX for the formula panel, from the formula's syntax tree."""
    return r"L(z, y) = " + _tex(expression(text).tree)[0]


def _tex(node: ast.expr) -> tuple[str, int]:
    """(LaTeX, binding level) of ``node``; level 5 is an atom."""
    if isinstance(node, ast.Constant):
        return f"{node.value:g}" if isinstance(node.value, float) else str(node.value), 5
    if isinstance(node, ast.Name):
        return node.id, 5
    if isinstance(node, ast.UnaryOp):
        inner, level = _tex(node.operand)
        sign = "-" if isinstance(node.op, ast.USub) else "+"
        return sign + (inner if level >= 2 else rf"\left({inner}\right)"), 2
    if isinstance(node, ast.BinOp):
        return _tex_binary(node)
    if isinstance(node, ast.Compare):
        left, right = _tex(node.left)[0], _tex(node.comparators[0])[0]
        return f"{left} {_OPS[type(node.ops[0])]} {right}", 0
    return _tex_call(node), 5


def _tex_binary(node: ast.BinOp) -> tuple[str, int]:
    left, left_level = _tex(node.left)
    right, right_level = _tex(node.right)
    if isinstance(node.op, ast.Div):
        return rf"\frac{{{left}}}{{{right}}}", 5
    if isinstance(node.op, ast.Pow):
        base = left if left_level >= 5 else rf"\left({left}\right)"
        return f"{base}^{{{right}}}", 4
    level = _LEVEL[type(node.op)]
    left = left if left_level >= level else rf"\left({left}\right)"
    unary = isinstance(node.right, ast.UnaryOp)
    right = right if right_level > level and not unary else rf"\left({right}\right)"
    op = {ast.Add: "+", ast.Sub: "-", ast.Mult: r"\cdot"}[type(node.op)]
    return f"{left} {op} {right}", level


def _tex_call(node: ast.Call) -> str:
    name = node.func.id
    args = [_tex(a)[0] for a in node.args]
    if name == "abs":
        return rf"\left\lvert {args[0]} \right\rvert"
    if name == "sqrt":
        return rf"\sqrt{{{args[0]}}}"
    if name == "where":
        return (rf"\begin{{cases}} {args[1]} & {args[0]} \\ {args[2]} & \text{{otherwise}}"
                r" \end{cases}")
    command = _NAMED.get(name, rf"\operatorname{{{name}}}")
    return rf"{command}\left({', '.join(args)}\right)"
