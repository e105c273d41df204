"""Figures of chapter 2 (entropy): the binary entropy, entropy on the simplex, an information
diagram, a prefix-code tree, codeword lengths against surprisals, the cost of block coding and
the entropy of a quantized density, the concentration of a block's surprisal per symbol, Fano's
bound on the error rate, the error of four formulas for the entropy of a softmax and the bias of
the plug-in entropy estimate, and Jensen's inequality for the logarithm.

Fonts are set about 1.5 times the matplotlib default, so that labels stay legible when a phone
shows the 6-inch figures at its content width."""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import Any

import numpy as np
from matplotlib import patheffects
from matplotlib.axes import Axes
from matplotlib.patches import Rectangle
from numpy.typing import ArrayLike

from xentbook.book._ch02 import (
    binary_entropy,
    conditional_entropy,
    iid_block,
    mutual_information,
)
from xentbook.coding import average_code_length, huffman_code_lengths, shannon_code_lengths
from xentbook.information import entropy
from xentbook.plots._style import COLORS, new_axes

__all__ = [
    "plot_binary_entropy",
    "plot_block_coding",
    "plot_code_length_rounding",
    "plot_code_tree",
    "plot_entropy_from_logits_error",
    "plot_fano_bound",
    "plot_information_diagram",
    "plot_jensen_gap",
    "plot_plugin_bias",
    "plot_quantized_entropy",
    "plot_simplex_entropy",
    "plot_surprisal_concentration",
]

_TEXT, _TICKS, _LEGEND = 14, 13, 12  # points: about 1.5 times matplotlib's 10 and 8.5


def _enlarge(ax: Axes) -> Axes:
    """Set phone-legible font sizes on everything already drawn on ``ax``."""
    ax.tick_params(labelsize=_TICKS)
    ax.xaxis.label.set_fontsize(_TEXT)
    ax.yaxis.label.set_fontsize(_TEXT)
    legend = ax.get_legend()
    if legend is not None:
        for text in legend.get_texts():
            text.set_fontsize(_LEGEND)
    for text in ax.texts:
        text.set_fontsize(max(text.get_fontsize(), _LEGEND))
    return ax


def plot_binary_entropy(num: int = 401, ax: Axes | None = None) -> Axes:
    r"""The binary entropy function :math:`H_b(x)` in bits, with its maximum and half-bit points.

    Parameters
    ----------
    num : int, optional
        Number of probabilities, evenly spaced over :math:`[0, 1]`, ends included (at least 3).
    ax : Axes, optional
        Where to draw; default a new figure.

    Returns
    -------
    Axes
        ``lines[0]`` is the curve; ``lines[1]`` marks the maximum at :math:`(1/2, 1)`;
        ``lines[2]`` marks the two biases with :math:`H_b = 1/2` bit.

    Examples
    --------
    >>> from xentbook.plots import plot_binary_entropy
    >>> print(plot_binary_entropy(num=5).lines[0].get_ydata().round(4))
    [0.     0.8113 1.     0.8113 0.    ]
    """
    if isinstance(num, bool) or not isinstance(num, (int, np.integer)) or num < 3:
        raise ValueError(f"plot_binary_entropy: num must be an integer >= 3, got {num!r}")
    ax = new_axes(ax)
    x = np.linspace(0.0, 1.0, num)
    ax.plot(x, binary_entropy(x), color=COLORS["ce"], lw=2, label="$H_{\\mathrm{b}}(x)$")
    ax.plot([0.5], [1.0], "o", color=COLORS["accent"], ms=7, label="maximum: 1 bit at $x = 1/2$")
    # Bisection for H_b(x) = 1/2 on the increasing branch [0, 1/2].
    lo, hi = 0.0, 0.5
    for _ in range(60):
        mid = (lo + hi) / 2
        lo, hi = (mid, hi) if binary_entropy(mid) < 0.5 else (lo, mid)
    ax.plot(
        [lo, 1 - lo],
        [0.5, 0.5],
        "s",
        color=COLORS["extra"],
        ms=6,
        label=f"half a bit at $x = {lo:.2f}$ and ${1 - lo:.2f}$",
    )
    ax.set_xlabel("probability of heads $x$")
    ax.set_ylabel("$H_{\\mathrm{b}}(x)$ in bits")
    ax.set_xlim(0, 1)
    ax.set_ylim(0, 1.05)
    ax.legend(loc="lower center", fontsize=_LEGEND, frameon=False)
    return _enlarge(ax)


def _simplex_xy(p: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Barycentric coordinates to the plane: vertices (0, 0), (1, 0), (1/2, sqrt(3)/2)."""
    return p[..., 1] + 0.5 * p[..., 2], (np.sqrt(3) / 2) * p[..., 2]


def plot_simplex_entropy(
    num: int = 60, points: Sequence[ArrayLike] = (), ax: Axes | None = None
) -> Axes:
    r"""Entropy in bits of every distribution over three outcomes, drawn on the triangle.

    A point of the triangle is a distribution :math:`(p_0, p_1, p_2)`, at distance
    proportional to :math:`p_k` from the side opposite vertex :math:`k`. The colour is
    :math:`H(p)` in bits, from 0 at the vertices to :math:`\log_2 3` at the centre; contour
    lines are drawn every quarter bit.

    Parameters
    ----------
    num : int, optional
        Grid subdivisions per side (at least 2); the grid holds the
        :math:`(n+1)(n+2)/2` distributions :math:`(i, j, k)/n`.
    points : sequence of array_like, optional
        Distributions to mark and annotate with their entropy.
    ax : Axes, optional
        Where to draw; default a new figure.

    Returns
    -------
    Axes
        ``collections[0]`` is the coloured triangle, whose ``get_array()`` holds the entropies
        at the grid distributions (in the order ``(i, j)`` row-major, ``k = n - i - j``);
        ``lines[0]`` marks ``points``.

    Examples
    --------
    >>> from xentbook.plots import plot_simplex_entropy
    >>> ax = plot_simplex_entropy(num=2)
    >>> print(ax.collections[0].get_array().round(3))
    [0. 1. 0. 1. 1. 0.]
    """
    if isinstance(num, bool) or not isinstance(num, (int, np.integer)) or num < 2:
        raise ValueError(f"plot_simplex_entropy: num must be an integer >= 2, got {num!r}")
    grid = (
        np.array(
            [(i, j, num - i - j) for i in range(num + 1) for j in range(num + 1 - i)], dtype=float
        )
        / num
    )
    h = entropy(grid, base=2)
    x, y = _simplex_xy(grid)
    ax = new_axes(ax, figsize=(6.0, 5.4))
    ax.grid(False)
    ax.spines[:].set_visible(False)
    mesh = ax.tripcolor(x, y, h, shading="gouraud", cmap="viridis", vmin=0, vmax=np.log2(3))
    contours = ax.tricontour(
        x, y, h, levels=np.arange(0.25, 1.6, 0.25), colors="white", linewidths=0.9
    )
    # Label each level once, where it crosses the segment from the centre to the top vertex
    # (H(a, a, 1 - 2a) falls from log2 3 to 0 along it): a column of labels clear of the
    # annotated points. The 0.25-bit level is drawn but left unlabelled: its arcs are too short.
    a = np.linspace(1 / 3, 1e-9, 4001)
    ray = np.stack([a, a, 1 - 2 * a], axis=-1)
    h_ray = entropy(ray, base=2)
    levels = np.asarray(contours.levels)
    spots = []
    for level in levels[1:]:
        k = int(np.argmin(np.abs(h_ray - level)))
        spots.append(_simplex_xy(ray[k]))
    labels = ax.clabel(
        contours,
        levels=levels[1:],
        fmt="%.2f",
        fontsize=_LEGEND - 1,
        inline_spacing=2,
        manual=spots,
    )
    # A dark outline keeps the white labels readable where they reach past the triangle's
    # edges onto the white background (the 0.50 label near the top vertex does).
    for text in labels:
        text.set_path_effects([patheffects.withStroke(linewidth=2.5, foreground="#303030")])
    marked = np.array([np.asarray(q, dtype=float) for q in points]).reshape(-1, 3)
    mx, my = _simplex_xy(marked)
    ax.plot(mx, my, "o", color=COLORS["accent"], ms=7, mec="black")
    for q, px, py in zip(marked, mx, my, strict=True):
        label = "(" + ", ".join(f"{v:.2g}" for v in q) + f")\nH = {entropy(q, base=2):.2f} bits"
        on_edge = py < 1e-12  # below the bottom edge, clear of the contour labels on it
        ax.annotate(
            label,
            (px, py),
            xytext=(8, -6) if on_edge else (8, 4),
            va="top" if on_edge else "baseline",
            textcoords="offset points",
            fontsize=_LEGEND,
            color="black",
            path_effects=[patheffects.withStroke(linewidth=3, foreground="white")],
        )
    for (vx, vy), name, dy in [
        ((0, 0), "$p_0 = 1$", -0.07),
        ((1, 0), "$p_1 = 1$", -0.07),
        ((0.5, np.sqrt(3) / 2), "$p_2 = 1$", 0.04),
    ]:
        ax.text(vx, vy + dy, name, ha="center", fontsize=_TEXT)
    ax.set_aspect("equal")
    ax.set_xlim(-0.08, 1.08)
    ax.set_ylim(-0.1, np.sqrt(3) / 2 + 0.1)
    ax.set_xticks([])
    ax.set_yticks([])
    bar = ax.figure.colorbar(mesh, ax=ax, orientation="horizontal", shrink=0.8, pad=0.02)
    bar.set_label("entropy $H(p)$ in bits (max $\\log_2 3 \\approx 1.585$)", size=_TEXT)
    bar.ax.tick_params(labelsize=_TICKS)
    for text in ax.texts:  # contour labels and annotations; vertex names are already _TEXT
        text.set_fontsize(max(text.get_fontsize(), _LEGEND - 1))
    return ax


def plot_code_tree(codewords: Sequence[str], ax: Axes | None = None) -> Axes:
    r"""A binary prefix code as a tree, with the leaves each codeword claims at the deepest level.

    Every codeword is a node of the binary tree (0 = left, 1 = right). At depth
    :math:`l_{\max}` the :math:`2^{l_{\max}}` slots are shaded by the codeword above them: a
    codeword of length :math:`l` claims :math:`2^{l_{\max} - l}` slots, and the claims of a
    prefix code do not overlap. This is the proof of Kraft's inequality.

    Parameters
    ----------
    codewords : sequence of str
        A prefix code: strings of ``"0"`` and ``"1"``, none a prefix of another.
    ax : Axes, optional
        Where to draw; default a new figure.

    Returns
    -------
    Axes
        ``patches`` are the :math:`2^{l_{\max}}` slots, left to right; a slot's ``get_gid()`` is
        the index of the codeword claiming it, or ``None``. ``lines`` are the tree's edges.

    Examples
    --------
    >>> from xentbook.plots import plot_code_tree
    >>> ax = plot_code_tree(["0", "10", "11"])
    >>> print([bar.get_gid() for bar in ax.patches])
    ['0', '0', '1', '2']
    """
    words = [str(w) for w in codewords]
    if not words or any(not w or set(w) - {"0", "1"} for w in words):
        raise ValueError(f"plot_code_tree: codewords must be non-empty 0/1 strings, got {words}")
    for a in words:
        for b in words:
            if a is not b and b.startswith(a):
                raise ValueError(f"plot_code_tree: not a prefix code: {a!r} begins {b!r}")
    depth = max(len(w) for w in words)
    slots = 2**depth
    ax = new_axes(ax, figsize=(6.0, 0.95 * depth + 1.5))
    ax.grid(False)
    ax.spines[:].set_visible(False)
    palette = [COLORS["ce"], COLORS["accent"], COLORS["grad"], COLORS["extra"], COLORS["mse"]]

    def centre(prefix: str) -> float:
        span = 2 ** (depth - len(prefix))
        return float((int(prefix, 2) if prefix else 0) * span + span / 2)

    owner: list[int | None] = [None] * slots
    for k, w in enumerate(words):
        span = 2 ** (depth - len(w))
        start = int(w, 2) * span
        owner[start : start + span] = [k] * span
    for s in range(slots):
        who = owner[s]
        slot = Rectangle(
            (s + 0.06, -depth - 1.5),
            0.88,
            0.5,
            color="#dddddd" if who is None else palette[who % len(palette)],
            alpha=1.0 if who is None else 0.45,
        )
        slot.set_gid(None if who is None else str(who))
        ax.add_patch(slot)
    prefixes = {w[:d] for w in words for d in range(len(w))}
    for node in sorted(prefixes, key=len):
        for bit in "01":
            child = node + bit
            used = child in prefixes or child in words
            ax.plot(
                [centre(node), centre(child)],
                [-len(node), -len(child)],
                color="black" if used else "#bbbbbb",
                lw=1.5 if used else 1,
                ls="-" if used else "--",
            )
            if not used:
                ax.text(
                    centre(child) + 0.15,
                    -len(child),
                    "unused",
                    ha="left",
                    va="center",
                    fontsize=_LEGEND,
                    color="#777777",
                )
    for k, w in enumerate(words):
        colour = palette[k % len(palette)]
        ax.plot([centre(w)], [-len(w)], "o", color=colour, ms=11, mec="black")
        ax.text(
            centre(w),
            -len(w) - 0.18,
            f"{w}\n$2^{{-{len(w)}}}$",
            ha="center",
            va="top",
            fontsize=_LEGEND,
        )
    ax.plot([centre("")], [0], "o", color="white", ms=9, mec="black")
    ax.text(-0.2, -depth - 1.25, f"depth {depth}:", ha="right", va="center", fontsize=_LEGEND)
    ax.set_xlim(-2.2, slots + 1.4)
    ax.set_ylim(-depth - 1.6, 0.2)
    ax.set_xticks([])
    ax.set_yticks([])
    return ax


def plot_block_coding(p: ArrayLike, max_block: int = 8, ax: Axes | None = None) -> Axes:
    r"""Redundancy in bits per symbol of Huffman and Shannon codes for blocks of i.i.d. symbols.

    A block of :math:`n` independent symbols from ``p`` has entropy :math:`n H(p)`, so an optimal
    code for the blocks costs :math:`L_n` bits with :math:`H(p) \le L_n / n < H(p) + 1/n`. The
    figure plots the redundancy :math:`L_n / n - H(p)` on a log scale against the bound
    :math:`1/n`.

    Parameters
    ----------
    p : array_like
        A 1-d probability vector with positive entries.
    max_block : int, optional
        Largest block length :math:`n` (at least 1; the code has :math:`C^n` codewords).
    ax : Axes, optional
        Where to draw; default a new figure.

    Returns
    -------
    Axes
        ``lines[0]``: Huffman redundancy :math:`L_n/n - H` against :math:`n`; ``lines[1]``: the
        same for the Shannon code of the blocks; ``lines[2]``: the bound :math:`1/n`.

    Examples
    --------
    >>> from xentbook.plots import plot_block_coding
    >>> ax = plot_block_coding([0.9, 0.1], max_block=2)
    >>> print(ax.lines[0].get_ydata().round(4))
    [0.531 0.176]
    """
    if isinstance(max_block, bool) or not isinstance(max_block, (int, np.integer)) or max_block < 1:
        raise ValueError(f"plot_block_coding: max_block must be an integer >= 1, got {max_block!r}")
    n = np.arange(1, max_block + 1)
    h = float(entropy(np.asarray(p, dtype=float), base=2))
    huffman, shannon = [], []
    for k in n:
        block = iid_block(p, int(k))
        huffman.append(average_code_length(block, huffman_code_lengths(block)) / k - h)
        shannon.append(average_code_length(block, shannon_code_lengths(block)) / k - h)
    ax = new_axes(ax)
    ax.plot(n, huffman, "o-", color=COLORS["ce"], lw=2, label="Huffman code for blocks")
    ax.plot(n, shannon, "s--", color=COLORS["accent"], lw=1.5, label="Shannon code for blocks")
    ax.plot(n, 1 / n, ":", color="black", lw=1.5, label="bound $1/n$")
    ax.set_yscale("log")
    ax.set_xlabel("block length $n$ (symbols coded together)")
    ax.set_ylabel("$L_n / n - H$, bits per symbol")
    ax.set_xticks(n)
    ax.set_ylim(top=8.0)  # headroom above the bound, so that the legend sits on no curve
    ax.legend(loc="upper right", fontsize=_LEGEND)
    return _enlarge(ax)


def plot_code_length_rounding(p: ArrayLike, ax: Axes | None = None) -> Axes:
    r"""Surprisals :math:`-\log_2 p_i` beside the Shannon and Huffman codeword lengths.

    The Shannon code rounds every surprisal up, :math:`l_i = \lceil -\log_2 p_i \rceil`;
    Huffman's lengths are integers near the surprisals, rounded up for some symbols and down
    for others. The legend gives each average over the source.

    Parameters
    ----------
    p : array_like
        A 1-d probability vector with positive entries, in the order to draw.
    ax : Axes, optional
        Where to draw; default a new figure.

    Returns
    -------
    Axes
        ``patches`` hold three groups of :math:`C` bars, in order: surprisals, Shannon lengths,
        Huffman lengths.

    Examples
    --------
    >>> from xentbook.plots import plot_code_length_rounding
    >>> ax = plot_code_length_rounding([0.4, 0.3, 0.2, 0.1])
    >>> print([int(bar.get_height()) for bar in ax.patches[4:]])
    [2, 2, 3, 4, 1, 2, 3, 3]
    """
    probs = np.asarray(p, dtype=np.float64)
    if probs.ndim != 1 or not (probs > 0).all():
        raise ValueError(f"plot_code_length_rounding: p must be 1-d and positive, got {probs}")
    info = -np.log2(probs)
    groups = [
        ("surprisal $-\\log_2 p_i$", info, COLORS["reference"]),
        ("Shannon $\\lceil -\\log_2 p_i \\rceil$", shannon_code_lengths(probs), COLORS["accent"]),
        ("Huffman", huffman_code_lengths(probs), COLORS["ce"]),
    ]
    ax = new_axes(ax)
    x = np.arange(probs.size)
    for k, (name, values, colour) in enumerate(groups):
        avg = float(np.dot(probs, values))
        ax.bar(x + (k - 1) * 0.27, values, width=0.27, color=colour, label=f"{name}: {avg:.3f}")
    ax.set_xticks(x, [f"$p = {v:.2g}$" for v in probs])
    ax.set_ylabel("bits")
    ax.set_ylim(0, np.ceil(max(info.max(), 1.0)) + 2.4)
    legend = ax.legend(loc="upper left", fontsize=_LEGEND, title="average over the source, bits")
    legend.get_title().set_fontsize(_LEGEND)
    return _enlarge(ax)


def plot_information_diagram(
    joint: ArrayLike, names: Sequence[str] = ("X", "Y"), ax: Axes | None = None
) -> Axes:
    r"""Information diagram, to scale, of a joint table ``joint[i, j] = P(X=i, Y=j)``, in bits.

    Bars in the style of MacKay's figure 8.1: the top bar is :math:`H(X, Y)`; below it
    :math:`H(X)` and :math:`H(Y)` overlap in :math:`I(X; Y)`; the bottom bar splits
    :math:`H(X, Y) = H(X \mid Y) + I(X; Y) + H(Y \mid X)`.

    Parameters
    ----------
    joint : array_like
        A 2-d table of non-negative probabilities summing to one.
    names : pair of str, optional
        The names of the row and column variables, as LaTeX without dollars.
    ax : Axes, optional
        Where to draw; default a new figure.

    Returns
    -------
    Axes
        ``patches`` in order: :math:`H(X, Y)`, :math:`H(X)`, :math:`H(Y)`,
        :math:`H(X \mid Y)`, :math:`I(X; Y)`, :math:`H(Y \mid X)`; each bar's ``get_x()`` and
        ``get_width()`` are its left end and length in bits.

    Examples
    --------
    >>> from xentbook.plots import plot_information_diagram
    >>> ax = plot_information_diagram([[0.25, 0.25], [0.5, 0.0]])
    >>> print([round(float(bar.get_width()), 4) for bar in ax.patches])
    [1.5, 1.0, 0.8113, 0.6887, 0.3113, 0.5]
    """
    arr = np.asarray(joint, dtype=np.float64)
    h_xy = float(entropy(arr.ravel(), base=2))
    h_y_x = conditional_entropy(arr, base=2)
    h_x_y = conditional_entropy(arr.T, base=2)
    info = mutual_information(arr, base=2)
    xn, yn = names
    bars = [
        (f"$H({xn}, {yn})$", 0.0, h_xy, 3, COLORS["reference"]),
        (f"$H({xn})$", 0.0, h_x_y + info, 2, COLORS["ce"]),
        (f"$H({yn})$", h_x_y, h_xy - h_x_y, 1, COLORS["accent"]),
        (f"$H({xn} \\mid {yn})$", 0.0, h_x_y, 0, COLORS["ce"]),
        (f"$I({xn}; {yn})$", h_x_y, info, 0, COLORS["grad"]),
        (f"$H({yn} \\mid {xn})$", h_x_y + info, h_y_x, 0, COLORS["accent"]),
    ]
    ax = new_axes(ax, figsize=(6.0, 3.6))
    ax.grid(False)
    ax.spines[["left"]].set_visible(False)
    for label, left, width, row, colour in bars:
        ax.barh(row, width, left=left, height=0.62, color=colour, alpha=0.55, ec="black")
        ax.text(
            left + width / 2,
            row,
            f"{label}\n{width:.3f}",
            ha="center",
            va="center",
            fontsize=_LEGEND,
        )
    ax.set_yticks([])
    ax.set_xlabel("bits")
    ax.set_xlim(0, h_xy * 1.02)
    ax.set_ylim(-0.45, 3.45)
    return _enlarge(ax)


def plot_quantized_entropy(
    rate: float = 4.0, widths: ArrayLike | None = None, ax: Axes | None = None
) -> Axes:
    r"""Entropy of an exponential variable quantized into bins of width :math:`\Delta`, in nats.

    For :math:`X` exponential with rate :math:`\lambda`, the bin index has the geometric
    distribution :math:`P_k = r^k (1 - r)`, :math:`r = e^{-\lambda \Delta}`, whose entropy is
    :math:`H(X_\Delta) = -\log(1 - r) - r \log r / (1 - r)`. As :math:`\Delta \to 0`,
    :math:`H(X_\Delta)` and :math:`-\log \Delta` both grow without bound while their difference
    tends to :math:`h = 1 - \log \lambda`.

    Parameters
    ----------
    rate : float, optional
        The rate :math:`\lambda > 0`.
    widths : array_like, optional
        Bin widths :math:`\Delta > 0`; default 61 widths from :math:`10^{-3}` to 1.
    ax : Axes, optional
        Where to draw; default a new figure.

    Returns
    -------
    Axes
        ``lines[0]``: :math:`H(X_\Delta)`; ``lines[1]``: :math:`-\log \Delta`;
        ``lines[2]``: :math:`H(X_\Delta) + \log \Delta`; ``lines[3]``: :math:`h`; all against
        :math:`\Delta` on a log axis.

    Examples
    --------
    >>> from xentbook.plots import plot_quantized_entropy
    >>> ax = plot_quantized_entropy(widths=[0.001])
    >>> print(ax.lines[2].get_ydata().round(4), ax.lines[3].get_ydata().round(4))
    [-0.3863] [-0.3863]
    """
    if not rate > 0:
        raise ValueError(f"plot_quantized_entropy: rate must be positive, got {rate!r}")
    delta = np.logspace(-3, 0, 61) if widths is None else np.asarray(widths, dtype=np.float64)
    if delta.ndim != 1 or not (delta > 0).all():
        raise ValueError("plot_quantized_entropy: widths must be a 1-d array of positive numbers")
    r = np.exp(-rate * delta)
    one_minus_r = -np.expm1(-rate * delta)
    h_bins = -np.log(one_minus_r) + rate * delta * r / one_minus_r
    h = 1 - np.log(rate)
    ax = new_axes(ax)
    ax.plot(delta, h_bins, color=COLORS["ce"], lw=2, label="$H(X_\\Delta)$")
    ax.plot(delta, -np.log(delta), "--", color=COLORS["accent"], lw=1.5, label="$-\\log \\Delta$")
    ax.plot(
        delta,
        h_bins + np.log(delta),
        color=COLORS["grad"],
        lw=2,
        label="$H(X_\\Delta) + \\log \\Delta$",
    )
    ax.plot(
        delta,
        np.full(delta.size, h),
        ":",
        color="black",
        lw=1.5,
        label=f"$h = 1 - \\log {rate:g} = {h:.3f}$",
    )
    ax.set_xscale("log")
    ax.set_xlabel("bin width $\\Delta$")
    ax.set_ylabel("nats")
    ax.legend(loc="upper right", fontsize=_LEGEND)
    return _enlarge(ax)


def plot_surprisal_concentration(
    p: ArrayLike, block_lengths: Sequence[int] = (10, 100, 1000), ax: Axes | None = None
) -> Axes:
    r"""Distribution of the surprisal per symbol of a block of :math:`n` i.i.d. coin flips.

    A block of :math:`n` flips of a coin with probabilities :math:`(p_0, p_1)` that holds
    :math:`k` ones has probability :math:`p_0^{n-k} p_1^k` and surprisal per symbol
    :math:`s_k = -[(n - k) \log_2 p_0 + k \log_2 p_1] / n`; :math:`k` is binomial. The figure
    draws, for each :math:`n`, the cumulative distribution function of :math:`s` (exact,
    from the binomial probabilities), and the entropy :math:`H(p)` as a vertical line: as
    :math:`n` grows the distribution concentrates at :math:`H(p)` (the asymptotic equipartition
    property).

    Parameters
    ----------
    p : array_like
        Two positive probabilities :math:`(p_0, p_1)` summing to one.
    block_lengths : sequence of int, optional
        Block lengths :math:`n \ge 1`, one curve each.
    ax : Axes, optional
        Where to draw; default a new figure.

    Returns
    -------
    Axes
        ``lines[i]`` is the step curve for ``block_lengths[i]``: x data 0 (the left edge,
        where the function is 0) then the values :math:`s_k` in increasing order, y data 0
        then the cumulative probabilities; the last line marks :math:`H(p)`.

    Examples
    --------
    >>> from xentbook.plots import plot_surprisal_concentration
    >>> ax = plot_surprisal_concentration([0.5, 0.5], block_lengths=[4])
    >>> print(ax.lines[0].get_xdata().round(3), ax.lines[0].get_ydata().round(3))
    [0. 1.] [0. 1.]
    """
    q = np.asarray(p, dtype=np.float64)
    if q.shape != (2,) or not (q > 0).all() or abs(q.sum() - 1) > 1e-12:
        raise ValueError(
            f"plot_surprisal_concentration: p must be two positive probabilities, got {p!r}"
        )
    h = float(entropy(q, base=2))
    ax = new_axes(ax)
    colors = [COLORS["accent"], COLORS["grad"], COLORS["ce"], "black"]
    for i, n in enumerate(block_lengths):
        if isinstance(n, bool) or not isinstance(n, (int, np.integer)) or n < 1:
            raise ValueError(f"plot_surprisal_concentration: block lengths must be >= 1, got {n!r}")
        k = np.arange(n + 1)
        log_choose = np.array(
            [math.lgamma(n + 1) - math.lgamma(j + 1) - math.lgamma(n - j + 1) for j in k]
        )
        log2_prob = log_choose / math.log(2) + (n - k) * np.log2(q[0]) + k * np.log2(q[1])
        s = -((n - k) * np.log2(q[0]) + k * np.log2(q[1])) / n
        order = np.argsort(s, kind="stable")
        s, prob = s[order], np.exp2(log2_prob[order])
        # merge equal surprisals (a fair coin gives every block the same one)
        _, start = np.unique(s.round(12), return_index=True)
        values, cdf = s[start], np.cumsum(np.add.reduceat(prob, start))
        # start at (0, 0), so that the first jump (to P(smallest surprisal)) is drawn
        values, cdf = np.concatenate([[0.0], values]), np.concatenate([[0.0], cdf])
        ax.step(values, cdf, where="post", color=colors[i % len(colors)], lw=2, label=f"$n = {n}$")
    ax.axvline(h, color="black", ls=":", lw=1.5, label=f"$H = {h:.3f}$ bits")
    ax.set_xlabel("surprisal per symbol $-\\frac{1}{n}\\log_2 p(x_1, \\dots, x_n)$, bits")
    ax.set_ylabel("cumulative probability")
    ax.set_xlim(0, 1.5)
    ax.set_ylim(-0.02, 1.02)
    ax.legend(loc="lower right", fontsize=_LEGEND)
    return _enlarge(ax)


def _entropy_forms(gap: float, dtype: type[np.floating[Any]]) -> tuple[float, ...]:
    """Entropy of softmax((gap, 0, -gap)) by four formulas evaluated in ``dtype``."""
    z = np.array([gap, 0.0, -gap], dtype=dtype)
    e = np.exp(z - z.max())
    p = e / e.sum()
    lse = np.log(e.sum()) + z.max()
    with np.errstate(divide="ignore", invalid="ignore"):
        naive = -np.sum(p * np.log(p))
        termwise = np.sum(p * (lse - z))
        difference = lse - np.dot(p, z)
    shift = z.max() - z  # z_m - z_j
    w = np.exp(-shift)
    w[0] = 0  # the top class is z_0 = gap
    s = w.sum()
    log_space = np.log1p(s) + np.sum(w * shift) / (1 + s)
    return float(naive), float(termwise), float(difference), float(log_space)


def plot_entropy_from_logits_error(
    max_gap: float = 80.0,
    num: int = 320,
    dtype: type[np.floating[Any]] = np.float32,
    ax: Axes | None = None,
) -> Axes:
    r"""Relative error of four formulas for the entropy of a softmax, against the logit gap.

    The logits are :math:`z = (a, 0, -a)`, with exact entropy
    :math:`H = \operatorname{log1p}(s) + (a e^{-a} + 2a e^{-2a}) / (1 + s)`,
    :math:`s = e^{-a} + e^{-2a}`, evaluated in float64. The four formulas, evaluated in
    ``dtype``, are the naive :math:`-\sum_i p_i \log p_i`, the term-by-term
    :math:`\sum_i p_i (\operatorname{lse}(z) - z_i)`, the difference
    :math:`\operatorname{lse}(z) - \sum_i p_i z_i`, and the log-space formula relative to the
    largest logit (``log1p``). Relative errors below ``1e-9`` are drawn at ``1e-9``; a formula
    that returns ``nan`` leaves a gap.

    Parameters
    ----------
    max_gap : float, optional
        Largest :math:`a`; the gaps are ``num`` evenly spaced values in ``(0, max_gap]``.
    num : int, optional
        Number of gaps (at least 2).
    dtype : numpy floating type, optional
        Precision of the four formulas; default float32.
    ax : Axes, optional
        Where to draw; default a new figure.

    Returns
    -------
    Axes
        ``lines[0]`` to ``lines[3]`` are the naive, term-by-term, difference and log-space
        formulas: x data the gaps :math:`a`, y data the relative errors :math:`|\hat H - H| / H`
        (``nan`` where the formula gives ``nan``); ``lines[4]`` is the unit roundoff of ``dtype``.

    Examples
    --------
    >>> from xentbook.plots import plot_entropy_from_logits_error
    >>> ax = plot_entropy_from_logits_error(max_gap=60.0, num=3)
    >>> print(ax.lines[0].get_xdata(), ax.lines[2].get_ydata())
    [20. 40. 60.] [1. 1. 1.]
    """
    if isinstance(num, bool) or not isinstance(num, (int, np.integer)) or num < 2:
        raise ValueError(
            f"plot_entropy_from_logits_error: num must be an integer >= 2, got {num!r}"
        )
    if not (0 < max_gap < 100):
        raise ValueError(
            "plot_entropy_from_logits_error: max_gap must lie in (0, 100), where the entropy is "
            f"a normal float32, got {max_gap!r}"
        )
    # gaps representable in dtype, so that the exact entropy is that of the logits used
    gaps = np.linspace(max_gap / num, max_gap, num).astype(dtype).astype(np.float64)
    s = np.exp(-gaps) + np.exp(-2 * gaps)
    exact = np.log1p(s) + (gaps * np.exp(-gaps) + 2 * gaps * np.exp(-2 * gaps)) / (1 + s)
    values = np.array([_entropy_forms(float(a), dtype) for a in gaps])
    errors = np.abs(values - exact[:, None]) / exact[:, None]
    floor = 1e-9
    ax = new_axes(ax, figsize=(6.0, 4.8))
    styles = [
        ("naive $-\\sum p \\log p$", COLORS["mse"], "-", 3.0),
        ("term by term", COLORS["accent"], "--", 2.0),
        ("difference $\\mathrm{lse} - \\sum p z$", COLORS["extra"], "-.", 2.0),
        ("log space (log1p)", COLORS["ce"], "-", 2.0),
    ]
    for k, (label, color, ls, lw) in enumerate(styles):
        ax.plot(gaps, np.maximum(errors[:, k], floor), color=color, ls=ls, lw=lw, label=label)
    unit = float(np.finfo(dtype).eps) / 2
    ax.axhline(unit, color="black", ls=":", lw=1.5, label=f"{np.dtype(dtype).name} rounding unit")
    nan_from = gaps[np.isnan(errors[:, 0])]
    if nan_from.size:
        ax.annotate(
            "naive: nan",
            (float(nan_from[0]), 0.02),
            xytext=(float(nan_from[0]) + 3, 0.13),
            va="center",
            fontsize=_LEGEND,
            arrowprops={"arrowstyle": "->", "color": COLORS["mse"]},
            color=COLORS["mse"],
        )
    ax.set_yscale("log")
    ax.set_ylim(floor / 2, 3)
    ax.set_xlim(0, max_gap)
    ax.set_xlabel("logit gap $a$, logits $z = (a, 0, -a)$")
    ax.set_ylabel("relative error of $H$")
    ax.legend(loc="lower center", bbox_to_anchor=(0.5, 1.0), ncols=2, fontsize=_LEGEND - 1)
    return _enlarge(ax)


def _fano_curve(error: np.ndarray, num_classes: int) -> np.ndarray:
    """Right-hand side of Fano's inequality in bits, ``H_b(P_e) + P_e log2(C - 1)``."""
    return np.asarray(binary_entropy(error)) + error * math.log2(num_classes - 1)


def plot_fano_bound(
    conditional_entropy_bits: float,
    error_rate: float,
    num_classes: int,
    num: int = 401,
    ax: Axes | None = None,
) -> Axes:
    r"""Fano's bound on the error rate, with a classifier's point and the error it implies.

    Draws :math:`F(P_e) = H_b(P_e) + P_e \log_2 (C - 1)` over :math:`P_e \in [0, 1]`, shades the
    pairs :math:`(P_e, H(Y \mid \hat Y))` that Fano's inequality allows (on or below the curve),
    draws the weaker straight bound :math:`1 + P_e \log_2 (C - 1)`, and marks the classifier's
    point and the smallest :math:`P_e` with :math:`F(P_e) \ge H(Y \mid \hat Y)`, found by
    bisection on :math:`[0, 1 - 1/C]`, where :math:`F` increases.

    Parameters
    ----------
    conditional_entropy_bits : float
        :math:`H(Y \mid \hat Y)` in bits, in :math:`[0, \log_2 C]`.
    error_rate : float
        The classifier's error rate :math:`P(\hat Y \ne Y)`, in :math:`[0, 1]`.
    num_classes : int
        Number of classes :math:`C \ge 2`.
    num : int, optional
        Number of error rates on the curve, evenly spaced over :math:`[0, 1]` (at least 3).
    ax : Axes, optional
        Where to draw; default a new figure.

    Returns
    -------
    Axes
        ``lines[0]`` is the curve :math:`F`; ``lines[1]`` the weaker bound; ``lines[2]`` the
        horizontal level :math:`H(Y \mid \hat Y)` from 0 to the smallest allowed error;
        ``lines[3]`` marks that error on the curve; ``lines[4]`` the classifier's point.

    Examples
    --------
    >>> from xentbook.plots import plot_fano_bound
    >>> ax = plot_fano_bound(1.0, 0.3, 3)
    >>> print(round(float(ax.lines[3].get_xdata()[0]), 4))
    0.2271
    """
    if isinstance(num, bool) or not isinstance(num, (int, np.integer)) or num < 3:
        raise ValueError(f"plot_fano_bound: num must be an integer >= 3, got {num!r}")
    if isinstance(num_classes, bool) or not isinstance(num_classes, (int, np.integer)):
        raise ValueError(f"plot_fano_bound: num_classes must be an integer, got {num_classes!r}")
    if num_classes < 2:
        raise ValueError(f"plot_fano_bound: num_classes must be at least 2, got {num_classes}")
    top = math.log2(num_classes)
    if not 0 <= conditional_entropy_bits <= top:
        raise ValueError(
            f"plot_fano_bound: conditional_entropy_bits must lie in [0, log2 C = {top:.4g}], "
            f"got {conditional_entropy_bits!r}"
        )
    if not 0 <= error_rate <= 1:
        raise ValueError(f"plot_fano_bound: error_rate must lie in [0, 1], got {error_rate!r}")
    # Bisection on [0, 1 - 1/C], where the bound increases from 0 to log2 C.
    lo, hi = 0.0, 1.0 - 1.0 / num_classes
    for _ in range(60):
        mid = (lo + hi) / 2
        below = float(_fano_curve(np.array(mid), num_classes)) < conditional_entropy_bits
        lo, hi = (mid, hi) if below else (lo, mid)
    smallest = hi
    ax = new_axes(ax, figsize=(6.0, 4.4))
    err = np.linspace(0.0, 1.0, num)
    curve = _fano_curve(err, num_classes)
    ax.plot(
        err,
        curve,
        color=COLORS["ce"],
        lw=2,
        label="Fano: $H_{\\mathrm{b}}(P_e) + P_e \\log_2 (C - 1)$",
    )
    ax.fill_between(err, 0, curve, color=COLORS["ce"], alpha=0.12, lw=0)
    ax.plot(
        err,
        1 + err * math.log2(num_classes - 1),
        color=COLORS["reference"],
        ls=":",
        lw=2,
        label="weaker: $1 + P_e \\log_2 (C - 1)$",
    )
    ax.plot(
        [0, smallest],
        [conditional_entropy_bits] * 2,
        color=COLORS["reference"],
        ls="--",
        lw=1.5,
    )
    ax.plot([smallest], [conditional_entropy_bits], "s", color=COLORS["extra"], ms=8)
    ax.plot([error_rate], [conditional_entropy_bits], "o", color=COLORS["accent"], ms=9)
    ax.annotate(
        f"smallest error allowed\n$P_e = {smallest:.3f}$",
        (smallest, conditional_entropy_bits),
        xytext=(smallest + 0.06, conditional_entropy_bits - 0.62),
        ha="left",
        va="center",
        arrowprops={"arrowstyle": "->", "color": COLORS["extra"]},
        color=COLORS["extra"],
    )
    ax.annotate(
        f"classifier\n$P_e = {error_rate:.2f}$",
        (error_rate, conditional_entropy_bits),
        xytext=(error_rate + 0.14, conditional_entropy_bits - 0.2),
        ha="left",
        va="center",
        arrowprops={"arrowstyle": "->", "color": COLORS["accent"]},
        color=COLORS["accent"],
    )
    ax.text(0.8, 0.25, "allowed\nby Fano", ha="center", va="center", color=COLORS["ce"])
    ax.set_xlim(0, 1)
    ax.set_ylim(0, top + 0.25)
    ax.set_xlabel("error rate $P_e$")
    ax.set_ylabel(f"$H(Y \\mid \\hat Y)$, bits ($C = {num_classes}$)")
    ax.legend(loc="lower center", bbox_to_anchor=(0.5, 1.0), ncols=2, fontsize=_LEGEND)
    return _enlarge(ax)


def _plugin_biases(num_outcomes: int, size: int) -> tuple[float, float]:
    """Exact biases, in nats, of the plug-in and Miller-Madow entropy estimates.

    For the uniform distribution on ``num_outcomes`` outcomes and ``size`` samples, from the
    binomial law of each count (linearity of expectation) and the expected number of outcomes
    observed, ``K (1 - (1 - 1/K)^N)``.
    """
    k, n = num_outcomes, size
    counts = np.arange(n + 1)
    log_pmf = np.array(
        [
            math.lgamma(n + 1)
            - math.lgamma(x + 1)
            - math.lgamma(n - x + 1)
            + x * math.log(1 / k)
            + (n - x) * math.log1p(-1 / k)
            for x in range(n + 1)
        ]
    )
    freq = counts / n
    terms = np.zeros(n + 1)
    terms[1:] = -freq[1:] * np.log(freq[1:])
    plug_in = math.log(k) - k * float(np.sum(np.exp(log_pmf) * terms))
    observed = k * -math.expm1(n * math.log1p(-1 / k))
    return plug_in, plug_in - (observed - 1) / (2 * n)


def plot_plugin_bias(
    num_outcomes: int = 10, max_samples: int = 1000, num: int = 40, ax: Axes | None = None
) -> Axes:
    r"""Bias of the plug-in entropy estimate and of its Miller-Madow correction, against N.

    The source is uniform on :math:`K` outcomes, so :math:`H = \log K`; the biases
    :math:`H - \mathbb{E}\, H(\hat p)` and
    :math:`H - \mathbb{E}[H(\hat p) + (\hat K - 1)/(2N)]` are exact (binomial law of each
    count), drawn on log-log axes with the first-order prediction :math:`(K - 1)/(2N)`.

    Parameters
    ----------
    num_outcomes : int, optional
        Number of outcomes :math:`K \ge 2`.
    max_samples : int, optional
        Largest sample size :math:`N`; the sizes are about ``num`` integers spaced
        geometrically from :math:`\lceil K/2 \rceil` to ``max_samples``.
    num : int, optional
        Number of sample sizes before rounding (at least 2).
    ax : Axes, optional
        Where to draw; default a new figure.

    Returns
    -------
    Axes
        ``lines[0]`` to ``lines[2]``: x data the sample sizes :math:`N`, y data the plug-in
        bias, the Miller-Madow bias and :math:`(K - 1)/(2N)`, in nats.

    Examples
    --------
    >>> from xentbook.plots import plot_plugin_bias
    >>> ax = plot_plugin_bias(10, max_samples=200, num=2)
    >>> print(ax.lines[0].get_xdata(), ax.lines[0].get_ydata().round(4))
    [  5 200] [0.9538 0.0227]
    """
    for name, value, low in (("num_outcomes", num_outcomes, 2), ("num", num, 2)):
        if isinstance(value, bool) or not isinstance(value, (int, np.integer)) or value < low:
            raise ValueError(f"plot_plugin_bias: {name} must be an integer >= {low}, got {value!r}")
    first = math.ceil(num_outcomes / 2)
    if isinstance(max_samples, bool) or not isinstance(max_samples, (int, np.integer)):
        raise ValueError(f"plot_plugin_bias: max_samples must be an integer, got {max_samples!r}")
    if not first < max_samples <= 100_000:
        raise ValueError(
            f"plot_plugin_bias: max_samples must lie in ({first}, 100000], got {max_samples}"
        )
    sizes = np.unique(np.geomspace(first, max_samples, num).round().astype(int))
    biases = np.array([_plugin_biases(num_outcomes, int(n)) for n in sizes])
    ax = new_axes(ax, figsize=(6.0, 4.2))
    ax.plot(sizes, biases[:, 0], color=COLORS["ce"], lw=2.5, label="plug-in $H(\\hat p)$")
    ax.plot(sizes, biases[:, 1], color=COLORS["accent"], ls="--", lw=2.5, label="Miller-Madow")
    ax.plot(
        sizes,
        (num_outcomes - 1) / (2 * sizes),
        color="black",
        ls=":",
        lw=2,
        label="$(K - 1)/(2N)$",
    )
    ax.set_xscale("log")
    ax.set_yscale("log")
    ax.set_xlabel("number of samples $N$")
    ax.set_ylabel("bias $H - \\mathbb{E}\\,\\hat H$, nats")
    ax.legend(
        loc="lower left",
        fontsize=_LEGEND,
        title=f"$K = {num_outcomes}$ equally likely outcomes",
        title_fontsize=_LEGEND,
    )
    return _enlarge(ax)


def plot_jensen_gap(
    points: Sequence[float] = (1.0, 5.0),
    weights: Sequence[float] | None = None,
    ax: Axes | None = None,
) -> Axes:
    r"""Jensen's inequality for the concave :math:`\log`: the chord lies below the curve.

    A random variable :math:`X` takes the values ``points`` with probabilities ``weights``.
    The figure draws :math:`\log x`, the chord through the points :math:`(x_k, \log x_k)`
    (the polygon of chords when there are more than two), and at :math:`\mathbb{E}[X]` the two
    sides of the inequality: :math:`\log \mathbb{E}[X]` on the curve and
    :math:`\mathbb{E}[\log X]` on the chord, below it.

    Parameters
    ----------
    points : sequence of float, optional
        The values of :math:`X`, positive, at least two distinct.
    weights : sequence of float, optional
        Their probabilities, non-negative and summing to one; default equal.
    ax : Axes, optional
        Where to draw; default a new figure.

    Returns
    -------
    Axes
        ``lines[0]`` is :math:`\log x`; ``lines[1]`` the chord polygon through the sorted
        points; ``lines[2]`` marks the points; ``lines[3]`` marks
        :math:`(\mathbb{E}[X], \log \mathbb{E}[X])` and ``lines[4]``
        :math:`(\mathbb{E}[X], \mathbb{E}[\log X])`.

    Examples
    --------
    >>> from xentbook.plots import plot_jensen_gap
    >>> ax = plot_jensen_gap((1.0, 5.0))
    >>> print(ax.lines[3].get_ydata().round(4), ax.lines[4].get_ydata().round(4))
    [1.0986] [0.8047]
    """
    x = np.asarray(points, dtype=float)
    if x.ndim != 1 or x.size < 2 or not np.all(np.isfinite(x)) or np.any(x <= 0):
        raise ValueError(f"plot_jensen_gap: points must be >= 2 positive numbers, got {points!r}")
    if np.unique(x).size < 2:
        raise ValueError("plot_jensen_gap: points must contain two distinct values")
    w = np.full(x.size, 1.0 / x.size) if weights is None else np.asarray(weights, dtype=float)
    if w.shape != x.shape or np.any(w < 0) or not math.isclose(float(w.sum()), 1.0, rel_tol=1e-9):
        raise ValueError(
            f"plot_jensen_gap: weights must be a distribution over points, got {weights!r}"
        )
    mean = float(np.dot(w, x))
    mean_log = float(np.dot(w, np.log(x)))
    ax = new_axes(ax)
    grid = np.linspace(0.5 * x.min(), 1.15 * x.max(), 400)
    ax.plot(grid, np.log(grid), color=COLORS["ce"], lw=2, label=r"$\log x$")
    order = np.argsort(x)
    ax.plot(
        x[order],
        np.log(x[order]),
        color=COLORS["reference"],
        lw=1.5,
        ls="--",
        label="chord between the values of $X$",
    )
    ax.plot(x, np.log(x), "o", color=COLORS["reference"], ms=7)
    ax.plot(
        [mean],
        [math.log(mean)],
        "o",
        color=COLORS["accent"],
        ms=9,
        label=r"$\log \mathbb{E}[X]$, on the curve",
    )
    ax.plot(
        [mean],
        [mean_log],
        "s",
        color=COLORS["extra"],
        ms=8,
        label=r"$\mathbb{E}[\log X]$, on the chord",
    )
    ax.vlines(mean, mean_log, math.log(mean), color="black", lw=1)
    ax.annotate(
        "Jensen gap",
        xy=(mean, 0.5 * (mean_log + math.log(mean))),
        xytext=(10, 0),
        textcoords="offset points",
        va="center",
        fontsize=_LEGEND,
    )
    ax.axvline(mean, color=COLORS["reference"], lw=0.8, ls=":")
    ax.set_xlabel(r"$x$ (the mean $\mathbb{E}[X]$ dotted)")
    ax.set_ylabel(r"$\log x$")
    ax.legend(loc="lower right", fontsize=_LEGEND, frameon=True)
    return _enlarge(ax)
