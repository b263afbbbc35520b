"""A small, safe expression language for a user's own loss L(z, y) or surface f(x, y).

The text is parsed with Python's :mod:`ast` and checked against a whitelist before anything
runs; it is never given to ``eval`` or ``exec``. What is allowed:

- numbers (at most :data:`MAX_NUMBER` in size), and the variables of the use (``z``, ``y``
  for a loss; ``x``, ``y`` for a surface);
- ``+ - * /``, unary minus and plus, and ``**`` with a plain-number exponent from
  -:data:`MAX_POWER` to :data:`MAX_POWER` (``x**2``, ``abs(z)**1.5``; for a variable power
  write ``exp(y * log(x))``);
- one comparison ``< <= > >= == !=`` (it is 1 where true and 0 where false), and
  ``where(condition, a, b)``;
- the functions of :data:`FUNCTIONS`, each mapped to a torch operation, so the result is
  differentiable by autograd.

Anything else (attribute access, subscripts, other names or calls, lambdas,
comprehensions, strings, keyword arguments) is an :class:`InputError` whose message names
the position (column) and says what is allowed. Texts longer than :data:`MAX_LENGTH`
characters, or nested deeper than :data:`MAX_DEPTH`, are refused before they are parsed,
so a hostile text is refused in well under a second.

>>> from explorer.expressions import parse
>>> loss = parse("where(y*z < 1, (1 - y*z)**2, 0)", ("z", "y"))
>>> loss.source()
'torch.where(y * z < 1, (1 - y * z) ** 2, 0)'
"""

from __future__ import annotations

import ast
import math
import operator
from collections.abc import Callable
from dataclasses import dataclass

import torch
import torch.nn.functional as F

from explorer.errors import InputError

MAX_LENGTH = 500
"""The longest expression text, in characters."""
MAX_DEPTH = 40
"""The deepest nesting of brackets and calls."""
MAX_NODES = 400
"""The most numbers, names, operators and calls in one expression."""
MAX_TREE_DEPTH = 200
"""The deepest chain of operations (``z + z + ... + z`` is a chain of its terms)."""
MAX_POWER = 64
"""The largest exponent a ``**`` may have."""
MAX_NUMBER = 1e15
"""The largest number an expression may spell out."""

# name -> (how many arguments, the torch operation, how the code twin writes it)
FUNCTIONS: dict[str, tuple[int, Callable, str]] = {
    "abs": (1, torch.abs, "torch.abs"),
    "exp": (1, torch.exp, "torch.exp"),
    "log": (1, torch.log, "torch.log"),
    "log1p": (1, torch.log1p, "torch.log1p"),
    "sqrt": (1, torch.sqrt, "torch.sqrt"),
    "sin": (1, torch.sin, "torch.sin"),
    "cos": (1, torch.cos, "torch.cos"),
    "tanh": (1, torch.tanh, "torch.tanh"),
    "sigmoid": (1, torch.sigmoid, "torch.sigmoid"),
    "softplus": (1, F.softplus, "torch.nn.functional.softplus"),
    "relu": (1, torch.relu, "torch.relu"),
    "clamp": (3, torch.clamp, "torch.clamp"),
    "min": (2, torch.minimum, "torch.minimum"),
    "max": (2, torch.maximum, "torch.maximum"),
    "where": (3, None, "torch.where"),
}
"""The functions an expression may call: name -> (arguments, torch operation, code name)."""

_BINARY = {ast.Add: "+", ast.Sub: "-", ast.Mult: "*", ast.Div: "/", ast.Pow: "**"}
_COMPARE = {ast.Lt: "<", ast.LtE: "<=", ast.Gt: ">", ast.GtE: ">=", ast.Eq: "==",
            ast.NotEq: "!="}
_PRECEDENCE = {"cmp": 1, "+": 2, "-": 2, "*": 3, "/": 3, "unary": 4, "**": 5, "atom": 6}


@dataclass(frozen=True)
class Expression:
    """A checked expression: ``text`` as typed, its ``variables``, and its syntax tree.

    Call it with one tensor per variable (``expr(z=..., y=...)``) for a tensor of the
    broadcast shape; :meth:`source` is the same expression written with ``torch`` calls.
    """

    text: str
    variables: tuple[str, ...]
    tree: ast.expr

    def __call__(self, **values: torch.Tensor) -> torch.Tensor:
        missing = [name for name in self.variables if name not in values]
        if missing:
            raise InputError(f"The expression needs a value for {', '.join(missing)}.",
                             field="expression")
        like = next(iter(values.values()))
        result = torch.as_tensor(_evaluate(self.tree, values), device=like.device)
        if not result.is_floating_point():  # a comparison: 1 where true, 0 where false
            result = result.to(like.dtype)
        shape = torch.broadcast_shapes(*(torch.as_tensor(v).shape for v in values.values()))
        return result if result.shape == shape else result.expand(shape)

    def source(self) -> str:
        """The expression as Python with torch calls (what the code twin prints)."""
        return _source(self.tree)[0]

    def latex(self) -> str:
        """The expression as LaTeX, for the formula panel (``x^{2} + 10 \\cdot y^{2}``)."""
        return _latex(self.tree)[0]


def parse(text: object, variables: tuple[str, ...], field: str = "expression",
          what: str = "The expression") -> Expression:
    """Check ``text`` and return it as an :class:`Expression` of ``variables``.

    Raises
    ------
    InputError
        (with ``field``) naming the column of the first thing that is not allowed and
        what is; for an empty, too long or too deeply nested text.
    """
    if not isinstance(text, str):
        raise InputError(f"{what} must be text, e.g. {_example(variables)}; got {text!r}.",
                         field=field)
    if len(text) > MAX_LENGTH:
        raise InputError(f"{what} is {len(text):,} characters long; at most {MAX_LENGTH} are "
                         f"allowed.", field=field)
    if not text.strip():
        raise InputError(f"Type an expression of {', '.join(variables)}, e.g. "
                         f"{_example(variables)}.", field=field)
    if "#" in text:
        raise InputError(f"{what} at column {text.index('#') + 1}: a # (a comment) is not "
                         f"allowed in a formula.", field=field)
    _check_nesting(text, field, what)
    try:
        tree = ast.parse(text.strip(), mode="eval").body
    except SyntaxError as exc:
        column = f" at column {exc.offset}" if exc.offset else ""
        raise InputError(f"{what} is not a formula{column}: {exc.msg}. Write it like "
                         f"{_example(variables)}.", field=field) from None
    checker = _Checker(tuple(variables), field, what)
    checker.check(tree)
    checker.fold(tree)
    if not any(isinstance(n, ast.Name) for n in ast.walk(tree)):
        raise InputError(f"{what} must use {' or '.join(variables)}: a constant has no slope "
                         f"to follow. E.g. {_example(variables)}.", field=field)
    return Expression(text.strip(), tuple(variables), tree)


def _example(variables: tuple[str, ...]) -> str:
    a, b = (tuple(variables) + ("y",))[:2]
    return f"({a} - {b})**2" if a != b else f"{a}**2"


def _check_nesting(text: str, field: str, what: str) -> None:
    depth = 0
    for column, char in enumerate(text, start=1):
        depth += char in "([{"
        depth -= char in ")]}"
        if depth > MAX_DEPTH:
            raise InputError(f"{what} nests brackets deeper than {MAX_DEPTH} levels (column "
                             f"{column}); write it more simply.", field=field)


class _Checker:
    """Walks the syntax tree once and refuses the first node outside the whitelist."""

    def __init__(self, variables: tuple[str, ...], field: str, what: str):
        self.variables, self.field, self.what = variables, field, what
        self.nodes = 0

    def refuse(self, node: ast.AST, message: str) -> None:
        column = getattr(node, "col_offset", None)
        where = f" at column {column + 1}" if column is not None else ""
        raise InputError(f"{self.what}{where}: {message}", field=self.field)

    def allowed(self) -> str:
        return (f"use numbers, {', '.join(self.variables)}, + - * / **, a comparison, and "
                f"{', '.join(FUNCTIONS)}")

    def check(self, node: ast.AST, depth: int = 0) -> None:
        self.nodes += 1
        if self.nodes > MAX_NODES:
            self.refuse(node, f"it is too long (more than {MAX_NODES} parts).")
        if depth > MAX_TREE_DEPTH:
            self.refuse(node, f"it chains more than {MAX_TREE_DEPTH} operations; write it "
                        f"more simply.")
        handler = getattr(self, f"_{type(node).__name__}", None)
        if handler is None:
            self.refuse(node, f"{_describe(node)} is not allowed; {self.allowed()}.")
        handler(node, depth + 1)

    def fold(self, node: ast.AST):
        """The value of a part made of numbers alone, as Python computes it (the code twin
        does too), or None for a part with a variable or a call (a tensor there). Refuses a
        part that Python cannot compute (``0**-2``, ``1/0``) or that is absurdly large, so
        no number is ever worked out at great cost."""
        if isinstance(node, ast.Constant):
            return float(node.value)
        if isinstance(node, ast.UnaryOp):
            inner = self.fold(node.operand)
            return None if inner is None else -inner
        if isinstance(node, ast.BinOp | ast.Compare):
            right_node = node.right if isinstance(node, ast.BinOp) else node.comparators[0]
            left, right = self.fold(node.left), self.fold(right_node)
            if left is None or right is None or isinstance(node, ast.Compare):
                return None
            op = _BINARY[type(node.op)]
            try:
                value = {"+": operator.add, "-": operator.sub, "*": operator.mul,
                         "/": operator.truediv, "**": operator.pow}[op](left, right)
            except (ZeroDivisionError, OverflowError) as exc:
                self.refuse(node, f"these numbers cannot be computed ({exc}); write a value "
                            f"that can.")
            if isinstance(value, complex):
                self.refuse(node, "these numbers give a complex number (a negative number to "
                            "a fractional power); write a real value.")
            if not abs(value) <= MAX_NUMBER ** 4:
                self.refuse(node, "these numbers give a number too large to use; write a "
                            "smaller value.")
            return value
        for child in ast.iter_child_nodes(node):  # a call: its arguments may hold numbers
            self.fold(child)
        return None

    def _Constant(self, node: ast.Constant, depth: int) -> None:  # noqa: N802 (ast names)
        value = node.value
        if isinstance(value, bool) or not isinstance(value, int | float):
            kind = "text" if isinstance(value, str | bytes) else "the value"
            self.refuse(node, f"{kind} {value!r} is not a number; {self.allowed()}.")
        if not (math.isfinite(value) and abs(value) <= MAX_NUMBER):
            self.refuse(node, f"the number {value:g} is larger than {MAX_NUMBER:g}.")

    def _Name(self, node: ast.Name, depth: int) -> None:  # noqa: N802
        if node.id not in self.variables:
            hint = (f"; to call {node.id}, write {node.id}(...)" if node.id in FUNCTIONS
                    else "")
            self.refuse(node, f"'{node.id}' is not a variable here (the variables are "
                        f"{', '.join(self.variables)}){hint}.")

    def _UnaryOp(self, node: ast.UnaryOp, depth: int) -> None:  # noqa: N802
        if not isinstance(node.op, ast.USub | ast.UAdd):
            self.refuse(node, f"{_describe(node.op)} is not allowed; {self.allowed()}.")
        self.check(node.operand, depth)

    def _BinOp(self, node: ast.BinOp, depth: int) -> None:  # noqa: N802
        if type(node.op) not in _BINARY:
            self.refuse(node, f"the operator {_operator(node.op)} is not allowed; "
                        f"{self.allowed()}.")
        if isinstance(node.op, ast.Pow):
            power = _plain_number(node.right)
            if power is None:
                self.refuse(node.right, f"the power after ** must be a plain number from "
                            f"-{MAX_POWER} to {MAX_POWER} (for a variable power write "
                            f"exp(b * log(a))).")
            if abs(power) > MAX_POWER:
                self.refuse(node.right, f"the power {power:g} is larger than {MAX_POWER}.")
        self.check(node.left, depth)
        self.check(node.right, depth)

    def _Compare(self, node: ast.Compare, depth: int) -> None:  # noqa: N802
        if len(node.ops) != 1:
            self.refuse(node, "use one comparison at a time (a < b, not a < b < c).")
        if type(node.ops[0]) not in _COMPARE:
            self.refuse(node, f"{_describe(node.ops[0])} is not a comparison it knows; use "
                        f"< <= > >= == !=.")
        self.check(node.left, depth)
        self.check(node.comparators[0], depth)

    def _Call(self, node: ast.Call, depth: int) -> None:  # noqa: N802
        name = node.func.id if isinstance(node.func, ast.Name) else None
        if name is None:
            self.refuse(node.func, f"{_describe(node.func)} is not allowed; "
                        f"{self.allowed()}.")
        if name not in FUNCTIONS:
            self.refuse(node, f"'{name}' is not a function it knows; the functions are "
                        f"{', '.join(FUNCTIONS)}.")
        if node.keywords:
            self.refuse(node, f"{name}(...) takes its arguments by position only.")
        arity = FUNCTIONS[name][0]
        if len(node.args) != arity or any(isinstance(a, ast.Starred) for a in node.args):
            self.refuse(node, f"{name} takes {arity} argument{'s' if arity > 1 else ''}; "
                        f"got {len(node.args)}.")
        if name == "where" and not any(isinstance(n, ast.Name) for n in ast.walk(node.args[0])):
            self.refuse(node.args[0], f"where's condition must use "
                        f"{' or '.join(self.variables)}; one that is always true or always "
                        f"false picks the same branch everywhere.")
        for argument in node.args:
            self.check(argument, depth)


def _plain_number(node: ast.AST) -> float | int | None:
    """The value of a literal number, or of minus one, of the type it was typed in (``2``
    stays an int, as in ``z ** 2``); else None."""
    if isinstance(node, ast.UnaryOp) and isinstance(node.op, ast.USub | ast.UAdd):
        inner = _plain_number(node.operand)
        return None if inner is None else (-inner if isinstance(node.op, ast.USub) else inner)
    if (isinstance(node, ast.Constant) and isinstance(node.value, int | float)
            and not isinstance(node.value, bool)):
        return node.value
    return None


def _describe(node: ast.AST) -> str:
    names = {ast.Attribute: "attribute access (a.b)", ast.Subscript: "indexing (a[i])",
             ast.Lambda: "a lambda", ast.ListComp: "a comprehension",
             ast.GeneratorExp: "a comprehension", ast.SetComp: "a comprehension",
             ast.DictComp: "a comprehension", ast.List: "a list", ast.Tuple: "a tuple",
             ast.Dict: "a dict", ast.Set: "a set", ast.BoolOp: "and / or",
             ast.IfExp: "'a if c else b' (use where(c, a, b))", ast.Not: "not",
             ast.JoinedStr: "a string", ast.NamedExpr: ":=", ast.Await: "await",
             ast.Invert: "~", ast.Is: "is", ast.IsNot: "is not", ast.In: "in",
             ast.NotIn: "not in", ast.Starred: "*", ast.Call: "a call"}
    for kind, words in names.items():
        if isinstance(node, kind):
            return words
    return type(node).__name__


def _operator(op: ast.operator) -> str:
    return {ast.FloorDiv: "//", ast.Mod: "%", ast.MatMult: "@", ast.BitAnd: "&",
            ast.BitOr: "|", ast.BitXor: "^", ast.LShift: "<<", ast.RShift: ">>"}.get(
                type(op), type(op).__name__)


# --- evaluation: a walk over the checked tree, torch operations only --------------------------
# It does exactly what the code twin's text does, so both give the same bits: numbers stay
# Python floats in arithmetic (as in ``2 / z``), and become float64 tensors only where torch
# wants a tensor (a function of numbers alone, a bound of min / max / clamp).
def _evaluate(node: ast.expr, values: dict):
    if isinstance(node, ast.Constant):
        return float(node.value) if isinstance(node.value, float) else node.value
    if isinstance(node, ast.Name):
        return values[node.id]
    if isinstance(node, ast.UnaryOp):
        inner = _evaluate(node.operand, values)
        return -inner if isinstance(node.op, ast.USub) else +inner
    if isinstance(node, ast.BinOp):
        left = _evaluate(node.left, values)
        if isinstance(node.op, ast.Pow):
            return left ** _plain_number(node.right)  # checked
        right = _evaluate(node.right, values)
        op = _BINARY[type(node.op)]
        if op == "+":
            return left + right
        if op == "-":
            return left - right
        return left * right if op == "*" else left / right
    if isinstance(node, ast.Compare):
        left = _evaluate(node.left, values)
        right = _evaluate(node.comparators[0], values)
        op = _COMPARE[type(node.ops[0])]
        return {"<": operator.lt, "<=": operator.le, ">": operator.gt, ">=": operator.ge,
                "==": operator.eq, "!=": operator.ne}[op](left, right)
    name = node.func.id
    args = [_evaluate(a, values) for a in node.args]
    if name == "where":  # its condition uses a variable (checked), so it is a tensor
        condition = args[0] if isinstance(node.args[0], ast.Compare) else args[0] != 0
        return torch.where(condition, args[1], args[2])
    if name in ("min", "max", "clamp"):
        return FUNCTIONS[name][1](*(_tensor(a) for a in args))
    return FUNCTIONS[name][1](_tensor(args[0]))


def _tensor(value):
    """A number as torch wants it where a tensor is required: float64, as the twin writes it."""
    return value if isinstance(value, torch.Tensor) else torch.tensor(value, dtype=torch.float64)



# --- the code twin: the same tree written with torch calls ------------------------------------
def _source(node: ast.expr) -> tuple[str, int]:
    """(text, precedence) of ``node`` as Python calling torch."""
    if isinstance(node, ast.Constant):
        return repr(node.value), _PRECEDENCE["atom"]
    if isinstance(node, ast.Name):
        return node.id, _PRECEDENCE["atom"]
    if isinstance(node, ast.UnaryOp):
        inner, level = _source(node.operand)
        sign = "-" if isinstance(node.op, ast.USub) else "+"
        return sign + _wrap(inner, level, _PRECEDENCE["unary"]), _PRECEDENCE["unary"]
    if isinstance(node, ast.BinOp):
        op = _BINARY[type(node.op)]
        mine = _PRECEDENCE[op]
        left, left_level = _source(node.left)
        right, right_level = _source(node.right)
        if op == "**":  # right-associative, binds tighter than unary minus on its left
            text = f"{_wrap(left, left_level, mine + 1)} ** {_wrap(right, right_level, mine)}"
        else:
            text = f"{_wrap(left, left_level, mine)} {op} {_wrap(right, right_level, mine + 1)}"
        return text, mine
    if isinstance(node, ast.Compare):
        left, left_level = _source(node.left)
        right, right_level = _source(node.comparators[0])
        op = _COMPARE[type(node.ops[0])]
        mine = _PRECEDENCE["cmp"]
        return (f"{_wrap(left, left_level, mine + 1)} {op} {_wrap(right, right_level, mine + 1)}",
                mine)
    name = node.func.id
    args = [_source(a)[0] for a in node.args]
    if name == "where":  # a comparison is a bool tensor already; anything else: nonzero
        level = _source(node.args[0])[1]
        condition = (args[0] if isinstance(node.args[0], ast.Compare)
                     else f"{_wrap(args[0], level, _PRECEDENCE['cmp'] + 1)} != 0")
        return f"torch.where({condition}, {args[1]}, {args[2]})", _PRECEDENCE["atom"]
    args = [_as_tensor_source(a, n) for a, n in zip(args, node.args, strict=True)]
    return f"{FUNCTIONS[name][2]}({', '.join(args)})", _PRECEDENCE["atom"]


def _as_tensor_source(text: str, node: ast.expr) -> str:
    """An argument without a variable as a float64 tensor: torch's functions want a tensor
    (``torch.exp(1)`` fails), and float64 keeps the number as it was typed."""
    if any(isinstance(n, ast.Name) for n in ast.walk(node)):
        return text
    return f"torch.tensor({text}, dtype=torch.float64)"


def _wrap(text: str, level: int, needed: int) -> str:
    return f"({text})" if level < needed else text


# --- the formula panel: the same tree as LaTeX -------------------------------------------------
_LATEX_COMPARE = {"<": "<", "<=": r"\le", ">": ">", ">=": r"\ge", "==": "=", "!=": r"\ne"}


def _latex(node: ast.expr) -> tuple[str, int]:
    """(LaTeX, precedence) of ``node``."""
    if isinstance(node, ast.Constant):
        return f"{node.value:g}" if isinstance(node.value, float) else str(node.value), 6
    if isinstance(node, ast.Name):
        return node.id, 6
    if isinstance(node, ast.UnaryOp):
        inner, level = _latex(node.operand)
        sign = "-" if isinstance(node.op, ast.USub) else "+"
        return sign + _brackets(inner, level, 4), 4
    if isinstance(node, ast.BinOp):
        op = _BINARY[type(node.op)]
        left, left_level = _latex(node.left)
        right, right_level = _latex(node.right)
        if op == "/":
            return rf"\frac{{{left}}}{{{right}}}", 6
        if op == "**":
            return f"{_brackets(left, left_level, 6)}^{{{right}}}", 5
        mine = _PRECEDENCE[op]
        joined = r" \cdot " if op == "*" else f" {op} "
        unary = isinstance(node.right, ast.UnaryOp)  # z - (-y), not z - -y
        left = _brackets(left, left_level, mine)
        right = rf"\left({right}\right)" if unary else _brackets(right, right_level, mine + 1)
        return f"{left}{joined}{right}", mine
    if isinstance(node, ast.Compare):
        left = _latex(node.left)[0]
        right = _latex(node.comparators[0])[0]
        return f"{left} {_LATEX_COMPARE[_COMPARE[type(node.ops[0])]]} {right}", 1
    name = node.func.id
    args = ",\\ ".join(_latex(a)[0] for a in node.args)
    if name == "abs":
        return rf"\left\lvert {args} \right\rvert", 6
    if name == "sqrt":
        return rf"\sqrt{{{args}}}", 6
    if name == "exp":
        return rf"e^{{{args}}}", 5
    if name == "where":
        condition, yes, no = (_latex(a)[0] for a in node.args)
        return (rf"\begin{{cases}} {yes} & {condition} \\ {no} & \text{{otherwise}}"
                r" \end{cases}"), 6
    command = rf"\{name}" if name in ("log", "sin", "cos", "tanh", "min", "max") else (
        rf"\operatorname{{{name}}}")
    return rf"{command}\left({args}\right)", 6


def _brackets(text: str, level: int, needed: int) -> str:
    return rf"\left({text}\right)" if level < needed else text
