"""Tests of the binary cross-entropy figures, on the data they plot."""

import numpy as np
import pytest
from matplotlib.axes import Axes

from xentbook import binary_cross_entropy_with_logits
from xentbook.plots import new_axes, plot_bce_vs_logit, plot_pos_weight_optimum


class TestPlotBceVsLogit:
    def test_curves_are_softplus_of_minus_x_and_x(self):
        x = np.linspace(-5, 5, 11)
        ax = plot_bce_vs_logit(x)
        assert isinstance(ax, Axes)
        # Independent formula: softplus(t) = log(1 + e^t) via logaddexp, accurate to ~1 ulp.
        np.testing.assert_allclose(ax.lines[0].get_ydata(), np.logaddexp(0, -x), rtol=1e-14)
        np.testing.assert_allclose(ax.lines[1].get_ydata(), np.logaddexp(0, x), rtol=1e-14)
        np.testing.assert_array_equal(ax.lines[2].get_ydata(), np.maximum(-x, 0))
        np.testing.assert_array_equal(ax.lines[0].get_xdata(), x)

    def test_default_grid_and_given_axes(self):
        target = new_axes()
        ax = plot_bce_vs_logit(ax=target)
        assert ax is target
        xs = ax.lines[0].get_xdata()
        assert len(xs) == 400
        assert xs[0] == -6
        assert xs[-1] == 6
        # Both curves meet at x = 0 at log 2 (checked on the package's own loss).
        np.testing.assert_allclose(
            binary_cross_entropy_with_logits([0.0], [1.0]), np.log(2), rtol=1e-15
        )


class TestPlotPosWeightOptimum:
    def test_curves_minimize_expected_weighted_loss(self):
        ax = plot_pos_weight_optimum(pos_weights=(0.5, 3.0))
        pi = ax.lines[0].get_xdata()
        # Check p* against a brute-force minimization of r*pi*(-log p) + (1 - pi)*(-log(1 - p))
        # over a fine grid of p (spacing 1e-5: agreement to about 1e-5).
        grid = np.linspace(1e-6, 1 - 1e-6, 100001)
        for line, r in zip(ax.lines[:2], (0.5, 3.0), strict=True):
            for i in (20, 100, 170):
                loss = -r * pi[i] * np.log(grid) - (1 - pi[i]) * np.log1p(-grid)
                assert abs(line.get_ydata()[i] - grid[np.argmin(loss)]) < 2e-5
        np.testing.assert_array_equal(ax.lines[-1].get_ydata(), pi)  # the diagonal r = 1

    def test_one_line_per_weight_plus_diagonal(self):
        ax = plot_pos_weight_optimum()
        assert len(ax.lines) == 4  # three weights and the diagonal

    def test_bad_weights(self):
        with pytest.raises(
            ValueError, match="plot_pos_weight_optimum: pos_weights must be positive"
        ):
            plot_pos_weight_optimum([1.0, 0.0])


class TestPlotBceProbabilityForm:
    def test_reenacts_pytorch_float32_loss_and_gradient(self):
        torch = pytest.importorskip("torch", reason="compares with PyTorch")
        import torch.nn.functional as F

        from xentbook.plots import plot_bce_probability_form

        top, bottom = plot_bce_probability_form()
        for panel, target, quantity in ((top, 1.0, "grad"), (bottom, 0.0, "loss")):
            x, drawn = panel.lines[1].get_data()
            xt = torch.tensor(x, dtype=torch.float32, requires_grad=True)
            loss = F.binary_cross_entropy(
                torch.sigmoid(xt), torch.full_like(xt, target), reduction="none"
            )
            loss.sum().backward()
            expected = (xt.grad if quantity == "grad" else loss).detach().numpy()
            # float32 kernels: allow a few float32 roundings, and exact zeros where torch has them.
            np.testing.assert_allclose(drawn, expected, rtol=4e-6, atol=0)

    def test_collapse_and_jump_happen_where_the_text_says(self):
        from xentbook.plots import plot_bce_probability_form

        top, bottom = plot_bce_probability_form()
        x, grad = top.lines[1].get_data()
        # p (1 - p) = 1e-12 near x = log(1e-12) = -27.63: the gradient is about -1 above, tiny below.
        assert np.all(np.abs(grad[(x > -27.0) & (x < -10.0)] + 1) < 1e-3)
        assert np.all(np.abs(grad[x < -35.0]) < 1e-3)
        x, loss = bottom.lines[1].get_data()
        assert np.all(loss[x >= 17.0] == 100.0)
        assert np.all(loss[x <= 16.5] < 17.0)
        # The last step before the jump: 1 - p = 2**-23 in float32, a flat loss of 23 log 2.
        last_step = loss[(x > 15.7) & (x < 16.6)]
        np.testing.assert_allclose(last_step, 23 * np.log(2), rtol=1e-6)
        assert bottom.get_ylim()[1] < 100.0  # the jump leaves the linear panel through its top


class TestPlotWeightedFit:
    def test_plotted_data(self):
        from xentbook.plots import plot_weighted_fit

        x = np.array([-1.0, 0.0, 1.5, 3.0])
        ax = plot_weighted_fit((2.0, -4.0), (1.5, -1.0), pi=0.05, x=x)
        # Independent: Bayes' rule on the two Gaussian densities with scipy.
        from scipy.stats import norm

        pos, neg = 0.05 * norm.pdf(x, 1.5, 0.5), 0.95 * norm.pdf(x, 0.0, 1.0)
        np.testing.assert_allclose(ax.lines[0].get_ydata(), pos / (pos + neg), rtol=1e-12)
        np.testing.assert_allclose(
            ax.lines[1].get_ydata(), 1 / (1 + np.exp(-(2.0 * x - 4.0))), rtol=1e-13
        )
        np.testing.assert_allclose(
            ax.lines[2].get_ydata(), 1 / (1 + np.exp(-(1.5 * x - 1.0))), rtol=1e-13
        )
        assert ax.lines[3].get_ydata()[0] == 0.05 and ax.lines[4].get_ydata()[0] == 0.5

    def test_rejects_bad_pi(self):
        from xentbook.plots import plot_weighted_fit

        with pytest.raises(ValueError, match="pi must lie in"):
            plot_weighted_fit((1.0, 0.0), (1.0, 0.0), pi=1.0)


class TestPlotOperatingPoints:
    def test_curve_and_points_by_brute_force(self):
        from xentbook.plots import plot_operating_points

        rng = np.random.default_rng(3)
        scores = rng.uniform(size=300)
        labels = (rng.uniform(size=300) < scores).astype(float)
        ax = plot_operating_points(scores, labels, pos_weights=(1.0, 3.0))
        recall, precision = ax.lines[0].get_data()
        # Independent: for each threshold t, count the examples with score >= t directly.
        for i, t in enumerate(np.sort(scores)[::-1][[0, 50, 199, 299]]):
            yes = scores >= t
            k = [0, 50, 199, 299][i]
            assert recall[k] == pytest.approx(labels[yes].sum() / labels.sum(), rel=1e-14)
            assert precision[k] == pytest.approx(labels[yes].mean(), rel=1e-14)
        for line, r in zip(ax.lines[1:], (1.0, 3.0), strict=True):
            yes = scores > 1 / (1 + r)
            assert line.get_xdata()[0] == pytest.approx(labels[yes].sum() / labels.sum())
            assert line.get_ydata()[0] == pytest.approx(labels[yes].mean())
        # Each point is labelled with its threshold 1/(1 + r) on the calibrated probability.
        assert [line.get_label() for line in ax.lines[1:]] == [
            "$r = 1$: $p > 0.5$",
            "$r = 3$: $p > 0.25$",
        ]

    def test_ties_give_one_point(self):
        from xentbook.plots import plot_operating_points

        ax = plot_operating_points([0.8, 0.8, 0.2], [1, 0, 1], pos_weights=[1.0])
        np.testing.assert_allclose(ax.lines[0].get_xdata(), [0.5, 1.0])
        np.testing.assert_allclose(ax.lines[0].get_ydata(), [0.5, 2 / 3])

    def test_rejects_bad_input(self):
        from xentbook.plots import plot_operating_points

        with pytest.raises(ValueError, match="same size"):
            plot_operating_points([0.5, 0.2], [1])
        with pytest.raises(ValueError, match="at least one 1"):
            plot_operating_points([0.5], [0])
        with pytest.raises(ValueError, match="positive and finite"):
            plot_operating_points([0.5], [1], pos_weights=[0.0])


class TestPlotBceSoftTarget:
    def test_curves_and_minima(self):
        from xentbook.plots import plot_bce_soft_target

        ax = plot_bce_soft_target((0.2, 0.9))
        assert len(ax.lines) == 4
        for k, y in enumerate((0.2, 0.9)):
            p, loss = ax.lines[2 * k].get_data()
            # Independent formula: the Bernoulli cross-entropy written out with log1p.
            np.testing.assert_allclose(loss, -(y * np.log(p) + (1 - y) * np.log1p(-p)), rtol=1e-13)
            # The marked minimum is (y, H_b(y)), and no drawn point lies below it.
            floor = -(y * np.log(y) + (1 - y) * np.log1p(-y))
            assert ax.lines[2 * k + 1].get_xdata()[0] == y
            np.testing.assert_allclose(ax.lines[2 * k + 1].get_ydata()[0], floor, rtol=1e-14)
            assert loss.min() >= floor
            assert abs(p[np.argmin(loss)] - y) < 0.003

    def test_rejects_bad_target(self):
        from xentbook.plots import plot_bce_soft_target

        with pytest.raises(ValueError, match="targets must lie in"):
            plot_bce_soft_target([0.5, 1.2])


class TestPlotSigmoidVsSoftmax:
    def test_bars_are_sigmoids_and_softmax(self):
        from xentbook.plots import plot_sigmoid_vs_softmax

        x = np.array([2.0, -1.0, 0.5])
        ax = plot_sigmoid_vs_softmax(x, [1, 0, 1])
        independent = [bar.get_height() for bar in ax.containers[0]]
        shared = [bar.get_height() for bar in ax.containers[1]]
        # Independent formulas: 1 / (1 + e^-x) and e^x / sum e^x, written out.
        np.testing.assert_allclose(independent, 1 / (1 + np.exp(-x)), rtol=1e-15)
        np.testing.assert_allclose(shared, np.exp(x) / np.exp(x).sum(), rtol=1e-15)
        texts = [t.get_text() for t in ax.get_legend().get_texts()]
        assert texts == [
            "one sigmoid per label (sum 1.77)",
            "softmax over the labels (sum 1.00)",
        ]

    def test_rejects_bad_shapes(self):
        from xentbook.plots import plot_sigmoid_vs_softmax

        with pytest.raises(ValueError, match="one-dimensional"):
            plot_sigmoid_vs_softmax([[1.0, 2.0]], [[1.0, 0.0]])
        with pytest.raises(ValueError, match="same shape"):
            plot_sigmoid_vs_softmax([1.0, 2.0], [1.0])
