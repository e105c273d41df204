"""Tests of the chapter 10 figures added with its rewrite: plotted data against hand formulas."""

import numpy as np
import pytest

from xentbook.plots import (
    plot_calibration_comparison,
    plot_ece_noise_floor,
    plot_focal_gradient_ratio,
    plot_generalised_cross_entropy,
)


def test_focal_gradient_ratio_is_the_ratio_of_derivatives():
    ax = plot_focal_gradient_ratio([0.5, 2.0])
    for line, gamma in zip(ax.lines[:2], (0.5, 2.0), strict=True):
        p_t, ratio = line.get_data()
        # Hand derivation: d/dp_t of -(1 - p)^g log p over d/dp_t of -log p.
        d_focal = gamma * (1 - p_t) ** (gamma - 1) * np.log(p_t) - (1 - p_t) ** gamma / p_t
        np.testing.assert_allclose(ratio, d_focal / (-1 / p_t), rtol=1e-12)
    np.testing.assert_array_equal(ax.lines[-1].get_ydata(), 1.0)


def test_focal_gradient_ratio_reaches_zero_and_leaves_room_for_the_legend():
    ax = plot_focal_gradient_ratio([0.5, 5.0])
    p_t, ratio = ax.lines[0].get_data()
    # gamma = 0.5: the ratio is sqrt(1 - p) (1 + p (-log p) / (2 (1 - p))) -> 1.5 sqrt(1 - p);
    # at 1 - p = 1e-6 that is 1.5e-3, not the 0.047 of a grid stopping at 0.999.
    assert 1 - p_t[-1] == pytest.approx(1e-6, rel=1e-9)
    assert ratio[-1] == pytest.approx(1.5e-3, rel=1e-5)
    highest = max(line.get_ydata().max() for line in ax.lines)
    assert ax.get_ylim()[1] >= 1.25 * highest  # head room above the gamma = 5 peak (1.39)


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


def test_distillation_scale_against_the_gradient_formula():
    from scipy.special import softmax as sp_softmax

    from xentbook.plots import plot_distillation_scale

    zs, zt = np.array([1.0, 0.0, -1.0, 0.5]), np.array([2.0, -1.0, 0.0, 0.3])
    temps = np.array([0.5, 2.0, 50.0])
    top, bottom = plot_distillation_scale(zs, zt, temps)
    # Hand derivation: d/dz_s H(q^T, softmax(z_s / T)) = (softmax(z_s / T) - softmax(z_t / T)) / T.
    expected = [t**2 * np.linalg.norm((sp_softmax(zs / t) - sp_softmax(zt / t)) / t) for t in temps]
    np.testing.assert_allclose(bottom.lines[0].get_ydata(), expected, rtol=1e-13)
    limit = np.linalg.norm((zs - zs.mean()) - (zt - zt.mean())) / 4
    np.testing.assert_allclose(bottom.lines[1].get_ydata(), limit, rtol=1e-15)
    heights = [patch.get_height() for patch in top.patches]
    np.testing.assert_allclose(heights[:4], sp_softmax(zt), rtol=1e-14)


def test_focal_optimum_is_the_true_frequency_for_cross_entropy():
    from scipy.optimize import minimize_scalar

    from xentbook.plots import plot_focal_optimum

    ax = plot_focal_optimum([0.0, 2.0])
    pi, best_ce = ax.lines[0].get_data()
    np.testing.assert_allclose(best_ce, pi, atol=1e-4)  # the grid spacing is 5e-5
    _, best_fl = ax.lines[1].get_data()

    def expected_focal(p, f):  # -(1 - p)^2 log p weighted by f, and the mirror term
        return -f * (1 - p) ** 2 * np.log(p) - (1 - f) * p**2 * np.log(1 - p)

    for f, b in zip(pi[::10], best_fl[::10], strict=True):
        ref = minimize_scalar(
            expected_focal,
            bounds=(1e-6, 1 - 1e-6),
            args=(f,),
            method="bounded",
            options={"xatol": 1e-10},
        ).x
        np.testing.assert_allclose(b, ref, atol=1e-4)


def test_calibration_comparison_with_labels_per_group():
    # Two groups with their own labels and sizes: each curve is binned against its own labels.
    first = np.array([[0.95, 0.05], [0.55, 0.45]])
    second = np.array([[0.65, 0.35], [0.62, 0.38], [0.9, 0.1]])
    top, bottom = plot_calibration_comparison(
        {"a": first, "b": second}, {"a": [0, 0], "b": [0, 1, 1]}, n_bins=5, legend_loc="lower right"
    )
    # Group a: 0.55 (right) in bin (0.4, 0.6], 0.95 (right) in (0.8, 1].
    np.testing.assert_allclose(top.lines[0].get_data(), [[0.55, 0.95], [1.0, 1.0]], rtol=1e-14)
    # Group b: 0.65 (right) and 0.62 (wrong) in (0.6, 0.8], 0.9 (wrong) in (0.8, 1].
    np.testing.assert_allclose(top.lines[1].get_data(), [[0.635, 0.9], [0.5, 0.0]], rtol=1e-14)
    np.testing.assert_array_equal(bottom.lines[1].get_ydata(), [2, 1])
    assert top.get_legend()._loc == 4  # "lower right"


def test_temperature_objective_against_scipy_and_hand_binning():
    from scipy.optimize import minimize_scalar
    from scipy.special import log_softmax as sp_log_softmax

    from xentbook.plots import plot_temperature_objective

    rng = np.random.default_rng(7)
    z = rng.normal(scale=3.0, size=(200, 4))
    y = rng.integers(0, 4, size=200)
    y[:120] = z[:120].argmax(axis=1)  # mostly right, some wrong: a finite optimum
    temps = np.array([0.5, 1.0, 2.0, 4.0])
    top, bottom = plot_temperature_objective(z, y, temps, n_bins=5)

    def nll(t):
        return -np.mean(sp_log_softmax(z / t, axis=1)[np.arange(200), y])

    np.testing.assert_allclose(top.lines[0].get_ydata(), [nll(t) for t in temps], rtol=1e-13)
    # ECE by hand: right-closed bins ((b-1)/5, b/5], weighted |accuracy - confidence|.
    expected = []
    for t in temps:
        p = np.exp(sp_log_softmax(z / t, axis=1))
        conf, right = p.max(axis=1), p.argmax(axis=1) == y
        which = np.ceil(conf * 5).astype(int)
        expected.append(
            sum(abs(right[which == b].sum() - conf[which == b].sum()) for b in range(1, 6)) / 200
        )
    np.testing.assert_allclose(bottom.lines[0].get_ydata(), expected, rtol=1e-12)
    best = minimize_scalar(nll, bounds=(0.1, 10.0), method="bounded", options={"xatol": 1e-9})
    for panel in (top, bottom):
        np.testing.assert_allclose(panel.lines[1].get_xdata()[0], best.x, rtol=1e-6)


def test_generalised_cross_entropy_against_finite_differences():
    top, bottom = plot_generalised_cross_entropy([0.0, 0.7, 1.0])
    p_y, ce = top.lines[0].get_data()
    np.testing.assert_allclose(ce, -np.log(p_y), rtol=1e-15)
    _, mae = top.lines[2].get_data()
    np.testing.assert_allclose(mae, 1 - p_y, rtol=1e-12, atol=1e-16)  # q = 1: 1 - p_y
    # The pull on the label's logit against central differences of L_q(sigmoid(u)), with
    # u = log(p_y / (1 - p_y)) the label's logit in a two-class softmax.
    inner = p_y[(p_y > 0.01) & (p_y < 0.99)]
    u, h = np.log(inner / (1 - inner)), 1e-6

    def loss(x):
        return (1 - (1 / (1 + np.exp(-x))) ** 0.7) / 0.7

    numeric = -(loss(u + h) - loss(u - h)) / (2 * h)
    _, pull = bottom.lines[1].get_data()
    kept = (p_y > 0.01) & (p_y < 0.99)
    np.testing.assert_allclose(pull[kept], numeric, rtol=1e-7)
    # Bounded by 1 / q, and the limit q -> 0 is the cross-entropy.
    _, gce = top.lines[1].get_data()
    assert gce.max() < 1 / 0.7
    with pytest.raises(ValueError, match="qs must lie in"):
        plot_generalised_cross_entropy([1.5])


def test_ece_noise_floor_draws_its_data_on_log_log_axes():
    sizes = np.array([1_000, 10_000, 100_000])
    # A floor c / sqrt(N) with c = 1 (hand values), measured points scattered about it.
    predicted = 1 / np.sqrt(sizes)
    measured, spread = predicted * np.array([0.95, 1.05, 1.0]), predicted / 5
    ax = plot_ece_noise_floor(sizes, measured, spread, predicted)
    assert (ax.get_xscale(), ax.get_yscale()) == ("log", "log")
    n, floor = ax.lines[0].get_data()
    np.testing.assert_array_equal(n, sizes)
    np.testing.assert_array_equal(floor, predicted)
    slope = np.diff(np.log(floor)) / np.diff(np.log(n))
    np.testing.assert_allclose(slope, -0.5, rtol=1e-12)
    np.testing.assert_array_equal(ax.lines[1].get_ydata(), measured)
    # The error bars span one standard deviation either side of each mean.
    (bars,) = ax.collections
    lows = [segment[0, 1] for segment in bars.get_segments()]
    highs = [segment[1, 1] for segment in bars.get_segments()]
    np.testing.assert_allclose(lows, measured - spread, rtol=1e-12)
    np.testing.assert_allclose(highs, measured + spread, rtol=1e-12)
    low, high = ax.get_ylim()
    assert all(low <= t <= high for t in ax.get_yticks())
