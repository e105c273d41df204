"""Tests of reliability bins, expected calibration error, temperature fitting and perplexity."""

import mpmath
import numpy as np
import pytest

from xentbook import cross_entropy, perplexity, softmax
from xentbook.book import expected_calibration_error, fit_temperature, reliability_bins

PROBS = np.array(
    [
        [0.9, 0.05, 0.05],  # confidence 0.90, right
        [0.6, 0.3, 0.1],  # 0.60, wrong (label 1)
        [0.2, 0.7, 0.1],  # 0.70, right
        [0.34, 0.33, 0.33],  # 0.34, right
        [0.1, 0.1, 0.8],  # 0.80, wrong (label 0)
    ]
)
LABELS = np.array([0, 1, 1, 0, 0])


class TestReliabilityBins:
    def test_hand_computed_bins(self):
        # 5 bins of width 0.2. Confidences 0.90 -> bin 4, 0.60 -> bin 2 (0.6 is the right edge
        # of (0.4, 0.6]), 0.70 -> bin 3, 0.34 -> bin 1, 0.80 -> bin 3 (right edge of (0.6, 0.8]).
        bins = reliability_bins(PROBS, LABELS, n_bins=5)
        np.testing.assert_array_equal(bins.counts, [0, 1, 1, 2, 1])
        np.testing.assert_allclose(bins.edges, [0, 0.2, 0.4, 0.6, 0.8, 1.0], rtol=0, atol=1e-15)
        # Accuracies: bin 1 right, bin 2 wrong, bin 3 one of two, bin 4 right. Exact ratios.
        np.testing.assert_array_equal(bins.accuracy, [np.nan, 1.0, 0.0, 0.5, 1.0])
        # Confidences are means of one or two decimals: equal to rounding.
        np.testing.assert_allclose(bins.confidence, [np.nan, 0.34, 0.6, 0.75, 0.9], rtol=1e-15)

    def test_counts_sum_to_n_and_first_bin_holds_zero(self):
        probs = np.array([[0.0, 0.0], [1.0, 0.0]])  # a zero row: confidence 0, in bin 0
        bins = reliability_bins(probs, [1, 0], n_bins=4)
        np.testing.assert_array_equal(bins.counts, [1, 0, 0, 1])

    def test_float32_gives_the_same_bins_away_from_edges(self):
        # With 4 bins no confidence (0.9, 0.6, 0.7, 0.34, 0.8) is near an edge, so rounding to
        # float32 cannot move an item: counts and accuracies are identical.
        b32 = reliability_bins(PROBS.astype(np.float32), LABELS, n_bins=4)
        b64 = reliability_bins(PROBS, LABELS, n_bins=4)
        np.testing.assert_array_equal(b32.counts, b64.counts)
        np.testing.assert_array_equal(b32.accuracy, b64.accuracy)
        np.testing.assert_allclose(b32.confidence, b64.confidence, rtol=1e-7)  # float32 inputs

    @pytest.mark.parametrize(
        ("args", "kwargs", "error", "match"),
        [
            (
                ([0.5, 0.5], [0]),
                {},
                ValueError,
                r"reliability_bins: probs must have shape \(N, C\)",
            ),
            (
                ([[0.5, 1.5]], [0]),
                {},
                ValueError,
                "reliability_bins: probs must hold probabilities",
            ),
            (([[0.5, 0.5]], [0.0]), {}, TypeError, "reliability_bins: labels must hold integer"),
            (
                ([[0.5, 0.5]], [0, 1]),
                {},
                ValueError,
                r"reliability_bins: labels must have shape \(1,\)",
            ),
            (([[0.5, 0.5]], [2]), {}, IndexError, "reliability_bins: labels holds class index 2"),
            (
                ([[0.5, 0.5]], [0]),
                {"n_bins": 0},
                ValueError,
                "reliability_bins: n_bins must be a positive",
            ),
            (
                ([[0.5, 0.5]], [0]),
                {"n_bins": 2.0},
                TypeError,
                "reliability_bins: n_bins must be a positive",
            ),
        ],
    )
    def test_bad_input(self, args, kwargs, error, match):
        with pytest.raises(error, match=match):
            reliability_bins(*args, **kwargs)


class TestExpectedCalibrationError:
    def test_hand_computed(self):
        # With the bins above: (1/5)|1 - 0.34| + (1/5)|0 - 0.6| + (2/5)|0.5 - 0.75| + (1/5)|1 - 0.9|
        # = (0.66 + 0.6 + 0.5 + 0.1) / 5 = 1.86 / 5 = 0.372.
        got = expected_calibration_error(PROBS, LABELS, n_bins=5)
        np.testing.assert_allclose(got, 0.372, rtol=1e-14)  # a handful of roundings

    def test_one_bin_is_gap_between_mean_accuracy_and_mean_confidence(self):
        # One bin: ECE = |accuracy - mean confidence| = |3/5 - 3.34/5|.
        got = expected_calibration_error(PROBS, LABELS, n_bins=1)
        np.testing.assert_allclose(got, abs(0.6 - 3.34 / 5), rtol=1e-14)

    def test_perfectly_calibrated_sample_has_zero_ece(self):
        # Every item has confidence 0.75, and exactly 3 of every 4 are right.
        probs = np.tile([[0.75, 0.25]], (400, 1))
        labels = np.tile([0, 0, 0, 1], 100)
        assert expected_calibration_error(probs, labels) == pytest.approx(0.0, abs=1e-15)

    def test_overconfident_model_from_known_truth(self):
        # Labels drawn from softmax(z / 2) while the model reports softmax(z): overconfident, so
        # in every populated bin confidence exceeds accuracy (by a lot at this scale), and the
        # ECE equals the weighted mean of (conf - acc) over the bins.
        rng = np.random.default_rng(1)
        z = rng.normal(size=(20000, 10)) * 3
        true = softmax(z / 2.0, axis=1)
        labels = (true.cumsum(axis=1) < rng.random((20000, 1))).sum(axis=1)
        probs = softmax(z, axis=1)
        bins = reliability_bins(probs, labels)
        full = bins.counts > 100
        assert np.all(bins.confidence[full] > bins.accuracy[full])
        ece = expected_calibration_error(probs, labels)
        assert ece > 0.1

    def test_dtype_follows_input(self):
        assert expected_calibration_error(PROBS, LABELS).dtype == np.float64
        got32 = expected_calibration_error(PROBS.astype(np.float32), LABELS, n_bins=4)
        assert got32.dtype == np.float32
        # Same bins away from edges (see the reliability test): equal to float32 rounding.
        np.testing.assert_allclose(
            got32, expected_calibration_error(PROBS, LABELS, n_bins=4), rtol=1e-6
        )

    def test_bad_input(self):
        with pytest.raises(ValueError, match=r"expected_calibration_error: probs must have shape"):
            expected_calibration_error(np.zeros((0, 3)), np.zeros(0, dtype=int))
        with pytest.raises(ValueError, match="expected_calibration_error: probs must hold"):
            expected_calibration_error([[np.nan, 0.5]], [0])
        with pytest.raises(
            IndexError, match="expected_calibration_error: labels holds class index -1"
        ):
            expected_calibration_error([[0.5, 0.5]], [-1])


class TestFitTemperature:
    def test_two_class_closed_form(self):
        # Five items with logits (4, 0), four labelled 0 and one labelled 1. The NLL is
        # -(4 log sigma(4 beta) + log sigma(-4 beta)) / 5, minimized where sigma(4 beta) = 4/5,
        # i.e. 4 beta = log 4, T = 4 / log 4.
        logits = np.array([[4.0, 0.0]] * 5)
        labels = np.array([0, 0, 0, 0, 1])
        T = fit_temperature(logits, labels)
        # The bisection stops at adjacent floats of beta, but the slope's rounding (~1e-16 on
        # terms of size 1) moves the root by a few ulp of beta: rtol 1e-14.
        np.testing.assert_allclose(4.0 / T, np.log(4.0), rtol=1e-14)

    def test_first_order_condition_and_scipy(self):
        scipy_optimize = pytest.importorskip(
            "scipy.optimize", reason="scipy gives an independent minimizer"
        )
        rng = np.random.default_rng(3)
        z = rng.normal(size=(2000, 5)) * 2.5
        labels = (softmax(z / 1.7, axis=1).cumsum(axis=1) < rng.random((2000, 1))).sum(axis=1)
        T = fit_temperature(z, labels)
        # At the optimum the derivative in beta, mean(E_p[z] - z_y), vanishes (relative to the
        # size of its terms, which are O(1)): 1e-12 allows for the rounding of the mean.
        p = softmax(z / T, axis=1)
        slope = np.mean((p * z).sum(axis=1) - z[np.arange(2000), labels])
        assert abs(slope) < 1e-12
        res = scipy_optimize.minimize_scalar(
            lambda t: float(cross_entropy(z / t, labels)),
            bounds=(0.05, 20),
            method="bounded",
            options={"xatol": 1e-10},
        )
        # scipy compares loss values, which are flat near the optimum: agreement to ~1e-6 only.
        np.testing.assert_allclose(T, res.x, rtol=1e-6)
        assert float(cross_entropy(z / T, labels)) <= res.fun + 1e-15

    def test_recovers_true_temperature_on_large_sample(self):
        rng = np.random.default_rng(4)
        z = rng.normal(size=(40000, 10)) * 3
        labels = (softmax(z / 2.5, axis=1).cumsum(axis=1) < rng.random((40000, 1))).sum(axis=1)
        # Maximum likelihood is consistent: with 40 000 items T is within a few percent of 2.5.
        assert fit_temperature(z, labels) == pytest.approx(2.5, rel=0.05)

    def test_boundary_minimum_returns_the_end(self):
        # Every item right: the loss keeps falling as T -> 0, so the smallest T is returned.
        assert fit_temperature([[1.0, 0.0], [0.0, 1.0]], [0, 1], t_min=0.1) == 0.1
        # Every item wrong: the loss falls as T grows: the largest T is returned.
        assert fit_temperature([[1.0, 0.0], [0.0, 1.0]], [1, 0], t_max=7.0) == 7.0

    @pytest.mark.parametrize(
        ("args", "kwargs", "error", "match"),
        [
            (
                ([1.0, 2.0], [0]),
                {},
                ValueError,
                r"fit_temperature: logits must have shape \(N, C\)",
            ),
            (
                ([[1.0, np.inf]], [0]),
                {},
                ValueError,
                r"fit_temperature: logits must be finite, got inf at index \(0, 1\)",
            ),
            (([[1.0, 2.0]], [5]), {}, IndexError, "fit_temperature: labels holds class index 5"),
            (
                ([[1.0, 2.0]], [0]),
                {"t_min": 0.0},
                ValueError,
                "fit_temperature: t_min must be positive",
            ),
            (
                ([[1.0, 2.0]], [0]),
                {"t_max": "big"},
                TypeError,
                "fit_temperature: t_max must be a positive",
            ),
            (
                ([[1.0, 2.0]], [0]),
                {"t_min": 3.0, "t_max": 2.0},
                ValueError,
                "fit_temperature: t_min must be below t_max",
            ),
        ],
    )
    def test_bad_input(self, args, kwargs, error, match):
        with pytest.raises(error, match=match):
            fit_temperature(*args, **kwargs)


class TestPerplexity:
    def test_uniform_model(self):
        # A uniform model over V tokens has mean CE log V, so perplexity V (to rounding).
        for v in (2, 10, 50257):
            np.testing.assert_allclose(perplexity(np.log(v)), v, rtol=1e-14)

    def test_bits_and_nats_agree(self):
        ce_nats = 2.345
        np.testing.assert_allclose(
            perplexity(ce_nats / np.log(2), base=2), perplexity(ce_nats), rtol=1e-14
        )

    def test_against_mpmath(self):
        got = perplexity(np.array([0.0, 0.5, 3.25]))
        with mpmath.workdps(30):
            expected = [float(mpmath.exp(mpmath.mpf(v))) for v in ("0", "0.5", "3.25")]
        np.testing.assert_allclose(got, expected, rtol=1e-15)  # exp is correctly rounded to ~1 ulp

    def test_infinite_loss_and_dtype(self):
        assert perplexity(np.inf) == np.inf
        assert perplexity(np.float32(1.0)).dtype == np.float32

    @pytest.mark.parametrize(
        ("args", "kwargs", "error", "match"),
        [
            ((-0.5,), {}, ValueError, r"perplexity: mean_ce must be >= 0 .*-0.5"),
            (
                ([0.1, np.nan],),
                {},
                ValueError,
                r"perplexity: mean_ce must be >= 0 .* at index \(1,\)",
            ),
            ((1.0,), {"base": 1}, ValueError, "perplexity: base must be positive"),
            ((1.0,), {"base": "e"}, TypeError, "perplexity: base must be a positive number"),
            (("a",), {}, TypeError, "perplexity: mean_ce must be a real numeric"),
        ],
    )
    def test_bad_input(self, args, kwargs, error, match):
        with pytest.raises(error, match=match):
            perplexity(*args, **kwargs)
