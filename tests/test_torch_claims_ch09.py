"""Chapter 9's prose claims about PyTorch that no printed example shows, run on the installed torch."""

import math

import pytest

torch = pytest.importorskip("torch")
F = torch.nn.functional

pytestmark = pytest.mark.torch


def test_bfloat16_sigmoid_rounds_to_one_from_6_25():
    # 9 log 2 = 6.238: half the bfloat16 spacing below 1 is 2**-9.
    assert 6.21875 < 9 * math.log(2) < 6.25
    below, at = torch.tensor([6.21875, 6.25], dtype=torch.bfloat16)
    assert torch.sigmoid(below).item() < 1.0
    assert torch.sigmoid(at).item() == 1.0


def test_float64_target_zero_collapses_above_27_6_and_clamps_from_36_7():
    x = torch.tensor([27.0, 28.0, 36.0, 36.73, 36.75], dtype=torch.float64, requires_grad=True)
    loss = F.binary_cross_entropy(torch.sigmoid(x), torch.zeros_like(x), reduction="none")
    loss.sum().backward()
    g = x.grad.tolist()
    assert g[0] == pytest.approx(1.0, abs=1e-9)
    assert f"{g[1]:.2g}" == "0.69" and f"{g[2]:.2g}" == "0.00022"
    assert loss[3].item() < 100.0 and loss[4].item() == 100.0


def test_float16_backward_guard_is_zero():
    assert torch.tensor(1e-12, dtype=torch.float16).item() == 0.0
    p = torch.tensor([1.0], dtype=torch.float16, requires_grad=True)
    F.binary_cross_entropy(p, torch.zeros(1, dtype=torch.float16)).backward()
    assert math.isinf(p.grad.item())


def test_cpu_autocast_runs_the_probability_form():
    with torch.autocast("cpu", dtype=torch.bfloat16):
        loss = F.binary_cross_entropy(torch.sigmoid(torch.tensor([1.0])), torch.tensor([1.0]))
    assert f"{loss.item():.4f}" == "0.3133"


def test_cpu_autocast_runs_the_probability_form_in_float32():
    # A bfloat16 probability gives a float32 loss under CPU autocast, a bfloat16 one outside it.
    p = torch.sigmoid(torch.tensor([1.0], dtype=torch.bfloat16))
    target = torch.ones(1, dtype=torch.bfloat16)
    with torch.autocast("cpu", dtype=torch.bfloat16):
        inside = F.binary_cross_entropy(p, target)
    assert inside.dtype == torch.float32
    assert F.binary_cross_entropy(p, target).dtype == torch.bfloat16


def test_nan_target_with_weight_zero_poisons_loss_and_gradient():
    x = torch.tensor([0.3, 0.1], requires_grad=True)
    loss = F.binary_cross_entropy_with_logits(
        x, torch.tensor([1.0, float("nan")]), weight=torch.tensor([1.0, 0.0])
    )
    loss.backward()
    assert math.isnan(loss.item()) and math.isnan(x.grad[1].item())


def test_nan_probability_raises():
    with pytest.raises(RuntimeError, match="input should be between 0 and 1"):
        F.binary_cross_entropy(torch.tensor([float("nan")]), torch.tensor([1.0]))


def _bce_of_sigmoid(values, dtype, target):
    x = torch.tensor(values, dtype=dtype, requires_grad=True)
    loss = F.binary_cross_entropy(torch.sigmoid(x), torch.full_like(x, target), reduction="none")
    loss.sum().backward()
    return [v.item() for v in loss.double()], [g.item() for g in x.grad.double()]


@pytest.mark.parametrize(
    ("dtype", "last_good", "first_bad"),
    [
        (torch.float32, 16.625, 16.6875),
        (torch.bfloat16, 6.21875, 6.25),
        (torch.float16, 8.3125, 8.3203125),
    ],
)
def test_table_target_zero_jump(dtype, last_good, first_bad):
    # The table's target-0 column: loss 100 from the first input whose sigmoid rounds to 1;
    # the gradient there is 0 (bfloat16, float32) or nan (float16, whose guard is 0).
    loss, grad = _bce_of_sigmoid([last_good, first_bad], dtype, 0.0)
    assert loss[0] < 100.0 and grad[0] > 0.5
    assert loss[1] == 100.0
    if dtype is torch.float16:
        assert math.isnan(grad[1])
    else:
        assert grad[1] == 0.0


def test_table_float32_jump_at_16_64():
    # The first float32 input at which torch.sigmoid rounds to 1 lies within 0.01 of 24 log 2.
    x = torch.arange(16.5, 16.8, 0.001, dtype=torch.float32)
    first = x[(torch.sigmoid(x) == 1.0).nonzero()[0]].item()
    assert abs(first - 24 * math.log(2)) < 0.01


def test_table_target_one_collapse():
    # float64, float32, bfloat16: the gradient decays below x = log(1e-12) = -27.6 (near -1 at
    # -27, below 0.7 in size at -28); float16: p underflows to 0 below 25 log 2 = -17.33, the
    # loss is clamped at 100 and the gradient is nan (just above, it is already -inf).
    for dtype in (torch.float64, torch.float32, torch.bfloat16):
        _, grad = _bce_of_sigmoid([-27.0, -28.0], dtype, 1.0)
        assert grad[0] < -0.95 and -0.75 < grad[1] < -0.6
    loss, grad = _bce_of_sigmoid([-17.25, -17.375], torch.float16, 1.0)
    assert loss[0] < 18.0 and math.isinf(grad[0])
    assert loss[1] == 100.0 and math.isnan(grad[1])


def test_float16_target_one_gradient_is_infinite_from_minus_11_09():
    # d loss / dp ~ -1/p overflows the float16 maximum 65504 once p < 1/65504, that is below
    # x = log(1/65504) = -11.09: every float16 input from there to -17.33 gets a -inf gradient.
    assert f"{math.log(1 / 65504):.2f}" == "-11.09"
    x = torch.arange(-17.3, -10.0, 0.001).to(torch.float16).unique()
    loss, grad = _bce_of_sigmoid(x.tolist(), torch.float16, 1.0)
    infinite = [v for v, g in zip(x.tolist(), grad, strict=True) if math.isinf(g)]
    assert max(infinite) == -11.09375 and min(infinite) == x[0].item()
    assert all(g > -1.01 for v, g in zip(x.tolist(), grad, strict=True) if v > -11.09375)
    assert all(0.0 < v < 18.0 for v in loss)


def test_pos_weight_arrangement_cancels_like_the_plain_one():
    # (1 - y) x - (1 + (r - 1) y) log sigma(x) and (1 + (r - 1) y) sigma(x) - r y, in float64:
    # the loss is 0 at x = -40, y = 0 and the gradient 0 at x = 40, y = 1 (true 3 sigma(-40)).
    r = torch.tensor([3.0], dtype=torch.float64)
    x = torch.tensor([-40.0, 40.0], dtype=torch.float64, requires_grad=True)
    y = torch.tensor([0.0, 1.0], dtype=torch.float64)
    loss = F.binary_cross_entropy_with_logits(x, y, pos_weight=r, reduction="none")
    loss.sum().backward()
    assert loss[0].item() == 0.0 and x.grad[1].item() == 0.0
    assert loss[1].item() == pytest.approx(3 * math.log1p(math.exp(-40.0)), rel=1e-15)
    assert x.grad[0].item() == pytest.approx(1 / (1 + math.exp(40.0)), rel=1e-15)


def test_clamping_probabilities_zeroes_their_gradient():
    # p.clamp(1e-7, 1 - 1e-7) before BCELoss: float32 logits -20 and 20 (targets 1 and 0,
    # confident mistakes) get a gradient of exactly 0; an unclamped one (-5) keeps its pull.
    x = torch.tensor([-20.0, 20.0, -5.0], requires_grad=True)
    p = torch.sigmoid(x).clamp(1e-7, 1 - 1e-7)
    F.binary_cross_entropy(p, torch.tensor([1.0, 0.0, 1.0]), reduction="sum").backward()
    assert x.grad[0].item() == 0.0 and x.grad[1].item() == 0.0
    assert x.grad[2].item() == pytest.approx(-(1 - 1 / (1 + math.exp(5.0))), rel=1e-5)


def test_float16_confident_right_predictions_get_nan_gradient():
    # The float16 guard is 0, so once p rounds to the target itself (target 1 from x = 8.32,
    # target 0 below x = -17.33) the backward quotient (p - y) / (p (1 - p)) is 0/0: the loss
    # is 0 and the gradient nan. Just inside those thresholds the gradient is finite.
    loss, grad = _bce_of_sigmoid([8.3125, 8.3203125, 9.0, 12.0], torch.float16, 1.0)
    assert math.isfinite(grad[0]) and all(math.isnan(g) for g in grad[1:])
    assert all(v == 0.0 for v in loss[1:])
    loss, grad = _bce_of_sigmoid([-17.25, -17.375, -18.0, -40.0], torch.float16, 0.0)
    assert math.isfinite(grad[0]) and all(math.isnan(g) for g in grad[1:])
    assert all(v == 0.0 for v in loss[1:])
    for dtype in (torch.bfloat16, torch.float32, torch.float64):
        _, grad = _bce_of_sigmoid([12.0, 40.0], dtype, 1.0)
        assert all(math.isfinite(g) and abs(g) < 1e-4 for g in grad)
        _, grad = _bce_of_sigmoid([-18.0, -40.0], dtype, 0.0)
        assert all(math.isfinite(g) and abs(g) < 1e-4 for g in grad)


def test_class_weights_are_pos_weight_and_cross_entropy_mean_divides_by_weights():
    # Label-dependent weights w1 (positives), w0 (negatives) equal w0 times pos_weight w1 / w0,
    # and BCE's mean divides by N; CrossEntropyLoss(weight=) divides by the targets' weights.
    x = torch.tensor([1.5, -0.5, 3.0, 0.2], dtype=torch.float64)
    y = torch.tensor([1.0, 0.0, 0.0, 1.0], dtype=torch.float64)
    w1, w0 = 3.0, 0.5
    element_weight = torch.where(y == 1, w1, w0)
    by_weight = F.binary_cross_entropy_with_logits(x, y, weight=element_weight)
    r = torch.tensor(w1 / w0, dtype=torch.float64)
    by_pos_weight = F.binary_cross_entropy_with_logits(x, y, pos_weight=r)
    assert by_weight.item() == pytest.approx(w0 * by_pos_weight.item(), rel=1e-14)
    per_element = F.binary_cross_entropy_with_logits(x, y, reduction="none")
    assert by_weight.item() == pytest.approx((element_weight * per_element).sum().item() / 4)
    logits = torch.stack([torch.zeros_like(x), x], dim=1)
    labels = y.long()
    class_weight = torch.tensor([w0, w1], dtype=torch.float64)
    ce = F.cross_entropy(logits, labels, weight=class_weight)
    ce_none = F.cross_entropy(logits, labels, reduction="none")
    expected = (class_weight[labels] * ce_none).sum() / class_weight[labels].sum()
    assert ce.item() == pytest.approx(expected.item(), rel=1e-14)
    assert ce.item() != pytest.approx(by_weight.item(), rel=1e-3)


def test_cross_entropy_weighted_mean_depends_on_the_target_kind():
    # Class-index targets: the weighted mean divides by the sum of the targets' weights;
    # the same targets as probabilities: it divides by N.
    z = torch.tensor([[0.5, -1.0], [1.0, 0.2], [0.0, 0.3]])
    w = torch.tensor([1.0, 3.0])
    idx = torch.tensor([1, 0, 1])
    total = F.cross_entropy(z, idx, weight=w, reduction="sum")
    assert F.cross_entropy(z, idx, weight=w).item() == pytest.approx(
        (total / w[idx].sum()).item(), rel=1e-6
    )
    soft = F.one_hot(idx, 2).float()
    assert F.cross_entropy(z, soft, weight=w).item() == pytest.approx((total / 3).item(), rel=1e-6)


def test_clamping_probabilities_thresholds_per_dtype():
    # p.clamp(1e-7, 1 - 1e-7): the gradient stops from |x| = 16.1 in float64; in float32
    # from x = -16.1 and, on the positive side, only from x = 16.64, since 1 - 1e-7
    # rounds to 1 - 2^-23, which sigmoid(x) equals (the clamp is inclusive) until it
    # rounds to 1.
    def grads(values, target, dtype):
        x = torch.tensor(values, dtype=dtype, requires_grad=True)
        p = torch.sigmoid(x).clamp(1e-7, 1 - 1e-7)
        y = torch.full_like(x, target)
        F.binary_cross_entropy(p, y, reduction="sum").backward()
        return x.grad.tolist()

    g64_neg = grads([-16.0, -16.2], 1.0, torch.float64)
    g64_pos = grads([16.0, 16.2], 0.0, torch.float64)
    assert g64_neg[0] != 0.0 and g64_neg[1] == 0.0
    assert g64_pos[0] != 0.0 and g64_pos[1] == 0.0
    g32_neg = grads([-16.0, -16.2], 1.0, torch.float32)
    assert g32_neg[0] != 0.0 and g32_neg[1] == 0.0
    assert torch.tensor(1 - 1e-7, dtype=torch.float32).item() == 1 - 2.0**-23
    g32_pos = grads([16.2, 16.63, 16.65], 0.0, torch.float32)
    assert g32_pos[0] == pytest.approx(1.0, rel=1e-6)
    assert g32_pos[1] == pytest.approx(1.0, rel=1e-6)
    assert g32_pos[2] == 0.0


def test_multilabel_soft_margin_is_the_mean_bce_with_logits():
    # MultiLabelSoftMarginLoss averages the L binary losses of each row, then the rows:
    # the mean of BCEWithLogitsLoss over N L entries, also with a per-label weight.
    gen = torch.Generator().manual_seed(9)
    x = torch.randn(5, 3, generator=gen, dtype=torch.float64)
    y = (torch.rand(5, 3, generator=gen, dtype=torch.float64) < 0.4).double()
    w = torch.tensor([0.5, 2.0, 1.0], dtype=torch.float64)
    soft_margin = torch.nn.MultiLabelSoftMarginLoss()(x, y)
    assert soft_margin.item() == pytest.approx(
        F.binary_cross_entropy_with_logits(x, y).item(), rel=1e-14
    )
    weighted = torch.nn.MultiLabelSoftMarginLoss(weight=w)(x, y)
    assert weighted.item() == pytest.approx(
        F.binary_cross_entropy_with_logits(x, y, weight=w).item(), rel=1e-14
    )
    assert "pos_weight" not in torch.nn.MultiLabelSoftMarginLoss.__init__.__code__.co_varnames
    # With reduction="sum" it sums the per-row means: 1/L times the summed binary loss;
    # with "none" it returns one number per row.
    summed = torch.nn.MultiLabelSoftMarginLoss(reduction="sum")(x, y)
    bce_sum = F.binary_cross_entropy_with_logits(x, y, reduction="sum")
    assert summed.item() == pytest.approx(bce_sum.item() / 3, rel=1e-14)
    assert torch.nn.MultiLabelSoftMarginLoss(reduction="none")(x, y).shape == (5,)
