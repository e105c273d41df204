r"""Figures of the chapter on common mistakes: each puts a wrong formula next to the right one.

The wrong formulas are drawn here only to be looked at; the package never offers them as
functions. Every curve is a closed form of the true-class probability :math:`p_y` or of the
true-class logit margin :math:`m = z_y - \log \sum_{j \ne y} e^{z_j}`, for which
:math:`p_y = \sigma(m)` whatever the number of classes.
"""

from __future__ import annotations

from typing import Any

import numpy as np
from matplotlib.axes import Axes
from matplotlib.patches import Rectangle
from numpy.typing import ArrayLike, NDArray

from xentbook._validation import check_finite, float_array
from xentbook.cross_entropy import cross_entropy
from xentbook.information import surprisal
from xentbook.plots._style import COLORS, new_axes, two_axes
from xentbook.primitives import sigmoid, softmax, softplus

__all__ = [
    "plot_buggy_training",
    "plot_clamped_loss",
    "plot_class_axis_layouts",
    "plot_double_softmax",
    "plot_initial_loss",
    "plot_loss_without_log",
]


def _grid(func: str, name: str, value: ArrayLike | None, default: NDArray[Any]) -> NDArray[Any]:
    """A 1-d finite float64 grid, or ``default`` when ``value`` is None."""
    if value is None:
        return default
    arr = float_array(func, name, value).astype(np.float64)
    if arr.ndim != 1 or arr.size < 2:
        raise ValueError(
            f"{func}: {name} must be a 1-d array of at least 2 points, got shape {arr.shape}"
        )
    check_finite(func, name, arr)
    return arr


def _power_of_ten(x: float) -> str:
    """TeX for a positive number in scientific notation: ``10^{-15}``, ``2.5 \\times 10^{-3}``."""
    mantissa, exponent = f"{x:.1e}".split("e")
    if mantissa == "1.0":
        return f"10^{{{int(exponent)}}}"
    return f"{mantissa} \\times 10^{{{int(exponent)}}}"


def plot_loss_without_log(p: ArrayLike | None = None, ax: Any = None) -> Any:
    r"""The loss with and without its logarithm, and the gradients they give, against :math:`p_y`.

    First panel (the top one of the default figure): the cross-entropy :math:`-\log p_y` and the
    log-less :math:`-p_y` against the probability :math:`p_y` of the true class. Second panel
    (below it): the size of their derivatives with respect to the true-class logit,

    .. math::

        \left|\frac{\partial(-\log p_y)}{\partial z_y}\right| = 1 - p_y, \qquad
        \left|\frac{\partial(-p_y)}{\partial z_y}\right| = p_y (1 - p_y),

    so the log-less loss barely moves a confidently wrong prediction (:math:`p_y \to 0`).

    Parameters
    ----------
    p : array_like, optional
        Probabilities of the true class, in :math:`(0, 1]`; default 400 points from 0.001 to 1.
    ax : pair of Axes, optional
        Where to draw; default a new figure with two panels, one above the other.

    Returns
    -------
    ndarray of Axes
        The two panels. In each, ``lines[0]`` is the right formula and ``lines[1]`` the wrong one.

    Examples
    --------
    >>> import numpy as np
    >>> from xentbook.plots import plot_loss_without_log
    >>> axes = plot_loss_without_log(np.array([0.01, 0.5, 1.0]))
    >>> print(np.round(axes[0].lines[0].get_ydata(), 4), axes[0].lines[1].get_ydata())
    [4.6052 0.6931 0.    ] [-0.01 -0.5  -1.  ]
    """
    func = "plot_loss_without_log"
    p = _grid(func, "p", p, np.linspace(1e-3, 1.0, 400))
    if not ((p > 0) & (p <= 1)).all():
        raise ValueError(
            f"{func}: p must hold probabilities in (0, 1], got min {p.min()!r} and max {p.max()!r}"
        )
    left, right = two_axes(func, ax)

    left.plot(p, surprisal(p), color=COLORS["ce"], lw=2, label=r"right: $-\log p_y$")
    left.plot(p, -p, color=COLORS["mse"], lw=2, ls="--", label=r"wrong: $-p_y$")
    left.set_xlabel(r"probability of the true class $p_y$")
    left.set_ylabel("loss (nats for the right one)")
    left.set_ylim(-1.2, 5.0)
    left.legend(loc="upper right")

    right.plot(p, 1.0 - p, color=COLORS["ce"], lw=2, label=r"right: $1 - p_y$")
    right.plot(p, p * (1.0 - p), color=COLORS["mse"], lw=2, ls="--", label=r"wrong: $p_y(1 - p_y)$")
    right.set_xlabel(r"probability of the true class $p_y$")
    right.set_ylabel(r"$|\partial \ell / \partial z_y|$")
    right.legend(loc="upper right")
    return np.array([left, right], dtype=object)


def plot_clamped_loss(margin: ArrayLike | None = None, eps: float = 1e-15, ax: Any = None) -> Any:
    r"""True and clamped-probability losses, and their gradients, against the logit margin.

    With the true-class logit margin :math:`m` the probability of the true class is
    :math:`p_y = \sigma(m)` (the logistic sigmoid), the true loss is
    :math:`-\log p_y = \operatorname{softplus}(-m)` and its derivative is :math:`p_y - 1`.
    Clamping the probability first gives

    .. math::

        \ell_\epsilon(m) = -\log \operatorname{clip}(p_y, \epsilon, 1 - \epsilon),

    which is flat at :math:`-\log \epsilon` (34.54 for :math:`\epsilon = 10^{-15}`) once
    :math:`p_y < \epsilon`, with a derivative of exactly zero there. The computation is
    done in float64.

    Parameters
    ----------
    margin : array_like, optional
        Margins :math:`m`; default 701 points from -60 to 10.
    eps : float, optional
        The clamp, in :math:`(0, 1/2)`.
    ax : pair of Axes, optional
        Where to draw; default a new figure with two panels.

    Returns
    -------
    ndarray of Axes
        The loss panel and the gradient panel. In each, ``lines[0]`` is the true curve and
        ``lines[1]`` the clamped one; the loss panel's ``lines[2]`` marks :math:`-\log \epsilon`.

    Examples
    --------
    >>> import numpy as np
    >>> from xentbook.plots import plot_clamped_loss
    >>> axes = plot_clamped_loss(np.array([-50.0, 0.0]))
    >>> first, second = axes[0].lines[0].get_ydata(), axes[0].lines[1].get_ydata()
    >>> print(np.round(first, 4), np.round(second, 4))
    [50.      0.6931] [34.5388  0.6931]
    """
    func = "plot_clamped_loss"
    m = _grid(func, "margin", margin, np.linspace(-60.0, 10.0, 701))
    if isinstance(eps, bool) or not isinstance(eps, (int, float, np.integer, np.floating)):
        raise TypeError(f"{func}: eps must be a number, got {eps!r}")
    if not 0.0 < eps < 0.5:
        raise ValueError(f"{func}: eps must be in (0, 0.5), got {eps!r}")
    left, right = two_axes(func, ax)

    p = sigmoid(m)
    clipped = np.clip(p, eps, 1.0 - eps)
    inside = (p > eps) & (p < 1.0 - eps)
    true_loss = softplus(-m)
    clamped_loss = -np.log(clipped)
    true_grad = p - 1.0
    clamped_grad = np.where(inside, p - 1.0, 0.0)

    left.plot(m, true_loss, color=COLORS["ce"], lw=2, label=r"true: $-\log p_y$")
    left.plot(
        m,
        clamped_loss,
        color=COLORS["mse"],
        lw=2,
        ls="--",
        label=rf"clamped at $\epsilon = {_power_of_ten(eps)}$",
    )
    left.axhline(
        -np.log(eps),
        color=COLORS["reference"],
        lw=1,
        ls=":",
        label=rf"$-\log \epsilon = {-np.log(eps):.2f}$",
    )
    left.set_xlabel(r"true-class logit margin $m$")
    left.set_ylabel("loss (nats)")
    left.legend(loc="upper right")

    right.plot(m, true_grad, color=COLORS["ce"], lw=2, label=r"true: $p_y - 1$")
    right.plot(m, clamped_grad, color=COLORS["mse"], lw=2, ls="--", label="clamped")
    right.set_xlabel(r"true-class logit margin $m$")
    right.set_ylabel(r"$\partial \ell / \partial m$")
    right.set_ylim(-1.15, 0.15)
    # The empty band between the clamp's step and the sigmoid's rise, clear of both curves.
    right.legend(loc="center", bbox_to_anchor=(0.56, 0.5))
    return np.array([left, right], dtype=object)


def plot_double_softmax(
    num_classes: int = 10, margin: ArrayLike | None = None, ax: Any = None
) -> Any:
    r"""Cross-entropy of logits against cross-entropy of probabilities fed in as logits.

    For the logits :math:`z = (m, 0, \dots, 0)` with target class 0, the right loss
    :math:`\log(e^m + C - 1) - m` goes to zero as :math:`m` grows. Passing
    :math:`s = \operatorname{softmax}(z)` to a loss that applies its own softmax squeezes the
    "logits" into :math:`[0, 1]`, and the loss can never go below the floor

    .. math::

        \log(e + C - 1) - 1,

    reached by a one-hot input; at :math:`m = 0` both equal :math:`\log C`.

    The lower panel shows the size of the gradient each loss sends to the model's logits
    :math:`z`: :math:`\lVert s - e_0 \rVert` for the right loss, and
    :math:`\lVert J (\operatorname{softmax}(s) - e_0) \rVert` through the first softmax's
    Jacobian :math:`J = \operatorname{diag}(s) - s s^\top` for the wrong one, :math:`C` times
    smaller at :math:`m = 0`.

    Parameters
    ----------
    num_classes : int, optional
        The number of classes :math:`C \ge 2`.
    margin : array_like, optional
        Values of :math:`m`; default 401 points from -5 to 15.
    ax : Axes or pair of Axes, optional
        Where to draw: a single Axes gets the loss panel only, a pair gets both panels; default
        a new figure with the two panels stacked.

    Returns
    -------
    Axes or ndarray of Axes
        The loss panel (alone when a single Axes was given), else the loss and gradient panels.
        In the loss panel ``lines[0]`` is the right loss, ``lines[1]`` the double-softmax loss,
        ``lines[2]`` and ``lines[3]`` mark :math:`\log C` and the floor; in the gradient panel
        ``lines[0]`` and ``lines[1]`` are the two gradient norms.

    Examples
    --------
    >>> import numpy as np
    >>> from xentbook.plots import plot_double_softmax
    >>> loss, grad = plot_double_softmax(3, np.array([0.0, 40.0]))
    >>> once, twice = (np.round(line.get_ydata(), 4) for line in loss.lines[:2])
    >>> print(once, twice)
    [1.0986 0.    ] [1.0986 0.5514]
    >>> print(np.round(grad.lines[0].get_ydata()[0] / grad.lines[1].get_ydata()[0], 6))
    3.0
    """
    func = "plot_double_softmax"
    if isinstance(num_classes, bool) or not isinstance(num_classes, (int, np.integer)):
        raise TypeError(f"{func}: num_classes must be an integer, got {num_classes!r}")
    if num_classes < 2:
        raise ValueError(f"{func}: num_classes must be at least 2, got {num_classes!r}")
    m = _grid(func, "margin", margin, np.linspace(-5.0, 15.0, 401))
    if isinstance(ax, Axes):
        loss_ax, grad_ax = ax, None
    else:
        loss_ax, grad_ax = two_axes(func, ax)

    z = np.zeros((m.size, int(num_classes)))
    z[:, 0] = m
    target = np.zeros(m.size, dtype=np.int64)
    s = softmax(z)
    right = cross_entropy(z, target, reduction="none")
    wrong = cross_entropy(s, target, reduction="none")
    floor = np.log(np.e + num_classes - 1) - 1.0

    loss_ax.plot(m, right, color=COLORS["ce"], lw=2, label="right: cross_entropy(z, y)")
    loss_ax.plot(
        m, wrong, color=COLORS["mse"], lw=2, ls="--", label="wrong: cross_entropy(softmax(z), y)"
    )
    loss_ax.axhline(
        np.log(num_classes),
        color=COLORS["reference"],
        lw=1,
        ls=":",
        label=rf"$\log C = {np.log(num_classes):.3f}$",
    )
    loss_ax.axhline(
        floor,
        color=COLORS["accent"],
        lw=1,
        ls="-.",
        label=rf"floor $\log(e + C - 1) - 1 = {floor:.3f}$",
    )
    loss_ax.set_xlabel(rf"margin $m$ of the true class's logit ($C = {num_classes}$)")
    loss_ax.set_ylabel("loss (nats)")
    loss_ax.legend(loc="upper right")
    if grad_ax is None:
        return loss_ax

    # The right gradient is s - e_0, with 1 - s_0 summed from the other entries so that it
    # keeps its digits when s_0 rounds to 1.
    right_vec = s.copy()
    right_vec[:, 0] = -s[:, 1:].sum(axis=1)
    right_grad = np.linalg.norm(right_vec, axis=1)
    # The wrong loss's gradient with respect to its "logits" s is g = softmax(s) - e_0; through
    # the first softmax it becomes s * (g - s.g). Written with h = g - g_0, which is 0 at class
    # 0 and q_k + (1 - q_0) elsewhere, every term is non-negative until the last subtraction.
    q = softmax(s)
    h = q + q[:, 1:].sum(axis=1, keepdims=True)
    h[:, 0] = 0.0
    wrong_grad = np.linalg.norm(s * (h - np.sum(s * h, axis=1, keepdims=True)), axis=1)
    grad_ax.plot(m, right_grad, color=COLORS["ce"], lw=2, label="right")
    grad_ax.plot(m, wrong_grad, color=COLORS["mse"], lw=2, ls="--", label="wrong: softmax twice")
    grad_ax.set_yscale("log")
    grad_ax.set_xlabel(rf"margin $m$ of the true class's logit ($C = {num_classes}$)")
    grad_ax.set_ylabel(r"gradient size $\Vert \partial \ell / \partial z \Vert$")
    grad_ax.legend(loc="lower left")
    return np.array([loss_ax, grad_ax], dtype=object)


def plot_initial_loss(
    num_classes: tuple[int, ...] = (10, 1000),
    scale: ArrayLike | None = None,
    samples: int = 2000,
    seed: int = 0,
    marks: dict[str, float] | None = None,
    ax: Axes | None = None,
) -> Axes:
    r"""Mean cross-entropy of random logits against their spread, with :math:`\log C` marked.

    For each number of classes :math:`C` and each standard deviation :math:`\sigma`, draws
    ``samples`` logit vectors with independent :math:`\mathcal N(0, \sigma^2)` entries and
    averages the loss of class 0 (by symmetry, any fixed class gives the same expectation). A
    freshly initialised classifier should sit on the flat left part, at :math:`\log C`; for
    small :math:`\sigma` the expected loss is
    :math:`\log C + \tfrac12 \sigma^2 (1 - 1/C) + O(\sigma^4)`, and for large :math:`\sigma`
    it grows linearly in :math:`\sigma`.

    Parameters
    ----------
    num_classes : tuple of int, optional
        The class counts, one curve each (each at least 2).
    scale : array_like, optional
        Values of :math:`\sigma`; default 36 points from 0.01 to 30 on a log scale.
    samples : int, optional
        Logit vectors per point.
    seed : int, optional
        Seed of the random draws.
    marks : dict, optional
        Label to a value of :math:`\sigma`, each drawn as a labelled vertical line (for example
        the logit spreads that common initialisations give). Each label sits left of its line,
        the rightmost one's right of it, so that the two rightmost marks do not collide.
    ax : Axes, optional
        Where to draw; default a new figure.

    Returns
    -------
    Axes
        ``lines[2 k]`` is the mean loss for ``num_classes[k]`` and ``lines[2 k + 1]`` its
        :math:`\log C` level; the marks follow.

    Examples
    --------
    >>> import numpy as np
    >>> from xentbook.plots import plot_initial_loss
    >>> ax = plot_initial_loss((10,), np.array([0.01, 0.02]), samples=100)
    >>> first, second = ax.lines[0].get_ydata(), ax.lines[1].get_ydata()
    >>> print(np.round(first, 3), np.round(second[0], 3))
    [2.303 2.303] 2.303
    """
    func = "plot_initial_loss"
    for c in num_classes:
        if isinstance(c, bool) or not isinstance(c, (int, np.integer)) or c < 2:
            raise ValueError(f"{func}: num_classes must hold integers >= 2, got {num_classes!r}")
    if isinstance(samples, bool) or not isinstance(samples, (int, np.integer)) or samples < 1:
        raise ValueError(f"{func}: samples must be a positive integer, got {samples!r}")
    sigma = _grid(func, "scale", scale, np.geomspace(0.01, 30.0, 36))
    if np.any(sigma <= 0):
        raise ValueError(f"{func}: scale must be positive, got {scale!r}")
    ax = new_axes(ax)
    rng = np.random.default_rng(seed)
    colors = [COLORS["ce"], COLORS["accent"], COLORS["extra"], COLORS["grad"]]
    for k, c in enumerate(num_classes):
        noise = rng.standard_normal((int(samples), int(c)))
        target = np.zeros(int(samples), dtype=np.int64)
        mean_loss = np.array([cross_entropy(s * noise, target) for s in sigma])
        color = colors[k % len(colors)]
        ax.plot(sigma, mean_loss, color=color, lw=2, label=f"$C = {c}$")
        ax.plot(
            sigma,
            np.full_like(sigma, np.log(c)),
            color=color,
            lw=1,
            ls=":",
            label=rf"$\log {c} = {np.log(c):.2f}$",
        )
    ordered = sorted((marks or {}).items(), key=lambda kv: kv[1])
    for k, (label, value) in enumerate(ordered):
        ax.axvline(value, color=COLORS["reference"], lw=1, ls="--")
        # Each label sits left of its line, in the gap to the previous mark, except the last
        # one's, which goes right: two close marks at the right end then face away.
        right_side = len(ordered) > 1 and k == len(ordered) - 1
        ax.annotate(
            label,
            (value, 0.97),
            xycoords=("data", "axes fraction"),
            xytext=(3 if right_side else -3, 0),
            textcoords="offset points",
            rotation=90,
            ha="left" if right_side else "right",
            va="top",
            fontsize=10,
            color=COLORS["reference"],
        )
    ax.set_xscale("log")
    ax.set_yscale("log")
    ticks = [2, 5, 10, 20, 50, 100]
    ax.set_yticks(ticks, [str(t) for t in ticks])
    ax.set_xlabel(r"standard deviation $\sigma$ of the initial logits")
    ax.set_ylabel("mean loss at initialisation (nats)")
    ax.legend(loc="upper left")
    return ax


def plot_buggy_training(histories: dict[str, Any], ax: Any = None) -> Any:
    r"""What a training script logs when its loss is wrong: the reported loss and the accuracy.

    Parameters
    ----------
    histories : dict
        Label to a history with ``reported_loss`` and ``accuracy`` arrays (one entry per
        step), as returned by :func:`xentbook.book.train_with_loss_bug`.
    ax : pair of Axes, optional
        Where to draw; a new figure of two stacked panels when omitted.

    Returns
    -------
    numpy.ndarray of Axes
        Top: ``lines[k]`` is the reported loss of run ``k`` (symmetric log scale, since some
        buggy losses are negative). Bottom: ``lines[k]`` its training accuracy.

    Examples
    --------
    >>> import numpy as np
    >>> from xentbook.book import train_with_loss_bug
    >>> from xentbook.plots import plot_buggy_training
    >>> run = train_with_loss_bug(np.array([[-1.0], [1.0]]), [0, 1], steps=3)
    >>> top, bottom = plot_buggy_training({"right": run})
    >>> print(bottom.lines[0].get_ydata())
    [0.5 1.  1.  1. ]
    """
    if ax is None:
        top, bottom = new_axes(nrows=2, figsize=(6.0, 6.6))
    else:
        top, bottom = two_axes("plot_buggy_training", ax)
    colors = [COLORS["ce"], COLORS["mse"], COLORS["accent"], COLORS["extra"], COLORS["grad"]]
    styles = ["-", "--", "-.", ":", "-"]
    for k, (label, history) in enumerate(histories.items()):
        steps = np.arange(len(history.reported_loss))
        style = {"color": colors[k % 5], "ls": styles[k % 5], "lw": 2, "label": label}
        top.plot(steps, history.reported_loss, **style)
        bottom.plot(steps, history.accuracy, **style)
    top.set_yscale("symlog", linthresh=1.0)
    top.axhline(0.0, color=COLORS["reference"], lw=1)
    top.set_xlabel("gradient step")
    top.set_ylabel("loss the script reports")
    bottom.set_ylim(0.0, 1.02)
    bottom.set_xlabel("gradient step")
    bottom.set_ylabel("training accuracy")
    # One legend for both panels, above them, off the data.
    top.figure.legend(
        *top.get_legend_handles_labels(), loc="outside upper center", ncols=2, frameon=False
    )
    return np.array([top, bottom], dtype=object)


def plot_class_axis_layouts(num_classes: int = 3, length: int = 2, ax: Axes | None = None) -> Axes:
    r"""What ``reshape(-1, C)`` makes of one sequence's logits, with the classes first or last.

    Each cell is one logit, labelled ``c{k}t{t}`` (class :math:`k`, position :math:`t`) and
    coloured by its position. Top: the logits of one sequence as a convolutional model stores
    them, :math:`(B, C, T)` with :math:`B = 1`, one row per class. Bottom left: ``reshape(-1, C)``
    of that tensor cuts the memory into rows of :math:`C` entries, which mix positions and
    classes. Bottom right: with the class axis moved last, :math:`(B, T, C)`, the same reshape
    gives one row per position holding its :math:`C` class scores, the rows a loss expects.

    Parameters
    ----------
    num_classes : int, optional
        :math:`C`, from 2 to 6.
    length : int, optional
        :math:`T`, from 1 to 6.
    ax : Axes, optional
        Where to draw; default a new figure.

    Returns
    -------
    Axes
        Its ``texts`` hold the cell labels: first the :math:`C \times T` grid row by row, then
        the rows of the plain reshape, then the rows of the reshape after moving the axis,
        then the three titles.

    Examples
    --------
    >>> from xentbook.plots import plot_class_axis_layouts
    >>> ax = plot_class_axis_layouts(3, 2)
    >>> print([t.get_text() for t in ax.texts[6:9]])
    ['c0t0', 'c0t1', 'c1t0']
    """
    func = "plot_class_axis_layouts"
    for name, value, top in (("num_classes", num_classes, 6), ("length", length, 6)):
        low = 2 if name == "num_classes" else 1
        if isinstance(value, bool) or not isinstance(value, (int, np.integer)):
            raise TypeError(f"{func}: {name} must be an integer, got {value!r}")
        if not low <= value <= top:
            raise ValueError(f"{func}: {name} must be from {low} to {top}, got {value!r}")
    c, t = int(num_classes), int(length)
    x_span = 2 * c + 0.8 + 0.2  # two result blocks of C cells, the gap, the margins
    y_span = 0.6 * (c + t) + 1.2 + 0.7  # the source block, the results, the title bands
    ax = new_axes(ax, figsize=(6.0, 6.0 * y_span / x_span))
    labels = np.array([[[f"c{k}t{j}" for j in range(t)] for k in range(c)]])  # (1, C, T)
    positions = np.array([[list(range(t)) for _ in range(c)]])
    palette = ["#c6dbef", "#fdd0a2", "#c7e9c0", "#dadaeb", "#fcbba1", "#d9d9d9"]
    width, height, gap = 1.0, 0.6, 0.8

    def grid(cells: NDArray[Any], colour_of: NDArray[Any], x0: float, y0: float) -> float:
        """Draw a 2-d block of labelled cells with its top-left corner at (x0, y0)."""
        for row in range(cells.shape[0]):
            for col in range(cells.shape[1]):
                x, y = x0 + col * width, y0 - (row + 1) * height
                ax.add_patch(
                    Rectangle(
                        (x, y),
                        width,
                        height,
                        facecolor=palette[int(colour_of[row, col]) % len(palette)],
                        edgecolor="black",
                        lw=1,
                    )
                )
                ax.text(
                    x + width / 2,
                    y + height / 2,
                    cells[row, col],
                    ha="center",
                    va="center",
                    fontsize=10,
                )
        return float(x0 + cells.shape[1] * width)

    top_y = 0.0
    source_x = (2 * c + gap - t) * width / 2  # centre the source block over the two results
    grid(labels[0], positions[0], source_x, top_y)
    low_y = top_y - c * height - 1.2
    grid(labels.reshape(-1, c), positions.reshape(-1, c), 0.0, low_y)
    moved = np.moveaxis(labels, 1, -1).reshape(-1, c)
    grid(moved, np.moveaxis(positions, 1, -1).reshape(-1, c), (c + gap) * width, low_y)
    ax.text(
        source_x + t * width / 2,
        top_y + 0.15,
        f"(B, C, T) = (1, {c}, {t})",
        ha="center",
        va="bottom",
        fontsize=10,
    )
    ax.text(
        c * width / 2, low_y + 0.15, "reshape(-1, C): wrong", ha="center", va="bottom", fontsize=10
    )
    ax.text(
        (1.5 * c + gap) * width,
        low_y + 0.15,
        "(B, T, C), then reshape",
        ha="center",
        va="bottom",
        fontsize=10,
    )
    source_bottom = (source_x + t * width / 2, top_y - c * height - 0.1)
    for centre in (c * width / 2, (1.5 * c + gap) * width):
        ax.annotate(
            "",
            xy=(centre, low_y + 0.55),
            xytext=source_bottom,
            arrowprops={"arrowstyle": "->", "color": COLORS["reference"], "lw": 1.5},
        )
    ax.set_xlim(-0.1, (2 * c + gap) * width + 0.1)
    ax.set_ylim(low_y - t * height - 0.1, top_y + 0.6)
    ax.set_aspect("equal")
    ax.axis("off")
    return ax
