"""Tests of the chapter-3 helpers: total variation and Gaussian fits by KL."""

import numpy as np
import pytest

from xentbook.book import stein_threshold_exponents, total_variation


class TestTotalVariation:
    def test_hand_values(self):
        # |0.5 - 0.9| + |0.5 - 0.1| = 0.8, halved
        assert total_variation([0.5, 0.5], [0.9, 0.1]) == pytest.approx(0.4, rel=1e-15, abs=0)
        assert total_variation([1.0, 0.0], [0.0, 1.0]) == 1.0
        assert total_variation([0.2, 0.8], [0.2, 0.8]) == 0.0

    def test_is_the_largest_event_difference(self):
        rng = np.random.default_rng(3)
        p, q = rng.dirichlet(np.ones(5)), rng.dirichlet(np.ones(5))
        # max over all 2^5 events A of |p(A) - q(A)|, by enumeration
        masks = (np.arange(32)[:, None] >> np.arange(5)) & 1
        largest = np.max(np.abs(masks @ p - masks @ q))
        np.testing.assert_allclose(total_variation(p, q), largest, rtol=1e-14)

    def test_batched_along_axis(self):
        p = np.array([[0.5, 0.5], [1.0, 0.0]])
        q = np.array([[0.9, 0.1], [0.5, 0.5]])
        np.testing.assert_allclose(total_variation(p, q), [0.4, 0.5], rtol=1e-15)
        np.testing.assert_allclose(total_variation(p.T, q.T, axis=0), [0.4, 0.5], rtol=1e-15)

    def test_rejects_bad_input(self):
        with pytest.raises(ValueError, match=r"^total_variation: p and q must be .*shape"):
            total_variation([0.5, 0.5], [1.0])
        with pytest.raises(ValueError, match=r"^total_variation: q must hold finite"):
            total_variation([0.5, 0.5], [1.5, -0.5])
        with pytest.raises(ValueError, match=r"^total_variation: p must sum to 1"):
            total_variation([2.0, 3.0], [0.5, 0.5])


class TestScipyConventions:
    """The chapter's description of SciPy's three KL functions (scipy 1.17.1)."""

    p = np.array([0.7, 0.2, 0.1])
    q = np.array([0.5, 0.3, 0.2])

    def test_rel_entr_is_the_plain_term(self):
        special = pytest.importorskip("scipy.special")
        np.testing.assert_allclose(
            special.rel_entr(self.p, self.q), self.p * np.log(self.p / self.q), rtol=1e-15
        )

    def test_kl_div_adds_q_minus_p_and_is_non_negative_termwise(self):
        special = pytest.importorskip("scipy.special")
        terms = special.kl_div(self.p, self.q)
        np.testing.assert_allclose(
            terms, self.p * np.log(self.p / self.q) - self.p + self.q, rtol=1e-14
        )
        assert (terms >= 0).all()
        assert (special.rel_entr(self.p, self.q) < 0).any()  # the plain terms are not

    def test_stats_entropy_normalizes_silently(self):
        stats = pytest.importorskip("scipy.stats")
        from xentbook import kl_divergence

        np.testing.assert_allclose(
            stats.entropy(3 * self.p, 7 * self.q), kl_divergence(self.p, self.q), rtol=1e-14
        )


class TestGaussianKlLandscape:
    def test_closed_form_for_a_gaussian_target(self):
        from xentbook.book import gaussian_kl_landscape, gaussian_logpdf

        x = np.linspace(-40.0, 40.0, 8001)  # wide enough for sigma = 3 to 13 sd
        mu, sigma = np.array([-1.0, 0.0, 2.0]), np.array([0.5, 1.0, 3.0])
        rev = gaussian_kl_landscape(x, gaussian_logpdf(x, 0.5, 1.5), mu, sigma)
        fwd = gaussian_kl_landscape(x, gaussian_logpdf(x, 0.5, 1.5), mu, sigma, "forward")
        m, s = np.meshgrid(mu, sigma, indexing="ij")

        def closed(m1, s1, m2, s2):  # D(N(m1, s1^2) || N(m2, s2^2)), derived by hand
            return np.log(s2 / s1) + (s1**2 + (m1 - m2) ** 2) / (2 * s2**2) - 0.5

        np.testing.assert_allclose(rev, closed(m, s, 0.5, 1.5), rtol=1e-8, atol=1e-12)
        np.testing.assert_allclose(fwd, closed(0.5, 1.5, m, s), rtol=1e-8, atol=1e-12)

    def test_bad_input(self):
        from xentbook.book import gaussian_kl_landscape

        with pytest.raises(ValueError, match=r"^gaussian_kl_landscape: direction"):
            gaussian_kl_landscape([0.0, 1.0], [0.0, 0.0], [0.0], [1.0], "both")
        with pytest.raises(ValueError, match=r"^gaussian_kl_landscape: sigma must"):
            gaussian_kl_landscape([0.0, 1.0], [0.0, 0.0], [0.0], [0.0])


class TestLocalMinimaGaussianKl:
    def test_three_reverse_minima_of_the_chapter_mixture(self):
        from scipy import optimize

        from xentbook.book import (
            gaussian_kl_landscape,
            gaussian_mixture_logpdf,
            local_minima_gaussian_kl,
        )

        x = np.linspace(-12.0, 12.0, 801)
        lp = gaussian_mixture_logpdf(x, [0.6, 0.4], [-2.0, 2.0], [0.6, 0.6])
        fits = local_minima_gaussian_kl(x, lp, np.linspace(-4, 4, 81), np.geomspace(0.2, 5, 60))
        assert len(fits) == 3
        for fit in fits:
            # an independent optimizer (scipy's Nelder-Mead) started at the reported point
            res = optimize.minimize(
                lambda v: float(gaussian_kl_landscape(x, lp, [v[0]], [np.exp(v[1])])[0, 0]),
                [fit.mu, np.log(fit.sigma)],
                method="Nelder-Mead",
                options={"xatol": 1e-7, "fatol": 1e-12},
            )
            np.testing.assert_allclose([fit.mu, fit.sigma], [res.x[0], np.exp(res.x[1])], atol=2e-3)
            assert fit.divergence <= res.fun + 1e-7
        # values of the review's quad-based check: 0.5098, 0.9146, 1.1436
        np.testing.assert_allclose(
            [f.divergence for f in fits], [0.5098, 0.9146, 1.1436], atol=2e-4
        )

    def test_single_minimum_for_a_gaussian_target(self):
        from xentbook.book import gaussian_logpdf, local_minima_gaussian_kl

        x = np.linspace(-12.0, 12.0, 1201)
        fits = local_minima_gaussian_kl(
            x, gaussian_logpdf(x, 1.0, 0.8), np.linspace(-3, 3, 31), np.geomspace(0.2, 4, 25)
        )
        assert len(fits) == 1
        np.testing.assert_allclose([fits[0].mu, fits[0].sigma], [1.0, 0.8], atol=1e-4)
        assert fits[0].divergence < 1e-8

    def test_bad_grid(self):
        from xentbook.book import local_minima_gaussian_kl

        with pytest.raises(ValueError, match=r"^local_minima_gaussian_kl: mu and sigma"):
            local_minima_gaussian_kl([0.0, 1.0], [0.0, 0.0], [0.0, 1.0], [1.0, 2.0, 3.0])
        with pytest.raises(ValueError, match=r"^local_minima_gaussian_kl: rounds"):
            local_minima_gaussian_kl([0.0, 1.0], [0.0, 0.0], [0.0, 1.0], [1.0, 2.0], rounds=0)


class TestKlFloat32Estimates:
    Z = np.random.default_rng(3).normal(size=1000)
    D = np.random.default_rng(4).normal(size=1000)

    def test_reference_against_mpmath(self):
        import mpmath

        from xentbook.book import kl_float32_estimates

        scales = [1e-4, 1e-1]
        exact, _ = kl_float32_estimates(self.Z, self.D, scales)
        for s, value in zip(scales, exact, strict=True):
            with mpmath.workdps(40):  # the float64 logits, exactly, at 40 digits
                za = [mpmath.mpf(float(v)) for v in self.Z]
                zb = [mpmath.mpf(float(a + s * d)) for a, d in zip(self.Z, self.D, strict=True)]
                lse_a = mpmath.log(mpmath.fsum(mpmath.exp(v) for v in za))
                lse_b = mpmath.log(mpmath.fsum(mpmath.exp(v) for v in zb))
                ref = float(
                    mpmath.fsum(
                        mpmath.exp(a - lse_a) * (a - lse_a - b + lse_b)
                        for a, b in zip(za, zb, strict=True)
                    )
                )
            np.testing.assert_allclose(value, ref, rtol=1e-9)

    def test_float32_methods(self):
        from xentbook.book import kl_float32_estimates

        scales = np.geomspace(1e-5, 1.0, 11)
        exact, est = kl_float32_estimates(self.Z, self.D, scales)
        assert list(est) == ["CE - H", "direct sum", "termwise", "kl_divergence"]
        assert all(v.dtype == np.float32 and v.shape == (11,) for v in est.values())
        # termwise and the library stay within 1e-2 relative at every size (down to 5e-11 nats)
        np.testing.assert_allclose(est["termwise"], exact, rtol=1e-2)
        np.testing.assert_allclose(est["kl_divergence"], exact, rtol=1e-2)
        # the two cancelling formulas are off by more than the divergence below 1e-8 nats
        small = exact < 1e-8
        assert small.sum() >= 2
        for name in ("CE - H", "direct sum"):
            assert np.all(np.abs(est[name][small] - exact[small]) >= exact[small])
        # at D = 0.5 nats every method is accurate to 1e-5
        for values in est.values():
            np.testing.assert_allclose(values[-1], exact[-1], rtol=1e-5)

    def test_direct_sum_by_hand(self):
        from xentbook import log_softmax
        from xentbook.book import kl_float32_estimates

        z, d = np.array([0.3, -0.2, 1.0]), np.array([1.0, 0.0, -1.0])
        _, est = kl_float32_estimates(z, d, [0.5])
        lp, lq = log_softmax(z.astype(np.float32)), log_softmax((z + 0.5 * d).astype(np.float32))
        assert est["direct sum"][0] == np.sum(np.exp(lp) * (lp - lq))

    def test_bad_input(self):
        from xentbook.book import kl_float32_estimates

        with pytest.raises(ValueError, match=r"^kl_float32_estimates: z and direction must be 1-d"):
            kl_float32_estimates([0.0, 1.0], [1.0, 0.0, 0.0], [1.0])
        with pytest.raises(ValueError, match=r"^kl_float32_estimates: z and direction must be fin"):
            kl_float32_estimates([0.0, np.inf], [1.0, 0.0], [1.0])
        with pytest.raises(ValueError, match=r"^kl_float32_estimates: scales must be"):
            kl_float32_estimates([0.0, 1.0], [1.0, 0.0], [0.0])


class TestSteinThresholdExponents:
    def test_against_scipy_binomial_tails(self):
        from scipy import stats

        ns = [1, 7, 50, 333, 2000]
        got = stein_threshold_exponents(0.5, 0.2, ns)
        for n, value in zip(ns, got, strict=True):
            # accept p (heads 0.5) when K >= t, t the largest with P_p(K <= t - 1) <= 0.05
            t = int(stats.binom.ppf(0.05, n, 0.5))
            assert stats.binom.cdf(t - 1, n, 0.5) <= 0.05 < stats.binom.cdf(t, n, 0.5)
            assert value == pytest.approx(
                -stats.binom.logsf(t - 1, n, 0.2) / n, rel=1e-11, abs=1e-15
            )

    def test_swapped_coins_count_tails(self):
        from scipy import stats

        for n in (10, 100, 1000):
            # accept p (heads 0.2) when K <= t, t the smallest with P_p(K >= t + 1) <= 0.05
            t = int(stats.binom.isf(0.05, n, 0.2))
            assert stats.binom.sf(t, n, 0.2) <= 0.05
            expected = -stats.binom.logcdf(t, n, 0.5) / n
            got = stein_threshold_exponents(0.2, 0.5, [n])[0]
            assert got == pytest.approx(expected, rel=1e-11)

    def test_tends_to_the_divergence_from_below(self):
        ns = np.array([100, 1000, 10_000])
        got = stein_threshold_exponents(0.5, 0.2, ns)
        limit = 0.5 * np.log(0.5 / 0.8) + 0.5 * np.log(0.5 / 0.2)  # D(p || q) by hand
        assert np.all(np.diff(got) > 0) and np.all(got < limit)
        assert limit - got[-1] < 0.011

    def test_rejects_bad_input(self):
        with pytest.raises(ValueError, match="distinct"):
            stein_threshold_exponents(0.5, 0.5, [10])
        with pytest.raises(ValueError, match="distinct"):
            stein_threshold_exponents(1.0, 0.5, [10])
        with pytest.raises(ValueError, match="alpha"):
            stein_threshold_exponents(0.5, 0.2, [10], alpha=0.0)
        with pytest.raises(ValueError, match="integers"):
            stein_threshold_exponents(0.5, 0.2, [10.5])
        with pytest.raises(ValueError, match="at least 1"):
            stein_threshold_exponents(0.5, 0.2, [0, 10])
