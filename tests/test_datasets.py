"""Tests of xentbook.datasets: the iris data shipped in the package.

Reference values are R's built-in ``iris`` data frame (which reproduces Fisher's 1936 table):
``colMeans(iris[1:4])`` and ``aggregate(. ~ Species, iris, mean)`` as printed by R, and rows
35 and 38 of Fisher's table, where the UCI copy of the data differs.
"""

from importlib import resources

import numpy as np
import pytest

from xentbook.book import load_iris
from xentbook.datasets import IrisData


class TestLoadIris:
    def test_shapes_and_dtypes(self):
        X, y, feature_names, class_names = load_iris()
        assert X.shape == (150, 4)
        assert X.dtype == np.float64
        assert y.shape == (150,)
        assert y.dtype == np.int64
        assert feature_names == (
            "sepal_length_cm",
            "sepal_width_cm",
            "petal_length_cm",
            "petal_width_cm",
        )
        assert class_names == ("setosa", "versicolor", "virginica")

    def test_returns_a_named_tuple(self):
        data = load_iris()
        assert isinstance(data, IrisData)
        assert data.features.shape == (150, 4)
        assert data.class_names[data.labels[0]] == "setosa"

    def test_fifty_flowers_per_species_in_order(self):
        _, y, _, _ = load_iris()
        np.testing.assert_array_equal(np.bincount(y), [50, 50, 50])
        np.testing.assert_array_equal(y, np.repeat([0, 1, 2], 50))

    def test_column_means_match_r(self):
        # R: colMeans(iris[1:4]) = 5.843333 3.057333 3.758000 1.199333, i.e. the column sums
        # 876.5, 458.6, 563.7 and 179.9 divided by 150. The data have one decimal, so the sums
        # are exact up to float64 rounding of 150 additions: rtol 1e-12 is ample.
        X, _, _, _ = load_iris()
        np.testing.assert_allclose(
            X.mean(axis=0), np.array([876.5, 458.6, 563.7, 179.9]) / 150, rtol=1e-12
        )

    def test_species_means_match_r(self):
        # R: aggregate(. ~ Species, iris, mean), values printed to three decimals there.
        X, y, _, _ = load_iris()
        expected = np.array(
            [
                [5.006, 3.428, 1.462, 0.246],
                [5.936, 2.770, 4.260, 1.326],
                [6.588, 2.974, 5.552, 2.026],
            ]
        )
        means = np.array([X[y == k].mean(axis=0) for k in range(3)])
        np.testing.assert_allclose(means, expected, rtol=0, atol=5e-4)  # 3 printed decimals

    def test_rows_where_the_uci_copy_differs_follow_fisher(self):
        # Flowers 35 and 38 (1-based) as printed by Fisher; the UCI file has 0.1 as the petal
        # width of flower 35 and repeats flower 35 as flower 38.
        X, _, _, _ = load_iris()
        np.testing.assert_array_equal(X[34], [4.9, 3.1, 1.5, 0.2])
        np.testing.assert_array_equal(X[37], [4.9, 3.6, 1.4, 0.1])

    def test_first_and_last_rows(self):
        X, y, _, _ = load_iris()
        np.testing.assert_array_equal(X[0], [5.1, 3.5, 1.4, 0.2])
        np.testing.assert_array_equal(X[-1], [5.9, 3.0, 5.1, 1.8])
        assert (y[0], y[-1]) == (0, 2)

    def test_each_call_returns_fresh_arrays(self):
        X, y, _, _ = load_iris()
        X[:] = 0
        y[:] = 7
        X2, y2, _, _ = load_iris()
        assert X2[0, 0] == pytest.approx(5.1, abs=0)
        assert y2[0] == 0

    def test_data_file_ships_inside_the_package(self):
        data = resources.files("xentbook").joinpath("data", "iris.csv")
        assert data.is_file()
        text = data.read_text(encoding="utf-8")
        assert "Fisher" in text
        assert "UCI Machine Learning Repository" in text
