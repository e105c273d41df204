"""Tests of xentbook.language_model against PyTorch (marker torch) and hand derivations.

The reference for every token-weighted quantity is the loss of the whole batch at once,
computed by PyTorch's ``F.cross_entropy`` with ``reduction='mean'`` (the mean over targets that
are not ``ignore_index``) and differentiated by autograd, in float64. Float64 paths that differ
only in the order of a sum agree to a few ulp times the number of terms: 1e-13 relative is
tight enough to catch any normalisation slip (which shows up at 1e-2 or worse).
"""

from __future__ import annotations

import math

import numpy as np
import pytest

from xentbook import (
    accumulated_cross_entropy_with_grad,
    bits_per_byte,
    cross_entropy,
    next_token_targets,
    sequence_losses,
    sliding_window_spans,
    soft_cap,
    soft_cap_grad,
    z_loss,
    z_loss_grad,
)
from xentbook.book import finite_difference_grad


def lm_batch(seed, lengths=(7, 1, 5, 3), vocab=11):
    rng = np.random.default_rng(seed)
    width = max(lengths)
    logits = rng.normal(scale=2.0, size=(len(lengths), width, vocab))
    targets = rng.integers(0, vocab, size=(len(lengths), width))
    targets[np.arange(width)[None, :] >= np.array(lengths)[:, None]] = -100
    return logits, targets


class TestNextTokenTargets:
    def test_shift_by_one_and_last_ignored(self):
        # Hand derivation: y_t = x_{t+1}, y_{T-1} = ignore_index.
        y = next_token_targets(np.array([[4, 8, 15, 16], [23, 42, 1, 2]]))
        np.testing.assert_array_equal(y, [[8, 15, 16, -100], [42, 1, 2, -100]])

    def test_padding_of_the_next_token_is_ignored(self):
        y = next_token_targets([5, 7, 2, 0, 0], attention_mask=[1, 1, 1, 0, 0], ignore_index=-1)
        np.testing.assert_array_equal(y, [7, 2, -1, -1, -1])

    def test_left_padding(self):
        # Hand derivation: y_t = x_{t+1} only where m_t = m_{t+1} = 1; a pad position predicts
        # nothing, so the first real token is not a target (HF's label shift would score it).
        y = next_token_targets([0, 0, 3, 4], attention_mask=[0, 0, 1, 1])
        np.testing.assert_array_equal(y, [-100, -100, 4, -100])

    def test_same_count_left_and_right_padded(self):
        # Three real tokens have two targets whichever side the padding is on.
        left = next_token_targets([[0, 0, 5, 6, 7]], attention_mask=[[0, 0, 1, 1, 1]])
        right = next_token_targets([[5, 6, 7, 0, 0]], attention_mask=[[1, 1, 1, 0, 0]])
        np.testing.assert_array_equal(left, [[-100, -100, 6, 7, -100]])
        np.testing.assert_array_equal(right, [[6, 7, -100, -100, -100]])

    def test_loss_mask_scores_the_response_only(self):
        # Hand derivation: prompt [9, 8], response [5, 6, EOS=0], one pad; a target x_{t+1} is
        # kept only where the next token is a real response token.
        y = next_token_targets(
            [[9, 8, 5, 6, 0, 0]],
            attention_mask=[[1, 1, 1, 1, 1, 0]],
            loss_mask=[[0, 0, 1, 1, 1, 0]],
        )
        np.testing.assert_array_equal(y, [[-100, 5, 6, 0, -100, -100]])
        # A response truncated away leaves no target at all.
        y = next_token_targets([9, 8, 7], loss_mask=[0, 0, 0])
        np.testing.assert_array_equal(y, [-100, -100, -100])

    @pytest.mark.parametrize(
        ("kwargs", "error", "match"),
        [
            ({"tokens": [1, 2], "loss_mask": [1]}, ValueError, "loss_mask must have"),
            ({"tokens": [1.0, 2.0]}, TypeError, "next_token_targets: tokens must hold integers"),
            ({"tokens": [[[1]]]}, ValueError, r"shape \(T,\) or \(B, T\)"),
            ({"tokens": [1, -100]}, ValueError, "ignore_index=-100 at index"),
            ({"tokens": [1, 2], "attention_mask": [1]}, ValueError, "attention_mask must have"),
            ({"tokens": [1, 2], "attention_mask": [1, 2]}, ValueError, "0 .padding. and 1"),
        ],
    )
    def test_errors(self, kwargs, error, match):
        with pytest.raises(error, match=match):
            next_token_targets(**kwargs)


class TestSequenceLosses:
    def test_sums_counts_and_both_means(self):
        logits, targets = lm_batch(1)
        sums, counts = sequence_losses(logits, targets)
        per_token = cross_entropy(logits.reshape(-1, 11), targets.ravel(), reduction="none")
        per_token = per_token.reshape(targets.shape)
        for s in range(4):
            keep = targets[s] != -100
            np.testing.assert_allclose(sums[s], per_token[s][keep].sum(), rtol=1e-14)
            assert counts[s] == keep.sum()
        np.testing.assert_allclose(
            sums.sum() / counts.sum(),
            cross_entropy(logits.reshape(-1, 11), targets.ravel()),
            rtol=1e-14,
        )

    def test_equal_logits_hand_value(self):
        # Every target costs log V at equal logits.
        sums, counts = sequence_losses(np.zeros((2, 3, 4)), [[0, 1, -100], [3, 2, 1]])
        np.testing.assert_allclose(sums, [2 * math.log(4), 3 * math.log(4)], rtol=1e-15)
        np.testing.assert_array_equal(counts, [2, 3])

    def test_segments_split_a_row(self):
        logits, targets = lm_batch(2, lengths=(6, 6))
        seg = np.array([[0, 0, 1, 1, 1, 1], [2, 2, 2, 2, 2, 7]])
        sums, counts = sequence_losses(logits, targets, segment_ids=seg)
        per_token = cross_entropy(logits.reshape(-1, 11), targets.ravel(), reduction="none")
        np.testing.assert_array_equal(counts, [2, 4, 5, 1])
        for k, ident in enumerate((0, 1, 2, 7)):
            np.testing.assert_allclose(sums[k], per_token[seg.ravel() == ident].sum(), rtol=1e-14)

    def test_errors(self):
        with pytest.raises(
            ValueError, match=r"sequence_losses: logits must have shape \(B, T, V\)"
        ):
            sequence_losses(np.zeros((3, 4)), [0, 1, 2])
        with pytest.raises(ValueError, match="targets must have shape"):
            sequence_losses(np.zeros((1, 3, 4)), [[0, 1]])
        with pytest.raises(ValueError, match="segment_ids must be non-negative"):
            sequence_losses(np.zeros((1, 2, 4)), [[0, 1]], segment_ids=[[0, -1]])


class TestAccumulation:
    def test_equals_whole_batch_hand(self):
        logits, targets = lm_batch(3)
        acc = accumulated_cross_entropy_with_grad(
            [(logits[:1], targets[:1]), (logits[1:3], targets[1:3]), (logits[3:], targets[3:])]
        )
        np.testing.assert_allclose(
            acc.loss, cross_entropy(logits.reshape(-1, 11), targets.ravel()), rtol=1e-14
        )
        assert acc.tokens == 16

    def test_mean_of_means_differs_by_the_token_weights(self):
        # Hand derivation: L = sum_k n_k m_k / N, and the mean of means is sum_k m_k / K.
        logits, targets = lm_batch(4)
        micro = [(logits[:1], targets[:1]), (logits[1:], targets[1:])]  # 7 and 9 targets
        n = [int((t != -100).sum()) for _, t in micro]
        m = [cross_entropy(z.reshape(-1, 11), t.ravel()) for z, t in micro]
        acc = accumulated_cross_entropy_with_grad(micro)
        np.testing.assert_allclose(acc.loss, (n[0] * m[0] + n[1] * m[1]) / sum(n), rtol=1e-14)
        assert abs(acc.loss - np.mean(m)) > 1e-3

    def test_no_target_at_all(self):
        acc = accumulated_cross_entropy_with_grad([(np.zeros((2, 3)), np.array([-100, -100]))])
        assert math.isnan(acc.loss) and acc.tokens == 0
        np.testing.assert_array_equal(acc.grads[0], 0)

    @pytest.mark.parametrize(
        ("batches", "error", "match"),
        [
            ([], ValueError, "micro_batches is empty"),
            ("ab", TypeError, "micro_batches must be a sequence"),
            (
                [(np.zeros((1, 3)),)],
                TypeError,
                r"micro_batches\[0\] must be a \(logits, targets\) pair",
            ),
            (
                [(np.zeros((1, 3)), [0]), (np.zeros((1, 4)), [0])],
                ValueError,
                r"micro_batches\[1\] has a vocabulary of 4",
            ),
            ([(np.zeros((2, 3)), [0])], ValueError, "targets must have shape"),
        ],
    )
    def test_errors(self, batches, error, match):
        with pytest.raises(error, match=f"accumulated_cross_entropy_with_grad: {match}"):
            accumulated_cross_entropy_with_grad(batches)


class TestSlidingWindows:
    @pytest.mark.parametrize(("n", "w", "s"), [(10, 4, 2), (100, 16, 5), (33, 8, 1), (9, 9, 3)])
    def test_every_token_but_the_first_scored_once(self, n, w, s):
        scored = np.zeros(n, dtype=int)
        for begin, end, first in sliding_window_spans(n, w, s):
            assert end - begin <= w and begin < first <= end
            assert first - begin >= min(w - s, first) or begin == 0
            scored[first:end] += 1
        np.testing.assert_array_equal(scored, [0] + [1] * (n - 1))

    def test_disjoint_windows_skip_each_first_token(self):
        spans = sliding_window_spans(12, 4, 4)
        assert spans == [(0, 4, 1), (4, 8, 5), (8, 12, 9)]
        assert sum(e - f for _, e, f in spans) == 12 - 3

    def test_errors(self):
        with pytest.raises(ValueError, match="sliding_window_spans: stride must not exceed window"):
            sliding_window_spans(10, 4, 5)
        with pytest.raises(ValueError, match="num_tokens must be at least 2"):
            sliding_window_spans(1, 4, 2)
        with pytest.raises(TypeError, match="window must be an integer"):
            sliding_window_spans(10, 4.0, 2)


class TestBitsPerByte:
    def test_hand_value(self):
        assert bits_per_byte(1000 * math.log(256), 1000) == pytest.approx(8.0, rel=1e-15, abs=0)

    @pytest.mark.parametrize("bad", [-1.0, math.inf, math.nan])
    def test_bad_total(self, bad):
        with pytest.raises(ValueError, match="bits_per_byte: total_nll must be finite and >= 0"):
            bits_per_byte(bad, 10)

    def test_bad_bytes(self):
        with pytest.raises(ValueError, match="bits_per_byte: num_bytes must be at least 1"):
            bits_per_byte(1.0, 0)


class TestZLoss:
    def test_hand_values(self):
        # log Z of (0, 0) is log 2; of log-probabilities it is 0.
        np.testing.assert_allclose(z_loss(np.zeros((1, 2)), 1.0), math.log(2) ** 2, rtol=1e-15)
        assert z_loss(np.log([[0.5, 0.25, 0.25]])) == 0.0

    def test_gradient_sums_to_2c_logz(self):
        rng = np.random.default_rng(5)
        z = rng.normal(scale=3.0, size=(4, 7))
        g = z_loss_grad(z, 0.1, reduction="sum")
        lse = np.log(np.exp(z).sum(axis=1))
        np.testing.assert_allclose(g.sum(axis=1), 0.2 * lse, rtol=1e-13)

    def test_reductions(self):
        z = np.random.default_rng(6).normal(size=(3, 5))
        none = z_loss(z, reduction="none")
        assert none.shape == (3,)
        np.testing.assert_allclose(z_loss(z, reduction="sum"), none.sum(), rtol=1e-15)
        np.testing.assert_allclose(z_loss(z), none.mean(), rtol=1e-15)
        np.testing.assert_allclose(z_loss_grad(z), z_loss_grad(z, reduction="sum") / 3, rtol=1e-15)

    def test_targets_leave_ignored_positions_out(self):
        # Hand derivation: rows with log Z = log 2 (kept) and 5 + log 2 (ignored); the mean is
        # over the one kept row, the ignored row has zero loss and zero gradient.
        z = np.array([[0.0, 0.0], [5.0, 5.0], [0.0, 0.0]])
        t = [1, -100, 0]
        np.testing.assert_allclose(z_loss(z, 1.0, targets=t), math.log(2) ** 2, rtol=1e-15)
        np.testing.assert_allclose(
            z_loss(z, 1.0, "sum", targets=t), 2 * math.log(2) ** 2, rtol=1e-15
        )
        none = z_loss(z, 1.0, "none", targets=t)
        np.testing.assert_allclose(none, [math.log(2) ** 2, 0.0, math.log(2) ** 2], rtol=1e-15)
        g = z_loss_grad(z, 1.0, targets=t)
        np.testing.assert_allclose(g[0], [math.log(2) / 2] * 2, rtol=1e-15)
        np.testing.assert_array_equal(g[1], [0.0, 0.0])
        g_fd = finite_difference_grad(lambda w: z_loss(w, 1.0, targets=t), z)
        np.testing.assert_allclose(g, g_fd, atol=1e-8)

    def test_no_target_at_all(self):
        z = np.zeros((2, 3))
        with pytest.warns(RuntimeWarning, match="z_loss: the mean of an empty input"):
            assert np.isnan(z_loss(z, targets=[-100, -100]))
        np.testing.assert_array_equal(z_loss_grad(z, targets=[-100, -100]), 0.0)
        with pytest.raises(ValueError, match="z_loss: targets must have shape"):
            z_loss(z, targets=[1, 2, 3])

    def test_errors(self):
        with pytest.raises(ValueError, match="z_loss: coefficient must be finite and >= 0"):
            z_loss(np.zeros((1, 2)), -1.0)
        with pytest.raises(ValueError, match="z_loss_grad: logits must be finite"):
            z_loss_grad(np.array([[np.inf, 0.0]]))


class TestSoftCap:
    def test_bounds_and_small_logits(self):
        z = np.array([-1e6, -30.0, 0.0, 1e-3, 30.0, 1e6])
        capped = soft_cap(z, 30.0)
        assert np.all(np.abs(capped) <= 30.0)
        # Taylor: c tanh(z / c) = z - z^3 / (3 c^2) + ..., relative change z^2 / (3 c^2).
        np.testing.assert_allclose(capped[3], 1e-3 - 1e-9 / 2700, rtol=1e-15)

    def test_derivative_matches_finite_differences(self):
        z = np.linspace(-100, 100, 41)
        h = 1e-5
        fd = (soft_cap(z + h, 30.0) - soft_cap(z - h, 30.0)) / (2 * h)
        # central differences: truncation h^2 |f'''| / 6 < 1e-12, rounding eps * 30 / h ~ 1e-9
        np.testing.assert_allclose(soft_cap_grad(z, 30.0), fd, rtol=0, atol=2e-9)

    def test_derivative_tail_against_mpmath(self):
        # sech^2(z / c) from mpmath at 30 digits; 1 - tanh^2 would give 0.0 at 300 (float32)
        # and 600 (float64), and lose digits well before.
        mpmath = pytest.importorskip("mpmath")
        for dtype, z, rtol in (
            (np.float32, 150.0, 1e-6),
            (np.float32, 300.0, 1e-6),
            (np.float64, 600.0, 1e-14),
            (np.float64, -2000.0, 1e-13),
        ):
            with mpmath.workdps(30):
                exact = float(mpmath.sech(mpmath.mpf(z) / 30) ** 2)
            got = soft_cap_grad(np.array([z], dtype=dtype), 30.0)
            assert got.dtype == dtype
            np.testing.assert_allclose(got[0], exact, rtol=rtol)

    def test_dtype_kept(self):
        assert soft_cap(np.float32([1.0]), 30.0).dtype == np.float32

    def test_errors(self):
        with pytest.raises(ValueError, match="soft_cap: cap must be positive"):
            soft_cap([1.0], 0.0)


@pytest.mark.torch
class TestAgainstTorch:
    torch = pytest.importorskip("torch")

    def test_accumulated_loss_and_grads_equal_whole_batch(self):
        torch = self.torch
        f = torch.nn.functional
        logits, targets = lm_batch(7, lengths=(9, 2, 6, 1, 4), vocab=13)
        zt = torch.tensor(logits, requires_grad=True)
        loss = f.cross_entropy(zt.reshape(-1, 13), torch.tensor(targets).reshape(-1))
        loss.backward()
        splits = [(0, 2), (2, 3), (3, 5)]
        acc = accumulated_cross_entropy_with_grad([(logits[a:b], targets[a:b]) for a, b in splits])
        np.testing.assert_allclose(acc.loss, loss.item(), rtol=1e-14)
        for (a, b), g in zip(splits, acc.grads, strict=True):
            np.testing.assert_allclose(g, zt.grad[a:b].numpy(), rtol=1e-13, atol=1e-17)

    def test_sequence_mean(self):
        torch = self.torch
        f = torch.nn.functional
        logits, targets = lm_batch(8)
        sums, counts = sequence_losses(logits, targets)
        per_seq = [
            f.cross_entropy(torch.tensor(logits[s]), torch.tensor(targets[s])).item()
            for s in range(4)
        ]
        np.testing.assert_allclose(sums / counts, per_seq, rtol=1e-14)

    def test_z_loss_and_soft_cap_gradients(self):
        torch = self.torch
        z = np.random.default_rng(9).normal(scale=20.0, size=(3, 6))
        zt = torch.tensor(z, requires_grad=True)
        zl = 1e-3 * (torch.logsumexp(zt, dim=-1) ** 2).mean()
        zl.backward()
        np.testing.assert_allclose(z_loss(z, 1e-3), zl.item(), rtol=1e-14)
        np.testing.assert_allclose(z_loss_grad(z, 1e-3), zt.grad.numpy(), rtol=1e-13)
        zt2 = torch.tensor(z, requires_grad=True)
        capped = 30.0 * torch.tanh(zt2 / 30.0)
        capped.sum().backward()
        np.testing.assert_allclose(soft_cap(z, 30.0), capped.detach().numpy(), rtol=1e-15)
        np.testing.assert_allclose(soft_cap_grad(z, 30.0), zt2.grad.numpy(), rtol=1e-14)

    def test_masked_z_loss_matches_torch(self):
        torch = self.torch
        rng = np.random.default_rng(10)
        z = rng.normal(scale=5.0, size=(2, 4, 6))
        t = np.array([[1, 2, 3, -100], [4, -100, -100, -100]])
        zt = torch.tensor(z, requires_grad=True)
        keep = torch.tensor(t) != -100
        zl = 1e-3 * (torch.logsumexp(zt, dim=-1)[keep] ** 2).mean()
        zl.backward()
        np.testing.assert_allclose(z_loss(z, 1e-3, targets=t), zl.item(), rtol=1e-14)
        np.testing.assert_allclose(
            z_loss_grad(z, 1e-3, targets=t), zt.grad.numpy(), rtol=1e-13, atol=1e-18
        )

    def test_next_token_targets_match_hf_style_shift(self):
        torch = self.torch
        ids = torch.tensor([[5, 3, 4, 2, 0, 0], [1, 2, 3, 4, 5, 0]])
        mask = torch.tensor([[1, 1, 1, 1, 1, 0], [1, 1, 1, 1, 1, 1]])
        labels = ids.masked_fill(mask == 0, -100)  # HF: labels are the inputs, padding -100
        shifted = torch.nn.functional.pad(labels[:, 1:], (0, 1), value=-100)
        np.testing.assert_array_equal(
            next_token_targets(ids.numpy(), mask.numpy()), shifted.numpy()
        )
