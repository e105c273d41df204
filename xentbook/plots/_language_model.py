r"""Figures of the chapter on the loss of a language model.

Each helper computes what it draws from the package (:mod:`xentbook.language_model`), so the
figure and the numbers printed in the chapter come from the same functions.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import matplotlib.pyplot as plt
import numpy as np
from matplotlib.colors import ListedColormap
from matplotlib.patches import Rectangle
from numpy.typing import ArrayLike

from xentbook._validation import _describe, check_finite, float_array, positive_number
from xentbook.language_model import (
    next_token_targets,
    sliding_window_spans,
    soft_cap,
    soft_cap_grad,
)
from xentbook.plots._style import COLORS, new_axes

__all__ = [
    "plot_loss_by_context",
    "plot_micro_batch_weights",
    "plot_packing",
    "plot_response_weights",
    "plot_sequence_weights",
    "plot_soft_cap",
    "plot_target_alignment",
    "plot_window_context",
    "plot_z_loss_drift",
]


def plot_micro_batch_weights(token_counts: ArrayLike, ax: Any = None) -> Any:
    r"""How much one token counts when micro-batch means are averaged, against the token mean.

    Top panel: the number of targets :math:`n_k` of each micro-batch. Bottom panel: the weight
    of one of its tokens in the mean of the :math:`K` micro-batch means, :math:`1 / (K n_k)`,
    relative to its weight :math:`1 / N` in the token mean (:math:`N = \sum_k n_k`), that is
    :math:`N / (K n_k)`; the token mean is the line at 1.

    Parameters
    ----------
    token_counts : array_like of int
        :math:`n_k` for every micro-batch, all positive.
    ax : pair of Axes, optional
        Where to draw (top, bottom); default a new figure with two stacked panels.

    Returns
    -------
    ndarray of Axes
    """
    func = "plot_micro_batch_weights"
    n = np.asarray(token_counts)
    if n.dtype.kind not in "iu" or n.ndim != 1 or n.size == 0 or (n <= 0).any():
        raise ValueError(
            f"{func}: token_counts must be a non-empty 1-d array of positive integers, "
            f"got {_describe(n)}"
        )
    axes = new_axes(nrows=2, figsize=(6.0, 6.0)) if ax is None else np.asarray(ax).ravel()
    k = np.arange(1, n.size + 1)
    relative = n.sum() / (n.size * n.astype(np.float64))
    top, bottom = axes
    bars = top.bar(k, n, color=COLORS["ce"])
    top.bar_label(bars, labels=[str(int(v)) for v in n], padding=2, fontsize=10)
    top.set_ylim(0, n.max() * 1.18)
    top.set_ylabel("targets $n_k$")
    top.set_xlabel("micro-batch $k$")
    rel_bars = bottom.bar(k, relative, color=COLORS["accent"], label="mean of micro-batch means")
    bottom.bar_label(rel_bars, labels=[f"{v:.2g}" for v in relative], padding=2, fontsize=10)
    bottom.set_ylim(min(0.5, relative.min()) / 1.5, max(2.0, relative.max()) * 2.5)
    bottom.axhline(1.0, color=COLORS["reference"], linestyle="--", label="token mean")
    bottom.set_yscale("log")
    bottom.set_ylabel("weight of one token,\nrelative to $1/N$")
    bottom.set_xlabel("micro-batch $k$")
    bottom.legend(loc="upper center", bbox_to_anchor=(0.5, -0.28), ncol=2, frameon=False)
    for a in axes:
        a.set_xticks(k)
    return axes


def plot_sequence_weights(sums: ArrayLike, counts: ArrayLike, ax: Any = None) -> Any:
    r"""Each sequence's mean loss, and its weight in the token mean and in the sequence mean.

    The sequences are drawn in order of their number of targets :math:`n_s`. Top panel: the
    sequence's mean loss :math:`S_s / n_s`, with the token mean :math:`\sum_s S_s / N` and the
    sequence mean :math:`\frac{1}{B} \sum_s S_s / n_s` as horizontal lines. Bottom panel: the
    weight of the sequence in each mean, :math:`n_s / N` in the token mean and :math:`1 / B` in
    the sequence mean (both sum to 1 over the sequences), on a log scale.

    Parameters
    ----------
    sums : array_like of float
        :math:`S_s`, the summed loss of every sequence in nats, 1-d, finite.
    counts : array_like of int
        :math:`n_s`, the number of targets of every sequence, same shape, all positive.
    ax : pair of Axes, optional
        Where to draw (top, bottom); default a new figure with two stacked panels.

    Returns
    -------
    ndarray of Axes
    """
    func = "plot_sequence_weights"
    total = float_array(func, "sums", sums).astype(np.float64)
    check_finite(func, "sums", total)
    n = np.asarray(counts)
    if n.dtype.kind not in "iu" or n.ndim != 1 or n.size == 0 or (n <= 0).any():
        raise ValueError(
            f"{func}: counts must be a non-empty 1-d array of positive integers, got {_describe(n)}"
        )
    if total.shape != n.shape:
        raise ValueError(f"{func}: sums must have the shape of counts {n.shape}, got {total.shape}")
    order = np.argsort(n, kind="stable")
    n, total = n[order], total[order]
    means = total / n
    token_mean = total.sum() / n.sum()
    seq_mean = means.mean()
    x = np.arange(n.size)
    axes = new_axes(nrows=2, figsize=(6.0, 6.0)) if ax is None else np.asarray(ax).ravel()
    top, bottom = axes
    top.bar(x, means, color=COLORS["ce"], label="mean loss of the sequence")
    top.axhline(
        seq_mean, color=COLORS["accent"], linestyle="-.", label=f"sequence mean {seq_mean:.2f}"
    )
    top.axhline(
        token_mean, color=COLORS["grad"], linestyle="--", label=f"token mean {token_mean:.2f}"
    )
    top.set_ylim(0, means.max() * 1.1)
    top.set_ylabel("mean loss (nats)")
    top.legend(loc="upper right", frameon=False)
    width = 0.4
    bottom.bar(x - width / 2, n / n.sum(), width, color=COLORS["grad"], label="in the token mean")
    bottom.bar(
        x + width / 2,
        np.full(n.size, 1 / n.size),
        width,
        color=COLORS["accent"],
        label="in the sequence mean",
    )
    bottom.set_yscale("log")
    bottom.set_ylabel("weight of the sequence")
    bottom.legend(loc="upper center", bbox_to_anchor=(0.5, -0.28), ncol=2, frameon=False)
    for a in axes:
        a.set_xticks(x, [str(int(v)) for v in n])
        a.set_xlabel("targets $n_s$ of the sequence")
    return axes


def plot_window_context(num_tokens: int, window: int, strides: ArrayLike, ax: Any = None) -> Any:
    r"""The context each token is scored with in a sliding-window evaluation, for several strides.

    For every stride, one step curve of the context length :math:`j - b` of each scored token
    :math:`x_j` (window :math:`[b, e)`, from :func:`~xentbook.sliding_window_spans`) against its
    position :math:`j`. Disjoint windows (stride equal to the window) restart the context at 0;
    smaller strides keep at least ``window - stride`` tokens of it.

    Parameters
    ----------
    num_tokens : int
        Length of the text.
    window : int
        The model's context in tokens.
    strides : array_like of int
        The strides to draw, each from 1 to ``window``.
    ax : Axes, optional
        Where to draw; default a new figure.

    Returns
    -------
    Axes
    """
    func = "plot_window_context"
    s = np.atleast_1d(np.asarray(strides))
    if s.dtype.kind not in "iu" or s.ndim != 1 or s.size == 0:
        raise ValueError(f"{func}: strides must be a 1-d array of integers, got {_describe(s)}")
    ax = new_axes(ax, figsize=(6.0, 3.8))
    colors = [COLORS["ce"], COLORS["accent"], COLORS["grad"], COLORS["extra"]]
    styles = ["-", "--", "-.", ":"]
    for i, stride in enumerate(s.tolist()):
        positions, context = [], []
        for begin, end, first in sliding_window_spans(num_tokens, window, stride):
            j = np.arange(first, end)
            positions.append(j)
            context.append(j - begin)
        ax.step(
            np.concatenate(positions),
            np.concatenate(context),
            where="mid",
            color=colors[i % len(colors)],
            linestyle=styles[i % len(styles)],
            linewidth=2.0 if i else 1.5,
            label=f"stride {stride}",
            zorder=2 + i,  # later strides on top, dashed, so the first stays visible
        )
    ax.axhline(window, color=COLORS["reference"], linestyle=":", label="window")
    ax.axvspan(0, window, color=COLORS["reference"], alpha=0.12, zorder=0)
    ax.text(window / 2, window * 1.02, "first window", ha="center", va="bottom", fontsize=10)
    smallest = int(s.min())
    if smallest < window:
        ax.axhline(window - smallest, color=COLORS["reference"], linestyle="-", linewidth=0.8)
        ax.text(
            window * 1.04,
            window - smallest - 1.5,
            f"$W - s = {window - smallest}$",
            ha="left",
            va="top",
            fontsize=10,
        )
    ax.set_xlim(0, num_tokens)
    ax.set_xlabel("position $j$ of the scored token")
    ax.set_ylabel("tokens of context")
    ax.set_ylim(0, window * 1.15)
    ax.legend(loc="upper center", bbox_to_anchor=(0.5, -0.2), ncol=s.size + 1, frameon=False)
    return ax


def plot_loss_by_context(
    context: ArrayLike,
    mean_loss: ArrayLike,
    floor: float | None = None,
    vocab_size: int | None = None,
    ax: Any = None,
) -> Any:
    r"""Mean loss of a token against the number of tokens of context it is predicted from.

    Parameters
    ----------
    context : array_like of int
        The context lengths :math:`k`, 1-d, increasing, at least 1.
    mean_loss : array_like of float
        The mean loss in nats of a token predicted from :math:`k` tokens, same shape, finite.
    floor : float, optional
        A lower bound on the expected loss (for instance the entropy of the source), drawn as a
        dashed line.
    vocab_size : int, optional
        :math:`V`; when given, the loss :math:`\log V` of the uniform prediction is drawn as a
        dotted line.
    ax : Axes, optional
        Where to draw; default a new figure.

    Returns
    -------
    Axes
    """
    func = "plot_loss_by_context"
    k = np.asarray(context)
    if k.dtype.kind not in "iu" or k.ndim != 1 or k.size < 2:
        raise ValueError(f"{func}: context must be a 1-d array of integers, got {_describe(k)}")
    if k.min() < 1 or np.any(np.diff(k) <= 0):
        raise ValueError(f"{func}: context must be increasing and at least 1")
    loss = float_array(func, "mean_loss", mean_loss).astype(np.float64)
    if loss.shape != k.shape:
        raise ValueError(
            f"{func}: mean_loss must have the shape of context {k.shape}, got {loss.shape}"
        )
    check_finite(func, "mean_loss", loss)
    ax = new_axes(ax, figsize=(6.0, 3.8))
    ax.plot(k, loss, color=COLORS["ce"], marker="o", markersize=3, label="mean loss")
    drawn = [float(loss.min()), float(loss.max())]
    if floor is not None:
        drawn.append(floor)
        ax.axhline(floor, color=COLORS["accent"], linestyle="--", label=f"floor, {floor:.2f} nats")
    if vocab_size is not None:
        log_v = float(np.log(positive_number(func, "vocab_size", vocab_size)))
        drawn.append(log_v)
        ax.axhline(
            log_v, color=COLORS["reference"], linestyle=":", label=f"$\\log V$ = {log_v:.2f}"
        )
    pad = 0.06 * (max(drawn) - min(drawn))
    ax.set_ylim(min(drawn) - pad, max(drawn) + pad)  # keeps the reference lines off the frame
    ax.set_xlim(0, int(k.max()) + 1)
    ax.set_xlabel("tokens of context $k$")
    ax.set_ylabel("mean loss (nats)")
    ax.legend(loc="upper center", bbox_to_anchor=(0.5, -0.2), ncol=3, frameon=False)
    return ax


def plot_soft_cap(cap: float = 30.0, logits: ArrayLike | None = None, ax: Any = None) -> Any:
    r"""Logit soft-capping :math:`c \tanh(z / c)` and its derivative, against the raw logit.

    Top panel: the capped logit and the identity, with the caps :math:`\pm c`. Bottom panel:
    the derivative :math:`1 - \tanh^2(z / c)`, the factor by which the cap scales the gradient
    that reaches the raw logit.

    Parameters
    ----------
    cap : float, optional
        :math:`c > 0`. Default 30, Gemma 2's final-logit cap.
    logits : array_like, optional
        The raw logits to draw at, a 1-d finite grid; default 601 points on :math:`[-4c, 4c]`.
    ax : pair of Axes, optional
        Where to draw (top, bottom); default a new figure with two stacked panels.

    Returns
    -------
    ndarray of Axes
    """
    func = "plot_soft_cap"
    c = positive_number(func, "cap", cap)
    if logits is None:
        z = np.linspace(-4 * c, 4 * c, 601)
    else:
        z = float_array(func, "logits", logits).astype(np.float64)
        if z.ndim != 1 or z.size < 2:
            raise ValueError(f"{func}: logits must be a 1-d grid of at least 2 points")
        check_finite(func, "logits", z)
    axes = new_axes(nrows=2, figsize=(6.0, 6.0)) if ax is None else np.asarray(ax).ravel()
    top, bottom = axes
    top.plot(z, z, color=COLORS["reference"], linestyle="--", label="raw logit $z$")
    top.plot(z, soft_cap(z, c), color=COLORS["ce"], label=rf"capped, $c \tanh(z / c)$, $c = {c:g}$")
    for sign in (-1, 1):
        top.axhline(sign * c, color=COLORS["reference"], linestyle=":", linewidth=1)
    top.set_ylim(-1.6 * c, 1.6 * c)
    top.set_ylabel("logit seen by the softmax")
    top.legend(loc="upper left", frameon=False)
    bottom.plot(z, soft_cap_grad(z, c), color=COLORS["grad"])
    bottom.set_ylabel(r"derivative $1 - \tanh^2(z / c)$")
    for a in axes:
        a.set_xlabel("raw logit $z$")
    return axes


def plot_z_loss_drift(log_z: Mapping[str, ArrayLike], ax: Any = None) -> Any:
    r"""The mean :math:`\log Z` of a batch over the steps of training, one curve per loss.

    Parameters
    ----------
    log_z : mapping of str to array_like
        For each label, the mean :math:`\log Z` at steps :math:`0, 1, 2, \dots` (1-d, finite).
    ax : Axes, optional
        Where to draw; default a new figure.

    Returns
    -------
    Axes
    """
    func = "plot_z_loss_drift"
    if len(log_z) == 0:
        raise ValueError(f"{func}: log_z must hold at least one curve")
    ax = new_axes(ax, figsize=(6.0, 3.8))
    colors = [COLORS["ce"], COLORS["accent"], COLORS["grad"], COLORS["extra"]]
    styles = ["-", "--", "-.", ":"]
    for i, (label, values) in enumerate(log_z.items()):
        v = float_array(func, "log_z", values).astype(np.float64)
        if v.ndim != 1 or v.size < 2:
            raise ValueError(f"{func}: every curve must be 1-d with at least 2 steps")
        check_finite(func, "log_z", v)
        ax.plot(np.arange(v.size), v, color=colors[i % 4], linestyle=styles[i % 4], label=label)
    ax.axhline(0.0, color=COLORS["reference"], linestyle=":", linewidth=1)
    ax.set_xlabel("step")
    ax.set_ylabel(r"mean $\log Z$ over the batch")
    ax.legend(loc="upper center", bbox_to_anchor=(0.5, -0.2), ncol=2, frameon=False)
    return ax


def plot_response_weights(
    right_length: int, wrong_lengths: ArrayLike, max_length: int, ax: Any = None
) -> Any:
    r"""How hard one token is pushed under three RL aggregations, for a group of two responses.

    The group holds a right response of ``right_length`` tokens (advantage +1) and a wrong one
    of :math:`L` tokens (advantage -1), :math:`L` running over ``wrong_lengths``. A token's push
    is its weight in the aggregated loss: GRPO's sequence mean gives :math:`1 / (G |o_i|)`,
    DAPO's token mean :math:`1 / \sum_i |o_i|`, Dr. GRPO's constant :math:`1 / (G L_{\max})`,
    with :math:`G = 2`. Top panel: the push on a token of the wrong response; bottom panel: on
    a token of the right one; both against :math:`L`, on a log scale.

    Parameters
    ----------
    right_length : int
        Tokens of the right response, positive.
    wrong_lengths : array_like of int
        Lengths :math:`L` of the wrong response, positive and at most ``max_length``.
    max_length : int
        :math:`L_{\max}`, the longest response allowed, at least ``right_length``.
    ax : pair of Axes, optional
        Where to draw (top, bottom); default a new figure with two stacked panels.

    Returns
    -------
    ndarray of Axes
    """
    func = "plot_response_weights"
    lengths = np.asarray(wrong_lengths)
    if lengths.dtype.kind not in "iu" or lengths.ndim != 1 or lengths.size < 2:
        raise ValueError(
            f"{func}: wrong_lengths must be a 1-d array of at least 2 integers, "
            f"got {_describe(lengths)}"
        )
    if not 1 <= right_length <= max_length or lengths.min() < 1 or lengths.max() > max_length:
        raise ValueError(
            f"{func}: lengths must lie in [1, max_length], got right_length={right_length}, "
            f"wrong_lengths in [{lengths.min()}, {lengths.max()}], max_length={max_length}"
        )
    group = 2
    wrong = lengths.astype(np.float64)
    right = np.full_like(wrong, float(right_length))
    schemes = {
        "GRPO (sequence mean)": (1 / (group * wrong), 1 / (group * right)),
        "DAPO (token mean)": (1 / (wrong + right), 1 / (wrong + right)),
        "Dr. GRPO (constant)": (
            np.full_like(wrong, 1 / (group * max_length)),
            np.full_like(wrong, 1 / (group * max_length)),
        ),
    }
    axes = new_axes(nrows=2, figsize=(6.0, 6.5)) if ax is None else np.asarray(ax).ravel()
    top, bottom = axes
    colors = [COLORS["ce"], COLORS["accent"], COLORS["grad"]]
    styles = ["-", "--", "-."]
    for (label, (on_wrong, on_right)), color, style in zip(
        schemes.items(), colors, styles, strict=True
    ):
        top.plot(wrong, on_wrong, color=color, linestyle=style, label=label)
        bottom.plot(wrong, on_right, color=color, linestyle=style, label=label)
    top.set_ylabel("|push| on one token\nof the wrong response")
    bottom.set_ylabel(f"|push| on one token of the\nright response ({right_length} tokens)")
    values = np.concatenate([np.ravel(v) for pair in schemes.values() for v in pair])
    ticks = [
        t
        for t in (0.001, 0.002, 0.005, 0.01, 0.02, 0.05, 0.1, 0.2, 0.5, 1.0)
        if values.min() / 1.5 <= t <= values.max() * 1.5
    ]
    for a in axes:
        a.set_yscale("log")
        a.set_ylim(values.min() / 1.5, values.max() * 1.5)
        a.set_yticks(ticks, [f"{t:g}" for t in ticks])
        a.minorticks_off()
        a.set_xlabel("length $L$ of the wrong response (tokens)")
        a.set_xlim(wrong[0], wrong[-1])
    bottom.legend(loc="upper center", bbox_to_anchor=(0.5, -0.25), ncol=2, frameon=False)
    return axes


def _stacked(figsize: tuple[float, float], ratios: tuple[float, float]) -> Any:
    """Two stacked panels of unequal heights, on an opaque white figure."""
    _, axes = plt.subplots(
        2, 1, figsize=figsize, layout="constrained", facecolor="white", height_ratios=ratios
    )
    for a in axes:
        a.set_facecolor("white")
    return axes


def _cell_row(ax: Any, row: int, cells: Sequence[str], kinds: Sequence[str], label: str) -> None:
    """One row of labelled cells: kind 'ok', 'bad', 'ignored' or 'input' sets the colour."""
    face = {"input": "#ffffff", "ok": "#d9f2d9", "bad": "#fbd5d5", "ignored": "#e6e6e6"}
    for t, (text, kind) in enumerate(zip(cells, kinds, strict=True)):
        ax.add_patch(
            Rectangle((t, -row - 1), 1, 1, facecolor=face[kind], edgecolor="#555555", lw=0.8)
        )
        ax.text(t + 0.5, -row - 0.5, text, ha="center", va="center", fontsize=10)
    ax.text(-0.15, -row - 0.5, label, ha="right", va="center", fontsize=10)


def plot_target_alignment(
    sequence: Sequence[str], padded: Sequence[str], length: int, eos: str, ax: Any = None
) -> Any:
    r"""Which token each position is scored on: the right shift, two wrong ones, and padding.

    Top panel: a sequence :math:`x_0, \dots, x_{T-1}` and, below each position :math:`t`, its
    target under the right shift (:math:`x_{t+1}`, from :func:`~xentbook.next_token_targets`),
    the off-by-one (:math:`x_t`) and the double shift (:math:`x_{t+2}`). Bottom panel: a row
    padded with the end-of-sequence token, and its targets with the mask built from the length
    and from the token ids. Green cells are right targets, red ones wrong, grey ones ignored.

    Parameters
    ----------
    sequence : sequence of str
        The tokens of the top panel.
    padded : sequence of str
        The tokens of the padded row, padding included.
    length : int
        Number of real tokens of ``padded`` (its end-of-sequence token included).
    eos : str
        The end-of-sequence token, also used as padding.
    ax : pair of Axes, optional
        Where to draw (top, bottom); default a new figure with two stacked panels.

    Returns
    -------
    ndarray of Axes
    """
    func = "plot_target_alignment"
    if len(sequence) < 3 or not 1 <= length <= len(padded):
        raise ValueError(
            f"{func}: sequence needs at least 3 tokens and length must be in [1, len(padded)], "
            f"got {len(sequence)} tokens and length={length}"
        )
    vocab = sorted(set(sequence) | set(padded))
    ids = {w: i for i, w in enumerate(vocab)}
    axes = _stacked((6.0, 5.6), (4.0, 3.0)) if ax is None else np.asarray(ax).ravel()
    top, bottom = axes

    def words(targets: Any) -> list[str]:
        return ["-" if y < 0 else vocab[y] for y in targets]

    x = np.array([ids[w] for w in sequence])
    right = next_token_targets(x)
    double = next_token_targets(right[:-1])
    double = np.append(np.where(right[:-1] < 0, -100, double), -100)
    rows = [
        (list(sequence), ["input"] * len(x), "input $x_t$"),
        (words(right), ["ignored" if y < 0 else "ok" for y in right], "right: $x_{t+1}$"),
        (list(sequence), ["bad"] * len(x), "off by one: $x_t$"),
        (words(double), ["ignored" if y < 0 else "bad" for y in double], "double: $x_{t+2}$"),
    ]
    for r, (cells, kinds, label) in enumerate(rows):
        _cell_row(top, r, cells, kinds, label)
    p = np.array([ids[w] for w in padded])
    from_length = (np.arange(len(p)) < length).astype(int)
    from_ids = (p != ids[eos]).astype(int)
    good = next_token_targets(p, from_length)
    lost = next_token_targets(p, from_ids)
    rows = [
        (list(padded), ["input"] * len(p), "input $x_t$"),
        (words(good), ["ignored" if y < 0 else "ok" for y in good], "mask from length"),
        (
            words(lost),
            [
                "bad" if (y < 0 and g >= 0) else ("ignored" if y < 0 else "ok")
                for y, g in zip(lost, good, strict=True)
            ],
            "mask from ids",
        ),
    ]
    for r, (cells, kinds, label) in enumerate(rows):
        _cell_row(bottom, r, cells, kinds, label)
    for a, n_rows, n_cols, title in (
        (top, 4, len(x), "one sequence: position $t$ is scored on ..."),
        (bottom, 3, len(p), f"a padded row, {eos} doubling as padding"),
    ):
        a.set_xlim(-2.6, n_cols + 0.05)
        a.set_ylim(-n_rows - 0.05, 0.05)
        a.set_aspect("equal")
        a.axis("off")
        a.set_title(title, fontsize=10, loc="left")
    return axes


def plot_packing(lengths: ArrayLike, row_length: int, ax: Any = None) -> Any:
    r"""Documents packed into fixed-length rows, and the attention mask that keeps them apart.

    Top panel: the rows, every position coloured by its document and labelled with its
    position id, restarted at 0 where a document (or the part of it a row holds) begins;
    hatched positions are the last of their piece, whose target (the next document's first
    token, or the continuation of a document cut at the row's end) is ignored; a red edge marks
    a row end that cuts a document. Bottom panel: the attention mask of the first row, causal and
    block-diagonal: query :math:`i` may read key :math:`j` only if :math:`j \le i` and both lie
    in the same piece. Both panels span the figure's width, so that they stay legible on a phone.

    Parameters
    ----------
    lengths : array_like of int
        Token counts of the documents, in packing order, all positive.
    row_length : int
        Positions per row; the tokens are cut into rows of this length (the last row may be
        shorter).
    ax : pair of Axes, optional
        Where to draw (top, bottom); default a new figure with two stacked panels.

    Returns
    -------
    ndarray of Axes
    """
    func = "plot_packing"
    n = np.asarray(lengths)
    if n.dtype.kind not in "iu" or n.ndim != 1 or n.size == 0 or (n <= 0).any():
        raise ValueError(
            f"{func}: lengths must be a non-empty 1-d array of positive integers, "
            f"got {_describe(n)}"
        )
    doc = np.repeat(np.arange(n.size), n)
    n_rows = -(-doc.size // row_length)
    axes = _stacked((6.0, 5.6), (1.0, 2.2)) if ax is None else np.asarray(ax).ravel()
    top, bottom = axes
    palette = [COLORS["ce"], COLORS["accent"], COLORS["grad"], COLORS["extra"], COLORS["mse"]]
    first_row_segments = None
    for r in range(n_rows):
        d = doc[r * row_length : (r + 1) * row_length]
        starts = np.r_[True, d[1:] != d[:-1]]
        segment = np.cumsum(starts) - 1
        position = np.arange(d.size) - np.flatnonzero(starts)[segment]
        last = np.r_[d[1:] != d[:-1], True]
        # the row's last piece continues in the next row: its last target is lost to the cut
        continues = (r + 1) * row_length < doc.size and doc[(r + 1) * row_length] == d[-1]
        if r == 0:
            first_row_segments = segment
        for t in range(d.size):
            top.add_patch(
                Rectangle(
                    (t, -r - 1),
                    1,
                    1,
                    facecolor=palette[d[t] % len(palette)],
                    alpha=0.55,
                    edgecolor="#333333",
                    lw=0.8,
                    hatch="///" if last[t] else None,
                )
            )
            if continues and t == d.size - 1:
                top.add_patch(Rectangle((t, -r - 1), 1, 1, fill=False, edgecolor="#c0392b", lw=2.5))
            top.text(t + 0.5, -r - 0.5, str(position[t]), ha="center", va="center", fontsize=10)
        top.text(-0.2, -r - 0.5, f"row {r}", ha="right", va="center", fontsize=10)
    top.set_xlim(-1.6, row_length + 0.05)
    top.set_ylim(-n_rows - 0.05, 0.05)
    top.set_aspect("equal")
    top.axis("off")
    top.set_title(
        "packed rows: colour = document, number = position id,\nred edge = document cut",
        fontsize=10,
        loc="left",
    )
    seg = np.asarray(first_row_segments)
    d0 = doc[:row_length]
    causal = np.arange(seg.size)[None, :] <= np.arange(seg.size)[:, None]
    allowed = (seg[:, None] == seg[None, :]) & causal
    image = np.where(allowed, d0[:, None].astype(float), np.nan)
    cmap = ListedColormap([palette[i % len(palette)] for i in range(n.size)])
    # aspect "auto": the mask spans the figure's width, legible when a phone shrinks it
    bottom.imshow(image, cmap=cmap, vmin=-0.5, vmax=n.size - 0.5, alpha=0.75, aspect="auto")
    bottom.set_xlabel("key position $j$ (row 0)")
    bottom.set_ylabel("query position $i$")
    bottom.set_xticks(range(seg.size))
    bottom.set_yticks(range(seg.size))
    bottom.grid(False)
    bottom.set_title("attention mask of row 0 (white: not attended)", fontsize=10, loc="left")
    return axes
