"""Tests of the chapter 13 figures: each helper draws exactly the data it is given or derives."""

from __future__ import annotations

import numpy as np
import pytest
from scipy.special import logsumexp as scipy_logsumexp

from xentbook.plots import plot_live_memory, plot_memory_at_scale, plot_online_softmax

GIB = 2.0**30


class TestPlotMemoryAtScale:
    def test_lines_are_the_data_in_gib_on_log_axes(self):
        v = [32_000, 64_000, 128_000]
        series = {"a": [GIB, 2 * GIB, 4 * GIB], "b": [GIB / 4, GIB / 2, GIB]}
        ax = plot_memory_at_scale(v, series)
        assert len(ax.lines) == 2
        np.testing.assert_array_equal(ax.lines[0].get_xdata(), v)
        # Dividing by 2^30 is exact in binary floating point: compare exactly.
        np.testing.assert_array_equal(ax.lines[0].get_ydata(), [1, 2, 4])
        np.testing.assert_array_equal(ax.lines[1].get_ydata(), [0.25, 0.5, 1])
        assert [line.get_label() for line in ax.lines] == ["a", "b"]
        assert ax.get_xscale() == "log"
        assert ax.get_yscale() == "log"
        assert ax.get_ylabel() == "memory (GiB)"
        np.testing.assert_array_equal(ax.get_xticks(), v)
        # 1-2-5 ticks within the data's range (0.25 to 4 GiB, widened by 1.5 either way).
        np.testing.assert_array_equal(ax.get_yticks(), [0.2, 0.5, 1, 2, 5])

    def test_draws_on_given_axes(self):
        import matplotlib.pyplot as plt

        _, ax = plt.subplots()
        assert plot_memory_at_scale([1], {"a": [GIB]}, ax=ax) is ax

    @pytest.mark.parametrize(
        ("v", "series", "match"),
        [
            ([1, 2], {"a": [1]}, "series 'a' must hold positive byte counts"),
            ([1, 2], {"a": [1, 0]}, "series 'a' must hold positive byte counts"),
            ([0, 2], {"a": [1, 1]}, "vocab_sizes must be a non-empty 1-d array"),
            ([1, 2], {}, "series is empty"),
        ],
    )
    def test_bad_input(self, v, series, match):
        with pytest.raises(ValueError, match=f"plot_memory_at_scale: {match}"):
            plot_memory_at_scale(v, series)


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


class TestPlotLiveMemory:
    def test_bars_stack_the_parts_top_to_bottom(self):
        steps = ["a", "b", "c"]
        parts = {"x": [1.0, 1.0, 0.0], "y": [0.0, 2.0, 1.0]}
        ax = plot_live_memory(steps, parts)
        widths = [p.get_width() for p in ax.patches]
        lefts = [p.get_x() for p in ax.patches]
        np.testing.assert_array_equal(widths, [1.0, 1.0, 0.0, 0.0, 2.0, 1.0])
        # The second part starts where the first ends.
        np.testing.assert_array_equal(lefts, [0.0, 0.0, 0.0, 1.0, 1.0, 0.0])
        assert [t.get_text() for t in ax.texts] == ["1", "3", "1"]
        assert [t.get_text() for t in ax.get_yticklabels()] == steps
        assert [t.get_text() for t in ax.get_legend().get_texts()] == ["x", "y"]
        assert ax.yaxis_inverted()

    def test_bad_input(self):
        with pytest.raises(ValueError, match="plot_live_memory: part 'x' must hold one"):
            plot_live_memory(["a"], {"x": [1.0, 2.0]})
        with pytest.raises(ValueError, match="plot_live_memory: parts is empty"):
            plot_live_memory(["a"], {})


class TestPlotFusedLoop:
    def test_blocks_and_boxes(self):
        from matplotlib.patches import FancyArrowPatch, Rectangle

        from xentbook.plots import plot_fused_loop

        ax = plot_fused_loop(n_blocks=5, block=3)
        rects = [p for p in ax.patches if isinstance(p, Rectangle)]
        arrows = [p for p in ax.patches if isinstance(p, FancyArrowPatch)]
        # 5 blocks of X, W^T, Z_B, 5 blocks of dL/dX, the dL/dW accumulator; four arrows.
        assert len(rects) == 5 + 1 + 1 + 5 + 1 and len(arrows) == 4
        x_blocks, out_blocks = rects[:5], rects[7:12]
        white = (1.0, 1.0, 1.0, 1.0)
        assert [b.get_facecolor() != white for b in x_blocks] == [False, False, False, True, False]
        assert [b.get_facecolor() != white for b in out_blocks] == [True, True, True, True, False]
        # Blocks are stacked top to bottom in order, equal heights.
        ys = [b.get_y() for b in x_blocks]
        assert ys == sorted(ys, reverse=True)
        np.testing.assert_allclose([b.get_height() for b in x_blocks], x_blocks[0].get_height())
        texts = " ".join(t.get_text() for t in ax.texts)
        for part in ("$X$", "$W^\\top$", "$Z_B", "G_B^\\top X_B", "$G_B W$"):
            assert part in texts

    def test_rejects_bad_block(self):
        from xentbook.plots import plot_fused_loop

        with pytest.raises(ValueError, match="block"):
            plot_fused_loop(n_blocks=3, block=3)


class TestPlotChunkError:
    def test_lines_are_the_data_on_log_axes(self):
        from xentbook.plots import plot_chunk_error

        chunks = [1, 8, 32, 128]
        series = {"bf16": [0.002, 0.004, 0.007, 0.016], "fp32": [0.002] * 4}
        ax = plot_chunk_error(chunks, series)
        assert [line.get_label() for line in ax.lines] == ["bf16", "fp32"]
        np.testing.assert_array_equal(ax.lines[0].get_xdata(), chunks)
        np.testing.assert_array_equal(ax.lines[0].get_ydata(), series["bf16"])
        np.testing.assert_array_equal(ax.lines[1].get_ydata(), series["fp32"])
        assert ax.get_xscale() == "log" and ax.get_yscale() == "log"
        np.testing.assert_array_equal(ax.get_xticks(), chunks)
        # 1-2-5 ticks within the data's range (0.002 to 0.016, widened by 1.5 either way).
        np.testing.assert_allclose(ax.get_yticks(), [0.002, 0.005, 0.01, 0.02])

    def test_rejects_mismatched_series(self):
        from xentbook.plots import plot_chunk_error

        with pytest.raises(ValueError, match="shape"):
            plot_chunk_error([1, 2], {"a": [0.1, 0.2, 0.3]})
        with pytest.raises(ValueError, match="empty"):
            plot_chunk_error([1, 2], {})


class TestPlotVocabParallel:
    def test_columns_and_collectives(self):
        from matplotlib.patches import FancyArrowPatch, Rectangle

        from xentbook.plots import plot_vocab_parallel

        ax = plot_vocab_parallel(n_devices=4)
        rects = [p for p in ax.patches if isinstance(p, Rectangle)]
        arrows = [p for p in ax.patches if isinstance(p, FancyArrowPatch)]
        # X, then three stages of 4 device boxes and one collective bar; 3 arrows per device.
        assert len(rects) == 1 + 3 * (4 + 1) and len(arrows) == 3 * 4
        texts = [t.get_text() for t in ax.texts]
        bars = [t for t in texts if "all-reduce" in t]
        assert len(bars) == 3
        assert "MAX" in bars[0] and "SUM" in bars[1] and "packed" in bars[1]
        assert bars[2].startswith("backward") and "G_k W_k" in bars[2]
        assert sum("$Z_{4}" in t or "Z_4" in t for t in texts) == 1

    def test_rejects_bad_count(self):
        from xentbook.plots import plot_vocab_parallel

        with pytest.raises(ValueError, match="n_devices"):
            plot_vocab_parallel(n_devices=1)


class TestPlotChangeVsBound:
    def test_bars_count_the_ratios(self):
        from xentbook.plots import plot_change_vs_bound

        change = np.array([0.25, -0.5, 1.0, -2.0])
        bound = np.array([2.0, 2.0, 2.0, 2.0])
        ax = plot_change_vs_bound(change, bound, bins=8)
        heights = [p.get_height() for p in ax.patches]
        # |change| / bound = 1/8, 1/4, 1/2, 1 (exact in binary): bins 1, 2, 4 and the last.
        assert heights == [0, 1, 1, 0, 1, 0, 0, 1]
        np.testing.assert_array_equal(ax.lines[0].get_xdata(), [1.0, 1.0])

    def test_rejects_changes_above_the_bound(self):
        from xentbook.plots import plot_change_vs_bound

        with pytest.raises(ValueError, match="exceed"):
            plot_change_vs_bound([0.2], [0.1])


class TestPlotCceTiling:
    def test_tiles_state_and_gradients(self):
        from matplotlib.patches import FancyArrowPatch, Rectangle

        from xentbook.plots import plot_cce_tiling

        top, bottom = plot_cce_tiling(
            n_row_tiles=3, n_vocab_tiles=5, row=2, tile=3, merged=[0, 4], skipped=[1]
        )
        white = (1.0, 1.0, 1.0, 1.0)
        for ax, extra in ((top, 0), (bottom, 5)):
            rects = [p for p in ax.patches if isinstance(p, Rectangle)]
            # 3 x 5 logit tiles, 3 blocks of the right column, then dL/dW's 5 blocks below.
            assert len(rects) == 3 * 5 + 3 + extra
            tiles = rects[:15]
            assert all(t.get_linestyle() == "--" for t in tiles)  # never stored
            filled = [t.get_facecolor() != white for t in tiles]
            lit = [k for k, f in enumerate(filled) if f]
            hatched = [k for k, t in enumerate(tiles) if t.get_hatch()]
            if ax is top:  # row tile 2: tiles 0 and 4 merged (any order), tile 3 on chip
                assert lit == [10, 13, 14] and hatched == []
            else:  # the skipped tile 1 is hatched and not filled
                assert lit == [10, 12, 13] and hatched == [11]
            column = [r.get_facecolor() != white for r in rects[15:18]]
            assert column == [False, False, True]
        dw = [p for p in bottom.patches if isinstance(p, Rectangle)][18:]
        assert [r.get_facecolor() != white for r in dw] == [False, False, False, True, False]
        assert len([p for p in top.patches if isinstance(p, FancyArrowPatch)]) == 1
        assert len([p for p in bottom.patches if isinstance(p, FancyArrowPatch)]) == 2
        top_text = " ".join(t.get_text() for t in top.texts)
        bottom_text = " ".join(t.get_text() for t in bottom.texts)
        assert "lse" in top_text and "any order" in top_text and "$z_y$" not in top_text
        for part in ("$G W_V$", "$G^\\top X_B$", "\\mathrm{lse}", "skipped", "$|N G|$"):
            assert part in bottom_text

    def test_rejects_bad_tiles(self):
        from xentbook.plots import plot_cce_tiling

        with pytest.raises(ValueError, match="at least 2"):
            plot_cce_tiling(n_row_tiles=1)
        with pytest.raises(ValueError, match="outside"):
            plot_cce_tiling(row=4)
        with pytest.raises(ValueError, match="skipped"):
            plot_cce_tiling(tile=3, skipped=[3])
        with pytest.raises(ValueError, match="merged"):
            plot_cce_tiling(tile=3, merged=[3])
