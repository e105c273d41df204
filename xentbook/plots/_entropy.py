"""Figures of chapter 2 (entropy): the binary entropy, entropy on the simplex, a prefix-code tree
and the cost of block coding."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
from matplotlib.axes import Axes
from matplotlib.patches import Rectangle
from numpy.typing import ArrayLike

from xentbook.book._ch02 import binary_entropy, iid_block
from xentbook.coding import average_code_length, huffman_code_lengths, shannon_code_lengths
from xentbook.information import entropy
from xentbook.plots._style import COLORS, new_axes

__all__ = ["plot_binary_entropy", "plot_block_coding", "plot_code_tree", "plot_simplex_entropy"]


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
    ax.plot(x, binary_entropy(x), color=COLORS["ce"], lw=2, label="$H_b(x)$")
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
    ax.set_ylabel("$H_b(x)$ in bits")
    ax.set_xlim(0, 1)
    ax.set_ylim(0, 1.45)
    ax.legend(loc="upper center", ncols=1, fontsize=10, frameon=False)
    return ax


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
    ax.tricontour(x, y, h, levels=np.arange(0.25, 1.6, 0.25), colors="white", linewidths=0.8)
    marked = np.array([np.asarray(q, dtype=float) for q in points]).reshape(-1, 3)
    mx, my = _simplex_xy(marked)
    ax.plot(mx, my, "o", color=COLORS["accent"], ms=7, mec="black")
    for q, px, py in zip(marked, mx, my, strict=True):
        label = "(" + ", ".join(f"{v:.2g}" for v in q) + f")\nH = {entropy(q, base=2):.2f} bits"
        ax.annotate(
            label,
            (px, py),
            xytext=(8, 4),
            textcoords="offset points",
            fontsize=10,
            color="white" if entropy(q, base=2) < 1.2 else "black",
        )
    for (vx, vy), name, dy in [
        ((0, 0), "$p_0 = 1$", -0.07),
        ((1, 0), "$p_1 = 1$", -0.07),
        ((0.5, np.sqrt(3) / 2), "$p_2 = 1$", 0.04),
    ]:
        ax.text(vx, vy + dy, name, ha="center", fontsize=11)
    ax.set_aspect("equal")
    ax.set_xlim(-0.08, 1.08)
    ax.set_ylim(-0.1, np.sqrt(3) / 2 + 0.1)
    ax.set_xticks([])
    ax.set_yticks([])
    ax.figure.colorbar(
        mesh,
        ax=ax,
        orientation="horizontal",
        shrink=0.8,
        pad=0.02,
        label="entropy $H(p)$ in bits (max $\\log_2 3 \\approx 1.585$)",
    )
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
    ax = new_axes(ax, figsize=(6.0, 1.1 * depth + 1.6))
    ax.grid(False)
    ax.spines[:].set_visible(False)
    palette = [COLORS["ce"], COLORS["accent"], COLORS["grad"], COLORS["extra"], COLORS["mse"]]

    def centre(prefix: str) -> float:
        span = 2 ** (depth - len(prefix))
        return (int(prefix, 2) if prefix else 0) * span + span / 2

    owner: list[int | None] = [None] * slots
    for k, w in enumerate(words):
        span = 2 ** (depth - len(w))
        start = int(w, 2) * span
        owner[start : start + span] = [k] * span
    for s in range(slots):
        k = owner[s]
        slot = Rectangle(
            (s + 0.06, -depth - 0.95),
            0.88,
            0.5,
            color="#dddddd" if k is None else palette[k % len(palette)],
            alpha=1.0 if k is None else 0.45,
        )
        slot.set_gid(None if k is None else str(k))
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
                    fontsize=10,
                    color="#888888",
                )
    for k, w in enumerate(words):
        colour = palette[k % len(palette)]
        ax.plot([centre(w)], [-len(w)], "o", color=colour, ms=11, mec="black")
        ax.text(
            centre(w), -len(w) - 0.16, f"{w}\n$2^{{-{len(w)}}}$", ha="center", va="top", fontsize=10
        )
    ax.plot([centre("")], [0], "o", color="white", ms=9, mec="black")
    ax.text(-0.2, -depth - 0.7, f"depth {depth}:", ha="right", va="center", fontsize=10)
    ax.set_xlim(-1.6, slots + 1.2)
    ax.set_ylim(-depth - 1.1, 0.3)
    ax.set_xticks([])
    ax.set_yticks([])
    return ax


def plot_block_coding(p: ArrayLike, max_block: int = 8, ax: Axes | None = None) -> Axes:
    r"""Bits per symbol of Huffman and Shannon codes for blocks of i.i.d. symbols from ``p``.

    A block of :math:`n` independent symbols has entropy :math:`n H(p)`, so an optimal code
    for the blocks costs between :math:`H(p)` and :math:`H(p) + 1/n` bits per symbol.

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
        ``lines[0]``: Huffman bits per symbol against :math:`n`; ``lines[1]``: Shannon code;
        ``lines[2]``: the bound :math:`H + 1/n`; ``lines[3]``: the entropy :math:`H(p)` in bits.

    Examples
    --------
    >>> from xentbook.plots import plot_block_coding
    >>> ax = plot_block_coding([0.9, 0.1], max_block=2)
    >>> print(ax.lines[0].get_ydata().round(4))
    [1.    0.645]
    """
    if isinstance(max_block, bool) or not isinstance(max_block, (int, np.integer)) or max_block < 1:
        raise ValueError(f"plot_block_coding: max_block must be an integer >= 1, got {max_block!r}")
    n = np.arange(1, max_block + 1)
    huffman, shannon = [], []
    for k in n:
        block = iid_block(p, int(k))
        huffman.append(average_code_length(block, huffman_code_lengths(block)) / k)
        shannon.append(average_code_length(block, shannon_code_lengths(block)) / k)
    h = float(entropy(np.asarray(p, dtype=float), base=2))
    ax = new_axes(ax)
    ax.plot(n, huffman, "o-", color=COLORS["ce"], lw=2, label="Huffman code for blocks")
    ax.plot(n, shannon, "s--", color=COLORS["accent"], lw=1.5, label="Shannon code for blocks")
    ax.plot(n, h + 1 / n, ":", color=COLORS["reference"], lw=1.5, label="bound $H + 1/n$")
    ax.plot(n, np.full(n.size, h), "-", color="black", lw=1, label=f"entropy $H$ = {h:.3f} bits")
    ax.set_xlabel("block length $n$ (symbols coded together)")
    ax.set_ylabel("bits per symbol")
    ax.set_xticks(n)
    ax.set_ylim(0, max(max(shannon), h + 1) * 1.05)
    ax.legend(loc="upper right", fontsize=10)
    return ax
