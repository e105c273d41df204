import matplotlib.pyplot as plt
import numpy as np
from matplotlib.axes import Axes

from xentbook.plots import new_axes, show


def _displayed_png(monkeypatch, ax):
    """``show(ax)`` as in a notebook: the PNG's pixels and its display metadata."""
    import io

    import IPython
    import IPython.display
    from matplotlib.image import imread

    shown = []
    monkeypatch.setattr(IPython, "get_ipython", lambda: object())
    monkeypatch.setattr(
        IPython.display, "display", lambda data, raw, metadata: shown.append((data, metadata))
    )
    show(ax)
    ((data, metadata),) = shown
    return imread(io.BytesIO(data["image/png"])), metadata


def test_new_axes_reuses_given_axes():
    _, ax = plt.subplots()
    assert new_axes(ax) is ax


def test_new_axes_grid_of_axes_has_opaque_white_background():
    axes = new_axes(ncols=2)
    assert axes.shape == (2,)
    assert all(isinstance(a, Axes) for a in axes)
    assert axes[0].figure.get_facecolor() == (1.0, 1.0, 1.0, 1.0)


def test_show_outside_ipython_falls_back_to_pyplot(monkeypatch):
    calls = []
    monkeypatch.setattr(plt, "show", lambda: calls.append(True))
    ax = new_axes()
    ax.plot(np.arange(3))
    show(ax)
    assert calls == [True]


def test_show_in_ipython_draws_twice_the_displayed_pixels(monkeypatch):
    ax = new_axes(figsize=(6.0, 4.0))
    ax.plot(np.arange(3))
    pixels, metadata = _displayed_png(monkeypatch, ax)
    # 6 x 4 inches at 110 CSS pixels per inch, drawn at 2 device pixels per CSS pixel.
    # matplotlib's default text is 10 points: 10 / 72 inch at 110 CSS pixels per inch
    assert metadata["image/png"]["width"] == 660
    assert metadata["image/png"]["smallest_text_px"] == round(10 * 110 / 72, 2)
    assert 0 < metadata["image/png"]["narrowest_panel_px"] < 660
    assert pixels.shape[:2] == (880, 1320)


def test_smallest_text_px_finds_the_smallest_drawn_text():
    from xentbook.plots._style import smallest_text_px

    ax = new_axes(figsize=(6.0, 4.0))
    ax.plot(np.arange(3))
    ax.set_title("title", fontsize=14)
    ax.text(1.0, 1.0, "note", fontsize=7)
    ax.text(1.0, 1.0, "", fontsize=3)  # empty: draws nothing
    ax.text(1.0, 1.0, "hidden", fontsize=4, visible=False)
    ax.text(5, 5, "outside the figure", fontsize=5, transform=ax.transAxes, in_layout=False)
    # 7 points at 110 CSS pixels per inch; 72 points per inch
    assert smallest_text_px(ax.figure) == round(7 * 110 / 72, 2)
    plt.close(ax.figure)


def test_narrowest_panel_px_measures_panels_side_by_side():
    from xentbook.plots._style import narrowest_panel_px

    ax = new_axes(figsize=(6.0, 4.0))
    ax.plot(np.arange(3))
    single = narrowest_panel_px(ax.figure)
    plt.close(ax.figure)
    left, right = new_axes(ncols=2, figsize=(6.0, 4.0))
    right.set_ylabel("a label the left panel does not have")
    pair = narrowest_panel_px(left.figure)
    plt.close(left.figure)
    # one panel spans most of the 660 CSS pixels; two side by side are each under half of it
    assert 0.8 * 660 < single < 660
    assert pair < 330


def test_phone_fonts_sets_tick_and_label_sizes():
    from xentbook.plots._style import phone_fonts

    ax = new_axes(figsize=(6.0, 4.0))
    ax.set_xlabel("x")
    ax.set_title("t")
    phone_fonts(ax)
    ax.figure.canvas.draw()
    assert {t.get_fontsize() for t in ax.get_xticklabels() + ax.get_yticklabels()} == {12.0}
    assert ax.xaxis.label.get_fontsize() == ax.title.get_fontsize() == 13.0
    plt.close(ax.figure)


def test_show_draws_a_narrow_figure_with_at_least_1200_pixels(monkeypatch):
    ax = new_axes(figsize=(4.0, 3.0))
    pixels, metadata = _displayed_png(monkeypatch, ax)
    # 4 in at 110 CSS px per inch is 440 px wide; twice that, 880 px, is below the 1200-px floor,
    # so the figure is drawn at 1200 / 4 = 300 dpi: 1200 x 900 pixels.
    assert metadata["image/png"]["width"] == 440
    assert pixels.shape[:2] == (900, 1200)
