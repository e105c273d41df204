"""Figures of the information-theory chapters: surprisal, entropy and code lengths."""

from __future__ import annotations

from typing import Any

import numpy as np
from matplotlib.axes import Axes
from numpy.typing import ArrayLike

from xentbook.information import entropy, surprisal
from xentbook.plots._style import COLORS, new_axes

__all__ = [
    "plot_bernoulli_entropy",
    "plot_code_lengths",
    "plot_entropy_histogram",
    "plot_surprisal",
]


def plot_surprisal(num: int = 400, p_min: float = 1e-3, ax: Axes | None = None) -> Axes:
    """Surprisal :math:`-\\log p` against the probability :math:`p`, in bits and in nats.

    ``ax.lines[0]`` holds the curve in bits, ``ax.lines[1]`` the curve in nats, both sampled at
    ``num`` probabilities spaced evenly between ``p_min`` and 1. Three landmark events (a fair
    coin, a fair die, a one-in-ten event) are marked on the curve in bits.
    """
    if not 0 < p_min < 1:
        raise ValueError(f"plot_surprisal: p_min must lie in (0, 1), got {p_min!r}")
    ax = new_axes(ax)
    p = np.linspace(p_min, 1.0, num)
    ax.plot(p, surprisal(p, base=2), color=COLORS["ce"], lw=2, label="bits: $-\\log_2 p$")
    ax.plot(p, surprisal(p), color=COLORS["accent"], lw=2, ls="--", label="nats: $-\\ln p$")
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
    ax.set_ylim(0, float(surprisal(p_min, base=2)) * 0.75)
    ax.legend(loc="upper right")
    return ax


def plot_bernoulli_entropy(num: int = 401, ax: Axes | None = None) -> Axes:
    """Entropy in bits of a coin that lands heads with probability :math:`p`.

    ``ax.lines[0]`` holds :math:`H_2(p) = -p \\log_2 p - (1-p) \\log_2 (1-p)` at ``num`` evenly
    spaced :math:`p` in :math:`[0, 1]` (ends included, where it is 0); ``ax.lines[1]`` marks
    the maximum of one bit at :math:`p = 1/2`.
    """
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
    """Codeword lengths of a code next to the surprisal :math:`-\\log_2 p_i` of each symbol.

    ``ax.patches`` holds first one bar per symbol at height ``lengths[i]`` (in bits), then one
    bar per symbol at height :math:`-\\log_2 p_i`; ``labels`` names the symbols on the x axis
    (default: their indices). The legend gives both averages: the entropy and the average
    length.
    """
    p = np.asarray(p, dtype=float)
    lengths = np.asarray(lengths)
    if p.ndim != 1 or p.shape != lengths.shape:
        raise ValueError(
            f"plot_code_lengths: p and lengths must be 1-d of the same shape, got {p.shape} "
            f"and {lengths.shape}"
        )
    ax = new_axes(ax)
    x = np.arange(p.size)
    info = surprisal(p, base=2)
    avg = float(np.dot(p, lengths))
    h = float(entropy(p, base=2))
    ax.bar(
        x - 0.2,
        lengths,
        width=0.4,
        color=COLORS["ce"],
        label=f"codeword length (average {avg:.3f} bits)",
    )
    ax.bar(
        x + 0.2,
        info,
        width=0.4,
        color=COLORS["accent"],
        label=f"surprisal $-\\log_2 p_i$ (average $H$ = {h:.3f} bits)",
    )
    ax.set_xticks(x, [str(i) for i in x] if labels is None else list(labels))
    ax.set_xlabel("symbol")
    ax.set_ylabel("bits")
    ax.set_ylim(0, max(float(np.max(lengths)), float(np.max(info))) * 1.3)
    ax.legend(loc="upper left")
    return ax


def plot_entropy_histogram(
    entropies: ArrayLike, num_classes: int, bins: int = 40, ax: Axes | None = None
) -> Axes:
    """Histogram of entropies (in nats) of distributions over ``num_classes`` outcomes.

    ``ax.patches`` holds the ``bins`` bars of the histogram; ``ax.lines[0]`` is the vertical
    line at :math:`\\log C`, the entropy of the uniform distribution, which no bar passes.
    """
    values = np.asarray(entropies, dtype=float)
    if values.ndim != 1 or values.size == 0:
        raise ValueError(
            f"plot_entropy_histogram: entropies must be a non-empty 1-d array, got shape "
            f"{values.shape}"
        )
    if (
        isinstance(num_classes, bool)
        or not isinstance(num_classes, (int, np.integer))
        or num_classes < 1
    ):
        raise ValueError(
            f"plot_entropy_histogram: num_classes must be a positive integer, got {num_classes!r}"
        )
    ax = new_axes(ax)
    bound = float(np.log(num_classes))
    ax.hist(
        values,
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
