"""Tests of xentbook.training: softmax losses with their gradients, and softmax regression.

Gradients are checked against central finite differences (about 10 correct digits in float64,
hence atol 1e-8 on gradients of size at most 2), against hand derivations, and against PyTorch's
autograd when torch is installed (rtol 1e-12: both sides are float64 and a few operations deep).
"""

import numpy as np
import pytest

from xentbook import cross_entropy_with_grad
from xentbook.book import (
    finite_difference_grad,
    load_iris,
    softmax_loss_with_grad,
    train_softmax_regression,
)

FD_ATOL = 1e-8


def _brier(z, t):
    """Independent squared error of softmax against one-hot, summed over classes, per item."""
    z = np.atleast_2d(z)
    e = np.exp(z - z.max(axis=1, keepdims=True))
    p = e / e.sum(axis=1, keepdims=True)
    onehot = np.eye(z.shape[1])[np.atleast_1d(t)]
    return ((p - onehot) ** 2).sum(axis=1)


class TestSoftmaxLossWithGrad:
    def test_cross_entropy_is_the_package_cross_entropy(self):
        z = np.array([[2.0, 1.0, 0.1], [0.1, 2.0, 1.9]])
        value, grad = softmax_loss_with_grad(z, [1, 0])
        ref_value, ref_grad = cross_entropy_with_grad(z, [1, 0])
        assert value == ref_value
        np.testing.assert_array_equal(grad, ref_grad)

    def test_mse_by_hand_at_equal_logits(self):
        # z = (0, 0), class 0: p = (1/2, 1/2), loss (1/2 - 1)^2 + (1/2)^2 = 1/2; dL/dp = (-1, 1);
        # J = [[1/4, -1/4], [-1/4, 1/4]], so dL/dz = J (-1, 1) = (-1/2, 1/2). Exact in binary.
        value, grad = softmax_loss_with_grad([0.0, 0.0], 0, loss="mse")
        assert value == 0.5
        np.testing.assert_array_equal(grad, [-0.5, 0.5])

    @pytest.mark.parametrize("reduction", ["mean", "sum"])
    def test_mse_matches_finite_differences(self, reduction):
        rng = np.random.default_rng(1)
        z = rng.normal(scale=2.0, size=(5, 4))
        t = rng.integers(0, 4, size=5)
        scale = 5 if reduction == "mean" else 1
        value, grad = softmax_loss_with_grad(z, t, loss="mse", reduction=reduction)
        assert value == pytest.approx(_brier(z, t).sum() / scale, rel=1e-14)
        numeric = finite_difference_grad(lambda a: _brier(a, t).sum() / scale, z)
        np.testing.assert_allclose(grad, numeric, rtol=0, atol=FD_ATOL)

    def test_reduction_none_gives_item_losses_and_gradient_of_sum(self):
        rng = np.random.default_rng(2)
        z = rng.normal(size=(3, 5))
        t = np.array([4, 0, 2])
        value, grad = softmax_loss_with_grad(z, t, loss="mse", reduction="none")
        np.testing.assert_allclose(value, _brier(z, t), rtol=1e-14)
        _, grad_sum = softmax_loss_with_grad(z, t, loss="mse", reduction="sum")
        np.testing.assert_array_equal(grad, grad_sum)

    def test_mse_gradient_vanishes_when_confidently_wrong(self):
        # p = softmax(10, 0, 0) has p_0 = 1 - 2e^-10/(1 + 2e^-10); the CE gradient is about
        # (1, 0, -1) while the squared error's is below 3e-4 in every entry.
        _, ce = softmax_loss_with_grad([10.0, 0.0, 0.0], 2)
        _, sq = softmax_loss_with_grad([10.0, 0.0, 0.0], 2, loss="mse")
        np.testing.assert_allclose(ce, [1, 0, -1], atol=1e-4)
        assert np.abs(sq).max() < 3e-4

    def test_gradient_rows_sum_to_zero(self):
        rng = np.random.default_rng(3)
        z = rng.normal(size=(4, 6))
        _, grad = softmax_loss_with_grad(z, [0, 1, 2, 3], loss="mse")
        np.testing.assert_allclose(grad.sum(axis=1), 0, atol=1e-16)  # 1^T J = 0 exactly in math

    def test_single_item(self):
        value, grad = softmax_loss_with_grad([1.0, 2.0, 3.0], 1, loss="mse")
        ref_value, ref_grad = softmax_loss_with_grad([[1.0, 2.0, 3.0]], [1], loss="mse")
        assert value == pytest.approx(ref_value, rel=1e-15)
        assert grad.shape == (3,)
        np.testing.assert_allclose(grad, ref_grad[0], rtol=1e-15)

    @pytest.mark.parametrize("loss", ["cross_entropy", "mse"])
    def test_float32_in_float32_out(self, loss):
        z = np.array([[1.0, -1.0, 0.5]], dtype=np.float32)
        value, grad = softmax_loss_with_grad(z, [2], loss=loss)
        assert value.dtype == np.float32
        assert grad.dtype == np.float32
        ref_value, ref_grad = softmax_loss_with_grad(z.astype(np.float64), [2], loss=loss)
        assert float(value) == pytest.approx(ref_value, rel=1e-6)  # float32: ~6e-8 per op
        np.testing.assert_allclose(grad, ref_grad, rtol=1e-5, atol=1e-7)

    @pytest.mark.torch
    def test_mse_matches_torch_autograd(self):
        torch = pytest.importorskip("torch")
        rng = np.random.default_rng(4)
        z = rng.normal(scale=3.0, size=(6, 3))
        t = rng.integers(0, 3, size=6)
        zt = torch.tensor(z, requires_grad=True)
        p = torch.softmax(zt, dim=1)
        onehot = torch.nn.functional.one_hot(torch.tensor(t), 3).double()
        # Brier score averaged over items = C * mse_loss(p, onehot) with its mean over elements.
        loss = 3 * torch.nn.functional.mse_loss(p, onehot)
        loss.backward()
        value, grad = softmax_loss_with_grad(z, t, loss="mse")
        assert value == pytest.approx(loss.item(), rel=1e-12)
        np.testing.assert_allclose(grad, zt.grad.numpy(), rtol=1e-12, atol=1e-16)

    def test_bad_loss_name(self):
        with pytest.raises(ValueError, match=r"softmax_loss_with_grad: loss must be one of .*'l2'"):
            softmax_loss_with_grad([0.0, 1.0], 0, loss="l2")

    def test_target_out_of_range(self):
        with pytest.raises(
            IndexError, match="softmax_loss_with_grad: target holds class index 3 at position"
        ):
            softmax_loss_with_grad([[0.0, 1.0, 2.0]], [3], loss="mse")

    def test_float_target(self):
        with pytest.raises(TypeError, match="softmax_loss_with_grad: target must hold integer"):
            softmax_loss_with_grad([[0.0, 1.0]], [0.5])

    def test_target_shape(self):
        with pytest.raises(
            ValueError, match=r"softmax_loss_with_grad: target must have shape \(2,\)"
        ):
            softmax_loss_with_grad([[0.0, 1.0], [1.0, 0.0]], [0])

    def test_three_dimensional_input(self):
        with pytest.raises(ValueError, match="softmax_loss_with_grad: input must have shape"):
            softmax_loss_with_grad(np.zeros((2, 3, 4)), np.zeros((2, 3), dtype=int))

    def test_non_finite_input(self):
        with pytest.raises(ValueError, match="softmax_loss_with_grad: input must be finite"):
            softmax_loss_with_grad([0.0, np.inf], 0, loss="mse")

    def test_bad_reduction(self):
        with pytest.raises(ValueError, match="softmax_loss_with_grad: reduction must be one of"):
            softmax_loss_with_grad([0.0, 1.0], 0, reduction="avg")

    def test_empty_batch_mean(self):
        with pytest.raises(ValueError, match="softmax_loss_with_grad: the mean over an empty"):
            softmax_loss_with_grad(np.zeros((0, 3)), np.zeros(0, dtype=int), loss="mse")


def _iris():
    X, y, _, _ = load_iris()
    return (X - X.mean(axis=0)) / X.std(axis=0), y


class TestTrainSoftmaxRegression:
    @pytest.mark.parametrize("loss", ["cross_entropy", "mse"])
    def test_first_step_is_minus_lr_times_the_gradient(self, loss):
        X, y = _iris()
        rng = np.random.default_rng(5)
        w0, b0 = rng.normal(size=(4, 3)), rng.normal(size=3)
        fit = train_softmax_regression(X, y, loss=loss, lr=0.1, epochs=1, init=(w0, b0))

        def objective(params):
            w, b = params[:12].reshape(4, 3), params[12:]
            return softmax_loss_with_grad(X @ w + b, y, loss=loss)[0]

        numeric = finite_difference_grad(objective, np.concatenate([w0.ravel(), b0]))
        np.testing.assert_allclose((w0 - fit.weights).ravel() / 0.1, numeric[:12], atol=FD_ATOL)
        np.testing.assert_allclose((b0 - fit.bias) / 0.1, numeric[12:], atol=FD_ATOL)
        assert fit.loss[0] == pytest.approx(objective(np.concatenate([w0.ravel(), b0])), rel=1e-14)

    def test_zero_epochs_keeps_the_initialization_and_does_not_modify_it(self):
        X, y = _iris()
        w0, b0 = np.ones((4, 3)), np.zeros(3)
        fit = train_softmax_regression(X, y, epochs=0, init=(w0, b0))
        np.testing.assert_array_equal(fit.weights, 1.0)
        assert fit.loss.shape == (1,)
        # All logits equal per row: p = 1/3 everywhere, loss log 3, accuracy of argmax -> class 0.
        assert fit.loss[0] == pytest.approx(np.log(3), rel=1e-14)
        assert fit.accuracy[0] == pytest.approx(1 / 3, abs=0)
        fit2 = train_softmax_regression(X, y, epochs=3, init=(w0, b0))
        assert fit2.weights is not w0
        np.testing.assert_array_equal(w0, 1.0)

    def test_deterministic_for_a_seed(self):
        X, y = _iris()
        a = train_softmax_regression(X, y, epochs=20, seed=3)
        b = train_softmax_regression(X, y, epochs=20, seed=3)
        c = train_softmax_regression(X, y, epochs=20, seed=4)
        np.testing.assert_array_equal(a.weights, b.weights)
        np.testing.assert_array_equal(a.loss, b.loss)
        assert not np.array_equal(a.weights, c.weights)

    @pytest.mark.parametrize("loss", ["cross_entropy", "mse"])
    def test_learns_iris(self, loss):
        # Softmax regression separates iris up to a handful of versicolor/virginica flowers.
        X, y = _iris()
        fit = train_softmax_regression(X, y, loss=loss, lr=1.0, epochs=300)
        assert fit.loss.shape == fit.accuracy.shape == (301,)
        assert fit.accuracy[-1] >= 0.95
        assert fit.loss[-1] < fit.loss[0] / 5
        # Accuracies are counts out of 150 (up to the rounding of k / 150).
        np.testing.assert_allclose(fit.accuracy * 150, np.round(fit.accuracy * 150), atol=1e-9)

    def test_cross_entropy_loss_decreases_monotonically(self):
        # The loss is convex and (1/2)-smooth in the logits, and lr = 0.5 is below the step that
        # guarantees descent for standardized iris, so every step must lower it.
        X, y = _iris()
        fit = train_softmax_regression(X, y, lr=0.5, epochs=100)
        assert np.all(np.diff(fit.loss) < 0)

    def test_confidently_wrong_start_ce_recovers_mse_stalls(self):
        X, y = _iris()
        good = train_softmax_regression(X, y, lr=1.0, epochs=300)
        perm = [1, 2, 0]
        init = (5 * good.weights[:, perm], 5 * good.bias[perm])
        ce = train_softmax_regression(X, y, lr=1.0, epochs=300, init=init)
        sq = train_softmax_regression(X, y, loss="mse", lr=1.0, epochs=300, init=init)
        assert ce.accuracy[0] < 0.1
        assert sq.accuracy[0] < 0.1
        assert ce.accuracy[-1] > 0.9
        assert sq.accuracy[-1] < 0.1

    def test_float32_trains_in_float32(self):
        X, y = _iris()
        fit = train_softmax_regression(X.astype(np.float32), y, epochs=50)
        ref = train_softmax_regression(X, y, epochs=50)
        assert fit.weights.dtype == np.float32
        assert fit.bias.dtype == np.float32
        np.testing.assert_allclose(fit.weights, ref.weights, rtol=1e-4, atol=1e-5)

    def test_bad_inputs(self):
        X, y = _iris()
        with pytest.raises(ValueError, match="train_softmax_regression: lr must be positive"):
            train_softmax_regression(X, y, lr=0.0)
        with pytest.raises(TypeError, match="train_softmax_regression: lr must be a positive"):
            train_softmax_regression(X, y, lr="fast")
        with pytest.raises(ValueError, match="train_softmax_regression: epochs must be at least"):
            train_softmax_regression(X, y, epochs=-1)
        with pytest.raises(TypeError, match="train_softmax_regression: epochs must be an integer"):
            train_softmax_regression(X, y, epochs=2.5)
        with pytest.raises(TypeError, match="train_softmax_regression: y must hold integer"):
            train_softmax_regression(X, y.astype(float))
        with pytest.raises(ValueError, match=r"train_softmax_regression: y must have shape \(150"):
            train_softmax_regression(X, y[:10])
        with pytest.raises(ValueError, match=r"train_softmax_regression: X must have shape \(N"):
            train_softmax_regression(X[0], y)
        with pytest.raises(ValueError, match="train_softmax_regression: X must be finite"):
            train_softmax_regression(np.where(X > 2, np.nan, X), y)
        with pytest.raises(ValueError, match="train_softmax_regression: loss must be one of"):
            train_softmax_regression(X, y, loss="hinge")
        with pytest.raises(ValueError, match="train_softmax_regression: init must hold weights"):
            train_softmax_regression(X, y, init=(np.zeros((3, 3)), np.zeros(3)))
        with pytest.raises(TypeError, match="train_softmax_regression: init must be a pair"):
            train_softmax_regression(X, y, init=np.zeros((4, 3)))
        with pytest.raises(
            IndexError, match="train_softmax_regression: y holds class index 2 at position 100"
        ):
            train_softmax_regression(X, y, init=(np.zeros((4, 2)), np.zeros(2)))
        with pytest.raises(IndexError, match="train_softmax_regression: y holds the negative"):
            train_softmax_regression(X, y - 1)
