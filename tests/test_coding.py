"""Tests of xentbook.coding: Kraft sums, average lengths, Huffman and Shannon codes, decoding.

Expected values come from hand derivations (written next to them), from exact rational
arithmetic (fractions), from mpmath at 50 digits, or from a brute-force search over every
admissible set of codeword lengths.
"""

import itertools
from fractions import Fraction

import mpmath
import numpy as np
import pytest
import scipy.stats
from hypothesis import given, settings
from hypothesis import strategies as st

from xentbook.book import (
    average_code_length,
    canonical_code,
    decode_prefix,
    huffman_code_lengths,
    is_prefix_free,
    kraft_sum,
    shannon_code_lengths,
)

DYADIC = [0.5, 0.25, 0.125, 0.125]


def _distributions(max_size=7):
    """Hypothesis strategy: probability vectors built from positive integer weights."""
    weights = st.lists(st.integers(1, 1000), min_size=2, max_size=max_size)
    return weights.map(lambda w: np.asarray(w, dtype=np.float64) / np.sum(w))


def _brute_force_best_average(p):
    """Smallest sum p_i l_i over all length vectors with Kraft sum <= 1 (exact search).

    An optimal code never needs a codeword longer than C - 1 bits, so the search is finite.
    """
    c = len(p)
    top = c - 1  # Kraft sum <= 1 in integers: sum of 2^(top - l) <= 2^top
    admissible = [
        lengths
        for lengths in itertools.product(range(1, c), repeat=c)
        if sum(1 << (top - n) for n in lengths) <= 1 << top
    ]
    return float(np.min(np.asarray(admissible, dtype=np.float64) @ p))


class TestKraftSum:
    def test_complete_code_sums_to_one(self):
        # 1/2 + 1/4 + 1/8 + 1/8 = 1 exactly, and each term is a power of two: exact equality.
        assert kraft_sum([1, 2, 3, 3]) == 1.0

    def test_over_full_lengths(self):
        # 0, 1, 01: 1/2 + 1/2 + 1/4 = 5/4, exactly representable.
        assert kraft_sum([1, 1, 2]) == 1.25

    def test_ternary_radix(self):
        # Three words of length 1 over {0, 1, 2} plus nothing else: 3 * (1/3) = 1; rounding of
        # 1/3 in a float sum could miss 1, the exact rational sum does not.
        assert kraft_sum([1, 1, 1], radix=3) == 1.0
        # 1/3 + 1/9 + 1/27 = 13/27, compared after one rounding: equality to the nearest float.
        assert kraft_sum([1, 2, 3], radix=3) == float(Fraction(13, 27))

    def test_long_codewords_are_not_lost(self):
        # 2^-1 + 2^-60: a float sum of the terms keeps both (2^-60 > 2^-53 * 2^-1 is false, so
        # a naive sum would round to 0.5); the exact sum rounded once is 0.5 + 2^-60 -> 0.5 too.
        expected = float(Fraction(1, 2) + Fraction(1, 2**60))
        assert kraft_sum([1, 60]) == expected

    def test_float_whole_numbers_accepted(self):
        assert kraft_sum(np.array([1.0, 2.0, 2.0])) == 1.0

    @pytest.mark.parametrize(
        ("lengths", "exc", "match"),
        [
            ([1, -1], ValueError, "kraft_sum: lengths must be >= 0"),
            ([1.5, 2], ValueError, "kraft_sum: lengths must be whole numbers"),
            ([], ValueError, "kraft_sum: lengths must be a non-empty 1-d array"),
            ([[1, 2]], ValueError, "kraft_sum: lengths must be a non-empty 1-d array"),
            (["a", "b"], TypeError, "kraft_sum: lengths must be a 1-d array of integers"),
            ([True, False], TypeError, "kraft_sum: lengths must be a 1-d array of integers"),
            ([1, np.nan], ValueError, "kraft_sum: lengths must be whole numbers"),
        ],
    )
    def test_bad_lengths(self, lengths, exc, match):
        with pytest.raises(exc, match=match):
            kraft_sum(lengths)

    @pytest.mark.parametrize(
        ("radix", "exc"), [(1, ValueError), (2.0, TypeError), (True, TypeError)]
    )
    def test_bad_radix(self, radix, exc):
        with pytest.raises(exc, match=f"kraft_sum: radix must be an integer >= 2, got {radix!r}"):
            kraft_sum([1, 1], radix=radix)


class TestAverageCodeLength:
    def test_dyadic_example(self):
        # 1/2*1 + 1/4*2 + 1/8*3 + 1/8*3 = 0.5 + 0.5 + 0.375 + 0.375 = 1.75, exact in binary.
        assert average_code_length(DYADIC, [1, 2, 3, 3]) == 1.75

    def test_non_dyadic_example(self):
        # 0.4*1 + 0.3*2 + 0.2*3 + 0.1*3 = 1.9; the inputs are rounded decimals, so allow a few
        # ulp (rtol 1e-15).
        got = average_code_length([0.4, 0.3, 0.2, 0.1], [1, 2, 3, 3])
        np.testing.assert_allclose(got, 1.9, rtol=1e-15)

    def test_float32_in_float32_out(self):
        got = average_code_length(np.array(DYADIC, dtype=np.float32), [1, 2, 3, 3])
        assert got.dtype == np.float32
        assert got == np.float32(1.75)  # every term is exact in float32

    def test_shape_mismatch(self):
        with pytest.raises(ValueError, match=r"average_code_length: p and lengths must have the "):
            average_code_length([0.5, 0.5], [1, 1, 1])

    def test_not_a_distribution(self):
        with pytest.raises(ValueError, match="average_code_length: p must sum to 1"):
            average_code_length([1.0, 1.0], [1, 1])

    def test_two_dimensional_p(self):
        with pytest.raises(ValueError, match=r"average_code_length: p must be a 1-d probability"):
            average_code_length([[0.5, 0.5]], [1, 1])

    def test_negative_probability(self):
        with pytest.raises(ValueError, match="average_code_length: p must hold probabilities"):
            average_code_length([1.5, -0.5], [1, 1])


class TestHuffmanCodeLengths:
    def test_dyadic_source_reaches_entropy(self):
        # For p_i = 2^-k_i Huffman gives l_i = k_i: lengths 1, 2, 3, 3 (hand derivation: merge
        # the two 1/8 -> 1/4, merge the two 1/4 -> 1/2, merge the two 1/2).
        np.testing.assert_array_equal(huffman_code_lengths(DYADIC), [1, 2, 3, 3])

    def test_textbook_example(self):
        # 0.1+0.2 -> 0.3; 0.3+0.3 -> 0.6; 0.4+0.6 -> 1: lengths 1, 2, 3, 3.
        np.testing.assert_array_equal(huffman_code_lengths([0.4, 0.3, 0.2, 0.1]), [1, 2, 3, 3])

    def test_uniform_over_eight_is_three_bits(self):
        np.testing.assert_array_equal(huffman_code_lengths(np.full(8, 1 / 8)), np.full(8, 3))

    def test_single_symbol_needs_no_bits(self):
        np.testing.assert_array_equal(huffman_code_lengths([1.0]), [0])

    def test_zero_probability_symbol_gets_a_codeword(self):
        # Merge 0.0 (symbol 2) with 0.5 (symbol 0, first in order), then with symbol 1:
        # lengths 2, 1, 2. Three codewords cannot all have length 1, so 1.5 bits is optimal.
        lengths = huffman_code_lengths([0.5, 0.5, 0.0])
        np.testing.assert_array_equal(lengths, [2, 1, 2])
        assert kraft_sum(lengths) == 1.0
        assert average_code_length([0.5, 0.5, 0.0], lengths) == 1.5

    def test_returns_int64(self):
        assert huffman_code_lengths([0.5, 0.5]).dtype == np.int64

    @settings(max_examples=60, deadline=None)
    @given(_distributions(max_size=6))
    def test_optimal_against_brute_force(self, p):
        # Huffman is optimal among all prefix codes: its average equals the exhaustive minimum.
        # Both are sums of at most 6 products of doubles: rtol 1e-12 covers the rounding.
        best = _brute_force_best_average(p)
        np.testing.assert_allclose(
            average_code_length(p, huffman_code_lengths(p)), best, rtol=1e-12
        )

    @settings(max_examples=100, deadline=None)
    @given(_distributions(max_size=12))
    def test_source_coding_bounds(self, p):
        # H <= L < H + 1, with H from scipy (an independent implementation); the small
        # tolerance absorbs rounding in H when L = H exactly.
        lengths = huffman_code_lengths(p)
        avg = float(average_code_length(p, lengths))
        h = float(scipy.stats.entropy(p, base=2))
        assert h - 1e-12 <= avg < h + 1
        assert kraft_sum(lengths) == 1.0  # a Huffman tree is full

    def test_bad_input(self):
        with pytest.raises(ValueError, match="huffman_code_lengths: p must sum to 1"):
            huffman_code_lengths([3, 1])
        with pytest.raises(TypeError, match="huffman_code_lengths: p must be a real numeric"):
            huffman_code_lengths(["a", "b"])


class TestShannonCodeLengths:
    def test_example(self):
        # ceil(-log2 p): 0.4 -> ceil(1.32) = 2, 0.3 -> ceil(1.74) = 2, 0.2 -> ceil(2.32) = 3,
        # 0.1 -> ceil(3.32) = 4.
        np.testing.assert_array_equal(shannon_code_lengths([0.4, 0.3, 0.2, 0.1]), [2, 2, 3, 4])

    def test_dyadic_is_exact(self):
        p = [2.0**-1, 2.0**-2, 2.0**-3, 2.0**-4, 2.0**-5, 2.0**-5]
        np.testing.assert_array_equal(shannon_code_lengths(p), [1, 2, 3, 4, 5, 5])

    def test_certain_symbol(self):
        np.testing.assert_array_equal(shannon_code_lengths([1.0]), [0])

    @settings(max_examples=100, deadline=None)
    @given(_distributions(max_size=10))
    def test_against_mpmath(self, p):
        # The ceiling at 50 digits cannot be fooled by a logarithm that rounds across an integer.
        with mpmath.workdps(50):
            expected = [int(mpmath.ceil(-mpmath.log(mpmath.mpf(float(x)), 2))) for x in p]
        np.testing.assert_array_equal(shannon_code_lengths(p), expected)
        assert kraft_sum(shannon_code_lengths(p)) <= 1.0

    def test_zero_probability(self):
        with pytest.raises(
            ValueError, match=r"shannon_code_lengths: p must be positive .* index 1"
        ):
            shannon_code_lengths([1.0, 0.0])


class TestCanonicalCode:
    def test_example(self):
        assert canonical_code([1, 2, 3, 3]) == ["0", "10", "110", "111"]

    def test_order_of_symbols_is_kept(self):
        # Sorted by (length, index): symbol 1 (length 1) -> 0, symbol 2 -> 10, 0 -> 110, 3 -> 111.
        assert canonical_code([3, 1, 2, 3]) == ["110", "0", "10", "111"]

    def test_incomplete_code(self):
        # Kraft sum 1/2 + 1/4 = 3/4 < 1: a prefix code exists with a word left over.
        assert canonical_code([1, 2]) == ["0", "10"]

    def test_single_symbol(self):
        assert canonical_code([0]) == [""]

    @settings(max_examples=100, deadline=None)
    @given(_distributions(max_size=12))
    def test_huffman_lengths_give_prefix_code(self, p):
        lengths = huffman_code_lengths(p)
        words = canonical_code(lengths)
        assert [len(w) for w in words] == lengths.tolist()
        assert is_prefix_free(words)

    def test_kraft_violation(self):
        with pytest.raises(ValueError, match=r"canonical_code: lengths .* have Kraft sum 1.25 > 1"):
            canonical_code([1, 1, 2])


class TestIsPrefixFree:
    @pytest.mark.parametrize(
        ("words", "expected"),
        [
            (["0", "10", "110", "111"], True),
            (["0", "1", "01"], False),  # 0 is a prefix of 01
            (["10", "0", "1"], False),  # 1 is a prefix of 10, found whatever the order
            (["00", "01", "10", "11"], True),
            (["0", "0"], False),  # a repeated word cannot be decoded
            (["a", "ba", "bb"], True),  # any alphabet
        ],
    )
    def test_examples(self, words, expected):
        assert is_prefix_free(words) is expected

    @pytest.mark.parametrize("bad", ["0101", 5, [0, 1]])
    def test_bad_input(self, bad):
        with pytest.raises(TypeError, match="is_prefix_free: codewords must be"):
            is_prefix_free(bad)

    def test_empty(self):
        with pytest.raises(ValueError, match="is_prefix_free: codewords is empty"):
            is_prefix_free([])


class TestDecodePrefix:
    def test_example(self):
        assert decode_prefix("010110111", ["0", "10", "110", "111"]) == [0, 1, 2, 3]

    @settings(max_examples=60, deadline=None)
    @given(_distributions(max_size=8), st.lists(st.integers(0, 7), max_size=50))
    def test_round_trip(self, p, message):
        words = canonical_code(huffman_code_lengths(p))
        message = [s % len(words) for s in message]
        bits = "".join(words[s] for s in message)
        assert decode_prefix(bits, words) == message

    def test_truncated_message(self):
        with pytest.raises(ValueError, match="decode_prefix: bits ends with '11'"):
            decode_prefix("011", ["0", "10", "110", "111"])

    def test_not_prefix_free(self):
        with pytest.raises(ValueError, match="decode_prefix: codewords must be a prefix-free"):
            decode_prefix("01", ["0", "1", "01"])

    def test_bits_not_a_string(self):
        with pytest.raises(TypeError, match="decode_prefix: bits must be a string"):
            decode_prefix([0, 1], ["0", "1"])
