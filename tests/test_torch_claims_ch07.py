"""Chapter 7's PyTorch claim: the float32 gradient of a confident example (section "Where the
formula breaks").

The chapter shows, as a static block, what PyTorch 2.13.0 (CPU) prints for
``F.cross_entropy`` on the float32 logits (20, 0, 0, 0) with target 0: loss 0.0 and gradient
[0, 2.0612e-09, 2.0612e-09, 2.0612e-09]. This runs the same code on the installed torch. The
expected non-zero entries are e^-20 / (1 + 3 e^-20), computed by hand in float64.
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
