"""Input checking shared by every public function.

Each helper raises ``TypeError``, ``ValueError`` or ``IndexError`` with a message that starts
with the public function's name, names the argument and echoes the offending value, so that no
numpy-internal error or silent ``nan`` reaches the user.
"""

from __future__ import annotations

from typing import Any

import numpy as np
from numpy.typing import ArrayLike, NDArray

REDUCTIONS = ("none", "mean", "sum")


def _describe(value: Any) -> str:
    """A short description of a bad value for an error message."""
    if isinstance(value, np.ndarray):
        if value.size <= 6:
            return f"array {value.tolist()!r} (dtype {value.dtype}, shape {value.shape})"
        return f"an array of dtype {value.dtype} and shape {value.shape}"
    text = repr(value)
    return text if len(text) <= 80 else text[:77] + "..."


def float_array(func: str, name: str, value: ArrayLike, *, min_ndim: int = 0) -> NDArray[Any]:
    """Convert ``value`` to a floating array, refusing what is not a real number.

    Integers become float64; float16 and float32 and float64 keep their type. Complex, boolean,
    string and object inputs raise ``TypeError``; fewer than ``min_ndim`` dimensions raise
    ``ValueError``.
    """
    try:
        arr = np.asarray(value)
    except (ValueError, TypeError) as exc:
        raise TypeError(
            f"{func}: {name} must be a real numeric array, got {_describe(value)}"
        ) from exc
    kind = arr.dtype.kind
    if kind in "iu":
        arr = arr.astype(np.float64)
    elif kind != "f" or arr.dtype.itemsize > 8:
        raise TypeError(
            f"{func}: {name} must be a real numeric array (float16, float32, float64 or integer), "
            f"got dtype {arr.dtype} in {_describe(value)}"
        )
    if arr.ndim < min_ndim:
        raise ValueError(
            f"{func}: {name} must have at least {min_ndim} dimension(s), "
            f"got a {arr.ndim}-d value {_describe(value)}"
        )
    return arr


def working_dtype(arr: NDArray[Any]) -> np.dtype[Any]:
    """The dtype computations run in: float16 is computed in float32, the rest as given."""
    return np.dtype(np.float32) if arr.dtype == np.float16 else arr.dtype


def check_no_nan(func: str, name: str, arr: NDArray[Any]) -> None:
    """Refuse nan anywhere in ``arr`` (a full pass: use where a row maximum is not at hand)."""
    if np.isnan(arr).any():
        where = tuple(int(i) for i in np.argwhere(np.isnan(arr))[0])
        raise ValueError(f"{func}: {name} contains nan (first at index {where})")


def check_finite(func: str, name: str, arr: NDArray[Any]) -> None:
    """Refuse nan and +-inf anywhere in ``arr``."""
    bad = ~np.isfinite(arr)
    if bad.any():
        where = tuple(int(i) for i in np.argwhere(bad)[0])
        raise ValueError(
            f"{func}: {name} must be finite, got {arr[where].item()!r} at index {where}"
        )


def check_in_unit_interval(func: str, name: str, arr: NDArray[Any]) -> None:
    """Refuse values outside [0, 1] (nan included)."""
    bad = ~((arr >= 0) & (arr <= 1))
    if bad.any():
        where = tuple(int(i) for i in np.argwhere(bad)[0])
        raise ValueError(
            f"{func}: {name} must hold probabilities in [0, 1], "
            f"got {arr[where].item()!r} at index {where}"
        )


def class_indices(
    func: str, name: str, value: ArrayLike, shape: tuple[int, ...], classes: int
) -> NDArray[np.intp]:
    """Integer class indices of the given shape, each in ``[0, classes)``.

    Non-integer values raise ``TypeError``, a wrong shape ``ValueError`` and an index out of
    range ``IndexError``, as for a class-index target in PyTorch.
    """
    try:
        t = np.asarray(value)
    except (ValueError, TypeError) as exc:
        raise TypeError(
            f"{func}: {name} must be an array of class indices, got {_describe(value)}"
        ) from exc
    if t.dtype.kind not in "iu":
        raise TypeError(
            f"{func}: {name} must hold integer class indices, "
            f"got dtype {t.dtype} in {_describe(value)}"
        )
    if t.shape != shape:
        raise ValueError(
            f"{func}: {name} must have shape {shape}, one class index per item, got shape {t.shape}"
        )
    bad = (t < 0) | (t >= classes)
    if bad.any():
        where = tuple(int(i) for i in np.argwhere(bad)[0])
        position = where[0] if len(where) == 1 else where
        raise IndexError(
            f"{func}: {name} holds class index {int(t[where])} at position {position}, out of "
            f"range for {classes} classes (valid: 0 to {classes - 1})"
        )
    return t.astype(np.intp)


def positive_number(func: str, name: str, value: Any) -> float:
    """A positive, finite real scalar (a learning rate, a temperature bound, ...)."""
    if isinstance(value, bool) or not isinstance(value, (int, float, np.integer, np.floating)):
        raise TypeError(f"{func}: {name} must be a positive number, got {_describe(value)}")
    if not (np.isfinite(value) and value > 0):
        raise ValueError(f"{func}: {name} must be positive and finite, got {value!r}")
    return float(value)


def check_reduction(func: str, reduction: Any) -> str:
    if not isinstance(reduction, str) or reduction not in REDUCTIONS:
        raise ValueError(
            f"{func}: reduction must be one of {', '.join(map(repr, REDUCTIONS))}, "
            f"got {reduction!r}"
        )
    return reduction


def check_base(func: str, base: Any) -> float | None:
    """Validate a logarithm base: ``None`` (nats) or a positive real number other than 1."""
    if base is None:
        return None
    if isinstance(base, bool) or not isinstance(base, (int, float, np.integer, np.floating)):
        raise TypeError(f"{func}: base must be a positive number or None, got {base!r}")
    if not (np.isfinite(base) and base > 0 and base != 1):
        raise ValueError(f"{func}: base must be positive, finite and not 1, got {base!r}")
    return float(base)


def check_axis(func: str, axis: Any, ndim: int) -> int:
    """Normalize a single integer axis, refusing one that does not exist."""
    if isinstance(axis, bool) or not isinstance(axis, (int, np.integer)):
        raise TypeError(f"{func}: axis must be an integer, got {axis!r}")
    if not -ndim <= axis < ndim:
        raise IndexError(
            f"{func}: axis {axis} is out of range for an input with {ndim} dimension(s)"
        )
    return int(axis) % ndim


def check_same_shape(func: str, name_a: str, a: NDArray[Any], name_b: str, b: NDArray[Any]) -> None:
    if a.shape != b.shape:
        raise ValueError(
            f"{func}: {name_a} and {name_b} must have the same shape, got {a.shape} and {b.shape}"
        )


def broadcastable(func: str, name: str, arr: NDArray[Any], shape: tuple[int, ...]) -> NDArray[Any]:
    """Broadcast ``arr`` to ``shape`` without growing the result's shape."""
    try:
        return np.broadcast_to(arr, shape)
    except ValueError as exc:
        raise ValueError(
            f"{func}: {name} of shape {arr.shape} cannot be broadcast to the input's shape {shape}"
        ) from exc
