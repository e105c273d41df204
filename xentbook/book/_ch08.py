r"""Chapter 8: a fast full-batch trainer that records the whole path of softmax regression.

:func:`xentbook.book.train_softmax_regression` validates its inputs and records the loss and the
accuracy. The plateau of chapter 8 needs tens of thousands of steps, the norm of the weights at
every step, Adam beside plain gradient descent, the squared error on the logits, and the two
losses of the label-noise experiment (the absolute error and the generalised cross-entropy);
:func:`descent_path` provides them with the same model, the same losses and the same
update rule (its plain gradient-descent path equals the trainer's to rounding).
"""

from __future__ import annotations

from typing import Any, NamedTuple

import numpy as np
from numpy.typing import ArrayLike, NDArray

__all__ = ["DescentPath", "descent_path"]

_LOSSES = ("cross_entropy", "mse", "logit_mse", "mae", "gce")
_OPTIMIZERS = ("gd", "adam")


class DescentPath(NamedTuple):
    """What :func:`descent_path` returns: one entry per step, ``steps + 1`` in all.

    ``loss[k]``, ``accuracy[k]`` and ``weight_norm[k]`` (the Frobenius norm of the weight
    matrix, bias excluded) are measured after ``k`` steps; ``weights`` and ``bias`` are final;
    ``snapshots[k]`` is the pair ``(weights, bias)`` after ``k`` steps, for each requested ``k``.
    """

    loss: NDArray[np.float64]
    accuracy: NDArray[np.float64]
    weight_norm: NDArray[np.float64]
    weights: NDArray[np.float64]
    bias: NDArray[np.float64]
    snapshots: dict[int, tuple[NDArray[np.float64], NDArray[np.float64]]]


def _loss_and_logit_grad(
    z: NDArray[Any], onehot: NDArray[Any], loss: str, q: float = 0.7
) -> tuple[float, Any]:
    n = z.shape[0]
    if loss == "logit_mse":
        residual = z - onehot
        return float(np.sum(residual**2) / n), 2 * residual / n
    shifted = z - z.max(axis=1, keepdims=True)
    log_p = shifted - np.log(np.sum(np.exp(shifted), axis=1, keepdims=True))
    p = np.exp(log_p)
    if loss == "cross_entropy":
        return float(-np.sum(onehot * log_p) / n), (p - onehot) / n
    if loss in ("mae", "gce"):
        # Both are functions f(p_y) of the true-class probability, whose gradient in z is
        # f'(p_y) p_y (e_y - p): the absolute error 2 (1 - p_y) has f' = -2, the generalised
        # cross-entropy (1 - p_y^q) / q has f' = -p_y^(q - 1).
        p_y = np.sum(onehot * p, axis=1, keepdims=True)
        if loss == "mae":
            return float(np.sum(2 * (1 - p_y)) / n), 2 * p_y * (p - onehot) / n
        return float(np.sum((1 - p_y**q) / q) / n), p_y**q * (p - onehot) / n
    d = 2 * (p - onehot)  # gradient of ||p - e_y||^2 in p; the softmax Jacobian is symmetric
    grad = p * d - p * np.sum(p * d, axis=1, keepdims=True)
    return float(np.sum((p - onehot) ** 2) / n), grad / n


def descent_path(
    X: ArrayLike,
    y: ArrayLike,
    init: tuple[ArrayLike, ArrayLike],
    loss: str = "mse",
    lr: float = 1.0,
    steps: int = 100,
    optimizer: str = "gd",
    snapshots: tuple[int, ...] = (),
    q: float = 0.7,
) -> DescentPath:
    r"""Train softmax regression full-batch and record loss, accuracy and weight norm per step.

    The logits are :math:`Z = X W + \mathbf{1} b^\top`; the losses, averaged over the
    :math:`N` examples, are the cross-entropy, the squared error of the probabilities summed
    over the classes, :math:`\lVert \operatorname{softmax}(z) - e_y \rVert^2` (the Brier
    score), the squared error of the logits themselves, :math:`\lVert z - e_y \rVert^2`, the
    absolute error of the probabilities, :math:`\lVert \operatorname{softmax}(z) - e_y \rVert_1
    = 2 (1 - p_y)`, or the generalised cross-entropy :math:`(1 - p_y^q) / q` of Zhang and
    Sabuncu, which tends to the cross-entropy as :math:`q \to 0` and is half the absolute error
    at :math:`q = 1`.
    Plain gradient descent updates :math:`W \leftarrow W - \eta X^\top G`,
    :math:`b \leftarrow b - \eta \mathbf{1}^\top G` with :math:`G = \partial\mathcal{L}/\partial Z`,
    as :func:`xentbook.book.train_softmax_regression` does; Adam uses PyTorch's defaults
    (:math:`\beta_1 = 0.9`, :math:`\beta_2 = 0.999`, :math:`\epsilon = 10^{-8}`, bias
    correction, no weight decay).

    Parameters
    ----------
    X : array_like
        Features, shape ``(N, F)``; trained in float64.
    y : array_like
        Integer class indices, shape ``(N,)``, in ``[0, C)``.
    init : (weights, bias)
        Starting parameters of shapes ``(F, C)`` and ``(C,)``; copied, not modified.
    loss : {'mse', 'cross_entropy', 'logit_mse', 'mae', 'gce'}, optional
        Default ``'mse'``.
    lr : float, optional
        Learning rate, positive. Default 1.
    steps : int, optional
        Number of updates, at least 0. Default 100.
    optimizer : {'gd', 'adam'}, optional
        Default ``'gd'``.
    snapshots : tuple of int, optional
        Steps after which to keep a copy of the parameters.
    q : float, optional
        Exponent of the generalised cross-entropy, in ``(0, 1]``; default 0.7, the value
        Zhang and Sabuncu recommend. Ignored by the other losses.

    Returns
    -------
    DescentPath
        Loss, accuracy and weight norm after each of ``0, 1, ..., steps`` updates, the final
        parameters and the requested snapshots.

    Examples
    --------
    >>> import numpy as np
    >>> from xentbook.book import descent_path
    >>> X = np.array([[1.0], [-1.0]])
    >>> path = descent_path(X, [0, 1], (np.zeros((1, 2)), np.zeros(2)), steps=50)
    >>> loss, accuracy = path.loss, path.accuracy
    >>> print(f"{loss[0]:.3f} -> {loss[-1]:.3f}, accuracy {accuracy[-1]:.1f}")
    0.500 -> 0.003, accuracy 1.0
    """
    if loss not in _LOSSES:
        raise ValueError(f"descent_path: loss must be one of {_LOSSES}, got {loss!r}")
    if optimizer not in _OPTIMIZERS:
        raise ValueError(f"descent_path: optimizer must be one of {_OPTIMIZERS}, got {optimizer!r}")
    if not lr > 0:
        raise ValueError(f"descent_path: lr must be positive, got {lr!r}")
    if steps < 0:
        raise ValueError(f"descent_path: steps must be at least 0, got {steps!r}")
    if not 0 < q <= 1:
        raise ValueError(f"descent_path: q must be in (0, 1], got {q!r}")
    x = np.asarray(X, dtype=np.float64)
    labels = np.asarray(y)
    weights = np.array(init[0], dtype=np.float64)
    bias = np.array(init[1], dtype=np.float64)
    onehot = np.eye(weights.shape[1])[labels]
    xb = np.hstack([x, np.ones((x.shape[0], 1))])  # the bias as a last row of the parameters
    theta = np.vstack([weights, bias])
    m, v = np.zeros_like(theta), np.zeros_like(theta)
    beta1, beta2, eps = 0.9, 0.999, 1e-8
    losses = np.empty(steps + 1)
    accuracy = np.empty(steps + 1)
    norms = np.empty(steps + 1)
    kept = {}
    for k in range(steps + 1):
        z = xb @ theta
        losses[k], g_z = _loss_and_logit_grad(z, onehot, loss, q)
        accuracy[k] = np.mean(np.argmax(z, axis=1) == labels)
        norms[k] = np.linalg.norm(theta[:-1])
        if k in snapshots:
            kept[k] = (theta[:-1].copy(), theta[-1].copy())
        if k == steps:
            break
        grad = xb.T @ g_z
        if optimizer == "gd":
            theta -= lr * grad
        else:
            m = beta1 * m + (1 - beta1) * grad
            v = beta2 * v + (1 - beta2) * grad**2
            m_hat = m / (1 - beta1 ** (k + 1))
            v_hat = v / (1 - beta2 ** (k + 1))
            theta -= lr * m_hat / (np.sqrt(v_hat) + eps)
    return DescentPath(losses, accuracy, norms, theta[:-1].copy(), theta[-1].copy(), kept)
