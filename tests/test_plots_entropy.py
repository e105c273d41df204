"""Tests of chapter 2's figures: each helper is checked on the data it draws."""

import math

import numpy as np
import pytest

from xentbook.plots import (
    plot_binary_entropy,
    plot_block_coding,
    plot_code_tree,
    plot_simplex_entropy,
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
    np.testing.assert_allclose(ax.lines[0].get_ydata(), [1.0, 1.29 / 2, 1.598 / 3], rtol=1e-14)
    h = -0.9 * math.log2(0.9) - 0.1 * math.log2(0.1)
    np.testing.assert_allclose(ax.lines[3].get_ydata(), [h] * 3, rtol=1e-15)
    np.testing.assert_allclose(ax.lines[2].get_ydata(), [h + 1, h + 0.5, h + 1 / 3], rtol=1e-15)
    # Shannon lengths ceil(-log2 P): n = 1 -> 1, 4: 0.9 + 0.4 = 1.3 bits.
    assert ax.lines[1].get_ydata()[0] == pytest.approx(1.3, rel=1e-15)
