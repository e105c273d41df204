"""The PyTorch output printed in chapter 12, rerun on the installed torch (2.13.0, CPU)."""

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
