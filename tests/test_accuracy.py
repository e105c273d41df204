"""Accuracy of the per-example loss and its gradient against an mpmath reference.

Requirement: every per-example loss has relative error at most 4 * kappa * eps and every gradient
entry at most 8 * kappa * eps, with eps the machine epsilon of the input dtype and kappa the
componentwise condition number:

* loss:          kappa = sum_j |dL/dx_j| * |x_j| / |L| + 1
* gradient entry: kappa = 2 * max_j |x_j| + 1

Reference values come from mpmath at 60 significant digits, evaluated on the exact binary values
of the (already rounded) float inputs, so the only error measured is the implementation's.
Results that fall below the dtype's smallest normal number cannot carry full relative accuracy;
there the comparison allows an absolute error of ``finfo.tiny`` on top of the relative bound.
"""

from __future__ import annotations

import mpmath
import numpy as np
import pytest
from _accuracy import relative_error_floored

from xentbook import cross_entropy, cross_entropy_with_grad

DTYPES = [np.float32, np.float64]


def adversarial_rows(dtype: type[np.floating], rng: np.random.Generator):
    """(logits, target) pairs from the families the requirement names, in ``dtype``."""
    cases = []
    # Scales 1 to 1e4: wide logits, the loss is large and its condition number moderate.
    for scale in (1.0, 10.0, 100.0, 1e3, 1e4):
        for classes in (2, 7, 50):
            x = rng.normal(size=classes) * scale
            cases.append((x, int(rng.integers(classes))))
    # Confident predictions, right and wrong: margins up to where the loss underflows.
    margins = (5.0, 20.0, 40.0, 80.0) if dtype == np.float32 else (20.0, 40.0, 100.0, 600.0, 700.0)
    for margin in margins:
        for classes in (2, 4, 50):
            x = rng.normal(size=classes) * 0.5
            winner = int(rng.integers(classes))
            x[winner] += margin
            cases.append((x, winner))  # right: loss ~ (C-1) e^{-margin}
            cases.append((x, (winner + 1) % classes))  # wrong: loss ~ margin
    # The exact confident cases the issue names.
    cases.append((np.array([40.0, 0.0, 0.0, 0.0, 0.0]), 0))
    cases.append((np.array([600.0, 0.0, 0.0, 0.0]), 0))
    # Large offsets: a shift that torch-style code must subtract exactly.
    for offset in (1e3, 1e4, -1e4):
        for classes in (3, 50):
            x = offset + rng.normal(size=classes)
            cases.append((x, int(rng.integers(classes))))
    # Near-uniform rows: the loss is close to log C and the gradient close to 1/C - y.
    for spread in (1e-3, 1e-6, 0.0):
        for classes in (2, 10, 50):
            x = 3.0 + rng.normal(size=classes) * spread
            cases.append((x, int(rng.integers(classes))))
    # Ties for the maximum, the target among them or not.
    cases.append((np.array([5.0, 5.0, 0.0, -1.0]), 0))
    cases.append((np.array([5.0, 5.0, 0.0, -1.0]), 1))
    cases.append((np.array([5.0, 5.0, 0.0, -1.0]), 3))
    return [
        (np.asarray(x, dtype=dtype), t)
        for x, t in cases
        if dtype == np.float64 or np.all(np.abs(x) < 1e30)
    ]


def reference(x: np.ndarray, target: int):
    """Loss, gradient and both condition numbers in 60-digit arithmetic.

    Even 60 digits cannot hold 1 + e^{-600}, so the reference separates the largest term exactly
    as a hand derivation would: loss = (max - x_t) + log1p(rest), and at the target
    p_t - 1 = -rest / (1 + rest) when the target is the maximum.
    """
    with mpmath.workdps(60):
        xs = [mpmath.mpf(float(v)) for v in x]  # exact: every double is an mpf
        k = max(range(len(xs)), key=lambda j: xs[j])
        top = xs[k]
        exps = [mpmath.exp(v - top) for v in xs]
        rest = mpmath.fsum(e for j, e in enumerate(exps) if j != k)
        total = 1 + rest
        loss = (top - xs[target]) + mpmath.log1p(rest)
        grad = [e / total for e in exps]
        grad[target] = -rest / total if target == k else grad[target] - 1
        kappa_loss = (
            mpmath.fsum(abs(g) * abs(v) for g, v in zip(grad, xs, strict=True)) / abs(loss) + 1
        )
    kappa_grad = 2 * float(np.max(np.abs(x.astype(np.float64)))) + 1
    return loss, grad, float(kappa_loss), kappa_grad


@pytest.mark.parametrize("dtype", DTYPES, ids=lambda d: np.dtype(d).name)
class TestAccuracyAgainstMpmath:
    def test_loss_within_four_kappa_eps(self, dtype):
        rng = np.random.default_rng(20240214)
        finfo = np.finfo(dtype)
        worst = 0.0
        for x, target in adversarial_rows(dtype, rng):
            loss = cross_entropy(x, target)
            assert loss.dtype == dtype
            exact, _, kappa, _ = reference(x, target)
            err = relative_error_floored(loss, exact, float(finfo.tiny))
            bound = 4 * kappa * float(finfo.eps)
            worst = max(worst, err / bound)
            assert err <= bound, (x, target, float(loss), float(exact), err, bound)
        assert worst > 0  # the comparison measured something

    def test_gradient_within_eight_kappa_eps(self, dtype):
        rng = np.random.default_rng(19480701)
        finfo = np.finfo(dtype)
        for x, target in adversarial_rows(dtype, rng):
            _, grad = cross_entropy_with_grad(x, target, reduction="sum")
            assert grad.dtype == dtype
            _, exact, _, kappa = reference(x, target)
            bound = 8 * kappa * float(finfo.eps)
            for j, (g, r) in enumerate(zip(grad, exact, strict=True)):
                err = relative_error_floored(g, r, float(finfo.tiny))
                assert err <= bound, (x, target, j, float(g), float(r), err, bound)

    def test_confident_prediction_keeps_its_tiny_loss(self, dtype):
        # torch and scipy return exactly 0 here (relative error 1); the true loss is
        # log(1 + (C - 1) e^{-margin}), derived by hand and evaluated with mpmath.
        margin = 40.0 if dtype == np.float32 else 600.0
        x = np.array([margin, 0.0, 0.0, 0.0], dtype=dtype)
        with mpmath.workdps(50):
            exact = mpmath.log1p(3 * mpmath.exp(-margin))
        loss = cross_entropy(x, 0)
        assert loss > 0
        assert (
            relative_error_floored(loss, exact, float(np.finfo(dtype).tiny))
            <= 4 * np.finfo(dtype).eps
        )


def test_naive_formula_fails_where_xentbook_does_not():
    """Regression guard for the motivation: logsumexp(z) - z_t rounds the loss to zero."""
    x = np.array([40.0, 0.0, 0.0, 0.0, 0.0], dtype=np.float32)
    top = x.max()
    naive = top + np.log(np.sum(np.exp(x - top))) - x[0]
    assert naive == 0.0
    assert cross_entropy(x, 0) > 0
