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


def test_nan_target_with_weight_zero_poisons_loss_and_gradient():
    x = torch.tensor([0.3, 0.1], requires_grad=True)
    loss = F.binary_cross_entropy_with_logits(
        x, torch.tensor([1.0, float("nan")]), weight=torch.tensor([1.0, 0.0]))
    loss.backward()
    assert math.isnan(loss.item()) and math.isnan(x.grad[1].item())


def test_nan_probability_raises():
    with pytest.raises(RuntimeError, match="input should be between 0 and 1"):
        F.binary_cross_entropy(torch.tensor([float("nan")]), torch.tensor([1.0]))
