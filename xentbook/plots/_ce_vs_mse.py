r"""Figures of the chapter on cross-entropy versus the squared error (chapter 8).

The one-output curves are computed from closed forms of the sigmoid: for a positive example with
logit :math:`z` and :math:`p = \sigma(z)`, the gradients in the logit are :math:`p - 1` for the
cross-entropy and :math:`2 (p - 1)\, p (1 - p)` for the squared error. The plateau figure draws
training paths computed by the caller.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np
from matplotlib import patheffects
from matplotlib.axes import Axes
from matplotlib.colors import LogNorm
from matplotlib.ticker import FuncFormatter
from numpy.typing import ArrayLike

from xentbook.binary import binary_cross_entropy_with_logits
from xentbook.plots._style import COLORS, new_axes
from xentbook.primitives import sigmoid

__all__ = [
    "plot_escape_steps",
    "plot_gradient_size_vs_probability",
    "plot_plateau_escape",
    "plot_plateau_pulls",
    "plot_sigmoid_loss_landscape",
    "plot_simplex_true_class_pull",
    "plot_wrong_start",
]


def plot_gradient_size_vs_probability(ax: Axes | None = None) -> Axes:
    r"""Size of the gradient in the logit against the predicted probability, for the target 1.

    Cross-entropy: :math:`1 - p`, near 1 for a confident mistake, vanishing only as the
    prediction becomes right. Squared error: :math:`2 p (1 - p)^2`, vanishing at both ends,
    for confident mistakes (like :math:`2p`) and for confident right answers (like
    :math:`2 (1 - p)^2`). Both axes are logarithmic.

    Parameters
    ----------
    ax : Axes, optional
        Where to draw; default a new figure.

    Returns
    -------
    Axes
        ``lines[0]`` is the cross-entropy's :math:`|\partial L / \partial z|` and
        ``lines[1]`` the squared error's, both against :math:`p`.

    Examples
    --------
    >>> import numpy as np
    >>> from xentbook.plots import plot_gradient_size_vs_probability
    >>> ax = plot_gradient_size_vs_probability()
    >>> p, ce = ax.lines[0].get_data()
    >>> print(f"{p[0]:.0e} {ce[0]:.4f} {ax.lines[1].get_ydata()[0]:.1e}")
    1e-06 1.0000 2.0e-06
    """
    ax = new_axes(ax)
    z = np.linspace(-np.log(1e6), np.log(1e6), 2001)  # p from 1e-6 to 1 - 1e-6
    p, q = sigmoid(z), sigmoid(-z)  # q = 1 - p without cancellation
    ax.plot(p, q, color=COLORS["ce"], lw=2, label=r"cross-entropy: $1 - p$")
    ax.plot(
        p, 2 * p * q**2, color=COLORS["mse"], lw=2, ls="--", label=r"squared error: $2p(1 - p)^2$"
    )
    ax.set_xscale("logit")
    ax.set_yscale("log")
    ax.set_ylim(1e-7, 3.0)
    ax.set_xlabel(r"predicted probability $p$ of the true class (logit scale)")
    ax.set_ylabel(r"$|\partial L / \partial z|$")
    ax.legend(loc="lower center")  # the one corner no curve crosses
    return ax


def _mean_losses(x: np.ndarray, y: np.ndarray, w: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Mean cross-entropy and mean squared error of the model sigma(w x), for each w."""
    logits = np.outer(x, w)
    ce = binary_cross_entropy_with_logits(
        logits, np.broadcast_to(y[:, None], logits.shape), reduction="none"
    ).mean(axis=0)
    sq = ((y[:, None] - sigmoid(logits)) ** 2).mean(axis=0)
    return ce, sq


def plot_sigmoid_loss_landscape(
    x: ArrayLike,
    y: ArrayLike,
    weights: ArrayLike | None = None,
    starts: Sequence[float] = (),
    lr: float = 1.0,
    steps: int = 200,
    ax: Any = None,
) -> Any:
    r"""Both mean losses of the one-weight model :math:`\sigma(w x)` against :math:`w`.

    Top: the cross-entropy, convex in :math:`w`. Bottom: the squared error, which need not be
    (Auer, Herbster and Warmuth). From each start in ``starts``, ``steps`` steps of gradient
    descent with learning rate ``lr`` are run on each loss and their end points marked.

    Parameters
    ----------
    x, y : array_like
        The one-dimensional inputs and their 0/1 (or soft) targets.
    weights : array_like, optional
        The grid of :math:`w`; default 1601 points from -6 to 10.
    starts : sequence of float, optional
        Starting weights of the gradient-descent runs.
    lr : float, optional
        Learning rate of the runs.
    steps : int, optional
        Steps of each run.
    ax : pair of Axes, optional
        Where to draw; default a new figure of two stacked panels.

    Returns
    -------
    numpy.ndarray of Axes
        The two panels; in each, ``lines[0]`` is the loss against :math:`w`, and the
        following lines are the end points of the runs, one per start.

    Examples
    --------
    >>> import numpy as np
    >>> from xentbook.plots import plot_sigmoid_loss_landscape
    >>> top, bottom = plot_sigmoid_loss_landscape([1.0, -1.0], [1.0, 0.0], starts=[-5.0])
    >>> print(np.round([top.lines[1].get_xdata()[0], bottom.lines[1].get_xdata()[0]], 2))
    [5.26 2.92]
    """
    xs = np.asarray(x, dtype=np.float64)
    ys = np.asarray(y, dtype=np.float64)
    w = np.linspace(-6.0, 10.0, 1601) if weights is None else np.asarray(weights, np.float64)
    if ax is None:
        top, bottom = new_axes(nrows=2, figsize=(6.0, 6.4))
    else:
        top, bottom = np.asarray(ax, dtype=object).ravel()
    ce, sq = _mean_losses(xs, ys, w)
    top.plot(w, ce, color=COLORS["ce"], lw=2, label="cross-entropy")
    bottom.plot(w, sq, color=COLORS["mse"], lw=2, label="squared error")
    marks = [(COLORS["accent"], "o"), (COLORS["extra"], "s"), (COLORS["grad"], "^")]
    for k, start in enumerate(starts):
        color, marker = marks[k % len(marks)]
        # The first start's marker is large and hollow, so that an end point shared with a
        # later start stays visible around it.
        face, size = ("none", 15) if k == 0 else (color, 8)
        for panel, kind in ((top, "ce"), (bottom, "mse")):
            w_k = float(start)
            for _ in range(int(steps)):
                p = sigmoid(w_k * xs)
                residual = p - ys if kind == "ce" else 2 * (p - ys) * p * (1 - p)
                w_k -= lr * float(np.mean(residual * xs))
            end_ce, end_sq = _mean_losses(xs, ys, np.array([w_k]))
            level = end_ce[0] if kind == "ce" else end_sq[0]
            panel.plot(
                [w_k],
                [level],
                marker,
                color=color,
                ms=size,
                mfc=face,
                mec=color if k == 0 else "black",
                mew=2.5 if k == 0 else 1.0,
                label=f"after {steps} steps from $w = {start:g}$",
            )
    for panel, name in ((top, "mean cross-entropy"), (bottom, "mean squared error")):
        panel.set_xlabel(r"weight $w$ of the model $\sigma(w x)$")
        panel.set_ylabel(name)
        panel.legend(loc="upper center")
    return np.array([top, bottom], dtype=object)


def plot_plateau_escape(
    paths: Mapping[float, tuple[ArrayLike, ArrayLike, ArrayLike]], ax: Any = None
) -> Any:
    r"""Loss, weight norm and accuracy of gradient-descent runs against learning rate x steps.

    Each run is plotted against :math:`\alpha t`, the time of the gradient flow that gradient
    descent with learning rate :math:`\alpha` follows: runs that only differ in :math:`\alpha`
    fall on one curve as long as the steps are small enough for the flow to be followed.

    Parameters
    ----------
    paths : mapping
        Learning rate to ``(loss, weight_norm, accuracy)``, three arrays of one value per step
        (after ``0, 1, 2, ...`` steps).
    ax : three Axes, optional
        Where to draw; default a new figure of three stacked panels.

    Returns
    -------
    numpy.ndarray of Axes
        The three panels (loss on a log scale, weight norm, accuracy); in each, ``lines[k]``
        is the k-th run of ``paths``, with :math:`\alpha t` on the horizontal axis.

    Examples
    --------
    >>> import numpy as np
    >>> from xentbook.plots import plot_plateau_escape
    >>> panels = plot_plateau_escape({2.0: ([1.0, 0.5], [3.0, 3.5], [0.0, 1.0])})
    >>> print(panels[0].lines[0].get_xdata())
    [0. 2.]
    """
    if ax is None:
        panels = new_axes(nrows=3, figsize=(6.0, 8.4))
    else:
        panels = np.asarray(ax, dtype=object).ravel()
    colors = [COLORS["mse"], COLORS["accent"], COLORS["extra"], COLORS["grad"]]
    styles = ["-", "--", "-.", ":"]
    for k, (lr, series) in enumerate(paths.items()):
        for panel, values in zip(panels, series, strict=True):
            y = np.asarray(values, dtype=np.float64)
            panel.plot(
                lr * np.arange(y.size),
                y,
                color=colors[k % 4],
                ls=styles[k % 4],
                lw=2,
                label=rf"$\alpha = {lr:g}$",
            )
    panels[0].set_yscale("log")
    labels = ["training loss (squared error)", r"weight norm $\Vert W \Vert$", "accuracy"]
    for panel, label in zip(panels, labels, strict=True):
        panel.set_ylabel(label)
    panels[-1].set_xlabel(r"learning rate $\times$ steps, $\alpha t$")
    for panel in panels:  # 48,477 rather than 48477, as in the text
        panel.xaxis.set_major_formatter(FuncFormatter(lambda v, _: f"{v:,.0f}"))
    panels[-1].set_ylim(0.0, 1.05)
    panels[0].legend(loc="lower left")
    return np.asarray(panels, dtype=object)


def plot_escape_steps(
    escapes: Mapping[float, int], flow_time: float | None = None, ax: Axes | None = None
) -> Axes:
    r"""Steps to escape a plateau against the learning rate, on log-log axes.

    In the flow regime gradient descent with learning rate :math:`\alpha` escapes after a fixed
    flow time :math:`\alpha t`, so the points fall on the line :math:`t = T / \alpha`; with
    larger rates they scatter.

    Parameters
    ----------
    escapes : mapping
        Learning rate to the number of steps before the escape (positive).
    flow_time : float, optional
        Flow time :math:`T` of the escape in the flow regime, drawn as the dashed line
        :math:`T / \alpha` over the range of the rates.
    ax : Axes, optional
        Where to draw; default a new figure.

    Returns
    -------
    matplotlib.axes.Axes
        ``lines[0]`` holds the points (rates in increasing order); with ``flow_time``,
        ``lines[1]`` is the line :math:`T / \alpha`.

    Examples
    --------
    >>> from xentbook.plots import plot_escape_steps
    >>> ax = plot_escape_steps({2.0: 500, 1.0: 1000}, flow_time=1000.0)
    >>> print(ax.lines[0].get_xdata(), ax.lines[1].get_ydata())
    [1. 2.] [1000.  500.]
    """
    if ax is None:
        ax = new_axes(figsize=(6.0, 3.8))
    rates = np.array(sorted(escapes), dtype=np.float64)
    steps = np.array([escapes[rate] for rate in sorted(escapes)], dtype=np.float64)
    ax.plot(rates, steps, "o", color=COLORS["mse"], ms=7, label="squared error: escape")
    if flow_time is not None:
        ax.plot(
            rates[[0, -1]],
            flow_time / rates[[0, -1]],
            color="0.4",
            ls="--",
            lw=1.5,
            label=rf"fixed flow time: $t = {flow_time:,.0f} / \alpha$".replace(",", "{,}"),
        )
    ax.set_xscale("log")
    ax.set_yscale("log")
    ax.set_xlabel(r"learning rate $\alpha$")
    ax.set_ylabel("steps to escape")
    ax.legend(loc="lower left")
    return ax


def plot_plateau_pulls(
    steps: ArrayLike,
    pull_fitted: ArrayLike,
    pull_wrong: ArrayLike,
    escape: float | None = None,
    ax: Axes | None = None,
    labels: tuple[str, str] = (
        "pull of the examples already right",
        "pull of the examples still wrong",
    ),
) -> Axes:
    r"""Sizes of the two parts of the gradient against the step, on log-log axes.

    Parameters
    ----------
    steps : array_like
        Steps at which the two parts were measured (positive).
    pull_fitted : array_like
        Norm of the gradient contributed by the examples already classified right.
    pull_wrong : array_like
        Norm of the gradient contributed by the examples still wrong.
    escape : float, optional
        Step of the escape from the plateau, marked by a dotted vertical line.
    ax : Axes, optional
        Where to draw; default a new figure.
    labels : (str, str), optional
        Legend entries of the two curves, for example the names of the two groups of examples
        when the split is by class rather than by right and wrong.

    Returns
    -------
    matplotlib.axes.Axes
        ``lines[0]`` is the fitted examples' pull, ``lines[1]`` the wrong examples'; with
        ``escape``, ``lines[2]`` is the vertical marker.

    Examples
    --------
    >>> from xentbook.plots import plot_plateau_pulls
    >>> ax = plot_plateau_pulls([1, 10], [1e-3, 1e-4], [1e-5, 1e-5], escape=5)
    >>> print(ax.lines[2].get_xdata())
    [5, 5]
    """
    if ax is None:
        ax = new_axes(figsize=(6.0, 3.8))
    steps = np.asarray(steps, dtype=np.float64)
    ax.plot(
        steps,
        np.asarray(pull_fitted, dtype=np.float64),
        color=COLORS["ce"],
        lw=2,
        label=labels[0],
    )
    ax.plot(
        steps,
        np.asarray(pull_wrong, dtype=np.float64),
        color=COLORS["mse"],
        lw=2,
        ls="--",
        label=labels[1],
    )
    if escape is not None:
        ax.axvline(escape, color="0.4", ls=":", lw=1.5, label="escape")
    ax.set_xscale("log")
    ax.set_yscale("log")
    ax.set_xlabel("step $t$")
    ax.set_ylabel("gradient norm")
    # top right, clear of the curves and of the escape marker at the right edge
    ax.legend(loc="upper right", bbox_to_anchor=(0.9, 1.0))
    return ax


def plot_wrong_start(runs: Mapping[str, tuple[ArrayLike, ArrayLike]], ax: Any = None) -> Any:
    r"""Accuracy and mean true-class probability of training runs against the step.

    Both quantities are in the same units whatever the loss, so runs of different losses from
    the same start can share the axes.

    Parameters
    ----------
    runs : mapping
        Name of the loss to ``(accuracy, true_class_probability)``, two arrays of one value per
        step (after ``0, 1, 2, ...`` steps); the second is the mean over the examples of the
        probability given to the true class.
    ax : two Axes, optional
        Where to draw; default a new figure of two stacked panels.

    Returns
    -------
    numpy.ndarray of Axes
        The two panels (accuracy; mean true-class probability on a log scale); in each,
        ``lines[k]`` is the k-th run of ``runs``, with the step on the horizontal axis.

    Examples
    --------
    >>> from xentbook.plots import plot_wrong_start
    >>> runs = {"cross-entropy": ([0.0, 0.5, 1.0], [0.1, 0.4, 0.8])}
    >>> top, bottom = plot_wrong_start(runs)
    >>> print(bottom.lines[0].get_xdata())
    [0 1 2]
    """
    if ax is None:
        panels = new_axes(nrows=2, figsize=(6.0, 6.5))
    else:
        panels = np.asarray(ax, dtype=object).ravel()
    colors = [COLORS["ce"], COLORS["mse"], COLORS["extra"], COLORS["accent"]]
    styles = ["-", "--", "-.", ":"]
    lowest = 1e-2  # the log axis spans at least 10^-2 to 1, so that it shows three labels
    for k, (name, series) in enumerate(runs.items()):
        for panel, values in zip(panels, series, strict=True):
            y = np.asarray(values, dtype=np.float64)
            panel.plot(
                np.arange(y.size), y, color=colors[k % 4], ls=styles[k % 4], lw=2, label=name
            )
        lowest = min(lowest, float(np.min(np.asarray(series[1], dtype=np.float64))))
    panels[0].set_ylim(0.0, 1.05)
    panels[0].set_ylabel("accuracy")
    panels[1].set_yscale("log")
    panels[1].set_ylim(lowest / 1.2, 1.2)
    panels[1].set_ylabel("mean probability\nof the true class")
    panels[1].set_xlabel("step $t$ (gradient descent, rate 1)")
    panels[0].legend(loc="center right")
    return np.asarray(panels, dtype=object)


def _true_class_pulls(p: np.ndarray, target: int) -> tuple[np.ndarray, np.ndarray]:
    """Sizes of both losses' gradients in the true class's logit, at each row of p.

    The gradient of the cross-entropy in z_y is p_y - 1. The squared error's is
    2 [J (p - e_y)]_y = 2 p_y (p_y - 1 - p.(p - e_y)), computed here from the Jacobian product
    (the closed form -2 p_y ||p - e_y||^2 is what the test checks against).
    """
    residual = p.copy()
    residual[:, target] -= 1.0  # p - e_y
    jr = p * residual - p * np.sum(p * residual, axis=1, keepdims=True)  # J (p - e_y)
    return np.abs(residual[:, target]), np.abs(2 * jr[:, target])


def plot_simplex_true_class_pull(target: int = 0, num: int = 90, ax: Any = None) -> Any:
    r"""How hard each loss pushes up the true class's logit, over the simplex of 3 classes.

    A point of each triangle is a prediction :math:`p = (p_0, p_1, p_2)`, at distance
    proportional to :math:`p_k` from the side opposite vertex :math:`k`; the true class is
    ``target``. The colour is :math:`|\partial L / \partial z_y|`. Top: cross-entropy's
    :math:`1 - p_y`, near 1 wherever the true class is unlikely. Bottom: the squared error's
    :math:`2 p_y \lVert p - e_y \rVert^2`, which vanishes along the whole side
    :math:`p_y = 0`, at the wrong vertices and between them. One logarithmic colour scale,
    from :math:`10^{-3}` (smaller values are clipped) to 1, serves both.

    Parameters
    ----------
    target : {0, 1, 2}, optional
        The true class. Default 0.
    num : int, optional
        Grid subdivisions per side (at least 2); the grid holds the
        :math:`(n+1)(n+2)/2` predictions :math:`(i, j, k)/n`.
    ax : pair of Axes, optional
        Where to draw; default a new figure of two stacked panels.

    Returns
    -------
    numpy.ndarray of Axes
        The two panels; in each, ``collections[0]`` is the coloured triangle, whose
        ``get_array()`` holds :math:`|\partial L / \partial z_y|` at the grid predictions (in
        the order ``(i, j)`` row-major, ``k = n - i - j``), before clipping.

    Examples
    --------
    >>> from xentbook.plots import plot_simplex_true_class_pull
    >>> top, bottom = plot_simplex_true_class_pull(num=2)
    >>> print(top.collections[0].get_array().round(3))
    [1.  1.  1.  0.5 0.5 0. ]
    """
    if target not in (0, 1, 2):
        raise ValueError(f"plot_simplex_true_class_pull: target must be 0, 1 or 2, got {target!r}")
    if isinstance(num, bool) or not isinstance(num, (int, np.integer)) or num < 2:
        raise ValueError(f"plot_simplex_true_class_pull: num must be an integer >= 2, got {num!r}")
    grid = (
        np.array(
            [(i, j, num - i - j) for i in range(num + 1) for j in range(num + 1 - i)], dtype=float
        )
        / num
    )
    ce, se = _true_class_pulls(grid, target)
    x, y = grid[:, 1] + 0.5 * grid[:, 2], (np.sqrt(3) / 2) * grid[:, 2]
    if ax is None:
        panels = new_axes(nrows=2, figsize=(6.0, 8.6))
    else:
        panels = np.asarray(ax, dtype=object).ravel()
    norm = LogNorm(vmin=1e-3, vmax=1.0, clip=True)
    titles = [
        r"cross-entropy: $|\partial L / \partial z_y| = 1 - p_y$",
        r"squared error: $|\partial L / \partial z_y| = 2 p_y \Vert p - e_y \Vert^2$",
    ]
    vertices = [(0.0, 0.0), (1.0, 0.0), (0.5, np.sqrt(3) / 2)]
    mesh = None
    for panel, values, title in zip(panels, (ce, se), titles, strict=True):
        panel.grid(False)
        panel.spines[:].set_visible(False)
        mesh = panel.tripcolor(x, y, values, shading="gouraud", cmap="viridis", norm=norm)
        mesh.set_array(values)  # the unclipped values; the norm clips only the colours
        lines = panel.tricontour(x, y, values, levels=[0.1, 0.5], colors="white", linewidths=1.2)
        # a dark outline keeps a white label legible where it overhangs the white background
        for label in panel.clabel(lines, fmt={0.1: "0.1", 0.5: "0.5"}, fontsize=10):
            label.set_path_effects([patheffects.withStroke(linewidth=2, foreground="0.3")])
        for k, (vx, vy) in enumerate(vertices):
            name = f"$p_{k} = 1$" + (" (true class)" if k == target else "")
            dy = 0.04 if vy > 0 else -0.09
            panel.text(
                vx,
                vy + dy,
                name,
                ha="center",
                fontsize=11,
                path_effects=[patheffects.withStroke(linewidth=2.5, foreground="white")],
            )
        panel.set_title(title, fontsize=12)
        panel.set_aspect("equal")
        panel.set_xlim(-0.12, 1.12)
        panel.set_ylim(-0.12, np.sqrt(3) / 2 + 0.1)
        panel.set_xticks([])
        panel.set_yticks([])
    fig = panels[0].figure
    bar = fig.colorbar(mesh, ax=list(panels), orientation="horizontal", shrink=0.8, pad=0.02)
    bar.set_label(r"push on the true class's logit, $|\partial L / \partial z_y|$", size=11)
    bar.ax.tick_params(labelsize=10)
    return np.array(list(panels), dtype=object)
