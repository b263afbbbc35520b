"""What the user chose on the Loss page, as a small JSON-able dataclass.

The scene holds choices only: which loss, the tensors typed in (as nested
lists), the reduction and options, the seed of the last randomize, the terms
of a composite loss, the losses overlaid in compare mode and the edits to the
worked cross-entropy example. Every number shown comes from
:mod:`explorer.losses` and :mod:`explorer.losses.worked`.
"""

from __future__ import annotations

import math
from dataclasses import asdict, dataclass, field

from explorer.errors import InputError
from explorer.inputs import check_option, fields_of, is_number
from explorer.losses.curves import COMPARE_NAMES, OWN_CURVE
from explorer.losses.limits import (
    MAX_CELLS,
    MAX_SEED,
    MAX_TERMS,
    check_dims,
    check_seed,
    check_terms,
    check_weight,
)
from explorer.losses.worked import check_probabilities

__all__ = ["COMPARE_DEFAULT", "MAX_CELLS", "MAX_SEED", "MAX_TERMS", "LossScene"]

COMPARE_DEFAULT = COMPARE_NAMES
COMPARE_ALLOWED = (*COMPARE_NAMES, OWN_CURVE)
_SEQUENCES = ("terms", "compare", "worked_probabilities")


@dataclass(frozen=True)
class LossScene:
    """The Loss page's state; a change is a new scene (``dataclasses.replace``).

    Attributes
    ----------
    loss
        Registered loss name, e.g. ``"MSELoss"``.
    tensors
        Input name -> nested lists of numbers (the tensor as typed), e.g.
        ``{"input": [[0.1, 0.2]], "target": [[0.0, 1.0]]}``. Empty: the slide's example.
    dims
        Symbolic dim -> size, e.g. ``{"N": 3, "C": 5}``. Empty: the spec's defaults.
    reduction
        ``"mean"``, ``"sum"``, ``"none"`` or ``"batchmean"`` (KLDivLoss).
    options
        Loss option name -> value, e.g. ``{"margin": 1.0}``.
    seed
        Seed of the last randomize; None while the tensors are the slide's example.
    terms
        Composite loss terms: ``{"loss": name, "weight": float, "options": dict}``.
    compare
        Curves overlaid in compare mode (names from ``explorer.losses.compare_curves``).
    worked_probabilities
        The three probabilities of the worked cross-entropy example, or None for the slides'.
    transform
        The step applied to ``input`` before the loss: None, ``"log_softmax"``,
        ``"softmax"`` or ``"sigmoid"`` (see :mod:`explorer.losses.transforms`);
        scenes saved before it existed open with None.
    note
        What the slide shows and why (its printed value, whether today's torch
        agrees, and why not), shown under the loss's name; None for no note.
    """

    loss: str = "MSELoss"
    tensors: dict[str, list] = field(default_factory=dict)
    dims: dict[str, int] = field(default_factory=dict)
    reduction: str = "mean"
    options: dict[str, object] = field(default_factory=dict)
    seed: int | None = None
    terms: tuple[dict, ...] = ()
    compare: tuple[str, ...] = COMPARE_DEFAULT
    worked_probabilities: tuple[float, ...] | None = None
    transform: str | None = None
    note: str | None = None

    def __post_init__(self):
        # Lists (as typed in Python or read from JSON) are kept as tuples, so that equal
        # scenes compare equal however they were built.
        for name in _SEQUENCES:
            value = getattr(self, name)
            if isinstance(value, list):
                object.__setattr__(self, name, tuple(value))

    def to_dict(self) -> dict:
        """A JSON-able copy of the scene (sequences as lists, as JSON reads them back)."""
        data = asdict(self)
        for name in _SEQUENCES:
            if data[name] is not None:
                data[name] = list(data[name])
        return data

    @classmethod
    def from_dict(cls, data: dict) -> LossScene:
        """Build a scene from ``data`` (as written by ``to_dict``), checking every value.

        Raises
        ------
        InputError
            Naming the field, for an unknown loss or reduction, a tensor that is
            not a rectangular nested list of finite numbers, a bad seed, term or
            probability.
        """
        scene = cls(**fields_of(cls, data, "loss scene"))
        scene.validate()
        return scene

    def validate(self) -> None:
        """Raise InputError (with the field) if anything in the scene cannot be used."""
        spec = _spec(self.loss)
        _check_reduction(self.reduction, spec.reductions)
        check_dims(spec, self.dims)
        _check_tensors(self.tensors, {i.name for i in spec.inputs})
        if not isinstance(self.options, dict):
            raise InputError("options must be a mapping of option name to value.", field="options")
        known = {o.name for o in spec.options}
        extra = set(self.options) - known
        if extra:
            raise InputError(
                f"{self.loss} has no option {', '.join(sorted(extra))}; "
                f"it has {', '.join(sorted(known)) or 'none'}.",
                field="options",
            )
        _check_formulas(spec, self.options)
        _check_fit(spec, self.tensors, self.dims, self.options)
        _check_transform(spec, self.transform, self.tensors)
        _check_note(self.note)
        if self.seed is not None:
            check_seed(self.seed)
        _check_terms(self.terms, self.loss)
        _check_compare(self.compare)
        if self.worked_probabilities is not None:
            check_probabilities(self.worked_probabilities, field="worked")


def _spec(name):
    from explorer import losses  # imported late: the loss registry is heavy (torch)

    if not isinstance(name, str):
        raise InputError("loss must be a loss name such as 'MSELoss'.", field="loss")
    return losses.spec(name)


def _check_reduction(reduction, allowed) -> None:
    if reduction not in allowed:
        raise InputError(
            f"reduction {reduction!r} is not possible here; choose {', '.join(allowed)}.",
            field="reduction",
        )


def _check_tensors(tensors, names: set[str]) -> None:
    if not isinstance(tensors, dict):
        raise InputError("tensors must map an input name to nested lists.", field="tensors")
    for name, rows in tensors.items():
        if name not in names:
            raise InputError(f"This loss has no input {name!r}.", field="tensors")
        _check_nested(rows, name)


def _check_fit(spec, tensors: dict, dims: dict, options: dict) -> None:
    """The saved tensors fit the loss as the engine checks them (shapes, dtypes, class indices
    in [0, C)) and agree with the saved dims; a partial set is ignored by the page, as here."""
    from explorer.losses.checks import check_inputs  # late, as _spec: torch is heavy

    if set(tensors) != {i.name for i in spec.inputs}:
        return
    bound = check_inputs(spec, tensors, options)
    for dim, size in dims.items():
        if dim in bound and bound[dim] != size:
            raise InputError(f"The tensors have {dim} = {bound[dim]}, but dims say {dim} = "
                             f"{size}; the file's tensors do not fit its sizes.", field="dims")


def _check_transform(spec, transform, tensors: dict) -> None:
    from explorer.losses.transforms import check_fit, check_transform  # late, as _spec

    check_fit(spec, check_transform(transform), {k: v for k, v in tensors.items()
                                                 if k == "input"})


MAX_NOTE = 1000


def _check_note(note) -> None:
    if note is not None and (not isinstance(note, str) or len(note) > MAX_NOTE):
        raise InputError(f"note must be text of at most {MAX_NOTE} characters, or null.",
                         field="note")


def _check_nested(value, name: str, depth: int = 0, outer: int = 1) -> tuple[int, ...]:
    """The shape of a rectangular nested list of finite numbers; InputError otherwise.

    ``outer`` is the number of cells the levels above already claim: a list that would
    pass ``MAX_CELLS`` is refused before its items are read, and so is a nesting deeper
    than a loss's inputs go.
    """
    if isinstance(value, (bool, int, float)):
        if not is_number(value):
            raise InputError(f"{name} holds {value}; use finite numbers.", field=name)
        return ()
    if not isinstance(value, list) or not value:
        raise InputError(f"{name} must be a non-empty nested list of numbers.", field=name)
    if depth >= _MAX_DEPTH:
        raise InputError(f"{name} is nested more than {_MAX_DEPTH} lists deep; a loss input "
                         "is a list of numbers or a list of rows.", field=name)
    if outer * len(value) > MAX_CELLS:
        raise InputError(f"{name} has more than {MAX_CELLS} cells.", field=name)
    shapes = {_check_nested(v, name, depth + 1, outer * len(value)) for v in value}
    if len(shapes) != 1:
        raise InputError(f"{name} has rows of different lengths; make it rectangular.", field=name)
    shape = (len(value), *shapes.pop())
    if math.prod(shape) > MAX_CELLS:
        raise InputError(f"{name} has more than {MAX_CELLS} cells.", field=name)
    return shape


_MAX_DEPTH = 4


def _check_terms(terms, loss: str) -> None:
    """Each term well formed, then each one's loss fitting the scene's tensors (the page's
    loss's), by the rule the page offers partners with."""
    from explorer.losses.composite import check_partners  # late, as _spec: torch is heavy

    for i, term in enumerate(check_terms(terms)):
        if set(term) - {"loss", "weight", "options"}:
            raise InputError(f"Term {i + 1} must have a loss, a weight and options.", field="terms")
        _spec(term.get("loss"))
        check_weight(term.get("weight", 1.0), i)
    check_partners(loss, terms)


def _check_compare(compare) -> None:
    if not isinstance(compare, tuple) or not all(n in COMPARE_ALLOWED for n in compare):
        raise InputError(f"compare must list curves from {', '.join(COMPARE_ALLOWED)}.",
                         field="compare")


def _check_formulas(spec, options: dict) -> None:
    """A typed formula (the own loss's expression) is checked as the page checks it, so a
    scene file with a bad one is refused before any page changes."""
    for option in spec.options:
        if option.kind == "expression" and options.get(option.name) is not None:
            check_option(option, options[option.name])

