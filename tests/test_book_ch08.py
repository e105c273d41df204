"""Tests of the chapter 8 trainer, against the package trainer and hand-derived gradients."""

import numpy as np
import pytest

from xentbook.book import descent_path, load_iris, softmax_loss_with_grad, train_softmax_regression


@pytest.fixture(scope="module")
def iris():
    X, y, _, _ = load_iris()
    return (X - X.mean(axis=0)) / X.std(axis=0), y


@pytest.mark.parametrize("loss", ["mse", "cross_entropy"])
def test_gradient_descent_path_equals_the_package_trainer(iris, loss):
    X, y = iris
    rng = np.random.default_rng(8)
    init = (rng.standard_normal((4, 3)), rng.standard_normal(3))
    path = descent_path(X, y, init, loss=loss, lr=0.7, steps=200, snapshots=(0, 200))
    ref = train_softmax_regression(X, y, loss=loss, lr=0.7, epochs=200, init=init)
    np.testing.assert_allclose(path.loss, ref.loss, rtol=1e-12)
    np.testing.assert_array_equal(path.accuracy, ref.accuracy)
    np.testing.assert_allclose(path.weights, ref.weights, rtol=1e-12)
    np.testing.assert_allclose(path.bias, ref.bias, rtol=1e-12, atol=1e-14)
    np.testing.assert_allclose(path.weight_norm[-1], np.linalg.norm(ref.weights), rtol=1e-12)
    np.testing.assert_array_equal(path.snapshots[0][0], init[0])
    np.testing.assert_array_equal(path.snapshots[200][0], path.weights)


def test_logit_mse_reaches_least_squares_and_first_step_matches_hand_gradient(iris):
    X, y = iris
    init = (np.zeros((4, 3)), np.zeros(3))
    Xb = np.hstack([X, np.ones((len(X), 1))])
    Y = np.eye(3)[y]
    one = descent_path(X, y, init, loss="logit_mse", lr=0.1, steps=1)
    # Hand derivation: d/dTheta mean ||Xb Theta - Y||^2 = 2 Xb^T (Xb Theta - Y) / N.
    expected = -0.1 * 2 * Xb.T @ (-Y) / len(X)
    np.testing.assert_allclose(np.vstack([one.weights, one.bias]), expected, rtol=1e-13)
    np.testing.assert_allclose(one.loss[0], 1.0, rtol=1e-15)  # ||e_y||^2 = 1 for each example
    path = descent_path(X, y, init, loss="logit_mse", lr=0.3, steps=3000)
    theta = np.linalg.lstsq(Xb, Y, rcond=None)[0]
    np.testing.assert_allclose(np.vstack([path.weights, path.bias]), theta, atol=1e-9)


def test_adam_first_step_moves_every_coordinate_by_the_rate(iris):
    # Hand derivation: after one Adam step with bias correction, m_hat / sqrt(v_hat) = sign(g).
    X, y = iris
    rng = np.random.default_rng(3)
    init = (rng.standard_normal((4, 3)), rng.standard_normal(3))
    path = descent_path(X, y, init, loss="cross_entropy", lr=0.01, steps=1, optimizer="adam")
    _, G = softmax_loss_with_grad(X @ init[0] + init[1], y)
    g = np.vstack([X.T @ G, G.sum(axis=0)])
    step = np.vstack([path.weights, path.bias]) - np.vstack(init)
    np.testing.assert_allclose(step, -0.01 * g / (np.abs(g) + 1e-8), rtol=1e-12)


def test_invalid_arguments_are_rejected(iris):
    X, y = iris
    init = (np.zeros((4, 3)), np.zeros(3))
    with pytest.raises(ValueError, match="loss must be one of"):
        descent_path(X, y, init, loss="hinge")
    with pytest.raises(ValueError, match="optimizer must be one of"):
        descent_path(X, y, init, optimizer="sgd")
    with pytest.raises(ValueError, match="lr must be positive"):
        descent_path(X, y, init, lr=0.0)
    with pytest.raises(ValueError, match="steps must be at least 0"):
        descent_path(X, y, init, steps=-1)


def test_weight_norm_growth_from_zero_start_chapter_text():
    # Chapter 8, "Cross-entropy's own failure": from a zero start at rate 1 on iris, the
    # squared error's weight norm overtakes cross-entropy's between 1e4 and 1e5 steps.
    X_raw, labels, _, _ = load_iris()
    X = (X_raw - X_raw.mean(axis=0)) / X_raw.std(axis=0)
    zero = (np.zeros((4, 3)), np.zeros(3))
    printed = {"cross_entropy": ("18.0", "22.9"), "mse": ("13.4", "26.3")}
    for loss, norms in printed.items():
        path = descent_path(X, labels, zero, loss=loss, lr=1.0, steps=100_000)
        assert (f"{path.weight_norm[10_000]:.1f}", f"{path.weight_norm[100_000]:.1f}") == norms


@pytest.mark.parametrize("loss", ["mae", "gce"])
def test_probability_losses_first_step_matches_central_differences(iris, loss):
    # Reference: central differences of the loss written out by hand in the parameters,
    # 2 (1 - p_y) for the absolute error and (1 - p_y^q) / q for the generalised CE.
    X, y = iris
    rng = np.random.default_rng(11)
    init = (rng.standard_normal((4, 3)), rng.standard_normal(3))
    Xb = np.hstack([X, np.ones((len(X), 1))])
    q = 0.7

    def value(theta):
        z = Xb @ theta.reshape(5, 3)
        p = np.exp(z - z.max(axis=1, keepdims=True))
        p_y = (p / p.sum(axis=1, keepdims=True))[np.arange(len(y)), y]
        return np.mean(2 * (1 - p_y)) if loss == "mae" else np.mean((1 - p_y**q) / q)

    theta0 = np.vstack(init).ravel()
    h = 1e-6
    numeric = np.array(
        [(value(theta0 + h * e) - value(theta0 - h * e)) / (2 * h) for e in np.eye(15)]
    )
    one = descent_path(X, y, init, loss=loss, lr=1.0, steps=1, q=q)
    step = np.vstack([one.weights, one.bias]).ravel() - theta0
    np.testing.assert_allclose(-step, numeric, rtol=1e-7, atol=1e-10)
    np.testing.assert_allclose(one.loss[0], value(theta0), rtol=1e-14)


def test_gce_limits_are_cross_entropy_and_half_the_absolute_error(iris):
    X, y = iris
    rng = np.random.default_rng(12)
    init = (rng.standard_normal((4, 3)), rng.standard_normal(3))
    ce = descent_path(X, y, init, loss="cross_entropy", lr=0.5, steps=20)
    near_zero = descent_path(X, y, init, loss="gce", lr=0.5, steps=20, q=1e-7)
    np.testing.assert_allclose(near_zero.loss, ce.loss, rtol=1e-5)
    mae = descent_path(X, y, init, loss="mae", lr=0.5, steps=20)
    q_one = descent_path(X, y, init, loss="gce", lr=1.0, steps=20, q=1.0)
    np.testing.assert_allclose(2 * q_one.loss, mae.loss, rtol=1e-13)  # same path, lr doubled
    with pytest.raises(ValueError, match="q must be in"):
        descent_path(X, y, init, loss="gce", q=0.0)
