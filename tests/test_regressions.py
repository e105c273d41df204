"""Regression tests for the holes of issue 11, each named after the bug it pins, and for the
one validation layer and reduction policy of issue 10."""

import math
import warnings

import numpy as np
import pytest
from _calls import run_fresh_python

import xentbook
from xentbook import (
    binary_cross_entropy,
    cross_entropy,
    cross_entropy_grad,
    cross_entropy_pq,
    cross_entropy_with_grad,
    entropy,
    focal_loss,
    kl_divergence,
    linear_cross_entropy,
    linear_cross_entropy_with_grad,
    log_softmax,
    mse,
    softmax,
    surprisal,
)
from xentbook.book import finite_difference_grad, naive_linear_cross_entropy_with_grad

LINEAR = [
    linear_cross_entropy,
    linear_cross_entropy_with_grad,
    naive_linear_cross_entropy_with_grad,
]


def _linear_problem():
    rng = np.random.default_rng(31)
    return rng.normal(size=(2, 4)), rng.normal(size=(3, 4))


class TestUint64ClassIndexDoesNotWrap:
    """Hole 1: uint64 indices were cast to int64 first, so 2**64 - 100 became ignore_index."""

    @pytest.mark.parametrize("value", [2**64 - 100, 2**63, 2**64 - 1])
    def test_cross_entropy_reports_the_true_value(self, value):
        target = np.array([value, 0], np.uint64)
        with pytest.raises(IndexError, match=rf"^cross_entropy: target holds class index {value} "):
            cross_entropy(np.zeros((2, 3)), target)

    @pytest.mark.parametrize("func", LINEAR)
    def test_linear_cross_entropy_reports_the_true_value(self, func):
        h, w = _linear_problem()
        target = np.array([0, 2**64 - 100], np.uint64)
        with pytest.raises(
            IndexError,
            match=rf"^{func.__name__}: target holds class index {2**64 - 100} at position 1",
        ):
            func(h, w, target)

    def test_in_range_uint64_indices_still_work(self):
        z = np.array([[1.0, 2.0, 0.5], [0.0, 0.1, 0.2]])
        got = cross_entropy(z, np.array([1, 2], np.uint64))
        np.testing.assert_array_equal(got, cross_entropy(z, np.array([1, 2])))

    def test_small_signed_dtype_with_an_ignore_index_it_cannot_hold(self):
        # int8 cannot hold -100: nothing is ignored, and -1 is out of range.
        with pytest.raises(IndexError, match="negative class index -1"):
            cross_entropy(np.zeros((2, 3)), np.array([0, -1], np.int8))


class TestMaskedArraysAreRefused:
    """Hole 2: np.asarray dropped the mask of a masked array silently."""

    def test_masked_input(self):
        z = np.ma.masked_array(np.zeros((2, 3)), mask=[[1, 0, 0], [0, 0, 0]])
        with pytest.raises(
            TypeError, match=r"^cross_entropy: input is a numpy masked array.*filled"
        ):
            cross_entropy(z, [0, 1])

    def test_masked_target_suggests_ignore_index(self):
        t = np.ma.masked_array([0, 1], mask=[1, 0])
        with pytest.raises(
            TypeError, match=r"^cross_entropy: target is a numpy masked array.*ignore_index"
        ):
            cross_entropy(np.zeros((2, 3)), t)

    @pytest.mark.parametrize(
        "call",
        [
            lambda m: softmax(m),
            lambda m: entropy(m),
            lambda m: mse(m, np.zeros(2)),
            lambda m: binary_cross_entropy(np.full(2, 0.5), m),
            lambda m: linear_cross_entropy(np.ones((2, 2)), np.ones((2, 2)), m.astype(int)),
        ],
    )
    def test_everywhere(self, call):
        m = np.ma.masked_array([0.5, 0.5], mask=[0, 1])
        with pytest.raises(TypeError, match="is a numpy masked array"):
            call(m)


class TestLinearCrossEntropyAllIgnoredMeanWarns:
    """Hole 3: every target ignored with reduction='mean' gave nan with no warning."""

    @pytest.mark.parametrize("func", LINEAR)
    def test_warns_and_returns_nan_with_zero_gradients(self, func):
        h, w = _linear_problem()
        with pytest.warns(RuntimeWarning, match=rf"^{func.__name__}: the mean .*zero total weight"):
            out = func(h, w, [-100, -100])
        loss = out if func is linear_cross_entropy else out[0]
        assert np.isnan(loss)
        if func is not linear_cross_entropy:
            assert not out[1].any() and not out[2].any()


class TestInfMinusInfIsAnError:
    """Hole 4: mass of both signs on two -inf logits gave inf - inf, a silent nan."""

    Z = np.array([[-np.inf, -np.inf, 0.0], [0.0, 1.0, 2.0]])

    def test_negative_class_weight_with_label_smoothing(self):
        with pytest.raises(ValueError, match=r"^cross_entropy: the loss of item 0 is inf - inf"):
            cross_entropy(self.Z, [2, 0], weight=[1.0, -1.0, 1.0], label_smoothing=0.1)

    @pytest.mark.parametrize("func", [cross_entropy, cross_entropy_grad, cross_entropy_with_grad])
    def test_negative_probability_target(self, func):
        y = np.array([[0.5, -0.5, 1.0], [0.0, 0.0, 1.0]])
        with pytest.raises(ValueError, match=rf"^{func.__name__}: the loss of item 0 is inf - inf"):
            func(self.Z, y)

    def test_one_sign_is_still_inf(self):
        y = np.array([[0.5, 0.5, 0.0], [0.0, 0.0, 1.0]])
        assert np.isposinf(cross_entropy(self.Z, y, reduction="none")[0])


class TestWeightOverflowIsReportedBeforeTheCast:
    """Hole 5: a float64 weight of 1e40 with float32 logits was cast to inf first."""

    def test_class_weight(self):
        with pytest.raises(
            ValueError,
            match=r"^cross_entropy: weight holds 1e\+40 at index \(0,\), which overflows float32",
        ):
            cross_entropy(np.float32([[0.0, 1.0]]), [0], weight=np.array([1e40, 1.0]))

    def test_probability_target(self):
        with pytest.raises(
            ValueError, match=r"^cross_entropy: target holds 1e\+40 .*overflows float32"
        ):
            cross_entropy(np.float32([[0.0, 1.0]]), np.array([[1e40, 0.0]]))

    def test_focal_weight(self):
        with pytest.raises(
            ValueError, match=r"^focal_loss: weight holds -1e\+40 .*overflows float32"
        ):
            focal_loss(np.float32([[0.0, 1.0]]), [0], weight=np.array([-1e40, 1.0]))

    def test_float16_input_computes_in_float32(self):
        # float16 runs in float32, so a weight of 1e5 (beyond float16's 65504) fits.
        got = cross_entropy(np.float16([[0.0, 0.0]]), [0], weight=np.array([1e5, 1.0]))
        assert got.dtype == np.float16 and got == np.float16(np.log(2))


class TestTorchTensorThatRequiresGrad:
    """Hole 6: torch's own RuntimeError ('Can't call numpy() on Tensor that requires grad')."""

    @pytest.mark.torch
    def test_xentbook_error(self):
        torch = pytest.importorskip(
            "torch", reason="PyTorch is not installed (pip install torch==2.13.0)"
        )
        z = torch.zeros(2, 3, requires_grad=True)
        with pytest.raises(
            TypeError,
            match=r"^cross_entropy: input is a torch tensor that requires grad; pass input.detach\(\)",
        ):
            cross_entropy(z, [0, 1])
        loss = cross_entropy(z.detach(), torch.tensor([0, 1]))
        assert loss == pytest.approx(np.log(3), rel=1e-6)


class TestForkedChildWithTheCreatorsPidDoesNotHang:
    """Hole 7: the pool was cached by process id; a forked descendant that gets the pid of the
    pool's creator (in another pid namespace) inherited a pool with no threads and hung."""

    def test_fork_clears_the_pool_cache(self):
        # In a subprocess, so the test process never forks. The child checks that the cache is
        # empty right after the fork, whatever its pid, and then computes in parallel.
        code = (
            "import importlib, os, numpy as np, xentbook\n"
            "m = importlib.import_module('xentbook.cross_entropy')\n"
            "m._PARALLEL_MIN_ELEMENTS = 0; m._BLOCK_ELEMENTS = 64; m._workers = lambda: 2\n"
            "z = np.zeros((50, 8)); t = np.zeros(50, dtype=int)\n"
            "xentbook.cross_entropy(z, t)\n"
            "assert m._pool.cache_info().currsize == 1\n"
            "pid = os.fork()\n"
            "if pid == 0:\n"
            "    cached = m._pool.cache_info().currsize\n"
            "    print(cached, round(float(xentbook.cross_entropy(z, t)), 6), flush=True)\n"
            "    os._exit(0)\n"
            "os.waitpid(pid, 0)\n"
        )
        out = run_fresh_python(code, "-W", "ignore::DeprecationWarning").split()
        assert out == ["0", f"{np.log(8):.6f}"]


class TestSoftmaxOfNoClassesIsEmpty:
    """Hole 8: softmax and log_softmax raised on a zero-length class axis (as SciPy does);
    the documented choice is PyTorch's, an empty result."""

    @pytest.mark.parametrize("func", [softmax, log_softmax])
    @pytest.mark.parametrize(("shape", "axis"), [((0,), -1), ((2, 0), -1), ((0, 3), 0)])
    def test_empty(self, func, shape, axis):
        got = func(np.zeros(shape, np.float32), axis=axis)
        assert got.shape == shape and got.dtype == np.float32

    def test_documented(self):
        assert "zero-length" in softmax.__doc__ and "PyTorch" in softmax.__doc__


class TestValidationNoTestCovered:
    """Validation of issue 11 that no test covered: each gets xentbook's own error."""

    @pytest.mark.parametrize("p", [-0.1, np.nan, [0.5, -1e-300]])
    def test_surprisal_of_a_negative_or_nan_probability(self, p):
        with pytest.raises(
            ValueError, match=r"^surprisal: p must be a probability in \[0, 1\], got"
        ):
            surprisal(p)

    def test_focal_loss_with_zero_classes(self):
        with pytest.raises(ValueError, match=r"^focal_loss: input has 0 classes"):
            focal_loss(np.zeros((2, 0)), [0, 0])

    def test_focal_loss_with_infinite_gamma(self):
        with pytest.raises(
            ValueError, match=r"^focal_loss: gamma must be finite and >= 0, got inf"
        ):
            focal_loss(np.zeros((2, 3)), [0, 1], gamma=np.inf)

    @pytest.mark.parametrize("func", LINEAR)
    def test_nan_bias_in_linear_cross_entropy(self, func):
        h, w = _linear_problem()
        with pytest.raises(
            ValueError, match=rf"^{func.__name__}: bias must be finite, got nan at index \(1,\)"
        ):
            func(h, w, [0, 1], bias=[0.0, np.nan, 0.0])

    def test_finite_difference_step_of_the_wrong_type_is_a_type_error(self):
        with pytest.raises(
            TypeError, match=r"^finite_difference_grad: h must be a positive number, got 'a'"
        ):
            finite_difference_grad(np.sum, [1.0], h="a")


class TestOneEmptyMeanPolicy:
    """Every loss: an empty mean is nan with a RuntimeWarning, and its gradient is zero."""

    @pytest.mark.parametrize(
        "call",
        [
            lambda: cross_entropy(np.zeros((0, 3)), np.zeros(0, int)),
            lambda: cross_entropy(np.zeros((0, 3)), np.zeros((0, 3))),
            lambda: focal_loss(np.zeros((0, 3)), np.zeros(0, int)),
            lambda: mse(np.zeros(0), np.zeros(0)),
            lambda: binary_cross_entropy(np.zeros(0), np.zeros(0)),
            lambda: linear_cross_entropy(np.zeros((0, 2)), np.ones((3, 2)), np.zeros(0, int)),
        ],
    )
    def test_nan_with_a_warning(self, call):
        with pytest.warns(RuntimeWarning, match="the mean of an empty input is undefined"):
            assert np.isnan(call())

    def test_zero_gradient(self):
        with pytest.warns(RuntimeWarning):
            _, grad = cross_entropy_with_grad(np.ones((2, 3)), [-100, -100])
        assert not grad.any()


class TestOneReturnTypeRule:
    """A reduced loss is a numpy scalar of the input's float dtype (float16 in, float16 out)."""

    @pytest.mark.parametrize("dtype", [np.float16, np.float32, np.float64])
    @pytest.mark.parametrize(
        "call",
        [
            lambda d: cross_entropy(np.array([[1.0, 2.0]], d), [0]),
            lambda d: focal_loss(np.array([[1.0, 2.0]], d), [0]),
            lambda d: entropy(np.array([0.25, 0.75], d)),
            lambda d: kl_divergence(np.array([0.25, 0.75], d), np.array([0.5, 0.5], d)),
            lambda d: cross_entropy_pq(np.array([0.25, 0.75], d), np.array([0.5, 0.5], d)),
            lambda d: linear_cross_entropy(np.ones((2, 2), d), np.ones((3, 2), d), [0, 1]),
            lambda d: surprisal(d(0.5)),
            lambda d: xentbook.logsumexp(np.array([0.0, 1.0], d)),
        ],
    )
    def test_scalar_of_the_input_dtype(self, call, dtype):
        got = call(dtype)
        assert isinstance(got, np.generic) and got.dtype == dtype


class TestRenamedArguments:
    """Names that say what they hold: class weights are `weight`, the matrix is `unembedding`."""

    def test_focal_loss_class_weights_are_weight(self):
        z = np.array([[1.0, 2.0, 0.5]])
        assert focal_loss(z, [1], gamma=0.0, weight=[1.0, 3.0, 1.0]) == pytest.approx(
            3 * cross_entropy(z, [1]), rel=1e-15
        )
        with pytest.raises(TypeError, match="alpha"):
            focal_loss(z, [1], alpha=[1.0, 3.0, 1.0])

    def test_linear_cross_entropy_takes_unembedding(self):
        h, w = _linear_problem()
        by_name = linear_cross_entropy(hidden=h, unembedding=w, target=[0, 1])
        assert by_name == cross_entropy(h @ w.T, [0, 1])


class TestZeroCoefficientAtAnInfiniteLoss:
    """A zero coefficient (ignored item, zero class weight) met an infinite -log p_t and numpy
    warned "invalid value encountered in multiply", though the product was discarded."""

    @pytest.mark.parametrize(
        ("z", "target", "kwargs", "expected"),
        [
            # The ignored item's placeholder target is class 0, whose logit is -inf; the other
            # item's loss is log 2 (by hand), the mean over one item.
            ([[-np.inf, 0.0], [0.0, 0.0]], [-100, 0], {}, math.log(2)),
            # A zero class weight on the impossible target: the sum is 0.
            ([[0.0, -np.inf]], [1], {"weight": [1.0, 0.0], "reduction": "sum"}, 0.0),
        ],
    )
    def test_no_warning(self, z, target, kwargs, expected):
        with warnings.catch_warnings():
            warnings.simplefilter("error")
            assert cross_entropy(np.array(z), target, **kwargs) == expected


def test_regression_smoothed_weighted_gradient_keeps_the_other_classes_weight_in_float32():
    # total_w - w_t, the weight of the classes other than the target, was formed in float32 and
    # cancelled: with weights (1, 1e-8, 1e-8) and label_smoothing=1 the target entry came out
    # -6.2e-14 instead of +6.67e-9. Reference: the same problem in float64 (exact inputs:
    # float32 1e-8 widened), whose entries float32 must reproduce to float32 roundoff.
    z = np.array([[30.0, 0.0, 0.0]], np.float32)
    w = np.array([1.0, 1e-8, 1e-8], np.float32)
    kwargs = {"label_smoothing": 1.0, "reduction": "sum"}
    got = cross_entropy_grad(z, [0], weight=w, **kwargs)
    want = cross_entropy_grad(z.astype(np.float64), [0], weight=w.astype(np.float64), **kwargs)
    assert got.dtype == np.float32
    np.testing.assert_allclose(got, want, rtol=4 * np.finfo(np.float32).eps, atol=0)
