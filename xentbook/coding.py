r"""Prefix codes: the operational meaning of entropy.

A prefix code gives every symbol :math:`i` of a source a binary codeword of length :math:`l_i`,
no codeword being the beginning of another, so that a stream of bits decodes without separators.
Such lengths exist exactly when the Kraft sum :math:`\sum_i 2^{-l_i}` is at most one, and the
average length :math:`\sum_i p_i l_i` of any of them is at least the entropy :math:`H(p)` in
bits. Huffman's algorithm finds the shortest average length; the Shannon lengths
:math:`\lceil -\log_2 p_i \rceil` stay below :math:`H(p) + 1`.

Lengths are returned as ``int64`` arrays, codewords as strings of ``"0"`` and ``"1"``.
"""

from __future__ import annotations

import heapq
import itertools
import math
from collections.abc import Sequence
from fractions import Fraction
from typing import Any

import numpy as np
from numpy.typing import ArrayLike, NDArray

from xentbook._validation import _describe, integer
from xentbook.information import _distributions

__all__ = [
    "average_code_length",
    "canonical_code",
    "decode_prefix",
    "huffman_code_lengths",
    "is_prefix_free",
    "kraft_sum",
    "shannon_code_lengths",
]


def _probabilities(func: str, p: ArrayLike) -> NDArray[Any]:
    """A 1-d probability vector (non-negative, summing to one), in its working dtype."""
    arr, _, _ = _distributions(func, "p", p, -1)
    if arr.ndim != 1:
        raise ValueError(f"{func}: p must be a 1-d probability vector, got shape {arr.shape}")
    return arr


def _lengths(func: str, lengths: ArrayLike) -> NDArray[np.int64]:
    """A non-empty 1-d array of non-negative integer codeword lengths."""
    try:
        arr = np.asarray(lengths)
    except (ValueError, TypeError) as exc:
        raise TypeError(
            f"{func}: lengths must be a 1-d array of integers, got {_describe(lengths)}"
        ) from exc
    if arr.dtype.kind not in "iuf":
        raise TypeError(
            f"{func}: lengths must be a 1-d array of integers, got dtype {arr.dtype} in "
            f"{_describe(lengths)}"
        )
    if arr.ndim != 1 or arr.size == 0:
        raise ValueError(f"{func}: lengths must be a non-empty 1-d array, got shape {arr.shape}")
    if arr.dtype.kind == "f":
        bad = ~np.isfinite(arr) | (arr != np.round(arr))
        if bad.any():
            i = int(np.flatnonzero(bad)[0])
            raise ValueError(f"{func}: lengths must be whole numbers, got {arr[i]!r} at index {i}")
    if (arr < 0).any():
        i = int(np.flatnonzero(arr < 0)[0])
        raise ValueError(f"{func}: lengths must be >= 0, got {arr[i]!r} at index {i}")
    return arr.astype(np.int64)


def _radix(func: str, radix: Any) -> int:
    at_least_2 = "an integer >= 2"
    return integer(func, "radix", radix, 2, expected=at_least_2, below_minimum=at_least_2)


def _exact_kraft(lengths: NDArray[np.int64], radix: int) -> Fraction:
    return sum((Fraction(1, radix ** int(n)) for n in lengths), Fraction(0))


def kraft_sum(lengths: ArrayLike, radix: int = 2) -> float:
    r"""Kraft sum :math:`\sum_i D^{-l_i}` of a set of codeword lengths.

    .. math::

        K = \sum_{i} D^{-l_i} .

    A prefix code with these lengths over an alphabet of :math:`D` letters exists if and only if
    :math:`K \le 1` (Kraft's inequality), and every uniquely decodable code satisfies it too
    (McMillan). :math:`K = 1` means the code is complete: no codeword could be added.
    The sum is accumulated exactly (in rational arithmetic) and rounded once.

    Parameters
    ----------
    lengths : array_like of int
        Codeword lengths :math:`l_i \ge 0`, one per symbol.
    radix : int, optional
        Size :math:`D` of the code alphabet (default 2, binary codewords).

    Returns
    -------
    float
        The Kraft sum.

    Examples
    --------
    >>> from xentbook.book import kraft_sum
    >>> print(f"{kraft_sum([1, 2, 3, 3]):.4f}")  # the code 0, 10, 110, 111
    1.0000
    >>> print(f"{kraft_sum([1, 1, 2]):.4f}")  # 0, 1, 01: no prefix code has these lengths
    1.2500
    """
    func = "kraft_sum"
    return float(_exact_kraft(_lengths(func, lengths), _radix(func, radix)))


def average_code_length(p: ArrayLike, lengths: ArrayLike) -> Any:
    r"""Expected codeword length :math:`\sum_i p_i l_i` when symbol :math:`i` has probability
    :math:`p_i`.

    .. math::

        L = \sum_{i} p_i\, l_i .

    With binary codewords this is in bits per symbol and, for a uniquely decodable code, is at
    least the entropy :math:`H(p)` in bits.

    Parameters
    ----------
    p : array_like
        A 1-d probability vector (non-negative, summing to one).
    lengths : array_like of int
        Codeword lengths, one per entry of ``p``.

    Returns
    -------
    scalar
        The average length, in the floating type of ``p`` (float32 in, float32 out).

    Examples
    --------
    >>> from xentbook.book import average_code_length
    >>> print(f"{average_code_length([0.5, 0.25, 0.125, 0.125], [1, 2, 3, 3]):.4f}")
    1.7500
    """
    func = "average_code_length"
    arr = _probabilities(func, p)
    n = _lengths(func, lengths)
    if n.shape != arr.shape:
        raise ValueError(
            f"{func}: p and lengths must have the same shape, got {arr.shape} and {n.shape}"
        )
    return (arr * n.astype(arr.dtype)).sum(dtype=arr.dtype)[()]


def huffman_code_lengths(p: ArrayLike) -> NDArray[np.int64]:
    r"""Codeword lengths of a binary Huffman code for the probabilities ``p``.

    Huffman's algorithm repeatedly merges the two least probable nodes; a symbol's codeword
    length is the number of merges it takes part in. The result minimizes the average length
    :math:`\sum_i p_i l_i` over all prefix codes, so that

    .. math::

        H_2(p) \le \sum_i p_i l_i < H_2(p) + 1 ,

    when every :math:`p_i` is positive, with equality on the left exactly when every
    :math:`p_i` is a power of two. Zero probabilities can break the upper bound: ``[1, 0]``
    gets lengths ``[1, 1]``, average length 1 against :math:`H_2 = 0`. Ties are broken
    by symbol order, so the result is deterministic. A single symbol gets length 0.

    Parameters
    ----------
    p : array_like
        A 1-d probability vector. Zero probabilities are allowed and get the longest codewords.

    Returns
    -------
    ndarray of int64
        One length per symbol; their Kraft sum is exactly 1.

    Examples
    --------
    >>> from xentbook.book import huffman_code_lengths
    >>> print(huffman_code_lengths([0.4, 0.3, 0.2, 0.1]))
    [1 2 3 3]
    """
    func = "huffman_code_lengths"
    arr = _probabilities(func, p)
    lengths = np.zeros(arr.size, dtype=np.int64)
    # Heap entries: (probability, order of creation, symbols below the node).
    heap = [(float(prob), i, [i]) for i, prob in enumerate(arr)]
    heapq.heapify(heap)
    order = arr.size
    while len(heap) > 1:
        p1, _, s1 = heapq.heappop(heap)
        p2, _, s2 = heapq.heappop(heap)
        merged = s1 + s2
        lengths[merged] += 1
        heapq.heappush(heap, (p1 + p2, order, merged))
        order += 1
    return lengths


def shannon_code_lengths(p: ArrayLike) -> NDArray[np.int64]:
    r"""Shannon code lengths :math:`l_i = \lceil -\log_2 p_i \rceil`: the surprisal rounded up.

    .. math::

        l_i = \lceil -\log_2 p_i \rceil, \qquad
        \sum_i 2^{-l_i} \le \sum_i p_i = 1, \qquad
        \sum_i p_i l_i < H_2(p) + 1 .

    The ceiling is exact: :math:`l_i` is the smallest integer with :math:`2^{-l_i} \le p_i`,
    decided by comparing with exact powers of two, so a dyadic :math:`p_i = 2^{-k}` gets exactly
    :math:`k` whatever the rounding of the logarithm.

    Parameters
    ----------
    p : array_like
        A 1-d probability vector with every entry positive (a symbol of probability zero would
        need an infinitely long codeword).

    Returns
    -------
    ndarray of int64
        One length per symbol.

    Examples
    --------
    >>> from xentbook.book import shannon_code_lengths
    >>> print(shannon_code_lengths([0.4, 0.3, 0.2, 0.1]))
    [2 2 3 4]
    """
    func = "shannon_code_lengths"
    arr = _probabilities(func, p)
    if (arr == 0).any():
        i = int(np.flatnonzero(arr == 0)[0])
        raise ValueError(
            f"{func}: p must be positive (a zero probability has no finite codeword), "
            f"got {arr[i]!r} at index {i}"
        )
    out = np.empty(arr.size, dtype=np.int64)
    for i, prob in enumerate(arr.astype(np.float64)):
        n = max(math.ceil(-math.log2(prob)), 0)
        while math.ldexp(1.0, -n) > prob:  # correct a logarithm rounded down
            n += 1
        while n > 0 and math.ldexp(1.0, -(n - 1)) <= prob:  # or rounded up
            n -= 1
        out[i] = n
    return out


def canonical_code(lengths: ArrayLike) -> list[str]:
    r"""Binary prefix code with the given codeword lengths, in canonical order.

    Symbols are sorted by (length, index); the first gets the all-zeros word and each next word
    is the previous one plus one, shifted left to the new length. This builds a prefix code
    whenever one exists, that is whenever the Kraft sum is at most one:

    .. math::

        \sum_i 2^{-l_i} \le 1 .

    Parameters
    ----------
    lengths : array_like of int
        Codeword lengths, one per symbol.

    Returns
    -------
    list of str
        The codeword of each symbol, in the order of ``lengths``.

    Raises
    ------
    ValueError
        If the Kraft sum exceeds one, so that no prefix code has these lengths.

    Examples
    --------
    >>> from xentbook.book import canonical_code
    >>> print(canonical_code([1, 2, 3, 3]))
    ['0', '10', '110', '111']
    """
    func = "canonical_code"
    n = _lengths(func, lengths)
    total = _exact_kraft(n, 2)
    if total > 1:
        raise ValueError(
            f"{func}: lengths {_describe(n)} have Kraft sum {float(total):.6g} > 1, "
            f"so no prefix code has them"
        )
    words = [""] * n.size
    code, previous = 0, 0
    for rank, i in enumerate(sorted(range(n.size), key=lambda k: (int(n[k]), k))):
        length = int(n[i])
        if rank > 0:
            code = (code + 1) << (length - previous)
        words[i] = format(code, f"0{length}b") if length else ""
        previous = length
    return words


def _codewords(func: str, codewords: Any) -> list[str]:
    if isinstance(codewords, str) or not isinstance(codewords, Sequence):
        raise TypeError(
            f"{func}: codewords must be a sequence of strings, got {_describe(codewords)}"
        )
    words = list(codewords)
    for i, word in enumerate(words):
        if not isinstance(word, str):
            raise TypeError(
                f"{func}: codewords must be strings, got {_describe(word)} at index {i}"
            )
    if not words:
        raise ValueError(f"{func}: codewords is empty")
    return words


def is_prefix_free(codewords: Sequence[str]) -> bool:
    """Whether no codeword is a prefix of another (a prefix, or instantaneous, code).

    After sorting, a word that is a prefix of another is immediately followed by a word it is a
    prefix of, so checking neighbours suffices. A repeated codeword counts as a prefix of itself.

    Parameters
    ----------
    codewords : sequence of str
        The codewords, over any alphabet.

    Returns
    -------
    bool

    Examples
    --------
    >>> from xentbook.book import is_prefix_free
    >>> print(is_prefix_free(["0", "10", "110", "111"]), is_prefix_free(["0", "1", "01"]))
    True False
    """
    words = sorted(_codewords("is_prefix_free", codewords))
    return not any(b.startswith(a) for a, b in itertools.pairwise(words))


def decode_prefix(bits: str, codewords: Sequence[str]) -> list[int]:
    """Decode a string of code letters with a prefix code, symbol by symbol.

    Reads letters until the buffer equals a codeword, emits that symbol's index and starts
    again: with a prefix code no look-ahead is ever needed.

    Parameters
    ----------
    bits : str
        The encoded message, for example ``"010110"``.
    codewords : sequence of str
        A prefix-free code: ``codewords[i]`` encodes symbol ``i``.

    Returns
    -------
    list of int
        The decoded symbol indices.

    Raises
    ------
    ValueError
        If the code is not prefix-free, or ``bits`` does not end on a codeword boundary.

    Examples
    --------
    >>> from xentbook.book import decode_prefix
    >>> print(decode_prefix("010110111", ["0", "10", "110", "111"]))
    [0, 1, 2, 3]
    """
    func = "decode_prefix"
    words = _codewords(func, codewords)
    if not isinstance(bits, str):
        raise TypeError(f"{func}: bits must be a string, got {_describe(bits)}")
    if not is_prefix_free(words) or "" in words:
        raise ValueError(f"{func}: codewords must be a prefix-free code, got {_describe(words)}")
    lookup = {word: i for i, word in enumerate(words)}
    symbols: list[int] = []
    buffer = ""
    for letter in bits:
        buffer += letter
        if buffer in lookup:
            symbols.append(lookup[buffer])
            buffer = ""
    if buffer:
        raise ValueError(f"{func}: bits ends with {buffer!r}, which is not a complete codeword")
    return symbols
