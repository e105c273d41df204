r"""Chapter 11: train a small classifier with the right loss and with common wrong ones.

Each "loss" is what a buggy training script would minimise when it hands the wrong thing to
the loss: probabilities to ``cross_entropy`` (a second softmax), probabilities or raw logits to
a negative log-likelihood that expects log-probabilities. The model is softmax regression,
:math:`z = \tilde x W`, trained by full-batch gradient descent; the history records what the
script would log (its own loss) and the training accuracy.
"""

from __future__ import annotations

from typing import Any, Literal, NamedTuple

import numpy as np
from numpy.typing import ArrayLike, NDArray

from xentbook.cross_entropy import cross_entropy
from xentbook.primitives import softmax

__all__ = ["LOSS_BUGS", "BugHistory", "train_with_loss_bug"]

LOSS_BUGS = ("correct", "double_softmax", "nll_of_probabilities", "nll_of_logits")
Bug = Literal["correct", "double_softmax", "nll_of_probabilities", "nll_of_logits"]


class BugHistory(NamedTuple):
    """What :func:`train_with_loss_bug` returns: one entry per step, the start included."""

    reported_loss: NDArray[np.float64]
    accuracy: NDArray[np.float64]


def _loss_and_grad(bug: str, z: NDArray[Any], onehot: NDArray[Any]) -> tuple[float, Any]:
    """The loss a script with ``bug`` reports, and its gradient in the logits (mean over rows)."""
    n = z.shape[0]
    p = softmax(z, axis=1)
    labels = onehot.argmax(axis=1)
    if bug == "correct":
        return float(cross_entropy(z, labels)), (p - onehot) / n
    if bug == "double_softmax":  # cross_entropy(softmax(z)): the chain rule through softmax
        g = (softmax(p, axis=1) - onehot) / n
        return float(cross_entropy(p, labels)), p * (g - np.sum(p * g, axis=1, keepdims=True))
    if bug == "nll_of_probabilities":  # -mean p_y, whose gradient is -p_y (e_y - p)
        p_y = np.sum(p * onehot, axis=1, keepdims=True)
        return float(-np.mean(p_y)), -p_y * (onehot - p) / n
    if bug == "nll_of_logits":  # -mean z_y, whose gradient is -e_y
        return float(-np.mean(np.sum(z * onehot, axis=1))), -onehot / n
    raise ValueError(f"train_with_loss_bug: bug must be one of {LOSS_BUGS}, got {bug!r}")


def train_with_loss_bug(
    features: ArrayLike,
    labels: ArrayLike,
    bug: Bug = "correct",
    *,
    lr: float = 1.0,
    steps: int = 300,
    seed: int = 0,
) -> BugHistory:
    r"""Full-batch gradient descent on softmax regression with a correct or a buggy loss.

    Parameters
    ----------
    features : array_like
        ``(N, F)`` inputs; a constant column is appended for the bias.
    labels : array_like
        ``N`` class indices in ``0, ..., C - 1``, with ``C = labels.max() + 1``.
    bug : {"correct", "double_softmax", "nll_of_probabilities", "nll_of_logits"}
        Which loss the script minimises: the cross-entropy of the logits, the cross-entropy of
        softmax probabilities, the negated mean true-class probability, or the negated mean
        true-class logit.
    lr : float, optional
        Learning rate.
    steps : int, optional
        Number of gradient steps.
    seed : int, optional
        Seed of the initial weights, drawn with standard deviation 0.01.

    Returns
    -------
    BugHistory
        ``reported_loss`` and ``accuracy``, each of length ``steps + 1``.

    Raises
    ------
    ValueError
        If ``bug`` is not one of the four names.

    Examples
    --------
    >>> import numpy as np
    >>> from xentbook.book import train_with_loss_bug
    >>> x = np.array([[-1.0], [1.0]])
    >>> history = train_with_loss_bug(x, [0, 1], "nll_of_logits", steps=2)
    >>> print(np.round(history.reported_loss, 1))
    [-0. -1. -2.]
    """
    x = np.asarray(features, dtype=np.float64)
    y = np.asarray(labels)
    if bug not in LOSS_BUGS:
        raise ValueError(f"train_with_loss_bug: bug must be one of {LOSS_BUGS}, got {bug!r}")
    x_tilde = np.hstack([x, np.ones((x.shape[0], 1))])
    onehot = np.eye(int(y.max()) + 1)[y]
    weights = np.random.default_rng(seed).normal(
        scale=0.01, size=(x_tilde.shape[1], onehot.shape[1])
    )
    reported, accuracy = [], []
    for step in range(steps + 1):
        z = x_tilde @ weights
        loss, grad = _loss_and_grad(bug, z, onehot)
        reported.append(loss)
        accuracy.append(float(np.mean(z.argmax(axis=1) == y)))
        if step < steps:
            weights = weights - lr * (x_tilde.T @ grad)
    return BugHistory(np.array(reported), np.array(accuracy))
