"""Tests of the chapter 7 and 8 figures: each curve against a direct computation.

Direct computations use scipy.special (logsumexp, softmax, expit), independent of xentbook.
Curves are computed in float64 by careful routines on both sides, so rtol 1e-12 leaves room
for a few ulp of rounding differences and nothing else.
"""

import mpmath
import numpy as np
import pytest
from scipy.special import expit, log_expit, logsumexp
from scipy.special import softmax as sp_softmax

from xentbook.book import train_softmax_regression
from xentbook.plots import (
    COLORS,
    new_axes,
    plot_ce_vs_mse,
    plot_curvature_vs_confidence,
    plot_finite_difference_error,
    plot_gradient_norm_bounds,
    plot_loss_and_gradient_along_logit,
    plot_loss_contour,
    plot_loss_gap_per_step,
    plot_target_entry_error,
    plot_training_curves,
)

RTOL = 1e-12


class TestPlotLossAndGradientAlongLogit:
    @pytest.mark.parametrize("index", [0, 1, 2])
    def test_curves_match_direct_computation(self, index):
        z = np.array([2.0, 1.0, 0.1])
        target = 1
        ax = plot_loss_and_gradient_along_logit(z, target, index, span=4.0, num=81)
        moved = ax.lines[0].get_xdata()
        np.testing.assert_allclose(moved, z[index] + np.linspace(-4, 4, 81), rtol=RTOL)
        batch = np.tile(z, (81, 1))
        batch[:, index] = moved
        loss = logsumexp(batch, axis=1) - batch[:, target]
        grad = sp_softmax(batch, axis=1)[:, index] - (index == target)
        np.testing.assert_allclose(ax.lines[0].get_ydata(), loss, rtol=RTOL)
        slope = ax.right_ax.lines[0].get_ydata()
        np.testing.assert_allclose(slope, grad, rtol=RTOL, atol=1e-15)

    def test_gradient_stays_within_its_limits(self):
        ax = plot_loss_and_gradient_along_logit([0.0, 0.0, 0.0], 0, 0, span=30.0)
        grad = ax.right_ax.lines[0].get_ydata()
        assert grad.min() >= -1
        assert grad.max() <= 0
        ax = plot_loss_and_gradient_along_logit([0.0, 0.0, 0.0], 0, 2, span=30.0)
        grad = ax.right_ax.lines[0].get_ydata()
        assert grad.min() >= 0
        assert grad.max() <= 1

    def test_draws_on_given_axes(self):
        ax = new_axes()
        assert plot_loss_and_gradient_along_logit([1.0, 0.0], 0, 1, ax=ax) is ax

    @pytest.mark.parametrize(("index", "limits"), [(1, (-1.0, 0.0)), (0, (0.0, 1.0))])
    def test_slope_on_its_own_panel(self, index, limits):
        z = np.array([2.0, 1.0, 0.1])
        loss_ax, slope_ax = new_axes(nrows=2)
        ax = plot_loss_and_gradient_along_logit(
            z, 1, index, span=3.0, ax=loss_ax, slope_ax=slope_ax
        )
        assert ax is loss_ax and ax.right_ax is slope_ax
        assert len(loss_ax.figure.axes) == 2  # no twin axes added
        moved = slope_ax.lines[0].get_xdata()
        expected = sp_softmax(np.where(np.arange(3) == index, moved[:, None], z), axis=1)
        grad = expected[:, index] - (index == 1)
        np.testing.assert_allclose(slope_ax.lines[0].get_ydata(), grad, rtol=RTOL, atol=1e-15)
        levels = sorted(line.get_ydata()[0] for line in slope_ax.lines[1:3])
        assert levels == list(limits)
        assert slope_ax.get_ylim() == pytest.approx((limits[0] - 0.1, limits[1] + 0.1), abs=1e-12)
        assert slope_ax.get_xlim() == loss_ax.get_xlim()
        assert loss_ax.get_xlabel() == "" and slope_ax.get_xlabel() == f"logit $z_{index}$"

    def test_bad_index_raises(self):
        with pytest.raises(IndexError, match="plot_loss_and_gradient_along_logit: index 3"):
            plot_loss_and_gradient_along_logit([1.0, 0.0, 0.0], 0, 3)

    def test_bad_target_raises(self):
        with pytest.raises(IndexError, match="plot_loss_and_gradient_along_logit: target 5"):
            plot_loss_and_gradient_along_logit([1.0, 0.0, 0.0], 5, 0)

    def test_non_integer_index_raises(self):
        with pytest.raises(TypeError, match="plot_loss_and_gradient_along_logit: index must be"):
            plot_loss_and_gradient_along_logit([1.0, 0.0, 0.0], 0, 1.5)

    def test_bad_logits_shape_raises(self):
        with pytest.raises(ValueError, match="plot_loss_and_gradient_along_logit: z must be 1-d"):
            plot_loss_and_gradient_along_logit([[1.0, 0.0]], 0, 0)


class TestPlotCeVsMse:
    @pytest.mark.parametrize("target", [1.0, 0.0])
    def test_curves_match_direct_computation(self, target):
        grid = plot_ce_vs_mse(target, z_range=(-10, 10), num=101)
        assert grid.shape == (2, 2)
        p = np.linspace(1e-3, 1 - 1e-3, 101)
        z = np.linspace(-10, 10, 101)
        s = expit(z)
        ce_p = -(target * np.log(p) + (1 - target) * np.log1p(-p))
        # dCE/dp = -y/p + (1 - y)/(1 - p); (y - p)^2 and its derivative 2 (p - y).
        dce_p = -target / p + (1 - target) / (1 - p)
        # CE in the logit: -[y log s + (1 - y) log(1 - s)] with log s = log_expit(z).
        ce_z = -(target * log_expit(z) + (1 - target) * log_expit(-z))
        expected = {
            (0, 0): (ce_p, (p - target) ** 2),
            (0, 1): (dce_p, 2 * (p - target)),
            (1, 0): (ce_z, (s - target) ** 2),
            (1, 1): (s - target, 2 * (s - target) * s * (1 - s)),
        }
        for (r, c), (ce, sq) in expected.items():
            lines = grid[r, c].lines
            np.testing.assert_allclose(lines[0].get_ydata(), ce, rtol=1e-9, atol=1e-15)
            np.testing.assert_allclose(lines[1].get_ydata(), sq, rtol=1e-9, atol=1e-15)
            assert lines[0].get_color() == COLORS["ce"]
            assert lines[1].get_color() == COLORS["mse"]

    def test_mse_gradient_saturates_where_ce_does_not(self):
        grid = plot_ce_vs_mse(1.0, z_range=(-10, 10), num=101)
        ce, sq = (line.get_ydata() for line in grid[1, 1].lines)
        # At z = -10 (the first point), sigma = 4.54e-5: CE's slope is about -1 while the
        # squared error's is about -9.1e-5, four orders of magnitude smaller.
        assert ce[0] == pytest.approx(-1.0, abs=1e-4)
        assert sq[0] == pytest.approx(-9.08e-5, rel=1e-3)

    @pytest.mark.parametrize("target", [1.5, -0.1, "1"])
    def test_bad_target_raises(self, target):
        with pytest.raises(ValueError, match="plot_ce_vs_mse: target must be a number in"):
            plot_ce_vs_mse(target)

    def test_draws_on_given_axes(self):
        given = new_axes(nrows=2, ncols=2)
        grid = plot_ce_vs_mse(axes=given)
        assert grid[0, 0] is given[0, 0]
        assert len(given[1, 1].lines) == 2


class TestPlotTrainingCurves:
    def test_curves_are_the_histories(self):
        X = np.array([[0.0, 1.0], [1.0, 0.0], [1.0, 1.0], [0.0, 0.0]])
        y = np.array([0, 1, 1, 0])
        runs = {
            "CE": train_softmax_regression(X, y, epochs=5),
            "MSE": train_softmax_regression(X, y, loss="mse", epochs=5),
        }
        loss_ax, acc_ax = plot_training_curves(runs)
        for k, run in enumerate(runs.values()):
            np.testing.assert_array_equal(loss_ax.lines[k].get_ydata(), run.loss)
            np.testing.assert_array_equal(acc_ax.lines[k].get_ydata(), run.accuracy)
            np.testing.assert_array_equal(loss_ax.lines[k].get_xdata(), np.arange(6))
        assert loss_ax.get_yscale() == "log"
        assert loss_ax.lines[0].get_color() == COLORS["ce"]
        assert loss_ax.lines[1].get_color() == COLORS["mse"]
        assert acc_ax.lines[0].get_label().startswith("CE (final ")

    def test_explicit_colours_and_given_axes(self):
        class Run:
            loss = (1.0, 0.5)
            accuracy = (0.5, 1.0)

        given = new_axes(ncols=2)
        pair = plot_training_curves({"a run": Run()}, colors={"a run": "#000000"}, axes=given)
        assert pair[0] is given[0]
        assert pair[1].lines[0].get_color() == "#000000"

    def test_no_history_raises(self):
        with pytest.raises(ValueError, match="plot_training_curves: histories must hold"):
            plot_training_curves({})


class TestPlotCurvatureVsConfidence:
    def test_points_are_the_top_eigenvalues(self):
        probs = np.random.default_rng(11).dirichlet(np.full(5, 0.4), size=200)
        ax = plot_curvature_vs_confidence(probs)
        offsets = ax.collections[0].get_offsets()
        expected = [np.linalg.eigvalsh(np.diag(p) - np.outer(p, p))[-1] for p in probs]
        np.testing.assert_allclose(offsets[:, 0], probs.max(axis=1), rtol=0, atol=0)
        np.testing.assert_allclose(offsets[:, 1], expected, rtol=1e-12, atol=1e-15)

    def test_envelope_bounds_every_point_and_is_attained(self):
        probs = np.random.default_rng(12).dirichlet(np.full(6, 0.3), size=500)
        ax = plot_curvature_vs_confidence(probs)
        q, top = ax.collections[0].get_offsets().T
        # Hand derivation: H <= diag(p) gives q; Gershgorin's rows 2 p_i (1 - p_i) give
        # 2 q (1 - q) once q >= 1/2.
        assert np.all(top <= np.minimum(q, 2 * q * (1 - q)) + 1e-12)
        envelope_q = ax.lines[0].get_xdata()
        np.testing.assert_allclose(envelope_q[[0, -1]], [1 / 6, 1.0], rtol=1e-15)
        # Attained: p = (1/2, 1/2, 0, ...) has top eigenvalue 1/2; (q, 1 - q) has 2 q (1 - q).
        two = plot_curvature_vs_confidence([[0.8, 0.2, 0.0, 0.0, 0.0, 0.0]])
        assert two.collections[0].get_offsets()[0, 1] == pytest.approx(0.32, rel=1e-12)
        assert ax.lines[1].get_ydata()[0] == 0.5

    def test_bad_probs_raise(self):
        with pytest.raises(ValueError, match="plot_curvature_vs_confidence: probs must have"):
            plot_curvature_vs_confidence([0.5, 0.5])
        with pytest.raises(ValueError, match="plot_curvature_vs_confidence: each row"):
            plot_curvature_vs_confidence([[0.5, 0.6]])


class TestPlotLossContour:
    def test_contour_lines_lie_on_their_levels(self):
        ax = plot_loss_contour(span=5.0, num=401)
        contours = ax.collections[0]
        for level, segments in zip(contours.levels, contours.allsegs, strict=True):
            points = np.concatenate(segments)
            loss = logsumexp(np.column_stack([np.zeros(len(points)), points]), axis=1)
            # Linear interpolation on a grid of step 0.025 is accurate to about 1e-4 here.
            np.testing.assert_allclose(loss, level, rtol=0, atol=1e-3)

    def test_arrows_are_the_negative_gradient(self):
        ax = plot_loss_contour(span=3.0, num=11, arrows=4, point=(1.0, -0.9))
        arrows = ax.collections[1]
        d1, d2 = arrows.X, arrows.Y
        p = sp_softmax(np.column_stack([np.zeros(d1.size), d1, d2]), axis=1)
        np.testing.assert_allclose(arrows.U, -p[:, 1], rtol=1e-12)
        np.testing.assert_allclose(arrows.V, -p[:, 2], rtol=1e-12)
        np.testing.assert_array_equal(ax.lines[0].get_xydata(), [[1.0, -0.9]])

    def test_labels_sit_in_the_column_left_free_of_arrows(self):
        ax = plot_loss_contour(span=6.0, point=(1.0, -0.9))
        columns = np.unique(ax.collections[1].X)
        labels = ax.collections[0].labelTexts
        # Every level from 0.1 to 5 is labelled once, on its own contour: at d1 = x the
        # level L is crossed at d2 = log(e^L - 1 - e^x).
        assert [t.get_text() for t in labels] == ["0.1", "0.25", "0.5", "1", "2", "3", "4", "5"]
        for text in labels:
            x, y = text.get_position()
            # The arrow grid's columns are 1.2 apart; the labels' column is the one before.
            assert x == pytest.approx(columns[0] - 1.2, abs=1e-3)
            level = float(text.get_text())
            assert y == pytest.approx(np.log(np.expm1(level) - np.exp(x)), abs=0.05)

    def test_bad_arguments_raise(self):
        with pytest.raises(ValueError, match="plot_loss_contour: span must be"):
            plot_loss_contour(span=-1.0)
        with pytest.raises(ValueError, match="plot_loss_contour: num and arrows"):
            plot_loss_contour(num=1)


class TestPlotGradientNormBounds:
    def test_points_and_bounds(self):
        rng = np.random.default_rng(21)
        z = rng.normal(scale=3.0, size=(300, 5))
        t = rng.integers(0, 5, size=300)
        ax = plot_gradient_norm_bounds(z, t)
        x, y = ax.collections[0].get_offsets().T
        p = sp_softmax(z, axis=1)
        grad = p - np.eye(5)[t]
        np.testing.assert_allclose(x, 1 - p[np.arange(300), t], rtol=1e-12, atol=1e-15)
        np.testing.assert_allclose(y, np.linalg.norm(grad, axis=1), rtol=1e-12)
        lower, upper = (line.get_ydata()[-1] for line in ax.lines[:2])
        assert lower == pytest.approx(np.sqrt(5 / 4), rel=1e-15)
        assert upper == pytest.approx(np.sqrt(2), rel=1e-15)
        # Hand derivation: the wrong mass has squared norm between (1-p_y)^2/(C-1) and (1-p_y)^2.
        assert np.all(y >= np.sqrt(5 / 4) * x * (1 - 1e-12))
        assert np.all(y <= np.sqrt(2) * x * (1 + 1e-12))

    def test_bad_arguments_raise(self):
        with pytest.raises(ValueError, match="plot_gradient_norm_bounds: logits must have"):
            plot_gradient_norm_bounds([1.0, 2.0], [0])
        with pytest.raises(ValueError, match="plot_gradient_norm_bounds: targets must be 1"):
            plot_gradient_norm_bounds([[1.0, 2.0]], [0.5])


class TestPlotFiniteDifferenceError:
    def test_errors_of_a_quadratic(self):
        # f = x0^2 + 3 x1: forward difference error is exactly h in the first coordinate
        # (truncation), central difference is exact up to rounding.
        steps = np.array([1e-3, 1e-2, 1e-1])
        ax = plot_finite_difference_error(
            lambda v: v[0] ** 2 + 3 * v[1], [0.5, 2.0], [1.0, 3.0], steps=steps
        )
        np.testing.assert_array_equal(ax.lines[0].get_xdata(), steps)
        np.testing.assert_allclose(ax.lines[0].get_ydata(), steps, rtol=1e-9)
        assert np.all(ax.lines[1].get_ydata() < 1e-12)

    def test_v_shape_for_cross_entropy(self):
        z = np.array([2.0, 1.0, 0.1])
        exact = sp_softmax(z) - np.eye(3)[1]
        ax = plot_finite_difference_error(lambda v: logsumexp(v) - v[1], z, exact)
        h, central = ax.lines[1].get_xdata(), ax.lines[1].get_ydata()
        best = h[np.argmin(central)]
        # Rounding ~ eps/h and truncation ~ h^2 balance near eps^(1/3) = 6e-6.
        assert 1e-7 < best < 1e-4
        assert central.min() < 1e-10
        assert central[0] > 1e-4 and central[-1] > 1e-4

    def test_bad_arguments_raise(self):
        with pytest.raises(ValueError, match="plot_finite_difference_error: x and exact"):
            plot_finite_difference_error(np.sum, [1.0, 2.0], [1.0])
        with pytest.raises(ValueError, match="plot_finite_difference_error: steps must be"):
            plot_finite_difference_error(np.sum, [1.0], [1.0], steps=[0.0])


class TestPlotTargetEntryError:
    def test_errors_against_mpmath(self):
        margins = np.array([1.0, 10.0, 15.0, 20.0, 40.0])
        ax = plot_target_entry_error(margins)
        with mpmath.workdps(40):
            exact = [float(-3 * mpmath.exp(-a) / (1 + 3 * mpmath.exp(-a))) for a in margins]
        for k, dtype in ((0, np.float32), (1, np.float64)):
            z = np.zeros((5, 4), dtype=dtype)
            z[:, 0] = margins
            naive = (sp_softmax(z.astype(np.float64), axis=1)[:, 0]).astype(dtype) - dtype(1)
            rel = np.abs((naive.astype(np.float64) - exact) / exact)
            # The naive curves differ from scipy's only in the rounding of p_y; compare the
            # regime: relative error 1 where p_y - 1 rounds to zero, small where it does not.
            drawn = ax.lines[k].get_ydata()
            np.testing.assert_array_equal(drawn == 1.0, rel == 1.0)
        careful32, careful64 = ax.lines[2].get_ydata(), ax.lines[3].get_ydata()
        assert np.all(careful32 < 4 * 2.0**-24)
        assert np.all(careful64 < 4 * 2.0**-53)
        # float32 loses the entry at a = 20 and 40, float64 only at a = 40.
        np.testing.assert_array_equal(ax.lines[0].get_ydata()[3:], 1.0)
        np.testing.assert_array_equal(ax.lines[1].get_ydata()[4:], 1.0)
        assert ax.lines[1].get_ydata()[3] < 1e-6

    def test_guide_is_u_over_missing_probability(self):
        ax = plot_target_entry_error([5.0])
        missing = 3 * np.exp(-5.0) / (1 + 3 * np.exp(-5.0))
        assert ax.lines[4].get_ydata()[0] == pytest.approx(2.0**-24 / missing, rel=1e-12)
        assert ax.lines[5].get_ydata()[0] == pytest.approx(2.0**-53 / missing, rel=1e-12)

    def test_bad_arguments_raise(self):
        with pytest.raises(ValueError, match="plot_target_entry_error: margins must be"):
            plot_target_entry_error([])
        with pytest.raises(ValueError, match="plot_target_entry_error: num_classes must be at"):
            plot_target_entry_error([1.0], num_classes=1)


class TestLossGapPerStep:
    def test_lines_are_loss_minus_minimum(self):
        # Exact binary fractions: the differences are exact.
        gd, newton = [1.0, 0.75, 0.625], [1.0, 0.5 + 2.0**-20]
        ax = plot_loss_gap_per_step({"gd": gd, "newton": newton}, 0.5)
        np.testing.assert_array_equal(ax.lines[0].get_xdata(), [0, 1, 2])
        np.testing.assert_array_equal(ax.lines[0].get_ydata(), [0.5, 0.25, 0.125])
        np.testing.assert_array_equal(ax.lines[1].get_ydata(), [0.5, 2.0**-20])
        assert ax.get_yscale() == "log"
        assert [line.get_label() for line in ax.lines] == ["gd", "newton"]
        assert ax.lines[0].get_color() == COLORS["ce"]
        assert ax.lines[1].get_color() == COLORS["accent"]

    def test_bad_arguments_raise(self):
        with pytest.raises(ValueError, match="plot_loss_gap_per_step: losses must hold"):
            plot_loss_gap_per_step({}, 0.0)
        with pytest.raises(ValueError, match="must be a non-empty 1-d sequence"):
            plot_loss_gap_per_step({"a": []}, 0.0)
        with pytest.raises(ValueError, match="must be above minimum"):
            plot_loss_gap_per_step({"a": [1.0, 0.5]}, 0.5)
