"""Tests of the chapter 10 helpers: equal-mass and class-wise expected calibration errors."""

from __future__ import annotations

import numpy as np
import pytest

from xentbook.book import classwise_ece, equal_mass_ece, expected_calibration_error


def _loop_classwise(p, y, n_bins):
    # Independent reference: one explicit loop over classes and bins (Kull et al., 2019).
    n, c = p.shape
    total = 0.0
    for k in range(c):
        for b in range(n_bins):
            lo, hi = b / n_bins, (b + 1) / n_bins
            inside = (p[:, k] > lo) & (p[:, k] <= hi)
            if b == 0:
                inside |= p[:, k] == 0
            if inside.any():
                gap = abs(np.mean(y[inside] == k) - np.mean(p[inside, k]))
                total += inside.sum() / n * gap
    return total / c


def _random_probs(seed, n=500, c=4):
    rng = np.random.default_rng(seed)
    p = rng.dirichlet(np.ones(c), size=n)
    y = np.array([rng.choice(c, p=row) for row in p])
    return p, y


class TestEqualMassEce:
    def test_hand_value(self):
        probs = [[0.9, 0.1], [0.8, 0.2], [0.3, 0.7], [0.45, 0.55]]
        # Sorted confidences 0.55, 0.7 (both right) | 0.8 (wrong), 0.9 (right).
        expected = (2 * abs(1 - 0.625) + 2 * abs(0.5 - 0.85)) / 4
        assert equal_mass_ece(probs, [0, 1, 1, 1], n_bins=2) == pytest.approx(expected, 1e-15)

    def test_one_bin_and_one_item_per_bin(self):
        p, y = _random_probs(1)
        conf, correct = p.max(axis=1), p.argmax(axis=1) == y
        one = abs(correct.mean() - conf.mean())
        np.testing.assert_allclose(equal_mass_ece(p, y, n_bins=1), one, rtol=1e-13)
        single = np.mean(np.abs(correct - conf))
        np.testing.assert_allclose(equal_mass_ece(p, y, n_bins=len(y)), single, rtol=1e-13)

    def test_bins_hold_equal_counts(self):
        # 12 items, 3 bins of 4: the ECE is the mean of the three bins' gaps.
        p, y = _random_probs(2, n=12, c=3)
        order = np.argsort(p.max(axis=1), kind="stable")
        gaps = [
            abs(np.mean(p[i].argmax(axis=1) == y[i]) - np.mean(p[i].max(axis=1)))
            for i in order.reshape(3, 4)
        ]
        np.testing.assert_allclose(equal_mass_ece(p, y, n_bins=3), np.mean(gaps), rtol=1e-13)

    def test_invalid(self):
        with pytest.raises(ValueError, match="equal_mass_ece: n_bins"):
            equal_mass_ece([[0.5, 0.5]], [0], n_bins=0)
        with pytest.raises(ValueError, match="equal_mass_ece: labels"):
            equal_mass_ece([[0.5, 0.5]], [2])
        with pytest.raises(ValueError, match="equal_mass_ece: probs"):
            equal_mass_ece([[1.5, -0.5]], [0])


class TestClasswiseEce:
    def test_hand_value(self):
        probs = [[0.9, 0.1], [0.8, 0.2], [0.3, 0.7], [0.45, 0.55]]
        # Class 0: bin (0, .5] holds p = 0.3, 0.45 (labels 1, 1), bin (.5, 1] holds p = 0.9
        # (label 0) and 0.8 (label 1). Class 1: bin (0, .5] holds 0.1 (label 0) and 0.2
        # (label 1), bin (.5, 1] holds 0.7 and 0.55 (labels 1, 1).
        class0 = 2 / 4 * abs(0 - 0.375) + 2 / 4 * abs(0.5 - 0.85)
        class1 = 2 / 4 * abs(0.5 - 0.15) + 2 / 4 * abs(1 - 0.625)
        expected = (class0 + class1) / 2
        assert classwise_ece(probs, [0, 1, 1, 1], n_bins=2) == pytest.approx(expected, 1e-15)

    @pytest.mark.parametrize("seed", [3, 4])
    def test_against_a_loop(self, seed):
        p, y = _random_probs(seed)
        p[0] = [1.0, 0.0, 0.0, 0.0]  # a zero and a one, on the bin edges
        np.testing.assert_allclose(classwise_ece(p, y, 10), _loop_classwise(p, y, 10), rtol=1e-13)

    def test_binary_one_bin_is_the_mean_gap(self):
        # With one bin, each class contributes |frequency of k - mean p_k|, equal for k = 0, 1.
        p, y = _random_probs(5, c=2)
        expected = abs(np.mean(y == 1) - p[:, 1].mean())
        np.testing.assert_allclose(classwise_ece(p, y, n_bins=1), expected, rtol=1e-12)

    def test_true_probabilities_score_near_zero(self):
        # Labels drawn from p itself: every variant stays at its sampling floor.
        rng = np.random.default_rng(6)
        p = rng.dirichlet(np.ones(3), size=200_000)
        y = (p.cumsum(axis=1) < rng.random((len(p), 1))).sum(axis=1)
        assert classwise_ece(p, y) < 0.005
        assert equal_mass_ece(p, y) < 0.005
        assert expected_calibration_error(p, y) < 0.005

    def test_invalid(self):
        with pytest.raises(ValueError, match="classwise_ece: probs must have shape"):
            classwise_ece([0.5, 0.5], [0])
