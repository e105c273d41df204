"""Tests of chapter 4's helpers: the training and test losses of the categorical MLE."""

import numpy as np
import pytest
from scipy import stats

from xentbook.book import expected_training_loss, mle_train_test_losses


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
