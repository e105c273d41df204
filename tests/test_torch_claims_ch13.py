"""Chapter 13's claims about PyTorch 2.13, run on the installed torch.

The chapter shows the bfloat16 example as a static block with its printed output; this file runs
the same code and asserts the printed numbers, and checks what the text says of
``F.linear_cross_entropy``.
"""

from __future__ import annotations

import pytest

torch = pytest.importorskip("torch")
F = torch.nn.functional

pytestmark = pytest.mark.torch


def _bf16_example():
    torch.manual_seed(0)
    logits = 2.5 * torch.randn(2048, 32000)
    target = torch.randint(0, 32000, (2048,))
    logits[torch.arange(2048), target] += 10.0
    low = logits.to(torch.bfloat16)
    with torch.autocast("cpu", dtype=torch.bfloat16):
        autocast = F.cross_entropy(low, target)
    return {
        "float32 logits": F.cross_entropy(logits, target),
        "bf16, no upcast": F.cross_entropy(low, target),
        "bf16, upcast": F.cross_entropy(low.float(), target),
        "bf16, autocast": autocast,
    }


def test_bfloat16_losses_as_printed():
    printed = {
        "float32 logits": (torch.float32, "3.6661"),
        "bf16, no upcast": (torch.bfloat16, "3.6562"),
        "bf16, upcast": (torch.float32, "3.6664"),
        "bf16, autocast": (torch.float32, "3.6664"),
    }
    for name, loss in _bf16_example().items():
        dtype, value = printed[name]
        assert loss.dtype == dtype, name
        assert f"{loss.item():.4f}" == value, name


def test_linear_cross_entropy_default_is_the_reference_composition():
    gen = torch.Generator().manual_seed(1)
    x = torch.randn(64, 16, generator=gen)
    w = torch.randn(500, 16, generator=gen)
    t = torch.randint(0, 500, (64,), generator=gen)
    reference = F.cross_entropy(F.linear(x, w), t)
    # options=None is documented as the reference path: the same operators, the same value.
    assert F.linear_cross_entropy(x, w, t).item() == reference.item()
    chunked = F.linear_cross_entropy(x, w, t, options=torch.nn.LinearCrossEntropyOptions())
    torch.testing.assert_close(chunked, reference, rtol=1e-5, atol=0)
