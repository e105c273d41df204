"""Tests of xentbook.scale (online log-sum-exp, fused linear cross-entropy, peak memory) and of
the block-parallel internals of xentbook.cross_entropy.

Reference values: scipy's logsumexp, mpmath at 50 digits, and the explicit composition
``cross_entropy(hidden @ weight.T + bias)`` evaluated in float64, whose own accuracy is tested in
tests/test_accuracy.py. Tolerances are stated where used: float64 paths that differ only in the
order of a sum agree to about ``C * eps`` relative, so 1e-12 is loose enough and still catches
any algebraic slip (which shows up at 1e-3 or worse).
"""

from __future__ import annotations

import importlib
import re
import tracemalloc

import mpmath
import numpy as np
import pytest
from _accuracy import assert_relative, assert_ulp, exact
from _calls import assert_warned_at, run_fresh_python
from scipy.special import logsumexp as scipy_logsumexp

import xentbook.scale as scale_module
from xentbook import (
    cross_entropy,
    cross_entropy_grad,
    cross_entropy_with_grad,
    linear_cross_entropy,
    linear_cross_entropy_with_grad,
)
from xentbook.book import (
    naive_linear_cross_entropy_with_grad,
    online_logsumexp,
    peak_memory,
)

# The module, not the function of the same name that the package re-exports.
ce_module = importlib.import_module("xentbook.cross_entropy")


def mp_logsumexp(row):
    """log sum exp at 50 digits, summed directly (no shift, no split): a second algorithm."""
    with mpmath.workdps(50):
        return +mpmath.log(mpmath.fsum(mpmath.exp(mpmath.mpf(float(x))) for x in row))


def problem(rng, n=13, d=5, v=11, dtype=np.float64, bias=False):
    h = rng.normal(size=(n, d)).astype(dtype)
    w = rng.normal(size=(v, d)).astype(dtype)
    b = rng.normal(size=v).astype(dtype) if bias else None
    t = rng.integers(0, v, size=n)
    return h, w, b, t


def explicit(h, w, b, t, **kwargs):
    """Loss and gradients through the logits, in float64: the reference for the fused code."""
    h64, w64 = h.astype(np.float64), w.astype(np.float64)
    z = h64 @ w64.T + (0 if b is None else b.astype(np.float64))
    loss, g = cross_entropy_with_grad(z, t, **kwargs)
    grads = [g @ w64, g.T @ h64] + ([] if b is None else [g.sum(axis=0)])
    return loss, grads


class TestOnlineLogsumexp:
    @pytest.mark.parametrize("chunk", [1, 2, 3, 7, 1024])
    def test_matches_scipy_for_any_chunk(self, chunk):
        rng = np.random.default_rng(0)
        a = rng.normal(size=(6, 20)) * 5
        # Same mathematical value; only the order of the sum differs: 1e-13 relative.
        np.testing.assert_allclose(
            online_logsumexp(a, chunk=chunk), scipy_logsumexp(a, axis=-1), rtol=1e-13
        )

    def test_maximum_growing_in_every_chunk_rescales_the_sum(self):
        a = np.arange(12.0)  # each chunk of one holds a new maximum
        assert_ulp(online_logsumexp(a, chunk=1), mp_logsumexp(a), 4)
        # Rows whose maximum arrives in different chunks, and a row where it never moves.
        rows = np.array([np.arange(12.0), np.arange(12.0)[::-1], np.r_[5.0, np.zeros(11)]])
        for chunk in (1, 5, 12):
            expected = [mp_logsumexp(r) for r in rows]
            assert_ulp(online_logsumexp(rows, chunk=chunk), expected, 4, f"chunk {chunk}")

    def test_keeps_the_tiny_excess_of_a_confident_row(self):
        # log(e^0 + e^-40) = log1p(e^-40) = 4.248e-18; m + log(d) would give exactly 0. No
        # absolute floor (tests/_accuracy.py), so 0 is a relative error of 1.
        a = np.array([-40.0, 0.0])
        expected = exact(lambda: mpmath.log1p(mpmath.exp(-40)))
        assert_ulp(online_logsumexp(a, chunk=1), expected, 2)
        # The same with the maximum first, so it is not the first chunk's value by luck.
        assert_ulp(online_logsumexp(a[::-1].copy(), chunk=1), expected, 2)
        # A maximum that arrives late, after two smaller terms: s is rescaled, then 1 joins it.
        three = exact(lambda: mpmath.log1p(2 * mpmath.exp(-40)))
        assert_ulp(online_logsumexp(np.array([-40.0, -40.0, 0.0]), chunk=1), three, 2)

    def test_float32_in_float32_out(self):
        rng = np.random.default_rng(1)
        a = rng.normal(size=(4, 50)).astype(np.float32)
        out = online_logsumexp(a, chunk=8)
        assert out.dtype == np.float32
        # float32 result of a float32 input: a few ulp of float32 (eps = 1.2e-7).
        np.testing.assert_allclose(out, scipy_logsumexp(a.astype(np.float64), axis=-1), rtol=1e-6)

    def test_shapes(self):
        assert np.shape(online_logsumexp([1.0, 2.0])) == ()
        assert online_logsumexp(np.zeros((2, 3, 4))).shape == (2, 3)

    @pytest.mark.parametrize(
        ("kwargs", "exc", "match"),
        [
            ({"a": [1.0, np.nan]}, ValueError, "online_logsumexp: a must be finite"),
            ({"a": [1.0, np.inf]}, ValueError, "online_logsumexp: a must be finite"),
            ({"a": np.zeros((2, 0))}, ValueError, "online_logsumexp: a has length 0"),
            ({"a": 3.0}, ValueError, "online_logsumexp: a must have at least 1"),
            ({"a": ["x"]}, TypeError, "online_logsumexp: a must be a real numeric array"),
            ({"a": [1.0], "chunk": 0}, ValueError, "online_logsumexp: chunk must be a positive"),
            ({"a": [1.0], "chunk": 2.0}, TypeError, "online_logsumexp: chunk must be a positive"),
        ],
    )
    def test_bad_input(self, kwargs, exc, match):
        with pytest.raises(exc, match=match):
            online_logsumexp(**kwargs)


class TestLinearCrossEntropy:
    @pytest.mark.parametrize("reduction", ["mean", "sum", "none"])
    @pytest.mark.parametrize("bias", [False, True])
    @pytest.mark.parametrize("chunk_rows", [None, 1, 4])
    def test_matches_cross_entropy_of_the_logits(self, reduction, bias, chunk_rows, monkeypatch):
        # Vocabulary blocks of 3 columns: the online update runs across 4 blocks of 11 classes.
        monkeypatch.setattr(scale_module, "_VOCAB_BLOCK", 3)
        rng = np.random.default_rng(2)
        h, w, b, t = problem(rng, bias=bias)
        t[[2, 7]] = -100
        got = linear_cross_entropy(h, w, t, b, reduction=reduction, chunk_rows=chunk_rows)
        expected, _ = explicit(h, w, b, t, reduction=reduction)
        np.testing.assert_allclose(got, expected, rtol=1e-12, atol=0)

    def test_float32_in_float32_out_and_close_to_float64(self):
        rng = np.random.default_rng(3)
        h, w, b, t = problem(rng, n=40, d=16, v=300, dtype=np.float32, bias=True)
        got = linear_cross_entropy(h, w, t, b, reduction="none")
        assert got.dtype == np.float32
        expected, _ = explicit(h, w, b, t, reduction="none")
        # float32 logits carry a dot-product error of about D * eps * |h||w| (~1e-5 here).
        np.testing.assert_allclose(got, expected, rtol=1e-4)

    def test_confident_right_answer_keeps_its_tiny_loss(self):
        # Logits [40, 0, 0, 0]: the loss is log1p(3 e^-40), which a naive m + log(d) rounds to 0.
        h = np.array([[1.0]])
        w = np.array([[40.0], [0.0], [0.0], [0.0]])
        expected = exact(lambda: mpmath.log1p(3 * mpmath.exp(-40)))
        assert_ulp(linear_cross_entropy(h, w, [0]), expected, 2)
        # Also across vocabulary blocks (the maximum in the first, then the rest), and fused.
        assert_ulp(linear_cross_entropy(h, w, [0], reduction="none"), [expected], 2)
        assert_ulp(linear_cross_entropy_with_grad(h, w, [0])[0], expected, 2)
        assert_ulp(naive_linear_cross_entropy_with_grad(h, w, [0])[0], expected, 2)

    def test_confident_right_answer_across_vocabulary_blocks(self, monkeypatch):
        # Vocabulary blocks of 2: the maximum 40 is in the second block, so the running sum is
        # rescaled by e^-40 when it arrives and the block's own zeros join it afterwards.
        monkeypatch.setattr(scale_module, "_VOCAB_BLOCK", 2)
        h = np.array([[1.0], [-1.0]])
        w = np.array([[0.0], [0.0], [40.0], [0.0], [0.0]])
        # Row 0 has logits (0, 0, 40, 0, 0) and loss log1p(4 e^-40); row 1 has (0, 0, -40, 0, 0)
        # and loss 40 + log(4 + e^-40). Both by hand, evaluated with mpmath.
        right = exact(lambda: mpmath.log1p(4 * mpmath.exp(-40)))
        wrong = exact(lambda: 40 + mpmath.log(4 + mpmath.exp(-40)))
        assert_ulp(linear_cross_entropy(h, w, [2, 2], reduction="none"), [right, wrong], 4)

    def test_custom_ignore_index_and_empty_mean(self):
        rng = np.random.default_rng(4)
        h, w, _, t = problem(rng)
        t[:] = 5
        t[0] = 3
        got = linear_cross_entropy(h, w, t, ignore_index=5)
        expected, _ = explicit(h, w, None, t, ignore_index=5)
        assert got == pytest.approx(expected, rel=1e-12)
        with pytest.warns(RuntimeWarning, match="zero total weight"):
            assert np.isnan(linear_cross_entropy(h, w, np.full(len(t), -100)))

    @pytest.mark.parametrize(
        "func",
        [
            linear_cross_entropy,
            linear_cross_entropy_with_grad,
            naive_linear_cross_entropy_with_grad,
        ],
    )
    def test_out_of_range_target_message_counts_the_classes(self, func):
        # weight (2, 3): two classes of three features; the message must say 2 classes, not 3.
        message = (
            f"{func.__name__}: target holds class index 2 at position 0, out of range for 2 "
            "classes (valid: 0 to 1, or ignore_index=-100)"
        )
        with pytest.raises(IndexError, match=f"^{re.escape(message)}$"):
            func(np.ones((1, 3)), np.ones((2, 3)), [2])

    @pytest.mark.parametrize("reduction", ["mean", "sum", "none"])
    def test_float32_in_float32_out_for_every_reduction(self, reduction):
        rng = np.random.default_rng(16)
        h, w, b, t = problem(rng, dtype=np.float32, bias=True)
        for func in (linear_cross_entropy, linear_cross_entropy_with_grad):
            out = func(h, w, t, b, reduction=reduction)
            for value in out if isinstance(out, tuple) else (out,):
                assert np.asarray(value).dtype == np.float32, (func.__name__, reduction)
        assert np.asarray(online_logsumexp(np.float32([1.0, 2.0]))).dtype == np.float32

    def test_overflowing_logits_raise(self):
        with pytest.raises(ValueError, match="linear_cross_entropy: the logits of row 1 overflow"):
            linear_cross_entropy(np.float32([[1.0], [1e30]]), np.float32([[1e30], [0.0]]), [0, 0])

    @pytest.mark.parametrize(
        ("args", "kwargs", "exc", "match"),
        [
            ((np.ones(3), np.ones((2, 3)), [0]), {}, ValueError, "hidden must be 2-D"),
            ((np.ones((1, 3)), np.ones(3), [0]), {}, ValueError, "unembedding must be 2-D"),
            ((np.ones((1, 3)), np.ones((2, 4)), [0]), {}, ValueError, "hidden has 3 features"),
            ((np.ones((1, 3)), np.ones((0, 3)), [0]), {}, ValueError, "unembedding has 0 classes"),
            (
                (np.ones((1, 3)), np.ones((2, 3)), [0]),
                {"bias": np.ones(3)},
                ValueError,
                r"bias must have one entry per class, shape \(2,\)",
            ),
            (
                (np.ones((1, 3)), np.ones((2, 3)), [2]),
                {},
                IndexError,
                "target holds class index 2 at position 0",
            ),
            (
                (np.ones((1, 3)), np.ones((2, 3)), [0.0]),
                {},
                TypeError,
                "target must hold integer class indices",
            ),
            (
                (np.ones((2, 3)), np.ones((2, 3)), [0]),
                {},
                ValueError,
                r"target must have shape \(2,\)",
            ),
            (
                (np.ones((1, 3)), np.ones((2, 3)), [0]),
                {"reduction": "avg"},
                ValueError,
                "reduction must be one of",
            ),
            (
                (np.ones((1, 3)), np.ones((2, 3)), [0]),
                {"ignore_index": 1.5},
                TypeError,
                "ignore_index must be an integer",
            ),
            (
                (np.ones((1, 3)), np.ones((2, 3)), [0]),
                {"chunk_rows": 0},
                ValueError,
                "chunk_rows must be at least 1, got 0",
            ),
            (
                (np.ones((1, 3)), np.ones((2, 3)), [0]),
                {"chunk_rows": 2.5},
                TypeError,
                "chunk_rows must be an integer or None",
            ),
            (
                (np.full((1, 3), np.nan), np.ones((2, 3)), [0]),
                {},
                ValueError,
                "hidden must be finite",
            ),
            (
                (np.ones((1, 3)), np.ones((2, 3)) * np.inf, [0]),
                {},
                ValueError,
                "unembedding must be finite",
            ),
            (
                (np.ones((1, 3)), np.ones((2, 3)).astype(complex), [0]),
                {},
                TypeError,
                "unembedding must be a real numeric array",
            ),
        ],
    )
    @pytest.mark.parametrize(
        "func",
        [
            linear_cross_entropy,
            linear_cross_entropy_with_grad,
            naive_linear_cross_entropy_with_grad,
        ],
    )
    def test_bad_input(self, func, args, kwargs, exc, match):
        with pytest.raises(exc, match=f"^{func.__name__}: {match}"):
            func(*args, **kwargs)


class TestLinearCrossEntropyWithGrad:
    @pytest.mark.parametrize("reduction", ["mean", "sum", "none"])
    @pytest.mark.parametrize("bias", [False, True])
    @pytest.mark.parametrize("chunk_rows", [None, 1, 5])
    def test_matches_the_explicit_computation(self, reduction, bias, chunk_rows, monkeypatch):
        # Pieces of 4 rows of weight (20 elements / D = 5): the accumulation of grad_weight in
        # pieces is exercised; with blocks of 20 logits the default chunk_rows is 20 // V = 1.
        monkeypatch.setattr(scale_module, "_VOCAB_BLOCK", 4)
        monkeypatch.setattr(scale_module, "_PIECE_ELEMENTS", 20)
        monkeypatch.setattr(scale_module, "_BLOCK_ELEMENTS", 20)
        rng = np.random.default_rng(5)
        h, w, b, t = problem(rng, bias=bias)
        t[[0, 9]] = -100
        got = linear_cross_entropy_with_grad(h, w, t, b, reduction=reduction, chunk_rows=chunk_rows)
        expected_loss, expected_grads = explicit(h, w, b, t, reduction=reduction)
        assert len(got) == (4 if bias else 3)
        np.testing.assert_allclose(got[0], expected_loss, rtol=1e-12, atol=0)
        for g, e in zip(got[1:], expected_grads, strict=True):
            # Gradient entries are sums of terms of both signs: compare with an absolute floor of
            # 1e-15 times the largest entry, where cancellation can leave a relative error.
            np.testing.assert_allclose(g, e, rtol=1e-11, atol=1e-15 * np.abs(e).max())

    def test_agrees_with_naive_and_with_the_forward(self):
        rng = np.random.default_rng(6)
        h, w, b, t = problem(rng, n=50, d=8, v=37, bias=True)
        fused = linear_cross_entropy_with_grad(h, w, t, b, chunk_rows=7)
        naive = naive_linear_cross_entropy_with_grad(h, w, t, b)
        for f, n in zip(fused, naive, strict=True):
            np.testing.assert_allclose(f, n, rtol=1e-11, atol=1e-15)
        assert fused[0] == pytest.approx(linear_cross_entropy(h, w, t, b), rel=1e-13)

    def test_gradient_against_finite_differences(self):
        rng = np.random.default_rng(7)
        h, w, _, t = problem(rng, n=4, d=3, v=5)
        _, gh, gw = linear_cross_entropy_with_grad(h, w, t, reduction="sum")
        step = 1e-6
        for arr, grad in ((h, gh), (w, gw)):
            for idx in np.ndindex(arr.shape):
                old = arr[idx]
                arr[idx] = old + step
                up = linear_cross_entropy(h, w, t, reduction="sum")
                arr[idx] = old - step
                down = linear_cross_entropy(h, w, t, reduction="sum")
                arr[idx] = old
                # Central difference: truncation O(step^2) ~ 1e-12, rounding ~ eps/step ~ 1e-10.
                assert grad[idx] == pytest.approx((up - down) / (2 * step), abs=1e-8)

    def test_float32(self):
        rng = np.random.default_rng(8)
        h, w, b, t = problem(rng, n=64, d=32, v=500, dtype=np.float32, bias=True)
        loss, gh, gw, gb = linear_cross_entropy_with_grad(h, w, t, b, chunk_rows=10)
        assert all(x.dtype == np.float32 for x in (loss, gh, gw, gb))
        expected_loss, expected = explicit(h, w, b, t)
        # float32: logits off by ~D * eps relative, sums over N or V rows: 1e-4 is safe.
        assert loss == pytest.approx(expected_loss, rel=1e-5)
        for g, e in zip((gh, gw, gb), expected, strict=True):
            np.testing.assert_allclose(g, e, rtol=1e-4, atol=1e-4 * np.abs(e).max())

    def test_every_row_ignored(self):
        rng = np.random.default_rng(9)
        h, w, _, _ = problem(rng)
        t = np.full(h.shape[0], -100)
        with pytest.warns(RuntimeWarning, match="zero total weight"):
            loss, gh, gw = linear_cross_entropy_with_grad(h, w, t)
        assert np.isnan(loss)
        assert not gh.any()
        assert not gw.any()
        with pytest.warns(RuntimeWarning, match="zero total weight"):
            loss_n, gh_n, gw_n = naive_linear_cross_entropy_with_grad(h, w, t)
        assert np.isnan(loss_n)
        assert not gh_n.any()
        assert not gw_n.any()

    def test_confident_right_answer_has_exact_gradient(self):
        # Logits [40, 0, 0, 0], target 0: dL/dz = (-3 s', e^-40 s', ...) with s' = 1/(1 + 3e^-40);
        # so dL/dh = sum_v g_v w_v = -3 e^-40 * 40 / (1 + 3e^-40), which p - 1 would round to 0.
        h = np.array([[1.0]])
        w = np.array([[40.0], [0.0], [0.0], [0.0]])
        _, gh, _ = linear_cross_entropy_with_grad(h, w, [0])
        expected = exact(lambda: -3 * mpmath.exp(-40) / (1 + 3 * mpmath.exp(-40)) * 40)
        assert_ulp(gh[0, 0], expected, 4)

    def test_peak_memory_is_a_fraction_of_the_naive(self):
        # tracemalloc counts allocations, not time: a deterministic check of the memory claim.
        rng = np.random.default_rng(10)
        h, w, _, t = problem(rng, n=2048, d=16, v=4000, dtype=np.float32)
        _, fused = peak_memory(linear_cross_entropy_with_grad, h, w, t, chunk_rows=64)
        _, naive = peak_memory(naive_linear_cross_entropy_with_grad, h, w, t)
        logits = 2048 * 4000 * 4
        assert naive > 2 * logits  # the logits and their gradient
        assert fused < naive / 8

    def test_forward_only_holds_one_small_block(self, monkeypatch):
        # Blocks of 64 rows x 512 vocabulary entries (128 KiB of float32): the peak is that block,
        # the finiteness masks of the inputs (one byte per entry) and O(N) vectors, far below
        # even one (N, V) array.
        monkeypatch.setattr(scale_module, "_VOCAB_BLOCK", 512)
        rng = np.random.default_rng(15)
        h, w, _, t = problem(rng, n=2048, d=16, v=4000, dtype=np.float32)
        _, peak = peak_memory(linear_cross_entropy, h, w, t, chunk_rows=64)
        assert peak < 64 * 512 * 4 + h.size + w.size + 64 * 2048
        assert peak < 2048 * 4000 * 4 / 50


@pytest.mark.torch
class TestAgainstTorch:
    @pytest.mark.parametrize("reduction", ["mean", "sum"])
    def test_matches_torch_autograd(self, reduction):
        torch = pytest.importorskip("torch", reason="torch is an optional dependency")
        rng = np.random.default_rng(11)
        h, w, b, t = problem(rng, n=30, d=6, v=20, bias=True)
        t[3] = -100
        ht, wt, bt = (torch.tensor(x, requires_grad=True) for x in (h, w, b))
        loss_t = torch.nn.functional.cross_entropy(
            torch.nn.functional.linear(ht, wt, bt), torch.tensor(t), reduction=reduction
        )
        loss_t.backward()
        loss, gh, gw, gb = linear_cross_entropy_with_grad(
            h, w, t, b, reduction=reduction, chunk_rows=8
        )
        # Both float64; torch's log_softmax - z_t and our (m - z_t) + log1p(s) differ by rounding.
        assert loss == pytest.approx(loss_t.item(), rel=1e-12)
        for ours, theirs in ((gh, ht), (gw, wt), (gb, bt)):
            np.testing.assert_allclose(ours, theirs.grad.numpy(), rtol=1e-10, atol=1e-14)


class TestPeakMemory:
    def test_counts_the_result(self):
        _, peak = peak_memory(np.ones, (1000, 1000))
        assert 8_000_000 <= peak < 8_100_000  # 10^6 float64 plus small bookkeeping

    def test_temporaries_count_even_when_freed(self):
        def make_and_drop():
            np.ones(1_000_000).sum()  # an 8 MB temporary, freed before returning

        _, peak = peak_memory(make_and_drop)
        assert peak >= 8_000_000

    def test_leaves_tracing_as_it_found_it(self):
        assert not tracemalloc.is_tracing()
        peak_memory(np.ones, 10)
        assert not tracemalloc.is_tracing()
        tracemalloc.start()
        try:
            peak_memory(np.ones, 10)
            assert tracemalloc.is_tracing()
        finally:
            tracemalloc.stop()

    def test_bad_input(self):
        with pytest.raises(TypeError, match="peak_memory: func must be callable"):
            peak_memory(3)


class TestBlockParallelCrossEntropy:
    """The thread pool of xentbook.cross_entropy: same bits as the serial loop, lean memory."""

    @pytest.fixture
    def tiny_blocks(self, monkeypatch):
        # Blocks of 64 logits, so a small input spans many blocks.
        monkeypatch.setattr(ce_module, "_BLOCK_ELEMENTS", 64)

    def run_both(self, monkeypatch, func, *args, **kwargs):
        monkeypatch.setattr(ce_module, "_PARALLEL_MIN_ELEMENTS", 1 << 60)
        serial = func(*args, **kwargs)
        monkeypatch.setattr(ce_module, "_PARALLEL_MIN_ELEMENTS", 0)
        monkeypatch.setattr(ce_module, "_workers", lambda: 2)
        parallel = func(*args, **kwargs)
        return serial, parallel

    @pytest.mark.parametrize(
        "kwargs",
        [
            {},
            {"reduction": "sum"},
            {"reduction": "none", "label_smoothing": 0.1},
            {"weight": "w", "ignore_index": 2},
            {"weight": "w", "label_smoothing": 0.2},
        ],
    )
    @pytest.mark.parametrize("dtype", [np.float32, np.float64])
    def test_threads_give_the_same_bits(self, tiny_blocks, monkeypatch, kwargs, dtype):
        rng = np.random.default_rng(12)
        z = (rng.normal(size=(40, 7)) * 4).astype(dtype)
        t = rng.integers(0, 7, size=40)
        if kwargs.get("weight") == "w":
            kwargs = {**kwargs, "weight": rng.uniform(0.5, 2, size=7).astype(dtype)}
        serial, parallel = self.run_both(monkeypatch, cross_entropy_with_grad, z, t, **kwargs)
        # Each block does the same arithmetic on the same rows whichever thread runs it.
        np.testing.assert_array_equal(parallel[0], serial[0])
        np.testing.assert_array_equal(parallel[1], serial[1])

    def test_a_mid_size_input_is_split_once_per_core(self, monkeypatch):
        # (256, 1000) is one block of the default size; with the threshold set to 128 Ki logits
        # it is split so that each core gets a block, with the same bits as the serial loop.
        rng = np.random.default_rng(15)
        z = rng.normal(size=(256, 1000)).astype(np.float32)
        t = rng.integers(0, 1000, size=256)
        blocks = []
        map_blocks = ce_module._map_blocks

        def spy(job, starts, size):
            blocks.append((len(starts), size))  # size: the logits, which decide the split
            map_blocks(job, starts, size)

        monkeypatch.setattr(ce_module, "_map_blocks", spy)
        monkeypatch.setattr(ce_module, "_PARALLEL_MIN_ELEMENTS", 1 << 60)
        serial = cross_entropy_with_grad(z, t)
        monkeypatch.setattr(ce_module, "_PARALLEL_MIN_ELEMENTS", 1 << 17)
        monkeypatch.setattr(ce_module, "_workers", lambda: 2)
        parallel = cross_entropy_with_grad(z, t)
        assert blocks == [(1, 256_000), (2, 256_000)]
        np.testing.assert_array_equal(parallel[0], serial[0])
        np.testing.assert_array_equal(parallel[1], serial[1])

    def test_probability_targets(self, tiny_blocks, monkeypatch):
        rng = np.random.default_rng(13)
        z = rng.normal(size=(3, 9, 5))
        y = rng.dirichlet(np.ones(9), size=(3, 5)).transpose(0, 2, 1)
        serial, parallel = self.run_both(monkeypatch, cross_entropy_grad, z, y, label_smoothing=0.3)
        np.testing.assert_array_equal(parallel, serial)

    @pytest.mark.parametrize("first", [37, 0])  # 0: in the block the calling thread runs
    def test_first_bad_row_is_reported(self, tiny_blocks, monkeypatch, first):
        z = np.zeros((100, 8))
        z[90, 1] = np.nan
        z[first, 4] = np.nan
        monkeypatch.setattr(ce_module, "_PARALLEL_MIN_ELEMENTS", 0)
        monkeypatch.setattr(ce_module, "_workers", lambda: 2)
        with pytest.raises(
            ValueError, match=rf"^cross_entropy: input contains nan \(item {first}\)"
        ):
            cross_entropy(z, np.zeros(100, dtype=int))

    def test_no_thread_pool_at_import(self):
        code = (
            "import importlib, threading, xentbook;"
            "m = importlib.import_module('xentbook.cross_entropy');"
            "print(threading.active_count(), m._pool.cache_info().currsize)"
        )
        assert run_fresh_python(code).split() == ["1", "0"]

    def test_memory_forward_is_a_few_blocks_and_backward_is_the_gradient(self):
        rng = np.random.default_rng(14)
        z = rng.normal(size=(2048, 2000)).astype(np.float32)  # 16 MB, parallel path
        t = rng.integers(0, 2000, size=2048)
        block_bytes = ce_module._BLOCK_ELEMENTS * 4
        _, fwd = peak_memory(cross_entropy, z, t)
        # At most one scratch block per thread (the pool's and the caller's), 64 bytes a row of
        # O(N) vectors, and 64 KiB for the interpreter's own small objects (a tracer, such as a
        # coverage or mutation tool, allocates some of them inside the measured window):
        # independent of the input's size.
        threads = ce_module._workers() + 1
        assert fwd < threads * block_bytes + 64 * 2048 + 64 * 1024
        _, both = peak_memory(cross_entropy_with_grad, z, t)
        assert both < 1.05 * z.nbytes

    def test_a_row_longer_than_a_block_is_a_block_of_its_own(self, monkeypatch):
        # 3 rows of 2**20 classes: a row holds more logits than a block (2**19), so each block is
        # one row, and on one core the forward pass's scratch is one row, plus O(N) vectors.
        monkeypatch.setattr(ce_module, "_workers", lambda: 1)
        rng = np.random.default_rng(16)
        z = rng.normal(size=(3, 1 << 20)).astype(np.float32)
        t = np.array([0, 5, 7])
        cross_entropy(z, t)  # a first call may make numpy's one-time allocations
        _, fwd = peak_memory(cross_entropy, z, t)
        assert fwd < 1.25 * z[0].nbytes

    @pytest.mark.parametrize("dtype", [np.float32, np.float64])
    def test_c_contiguous_input_is_used_in_place(self, dtype):
        z = np.zeros((4, 5), dtype)
        pb = ce_module._prepare("cross_entropy", z, [0, 1, 2, 3], None, -100, "mean", 0.0)
        assert np.shares_memory(pb.z, z)


class TestProbabilityTargetOnTheMaximum:
    """A one-hot probability target on the largest logit: the gradient entry there is -s/(1+s),
    tiny, and must not come out of 1/(1+s) - 1, which cancels (block internals of _run)."""

    @pytest.mark.parametrize("dtype", [np.float32, np.float64])
    def test_matches_the_index_target_and_mpmath(self, dtype):
        x = np.array([[14.0, 0.0, -3.0]], dtype=dtype)
        grad_prob = cross_entropy_with_grad(x, np.array([[1.0, 0.0, 0.0]], dtype=dtype))[1]
        grad_index = cross_entropy_with_grad(x, [0])[1]
        # Exact: p_0 - 1 = -(e^-14 + e^-17) / (1 + e^-14 + e^-17), from mpmath at 50 digits.
        expected = exact(
            lambda: -(mpmath.exp(-14) + mpmath.exp(-17)) / (1 + mpmath.exp(-14) + mpmath.exp(-17))
        )
        eps = float(np.finfo(dtype).eps)
        # A few ulp; the cancelling form 1/(1+s) - 1 is off by ~eps/s ~ 1e5 ulp in float32.
        assert_relative(grad_prob[0, 0], expected, 8 * eps)
        assert_relative(grad_index[0, 0], expected, 8 * eps)


class TestDtypesMessagesAndMemory:
    """The result dtype of mixed inputs, the docstrings, error and warning details, and the
    memory each function holds (tracemalloc counts numpy's buffers deterministically)."""

    @pytest.mark.parametrize(
        ("wide", "with_bias"),
        [
            ("hidden", False),
            ("unembedding", False),
            ("hidden", True),
            ("unembedding", True),
            ("bias", True),
        ],
    )
    def test_one_float64_argument_makes_the_result_float64(self, wide, with_bias):
        # numpy's promotion: the result (and the computation) is in the widest argument's dtype.
        rng = np.random.default_rng(31)
        h, w, b, t = problem(rng, n=7, d=3, v=5, bias=True)
        args = {"hidden": h, "unembedding": w, "bias": b}
        args = {k: (v if k == wide else v.astype(np.float32)) for k, v in args.items()}
        if not with_bias:
            args["bias"] = None
        ref_loss, ref_grads = explicit(args["hidden"], args["unembedding"], args["bias"], t)
        for func in (linear_cross_entropy, linear_cross_entropy_with_grad):
            out = func(args["hidden"], args["unembedding"], t, args["bias"])
            out = out if isinstance(out, tuple) else (out,)
            for value in out:
                assert np.asarray(value).dtype == np.float64, (func.__name__, wide)
            # Computed in float64 too: the float64 composition agrees to 1e-12, not float32's 1e-7.
            np.testing.assert_allclose(out[0], ref_loss, rtol=1e-12)
            for ours, ref in zip(out[1:], ref_grads if len(out) > 1 else [], strict=True):
                np.testing.assert_allclose(ours, ref, rtol=1e-10, atol=1e-15)

    @pytest.mark.parametrize(
        "func",
        [
            linear_cross_entropy,
            linear_cross_entropy_with_grad,
            naive_linear_cross_entropy_with_grad,
        ],
    )
    def test_docstrings_list_the_shared_arguments(self, func):
        doc = func.__doc__
        assert "{args}" not in doc
        for line in ("hidden : array_like", "ignore_index : int, optional", "chunk_rows : int"):
            assert line in doc
        assert doc.index("chunk_rows : int") < doc.index("Returns")

    def test_no_docstring_is_invented_under_python_OO(self):
        # python -OO strips docstrings; the shared-argument text is then not added to nothing.
        code = (
            "import xentbook.scale as s;"
            "print([f.__doc__ for f in (s.linear_cross_entropy, s.linear_cross_entropy_with_grad,"
            " s.naive_linear_cross_entropy_with_grad)])"
        )
        assert run_fresh_python(code, "-OO").strip() in ("['', '', '']", "[None, None, None]")

    def test_overflow_in_the_gradient_names_the_row_and_warns_nothing(self):
        # Row 3 (in the second block of two rows) has logits 1e30 * 1e30 = 1e60 > float32's max.
        h = np.float32([[1.0], [1.0], [1.0], [1e30]])
        w = np.float32([[1e30], [0.0]])
        message = "linear_cross_entropy_with_grad: the logits of row 3 overflow the dtype"
        # pytest turns warnings into errors here (pyproject.toml): a RuntimeWarning from the
        # matrix product would replace the ValueError.
        with pytest.raises(ValueError, match=f"^{re.escape(message)}"):
            linear_cross_entropy_with_grad(h, w, [0, 0, 0, 0], chunk_rows=2)

    @pytest.mark.parametrize(
        "func",
        [
            linear_cross_entropy,
            linear_cross_entropy_with_grad,
            naive_linear_cross_entropy_with_grad,
        ],
    )
    def test_empty_mean_warning_points_at_the_caller(self, func):
        with pytest.warns(RuntimeWarning, match="mean of an empty input") as record:
            func(np.ones((2, 3)), np.ones((4, 3)), [-100, -100])
        assert len(record) == 1
        assert_warned_at(record, __file__)

    def test_peak_is_relative_to_what_was_already_allocated(self):
        assert not tracemalloc.is_tracing()
        tracemalloc.start()
        try:
            held = np.ones(1_000_000)  # 8 MB allocated before the call
            _, peak = peak_memory(np.ones, 1000)
            assert held.nbytes > 100 * peak
            assert 8000 <= peak < 9000  # 1000 float64 and small bookkeeping
        finally:
            tracemalloc.stop()

    def test_bad_input_is_described(self):
        with pytest.raises(TypeError, match=r"^peak_memory: func must be callable, got 3$"):
            peak_memory(3)

    def test_online_logsumexp_reads_wide_input_in_place(self):
        # float32 (1000, 2000) read 100 columns at a time: the chunk copy is a tenth of the input.
        # A copy of the whole input (in float32, or float64) would be 1x or 2x of it.
        rng = np.random.default_rng(32)
        a = rng.normal(size=(1000, 2000)).astype(np.float32)
        _, peak = peak_memory(online_logsumexp, a, chunk=100)
        assert peak < a.nbytes / 2

    def test_online_logsumexp_keeps_float32_vectors_in_float32(self):
        # 400 000 rows of 2, one column per step: per row the chunk copy, m, s, m_new, the chunk
        # maximum and the update's temporaries (4 bytes each in float32), the argmax and a row
        # index (8 bytes each) and a mask: 55.6 bytes measured. One float64 vector of N adds
        # 4 bytes per row, and its temporaries as many again.
        rng = np.random.default_rng(33)
        a = rng.normal(size=(400_000, 2)).astype(np.float32)
        _, peak = peak_memory(online_logsumexp, a, chunk=1)
        assert peak < 59 * a.shape[0]

    def test_forward_keeps_float32_vectors_in_float32(self):
        # N = 400 000 rows, D = 1, V = 2, float32: 82.0 bytes per row measured (targets and
        # their indices 8 bytes each, float32 vectors 4 bytes each, masks 1); a float64 running
        # sum or target logit adds 4 bytes per row and more in its temporaries.
        rng = np.random.default_rng(34)
        n = 400_000
        h = rng.normal(size=(n, 1)).astype(np.float32)
        w = rng.normal(size=(2, 1)).astype(np.float32)
        t = rng.integers(0, 2, size=n)
        _, peak = peak_memory(linear_cross_entropy, h, w, t)
        assert peak < 84 * n
        # The mask of valid rows is one byte per row whether or not a target is ignored.
        t[0] = -100
        _, peak_ignoring = peak_memory(linear_cross_entropy, h, w, t)
        assert abs(peak - peak_ignoring) < n

    def test_gradient_holds_one_block_of_logits(self):
        # 2048 x 2048 logits in one block: the block becomes G in place, so the peak is that
        # block (1.015x measured: plus grad_h, grad_w and vectors), not two blocks.
        rng = np.random.default_rng(35)
        h, w, _, t = problem(rng, n=2048, d=4, v=2048, dtype=np.float32)
        _, peak = peak_memory(linear_cross_entropy_with_grad, h, w, t, chunk_rows=2048)
        assert peak < 1.5 * 2048 * 2048 * 4

    def test_more_than_2_22_classes_default_to_one_row_per_block(self):
        # With V > 2**22 one row of logits is already past 2**22 entries; the default block is
        # then that one row, as with chunk_rows=1: the peak is W's gradient, one row of logits
        # and one piece of dW (3 W-sizes measured), not two rows.
        v = (1 << 22) + 1
        h = np.ones((2, 1), np.float32)
        w = np.zeros((v, 1), np.float32)
        _, default = peak_memory(linear_cross_entropy_with_grad, h, w, [0, 1])
        _, one_row = peak_memory(linear_cross_entropy_with_grad, h, w, [0, 1], chunk_rows=1)
        assert default < one_row + w.nbytes / 2
        assert default < 3.5 * w.nbytes
