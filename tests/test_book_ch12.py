"""Tests of the chapter 12 helper, against the add-a estimator written out by hand."""

import numpy as np
import pytest

from xentbook import softmax
from xentbook.book import adaptive_unigram_logits


def test_probabilities_are_smoothed_counts():
    tokens = np.array([2, 0, 2, 2, 1])
    p = softmax(adaptive_unigram_logits(tokens, vocab_size=4, prior=0.5))
    for t in range(len(tokens)):
        counts = np.bincount(tokens[: t + 1], minlength=4)
        np.testing.assert_allclose(p[t], (counts + 0.5) / (t + 1 + 2.0), rtol=1e-15)


def test_laplace_prior():
    p = softmax(adaptive_unigram_logits([1], vocab_size=2, prior=1.0))
    np.testing.assert_allclose(p, [[1 / 3, 2 / 3]], rtol=1e-15)


@pytest.mark.parametrize(
    ("args", "error", "match"),
    [
        (([0, 5], 3), ValueError, "tokens hold id 5 at position 1"),
        (([0.0], 3), TypeError, "tokens must be a 1-d array of integer"),
        (([0], 0), ValueError, "vocab_size must be at least 1"),
        (([0], 2, 0.0), ValueError, "prior must be positive"),
    ],
)
def test_errors(args, error, match):
    with pytest.raises(error, match=f"adaptive_unigram_logits: {match}"):
        adaptive_unigram_logits(*args)
