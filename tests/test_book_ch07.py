"""Tests of the chapter 7 helpers against Hessians derived by hand."""

import numpy as np
import pytest
from scipy.special import logsumexp, softmax

from xentbook.book import finite_difference_hessian, finite_difference_jacobian


class TestFiniteDifferenceHessian:
    def test_cubic_polynomial(self):
        # f = x0^3 + 2 x0 x1^2 - x2: by hand the Hessian is
        # [[6 x0, 4 x1, 0], [4 x1, 4 x0, 0], [0, 0, 0]].
        x = np.array([0.7, -1.3, 2.0])
        hess = finite_difference_hessian(lambda v: v[0] ** 3 + 2 * v[0] * v[1] ** 2 - v[2], x)
        expected = np.array([[6 * 0.7, 4 * -1.3, 0], [4 * -1.3, 4 * 0.7, 0], [0, 0, 0]])
        np.testing.assert_allclose(hess, expected, rtol=0, atol=1e-6)

    def test_logsumexp_gives_diag_p_minus_ppT(self):
        z = np.array([2.0, 1.0, 0.1, -0.5])
        p = softmax(z)
        hess = finite_difference_hessian(logsumexp, z)
        np.testing.assert_allclose(hess, np.diag(p) - np.outer(p, p), rtol=0, atol=1e-7)
        np.testing.assert_array_equal(hess, hess.T)

    def test_given_step(self):
        # A quadratic has no truncation error, so a large step is exact up to rounding.
        hess = finite_difference_hessian(lambda v: 3 * v[0] * v[1], [1.0, 2.0], h=0.5)
        np.testing.assert_allclose(hess, [[0, 3], [3, 0]], rtol=0, atol=1e-14)

    def test_bad_arguments_raise(self):
        with pytest.raises(TypeError, match="finite_difference_hessian: f must be callable"):
            finite_difference_hessian(1.0, [1.0])
        with pytest.raises(ValueError, match="finite_difference_hessian: x must be a non-empty"):
            finite_difference_hessian(np.sum, [[1.0]])
        with pytest.raises(ValueError, match="finite_difference_hessian: h must be a positive"):
            finite_difference_hessian(np.sum, [1.0], h=-1.0)


class TestFiniteDifferenceJacobian:
    def test_softmax_gives_diag_p_minus_ppT(self):
        # Hand derivation (chapter 7): d softmax_i / d z_j = p_i (delta_ij - p_j).
        z = np.array([2.0, 1.0, 0.1, -0.5])
        p = softmax(z)
        jac = finite_difference_jacobian(softmax, z)
        np.testing.assert_allclose(jac, np.diag(p) - np.outer(p, p), rtol=0, atol=1e-10)

    def test_rectangular_polynomial(self):
        # f(x) = (x0 x1, x1^2, sin x0): by hand [[x1, x0], [0, 2 x1], [cos x0, 0]].
        x = np.array([0.3, -2.0])
        jac = finite_difference_jacobian(lambda v: [v[0] * v[1], v[1] ** 2, np.sin(v[0])], x)
        expected = [[-2.0, 0.3], [0.0, -4.0], [np.cos(0.3), 0.0]]
        np.testing.assert_allclose(jac, expected, rtol=0, atol=1e-9)

    def test_bad_arguments_raise(self):
        with pytest.raises(TypeError, match="finite_difference_jacobian: f must be callable"):
            finite_difference_jacobian(1.0, [1.0])
        with pytest.raises(ValueError, match="finite_difference_jacobian: x must be a non-empty"):
            finite_difference_jacobian(np.sin, [[1.0]])
        with pytest.raises(ValueError, match="finite_difference_jacobian: h must be a positive"):
            finite_difference_jacobian(np.sin, [1.0], h=0.0)
        with pytest.raises(ValueError, match="finite_difference_jacobian: f must return a vector"):
            finite_difference_jacobian(np.sum, [1.0, 2.0])
