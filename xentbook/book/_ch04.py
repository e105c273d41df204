r"""Helpers of chapter 4: training and test losses of the frequency table, raw and smoothed."""

from __future__ import annotations

from typing import NamedTuple

import numpy as np
from numpy.typing import ArrayLike, NDArray

__all__ = [
    "MleLosses",
    "expected_test_loss_add_alpha",
    "expected_training_loss",
    "mle_train_test_losses",
]


class MleLosses(NamedTuple):
    """Losses of the categorical MLE, one row per sample size and one column per sample."""

    sizes: NDArray[np.int64]
    train: NDArray[np.float64]
    test: NDArray[np.float64]


def mle_train_test_losses(p: ArrayLike, sizes: ArrayLike, repeats: int, seed: int) -> MleLosses:
    r"""Training and test loss of the frequency table fitted to samples of each size.

    For each size :math:`N` and each of ``repeats`` samples of :math:`N` labels drawn from
    :math:`p`, the maximum-likelihood model is the frequency table :math:`\hat p`; its mean
    loss on its own sample (training loss) and its expected loss on fresh draws from
    :math:`p` (test loss) are

    .. math::

        H(\hat p) = -\sum_c \hat p_c \log \hat p_c, \qquad
        H(p, \hat p) = -\sum_c p_c \log \hat p_c ,

    in nats. The test loss is ``inf`` for a sample that misses a class of positive
    probability.

    Parameters
    ----------
    p : array_like, shape (C,)
        The true class probabilities (non-negative, summing to one within 1e-9).
    sizes : array_like of int, shape (S,)
        Sample sizes :math:`N \ge 1`.
    repeats : int
        Samples drawn at each size (at least 1).
    seed : int
        Seed of ``numpy.random.default_rng``; the samples are drawn as class counts with
        ``Generator.multinomial``, one size after the other.

    Returns
    -------
    MleLosses
        ``(sizes, train, test)`` with ``train`` and ``test`` of shape ``(S, repeats)``.

    Raises
    ------
    ValueError
        If ``p`` is not a distribution, a size is below 1 or ``repeats`` below 1.

    Examples
    --------
    >>> from xentbook.book import mle_train_test_losses
    >>> r = mle_train_test_losses([0.5, 0.5], [1000], repeats=2000, seed=0)
    >>> print(f"{r.train.mean():.4f} < log 2 = 0.6931 < {r.test.mean():.4f}")
    0.6926 < log 2 = 0.6931 < 0.6936
    """
    func = "mle_train_test_losses"
    pa = np.asarray(p, dtype=np.float64)
    if pa.ndim != 1 or not (np.isfinite(pa) & (pa >= 0)).all() or abs(pa.sum() - 1) > 1e-9:
        raise ValueError(f"{func}: p must be a 1-d probability vector, got {pa!r}")
    n = np.asarray(sizes, dtype=np.int64).ravel()
    if n.size == 0 or (n < 1).any():
        raise ValueError(f"{func}: sizes must be integers >= 1, got {n!r}")
    if repeats < 1:
        raise ValueError(f"{func}: repeats must be at least 1, got {repeats!r}")
    rng = np.random.default_rng(seed)
    train = np.empty((n.size, repeats))
    test = np.empty((n.size, repeats))
    for i, size in enumerate(n):
        p_hat = rng.multinomial(int(size), pa, size=repeats) / size
        # 0 log 0 = 0 in the entropy; p_c log 0 = -inf in the test loss when p_c > 0
        with np.errstate(divide="ignore", invalid="ignore"):
            log_p_hat = np.log(p_hat)
            train[i] = -np.sum(np.where(p_hat > 0, p_hat * log_p_hat, 0.0), axis=1)
            test[i] = -np.sum(np.where(pa > 0, pa * log_p_hat, 0.0), axis=1)
    return MleLosses(n, train, test)


def expected_training_loss(p: ArrayLike, n: int) -> float:
    r"""Exact expected training loss :math:`\mathbb E[H(\hat p)]` of the MLE from :math:`n` draws.

    Each count :math:`N_c` is binomial :math:`(n, p_c)`, so, with :math:`0 \log 0 = 0`,

    .. math::

        \mathbb E[H(\hat p)] = -\sum_c \sum_{k=1}^{n} \binom{n}{k} p_c^k (1 - p_c)^{n-k}
        \, \frac{k}{n} \log \frac{k}{n} ,

    in nats; the binomial probabilities are computed through log-factorials.

    Parameters
    ----------
    p : array_like, shape (C,)
        The true class probabilities (non-negative, summing to one within 1e-9).
    n : int
        Sample size, at least 1.

    Returns
    -------
    float

    Raises
    ------
    ValueError
        If ``p`` is not a distribution or ``n < 1``.

    Examples
    --------
    >>> from xentbook.book import expected_training_loss
    >>> # H = log 2 with probability 1/2
    >>> print(f"{expected_training_loss([0.5, 0.5], 2):.6f}")
    0.346574
    """
    func = "expected_training_loss"
    pa = np.asarray(p, dtype=np.float64)
    if pa.ndim != 1 or not (np.isfinite(pa) & (pa >= 0)).all() or abs(pa.sum() - 1) > 1e-9:
        raise ValueError(f"{func}: p must be a 1-d probability vector, got {pa!r}")
    if int(n) != n or n < 1:
        raise ValueError(f"{func}: n must be an integer >= 1, got {n!r}")
    k = np.arange(1, n + 1, dtype=np.float64)
    log_fact = np.concatenate(([0.0], np.cumsum(np.log(k))))
    log_choose = log_fact[n] - log_fact[1:] - log_fact[n - 1 :: -1][:n]
    total = 0.0
    for pc in pa[pa > 0]:
        if pc == 1.0:
            continue  # the count is n with certainty and contributes 1 log 1 = 0
        log_pmf = log_choose + k * np.log(pc) + (n - k) * np.log1p(-pc)
        total -= float(np.sum(np.exp(log_pmf) * (k / n) * np.log(k / n)))
    return total


def expected_test_loss_add_alpha(p: ArrayLike, n: int, alpha: float) -> float:
    r"""Exact expected test loss of the add-:math:`\alpha` estimate from :math:`n` draws.

    The estimate is :math:`\hat q_c = (N_c + \alpha)/(n + C\alpha)`, the posterior mean under
    a Dirichlet(:math:`\alpha`) prior. Each count :math:`N_c` is binomial :math:`(n, p_c)`, so

    .. math::

        \mathbb E[H(p, \hat q)] = -\sum_c p_c \sum_{k=0}^{n} \binom{n}{k}
        p_c^k (1 - p_c)^{n-k} \log \frac{k + \alpha}{n + C\alpha} ,

    in nats, finite for every :math:`\alpha > 0`; the binomial probabilities are computed
    through log-factorials. Subtract :math:`H(p)` for the expected excess loss
    :math:`\mathbb E[D_{\mathrm{KL}}(p \,\Vert\, \hat q)]`.

    Parameters
    ----------
    p : array_like, shape (C,)
        The true class probabilities (non-negative, summing to one within 1e-9).
    n : int
        Sample size, at least 1.
    alpha : float
        Pseudo-count added to every class, positive.

    Returns
    -------
    float

    Raises
    ------
    ValueError
        If ``p`` is not a distribution, ``n < 1`` or ``alpha <= 0``.

    Examples
    --------
    >>> from xentbook.book import expected_test_loss_add_alpha
    >>> # one draw of a fair coin, add-one: the seen side gets 2/3, the other 1/3
    >>> print(f"{expected_test_loss_add_alpha([0.5, 0.5], 1, 1.0):.6f}")
    0.752039
    """
    func = "expected_test_loss_add_alpha"
    pa = np.asarray(p, dtype=np.float64)
    if pa.ndim != 1 or not (np.isfinite(pa) & (pa >= 0)).all() or abs(pa.sum() - 1) > 1e-9:
        raise ValueError(f"{func}: p must be a 1-d probability vector, got {pa!r}")
    if int(n) != n or n < 1:
        raise ValueError(f"{func}: n must be an integer >= 1, got {n!r}")
    if not alpha > 0:
        raise ValueError(f"{func}: alpha must be positive, got {alpha!r}")
    k = np.arange(0, n + 1, dtype=np.float64)
    log_fact = np.concatenate(([0.0], np.cumsum(np.log(k[1:]))))
    log_choose = log_fact[n] - log_fact - log_fact[::-1]
    log_q = np.log((k + alpha) / (n + pa.size * alpha))
    total = 0.0
    for pc in pa[pa > 0]:
        if pc == 1.0:
            total -= float(log_q[n])
            continue
        log_pmf = log_choose + k * np.log(pc) + (n - k) * np.log1p(-pc)
        total -= pc * float(np.sum(np.exp(log_pmf) * log_q))
    return total
