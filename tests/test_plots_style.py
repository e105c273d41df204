import matplotlib.pyplot as plt
import numpy as np
from matplotlib.axes import Axes

from xentbook.plots import new_axes, show


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
    import io

    import IPython
    import IPython.display
    from matplotlib.image import imread

    shown = []
    monkeypatch.setattr(IPython, "get_ipython", lambda: object())
    monkeypatch.setattr(
        IPython.display, "display", lambda data, raw, metadata: shown.append((data, metadata))
    )
    ax = new_axes(figsize=(6.0, 4.0))
    ax.plot(np.arange(3))
    show(ax)
    (data, metadata), = shown
    pixels = imread(io.BytesIO(data["image/png"]))
    # 6 x 4 inches at 110 CSS pixels per inch, drawn at 2 device pixels per CSS pixel.
    assert metadata == {"image/png": {"width": 660}}
    assert pixels.shape[:2] == (880, 1320)
