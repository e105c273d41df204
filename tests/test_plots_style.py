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
