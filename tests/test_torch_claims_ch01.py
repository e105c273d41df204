"""Chapter 1's statements about PyTorch, on the installed torch (2.13.0)."""

import math

import numpy as np
import pytest

from xentbook.plots._information import _round_to_bfloat16

torch = pytest.importorskip("torch")
F = torch.nn.functional


@pytest.mark.torch
def test_naive_gradient_fails_before_the_loss():
    # The chapter's fenced block: at a gap of 89 the loss is finite, the gradient is not
    # (autograd's 1/q_y passes float32's largest number from a gap of log(3.4e38) = 88.72).
    printed = []
    for gap in [88.0, 89.0, 104.0]:  # the true class 1 trails by `gap`
        z = torch.tensor([0.0, -gap], requires_grad=True)
        loss = -torch.log(torch.softmax(z, dim=0)[1])
        loss.backward()
        printed.append(f"{gap} {loss.item()} {z.grad}")
    assert printed == [
        "88.0 88.0 tensor([ 1., -1.])",
        "89.0 89.0 tensor([inf, nan])",
        "104.0 inf tensor([nan, nan])",
    ]


@pytest.mark.torch
@pytest.mark.parametrize(
    ("dtype", "finite_at", "fails_at"),
    [("bfloat16", 88.0, 89.0), ("float16", 11.0, 11.1)],
)
def test_naive_gradient_threshold_in_half_precision(dtype, finite_at, fails_at):
    # The table's last column: 88.7 in bfloat16 (float32's exponent range), 11.1 in float16
    # (log 65504 = 11.09); the loss is still finite where the gradient is not.
    dt = getattr(torch, dtype)
    assert math.log(torch.finfo(dt).max) == pytest.approx(
        {"bfloat16": 88.72, "float16": 11.09}[dtype], abs=5e-3
    )
    for gap, grad_finite in [(finite_at, True), (fails_at, False)]:
        z = torch.tensor([0.0, -gap], dtype=dt, requires_grad=True)
        loss = -torch.log(torch.softmax(z, dim=0)[1])
        loss.backward()
        assert math.isfinite(loss.item())
        assert bool(torch.isfinite(z.grad).all()) is grad_finite


@pytest.mark.torch
@pytest.mark.parametrize(
    ("batch", "scale", "finite_at", "fails_at"),
    [(1, 1.0, 88.5, 88.9), (256, 1.0, 94.0, 94.5), (1, 65536.0, 77.5, 77.8)],
)
def test_naive_gradient_threshold_moves_with_the_upstream_gradient(
    batch, scale, finite_at, fails_at
):
    # Autograd's log backward is g / q_y: the mean over N examples (g = -1/N) moves the
    # threshold to log(max) + log N = 94.27 for N = 256, a loss scale S to log(max) - log S
    # = 77.63 for S = 2^16 (float32, log(max) = 88.72).
    log_max = math.log(torch.finfo(torch.float32).max)
    threshold = log_max + math.log(batch) - math.log(scale)
    assert finite_at < threshold < fails_at
    for gap, grad_finite in [(finite_at, True), (fails_at, False)]:
        z = torch.zeros(batch, 2)
        z[:, 1] = -gap
        z.requires_grad_(True)
        loss = -torch.log(torch.softmax(z, dim=1)[:, 1]).mean()
        (scale * loss).backward()
        assert math.isfinite(loss.item())
        assert bool(torch.isfinite(z.grad).all()) is grad_finite


@pytest.mark.torch
class TestNaiveLossAtAGapOf104:
    def test_loss_is_infinite_and_gradient_nan(self):
        # The chapter's fenced block, verbatim in substance.
        z = torch.tensor([0.0, -104.0], requires_grad=True)  # true class 1
        loss = -torch.log(torch.softmax(z, dim=0)[1])
        loss.backward()
        assert math.isinf(loss.item())
        assert torch.isnan(z.grad).all()
        assert str(z.grad) == "tensor([nan, nan])"

    def test_nll_loss_of_log_softmax_is_the_same(self):
        z = torch.tensor([[0.0, -104.0]], requires_grad=True)
        loss = F.nll_loss(torch.log(torch.softmax(z, dim=1)), torch.tensor([1]))
        loss.backward()
        assert math.isinf(loss.item())
        assert torch.isnan(z.grad).all()

    def test_cross_entropy_from_logits_is_finite(self):
        z = torch.tensor([[0.0, -104.0]], requires_grad=True)
        loss = F.cross_entropy(z, torch.tensor([1]))
        loss.backward()
        # log(1 + e^104) = 104 + e^-104, which is 104 in float32; gradient q - onehot.
        assert loss.item() == 104.0
        assert z.grad.tolist() == [[1.0, -1.0]]


@pytest.mark.torch
def test_nll_loss_of_probabilities_is_minus_the_mean_probability():
    q = torch.tensor([[0.5, 0.3, 0.2], [0.1, 0.6, 0.3]], dtype=torch.float64)
    y = torch.tensor([0, 2])
    # The slip: probabilities where log-probabilities belong give -(0.5 + 0.3) / 2.
    assert F.nll_loss(q, y).item() == pytest.approx(-0.4, rel=1e-15, abs=0)
    assert F.nll_loss(q, y, reduction="none").tolist() == [-0.5, -0.3]


@pytest.mark.torch
class TestBfloat16:
    def test_softmax_underflows_near_a_gap_of_93(self):
        def q_true(gap):
            z = torch.tensor([0.0, -gap], dtype=torch.bfloat16)
            return torch.softmax(z, dim=0)[1].item()

        assert q_true(92.0) == 2.0**-133  # the smallest bfloat16 subnormal, 9.2e-41
        assert q_true(93.0) == 0.0

    def test_probability_0999_is_stored_as_one(self):
        q = torch.tensor(0.999, dtype=torch.bfloat16)
        assert q.item() == 1.0
        assert -torch.log(q).item() == 0.0
        assert torch.tensor(0.996, dtype=torch.bfloat16).item() == 1 - 2.0**-8

    def test_book_rounding_matches_torch(self):
        rng = np.random.default_rng(3)
        x = np.exp(rng.uniform(-95.0, 0.0, size=20_000)).astype(np.float32)
        expected = torch.from_numpy(x).to(torch.bfloat16).to(torch.float64).numpy()
        np.testing.assert_array_equal(_round_to_bfloat16(x.astype(np.float64)), expected)


@pytest.mark.torch
def test_nll_loss_of_probabilities_with_weights_is_a_weighted_mean():
    q = torch.tensor([[0.2, 0.5, 0.3], [0.1, 0.1, 0.8]], dtype=torch.float64)
    y = torch.tensor([1, 2])
    w = torch.tensor([1.0, 2.0, 1.0], dtype=torch.float64)
    # sum_n w_{y_n} (-q_{y_n}) / sum_n w_{y_n} = -(2 * 0.5 + 1 * 0.8) / 3, by hand.
    assert F.nll_loss(q, y, weight=w).item() == pytest.approx(-0.6, rel=1e-15, abs=0)
    assert F.nll_loss(q, y).item() == pytest.approx(-0.65, rel=1e-15, abs=0)


@pytest.mark.torch
def test_autocast_runs_cross_entropy_in_float32():
    # The chapter: under autocast the fused F.cross_entropy runs in float32, even on the
    # bfloat16 or float16 output of an autocast layer (PyTorch 2.13, CPU).
    x = torch.randn(2, 3, generator=torch.Generator().manual_seed(0))
    w = torch.randn(3, 3, generator=torch.Generator().manual_seed(1))
    for dtype in (torch.bfloat16, torch.float16):
        with torch.autocast("cpu", dtype=dtype):
            h = x @ w
            assert h.dtype == dtype
            assert F.cross_entropy(h, torch.tensor([0, 1])).dtype == torch.float32


@pytest.mark.torch
def test_without_autocast_cross_entropy_of_bfloat16_logits_is_bfloat16():
    h = torch.tensor([[0.0, -1.0, 2.0]], dtype=torch.bfloat16)
    assert F.cross_entropy(h, torch.tensor([1])).dtype == torch.bfloat16
    assert F.cross_entropy(h.float(), torch.tensor([1])).dtype == torch.float32


@pytest.mark.torch
def test_grad_scaler_skips_the_step_with_a_nan_gradient():
    # The chapter: a plain optimizer step writes the NaN into the weights; GradScaler skips
    # the step and halves its scale (backoff factor 0.5, the default).
    def naive_loss(w):
        z = torch.stack([torch.zeros(()), -104.0 * w[0]])  # true class 1 trails by 104
        return -torch.log(torch.softmax(z, dim=0)[1])

    w = torch.nn.Parameter(torch.tensor([1.0, 2.0]))
    opt = torch.optim.SGD([w], lr=0.1)
    naive_loss(w).backward()
    assert torch.isnan(w.grad[0])
    opt.step()
    assert torch.isnan(w.detach()[0])

    w = torch.nn.Parameter(torch.tensor([1.0, 2.0]))
    opt = torch.optim.SGD([w], lr=0.1)
    scaler = torch.amp.GradScaler("cpu", init_scale=1024.0)
    scaler.scale(naive_loss(w)).backward()
    scaler.step(opt)
    scaler.update()
    assert w.detach().tolist() == [1.0, 2.0]
    assert scaler.get_scale() == 512.0


@pytest.mark.torch
def test_nan_gradient_stops_only_at_zero_passing_operations():
    # The chapter: the NaN reaches every parameter on an active path to the logit; a ReLU
    # that is off and an embedding row the batch does not use get a zero gradient.
    emb = torch.nn.Embedding(3, 2)
    lin1 = torch.nn.Linear(2, 3)
    lin2 = torch.nn.Linear(3, 2)
    with torch.no_grad():
        emb.weight.copy_(torch.tensor([[1.0, 1.0], [5.0, 5.0], [7.0, 7.0]]))
        lin1.weight.copy_(torch.tensor([[1.0, 0.0], [-1.0, 0.0], [0.0, 1.0]]))
        lin1.bias.zero_()
        lin2.weight.copy_(torch.tensor([[0.0, 0.0, 0.0], [-52.0, -52.0, -52.0]]))
        lin2.bias.zero_()
    z = lin2(torch.relu(lin1(emb(torch.tensor([0])))))  # hidden (1, 0, 1): unit 2 is off
    assert z.tolist() == [[0.0, -104.0]]
    loss = -torch.log(torch.softmax(z, dim=1)[0, 1])
    loss.backward()
    assert math.isinf(loss.item())
    assert torch.isnan(lin2.weight.grad).all()
    assert torch.isnan(lin1.weight.grad[[0, 2]]).all()
    assert lin1.weight.grad[1].tolist() == [0.0, 0.0]  # behind the ReLU that is off
    assert torch.isnan(emb.weight.grad[0]).all()
    assert emb.weight.grad[1:].tolist() == [[0.0, 0.0], [0.0, 0.0]]  # rows not looked up


@pytest.mark.torch
def test_nan_gradient_passes_a_multiplication_by_zero():
    # The chapter: a backward that multiplies by zero does not stop the NaN (0 * NaN = NaN):
    # units dropped by dropout, and the weights of an input that is exactly zero, get NaN.
    torch.manual_seed(0)
    h = torch.tensor([1.0, 2.0, 3.0, 4.0], requires_grad=True)
    kept = F.dropout(h, p=0.5, training=True)
    assert (kept == 0).any()  # some units are dropped
    gap = torch.tensor([0.0, 1.0]) * kept.sum() - torch.tensor([0.0, 104.0 + kept.sum().item()])
    assert gap.tolist() == [0.0, -104.0]
    loss = -torch.log(torch.softmax(gap, dim=0)[1])
    loss.backward()
    assert torch.isnan(h.grad).all()  # the dropped units included
    w = torch.tensor([[0.0, 0.0], [0.0, -104.0]], requires_grad=True)
    x = torch.tensor([0.0, 1.0])  # the first input is exactly zero
    loss = -torch.log(torch.softmax(w @ x, dim=0)[1])
    loss.backward()
    assert torch.isnan(w.grad[:, 0]).all()  # its weights get 0 * NaN = NaN


@pytest.mark.torch
def test_clipped_probability_has_no_gradient_below_epsilon():
    # The chapter: clipping q_y into [eps, 1 - eps] caps the loss at -log eps and, below eps,
    # leaves no gradient at all.
    eps = 1e-8
    z = torch.tensor([0.0, -30.0], requires_grad=True)  # q_y = e^-30 / (1 + e^-30) < eps
    loss = -torch.log(torch.softmax(z, dim=0)[1].clamp(eps, 1 - eps))
    loss.backward()
    assert loss.item() == pytest.approx(-math.log(eps), rel=1e-6)
    assert z.grad.tolist() == [0.0, 0.0]


@pytest.mark.torch
def test_flush_denormal_zeroes_the_probability_from_a_gap_of_87_3():
    # The chapter: with subnormals flushed to zero (torch.set_flush_denormal(True)) the
    # float32 probability of the trailing class is zero once it falls below the smallest
    # normal number, 2^-126, from a gap of 126 log 2 = 87.34; kept, it survives to 104.
    def q_true(gap):
        return torch.softmax(torch.tensor([0.0, -gap]), dim=0)[1].item()

    assert 87.3 < 126 * math.log(2) < 87.4
    assert q_true(87.4) > 0 and q_true(100.0) > 0
    if not torch.set_flush_denormal(True):
        pytest.skip("this CPU cannot flush subnormals to zero")
    try:
        assert q_true(87.3) >= torch.finfo(torch.float32).smallest_normal
        assert q_true(87.4) == 0.0
        assert q_true(100.0) == 0.0
    finally:
        torch.set_flush_denormal(False)
    assert q_true(87.4) > 0
