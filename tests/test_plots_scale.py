"""Tests of the chapter 12 figures: each helper draws exactly the data it is given or derives."""

from __future__ import annotations

import numpy as np
import pytest
from scipy.special import logsumexp as scipy_logsumexp

from xentbook.plots import plot_memory_vs_vocab, plot_online_softmax

MIB = 2.0**20


class TestPlotMemoryVsVocab:
    def test_lines_are_the_data_in_mib(self):
        v = [1000, 2000, 4000]
        naive = [8 * MIB, 16 * MIB, 32 * MIB]
        chunked = [1 * MIB, 1.5 * MIB, 2 * MIB]
        logits = [4 * MIB, 8 * MIB, 16 * MIB]
        ax = plot_memory_vs_vocab(v, naive, chunked, logits_bytes=logits)
        assert len(ax.lines) == 3
        np.testing.assert_array_equal(ax.lines[0].get_xdata(), v)
        # Dividing by 2^20 is exact in binary floating point: compare exactly.
        np.testing.assert_array_equal(ax.lines[0].get_ydata(), [8, 16, 32])
        np.testing.assert_array_equal(ax.lines[1].get_ydata(), [1, 1.5, 2])
        np.testing.assert_array_equal(ax.lines[2].get_ydata(), [4, 8, 16])
        assert ax.get_ylabel() == "peak memory (MiB)"

    def test_without_the_reference_line(self):
        ax = plot_memory_vs_vocab([10, 20], [MIB, 2 * MIB], [MIB, MIB])
        assert len(ax.lines) == 2

    def test_draws_on_given_axes(self):
        import matplotlib.pyplot as plt

        _, ax = plt.subplots()
        assert plot_memory_vs_vocab([1], [MIB], [MIB], ax=ax) is ax

    def test_mismatched_lengths(self):
        with pytest.raises(ValueError, match=r"plot_memory_vs_vocab: chunked_bytes must have"):
            plot_memory_vs_vocab([1, 2], [1, 2], [1])


class TestPlotOnlineSoftmax:
    def test_running_state_is_the_prefix_logsumexp(self):
        rng = np.random.default_rng(0)
        row = rng.normal(size=23) * 3
        ax = plot_online_softmax(row, chunk=5)
        ends = np.array([5, 10, 15, 20, 23])
        np.testing.assert_array_equal(ax.lines[0].get_xdata(), ends)
        # Independent derivation: after reading k entries, m is their maximum and m + log d is
        # their log-sum-exp (scipy); only rounding separates the two computations.
        np.testing.assert_array_equal(ax.lines[0].get_ydata(), [row[:k].max() for k in ends])
        np.testing.assert_allclose(
            ax.lines[1].get_ydata(), [scipy_logsumexp(row[:k]) for k in ends], rtol=1e-14
        )
        final = ax.lines[2].get_ydata()
        assert final[0] == pytest.approx(scipy_logsumexp(row), rel=1e-15)
        np.testing.assert_array_equal(ax.lines[3].get_ydata(), row)

    def test_chunk_larger_than_row(self):
        ax = plot_online_softmax([0.0, 1.0], chunk=10)
        np.testing.assert_array_equal(ax.lines[0].get_xdata(), [2])

    @pytest.mark.parametrize(
        ("a", "chunk", "match"),
        [
            (np.zeros((2, 2)), 1, "a must be a non-empty 1-d row"),
            ([], 1, "a must be a non-empty 1-d row"),
            ([1.0], 0, "chunk must be a positive integer, got 0"),
            ([1.0], 1.5, "chunk must be a positive integer, got 1.5"),
        ],
    )
    def test_bad_input(self, a, chunk, match):
        with pytest.raises(ValueError, match=f"plot_online_softmax: {match}"):
            plot_online_softmax(a, chunk)
