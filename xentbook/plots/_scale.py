"""Figures of chapter 12 (cross-entropy at scale)."""

from __future__ import annotations

import numpy as np
from matplotlib.axes import Axes
from numpy.typing import ArrayLike

from xentbook.plots._style import COLORS, new_axes
from xentbook.primitives import logsumexp

__all__ = ["plot_memory_vs_vocab", "plot_online_softmax"]

_MIB = 2.0**20


def plot_memory_vs_vocab(
    vocab_sizes: ArrayLike,
    naive_bytes: ArrayLike,
    chunked_bytes: ArrayLike,
    *,
    logits_bytes: ArrayLike | None = None,
    ax: Axes | None = None,
) -> Axes:
    r"""Peak memory of the naive and the chunked loss-and-gradient against the vocabulary size.

    Drawn in order, in MiB (:math:`2^{20}` bytes): the naive peak (``ax.lines[0]``), the chunked
    peak (``ax.lines[1]``) and, when given, the size of one logits array (``ax.lines[2]``,
    dashed), for reference.

    Parameters
    ----------
    vocab_sizes : array_like
        Vocabulary sizes :math:`V` (the x axis).
    naive_bytes, chunked_bytes : array_like
        Peak bytes of each method at each size, e.g. from :func:`xentbook.book.peak_memory`.
    logits_bytes : array_like, optional
        Bytes of the :math:`N \times V` logits at each size.
    ax : Axes, optional
        Where to draw; a new figure by default.
    """
    v = np.asarray(vocab_sizes, dtype=np.float64)
    series = {"naive_bytes": naive_bytes, "chunked_bytes": chunked_bytes}
    if logits_bytes is not None:
        series["logits_bytes"] = logits_bytes
    values = {}
    for name, data in series.items():
        arr = np.asarray(data, dtype=np.float64)
        if arr.shape != v.shape:
            raise ValueError(
                f"plot_memory_vs_vocab: {name} must have the shape of vocab_sizes {v.shape}, "
                f"got shape {arr.shape}"
            )
        values[name] = arr / _MIB
    ax = new_axes(ax)
    ax.plot(
        v,
        values["naive_bytes"],
        "o-",
        color=COLORS["mse"],
        label="naive: logits, then their gradient",
    )
    ax.plot(v, values["chunked_bytes"], "s-", color=COLORS["ce"], label="fused, chunked over rows")
    if "logits_bytes" in values:
        ax.plot(
            v,
            values["logits_bytes"],
            "--",
            color=COLORS["reference"],
            label="one copy of the logits",
        )
    ax.set_xlabel("vocabulary size $V$")
    ax.set_ylabel("peak memory (MiB)")
    ax.set_ylim(bottom=0)
    ax.legend(loc="upper left")
    return ax


def plot_online_softmax(a: ArrayLike, chunk: int, *, ax: Axes | None = None) -> Axes:
    r"""The state of the online log-sum-exp after each chunk of one row of logits.

    Drawn in order against the number of entries read: the running maximum :math:`m`
    (``ax.lines[0]``), the running log-normalizer :math:`m + \log d`, which is the log-sum-exp of
    the entries read so far (``ax.lines[1]``), and the final log-sum-exp of the whole row
    (``ax.lines[2]``, dashed). The logits themselves are shown as faint dots.

    Parameters
    ----------
    a : array_like
        One row of finite logits, shape ``(C,)``.
    chunk : int
        Entries read per step.
    ax : Axes, optional
        Where to draw; a new figure by default.
    """
    row = np.asarray(a, dtype=np.float64)
    if row.ndim != 1 or row.size == 0:
        raise ValueError(
            f"plot_online_softmax: a must be a non-empty 1-d row, got shape {row.shape}"
        )
    if isinstance(chunk, bool) or not isinstance(chunk, (int, np.integer)) or chunk < 1:
        raise ValueError(f"plot_online_softmax: chunk must be a positive integer, got {chunk!r}")
    ends = np.append(np.arange(chunk, row.size, chunk), row.size)
    m = -np.inf
    d = 0.0
    maxima, norms = [], []
    start = 0
    for end in ends:  # the recurrence, written out: d <- d e^(m_old - m_new) + sum e^(x - m_new)
        block = row[start:end]
        m_new = max(m, float(block.max()))
        d = d * np.exp(m - m_new) + float(np.exp(block - m_new).sum())
        m = m_new
        maxima.append(m)
        norms.append(m + np.log(d))
        start = end
    ax = new_axes(ax)
    ax.plot(ends, maxima, "o-", color=COLORS["accent"], label="running maximum $m$")
    ax.plot(ends, norms, "s-", color=COLORS["ce"], label=r"running $m + \log d$")
    ax.axhline(
        float(logsumexp(row)),
        ls="--",
        color=COLORS["reference"],
        label="logsumexp of the whole row",
    )
    ax.plot(
        np.arange(1, row.size + 1),
        row,
        ".",
        color=COLORS["reference"],
        alpha=0.35,
        label="logits $z_j$",
    )
    ax.set_xlabel("entries read")
    ax.set_ylabel("value")
    ax.legend(loc="lower right")
    return ax
