"""Figures of chapters 7 (the softmax gradient) and 8 (cross-entropy versus squared error)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import numpy as np
from matplotlib import colormaps
from matplotlib.axes import Axes
from numpy.typing import ArrayLike

from xentbook.binary import (
    binary_cross_entropy,
    binary_cross_entropy_with_logits,
    binary_cross_entropy_with_logits_grad,
)
from xentbook.cross_entropy import cross_entropy, cross_entropy_grad
from xentbook.plots._style import COLORS, new_axes, phone_fonts
from xentbook.primitives import sigmoid, softmax
from xentbook.regression import mse, mse_grad

__all__ = [
    "plot_ce_vs_mse",
    "plot_curvature_vs_confidence",
    "plot_finite_difference_error",
    "plot_gradient_norm_bounds",
    "plot_loss_and_gradient_along_logit",
    "plot_loss_contour",
    "plot_loss_gap_per_step",
    "plot_target_entry_error",
    "plot_training_curves",
]


def plot_loss_and_gradient_along_logit(
    z: ArrayLike,
    target: int,
    index: int,
    *,
    span: float = 6.0,
    num: int = 241,
    ax: Axes | None = None,
    slope_ax: Axes | None = None,
) -> Axes:
    r"""Cross-entropy of one item and its partial derivative as one logit moves.

    The logit ``z[index]`` runs over ``z[index] +- span`` while the others stay fixed. Drawn:
    the loss :math:`-\log p_y` on ``ax`` (``ax.lines[0]``) and, on ``ax.right_ax``, the
    derivative :math:`\partial L / \partial z_{\mathrm{index}}` (``ax.right_ax.lines[0]``),
    which is :math:`p_{\mathrm{index}} - 1` for the target class and
    :math:`p_{\mathrm{index}}` for any other, with its limits (dashed); a marker on each
    curve at the unmoved point. ``ax.right_ax`` is ``slope_ax`` when given (a panel of its
    own, for instance below ``ax``), else a twin of ``ax`` with its scale on the right.

    Parameters
    ----------
    z : array_like
        Logits of one item, shape ``(C,)``.
    target : int
        The class index :math:`y`.
    index : int
        Which logit to move.
    span, num : float, int
        Half-width of the range and number of points.
    ax : Axes, optional
        Where to draw; a new figure by default.
    slope_ax : Axes, optional
        Where to draw the derivative; a twin of ``ax`` by default.

    Returns
    -------
    Axes
        The loss axes, with the derivative's axes as its attribute ``right_ax``.

    Raises
    ------
    ValueError, IndexError
        If ``z`` is not one-dimensional, or ``index`` or ``target`` is not a class index.

    Examples
    --------
    >>> import matplotlib.pyplot as plt
    >>> from xentbook.plots import plot_loss_and_gradient_along_logit
    >>> ax = plot_loss_and_gradient_along_logit([2.0, 1.0, 0.1], 1, 1, span=20.0, num=3)
    >>> print(", ".join(f"{g:+.4f}" for g in ax.right_ax.lines[0].get_ydata()))
    -1.0000, -0.7576, -0.0000
    >>> plt.close("all")
    """
    func = "plot_loss_and_gradient_along_logit"
    logits = np.asarray(z, dtype=np.float64)
    if logits.ndim != 1:
        raise ValueError(
            f"plot_loss_and_gradient_along_logit: z must be 1-d, got shape {logits.shape}"
        )
    for name, value in (("index", index), ("target", target)):
        if isinstance(value, bool) or not isinstance(value, (int, np.integer)):
            raise TypeError(f"{func}: {name} must be an integer class index, got {value!r}")
    if not 0 <= target < logits.size:
        raise IndexError(f"{func}: target {target} is out of range for {logits.size} logits")
    if not 0 <= index < logits.size:
        raise IndexError(
            f"plot_loss_and_gradient_along_logit: index {index} is out of range "
            f"for {logits.size} logits"
        )
    moved = logits[index] + np.linspace(-span, span, num)
    batch = np.tile(logits, (num, 1))
    batch[:, index] = moved
    targets = np.full(num, target)
    loss = cross_entropy(batch, targets, reduction="none")
    grad = cross_entropy_grad(batch, targets, reduction="none")[:, index]

    ax = new_axes(ax)
    twin = slope_ax is None
    if slope_ax is None:
        slope_ax = ax.twinx()
    setattr(ax, "right_ax", slope_ax)  # noqa: B010 - the axes that holds the slope
    ax.plot(moved, loss, color=COLORS["ce"], lw=2)
    slope_ax.plot(moved, grad, color=COLORS["grad"], lw=2)
    limits = (-1.0, 0.0) if index == target else (0.0, 1.0)
    for level in limits:
        slope_ax.axhline(level, color=COLORS["grad"], ls="--", lw=1)
    slope_ax.set_ylim((-1.1, 1.1) if twin else (limits[0] - 0.1, limits[1] + 0.1))
    here_loss = cross_entropy(logits, target)
    here_grad = cross_entropy_grad(logits, target)[index]
    ax.plot([logits[index]], [here_loss], "o", color=COLORS["accent"])
    slope_ax.plot([logits[index]], [here_grad], "o", color=COLORS["accent"])
    if twin:
        ax.set_xlabel(rf"logit $z_{index}$")
    else:
        slope_ax.set_xlabel(rf"logit $z_{index}$")
        slope_ax.set_xlim(ax.get_xlim())
    ax.set_ylabel(r"loss $-\log p_y$", color=COLORS["ce"])
    which = "target class" if index == target else "another class"
    slope_ax.set_ylabel(rf"slope $\partial L / \partial z_{index}$", color=COLORS["grad"])
    ax.set_title(rf"moving $z_{index}$ ({which}), target $y = {target}$")
    phone_fonts(ax)
    phone_fonts(slope_ax)
    return ax


def plot_ce_vs_mse(
    target: float = 1.0,
    *,
    z_range: tuple[float, float] = (-10.0, 10.0),
    num: int = 401,
    axes: Any = None,
) -> Any:
    r"""Cross-entropy and squared error of a sigmoid output, and their gradients (2 x 2 panels).

    Top row against the predicted probability :math:`p`: the losses
    :math:`-[y \log p + (1 - y) \log(1 - p)]` and :math:`(p - y)^2`, then their derivatives in
    :math:`p`. Bottom row against the logit :math:`z` with :math:`p = \sigma(z)`: the losses,
    then their derivatives in :math:`z`, :math:`\sigma(z) - y` and
    :math:`2(\sigma(z) - y)\,\sigma(z)(1 - \sigma(z))`. In every panel ``lines[0]`` is
    cross-entropy and ``lines[1]`` the squared error.

    Parameters
    ----------
    target : float
        The target :math:`y \in [0, 1]`.
    z_range : (float, float)
        Range of logits of the bottom row.
    num : int
        Points per curve.
    axes : array of 4 Axes, optional
        Where to draw (in the order top left, top right, bottom left, bottom right).

    Returns
    -------
    ndarray of Axes, shape (2, 2)

    Raises
    ------
    ValueError
        If ``target`` is not in :math:`[0, 1]`.

    Examples
    --------
    >>> import matplotlib.pyplot as plt
    >>> from xentbook.plots import plot_ce_vs_mse
    >>> grid = plot_ce_vs_mse(1.0, z_range=(-10.0, 10.0), num=3)
    >>> ce, sq = (line.get_ydata()[0] for line in grid[1, 1].lines)  # slopes at z = -10
    >>> print(f"{ce:+.4f} {sq:+.2e}")
    -1.0000 -9.08e-05
    >>> plt.close("all")
    """
    if not (isinstance(target, (int, float, np.integer, np.floating)) and 0 <= target <= 1):
        raise ValueError(f"plot_ce_vs_mse: target must be a number in [0, 1], got {target!r}")
    grid = new_axes(nrows=2, ncols=2, figsize=(11.0, 7.6)) if axes is None else axes
    grid = np.asarray(grid).reshape(2, 2)
    p = np.linspace(1e-3, 1 - 1e-3, num)
    y_p = np.full_like(p, target)
    z = np.linspace(*z_range, num)
    y_z = np.full_like(z, target)
    s = sigmoid(z)
    ce, sq = COLORS["ce"], COLORS["mse"]

    ax = grid[0, 0]
    ax.plot(
        p, binary_cross_entropy(p, y_p, reduction="none"), color=ce, lw=2, label="cross-entropy"
    )
    ax.plot(p, mse(p, y_p, reduction="none"), color=sq, lw=2, label="squared error")
    ax.set(
        xlabel="predicted probability $p$",
        ylabel="loss",
        title=f"loss against $p$ ($y = {target:g}$)",
    )

    ax = grid[0, 1]
    ax.plot(p, (p - y_p) / (p * (1 - p)), color=ce, lw=2, label="cross-entropy")
    ax.plot(p, mse_grad(p, y_p, reduction="sum"), color=sq, lw=2, label="squared error")
    ax.set_ylim(-10 if target > 0 else -3, 10 if target < 1 else 3)
    ax.set(
        xlabel="predicted probability $p$",
        ylabel=r"$\partial L / \partial p$",
        title="gradient against $p$",
    )

    ax = grid[1, 0]
    ax.plot(
        z,
        binary_cross_entropy_with_logits(z, y_z, reduction="none"),
        color=ce,
        lw=2,
        label="cross-entropy",
    )
    ax.plot(z, mse(s, y_z, reduction="none"), color=sq, lw=2, label="squared error")
    ax.set(xlabel="logit $z$", ylabel="loss", title=r"loss against the logit, $p = \sigma(z)$")

    ax = grid[1, 1]
    ax.plot(
        z,
        binary_cross_entropy_with_logits_grad(z, y_z, reduction="none"),
        color=ce,
        lw=2,
        label=r"cross-entropy: $\sigma(z) - y$",
    )
    ax.plot(
        z,
        mse_grad(s, y_z, reduction="sum") * s * sigmoid(-z),
        color=sq,
        lw=2,
        label=r"squared error: $2(\sigma - y)\sigma(1 - \sigma)$",
    )
    ax.set(
        xlabel="logit $z$", ylabel=r"$\partial L / \partial z$", title="gradient against the logit"
    )
    for a in grid.ravel():
        a.legend(loc="best", fontsize="small")
    return grid


def plot_training_curves(
    histories: Mapping[str, Any],
    *,
    colors: Mapping[str, str] | None = None,
    axes: Any = None,
) -> Any:
    """Training loss (log scale) and training accuracy per step, side by side.

    Parameters
    ----------
    histories : mapping of label to history
        Each value has ``loss`` and ``accuracy`` sequences, one entry per step, such as the
        ``TrainingHistory`` returned by
        :func:`xentbook.book.train_softmax_regression`. In each panel ``lines[k]`` is the ``k``-th
        history.
    colors : mapping of label to colour, optional
        By default a label containing "MSE" or "squared" is drawn in the squared-error colour,
        one containing "CE" or "cross" in the cross-entropy colour, others in the extra colours.
    axes : pair of Axes, optional
        Where to draw; a new 1 x 2 figure by default.

    Returns
    -------
    ndarray of Axes, shape (2,)

    Raises
    ------
    ValueError
        If ``histories`` is empty.

    Examples
    --------
    >>> import matplotlib.pyplot as plt
    >>> from xentbook.book import train_softmax_regression
    >>> from xentbook.plots import plot_training_curves
    >>> X, y = [[0.0, 1.0], [1.0, 0.0]], [0, 1]
    >>> fit = train_softmax_regression(X, y, epochs=3)
    >>> loss_ax, accuracy_ax = plot_training_curves({"CE": fit})
    >>> print(accuracy_ax.lines[0].get_label())
    CE (final 100.0%)
    >>> plt.close("all")
    """
    if len(histories) == 0:
        raise ValueError("plot_training_curves: histories must hold at least one run, got none")
    pair = new_axes(ncols=2) if axes is None else np.asarray(axes).reshape(2)
    spare = iter([COLORS["extra"], COLORS["accent"], COLORS["grad"], COLORS["reference"]])
    for label, history in histories.items():
        color: str | None
        if colors is not None and label in colors:
            color = colors[label]
        elif "mse" in label.lower() or "squared" in label.lower():
            color = COLORS["mse"]
        elif "ce" in label.lower().split() or "cross" in label.lower():
            color = COLORS["ce"]
        else:
            color = next(spare, None)
        loss = np.asarray(history.loss, dtype=np.float64)
        accuracy = np.asarray(history.accuracy, dtype=np.float64)
        pair[0].plot(np.arange(loss.size), loss, color=color, lw=2, label=label)
        pair[1].plot(
            np.arange(accuracy.size),
            accuracy,
            color=color,
            lw=2,
            label=f"{label} (final {accuracy[-1]:.1%})",
        )
    pair[0].set_yscale("log")
    pair[0].set(xlabel="gradient step", ylabel="training loss (each its own)", title="loss")
    pair[1].set_ylim(-0.02, 1.02)
    pair[1].set(xlabel="gradient step", ylabel="training accuracy", title="accuracy")
    for a in pair:
        a.legend(loc="best", fontsize="small")
    return pair


def plot_curvature_vs_confidence(probs: ArrayLike, *, ax: Axes | None = None) -> Axes:
    r"""Largest eigenvalue of the logit Hessian against the confidence :math:`\max_i p_i`.

    For each row :math:`p` of ``probs`` the point :math:`(\max_i p_i, \lambda_{\max})` with
    :math:`\lambda_{\max}` the largest eigenvalue of :math:`\operatorname{diag}(p) - p p^\top`
    (``ax.collections[0]``). Drawn over it: the bound :math:`\lambda_{\max} \le q` for
    :math:`q \le 1/2` (attained when the two largest probabilities are equal) and
    :math:`\lambda_{\max} \le 2q(1 - q)` for :math:`q \ge 1/2` (approached as the rest of the
    mass goes to one class), where :math:`q = \max_i p_i` (``ax.lines[0]``), and the global
    bound :math:`1/2` (dashed, ``ax.lines[1]``).

    Parameters
    ----------
    probs : array_like
        Probability vectors, shape ``(M, C)`` with ``C >= 2``, each row non-negative and summing
        to one.
    ax : Axes, optional
        Where to draw; a new figure by default.

    Returns
    -------
    Axes

    Raises
    ------
    ValueError
        If ``probs`` is not a 2-d array of probability vectors over at least two classes.

    Examples
    --------
    >>> import matplotlib.pyplot as plt
    >>> from xentbook.plots import plot_curvature_vs_confidence
    >>> ax = plot_curvature_vs_confidence([[0.5, 0.5, 0.0], [0.8, 0.1, 0.1]])
    >>> print(", ".join(f"{y:.3f}" for y in ax.collections[0].get_offsets()[:, 1]))
    0.500, 0.240
    >>> plt.close("all")
    """
    func = "plot_curvature_vs_confidence"
    p = np.asarray(probs, dtype=np.float64)
    if p.ndim != 2 or p.shape[1] < 2 or p.shape[0] == 0:
        raise ValueError(
            f"{func}: probs must have shape (M, C) with M >= 1 and C >= 2, got {p.shape}"
        )
    if not (np.all(np.isfinite(p)) and np.all(p >= 0)) or not np.allclose(
        p.sum(axis=1), 1.0, rtol=0, atol=1e-9
    ):
        raise ValueError(f"{func}: each row of probs must be non-negative and sum to one")
    num_classes = p.shape[1]
    hessians = -p[:, :, None] * p[:, None, :]
    hessians[:, np.arange(num_classes), np.arange(num_classes)] += p
    top = np.linalg.eigvalsh(hessians)[:, -1]
    confidence = p.max(axis=1)

    ax = new_axes(ax)
    ax.scatter(
        confidence,
        top,
        s=6,
        alpha=0.35,
        color=COLORS["ce"],
        linewidths=0,
        label=f"random $p$, $C = {num_classes}$",
    )
    q = np.linspace(1.0 / num_classes, 1.0, 401)
    envelope = np.where(q <= 0.5, q, 2 * q * (1 - q))
    ax.plot(q, envelope, color=COLORS["accent"], lw=2, label=r"$\min(q,\ 2q(1 - q))$")
    ax.axhline(0.5, color=COLORS["reference"], ls="--", lw=1, label="bound $1/2$")
    ax.set_xlim(0.0, 1.0)
    ax.set_ylim(0.0, 0.64)
    ax.set_xlabel(r"confidence $q = \max_i p_i$")
    ax.set_ylabel(r"$\lambda_{\max}(\operatorname{diag}(p) - pp^{\top}\!)$")
    ax.set_title("curvature of the loss in the logits")
    ax.legend(loc="upper center", bbox_to_anchor=(0.5, -0.27), ncol=2, fontsize=11, markerscale=3)
    phone_fonts(ax)
    return ax


def plot_loss_contour(
    *,
    span: float = 6.0,
    num: int = 201,
    point: tuple[float, float] | None = None,
    arrows: int = 9,
    ax: Axes | None = None,
) -> Axes:
    r"""Contours of three-class cross-entropy over the two logit differences.

    With the target's logit as reference, the loss depends on the logits only through
    :math:`d_1 = z_a - z_y` and :math:`d_2 = z_b - z_y`:
    :math:`L(d_1, d_2) = \log(1 + e^{d_1} + e^{d_2})`. Drawn: its contour lines
    (``ax.collections[0]``, a ``QuadContourSet``), arrows of the negative gradient
    :math:`-(p_a, p_b)` on a coarse grid (the ``Quiver`` ``ax.collections[1]``) and, if given,
    a marker at ``point`` (``ax.lines[0]``) with an arrow of twice the negative gradient there.

    Parameters
    ----------
    span : float
        Both differences run over ``[-span, span]``.
    num : int
        Grid points per axis for the contours.
    point : (float, float), optional
        A pair :math:`(d_1, d_2)` to mark.
    arrows : int
        Grid points per axis for the arrows; the grid's first column carries the contour
        labels instead of arrows.
    ax : Axes, optional
        Where to draw; a new figure by default.

    Returns
    -------
    Axes

    Raises
    ------
    ValueError
        If ``span`` is not positive or ``num`` or ``arrows`` is below 2.

    Examples
    --------
    >>> import matplotlib.pyplot as plt
    >>> from xentbook.plots import plot_loss_contour
    >>> ax = plot_loss_contour(span=4.0, num=41)
    >>> print(", ".join(f"{level:g}" for level in ax.collections[0].levels[:3]))
    0.1, 0.25, 0.5
    >>> plt.close("all")
    """
    func = "plot_loss_contour"
    if not (np.isfinite(span) and span > 0):
        raise ValueError(f"{func}: span must be a positive number, got {span!r}")
    if num < 2 or arrows < 2:
        raise ValueError(f"{func}: num and arrows must be at least 2, got {num} and {arrows}")
    d = np.linspace(-span, span, num)
    d1, d2 = np.meshgrid(d, d)
    logits = np.stack([np.zeros_like(d1), d1, d2], axis=-1)
    loss = cross_entropy(logits.reshape(-1, 3), np.zeros(d1.size, dtype=int), reduction="none")
    loss = loss.reshape(d1.shape)

    ax = new_axes(ax, figsize=(6.0, 5.4))
    levels = [0.1, 0.25, 0.5, 1.0, 2.0, 3.0, 4.0, 5.0]
    levels = [level for level in levels if level < loss.max()]
    # viridis without its pale yellow end, which vanishes on white
    colors = [colormaps["viridis"](x) for x in np.linspace(0.0, 0.75, len(levels))]
    contours = ax.contour(d1, d2, loss, levels=levels, colors=colors, linewidths=1.5)
    a = np.linspace(-span, span, arrows + 2)[1:-1]
    # Labels in the first column of the arrow grid, which is left free of arrows, where the
    # contours run horizontally: at d1 = x the level L is crossed at d2 = log(e^L - 1 - e^x).
    x = float(a[0])
    gaps = [float(np.expm1(level) - np.exp(x)) for level in levels]
    heights = [float(np.log(gap)) for gap in gaps if gap > 0]
    ax.clabel(
        contours,
        fontsize=11,
        fmt="%g",
        manual=[(x, h) for h in heights if abs(h) < span],
        inline_spacing=2,
    )
    a1, a2 = np.meshgrid(a[1:], a)
    coarse = np.stack([np.zeros_like(a1), a1, a2], axis=-1).reshape(-1, 3)
    grad = cross_entropy_grad(coarse, np.zeros(a1.size, dtype=int), reduction="none")
    ax.quiver(
        a1.ravel(),
        a2.ravel(),
        -grad[:, 1],
        -grad[:, 2],
        color=COLORS["grad"],
        angles="xy",
        scale_units="xy",
        scale=1.0 / (0.8 * (a[1] - a[0])),
        width=0.004,
    )
    if point is not None:
        ax.plot([point[0]], [point[1]], "o", color=COLORS["accent"], ms=8)
        here = cross_entropy_grad(np.array([0.0, point[0], point[1]]), 0)
        ax.annotate(
            "",
            xy=(point[0] - 2 * here[1], point[1] - 2 * here[2]),
            xytext=point,
            arrowprops={"arrowstyle": "-|>", "color": COLORS["accent"], "lw": 2.5},
        )
    ax.set_aspect("equal")
    ax.set_xlabel(r"$d_1 = z_a - z_y$")
    ax.set_ylabel(r"$d_2 = z_b - z_y$")
    ax.set_title(r"$L = \log(1 + e^{d_1} + e^{d_2})$; arrows: $-\nabla L$")
    phone_fonts(ax)
    return ax


def plot_gradient_norm_bounds(
    logits: ArrayLike, targets: ArrayLike, *, ax: Axes | None = None
) -> Axes:
    r"""Length of the gradient :math:`p - e_y` against the missing probability :math:`1 - p_y`.

    One point per row of ``logits`` (``ax.collections[0]``): :math:`x = 1 - p_y`,
    :math:`y = \lVert p - e_y \rVert_2`. Drawn over them, the two bounds of the chapter:
    :math:`\sqrt{C/(C-1)}\,(1 - p_y)`, attained when the wrong mass is spread evenly
    (``ax.lines[0]``), and :math:`\sqrt 2\,(1 - p_y)`, approached when it sits on one class
    (``ax.lines[1]``).

    Parameters
    ----------
    logits : array_like
        Shape ``(M, C)`` with ``C >= 2``.
    targets : array_like of int
        Class indices, shape ``(M,)``.
    ax : Axes, optional
        Where to draw; a new figure by default.

    Returns
    -------
    Axes

    Raises
    ------
    ValueError
        If ``logits`` is not 2-d with at least two classes or ``targets`` does not match it.

    Examples
    --------
    >>> import matplotlib.pyplot as plt
    >>> from xentbook.plots import plot_gradient_norm_bounds
    >>> ax = plot_gradient_norm_bounds([[0.0, 0.0, 0.0]], [0])
    >>> print(", ".join(f"{v:.4f}" for v in ax.collections[0].get_offsets()[0]))
    0.6667, 0.8165
    >>> plt.close("all")
    """
    func = "plot_gradient_norm_bounds"
    z = np.asarray(logits, dtype=np.float64)
    t = np.asarray(targets)
    if z.ndim != 2 or z.shape[1] < 2 or z.shape[0] == 0:
        raise ValueError(f"{func}: logits must have shape (M, C) with C >= 2, got {z.shape}")
    if t.shape != (z.shape[0],) or not np.issubdtype(t.dtype, np.integer):
        raise ValueError(
            f"{func}: targets must be {z.shape[0]} class indices, got shape {t.shape} "
            f"and dtype {t.dtype}"
        )
    classes = z.shape[1]
    grad = cross_entropy_grad(z, t, reduction="none")
    missing = -grad[np.arange(z.shape[0]), t]
    norm = np.linalg.norm(grad, axis=1)

    ax = new_axes(ax)
    ax.scatter(missing, norm, s=5, alpha=0.3, color=COLORS["ce"], linewidths=0)
    x = np.array([0.0, 1.0])
    lower = np.sqrt(classes / (classes - 1))
    ax.plot(
        x,
        lower * x,
        color=COLORS["grad"],
        lw=2,
        label=rf"$\sqrt{{C/(C-1)}}\,(1 - p_y)$, $C = {classes}$",
    )
    ax.plot(x, np.sqrt(2) * x, color=COLORS["accent"], lw=2, label=r"$\sqrt{2}\,(1 - p_y)$")
    ax.set_xlim(0.0, 1.0)
    ax.set_ylim(0.0, 1.45)
    ax.set_xlabel(r"missing probability $1 - p_y$")
    ax.set_ylabel(r"$\Vert \nabla_z L \Vert_2$")
    ax.set_title("length of the gradient $p - e_y$")
    ax.legend(loc="upper left", fontsize=11)
    phone_fonts(ax)
    return ax


def plot_finite_difference_error(
    f: Any,
    x: ArrayLike,
    exact: ArrayLike,
    *,
    steps: ArrayLike | None = None,
    ax: Axes | None = None,
) -> Axes:
    r"""Error of forward and central differences against the step :math:`h` (log-log).

    For each step :math:`h` the largest error over the coordinates,
    :math:`\max_i |\hat g_i - g_i|`, of the forward difference
    :math:`(f(x + h e_i) - f(x)) / h` (``ax.lines[0]``) and the central difference
    :math:`(f(x + h e_i) - f(x - h e_i)) / 2h` (``ax.lines[1]``), against the exact gradient
    ``exact``. Errors of exactly zero are drawn at ``1e-17``. Dotted vertical lines mark
    :math:`\epsilon^{1/2}` and :math:`\epsilon^{1/3}` with :math:`\epsilon = 2^{-52}`, where
    rounding (slope :math:`-1`) and truncation (slope 1 and 2) errors balance.

    Parameters
    ----------
    f : callable
        Maps a float64 vector shaped like ``x`` to a real scalar.
    x, exact : array_like
        The point and the exact gradient there, vectors of the same length.
    steps : array_like, optional
        The steps; 120 log-spaced values from ``1e-14`` to ``1e-1`` by default.
    ax : Axes, optional
        Where to draw; a new figure by default.

    Returns
    -------
    Axes

    Raises
    ------
    ValueError
        If ``x`` and ``exact`` are not vectors of the same length, or a step is not positive.

    Examples
    --------
    >>> import matplotlib.pyplot as plt
    >>> import numpy as np
    >>> from xentbook.plots import plot_finite_difference_error
    >>> ax = plot_finite_difference_error(np.sum, [1.0, 2.0], [1.0, 1.0], steps=[0.5])
    >>> print(f"{ax.lines[1].get_ydata()[0]:.0e}")
    1e-17
    >>> plt.close("all")
    """
    func = "plot_finite_difference_error"
    point = np.asarray(x, dtype=np.float64)
    grad = np.asarray(exact, dtype=np.float64)
    if point.ndim != 1 or point.shape != grad.shape or point.size == 0:
        raise ValueError(
            f"{func}: x and exact must be vectors of the same length, got shapes "
            f"{point.shape} and {grad.shape}"
        )
    h = np.logspace(-14, -1, 120) if steps is None else np.asarray(steps, dtype=np.float64)
    if h.ndim != 1 or h.size == 0 or not np.all(h > 0):
        raise ValueError(f"{func}: steps must be a non-empty vector of positive numbers")
    here = float(f(point))
    eye = np.eye(point.size)
    forward = np.empty(h.size)
    central = np.empty(h.size)
    for k, step in enumerate(h):
        up = np.array([float(f(point + step * e)) for e in eye])
        down = np.array([float(f(point - step * e)) for e in eye])
        forward[k] = np.abs((up - here) / step - grad).max()
        central[k] = np.abs((up - down) / (2 * step) - grad).max()
    floor = 1e-17

    ax = new_axes(ax)
    ax.loglog(h, np.maximum(forward, floor), color=COLORS["mse"], lw=2, label="forward")
    ax.loglog(h, np.maximum(central, floor), color=COLORS["ce"], lw=2, label="central")
    eps = float(np.finfo(np.float64).eps)
    for power, name in ((1 / 2, r"$\epsilon^{1/2}$"), (1 / 3, r"$\epsilon^{1/3}$")):
        ax.axvline(eps**power, color=COLORS["reference"], ls=":", lw=1.5)
        ax.annotate(
            name,
            (eps**power, 1.0),
            xycoords=("data", "axes fraction"),
            xytext=(3, -16),
            textcoords="offset points",
            fontsize=12,
        )
    ax.set_xlabel("step $h$")
    ax.set_ylabel("largest error in the gradient")
    ax.set_title("finite differences in float64")
    ax.legend(loc="lower left", fontsize=11)
    phone_fonts(ax)
    return ax


def plot_target_entry_error(
    margins: ArrayLike, *, num_classes: int = 4, ax: Axes | None = None
) -> Axes:
    r"""Relative error of the target's gradient entry :math:`p_y - 1` against the margin.

    The logits are :math:`(a, 0, \dots, 0)` over ``num_classes`` classes with target 0, for
    each margin :math:`a` in ``margins``; the exact entry is :math:`-s/(1 + s)` with
    :math:`s = (C - 1) e^{-a}`, computed in ``np.longdouble``. Drawn, each in float32 and
    float64: the naive difference ``softmax(z)[0] - 1`` (``ax.lines[0]`` and ``[1]``) and
    :func:`xentbook.cross_entropy_grad` (``ax.lines[2]`` and ``[3]``); dashed, the estimate
    :math:`u / (1 - p_y)` of the naive error with :math:`u = 2^{-24}` and :math:`2^{-53}`
    (``ax.lines[4]`` and ``[5]``). Relative errors are drawn between ``1e-17`` (exact zeros
    included) and 1 (a result of 0).

    Parameters
    ----------
    margins : array_like
        Values of :math:`a`, each rounded to float32 first so that both dtypes see the same
        logits.
    num_classes : int
        :math:`C \ge 2`.
    ax : Axes, optional
        Where to draw; a new figure by default.

    Returns
    -------
    Axes

    Raises
    ------
    ValueError
        If ``margins`` is not a non-empty vector of finite numbers or ``num_classes < 2``.

    Examples
    --------
    >>> import matplotlib.pyplot as plt
    >>> from xentbook.plots import plot_target_entry_error
    >>> ax = plot_target_entry_error([20.0])
    >>> print(f"{ax.lines[0].get_ydata()[0]:.0f}")  # float32: p_y - 1 rounds to 0
    1
    >>> plt.close("all")
    """
    func = "plot_target_entry_error"
    a = np.asarray(margins, dtype=np.float32).astype(np.float64)
    if a.ndim != 1 or a.size == 0 or not np.all(np.isfinite(a)):
        raise ValueError(f"{func}: margins must be a non-empty vector of finite numbers")
    if isinstance(num_classes, bool) or not isinstance(num_classes, (int, np.integer)):
        raise ValueError(f"{func}: num_classes must be an integer, got {num_classes!r}")
    if num_classes < 2:
        raise ValueError(f"{func}: num_classes must be at least 2, got {num_classes}")
    s = (num_classes - 1) * np.exp(-a.astype(np.longdouble))
    exact = -s / (1 + s)
    logits = np.zeros((a.size, num_classes))
    logits[:, 0] = a
    targets = np.zeros(a.size, dtype=int)
    errors: dict[tuple[str, type[np.floating[Any]]], Any] = {}
    dtypes: tuple[type[np.floating[Any]], ...] = (np.float32, np.float64)
    for dtype in dtypes:
        z = logits.astype(dtype)
        naive = softmax(z)[:, 0] - dtype(1)
        careful = cross_entropy_grad(z, targets, reduction="none")[:, 0]
        for name, value in (("naive", naive), ("careful", careful)):
            rel = np.abs((value.astype(np.longdouble) - exact) / exact).astype(np.float64)
            errors[name, dtype] = np.clip(rel, 1e-17, 1.0)

    ax = new_axes(ax)
    styles: dict[tuple[str, type[np.floating[Any]]], tuple[str, str]] = {
        ("naive", np.float32): (COLORS["mse"], r"softmax$(z)_y - 1$, float32"),
        ("naive", np.float64): (COLORS["accent"], r"softmax$(z)_y - 1$, float64"),
        ("careful", np.float32): (COLORS["ce"], "cross_entropy_grad, float32"),
        ("careful", np.float64): (COLORS["extra"], "cross_entropy_grad, float64"),
    }
    for key, (color, label) in styles.items():
        ax.semilogy(a, errors[key], color=color, lw=1.5, label=label)
    missing = (s / (1 + s)).astype(np.float64)
    for u, color in ((2.0**-24, COLORS["mse"]), (2.0**-53, COLORS["accent"])):
        ax.semilogy(a, np.clip(u / missing, 1e-17, 1.0), color=color, ls="--", lw=1)
    ax.set_ylim(1e-17, 3.0)
    ax.set_xlabel(r"margin $a = z_y - z_j$")
    ax.set_ylabel(r"relative error of $p_y - 1$")
    ax.set_title(rf"$z = (a, 0, \dots, 0)$, $C = {num_classes}$; dashed: $u / (1 - p_y)$")
    ax.legend(loc="upper center", bbox_to_anchor=(0.5, -0.2), ncol=2, fontsize=11)
    phone_fonts(ax)
    return ax


def plot_loss_gap_per_step(
    losses: Mapping[str, ArrayLike], minimum: float, *, ax: Axes | None = None
) -> Axes:
    r"""Training loss above its minimum against the step, on a log scale, one line per method.

    Line ``k`` (``ax.lines[k]``) is the ``k``-th entry of ``losses``: :math:`x` the step
    :math:`0, 1, \dots`, :math:`y` the loss at that step minus ``minimum``. The methods are
    coloured in the order blue, orange, purple, green.

    Parameters
    ----------
    losses : mapping of label to array_like
        The loss after each step, starting with the loss at step 0.
    minimum : float
        The minimum of the loss, below every plotted value.
    ax : Axes, optional
        Where to draw; a new figure by default.

    Returns
    -------
    Axes

    Raises
    ------
    ValueError
        If ``losses`` is empty, a sequence is not 1-d and non-empty, or a loss is not above
        ``minimum``.

    Examples
    --------
    >>> import matplotlib.pyplot as plt
    >>> from xentbook.plots import plot_loss_gap_per_step
    >>> ax = plot_loss_gap_per_step({"halving": [1.5, 1.25, 1.125]}, 1.0)
    >>> print(ax.lines[0].get_ydata())
    [0.5   0.25  0.125]
    >>> plt.close("all")
    """
    func = "plot_loss_gap_per_step"
    if len(losses) == 0:
        raise ValueError(f"{func}: losses must hold at least one method, got none")
    colors = iter([COLORS["ce"], COLORS["accent"], COLORS["extra"], COLORS["grad"]])
    ax = new_axes(ax)
    for label, values in losses.items():
        loss = np.asarray(values, dtype=np.float64)
        if loss.ndim != 1 or loss.size == 0:
            raise ValueError(f"{func}: {label!r} must be a non-empty 1-d sequence")
        gap = loss - minimum
        if not np.all(gap > 0):
            raise ValueError(f"{func}: every loss of {label!r} must be above minimum {minimum}")
        ax.plot(np.arange(loss.size), gap, lw=2, color=next(colors, None), label=label)
    ax.set_yscale("log")
    ax.set_xlabel("step")
    ax.set_ylabel("loss above its minimum")
    ax.legend(loc="lower left", fontsize=11)
    phone_fonts(ax)
    return ax
