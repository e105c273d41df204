"""logsumexp, softmax, log_softmax, softplus, log_sigmoid, sigmoid.

References: scipy.special (same values for the same axis), mpmath for accuracy in the regimes
where scipy itself rounds, and hand-derived limits for the infinities.
"""

from __future__ import annotations

import math

import mpmath
import numpy as np
import pytest
import scipy.special as sc
from _accuracy import assert_relative, assert_ulp, exact
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

from xentbook import log_sigmoid, log_softmax, logsumexp, sigmoid, softmax, softplus

rng = np.random.default_rng(7)
ARRAYS = [rng.normal(size=(4, 5)) * 30, rng.normal(size=(2, 3, 4)) * 3, rng.normal(size=7)]


class TestAgainstScipy:
    @pytest.mark.parametrize("a", ARRAYS[:2], ids=["2d", "3d"])
    @pytest.mark.parametrize("axis", [None, 0, -1, (0, -1)])
    @pytest.mark.parametrize("keepdims", [False, True])
    def test_logsumexp(self, a, axis, keepdims):
        # scipy's logsumexp is accurate to a few ulp for these well-scaled inputs.
        np.testing.assert_allclose(
            logsumexp(a, axis=axis, keepdims=keepdims),
            sc.logsumexp(a, axis=axis, keepdims=keepdims),
            rtol=1e-14,
        )

    @pytest.mark.parametrize("a", ARRAYS, ids=["2d", "3d", "1d"])
    @pytest.mark.parametrize("axis", [0, -1])
    def test_softmax_and_log_softmax(self, a, axis):
        np.testing.assert_allclose(
            softmax(a, axis=axis), sc.softmax(a, axis=axis), rtol=1e-13, atol=1e-300
        )
        np.testing.assert_allclose(
            log_softmax(a, axis=axis), sc.log_softmax(a, axis=axis), rtol=1e-13, atol=1e-13
        )

    def test_float32_stays_float32(self):
        a = np.float32([[1, 2, 3]])
        assert logsumexp(a).dtype == np.float32
        assert softmax(a).dtype == np.float32
        assert log_softmax(a).dtype == np.float32
        assert softplus(a).dtype == np.float32 and sigmoid(a).dtype == np.float32

    def test_softplus_family(self):
        x = np.linspace(-50, 50, 101)
        np.testing.assert_allclose(sigmoid(x), sc.expit(x), rtol=1e-15)
        np.testing.assert_allclose(log_sigmoid(x), sc.log_expit(x), rtol=1e-14)
        np.testing.assert_allclose(softplus(x), -sc.log_expit(-x), rtol=1e-14)


class TestAccuracyBeyondScipy:
    """Relative error against mpmath at 50 digits with no absolute floor (tests/_accuracy.py):
    the claim is a few ulp, so the bound is 2 to 4 ulp even where the value is 4e-18."""

    def test_logsumexp_keeps_tiny_excess(self):
        # Hand/mpmath: log(1 + e^{-40}) = e^{-40} - e^{-80}/2 + ...
        expected = exact(lambda: mpmath.log1p(mpmath.exp(-40)))
        assert_ulp(logsumexp([0.0, -40.0]), expected, 2)
        # The same excess along an axis and over a tuple of axes, maximum anywhere in the slice.
        rows = np.array([[0.0, -40.0], [-40.0, 0.0]])
        assert_ulp(logsumexp(rows, axis=1), [expected, expected], 2)
        assert_ulp(logsumexp(rows[:, None, :], axis=(1, 2)), [expected, expected], 2)

    def test_logsumexp_float32_keeps_tiny_excess(self):
        expected = exact(lambda: mpmath.log1p(3 * mpmath.exp(-20)))
        got = logsumexp(np.float32([-20.0, 0.0, -20.0, -20.0]))
        assert got.dtype == np.float32
        assert_ulp(got, expected, 2)

    def test_log_softmax_of_confident_row(self):
        expected = exact(lambda: -mpmath.log1p(2 * mpmath.exp(-40)))
        assert_ulp(log_softmax([40.0, 0.0, 0.0])[0], expected, 2)
        assert_ulp(log_softmax([[0.0], [40.0], [0.0]], axis=0)[1, 0], expected, 2)
        # The naive log(softmax) rounds it to zero: the regression this guards against.
        assert np.log(sc.softmax([40.0, 0.0, 0.0]))[0] == 0.0

    def test_softmax_tiny_probabilities_keep_relative_accuracy(self):
        p = softmax([0.0, -700.0])
        expected = exact(lambda: mpmath.exp(-700) / (1 + mpmath.exp(-700)))
        # exp has condition number |x| = 700: a few ulp of 700.
        assert_relative(p[1], expected, 4 * 700 * np.finfo(float).eps)
        # The largest probability is 1 / (1 + s): within an ulp of 1 - 1e-304, i.e. 1.
        assert p[0] == 1.0

    def test_softmax_of_confident_row(self):
        # 1 / (1 + 2 e^-40) and e^-40 / (1 + 2 e^-40), each to a couple of ulp.
        p = softmax([40.0, 0.0, 0.0])
        top = exact(lambda: 1 / (1 + 2 * mpmath.exp(-40)))
        small = exact(lambda: mpmath.exp(-40) / (1 + 2 * mpmath.exp(-40)))
        assert_ulp(p, [top, small, small], 2)

    def test_softplus_large_and_small(self):
        assert softplus(1000.0) == 1000.0
        assert_ulp(softplus(-40.0), exact(lambda: mpmath.log1p(mpmath.exp(-40))), 2)
        assert_ulp(softplus(40.0), exact(lambda: 40 + mpmath.log1p(mpmath.exp(-40))), 2)

    def test_log_sigmoid_and_sigmoid_tails(self):
        # log sigma(40) = -log1p(e^-40); sigma(-40) = e^-40 / (1 + e^-40); sigma(40) rounds to 1.
        assert_ulp(log_sigmoid(40.0), exact(lambda: -mpmath.log1p(mpmath.exp(-40))), 2)
        assert_ulp(log_sigmoid(-40.0), exact(lambda: -40 - mpmath.log1p(mpmath.exp(-40))), 2)
        expit = exact(lambda: [1 / (1 + mpmath.exp(40)), 1 / (1 + mpmath.exp(-40))])
        assert_ulp(sigmoid([-40.0, 40.0]), expit, 2)


class TestInfinities:
    def test_logsumexp_limits_match_scipy(self):
        assert logsumexp([-np.inf, -np.inf]) == -np.inf == sc.logsumexp([-np.inf, -np.inf])
        assert logsumexp([np.inf, 1.0]) == np.inf
        assert logsumexp(np.array([])) == -np.inf
        assert logsumexp([-np.inf, 0.0]) == 0.0

    def test_softmax_minus_inf_entries_are_zero_probability(self):
        np.testing.assert_array_equal(softmax([-np.inf, 0.0]), [0.0, 1.0])
        np.testing.assert_array_equal(log_softmax([-np.inf, 0.0]), [-np.inf, 0.0])

    @pytest.mark.parametrize("func", [softmax, log_softmax])
    def test_undefined_softmax_raises(self, func):
        name = func.__name__
        with pytest.raises(ValueError, match=rf"{name}: x has a slice that is -inf everywhere"):
            func([[-np.inf, -np.inf], [0.0, 1.0]])
        with pytest.raises(ValueError, match=rf"{name}: x contains \+inf"):
            func([np.inf, 0.0])
        with pytest.raises(ValueError, match=rf"{name}: x contains nan"):
            func([np.nan, 0.0])

    def test_logsumexp_nan_raises(self):
        with pytest.raises(ValueError, match="logsumexp: a contains nan"):
            logsumexp([1.0, np.nan])


class TestBadInput:
    @pytest.mark.parametrize(
        ("call", "error", "pattern"),
        [
            (lambda: softmax(1.0), ValueError, r"softmax: x must have at least 1 dimension"),
            (lambda: softmax([1.0, 2.0], axis=1), IndexError, r"softmax: axis 1 is out of range"),
            (
                lambda: softmax([1.0], axis=0.5),
                TypeError,
                r"softmax: axis must be an integer, got 0.5",
            ),
            (lambda: log_softmax(["x"]), TypeError, r"log_softmax: x must be a real numeric array"),
            (
                lambda: logsumexp([[1.0]], axis=(0, 0)),
                ValueError,
                r"logsumexp: axis \(0, 0\) repeats",
            ),
            (
                lambda: logsumexp([1.0], keepdims=1),
                TypeError,
                r"logsumexp: keepdims must be True or False",
            ),
            (lambda: sigmoid([np.nan]), ValueError, r"sigmoid: x contains nan"),
            (lambda: softplus([1 + 2j]), TypeError, r"softplus: x must be a real numeric array"),
        ],
    )
    def test_raises_own_error(self, call, error, pattern):
        with pytest.raises(error, match=pattern):
            call()


finite_rows = hnp.arrays(
    np.float64, st.tuples(st.integers(1, 4), st.integers(1, 6)), elements=st.floats(-300, 300)
)


class TestProperties:
    @settings(max_examples=60, deadline=None)
    @given(finite_rows, st.floats(-1e3, 1e3))
    def test_softmax_shift_invariance(self, x, c):
        # Rounding x + c perturbs each logit by ulp(|x| + |c|); softmax's relative change is at
        # most that times 2, hence the tolerance in absolute terms on probabilities <= 1.
        tol = 8 * np.finfo(float).eps * (np.abs(x).max() + abs(c) + 1)
        np.testing.assert_allclose(softmax(x + c), softmax(x), rtol=0, atol=tol)

    @settings(max_examples=60, deadline=None)
    @given(finite_rows)
    def test_softmax_sums_to_one_and_matches_exp_log_softmax(self, x):
        p = softmax(x)
        np.testing.assert_allclose(
            p.sum(axis=-1), 1.0, rtol=0, atol=8 * np.finfo(float).eps * x.shape[-1]
        )
        np.testing.assert_allclose(np.exp(log_softmax(x)), p, rtol=1e-12, atol=1e-300)

    @settings(max_examples=60, deadline=None)
    @given(finite_rows)
    def test_logsumexp_bounds(self, x):
        # max <= logsumexp <= max + log(n), with equality cases exact.
        lse = logsumexp(x, axis=-1)
        assert np.all(lse >= x.max(axis=-1))
        assert np.all(lse <= x.max(axis=-1) + math.log(x.shape[-1]) + 1e-12 * (1 + np.abs(x).max()))


@pytest.mark.parametrize("func", [softmax, log_softmax])
def test_bad_row_messages_say_why_and_what_to_do(func):
    name = func.__name__
    with pytest.raises(ValueError, match=r"contains \+inf") as plus_inf:
        func([np.inf, 0.0])
    assert str(plus_inf.value) == (
        f"{name}: x contains +inf; softmax is undefined there (use a large finite value, "
        "or -inf to give a class zero probability)"
    )
    with pytest.raises(ValueError, match="-inf everywhere") as all_minus_inf:
        func([[-np.inf, -np.inf]])
    assert str(all_minus_inf.value) == (
        f"{name}: x has a slice that is -inf everywhere along the axis; "
        "its softmax is undefined (0/0)"
    )


# Peak allocation per byte of a float32 input of 10**6 elements, computed in float32: each bound
# lies below what one float64 temporary of the input's shape (8 bytes per element) would add.
FLOAT32_PEAKS = [
    (logsumexp, {"axis": 1}, 3.0),  # measured 2.3; a float64 route needs 4.0
    (softmax, {"axis": 1}, 1.5),  # 1.01: the result alone; float64 route 2.0
    (log_softmax, {"axis": 1}, 1.5),
    (softplus, {}, 4.0),  # 3.0; float64 route 6.0
    (sigmoid, {}, 4.0),
    (log_sigmoid, {}, 5.0),  # 4.0; float64 route 8.0
]


@pytest.mark.parametrize("dtype", [np.float32, np.float16])
@pytest.mark.parametrize(
    ("func", "kwargs", "bound"), FLOAT32_PEAKS, ids=lambda v: getattr(v, "__name__", "")
)
def test_float32_and_float16_are_computed_in_float32(func, kwargs, bound, dtype):
    # The package's one rule: float32 is computed in float32, float16 in float32, never in
    # float64 (which would double the memory and the time). tracemalloc sees numpy's buffers.
    from xentbook.book import peak_memory

    x = np.random.default_rng(16).normal(size=(1000, 1000)).astype(dtype)
    result, peak = peak_memory(func, x, **kwargs)
    assert result.dtype == dtype
    # float16 input is copied to float32 and the result cast back: 1.5 float32 arrays more
    allowed = bound if dtype == np.float32 else bound + 1.5
    assert peak / x.astype(np.float32).nbytes < allowed
