"""Figures of the binary cross-entropy chapter: the loss against the logit, and pos_weight."""

from __future__ import annotations

from typing import Any

import numpy as np
from matplotlib.axes import Axes
from numpy.typing import ArrayLike

from xentbook.binary import (
    binary_cross_entropy,
    binary_cross_entropy_with_logits,
    binary_cross_entropy_with_logits_grad,
)
from xentbook.plots._style import COLORS, new_axes, two_axes
from xentbook.primitives import sigmoid, softmax

# PyTorch's probability-form binary cross-entropy: each logarithm is clamped at -100 in the
# forward pass, and the backward pass divides by max(p (1 - p), 1e-12).
_TORCH_LOG_FLOOR = -100.0
_TORCH_BACKWARD_EPS = 1e-12

__all__ = [
    "plot_bce_probability_form",
    "plot_bce_soft_target",
    "plot_bce_vs_logit",
    "plot_operating_points",
    "plot_pos_weight_optimum",
    "plot_sigmoid_vs_softmax",
    "plot_weighted_fit",
]


def plot_bce_vs_logit(x: ArrayLike | None = None, ax: Axes | None = None) -> Axes:
    r"""Binary cross-entropy against the logit :math:`x`, for the targets 1 and 0.

    Draws :math:`\operatorname{softplus}(-x)` (target 1) and :math:`\operatorname{softplus}(x)`
    (target 0), both computed by :func:`xentbook.binary_cross_entropy_with_logits`, with their
    straight-line asymptotes :math:`\max(-x, 0)` and :math:`\max(x, 0)` dashed.

    Parameters
    ----------
    x : array_like, optional
        The logits (default: 400 points on :math:`[-6, 6]`).
    ax : Axes, optional
        Where to draw; a new figure when omitted.

    Returns
    -------
    Axes
        ``ax.lines[0]`` is the loss for target 1, ``ax.lines[1]`` for target 0, then the two
        asymptotes.

    Raises
    ------
    ValueError
        If ``x`` contains ``nan`` (from :func:`xentbook.binary_cross_entropy_with_logits`).

    Examples
    --------
    >>> import matplotlib.pyplot as plt
    >>> from xentbook.plots import plot_bce_vs_logit
    >>> ax = plot_bce_vs_logit([-2.0, 0.0, 2.0])
    >>> print(", ".join(f"{v:.4f}" for v in ax.lines[0].get_ydata()))  # softplus(-x)
    2.1269, 0.6931, 0.1269
    >>> plt.close("all")
    """
    x = np.linspace(-6.0, 6.0, 400) if x is None else np.asarray(x, dtype=float)
    ax = new_axes(ax)
    ones, zeros = np.ones_like(x), np.zeros_like(x)
    loss1 = binary_cross_entropy_with_logits(x, ones, reduction="none")
    loss0 = binary_cross_entropy_with_logits(x, zeros, reduction="none")
    ax.plot(x, loss1, color=COLORS["ce"], lw=2, label=r"target $y = 1$: softplus$(-x)$")
    ax.plot(x, loss0, color=COLORS["accent"], lw=2, label=r"target $y = 0$: softplus$(x)$")
    ax.plot(x, np.maximum(-x, 0), color=COLORS["ce"], lw=1, ls="--", alpha=0.7)
    ax.plot(x, np.maximum(x, 0), color=COLORS["accent"], lw=1, ls="--", alpha=0.7)
    ax.axvline(0.0, color=COLORS["reference"], lw=0.8)
    ax.set_xlabel(r"logit $x$")
    ax.set_ylabel("binary cross-entropy (nats)")
    ax.set_ylim(bottom=0)
    ax.legend(loc="upper center", framealpha=1.0)
    return ax


def plot_pos_weight_optimum(
    pos_weights: ArrayLike = (0.25, 4.0, 16.0), ax: Axes | None = None
) -> Axes:
    r"""The best constant prediction :math:`p^\star` against the positive rate, per ``pos_weight``.

    For a positive rate :math:`\pi` and ``pos_weight`` :math:`r`, the constant probability that
    minimizes the expected weighted loss is :math:`p^\star = r\pi / (r\pi + 1 - \pi)`: one curve
    per :math:`r`, with the calibrated answer :math:`p^\star = \pi` (:math:`r = 1`) dotted.

    Parameters
    ----------
    pos_weights : array_like, optional
        The values of :math:`r` to draw.
    ax : Axes, optional
        Where to draw; a new figure when omitted.

    Returns
    -------
    Axes
        ``ax.lines[i]`` is the curve of ``pos_weights[i]``; the last line is the diagonal.

    Raises
    ------
    ValueError
        If a weight is not positive and finite.

    Examples
    --------
    >>> import matplotlib.pyplot as plt
    >>> from xentbook.plots import plot_pos_weight_optimum
    >>> ax = plot_pos_weight_optimum([4.0])
    >>> pi, p_star = ax.lines[0].get_xdata()[20], ax.lines[0].get_ydata()[20]
    >>> print(f"pi = {pi:.2f}: p* = {p_star:.4f}")  # 4 * 0.1 / (4 * 0.1 + 0.9)
    pi = 0.10: p* = 0.3077
    >>> plt.close("all")
    """
    weights = np.atleast_1d(np.asarray(pos_weights, dtype=float))
    if not np.all(np.isfinite(weights) & (weights > 0)):
        raise ValueError(
            f"plot_pos_weight_optimum: pos_weights must be positive and finite, "
            f"got {weights.tolist()!r}"
        )
    ax = new_axes(ax, figsize=(5.0, 4.2))
    pi = np.linspace(0.0, 1.0, 201)
    palette: list[Any] = [
        COLORS["ce"],
        COLORS["accent"],
        COLORS["grad"],
        COLORS["extra"],
        COLORS["mse"],
    ]
    for i, r in enumerate(weights):
        p_star = r * pi / (r * pi + 1 - pi)
        ax.plot(pi, p_star, color=palette[i % len(palette)], lw=2, label=f"pos_weight $r = {r:g}$")
    ax.plot(pi, pi, color=COLORS["reference"], lw=1.5, ls=":", label=r"$r = 1$: $p^\star = \pi$")
    ax.set_xlabel(r"positive rate $\pi$")
    ax.set_ylabel(r"best constant prediction $p^\star$")
    ax.set_xlim(0, 1)
    ax.set_ylim(0, 1)
    ax.set_aspect("equal")
    ax.legend(loc="upper center", bbox_to_anchor=(0.5, -0.16), ncol=2, fontsize=10)
    return ax


def _torch_bce_of_sigmoid(x: np.ndarray, target: float) -> tuple[np.ndarray, np.ndarray]:
    """Loss and d loss / dx of PyTorch's ``binary_cross_entropy(sigmoid(x), target)``.

    A float32 re-enactment of PyTorch 2.13's CPU kernels (the clamped forward, the backward
    divided by ``max(p (1 - p), 1e-12)``, and the sigmoid's backward ``p (1 - p)``), so that the
    book can draw what PyTorch computes without depending on it; the tests compare it with
    PyTorch itself.
    """
    x = np.asarray(x, dtype=np.float32)
    y = np.float32(target)
    with np.errstate(over="ignore", divide="ignore"):
        p = np.float32(1) / (np.float32(1) + np.exp(-x))
        log_p = np.maximum(np.log(p), np.float32(_TORCH_LOG_FLOOR))
        log_q = np.maximum(np.log1p(-p), np.float32(_TORCH_LOG_FLOOR))
    loss = -(y * log_p + (np.float32(1) - y) * log_q)
    slope = (p - y) / np.maximum((np.float32(1) - p) * p, np.float32(_TORCH_BACKWARD_EPS))
    return loss, slope * ((np.float32(1) - p) * p)


def plot_bce_probability_form(ax: Any = None) -> Any:
    r"""Where PyTorch's probability-form loss on a sigmoid breaks, in float32.

    Top: the gradient with respect to the logit for the target 1. The logit form gives
    :math:`\sigma(x) - 1 \to -1`; ``binary_cross_entropy(sigmoid(x), 1)`` collapses to zero
    once :math:`p (1 - p)` falls below :math:`10^{-12}`, near :math:`x = -27.6`. Bottom: the
    loss for the target 0. The logit form gives :math:`\operatorname{softplus}(x) \approx x`;
    the probability form follows it in steps (:math:`1 - p` is a multiple of :math:`2^{-24}`)
    and jumps to its clamp, 100, off the top of the panel, once :math:`\sigma(x)` rounds to 1 in
    float32 (:math:`x \ge 16.64`), where its gradient is 0. The bottom panel is drawn on a linear
    scale over :math:`10 \le x \le 19` so that the steps show.

    Parameters
    ----------
    ax : pair of Axes, optional
        Where to draw; a new figure of two stacked panels when omitted.

    Returns
    -------
    numpy.ndarray of Axes
        The two panels. In each, ``lines[0]`` is the logit form and ``lines[1]`` the
        probability form, both against the logit.

    Examples
    --------
    >>> import numpy as np
    >>> from xentbook.plots import plot_bce_probability_form
    >>> top, bottom = plot_bce_probability_form()
    >>> x, grad = top.lines[1].get_data()
    >>> print(np.round(grad[np.searchsorted(x, [-30.0, -20.0])], 3))
    [-0.094 -1.   ]
    """
    top, bottom = two_axes("plot_bce_probability_form", ax)

    x_neg = np.linspace(-45.0, 5.0, 1001).astype(np.float32)
    grad_logit = binary_cross_entropy_with_logits_grad(x_neg, np.ones_like(x_neg), reduction="sum")
    _, grad_prob = _torch_bce_of_sigmoid(x_neg, 1.0)
    top.plot(x_neg, grad_logit, color=COLORS["ce"], lw=2, label="logits: BCEWithLogits")
    top.plot(x_neg, grad_prob, color=COLORS["mse"], lw=2, ls="--", label="BCE(sigmoid(x))")
    top.set_xlabel(r"logit $x$ (target 1)")
    top.set_ylabel(r"$\partial \ell / \partial x$")
    top.legend(loc="center", bbox_to_anchor=(0.6, 0.55))  # the empty band right of the collapse

    x_pos = np.linspace(10.0, 19.0, 2001).astype(np.float32)
    loss_logit = binary_cross_entropy_with_logits(x_pos, np.zeros_like(x_pos), reduction="none")
    loss_prob, _ = _torch_bce_of_sigmoid(x_pos, 0.0)
    bottom.plot(x_pos, loss_logit, color=COLORS["ce"], lw=2, label="logits: BCEWithLogits")
    bottom.plot(x_pos, loss_prob, color=COLORS["mse"], lw=2, ls="--", label="BCE(sigmoid(x))")
    bottom.set_ylim(9.5, 19.5)  # the jump to 100 leaves the panel through its top
    jump = float(x_pos[np.argmax(loss_prob == 100.0)])
    bottom.annotate(
        f"jumps to 100\nat x = {jump:.2f}",
        xy=(jump, 19.3),
        xytext=(12.4, 15.4),  # the empty area above the curves, below the legend
        color=COLORS["mse"],
        arrowprops={"arrowstyle": "->", "color": COLORS["mse"]},
    )
    bottom.set_xlabel(r"logit $x$ (target 0)")
    bottom.set_ylabel("loss (nats)")
    bottom.legend(loc="upper left")
    return np.array([top, bottom], dtype=object)


def plot_weighted_fit(
    plain: tuple[float, float],
    weighted: tuple[float, float],
    pi: float = 0.05,
    positive: tuple[float, float] = (1.5, 0.5),
    negative: tuple[float, float] = (0.0, 1.0),
    x: ArrayLike | None = None,
    ax: Axes | None = None,
) -> Axes:
    r"""Two fitted logistic models against the true probability of a two-Gaussian problem.

    The data: a positive with probability :math:`\pi`, its feature drawn from
    :math:`\mathcal N(\mu_+, s_+^2)`, a negative's from :math:`\mathcal N(\mu_-, s_-^2)`.
    The true probability of a positive is
    :math:`\pi f_+(x) / (\pi f_+(x) + (1 - \pi) f_-(x))`, whose log-odds are quadratic in
    :math:`x` when :math:`s_+ \ne s_-`. Each model :math:`(w, b)` is drawn as
    :math:`\sigma(w x + b)`, with its decision threshold dashed: :math:`\pi` for the model fitted
    with the plain loss, :math:`1/2` for the one fitted with ``pos_weight``.

    Parameters
    ----------
    plain, weighted : tuple of float
        The weight and bias ``(w, b)`` fitted with the plain loss and with ``pos_weight``.
    pi : float, optional
        The positive rate (0.05).
    positive, negative : tuple of float, optional
        Mean and standard deviation of each class's feature ((1.5, 0.5) and (0, 1)).
    x : array_like, optional
        Where to draw (default: 400 points on :math:`[-3, 4]`).
    ax : Axes, optional
        Where to draw; a new figure when omitted.

    Returns
    -------
    Axes
        ``ax.lines[0]`` is the true probability, ``ax.lines[1]`` the plain fit,
        ``ax.lines[2]`` the weighted fit, then the thresholds :math:`\pi` and :math:`1/2`.

    Examples
    --------
    >>> import matplotlib.pyplot as plt
    >>> from xentbook.plots import plot_weighted_fit
    >>> ax = plot_weighted_fit((1.0, -3.0), (1.0, 0.0), x=[0.0, 3.0])
    >>> print(np.round(ax.lines[1].get_ydata(), 4))  # sigmoid(-3), sigmoid(0)
    [0.0474 0.5   ]
    >>> plt.close("all")
    """
    if not 0.0 < pi < 1.0:
        raise ValueError(f"plot_weighted_fit: pi must lie in (0, 1), got {pi!r}")
    xs = np.linspace(-3.0, 4.0, 400) if x is None else np.asarray(x, dtype=float)

    def log_density(mean_sd: tuple[float, float]) -> np.ndarray:
        mean, sd = mean_sd
        density: np.ndarray = -0.5 * ((xs - mean) / sd) ** 2 - np.log(sd)
        return density

    true_log_odds = np.log(pi / (1 - pi)) + log_density(positive) - log_density(negative)
    ax = new_axes(ax, figsize=(6.0, 4.0))
    ax.plot(xs, sigmoid(true_log_odds), color="black", lw=2, label="true probability")
    ax.plot(
        xs, sigmoid(plain[0] * xs + plain[1]), color=COLORS["ce"], lw=2, label="fit, plain loss"
    )
    ax.plot(
        xs,
        sigmoid(weighted[0] * xs + weighted[1]),
        color=COLORS["accent"],
        lw=2,
        label="fit, pos_weight",
    )
    ax.axhline(pi, color=COLORS["ce"], lw=1.2, ls="--", label=r"threshold $\pi$ (plain)")
    ax.axhline(0.5, color=COLORS["accent"], lw=1.2, ls="--", label="threshold 1/2 (pos_weight)")
    ax.set_xlabel("feature $x$")
    ax.set_ylabel("probability of a positive")
    ax.set_ylim(0, 1)
    ax.legend(loc="upper left", fontsize=10)
    return ax


def plot_operating_points(
    scores: ArrayLike,
    labels: ArrayLike,
    pos_weights: ArrayLike = (1.0, 4.0, 16.0),
    ax: Axes | None = None,
) -> Axes:
    r"""Precision-recall curve of calibrated scores, with the point each ``pos_weight`` picks.

    A model trained with ``pos_weight`` :math:`r` and at its optimum outputs
    :math:`p_r = r p / (r p + 1 - p)`, an increasing function of the calibrated probability
    :math:`p`: its precision-recall curve is that of :math:`p`, and thresholding :math:`p_r` at
    :math:`1/2` is thresholding :math:`p` at :math:`1/(1 + r)`. The curve is drawn once, from
    ``scores`` (the calibrated :math:`p`), and each :math:`r` is a marked point on it.

    Parameters
    ----------
    scores : array_like
        Calibrated probabilities of a positive, one per example.
    labels : array_like
        The 0/1 labels, same shape as ``scores``; at least one must be 1.
    pos_weights : array_like, optional
        The values of :math:`r` to mark (1, 4 and 16).
    ax : Axes, optional
        Where to draw; a new figure when omitted.

    Returns
    -------
    Axes
        ``ax.lines[0]`` is the curve (recall on x, precision on y, one point per distinct
        score, from the highest score down); ``ax.lines[1 + i]`` is the point of
        ``pos_weights[i]``, the recall and precision of ``scores > 1 / (1 + r)``.

    Raises
    ------
    ValueError
        If the shapes differ, no label is 1, or a weight is not positive and finite.

    Examples
    --------
    >>> import matplotlib.pyplot as plt
    >>> from xentbook.plots import plot_operating_points
    >>> ax = plot_operating_points([0.9, 0.6, 0.3, 0.1], [1, 0, 1, 0], pos_weights=[1.0])
    >>> # scores above 1/2: one hit of two
    >>> print(ax.lines[1].get_xdata(), ax.lines[1].get_ydata())
    [0.5] [0.5]
    >>> plt.close("all")
    """
    s = np.asarray(scores, dtype=float).ravel()
    y = np.asarray(labels, dtype=float).ravel()
    weights = np.atleast_1d(np.asarray(pos_weights, dtype=float))
    if s.shape != y.shape:
        raise ValueError(
            f"plot_operating_points: scores and labels must have the same size, "
            f"got {s.size} and {y.size}"
        )
    positives = y.sum()
    if positives <= 0:
        raise ValueError("plot_operating_points: labels must contain at least one 1")
    if not np.all(np.isfinite(weights) & (weights > 0)):
        raise ValueError(
            f"plot_operating_points: pos_weights must be positive and finite, "
            f"got {weights.tolist()!r}"
        )
    order = np.argsort(-s, kind="stable")
    hits = np.cumsum(y[order])
    said_yes = np.arange(1, s.size + 1)
    # One point per distinct score: the last index of each run of equal scores.
    last = np.r_[s[order][1:] != s[order][:-1], True]
    recall, precision = hits[last] / positives, hits[last] / said_yes[last]
    ax = new_axes(ax, figsize=(6.0, 4.2))
    ax.plot(recall, precision, color=COLORS["reference"], lw=2, label="every $r$ (one ranking)")
    palette: list[Any] = [COLORS["ce"], COLORS["accent"], COLORS["grad"], COLORS["extra"]]
    for i, r in enumerate(weights):
        yes = s > 1.0 / (1.0 + r)
        tp = float(np.sum(y[yes]))
        point_precision = tp / max(int(yes.sum()), 1)
        ax.plot(
            [tp / positives],
            [point_precision],
            "o",
            ms=10,
            color=palette[i % len(palette)],
            label=f"$r = {r:g}$: $p > {1.0 / (1.0 + r):.3g}$",
        )
    ax.set_xlabel("recall")
    ax.set_ylabel("precision")
    ax.set_xlim(0, 1)
    ax.set_ylim(0, 1)
    ax.legend(loc="upper right", fontsize=10)
    return ax


def plot_bce_soft_target(targets: ArrayLike = (0.2, 0.5, 0.9), ax: Axes | None = None) -> Axes:
    r"""Binary cross-entropy against the predicted probability, one curve per soft target.

    For each target :math:`y`, draws :math:`\ell(p, y) = -[y \log p + (1 - y) \log(1 - p)]`
    against :math:`p`, computed by :func:`xentbook.binary_cross_entropy`, and marks its minimum
    :math:`(y, H_{\mathrm b}(y))`: the best prediction is the target itself, and the loss there
    is the binary entropy of the target, not zero.

    Parameters
    ----------
    targets : array_like, optional
        The soft targets :math:`y`, each in :math:`[0, 1]`.
    ax : Axes, optional
        Where to draw; a new figure when omitted.

    Returns
    -------
    Axes
        ``ax.lines[2 i]`` is the loss curve of ``targets[i]`` and ``ax.lines[2 i + 1]`` its
        minimum, the single point :math:`(y, H_{\mathrm b}(y))`.

    Raises
    ------
    ValueError
        If a target lies outside :math:`[0, 1]`.

    Examples
    --------
    >>> import matplotlib.pyplot as plt
    >>> from xentbook.plots import plot_bce_soft_target
    >>> ax = plot_bce_soft_target([0.2])
    >>> print(f"{ax.lines[1].get_ydata()[0]:.4f}")  # H_b(0.2) in nats
    0.5004
    >>> plt.close("all")
    """
    ys = np.atleast_1d(np.asarray(targets, dtype=float))
    if not np.all((ys >= 0) & (ys <= 1)):
        raise ValueError(f"plot_bce_soft_target: targets must lie in [0, 1], got {ys.tolist()!r}")
    ax = new_axes(ax, figsize=(6.0, 4.0))
    p = np.linspace(0.005, 0.995, 397)
    palette: list[Any] = [COLORS["ce"], COLORS["accent"], COLORS["grad"], COLORS["extra"]]
    for i, y in enumerate(ys):
        color = palette[i % len(palette)]
        loss = binary_cross_entropy(p, np.full_like(p, y), reduction="none")
        floor = float(binary_cross_entropy([y], [y], reduction="sum"))
        ax.plot(p, loss, color=color, lw=2, label=f"target $y = {y:g}$")
        ax.plot([y], [floor], "o", ms=8, color=color)
    ax.set_xlabel(r"predicted probability $p$")
    ax.set_ylabel("loss (nats)")
    ax.set_xlim(0, 1)
    ax.set_ylim(0, 3.0)
    ax.legend(loc="upper center", fontsize=10, framealpha=1.0)  # above the minima, between the arms
    return ax


def plot_sigmoid_vs_softmax(logits: ArrayLike, targets: ArrayLike, ax: Axes | None = None) -> Axes:
    r"""The probabilities of one multi-label example: one sigmoid per label against a softmax.

    For the :math:`L` logits :math:`x_l` of one example, draws side by side, label by label, the
    independent probabilities :math:`\sigma(x_l)` of a multi-label model and the softmax
    :math:`e^{x_l} / \sum_k e^{x_k}` of the same logits, which share one unit of probability.
    Each label's tick names its target, and the legend gives the sum of each set of bars.

    Parameters
    ----------
    logits : array_like
        The :math:`L` logits of one example, shape ``(L,)``.
    targets : array_like
        Its 0/1 targets, shape ``(L,)``.
    ax : Axes, optional
        Where to draw; a new figure when omitted.

    Returns
    -------
    Axes
        ``ax.containers[0]`` holds the sigmoid bars and ``ax.containers[1]`` the softmax bars,
        one per label, in label order.

    Raises
    ------
    ValueError
        If ``logits`` is not one-dimensional, or the shapes differ.

    Examples
    --------
    >>> import matplotlib.pyplot as plt
    >>> from xentbook.plots import plot_sigmoid_vs_softmax
    >>> ax = plot_sigmoid_vs_softmax([2.0, -1.0, 0.5], [1, 0, 1])
    >>> print([f"{bar.get_height():.3f}" for bar in ax.containers[1]])  # the softmax bars
    ['0.786', '0.039', '0.175']
    >>> plt.close("all")
    """
    x = np.asarray(logits, dtype=float)
    y = np.asarray(targets, dtype=float)
    if x.ndim != 1 or x.shape != y.shape:
        raise ValueError(
            f"plot_sigmoid_vs_softmax: logits must be one-dimensional and targets of the same "
            f"shape, got {x.shape} and {y.shape}"
        )
    independent, shared = sigmoid(x), softmax(x)
    ax = new_axes(ax, figsize=(6.0, 4.2))
    where, width = np.arange(x.size), 0.38
    ax.bar(
        where - width / 2,
        independent,
        width,
        color=COLORS["ce"],
        label=f"one sigmoid per label (sum {independent.sum():.2f})",
    )
    ax.bar(
        where + width / 2,
        shared,
        width,
        color=COLORS["accent"],
        label=f"softmax over the labels (sum {shared.sum():.2f})",
    )
    ax.axhline(0.5, color=COLORS["reference"], lw=1.2, ls="--")
    ax.set_xticks(where, [f"label {k}\n$y = {t:g}$" for k, t in enumerate(y)])
    ax.set_ylabel("predicted probability")
    ax.set_ylim(0, 1.45)
    ax.set_yticks([0.0, 0.25, 0.5, 0.75, 1.0])
    ax.legend(loc="upper right", fontsize=10, framealpha=1.0)
    return ax
