"""Shared figure styling and display: one small function each, no global state."""

from __future__ import annotations

import io
from typing import Any, overload

import matplotlib.pyplot as plt
import numpy as np
from matplotlib.axes import Axes
from matplotlib.figure import Figure
from matplotlib.text import Text

# Colours used for the same idea throughout the book.
COLORS = {
    "ce": "#1f77b4",  # cross-entropy
    "mse": "#d62728",  # mean squared error
    "grad": "#2ca02c",  # gradients
    "reference": "#7f7f7f",  # references and guides
    "accent": "#ff7f0e",
    "extra": "#9467bd",
}


@overload
def new_axes(ax: Axes | None = None, *, figsize: tuple[float, float] | None = None) -> Axes: ...


@overload
def new_axes(
    ax: None = None, *, ncols: int, nrows: int = 1, figsize: tuple[float, float] | None = None
) -> Any: ...


@overload
def new_axes(
    ax: None = None, *, nrows: int, ncols: int = 1, figsize: tuple[float, float] | None = None
) -> Any: ...


def new_axes(
    ax: Axes | None = None,
    *,
    ncols: int = 1,
    nrows: int = 1,
    figsize: tuple[float, float] | None = None,
) -> Any:
    """Axes to draw on: ``ax`` itself when given, else a new opaque white figure.

    The white face keeps figures readable on the book's dark theme. With ``ncols`` or ``nrows``
    above one, returns the array of new axes (``ax`` must then be None).
    """
    if ax is not None:
        return ax
    if figsize is None:
        figsize = (5.6 * ncols if ncols > 1 else 6.0, 3.8 * nrows)
    _, axes = plt.subplots(
        nrows, ncols, figsize=figsize, layout="constrained", facecolor="white", squeeze=True
    )
    for a in np.atleast_1d(axes).ravel():
        a.set_facecolor("white")
        a.grid(True, alpha=0.3)
        a.spines[["top", "right"]].set_visible(False)
    return axes


def two_axes(func: str, ax: Any, *, figsize: tuple[float, float] = (6.0, 6.4)) -> Any:
    """The two panels to draw on: a new figure of two stacked panels (legible on a phone) when
    ``ax`` is None, else the two Axes the caller gave; ``TypeError`` naming ``func`` otherwise."""
    if ax is None:
        return new_axes(nrows=2, figsize=figsize)
    axes = np.asarray(ax, dtype=object).ravel()
    if axes.size != 2 or not all(isinstance(a, Axes) for a in axes):
        raise TypeError(f"{func}: ax must be None or two Axes, got {ax!r}")
    return axes


def phone_fonts(ax: Axes) -> None:
    """Fonts large enough for a phone, where a 6 in figure is shown about 360 px wide: tick
    labels at 12 points, axis labels and the title at 13."""
    ax.tick_params(labelsize=12)
    ax.xaxis.label.set_fontsize(13)
    ax.yaxis.label.set_fontsize(13)
    ax.title.set_fontsize(13)


# A figure is displayed at DISPLAY_DPI CSS pixels per inch of its size and drawn at twice that,
# so it stays sharp on high-density screens and when a phone scales it down.
DISPLAY_DPI = 110
# The fewest pixels a PNG is drawn with, however narrow its figure: a phone's column (358 CSS px)
# at three device pixels per CSS pixel needs about 1100.
MIN_PNG_WIDTH = 1200


def show(drawn: Any, *, scale: int = 2) -> None:
    """Display a finished figure as a PNG image alone, then close it.

    In a notebook this publishes only ``image/png`` (no ``<Figure size ...>`` text, so stored
    outputs stay stable for nbval) and closes the figure so the inline backend does not show it
    twice. The PNG holds ``scale`` device pixels per CSS pixel of the displayed width, which is
    ``DISPLAY_DPI`` pixels per inch of the figure's width, and at least ``MIN_PNG_WIDTH`` pixels
    across, so that a narrow figure is still sharp on a phone. Outside IPython it falls back to
    :func:`matplotlib.pyplot.show`.

    Parameters
    ----------
    drawn : Axes, array of Axes, or Figure
        What a ``plot_*`` helper returned.
    scale : int, optional
        Pixels drawn per displayed pixel (2 by default).
    """
    fig = drawn if isinstance(drawn, Figure) else np.atleast_1d(drawn).ravel()[0].figure
    try:
        from IPython import get_ipython
        from IPython.display import display
    except ImportError:  # pragma: no cover - plain Python without IPython
        shell = None
    else:
        shell = get_ipython()
    if shell is None:
        plt.show()
        return
    buf = io.BytesIO()
    dpi = max(scale * DISPLAY_DPI, MIN_PNG_WIDTH / fig.get_figwidth())
    fig.savefig(buf, format="png", dpi=dpi, facecolor="white")
    width = round(fig.get_figwidth() * DISPLAY_DPI)
    legibility = {
        "smallest_text_px": smallest_text_px(fig),
        "narrowest_panel_px": narrowest_panel_px(fig),
    }
    plt.close(fig)
    display(  # type: ignore[no-untyped-call]
        {"image/png": buf.getvalue()},
        raw=True,
        metadata={"image/png": {"width": width, **legibility}},
    )


def smallest_text_px(fig: Figure) -> float:
    """Font size, in CSS pixels at the figure's displayed width, of its smallest drawn text.

    Counts every visible, non-empty text of a drawn figure: titles, labels, tick labels, legend
    entries and annotations. :func:`show` records it with each image, so a test can check that
    the text stays legible when a phone shrinks the figure to the width of its screen.
    """
    fig.canvas.draw()
    sizes = [
        t.get_fontsize()
        for t in fig.findobj(Text)
        if isinstance(t, Text) and t.get_visible() and t.get_text().strip() and _drawn(t)
    ]
    smallest_pt = min(sizes) if sizes else 0.0
    return round(float(smallest_pt) * DISPLAY_DPI / 72, 2)


def narrowest_panel_px(fig: Figure) -> float:
    """Width, in CSS pixels at the figure's displayed width, of its narrowest panel.

    A panel is an axes laid out on the figure's grid (insets and colour bars are not). Panels
    placed side by side are each a fraction of the figure's width, which a phone shrinks further;
    :func:`show` records this so a test can ask for panels stacked rather than squeezed.
    """
    fig.canvas.draw()
    widths = [
        ax.get_position().width * fig.get_figwidth() * DISPLAY_DPI
        for ax in fig.axes
        if ax.get_visible() and ax.get_subplotspec() is not None
    ]
    return round(float(min(widths)), 1) if widths else 0.0


def _drawn(text: Text) -> bool:
    """Whether ``text`` is inside its figure (tick labels beyond the axis limits are not drawn)."""
    box = text.get_window_extent()
    fig_box = text.figure.bbox if text.figure is not None else box
    return bool(box.width > 0 and box.overlaps(fig_box))
