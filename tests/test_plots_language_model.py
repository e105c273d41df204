"""Tests of the figure helpers of chapter 12, on the data they plot (hand-derived values)."""

import matplotlib.pyplot as plt
import numpy as np
import pytest

from xentbook.plots import plot_micro_batch_weights, plot_soft_cap, plot_window_context


@pytest.fixture(autouse=True)
def _close():
    yield
    plt.close("all")


def test_micro_batch_weights():
    top, bottom = plot_micro_batch_weights(np.array([992, 656, 127, 20]))
    np.testing.assert_array_equal([b.get_height() for b in top.patches], [992, 656, 127, 20])
    # N / (K n_k) with N = 1795, K = 4
    expected = [1795 / (4 * n) for n in (992, 656, 127, 20)]
    np.testing.assert_allclose([b.get_height() for b in bottom.patches], expected, rtol=1e-15)


def test_micro_batch_weights_rejects_zero():
    with pytest.raises(ValueError, match="plot_micro_batch_weights: token_counts"):
        plot_micro_batch_weights(np.array([3, 0]))


def test_window_context():
    ax = plot_window_context(10, 4, np.array([4, 2]))
    x4, c4 = ax.lines[0].get_data()
    x2, c2 = ax.lines[1].get_data()
    # stride 4: windows [0,4), [4,8), [8,10) score 1-3, 5-7, 9 with contexts 1-3, 1-3, 1
    np.testing.assert_array_equal(x4, [1, 2, 3, 5, 6, 7, 9])
    np.testing.assert_array_equal(c4, [1, 2, 3, 1, 2, 3, 1])
    # stride 2: every token 1..9 once; after the first window, contexts 2 and 3
    np.testing.assert_array_equal(x2, np.arange(1, 10))
    np.testing.assert_array_equal(c2, [1, 2, 3, 2, 3, 2, 3, 2, 3])


def test_soft_cap_curves():
    z = np.array([-90.0, 0.0, 30.0])
    top, bottom = plot_soft_cap(30.0, z)
    np.testing.assert_allclose(top.lines[1].get_ydata(), 30 * np.tanh(z / 30), rtol=1e-15)
    np.testing.assert_allclose(bottom.lines[0].get_ydata(), 1 / np.cosh(z / 30) ** 2, rtol=1e-13)
