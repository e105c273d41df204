r"""Small data sets shipped inside the package, so that the book runs without a network.

Only Fisher's iris data for now: 150 flowers, four measurements each, three species. It is the
classic test bed for a linear classifier, and chapter 8 trains softmax regression on it with
cross-entropy and with mean squared error.
"""

from __future__ import annotations

from importlib import resources
from typing import NamedTuple

import numpy as np
from numpy.typing import NDArray

__all__ = ["IrisData", "load_iris"]

_IRIS_FILE = "iris.csv"


class IrisData(NamedTuple):
    """What :func:`xentbook.book.load_iris` returns.

    It unpacks as ``X, y, feature_names, class_names``.
    """

    features: NDArray[np.float64]
    labels: NDArray[np.int64]
    feature_names: tuple[str, ...]
    class_names: tuple[str, ...]


def _read_rows(text: str) -> tuple[list[str], list[list[str]]]:
    """Header and data rows of the shipped CSV, skipping its ``#`` comment lines."""
    lines = [line.strip() for line in text.splitlines()]
    lines = [line for line in lines if line and not line.startswith("#")]
    header = lines[0].split(",")
    return header, [line.split(",") for line in lines[1:]]


def load_iris() -> IrisData:
    r"""Fisher's iris data: 150 flowers, 4 measurements in centimetres, 3 species.

    The rows are the 150 flowers in the order of Fisher's table (50 *setosa*, then 50
    *versicolor*, then 50 *virginica*); the columns are sepal length, sepal width, petal length
    and petal width. The values are those of Fisher's paper, which differ from the copy in the
    UCI Machine Learning Repository in two rows (flowers 35 and 38). The feature means are

    .. math::

        \bar x = (5.843,\ 3.057,\ 3.758,\ 1.199)\ \text{cm}.

    Returns
    -------
    IrisData
        A named tuple ``(features, labels, feature_names, class_names)``: ``features`` is a new
        float64 array of shape ``(150, 4)``; ``labels`` a new int64 array of shape ``(150,)``
        holding class indices 0, 1, 2 into ``class_names``; the names are tuples of strings.

    References
    ----------
    R. A. Fisher, "The use of multiple measurements in taxonomic problems", *Annals of
    Eugenics* 7(2), 179-188, 1936.

    Examples
    --------
    >>> import numpy as np
    >>> from xentbook.book import load_iris
    >>> X, y, feature_names, class_names = load_iris()
    >>> print(X.shape, y.shape, np.bincount(y))
    (150, 4) (150,) [50 50 50]
    >>> print(class_names)
    ('setosa', 'versicolor', 'virginica')
    >>> print(np.round(X.mean(axis=0), 3))
    [5.843 3.057 3.758 1.199]
    """
    text = resources.files("xentbook").joinpath("data", _IRIS_FILE).read_text(encoding="utf-8")
    header, rows = _read_rows(text)
    feature_names = tuple(header[:-1])
    class_names = ("setosa", "versicolor", "virginica")
    features = np.array([[float(v) for v in row[:-1]] for row in rows], dtype=np.float64)
    labels = np.array([class_names.index(row[-1]) for row in rows], dtype=np.int64)
    return IrisData(features, labels, feature_names, class_names)
