"""Tests of the chapter 8 figures: the plotted data against formulas computed independently."""

import numpy as np
from scipy.special import expit, log_expit

from xentbook.plots import (
    plot_escape_steps,
    plot_gradient_size_vs_probability,
    plot_plateau_escape,
    plot_plateau_pulls,
    plot_sigmoid_loss_landscape,
    plot_wrong_start,
)


def test_gradient_sizes_are_the_closed_forms():
    ax = plot_gradient_size_vs_probability()
    p, ce = ax.lines[0].get_data()
    _, sq = ax.lines[1].get_data()
    # Hand derivation, target 1: dCE/dz = p - 1, dMSE/dz = 2 (p - 1) p (1 - p). The grid's
    # 1 - p is exact in the plot (sigmoid(-z)); here 1 - p loses up to 1e-16 absolute.
    np.testing.assert_allclose(ce, 1 - p, rtol=1e-9)
    np.testing.assert_allclose(sq, 2 * p * (1 - p) ** 2, rtol=1e-9)
    # The grid runs over z in [-log 1e6, log 1e6]: p from 1/(1 + 1e6) to 1e6/(1 + 1e6).
    np.testing.assert_allclose([p.min(), p.max()], [1 / (1 + 1e6), 1e6 / (1 + 1e6)], rtol=1e-14)


def test_landscape_curves_and_gradient_descent_end_points():
    x, y = np.array([-2.8, -0.4, 0.4, -0.1]), np.array([1.0, 0.0, 1.0, 1.0])
    w = np.linspace(-6.0, 10.0, 321)
    top, bottom = plot_sigmoid_loss_landscape(x, y, w, starts=[3.0, -4.0], lr=2.0, steps=500)
    z = np.outer(x, w)
    # SciPy's log_expit as the independent reference: -[y log s + (1 - y) log(1 - s)].
    ce = -(y[:, None] * log_expit(z) + (1 - y[:, None]) * log_expit(-z)).mean(axis=0)
    np.testing.assert_allclose(top.lines[0].get_ydata(), ce, rtol=1e-13)
    np.testing.assert_allclose(
        bottom.lines[0].get_ydata(), ((y[:, None] - expit(z)) ** 2).mean(axis=0), rtol=1e-13
    )
    # Gradient descent on the squared error stops in the local minimum near w = 4.41 from w = 3,
    # and in the global one near w = -0.48 from w = -4; on the cross-entropy both reach its
    # single minimum near -0.64.
    ends_sq = [line.get_xdata()[0] for line in bottom.lines[1:]]
    ends_ce = [line.get_xdata()[0] for line in top.lines[1:]]
    np.testing.assert_allclose(ends_sq, [4.412, -0.476], atol=2e-3)
    np.testing.assert_allclose(ends_ce, [-0.6375, -0.6375], atol=1e-4)


def test_plateau_panels_plot_each_run_against_learning_rate_times_steps():
    loss, norm, accuracy = [2.0, 0.7, 0.6], [7.0, 8.0, 9.0], [0.0, 0.5, 1.0]
    panels = plot_plateau_escape(
        {1.0: (loss, norm, accuracy), 30.0: (loss[:2], norm[:2], accuracy[:2])}
    )
    assert len(panels) == 3
    for panel, values in zip(panels, (loss, norm, accuracy), strict=True):
        np.testing.assert_array_equal(panel.lines[0].get_xdata(), [0.0, 1.0, 2.0])
        np.testing.assert_array_equal(panel.lines[0].get_ydata(), values)
        np.testing.assert_array_equal(panel.lines[1].get_xdata(), [0.0, 30.0])  # eta * t
    assert panels[0].get_yscale() == "log"


def test_plateau_pulls_plot_both_norms_on_log_axes_and_mark_the_escape():
    steps, fitted, wrong = [10, 100, 1000], [1e-3, 1e-4, 1e-5], [2e-5, 1e-5, 3e-5]
    ax = plot_plateau_pulls(steps, fitted, wrong, escape=500)
    np.testing.assert_array_equal(ax.lines[0].get_xdata(), steps)
    np.testing.assert_array_equal(ax.lines[0].get_ydata(), fitted)
    np.testing.assert_array_equal(ax.lines[1].get_ydata(), wrong)
    np.testing.assert_array_equal(ax.lines[2].get_xdata(), [500, 500])
    assert ax.get_xscale() == "log" and ax.get_yscale() == "log"
    legend = [text.get_text() for text in ax.get_legend().get_texts()]
    assert legend == [
        "pull of the examples already right",
        "pull of the examples still wrong",
        "escape",
    ]
    named = plot_plateau_pulls(steps, fitted, wrong, labels=("setosa and versicolor", "virginica"))
    assert [text.get_text() for text in named.get_legend().get_texts()] == [
        "setosa and versicolor",
        "virginica",
    ]


def test_wrong_start_panels_plot_each_run_against_the_step():
    runs = {
        "cross-entropy": ([0.02, 0.5, 0.96], [0.02, 0.3, 0.9]),
        "squared error": ([0.02, 0.02, 0.03], [0.02, 0.019, 0.018]),
    }
    top, bottom = plot_wrong_start(runs)
    for k, (accuracy, probability) in enumerate(runs.values()):
        np.testing.assert_array_equal(top.lines[k].get_xdata(), [0, 1, 2])
        np.testing.assert_array_equal(top.lines[k].get_ydata(), accuracy)
        np.testing.assert_array_equal(bottom.lines[k].get_ydata(), probability)
    assert bottom.get_yscale() == "log"
    assert [text.get_text() for text in top.get_legend().get_texts()] == list(runs)


def test_simplex_true_class_pull_is_the_closed_forms():
    from xentbook.plots import plot_simplex_true_class_pull

    num = 12
    for target in (0, 2):
        top, bottom = plot_simplex_true_class_pull(target=target, num=num)
        grid = (
            np.array([(i, j, num - i - j) for i in range(num + 1) for j in range(num + 1 - i)])
            / num
        )
        p_y = grid[:, target]
        residual = grid - np.eye(3)[target]
        # Hand derivation: dCE/dz_y = p_y - 1; dSE/dz_y = 2 [J (p - e_y)]_y
        # = 2 p_y (p_y - 1 - p.(p - e_y)) = -2 p_y ||p - e_y||^2.
        np.testing.assert_allclose(top.collections[0].get_array(), 1 - p_y, atol=1e-15)
        np.testing.assert_allclose(
            bottom.collections[0].get_array(),
            2 * p_y * np.sum(residual**2, axis=1),
            rtol=1e-13,
            atol=1e-16,
        )
        # zero along the whole side opposite the true vertex
        assert np.all(bottom.collections[0].get_array()[p_y == 0] == 0)


def test_escape_steps_are_plotted_against_the_rate_with_the_flow_line():
    ax = plot_escape_steps({30.0: 1801, 0.5: 95445, 1.0: 48477}, flow_time=48_000.0)
    rates, steps = ax.lines[0].get_data()
    np.testing.assert_array_equal(rates, [0.5, 1.0, 30.0])
    np.testing.assert_array_equal(steps, [95445, 48477, 1801])
    line_rates, line_steps = ax.lines[1].get_data()
    np.testing.assert_array_equal(line_rates, [0.5, 30.0])
    np.testing.assert_allclose(line_steps, [96_000.0, 1600.0], rtol=1e-15)  # 48,000 / rate
    assert (ax.get_xscale(), ax.get_yscale()) == ("log", "log")
    assert len(plot_escape_steps({1.0: 10}).lines) == 1
