"""mse and mse_grad. References: PyTorch (mse_loss and autograd) and hand values."""

from __future__ import annotations

import numpy as np
import pytest

from xentbook import mse, mse_grad
from xentbook.book import finite_difference_grad


@pytest.mark.torch
@pytest.mark.parametrize("reduction", ["none", "mean", "sum"])
@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_matches_torch(reduction, dtype):
    torch = pytest.importorskip(
        "torch", reason="PyTorch is not installed (pip install torch==2.13.0)"
    )
    rng = np.random.default_rng(3)
    x, y = rng.normal(size=(2, 4, 3)).astype(dtype)
    xt = torch.tensor(x, requires_grad=True)
    loss = torch.nn.functional.mse_loss(xt, torch.tensor(y), reduction=reduction)
    loss.sum().backward()
    rtol = 1e-6 if dtype == np.float32 else 1e-14
    np.testing.assert_allclose(mse(x, y, reduction=reduction), loss.detach().numpy(), rtol=rtol)
    np.testing.assert_allclose(mse_grad(x, y, reduction=reduction), xt.grad.numpy(), rtol=rtol)
    assert np.asarray(mse(x, y, reduction=reduction)).dtype == dtype


def test_hand_values():
    # ((0.2 - 0)^2 + (0.9 - 1)^2) / 2 = (0.04 + 0.01) / 2
    assert mse([0.2, 0.9], [0.0, 1.0]) == pytest.approx(0.025, rel=1e-15)
    np.testing.assert_allclose(mse_grad([0.2, 0.9], [0.0, 1.0]), [0.2, -0.1], rtol=1e-15)


def test_gradient_matches_finite_differences():
    x = np.array([0.3, -1.2, 2.0])
    y = np.array([0.0, 1.0, 2.5])
    np.testing.assert_allclose(
        mse_grad(x, y), finite_difference_grad(lambda a: mse(a, y), x), rtol=1e-8
    )


def test_minimum_is_at_the_target():
    y = 0.5
    grid = np.linspace(0, 1, 1001)
    losses = [mse([g], [y]) for g in grid]
    assert grid[int(np.argmin(losses))] == pytest.approx(y)


@pytest.mark.parametrize(
    ("call", "error", "pattern"),
    [
        (
            lambda: mse([1.0, 2.0], [1.0]),
            ValueError,
            r"mse: input and target must have the same shape",
        ),
        (lambda: mse([np.inf], [1.0]), ValueError, r"mse: input must be finite, got inf"),
        (
            lambda: mse_grad([1.0], [1.0], reduction="avg"),
            ValueError,
            r"mse_grad: reduction must be one of",
        ),
    ],
)
def test_bad_input(call, error, pattern):
    with pytest.raises(error, match=pattern):
        call()


def test_empty_input():
    # As for the other losses (and PyTorch): the mean of nothing is nan, but not silently.
    with pytest.warns(RuntimeWarning, match="mse: the mean of an empty input is undefined"):
        assert np.isnan(mse(np.zeros(0), np.zeros(0)))
    assert mse(np.zeros(0), np.zeros(0), reduction="sum") == 0.0
    assert mse_grad(np.zeros(0), np.zeros(0)).shape == (0,)


# Peak allocation per byte of a float32 input of 10**6 elements, with a float32 target.
# Measured: 1.0 for mse (the squares) and 2.0 for mse_grad (the difference and the result; 3.0
# with the mean on NumPy 1.26, one temporary more);
# routing the input or the target through float64 adds at least one float64 array of the shape
# (4.0 to 8.0 measured), so the bounds sit between.
REGRESSION_PEAKS = [(mse, 2.0), (mse_grad, 3.5)]


@pytest.mark.parametrize("reduction", ["none", "mean", "sum"])
@pytest.mark.parametrize(("func", "bound"), REGRESSION_PEAKS)
def test_float32_is_computed_in_float32(func, bound, reduction):
    # The package's dtype rule, seen through memory: a float32 problem never makes a float64
    # copy of its input or target. tracemalloc sees numpy's buffers.
    from xentbook.book import peak_memory

    rng = np.random.default_rng(11)
    x = rng.normal(size=(1000, 1000)).astype(np.float32)
    y = rng.normal(size=(1000, 1000)).astype(np.float32)
    result, peak = peak_memory(func, x, y, reduction=reduction)
    assert np.asarray(result).dtype == np.float32
    assert peak / x.nbytes < bound


@pytest.mark.parametrize(
    ("reduction", "expected"), [("none", [1.0, 1.5]), ("sum", [1.0, 1.5]), ("mean", [0.5, 0.75])]
)
def test_float16_gradient_is_float16(reduction, expected):
    # "Same shape and float dtype as input": computed in float32, returned as float16, like
    # the loss. By hand: 2 (x - y) = 2 * (0.5, 0.75) = (1, 1.5), halved for the mean of two;
    # every value is a short binary fraction, exact in float16.
    x = np.array([0.5, 1.0], np.float16)
    y = np.array([0.0, 0.25], np.float16)
    grad = mse_grad(x, y, reduction=reduction)
    assert grad.dtype == np.float16
    np.testing.assert_array_equal(grad, np.array(expected, np.float16))
    assert np.asarray(mse(x, y, reduction=reduction)).dtype == np.float16
