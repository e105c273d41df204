"""Tests of xentbook.fitting: empirical distributions, Gaussian likelihoods and KL fits.

Expected values come from scipy.stats, mpmath, torch or closed forms derived in comments.
"""

import mpmath
import numpy as np
import pytest
from scipy import optimize, stats

from xentbook import cross_entropy_pq, entropy, gaussian_nll, kl_divergence, mse
from xentbook.book import (
    empirical_distribution,
    fit_gaussian_kl,
    gaussian_logpdf,
    gaussian_mixture_logpdf,
    kl_divergence_on_grid,
)
from xentbook.fitting import GaussianFit


class TestEmpiricalDistribution:
    def test_counts_divided_by_n(self):
        # 10 labels: class 0 three times, class 1 never, class 2 six times, class 3 once.
        labels = [0, 2, 2, 0, 3, 2, 2, 0, 2, 2]
        f = empirical_distribution(labels, num_classes=4)
        # exact: the divisions k/10 are correctly rounded, so equality is exact
        np.testing.assert_array_equal(f, np.array([3, 0, 6, 1]) / 10)
        assert f.dtype == np.float64

    def test_mean_nll_equals_cross_entropy_with_empirical(self):
        # -(1/N) sum_n log q[y_n] regroups by class into -sum_c f_c log q_c = H(f, q).
        rng = np.random.default_rng(0)
        labels = rng.integers(0, 5, size=200)
        q = rng.dirichlet(np.ones(5))
        nll = -np.mean(np.log(q[labels]))
        # both are sums of 200 (or 5) rounded terms: agreement to 1e-13 relative
        np.testing.assert_allclose(
            cross_entropy_pq(empirical_distribution(labels, 5), q), nll, rtol=1e-13
        )

    def test_accepts_any_shape(self):
        f = empirical_distribution(np.array([[1, 1], [0, 1]], dtype=np.uint8), num_classes=2)
        np.testing.assert_array_equal(f, [0.25, 0.75])  # exact binary fractions

    def test_float_labels_rejected(self):
        with pytest.raises(TypeError, match=r"^empirical_distribution: labels .*float64"):
            empirical_distribution([0.0, 1.0], 2)

    def test_out_of_range_label(self):
        with pytest.raises(IndexError, match=r"^empirical_distribution: labels .*class index 3"):
            empirical_distribution([0, 3], 3)
        with pytest.raises(IndexError, match=r"^empirical_distribution: labels .*class index -1"):
            empirical_distribution([-1, 0], 3)

    def test_bad_num_classes_and_empty(self):
        with pytest.raises(ValueError, match=r"^empirical_distribution: num_classes .*got 0"):
            empirical_distribution([0], 0)
        with pytest.raises(TypeError, match=r"^empirical_distribution: num_classes .*2.0"):
            empirical_distribution([0], 2.0)
        with pytest.raises(ValueError, match=r"^empirical_distribution: labels is empty"):
            empirical_distribution(np.array([], dtype=int), 2)


class TestGaussianNll:
    def test_matches_scipy_logpdf(self):
        rng = np.random.default_rng(1)
        y_hat, y = rng.normal(size=50), rng.normal(size=50)
        sigma = rng.uniform(0.5, 2.0, size=50)
        expected = -stats.norm.logpdf(y, loc=y_hat, scale=sigma)
        # a handful of float64 operations per element: 1e-13 relative
        np.testing.assert_allclose(
            gaussian_nll(y_hat, y, sigma, reduction="none"), expected, rtol=1e-13
        )
        np.testing.assert_allclose(gaussian_nll(y_hat, y, sigma), expected.mean(), rtol=1e-13)
        np.testing.assert_allclose(
            gaussian_nll(y_hat, y, sigma, reduction="sum"), expected.sum(), rtol=1e-13
        )

    def test_is_scaled_mse_plus_constant(self):
        # mean NLL = MSE / (2 sigma^2) + log(2 pi sigma^2) / 2 for a fixed sigma
        rng = np.random.default_rng(2)
        y_hat, y = rng.normal(size=30), rng.normal(size=30)
        for sigma in (0.3, 1.0, 4.0):
            expected = mse(y_hat, y) / (2 * sigma**2) + 0.5 * np.log(2 * np.pi * sigma**2)
            np.testing.assert_allclose(gaussian_nll(y_hat, y, sigma), expected, rtol=1e-13)

    def test_matches_mpmath_far_from_mean(self):
        # 0.5 * (1e4)^2 + log(1e-3) + log(2 pi)/2, in 50-digit arithmetic
        with mpmath.workdps(50):
            exact = (
                mpmath.mpf(10) ** 8 / 2
                + mpmath.log(mpmath.mpf("0.001"))
                + mpmath.log(2 * mpmath.pi) / 2
            )
        value = gaussian_nll([0.0], [10.0], sigma=0.001, reduction="sum")
        np.testing.assert_allclose(value, float(exact), rtol=1e-15)  # a few roundings

    @pytest.mark.torch
    def test_matches_torch_full(self):
        torch = pytest.importorskip("torch")
        rng = np.random.default_rng(3)
        y_hat, y = rng.normal(size=20), rng.normal(size=20)
        var = rng.uniform(0.2, 3.0, size=20)
        expected = torch.nn.functional.gaussian_nll_loss(
            torch.tensor(y_hat), torch.tensor(y), torch.tensor(var), full=True
        ).item()
        np.testing.assert_allclose(gaussian_nll(y_hat, y, np.sqrt(var)), expected, rtol=1e-12)

    def test_float32_in_float32_out(self):
        out = gaussian_nll(np.float32([0.5, 1.0]), np.float32([1.0, 1.0]))
        assert out.dtype == np.float32
        # float32 result of a float64-accurate value: within float32 rounding (6e-8) times a few
        np.testing.assert_allclose(out, gaussian_nll([0.5, 1.0], [1.0, 1.0]), rtol=1e-6)
        none = gaussian_nll(np.float32([0.5]), np.float32([1.0]), reduction="none")
        assert none.dtype == np.float32

    def test_bad_inputs(self):
        with pytest.raises(ValueError, match=r"^gaussian_nll: sigma must be positive .*-1"):
            gaussian_nll([0.0], [1.0], sigma=-1.0)
        with pytest.raises(ValueError, match=r"^gaussian_nll: sigma must be positive .*0"):
            gaussian_nll([0.0], [1.0], sigma=0.0)
        with pytest.raises(ValueError, match=r"^gaussian_nll: input and target .*shape"):
            gaussian_nll([0.0, 1.0], [1.0])
        with pytest.raises(ValueError, match=r"^gaussian_nll: reduction .*'avg'"):
            gaussian_nll([0.0], [1.0], reduction="avg")
        with pytest.raises(ValueError, match=r"^gaussian_nll: target must be finite"):
            gaussian_nll([0.0], [np.nan])
        with pytest.raises(ValueError, match=r"^gaussian_nll: sigma of shape \(3,\)"):
            gaussian_nll([0.0, 1.0], [1.0, 1.0], sigma=[1.0, 1.0, 1.0])
        with pytest.raises(TypeError, match=r"^gaussian_nll: input"):
            gaussian_nll(["a"], [1.0])


class TestGaussianLogpdf:
    def test_matches_scipy(self):
        x = np.linspace(-30, 30, 61)
        # scipy computes the same closed form: agreement to a few ulps
        np.testing.assert_allclose(
            gaussian_logpdf(x, 1.5, 2.5), stats.norm.logpdf(x, 1.5, 2.5), rtol=1e-14
        )

    def test_broadcasts_parameters(self):
        out = gaussian_logpdf(np.zeros(4), np.array([[0.0], [1.0]]), 1.0)
        assert out.shape == (2, 4)
        # row 1: -1/2 - log(2 pi)/2, by hand
        np.testing.assert_allclose(out[1], -0.5 - 0.5 * np.log(2 * np.pi), rtol=1e-15)

    def test_float32(self):
        assert gaussian_logpdf(np.float32([0.0, 1.0]), 0.0, 1.0).dtype == np.float32

    def test_bad_sigma(self):
        with pytest.raises(ValueError, match=r"^gaussian_logpdf: sigma must be positive"):
            gaussian_logpdf(0.0, 0.0, [1.0, -2.0])
        with pytest.raises(ValueError, match=r"^gaussian_logpdf: x, mu and sigma .*broadcast"):
            gaussian_logpdf(np.zeros(3), np.zeros(2))


class TestGaussianMixtureLogpdf:
    def test_matches_direct_sum_where_it_does_not_underflow(self):
        x = np.linspace(-6, 6, 101)
        w, m, s = np.array([0.2, 0.5, 0.3]), np.array([-2.0, 0.0, 3.0]), np.array([0.5, 1.0, 2.0])
        direct = np.log(
            sum(wk * stats.norm.pdf(x, mk, sk) for wk, mk, sk in zip(w, m, s, strict=True))
        )
        np.testing.assert_allclose(gaussian_mixture_logpdf(x, w, m, s), direct, rtol=1e-13)

    def test_far_tail_stays_finite_and_exact(self):
        # At x = 60 the component N(2, 1) dominates by e^{-(58^2 - 62^2)/2} = e^{240}; the answer
        # is log(0.5) - 58^2 / 2 - log(2 pi)/2 to within e^-240 relative.
        value = gaussian_mixture_logpdf(60.0, [0.5, 0.5], [-2.0, 2.0], [1.0, 1.0])
        expected = np.log(0.5) - 58.0**2 / 2 - 0.5 * np.log(2 * np.pi)
        np.testing.assert_allclose(value, expected, rtol=1e-15)
        with np.errstate(divide="ignore"):
            assert np.log(0.5 * stats.norm.pdf(60.0, 2.0, 1.0)) == -np.inf  # the naive way

    def test_zero_weight_component_ignored(self):
        out = gaussian_mixture_logpdf([0.0, 1.0], [1.0, 0.0], [0.0, 5.0], [1.0, 1.0])
        np.testing.assert_allclose(out, stats.norm.logpdf([0.0, 1.0]), rtol=1e-14)

    def test_bad_inputs(self):
        with pytest.raises(ValueError, match=r"^gaussian_mixture_logpdf: weights must sum to 1"):
            gaussian_mixture_logpdf(0.0, [0.5, 0.6], [0.0, 1.0], [1.0, 1.0])
        with pytest.raises(ValueError, match=r"^gaussian_mixture_logpdf: weights must be finite"):
            gaussian_mixture_logpdf(0.0, [1.5, -0.5], [0.0, 1.0], [1.0, 1.0])
        with pytest.raises(ValueError, match=r"^gaussian_mixture_logpdf: .*means of shape \(3,\)"):
            gaussian_mixture_logpdf(0.0, [0.5, 0.5], [0.0, 1.0, 2.0], [1.0, 1.0])
        with pytest.raises(ValueError, match=r"^gaussian_mixture_logpdf: sigmas must be positive"):
            gaussian_mixture_logpdf(0.0, [0.5, 0.5], [0.0, 1.0], [1.0, 0.0])


class TestKlDivergenceOnGrid:
    def test_two_gaussians_closed_form(self):
        # KL(N(m1, s1^2) || N(m2, s2^2)) = log(s2/s1) + (s1^2 + (m1 - m2)^2) / (2 s2^2) - 1/2
        x = np.linspace(-20, 20, 4001)
        for (m1, s1), (m2, s2) in [((0, 1), (1, 2)), ((1, 2), (0, 1)), ((-1, 0.5), (2, 1.5))]:
            exact = np.log(s2 / s1) + (s1**2 + (m1 - m2) ** 2) / (2 * s2**2) - 0.5
            value = kl_divergence_on_grid(gaussian_logpdf(x, m1, s1), gaussian_logpdf(x, m2, s2))
            # the grid sum of a smooth integrand on a wide, fine grid: error far below 1e-9
            np.testing.assert_allclose(value, exact, rtol=1e-9)

    def test_equals_discrete_kl_of_normalized_grid_values(self):
        rng = np.random.default_rng(4)
        lp, lq = rng.normal(size=30), rng.normal(size=30)
        p, q = np.exp(lp) / np.exp(lp).sum(), np.exp(lq) / np.exp(lq).sum()
        # kl_divergence uses a cancellation-free formula; the direct sum loses ~1e-15 absolute
        np.testing.assert_allclose(kl_divergence_on_grid(lp, lq), kl_divergence(p, q), rtol=1e-12)

    def test_unnormalized_and_shifted_logs_give_same_value(self):
        rng = np.random.default_rng(5)
        lp, lq = rng.normal(size=20), rng.normal(size=20)
        np.testing.assert_allclose(
            kl_divergence_on_grid(lp + 700.0, lq - 900.0), kl_divergence_on_grid(lp, lq), rtol=1e-12
        )

    def test_batch_of_candidates(self):
        rng = np.random.default_rng(6)
        lp, lq = rng.normal(size=10), rng.normal(size=(3, 10))
        out = kl_divergence_on_grid(lp, lq)
        assert out.shape == (3,)
        for k in range(3):
            np.testing.assert_allclose(out[k], kl_divergence_on_grid(lp, lq[k]), rtol=1e-15)

    def test_zero_density_conventions(self):
        lp = np.array([0.0, -np.inf, 0.0])
        assert kl_divergence_on_grid(lp, np.array([0.0, 0.0, -np.inf])) == np.inf
        # p = (1/2, 0, 1/2), q = (1/3, 1/3, 1/3): KL = log(3/2) exactly
        np.testing.assert_allclose(kl_divergence_on_grid(lp, np.zeros(3)), np.log(1.5), rtol=1e-15)

    def test_bad_inputs(self):
        with pytest.raises(ValueError, match=r"^kl_divergence_on_grid: log_p must hold .*nan"):
            kl_divergence_on_grid([0.0, np.nan], [0.0, 0.0])
        with pytest.raises(ValueError, match=r"^kl_divergence_on_grid: log_q is -inf at every"):
            kl_divergence_on_grid([0.0, 0.0], [-np.inf, -np.inf])
        with pytest.raises(ValueError, match=r"^kl_divergence_on_grid: .*same grid"):
            kl_divergence_on_grid([0.0, 0.0], [0.0, 0.0, 0.0])


class TestFitGaussianKl:
    x = np.linspace(-12.0, 12.0, 1201)

    def test_forward_fit_matches_moments(self):
        # The forward-KL minimizer over Gaussians matches the mean and variance of p. Mixture
        # 0.7 N(-2, 0.6^2) + 0.3 N(2, 0.6^2): mean -0.8, variance 0.36 + 0.7*0.3*4^2 = 3.72.
        lp = gaussian_mixture_logpdf(self.x, [0.7, 0.3], [-2.0, 2.0], [0.6, 0.6])
        fit = fit_gaussian_kl(self.x, lp, "forward")
        assert isinstance(fit, GaussianFit)
        # grid discretization error of the moments is ~1e-7 at this spacing
        np.testing.assert_allclose(fit.mu, -0.8, atol=1e-6)
        np.testing.assert_allclose(fit.sigma, np.sqrt(3.72), rtol=1e-6)
        # and the reported divergence is the grid KL at the reported parameters
        again = kl_divergence_on_grid(lp, gaussian_logpdf(self.x, fit.mu, fit.sigma))
        np.testing.assert_allclose(fit.divergence, again, rtol=1e-12)

    def test_reverse_fit_seeks_the_heavier_mode(self):
        # Well-separated modes: a q on one mode pays about -log w_k, so the heavier mode wins.
        lp = gaussian_mixture_logpdf(self.x, [0.7, 0.3], [-2.0, 2.0], [0.6, 0.6])
        fit = fit_gaussian_kl(self.x, lp, "reverse")
        np.testing.assert_allclose(fit.mu, -2.0, atol=0.01)  # the other mode pulls it slightly
        np.testing.assert_allclose(fit.sigma, 0.6, atol=0.01)
        np.testing.assert_allclose(fit.divergence, -np.log(0.7), atol=0.002)
        # it is a minimum: nearby parameters do worse
        for dm, ds in [(0.05, 0), (-0.05, 0), (0, 0.05), (0, -0.05)]:
            lq = gaussian_logpdf(self.x, fit.mu + dm, fit.sigma + ds)
            assert kl_divergence_on_grid(lq, lp) > fit.divergence

    def test_recovers_a_gaussian_target_both_ways(self):
        lp = gaussian_logpdf(self.x, 1.25, 0.8)
        for direction in ("forward", "reverse"):
            fit = fit_gaussian_kl(self.x, lp, direction)
            np.testing.assert_allclose([fit.mu, fit.sigma], [1.25, 0.8], atol=1e-6)
            assert fit.divergence < 1e-10

    def test_reverse_fit_is_the_global_minimum(self):
        # Was test_deterministic, which compared the pure function with itself. Instead, an
        # independent optimizer: scipy's Nelder-Mead on the same objective from three starts
        # (each mode and a point between). Its best minimum (mu ~ -1.953, sigma ~ 1.788, closer
        # than the narrow mode at 1, whose local minimum is 0.684) is the one the grid search must
        # find, to the search's resolution.
        lp = gaussian_mixture_logpdf(self.x, [0.5, 0.5], [-3.0, 1.0], [1.0, 0.5])
        fit = fit_gaussian_kl(self.x, lp, "reverse")

        def objective(v):
            return kl_divergence_on_grid(gaussian_logpdf(self.x, v[0], np.exp(v[1])), lp)

        options = {"xatol": 1e-10, "fatol": 1e-14, "maxiter": 2000}
        runs = [
            optimize.minimize(objective, [m0, np.log(s0)], method="Nelder-Mead", options=options)
            for m0, s0 in ((-3.0, 1.0), (1.0, 0.5), (-1.0, 2.0))
        ]
        best = min(runs, key=lambda r: r.fun)
        assert max(r.fun for r in runs) > best.fun + 0.05  # there is a worse local minimum
        np.testing.assert_allclose([fit.mu, fit.sigma], [best.x[0], np.exp(best.x[1])], atol=1e-6)
        # Both are minima of a smooth function: their values agree far more closely.
        assert abs(fit.divergence - best.fun) <= 1e-12

    def test_bad_inputs(self):
        lp = gaussian_logpdf(self.x)
        with pytest.raises(ValueError, match=r"^fit_gaussian_kl: direction .*'both'"):
            fit_gaussian_kl(self.x, lp, "both")
        with pytest.raises(ValueError, match=r"^fit_gaussian_kl: x must be a uniform"):
            fit_gaussian_kl(self.x**3, lp)
        with pytest.raises(ValueError, match=r"^fit_gaussian_kl: log_p must have the shape"):
            fit_gaussian_kl(self.x, lp[:-1])
        with pytest.raises(ValueError, match=r"^fit_gaussian_kl: num must be at least 5, got 3"):
            fit_gaussian_kl(self.x, lp, num=3)
        with pytest.raises(TypeError, match=r"^fit_gaussian_kl: rounds must be an integer"):
            fit_gaussian_kl(self.x, lp, rounds=2.5)


def test_entropy_of_empirical_is_minimum_mean_nll():
    # Gibbs: H(f, q) >= H(f) with equality at q = f; check on random candidates.
    rng = np.random.default_rng(7)
    labels = rng.integers(0, 4, size=100)
    f = empirical_distribution(labels, 4)
    candidates = rng.dirichlet(np.ones(4), size=500)
    assert (cross_entropy_pq(np.broadcast_to(f, candidates.shape), candidates) >= entropy(f)).all()
