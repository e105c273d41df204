"""Figures of the chapter on focal loss, label smoothing and calibration."""

from __future__ import annotations

from typing import Any

import numpy as np
from matplotlib.axes import Axes
from numpy.typing import ArrayLike

from xentbook.calibration import expected_calibration_error, fit_temperature, reliability_bins
from xentbook.cross_entropy import cross_entropy, cross_entropy_grad
from xentbook.focal import focal_loss
from xentbook.plots._style import COLORS, new_axes
from xentbook.primitives import softmax

# One colour per focusing parameter, the same in every focal-loss figure.
_GAMMA_PALETTE = [COLORS["ce"], COLORS["accent"], COLORS["grad"], COLORS["extra"], COLORS["mse"]]
_GAMMA_COLORS = dict(zip((0.0, 0.5, 1.0, 2.0, 5.0), _GAMMA_PALETTE, strict=True))


def _gamma_color(gamma: float, index: int) -> str:
    """The book's colour for a focusing parameter; other values cycle through the palette."""
    return _GAMMA_COLORS.get(float(gamma), _GAMMA_PALETTE[index % len(_GAMMA_PALETTE)])


__all__ = [
    "plot_calibration_comparison",
    "plot_distillation_scale",
    "plot_focal_gradient_ratio",
    "plot_focal_loss",
    "plot_focal_optimum",
    "plot_generalised_cross_entropy",
    "plot_label_smoothing_loss",
    "plot_reliability_diagram",
    "plot_temperature_objective",
]


def plot_focal_loss(
    gammas: ArrayLike = (0.0, 0.5, 1.0, 2.0, 5.0),
    p_t: ArrayLike | None = None,
    ax: Axes | None = None,
) -> Axes:
    r"""Focal loss :math:`-(1 - p_t)^\gamma \log p_t` against :math:`p_t`, one curve per gamma.

    Each curve is computed by :func:`xentbook.focal_loss` on two-class logits
    :math:`(\log p_t, \log(1 - p_t))` with target 0, whose softmax gives the target probability
    :math:`p_t`. :math:`\gamma = 0` is the cross-entropy.

    Parameters
    ----------
    gammas : array_like, optional
        The focusing parameters to draw.
    p_t : array_like, optional
        Probabilities of the target class in :math:`(0, 1)` (default: 300 points on
        :math:`[0.01, 0.995]`).
    ax : Axes, optional
        Where to draw; a new figure when omitted.

    Returns
    -------
    Axes
        ``ax.lines[i]`` is the curve of ``gammas[i]``.

    Raises
    ------
    ValueError
        If a value of ``p_t`` is not strictly between 0 and 1, or a ``gamma`` is negative
        (refused by :func:`xentbook.focal_loss`).

    Examples
    --------
    >>> import matplotlib.pyplot as plt
    >>> from xentbook.plots import plot_focal_loss
    >>> ax = plot_focal_loss(gammas=[0.0, 2.0], p_t=[0.5, 0.9])
    >>> # (1 - p)^2 (-log p)
    >>> print(", ".join(f"{v:.6f}" for v in ax.lines[1].get_ydata()))
    0.173287, 0.001054
    >>> plt.close("all")
    """
    p = np.linspace(0.01, 0.995, 300) if p_t is None else np.asarray(p_t, dtype=float)
    if not np.all((p > 0) & (p < 1)):
        raise ValueError(
            f"plot_focal_loss: p_t must lie strictly between 0 and 1, got {p.tolist()!r}"
        )
    ax = new_axes(ax)
    logits = np.stack([np.log(p), np.log1p(-p)], axis=1)
    target = np.zeros(len(p), dtype=np.int64)
    for i, g in enumerate(np.atleast_1d(np.asarray(gammas, dtype=float))):
        loss = focal_loss(logits, target, gamma=float(g), reduction="none")
        name = r"$\gamma = 0$ (cross-entropy)" if g == 0 else rf"$\gamma = {g:g}$"
        ax.plot(p, loss, color=_gamma_color(g, i), lw=2, label=name)
    ax.axvspan(0.6, 1.0, color=COLORS["reference"], alpha=0.08, lw=0)
    ax.text(
        0.8,
        0.97,
        "well-classified\nitems",
        transform=ax.get_xaxis_transform(),
        ha="center",
        va="top",
        fontsize=10,
        color="0.35",
    )
    ax.set_xlabel(r"probability of the target class $p_t$")
    ax.set_ylabel("loss (nats, log scale)")
    ax.set_xlim(0, 1)
    # A log axis: near p_t = 1 the curves differ by orders of magnitude, which a linear axis
    # flattens onto zero; the vertical distance to the cross-entropy is the factor (1 - p_t)^g.
    ax.set_yscale("log")
    ax.set_ylim(1e-6, 20)
    ax.legend(loc="lower left", fontsize=10)
    return ax


def plot_reliability_diagram(
    probs: ArrayLike,
    labels: ArrayLike,
    n_bins: int = 15,
    title: str | None = None,
    ax: Axes | None = None,
) -> Axes:
    r"""Reliability diagram: accuracy per confidence bin against perfect calibration (the diagonal).

    Bars show :math:`\mathrm{acc}_b` of each non-empty bin of
    :func:`xentbook.book.reliability_bins`; a red outline shows the gap to the mean confidence
    :math:`\mathrm{conf}_b` (bars below the diagonal mean overconfidence). The expected
    calibration error is written in the corner.

    Parameters
    ----------
    probs : array_like
        Predicted probabilities, shape ``(N, C)``.
    labels : array_like
        True class indices, shape ``(N,)``.
    n_bins : int, optional
        Number of equal-width bins (default 15).
    title : str, optional
        Title of the panel.
    ax : Axes, optional
        Where to draw; a new figure when omitted.

    Returns
    -------
    Axes
        ``ax.containers[0]`` holds the accuracy bars (one per non-empty bin, at the bin
        centres), ``ax.containers[1]`` the gap outlines.

    Raises
    ------
    ValueError, TypeError, IndexError
        For bad ``probs``, ``labels`` or ``n_bins``, as :func:`xentbook.book.reliability_bins`.

    Examples
    --------
    >>> import matplotlib.pyplot as plt
    >>> from xentbook.plots import plot_reliability_diagram
    >>> probs = [[0.9, 0.1], [0.8, 0.2], [0.3, 0.7], [0.45, 0.55]]
    >>> ax = plot_reliability_diagram(probs, [0, 1, 1, 1], n_bins=2)
    >>> # 1 full bin
    >>> print(", ".join(f"{bar.get_height():.4f}" for bar in ax.containers[0]))
    0.7500
    >>> plt.close("all")
    """
    bins = reliability_bins(probs, labels, n_bins=n_bins)
    ece = expected_calibration_error(probs, labels, n_bins=n_bins)
    ax = new_axes(ax)
    full = bins.counts > 0
    left = bins.edges[:-1][full]
    width = np.diff(bins.edges)[full]
    centres = left + width / 2
    acc, conf = bins.accuracy[full], bins.confidence[full]
    ax.bar(
        centres, acc, width=width, color=COLORS["ce"], edgecolor="white", lw=0.8, label="accuracy"
    )
    ax.bar(
        centres,
        conf - acc,
        bottom=acc,
        width=width,
        fill=False,
        edgecolor=COLORS["mse"],
        lw=1.2,
        hatch="//",
        label="gap to confidence",
    )
    ax.plot([0, 1], [0, 1], color=COLORS["reference"], ls="--", lw=1, label="perfect calibration")
    ax.text(
        0.04,
        0.93,
        f"ECE = {ece:.3f}",
        transform=ax.transAxes,
        fontsize=10,
        bbox={"facecolor": "white", "edgecolor": "0.8"},
    )
    ax.set_xlim(0, 1)
    ax.set_ylim(0, 1)
    ax.set_aspect("equal")
    ax.set_xlabel("confidence (largest predicted probability)")
    ax.set_ylabel("accuracy")
    if title:
        ax.set_title(title)
    ax.legend(loc="lower right", fontsize=9)
    return ax


def plot_label_smoothing_loss(
    epsilons: ArrayLike = (0.0, 0.05, 0.1, 0.2),
    classes: int = 10,
    max_gap: float = 12.0,
    ax: Axes | None = None,
) -> Axes:
    r"""Label-smoothed cross-entropy against the gap between the target logit and the others.

    The logits are :math:`z = (g, 0, \dots, 0)` with target class 0, so :math:`g` is the margin
    of the right class. Each curve is :func:`xentbook.cross_entropy` with
    ``label_smoothing=eps``; a dot marks its minimum at
    :math:`g^\star = \log\bigl((1 - \varepsilon + \varepsilon / C) / (\varepsilon / C)\bigr)`
    (none for :math:`\varepsilon = 0`, whose loss keeps falling).

    Parameters
    ----------
    epsilons : array_like, optional
        The smoothing parameters :math:`\varepsilon` to draw.
    classes : int, optional
        The number of classes :math:`C`.
    max_gap : float, optional
        The largest gap drawn (the smallest is 0).
    ax : Axes, optional
        Where to draw; a new figure when omitted.

    Returns
    -------
    Axes
        ``ax.lines[i]`` is the curve of ``epsilons[i]``; ``ax.collections[0]`` holds the minima.

    Raises
    ------
    ValueError
        If ``classes`` is below 2 or ``max_gap`` is not positive (a smoothing parameter outside
        :math:`[0, 1]` is refused by :func:`xentbook.cross_entropy`).

    Examples
    --------
    >>> import matplotlib.pyplot as plt
    >>> from xentbook.plots import plot_label_smoothing_loss
    >>> ax = plot_label_smoothing_loss(epsilons=[0.1], classes=10)
    >>> gap, loss = ax.collections[0].get_offsets()[0]
    >>> print(f"g* = {gap:.4f} (log 91), minimum loss = {loss:.4f}")
    g* = 4.5109 (log 91), minimum loss = 0.5003
    >>> plt.close("all")
    """
    if isinstance(classes, bool) or not isinstance(classes, (int, np.integer)) or classes < 2:
        raise ValueError(
            f"plot_label_smoothing_loss: classes must be an integer >= 2, got {classes!r}"
        )
    if not (np.isfinite(max_gap) and max_gap > 0):
        raise ValueError(f"plot_label_smoothing_loss: max_gap must be positive, got {max_gap!r}")
    ax = new_axes(ax)
    gaps = np.linspace(0.0, max_gap, 241)
    logits = np.zeros((len(gaps), classes))
    logits[:, 0] = gaps
    target = np.zeros(len(gaps), dtype=np.int64)
    palette = [COLORS["ce"], COLORS["accent"], COLORS["grad"], COLORS["extra"], COLORS["mse"]]
    best_x, best_y, best_c = [], [], []
    for i, eps in enumerate(np.atleast_1d(np.asarray(epsilons, dtype=float))):
        color = palette[i % len(palette)]
        loss = cross_entropy(logits, target, reduction="none", label_smoothing=float(eps))
        ax.plot(gaps, loss, color=color, lw=2, label=rf"$\varepsilon = {eps:g}$")
        if eps > 0:
            g_star = np.log((1 - eps + eps / classes) / (eps / classes))
            z_star = np.zeros(classes)
            z_star[0] = g_star
            best_x.append(g_star)
            best_y.append(float(cross_entropy(z_star, np.array(0), label_smoothing=float(eps))))
            best_c.append(color)
    ax.scatter(best_x, best_y, c=best_c, s=40, zorder=3, edgecolors="black", linewidths=0.6)
    ax.set_xlabel(r"logit gap $g = z_y - z_k$ (all other logits equal)")
    ax.set_ylabel("loss (nats)")
    ax.set_xlim(0, max_gap)
    ax.set_ylim(bottom=0)
    ax.set_title(f"C = {classes} classes", fontsize=10)
    ax.legend(loc="upper center", ncols=2, fontsize=10)
    return ax


def plot_focal_gradient_ratio(
    gammas: ArrayLike = (0.5, 1.0, 2.0, 5.0), ax: Axes | None = None
) -> Axes:
    r"""How much of the cross-entropy's gradient the focal loss keeps, against :math:`p_t`.

    Both losses depend on the logits only through :math:`p_t`, so their gradients are parallel
    and the ratio of their sizes is

    .. math::

        (1 - p_t)^{\gamma - 1} \bigl[(1 - p_t) - \gamma\, p_t \log p_t\bigr],

    one curve per :math:`\gamma`, with the level 1 (the cross-entropy) dotted. The grid runs
    to :math:`1 - p_t = 10^{-6}`, so that every curve visibly reaches 0 (for :math:`\gamma < 1`
    the ratio falls only like :math:`\sqrt{1 - p_t}`), and the legend sits above the curves.

    Parameters
    ----------
    gammas : array_like, optional
        The focusing parameters to draw.
    ax : Axes, optional
        Where to draw; a new figure when omitted.

    Returns
    -------
    Axes
        ``lines[k]`` is the ratio for ``gammas[k]`` against :math:`p_t`; the last line is the
        level 1.

    Examples
    --------
    >>> import numpy as np
    >>> from xentbook.plots import plot_focal_gradient_ratio
    >>> ax = plot_focal_gradient_ratio([2.0])
    >>> p_t, ratio = ax.lines[0].get_data()
    >>> print(np.round(ratio[np.searchsorted(p_t, [0.1, 0.9])], 4))
    [1.2245 0.029 ]
    """
    ax = new_axes(ax)
    # Steps of 0.001 up to 0.99, then 1 - p_t on a log grid down to 1e-6.
    p_t = np.concatenate([np.linspace(0.001, 0.99, 990), 1 - np.geomspace(1e-2, 1e-6, 41)[1:]])
    top = 1.0
    for k, gamma in enumerate(np.asarray(gammas, dtype=np.float64)):
        ratio = (1 - p_t) ** (gamma - 1) * ((1 - p_t) - gamma * p_t * np.log(p_t))
        ax.plot(p_t, ratio, color=_gamma_color(gamma, k + 1), lw=2, label=rf"$\gamma = {gamma:g}$")
        top = max(top, float(ratio.max()))
    ax.plot(p_t, np.ones_like(p_t), color=COLORS["reference"], lw=1, ls=":", label="cross-entropy")
    ax.set_xlabel(r"probability of the target class $p_t$")
    ax.set_ylabel("|focal gradient| / |cross-entropy gradient|")
    # Head room above the highest curve for a two-column legend clear of the curves.
    ax.set_ylim(-0.05, 1.3 * top)
    ax.legend(loc="upper right", ncols=2)
    return ax


def plot_calibration_comparison(
    models: dict[str, ArrayLike],
    labels: ArrayLike | dict[str, ArrayLike],
    n_bins: int = 15,
    ax: Any = None,
    legend_loc: str = "upper left",
) -> Any:
    r"""Reliability curves of several models (or groups of items), with the counts per bin.

    Top: for each model, the accuracy of each non-empty confidence bin against the bin's mean
    confidence (:func:`xentbook.book.reliability_bins`), with perfect calibration dashed. Bottom:
    the number of items in each bin, on a log scale, so that a reader can see which points of
    the top panel rest on a handful of items.

    Parameters
    ----------
    models : dict
        Name to an ``(N, C)`` array of predicted probabilities.
    labels : array_like or dict
        The ``N`` class indices shared by every model, or a dict with the same keys as
        ``models`` giving each its own labels (to compare groups of items).
    n_bins : int, optional
        Number of equal-width confidence bins.
    ax : pair of Axes, optional
        Where to draw; a new figure of two stacked panels when omitted.
    legend_loc : str, optional
        Where the legends go in both panels (a Matplotlib ``loc``); choose a corner the
        curves leave empty.

    Returns
    -------
    numpy.ndarray of Axes
        The two panels; ``lines[k]`` of the top panel is model ``k`` (confidence, accuracy),
        ``lines[k]`` of the bottom one its counts against the bin centres.

    Examples
    --------
    >>> import numpy as np
    >>> from xentbook.plots import plot_calibration_comparison
    >>> probs = np.array([[0.9, 0.1], [0.6, 0.4], [0.8, 0.2]])
    >>> top, bottom = plot_calibration_comparison({"m": probs}, [0, 1, 0], n_bins=5)
    >>> print(bottom.lines[0].get_ydata())
    [1 1 1]
    """
    if ax is None:
        top, bottom = new_axes(nrows=2, figsize=(6.0, 6.4))
    else:
        top, bottom = np.asarray(ax, dtype=object).ravel()
    colors = [COLORS["mse"], COLORS["ce"], COLORS["grad"], COLORS["accent"]]
    styles = ["-", "--", ":", "-."]
    edges = np.linspace(0.0, 1.0, n_bins + 1)
    centres = (edges[:-1] + edges[1:]) / 2
    for k, (name, probs) in enumerate(models.items()):
        y = labels[name] if isinstance(labels, dict) else labels
        bins = reliability_bins(probs, y, n_bins=n_bins)
        kept = bins.counts > 0
        ece = expected_calibration_error(probs, y, n_bins=n_bins)
        color, style = colors[k % 4], styles[k % 4]
        top.plot(
            bins.confidence[kept],
            bins.accuracy[kept],
            marker="o",
            color=color,
            ls=style,
            lw=2,
            label=f"{name} (ECE {ece:.3f})",
        )
        bottom.plot(
            centres[kept], bins.counts[kept], marker="o", color=color, ls=style, lw=2, label=name
        )
    top.plot([0, 1], [0, 1], color=COLORS["reference"], lw=1, ls="--", label="calibrated")
    top.set_xlim(0.0, 1.0)
    top.set_ylim(0.0, 1.0)
    top.set_xlabel("mean confidence in the bin")
    top.set_ylabel("accuracy in the bin")
    top.legend(loc=legend_loc)
    bottom.set_yscale("log")
    bottom.set_xlim(0.0, 1.0)
    bottom.set_xlabel("confidence bin")
    bottom.set_ylabel("items in the bin")
    bottom.legend(loc=legend_loc)
    return np.array([top, bottom], dtype=object)


def plot_distillation_scale(
    z_student: ArrayLike,
    z_teacher: ArrayLike,
    temperatures: ArrayLike | None = None,
    ax: Any = None,
) -> Any:
    r"""The teacher's softened probabilities, and the size of the distillation gradient, against T.

    Top: :math:`\operatorname{softmax}(z_t / T)` for three temperatures, one bar group per
    class. Bottom: :math:`T^2 \lVert \nabla_{z_s} H(q^T, \operatorname{softmax}(z_s / T)) \rVert`
    against :math:`T` (log scale), with its large-:math:`T` limit
    :math:`\lVert (z_s - \bar z_s) - (z_t - \bar z_t) \rVert / C` dashed.

    Parameters
    ----------
    z_student, z_teacher : array_like
        One logit vector each, of the same length :math:`C`.
    temperatures : array_like, optional
        Values of :math:`T` for the bottom panel; default 40 points from 0.5 to 100 (log scale).
    ax : pair of Axes, optional
        Where to draw; a new figure of two stacked panels when omitted.

    Returns
    -------
    numpy.ndarray of Axes
        The two panels; ``lines[0]`` of the bottom panel is :math:`T^2 \lVert\nabla\rVert`
        against :math:`T`, ``lines[1]`` the limit.

    Examples
    --------
    >>> import numpy as np
    >>> from xentbook.plots import plot_distillation_scale
    >>> student, teacher = [1.0, 0.0, -1.0], [2.0, 0.0, -2.0]
    >>> top, bottom = plot_distillation_scale(student, teacher, [1.0, 1e4])
    >>> first, second = bottom.lines[0].get_ydata(), bottom.lines[1].get_ydata()
    >>> print(np.round(first, 4), np.round(second[0], 4))
    [0.2497 0.4714] 0.4714
    """
    zs = np.asarray(z_student, dtype=np.float64).ravel()
    zt = np.asarray(z_teacher, dtype=np.float64).ravel()
    temps = (
        np.geomspace(0.5, 100.0, 40)
        if temperatures is None
        else np.asarray(temperatures, dtype=np.float64)
    )
    if ax is None:
        top, bottom = new_axes(nrows=2, figsize=(6.0, 6.4))
    else:
        top, bottom = np.asarray(ax, dtype=object).ravel()
    classes = np.arange(zs.size)
    width = 0.27
    for k, (temp, color) in enumerate(zip((1.0, 4.0, 10.0), _GAMMA_PALETTE[1:], strict=False)):
        top.bar(
            classes + (k - 1) * width,
            softmax(zt / temp),
            width,
            color=color,
            label=f"$T = {temp:g}$",
        )
    top.set_xlabel("class")
    top.set_ylabel("teacher's probability")
    top.set_xticks(classes)
    top.legend(loc="upper right")
    scaled = []
    for temp in temps:
        grad = cross_entropy_grad(zs / temp, softmax(zt / temp)) / temp
        scaled.append(temp**2 * np.linalg.norm(grad))
    limit = np.linalg.norm((zs - zs.mean()) - (zt - zt.mean())) / zs.size
    bottom.plot(temps, scaled, color=COLORS["ce"], lw=2, label=r"$T^2 \|\nabla\|$")
    bottom.plot(
        temps,
        np.full_like(temps, limit),
        color=COLORS["reference"],
        lw=1,
        ls="--",
        label=f"large-$T$ limit {limit:.3f}",
    )
    bottom.set_xscale("log")
    bottom.set_ylim(0.0, 1.15 * max(max(scaled), limit))
    bottom.set_xlabel("temperature $T$")
    bottom.set_ylabel("scaled gradient size")
    bottom.legend(loc="lower right")
    return np.array([top, bottom], dtype=object)


def plot_focal_optimum(gammas: ArrayLike = (0.0, 1.0, 2.0, 5.0), ax: Axes | None = None) -> Axes:
    r"""The constant prediction that minimises the expected focal loss, against the true frequency.

    For two classes, the first with frequency :math:`\pi`, the expected focal loss of a constant
    prediction :math:`p` for the first class is
    :math:`\pi\,\mathrm{FL}(p) + (1 - \pi)\,\mathrm{FL}(1 - p)`; its minimiser :math:`p^\star`
    is found on a grid of 20,001 points. :math:`\gamma = 0` gives :math:`p^\star = \pi` (the
    cross-entropy is proper); larger :math:`\gamma` pulls the optimum towards 1/2.

    Parameters
    ----------
    gammas : array_like, optional
        The focusing parameters to draw.
    ax : Axes, optional
        Where to draw; a new figure when omitted.

    Returns
    -------
    Axes
        ``lines[k]`` is :math:`p^\star` against :math:`\pi` for ``gammas[k]``.

    Examples
    --------
    >>> from xentbook.plots import plot_focal_optimum
    >>> ax = plot_focal_optimum([0.0, 2.0])
    >>> pi, best = ax.lines[1].get_data()
    >>> print(round(float(best[pi.searchsorted(0.8)]), 3))
    0.627
    """
    ax = new_axes(ax)
    p = np.linspace(0.0, 1.0, 20_003)[1:-1]
    # a finer grid near 1, where the optimum turns steeply
    pi = np.union1d(np.linspace(0.5, 0.99, 50), np.linspace(0.95, 0.99, 41))
    logits = np.stack([np.log(p), np.log1p(-p)], axis=1)
    zeros = np.zeros(p.size, dtype=np.int64)
    for k, gamma in enumerate(np.asarray(gammas, dtype=np.float64)):
        first = focal_loss(logits, zeros, gamma=float(gamma), reduction="none")
        second = focal_loss(logits, zeros + 1, gamma=float(gamma), reduction="none")
        best = np.array([p[np.argmin(f * first + (1 - f) * second)] for f in pi])
        name = r"$\gamma = 0$ (cross-entropy)" if gamma == 0 else rf"$\gamma = {gamma:g}$"
        ax.plot(pi, best, color=_gamma_color(gamma, k), lw=2, label=name)
    ax.set_xlabel(r"true frequency $\pi$ of the first class")
    ax.set_ylabel(r"best constant prediction $p^\star$")
    ax.legend(loc="upper left")
    return ax


def plot_generalised_cross_entropy(qs: ArrayLike = (0.0, 0.3, 0.7, 1.0), ax: Any = None) -> Any:
    r"""The generalised cross-entropy and its pull on the label's logit, against :math:`p_y`.

    Top: :math:`L_q(p_y) = (1 - p_y^{\,q}) / q`, with :math:`q = 0` drawn as its limit, the
    cross-entropy :math:`-\log p_y`. Bottom: the size of its gradient with respect to the
    label's logit, :math:`p_y^{\,q} (1 - p_y)`, the cross-entropy's :math:`1 - p_y` times the
    weight :math:`p_y^{\,q}`. Both on :math:`p_y \in [0.001, 1]`.

    Parameters
    ----------
    qs : array_like, optional
        The values of :math:`q` to draw, each in :math:`[0, 1]`.
    ax : pair of Axes, optional
        Where to draw; a new figure of two stacked panels when omitted.

    Returns
    -------
    numpy.ndarray of Axes
        The two panels; ``lines[k]`` of each is the curve for ``qs[k]`` against :math:`p_y`.

    Examples
    --------
    >>> import numpy as np
    >>> from xentbook.plots import plot_generalised_cross_entropy
    >>> top, bottom = plot_generalised_cross_entropy([0.0, 0.7])
    >>> p_y, pull = bottom.lines[1].get_data()
    >>> print(np.round(pull[np.searchsorted(p_y, [0.01, 0.5])], 4))
    [0.0394 0.3078]
    """
    q_values = np.asarray(qs, dtype=np.float64)
    if q_values.ndim != 1 or np.any((q_values < 0) | (q_values > 1)):
        raise ValueError(f"plot_generalised_cross_entropy: qs must lie in [0, 1], got {qs!r}")
    if ax is None:
        top, bottom = new_axes(nrows=2, figsize=(6.0, 6.4))
    else:
        top, bottom = np.asarray(ax, dtype=object).ravel()
    p_y = np.linspace(0.001, 1.0, 1000)
    palette = [COLORS["ce"], COLORS["accent"], COLORS["grad"], COLORS["mse"], COLORS["extra"]]
    for k, q in enumerate(q_values):
        color = palette[k % len(palette)]
        if q == 0:
            loss, name = -np.log(p_y), "$q = 0$ (cross-entropy)"
        else:
            loss = -np.expm1(q * np.log(p_y)) / q
            name = "$q = 1$ (absolute error / 2)" if q == 1 else f"$q = {q:g}$"
        top.plot(p_y, loss, color=color, lw=2, label=name)
        bottom.plot(p_y, p_y**q * (1 - p_y), color=color, lw=2, label=name)
    top.set_ylim(0.0, 5.0)
    top.set_xlabel("probability of the label $p_y$")
    top.set_ylabel("loss (nats)")
    top.legend(loc="upper right")
    bottom.set_ylim(0.0, 1.05)
    bottom.set_xlabel("probability of the label $p_y$")
    bottom.set_ylabel("pull on the label's logit")
    return np.array([top, bottom], dtype=object)


def plot_temperature_objective(
    logits: ArrayLike,
    labels: ArrayLike,
    temperatures: ArrayLike | None = None,
    n_bins: int = 15,
    ax: Any = None,
) -> Any:
    r"""The temperature-scaling objective and the ECE against the temperature, on one data set.

    Top: the mean negative log-likelihood of :math:`\operatorname{softmax}(z_n / T)` against
    :math:`T` (log scale), the objective that :func:`xentbook.book.fit_temperature` minimises.
    Bottom: the equal-width ECE of the same probabilities. Both panels mark the fitted
    :math:`T^\star` with a dotted vertical line.

    Parameters
    ----------
    logits : array_like
        Logits of the held-out items, shape ``(N, C)``.
    labels : array_like
        Their class indices, shape ``(N,)``.
    temperatures : array_like, optional
        Values of :math:`T`; default 121 points from 0.5 to 8 (log scale).
    n_bins : int, optional
        Number of equal-width bins of the ECE.
    ax : pair of Axes, optional
        Where to draw; a new figure of two stacked panels when omitted.

    Returns
    -------
    numpy.ndarray of Axes
        The two panels; ``lines[0]`` of each is its curve against :math:`T` (NLL on top, ECE
        below), ``lines[1]`` the vertical line at :math:`T^\star`.

    Examples
    --------
    >>> import numpy as np
    >>> from xentbook.plots import plot_temperature_objective
    >>> logits = np.array([[4.0, 0.0], [4.0, 0.0], [4.0, 0.0], [0.0, 4.0]])
    >>> top, bottom = plot_temperature_objective(logits, [0, 0, 1, 1], [1.0, 4.0])
    >>> best = round(float(top.lines[1].get_xdata()[0]), 3)
    >>> print(np.round(top.lines[0].get_ydata(), 4), best)
    [1.0181 0.5633] 3.641
    """
    z = np.asarray(logits, dtype=np.float64)
    y = np.asarray(labels)
    temps = (
        np.geomspace(0.5, 8.0, 121)
        if temperatures is None
        else np.asarray(temperatures, dtype=np.float64)
    )
    if ax is None:
        top, bottom = new_axes(nrows=2, figsize=(6.0, 6.4))
    else:
        top, bottom = np.asarray(ax, dtype=object).ravel()
    t_star = fit_temperature(z, y)
    nll = [cross_entropy(z / t, y) for t in temps]
    ece = [expected_calibration_error(softmax(z / t, axis=1), y, n_bins=n_bins) for t in temps]
    top.plot(temps, nll, color=COLORS["ce"], lw=2, label="NLL")
    bottom.plot(temps, ece, color=COLORS["mse"], lw=2, label=f"ECE ({n_bins} bins)")
    # Legends in the corners the curves leave empty: the NLL falls faster on the left, the
    # ECE rises higher on the right.
    for panel, corner in ((top, "upper right"), (bottom, "upper left")):
        panel.axvline(
            t_star, color=COLORS["reference"], lw=1.5, ls=":", label=f"$T^\\star = {t_star:.2f}$"
        )
        panel.set_xscale("log")
        ticks = [t for t in (0.5, 1.0, 2.0, 4.0, 8.0) if temps.min() <= t <= temps.max()]
        panel.set_xticks(ticks, [f"{t:g}" for t in ticks])
        panel.minorticks_off()
        panel.set_xlabel("temperature $T$")
        panel.legend(loc=corner)
    top.set_ylabel("NLL (nats)")
    bottom.set_ylabel("ECE")
    bottom.set_ylim(bottom=0.0)
    return np.array([top, bottom], dtype=object)


def plot_ece_noise_floor(
    sizes: ArrayLike,
    measured: ArrayLike,
    spread: ArrayLike,
    predicted: ArrayLike,
    ax: Axes | None = None,
) -> Axes:
    r"""The ECE of calibrated probabilities against the number of items, on log-log axes.

    Calibrated probabilities do not score an ECE of 0 on a finite sample: sampling noise in each
    bin's accuracy leaves a floor that falls like :math:`N^{-1/2}`, a line of slope
    :math:`-1/2` on these axes. The measured ECE is drawn as points with error bars (one
    standard deviation over repeated samples), the predicted floor as a line.

    Parameters
    ----------
    sizes : array_like
        Numbers of items :math:`N`, increasing.
    measured : array_like
        Mean ECE of the true probabilities over the samples drawn at each size.
    spread : array_like
        Standard deviation of that ECE over the samples.
    predicted : array_like
        Predicted floor at each size, such as
        :math:`\sqrt{2/\pi}\,\sum_b \sqrt{n_b c_b (1 - c_b)} / N`.
    ax : Axes, optional
        Where to draw; a new figure when omitted.

    Returns
    -------
    Axes
        ``lines[0]`` is the predicted floor, ``lines[1]`` the measured means.

    Examples
    --------
    >>> from xentbook.plots import plot_ece_noise_floor
    >>> ax = plot_ece_noise_floor([1e3, 1e4], [0.03, 0.01], [0.007, 0.002], [0.033, 0.0105])
    >>> print(ax.get_xscale(), ax.get_yscale(), ax.lines[1].get_ydata())
    log log [0.03 0.01]
    """
    ax = new_axes(ax, figsize=(6.0, 4.0))
    n = np.asarray(sizes, dtype=np.float64)
    ax.plot(
        n,
        np.asarray(predicted, dtype=np.float64),
        color=COLORS["reference"],
        lw=2,
        ls="--",
        label="predicted floor (slope $-1/2$)",
    )
    ax.errorbar(
        n,
        np.asarray(measured, dtype=np.float64),
        yerr=np.asarray(spread, dtype=np.float64),
        color=COLORS["ce"],
        marker="o",
        ls="none",
        capsize=4,
        label="ECE of the true probabilities\n(mean and standard deviation)",
    )
    ax.set_xscale("log")
    ax.set_yscale("log")
    # Plain decimal ticks (1, 2, 3, 5 per decade) instead of the powers of ten a log axis uses.
    low, high = ax.get_ylim()
    ticks = [m * 10.0**e for e in range(-5, 0) for m in (1, 2, 3, 5)]
    shown = [t for t in ticks if low <= t <= high]
    ax.set_yticks(shown, [f"{t:g}" for t in shown])
    ax.minorticks_off()
    ax.set_xlabel("number of items $N$")
    ax.set_ylabel("ECE (15 bins)")
    ax.legend(loc="upper right")
    return ax
