"""Figures of chapters 5 and 6: temperature, accuracy of confident losses, loss against p."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import matplotlib as mpl
import numpy as np
from matplotlib.axes import Axes
from numpy.typing import ArrayLike

from xentbook.cross_entropy import cross_entropy
from xentbook.plots._style import COLORS, new_axes
from xentbook.primitives import logsumexp, softmax
from xentbook.reference import reference_cross_entropy, relative_error

__all__ = ["plot_loss_vs_probability", "plot_relative_error", "plot_temperature"]


def plot_temperature(
    logits: ArrayLike,
    temperatures: Sequence[float] = (0.25, 0.5, 1.0, 2.0, 4.0),
    ax: Axes | None = None,
) -> Axes:
    """Grouped bars of ``softmax(logits / T)`` for each temperature ``T``.

    One group of bars per class, one bar per temperature (container ``i`` of ``ax.containers``
    holds the bars of ``temperatures[i]``), so that sharpening (``T < 1``) and flattening
    (``T > 1``) can be read class by class.

    Parameters
    ----------
    logits : array_like
        One vector of logits, shape ``(C,)``.
    temperatures : sequence of float
        Positive temperatures.
    ax : Axes, optional
        Where to draw; a new figure when omitted.

    Returns
    -------
    Axes

    Raises
    ------
    ValueError
        If ``logits`` is not one vector or a temperature is not positive.

    Examples
    --------
    >>> import matplotlib.pyplot as plt
    >>> from xentbook.plots import plot_temperature
    >>> ax = plot_temperature([2.0, 0.0], temperatures=(0.5, 2.0))
    >>> print([f"{bar.get_height():.4f}" for bar in ax.containers[0]])  # T = 0.5: sharper
    ['0.9820', '0.0180']
    >>> print([f"{bar.get_height():.4f}" for bar in ax.containers[1]])  # T = 2: flatter
    ['0.7311', '0.2689']
    >>> plt.close("all")
    """
    z = np.asarray(logits, dtype=np.float64)
    if z.ndim != 1:
        raise ValueError(f"plot_temperature: logits must be one vector, got shape {z.shape}")
    temps = [float(t) for t in temperatures]
    if not temps or any(not t > 0 for t in temps):
        raise ValueError(f"plot_temperature: temperatures must be positive, got {temperatures!r}")
    ax = new_axes(ax)
    classes = np.arange(z.size)
    width = 0.8 / len(temps)
    colors = mpl.colormaps["viridis"](np.linspace(0.05, 0.85, len(temps)))  # cold to hot
    for i, t in enumerate(temps):
        offset = (i - (len(temps) - 1) / 2) * width
        ax.bar(classes + offset, softmax(z / t), width=width, color=colors[i], label=f"$T = {t:g}$")
    ax.set_xticks(classes, [f"class {c}\n$z = {v:g}$" for c, v in zip(classes, z, strict=True)])
    ax.set_ylabel(r"probability $\mathrm{softmax}(z / T)$")
    ax.set_ylim(0, 1)
    ax.legend(title="temperature", fontsize="small")
    return ax


def _confident_logits(margins: ArrayLike, num_classes: int, dtype: Any) -> np.ndarray:
    """One row ``[a, 0, ..., 0]`` per margin ``a``: the target (class 0) leads by ``a``."""
    a = np.asarray(margins, dtype=np.float64)
    z = np.zeros((a.size, num_classes), dtype=dtype)
    z[:, 0] = a
    return z


def plot_relative_error(
    margins: ArrayLike, dtype: Any = "float64", num_classes: int = 3, ax: Axes | None = None
) -> Axes:
    r"""Relative error of three ways of computing a confident loss, against the margin.

    The logits are ``[a, 0, ..., 0]`` in ``dtype`` with the target at class 0, so the exact loss
    is :math:`\log(1 + (C - 1) e^{-a})`, computed by
    :func:`xentbook.book.reference_cross_entropy`. The lines, in this order:

    0. ``log(softmax(z))[0]``, the softmax shifted by its maximum then the logarithm;
    1. ``logsumexp(z) - z[0]``;
    2. :func:`xentbook.cross_entropy`;
    3. the guide :math:`\kappa u`: the condition number of the loss times the unit roundoff.

    Exact results (relative error 0) are drawn at a floor of :math:`u / 64` (:math:`u` the unit
    roundoff of ``dtype``), marked by a dotted line, so that the log scale can show them.

    Parameters
    ----------
    margins : array_like
        The margins :math:`a \ge 0` (x axis).
    dtype : str or dtype
        ``"float32"`` or ``"float64"``.
    num_classes : int
        :math:`C \ge 2`.
    ax : Axes, optional
        Where to draw.

    Returns
    -------
    Axes

    Raises
    ------
    ValueError
        If ``dtype`` is not float32 or float64, or ``num_classes`` is below 2.

    Examples
    --------
    At a margin of 40 the two naive ways return 0 (relative error 1); xentbook returns the exact
    loss, drawn at the floor :math:`u / 64 = 2^{-59}`:

    >>> import matplotlib.pyplot as plt
    >>> from xentbook.plots import plot_relative_error
    >>> ax = plot_relative_error([40.0], dtype="float64", num_classes=3)
    >>> print([f"{line.get_ydata()[0]:.1e}" for line in ax.lines[:3]])
    ['1.0e+00', '1.0e+00', '1.7e-18']
    >>> plt.close("all")
    """
    dt = np.dtype(dtype)
    if dt not in (np.dtype(np.float32), np.dtype(np.float64)):
        raise ValueError(f"plot_relative_error: dtype must be float32 or float64, got {dtype!r}")
    if num_classes < 2:
        raise ValueError(
            f"plot_relative_error: num_classes must be at least 2, got {num_classes!r}"
        )
    z = _confident_logits(margins, num_classes, dt)
    a = z[:, 0].astype(np.float64)
    target = np.zeros(len(z), dtype=np.intp)
    exact = reference_cross_entropy(z, target)
    with np.errstate(divide="ignore"):
        e = np.exp(z - z.max(axis=1, keepdims=True))
        naive = -np.log(e[:, 0] / e.sum(axis=1))
    cancel = logsumexp(z, axis=1) - z[:, 0]
    ours = cross_entropy(z, target, reduction="none")
    u = float(np.finfo(dt).eps) / 2
    floor = u / 64
    # kappa = sum_j |z_j| |d loss / d z_j| / loss = a (1 - p_0) / loss, 1 - p_0 = s / (1 + s).
    s = (num_classes - 1) * np.exp(-a)
    kappa = a * (s / (1 + s)) / exact
    ax = new_axes(ax)
    series = [
        ("-log(softmax(z)[t])", naive, COLORS["mse"], "-"),
        ("logsumexp(z) - z[t]", cancel, COLORS["accent"], "--"),
        ("xentbook.cross_entropy", ours, COLORS["ce"], "-"),
    ]
    for label, values, color, style in series:
        err = np.maximum(relative_error(values, exact), floor)
        ax.plot(a, err, style, color=color, label=label, lw=1.8)
    ax.plot(
        a,
        kappa * u,
        ":",
        color=COLORS["reference"],
        label=r"$\kappa u$ (condition number $\times$ u)",
    )
    ax.axhline(floor, color=COLORS["reference"], lw=0.8, ls=(0, (1, 3)))
    ax.text(
        a[-1],
        floor * 1.8,
        "exact (error 0)",
        fontsize="small",
        color=COLORS["reference"],
        ha="right",
    )
    ax.set_yscale("log")
    ax.set_xlabel(r"margin $a$ (logits $[a, 0, \ldots, 0]$, target class 0)")
    ax.set_ylabel("relative error of the loss")
    ax.set_title(f"{dt.name}, C = {num_classes}")
    ax.set_ylim(floor / 4, 10)
    ax.legend(fontsize="small", loc="center right")
    return ax


def plot_loss_vs_probability(
    p: ArrayLike | None = None, marks: dict[str, float] | None = None, ax: Axes | None = None
) -> Axes:
    r"""The loss :math:`-\log p` of one item against the probability :math:`p` of its true class.

    Line 0 is the curve; each entry of ``marks`` adds a labelled point on it.

    Parameters
    ----------
    p : array_like, optional
        Probabilities in ``(0, 1]``; default 1000 points from 0.001 to 1.
    marks : dict of str to float, optional
        Labelled probabilities to mark on the curve.
    ax : Axes, optional
        Where to draw.

    Returns
    -------
    Axes

    Raises
    ------
    ValueError
        If a probability is outside :math:`(0, 1]`.

    Examples
    --------
    >>> import matplotlib.pyplot as plt
    >>> from xentbook.plots import plot_loss_vs_probability
    >>> ax = plot_loss_vs_probability(marks={"Versicolor": 0.52})
    >>> print(f"{ax.lines[0].get_ydata()[0]:.4f} {ax.lines[1].get_ydata()[0]:.4f}")
    6.9078 0.6539
    >>> plt.close("all")
    """
    prob = np.linspace(0.001, 1.0, 1000) if p is None else np.asarray(p, dtype=np.float64)
    if np.any(~(prob > 0) | (prob > 1)):
        raise ValueError("plot_loss_vs_probability: p must be in (0, 1]")
    ax = new_axes(ax)
    ax.plot(prob, -np.log(prob), color=COLORS["ce"], lw=2, label=r"$-\log p$")
    for i, (label, value) in enumerate((marks or {}).items()):
        loss = -np.log(value)
        ax.plot([value], [loss], "o", color=COLORS["accent"], ms=6)
        ax.annotate(
            f"{label}: $-\\log {value:g} = {loss:.3f}$",
            (value, loss),
            xytext=(8, 14 + 14 * i),
            textcoords="offset points",
            fontsize="small",
        )
    ax.axvspan(prob.min(), 0.1, color=COLORS["mse"], alpha=0.08)
    ax.text(
        0.012,
        -np.log(prob.min()) * 0.93,
        "confident and wrong:\nthe loss explodes",
        fontsize="small",
        color=COLORS["mse"],
        va="top",
    )
    ax.set_xlabel("probability $p_y$ given to the true class")
    ax.set_ylabel(r"loss $-\log p_y$ (nats)")
    ax.set_xlim(0, 1)
    ax.set_ylim(0, None)
    return ax
