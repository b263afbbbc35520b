"""Example tensors for every loss: the slides' own, or random valid ones from a seed.

The slides print a value for each of their seven examples but not the seed
that produced it. ``SLIDE_SEEDS`` are seeds found by trying seeds in order
until the slide's exact lines (same calls, same order, same shapes) print the
slide's value to four decimals; with them the program shows the very numbers
of the lecture. (KLDivLoss's 0.8774 came from an older torch that skipped
negative targets; today's torch gives NaN for that example, which is the point
of its pitfall warning.)
"""

from __future__ import annotations

import torch

from explorer.devices import resolve
from explorer.errors import InputError
from explorer.losses.catalog import SPECS, variant
from explorer.losses.limits import check_dims, check_seed
from explorer.losses.specs import InputSpec, LossSpec

SLIDE_SEEDS = {
    "L1Loss": 501,  # prints 1.2850
    "MSELoss": 36556,  # 2.3280
    "NLLLoss": 85924,  # 2.9472
    "CrossEntropyLoss": 5970,  # 1.0393
    "HingeEmbeddingLoss": 10578,  # 1.2183
    "MarginRankingLoss": 82717,  # 1.3324
    "KLDivLoss": 11849,  # 0.8774 on old torch; NaN now
}
SLIDE_VALUES = {
    "L1Loss": 1.2850, "MSELoss": 2.3280, "NLLLoss": 2.9472, "CrossEntropyLoss": 1.0393,
    "HingeEmbeddingLoss": 1.2183, "MarginRankingLoss": 1.3324, "KLDivLoss": 0.8774,
}
SLIDE_TRANSFORMS = {"NLLLoss": "log_softmax"}
"""The step each slide applies to its input before the loss (``m = nn.LogSoftmax(dim=1)``)."""
DEFAULT_SEED = 0


SLIDE_NOTES = {
    "L1Loss": "The slide printed 1.2850 for torch.randn input and target; today's torch prints "
              "the same. Only the grad_fn name in the printout depends on the torch version "
              "(today MeanBackward0; older versions printed L1LossBackward).",
    "MSELoss": "The slide printed 2.3280; today's torch agrees. The grad_fn name depends on the "
               "torch version (today MseLossBackward0; older versions had no trailing 0).",
    "NLLLoss": "The slide printed 2.9472 for raw torch.randn(3, 5) scores fed through "
               "nn.LogSoftmax(dim=1); today's torch agrees, and input.grad is "
               "(softmax − one-hot)/3. Its \"Softmax required!\" means LogSoftmax: NLLLoss "
               "takes log-probabilities (set the transform to none to see why).",
    "CrossEntropyLoss": "The slide printed 1.0393; today's torch agrees. The slide writes the "
                        "binary formula −[y·log x + (1−y)·log(1−x)] and says \"binary "
                        "classification\", but CrossEntropyLoss is the multi-class loss shown "
                        "above, −log softmax(x)[y] (the binary one is BCELoss).",
    "HingeEmbeddingLoss": "The slide printed 1.2183; today's torch agrees. Its targets come "
                          "from torch.randn, not ±1, so torch adds both cases' terms (see the "
                          "warning); mapping them to ±1 (.sign()) gives the loss that was meant.",
    "MarginRankingLoss": "The slide printed 1.3324 for torch.randn scores and "
                         "torch.randn(3).sign() targets; today's torch agrees.",
    "KLDivLoss": "The slide printed 0.8774 for raw torch.randn input and target; today's torch "
                 "gives nan for the same code. Older torch treated negative target entries as "
                 "zero: with this seed the sum over the positive targets, over the batch of 2, "
                 "is exactly 0.8774. The fixes (LogSoftmax on input, Softmax on target) give "
                 "the real KL divergence, 0.5495.",
}
"""What each slide shows and why: its printed value, whether today's torch agrees, and why not."""


def slide_note(name: str) -> str | None:
    """The note on the slide of loss ``name`` (None for a loss with no slide)."""
    return SLIDE_NOTES.get(name)


def slide_transform(name: str) -> str | None:
    """The input transform the slide of loss ``name`` applies (None for most slides)."""
    return SLIDE_TRANSFORMS.get(name)


def _slide_example(name: str) -> dict[str, torch.Tensor]:
    """The slide's lines for ``name``, run with a generator seeded by ``SLIDE_SEEDS``."""
    g = torch.Generator().manual_seed(SLIDE_SEEDS[name])
    if name == "NLLLoss":
        # The raw scores; the slide's nn.LogSoftmax(dim=1) is its transform (SLIDE_TRANSFORMS).
        return {"input": torch.randn(3, 5, generator=g), "target": torch.tensor([1, 0, 4])}
    if name == "CrossEntropyLoss":
        x = torch.randn(3, 5, generator=g)
        return {"input": x, "target": torch.empty(3, dtype=torch.long).random_(5, generator=g)}
    if name == "MarginRankingLoss":
        a, b = torch.randn(3, generator=g), torch.randn(3, generator=g)
        return {"input1": a, "input2": b, "target": torch.randn(3, generator=g).sign()}
    shape = (2, 3) if name == "KLDivLoss" else (3, 5)
    x = torch.randn(*shape, generator=g)
    return {"input": x, "target": torch.randn(*shape, generator=g)}


_SLIDE_LINES = {
    "NLLLoss": ["input = torch.randn(3, 5{rg[input]})", "target = torch.tensor([1, 0, 4])"],
    "CrossEntropyLoss": ["input = torch.randn(3, 5{rg[input]})",
                         "target = torch.empty(3, dtype=torch.long).random_(5)"],
    "MarginRankingLoss": ["input1 = torch.randn(3{rg[input1]})",
                          "input2 = torch.randn(3{rg[input2]})",
                          "target = torch.randn(3).sign()"],
    "KLDivLoss": ["input = torch.randn(2, 3{rg[input]})", "target = torch.randn(2, 3)"],
}
_RANDN_LINES = ["input = torch.randn(3, 5{rg[input]})", "target = torch.randn(3, 5)"]


def slide_lines(name: str) -> list[str] | None:
    """The slide's own lines that make its tensors (``torch.manual_seed(...)``,
    ``torch.randn(...)``), drawing the very numbers of ``example(name)``; None for a
    loss with no slide. The code twin shows them while the tensors are the slide's."""
    if name not in SLIDE_SEEDS:
        return None
    rg = {s.name: ", requires_grad=True" if s.requires_grad else "" for s in SPECS[name].inputs}
    lines = _SLIDE_LINES.get(name, _RANDN_LINES)
    return ["# the slide's own lines (the seed is one that prints the slide's value)",
            f"torch.manual_seed({SLIDE_SEEDS[name]})", *(line.format(rg=rg) for line in lines)]


def is_slide_example(name: str, inputs: dict) -> bool:
    """Whether ``inputs`` are exactly the slide's example of ``name`` (values and dtypes)."""
    if name not in SLIDE_SEEDS:
        return False
    slide = _slide_example(name)
    try:
        return set(inputs) == set(slide) and all(
            inputs[k].dtype == t.dtype and inputs[k].shape == t.shape
            and torch.equal(inputs[k].detach().cpu(), t) for k, t in slide.items())
    except (AttributeError, TypeError):
        return False


def _label_lists(n: int, c: int, g: torch.Generator) -> torch.Tensor:
    rows = torch.full((n, c), -1, dtype=torch.long)
    for i in range(n):
        k = int(torch.randint(1, c, (1,), generator=g))
        rows[i, :k] = torch.randperm(c, generator=g)[:k]
    return rows


CTC_PATH = (1, 1, 2, 0, 2, 0)
"""The CTC example's likeliest alignment, one symbol per time step: 'a a b - b -'
(0 the blank), which collapses to its target 'a b b' = [1, 2, 2]."""


def _ctc_example() -> dict[str, torch.Tensor]:
    """Six time steps over blank, a, b, c: each step puts 0.7 on one symbol of
    ``CTC_PATH`` and 0.1 on each other, so the table shows the alignment."""
    probs = torch.full((len(CTC_PATH), 4), 0.1)
    probs[torch.arange(len(CTC_PATH)), torch.tensor(CTC_PATH)] = 0.7
    return {"log_probs": probs.log(), "targets": torch.tensor([1, 2, 2])}


def _random_input(spec: InputSpec, dims: dict[str, int], g: torch.Generator) -> torch.Tensor:
    shape = tuple(dims[d] for d in spec.shape)
    kind = spec.kind
    if kind == "class_index" and spec.name == "targets":  # CTC: real symbols, never blank 0
        return torch.randint(1, dims["C"], shape, generator=g)
    if kind == "class_index":
        return torch.randint(0, dims["C"], shape, generator=g)
    if kind == "label_list":
        return _label_lists(shape[0], shape[1], g)
    if kind == "sign":
        return torch.randint(0, 2, shape, generator=g).float() * 2 - 1
    if kind == "binary":
        return torch.randint(0, 2, shape, generator=g).float()
    if kind == "count":
        return torch.randint(0, 6, shape, generator=g).float()
    x = torch.randn(*shape, generator=g)
    if kind == "positive":
        return torch.rand(*shape, generator=g) + 0.1
    if kind == "log_probability":
        return torch.log_softmax(x, dim=1)
    if kind == "probability":
        # A row over classes is a distribution; independent yes/no columns are not.
        return torch.softmax(x, dim=1) if spec.shape[-1] == "C" else torch.sigmoid(x)
    return x


def _dims(loss: LossSpec, dims: dict[str, int] | None) -> dict[str, int]:
    return {**loss.default_dims(), **check_dims(loss, dims or {}, field=None)}


def example(name: str, seed: int | None = None, dims: dict[str, int] | None = None,
            device=None, options: dict | None = None) -> dict[str, torch.Tensor]:
    """Example inputs for loss ``name``.

    Parameters
    ----------
    name
        A registered loss.
    seed
        ``None``: the slide's example (for the slides' seven, with the slide's
        shapes and values, before the slide's transform: NLLLoss's are the raw
        scores that ``slide_transform`` turns into log-probabilities; for the
        others a fixed seed). An int: random valid
        inputs drawn from that seed.
    dims
        Sizes of the symbolic dims (e.g. ``{"N": 4, "C": 3}``); defaults from the spec.
    device
        Where the tensors live (default CPU).
    options
        The loss's options where they change its inputs (CrossEntropyLoss's
        ``target_kind`` "class probabilities": random probability rows as target).

    Returns
    -------
    dict[str, Tensor]
        One tensor per input of the loss, none requiring grad.
    """
    loss = SPECS.get(name) if isinstance(name, str) else None
    if loss is None:
        raise InputError(f"there is no loss '{name}'.", field="loss")
    device = resolve(device)
    shaped = variant(loss, options)
    default = _dims(loss, dims) == loss.default_dims() and shaped is loss
    if seed is None and name in SLIDE_SEEDS and default:
        tensors = _slide_example(name)
    elif seed is None and name == "CTCLoss" and default:
        tensors = _ctc_example()
    else:
        loss = shaped
        g = torch.Generator().manual_seed(DEFAULT_SEED if seed is None else check_seed(seed))
        chosen = _dims(loss, dims)
        tensors = {s.name: _random_input(s, chosen, g) for s in loss.inputs}
    return {key: t.to(device) for key, t in tensors.items()}
