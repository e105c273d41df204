r"""A tiny language model for chapter 12: an adaptive unigram model that learns in context.

Its prediction after reading :math:`x_0, \dots, x_t` is the smoothed frequency of each token in
what it has read,

.. math::

    q(v \mid x_{\le t}) = \frac{n_v(x_{\le t}) + a}{t + 1 + V a},

the add-:math:`a` estimator (:math:`a = 1/2` is the Krichevsky-Trofimov estimator of universal
coding). Like a transformer it returns one row of logits per position, each predicting the *next*
token, and the more context it has read, the better it predicts a text whose token frequencies
are skewed: exactly what sliding-window evaluation needs to show.
"""

from __future__ import annotations

from typing import Any

import numpy as np
from numpy.typing import ArrayLike, NDArray

from xentbook._validation import _describe, positive_number

__all__ = ["adaptive_unigram_logits"]


def adaptive_unigram_logits(
    tokens: ArrayLike, vocab_size: int, prior: float = 0.5
) -> NDArray[np.float64]:
    r"""Next-token logits of the adaptive unigram model at every position of a window.

    Row :math:`t` is :math:`\log\bigl(n_v(x_{\le t}) + a\bigr)` for every token :math:`v`, whose
    softmax is the add-:math:`a` estimate of the next token's distribution from the tokens read
    so far, :math:`x_0` to :math:`x_t` (the window sees nothing before its first token).

    Parameters
    ----------
    tokens : array_like of int
        The window, shape ``(T,)``, ids in ``[0, vocab_size)``.
    vocab_size : int
        :math:`V \ge 1`.
    prior : float, optional
        The pseudo-count :math:`a > 0` of every token. Default ``0.5``.

    Returns
    -------
    ndarray of float64
        Shape ``(T, V)``.

    Examples
    --------
    >>> import numpy as np
    >>> from xentbook import softmax
    >>> from xentbook.book import adaptive_unigram_logits
    >>> print(softmax(adaptive_unigram_logits([0, 0, 1], vocab_size=2)).round(3))
    [[0.75  0.25 ]
     [0.833 0.167]
     [0.625 0.375]]
    """
    func = "adaptive_unigram_logits"
    if isinstance(vocab_size, bool) or not isinstance(vocab_size, (int, np.integer)):
        raise TypeError(f"{func}: vocab_size must be an integer, got {vocab_size!r}")
    if vocab_size < 1:
        raise ValueError(f"{func}: vocab_size must be at least 1, got {vocab_size}")
    a = positive_number(func, "prior", prior)
    x: Any = np.asarray(tokens)
    if x.dtype.kind not in "iu" or x.ndim != 1:
        raise TypeError(
            f"{func}: tokens must be a 1-d array of integer token ids, got {_describe(x)}"
        )
    bad = (x < 0) | (x >= vocab_size)
    if bad.any():
        pos = int(np.flatnonzero(bad)[0])
        raise ValueError(
            f"{func}: tokens hold id {int(x[pos])} at position {pos}, out of range for "
            f"vocab_size={vocab_size} (valid: 0 to {vocab_size - 1})"
        )
    counts = np.cumsum(np.eye(vocab_size)[x], axis=0)
    return np.log(counts + a)
