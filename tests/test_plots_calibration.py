"""Tests of the focal-loss and reliability figures, on the data they plot."""

import numpy as np
import pytest

from xentbook import expected_calibration_error, reliability_bins, softmax
from xentbook.plots import plot_focal_loss, plot_reliability_diagram


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

    def test_default_grid(self):
        ax = plot_focal_loss()
        assert len(ax.lines) == 5
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
