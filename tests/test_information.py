"""surprisal, entropy, cross_entropy_pq and kl_divergence.

References: scipy.stats.entropy (same values on normalized input), mpmath at 50 digits for the
accuracy of KL between nearly equal distributions, and hand-computed values.
"""

from __future__ import annotations

import math

import mpmath
import numpy as np
import pytest
import scipy.stats as ss
from _accuracy import assert_relative, assert_ulp, exact
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

from xentbook import cross_entropy_pq, entropy, kl_divergence, surprisal

rng = np.random.default_rng(1951)


def _mp_normalized_kl(p, q, dps=50):
    """SciPy's definition, KL(p / sum p || q / sum q), at ``dps`` digits on the exact values of
    the (already rounded) inputs, and u = (sum p - sum q) / sum q, both as mpf."""
    with mpmath.workdps(dps):
        pm, qm = [mpmath.mpf(float(a)) for a in p], [mpmath.mpf(float(b)) for b in q]
        sp, sq = mpmath.fsum(pm), mpmath.fsum(qm)
        kl = mpmath.fsum(
            (a / sp) * mpmath.log((a / sp) / (b / sq)) for a, b in zip(pm, qm, strict=True)
        )
        return kl, (sp - sq) / sq


def random_distributions(shape):
    return rng.dirichlet(np.ones(shape[-1]), size=shape[:-1])


class TestSurprisal:
    def test_hand_values(self):
        assert surprisal(0.5, base=2) == 1.0
        assert surprisal(1 / 6, base=2) == pytest.approx(math.log2(6), rel=1e-15)
        assert surprisal(1.0) == 0.0 and not np.signbit(surprisal(1.0))
        assert surprisal(0.0) == np.inf

    def test_independent_events_add(self):
        p, q = 0.3, 0.05
        assert surprisal(p * q) == pytest.approx(surprisal(p) + surprisal(q), rel=1e-15)

    def test_bad_input(self):
        with pytest.raises(
            ValueError, match=r"surprisal: p must be a probability in \[0, 1\], got 1.5"
        ):
            surprisal(1.5)
        # An array names the first bad entry.
        with pytest.raises(
            ValueError,
            match=r"^surprisal: p must be a probability in \[0, 1\], got -0.25 at index \(1, 1\)$",
        ):
            surprisal([[0.5, 0.25], [1.0, -0.25]])
        with pytest.raises(ValueError, match="surprisal: base must be positive, finite and not 1"):
            surprisal(0.5, base=1)
        with pytest.raises(TypeError, match="surprisal: base must be a positive number or None"):
            surprisal(0.5, base="e")


class TestEntropy:
    @pytest.mark.parametrize("base", [None, 2, 10])
    def test_matches_scipy(self, base):
        p = random_distributions((5, 8))
        np.testing.assert_allclose(
            entropy(p, base=base), ss.entropy(p, base=base, axis=-1), rtol=1e-14
        )
        np.testing.assert_allclose(
            entropy(p.T, axis=0, base=base), ss.entropy(p.T, base=base, axis=0), rtol=1e-14
        )

    def test_zero_log_zero_is_zero(self):
        assert entropy([1.0, 0.0]) == 0.0
        assert entropy([0.5, 0.5, 0.0], base=2) == 1.0

    def test_uniform_is_log_c(self):
        assert entropy(np.full(8, 1 / 8), base=2) == pytest.approx(3.0, rel=1e-15)

    def test_float32(self):
        assert entropy(np.float32([0.25, 0.75])).dtype == np.float32

    def test_float32_cross_entropy_and_kl_stay_float32(self):
        # float32 in, float32 out, and within a few float32 ulp of the float64 value.
        p, q = np.float32([0.25, 0.75]), np.float32([0.5, 0.5])
        for func in (cross_entropy_pq, kl_divergence):
            got = func(p, q)
            assert got.dtype == np.float32, func.__name__
            expected = func(p.astype(np.float64), q.astype(np.float64))
            np.testing.assert_allclose(got, expected, rtol=4 * np.finfo(np.float32).eps, atol=0)

    @pytest.mark.parametrize(
        ("p", "error", "pattern"),
        [
            (
                [0.5, -0.1, 0.6],
                ValueError,
                r"entropy: p must hold probabilities \(finite and >= 0\), got -0.1",
            ),
            (
                [1.0, 1.0],
                ValueError,
                r"entropy: p must sum to 1 along axis -1, but a slice sums to 2.0",
            ),
            ([np.nan, 1.0], ValueError, r"entropy: p must hold probabilities"),
            (0.5, ValueError, r"entropy: p must have at least 1 dimension"),
            (["a"], TypeError, r"entropy: p must be a real numeric array"),
        ],
    )
    def test_bad_input(self, p, error, pattern):
        with pytest.raises(error, match=pattern):
            entropy(p)


class TestCrossEntropyAndKL:
    @pytest.mark.parametrize("base", [None, 2])
    def test_kl_matches_scipy(self, base):
        p, q = random_distributions((6, 5)), random_distributions((6, 5))
        np.testing.assert_allclose(
            kl_divergence(p, q, base=base), ss.entropy(p, q, base=base, axis=-1), rtol=1e-12
        )

    def test_cross_entropy_is_entropy_plus_kl(self):
        p, q = random_distributions((6, 5)), random_distributions((6, 5))
        np.testing.assert_allclose(
            cross_entropy_pq(p, q), entropy(p) + kl_divergence(p, q), rtol=1e-14
        )

    def test_hand_values(self):
        # H(p, q) for p = (1/2, 1/2), q = (0.9, 0.1): -(ln 0.9 + ln 0.1) / 2.
        assert cross_entropy_pq([0.5, 0.5], [0.9, 0.1]) == pytest.approx(
            -(math.log(0.9) + math.log(0.1)) / 2, rel=1e-15
        )
        assert kl_divergence([0.5, 0.5], [0.9, 0.1]) == pytest.approx(
            0.5 * math.log(0.5 / 0.9) + 0.5 * math.log(5), rel=1e-14
        )

    def test_infinities_and_zeros(self):
        assert kl_divergence([0.5, 0.5], [1.0, 0.0]) == np.inf
        assert cross_entropy_pq([0.5, 0.5], [1.0, 0.0]) == np.inf
        assert kl_divergence([1.0, 0.0], [0.5, 0.5]) == pytest.approx(math.log(2), rel=1e-15)
        assert kl_divergence([0.2, 0.8], [0.2, 0.8]) == 0.0

    def test_kl_of_nearly_equal_distributions_is_accurate(self):
        # scipy sums p log(p/q) terms of both signs and keeps only ~8 digits of the O(d^2)
        # result here; the non-negative-terms form keeps all of them. Inputs are dyadic so that
        # p sums to exactly 1; reference: mpmath at 50 digits on the exact binary values.
        d = 2.0**-30
        q = np.array([0.25, 0.75])
        p = q + np.array([d, -d])
        with mpmath.workdps(50):
            exact = float(
                sum(
                    mpmath.mpf(a) * mpmath.log(mpmath.mpf(a) / mpmath.mpf(b))
                    for a, b in zip(p, q, strict=True)
                )
            )
        # No absolute floor (tests/_accuracy.py): the true value is 5e-18, so a rounding-noise
        # answer of 0 or 1e-17 is a relative error of 1 or more, not a pass.
        assert_ulp(kl_divergence(p, q), exact, 4)
        assert abs(ss.entropy(p, q) - exact) / exact > 1e-9  # the reference loses digits here

    @pytest.mark.parametrize(
        "d",
        [2.0**-40, 2.0**-20, 2.0**-8, 1 / 16, 3 / 32, 1 / 8, 9 / 64, 5 / 32, 3 / 16, -1 / 8],
        ids=lambda d: f"t={4 * d:g}",
    )
    def test_kl_to_a_few_ulp_on_both_sides_of_the_series_switch(self, d):
        # q = (1/4, 3/4), p = q + (d, -d), all dyadic so p sums to exactly 1 and p - q is exact.
        # t = (p - q) / q = 4d on the first entry runs from 1e-12 through the switch at |t| = 1/2
        # (d = 1/8) to 3/4: the series branch and the direct branch must both be accurate.
        # Reference: sum p log(p/q) at 50 digits on the exact binary values (hand definition).
        q = np.array([0.25, 0.75])
        p = q + np.array([d, -d])
        with mpmath.workdps(50):
            expected = mpmath.fsum(
                mpmath.mpf(a) * mpmath.log(mpmath.mpf(a) / mpmath.mpf(b))
                for a, b in zip(p, q, strict=True)
            )
        assert_ulp(kl_divergence(p, q), expected, 4)
        assert_ulp(kl_divergence(p, q, base=2), expected / mpmath.log(2), 4)

    def test_kl_of_nearly_equal_many_class_distributions(self):
        # Eight classes, each entry moved by a multiple of 2^-32 (exact), KL ~ 1e-19.
        q = np.full(8, 1 / 8)
        p = q + np.array([3, -1, 2, -4, 1, -2, 5, -4]) * 2.0**-32
        with mpmath.workdps(50):
            expected = mpmath.fsum(
                mpmath.mpf(a) * mpmath.log(mpmath.mpf(a) / mpmath.mpf(b))
                for a, b in zip(p, q, strict=True)
            )
        assert_ulp(kl_divergence(p, q), expected, 4)
        assert_ulp(
            kl_divergence(q, p),
            exact(
                lambda: mpmath.fsum(
                    mpmath.mpf(b) * mpmath.log(mpmath.mpf(b) / mpmath.mpf(a))
                    for a, b in zip(p, q, strict=True)
                )
            ),
            4,
        )

    @pytest.mark.parametrize("dtype", [np.float64, np.float32])
    def test_regression_kl_of_nearby_distributions_that_sum_to_one_only_within_rounding(
        self, dtype
    ):
        # Adding sum(p - q), zero only for exactly normalized inputs, added rounding noise of the
        # order of epsilon: float32 returned 0.0 for a divergence of 3e-9 and float64 lost about
        # half its digits. Reference (mpmath, 50 digits): the definition scipy.stats.entropy uses,
        # KL(p / sum p || q / sum q), on the exact values of the rounded inputs.
        rng = np.random.default_rng(1)
        p = rng.dirichlet(np.ones(50)).astype(dtype)
        q = p * (1 + 1e-4 * rng.standard_normal(50))
        q = (q / q.sum()).astype(dtype)
        expected, _ = _mp_normalized_kl(p, q)
        kl = kl_divergence(p, q)
        assert kl.dtype == dtype
        # A few units of the dtype's roundoff, relative: the terms are non-negative and each is
        # accurate, so only their rounding and their summation remain.
        assert_relative(kl, expected, 8 * float(np.finfo(dtype).eps))

    def test_regression_kl_nan_when_p_over_q_is_below_epsilon(self):
        # p/q = 2e-20 rounded t = p/q - 1 to -1 and gave 0 * log(0) = nan. By hand:
        # KL = a ln(2a) + (1 - a) ln(2(1 - a)) with a = 1e-20, i.e. ln 2 - 4.5e-19 to first order.
        a = 1e-20
        with mpmath.workdps(50):
            exact = float(
                a * mpmath.log(2 * a) + (1 - mpmath.mpf(a)) * mpmath.log(2 * (1 - mpmath.mpf(a)))
            )
        assert_ulp(kl_divergence([a, 1 - a], [0.5, 0.5]), exact, 4)
        # Peaked Dirichlet samples, the case that exposed it, stay finite and match scipy.
        p = np.random.default_rng(5).dirichlet(np.full(6, 0.05), size=200)
        q = np.random.default_rng(6).dirichlet(np.full(6, 0.05), size=200)
        expected = ss.entropy(p, q, axis=-1)
        np.testing.assert_allclose(kl_divergence(p, q), expected, rtol=1e-9)

    def test_shape_mismatch(self):
        with pytest.raises(
            ValueError,
            match=r"kl_divergence: p and q must have the same shape, got \(2,\) and \(3,\)",
        ):
            kl_divergence([0.5, 0.5], [0.2, 0.3, 0.5])
        with pytest.raises(ValueError, match=r"cross_entropy_pq: q must hold probabilities"):
            cross_entropy_pq([0.5, 0.5], [1.5, -0.5])


distributions = hnp.arrays(np.float64, st.integers(2, 8), elements=st.floats(0.01, 10)).map(
    lambda a: a / a.sum()
)


class TestProperties:
    @settings(max_examples=80, deadline=None)
    @given(distributions, distributions)
    def test_gibbs_and_decomposition(self, p, q):
        if p.shape != q.shape:
            q = np.resize(q, p.shape)
            q = q / q.sum()
        kl = kl_divergence(p, q)
        assert kl >= 0
        np.testing.assert_allclose(cross_entropy_pq(p, q), entropy(p) + kl, rtol=1e-12, atol=1e-15)

    @settings(max_examples=60, deadline=None)
    @given(distributions)
    def test_entropy_at_most_log_c(self, p):
        assert entropy(p) <= math.log(p.size) + 1e-12


class TestInputsNormalizedOnlyWithinTolerance:
    # kl_divergence accepts a distribution whose sum is off 1 by up to 16 * eps * C and returns
    # KL(p / S_p || q / S_q) (SciPy's definition). In float32 that slack is large enough for the
    # correction term c(u), u = (S_p - S_q) / S_q, to matter: at C = 50, u up to 1e-4; at
    # C = 1000, u up to 4e-3, on both sides of the switch from its series to its direct formula
    # at |u| = 1e-3; at C = 10**5, u up to 0.19, where a truncated series would be far off.
    # Reference: mpmath at 50 digits on the exact values of the rounded inputs.
    @pytest.mark.parametrize(
        ("classes", "p_excess", "q_excess", "spread"),
        [
            (50, 5e-5, 0.0, 1e-3),
            (1000, 5e-4, -4e-4, 1e-3),
            (1000, 1.5e-3, 0.0, 1e-3),
            (1000, 9e-4, -9e-4, 1e-3),
            (100_000, 0.15, 0.0, 0.1),
        ],
    )
    def test_kl_is_that_of_the_normalized_distributions(self, classes, p_excess, q_excess, spread):
        rng = np.random.default_rng(classes)
        q64 = rng.dirichlet(np.ones(classes))
        p64 = np.abs(q64 * (1 + spread * rng.standard_normal(classes)))
        p = (p64 / p64.sum() * (1 + p_excess)).astype(np.float32)
        q = (q64 * (1 + q_excess)).astype(np.float32)
        expected, u = _mp_normalized_kl(p, q)
        # The correction is a sizable part of the answer here: leaving it out, or getting one of
        # its leading terms wrong, moves the result by far more than the tolerance.
        with mpmath.workdps(50):
            assert abs(u / (1 + u) - mpmath.log1p(u)) > 1e-3 * expected
        kl = kl_divergence(p, q)
        assert kl.dtype == np.float32
        assert_relative(kl, expected, 8 * float(np.finfo(np.float32).eps))

    def test_each_row_is_normalized_with_its_own_sums(self):
        # Two float32 distributions of 1000 classes along axis 1, each off 1 by a different
        # amount: the correction of each row must use that row's own sums. Reference: mpmath at
        # 50 digits, row by row, on the exact values of the rounded inputs.
        rng = np.random.default_rng(1000)
        rows = []
        for p_excess, q_excess in ((5e-4, -4e-4), (1.5e-3, 0.0)):
            q64 = rng.dirichlet(np.ones(1000))
            p64 = np.abs(q64 * (1 + 1e-3 * rng.standard_normal(1000)))
            rows.append(
                (
                    (p64 / p64.sum() * (1 + p_excess)).astype(np.float32),
                    (q64 * (1 + q_excess)).astype(np.float32),
                )
            )
        p = np.stack([r[0] for r in rows])
        q = np.stack([r[1] for r in rows])
        expected = [_mp_normalized_kl(pr, qr)[0] for pr, qr in rows]
        assert_relative(kl_divergence(p, q, axis=1), expected, 8 * float(np.finfo(np.float32).eps))

    def test_float64_kl_of_nearly_equal_distributions_whose_sums_miss_1(self):
        # Sums off 1 by about 3e-14 and a divergence of about 5e-19: the correction c(u) is
        # about -u^2/2 = -5e-28, and u formed from the two float64 sums of 1 carried their
        # rounding errors (of order 1e-16), which moved the result by a relative 2e-11. Formed
        # from the sum of the differences p_i - q_i, each exact here, u is good to its last
        # bits, and so is the result.
        # Reference: mpmath at 60 digits on the exact values of the inputs.
        rng = np.random.default_rng(7)
        q = rng.dirichlet(np.ones(50))
        p = q * (1 + 1e-9 * rng.standard_normal(50))
        p = p / p.sum()
        p[0] += 3e-14
        expected, u = _mp_normalized_kl(p, q, dps=60)
        assert 1e-20 < expected < 1e-18
        assert abs(u) > 1e-14
        assert_relative(kl_divergence(p, q), expected, 8 * float(np.finfo(np.float64).eps))


class TestCrossEntropyPqDetails:
    def test_result_dtype_is_the_wider_of_p_and_q(self):
        p32, q32 = np.float32([0.5, 0.5]), np.float32([0.25, 0.75])
        assert cross_entropy_pq(p32, q32.astype(np.float64)).dtype == np.float64
        assert cross_entropy_pq(p32.astype(np.float64), q32).dtype == np.float64
        assert cross_entropy_pq(p32, q32).dtype == np.float32

    @pytest.mark.parametrize("wide", ["p", "q"])
    def test_mixed_precision_is_computed_in_float64(self, wide):
        # float32 with float64 gives float64, accurate to float64's roundoff on the exact values
        # of both inputs (mpmath, 50 digits): float32 terms would lose 9 digits.
        rng = np.random.default_rng(23)
        p, q = rng.dirichlet(np.ones(20)), rng.dirichlet(np.ones(20))
        p, q = (p, q.astype(np.float32)) if wide == "p" else (p.astype(np.float32), q)
        with mpmath.workdps(50):
            expected = -mpmath.fsum(
                mpmath.mpf(float(a)) * mpmath.log(mpmath.mpf(float(b)))
                for a, b in zip(p, q, strict=True)
            )
        assert_relative(cross_entropy_pq(p, q), expected, 8 * float(np.finfo(np.float64).eps))

    def test_zero_probability_under_both_contributes_nothing(self):
        # 0 log 0 = 0: a class impossible under p adds nothing even where q is 0 too. By hand,
        # H((1/2, 1/2, 0), (1/2, 1/2, 0)) = log 2.
        assert cross_entropy_pq([0.5, 0.5, 0.0], [0.5, 0.5, 0.0]) == math.log(2)

    def test_base_two_by_hand(self):
        # -(1/2 log2 1/4 + 1/4 log2 1/2 + 1/4 log2 1/4) = 1 + 1/4 + 1/2, exact in binary.
        assert cross_entropy_pq([0.5, 0.25, 0.25], [0.25, 0.5, 0.25], base=2) == 1.75

    def test_float32_is_computed_in_float32(self):
        # Peak allocation per byte of a (1000, 1000) float32 input: measured 4.25; float64
        # terms would add one float64 array of the shape (2 more).
        from xentbook.book import peak_memory

        rng = np.random.default_rng(19)
        p = rng.dirichlet(np.ones(1000), size=1000).astype(np.float32)
        q = rng.dirichlet(np.ones(1000), size=1000).astype(np.float32)
        result, peak = peak_memory(cross_entropy_pq, p, q)
        assert result.dtype == np.float32
        assert peak / p.nbytes < 4.75


class TestSurprisalDetails:
    def test_scalar_message_names_no_index(self):
        # An array's message ends with the index of its first bad entry; a scalar's, with it.
        message = "surprisal: p must be a probability in [0, 1], got 1.5"
        with pytest.raises(ValueError, match=r"^surprisal: p must") as bad:
            surprisal(1.5)
        assert str(bad.value) == message

    def test_float32_is_computed_in_float32(self):
        # Measured 2.5 float32 arrays of the input's size; a float64 logarithm needs 5.5. (A copy
        # of the input before the logarithm does not show: it is freed before the peak.)
        from xentbook.book import peak_memory

        p = np.random.default_rng(20).uniform(1e-6, 1, size=(1000, 1000)).astype(np.float32)
        result, peak = peak_memory(surprisal, p)
        assert result.dtype == np.float32
        assert peak / p.nbytes < 3.0


class TestDistributionChecks:
    def test_sum_tolerance_is_sixteen_epsilon_per_class(self):
        # Two classes: a sum off by 32 eps (exactly representable: 0.5 + 32 eps) is accepted,
        # one off by 33 eps is not; the documented tolerance is 16 eps per class.
        eps = float(np.finfo(np.float64).eps)
        assert entropy([0.5, 0.5 + 32 * eps]) > 0
        with pytest.raises(ValueError, match=r"^entropy: p must sum to 1") as off:
            entropy([0.5, 0.5 + 33 * eps])
        assert str(off.value) == (
            "entropy: p must sum to 1 along axis -1, but a slice sums to 1.0000000000000073; "
            "divide by its sum to normalize"
        )

    def test_the_first_invalid_entry_is_named_not_a_zero(self):
        # Zero is a valid probability: the message points past it to the negative entry.
        with pytest.raises(ValueError, match=r"^entropy: p must hold") as bad:
            entropy([0.0, 0.5, -0.1, 0.6])
        assert str(bad.value).endswith("got -0.1 at index (2,)")

    def test_one_class_is_a_distribution(self):
        # A certain outcome: no information, no divergence from itself.
        assert entropy([1.0]) == 0.0
        assert kl_divergence([1.0], [1.0]) == 0.0
        assert cross_entropy_pq([1.0], [1.0]) == 0.0

    def test_kl_result_dtype_is_the_wider_of_p_and_q(self):
        p32, q32 = np.float32([0.25, 0.75]), np.float32([0.5, 0.5])
        assert kl_divergence(p32, q32.astype(np.float64)).dtype == np.float64
        assert kl_divergence(p32.astype(np.float64), q32).dtype == np.float64

    @pytest.mark.parametrize("wide", ["p", "q"])
    def test_mixed_precision_kl_is_computed_in_float64(self, wide):
        # float32 and float64 inputs give a float64 result, accurate to float64's roundoff on the
        # exact values of both inputs (mpmath, 50 digits); float32 terms would lose 9 digits.
        rng = np.random.default_rng(22)
        p = rng.dirichlet(np.ones(20))
        q = p * (1 + 1e-2 * rng.standard_normal(20))
        q = q / q.sum()
        p, q = (p, q.astype(np.float32)) if wide == "p" else (p.astype(np.float32), q)
        expected, _ = _mp_normalized_kl(p, q)
        assert_relative(kl_divergence(p, q), expected, 8 * float(np.finfo(np.float64).eps))

    @pytest.mark.parametrize(("func", "bound"), [(entropy, 5.0), (kl_divergence, 9.5)])
    def test_float32_is_computed_in_float32(self, func, bound):
        # Peak allocation per byte of a (1000, 1000) float32 input: measured 4.5 for entropy and
        # 9.0 for kl_divergence (whose sums are taken in float64); a copy of the input or float64
        # terms would add at least 1.
        from xentbook.book import peak_memory

        rng = np.random.default_rng(21)
        p = rng.dirichlet(np.ones(1000), size=1000).astype(np.float32)
        q = rng.dirichlet(np.ones(1000), size=1000).astype(np.float32)
        args = (p,) if func is entropy else (p, q)
        result, peak = peak_memory(func, *args)
        assert result.dtype == np.float32
        assert peak / p.nbytes < bound
