"""Tests of the focal-loss and reliability figures, on the data they plot."""

import numpy as np
import pytest

from xentbook import softmax
from xentbook.book import expected_calibration_error, reliability_bins
from xentbook.plots import plot_focal_loss, plot_label_smoothing_loss, plot_reliability_diagram


class TestPlotFocalLoss:
    def test_curves_are_the_focal_formula(self):
        p = np.linspace(0.05, 0.95, 19)
        ax = plot_focal_loss(gammas=(0.0, 2.0, 5.0), p_t=p)
        assert len(ax.lines) == 3
        for line, g in zip(ax.lines, (0.0, 2.0, 5.0), strict=True):
            np.testing.assert_array_equal(line.get_xdata(), p)
            # Direct formula in float64. The plotted values go through logits (log p, log(1 - p))
            # and a log-softmax, which reproduces p to a few ulp: rtol 1e-12.
            np.testing.assert_allclose(line.get_ydata(), -((1 - p) ** g) * np.log(p), rtol=1e-12)

    def test_bad_input(self):
        with pytest.raises(ValueError, match="plot_focal_loss: p_t must lie strictly between"):
            plot_focal_loss(p_t=[0.5, 1.0])
        with pytest.raises(ValueError, match="focal_loss: gamma must be finite and >= 0"):
            plot_focal_loss(gammas=[-1.0])

    def test_default_grid(self):
        ax = plot_focal_loss()
        assert len(ax.lines) == 5
        assert ax.get_yscale() == "log"  # the easy-example region spans orders of magnitude
        assert ax.lines[0].get_xdata()[0] == pytest.approx(0.01)


class TestPlotReliabilityDiagram:
    @pytest.fixture
    def data(self):
        rng = np.random.default_rng(0)
        z = rng.normal(size=(3000, 4)) * 2
        labels = (softmax(z / 2, axis=1).cumsum(axis=1) < rng.random((3000, 1))).sum(axis=1)
        return softmax(z, axis=1), labels

    def test_bars_are_bin_accuracies_and_gaps(self, data):
        probs, labels = data
        ax = plot_reliability_diagram(probs, labels, n_bins=10, title="test")
        bins = reliability_bins(probs, labels, n_bins=10)
        full = bins.counts > 0
        heights = [bar.get_height() for bar in ax.containers[0]]
        np.testing.assert_allclose(heights, bins.accuracy[full], rtol=1e-15)
        centres = [bar.get_x() + bar.get_width() / 2 for bar in ax.containers[0]]
        np.testing.assert_allclose(centres, (bins.edges[:-1] + 0.05)[full], rtol=1e-12)
        gaps = [bar.get_height() for bar in ax.containers[1]]
        np.testing.assert_allclose(
            gaps, (bins.confidence - bins.accuracy)[full], rtol=1e-12, atol=1e-15
        )
        assert ax.get_title() == "test"

    def test_ece_is_written_on_the_panel(self, data):
        probs, labels = data
        ax = plot_reliability_diagram(probs, labels)
        ece = expected_calibration_error(probs, labels)
        assert any(t.get_text() == f"ECE = {ece:.3f}" for t in ax.texts)


class TestPlotLabelSmoothingLoss:
    def test_curves_match_closed_form_and_minima(self):
        c = 5
        ax = plot_label_smoothing_loss(epsilons=(0.0, 0.1, 0.3), classes=c, max_gap=10.0)
        g = ax.lines[0].get_xdata()
        # Hand formula with logits (g, 0, ..., 0): -log p_0 = a and -log p_k = g + a, where
        # a = log1p((C - 1) e^-g) (no cancellation for large g); the smoothed target puts
        # 1 - eps + eps/C on class 0 and eps/C on each of the others.
        a = np.log1p((c - 1) * np.exp(-g))
        for line, eps in zip(ax.lines, (0.0, 0.1, 0.3), strict=True):
            expected = (1 - eps + eps / c) * a + (eps / c) * (c - 1) * (g + a)
            np.testing.assert_allclose(line.get_ydata(), expected, rtol=1e-13)
        minima = ax.collections[0].get_offsets()
        assert len(minima) == 2  # no minimum drawn for eps = 0
        for (gx, gy), eps in zip(minima, (0.1, 0.3), strict=True):
            np.testing.assert_allclose(gx, np.log((1 - eps + eps / c) / (eps / c)), rtol=1e-15)
            target = np.full(c, eps / c)
            target[0] += 1 - eps
            # The minimum value is the entropy of the smoothed target (a 5-term sum: 1e-14).
            np.testing.assert_allclose(gy, -np.sum(target * np.log(target)), rtol=1e-14)

    def test_bad_input(self):
        with pytest.raises(ValueError, match="plot_label_smoothing_loss: classes must be"):
            plot_label_smoothing_loss(classes=1)
        with pytest.raises(ValueError, match="plot_label_smoothing_loss: max_gap must be positive"):
            plot_label_smoothing_loss(max_gap=0.0)
        with pytest.raises(ValueError, match="label_smoothing must be in"):
            plot_label_smoothing_loss(epsilons=[1.5])
