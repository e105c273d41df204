r"""Softmax regression trained by full-batch gradient descent, with either loss of chapter 8.

The model maps features :math:`x \in \mathbb{R}^F` to logits :math:`z = x W + b` with
:math:`W \in \mathbb{R}^{F \times C}` and :math:`b \in \mathbb{R}^C`, and predicts
:math:`p = \operatorname{softmax}(z)`. It is trained either with cross-entropy or with the
squared error between :math:`p` and the one-hot target. Everything is deterministic: a fixed
initialization (or a seeded one), the whole data set in every step, a fixed learning rate.
"""

from __future__ import annotations

from typing import Any, NamedTuple

import numpy as np
from numpy.typing import ArrayLike, NDArray

from xentbook._validation import (
    Reduction,
    _describe,
    check_finite,
    check_reduction,
    class_indices,
    float_array,
    integer,
    integer_dtype_array,
    positive_number,
)
from xentbook.cross_entropy import cross_entropy_with_grad
from xentbook.gradients import softmax_jacobian
from xentbook.primitives import softmax
from xentbook.regression import mse, mse_grad

__all__ = ["TrainingHistory", "softmax_loss_with_grad", "train_softmax_regression"]

LOSSES = ("cross_entropy", "mse")


class TrainingHistory(NamedTuple):
    """What :func:`xentbook.book.train_softmax_regression` returns.

    ``loss[k]`` and ``accuracy[k]`` are measured on the training data after ``k`` steps, so both
    have ``epochs + 1`` entries; ``weights`` and ``bias`` are the final parameters.
    """

    weights: NDArray[Any]
    bias: NDArray[Any]
    loss: NDArray[np.float64]
    accuracy: NDArray[np.float64]


def _check_loss(func: str, loss: Any) -> str:
    if not isinstance(loss, str) or loss not in LOSSES:
        raise ValueError(
            f"{func}: loss must be one of {', '.join(map(repr, LOSSES))}, got {_describe(loss)}"
        )
    return loss


def softmax_loss_with_grad(
    input: ArrayLike, target: ArrayLike, loss: str = "cross_entropy", reduction: Reduction = "mean"
) -> tuple[Any, NDArray[Any]]:
    r"""A loss on the softmax of the logits and its gradient with respect to the logits.

    With :math:`p_n = \operatorname{softmax}(z_n)` and :math:`e_{y_n}` the one-hot vector of the
    class index :math:`y_n`, the per-item losses and their gradients are

    .. math::

        \ell^{\mathrm{CE}}_n = -\log p_{n, y_n}, \qquad
        \frac{\partial \ell^{\mathrm{CE}}_n}{\partial z_n} = p_n - e_{y_n},

        \ell^{\mathrm{MSE}}_n = \lVert p_n - e_{y_n} \rVert^2, \qquad
        \frac{\partial \ell^{\mathrm{MSE}}_n}{\partial z_n}
            = J(z_n)\, 2 (p_n - e_{y_n}), \quad J = \operatorname{diag}(p_n) - p_n p_n^\top.

    The squared error is summed over the classes (the Brier score), which is ``C`` times
    ``torch.nn.functional.mse_loss(softmax(z), one_hot)`` with its default mean over all
    elements. The cross-entropy is :func:`xentbook.cross_entropy_with_grad`; the squared error
    is :func:`xentbook.mse` and :func:`xentbook.mse_grad` on the probabilities, chained through
    :func:`xentbook.book.softmax_jacobian`.

    Parameters
    ----------
    input : array_like
        Logits of shape ``(C,)`` or ``(N, C)``.
    target : array_like
        Integer class indices of shape ``()`` or ``(N,)``, each in ``[0, C)``.
    loss : {'cross_entropy', 'mse'}, optional
        Which loss. Default ``'cross_entropy'``.
    reduction : {'mean', 'sum', 'none'}, optional
        Mean or sum over the items, or one loss per item. Default ``'mean'``. With ``'none'`` the
        gradient is that of the sum.

    Returns
    -------
    loss : scalar or ndarray
        In the input's float dtype.
    grad : ndarray
        Same shape and dtype as ``input``.

    Examples
    --------
    A confidently wrong prediction: the target is class 2, the model bets on class 0.

    >>> import numpy as np
    >>> from xentbook.book import softmax_loss_with_grad
    >>> z = np.array([10.0, 0.0, 0.0])
    >>> for name in ("cross_entropy", "mse"):
    ...     value, grad = softmax_loss_with_grad(z, 2, loss=name)
    ...     grad_text = " ".join(f"{g:+.2e}" for g in grad)
    ...     print(f"{name:>13}: loss {value:.4f}, gradient", grad_text)
    cross_entropy: loss 10.0001, gradient +1.00e+00 +4.54e-05 -1.00e+00
              mse: loss 1.9997, gradient +2.72e-04 -9.08e-05 -1.82e-04
    """
    func = "softmax_loss_with_grad"
    z = float_array(func, "input", input, min_ndim=1)
    if z.ndim > 2:
        raise ValueError(f"{func}: input must have shape (C,) or (N, C), got shape {z.shape}")
    if z.shape[-1] == 0:
        raise ValueError(f"{func}: input must have at least one class, got shape {z.shape}")
    check_finite(func, "input", z)
    loss = _check_loss(func, loss)
    reduction = check_reduction(func, reduction)
    t, _ = class_indices(func, "target", target, z.shape[:-1], z.shape[-1])
    if loss == "cross_entropy":
        return cross_entropy_with_grad(z, t, reduction=reduction)
    p = softmax(z, axis=-1)
    onehot = np.zeros_like(p)
    np.put_along_axis(onehot, t[..., None], 1, axis=-1)
    items = 1 if z.ndim == 1 else z.shape[0]
    if items == 0 and reduction == "mean":
        raise ValueError(
            f"{func}: the mean over an empty batch is undefined (input has shape {z.shape})"
        )
    grad_p = mse_grad(p, onehot, reduction="sum")  # 2 (p - e_y)
    grad = np.einsum("...ij,...j->...i", softmax_jacobian(z), grad_p)  # J is symmetric
    if reduction == "none":
        value = np.sum(mse(p, onehot, reduction="none"), axis=-1)[()]
    else:
        value = mse(p, onehot, reduction="sum")
        if reduction == "mean":
            value = value / z.dtype.type(items)  # float32 / int is float64 on numpy 1.x
            grad = grad / items
    return value, grad.astype(z.dtype, copy=False)


def train_softmax_regression(
    X: ArrayLike,
    y: ArrayLike,
    loss: str = "cross_entropy",
    lr: float = 0.5,
    epochs: int = 100,
    init: tuple[ArrayLike, ArrayLike] | None = None,
    seed: int = 0,
) -> TrainingHistory:
    r"""Fit softmax regression :math:`p = \operatorname{softmax}(x W + b)` by gradient descent.

    Each of the ``epochs`` steps uses the whole data set:

    .. math::

        G = \frac{\partial \mathcal{L}}{\partial Z}, \qquad
        W \leftarrow W - \eta\, X^\top G, \qquad
        b \leftarrow b - \eta\, \mathbf{1}^\top G,

    where :math:`Z = X W + \mathbf{1} b^\top` and :math:`G` comes from
    :func:`xentbook.book.softmax_loss_with_grad` with ``reduction='mean'``.

    Parameters
    ----------
    X : array_like
        Features, shape ``(N, F)``, finite. float32 trains in float32, anything else in float64.
    y : array_like
        Integer class indices, shape ``(N,)``.
    loss : {'cross_entropy', 'mse'}, optional
        The loss to minimize (see :func:`xentbook.book.softmax_loss_with_grad`). Default
        ``'cross_entropy'``.
    lr : float, optional
        The learning rate :math:`\eta > 0`. Default 0.5.
    epochs : int, optional
        Number of gradient steps, at least 0. Default 100.
    init : (weights, bias), optional
        Starting parameters of shapes ``(F, C)`` and ``(C,)``; they are copied, not modified.
        By default the weights are drawn from :math:`\mathcal{N}(0, 0.01^2)` with
        ``numpy.random.default_rng(seed)``, the bias is zero and ``C = max(y) + 1``.
    seed : int, optional
        Seed of the default initialization. Default 0.

    Returns
    -------
    TrainingHistory
        Named tuple ``(weights, bias, loss, accuracy)``: the final parameters, and the training
        loss and training accuracy before the first step and after every step (``epochs + 1``
        values each, float64).

    Examples
    --------
    >>> import numpy as np
    >>> from xentbook.book import load_iris, train_softmax_regression
    >>> X, y, _, _ = load_iris()
    >>> X = (X - X.mean(axis=0)) / X.std(axis=0)
    >>> fit = train_softmax_regression(X, y, loss="cross_entropy", lr=0.5, epochs=200)
    >>> loss, accuracy = fit.loss, fit.accuracy
    >>> print(f"loss {loss[0]:.4f} -> {loss[-1]:.4f}, accuracy {accuracy[-1]:.3f}")
    loss 1.0980 -> 0.1237, accuracy 0.973
    """
    func = "train_softmax_regression"
    x = float_array(func, "X", X)
    if x.ndim != 2:
        raise ValueError(f"{func}: X must have shape (N, F), got shape {x.shape}")
    if x.shape[0] == 0:
        raise ValueError(f"{func}: X must hold at least one example, got shape {x.shape}")
    if x.dtype != np.float32:
        x = x.astype(np.float64)
    check_finite(func, "X", x)
    loss = _check_loss(func, loss)
    lr = positive_number(func, "lr", lr)
    epochs = integer(func, "epochs", epochs, 0)
    labels = integer_dtype_array(func, "y", y)
    if labels.shape != (x.shape[0],):
        raise ValueError(
            f"{func}: y must have shape ({x.shape[0]},) to match X, got shape {labels.shape}"
        )
    if init is None:
        if labels.min() < 0:
            raise IndexError(f"{func}: y holds the negative class index {int(labels.min())}")
        classes = int(labels.max()) + 1
        rng = np.random.default_rng(integer(func, "seed", seed))
        weights = (0.01 * rng.standard_normal((x.shape[1], classes))).astype(x.dtype)
        bias = np.zeros(classes, dtype=x.dtype)
    else:
        if not isinstance(init, (tuple, list)) or len(init) != 2:
            raise TypeError(f"{func}: init must be a pair (weights, bias), got {_describe(init)}")
        weights = float_array(func, "init weights", init[0]).astype(x.dtype)  # a copy
        bias = float_array(func, "init bias", init[1]).astype(x.dtype)
        if weights.ndim != 2 or weights.shape[0] != x.shape[1] or bias.shape != weights.shape[1:]:
            raise ValueError(
                f"{func}: init must hold weights of shape ({x.shape[1]}, C) and a bias of shape "
                f"(C,), got shapes {weights.shape} and {bias.shape}"
            )
        check_finite(func, "init weights", weights)
        check_finite(func, "init bias", bias)
    labels, _ = class_indices(func, "y", labels, labels.shape, weights.shape[1])

    losses = np.empty(epochs + 1)
    accuracy = np.empty(epochs + 1)
    for step in range(epochs + 1):
        z = x @ weights + bias
        value, grad = softmax_loss_with_grad(z, labels, loss=loss)
        losses[step] = value
        accuracy[step] = np.mean(np.argmax(z, axis=1) == labels)
        if step < epochs:
            weights -= x.dtype.type(lr) * (x.T @ grad)
            bias -= x.dtype.type(lr) * grad.sum(axis=0)
    return TrainingHistory(weights, bias, losses, accuracy)
