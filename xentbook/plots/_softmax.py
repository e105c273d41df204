"""Figures of chapters 5 and 6: the smooth maximum, temperature, accuracy, loss against p."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import matplotlib as mpl
import numpy as np
from matplotlib.axes import Axes
from matplotlib.lines import Line2D
from numpy.typing import ArrayLike

from xentbook.book._ch05 import loss_condition_number
from xentbook.cross_entropy import cross_entropy
from xentbook.information import entropy
from xentbook.plots._style import COLORS, new_axes, phone_fonts
from xentbook.primitives import logsumexp, softmax
from xentbook.reference import reference_cross_entropy, relative_error

__all__ = [
    "plot_entropy_vs_temperature",
    "plot_error_vs_condition",
    "plot_float_grid",
    "plot_loss_vs_probability",
    "plot_relative_error",
    "plot_smooth_max",
    "plot_temperature",
]


def plot_temperature(
    logits: ArrayLike,
    temperatures: Sequence[float] = (0.25, 0.5, 1.0, 2.0, 4.0),
    ax: Axes | None = None,
) -> Axes:
    """Grouped bars of ``softmax(logits / T)`` for each temperature ``T``.

    One group of bars per class, one bar per temperature (container ``i`` of ``ax.containers``
    holds the bars of ``temperatures[i]``), so that sharpening (``T < 1``) and flattening
    (``T > 1``) can be read class by class. Line 0 is the uniform level ``1/C``, the limit of
    infinite temperature.

    Parameters
    ----------
    logits : array_like
        One vector of logits, shape ``(C,)``.
    temperatures : sequence of float
        Positive temperatures.
    ax : Axes, optional
        Where to draw; a new figure when omitted.

    Returns
    -------
    Axes

    Raises
    ------
    ValueError
        If ``logits`` is not one vector or a temperature is not positive.

    Examples
    --------
    >>> import matplotlib.pyplot as plt
    >>> from xentbook.plots import plot_temperature
    >>> ax = plot_temperature([2.0, 0.0], temperatures=(0.5, 2.0))
    >>> print([f"{bar.get_height():.4f}" for bar in ax.containers[0]])  # T = 0.5: sharper
    ['0.9820', '0.0180']
    >>> print([f"{bar.get_height():.4f}" for bar in ax.containers[1]])  # T = 2: flatter
    ['0.7311', '0.2689']
    >>> plt.close("all")
    """
    z = np.asarray(logits, dtype=np.float64)
    if z.ndim != 1:
        raise ValueError(f"plot_temperature: logits must be one vector, got shape {z.shape}")
    temps = [float(t) for t in temperatures]
    if not temps or any(not t > 0 for t in temps):
        raise ValueError(f"plot_temperature: temperatures must be positive, got {temperatures!r}")
    ax = new_axes(ax)
    classes = np.arange(z.size)
    width = 0.8 / len(temps)
    colors = mpl.colormaps["viridis"](np.linspace(0.05, 0.85, len(temps)))  # cold to hot
    for i, t in enumerate(temps):
        offset = (i - (len(temps) - 1) / 2) * width
        ax.bar(classes + offset, softmax(z / t), width=width, color=colors[i], label=f"$T = {t:g}$")
    # The limit T -> infinity: the uniform distribution.
    ax.axhline(1 / z.size, color=COLORS["reference"], ls=":", lw=1.2, label=f"uniform 1/{z.size}")
    ax.set_xticks(classes, [f"class {c}\n$z = {v:g}$" for c, v in zip(classes, z, strict=True)])
    ax.set_ylabel(r"probability $\mathrm{softmax}(z / T)$")
    ax.set_ylim(0, 1)
    ax.legend(title="temperature", fontsize=11, title_fontsize=11)
    phone_fonts(ax)
    return ax


def _confident_logits(margins: ArrayLike, num_classes: int, dtype: Any) -> np.ndarray:
    """One row ``[a, 0, ..., 0]`` per margin ``a``: the target (class 0) leads by ``a``."""
    a = np.asarray(margins, dtype=np.float64)
    z = np.zeros((a.size, num_classes), dtype=dtype)
    z[:, 0] = a
    return z


def plot_relative_error(
    margins: ArrayLike,
    dtype: Any = "float64",
    num_classes: int = 3,
    ax: Axes | None = None,
    *,
    legend: bool = True,
) -> Axes:
    r"""Relative error of three ways of computing a confident loss, against the margin.

    The logits are ``[a, 0, ..., 0]`` in ``dtype`` with the true class 0, so the exact loss
    is :math:`\log(1 + (C - 1) e^{-a})`, computed by
    :func:`xentbook.book.reference_cross_entropy`. The lines, in this order:

    0. ``-log(softmax(z)[0])`` with :func:`xentbook.softmax` (shifted, so it cannot overflow);
    1. ``logsumexp(z) - z[0]``;
    2. :func:`xentbook.cross_entropy` (points, no connecting line);
    3. the guide :math:`\kappa u`: the condition number of the loss times the unit roundoff
       (NaN at :math:`a = 0`, where :math:`\kappa = 0` has no place on the log axis).

    Exact results (relative error 0) are drawn at a floor of :math:`u / 64` (:math:`u` the unit
    roundoff of ``dtype``), marked by a dotted line, so that the log scale can show them.

    Parameters
    ----------
    margins : array_like
        The margins :math:`a \ge 0` (x axis).
    dtype : str or dtype
        ``"float32"`` or ``"float64"``.
    num_classes : int
        :math:`C \ge 2`.
    ax : Axes, optional
        Where to draw.
    legend : bool, optional
        Draw the legend, below the axes so that it hides no curve (default True).

    Returns
    -------
    Axes

    Raises
    ------
    ValueError
        If ``dtype`` is not float32 or float64, or ``num_classes`` is below 2.

    Examples
    --------
    At a margin of 40 the two naive ways return 0 (relative error 1); xentbook returns the exact
    loss, drawn at the floor :math:`u / 64 = 2^{-59}`:

    >>> import matplotlib.pyplot as plt
    >>> from xentbook.plots import plot_relative_error
    >>> ax = plot_relative_error([40.0], dtype="float64", num_classes=3)
    >>> print([f"{line.get_ydata()[0]:.1e}" for line in ax.lines[:3]])
    ['1.0e+00', '1.0e+00', '1.7e-18']
    >>> plt.close("all")
    """
    dt = np.dtype(dtype)
    if dt not in (np.dtype(np.float32), np.dtype(np.float64)):
        raise ValueError(f"plot_relative_error: dtype must be float32 or float64, got {dtype!r}")
    if num_classes < 2:
        raise ValueError(
            f"plot_relative_error: num_classes must be at least 2, got {num_classes!r}"
        )
    z = _confident_logits(margins, num_classes, dt)
    a = z[:, 0].astype(np.float64)
    target = np.zeros(len(z), dtype=np.intp)
    exact = reference_cross_entropy(z, target)
    with np.errstate(divide="ignore"):
        naive = -np.log(softmax(z)[:, 0])
    cancel = logsumexp(z, axis=1) - z[:, 0]
    ours = cross_entropy(z, target, reduction="none")
    u = float(np.finfo(dt).eps) / 2
    floor = u / 64
    # kappa = sum_j |z_j| |d loss / d z_j| / loss = a (1 - p_0) / loss, 1 - p_0 = s / (1 + s).
    s = (num_classes - 1) * np.exp(-a)
    kappa = a * (s / (1 + s)) / exact
    ax = new_axes(ax)
    series = [
        ("-log(softmax(z)[y])", naive, COLORS["mse"], "-"),
        ("logsumexp(z) - z[y]", cancel, COLORS["accent"], "--"),
        ("xentbook.cross_entropy", ours, COLORS["ce"], "o"),
    ]
    for label, values, color, style in series:
        err = np.maximum(relative_error(values, exact), floor)
        # xentbook's errors jump between 0 (the floor) and a few u: points, not a spiky line.
        kw = {"ls": "none", "marker": "o", "ms": 3.0} if style == "o" else {"ls": style}
        ax.plot(a, err, color=color, label=label, lw=1.8, **kw)
    # kappa is 0 at a = 0 (all differences vanish): leave that point out of the log axis.
    guide = np.where(kappa > 0, kappa * u, np.nan)
    ax.plot(
        a,
        guide,
        ":",
        color=COLORS["reference"],
        label=r"$\kappa u$ (condition number $\times\, u$)",
    )
    ax.axhline(floor, color=COLORS["reference"], lw=0.8, ls=(0, (1, 3)))
    # The label sits well below the floor line, so that a curve running along the floor (an
    # algorithm that is exact over a range of margins) does not cross it.
    ax.text(
        a[-1],
        floor / 2.5,
        "exact (error 0)",
        fontsize=11,
        color=COLORS["reference"],
        ha="right",
        va="top",
    )
    ax.set_yscale("log")
    ax.set_xlabel(r"margin $a$ (logits $(a, 0, \ldots, 0)$, true class 0)")
    ax.set_ylabel("relative error of the loss")
    ax.set_title(f"{dt.name}, C = {num_classes}")
    ax.set_ylim(floor / 40, 10)
    if legend:
        ax.legend(fontsize=11, loc="upper center", bbox_to_anchor=(0.5, -0.22), ncols=2)
    phone_fonts(ax)
    return ax


def plot_loss_vs_probability(
    p: ArrayLike | None = None, marks: dict[str, float] | None = None, ax: Axes | None = None
) -> Axes:
    r"""The loss :math:`-\log p` of one item against the probability :math:`p` of its true class.

    Line 0 is the curve; each entry of ``marks`` adds a labelled point on it.

    Parameters
    ----------
    p : array_like, optional
        Probabilities in ``(0, 1]``; default 1000 points from 0.001 to 1.
    marks : dict of str to float, optional
        Labelled probabilities to mark on the curve.
    ax : Axes, optional
        Where to draw.

    Returns
    -------
    Axes

    Raises
    ------
    ValueError
        If a probability is outside :math:`(0, 1]`.

    Examples
    --------
    >>> import matplotlib.pyplot as plt
    >>> from xentbook.plots import plot_loss_vs_probability
    >>> ax = plot_loss_vs_probability(marks={"Versicolor": 0.52})
    >>> print(f"{ax.lines[0].get_ydata()[0]:.4f} {ax.lines[1].get_ydata()[0]:.4f}")
    6.9078 0.6539
    >>> plt.close("all")
    """
    prob = np.linspace(0.001, 1.0, 1000) if p is None else np.asarray(p, dtype=np.float64)
    if np.any(~(prob > 0) | (prob > 1)):
        raise ValueError("plot_loss_vs_probability: p must be in (0, 1]")
    ax = new_axes(ax)
    ax.plot(prob, -np.log(prob), color=COLORS["ce"], lw=2, label=r"$-\log p$")
    for i, (label, value) in enumerate((marks or {}).items()):
        loss = -np.log(value)
        ax.plot([value], [loss], "o", color=COLORS["accent"], ms=6)
        ax.annotate(
            f"{label}: $-\\log {value:g} = {loss:.3f}$",
            (value, loss),
            xytext=(8, 14 + 14 * i),
            textcoords="offset points",
            fontsize="small",
        )
    ax.axvspan(prob.min(), 0.1, color=COLORS["mse"], alpha=0.08)
    ax.text(
        0.012,
        -np.log(prob.min()) * 0.93,
        "confident and wrong:\nthe loss explodes",
        fontsize="small",
        color=COLORS["mse"],
        va="top",
    )
    ax.set_xlabel("probability $p_y$ given to the true class")
    ax.set_ylabel(r"loss $-\log p_y$ (nats)")
    ax.set_xlim(0, 1)
    ax.set_ylim(0, None)
    return ax


def plot_smooth_max(
    x: ArrayLike | None = None,
    temperatures: Sequence[float] = (1.0, 0.5, 0.25),
    ax: Axes | None = None,
) -> Axes:
    r"""The smooth maximum :math:`T \operatorname{LSE}((x, 0) / T)` against :math:`\max(x, 0)`.

    Line ``i`` (for ``i < len(temperatures)``) is :math:`T_i \operatorname{LSE}((x, 0)/T_i)`;
    the next line is :math:`\max(x, 0)`; then, for each temperature in order, its upper bound
    :math:`\max(x, 0) + T_i \log 2` as a thin dotted line of the same colour.

    Parameters
    ----------
    x : array_like, optional
        The first logit (the second is 0); default 401 points from -4 to 4.
    temperatures : sequence of float
        Positive temperatures.
    ax : Axes, optional
        Where to draw.

    Returns
    -------
    Axes

    Raises
    ------
    ValueError
        If a temperature is not positive.

    Examples
    --------
    At :math:`x = 0` the two logits tie and the smooth maximum exceeds the maximum by
    :math:`T \log 2`, its largest gap:

    >>> import matplotlib.pyplot as plt
    >>> from xentbook.plots import plot_smooth_max
    >>> ax = plot_smooth_max([0.0], temperatures=(1.0,))
    >>> print(f"{ax.lines[0].get_ydata()[0]:.4f}")
    0.6931
    >>> plt.close("all")
    """
    xs = np.linspace(-4.0, 4.0, 401) if x is None else np.asarray(x, dtype=np.float64)
    temps = [float(t) for t in temperatures]
    if not temps or any(not t > 0 for t in temps):
        raise ValueError(f"plot_smooth_max: temperatures must be positive, got {temperatures!r}")
    ax = new_axes(ax)
    pairs = np.stack([xs, np.zeros_like(xs)], axis=1)
    colors = mpl.colormaps["viridis"](np.linspace(0.05, 0.75, len(temps)))
    for t, color in zip(temps, colors, strict=True):
        ax.plot(xs, t * logsumexp(pairs / t, axis=1), color=color, lw=2, label=f"$T = {t:g}$")
    hard = np.maximum(xs, 0)
    ax.plot(xs, hard, color="black", lw=1.2, label=r"$\max(x, 0)$")
    for t, color in zip(temps, colors, strict=True):
        ax.plot(xs, hard + t * np.log(2), ":", color=color, lw=1)
    ax.set_xlabel("first logit $x$ (the second logit is 0)")
    ax.set_ylabel(r"$T\,\mathrm{LSE}((x, 0)\,/\,T)$")
    # One legend entry for the dotted bounds (drawn in each curve's colour), not on the axes.
    handles, labels = ax.get_legend_handles_labels()
    handles.append(Line2D([], [], ls=":", lw=1.5, color="grey"))
    labels.append(r"bound $\max(x, 0) + T \log 2$")
    ax.legend(handles, labels, title="smooth max", fontsize=11, title_fontsize=11, loc="upper left")
    phone_fonts(ax)
    return ax


def plot_entropy_vs_temperature(
    logits: ArrayLike,
    temperatures: ArrayLike | None = None,
    at: float = 1.0,
    ax: Axes | None = None,
) -> Axes:
    r"""Entropy of :math:`\operatorname{softmax}(z / T)` against :math:`T`, with a tangent.

    Line 0 is :math:`H(p(T))` on a linear temperature axis; line 1 the tangent at
    :math:`T = ` ``at``, a straight segment of slope :math:`\operatorname{Var}_{p(T)}(z) / T^3`
    drawn over :math:`T \in [at/2, 3at/2]` and stopped at the ceiling; line 2 the ceiling
    :math:`\log C`.

    Parameters
    ----------
    logits : array_like
        One vector of logits, shape ``(C,)``.
    temperatures : array_like, optional
        Positive temperatures; default 400 points from 0.02 to 4.
    at : float
        Where the tangent touches (positive).
    ax : Axes, optional
        Where to draw.

    Returns
    -------
    Axes

    Raises
    ------
    ValueError
        If ``logits`` is not one vector, or a temperature or ``at`` is not positive.

    Examples
    --------
    >>> import matplotlib.pyplot as plt
    >>> from xentbook.plots import plot_entropy_vs_temperature
    >>> ax = plot_entropy_vs_temperature([1.0, 0.0], temperatures=[1.0])
    >>> print(f"{ax.lines[0].get_ydata()[0]:.4f}")  # entropy of (0.731, 0.269)
    0.5822
    >>> plt.close("all")
    """
    z = np.asarray(logits, dtype=np.float64)
    if z.ndim != 1:
        raise ValueError(
            f"plot_entropy_vs_temperature: logits must be one vector, got shape {z.shape}"
        )
    temps = (
        np.linspace(0.02, 4.0, 400)
        if temperatures is None
        else np.asarray(temperatures, dtype=np.float64)
    )
    if np.any(~(temps > 0)) or not at > 0:
        raise ValueError("plot_entropy_vs_temperature: temperatures must be positive")
    ax = new_axes(ax)
    h = np.array([entropy(softmax(z / t)) for t in temps])
    ax.plot(temps, h, color=COLORS["ce"], lw=2, label=r"$H(p(T))$")
    p = softmax(z / at)
    slope = (p @ z**2 - (p @ z) ** 2) / at**3
    ceiling = np.log(z.size)
    near = np.linspace(at / 2, at * 1.5, 51)
    tangent = entropy(p) + slope * (near - at)
    keep = tangent <= ceiling
    ax.plot(
        near[keep],
        tangent[keep],
        "--",
        color=COLORS["accent"],
        lw=1.8,
        label=rf"tangent at $T = {at:g}$, slope $\mathrm{{Var}}(z)/T^3 = {slope:.3f}$",
    )
    ax.plot([at], [entropy(p)], "o", color=COLORS["accent"], ms=5)
    ax.axhline(ceiling, color=COLORS["reference"], ls=":", label=r"$\log C$")
    ax.set_xlabel("temperature $T$")
    ax.set_ylabel(r"entropy $H(p(T))$ (nats)")
    ax.set_xlim(0, temps.max())
    ax.set_ylim(0, ceiling * 1.12)
    ax.legend(fontsize=11, loc="lower right")
    phone_fonts(ax)
    return ax


def plot_error_vs_condition(
    logits: ArrayLike,
    target: ArrayLike,
    ax: Axes | None = None,
    *,
    constant: float | None = None,
) -> Axes:
    r"""Relative error of :func:`xentbook.cross_entropy` in units of roundoff, against
    the condition number.

    One point per row (line 0): :math:`x = \kappa` from
    :func:`xentbook.book.loss_condition_number`, :math:`y = |\hat\ell - \ell| /
    (u \ell)` with :math:`\ell` from :func:`xentbook.book.reference_cross_entropy` and :math:`u`
    the unit roundoff of the logits' dtype. Line 1 is :math:`y = \kappa`, line 2 the first-order
    bound :math:`y = \kappa + \text{constant}`, both on a grid of :math:`\kappa` spaced evenly
    on the logarithmic :math:`\kappa` axis. The y axis reaches the bound at the largest
    :math:`\kappa` of the data, so that every point is seen under it.

    Parameters
    ----------
    logits : array_like
        float32 or float64 logits, shape ``(N, C)``.
    target : array_like
        Class indices, shape ``(N,)``.
    ax : Axes, optional
        Where to draw.
    constant : float, optional
        The bound's constant; default :math:`C + 1`, its value for correctly rounded ``exp``
        and ``log1p`` and a summation of any order.

    Returns
    -------
    Axes

    Raises
    ------
    ValueError
        If the logits are not a float32 or float64 array of shape ``(N, C)``.

    Examples
    --------
    >>> import matplotlib.pyplot as plt
    >>> import numpy as np
    >>> from xentbook.plots import plot_error_vs_condition
    >>> ax = plot_error_vs_condition(np.array([[40.0, 0.0, 0.0]]), [0])
    >>> print(f"{ax.lines[0].get_xdata()[0]:.2f} {ax.lines[0].get_ydata()[0]:.2f}")
    40.00 0.00
    >>> plt.close("all")
    """
    z = np.asarray(logits)
    if z.ndim != 2 or z.dtype not in (np.dtype(np.float32), np.dtype(np.float64)):
        raise ValueError(
            "plot_error_vs_condition: logits must be a float32 or float64 array of shape "
            f"(N, C), got dtype {z.dtype} and shape {z.shape}"
        )
    y = np.asarray(target).astype(np.intp)
    u = float(np.finfo(z.dtype).eps) / 2
    exact = reference_cross_entropy(z, y)
    err = relative_error(cross_entropy(z, y, reduction="none"), exact) / u
    kappa = loss_condition_number(z, y)
    c = z.shape[1] + 1.0 if constant is None else float(constant)
    ax = new_axes(ax)
    ax.plot(kappa, err, "o", ms=2.5, alpha=0.3, color=COLORS["ce"], mew=0, label="one row")
    # A logarithmic kappa axis: most rows have kappa of order 1, a few reach tens.
    line = np.geomspace(max(kappa.min(), 1e-3) / 1.3, max(kappa.max(), 1e-3) * 1.3, 200)
    ax.plot(line, line, "--", color=COLORS["reference"], label=r"$\kappa$")
    ax.plot(line, line + c, color=COLORS["mse"], lw=1.5, label=rf"bound $\kappa + {c:.4g}$")
    ax.set_xscale("log")
    ax.set_xlabel(r"condition number $\kappa$ (log scale)")
    ax.set_ylabel("relative error / u")
    ax.set_title(f"{z.dtype.name}, {len(z)} rows of C = {z.shape[1]} logits", pad=30)
    # Tall enough for the bound at the largest kappa of the data: every point is seen under it.
    ax.set_ylim(0, max(err.max(), kappa.max() + c) * 1.05)
    ax.set_xlim(line[0], line[-1])
    # Above the axes: inside, it would hide either the bound or the data.
    legend = ax.legend(
        fontsize=11, loc="lower center", bbox_to_anchor=(0.5, 1.0), ncols=3, frameon=False
    )
    # The points are faint and small on the axes; their legend key must not be.
    key = legend.legend_handles[0]
    if isinstance(key, Line2D):
        key.set_alpha(1.0)
        key.set_markersize(6.0)
    phone_fonts(ax)
    return ax


def plot_float_grid(
    cases: Sequence[tuple[float, float, str]] | None = None,
    dtype: Any = "float64",
    steps: int = 3,
    ax: Any = None,
) -> Any:
    r"""Number lines of the floating-point grid near a few numbers, each with a value to round.

    One panel per case ``(center, offset, label)``: short ticks at the ``2 * steps + 1``
    representable numbers of ``dtype`` nearest to ``center`` (``ax[i].lines[0]``, x data as
    offsets from ``center``), a marker at the exact number ``center + offset`` (``lines[1]``)
    and a ring at the representable number it rounds to (``lines[2]``). The default cases show
    the float64 grid near 1, near 40 and near :math:`s = 2 e^{-40}`, with the exact numbers
    :math:`1 + s`, :math:`40 + s` and :math:`s` itself.

    Parameters
    ----------
    cases : sequence of (float, float, str), optional
        ``(center, offset, label)`` for each panel: ``center`` is representable in ``dtype``,
        ``offset`` is the exact distance of the marked number from it.
    dtype : str or dtype
        ``"float32"`` or ``"float64"``.
    steps : int
        Grid points drawn on each side of ``center``.
    ax : array of Axes, optional
        One Axes per case; new stacked axes when omitted.

    Returns
    -------
    ndarray of Axes

    Raises
    ------
    ValueError
        If ``dtype`` is not float32 or float64, or ``steps`` is below 1.

    Examples
    --------
    >>> import matplotlib.pyplot as plt
    >>> from xentbook.plots import plot_float_grid
    >>> axes = plot_float_grid([(40.0, 1e-15, "near 40")])
    >>> print(f"{axes[0].lines[0].get_xdata()[4]:.3e}")  # one ulp of 40
    7.105e-15
    >>> plt.close("all")
    """
    dt = np.dtype(dtype)
    if dt not in (np.dtype(np.float32), np.dtype(np.float64)):
        raise ValueError(f"plot_float_grid: dtype must be float32 or float64, got {dtype!r}")
    if steps < 1:
        raise ValueError(f"plot_float_grid: steps must be at least 1, got {steps!r}")
    tiny = 2 * float(np.exp(-40.0))
    # 2 e^-40 is not a float64: its distance to the nearest one, in extended precision.
    residue = float(2 * np.exp(np.longdouble(-40)) - np.longdouble(tiny))
    cases = (
        [
            (1.0, tiny, r"near 1: $1 + s$ rounds to 1  ($s = 2e^{-40}$)"),
            (40.0, tiny, r"near 40: $40 + s$ rounds to 40"),
            (tiny, residue, r"near $s = 8.5 \cdot 10^{-18}$: $s$ keeps 16 digits"),
        ]
        if cases is None
        else list(cases)
    )
    axes = np.atleast_1d(new_axes(ax, nrows=len(cases), figsize=(6.0, 1.9 * len(cases))))
    for a, (center, offset, label) in zip(axes, cases, strict=True):
        c = dt.type(center)
        grid = [c]
        up, down = c, c
        for _ in range(steps):
            up = np.nextafter(up, dt.type(np.inf))
            down = np.nextafter(down, dt.type(-np.inf))
            grid = [down, *grid, up]
        offsets = np.array([float(g) - float(c) for g in grid])
        scale = float(np.spacing(c))
        a.plot(offsets, np.zeros_like(offsets), "|", ms=18, mew=2, color=COLORS["ce"])
        a.plot([offset], [0.0], "v", ms=9, color=COLORS["mse"], label="exact value")
        rounded = float(c + dt.type(offset)) - float(c)
        a.plot(
            [rounded],
            [0.0],
            "o",
            ms=12,
            mfc="none",
            mew=2,
            color=COLORS["accent"],
            label=f"nearest {dt.name}",
        )
        a.axhline(0, color=COLORS["reference"], lw=0.8)
        a.set_yticks([])
        a.spines[["left"]].set_visible(False)
        a.grid(False)
        a.set_xlim(offsets[0] - scale / 2, offsets[-1] + scale / 2)
        a.set_title(label, loc="left")
        a.set_xlabel(f"offset from {_number_label(float(c))}")
        phone_fonts(a)
        a.title.set_fontsize(12)
    # One key for all panels, in the empty upper right of the first (the data sit on y = 0).
    axes[0].legend(loc="upper right", ncols=2, fontsize=11, frameon=False, handletextpad=0.3)
    return axes


def _number_label(x: float) -> str:
    """``x`` to four significant digits, as ``m \\cdot 10^{e}`` in mathtext when tiny or huge."""
    if x == 0 or 1e-3 <= abs(x) < 1e4:
        return f"{x:.4g}"
    mantissa, exponent = f"{x:.3e}".split("e")
    return rf"${mantissa} \cdot 10^{{{int(exponent)}}}$"
