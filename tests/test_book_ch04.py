"""Tests of chapter 4's helpers: training and test losses of the categorical MLE, raw and smoothed."""

import numpy as np
import pytest
from scipy import stats

from xentbook.book import (
    expected_test_loss_add_alpha,
    expected_training_loss,
    mle_train_test_losses,
)


def _expected_entropy_scipy(p, n):
    # independent reference: binomial marginals from scipy.stats, 0 log 0 = 0
    k = np.arange(1, n + 1)
    x = k / n
    return -sum(float(np.sum(stats.binom.pmf(k, n, pc) * x * np.log(x))) for pc in p)


class TestExpectedTrainingLoss:
    @pytest.mark.parametrize("n", [1, 2, 7, 100, 3000])
    def test_against_scipy_binomial(self, n):
        p = np.array([0.4, 0.3, 0.2, 0.1])
        np.testing.assert_allclose(
            expected_training_loss(p, n), _expected_entropy_scipy(p, n), rtol=1e-9
        )

    def test_two_fair_draws_by_hand(self):
        # (1, 1) with probability 1/2 gives log 2, (2, 0) or (0, 2) give 0
        np.testing.assert_allclose(expected_training_loss([0.5, 0.5], 2), np.log(2) / 2, rtol=1e-14)

    def test_bias_approaches_c_minus_1_over_2n(self):
        p = np.array([0.4, 0.3, 0.2, 0.1])
        h = -np.sum(p * np.log(p))
        gap = h - expected_training_loss(p, 10_000)
        np.testing.assert_allclose(gap, 3 / 20_000, rtol=1e-3)

    def test_point_mass_is_zero(self):
        assert expected_training_loss([0.0, 1.0], 5) == 0.0

    def test_bad_input(self):
        with pytest.raises(ValueError, match=r"^expected_training_loss: p must"):
            expected_training_loss([0.5, 0.6], 3)
        with pytest.raises(ValueError, match=r"^expected_training_loss: n must"):
            expected_training_loss([0.5, 0.5], 0)


class TestMleTrainTestLosses:
    def test_shapes_and_definitions(self):
        p = np.array([0.5, 0.3, 0.2])
        r = mle_train_test_losses(p, [10, 40], repeats=7, seed=3)
        assert r.train.shape == r.test.shape == (2, 7)
        # rebuild the first size's samples with the same generator calls
        rng = np.random.default_rng(3)
        p_hat = rng.multinomial(10, p, size=7) / 10
        with np.errstate(divide="ignore", invalid="ignore"):
            train = -np.nansum(p_hat * np.log(p_hat), axis=1)
            test = -np.sum(p * np.log(p_hat), axis=1)
        np.testing.assert_allclose(r.train[0], train, rtol=1e-14)
        np.testing.assert_allclose(r.test[0], test, rtol=1e-14)

    def test_missing_class_gives_infinite_test_loss(self):
        r = mle_train_test_losses([0.98, 0.02], [3], repeats=200, seed=0)
        assert np.isinf(r.test).any() and np.isfinite(r.train).all()

    def test_test_loss_never_below_entropy(self):
        p = np.array([0.4, 0.3, 0.2, 0.1])
        r = mle_train_test_losses(p, [200], repeats=500, seed=2)
        assert (r.test >= -np.sum(p * np.log(p)) - 1e-12).all()

    def test_monte_carlo_mean_matches_exact_expectation(self):
        p = np.array([0.4, 0.3, 0.2, 0.1])
        r = mle_train_test_losses(p, [50], repeats=20_000, seed=4)
        se = r.train.std() / np.sqrt(20_000)
        assert abs(r.train.mean() - expected_training_loss(p, 50)) < 4 * se

    def test_bad_input(self):
        with pytest.raises(ValueError, match=r"^mle_train_test_losses: sizes"):
            mle_train_test_losses([0.5, 0.5], [0], repeats=1, seed=0)
        with pytest.raises(ValueError, match=r"^mle_train_test_losses: repeats"):
            mle_train_test_losses([0.5, 0.5], [3], repeats=0, seed=0)


class TestExpectedTestLossAddAlpha:
    @pytest.mark.parametrize("alpha", [0.01, 0.5, 1.0])
    def test_against_enumeration_of_all_count_vectors(self, alpha):
        # independent reference: every (N_0, N_1, N_2) with n = 4, weighted by the multinomial pmf
        p, n = np.array([0.5, 0.3, 0.2]), 4
        total = 0.0
        for a in range(n + 1):
            for b in range(n + 1 - a):
                counts = np.array([a, b, n - a - b])
                q = (counts + alpha) / (n + 3 * alpha)
                total += stats.multinomial.pmf(counts, n, p) * -np.sum(p * np.log(q))
        np.testing.assert_allclose(expected_test_loss_add_alpha(p, n, alpha), total, rtol=1e-12)

    def test_one_coin_toss_by_hand(self):
        # either side seen: q = (2/3, 1/3), test loss -(log(2/3) + log(1/3)) / 2
        expected = -(np.log(2 / 3) + np.log(1 / 3)) / 2
        got = expected_test_loss_add_alpha([0.5, 0.5], 1, 1.0)
        np.testing.assert_allclose(got, expected, rtol=1e-14)

    def test_excess_approaches_c_minus_1_over_2n(self):
        p = np.array([0.4, 0.3, 0.2, 0.1])
        excess = expected_test_loss_add_alpha(p, 20_000, 0.5) - stats.entropy(p)
        np.testing.assert_allclose(excess, 3 / 40_000, rtol=0.01)

    def test_point_mass(self):
        got = expected_test_loss_add_alpha([1.0, 0.0], 3, 1.0)
        np.testing.assert_allclose(got, -np.log(4 / 5), rtol=1e-14)

    def test_bad_input(self):
        with pytest.raises(ValueError, match=r"^expected_test_loss_add_alpha: alpha"):
            expected_test_loss_add_alpha([0.5, 0.5], 3, 0.0)
        with pytest.raises(ValueError, match=r"^expected_test_loss_add_alpha: n"):
            expected_test_loss_add_alpha([0.5, 0.5], 0, 1.0)
        with pytest.raises(ValueError, match=r"^expected_test_loss_add_alpha: p"):
            expected_test_loss_add_alpha([0.5, 0.6], 3, 1.0)
