"""A streamed sweep sized by time: chunks bounded in steps and seconds, the same result."""

import pytest
import torch

from explorer import descent
from explorer.descent.sweep import FIRST_TIMED_CHUNK, _next_chunk
from explorer.errors import InputError

ARGS = ("rosenbrock", "Adam", [0.001, 0.01, 0.1], 600, (-1.5, 2.0))


def test_timed_chunks_start_small_stay_under_the_most_and_give_the_same_sweep():
    parts = list(descent.iter_sweep(*ARGS, chunk=200, chunk_seconds=0.002))
    done = [p.steps_done for p in parts]
    sizes = [b - a for a, b in zip([-1, *done[:-1]], done, strict=True)]
    assert sizes[0] == FIRST_TIMED_CHUNK
    assert max(sizes) <= 200 and done[-1] == 600 and parts[-1].complete
    assert len(parts) > 600 // 200 + 1  # more yields than fixed 200-step chunks would make
    full = descent.sweep(*ARGS)
    torch.testing.assert_close(parts[-1].path, full.path, rtol=0, atol=0)
    torch.testing.assert_close(parts[-1].loss, full.loss, rtol=0, atol=0)
    assert parts[-1].diverged_at == full.diverged_at


def test_next_chunk_aims_at_the_time_grows_at_most_fourfold_and_keeps_the_bounds():
    assert _next_chunk(100, 0.1, 0.05, 10_000) == 50  # too slow: halve
    assert _next_chunk(10, 0.001, 0.05, 10_000) == 40  # far too fast: only four times
    assert _next_chunk(100, 0.01, 0.05, 250) == 250  # never past the most
    assert _next_chunk(1, 10.0, 0.05, 250) == 1  # never under one step
    assert _next_chunk(8, 0.0, 0.05, 250) == 32  # a chunk timed at zero


@pytest.mark.parametrize("seconds", [0, -1.0, float("nan"), True, "0.1"])
def test_chunk_seconds_must_be_a_positive_number(seconds):
    with pytest.raises(InputError, match="chunk_seconds"):
        descent.iter_sweep(*ARGS, chunk_seconds=seconds)


@pytest.mark.parametrize("optimizer", ["Adam", "SGD", "LBFGS"])
@pytest.mark.parametrize("surface", ["rosenbrock", "logistic-regression"])
def test_a_sweep_hands_over_ordinary_tensors_whatever_mode_its_steps_ran_in(surface, optimizer):
    """The steps of a closed-form surface run in torch's inference mode; what comes out can
    still be edited in place and used with autograd, as any tensor."""
    from explorer.descent import surfaces

    start = surfaces.info(surface).default_start
    parts = list(descent.iter_sweep(surface, optimizer, [0.001, 0.01], 20, start, chunk=8))
    for part in (parts[0], parts[-1]):
        for tensor in (part.path, part.loss, *part.internals.values()):
            assert not tensor.is_inference()
    path = parts[-1].path.clone().requires_grad_(True)
    (path ** 2).sum().backward()
    parts[-1].loss[0, 0] += 0.0  # in place, outside inference mode
