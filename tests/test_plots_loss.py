"""Tests of the chapter 6 figures: each plotted curve against an independent computation.

References: mpmath at 30 digits for the closed forms, and scipy.special.logsumexp over explicit
logit vectors for the claim that the margin bounds hold whatever the other logits are.
"""

import matplotlib.pyplot as plt
import mpmath
import numpy as np
import pytest
from scipy.special import logsumexp

from xentbook.plots import (
    plot_excess_error_bound,
    plot_gradient_noise,
    plot_log_loss_shape,
    plot_separable_drift,
    plot_soft_target_floor,
    plot_surrogate_bounds,
    plot_true_logit_gradient,
    plot_validation_scale,
)

# Curves are float64 evaluations of log1p/exp/log: a few ulp from the 30-digit values.
RTOL = 1e-13


def mp_log2_1p(c, m):
    """log2(1 + c e^-m) at 30 digits."""
    with mpmath.workdps(30):
        return float(mpmath.log(1 + c * mpmath.exp(-mpmath.mpf(m)), 2))


class TestPlotSurrogateBounds:
    def test_curves(self):
        ax = plot_surrogate_bounds(num_classes=10, margins=(-4.0, 6.0), num=101)
        step, lower, upper = ax.lines[:3]
        m = step.get_xdata()
        np.testing.assert_allclose(m, np.linspace(-4, 6, 101), rtol=0, atol=1e-15)
        np.testing.assert_array_equal(step.get_ydata(), (m <= 0).astype(float))
        np.testing.assert_allclose(lower.get_ydata(), [mp_log2_1p(1, v) for v in m], rtol=RTOL)
        np.testing.assert_allclose(upper.get_ydata(), [mp_log2_1p(9, v) for v in m], rtol=RTOL)

    def test_bounds_hold_for_random_logits(self):
        # The figure's claim: for any logits with margin m the loss lies in the band, and the
        # 0-1 loss below it. 2000 random 10-class logit vectors, target 0.
        rng = np.random.default_rng(20240606)
        z = rng.normal(scale=3.0, size=(2000, 10))
        loss_bits = (logsumexp(z, axis=1) - z[:, 0]) / np.log(2)
        margin = z[:, 0] - z[:, 1:].max(axis=1)
        lower = np.logaddexp(0, -margin) / np.log(2)
        upper = np.logaddexp(0, np.log(9) - margin) / np.log(2)
        assert np.all(lower <= loss_bits * (1 + 1e-14))
        assert np.all(loss_bits <= upper * (1 + 1e-14))
        assert np.all(loss_bits[margin <= 0] >= 1 - 1e-14)

    @pytest.mark.parametrize(
        ("kwargs", "match"),
        [
            ({"num_classes": 1}, "num_classes must be an integer >= 2"),
            ({"num_classes": 2.5}, "num_classes must be an integer >= 2"),
            ({"margins": (1.0, 3.0)}, "margins must contain 0"),
        ],
    )
    def test_bad_input(self, kwargs, match):
        with pytest.raises(ValueError, match=match):
            plot_surrogate_bounds(**kwargs)


class TestPlotLogLossShape:
    def test_curves(self):
        ax = plot_log_loss_shape(p_min=0.01, halvings=5, num=50)
        ce, sq, dots = ax.lines[:3]
        p = ce.get_xdata()
        np.testing.assert_allclose(p, np.linspace(0.01, 1, 50), rtol=1e-15)
        with mpmath.workdps(30):
            expected = [float(-mpmath.log(mpmath.mpf(v))) for v in p]
        np.testing.assert_allclose(ce.get_ydata()[:-1], expected[:-1], rtol=RTOL)
        assert ce.get_ydata()[-1] == 0.0
        np.testing.assert_allclose(sq.get_ydata(), 2 * (1 - p) ** 2, rtol=1e-15)
        np.testing.assert_allclose(dots.get_xdata(), [1, 1 / 2, 1 / 4, 1 / 8, 1 / 16, 1 / 32])
        np.testing.assert_allclose(dots.get_ydata(), np.arange(6) * np.log(2), rtol=1e-15)

    def test_squared_error_curve_is_the_largest_value(self):
        # ||p - e_y||^2 <= 2 (1 - p_y)^2 for random 5-class p, equality when the rest is on one class.
        rng = np.random.default_rng(66)
        p = rng.dirichlet(np.ones(5), size=1000)
        sq = ((p - np.eye(5)[0]) ** 2).sum(axis=1)
        assert np.all(sq <= 2 * (1 - p[:, 0]) ** 2 * (1 + 1e-12))
        q = np.array([0.3, 0.7, 0, 0, 0])
        np.testing.assert_allclose(((q - np.eye(5)[0]) ** 2).sum(), 2 * 0.7**2, rtol=1e-15)

    @pytest.mark.parametrize(
        ("kwargs", "match"),
        [({"p_min": 0.0}, "p_min must be in"), ({"p_min": 0.1, "halvings": 4}, "is below p_min")],
    )
    def test_bad_input(self, kwargs, match):
        with pytest.raises(ValueError, match=match):
            plot_log_loss_shape(**kwargs)


class TestPlotSoftTargetFloor:
    def test_curves_and_floors(self):
        ax = plot_soft_target_floor(targets=(0.8, 1.0), num=101)
        soft, soft_floor, soft_min, hard, hard_floor, hard_min = ax.lines[:6]
        q = soft.get_xdata()
        # The grid is uniform in the logit s of p_1, from -30 to 30; the loss is evaluated from
        # s at 30 digits: -0.8 log expit(s) - 0.2 log(1 - expit(s)).
        s_grid = np.linspace(-30, 30, 101)
        np.testing.assert_allclose(q, 1 / (1 + np.exp(-s_grid)), rtol=1e-14)
        with mpmath.workdps(30):
            expected = [
                float(
                    0.8 * mpmath.log(1 + mpmath.exp(-mpmath.mpf(v)))
                    + 0.2 * mpmath.log(1 + mpmath.exp(mpmath.mpf(v)))
                )
                for v in s_grid
            ]
            expected_hard = [float(mpmath.log(1 + mpmath.exp(-mpmath.mpf(v)))) for v in s_grid]
            h = float(-0.8 * mpmath.log(0.8) - 0.2 * mpmath.log(0.2))
        np.testing.assert_allclose(soft.get_ydata(), expected, rtol=RTOL)
        np.testing.assert_allclose(soft_floor.get_ydata(), h, rtol=RTOL)
        np.testing.assert_allclose(hard.get_ydata(), expected_hard, rtol=RTOL)
        # Both curves leave the frame (top at 3): the soft one as p_1 -> 1, the hard one at 0.
        assert soft.get_ydata()[-1] > 3 and hard.get_ydata()[0] > 3
        np.testing.assert_array_equal(hard_floor.get_ydata(), 0.0)
        np.testing.assert_allclose(soft_min.get_xydata(), [[0.8, h]], rtol=RTOL)
        np.testing.assert_allclose(hard_min.get_xydata(), [[1.0, 0.0]])
        # The floor is below the soft curve everywhere on the grid, and close to it near 0.8.
        assert soft.get_ydata().min() >= h * (1 - 1e-14)
        assert soft.get_ydata().min() == pytest.approx(h, rel=1e-2, abs=0)  # grid step 0.6 in s
        # The floor at 0 is inside the axes, its dot is not clipped, and each floor is labelled.
        assert ax.get_ylim()[0] < 0
        assert hard_min.get_clip_on() is False
        labels = [t.get_text() for t in ax.texts]
        assert r"floor $H(y) = 0.500$" in labels and r"floor $H(y) = 0$" in labels

    def test_legend_clear_of_the_rise_at_one(self):
        # The soft curve leaves the frame only where p_1 is within 1e-4 of 1; the legend's
        # right edge stays well left of it.
        ax = plot_soft_target_floor(targets=(0.8, 1.0))
        ax.figure.canvas.draw()
        box = ax.get_legend().get_window_extent().transformed(ax.transData.inverted())
        assert box.x1 < 0.96
        soft = ax.lines[0]
        above = soft.get_xdata()[soft.get_ydata() > box.y0]
        assert np.all((above < box.x0) | (above > 0.9999))
        plt.close("all")

    def test_draws_on_given_axes(self):
        _, ax = plt.subplots()
        assert plot_soft_target_floor(ax=ax) is ax
        plt.close("all")

    @pytest.mark.parametrize(
        ("kwargs", "match"),
        [
            ({"targets": ()}, "targets must be in"),
            ({"targets": (1.5,)}, "targets must be in"),
            ({"gap_at": 1.0}, "gap_at must be in"),
        ],
    )
    def test_bad_input(self, kwargs, match):
        with pytest.raises(ValueError, match=match):
            plot_soft_target_floor(**kwargs)


class TestPlotTrueLogitGradient:
    def test_curves(self):
        # |d(-log p_y)/dz_y| = 1 - p_y and |d(-p_y)/dz_y| = p_y (1 - p_y), checked against central
        # differences of the two losses along z_y for logits (z_y, 0, 0).
        ax = plot_true_logit_gradient(num=21)
        ce, no_log = ax.lines[:2]
        p_y = ce.get_xdata()
        np.testing.assert_allclose(p_y, np.linspace(0, 1, 21), rtol=0, atol=1e-15)
        inner = p_y[1:-1]
        z_y = np.log(2 * inner / (1 - inner))  # softmax((z_y, 0, 0))_0 = p_y
        h = 1e-6

        def p_true(z):
            return np.exp(z) / (np.exp(z) + 2)

        d_ce = (-np.log(p_true(z_y + h)) + np.log(p_true(z_y - h))) / (2 * h)
        d_no_log = (-p_true(z_y + h) + p_true(z_y - h)) / (2 * h)
        np.testing.assert_allclose(ce.get_ydata()[1:-1], np.abs(d_ce), rtol=1e-8)
        np.testing.assert_allclose(no_log.get_ydata()[1:-1], np.abs(d_no_log), rtol=1e-8)
        np.testing.assert_array_equal(ce.get_ydata()[[0, -1]], [1.0, 0.0])
        np.testing.assert_array_equal(no_log.get_ydata()[[0, -1]], [0.0, 0.0])
        plt.close("all")


class TestPlotGradientNoise:
    def test_lines(self):
        # Hand-computed: tr(Sigma) = 2, signal 0.1, so B_simple = 20; M = 100 gives the factor
        # (100 - N) / 99.
        ax = plot_gradient_noise([1, 4, 16], [2.1, 0.45, 0.1], 2.0, 0.1, population=100)
        with_repl, without, dots, signal, b_line = ax.lines
        n = with_repl.get_xdata()
        np.testing.assert_allclose(n[[0, -1]], [1, 16], rtol=1e-15)
        np.testing.assert_allclose(with_repl.get_ydata(), 2.0 / n, rtol=1e-15)
        np.testing.assert_allclose(without.get_ydata(), 2.0 / n * (100 - n) / 99, rtol=1e-15)
        np.testing.assert_allclose(dots.get_xydata(), [[1, 2.1], [4, 0.45], [16, 0.1]])
        np.testing.assert_allclose(signal.get_ydata(), [0.1, 0.1])
        np.testing.assert_allclose(b_line.get_xdata(), [20, 20], rtol=1e-15)
        assert ax.get_xscale() == "log" and ax.get_yscale() == "log"
        plt.close("all")

    def test_without_population(self):
        ax = plot_gradient_noise([1, 4], [1.0, 0.25], 1.0, 0.5)
        assert len(ax.lines) == 4
        plt.close("all")

    @pytest.mark.parametrize(
        ("args", "kwargs", "match"),
        [
            (([1, 2], [1.0], 1.0, 0.1), {}, "same length"),
            (([1, 2], [1.0, 0.0], 1.0, 0.1), {}, "must be > 0"),
            (([1, 200], [1.0, 0.1], 1.0, 0.1), {"population": 100}, "below the largest"),
        ],
    )
    def test_bad_input(self, args, kwargs, match):
        with pytest.raises(ValueError, match=match):
            plot_gradient_noise(*args, **kwargs)


class TestPlotValidationScale:
    def test_panels(self):
        # Hand-made data: the loss is smallest at t = 1, the error rate constant.
        scales = [0.25, 0.5, 1.0, 2.0, 4.0]
        losses = [1.3, 1.0, 0.9, 1.1, 1.8]
        errors = [0.35] * 5
        top, bottom = plot_validation_scale(scales, losses, errors)
        loss_line, best, t_one = top.lines
        np.testing.assert_array_equal(loss_line.get_xydata(), np.column_stack([scales, losses]))
        np.testing.assert_array_equal(best.get_xydata(), [[1.0, 0.9]])
        np.testing.assert_array_equal(t_one.get_xdata(), [1.0, 1.0])
        np.testing.assert_array_equal(
            bottom.lines[0].get_xydata(), np.column_stack([scales, errors])
        )
        np.testing.assert_array_equal(bottom.lines[1].get_xdata(), [1.0, 1.0])
        assert top.get_xscale() == bottom.get_xscale() == "log"
        assert top.get_xlim() == bottom.get_xlim() == (0.25, 4.0)
        assert bottom.get_ylim()[1] >= 0.35
        plt.close("all")

    def test_draws_on_given_axes(self):
        fig, pair = plt.subplots(2, 1)
        drawn = plot_validation_scale([0.5, 1.0], [1.0, 0.9], [0.2, 0.2], ax=pair)
        assert list(drawn) == list(pair)
        plt.close(fig)

    @pytest.mark.parametrize(
        ("args", "kwargs", "match", "error"),
        [
            (([1.0, 2.0], [1.0], [0.1, 0.1]), {}, "same length", ValueError),
            (([0.0, 2.0], [1.0, 1.0], [0.1, 0.1]), {}, "positive and increasing", ValueError),
            (([2.0, 1.0], [1.0, 1.0], [0.1, 0.1]), {}, "positive and increasing", ValueError),
            (([1.0, 2.0], [1.0, 1.0], [0.1, 0.1]), {"ax": "no"}, "two Axes", TypeError),
        ],
    )
    def test_bad_input(self, args, kwargs, match, error):
        with pytest.raises(error, match=match):
            plot_validation_scale(*args, **kwargs)
        plt.close("all")


class TestPlotExcessErrorBound:
    def test_curves(self):
        ax = plot_excess_error_bound(max_loss=0.75, num=51)
        bound, two_class = ax.lines[:2]
        delta = bound.get_xdata()
        np.testing.assert_allclose(delta, np.linspace(0, 0.75, 51), rtol=0, atol=1e-15)
        with mpmath.workdps(30):
            expected = [float(min(1, mpmath.sqrt(2 * mpmath.mpf(d)))) for d in delta]
        np.testing.assert_allclose(bound.get_ydata(), expected, rtol=RTOL)
        # The two-class curve is (KL(q || uniform), theta) for q = ((1 + theta)/2, (1 - theta)/2),
        # at 30 digits, and lies on or below the bound.
        theta = two_class.get_ydata()
        with mpmath.workdps(30):
            kl = [
                float(
                    sum(
                        qi * mpmath.log(2 * qi)
                        for qi in ((1 + mpmath.mpf(t)) / 2, (1 - mpmath.mpf(t)) / 2)
                        if qi > 0
                    )
                )
                for t in theta
            ]
        np.testing.assert_allclose(two_class.get_xdata(), kl, rtol=RTOL, atol=1e-300)
        assert theta[0] == 0 and theta[-1] < 1
        assert np.all(theta <= np.sqrt(2 * two_class.get_xdata()) * (1 + 1e-12) + 1e-300)
        assert len(ax.collections) == 0
        plt.close("all")

    def test_samples_and_legend_above_the_axes(self):
        ax = plot_excess_error_bound([0.1, 0.3], [0.2, 0.0])
        np.testing.assert_array_equal(ax.collections[0].get_offsets(), [[0.1, 0.2], [0.3, 0.0]])
        ax.figure.canvas.draw()
        legend_box = ax.get_legend().get_window_extent()
        assert legend_box.y0 >= ax.get_window_extent().y1
        labels = [t.get_text() for t in ax.get_legend().get_texts()]
        assert labels[0].startswith("bound") and labels[-1].startswith("random")
        plt.close("all")

    @pytest.mark.parametrize(
        ("args", "kwargs", "match"),
        [
            ((), {"max_loss": 0.0}, "max_loss must be positive"),
            (([0.1], [0.1, 0.2]), {}, "same length"),
        ],
    )
    def test_bad_input(self, args, kwargs, match):
        with pytest.raises(ValueError, match=match):
            plot_excess_error_bound(*args, **kwargs)
        plt.close("all")


class TestPlotSeparableDrift:
    def test_curves_and_guides(self):
        steps, losses, norms = [1, 10, 100], [0.5, 0.04, 0.003], [1.0, 2.0, 3.1]
        top, bottom = plot_separable_drift(steps, losses, norms, separator_norm=0.45)
        loss_line, loss_guide = top.lines
        np.testing.assert_array_equal(loss_line.get_xydata(), np.column_stack([steps, losses]))
        # c / t through the last point: c = 0.003 * 100 = 0.3
        np.testing.assert_allclose(loss_guide.get_ydata(), [0.3, 0.03, 0.003], rtol=1e-15)
        norm_line, norm_guide = bottom.lines
        np.testing.assert_array_equal(norm_line.get_xydata(), np.column_stack([steps, norms]))
        # 0.45 ln t + b through (100, 3.1), computed by hand
        b = 3.1 - 0.45 * float(mpmath.log(100))
        expected = [b, 0.45 * float(mpmath.log(10)) + b, 3.1]
        np.testing.assert_allclose(norm_guide.get_ydata(), expected, rtol=1e-14)
        assert top.get_xscale() == bottom.get_xscale() == "log" == top.get_yscale()
        assert top.get_xlim() == bottom.get_xlim() == (1.0, 100.0)
        plt.close("all")

    def test_draws_on_given_axes(self):
        fig, pair = plt.subplots(2, 1)
        drawn = plot_separable_drift([1, 2], [0.2, 0.1], [1.0, 1.3], 0.5, ax=pair)
        assert list(drawn) == list(pair)
        plt.close(fig)

    @pytest.mark.parametrize(
        ("args", "match"),
        [
            (([1, 2], [0.2], [1.0, 1.3], 0.5), "same length"),
            (([2, 1], [0.2, 0.1], [1.0, 1.3], 0.5), "increasing"),
            (([1, 2], [0.2, 0.0], [1.0, 1.3], 0.5), "losses positive"),
            (([1, 2], [0.2, 0.1], [1.0, 1.3], 0.0), "separator_norm must be positive"),
        ],
    )
    def test_rejects_bad_input(self, args, match):
        with pytest.raises(ValueError, match=match):
            plot_separable_drift(*args)
        plt.close("all")

    def test_rejects_bad_axes(self):
        fig, single = plt.subplots()
        with pytest.raises(TypeError, match="two Axes"):
            plot_separable_drift([1, 2], [0.2, 0.1], [1.0, 1.3], 0.5, ax=single)
        plt.close(fig)
