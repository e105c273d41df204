"""Tests of chapter 4's figures, on the data drawn."""

import numpy as np
import pytest
from scipy import optimize, special, stats

from xentbook.plots import (
    plot_bernoulli_nll,
    plot_expected_scores,
    plot_nll_spread,
    plot_sampling_distributions,
    plot_separable_map,
    plot_smoothing_excess,
    plot_train_test_losses,
)


class TestPlotBernoulliNll:
    def test_curve_and_minimum(self):
        labels = np.r_[np.ones(14), np.zeros(6)]
        th = np.linspace(0.05, 0.95, 19)
        ax = plot_bernoulli_nll(labels, theta=th)
        expected = -(0.7 * np.log(th) + 0.3 * np.log1p(-th))
        np.testing.assert_allclose(ax.lines[0].get_ydata(), expected, rtol=1e-14)
        np.testing.assert_allclose(ax.lines[1].get_xdata(), [0.7], rtol=1e-15)
        np.testing.assert_allclose(ax.lines[1].get_ydata(), [stats.entropy([0.7, 0.3])], rtol=1e-14)
        assert "nats" in ax.get_ylabel()

    def test_bad_input(self):
        with pytest.raises(ValueError, match=r"^plot_bernoulli_nll: labels"):
            plot_bernoulli_nll([0, 2])
        with pytest.raises(ValueError, match=r"^plot_bernoulli_nll: theta"):
            plot_bernoulli_nll([0, 1], theta=[0.0, 0.5])


class TestPlotExpectedScores:
    def test_two_panels(self):
        q = np.linspace(0.01, 0.99, 99)
        top, bottom = plot_expected_scores(0.7, q=q)
        log_score = -(0.7 * np.log(q) + 0.3 * np.log1p(-q))
        np.testing.assert_allclose(top.lines[0].get_ydata(), log_score, rtol=1e-14)
        np.testing.assert_allclose(
            bottom.lines[0].get_ydata(), -(0.7 * q + 0.3 * (1 - q)), rtol=1e-14
        )
        # the log score is smallest at q = p, the log-less one at q = 1
        assert q[np.argmin(top.lines[0].get_ydata())] == pytest.approx(0.7, abs=1e-12)
        np.testing.assert_allclose(bottom.lines[1].get_xdata(), [1.0], rtol=0)
        assert "nats" in top.get_ylabel() and "nats" not in bottom.get_ylabel()

    def test_bad_p(self):
        with pytest.raises(ValueError, match=r"^plot_expected_scores: p"):
            plot_expected_scores(0.5)


class TestPlotTrainTestLosses:
    def test_gaps(self):
        n = np.array([10.0, 100.0])
        ax = plot_train_test_losses(n, [0.6, 0.68], [0.8, 0.7], 0.69, 3)
        np.testing.assert_allclose(ax.lines[0].get_ydata(), [0.11, 0.01], rtol=1e-12)
        np.testing.assert_allclose(ax.lines[1].get_ydata(), [0.09, 0.01], rtol=1e-12)
        np.testing.assert_allclose(ax.lines[2].get_ydata(), 2 / (2 * n), rtol=1e-15)
        assert ax.get_xscale() == "log" and ax.get_yscale() == "log"

    def test_bad_losses_refused(self):
        with pytest.raises(ValueError, match=r"^plot_train_test_losses: every loss"):
            plot_train_test_losses([10], [0.5], [np.inf], 0.6, 2)
        with pytest.raises(ValueError, match=r"^plot_train_test_losses: need train"):
            plot_train_test_losses([10], [0.7], [0.8], 0.6, 2)


class TestPlotSamplingDistributions:
    def test_histograms_and_normals(self):
        est = np.random.default_rng(0).normal(2.0, 0.5, size=4000)
        top, bottom = plot_sampling_distributions(
            [(est, "a", [(2.0, 0.25, "n")]), (est, "b", [(2.0, 0.25, "x"), (2.0, 1.0, "y")])]
        )
        grid = top.lines[0].get_xdata()
        np.testing.assert_allclose(
            top.lines[0].get_ydata(), stats.norm.pdf(grid, 2.0, 0.5), rtol=1e-12
        )
        np.testing.assert_allclose(
            bottom.lines[1].get_ydata(),
            stats.norm.pdf(bottom.lines[1].get_xdata(), 2.0, 1.0),
            rtol=1e-12,
        )
        heights = np.array([patch.get_height() for patch in top.patches])
        counts, edges = np.histogram(est, bins=50, density=True)
        np.testing.assert_allclose(heights, counts, rtol=1e-12)
        assert grid[0] == edges[0] and grid[-1] == edges[-1]
        assert top.get_xlim()[1] == np.quantile(est, 0.999)

    def test_bad_input(self):
        with pytest.raises(ValueError, match=r"^plot_sampling_distributions: variance"):
            plot_sampling_distributions([([1.0, 2.0], "a", [(0.0, 0.0, "z")])])
        with pytest.raises(ValueError, match=r"^plot_sampling_distributions: need"):
            plot_sampling_distributions([])


class TestPlotSmoothingExcess:
    def test_lines(self):
        n = np.array([10.0, 100.0])
        ax = plot_smoothing_excess(n, {"a": [0.5, 0.05], "b": [0.3, 0.04]}, 4)
        np.testing.assert_allclose(ax.lines[0].get_ydata(), [0.5, 0.05], rtol=0)
        np.testing.assert_allclose(ax.lines[1].get_ydata(), [0.3, 0.04], rtol=0)
        np.testing.assert_allclose(ax.lines[2].get_ydata(), 3 / (2 * n), rtol=1e-15)
        assert [t.get_text() for t in ax.get_legend().get_texts()][:2] == ["a", "b"]

    def test_bad_input(self):
        with pytest.raises(ValueError, match=r"^plot_smoothing_excess: 'a' must hold"):
            plot_smoothing_excess([10, 100], {"a": [0.5, np.inf]}, 4)


class TestPlotNllSpread:
    def test_curves_are_bernoulli_divergences(self):
        th = np.linspace(0.05, 0.95, 19)
        panels = [(0.3, 20, [0.25, 0.4, 0.0]), (0.3, 200, [0.31])]
        top, bottom = plot_nll_spread(panels, theta=th)

        def kl(a):  # D(Ber(a) || Ber(theta)) by scipy, one theta at a time
            return [stats.entropy([a, 1 - a], [t, 1 - t]) for t in th]

        np.testing.assert_allclose(top.lines[0].get_ydata(), kl(0.3), rtol=1e-12, atol=1e-15)
        for line, a in zip(top.lines[1:-1], (0.25, 0.4, 0.0), strict=True):
            np.testing.assert_allclose(line.get_ydata(), kl(a), rtol=1e-12, atol=1e-15)
        np.testing.assert_allclose(top.lines[-1].get_xdata(), [0.25, 0.4, 0.0], rtol=0)
        np.testing.assert_allclose(top.lines[-1].get_ydata(), 0.0, atol=0)
        assert len(bottom.lines) == 3
        # the band: theta0 +- 1.96 sqrt(theta0 (1 - theta0) / N), I = 1 / (theta (1 - theta))
        for ax, n in ((top, 20), (bottom, 200)):
            x0, x1 = ax.patches[0].get_x(), ax.patches[0].get_x() + ax.patches[0].get_width()
            half = 1.96 * np.sqrt(0.21 / n)
            np.testing.assert_allclose([x0, x1], [0.3 - half, 0.3 + half], rtol=1e-12)
        assert "nats" in top.get_ylabel()

    def test_bad_input(self):
        with pytest.raises(ValueError, match=r"^plot_nll_spread: need"):
            plot_nll_spread([])
        with pytest.raises(ValueError, match=r"^plot_nll_spread: theta0"):
            plot_nll_spread([(1.0, 10, [0.5])])
        with pytest.raises(ValueError, match=r"^plot_nll_spread: n must"):
            plot_nll_spread([(0.5, 0, [0.5])])
        with pytest.raises(ValueError, match=r"^plot_nll_spread: fractions"):
            plot_nll_spread([(0.5, 10, [1.5])])
        with pytest.raises(ValueError, match=r"^plot_nll_spread: theta must"):
            plot_nll_spread([(0.5, 10, [0.5])], theta=[0.0, 0.5])


class TestPlotSeparableMap:
    def test_curves_and_minima(self):
        x, y = np.array([-2.0, -1.0, 1.0, 2.0]), np.array([0, 0, 1, 1])
        w = np.linspace(0.0, 6.0, 6001)
        ax = plot_separable_map(x, y, [0.1, 0.01], w=w)
        # by hand: every point costs softplus(-w |x|); np.logaddexp(0, t) is softplus(t)
        nll = 0.5 * (np.logaddexp(0.0, -w) + np.logaddexp(0.0, -2.0 * w))
        np.testing.assert_allclose(ax.lines[0].get_ydata(), nll, rtol=1e-13)
        for k, lam in enumerate((0.1, 0.01)):
            np.testing.assert_allclose(
                ax.lines[1 + 2 * k].get_ydata(), nll + lam / 2 * w**2, rtol=1e-13
            )
            # the root of lam w = (sigmoid(-w) + 2 sigmoid(-2w)) / 2, by scipy's brentq
            root = optimize.brentq(
                lambda v, lam=lam: lam * v - 0.5 * (special.expit(-v) + 2 * special.expit(-2 * v)),
                0.0,
                10.0,
                xtol=1e-12,
            )
            assert abs(ax.lines[2 + 2 * k].get_xdata()[0] - root) <= 1e-3  # the grid step
        assert np.all(np.diff(ax.lines[0].get_ydata()) < 0)  # no minimizer on the grid

    def test_bad_input(self):
        with pytest.raises(ValueError, match=r"^plot_separable_map: x and y"):
            plot_separable_map([1.0, 2.0], [0, 2], [0.1])
        with pytest.raises(ValueError, match=r"^plot_separable_map: give"):
            plot_separable_map([1.0], [1], [0.0])
        with pytest.raises(ValueError, match=r"^plot_separable_map: w must"):
            plot_separable_map([1.0], [1], [0.1], w=[1.0, 0.5])
