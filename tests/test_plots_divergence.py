"""Tests of the figures of the KL-divergence and maximum-likelihood chapters, on the data drawn."""

import matplotlib.pyplot as plt
import numpy as np
import pytest
from scipy import stats

from xentbook.book import fit_gaussian_kl, gaussian_mixture_logpdf
from xentbook.plots import (
    plot_cross_entropy_vs_q,
    plot_decomposition_bars,
    plot_k3_gradient_gap,
    plot_kl_asymmetry,
    plot_kl_estimator_spread,
    plot_kl_estimators,
    plot_kl_fits,
    plot_kl_float32_errors,
    plot_kl_landscape,
    plot_kl_near_p,
    plot_log_bound,
    plot_nll_curve,
    plot_pinsker,
    plot_stein_exponents,
)


class TestPlotLogBound:
    def test_curves(self):
        x = np.linspace(0.1, 3.0, 30)
        ax = plot_log_bound(x)
        np.testing.assert_allclose(ax.lines[0].get_ydata(), np.log(x), rtol=1e-15)
        np.testing.assert_allclose(ax.lines[1].get_ydata(), x - 1, rtol=1e-15)
        # the bound drawn holds: log x <= x - 1 at every plotted point
        assert (ax.lines[0].get_ydata() <= ax.lines[1].get_ydata()).all()

    def test_draws_on_given_axes(self):
        _, ax = plt.subplots()
        assert plot_log_bound(ax=ax) is ax

    def test_bad_x(self):
        with pytest.raises(ValueError, match=r"^plot_log_bound: x must be .*positive"):
            plot_log_bound([0.0, 1.0])


class TestPlotKlFits:
    def test_draws_target_and_both_fits(self):
        x = np.linspace(-12.0, 12.0, 1201)
        lp = gaussian_mixture_logpdf(x, [0.7, 0.3], [-2.0, 2.0], [0.6, 0.6])
        fwd, rev = fit_gaussian_kl(x, lp, "forward"), fit_gaussian_kl(x, lp, "reverse")
        ax = plot_kl_fits(x, lp, fwd, rev)
        target = 0.7 * stats.norm.pdf(x, -2, 0.6) + 0.3 * stats.norm.pdf(x, 2, 0.6)
        # densities from exp(log) against scipy's direct pdf: a few ulps of relative error
        np.testing.assert_allclose(ax.lines[0].get_ydata(), target, rtol=1e-12, atol=1e-300)
        np.testing.assert_allclose(
            ax.lines[1].get_ydata(), stats.norm.pdf(x, fwd.mu, fwd.sigma), rtol=1e-12, atol=1e-300
        )
        np.testing.assert_allclose(
            ax.lines[2].get_ydata(), stats.norm.pdf(x, rev.mu, rev.sigma), rtol=1e-12, atol=1e-300
        )

    def test_legend_writes_the_fitted_values_in_math(self):
        # inside $...$ a negative mean gets a typographic minus, not a hyphen
        x = np.linspace(-3.0, 3.0, 7)
        ax = plot_kl_fits(x, np.full(7, -np.log(6.0)), (-0.4, 2.0494), (-1.9977, 0.604))
        labels = [line.get_label() for line in ax.lines]
        assert labels[1].endswith(r"$\mu = -0.400$, $\sigma = 2.049$")
        assert labels[2].endswith(r"$\mu = -1.998$, $\sigma = 0.604$")

    def test_view_drops_the_empty_tails(self):
        x = np.linspace(-12.0, 12.0, 1201)
        lp = gaussian_mixture_logpdf(x, [0.5, 0.5], [-2.0, 2.0], [0.5, 0.5])
        ax = plot_kl_fits(x, lp, (0.0, 2.0), (-2.0, 0.5))
        lo, hi = ax.get_xlim()
        # N(0, 2^2) falls below 1e-3 of the tallest peak (0.80) beyond |x| = 6.6; margin 5%
        assert -10 < lo < -5 and 5 < hi < 10

    def test_accepts_plain_tuples(self):
        x = np.linspace(-3, 3, 7)
        ax = plot_kl_fits(x, np.zeros(7) - np.log(6.0), (0.0, 1.0), (1.0, 0.5))
        np.testing.assert_allclose(ax.lines[2].get_ydata(), stats.norm.pdf(x, 1.0, 0.5), rtol=1e-12)

    def test_shape_mismatch(self):
        with pytest.raises(ValueError, match=r"^plot_kl_fits: x and log_p"):
            plot_kl_fits([0.0, 1.0], [0.0], (0, 1), (0, 1))


class TestPlotCrossEntropyVsQ:
    def test_curves_levels_and_minima(self):
        q = np.linspace(0.01, 0.99, 99)
        ax = plot_cross_entropy_vs_q([0.2, 0.8], q=q)
        assert len(ax.lines) == 6
        for k, t in enumerate([0.2, 0.8]):
            direct = -t * np.log(q) - (1 - t) * np.log1p(-q)  # binary H(t, q) by hand
            np.testing.assert_allclose(ax.lines[3 * k].get_ydata(), direct, rtol=1e-13)
            h = -t * np.log(t) - (1 - t) * np.log(1 - t)
            np.testing.assert_allclose(ax.lines[3 * k + 1].get_ydata(), h, rtol=1e-14)
            np.testing.assert_allclose(ax.lines[3 * k + 2].get_xdata(), [t])
            np.testing.assert_allclose(ax.lines[3 * k + 2].get_ydata(), [h], rtol=1e-14)
            # the drawn curve never dips below its marked minimum
            assert ax.lines[3 * k].get_ydata().min() >= h - 1e-15

    def test_bad_targets(self):
        with pytest.raises(ValueError, match=r"^plot_cross_entropy_vs_q: targets .*1.5"):
            plot_cross_entropy_vs_q([1.5])
        with pytest.raises(ValueError, match=r"^plot_cross_entropy_vs_q: q must be"):
            plot_cross_entropy_vs_q([0.2], q=[0.0, 0.5])


class TestPlotNllCurve:
    def test_nll_and_log_less_loss(self):
        labels = np.array([1, 1, 0, 1, 0, 1, 1, 0, 1, 1])  # 7 ones out of 10
        th = np.linspace(0.05, 0.95, 19)
        ax = plot_nll_curve(labels, theta=th)
        direct = -np.mean(
            labels[:, None] * np.log(th) + (1 - labels[:, None]) * np.log1p(-th), axis=0
        )
        np.testing.assert_allclose(ax.lines[0].get_ydata(), direct, rtol=1e-13)
        np.testing.assert_allclose(ax.lines[1].get_xdata(), [0.7])
        h = -0.7 * np.log(0.7) - 0.3 * np.log(0.3)
        np.testing.assert_allclose(ax.lines[1].get_ydata(), [h], rtol=1e-14)
        # the log-less loss: minus the mean probability given to the observed labels
        q_of_y = np.where(labels[:, None] == 1, th, 1 - th)
        np.testing.assert_allclose(ax.lines[2].get_ydata(), -q_of_y.mean(axis=0), rtol=1e-13)
        np.testing.assert_allclose(ax.lines[3].get_xdata(), [1.0])
        np.testing.assert_allclose(ax.lines[3].get_ydata(), [-0.7], rtol=1e-15)

    def test_without_log_off(self):
        ax = plot_nll_curve([0, 0, 1], without_log=False)
        # lines: the curve, its minimum, and the vertical guide at the frequency
        assert len(ax.lines) == 3
        np.testing.assert_allclose(ax.lines[1].get_xdata(), [1 / 3])

    def test_bad_labels(self):
        with pytest.raises(ValueError, match=r"^plot_nll_curve: labels must be .*0s and 1s"):
            plot_nll_curve([0, 2])
        with pytest.raises(ValueError, match=r"^plot_nll_curve: theta must be"):
            plot_nll_curve([0, 1], theta=[0.5, 1.0])


class TestPlotDecompositionBars:
    def test_segments_are_entropy_and_divergence(self):
        p = np.array([0.5, 0.25, 0.125, 0.125])
        models = {"uniform": np.full(4, 0.25), "reversed": np.array([0.125, 0.125, 0.25, 0.5])}
        ax = plot_decomposition_bars(p, models)
        # H(p) = 1.75 bits; uniform: H(p, q) = 2 bits; reversed: by hand,
        # 0.5 * 3 + 0.25 * 3 + 0.125 * 2 + 0.125 * 1 = 2.625 bits
        widths_h = [patch.get_width() for patch in ax.containers[0].patches]
        widths_kl = [patch.get_width() for patch in ax.containers[1].patches]
        np.testing.assert_allclose(widths_h, [1.75, 1.75], rtol=1e-15)
        np.testing.assert_allclose(widths_kl, [0.25, 0.875], rtol=1e-14)
        lefts = [patch.get_x() for patch in ax.containers[1].patches]
        np.testing.assert_allclose(lefts, [1.75, 1.75], rtol=1e-15)

    def test_infinite_divergence_refused(self):
        with pytest.raises(ValueError, match=r"^plot_decomposition_bars: the model 'sure'"):
            plot_decomposition_bars([0.5, 0.5], {"sure": [1.0, 0.0]})


class TestPlotPinsker:
    def test_points_and_bounds(self):
        kl, tv = np.array([0.1, 0.5, 4.0]), np.array([0.2, 0.4, 0.9])
        ax = plot_pinsker(kl, tv)
        np.testing.assert_array_equal(ax.collections[0].get_offsets(), np.c_[kl, tv])
        grid = ax.lines[0].get_xdata()
        assert grid[0] == 0.0 and grid[-1] == 4.0
        np.testing.assert_allclose(ax.lines[0].get_ydata(), np.sqrt(grid / 2), rtol=1e-15)
        np.testing.assert_allclose(ax.lines[1].get_ydata(), np.sqrt(1 - np.exp(-grid)), rtol=1e-12)
        # the coin pairs (1/2, 1/2 + delta): D by the two-term definition, TV = delta
        d_coin, delta = ax.lines[2].get_xdata(), ax.lines[2].get_ydata()
        by_hand = 0.5 * np.log(0.5 / (0.5 + delta)) + 0.5 * np.log(0.5 / (0.5 - delta))
        np.testing.assert_allclose(d_coin, by_hand, rtol=1e-12, atol=1e-15)
        assert d_coin.max() <= 4.0 and (delta <= np.sqrt(d_coin / 2) + 1e-15).all()
        assert ax.lines[2].get_label().endswith(r"($\mathrm{TV} = \delta$)")

    def test_bad_input(self):
        with pytest.raises(ValueError, match=r"^plot_pinsker: kl must hold finite"):
            plot_pinsker([np.inf], [0.5])
        with pytest.raises(ValueError, match=r"^plot_pinsker: kl and tv"):
            plot_pinsker([0.1, 0.2], [0.5])


class TestPlotKlNearP:
    def test_full_support_and_one_hot(self):
        t = np.array([1e-3, 1e-2, 1e-1])
        p, d = np.array([0.5, 0.3, 0.2]), np.array([1.0, -0.5, -0.5])
        ax = plot_kl_near_p([("full", p, d), ("one-hot", [1.0, 0.0, 0.0], [-1.0, 0.5, 0.5])], t=t)
        assert len(ax.lines) == 3  # full: curve and quadratic; one-hot: curve only
        q = p + t[:, None] * d
        by_hand = np.sum(p * np.log(p / q), axis=1)
        np.testing.assert_allclose(ax.lines[0].get_ydata(), by_hand, rtol=1e-10)
        quad = 0.5 * t**2 * (1 / 0.5 + 0.25 / 0.3 + 0.25 / 0.2)
        np.testing.assert_allclose(ax.lines[1].get_ydata(), quad, rtol=1e-14)
        # one-hot target: D = -log(1 - t), of order t
        np.testing.assert_allclose(ax.lines[2].get_ydata(), -np.log1p(-t), rtol=1e-14)

    def test_direction_must_sum_to_zero(self):
        with pytest.raises(ValueError, match=r"^plot_kl_near_p: the direction of 'bad'"):
            plot_kl_near_p([("bad", [0.5, 0.5], [1.0, 0.0])])


class TestPlotKlAsymmetry:
    def test_both_directions(self):
        b = np.array([0.1, 0.5, 0.9])
        ax = plot_kl_asymmetry(0.2, b)
        # Bernoulli KL by the two-term closed form
        fwd = 0.2 * np.log(0.2 / b) + 0.8 * np.log(0.8 / (1 - b))
        rev = b * np.log(b / 0.2) + (1 - b) * np.log((1 - b) / 0.8)
        np.testing.assert_allclose(ax.lines[0].get_ydata(), fwd, rtol=1e-13)
        np.testing.assert_allclose(ax.lines[1].get_ydata(), rev, rtol=1e-13)

    def test_bad_a(self):
        with pytest.raises(ValueError, match=r"^plot_kl_asymmetry: a must lie"):
            plot_kl_asymmetry(1.0)


class TestPlotKlLandscape:
    def test_marks_minima_and_checks_shape(self):
        mu, sigma = np.linspace(-1, 1, 5), np.geomspace(0.5, 2, 4)
        values = mu[:, None] ** 2 + np.log(sigma)[None, :] ** 2
        ax = plot_kl_landscape(mu, sigma, values, [(0.0, 1.0, 0.0), (0.5, 0.7, 0.4)])
        np.testing.assert_array_equal(ax.collections[-1].get_offsets(), [[0.0, 1.0], [0.5, 0.7]])
        assert ax.get_yscale() == "log"
        assert [lab.get_text() for lab in ax.get_yticklabels()] == ["0.5", "1", "2"]
        np.testing.assert_allclose(ax.get_yticks(), [0.5, 1.0, 2.0])
        with pytest.raises(ValueError, match=r"^plot_kl_landscape: values must have shape"):
            plot_kl_landscape(mu, sigma, values.T)

    def test_colour_bar_has_round_ticks_inside_the_levels(self):
        mu, sigma = np.linspace(-1, 1, 5), np.geomspace(0.5, 2, 4)
        values = 0.51 + mu[:, None] ** 2 + np.log(sigma)[None, :] ** 2
        ax = plot_kl_landscape(mu, sigma, values)
        colour_bar = ax.figure.axes[-1]
        # levels run from min(values) to min + 0.05 * 1.45**11 = min + 2.979
        lowest = values.min()
        np.testing.assert_allclose(colour_bar.get_yticks(), [0.6, 0.8, 1.0, 1.5, 2.0, 3.0])
        assert lowest < 0.6 and lowest + 0.05 * 1.45**11 > 3.0
        labels = [t.get_text() for t in colour_bar.get_yticklabels()]
        assert labels == ["0.6", "0.8", "1", "1.5", "2", "3"]


class TestPlotKlEstimators:
    def test_three_estimators(self):
        log_r = np.array([-2.0, -0.5, 0.0, 0.5, 2.0])
        ax = plot_kl_estimators(log_r)
        r = np.exp(log_r)  # the definitions, from r itself
        np.testing.assert_allclose(ax.lines[0].get_ydata(), -np.log(r), rtol=1e-15)
        np.testing.assert_allclose(ax.lines[1].get_ydata(), 0.5 * np.log(r) ** 2, rtol=1e-15)
        np.testing.assert_allclose(ax.lines[2].get_ydata(), r - 1 - np.log(r), rtol=1e-13)
        assert (ax.lines[2].get_ydata() >= 0).all()

    def test_bad_grid(self):
        with pytest.raises(ValueError, match=r"^plot_kl_estimators: log_r must be"):
            plot_kl_estimators([0.0, np.inf])


class TestPlotKlFloat32Errors:
    def test_relative_errors(self):
        d = np.array([1e-9, 1e-6, 1e-3])
        estimates = {"a": [-2e-9, 1.5e-6, 1e-3], "b": [1.1e-9, 1e-6, 0.9e-3]}
        ax = plot_kl_float32_errors(d, estimates)
        # |estimate - D| / D by hand; an exact value is floored at 1e-9
        np.testing.assert_allclose(ax.lines[0].get_ydata(), [3.0, 0.5, 1e-9], rtol=1e-12)
        np.testing.assert_allclose(ax.lines[1].get_ydata(), [0.1, 1e-9, 0.1], rtol=1e-9)
        np.testing.assert_allclose(ax.lines[0].get_xdata(), d, rtol=0)
        assert ax.lines[2].get_ydata()[0] == 1.0  # the level of an error as large as D
        assert ax.get_xscale() == ax.get_yscale() == "log"

    def test_draws_on_given_axes(self):
        _, ax = plt.subplots()
        assert plot_kl_float32_errors([1e-3, 1e-2], {"x": [1e-3, 1e-2]}, ax=ax) is ax

    def test_bad_input(self):
        with pytest.raises(ValueError, match=r"^plot_kl_float32_errors: divergences must be"):
            plot_kl_float32_errors([0.0, 1.0], {"x": [0.0, 1.0]})
        with pytest.raises(ValueError, match=r"^plot_kl_float32_errors: estimates must be a dict"):
            plot_kl_float32_errors([1.0, 2.0], [1.0, 2.0])
        with pytest.raises(ValueError, match=r"^plot_kl_float32_errors: estimates\['x'\] must"):
            plot_kl_float32_errors([1.0, 2.0], {"x": [1.0]})


class TestPlotKlEstimatorSpread:
    def test_histograms_and_divergence_line(self):
        rng = np.random.default_rng(0)
        means = {"k1": rng.normal(0.5, 0.2, 400), "k3": rng.normal(0.5, 0.05, 400)}
        panels = plot_kl_estimator_spread({"a": (0.5, means), "b": (0.4, means)}, bins=20)
        assert len(panels) == 2
        pooled = np.concatenate(list(means.values()))
        edges = np.linspace(pooled.min(), pooled.max(), 21)  # shared bins, by hand
        for panel, divergence in zip(panels, (0.5, 0.4), strict=True):
            for patch, values in zip(panel.patches, means.values(), strict=True):
                heights, drawn_edges = patch.get_data().values, patch.get_data().edges
                np.testing.assert_allclose(drawn_edges, edges, rtol=1e-15)
                counts = np.histogram(values, bins=edges)[0]
                np.testing.assert_allclose(heights, counts / (400 * np.diff(edges)), rtol=1e-12)
                np.testing.assert_allclose(np.sum(heights * np.diff(edges)), 1.0, rtol=1e-12)
            assert panel.lines[0].get_xdata()[0] == divergence

    def test_bad_input(self):
        with pytest.raises(ValueError, match=r"^plot_kl_estimator_spread: results must be"):
            plot_kl_estimator_spread({})
        with pytest.raises(ValueError, match=r"^plot_kl_estimator_spread: bins must be"):
            plot_kl_estimator_spread({"a": (0.1, {"k1": [0.0, 1.0]})}, bins=0)


class TestPlotSteinExponents:
    def test_draws_each_curve_and_its_limit(self):
        ns = [10, 100, 1000]
        curves = {"a": ([0.05, 0.15, 0.19], 0.223), "b": ([0.1, 0.13, 0.17], 0.193)}
        ax = plot_stein_exponents(ns, curves)
        assert len(ax.lines) == 4
        np.testing.assert_array_equal(ax.lines[0].get_xdata(), ns)
        np.testing.assert_array_equal(ax.lines[0].get_ydata(), [0.05, 0.15, 0.19])
        np.testing.assert_array_equal(ax.lines[1].get_ydata(), [0.223, 0.223])
        np.testing.assert_array_equal(ax.lines[1].get_xdata(), [10, 1000])
        np.testing.assert_array_equal(ax.lines[2].get_ydata(), [0.1, 0.13, 0.17])
        np.testing.assert_array_equal(ax.lines[3].get_ydata(), [0.193, 0.193])
        assert ax.get_xscale() == "log"
        assert r"\beta^{\mathrm{LR}}_n" in ax.get_ylabel()
        plt.close(ax.figure)

    def test_rejects_bad_input(self):
        with pytest.raises(ValueError, match="positive"):
            plot_stein_exponents([0, 10], {"a": ([0.1, 0.2], 0.3)})
        with pytest.raises(ValueError, match="one or two"):
            plot_stein_exponents([1, 10], {})
        with pytest.raises(ValueError, match="shape of ns"):
            plot_stein_exponents([1, 10], {"a": ([0.1], 0.3)})
        plt.close("all")


class TestPlotK3GradientGap:
    @staticmethod
    def _by_finite_differences(z, z_ref):
        # Gradients of D(p || q) and D(q || p) in the policy's logits by central differences of
        # the divergences summed directly, p = softmax(z), q = softmax(z_ref) held fixed.
        def softmax(v):
            e = np.exp(v - v.max())
            return e / e.sum()

        def d_pq(v):
            p, q = softmax(v), softmax(z_ref)
            return np.sum(p * np.log(p / q))

        def d_qp(v):
            p, q = softmax(v), softmax(z_ref)
            return np.sum(q * np.log(q / p))

        step, eye = 1e-6, np.eye(z.size)
        grad_pq = np.array([(d_pq(z + step * e) - d_pq(z - step * e)) / (2 * step) for e in eye])
        grad_qp = np.array([(d_qp(z + step * e) - d_qp(z - step * e)) / (2 * step) for e in eye])
        gap = np.linalg.norm(grad_qp - grad_pq) / np.linalg.norm(grad_pq)
        return d_pq(z), gap

    def test_path_and_point_against_finite_differences(self):
        z, z_ref = np.array([1.0, 0.5, 0.0, -0.5, -1.0]), np.array([0.0, 0.5, 1.0, 0.0, -1.0])
        scales = np.array([0.03, 0.3, 1.0, 2.0])
        ax = plot_k3_gradient_gap(z, z_ref, scales=scales)
        expected = np.array([self._by_finite_differences(z, z + s * (z_ref - z)) for s in scales])
        np.testing.assert_allclose(ax.lines[0].get_xdata(), expected[:, 0], rtol=1e-12)
        np.testing.assert_allclose(ax.lines[0].get_ydata(), expected[:, 1], rtol=1e-5)
        np.testing.assert_allclose(ax.lines[1].get_xdata(), expected[2:3, 0], rtol=1e-12)
        np.testing.assert_allclose(ax.lines[1].get_ydata(), expected[2:3, 1], rtol=1e-5)
        assert ax.get_xscale() == ax.get_yscale() == "log"
        plt.close(ax.figure)

    def test_directions_are_centred_and_scaled_to_the_same_logit_distance(self):
        z, z_ref = np.array([0.2, -0.1, 0.4]), np.array([1.2, -0.1, 0.4])
        directions = np.array([[3.0, 5.0, 4.0], [0.0, 0.0, -7.0]])
        ax = plot_k3_gradient_gap(z, z_ref, directions, scales=[0.1, 1.0])
        assert len(ax.lines) == 4
        length = np.linalg.norm([2 / 3, -1 / 3, -1 / 3])  # the centred step (1, 0, 0)
        for k, h in enumerate(directions):
            centred = h - h.mean()
            h_scaled = centred * length / np.linalg.norm(centred)
            expected = [self._by_finite_differences(z, z + s * h_scaled) for s in (0.1, 1.0)]
            np.testing.assert_allclose(
                ax.lines[2 + k].get_xdata(), np.array(expected)[:, 0], rtol=1e-12
            )
            np.testing.assert_allclose(
                ax.lines[2 + k].get_ydata(), np.array(expected)[:, 1], rtol=1e-5
            )
        plt.close(ax.figure)

    def test_relative_gap_is_proportional_to_the_logit_distance(self):
        ax = plot_k3_gradient_gap([0.5, 0.0, -0.5], [0.0, 0.3, 0.0], scales=[1e-3, 1e-2])
        gaps = ax.lines[0].get_ydata()
        np.testing.assert_allclose(gaps[1] / gaps[0], 10.0, rtol=0.01)
        plt.close(ax.figure)

    def test_rejects_bad_input(self):
        with pytest.raises(ValueError, match=r"^plot_k3_gradient_gap: z_reference must differ"):
            plot_k3_gradient_gap([0.0, 1.0], [2.0, 3.0])
        with pytest.raises(ValueError, match=r"^plot_k3_gradient_gap: directions must have"):
            plot_k3_gradient_gap([0.0, 1.0], [1.0, 0.0], [[1.0, 2.0, 3.0]])
        with pytest.raises(ValueError, match=r"^plot_k3_gradient_gap: scales must be"):
            plot_k3_gradient_gap([0.0, 1.0], [1.0, 0.0], scales=[0.0, 1.0])
        plt.close("all")
