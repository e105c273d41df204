"""Chapter 5 helpers (condition number, Gumbel-max sampler) and the SciPy claims of the chapter."""

import importlib.metadata
import importlib.util

import mpmath
import numpy as np
import pytest

from xentbook.book import gumbel_max_sample, loss_condition_number


def mp_kappa(z, y):
    """kappa = sum_j |z_j - m| |p_j - [j = y]| / loss, at 50 digits with mpmath."""
    with mpmath.workdps(50):
        zs = [mpmath.mpf(float(v)) for v in z]
        m = max(zs)
        total = mpmath.fsum(mpmath.exp(v - m) for v in zs)
        p = [mpmath.exp(v - m) / total for v in zs]
        loss = mpmath.log(total) - (zs[y] - m)
        num = mpmath.fsum(abs(v - m) * abs(p[j] - (1 if j == y else 0)) for j, v in enumerate(zs))
        return float(num / loss)


class TestLossConditionNumber:
    def test_confident_family_is_margin_times_one_minus_p(self):
        # (a, 0, 0), target 0: kappa = a (1 - p_0) / loss, 1 - p_0 = s / (1 + s), s = 2 e^-a.
        for a in (1.0, 10.0, 40.0):
            s = 2 * np.exp(-a)
            loss = np.log1p(s)
            assert loss_condition_number([a, 0.0, 0.0], 0) == pytest.approx(
                a * (s / (1 + s)) / loss, rel=1e-14, abs=0
            )

    def test_against_mpmath_on_random_rows(self):
        rng = np.random.default_rng(3)
        z = rng.normal(scale=8.0, size=(20, 6))
        y = rng.integers(0, 6, size=20)
        expected = [mp_kappa(row, int(t)) for row, t in zip(z, y, strict=True)]
        # softmax and the reference loss are accurate to a few ulp: rtol 1e-13.
        np.testing.assert_allclose(loss_condition_number(z, y), expected, rtol=1e-13)

    def test_shape(self):
        assert isinstance(loss_condition_number([1.0, 0.0], 1), float)
        rows = np.tile([1.0, 0.0], (3, 1))
        assert loss_condition_number(rows, [0, 1, 0]).shape == (3,)


class TestGumbelMaxSample:
    def test_frequencies_match_softmax(self):
        z = np.array([2.0, 1.0, 0.1, -1.0])
        draws = gumbel_max_sample(z, size=200_000, seed=1)
        p = np.exp(z) / np.exp(z).sum()
        freq = np.bincount(draws, minlength=4) / draws.size
        # binomial standard error sqrt(p (1 - p) / n); 5 of them is a 1-in-a-million miss.
        assert np.all(np.abs(freq - p) < 5 * np.sqrt(p * (1 - p) / draws.size))

    def test_shift_invariant_and_reproducible(self):
        z = np.array([0.5, -0.3, 0.0])
        a = gumbel_max_sample(z, size=1000, seed=4)
        np.testing.assert_array_equal(a, gumbel_max_sample(z + 1000.0, size=1000, seed=4))

    def test_huge_logits_are_shifted_before_the_noise(self):
        # Unshifted, z + g is rounded at the ulp of 1e15 (0.125) and class 0 of 1e15 + (0, 2)
        # comes out about 0.127; shifted, the differences (-2, 0) are exact. Exact softmax:
        # 1 / (1 + e^2), by hand.
        z = 1e15 + np.array([0.0, 2.0])
        draws = gumbel_max_sample(z, size=400_000, seed=3)
        p0 = 1 / (1 + np.exp(2.0))
        assert abs(np.mean(draws == 0) - p0) < 4 * np.sqrt(p0 * (1 - p0) / draws.size)
        np.testing.assert_array_equal(draws, gumbel_max_sample(z - 1e15, size=400_000, seed=3))

    @pytest.mark.parametrize(
        ("logits", "size", "match"),
        [
            ([[1.0, 0.0]], 10, "gumbel_max_sample: logits must be one finite vector"),
            ([np.inf, 0.0], 10, "gumbel_max_sample: logits must be one finite vector"),
            ([1.0, 0.0], 0, "gumbel_max_sample: size must be at least 1"),
        ],
    )
    def test_bad_input(self, logits, size, match):
        with pytest.raises(ValueError, match=match):
            gumbel_max_sample(logits, size=size, seed=0)


@pytest.mark.skipif(
    importlib.util.find_spec("scipy") is None or importlib.metadata.version("scipy") != "1.17.1",
    reason="claims about SciPy 1.17.1, the version the book pins",
)
class TestScipyClaims:
    """Chapter 5 shows these outputs of the installed SciPy in static blocks."""

    def test_logsumexp_keeps_the_excess_and_log_softmax_does_not(self):
        special = pytest.importorskip("scipy.special")
        # Exact: log1p(2 e^-40) from mpmath.
        with mpmath.workdps(50):
            exact = float(mpmath.log1p(2 * mpmath.exp(-40)))
        assert repr(float(special.logsumexp([0.0, -40.0, -40.0]))) == "8.496708510583178e-18"
        assert float(special.logsumexp([0.0, -40.0, -40.0])) == pytest.approx(
            exact, rel=2e-16, abs=0
        )
        np.testing.assert_array_equal(special.log_softmax([40.0, 0.0, 0.0]), [0.0, -40.0, -40.0])
        # On the logits as given, the correctly rounded log-sum-exp is 40: the difference is 0.
        assert float(special.logsumexp([40.0, 0.0, 0.0])) - 40.0 == 0.0
        assert repr(special.log_softmax([40.0, 0.0, 0.0])) == "array([  0., -40., -40.])"
        # Exercise 3: scipy.special.softmax adds 1 + e^-a + e^-a in turn, zero from a = 37.
        first = next(a for a in range(1, 100) if np.log(special.softmax([a, 0.0, 0.0])[0]) == 0)
        assert first == 37

    def test_exp_of_log_softmax_is_accurate_on_unshifted_logits(self):
        special = pytest.importorskip("scipy.special")
        # "In practice": SciPy's log_softmax forms (z - m) - log(sum), so exponentiating it keeps
        # the probabilities of float32 logits near 1000 within a few u, where
        # exp(z - logsumexp(z)) errs by half an ulp of 1000 (512 u). The exact softmax is numpy's
        # float64 exp of the shifted float64 logits.
        rng = np.random.default_rng(1)
        logits = (1000 + rng.normal(size=(200, 10))).astype(np.float32)
        shifted = logits.astype(np.float64) - logits.max(axis=1, keepdims=True)
        exact = np.exp(shifted) / np.exp(shifted).sum(axis=1, keepdims=True)
        probs = np.exp(special.log_softmax(logits, axis=1)).astype(np.float64)
        assert probs.dtype == np.float64 and special.log_softmax(logits, axis=1).dtype == np.float32
        assert np.max(np.abs(probs / exact - 1)) / 2.0**-24 < 10

    def test_logsumexp_weights_and_signs(self):
        special = pytest.importorskip("scipy.special")
        # "Other log-domain sums": b= weights the terms, return_sign=True allows negative ones.
        # log(0.3 e^1000 + 0.7 e^999), by hand: 999 + log(0.3 e + 0.7).
        weighted = special.logsumexp([1000.0, 999.0], b=[0.3, 0.7])
        assert weighted == pytest.approx(999 + np.log(0.3 * np.e + 0.7), rel=1e-15)
        # e^3 - e^2 > 0: a subtraction; e^2 - e^3 < 0: nan, unless return_sign=True.
        difference = special.logsumexp([3.0, 2.0], b=[1.0, -1.0])
        assert difference == pytest.approx(3 + np.log1p(-np.exp(-1.0)), rel=1e-15)
        with np.errstate(invalid="ignore"):
            assert np.isnan(special.logsumexp([2.0, 3.0], b=[1.0, -1.0]))
        # log|e^2 - e^3| = 3 + log(1 - e^-1), with sign -1.
        value, sign = special.logsumexp([2.0, 3.0], b=[1.0, -1.0], return_sign=True)
        assert sign == -1.0
        assert value == pytest.approx(3 + np.log1p(-np.exp(-1.0)), rel=1e-15)
