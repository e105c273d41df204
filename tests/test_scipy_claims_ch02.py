"""Chapter 2's claims about scipy.stats.entropy, run on the installed SciPy.

The chapter shows the code as a static block (SciPy is not a dependency of the book); this test
runs the same calls and checks the printed values against hand derivations.
"""

import math
import warnings

import numpy as np
import pytest

stats = pytest.importorskip("scipy.stats")
import scipy  # noqa: E402

# The chapter shows the outputs of the SciPy the book pins (requirements-test.txt); an older
# SciPy, as in the oldest-NumPy run, may word or compute them differently.
pytestmark = pytest.mark.skipif(
    scipy.__version__ != "1.17.1", reason="claims about SciPy 1.17.1, the version the book pins"
)


def test_normalises_silently():
    # [2, 6] is read as (0.25, 0.75): H = -(0.25 ln 0.25 + 0.75 ln 0.75).
    expected = -(0.25 * math.log(0.25) + 0.75 * math.log(0.75))
    assert stats.entropy([2, 6]) == pytest.approx(expected, rel=1e-15)
    assert stats.entropy([0.25, 0.75]) == pytest.approx(expected, rel=1e-15)
    assert str(stats.entropy([2, 6])) == "0.5623351446188083"


def test_reduces_along_axis_0():
    batch = np.array([[0.5, 0.5], [0.25, 0.75]])  # two predictions, one per row
    columns = [(2 / 3, 1 / 3), (0.4, 0.6)]  # the columns, normalised
    expected = [-sum(v * math.log(v) for v in col) for col in columns]
    np.testing.assert_allclose(stats.entropy(batch), expected, rtol=1e-14)
    np.testing.assert_allclose(
        stats.entropy(batch, axis=-1),
        [math.log(2), -(0.25 * math.log(0.25) + 0.75 * math.log(0.75))],
        rtol=1e-14,
    )
    assert str(stats.entropy(batch)) == "[0.63651417 0.67301167]"
    assert str(stats.entropy(batch, axis=-1)) == "[0.69314718 0.56233514]"


def test_with_qk_returns_kl_not_cross_entropy():
    kl = 0.5 * math.log(0.5 / 0.9) + 0.5 * math.log(0.5 / 0.1)
    value = stats.entropy([0.5, 0.5], [0.9, 0.1])
    assert value == pytest.approx(kl, rel=1e-14)
    assert str(value) == "0.5108256237659906"
    cross_entropy = -(0.5 * math.log(0.9) + 0.5 * math.log(0.1))
    assert round(cross_entropy, 3) == 1.204
    assert cross_entropy == pytest.approx(value + math.log(2), rel=1e-14)


def test_negative_entry_gives_minus_inf_without_warning():
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        assert stats.entropy([-1.0, 2.0]) == -math.inf
