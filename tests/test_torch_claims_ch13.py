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


def test_bfloat16_loss_error_is_in_the_nll_loss_reduction():
    # The second block of the chapter: the per-token bf16 losses average to the float32 loss,
    # `.mean()` rounds once, and the CPU nll_loss sum is off by more than one rounding.
    torch.manual_seed(0)
    logits = 2.5 * torch.randn(2048, 32000)
    target = torch.randint(0, 32000, (2048,))
    logits[torch.arange(2048), target] += 10.0
    low = logits.to(torch.bfloat16)
    lp = F.log_softmax(low, dim=1)
    per_token = -lp[torch.arange(2048), target]
    assert f"{per_token.float().mean().item():.4f}" == "3.6661"
    assert f"{per_token.mean().item():.4f}" == "3.6719"
    total = F.nll_loss(lp, target, reduction="sum")
    exact = per_token.double().sum().item()
    assert total.dtype == torch.bfloat16
    assert f"{total.item():.1f}" == "7488.0" and f"{exact:.1f}" == "7508.1"
    nearest = torch.tensor(exact).to(torch.bfloat16).item()
    assert nearest == 7520.0
    assert f"{7488 / 2048:.4f}" == "3.6562"


def test_autocast_float32_list_is_per_op_on_cpu():
    low = torch.randn(4, 10).to(torch.bfloat16)
    target = torch.tensor([0, 1, 2, 3])
    with torch.autocast("cpu", dtype=torch.bfloat16):
        assert F.cross_entropy(low, target).dtype == torch.float32
        assert F.log_softmax(low, dim=1).dtype == torch.bfloat16
        assert torch.logsumexp(low, dim=1).dtype == torch.bfloat16


def test_bfloat16_reductions_accumulate_in_float32():
    ones = torch.ones(5000, dtype=torch.bfloat16)
    assert ones.sum().item() == 4992.0
    assert ones.cumsum(0)[-1].item() == 4992.0
    assert torch.tensor(5000.0).to(torch.bfloat16).item() == 4992.0  # 5000 correctly rounded


def test_no_custom_reduce_op_and_fsdp2_output_dtype():
    import inspect

    dist = pytest.importorskip("torch.distributed")
    ops = {name for name in dir(dist.ReduceOp) if name.isupper()}
    assert ops == {"SUM", "PRODUCT", "MIN", "MAX", "AVG", "PREMUL_SUM", "BAND", "BOR", "BXOR"}
    from torch.distributed.fsdp import MixedPrecisionPolicy

    assert "output_dtype" in inspect.signature(MixedPrecisionPolicy).parameters


def test_linear_cross_entropy_options_accumulation_policies():
    import typing

    options = torch.nn.LinearCrossEntropyOptions
    params = {f.name for f in __import__("dataclasses").fields(options)}
    assert {"acc_policy", "acc_dtype"} <= params
    hints = typing.get_type_hints(options)
    assert set(typing.get_args(hints["acc_policy"])) == {"accurate", "balanced", "compact", "auto"}
