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

MAX_SEED = 2**31 - 1
MAX_TERMS = 8
MAX_CELLS = 4096
COMPARE_DEFAULT = ("square", "absolute", "hinge", "logistic", "cross-entropy")


@dataclass
class LossScene:
    """The Loss page's state.

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
    """

    loss: str = "MSELoss"
    tensors: dict[str, list] = field(default_factory=dict)
    dims: dict[str, int] = field(default_factory=dict)
    reduction: str = "mean"
    options: dict[str, object] = field(default_factory=dict)
    seed: int | None = None
    terms: list[dict] = field(default_factory=list)
    compare: list[str] = field(default_factory=lambda: list(COMPARE_DEFAULT))
    worked_probabilities: list[float] | None = None

    def to_dict(self) -> dict:
        """A JSON-able copy of the scene."""
        return asdict(self)

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
        if not isinstance(data, dict):
            raise InputError("A loss scene must be a JSON object.", field="scene")
        unknown = set(data) - set(cls.__dataclass_fields__)
        if unknown:
            raise InputError(f"Unknown scene fields: {', '.join(sorted(unknown))}.", field="scene")
        scene = cls(**{k: v for k, v in data.items()})
        scene.validate()
        return scene

    def validate(self) -> None:
        """Raise InputError (with the field) if anything in the scene cannot be used."""
        spec = _spec(self.loss)
        _check_reduction(self.reduction, spec.reductions)
        _check_dims(self.dims, spec.dims)
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
        _check_seed(self.seed)
        _check_terms(self.terms)
        _check_compare(self.compare)
        _check_probabilities(self.worked_probabilities)


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


def _check_dims(dims, limits: dict) -> None:
    if not isinstance(dims, dict):
        raise InputError("dims must map a dim name such as 'N' to a size.", field="dims")
    for name, size in dims.items():
        if name not in limits:
            raise InputError(f"This loss has no dim {name!r}.", field="dims")
        _, low, high = limits[name]
        if isinstance(size, bool) or not isinstance(size, int) or not low <= size <= high:
            raise InputError(f"{name} must be a whole number from {low} to {high}.", field="dims")


def _check_tensors(tensors, names: set[str]) -> None:
    if not isinstance(tensors, dict):
        raise InputError("tensors must map an input name to nested lists.", field="tensors")
    for name, rows in tensors.items():
        if name not in names:
            raise InputError(f"This loss has no input {name!r}.", field="tensors")
        _check_nested(rows, name)


def _check_nested(value, name: str) -> tuple[int, ...]:
    """The shape of a rectangular nested list of finite numbers; InputError otherwise."""
    if isinstance(value, (bool, int, float)):
        if not math.isfinite(value):
            raise InputError(f"{name} holds {value}; use finite numbers.", field=name)
        return ()
    if not isinstance(value, list) or not value:
        raise InputError(f"{name} must be a non-empty nested list of numbers.", field=name)
    shapes = {_check_nested(v, name) for v in value}
    if len(shapes) != 1:
        raise InputError(f"{name} has rows of different lengths; make it rectangular.", field=name)
    shape = (len(value), *shapes.pop())
    if math.prod(shape) > MAX_CELLS:
        raise InputError(f"{name} has more than {MAX_CELLS} cells.", field=name)
    return shape


def _check_seed(seed) -> None:
    if seed is None:
        return
    if isinstance(seed, bool) or not isinstance(seed, int) or not 0 <= seed <= MAX_SEED:
        raise InputError(f"seed must be a whole number from 0 to {MAX_SEED}.", field="seed")


def _check_terms(terms) -> None:
    if not isinstance(terms, list) or len(terms) > MAX_TERMS:
        raise InputError(f"A composite loss has at most {MAX_TERMS} terms.", field="terms")
    for i, term in enumerate(terms):
        if not isinstance(term, dict) or set(term) - {"loss", "weight", "options"}:
            raise InputError(f"Term {i + 1} must have a loss, a weight and options.", field="terms")
        _spec(term.get("loss"))
        weight = term.get("weight", 1.0)
        if isinstance(weight, bool) or not isinstance(weight, (int, float)) or not math.isfinite(
            weight
        ):
            raise InputError(f"The weight of term {i + 1} must be a finite number.", field="terms")


def _check_compare(compare) -> None:
    if not isinstance(compare, list) or not all(n in COMPARE_DEFAULT for n in compare):
        raise InputError(f"compare must list curves from {', '.join(COMPARE_DEFAULT)}.",
                         field="compare")


def _check_probabilities(probabilities) -> None:
    if probabilities is None:
        return
    if not isinstance(probabilities, list) or len(probabilities) != 3:
        raise InputError("The worked example needs three probabilities.", field="worked")
    for i, p in enumerate(probabilities):
        if isinstance(p, bool) or not isinstance(p, (int, float)) or not 0 < p <= 1:
            raise InputError(
                f"Probability {i + 1} must be above 0 and at most 1 (it is {p}).", field="worked"
            )
