"""Input checking shared by every public function: the package's one validation layer.

Each helper raises ``TypeError``, ``ValueError`` or ``IndexError`` with a message that starts
with the public function's name, names the argument and echoes the offending value, so that no
numpy-internal error, torch error or silent ``nan`` reaches the user.

Rules every function follows through these helpers:

* **Conversion.** :func:`as_array` is the only place a user's value becomes an array. It refuses
  numpy masked arrays (``np.asarray`` would drop the mask silently) and torch tensors that
  require grad (torch would raise its own ``RuntimeError``).
* **Dtypes.** Integer and float16/32/64 inputs are accepted; float16 is computed in float32
  (:func:`working_dtype`) and the result is returned as float16. A second array (weights,
  targets) is checked in its own dtype *before* it is cast to the working dtype
  (:func:`float_array_as`), so a float64 1e40 is reported as overflowing float32, not as ``inf``.
* **Class indices** (:func:`class_indices`) are checked in their own integer dtype before any
  cast: a uint64 index of 2**64 - 100 is out of range, never wrapped to -100.
"""

from __future__ import annotations

import functools
from typing import Any, Literal, NoReturn

import numpy as np
from numpy.typing import NDArray

Reduction = Literal["mean", "sum", "none"]
REDUCTIONS: tuple[Reduction, ...] = ("none", "mean", "sum")


def _describe(value: Any) -> str:
    """A short description of a bad value for an error message."""
    if isinstance(value, np.ndarray):
        if value.size <= 6:
            return f"array {value.tolist()!r} (dtype {value.dtype}, shape {value.shape})"
        return f"an array of dtype {value.dtype} and shape {value.shape}"
    text = repr(value)
    return text if len(text) <= 80 else text[:77] + "..."


def _first(bad: NDArray[np.bool_]) -> tuple[int, ...]:
    """Index of the first True entry of ``bad`` (``()`` for a 0-d array)."""
    return tuple(int(i) for i in np.argwhere(bad)[0])


def as_array(func: str, name: str, value: Any, what: str = "a real numeric array") -> NDArray[Any]:
    """``np.asarray(value)``, refusing what it would convert wrongly or not at all."""
    if isinstance(value, np.ma.MaskedArray):
        raise TypeError(
            f"{func}: {name} is a numpy masked array, whose mask would be silently dropped; "
            f"fill the masked entries ({name}.filled(value)) or drop them "
            f"({name}.compressed(), or index with ~{name}.mask) first"
            + (", or fill masked targets with ignore_index" if name == "target" else "")
        )
    if getattr(value, "requires_grad", False) is True:
        raise TypeError(
            f"{func}: {name} is a torch tensor that requires grad; pass {name}.detach() "
            "(xentbook computes gradients itself and does not record them in autograd)"
        )
    try:
        return np.asarray(value)
    except (ValueError, TypeError, RuntimeError) as exc:
        raise TypeError(f"{func}: {name} must be {what}, got {_describe(value)}") from exc


def float_array(func: str, name: str, value: Any, *, min_ndim: int = 0) -> NDArray[Any]:
    """Convert ``value`` to a floating array, refusing what is not a real number.

    Integers become float64; float16 and float32 and float64 keep their type. Complex, boolean,
    string and object inputs raise ``TypeError``; fewer than ``min_ndim`` dimensions raise
    ``ValueError``.
    """
    arr = as_array(func, name, value)
    kind = arr.dtype.kind
    if kind in "iu":
        arr = arr.astype(np.float64)
    elif kind != "f" or arr.dtype.itemsize > 8:
        raise TypeError(
            f"{func}: {name} must be a real numeric array (float16, float32, float64 or integer), "
            f"got dtype {arr.dtype} in {_describe(arr)}"
        )
    if arr.ndim < min_ndim:
        raise ValueError(
            f"{func}: {name} must have at least {min_ndim} dimension(s), "
            f"got a {arr.ndim}-d value {_describe(arr)}"
        )
    return arr


def working_dtype(arr: NDArray[Any]) -> np.dtype[Any]:
    """The dtype computations run in: float16 is computed in float32, the rest as given."""
    return np.dtype(np.float32) if arr.dtype == np.float16 else arr.dtype


def float_array_as(
    func: str, name: str, value: Any, dtype: np.dtype[Any], *, finite: bool = True
) -> NDArray[Any]:
    """A float array cast to ``dtype``, checked in its own dtype before the cast.

    With ``finite`` (the default) nan and +-inf are refused; either way a finite value that the
    cast would turn into ``inf`` is refused, naming the dtype it overflows.
    """
    arr = float_array(func, name, value)
    if finite:
        check_finite(func, name, arr)
    if arr.dtype.itemsize > dtype.itemsize:
        with np.errstate(invalid="ignore"):
            too_big = np.isfinite(arr) & (np.abs(arr) > np.finfo(dtype).max)
        if too_big.any():
            where = _first(too_big)
            raise ValueError(
                f"{func}: {name} holds {arr[where].item()!r} at index {where}, which overflows "
                f"{dtype} (the dtype the computation runs in; largest {np.finfo(dtype).max:.4g})"
            )
    return arr.astype(dtype, copy=False)


def check_no_nan(func: str, name: str, arr: NDArray[Any]) -> None:
    """Refuse nan anywhere in ``arr`` (a full pass: use where a row maximum is not at hand)."""
    if np.isnan(arr).any():
        raise ValueError(f"{func}: {name} contains nan (first at index {_first(np.isnan(arr))})")


def check_finite(func: str, name: str, arr: NDArray[Any]) -> None:
    """Refuse nan and +-inf anywhere in ``arr``."""
    bad = ~np.isfinite(arr)
    if bad.any():
        where = _first(bad)
        raise ValueError(
            f"{func}: {name} must be finite, got {arr[where].item()!r} at index {where}"
        )


def check_in_unit_interval(func: str, name: str, arr: NDArray[Any]) -> None:
    """Refuse values outside [0, 1] (nan included)."""
    bad = ~((arr >= 0) & (arr <= 1))
    if bad.any():
        where = _first(bad)
        raise ValueError(
            f"{func}: {name} must hold probabilities in [0, 1], "
            f"got {arr[where].item()!r} at index {where}"
        )


def check_nonnegative(func: str, name: str, arr: NDArray[Any]) -> None:
    """Refuse negative values and nan."""
    bad = ~(arr >= 0)
    if bad.any():
        where = _first(bad)
        raise ValueError(f"{func}: {name} must be >= 0, got {arr[where].item()!r} at index {where}")


def integer_dtype_array(func: str, name: str, value: Any) -> NDArray[Any]:
    """An array of a signed or unsigned integer dtype, not yet cast."""
    arr = as_array(func, name, value, what="an array of integer class indices")
    if arr.dtype.kind not in "iu":
        raise TypeError(
            f"{func}: {name} must hold integer class indices, got dtype {arr.dtype} in "
            f"{_describe(arr)}"
        )
    return arr


def class_indices(
    func: str,
    name: str,
    value: Any,
    shape: tuple[int, ...],
    classes: int,
    *,
    ignore_index: int | None = None,
    tuple_position: bool = False,
) -> tuple[NDArray[np.intp], NDArray[np.bool_] | None]:
    """The package's one class-index validator.

    Returns ``(t, valid)``: the indices as ``intp`` of the given shape, with ignored entries
    set to 0, and the mask of entries that are not ``ignore_index`` (``None`` when every entry
    counts: no ``ignore_index`` is given or none equals it). Non-integer values raise
    ``TypeError``, a wrong shape ``ValueError`` and an index out of ``[0, classes)``
    ``IndexError``, as for a class-index target in PyTorch. The range is checked in the
    value's own dtype, before any cast.
    """
    t = value if type(value) is np.ndarray and value.dtype.kind in "iu" else None
    if t is None:
        t = integer_dtype_array(func, name, value)
    if t.shape != shape:
        raise ValueError(
            f"{func}: {name} must have shape {shape}, one class index per item, got shape {t.shape}"
        )
    return _checked_indices(func, name, t, classes, ignore_index, tuple_position)


@functools.cache
def _limits(dtype: np.dtype[Any]) -> tuple[int, int]:
    info = np.iinfo(dtype)
    return int(info.min), int(info.max)


@functools.cache
def _unsigned(dtype: np.dtype[Any]) -> np.dtype[Any]:
    """The unsigned integer dtype of the same size and byte order as ``dtype``."""
    return np.dtype(dtype.str.replace("i", "u"))


def _checked_indices(
    func: str,
    name: str,
    t: NDArray[Any],
    classes: int,
    ignore_index: int | None,
    tuple_position: bool,
) -> tuple[NDArray[np.intp], NDArray[np.bool_] | None]:
    # Everything is compared in t's own dtype: ignore_index only matters if t can hold it, and
    # every index of t's dtype above classes - 1 (2**63 in uint64 included) is out of range.
    lo, hi = _limits(t.dtype)
    ignorable = ignore_index is not None and lo <= ignore_index <= hi
    if t.size == 0 or (
        # The common case in one reduction: every index in range and none ignored. Seen as
        # unsigned, a negative index is huge, so the largest is below classes only if all are.
        np.maximum.reduce(t.view(_unsigned(t.dtype)), axis=None) < classes
        and not (ignorable and ignore_index is not None and 0 <= ignore_index < classes)
    ):
        return t.astype(np.intp), None
    valid = t != t.dtype.type(ignore_index) if ignorable else None
    bad = t >= t.dtype.type(classes) if classes <= hi else np.zeros(t.shape, np.bool_)
    if lo < 0:
        bad |= t < 0
    if valid is not None:
        bad &= valid
    if bad.any():
        _out_of_range(func, name, t, bad, classes, ignore_index, tuple_position)
    out = t.astype(np.intp)
    if valid is not None:
        out[~valid] = 0
    return out, valid


def _out_of_range(
    func: str,
    name: str,
    t: NDArray[Any],
    bad: NDArray[np.bool_],
    classes: int,
    ignore_index: int | None,
    tuple_position: bool,
) -> NoReturn:
    where = _first(bad)
    value = int(t[where].item())
    # Where an ignore_index exists, say so when a negative index is not it.
    kind = "negative class index" if value < 0 and ignore_index is not None else "class index"
    position: Any = where[0] if len(where) == 1 and not tuple_position else where
    allowed = f"0 to {classes - 1}" + ("" if ignore_index is None else f", or {ignore_index=}")
    raise IndexError(
        f"{func}: {name} holds {kind} {value} at position {position}, out of range for "
        f"{classes} classes (valid: {allowed})"
    )


def integer(
    func: str,
    name: str,
    value: Any,
    minimum: int | None = None,
    *,
    expected: str = "an integer",
    below_minimum: str | None = None,
) -> int:
    """A Python ``int`` from an integer argument (bool refused), at least ``minimum``.

    The messages say ``{name} must be {expected}`` for a value that is not an integer and
    ``{name} must be {below_minimum}`` (default: "at least {minimum}") for one that is too small.
    """
    if isinstance(value, bool) or not isinstance(value, (int, np.integer)):
        raise TypeError(f"{func}: {name} must be {expected}, got {_describe(value)}")
    if minimum is not None and value < minimum:
        too_small = below_minimum or f"at least {minimum}"
        raise ValueError(f"{func}: {name} must be {too_small}, got {value!r}")
    return int(value)


def real_number(func: str, name: str, value: Any, expected: str = "a real number") -> float:
    """A Python ``float`` from a real scalar argument (bool and arrays refused)."""
    if isinstance(value, bool) or not isinstance(value, (int, float, np.integer, np.floating)):
        raise TypeError(f"{func}: {name} must be {expected}, got {_describe(value)}")
    return float(value)


def positive_number(func: str, name: str, value: Any) -> float:
    """A positive, finite real scalar (a learning rate, a temperature bound, ...)."""
    x = real_number(func, name, value, "a positive number")
    if not (np.isfinite(x) and x > 0):
        raise ValueError(f"{func}: {name} must be positive and finite, got {value!r}")
    return x


def nonnegative_number(func: str, name: str, value: Any) -> float:
    """A finite real scalar >= 0 (a focusing parameter, ...)."""
    x = real_number(func, name, value)
    if not (np.isfinite(x) and x >= 0):
        raise ValueError(f"{func}: {name} must be finite and >= 0, got {value!r}")
    return x


def number_in_unit_interval(func: str, name: str, value: Any) -> float:
    """A real scalar in [0, 1] (a label-smoothing factor, ...)."""
    x = real_number(func, name, value, "a number")
    if not 0.0 <= x <= 1.0:
        raise ValueError(f"{func}: {name} must be in [0, 1], got {value!r}")
    return x


def check_reduction(func: str, reduction: Any) -> Reduction:
    for r in REDUCTIONS:
        if reduction == r and isinstance(reduction, str):
            return r
    raise ValueError(
        f"{func}: reduction must be one of {', '.join(map(repr, REDUCTIONS))}, got {reduction!r}"
    )


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
    ax = integer(func, "axis", axis)
    if not -ndim <= ax < ndim:
        raise IndexError(f"{func}: axis {ax} is out of range for an input with {ndim} dimension(s)")
    return ax % ndim


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
