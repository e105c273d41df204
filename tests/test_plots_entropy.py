"""Tests of chapter 2's figures: each helper is checked on the data it draws."""

import math

import numpy as np
import pytest

from xentbook.plots import (
    plot_binary_entropy,
    plot_block_coding,
    plot_code_length_rounding,
    plot_code_tree,
    plot_entropy_from_logits_error,
    plot_fano_bound,
    plot_information_diagram,
    plot_jensen_gap,
    plot_plugin_bias,
    plot_quantized_entropy,
    plot_simplex_entropy,
    plot_surprisal_concentration,
)


def test_binary_entropy_curve():
    ax = plot_binary_entropy(num=11)
    x, h = ax.lines[0].get_xdata(), ax.lines[0].get_ydata()
    expected = [
        0.0 if v in (0.0, 1.0) else -v * math.log2(v) - (1 - v) * math.log2(1 - v) for v in x
    ]
    np.testing.assert_allclose(h, expected, rtol=1e-14, atol=1e-15)
    half = ax.lines[2].get_xdata()
    for v in half:  # the marked biases have H_b = 1/2 to bisection precision
        assert abs(-v * math.log2(v) - (1 - v) * math.log2(1 - v) - 0.5) < 1e-12


def test_simplex_values():
    n = 6
    ax = plot_simplex_entropy(num=n, points=[(0.7, 0.2, 0.1)])
    values = ax.collections[0].get_array()
    grid = [(i / n, j / n, (n - i - j) / n) for i in range(n + 1) for j in range(n + 1 - i)]
    expected = [-sum(v * math.log2(v) for v in g if v > 0) for g in grid]
    np.testing.assert_allclose(values, expected, rtol=1e-14, atol=1e-15)
    assert values.max() == pytest.approx(math.log2(3), rel=1e-15)  # (1/3, 1/3, 1/3) is on it
    x, y = ax.lines[0].get_xdata()[0], ax.lines[0].get_ydata()[0]
    np.testing.assert_allclose([x, y], [0.2 + 0.05, math.sqrt(3) / 2 * 0.1], rtol=1e-15)


def test_simplex_contour_labels_sit_on_their_levels():
    # One label per level from 0.5 bit up, on the segment from the centre to the top vertex,
    # where the exact entropy is that level (to the resolution of the drawn grid).
    ax = plot_simplex_entropy()
    labels = [t for t in ax.texts if t.get_text() in {"0.50", "0.75", "1.00", "1.25", "1.50"}]
    assert sorted(t.get_text() for t in labels) == ["0.50", "0.75", "1.00", "1.25", "1.50"]
    for t in labels:
        tx, ty = t.get_position()
        assert tx == pytest.approx(0.5, abs=0.01)
        p2 = ty / (math.sqrt(3) / 2)
        p1 = tx - 0.5 * p2
        h = -sum(v * math.log2(v) for v in (1 - p1 - p2, p1, p2))
        assert h == pytest.approx(float(t.get_text()), abs=0.01)


def test_code_tree_claims_are_kraft_terms():
    words = ["00", "01", "100", "1010"]
    ax = plot_code_tree(words)
    owners = [patch.get_gid() for patch in ax.patches]
    assert len(owners) == 16
    for k, w in enumerate(words):
        assert owners.count(str(k)) == 2 ** (4 - len(w))
    assert owners.count(None) == 16 - 4 - 4 - 2 - 1  # 16 (1 - Kraft sum 11/16)


def test_code_tree_rejects_non_prefix_code():
    with pytest.raises(ValueError, match="not a prefix code"):
        plot_code_tree(["0", "01"])


def test_block_coding_values():
    ax = plot_block_coding([0.9, 0.1], max_block=3)
    # Huffman by hand: n = 1: 1 bit; n = 2 (0.81, 0.09, 0.09, 0.01): lengths 1, 2, 3, 3,
    # 1.29 bits per block; n = 3: lengths 1, 3, 3, 3, 5, 5, 5, 5, 1.598 bits per block.
    h = -0.9 * math.log2(0.9) - 0.1 * math.log2(0.1)
    np.testing.assert_allclose(
        ax.lines[0].get_ydata(), [1.0 - h, 1.29 / 2 - h, 1.598 / 3 - h], rtol=1e-13
    )
    np.testing.assert_allclose(ax.lines[2].get_ydata(), [1, 0.5, 1 / 3], rtol=1e-15)
    # Shannon lengths ceil(-log2 P): n = 1 -> 1, 4: 0.9 + 0.4 = 1.3 bits.
    assert ax.lines[1].get_ydata()[0] == pytest.approx(1.3 - h, rel=1e-14)
    assert ax.get_yscale() == "log"


def test_code_length_rounding_bars():
    ax = plot_code_length_rounding([0.4, 0.3, 0.2, 0.1])
    heights = [bar.get_height() for bar in ax.patches]
    np.testing.assert_allclose(
        heights[:4], [-math.log2(v) for v in (0.4, 0.3, 0.2, 0.1)], rtol=1e-15
    )
    assert heights[4:8] == [2, 2, 3, 4]  # ceil(1.32), ceil(1.74), ceil(2.32), ceil(3.32)
    assert heights[8:] == [1, 2, 3, 3]  # merges: 0.1+0.2, 0.3+0.3, 0.4+0.6


def test_information_diagram_to_scale():
    joint = [[0.25, 0.25], [0.5, 0.0]]
    ax = plot_information_diagram(joint)
    bars = [(bar.get_x(), bar.get_width()) for bar in ax.patches]
    # By hand: H(X) = 1, H(Y) = H_b(0.75), H(X, Y) = 1.5, H(Y | X) = 0.5, H(X | Y) = 1.5 - H(Y).
    hy = -0.75 * math.log2(0.75) - 0.25 * math.log2(0.25)
    expected = [
        (0.0, 1.5),
        (0.0, 1.0),
        (1.5 - hy, hy),
        (0.0, 1.5 - hy),
        (1.5 - hy, 1.0 - (1.5 - hy)),
        (1.0, 0.5),
    ]
    np.testing.assert_allclose(bars, expected, rtol=1e-14, atol=1e-15)


def test_quantized_entropy_matches_bin_sums():
    rate, widths = 4.0, np.array([0.5, 0.1, 0.01])
    ax = plot_quantized_entropy(rate=rate, widths=widths)
    for width, got in zip(widths, ax.lines[0].get_ydata(), strict=True):
        k = np.arange(int(60 / (rate * width)))  # mass beyond is e^-60
        bins = np.exp(-rate * k * width) * (1 - math.exp(-rate * width))
        assert got == pytest.approx(-np.sum(bins * np.log(bins)), rel=1e-10)
    np.testing.assert_allclose(ax.lines[1].get_ydata(), -np.log(widths), rtol=1e-15)
    assert ax.lines[3].get_ydata()[0] == pytest.approx(1 - math.log(4), rel=1e-15)
    # The difference converges to h: at width 1e-3 the gap is below 1e-6 nats (O(width^2)).
    fine = plot_quantized_entropy(rate=rate, widths=[1e-3])
    assert abs(fine.lines[2].get_ydata()[0] - (1 - math.log(4))) < 1e-6


def test_surprisal_concentration_is_the_binomial_cdf():
    # Independent reference: scipy's binomial distribution. With p1 < p0 the surprisal per
    # symbol increases with the number k of ones, so the curve is the binomial CDF in k.
    stats = pytest.importorskip("scipy.stats")
    p0, p1 = 0.9, 0.1
    ax = plot_surprisal_concentration([p0, p1], block_lengths=[10, 100, 1000])
    for line, n in zip(ax.lines[:3], [10, 100, 1000], strict=True):
        k = np.arange(n + 1)
        s = -((n - k) * math.log2(p0) + k * math.log2(p1)) / n
        # each curve starts at (0, 0), left of the smallest surprisal -log2 p0
        assert line.get_xdata()[0] == 0.0 and line.get_ydata()[0] == 0.0
        np.testing.assert_allclose(line.get_xdata()[1:], s, rtol=1e-14)
        np.testing.assert_allclose(
            line.get_ydata()[1:], stats.binom.cdf(k, n, p1), rtol=1e-9, atol=1e-15
        )
    h = -(p0 * math.log2(p0) + p1 * math.log2(p1))
    np.testing.assert_allclose(ax.lines[3].get_xdata(), [h, h], rtol=1e-15)


def test_surprisal_concentration_fair_coin_is_one_point():
    ax = plot_surprisal_concentration([0.5, 0.5], block_lengths=[7])
    np.testing.assert_allclose(ax.lines[0].get_xdata(), [0.0, 1.0], rtol=1e-15)
    np.testing.assert_allclose(ax.lines[0].get_ydata(), [0.0, 1.0], rtol=1e-12)


@pytest.mark.parametrize("p", [[0.5, 0.3, 0.2], [1.0, 0.0], [0.6, 0.6]])
def test_surprisal_concentration_rejects_bad_coin(p):
    with pytest.raises(ValueError, match="two positive probabilities"):
        plot_surprisal_concentration(p)


def _softmax_entropy_mp(gap):
    # Reference in 50-digit arithmetic, independent of the helper's closed form.
    import mpmath

    with mpmath.workdps(50):
        z = [mpmath.mpf(gap), mpmath.mpf(0), -mpmath.mpf(gap)]
        lse = mpmath.log(sum(mpmath.e**v for v in z))
        return float(sum(mpmath.e ** (v - lse) * (lse - v) for v in z))


def test_entropy_from_logits_error_curves():
    ax = plot_entropy_from_logits_error(max_gap=80.0, num=320)
    gaps = ax.lines[0].get_xdata()
    np.testing.assert_array_equal(gaps, np.arange(1, 321) * 0.25)  # float32-exact gaps
    naive, termwise, difference, log_space = (ax.lines[k].get_ydata() for k in range(4))
    # The naive sum is nan once e^(-2a) underflows in float32 (2a > 103.97), finite before.
    assert np.all(np.isnan(naive[gaps >= 52])) and np.all(np.isfinite(naive[gaps <= 51.5]))
    # The difference form cancels to 0 (relative error 1) from a = 17 on.
    np.testing.assert_array_equal(difference[gaps >= 17], 1.0)
    # From a = 17 on, the naive and term-by-term sums are 1 % to 6 % low (the caption).
    assert np.all((termwise[gaps >= 17] > 0.01) & (termwise[gaps >= 17] < 0.06))
    ok = gaps >= 17
    for a in (17.0, 30.0, 51.5, 80.0):  # and low, not high (float32 sum against mpmath)
        z = np.array([a, 0.0, -a], dtype=np.float32)
        e = np.exp(z - z.max())
        lse = np.log(e.sum()) + z.max()
        assert float(np.sum(e / e.sum() * (lse - z))) < _softmax_entropy_mp(a)
    np.testing.assert_array_equal(naive[ok & (gaps < 52)], termwise[ok & (gaps < 52)])
    # The log-space formula stays within a few float32 rounding units everywhere.
    assert log_space.max() < 8 * 2.0**-24
    # The term-by-term sum at a = 30: 3 % low, as the chapter says (mpmath reference).
    k30 = int(np.flatnonzero(gaps == 30.0)[0])
    z = np.array([30.0, 0.0, -30.0], dtype=np.float32)
    p = np.exp(z - z.max()) / np.exp(z - z.max()).sum()
    lse = np.log(np.exp(z - z.max()).sum()) + z.max()
    h30 = _softmax_entropy_mp(30.0)
    expected = abs(float(np.sum(p * (lse - z))) - h30) / h30
    np.testing.assert_allclose(termwise[k30], expected, rtol=1e-6)
    assert round(float(termwise[k30]), 3) == 0.032
    assert ax.lines[4].get_ydata()[0] == 2.0**-24
    # The legend sits above the axes, off the curves.
    legend = ax.get_legend()
    assert legend is not None and legend.get_bbox_to_anchor().y0 >= ax.bbox.y1 - 1e-6


def test_entropy_from_logits_error_rejects_bad_arguments():
    with pytest.raises(ValueError, match="num"):
        plot_entropy_from_logits_error(num=1)
    with pytest.raises(ValueError, match="max_gap"):
        plot_entropy_from_logits_error(max_gap=120.0)


def test_fano_bound_curve_and_points():
    # The classifier table of chapter 2: H(Y | Yhat) = 1.0387 bits, error 0.28, three classes.
    h_cond, error, classes = 1.0386918390275641, 0.28, 3
    ax = plot_fano_bound(h_cond, error, classes, num=11)
    pe, bound = ax.lines[0].get_xdata(), ax.lines[0].get_ydata()
    expected = [
        (0.0 if v in (0.0, 1.0) else -v * math.log2(v) - (1 - v) * math.log2(1 - v))
        + v * math.log2(classes - 1)
        for v in pe
    ]
    np.testing.assert_allclose(bound, expected, rtol=1e-14, atol=1e-15)
    np.testing.assert_allclose(ax.lines[1].get_ydata(), 1 + pe * math.log2(classes - 1))
    # The smallest allowed error solves H_b(P) + P = H(Y | Yhat) on [0, 2/3] (scipy brentq).
    from scipy.optimize import brentq

    def fano(v: float) -> float:
        return -v * math.log2(v) - (1 - v) * math.log2(1 - v) + v - h_cond

    root = brentq(fano, 1e-9, 2 / 3, xtol=1e-15)
    smallest = float(ax.lines[3].get_xdata()[0])
    assert abs(smallest - root) < 1e-12 and round(smallest, 3) == 0.241
    assert ax.lines[2].get_xdata()[-1] == smallest
    assert list(ax.lines[4].get_xdata()) == [error]
    assert list(ax.lines[4].get_ydata()) == [h_cond]
    legend = ax.get_legend()
    assert legend is not None and legend.get_bbox_to_anchor().y0 >= ax.bbox.y1 - 1e-6


def test_fano_bound_rejects_bad_arguments():
    with pytest.raises(ValueError, match="num_classes"):
        plot_fano_bound(0.5, 0.1, 1)
    with pytest.raises(ValueError, match="conditional_entropy_bits"):
        plot_fano_bound(1.7, 0.1, 3)  # above log2 3
    with pytest.raises(ValueError, match="error_rate"):
        plot_fano_bound(0.5, 1.5, 3)
    with pytest.raises(ValueError, match="num"):
        plot_fano_bound(0.5, 0.1, 3, num=2)


def test_plugin_bias_by_enumeration():
    # K = 3, N up to 6: every sequence of N draws enumerated, exact expectations.
    import itertools

    ax = plot_plugin_bias(3, max_samples=6, num=5)
    sizes = ax.lines[0].get_xdata()
    for k, n in enumerate(sizes):
        plug, mm = 0.0, 0.0
        for seq in itertools.product(range(3), repeat=int(n)):
            counts = np.bincount(seq, minlength=3)
            freq = counts[counts > 0] / n
            h = -np.sum(freq * np.log(freq))
            plug += h / 3**n
            mm += (h + (np.count_nonzero(counts) - 1) / (2 * n)) / 3**n
        np.testing.assert_allclose(ax.lines[0].get_ydata()[k], math.log(3) - plug, rtol=1e-12)
        np.testing.assert_allclose(ax.lines[1].get_ydata()[k], math.log(3) - mm, rtol=1e-11)
    np.testing.assert_allclose(ax.lines[2].get_ydata(), 2 / (2 * sizes), rtol=1e-15)


def test_plugin_bias_chapter_values():
    # The chapter's K = 10: exact plug-in biases 0.0945 (N = 50) and 0.0227 (N = 200) from
    # scipy's binomial law, and Miller-Madow below 0.001 from N = 100 on.
    from scipy.stats import binom

    for n, quoted in ((50, 0.0945), (200, 0.0227)):
        sizes_n = plot_plugin_bias(10, max_samples=n, num=2).lines[0]
        assert list(sizes_n.get_xdata()) == [5, n]
        x = np.arange(n + 1)
        terms = np.where(x > 0, -(x / n) * np.log(np.maximum(x, 1) / n), 0.0)
        exact = math.log(10) - 10 * np.sum(binom.pmf(x, n, 0.1) * terms)
        np.testing.assert_allclose(sizes_n.get_ydata()[1], exact, rtol=1e-10)
        assert round(float(sizes_n.get_ydata()[1]), 4) == quoted
    ax = plot_plugin_bias(10, max_samples=1000)
    sizes, plug, mm = (ax.lines[0].get_xdata(), ax.lines[0].get_ydata(), ax.lines[1].get_ydata())
    assert sizes[0] == 5 and sizes[-1] == 1000
    assert np.all(mm[sizes >= 100] < 1e-3) and np.all(np.diff(plug) < 0)
    with pytest.raises(ValueError, match="num_outcomes"):
        plot_plugin_bias(1)
    with pytest.raises(ValueError, match="max_samples"):
        plot_plugin_bias(10, max_samples=3)


def test_jensen_gap_points_are_the_two_sides_of_the_inequality():
    ax = plot_jensen_gap((1.0, 5.0))
    x, y = ax.lines[0].get_xdata(), ax.lines[0].get_ydata()
    np.testing.assert_allclose(y, np.log(x), rtol=1e-15)
    np.testing.assert_array_equal(ax.lines[1].get_xdata(), [1.0, 5.0])
    # log E[X] = log 3 on the curve, E[log X] = (log 1 + log 5) / 2 = log sqrt(5) on the chord.
    assert ax.lines[3].get_xdata()[0] == ax.lines[4].get_xdata()[0] == 3.0
    assert ax.lines[3].get_ydata()[0] == pytest.approx(math.log(3), rel=1e-15)
    assert ax.lines[4].get_ydata()[0] == pytest.approx(0.5 * math.log(5), rel=1e-15)
    assert ax.lines[4].get_ydata()[0] < ax.lines[3].get_ydata()[0]


def test_jensen_gap_weights_and_bad_arguments():
    ax = plot_jensen_gap((0.5, 2.0, 8.0), weights=(0.25, 0.5, 0.25))
    assert ax.lines[3].get_xdata()[0] == pytest.approx(3.125, rel=1e-15)
    # E[log X] = (-log 2) / 4 + (log 2) / 2 + (3 log 2) / 4 = log 2.
    assert ax.lines[4].get_ydata()[0] == pytest.approx(math.log(2), rel=1e-15)
    for points, weights in [
        ((1.0,), None),
        ((1.0, 1.0), None),
        ((0.0, 2.0), None),
        ((1.0, 2.0), (0.3, 0.3)),
    ]:
        with pytest.raises(ValueError, match="plot_jensen_gap"):
            plot_jensen_gap(points, weights)
