"""Tests of chapter 2's helpers against hand derivations and direct sums."""

import math

import numpy as np
import pytest

from xentbook.book import binary_entropy, conditional_entropy, iid_block, mutual_information


class TestBinaryEntropy:
    def test_values_by_hand(self):
        # H_b(1/2) = 1 and H_b(1/4) = 2 - (3/4) log2 3, exactly by hand; ends are 0 (0 log 0 = 0).
        got = binary_entropy([0.0, 0.25, 0.5, 1.0])
        expected = [0.0, 2 - 0.75 * math.log2(3), 1.0, 0.0]
        np.testing.assert_allclose(got, expected, rtol=1e-15, atol=0)

    def test_symmetry(self):
        x = np.linspace(0.01, 0.99, 99)
        np.testing.assert_allclose(binary_entropy(x), binary_entropy(1 - x), rtol=1e-13)

    @pytest.mark.parametrize("x", [1.5, -0.1, float("nan")])
    def test_out_of_range(self, x):
        with pytest.raises(ValueError, match=r"binary_entropy: x must lie in \[0, 1\]"):
            binary_entropy([0.5, x])


class TestJointEntropies:
    # X a fair bit, Y = X passed through a channel that flips it with probability 0.1.
    joint = np.array([[0.45, 0.05], [0.05, 0.45]])

    def test_conditional_entropy_is_channel_noise(self):
        # H(Y | X) = H_b(0.1), from the math module.
        hb = -0.1 * math.log2(0.1) - 0.9 * math.log2(0.9)
        np.testing.assert_allclose(conditional_entropy(self.joint, base=2), hb, rtol=1e-14)

    def test_chain_rule_and_mutual_information(self):
        rng = np.random.default_rng(2)
        table = rng.dirichlet(np.ones(12)).reshape(3, 4)
        flat = table.ravel()
        h_xy = -np.sum(flat * np.log(flat))
        px, py = table.sum(axis=1), table.sum(axis=0)
        h_x, h_y = -np.sum(px * np.log(px)), -np.sum(py * np.log(py))
        np.testing.assert_allclose(h_x + conditional_entropy(table), h_xy, rtol=1e-13)
        np.testing.assert_allclose(h_y + conditional_entropy(table.T), h_xy, rtol=1e-13)
        np.testing.assert_allclose(mutual_information(table), h_x + h_y - h_xy, rtol=1e-10)

    def test_binary_symmetric_channel(self):
        hb = -0.1 * math.log2(0.1) - 0.9 * math.log2(0.9)
        np.testing.assert_allclose(mutual_information(self.joint, base=2), 1 - hb, rtol=1e-14)

    def test_independent_is_zero(self):
        table = np.outer([0.2, 0.8], [0.5, 0.3, 0.2])
        assert abs(mutual_information(table)) < 1e-15

    def test_zero_row_and_cells(self):
        # Y a function of X: H(Y | X) = 0 and I = H(Y) = 1 bit; the empty row adds nothing.
        table = np.array([[0.5, 0.0], [0.0, 0.5], [0.0, 0.0]])
        assert conditional_entropy(table) == 0.0
        np.testing.assert_allclose(mutual_information(table, base=2), 1.0, rtol=1e-15)

    @pytest.mark.parametrize("bad", [[0.5, 0.5], [[0.6, 0.6], [0.0, 0.0]], [[1.5, -0.5]]])
    def test_bad_tables(self, bad):
        with pytest.raises(ValueError, match="joint must"):
            mutual_information(bad)


class TestIidBlock:
    def test_products(self):
        got = iid_block([0.9, 0.1], 3)
        expected = [
            0.9**3,
            0.9**2 * 0.1,
            0.9**2 * 0.1,
            0.9 * 0.01,
            0.9**2 * 0.1,
            0.9 * 0.01,
            0.9 * 0.01,
            0.001,
        ]
        np.testing.assert_allclose(got, expected, rtol=1e-15)

    def test_entropy_is_additive(self):
        p = np.array([0.5, 0.3, 0.2])
        block = iid_block(p, 4)
        np.testing.assert_allclose(
            -np.sum(block * np.log(block)), 4 * -np.sum(p * np.log(p)), rtol=1e-13
        )

    @pytest.mark.parametrize("n", [0, 1.5, True])
    def test_bad_n(self, n):
        with pytest.raises(ValueError, match="n must be"):
            iid_block([0.5, 0.5], n)
