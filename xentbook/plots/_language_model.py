r"""Figures of the chapter on the loss of a language model.

Each helper computes what it draws from the package (:mod:`xentbook.language_model`), so the
figure and the numbers printed in the chapter come from the same functions.
"""

from __future__ import annotations

from typing import Any

import numpy as np
from numpy.typing import ArrayLike

from xentbook._validation import _describe, check_finite, float_array, positive_number
from xentbook.language_model import sliding_window_spans, soft_cap, soft_cap_grad
from xentbook.plots._style import COLORS, new_axes

__all__ = ["plot_micro_batch_weights", "plot_soft_cap", "plot_window_context"]


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
    top.bar(k, n, color=COLORS["ce"])
    top.set_ylabel("targets $n_k$")
    top.set_xlabel("micro-batch $k$")
    bottom.bar(k, relative, color=COLORS["accent"], label="mean of micro-batch means")
    bottom.axhline(1.0, color=COLORS["reference"], linestyle="--", label="token mean")
    bottom.set_yscale("log")
    bottom.set_ylabel("weight of one token,\nrelative to $1/N$")
    bottom.set_xlabel("micro-batch $k$")
    bottom.legend(loc="upper center", bbox_to_anchor=(0.5, -0.28), ncol=2, frameon=False)
    for a in axes:
        a.set_xticks(k)
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
            label=f"stride {stride}",
        )
    ax.axhline(window, color=COLORS["reference"], linestyle=":", label="window")
    ax.set_xlabel("position $j$ of the scored token")
    ax.set_ylabel("tokens of context")
    ax.set_ylim(0, window * 1.1)
    ax.legend(loc="upper center", bbox_to_anchor=(0.5, -0.2), ncol=s.size + 1, frameon=False)
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
