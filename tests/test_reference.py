"""Tests of xentbook.reference against mpmath at 80 digits, an independent implementation."""

import mpmath
import numpy as np
import pytest

from xentbook.reference import reference_cross_entropy, reference_log_softmax, relative_error


def mp_log_softmax(row):
    """log p_j = z_j - log(sum exp z), summed directly at 80 digits (no shift, no split).

    At 80 digits, 1 + 1e-260 keeps no digit of the 1e-260, so for the extreme rows the working
    precision is raised until it does: mpmath.log1p would work too, but a second algorithm is a
    better check than the same trick twice.
    """
    with mpmath.workdps(80):
        z = [mpmath.mpf(float(v)) for v in row]
        rest = sorted(z)
        top = rest.pop()
        tail = sum(mpmath.exp(v - top) for v in rest)  # the terms that 1 + tail would round away
        digits = 80 + (int(-mpmath.log10(tail)) if 0 < tail < 1 else 0)
    with mpmath.workdps(digits):
        total = mpmath.fsum(mpmath.exp(v) for v in z)
        return [float(v - mpmath.log(total)) for v in z]


ROWS = [
    [2.0, 1.0, 0.1],
    [0.1, 2.0, 1.9],
    [40.0, 0.0, 0.0],
    [600.0, 0.0, 0.0, 0.0],
    [-3.5, 7.25, 1e-3, -100.0],
    [0.1, 0.2, 0.30000000000000004],  # inputs are taken as the exact binary values
]


class TestReferenceLogSoftmax:
    @pytest.mark.parametrize("row", ROWS)
    def test_matches_mpmath(self, row):
        # Both sides are correctly rounded to float64 up to 1e-50 relative: equal to 1 ulp at most
        # (1 ulp allows a double rounding near a halfway point), so rtol = 2**-52.
        expected = mp_log_softmax(row)
        np.testing.assert_allclose(reference_log_softmax(row), expected, rtol=2.0**-52, atol=0)

    def test_confident_entry_keeps_all_digits(self):
        # log p_0 = -log(1 + 3 e^-600) = -3 e^-600 (1 - 1.5 e^-600 + ...): the correction is far
        # below float64 precision.
        with mpmath.workdps(80):
            expected = float(-3 * mpmath.exp(-600))
        got = reference_log_softmax([600.0, 0.0, 0.0, 0.0])[0]
        np.testing.assert_allclose(got, expected, rtol=2.0**-52)
        assert got != 0.0

    def test_float32_input_taken_exactly_and_result_is_float64(self):
        z32 = np.float32([0.1, 0.7, -2.3])
        got = reference_log_softmax(z32)
        assert got.dtype == np.float64
        expected = mp_log_softmax(z32.astype(np.float64))  # the exact binary values of z32
        np.testing.assert_allclose(got, expected, rtol=2.0**-52)

    def test_axis_and_batch(self):
        z = np.array([[2.0, 0.1], [1.0, 2.0], [0.1, 1.9]])  # classes on axis 0
        got = reference_log_softmax(z, axis=0)
        for col in range(2):
            np.testing.assert_allclose(got[:, col], mp_log_softmax(z[:, col]), rtol=2.0**-52)

    def test_minus_infinity_is_a_class_of_probability_zero(self):
        got = reference_log_softmax([0.0, -np.inf, 0.0])
        assert got[1] == -np.inf
        np.testing.assert_allclose(got[[0, 2]], -np.log(2.0), rtol=2.0**-52)

    def test_more_digits_do_not_change_a_float64_result(self):
        # 50 and 200 digits both round to the same double: the extra digits are invisible.
        z = [3.0, -1.0, 2.5, 0.0]
        np.testing.assert_array_equal(
            reference_log_softmax(z), reference_log_softmax(z, digits=200)
        )

    @pytest.mark.parametrize(
        ("x", "exc", "match"),
        [
            ([1.0, np.nan], ValueError, "reference_log_softmax: x contains nan"),
            ([1.0, np.inf], ValueError, r"reference_log_softmax: x contains \+inf"),
            ([-np.inf, -np.inf], ValueError, "reference_log_softmax: x has a slice"),
            (np.zeros((2, 0)), ValueError, "reference_log_softmax: x has length 0"),
            (3.0, ValueError, "reference_log_softmax: x must have at least 1"),
            (["a", "b"], TypeError, "reference_log_softmax: x must be a real"),
        ],
    )
    def test_bad_input(self, x, exc, match):
        with pytest.raises(exc, match=match):
            reference_log_softmax(x)

    def test_bad_axis_and_digits(self):
        with pytest.raises(IndexError, match="reference_log_softmax: axis 2 is out of range"):
            reference_log_softmax([1.0, 2.0], axis=2)
        with pytest.raises(ValueError, match="reference_log_softmax: digits must be between"):
            reference_log_softmax([1.0, 2.0], digits=5)
        with pytest.raises(TypeError, match="reference_log_softmax: digits must be an integer"):
            reference_log_softmax([1.0, 2.0], digits=50.0)


class TestReferenceCrossEntropy:
    def test_worked_batch(self):
        # The two-item batch of chapter 6, against mpmath; rounded values 1.417 and 2.620.
        z = np.array([[2.0, 1.0, 0.1], [0.1, 2.0, 1.9]])
        expected = [-mp_log_softmax(z[0])[1], -mp_log_softmax(z[1])[0]]
        got = reference_cross_entropy(z, [1, 0])
        np.testing.assert_allclose(got, expected, rtol=2.0**-52)
        np.testing.assert_allclose(got, [1.417, 2.620], atol=5e-4)  # the rounded values

    def test_single_item_returns_float(self):
        got = reference_cross_entropy([40.0, 0.0, 0.0], 0)
        assert isinstance(got, float)
        # -log p_0 = log(1 + 2 e^-40) = 2 e^-40 - 2 e^-80 + ...: the second term is 1e-18 relative.
        with mpmath.workdps(80):
            leading = float(2 * mpmath.exp(-40))
        np.testing.assert_allclose(got, leading, rtol=1e-15)

    def test_wrong_confident_prediction(self):
        # Target 40 below the maximum: loss = 40 + log(1 + 2 e^-40), checked against mpmath.
        z = [0.0, 40.0, 0.0]
        np.testing.assert_allclose(
            reference_cross_entropy(z, 0), -mp_log_softmax(z)[0], rtol=2.0**-52
        )

    @pytest.mark.parametrize(
        ("z", "t", "exc", "match"),
        [
            ([1.0, 2.0], 2, IndexError, "reference_cross_entropy: target holds class index 2"),
            ([1.0, 2.0], -1, IndexError, "reference_cross_entropy: target holds class index -1"),
            ([1.0, 2.0], 0.0, TypeError, "reference_cross_entropy: target must hold integer"),
            (
                [[1.0, 2.0]],
                [0, 1],
                ValueError,
                r"reference_cross_entropy: target must have shape \(1,\)",
            ),
            (
                np.zeros((1, 2, 2)),
                [0],
                ValueError,
                "reference_cross_entropy: input must have shape",
            ),
            ([1.0, np.nan], 0, ValueError, "reference_log_softmax: x contains nan"),
        ],
    )
    def test_bad_input(self, z, t, exc, match):
        with pytest.raises(exc, match=match):
            reference_cross_entropy(z, t)


class TestRelativeError:
    def test_values(self):
        # |1.5 - 1| / 1 = 0.5 and |0 - x| / x = 1 exactly: no rounding in either.
        np.testing.assert_array_equal(relative_error([1.5, 0.0], [1.0, 8.5e-18]), [0.5, 1.0])

    def test_zero_and_infinite_references(self):
        got = relative_error([0.0, 1e-300, np.inf, np.inf, 5.0], [0.0, 0.0, np.inf, 1.0, np.inf])
        np.testing.assert_array_equal(got, [0.0, np.inf, 0.0, np.inf, np.inf])

    def test_float32_is_widened_exactly(self):
        # float32(0.1) differs from 0.1 by 1.49e-9 relative; rounding it to float32 would hide it.
        got = relative_error(np.float32(0.1), 0.1)
        expected = abs(float(np.float32(0.1)) - 0.1) / 0.1
        assert got == expected
        assert got > 1e-9

    def test_bad_input(self):
        with pytest.raises(ValueError, match="relative_error: computed contains nan"):
            relative_error(np.nan, 1.0)
        with pytest.raises(ValueError, match="relative_error: computed of shape"):
            relative_error([1.0, 2.0], [1.0, 2.0, 3.0])
        with pytest.raises(TypeError, match="relative_error: reference must be a real"):
            relative_error(1.0, "x")
