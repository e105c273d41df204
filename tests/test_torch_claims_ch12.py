"""The PyTorch output printed in chapter 12, rerun on the installed torch (2.13.0, CPU)."""

import math

import pytest

torch = pytest.importorskip("torch")


@pytest.mark.torch
def test_mean_of_micro_batch_means_differs_from_the_whole_batch():
    f = torch.nn.functional
    torch.manual_seed(12)
    logits = torch.randn(10, 5, requires_grad=True)
    target = torch.tensor([0, 1, 2, 3, 4, 1, -100, -100, -100, -100])
    full = f.cross_entropy(logits, target)
    halves = [(logits[:5], target[:5]), (logits[5:], target[5:])]
    mean_of_means = sum(f.cross_entropy(z, t) for z, t in halves) / 2
    token_mean = sum(f.cross_entropy(z, t, reduction="sum") for z, t in halves) / 6
    assert f"{full.item():.4f}" == "2.3646"
    assert f"{mean_of_means.item():.4f}" == "2.1508"
    assert f"{token_mean.item():.4f}" == "2.3646"


@pytest.mark.torch
def test_weighted_mean_divides_by_the_summed_weights_of_the_targets():
    f = torch.nn.functional
    torch.manual_seed(12)
    logits = torch.randn(10, 5, requires_grad=True)
    target = torch.tensor([0, 1, 2, 3, 4, 1, -100, -100, -100, -100])
    w = torch.arange(1.0, 6.0)
    weighted_sum = f.cross_entropy(logits, target, weight=w, reduction="sum")
    weighted_mean = f.cross_entropy(logits, target, weight=w)
    assert w[target[:6]].sum().item() == 17.0
    assert f"{weighted_mean.item():.4f}" == "2.6788"
    assert f"{weighted_sum.item() / 17:.4f}" == "2.6788"


@pytest.mark.torch
def test_weighted_accumulation_divides_by_the_batch_summed_weight():
    # Weighted sums of two micro-batches over the batch's summed target weight (17) give the
    # whole batch's weighted mean; the mean of the two weighted means does not.
    f = torch.nn.functional
    torch.manual_seed(12)
    logits = torch.randn(10, 5)
    target = torch.tensor([0, 1, 2, 3, 4, 1, -100, -100, -100, -100])
    w = torch.arange(1.0, 6.0)
    halves = [(logits[:5], target[:5]), (logits[5:], target[5:])]
    whole = f.cross_entropy(logits, target, weight=w)
    accumulated = sum(f.cross_entropy(z, t, weight=w, reduction="sum") for z, t in halves) / 17
    mean_of_means = sum(f.cross_entropy(z, t, weight=w) for z, t in halves) / 2
    assert math.isclose(accumulated.item(), whole.item(), rel_tol=1e-6)
    assert abs(mean_of_means.item() - whole.item()) > 0.1


@pytest.mark.torch
def test_mean_over_no_target_is_nan_and_sum_is_zero():
    f = torch.nn.functional
    torch.manual_seed(12)
    z = torch.randn(3, 5, requires_grad=True)
    empty = torch.full((3,), -100)
    mean = f.cross_entropy(z, empty)
    total = f.cross_entropy(z, empty, reduction="sum")
    assert f"mean {mean.item()}   sum {total.item()}" == "mean nan   sum 0.0"
    mean.backward()
    assert torch.equal(z.grad, torch.zeros(3, 5))


@pytest.mark.torch
def test_float32_tanh_derivative_of_the_soft_cap_rounds_to_zero_from_270():
    # Chapter 12: computed as 1 - tanh^2, the soft-cap factor for c = 30 is 0 in float32 once
    # tanh(z / 30) rounds to 1, from |z| ~ 270 (where 2 exp(-2z/30) < 2**-25, z = 270.3), where
    # its exact value, sech^2(z / 30), is already below 1e-7.
    z = torch.arange(2000, 3200, dtype=torch.float32) / 10  # 200.0 to 319.9, step 0.1
    t = torch.tanh(z / 30)
    first_one = z[t == 1].min().item()
    assert 270 <= first_one <= 271
    assert torch.all(1 - t[z >= first_one] ** 2 == 0)
    assert torch.all(1 - t[z < 269] ** 2 > 0)
    assert 1 / math.cosh(first_one / 30) ** 2 < 1e-7  # 5.9e-8 at z = 270.5


@pytest.mark.torch
def test_exercise_8_accumulated_parameter_gradient():
    f = torch.nn.functional
    torch.manual_seed(12)
    x = torch.randn(40, 16)
    y = torch.randint(0, 10, (40,))
    y[18:20] = -100
    y[23:] = -100
    w = torch.randn(16, 10, requires_grad=True)
    f.cross_entropy(x @ w, y).backward()
    whole = w.grad.clone()
    parts = (slice(0, 20), slice(20, 40))

    def accumulate(micro_batch_loss):
        w.grad = None
        for part in parts:
            micro_batch_loss(x[part] @ w, y[part]).backward()
        return w.grad.clone()

    n = int((y != -100).sum())
    counts = [int((y[part] != -100).sum()) for part in parts]
    assert n == 21 and counts == [18, 3]
    naive = accumulate(lambda z, t: f.cross_entropy(z, t) / 2)
    right = accumulate(lambda z, t: f.cross_entropy(z, t, reduction="sum") / n)

    def cosine(g):
        return f.cosine_similarity(g.ravel(), whole.ravel(), dim=0).item()

    assert f"{cosine(naive):.4f} {naive.norm() / whole.norm():.2f}" == "0.7618 1.21"
    assert f"{cosine(right):.4f} {right.norm() / whole.norm():.2f}" == "1.0000 1.00"
    # hand derivation: the naive gradient weighs micro-batch k's summed-loss gradient by
    # 1 / (K n_k) instead of 1 / N, i.e. by N / (K n_k) = 21/36 and 21/6 times the right one
    per_part = []
    for part in parts:
        w.grad = None
        (f.cross_entropy(x[part] @ w, y[part], reduction="sum") / n).backward()
        per_part.append(w.grad.clone())
    torch.testing.assert_close(per_part[0] + per_part[1], whole, rtol=1e-5, atol=1e-6)
    expected = per_part[0] * 21 / 36 + per_part[1] * 21 / 6
    torch.testing.assert_close(naive, expected, rtol=1e-5, atol=1e-6)


@pytest.mark.torch
def test_label_smoothing_leaves_ignored_positions_out_of_the_smoothed_part():
    # (1 - eps) * NLL + eps * mean over the scored positions of the mean of -log q over V.
    f = torch.nn.functional
    torch.manual_seed(0)
    z = torch.randn(6, 4)
    t = torch.tensor([0, 1, 2, -100, -100, 3])
    scored = t != -100
    log_q = f.log_softmax(z, dim=-1)[scored]
    nll = -log_q.gather(1, t[scored][:, None]).mean()
    by_hand = 0.9 * nll - 0.1 * log_q.mean(dim=-1).mean()
    smoothed = f.cross_entropy(z, t, label_smoothing=0.1)
    assert math.isclose(smoothed.item(), by_hand.item(), rel_tol=1e-6)


@pytest.mark.torch
def test_shifted_labels_and_the_axis_of_the_classes():
    # The shift-by-slicing idiom gives the next-token targets; flattened and (B, V, T - 1)
    # logits give the same token mean, and (B, T - 1, V) logits with T - 1 = V give another.
    f = torch.nn.functional
    torch.manual_seed(12)
    input_ids = torch.tensor([[5, 3, 4, 2, 0, 0, 0], [1, 2, 3, 4, 5, 2, 0]])
    attention_mask = (torch.arange(7) < torch.tensor([[5], [7]])).long()
    labels = input_ids.masked_fill(attention_mask == 0, -100)
    logits = torch.randn(2, 7, 6)
    shift_logits, shift_labels = logits[:, :-1], labels[:, 1:]
    flat = f.cross_entropy(shift_logits.reshape(-1, 6), shift_labels.reshape(-1))
    classes_on_dim_1 = f.cross_entropy(shift_logits.transpose(1, 2), shift_labels)
    unchanged = f.cross_entropy(shift_logits, shift_labels)
    expected = [[3, 4, 2, 0, -100, -100], [2, 3, 4, 5, 2, 0]]
    assert shift_labels.tolist() == expected
    # independent token mean: -log softmax at each of the 10 targets, averaged
    log_p = torch.log_softmax(shift_logits.double(), dim=-1)
    picked = [
        -log_p[b, t, y] for b, row in enumerate(expected) for t, y in enumerate(row) if y != -100
    ]
    assert len(picked) == 10
    assert math.isclose(flat.item(), float(sum(picked)) / 10, rel_tol=1e-6)
    assert f"{flat.item():.4f} {classes_on_dim_1.item():.4f}" == "2.5965 2.5965"
    assert f"{unchanged.item():.4f}" == "1.7538"


@pytest.mark.torch
def test_kl_div_has_no_ignore_index_and_batchmean_divides_by_the_first_axis():
    # Token-level distillation on a padded (B, T, V) batch: 'batchmean' divides the summed
    # divergence by B, and by B * T once flattened (padded rows included); the token mean
    # over the N = 5 real positions needs reduction='none', a mask, a sum and a division by N.
    import inspect

    f = torch.nn.functional
    assert "ignore_index" not in inspect.signature(f.kl_div).parameters
    torch.manual_seed(12)
    log_q = f.log_softmax(torch.randn(2, 4, 5, dtype=torch.float64), dim=-1)
    p = f.softmax(torch.randn(2, 4, 5, dtype=torch.float64), dim=-1)
    real = torch.tensor([[1, 1, 1, 0], [1, 1, 0, 0]], dtype=torch.bool)
    # independent per-position divergence: sum_v p (log p - log q)
    per_position = (p * (p.log() - log_q)).sum(dim=-1)
    per_batch = f.kl_div(log_q, p, reduction="batchmean")
    flattened = f.kl_div(log_q.reshape(-1, 5), p.reshape(-1, 5), reduction="batchmean")
    masked = (f.kl_div(log_q, p, reduction="none").sum(dim=-1) * real).sum() / real.sum()
    assert math.isclose(per_batch.item(), per_position.sum().item() / 2, rel_tol=1e-12)
    assert math.isclose(flattened.item(), per_position.sum().item() / 8, rel_tol=1e-12)
    assert math.isclose(masked.item(), per_position[real].mean().item(), rel_tol=1e-12)
    assert abs(flattened.item() - masked.item()) > 0.01
