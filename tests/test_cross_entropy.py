"""cross_entropy, cross_entropy_grad and cross_entropy_with_grad.

References: PyTorch 2.13 (``torch.nn.functional.cross_entropy`` and autograd) for semantics,
hand derivations (written in comments) for the worked example and the edge cases, and
finite differences for the gradient's properties.
"""

from __future__ import annotations

import importlib
import itertools
import math
import os
import re

import numpy as np
import pytest
from _accuracy import assert_relative, mp_cross_entropy_row
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

from xentbook import (
    cross_entropy,
    cross_entropy_grad,
    cross_entropy_with_grad,
    log_softmax,
)
from xentbook.book import finite_difference_grad

# --------------------------------------------------------------------------------------------
# Agreement with PyTorch over every combination of the arguments
# --------------------------------------------------------------------------------------------

SHAPES = [(5,), (6, 4), (3, 4, 2), (2, 3, 2, 2), (0, 3)]
DTYPES = [np.float32, np.float64]


def _targets(rng, shape, dtype, kind, ignore_index):
    classes = shape[0] if len(shape) == 1 else shape[1]
    index_shape = () if len(shape) == 1 else shape[:1] + shape[2:]
    if kind == "index":
        t = rng.integers(0, classes, size=index_shape)
        if t.size > 1:
            t.flat[0] = ignore_index  # one ignored item in every batched case
        return t
    probs = rng.dirichlet(np.ones(classes), size=index_shape)  # classes on the last axis
    if len(shape) > 1:
        probs = np.moveaxis(probs, -1, 1)
    return probs.astype(dtype)


def _torch_loss_and_grad(torch, x, target, weight, **kwargs):
    xt = torch.tensor(x, requires_grad=True)
    w = None if weight is None else torch.tensor(weight)
    loss = torch.nn.functional.cross_entropy(xt, torch.tensor(target), weight=w, **kwargs)
    loss.sum().backward()
    return loss.detach().numpy(), xt.grad.numpy()


COMBINATIONS = list(
    itertools.product(
        SHAPES,
        DTYPES,
        ["index", "probs"],
        [False, True],
        ["none", "mean", "sum"],
        [0.0, 0.3],
        [-100, 1],
    )
)


@pytest.mark.torch
@pytest.mark.parametrize(
    ("shape", "dtype", "kind", "weighted", "reduction", "smoothing", "ignore_index"),
    COMBINATIONS,
    ids=lambda v: str(v) if not isinstance(v, type) else v.__name__,
)
def test_matches_torch(shape, dtype, kind, weighted, reduction, smoothing, ignore_index):
    torch = pytest.importorskip(
        "torch", reason="PyTorch is not installed (pip install torch==2.13.0)"
    )
    # A literal seed: hash() of a tuple holding strings changes with PYTHONHASHSEED, so a failure
    # drawn from it could not be reproduced. Every case draws in the same order from the same seed.
    rng = np.random.default_rng(20240611)
    x = (rng.normal(size=shape) * 3).astype(dtype)
    classes = shape[0] if len(shape) == 1 else shape[1]
    target = _targets(rng, shape, dtype, kind, ignore_index)
    weight = rng.uniform(0.2, 2.0, size=classes).astype(dtype) if weighted else None
    kwargs = {"reduction": reduction, "label_smoothing": smoothing, "ignore_index": ignore_index}

    if kind == "probs" and ignore_index != -100:
        # torch refuses ignore_index with probability targets; so do we, with our own error.
        with pytest.raises(RuntimeError, match="ignore_index is not supported"):
            _torch_loss_and_grad(torch, x, target, weight, **kwargs)
        with pytest.raises(ValueError, match="cross_entropy_with_grad: ignore_index applies only"):
            cross_entropy_with_grad(x, target, weight, **kwargs)
        return
    expected_loss, expected_grad = _torch_loss_and_grad(torch, x, target, weight, **kwargs)
    if reduction == "mean" and np.isnan(expected_loss):
        # Zero total weight (empty batch, or every target ignored): torch returns nan silently;
        # we return nan with a warning and a zero gradient (see TestEdgeCases).
        with pytest.warns(RuntimeWarning, match="zero total weight"):
            loss, grad = cross_entropy_with_grad(x, target, weight, **kwargs)
        assert np.isnan(loss) and loss.dtype == dtype
        np.testing.assert_array_equal(grad, np.zeros_like(x))
        return
    loss, grad = cross_entropy_with_grad(x, target, weight, **kwargs)

    assert np.asarray(loss).dtype == dtype and grad.dtype == dtype
    assert np.shape(loss) == expected_loss.shape and grad.shape == x.shape
    # Both sides are accurate to a few ulp of the larger terms; torch accumulates in its own order.
    rtol, atol = (1e-5, 1e-6) if dtype == np.float32 else (1e-12, 1e-13)
    np.testing.assert_allclose(loss, expected_loss, rtol=rtol, atol=atol)
    np.testing.assert_allclose(grad, expected_grad, rtol=rtol, atol=atol)
    # The three entry points agree exactly: they run the same code.
    np.testing.assert_array_equal(cross_entropy(x, target, weight, **kwargs), loss)
    np.testing.assert_array_equal(cross_entropy_grad(x, target, weight, **kwargs), grad)


# --------------------------------------------------------------------------------------------
# Many blocks: _run works on blocks of rows; an off-by-one at a block edge must show
# --------------------------------------------------------------------------------------------

# The module, not the function of the same name that the package re-exports.
ce_module = importlib.import_module("xentbook.cross_entropy")


class TestManyBlocks:
    """Ten rows of seven classes in blocks of three rows: blocks 0-2, 3-5, 6-8 and a lone row 9.

    Confident right answers (loss ~ 6 e^-45 ~ 2e-19) sit on both sides of every block edge, so a
    row skipped, shifted or taken twice at an edge changes a loss by a relative error of 1 or
    more. References: mpmath at 50 digits row by row (tests/_accuracy.py), and PyTorch for the
    weighted, ignored, smoothed and probability-target variants.
    """

    ROWS, CLASSES, BLOCK = 10, 7, 3

    @pytest.fixture(autouse=True)
    def three_row_blocks(self, monkeypatch):
        monkeypatch.setattr(ce_module, "_BLOCK_ELEMENTS", self.BLOCK * self.CLASSES)

    def batch(self, dtype=np.float64):
        rng = np.random.default_rng(31337)
        z = rng.normal(size=(self.ROWS, self.CLASSES)) * 3
        t = rng.integers(0, self.CLASSES, size=self.ROWS)
        margin = 45.0 if dtype == np.float64 else 12.0
        for row in (0, 2, 3, 5, 6, 8, 9):  # first and last row of every block
            z[row, t[row]] = z[row].max() + margin
        return z.astype(dtype), t

    @pytest.mark.parametrize("dtype", [np.float32, np.float64], ids=["float32", "float64"])
    def test_every_row_matches_mpmath(self, dtype):
        z, t = self.batch(dtype)
        eps = float(np.finfo(dtype).eps)
        loss, grad = cross_entropy_with_grad(z, t, reduction="none")
        assert ce_module._BLOCK_ELEMENTS // self.CLASSES == self.BLOCK  # really 4 blocks
        for row in range(self.ROWS):
            ref_loss, ref_grad = mp_cross_entropy_row(z[row], int(t[row]))
            # The bounds of tests/test_accuracy.py: loss 4 kappa eps with kappa its condition
            # number, gradient entries 8 (2 max|z| + 1) eps.
            kappa = sum(abs(g) * abs(float(v)) for g, v in zip(ref_grad, z[row], strict=True))
            kappa = float(kappa / ref_loss) + 1
            assert_relative(loss[row], ref_loss, 4 * kappa * eps, f"loss of row {row}")
            bound = 8 * (2 * float(np.abs(z[row]).max()) + 1) * eps
            assert_relative(grad[row], ref_grad, bound, f"gradient row {row}")
        # The mean and the sum see every row once.
        total = sum(mp_cross_entropy_row(z[r], int(t[r]))[0] for r in range(self.ROWS))
        assert_relative(cross_entropy(z, t, reduction="sum"), total, 16 * eps)
        assert_relative(cross_entropy(z, t), total / self.ROWS, 16 * eps)
        assert_relative(
            cross_entropy_grad(z, t),
            np.asarray(cross_entropy_grad(z, t, reduction="sum")) / 10,
            eps,
        )

    @pytest.mark.torch
    @pytest.mark.parametrize(
        "kwargs",
        [
            {"reduction": "none"},
            {"reduction": "mean", "weight": True},
            {"reduction": "sum", "ignore_index": 3},
            {"reduction": "mean", "ignore_index": 3, "weight": True, "label_smoothing": 0.2},
            {"reduction": "none", "probs": True, "label_smoothing": 0.1},
            {"reduction": "mean", "probs": True, "weight": True},
        ],
        ids=["none", "weighted-mean", "ignored-sum", "everything", "probs", "weighted-probs"],
    )
    def test_variants_match_torch(self, kwargs):
        torch = pytest.importorskip(
            "torch", reason="PyTorch is not installed (pip install torch==2.13.0)"
        )
        rng = np.random.default_rng(4242)
        z = rng.normal(size=(self.ROWS, self.CLASSES)) * 3
        kwargs = dict(kwargs)
        weight = rng.uniform(0.2, 2.0, size=self.CLASSES) if kwargs.pop("weight", False) else None
        if kwargs.pop("probs", False):
            target = rng.dirichlet(np.ones(self.CLASSES), size=self.ROWS)
        else:
            target = rng.integers(0, self.CLASSES, size=self.ROWS)
            # Ignored rows at the end of block 0, the start of block 1 and the lone last row.
            target[[2, 3, 9]] = kwargs.get("ignore_index", -100)
        expected_loss, expected_grad = _torch_loss_and_grad(torch, z, target, weight, **kwargs)
        loss, grad = cross_entropy_with_grad(z, target, weight, **kwargs)
        # float64 on both sides, O(1) values: 1e-12 is a few hundred ulp, far below any slip.
        np.testing.assert_allclose(loss, expected_loss, rtol=1e-12, atol=0)
        np.testing.assert_allclose(grad, expected_grad, rtol=1e-12, atol=1e-16)


# --------------------------------------------------------------------------------------------
# A worked batch example, derived by hand
# --------------------------------------------------------------------------------------------


class TestWorkedBatchExample:
    """Logits [[2.0, 1.0, 0.1], [0.1, 2.0, 1.9]], targets class 2 and class 1 counting from one.

    Derivation by hand: with a = e^2, b = e^1, c = e^0.1, the first row's softmax is
    (a, b, c) / (a + b + c) = (7.389, 2.718, 1.105) / 11.212 = (0.659, 0.242, 0.099); the target
    is the second class, so its loss is -ln(2.718 / 11.212) = 1 - ln 11.212 + ... = 1.417. The
    second row is (1.105, 7.389, 6.686) / 15.180 = (0.073, 0.487, 0.440) with target the first
    class: -ln(0.0728) = 2.620. The mean is 2.019 and the gradient (softmax - onehot) / 2.
    """

    logits = np.array([[2.0, 1.0, 0.1], [0.1, 2.0, 1.9]])
    targets = np.array([1, 0])  # "class 2" and "class 1" counted from one
    onehot = np.array([[0.0, 1.0, 0.0], [1.0, 0.0, 0.0]])

    def test_softmax_rows(self):
        e = np.exp(self.logits)
        rows = e / e.sum(axis=1, keepdims=True)  # the plain formula is exact enough here
        np.testing.assert_allclose(np.exp(log_softmax(self.logits)), rows, rtol=1e-15)
        np.testing.assert_allclose(rows, [[0.659, 0.242, 0.099], [0.073, 0.487, 0.440]], atol=5e-4)

    def test_per_sample_losses_and_mean(self):
        per_item = cross_entropy(self.logits, self.targets, reduction="none")
        hand = np.array(
            [
                math.log(math.exp(2.0) + math.exp(1.0) + math.exp(0.1)) - 1.0,
                math.log(math.exp(0.1) + math.exp(2.0) + math.exp(1.9)) - 0.1,
            ]
        )
        np.testing.assert_allclose(per_item, hand, rtol=1e-15)
        np.testing.assert_allclose(per_item, [1.417, 2.620], atol=5e-4)
        np.testing.assert_allclose(cross_entropy(self.logits, self.targets), 2.019, atol=5e-4)

    def test_one_hot_targets_give_the_same_loss(self):
        np.testing.assert_allclose(
            cross_entropy(self.logits, self.onehot),
            cross_entropy(self.logits, self.targets),
            rtol=1e-15,
        )

    def test_gradient_rows(self):
        e = np.exp(self.logits)
        hand = (e / e.sum(axis=1, keepdims=True) - self.onehot) / 2
        grad = cross_entropy_grad(self.logits, self.targets)
        np.testing.assert_allclose(grad, hand, rtol=1e-14, atol=1e-16)
        np.testing.assert_allclose(
            grad, [[0.330, -0.379, 0.049], [-0.464, 0.243, 0.220]], atol=5e-4
        )


# --------------------------------------------------------------------------------------------
# Edge cases, each decided and documented in the docstrings
# --------------------------------------------------------------------------------------------


class TestEdgeCases:
    def test_all_targets_ignored_mean_is_nan_with_warning_and_zero_gradient(self):
        x = np.array([[1.0, 2.0, 3.0], [0.0, 1.0, 0.0]])
        with pytest.warns(RuntimeWarning, match="zero total weight"):
            loss, grad = cross_entropy_with_grad(x, [-100, -100])
        assert np.isnan(loss)
        np.testing.assert_array_equal(grad, np.zeros_like(x))
        assert cross_entropy(x, [-100, -100], reduction="sum") == 0.0
        np.testing.assert_array_equal(cross_entropy(x, [-100, -100], reduction="none"), [0.0, 0.0])

    @pytest.mark.parametrize("func", [cross_entropy, cross_entropy_grad, cross_entropy_with_grad])
    def test_undefined_mean_warning_points_at_the_caller(self, func):
        # The documented message, whole; and stacklevel: the warning is reported at the line
        # that called the public function.
        message = (
            f"{func.__name__}: the mean of an empty input is undefined, as is a mean over zero "
            "total weight (every target equal to ignore_index, or zero class weights): "
            "returning nan and a zero gradient"
        )
        with pytest.warns(RuntimeWarning, match=f"^{re.escape(message)}$") as rec:
            func(np.zeros((1, 2)), [-100])
        # Under mutmut every package function is wrapped in a trampoline, one frame more.
        if "MUTANT_UNDER_TEST" not in os.environ:
            assert rec[0].filename == __file__

    def test_zero_weights_on_every_target_class_mean_is_nan_with_warning(self):
        x = np.array([[1.0, 2.0, 3.0], [0.0, 1.0, 0.0]])
        with pytest.warns(RuntimeWarning, match="zero total weight"):
            grad = cross_entropy_grad(x, [0, 0], weight=[0.0, 1.0, 1.0])
        np.testing.assert_array_equal(grad, np.zeros_like(x))

    def test_empty_batch(self):
        x = np.zeros((0, 4), dtype=np.float32)
        t = np.zeros(0, dtype=np.int64)
        none = cross_entropy(x, t, reduction="none")
        assert none.shape == (0,) and none.dtype == np.float32
        assert cross_entropy(x, t, reduction="sum") == 0.0
        with pytest.warns(RuntimeWarning, match="zero total weight"):
            assert np.isnan(cross_entropy(x, t))
        assert cross_entropy_grad(x, t, reduction="sum").shape == (0, 4)

    def test_row_of_all_minus_inf_raises_unless_ignored(self):
        x = np.array([[-np.inf, -np.inf, -np.inf], [1.0, 0.0, 0.0]])
        with pytest.raises(ValueError, match=r"cross_entropy: the logits of item 0 are -inf"):
            cross_entropy(x, [0, 1])
        with pytest.raises(ValueError, match="item 0 are -inf"):
            cross_entropy(x, np.array([[1.0, 0, 0], [0, 1.0, 0]]))
        # Ignored, the row contributes nothing and the rest is the loss of item 1 alone.
        loss, grad = cross_entropy_with_grad(x, [-100, 1])
        assert loss == pytest.approx(cross_entropy(x[1], 1), rel=1e-15)
        np.testing.assert_array_equal(grad[0], 0.0)

    @pytest.mark.parametrize("bad", [np.inf, np.nan])
    def test_plus_inf_and_nan_logits_raise(self, bad):
        x = np.array([[bad, 0.0, 0.0]])
        with pytest.raises(ValueError, match=r"cross_entropy_grad: input contains (\+inf|nan)"):
            cross_entropy_grad(x, [0])

    def test_minus_inf_logit_on_a_class_with_zero_target_probability_is_not_nan(self):
        x = np.array([[-np.inf, 0.0, 0.0]])
        y = np.array([[0.0, 0.5, 0.5]])
        loss, grad = cross_entropy_with_grad(x, y, reduction="sum")
        # Class 0 has probability 0 and no target mass: the loss is that of two equal logits.
        assert loss == pytest.approx(math.log(2), rel=1e-15)
        np.testing.assert_allclose(grad, [[0.0, 0.0, 0.0]], atol=1e-16)
        # A class-index target elsewhere is fine too; one on the -inf class costs +inf.
        assert cross_entropy(x, [1]) == pytest.approx(math.log(2), rel=1e-15)
        assert cross_entropy(x, [0]) == np.inf

    def test_minus_inf_logit_with_target_mass_is_an_infinite_loss(self):
        x = np.array([[-np.inf, 0.0, 0.0]])
        assert cross_entropy(x, np.array([[0.5, 0.5, 0.0]])) == np.inf
        # Label smoothing spreads mass onto every class, the -inf one included.
        assert cross_entropy(x, [1], label_smoothing=0.1) == np.inf

    def test_zero_weight_class_with_minus_inf_logit_contributes_zero(self):
        x = np.array([[-np.inf, 0.0, 0.0]])
        loss = cross_entropy(x, [1], weight=[0.0, 1.0, 1.0], label_smoothing=0.3, reduction="sum")
        # Hand: (1 - 0.3) * ln 2 + (0.3 / 3) * (ln 2 + ln 2), the zero-weight class dropped.
        assert loss == pytest.approx(0.7 * math.log(2) + 0.1 * 2 * math.log(2), rel=1e-15)

    def test_unbatched_input(self):
        x = np.array([1.0, 2.0, 3.0])
        loss = cross_entropy(x, 2, reduction="none")
        assert np.shape(loss) == ()
        assert loss == pytest.approx(
            math.log(math.exp(1) + math.exp(2) + math.exp(3)) - 3, rel=1e-15
        )

    def test_float16_is_computed_in_float32_and_returned_as_float16(self):
        x = np.array([[3.0, 1.0, 0.5]], dtype=np.float16)
        loss, grad = cross_entropy_with_grad(x, [0])
        assert loss.dtype == np.float16 and grad.dtype == np.float16
        assert float(loss) == pytest.approx(
            float(cross_entropy(x.astype(np.float32), [0])), rel=1e-3
        )

    def test_integer_logits_are_float64(self):
        assert cross_entropy([[2, 0]], [0]).dtype == np.float64

    def test_python_lists_are_accepted(self):
        by_hand = math.log(math.exp(2.0) + math.exp(1.0) + math.exp(0.1)) - 1.0
        assert cross_entropy([[2.0, 1.0, 0.1]], [1]) == pytest.approx(by_hand, rel=1e-15)


# --------------------------------------------------------------------------------------------
# Bad input: our own errors, naming the function, the argument and the value
# --------------------------------------------------------------------------------------------


class TestBadInput:
    x = np.zeros((2, 3))

    @pytest.mark.parametrize(
        ("call", "error", "pattern"),
        [
            (
                lambda x: cross_entropy(x, [0, 3]),
                IndexError,
                r"cross_entropy: target holds class index 3 at position \(1,\), out of range for 3 classes",
            ),
            (
                lambda x: cross_entropy(x, [-1, 0]),
                IndexError,
                r"cross_entropy: target holds negative class index -1 .*ignore_index=-100",
            ),
            (
                lambda x: cross_entropy(x, [0, 1, 2]),
                ValueError,
                r"cross_entropy: input and target have different batch sizes: input has 2 items",
            ),
            (
                lambda x: cross_entropy(x, [0.0, 1.0]),
                TypeError,
                r"cross_entropy: class-index targets must be integers, got dtype float64",
            ),
            (
                lambda x: cross_entropy(x, np.zeros((2, 4))),
                ValueError,
                r"cross_entropy: probability targets must have the input's shape \(2, 3\), got shape \(2, 4\)",
            ),
            (
                lambda x: cross_entropy(x, [0, 1], reduction="avg"),
                ValueError,
                r"cross_entropy: reduction must be one of 'none', 'mean', 'sum', got 'avg'",
            ),
            (
                lambda x: cross_entropy(x, [0, 1], label_smoothing=1.5),
                ValueError,
                r"cross_entropy: label_smoothing must be in \[0, 1\], got 1.5",
            ),
            (
                lambda x: cross_entropy(x, [0, 1], label_smoothing=-0.1),
                ValueError,
                r"label_smoothing must be in \[0, 1\], got -0.1",
            ),
            (
                lambda x: cross_entropy(x, [0, 1], label_smoothing="a"),
                TypeError,
                r"cross_entropy: label_smoothing must be a number, got 'a'",
            ),
            (
                lambda x: cross_entropy(x, [0, 1], weight=[1.0, 2.0]),
                ValueError,
                r"cross_entropy: weight must have one entry per class, shape \(3,\), got shape \(2,\)",
            ),
            (
                lambda x: cross_entropy(x, [0, 1], weight=[1.0, np.nan, 1.0]),
                ValueError,
                r"cross_entropy: weight must be finite",
            ),
            (
                lambda x: cross_entropy(np.float64(1.0), 0),
                ValueError,
                r"cross_entropy: input must have at least 1 dimension\(s\), got a 0-d value",
            ),
            (
                lambda x: cross_entropy([["a", "b"]], [0]),
                TypeError,
                r"cross_entropy: input must be a real numeric array .* got dtype <U1",
            ),
            (
                lambda x: cross_entropy(x.astype(complex), [0, 1]),
                TypeError,
                r"cross_entropy: input must be a real numeric array",
            ),
            (
                lambda x: cross_entropy(x, ["a", "b"]),
                TypeError,
                r"cross_entropy: target must hold integer class indices or float probabilities, got dtype <U1",
            ),
            (
                lambda x: cross_entropy(x, [True, False]),
                TypeError,
                r"cross_entropy: target must hold integer class indices",
            ),
            (
                lambda x: cross_entropy(x, [0, 1], ignore_index=1.5),
                TypeError,
                r"cross_entropy: ignore_index must be an integer, got 1.5",
            ),
            (
                lambda x: cross_entropy(np.zeros((2, 0)), [0, 0]),
                ValueError,
                r"cross_entropy: input has 0 classes",
            ),
            (
                lambda x: cross_entropy(x, np.full((2, 3), np.nan)),
                ValueError,
                r"cross_entropy: target must be finite",
            ),
            (
                lambda x: cross_entropy_grad(np.zeros((2, 3, 4)), np.zeros((2, 3), dtype=int)),
                ValueError,
                r"cross_entropy_grad: class-index target must have shape \(2, 4\)",
            ),
            (
                lambda x: cross_entropy_with_grad(x, [[0, 1]]),
                ValueError,
                r"cross_entropy_with_grad: input and target have different batch sizes",
            ),
        ],
    )
    def test_raises_own_error(self, call, error, pattern):
        with pytest.raises(error, match=pattern):
            call(self.x)

    def test_every_error_is_one_of_the_documented_types(self):
        # Fuzz a few malformed calls: none may leak a numpy-internal exception type.
        calls = [
            lambda: cross_entropy(object(), [0]),
            lambda: cross_entropy([[1.0, 2.0]], object()),
            lambda: cross_entropy([[1.0, 2.0], [1.0]], [0, 0]),
            lambda: cross_entropy([[1.0, 2.0]], [0], weight="w"),
            lambda: cross_entropy([[1.0, 2.0]], [[0]]),
        ]
        for call in calls:
            with pytest.raises((ValueError, TypeError, IndexError), match=r"^cross_entropy: "):
                call()


# --------------------------------------------------------------------------------------------
# Properties (hypothesis)
# --------------------------------------------------------------------------------------------

logit_rows = hnp.arrays(
    np.float64,
    st.tuples(st.integers(1, 6), st.integers(2, 6)),
    elements=st.floats(-50, 50, allow_nan=False, allow_infinity=False),
)


@st.composite
def logits_and_targets(draw):
    x = draw(logit_rows)
    t = draw(hnp.arrays(np.int64, x.shape[0], elements=st.integers(0, x.shape[1] - 1)))
    return x, t


class TestProperties:
    @settings(max_examples=60, deadline=None)
    @given(logits_and_targets(), st.floats(-1e3, 1e3))
    def test_shift_invariance(self, case, shift):
        x, t = case
        # Shifting a row by c changes nothing mathematically; numerically the shifted input is
        # rounded, which perturbs each logit by up to ulp(|x| + |c|): scale the tolerance so.
        base = cross_entropy(x, t, reduction="none")
        shifted = cross_entropy(x + shift, t, reduction="none")
        atol = 8 * np.finfo(float).eps * (np.abs(x).max() + abs(shift) + 1)
        np.testing.assert_allclose(shifted, base, rtol=1e-12, atol=atol)

    @settings(max_examples=60, deadline=None)
    @given(logits_and_targets())
    def test_unweighted_gradient_rows_sum_to_zero(self, case):
        x, t = case
        grad = cross_entropy_grad(x, t, reduction="sum")
        # Each row is p - onehot with sum(p) = 1: the sum cancels to rounding of O(1) terms.
        np.testing.assert_allclose(grad.sum(axis=1), 0.0, atol=8 * np.finfo(float).eps)

    @settings(max_examples=40, deadline=None)
    @given(logits_and_targets(), st.sampled_from(["mean", "sum"]), st.sampled_from([0.0, 0.25]))
    def test_gradient_matches_finite_differences(self, case, reduction, smoothing):
        x, t = case
        x = np.clip(x, -8, 8)  # keep central differences well conditioned

        def f(a):
            return cross_entropy(a, t, reduction=reduction, label_smoothing=smoothing)

        numeric = finite_difference_grad(f, x)
        analytic = cross_entropy_grad(x, t, reduction=reduction, label_smoothing=smoothing)
        # Central differences with h ~ eps^(1/3) are good to about 1e-9 on these O(1) values.
        np.testing.assert_allclose(analytic, numeric, rtol=1e-6, atol=1e-8)

    @settings(max_examples=40, deadline=None)
    @given(logits_and_targets())
    def test_one_hot_and_index_targets_agree(self, case):
        x, t = case
        onehot = np.eye(x.shape[1])[t]
        np.testing.assert_allclose(
            cross_entropy_with_grad(x, onehot)[1],
            cross_entropy_with_grad(x, t)[1],
            rtol=1e-13,
            atol=1e-16,
        )
        np.testing.assert_allclose(cross_entropy(x, onehot), cross_entropy(x, t), rtol=1e-13)

    @settings(max_examples=40, deadline=None)
    @given(logits_and_targets())
    def test_loss_is_minus_log_softmax_at_target(self, case):
        x, t = case
        expected = -log_softmax(x)[np.arange(len(t)), t]
        np.testing.assert_allclose(
            cross_entropy(x, t, reduction="none"), expected, rtol=1e-13, atol=1e-300
        )
