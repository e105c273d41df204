"""Tests of the figure helpers of chapter 12, on the data they plot (hand-derived values)."""

import matplotlib.pyplot as plt
import numpy as np
import pytest

from xentbook.plots import (
    plot_loss_by_context,
    plot_micro_batch_weights,
    plot_packing,
    plot_response_weights,
    plot_sequence_weights,
    plot_soft_cap,
    plot_target_alignment,
    plot_window_context,
    plot_z_loss_drift,
)


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
    assert [t.get_text() for t in top.texts] == ["992", "656", "127", "20"]
    assert [t.get_text() for t in bottom.texts] == ["0.45", "0.68", "3.5", "22"]


def test_micro_batch_weights_rejects_zero():
    with pytest.raises(ValueError, match="plot_micro_batch_weights: token_counts"):
        plot_micro_batch_weights(np.array([3, 0]))


def test_sequence_weights():
    # three sequences of 4, 1 and 5 targets with summed losses 2, 3, 5: means 0.5, 3, 1
    top, bottom = plot_sequence_weights(np.array([2.0, 3.0, 5.0]), np.array([4, 1, 5]))
    # drawn in order of length: 1, 4, 5 targets
    assert [t.get_text() for t in top.get_xticklabels()] == ["1", "4", "5"]
    np.testing.assert_allclose([b.get_height() for b in top.patches], [3.0, 0.5, 1.0])
    seq_line, token_line = top.lines
    np.testing.assert_allclose(seq_line.get_ydata(), [1.5, 1.5])  # (3 + 0.5 + 1) / 3
    np.testing.assert_allclose(token_line.get_ydata(), [1.0, 1.0])  # 10 / 10
    heights = [b.get_height() for b in bottom.patches]
    np.testing.assert_allclose(heights[:3], [0.1, 0.4, 0.5])  # n_s / N
    np.testing.assert_allclose(heights[3:], [1 / 3] * 3)  # 1 / B


def test_sequence_weights_rejects_empty_sequence():
    with pytest.raises(ValueError, match="plot_sequence_weights: counts"):
        plot_sequence_weights(np.array([1.0, 0.0]), np.array([3, 0]))


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


def _cells(ax, n_cols):
    """Cell texts of a panel drawn by plot_target_alignment, row by row (labels dropped)."""
    texts = [t for t in ax.texts if t.get_position()[0] > 0]
    words = [t.get_text() for t in texts]
    return [words[i : i + n_cols] for i in range(0, len(words), n_cols)]


def test_target_alignment():
    top, bottom = plot_target_alignment(["a", "b", "c", "d"], ["a", "b", "E", "E"], 3, "E")
    # Hand derivation: right y_t = x_{t+1}; off by one y_t = x_t; double shift y_t = x_{t+2}.
    assert _cells(top, 4) == [
        ["a", "b", "c", "d"],
        ["b", "c", "d", "-"],
        ["a", "b", "c", "d"],
        ["c", "d", "-", "-"],
    ]
    # Length 3 keeps the real E as a target; the mask from the ids (E is padding) loses it.
    assert _cells(bottom, 4) == [
        ["a", "b", "E", "E"],
        ["b", "E", "-", "-"],
        ["b", "-", "-", "-"],
    ]


def test_packing():
    top, bottom = plot_packing(np.array([3, 2, 3]), 4)
    # Rows [0 0 0 1] [1 2 2 2]: position ids restart in every piece of a document.
    assert [t.get_text() for t in top.texts if t.get_text().isdigit()] == list("01200012")
    mask = np.isfinite(bottom.images[0].get_array().filled(np.nan))
    expected = np.array([[1, 0, 0, 0], [1, 1, 0, 0], [1, 1, 1, 0], [0, 0, 0, 1]], dtype=bool)
    np.testing.assert_array_equal(mask, expected)
    # Row 0 ends inside document 1 (cut): one red-edged cell, at (3, -1).
    red = [p for p in top.patches if p.get_edgecolor()[:3] == (0xC0 / 255, 0x39 / 255, 0x2B / 255)]
    assert [p.get_xy() for p in red] == [(3, -1)]
    # the mask fills the width of the figure (a square panel would be too narrow on a phone)
    assert bottom.get_aspect() == "auto"


def test_z_loss_drift():
    ax = plot_z_loss_drift({"a": [3.0, 2.0, 1.5], "b": np.array([3.0, 4.0, 5.0])})
    x, y = ax.lines[0].get_data()
    np.testing.assert_array_equal(x, [0, 1, 2])
    np.testing.assert_array_equal(y, [3.0, 2.0, 1.5])
    np.testing.assert_array_equal(ax.lines[1].get_data()[1], [3.0, 4.0, 5.0])
    assert [t.get_text() for t in ax.get_legend().get_texts()] == ["a", "b"]
    with pytest.raises(ValueError, match="plot_z_loss_drift: log_z must hold"):
        plot_z_loss_drift({})


def test_response_weights():
    # Hand-derived weights for G = 2: GRPO 1/(2|o|), DAPO 1/(20 + L), Dr. GRPO 1/(2 * 256).
    lengths = np.array([20, 40, 200])
    top, bottom = plot_response_weights(20, lengths, 256)
    wrong = {line.get_label(): line.get_ydata() for line in top.lines}
    right = {line.get_label(): line.get_ydata() for line in bottom.lines}
    np.testing.assert_array_equal(top.lines[0].get_xdata(), lengths)
    np.testing.assert_allclose(wrong["GRPO (sequence mean)"], [1 / 40, 1 / 80, 1 / 400])
    np.testing.assert_allclose(right["GRPO (sequence mean)"], [1 / 40] * 3)
    np.testing.assert_allclose(wrong["DAPO (token mean)"], [1 / 40, 1 / 60, 1 / 220])
    np.testing.assert_allclose(right["DAPO (token mean)"], [1 / 40, 1 / 60, 1 / 220])
    np.testing.assert_allclose(wrong["Dr. GRPO (constant)"], [1 / 512] * 3)
    np.testing.assert_allclose(right["Dr. GRPO (constant)"], [1 / 512] * 3)


def test_response_weights_rejects_lengths_beyond_the_maximum():
    with pytest.raises(ValueError, match="max_length"):
        plot_response_weights(20, np.array([20, 300]), 256)


def test_loss_by_context():
    ax = plot_loss_by_context(np.array([1, 2, 4]), [4.0, 3.5, 3.2], floor=2.5, vocab_size=64)
    x, y = ax.lines[0].get_data()
    np.testing.assert_array_equal(x, [1, 2, 4])
    np.testing.assert_array_equal(y, [4.0, 3.5, 3.2])
    assert ax.lines[1].get_ydata()[0] == 2.5
    # log 64 = 6 log 2 = 4.1589, the loss of the uniform prediction
    np.testing.assert_allclose(ax.lines[2].get_ydata()[0], 6 * np.log(2), rtol=1e-15)
    labels = [t.get_text() for t in ax.get_legend().get_texts()]
    assert labels == ["mean loss", "floor, 2.50 nats", "$\\log V$ = 4.16"]
    bottom, top = ax.get_ylim()  # both reference lines inside the frame
    assert bottom < 2.5 and top > 6 * np.log(2)
    with pytest.raises(ValueError, match="plot_loss_by_context: context must be increasing"):
        plot_loss_by_context(np.array([2, 1]), [1.0, 2.0])
    with pytest.raises(ValueError, match="plot_loss_by_context: mean_loss must have the shape"):
        plot_loss_by_context(np.array([1, 2]), [1.0, 2.0, 3.0])
