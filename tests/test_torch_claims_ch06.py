"""Chapter 6's claims about PyTorch (section "Where xentbook departs from PyTorch" and others).

Each value the chapter states for PyTorch 2.13.0 (CPU) is recomputed here on the installed torch,
to six decimals (or exactly, for 0.0 and nan), together with the xentbook side of each departure.
The static PyTorch block of that section is run as printed, and its output compared with the
output the chapter shows. The label-smoothing and unnormalized-target rows are not printed in
chapter 6: they pin the definitions that chapter 10 uses.
"""

import contextlib
import io
import json
import math
from pathlib import Path

import numpy as np
import pytest

from xentbook import cross_entropy

torch = pytest.importorskip("torch", reason="PyTorch is not installed (pip install torch==2.13.0)")
F = torch.nn.functional

pytestmark = pytest.mark.torch

Z = [[2.0, 1.0, 0.1], [0.1, 2.0, 1.9]]
W = [0.5, 2.0, 1.0]


def zt():
    return torch.tensor(Z, dtype=torch.float64)


def idx(values):
    return torch.tensor(values)


def wt():
    return torch.tensor(W, dtype=torch.float64)


# The worked batch (chapter 6, section "A worked batch") in PyTorch, case by case, with the
# xentbook values printed there to six decimals; the last two rows are chapter 10's definitions.
SIX_DECIMALS = [
    ("indices, mean", lambda: F.cross_entropy(zt(), idx([1, 0])), "2.018508"),
    ("indices, sum", lambda: F.cross_entropy(zt(), idx([1, 0]), reduction="sum"), "4.037017"),
    ("indices, weighted mean", lambda: F.cross_entropy(zt(), idx([1, 0]), weight=wt()), "1.657621"),
    (
        "one-hot rows, weighted mean",
        lambda: F.cross_entropy(zt(), F.one_hot(idx([1, 0]), 3).double(), weight=wt()),
        "2.072027",
    ),
    ("second item ignored", lambda: F.cross_entropy(zt(), idx([1, -100])), "1.417030"),
    (
        "label smoothing 0.1",
        lambda: F.cross_entropy(zt(), idx([1, 0]), label_smoothing=0.1),
        "1.955175",
    ),
    (
        "rows not summing to one",
        lambda: F.cross_entropy(
            zt(), torch.tensor([[0, 1.0, 0], [1.0, 1.0, 0]], dtype=torch.float64)
        ),
        "2.378502",
    ),
]


def test_version():
    assert torch.__version__.startswith("2.13."), "the chapter quotes PyTorch 2.13"


@pytest.mark.parametrize(
    ("case", "compute", "shown"), SIX_DECIMALS, ids=[c[0] for c in SIX_DECIMALS]
)
def test_six_decimal_rows(case, compute, shown):
    assert f"{compute().item():.6f}" == shown


# The static block of section "Where xentbook departs from PyTorch", and its printed output.
WORKED_BATCH_BLOCK = """
import torch
import torch.nn.functional as F

Z = torch.tensor([[2.0, 1.0, 0.1], [0.1, 2.0, 1.9]], dtype=torch.float64)
y = torch.tensor([1, 0])
w = torch.tensor([0.5, 2.0, 1.0], dtype=torch.float64)
print(F.cross_entropy(Z, y, reduction="none"))
print(F.cross_entropy(Z, y, weight=w))  # divided by D = 2.5
print(F.cross_entropy(Z, F.one_hot(y, 3).double(), weight=w))  # divided by N = 2
print(F.cross_entropy(Z, torch.tensor([1, -100])))  # second item ignored
"""
WORKED_BATCH_OUTPUT = """\
tensor([1.4170, 2.6200], dtype=torch.float64)
tensor(1.6576, dtype=torch.float64)
tensor(2.0720, dtype=torch.float64)
tensor(1.4170, dtype=torch.float64)
"""


def test_worked_batch_block_is_the_one_in_the_chapter():
    notebook = Path(__file__).resolve().parents[1] / "book" / "06_cross_entropy_loss.ipynb"
    cells = json.loads(notebook.read_text(encoding="utf-8"))["cells"]
    text = "".join("".join(c["source"]) for c in cells if c["cell_type"] == "markdown")
    assert f"```python{WORKED_BATCH_BLOCK}```" in text
    assert f"```text\n{WORKED_BATCH_OUTPUT}```" in text


def test_worked_batch_block_prints_what_the_chapter_shows():
    out = io.StringIO()
    with contextlib.redirect_stdout(out):
        exec(WORKED_BATCH_BLOCK, {})  # the chapter's own code, run as printed
    assert out.getvalue() == WORKED_BATCH_OUTPUT
    # the same numbers from xentbook, at the precision the chapter prints them
    y = np.array([1, 0])
    assert np.array2string(cross_entropy(Z, y, reduction="none"), precision=4) == "[1.417 2.62 ]"
    shown = [
        cross_entropy(Z, y, weight=W),
        cross_entropy(Z, np.eye(3)[y], weight=W),
        cross_entropy(Z, np.array([1, -100])),
    ]
    assert [f"{v:.4f}" for v in shown] == ["1.6576", "2.0720", "1.4170"]


def test_every_item_ignored_is_nan_without_warning(recwarn):
    assert math.isnan(F.cross_entropy(zt(), idx([-100, -100])).item())
    assert len(recwarn) == 0


def test_confident_right_answer_rounds_to_zero_in_torch_but_not_in_xentbook():
    z32 = torch.tensor([[40.0, 0.0, 0.0, 0.0]])
    assert F.cross_entropy(z32, idx([0])).item() == 0.0
    assert F.cross_entropy(z32.double(), idx([0])).item() == 0.0
    # log1p(3 e^-40) at 30 digits (mpmath): 1.27450627658747...e-17; float32 keeps 7 digits.
    ours = cross_entropy(np.float32([[40, 0, 0, 0]]), [0])
    assert ours.dtype == np.float32
    np.testing.assert_allclose(ours, 1.2745062765874766e-17, rtol=2**-23)


def test_small_float32_loss_keeps_an_absolute_error_in_torch_only():
    # Section "Where xentbook departs": logits (0, -15, -15, -15), class 0. The exact loss is
    # log1p(3 e^-15) = 9.17706540412701...e-7 (mpmath, 30 digits); torch's float32 value is
    # printed as 1.073e-6, 17 percent too large; xentbook keeps float32's relative accuracy.
    exact = 9.177065404127014e-7
    theirs = F.cross_entropy(torch.tensor([[0.0, -15.0, -15.0, -15.0]]), idx([0])).item()
    assert f"{theirs:.3e}" == "1.073e-06"
    assert f"{theirs / exact - 1:.2f}" == "0.17"
    ours = cross_entropy(np.float32([[0, -15, -15, -15]]), [0])
    assert ours.dtype == np.float32
    np.testing.assert_allclose(ours, exact, rtol=2**-23)
    assert f"{exact:.3e}" == "9.177e-07"


def test_kl_div_batchmean_is_the_loss_minus_the_target_entropy_with_its_gradient():
    # Section "Soft targets": kl_div(log_softmax(z), y, reduction="batchmean") is the mean
    # cross-entropy minus the mean entropy of the targets, and has the same gradient in z.
    z = torch.tensor(Z, dtype=torch.float64, requires_grad=True)
    y = torch.tensor([[0.2, 0.8, 0.0], [0.5, 0.25, 0.25]], dtype=torch.float64)
    ce = F.cross_entropy(z, y)
    kl = F.kl_div(F.log_softmax(z, 1), y, reduction="batchmean")
    entropy = -torch.xlogy(y, y).sum(1).mean()
    assert kl.item() == pytest.approx(ce.item() - entropy.item(), rel=1e-14)
    (g_ce,) = torch.autograd.grad(ce, z)
    (g_kl,) = torch.autograd.grad(kl, z)
    torch.testing.assert_close(g_kl, g_ce, rtol=1e-14, atol=1e-16)


def test_infinite_logit_is_nan_in_torch():
    assert math.isnan(F.cross_entropy(torch.tensor([[math.inf, 0.0, 0.0]]), idx([0])).item())
    with pytest.raises(ValueError, match=r"\+inf"):
        cross_entropy(np.array([[np.inf, 0.0, 0.0]]), [0])


def test_minus_inf_logit_masks_a_class_in_both():
    # The chapter: logits (0, -inf, 0) and class 0 give log 2 in both libraries; +inf for the
    # masked class. Reference: log 2, by hand (two equal remaining logits).
    masked = torch.tensor([[0.0, -math.inf, 0.0]], dtype=torch.float64)
    assert F.cross_entropy(masked, idx([0])).item() == pytest.approx(math.log(2), rel=1e-15)
    assert F.cross_entropy(masked, idx([1])).item() == math.inf
    assert cross_entropy(masked.numpy(), [0]) == pytest.approx(math.log(2), rel=1e-15)
    assert cross_entropy(masked.numpy(), [1]) == np.inf


def test_minus_inf_logit_with_probability_target_is_nan_in_torch_only():
    # The chapter: a probability target with no mass on a -inf class is nan in torch
    # (0 * -inf), the loss of the other classes (log 2) in xentbook.
    masked = torch.tensor([[0.0, -math.inf, 0.0]], dtype=torch.float64)
    target = torch.tensor([[1.0, 0.0, 0.0]], dtype=torch.float64)
    assert math.isnan(F.cross_entropy(masked, target).item())
    ours = cross_entropy(masked.numpy(), target.numpy())
    assert ours == pytest.approx(math.log(2), rel=1e-15)


def test_nan_logit_and_all_minus_inf_row_are_nan_in_torch_and_raise_in_xentbook():
    for row in ([0.0, math.nan, 0.0], [-math.inf, -math.inf, -math.inf]):
        assert math.isnan(F.cross_entropy(torch.tensor([row]), idx([0])).item())
        with pytest.raises(ValueError, match=r"nan|-inf for every class"):
            cross_entropy(np.array([row]), [0])


def test_ignore_index_with_probability_targets_refused_only_when_non_negative_in_torch():
    # The chapter: with probability targets PyTorch raises for ignore_index >= 0 and silently
    # accepts a negative value, which then has no effect; xentbook refuses every value but the
    # default -100.
    onehot = F.one_hot(idx([1, 0]), 3).double()
    for ignore_index in (0, 1):
        with pytest.raises(RuntimeError, match="ignore_index is not supported"):
            F.cross_entropy(zt(), onehot, ignore_index=ignore_index)
    for ignore_index in (-1, -5):
        loss = F.cross_entropy(zt(), onehot, ignore_index=ignore_index)
        assert f"{loss.item():.6f}" == "2.018508"
        assert loss.item() == F.cross_entropy(zt(), onehot).item()
    for ignore_index in (1, -5):
        with pytest.raises(ValueError, match="ignore_index"):
            cross_entropy(np.array(Z), onehot.numpy(), ignore_index=ignore_index)
    assert f"{cross_entropy(np.array(Z), onehot.numpy(), ignore_index=-100):.6f}" == "2.018508"


def test_probability_targets_with_extra_axes_divide_by_every_position():
    # The chapter: with (N, C, d1, ...) probability targets, D = N d1 ... (here 2 * 4 * 5 = 40).
    gen = torch.Generator().manual_seed(606)
    logits = torch.randn(2, 3, 4, 5, generator=gen, dtype=torch.float64)
    target = torch.softmax(torch.randn(2, 3, 4, 5, generator=gen, dtype=torch.float64), dim=1)
    by_hand = -(target * torch.log_softmax(logits, dim=1)).sum() / 40
    torch.testing.assert_close(F.cross_entropy(logits, target), by_hand, rtol=1e-15, atol=0)


def test_reduction_none_drops_the_class_axis_for_probability_targets():
    # The chapter: reduction="none" returns the input's shape without axis 1, for either target.
    gen = torch.Generator().manual_seed(607)
    logits = torch.randn(2, 3, 4, 5, generator=gen, dtype=torch.float64)
    soft = torch.softmax(torch.randn(2, 3, 4, 5, generator=gen, dtype=torch.float64), dim=1)
    index = torch.randint(0, 3, (2, 4, 5), generator=gen)
    assert F.cross_entropy(logits, soft, reduction="none").shape == (2, 4, 5)
    assert F.cross_entropy(logits, index, reduction="none").shape == (2, 4, 5)
    assert cross_entropy(logits.numpy(), soft.numpy(), reduction="none").shape == (2, 4, 5)


def test_classes_last_with_probability_targets_is_accepted_and_wrong():
    # Section "Beyond a plain batch": (N, L, C) logits with probability targets of the same shape
    # pass the shape check for every L; the softmax then runs over L. Reference: the same tensors
    # transposed to (N, C, L), and index targets of shape (N, L), which raise.
    gen = torch.Generator().manual_seed(606)
    for length in (2, 5, 7):
        logits = torch.randn(2, length, 3, generator=gen, dtype=torch.float64)
        target = torch.softmax(torch.randn(2, length, 3, generator=gen, dtype=torch.float64), -1)
        wrong = F.cross_entropy(logits, target)
        right = F.cross_entropy(logits.transpose(1, 2), target.transpose(1, 2))
        assert math.isfinite(wrong.item()) and abs(wrong.item() - right.item()) > 1e-3
        with pytest.raises(RuntimeError, match="Expected target size"):
            F.cross_entropy(logits, torch.randint(0, 3, (2, length), generator=gen))


def test_nll_loss_takes_class_indices_only():
    # Section "Logits in": log_softmax + nll_loss equals cross_entropy for class indices, and
    # nll_loss rejects probability targets.
    z = torch.tensor(Z, dtype=torch.float64)
    assert F.nll_loss(F.log_softmax(z, 1), idx([1, 0])).item() == pytest.approx(
        F.cross_entropy(z, idx([1, 0])).item(), rel=1e-15
    )
    with pytest.raises(RuntimeError, match="multi-target not supported"):
        F.nll_loss(F.log_softmax(z, 1), torch.softmax(z, 1))


def test_negative_target_raises():
    # Exercise 3: a target of -1 is an IndexError in PyTorch (the hand-written version wraps).
    with pytest.raises(IndexError):
        F.cross_entropy(zt(), idx([1, -1]))


def test_kl_div_batchmean_divides_by_the_first_axis_only():
    # Section "Soft targets": for (N, C, H, W) inputs, batchmean divides by N, so it is H W times
    # the per-pixel mean of cross-entropy minus target entropy. Reference: the sums by hand.
    gen = torch.Generator().manual_seed(608)
    logits = torch.randn(2, 3, 4, 5, generator=gen, dtype=torch.float64)
    target = torch.softmax(torch.randn(2, 3, 4, 5, generator=gen, dtype=torch.float64), dim=1)
    kl = F.kl_div(F.log_softmax(logits, 1), target, reduction="batchmean")
    per_pixel = F.cross_entropy(logits, target) - (-torch.xlogy(target, target).sum(1).mean())
    torch.testing.assert_close(kl, 4 * 5 * per_pixel, rtol=1e-13, atol=0)


def test_flattening_classes_last_gives_the_same_mean_and_sum():
    # Section "Beyond a plain batch": (N, L, C) logits transposed to (N, C, L), or flattened to
    # (N L, C) with targets (N L,), give the same mean and sum.
    gen = torch.Generator().manual_seed(609)
    logits = torch.randn(2, 7, 3, generator=gen, dtype=torch.float64)
    target = torch.randint(0, 3, (2, 7), generator=gen)
    for reduction in ("mean", "sum"):
        transposed = F.cross_entropy(logits.transpose(1, 2), target, reduction=reduction)
        flat = F.cross_entropy(logits.reshape(-1, 3), target.reshape(-1), reduction=reduction)
        torch.testing.assert_close(transposed, flat, rtol=1e-15, atol=0)


def test_no_per_item_weight_and_the_weighted_average_by_hand():
    # Section "A worked batch": no per-item weight argument; item weights (1, 0.25), in
    # proportion to the class weights w_1 = 2, w_0 = 0.5 of the two items, give the
    # class-weighted mean 1.6576 (printed by the chapter with xentbook).
    import inspect

    params = set(inspect.signature(F.cross_entropy).parameters)
    assert params == {
        "input", "target", "weight", "size_average", "ignore_index", "reduce", "reduction",
        "label_smoothing",
    }  # fmt: skip
    item_w = torch.tensor([1.0, 0.25], dtype=torch.float64)
    losses = F.cross_entropy(zt(), idx([1, 0]), reduction="none")
    by_hand = (item_w * losses).sum() / item_w.sum()
    torch.testing.assert_close(by_hand, F.cross_entropy(zt(), idx([1, 0]), weight=wt()))
    assert f"{by_hand.item():.4f}" == "1.6576"


def test_autocast_computes_the_loss_in_float32_and_bfloat16_stays_bfloat16_outside():
    # Section "Where xentbook departs from PyTorch": under autocast (CPU, bfloat16) the loss of
    # float16 or bfloat16 logits is float32, float64 logits stay float64; outside, bfloat16
    # logits give a bfloat16 loss.
    gen = torch.Generator().manual_seed(610)
    logits = torch.randn(4, 10, generator=gen).bfloat16()
    target = torch.randint(0, 10, (4,), generator=gen)
    with torch.autocast("cpu", dtype=torch.bfloat16):
        assert F.cross_entropy(logits, target).dtype == torch.float32
        assert F.cross_entropy(logits.half(), target).dtype == torch.float32
        assert F.cross_entropy(logits.double(), target).dtype == torch.float64
    assert F.cross_entropy(logits, target).dtype == torch.bfloat16
    assert torch.finfo(torch.bfloat16).eps / 2 == 2.0**-8


def test_class_index_targets_must_be_int64_or_uint8_in_torch():
    # Section "Class indices or probabilities": float and int32 class indices raise in PyTorch,
    # int64 and uint8 pass; `.long()` fixes both; xentbook takes any integer dtype.
    logits = torch.zeros(2, 4, dtype=torch.float64)
    for dtype, name in ((torch.float64, "Double"), (torch.float32, "Float"), (torch.int32, "Int")):
        target = torch.tensor([3, 0]).to(dtype)
        with pytest.raises(
            RuntimeError, match=f"expected target dtype to be Long or Byte, but got {name}"
        ):
            F.cross_entropy(logits, target)
        assert F.cross_entropy(logits, target.long()).item() == pytest.approx(math.log(4))
    assert F.cross_entropy(logits, torch.tensor([3, 0], dtype=torch.uint8)).item() == (
        pytest.approx(math.log(4))
    )
    for dtype in (np.int32, np.uint8):
        assert cross_entropy(np.zeros((2, 4)), np.array([3, 0], dtype=dtype)) == pytest.approx(
            math.log(4)
        )


def test_agreement_within_a_few_roundoffs_relative_to_the_larger_of_loss_and_one():
    # Section "Where xentbook departs": on finite logits the two libraries agree to a few units
    # of roundoff relative to max(loss, 1) (here at most 8 u, on 10-class rows of logit scale 1
    # to 30, losses up to about 170 nats), and the absolute difference reaches 1e-14.
    rng = np.random.default_rng(611)
    largest_abs = 0.0
    for scale in (1.0, 3.0, 30.0):
        logits = rng.normal(scale=scale, size=(5000, 10))
        target = rng.integers(0, 10, size=5000)
        theirs = F.cross_entropy(
            torch.tensor(logits), torch.tensor(target), reduction="none"
        ).numpy()
        ours = cross_entropy(logits, target, reduction="none")
        diff = np.abs(theirs - ours)
        assert np.all(diff <= 8 * 2.0**-53 * np.maximum(ours, 1.0))
        largest_abs = max(largest_abs, float(diff.max()))
    assert 5e-15 < largest_abs < 3e-14


def _lse_minus_target_fsum(logits, target):
    # reference in float64 with an exactly rounded sum (math.fsum) of the shifted exponentials:
    # its error is a few float64 roundoffs, far below the float32 differences measured here
    rows = logits.astype(np.float64)
    return np.array(
        [
            math.log(math.fsum(np.exp(row - row.max()))) + row.max() - row[t]
            for row, t in zip(rows, target, strict=True)
        ]
    )


def test_agreement_in_float32_holds_to_ten_thousand_classes_and_drifts_beyond():
    # Section "Where xentbook departs": in float32 the few roundoffs hold up to about 10^4
    # classes; at C = 256 000 PyTorch's loss is some 10 to 30 float32 roundoffs off (relative to
    # max(loss, 1)); float64 stays within a few of its own roundoffs.
    rng = np.random.default_rng(606)
    worst = {}
    for num_classes in (10_000, 256_000):
        logits = rng.normal(scale=3.0, size=(32, num_classes))
        target = rng.integers(0, num_classes, size=32)
        for dtype, u in ((np.float32, 2.0**-24), (np.float64, 2.0**-53)):
            z = logits.astype(dtype)
            exact = _lse_minus_target_fsum(z, target)
            theirs = F.cross_entropy(
                torch.from_numpy(z), torch.from_numpy(target), reduction="none"
            ).numpy()
            scaled = np.abs(theirs.astype(np.float64) - exact) / np.maximum(exact, 1.0) / u
            worst[num_classes, dtype] = scaled.max()
    assert worst[10_000, np.float32] < 4
    assert 10 < worst[256_000, np.float32] < 30
    # float64: at most 3.5 u against mpmath on the worst rows; the fsum reference adds up to 2 u
    assert worst[10_000, np.float64] < 8 and worst[256_000, np.float64] < 8
