"""Each analytic surface's closed-form gradient equals autograd's (float64, relative 1e-10)."""

import pytest
import torch

from explorer import surfaces
from explorer.descent import closed_form

CASES = [
    ("quadratic", None),
    ("quadratic", {"condition": 250.0, "rotation": -63.0}),
    ("quadratic", {"condition": 1.0, "rotation": 0.0}),
    ("rosenbrock", None),
    ("himmelblau", None),
    ("saddle", None),
    ("rastrigin", None),
]


def autograd_gradient(name, xy, options):
    point = xy.clone().requires_grad_(True)
    surfaces.evaluate(name, point, options).sum().backward()
    return point.grad


@pytest.mark.parametrize(("name", "options"), CASES)
def test_closed_form_gradient_equals_autograd_at_random_points(name, options):
    generator = torch.Generator().manual_seed(11)
    low, high = -6.0, 6.0
    xy = low + (high - low) * torch.rand((500, 2), dtype=torch.float64, generator=generator)
    gradient = surfaces.closed_form_gradient(name, options)
    torch.testing.assert_close(gradient(xy), autograd_gradient(name, xy, options),
                               rtol=1e-10, atol=0.0)


@pytest.mark.parametrize("name", ["quadratic", "rosenbrock", "himmelblau", "saddle", "rastrigin"])
def test_closed_form_gradient_keeps_batch_shape_dtype_and_device(name):
    xy = torch.randn((3, 4, 2), dtype=torch.float32)
    grad = surfaces.closed_form_gradient(name)(xy)
    assert grad.shape == xy.shape and grad.dtype == torch.float32
    torch.testing.assert_close(grad, autograd_gradient(name, xy, None), rtol=1e-5, atol=1e-5)


def test_every_analytic_surface_has_one_and_the_autograd_ones_none():
    autograd_ones = {"linear-regression", "logistic-regression", surfaces.CUSTOM}
    assert set(closed_form.GRADIENTS) == set(surfaces.names()) - autograd_ones
    for name in autograd_ones:
        assert surfaces.closed_form_gradient(name) is None


def test_closed_form_gradient_checks_the_options():
    with pytest.raises(surfaces.InputError, match="condition"):
        surfaces.closed_form_gradient("quadratic", {"condition": 0.5})
