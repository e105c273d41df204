"""Chapter 2's statements about entropy from logits in PyTorch, on the installed torch (2.13.0).

Each test runs the static code block of section "The entropy of a prediction, from logits" and
asserts the numbers printed there. The exact entropy at z = (30, 0, -30) comes from mpmath.
"""

import math

import pytest

torch = pytest.importorskip("torch")
mpmath = pytest.importorskip("mpmath")
Categorical = torch.distributions.Categorical


def _exact_entropy(z):
    with mpmath.workdps(50):
        lse = mpmath.log(mpmath.fsum(mpmath.exp(v) for v in z))
        return float(mpmath.fsum(mpmath.exp(v - lse) * (lse - v) for v in z))


@pytest.mark.torch
def test_naive_entropy_and_its_gradient_are_nan_after_underflow():
    z = torch.tensor([200.0, 0.0, -200.0], requires_grad=True)
    p = z.softmax(-1)
    assert p[2].item() == 0.0  # e^-400 underflows in float32
    naive = -(p * p.log()).sum()
    naive.backward()
    assert math.isnan(naive.item())
    assert all(math.isnan(g) for g in z.grad.tolist())


@pytest.mark.torch
def test_categorical_entropy_is_finite_but_term_by_term():
    assert Categorical(logits=torch.tensor([200.0, 0.0, -200.0])).entropy().item() == 0.0
    masked = Categorical(logits=torch.tensor([0.0, 0.0, -math.inf])).entropy().item()
    assert masked == pytest.approx(math.log(2), rel=1e-7)
    got = Categorical(logits=torch.tensor([30.0, 0.0, -30.0])).entropy().item()
    assert got == 2.807286954981114e-12
    exact = _exact_entropy([30, 0, -30])
    assert f"{exact:.4g}" == "2.901e-12"
    assert 0.03 < (exact - got) / exact < 0.04  # "3 % low"


@pytest.mark.torch
def test_entr_and_xlogy_gradients_at_zero():
    x = torch.tensor([0.0, 0.5], requires_grad=True)
    torch.special.entr(x).sum().backward()
    assert x.grad.tolist() == [math.inf, -0.3068528175354004]  # -(log 0.5 + 1) in float32
    y = torch.tensor([0.0, 0.5], requires_grad=True)
    torch.xlogy(y, y).sum().backward()
    g = y.grad.tolist()
    assert math.isnan(g[0]) and g[1] == 0.3068528175354004
    assert g[1] == pytest.approx(math.log(0.5) + 1, rel=1e-7)


@pytest.mark.torch
def test_categorical_entropy_in_bfloat16_loses_the_top_class_term():
    z = torch.tensor([[4.0, 0.0, -4.0], [6.0, 0.0, -6.0], [8.0, 0.0, -8.0]])
    # lse(4, 0, -4) = 4.0185 would round to 4.03125 on bfloat16's grid (spacing 2^-5 near
    # 4); PyTorch returns exactly 4 because the sum 1 + e^-4 + e^-8 = 1.0187, rounded to
    # bfloat16, is 1.015625, and log(1.015625) = 0.0155 is below half a spacing at 4.
    assert torch.tensor(4.0185).bfloat16().item() == 4.03125
    shifted = z[0].bfloat16() - 4.0
    assert torch.exp(shifted.float()).sum().item() == pytest.approx(1.0187, abs=5e-5)
    assert torch.exp(shifted).sum().item() == 1.015625
    assert math.log(1.015625) == pytest.approx(0.0155, abs=5e-5) and math.log(1.015625) < 2**-6
    assert torch.logsumexp(z[0].bfloat16(), -1).item() == 4.0
    low = Categorical(logits=z.bfloat16()).entropy()
    assert low.dtype == torch.bfloat16
    assert low.tolist() == [0.07421875, 0.014892578125, 0.002685546875]
    assert str(low) == "tensor([0.0742, 0.0149, 0.0027], dtype=torch.bfloat16)"
    full = Categorical(logits=z).entropy()
    assert str(full) == "tensor([0.0930, 0.0174, 0.0030])"
    exact = [_exact_entropy([a, 0, -a]) for a in (4, 6, 8)]
    assert [f"{v:.3g}" for v in exact] == ["0.093", "0.0174", "0.00302"]
    shortfall = [round(100 * (e - v) / e) for e, v in zip(exact, low.tolist(), strict=True)]
    assert shortfall == [20, 14, 11]  # "20 %, 14 % and 11 % low"
    for got, e in zip(full.tolist(), exact, strict=True):
        assert got == pytest.approx(e, rel=1e-4)  # float32 restores them (to 4 digits)
