"""Tests of the figure helpers of the common-mistakes chapter, on the data they plot.

Expected curves are computed here independently of the package: with mpmath at 50 digits for
the transcendental ones, or by hand-derived closed forms in plain numpy.
"""

import matplotlib.pyplot as plt
import mpmath
import numpy as np
import pytest
from _accuracy import assert_relative, assert_ulp, exact
from matplotlib.axes import Axes

from xentbook.plots import (
    plot_clamped_loss,
    plot_class_axis_layouts,
    plot_double_softmax,
    plot_loss_without_log,
)


def _mp(f, xs):
    """Apply an mpmath function elementwise at 50 digits and round to float64."""
    with mpmath.workdps(50):
        return np.array([float(f(mpmath.mpf(float(x)))) for x in xs])


class TestPlotLossWithoutLog:
    P = np.array([1e-3, 0.01, 0.2, 0.5, 0.9, 1.0])

    def test_loss_panel_plots_minus_log_p_and_minus_p(self):
        axes = plot_loss_without_log(self.P)
        right, wrong = axes[0].lines[0], axes[0].lines[1]
        np.testing.assert_array_equal(right.get_xdata(), self.P)
        # -log p to 50 digits, rounded: the package may differ by an ulp or two.
        np.testing.assert_allclose(
            right.get_ydata(), _mp(lambda x: -mpmath.log(x), self.P), rtol=4e-16, atol=0
        )
        # -p is exact in floating point.
        np.testing.assert_array_equal(wrong.get_ydata(), -self.P)

    def test_gradient_panel_plots_derivatives_wrt_true_logit(self):
        axes = plot_loss_without_log(self.P)
        right, wrong = axes[1].lines[0], axes[1].lines[1]
        # Hand derivation for p_t = softmax(z)_t: d(-log p_t)/dz_t = p_t - 1 and
        # d(-p_t)/dz_t = -p_t (1 - p_t); the panel shows their absolute values.
        np.testing.assert_allclose(right.get_ydata(), 1 - self.P, rtol=0, atol=1e-16)
        np.testing.assert_allclose(wrong.get_ydata(), self.P * (1 - self.P), rtol=0, atol=1e-16)

    def test_wrong_loss_is_bounded_and_right_one_is_not(self):
        ydata = plot_loss_without_log()[0].lines
        wrong = ydata[1].get_ydata()
        assert wrong.min() >= -1
        assert wrong.max() <= 0
        assert ydata[0].get_ydata().max() > 6.9  # -log(0.001) = 6.9078

    def test_default_grid(self):
        p = plot_loss_without_log()[0].lines[0].get_xdata()
        assert p.size == 400
        assert p[0] == pytest.approx(1e-3, rel=1e-15)
        assert p[-1] == 1.0

    def test_draws_on_given_axes(self):
        _, given = plt.subplots(1, 2)
        axes = plot_loss_without_log(self.P, ax=given)
        assert axes[0] is given[0]
        assert axes[1] is given[1]
        assert len(given[0].lines) == 2
        assert len(given[1].lines) == 2

    @pytest.mark.parametrize("bad", [[0.0, 0.5], [0.5, 1.5], [-0.1, 0.5]])
    def test_refuses_probabilities_outside_0_1(self, bad):
        with pytest.raises(ValueError, match=r"^plot_loss_without_log: p must hold probabilities"):
            plot_loss_without_log(bad)

    def test_refuses_non_finite_and_short_grids(self):
        with pytest.raises(ValueError, match=r"^plot_loss_without_log: p must be finite"):
            plot_loss_without_log([0.5, np.nan])
        with pytest.raises(ValueError, match=r"^plot_loss_without_log: p must be a 1-d array"):
            plot_loss_without_log([0.5])
        with pytest.raises(TypeError, match=r"^plot_loss_without_log: p must be a real"):
            plot_loss_without_log(["a", "b"])

    def test_refuses_a_single_axes(self):
        _, one = plt.subplots()
        with pytest.raises(TypeError, match=r"^plot_loss_without_log: ax must be None or two Axes"):
            plot_loss_without_log(self.P, ax=one)


class TestPlotClampedLoss:
    M = np.array([-60.0, -40.0, -34.0, -5.0, 0.0, 3.0, 10.0, 40.0])

    def test_true_loss_is_softplus_of_minus_margin(self):
        axes = plot_clamped_loss(self.M)
        # -log sigmoid(m) = log(1 + e^{-m}) to 50 digits.
        expected = _mp(lambda m: mpmath.log1p(mpmath.exp(-m)), self.M)
        np.testing.assert_allclose(axes[0].lines[0].get_ydata(), expected, rtol=4e-16, atol=0)

    def test_clamped_loss_plateaus_at_minus_log_eps(self):
        axes = plot_clamped_loss(self.M)
        clamped = axes[0].lines[1].get_ydata()
        cap = float(exact(lambda e: -mpmath.log(e), 1e-15))  # 34.538776394910684
        # Margins -60 and -40 give sigma(m) < 1e-15: clamped to the cap (to rounding of log).
        np.testing.assert_allclose(clamped[:2], cap, rtol=4e-16)
        np.testing.assert_allclose(axes[0].lines[2].get_ydata(), [cap, cap], rtol=4e-16)
        # Inside the clamp (m = -34 .. 10) the clamped loss is -log sigmoid(m) evaluated as
        # -log of a rounded probability: relative error ~1e-16 / loss, so atol 1e-15 covers it.
        expected = _mp(lambda m: mpmath.log1p(mpmath.exp(-m)), self.M[2:7])
        np.testing.assert_allclose(clamped[2:7], expected, rtol=1e-14, atol=1e-15)
        # At m = 40 sigma(m) rounds to 1 > 1 - 1e-15: clamped to -log of the double nearest
        # 1 - 1e-15, about 9.99e-16; np.log is accurate to an ulp or two of its result.
        assert_ulp(clamped[7], exact(lambda q: -mpmath.log(q), 1.0 - 1e-15), 4)

    def test_gradients(self):
        axes = plot_clamped_loss(self.M)
        true_grad, clamped_grad = axes[1].lines[0].get_ydata(), axes[1].lines[1].get_ydata()
        # d softplus(-m)/dm = -1 / (1 + e^m) = sigmoid(m) - 1.
        expected = _mp(lambda m: -1 / (1 + mpmath.exp(m)), self.M)
        np.testing.assert_allclose(true_grad, expected, rtol=1e-15, atol=1e-16)
        # The clamp is flat outside (eps, 1 - eps): zero there, the true slope inside.
        np.testing.assert_array_equal(clamped_grad[[0, 1, 7]], 0.0)
        np.testing.assert_array_equal(clamped_grad[2:7], true_grad[2:7])

    def test_other_eps_moves_the_plateau(self):
        axes = plot_clamped_loss(np.array([-30.0, -20.0]), eps=1e-7)
        # sigmoid(-30) ~ 9.4e-14 and sigmoid(-20) ~ 2.1e-9 are both below 1e-7.
        np.testing.assert_allclose(axes[0].lines[1].get_ydata(), -np.log(1e-7), rtol=1e-15)

    def test_legend_shows_eps_as_a_power_of_ten(self):
        axes = plot_clamped_loss(self.M)
        assert axes[0].lines[1].get_label() == r"clamped at $\epsilon = 10^{-15}$"
        axes = plot_clamped_loss(self.M, eps=2.5e-3)
        assert axes[0].lines[1].get_label() == r"clamped at $\epsilon = 2.5 \times 10^{-3}$"

    def test_default_grid(self):
        m = plot_clamped_loss()[0].lines[0].get_xdata()
        assert m.size == 701
        assert m[0] == -60.0
        assert m[-1] == 10.0

    @pytest.mark.parametrize("eps", [0.0, 0.5, -1e-3, 2.0])
    def test_refuses_bad_eps(self, eps):
        with pytest.raises(ValueError, match=r"^plot_clamped_loss: eps must be in \(0, 0.5\)"):
            plot_clamped_loss(self.M, eps=eps)

    def test_refuses_non_number_eps_and_bad_margin(self):
        with pytest.raises(TypeError, match=r"^plot_clamped_loss: eps must be a number"):
            plot_clamped_loss(self.M, eps="1e-15")
        with pytest.raises(ValueError, match=r"^plot_clamped_loss: margin must be finite"):
            plot_clamped_loss([0.0, np.inf])
        with pytest.raises(ValueError, match=r"^plot_clamped_loss: margin must be a 1-d"):
            plot_clamped_loss(np.zeros((2, 2)))


class TestPlotDoubleSoftmax:
    M = np.array([-5.0, 0.0, 2.0, 10.0, 40.0])

    @staticmethod
    def _right(m, c):
        # Logits (m, 0, ..., 0), target 0: log(e^m + C - 1) - m, to 50 digits.
        return _mp(lambda x: mpmath.log(mpmath.exp(x) + c - 1) - x, m)

    @staticmethod
    def _wrong(m, c):
        # q = softmax(z): q0 = e^m / (e^m + C - 1), the others (1 - q0) / (C - 1); the loss
        # then applies its own softmax to q: log(e^q0 + (C - 1) e^q1) - q0, to 50 digits.
        def one(x):
            q0 = mpmath.exp(x) / (mpmath.exp(x) + c - 1)
            q1 = (1 - q0) / (c - 1)
            return mpmath.log(mpmath.exp(q0) + (c - 1) * mpmath.exp(q1)) - q0

        return _mp(one, m)

    @pytest.mark.parametrize("c", [2, 3, 10])
    def test_curves(self, c):
        ax = plot_double_softmax(c, self.M)[0]
        # A few ulp of the package's cross-entropy, relative even where the loss is 4e-18.
        assert_relative(ax.lines[0].get_ydata(), self._right(self.M, c), rtol=1e-14)
        np.testing.assert_allclose(
            ax.lines[1].get_ydata(), self._wrong(self.M, c), rtol=1e-14, atol=0
        )

    @staticmethod
    def _grad_norms(m, c):
        # By hand, to 50 digits: s = softmax(m, 0, ..., 0). The right gradient is s - e_0. The
        # wrong loss is CE(softmax(s), 0), whose gradient with respect to s is g = q - e_0 with
        # q = softmax(s); the chain rule through s = softmax(z) gives s_k (g_k - sum_j s_j g_j).
        def both(x):
            s0 = mpmath.exp(x) / (mpmath.exp(x) + c - 1)
            s1 = (1 - s0) / (c - 1)
            right = mpmath.sqrt((1 - s0) ** 2 + (c - 1) * s1**2)
            q0 = mpmath.exp(s0) / (mpmath.exp(s0) + (c - 1) * mpmath.exp(s1))
            q1 = (1 - q0) / (c - 1)
            g0, g1 = q0 - 1, q1
            mean = s0 * g0 + (c - 1) * s1 * g1
            wrong = mpmath.sqrt((s0 * (g0 - mean)) ** 2 + (c - 1) * (s1 * (g1 - mean)) ** 2)
            return right, wrong

        with mpmath.workdps(50):
            pairs = [both(mpmath.mpf(float(x))) for x in m]
        return np.array([float(r) for r, _ in pairs]), np.array([float(w) for _, w in pairs])

    @pytest.mark.parametrize("c", [2, 3, 10])
    def test_gradient_panel(self, c):
        grad = plot_double_softmax(c, self.M)[1]
        right, wrong = self._grad_norms(self.M, c)
        # A few ulp of float64 on each norm, even at m = 40 where s_0 rounds to 1 and a naive
        # 1 - s_0 would lose every digit.
        np.testing.assert_allclose(grad.lines[0].get_ydata(), right, rtol=1e-13, atol=0)
        np.testing.assert_allclose(grad.lines[1].get_ydata(), wrong, rtol=1e-13, atol=0)
        # At m = 0 (index 1) the wrong gradient is exactly C times smaller.
        ratio = grad.lines[0].get_ydata()[1] / grad.lines[1].get_ydata()[1]
        np.testing.assert_allclose(ratio, c, rtol=1e-13)

    def test_reference_lines(self):
        ax = plot_double_softmax(10, self.M)[0]
        np.testing.assert_allclose(ax.lines[2].get_ydata(), np.log(10), rtol=1e-15)
        floor = float(exact(lambda: mpmath.log(mpmath.e + 9) - 1))  # 1.4614...
        np.testing.assert_allclose(ax.lines[3].get_ydata(), floor, rtol=1e-15)
        # At m = 0 both losses equal log C; the wrong one never goes below the floor.
        np.testing.assert_allclose(ax.lines[0].get_ydata()[1], np.log(10), rtol=1e-15)
        np.testing.assert_allclose(ax.lines[1].get_ydata()[1], np.log(10), rtol=1e-15)
        # (at m = 40 it sits on the floor up to rounding, hence the 1e-15 slack).
        assert (ax.lines[1].get_ydata() >= floor - 1e-15).all()

    def test_default_grid_and_given_axes(self):
        _, given = plt.subplots()
        ax = plot_double_softmax(ax=given)  # a single Axes: the loss panel only
        assert ax is given
        assert isinstance(ax, Axes)
        assert len(ax.lines) == 4
        _, pair = plt.subplots(2, 1)
        axes = plot_double_softmax(ax=pair)
        assert axes[0] is pair[0] and axes[1] is pair[1]
        assert axes[1].get_yscale() == "log"
        m = ax.lines[0].get_xdata()
        assert m.size == 401
        assert m[0] == -5.0
        assert m[-1] == 15.0

    def test_refuses_bad_num_classes(self):
        with pytest.raises(ValueError, match=r"^plot_double_softmax: num_classes must be at least"):
            plot_double_softmax(1)
        with pytest.raises(TypeError, match=r"^plot_double_softmax: num_classes must be an int"):
            plot_double_softmax(3.0)
        with pytest.raises(TypeError, match=r"^plot_double_softmax: num_classes must be an int"):
            plot_double_softmax(True)

    def test_refuses_bad_margin(self):
        with pytest.raises(ValueError, match=r"^plot_double_softmax: margin must be finite"):
            plot_double_softmax(3, [0.0, np.nan])


class TestPlotInitialLoss:
    def test_curves_are_the_mean_loss_of_the_seeded_draws(self):
        from scipy.special import logsumexp

        from xentbook.plots import plot_initial_loss

        sigma = np.array([0.05, 1.0, 20.0])
        ax = plot_initial_loss((3, 50), sigma, samples=200, seed=7)
        rng = np.random.default_rng(7)
        for k, c in enumerate((3, 50)):
            noise = rng.standard_normal((200, c))
            # Independent reference: SciPy's logsumexp minus the logit of class 0.
            expected = [np.mean(logsumexp(s * noise, axis=1) - s * noise[:, 0]) for s in sigma]
            np.testing.assert_allclose(ax.lines[2 * k].get_ydata(), expected, rtol=1e-13)
            np.testing.assert_array_equal(ax.lines[2 * k + 1].get_ydata(), np.log(c))

    def test_small_spread_sits_at_log_c_plus_half_the_variance(self):
        from xentbook.plots import plot_initial_loss

        # Hand derivation: E[loss] = log C + sigma^2 (1 - 1/C) / 2 + O(sigma^4). The loss of one
        # draw has standard deviation about sigma * sqrt(1 - 1/C), so the mean of n draws is
        # allowed four standard errors; the O(sigma^4) term is below 1e-5 here.
        sigma, n = np.array([0.1, 0.2]), 200_000
        ax = plot_initial_loss((10,), sigma, samples=n, seed=0)
        excess = ax.lines[0].get_ydata() - np.log(10)
        np.testing.assert_allclose(
            excess, 0.5 * sigma**2 * 0.9, rtol=0, atol=4 * 0.2 * np.sqrt(0.9 / n)
        )

    def test_mark_labels_are_legible_and_the_last_faces_right(self):
        from xentbook.plots import plot_initial_loss

        marks = {"b": 1.0, "a": 0.58, "c": 1.32}
        ax = plot_initial_loss((10,), np.array([0.1, 1.0]), samples=10, marks=marks)
        labels = {t.get_text(): t for t in ax.texts}
        assert [line.get_xdata()[0] for line in ax.lines[2:]] == [0.58, 1.0, 1.32]
        assert [labels[k].get_ha() for k in "abc"] == ["right", "right", "left"]
        assert min(t.get_fontsize() for t in ax.texts) >= 10

    def test_rejects_a_single_class(self):
        from xentbook.plots import plot_initial_loss

        with pytest.raises(ValueError, match=r"^plot_initial_loss: num_classes must hold"):
            plot_initial_loss((1,))


class TestPlotBuggyTraining:
    def test_one_legend_outside_the_panels(self):
        from types import SimpleNamespace

        from xentbook.plots import plot_buggy_training

        runs = {
            "a": SimpleNamespace(reported_loss=np.array([1.0, 0.5]), accuracy=np.array([0.5, 1])),
            "b": SimpleNamespace(reported_loss=np.array([0.0, -3.0]), accuracy=np.array([0.5, 0])),
        }
        top, bottom = plot_buggy_training(runs)
        np.testing.assert_array_equal(top.lines[1].get_ydata(), [0.0, -3.0])
        np.testing.assert_array_equal(bottom.lines[0].get_ydata(), [0.5, 1.0])
        assert top.get_legend() is None and bottom.get_legend() is None
        (legend,) = top.figure.legends
        assert [t.get_text() for t in legend.get_texts()] == ["a", "b"]


class TestPlotClassAxisLayouts:
    @pytest.mark.parametrize(("c", "t"), [(3, 2), (2, 5), (4, 4)])
    def test_cells_follow_numpy_reshape(self, c, t):
        ax = plot_class_axis_layouts(c, t)
        texts = [x.get_text() for x in ax.texts]
        # Independent reference: NumPy's own reshape of the labelled (1, C, T) array.
        labels = np.array([[[f"c{k}t{j}" for j in range(t)] for k in range(c)]])
        n = c * t
        assert texts[:n] == labels.ravel().tolist()
        assert texts[n : 2 * n] == labels.reshape(-1, c).ravel().tolist()
        assert texts[2 * n : 3 * n] == np.swapaxes(labels, 1, 2).reshape(-1, c).ravel().tolist()
        # Each row after moving the axis is one position: its colour is uniform.
        patches = ax.patches[2 * n : 3 * n]
        for row in range(t):
            colours = {patches[row * c + k].get_facecolor() for k in range(c)}
            assert len(colours) == 1
        assert min(x.get_fontsize() for x in ax.texts) >= 10

    def test_refuses_bad_sizes(self):
        with pytest.raises(ValueError, match=r"^plot_class_axis_layouts: num_classes must be"):
            plot_class_axis_layouts(1, 2)
        with pytest.raises(TypeError, match=r"^plot_class_axis_layouts: length must be an int"):
            plot_class_axis_layouts(3, 2.0)
