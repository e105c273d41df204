"""The figures of chapters 5 and 6, tested on the data they draw."""

import matplotlib.pyplot as plt
import mpmath
import numpy as np
import pytest

from xentbook.plots import (
    plot_entropy_vs_temperature,
    plot_error_vs_condition,
    plot_float_grid,
    plot_loss_vs_probability,
    plot_relative_error,
    plot_smooth_max,
    plot_temperature,
)


def mp_softmax(z, t):
    """softmax(z / t) at 50 digits, an independent computation."""
    with mpmath.workdps(50):
        e = [mpmath.exp(mpmath.mpf(v) / t) for v in z]
        total = mpmath.fsum(e)
        return [float(v / total) for v in e]


class TestPlotTemperature:
    def test_bar_heights_are_the_tempered_softmax(self):
        z = [2.0, 1.0, 0.1, -1.0]
        temps = (0.25, 1.0, 4.0)
        ax = plot_temperature(z, temps)
        assert len(ax.containers) == len(temps)
        for bars, t in zip(ax.containers, temps, strict=True):
            heights = [b.get_height() for b in bars]
            # float64 softmax vs a 50-digit one: a few ulp, so rtol 1e-14.
            np.testing.assert_allclose(heights, mp_softmax(z, t), rtol=1e-14)

    def test_low_temperature_is_nearly_one_hot_and_high_nearly_uniform(self):
        ax = plot_temperature([3.0, 0.0, 0.0], (0.1, 100.0))
        cold = [b.get_height() for b in ax.containers[0]]
        hot = [b.get_height() for b in ax.containers[1]]
        assert cold[0] > 1 - 1e-12  # 1 - 2 e^-30 to 1e-12
        np.testing.assert_allclose(hot, 1 / 3, atol=0.02)  # within 3/100 of a logit of uniform
        assert ax.lines[0].get_ydata()[0] == pytest.approx(1 / 3, rel=1e-15, abs=0)  # uniform level

    def test_draws_on_given_axes(self):
        _, ax = plt.subplots()
        assert plot_temperature([1.0, 0.0], (1.0,), ax=ax) is ax

    @pytest.mark.parametrize(
        ("z", "temps", "match"),
        [
            ([[1.0, 0.0]], (1.0,), "plot_temperature: logits must be one vector"),
            ([1.0, 0.0], (0.0,), "plot_temperature: temperatures must be positive"),
            ([1.0, 0.0], (), "plot_temperature: temperatures must be positive"),
        ],
    )
    def test_bad_input(self, z, temps, match):
        with pytest.raises(ValueError, match=match):
            plot_temperature(z, temps)


class TestPlotRelativeError:
    def test_lines_are_the_relative_errors(self):
        margins = np.array([1.0, 10.0, 40.0])
        ax = plot_relative_error(margins, "float64", num_classes=3)
        naive, cancel, ours, guide = (line.get_ydata() for line in ax.lines[:4])
        np.testing.assert_array_equal(ax.lines[0].get_xdata(), margins)
        u = 2.0**-53
        floor = u / 64
        # Exact losses log(1 + 2 e^-a) from mpmath at 50 digits.
        with mpmath.workdps(50):
            exact = np.array([float(mpmath.log1p(2 * mpmath.exp(-a))) for a in margins])
        # At a = 40 the loss 8.5e-18 is below half an ulp of 40 (3.6e-15) and of 1 (1.1e-16):
        # both naive ways return exactly 0, relative error exactly 1.
        assert naive[2] == 1.0
        assert cancel[2] == 1.0
        # xentbook is within 4 u of the exact loss everywhere (or drawn at the floor when exact).
        assert np.all(ours <= 4 * u)
        assert np.all(ours >= floor)
        # The guide is kappa * u with kappa = a (1 - p_0) / loss, 1 - p_0 = 2e^-a / (1 + 2e^-a).
        kappa = margins * (2 * np.exp(-margins) / (1 + 2 * np.exp(-margins))) / exact
        np.testing.assert_allclose(guide, kappa * u, rtol=1e-12)
        # At a = 1 the naive ways are still accurate to a few ulp of the loss (no cancellation yet).
        assert naive[0] < 16 * u
        assert cancel[0] < 16 * u

    def test_guide_left_out_where_kappa_is_zero(self):
        # At a = 0 all logits tie, every difference is 0 and kappa = 0: no point on a log axis.
        ax = plot_relative_error(np.array([0.0, 1.0]), "float64", num_classes=3)
        guide = ax.lines[3].get_ydata()
        assert np.isnan(guide[0]) and guide[1] > 0

    def test_floor_label_clears_the_floor_line(self):
        # A curve that is exact over a range of margins runs along the floor line; the label
        # "exact (error 0)" must sit clearly below that line and still inside the axes.
        ax = plot_relative_error(np.linspace(0.0, 60.0, 61), "float64", num_classes=3)
        floor = 2.0**-53 / 64
        (label,) = [t for t in ax.texts if t.get_text() == "exact (error 0)"]
        assert label.get_va() == "top"
        y = label.get_position()[1]
        assert y <= floor / 2
        bottom = ax.get_ylim()[0]
        # The text's height is under one decade of this log axis; leave at least that.
        assert bottom <= y / 10

    def test_float32_panel(self):
        margins = np.array([20.0])
        ax = plot_relative_error(margins, "float32", num_classes=4)
        naive, cancel, ours = (line.get_ydata()[0] for line in ax.lines[:3])
        # float32 loss 3 e^-20 = 6.2e-9 is below half an ulp of 1 (6e-8): naive gives 0.
        assert naive == 1.0
        assert cancel == 1.0
        assert ours < 4 * 2.0**-24
        assert ax.get_title() == "float32, C = 4"

    @pytest.mark.parametrize(
        ("kwargs", "match"),
        [
            ({"dtype": "float16"}, "plot_relative_error: dtype must be float32 or float64"),
            ({"num_classes": 1}, "plot_relative_error: num_classes must be at least 2"),
        ],
    )
    def test_bad_input(self, kwargs, match):
        with pytest.raises(ValueError, match=match):
            plot_relative_error([1.0, 2.0], **kwargs)


class TestPlotLossVsProbability:
    def test_curve_is_minus_log_p(self):
        ax = plot_loss_vs_probability()
        x, y = ax.lines[0].get_xdata(), ax.lines[0].get_ydata()
        assert x[0] == pytest.approx(0.001)
        assert x[-1] == 1.0
        # -log(0.001) = 3 ln 10 = 6.907755...; numpy's log is accurate to 1 ulp, so rtol 1e-15.
        np.testing.assert_allclose(y, -np.log(x), rtol=1e-15)
        assert y[0] == pytest.approx(3 * np.log(10), rel=1e-15)

    def test_marks(self):
        marks = {"Setosa": 0.57, "Virginica": 0.58, "Versicolor": 0.52}
        ax = plot_loss_vs_probability(marks=marks)
        points = [(line.get_xdata()[0], line.get_ydata()[0]) for line in ax.lines[1:]]
        # Hand values: -ln 0.57 = 0.5621, -ln 0.58 = 0.5447, -ln 0.52 = 0.6539 (to 4 decimals).
        np.testing.assert_allclose([pt[1] for pt in points], [0.5621, 0.5447, 0.6539], atol=5e-5)
        texts = [t.get_text() for t in ax.texts]
        assert any("Versicolor" in t and "0.654" in t for t in texts)

    def test_bad_input(self):
        with pytest.raises(ValueError, match=r"plot_loss_vs_probability: p must be in \(0, 1\]"):
            plot_loss_vs_probability([0.0, 0.5])


class TestPlotSmoothMax:
    def test_curves_are_tempered_logsumexp_between_max_and_bound(self):
        x = np.array([-3.0, 0.0, 2.0])
        temps = (1.0, 0.5)
        ax = plot_smooth_max(x, temps)
        with mpmath.workdps(50):
            for line, t in zip(ax.lines[:2], temps, strict=True):
                expected = [float(t * mpmath.log(mpmath.exp(v / t) + 1)) for v in x]
                # float64 log-sum-exp vs 50 digits: rtol 1e-15 (a few ulp).
                np.testing.assert_allclose(line.get_ydata(), expected, rtol=1e-15)
        np.testing.assert_array_equal(ax.lines[2].get_ydata(), [0.0, 0.0, 2.0])
        for line, t in zip(ax.lines[3:5], temps, strict=True):
            np.testing.assert_allclose(
                line.get_ydata(), [0.0, 0.0, 2.0] + t * np.log(2), rtol=1e-15
            )
        # At the tie the curve touches its bound T log 2.
        assert ax.lines[0].get_ydata()[1] == pytest.approx(np.log(2), rel=1e-15, abs=0)
        # The legend names the dotted bounds once, with a key that is not one of the lines.
        legend = ax.get_legend()
        texts = [t.get_text() for t in legend.get_texts()]
        assert texts[-1] == r"bound $\max(x, 0) + T \log 2$" and len(texts) == len(temps) + 2
        assert legend.legend_handles[-1].get_linestyle() == ":"
        assert len(ax.lines) == 2 * len(temps) + 1

    def test_bad_temperature(self):
        with pytest.raises(ValueError, match="plot_smooth_max: temperatures must be positive"):
            plot_smooth_max([0.0], (0.0,))


class TestPlotEntropyVsTemperature:
    def test_curve_and_tangent(self):
        z = [2.0, 1.0, 0.1, -1.0]
        temps = np.array([0.5, 1.0, 2.0])
        ax = plot_entropy_vs_temperature(z, temps, at=1.0)
        with mpmath.workdps(50):
            expected = []
            for t in temps:
                p = mp_softmax(z, t)
                expected.append(-sum(q * np.log(q) for q in p))
        np.testing.assert_allclose(ax.lines[0].get_ydata(), expected, rtol=1e-13)

        # Tangent slope Var(z)/T^3 at T = 1 against a central difference of 50-digit entropies.
        def h(t):
            with mpmath.workdps(50):
                e = [mpmath.exp(mpmath.mpf(v) / t) for v in z]
                tot = mpmath.fsum(e)
                return -mpmath.fsum((v / tot) * mpmath.log(v / tot) for v in e)

        with mpmath.workdps(50):
            step = mpmath.mpf("1e-15")
            slope = float((h(1 + step) - h(1 - step)) / (2 * step))
        tx, ty = ax.lines[1].get_data()
        np.testing.assert_allclose(np.diff(ty) / np.diff(tx), slope, rtol=1e-9)
        # The tangent is a straight segment around T = 1 on a linear axis, below log C.
        assert tx.min() >= 0.5 and tx.max() <= 1.5 and ty.max() <= np.log(4)
        assert ax.get_xscale() == "linear"
        assert ax.lines[3].get_ydata()[0] == pytest.approx(np.log(4), rel=1e-15, abs=0)

    @pytest.mark.parametrize(
        ("kwargs", "match"),
        [
            ({"logits": [[1.0, 0.0]]}, "logits must be one vector"),
            ({"logits": [1.0, 0.0], "temperatures": [0.0]}, "temperatures must be positive"),
        ],
    )
    def test_bad_input(self, kwargs, match):
        with pytest.raises(ValueError, match=match):
            plot_entropy_vs_temperature(**kwargs)


class TestPlotErrorVsCondition:
    def test_points_are_error_in_u_against_kappa(self):
        z = np.array([[40.0, 0.0, 0.0], [1.0, 3.5, -2.25]])
        y = np.array([0, 0])
        ax = plot_error_vs_condition(z, y)
        kappa, err = ax.lines[0].get_data()
        with mpmath.workdps(50):
            loss1 = mpmath.log(mpmath.exp(1) + mpmath.exp(3.5) + mpmath.exp(-2.25)) - 1
            p = [
                mpmath.exp(v) / (mpmath.exp(1) + mpmath.exp(3.5) + mpmath.exp(-2.25))
                for v in (1.0, 3.5, -2.25)
            ]
            k1 = (2.5 * abs(p[0] - 1) + 0 + 5.75 * p[2]) / loss1
        np.testing.assert_allclose(kappa, [40.0, float(k1)], rtol=1e-13)
        assert np.all(err >= 0) and np.all(err <= kappa + 3 + 1)
        bound_x, bound_y = ax.lines[2].get_data()
        np.testing.assert_allclose(bound_y, bound_x + 4, rtol=1e-15)  # default C + 1
        assert ax.get_ylim()[1] >= 4 * 1.15  # the bound at kappa = 0 is inside the axes
        # ... and so is the bound at the largest kappa of the data (40 + C + 1 = 44)
        assert ax.get_ylim()[1] >= kappa.max() + 4
        assert ax.get_xscale() == "log"
        np.testing.assert_allclose(ax.lines[1].get_xdata(), ax.lines[1].get_ydata(), rtol=0)
        assert bound_x.min() < kappa.min() and bound_x.max() > kappa.max()
        # The points are faint on the axes, but their legend key is opaque and larger.
        key = ax.get_legend().legend_handles[0]
        assert key.get_alpha() == 1.0 and key.get_markersize() == 6.0
        assert ax.lines[0].get_alpha() == 0.3
        ax = plot_error_vs_condition(z, y, constant=9.5)
        bound_x, bound_y = ax.lines[2].get_data()
        np.testing.assert_allclose(bound_y, bound_x + 9.5, rtol=1e-15)

    def test_bad_input(self):
        with pytest.raises(ValueError, match="plot_error_vs_condition: logits must be"):
            plot_error_vs_condition(np.zeros(3), [0])


class TestPlotFloatGrid:
    def test_default_panels(self):
        axes = plot_float_grid()
        assert len(axes) == 3
        # Near 1 the float64 grid is 2^-53 apart below 1 and 2^-52 above it.
        ticks = axes[0].lines[0].get_xdata()
        np.testing.assert_array_equal(np.diff(ticks), [2.0**-53] * 3 + [2.0**-52] * 3)
        # Near 40 (in [32, 64)) one ulp is 2^-47 = 7.1e-15.
        np.testing.assert_array_equal(np.diff(axes[1].lines[0].get_xdata()), [2.0**-47] * 6)
        # The exact s = 2 e^-40 (mpmath) is marked 8.5e-18 from 1 and from 40; both round back.
        with mpmath.workdps(40):
            s = 2 * mpmath.exp(-40)
            residue = float(s - mpmath.mpf(float(s)))
        for a in axes[:2]:
            assert a.lines[1].get_xdata()[0] == pytest.approx(float(s), rel=1e-15, abs=0)
            assert a.lines[2].get_xdata()[0] == 0.0
        # s itself is a float64 to within its own tiny residue, far below one of its ulps.
        # long double carries s to ~1e-19 relative, so the residue (3e-17 of s) to ~1%.
        np.testing.assert_allclose(axes[2].lines[1].get_xdata()[0], residue, rtol=1e-2)
        assert abs(residue) < np.spacing(float(s)) / 2
        # One key names the two markers; the tiny centre is written with a power of ten.
        texts = [t.get_text() for t in axes[0].get_legend().get_texts()]
        assert texts == ["exact value", "nearest float64"]
        assert axes[2].get_xlabel() == r"offset from $8.497 \cdot 10^{-18}$"
        assert axes[1].get_xlabel() == "offset from 40"

    def test_rounding_to_a_neighbour(self):
        # 1 + 0.7 ulp rounds up to 1 + ulp in float32 (ulp 2^-23 above 1).
        axes = plot_float_grid([(1.0, 0.7 * 2.0**-23, "near 1")], dtype="float32", steps=2)
        assert axes[0].lines[2].get_xdata()[0] == 2.0**-23
        np.testing.assert_array_equal(
            np.diff(axes[0].lines[0].get_xdata()), [2.0**-24, 2.0**-24, 2.0**-23, 2.0**-23]
        )

    @pytest.mark.parametrize(
        ("kwargs", "match"),
        [
            ({"dtype": "float16"}, "plot_float_grid: dtype must be float32 or float64"),
            ({"steps": 0}, "plot_float_grid: steps must be at least 1"),
        ],
    )
    def test_bad_input(self, kwargs, match):
        with pytest.raises(ValueError, match=match):
            plot_float_grid(**kwargs)
