"""Tests of the chapter 13 helpers: bfloat16 rounding emulated in numpy."""

from __future__ import annotations

import numpy as np
import pytest

from xentbook.book import round_to_bfloat16


class TestRoundToBfloat16:
    def test_hand_values(self):
        # bfloat16 has 8 significant bits: between 256 and 512 the spacing is 2, between 1 and
        # 2 it is 2^-7. 1 + 2^-8 and 257 are ties and go to the even neighbour (1 and 256);
        # 259 is a tie between 258 (odd last kept bit) and 260 (even): 260.
        x = [1 + 2**-8, 1 + 3 * 2**-8, 257.0, 259.0, -257.0, 0.0]
        expected = [1.0, 1 + 2**-6, 256.0, 260.0, -256.0, 0.0]
        np.testing.assert_array_equal(round_to_bfloat16(x), np.array(expected, np.float32))

    def test_relative_error_at_most_unit_roundoff(self):
        x = np.random.default_rng(7).standard_normal(100_000).astype(np.float32) * 30
        rel = np.abs(round_to_bfloat16(x).astype(np.float64) - x) / np.abs(x)
        assert rel.max() <= 2.0**-8

    def test_values_are_bfloat16(self):
        out = round_to_bfloat16(np.linspace(-5, 5, 1001))
        assert out.dtype == np.float32
        assert not (out.view(np.uint32) & 0xFFFF).any()  # the low 16 bits are zero

    def test_not_finite(self):
        with pytest.raises(ValueError, match="round_to_bfloat16: x must be finite"):
            round_to_bfloat16([1.0, np.nan])

    @pytest.mark.torch
    def test_matches_torch(self):
        torch = pytest.importorskip("torch")
        x = np.random.default_rng(3).standard_normal(200_000).astype(np.float32) * 50
        x[:3] = [1 + 2**-8, 257.0, 259.0]
        expected = torch.from_numpy(x).to(torch.bfloat16).to(torch.float32).numpy()
        np.testing.assert_array_equal(round_to_bfloat16(x), expected)
