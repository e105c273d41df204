"""Tests of xentbook.focal_loss against PyTorch, the cross-entropy, and hand derivations."""

import warnings

import mpmath
import numpy as np
import pytest
from _accuracy import assert_ulp, mp_cross_entropy_row

from xentbook import cross_entropy, focal_loss

LOGITS = np.array([[2.0, 0.0, -1.0], [0.5, 0.3, 0.0], [-3.0, 4.0, 1.0], [0.0, 0.0, 0.0]])
TARGET = np.array([0, 2, 0, 1])


def _torch_focal(torch, logits, target, gamma, alpha=None):
    """Reference in float64 PyTorch: log_softmax, gather, (1 - exp(log p_t))**gamma."""
    z = torch.tensor(logits, dtype=torch.float64)
    t = torch.tensor(target, dtype=torch.int64)
    log_pt = torch.log_softmax(z, dim=1).gather(1, t[:, None])[:, 0]
    loss = -((1 - log_pt.exp()) ** gamma) * log_pt
    if alpha is not None:
        loss = loss * torch.as_tensor(alpha, dtype=torch.float64)[t]
    return loss.numpy()


class TestFocalLoss:
    @pytest.mark.torch
    @pytest.mark.parametrize("gamma", [0.0, 0.5, 1.0, 2.0, 5.0])
    def test_matches_torch_reference(self, gamma):
        torch = pytest.importorskip("torch", reason="PyTorch is the reference implementation")
        alpha = np.array([0.25, 0.5, 2.0])
        expected = _torch_focal(torch, LOGITS, TARGET, gamma, alpha)
        got = focal_loss(LOGITS, TARGET, gamma=gamma, weight=alpha, reduction="none")
        # Moderate probabilities: both are accurate to a few ulp in float64.
        np.testing.assert_allclose(got, expected, rtol=1e-13)
        np.testing.assert_allclose(
            focal_loss(LOGITS, TARGET, gamma=gamma, weight=alpha), expected.mean(), rtol=1e-13
        )

    def test_gamma_zero_is_cross_entropy(self):
        got = focal_loss(LOGITS, TARGET, gamma=0.0, reduction="none")
        expected = cross_entropy(LOGITS, TARGET, reduction="none")
        # Same log-softmax underneath: equal to rounding.
        np.testing.assert_allclose(got, expected, rtol=1e-15)
        np.testing.assert_allclose(
            focal_loss(LOGITS, TARGET, gamma=0.0), cross_entropy(LOGITS, TARGET), rtol=1e-15
        )

    def test_alpha_vector_sum_equals_weighted_cross_entropy_sum(self):
        w = np.array([0.2, 3.0, 1.5])
        got = focal_loss(LOGITS, TARGET, gamma=0.0, weight=w, reduction="sum")
        expected = cross_entropy(LOGITS, TARGET, weight=w, reduction="sum")
        np.testing.assert_allclose(got, expected, rtol=1e-14)  # sums of 4 terms: a few ulp

    def test_mean_is_plain_mean_not_weighted(self):
        w = np.array([0.2, 3.0, 1.5])
        per_item = focal_loss(LOGITS, TARGET, gamma=2.0, weight=w, reduction="none")
        np.testing.assert_allclose(
            focal_loss(LOGITS, TARGET, gamma=2.0, weight=w), per_item.sum() / 4, rtol=1e-15
        )

    def test_scalar_alpha_scales_every_item(self):
        base = focal_loss(LOGITS, TARGET, gamma=1.5, reduction="none")
        np.testing.assert_allclose(
            focal_loss(LOGITS, TARGET, gamma=1.5, weight=0.25, reduction="none"),
            0.25 * base,
            rtol=1e-15,
        )

    def test_hand_value_two_classes(self):
        # Logits (log 0.8, log 0.2): p_t = 0.8 exactly in real arithmetic, so
        # FL = -(1 - 0.8)^2 log 0.8.
        got = focal_loss([[np.log(0.8), np.log(0.2)]], [0], gamma=2.0, reduction="sum")
        np.testing.assert_allclose(got, -(0.2**2) * np.log(0.8), rtol=1e-14)

    def test_confident_item_keeps_relative_accuracy(self):
        # z = (40, 0): 1 - p_t = e^-40 / (1 + e^-40) and -log p_t = log1p(e^-40), both about
        # 4.25e-18. Naive 1 - exp(log p_t) would give 0. mpmath at 50 digits is the reference.
        with mpmath.workdps(50):
            e = mpmath.exp(-40)
            expected = float((e / (1 + e)) ** 2 * mpmath.log1p(e))
        got = focal_loss([[40.0, 0.0]], [0], gamma=2.0, reduction="sum")
        assert got > 0
        np.testing.assert_allclose(got, expected, rtol=1e-14)  # a few ulp

    def test_focal_never_exceeds_cross_entropy_and_decreases_with_gamma(self):
        rng = np.random.default_rng(0)
        z = rng.normal(size=(50, 5)) * 3
        t = rng.integers(0, 5, size=50)
        ce = cross_entropy(z, t, reduction="none")
        previous = ce
        for gamma in (0.5, 1.0, 2.0, 4.0):
            fl = focal_loss(z, t, gamma=gamma, reduction="none")
            assert np.all(fl <= previous)
            previous = fl

    def test_float32_in_float32_out(self):
        got = focal_loss(LOGITS.astype(np.float32), TARGET, reduction="none")
        assert got.dtype == np.float32
        np.testing.assert_allclose(got, focal_loss(LOGITS, TARGET, reduction="none"), rtol=1e-6)
        assert focal_loss(LOGITS.astype(np.float32), TARGET).dtype == np.float32

    def test_neg_inf_logit_of_other_class_is_fine_and_of_target_is_inf(self):
        assert focal_loss([[0.0, -np.inf]], [0], reduction="sum") == 0.0
        assert focal_loss([[0.0, -np.inf]], [1], reduction="sum") == np.inf

    def test_messages_name_the_bad_value_and_item(self):
        with pytest.raises(
            ValueError,
            match=r"^focal_loss: weight must be >= 0, got -2.0 at index \(1,\)$",
        ):
            focal_loss([[1.0, 2.0]], [0], weight=[1.0, -2.0])
        # The first bad item, not the first item.
        with pytest.raises(
            ValueError, match=r"^focal_loss: input contains nan or \+inf \(item 1\)$"
        ):
            focal_loss([[1.0, 2.0], [0.0, np.inf], [np.nan, 0.0]], [0, 1, 0])

    def test_empty_batch(self):
        assert focal_loss(np.zeros((0, 3)), np.zeros(0, dtype=int), reduction="none").shape == (0,)
        assert focal_loss(np.zeros((0, 3)), np.zeros(0, dtype=int), reduction="sum") == 0.0
        with pytest.warns(
            RuntimeWarning, match="focal_loss: the mean of an empty input is undefined"
        ):
            assert np.isnan(focal_loss(np.zeros((0, 3)), np.zeros(0, dtype=int)))

    def test_no_warning_for_ordinary_input(self):
        # Logits up to 400 apart: p_t runs from 1 - 1e-87 (loss ~ 3e-261, still a normal
        # number) to e^-700. No warning, and every item to a few ulp of the definition
        # -(1 - p_t)^2 log p_t evaluated by mpmath at 50 digits (tests/_accuracy.py).
        z = LOGITS * 100
        with warnings.catch_warnings():
            warnings.simplefilter("error")
            per_item = focal_loss(z, TARGET, gamma=2.0, reduction="none")
            mean = focal_loss(z, TARGET, gamma=2.0)

        def focal(row, t):
            # -log p_t from the row reference, which keeps the largest term apart (50 digits
            # could not hold e^200 + e^-0 otherwise); then (1 - p_t)^2 (-log p_t) by definition.
            nll, _ = mp_cross_entropy_row(row, t)
            with mpmath.workdps(50):
                return (-mpmath.expm1(-nll)) ** 2 * nll

        expected = [focal(row, int(t)) for row, t in zip(z, TARGET, strict=True)]
        assert_ulp(per_item, expected, 8)
        assert_ulp(mean, mpmath.fsum(expected) / len(expected), 8)

    @pytest.mark.parametrize(
        ("kwargs", "error", "match"),
        [
            ({"input": [1.0, 2.0], "target": [0]}, ValueError, "focal_loss: input must be 2-D"),
            (
                {"input": [[1.0, 2.0]], "target": [0.0]},
                TypeError,
                "focal_loss: target must hold integer",
            ),
            (
                {"input": [[1.0, 2.0]], "target": [0, 1]},
                ValueError,
                r"focal_loss: target must have shape \(1,\)",
            ),
            (
                {"input": [[1.0, 2.0]], "target": [2]},
                IndexError,
                "focal_loss: target holds class index 2",
            ),
            ({"input": [[1.0, 2.0]], "target": [-1]}, IndexError, "class index -1"),
            (
                {"input": [[1.0, 2.0]], "target": [0], "gamma": -1.0},
                ValueError,
                "focal_loss: gamma must be finite and >= 0, got -1.0",
            ),
            (
                {"input": [[1.0, 2.0]], "target": [0], "gamma": "2"},
                TypeError,
                "focal_loss: gamma must be a real number",
            ),
            (
                {"input": [[1.0, 2.0]], "target": [0], "weight": [1.0, 2.0, 3.0]},
                ValueError,
                "focal_loss: weight must be a number or have one entry per class",
            ),
            (
                {"input": [[1.0, 2.0]], "target": [0], "weight": [1.0, -2.0]},
                ValueError,
                "focal_loss: weight must be >= 0",
            ),
            (
                {"input": [[1.0, np.nan]], "target": [0]},
                ValueError,
                "focal_loss: input contains nan or",
            ),
            (
                {"input": [[1.0, np.inf]], "target": [0]},
                ValueError,
                r"focal_loss: input contains nan or \+inf \(item 0\)",
            ),
            (
                {"input": [[1.0, 2.0]], "target": [0], "reduction": "avg"},
                ValueError,
                "focal_loss: reduction must be one of",
            ),
            (
                {"input": [["a", "b"]], "target": [0]},
                TypeError,
                "focal_loss: input must be a real numeric",
            ),
        ],
    )
    def test_bad_input(self, kwargs, error, match):
        with pytest.raises(error, match=match):
            focal_loss(**kwargs)


def test_default_gamma_is_two():
    # Lin et al.'s gamma = 2 is the documented default. Hand derivation, evaluated by mpmath at
    # 50 digits: for z = (2, 0, -1) and target 0, p_t = e^2 / (e^2 + 1 + e^-1) and
    # FL = -(1 - p_t)^2 log p_t.
    with mpmath.workdps(50):
        e2, e0, em1 = mpmath.exp(2), mpmath.mpf(1), mpmath.exp(-1)
        p_t = e2 / (e2 + e0 + em1)
        expected = (1 - p_t) ** 2 * -mpmath.log(p_t)
    got = focal_loss([[2.0, 0.0, -1.0]], [0], reduction="sum")
    assert_ulp(got, expected, 8)


# Peak allocation per byte of a (1000, 1000) input, reduction "none". Measured: 1.3 for float32
# (the log-softmax buffer plus small per-row arrays) and 4.0 for float16 (its float32 working
# copy and the float32 log-softmax buffer). Computing in float64 instead adds at least one
# float64 array of the input's shape: 4.3 and 8.1.
FOCAL_PEAKS = [(np.float32, 2.5), (np.float16, 6.0)]


@pytest.mark.parametrize(("dtype", "bound"), FOCAL_PEAKS)
def test_float32_and_float16_are_computed_in_float32(dtype, bound):
    # The package's dtype rule, seen through memory: float32 (and float16, which is computed in
    # float32) never makes a float64 copy of the logits. tracemalloc sees numpy's buffers.
    from xentbook.book import peak_memory

    rng = np.random.default_rng(5)
    z = rng.normal(size=(1000, 1000)).astype(dtype)
    t = rng.integers(0, 1000, size=1000)
    result, peak = peak_memory(focal_loss, z, t, reduction="none")
    assert result.dtype == dtype
    assert peak / z.nbytes < bound


@pytest.mark.parametrize("dtype", [np.float32, np.float16])
def test_regression_gamma_beyond_the_dtypes_range_leaks_no_numpy_warning(dtype):
    # gamma = 1e39 exceeds float32's largest number: casting it for the power warned "overflow
    # encountered in cast" from numpy. The loss is still exact: (1 - p_t)**gamma is 0 for the
    # misclassified-but-not-hopeless item here (1 - p_t < 1), so the loss is 0 (by hand).
    import warnings

    z = np.array([[1.0, 0.0], [0.0, 3.0]], dtype)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        got = focal_loss(z, [0, 1], gamma=1e39, reduction="none")
    assert got.dtype == dtype
    assert np.array_equal(got, np.zeros(2, dtype))
