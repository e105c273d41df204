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
from numpy.typing import ArrayLike, NDArray

from xentbook._validation import check_finite, float_array
from xentbook.cross_entropy import cross_entropy
from xentbook.information import surprisal
from xentbook.plots._style import COLORS, new_axes
from xentbook.primitives import sigmoid, softmax, softplus

__all__ = [
    "plot_buggy_training",
    "plot_clamped_loss",
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


def _two_axes(func: str, ax: Any) -> Any:
    """The two panels to draw on: a new figure (stacked, to stay legible on a phone), or the
    two Axes the caller gave."""
    if ax is None:
        return new_axes(nrows=2, figsize=(6.0, 6.4))
    axes = np.asarray(ax, dtype=object).ravel()
    if axes.size != 2 or not all(isinstance(a, Axes) for a in axes):
        raise TypeError(f"{func}: ax must be None or a pair of Axes, got {ax!r}")
    return axes


def plot_loss_without_log(p: ArrayLike | None = None, ax: Any = None) -> Any:
    r"""The loss with and without its logarithm, and the gradients they give, against :math:`p_y`.

    Left panel: the cross-entropy :math:`-\log p_y` and the log-less :math:`-p_y` against the
    probability :math:`p_y` of the true class. Right panel: the size of their derivatives with
    respect to the true-class logit,

    .. math::

        \left|\frac{\partial(-\log p_y)}{\partial z_y}\right| = 1 - p_y, \qquad
        \left|\frac{\partial(-p_y)}{\partial z_y}\right| = p_y (1 - p_y),

    so the log-less loss barely moves a confidently wrong prediction (:math:`p_y \to 0`).

    Parameters
    ----------
    p : array_like, optional
        Probabilities of the true class, in :math:`(0, 1]`; default 400 points from 0.001 to 1.
    ax : pair of Axes, optional
        Where to draw; default a new figure with two panels.

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
    left, right = _two_axes(func, ax)

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

    With the true-class logit margin :math:`m` the true loss is
    :math:`-\log \sigma(m) = \operatorname{softplus}(-m)` and its derivative is
    :math:`\sigma(m) - 1`. Clamping the probability first gives

    .. math::

        \ell_\epsilon(m) = -\log \operatorname{clip}(\sigma(m), \epsilon, 1 - \epsilon),

    which is flat at :math:`-\log \epsilon` (34.54 for :math:`\epsilon = 10^{-15}`) once
    :math:`\sigma(m) < \epsilon`, with a derivative of exactly zero there. The computation is
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
    left, right = _two_axes(func, ax)

    p = sigmoid(m)
    clipped = np.clip(p, eps, 1.0 - eps)
    inside = (p > eps) & (p < 1.0 - eps)
    true_loss = softplus(-m)
    clamped_loss = -np.log(clipped)
    true_grad = p - 1.0
    clamped_grad = np.where(inside, p - 1.0, 0.0)

    left.plot(m, true_loss, color=COLORS["ce"], lw=2, label=r"true: $-\log \sigma(m)$")
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

    right.plot(m, true_grad, color=COLORS["ce"], lw=2, label=r"true: $\sigma(m) - 1$")
    right.plot(m, clamped_grad, color=COLORS["mse"], lw=2, ls="--", label="clamped")
    right.set_xlabel(r"true-class logit margin $m$")
    right.set_ylabel(r"$\partial \ell / \partial m$")
    right.set_ylim(-1.15, 0.15)
    right.legend(loc="center right")
    return np.array([left, right], dtype=object)


def plot_double_softmax(
    num_classes: int = 10, margin: ArrayLike | None = None, ax: Axes | None = None
) -> Axes:
    r"""Cross-entropy of logits against cross-entropy of probabilities fed in as logits.

    For the logits :math:`z = (m, 0, \dots, 0)` with target class 0, the right loss
    :math:`\log(e^m + C - 1) - m` goes to zero as :math:`m` grows. Passing
    :math:`\operatorname{softmax}(z)` to a loss that applies its own softmax squeezes the
    "logits" into :math:`[0, 1]`, and the loss can never go below the floor

    .. math::

        \log(e + C - 1) - 1,

    reached by a one-hot input; at :math:`m = 0` both equal :math:`\log C`.

    Parameters
    ----------
    num_classes : int, optional
        The number of classes :math:`C \ge 2`.
    margin : array_like, optional
        Values of :math:`m`; default 401 points from -5 to 15.
    ax : Axes, optional
        Where to draw; default a new figure.

    Returns
    -------
    Axes
        ``lines[0]`` is the right loss, ``lines[1]`` the double-softmax loss, ``lines[2]`` and
        ``lines[3]`` mark :math:`\log C` and the floor.

    Examples
    --------
    >>> import numpy as np
    >>> from xentbook.plots import plot_double_softmax
    >>> ax = plot_double_softmax(3, np.array([0.0, 40.0]))
    >>> print(np.round(ax.lines[0].get_ydata(), 4), np.round(ax.lines[1].get_ydata(), 4))
    [1.0986 0.    ] [1.0986 0.5514]
    """
    func = "plot_double_softmax"
    if isinstance(num_classes, bool) or not isinstance(num_classes, (int, np.integer)):
        raise TypeError(f"{func}: num_classes must be an integer, got {num_classes!r}")
    if num_classes < 2:
        raise ValueError(f"{func}: num_classes must be at least 2, got {num_classes!r}")
    m = _grid(func, "margin", margin, np.linspace(-5.0, 15.0, 401))
    ax = new_axes(ax)

    z = np.zeros((m.size, int(num_classes)))
    z[:, 0] = m
    target = np.zeros(m.size, dtype=np.int64)
    right = cross_entropy(z, target, reduction="none")
    wrong = cross_entropy(softmax(z), target, reduction="none")
    floor = np.log(np.e + num_classes - 1) - 1.0

    ax.plot(m, right, color=COLORS["ce"], lw=2, label="right: cross_entropy(z, y)")
    ax.plot(
        m, wrong, color=COLORS["mse"], lw=2, ls="--", label="wrong: cross_entropy(softmax(z), y)"
    )
    ax.axhline(
        np.log(num_classes),
        color=COLORS["reference"],
        lw=1,
        ls=":",
        label=rf"$\log C = {np.log(num_classes):.3f}$",
    )
    ax.axhline(
        floor,
        color=COLORS["accent"],
        lw=1,
        ls="-.",
        label=rf"floor $\log(e + C - 1) - 1 = {floor:.3f}$",
    )
    ax.set_xlabel(rf"margin $m$ of the true class's logit ($C = {num_classes}$)")
    ax.set_ylabel("loss (nats)")
    ax.legend(loc="upper right")
    return ax


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
        the logit spreads that common initialisations give).
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
    for label, value in (marks or {}).items():
        ax.axvline(value, color=COLORS["reference"], lw=1, ls="--")
        ax.annotate(
            label,
            (value, 0.97),
            xycoords=("data", "axes fraction"),
            rotation=90,
            ha="right",
            va="top",
            fontsize=9,
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
        top, bottom = new_axes(nrows=2, figsize=(6.0, 6.4))
    else:
        top, bottom = _two_axes("plot_buggy_training", ax)
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
    top.legend(loc="lower left")
    bottom.set_ylim(0.0, 1.02)
    bottom.set_xlabel("gradient step")
    bottom.set_ylabel("training accuracy")
    bottom.legend(loc="lower right")
    return np.array([top, bottom], dtype=object)
