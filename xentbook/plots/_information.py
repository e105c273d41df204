r"""Figures of the information-theory chapters: surprisal, entropy and code lengths.

Each helper computes what it draws with the package's own :func:`xentbook.surprisal` and
:func:`xentbook.entropy`, so a figure always shows the functions the chapter checks.
"""

from __future__ import annotations

from typing import Any

import numpy as np
from matplotlib.axes import Axes
from numpy.typing import ArrayLike

from xentbook._validation import float_array
from xentbook.coding import _lengths
from xentbook.information import _distributions, entropy, surprisal
from xentbook.plots._style import COLORS, new_axes

__all__ = [
    "plot_bernoulli_entropy",
    "plot_code_lengths",
    "plot_cumulative_surprise",
    "plot_entropy_histogram",
    "plot_forecast_ledger",
    "plot_loss_with_and_without_log",
    "plot_naive_loss_underflow",
    "plot_surprisal",
    "plot_surprisal_halvings",
]


# Chapter 1's figures are drawn 4.6 in wide with 11-13 pt text: a 390 px phone shows them at
# about two thirds of their size, so the text stays near 12 CSS px.
_PHONE_SIZE = (4.6, 3.7)


def _phone_axes(ax: Axes | None, height: float = _PHONE_SIZE[1]) -> Axes:
    ax = new_axes(ax, figsize=(_PHONE_SIZE[0], height))
    ax.tick_params(labelsize=11)
    return ax


def _phone_labels(ax: Axes, xlabel: str, ylabel: str) -> None:
    ax.set_xlabel(xlabel, fontsize=12)
    ax.set_ylabel(ylabel, fontsize=12)


def _count(func: str, name: str, value: Any, minimum: int) -> int:
    if isinstance(value, bool) or not isinstance(value, (int, np.integer)):
        raise TypeError(f"{func}: {name} must be an integer, got {value!r}")
    if value < minimum:
        raise ValueError(f"{func}: {name} must be at least {minimum}, got {value!r}")
    return int(value)


def plot_surprisal(num: int = 400, p_min: float = 1e-3, ax: Axes | None = None) -> Axes:
    r"""Surprisal :math:`-\log p` against the probability :math:`p`, in bits and in nats.

    .. math::

        I_2(p) = -\log_2 p, \qquad I(p) = -\ln p = I_2(p) \ln 2 .

    Three landmark events are marked on the curve in bits: a fair coin (1 bit), a fair die
    (:math:`\log_2 6` bits) and a uniformly random decimal digit (:math:`\log_2 10` bits).

    Parameters
    ----------
    num : int, optional
        Number of probabilities, spaced evenly from ``p_min`` to 1.
    p_min : float, optional
        Smallest probability drawn, in :math:`(0, 1)`.
    ax : Axes, optional
        Where to draw; default a new figure.

    Returns
    -------
    Axes
        ``lines[0]`` is the curve in bits, ``lines[1]`` the curve in nats, ``lines[2:]`` the
        three landmarks.

    Examples
    --------
    >>> from xentbook.plots import plot_surprisal
    >>> ax = plot_surprisal(num=3, p_min=0.25)
    >>> print(ax.lines[0].get_xdata(), ax.lines[0].get_ydata())
    [0.25  0.625 1.   ] [2.         0.67807191 0.        ]
    """
    func = "plot_surprisal"
    num = _count(func, "num", num, 2)
    if not (isinstance(p_min, (int, float, np.floating)) and 0 < p_min < 1):
        raise ValueError(f"{func}: p_min must lie in (0, 1), got {p_min!r}")
    ax = _phone_axes(ax)
    p = np.linspace(p_min, 1.0, num)
    ax.plot(p, surprisal(p, base=2), color=COLORS["ce"], lw=2, label=r"bits: $-\log_2 p$")
    ax.plot(p, surprisal(p), color=COLORS["accent"], lw=2, ls="--", label=r"nats: $-\log p$")
    marks = {"coin": 1 / 2, "die": 1 / 6, "digit (1 ban)": 1 / 10}
    for text, prob in marks.items():
        bits = float(surprisal(prob, base=2))
        ax.plot([prob], [bits], "o", color=COLORS["ce"], ms=6)
        ax.annotate(
            f"{text}: {bits:.3g} bit{'' if bits == 1 else 's'}",
            (prob, bits),
            xytext=(8, 4),
            textcoords="offset points",
            fontsize=11,
        )
    _phone_labels(ax, "probability $p$ of the event", "surprisal $I(p)$")
    ax.set_xlim(0, 1.02)
    ax.set_ylim(0, max(float(surprisal(p_min, base=2)) * 0.75, 3.6))
    ax.legend(loc="upper right", fontsize=11)
    return ax


def plot_surprisal_halvings(halvings: int = 10, ax: Axes | None = None) -> Axes:
    r"""Surprisal in bits against the probability on a base-2 logarithmic axis: a straight line.

    With :math:`p = 2^{-n}`, the surprisal is :math:`-\log_2 p = n` bits, so each halving of
    the probability (one step to the right on the axis, which runs from :math:`p = 1` down to
    :math:`2^{-\text{halvings}}`) adds exactly one bit. The curve in nats,
    :math:`n \ln 2`, is a straight line too, with slope :math:`\ln 2`.

    Parameters
    ----------
    halvings : int, optional
        Number of halvings drawn; the axis ends at :math:`p = 2^{-\text{halvings}}`.
    ax : Axes, optional
        Where to draw; default a new figure.

    Returns
    -------
    Axes
        ``lines[0]`` is the line in bits (with a marker at every power of two),
        ``lines[1]`` the line in nats; ``lines[2:]`` mark a fair die (:math:`p = 1/6`) and
        an ace of spades drawn from a deck (:math:`p = 1/52`), both in bits, when they lie
        on the axis.

    Examples
    --------
    >>> from xentbook.plots import plot_surprisal_halvings
    >>> ax = plot_surprisal_halvings(halvings=3)
    >>> print(ax.lines[0].get_xdata(), ax.lines[0].get_ydata())
    [1.    0.5   0.25  0.125] [0. 1. 2. 3.]
    """
    halvings = _count("plot_surprisal_halvings", "halvings", halvings, 1)
    ax = _phone_axes(ax)
    p = 2.0 ** -np.arange(halvings + 1)
    ax.plot(
        p, surprisal(p, base=2), "o-", color=COLORS["ce"], lw=2, ms=5, label=r"bits: $-\log_2 p$"
    )
    ax.plot(p, surprisal(p), color=COLORS["accent"], lw=2, ls="--", label=r"nats: $-\log p$")
    for text, prob in {"die": 1 / 6, "ace of spades": 1 / 52}.items():
        if prob < p[-1]:
            continue
        bits = float(surprisal(prob, base=2))
        ax.plot([prob], [bits], "s", color=COLORS["extra"], ms=6)
        ax.annotate(
            f"{text}: {bits:.2f}",
            (prob, bits),
            xytext=(-12, 22),
            textcoords="offset points",
            ha="right",
            fontsize=11,
            arrowprops={"arrowstyle": "-", "color": COLORS["extra"], "lw": 1},
        )
    ax.set_xscale("log", base=2)
    ax.set_xlim(1.3, p[-1] / 1.3)  # probability falls to the right, so the lines rise
    ax.set_xticks(p[::2], ["1" if n == 0 else f"$2^{{-{n}}}$" for n in range(0, halvings + 1, 2)])
    ax.set_yticks(np.arange(0, halvings + 1, 2))
    ax.set_ylim(-0.3, halvings + 0.8)
    _phone_labels(ax, "probability $p$ (each step: halved)", "surprisal $I(p)$")
    ax.legend(loc="lower right", fontsize=11)
    return ax


def plot_cumulative_surprise(
    outcomes: ArrayLike, forecasts: dict[str, ArrayLike], ax: Axes | None = None
) -> Axes:
    r"""Running total, in bits, of the surprise of each forecaster at what actually happened.

    For a binary event (rain or not) on day :math:`t` and a forecast probability of rain
    :math:`q_t`, the surprise of the day is :math:`-\log_2 q_t` if it rained and
    :math:`-\log_2 (1 - q_t)` if not; each line is the running sum

    .. math::

        S_T = \sum_{t=1}^{T} -\log_2 q_t(x_t) .

    Parameters
    ----------
    outcomes : array_like of bool
        A 1-d array, True on the days the event happened.
    forecasts : dict of str to array_like
        Forecaster's name to probabilities of the event, one per day (or one number for the
        whole period), each in :math:`[0, 1]`.
    ax : Axes, optional
        Where to draw; default a new figure.

    Returns
    -------
    Axes
        ``lines[k]`` is the running total of the ``k``-th forecaster, against the day
        :math:`1, \dots, T`.

    Examples
    --------
    >>> from xentbook.plots import plot_cumulative_surprise
    >>> ax = plot_cumulative_surprise([True, False], {"fair": 0.5, "sure": [1.0, 0.0]})
    >>> print(ax.lines[0].get_ydata(), ax.lines[1].get_ydata())
    [1. 2.] [0. 0.]
    """
    func = "plot_cumulative_surprise"
    happened = np.asarray(outcomes)
    if happened.dtype != np.bool_ or happened.ndim != 1 or happened.size == 0:
        raise ValueError(
            f"{func}: outcomes must be a non-empty 1-d boolean array, got {happened.dtype} "
            f"of shape {happened.shape}"
        )
    if not forecasts:
        raise ValueError(f"{func}: forecasts must name at least one forecaster")
    ax = _phone_axes(ax, height=4.2)
    days = np.arange(1, happened.size + 1)
    palette = [
        COLORS["ce"],
        COLORS["accent"],
        COLORS["reference"],
        COLORS["mse"],
        COLORS["extra"],
        COLORS["grad"],
    ]
    for k, (name, chance) in enumerate(forecasts.items()):
        q = np.broadcast_to(float_array(func, name, chance).astype(np.float64), happened.shape)
        if not np.all((q >= 0) & (q <= 1)):
            raise ValueError(f"{func}: forecast {name!r} must lie in [0, 1]")
        given = np.where(happened, q, 1 - q)  # probability given to what happened
        total = np.cumsum(surprisal(given, base=2))
        ax.plot(
            days,
            total,
            color=palette[k % len(palette)],
            lw=2,
            label=f"{name}: {total[-1]:.0f} bits",
        )
    _phone_labels(ax, "day", "cumulative surprise (bits)")
    ax.set_xlim(0, happened.size * 1.01)
    ax.set_ylim(bottom=0)
    ax.legend(loc="upper left", fontsize=11)
    return ax


def plot_forecast_ledger(
    outcomes: ArrayLike, forecasts: dict[str, ArrayLike], reference: str
) -> np.ndarray:
    r"""Running surprise of each forecaster (top) and the bits it saves against one of them.

    The top panel is :func:`plot_cumulative_surprise`. The bottom panel draws, for each
    forecaster :math:`k`, the running total of the reference's surprise minus its own,

    .. math::

        D_T = \sum_{t=1}^{T} \left[-\log_2 r_t(x_t)\right] - \left[-\log_2 q_t(x_t)\right]
        = \sum_{t=1}^{T} \log_2 \frac{q_t(x_t)}{r_t(x_t)} ,

    the bits saved against the reference :math:`r` (positive: fewer bits of surprise). The
    reference itself is the zero line. The top panel reaches 1.3 times the largest total, so
    that its upper-left legend stays clear of the lines.

    Parameters
    ----------
    outcomes : array_like of bool
        A 1-d array, True on the days the event happened.
    forecasts : dict of str to array_like
        Forecaster's name to probabilities of the event, as in :func:`plot_cumulative_surprise`.
    reference : str
        The name, a key of ``forecasts``, of the forecaster the savings are measured against.

    Returns
    -------
    numpy.ndarray of Axes
        ``(top, bottom)``; ``bottom.lines[k]`` is the saving of the ``k``-th forecaster.

    Examples
    --------
    >>> from xentbook.plots import plot_forecast_ledger
    >>> forecasts = {"fair": 0.5, "sure": [1.0, 0.0]}
    >>> top, bottom = plot_forecast_ledger([True, False], forecasts, "fair")
    >>> print(bottom.lines[0].get_ydata(), bottom.lines[1].get_ydata())
    [0. 0.] [1. 2.]
    """
    func = "plot_forecast_ledger"
    if reference not in forecasts:
        raise ValueError(f"{func}: reference {reference!r} must name one of the forecasters")
    top, bottom = new_axes(nrows=2, figsize=(_PHONE_SIZE[0], 7.0))
    for a in (top, bottom):
        a.tick_params(labelsize=11)
    plot_cumulative_surprise(outcomes, forecasts, ax=top)
    top.set_xlabel("")
    totals = [line.get_ydata() for line in top.lines]
    # Headroom above the highest total keeps the upper-left legend clear of the lines.
    highest = max(float(np.max(t)) for t in totals)
    if highest > 0:
        top.set_ylim(0, 1.3 * highest)
    names = list(forecasts)
    ref = np.asarray(totals[names.index(reference)], dtype=np.float64)
    for k, name in enumerate(names):
        saved = ref - np.asarray(totals[k], dtype=np.float64)
        bottom.plot(
            top.lines[k].get_xdata(),
            saved,
            color=top.lines[k].get_color(),
            lw=2,
            label=f"{name}: {saved[-1]:+.0f}",
        )
    _phone_labels(bottom, "day", f"bits saved against {reference!r}")
    bottom.set_xlim(top.get_xlim())
    bottom.legend(loc="upper left", fontsize=11)
    return np.array([top, bottom])


def plot_loss_with_and_without_log(q_min: float = 1e-4, num: int = 401) -> np.ndarray:
    r"""One example's loss with and without the logarithm, and its slope, against :math:`q_y`.

    The top panel draws the surprisal :math:`-\log q_y` and the excess :math:`1 - q_y` of the
    log-less loss :math:`-q_y` over its minimum :math:`-1`: the first grows without bound as
    :math:`q_y \to 0`, the second never exceeds 1. The bottom panel draws the size of their
    derivatives with respect to the true class's logit :math:`z_y`,

    .. math::

        \left|\frac{\partial (-\log q_y)}{\partial z_y}\right| = 1 - q_y, \qquad
        \left|\frac{\partial (-q_y)}{\partial z_y}\right| = q_y (1 - q_y),

    on logarithmic axes, where the second falls in proportion to :math:`q_y`. Both panels put
    :math:`q_y` on a logarithmic axis, confidently wrong predictions on the left.

    Parameters
    ----------
    q_min : float, optional
        Smallest probability drawn, in :math:`(0, 0.5)`.
    num : int, optional
        Number of probabilities, spaced evenly in :math:`\log q_y` from ``q_min`` to 1.

    Returns
    -------
    numpy.ndarray of Axes
        ``[top, bottom]``. In each, ``lines[0]`` is the cross-entropy's curve and ``lines[1]``
        the log-less one. The bottom panel stops short of :math:`q_y = 1`, where both slopes
        vanish and a logarithmic axis cannot show zero.

    Examples
    --------
    >>> from xentbook.plots import plot_loss_with_and_without_log
    >>> top, bottom = plot_loss_with_and_without_log(q_min=0.01, num=3)
    >>> print(top.lines[0].get_xdata(), top.lines[1].get_ydata())
    [0.01 0.1  1.  ] [0.99 0.9  0.  ]
    >>> print(bottom.lines[0].get_ydata(), bottom.lines[1].get_ydata())
    [0.99 0.9 ] [0.0099 0.09  ]
    """
    func = "plot_loss_with_and_without_log"
    num = _count(func, "num", num, 2)
    if not (isinstance(q_min, (int, float, np.floating)) and 0 < q_min < 0.5):
        raise ValueError(f"{func}: q_min must lie in (0, 0.5), got {q_min!r}")
    top, bottom = new_axes(nrows=2, figsize=(_PHONE_SIZE[0], 6.6))
    for a in (top, bottom):
        a.tick_params(labelsize=11)
    q = np.logspace(np.log10(q_min), 0.0, num)
    q[-1] = 1.0
    top.plot(q, surprisal(q), color=COLORS["ce"], lw=2, label=r"$-\log q_y$ (nats)")
    top.plot(q, 1.0 - q, color=COLORS["mse"], lw=2, ls="--", label=r"$-q_y$, plus 1")
    top.set_xscale("log")
    top.set_xlim(q_min, 1.0)
    top.set_ylim(bottom=0)
    _phone_labels(top, "", "loss")
    top.legend(loc="upper right", fontsize=11)
    inner = q < 1.0
    bottom.plot(q[inner], 1.0 - q[inner], color=COLORS["ce"], lw=2, label=r"$1 - q_y$")
    bottom.plot(
        q[inner],
        q[inner] * (1.0 - q[inner]),
        color=COLORS["mse"],
        lw=2,
        ls="--",
        label=r"$q_y (1 - q_y)$",
    )
    bottom.set_xscale("log")
    bottom.set_yscale("log")
    bottom.set_xlim(q_min, 1.0)
    bottom.set_ylim(q_min / 2, 2.0)
    _phone_labels(
        bottom, "probability $q_y$ of the true class", r"$|\partial \ell / \partial z_y|$"
    )
    bottom.legend(loc="lower right", fontsize=11)
    return np.array([top, bottom], dtype=object)


def _round_to_bfloat16(x: np.ndarray) -> np.ndarray:
    r"""Round non-negative float64 values to the nearest bfloat16, ties to even.

    bfloat16 keeps float32's exponent range with an 8-bit significand: a normal number
    :math:`m 2^{E}`, :math:`m \in [1/2, 1)`, is a multiple of :math:`2^{E - 8}`, and below the
    smallest normal number :math:`2^{-126}` every value is a multiple of the smallest subnormal
    :math:`2^{-133}`. Dividing by that power of two is exact, and ``np.rint`` rounds half to
    even, so this is IEEE round-to-nearest-even (overflow is not handled: probabilities only).
    """
    _, exponent = np.frexp(x)
    quantum = np.ldexp(1.0, np.maximum(exponent - 8, -133))
    rounded: np.ndarray = np.rint(x / quantum) * quantum
    return rounded


def plot_naive_loss_underflow(
    max_gap: float = 120.0,
    num: int = 4801,
    zoom_from: float = 80.0,
    zoom_to: float | None = None,
    zoom_num: int | None = None,
) -> np.ndarray:
    r"""Two-class loss against the logit gap: from the logits, and as -log of a rounded q_y.

    The true class trails the other by the gap :math:`d`, so :math:`q_y = 1/(1 + e^{d})` and
    the exact loss is :math:`\log(1 + e^{d}) = d + \log(1 + e^{-d})`. The naive loss is
    :math:`-\log` of :math:`q_y` rounded to float32, bfloat16 or float16 (the probability a
    softmax in that format returns), with the logarithm taken in float64; it becomes infinite
    once :math:`q_y` rounds to zero, at :math:`d = 150 \ln 2 \approx 104`,
    :math:`134 \ln 2 \approx 92.9` and :math:`25 \ln 2 \approx 17.3`.

    Parameters
    ----------
    max_gap : float, optional
        Largest gap drawn; the gaps run evenly from 0.
    num : int, optional
        Number of gaps.
    zoom_from : float, optional
        Smallest gap of the lower panel, which shows the error of the naive loss.
    zoom_to : float, optional
        Largest gap of the lower panel, in ``(zoom_from, max_gap]``; default ``max_gap``.
    zoom_num : int, optional
        Number of gaps, spaced evenly from ``zoom_from`` to ``zoom_to``, of the lower panel;
        default: the gaps of the upper panel that fall in that range. The error jumps each
        time :math:`q_y` crosses a rounding boundary, ever more often as the gap shrinks, so a
        grid much finer than the upper panel's shows its true sawtooth shape.

    Returns
    -------
    numpy.ndarray of Axes
        ``[top, bottom]``. In ``top``, ``lines[0]`` is the exact loss and ``lines[1:4]`` the
        naive loss in float32, bfloat16 and float16, NaN where it is infinite; ``lines[4:]``
        mark, above the axes, the first gap at which each naive loss is infinite. In
        ``bottom``, ``lines[0:2]`` are naive minus exact for float32 and bfloat16, against the
        gaps from ``zoom_from`` to ``zoom_to`` (``zoom_num`` of them if given).

    Examples
    --------
    >>> from xentbook.plots import plot_naive_loss_underflow
    >>> top, bottom = plot_naive_loss_underflow(max_gap=110.0, num=12)
    >>> print(top.lines[1].get_xdata()[-2:], top.lines[1].get_ydata()[-2:])
    [100. 110.] [99.98309304         nan]
    """
    func = "plot_naive_loss_underflow"
    num = _count(func, "num", num, 2)
    if not (isinstance(max_gap, (int, float, np.floating)) and 0 < max_gap < 700):
        raise ValueError(f"{func}: max_gap must lie in (0, 700), got {max_gap!r}")
    if not (isinstance(zoom_from, (int, float, np.floating)) and 0 <= zoom_from < max_gap):
        raise ValueError(f"{func}: zoom_from must lie in [0, max_gap), got {zoom_from!r}")
    zoom_to = float(max_gap) if zoom_to is None else zoom_to
    if not (isinstance(zoom_to, (int, float, np.floating)) and zoom_from < zoom_to <= max_gap):
        raise ValueError(f"{func}: zoom_to must lie in (zoom_from, max_gap], got {zoom_to!r}")
    if zoom_num is not None:
        zoom_num = _count(func, "zoom_num", zoom_num, 2)
    top, bottom = new_axes(nrows=2, figsize=(_PHONE_SIZE[0], 6.6))
    for a in (top, bottom):
        a.tick_params(labelsize=11)
    gap = np.linspace(0.0, float(max_gap), num)
    q_exact = 1.0 / (1.0 + np.exp(gap))  # float64 keeps it normal up to a gap of 708
    exact = gap + np.log1p(np.exp(-gap))
    top.plot(gap, exact, color=COLORS["reference"], lw=5, alpha=0.5, label="from the logits")
    rounded = {
        "float32": q_exact.astype(np.float32).astype(np.float64),
        "bfloat16": _round_to_bfloat16(q_exact),
        "float16": q_exact.astype(np.float16).astype(np.float64),
    }
    colors = {"float32": COLORS["ce"], "bfloat16": COLORS["extra"], "float16": COLORS["accent"]}
    naive = {}
    for name, q in rounded.items():
        with np.errstate(divide="ignore"):  # log(0) = -inf is the point of the figure
            loss = -np.log(q)
        naive[name] = np.where(np.isfinite(loss), loss, np.nan)
        top.plot(gap, naive[name], color=colors[name], lw=1.8, label=f"$-\\log q_y$, {name}")
    for name, loss in naive.items():
        blown = np.isnan(loss)
        if not blown.any():
            continue
        start = float(gap[np.argmax(blown)])
        top.plot([start], [max_gap * 1.03], "v", color=colors[name], ms=9, clip_on=False)
        top.annotate(
            f"{start:.0f}",
            (start, max_gap * 1.03),
            xytext=(0, 8),
            textcoords="offset points",
            ha="right" if name == "bfloat16" else ("left" if name == "float32" else "center"),
            fontsize=11,
            color=colors[name],
        )
    top.text(2, max_gap * 0.9, "$\\infty$ from the marked gaps", fontsize=11)
    _phone_labels(top, "logit gap $d$ (true class behind)", "loss (nats)")
    top.set_xlim(0, max_gap)
    top.set_ylim(0, max_gap * 1.03)
    top.legend(loc="lower right", fontsize=11)
    if zoom_num is None:
        zoom = (gap >= zoom_from) & (gap <= zoom_to)
        fine, fine_exact = gap[zoom], exact[zoom]
        errors = {name: naive[name][zoom] - fine_exact for name in ("float32", "bfloat16")}
        width = 1.5
    else:
        fine = np.linspace(float(zoom_from), float(zoom_to), zoom_num)
        fine_q = 1.0 / (1.0 + np.exp(fine))
        fine_exact = fine + np.log1p(np.exp(-fine))
        fine_rounded = {
            "float32": fine_q.astype(np.float32).astype(np.float64),
            "bfloat16": _round_to_bfloat16(fine_q),
        }
        errors = {}
        for name, q in fine_rounded.items():
            with np.errstate(divide="ignore"):
                loss = -np.log(q)
            errors[name] = np.where(np.isfinite(loss), loss, np.nan) - fine_exact
        width = 0.8
    for name, error in errors.items():
        bottom.plot(fine, error, color=colors[name], lw=width, label=name)
    bottom.axhline(0.0, color=COLORS["reference"], lw=1)
    _phone_labels(bottom, "logit gap $d$", "naive $-$ exact (nats)")
    bottom.set_xlim(zoom_from, zoom_to)
    bottom.legend(loc="upper left", fontsize=11)
    return np.array([top, bottom], dtype=object)


def plot_bernoulli_entropy(num: int = 401, ax: Axes | None = None) -> Axes:
    r"""Entropy in bits of a coin that lands heads with probability :math:`p`.

    .. math::

        H_2(p) = -p \log_2 p - (1 - p) \log_2 (1 - p),

    zero at both ends (where :math:`0 \log 0 = 0`) and one bit at :math:`p = 1/2`.

    Parameters
    ----------
    num : int, optional
        Number of probabilities, spaced evenly over :math:`[0, 1]`, ends included.
    ax : Axes, optional
        Where to draw; default a new figure.

    Returns
    -------
    Axes
        ``lines[0]`` is the curve; ``lines[1]`` marks the maximum at :math:`(1/2, 1)`.

    Examples
    --------
    >>> from xentbook.plots import plot_bernoulli_entropy
    >>> ax = plot_bernoulli_entropy(num=5)
    >>> print(ax.lines[0].get_ydata().round(4))
    [0.     0.8113 1.     0.8113 0.    ]
    """
    num = _count("plot_bernoulli_entropy", "num", num, 2)
    ax = new_axes(ax)
    p = np.linspace(0.0, 1.0, num)
    h = entropy(np.stack([p, 1 - p], axis=-1), base=2)
    ax.plot(p, h, color=COLORS["ce"], lw=2, label="$H_2(p)$")
    ax.plot([0.5], [1.0], "o", color=COLORS["accent"], ms=6, label="maximum: 1 bit at $p=1/2$")
    ax.axhline(1.0, color=COLORS["reference"], lw=1, ls=":")
    ax.set_xlabel("probability of heads $p$")
    ax.set_ylabel("entropy $H$ in bits")
    ax.set_xlim(0, 1)
    ax.set_ylim(0, 1.08)
    ax.legend(loc="lower center")
    return ax


def plot_code_lengths(
    p: ArrayLike, lengths: ArrayLike, labels: Any = None, ax: Axes | None = None
) -> Axes:
    r"""Codeword lengths of a code beside the surprisal :math:`-\log_2 p_i` of each symbol.

    The legend gives both averages over the source: the average code length and the entropy,

    .. math::

        L = \sum_i p_i l_i \;\ge\; H_2(p) = \sum_i p_i (-\log_2 p_i) .

    Parameters
    ----------
    p : array_like
        A 1-d probability vector with positive entries.
    lengths : array_like of int
        Codeword lengths in bits, one per symbol.
    labels : sequence of str, optional
        Names of the symbols on the x axis; default their indices.
    ax : Axes, optional
        Where to draw; default a new figure.

    Returns
    -------
    Axes
        ``patches[:C]`` are the codeword-length bars, ``patches[C:]`` the surprisal bars.

    Examples
    --------
    >>> from xentbook.plots import plot_code_lengths
    >>> ax = plot_code_lengths([0.5, 0.25, 0.25], [1, 2, 2])
    >>> print([float(bar.get_height()) for bar in ax.patches[3:]])
    [1.0, 2.0, 2.0]
    """
    func = "plot_code_lengths"
    probs, _, _ = _distributions(func, "p", p, -1)
    n = _lengths(func, lengths)
    if probs.ndim != 1 or probs.shape != n.shape:
        raise ValueError(
            f"{func}: p and lengths must be 1-d of the same shape, got {probs.shape} and {n.shape}"
        )
    if (probs == 0).any():
        raise ValueError(f"{func}: p must be positive (a zero has infinite surprisal)")
    if labels is not None and len(labels) != n.size:
        raise ValueError(f"{func}: labels must name all {n.size} symbols, got {len(labels)}")
    ax = new_axes(ax)
    x = np.arange(n.size)
    info = surprisal(probs, base=2)
    avg = float(np.dot(probs, n))
    h = float(entropy(probs, base=2))
    ax.bar(
        x - 0.2, n, width=0.4, color=COLORS["ce"], label=f"codeword length (average {avg:.3f} bits)"
    )
    ax.bar(
        x + 0.2,
        info,
        width=0.4,
        color=COLORS["accent"],
        label=f"surprisal $-\\log_2 p_i$ (average $H$ = {h:.3f} bits)",
    )
    ax.set_xticks(x, [str(i) for i in x] if labels is None else [str(s) for s in labels])
    ax.set_xlabel("symbol")
    ax.set_ylabel("bits")
    ax.set_ylim(0, max(float(np.max(n)), float(np.max(info))) * 1.3)
    ax.legend(loc="upper left")
    return ax


def plot_entropy_histogram(
    entropies: ArrayLike, num_classes: int, bins: int = 40, ax: Axes | None = None
) -> Axes:
    r"""Histogram of entropies (in nats) of distributions over ``num_classes`` outcomes.

    A dashed line marks the upper bound, the entropy of the uniform distribution:

    .. math::

        H(p) \le \log C .

    Parameters
    ----------
    entropies : array_like
        A 1-d array of entropies in nats, for example ``entropy(P)`` for a batch ``P``.
    num_classes : int
        The number :math:`C` of outcomes of the distributions.
    bins : int, optional
        Number of bins, spread evenly over :math:`[0, \log C]`.
    ax : Axes, optional
        Where to draw; default a new figure.

    Returns
    -------
    Axes
        ``patches`` are the ``bins`` bars; ``lines[0]`` is the line at :math:`\log C`.

    Examples
    --------
    >>> from xentbook.plots import plot_entropy_histogram
    >>> ax = plot_entropy_histogram([0.1, 0.5, 0.6], num_classes=2, bins=2)
    >>> print([float(bar.get_height()) for bar in ax.patches])
    [1.0, 2.0]
    """
    func = "plot_entropy_histogram"
    values = float_array(func, "entropies", entropies).astype(np.float64)
    if values.ndim != 1 or values.size == 0:
        raise ValueError(
            f"{func}: entropies must be a non-empty 1-d array, got shape {values.shape}"
        )
    if isinstance(num_classes, bool) or not isinstance(num_classes, (int, np.integer)):
        raise ValueError(f"{func}: num_classes must be a positive integer, got {num_classes!r}")
    if num_classes < 2:
        raise ValueError(f"{func}: num_classes must be at least 2, got {num_classes!r}")
    bins = _count(func, "bins", bins, 1)
    bound = float(np.log(num_classes))
    if not np.all((values >= 0) & (values <= bound * (1 + 1e-12))):
        raise ValueError(
            f"{func}: entropies must lie in [0, log {num_classes}] = [0, {bound:.6g}], "
            f"got values from {values.min()!r} to {values.max()!r}"
        )
    ax = new_axes(ax)
    ax.hist(
        np.minimum(values, bound),
        bins=bins,
        range=(0.0, bound),
        color=COLORS["ce"],
        alpha=0.85,
        label=f"{values.size} random distributions",
    )
    ax.axvline(
        bound,
        color=COLORS["accent"],
        lw=2,
        ls="--",
        label=f"uniform: $\\log {num_classes}$ = {bound:.3f} nats",
    )
    ax.set_xlabel("entropy $H(p)$ in nats")
    ax.set_ylabel("number of distributions")
    ax.set_xlim(0, bound * 1.08)
    ax.legend(loc="upper left")
    return ax
