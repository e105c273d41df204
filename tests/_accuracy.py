"""Accuracy assertions that can fail, and the mpmath references they compare against.

``pytest.approx(x, rel=r)`` adds an absolute tolerance of 1e-12, so it accepts 0.0 for a true
value of 1e-18: exactly the failure this package exists to avoid. The helpers here measure the
relative error ``|computed - exact| / |exact|`` with no absolute floor, in mpmath, against
references evaluated at ``REFERENCE_DPS`` significant digits inside ``mpmath.workdps`` (never by
setting the global ``mpmath.mp.dps``, which would leak into every later test).

An exact value of 0 demands a computed 0; an infinite one demands the same infinity.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import mpmath
import numpy as np

# 50 digits: far beyond float64's 16, so the reference's own rounding is invisible.
REFERENCE_DPS = 50


def mp(x: Any) -> mpmath.mpf:
    """The exact value of a float (every binary64 number is an mpf), as an mpf."""
    return mpmath.mpf(float(x))


def exact(func: Callable[..., Any], *args: Any, dps: int = REFERENCE_DPS) -> Any:
    """``func(*args)`` evaluated at ``dps`` digits; the result keeps that precision.

    Float arguments are converted to mpf exactly first, so the reference is the exact function of
    the already rounded inputs and the only error measured is the implementation's.
    """
    with mpmath.workdps(dps):
        return func(*(mp(a) if isinstance(a, (float, np.floating)) else a for a in args))


def relative_error(computed: Any, expected: Any) -> float:
    """``|computed - expected| / |expected|`` in mpmath, with no absolute floor.

    0 when both are 0 (or the same infinity); ``inf`` when exactly one is 0 or infinite.
    """
    c = float(computed)
    with mpmath.workdps(REFERENCE_DPS):
        e = expected if isinstance(expected, mpmath.mpf) else mpmath.mpf(expected)
        if mpmath.isinf(e) or np.isinf(c) or np.isnan(c) or mpmath.isnan(e):
            return 0.0 if (np.isinf(c) and mpmath.isinf(e) and (c > 0) == (e > 0)) else np.inf
        if e == 0:
            return 0.0 if c == 0 else np.inf
        return float(abs(mpmath.mpf(c) - e) / abs(e))


def relative_error_floored(computed: Any, expected: Any, tiny: float) -> float:
    """``|computed - expected| / max(|expected|, tiny)`` in mpmath: results below the dtype's
    smallest normal number ``tiny`` cannot carry full relative accuracy, so there the bound
    becomes an absolute one of ``tiny`` times the relative tolerance."""
    with mpmath.workdps(REFERENCE_DPS):
        diff = abs(mpmath.mpf(float(computed)) - mpmath.mpf(expected))
        return float(diff / max(abs(mpmath.mpf(expected)), mpmath.mpf(tiny)))


def assert_relative(computed: Any, expected: Any, rtol: float, what: str = "") -> None:
    """Every entry of ``computed`` has relative error at most ``rtol`` against ``expected``.

    ``expected`` may be a number, an mpf, or an array or nested list of either, of the same shape
    as ``computed``. The message names the worst entry.
    """
    got = np.asarray(computed, dtype=np.float64)
    want = np.empty(got.shape, dtype=object)
    flat = np.asarray(expected, dtype=object)
    if flat.shape != got.shape:
        raise AssertionError(f"{what} shape {got.shape} differs from expected {flat.shape}")
    want[...] = flat
    worst, where = -1.0, None
    for idx in np.ndindex(got.shape):
        err = relative_error(got[idx], want[idx])
        if err > worst:
            worst, where = err, idx
    if worst > rtol:
        raise AssertionError(
            f"{what} relative error {worst:.3g} > {rtol:.3g} at index {where}: "
            f"computed {float(got[where])!r}, exact {mpmath.nstr(mpmath.mpf(want[where]), 20)}"
        )


def assert_ulp(computed: Any, expected: Any, ulps: float, what: str = "") -> None:
    """Relative error at most ``ulps`` units of the computed dtype's machine epsilon."""
    dtype = np.asarray(computed).dtype
    eps = float(np.finfo(dtype if dtype.kind == "f" else np.float64).eps)
    assert_relative(computed, expected, ulps * eps, what)


def mp_cross_entropy_row(row: Any, target: int) -> tuple[mpmath.mpf, list[mpmath.mpf]]:
    """Loss ``-log softmax(row)[target]`` and its gradient ``softmax(row) - onehot`` at
    ``REFERENCE_DPS`` digits.

    Even 50 digits cannot hold 1 + e^-600, so, as a hand derivation would, the largest term is
    kept apart: loss = (max - x_t) + log1p(rest), and p_t - 1 = -rest / (1 + rest) when the target
    is the maximum.
    """
    with mpmath.workdps(REFERENCE_DPS):
        xs = [mp(v) for v in row]
        k = max(range(len(xs)), key=lambda j: xs[j])
        exps = [mpmath.exp(v - xs[k]) for v in xs]
        rest = mpmath.fsum(e for j, e in enumerate(exps) if j != k)
        loss = (xs[k] - xs[target]) + mpmath.log1p(rest)
        grad = [e / (1 + rest) for e in exps]
        grad[target] = -rest / (1 + rest) if target == k else grad[target] - 1
        return +loss, [+g for g in grad]
