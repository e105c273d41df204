"""Figures of chapters 7 (the softmax gradient) and 8 (cross-entropy versus squared error)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import numpy as np
from matplotlib.axes import Axes
from numpy.typing import ArrayLike

from xentbook.binary import (
    binary_cross_entropy,
    binary_cross_entropy_with_logits,
    binary_cross_entropy_with_logits_grad,
)
from xentbook.cross_entropy import cross_entropy, cross_entropy_grad
from xentbook.plots._style import COLORS, new_axes
from xentbook.primitives import sigmoid
from xentbook.regression import mse, mse_grad

__all__ = ["plot_ce_vs_mse", "plot_loss_and_gradient_along_logit", "plot_training_curves"]


def plot_loss_and_gradient_along_logit(
    z: ArrayLike,
    target: int,
    index: int,
    *,
    span: float = 6.0,
    num: int = 241,
    ax: Axes | None = None,
) -> Axes:
    r"""Cross-entropy of one item and its partial derivative as one logit moves.

    The logit ``z[index]`` runs over ``z[index] +- span`` while the others stay fixed. Drawn in
    order: the loss :math:`-\log p_y` (``ax.lines[0]``), the derivative
    :math:`\partial L / \partial z_{\mathrm{index}}` (``ax.lines[1]``), which is
    :math:`p_{\mathrm{index}} - 1` for the target class and :math:`p_{\mathrm{index}}` for any
    other, the derivative's limits (dashed) and a marker at the unmoved point.

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

    Returns
    -------
    Axes

    Raises
    ------
    ValueError, IndexError
        If ``z`` is not one-dimensional, or ``index`` or ``target`` is not a class index.

    Examples
    --------
    >>> import matplotlib.pyplot as plt
    >>> from xentbook.plots import plot_loss_and_gradient_along_logit
    >>> ax = plot_loss_and_gradient_along_logit([2.0, 1.0, 0.1], 1, 1, span=20.0, num=3)
    >>> print(", ".join(f"{g:+.4f}" for g in ax.lines[1].get_ydata()))
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
    ax.plot(moved, loss, color=COLORS["ce"], lw=2, label=r"loss $-\log p_y$")
    which = "target class" if index == target else "another class"
    ax.plot(
        moved,
        grad,
        color=COLORS["grad"],
        lw=2,
        label=rf"$\partial L / \partial z_{index}$ ({which})",
    )
    limits = (-1.0, 0.0) if index == target else (0.0, 1.0)
    for level in limits:
        ax.axhline(level, color=COLORS["reference"], ls="--", lw=1)
    here_loss = cross_entropy(logits, target)
    here_grad = cross_entropy_grad(logits, target)[index]
    ax.plot(
        [logits[index]] * 2,
        [here_loss, here_grad],
        "o",
        color=COLORS["accent"],
        label="the unmoved logits",
    )
    ax.set_xlabel(rf"logit $z_{index}$")
    ax.set_ylabel("loss and slope")
    ax.set_title(rf"moving $z_{index}$, target $y = {target}$")
    ax.legend(loc="best", fontsize="small")
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
