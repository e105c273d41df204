"""Tests of the chapter-3 helper total_variation."""

import numpy as np
import pytest

from xentbook.book import total_variation


class TestTotalVariation:
    def test_hand_values(self):
        # |0.5 - 0.9| + |0.5 - 0.1| = 0.8, halved
        assert total_variation([0.5, 0.5], [0.9, 0.1]) == pytest.approx(0.4, rel=1e-15, abs=0)
        assert total_variation([1.0, 0.0], [0.0, 1.0]) == 1.0
        assert total_variation([0.2, 0.8], [0.2, 0.8]) == 0.0

    def test_is_the_largest_event_difference(self):
        rng = np.random.default_rng(3)
        p, q = rng.dirichlet(np.ones(5)), rng.dirichlet(np.ones(5))
        # max over all 2^5 events A of |p(A) - q(A)|, by enumeration
        masks = (np.arange(32)[:, None] >> np.arange(5)) & 1
        largest = np.max(np.abs(masks @ p - masks @ q))
        np.testing.assert_allclose(total_variation(p, q), largest, rtol=1e-14)

    def test_batched_along_axis(self):
        p = np.array([[0.5, 0.5], [1.0, 0.0]])
        q = np.array([[0.9, 0.1], [0.5, 0.5]])
        np.testing.assert_allclose(total_variation(p, q), [0.4, 0.5], rtol=1e-15)
        np.testing.assert_allclose(total_variation(p.T, q.T, axis=0), [0.4, 0.5], rtol=1e-15)

    def test_rejects_bad_input(self):
        with pytest.raises(ValueError, match=r"^total_variation: p and q must be .*shape"):
            total_variation([0.5, 0.5], [1.0])
        with pytest.raises(ValueError, match=r"^total_variation: q must hold finite"):
            total_variation([0.5, 0.5], [1.5, -0.5])
        with pytest.raises(ValueError, match=r"^total_variation: p must sum to 1"):
            total_variation([2.0, 3.0], [0.5, 0.5])


class TestScipyConventions:
    """The chapter's description of SciPy's three KL functions (scipy 1.17.1)."""

    p = np.array([0.7, 0.2, 0.1])
    q = np.array([0.5, 0.3, 0.2])

    def test_rel_entr_is_the_plain_term(self):
        special = pytest.importorskip("scipy.special")
        np.testing.assert_allclose(
            special.rel_entr(self.p, self.q), self.p * np.log(self.p / self.q), rtol=1e-15
        )

    def test_kl_div_adds_q_minus_p_and_is_non_negative_termwise(self):
        special = pytest.importorskip("scipy.special")
        terms = special.kl_div(self.p, self.q)
        np.testing.assert_allclose(
            terms, self.p * np.log(self.p / self.q) - self.p + self.q, rtol=1e-14
        )
        assert (terms >= 0).all()
        assert (special.rel_entr(self.p, self.q) < 0).any()  # the plain terms are not

    def test_stats_entropy_normalizes_silently(self):
        stats = pytest.importorskip("scipy.stats")
        from xentbook import kl_divergence

        np.testing.assert_allclose(
            stats.entropy(3 * self.p, 7 * self.q), kl_divergence(self.p, self.q), rtol=1e-14
        )
