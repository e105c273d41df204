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
    z = torch.tensor([40.0, 0.0, 0.0], dtype=torch.float64)
    assert (torch.logsumexp(z, 0) - z[0]).item() == 0.0
    assert torch.log_softmax(z, 0).tolist() == [0.0, -40.0, -40.0]


def test_cpu_bfloat16_autocast_dtypes():
    logits = torch.randn(8, 5, generator=torch.Generator().manual_seed(0))
    weight = torch.randn(5, 5, generator=torch.Generator().manual_seed(1))
    with torch.autocast("cpu", dtype=torch.bfloat16):
        h = logits @ weight
        assert h.dtype == torch.bfloat16
        assert F.softmax(h, dim=-1).dtype == torch.bfloat16
        assert F.log_softmax(h, dim=-1).dtype == torch.bfloat16
        assert F.cross_entropy(h, torch.zeros(8, dtype=torch.long)).dtype == torch.float32
