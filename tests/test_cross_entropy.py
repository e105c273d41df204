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

import mpmath
import numpy as np
import pytest
from _accuracy import assert_relative, exact, mp_cross_entropy_row, relative_error_floored
from _calls import assert_warned_at, run_fresh_python
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


# The argument combinations checked against PyTorch on batches that span several blocks.
VARIANTS = [
    {"reduction": "none"},
    {"reduction": "mean", "weight": True},
    {"reduction": "sum", "ignore_index": 3},
    {"reduction": "mean", "ignore_index": 3, "weight": True, "label_smoothing": 0.2},
    {"reduction": "none", "probs": True, "label_smoothing": 0.1},
    {"reduction": "mean", "probs": True, "weight": True},
]
VARIANT_IDS = ["none", "weighted-mean", "ignored-sum", "everything", "probs", "weighted-probs"]


def _variant_arguments(rng, shape, ignored_rows, kwargs):
    """Targets, class weights and the remaining keyword arguments of one of ``VARIANTS`` for
    logits of ``shape``: probability targets, or class indices with ``ignored_rows`` set to the
    ignore index."""
    rows, classes = shape
    kwargs = dict(kwargs)
    weight = rng.uniform(0.2, 2.0, size=classes) if kwargs.pop("weight", False) else None
    if kwargs.pop("probs", False):
        target = rng.dirichlet(np.ones(classes), size=rows)
    else:
        target = rng.integers(0, classes, size=rows)
        target[ignored_rows] = kwargs.get("ignore_index", -100)
    return target, weight, kwargs


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
        mean_grad = cross_entropy_grad(z, t)
        for row in range(self.ROWS):
            _, ref_grad = mp_cross_entropy_row(z[row], int(t[row]))
            bound = 8 * (2 * float(np.abs(z[row]).max()) + 1) * eps
            assert_relative(
                mean_grad[row], [g / self.ROWS for g in ref_grad], bound, f"mean gradient {row}"
            )

    @pytest.mark.torch
    @pytest.mark.parametrize("kwargs", VARIANTS, ids=VARIANT_IDS)
    def test_variants_match_torch(self, kwargs):
        torch = pytest.importorskip(
            "torch", reason="PyTorch is not installed (pip install torch==2.13.0)"
        )
        rng = np.random.default_rng(4242)
        z = rng.normal(size=(self.ROWS, self.CLASSES)) * 3
        # Ignored rows at the end of block 0, the start of block 1 and the lone last row.
        target, weight, kwargs = _variant_arguments(rng, z.shape, [2, 3, 9], kwargs)
        expected_loss, expected_grad = _torch_loss_and_grad(torch, z, target, weight, **kwargs)
        loss, grad = cross_entropy_with_grad(z, target, weight, **kwargs)
        # float64 on both sides, O(1) values: 1e-12 is a few hundred ulp, far below any slip.
        np.testing.assert_allclose(loss, expected_loss, rtol=1e-12, atol=0)
        np.testing.assert_allclose(grad, expected_grad, rtol=1e-12, atol=1e-16)


# --------------------------------------------------------------------------------------------
# Rows of 64 classes or more whose maximum lies in [0, H] skip the shift by the maximum
# --------------------------------------------------------------------------------------------


def _headroom(classes, dtype):
    """H of the module, derived here from its definition: log(largest float) - log(C) - 1."""
    return math.log(float(np.finfo(dtype).max)) - math.log(classes) - 1


class TestRowsThatSkipTheShift:
    """Rows of at least 64 classes whose maximum m lies in [0, H] take e^z straight from the
    logits; the others are shifted by m. Both kinds must meet the accuracy bounds of
    tests/test_accuracy.py (mpmath, at 50 digits), a row's bits must not depend on the rows
    beside it, and the weighted, ignored, smoothed and probability-target variants must agree
    with PyTorch, on rows long enough (600 classes) for the per-row scaling's unbuffered loop.
    """

    @staticmethod
    def rows(dtype, classes, rng):
        h = _headroom(classes, dtype)
        fam = []
        for scale in (1.0, 5.0, 20.0):
            x = rng.normal(size=classes) * scale
            fam.append(x - x.max() + abs(rng.normal()) * scale)  # maximum in [0, H]: plain
        x = rng.normal(size=classes)
        fam.append(x - x.max())  # maximum exactly 0: plain
        fam.append(x - x.max() - 0.75)  # maximum below 0: shifted
        fam.append(x - x.max() - 300.0)  # far below 0: e^z underflows, shifting is needed
        margin = 20.0 if dtype == np.float32 else 45.0
        x = rng.normal(size=classes)
        x[3] = x.max() + margin
        fam.append(x)  # a confident row: s ~ C e^-margin
        fam.append(np.full(classes, h - 0.01))  # all equal just below H: plain, sum near max
        fam.append(np.full(classes, h + 1.9))  # above H: shifted (unshifted, the sum overflows)
        x = rng.normal(size=classes) * 40.0
        fam.append(x - x.max() + 1.0)  # entries far below 0 next to a maximum of 1
        # A maximum of -10 with entries reaching 87 (float32) or 705 (float64) below it: each
        # e^(z_j - m) is a normal number, but e^(z_j) would be subnormal: shifted.
        depth = 87.0 if dtype == np.float32 else 705.0
        x = -10.0 - rng.uniform(0, depth, size=classes)
        x[0], x[1] = -10.0, -10.0 - depth
        fam.append(x)
        return np.array(fam).astype(dtype)

    @pytest.mark.parametrize("dtype", [np.float32, np.float64], ids=["float32", "float64"])
    @pytest.mark.parametrize("classes", [64, 600])
    def test_every_row_matches_mpmath(self, dtype, classes):
        rng = np.random.default_rng(classes)
        z = self.rows(dtype, classes, rng)
        t = rng.integers(0, classes, size=len(z))
        t[6] = 3  # the confident row's target is its maximum
        finfo = np.finfo(dtype)
        eps, tiny = float(finfo.eps), float(finfo.tiny)
        loss, grad = cross_entropy_with_grad(z, t, reduction="none")
        for row in range(len(z)):
            ref_loss, ref_grad = mp_cross_entropy_row(z[row], int(t[row]))
            kappa = sum(abs(g) * abs(float(v)) for g, v in zip(ref_grad, z[row], strict=True))
            kappa = float(kappa / ref_loss) + 1
            assert relative_error_floored(loss[row], ref_loss, tiny) <= 4 * kappa * eps, row
            bound = 8 * (2 * float(np.abs(z[row]).max()) + 1) * eps
            for j in range(classes):
                err = relative_error_floored(grad[row, j], ref_grad[j], tiny)
                assert err <= bound, (row, j, float(grad[row, j]), ref_grad[j])

    def test_rows_that_skip_the_shift_keep_every_entry_to_a_few_ulp(self):
        # The reason to skip the shift besides speed: e^(z_j) is the exponential of an exact
        # input, while z_j - m is rounded first, an error the exponential multiplies by
        # |z_j - m|. On these float32 rows the shifted form errs by about 30 ulp (measured);
        # skipping it, every gradient entry stays within 8 ulp of mpmath whatever the spread.
        # Rows: 64 classes (the shortest that skip), maxima 0.5, H - 0.5 and H itself (as
        # float32), so that each bound of the rule is exercised from inside.
        classes, dtype = 64, np.float32
        h = np.float32(_headroom(classes, dtype))
        rng = np.random.default_rng(64)
        z = np.empty((3, classes), dtype)
        z[0] = -rng.uniform(0, 80, classes)
        z[0, 0] = 0.5
        for row, top in ((1, h - np.float32(0.5)), (2, h)):
            z[row] = rng.uniform(-3, 3, classes)
            z[row, 0] = top
        t = np.array([5, 0, 9])
        eps, tiny = float(np.finfo(dtype).eps), float(np.finfo(dtype).tiny)
        _, grad = cross_entropy_with_grad(z, t, reduction="sum")
        for row in range(3):
            _, ref_grad = mp_cross_entropy_row(z[row], int(t[row]))
            for j in range(classes):
                err = relative_error_floored(grad[row, j], ref_grad[j], tiny)
                assert err <= 8 * eps, (row, j, err / eps)

    @pytest.mark.parametrize("dtype", [np.float32, np.float64], ids=["float32", "float64"])
    def test_a_row_gives_the_same_bits_alone_and_beside_others(self, dtype):
        # Plain and shifted rows in one block: each row's loss and gradient row are those of a
        # call on that row alone (sums, so that the mean's 1/N does not differ).
        rng = np.random.default_rng(77)
        z = self.rows(dtype, 64, rng)
        t = rng.integers(0, 64, size=len(z))
        loss, grad = cross_entropy_with_grad(z, t, reduction="none")
        for row in range(len(z)):
            alone_loss, alone_grad = cross_entropy_with_grad(z[row : row + 1], t[row : row + 1])
            assert loss[row] == alone_loss
            np.testing.assert_array_equal(grad[row], alone_grad[0])

    def test_numpy_buffer_size_is_restored(self):
        # Rows of 512 classes or more are scaled with numpy's buffer set to 16 elements; the
        # caller's setting must come back.
        z = np.random.default_rng(3).normal(size=(4, 700)).astype(np.float32)
        before = np.getbufsize()
        cross_entropy_with_grad(z, [1, 2, 3, 4])
        assert np.getbufsize() == before == 8192

    def test_an_ignored_row_of_minus_inf_beside_plain_rows(self):
        # Hand: the ignored row contributes nothing (its gradient row is 0) and the others are
        # those of a call without it; no warning (warnings are errors in this suite).
        rng = np.random.default_rng(5)
        z = rng.normal(size=(3, 80)).astype(np.float32) + 2
        z[1] = -np.inf
        t = np.array([4, -100, 7])
        loss, grad = cross_entropy_with_grad(z, t, reduction="sum")
        kept_loss, kept_grad = cross_entropy_with_grad(z[[0, 2]], t[[0, 2]], reduction="sum")
        assert loss == kept_loss
        np.testing.assert_array_equal(grad[[0, 2]], kept_grad)
        np.testing.assert_array_equal(grad[1], 0)

    @pytest.mark.torch
    @pytest.mark.parametrize("kwargs", VARIANTS, ids=VARIANT_IDS)
    def test_variants_match_torch(self, kwargs):
        torch = pytest.importorskip(
            "torch", reason="PyTorch is not installed (pip install torch==2.13.0)"
        )
        rng = np.random.default_rng(600)
        z = self.rows(np.float64, 600, rng)
        target, weight, kwargs = _variant_arguments(rng, z.shape, [2, 5], kwargs)
        # Probability targets: an entry p_j sum(u) - u_j of a near-uniform row cancels (terms
        # near 1/600, difference near 1e-7), so there the bound is relative to the gradient's
        # scale, not to each entry.
        atol = 1e-12 if target.dtype.kind == "f" else 0.0
        expected_loss, expected_grad = _torch_loss_and_grad(torch, z, target, weight, **kwargs)
        loss, grad = cross_entropy_with_grad(z, target, weight, **kwargs)
        # float64 on both sides: 1e-12 relative is a few thousand ulp, far below any slip.
        np.testing.assert_allclose(loss, expected_loss, rtol=1e-12, atol=0)
        scale = float(np.abs(expected_grad).max())
        np.testing.assert_allclose(grad, expected_grad, rtol=1e-12, atol=atol * scale)


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
        assert_warned_at(rec, __file__)

    def test_zero_weights_on_every_target_class_mean_is_nan_with_warning(self):
        x = np.array([[1.0, 2.0, 3.0], [0.0, 1.0, 0.0]])
        with pytest.warns(RuntimeWarning, match="zero total weight"):
            grad = cross_entropy_grad(x, [0, 0], weight=[0.0, 1.0, 1.0])
        np.testing.assert_array_equal(grad, np.zeros_like(x))

    @pytest.mark.parametrize("func", [cross_entropy, cross_entropy_grad, cross_entropy_with_grad])
    def test_signed_class_weights_summing_to_zero_raise_for_the_mean(self, func):
        # Targets 0 and 1 weigh 1 and -1: the weighted mean divides by 1 + (-1) = 0 (by hand).
        x = np.array([[1.0, 2.0, 0.0], [0.5, 0.0, 1.0]], dtype=np.float32)
        w = np.array([1.0, -1.0, 2.0], dtype=np.float32)
        message = (
            f"{func.__name__}: the class weights of the targets sum to 0 but are not all 0 "
            "(weight is array [1.0, -1.0, 2.0] (dtype float32, shape (3,))), so the weighted "
            "mean would divide by 0; use reduction='sum', or class weights whose sum over the "
            "targets is not 0"
        )
        with pytest.raises(ValueError, match=f"^{re.escape(message)}$"):
            func(x, [0, 1], weight=w)
        # An ignored target carries no weight: targets 0, 1 and 2 (ignored) still sum to 0.
        with pytest.raises(ValueError, match="sum to 0 but are not all 0"):
            func(x[[0, 1, 1]], [0, 1, -100], weight=w)
        # The sum and the per-item losses need no denominator.
        func(x, [0, 1], weight=w, reduction="sum")
        func(x, [0, 1], weight=w, reduction="none")

    @pytest.mark.torch
    def test_torch_divides_by_the_zero_sum_of_signed_weights(self):
        # What the ValueError above replaces: PyTorch 2.13 returns -inf here, with infinite and
        # nan gradient entries.
        torch = pytest.importorskip(
            "torch", reason="PyTorch is not installed (pip install torch==2.13.0)"
        )
        z = torch.tensor([[1.0, 2.0, 0.0], [0.5, 0.0, 1.0]], requires_grad=True)
        w = torch.tensor([1.0, -1.0, 2.0])
        loss = torch.nn.functional.cross_entropy(z, torch.tensor([0, 1]), weight=w)
        loss.backward()
        assert loss.item() == -np.inf
        assert z.grad is not None
        assert not torch.isfinite(z.grad).any()

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
                r"cross_entropy: target must hold integer class indices or float probabilities, "
                r"got dtype <U1 in array \['a', 'b'\] \(dtype <U1, shape \(2,\)\)$",
            ),
            (
                lambda x: cross_entropy(x, [[0], [1, 2]]),  # ragged: numpy cannot make an array
                TypeError,
                r"cross_entropy: target must be an array of class indices or probabilities, "
                r"got \[\[0\], \[1, 2\]\]$",
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


# --------------------------------------------------------------------------------------------
# Pinned by mutation testing: full messages, rarely taken branches, threads and docstrings
# --------------------------------------------------------------------------------------------

# 2**18 + 5 rows of two classes: more than one block (2**18 rows at most), so the item numbers in
# messages must count from the start of the input, not of the block.
_MANY_ROWS = (1 << 18) + 5


class TestFullMessages:
    def _big(self):
        return np.zeros((_MANY_ROWS, 2), np.float32)

    def test_plus_inf_names_its_item_counted_from_the_start(self):
        x = self._big()
        x[-1, 1] = np.inf
        message = (
            f"cross_entropy: input contains +inf (item {_MANY_ROWS - 1}); softmax is undefined "
            "there. Use finite logits, or -inf to give a class zero probability"
        )
        with pytest.raises(ValueError, match=f"^{re.escape(message)}$"):
            cross_entropy(x, np.zeros(_MANY_ROWS, np.int64))

    def test_row_of_minus_inf_names_its_item_counted_from_the_start(self):
        x = self._big()
        x[-1] = -np.inf
        message = (
            f"cross_entropy_grad: the logits of item {_MANY_ROWS - 1} are -inf for every class, "
            "so its softmax is undefined (0/0); give at least one class a finite logit or ignore "
            "the item"
        )
        with pytest.raises(ValueError, match=f"^{re.escape(message)}$"):
            cross_entropy_grad(x, np.zeros(_MANY_ROWS, np.int64))

    def test_inf_minus_inf_loss(self):
        # Hand: target mass +1 and -1 on the two -inf classes of item 1: inf - inf.
        x = np.array([[0.0, 0.0, 0.0], [0.0, -np.inf, -np.inf]])
        y = np.array([[1.0, 0.0, 0.0], [1.0, 1.0, -1.0]])
        message = (
            "cross_entropy: the loss of item 1 is inf - inf, undefined: its target (times the "
            "class weights) puts positive and negative mass on classes whose logits are -inf. "
            "Use non-negative class weights and targets for classes of probability zero"
        )
        with pytest.raises(ValueError, match=f"^{re.escape(message)}$"):
            cross_entropy(x, y)

    def test_unbatched_input_with_a_batch_of_targets(self):
        message = (
            "cross_entropy: class-index target must have shape () for input of shape (3,), "
            "got shape (2,)"
        )
        with pytest.raises(ValueError, match=f"^{re.escape(message)}$"):
            cross_entropy(np.zeros(3), [0, 1])

    @pytest.mark.parametrize(
        ("shape", "target_shape"), [((3,), ()), ((2, 3, 2), (2, 2)), ((2, 3, 2, 2), (2, 2, 2))]
    )
    def test_float_target_of_the_index_shape_is_a_type_error(self, shape, target_shape):
        message = (
            "cross_entropy: class-index targets must be integers, got dtype float64 "
            f"(probability targets must have the input's shape {shape})"
        )
        with pytest.raises(TypeError, match=f"^{re.escape(message)}$"):
            cross_entropy(np.zeros(shape), np.zeros(target_shape))


class TestRareBranches:
    @pytest.mark.parametrize("dtype", DTYPES)
    def test_full_label_smoothing_without_weights(self, dtype):
        # label_smoothing=1: the target is uniform, so the loss is the mean over classes c of
        # -log p_c and the gradient the mean of p - onehot(c): mpmath, class by class.
        x = np.array([[2.0, -1.0, 0.5, 3.0], [0.0, 0.25, -4.0, 1.0]], dtype)
        t = [1, 3]
        loss, grad = cross_entropy_with_grad(x, t, reduction="none", label_smoothing=1.0)
        classes = x.shape[1]
        want_loss, want_grad = [], []
        for row in x:
            per_class = [mp_cross_entropy_row(row, c) for c in range(classes)]
            want_loss.append(sum(lc for lc, _ in per_class) / classes)
            want_grad.append([sum(g[j] for _, g in per_class) / classes for j in range(classes)])
        ulp = float(np.finfo(dtype).eps)
        assert_relative(loss, want_loss, 8 * ulp, "loss")
        # p_j - 1/C cancels: the bound is relative to the terms, 8 ulp of p_j + 1/C.
        for got in (grad, cross_entropy_grad(x, t, reduction="sum", label_smoothing=1.0)):
            for i, j in np.ndindex(got.shape):
                size = want_grad[i][j] + 2 * mpmath.mpf(1) / classes  # p_j + 1/C
                assert abs(mpmath.mpf(float(got[i, j])) - want_grad[i][j]) <= 8 * ulp * size

    def test_regression_weights_whose_sum_overflows_are_summed_only_for_smoothing(self):
        # Two weights of 1e308 sum to inf in float64; without smoothing the sum is never needed,
        # and forming it anyway warned "overflow encountered in reduce" (warnings are errors in
        # this suite). Hand: p = (1/2, 1/2), so the gradient is w_t (p - onehot) =
        # (-0.5e308, 0.5e308) exactly, and the loss w_t ln 2.
        w = [1e308, 1e308]
        grad = cross_entropy_grad(np.zeros((1, 2)), [0], weight=w, reduction="none")
        loss = cross_entropy(np.zeros((1, 2)), [0], weight=w, reduction="none")
        np.testing.assert_array_equal(grad, [[-0.5e308, 0.5e308]])
        assert_relative(loss, [exact(lambda a: a * mpmath.log(2), 1e308)], 4 * 2.0**-52)

    @pytest.mark.parametrize("dtype", [np.float32, np.float64])
    def test_ignored_items_give_the_bits_of_dropped_items(self, dtype):
        # Ignoring an item is removing it: the other items' losses and gradient rows, and the
        # mean over them, come out bit for bit as in a call without the ignored rows (same
        # arithmetic in the input's dtype, with each counted item's weight exactly 1).
        rng = np.random.default_rng(31)
        z = (rng.normal(size=(37, 6)) * 3).astype(dtype)
        t = rng.integers(0, 6, size=37)
        t[::4] = -100
        kept = t != -100
        loss, grad = cross_entropy_with_grad(z, t)
        loss_kept, grad_kept = cross_entropy_with_grad(z[kept], t[kept])
        assert loss == loss_kept
        np.testing.assert_array_equal(grad[kept], grad_kept)
        np.testing.assert_array_equal(grad[~kept], 0)

    def test_float32_class_weights_whose_float32_sum_overflows(self):
        # Two float32 weights of 3e38 sum to 6e38, beyond float32's 3.4e38. The mean's
        # denominator is summed in float64, so the weighted mean of two items of equal weight
        # is their plain mean. Hand: each item's loss is log1p(e^-2) (its target logit leads
        # by 2), and its gradient is (p - onehot) / 2 with p = sigmoid(2) at the target. PyTorch
        # 2.13 sums the weights in float32 and returns 0 here.
        z = np.array([[2.0, 0.0], [0.0, 2.0]], np.float32)
        w = np.array([3e38, 3e38], np.float32)
        loss, grad = cross_entropy_with_grad(z, [0, 1], weight=w)
        assert loss.dtype == np.float32
        # Float32 roundings of e^-2, of its log1p, of the weighted loss and of the mean: 4 units.
        assert_relative(loss, exact(lambda a: mpmath.log1p(mpmath.exp(-a)), 2), 4 * 2.0**-24)
        off = exact(lambda a: mpmath.exp(-a) / (1 + mpmath.exp(-a)) / 2, 2)  # (1 - p_t) / 2
        # Roundings of e^-2, 1 + s, the share a = w_t / sum(w), a / (1 + s), its product: 5 units.
        assert_relative(grad, [[-off, off], [off, -off]], 5 * 2.0**-24)

    def test_ignored_item_beside_a_minus_inf_logit_without_smoothing(self):
        # Hand: item 0 puts all its probability on class 0 (class 1 is -inf): loss 0, and the
        # ignored item 1 contributes 0. Without smoothing the sum over classes (inf here) is
        # never formed.
        x = np.array([[0.0, -np.inf], [0.0, 0.0]])
        np.testing.assert_array_equal(cross_entropy(x, [0, -100], reduction="none"), [0.0, 0.0])

    def test_probability_loss_beyond_float32_is_inf_without_a_warning(self):
        # Hand: 3e38 * (5 + log1p(e^-5)) > 1.5e39, beyond float32's 3.4e38: the loss is +inf,
        # a value, not an error (and pytest turns any warning into an error).
        x = np.array([[0.0, 5.0]], np.float32)
        y = np.array([[3e38, 0.0]], np.float32)
        loss = cross_entropy(x, y, reduction="none")
        assert loss.dtype == np.float32
        assert loss[0] == np.inf


def _threads_after(shape, one_core):
    """Run cross_entropy on zeros of ``shape`` in a fresh interpreter; the thread names after."""
    script = (
        "import os, threading, numpy as np\n"
        f"if {one_core}: os.sched_setaffinity(0, {{min(os.sched_getaffinity(0))}})\n"
        "from xentbook import cross_entropy\n"
        f"x = np.zeros({shape}, np.float32)\n"
        f"loss = cross_entropy(x, np.zeros({shape[0]}, np.int64))\n"
        f"assert abs(float(loss) - np.log(np.float32({shape[1]}))) < 1e-5, loss\n"
        "print(' '.join(t.name for t in threading.enumerate()))\n"
    )
    return run_fresh_python(script).split()


@pytest.mark.skipif(not hasattr(os, "sched_setaffinity"), reason="needs os.sched_setaffinity")
class TestThreads:
    @pytest.mark.skipif(
        hasattr(os, "sched_getaffinity") and len(os.sched_getaffinity(0)) < 2,
        reason="needs two cores",
    )
    def test_input_of_2_to_the_19_logits_is_split_across_the_cores(self):
        # 2 rows of 2**18 classes: exactly the threshold, and two blocks of one row each.
        names = _threads_after((2, 1 << 18), one_core=False)
        assert any(name.startswith("xentbook") for name in names), names

    @pytest.mark.skipif(
        hasattr(os, "sched_getaffinity") and len(os.sched_getaffinity(0)) < 2,
        reason="needs two cores",
    )
    def test_input_just_below_the_threshold_stays_in_the_calling_thread(self):
        # 256 rows of 2047 classes, 524,032 logits, 496 short of 2**19: one block per core
        # would be possible, but the call stays serial.
        names = _threads_after((256, 2047), one_core=False)
        assert not any(name.startswith("xentbook") for name in names), names

    def test_one_core_never_starts_the_pool(self):
        # 2 rows of 2**19 classes are two blocks, both run in the calling thread on one core.
        names = _threads_after((2, 1 << 19), one_core=True)
        assert not any(name.startswith("xentbook") for name in names), names

    def test_unknown_core_count_means_one(self, monkeypatch):
        # Where sched_getaffinity is missing and os.cpu_count() cannot tell, one core is assumed.
        module = importlib.import_module("xentbook.cross_entropy")
        monkeypatch.delattr(os, "sched_getaffinity", raising=False)
        monkeypatch.setattr(os, "cpu_count", lambda: None)
        assert module._workers() == 1


@pytest.mark.parametrize("func", [cross_entropy, cross_entropy_grad, cross_entropy_with_grad])
def test_docstrings_have_the_shared_sections(func):
    doc = func.__doc__
    for placeholder in ("{args}", "{raises}", "{edges}"):
        assert placeholder not in doc
    for heading in ("Parameters", "Returns", "Raises", "Notes", "Examples"):
        assert f"\n    {heading}\n    {'-' * len(heading)}\n" in doc
    assert "label_smoothing : float, optional" in doc
    assert "IndexError" in doc
    assert "Edge cases, each deliberate" in doc


def test_docstrings_under_python_oo_are_empty():
    # python -OO strips docstrings: the filled-in docstring is then empty, not a placeholder.
    script = (
        "import xentbook\n"
        "print(repr([f.__doc__ for f in (xentbook.cross_entropy, xentbook.cross_entropy_grad, "
        "xentbook.cross_entropy_with_grad)]))\n"
    )
    assert run_fresh_python(script, "-OO").strip() == "['', '', '']"
