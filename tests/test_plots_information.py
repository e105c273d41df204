"""Tests of the information-theory figures: each helper is checked on the data it draws."""

import math

import numpy as np
import pytest
from matplotlib.axes import Axes

from xentbook.plots import (
    new_axes,
    plot_bernoulli_entropy,
    plot_code_lengths,
    plot_cumulative_surprise,
    plot_entropy_histogram,
    plot_forecast_ledger,
    plot_loss_with_and_without_log,
    plot_naive_loss_underflow,
    plot_surprisal,
    plot_surprisal_halvings,
)
from xentbook.plots._information import _round_to_bfloat16


class TestPlotSurprisal:
    def test_curves_are_surprisal_in_bits_and_nats(self):
        ax = plot_surprisal(num=50, p_min=0.01)
        assert isinstance(ax, Axes)
        p = ax.lines[0].get_xdata()
        np.testing.assert_allclose(p, np.linspace(0.01, 1.0, 50), rtol=0, atol=0)
        # -log2 p and -ln p from the math module, elementwise: rtol 1e-15 is a few ulp.
        bits = [-math.log2(x) for x in p]
        nats = [-math.log(x) for x in p]
        np.testing.assert_allclose(ax.lines[0].get_ydata(), bits, rtol=1e-15, atol=1e-300)
        np.testing.assert_allclose(ax.lines[1].get_ydata(), nats, rtol=1e-15, atol=1e-300)

    def test_landmarks(self):
        ax = plot_surprisal()
        # Fair coin 1 bit, fair die log2 6, one in ten log2 10, by hand.
        marked = sorted(float(line.get_ydata()[0]) for line in ax.lines[2:])
        np.testing.assert_allclose(marked, [1.0, math.log2(6), math.log2(10)], rtol=1e-15)
        labels = sorted(text.get_text() for text in ax.texts)
        assert labels == ["coin: 1 bit", "die: 2.58 bits", "digit (1 ban): 3.32 bits"]

    def test_uses_given_axes(self):
        ax = new_axes()
        assert plot_surprisal(ax=ax) is ax

    @pytest.mark.parametrize("p_min", [0.0, 1.0, -0.5])
    def test_bad_p_min(self, p_min):
        with pytest.raises(ValueError, match=f"plot_surprisal: p_min must lie in .* got {p_min!r}"):
            plot_surprisal(p_min=p_min)

    @pytest.mark.parametrize(("num", "exc"), [(1, ValueError), (2.5, TypeError), (True, TypeError)])
    def test_bad_num(self, num, exc):
        with pytest.raises(exc, match="plot_surprisal: num must be"):
            plot_surprisal(num=num)


class TestPlotBernoulliEntropy:
    def test_curve_is_binary_entropy(self):
        ax = plot_bernoulli_entropy(num=101)
        p = ax.lines[0].get_xdata()
        h = ax.lines[0].get_ydata()

        # Direct formula with the 0 log 0 = 0 convention applied by hand at the two ends.
        def h2(x):
            return 0.0 if x in (0.0, 1.0) else -x * math.log2(x) - (1 - x) * math.log2(1 - x)

        expected = [h2(x) for x in p]
        np.testing.assert_allclose(h, expected, rtol=1e-14, atol=1e-15)  # a few roundings
        assert h[0] == 0.0
        assert h[-1] == 0.0
        assert h[50] == 1.0  # p = 0.5 exactly: -2 * 0.5 * log2(0.5) = 1 in binary
        assert float(np.max(h)) == 1.0

    def test_maximum_marker(self):
        ax = plot_bernoulli_entropy()
        assert list(ax.lines[1].get_xdata()) == [0.5]
        assert list(ax.lines[1].get_ydata()) == [1.0]


class TestPlotCodeLengths:
    def test_bars(self):
        p = [0.4, 0.3, 0.2, 0.1]
        lengths = [1, 2, 3, 3]
        ax = plot_code_lengths(p, lengths, labels="abcd")
        heights = [patch.get_height() for patch in ax.patches]
        assert heights[:4] == lengths
        # Surprisal bars against math.log2: rtol 1e-15.
        np.testing.assert_allclose(heights[4:], [-math.log2(x) for x in p], rtol=1e-15)
        assert [t.get_text() for t in ax.get_xticklabels()] == list("abcd")

    def test_legend_gives_averages(self):
        ax = plot_code_lengths([0.5, 0.25, 0.125, 0.125], [1, 2, 3, 3])
        texts = [t.get_text() for t in ax.get_legend().get_texts()]
        # 1.75 bits both ways (hand computation, see the chapter).
        assert "1.750" in texts[0]
        assert "1.750" in texts[1]

    def test_shape_mismatch(self):
        with pytest.raises(ValueError, match="plot_code_lengths: p and lengths must be 1-d"):
            plot_code_lengths([0.5, 0.5], [1, 1, 1])

    def test_bad_inputs(self):
        with pytest.raises(ValueError, match="plot_code_lengths: p must sum to 1"):
            plot_code_lengths([0.5, 0.6], [1, 1])
        with pytest.raises(ValueError, match="plot_code_lengths: p must be positive"):
            plot_code_lengths([1.0, 0.0], [1, 1])
        with pytest.raises(ValueError, match="plot_code_lengths: lengths must be >= 0"):
            plot_code_lengths([0.5, 0.5], [1, -1])
        with pytest.raises(ValueError, match="plot_code_lengths: labels must name all 2 symbols"):
            plot_code_lengths([0.5, 0.5], [1, 1], labels=["a"])


class TestPlotEntropyHistogram:
    def test_histogram_counts_and_bound(self):
        values = np.array([0.1, 0.2, 0.2, 1.0, 1.5])
        ax = plot_entropy_histogram(values, num_classes=5, bins=4)
        counts = [patch.get_height() for patch in ax.patches]
        # Bins of width log(5)/4 = 0.402: [0, .402) holds 0.1, 0.2, 0.2; [.805, 1.207) holds
        # 1.0; [1.207, 1.609] holds 1.5.
        assert counts == [3, 0, 1, 1]
        np.testing.assert_allclose(ax.lines[0].get_xdata(), [math.log(5)] * 2, rtol=1e-15)

    @pytest.mark.parametrize("bad", [0, 1, 2.5, True])
    def test_bad_num_classes(self, bad):
        with pytest.raises(ValueError, match="plot_entropy_histogram: num_classes must be"):
            plot_entropy_histogram([0.5], num_classes=bad)

    def test_empty(self):
        with pytest.raises(ValueError, match="plot_entropy_histogram: entropies must be"):
            plot_entropy_histogram([], num_classes=3)

    def test_entropy_above_the_bound(self):
        # log 2 = 0.693 is the most a distribution over 2 outcomes can have: 0.8 is impossible.
        with pytest.raises(ValueError, match=r"plot_entropy_histogram: entropies must lie in"):
            plot_entropy_histogram([0.2, 0.8], num_classes=2)


class TestPlotSurprisalHalvings:
    def test_lines_in_bits_and_nats(self):
        ax = plot_surprisal_halvings(halvings=10)
        p = ax.lines[0].get_xdata()
        # Powers of two are exact in binary: p = 2^-n and -log2 p = n exactly.
        assert list(p) == [2.0**-n for n in range(11)]
        assert list(ax.lines[0].get_ydata()) == [float(n) for n in range(11)]
        # n ln 2 from the math module; rtol 1e-15 is a few ulp.
        np.testing.assert_allclose(
            ax.lines[1].get_ydata(), [n * math.log(2) for n in range(11)], rtol=1e-15
        )
        assert ax.get_xscale() == "log"

    def test_each_halving_is_one_bit(self):
        ax = plot_surprisal_halvings(halvings=6)
        assert np.all(np.diff(ax.lines[0].get_ydata()) == 1.0)

    def test_landmarks(self):
        ax = plot_surprisal_halvings(halvings=10)
        marked = [float(line.get_ydata()[0]) for line in ax.lines[2:]]
        np.testing.assert_allclose(marked, [math.log2(6), math.log2(52)], rtol=1e-15)
        # 1/52 lies beyond an axis that stops at 1/8, so only the die is marked.
        assert len(plot_surprisal_halvings(halvings=3).lines) == 3

    @pytest.mark.parametrize(("halvings", "exc"), [(0, ValueError), (2.0, TypeError)])
    def test_bad_halvings(self, halvings, exc):
        with pytest.raises(exc, match="plot_surprisal_halvings: halvings must be"):
            plot_surprisal_halvings(halvings=halvings)


class TestPlotCumulativeSurprise:
    def test_running_totals(self):
        rained = np.array([True, False, True, True])
        ax = plot_cumulative_surprise(rained, {"half": 0.5, "daily": [0.8, 0.25, 0.5, 0.125]})
        assert list(ax.lines[0].get_xdata()) == [1, 2, 3, 4]
        # Always 1/2: one bit a day, exactly.
        assert list(ax.lines[0].get_ydata()) == [1.0, 2.0, 3.0, 4.0]
        # By hand: -log2 0.8, then -log2 0.75, -log2 0.5 = 1, -log2 0.125 = 3.
        first = -math.log2(0.8)
        second = first - math.log2(0.75)
        expected = [first, second, second + 1.0, second + 4.0]
        np.testing.assert_allclose(ax.lines[1].get_ydata(), expected, rtol=1e-15)
        texts = [t.get_text() for t in ax.get_legend().get_texts()]
        assert texts[0] == "half: 4 bits"

    def test_a_sure_forecast_that_fails_is_infinitely_surprised(self):
        with np.errstate(divide="ignore"):
            ax = plot_cumulative_surprise(np.array([False, True]), {"never": 0.0})
        assert list(ax.lines[0].get_ydata()) == [0.0, math.inf]

    def test_bad_inputs(self):
        with pytest.raises(ValueError, match="outcomes must be a non-empty 1-d boolean"):
            plot_cumulative_surprise([1, 0], {"a": 0.5})
        with pytest.raises(ValueError, match="forecasts must name at least one"):
            plot_cumulative_surprise(np.array([True]), {})
        with pytest.raises(ValueError, match="forecast 'a' must lie in"):
            plot_cumulative_surprise(np.array([True]), {"a": 1.5})


class TestPlotForecastLedger:
    def test_savings_against_the_reference(self):
        rained = np.array([True, False, True, True])
        forecasts = {"half": 0.5, "daily": [0.8, 0.25, 0.5, 0.125]}
        top, bottom = plot_forecast_ledger(rained, forecasts, "half")
        # The top panel is the running surprise, as drawn by plot_cumulative_surprise.
        assert list(top.lines[0].get_ydata()) == [1.0, 2.0, 3.0, 4.0]
        # The reference saves nothing against itself.
        assert list(bottom.lines[0].get_ydata()) == [0.0, 0.0, 0.0, 0.0]
        # By hand: log2(q / (1/2)) per day, 1 + log2 q: log2 1.6, log2 1.5, 0, -2.
        expected = np.cumsum([math.log2(1.6), math.log2(1.5), 0.0, -2.0])
        np.testing.assert_allclose(bottom.lines[1].get_ydata(), expected, rtol=1e-14)
        assert list(bottom.lines[1].get_xdata()) == [1, 2, 3, 4]
        texts = [t.get_text() for t in bottom.get_legend().get_texts()]
        assert texts == ["half: +0", "daily: -1"]

    def test_legends_clear_of_the_lines(self):
        # A season like the chapter's: the overconfident total climbs under the top legend
        # unless the top panel has headroom (without it, 37 of its points fall inside).
        day = np.arange(365)
        chance = 0.3 + 0.2 * np.sin(2 * np.pi * day / 365)
        rained = np.random.default_rng(0).random(day.size) < chance
        tripled = 1 / (1 + np.exp(-3 * np.log(chance / (1 - chance))))  # log-odds tripled
        forecasts = {"knows": chance, "30%": 0.3, "50%": 0.5, "over": tripled}
        top, bottom = plot_forecast_ledger(rained, forecasts, "50%")
        assert top.get_ylim()[1] > max(float(line.get_ydata().max()) for line in top.lines)
        top.figure.canvas.draw()
        for ax in (top, bottom):
            box = ax.get_legend().get_window_extent()
            for line in ax.lines:
                x, y = ax.transData.transform(np.c_[line.get_xdata(), line.get_ydata()]).T
                inside = (box.x0 <= x) & (x <= box.x1) & (box.y0 <= y) & (y <= box.y1)
                assert not inside.any()

    def test_unknown_reference(self):
        with pytest.raises(ValueError, match="reference 'x' must name one of the forecasters"):
            plot_forecast_ledger(np.array([True]), {"a": 0.5}, "x")


class TestRoundToBfloat16:
    def test_hand_values(self):
        tiny = 2.0**-133  # smallest bfloat16 subnormal
        x = np.array([tiny, tiny / 2, 0.75 * tiny, 1.5 * tiny, 0.999, 0.998, 2.0**-126, 1.0])
        # Half the smallest subnormal ties to the even 0; 1.5 tiny ties to the even 2 tiny;
        # below 1 the spacing is 2^-8, so 0.999 rounds up to 1 and 0.998 to 1 - 2^-8.
        expected = [tiny, 0.0, tiny, 2 * tiny, 1.0, 1 - 2.0**-8, 2.0**-126, 1.0]
        assert list(_round_to_bfloat16(x)) == expected

    def test_agrees_with_rounding_the_float32_bit_pattern(self):
        # bfloat16 is the upper half of a float32: round the lower 16 bits to nearest, ties to
        # even, on the integer bit pattern. Float32 inputs, so there is no double rounding.
        rng = np.random.default_rng(7)
        x = np.exp(rng.uniform(-95.0, 0.0, size=20_000)).astype(np.float32)
        bits = x.view(np.uint32).astype(np.uint64)
        lower, upper = bits & 0xFFFF, bits >> 16
        round_up = (lower > 0x8000) | ((lower == 0x8000) & (upper & 1 == 1))
        expected = ((upper + round_up) << 16).astype(np.uint32).view(np.float32)
        np.testing.assert_array_equal(_round_to_bfloat16(x.astype(np.float64)), expected)


class TestPlotNaiveLossUnderflow:
    def test_exact_loss_is_the_softplus_of_the_gap(self):
        top, _ = plot_naive_loss_underflow(max_gap=120.0, num=241)
        gap = top.lines[0].get_xdata()
        # log(1 + e^d) with mpmath at 30 digits.
        mpmath = pytest.importorskip("mpmath")
        with mpmath.workdps(30):
            expected = [float(mpmath.log(1 + mpmath.exp(d))) for d in gap]
        np.testing.assert_allclose(top.lines[0].get_ydata(), expected, rtol=1e-15)

    def test_naive_loss_becomes_infinite_where_the_probability_underflows(self):
        top, _ = plot_naive_loss_underflow(max_gap=120.0, num=4801)
        gap = top.lines[0].get_xdata()
        step = gap[1]
        firsts = []
        # q_y rounds to zero at or below half the smallest subnormal: 2^-150, 2^-134, 2^-25.
        for line, power in zip(top.lines[1:4], [150, 134, 25], strict=True):
            blown = np.isnan(line.get_ydata())
            first = gap[np.argmax(blown)]
            assert np.all(blown[gap >= first])
            assert power * math.log(2) <= first < power * math.log(2) + step
            firsts.append(first)
        # Where q_y is a normal float32 number the naive loss keeps float32 precision.
        normal = gap < 87
        np.testing.assert_allclose(
            top.lines[1].get_ydata()[normal], top.lines[0].get_ydata()[normal], rtol=2e-7
        )
        assert [m.get_xdata()[0] for m in top.lines[4:]] == firsts

    def test_error_panel(self):
        top, bottom = plot_naive_loss_underflow(max_gap=110.0, num=2201, zoom_from=80.0)
        zoom = top.lines[0].get_xdata() >= 80.0
        exact = top.lines[0].get_ydata()[zoom]
        for line, naive in zip(bottom.lines[:2], top.lines[1:3], strict=True):
            np.testing.assert_array_equal(line.get_ydata(), naive.get_ydata()[zoom] - exact)

    def test_error_panel_range(self):
        top, bottom = plot_naive_loss_underflow(max_gap=120.0, num=2401, zoom_to=106.0)
        gap = top.lines[0].get_xdata()
        shown = (gap >= 80.0) & (gap <= 106.0)
        np.testing.assert_array_equal(bottom.lines[0].get_xdata(), gap[shown])
        assert bottom.get_xlim() == (80.0, 106.0)

    def test_fine_error_panel(self):
        _, bottom = plot_naive_loss_underflow(zoom_from=100.0, zoom_to=106.0, zoom_num=601)
        gap = bottom.lines[0].get_xdata()
        np.testing.assert_array_equal(gap, np.linspace(100.0, 106.0, 601))
        # Expected: q_y = 1 / (1 + e^d) and log(1 + e^d) with mpmath at 30 digits; q_y rounded
        # to float32 by numpy's cast; the rounded q_y is zero from 150 ln 2.
        mpmath = pytest.importorskip("mpmath")
        with mpmath.workdps(30):
            q = [float(1 / (1 + mpmath.exp(d))) for d in gap]
            exact = [float(mpmath.log(1 + mpmath.exp(d))) for d in gap]
        q32 = np.array(q).astype(np.float32).astype(np.float64)
        alive = q32 > 0
        assert np.array_equal(alive, gap < 150 * math.log(2))
        expected = [
            -math.log(x) - e for x, e in zip(q32[alive], np.array(exact)[alive], strict=True)
        ]
        shown = bottom.lines[0].get_ydata()
        np.testing.assert_allclose(shown[alive], expected, rtol=1e-12, atol=1e-12)
        assert np.isnan(shown[~alive]).all()
        # Where q_y is subnormal the error lies in [-log 2, log 1.5] (rounding to 2^-149 steps),
        # and in bfloat16 likewise (2^-133 steps), which is zero from 134 ln 2.
        _, bf_bottom = plot_naive_loss_underflow(zoom_from=88.0, zoom_to=95.0, zoom_num=701)
        for line, zero_from in [(bottom.lines[0], 150), (bf_bottom.lines[1], 134)]:
            x, error = line.get_xdata(), line.get_ydata()
            assert np.array_equal(np.isnan(error), x >= zero_from * math.log(2))
            error = error[np.isfinite(error)]
            assert -math.log(2) - 1e-9 <= error.min() < -0.6
            assert 0.3 < error.max() <= math.log(1.5) + 1e-9

    def test_bad_arguments(self):
        with pytest.raises(ValueError, match="plot_naive_loss_underflow: zoom_to must lie"):
            plot_naive_loss_underflow(max_gap=120.0, zoom_to=130.0)
        with pytest.raises(ValueError, match="plot_naive_loss_underflow: max_gap must lie"):
            plot_naive_loss_underflow(max_gap=0.0)
        with pytest.raises(ValueError, match="plot_naive_loss_underflow: zoom_from must lie"):
            plot_naive_loss_underflow(max_gap=50.0, zoom_from=60.0)
        with pytest.raises(ValueError, match="plot_naive_loss_underflow: zoom_num must be"):
            plot_naive_loss_underflow(zoom_num=1)


class TestPlotLossWithAndWithoutLog:
    def test_losses(self):
        top, _ = plot_loss_with_and_without_log(q_min=1e-3, num=61)
        q = top.lines[0].get_xdata()
        assert q[0] == pytest.approx(1e-3, rel=1e-14) and q[-1] == 1.0
        # -ln q from the math module; the log-less loss -q shifted by its minimum -1.
        np.testing.assert_allclose(top.lines[0].get_ydata(), [-math.log(x) for x in q], rtol=1e-15)
        np.testing.assert_array_equal(top.lines[1].get_ydata(), [1 - x for x in q])

    def test_slopes_match_central_differences_in_the_true_logit(self):
        _, bottom = plot_loss_with_and_without_log(q_min=1e-3, num=31)
        q = bottom.lines[0].get_xdata()
        assert q.max() < 1.0
        # Two classes with logits (log q, log(1 - q)): vary z_y by +-h, by hand in math.
        h = 1e-6

        def q_at(x, dz):
            a, b = math.log(x) + dz, math.log(1 - x)
            return math.exp(a) / (math.exp(a) + math.exp(b))

        with_log = [(math.log(q_at(x, -h)) - math.log(q_at(x, h))) / (2 * h) for x in q]
        without = [(q_at(x, -h) - q_at(x, h)) / (2 * h) for x in q]
        np.testing.assert_allclose(bottom.lines[0].get_ydata(), np.abs(with_log), rtol=1e-6)
        np.testing.assert_allclose(bottom.lines[1].get_ydata(), np.abs(without), rtol=1e-6)

    @pytest.mark.parametrize("q_min", [0.0, 0.5, -1.0])
    def test_bad_q_min(self, q_min):
        with pytest.raises(ValueError, match="plot_loss_with_and_without_log: q_min must lie"):
            plot_loss_with_and_without_log(q_min=q_min)
