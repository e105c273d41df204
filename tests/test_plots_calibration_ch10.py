"""Tests of the chapter 10 figures added with its rewrite: plotted data against hand formulas."""

import numpy as np

from xentbook.plots import plot_calibration_comparison, plot_focal_gradient_ratio


def test_focal_gradient_ratio_is_the_ratio_of_derivatives():
    ax = plot_focal_gradient_ratio([0.5, 2.0])
    for line, gamma in zip(ax.lines[:2], (0.5, 2.0), strict=True):
        p_t, ratio = line.get_data()
        # Hand derivation: d/dp_t of -(1 - p)^g log p over d/dp_t of -log p.
        d_focal = gamma * (1 - p_t) ** (gamma - 1) * np.log(p_t) - (1 - p_t) ** gamma / p_t
        np.testing.assert_allclose(ratio, d_focal / (-1 / p_t), rtol=1e-12)
    np.testing.assert_array_equal(ax.lines[-1].get_ydata(), 1.0)


def test_calibration_comparison_bins_by_hand():
    probs = np.array([[0.95, 0.05], [0.55, 0.45], [0.65, 0.35], [0.62, 0.38], [0.9, 0.1]])
    labels = np.array([0, 1, 0, 1, 1])
    top, bottom = plot_calibration_comparison({"m": probs}, labels, n_bins=5)
    # Confidences 0.95, 0.55, 0.65, 0.62, 0.9 fall in bins (0.8, 1], (0.4, 0.6], (0.6, 0.8]:
    # bin 2 holds 0.55 (wrong), bin 3 holds 0.65 (right) and 0.62 (wrong), bin 4 holds 0.95
    # (right) and 0.9 (wrong).
    conf, acc = top.lines[0].get_data()
    np.testing.assert_allclose(conf, [0.55, 0.635, 0.925], rtol=1e-14)
    np.testing.assert_allclose(acc, [0.0, 0.5, 0.5], rtol=0, atol=0)
    centres, counts = bottom.lines[0].get_data()
    np.testing.assert_allclose(centres, [0.5, 0.7, 0.9], rtol=1e-14)
    np.testing.assert_array_equal(counts, [1, 2, 2])
