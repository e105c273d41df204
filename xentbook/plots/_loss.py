"""Figures of chapter 6: the loss as a surrogate of the 0-1 loss, its shape, its gradient, its
soft floor, the excess error against the excess loss, the validation loss and error against the
scale of the logits, the drift of gradient descent on separable data, and the noise of a batch
gradient against the batch size.

The figures are 5 in wide (550 CSS pixels) with 10 to 11 pt text, so that on a 390 px phone the
text stays about 11 px high.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np
from matplotlib.axes import Axes
from matplotlib.ticker import FuncFormatter

from xentbook.plots._style import COLORS, new_axes, two_axes

__all__ = [
    "plot_excess_error_bound",
    "plot_gradient_noise",
    "plot_log_loss_shape",
    "plot_separable_drift",
    "plot_soft_target_floor",
    "plot_surrogate_bounds",
    "plot_true_logit_gradient",
    "plot_validation_scale",
]

# Width and height (in) of every figure of the chapter, and the size of legend text (pt).
FIGSIZE = (5.0, 4.0)
LEGEND_PT = 10.5


def plot_surrogate_bounds(
    num_classes: int = 10,
    margins: tuple[float, float] = (-4.0, 6.0),
    num: int = 501,
    ax: Axes | None = None,
) -> Axes:
    r"""The cross-entropy in bits against the margin, with the 0-1 loss it bounds.

    The margin is :math:`m = z_y - \max_{k \ne y} z_k`. Whatever the other logits,

    .. math::

        \log_2(1 + e^{-m}) \le -\log_2 p_y \le \log_2\bigl(1 + (C - 1)\, e^{-m}\bigr),

    and the 0-1 loss :math:`[m \le 0]` (a tie counted as an error) lies below the lower curve.
    Lines, in order: the 0-1 loss, the lower bound (the loss itself for two classes, a lower
    bound for any number), the upper bound for ``num_classes``. The band between the two bounds
    is shaded. The lower curve touches the 0-1 loss at :math:`m = 0`, where both are one bit.

    Parameters
    ----------
    num_classes : int
        :math:`C \ge 2`, the number of classes of the upper bound.
    margins : (float, float)
        Range of the margin on the horizontal axis; it must contain 0.
    num : int
        Number of points per curve.
    ax : Axes, optional
        Where to draw; a new figure when omitted.

    Returns
    -------
    Axes

    Raises
    ------
    ValueError
        If ``num_classes < 2`` or the margin range does not contain 0.

    Examples
    --------
    >>> import matplotlib.pyplot as plt
    >>> from xentbook.plots import plot_surrogate_bounds
    >>> ax = plot_surrogate_bounds(num_classes=10, margins=(-1.0, 1.0), num=3)
    >>> print([f"{v:.4f}" for v in ax.lines[1].get_ydata()])  # log2(1 + e^-m)
    ['1.8946', '1.0000', '0.4519']
    >>> plt.close("all")
    """
    if int(num_classes) != num_classes or num_classes < 2:
        raise ValueError(
            f"plot_surrogate_bounds: num_classes must be an integer >= 2, got {num_classes!r}"
        )
    lo, hi = (float(v) for v in margins)
    if not lo < 0 < hi:
        raise ValueError(f"plot_surrogate_bounds: margins must contain 0, got {margins!r}")
    m = np.linspace(lo, hi, num)
    zero_one = (m <= 0).astype(float)
    lower = np.logaddexp(0.0, -m) / np.log(2)
    upper = np.logaddexp(0.0, np.log(num_classes - 1) - m) / np.log(2)
    ax = new_axes(ax, figsize=FIGSIZE)
    ax.plot(m, zero_one, color="black", lw=2, drawstyle="steps-post", label="0-1 loss")
    ax.plot(
        m,
        lower,
        color=COLORS["ce"],
        lw=2,
        label=r"$\log_2(1 + e^{-m})$:" "\n" r"$C = 2$ exactly; lower bound for any $C$",
    )
    ax.plot(
        m,
        upper,
        color=COLORS["accent"],
        lw=2,
        ls="--",
        label=rf"$\log_2(1 + {num_classes - 1}\,e^{{-m}})$:"
        "\n"
        rf"upper bound for $C = {num_classes}$",
    )
    ax.fill_between(m, lower, upper, color=COLORS["accent"], alpha=0.15, lw=0)
    ax.set_xlabel(r"margin $m = z_y - \max_{k \neq y} z_k$")
    ax.set_ylabel(r"loss in bits, $-\log_2 p_y$")
    ax.set_xlim(lo, hi)
    # Headroom above the upper bound keeps the legend, top right, clear of the dashed curve.
    ax.set_ylim(0, 1.15 * float(upper.max()))
    ax.legend(loc="upper right", fontsize=LEGEND_PT)
    return ax


def plot_log_loss_shape(
    p_min: float = 0.005,
    halvings: int = 6,
    num: int = 400,
    ax: Axes | None = None,
) -> Axes:
    r"""The loss :math:`-\log p_y` against :math:`p_y`, beside the largest squared error.

    Lines, in order: the cross-entropy :math:`-\log p_y` on a grid from ``p_min`` to 1; the
    curve :math:`2 (1 - p_y)^2`, the largest value the squared error
    :math:`\lVert p - e_y \rVert^2` can take at that :math:`p_y` (whatever :math:`C`); and
    dots at :math:`p_y = 1, 1/2, \dots, 2^{-\text{halvings}}`, where the loss is
    :math:`k \log 2`.

    Parameters
    ----------
    p_min : float
        Smallest probability drawn, in ``(0, 1)``.
    halvings : int
        Number of halvings marked with dots.
    num : int
        Number of points per curve.
    ax : Axes, optional
        Where to draw; a new figure when omitted.

    Returns
    -------
    Axes

    Raises
    ------
    ValueError
        If ``p_min`` is not in ``(0, 1)`` or ``2**-halvings < p_min``.

    Examples
    --------
    >>> import matplotlib.pyplot as plt
    >>> from xentbook.plots import plot_log_loss_shape
    >>> ax = plot_log_loss_shape(halvings=2)
    >>> print([f"{v:.4f}" for v in ax.lines[2].get_ydata()])  # 0, log 2, 2 log 2
    ['0.0000', '0.6931', '1.3863']
    >>> plt.close("all")
    """
    if not 0 < p_min < 1:
        raise ValueError(f"plot_log_loss_shape: p_min must be in (0, 1), got {p_min!r}")
    if 2.0**-halvings < p_min:
        raise ValueError(
            f"plot_log_loss_shape: 2**-halvings = {2.0**-halvings:g} is below p_min = {p_min:g}"
        )
    p = np.linspace(p_min, 1.0, num)
    ax = new_axes(ax, figsize=FIGSIZE)
    ax.plot(p, -np.log(p), color=COLORS["ce"], lw=2, label=r"cross-entropy $-\log p_y$")
    ax.plot(
        p,
        2 * (1 - p) ** 2,
        color=COLORS["mse"],
        lw=2,
        ls="--",
        label=r"largest squared error $2(1 - p_y)^2$",
    )
    dots = 2.0 ** -np.arange(halvings + 1)
    ax.plot(
        dots,
        -np.log(dots),
        "o",
        color=COLORS["ce"],
        ms=6,
        clip_on=False,  # the dot at p_y = 1 sits on the frame's corner
        zorder=3,
        label=r"$p_y = 2^{-k}$: $k \log 2$",
    )
    ax.set_xlabel(r"probability of the true class, $p_y$")
    ax.set_ylabel("loss (nats) / squared error")
    ax.set_xlim(0, 1)
    ax.set_ylim(0, float(-np.log(p_min)) * 1.02)
    ax.legend(loc="upper right", fontsize=LEGEND_PT)
    return ax


def plot_soft_target_floor(
    targets: Sequence[float] = (0.8, 1.0),
    gap_at: float = 0.25,
    num: int = 2001,
    ax: Axes | None = None,
) -> Axes:
    r"""Two-class cross-entropy against the prediction, for several targets, with its floor.

    For each target probability :math:`t` of class 1, the target is :math:`y = (1 - t, t)`, the
    prediction :math:`p = (1 - p_1, p_1)`, and the loss :math:`H(y, p)` is drawn for :math:`p_1`
    on a grid uniform in the logit :math:`s = \log(p_1 / (1 - p_1)) \in [-30, 30]`, dense near
    0 and 1, so that a curve that tends to infinity at an end leaves through the top of the
    frame. It is drawn together with its floor, the entropy :math:`H(y)`, reached at
    :math:`p_1 = t`.
    Lines, in order, for each target: the loss, its floor (a horizontal line over the same
    grid), and the minimum as one dot at :math:`(t, H(y))`, drawn unclipped so that a dot on the
    frame stays whole. The vertical axis starts slightly below 0 so that a floor at 0 (a one-hot
    target) is visible above the frame. Each floor carries its value as a text label at the left.
    For the first target, a vertical segment at ``p_1 = gap_at`` marks the gap between the loss
    and the floor, which is :math:`D_{\mathrm{KL}}(y \,\|\, p)`, labelled to the left of the
    segment.

    Parameters
    ----------
    targets : sequence of float
        Target probabilities of class 1, each in ``[0, 1]``.
    gap_at : float
        Prediction at which the KL gap of the first target is marked, in ``(0, 1)``.
    num : int
        Number of points per curve.
    ax : Axes, optional
        Where to draw; a new figure when omitted.

    Returns
    -------
    Axes

    Raises
    ------
    ValueError
        If a target is outside ``[0, 1]``, there is none, or ``gap_at`` is not in ``(0, 1)``.

    Examples
    --------
    >>> import matplotlib.pyplot as plt
    >>> from xentbook.plots import plot_soft_target_floor
    >>> ax = plot_soft_target_floor(targets=(0.8,))
    >>> print(f"{ax.lines[1].get_ydata()[0]:.4f}")  # H(0.2, 0.8)
    0.5004
    >>> plt.close("all")
    """
    ts = [float(t) for t in targets]
    if not ts or any(not 0 <= t <= 1 for t in ts):
        raise ValueError(f"plot_soft_target_floor: targets must be in [0, 1], got {targets!r}")
    if not 0 < gap_at < 1:
        raise ValueError(f"plot_soft_target_floor: gap_at must be in (0, 1), got {gap_at!r}")
    s = np.linspace(-30.0, 30.0, num)  # the logit of p_1
    p1 = 1 / (1 + np.exp(-s))  # expit(s)

    def loss_at(t: float, logit: np.ndarray) -> np.ndarray:
        # log p_1 = -softplus(-s), log(1 - p_1) = -softplus(s), exact even where p_1 rounds
        # to 1; 0 * log 0 = 0: a class the target does not use adds nothing.
        log_p1, log_p0 = -np.logaddexp(0.0, -logit), -np.logaddexp(0.0, logit)
        out: np.ndarray = np.zeros_like(logit)
        if t > 0:
            out -= t * log_p1
        if t < 1:
            out -= (1 - t) * log_p0
        return out

    def loss(t: float, pred: np.ndarray) -> np.ndarray:
        return loss_at(t, np.log(pred) - np.log1p(-pred))

    def floor(t: float) -> float:
        return float(sum(-v * np.log(v) for v in (t, 1 - t) if v > 0))

    ax = new_axes(ax, figsize=FIGSIZE)
    palette = [COLORS["ce"], COLORS["accent"], COLORS["extra"], COLORS["grad"]]
    for i, t in enumerate(ts):
        color = palette[i % len(palette)]
        kind = "one-hot" if t in (0.0, 1.0) else "soft"
        label = rf"{kind} target $y = ({1 - t:g}, {t:g})$"
        ax.plot(p1, loss_at(t, s), color=color, lw=2, label=label)
        h = floor(t)
        ax.plot(p1, np.full_like(p1, h), color=color, lw=1.5, ls=":")
        ax.plot([t], [h], "o", color=color, ms=7, clip_on=False, zorder=3)
        # Below a positive floor (clear of the KL arrow), above the floor at 0.
        ax.text(
            0.01,
            h - 0.04 if h > 0 else 0.04,
            rf"floor $H(y) = {h:.3f}$" if h > 0 else r"floor $H(y) = 0$",
            color=color,
            ha="left",
            va="top" if h > 0 else "bottom",
            fontsize=LEGEND_PT,
        )
    t0 = ts[0]
    top = float(loss(t0, np.array([gap_at]))[0])
    ax.annotate(
        "",
        xy=(gap_at, floor(t0)),
        xytext=(gap_at, top),
        arrowprops={"arrowstyle": "<->", "color": COLORS["reference"], "lw": 1.5},
    )
    ax.text(
        gap_at - 0.02,
        (top + floor(t0)) / 2,
        r"$D_{\mathrm{KL}}(y \,\|\, p)$",
        ha="right",
        va="center",
        fontsize=LEGEND_PT + 0.5,
    )
    ax.set_xlabel(r"predicted probability of class 1, $p_1$")
    ax.set_ylabel(r"loss $H(y, p)$ (nats)")
    ax.set_xlim(0, 1)
    ax.set_ylim(-0.12, 3)
    # Upper right, moved in from the frame: clear of the soft curve's rise at p_1 -> 1.
    ax.legend(loc="upper right", bbox_to_anchor=(0.94, 1.0), fontsize=LEGEND_PT)
    return ax


def plot_true_logit_gradient(
    num: int = 401,
    ax: Axes | None = None,
) -> Axes:
    r"""How hard each loss pushes the true logit, against the probability of the true class.

    With :math:`p = \operatorname{softmax}(z)`, the cross-entropy :math:`-\log p_y` has
    :math:`\partial \ell / \partial z_y = p_y - 1`, and the loss without the logarithm,
    :math:`-p_y`, has :math:`\partial (-p_y) / \partial z_y = -p_y (1 - p_y)`. Lines, in
    order: the magnitudes :math:`1 - p_y` and :math:`p_y (1 - p_y)` on a grid of :math:`p_y`
    from 0 to 1. Neither depends on how the rest of the probability is spread.

    Parameters
    ----------
    num : int
        Number of points per curve.
    ax : Axes, optional
        Where to draw; a new figure when omitted.

    Returns
    -------
    Axes

    Examples
    --------
    >>> import matplotlib.pyplot as plt
    >>> from xentbook.plots import plot_true_logit_gradient
    >>> ax = plot_true_logit_gradient(num=3)
    >>> print(ax.lines[0].get_ydata(), ax.lines[1].get_ydata())
    [1.  0.5 0. ] [0.   0.25 0.  ]
    >>> plt.close("all")
    """
    p_y = np.linspace(0.0, 1.0, num)
    ax = new_axes(ax, figsize=FIGSIZE)
    ax.plot(
        p_y,
        1 - p_y,
        color=COLORS["ce"],
        lw=2,
        label=r"cross-entropy $-\log p_y$:" "\n" r"$|\partial \ell / \partial z_y| = 1 - p_y$",
    )
    ax.plot(
        p_y,
        p_y * (1 - p_y),
        color=COLORS["mse"],
        lw=2,
        ls="--",
        label=r"no logarithm, $-p_y$:" "\n" r"$|\partial \ell / \partial z_y| = p_y (1 - p_y)$",
    )
    ax.annotate(
        "confidently wrong:\nno push without the log",
        xy=(0.02, 0.02),
        xytext=(0.1, 0.45),
        fontsize=LEGEND_PT,
        arrowprops={"arrowstyle": "->", "color": COLORS["reference"], "lw": 1.2},
    )
    ax.set_xlabel(r"probability of the true class, $p_y$")
    ax.set_ylabel(r"size of the gradient on $z_y$")
    ax.set_xlim(0, 1)
    ax.set_ylim(0, 1.05)
    ax.legend(loc="upper right", fontsize=LEGEND_PT)
    return ax


def plot_gradient_noise(
    batch_sizes: Sequence[int],
    measured: Sequence[float],
    trace_sigma: float,
    signal: float,
    population: int | None = None,
    ax: Axes | None = None,
) -> Axes:
    r"""Noise of a batch-mean gradient against the batch size, on log-log axes, with the signal.

    Lines, in order: the formula :math:`\operatorname{tr}\Sigma / N` (sampling with
    replacement) on a grid of :math:`N` from ``min(batch_sizes)`` to ``max(batch_sizes)``; if
    ``population`` is given, the formula without replacement,
    :math:`\frac{\operatorname{tr}\Sigma}{N} \frac{M - N}{M - 1}` with :math:`M` the population,
    on the same grid (dashed); the measured noise as dots at ``batch_sizes``; the squared norm of
    the full gradient :math:`\lVert \bar g \rVert^2` (``signal``) as a horizontal line; and a
    vertical dotted line at the simple noise scale
    :math:`B_{\text{simple}} = \operatorname{tr}\Sigma / \lVert \bar g \rVert^2`, where the
    first formula crosses the signal.

    Parameters
    ----------
    batch_sizes : sequence of int
        Batch sizes at which the noise was measured, increasing, all positive.
    measured : sequence of float
        Measured mean squared distance :math:`\mathbb{E}\lVert \hat g - \bar g \rVert^2`, one
        per batch size, all positive.
    trace_sigma : float
        :math:`\operatorname{tr}\Sigma > 0`, the summed variance of the per-item gradients.
    signal : float
        :math:`\lVert \bar g \rVert^2 > 0`.
    population : int, optional
        Size :math:`M` of the data set the batches are drawn from without replacement; at least
        ``max(batch_sizes)``.
    ax : Axes, optional
        Where to draw; a new figure when omitted.

    Returns
    -------
    Axes

    Raises
    ------
    ValueError
        If the lengths differ, a value is not positive, or ``population`` is too small.

    Examples
    --------
    >>> import matplotlib.pyplot as plt
    >>> from xentbook.plots import plot_gradient_noise
    >>> ax = plot_gradient_noise([1, 10], [1.0, 0.1], trace_sigma=1.0, signal=0.05)
    >>> print(ax.lines[-1].get_xdata())  # B_simple = 1 / 0.05
    [20. 20.]
    >>> plt.close("all")
    """
    sizes = np.asarray(batch_sizes, dtype=float)
    noise = np.asarray(measured, dtype=float)
    if sizes.shape != noise.shape or sizes.ndim != 1 or sizes.size == 0:
        raise ValueError(
            "plot_gradient_noise: batch_sizes and measured must be 1-D of the same length"
        )
    if np.any(sizes <= 0) or np.any(noise <= 0) or trace_sigma <= 0 or signal <= 0:
        raise ValueError("plot_gradient_noise: sizes, noise, trace_sigma and signal must be > 0")
    if population is not None and population < sizes.max():
        raise ValueError(
            f"plot_gradient_noise: population {population} is below the largest batch size"
        )
    grid = np.geomspace(sizes.min(), sizes.max(), 200)
    b_simple = trace_sigma / signal
    ax = new_axes(ax, figsize=FIGSIZE)
    ax.plot(
        grid,
        trace_sigma / grid,
        color=COLORS["ce"],
        lw=2,
        label=r"noise $\mathrm{tr}\,\Sigma / N$ (with replacement)",
    )
    if population is not None:
        factor = (population - grid) / (population - 1)
        ax.plot(
            grid,
            trace_sigma / grid * factor,
            color=COLORS["ce"],
            lw=1.5,
            ls="--",
            label=rf"without replacement, $M = {population}$",
        )
    how = "measured" if population is None else "measured (without replacement)"
    ax.plot(sizes, noise, "o", color=COLORS["ce"], ms=6, label=how)
    ax.axhline(
        signal,
        color=COLORS["accent"],
        lw=2,
        label=r"signal $\Vert \bar g \Vert^2$",
    )
    ax.plot(
        [b_simple, b_simple],
        [signal, trace_sigma / sizes.min()],
        color=COLORS["reference"],
        lw=1.2,
        ls=":",
    )
    ax.text(
        b_simple * 1.1,
        signal * 3,
        rf"$B_{{\mathrm{{simple}}}} \approx {b_simple:.0f}$",
        fontsize=LEGEND_PT,
    )
    ax.set_xscale("log")
    ax.set_yscale("log")
    ax.set_xlabel(r"batch size $N$")
    ax.set_ylabel(r"noise $\mathbb{E}\,\Vert \hat g - \bar g \Vert^2$")
    ax.legend(loc="lower left", fontsize=LEGEND_PT)
    return ax


def plot_validation_scale(
    scales: Sequence[float],
    losses: Sequence[float],
    errors: Sequence[float],
    ax: Any = None,
) -> Any:
    r"""Validation loss and error rate of one classifier against the scale of its logits.

    Two panels stacked, sharing a logarithmic horizontal axis: the scale :math:`t` by which
    every logit is multiplied. Top: the mean cross-entropy (nats) as a line, its smallest value
    as a dot, and a dotted vertical line at :math:`t = 1`. Bottom: the error rate as a line, and
    the same vertical line, on an axis from 0 to 1.5 times the largest error (at most 1).
    Scaling the logits by :math:`t > 0` keeps every arg max, so the error rate is flat, while
    the loss is U-shaped.

    Parameters
    ----------
    scales : sequence of float
        Scales :math:`t`, increasing, all positive; the range should contain 1.
    losses : sequence of float
        Validation loss at each scale.
    errors : sequence of float
        Validation error rate at each scale, in ``[0, 1]``.
    ax : pair of Axes, optional
        Where to draw (top, bottom); a new figure of two stacked panels when omitted.

    Returns
    -------
    numpy.ndarray of Axes
        The two panels, top (loss) then bottom (error rate). In the top one ``lines[0]`` is the
        loss and ``lines[1]`` its smallest value; in the bottom one ``lines[0]`` is the error
        rate.

    Raises
    ------
    ValueError
        If the lengths differ, a scale is not positive, or the scales do not increase.
    TypeError
        If ``ax`` is given and is not two Axes.

    Examples
    --------
    >>> import matplotlib.pyplot as plt
    >>> from xentbook.plots import plot_validation_scale
    >>> scales, losses, errors = [0.5, 1.0, 2.0], [1.0, 0.9, 1.1], [0.3, 0.3, 0.3]
    >>> top, bottom = plot_validation_scale(scales, losses, errors)
    >>> print(top.lines[1].get_xdata(), top.lines[1].get_ydata())  # the smallest loss
    [1.] [0.9]
    >>> plt.close("all")
    """
    t = np.asarray(scales, dtype=float)
    loss = np.asarray(losses, dtype=float)
    err = np.asarray(errors, dtype=float)
    if not (t.shape == loss.shape == err.shape) or t.ndim != 1 or t.size == 0:
        raise ValueError(
            "plot_validation_scale: scales, losses and errors must be 1-D of the same length"
        )
    if np.any(t <= 0) or np.any(np.diff(t) <= 0):
        raise ValueError("plot_validation_scale: scales must be positive and increasing")
    top, bottom = two_axes("plot_validation_scale", ax, figsize=(5.0, 5.2))
    best = int(np.argmin(loss))
    top.plot(t, loss, color=COLORS["ce"], lw=2, label="validation loss")
    top.plot(
        [t[best]],
        [loss[best]],
        "o",
        color=COLORS["ce"],
        ms=7,
        zorder=3,
        label=rf"smallest loss, $t = {t[best]:.2g}$",
    )
    bottom.plot(t, err, color=COLORS["mse"], lw=2, label="validation error rate")
    for a in (top, bottom):
        a.axvline(1.0, color=COLORS["reference"], lw=1.2, ls=":")
        a.set_xscale("log")
        a.set_xlim(t[0], t[-1])
        a.xaxis.set_major_formatter(FuncFormatter(lambda v, _: f"{v:g}"))
    top.text(
        1.08,
        0.97,
        r"$t = 1$",
        transform=top.get_xaxis_transform(),
        va="top",
        fontsize=LEGEND_PT,
        color=COLORS["reference"],
    )
    top.set_ylabel("loss (nats)")
    top.set_ylim(0, None)
    top.legend(loc="upper left", fontsize=LEGEND_PT)
    bottom.set_ylabel("error rate")
    bottom.set_ylim(0, min(1.0, max(0.1, 1.5 * float(err.max()))))
    bottom.set_xlabel(r"scale $t$ of the logits (log axis)")
    bottom.legend(loc="upper left", fontsize=LEGEND_PT)
    return np.array([top, bottom], dtype=object)


def plot_excess_error_bound(
    excess_loss: Sequence[float] = (),
    excess_error: Sequence[float] = (),
    max_loss: float = 0.75,
    num: int = 400,
    ax: Axes | None = None,
) -> Axes:
    r"""Excess error against excess loss: the Pinsker bound, its two-class attainment, samples.

    For one input with conditional distribution :math:`q` and a prediction :math:`p`, the excess
    error of the arg max of :math:`p` over the Bayes choice is at most
    :math:`\sqrt{2 D_{\mathrm{KL}}(q \Vert p)}` (nats), and the same holds for averages over
    inputs. Lines, in order: the bound :math:`\min(1, \sqrt{2\Delta})` against the excess loss
    :math:`\Delta`; the two-class curve :math:`(\psi(\theta), \theta)`,
    :math:`\psi(\theta) = \tfrac12[(1 + \theta)\log(1 + \theta) + (1 - \theta)\log(1 - \theta)]`,
    for :math:`0 \le \theta < 1`, the limit of predictions just on the wrong side of uniform
    against :math:`q = ((1 + \theta)/2, (1 - \theta)/2)`, which approaches the bound as
    :math:`\theta \to 0`. The optional samples are drawn as dots. The legend sits above the
    axes.

    Parameters
    ----------
    excess_loss, excess_error : sequence of float
        Optional samples, one pair per point: :math:`D_{\mathrm{KL}}(q \Vert p)` in nats and the
        excess error :math:`q_b - q_a`. Points beyond ``max_loss`` fall outside the frame.
    max_loss : float
        Right end of the horizontal axis, in nats (positive).
    num : int
        Number of points per curve.
    ax : Axes, optional
        Where to draw; a new figure when omitted.

    Returns
    -------
    Axes
        ``lines[0]`` is the bound, ``lines[1]`` the two-class curve; the samples, if any, are
        ``collections[0]``.

    Raises
    ------
    ValueError
        If ``max_loss`` is not positive or the samples differ in length.

    Examples
    --------
    >>> import matplotlib.pyplot as plt
    >>> from xentbook.plots import plot_excess_error_bound
    >>> ax = plot_excess_error_bound(max_loss=0.5, num=3)
    >>> print([f"{v:.4f}" for v in ax.lines[0].get_ydata()])  # sqrt(2 Delta)
    ['0.0000', '0.7071', '1.0000']
    >>> plt.close("all")
    """
    if not max_loss > 0:
        raise ValueError(f"plot_excess_error_bound: max_loss must be positive, got {max_loss!r}")
    dx = np.asarray(excess_loss, dtype=float)
    dy = np.asarray(excess_error, dtype=float)
    if dx.shape != dy.shape or dx.ndim != 1:
        raise ValueError(
            "plot_excess_error_bound: excess_loss and excess_error must be 1-D of the same length"
        )
    delta = np.linspace(0.0, float(max_loss), num)
    bound = np.minimum(1.0, np.sqrt(2.0 * delta))
    theta = np.linspace(0.0, 1.0, num, endpoint=False)
    psi = 0.5 * ((1 + theta) * np.log1p(theta) + (1 - theta) * np.log1p(-theta))
    ax = new_axes(ax, figsize=(5.0, 4.4))
    if dx.size:
        ax.scatter(
            dx,
            dy,
            s=12,
            color=COLORS["reference"],
            alpha=0.5,
            lw=0,
            label=r"random three-class pairs $(q, p)$",
            zorder=1,
        )
    ax.plot(delta, bound, color="black", lw=2, label=r"bound $\sqrt{2\,\Delta}$", zorder=3)
    ax.plot(
        psi,
        theta,
        color=COLORS["ce"],
        lw=2,
        ls="--",
        label=r"two classes, $p$ just past uniform (exercise 6.2)",
        zorder=2,
    )
    ax.set_xlim(0, float(max_loss))
    ax.set_ylim(-0.02, 1.02)  # dots of zero excess error stay visible above the spine
    ax.set_xlabel(r"excess loss $\Delta = D_{\mathrm{KL}}(q \,\Vert\, p)$ (nats)")
    ax.set_ylabel("excess error")
    # Bound first, samples last; one column above the axes, clear of every curve and dot.
    handles, labels = ax.get_legend_handles_labels()
    order = sorted(range(len(labels)), key=lambda i: labels[i].startswith("random"))
    ax.legend(
        [handles[i] for i in order],
        [labels[i] for i in order],
        loc="lower left",
        bbox_to_anchor=(0.0, 1.02),
        fontsize=LEGEND_PT,
        borderaxespad=0.0,
    )
    return ax


def plot_separable_drift(
    steps: Sequence[int],
    losses: Sequence[float],
    norms: Sequence[float],
    separator_norm: float,
    ax: Any = None,
) -> Any:
    r"""Training loss and weight norm of gradient descent on separable data, against the step.

    Two panels stacked, sharing a logarithmic horizontal axis: the step :math:`t`. Top, on
    log-log axes: the training loss as a line, and a dashed guide :math:`c / t` through its last
    point. Bottom: the Frobenius norm of the weights as a line, and a dashed guide
    :math:`\lVert \hat W \rVert_F \ln t + b` through its last point, where :math:`\hat W` is the
    max-margin separator. On separable data the loss falls like :math:`1 / t` and the norm grows
    like :math:`\lVert \hat W \rVert_F \ln t` (Soudry et al., 2018).

    Parameters
    ----------
    steps : sequence of int
        Steps at which the loss and the norm were recorded, increasing, all positive.
    losses : sequence of float
        Training loss after each of those steps, all positive.
    norms : sequence of float
        Norm of the weights after each of those steps.
    separator_norm : float
        :math:`\lVert \hat W \rVert_F > 0`, the slope of the norm against :math:`\ln t`.
    ax : pair of Axes, optional
        Where to draw (top, bottom); a new figure of two stacked panels when omitted.

    Returns
    -------
    numpy.ndarray of Axes
        The two panels, top (loss) then bottom (norm). In each, ``lines[0]`` is the recorded
        curve and ``lines[1]`` the dashed guide.

    Raises
    ------
    ValueError
        If the lengths differ, a step or loss is not positive, the steps do not increase, or
        ``separator_norm`` is not positive.
    TypeError
        If ``ax`` is given and is not two Axes.

    Examples
    --------
    >>> import matplotlib.pyplot as plt
    >>> from xentbook.plots import plot_separable_drift
    >>> top, bottom = plot_separable_drift([1, 10], [0.1, 0.01], [1.0, 2.0], 0.5)
    >>> print(top.lines[1].get_ydata())  # the guide c / t through the last point
    [0.1  0.01]
    >>> plt.close("all")
    """
    t = np.asarray(steps, dtype=float)
    loss = np.asarray(losses, dtype=float)
    norm = np.asarray(norms, dtype=float)
    if not (t.shape == loss.shape == norm.shape) or t.ndim != 1 or t.size == 0:
        raise ValueError(
            "plot_separable_drift: steps, losses and norms must be 1-D of the same length"
        )
    if np.any(t <= 0) or np.any(np.diff(t) <= 0) or np.any(loss <= 0):
        raise ValueError(
            "plot_separable_drift: steps must be positive and increasing, losses positive"
        )
    if not separator_norm > 0:
        raise ValueError(
            f"plot_separable_drift: separator_norm must be positive, got {separator_norm!r}"
        )
    top, bottom = two_axes("plot_separable_drift", ax, figsize=(5.0, 5.2))
    top.plot(t, loss, color=COLORS["ce"], lw=2, label="training loss")
    top.plot(t, loss[-1] * t[-1] / t, color=COLORS["reference"], lw=1.5, ls="--", label=r"$c / t$")
    top.set_yscale("log")
    top.set_ylabel("loss (nats)")
    top.legend(loc="upper right", fontsize=LEGEND_PT)
    offset = norm[-1] - separator_norm * np.log(t[-1])
    bottom.plot(t, norm, color=COLORS["accent"], lw=2, label=r"$\|W\|_F$")
    bottom.plot(
        t,
        separator_norm * np.log(t) + offset,
        color=COLORS["reference"],
        lw=1.5,
        ls="--",
        label=rf"${separator_norm:.3g}\,\ln t$ + const",
    )
    bottom.set_ylabel("weight norm")
    bottom.set_xlabel(r"step $t$ of gradient descent (log axis)")
    bottom.legend(loc="upper left", fontsize=LEGEND_PT)
    for a in (top, bottom):
        a.set_xscale("log")
        a.set_xlim(t[0], t[-1])
    return np.array([top, bottom], dtype=object)
