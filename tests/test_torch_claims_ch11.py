"""Chapter 11's claims about PyTorch that its printed examples do not show, run on the installed torch.

The chapter's printed examples are checked by ``test_torch_examples.py``; these are the numbers
and behaviours its prose quotes.
"""

import math

import pytest

torch = pytest.importorskip("torch")
F = torch.nn.functional

pytestmark = pytest.mark.torch


def test_label_smoothing_with_finfo_min_overflows_from_two_masked_classes():
    # One masked class costs about finfo.max * eps / C; two overflow PyTorch's float32 sum of
    # the log-probabilities, which it forms before scaling by eps / C.
    fmin = torch.finfo(torch.float32).min
    target = torch.tensor([0])
    one = F.cross_entropy(torch.tensor([[1.0, 2.0, fmin]]), target, label_smoothing=0.1)
    expected = torch.finfo(torch.float32).max * 0.1 / 3  # the masked class's share
    assert math.isclose(one.item(), expected, rel_tol=1e-3)
    assert f"{one.item():.1e}" == "1.1e+37"
    two = F.cross_entropy(torch.tensor([[1.0, 2.0, fmin, fmin]]), target, label_smoothing=0.1)
    assert math.isinf(two.item())
    # With -inf instead, one masked class is enough.
    inf = F.cross_entropy(torch.tensor([[1.0, 2.0, -math.inf]]), target, label_smoothing=0.1)
    assert math.isinf(inf.item())


def test_fully_masked_attention_row():
    # A hand-written masked softmax and nn.MultiheadAttention (need_weights=True) give nan for
    # a query whose keys are all masked; scaled_dot_product_attention gives zeros.
    torch.manual_seed(0)
    q, k, v = torch.randn(1, 1, 2, 4), torch.randn(1, 1, 3, 4), torch.randn(1, 1, 3, 4)
    keep = torch.tensor([[True, True, True], [False, False, False]])
    scores = (q @ k.transpose(-1, -2)).masked_fill(~keep, -math.inf)
    assert torch.isnan(scores.softmax(-1)[..., 1, :]).all()
    sdpa = F.scaled_dot_product_attention(q, k, v, attn_mask=keep)
    assert (sdpa[..., 1, :] == 0).all()
    assert torch.isfinite(sdpa[..., 0, :]).all()
    mha = torch.nn.MultiheadAttention(4, 1, batch_first=True)
    out, _ = mha(q[0], k[0], v[0], attn_mask=~keep)
    assert torch.isnan(out[0, 1]).all() and torch.isfinite(out[0, 0]).all()
    # With need_weights=False, nn.MultiheadAttention calls scaled_dot_product_attention: zeros.
    out, _ = mha(q[0], k[0], v[0], attn_mask=~keep, need_weights=False)
    assert (out[0, 1] == 0).all() and torch.isfinite(out[0, 0]).all()
    # That zero row is the output projection's bias, zero only at initialisation.
    with torch.no_grad():
        mha.out_proj.bias.fill_(0.5)
    out, _ = mha(q[0], k[0], v[0], attn_mask=~keep, need_weights=False)
    assert (out[0, 1] == 0.5).all()


def test_float16_loss_of_near_equal_logits_is_log_c_rounded():
    z = torch.full((1, 50_257), 0.3).half()
    loss = F.cross_entropy(z, torch.tensor([0]))
    assert loss.dtype == torch.float16
    assert loss.item() == float(torch.tensor(math.log(50_257)).half())
    assert math.isinf(torch.exp(z).sum().item())


def test_loss_of_a_row_holding_inf_is_nan_whichever_class_holds_it():
    for dtype in (torch.float32, torch.float16):
        z = torch.tensor([[math.inf, 0.0]], dtype=dtype)
        for target in (0, 1):
            assert math.isnan(F.cross_entropy(z, torch.tensor([target])).item())


def test_autocast_runs_the_cross_entropy_losses_in_float32():
    torch.manual_seed(0)
    x, w = torch.randn(4, 8), torch.randn(8, 3)
    target = torch.tensor([0, 1, 2, 0])
    with torch.autocast("cpu", dtype=torch.bfloat16):
        logits = x @ w
        assert logits.dtype == torch.bfloat16
        log_q = F.log_softmax(logits, dim=1)
        losses = [
            F.cross_entropy(logits, target),
            F.nll_loss(log_q, target),
            F.kl_div(log_q, torch.full((4, 3), 1 / 3), reduction="batchmean"),
        ]
    assert all(loss.dtype == torch.float32 for loss in losses)
    # Autocast upcasts low-precision floats only: float64 logits keep their dtype.
    with torch.autocast("cpu", dtype=torch.bfloat16):
        assert F.cross_entropy(logits.double(), target).dtype == torch.float64


def test_a_rewrapped_detached_loss_reaches_no_weight():
    # A loss computed from detached values raises at backward(); rewrapped as a new leaf
    # tensor it runs, and the weights receive no gradient.
    weight = torch.randn(4, 3, requires_grad=True)
    x, target = torch.randn(2, 4), torch.tensor([0, 1])
    loss = F.cross_entropy((x @ weight).detach(), target)
    with pytest.raises(RuntimeError, match="element 0 of tensors does not require grad"):
        loss.backward()
    torch.tensor(loss.item(), requires_grad=True).backward()
    assert weight.grad is None


def test_reduction_none_is_zero_at_ignored_targets_so_its_mean_counts_them():
    # reduction="none" gives 0 where the target is ignore_index; .mean() divides by every
    # position, while the default mean divides by the kept ones (sum / kept).
    gen = torch.Generator().manual_seed(11)
    logits = torch.randn(12, 5, generator=gen)
    target = torch.randint(0, 5, (12,), generator=gen)
    target[[2, 7, 8]] = -100
    per_item = F.cross_entropy(logits, target, reduction="none")
    kept = target != -100
    assert torch.all(per_item[~kept] == 0) and torch.all(per_item[kept] > 0)
    default = F.cross_entropy(logits, target)
    torch.testing.assert_close(per_item.sum() / kept.sum(), default, rtol=1e-6, atol=0)
    torch.testing.assert_close(per_item.mean(), default * 9 / 12, rtol=1e-6, atol=0)


def test_segmentation_void_label_255_needs_ignore_index_255():
    # A mask that marks unlabelled pixels with 255 is out of range for the default
    # ignore_index=-100; ignore_index=255 drops those pixels from the mean.
    torch.manual_seed(0)
    logits = torch.randn(1, 21, 2, 2)  # (N, C, H, W), 21 classes as in Pascal VOC
    target = torch.tensor([[[3, 255], [0, 7]]])
    with pytest.raises(IndexError, match="Target 255 is out of bounds"):
        F.cross_entropy(logits, target)
    kept = target != 255
    by_hand = F.cross_entropy(logits.permute(0, 2, 3, 1)[kept], target[kept])
    torch.testing.assert_close(F.cross_entropy(logits, target, ignore_index=255), by_hand)


def test_weighted_mean_formula_needs_no_label_smoothing():
    # eq-11-weighted: sum w[y] l / sum w[y] is the weighted mean without label smoothing; with
    # it, PyTorch weights the smoothing term class by class (w_k), not by w[y].
    gen = torch.Generator().manual_seed(3)
    logits = torch.randn(6, 3, generator=gen)
    target = torch.tensor([0, 0, 0, 0, 1, 2])
    w = torch.tensor([1.0, 3.0, 10.0])
    for smoothing, holds in ((0.0, True), (0.1, False)):
        loss = F.cross_entropy(logits, target, weight=w, label_smoothing=smoothing)
        per_item = F.cross_entropy(logits, target, reduction="none", label_smoothing=smoothing)
        formula = (w[target] * per_item).sum() / w[target].sum()
        assert torch.isclose(loss, formula, rtol=1e-6, atol=0).item() is holds
        if not holds:
            assert abs(loss.item() - formula.item()) > 0.01
