"""softmax_jacobian and finite_difference_grad.

References: autograd in PyTorch for the Jacobian, finite differences of the package's softmax,
and closed forms derived by hand.
"""

from __future__ import annotations

import numpy as np
import pytest

from xentbook import cross_entropy, softmax
from xentbook.book import finite_difference_grad, softmax_jacobian


class TestSoftmaxJacobian:
    def test_hand_value_two_equal_logits(self):
        # p = (1/2, 1/2): diag(p) - p p^T = [[1/4, -1/4], [-1/4, 1/4]].
        np.testing.assert_array_equal(softmax_jacobian([0.0, 0.0]), [[0.25, -0.25], [-0.25, 0.25]])

    def test_matches_finite_differences_column_by_column(self):
        z = np.array([1.0, -0.5, 2.0, 0.3])
        jac = softmax_jacobian(z)
        for i in range(z.size):
            row = finite_difference_grad(lambda a, i=i: softmax(a)[i], z)
            np.testing.assert_allclose(jac[i], row, rtol=1e-7, atol=1e-10)

    @pytest.mark.torch
    def test_matches_torch_autograd_batched(self):
        torch = pytest.importorskip(
            "torch", reason="PyTorch is not installed (pip install torch==2.13.0)"
        )
        z = np.random.default_rng(0).normal(size=(3, 5))
        expected = np.stack(
            [
                torch.autograd.functional.jacobian(
                    lambda t: torch.softmax(t, -1), torch.tensor(row)
                ).numpy()
                for row in z
            ]
        )
        np.testing.assert_allclose(softmax_jacobian(z), expected, rtol=1e-13, atol=1e-16)

    def test_is_the_hessian_of_the_loss_and_positive_semidefinite(self):
        z = np.array([0.5, -1.0, 2.0])
        hessian = np.stack(
            [
                finite_difference_grad(lambda a, j=j: (softmax(a) - np.eye(3)[0])[j], z)
                for j in range(3)
            ]
        )
        jac = softmax_jacobian(z)
        np.testing.assert_allclose(jac, hessian, rtol=1e-7, atol=1e-9)
        assert np.all(np.linalg.eigvalsh(jac) >= -1e-15)
        np.testing.assert_allclose(jac.sum(axis=1), 0.0, atol=1e-16)


class TestFiniteDifferenceGrad:
    def test_quadratic_is_exact_up_to_rounding(self):
        # Central differences are exact for quadratics apart from rounding: grad of sum(x^2) is 2x.
        x = np.array([[1.0, -2.0], [0.5, 3.0]])
        np.testing.assert_allclose(
            finite_difference_grad(lambda a: np.sum(a**2), x), 2 * x, rtol=1e-9
        )

    def test_loss_gradient_shape(self):
        z = np.zeros((2, 3))
        assert finite_difference_grad(lambda a: cross_entropy(a, [0, 1]), z).shape == (2, 3)

    def test_bad_input(self):
        with pytest.raises(TypeError, match="finite_difference_grad: f must be callable"):
            finite_difference_grad(3, [1.0])
        with pytest.raises(
            ValueError, match="finite_difference_grad: h must be a positive number, got -1"
        ):
            finite_difference_grad(np.sum, [1.0], h=-1)
