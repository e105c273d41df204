"""Tests of xentbook.book._ch11: the buggy losses' values and gradients against PyTorch autograd."""

import numpy as np
import pytest

from xentbook.book import train_with_loss_bug
from xentbook.book._ch11 import _loss_and_grad


@pytest.mark.torch
@pytest.mark.parametrize(
    "bug", ["correct", "double_softmax", "nll_of_probabilities", "nll_of_logits"]
)
def test_loss_and_gradient_match_pytorch(bug):
    torch = pytest.importorskip("torch", reason="compares with PyTorch autograd")
    import torch.nn.functional as F

    rng = np.random.default_rng(11)
    z = rng.normal(scale=2.0, size=(6, 4))
    labels = np.array([0, 3, 1, 2, 2, 0])
    loss, grad = _loss_and_grad(bug, z, np.eye(4)[labels])

    zt = torch.tensor(z, requires_grad=True)
    yt = torch.tensor(labels)
    # What each buggy script computes, written with PyTorch's own functions.
    reference = {
        "correct": lambda: F.cross_entropy(zt, yt),
        "double_softmax": lambda: F.cross_entropy(F.softmax(zt, dim=1), yt),
        "nll_of_probabilities": lambda: F.nll_loss(F.softmax(zt, dim=1), yt),
        "nll_of_logits": lambda: F.nll_loss(zt, yt),
    }[bug]()
    reference.backward()
    np.testing.assert_allclose(loss, reference.item(), rtol=1e-14)
    np.testing.assert_allclose(grad, zt.grad.numpy(), rtol=1e-12, atol=1e-17)


def test_history_lengths_and_first_entry():
    x = np.array([[-1.0], [1.0], [0.5]])
    history = train_with_loss_bug(x, [0, 1, 1], "double_softmax", steps=5)
    assert history.reported_loss.shape == history.accuracy.shape == (6,)
    # With weights of size 0.01 the start is nearly uniform: a second softmax of (1/2, 1/2) is
    # again (1/2, 1/2), so the first reported loss is log 2 to within the weights' effect.
    np.testing.assert_allclose(history.reported_loss[0], np.log(2), atol=1e-2)


def test_rejects_an_unknown_bug():
    with pytest.raises(ValueError, match=r"^train_with_loss_bug: bug must be one of"):
        train_with_loss_bug(np.zeros((2, 1)), [0, 1], "typo")
