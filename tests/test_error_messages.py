"""Every error of the loss functions names the function and the argument, at the start.

The README promises errors "that name the function, the argument and the value". The tests beside
each module check the wording of many messages with a pattern found anywhere in the message; here
each message must *begin* with ``"<function>: <argument> "``, for every public loss function and
every argument it validates. (Mutation testing showed why: a message naming the wrong function, or
none, passed the looser patterns.)
"""

from __future__ import annotations

import re

import numpy as np
import pytest

from xentbook import (
    binary_cross_entropy,
    binary_cross_entropy_with_logits,
    binary_cross_entropy_with_logits_grad,
    cross_entropy,
    cross_entropy_grad,
    cross_entropy_pq,
    cross_entropy_with_grad,
    entropy,
    focal_loss,
    kl_divergence,
    linear_cross_entropy,
    linear_cross_entropy_with_grad,
    log_sigmoid,
    log_softmax,
    logsumexp,
    mse,
    mse_grad,
    sigmoid,
    softmax,
    softplus,
    surprisal,
)
from xentbook.book import naive_linear_cross_entropy_with_grad, online_logsumexp

NAN = [0.5, np.nan]
TEXT = ["a", "b"]


def case(func, args, kwargs, error, argument):
    name = argument.replace(" ", "-")
    return pytest.param(func, args, kwargs, error, argument, id=f"{func.__name__}-{name}")


def _elementwise_cases():
    cases = []
    for func in (softplus, log_sigmoid, sigmoid):
        cases.append(case(func, (TEXT,), {}, TypeError, "x"))
    for func in (softmax, log_softmax):
        cases += [
            case(func, (TEXT,), {}, TypeError, "x"),
            case(func, (1.0,), {}, ValueError, "x"),
            case(func, (NAN,), {}, ValueError, "x"),
            case(func, ([np.inf, 0.0],), {}, ValueError, "x"),
            case(func, ([[-np.inf, -np.inf]],), {}, ValueError, "x"),
            case(func, ([1.0],), {"axis": 1}, IndexError, "axis"),
        ]
    cases += [
        case(logsumexp, (TEXT,), {}, TypeError, "a"),
        case(logsumexp, (NAN,), {}, ValueError, "a"),
        case(logsumexp, ([1.0],), {"axis": 3}, IndexError, "axis"),
        case(logsumexp, ([[1.0]],), {"axis": (0, 5)}, IndexError, "axis"),
        case(logsumexp, ([1.0],), {"keepdims": "yes"}, TypeError, "keepdims"),
        case(softplus, (NAN,), {}, ValueError, "x"),
        case(sigmoid, (NAN,), {}, ValueError, "x"),
        case(log_sigmoid, (NAN,), {}, ValueError, "x"),
    ]
    return cases


def _binary_cases():
    cases = []
    for func in (
        binary_cross_entropy,
        binary_cross_entropy_with_logits,
        binary_cross_entropy_with_logits_grad,
    ):
        cases += [
            case(func, (TEXT, [1.0, 0.0]), {}, TypeError, "input"),
            case(func, ([0.5, 0.5], TEXT), {}, TypeError, "target"),
            case(func, ([0.5, 0.5], [1.0, 2.0]), {}, ValueError, "target"),
            case(func, ([0.5, 0.5], [1.0]), {}, ValueError, "input and target"),
            case(func, ([0.5], [1.0]), {"reduction": "avg"}, ValueError, "reduction"),
            case(func, ([0.5], [1.0]), {"weight": TEXT}, TypeError, "weight"),
            case(func, ([0.5], [1.0]), {"weight": [np.inf]}, ValueError, "weight"),
            case(func, ([0.5], [1.0]), {"weight": [1.0, 2.0]}, ValueError, "weight"),
        ]
    cases += [
        case(binary_cross_entropy, ([1.5], [1.0]), {}, ValueError, "input"),
        case(binary_cross_entropy, ([np.nan], [1.0]), {}, ValueError, "input"),
    ]
    for func in (binary_cross_entropy_with_logits, binary_cross_entropy_with_logits_grad):
        cases += [
            case(func, ([np.nan], [1.0]), {}, ValueError, "input"),
            case(func, ([0.5], [1.0]), {"pos_weight": TEXT}, TypeError, "pos_weight"),
            case(func, ([0.5], [1.0]), {"pos_weight": [np.nan]}, ValueError, "pos_weight"),
            case(func, ([0.5], [1.0]), {"pos_weight": [1.0, 2.0]}, ValueError, "pos_weight"),
        ]
    return cases


def _cross_entropy_cases():
    cases = []
    z = [[1.0, 2.0, 3.0]]
    for func in (cross_entropy, cross_entropy_grad, cross_entropy_with_grad):
        cases += [
            case(func, (TEXT, [0]), {}, TypeError, "input"),
            case(func, (1.0, 0), {}, ValueError, "input"),
            case(func, (np.zeros((1, 0)), [0]), {}, ValueError, "input"),
            case(func, ([[np.nan, 0.0, 0.0]], [0]), {}, ValueError, "input"),
            case(func, (z, [0]), {"reduction": "avg"}, ValueError, "reduction"),
            case(func, (z, [0]), {"ignore_index": 0.5}, TypeError, "ignore_index"),
            case(func, (z, [0]), {"label_smoothing": "a"}, TypeError, "label_smoothing"),
            case(func, (z, [0]), {"label_smoothing": 2.0}, ValueError, "label_smoothing"),
            case(func, (z, [0]), {"weight": TEXT}, TypeError, "weight"),
            case(func, (z, [0]), {"weight": [1.0]}, ValueError, "weight"),
            case(func, (z, [0]), {"weight": [1.0, np.inf, 1.0]}, ValueError, "weight"),
            case(func, (z, ["a"]), {}, TypeError, "target"),
            case(func, (z, [[0.5, np.nan, 0.5]]), {}, ValueError, "target"),
            case(func, (z, [5]), {}, IndexError, "target"),
        ]
    return cases


def _information_cases():
    cases = [
        case(surprisal, (TEXT,), {}, TypeError, "p"),
        case(surprisal, (1.5,), {}, ValueError, "p"),
        case(surprisal, (0.5,), {"base": 1.0}, ValueError, "base"),
        case(surprisal, (0.5,), {"base": "e"}, TypeError, "base"),
        case(entropy, (TEXT,), {}, TypeError, "p"),
        case(entropy, ([0.5, 0.5],), {"axis": 2}, IndexError, "axis"),
        case(entropy, ([0.5, -0.5],), {}, ValueError, "p"),
        case(entropy, ([0.5, np.inf],), {}, ValueError, "p"),
        case(entropy, ([[]],), {}, ValueError, "p"),
        case(entropy, ([0.5, 0.6],), {}, ValueError, "p"),
        case(entropy, ([0.5, 0.5],), {"base": -2.0}, ValueError, "base"),
    ]
    for func in (cross_entropy_pq, kl_divergence):
        cases += [
            case(func, (TEXT, [0.5, 0.5]), {}, TypeError, "p"),
            case(func, ([0.5, 0.5], TEXT), {}, TypeError, "q"),
            case(func, ([0.5, 0.6], [0.5, 0.5]), {}, ValueError, "p"),
            case(func, ([0.5, 0.5], [0.5, 0.6]), {}, ValueError, "q"),
            case(func, ([0.5, 0.5], [-0.5, 1.5]), {}, ValueError, "q"),
            case(func, ([0.5, 0.5], [0.2, 0.3, 0.5]), {}, ValueError, "p and q"),
            case(func, ([0.5, 0.5], [0.5, 0.5]), {"base": 1}, ValueError, "base"),
            case(func, ([0.5, 0.5], [0.5, 0.5]), {"axis": 1}, IndexError, "axis"),
        ]
    return cases


def _scale_cases():
    h, w = np.ones((1, 3)), np.ones((2, 3))
    cases = [
        case(online_logsumexp, (TEXT,), {}, TypeError, "a"),
        case(online_logsumexp, ([1.0, np.inf],), {}, ValueError, "a"),
        case(online_logsumexp, ([1.0],), {"chunk": 0}, ValueError, "chunk"),
        case(online_logsumexp, ([1.0],), {"chunk": True}, TypeError, "chunk"),
    ]
    for func in (
        linear_cross_entropy,
        linear_cross_entropy_with_grad,
        naive_linear_cross_entropy_with_grad,
    ):
        cases += [
            case(func, (TEXT, w, [0]), {}, TypeError, "hidden"),
            case(func, (h, TEXT, [0]), {}, TypeError, "unembedding"),
            case(func, (h, w, [0]), {"bias": TEXT}, TypeError, "bias"),
            case(func, (h, w, [0]), {"bias": [1.0, np.nan]}, ValueError, "bias"),
            case(func, (h, w, [0]), {"reduction": "avg"}, ValueError, "reduction"),
            case(func, (h, w, [0]), {"ignore_index": True}, TypeError, "ignore_index"),
            case(func, (h, w, [0.0]), {}, TypeError, "target"),
            case(func, (h, w, [0]), {"chunk_rows": 0}, ValueError, "chunk_rows"),
        ]
    return cases


def _focal_and_regression_cases():
    z = [[1.0, 2.0]]
    cases = [
        case(focal_loss, (TEXT, [0]), {}, TypeError, "input"),
        case(focal_loss, ([1.0, 2.0], [0]), {}, ValueError, "input"),
        case(focal_loss, (np.zeros((1, 0)), [0]), {}, ValueError, "input"),
        case(focal_loss, (z, [0.0]), {}, TypeError, "target"),
        case(focal_loss, (z, [2]), {}, IndexError, "target"),
        case(focal_loss, (z, [0]), {"gamma": "2"}, TypeError, "gamma"),
        case(focal_loss, (z, [0]), {"gamma": np.inf}, ValueError, "gamma"),
        case(focal_loss, (z, [0]), {"weight": TEXT}, TypeError, "weight"),
        case(focal_loss, (z, [0]), {"weight": [1.0, 2.0, 3.0]}, ValueError, "weight"),
        case(focal_loss, (z, [0]), {"weight": [1.0, np.nan]}, ValueError, "weight"),
        case(focal_loss, (z, [0]), {"weight": -1.0}, ValueError, "weight"),
        case(focal_loss, (z, [0]), {"reduction": "avg"}, ValueError, "reduction"),
    ]
    for func in (mse, mse_grad):
        cases += [
            case(func, (TEXT, [1.0, 2.0]), {}, TypeError, "input"),
            case(func, ([1.0, 2.0], TEXT), {}, TypeError, "target"),
            case(func, ([1.0, 2.0], [1.0]), {}, ValueError, "input and target"),
            case(func, ([np.inf], [1.0]), {}, ValueError, "input"),
            case(func, ([1.0], [np.nan]), {}, ValueError, "target"),
            case(func, ([1.0], [1.0]), {"reduction": "avg"}, ValueError, "reduction"),
        ]
    return cases


CASES = (
    _elementwise_cases()
    + _binary_cases()
    + _cross_entropy_cases()
    + _information_cases()
    + _scale_cases()
    + _focal_and_regression_cases()
)


@pytest.mark.parametrize(("func", "args", "kwargs", "error", "argument"), CASES)
def test_message_starts_with_function_and_argument(func, args, kwargs, error, argument):
    with pytest.raises(error, match=rf"^{re.escape(func.__name__)}: {re.escape(argument)} "):
        func(*args, **kwargs)


@pytest.mark.parametrize(
    "func",
    [binary_cross_entropy, binary_cross_entropy_with_logits, mse],
    ids=lambda f: f.__name__,
)
def test_empty_mean_warning_names_the_function(func):
    with pytest.warns(RuntimeWarning, match=rf"^{func.__name__}: the mean of an empty input"):
        assert np.isnan(func(np.zeros(0), np.zeros(0)))
