"""binary_cross_entropy, binary_cross_entropy_with_logits and its gradient.

References: PyTorch 2.13 (functional forms and autograd), mpmath for the tails, and hand values.
"""

from __future__ import annotations

import itertools
import math

import mpmath
import numpy as np
import pytest
from _accuracy import assert_ulp, exact

from xentbook import (
    binary_cross_entropy,
    binary_cross_entropy_with_logits,
    binary_cross_entropy_with_logits_grad,
    cross_entropy,
)
from xentbook.book import finite_difference_grad

torch_cases = list(
    itertools.product(
        [np.float32, np.float64], ["none", "mean", "sum"], [False, True], [False, True]
    )
)


@pytest.mark.torch
@pytest.mark.parametrize(("dtype", "reduction", "weighted", "pos_weighted"), torch_cases)
def test_matches_torch(dtype, reduction, weighted, pos_weighted):
    torch = pytest.importorskip(
        "torch", reason="PyTorch is not installed (pip install torch==2.13.0)"
    )
    F = torch.nn.functional
    rng = np.random.default_rng(2017)
    x = (rng.normal(size=(6, 3)) * 4).astype(dtype)
    y = rng.uniform(size=(6, 3)).astype(dtype)
    y[0] = [0, 1, 1]  # hard labels as well as soft ones
    w = rng.uniform(0.5, 2, size=(6, 1)).astype(dtype) if weighted else None
    r = rng.uniform(0.5, 3, size=3).astype(dtype) if pos_weighted else None
    rtol, atol = (2e-6, 1e-6) if dtype == np.float32 else (1e-13, 1e-14)

    xt = torch.tensor(x, requires_grad=True)
    tw = None if w is None else torch.tensor(w)
    loss = F.binary_cross_entropy_with_logits(
        xt,
        torch.tensor(y),
        weight=tw,
        reduction=reduction,
        pos_weight=None if r is None else torch.tensor(r),
    )
    loss.sum().backward()
    ours = binary_cross_entropy_with_logits(x, y, weight=w, reduction=reduction, pos_weight=r)
    assert np.asarray(ours).dtype == dtype
    np.testing.assert_allclose(ours, loss.detach().numpy(), rtol=rtol, atol=atol)
    grad = binary_cross_entropy_with_logits_grad(x, y, weight=w, reduction=reduction, pos_weight=r)
    np.testing.assert_allclose(grad, xt.grad.numpy(), rtol=rtol, atol=atol)

    p = 1 / (1 + np.exp(-x.astype(np.float64)))
    p[0, 0], p[1, 1] = 0.0, 1.0  # exercise the -100 clamp
    p = p.astype(dtype)
    expected = F.binary_cross_entropy(
        torch.tensor(p), torch.tensor(y), weight=tw, reduction=reduction
    )
    ours = binary_cross_entropy(p, y, weight=w, reduction=reduction)
    assert np.asarray(ours).dtype == dtype
    np.testing.assert_allclose(ours, expected.numpy(), rtol=rtol, atol=atol)


class TestLogitForm:
    def test_tails_are_exact(self):
        # softplus(-40) = log1p(e^{-40}), by hand; mpmath at 50 digits evaluates it. No absolute
        # floor (tests/_accuracy.py): a loss of 0 here would be a relative error of 1.
        tail = exact(lambda: mpmath.log1p(mpmath.exp(-40)))
        assert_ulp(binary_cross_entropy_with_logits([40.0], [1.0], reduction="sum"), tail, 2)
        assert_ulp(binary_cross_entropy_with_logits([-40.0], [0.0], reduction="sum"), tail, 2)
        got = binary_cross_entropy_with_logits(
            np.float32([30.0]), np.float32([1.0]), reduction="sum"
        )
        assert_ulp(got, exact(lambda: mpmath.log1p(mpmath.exp(-30))), 2)
        assert binary_cross_entropy_with_logits([-800.0], [1.0], reduction="sum") == 800.0
        assert binary_cross_entropy_with_logits([800.0], [0.0], reduction="sum") == 800.0

    def test_infinite_logits_with_matching_labels_cost_nothing(self):
        loss = binary_cross_entropy_with_logits([np.inf, -np.inf], [1.0, 0.0], reduction="none")
        np.testing.assert_array_equal(loss, [0.0, 0.0])

    def test_equals_two_class_cross_entropy(self):
        # sigma(x) = softmax([x, 0])[0]: BCE(x, y) = CE([x, 0], soft target [y, 1 - y]).
        x = np.array([-3.0, 0.5, 7.0])
        y = np.array([0.0, 0.3, 1.0])
        two_class = cross_entropy(
            np.stack([x, np.zeros_like(x)], axis=1), np.stack([y, 1 - y], axis=1), reduction="none"
        )
        np.testing.assert_allclose(
            binary_cross_entropy_with_logits(x, y, reduction="none"), two_class, rtol=1e-14
        )

    def test_gradient_tails_keep_relative_accuracy(self):
        # Hand: d/dx softplus(-x) = -sigma(-x) and d/dx softplus(x) = sigma(x), so with hard
        # labels every entry is one sigmoid, claimed to a few ulp for every x. At x = 40 with
        # y = 1 the gradient is -e^-40 / (1 + e^-40); 1 - sigma(40) would give 0.
        x = np.array([-40.0, -5.0, -0.5, 0.0, 0.5, 5.0, 40.0, 700.0])
        for label, sign in ((1.0, -1), (0.0, 1)):
            grad = binary_cross_entropy_with_logits_grad(x, np.full_like(x, label), reduction="sum")
            expected = [
                exact(lambda v, s=sign: s / (1 + mpmath.exp(-s * v)), v) for v in x
            ]  # s = -1: -sigma(-x); s = +1: sigma(x)
            assert_ulp(grad, expected, 4, f"label {label}")
        # pos_weight and weight scale the tail without losing it; 'mean' divides by the count.
        grad = binary_cross_entropy_with_logits_grad(
            [40.0, 40.0], [1.0, 1.0], weight=[3.0, 1.0], pos_weight=[0.5, 2.0]
        )
        e = exact(lambda: -mpmath.exp(-40) / (1 + mpmath.exp(-40)))
        assert_ulp(grad, [e * 1.5 / 2, e * 2 / 2], 4)

    def test_gradient_matches_finite_differences(self):
        x = np.array([-2.0, 0.1, 3.0])
        y = np.array([1.0, 0.4, 0.0])
        r = np.array([2.0, 0.5, 1.5])

        def f(a):
            return binary_cross_entropy_with_logits(a, y, pos_weight=r)

        np.testing.assert_allclose(
            binary_cross_entropy_with_logits_grad(x, y, pos_weight=r),
            finite_difference_grad(f, x),
            rtol=1e-7,
            atol=1e-9,
        )


class TestProbabilityForm:
    def test_hand_value(self):
        # -(ln 0.9 + ln 0.8) / 2
        assert binary_cross_entropy([0.9, 0.2], [1.0, 0.0]) == pytest.approx(
            -(math.log(0.9) + math.log(0.8)) / 2, rel=1e-15
        )

    def test_probabilities_near_zero_keep_relative_accuracy(self):
        # log(1 - p) is computed as log1p(-p): for p = 1e-10 and y = 0 the loss is
        # -log1p(-1e-10) ~ 1e-10 to a few ulp, where log(1 - p) keeps only ~6 digits.
        p = np.array([1e-10, 3e-17, 0.25])
        loss = binary_cross_entropy(p, np.zeros(3), reduction="none")
        assert_ulp(loss, [exact(lambda q: -mpmath.log1p(-q), v) for v in p], 4)
        # y = 1 and p close to 0: -log p, full accuracy from np.log.
        loss = binary_cross_entropy(p, np.ones(3), reduction="none")
        assert_ulp(loss, [exact(lambda q: -mpmath.log(q), v) for v in p], 4)
        # A soft target mixes both terms, each positive: no cancellation, a few ulp.
        loss = binary_cross_entropy([1e-10], [0.25], reduction="sum")
        ref = exact(lambda q: -(mpmath.mpf(0.25) * mpmath.log(q) + 0.75 * mpmath.log1p(-q)), 1e-10)
        assert_ulp(loss, ref, 4)

    def test_clamp_at_minus_100(self):
        assert binary_cross_entropy([0.0, 1.0], [1.0, 0.0], reduction="sum") == 200.0
        assert binary_cross_entropy([0.0], [0.0], reduction="sum") == 0.0  # 0 * log 0 is 0, not nan

    def test_empty_mean_warns(self):
        with pytest.warns(
            RuntimeWarning, match="binary_cross_entropy: the mean of an empty input is undefined"
        ):
            assert np.isnan(binary_cross_entropy(np.zeros(0), np.zeros(0)))


class TestBadInput:
    @pytest.mark.parametrize(
        ("call", "error", "pattern"),
        [
            (
                lambda: binary_cross_entropy([1.2], [1.0]),
                ValueError,
                r"binary_cross_entropy: input must hold probabilities in \[0, 1\], got 1.2",
            ),
            (
                lambda: binary_cross_entropy([0.5], [-0.5]),
                ValueError,
                r"binary_cross_entropy: target must hold probabilities in \[0, 1\], got -0.5",
            ),
            (
                lambda: binary_cross_entropy([0.5, 0.5], [1.0]),
                ValueError,
                r"binary_cross_entropy: input and target must have the same shape, got \(2,\) and \(1,\)",
            ),
            (
                lambda: binary_cross_entropy([0.5], [1.0], reduction="max"),
                ValueError,
                r"binary_cross_entropy: reduction must be one of",
            ),
            (
                lambda: binary_cross_entropy_with_logits([np.nan], [1.0]),
                ValueError,
                r"binary_cross_entropy_with_logits: input contains nan",
            ),
            (
                lambda: binary_cross_entropy_with_logits(
                    [1.0, 2.0], [1.0, 0.0], pos_weight=[1.0, 2.0, 3.0]
                ),
                ValueError,
                r"binary_cross_entropy_with_logits: pos_weight of shape \(3,\) cannot be broadcast",
            ),
            (
                lambda: binary_cross_entropy_with_logits(["a"], [1.0]),
                TypeError,
                r"binary_cross_entropy_with_logits: input must be a real numeric array",
            ),
            (
                lambda: binary_cross_entropy_with_logits_grad([0.0], [2.0]),
                ValueError,
                r"binary_cross_entropy_with_logits_grad: target must hold probabilities",
            ),
        ],
    )
    def test_raises_own_error(self, call, error, pattern):
        with pytest.raises(error, match=pattern):
            call()


# Peak allocation per byte of a float32 input of 10**6 elements (reduction "none"), with
# float32 targets and weights. Measured: 4.3 for the probability form, 5.0 to 5.25 for the
# logit form and its gradient; routing any of input, target, weight or pos_weight through
# float64 adds at least 2 (one float64 copy of the shape), so the bounds sit between.
BINARY_PEAKS = [
    (binary_cross_entropy, "p", {}, 5.0),
    (binary_cross_entropy, "p", {"weight": "w"}, 5.0),
    (binary_cross_entropy_with_logits, "x", {}, 6.0),
    (binary_cross_entropy_with_logits, "x", {"weight": "w"}, 6.0),
    (binary_cross_entropy_with_logits, "x", {"pos_weight": "w"}, 6.0),
    (binary_cross_entropy_with_logits_grad, "x", {}, 6.0),
    (binary_cross_entropy_with_logits_grad, "x", {"weight": "w", "pos_weight": "w"}, 6.0),
]


@pytest.mark.parametrize(("func", "first", "weights", "bound"), BINARY_PEAKS)
def test_float32_is_computed_in_float32(func, first, weights, bound):
    # The package's dtype rule, seen through memory: a float32 problem never makes a float64
    # copy of its input, target or weights. tracemalloc sees numpy's buffers.
    from xentbook.book import peak_memory

    rng = np.random.default_rng(17)
    arrays = {
        "x": rng.normal(size=(1000, 1000)).astype(np.float32),
        "p": rng.uniform(0.01, 0.99, size=(1000, 1000)).astype(np.float32),
        "w": rng.uniform(0.5, 2.0, size=(1000, 1000)).astype(np.float32),
    }
    target = rng.uniform(size=(1000, 1000)).astype(np.float32)
    kwargs = {name: arrays[key] for name, key in weights.items()}
    result, peak = peak_memory(func, arrays[first], target, reduction="none", **kwargs)
    assert result.dtype == np.float32
    assert peak / arrays[first].nbytes < bound


@pytest.mark.parametrize("reduction", ["none", "mean", "sum"])
def test_float16_gradient_is_float16(reduction):
    # Computed in float32, returned in the input's dtype, like the loss (and like PyTorch's
    # gradient of a float16 tensor).
    x = np.array([-3.0, 0.5, 4.0], np.float16)
    y = np.array([0.0, 1.0, 0.25], np.float16)
    grad = binary_cross_entropy_with_logits_grad(x, y, reduction=reduction)
    assert grad.dtype == np.float16
    assert binary_cross_entropy_with_logits(x, y, reduction=reduction).dtype == np.float16
