"""What a loss is, as data: its inputs, options, formula and family.

These frozen dataclasses are the registry's vocabulary; the entries themselves
live in :mod:`explorer.losses.catalog`. The UI builds its editors from them, so
every field is written for a user (names follow the torch docs).
"""

from __future__ import annotations

from dataclasses import dataclass

from explorer.inputs import OptionSpec  # noqa: F401 (one OptionSpec for every lab)

FAMILIES = (
    "regression",
    "classification",
    "ranking/embedding",
    "distributions",
    "segmentation/imbalance",
    "sequences",
    "your own",
)

KINDS = (
    "real",
    "probability",
    "log_probability",
    "class_index",
    "sign",
    "binary",
    "count",
    "positive",
    "label_list",
)


@dataclass(frozen=True)
class InputSpec:
    """One tensor argument of a loss.

    Attributes
    ----------
    name
        The torch docs' argument name: ``"input"``, ``"target"``, ``"input1"``, ...
    shape
        Symbolic dims, e.g. ``("N", "C")``; their sizes come from ``LossSpec.dims``.
    kind
        What the values mean: ``"real"``, ``"probability"``, ``"log_probability"``,
        ``"class_index"``, ``"sign"`` (±1), ``"binary"`` (0/1), ``"count"``,
        ``"positive"``, ``"label_list"`` (class indices padded with -1).
    dtype
        ``"float"`` or ``"long"``.
    requires_grad
        Whether the loss is differentiated with respect to it.
    description
        A short phrase for a tooltip.
    """

    name: str
    shape: tuple[str, ...]
    kind: str
    dtype: str
    requires_grad: bool
    description: str


@dataclass(frozen=True)
class LossSpec:
    """Everything the program knows about one loss, except how to compute it."""

    name: str
    display_name: str
    family: str
    formula: str
    summary: str
    description: str
    inputs: tuple[InputSpec, ...]
    dims: dict[str, tuple[int, int, int]]
    options: tuple[OptionSpec, ...] = ()
    reductions: tuple[str, ...] = ("mean", "sum", "none")
    default_reduction: str = "mean"
    slide: bool = False

    def input(self, name: str) -> InputSpec:
        """The input called ``name`` (KeyError if the loss has none)."""
        for spec in self.inputs:
            if spec.name == name:
                return spec
        raise KeyError(name)

    def option(self, name: str) -> OptionSpec:
        """The option called ``name`` (KeyError if the loss has none)."""
        for spec in self.options:
            if spec.name == name:
                return spec
        raise KeyError(name)

    def default_dims(self) -> dict[str, int]:
        """The default size of each symbolic dim."""
        return {dim: sizes[0] for dim, sizes in self.dims.items()}
