"""The PyTorch outputs that chapter 5 shows in static blocks, run on the installed torch."""

import mpmath
import numpy as np
import pytest

torch = pytest.importorskip("torch")
F = torch.nn.functional

pytestmark = pytest.mark.torch


def test_float32_cross_entropy_loses_only_the_target_entry():
    z = torch.tensor([[20.0, 0.0, 0.0, 0.0]], requires_grad=True)
    loss = F.cross_entropy(z, torch.tensor([0]))
    loss.backward()
    assert loss.item() == 0.0
    grad = z.grad.numpy()[0]
    assert grad[0] == 0.0
    # The other entries are p_j = e^-20 / (1 + 3 e^-20) (mpmath), to float32 rounding.
    with mpmath.workdps(30):
        p_j = float(mpmath.exp(-20) / (1 + 3 * mpmath.exp(-20)))
    np.testing.assert_allclose(grad[1:], p_j, rtol=2 * 2.0**-24)
    assert f"{z.grad}" == "tensor([[0.0000e+00, 2.0612e-09, 2.0612e-09, 2.0612e-09]])"


def test_float64_logsumexp_and_log_softmax_round_the_excess_away():
    # The shifted logits, as given to scipy.special.logsumexp in the chapter: the exact value
    # log1p(2 e^-40) = 8.5e-18 (mpmath in tests/test_book_ch05.py) is lost by torch.
    shifted = torch.tensor([0.0, -40.0, -40.0], dtype=torch.float64)
    assert str(torch.logsumexp(shifted, 0)) == "tensor(0., dtype=torch.float64)"
    z = torch.tensor([40.0, 0.0, 0.0], dtype=torch.float64)
    assert str(torch.log_softmax(z, 0)) == "tensor([  0., -40., -40.], dtype=torch.float64)"


def test_dtype_argument_upcasts_before_the_softmax():
    h = torch.tensor([[3.0, 1.0, -2.0]], dtype=torch.bfloat16)
    out = F.log_softmax(h, dim=-1, dtype=torch.float32)
    assert out.dtype == torch.float32
    # The input is cast first, so the result is the float32 log-softmax of the bfloat16 values.
    torch.testing.assert_close(out, F.log_softmax(h.float(), dim=-1), rtol=0, atol=0)
    assert F.softmax(h, dim=-1, dtype=torch.float32).dtype == torch.float32


def test_fully_masked_row_gives_nan():
    inf = float("inf")
    row = torch.tensor([-inf, -inf, -inf])
    assert torch.isnan(torch.softmax(row, 0)).all()


def test_cpu_bfloat16_autocast_dtypes():
    features = torch.randn(8, 5, generator=torch.Generator().manual_seed(0))
    weight = torch.randn(5, 5, generator=torch.Generator().manual_seed(1))
    with torch.autocast("cpu", dtype=torch.bfloat16):
        h = features @ weight
        assert h.dtype == torch.bfloat16
        assert F.softmax(h, dim=-1).dtype == torch.bfloat16
        assert F.log_softmax(h, dim=-1).dtype == torch.bfloat16
        assert F.cross_entropy(h, torch.zeros(8, dtype=torch.long)).dtype == torch.float32


def test_softmax_adds_the_small_terms_to_one_in_turn():
    # Exercise 3: p_0 of (a, 0, 0) in float64 rounds to 1 once e^-a <= u = 2^-53 (a >= 36.74)
    # when the terms are added to 1 one at a time; xentbook.softmax forms s = 2e^-a first (38).
    def first_zero(softmax):
        return next(a for a in range(1, 100) if softmax(a).log().item() == 0)

    def torch_p0(a):
        return torch.softmax(torch.tensor([a, 0.0, 0.0], dtype=torch.float64), 0)[0]

    assert first_zero(torch_p0) == 37


def test_fully_masked_row_has_log_sum_exp_minus_infinity():
    # Section "The log-sum-exp trick": softmax of an all -inf row is nan, its log-sum-exp is
    # the log of an empty sum, -inf (as xentbook.logsumexp returns, checked in the chapter).
    row = torch.full((3,), float("-inf"))
    assert torch.logsumexp(row, 0).item() == float("-inf")
    assert torch.isnan(torch.softmax(row, 0)).all()


def test_float16_finfo_min_mask_overflows_from_a_score_of_minus_16():
    # "In practice": finfo.min (-65504) plus a score of -16 or less overflows to -inf in float16
    # (-65520 is halfway to the next power of two, and the tie rounds to infinity).
    lowest = torch.tensor(torch.finfo(torch.float16).min, dtype=torch.float16)
    assert lowest.item() == -65504.0
    assert (lowest + torch.tensor(-15.0, dtype=torch.float16)).item() == -65504.0
    assert (lowest + torch.tensor(-16.0, dtype=torch.float16)).item() == float("-inf")


def test_float16_finfo_min_mask_absorbs_only_scores_below_16():
    # "In practice": in float16 a masked score is absorbed into finfo.min only strictly between
    # -16 and 16 (the grid there is 32 wide); a score of 16 lands one step higher and takes the
    # row. In float32 and bfloat16 scores of ordinary size are absorbed and the row is uniform.
    lowest = torch.finfo(torch.float16).min
    scores = torch.tensor([-15.9, 0.0, 15.9, 16.0, 47.0], dtype=torch.float16)
    masked = scores + lowest
    assert masked.tolist() == [lowest] * 3 + [lowest + 32] * 2
    absorbed = torch.softmax(masked[:3].float(), dim=0)
    torch.testing.assert_close(absorbed, torch.full((3,), 1 / 3), rtol=0, atol=1e-7)
    taken = torch.softmax(masked[2:4].float(), dim=0)
    assert taken[1].item() > 1 - 2e-14
    for dtype in (torch.float32, torch.bfloat16):
        row = torch.tensor([-50.0, 3.0, 50.0], dtype=dtype) + torch.finfo(dtype).min
        torch.testing.assert_close(
            torch.softmax(row.float(), 0), torch.full((3,), 1 / 3), rtol=0, atol=1e-7
        )


def test_finfo_min_written_over_the_scores_gives_a_uniform_row_in_every_format():
    # "In practice": a mask written over the scores with masked_fill (not added to them) leaves
    # a fully masked row of equal values, uniform in float16 too, whatever the scores were.
    scores = torch.tensor([[-40.0, 0.0, 47.0], [1.0, 2.0, 3.0]])
    mask = torch.tensor([[True, True, True], [False, True, True]])
    for dtype in (torch.float16, torch.bfloat16, torch.float32):
        filled = scores.to(dtype).masked_fill(mask, torch.finfo(dtype).min)
        assert not torch.isinf(filled).any()
        probs = torch.softmax(filled.float(), dim=-1)
        torch.testing.assert_close(probs[0], torch.full((3,), 1 / 3), rtol=0, atol=1e-7)
        assert probs[1, 0].item() == 1.0  # a partly masked row keeps only its unmasked key


def test_fully_masked_row_log_sum_exp_gradient_and_attention():
    # Section "The log-sum-exp trick": the value of logsumexp on an all -inf row is -inf, its
    # gradient (the softmax of the row, 0/0) is nan; scaled_dot_product_attention returns zeros
    # for a query that may attend to no key, where a plain softmax of the masked scores is nan.
    row = torch.full((3,), float("-inf"), requires_grad=True)
    lse = torch.logsumexp(row, 0)
    lse.backward()
    assert lse.item() == float("-inf")
    assert torch.isnan(row.grad).all()
    assert f"{lse.item()} {row.grad}" == "-inf tensor([nan, nan, nan])"
    q = k = v = torch.ones(1, 2, 4)
    keep = torch.tensor([[True, True], [False, False]])
    out = F.scaled_dot_product_attention(q, k, v, attn_mask=keep)
    assert str(out) == "tensor([[[1., 1., 1., 1.],\n         [0., 0., 0., 0.]]])"
    scores = torch.zeros(2, 2).masked_fill(~keep, float("-inf"))
    assert torch.isnan(torch.softmax(scores, -1)[1]).all()


def test_logsumexp_gradient_uses_unshifted_logits():
    # Section "In practice": torch.logsumexp's backward forms exp(z - logsumexp(z)) from the
    # logits as given, so near 1000 in float32 its error is half an ulp of the log-sum-exp
    # (2^-15 = 512 u); torch.softmax, and the gradient of logsumexp of shifted logits, stay
    # within a few u. The exact softmax is numpy's float64 exp of shifted float64 logits.
    rng = np.random.default_rng(1)
    logits = (1000 + rng.normal(size=(200, 10))).astype(np.float32)
    shifted = logits.astype(np.float64) - logits.max(axis=1, keepdims=True)
    exact = np.exp(shifted) / np.exp(shifted).sum(axis=1, keepdims=True)
    u = 2.0**-24

    def worst(probs):
        return np.max(np.abs(probs.detach().numpy().astype(np.float64) / exact - 1)) / u

    z = torch.tensor(logits, requires_grad=True)
    torch.logsumexp(z, dim=1).sum().backward()
    err_grad = worst(z.grad)
    err_softmax = worst(torch.softmax(torch.tensor(logits), 1))
    assert 400 < err_grad <= 512 + 5
    assert err_softmax < 8
    assert f"{err_grad:5.1f} {err_softmax:5.1f}" == "510.2   4.1"
    z2 = torch.tensor(logits, requires_grad=True)
    m = z2.detach().amax(dim=1, keepdim=True)
    (torch.logsumexp(z2 - m, dim=1) + m.squeeze(1)).sum().backward()
    assert worst(z2.grad) < 10
    # torch.log_softmax forms (z - m) - log(sum) as well: its exponential stays within a few u.
    assert worst(torch.log_softmax(torch.tensor(logits), 1).exp()) < 10


def test_logcumsumexp_is_the_running_log_sum_exp():
    # The chapter names torch.logcumsumexp next to np.logaddexp.accumulate: both give
    # log sum_{j <= k} e^{z_j}, here checked against each other on logits near 1000
    # (where a cumulative sum of exp would overflow).
    z = np.array([1000.0, 999.0, 1000.1, -1.0, 1002.0])
    running = torch.logcumsumexp(torch.tensor(z, dtype=torch.float64), 0).numpy()
    np.testing.assert_allclose(running, np.logaddexp.accumulate(z), rtol=1e-15)
    np.testing.assert_allclose(running[1], 1000 + np.log1p(np.exp(-1.0)), rtol=1e-15)
