"""Figures of chapter 13 (cross-entropy at scale)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import numpy as np
from matplotlib.axes import Axes
from numpy.typing import ArrayLike

from xentbook.plots._style import COLORS, new_axes
from xentbook.primitives import logsumexp

__all__ = [
    "plot_cce_tiling",
    "plot_change_vs_bound",
    "plot_chunk_error",
    "plot_fused_loop",
    "plot_live_memory",
    "plot_memory_at_scale",
    "plot_online_softmax",
    "plot_vocab_parallel",
]

_GIB = 2.0**30


def plot_memory_at_scale(
    vocab_sizes: ArrayLike,
    series: Mapping[str, ArrayLike],
    *,
    ax: Axes | None = None,
) -> Axes:
    r"""Memory of the loss layer against the vocabulary size, both on logarithmic axes.

    One line per entry of ``series``, drawn in order (``ax.lines[k]`` is the k-th entry), in GiB
    (:math:`2^{30}` bytes), with the entry's key as its label. The x ticks sit at the given
    vocabulary sizes (labelled in thousands), the y ticks at 1, 2 and 5 times the powers of ten
    within the data's range, so that values can be read off. The legend sits below the axes,
    off the data.

    Parameters
    ----------
    vocab_sizes : array_like
        Vocabulary sizes :math:`V` (the x axis), positive.
    series : mapping of str to array_like
        Bytes at each vocabulary size, positive, one array per route, e.g. the size of the
        logits or the peak of a loss and its backward pass.
    ax : Axes, optional
        Where to draw; a new figure by default.
    """
    v = np.asarray(vocab_sizes, dtype=np.float64)
    if v.ndim != 1 or v.size == 0 or not (v > 0).all():
        raise ValueError(
            f"plot_memory_at_scale: vocab_sizes must be a non-empty 1-d array of positive sizes, "
            f"got {np.asarray(vocab_sizes)!r}"
        )
    if not series:
        raise ValueError("plot_memory_at_scale: series is empty; give at least one route")
    ax = new_axes(ax, figsize=(6.0, 4.6))
    markers = "os^Dv"
    colors = [COLORS[k] for k in ("mse", "accent", "reference", "ce", "extra")]
    for k, (label, data) in enumerate(series.items()):
        arr = np.asarray(data, dtype=np.float64)
        if arr.shape != v.shape or not (arr > 0).all():
            raise ValueError(
                f"plot_memory_at_scale: series {label!r} must hold positive byte counts with the "
                f"shape of vocab_sizes {v.shape}, got {arr!r}"
            )
        ax.plot(
            v,
            arr / _GIB,
            marker=markers[k % len(markers)],
            color=colors[k % len(colors)],
            label=label,
        )
    ax.set_xscale("log")
    ax.set_yscale("log")
    ax.set_xticks(v, [f"{x / 1000:.0f}k" for x in v])
    ax.minorticks_off()
    ys = np.concatenate([np.asarray(d, dtype=np.float64) for d in series.values()]) / _GIB
    decades = range(int(np.floor(np.log10(ys.min()))), int(np.ceil(np.log10(ys.max()))) + 1)
    ticks = [c * 10.0**e for e in decades for c in (1, 2, 5)]
    ticks = [t for t in ticks if ys.min() / 1.5 <= t <= ys.max() * 1.5]
    ax.set_yticks(ticks, [f"{t:g}" for t in ticks])
    ax.set_xlabel("vocabulary size $V$")
    ax.set_ylabel("memory (GiB)")
    ax.grid(True, which="both", alpha=0.3)
    ax.legend(loc="upper center", bbox_to_anchor=(0.5, -0.2), ncols=1, frameon=False)
    return ax


def plot_online_softmax(a: ArrayLike, chunk: int, *, ax: Axes | None = None) -> Axes:
    r"""The state of the online log-sum-exp after each chunk of one row of logits.

    Drawn in order against the number of entries read: the running maximum :math:`m`
    (``ax.lines[0]``), the running log-normalizer :math:`m + \log d`, which is the log-sum-exp of
    the entries read so far (``ax.lines[1]``), and the final log-sum-exp of the whole row
    (``ax.lines[2]``, dashed). The logits themselves are shown as faint dots.

    Parameters
    ----------
    a : array_like
        One row of finite logits, shape ``(C,)``.
    chunk : int
        Entries read per step.
    ax : Axes, optional
        Where to draw; a new figure by default.
    """
    row = np.asarray(a, dtype=np.float64)
    if row.ndim != 1 or row.size == 0:
        raise ValueError(
            f"plot_online_softmax: a must be a non-empty 1-d row, got shape {row.shape}"
        )
    if isinstance(chunk, bool) or not isinstance(chunk, (int, np.integer)) or chunk < 1:
        raise ValueError(f"plot_online_softmax: chunk must be a positive integer, got {chunk!r}")
    ends = np.append(np.arange(chunk, row.size, chunk), row.size)
    m = -np.inf
    d = 0.0
    maxima, norms = [], []
    start = 0
    for end in ends:  # the recurrence, written out: d <- d e^(m_old - m_new) + sum e^(x - m_new)
        block = row[start:end]
        m_new = max(m, float(block.max()))
        d = d * np.exp(m - m_new) + float(np.exp(block - m_new).sum())
        m = m_new
        maxima.append(m)
        norms.append(m + np.log(d))
        start = end
    ax = new_axes(ax)
    ax.plot(ends, maxima, "o-", color=COLORS["accent"], label="running maximum $m$")
    ax.plot(ends, norms, "s-", color=COLORS["ce"], label=r"running $m + \log d$")
    ax.axhline(
        float(logsumexp(row)),
        ls="--",
        color=COLORS["reference"],
        label="logsumexp of the whole row",
    )
    ax.plot(
        np.arange(1, row.size + 1),
        row,
        ".",
        color=COLORS["reference"],
        alpha=0.35,
        label="logits $z_j$",
    )
    ax.set_xlabel("entries read")
    ax.set_ylabel("logit / log-sum-exp")
    ax.legend(loc="upper center", bbox_to_anchor=(0.5, -0.18), ncols=2, frameon=False)
    return ax


def plot_live_memory(
    steps: Sequence[str],
    parts: Mapping[str, ArrayLike],
    *,
    ax: Axes | None = None,
) -> Axes:
    r"""What is alive after each step of a computation, as stacked horizontal bars.

    Row ``k`` (the first step at the top) stacks, left to right in the order of ``parts``,
    the memory of each array alive after step ``k``, in units of one copy of the logits;
    ``steps[k]`` labels it and its total is written at its end. The bars are drawn part by
    part: ``ax.patches[j * len(steps) + k]`` is part ``j`` of step ``k`` (zero-width when
    that array is not alive). The legend sits below the axes, off the data.

    Parameters
    ----------
    steps : sequence of str
        What each step does.
    parts : mapping of str to array_like
        For each array (the key labels it), its size after each step, non-negative, one value
        per step (0 where it is not alive).
    ax : Axes, optional
        Where to draw; a new figure by default.
    """
    if not parts:
        raise ValueError("plot_live_memory: parts is empty; give at least one array")
    values = []
    for label, data in parts.items():
        arr = np.asarray(data, dtype=np.float64)
        if arr.ndim != 1 or arr.size != len(steps) or arr.size == 0 or (arr < 0).any():
            raise ValueError(
                f"plot_live_memory: part {label!r} must hold one non-negative value per step "
                f"({len(steps)} steps), got {np.asarray(data)!r}"
            )
        values.append(arr)
    ax = new_axes(ax, figsize=(6.0, 0.55 * len(steps) + 1.9))
    pos = np.arange(len(steps))
    colors = [COLORS[c] for c in ("ce", "accent", "mse", "grad", "extra")]
    left = np.zeros(len(steps))
    for j, (label, arr) in enumerate(zip(parts, values, strict=True)):
        ax.barh(
            pos,
            arr,
            left=left,
            height=0.6,
            color=colors[j % len(colors)],
            label=label,
            edgecolor="white",
            linewidth=1.0,
        )
        left = left + arr
    ax.set_yticks(pos, list(steps))
    ax.invert_yaxis()
    for y, x in zip(pos, left, strict=True):
        ax.text(float(x) + 0.05, float(y), f"{x:g}", va="center")
    ax.set_xlim(0, left.max() * 1.15 + 0.1)
    ax.set_xlabel("alive beyond the logits (copies of the logits)")
    ax.legend(loc="upper center", bbox_to_anchor=(0.4, -0.17), frameon=False)
    return ax


def plot_fused_loop(n_blocks: int = 6, block: int = 2, *, ax: Axes | None = None) -> Axes:
    r"""Block diagram of a row-chunked fused linear cross-entropy, at row block ``block``.

    Draws the hidden states :math:`X` (:math:`N \times D`) split into ``n_blocks`` row blocks,
    :math:`W^\top` (:math:`D \times V`), the one live block of logits :math:`Z_B`, which becomes
    :math:`G_B` in place, the rows of :math:`\partial L / \partial X` that :math:`G_B W` writes,
    and the :math:`\partial L / \partial W` accumulator that :math:`G_B^\top X_B` is added to.
    Row block ``block`` of :math:`X` and of :math:`\partial L / \partial X` is filled, the
    blocks of :math:`\partial L / \partial X` before it (already written) are filled lightly,
    the others are outlined. ``ax.patches`` holds, in order: the ``n_blocks`` blocks of :math:`X`,
    :math:`W^\top`, :math:`Z_B`, the ``n_blocks`` blocks of :math:`\partial L / \partial X`, the
    accumulator, then the arrows.

    Parameters
    ----------
    n_blocks : int
        Number of row blocks drawn, at least 2.
    block : int
        Index (from 0) of the block being processed, ``0 <= block < n_blocks``.
    ax : Axes, optional
        Where to draw; a new figure by default.
    """
    from matplotlib.patches import FancyArrowPatch, Rectangle

    if n_blocks < 2 or not 0 <= block < n_blocks:
        raise ValueError(
            f"plot_fused_loop: need n_blocks >= 2 and 0 <= block < n_blocks, "
            f"got n_blocks={n_blocks}, block={block}"
        )
    ax = new_axes(ax, figsize=(6.0, 4.6))
    ax.grid(False)
    live, done, edge = COLORS["accent"], COLORS["ce"], "#333333"
    top, bottom = 8.0, 0.6
    height = (top - bottom) / n_blocks

    def column(x0: float, filled: str, earlier: str) -> float:
        for k in range(n_blocks):
            y0 = top - (k + 1) * height
            face = filled if k == block else earlier if k < block else "white"
            ax.add_patch(Rectangle((x0, y0), 1.3, height, facecolor=face, edgecolor=edge))
        return top - (block + 0.5) * height

    y_block = column(0.2, live, "white")
    ax.text(0.85, top + 0.25, "$X$\n$N \\times D$", ha="center", va="bottom", fontsize=11)
    ax.add_patch(Rectangle((3.0, 6.6), 6.0, 1.4, facecolor="#dddddd", edgecolor=edge))
    ax.text(6.0, 7.3, "$W^\\top$  ($D \\times V$)", ha="center", va="center", fontsize=11)
    ax.add_patch(Rectangle((3.0, 3.9), 6.0, 1.3, facecolor=live, edgecolor=edge))
    ax.text(
        6.0,
        4.55,
        "$Z_B = X_B W^\\top + b$, then $G_B$ in place\n(the only logits alive)",
        ha="center",
        va="center",
        fontsize=10,
    )
    y_out = column(10.5, done, "#a9c8e6")  # earlier blocks: written
    ax.text(
        11.15,
        top + 0.25,
        "$\\partial L/\\partial X$\n$N \\times D$",
        ha="center",
        va="bottom",
        fontsize=11,
    )
    ax.add_patch(Rectangle((3.0, 0.6), 6.0, 1.4, facecolor=done, edgecolor=edge, alpha=0.35))
    ax.text(
        6.0,
        1.3,
        "$\\partial L/\\partial W$ += $G_B^\\top X_B$\n(accumulator)",
        ha="center",
        va="center",
        fontsize=11,
    )

    def arrow(
        a: tuple[float, float], b: tuple[float, float], label: str, at: tuple[float, float]
    ) -> None:
        ax.add_patch(FancyArrowPatch(a, b, arrowstyle="-|>", mutation_scale=14, color=edge))
        if label:
            ax.text(*at, label, ha="center", va="center", fontsize=10)

    arrow((1.5, y_block), (3.0, 4.3), "$X_B$", (2.1, 4.0))
    arrow((6.0, 6.6), (6.0, 5.2), "", (0, 0))
    arrow((9.0, 4.55), (10.5, y_out), "$G_B W$", (9.75, 5.2))
    arrow((6.0, 3.9), (6.0, 2.0), "", (0, 0))
    ax.set_xlim(0, 12)
    ax.set_ylim(0.3, 9.3)
    ax.set_aspect("auto")
    ax.axis("off")
    return ax


def plot_chunk_error(
    chunks: ArrayLike,
    series: Mapping[str, ArrayLike],
    *,
    ax: Axes | None = None,
) -> Axes:
    r"""Relative error of :math:`\partial L / \partial W` against the number of row chunks.

    One line per entry of ``series``, drawn in order (``ax.lines[k]`` is the k-th entry), on
    logarithmic axes, with the entry's key as its label; the x ticks sit at the given chunk
    counts. The legend sits below the axes, off the data.

    Parameters
    ----------
    chunks : array_like
        Numbers of row chunks (the x axis), positive.
    series : mapping of str to array_like
        Relative errors, positive, one array per accumulator or library, with the shape of
        ``chunks``.
    ax : Axes, optional
        Where to draw; a new figure by default.
    """
    c = np.asarray(chunks, dtype=np.float64)
    if c.ndim != 1 or c.size == 0 or not (c > 0).all():
        raise ValueError(
            f"plot_chunk_error: chunks must be a non-empty 1-d array of positive counts, "
            f"got {np.asarray(chunks)!r}"
        )
    if not series:
        raise ValueError("plot_chunk_error: series is empty; give at least one accumulator")
    ax = new_axes(ax, figsize=(6.0, 4.4))
    styles = [("mse", "o", "-"), ("ce", "s", "-"), ("accent", "x", "--"), ("extra", "^", ":")]
    for k, (label, data) in enumerate(series.items()):
        arr = np.asarray(data, dtype=np.float64)
        if arr.shape != c.shape or not (arr > 0).all():
            raise ValueError(
                f"plot_chunk_error: series {label!r} must hold positive errors with the shape "
                f"of chunks {c.shape}, got {arr!r}"
            )
        color, marker, line = styles[k % len(styles)]
        ax.plot(
            c, arr, marker=marker, linestyle=line, color=COLORS[color], label=label, markersize=8
        )
    ax.set_xscale("log")
    ax.set_yscale("log")
    ax.set_xticks(c, [f"{x:g}" for x in c])
    ax.minorticks_off()
    ys = np.concatenate([np.asarray(d, dtype=np.float64) for d in series.values()])
    ticks = [t * 10.0**e for e in range(-5, 1) for t in (1, 2, 5)]
    ticks = [t for t in ticks if ys.min() / 1.5 <= t <= ys.max() * 1.5]
    ax.set_yticks(ticks, [f"{t:g}" for t in ticks])
    ax.set_xlabel("number of row chunks")
    ax.set_ylabel(r"relative error of $\partial L / \partial W$")
    ax.grid(True, which="both", alpha=0.3)
    ax.legend(loc="upper center", bbox_to_anchor=(0.5, -0.18), frameon=False)
    return ax


def plot_vocab_parallel(n_devices: int = 3, *, ax: Axes | None = None) -> Axes:
    r"""Diagram of vocabulary-parallel cross-entropy over ``n_devices`` devices.

    Time runs downward. Each device column holds its slice of the logits
    :math:`Z_k = X W_k^\top`, then its local shifted sum and target-logit part, then its loss and
    slice of the gradient; three bars across all columns are the collectives: the all-reduce MAX
    of the local maxima, one SUM all-reduce of the packed pair (local sum, target-logit part),
    and, in the backward pass, the SUM all-reduce of :math:`G_k W_k` into
    :math:`\partial L / \partial X`. ``ax.patches`` holds, in order: the shared :math:`X` box,
    then for each of the three stages the ``n_devices`` device boxes followed by that stage's
    collective bar (the last stage's bar is the backward all-reduce), then the arrows.

    Parameters
    ----------
    n_devices : int
        Number of device columns drawn, 2 to 4.
    ax : Axes, optional
        Where to draw; a new figure by default.
    """
    from matplotlib.patches import FancyArrowPatch, Rectangle

    if not 2 <= n_devices <= 4:
        raise ValueError(f"plot_vocab_parallel: n_devices must be 2 to 4, got {n_devices}")
    ax = new_axes(ax, figsize=(6.0, 6.4))
    ax.grid(False)
    edge, coll = "#333333", COLORS["accent"]
    gap, left, right = 0.3, 0.2, 11.8
    width = (right - left - gap * (n_devices - 1)) / n_devices
    xs = [left + k * (width + gap) for k in range(n_devices)]
    ax.add_patch(Rectangle((left, 11.0), right - left, 0.9, facecolor="#dddddd", edgecolor=edge))
    ax.text(
        6.0,
        11.45,
        "hidden states $X$ ($N \\times D$), the same on every device",
        ha="center",
        va="center",
        fontsize=10,
    )
    stages = [
        (
            9.0,
            "$Z_{k} = X W_{k}^\\top$\n$N \\times V/P$, $m_{k}$",
            1.4,
            "all-reduce MAX of $m_k$: $m$",
            8.0,
        ),
        (
            5.6,
            "local $\\sum_{v} e^{z_v - m}$ and\n$z_y$ if $y$ is here, else 0",
            1.4,
            "one all-reduce SUM of both (packed): $d$, $z_y$",
            4.6,
        ),
        (
            2.2,
            "$\\ell = m + \\log d - z_y$\n$G_{k}$, $\\partial L/\\partial W_{k}$",
            1.4,
            "backward: all-reduce SUM of $G_k W_k$: $\\partial L/\\partial X$",
            1.2,
        ),
    ]
    for y0, text, h, bar, y_bar in stages:
        for k, x0 in enumerate(xs):
            ax.add_patch(Rectangle((x0, y0), width, h, facecolor="white", edgecolor=edge))
            ax.text(
                x0 + width / 2,
                y0 + h / 2,
                text.replace("{k}", str(k + 1)),
                ha="center",
                va="center",
                fontsize=10,
            )
        ax.add_patch(
            Rectangle((left, y_bar), right - left, 0.7, facecolor=coll, edgecolor=edge, alpha=0.85)
        )
        ax.text(6.0, y_bar + 0.35, bar, ha="center", va="center", fontsize=10)
    for x0 in xs:
        cx = x0 + width / 2
        for a, b in ((11.0, 10.4), (8.0, 7.0), (4.6, 3.6)):
            ax.add_patch(
                FancyArrowPatch((cx, a), (cx, b), arrowstyle="-|>", mutation_scale=12, color=edge)
            )
    ax.set_xlim(0, 12)
    ax.set_ylim(1.0, 12.1)
    ax.axis("off")
    return ax


def plot_change_vs_bound(
    change: ArrayLike, bound: ArrayLike, *, bins: int = 40, ax: Axes | None = None
) -> Axes:
    r"""Histogram of per-token loss changes as a fraction of their bound.

    Plots :math:`\lvert \text{change} \rvert / \text{bound}` token by token, with ``bins``
    equal bins on [0, 1] (``ax.patches`` are the bars), and a vertical line at 1, the bound
    (``ax.lines[0]``). Counts are numbers of tokens.

    Parameters
    ----------
    change : array_like
        Per-token changes of the loss, any sign.
    bound : array_like
        Per-token bounds, positive, with the shape of ``change``; every ``|change|`` must be
        at most its bound.
    bins : int
        Number of bins on [0, 1].
    ax : Axes, optional
        Where to draw; a new figure by default.
    """
    c = np.abs(np.asarray(change, dtype=np.float64))
    b = np.asarray(bound, dtype=np.float64)
    if c.shape != b.shape or c.size == 0 or not (b > 0).all():
        raise ValueError(
            f"plot_change_vs_bound: change and bound must be non-empty with the same shape and "
            f"positive bounds, got shapes {c.shape} and {b.shape}"
        )
    ratio = c / b
    if (ratio > 1).any():
        raise ValueError(
            f"plot_change_vs_bound: {int((ratio > 1).sum())} changes exceed their bound"
        )
    ax = new_axes(ax, figsize=(6.0, 3.8))
    ax.hist(ratio, bins=bins, range=(0.0, 1.0), color=COLORS["ce"])
    ax.axvline(1.0, color=COLORS["mse"], linestyle="--")
    ax.text(
        0.98,
        0.95,
        "bound",
        transform=ax.get_xaxis_transform(),
        ha="right",
        va="top",
        color=COLORS["mse"],
    )
    ax.set_xlim(0, 1.02)
    ax.set_xlabel(r"$|\ell(\hat z) - \ell(z)|$ / bound, per token")
    ax.set_ylabel("tokens")
    return ax


def plot_cce_tiling(
    n_row_tiles: int = 4,
    n_vocab_tiles: int = 6,
    row: int = 1,
    tile: int = 3,
    *,
    merged: Sequence[int] = (0, 2, 5),
    skipped: Sequence[int] = (0, 2),
) -> np.ndarray:
    r"""Diagram of Cut Cross-Entropy's tiling: forward pass above, backward pass below.

    Both panels draw the logits :math:`Z` (:math:`N \times V`) as ``n_row_tiles`` by
    ``n_vocab_tiles`` tiles with dashed edges, since no tile is ever stored in main memory. In
    row tile ``row`` tile ``tile`` is filled (on chip now). Above, the forward pass computes the
    tiles in parallel, in no fixed order: the tiles of ``merged`` are filled lightly (their
    log-sum-exp already merged), and an arrow along the row leads to a column on the right, the
    stored log-sum-exp, one number per row (``row`` filled). Below, the tiles before ``tile``
    are filled lightly (done) and the tile is recomputed from the stored log-sum-exp; the tiles
    of ``skipped`` in the row tile are hatched (every entry of :math:`N G`, softmax minus
    one-hot, below the filter's threshold in magnitude), and arrows send
    :math:`G W_V` to the rows of :math:`\partial L / \partial X` on the right and
    :math:`G^\top X_B` to the vocabulary tile of :math:`\partial L / \partial W` below.

    ``axes[k].patches`` holds, in order: the ``n_row_tiles * n_vocab_tiles`` tiles row by
    row, the ``n_row_tiles`` blocks of the right column, then (backward panel only) the
    ``n_vocab_tiles`` blocks of :math:`\partial L / \partial W`, then the arrows.

    Parameters
    ----------
    n_row_tiles, n_vocab_tiles : int
        Tiles along the rows (tokens) and along the vocabulary, at least 2 each.
    row, tile : int
        The tile being processed, ``0 <= row < n_row_tiles``, ``0 <= tile < n_vocab_tiles``.
    merged : sequence of int
        Vocabulary tiles of row tile ``row`` whose log-sum-exp the forward pass has already
        merged; each must lie in ``0 .. n_vocab_tiles - 1`` and not be ``tile``.
    skipped : sequence of int
        Vocabulary tiles of row tile ``row`` that the backward pass skips; each must come
        before or after ``tile``, not be it.

    Returns
    -------
    numpy.ndarray
        The two Axes, forward pass first.
    """
    from matplotlib.patches import FancyArrowPatch, Rectangle

    if n_row_tiles < 2 or n_vocab_tiles < 2:
        raise ValueError(
            f"plot_cce_tiling: need at least 2 tiles each way, got n_row_tiles={n_row_tiles}, "
            f"n_vocab_tiles={n_vocab_tiles}"
        )
    if not (0 <= row < n_row_tiles and 0 <= tile < n_vocab_tiles):
        raise ValueError(
            f"plot_cce_tiling: the tile (row={row}, tile={tile}) is outside the "
            f"{n_row_tiles} x {n_vocab_tiles} grid"
        )
    if any(not 0 <= s < n_vocab_tiles or s == tile for s in merged):
        raise ValueError(
            f"plot_cce_tiling: merged tiles must lie in 0..{n_vocab_tiles - 1} and differ "
            f"from tile={tile}, got {list(merged)}"
        )
    if any(not 0 <= s < n_vocab_tiles or s == tile for s in skipped):
        raise ValueError(
            f"plot_cce_tiling: skipped tiles must lie in 0..{n_vocab_tiles - 1} and differ "
            f"from tile={tile}, got {list(skipped)}"
        )
    top_ax, bottom_ax = new_axes(nrows=2, figsize=(6.0, 7.6))
    live, done, edge = COLORS["accent"], "#f6d3b3", "#333333"
    x0, x1, y_top = 1.0, 8.6, 5.6
    tile_w, tile_h = (x1 - x0) / n_vocab_tiles, 3.6 / n_row_tiles

    def grid(ax: Axes, backward: bool) -> float:
        for r in range(n_row_tiles):
            for c in range(n_vocab_tiles):
                face, hatch = "white", None
                if r == row and c == tile:
                    face = live
                elif r == row and backward and c in skipped:
                    hatch = "///"
                elif r == row and (c in merged if not backward else c < tile):
                    face = done
                ax.add_patch(
                    Rectangle(
                        (x0 + c * tile_w, y_top - (r + 1) * tile_h),
                        tile_w,
                        tile_h,
                        facecolor=face,
                        edgecolor=edge,
                        linestyle="--",
                        hatch=hatch,
                    )
                )
        for r in range(n_row_tiles):
            ax.add_patch(
                Rectangle(
                    (10.0, y_top - (r + 1) * tile_h),
                    1.0,
                    tile_h,
                    facecolor=COLORS["ce"] if r == row else "white",
                    edgecolor=edge,
                    alpha=0.6 if r == row else 1.0,
                )
            )
        ax.text(x0 - 0.3, y_top - 1.8, "rows", rotation=90, ha="center", va="center", fontsize=10)
        ax.text(
            (x0 + x1) / 2,
            y_top + 0.3,
            "logits $Z$, in vocabulary tiles (never stored)",
            ha="center",
            va="bottom",
            fontsize=10,
        )
        return y_top - (row + 0.5) * tile_h

    def arrow(ax: Axes, a: tuple[float, float], b: tuple[float, float]) -> None:
        ax.add_patch(FancyArrowPatch(a, b, arrowstyle="-|>", mutation_scale=14, color=edge))

    y_row = grid(top_ax, backward=False)
    top_ax.text(10.5, y_top + 0.3, "lse\n($N$)", ha="center", va="bottom", fontsize=10)
    arrow(top_ax, (x0 + 0.1, y_row), (10.0, y_row))
    top_ax.text(
        (x0 + x1) / 2,
        1.5,
        "each tile's log-sum-exp is merged, in any order,\ninto the stored lse of its rows",
        ha="center",
        va="center",
        fontsize=10,
    )
    top_ax.set_ylim(0.7, 6.9)

    y_row = grid(bottom_ax, backward=True)
    bottom_ax.text(
        10.5, y_top + 0.3, "$\\partial L/\\partial X$", ha="center", va="bottom", fontsize=10
    )
    for c in range(n_vocab_tiles):
        bottom_ax.add_patch(
            Rectangle(
                (x0 + c * tile_w, 0.6),
                tile_w,
                0.7,
                facecolor=COLORS["ce"] if c == tile else "white",
                edgecolor=edge,
                alpha=0.6 if c == tile else 1.0,
            )
        )
    bottom_ax.text(x1 + 0.2, 0.95, "$\\partial L/\\partial W$", ha="left", va="center", fontsize=10)
    cx = x0 + (tile + 0.5) * tile_w
    arrow(bottom_ax, (x0 + (tile + 1) * tile_w, y_row), (10.0, y_row))
    bottom_ax.text(9.3, y_row + 0.35, "$G W_V$", ha="center", va="bottom", fontsize=10)
    arrow(bottom_ax, (cx, y_top - (row + 1) * tile_h), (cx, 1.3))
    bottom_ax.text(cx + 0.15, 1.55, "$G^\\top X_B$", ha="left", va="center", fontsize=10)
    bottom_ax.text(
        (x0 + x1) / 2,
        -0.35,
        "each tile is recomputed, $G = (e^{Z - \\mathrm{lse}} - Y) / N$;\n"
        "hatched tiles (all of $|N G|$ below the threshold) are skipped",
        ha="center",
        va="center",
        fontsize=10,
    )
    bottom_ax.set_ylim(-1.1, 6.9)
    for ax, title in ((top_ax, "forward pass"), (bottom_ax, "backward pass")):
        ax.grid(False)
        ax.set_xlim(0, 12)
        ax.set_aspect("auto")
        ax.axis("off")
        ax.set_title(title, fontsize=11)
    return np.array([top_ax, bottom_ax])
