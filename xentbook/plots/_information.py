r"""Figures of the information-theory chapters: surprisal, entropy and code lengths.

Each helper computes what it draws with the package's own :func:`xentbook.surprisal` and
:func:`xentbook.entropy`, so a figure always shows the functions the chapter checks.
"""

from __future__ import annotations

from typing import Any

import numpy as np
from matplotlib.axes import Axes
from numpy.typing import ArrayLike

from xentbook._validation import float_array
from xentbook.coding import _lengths
from xentbook.information import _distribution, entropy, surprisal
from xentbook.plots._style import COLORS, new_axes

__all__ = [
    "plot_bernoulli_entropy",
    "plot_code_lengths",
    "plot_entropy_histogram",
    "plot_surprisal",
]


def _count(func: str, name: str, value: Any, minimum: int) -> int:
    if isinstance(value, bool) or not isinstance(value, (int, np.integer)):
        raise TypeError(f"{func}: {name} must be an integer, got {value!r}")
    if value < minimum:
        raise ValueError(f"{func}: {name} must be at least {minimum}, got {value!r}")
    return int(value)


def plot_surprisal(num: int = 400, p_min: float = 1e-3, ax: Axes | None = None) -> Axes:
    r"""Surprisal :math:`-\log p` against the probability :math:`p`, in bits and in nats.

    .. math::

        I_2(p) = -\log_2 p, \qquad I(p) = -\ln p = I_2(p) \ln 2 .

    Three landmark events are marked on the curve in bits: a fair coin (1 bit), a fair die
    (:math:`\log_2 6` bits) and a one-in-ten event (:math:`\log_2 10` bits).

    Parameters
    ----------
    num : int, optional
        Number of probabilities, spaced evenly from ``p_min`` to 1.
    p_min : float, optional
        Smallest probability drawn, in :math:`(0, 1)`.
    ax : Axes, optional
        Where to draw; default a new figure.

    Returns
    -------
    Axes
        ``lines[0]`` is the curve in bits, ``lines[1]`` the curve in nats, ``lines[2:]`` the
        three landmarks.

    Examples
    --------
    >>> from xentbook.plots import plot_surprisal
    >>> ax = plot_surprisal(num=3, p_min=0.25)
    >>> print(ax.lines[0].get_xdata(), ax.lines[0].get_ydata())
    [0.25  0.625 1.   ] [2.         0.67807191 0.        ]
    """
    func = "plot_surprisal"
    num = _count(func, "num", num, 2)
    if not (isinstance(p_min, (int, float, np.floating)) and 0 < p_min < 1):
        raise ValueError(f"{func}: p_min must lie in (0, 1), got {p_min!r}")
    ax = new_axes(ax)
    p = np.linspace(p_min, 1.0, num)
    ax.plot(p, surprisal(p, base=2), color=COLORS["ce"], lw=2, label=r"bits: $-\log_2 p$")
    ax.plot(p, surprisal(p), color=COLORS["accent"], lw=2, ls="--", label=r"nats: $-\ln p$")
    marks = {"coin, $p=1/2$": 1 / 2, "die, $p=1/6$": 1 / 6, "$p=1/10$": 1 / 10}
    for text, prob in marks.items():
        bits = float(surprisal(prob, base=2))
        ax.plot([prob], [bits], "o", color=COLORS["ce"], ms=5)
        ax.annotate(
            f"{text}: {bits:.3f} bits",
            (prob, bits),
            xytext=(8, 6),
            textcoords="offset points",
            fontsize=9,
        )
    ax.set_xlabel("probability $p$ of the event")
    ax.set_ylabel("surprisal $I(p)$")
    ax.set_xlim(0, 1.02)
    ax.set_ylim(0, max(float(surprisal(p_min, base=2)) * 0.75, 3.6))
    ax.legend(loc="upper right")
    return ax


def plot_bernoulli_entropy(num: int = 401, ax: Axes | None = None) -> Axes:
    r"""Entropy in bits of a coin that lands heads with probability :math:`p`.

    .. math::

        H_2(p) = -p \log_2 p - (1 - p) \log_2 (1 - p),

    zero at both ends (where :math:`0 \log 0 = 0`) and one bit at :math:`p = 1/2`.

    Parameters
    ----------
    num : int, optional
        Number of probabilities, spaced evenly over :math:`[0, 1]`, ends included.
    ax : Axes, optional
        Where to draw; default a new figure.

    Returns
    -------
    Axes
        ``lines[0]`` is the curve; ``lines[1]`` marks the maximum at :math:`(1/2, 1)`.

    Examples
    --------
    >>> from xentbook.plots import plot_bernoulli_entropy
    >>> ax = plot_bernoulli_entropy(num=5)
    >>> print(ax.lines[0].get_ydata().round(4))
    [0.     0.8113 1.     0.8113 0.    ]
    """
    num = _count("plot_bernoulli_entropy", "num", num, 2)
    ax = new_axes(ax)
    p = np.linspace(0.0, 1.0, num)
    h = entropy(np.stack([p, 1 - p], axis=-1), base=2)
    ax.plot(p, h, color=COLORS["ce"], lw=2, label="$H_2(p)$")
    ax.plot([0.5], [1.0], "o", color=COLORS["accent"], ms=6, label="maximum: 1 bit at $p=1/2$")
    ax.axhline(1.0, color=COLORS["reference"], lw=1, ls=":")
    ax.set_xlabel("probability of heads $p$")
    ax.set_ylabel("entropy $H$ in bits")
    ax.set_xlim(0, 1)
    ax.set_ylim(0, 1.08)
    ax.legend(loc="lower center")
    return ax


def plot_code_lengths(
    p: ArrayLike, lengths: ArrayLike, labels: Any = None, ax: Axes | None = None
) -> Axes:
    r"""Codeword lengths of a code beside the surprisal :math:`-\log_2 p_i` of each symbol.

    The legend gives both averages over the source: the average code length and the entropy,

    .. math::

        L = \sum_i p_i l_i \;\ge\; H_2(p) = \sum_i p_i (-\log_2 p_i) .

    Parameters
    ----------
    p : array_like
        A 1-d probability vector with positive entries.
    lengths : array_like of int
        Codeword lengths in bits, one per symbol.
    labels : sequence of str, optional
        Names of the symbols on the x axis; default their indices.
    ax : Axes, optional
        Where to draw; default a new figure.

    Returns
    -------
    Axes
        ``patches[:C]`` are the codeword-length bars, ``patches[C:]`` the surprisal bars.

    Examples
    --------
    >>> from xentbook.plots import plot_code_lengths
    >>> ax = plot_code_lengths([0.5, 0.25, 0.25], [1, 2, 2])
    >>> print([float(bar.get_height()) for bar in ax.patches[3:]])
    [1.0, 2.0, 2.0]
    """
    func = "plot_code_lengths"
    probs, _ = _distribution(func, "p", p, -1)
    n = _lengths(func, lengths)
    if probs.ndim != 1 or probs.shape != n.shape:
        raise ValueError(
            f"{func}: p and lengths must be 1-d of the same shape, got {probs.shape} and {n.shape}"
        )
    if (probs == 0).any():
        raise ValueError(f"{func}: p must be positive (a zero has infinite surprisal)")
    if labels is not None and len(labels) != n.size:
        raise ValueError(f"{func}: labels must name all {n.size} symbols, got {len(labels)}")
    ax = new_axes(ax)
    x = np.arange(n.size)
    info = surprisal(probs, base=2)
    avg = float(np.dot(probs, n))
    h = float(entropy(probs, base=2))
    ax.bar(
        x - 0.2, n, width=0.4, color=COLORS["ce"], label=f"codeword length (average {avg:.3f} bits)"
    )
    ax.bar(
        x + 0.2,
        info,
        width=0.4,
        color=COLORS["accent"],
        label=f"surprisal $-\\log_2 p_i$ (average $H$ = {h:.3f} bits)",
    )
    ax.set_xticks(x, [str(i) for i in x] if labels is None else [str(s) for s in labels])
    ax.set_xlabel("symbol")
    ax.set_ylabel("bits")
    ax.set_ylim(0, max(float(np.max(n)), float(np.max(info))) * 1.3)
    ax.legend(loc="upper left")
    return ax


def plot_entropy_histogram(
    entropies: ArrayLike, num_classes: int, bins: int = 40, ax: Axes | None = None
) -> Axes:
    r"""Histogram of entropies (in nats) of distributions over ``num_classes`` outcomes.

    A dashed line marks the upper bound, the entropy of the uniform distribution:

    .. math::

        H(p) \le \log C .

    Parameters
    ----------
    entropies : array_like
        A 1-d array of entropies in nats, for example ``entropy(P)`` for a batch ``P``.
    num_classes : int
        The number :math:`C` of outcomes of the distributions.
    bins : int, optional
        Number of bins, spread evenly over :math:`[0, \log C]`.
    ax : Axes, optional
        Where to draw; default a new figure.

    Returns
    -------
    Axes
        ``patches`` are the ``bins`` bars; ``lines[0]`` is the line at :math:`\log C`.

    Examples
    --------
    >>> from xentbook.plots import plot_entropy_histogram
    >>> ax = plot_entropy_histogram([0.1, 0.5, 0.6], num_classes=2, bins=2)
    >>> print([float(bar.get_height()) for bar in ax.patches])
    [1.0, 2.0]
    """
    func = "plot_entropy_histogram"
    values = float_array(func, "entropies", entropies).astype(np.float64)
    if values.ndim != 1 or values.size == 0:
        raise ValueError(
            f"{func}: entropies must be a non-empty 1-d array, got shape {values.shape}"
        )
    if isinstance(num_classes, bool) or not isinstance(num_classes, (int, np.integer)):
        raise ValueError(f"{func}: num_classes must be a positive integer, got {num_classes!r}")
    if num_classes < 2:
        raise ValueError(f"{func}: num_classes must be at least 2, got {num_classes!r}")
    bins = _count(func, "bins", bins, 1)
    bound = float(np.log(num_classes))
    if not np.all((values >= 0) & (values <= bound * (1 + 1e-12))):
        raise ValueError(
            f"{func}: entropies must lie in [0, log {num_classes}] = [0, {bound:.6g}], "
            f"got values from {values.min()!r} to {values.max()!r}"
        )
    ax = new_axes(ax)
    ax.hist(
        np.minimum(values, bound),
        bins=bins,
        range=(0.0, bound),
        color=COLORS["ce"],
        alpha=0.85,
        label=f"{values.size} random distributions",
    )
    ax.axvline(
        bound,
        color=COLORS["accent"],
        lw=2,
        ls="--",
        label=f"uniform: $\\log {num_classes}$ = {bound:.3f} nats",
    )
    ax.set_xlabel("entropy $H(p)$ in nats")
    ax.set_ylabel("number of distributions")
    ax.set_xlim(0, bound * 1.08)
    ax.legend(loc="upper left")
    return ax
