"""Tests of chapter 4's figures, on the data drawn."""

import numpy as np
import pytest
from scipy import stats

from xentbook.plots import (
    plot_bernoulli_nll,
    plot_expected_scores,
    plot_mixture_mle,
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
    def test_lines(self):
        n = np.array([10.0, 100.0])
        ax = plot_train_test_losses(n, [0.6, 0.68], [0.8, 0.7], 0.69, 3)
        np.testing.assert_allclose(ax.lines[0].get_ydata(), [0.8, 0.7], rtol=0)
        np.testing.assert_allclose(ax.lines[1].get_ydata(), [0.6, 0.68], rtol=0)
        np.testing.assert_allclose(ax.lines[2].get_ydata(), 0.69 + 2 / (2 * n), rtol=1e-15)
        np.testing.assert_allclose(ax.lines[3].get_ydata(), 0.69 - 2 / (2 * n), rtol=1e-15)
        np.testing.assert_allclose(ax.lines[4].get_ydata(), [0.69, 0.69], rtol=0)

    def test_infinite_loss_refused(self):
        with pytest.raises(ValueError, match=r"^plot_train_test_losses: every loss"):
            plot_train_test_losses([10], [0.5], [np.inf], 0.6, 2)


class TestPlotMixtureMle:
    def test_densities(self):
        x = np.random.default_rng(0).normal(1.0, 2.0, size=500)
        ax = plot_mixture_mle(x, [0.5, 0.5], [-1.0, 1.0], [1.0, 0.5])
        grid = ax.lines[0].get_xdata()
        mixture = 0.5 * stats.norm.pdf(grid, -1.0, 1.0) + 0.5 * stats.norm.pdf(grid, 1.0, 0.5)
        np.testing.assert_allclose(ax.lines[0].get_ydata(), mixture, rtol=1e-12)
        mle = stats.norm.pdf(grid, x.mean(), x.std(ddof=0))  # the 1/N variance
        np.testing.assert_allclose(ax.lines[1].get_ydata(), mle, rtol=1e-12)
