"""Chapter 7's PyTorch claims, run on the installed torch (2.13.0, CPU).

Section "Where the formula breaks": the float32 target entry of ``F.cross_entropy``'s
gradient on (a, 0, 0, 0) is p_y - 1 from a rounded p_y (the printed ramp at a = 10, 13, 15,
17), and is lost entirely at a = 20. Section "What backpropagation computes": the backward of
log_softmax is g - p (1^T g). Section on gradient checks: gradcheck's defaults, its verdicts
in float64 and on a correct gradient in float32. Exact values are computed by hand
(-3 e^-a / (1 + 3 e^-a)) in float64; the Hessian against diag(p) - p p^T.
"""

import math

import numpy as np
import pytest

from xentbook import cross_entropy_grad

torch = pytest.importorskip("torch", reason="PyTorch is not installed (pip install torch==2.13.0)")
F = torch.nn.functional

pytestmark = pytest.mark.torch

OTHER = math.exp(-20.0) / (1 + 3 * math.exp(-20.0))  # 2.0611536e-09


def test_confident_float32_gradient_loses_only_the_target_entry():
    z = torch.tensor([[20.0, 0.0, 0.0, 0.0]], requires_grad=True)
    loss = F.cross_entropy(z, torch.tensor([0]))
    loss.backward()
    assert loss.item() == 0.0
    grad = z.grad[0].numpy()
    assert grad.dtype == np.float32
    assert grad[0] == 0.0
    # float32 has 24-bit significands: four units of roundoff in the non-target entries.
    np.testing.assert_allclose(grad[1:], OTHER, rtol=4 * 2.0**-24)
    # The printed form of the chapter's static block.
    assert f"{grad[1]:.4e}" == "2.0612e-09"


def test_xentbook_keeps_the_target_entry_where_torch_rounds_it_away():
    z = np.array([20.0, 0.0, 0.0, 0.0], dtype=np.float32)
    ours = cross_entropy_grad(z, 0)
    np.testing.assert_allclose(ours[0], -3 * OTHER, rtol=4 * 2.0**-24)


def test_worked_batch_gradient_matches_p_minus_y_over_n():
    logits = [[2.0, 1.0, 0.1], [0.1, 2.0, 1.9]]
    z = torch.tensor(logits, dtype=torch.float64, requires_grad=True)
    F.cross_entropy(z, torch.tensor([1, 0])).backward()
    expected = cross_entropy_grad(np.array(logits), [1, 0])
    np.testing.assert_allclose(z.grad.numpy(), expected, rtol=1e-14, atol=1e-16)


# Section "Where the formula breaks": the ramp of the relative error of the target entry.
# Exact values -3 e^-a / (1 + 3 e^-a) by hand in float64; printed lines of the static block.
RAMP = {
    10.0: "a = 10: -1.3626e-04, exact -1.3618e-04, rel. error 5.5e-04",
    13.0: "a = 13: -6.7949e-06, exact -6.7809e-06, rel. error 2.1e-03",
    15.0: "a = 15: -1.0729e-06, exact -9.1771e-07, rel. error 1.7e-01",
    17.0: "a = 17: +0.0000e+00, exact -1.2420e-07, rel. error 1.0e+00",
}


@pytest.mark.parametrize("a", sorted(RAMP))
def test_float32_target_entry_ramp(a):
    z = torch.tensor([[a, 0.0, 0.0, 0.0]], requires_grad=True)
    F.cross_entropy(z, torch.tensor([0])).backward()
    exact = -3 * math.exp(-a) / (1 + 3 * math.exp(-a))
    got = z.grad[0, 0].item()
    rel = abs(got / exact - 1)
    line = f"a = {a:.0f}: {got:+.4e}, exact {exact:+.4e}, rel. error {rel:.1e}"
    assert line == RAMP[a]
    # xentbook keeps the entry to a few float32 units of roundoff at every margin.
    ours = cross_entropy_grad(np.array([a, 0, 0, 0], dtype=np.float32), 0)[0]
    assert abs(float(ours) / exact - 1) < 4 * 2.0**-24


def test_float32_target_entry_ramp_against_the_estimate():
    # The chapter: on the ramp (margins 0 to 16.75, before the entry is lost) torch's error
    # never exceeds u / (1 - p_y) by more than a factor of about 3 (3.3 on this grid), and it
    # falls far below it where roundings cancel. Exact values by hand in float64.
    margins = np.arange(0.0, 16.75, 1 / 64)
    z = torch.zeros(len(margins), 4)
    z[:, 0] = torch.tensor(margins, dtype=torch.float32)
    z.requires_grad_(True)
    F.cross_entropy(z, torch.zeros(len(margins), dtype=torch.long), reduction="sum").backward()
    a = z.detach()[:, 0].double().numpy()
    exact = -3 * np.exp(-a) / (1 + 3 * np.exp(-a))
    rel = np.abs(z.grad[:, 0].double().numpy() / exact - 1)
    ratio = rel / (2.0**-24 / -exact)
    assert ratio.max() < 3.5
    assert ratio[a > 1].min() < 0.01


# torch.func.hessian imports a module that calls torch.jit.script, deprecated in 2.13.
@pytest.mark.filterwarnings("ignore:`torch.jit.script` is deprecated:DeprecationWarning")
def test_hessian_by_torch_func_is_diag_p_minus_ppT():
    from torch.func import hessian

    z = torch.tensor([2.0, 1.0, 0.1], dtype=torch.float64)
    H = hessian(lambda v: F.cross_entropy(v, torch.tensor(1)))(z).numpy()
    p = np.exp(z.numpy()) / np.exp(z.numpy()).sum()
    np.testing.assert_allclose(H, np.diag(p) - np.outer(p, p), rtol=1e-13, atol=1e-16)
    assert str(torch.from_numpy(H)).splitlines()[0] == "tensor([[ 0.2247, -0.1598, -0.0650],"


def test_log_softmax_backward_is_g_minus_p_sum_g():
    # The chapter: autograd's backward of log_softmax is g - p (1^T g).
    z = torch.tensor([2.0, 1.0, 0.1], dtype=torch.float64, requires_grad=True)
    g = torch.tensor([0.3, -1.2, 0.5], dtype=torch.float64)
    (F.log_softmax(z, dim=0) * g).sum().backward()
    p = torch.softmax(z.detach(), dim=0)
    np.testing.assert_allclose(z.grad.numpy(), (g - p * g.sum()).numpy(), rtol=1e-14)


def test_gradcheck_defaults_and_verdicts():
    import inspect

    from torch.autograd import gradcheck, gradgradcheck

    params = inspect.signature(gradcheck).parameters
    assert (params["eps"].default, params["atol"].default, params["rtol"].default) == (
        1e-6,
        1e-5,
        1e-3,
    )
    gen = torch.Generator().manual_seed(0)
    z = torch.randn(8, 5, dtype=torch.float64, requires_grad=True, generator=gen)
    t = torch.randint(0, 5, (8,), generator=gen)
    assert gradcheck(lambda v: F.cross_entropy(v, t, label_smoothing=0.1), (z,))
    assert gradgradcheck(lambda v: F.cross_entropy(v, t), (z,))

    class SignFlipped(torch.autograd.Function):
        @staticmethod
        def forward(ctx, v):
            ctx.save_for_backward(v)
            return torch.logsumexp(v, dim=1).sum()

        @staticmethod
        def backward(ctx, grad_out):
            (v,) = ctx.saved_tensors
            return -grad_out * torch.softmax(v, dim=1)

    with pytest.raises(RuntimeError, match="Jacobian mismatch"):
        gradcheck(SignFlipped.apply, (z,))


def test_gradcheck_fails_a_correct_gradient_in_float32():
    from torch.autograd import gradcheck

    gen = torch.Generator().manual_seed(0)
    z = torch.randn(8, 5, dtype=torch.float32, requires_grad=True, generator=gen)
    t = torch.randint(0, 5, (8,), generator=gen)
    with (
        pytest.warns(UserWarning, match="not of double precision"),
        pytest.raises(RuntimeError, match="Jacobian mismatch"),
    ):
        gradcheck(lambda v: F.cross_entropy(v, t), (z,))


def test_exercise_7_fused_function():
    """Exercise 7's solution: gradcheck passes in float64, and the printed float32 table."""

    class FusedCrossEntropy(torch.autograd.Function):
        """Mean cross-entropy of logits (N, C) and class indices (N,)."""

        @staticmethod
        def forward(ctx, z, y):
            ctx.save_for_backward(z, y)
            log_p = z - torch.logsumexp(z, dim=1, keepdim=True)
            return -log_p.gather(1, y[:, None]).mean()

        @staticmethod
        def backward(ctx, g):
            z, y = ctx.saved_tensors
            col = y[:, None]
            p = torch.softmax(z, dim=1)
            z_y = z.gather(1, col)
            e = (z - z_y).clamp(max=0.0).exp().scatter(1, col, 0.0)  # e^(z_j - z_y)
            s = e.sum(dim=1, keepdim=True)
            top = z_y >= z.max(dim=1, keepdim=True).values
            entry = torch.where(top, -s / (1 + s), p.gather(1, col) - 1)
            return g * p.scatter(1, col, entry) / z.shape[0], None

    gen = torch.Generator().manual_seed(0)
    z64 = torch.randn(5, 4, dtype=torch.float64, generator=gen, requires_grad=True)
    y = torch.tensor([0, 3, 1, 1, 2])
    assert torch.autograd.gradcheck(lambda a: FusedCrossEntropy.apply(a, y), (z64,))
    # Matches F.cross_entropy where nothing cancels, and on a non-argmax target.
    z = torch.tensor([[0.0, 100.0, 0.0, 0.0], [1.0, 2.0, 0.5, -1.0]], requires_grad=True)
    t = torch.tensor([0, 2])
    FusedCrossEntropy.apply(z, t).backward()
    ref = z.detach().clone().requires_grad_()
    F.cross_entropy(ref, t).backward()
    torch.testing.assert_close(z.grad, ref.grad, rtol=1e-6, atol=1e-7)
    printed = {10.0: (5.5e-04, 7.0e-08), 15.0: (1.7e-01, 1.3e-08), 17.0: (1.0e00, 6.2e-08)}
    for a, (torch_err, fused_err) in printed.items():
        exact = -3 * math.exp(-a) / (1 + 3 * math.exp(-a))
        errors = []
        for loss_fn in (F.cross_entropy, FusedCrossEntropy.apply):
            z = torch.tensor([[a, 0.0, 0.0, 0.0]], requires_grad=True)
            loss_fn(z, torch.tensor([0])).backward()
            errors.append(abs(z.grad[0, 0].item() / exact - 1))
        assert f"{errors[0]:.1e}" == f"{torch_err:.1e}"
        assert f"{errors[1]:.1e}" == f"{fused_err:.1e}"


@pytest.mark.parametrize("a", [10.0, 13.0, 15.0, 17.0])
def test_float32_target_entry_is_the_sequential_sum_of_small_terms(a):
    """Section "Where the formula breaks": torch's float32 target entry equals -(s - 1) for
    s = 1 + e^-a + e^-a + e^-a summed one term at a time in float32 (each sum rounded near 1),
    so at a = 17, where each term is below half the spacing 2^-23 above 1, the entry is 0."""
    z = torch.tensor([[a, 0.0, 0.0, 0.0]], requires_grad=True)
    F.cross_entropy(z, torch.tensor([0])).backward()
    s = np.float32(1.0)
    for _ in range(3):
        s = np.float32(s + np.float32(math.exp(-a)))
    assert z.grad[0, 0].item() == pytest.approx(-(float(s) - 1.0), rel=0.02, abs=1e-12)
    if a == 17.0:
        assert math.exp(-a) < 2.0**-24 and z.grad[0, 0].item() == 0.0


def test_long_row_sums_the_small_terms_in_lanes():
    """Section "Where the formula breaks": in a row of 64 logits (17, 0, ..., 0) the CPU
    kernel adds the small terms to one another before they meet the 1, so the float32 target
    entry survives, 4% short of the exact -63 e^-17 / (1 + 63 e^-17) (by hand, float64);
    with four logits it is 0 (test_float32_target_entry_ramp)."""
    z = torch.zeros(1, 64)
    z[0, 0] = 17.0
    z.requires_grad_()
    F.cross_entropy(z, torch.tensor([0])).backward()
    exact = -63 * math.exp(-17.0) / (1 + 63 * math.exp(-17.0))
    shortfall = 1 - z.grad[0, 0].item() / exact
    assert 0.03 < shortfall < 0.05


def test_label_smoothing_still_goes_through_nll_loss():
    """Section "What backpropagation computes": with class indices and label smoothing,
    F.cross_entropy adds a smoothing sum to nll_loss of log_softmax; probability targets
    are weighted and summed without nll_loss. Both start from LogSoftmaxBackward0."""

    def graph(fn, seen):
        if fn is not None and fn not in seen:
            seen.add(fn)
            for child, _ in fn.next_functions:
                graph(child, seen)
        return {type(f).__name__ for f in seen}

    z = torch.randn(2, 3, dtype=torch.float64, requires_grad=True)
    smoothed = graph(F.cross_entropy(z, torch.tensor([0, 1]), label_smoothing=0.1).grad_fn, set())
    soft = graph(F.cross_entropy(z, torch.tensor([[0.2, 0.8, 0.0]] * 2)).grad_fn, set())
    assert {"NllLossBackward0", "LogSoftmaxBackward0", "SumBackward1"} <= smoothed
    assert "LogSoftmaxBackward0" in soft and "NllLossBackward0" not in soft


def test_gradient_reaching_float16_logits_is_float16():
    """Section "Where the formula breaks": the loss runs in float32 on upcast float16 logits,
    and the gradient that reaches the float16 logits is float16, so p_j / N below 2^-25
    rounds to 0 (here p_j = 1e-4, N = 4096: the entry 2.44e-8 becomes 0)."""
    logits = torch.tensor([[0.0, math.log(1e-4)]]).half().requires_grad_()
    loss = F.cross_entropy(logits.float(), torch.tensor([0])) / 4096
    loss.backward()
    assert logits.grad.dtype == torch.float16
    assert logits.grad[0, 1].item() == 0.0


def test_linear_weight_grad_is_the_transpose_of_the_chapters_layout():
    """Section "Through a linear layer": nn.Linear stores weight as (C, F) and computes
    X W^T + b, so weight.grad is (P - Y)^T X / N, the transpose of X^T (P - Y) / N; P from
    the chapter's own softmax (xentbook, float64)."""
    from xentbook import softmax

    torch.manual_seed(0)
    layer = torch.nn.Linear(4, 3, dtype=torch.float64)
    x = torch.randn(8, 4, dtype=torch.float64)
    t = torch.tensor([0, 2, 1, 1, 0, 2, 2, 1])
    F.cross_entropy(layer(x), t).backward()
    assert tuple(layer.weight.shape) == (3, 4)
    X = x.numpy()
    P = softmax(X @ layer.weight.detach().numpy().T + layer.bias.detach().numpy())
    residual = P - np.eye(3)[t.numpy()]
    expected = residual.T @ X / 8
    np.testing.assert_allclose(layer.weight.grad.numpy(), expected, rtol=1e-13, atol=1e-16)
    np.testing.assert_allclose(layer.bias.grad.numpy(), residual.sum(axis=0) / 8, atol=1e-16)


def test_ignored_target_with_class_weights_divides_by_the_weight_of_the_others():
    """Section "A batch": an ignored target gets a zero row, and with class weights the mean
    divides by the total weight of the targets that are not ignored (here w_1 + w_0 = 4), as
    cross_entropy_grad does; ignore_index is refused with probability targets."""
    logits = np.array([[2.0, 1.0, 0.1], [0.1, 2.0, 1.9], [1.0, 0.0, 0.0]])
    targets = np.array([1, 0, -100])
    weight = np.array([1.0, 3.0, 0.5])
    z = torch.tensor(logits, requires_grad=True)
    F.cross_entropy(z, torch.tensor(targets), weight=torch.tensor(weight)).backward()
    p = np.exp(logits[:2]) / np.exp(logits[:2]).sum(axis=1, keepdims=True)
    by_hand = weight[targets[:2], None] * (p - np.eye(3)[targets[:2]]) / 4.0
    np.testing.assert_allclose(z.grad.numpy()[:2], by_hand, rtol=1e-14)
    assert np.all(z.grad.numpy()[2] == 0)
    np.testing.assert_allclose(
        cross_entropy_grad(logits, targets, weight=weight), z.grad.numpy(), rtol=1e-14
    )
    probabilities = torch.softmax(torch.tensor(logits), dim=1)
    with pytest.raises(RuntimeError, match="ignore_index is not supported"):
        F.cross_entropy(torch.tensor(logits), probabilities, ignore_index=0)
